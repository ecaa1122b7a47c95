"""Partition of multi-output recycling steps, made explicit for every route of a comparison.

A recycling step treats one kg of feed and yields several co-products (Co2+, Ni2+, Mn2+ in
product, crude Li2CO3, graphite, scrap). When the functional unit is one of those co-products
(``kg-metal:*``, ``kg-salt:*``), the step's burden must be partitioned among them; otherwise the
whole treatment is charged once per metal and one recycler's burden is counted several times.

Allowed options for metal and salt units
----------------------------------------
``economic`` (default)
    Share = amount × price / Σ amount × price, with multi-year average prices (parameters
    ``price_*``, each citing its series). This is the default because the EU battery
    carbon-footprint rules (JRC CF rules §5, recycler side) ask for subdivision, then system
    expansion only with a representative alternative route, then mass allocation when the
    co-products' price ratio is at most 4 and economic allocation when it is above 4; the
    recovered metals' price ratio is far above 4 (Co : Mn ≈ 14 with the shipped prices).
    ISO 14044 §4.3.4.2 gives the same order (avoid, physical relationship, other relationship).
``mass``
    Share = amount × mass basis / Σ amount × mass basis. The basis is the ``mass`` property of
    each co-product: for the recovered metal intermediates and crude Li2CO3 that is the
    contained element (kg Li, not kg Li2CO3), so all co-products of one step are on one basis.
``system-expansion``
    The functional co-product carries the whole treatment; every other co-product is credited
    with the product it displaces (named in the ``allocation`` block: a ``substitutes`` product
    of the inventory, or the virgin battery-grade salt of its element net of its conversion).

``none`` and ``cut-off`` are refused for recycled routes under these units: they charge the
whole feed treatment to each co-product.

Examples
--------
>>> default_allocation("kg-metal")
'economic'
>>> default_allocation("kg-cam")
'none'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import UsageError
from .inventory.formulas import Formula

if TYPE_CHECKING:
    from .lca import LCAModel

CO_PRODUCT_UNITS = ("kg-metal", "kg-salt")
CO_PRODUCT_ALLOCATIONS = ("economic", "mass", "system-expansion")
DEFAULT_CO_PRODUCT_ALLOCATION = "economic"
PRICE_RATIO_LIMIT = 4.0
"""JRC CF rules §5: mass allocation when the co-products' price ratio is ≤ 4, economic above."""

BASIS_TEXT = {
    "economic": "economic: amount x multi-year average price (USD/kg) of each co-product",
    "mass": "mass: amount x 'mass' property of each co-product (kg contained element for metal "
    "intermediates and crude Li2CO3; kg product for materials sold as such)",
    "system-expansion": "system expansion: the functional product carries the whole burden; "
    "other co-products are credited with the product they displace",
    "none": "none: the reference product (the treatment service) carries the whole burden; co-products are burden-free",
    "cut-off": "cut-off: the reference product (the treatment service) carries the whole burden; "
    "co-products are burden-free",
}


def default_allocation(unit_kind: str) -> str:
    """Default allocation for a functional-unit kind (``kg-metal``, ``kg-cam``, ...)."""
    return DEFAULT_CO_PRODUCT_ALLOCATION if unit_kind in CO_PRODUCT_UNITS else "none"


def resolve_allocation(unit: str, allocation: str | None) -> str:
    """*allocation*, or the default of the functional unit *unit* when it is ``None`` or empty.

    >>> resolve_allocation("kg-metal:Co", None), resolve_allocation("kg-cam", None), resolve_allocation("kg-cam", "mass")
    ('economic', 'none', 'mass')
    """
    return allocation or default_allocation(unit.partition(":")[0].strip().lower())


def check_allocation(unit_kind: str, unit: str, allocation: str, routes: Sequence[str]) -> None:
    """Refuse an allocation that has no meaning for a co-product functional unit."""
    recycled = [r for r in routes if r != "virgin"]
    if unit_kind in CO_PRODUCT_UNITS and recycled and allocation not in CO_PRODUCT_ALLOCATIONS:
        raise UsageError(
            f"--allocation {allocation} has no meaning for --unit {unit} on recycled routes: "
            "the recycling step yields several co-products (metals, lithium salt, graphite), and "
            f"'{allocation}' would charge the whole feed treatment to each of them",
            hint="use --allocation economic (default for metal and salt units, EU CF rules: price ratio > 4), "
            "--allocation mass (contained-element basis) or --allocation system-expansion; "
            "or --route virgin only",
        )


def _value(model: LCAModel, dataset_id: str, value: float | Formula, env: Mapping[str, Any]) -> float:
    """First sample of ``model.value`` (the block reports the nominal partition)."""
    return model.nominal(value, env, dataset_id)


def _source(model: LCAModel, product: Any, value: float | Formula | None, fallback: str) -> str:
    """The citation behind a property: the parameter's source when the property names one parameter."""
    if isinstance(value, Formula):
        name = value.text.strip()
        try:
            param = model.parameters.parameters[model.parameters.key(name)]
        except Exception:
            return f"formula '{name}'; {product.source or fallback}"
        text = param.source or ""
        if param.note:
            text = f"{text} ({param.note})" if text else param.note
        return text or fallback
    return product.source or fallback


def _basis(model: LCAModel, ds: Any, product: Any, allocation: str, env: Mapping[str, Any]) -> tuple[float, str]:
    from .units import conversion_factor, is_mass

    if allocation in ("mass", "economic"):
        prop = "mass" if allocation == "mass" else "price"
        value = product.properties.get(prop)
        if value is None and prop == "mass" and is_mass(product.unit):
            return conversion_factor(product.unit, "kg"), f"product mass ({product.unit})"
        if value is None:
            return float("nan"), f"no '{prop}' property"
        return _value(model, ds.id, value, env), _source(model, product, value, "inventory")
    return float("nan"), ""


def supply_chain_datasets(model: LCAModel, products: Sequence[str], allocation: str) -> list[str]:
    """Datasets in the supply chains of *products* under *allocation* (consumers first)."""
    matrices = model.matrices(allocation)
    cols = sorted({matrices.product_index[model.product_id(p)] for p in products})
    if not cols:
        return []
    solver = model.solver(allocation, cols)
    seen: dict[str, None] = {}
    for col in list(solver.fg) + list(solver.bg):
        seen.setdefault(matrices.column_dataset[int(col)], None)
    return list(seen)


def partition(
    model: LCAModel,
    route: str,
    demand: Mapping[str, Any],
    allocation: str,
    env: Mapping[str, Any],
    functional: str | None = None,
    credits: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One entry per multi-output dataset in the supply chain of *demand*.

    Each entry is ``{route, process, basis, coproducts: [{product, amount, unit, factor,
    basis_value, source}]}``; the factors of one process sum to 1. *functional* is the
    co-product the functional unit is made from (system expansion gives it the whole burden);
    *credits* are the displaced products that the comparison adds to the demand.
    """
    datasets = supply_chain_datasets(model, [p for p in demand if p in model.inventory.products], allocation)
    out: list[dict[str, Any]] = []
    for ds_id in datasets:
        ds = model.inventory.datasets[ds_id]
        if len(ds.products) < 2:
            continue
        rows: list[dict[str, Any]] = []
        for p in ds.products:
            amount = _value(model, ds.id, p.amount, env)
            value, source = _basis(model, ds, p, allocation, env)
            rows.append(
                {
                    "product": p.id,
                    "amount": amount,
                    "unit": p.unit,
                    "factor": 0.0,
                    "basis_value": None if np.isnan(value) else value,
                    "source": source,
                }
            )
        if allocation in ("mass", "economic"):
            weights = [r["amount"] * (r["basis_value"] or 0.0) for r in rows]
            total = sum(weights)
            for r, w in zip(rows, weights, strict=True):
                r["factor"] = w / total if total else float("nan")
            prices = [r["basis_value"] for r in rows if r["basis_value"] and r["amount"] > 0]
            entry_extra = {}
            if allocation == "economic" and prices:
                entry_extra["price_ratio"] = max(prices) / min(prices)
        else:
            carrier = functional if functional in {p.id for p in ds.products} else ds.reference_product.id
            entry_extra = {}
            for r, p in zip(rows, ds.products, strict=True):
                r["factor"] = 1.0 if p.id == carrier else 0.0
                if allocation == "system-expansion" and p.id != carrier:
                    avoided = p.substitutes or next(
                        (c["avoided"] for c in credits if c["coproduct"] == p.id and c["process"] == ds.id), None
                    )
                    if avoided:
                        r["avoided"] = avoided
                        r["source"] = (
                            "inventory 'substitutes'"
                            if p.substitutes
                            else next(c["source"] for c in credits if c["coproduct"] == p.id)
                        )
        out.append(
            {
                "route": route,
                "process": ds.id,
                "basis": BASIS_TEXT.get(allocation, allocation),
                **entry_extra,
                "coproducts": rows,
            }
        )
    return out
