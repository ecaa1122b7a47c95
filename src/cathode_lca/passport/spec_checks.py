"""Checks of a battery file beyond the types: every defect names the file, the line and the field.

Examples
--------
>>> from cathode_lca.passport import parse_battery_spec                    # doctest: +SKIP
>>> parse_battery_spec(text_with_nan_supplier_value, "battery.yaml")       # doctest: +SKIP
Traceback (most recent call last):
BatterySpecError: battery.yaml, line 42, field ...: supplier value must be a finite number ...
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ..catalogue import suggest
from .lifetime import lifetime_problems
from .rules import (
    DISTRIBUTION_SCENARIOS,
    PROCESS_TAGS,
    STAGE_MAPPINGS,
    STAGES,
)
from .spec_base import (
    ART8_ACTIVE,
    RESERVED_PARAMETERS,
    SOURCING_ELEMENTS,
    BatterySpecError,
    _dotted,
    line_at,
)

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from .spec import BatterySpec, MaterialSourcing, SuppliedEmission


# ---------------------------------------------------------------------------------------------
# Checks beyond the types
# ---------------------------------------------------------------------------------------------
class _Checker:
    def __init__(self, raw: Any, file: str) -> None:
        self.raw = raw
        self.file = file

    def fail(self, loc: tuple[Any, ...], message: str, hint: str) -> None:
        raise BatterySpecError(message, file=self.file, line=line_at(self.raw, loc), field=_dotted(loc), hint=hint)

    def positive(self, loc: tuple[Any, ...], value: float | None, what: str, *, allow_zero: bool = False) -> None:
        if value is None:
            return
        bad = value < 0 if allow_zero else value <= 0
        if bad or value != value or value in (float("inf"), float("-inf")):
            sign = "zero or positive" if allow_zero else "positive"
            self.fail(loc, f"{what} must be {sign}, got {value:g}", f"give a finite {sign} number")

    def finite(self, loc: tuple[Any, ...], value: float | None, what: str) -> None:
        if value is not None and not math.isfinite(value):
            self.fail(loc, f"{what} must be a finite number, got {value!r}", "give a number (not .nan or .inf)")

    def fraction(self, loc: tuple[Any, ...], value: float | None, what: str) -> None:
        if value is None:
            return
        self.finite(loc, value, what)
        if not 0.0 <= value <= 1.0:
            self.fail(loc, f"{what} is {value:g}, outside 0-1", "CFF parameters are fractions between 0 and 1")

    def percent(self, loc: tuple[Any, ...], value: float, what: str) -> None:
        if not 0 <= value <= 100:
            self.fail(loc, f"{what} is {value:g} %, outside 0-100 %", "shares in the battery file are in percent")

    def uri(self, loc: tuple[Any, ...], value: str, hint: str) -> None:
        """Refuse *value* unless it is an absolute web link (http or https with a host); *loc* names the field.

        Both links (the public CF study, Art. 7(1)(g); the EU declaration of conformity) are web links
        that a passport viewer shows to the public: a ``javascript:``, ``data:`` or ``file:`` URI would run
        code or point into the viewer's own machine.
        """
        url = urlparse(value)
        if not url.scheme or not (url.netloc or url.path):
            self.fail(loc, f"{loc[-1]} '{value}' is not an absolute URI", hint)
        if url.scheme.lower() not in ("http", "https") or not url.netloc:
            self.fail(loc, f"{loc[-1]} '{value}' is not a web link (http or https with a host)", hint)


def check_spec(spec: BatterySpec, raw: Any, file: str, catalogue: Catalogue) -> None:
    """Every check beyond the types; routes and chemistries against *catalogue*."""
    c = _Checker(raw, file)
    b = spec.battery
    c.positive(("battery", "usable_energy_kwh"), b.usable_energy_kwh, "usable energy (capacity) usable_energy_kwh")
    c.positive(("battery", "service_life_years"), b.service_life_years, "service_life_years")
    c.positive(("battery", "mass_kg"), b.mass_kg, "battery mass_kg")
    c.positive(
        ("battery", "full_equivalent_cycles_per_year"),
        b.full_equivalent_cycles_per_year,
        "full_equivalent_cycles_per_year",
    )
    c.positive(("battery", "declared_cycle_life"), b.declared_cycle_life, "declared_cycle_life")
    if b.usable_energy_kwh and b.mass_kg and b.usable_energy_kwh > MAX_KWH_PER_KG * b.mass_kg:
        c.fail(
            ("battery", "usable_energy_kwh"),
            f"usable energy {b.usable_energy_kwh:g} kWh in a {b.mass_kg:g} kg battery is "
            f"{b.usable_energy_kwh / b.mass_kg:.4g} kWh per kg, above the plausibility bound {MAX_KWH_PER_KG:g} "
            "kWh per kg (a capacity in Wh instead of kWh divides the footprint per kWh by 1,000)",
            "give the usable energy in kWh (e.g. 100 for a 100,000 Wh pack) and the battery mass in kg",
        )
    for problem_loc, message, hint in lifetime_problems(b, spec.battery_mass_kg):
        c.fail(problem_loc, message, hint)
    c.uri(
        ("battery", "carbon_footprint_study"),
        b.carbon_footprint_study,
        "give the web link of the public study, e.g. https://example.org/cf-study.pdf (BattReg Art. 7(1)(g))",
    )

    bom = spec.bill_of_materials
    c.positive(
        ("bill_of_materials", "cathode_active_material", "mass_kg"),
        bom.cathode_active_material.mass_kg,
        "cathode active material mass_kg",
    )
    lead_present = False
    for i, comp in enumerate(bom.components):
        loc: tuple[Any, ...] = ("bill_of_materials", "components", i)
        c.positive((*loc, "mass_kg"), comp.mass_kg, f"mass_kg of component '{comp.name}'", allow_zero=True)
        for el, kg in comp.elements_kg.items():
            if el not in SOURCING_ELEMENTS:
                c.fail((*loc, "elements_kg", el), f"unknown element '{el}'", "use Ni, Co, Li, Mn or Pb")
            c.positive((*loc, "elements_kg", el), kg, f"{el} mass of component '{comp.name}'", allow_zero=True)
            if kg > comp.mass_kg:
                c.fail(
                    (*loc, "elements_kg", el),
                    f"{el} mass {kg:g} kg exceeds the component mass {comp.mass_kg:g} kg",
                    "give kg of the element per battery",
                )
            lead_present |= el == "Pb" and kg > 0
        for j, entry in enumerate(comp.carbon_footprint):
            _check_supplied(c, (*loc, "carbon_footprint", j), entry)
            _check_supplied_size(c, (*loc, "carbon_footprint", j), entry, comp.mass_kg, b.usable_energy_kwh)
    _check_masses(c, spec)

    required = [el for el in ART8_ACTIVE if el in spec.cam_elements] + (["Pb"] if lead_present else [])
    for el in spec.sourcing:
        if el not in SOURCING_ELEMENTS:
            c.fail(("sourcing", el), f"unknown sourcing element '{el}'", "use Ni, Co, Li, Mn or Pb")
    for el in required:
        if el not in spec.sourcing:
            c.fail(
                ("sourcing",),
                f"no sourcing mix for {el}",
                f"add sourcing.{el} with virgin, pre_consumer and post_consumer percent",
            )
    for el, mix in spec.sourcing.items():
        _check_sourcing(c, el, mix, catalogue)

    c.positive(("distribution", "mass_kg"), spec.distribution.mass_kg, "distribution mass_kg")
    for i, scenario in enumerate(spec.distribution.scenarios):
        if scenario not in DISTRIBUTION_SCENARIOS:
            c.fail(
                ("distribution", "scenarios", i),
                f"unknown distribution scenario '{scenario}'",
                "choose one of: " + ", ".join(DISTRIBUTION_SCENARIOS),
            )
    for i, leg in enumerate(spec.distribution.legs):
        c.positive(("distribution", "legs", i, "distance_km"), leg.distance_km, "distance_km", allow_zero=True)
    supplied_distribution = any(e.process == "distribution" for comp in bom.components for e in comp.carbon_footprint)
    if not spec.distribution.scenarios and not spec.distribution.legs and not supplied_distribution:
        c.fail(
            ("distribution",),
            "no transport to the point of sale is given",
            "add distribution.scenarios, distribution.legs or a supplied value with process: distribution",
        )

    eol = spec.end_of_life
    if eol.route not in catalogue.eol_routes:
        c.fail(
            ("end_of_life", "route"),
            f"unknown end-of-life route '{eol.route}'",
            "routes that deliver battery-grade salts: " + suggest(eol.route, catalogue.eol_routes),
        )
    c.percent(("end_of_life", "collection_rate_percent"), eol.collection_rate_percent, "collection_rate_percent")
    if eol.disposal is not None:  # a burden per kg disposed: a negative one would credit throwing the battery away
        _check_supplied_value(c, ("end_of_life", "disposal"), eol.disposal, "end-of-life disposal")
    for k, part in enumerate(eol.dismantled_parts):
        loc = ("end_of_life", "dismantled_parts", k)
        c.positive((*loc, "mass_kg"), part.mass_kg, f"mass_kg of dismantled {part.material}")
        if part.recovery_percent is not None:
            c.finite((*loc, "recovery_percent", "value"), part.recovery_percent.value, "recovery_percent")
            c.percent((*loc, "recovery_percent", "value"), part.recovery_percent.value, "recovery_percent")
    dismantled = sum(p.mass_kg for p in eol.dismantled_parts)
    if b.mass_kg is not None and dismantled > b.mass_kg * (1 + MASS_TOLERANCE):
        c.fail(
            ("end_of_life", "dismantled_parts"),
            f"dismantled parts weigh {dismantled:g} kg, more than the battery ({b.mass_kg:g} kg)",
            "give the mass of each part removed at dismantling per battery, in kg",
        )

    for el, material in spec.cff.items():
        _check_cff_values(c, el, material)
        if el not in spec.cam_elements:
            c.fail(
                ("cff", el),
                f"no CFF material '{el}' in {b.chemistry} cathode active material",
                "CFF overrides apply to the elements of the cathode: " + ", ".join(spec.cam_elements),
            )

    mapping = spec.stage_mapping
    if mapping is not None:
        base = mapping if isinstance(mapping, str) else mapping.base
        loc = ("stage_mapping",) if isinstance(mapping, str) else ("stage_mapping", "base")
        if base not in STAGE_MAPPINGS:
            c.fail(loc, f"unknown stage mapping '{base}'", "choose one of: " + ", ".join(STAGE_MAPPINGS))
        if not isinstance(mapping, str):
            for tag, stage in mapping.overrides.items():
                if tag not in PROCESS_TAGS:
                    c.fail(
                        ("stage_mapping", "overrides", tag),
                        f"unknown process tag '{tag}'",
                        "use one of: " + ", ".join(PROCESS_TAGS),
                    )
                if stage not in STAGES:
                    c.fail(
                        ("stage_mapping", "overrides", tag),
                        f"unknown life-cycle stage '{stage}'",
                        "choose one of: " + ", ".join(STAGES),
                    )

    for plant in ("cathode_plant", "recycler"):
        elec = getattr(spec.electricity, plant)
        if elec.mix == "supplier-specific" and not elec.contract_evidence:
            c.fail(
                ("electricity", plant, "mix"),
                "supplier-specific electricity needs contract evidence",
                "add contract_evidence: <guarantee of origin / PPA meeting the PEF minimum criteria>, or use mix: "
                "residual (PEF Annex I §4.4.2)",
            )
    if spec.circularity is not None:
        c.finite(
            ("circularity", "renewable_content_percent"),
            spec.circularity.renewable_content_percent,
            "renewable_content_percent",
        )
        c.percent(
            ("circularity", "renewable_content_percent"),
            spec.circularity.renewable_content_percent,
            "renewable content (DIN SPEC 6.6.2.11)",
        )
        _check_circularity_links(c, spec.circularity)
    if spec.primary_data is not None:
        c.percent(("primary_data", "share_percent"), spec.primary_data.share_percent, "primary_data.share_percent")
    ver = spec.verification
    if ver is not None and ver.declaration_of_conformity_url is not None:
        c.uri(
            ("verification", "declaration_of_conformity_url"),
            ver.declaration_of_conformity_url,
            "give the web link of the EU declaration of conformity (Battery Pass Labeling.declarationOfConformity)",
        )

    for name in spec.model_parameters:
        if name in RESERVED_PARAMETERS:
            c.fail(
                ("model_parameters", name),
                f"model parameter '{name}' is set by the battery file itself",
                f"use {RESERVED_PARAMETERS[name]}",
            )


def _check_supplied(c: _Checker, loc: tuple[Any, ...], entry: SuppliedEmission) -> None:
    if entry.process not in PROCESS_TAGS:
        c.fail((*loc, "process"), f"unknown process tag '{entry.process}'", "use one of: " + ", ".join(PROCESS_TAGS))
    has_value = entry.value is not None
    has_dataset = entry.dataset is not None
    if has_value == has_dataset:
        c.fail(
            loc,
            "a supplied carbon footprint needs either 'value' or 'dataset' (with 'amount'), not both",
            "give value: kg CO2-eq per unit, or dataset: <id> and amount: <amount per unit>",
        )
    if has_dataset and entry.amount is None:
        c.fail(loc, f"dataset '{entry.dataset}' is given without an amount", "add amount: <amount per unit>")
    if has_value and entry.amount is not None:
        c.fail((*loc, "amount"), "'amount' is only used with 'dataset'", "remove it")
    if has_dataset and any(v is not None for v in (entry.fossil, entry.biogenic, entry.land_use)):
        c.fail(
            loc,
            "climate sub-indicators are only given with a supplier value",
            "remove fossil/biogenic/land_use: datasets carry their own flows",
        )
    if has_dataset:
        c.positive((*loc, "amount"), entry.amount, "amount", allow_zero=True)


def _check_sourcing(c: _Checker, el: str, mix: MaterialSourcing, catalogue: Catalogue) -> None:
    base = ("sourcing", el)
    parts = {"virgin": mix.virgin, "pre_consumer": mix.pre_consumer, "post_consumer": mix.post_consumer}
    for name, share in parts.items():
        c.percent((*base, name, "percent"), share.percent, f"{el} {name.replace('_', '-')} share")
    total = sum(s.percent for s in parts.values())
    if abs(total - 100.0) > 1e-6:
        detail = " + ".join(f"{n.replace('_', '-')} {s.percent:g}" for n, s in parts.items())
        c.fail(
            base,
            f"sourcing shares of {el} add up to {total:g} %, not 100 % ({detail})",
            "make virgin + pre_consumer + post_consumer = 100 (percent)",
        )
    for key in ("region", "feed_chemistry", "e_recycled"):
        if getattr(mix.virgin, key) is not None:
            c.fail((*base, "virgin", key), f"'{key}' applies to recycled shares only", "remove it from virgin")
    for name in ("pre_consumer", "post_consumer"):
        share = parts[name]
        loc = (*base, name)
        if share.e_recycled is not None:
            _check_supplied_value(c, (*loc, "e_recycled"), share.e_recycled, f"sourcing.{el}.{name}.e_recycled")
        if share.percent == 0 or el == "Pb":  # Pb is not modelled: its route is free text
            continue
        if share.route is None:
            c.fail(
                loc,
                f"{el} {name.replace('_', '-')} share has no recycling route",
                "add route: " + " | ".join(catalogue.recycling_routes),
            )
        if share.route not in catalogue.recycling_routes:
            c.fail(
                (*loc, "route"),
                f"unknown recycling route '{share.route}'",
                suggest(str(share.route), catalogue.recycling_routes),
            )
        elif share.route is not None and not catalogue.routes[share.route].salts and share.e_recycled is None:
            c.fail(
                (*loc, "route"),
                f"cathode-lca has no per-element burden for recycled input from {share.route} recycling "
                "(the route delivers no battery-grade salt)",
                "give e_recycled: {value: ..., source: ...} (kg CO2-eq per kg of recycled " + el + ")",
            )
        names = [chem.name for chem in catalogue.chemistries.values()]
        if share.feed_chemistry is not None and share.feed_chemistry.upper() not in [n.upper() for n in names]:
            c.fail(
                (*loc, "feed_chemistry"),
                f"unknown chemistry '{share.feed_chemistry}'",
                suggest(share.feed_chemistry, names),
            )


#: Plausibility bound on one supplied carbon-footprint item, kg CO2-eq per kWh of usable capacity.
#: (derived) Not a regulatory value: published cradle-to-gate footprints of whole Li-ion batteries are of
#: the order of 10^2 kg CO2-eq per kWh; one supplied item worth 1,000 kg CO2-eq per kWh or more is a unit
#: or typing error (g for kg, per kg for per battery), so it is refused rather than declared.
MAX_SUPPLIED_KG_PER_KWH = 1000.0
#: Plausibility bound on usable energy per kg of battery (kWh/kg). (derived) Not a regulatory value: the
#: example pack (EverBatt 2023) stores 100 kWh in 488.7 kg, 0.2 kWh/kg, and no lithium-ion cathode stores
#: 1 kWh per kg of cathode material alone, let alone per kg of battery. The bound is five times the example,
#: so every real pack passes, while a capacity written in Wh (x 1,000) is refused: it would divide the
#: declared footprint per kWh by 1,000.
MAX_KWH_PER_KG = 1.0
#: Rounding allowance when the bill of materials is compared with the battery mass (0.1 %).
MASS_TOLERANCE = 1e-3


def _check_supplied_value(c: _Checker, loc: tuple[Any, ...], entry: Any, what: str) -> None:
    """A supplier emission value: finite, not negative; sub-indicators finite, fossil not negative."""
    c.finite((*loc, "value"), entry.value, f"{what} value")
    if entry.value is not None and entry.value < 0:
        c.fail(
            (*loc, "value"),
            f"{what} value is negative ({entry.value:g} kg CO2-eq)",
            "a supplier footprint is an emission (>= 0); credits for recycling belong to the CFF, not to supplied "
            "values",
        )
    for name in ("fossil", "biogenic", "land_use"):
        c.finite((*loc, name), getattr(entry, name), f"{what} {name}")
    if entry.fossil is not None and entry.fossil < 0:
        c.fail((*loc, "fossil"), f"{what} fossil part is negative ({entry.fossil:g})", "give a value >= 0")


#: Circularity fields that the Battery Pass v1.2.0 schema types as links (``ResourcePath``, format uri).
CIRCULARITY_LINKS = (
    "documentURL",
    "supplierWebAddress",
    "safetyInstructions",
    "wastePrevention",
    "separateCollection",
    "informationOnCollection",
)


def _check_circularity_links(c: _Checker, circ: Any) -> None:
    """Every link of the Circularity payload is an http(s) web link (see :meth:`_Checker.uri`)."""
    hint = "give the https:// address of the document or page (Battery Pass Circularity: a link shown to the public)"
    places: list[tuple[tuple[Any, ...], Any]] = [
        *(
            (("circularity", "dismantling_and_removal_information", i), d)
            for i, d in enumerate(circ.dismantling_and_removal_information)
        ),
        *((("circularity", "spare_part_sources", i), d) for i, d in enumerate(circ.spare_part_sources)),
        (("circularity", "safety_measures"), circ.safety_measures),
        (("circularity", "end_of_life_information"), circ.end_of_life_information),
    ]
    for loc, entry in places:
        for key in CIRCULARITY_LINKS:
            if isinstance(entry, dict) and isinstance(entry.get(key), str):
                c.uri((*loc, key), entry[key], hint)


def _check_supplied_size(
    c: _Checker, loc: tuple[Any, ...], entry: SuppliedEmission, mass_kg: float, usable_kwh: float
) -> None:
    """Refuse NaN, negative and absurd supplier values (see :data:`MAX_SUPPLIED_KG_PER_KWH`)."""
    if entry.quality is not None and entry.dataset is not None:
        c.fail(
            (*loc, "quality"),
            "quality scores belong to a supplier value, not to a dataset entry",
            "a shipped dataset is rated from the inventory's own scores; remove 'quality' here",
        )
    if entry.value is None:
        return
    _check_supplied_value(c, loc, entry, "supplied carbon footprint")
    quantity = {"kg": mass_kg, "kWh": usable_kwh, "battery": 1.0}[entry.per]
    if usable_kwh > 0 and entry.value * quantity / usable_kwh >= MAX_SUPPLIED_KG_PER_KWH:
        c.fail(
            (*loc, "value"),
            f"supplied carbon footprint {entry.value:g} kg CO2-eq per {entry.per} gives "
            f"{entry.value * quantity / usable_kwh:.4g} kg CO2-eq per kWh of capacity, above the plausibility "
            f"bound {MAX_SUPPLIED_KG_PER_KWH:g}",
            "check the unit (kg, not g) and 'per' (kg, kWh or battery); see docs/passport.md, input checks",
        )


def _check_masses(c: _Checker, spec: BatterySpec) -> None:
    """The bill of materials cannot weigh more than the battery."""
    b = spec.battery
    if b.mass_kg is None:
        return
    limit = b.mass_kg * (1 + MASS_TOLERANCE)
    bom = spec.bill_of_materials
    cam = bom.cathode_active_material.mass_kg
    if cam > limit:
        c.fail(
            ("bill_of_materials", "cathode_active_material", "mass_kg"),
            f"cathode active material mass {cam:g} kg exceeds the battery mass {b.mass_kg:g} kg",
            "give kg per battery (not per battery model series or per tonne)",
        )
    for i, comp in enumerate(bom.components):
        if comp.mass_kg > limit:
            c.fail(
                ("bill_of_materials", "components", i, "mass_kg"),
                f"mass of component '{comp.name}' ({comp.mass_kg:g} kg) exceeds the battery mass {b.mass_kg:g} kg",
                "give kg per battery",
            )
    total = cam + sum(comp.mass_kg for comp in bom.components)
    if total > limit:
        c.fail(
            ("bill_of_materials",),
            f"the bill of materials weighs {total:.6g} kg (cathode active material {cam:g} kg + components "
            f"{total - cam:.6g} kg), more than the battery mass {b.mass_kg:g} kg (battery.mass_kg)",
            f"correct the masses; a {100 * MASS_TOLERANCE:g} % rounding allowance is accepted",
        )


_EMISSION_NAMES = ("E_v", "E_v_star", "E_recycled", "E_recycling_eol", "E_D", "E_ER", "E_SE_heat", "E_SE_elec")
_FRACTION_NAMES = ("A", "B", "R2", "R3", "QSin_QP", "QSout_QP", "X_ER_heat", "X_ER_elec")


def _check_cff_values(c: _Checker, element: str, material: Any) -> None:
    """CFF overrides: fractions in 0-1, emission values finite and not negative, LHV finite and >= 0."""
    for name in _FRACTION_NAMES:
        value = getattr(material, name)
        if value is not None:
            c.fraction(("cff", element, name, "value"), value.value, f"cff.{element}.{name}")
    for name in _EMISSION_NAMES:
        value = getattr(material, name)
        if value is not None:
            _check_supplied_value(c, ("cff", element, name), value, f"cff.{element}.{name}")
    if material.LHV is not None:
        c.positive(("cff", element, "LHV", "value"), material.LHV.value, f"cff.{element}.LHV", allow_zero=True)
