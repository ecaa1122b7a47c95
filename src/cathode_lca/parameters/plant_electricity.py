"""The ``plant.electricity`` section of a plant profile: one supply and one region per plant.

Each plant of the model has its own electricity selector (``electricity-recycler``,
``electricity-cam-plant``, ``electricity-refinery-<site>`` in ``inventories/background/electricity.yaml``)
driven by its own choice parameters ``<plant>_region`` and ``<plant>_electricity_supply``. The
refiners' region defaults to ``as-cited`` (the grid each source names) and follows no shortcut. These *follow* the global
shortcuts ``plant_region`` and ``plant_electricity_supply`` unless they are set, so a plant's own
setting wins over the shortcut. A supplier-specific supply sets the plant's own factors
``<plant>_supplier_electricity_*``: a PPA of the recycler leaves the cathode plants, and so the
virgin route, unchanged.

The section is either one supply (it applies to the plant the profile describes, the recycler)::

    electricity: {supply: grid, region: DE, source: "..."}

or one supply per plant::

    electricity:
      recycler: {supply: supplier-specific, factor: {...}, contract: {...}, source: "..."}
      cam_plant: {supply: grid, region: DE, source: "..."}

Examples
--------
>>> sorted(PLANTS)
['cam_plant', 'recycler', 'refinery']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..inventory.schema import Location
from .plant_common import err, mapping, one_of, required_text
from .scenario_values import ScenarioValue, boolean_choice, check_choice, check_keys, parse_value, resolve_key

if TYPE_CHECKING:
    from .engine import ParameterModel

# key in the plant file -> parameter prefix and what the plant is
PLANTS: dict[str, tuple[str, str]] = {
    "recycler": ("recycler", "the recycling plant (pre-processing and recovery)"),
    "cam_plant": ("cam_plant", "the pCAM/CAM plants (virgin and recycled routes)"),
    "refinery": ("refinery", "the refiners of the virgin route (salt production; region 'as-cited' by default)"),
}
DESCRIBED = "recycler"  # the plant a profile describes: a single supply applies to it
SUPPLIES = ("grid", "residual-mix", "supplier-specific")
SUPPLY_CHOICE = {"grid": "grid", "residual-mix": "residual", "supplier-specific": "supplier-specific"}
CONTRACT_KEYS = ("type", "period", "certificate")
SUPPLIER_FACTORS = (
    ("factor", "supplier_electricity_ghg"),
    ("energy_fossil", "supplier_electricity_energy_fossil"),
    ("energy_non_fossil", "supplier_electricity_energy_non_fossil"),
    ("water", "supplier_electricity_water"),
)
SUPPLY_KEYS = ("supply", "region", "contract", "source", "note", *(k for k, _ in SUPPLIER_FACTORS))


def electricity_values(raw: Any, file: str, line: int, model: ParameterModel) -> list[ScenarioValue]:
    """Parameter values of ``plant.electricity`` (one supply, or one per plant)."""
    el = mapping(raw, file, line, "plant.electricity", "supply, region or factor and contract, source")
    if any(k in SUPPLY_KEYS for k in el) or not el:
        return _supply(el, DESCRIBED, file, "plant.electricity", model)
    out: list[ScenarioValue] = []
    for name, entry in el.items():
        fld = f"plant.electricity.{name}"
        one_of(name, list(PLANTS), file, el.line_of(name), fld, "plant")
        plant = mapping(entry, file, el.line_of(name), fld, "supply, region or factor and contract, source")
        out.extend(_supply(plant, name, file, fld, model))
    return out


def _supply(el: Any, plant: str, file: str, fld: str, model: ParameterModel) -> list[ScenarioValue]:
    prefix, what = PLANTS[plant]
    check_keys(el, SUPPLY_KEYS, file, fld + ".")
    supply = one_of(el.get("supply"), SUPPLIES, file, el.line_of("supply"), fld + ".supply", "electricity supply")
    source = required_text(el, "source", file, fld, "cite the contract or grid data")
    out: list[ScenarioValue] = []
    note = f"{prefix}_electricity_supply: the supply of {what}"
    if supply == "supplier-specific":
        contract = mapping(
            el.get("contract"), file, el.line_of("contract"), fld + ".contract", "type, period, certificate"
        )
        check_keys(contract, CONTRACT_KEYS, file, fld + ".contract.")
        for k in CONTRACT_KEYS:
            required_text(
                contract,
                k,
                file,
                fld + ".contract",
                "give type (e.g. PPA), period (e.g. 2024-2030) and certificate (e.g. GO registry id)",
            )
        if "factor" not in el:
            raise err("missing 'factor' (emission factor of the contracted supply)", file, el.line, fld + ".factor")
        given = []
        for k, pname in SUPPLIER_FACTORS:
            if k in el:
                out.append(parse_value(el[k], file, el.line_of(k), f"{fld}.{k}", model, f"{prefix}_{pname}"))
                given.append(k)
        kept = [k for k, _ in SUPPLIER_FACTORS if k not in given]
        note = f"{what}: contract {contract['type']}, {contract['period']}, certificate {contract['certificate']}" + (
            f"; {', '.join(kept)} of the supplied power: shipped defaults of electricity-supplier-specific"
            if kept
            else ""
        )
    elif supply == "residual-mix":
        region = el.get("region")
        region_key = resolve_key(model, f"{prefix}_region", file, el.line_of("region"), fld + ".region")
        boolean_choice(region, model.parameters[region_key], file, el.line_of("region"), fld + ".region")
        if not isinstance(region, str) or f"electricity-residual-{region.lower()}" not in model.inventory.datasets:
            residual = sorted(
                d[len("electricity-residual-") :].upper()
                for d in model.inventory.datasets
                if d.startswith("electricity-residual-")
            )
            raise err(
                f"no residual mix for region {region!r}",
                file,
                el.line_of("region"),
                fld + ".region",
                "residual mixes (AIB) exist for: " + ", ".join(residual),
            )
    supply_key = resolve_key(model, f"{prefix}_electricity_supply", file, el.line_of("supply"), fld + ".supply")
    out.append(
        ScenarioValue(
            supply_key,
            SUPPLY_CHOICE[supply],
            "",
            supply,
            source,
            Location(file, el.line_of("supply")),
            fld + ".supply",
            note=note,
        )
    )
    region = el.get("region")
    if supply == "supplier-specific" and region is None:
        return out
    key = resolve_key(model, f"{prefix}_region", file, el.line_of("region"), fld + ".region")
    param = model.parameters[key]
    boolean_choice(region, param, file, el.line_of("region"), fld + ".region")
    if not isinstance(region, str):
        raise err("missing 'region'", file, el.line, fld + ".region", "one of: " + ", ".join(param.choices))
    check_choice(param, region, file, el.line_of("region"), fld + ".region")
    out.append(
        ScenarioValue(
            key,
            region,
            "",
            region,
            source,
            Location(file, el.line_of("region")),
            fld + ".region",
            note=f"{prefix}_region: the grid region of {what}",
        )
    )
    return out
