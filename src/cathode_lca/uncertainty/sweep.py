"""Scenario sweeps: a grid (or list) of parameter values evaluated in one vectorised call per route.

Examples
--------
>>> ds = sweep("NMC811", {"plant_region": ["US", "CN"], "hydro_recovery_ni": [0.9, 0.98]})  # doctest: +SKIP
>>> ds.value.sel(route="hydrometallurgical", indicator="gwp100", plant_region="CN")       # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from ..lca import LCAModel


def parse_grid(items: Sequence[str]) -> dict[str, list[Any]]:
    """``NAME=v1,v2,...`` options → ``{name: [values]}`` (numbers where possible)."""
    grid: dict[str, list[Any]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        values = [v.strip() for v in text.split(",")]
        if not sep or not name.strip() or not any(values):
            raise UsageError(f"--grid '{item}' is not NAME=v1,v2,...", hint="e.g. --grid plant_region=US,CN,DE")
        if not all(values):  # 0.9,,0.95 or a trailing comma: a value the user meant is missing
            raise UsageError(
                f"--grid '{item}' has an empty value", hint="give every value between the commas, e.g. 0.9,0.93,0.95"
            )
        parsed: list[Any] = []
        for v in values:
            try:
                parsed.append(float(v))
            except ValueError:
                parsed.append(v)
        if name.strip() in grid:
            raise UsageError(f"parameter '{name.strip()}' is given twice in --grid", hint="give each parameter once")
        grid[name.strip()] = parsed
    return grid


def sweep(
    chemistry: str,
    grid: Mapping[str, Sequence[Any]],
    *,
    routes: Sequence[str] | None = None,
    mode: str = "grid",
    region: str | None = None,
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] = ("gwp100", "energy", "water"),
    parameters: Mapping[str, Any] | None = None,
    model: LCAModel | None = None,
    inventory_files: Sequence[str] = (),
    chunk_size: int = 10_000,
    scheduler: Any = None,
    progress: bool | None = None,
    scenarios: Sequence[str | Path] = (),
) -> Any:
    """Evaluate every combination (``mode='grid'``) or the aligned lists (``mode='list'``) of values.

    Returns an ``xarray.Dataset`` with ``value`` over (route, indicator, <one dimension per swept
    parameter>) for a grid, or (route, indicator, scenario) for a list. Scenarios are evaluated
    in vectorised chunks of *chunk_size*, serially or through dask (*scheduler*: ``threads``,
    ``processes``, a scheduler address or a ``Client``), like :func:`monte_carlo`. *scenarios*
    (scenario or plant files, or shipped names) are applied under *parameters* and recorded as
    ``--scenario`` does (see :func:`cathode_lca.compare`); *region* ``None`` is ``US``, or the
    ``plant_region`` a scenario sets.
    """
    import xarray as xr

    from ..allocation import resolve_allocation
    from .arguments import check_grid, check_scheduler, whole_number

    grid = check_grid(grid)  # {name: [values]}, or a UsageError naming what is wrong
    chunk_size = whole_number(chunk_size, "chunk_size", minimum=1, example="10000")
    check_scheduler(scheduler)
    from ..scenario_apply import scenario_inputs

    # the files applied to the model, as --scenario does; stamped on the result at the end
    applied, model, parameters, inventory_files, region = scenario_inputs(
        model, scenarios, parameters, region, inventory_files
    )
    allocation = resolve_allocation(unit, allocation)  # None: the functional unit's default

    from ..comparison import prepare, route_demands

    names = list(grid)
    if mode == "grid":
        combos = list(itertools.product(*(list(grid[n]) for n in names)))
    elif mode == "list":
        lengths = {len(grid[n]) for n in names}
        if len(lengths) != 1:
            raise UsageError("list sweeps need the same number of values for every parameter", hint="or use mode grid")
        combos = list(zip(*(list(grid[n]) for n in names), strict=True))
    else:
        raise UsageError(f"unknown sweep mode '{mode}'", hint="use grid or list")
    size = len(combos)
    columns = {n: np.array([c[i] for c in combos], dtype=object) for i, n in enumerate(names)}
    swept = {n: (col.astype(float) if all(isinstance(v, float) for v in col) else col) for n, col in columns.items()}
    if "plant_region" in swept:
        region = str(combos[0][names.index("plant_region")])
    params = {**dict(parameters or {}), **swept}
    if model is None and inventory_files:
        from ..lca import LCAModel

        model = LCAModel(extra=inventory_files)
    setup = prepare(chemistry, routes, region, allocation, unit, indicators, params, model)
    model = setup.model
    demands, label = route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)
    from .. import __version__
    from .monte_carlo import RunSpec, execute, solver_name

    fixed = {k: v for k, v in setup.parameters.items() if k not in swept}
    spec = RunSpec(
        chemistry,
        tuple(setup.routes),
        region,
        allocation,
        unit,
        tuple(indicators),
        fixed,
        (),
        0,
        chunk_size,
        tuple(str(f) for f in inventory_files),
    )
    values = execute(spec, size, scheduler, progress, None if inventory_files else model, swept, desc="Sweep")
    routes_ = [rd.route for rd in demands]
    if mode == "grid":
        shape = [len(grid[n]) for n in names]
        data = values.reshape(len(routes_), len(indicators), *shape)
        coords: dict[str, Any] = {n: list(grid[n]) for n in names}
        dims = ("route", "indicator", *names)
    else:
        data = values
        coords = {n: ("scenario", list(grid[n])) for n in names}
        coords["scenario"] = np.arange(size)
        dims = ("route", "indicator", "scenario")
    coords.update({"route": routes_, "indicator": list(indicators)})
    out = xr.Dataset({"value": (dims, data)}, coords=coords)
    out.attrs.update(
        {
            "chemistry": setup.chemistry,
            "region": region,
            "allocation": allocation,
            "functional_unit": label,
            "functional_unit_code": unit,
            "package_version": __version__,
            "inventory_hash": model.inventory.content_hash,
            "methods": ", ".join(setup.method_ids),
            "solver": solver_name(model, demands, allocation),
            "background": json.dumps(getattr(model, "background", None)),
            "grid": json.dumps({n: list(map(str, grid[n])) for n in names}),
            "parameters": json.dumps(dict(parameters or {}), default=str),
            # not "mode": scipy's netCDF writer keeps global attributes as its own attributes, and its `mode` is taken
            "sweep_mode": mode,
        }
    )
    return out if applied is None else applied.stamp(out)
