"""Parts removed from the pack at dismantling: recovered metals get the CFF, the rest goes to disposal.

The recycling feed is the cells (or modules); the casing, module parts, cooling, electronics and
the like are removed before, at dismantling, and listed part by part in
``end_of_life.dismantled_parts`` (material, mass, source). What happens to each:

- **Dismantling** itself has no environmental burden (EverBatt 2023 ``'Output'!E61``: manual
  disassembly, labour only), so the recycling burden up to the scrap is ``ErecyclingEoL = 0``.
  Transport of the parts from the dismantler to a scrap yard is not modelled (no cited data).
- **Aluminium, copper, steel**: recovered as scrap with the part's ``recovery_percent`` (cited by
  the user) or, by default, the scrap yield of EverBatt's pre-processing, 0.9
  (``'Preproc. Par.'!AD103:AD105``) — a stated proxy: no cited yield exists for parts removed at
  dismantling. The recovered scrap substitutes the primary metal scaled by the quality ratio
  (``<metal>-displaced-by-scrap``, EU-average electricity), through the CFF end-of-life term
  ``(1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)`` per kg recovered, with ``R2`` = collection rate
  (0 without recyclability evidence).
- **Iron, plastics, electronics, coolant, insulation, other**: no cited treatment or substitute
  in the reference data (EverBatt credits none of them; its pre-processing burns plastics), so
  nothing is recovered: their mass is disposed of (``end_of_life.disposal``) and a warning says so.

Examples
--------
>>> default_yield("aluminium")
0.9
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .eol_cff import cff_eol_item
from .eol_data import EoLData
from .rules import RuleSet
from .spec import BatterySpec
from .stages import LineItem

DEFAULT_YIELD = 0.9
DEFAULT_YIELD_SOURCE = (
    "proxy: scrap yield of EverBatt 2023 pre-processing ('Preproc. Par.'!AD103:AD105: Al, Cu, steel x 0.9); no cited "
    "yield for parts removed at dismantling"
)
DISMANTLING_BURDEN_SOURCE = "EverBatt 2023 'Output'!E61: manual disassembly, no environmental burden"


def default_yield(material: str) -> float:
    """The proxy scrap yield of a metal part (0 for a material without a cited treatment)."""
    return DEFAULT_YIELD if material in ("aluminium", "copper", "steel") else 0.0


def dismantled_items(
    spec: BatterySpec,
    rules: RuleSet,
    eol: EoLData,
    table: dict[str, str],
    warnings: list[str],
    feed_kg: float,
) -> tuple[list[LineItem], list[dict[str, Any]], float]:
    """CFF line items of the recovered dismantled metals, the trace per part, and the mass recovered."""
    eol_spec = spec.end_of_life
    rate = eol_spec.collection_rate_percent / 100.0
    r2 = rate if eol_spec.recyclability_evidence else 0.0
    items: list[LineItem] = []
    trace: list[dict[str, Any]] = []
    recovered = 0.0
    parts = eol_spec.dismantled_parts
    outside_feed = spec.battery_mass_kg - feed_kg
    declared = sum(p.mass_kg for p in parts)
    if not parts and outside_feed > 1e-3 * spec.battery_mass_kg:
        warnings.append(
            f"{outside_feed:.4g} kg per battery are removed at dismantling (battery mass - recycling feed) without a "
            "material breakdown (end_of_life.dismantled_parts): no metal in them is credited and all of it counts as "
            "disposal mass"
        )
    elif parts and declared > outside_feed * (1 + 1e-2) + 1e-9:
        warnings.append(
            f"dismantled parts ({declared:.4g} kg) exceed the battery mass outside the recycling feed "
            f"({outside_feed:.4g} kg): check end_of_life.dismantled_parts against the feed type"
        )
    for k, part in enumerate(parts):
        sub = eol.dismantled_substitutes.get(part.material)
        row: dict[str, Any] = {"material": part.material, "massKg": part.mass_kg, "source": part.source}
        if sub is None:
            warnings.append(
                f"dismantled {part.material} ({part.mass_kg:g} kg): no cited treatment or substitute in the reference "
                "data, so nothing is recovered and its mass counts as disposal (data gap)"
            )
            trace.append({**row, "status": "not recovered: no cited treatment (data gap); counted as disposal mass"})
            continue
        dataset, e_v_star = sub
        if part.recovery_percent is not None:
            yld, yld_source = part.recovery_percent.value / 100.0, part.recovery_percent.source
        else:
            yld, yld_source = default_yield(part.material), DEFAULT_YIELD_SOURCE
            warnings.append(
                f"dismantled {part.material} ({part.mass_kg:g} kg): recovery {100 * yld:g} % is a proxy ({yld_source}); "
                f"give end_of_life.dismantled_parts[{k}].recovery_percent with a source"
            )
        kg = part.mass_kg * yld
        recovered += rate * kg
        items.append(
            cff_eol_item(
                f"cff:dismantled-{part.material}-{k}:recycling_eol",
                f"dismantled {part.material} recovered as scrap",
                table["end-of-life"],
                rules,
                kg=kg,
                r2=r2,
                quantity_unit=f"kg {part.material} scrap x R2 (collection rate {r2:g}; yield {yld:g} in the mass)",
                e_recycling_eol=np.zeros(4),
                e_v_star=e_v_star,
                source=f"part: {part.source}; yield: {yld_source}; ErecyclingEoL = 0 ({DISMANTLING_BURDEN_SOURCE}); "
                f"E*V: {dataset} (EU-average electricity; not an EF EU dataset)",
                datasets=(dataset,),
            )
        )
        trace.append(
            {
                **row,
                "status": "counted" if r2 else "counted with R2 = 0 (no recyclability evidence)",
                "recoveryYield": yld,
                "recoverySource": yld_source,
                "recoveredKgPerBattery": kg,
                "R2": r2,
                "ErecyclingEoLKgCO2ePerKg": 0.0,
                "EvStarDataset": dataset,
                "EvStarKgCO2ePerKg": float(np.asarray(e_v_star)[0]),
            }
        )
    return items, trace, recovered
