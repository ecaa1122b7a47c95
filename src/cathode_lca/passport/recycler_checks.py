"""Recycler-side numbers of an end-of-life route, computed from the route's inventory parameters.

- **Material recovery** (BattReg Annex XII Part C): kg of Co, Ni, Li, Cu recovered per kg of the
  element in the waste battery feed, compared with the 31 Dec 2027 and 31 Dec 2031 targets.
- **Recycling efficiency** (Annex XII Part B): mass of recovered output fractions per kg of feed,
  compared with the 31 Dec 2025 and 31 Dec 2030 targets for lithium-based batteries.
- **Yield on the active material** (R2 of the CFF, CF Rules §6.2.2): recovered element per kg of
  the element contained in the cathode active material of the feed.
- **Allocation at the recycler** (CF Rules §5): mass allocation when the price ratio of the
  co-products is at most 4, economic allocation above; co-products of at most 3 % by mass are
  left out of the ratio.

The methodology delegated act for Annex XII (in force 24 Jul 2025) was not read: recovered
outputs are counted as the product masses the inventory states (Co2+ and Ni2+ "in product" as
element masses, crude Li2CO3, graphite, metal scraps), per kg of the feed the route treats
(cells or modules after dismantling), and copper products are taken as pure copper.

Examples
--------
>>> from cathode_lca.lca import default_model                        # doctest: +SKIP
>>> rec = route_recovery(default_model(), "hydrometallurgical", env)  # doctest: +SKIP
>>> rec.material_recovery["Ni"]                                       # doctest: +SKIP
0.931
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..catalogue import recovered_per_feed
from ..errors import UsageError
from .model_values import parameter_value as _param
from .rules import (
    MATERIAL_RECOVERY_SOURCE,
    MATERIAL_RECOVERY_TARGETS,
    RECYCLER_ALLOCATION_SOURCE,
    RECYCLING_EFFICIENCY_SOURCE,
    RECYCLING_EFFICIENCY_TARGETS,
)

if TYPE_CHECKING:
    from ..lca import LCAModel

#: Feed parameters of the shipped recycling inventories (kg element per kg feed).
FEED_TOTAL = {"Ni": "feed_ni", "Co": "feed_co", "Li": "feed_li", "Mn": "feed_mn", "Cu": "feed_copper"}
FEED_ACTIVE = {"Ni": "feed_cam_ni", "Co": "feed_cam_co", "Li": "feed_cam_li", "Mn": "feed_cam_mn"}
FEED_CAM = "feed_cam"
ANNEX_XII_ELEMENTS = ("Co", "Ni", "Cu", "Li")
#: Element contents read from product properties for the element basis of the output fractions.
BASIS_ELEMENTS = ("Li", "Co", "Ni", "Mn", "Cu", "Al", "Fe")
#: Pass/fail tolerance of every target comparison, in percentage points: floating-point round-off only
#: (94.99999999999999 % passes a 95 % target); far below the precision of any declared rate.
PASS_TOLERANCE_PP = 1e-9
ELEMENT_BASIS_RULE = (
    "Del. Reg. (EU) 2025/606 (in force 24 Jul 2025) sets the calculation; its Annex text was not read. cathode-lca "
    "counts output fractions on the element basis (kg of the recovered element, e.g. Li in crude Li2CO3, not the "
    "carbonate), metal scraps as metal, and graphite as carbon; graphite is counted under the transitional "
    "flexibility reported to run to the end of 2029 (secondary sources, conflicting), and the rate without graphite "
    "is reported beside it. Indicative, not a 2025/606 conformity claim."
)
MASS_SHARE_IGNORED = 0.03
PRICE_RATIO_LIMIT = 4.0


@dataclass(frozen=True)
class RouteRecovery:
    """What an end-of-life route recovers from 1 kg of feed."""

    route: str
    feed_total: dict[str, float]
    feed_active: dict[str, float]
    recovered: dict[str, float]
    outputs: dict[str, float]
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Output fractions on the element basis (kg of the recovered elements per kg feed); empty: not known.
    element_outputs: dict[str, float] = field(default_factory=dict)
    #: Output fractions that are graphite (carbon): counted only while the transitional rule allows it.
    graphite_outputs: tuple[str, ...] = ()

    @property
    def material_recovery(self) -> dict[str, float]:
        """Recovered / element in the feed (Annex XII Part C), for elements present in the feed."""
        return {el: self.recovered.get(el, 0.0) / m for el, m in self.feed_total.items() if m > 0}

    @property
    def active_yield(self) -> dict[str, float]:
        """Recovered / element in the cathode active material of the feed (yield used in R2)."""
        return {el: min(self.recovered.get(el, 0.0) / m, 1.0) for el, m in self.feed_active.items() if m > 0}

    @property
    def recycling_efficiency(self) -> float:
        """Recovered output mass per kg of feed on the element basis, graphite counted (Annex XII Part B)."""
        basis = self.element_outputs or self.outputs
        return float(sum(basis.values()))

    @property
    def recycling_efficiency_without_graphite(self) -> float:
        """As :attr:`recycling_efficiency`, graphite not counted (the conservative reading)."""
        basis = self.element_outputs or self.outputs
        return float(sum(v for k, v in basis.items() if k not in self.graphite_outputs))

    @property
    def recycling_efficiency_compound(self) -> float:
        """Product masses as the inventory states them (compounds such as crude Li2CO3 at full mass)."""
        return float(sum(self.outputs.values()))


def route_dataset(model: Any, route: str) -> Any:
    ds = model.inventory.datasets.get(f"recycling-{route}")
    if ds is None:
        raise UsageError(f"unknown recycling route '{route}'", hint="the inventory has no dataset recycling-" + route)
    return ds


def recovered_outputs(model: LCAModel, route: str, env: Mapping[str, Any]) -> dict[str, float]:
    """Co-products of ``recycling-<route>`` and of the multi-output datasets it consumes, per kg feed."""
    ds = route_dataset(model, route)
    ref = model.nominal(ds.reference_product.amount, env, ds.id)
    out: dict[str, float] = {}
    for p in ds.products:
        if not p.reference:
            out[p.id] = out.get(p.id, 0.0) + model.nominal(p.amount, env, ds.id) / ref
    for ex in ds.exchanges:
        if ex.kind != "input" or ex.target not in model.inventory.products:
            continue
        producer = model.inventory.producer(ex.target)
        if len(producer.products) < 2 or producer.reference_product.id != ex.target:
            continue
        scale = model.nominal(ex.amount, env, ds.id) / ref
        prod_ref = model.nominal(producer.reference_product.amount, env, producer.id)
        for p in producer.products:
            if not p.reference:
                out[p.id] = out.get(p.id, 0.0) + scale * model.nominal(p.amount, env, producer.id) / prod_ref
    return out


def route_recovery(model: LCAModel, route: str, env: Mapping[str, Any]) -> RouteRecovery:
    """Recovery of Ni, Co, Li, Mn and Cu by *route* per kg feed, at the parameters *env*."""
    outputs = recovered_outputs(model, route, env)
    recovered = {el: recovered_per_feed(model, route, el, env) for el in FEED_ACTIVE}
    recovered["Cu"] = sum(kg for pid, kg in outputs.items() if pid.startswith("copper-"))
    feed_total = {el: _param(model, env, name) for el, name in FEED_TOTAL.items()}
    cam = _param(model, env, FEED_CAM)
    feed_active = {el: cam * _param(model, env, name) for el, name in FEED_ACTIVE.items()}
    outputs = {k: v for k, v in outputs.items() if v != 0}
    element_outputs, graphite = element_basis(model, outputs, env)
    return RouteRecovery(
        route=route,
        feed_total=feed_total,
        feed_active=feed_active,
        recovered=recovered,
        outputs=outputs,
        notes=("copper products (ids 'copper-…') are counted as pure copper",),
        element_outputs=element_outputs,
        graphite_outputs=graphite,
    )


def element_basis(
    model: LCAModel, outputs: Mapping[str, float], env: Mapping[str, Any]
) -> tuple[dict[str, float], tuple[str, ...]]:
    """kg of recovered element per kg feed for each output fraction, and the ids of the graphite fractions.

    A product with element contents in its properties counts those (crude Li2CO3 counts its Li); metal
    scraps (aluminium, copper, steel) count their mass as metal; graphite counts as carbon.
    """
    out: dict[str, float] = {}
    graphite: list[str] = []
    for pid, kg in outputs.items():
        product = model.inventory.product(pid)
        dataset = model.inventory.products[pid][0]
        contents = [
            model.nominal(product.properties[el], env, dataset) for el in BASIS_ELEMENTS if el in product.properties
        ]
        if "graphite" in pid:
            graphite.append(pid)
        out[pid] = kg * sum(contents) if contents else kg
    return out, tuple(graphite)


def allocation_by_price_ratio(model: LCAModel, route: str, env: Mapping[str, Any]) -> dict[str, Any]:
    """Mass or economic allocation for the recycler's co-products, by the CF Rules §5 price-ratio test."""
    ds = route_dataset(model, route)
    rows = []
    for p in ds.products:
        if p.reference:
            continue
        amount = model.nominal(p.amount, env, ds.id)
        price = model.nominal(p.properties["price"], env, ds.id) if "price" in p.properties else None
        rows.append({"product": p.id, "kg_per_kg_feed": amount, "price_usd_per_kg": price})
    total = sum(r["kg_per_kg_feed"] for r in rows)
    considered = [
        r
        for r in rows
        if total > 0 and r["kg_per_kg_feed"] / total > MASS_SHARE_IGNORED and r["price_usd_per_kg"] is not None
    ]
    prices = [r["price_usd_per_kg"] for r in considered if r["price_usd_per_kg"] > 0]
    ratio = 1.0 if len(prices) < 2 else max(prices) / min(prices)
    allocation = "mass" if ratio <= PRICE_RATIO_LIMIT else "economic"
    for r in rows:
        r["mass_share"] = r["kg_per_kg_feed"] / total if total else 0.0
        r["in_price_ratio"] = r in considered
    return {
        "route": route,
        "allocation": allocation,
        "priceRatio": ratio,
        "coProducts": rows,
        "rule": RECYCLER_ALLOCATION_SOURCE,
    }


def annex_xii_checks(recovery: RouteRecovery, battery_type: str = "lithium-based") -> dict[str, Any]:
    """Material recovery (Co, Ni, Cu, Li) and recycling efficiency against the Annex XII targets."""
    material: dict[str, dict[str, Any]] = {}
    for el in ANNEX_XII_ELEMENTS:
        if recovery.feed_total.get(el, 0.0) <= 0:
            material[el] = {"present": False}
            continue
        pct = 100.0 * recovery.material_recovery[el]
        targets = MATERIAL_RECOVERY_TARGETS[el]
        material[el] = {
            "present": True,
            "recoveredKgPerKgFeed": recovery.recovered.get(el, 0.0),
            "inFeedKgPerKgFeed": recovery.feed_total[el],
            "materialRecoveryPercent": pct,
            "targets": {year: _check(pct, t) for year, t in targets.items()},
        }
    efficiency = 100.0 * recovery.recycling_efficiency
    without_graphite = 100.0 * recovery.recycling_efficiency_without_graphite
    eff_targets = RECYCLING_EFFICIENCY_TARGETS[battery_type]
    return {
        "route": recovery.route,
        "materialRecovery": material,
        "materialRecoverySource": MATERIAL_RECOVERY_SOURCE,
        "recyclingEfficiency": {
            "batteryType": battery_type,
            "percent": efficiency,
            "basis": "element" if recovery.element_outputs else "product mass (element contents not known)",
            "basisRule": ELEMENT_BASIS_RULE,
            "outputsKgPerKgFeed": dict(recovery.outputs),
            "elementOutputsKgPerKgFeed": dict(recovery.element_outputs),
            "graphiteOutputs": list(recovery.graphite_outputs),
            "percentWithoutGraphite": without_graphite,
            "percentCompoundBasis": 100.0 * recovery.recycling_efficiency_compound,
            "targets": {year: _check(efficiency, t) for year, t in eff_targets.items() if t is not None},
            "targetsWithoutGraphite": {
                year: _check(without_graphite, t) for year, t in eff_targets.items() if t is not None
            },
            "tolerancePercentagePoints": PASS_TOLERANCE_PP,
            "source": RECYCLING_EFFICIENCY_SOURCE,
        },
        "notes": [
            "per kg of the feed the route treats (cells or modules after dismantling); pack parts removed at "
            "dismantling are not counted",
            "indicative: the methodology of Del. Reg. (EU) 2025/606 is not implemented (its Annex text was not read); "
            "outputs on the element basis, see recyclingEfficiency.basisRule",
            *recovery.notes,
        ],
    }


def _check(actual_percent: float, target_percent: float) -> dict[str, Any]:
    return {
        "targetPercent": target_percent,
        "pass": actual_percent >= target_percent - PASS_TOLERANCE_PP,
        "gapPercentagePoints": max(0.0, target_percent - actual_percent),
    }
