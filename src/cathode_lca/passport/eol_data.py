"""End-of-life numbers from the model: collection, recovered co-products and their virgin substitutes.

The end-of-life stage of the whole pack (CF Rules §6.1.3, §5.1.3) needs, beyond the CFF of the
cathode elements:

- **collection and transport** of the waste battery to the recycler (``recycling-feed``,
  EverBatt 2023 legs), charged to the battery under every rule set, cut-off included;
- **dismantling** (EverBatt 2023: manual, no environmental burden);
- every **recovered co-product** that substitutes a virgin material (the ``substitutes`` field of
  the route's products: copper, aluminium and steel scrap, graphite): its recycling burden
  (``ErecyclingEoL``, the route's allocation, collection removed) and the virgin dataset it
  replaces (``E*V``, EU-average electricity);
- the E*V of the primary metals that **dismantled pack parts** substitute once recovered as scrap
  (aluminium, copper, steel; see :mod:`.eol_dismantling`);
- the mass that is **not recovered** (disposal).

Examples
--------
>>> eol = collect_eol_data(model, spec, params, env, recovery, "mass")   # doctest: +SKIP
>>> eol.feed_kg_per_kg_cam, eol.co_products["Cu"].kg_per_kg_feed        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .model_values import burdens, parameter_value

if TYPE_CHECKING:
    from ..lca import LCAModel

#: The rules' default region for end-of-life recycling (CF Rules Table 10 p.67: EU-specific datasets).
EOL_DEFAULT_REGION = "EU"
EOL_REGION_RULE = (
    "CF Rules §6.2 / Table 10 p.67: end-of-life treatment is modelled with EU-28+EFTA datasets unless evidence shows "
    "where the waste battery is recycled; cathode-lca's closest region is 'EU' (EU average grid)"
)
COLLECTION_DATASET = "recycling-feed"
COLLECTION_TAG = "collection-transport"
DISMANTLING_SOURCE = (
    "EverBatt 2023 'Output'!E61 note: manual disassembly, no environmental burden (labour only, 'Disassembly'!C24:C32)"
)
#: What a dismantled metal part substitutes once recovered as scrap: the primary metal scaled by the quality
#: ratio Qs/Qp (inventories/recycling/displaced-products.yaml). Other materials have no cited treatment.
DISMANTLED_SUBSTITUTES = {
    "aluminium": "aluminum-displaced-by-scrap",
    "copper": "copper-displaced-by-scrap",
    "steel": "steel-displaced-by-scrap",
}
#: Material label of each substituted virgin dataset.
MATERIAL_OF = {
    "copper": "Cu",
    "aluminum": "Al",
    "steel": "steel",
    "graphite": "graphite",
}


@dataclass
class CoProduct:
    """A recovered material other than the cathode elements, with its CFF emissions per kg."""

    material: str
    product: str
    kg_per_kg_feed: float
    substitutes: str
    e_recycling_eol: np.ndarray
    e_v_star: np.ndarray
    label: str


@dataclass
class EoLData:
    """End-of-life data of one battery (see the module docstring)."""

    region: str
    region_rule: str
    feed_kg_per_kg_cam: float
    collection_per_kg_feed: np.ndarray
    co_products: dict[str, CoProduct] = field(default_factory=dict)
    outputs_per_kg_feed: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: E*V per kg of each dismantled material with a cited substitute: (dataset id, burden vector).
    dismantled_substitutes: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)

    def rated_products(self) -> list[str]:
        """Recovered co-products (rated at the recycler's parameters and allocation for the DQR)."""
        return [co.product for co in self.co_products.values()]

    def substitutes(self) -> list[str]:
        """Virgin datasets the recovered materials substitute (rated at the E*V parameters)."""
        return [co.substitutes for co in self.co_products.values()] + [
            d for d, _ in self.dismantled_substitutes.values()
        ]


def eol_region(spec: Any) -> tuple[str, str, str | None]:
    """(region, rule text, warning) of the end-of-life recycling: EU unless evidence names another region."""
    eol = spec.end_of_life
    if eol.region is not None and eol.region_evidence:
        return eol.region, f"battery file end_of_life.region with evidence: {eol.region_evidence}", None
    if eol.region is not None and eol.region != EOL_DEFAULT_REGION:
        warning = (
            f"end_of_life.region {eol.region} has no region_evidence: the end of life is modelled in "
            f"{EOL_DEFAULT_REGION} ({EOL_REGION_RULE})"
        )
        return EOL_DEFAULT_REGION, EOL_REGION_RULE, warning
    return EOL_DEFAULT_REGION, EOL_REGION_RULE, None


def collect_eol_data(
    model: LCAModel,
    params: Mapping[str, Any],
    env: Mapping[str, Any],
    outputs: Mapping[str, float],
    allocation: str,
    region: str,
    region_rule: str,
    virgin_params: Mapping[str, Any],
) -> EoLData:
    """Collection burden per kg feed, feed per kg CAM and the recovered co-products of the route."""
    feed_cam = parameter_value(model, env, "feed_cam")
    collection, _, _ = burdens(model, [COLLECTION_DATASET], params)
    co: dict[str, tuple[str, float, str]] = {}
    for pid, kg in outputs.items():
        product = model.inventory.product(pid)
        sub = getattr(product, "substitutes", None)
        if not sub or kg <= 0:
            continue
        material = next((m for key, m in MATERIAL_OF.items() if key in sub), sub)
        co[material] = (pid, kg, sub)
    products: dict[str, CoProduct] = {}
    if co:
        tot, by_tag, _ = burdens(model, [pid for pid, _, _ in co.values()], params, allocation)
        virgin, _, _ = burdens(model, [sub for _, _, sub in co.values()], virgin_params)
        for material, (pid, kg, sub) in co.items():
            e_rec = tot[pid] - by_tag[pid].get(COLLECTION_TAG, np.zeros(4))
            products[material] = CoProduct(
                material=material,
                product=pid,
                kg_per_kg_feed=kg,
                substitutes=sub,
                e_recycling_eol=e_rec,
                e_v_star=virgin[sub],
                label=f"ErecyclingEoL: {pid} ({allocation} allocation, region {region}, collection removed); "
                f"E*V: {sub} (EU-average electricity; not an EF EU dataset)",
            )
    subs = {m: d for m, d in DISMANTLED_SUBSTITUTES.items() if d in model.inventory.products}
    sub_burdens, _, _ = burdens(model, list(subs.values()), virgin_params)
    return EoLData(
        dismantled_substitutes={m: (d, sub_burdens[d]) for m, d in subs.items()},
        region=region,
        region_rule=region_rule,
        feed_kg_per_kg_cam=1.0 / feed_cam,
        collection_per_kg_feed=collection[COLLECTION_DATASET],
        co_products=products,
        outputs_per_kg_feed=dict(outputs),
    )
