"""Build the declaration: line items, CFF per material, stages, Battery Pass JSON and the trace.

:func:`declare` runs the model (:mod:`.model_data`) and :func:`assemble` turns the numbers into a
:class:`Declaration` with three parts:

- ``carbonFootprint``: exactly the Battery Pass v1.2.0 ``CarbonFootprintForBatteries``;
- ``recycledContent``: a list of Battery Pass ``RecycledContentEntity``;
- ``calculation``: the full trace (:mod:`.trace`: rule set, CFF parameters and terms per material, E_total,
  stage values, line items with datasets and sources, recycled-content and Annex XII checks,
  metadata and its hash).

Examples
--------
>>> from cathode_lca.passport import declare                          # doctest: +SKIP
>>> d = declare("examples/battery-nmc811.yaml", rules="cut-off")     # doctest: +SKIP
>>> d.total_per_kwh, d.stages_per_kwh["Recycling"]                   # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError, ValidationError
from ..quality.dqr import pedigree_rating
from .cff_material import TERM_TEXT, MaterialCFFResult, material_cff, term_datasets
from .compliance import company_specific_data, cut_off_test, dqr, non_compliance_warning, verification
from .eol_stage import eol_items
from .model_data import ModelData, vec
from .payloads import SCHEMAS, _plain, circularity_payload, validate_bp, validate_payload, validation_report
from .recycled_content import recycled_content
from .report import declaration_table
from .rules import (
    DISTRIBUTION_SCENARIOS,
    DISTRIBUTION_SOURCE,
    PERFORMANCE_CLASS_UNDEFINED,
    PROCESS_TAGS,
    RAW,
    RULE_ALIASES,
    STAGES,
    TRANSPORT_DATASETS,
    TRANSPORT_NOTE,
    RuleSet,
    get_rules,
    resolve_mapping,
)
from .spec import BatterySpec, load_battery_spec
from .stages import LineItem, TotalEnergy, grand_total, stage_totals, total_energy
from .trace import CalculationParts, calculation_trace

if TYPE_CHECKING:
    from ..lca import LCAModel


@dataclass
class Declaration:
    """A battery carbon-footprint and recycled-content declaration (Python objects and JSON)."""

    carbon_footprint: dict[str, Any]
    recycled_content: list[dict[str, Any]]
    calculation: dict[str, Any]
    line_items: list[LineItem]
    stages_absolute: dict[str, float]
    stages_per_kwh: dict[str, float]
    total_absolute: float
    total_per_kwh: float
    total_energy: TotalEnergy
    cff: dict[str, MaterialCFFResult]
    rules: RuleSet
    warnings: list[str] = field(default_factory=list)
    #: Further Battery Pass v1.2.0 payloads where the battery file has their data (circularity, DoC).
    extra_payloads: dict[str, Any] = field(default_factory=dict)

    @property
    def compliance_warnings(self) -> list[str]:
        """The non-compliance warnings (generic data where company-specific data are required)."""
        return list(self.calculation.get("complianceWarnings", []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "carbonFootprint": self.carbon_footprint,
            "recycledContent": self.recycled_content,
            **self.extra_payloads,
            "calculation": self.calculation,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(_plain(self.to_dict()), indent=indent, ensure_ascii=False)

    def payloads(self) -> dict[str, Any]:
        """The Battery Pass payloads of this declaration, by part name."""
        payload = json.loads(self.to_json())
        return {key: payload[key] for key in (*SCHEMAS, *self.extra_payloads)}

    def validate(self) -> None:
        """Check every payload against the real Battery Pass v1.2.0 schemas shipped in the package (and the
        cathode-lca schemas of the two main parts); needs jsonschema."""
        payloads = self.payloads()
        for key in SCHEMAS:
            validate_payload(key, payloads[key], SCHEMAS[key])
        for key, payload in payloads.items():
            validate_bp(key, payload)

    def to_table(self) -> str:
        """A plain-text summary (see :mod:`.report`)."""
        return declaration_table(self)


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------
def declare(
    spec: BatterySpec | str | Path,
    rules: str | RuleSet = "cff-jrc-a0.2-bp-r2",
    model: LCAModel | None = None,
    *,
    stage_mapping: str | None = None,
) -> Declaration:
    """Declaration of the battery *spec* under *rules* (``cff-jrc-a0.2-bp-r2`` or ``cut-off``).

    Parameters
    ----------
    spec
        A :class:`BatterySpec` or the path of a battery YAML file.
    rules
        Rule-set id or :class:`RuleSet`.
    model
        A prebuilt :class:`cathode_lca.lca.LCAModel` (default: the shipped inventories).
    stage_mapping
        ``regulation`` or ``jrc``; default: the battery file's ``stage_mapping``, else the rule set's.
    """
    from .model_data import collect_model_data

    _check_arguments(spec, model)
    if model is None:
        from ..lca import default_model

        model = default_model()
    if not isinstance(spec, BatterySpec):
        from ..catalogue import catalogue_of

        spec = load_battery_spec(spec, catalogue_of(model))  # routes and chemistries of *this* model
    rule_set = get_rules(rules)
    data = collect_model_data(spec, rule_set, model)
    declaration = assemble(spec, rule_set, data, stage_mapping=stage_mapping)
    if isinstance(rules, str) and rules in RULE_ALIASES:
        note = f"rule set '{rules}' is a deprecated name of '{rule_set.id}' (same rules)"
        declaration.warnings.append(note)
        declaration.calculation["warnings"].append(note)
    return declaration


def _check_arguments(spec: object, model: object) -> None:
    """Refuse a *spec* or *model* of the wrong type by name (not a TypeError from ``pathlib`` or an AttributeError)."""
    from ..lca import LCAModel

    if not isinstance(spec, (BatterySpec, str, Path)):
        raise UsageError(
            f"spec must be a BatterySpec or the path of a battery YAML file, got {spec!r:.60} ({type(spec).__name__})",
            hint="e.g. declare('examples/battery-nmc811.yaml')",
        )
    if model is not None and not isinstance(model, LCAModel):
        raise UsageError(
            f"model must be a cathode_lca.LCAModel or None, got {model!r:.60} ({type(model).__name__})",
            hint="e.g. declare(spec, model=LCAModel(extra=['my-plant.yaml'])), or leave it out for the shipped data",
        )


def _mapping(spec: BatterySpec, rules: RuleSet, stage_mapping: str | None) -> tuple[str, dict[str, str]]:
    overrides: dict[str, str] = {}
    base = rules.stage_mapping
    if spec.stage_mapping is not None:
        if isinstance(spec.stage_mapping, str):
            base = spec.stage_mapping
        else:
            base, overrides = spec.stage_mapping.base, dict(spec.stage_mapping.overrides)
    if stage_mapping is not None:
        base = stage_mapping
    return base, overrides


def _transport_note(data: ModelData) -> str:
    """The transport note: GREET 2022 on the shipped background, the user's database otherwise."""
    background = data.metadata.get("background") or {}
    if background.get("kind") != "brightway":
        return TRANSPORT_NOTE
    return (
        f"transport datasets come from the Brightway background {background.get('project')}/"
        f"{background.get('database')} (mapping {background.get('mapping')}), per t*km as defined there; "
        "the PEF utilisation ratio (64 %) is not applied"
    )


def assemble(spec: BatterySpec, rules: RuleSet, data: ModelData, *, stage_mapping: str | None = None) -> Declaration:
    """Build the declaration from model numbers *data* (no model access)."""
    rules = get_rules(rules)
    base, overrides = _mapping(spec, rules, stage_mapping)
    table = resolve_mapping(base, overrides)
    energy = total_energy(spec)
    e_total = energy.kwh
    warnings: list[str] = list(energy.warnings)
    items: list[LineItem] = []
    cam_mass = spec.bill_of_materials.cathode_active_material.mass_kg
    cam_source = spec.bill_of_materials.cathode_active_material.source

    # 1. cathode active material production without the CFF materials' salts
    for tag in sorted(data.cam_rest_by_tag):
        if tag not in table:
            raise ValidationError(
                f"dataset stage tag '{tag}' of {data.cam_dataset} has no life-cycle stage",
                dataset=data.cam_dataset,
                hint="supply datasets (energy, chemicals, transport) must be consumed by a tagged process",
            )
        items.append(
            LineItem(
                id=f"cathode:{tag}",
                description=f"cathode active material, {PROCESS_TAGS.get(tag, tag)}, without the CFF materials",
                stage=table[tag],
                process=tag,
                kind="modelled",
                quantity=cam_mass,
                quantity_unit="kg CAM",
                factor=data.cam_rest_by_tag[tag],
                source=f"{data.cam_dataset} by stage tag minus the virgin salts of the CFF materials; CAM mass: "
                f"{cam_source}",
                datasets=(data.cam_dataset,),
            )
        )

    # 2. CFF per material of the cathode
    cff: dict[str, MaterialCFFResult] = {}
    for el in data.materials:
        result = material_cff(spec, rules, el, data, warnings)
        cff[el] = result
        for term, (formula, stage) in TERM_TEXT.items():
            raw_side = stage == RAW
            items.append(
                LineItem(
                    id=f"cff:{el}:{term}",
                    description=f"{el} in the cathode active material: {formula}",
                    stage=stage,
                    process=None,
                    kind="cff",
                    quantity=result.input_mass_kg if raw_side else result.product_mass_kg,
                    quantity_unit=f"kg {el} ({'input to' if raw_side else 'contained in'} the cathode active material)",
                    factor=np.asarray(getattr(result.terms, term), dtype=float),
                    source=f"CFF, rule set {rules.id}; see calculation.cff.{el}",
                    datasets=term_datasets(data, el, term, result),
                )
            )

    # 3. supplied values for the parts cathode-lca does not model
    for ci, comp in enumerate(spec.bill_of_materials.components):
        if not comp.carbon_footprint and comp.mass_kg > 0:
            warnings.append(
                f"component '{comp.name}' ({comp.mass_kg:g} kg) has no carbon footprint entry and is "
                "not counted (data gap)"
            )
        for ei, entry in enumerate(comp.carbon_footprint):
            if entry.per == "kg":
                quantity, unit = comp.mass_kg, "kg"
            elif entry.per == "kWh":
                quantity, unit = spec.battery.usable_energy_kwh, "kWh usable energy (BoL)"
            else:
                quantity, unit = 1.0, "battery"
            if entry.dataset is not None:
                if entry.dataset not in data.dataset_burdens:
                    raise spec.error(
                        ("bill_of_materials", "components", ci, "carbon_footprint", ei, "dataset"),
                        f"no result for dataset '{entry.dataset}'",
                        "check the dataset id",
                    )
                factor = float(entry.amount or 0.0) * data.dataset_burdens[entry.dataset]
                ds_unit = data.dataset_units.get(entry.dataset, "")
                note: tuple[str, ...] = (f"{entry.amount:g} {ds_unit} of {entry.dataset} per {entry.per}",)
                datasets: tuple[str, ...] = (entry.dataset,)
            else:
                factor = vec(
                    float(entry.value or 0.0), entry.fossil or 0.0, entry.biogenic or 0.0, entry.land_use or 0.0
                )
                note, datasets = (), ()
            items.append(
                LineItem(
                    id=f"supplied:{ci}:{ei}",
                    description=f"{comp.name}: {entry.description or PROCESS_TAGS[entry.process]}",
                    stage=table[entry.process],
                    process=entry.process,
                    kind="supplied",
                    quantity=quantity,
                    quantity_unit=unit,
                    factor=factor,
                    source=entry.source,
                    datasets=datasets,
                    notes=note,
                )
            )

    _aggregated_mining_note(spec, table, warnings)

    # 4. end of life of the whole pack: collection, dismantling, co-products, disposal
    warnings.extend(data.warnings)
    eol_line_items, eol_trace = eol_items(spec, rules, data, table, warnings)
    items += eol_line_items

    # 5. distribution
    dist = spec.distribution
    mass = dist.mass_kg if dist.mass_kg is not None else spec.battery_mass_kg
    legs = [(f"scenario {name}", mode, km) for name in dist.scenarios for mode, km in DISTRIBUTION_SCENARIOS[name]]
    legs += [("leg", leg.mode, leg.distance_km) for leg in dist.legs]
    for i, (origin, mode, km) in enumerate(legs):
        if mode not in data.transport_per_tkm:
            raise ValidationError(
                f"no transport dataset for mode '{mode}'", hint=f"the inventory lacks {TRANSPORT_DATASETS[mode]}"
            )
        items.append(
            LineItem(
                id=f"distribution:{i}",
                description=f"transport to the point of sale, {mode}, {km:g} km ({origin})",
                stage=table["distribution"],
                process="distribution",
                kind="modelled",
                quantity=mass / 1000.0 * km,
                quantity_unit="t*km",
                factor=data.transport_per_tkm[mode],
                source=(f"{DISTRIBUTION_SOURCE}; " if origin.startswith("scenario") else "") + f"{dist.source}; "
                f"mass {mass:g} kg",
                datasets=(TRANSPORT_DATASETS[mode],),
                notes=(_transport_note(data),),
            )
        )

    # 6. what a verifier checks: company-specific data, 3 % cut-off, DQR, verification fields
    compliance = compliance_checks(spec, data, items, eol_trace, warnings)

    # 7. sums
    totals = stage_totals(items)
    total = grand_total(totals)
    stages_abs = {s: float(totals[s][0]) for s in STAGES}
    stages_kwh = {s: stages_abs[s] / e_total for s in STAGES}
    total_kwh = 0.0
    for s in STAGES:
        total_kwh += stages_kwh[s]
    total_abs = float(total[0])

    performance = spec.battery.performance_class or PERFORMANCE_CLASS_UNDEFINED
    carbon_footprint = {
        "batteryCarbonFootprint": total_kwh,
        "carbonFootprintPerLifecycleStage": [{"lifecycleStage": s, "carbonFootprint": stages_kwh[s]} for s in STAGES],
        "carbonFootprintPerformanceClass": performance,
        "carbonFootprintStudy": spec.battery.carbon_footprint_study,
        "absoluteCarbonFootprint": total_abs,
    }

    cam_elements_kg = {el: cam_mass * md.product_per_kg_cam for el, md in data.materials.items()}
    entities, rc_checks = recycled_content(spec, cam_elements_kg)
    for el, c in rc_checks["elements"].items():
        if c["recycledSharePercent"] > 0 and not c["evidence"]:
            warnings.append(f"recycled content of {el} is declared without evidence (sourcing.{el}.evidence)")
        if c["missingEvidence"]:
            warnings.append(
                f"recycled content of {el} (Art. 8) is not verifiable, no 'pass' is shown: missing "
                + "; ".join(c["missingEvidence"])
            )

    calculation = calculation_trace(
        CalculationParts(
            spec=spec,
            rules=rules,
            data=data,
            base=base,
            overrides=overrides,
            table=table,
            energy=energy,
            items=items,
            totals=totals,
            total=total,
            stages_abs=stages_abs,
            stages_kwh=stages_kwh,
            total_abs=total_abs,
            total_kwh=total_kwh,
            cff=cff,
            rc_checks=rc_checks,
            eol_trace=eol_trace,
            compliance=compliance,
            warnings=warnings,
            performance=performance,
        )
    )
    extra: dict[str, Any] = {}
    circ, circ_status = circularity_payload(spec, entities)
    if circ is not None:
        extra["circularity"] = circ
    ver = spec.verification
    if ver is not None and ver.declaration_of_conformity_url:
        extra["declarationOfConformity"] = ver.declaration_of_conformity_url
    report = validation_report(
        {"carbonFootprint": carbon_footprint, "recycledContent": entities, **json.loads(json.dumps(_plain(extra)))}
    )
    calculation["batteryPassPayloads"] = {
        "circularity": circ_status,
        "declarationOfConformity": "produced (verification.declaration_of_conformity_url; the DoC id is in "
        "calculation.compliance.verification)"
        if "declarationOfConformity" in extra
        else "not produced: no verification.declaration_of_conformity_url (Labeling.declarationOfConformity is a URI)",
        "validation": report,
    }
    for part, result in report.items():
        if isinstance(result, str) and result.startswith("INVALID"):
            warnings.append(f"Battery Pass payload {part} does not match the v1.2.0 schema: {result}")
    return Declaration(
        extra_payloads=extra,
        carbon_footprint=carbon_footprint,
        recycled_content=entities,
        calculation=calculation,
        line_items=items,
        stages_absolute=stages_abs,
        stages_per_kwh=stages_kwh,
        total_absolute=total_abs,
        total_per_kwh=total_kwh,
        total_energy=energy,
        cff=cff,
        rules=rules,
        warnings=warnings,
    )


def compliance_checks(
    spec: BatterySpec, data: ModelData, items: list[LineItem], eol_trace: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    """Company-specific data, the 3 % cut-off, DQR and verification fields (see :mod:`.compliance`)."""
    company = company_specific_data(items, spec.primary_data)
    banner = non_compliance_warning(company)
    if banner:
        warnings.insert(0, banner)
    excluded = {
        f"component '{c.name}' (no carbon footprint data)": c.mass_kg
        for c in spec.bill_of_materials.components
        if not c.carbon_footprint and c.mass_kg > 0
    }
    if eol_trace.get("disposalCounted") is False and eol_trace.get("disposedKgPerBattery", 0.0) > 0:
        excluded["disposal of the unrecovered mass (no disposal dataset)"] = eol_trace["disposedKgPerBattery"]
    cut = cut_off_test(excluded, spec.battery_mass_kg)
    if not cut["pass"]:
        warnings.append(
            f"cut-off test failed: {cut['excludedMassPercent']:.3g} % of the battery mass is left out "
            f"(limit {cut['limitPercent']:g} %, PEF Annex I §4.6.4): " + "; ".join(excluded)
        )
    supplied = {
        f"supplied:{ci}:{ei}": pedigree_rating(entry.quality.model_dump())
        for ci, comp in enumerate(spec.bill_of_materials.components)
        for ei, entry in enumerate(comp.carbon_footprint)
        if entry.quality is not None and entry.dataset is None
    }
    quality = dqr(items, data.quality, supplied)
    ver, ver_warnings = verification(spec)
    warnings.extend(ver_warnings)
    return {"companySpecificData": company, "cutOff": cut, "dqr": quality, "verification": ver}


_MINING_SPLIT = {"anode-active-material-production": "graphite", "electrolyte-production": "electrolyte"}


def _aggregated_mining_note(spec: BatterySpec, table: dict[str, str], warnings: list[str]) -> None:
    """Say where the mining part of an aggregated anode/electrolyte dataset could not go to raw materials."""
    for comp in spec.bill_of_materials.components:
        for entry in comp.carbon_footprint:
            what = _MINING_SPLIT.get(entry.process)
            if what and entry.dataset and table[entry.process] != RAW:
                warnings.append(
                    f"{what} mining cannot be moved to raw material acquisition (CG p.83): {entry.dataset} is an "
                    f"aggregated cradle-to-gate dataset, counted whole in {table[entry.process]}; give the mining part "
                    "as its own entry with process: raw-material-extraction"
                )
