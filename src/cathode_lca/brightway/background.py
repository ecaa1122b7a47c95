"""Run our foreground on a user's Brightway background database (e.g. ecoinvent).

A mapping file (YAML, see ``docs/brightway.md``) links our background datasets to activities of
the user's database — by ``code``, or by ``name`` + ``location`` (+ ``reference product``) — and
our elementary flows to the user's biosphere flows (by ``name`` + ``categories`` prefix, or
``code``). Then

1. the user's technosphere is factorised **once** with bw2calc and solved once per mapped
   activity (the interface products), giving its cumulative LCI per unit;
2. that LCI is mapped onto our flows (unit conversion + optional ``factor``); user flows with no
   mapping are reported with their amount per dataset (``ignore:`` silences deliberate gaps);
3. every mapped dataset becomes a system process with those aggregated flows in a new
   :class:`~cathode_lca.inventory.load.Inventory`, so ``LCAModel(inventory)`` gives the usual API
   (compute, compare, uncertainty, ...). The mapped datasets are constant, so Monte Carlo over the
   foreground never touches the user's database again.

Background datasets that the mapping does not cover are an error with ``unmapped="fail"`` and
keep our data with ``unmapped="fallback"``; either way they are listed in the report.

Examples
--------
>>> model, report = model_on_background("brightway:my project/ecoinvent-3.10-cutoff",
...                                     "ecoinvent-3.10-cutoff.yaml", unmapped="fallback")  # doctest: +SKIP
>>> print(report.summary())                                                                  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import hashlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InventoryError, UnitError, UsageError
from ..inventory.formulas import Formula
from ..inventory.load import Inventory
from ..inventory.schema import Exchange, Location, Product

MAPPING_FORMAT = "cathode-lca-background-mapping/1"
BACKGROUND_STAGES = ("energy", "chemicals", "transport")
UNMAPPED_CHOICES = ("fail", "fallback")
SHIPPED_MAPPINGS = ("ecoinvent-3.10-cutoff",)

# Brightway / ecoinvent unit names -> pint units understood by cathode_lca.units
BRIGHTWAY_UNITS = {
    "kilogram": "kg",
    "gram": "g",
    "ton": "t",
    "metric ton": "t",
    "tonne": "t",
    "kilowatt hour": "kWh",
    "megawatt hour": "MWh",
    "megajoule": "MJ",
    "kilojoule": "kJ",
    "gigajoule": "GJ",
    "cubic meter": "m**3",
    "cubic metre": "m**3",
    "litre": "L",
    "liter": "L",
    "ton kilometer": "t*km",
    "metric ton*km": "t*km",
    "tonne kilometer": "t*km",
    "kilometer": "km",
    "meter": "m",
    "square meter": "m**2",
    "hour": "h",
}


# ---------------------------------------------------------------------------
# The mapping file


@dataclass(frozen=True)
class ActivitySelector:
    """How one of our datasets is found in the user's database."""

    dataset: str
    code: str | None
    name: str | None
    location: str | None
    reference_product: str | None
    convert: float | None  # user activity units per unit of our product (default: from the units)
    line: int

    def describe(self) -> str:
        if self.code:
            return f"code '{self.code}'"
        text = f"'{self.name}' in '{self.location}'"
        return text + (f" (reference product '{self.reference_product}')" if self.reference_product else "")


@dataclass(frozen=True)
class FlowSelector:
    """User biosphere flows that count as one of our flows (or are deliberately ignored)."""

    flow: str | None  # our flow id; None for 'ignore'
    name: str | None
    categories: tuple[str, ...] | None
    code: str | None
    database: str | None
    factor: float
    convert: float | None
    line: int
    reason: str | None = None

    def matches(self, node: Mapping[str, Any]) -> bool:
        if self.database is not None and node["database"] != self.database:
            return False
        if self.code is not None:
            return node["code"] == self.code
        if node["name"] != self.name:
            return False
        if self.categories is None:
            return True
        return tuple(node.get("categories") or ())[: len(self.categories)] == self.categories

    def describe(self) -> str:
        if self.code:
            return f"code '{self.code}'"
        cats = "/".join(self.categories) if self.categories else "any"
        return f"'{self.name}' ({cats})"


@dataclass
class BackgroundMapping:
    """A loaded mapping file."""

    path: str
    datasets: dict[str, ActivitySelector]
    flows: list[FlowSelector]
    ignore: list[FlowSelector]
    description: str = ""
    source: str = ""
    raw_bytes: bytes = b""


def shipped_mapping(name: str = "ecoinvent-3.10-cutoff") -> Path:
    """Path of a mapping file shipped with cathode-lca."""
    path = Path(__file__).parent / "mappings" / f"{name}.yaml"
    if not path.is_file():
        raise UsageError(f"no shipped mapping '{name}'", hint="shipped: " + ", ".join(SHIPPED_MAPPINGS))
    return path


def load_mapping(path: str | Path) -> BackgroundMapping:
    """Read and check a mapping file (structure only; the database is checked when it is used).

    A name of a shipped mapping (``ecoinvent-3.10-cutoff``) may be given instead of a path.
    """
    from .._yaml import LineDict, load_yaml_text

    file = Path(path)
    if not file.is_file() and str(path) in SHIPPED_MAPPINGS:
        file = shipped_mapping(str(path))
    if not file.is_file():
        raise UsageError(f"mapping file '{path}' not found", hint="give the path of a mapping YAML file")
    raw = file.read_bytes()
    name = str(file)

    def fail(message: str, line: int | None, field_: str | None = None, hint: str | None = None) -> InventoryError:
        return InventoryError(message, file=name, line=line, field=field_, hint=hint or "see docs/brightway.md")

    try:
        data = load_yaml_text(raw.decode("utf-8"), name)
    except UnicodeDecodeError:
        raise fail("file is not UTF-8 text", None) from None
    if not isinstance(data, LineDict):  # every YAML mapping is read as a LineDict
        raise fail("top level must be a mapping", 1)
    unknown = set(data) - {"format", "description", "source", "datasets", "flows", "ignore"}
    if unknown:
        key = sorted(unknown)[0]
        raise fail(f"unknown key '{key}'", data.line_of(key), key)
    if data.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        raise fail(
            f"unsupported format '{data.get('format')}'", data.line_of("format"), "format", f"use {MAPPING_FORMAT}"
        )
    datasets: dict[str, ActivitySelector] = {}
    raw_datasets = data.get("datasets") or LineDict()
    if not isinstance(raw_datasets, dict):
        raise fail("'datasets' must map dataset ids to activities", data.line_of("datasets"), "datasets")
    for dataset_id, spec in raw_datasets.items():
        line = raw_datasets.line_of(dataset_id) if isinstance(raw_datasets, LineDict) else None
        datasets[str(dataset_id)] = _activity_selector(str(dataset_id), spec, line, fail)
    flows: list[FlowSelector] = []
    raw_flows = data.get("flows") or LineDict()
    if not isinstance(raw_flows, dict):
        raise fail("'flows' must map our flow ids to lists of user flows", data.line_of("flows"), "flows")
    for flow_id, specs in raw_flows.items():
        line = raw_flows.line_of(flow_id) if isinstance(raw_flows, LineDict) else None
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list) or not specs:
            raise fail(f"flow '{flow_id}' needs a list of user flows", line, f"flows.{flow_id}")
        for spec in specs:
            flows.append(_flow_selector(str(flow_id), spec, getattr(spec, "line", line), fail))
    ignore = [
        _flow_selector(None, spec, getattr(spec, "line", data.line_of("ignore")), fail)
        for spec in data.get("ignore") or []
    ]
    return BackgroundMapping(
        path=name,
        datasets=datasets,
        flows=flows,
        ignore=ignore,
        description=str(data.get("description") or ""),
        source=str(data.get("source") or ""),
        raw_bytes=raw,
    )


def _number(value: Any, what: str, line: int | None, fail: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(f"'{what}' must be a number", line, what)
    if not np.isfinite(value) or value == 0:
        raise fail(f"'{what}' must be finite and non-zero", line, what)
    return float(value)


def _activity_selector(dataset_id: str, spec: Any, line: int | None, fail: Any) -> ActivitySelector:
    if not isinstance(spec, dict):
        raise fail(f"dataset '{dataset_id}' must map to {{code: ...}} or {{name, location, ...}}", line, dataset_id)
    allowed = {"code", "name", "location", "reference product", "convert", "note"}
    unknown = set(spec) - allowed
    if unknown:
        raise fail(
            f"unknown key '{sorted(unknown)[0]}'", line, f"datasets.{dataset_id}", "use: " + ", ".join(sorted(allowed))
        )
    code = spec.get("code")
    if code is None and (not spec.get("name") or not spec.get("location")):
        raise fail(
            f"dataset '{dataset_id}' needs 'code', or 'name' and 'location'",
            line,
            f"datasets.{dataset_id}",
            "add 'location:' (and 'reference product:' when the name is not unique)",
        )
    return ActivitySelector(
        dataset=dataset_id,
        code=None if code is None else str(code),
        name=None if spec.get("name") is None else str(spec["name"]),
        location=None if spec.get("location") is None else str(spec["location"]),
        reference_product=None if spec.get("reference product") is None else str(spec["reference product"]),
        convert=_number(spec.get("convert"), f"datasets.{dataset_id}.convert", line, fail),
        line=line or 0,
    )


def _flow_selector(flow_id: str | None, spec: Any, line: int | None, fail: Any) -> FlowSelector:
    where = f"flows.{flow_id}" if flow_id else "ignore"
    if not isinstance(spec, dict):
        raise fail("a user flow is {name: ..., categories: [...]} or {code: ...}", line, where)
    allowed = {"name", "categories", "code", "database", "factor", "convert", "note", "reason"}
    unknown = set(spec) - allowed
    if unknown:
        raise fail(f"unknown key '{sorted(unknown)[0]}'", line, where, "use: " + ", ".join(sorted(allowed)))
    if spec.get("code") is None and not spec.get("name"):
        raise fail("a user flow needs 'name' (with optional 'categories') or 'code'", line, where)
    categories = spec.get("categories")
    if categories is not None:
        if isinstance(categories, str):
            categories = [categories]
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise fail("'categories' must be a list of texts, e.g. [air]", line, where)
    factor = _number(spec.get("factor", 1.0), f"{where}.factor", line, fail)
    return FlowSelector(
        flow=flow_id,
        name=None if spec.get("name") is None else str(spec["name"]),
        categories=None if categories is None else tuple(categories),
        code=None if spec.get("code") is None else str(spec["code"]),
        database=None if spec.get("database") is None else str(spec["database"]),
        factor=factor if factor is not None else 1.0,
        convert=_number(spec.get("convert"), f"{where}.convert", line, fail),
        line=line or 0,
        reason=spec.get("reason"),
    )


# ---------------------------------------------------------------------------
# Which of our datasets are "background"


def background_datasets(inventory: Inventory) -> list[str]:
    """Our background datasets: stage energy, chemicals or transport, and amounts that do not
    depend on global parameters (model switches such as ``plant_region`` make a dataset foreground).
    """
    out = []
    for ds in inventory.datasets.values():
        if ds.stage not in BACKGROUND_STAGES:
            continue
        resolve = inventory.resolver(ds)
        amounts = [p.amount for p in ds.products] + [e.amount for e in ds.exchanges]
        uses_global = any(
            inventory.parameters[resolve(name)].scope == "global"
            for amount in amounts
            if isinstance(amount, Formula)
            for name in amount.names
        )
        if not uses_global:
            out.append(ds.id)
    return sorted(out)


def parse_background(text: str) -> tuple[str, str]:
    """``brightway:PROJECT/DATABASE`` -> ``(PROJECT, DATABASE)`` (PROJECT may not contain '/')."""
    prefix = "brightway:"
    if not text.startswith(prefix) or "/" not in text[len(prefix) :]:
        raise UsageError(
            f"--background '{text}' is not brightway:PROJECT/DATABASE",
            hint="e.g. --background 'brightway:my project/ecoinvent-3.10-cutoff'",
        )
    project, _, database = text[len(prefix) :].partition("/")
    if not project or not database:
        raise UsageError(f"--background '{text}' needs a project and a database", hint="brightway:PROJECT/DATABASE")
    return project, database


# ---------------------------------------------------------------------------
# Reading the user's database


@dataclass
class UserActivity:
    id: int
    code: str
    name: str
    location: str
    reference_product: str
    unit: str


def _activity_index(database: str) -> list[tuple[int, str, str, str, str, str | None]]:
    from bw2data.backends import ActivityDataset as AD

    rows = AD.select(AD.id, AD.code, AD.name, AD.location, AD.product, AD.type).where(AD.database == database)
    return list(rows.tuples())


def find_activities(database: str, selectors: Iterable[ActivitySelector], mapping_file: str) -> dict[str, UserActivity]:
    """Resolve each selector to exactly one process of *database*; errors name the mapping line."""
    from bw2data import get_node, labels

    index = _activity_index(database)
    process_types = set(labels.process_node_types) | {None, ""}
    processes = [r for r in index if r[5] in process_types]
    by_code = {r[1]: r for r in processes}
    by_name: dict[str, list[tuple]] = {}
    for r in processes:
        by_name.setdefault(r[2], []).append(r)
    out: dict[str, UserActivity] = {}
    for sel in selectors:

        def fail(message: str, hint: str, sel: ActivitySelector = sel) -> UsageError:
            return UsageError(message, file=mapping_file, line=sel.line, dataset=sel.dataset, hint=hint)

        if sel.code is not None:
            if sel.code not in by_code:
                raise fail(f"no process with code '{sel.code}' in database '{database}'", "check the code")
            matches = [by_code[sel.code]]
        else:
            candidates = by_name.get(sel.name or "", [])
            if not candidates:
                close = difflib.get_close_matches(sel.name or "", list(by_name), n=3, cutoff=0.6)
                hint = ("closest names: " + "; ".join(f"'{c}'" for c in close)) if close else "check the name"
                raise fail(f"no process named '{sel.name}' in database '{database}'", hint)
            matches = [r for r in candidates if r[3] == sel.location]
            if sel.reference_product is not None:
                matches = [r for r in matches if r[4] == sel.reference_product]
            if not matches:
                options = sorted({f"{r[3]} ({r[4]})" for r in candidates})
                raise fail(
                    f"no process {sel.describe()} in database '{database}'",
                    "locations (reference products) with that name: " + ", ".join(options[:12]),
                )
            if len(matches) > 1:
                raise fail(
                    f"{len(matches)} processes match {sel.describe()} in '{database}'",
                    "add 'reference product:' or use 'code:' (" + ", ".join(str(r[1]) for r in matches[:5]) + ")",
                )
        row = matches[0]
        node = get_node(id=row[0])
        out[sel.dataset] = UserActivity(row[0], row[1], row[2], row[3] or "", row[4] or "", str(node.get("unit", "")))
    return out


def aggregated_lci(activity_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """Cumulative LCI per unit of each activity's reference product, in the current project.

    The technosphere is factorised once and solved once per activity. Returns the biosphere
    flow ids and a matrix (flows × activities).
    """
    from bw2data import prepare_lca_inputs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        demands = [{int(i): 1.0} for i in activity_ids]
        _demand, data_objs, _remapping = prepare_lca_inputs(demands=demands, remapping=False)
        lca = bw2calc.LCA(demands[0], data_objs=data_objs)
        lca.load_lci_data()
        lca.decompose_technosphere()
        n = lca.technosphere_matrix.shape[0]
        result = np.zeros((lca.biosphere_matrix.shape[0], len(activity_ids)))
        for j, activity_id in enumerate(activity_ids):
            rhs = np.zeros(n)
            rhs[lca.dicts.product[int(activity_id)]] = 1.0
            supply = lca.solve_linear_system(rhs)
            result[:, j] = lca.biosphere_matrix @ supply
    flow_ids = [0] * result.shape[0]
    for flow_id, row in lca.dicts.biosphere.items():
        flow_ids[row] = int(flow_id)
    return flow_ids, result


def _flow_nodes(flow_ids: Sequence[int]) -> list[dict[str, Any]]:
    from bw2data.backends import ActivityDataset as AD

    nodes = {}
    for start in range(0, len(flow_ids), 500):
        chunk = list(flow_ids[start : start + 500])
        for row in AD.select(AD.id, AD.code, AD.database, AD.name, AD.data).where(AD.id << chunk):
            nodes[row.id] = {
                "id": row.id,
                "code": row.code,
                "database": row.database,
                "name": row.name,
                "categories": tuple(row.data.get("categories") or ()),
                "unit": str(row.data.get("unit", "")),
            }
    return [nodes[i] for i in flow_ids]


def unit_factor(from_unit: str, to_unit: str) -> float | None:
    """Conversion factor between a Brightway unit name and one of ours; None if unknown."""
    from ..units import conversion_factor

    try:
        return conversion_factor(BRIGHTWAY_UNITS.get(from_unit, from_unit), BRIGHTWAY_UNITS.get(to_unit, to_unit))
    except UnitError:
        return None


# ---------------------------------------------------------------------------
# Building the model


@dataclass
class BackgroundReport:
    """What was linked, what kept our data, and what the mapping loses."""

    background: str
    mapping_file: str
    mapped: dict[str, dict[str, Any]]  # our dataset -> user activity and conversion
    unmapped_datasets: list[str]  # our background datasets kept (fallback)
    unmapped_flows: list[dict[str, Any]] = field(default_factory=list)  # nonzero user flows without mapping
    ignored_flows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, limit: int = 10) -> str:
        lines = [
            f"background {self.background} (mapping {self.mapping_file}): "
            f"{len(self.mapped)} dataset(s) linked, {len(self.unmapped_datasets)} kept from cathode-lca"
        ]
        if self.unmapped_datasets:
            lines.append("  not mapped (cathode-lca data used): " + ", ".join(self.unmapped_datasets))
        if self.unmapped_flows:
            totals: dict[tuple[str, tuple[str, ...], str], int] = {}
            for row in self.unmapped_flows:
                ident = (row["flow"], tuple(row["categories"]), row["unit"])
                totals[ident] = totals.get(ident, 0) + 1
            lines.append(
                f"  {len(totals)} user flow(s) have no mapping to cathode-lca flows and are left out "
                "(see report.unmapped_flows for amounts per dataset), e.g.:"
            )
            for (name, cats, unit), count in sorted(totals.items(), key=lambda kv: -kv[1])[:limit]:
                lines.append(f"    {name} ({'/'.join(cats)}) [{unit}] in {count} dataset(s)")
        return "\n".join(lines)


def model_on_background(
    background: str,
    mapping: str | Path | BackgroundMapping,
    *,
    unmapped: str = "fail",
    inventory: Inventory | None = None,
    extra: Iterable[str | Path] = (),
) -> tuple[Any, BackgroundReport]:
    """An :class:`~cathode_lca.lca.LCAModel` whose mapped background datasets come from Brightway.

    Parameters
    ----------
    background
        ``brightway:PROJECT/DATABASE``.
    mapping
        Mapping file (path, shipped name, or a loaded :class:`BackgroundMapping`).
    unmapped
        ``fail``: any background dataset without mapping is a :class:`UsageError`;
        ``fallback``: keep ours and list them in the report.
    inventory, extra
        Our inventory (default: the shipped inventories plus *extra* files).
    """
    from ..inventory.load import load_inventory
    from ..lca import LCAModel

    if unmapped not in UNMAPPED_CHOICES:
        raise UsageError(f"unknown --unmapped '{unmapped}'", hint="choose fail or fallback")
    project, database = parse_background(background)
    links = mapping if isinstance(mapping, BackgroundMapping) else load_mapping(mapping)
    extra = list(extra)
    if inventory is not None:
        inv = inventory
    else:
        from ..lca import default_model

        inv = load_inventory(extra=extra) if extra else default_model().inventory
    _check_mapping_against_inventory(links, inv)
    missing = [d for d in background_datasets(inv) if d not in links.datasets]
    if missing and unmapped == "fail":
        raise UsageError(
            f"{len(missing)} background dataset(s) have no mapping in {links.path}: " + ", ".join(missing),
            hint="add them to the mapping file, or pass --unmapped fallback to keep cathode-lca's data for them",
        )
    from .project import import_bw2data, project_context

    bd = import_bw2data()
    with project_context(project):
        if database not in bd.databases:
            raise UsageError(
                f"no database '{database}' in Brightway project '{project}'",
                hint="databases: " + (", ".join(sorted(bd.databases)) or "none"),
            )
        activities = find_activities(database, links.datasets.values(), links.path)
        ids = [activities[d].id for d in links.datasets]
        flow_ids, lci = aggregated_lci(ids) if ids else ([], np.zeros((0, 0)))
        nodes = _flow_nodes(flow_ids)
    new_inventory, report = build_inventory(inv, links, activities, nodes, lci, background, missing)
    return LCAModel(new_inventory), report


def _check_mapping_against_inventory(links: BackgroundMapping, inv: Inventory) -> None:
    for dataset_id, sel in links.datasets.items():
        if dataset_id not in inv.datasets:
            close = difflib.get_close_matches(dataset_id, list(inv.datasets), n=3, cutoff=0.6)
            raise InventoryError(
                f"unknown dataset '{dataset_id}'",
                file=links.path,
                line=sel.line,
                hint=("did you mean " + " or ".join(close) + "?") if close else "list ids with 'cathode-lca datasets'",
            )
        if len(inv.datasets[dataset_id].products) > 1:
            raise InventoryError(
                f"dataset '{dataset_id}' has co-products and cannot be replaced by one Brightway activity",
                file=links.path,
                line=sel.line,
                hint="map single-product datasets only",
            )
    for flow_sel in links.flows:
        if flow_sel.flow not in inv.flows:
            close = difflib.get_close_matches(flow_sel.flow or "", list(inv.flows), n=3, cutoff=0.6)
            raise InventoryError(
                f"unknown flow '{flow_sel.flow}'",
                file=links.path,
                line=flow_sel.line,
                hint=("did you mean " + " or ".join(close) + "?") if close else "see inventories/flows.yaml",
            )


def _flow_map(
    links: BackgroundMapping, nodes: list[dict[str, Any]], inv: Inventory
) -> tuple[list[tuple[str, float] | None], list[bool]]:
    """Per user flow: (our flow id, factor) or None; and whether it is deliberately ignored."""
    targets: list[tuple[str, float] | None] = []
    ignored: list[bool] = []
    for node in nodes:
        hits = [s for s in links.flows if s.matches(node)]
        if len({s.flow for s in hits}) > 1 or len(hits) > 1:
            raise UsageError(
                f"user flow '{node['name']}' {node['categories']} is matched by several mapping entries "
                f"(lines {', '.join(str(s.line) for s in hits)})",
                file=links.path,
                hint="make the selectors exclusive (e.g. more specific categories)",
            )
        ignored.append(not hits and any(s.matches(node) for s in links.ignore))
        if not hits:
            targets.append(None)
            continue
        sel = hits[0]
        our_unit = inv.flows[sel.flow].unit  # type: ignore[index]
        convert = sel.convert if sel.convert is not None else unit_factor(node["unit"], our_unit)
        if convert is None:
            raise UsageError(
                f"cannot convert unit '{node['unit']}' of user flow '{node['name']}' into '{our_unit}'",
                file=links.path,
                line=sel.line,
                hint=f"add 'convert: <{our_unit} per {node['unit']}>' to this entry",
            )
        targets.append((sel.flow, convert * sel.factor))  # type: ignore[arg-type]
    return targets, ignored


def build_inventory(
    inv: Inventory,
    links: BackgroundMapping,
    activities: Mapping[str, UserActivity],
    nodes: list[dict[str, Any]],
    lci: np.ndarray,
    background: str,
    missing: list[str],
) -> tuple[Inventory, BackgroundReport]:
    """Replace each mapped dataset by a system process with the aggregated, mapped flows."""
    targets, ignored = _flow_map(links, nodes, inv)
    flow_ids = list(inv.flows)
    flow_pos = {f: i for i, f in enumerate(flow_ids)}
    to_ours = np.zeros((len(flow_ids), len(nodes)))
    for j, target in enumerate(targets):
        if target is not None:
            to_ours[flow_pos[target[0]], j] = target[1]
    datasets = dict(inv.datasets)
    digest = hashlib.sha256(inv.content_hash.encode() + b"\0" + background.encode() + b"\0" + links.raw_bytes)
    mapped: dict[str, dict[str, Any]] = {}
    unmapped_flows: list[dict[str, Any]] = []
    ignored_flows: list[dict[str, Any]] = []
    for j, (dataset_id, sel) in enumerate(links.datasets.items()):
        ds, act = inv.datasets[dataset_id], activities[dataset_id]
        ref = ds.reference_product
        convert = sel.convert if sel.convert is not None else unit_factor(ref.unit, act.unit)
        if convert is None:
            raise UsageError(
                f"cannot convert '{ref.unit}' of '{dataset_id}' into '{act.unit}' of the user's activity",
                file=links.path,
                line=sel.line,
                dataset=dataset_id,
                hint=f"add 'convert: <{act.unit} per {ref.unit}>' to this entry",
            )
        per_unit = lci[:, j] * convert  # user flows per unit of our product
        ours = to_ours @ per_unit
        digest.update(f"{dataset_id}\0{act.code}\0".encode() + ours.tobytes())
        for k in np.nonzero(per_unit)[0]:
            if targets[k] is None:
                row = {
                    "dataset": dataset_id,
                    "flow": nodes[k]["name"],
                    "categories": list(nodes[k]["categories"]),
                    "unit": nodes[k]["unit"],
                    "amount": float(per_unit[k]),
                    "code": nodes[k]["code"],
                }
                (ignored_flows if ignored[k] else unmapped_flows).append(row)
        where = Location(links.path, sel.line)
        source = f"{background} activity {act.code} (aggregated LCI computed with bw2calc)"
        exchanges = tuple(
            Exchange("flow", flow_ids[i], float(ours[i]), inv.flows[flow_ids[i]].unit, where, source)
            for i in np.nonzero(ours)[0]
        )
        product = Product(ref.id, ref.name, 1.0, ref.unit, True, dict(ref.properties), None, ref.where, source)
        datasets[dataset_id] = replace(
            ds,
            name=f"{ds.name} [background: {act.name} | {act.reference_product} | {act.location}]",
            location=act.location,
            products=(product,),
            exchanges=exchanges,
            where=where,
            element_balance="skip: replaced by an aggregated Brightway background process",
            note=f"{source}; {convert:g} {act.unit} per {ref.unit}",
        )
        mapped[dataset_id] = {
            "code": act.code,
            "name": act.name,
            "location": act.location,
            "reference product": act.reference_product,
            "unit": act.unit,
            "convert": convert,
        }
    files = dict(inv.files)
    files[background] = links.path
    new = Inventory(
        parameters=inv.parameters,
        flows=inv.flows,
        datasets=datasets,
        products=inv.products,
        files=files,
        content_hash=digest.hexdigest(),
        file_scopes=inv.file_scopes,
    )
    report = BackgroundReport(
        background=background,
        mapping_file=links.path,
        mapped=mapped,
        unmapped_datasets=sorted(missing),
        unmapped_flows=unmapped_flows,
        ignored_flows=ignored_flows,
    )
    return new, report
