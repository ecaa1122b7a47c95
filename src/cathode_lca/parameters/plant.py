"""The ``plant:`` section of a scenario file: one recycling plant's own data, mapped onto parameters.

Every field is mapped onto parameters that the inventories already have (see docs/scenarios.md for
the table); a field that has no parameter yet is refused with a clear error rather than ignored.

Examples
--------
>>> sorted(RECOVERY["pyrometallurgical"])
['Co', 'Cu', 'Ni']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from ..inventory.schema import Location
from .assay import ASSAY_ELEMENTS, CAM_FORMULAS, convert_assay
from .scenario_values import (
    ScenarioError,
    ScenarioValue,
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
ROUTES = ("hydrometallurgical", "pyrometallurgical", "direct")
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
LEGS = {
    "collection-to-disassembly": "dist_collection_to_disassembly_mi",
    "disassembly-to-preprocessor": "dist_disassembly_to_preprocessor_mi",
    "preprocessor-to-recovery": "dist_preprocessor_to_recovery_mi",
    "scrap-to-recycler": "dist_scrap_to_recycler_mi",
    "recycler-to-cathode": "dist_recycler_to_cathode_mi",
}
MODES = ("truck", "rail", "sea", "barge")
SUPPLIES = ("grid", "residual-mix", "supplier-specific")
CONTRACT_KEYS = ("type", "period", "certificate")


def _err(message: str, file: str, line: int | None, fld: str, hint: str | None = None) -> ScenarioError:
    return ScenarioError(message, file=file, line=line, field=fld, hint=hint)


def _mapping(raw: Any, file: str, line: int, fld: str, what: str) -> Any:
    from .._yaml import LineDict

    if not isinstance(raw, LineDict):
        raise _err(f"'{fld}' must be a mapping ({what})", file, line, fld)
    return raw


def _pick(name: Any, table: dict[str, Any], file: str, line: int, fld: str, what: str) -> Any:
    if not isinstance(name, str) or name not in table:
        close = difflib.get_close_matches(str(name), list(table), n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "available: " + ", ".join(table)
        raise _err(f"{what} '{name}' has no parameter in this model", file, line, fld, hint)
    return table[name]


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
    plant = _mapping(raw, file, getattr(raw, "line", 0), "plant", "name, route, electricity, black_mass, ...")
    check_keys(plant, PLANT_KEYS, file, "plant.")
    for req in ("name", "route"):
        if not isinstance(plant.get(req), str):
            raise _err(f"missing '{req}' (text)", file, plant.line, f"plant.{req}")
    route = plant["route"]
    if route not in ROUTES:
        close = difflib.get_close_matches(route, ROUTES, n=1)
        raise _err(
            f"unknown route '{route}'",
            file,
            plant.line_of("route"),
            "plant.route",
            (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(ROUTES),
        )
    out: list[ScenarioValue] = []
    assay_metals: dict[str, float] | None = None
    if "electricity" in plant:
        out.extend(_electricity(plant["electricity"], file, plant.line_of("electricity"), model))
    if "black_mass" in plant:
        values, assay_metals = _black_mass(plant["black_mass"], file, plant.line_of("black_mass"), model)
        out.extend(values)
    if "energy" in plant:
        out.extend(_energy(plant["energy"], route, file, plant.line_of("energy"), model, assay_metals))
    if "recovery" in plant:
        rec = _mapping(plant["recovery"], file, plant.line_of("recovery"), "plant.recovery", "element: {value, source}")
        for element, entry in rec.items():
            fld = f"plant.recovery.{element}"
            pname = _pick(element, RECOVERY[route], file, rec.line_of(element), fld, f"{route} recovery of")
            v = parse_value(entry, file, rec.line_of(element), fld, model, pname)
            if not 0.0 <= float(v.value) <= 1.0:
                raise _err(f"a recovery must be in [0, 1], got {v.value:g}", file, v.where.line, fld + ".value")
            out.append(v)
    if "water" in plant:
        out.append(parse_value(plant["water"], file, plant.line_of("water"), "plant.water", model, WATER[route]))
    for section in ("reagents", "waste"):
        if section in plant:
            raise _err(
                f"plant.{section} is not yet mapped: the {route} dataset computes its {section} from the feed "
                "composition and has no parameter for it",
                file,
                plant.line_of(section),
                f"plant.{section}",
                f"remove plant.{section}, or override the dataset with an inventory file (docs/scenarios.md)",
            )
    if "transport" in plant:
        out.extend(_transport(plant["transport"], file, plant.line_of("transport"), model))
    seen: dict[str, ScenarioValue] = {}
    for v in out:
        if v.key in seen:
            raise _err(f"parameter '{v.key}' is set twice (also by {seen[v.key].field})", file, v.where.line, v.field)
        seen[v.key] = v
    return out


SUPPLIER_FACTORS = (
    ("factor", "supplier_electricity_ghg"),
    ("energy_fossil", "supplier_electricity_energy_fossil"),
    ("energy_non_fossil", "supplier_electricity_energy_non_fossil"),
    ("water", "supplier_electricity_water"),
)


def _electricity(raw: Any, file: str, line: int, model: ParameterModel) -> list[ScenarioValue]:
    el = _mapping(raw, file, line, "plant.electricity", "supply, region or factor and contract, source")
    allowed = ("supply", "region", "contract", "source", "note", *(k for k, _ in SUPPLIER_FACTORS))
    check_keys(el, allowed, file, "plant.electricity.")
    supply = el.get("supply")
    if supply not in SUPPLIES:
        raise _err(
            f"unknown electricity supply {supply!r}",
            file,
            el.line_of("supply"),
            "plant.electricity.supply",
            "choose one of: " + ", ".join(SUPPLIES),
        )
    source = el.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _err("missing 'source'", file, el.line, "plant.electricity.source", "cite the contract or grid data")
    out: list[ScenarioValue] = []
    note = "plant_electricity_supply: the supply of every plant of the model (recycling and cathode)"
    if supply == "supplier-specific":
        contract = _mapping(
            el.get("contract"), file, el.line_of("contract"), "plant.electricity.contract", "type, period, certificate"
        )
        check_keys(contract, CONTRACT_KEYS, file, "plant.electricity.contract.")
        for k in CONTRACT_KEYS:
            if not isinstance(contract.get(k), str) or not contract[k].strip():
                raise _err(
                    f"missing contract evidence '{k}' (text)",
                    file,
                    contract.line,
                    f"plant.electricity.contract.{k}",
                    "give type (e.g. PPA), period (e.g. 2024-2030) and certificate (e.g. GO registry id)",
                )
        if "factor" not in el:
            raise _err(
                "missing 'factor' (emission factor of the contracted supply)", file, el.line, "plant.electricity.factor"
            )
        given = []
        for k, pname in SUPPLIER_FACTORS:
            if k in el:
                out.append(parse_value(el[k], file, el.line_of(k), f"plant.electricity.{k}", model, pname))
                given.append(k)
        kept = [k for k, _ in SUPPLIER_FACTORS if k not in given]
        note = f"contract {contract['type']}, {contract['period']}, certificate {contract['certificate']}" + (
            f"; {', '.join(kept)} of the supplied power: shipped defaults of electricity-supplier-specific"
            if kept
            else ""
        )
    elif supply == "residual-mix":
        region = el.get("region")
        if not isinstance(region, str) or f"electricity-residual-{region.lower()}" not in model.inventory.datasets:
            residual = sorted(
                d[len("electricity-residual-") :].upper()
                for d in model.inventory.datasets
                if d.startswith("electricity-residual-")
            )
            raise _err(
                f"no residual mix for region {region!r}",
                file,
                el.line_of("region") if "region" in el else el.line,
                "plant.electricity.region",
                "residual mixes (AIB) exist for: " + ", ".join(residual),
            )
    choice = {"grid": "grid", "residual-mix": "residual", "supplier-specific": "supplier-specific"}[supply]
    supply_key = resolve_key(model, "plant_electricity_supply", file, el.line_of("supply"), "plant.electricity.supply")
    out.append(
        ScenarioValue(
            supply_key,
            choice,
            "",
            supply,
            source.strip(),
            Location(file, el.line_of("supply")),
            "plant.electricity.supply",
            note=note,
        )
    )
    region = el.get("region")
    if supply == "supplier-specific" and region is None:
        return out
    key = resolve_key(model, "plant_region", file, el.line_of("region"), "plant.electricity.region")
    param = model.parameters[key]
    if not isinstance(region, str):
        raise _err("missing 'region'", file, el.line, "plant.electricity.region", "one of: " + ", ".join(param.choices))
    check_choice(param, region, file, el.line_of("region"), "plant.electricity.region")
    out.append(
        ScenarioValue(
            key,
            region,
            "",
            region,
            source.strip(),
            Location(file, el.line_of("region")),
            "plant.electricity.region",
            note="plant_region: the grid of every plant of the model (recycling and cathode)",
        )
    )
    return out


def _molar_masses(model: ParameterModel) -> dict[str, float]:
    env = model.evaluate()
    return {
        e: float(env[model.key(f"molar_mass_{e}")])
        for e in ("li", "ni", "co", "mn", "o", "al", "fe", "p", "c", "f", "h")
    }


def _black_mass(raw: Any, file: str, line: int, model: ParameterModel) -> tuple[list[ScenarioValue], dict[str, float]]:
    from ..units import conversion_factor

    bm = _mapping(raw, file, line, "plant.black_mass", "chemistry, unit, assay, source")
    check_keys(bm, ("chemistry", "unit", "assay", "source", "note"), file, "plant.black_mass.")
    chem = bm.get("chemistry")
    if not isinstance(chem, str) or chem not in CAM_FORMULAS:
        raise _err(
            f"unknown chemistry {chem!r}",
            file,
            bm.line_of("chemistry"),
            "plant.black_mass.chemistry",
            "choose one of: " + ", ".join(CAM_FORMULAS),
        )
    source = bm.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _err("missing 'source'", file, bm.line, "plant.black_mass.source", "cite the lab report or document")
    unit = bm.get("unit")
    if not isinstance(unit, str):
        raise _err(
            "missing 'unit' of the assay",
            file,
            bm.line,
            "plant.black_mass.unit",
            "write 'unit: \"%\"' (mass percent) or 'unit: kg/kg' (fractions)",
        )
    try:
        factor = conversion_factor(unit.replace("%", "percent"), "dimensionless")
    except Exception:
        raise _err(
            f"the assay unit must be a mass fraction (%, kg/kg), got '{unit}'",
            file,
            bm.line_of("unit"),
            "plant.black_mass.unit",
        ) from None
    assay_raw = _mapping(bm.get("assay"), file, bm.line_of("assay"), "plant.black_mass.assay", "element: fraction")
    check_keys(assay_raw, ASSAY_ELEMENTS, file, "plant.black_mass.assay.")
    assay: dict[str, float] = {}
    for element, value in assay_raw.items():
        fld, eline = f"plant.black_mass.assay.{element}", assay_raw.line_of(element)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise _err(f"{element} must be a number, got {value!r}", file, eline, fld)
        fraction = float(value) * factor
        if not 0.0 <= fraction <= 1.0:
            raise _err(f"{element} = {value} {unit} is outside [0, 100 %]", file, eline, fld)
        assay[element] = fraction
    total = sum(assay.values())
    if total > 1.0 + 1e-9:
        raise _err(
            f"the assay sums to {100 * total:.4g} %, over 100 %",
            file,
            assay_raw.line,
            "plant.black_mass.assay",
            "check the values and the unit (% or kg/kg)",
        )
    try:
        comp = convert_assay(assay, chem, _molar_masses(model))
    except ParameterError as exc:
        raise _err(exc.message, file, assay_raw.line, "plant.black_mass.assay", exc.hint) from None
    where = Location(file, assay_raw.line)
    fld = "plant.black_mass.assay"
    derived = f"derived from the black-mass assay ({source.strip()}); formula in docs/scenarios.md"
    settings: list[tuple[str, float | str, str]] = [
        ("feed_type", "black-mass", "the plant's feed is the assayed black mass"),
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
            )
        )
    return out, assay


def _energy(
    raw: Any, route: str, file: str, line: int, model: ParameterModel, assay: dict[str, float] | None
) -> Iterator[ScenarioValue]:
    energy = _mapping(raw, file, line, "plant.energy", "electricity, heat")
    check_keys(energy, ("electricity", "heat"), file, "plant.energy.")
    items: list[tuple[str, Any, int, str]] = []
    if "electricity" in energy:
        items.append(("electricity", energy["electricity"], energy.line_of("electricity"), "plant.energy.electricity"))
    if "heat" in energy:
        heat = _mapping(
            energy["heat"], file, energy.line_of("heat"), "plant.energy.heat", "fuel: {value, unit, source}"
        )
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
        raise _err(
            "pyrometallurgical natural gas per kg feed needs plant.black_mass (the model counts it per kg "
            "Cu + Co + Ni of the feed)",
            file,
            line,
            fld,
            "add the black-mass assay",
        )
    metal = assay.get("Cu", 0.0) + assay.get("Co", 0.0) + assay.get("Ni", 0.0)
    if metal <= 0:
        raise _err("the assay has no Cu, Co or Ni to refer the natural gas to", file, line, fld)
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


def _transport(raw: Any, file: str, line: int, model: ParameterModel) -> Iterator[ScenarioValue]:
    from .._yaml import LineList

    if not isinstance(raw, LineList):
        raise _err("'plant.transport' must be a list of legs", file, line, "plant.transport")
    for i, leg in enumerate(raw):
        fld = f"plant.transport[{i}]"
        leg = _mapping(leg, file, raw.line, fld, "leg, mode, distance, source")
        check_keys(leg, ("leg", "mode", "distance", "payload", "load_factor", "source", "note"), file, fld + ".")
        pname = _pick(leg.get("leg"), LEGS, file, leg.line_of("leg"), fld + ".leg", "transport leg")
        mode = leg.get("mode")
        if mode not in MODES:
            raise _err(
                f"unknown mode {mode!r}", file, leg.line_of("mode"), fld + ".mode", "choose one of: " + ", ".join(MODES)
            )
        if mode != "truck":
            raise _err(
                f"transport by {mode} is not yet available for this leg: the model carries its legs by "
                "truck (EverBatt's distance rule)",
                file,
                leg.line_of("mode"),
                fld + ".mode",
                "use mode truck, or add the leg in an inventory file",
            )
        for extra in ("payload", "load_factor"):
            if extra in leg:
                raise _err(
                    f"a per-leg {extra} is not yet available: the truck payloads are shared by every truck "
                    "leg of the model, virgin routes included",
                    file,
                    leg.line_of(extra),
                    f"{fld}.{extra}",
                    "remove it (the EverBatt payloads apply)",
                )
        dist = leg.get("distance")
        entry = dist
        from .._yaml import LineDict

        if isinstance(dist, LineDict) and "source" not in dist and isinstance(leg.get("source"), str):
            entry = LineDict({**dist, "source": leg["source"]})
            entry.line, entry.key_lines = dist.line, dist.key_lines
        yield parse_value(entry, file, leg.line_of("distance"), fld + ".distance", model, pname)
