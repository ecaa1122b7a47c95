"""Scenario files: named parameter values with units, sources and optional quality and distributions.

A scenario file (``format: cathode-lca-scenario/1``) sets parameters of the shipped (or user)
inventories. Each value carries a ``unit`` (checked and converted by pint to the parameter's
declared unit: km or mi, kWh or MJ, t or kg) and a ``source``. An optional ``plant:`` section
describes one recycling plant (black-mass assay, energy, recoveries, water, electricity supply,
transport legs) and is mapped onto the same parameters (:mod:`cathode_lca.parameters.plant`).

Order of precedence (later wins): inventory defaults < each scenario in the order given <
``--param``. Scenario values are baked into the model as new parameter defaults
(:func:`apply_to_inventory`), so every command (compare, Monte Carlo, sweeps, passport,
Brightway export) sees them; ``--param`` overrides are applied on top at evaluation time.

Examples
--------
>>> text = '''
... format: cathode-lca-scenario/1
... name: demo
... parameters:
...   dist_recycler_to_cathode_mi: {value: 500, unit: km, source: "our logistics data 2024"}
... '''
>>> from cathode_lca.inventory.load import load_inventory      # doctest: +SKIP
>>> from cathode_lca.parameters.engine import ParameterModel    # doctest: +SKIP
>>> sc = parse_scenario_text(text, "demo.yaml", ParameterModel(load_inventory()))  # doctest: +SKIP
>>> round(sc.values["dist_recycler_to_cathode_mi"].value, 2)    # doctest: +SKIP
310.69
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CathodeLCAError
from .plant import plant_values
from .scenario_values import ScenarioError, ScenarioValue, check_keys, parse_value

if TYPE_CHECKING:
    from .engine import ParameterModel

FORMAT = "cathode-lca-scenario/1"
TOP_KEYS = ("format", "name", "description", "parameters", "plant", "datasets")


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file."""

    name: str
    path: str
    sha256: str
    description: str
    values: dict[str, ScenarioValue] = field(default_factory=dict)
    datasets: dict[str, DatasetStandIn] = field(default_factory=dict)  # dataset id -> supplier data

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "parameters": len(self.values),
            "datasets": sorted(self.datasets),
        }


@dataclass(frozen=True)
class DatasetStandIn:
    """``datasets: {ID: {pact: FILE}}``: a supplier's PACT footprint in place of dataset ID."""

    dataset: str
    pact: str  # path, resolved against the scenario file's folder
    file: str  # the scenario file
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


# ---------------------------------------------------------------------------
# Locating scenario files


def named_scenarios() -> dict[str, Path]:
    """Shipped named scenarios: ``{name: path}`` (files ``scenarios/<name>.yaml``)."""
    from ..resources import scenarios_dir

    try:
        folder = scenarios_dir()
    except FileNotFoundError:
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def locate(ref: str) -> Path:
    """Path of a scenario given as a file path or as the name of a shipped scenario."""
    path = Path(ref)
    if path.is_file():
        return path
    named = named_scenarios()
    if ref in named:
        return named[ref]
    if path.suffix in (".yaml", ".yml") or "/" in ref or "\\" in ref:
        raise ScenarioError(f"scenario file '{ref}' not found", hint="check the path")
    close = difflib.get_close_matches(ref, list(named), n=3)
    hint = ("did you mean " + " or ".join(close) + "? " if close else "") + (
        "give a file path or a shipped scenario: " + ", ".join(named) if named else "give a file path"
    )
    raise ScenarioError(f"unknown scenario '{ref}'", hint=hint + " (list them with 'cathode-lca scenarios')")


# ---------------------------------------------------------------------------
# Parsing


def load_scenario(ref: str, model: ParameterModel) -> Scenario:
    """Load and check the scenario *ref* (a path or a shipped name) against *model* (a ParameterModel)."""
    path = locate(ref)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("scenario file is not UTF-8 text", file=str(path), hint="save it as UTF-8") from None
    return parse_scenario_text(text, str(path), model, sha256=hashlib.sha256(raw).hexdigest())


def parse_scenario_text(text: str, file: str, model: ParameterModel, *, sha256: str | None = None) -> Scenario:
    """Parse scenario YAML *text* (named *file* in messages); values are checked against *model*."""
    from .._yaml import LineDict, load_yaml_text

    try:
        data = load_yaml_text(text, file)
    except CathodeLCAError as exc:
        raise ScenarioError(exc.message, file=file, line=exc.line, hint=exc.hint) from None
    if not isinstance(data, LineDict) or not data:
        raise ScenarioError("a scenario file must be a mapping", file=file, hint=f"start with 'format: {FORMAT}'")
    check_keys(data, TOP_KEYS, file, "")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ScenarioError(
            f"'format' must be '{FORMAT}', got {fmt!r}",
            file=file,
            line=data.line_of("format"),
            field="format",
            hint=f"add 'format: {FORMAT}' as the first line",
        )
    name = data.get("name", "".join(c if c.isprintable() else "?" for c in Path(file).stem) or "scenario")
    description = data.get("description", "")
    for key, val in (("name", name), ("description", description)):
        if not isinstance(val, str):
            raise ScenarioError(f"'{key}' must be text", file=file, line=data.line_of(key), field=key)
    if not name.strip() or not name.isprintable():  # it is printed in every result's provenance line
        raise ScenarioError(
            f"the name {name!r} must be one line of printable text",
            file=file,
            line=data.line_of("name"),
            field="name",
            hint="no line breaks, tabs or control characters; or leave 'name' out to use the file name",
        )
    values: dict[str, ScenarioValue] = {}
    if "plant" in data:
        for v in plant_values(data["plant"], file, model):
            values[v.key] = v
    params = data.get("parameters", LineDict())
    if not isinstance(params, LineDict):
        raise ScenarioError(
            "'parameters' must map parameter names to {value, unit, source}",
            file=file,
            line=data.line_of("parameters"),
            field="parameters",
        )
    for pname, entry in params.items():
        v = parse_value(entry, file, params.line_of(pname), f"parameters.{pname}", model, str(pname))
        if v.key in values:
            other = values[v.key]
            raise ScenarioError(
                f"parameter '{pname}' is also set by {other.field} (line {other.where.line})",
                file=file,
                line=v.where.line,
                field=v.field,
                hint="set each parameter once in a scenario file",
            )
        values[v.key] = v
    _check_mix_totals(values, model, file)
    _check_compositions(values, model, file)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    datasets = _stand_ins(data.get("datasets"), data.line_of("datasets"), file)
    return Scenario(
        name=name,
        path=file,
        sha256=digest,
        description=" ".join(description.split()),
        values=values,
        datasets=datasets,
    )


MIX_PREFIX = "share_"  # parameters share_<x> of one dataset form a mix: their total is kept
MIX_TOLERANCE = 1e-4  # relative: the shipped mixes add up to 100 within 0.002 (3-decimal rounding)


def _check_mix_totals(values: dict[str, ScenarioValue], model: ParameterModel, file: str) -> None:
    """Refuse a file that changes shares of a mix (``<dataset>::share_*``) so that they no longer add up.

    The country generation mixes take each share as ``share / 100`` kWh per kWh, not normalised:
    shares that add up to 150 would make 1 kWh of grid 1.5 kWh of generation.
    """
    scopes = {k.rsplit("::", 1)[0] for k in values if "::" in k and k.rsplit("::", 1)[1].startswith(MIX_PREFIX)}
    if not scopes:
        return
    env = model.evaluate()
    for scope in sorted(scopes):
        keys = [k for k in model.parameters if k.startswith(scope + "::" + MIX_PREFIX)]
        shipped = sum(float(env[k]) for k in keys)
        total = sum(float(values[k].value) if k in values else float(env[k]) for k in keys)
        if abs(total - shipped) > MIX_TOLERANCE * max(abs(shipped), 1.0):
            first = min((values[k] for k in keys if k in values), key=lambda v: v.where.line or 0)
            names = ", ".join(k.rsplit("::", 1)[1] for k in keys)
            raise ScenarioError(
                f"the shares of {scope} add up to {total:.6g} with this file's values, not {shipped:.6g} "
                "(they are used as they are, not normalised)",
                file=file,
                line=first.where.line,
                field=first.field,
                hint=f"change the other shares so that {names} add up to {shipped:.6g}",
            )


COMPOSITIONS = ("cell_", "module_", "scrap_", "bmfeed_")  # kg of each component per kg of that feed
COMPOSITION_TOLERANCE = 1e-3  # the shipped compositions add up to 1 within 1e-4 (rounding of the source)


def _check_compositions(values: dict[str, ScenarioValue], model: ParameterModel, file: str) -> None:
    """Refuse a file whose feed composition (``bmfeed_*``, ``cell_*``, ...) adds up to more than 1 kg per kg.

    Checked for every ``feed_chemistry`` (the compositions are lookups by it), or only for the one
    the file sets.
    """
    set_names = {k: v for k, v in values.items() if "::" not in k}
    groups = [p for p in COMPOSITIONS if any(k.startswith(p) for k in set_names)]
    if not groups:
        return
    chem_key = model.key("feed_chemistry")
    chosen = values.get(chem_key)
    chemistries = [str(chosen.value)] if chosen is not None else list(model.parameters[chem_key].choices)
    for chem in chemistries:
        env = model.evaluate({"feed_chemistry": chem})
        for prefix in groups:
            keys = [k for k in model.parameters if "::" not in k and k.startswith(prefix)]
            total = sum(float(values[k].value) if k in values else float(env[k]) for k in keys)
            if total > 1.0 + COMPOSITION_TOLERANCE:
                first = min((values[k] for k in keys if k in values), key=lambda v: v.where.line or 0)
                raise ScenarioError(
                    f"the {prefix}* components add up to {total:.4g} kg per kg of feed ({chem}) with this "
                    "file's values: more than 1 kg",
                    file=file,
                    line=first.where.line,
                    field=first.field,
                    hint=f"lower the other {prefix}* components (list them with 'cathode-lca parameters "
                    f"--search {prefix}'), or give a black-mass assay in plant.black_mass",
                )


def _stand_ins(section: Any, line: int | None, file: str) -> dict[str, DatasetStandIn]:
    """The ``datasets:`` section: ``{dataset id: {pact: FILE.json}}`` (``~`` expanded, else relative to the scenario file)."""
    from .._yaml import LineDict

    if section is None:
        return {}
    if not isinstance(section, LineDict):
        raise ScenarioError(
            "'datasets' must map dataset ids to {pact: FILE.json}",
            file=file,
            line=line,
            field="datasets",
            hint="e.g. datasets: {nickel-sulfate-greet2022: {pact: supplier-nis.json}}",
        )
    out: dict[str, DatasetStandIn] = {}
    for dataset_id, entry in section.items():
        where = section.line_of(dataset_id)
        if not isinstance(entry, LineDict) or set(entry) != {"pact"} or not isinstance(entry.get("pact"), str):
            raise ScenarioError(
                f"dataset '{dataset_id}' needs exactly one key, 'pact', with the footprint file",
                file=file,
                line=where,
                field=f"datasets.{dataset_id}",
                hint="e.g. {pact: supplier-nis.json}",
            )
        if not entry["pact"].strip():
            raise ScenarioError(
                f"dataset '{dataset_id}' has an empty 'pact' file name",
                file=file,
                line=where,
                field=f"datasets.{dataset_id}.pact",
                hint="e.g. {pact: supplier-nis.json}",
            )
        path = Path(entry["pact"]).expanduser()
        if not path.is_absolute():
            path = Path(file).parent / path
        out[str(dataset_id)] = DatasetStandIn(str(dataset_id), str(path), file, where)
    return out


# ---------------------------------------------------------------------------
# Composition and application


@dataclass(frozen=True)
class ScenarioSet:
    """Scenarios composed in order (later wins), ready to apply to an inventory."""

    scenarios: tuple[Scenario, ...]
    values: dict[str, tuple[str, ScenarioValue]]  # key -> (scenario name, value)
    datasets: dict[str, DatasetStandIn] = field(default_factory=dict)  # later scenarios win

    def provenance(self) -> dict[str, Any]:
        return {key: v.provenance(name) for key, (name, v) in sorted(self.values.items())}


def compose(scenarios: Sequence[Scenario]) -> ScenarioSet:
    """Merge *scenarios* in order; a later scenario's value of the same parameter wins."""
    values: dict[str, tuple[str, ScenarioValue]] = {}
    datasets: dict[str, DatasetStandIn] = {}
    for sc in scenarios:
        for key, v in sc.values.items():
            values[key] = (sc.name, v)
        datasets.update(sc.datasets)
    return ScenarioSet(tuple(scenarios), values, datasets)


def apply_to_inventory(inventory: Any, scenario_set: ScenarioSet) -> Any:
    """A copy of *inventory* whose parameter defaults are the scenario values.

    A formula or lookup parameter set by a scenario becomes a plain value; a choice gets a new
    default; a scenario distribution replaces the parameter's distribution, and a value without
    one gets the pedigree default distribution around it (from its ``quality`` scores, else the
    scenario family's), never the shipped distribution, which is centred on the shipped value. A
    definitional value (``bm_per_feed = 1`` of an assayed feed) becomes exact: never varied.
    """
    if not scenario_set.values:
        return inventory
    params = dict(inventory.parameters)
    for key, (name, v) in scenario_set.values.items():
        old = params[key]
        note = f"scenario {name}: {v.source}"
        if old.kind == "choice":
            # a set choice no longer follows another one (a plant's own setting wins over the shortcut)
            params[key] = replace(old, default=str(v.value), follows=None, source=v.source, note=note)
        else:
            params[key] = replace(
                old,
                kind="value",
                value=float(v.value),
                formula=None,
                by=None,
                values={},
                source=v.source,
                note=note,
                # the shipped distribution is absolute (around the shipped value): a value without its own
                # distribution gets the pedigree default around ITS value, never draws around the old one
                distribution=v.distribution,
                quality=v.quality,
                where=v.where,
                exact=old.exact or v.exact,
            )
    return replace(inventory, parameters=params)
