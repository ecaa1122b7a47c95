"""What ``--scenario FILE|NAME`` does to a command's model, and the ``scenarios`` command (light at import: click only).

The option itself is :data:`cathode_lca.cli.options.scenario_option`.

Order of precedence, later wins: inventory defaults < each ``--scenario`` in the order given <
``--param``. Scenario values become the model's parameter defaults; ``--param`` values (which may
carry a unit, ``--param dist_recycler_to_cathode_mi=500km``) are applied on top. The result
metadata records every scenario (name, path, sha256) and every overridden parameter with its
value, unit and source.

Examples
--------
>>> from click.testing import CliRunner                                   # doctest: +SKIP
>>> CliRunner().invoke(scenarios_command, [])                             # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..lca import LCAModel

PRECEDENCE = "inventory defaults < each --scenario in the order given < --param (later wins)"


@dataclass
class Applied:
    """A model with the scenarios applied, the --param overrides and the provenance for ``ds.attrs``."""

    model: LCAModel | None  # None: no scenario needed a model (chunked runs build their own)
    parameters: dict[str, Any]
    attrs: dict[str, str] = field(default_factory=dict)
    plant_region: str | None = None
    warnings: list[str] = field(default_factory=list)

    def stamp(self, ds: Any) -> Any:
        """Record the scenarios, overridden parameters and supplier stand-ins in the result metadata."""
        ds.attrs.update(self.attrs)
        warnings = [*self.warnings, *self._not_used(ds), *self._own_regions(ds)]
        if warnings:
            from ..result_warnings import add_warnings

            add_warnings(ds, warnings)  # JSON text, like every list in attrs (netCDF attrs hold text)
        return ds

    def _own_regions(self, ds: Any) -> list[str]:
        """Plants that a scenario put in a region of their own, said next to the ``region`` shortcut.

        A result's ``region`` is the ``plant_region`` shortcut, which only plants without a setting
        follow; without this note "region US" reads as if every plant ran in the US.
        """
        region = ds.attrs.get("region")
        overridden = self.attrs.get("overridden_parameters")
        if not isinstance(region, str) or not overridden:
            return []
        provenance = json.loads(overridden)
        own = [
            f"{key} = {entry.get('value')}"
            for key, entry in sorted(provenance.items())
            if key.endswith("_region") and key != "plant_region" and str(entry.get("value")) != region
        ]
        if not own:
            return []
        return [
            f"region {region} is the plant_region shortcut; plants with their own setting do not follow it: "
            + ", ".join(own)
        ]

    def _not_used(self, ds: Any) -> list[str]:
        """Scenario values that the command replaced (``compare NMC811`` sets feed_chemistry): marked and warned.

        The provenance would otherwise claim a value the numbers do not use.
        """
        used = ds.attrs.get("parameters")
        used = json.loads(used) if isinstance(used, str) and used else used
        overridden = self.attrs.get("overridden_parameters")
        if not isinstance(used, dict) or not overridden:
            return []
        provenance = json.loads(overridden)
        out = []
        for key, entry in provenance.items():
            name = key.rsplit("::", 1)[-1]
            value = used.get(key, used.get(name))
            if value is None or entry.get("source") == "--param" or isinstance(value, (list, dict)):
                continue
            if str(value) != str(entry.get("value")) and not _same_number(value, entry.get("value")):
                entry["not_used"] = f"{value} (set by the command)"
                out.append(
                    f"{name} = {entry.get('value')} from {entry.get('origin', 'a scenario')} was not used: "
                    f"the command computed with {name} = {value}"
                )
        if out:
            ds.attrs["overridden_parameters"] = json.dumps(provenance, default=str)
        return out

    def region(self, region: str) -> str:
        """The plant region to use: an explicit --region wins, else a scenario's plant_region."""
        try:
            from click.core import ParameterSource

            source = click.get_current_context().get_parameter_source("region")
            explicit = source not in (ParameterSource.DEFAULT, None)
        except RuntimeError:
            explicit = True
        if not explicit and self.plant_region is not None and "plant_region" not in self.parameters:
            return self.plant_region
        return region


def _same_number(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def needs_model(scenario_refs: Sequence[str], params: Mapping[str, Any]) -> bool:
    """True when scenarios or --param values with units need the model's parameters to be resolved."""
    if scenario_refs:
        return True
    from ..parameters.scenario_values import split_quantity

    for value in params.values():
        quantity = split_quantity(value) if isinstance(value, str) else None
        if quantity is not None and quantity[1] is not None:
            return True
    return False


def apply_scenarios(model: LCAModel | None, scenario_refs: Sequence[str], params: Mapping[str, Any]) -> Applied:
    """Load *scenario_refs* against *model*, bake them in, convert --param units; see module docs."""
    if not needs_model(scenario_refs, params):
        return Applied(model, dict(params))
    if model is None:
        raise TypeError("scenarios and --param values with units need a model")
    from ..lca import LCAModel
    from ..parameters.scenario_values import convert_param_values
    from ..parameters.scenarios import apply_to_inventory, compose, load_scenario

    scenarios = [load_scenario(ref, model.parameters) for ref in scenario_refs]
    composed = compose(scenarios)
    inventory = apply_to_inventory(model.inventory, composed) if composed.values else model.inventory
    suppliers: list[dict[str, Any]] = []
    warnings: list[str] = []
    if composed.datasets:
        from ..exchange.pact import read_footprint_for, stand_in, standin_warning

        for dataset_id, entry in composed.datasets.items():
            footprint = read_footprint_for(entry)
            inventory = stand_in(inventory, dataset_id, footprint, where=entry.where)
            suppliers.append(footprint.summary(dataset_id))
            warnings.append(standin_warning(dataset_id, footprint))
    if inventory is not model.inventory:
        background_info = getattr(model, "background_info", None)
        model = LCAModel(inventory, background_solver=getattr(model, "background_solver", None))
        model.background_info = background_info  # the user's background stays the background
    overrides, from_params = convert_param_values(params, model.parameters)
    provenance = {**composed.provenance(), **from_params}
    attrs = {
        "scenarios": json.dumps([s.summary() for s in scenarios]),
        "overridden_parameters": json.dumps(provenance, default=str),
        "parameter_precedence": PRECEDENCE,
    }
    if suppliers:
        attrs["supplier_footprints"] = json.dumps(suppliers)
    region = None
    region_key = _key_or_none(model, "plant_region")
    if region_key is not None and region_key in composed.values:
        region = str(composed.values[region_key][1].value)
    return Applied(model, overrides, attrs, region, warnings)


def is_scenario_file(path: str) -> bool:
    """True when *path* is a regular file whose YAML says ``format: cathode-lca-scenario/...``.

    Used by ``validate`` to check scenario and plant files among inventory PATHS. A file that
    cannot be read or parsed is not a scenario here: the inventory loader then reports it.

    Examples
    --------
    >>> is_scenario_file("inventories/recycling/feed.yaml")                            # doctest: +SKIP
    False
    """
    from pathlib import Path

    from .._yaml import load_yaml_text

    file = Path(path)
    if file.suffix not in (".yaml", ".yml") or not file.is_file():
        return False
    try:
        data = load_yaml_text(file.read_bytes().decode("utf-8"), path)
    except Exception:
        return False
    return isinstance(data, dict) and str(data.get("format", "")).startswith("cathode-lca-scenario/")


def validate_scenarios(inventory: Any, paths: Sequence[str]) -> tuple[Any, list[dict[str, Any]]]:
    """*inventory* with the scenario files *paths* applied (their values as defaults), and their summaries.

    Every value is checked as ``--scenario`` checks it (units, bounds, sources, assay); the
    returned inventory lets ``validate`` check the element balances at the scenario's values.
    """
    from ..parameters.engine import ParameterModel
    from ..parameters.scenarios import apply_to_inventory, compose, load_scenario

    model = ParameterModel(inventory)
    scenarios = [load_scenario(path, model) for path in paths]
    return apply_to_inventory(inventory, compose(scenarios)), [sc.summary() for sc in scenarios]


def _key_or_none(model: LCAModel, name: str) -> str | None:
    try:
        return model.parameters.key(name)
    except Exception:
        return None


def metadata(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario provenance of *attrs* as JSON values (empty when no scenario or unit was used)."""
    out: dict[str, Any] = {}
    for key in ("scenarios", "overridden_parameters", "supplier_footprints"):
        if key in attrs:
            value = attrs[key]
            out[key] = json.loads(value) if isinstance(value, str) else value
    if "parameter_precedence" in attrs:
        out["parameter_precedence"] = attrs["parameter_precedence"]
    return out


@click.command("scenarios")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def scenarios_command(fmt: str) -> None:
    """List the shipped named scenarios (use them with --scenario NAME).

    \b
    Examples:
      cathode-lca scenarios
      cathode-lca compare NMC811 --scenario eu-2030-recycler
    """
    from .._yaml import load_yaml_text
    from ..parameters.scenarios import named_scenarios

    rows = []
    for name, path in named_scenarios().items():
        data = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
        params = data.get("parameters") or {}
        rows.append(
            {
                "name": data.get("name", name),
                "parameters": len(params) if isinstance(params, dict) else 0,
                "plant": "yes" if "plant" in data else "",
                "description": " ".join(str(data.get("description", "")).split()),
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        if len(r["description"]) > 90:
            r["description"] = r["description"][:89] + "…"
    cols = ["name", "parameters", "plant", "description"]
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in cols]
    click.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
