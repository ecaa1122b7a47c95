"""The battery specification file (YAML): pydantic models and checks with file and line.

The format is documented in ``docs/passport.md``; ``examples/battery-nmc811.yaml`` is a full
example. Every error names the file, the line and the field, says what is wrong and how to fix
it: a missing bill-of-materials mass, sourcing shares that do not add up to 100 %, an unknown
chemistry or route, a capacity that is not positive, and so on.

Examples
--------
>>> spec = load_battery_spec("examples/battery-nmc811.yaml")       # doctest: +SKIP
>>> spec.battery.chemistry, spec.battery.usable_energy_kwh          # doctest: +SKIP
('NMC811', 100.0)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import pydantic

from .._yaml import LineDict, LineList, load_yaml_text
from ..errors import CathodeLCAError, ValidationError
from .rules import (
    DISTRIBUTION_SCENARIOS,
    EOL_ROUTES,
    PROCESS_TAGS,
    RECYCLED_INPUT_ROUTES,
    STAGE_MAPPINGS,
    STAGES,
    feqc_default,
)

FORMAT = "cathode-lca-battery/1"
DOC_HINT = "see docs/passport.md"

#: Chemistries cathode-lca models, with the elements of their cathode active material (stoichiometry).
CHEMISTRY_ELEMENTS: dict[str, tuple[str, ...]] = {
    "NMC111": ("Ni", "Co", "Mn", "Li"),
    "NMC532": ("Ni", "Co", "Mn", "Li"),
    "NMC622": ("Ni", "Co", "Mn", "Li"),
    "NMC811": ("Ni", "Co", "Mn", "Li"),
    "NCA": ("Ni", "Co", "Li"),
    "LFP": ("Li",),
}
#: Elements with a sourcing mix: the Art. 8 elements, and Mn (CFF only, optional).
SOURCING_ELEMENTS = ("Ni", "Co", "Li", "Mn", "Pb")
ART8_ACTIVE = ("Co", "Ni", "Li")
#: Model parameters the battery file sets through its own fields.
RESERVED_PARAMETERS = {
    "plant_region": "electricity.cathode_plant.region / electricity.recycler.region",
    "feed_type": "end_of_life.feed_type",
    "feed_chemistry": "battery.chemistry (or sourcing.<El>.post_consumer.feed_chemistry)",
    "nickel_sulfate_route": "sourcing.Ni.virgin.route",
    "cobalt_sulfate_route": "sourcing.Co.virgin.route",
    "manganese_sulfate_route": "sourcing.Mn.virgin.route",
    "lithium_route": "sourcing.Li.virgin.route",
}


class BatterySpecError(ValidationError):
    """A defect in a battery specification file."""


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


Source = pydantic.Field(min_length=1)


class CitedValue(_Strict):
    """A number with its source (CFF parameter overrides)."""

    value: float
    source: str = Source


class SuppliedValue(_Strict):
    """A supplier emission value (kg CO2-eq per unit) with its source and optional climate sub-indicators."""

    value: float
    source: str = Source
    fossil: float | None = None
    biogenic: float | None = None
    land_use: float | None = None


class SuppliedEmission(_Strict):
    """Carbon footprint of a part cathode-lca does not model: a supplier value, or a dataset and an amount."""

    process: str
    per: Literal["kg", "kWh", "battery"]
    value: float | None = None
    dataset: str | None = None
    amount: float | None = None
    fossil: float | None = None
    biogenic: float | None = None
    land_use: float | None = None
    source: str = Source
    description: str | None = None


class Component(_Strict):
    name: str
    mass_kg: float
    source: str = Source
    active_material: bool = False
    elements_kg: dict[str, float] = {}
    carbon_footprint: list[SuppliedEmission] = []


class CathodeActiveMaterial(_Strict):
    mass_kg: float
    source: str = Source


class BillOfMaterials(_Strict):
    cathode_active_material: CathodeActiveMaterial
    components: list[Component] = []


class SourcingShare(_Strict):
    percent: float
    route: str | None = None
    region: str | None = None
    feed_chemistry: str | None = None
    e_recycled: SuppliedValue | None = None


class MaterialSourcing(_Strict):
    virgin: SourcingShare
    pre_consumer: SourcingShare = SourcingShare(percent=0.0)
    post_consumer: SourcingShare = SourcingShare(percent=0.0)
    evidence: str | None = None
    source: str = Source

    @property
    def recycled_percent(self) -> float:
        return self.pre_consumer.percent + self.post_consumer.percent


class PlantElectricity(_Strict):
    region: str
    source: str = Source


class Electricity(_Strict):
    cathode_plant: PlantElectricity
    recycler: PlantElectricity


class TransportLeg(_Strict):
    mode: Literal["truck", "rail", "barge", "ship"]
    distance_km: float


class Distribution(_Strict):
    scenarios: list[str] = []
    legs: list[TransportLeg] = []
    mass_kg: float | None = None
    source: str = Source


class EndOfLife(_Strict):
    route: str
    collection_rate_percent: float
    feed_type: Literal["cells", "modules"] = "cells"
    region: str | None = None
    source: str = Source


class MaterialCFF(_Strict):
    """Overrides of CFF parameters (fractions) and emission values (kg CO2-eq per kg material)."""

    A: CitedValue | None = None
    B: CitedValue | None = None
    R2: CitedValue | None = None
    R3: CitedValue | None = None
    QSin_QP: CitedValue | None = None
    QSout_QP: CitedValue | None = None
    E_v: SuppliedValue | None = None
    E_v_star: SuppliedValue | None = None
    E_recycled: SuppliedValue | None = None
    E_recycling_eol: SuppliedValue | None = None
    E_D: SuppliedValue | None = None
    E_ER: SuppliedValue | None = None
    E_SE_heat: SuppliedValue | None = None
    E_SE_elec: SuppliedValue | None = None
    LHV: CitedValue | None = None
    X_ER_heat: CitedValue | None = None
    X_ER_elec: CitedValue | None = None


class StageMappingSpec(_Strict):
    base: str
    overrides: dict[str, str] = {}


class Manufacturer(_Strict):
    name: str
    address: str | None = None
    identifier: str | None = None


class Plant(_Strict):
    location: str
    name: str | None = None
    country: str | None = None


class BatteryInfo(_Strict):
    model: str
    identifier: str | None = None
    manufacturer: Manufacturer | None = None
    manufacturing_plant: Plant
    category: Literal["EV", "LMT", "industrial"] = "EV"
    chemistry: str
    usable_energy_kwh: float
    mass_kg: float | None = None
    vehicle_category: str | None = None
    full_equivalent_cycles_per_year: float | None = None
    service_life_years: float
    carbon_footprint_study: str
    performance_class: str | None = None
    sources: dict[str, str] = {}


class BatterySpec(_Strict):
    """A battery specification (see docs/passport.md)."""

    format: Literal["cathode-lca-battery/1"] = FORMAT
    description: str | None = None
    battery: BatteryInfo
    bill_of_materials: BillOfMaterials
    sourcing: dict[str, MaterialSourcing]
    electricity: Electricity
    distribution: Distribution
    end_of_life: EndOfLife
    cff: dict[str, MaterialCFF] = {}
    stage_mapping: str | StageMappingSpec | None = None
    model_parameters: dict[str, float | str] = {}

    _file: str = pydantic.PrivateAttr(default="<battery spec>")
    _sha256: str = pydantic.PrivateAttr(default="")
    _raw: Any = pydantic.PrivateAttr(default=None)

    @property
    def file(self) -> str:
        return self._file

    @property
    def sha256(self) -> str:
        """SHA-256 of the file text the spec was read from ('' for specs built in Python)."""
        return self._sha256

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """Line of the key path *loc* in the file the spec was read from (None if unknown)."""
        return line_at(self._raw, loc) if self._raw is not None else None

    @property
    def battery_mass_kg(self) -> float:
        """Battery mass: ``battery.mass_kg`` if given, else the sum of the bill of materials."""
        if self.battery.mass_kg is not None:
            return self.battery.mass_kg
        bom = self.bill_of_materials
        return bom.cathode_active_material.mass_kg + sum(c.mass_kg for c in bom.components)

    @property
    def cam_elements(self) -> tuple[str, ...]:
        return CHEMISTRY_ELEMENTS[self.battery.chemistry]


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
def load_battery_spec(path: str | Path) -> BatterySpec:
    """Read and check a battery specification file.

    Raises
    ------
    BatterySpecError
        With file, line and field, for every defect of the file.
    """
    file = Path(path)
    if not file.is_file():
        raise BatterySpecError(f"battery file '{file}' not found", hint="give the path of a battery YAML file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BatterySpecError("the file is not UTF-8 text", file=str(file), hint="save it as UTF-8") from None
    spec = parse_battery_spec(text, str(file))
    spec._sha256 = hashlib.sha256(data).hexdigest()
    return spec


def parse_battery_spec(text: str, file: str = "<battery spec>") -> BatterySpec:
    """Parse a battery specification from YAML *text* (errors name *file*)."""
    raw = load_yaml_text(text, file)
    if not isinstance(raw, dict):
        raise BatterySpecError("the battery file must be a YAML mapping", file=file, line=1, hint=DOC_HINT)
    raw = _normalise_chemistry(raw, file)
    try:
        spec = BatterySpec.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise _pydantic_error(exc, raw, file) from None
    _check(spec, raw, file)
    spec._file = file
    spec._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    spec._raw = raw
    return spec


def _normalise_chemistry(raw: Any, file: str) -> Any:
    battery = raw.get("battery") if isinstance(raw, dict) else None
    if not isinstance(battery, dict) or "chemistry" not in battery:
        return raw
    given = battery["chemistry"]
    known = {c.lower(): c for c in CHEMISTRY_ELEMENTS}
    key = str(given).strip().lower()
    if key not in known:
        raise BatterySpecError(
            f"unknown chemistry '{given}'",
            file=file,
            line=battery.line_of("chemistry") if isinstance(battery, LineDict) else None,
            field="battery.chemistry",
            hint="choose one of: " + ", ".join(CHEMISTRY_ELEMENTS),
        )
    battery["chemistry"] = known[key]
    return raw


def line_at(data: Any, loc: tuple[Any, ...] | list[Any]) -> int | None:
    """Line of the deepest node of *loc* found in the YAML tree *data*."""
    line = getattr(data, "line", None)
    node = data
    for key in loc:
        if isinstance(node, LineDict) and key in node:
            line = node.line_of(key)
            node = node[key]
        elif isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _dotted(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_error(exc: pydantic.ValidationError, raw: Any, file: str) -> CathodeLCAError:
    err = exc.errors()[0]
    loc = _data_loc(raw, err["loc"])
    field = _dotted(loc) or None
    line = line_at(raw, loc)
    kind = err["type"]
    if loc and loc[0] == "stage_mapping":
        return BatterySpecError(
            "invalid stage_mapping",
            file=file,
            line=line,
            field="stage_mapping",
            hint="write regulation, jrc, or {base: jrc, overrides: {<process tag>: <stage>}}",
        )
    if kind == "missing" and loc and loc[-1] == "mass_kg" and loc[0] == "bill_of_materials":
        owner = line_at(raw, loc[:-1])
        name = _component_name(raw, loc[:-1])
        return BatterySpecError(
            f"missing BOM mass: {name} has no mass_kg",
            file=file,
            line=owner,
            field=field,
            hint="give the mass in kg per battery (mass_kg: ...)",
        )
    if kind == "missing":
        return BatterySpecError("missing required key", file=file, line=line, field=field, hint=f"add it ({DOC_HINT})")
    if kind == "extra_forbidden":
        return BatterySpecError(
            "unknown key", file=file, line=line, field=field, hint=f"remove it or check the spelling ({DOC_HINT})"
        )
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return BatterySpecError(
            f"invalid value {err.get('input')!r}", file=file, line=line, field=field, hint=f"use {expected}"
        )
    return BatterySpecError(err["msg"], file=file, line=line, field=field, hint=DOC_HINT)


def _data_loc(raw: Any, loc: tuple[Any, ...]) -> list[Any]:
    """The parts of a pydantic error location that are keys or indices of the data (drops union tags)."""
    out: list[Any] = []
    node = raw
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            out.append(part)  # a missing or unknown key: report it, stop descending
            node = None
    return out


def _is_tag(part: str) -> bool:
    """Pydantic's names for union members and validators, e.g. 'str', 'StageMappingSpec', 'function-after[...]'."""
    return (
        part in ("str", "float", "int", "bool", "dict", "list")
        or part.startswith("function-")
        or (part[:1].isupper() and part[1:2].islower() and part.endswith("Spec"))
    )


def _component_name(raw: Any, loc: list[Any]) -> str:
    node = raw
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and "name" in node:
        return f"component '{node['name']}'"
    if loc and loc[-1] == "cathode_active_material":
        return "the cathode active material"
    return _dotted(loc)


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

    def percent(self, loc: tuple[Any, ...], value: float, what: str) -> None:
        if not 0 <= value <= 100:
            self.fail(loc, f"{what} is {value:g} %, outside 0-100 %", "shares in the battery file are in percent")


def _check(spec: BatterySpec, raw: Any, file: str) -> None:
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
    if b.full_equivalent_cycles_per_year is None:
        if b.vehicle_category is None:
            c.fail(
                ("battery",),
                "neither vehicle_category nor full_equivalent_cycles_per_year is given",
                "give the vehicle category (M1, N1, L, M2, M3, N2, N3) or the full equivalent cycles per year",
            )
        elif feqc_default(b.vehicle_category) is None:
            c.fail(
                ("battery", "vehicle_category"),
                f"no default full equivalent cycles per year for vehicle category '{b.vehicle_category}'",
                "give full_equivalent_cycles_per_year and justify it in the public study (defaults exist for "
                "M1, N1, L, M2, M3, N2, N3)",
            )
    url = urlparse(b.carbon_footprint_study)
    if not url.scheme or not (url.netloc or url.path):
        c.fail(
            ("battery", "carbon_footprint_study"),
            f"carbon_footprint_study '{b.carbon_footprint_study}' is not an absolute URI",
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
        loc = ("bill_of_materials", "components", i)
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
        _check_sourcing(c, el, mix)

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
    if eol.route not in EOL_ROUTES:
        c.fail(
            ("end_of_life", "route"),
            f"unknown end-of-life route '{eol.route}'",
            "choose one of: " + ", ".join(EOL_ROUTES),
        )
    c.percent(("end_of_life", "collection_rate_percent"), eol.collection_rate_percent, "collection_rate_percent")

    for el in spec.cff:
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


def _check_sourcing(c: _Checker, el: str, mix: MaterialSourcing) -> None:
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
        if share.percent == 0 or el == "Pb":  # Pb is not modelled: its route is free text
            continue
        if share.route is None:
            c.fail(
                loc,
                f"{el} {name.replace('_', '-')} share has no recycling route",
                "add route: " + " | ".join(RECYCLED_INPUT_ROUTES),
            )
        if share.route not in RECYCLED_INPUT_ROUTES:
            c.fail(
                (*loc, "route"),
                f"unknown recycling route '{share.route}'",
                "choose one of: " + ", ".join(RECYCLED_INPUT_ROUTES),
            )
        if share.route == "direct" and share.e_recycled is None:
            c.fail(
                (*loc, "route"),
                "cathode-lca has no per-element burden for recycled input from direct recycling",
                "give e_recycled: {value: ..., source: ...} (kg CO2-eq per kg of recycled " + el + ")",
            )
        if share.feed_chemistry is not None and share.feed_chemistry.upper() not in CHEMISTRY_ELEMENTS:
            c.fail(
                (*loc, "feed_chemistry"),
                f"unknown chemistry '{share.feed_chemistry}'",
                "choose one of: " + ", ".join(CHEMISTRY_ELEMENTS),
            )
