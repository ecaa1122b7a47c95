"""Turn a :class:`~cathode_lca.engine.solve.Solution` into a labelled ``xarray.Dataset``.

Variables: ``score`` (lcia_method), ``inventory`` (flow), ``supply`` (process),
``contribution_by_process`` and ``contribution_by_stage`` (lcia_method × process/stage), each
with a ``sample`` dimension when several samples or scenarios were computed. Units are
coordinates (``unit`` on ``lcia_method``, ``flow_unit`` on flows); provenance is in ``attrs``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from .matrices import MatrixModel
from .solve import Solution

#: Stages of supply datasets whose burden is attributed to the stage of the process that uses them.
SUPPLY_STAGES = frozenset({"energy", "chemicals", "transport"})


def attribute_supply(by_process: np.ndarray, stages: list[str], solution: Solution) -> np.ndarray:
    """Move the contributions of foreground supply datasets (electricity mixes, reagent
    selectors, transport) to the processes that consume them, in proportion to use.

    Producers are handled before their consumers, so chains of supply datasets roll up fully.
    Whatever a supply dataset delivers to the final demand stays with it.
    """
    out = by_process.copy()
    if solution.order is None or solution.a_data is None or solution.final_demand is None:
        return out  # solved without contributions: nothing to attribute
    rows, cols, data, s = np.asarray(solution.a_rows), np.asarray(solution.a_cols), solution.a_data, solution.supply
    for k in reversed(solution.order):
        if stages[k] not in SUPPLY_STAGES:
            continue
        in_row = np.nonzero(rows == k)[0]
        produced = sum(data[e] * s[k] for e in in_row if cols[e] == k)
        if np.all(np.asarray(produced) == 0):
            continue
        with np.errstate(all="ignore"):
            total = out[:, k].copy()
            for e in in_row:
                j = cols[e]
                if j == k:
                    continue
                share = np.where(produced != 0, -data[e] * s[j] / produced, 0.0)
                out[:, j] += total * share
            out[:, k] = total * np.where(produced != 0, solution.final_demand[k] / produced, 1.0)
    return out


def build_dataset(
    model: MatrixModel,
    solution: Solution,
    methods: list[Any],
    attrs: dict[str, Any],
    keep_sample: bool,
) -> xr.Dataset:
    flows = model.flows
    C = np.vstack([m.vector(flows) for m in methods])  # (n_methods, n_flows)
    scores = C @ solution.inventory  # (n_methods, S)
    labels = [model.describe_column(int(c)) for c in solution.fg_columns]
    stages = [model.stage_of_column(int(c)) for c in solution.fg_columns]
    size = solution.inventory.shape[1]
    data_vars: dict[str, Any] = {
        "score": (("lcia_method", "sample"), scores),
        "inventory": (("flow", "sample"), solution.inventory),
        "supply": (("process", "sample"), solution.supply),
    }
    coords: dict[str, Any] = {
        "lcia_method": [m.id for m in methods],
        "indicator": ("lcia_method", [m.indicator for m in methods]),
        "unit": ("lcia_method", [m.unit for m in methods]),
        "flow": flows,
        "flow_unit": ("flow", [model.inventory.flows[f].unit for f in flows]),
        "process": labels,
        "process_stage": ("process", stages),
        "sample": np.arange(size),
    }
    if solution.direct.size:
        by_process = np.einsum("mf,fps->mps", C, solution.direct)
        attributed = attribute_supply(by_process, stages, solution)
        unique_stages = sorted({st for p, st in enumerate(stages) if np.any(attributed[:, p] != 0)} or set(stages))
        by_stage = np.zeros((len(methods), len(unique_stages), size))
        for p, st in enumerate(stages):
            if st in unique_stages:
                by_stage[:, unique_stages.index(st)] += attributed[:, p]
        data_vars["contribution_by_process"] = (("lcia_method", "process", "sample"), by_process)
        data_vars["contribution_by_stage"] = (("lcia_method", "stage", "sample"), by_stage)
        coords["stage"] = unique_stages
    ds = xr.Dataset(data_vars, coords=coords, attrs=_clean_attrs(attrs))
    ds["score"].attrs["description"] = "characterised result per method"
    ds["inventory"].attrs["description"] = "elementary flows of the whole supply chain (units in flow_unit)"
    ds["supply"].attrs["description"] = "scaling of each foreground process (units of its product)"
    if "contribution_by_process" in ds:
        ds["contribution_by_process"].attrs["description"] = (
            "score of each foreground process: its direct flows plus the background it pulls in directly"
        )
        ds["contribution_by_stage"].attrs["description"] = (
            "contributions summed by stage tag; foreground supply datasets (energy, chemicals, transport "
            "stages) are attributed to the stage of the processes that use them"
        )
    if not keep_sample and size == 1:
        ds = ds.isel(sample=0, drop=True)
    return ds


def _clean_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, (str, int, float)):
            out[key] = value
        else:
            out[key] = json.dumps(value, sort_keys=True, default=str)
    return out
