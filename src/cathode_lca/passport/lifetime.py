"""Functional unit: the total energy a battery delivers over its service life, per battery category.

BattReg Art. 7(1)(d) declares the carbon footprint per kWh of the total energy provided over the
expected service life. How that energy is computed differs by category, and each rule is data with
its source here:

- **EV** (draft DA, Ares(2024)3131389, known from secondary summaries): ``E_total = E_usable,BoL x
  FEqC per year x service life``; FEqC per year is fixed by vehicle class (60 for M1 and N1, 20 for
  L, 250 for M2, M3, N2 and N3). For other vehicle types the manufacturer chooses one of these three
  values and justifies it in the public study.
- **LMT**: no calculation rule exists yet (JRC CFB-LMT is work in progress); cycles per year must be
  given with a justification.
- **industrial** (rechargeable, > 2 kWh; with or without exclusively external storage): the JRC
  CFB-IND report links the functional unit to the cycle life declared under Art. 10, so
  ``E_total = E_usable,BoL x declared cycle life``; without a declared cycle life, cycles per year
  with a justification.

A value against the rule is an error unless ``battery.full_equivalent_cycles_justification`` is
given; the declaration prints the justification. No rule read defines a capacity-fade term, so
none is applied and the declaration says so.

Examples
--------
>>> from cathode_lca.passport.spec import BatteryInfo
>>> info = BatteryInfo(model="m", manufacturing_plant={"location": "x"}, chemistry="NMC811",
...                    usable_energy_kwh=100, vehicle_category="M1", service_life_years=8,
...                    carbon_footprint_study="https://example.org/s.pdf")
>>> lifetime_energy(info).kwh
48000.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .rules import E_TOTAL_SOURCE, FEQC_PER_YEAR, Cited, feqc_default

if TYPE_CHECKING:
    from .spec import BatteryInfo

#: Art. 7 applies to rechargeable industrial batteries above this capacity (BattReg Art. 7(1)).
INDUSTRIAL_THRESHOLD_KWH = 2.0
INDUSTRIAL_THRESHOLD_SOURCE = (
    "BattReg Art. 7(1): the carbon-footprint declaration applies to EV batteries, LMT batteries and rechargeable "
    "industrial batteries with a capacity above 2 kWh"
)
#: LMT batteries weigh 25 kg or less (BattReg Art. 3(1)(11)).
LMT_MAX_MASS_KG = 25.0
LMT_MASS_SOURCE = "BattReg Art. 3(1)(11): an LMT battery is sealed and weighs 25 kg or less"
#: The three values the draft DA lets a manufacturer choose from for vehicle types outside its table.
FEQC_CHOICES = tuple(sorted({c.value for c in FEQC_PER_YEAR.values()}))
OTHER_VEHICLE_RULE = (
    "draft DA (secondary summaries, provisional): for other types of electric vehicles the manufacturer selects the "
    "most appropriate of the values 20, 60 and 250 and justifies it in the public version of the study"
)
LMT_RULE = (
    "no functional-unit rule for LMT batteries: the JRC CFB-LMT rules are work in progress (JRC knowledge4policy page, "
    "last updated 2026); cycles per year are the manufacturer's value with a justification"
)
INDUSTRIAL_RULE = (
    "JRC CFB-IND (Apr 2025, known from a secondary summary): the functional unit is linked to the declared cycle life "
    "(Art. 10) for rechargeable batteries; E_total = usable energy at BoL x declared cycle life"
)
CAPACITY_FADE = (
    "not applied: no rule read defines a capacity-fade term (draft DA as summarised: usable energy at the beginning "
    "of life; JRC CFB-IND full text not read)"
)
#: Application dates of Art. 7(1) (the later of the date and 12/18 months after the delegated act).
APPLICATION = {
    "EV": "18 Feb 2025 or 12 months after the CF delegated act, whichever is later",
    "industrial": "18 Feb 2026 or 18 months after the delegated act, whichever is later",
    "LMT": "18 Aug 2028 or 18 months after the delegated act, whichever is later",
    "industrial-external-storage": "18 Aug 2030 or 18 months after the delegated act, whichever is later",
}
APPLICATION_SOURCE = "BattReg Art. 7(1) application dates (consolidated text; DIN SPEC §6.3; CG pp.78-79)"


@dataclass(frozen=True)
class TotalEnergy:
    """E_total = usable energy at BoL x cycles (per year x service life, or the declared cycle life)."""

    usable_energy_kwh: float
    cycles_per_year: Cited | None
    service_life_years: float
    method: str = "ev-draft-da"
    rule: str = E_TOTAL_SOURCE
    declared_cycle_life: Cited | None = None
    justification: str | None = None
    category: str = "EV"
    warnings: tuple[str, ...] = ()

    @property
    def kwh(self) -> float:
        if self.declared_cycle_life is not None:
            return self.usable_energy_kwh * self.declared_cycle_life.value
        assert self.cycles_per_year is not None
        return self.usable_energy_kwh * self.cycles_per_year.value * self.service_life_years

    @property
    def formula(self) -> str:
        if self.declared_cycle_life is not None:
            return f"E_total = {self.usable_energy_kwh:g} kWh x {self.declared_cycle_life.value:g} cycles = {self.kwh:g} kWh"
        assert self.cycles_per_year is not None
        return (
            f"E_total = {self.usable_energy_kwh:g} kWh x {self.cycles_per_year.value:g} cycles/year x "
            f"{self.service_life_years:g} years = {self.kwh:g} kWh"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "totalEnergyKWh": self.kwh,
            "formula": "E_total = usable energy at BoL x full equivalent cycles per year x service life (years)"
            if self.declared_cycle_life is None
            else "E_total = usable energy at BoL x declared cycle life (full cycles)",
            "calculation": self.formula,
            "batteryCategory": self.category,
            "method": self.method,
            "rule": self.rule,
            "usableEnergyKWh": self.usable_energy_kwh,
            "fullEquivalentCyclesPerYear": self.cycles_per_year.value if self.cycles_per_year else None,
            "fullEquivalentCyclesSource": self.cycles_per_year.source if self.cycles_per_year else None,
            "declaredCycleLife": self.declared_cycle_life.value if self.declared_cycle_life else None,
            "declaredCycleLifeSource": self.declared_cycle_life.source if self.declared_cycle_life else None,
            "justification": self.justification,
            "serviceLifeYears": self.service_life_years,
            "capacityFade": CAPACITY_FADE,
            "applicationDate": APPLICATION[self.category],
            "applicationDateSource": APPLICATION_SOURCE,
            "source": E_TOTAL_SOURCE,
        }


def category_key(info: BatteryInfo) -> str:
    """``EV``, ``LMT``, ``industrial`` or ``industrial-external-storage``."""
    if info.category == "industrial" and info.exclusively_external_storage:
        return "industrial-external-storage"
    return info.category


def lifetime_problems(info: BatteryInfo, mass_kg: float | None) -> list[tuple[tuple[str, ...], str, str]]:
    """Rule violations of the functional-unit inputs as ``(field path, message, hint)``; empty if none."""
    out: list[tuple[tuple[str, ...], str, str]] = []
    given = info.full_equivalent_cycles_per_year
    justified = bool(info.full_equivalent_cycles_justification)
    if info.exclusively_external_storage and info.category != "industrial":
        out.append(
            (
                ("battery", "exclusively_external_storage"),
                "exclusively_external_storage applies to industrial batteries only",
                "remove it, or set category: industrial",
            )
        )
    if info.category == "industrial":
        if info.usable_energy_kwh <= INDUSTRIAL_THRESHOLD_KWH:
            out.append(
                (
                    ("battery", "usable_energy_kwh"),
                    f"an industrial battery of {info.usable_energy_kwh:g} kWh is outside the carbon-footprint "
                    f"declaration (Art. 7 applies above {INDUSTRIAL_THRESHOLD_KWH:g} kWh)",
                    "no declaration is required; check the capacity and the category",
                )
            )
        if info.declared_cycle_life is None and given is None:
            out.append(
                (
                    ("battery",),
                    "an industrial battery needs declared_cycle_life (Art. 10) or full_equivalent_cycles_per_year",
                    "give declared_cycle_life: <full cycles over the life> (JRC CFB-IND functional unit)",
                )
            )
        elif info.declared_cycle_life is None and not justified:
            out.append(
                (
                    ("battery", "full_equivalent_cycles_per_year"),
                    "cycles per year for an industrial battery need a justification (the rule is the declared cycle "
                    "life)",
                    "give declared_cycle_life, or full_equivalent_cycles_justification: <text>",
                )
            )
        return out
    if info.declared_cycle_life is not None:
        out.append(
            (
                ("battery", "declared_cycle_life"),
                f"declared_cycle_life is the functional unit of industrial batteries, not of {info.category} batteries",
                "remove it; give vehicle_category or full_equivalent_cycles_per_year",
            )
        )
    if info.category == "LMT":
        if mass_kg is not None and mass_kg > LMT_MAX_MASS_KG:
            out.append(
                (
                    ("battery", "category"),
                    f"an LMT battery weighs 25 kg or less; this one weighs {mass_kg:g} kg",
                    "use category: EV for a traction battery above 25 kg (BattReg Art. 3(1)(11)-(14))",
                )
            )
        if given is None or not justified:
            out.append(
                (
                    ("battery", "full_equivalent_cycles_per_year"),
                    "an LMT battery needs full_equivalent_cycles_per_year with a justification (no rule exists yet)",
                    "give full_equivalent_cycles_per_year and full_equivalent_cycles_justification",
                )
            )
        return out
    # EV
    if info.vehicle_category is None:
        if given is None:
            out.append(
                (
                    ("battery",),
                    "neither vehicle_category nor full_equivalent_cycles_per_year is given",
                    "give the vehicle category (M1, N1, L, M2, M3, N2, N3) or the full equivalent cycles per year",
                )
            )
        elif not justified:
            out.append(
                (
                    ("battery", "full_equivalent_cycles_per_year"),
                    "cycles per year without a vehicle category need a justification",
                    "give vehicle_category, or full_equivalent_cycles_justification: <text>",
                )
            )
        return out
    default = feqc_default(info.vehicle_category)
    if default is None:
        if given is None:
            out.append(
                (
                    ("battery", "vehicle_category"),
                    f"no default full equivalent cycles per year for vehicle category '{info.vehicle_category}'",
                    "give full_equivalent_cycles_per_year (20, 60 or 250) and full_equivalent_cycles_justification "
                    "(defaults exist for M1, N1, L, M2, M3, N2, N3)",
                )
            )
        elif not justified:
            out.append(
                (
                    ("battery", "full_equivalent_cycles_per_year"),
                    f"vehicle category '{info.vehicle_category}' is not in the draft DA table: the chosen value "
                    "must be justified",
                    "add full_equivalent_cycles_justification: <why this usage pattern fits>",
                )
            )
        elif given not in FEQC_CHOICES:
            out.append(
                (
                    ("battery", "full_equivalent_cycles_per_year"),
                    f"{given:g} cycles per year is not one of the draft DA values 20, 60 or 250",
                    "choose 20, 60 or 250 (" + OTHER_VEHICLE_RULE + ")",
                )
            )
    elif given is not None and given != default.value and not justified:
        out.append(
            (
                ("battery", "full_equivalent_cycles_per_year"),
                f"{given:g} cycles per year is against the rule for vehicle category {info.vehicle_category} "
                f"({default.value:g} per year: {default.source})",
                "remove full_equivalent_cycles_per_year, or add full_equivalent_cycles_justification: <text> (printed "
                "in the declaration)",
            )
        )
    return out


def lifetime_energy(info: BatteryInfo) -> TotalEnergy:
    """E_total of a battery whose inputs passed :func:`lifetime_problems`."""
    cat = category_key(info)
    just = info.full_equivalent_cycles_justification
    given = info.full_equivalent_cycles_per_year
    src_given = info.sources.get("full_equivalent_cycles_per_year", "battery file (manufacturer's value)")
    warnings: list[str] = []
    if info.category == "industrial":
        if info.declared_cycle_life is not None:
            life = Cited(
                info.declared_cycle_life,
                info.sources.get("declared_cycle_life", "battery file: declared cycle life (Art. 10, Annex IV)"),
            )
            return TotalEnergy(
                info.usable_energy_kwh, None, info.service_life_years, "industrial-cycle-life", INDUSTRIAL_RULE,
                life, just, cat,
            )  # fmt: skip
        assert given is not None
        warnings.append(f"industrial battery without declared_cycle_life: {given:g} cycles per year, justified: {just}")
        return TotalEnergy(
            info.usable_energy_kwh, Cited(given, src_given), info.service_life_years, "industrial-justified",
            INDUSTRIAL_RULE, None, just, cat, tuple(warnings),
        )  # fmt: skip
    if info.category == "LMT":
        assert given is not None
        return TotalEnergy(
            info.usable_energy_kwh, Cited(given, src_given), info.service_life_years, "lmt-justified", LMT_RULE,
            None, just, cat,
        )  # fmt: skip
    default = feqc_default(info.vehicle_category) if info.vehicle_category else None
    if default is not None and (given is None or given == default.value):
        return TotalEnergy(
            info.usable_energy_kwh, default, info.service_life_years, "ev-draft-da", E_TOTAL_SOURCE, None, just, cat
        )
    assert given is not None
    if default is not None:
        warnings.append(
            f"full_equivalent_cycles_per_year {given:g} replaces the draft-DA value {default.value:g} for vehicle "
            f"category {info.vehicle_category}; justification: {just}"
        )
    rule = OTHER_VEHICLE_RULE if info.vehicle_category else "manufacturer's value with a justification"
    return TotalEnergy(
        info.usable_energy_kwh, Cited(given, src_given), info.service_life_years, "ev-justified", rule, None, just,
        cat, tuple(warnings),
    )  # fmt: skip
