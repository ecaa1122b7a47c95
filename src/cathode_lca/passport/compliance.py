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
- **DQR** per stage and in total (PEF Annex I §4.6.5): the contribution-weighted rating of every
  product behind a line item (:mod:`cathode_lca.quality.dqr`: pedigree scores, explicit or
  inherited from the source-family defaults), weighted by the line items' absolute kg CO2-eq.
  The output says which share of the weight has explicit scores and which family defaults the
  rest inherits.
- **Verification fields**: notified body, certificate id, EU declaration-of-conformity id.

Examples
--------
>>> company_specific_data([], None)["status"]
'compliant'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..quality.dqr import CRITERIA, RULE, rating
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
    "PEF Annex I §4.6.5 (Rec. (EU) 2021/2279): the study's TeR, TiR, GeR and P are calculated separately, each the "
    "weighted average over the most-relevant processes by their contribution to the single overall score "
    "(Equation 20); cathode-lca rates every contributing dataset instead (a superset; docs/data/quality.md), "
    "weighted by |kg CO2-eq| (climate change alone: the passport has no single overall score), and a line item "
    "backed by several datasets takes the unweighted mean of their ratings"
)


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


class _Weighted:
    """Running |kg CO2-eq|-weighted sums of the EF criteria, explicit share and inherited families."""

    def __init__(self) -> None:
        self.weight = 0.0
        self.criteria = dict.fromkeys(CRITERIA, 0.0)
        self.explicit = 0.0
        self.families: dict[str, float] = {}

    def add(self, weight: float, ratings: Sequence[Mapping[str, Any]]) -> None:
        self.weight += weight
        n = len(ratings)
        for k in CRITERIA:
            self.criteria[k] += weight * sum(float(r[k]) for r in ratings) / n
        self.explicit += weight * sum(float(r.get("explicitPercent", 0.0)) for r in ratings) / n
        for r in ratings:
            for fam, share in r.get("inheritedFrom", {}).items():
                self.families[fam] = self.families.get(fam, 0.0) + weight * float(share) / n

    def merge(self, other: _Weighted) -> None:
        self.weight += other.weight
        for k in CRITERIA:
            self.criteria[k] += other.criteria[k]
        self.explicit += other.explicit
        for fam, v in other.families.items():
            self.families[fam] = self.families.get(fam, 0.0) + v

    def rating(self, grand: float) -> dict[str, Any] | None:
        if self.weight <= 0:
            return None
        out = rating({k: v / self.weight for k, v in self.criteria.items()})
        out["explicitPercent"] = round(self.explicit / self.weight, 2)
        out["inheritedFrom"] = {
            k: round(v / self.weight, 2) for k, v in sorted(self.families.items(), key=lambda kv: -kv[1])
        }
        out["ratedKgCO2e"] = self.weight
        out["coveragePercent"] = 100.0 * self.weight / grand if grand else None
        return out


def dqr(
    items: Sequence[LineItem],
    ratings: Mapping[str, Mapping[str, Any]],
    item_ratings: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """DQR per stage and in total: the products' contribution-weighted ratings (*ratings*, by product id,
    see :mod:`.model_quality`), weighted by the absolute kg CO2-eq of the line items that use them.

    A line item with several products takes the mean of their ratings. A supplier value rates with its
    own pedigree scores (*item_ratings*, by line-item id); one without scores is listed in ``notRated``.
    """
    item_ratings = item_ratings or {}
    per_stage: dict[str, _Weighted] = {s: _Weighted() for s in STAGES}
    grand_stage = dict.fromkeys(STAGES, 0.0)
    not_rated: list[str] = []
    for i in items:
        w = abs(float(i.value[0]))
        grand_stage[i.stage] = grand_stage.get(i.stage, 0.0) + w
        rated = [ratings[d] for d in i.datasets if ratings.get(d, {}).get("DQR") is not None]
        if not rated and i.id in item_ratings:
            rated = [item_ratings[i.id]]
        if rated and w > 0:
            per_stage[i.stage].add(w, rated)
        elif w > 0:
            not_rated.append(i.id)
    total = _Weighted()
    for acc in per_stage.values():
        total.merge(acc)
    grand = sum(grand_stage.values())
    stage_ratings = {s: per_stage[s].rating(grand_stage[s]) for s in STAGES}
    total_rating = total.rating(grand)
    available = total_rating is not None
    return {
        "available": available,
        "perStage": {s: (r["DQR"] if r else None) for s, r in stage_ratings.items()},
        "total": total_rating["DQR"] if total_rating else None,
        "level": total_rating["level"] if total_rating else None,
        "perStageRating": stage_ratings,
        "totalRating": total_rating,
        "coveragePercent": total_rating["coveragePercent"] if total_rating else 0.0,
        "explicitPercent": total_rating["explicitPercent"] if total_rating else None,
        "inheritedFrom": total_rating["inheritedFrom"] if total_rating else {},
        "notRated": not_rated,
        "status": (
            "computed: contribution-weighted ratings of the datasets behind the line items; "
            f"{total_rating['explicitPercent']:g} % of the rated weight has explicit scores, the rest inherits "
            "its source family's default (inheritedFrom, % of the rated weight; inventories/quality.yaml)"
            if total_rating
            else "not available: no line item uses a rated dataset (hand-built model data or supplier values only)"
        ),
        "notRatedNote": "supplier values without quality scores in the battery file (carbon_footprint[].quality: the "
        "five pedigree scores) are not rated; the supplier's own DQR is needed for them",
        "weighting": "per product: |direct GWP contribution| of every dataset of its supply chain; per stage and "
        "total: |kg CO2-eq| of the line items",
        "rule": DQR_RULE + "; " + RULE,
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
