"""Reading a user's Brightway database: find the mapped activities, solve their cumulative LCI.

One job: everything that talks to bw2data/bw2calc for :mod:`cathode_lca.brightway.background`.
bw2data and bw2calc are imported inside the functions (the CLI imports this module lazily).

Examples
--------
>>> unit_factor("kilowatt hour", "MJ")
3.6
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import UnitError, UsageError
from .background_mapping import ActivitySelector, same_unit

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
    by_name: dict[str, list[tuple[int, str, str, str, str, str | None]]] = {}
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
        unit = str(get_node(id=row[0]).get("unit", ""))
        if sel.unit is not None and not same_unit(unit, sel.unit):
            raise fail(
                f"process {sel.describe()} has unit '{unit}' in '{database}', the mapping expects '{sel.unit}'",
                "check the database version, or correct 'unit:' (and add 'convert:') in the mapping",
            )
        out[sel.dataset] = UserActivity(row[0], row[1], row[2], row[3] or "", row[4] or "", unit)
    return out


def aggregated_lci(activity_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """Cumulative LCI per unit of each activity's reference product, in the current project.

    One solve for all activities together (:func:`~cathode_lca.engine.factorize.solve_columns`:
    block-Jacobi sweeps where the loops allow, else one factorisation by the engine's solver
    choice, as for our own background). bw2calc only loads the matrices. Returns the biosphere
    flow ids and a matrix (flows × activities).
    """
    from bw2data import prepare_lca_inputs

    from ..engine.factorize import solve_columns

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        demands = [{int(i): 1.0} for i in activity_ids]
        _demand, data_objs, _remapping = prepare_lca_inputs(demands=demands, remapping=False)
        lca = bw2calc.LCA(demands[0], data_objs=data_objs)
        lca.load_lci_data()
        n = lca.technosphere_matrix.shape[0]
        rhs = np.zeros((n, len(activity_ids)))
        for j, activity_id in enumerate(activity_ids):
            rhs[lca.dicts.product[int(activity_id)], j] = 1.0
        supply, _how = solve_columns(lca.technosphere_matrix, rhs)
        result = np.asarray(lca.biosphere_matrix @ supply).reshape(lca.biosphere_matrix.shape[0], len(activity_ids))
    flow_ids = [0] * result.shape[0]
    for flow_id, row in lca.dicts.biosphere.items():
        flow_ids[row] = int(flow_id)
    return flow_ids, result


def flow_nodes(flow_ids: Sequence[int]) -> list[dict[str, Any]]:
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


@lru_cache(maxsize=256)
def unit_factor(from_unit: str, to_unit: str) -> float | None:
    """Conversion factor between a Brightway unit name and one of ours; None if unknown (cached)."""
    from ..units import conversion_factor

    try:
        return conversion_factor(BRIGHTWAY_UNITS.get(from_unit, from_unit), BRIGHTWAY_UNITS.get(to_unit, to_unit))
    except UnitError:
        return None
