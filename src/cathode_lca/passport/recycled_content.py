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
        missing = _missing_evidence(spec, el, mix)
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
            "runAroundScrapExcluded": mix.run_around_scrap_excluded,
            "missingEvidence": missing,
            "verifiable": not missing,
            "source": mix.source,
            "minimums": {
                year: _check(recycled, float(minimum[year]), missing)  # type: ignore[arg-type]
                for year in ("2031", "2036")
            },
        }
    basis = spec.recycled_content_basis
    return entities, {
        "basis": {
            "batteryModel": spec.battery.model,
            "plant": (basis.plant if basis and basis.plant else spec.battery.manufacturing_plant.location),
            "year": basis.year if basis else None,
            "chainOfCustody": basis.chain_of_custody if basis else None,
            "source": basis.source if basis else None,
            "rule": BASIS_RULE,
        },
        "elements": checks,
        "rule": RECYCLED_CONTENT_SOURCE,
        "method": "share = recycled mass of the element / total mass of the element (CG p.145); pre- and "
        "post-consumer shares count together against the minimums (Art. 8)",
        "status": "the recycled-content methodology delegated act (Art. 8(1)) is not adopted",
    }


BASIS_RULE = (
    "BattReg Art. 8 / Annex XIII(1)(e): shares per battery model, per manufacturing plant and per year (BP-xlsx rows "
    "46-54; DIN SPEC §6.6.2); chain of custody (mass balance) per PEF Annex I traceability (lines 1225-1231); "
    "run-around scrap excluded (Recital 33; CF Rules §5.1.1). The Art. 8(1) methodology act is not adopted"
)


def _missing_evidence(spec: BatterySpec, el: str, mix: Any) -> list[str]:
    """What a verifier needs before a share can be shown as 'pass'."""
    missing = []
    if mix.pre_consumer.percent + mix.post_consumer.percent > 0 and not mix.evidence:
        missing.append(f"sourcing.{el}.evidence (supplier declaration or delivery-note chain)")
    if mix.pre_consumer.percent > 0 and not mix.run_around_scrap_excluded:
        missing.append(f"sourcing.{el}.run_around_scrap_excluded (attestation)")
    if spec.recycled_content_basis is None:
        missing.append("recycled_content_basis (year, plant, chain_of_custody)")
    return missing


def _check(actual_percent: float, minimum_percent: float, missing: list[str] | None = None) -> dict[str, Any]:
    met = actual_percent >= minimum_percent - PASS_TOLERANCE_PP
    return {
        "minimumPercent": minimum_percent,
        "pass": met and not missing,
        "met": met,
        "status": ("pass" if not missing else "not verifiable") if met else "fail",
        "gapPercentagePoints": max(0.0, minimum_percent - actual_percent),
    }
