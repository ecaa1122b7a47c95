"""The ``calculation`` part of a battery declaration: the trace a verifier follows line by line.

:func:`calculation_trace` writes the rule set, the stage mapping, the battery, the functional
unit (E_total), totals and stage values with the stage-sum check, the climate sub-indicators,
CFF terms per material, supplied data, line items with their datasets and sources, recycled
content, end of life, electricity, compliance checks, warnings, the draft status of the rules
(:data:`DRAFT_STATUS`) and the metadata with its hash. :mod:`.declaration` gathers the numbers
(:class:`CalculationParts`) and builds the Battery Pass payloads beside it.

Examples
--------
>>> DRAFT_STATUS[4]
'Performance classes and maximum CF thresholds are not defined.'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from .cff_material import MaterialCFFResult
from .compliance import NON_COMPLIANCE
from .model_data import ModelData
from .payloads import _plain
from .rules import PERFORMANCE_CLASS_SOURCE, STAGE_MAPPINGS, STAGE_NAMES, STAGES, RuleSet
from .spec import BatterySpec
from .stages import LineItem, TotalEnergy

__all__ = ["DRAFT_STATUS", "CalculationParts", "calculation_trace"]

DRAFT_STATUS = (
    "The CF calculation and verification delegated act (Art. 7(1)) is a draft (Ares(2024)3131389); JRC CFB-EV 2023 is "
    "its basis and was read only through Battery Pass documents.",
    "CFF defaults: A = 0.2 for metals is 'under discussion'; the draft DA's own A values, JRC 2023 Table 2 R2 values, "
    "JRC default recycling scenarios and PEF Annex C values were not retrieved.",
    "E_total details (full equivalent cycles per vehicle category, warranty conversion) come from secondary summaries.",
    "Electricity modelling (national consumption mix vs. contractual instruments) is contested; cathode-lca uses "
    "the grid mix of the chosen plant region.",
    "Performance classes and maximum CF thresholds are not defined.",
    "Whether the EF climate sub-indicators must be reported separately is not confirmed.",
    "The recycled-content methodology delegated act (Art. 8(1)) is not adopted.",
    "The Annex XII Part C wording was not read verbatim; the Annex XII methodology act was not read.",
)


@dataclass
class CalculationParts:
    """Everything :func:`calculation_trace` writes into the trace (one object instead of 18 arguments)."""

    spec: BatterySpec
    rules: RuleSet
    data: ModelData
    base: str
    overrides: dict[str, str]
    table: dict[str, str]
    energy: TotalEnergy
    items: list[LineItem]
    totals: dict[str, np.ndarray]
    total: np.ndarray
    stages_abs: dict[str, float]
    stages_kwh: dict[str, float]
    total_abs: float
    total_kwh: float
    cff: dict[str, MaterialCFFResult]
    rc_checks: dict[str, Any]
    eol_trace: dict[str, Any]
    compliance: dict[str, Any]
    warnings: list[str]
    performance: str


def calculation_trace(parts: CalculationParts) -> dict[str, Any]:
    """The ``calculation`` part of a declaration: the trace a verifier follows (see the module notes)."""
    (
        spec,
        rules,
        data,
        base,
        overrides,
        table,
        energy,
        items,
        totals,
        total,
        stages_abs,
        stages_kwh,
        total_abs,
        total_kwh,
        cff,
        rc_checks,
        warnings,
        performance,
    ) = (
        parts.spec,
        parts.rules,
        parts.data,
        parts.base,
        parts.overrides,
        parts.table,
        parts.energy,
        parts.items,
        parts.totals,
        parts.total,
        parts.stages_abs,
        parts.stages_kwh,
        parts.total_abs,
        parts.total_kwh,
        parts.cff,
        parts.rc_checks,
        parts.warnings,
        parts.performance,
    )
    e_total = energy.kwh
    b = spec.battery
    supplied_abs = sum(float(i.value[0]) for i in items if i.kind == "supplied")
    sub = {
        "fossilKgCO2e": float(total[1]),
        "biogenicKgCO2e": float(total[2]),
        "landUseKgCO2e": float(total[3]),
        "notAttributedKgCO2e": float(total[0] - total[1] - total[2] - total[3]),
    }
    sub_per_kwh = {k.replace("KgCO2e", "KgCO2ePerKWh"): v / e_total for k, v in sub.items()}
    stage_rows = []
    for s in STAGES:
        stage_rows.append(
            {
                "lifecycleStage": s,
                "name": STAGE_NAMES[s],
                "kgCO2e": stages_abs[s],
                "kgCO2ePerKWh": stages_kwh[s],
                "sharePercent": 100.0 * stages_abs[s] / total_abs if total_abs else None,
                "fossilKgCO2e": float(totals[s][1]),
                "biogenicKgCO2e": float(totals[s][2]),
                "landUseKgCO2e": float(totals[s][3]),
                "suppliedKgCO2e": sum(float(i.value[0]) for i in items if i.kind == "supplied" and i.stage == s),
                "lineItems": [i.id for i in items if i.stage == s],
            }
        )
    mapping = STAGE_MAPPINGS[base]
    meta = dict(data.metadata)
    spec_meta = {
        "specFile": spec.file,
        "specSha256": spec.sha256,
        "rules": rules.id,
        "rulesVersion": rules.version,
        "stageMapping": base,
        "stageMappingOverrides": overrides,
    }
    hashed = {**meta, **spec_meta, "stageTable": table, "modelParameters": data.parameters}
    hashed.pop("specFile")  # the content hash identifies the file, wherever it lies
    meta.update(spec_meta)
    meta["metadataHash"] = hashlib.sha256(json.dumps(_plain(hashed), sort_keys=True, default=str).encode()).hexdigest()
    meta["metadataHashCovers"] = sorted(hashed)
    return {
        "ruleSet": rules.describe(),
        "stageMapping": {
            "id": base,
            "source": mapping.source,
            "notes": list(mapping.notes),
            "overrides": overrides,
            "table": table,
        },
        "battery": {
            "model": b.model,
            "identifier": b.identifier,
            "manufacturer": b.manufacturer.model_dump() if b.manufacturer else None,
            "manufacturingPlant": b.manufacturing_plant.location,
            "manufacturingPlantDetails": b.manufacturing_plant.model_dump(),
            "category": b.category,
            "chemistry": b.chemistry,
            "usableEnergyKWh": b.usable_energy_kwh,
            "massKg": spec.battery_mass_kg,
            "vehicleCategory": b.vehicle_category,
            "sources": dict(b.sources),
        },
        "functionalUnit": {
            "unit": "kg CO2-eq per kWh of total energy over the service life (BattReg Art. 7(1)(d))",
            **energy.as_dict(),
        },
        "total": {"kgCO2e": total_abs, "kgCO2ePerKWh": total_kwh},
        "stages": stage_rows,
        "stageSumCheck": {
            "sumOfStagesKgCO2ePerKWh": sum(stages_kwh[s] for s in STAGES),
            "batteryCarbonFootprint": total_kwh,
            "rule": "the total is the sum of the four stage values (Battery Pass v1.2.0: aggregation of the stages)",
        },
        "performanceClass": {
            "value": performance,
            "source": PERFORMANCE_CLASS_SOURCE if not b.performance_class else "battery file battery.performance_class",
        },
        "climateSubIndicators": {
            **sub,
            **sub_per_kwh,
            "note": "EF 3.1 climate-change sub-indicators where the data carry them: fossil = CO2 and CH4 fossil, "
            "biogenic = CH4 non-fossil, characterised with the same IPCC AR6 factors; N2O, provider CO2-eq totals "
            "(e.g. Ember grids) and supplier values without a split are not attributed; no modelled dataset carries "
            "land-use flows (land use comes only from supplier values)",
        },
        "cff": {el: r.as_dict() for el, r in cff.items()},
        "suppliedData": {
            "kgCO2e": supplied_abs,
            "kgCO2ePerKWh": supplied_abs / e_total,
            "sharePercent": 100.0 * supplied_abs / total_abs if total_abs else None,
            "lineItems": [i.id for i in items if i.kind == "supplied"],
        },
        "lineItems": [i.as_dict(e_total) for i in items],
        "recycledContent": rc_checks,
        "endOfLife": parts.eol_trace,
        "electricity": data.electricity
        or {"status": "not reported: model data built without the electricity choice (hand-built data)"},
        "annexXII": data.recycler.get("annexXII", {}),
        "recyclerAllocation": data.allocations,
        "datasets": sorted({d for i in items for d in i.datasets}),
        "sources": data.sources,
        "modelParameters": data.parameters,
        "compliance": parts.compliance,
        "complianceWarnings": [w for w in warnings if w.startswith(NON_COMPLIANCE)],
        "warnings": list(warnings),
        "draftStatus": list(DRAFT_STATUS),
        "metadata": meta,
    }
