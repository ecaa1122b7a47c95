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

The four criteria, each rated on five levels and each weighted separately over the processes, are
what Recommendation (EU) 2021/2279, Annex I §4.6.5 says as far as it was read (docs/data/quality.md).
``DQR = (TeR + GeR + TiR + P) / 4`` and the quality levels (≤ 1.5 excellent, ≤ 2 very good, ≤ 3
good, ≤ 4 fair, else poor) are the values commonly quoted for the EF method; Equation 19 and the
level table were **not** in the text read, and the output (``rule``) marks these two unverified. A
result's DQR weights each dataset by the absolute share of its direct
contribution to the indicator, ``|c_j| = |(C B)_j s_j|``, computed here from the full system at the
deterministic parameter values (``s = A⁻¹ f``; one factorisation of ``A`` serves every demand of a
call). Each rating says which share of that weight has explicit scores and which is inherited from
the source-family defaults (``explicitPercent``, ``inheritedFrom``).

Examples
--------
>>> quality_level(1.8)
'very good'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inventory.formulas import Formula
from .scores import QualityConfig, load_quality, quality_of

if TYPE_CHECKING:
    from ..lca import LCAModel
    from ..methods import Method

CRITERIA = {"TeR": "technological", "GeR": "geographical", "TiR": "temporal", "P": "reliability"}
LEVELS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"))
RULE = (
    "PEF (Recommendation (EU) 2021/2279, Annex I §4.6.5), confirmed in the text read: four criteria, TeR, GeR, TiR "
    "and P, each rated on five levels and each weighted separately over the processes; unverified: "
    "DQR = (TeR + GeR + TiR + P) / 4 and the level limits 1.5/2/3/4 (excellent, very good, good, fair), as commonly "
    "quoted (Equation 19 and the level table were not in the text read); the criteria come from pedigree scores by "
    "cathode-lca's mapping (TeR: technological, GeR: geographical, TiR: temporal, P: reliability)"
)


def quality_level(dqr: float) -> str:
    """Quality level of a DQR value (placeholder class limits, see :data:`RULE`)."""
    for limit, name in LEVELS:
        if dqr <= limit:
            return name
    return "poor"


def rating(criteria: Mapping[str, float]) -> dict[str, Any]:
    """TeR, GeR, TiR, P (rounded), their mean DQR and its quality level."""
    out: dict[str, Any] = {k: round(float(criteria[k]), 3) for k in CRITERIA}
    out["DQR"] = round(sum(float(criteria[k]) for k in CRITERIA) / len(CRITERIA), 3)
    out["level"] = quality_level(out["DQR"])
    return out


def pedigree_rating(scores: Mapping[str, int]) -> dict[str, Any]:
    """Rating of one number with explicit pedigree *scores* (e.g. a supplier value), all explicit.

    >>> pedigree_rating({"reliability": 2, "completeness": 1, "temporal": 1, "geographical": 2, "technological": 3})["DQR"]
    2.0
    """
    out = rating({k: float(scores[p]) for k, p in CRITERIA.items()})
    out["explicitPercent"] = 100.0
    out["inheritedFrom"] = {}
    return out


#: One number an exchange's rating rests on: its scores, whether they are explicit, the source family it
#: inherits them from, and its share of the exchange (a link to several parameters splits the exchange).
Rated = tuple[dict[str, int], bool, str, float]


def _value_parameters(model: LCAModel, dataset: Any, formula: Formula) -> list[str]:
    """Keys of the numeric parameters a formula of *dataset* depends on (transitively, through formulas)."""
    resolve = model.inventory.resolver(dataset)
    deps: Mapping[str, Any] = getattr(model.parameters, "_deps", {})
    seen: set[str] = set()
    stack = [resolve(name) for name in formula.names]
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(deps.get(key, ()))
    params = model.parameters.parameters
    return sorted(k for k in seen if params[k].kind == "value")


def exchange_ratings(model: LCAModel, dataset: Any, item: Any, config: QualityConfig) -> list[Rated]:
    """The numbers behind one exchange's rating; empty for a definition or a switch.

    Explicit scores and scores of a non-exact source family rate the exchange itself. An exchange of an
    exact family (``exact-constant``, ``model-structure``) carries no data of its own: when its amount is a
    formula of rated parameters (``amount: supplier_electricity_ghg``, a stoichiometric factor times a
    salt input), it is rated on those parameters' lines, each an equal share; otherwise (a unit identity,
    a conversion convention, a 0/1 switch) it is left out of the dataset's means.
    """
    scores, fam = quality_of(item, None, config)
    if getattr(item, "quality", None):
        return [(scores, True, fam.id, 1.0)]
    if not fam.exact:
        return [(scores, False, fam.id, 1.0)]
    if not isinstance(item.amount, Formula):
        return []
    params = model.parameters.parameters
    rated: list[tuple[dict[str, int], bool, str]] = []
    for key in _value_parameters(model, dataset, item.amount):
        p = params[key]
        p_scores, p_fam = quality_of(p, p.name, config)
        explicit = bool(getattr(p, "quality", None))
        if getattr(p, "exact", False) or (p_fam.exact and not explicit):
            continue  # molar masses, conventions, switches
        rated.append((p_scores, explicit, p_fam.id))
    return [(s, explicit, fam_id, 1.0 / len(rated)) for s, explicit, fam_id in rated]


def dataset_dqr(model: LCAModel, dataset_id: str, config: QualityConfig | None = None) -> dict[str, Any]:
    """TeR, GeR, TiR, P (means over the numbers behind the dataset's exchanges), DQR and quality level.

    Each exchange counts once (see :func:`exchange_ratings`: a link is rated on the parameters it names,
    a definition or switch is left out). A dataset with no rated number keeps its exchanges' own scores
    (those of their exact families), and one without exchanges the family of its note. Also
    ``explicitShare`` (the share of the rated numbers with explicit scores) and ``families`` (the share
    that inherits each source family's default).
    """
    config = config or load_quality()
    ds = model.inventory.datasets[dataset_id]
    rows = [r for item in ds.exchanges for r in exchange_ratings(model, ds, item, config)]
    if not rows and ds.exchanges:  # only definitions and switches: their own (exact-family) scores
        rows = [(s, False, fam.id, 1.0) for s, fam in (quality_of(item, None, config) for item in ds.exchanges)]
    if not rows:  # a dataset without exchanges (e.g. an all-zero GREET row): the family of its note
        fam = config.family(ds.note or "")
        rows = [(dict(fam.quality), False, fam.id, 1.0)]
    n = sum(share for *_, share in rows)
    out = rating({k: sum(share * s[p] for s, _, _, share in rows) / n for k, p in CRITERIA.items()})
    out["explicitShare"] = sum(share for _, explicit, _, share in rows if explicit) / n
    families: dict[str, float] = {}
    for _, explicit, fam_id, share in rows:
        if not explicit:
            families[fam_id] = families.get(fam_id, 0.0) + share / n
    out["families"] = families
    return out


def _system(model: LCAModel, env: Mapping[str, Any], allocation: str) -> tuple[Any, Any, Any]:
    import scipy.sparse as sp

    m = model.matrices(allocation)
    env = dict(env)
    A = sp.csc_matrix((m.static_data(m.A, env), (m.A["rows"], m.A["cols"])), shape=(m.n, m.n))
    B = sp.csr_matrix((m.static_data(m.B, env), (m.B["rows"], m.B["cols"])), shape=(len(m.flows), m.n))
    return m, A, B


def contributions(
    model: LCAModel,
    demand: Mapping[str, float],
    methods: Sequence[Method],
    env: Mapping[str, Any],
    allocation: str,
) -> np.ndarray:
    """Direct contribution of every column (method, column) at scalar parameters *env*: ``(C B)_j s_j``."""
    return contributions_many(model, [demand], methods, env, allocation)[0]


def contributions_many(
    model: LCAModel,
    demands: Sequence[Mapping[str, float]],
    methods: Sequence[Method],
    env: Mapping[str, Any],
    allocation: str,
) -> list[np.ndarray]:
    """:func:`contributions` of several demands with one factorisation of ``A``."""
    from scipy.sparse.linalg import splu

    m, A, B = _system(model, env, allocation)
    F = np.zeros((m.n, len(demands)))
    for i, demand in enumerate(demands):
        for name, amount in demand.items():
            F[m.product_index[model.product_id(name)], i] += float(amount)
    S = splu(A).solve(F) if len(demands) else F
    CB = np.asarray(B.T.dot(np.vstack([meth.vector(m.flows) for meth in methods]).T)).T  # (method, column)
    return [CB * S[None, :, i] for i in range(len(demands))]


def weighted_rating(
    model: LCAModel, allocation: str, contrib: np.ndarray, config: QualityConfig, cache: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Contribution-weighted rating of one result row: ``Σ_j w_j criterion_j`` with ``w_j = |c_j| / Σ|c_j|``."""
    m = model.matrices(allocation)
    weights = np.abs(contrib)
    total = weights.sum()
    cols = np.nonzero(weights)[0]
    if total == 0 or not len(cols):
        return {"DQR": None, "level": None, "note": "no contribution: nothing to rate"}
    weighted = dict.fromkeys(CRITERIA, 0.0)
    explicit = 0.0
    inherited: dict[str, float] = {}
    for col in cols:
        ds_id = m.column_dataset[int(col)]
        if ds_id not in cache:
            cache[ds_id] = dataset_dqr(model, ds_id, config)
        w = weights[col] / total
        for k in CRITERIA:
            weighted[k] += w * cache[ds_id][k]
        explicit += w * cache[ds_id]["explicitShare"]
        for fam, share in cache[ds_id]["families"].items():
            inherited[fam] = inherited.get(fam, 0.0) + 100.0 * w * share
    out = rating(weighted)
    top = cols[np.argsort(-weights[cols])][:3]
    out["datasets"] = len(cols)
    out["largest_contributors"] = [
        {"dataset": m.column_dataset[int(c)], "share": round(float(weights[c] / total), 4)} for c in top
    ]
    out["explicitPercent"] = round(100.0 * explicit, 2)
    out["inheritedFrom"] = {k: round(v, 2) for k, v in sorted(inherited.items(), key=lambda kv: -kv[1])}
    return out


def demands_dqr(
    model: LCAModel,
    demands: Mapping[str, Mapping[str, float]],
    methods: Sequence[Method],
    indicators: Sequence[str],
    env: Mapping[str, Any],
    allocation: str,
    config: QualityConfig | None = None,
) -> dict[str, Any]:
    """Contribution-weighted DQR of several labelled demands (e.g. one per route) from one factorisation.

    Returns ``{"rule": RULE, "results": {label: {indicator: rating}}}``, the *indicators* naming the
    *methods* in order.

    Examples
    --------
    >>> out = demands_dqr(model, {"virgin": {"cam-nmc811-virgin": 1.0}}, methods, ["gwp100"], env, "none")  # doctest: +SKIP
    >>> out["results"]["virgin"]["gwp100"]["level"]                                                       # doctest: +SKIP
    'good'
    """
    rows = _ratings(model, list(demands.values()), methods, env, allocation, config)
    results = {label: dict(zip(indicators, row, strict=True)) for label, row in zip(demands, rows, strict=True)}
    return {"rule": RULE, "results": results}


def _ratings(
    model: LCAModel,
    demands: Sequence[Mapping[str, float]],
    methods: Sequence[Method],
    env: Mapping[str, Any],
    allocation: str,
    config: QualityConfig | None,
    cache: dict[str, dict[str, Any]] | None = None,
) -> list[list[dict[str, Any]]]:
    """Contribution-weighted rating per demand and method, from one factorisation.

    *cache* (dataset id -> its rating) is filled and may be shared between calls.
    """
    config = config or load_quality()
    cache = {} if cache is None else cache
    rows = contributions_many(model, demands, methods, env, allocation)  # one LU
    return [
        [weighted_rating(model, allocation, contrib[i], config, cache) for i in range(len(methods))] for contrib in rows
    ]


def result_dqr(
    model: LCAModel,
    demand: Mapping[str, float],
    methods: Sequence[Method],
    env: Mapping[str, Any],
    allocation: str,
    config: QualityConfig | None = None,
) -> list[dict[str, Any]]:
    """Contribution-weighted DQR per method (see :func:`weighted_rating`)."""
    return _ratings(model, [demand], methods, env, allocation, config)[0]


def product_ratings(
    model: LCAModel,
    products: Sequence[str],
    method: Method,
    env: Mapping[str, Any],
    allocation: str,
    config: QualityConfig | None = None,
    cache: dict[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Contribution-weighted DQR of one unit of each product for *method*, from one factorisation.

    *cache* keeps the per-dataset ratings between calls (they do not depend on the parameters).
    """
    products = list(dict.fromkeys(products))
    rows = _ratings(model, [{p: 1.0} for p in products], [method], env, allocation, config, cache)
    return {p: row[0] for p, row in zip(products, rows, strict=True)}
