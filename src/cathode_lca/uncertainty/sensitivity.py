"""Global sensitivity of a comparison: Sobol indices (first and total order) and Morris screening.

Uses SALib. The parameters are those with declared distributions, plus user-given ones
(``distributions``), plus — with ``spread`` — every numeric parameter of the compared
routes' foreground varied uniformly by ±spread around its value (exact constants are left out,
and the range is cut at the parameter's bounds: no recovery above 100 %).

Examples
--------
>>> ds = sensitivity("NMC811", method="sobol", samples=256, spread=0.1, seed=1)   # doctest: +SKIP
>>> ds.ST.sel(route="hydrometallurgical", indicator="gwp100").to_series().nlargest(5)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import UsageError


def _salib_entry(dist: dict[str, Any]) -> tuple[list[float], str, tuple[float, float], bool]:
    """(SALib bounds, SALib dist name, Morris range, exponentiate?) for a normalised distribution.

    Normal and lognormal distributions with ``minimum``/``maximum`` (from the parameter's bounds)
    are truncated: SALib's ``truncnorm``, on the log scale for a lognormal (the last item says
    that the Sobol column must then be exponentiated).
    """
    kind = dist["type"]
    lo, hi = dist.get("minimum"), dist.get("maximum")
    if kind == "uniform":
        return [lo, hi], "unif", (lo, hi), False
    if kind == "triangular":
        peak = (dist["loc"] - lo) / (hi - lo)
        return [lo, hi, peak], "triang", (lo, hi), False
    lo_ = -math.inf if lo is None else lo
    hi_ = math.inf if hi is None else hi
    if kind == "normal":
        rng = (max(lo_, dist["loc"] - 2 * dist["scale"]), min(hi_, dist["loc"] + 2 * dist["scale"]))
        if lo is None and hi is None:
            return [dist["loc"], dist["scale"]], "norm", rng, False
        return [lo_, hi_, dist["loc"], dist["scale"]], "truncnorm", rng, False
    if dist.get("negative"):
        raise UsageError("a negative lognormal distribution cannot be used in a sensitivity analysis")
    rng = (
        max(lo_, math.exp(dist["loc"] - 2 * dist["scale"])),
        min(hi_, math.exp(dist["loc"] + 2 * dist["scale"])),
    )
    if lo is None and hi is None:
        return [dist["loc"], dist["scale"]], "lognorm", rng, False
    ln_lo = math.log(lo) if lo is not None and lo > 0 else -math.inf
    ln_hi = math.log(hi) if hi is not None else math.inf
    return [ln_lo, ln_hi, dist["loc"], dist["scale"]], "truncnorm", rng, True


def sensitivity(
    chemistry: str,
    *,
    method: str = "sobol",
    routes: Sequence[str] | None = None,
    samples: int = 1024,
    seed: int = 0,
    region: str = "US",
    allocation: str = "none",
    unit: str = "kg-cam",
    indicators: Sequence[str] = ("gwp100",),
    parameters: Mapping[str, Any] | None = None,
    distributions: Mapping[str, Mapping[str, Any]] | None = None,
    spread: float | None = None,
    model: Any = None,
) -> Any:
    """Sobol (``method='sobol'``) or Morris (``method='morris'``) indices per route and indicator.

    Returns an ``xarray.Dataset``: Sobol gives ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris gives
    ``mu_star``, ``mu_star_conf``, ``sigma``; each over (route, indicator, parameter), for the route
    results and, as ``difference`` routes (``<route>-minus-virgin``), for the differences to virgin.
    """
    import xarray as xr

    from ..comparison import prepare, route_demands
    from ..lca import default_model
    from .parameters import comparison_parameters

    if method not in ("sobol", "morris"):
        raise UsageError(f"unknown sensitivity method '{method}'", hint="use sobol or morris")
    if samples < 8:
        raise UsageError("too few samples for a sensitivity analysis", hint="use at least 64 (Sobol: a power of 2)")
    model = model or default_model()
    setup = prepare(chemistry, routes, region, allocation, unit, indicators, parameters, model)
    demands = route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)[0]
    fixed = {model.parameters.key(k) for k in (parameters or {})}
    dists: dict[str, dict[str, Any]] = {}
    if spread is not None:
        if not 0 < spread < 1:
            raise UsageError("spread must be between 0 and 1", hint="e.g. 0.1 for ±10 %")
        for key in comparison_parameters(model, [rd.demand for rd in demands], allocation):
            param = model.parameters.parameters[key]
            if param.value and not param.exact:  # exact constants are never varied
                lo, hi = sorted((param.value * (1 - spread), param.value * (1 + spread)))
                lo = lo if param.min is None else max(lo, param.min)  # bounds cut the range:
                hi = hi if param.max is None else min(hi, param.max)  # no recovery above 100 %
                if lo < hi:
                    dists[key] = {"type": "uniform", "minimum": lo, "maximum": hi}
    for key in model.parameters.uncertain():
        dists[key] = model.parameters.distribution(key)  # type: ignore[assignment]
    for name, dist in (distributions or {}).items():
        dists[model.parameters.key(name)] = model.parameters.fit_distribution(name, dict(dist))
    for key in fixed:
        dists.pop(key, None)
    if not dists:
        raise UsageError("no parameter to vary", hint="declare distributions, use --vary, or give --spread 0.1")
    names = sorted(dists)
    entries = [_salib_entry(dists[k]) for k in names]
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        problem = {
            "num_vars": len(names),
            "names": names,
            "bounds": [e[0] for e in entries],
            "dists": [e[1] for e in entries],
        }
        X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
        for i, entry in enumerate(entries):
            if entry[3]:  # truncated lognormal, sampled on the log scale
                X[:, i] = np.exp(X[:, i])
    else:
        from SALib.sample import morris as morris_sample

        problem = {"num_vars": len(names), "names": names, "bounds": [list(e[2]) for e in entries]}
        X = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    params = {**setup.parameters, **{k: X[:, i] for i, k in enumerate(names)}}
    env = model.parameters.evaluate(params)
    demands = route_demands(model, chemistry, setup.routes, unit, allocation, env)[0]
    outputs: dict[str, np.ndarray] = {}
    for rd in demands:
        if rd.demand:
            ds = model.calculate(
                rd.demand,
                methods=setup.methods,
                parameters=params,
                allocation=allocation,
                contributions=False,
                keep_sample=True,
            )
            outputs[rd.route] = np.broadcast_to(ds.score.values, (len(setup.method_ids), len(X)))
    if "virgin" in outputs:
        for route in list(outputs):
            if route != "virgin":
                outputs[f"{route}-minus-virgin"] = outputs[route] - outputs["virgin"]
    keys = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
    result = {k: np.full((len(outputs), len(indicators), len(names)), np.nan) for k in keys}
    for i, (_route, Y) in enumerate(outputs.items()):
        for j in range(len(indicators)):
            y = np.asarray(Y[j], dtype=float)
            if np.ptp(y) == 0:
                for k in keys:
                    result[k][i, j] = 0.0
                continue
            if method == "sobol":
                from SALib.analyze import sobol as sobol_analyze

                Si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            else:
                from SALib.analyze import morris as morris_analyze

                Si = morris_analyze.analyze(problem, X, y, num_levels=4, seed=seed)
            for k in keys:
                result[k][i, j] = np.asarray(Si[k], dtype=float)
    ds = xr.Dataset(
        {k: (("route", "indicator", "parameter"), v) for k, v in result.items()},
        coords={"route": list(outputs), "indicator": list(indicators), "parameter": names},
        attrs={
            "method": method,
            "model_evaluations": len(X),
            "seed": seed,
            "chemistry": setup.chemistry,
            "region": region,
            "allocation": allocation,
            "functional_unit": setup.functional_unit,
            "inventory_hash": model.inventory.content_hash,
            "distributions": json.dumps({k: dists[k] for k in names}, default=str),
            "spread": "" if spread is None else spread,
        },
    )
    return ds


def ranking(ds: Any, route: str, indicator: str, top: int = 10) -> list[tuple[str, float]]:
    """Parameters ranked by total-order index (Sobol) or mu* (Morris)."""
    key = "ST" if "ST" in ds else "mu_star"
    series = ds[key].sel(route=route, indicator=indicator).to_series().dropna()
    return [(str(k), float(v)) for k, v in series.sort_values(ascending=False).head(top).items()]
