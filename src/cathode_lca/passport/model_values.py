"""Small helpers around the engine for the passport: burden vectors and climate methods.

Shared by :mod:`.model_data`, :mod:`.recycler_checks` and :mod:`.eol_data`, so that none of them
imports another for them.

Examples
--------
>>> vec(2.0, fossil=1.5).tolist()
[2.0, 1.5, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .rules import GWP_METHOD

if TYPE_CHECKING:
    from ..lca import LCAModel

FOSSIL_FLOWS = ("co2-fossil-air", "ch4-fossil-air")
BIOGENIC_FLOWS = ("ch4-biogenic-air",)


def vec(total: float, fossil: float = 0.0, biogenic: float = 0.0, land_use: float = 0.0) -> np.ndarray:
    """A burden vector [total, fossil, biogenic, land_use] (kg CO2-eq)."""
    return np.array([total, fossil, biogenic, land_use], dtype=float)


def climate_methods() -> list[Any]:
    """The GWP method and its fossil and biogenic restrictions (same factors, fewer flows)."""
    from ..methods import Method, load_method

    base = load_method(GWP_METHOD)

    def restricted(suffix: str, flows: Sequence[str]) -> Method:
        factors = {f: v for f, v in base.factors.items() if f in flows}
        return Method(
            f"{base.id}-{suffix}", f"{base.name}, {suffix}", base.indicator, base.unit, base.source, factors, base.file
        )

    return [base, restricted("fossil", FOSSIL_FLOWS), restricted("biogenic", BIOGENIC_FLOWS)]


def burdens(
    model: LCAModel, products: Sequence[str], parameters: Mapping[str, Any], allocation: str = "none"
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, np.ndarray]], dict[str, Any]]:
    """Burden vector and by-stage-tag vectors of 1 unit of each product, in one vectorised solve.

    Returns ``(total, by_tag, attrs)``: ``total[p]`` is the vector, ``by_tag[p][tag]`` the
    vectors by stage tag (summing to the total), ``attrs`` the provenance of the result.
    """
    products = list(dict.fromkeys(products))
    if not products:
        return {}, {}, {}
    n = len(products)
    demand = {p: np.eye(n)[i] for i, p in enumerate(products)}
    ds = model.calculate(
        demand, methods=climate_methods(), parameters=dict(parameters), allocation=allocation, keep_sample=True
    )
    score = np.asarray(ds.score.values)  # (3, S)
    stages = ds.stage.values.tolist() if "stage" in ds.coords else []
    by_stage = np.asarray(ds.contribution_by_stage.values) if stages else np.zeros((3, 0, n))
    total: dict[str, np.ndarray] = {}
    by_tag: dict[str, dict[str, np.ndarray]] = {}
    for i, p in enumerate(products):
        total[p] = vec(*score[:, i])
        by_tag[p] = {s: vec(*by_stage[:, k, i]) for k, s in enumerate(stages) if np.any(by_stage[:, k, i] != 0)}
    return total, by_tag, dict(ds.attrs)


def scalar(x: Any) -> float:
    return float(np.asarray(x, dtype=float).ravel()[0])


def parameter_value(model: LCAModel, env: Mapping[str, Any], name: str) -> float:
    try:
        key = model.parameters.key(name)
    except Exception:
        raise UsageError(
            f"the inventory has no parameter '{name}', needed for the recycler checks",
            hint="use the shipped recycling inventories (inventories/recycling/)",
        ) from None
    return scalar(env[key])
