"""Recycled content (BattReg Art. 8): pre- and post-consumer shares and the 2031/2036 minimums.

Share of an element = mass of the element recovered from waste / total mass of the element
(CG p.145): Co, Ni and Li over the active materials (the cathode active material and any
bill-of-materials component marked ``active_material``), Pb over the whole battery. The sourcing
mix of the battery file gives, per element, the pre-consumer (battery manufacturing waste,
Art. 3(1)(51); run-around scrap excluded) and post-consumer percentages; they apply to every
kg of the element on its basis. The Regulation counts both together against the minimums
(Art. 8(2)-(3)); the split is the DIN SPEC §6.6.2.2(e) recommendation and the Battery Pass has
both fields.

Examples
--------
>>> rows = element_masses({"Ni": 50.0}, [])
>>> rows["Ni"]
50.0
"""

from __future__ import annotations

from typing import Any

from .recycler_checks import PASS_TOLERANCE_PP
from .rules import ELEMENT_NAMES, RECYCLED_CONTENT_MINIMUMS, RECYCLED_CONTENT_SOURCE
from .spec import ART8_ACTIVE, BatterySpec, Component


def element_masses(cam_elements_kg: dict[str, float], components: list[Component]) -> dict[str, float]:
    """kg of Co, Ni, Li in active materials and of Pb in the whole battery."""
    out: dict[str, float] = {}
    for el in ART8_ACTIVE:
        total = cam_elements_kg.get(el, 0.0)
        total += sum(c.elements_kg.get(el, 0.0) for c in components if c.active_material)
        if total > 0:
            out[el] = total
    lead = sum(c.elements_kg.get("Pb", 0.0) for c in components)
    if lead > 0:
        out["Pb"] = lead
    return out


def recycled_content(
    spec: BatterySpec, cam_elements_kg: dict[str, float]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Battery Pass ``RecycledContentEntity`` list and the full check per element.

    Parameters
    ----------
    spec
        The battery specification (bill of materials and sourcing mix).
    cam_elements_kg
        kg of each element in the cathode active material of one battery.
    """
    masses = element_masses(cam_elements_kg, spec.bill_of_materials.components)
    entities: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    for el in ("Co", "Ni", "Li", "Pb"):
        if el not in masses:
            continue
        mix = spec.sourcing[el]
        pre, post = mix.pre_consumer.percent, mix.post_consumer.percent
        total_kg = masses[el]
        minimum = RECYCLED_CONTENT_MINIMUMS[el]
        recycled = pre + post
        entities.append({"preConsumerShare": pre, "recycledMaterial": ELEMENT_NAMES[el], "postConsumerShare": post})
        checks[el] = {
            "basis": minimum["basis"],
            "elementMassKg": total_kg,
            "preConsumerKg": total_kg * pre / 100.0,
            "postConsumerKg": total_kg * post / 100.0,
            "preConsumerSharePercent": pre,
            "postConsumerSharePercent": post,
            "recycledSharePercent": recycled,
            "evidence": mix.evidence,
            "source": mix.source,
            "minimums": {year: _check(recycled, float(minimum[year])) for year in ("2031", "2036")},  # type: ignore[arg-type]
        }
    return entities, {
        "elements": checks,
        "rule": RECYCLED_CONTENT_SOURCE,
        "method": "share = recycled mass of the element / total mass of the element (CG p.145); pre- and "
        "post-consumer shares count together against the minimums (Art. 8)",
        "status": "the recycled-content methodology delegated act (Art. 8(1)) is not adopted",
    }


def _check(actual_percent: float, minimum_percent: float) -> dict[str, Any]:
    return {
        "minimumPercent": minimum_percent,
        "pass": actual_percent >= minimum_percent - PASS_TOLERANCE_PP,
        "gapPercentagePoints": max(0.0, minimum_percent - actual_percent),
    }
