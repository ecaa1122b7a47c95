"""The end-of-life stage of the whole pack: collection, dismantling, recovered co-products, disposal.

Line items added to the CFF terms of the cathode elements (see :mod:`.cff_material`):

- ``eol:collection``: collection and transport of the waste battery to the recycler, charged to the
  battery under every rule set (CF Rules §5.1.3: the cut-off approach keeps collection and disposal
  in the end-of-life stage); removed from every ``ErecyclingEoL`` so it is not counted twice;
- ``eol:dismantling``: dismantling of the pack (EverBatt: manual, no burden; supplied values with
  the ``dismantling`` tag add to it);
- ``cff:dismantled-<material>-<i>:recycling_eol``: the parts removed at dismantling
  (``end_of_life.dismantled_parts``): recovered Al, Cu and steel scrap get the CFF end-of-life
  term, the other materials are disposed of (see :mod:`.eol_dismantling`);
- ``cff:<material>:recycling_eol``: the CFF end-of-life term ``(1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)``
  of every recovered co-product that substitutes a virgin material (Cu, Al, steel, graphite), with
  ``R2`` = collection rate (the route's yield is in the recovered mass), 0 without recyclability
  evidence;
- ``eol:disposal``: the mass not recovered × ``end_of_life.disposal`` (kg CO2-eq per kg); without
  that value the burden is a stated data gap.

Examples
--------
>>> items, table = eol_items(spec, rules, data, stage_table, warnings)   # doctest: +SKIP
>>> [i.id for i in items]                                               # doctest: +SKIP
['eol:collection', 'eol:dismantling', 'cff:Cu:recycling_eol', ..., 'eol:disposal']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .eol_cff import cff_eol_item
from .eol_data import COLLECTION_DATASET, DISMANTLING_SOURCE, EoLData
from .eol_dismantling import dismantled_items
from .model_data import ModelData, vec
from .rules import RuleSet
from .spec import BatterySpec
from .stages import LineItem

#: Materials of the pack the brief of the CF Rules asks the CFF to cover, with what happens to those
#: cathode-lca cannot credit.
NOT_CREDITED = {
    "plastics": "not recovered by the shipped routes (EverBatt 2023 fates: plastics to landfill or burned), nor when "
    "removed at dismantling (no cited plastics recycling data); their mass is in the disposal line item",
    "electrolyte Li": "excluded from a separate credit: electrolyte Li ends in the same crude Li2CO3 as cathode Li, "
    "and the Li credit is computed per kg of cathode Li with the yield capped at 1, so a separate electrolyte-Li "
    "credit would count the same output twice",
}
DISPOSAL_GAP = (
    "disposal of the mass not recovered is not counted: cathode-lca ships no landfill or incineration dataset; give "
    "end_of_life.disposal: {value: <kg CO2-eq per kg>, source: ...} (data gap)"
)


def eol_items(
    spec: BatterySpec, rules: RuleSet, data: ModelData, table: dict[str, str], warnings: list[str]
) -> tuple[list[LineItem], dict[str, Any]]:
    """End-of-life line items of the whole pack and the trace of how each material is treated."""
    eol: EoLData | None = data.eol
    if eol is None:
        return [], {"status": "no pack-level end-of-life data (model data built without it)"}
    items: list[LineItem] = []
    cam = spec.bill_of_materials.cathode_active_material.mass_kg
    feed_kg = cam * eol.feed_kg_per_kg_cam
    rate = spec.end_of_life.collection_rate_percent / 100.0
    items.append(
        LineItem(
            id="eol:collection",
            description="collection of the waste battery and transport to the recycler (EverBatt 2023 legs)",
            stage=table["collection-transport"],
            process="collection-transport",
            kind="modelled",
            quantity=rate * feed_kg,
            quantity_unit=f"kg recycling feed ({spec.end_of_life.feed_type}) collected",
            factor=eol.collection_per_kg_feed,
            source=f"{COLLECTION_DATASET} (allocation none, region {eol.region}); feed = CAM {cam:g} kg / "
            f"{1 / eol.feed_kg_per_kg_cam:.6g} kg CAM per kg feed; collection rate {rate:g}",
            datasets=(COLLECTION_DATASET,),
        )
    )
    items.append(
        LineItem(
            id="eol:dismantling",
            description="dismantling of the pack to the recycling feed (manual)",
            stage=table["dismantling"],
            process="dismantling",
            kind="modelled",
            quantity=rate,
            quantity_unit="battery collected",
            factor=vec(0.0),
            source=DISMANTLING_SOURCE,
        )
    )
    evidence = bool(spec.end_of_life.recyclability_evidence)
    a = rules.a_metals.value
    materials: dict[str, Any] = {}
    recovered_kg = 0.0
    for name, co in eol.co_products.items():
        r2 = rate if evidence else 0.0
        kg = feed_kg * co.kg_per_kg_feed
        recovered_kg += rate * kg
        items.append(
            cff_eol_item(
                f"cff:{name}:recycling_eol",
                f"{name} recovered at end of life ({co.product})",
                table["end-of-life"],
                rules,
                kg=kg,
                r2=r2,
                quantity_unit=f"kg {name} recovered x R2 (collection rate {r2:g}; yield in the recovered mass)",
                e_recycling_eol=co.e_recycling_eol,
                e_v_star=co.e_v_star,
                source=co.label,
                datasets=(co.product, co.substitutes),
            )
        )
        materials[name] = {
            "status": "counted" if evidence else "counted with R2 = 0 (no recyclability evidence)",
            "product": co.product,
            "recoveredKgPerBattery": kg,
            "R2": r2,
            "A": a,
            "ErecyclingEoLKgCO2ePerKg": float(np.asarray(co.e_recycling_eol)[0]),
            "EvStarKgCO2ePerKg": float(np.asarray(co.e_v_star)[0]),
            "source": co.label,
        }
    for name, reason in NOT_CREDITED.items():
        materials[name] = {"status": "not credited", "reason": reason}
    parts_items, parts_trace, parts_kg = dismantled_items(spec, rules, eol, table, warnings, feed_kg)
    items += parts_items
    recovered_kg += parts_kg
    for md in data.materials.values():
        recovered_kg += rate * cam * md.product_per_kg_cam * md.eol_yield
    disposed = max(0.0, spec.battery_mass_kg - recovered_kg)
    disposal = spec.end_of_life.disposal
    if disposal is None:
        warnings.append(f"{disposed:.4g} kg per battery not recovered: " + DISPOSAL_GAP)
        factor, source = vec(0.0), DISPOSAL_GAP
    else:
        factor = vec(disposal.value, disposal.fossil or 0.0, disposal.biogenic or 0.0, disposal.land_use or 0.0)
        source = f"end_of_life.disposal: {disposal.source}"
    items.append(
        LineItem(
            id="eol:disposal",
            description="disposal of what is not recovered (uncollected batteries, pack parts, process residues)",
            stage=table["end-of-life"],
            process="end-of-life",
            kind="supplied" if disposal is not None else "modelled",
            quantity=disposed,
            quantity_unit="kg not recovered (battery mass - recovered masses)",
            factor=factor,
            source=source,
        )
    )
    trace = {
        "region": eol.region,
        "regionRule": eol.region_rule,
        "feedKgPerBattery": feed_kg,
        "collectionRate": rate,
        "recyclabilityEvidence": spec.end_of_life.recyclability_evidence,
        "recoveredKgPerBattery": recovered_kg,
        "disposedKgPerBattery": disposed,
        "disposalCounted": disposal is not None,
        "materials": materials,
        "dismantledParts": parts_trace,
        "notes": [
            "cathode elements (Ni, Co, Mn, Li): see calculation.cff; their ErecyclingEoL excludes collection",
            "recovered masses are the route's product masses (compounds at full mass for the disposal balance)",
        ],
    }
    return items, trace
