"""The Circular Footprint Formula of one cathode material: parameters, emissions and terms with sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .cff import CFFEmissions, CFFParameters, CFFTerms, blend, cff_terms
from .model_data import ModelData, vec
from .rules import CFF_STAGE_SOURCE, EOL, RAW, Cited, RuleSet
from .spec import BatterySpec, CitedValue, MaterialCFF, SuppliedValue

R2_WARNING = "R2 = 0 for every recovered material: no recyclability evidence"
R2_NO_EVIDENCE = (
    "R2 = 0: PEF Annex I (Rec. (EU) 2021/2279) section 4.4.8 asks for a recyclability statement per EN ISO 14021 "
    "§7.7.4; 'if one criterion is not fulfilled ... an R2 value of 0% shall be applied'. Give "
    "end_of_life.recyclability_evidence to use collection rate x route yield"
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


def supplied_vec(v: SuppliedValue) -> np.ndarray:
    return vec(v.value, v.fossil or 0.0, v.biogenic or 0.0, v.land_use or 0.0)


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
    elif not spec.end_of_life.recyclability_evidence:
        r2 = 0.0
        psrc["R2"] = R2_NO_EVIDENCE
        if not any(w.startswith(R2_WARNING) for w in warnings):
            warnings.append(f"{R2_WARNING} (end_of_life.recyclability_evidence missing): {R2_NO_EVIDENCE}")
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
            return supplied_vec(override)
        if model_value is not None:
            esrc[name] = label
            return np.asarray(model_value, dtype=float)
        if needed:
            raise spec.error(("cff", element), f"no value for {name} of {element}", missing_hint)
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
                values.append(supplied_vec(share.e_recycled))
                labels.append(f"{name} {share.percent:g} %: supplier value ({share.e_recycled.source})")
            else:
                model_value = md.e_recycled_pre if name == "pre_consumer" else md.e_recycled_post
                if model_value is None:
                    raise spec.error(
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
    warnings.extend(recycled_heavier(element, params, e_v[0], e_v_star[0], e_recycled[0], e_rec_eol[0]))
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


def recycled_heavier(
    element: str, p: CFFParameters, e_v: float, e_v_star: float, e_recycled: float, e_recycling_eol: float
) -> list[str]:
    """Warnings when recycled *element* carries more than the virgin it stands for, so that recycling raises
    the footprint: the end-of-life term is then a burden, and a recycled input costs more than virgin.

    >>> p = CFFParameters(A=0.2, B=0.0, R1=0.0, R2=0.5, R3=0.0, qsin_qp=1.0, qsout_qp=1.0)
    >>> [w.split(":")[0] for w in recycled_heavier("Co", p, 18.0, 18.0, 0.0, 20.0)]
    ['CFF, Co']
    >>> recycled_heavier("Ni", p, 20.0, 20.0, 0.0, 7.0)
    []
    """
    out = []
    eol = (1 - p.A) * p.R2 * (e_recycling_eol - e_v_star * p.qsout_qp)
    if eol > 0:
        out.append(
            f"CFF, {element}: the end-of-life term is a burden, not a credit ({eol:+.3g} kg CO2-eq per kg "
            f"{element}): recycled {element} (ErecyclingEoL {e_recycling_eol:.4g}) carries more than the virgin "
            f"{element} it substitutes (E*V·QSout/QP {e_v_star * p.qsout_qp:.4g} kg CO2-eq per kg). A modelled "
            "recycled salt carries the recycler's burden as CF Rules §5 allocates it (calculation.recyclerAllocation; "
            "economic for the shipped routes, which gives a high-price metal a large share); this is what the "
            "rules give, not an error (docs/passport.md)"
        )
    extra = p.R1 * p.A * (e_recycled - e_v * p.qsin_qp)
    if extra > 0:
        out.append(
            f"CFF, {element}: the recycled share raises the footprint ({extra:+.3g} kg CO2-eq per kg {element} "
            f"against all virgin): Erecycled {e_recycled:.4g} is above EV·QSin/QP {e_v * p.qsin_qp:.4g} kg CO2-eq "
            "per kg (a modelled recycled salt: the recycler's burden as CF Rules §5 allocates it; docs/passport.md)"
        )
    return out


TERM_TEXT = {
    "virgin": ("(1-R1)·EV", RAW),
    "recycled_input": ("R1·(A·Erecycled + (1-A)·EV·QSin/QP)", RAW),
    "recycling_eol": ("(1-A)·R2·(ErecyclingEoL - E*V·QSout/QP)", EOL),
    "energy_recovery": ("(1-B)·R3·(EER - LHV·XER,heat·ESE,heat - LHV·XER,elec·ESE,elec)", EOL),
    "disposal": ("(1-R2-R3)·ED", EOL),
}


def term_datasets(data: ModelData, element: str, term: str, result: MaterialCFFResult) -> tuple[str, ...]:
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
            out += ids.get("virgin_star", ids.get("virgin", ()))
    return tuple(dict.fromkeys(out))
