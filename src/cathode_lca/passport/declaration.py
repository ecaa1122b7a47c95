"""Build the declaration: line items, CFF per material, stages, Battery Pass JSON and the trace.

:func:`declare` runs the model (:mod:`.model_data`) and :func:`assemble` turns the numbers into a
:class:`Declaration` with three parts:

- ``carbonFootprint``: exactly the Battery Pass v1.2.0 ``CarbonFootprintForBatteries``;
- ``recycledContent``: a list of Battery Pass ``RecycledContentEntity``;
- ``calculation``: the full trace (rule set, CFF parameters and terms per material, E_total,
  stage values, line items with datasets and sources, recycled-content and Annex XII checks,
  metadata and its hash).

Examples
--------
>>> from cathode_lca.passport import declare                          # doctest: +SKIP
>>> d = declare("examples/battery-nmc811.yaml", rules="cut-off")     # doctest: +SKIP
>>> d.total_per_kwh, d.stages_per_kwh["Recycling"]                   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError, ValidationError
from .cff import CFFEmissions, CFFParameters, CFFTerms, blend, cff_terms
from .model_data import ModelData, vec
from .recycled_content import recycled_content
from .rules import (
    CFF_STAGE_SOURCE,
    DISTRIBUTION_SCENARIOS,
    DISTRIBUTION_SOURCE,
    EOL,
    PERFORMANCE_CLASS_SOURCE,
    PERFORMANCE_CLASS_UNDEFINED,
    PROCESS_TAGS,
    RAW,
    STAGE_MAPPINGS,
    STAGE_NAMES,
    STAGES,
    TRANSPORT_DATASETS,
    TRANSPORT_NOTE,
    Cited,
    RuleSet,
    get_rules,
    resolve_mapping,
)
from .spec import BatterySpec, BatterySpecError, CitedValue, MaterialCFF, SuppliedValue, load_battery_spec
from .stages import LineItem, TotalEnergy, grand_total, stage_totals, total_energy

SCHEMAS = {
    "carbonFootprint": "carbon_footprint_for_batteries.schema.json",
    "recycledContent": "recycled_content.schema.json",
}
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


@dataclass(frozen=True)
class MaterialCFFResult:
    """CFF of one material: parameters and emissions with their sources, masses and terms."""

    element: str
    parameters: CFFParameters
    parameter_sources: dict[str, str]
    emissions: CFFEmissions
    emission_sources: dict[str, str]
    input_mass_kg: float
    product_mass_kg: float
    terms: CFFTerms

    @property
    def raw_material_kg(self) -> float:
        """kg CO2-eq of the raw-material stage terms per battery."""
        return float(self.input_mass_kg * np.asarray(self.terms.raw_material)[0])

    @property
    def end_of_life_kg(self) -> float:
        """kg CO2-eq of the end-of-life stage terms per battery."""
        return float(self.product_mass_kg * np.asarray(self.terms.end_of_life)[0])

    def as_dict(self) -> dict[str, Any]:
        def per(v: Any) -> float:
            return float(np.asarray(v, dtype=float).ravel()[0])

        emissions = {}
        for name, value in self.emissions.__dict__.items():
            arr = np.asarray(value, dtype=float)
            entry: dict[str, Any] = {"value": per(value), "source": self.emission_sources.get(name, "")}
            if arr.ndim == 1 and arr.size == 4:
                entry.update(fossil=float(arr[1]), biogenic=float(arr[2]), landUse=float(arr[3]))
            emissions[name] = entry
        terms = self.terms.as_dict()
        return {
            "parameters": {
                name: {"value": float(getattr(self.parameters, name)), "source": self.parameter_sources[name]}
                for name in ("A", "B", "R1", "R2", "R3", "qsin_qp", "qsout_qp")
            },
            "emissionsKgCO2ePerKg": emissions,
            "inputMassKg": self.input_mass_kg,
            "productMassKg": self.product_mass_kg,
            "termsKgCO2ePerKg": {k: per(v) for k, v in terms.items()},
            "termsKgCO2e": {
                k: per(v) * (self.input_mass_kg if k in ("virgin", "recycled_input") else self.product_mass_kg)
                for k, v in terms.items()
            },
            "stages": {
                "virgin": RAW,
                "recycled_input": RAW,
                "recycling_eol": EOL,
                "energy_recovery": EOL,
                "disposal": EOL,
            },
            "stageRule": CFF_STAGE_SOURCE,
        }


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "carbonFootprint": self.carbon_footprint,
            "recycledContent": self.recycled_content,
            "calculation": self.calculation,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(_plain(self.to_dict()), indent=indent, ensure_ascii=False)

    def validate(self) -> None:
        """Check the two Battery Pass parts against the JSON Schemas shipped in the package (needs jsonschema)."""
        try:
            import jsonschema
        except ImportError:  # pragma: no cover - depends on the environment
            raise UsageError("validation needs the 'jsonschema' package", hint="pip install jsonschema") from None
        payload = json.loads(self.to_json())
        for key, name in SCHEMAS.items():
            schema = load_schema(name)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            errors = sorted(validator.iter_errors(payload[key]), key=lambda e: list(e.absolute_path))
            if errors:
                err = errors[0]
                path = "/".join(str(p) for p in err.absolute_path)
                raise ValidationError(
                    f"{key}/{path}: {err.message}", field=key, hint=f"does not match {name} (Battery Pass v1.2.0)"
                )

    def to_table(self) -> str:
        """A plain-text summary."""
        calc = self.calculation
        b = calc["battery"]
        fu = calc["functionalUnit"]
        lines = [
            f"Battery carbon footprint declaration: {b['model']} ({b['chemistry']}), plant {b['manufacturingPlant']}",
            f"rules {self.rules.id} (version {self.rules.version}), stage mapping {calc['stageMapping']['id']}, "
            f"GWP {calc['metadata']['method']}",
            f"battery category {fu['batteryCategory']}: {self.total_energy.formula} (method {fu['method']})",
        ]
        if fu["justification"]:
            lines.append(f"justification of the cycles: {fu['justification']}")
        lines += [f"capacity fade: {fu['capacityFade']}", ""]
        rows = []
        for s in STAGES:
            share = 100 * self.stages_absolute[s] / self.total_absolute if self.total_absolute else float("nan")
            rows.append(
                {
                    "stage": s,
                    "kg CO2-eq": self.stages_absolute[s],
                    "kg CO2-eq/kWh": self.stages_per_kwh[s],
                    "share %": share,
                }
            )
        rows.append(
            {"stage": "total", "kg CO2-eq": self.total_absolute, "kg CO2-eq/kWh": self.total_per_kwh, "share %": 100.0}
        )
        lines.append(_table(rows, ["stage", "kg CO2-eq", "kg CO2-eq/kWh", "share %"]))
        supplied = sum(float(i.value[0]) for i in self.line_items if i.kind == "supplied")
        lines += [
            f"supplied data: {supplied:.6g} kg CO2-eq of {self.total_absolute:.6g} (marked in calculation.lineItems)",
            f"performance class: {self.carbon_footprint['carbonFootprintPerformanceClass']}",
            "",
            "CFF per material (kg CO2-eq per battery):",
        ]
        cff_rows = []
        for el, r in self.cff.items():
            cff_rows.append(
                {
                    "material": el,
                    "kg": r.input_mass_kg,
                    "A": r.parameters.A,
                    "R1": r.parameters.R1,
                    "R2": r.parameters.R2,
                    "raw material": r.raw_material_kg,
                    "end of life": r.end_of_life_kg,
                }
            )
        lines.append(_table(cff_rows, ["material", "kg", "A", "R1", "R2", "raw material", "end of life"]))
        rc = calc["recycledContent"]["elements"]
        if rc:
            lines += ["", "Recycled content (Art. 8):"]
            rc_rows = []
            for el, c in rc.items():
                rc_rows.append(
                    {
                        "element": el,
                        "pre %": c["preConsumerSharePercent"],
                        "post %": c["postConsumerSharePercent"],
                        "total %": c["recycledSharePercent"],
                        "2031": _verdict(c["minimums"]["2031"], "minimumPercent"),
                        "2036": _verdict(c["minimums"]["2036"], "minimumPercent"),
                    }
                )
            lines.append(_table(rc_rows, ["element", "pre %", "post %", "total %", "2031", "2036"]))
        annex = calc["annexXII"]
        lines += ["", f"Recycler checks (Annex XII), route {annex['route']}:"]
        ax_rows = []
        for el, m in annex["materialRecovery"].items():
            if m.get("present"):
                ax_rows.append(
                    {
                        "metric": f"material recovery {el}",
                        "%": m["materialRecoveryPercent"],
                        **_targets(m["targets"], "targetPercent"),
                    }
                )
        eff = annex["recyclingEfficiency"]
        ax_rows.append(
            {
                "metric": f"recycling efficiency ({eff['batteryType']})",
                "%": eff["percent"],
                **_targets(eff["targets"], "targetPercent"),
            }
        )
        lines.append(_table(ax_rows, ["metric", "%", "first target", "second target"]))
        if self.warnings:
            lines += ["", "Warnings:"] + [f"- {w}" for w in self.warnings]
        meta = calc["metadata"]
        lines += [
            "",
            f"inventory hash {meta['inventory_hash'][:12]}, version {meta['package_version']}, "
            f"metadata hash {meta['metadataHash'][:12]}",
        ]
        return "\n".join(lines)


def _targets(targets: dict[str, Any], key: str) -> dict[str, str]:
    years = sorted(targets)
    out = {}
    for label, year in zip(("first target", "second target"), years, strict=False):
        out[label] = f"{year}: " + _verdict(targets[year], key)
    return out


def _verdict(check: dict[str, Any], key: str) -> str:
    status = "pass" if check["pass"] else f"FAIL (gap {check['gapPercentagePoints']:.3g} pp)"
    return f"{check[key]:g} % {status}"


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cell(v: Any) -> str:
        return f"{v:.6g}" if isinstance(v, float) else str(v)

    body = [[cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(b[i]) for b in body]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(b, widths, strict=True)) for b in body]
    return "\n".join(out)


def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``cathode_lca/passport/schemas``."""
    path = Path(__file__).resolve().parent / "schemas" / name
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------
def declare(
    spec: BatterySpec | str | Path,
    rules: str | RuleSet = "jrc-cfb-ev-2023",
    model: Any = None,
    *,
    stage_mapping: str | None = None,
) -> Declaration:
    """Declaration of the battery *spec* under *rules* (``jrc-cfb-ev-2023`` or ``cut-off``).

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

    if not isinstance(spec, BatterySpec):
        spec = load_battery_spec(spec)
    rule_set = get_rules(rules)
    if model is None:
        from ..lca import default_model

        model = default_model()
    data = collect_model_data(spec, rule_set, model)
    return assemble(spec, rule_set, data, stage_mapping=stage_mapping)


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


def _supplied_vec(v: SuppliedValue) -> np.ndarray:
    return vec(v.value, v.fossil or 0.0, v.biogenic or 0.0, v.land_use or 0.0)


def _spec_error(spec: BatterySpec, loc: tuple[Any, ...], message: str, hint: str) -> BatterySpecError:
    return BatterySpecError(message, file=spec.file, line=spec.line_of(loc), field=".".join(map(str, loc)), hint=hint)


def material_cff(
    spec: BatterySpec, rules: RuleSet, element: str, data: ModelData, warnings: list[str]
) -> MaterialCFFResult:
    """CFF parameters, emissions and terms of one element of the cathode active material."""
    md = data.materials[element]
    ov = spec.cff.get(element) or MaterialCFF()
    mix = spec.sourcing.get(element)
    cam_mass = spec.bill_of_materials.cathode_active_material.mass_kg
    psrc: dict[str, str] = {}

    def param(name: str, override: CitedValue | None, default: Cited) -> float:
        if override is not None:
            psrc[name] = f"battery file cff.{element}.{name}: {override.source}"
            return override.value
        psrc[name] = f"rule set {rules.id}: {default.source}"
        return default.value

    a = param("A", ov.A, rules.a_metals)
    b = param("B", ov.B, rules.b)
    r3 = param("R3", ov.R3, rules.r3_metals)
    qsin = param("qsin_qp", ov.QSin_QP, rules.qsin_qp)
    qsout = param("qsout_qp", ov.QSout_QP, rules.qsout_qp)

    recycled = (mix.recycled_percent / 100.0) if mix is not None else 0.0
    if mix is None:
        r1 = 0.0
        psrc["R1"] = f"no sourcing mix for {element}: 100 % virgin"
    elif recycled > 0 and rules.r1_requires_evidence and not mix.evidence:
        r1 = rules.r1.value
        psrc["R1"] = f"rule set {rules.id}: {rules.r1.source}; sourcing.{element} gives no evidence"
        warnings.append(
            f"R1 of {element} set to {r1:g}: the recycled share ({mix.recycled_percent:g} %) has no 'evidence' in "
            f"sourcing.{element} (rule set {rules.id}); the recycled content (Art. 8) is still reported"
        )
    else:
        r1 = recycled
        psrc["R1"] = (
            f"sourcing.{element}: pre-consumer {mix.pre_consumer.percent:g} % + post-consumer "
            f"{mix.post_consumer.percent:g} % (evidence: {mix.evidence or 'none needed'})"
        )

    if ov.R2 is not None:
        r2 = ov.R2.value
        psrc["R2"] = f"battery file cff.{element}.R2: {ov.R2.source}"
    else:
        rate = spec.end_of_life.collection_rate_percent / 100.0
        r2 = rate * md.eol_yield
        psrc["R2"] = (
            f"collection rate {rate:g} (end_of_life: {spec.end_of_life.source}) x recovery yield {md.eol_yield:.6g} "
            f"({md.datasets.get('R2_yield', '')}); {rules.r2}"
        )

    esrc: dict[str, str] = {}

    def emission(
        name: str,
        override: SuppliedValue | None,
        model_value: np.ndarray | None,
        label: str,
        needed: bool,
        missing_hint: str,
    ) -> np.ndarray:
        if override is not None:
            esrc[name] = f"supplier value, battery file cff.{element}.{name}: {override.source}"
            return _supplied_vec(override)
        if model_value is not None:
            esrc[name] = label
            return np.asarray(model_value, dtype=float)
        if needed:
            raise _spec_error(spec, ("cff", element), f"no value for {name} of {element}", missing_hint)
        esrc[name] = "not used (its factor in the CFF is 0)"
        return vec(0.0)

    e_v = emission("E_v", ov.E_v, md.e_v, md.datasets.get("E_v", ""), True, "give E_v")
    e_v_star = emission("E_v_star", ov.E_v_star, md.e_v_star, md.datasets.get("E_v_star", ""), True, "give E_v_star")

    # Erecycled: share-weighted over pre- and post-consumer inputs
    if ov.E_recycled is not None or mix is None or recycled == 0 or r1 == 0:
        e_recycled = emission("E_recycled", ov.E_recycled, None, "", False, "")
    else:
        shares, values, labels = [], [], []
        for name in ("pre_consumer", "post_consumer"):
            share = getattr(mix, name)
            if share.percent == 0:
                continue
            if share.e_recycled is not None:
                values.append(_supplied_vec(share.e_recycled))
                labels.append(f"{name} {share.percent:g} %: supplier value ({share.e_recycled.source})")
            else:
                model_value = md.e_recycled_pre if name == "pre_consumer" else md.e_recycled_post
                if model_value is None:
                    raise _spec_error(
                        spec,
                        ("sourcing", element, name),
                        f"no Erecycled for the {name} share of {element}",
                        "give e_recycled: {value: ..., source: ...}",
                    )
                values.append(model_value)
                labels.append(f"{name} {share.percent:g} %: {md.datasets.get('E_recycled_' + name, '')}")
            shares.append(share.percent)
        e_recycled = np.asarray(blend(shares, values), dtype=float)
        esrc["E_recycled"] = "share-weighted mean of " + "; ".join(labels)

    eol_needed = (1 - a) * r2 != 0
    e_rec_eol = emission(
        "E_recycling_eol",
        ov.E_recycling_eol,
        md.e_recycling_eol,
        md.datasets.get("E_recycling_eol", ""),
        eol_needed,
        "the end-of-life route gives no recycled " + element + " dataset: give E_recycling_eol",
    )
    e_d = emission("E_D", ov.E_D, vec(rules.e_d.value), f"rule set {rules.id}: {rules.e_d.source}", False, "")
    e_er = emission("E_ER", ov.E_ER, None, "", False, "")
    e_se_heat = emission("E_SE_heat", ov.E_SE_heat, None, "", False, "")
    e_se_elec = emission("E_SE_elec", ov.E_SE_elec, None, "", False, "")
    scalars = {}
    for name, override in (("LHV", ov.LHV), ("X_ER_heat", ov.X_ER_heat), ("X_ER_elec", ov.X_ER_elec)):
        scalars[name] = override.value if override is not None else 0.0
        esrc[name] = f"battery file cff.{element}.{name}: {override.source}" if override else "0 (R3 = 0 for metals)"

    params = CFFParameters(A=a, B=b, R1=r1, R2=r2, R3=r3, qsin_qp=qsin, qsout_qp=qsout)
    params.check(element)
    emissions = CFFEmissions(
        e_v=e_v,
        e_v_star=e_v_star,
        e_recycled=e_recycled,
        e_recycling_eol=e_rec_eol,
        e_d=e_d,
        e_er=e_er,
        e_se_heat=e_se_heat,
        e_se_elec=e_se_elec,
        lhv=scalars["LHV"],
        x_er_heat=scalars["X_ER_heat"],
        x_er_elec=scalars["X_ER_elec"],
    )
    esrc = {
        "e_v": esrc["E_v"],
        "e_v_star": esrc["E_v_star"],
        "e_recycled": esrc["E_recycled"],
        "e_recycling_eol": esrc["E_recycling_eol"],
        "e_d": esrc["E_D"],
        "e_er": esrc["E_ER"],
        "e_se_heat": esrc["E_SE_heat"],
        "e_se_elec": esrc["E_SE_elec"],
        "lhv": esrc["LHV"],
        "x_er_heat": esrc["X_ER_heat"],
        "x_er_elec": esrc["X_ER_elec"],
    }
    return MaterialCFFResult(
        element=element,
        parameters=params,
        parameter_sources=psrc,
        emissions=emissions,
        emission_sources=esrc,
        input_mass_kg=cam_mass * md.input_per_kg_cam,
        product_mass_kg=cam_mass * md.product_per_kg_cam,
        terms=cff_terms(params, emissions),
    )


_TERM_TEXT = {
    "virgin": ("(1-R1)·EV", RAW),
    "recycled_input": ("R1·(A·Erecycled + (1-A)·EV·QSin/QP)", RAW),
    "recycling_eol": ("(1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)", EOL),
    "energy_recovery": ("(1-B)·R3·(EER - LHV·XER,heat·ESE,heat - LHV·XER,elec·ESE,elec)", EOL),
    "disposal": ("(1-R2-R3)·ED", EOL),
}


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
        for term, (formula, stage) in _TERM_TEXT.items():
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
                    datasets=_term_datasets(data, el, term, result),
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
                    raise _spec_error(
                        spec,
                        ("bill_of_materials", "components", ci, "carbon_footprint", ei, "dataset"),
                        f"no result for dataset '{entry.dataset}'",
                        "check the dataset id",
                    )
                factor = float(entry.amount or 0.0) * data.dataset_burdens[entry.dataset]
                ds_unit = data.dataset_units.get(entry.dataset, "")
                note = (f"{entry.amount:g} {ds_unit} of {entry.dataset} per {entry.per}",)
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

    # 4. distribution
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
                notes=(TRANSPORT_NOTE,),
            )
        )

    # 5. sums
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

    calculation = _calculation(
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
    )
    return Declaration(
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


def _term_datasets(data: ModelData, element: str, term: str, result: MaterialCFFResult) -> tuple[str, ...]:
    """Dataset ids behind a CFF term (supplier values replace them)."""
    ids = data.materials[element].dataset_ids
    src = result.emission_sources
    out: list[str] = []
    if term in ("virgin", "recycled_input") and not src["e_v"].startswith("supplier"):
        out += ids.get("virgin", ())
    if term == "recycled_input" and result.parameters.R1 > 0 and not src["e_recycled"].startswith("supplier"):
        out += ids.get("recycled_input", ())
    if term == "recycling_eol" and result.parameters.R2 > 0 and not src["e_recycling_eol"].startswith("supplier"):
        out += ids.get("recycling_eol", ())
        if not src["e_v_star"].startswith("supplier"):
            out += ids.get("virgin", ())
    return tuple(dict.fromkeys(out))


def _calculation(
    spec: BatterySpec,
    rules: RuleSet,
    data: ModelData,
    base: str,
    overrides: dict[str, str],
    table: dict[str, str],
    energy: TotalEnergy,
    items: list[LineItem],
    totals: dict[str, np.ndarray],
    total: np.ndarray,
    stages_abs: dict[str, float],
    stages_kwh: dict[str, float],
    total_abs: float,
    total_kwh: float,
    cff: dict[str, MaterialCFFResult],
    rc_checks: dict[str, Any],
    warnings: list[str],
    performance: str,
) -> dict[str, Any]:
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
        "annexXII": data.recycler.get("annexXII", {}),
        "recyclerAllocation": data.allocations,
        "datasets": sorted({d for i in items for d in i.datasets}),
        "sources": data.sources,
        "modelParameters": data.parameters,
        "warnings": list(warnings),
        "draftStatus": list(DRAFT_STATUS),
        "metadata": meta,
    }
