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

Background datasets that the mapping does not cover keep our data with ``unmapped="fallback"`` (the
default) and are an error with ``unmapped="fail"``; datasets under the mapping's ``fallback:`` keep
our data in both cases, with the reason given there. Every result of the model records the
background (``ds.attrs["background"]``) and warns about what kept our data and which user flows
the mapping leaves out, with amounts and shares (:class:`~.background_flows.BackgroundInfo`).

The module is split by job: :mod:`.background_mapping` (the file), :mod:`.background_link`
(reading the database), :mod:`.background_flows` (flow linking and what is left out).

Examples
--------
>>> model, report = model_on_background("brightway:my project/ecoinvent-3.10-cutoff",
...                                     "ecoinvent-3.10-cutoff")                      # doctest: +SKIP
>>> print(report.summary())                                                                  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InventoryError, UsageError
from ..inventory.formulas import Formula
from ..inventory.load import Inventory
from ..inventory.schema import Exchange, Location, Product
from .background_flows import BackgroundInfo, FlowLinks, link_flows
from .background_link import (
    BRIGHTWAY_UNITS,
    UserActivity,
    aggregated_lci,
    find_activities,
    flow_nodes,
    unit_factor,
)
from .background_mapping import (
    MAPPING_FORMAT,
    SHIPPED_MAPPINGS,
    ActivitySelector,
    BackgroundMapping,
    FallbackEntry,
    FlowSelector,
    load_mapping,
    shipped_mapping,
)

if TYPE_CHECKING:
    from ..lca import LCAModel

__all__ = [
    "BRIGHTWAY_UNITS",
    "MAPPING_FORMAT",
    "SHIPPED_MAPPINGS",
    "ActivitySelector",
    "BackgroundInfo",
    "BackgroundMapping",
    "BackgroundReport",
    "FallbackEntry",
    "FlowSelector",
    "UserActivity",
    "aggregated_lci",
    "background_datasets",
    "build_inventory",
    "find_activities",
    "load_mapping",
    "model_on_background",
    "parse_background",
    "shipped_mapping",
    "unit_factor",
]

BACKGROUND_STAGES = ("energy", "chemicals", "transport")
UNMAPPED_CHOICES = ("fallback", "fail")
DEFAULT_UNMAPPED = "fallback"


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
# Building the model


@dataclass
class BackgroundReport:
    """What was linked, what kept our data, and what the mapping loses.

    *unmapped_datasets*: background datasets with neither a mapping nor a ``fallback:`` entry
    (kept with ``--unmapped fallback``); *fallback_datasets*: those the mapping keeps on purpose,
    with the reason. User flows with no mapping are held as a matrix (user flows × mapped
    datasets, per unit of our product); :attr:`unmapped_flows` lists them per dataset.
    """

    background: str
    mapping_file: str
    mapped: dict[str, dict[str, Any]]  # our dataset -> user activity and conversion
    unmapped_datasets: list[str]  # our background datasets kept (no entry)
    fallback_datasets: dict[str, str] = field(default_factory=dict)  # kept on purpose -> reason
    nodes: list[dict[str, Any]] = field(default_factory=list, repr=False)
    per_unit: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    links: FlowLinks | None = field(default=None, repr=False)
    info: BackgroundInfo | None = field(default=None, repr=False)

    def _rows(self, which: np.ndarray) -> list[dict[str, Any]]:
        datasets = list(self.mapped)
        block = self.per_unit[which]
        rows = []
        for i, j in zip(*np.nonzero(block), strict=True):
            node = self.nodes[int(which[i])]
            rows.append(
                {
                    "dataset": datasets[j],
                    "flow": node["name"],
                    "categories": list(node["categories"]),
                    "unit": node["unit"],
                    "amount": float(block[i, j]),
                    "code": node["code"],
                }
            )
        return rows

    @property
    def unmapped_flows(self) -> list[dict[str, Any]]:
        """Nonzero user flows without mapping, one row per (mapped dataset, flow), per unit of our product."""
        if self.links is None:
            return []
        return self._rows(self.links.unmapped)

    @property
    def ignored_flows(self) -> list[dict[str, Any]]:
        """Nonzero user flows that the mapping's ``ignore:`` silences, as :attr:`unmapped_flows`."""
        if self.links is None:
            return []
        return self._rows(np.nonzero(self.links.ignored)[0])

    def summary(self, limit: int = 10) -> str:
        kept = len(self.unmapped_datasets) + len(self.fallback_datasets)
        lines = [
            f"background {self.background} (mapping {self.mapping_file}): "
            f"{len(self.mapped)} dataset(s) linked, {kept} kept from cathode-lca"
        ]
        if self.fallback_datasets:
            lines.append(f"  kept on purpose (mapping 'fallback:'): {len(self.fallback_datasets)} dataset(s)")
        if self.unmapped_datasets:
            lines.append("  not mapped (cathode-lca data used): " + ", ".join(self.unmapped_datasets))
        if self.links is not None and len(self.links.unmapped):
            counts = np.count_nonzero(self.per_unit[self.links.unmapped], axis=1)
            present = [(int(c), self.nodes[int(k)]) for c, k in zip(counts, self.links.unmapped, strict=True) if c]
            if present:
                lines.append(
                    f"  {len(present)} user flow(s) have no mapping to cathode-lca flows and are left out "
                    "(each result's warnings give their amounts per FU), e.g.:"
                )
                for count, node in sorted(present, key=lambda cn: -cn[0])[:limit]:
                    cats = "/".join(node["categories"])
                    lines.append(f"    {node['name']} ({cats}) [{node['unit']}] in {count} dataset(s)")
        return "\n".join(lines)


def model_on_background(
    background: str,
    mapping: str | Path | BackgroundMapping,
    *,
    unmapped: str = DEFAULT_UNMAPPED,
    inventory: Inventory | None = None,
    extra: Iterable[str | Path] = (),
) -> tuple[LCAModel, BackgroundReport]:
    """An :class:`~cathode_lca.lca.LCAModel` whose mapped background datasets come from Brightway.

    Parameters
    ----------
    background
        ``brightway:PROJECT/DATABASE``.
    mapping
        Mapping file (path, shipped name, or a loaded :class:`BackgroundMapping`).
    unmapped
        ``fallback`` (default): a background dataset with no mapping entry keeps cathode-lca's
        data and is named in every result's warnings; ``fail``: it is a :class:`UsageError`.
        Datasets under the mapping's ``fallback:`` keep our data in both cases.
    inventory, extra
        Our inventory (default: the shipped inventories plus *extra* files).
    """
    from ..inventory.load import load_inventory
    from ..inventory.schema import Inventory
    from ..lca import LCAModel
    from . import arguments

    if not isinstance(background, str):
        raise UsageError(
            f"background must be 'brightway:PROJECT/DATABASE' (a string), got {arguments.shown(background)}",
            hint="e.g. background='brightway:my project/ecoinvent-3.10-cutoff'",
        )
    if unmapped not in UNMAPPED_CHOICES:
        raise UsageError(f"unknown --unmapped '{unmapped}'", hint="choose fallback or fail")
    if inventory is not None and not isinstance(inventory, Inventory):
        raise UsageError(
            f"inventory must be an Inventory (from load_inventory) or None, got {arguments.shown(inventory)}",
            hint="e.g. inventory=load_inventory(extra=['my-plant.yaml']), or extra=['my-plant.yaml']",
        )
    extra = arguments.path_list(extra, "extra")
    project, database = parse_background(background)
    links = mapping if isinstance(mapping, BackgroundMapping) else load_mapping(mapping)
    if inventory is not None:
        inv = inventory
    else:
        from ..lca import default_model

        inv = load_inventory(extra=extra) if extra else default_model().inventory
    _check_mapping_against_inventory(links, inv)
    kept = [d for d in background_datasets(inv) if d not in links.datasets]
    fallback = {d: reason for d in kept if (reason := links.fallback_reason(d)) is not None}
    missing = [d for d in kept if d not in fallback]
    if missing and unmapped == "fail":
        raise UsageError(
            f"{len(missing)} background dataset(s) have no mapping in {links.path}: " + ", ".join(missing),
            hint="add them (or a 'fallback:' entry with its reason) to the mapping file, "
            "or pass --unmapped fallback to keep cathode-lca's data for them",
        )
    from .project import import_bw2data, project_context

    bd = import_bw2data()
    with project_context(project):
        if database not in bd.databases:
            raise UsageError(
                f"no database '{database}' in Brightway project '{project}'",
                hint="databases: " + (", ".join(sorted(bd.databases)) or "none"),
            )
        version = _database_version(bd.databases[database])
        activities = find_activities(database, links.datasets.values(), links.path)
        ids = [activities[d].id for d in links.datasets]
        flow_ids, lci = aggregated_lci(ids) if ids else ([], np.zeros((0, 0)))
        nodes = flow_nodes(flow_ids)
    new_inventory, report = build_inventory(inv, links, activities, nodes, lci, background, missing, fallback)
    assert report.info is not None
    report.info.provenance["version"] = version or _version_from_name(database)
    model = LCAModel(new_inventory)
    model.background_info = report.info
    return model, report


def _database_version(meta: Mapping[str, Any]) -> str | None:
    for key in ("version", "ecoinvent_version"):
        if meta.get(key):
            return str(meta[key])
    return None


def _version_from_name(database: str) -> str | None:
    """``ecoinvent-3.10-cutoff`` -> ``3.10`` (the usual bw2io / ecoinvent_interface naming), else None."""
    found = re.search(r"(?<![\d.])(\d+\.\d+(?:\.\d+)?)(?![\d.])", database)
    return found.group(1) if found else None


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
    for pattern, entry in links.fallback.items():
        if not any(fnmatch.fnmatchcase(d, pattern) for d in inv.datasets):
            raise InventoryError(
                f"fallback '{pattern}' matches no dataset",
                file=links.path,
                line=entry.line,
                hint="list ids with 'cathode-lca datasets'",
            )


def build_inventory(
    inv: Inventory,
    links: BackgroundMapping,
    activities: Mapping[str, UserActivity],
    nodes: list[dict[str, Any]],
    lci: np.ndarray,
    background: str,
    missing: list[str],
    fallback: Mapping[str, str] | None = None,
) -> tuple[Inventory, BackgroundReport]:
    """Replace each mapped dataset by a system process with the aggregated, mapped flows.

    Vectorised: the user LCI of all mapped datasets is converted and mapped with one sparse
    product; the flows that no entry maps are kept as a matrix for the report and warnings.
    """
    flow_links = link_flows(links, nodes, inv)
    flow_ids = list(inv.flows)
    converts = []
    for dataset_id, sel in links.datasets.items():
        ref, act = inv.datasets[dataset_id].reference_product, activities[dataset_id]
        convert = sel.convert if sel.convert is not None else unit_factor(ref.unit, act.unit)
        if convert is None:
            raise UsageError(
                f"cannot convert '{ref.unit}' of '{dataset_id}' into '{act.unit}' of the user's activity",
                file=links.path,
                line=sel.line,
                dataset=dataset_id,
                hint=f"add 'convert: <{act.unit} per {ref.unit}>' to this entry",
            )
        converts.append(convert)
    per_unit = lci * np.asarray(converts, dtype=float)[None, :] if lci.size else np.zeros((len(nodes), 0))
    ours_all = np.asarray(flow_links.to_ours(len(flow_ids)) @ per_unit)  # our flows × mapped datasets
    datasets = dict(inv.datasets)
    digest = hashlib.sha256(inv.content_hash.encode() + b"\0" + background.encode() + b"\0" + links.raw_bytes)
    mapped: dict[str, dict[str, Any]] = {}
    for j, (dataset_id, sel) in enumerate(links.datasets.items()):
        ds, act, convert = inv.datasets[dataset_id], activities[dataset_id], converts[j]
        ref = ds.reference_product
        ours = np.ascontiguousarray(ours_all[:, j])
        digest.update(f"{dataset_id}\0{act.code}\0".encode() + ours.tobytes())
        where = Location(links.path, sel.line)
        source = f"{background} activity {act.code} (aggregated LCI computed by cathode-lca from the bw2data matrices)"
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
    project, database = parse_background(background)
    fallback = dict(fallback or {})
    kept = {**fallback, **{d: "no entry in the mapping (--unmapped fallback)" for d in missing}}
    unmapped_rows = flow_links.unmapped
    info = BackgroundInfo(
        provenance={
            "kind": "brightway",
            "project": project,
            "database": database,
            "version": None,
            "mapping": links.name,
            "mapping_sha256": links.sha256,
        },
        datasets=list(links.datasets),
        unmapped=per_unit[unmapped_rows],
        unmapped_nodes=[nodes[int(k)] for k in unmapped_rows],
        fallback=kept,
    )
    report = BackgroundReport(
        background=background,
        mapping_file=links.path,
        mapped=mapped,
        unmapped_datasets=sorted(missing),
        fallback_datasets=fallback,
        nodes=nodes,
        per_unit=per_unit,
        links=flow_links,
        info=info,
    )
    return new, report
