"""The ``plant:`` section of a scenario file: one recycling plant's own data, mapped onto parameters.

Every field is mapped onto parameters that the inventories already have (see docs/scenarios.md for
the table); a field that has no parameter yet is refused with a clear error rather than ignored.

Examples
--------
>>> sorted(RECOVERY["pyrometallurgical"])
['Co', 'Cu', 'Ni']
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from ..inventory.schema import Location
from .assay import ASSAY_ELEMENTS, CAM_FORMULAS, convert_assay
from .plant_common import err, mapping, one_of, required_text
from .plant_electricity import electricity_values
from .plant_transport import transport_values
from .scenario_values import (
    ScenarioValue,
    as_number,
    check_choice,
    check_keys,
    convert_quantity,
    parse_value,
    resolve_key,
)

if TYPE_CHECKING:
    from .engine import ParameterModel

PLANT_KEYS = (
    "name",
    "route",
    "note",
    "electricity",
    "black_mass",
    "energy",
    "reagents",
    "recovery",
    "water",
    "waste",
    "transport",
)
# (parameter, parameters set to 0 because the plant total replaces them)
ENERGY: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "hydrometallurgical": {
        "electricity": ("hydro_electricity", ()),
        "natural_gas": ("hydro_natural_gas_base", ("hydro_natural_gas_per_li2co3",)),
        "diesel": ("hydro_diesel", ()),
    },
    "pyrometallurgical": {
        "electricity": ("pyro_electricity_base", ("pyro_electricity_per_cu",)),
        "diesel": ("pyro_diesel", ()),
    },
    "direct": {
        "electricity": ("direct_electricity_base", ("direct_electricity_per_cam",)),
        "diesel": ("direct_diesel", ()),
    },
}
RECOVERY: dict[str, dict[str, str]] = {
    "hydrometallurgical": {
        "Ni": "hydro_recovery_ni",
        "Co": "hydro_recovery_co",
        "Mn": "hydro_recovery_mn",
        "Li": "hydro_recovery_li",
        "C": "hydro_recovery_graphite",
    },
    "pyrometallurgical": {"Ni": "pyro_recovery_ni", "Co": "pyro_recovery_co", "Cu": "pyro_recovery_cu"},
    "direct": {"CAM": "direct_recovery_cam", "C": "direct_recovery_graphite"},
}
WATER = {"hydrometallurgical": "hydro_water", "pyrometallurgical": "pyro_water", "direct": "direct_water"}
# reagent in a plant file -> parameter (per kg black mass for hydro and direct, per kg feed for pyro)
REAGENTS: dict[str, dict[str, str]] = {
    "hydrometallurgical": {
        "H2SO4": "hydro_h2so4_per_bm",
        "H2O2": "hydro_h2o2_per_bm",
        "NaOH": "hydro_naoh_per_bm",
        "Na2CO3": "hydro_soda_ash_per_bm",
        "lime": "hydro_lime_per_bm",
    },
    "pyrometallurgical": {
        "H2SO4": "pyro_h2so4_per_feed",
        "lime": "pyro_lime_per_feed",
        "limestone": "pyro_limestone",
        "sand": "pyro_sand_per_feed",
    },
    "direct": {"lime": "direct_lime_per_bm", "LiOH": "direct_lioh_per_bm"},
}


def _pick(name: Any, table: dict[str, Any], file: str, line: int, fld: str, what: str) -> Any:
    return table[one_of(name, list(table), file, line, fld, what)]


def _zero(model: ParameterModel, key_name: str, cause: ScenarioValue) -> ScenarioValue:
    key = model.key(key_name)
    return ScenarioValue(
        key,
        0.0,
        model.parameters[key].unit,
        "0",
        f"set to 0: the plant total is given in {cause.field} (line {cause.where.line})",
        cause.where,
        cause.field,
    )


def plant_values(raw: Any, file: str, model: ParameterModel) -> list[ScenarioValue]:
    """Parameter values of the ``plant:`` section *raw* (a LineDict) of *file*."""
    plant = mapping(raw, file, getattr(raw, "line", 0), "plant", "name, route, electricity, black_mass, ...")
    check_keys(plant, PLANT_KEYS, file, "plant.")
    for req in ("name", "route"):
        if not isinstance(plant.get(req), str):
            raise err(f"missing '{req}' (text)", file, plant.line, f"plant.{req}")
    # the routes whose plant parameters this module maps (every recycling route of the catalogue)
    route = one_of(plant["route"], tuple(RECOVERY), file, plant.line_of("route"), "plant.route", "route")
    out: list[ScenarioValue] = []
    assay_metals: dict[str, float] | None = None
    if "electricity" in plant:
        out.extend(electricity_values(plant["electricity"], file, plant.line_of("electricity"), model))
    if "black_mass" in plant:
        values, assay_metals = _black_mass(plant["black_mass"], file, plant.line_of("black_mass"), model)
        out.extend(values)
    if "energy" in plant:
        out.extend(_energy(plant["energy"], route, file, plant.line_of("energy"), model, assay_metals))
    if "recovery" in plant:
        rec = mapping(plant["recovery"], file, plant.line_of("recovery"), "plant.recovery", "element: {value, source}")
        for element, entry in rec.items():
            fld = f"plant.recovery.{element}"
            pname = _pick(element, RECOVERY[route], file, rec.line_of(element), fld, f"{route} recovery of")
            v = parse_value(entry, file, rec.line_of(element), fld, model, pname)
            if not 0.0 <= float(v.value) <= 1.0:
                raise err(f"a recovery must be in [0, 1], got {v.value:g}", file, v.where.line, fld + ".value")
            out.append(v)
    if "water" in plant:
        out.append(parse_value(plant["water"], file, plant.line_of("water"), "plant.water", model, WATER[route]))
    if "reagents" in plant:
        out.extend(_reagents(plant["reagents"], route, file, plant.line_of("reagents"), model))
    if "waste" in plant:
        raise err(
            "plant.waste is not mapped: the shipped inventories have no waste-treatment dataset with cited "
            "factors, so a waste amount would change no result",
            file,
            plant.line_of("waste"),
            "plant.waste",
            "remove plant.waste; add a waste-treatment dataset in an inventory file (docs/scenarios.md)",
        )
    if "transport" in plant:
        out.extend(transport_values(plant["transport"], file, plant.line_of("transport"), model))
    seen: dict[str, ScenarioValue] = {}
    for v in out:
        if v.key in seen:
            raise err(f"parameter '{v.key}' is set twice (also by {seen[v.key].field})", file, v.where.line, v.field)
        seen[v.key] = v
    return out


def _molar_masses(model: Any) -> dict[str, float]:
    env = model.evaluate()
    return {
        e: float(env[model.key(f"molar_mass_{e}")])
        for e in ("li", "ni", "co", "mn", "o", "al", "fe", "p", "c", "f", "h")
    }


# pure numbers a mass-fraction unit may contain besides mass units (pint cancels mol/mol, L/L and radian
# to dimensionless too, so the unit is checked by its words, not by its dimension)
_RATIO_WORDS = frozenset({"percent", "ppm", "ppb", "permille", "dimensionless"})


def _mass_fraction_unit(unit: str) -> bool:
    """True when every unit word of *unit* is a mass (kg, g, t) or a pure ratio (%, ppm): a mass fraction.

    Examples
    --------
    >>> [_mass_fraction_unit(u) for u in ("%", "kg/kg", "g / kg", "ppm", "mol/mol", "L/L", "radian")]
    [True, True, True, True, False, False, False]
    """
    import re

    from ..units import is_mass

    words = re.findall(r"[A-Za-z_µ]+", unit.replace("%", " percent "))
    for word in words:
        if word in _RATIO_WORDS:
            continue
        try:
            if not is_mass(word):
                return False
        except Exception:
            return False
    return bool(words)


def _black_mass(raw: Any, file: str, line: int, model: ParameterModel) -> tuple[list[ScenarioValue], dict[str, float]]:
    from ..units import conversion_factor

    bm = mapping(raw, file, line, "plant.black_mass", "chemistry, unit, assay, source")
    check_keys(bm, ("chemistry", "unit", "assay", "source", "note"), file, "plant.black_mass.")
    chem = one_of(
        bm.get("chemistry"),
        list(CAM_FORMULAS),
        file,
        bm.line_of("chemistry"),
        "plant.black_mass.chemistry",
        "chemistry",
    )
    source = required_text(bm, "source", file, "plant.black_mass", "cite the lab report or document")
    unit = bm.get("unit")
    if not isinstance(unit, str):
        raise err(
            "missing 'unit' of the assay",
            file,
            bm.line,
            "plant.black_mass.unit",
            "write 'unit: \"%\"' (mass percent) or 'unit: kg/kg' (fractions)",
        )
    try:
        if not _mass_fraction_unit(unit):
            raise ValueError(unit)
        factor = conversion_factor(unit.replace("%", "percent"), "dimensionless")
    except Exception:
        raise err(
            f"the assay unit must be a mass fraction (%, kg/kg), got '{unit}'",
            file,
            bm.line_of("unit"),
            "plant.black_mass.unit",
            "an assay gives kg of each element per kg black mass: write '%', 'kg/kg', 'g/kg' or 'ppm' "
            "(mole fractions need converting first)",
        ) from None
    assay_raw = mapping(bm.get("assay"), file, bm.line_of("assay"), "plant.black_mass.assay", "element: fraction")
    check_keys(assay_raw, ASSAY_ELEMENTS, file, "plant.black_mass.assay.")
    assay: dict[str, float] = {}
    for element, value in assay_raw.items():
        value = as_number(value)
        fld, eline = f"plant.black_mass.assay.{element}", assay_raw.line_of(element)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise err(f"{element} must be a finite number, got {value!r}", file, eline, fld)
        fraction = float(value) * factor
        if not 0.0 <= fraction <= 1.0:
            raise err(f"{element} = {value} {unit} is outside [0, 100 %]", file, eline, fld)
        assay[element] = fraction
    total = sum(assay.values())
    if total > 1.0 + 1e-9:
        raise err(
            f"the assay sums to {100 * total:.4g} %, over 100 %",
            file,
            assay_raw.line,
            "plant.black_mass.assay",
            "check the values and the unit (% or kg/kg)",
        )
    try:
        comp = convert_assay(assay, chem, _molar_masses(model))
    except ParameterError as exc:
        raise err(exc.message, file, assay_raw.line, "plant.black_mass.assay", exc.hint) from None
    where = Location(file, assay_raw.line)
    fld = "plant.black_mass.assay"
    derived = f"derived from the black-mass assay ({source}); formula in docs/scenarios.md"
    settings: list[tuple[str, float | str, str]] = [
        ("feed_type", "black-mass", "the plant's feed is the assayed black mass"),
        ("feed_cam_chemistry", chem, "the CAM of the assayed black mass (direct recycling regenerates only it)"),
        ("bmfeed_cam", comp.cam, "x_CAM = sum(a_key) / sum(w_key)"),
        ("bmfeed_graphite", comp.graphite, "a_C - m_PVDF * 2 M_C / M_PVDF"),
        ("bmfeed_carbon_black", 0.0, "all carbon outside PVDF counted as graphite"),
        ("bmfeed_pvdf", comp.pvdf, "a_F * M_PVDF / (2 M_F)"),
        ("bmfeed_anode_binder", 0.0, "all carbon outside PVDF counted as graphite"),
        ("bmfeed_copper", comp.copper, "a_Cu"),
        ("bmfeed_aluminum", comp.aluminum, "a_Al - x_CAM * w_Al"),
        ("bm_per_feed", 1.0, f"1 kg feed = 1 kg assayed black mass; other = {comp.other:.4g} kg passes untracked"),
    ]
    for e in ("Ni", "Co", "Mn", "Li"):
        settings.append((f"feed_cam_{e.lower()}", comp.cam_elements[e], f"a_{e} / x_CAM"))
    out = []
    for name, value, formula in settings:
        key = resolve_key(model, name, file, where.line, fld)
        param = model.parameters[key]
        if isinstance(value, str):
            check_choice(param, value, file, where.line, fld)
        out.append(
            ScenarioValue(
                key,
                value,
                param.unit if not isinstance(value, str) else "",
                f"{value:.6g}" if isinstance(value, float) else value,
                derived,
                where,
                fld,
                note=formula,
                exact=name == "bm_per_feed",  # 1 kg feed IS 1 kg of the assayed black mass: a definition
            )
        )
    return out, assay


def _energy(
    raw: Any, route: str, file: str, line: int, model: ParameterModel, assay: dict[str, float] | None
) -> Iterator[ScenarioValue]:
    energy = mapping(raw, file, line, "plant.energy", "electricity, heat")
    check_keys(energy, ("electricity", "heat"), file, "plant.energy.")
    items: list[tuple[str, Any, int, str]] = []
    if "electricity" in energy:
        items.append(("electricity", energy["electricity"], energy.line_of("electricity"), "plant.energy.electricity"))
    if "heat" in energy:
        heat = mapping(energy["heat"], file, energy.line_of("heat"), "plant.energy.heat", "fuel: {value, unit, source}")
        for fuel, entry in heat.items():
            items.append((str(fuel), entry, heat.line_of(fuel), f"plant.energy.heat.{fuel}"))
    for what, entry, eline, fld in items:
        if route == "pyrometallurgical" and what == "natural_gas":
            yield _pyro_natural_gas(entry, file, eline, fld, model, assay)
            continue
        pname, zeroed = _pick(what, ENERGY[route], file, eline, fld, f"{route} energy carrier")
        v = parse_value(entry, file, eline, fld, model, pname)
        yield v
        for z in zeroed:
            yield _zero(model, z, v)


def _pyro_natural_gas(
    entry: Any, file: str, line: int, fld: str, model: ParameterModel, assay: dict[str, float] | None
) -> ScenarioValue:
    """Pyro natural gas is per kg (Cu + Co + Ni) of the feed in the model: convert a per-kg-feed figure."""
    key = resolve_key(model, "pyro_natural_gas_per_metal", file, line, fld)
    param = model.parameters[key]
    if assay is None:
        raise err(
            "pyrometallurgical natural gas per kg feed needs plant.black_mass (the model counts it per kg "
            "Cu + Co + Ni of the feed)",
            file,
            line,
            fld,
            "add the black-mass assay",
        )
    metal = assay.get("Cu", 0.0) + assay.get("Co", 0.0) + assay.get("Ni", 0.0)
    if metal <= 0:
        raise err("the assay has no Cu, Co or Ni to refer the natural gas to", file, line, fld)
    v = parse_value(entry, file, line, fld, model, "pyro_natural_gas_per_metal")
    per_metal = float(v.value) / metal
    convert_quantity(per_metal, param.unit, param, file, line, fld)
    return ScenarioValue(
        key,
        per_metal,
        param.unit,
        v.given,
        v.source,
        v.where,
        fld,
        v.quality,
        None,
        f"per kg feed / (Cu + Co + Ni of the assay = {metal:.4g} kg/kg)",
    )


def _reagents(raw: Any, route: str, file: str, line: int, model: Any) -> Iterator[ScenarioValue]:
    """Reagents per kg black mass (per kg feed for pyro), each replacing the stoichiometric amount."""
    reagents = mapping(raw, file, line, "plant.reagents", "reagent: {value, unit, source}")
    for name, entry in reagents.items():
        fld, rline = f"plant.reagents.{name}", reagents.line_of(name)
        pname = _pick(name, REAGENTS[route], file, rline, fld, f"{route} reagent")
        if not isinstance(entry, dict) or not isinstance(entry.get("unit"), str):
            raise err(
                f"missing unit of {name}",
                file,
                getattr(entry, "line", rline),
                fld + ".unit",
                "give the amount per kg black mass (per kg feed for pyro), e.g. 'unit: kg/kg' or 'unit: g/kg'",
            )
        yield parse_value(entry, file, rline, fld, model, pname)
