"""Monte Carlo over a comparison: shared draws (common random numbers) for every route.

All uncertain inputs are drawn once per sample and used by every route, so the difference
recycled − virgin has the smallest possible sampling noise. Uncertain inputs are the parameters
with a declared ``distribution``, the ``distributions`` given by the caller and, with
``default_uncertainty=True`` (the default), every other number of the compared routes' supply
chain: numeric parameters and constant exchange amounts get the pedigree-based defaults of
:mod:`cathode_lca.uncertainty.defaults` (exact constants and choices are never varied).

Every input has its own counter-based stream (:mod:`cathode_lca.uncertainty.streams`): the draw
of sample *i* depends only on (seed, input, i). Results are therefore reproducible bit for bit
for a given seed whatever the chunk size and scheduler (serial, dask threads, processes or a
cluster), in bounded memory: only the per-sample scores are kept.

Lognormal parameters: the deterministic value is the median; the mean is
``exp(loc + scale**2 / 2)``. The deterministic result is computed at the declared values
(medians), so it is generally below the Monte Carlo mean.

Examples
--------
>>> ds = monte_carlo("NMC811", samples=1000, seed=42)          # doctest: +SKIP
>>> float(ds.p_lower_than_virgin.sel(route="hydrometallurgical", indicator="gwp100"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import __version__
from ..errors import UsageError
from .compiled_run import KERNEL_BLOCK, choose_kernel, run_compiled
from .inputs import input_distributions
from .parallel import check_threads, each
from .statistics import STATISTICS, summarise

if TYPE_CHECKING:
    from pathlib import Path

    from ..lca import LCAModel

DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to compute one chunk (picklable: no model objects)."""

    chemistry: str
    routes: tuple[str, ...] | None
    region: str
    allocation: str
    unit: str
    indicators: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    uncertain: tuple[str, ...] = ()
    seed: int = 0
    chunk_size: int = DEFAULT_CHUNK
    inventory_files: tuple[str, ...] = ()
    extra_distributions: dict[str, dict[str, Any]] = field(default_factory=dict)
    exchange_distributions: dict[str, dict[str, Any]] = field(default_factory=dict)  # keyed by exchange_key


_WORKER_MODELS: dict[tuple[str, ...], Any] = {}


def _model_for(spec: RunSpec) -> Any:
    from ..lca import LCAModel, default_model

    if not spec.inventory_files:
        return default_model()
    if spec.inventory_files not in _WORKER_MODELS:
        _WORKER_MODELS[spec.inventory_files] = LCAModel(extra=spec.inventory_files)
    return _WORKER_MODELS[spec.inventory_files]


def chunk_bounds(samples: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_size, samples)) for start in range(0, samples, chunk_size)]


def draw_chunk(model: LCAModel, spec: RunSpec, index: int, n: int) -> dict[str, np.ndarray]:
    """The draws of chunk *index* (samples ``index*chunk_size`` to that + n) of every uncertain parameter.

    Each parameter has its own counter-based stream keyed on (seed, parameter), so the values do
    not depend on the chunk size.
    """
    from .streams import draw

    start = index * spec.chunk_size
    out: dict[str, np.ndarray] = {}
    for key in spec.uncertain:  # sorted by the caller
        dist = spec.extra_distributions.get(key) or model.parameters.distribution(key)
        assert dist is not None  # spec.uncertain lists keys with a distribution only
        out[key] = draw(dist, spec.seed, key, start, start + n)
    return out


def draw_exchanges(spec: RunSpec, index: int, n: int) -> dict[str, np.ndarray]:
    """Draws of the varied constant exchange amounts for chunk *index* (same streams as parameters)."""
    from .streams import draw

    start = index * spec.chunk_size
    return {k: draw(d, spec.seed, k, start, start + n) for k, d in spec.exchange_distributions.items()}


def run_chunk(
    spec: RunSpec,
    index: int,
    n: int,
    model: Any = None,
    scenario: Mapping[str, Any] | None = None,
    drawn: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Scores of one chunk: array (route, indicator, n). Routes not applicable are NaN.

    *scenario* adds per-chunk parameter arrays of length n (a slice of a sweep); *drawn* are the
    chunk's draws of every input when the caller has them already (else they are drawn here).
    """
    from ..comparison import prepare, route_demands

    model = (model or _model_for(spec)).with_varied_exchanges(spec.exchange_distributions)
    draws = {k: drawn[k] for k in spec.uncertain} if drawn is not None else draw_chunk(model, spec, index, n)
    params = {**spec.parameters, **dict(scenario or {}), **draws}
    setup = prepare(
        spec.chemistry, spec.routes, spec.region, spec.allocation, spec.unit, spec.indicators, params, model
    )
    env = setup.env  # one parameter evaluation per chunk, shared by every route
    if spec.exchange_distributions:
        exchanges = (
            {k: drawn[k] for k in spec.exchange_distributions} if drawn is not None else draw_exchanges(spec, index, n)
        )
        env = {**env, **exchanges}
    demands, _label = route_demands(model, spec.chemistry, setup.routes, spec.unit, spec.allocation, env)
    out = np.full((len(demands), len(setup.method_ids), n), np.nan)
    for i, rd in enumerate(demands):
        if not rd.demand:
            continue
        scores = model.scores(rd.demand, setup.methods, env, spec.allocation)
        out[i] = np.broadcast_to(scores, (len(setup.method_ids), n))
    return out


def run_numpy(
    model: Any, spec: RunSpec, samples: int, bar: Any = None, keep: int = 0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """All samples on the numpy path, chunk by chunk (serial), keeping the first *keep* draws."""
    from .streams import StreamReader

    inputs = input_distributions(model, spec)
    reader = StreamReader(spec.seed, inputs)
    parts = []
    kept = np.empty((len(inputs), min(keep, samples)))
    for index, (start, stop) in enumerate(chunk_bounds(samples, spec.chunk_size)):
        d = reader.read(stop - start)
        parts.append(run_chunk(spec, index, stop - start, model, drawn={k: d[j] for j, (k, _x) in enumerate(inputs)}))
        if start < kept.shape[1]:
            m = min(stop - start, kept.shape[1] - start)
            kept[:, start : start + m] = d[:, :m]
        if bar is not None:
            bar.update(stop - start)
    return np.concatenate(parts, axis=-1), {key: kept[j] for j, (key, _d) in enumerate(inputs)}


def _progress(total: int, enabled: bool | None, desc: str = "Monte Carlo") -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="sample", unit_scale=True, desc=desc, file=sys.stderr)


def execute(
    spec: RunSpec,
    samples: int,
    scheduler: Any,
    progress: bool | None,
    model: LCAModel | None,
    scenarios: Mapping[str, np.ndarray] | None = None,
    desc: str = "Monte Carlo",
) -> np.ndarray:
    """Run all chunks (serially or through dask) and concatenate their scores along samples.

    *scenarios* are parameter arrays of length *samples* (a sweep), sliced per chunk.
    """
    bounds = chunk_bounds(samples, spec.chunk_size)
    slices = [{k: v[a:b] for k, v in (scenarios or {}).items()} for a, b in bounds]
    bar = _progress(samples, progress, desc)
    parts: list[np.ndarray] = []
    try:
        if scheduler in (None, "serial", "sync"):
            for i, (a, b) in enumerate(bounds):
                parts.append(run_chunk(spec, i, b - a, model, slices[i]))
                if bar is not None:
                    bar.update(b - a)
        else:
            parts = _execute_dask(spec, bounds, scheduler, bar, model, slices)
    finally:
        if bar is not None:
            bar.close()
    return np.concatenate(parts, axis=-1)


def _execute_dask(
    spec: RunSpec,
    bounds: list[tuple[int, int]],
    scheduler: Any,
    bar: Any,
    model: LCAModel | None = None,
    slices: list[dict[str, Any]] | None = None,
) -> list[np.ndarray]:
    """Run chunks through dask: 'threads', 'processes', or the address of a dask.distributed scheduler.

    A model built in this process (e.g. on a Brightway background) can only be shared with threads;
    other schedulers rebuild the shipped model (plus ``inventory_files``) in each worker.
    """
    try:
        import dask
    except ImportError:  # dask is in the 'distributed' extra
        raise UsageError("dask is not installed", hint='pip install "cathode-lca[distributed]"') from None
    from ..lca import default_model

    custom = model is not None and model is not default_model()
    if custom and scheduler != "threads":
        raise UsageError(
            "a model built in this process (Brightway background, edited inventory) can only run with threads",
            hint="use --scheduler threads, or pass the changes as --inventory files",
        )
    shared = model if custom else None
    slices = slices or [{} for _ in bounds]
    tasks = [dask.delayed(run_chunk)(spec, i, b - a, shared, slices[i]) for i, (a, b) in enumerate(bounds)]
    if scheduler in ("threads", "processes"):
        results: list[Any] = list(dask.compute(*tasks, scheduler=scheduler))
        if bar is not None:
            bar.update(bounds[-1][1])
        return results
    from dask.distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=10) if isinstance(scheduler, str) else scheduler
    except OSError as exc:
        raise UsageError(
            f"cannot reach the dask scheduler at '{scheduler}' ({exc})",
            hint="use threads, processes, or the address of a running scheduler (tcp://host:8786)",
        ) from None
    futures = client.compute(tasks)
    index = {f.key: i for i, f in enumerate(futures)}
    gathered: list[Any] = [None] * len(futures)
    for future in as_completed(futures):
        gathered[index[future.key]] = future.result()
        if bar is not None:
            bar.update(bounds[index[future.key]][1] - bounds[index[future.key]][0])
    if isinstance(scheduler, str):
        client.close()
    return gathered


def propagate(
    model: LCAModel,
    demand: Mapping[str, float],
    *,
    samples: int,
    seed: int,
    methods: Sequence[Any] = ("ipcc2021-gwp100", "ced", "water"),
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    default_uncertainty: bool = False,
    pedigree: str = "ciroth2016",
) -> Any:
    """Monte Carlo of one demand: every parameter with a distribution is drawn from its own stream.

    With ``default_uncertainty``, every other number of the demand's supply chain is drawn too,
    from the pedigree-based defaults (parameters and constant exchange amounts). All draws come from
    the counter-based streams of :mod:`cathode_lca.uncertainty.streams`, as in :func:`monte_carlo`.

    Returns the engine's ``xarray.Dataset`` with a ``sample`` dimension.
    """
    from .streams import draw

    fixed = {model.parameters.key(k) for k in (parameters or {})}
    if not default_uncertainty:
        uncertain = sorted(set(model.parameters.uncertain()) - fixed)
        declared = {k: model.parameters.distribution(k) for k in uncertain}
        draws = {k: draw(d, seed, k, 0, samples) for k, d in declared.items() if d is not None}
        env = None
    else:
        from .defaults import default_exchange_distributions, parameter_distributions
        from .parameters import dataset_parameters, supply_chain

        env0 = model.parameters.evaluate(parameters)
        datasets = supply_chain(model, [dict(demand)], allocation, env0)
        dists = parameter_distributions(model, dataset_parameters(model, datasets), scheme=pedigree)
        uncertain = sorted(set(dists) - fixed)
        draws = {k: draw(dists[k], seed, k, 0, samples) for k in uncertain}
        xdists = default_exchange_distributions(model.inventory, pedigree, datasets=datasets)
        model = model.with_varied_exchanges(xdists)
        env = {
            **model.parameters.evaluate({**dict(parameters or {}), **draws}),
            **{k: draw(d, seed, k, 0, samples) for k, d in xdists.items()},
        }
    ds = model.calculate(
        demand,
        methods=methods,
        parameters={**dict(parameters or {}), **draws},
        allocation=allocation,
        contributions=False,
        keep_sample=True,
        env=env,
    )
    from .arguments import seed_attr

    ds.attrs["seed"] = seed_attr(seed)  # text from 2**31 on: netCDF3 attributes are 32-bit integers
    ds.attrs["uncertain_parameters"] = json.dumps(uncertain)
    return ds


PARAMETER_SAMPLES_LIMIT = 5_000_000  # draws kept for the output 'parameter_samples' (values)


def _parameter_draws(
    model: Any, spec: RunSpec, samples: int, limit: int = PARAMETER_SAMPLES_LIMIT
) -> dict[str, np.ndarray]:
    """All draws per parameter (recomputed from their streams), unless that would exceed *limit* values."""
    if samples * len(spec.uncertain) > limit:
        return {}
    whole = RunSpec(**{**spec.__dict__, "chunk_size": samples})
    return draw_chunk(model, whole, 0, samples)


DRIVER_SAMPLES = 20_000  # samples used to rank the drivers of the difference (the first ones)
DRIVER_ROWS = 8  # inputs ranked together (per thread: ~5 MB of temporaries at 20,000 samples)


def _drivers(
    model: Any, spec: RunSpec, diff: np.ndarray, kept: Mapping[str, np.ndarray] | None = None, threads: int = 1
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Inputs, variance shares and Spearman ρ of (route − virgin): arrays (route, indicator, input).

    *kept* are the draws of the first samples, kept by the run (else they are drawn again). The
    inputs are ranked a few rows at a time on *threads* threads (numpy's sort releases the GIL);
    the result does not depend on their number.
    """
    from .drivers import standard_ranks

    m = min(diff.shape[-1], DRIVER_SAMPLES)
    if kept and all(len(v) >= m for v in kept.values()):
        draws = {k: v[:m] for k, v in kept.items()}
    else:
        whole = RunSpec(**{**spec.__dict__, "chunk_size": m})
        draws = {**draw_chunk(model, whole, 0, m), **draw_exchanges(whole, 0, m)}
    names = sorted(draws)
    outputs = {}
    for i in range(diff.shape[0]):
        for j in range(diff.shape[1]):
            y = diff[i, j, :m]
            if np.all(np.isfinite(y)) and np.ptp(y) > 0:
                outputs[i, j] = standard_ranks(y)
    rho = np.zeros(diff.shape[:2] + (len(names),))

    def rank_rows(start: int) -> None:  # a few inputs at a time: bounded temporaries
        ranks = standard_ranks(np.vstack([draws[k] for k in names[start : start + DRIVER_ROWS]]))
        for (i, j), y_ranks in outputs.items():
            rho[i, j, start : start + DRIVER_ROWS] = ranks @ y_ranks

    each(rank_rows, range(0, len(names), DRIVER_ROWS), threads)
    total = (rho * rho).sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total > 0, rho * rho / np.where(total > 0, total, 1.0), 0.0)
    return names, shares, rho


def solver_name(model: Any, demands: Sequence[Any], allocation: str) -> str:
    """The solver (with its ordering) of the first applicable route demand, for a result's provenance."""
    matrices = model.matrices(allocation)
    first = next((rd for rd in demands if rd.demand), None)
    if first is None:
        return "none (no applicable route)"
    return str(
        model.solver(allocation, [matrices.product_index[model.product_id(p)] for p in first.demand]).solver_name
    )


def _deterministic(
    model: Any, setup: Any, unit: str, allocation: str, plan: Any = None
) -> tuple[np.ndarray, list[str], str]:
    """Scores at the declared values (route, indicator), the indicator units and the solver, without
    the contributions, stages and partition that ``compare`` adds (the Monte Carlo shows none of them).

    With a compiled *plan*, the kernel computes them from the inputs' declared values (the numpy
    solve when one of its checks fails there)."""
    from ..comparison import route_demands

    demands = route_demands(model, setup.chemistry, setup.routes, unit, allocation, setup.env)[0]
    if not any(rd.demand for rd in demands):
        raise UsageError(
            f"no route is applicable to the functional unit '{unit}' for {setup.chemistry}",
            hint="; ".join(f"{rd.route}: {rd.note}" for rd in demands),
        )
    solver = solver_name(model, demands, allocation)
    units = [m.unit for m in setup.methods]
    if plan is not None:
        out, failed = plan.run(plan.declared[:, None])
        if not failed:
            return out[..., 0], units, solver
    values = np.full((len(demands), len(setup.methods)), np.nan)
    for i, rd in enumerate(demands):
        if rd.demand:
            values[i] = model.scores(rd.demand, setup.methods, setup.env, allocation)[:, 0]
    return values, units, solver


def monte_carlo(
    chemistry: str,
    *,
    routes: Sequence[str] | None = None,
    samples: int = 1000,
    seed: int | None = None,
    region: str | None = None,
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] = ("gwp100", "energy", "water"),
    parameters: Mapping[str, Any] | None = None,
    distributions: Mapping[str, Mapping[str, Any]] | None = None,
    model: LCAModel | None = None,
    inventory_files: Sequence[str] = (),
    chunk_size: int = DEFAULT_CHUNK,
    scheduler: str | None = None,
    progress: bool | None = None,
    default_uncertainty: bool = True,
    pedigree: str = "ciroth2016",
    kernel: str = "auto",
    threads: int | None = None,
    scenarios: Sequence[str | Path] = (),
) -> Any:
    """Monte Carlo comparison of virgin and recycled routes.

    Parameters
    ----------
    region
        Plant region; ``None``: ``US``, or the ``plant_region`` a scenario sets.
    distributions
        Extra or replacement distributions by parameter name, e.g.
        ``{"hydro_recovery_ni": {"type": "uniform", "minimum": 0.9, "maximum": 0.99}}``.
    scheduler
        ``None`` (in process), ``"threads"``, ``"processes"`` or a dask.distributed scheduler
        address (``tcp://host:8786``) or ``Client``. With ``"threads"`` a run that the compiled
        kernel computes uses the kernel's own threads (*threads*), not dask.
    default_uncertainty
        Also vary every number of the supply chain that has no declared distribution, with the
        pedigree-based defaults (:mod:`cathode_lca.uncertainty.defaults`); ``False`` draws only
        declared and given distributions.
    pedigree
        Pedigree factors of the defaults: ``"ciroth2016"`` (empirical, default) or ``"ecoinvent-v2"``.
    kernel
        ``"compiled"``: the LLVM kernel of :mod:`cathode_lca.uncertainty.kernel` (runs in process);
        ``"numpy"``: the array path; ``"auto"`` (default): compiled from ``compiled_run.KERNEL_MIN_SAMPLES``
        samples on when llvmlite is installed and the model is supported. ``attrs["kernel"]`` says
        which ran, and why not the compiled one.
    threads
        Threads the compiled kernel runs on (``None``: every usable core). The samples do not
        depend on it: every input's draws come from its own counter-based stream.
    scenarios
        Scenario or plant files (or shipped names) applied as ``--scenario`` applies them, under
        *parameters*; recorded in ``attrs`` as on the command line (see :func:`cathode_lca.compare`).
        A run with scenarios computes in this process (``scheduler`` ``None`` or ``"threads"``).

    Returns
    -------
    xarray.Dataset
        ``samples`` (route, indicator, sample), ``deterministic`` (route, indicator),
        ``statistics`` (route, indicator, statistic), ``difference`` statistics of
        route − virgin, ``p_lower_than_virgin`` (route, indicator), the share of the variance of
        route − virgin per uncertain input ``difference_variance_share`` and its Spearman
        correlation ``difference_spearman`` (route, indicator, input), and the drawn
        ``parameter_samples`` (parameter, sample).
    """
    import pandas as pd
    import xarray as xr

    from ..allocation import resolve_allocation
    from .arguments import check_distributions, check_scheduler, check_seed, seed_attr, whole_number

    samples = whole_number(samples, "samples", minimum=2, note=" (Monte Carlo needs at least 2 samples)")
    # before any work: a UsageError naming the argument, not numpy's TypeError deep inside
    seed = None if seed is None else check_seed(seed, optional=True)
    chunk_size = whole_number(chunk_size, "chunk_size", minimum=1, example="50000")
    check_distributions(distributions)
    check_scheduler(scheduler)
    from ..scenario_apply import scenario_inputs

    # the files applied to the model, as --scenario does; stamped on the result at the end
    applied, model, parameters, inventory_files, region = scenario_inputs(
        model, scenarios, parameters, region, inventory_files
    )
    allocation = resolve_allocation(unit, allocation)  # None: the functional unit's default

    from ..comparison import prepare

    n_threads = check_threads(threads)
    # a random seed stays below 2**31: netCDF3 attributes are 32-bit integers (arguments.seed_attr)
    seed = int(int(np.random.SeedSequence().entropy) % (2**31)) if seed is None else int(seed)  # type: ignore[arg-type]
    from ..lca import LCAModel, default_model

    if model is None:
        model = LCAModel(extra=inventory_files) if inventory_files else default_model()
    setup = prepare(chemistry, routes, region, allocation, unit, indicators, parameters, model)
    extra: dict[str, dict[str, Any]] = {}
    for name, dist in (distributions or {}).items():
        extra[model.parameters.key(name)] = model.parameters.fit_distribution(name, dict(dist))
    fixed = {model.parameters.key(k) for k in (parameters or {})}
    exchange_dists: dict[str, dict[str, Any]] = {}
    if default_uncertainty:
        from .defaults import default_exchange_distributions, parameter_distributions
        from .parameters import dataset_parameters, route_supply_chain

        datasets = route_supply_chain(model, chemistry, setup, unit, allocation)
        exchange_dists = default_exchange_distributions(model.inventory, pedigree, datasets=datasets)
        defaults = parameter_distributions(model, dataset_parameters(model, datasets), scheme=pedigree)
        for key, dist in defaults.items():
            if key not in extra and model.parameters.parameters[key].distribution is None:
                extra[key] = dist
    uncertain = tuple(sorted((set(model.parameters.uncertain()) | set(extra)) - fixed))
    if not uncertain and not exchange_dists:
        raise UsageError(
            "no uncertain parameter: nothing to sample",
            hint="declare distributions in the inventory or pass distributions (CLI: --vary NAME=type:a:b)",
        )
    spec = RunSpec(
        chemistry,
        tuple(setup.routes),
        region,
        allocation,
        unit,
        tuple(indicators),
        dict(parameters or {}),
        uncertain,
        seed,
        chunk_size,
        tuple(str(f) for f in inventory_files),
        extra,
        exchange_dists,
    )
    plan, kernel_note = choose_kernel(kernel, model, spec, samples, scheduler)
    n_inputs = len(uncertain) + len(exchange_dists)
    keep = max(min(samples, DRIVER_SAMPLES), samples if samples * n_inputs <= PARAMETER_SAMPLES_LIMIT else 0)
    kept: dict[str, np.ndarray] = {}
    if plan is not None or scheduler in (None, "serial", "sync"):
        bar = _progress(samples, progress)
        try:
            if plan is not None:
                block_spec = RunSpec(**{**spec.__dict__, "chunk_size": KERNEL_BLOCK})

                def recompute(start: int, n: int) -> np.ndarray:
                    return run_chunk(block_spec, start // KERNEL_BLOCK, n, model)

                scores, kept = run_compiled(plan, seed, samples, recompute, bar, keep, n_threads)
            else:
                scores, kept = run_numpy(model, spec, samples, bar, keep)
        finally:
            if bar is not None:
                bar.close()
    else:
        scores = execute(spec, samples, scheduler, progress, model if not inventory_files else None)
    det_values, units, solver = _deterministic(model, setup, unit, allocation, plan)
    route_labels = list(setup.routes)
    base = route_labels.index("virgin") if "virgin" in route_labels else None
    drivers: tuple[list[str], np.ndarray, np.ndarray] = ([], np.empty(0), np.empty(0))
    if base is not None:
        # the drivers first, from the first samples' differences: the draws kept for them (31 MB at 193 inputs)
        # are then let go before the statistics' temporaries are made (a lower peak at a million samples)
        first = scores[..., : min(samples, DRIVER_SAMPLES)]
        drivers = _drivers(model, spec, first - first[base], kept, n_threads)
    draws = {k: kept[k] for k in uncertain} if kept and samples <= keep else _parameter_draws(model, spec, samples)
    del kept
    stats = summarise(scores, n_threads)
    ds = xr.Dataset(
        {
            "samples": (("route", "indicator", "sample"), scores),
            "deterministic": (("route", "indicator"), det_values),
            "statistics": (("route", "indicator", "statistic"), stats),
        },
        coords={
            "route": route_labels,
            "indicator": list(indicators),
            "unit": ("indicator", units),
            "statistic": list(STATISTICS),
            "sample": pd.RangeIndex(samples),  # not np.arange: no 8 bytes per sample, twice (pandas copies it)
        },
    )
    if base is not None:
        # one (route, indicator) difference per thread at a time: a series of samples is the only temporary
        diff_stats = np.empty((*scores.shape[:2], len(STATISTICS)))
        lower = np.empty(scores.shape[:2])

        def difference(ij: tuple[int, ...]) -> None:  # one series per thread at a time
            i, j = ij
            d = scores[i, j] - scores[base, j]
            diff_stats[i, j] = summarise(d)
            lower[i, j] = np.nan if np.isnan(scores[i, j]).all() else (d < 0).mean()

        each(difference, np.ndindex(*scores.shape[:2]), n_threads)
        ds["difference"] = (("route", "indicator", "statistic"), diff_stats)
        ds["p_lower_than_virgin"] = (("route", "indicator"), lower)
        ds["difference"].attrs["description"] = "statistics of (route − virgin), sample by sample"
        ds["p_lower_than_virgin"].attrs["description"] = "share of samples in which the route is below virgin"
        names, shares, rho = drivers
        if names:
            ds["difference_variance_share"] = (("route", "indicator", "input"), shares)
            ds["difference_spearman"] = (("route", "indicator", "input"), rho)
            from .defaults import describe_input

            ds = ds.assign_coords(
                input=names, input_description=("input", [describe_input(model.inventory, n) for n in names])
            )
            ds["difference_variance_share"].attrs["description"] = (
                "share of the variance of (route − virgin): squared Spearman rank correlation with the input, "
                f"normalised to sum 1 over inputs (first {min(samples, DRIVER_SAMPLES)} samples)"
            )
    if draws:
        ds["parameter_samples"] = (("parameter", "sample"), np.vstack([draws[k] for k in uncertain]))
        ds = ds.assign_coords(parameter=list(uncertain))
    warnings: list[str] = []
    largest = max(float(np.nanmax(scores, initial=1.0)), -float(np.nanmin(scores, initial=-1.0)))  # max(1, |x|)
    if np.all(np.nan_to_num(stats[..., STATISTICS.index("std")]) <= 1e-12 * largest):
        warnings.append(
            "none of the uncertain parameters changes these results (their datasets are not used by the "
            "compared routes with these settings, e.g. the Istrate brine chain when lithium_route is greet2022); "
            "give distributions with --vary NAME=uniform:a:b"
        )
    ds["samples"].attrs["description"] = "score per sample; all routes share the same parameter draws"
    ds["deterministic"].attrs["description"] = "result at the declared parameter values (lognormal: medians)"
    ds.attrs.update(
        {
            "chemistry": setup.chemistry,
            "region": region,
            "allocation": allocation,
            "functional_unit": setup.functional_unit,
            "functional_unit_code": unit,
            "package_version": __version__,
            "inventory_hash": model.inventory.content_hash,
            "background": json.dumps(model.background, default=str),
            "methods": ", ".join(setup.method_ids),
            "parameters": json.dumps(dict(parameters or {}), sort_keys=True, default=str),
            "uncertain_parameters": json.dumps(list(uncertain)),
            "distributions": json.dumps(
                {k: (extra.get(k) or model.parameters.parameters[k].distribution) for k in uncertain}, default=str
            ),
            "default_uncertainty": f"on (pedigree factors {pedigree})" if default_uncertainty else "off",
            "varied_exchanges": len(exchange_dists),
            "seed": seed_attr(seed),  # text from 2**31 on: netCDF3 attributes are 32-bit integers
            "chunk_size": chunk_size,
            "samples": samples,
            "scheduler": str(scheduler or "serial"),
            "solver": solver,
            "kernel": kernel_note,
            "kernel_compile_seconds": round(plan.compile_seconds, 3) if plan is not None else 0.0,
            "kernel_threads": n_threads if plan is not None else 0,
            "kernel_optimisation": f"O{plan.optimisation}" if plan is not None else "none (numpy path)",
            "common_random_numbers": "yes: every route uses the same draws",
            "warnings": json.dumps(warnings),
        }
    )
    return ds if applied is None else applied.stamp(ds)
