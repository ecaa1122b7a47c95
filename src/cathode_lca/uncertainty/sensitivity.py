"""Global sensitivity of a comparison: Sobol indices (first and total order) and Morris screening.

Uses SALib. The parameters are the uncertain ones of the compared routes' supply chain: declared
distributions, user-given ones (``distributions``) and, by default, the pedigree-based defaults of
:mod:`cathode_lca.uncertainty.defaults`; with ``spread``, every numeric foreground parameter varied
uniformly by ±spread around its value, within its bounds. Exact constants are never varied.

Examples
--------
>>> ds = sensitivity("NMC811", method="sobol", samples=256, seed=1)   # doctest: +SKIP
>>> ds.ST.sel(route="hydrometallurgical", indicator="gwp100").to_series().nlargest(5)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from ..lca import LCAModel

EVAL_CHUNK = 20_000  # model evaluations per vectorised block (bounded memory)
MORRIS_RANGE = (0.025, 0.975)  # Morris levels span these quantiles (a lognormal has no finite range)


def _distributions(
    model: LCAModel,
    setup: Any,
    chemistry: str,
    unit: str,
    allocation: str,
    demands: Sequence[Any],
    distributions: Mapping[str, Mapping[str, Any]] | None,
    spread: float | None,
    default_uncertainty: bool,
    pedigree: str,
) -> dict[str, dict[str, Any]]:
    """Distribution of every varied parameter: defaults < --spread < declared < given."""
    from .defaults import bounds_of, is_exact, parameter_distributions
    from .parameters import comparison_parameters, dataset_parameters, route_supply_chain

    params = model.parameters.parameters
    relevant = dataset_parameters(model, route_supply_chain(model, chemistry, setup, unit, allocation))
    dists: dict[str, dict[str, Any]] = {}
    if default_uncertainty:
        dists.update(parameter_distributions(model, relevant, defaults=True, scheme=pedigree))
    if spread is not None:
        if not 0 < spread < 1:
            raise UsageError("spread must be between 0 and 1", hint="e.g. 0.1 for ±10 %")
        for key in comparison_parameters(model, [rd.demand for rd in demands], allocation):
            p = params[key]
            if not p.value or is_exact(p):
                continue  # exact constants (molar masses, unit conversions) are never varied
            lo, hi = sorted((p.value * (1 - spread), p.value * (1 + spread)))
            low, high = bounds_of(p)
            lo = lo if low is None else max(lo, low)
            hi = hi if high is None else min(hi, high)
            if lo < hi:
                dists[key] = {"type": "uniform", "minimum": lo, "maximum": hi}
    for key in set(model.parameters.uncertain()) & set(relevant):
        dists[key] = model.parameters.distribution(key)  # type: ignore[assignment]  # restricted to bounds
    for name, dist in (distributions or {}).items():
        key = model.parameters.key(name)
        dists[key] = model.parameters.fit_distribution(name, dict(dist))
    return dists


def sensitivity(
    chemistry: str,
    *,
    method: str = "sobol",
    routes: Sequence[str] | None = None,
    samples: int = 1024,
    seed: int = 0,
    region: str | None = None,
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] = ("gwp100",),
    parameters: Mapping[str, Any] | None = None,
    distributions: Mapping[str, Mapping[str, Any]] | None = None,
    spread: float | None = None,
    model: LCAModel | None = None,
    default_uncertainty: bool = True,
    pedigree: str = "ciroth2016",
    progress: bool | None = None,
    scenarios: Sequence[str | Path] = (),
) -> Any:
    """Sobol (``method='sobol'``) or Morris (``method='morris'``) indices per route and indicator.

    Varied are the uncertain parameters of the compared routes' supply chain over their
    distributions: declared ones, *distributions*, and (``default_uncertainty``) the pedigree-based
    defaults; exact constants and choices never. ``spread`` replaces the defaults of the foreground
    parameters by uniform ±spread, clipped to their bounds. Sampling is done on the unit hypercube
    and mapped through each distribution's inverse CDF (Morris: levels between the 2.5 % and 97.5 %
    quantiles, so ``mu_star`` is per unit of probability).

    Returns an ``xarray.Dataset``: Sobol gives ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris gives
    ``mu_star``, ``mu_star_conf``, ``sigma``; each over (route, indicator, parameter), for the route
    results and, as ``difference`` routes (``<route>-minus-virgin``), for the differences to virgin.
    *scenarios* (scenario or plant files, or shipped names) are applied under *parameters* and
    recorded as ``--scenario`` does (see :func:`cathode_lca.compare`); *region* ``None`` is ``US``,
    or the ``plant_region`` a scenario sets.
    """
    import xarray as xr

    from ..allocation import resolve_allocation
    from .arguments import check_distributions, check_seed, check_spread, seed_attr, whole_number

    samples = whole_number(samples, "samples", minimum=8, example="1024", note=" (Sobol: a power of 2)")
    seed = check_seed(seed)  # before any work: a UsageError naming the argument
    spread = check_spread(spread)
    check_distributions(distributions)
    from ..scenario_apply import scenario_inputs

    # the files applied to the model, as --scenario does; stamped on the result at the end
    applied, model, parameters, _, region = scenario_inputs(model, scenarios, parameters, region)
    allocation = resolve_allocation(unit, allocation)  # None: the functional unit's default

    from .. import __version__
    from ..comparison import prepare, route_demands
    from ..lca import default_model
    from .monte_carlo import solver_name
    from .streams import ppf_columns

    if method not in ("sobol", "morris"):
        raise UsageError(f"unknown sensitivity method '{method}'", hint="use sobol or morris")
    model = model or default_model()
    setup = prepare(chemistry, routes, region, allocation, unit, indicators, parameters, model)
    demands = route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)[0]
    fixed = {model.parameters.key(k) for k in (parameters or {})}
    dists = _distributions(
        model, setup, chemistry, unit, allocation, demands, distributions, spread, default_uncertainty, pedigree
    )
    for key in fixed:
        dists.pop(key, None)
    if not dists:
        raise UsageError(
            "no parameter to vary", hint="declare distributions, use --vary or --spread 0.1, or the default uncertainty"
        )
    names = sorted(dists)
    n_outputs = (2 * len(setup.routes) - 1) * len(indicators)  # routes and their differences to virgin
    check_design_memory(method, samples, len(names), n_outputs)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    U = None  # the Morris design in [0, 1], which its analysis needs; a Sobol analysis needs only the outputs
    X: np.ndarray | SobolDesign
    if method == "sobol":
        # built and mapped block by block as the model runs: N·(D + 2) rows × D never sit in memory at once
        X = SobolDesign(dists, names, sobol_base(len(names), samples, seed))
    else:
        from SALib.sample import morris as morris_sample

        U = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
        X = ppf_columns(dists, names, MORRIS_RANGE[0] + (MORRIS_RANGE[1] - MORRIS_RANGE[0]) * U)
    outputs = _evaluate(model, chemistry, setup, unit, allocation, names, X, progress)
    if "virgin" in outputs:
        for route in list(outputs):
            if route != "virgin":
                outputs[f"{route}-minus-virgin"] = outputs[route] - outputs["virgin"]
    keys = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
    result = {k: np.full((len(outputs), len(indicators), len(names)), np.nan) for k in keys}

    series = list(outputs.values())

    def analyse(ij: tuple[int, int]) -> None:  # one output; each call has its own seeded generator
        i, j = ij
        y = np.asarray(series[i][j], dtype=float)
        if np.ptp(y) == 0:
            for k in keys:
                result[k][i, j] = 0.0
            return
        if method == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            # a Generator, not the int: SALib's sobol.analyze tests `if seed:`, so seed 0 (our default)
            # would draw its bootstrap from numpy's global, unseeded state (confidence intervals not reproducible)
            Si = sobol_analyze.analyze(dict(problem), y, calc_second_order=False, seed=np.random.default_rng(seed))
        else:
            from SALib.analyze import morris as morris_analyze

            Si = morris_analyze.analyze(dict(problem), U, y, num_levels=4, seed=seed)
        for k in keys:
            result[k][i, j] = np.asarray(Si[k], dtype=float)

    from .parallel import each, usable_cores

    # the bootstrap of every output is independent: on every usable core (numpy releases the GIL); same numbers
    each(analyse, [(i, j) for i in range(len(outputs)) for j in range(len(indicators))], usable_cores())
    out = xr.Dataset(
        {k: (("route", "indicator", "parameter"), v) for k, v in result.items()},
        coords={"route": list(outputs), "indicator": list(indicators), "parameter": names},
        attrs={
            "technique": method,  # sobol or morris; "methods" are the LCIA methods, as in every result
            "methods": ", ".join(setup.method_ids),
            "package_version": __version__,
            "solver": solver_name(model, demands, allocation),
            "model_evaluations": len(X),
            "seed": seed_attr(seed),  # text from 2**31 on: netCDF3 attributes are 32-bit integers
            "chemistry": setup.chemistry,
            "region": region,
            "allocation": allocation,
            "functional_unit": setup.functional_unit,
            "functional_unit_code": unit,
            "inventory_hash": model.inventory.content_hash,
            "background": json.dumps(getattr(model, "background", None)),
            "distributions": json.dumps({k: dists[k] for k in names}, default=str),
            "spread": "" if spread is None else spread,
            "default_uncertainty": f"on (pedigree factors {pedigree})" if default_uncertainty else "off",
        },
    )
    return out if applied is None else applied.stamp(out)


def check_design_memory(method: str, samples: int, dimensions: int, outputs: int = 1) -> None:
    """Refuse a run whose arrays cannot fit, before any is made.

    Sobol: ``samples · (D + 2)`` model evaluations, each keeping one score per output (route or difference
    × indicator), twice at the end (the blocks and their concatenation), 8 bytes each; the design itself
    is built block by block (:class:`SobolDesign`). Morris: ``samples · (D + 1)`` rows of D parameters,
    held three times (the design, its range mapping, the values), which its analysis needs whole.

    >>> check_design_memory("sobol", 1024, 3, outputs=21)  # 1,024 × 5 evaluations × 21 outputs × 8 × 2: 1.7 MB
    """
    from .. import system

    rows = samples * (dimensions + (2 if method == "sobol" else 1))
    need = 16 * rows * outputs if method == "sobol" else 24 * rows * dimensions
    what = (
        f"{rows:,} model evaluations × {outputs} outputs"
        if method == "sobol"
        else f"a design of {rows:,} rows × {dimensions} columns"
    )
    system.require_memory(
        need,
        f"{method} with {samples:,} samples of {dimensions} parameters needs {what},",
        "use fewer samples (--samples), or vary fewer parameters (--vary NAME=... without --spread)",
    )


def saltelli(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """Saltelli's design on the unit hypercube for first- and total-order Sobol indices, rows ``N·(D + 2)``.

    For each of the *samples* points of a scrambled Sobol' sequence in ``2·D`` dimensions (scipy's
    ``qmc.Sobol``, seeded with *seed*): the row A (first D coordinates), D rows A with column k taken
    from B (the last D coordinates), and the row B. The same matrix as SALib's
    ``SALib.sample.sobol.sample(problem, N, calc_second_order=False, seed=seed)`` on the unit cube
    (tested equal, bit for bit), written with array operations: SALib fills it with Python loops,
    about 4 s for 114 parameters and N = 1,024.

    Examples
    --------
    >>> x = saltelli(3, 4, seed=1)
    >>> x.shape
    (20, 3)
    >>> bool((x[1, 1:] == x[0, 1:]).all() and x[1, 0] == x[4, 0])  # A with column 0 from B
    True
    """
    return saltelli_rows(sobol_base(dimensions, samples, seed), dimensions)


def sobol_base(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """The *samples* points of the scrambled Sobol' sequence in ``2·D`` dimensions behind :func:`saltelli`."""
    from scipy.stats import qmc

    return qmc.Sobol(d=2 * dimensions, scramble=True, seed=seed).random(samples)


def saltelli_rows(base: np.ndarray, dimensions: int) -> np.ndarray:
    """Saltelli's ``D + 2`` rows for each point of *base* (A, A with column k from B for every k, B)."""
    a, b = base[:, :dimensions], base[:, dimensions:]
    design = np.empty((len(base), dimensions + 2, dimensions))
    design[:, 0] = a
    design[:, 1 : dimensions + 1] = a[:, None, :]
    columns = np.arange(dimensions)
    design[:, columns + 1, columns] = b
    design[:, dimensions + 1] = b
    return design.reshape(len(base) * (dimensions + 2), dimensions)


class SobolDesign:
    """The parameter values of Saltelli's design, made only for the rows asked: ``design[a:b]``.

    Row for row the values of ``ppf_columns(dists, names, clip(saltelli(...)))``: the design rows
    of the points that cover ``a:b``, clipped to ``[1e-9, 1 − 1e-9]`` and mapped through each
    distribution's inverse CDF, element by element, so a block gives the bits the whole matrix would.

    >>> d = SobolDesign({"x": {"type": "uniform", "minimum": 0.0, "maximum": 2.0}}, ["x"], sobol_base(1, 4, 1))
    >>> len(d), d[2:5].shape
    (12, (3, 1))
    """

    def __init__(self, dists: dict[str, dict[str, Any]], names: list[str], base: np.ndarray) -> None:
        self.dists, self.names, self.base = dists, names, base
        self.per_point = len(names) + 2

    def __len__(self) -> int:
        return len(self.base) * self.per_point

    def __getitem__(self, rows: slice) -> np.ndarray:
        from .streams import ppf_columns

        a, b, _ = rows.indices(len(self))
        first, last = a // self.per_point, -(-b // self.per_point)
        block = saltelli_rows(self.base[first:last], len(self.names))[
            a - first * self.per_point : b - first * self.per_point
        ]
        np.clip(block, 1e-9, 1 - 1e-9, out=block)
        return ppf_columns(self.dists, self.names, block)


def _evaluate(
    model: LCAModel,
    chemistry: str,
    setup: Any,
    unit: str,
    allocation: str,
    names: list[str],
    X: np.ndarray | SobolDesign,
    progress: bool | None,
) -> dict[str, np.ndarray]:
    """Route scores (indicator, evaluation) for every row of X (an array, or a design made block by block),
    in blocks, with a progress bar on stderr."""
    from ..comparison import route_demands
    from .monte_carlo import _progress

    n = len(X)
    bar = _progress(n, progress, "Sensitivity")
    parts: dict[str, list[np.ndarray]] = {}
    try:
        for a in range(0, n, EVAL_CHUNK):
            b = min(a + EVAL_CHUNK, n)
            block = X[a:b]
            params = {**setup.parameters, **{k: block[:, i] for i, k in enumerate(names)}}
            env = model.parameters.evaluate(params)
            for rd in route_demands(model, chemistry, setup.routes, unit, allocation, env)[0]:
                if rd.demand:
                    scores = model.scores(rd.demand, setup.methods, env, allocation)
                    parts.setdefault(rd.route, []).append(np.broadcast_to(scores, (len(setup.method_ids), b - a)))
            if bar is not None:
                bar.update(b - a)
    finally:
        if bar is not None:
            bar.close()
    return {route: np.concatenate(p, axis=-1) for route, p in parts.items()}


def ranking(ds: Any, route: str, indicator: str, top: int = 10) -> list[tuple[str, float]]:
    """Parameters ranked by total-order index (Sobol) or mu* (Morris)."""
    key = "ST" if "ST" in ds else "mu_star"
    series = ds[key].sel(route=route, indicator=indicator).to_series().dropna()
    return [(str(k), float(v)) for k, v in series.sort_values(ascending=False).head(top).items()]


def one_at_a_time(
    chemistry: str,
    ds: Any,
    *,
    route: str,
    indicator: str,
    top: int = 10,
    quantiles: tuple[float, float] = MORRIS_RANGE,
    region: str = "US",
    allocation: str | None = None,
    unit: str = "kg-cam",
    parameters: Mapping[str, Any] | None = None,
    model: Any = None,
) -> Any:
    """Tornado data: *route*'s result with each of the *top* ranked parameters of *ds* at a low and a high quantile.

    *ds* is a :func:`sensitivity` result; its ``distributions`` attribute gives each parameter's
    distribution, and the swing is taken between its 2.5 % and 97.5 % quantiles (*quantiles*) while
    every other parameter stays at its default. All 2 × *top* evaluations run as one vectorised block.
    Returns a ``pandas.DataFrame`` (parameter, low, high, at_low, at_high, base, swing), largest swing first,
    the format of :func:`cathode_lca.report.plots.tornado`.
    """
    import pandas as pd

    from ..allocation import resolve_allocation
    from ..comparison import prepare
    from ..lca import default_model
    from ..result_kinds import check_result
    from .streams import ppf

    check_result(ds, "one_at_a_time", "sensitivity")  # a UsageError naming ds, not a KeyError inside
    model = model or default_model()
    allocation = resolve_allocation(unit, allocation)
    dists = json.loads(ds.attrs["distributions"])
    names = [name for name, _ in ranking(ds, route, indicator, top) if name in dists]
    if not names:
        raise UsageError(f"no ranked parameter for {route} / {indicator}", hint="vary parameters first")
    setup = prepare(chemistry, [route], region, allocation, unit, [indicator], parameters, model)
    params = model.parameters.parameters
    base = np.array(
        [
            float(params[k].value)
            if isinstance(params[k].value, int | float)
            else float(ppf(dists[k], np.array([0.5]))[0])
            for k in names
        ]
    )
    lows = np.array([float(ppf(dists[k], np.array([quantiles[0]]))[0]) for k in names])
    highs = np.array([float(ppf(dists[k], np.array([quantiles[1]]))[0]) for k in names])
    n = len(names)
    X = np.tile(base, (2 * n + 1, 1))  # row 2i: parameter i low, row 2i + 1: high, last row: all at default
    X[2 * np.arange(n), np.arange(n)] = lows
    X[2 * np.arange(n) + 1, np.arange(n)] = highs
    y = np.asarray(_evaluate(model, chemistry, setup, unit, allocation, names, X, False)[route][0], dtype=float)
    df = pd.DataFrame(
        {
            "parameter": names,
            "low": lows,
            "high": highs,
            "at_low": y[0 : 2 * n : 2],
            "at_high": y[1 : 2 * n : 2],
            "base": np.full(n, y[-1]),
        }
    )
    df["swing"] = (df.at_high - df.at_low).abs()
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
