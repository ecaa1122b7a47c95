"""Checks a verifier applies to a declaration: company-specific data, the 3 % cut-off, DQR, verification.

- **Company-specific data.** BattReg Annex II(1) (via CF Rules p.16) requires activity data specific
  to the battery model and plant for anode, cathode, electrolyte, separator and cell casing; the
  JRC 2023 / draft-DA reading makes primary data mandatory for the main-production stage (CF Rules
  Fig. 1 p.14; CG p.75). A declaration that uses cathode-lca's shipped generic inventories (or a
  shipped dataset named in the battery file) for those processes is **not compliant**; it says so
  in the table, the JSON and on stderr.
- **3 % cut-off** (PEF Annex I §4.6.4): processes may be left out up to 3.0 % cumulatively. The
  components without carbon-footprint data and the unrecovered mass without a disposal dataset
  are counted against that budget by mass.
- **DQR** per stage and in total (PEF Annex I §4.6.5): DQR = (TeR + GeR + TiR + P) / 4 per dataset,
  weighted by the absolute contribution. The scores are read from the datasets' optional
  ``quality`` mapping (pedigree keys; technological -> TeR, geographical -> GeR, temporal -> TiR,
  reliability -> P, a derived mapping); where no dataset carries them the DQR is "not available".
- **Verification fields**: notified body, certificate id, EU declaration-of-conformity id.

Examples
--------
>>> company_specific_data([], None)["status"]
'compliant'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .rules import STAGES
from .stages import LineItem

#: Process tags whose activity data must be company-specific.
MANDATORY_PRIMARY: dict[str, str] = {
    "pcam-production": "cathode (precursor)",
    "cam-production": "cathode active material",
    "anode-active-material-production": "anode active material",
    "electrolyte-production": "electrolyte",
    "component-production": "separator and casings (purchased components)",
    "electrode-production": "electrode production (main production)",
    "cell-production": "cell production (main production)",
    "module-pack-assembly": "module and pack assembly (main production)",
}
PRIMARY_DATA_RULE = (
    "BattReg Annex II(1) via CF Rules p.16: activity data for anode, cathode, electrolyte, separator and cell casing "
    "shall be specific to the battery model and plant; JRC 2023 / draft DA: primary data mandatory for main "
    "production (CF Rules Fig. 1 p.14; CG p.75); PEF Annex I: the BoM and manufacturing shall be company-specific"
)
NON_COMPLIANCE = "NON-COMPLIANCE: generic (secondary) data where the rules require company-specific data"
CUT_OFF_LIMIT_PERCENT = 3.0
CUT_OFF_RULE = (
    "PEF Annex I §4.6.4 (Rec. (EU) 2021/2279): processes and flows may be excluded up to 3.0 % cumulatively, based "
    "on material and energy flows and environmental significance, and shall be listed and justified"
)
DQR_RULE = (
    "PEF Annex I §4.6.5: DQR = (TeR + GeR + TiR + P) / 4, study DQR = contribution-weighted mean over the most "
    "relevant processes; pedigree keys mapped technological->TeR, geographical->GeR, temporal->TiR, "
    "reliability->P (derived)"
)
PEDIGREE_TO_DQR = {"technological": "TeR", "geographical": "GeR", "temporal": "TiR", "reliability": "P"}


def is_generic(item: LineItem) -> bool:
    """A line item computed from shipped inventories (not from a supplier's own value)."""
    return item.kind == "modelled" or (item.kind == "supplied" and bool(item.datasets))


def company_specific_data(items: Sequence[LineItem], declared_share: Any) -> dict[str, Any]:
    """Which mandatory-primary processes use generic data; status and the primary-data share."""
    generic = [i for i in items if i.process in MANDATORY_PRIMARY and is_generic(i)]
    generic_kg = sum(float(i.value[0]) for i in generic)
    total_abs = sum(abs(float(i.value[0])) for i in items)
    specific = sum(abs(float(i.value[0])) for i in items if i.kind == "supplied" and not i.datasets)
    processes = sorted({MANDATORY_PRIMARY[i.process] for i in generic if i.process})
    return {
        "status": "NON-COMPLIANT" if generic else "compliant",
        "rule": PRIMARY_DATA_RULE,
        "genericProcesses": processes,
        "genericLineItems": [i.id for i in generic],
        "genericKgCO2e": generic_kg,
        "supplierValueSharePercent": 100.0 * specific / total_abs if total_abs else None,
        "declaredPrimaryDataSharePercent": declared_share.share_percent if declared_share is not None else None,
        "declaredPrimaryDataSource": declared_share.source if declared_share is not None else None,
        "note": "supplierValueSharePercent: share of the absolute line-item sum given as supplier values (no "
        "shipped dataset); the declared share is the manufacturer's statement, not checked",
    }


def non_compliance_warning(check: Mapping[str, Any]) -> str | None:
    if check["status"] != "NON-COMPLIANT":
        return None
    return (
        f"{NON_COMPLIANCE} for {', '.join(check['genericProcesses'])} ({len(check['genericLineItems'])} line items, "
        f"{check['genericKgCO2e']:.6g} kg CO2-eq): this declaration cannot be filed as it is; replace them with "
        "supplier values or the plant's own data"
    )


def cut_off_test(excluded: Mapping[str, float], battery_mass_kg: float) -> dict[str, Any]:
    """Mass share of what the declaration leaves out, against the 3 % budget."""
    total = sum(excluded.values())
    share = 100.0 * total / battery_mass_kg if battery_mass_kg > 0 else float("inf")
    return {
        "excludedKg": dict(excluded),
        "excludedKgTotal": total,
        "excludedMassPercent": share,
        "limitPercent": CUT_OFF_LIMIT_PERCENT,
        "pass": share <= CUT_OFF_LIMIT_PERCENT,
        "basis": "mass of the battery (the environmental significance of the excluded flows is not known)",
        "rule": CUT_OFF_RULE,
    }


def dataset_dqr(quality: Any) -> float | None:
    """PEF DQR of one dataset from its pedigree scores, or None when they are not all there."""
    if not isinstance(quality, Mapping):
        return None
    scores = [quality.get(key) for key in PEDIGREE_TO_DQR]
    if any(not isinstance(s, (int, float)) for s in scores):
        return None
    return float(sum(scores)) / len(scores)  # type: ignore[arg-type]


def dqr(items: Sequence[LineItem], quality: Mapping[str, Any]) -> dict[str, Any]:
    """DQR per stage and in total, weighted by |kg CO2-eq| of the line items whose datasets carry scores."""
    per_stage: dict[str, Any] = {}
    num_total = den_total = 0.0
    covered_total = 0.0
    grand = sum(abs(float(i.value[0])) for i in items)
    for stage in STAGES:
        num = den = 0.0
        for i in items:
            if i.stage != stage:
                continue
            scores = [d for d in (dataset_dqr(quality.get(ds)) for ds in i.datasets) if d is not None]
            if scores:
                w = abs(float(i.value[0]))
                num += w * sum(scores) / len(scores)
                den += w
        per_stage[stage] = num / den if den else None
        num_total += num
        den_total += den
        covered_total += den
    available = den_total > 0
    return {
        "available": available,
        "perStage": per_stage if available else {s: None for s in STAGES},
        "total": num_total / den_total if available else None,
        "coveragePercent": 100.0 * covered_total / grand if grand and available else 0.0,
        "status": "computed from the datasets' quality scores"
        if available
        else "not available: no dataset in this model carries pedigree quality scores (the data-quality module "
        "and inventories/quality.yaml are not in this build); a verifier must score the data",
        "rule": DQR_RULE,
    }


def verification(spec: Any) -> tuple[dict[str, Any], list[str]]:
    """The verification fields and a warning for each one missing."""
    v = spec.verification
    fields = {
        "notifiedBody": v.notified_body if v else None,
        "notifiedBodyNumber": v.notified_body_number if v else None,
        "certificateId": v.certificate_id if v else None,
        "declarationOfConformityId": v.declaration_of_conformity_id if v else None,
        "declarationOfConformityUrl": v.declaration_of_conformity_url if v else None,
    }
    missing = [k for k in ("notifiedBody", "certificateId", "declarationOfConformityId") if not fields[k]]
    warnings = []
    if missing:
        warnings.append(
            "not verified: " + ", ".join(missing) + " missing (verification.*); BattReg Art. 7(1)(f) asks for the EU "
            "declaration-of-conformity id, Art. 17 for the notified body's conformity assessment"
        )
    return {**fields, "source": "BattReg Art. 7(1)(f), Art. 17-18"}, warnings
