"""PEF-style data quality rating (DQR) per dataset and, contribution-weighted, per result.

Per dataset, the four EF criteria are read from the pedigree scores of its exchanges (explicit, or
the default of their source family, ``inventories/quality.yaml``), averaged over the exchanges:

=====  =========================================  ==================================
EF     meaning                                    pedigree indicator used
=====  =========================================  ==================================
TeR    technological representativeness           technological correlation
GeR    geographical representativeness            geographical correlation
TiR    time-related representativeness            temporal correlation
P      precision                                  reliability
=====  =========================================  ==================================

``DQR = (TeR + GeR + TiR + P) / 4`` and the quality levels (≤ 1.5 excellent, ≤ 2 very good, ≤ 3
good, ≤ 4 fair, else poor) are the values commonly quoted for the EF method (Recommendation (EU)
2021/2279); they could **not** be checked against the legal text and are marked unverified in the
output (``rule``). A result's DQR weights each dataset by the absolute share of its direct
contribution to the indicator, ``|c_j| = |(C B)_j s_j|``, computed here from the full system at the
deterministic parameter values (``s = A⁻¹ f``).

Examples
--------
>>> quality_level(1.8)
'very good'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .defaults import QualityConfig, load_quality, quality_of

if TYPE_CHECKING:
    from ..lca import LCAModel

CRITERIA = {"TeR": "technological", "GeR": "geographical", "TiR": "temporal", "P": "reliability"}
LEVELS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"))
RULE = (
    "PEF-2021 as commonly quoted: DQR = (TeR + GeR + TiR + P) / 4, levels 1.5/2/3/4 — unverified against "
    "Recommendation (EU) 2021/2279; criteria from pedigree scores (TeR: technological, GeR: geographical, "
    "TiR: temporal, P: reliability)"
)


def quality_level(dqr: float) -> str:
    """Quality level of a DQR value (placeholder class limits, see :data:`RULE`)."""
    for limit, name in LEVELS:
        if dqr <= limit:
            return name
    return "poor"


def _rating(criteria: Mapping[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {k: round(float(criteria[k]), 3) for k in CRITERIA}
    out["DQR"] = round(sum(float(criteria[k]) for k in CRITERIA) / len(CRITERIA), 3)
    out["level"] = quality_level(out["DQR"])
    return out


def dataset_dqr(model: LCAModel, dataset_id: str, config: QualityConfig | None = None) -> dict[str, Any]:
    """TeR, GeR, TiR, P (means over the dataset's exchanges), DQR and quality level of one dataset."""
    config = config or load_quality()
    ds = model.inventory.datasets[dataset_id]
    items: list[Any] = [*ds.exchanges] or [*ds.products]  # exchanges, or the products when there are none
    scores = [quality_of(item, None, config)[0] for item in items]
    if not scores:  # a dataset without exchanges: the family of its own source
        scores = [dict(config.family(ds.note or "").quality)]
    return _rating({k: float(np.mean([s[p] for s in scores])) for k, p in CRITERIA.items()})


def contributions(
    model: LCAModel, demand: Mapping[str, float], methods: Sequence[Any], env: Any, allocation: str
) -> np.ndarray:
    """Direct contribution of every column (method, column) at scalar parameters *env*: ``(C B)_j s_j``."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve

    m = model.matrices(allocation)
    A = sp.csc_matrix((m.static_data(m.A, env), (m.A["rows"], m.A["cols"])), shape=(m.n, m.n))
    B = sp.csr_matrix((m.static_data(m.B, env), (m.B["rows"], m.B["cols"])), shape=(len(m.flows), m.n))
    f = np.zeros(m.n)
    for name, amount in demand.items():
        f[m.product_index[model.product_id(name)]] += float(amount)
    s = np.atleast_1d(spsolve(A, f))
    C = np.vstack([meth.vector(m.flows) for meth in methods])
    return np.asarray(B.T.dot(C.T)).T * s[None, :]


def result_dqr(
    model: LCAModel,
    demand: Mapping[str, float],
    methods: Sequence[Any],
    env: Any,
    allocation: str,
    config: QualityConfig | None = None,
) -> list[dict[str, Any]]:
    """Contribution-weighted DQR per method: ``Σ_j w_j criterion_j`` with ``w_j = |c_j| / Σ|c_j|``."""
    config = config or load_quality()
    m = model.matrices(allocation)
    contrib = np.abs(contributions(model, demand, methods, env, allocation))
    cache: dict[str, dict[str, Any]] = {}
    out = []
    for i in range(len(methods)):
        total = contrib[i].sum()
        cols = np.nonzero(contrib[i])[0]
        if total == 0 or not len(cols):
            out.append({"DQR": None, "level": None, "note": "no contribution: nothing to rate"})
            continue
        weighted = dict.fromkeys(CRITERIA, 0.0)
        for col in cols:
            ds_id = m.column_dataset[int(col)]
            if ds_id not in cache:
                cache[ds_id] = dataset_dqr(model, ds_id, config)
            for k in CRITERIA:
                weighted[k] += contrib[i, col] / total * cache[ds_id][k]
        rating = _rating(weighted)
        top = cols[np.argsort(-contrib[i, cols])][:3]
        rating["datasets"] = len(cols)
        rating["largest_contributors"] = [
            {"dataset": m.column_dataset[int(c)], "share": round(float(contrib[i, c] / total), 4)} for c in top
        ]
        out.append(rating)
    return out


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
    demands = route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)[0]
    results: dict[str, dict[str, Any]] = {}
    for rd in demands:
        if rd.demand:
            ratings = result_dqr(model, rd.demand, setup.methods, setup.env, allocation)
            results[rd.route] = dict(zip(indicators, ratings, strict=True))
    return {"rule": RULE, "results": results}
