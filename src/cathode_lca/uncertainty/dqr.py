"""The DQR of a comparison: every route and indicator (the ratings themselves are in :mod:`cathode_lca.quality.dqr`).

Examples
--------
>>> comparison_dqr("NMC811", routes=["virgin"], indicators=["gwp100"])["results"]["virgin"]["gwp100"]["level"]  # doctest: +SKIP
'good'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# moved to quality.dqr (below passport and uncertainty); re-exported for existing callers
from ..quality.dqr import (  # noqa: F401
    CRITERIA,
    LEVELS,
    RULE,
    contributions,
    contributions_many,
    dataset_dqr,
    quality_level,
    result_dqr,
    weighted_rating,
)
from ..quality.scores import load_quality

if TYPE_CHECKING:
    from ..lca import LCAModel


def comparison_dqr(
    chemistry: str,
    *,
    routes: Sequence[str] | None = None,
    region: str = "US",
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] = ("gwp100", "energy", "water"),
    parameters: Mapping[str, Any] | None = None,
    model: LCAModel | None = None,
) -> dict[str, Any]:
    """DQR of every route and indicator of a comparison (same options as :func:`compare`)."""
    from ..comparison import prepare, route_demands

    setup = prepare(chemistry, routes, region, allocation or "", unit, indicators, parameters, model)
    model, allocation = setup.model, setup.allocation  # None or "" takes the unit's default allocation
    demands = [rd for rd in route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)[0] if rd.demand]
    config = load_quality()
    cache: dict[str, dict[str, Any]] = {}
    rows = contributions_many(model, [rd.demand for rd in demands], setup.methods, setup.env, allocation)  # one LU
    results: dict[str, dict[str, Any]] = {}
    for rd, contrib in zip(demands, rows, strict=True):
        ratings = [weighted_rating(model, allocation, contrib[i], config, cache) for i in range(len(setup.methods))]
        results[rd.route] = dict(zip(indicators, ratings, strict=True))
    return {"rule": RULE, "results": results}
