"""Contribution-weighted data quality ratings of the products behind the declaration's line items.

Each product a line item uses is rated for the GWP method at the same parameters and allocation
as its burden (:func:`cathode_lca.quality.dqr.product_ratings`: one factorisation per group of
products). :func:`cathode_lca.passport.compliance.dqr` then weights the ratings by the line items'
absolute kg CO2-eq per stage and in total.

Examples
--------
>>> ratings = rate_products(model, [(["graphite-greet2022"], {}, "none")])   # doctest: +SKIP
>>> ratings["graphite-greet2022"]["DQR"], ratings["graphite-greet2022"]["inheritedFrom"]   # doctest: +SKIP
(2.5, {'greet-average': 100.0})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model_values import climate_methods

if TYPE_CHECKING:
    from ..lca import LCAModel

#: (product ids, model parameters, allocation) of one group of products rated together.
Group = tuple[Sequence[str], Mapping[str, Any], str]


def rate_products(model: LCAModel, groups: Sequence[Group]) -> dict[str, dict[str, Any]]:
    """Rating of every product of *groups*; a product in several groups keeps its first rating."""
    from ..quality.dqr import product_ratings

    method = climate_methods()[0]
    merged: dict[str, tuple[list[str], Mapping[str, Any], str]] = {}  # same parameters and allocation: one solve
    for products, params, allocation in groups:
        key = repr((sorted((k, repr(v)) for k, v in params.items()), allocation))
        merged.setdefault(key, ([], params, allocation))[0].extend(products)
    out: dict[str, dict[str, Any]] = {}
    cache: dict[str, dict[str, Any]] = {}  # per-dataset ratings, shared by the groups
    for products, params, allocation in merged.values():
        todo = [p for p in dict.fromkeys(products) if p not in out and p in model.inventory.products]
        if todo:
            env = model.parameters.evaluate(dict(params))
            out.update(product_ratings(model, todo, method, env, allocation, cache=cache))
    return out
