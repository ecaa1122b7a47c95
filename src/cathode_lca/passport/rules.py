"""Versioned rule sets for the battery carbon-footprint declaration, as data with citations.

Everything below Regulation level (CFF parameters, stage mapping, E_total details) comes from
draft or guidance documents, so each set is named and versioned and every declaration states
which one it used. Abbreviations of the sources:

- **BattReg**: Regulation (EU) 2023/1542, consolidated text CELEX 02023R1542-20250731.
- **CF Rules**: Battery Pass, *Rules for calculating the Carbon Footprint of the 'Distribution'
  and 'End-of-life and recycling' life cycle stages*, v1.1, Dec 2023.
- **CG**: Battery Pass *Content Guidance* v1.1.
- **DIN SPEC**: DIN DKE SPEC 99100:2025-02.
- **JRC 2023**: JRC *Rules for the calculation of the Carbon Footprint of EV Batteries (CFB-EV)*,
  final draft 2023 (full text not read; known through the CF Rules and the CG).
- **draft DA**: Commission draft delegated act on the CF method, Ares(2024)3131389, 29 Apr 2024.

"(derived)" marks a value worked out here, not quoted from a source. Where a source value was
not retrieved, no number is given: the value is a required user input or the gap is stated.

Examples
--------
>>> rules = get_rules("cff-jrc-a0.2-bp-r2")
>>> rules.a_metals.value, rules.stage_mapping
(0.2, 'jrc')
>>> map_stage("cam-production", "regulation"), map_stage("cam-production", "jrc")
('RawMaterialExtraction', 'MainProduction')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import UsageError

# ---------------------------------------------------------------------------------------------
# Battery Pass life-cycle stages (Battery Pass data model v1.2.0, CarbonFootprintForBatteries)
# ---------------------------------------------------------------------------------------------
RAW = "RawMaterialExtraction"
MAIN = "MainProduction"
DISTRIBUTION = "Distribution"
EOL = "Recycling"
#: The four life-cycle stages of BattReg Annex II(4), as Battery Pass v1.2.0 enum values, in order.
STAGES: tuple[str, ...] = (RAW, MAIN, DISTRIBUTION, EOL)
STAGE_NAMES = {
    RAW: "raw material acquisition and pre-processing",
    MAIN: "main product production",
    DISTRIBUTION: "distribution",
    EOL: "end of life and recycling",
}
PERFORMANCE_CLASS_UNDEFINED = "not yet defined"
PERFORMANCE_CLASS_SOURCE = (
    "BattReg Art. 7(2) and Annex II(8): performance classes await a delegated act; no class boundaries exist yet"
)

GWP_METHOD = "ipcc2021-gwp100"


@dataclass(frozen=True)
class Cited:
    """A value with the citation it comes from (or a '(derived)' note)."""

    value: float
    source: str


# ---------------------------------------------------------------------------------------------
# Process tags -> life-cycle stage: the two mappings
# ---------------------------------------------------------------------------------------------
#: Process tags: the stage tags of the inventory datasets plus tags for supplier values.
PROCESS_TAGS: dict[str, str] = {
    "raw-material-extraction": "mining and extraction of raw materials",
    "raw-material-refining": "refining to battery-grade materials (salts)",
    "pcam-production": "precursor (pCAM) co-precipitation",
    "cam-production": "cathode active material production (lithiation, calcination)",
    "anode-active-material-production": "anode active material production",
    "electrolyte-production": "electrolyte production",
    "component-production": "purchased components: separator, casings, electric/electronic parts",
    "inbound-transport": "transport of materials and components to the battery plant",
    "electrode-production": "electrode production (coating, drying, calendering)",
    "cell-production": "cell production",
    "module-pack-assembly": "module and battery (pack) assembly",
    "distribution": "transport to the point of sale",
    "collection-transport": "collection of the waste battery and transport to the recycler",
    "dismantling": "dismantling of the waste battery",
    "recycling-preprocessing": "recycling pre-processing (black mass)",
    "recycling-recovery": "recycling recovery (metallurgy)",
    "materials-conversion": "conversion of recovered materials to battery grade",
    "end-of-life": "other end-of-life treatment and disposal",
}

_REGULATION_MAP = {
    "raw-material-extraction": RAW,
    "raw-material-refining": RAW,
    "pcam-production": RAW,
    "cam-production": RAW,
    "anode-active-material-production": RAW,
    "electrolyte-production": RAW,
    "component-production": RAW,
    "inbound-transport": RAW,
    "electrode-production": MAIN,
    "cell-production": MAIN,
    "module-pack-assembly": MAIN,
    "distribution": DISTRIBUTION,
    "collection-transport": EOL,
    "dismantling": EOL,
    "recycling-preprocessing": EOL,
    "recycling-recovery": EOL,
    "materials-conversion": EOL,
    "end-of-life": EOL,
}
_JRC_MAP = dict(
    _REGULATION_MAP,
    **{
        "pcam-production": MAIN,
        "cam-production": MAIN,
        "anode-active-material-production": MAIN,
        "electrolyte-production": MAIN,
    },
)


@dataclass(frozen=True)
class StageMapping:
    """Which life-cycle stage each process tag belongs to."""

    id: str
    source: str
    stages: Mapping[str, str]
    notes: tuple[str, ...] = ()


STAGE_MAPPINGS: dict[str, StageMapping] = {
    "regulation": StageMapping(
        "regulation",
        "BattReg Annex II(4), restated in CF Rules Table 1 p.17: raw material acquisition runs 'up to the "
        "manufacturing of cells and battery components (active materials, separator, electrolyte, casings ...)'; "
        "main production is the assembly of cells and batteries",
        _REGULATION_MAP,
        (
            "(derived) pCAM and CAM production, anode active material and electrolyte production are in raw "
            "material acquisition (they are the manufacturing of battery components)",
            "(derived) electrode production is part of cell manufacturing and is placed in main production",
        ),
    ),
    "jrc": StageMapping(
        "jrc",
        "JRC 2023 / draft DA, per CG p.83: main production covers anode and cathode active-material production, "
        "electrode production, electrolyte production, housing/cooling assembly, cell production, module and "
        "battery assembly and all transport operations; raw material acquisition ends when components enter the "
        "battery production facility (CAM/AAM production is NOT there)",
        _JRC_MAP,
        (
            "(derived) pCAM co-precipitation is counted as part of cathode active-material production (main "
            "production); override 'pcam-production' in the battery file to move it",
            "(derived) purchased components (separator, casings, electronics) are produced before they enter the "
            "battery facility and stay in raw material acquisition",
            "inbound transport of raw materials and intermediate products up to the battery plant is raw material "
            "acquisition (JRC 2023 scope table, CG p.83: 'Transport of raw materials and intermediate products ... "
            "until the battery manufacturing plant shall be included in this life-cycle stage')",
            "mining of graphite and of electrolyte raw materials is raw material acquisition (CG p.83); it is split "
            "out only where the data separate it (a supplied entry with process raw-material-extraction): shipped "
            "cradle-to-gate datasets are aggregated and stay whole in their process's stage (stated in the warnings)",
        ),
    ),
}


def resolve_mapping(base: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The tag → stage table of mapping *base* with *overrides* applied."""
    if base not in STAGE_MAPPINGS:
        raise UsageError(f"unknown stage mapping '{base}'", hint="choose one of: " + ", ".join(STAGE_MAPPINGS))
    table = dict(STAGE_MAPPINGS[base].stages)
    for tag, stage in (overrides or {}).items():
        if tag not in PROCESS_TAGS:
            raise UsageError(f"unknown process tag '{tag}' in the stage mapping", hint=_tags_hint())
        if stage not in STAGES:
            raise UsageError(f"unknown life-cycle stage '{stage}'", hint="choose one of: " + ", ".join(STAGES))
        table[tag] = stage
    return table


def map_stage(tag: str, mapping: str | Mapping[str, str]) -> str:
    """The life-cycle stage of process *tag* under *mapping* (an id or a resolved table)."""
    table = resolve_mapping(mapping) if isinstance(mapping, str) else mapping
    if tag not in table:
        raise UsageError(f"process tag '{tag}' has no life-cycle stage", hint=_tags_hint())
    return table[tag]


def _tags_hint() -> str:
    return "use one of: " + ", ".join(PROCESS_TAGS)


# ---------------------------------------------------------------------------------------------
# CFF rule sets
# ---------------------------------------------------------------------------------------------
CFF_SOURCE = (
    "CF Rules §6.1.2 p.60, citing Recommendation (EU) 2021/2279 Annex 1-2 (PEF): Material = (1-R1)EV + "
    "R1(A Erecycled + (1-A) EV QSin/QP) + (1-A) R2 (ErecyclingEoL - E*V QSout/QP); Energy = (1-B) R3 (EER - LHV "
    "XER,heat ESE,heat - LHV XER,elec ESE,elec); Disposal = (1-R2-R3) ED"
)
CFF_STAGE_SOURCE = (
    "CF Rules §6.1.3 Fig. 18 p.61: (1-R1)EV and R1(A Erecycled + (1-A)EV QSin/QP) -> raw material acquisition; "
    "(1-A)R2(...), the energy term and the disposal term -> end of life and recycling"
)
RECYCLER_ALLOCATION_SOURCE = (
    "CF Rules §5: multi-output hierarchy subdivision -> system expansion -> mass allocation if the co-product price "
    "ratio <= 4 -> economic allocation if > 4; co-products <= 3 % by mass may be ignored"
)


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned set of CFF defaults and calculation rules."""

    id: str
    version: str
    title: str
    status: str
    basis: str
    a_metals: Cited
    b: Cited
    qsin_qp: Cited
    qsout_qp: Cited
    r1: Cited
    r1_requires_evidence: bool
    r2: str
    r3_metals: Cited
    e_d: Cited
    e_v_star: str
    stage_mapping: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> dict[str, object]:
        """JSON-ready description (values and citations)."""

        def cited(c: Cited) -> dict[str, object]:
            return {"value": c.value, "source": c.source}

        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "status": self.status,
            "basis": self.basis,
            "cffFormula": CFF_SOURCE,
            "cffStageAssignment": CFF_STAGE_SOURCE,
            "defaults": {
                "A_metals": cited(self.a_metals),
                "B": cited(self.b),
                "QSin_QP": cited(self.qsin_qp),
                "QSout_QP": cited(self.qsout_qp),
                "R1": {**cited(self.r1), "requiresEvidence": self.r1_requires_evidence},
                "R2": self.r2,
                "R3_metals": cited(self.r3_metals),
                "ED": cited(self.e_d),
                "E_star_V": self.e_v_star,
            },
            "recyclerAllocation": RECYCLER_ALLOCATION_SOURCE,
            "defaultStageMapping": self.stage_mapping,
            "notes": list(self.notes),
            "assumptions": list(self.assumptions),
        }


_A_JRC = Cited(
    0.2,
    "CF Rules Table 10 p.65, column 'Most recent specifications (JRC 2023)': A = 0.2 for metals "
    "('currently under discussion')",
)
_B = Cited(0.0, "CF Rules Table 10 p.65 (JRC 2023): B = 0")
_QSIN = Cited(1.0, "CF Rules p.71: QSin/QP = 1 by default, secondary materials in batteries must be battery-grade")
_QSOUT = Cited(
    1.0,
    "(derived) the end-of-life output is modelled up to the battery-grade salt that it substitutes, so by the rule "
    "of CF Rules p.71 the quality ratio is 1; the PEF Annex C default values (CF Rules Table 10) were not retrieved",
)
_R1 = Cited(
    0.0,
    "CF Rules Table 10 p.65: R1 = 0 by default; a company-specific R1 needs supply-chain traceability and "
    "evidence (primary data for the secondary Ni, Co, Li and Pb shares in active materials)",
)
_R2 = (
    "R2 = collection rate x material recovery yield of the end-of-life route at the recycler's output "
    "(CF Rules Table 10 and §6.2.2); the R2 values of JRC 2023 Table 2 were not retrieved, so the collection rate "
    "is a required input of the battery file and the yield comes from the route's inventory parameters"
)
_R3 = Cited(
    0.0,
    "(derived) metals have no heating value and are not sent to energy recovery; PEF Annex C / Eurostat R3 "
    "values (CF Rules Table 10) were not retrieved",
)
_ED = Cited(
    0.0,
    "gap: no disposal dataset in cathode-lca; ED = 0 unless a supplier value is given (CF Rules Table 10: "
    "EF-compliant dataset, ED = 0 if nothing is disposed)",
)
_EV_STAR = (
    "E*V = the same virgin battery-grade salt dataset as EV (per kg of contained metal); CF Rules Table 10 asks for "
    "an EU-specific dataset, which cathode-lca does not have (gap; override with a supplier value)"
)

RULE_SETS: dict[str, RuleSet] = {
    "cff-jrc-a0.2-bp-r2": RuleSet(
        id="cff-jrc-a0.2-bp-r2",
        version="2026-1",
        title="Circular Footprint Formula: JRC 2023 A = 0.2 for metals, Battery Pass R2 = collection rate x route "
        "yield, QSout/QP = 1 assumed, draft-DA lifetime energy",
        status="draft: the CF delegated act (Ares(2024)3131389) is not adopted; JRC 2023 is its basis",
        basis="JRC 2023 via CF Rules Table 10 p.65 and pp.66-71",
        a_metals=_A_JRC,
        b=_B,
        qsin_qp=_QSIN,
        qsout_qp=_QSOUT,
        r1=_R1,
        r1_requires_evidence=True,
        r2=_R2,
        r3_metals=_R3,
        e_d=_ED,
        e_v_star=_EV_STAR,
        stage_mapping="jrc",
        notes=(
            "The draft DA's own battery CFF (6 parts) and its A values were not retrieved.",
            "Not the JRC CFB-EV 2023 rules as a whole: R2 follows the Battery Pass CF Rules p.70 recommendation "
            "(collection x yield), not the JRC/PEFCR R2 = 0.95 convention; this set was called 'jrc-cfb-ev-2023'.",
        ),
        assumptions=(
            "functional unit: draft DA Ares(2024)3131389 lifetime energy (secondary summaries), by battery category",
            "A = 0.2 for every metal (JRC 2023 via CF Rules Table 10, 'under discussion'); also applied to graphite",
            "R2 = collection rate x material recovery yield of the route (Battery Pass CF Rules p.70), 0 without "
            "recyclability evidence (PEF Annex I)",
            "QSin/QP = QSout/QP = 1 (battery-grade output; PEF Annex C values not retrieved)",
            "E*V = default virgin dataset at EU-average electricity (no EF EU dataset in cathode-lca)",
            "R1 = 0 unless the recycled share carries evidence",
            "ED = 0 unless end_of_life.disposal or cff.<El>.E_D is given",
        ),
    ),
    "cut-off": RuleSet(
        id="cut-off",
        version="1",
        title="Cut-off (100:0): the Circular Footprint Formula with A = 1",
        status="industry convention; not the draft method",
        basis="CF Rules p.69: A = 1 approximates cut-off (Battery Pass/GBA prefer cut-off 100:0)",
        a_metals=Cited(1.0, "CF Rules p.69: A = 1 approximates cut-off; Battery Pass/GBA prefer cut-off (100:0)"),
        b=_B,
        qsin_qp=_QSIN,
        qsout_qp=_QSOUT,
        r1=_R1,
        r1_requires_evidence=True,
        r2=_R2,
        r3_metals=_R3,
        e_d=_ED,
        e_v_star=_EV_STAR,
        stage_mapping="jrc",
        notes=(
            "With A = 1 the recycled input carries Erecycled and the end-of-life material term "
            "(1-A)R2(ErecyclingEoL - E*V QSout/QP) is zero: recycling at end of life is charged to the next user.",
            "The GBA rulebook text was not read; this set is the CFF with A = 1, nothing else changed.",
        ),
        assumptions=(
            "functional unit: draft DA Ares(2024)3131389 lifetime energy (secondary summaries), by battery category",
            "A = 1 (cut-off): recycled input carries Erecycled, the end-of-life material credit is 0; collection, "
            "dismantling and disposal stay in the end-of-life stage (CF Rules §5.1.3)",
            "QSin/QP = 1; R1 = 0 unless the recycled share carries evidence",
        ),
    ),
}
#: Former rule-set names (deprecated): they still work and the declaration says which set they map to.
RULE_ALIASES: dict[str, str] = {"jrc-cfb-ev-2023": "cff-jrc-a0.2-bp-r2"}


def get_rules(rules: str | RuleSet) -> RuleSet:
    """The rule set *rules* (an id or a :class:`RuleSet`)."""
    if isinstance(rules, RuleSet):
        return rules
    if rules in RULE_ALIASES:
        import warnings

        warnings.warn(
            f"rule set '{rules}' is deprecated, use '{RULE_ALIASES[rules]}' (same rules, honest name)",
            DeprecationWarning,
            stacklevel=2,
        )
        return RULE_SETS[RULE_ALIASES[rules]]
    if rules not in RULE_SETS:
        raise UsageError(f"unknown rule set '{rules}'", hint="choose one of: " + ", ".join(RULE_SETS))
    return RULE_SETS[rules]


# ---------------------------------------------------------------------------------------------
# Functional unit: total energy over the service life
# ---------------------------------------------------------------------------------------------
E_TOTAL_SOURCE = (
    "draft DA (known only from secondary summaries; provisional): E_total = E_usable,BoL x FEqC per year x "
    "service life in years (BattReg Art. 7(1)(d): kg CO2-eq per kWh of the total energy over the service life)"
)
#: Full equivalent cycles per year by vehicle category (draft DA via secondary summaries; provisional).
FEQC_PER_YEAR: dict[str, Cited] = {
    cat: Cited(
        value,
        "draft DA (secondary summaries, provisional): FEqC per year 60 for M1 and N1; 20 for L; 250 "
        "for M2, M3, N2 and N3",
    )
    for cat, value in {"M1": 60, "N1": 60, "L": 20, "M2": 250, "M3": 250, "N2": 250, "N3": 250}.items()
}
_L_SUBCATEGORY = re.compile(r"^L[1-7]e(-[A-Z]+)?$")


def feqc_default(vehicle_category: str) -> Cited | None:
    """Default FEqC per year for a vehicle category (L1e..L7e count as L, derived), or None."""
    cat = vehicle_category.strip()
    if cat.upper() in FEQC_PER_YEAR:
        return FEQC_PER_YEAR[cat.upper()]
    if _L_SUBCATEGORY.match(cat):
        base = FEQC_PER_YEAR["L"]
        return Cited(base.value, base.source + "; (derived) L1e-L7e are L-category vehicles")
    return None


# ---------------------------------------------------------------------------------------------
# Recycled content (BattReg Art. 8) and recycler targets (BattReg Annex XII)
# ---------------------------------------------------------------------------------------------
RECYCLED_CONTENT_SOURCE = "BattReg Art. 8(2)-(3); DIN SPEC Annex C Table C.1; CG Table 12 p.146"
#: Minimum recycled shares (%) by element: basis, 18 Aug 2031, 18 Aug 2036.
RECYCLED_CONTENT_MINIMUMS: dict[str, dict[str, object]] = {
    "Co": {"basis": "active materials", "2031": 16.0, "2036": 26.0},
    "Li": {"basis": "active materials", "2031": 6.0, "2036": 12.0},
    "Ni": {"basis": "active materials", "2031": 6.0, "2036": 15.0},
    "Pb": {"basis": "whole battery", "2031": 85.0, "2036": 85.0},
}
ELEMENT_NAMES = {"Co": "Cobalt", "Ni": "Nickel", "Li": "Lithium", "Pb": "Lead"}

RECYCLING_EFFICIENCY_SOURCE = "BattReg Annex XII Part B (recycling efficiency, by average weight)"
#: Recycling efficiency targets (%) by battery type: 31 Dec 2025, 31 Dec 2030 (None: no target).
RECYCLING_EFFICIENCY_TARGETS: dict[str, dict[str, float | None]] = {
    "lead-acid": {"2025": 75.0, "2030": 80.0},
    "lithium-based": {"2025": 65.0, "2030": 70.0},
    "nickel-cadmium": {"2025": 80.0, "2030": None},
    "other": {"2025": 50.0, "2030": None},
}
MATERIAL_RECOVERY_SOURCE = (
    "BattReg Annex XII Part C (material recovery); checked across four consistent secondary sources, the OJ "
    "wording was not read verbatim"
)
#: Material recovery targets (%) by element: 31 Dec 2027, 31 Dec 2031.
MATERIAL_RECOVERY_TARGETS: dict[str, dict[str, float]] = {
    "Co": {"2027": 90.0, "2031": 95.0},
    "Cu": {"2027": 90.0, "2031": 95.0},
    "Pb": {"2027": 90.0, "2031": 95.0},
    "Ni": {"2027": 90.0, "2031": 95.0},
    "Li": {"2027": 50.0, "2031": 80.0},
}

# ---------------------------------------------------------------------------------------------
# Distribution defaults (CF Rules §4, PEF/PEFCR)
# ---------------------------------------------------------------------------------------------
DISTRIBUTION_SOURCE = "CF Rules §4 (PEF/PEFCR distribution defaults; utilisation ratio 64 %)"
#: Default transport scenarios: list of (mode, km).
DISTRIBUTION_SCENARIOS: dict[str, tuple[tuple[str, float], ...]] = {
    "pef-supplier-oem-europe": (("truck", 130.0), ("rail", 240.0), ("barge", 270.0)),
    "pef-supplier-oem-outside-europe": (("truck", 1000.0), ("ship", 18000.0)),
    "pef-oem-client-local": (("truck", 1200.0),),
    "pef-oem-client-intracontinental": (("truck", 3500.0),),
    "pef-oem-client-international": (("truck", 1000.0), ("ship", 18000.0)),
}
#: Transport mode -> inventory dataset (per t*km).
TRANSPORT_DATASETS: dict[str, str] = {
    "truck": "transport-truck-hhdt",
    "rail": "transport-rail",
    "barge": "transport-barge",
    "ship": "transport-ocean-tanker",
}
TRANSPORT_NOTE = (
    "transport datasets are GREET 2022 per t*km of a loaded trip; the PEF utilisation ratio (64 %) is not applied "
    "and sea transport uses the ocean tanker dataset (no container ship dataset)"
)

# Recycling routes (end of life: those delivering battery-grade salts; recycled input: all) come from
# the catalogue of the model's inventories (cathode_lca.catalogue), not from a list here.
