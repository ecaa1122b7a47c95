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
from typing import TYPE_CHECKING, Any, Literal

import pydantic

from .._yaml import LineDict, load_yaml_text
from ..catalogue import suggest
from ..errors import CathodeLCAError, UsageError
from .spec_base import (  # noqa: F401 - re-exported: the public names of the battery file
    ART8_ACTIVE,
    DOC_HINT,
    FORMAT,
    RESERVED_PARAMETERS,
    SOURCING_ELEMENTS,
    BatterySpecError,
    _dotted,
    line_at,
)
from .spec_checks import check_spec

if TYPE_CHECKING:
    from ..catalogue import Catalogue


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


class Pedigree(_Strict):
    """Pedigree scores of a supplier value (ecoinvent data-quality guideline), each 1 (best) to 5 (worst)."""

    reliability: int = pydantic.Field(ge=1, le=5)
    completeness: int = pydantic.Field(ge=1, le=5)
    temporal: int = pydantic.Field(ge=1, le=5)
    geographical: int = pydantic.Field(ge=1, le=5)
    technological: int = pydantic.Field(ge=1, le=5)


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
    #: Pedigree scores of a supplier value (its DQR in the declaration); a dataset is rated from the inventory.
    quality: Pedigree | None = None


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
    #: Attestation that run-around scrap (reclaimed within the same process) is not in pre_consumer.
    run_around_scrap_excluded: str | None = None
    source: str = Source

    @property
    def recycled_percent(self) -> float:
        return self.pre_consumer.percent + self.post_consumer.percent


class PlantElectricity(_Strict):
    region: str
    #: residual (default: PEF hierarchy without contractual instruments), consumption (draft DA), or
    #: supplier-specific (needs contract_evidence).
    mix: Literal["residual", "consumption", "supplier-specific"] | None = None
    contract_evidence: str | None = None
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


class DismantledPart(_Strict):
    """A part removed from the pack at dismantling (casing, module parts, electronics), by material."""

    material: Literal[
        "aluminium", "copper", "steel", "iron", "plastics", "electronics", "coolant", "insulation", "other"
    ]
    mass_kg: float
    source: str = Source
    #: Share of the part recovered as scrap, in percent, with its source (default: see .eol_dismantling).
    recovery_percent: CitedValue | None = None


class EndOfLife(_Strict):
    route: str
    collection_rate_percent: float
    feed_type: Literal["cells", "modules"] = "cells"
    region: str | None = None
    #: Evidence that the waste battery is recycled in *region* (contract, take-back scheme); without it the
    #: recycling region is the rules' default, EU-28+EFTA.
    region_evidence: str | None = None
    #: Evidence of recyclability (EN ISO 14021 §7.7.4); without it R2 = 0 (PEF Annex I).
    recyclability_evidence: str | None = None
    #: Burden of disposing of 1 kg of what is not recovered (landfill/incineration dataset or supplier value).
    disposal: SuppliedValue | None = None
    #: Parts removed at dismantling (not in the recycling feed), treated part by part (see .eol_dismantling).
    dismantled_parts: list[DismantledPart] = []
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
    full_equivalent_cycles_justification: str | None = None
    declared_cycle_life: float | None = None
    exclusively_external_storage: bool = False
    service_life_years: float
    carbon_footprint_study: str
    performance_class: str | None = None
    sources: dict[str, str] = {}


class RecycledContentBasis(_Strict):
    """The basis of the Art. 8 shares: one battery model, one plant, one calendar year, the chain of custody."""

    year: int
    plant: str | None = None
    chain_of_custody: Literal["mass-balance", "segregated", "controlled-blending"]
    source: str = Source


class CircularityInfo(_Strict):
    """Battery Pass Circularity fields the package cannot compute (keys inside lists/maps as in Battery Pass)."""

    renewable_content_percent: float
    renewable_content_source: str = Source
    dismantling_and_removal_information: list[dict[str, Any]] = []
    spare_part_sources: list[dict[str, Any]] = []
    safety_measures: dict[str, Any] | None = None
    end_of_life_information: dict[str, Any] | None = None


class Verification(_Strict):
    """Third-party verification of the declaration (BattReg Art. 7(1)(f), Art. 17-18)."""

    notified_body: str | None = None
    notified_body_number: str | None = None
    certificate_id: str | None = None
    declaration_of_conformity_id: str | None = None
    declaration_of_conformity_url: str | None = None


class PrimaryData(_Strict):
    """The share of company-specific (primary) activity data the manufacturer declares."""

    share_percent: float
    source: str = Source


class BatterySpec(_Strict):
    """A battery specification (see docs/passport.md)."""

    format: Literal["cathode-lca-battery/1"] = "cathode-lca-battery/1"
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
    verification: Verification | None = None
    recycled_content_basis: RecycledContentBasis | None = None
    circularity: CircularityInfo | None = None
    primary_data: PrimaryData | None = None

    _file: str = pydantic.PrivateAttr(default="<battery spec>")
    _sha256: str = pydantic.PrivateAttr(default="")
    _raw: Any = pydantic.PrivateAttr(default=None)
    _cam_elements: tuple[str, ...] = pydantic.PrivateAttr(default=())

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

    def error(self, loc: tuple[Any, ...], message: str, hint: str) -> BatterySpecError:
        """A :class:`BatterySpecError` at the key path *loc* of this file (line and dotted field), to raise."""
        return BatterySpecError(
            message, file=self.file, line=self.line_of(loc), field=".".join(map(str, loc)), hint=hint
        )

    @property
    def battery_mass_kg(self) -> float:
        """Battery mass: ``battery.mass_kg`` if given, else the sum of the bill of materials."""
        if self.battery.mass_kg is not None:
            return self.battery.mass_kg
        bom = self.bill_of_materials
        return bom.cathode_active_material.mass_kg + sum(c.mass_kg for c in bom.components)

    @property
    def cam_elements(self) -> tuple[str, ...]:
        """The chemistry's elements (from the catalogue the file was checked against)."""
        return self._cam_elements


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
def load_battery_spec(path: str | Path, catalogue: Catalogue | None = None) -> BatterySpec:
    """Read and check a battery specification file.

    Chemistries and recycling routes are checked against *catalogue* (default: the shipped
    inventories'; :func:`cathode_lca.passport.declaration.declare` passes its model's).

    Raises
    ------
    BatterySpecError
        With file, line and field, for every defect of the file.
    UsageError
        When *path* is not a path (``None``, a number, a dict).
    """
    if not isinstance(path, (str, Path)):
        raise UsageError(
            f"path must be the path of a battery YAML file, got {path!r:.60} ({type(path).__name__})",
            hint="e.g. load_battery_spec('examples/battery-nmc811.yaml')",
        )
    file = Path(path)
    if not file.is_file():
        raise BatterySpecError(f"battery file '{file}' not found", hint="give the path of a battery YAML file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BatterySpecError("the file is not UTF-8 text", file=str(file), hint="save it as UTF-8") from None
    spec = parse_battery_spec(text, str(file), catalogue)
    spec._sha256 = hashlib.sha256(data).hexdigest()
    return spec


def parse_battery_spec(text: str, file: str = "<battery spec>", catalogue: Catalogue | None = None) -> BatterySpec:
    """Parse a battery specification from YAML *text* (errors name *file*; *catalogue*: see
    :func:`load_battery_spec`)."""
    if catalogue is None:
        from ..catalogue import default_catalogue

        catalogue = default_catalogue()
    try:
        raw = load_yaml_text(text, file)
    except CathodeLCAError as exc:  # YAML-level refusals (non-finite numbers, bombs): a battery-file error
        raise BatterySpecError(exc.message, file=exc.file, line=exc.line, field=exc.field, hint=exc.hint) from None
    if not isinstance(raw, dict):
        raise BatterySpecError("the battery file must be a YAML mapping", file=file, line=1, hint=DOC_HINT)
    raw = _normalise_chemistry(raw, file, catalogue)
    try:
        spec = BatterySpec.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise _pydantic_error(exc, raw, file) from None
    spec._cam_elements = catalogue.chemistry(spec.battery.chemistry).elements
    check_spec(spec, raw, file, catalogue)
    spec._file = file
    spec._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    spec._raw = raw
    return spec


def _normalise_chemistry(raw: Any, file: str, catalogue: Catalogue) -> Any:
    battery = raw.get("battery") if isinstance(raw, dict) else None
    if not isinstance(battery, dict) or "chemistry" not in battery:
        return raw
    given = battery["chemistry"]
    names = [c.name for c in catalogue.chemistries.values()]
    known = {c.name.lower(): c.name for c in catalogue.chemistries.values()}
    known.update({c.key: c.name for c in catalogue.chemistries.values()})
    key = str(given).strip().lower()
    if key not in known:
        raise BatterySpecError(
            f"unknown chemistry '{given}'",
            file=file,
            line=battery.line_of("chemistry") if isinstance(battery, LineDict) else None,
            field="battery.chemistry",
            hint=suggest(str(given), names),
        )
    battery["chemistry"] = known[key]
    return raw


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
