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
    demands_dqr,
    quality_level,
    result_dqr,
    weighted_rating,
)

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
    from ..comparison import prepare

    setup = prepare(chemistry, routes, region, allocation or "", unit, indicators, parameters, model)
    demands = {rd.route: rd.demand for rd in setup.demands if rd.demand}
    return demands_dqr(setup.model, demands, setup.methods, indicators, setup.env, setup.allocation)
