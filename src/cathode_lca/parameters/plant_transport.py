"""The ``plant.transport`` section of a plant profile: shipments as lists of legs by mode.

A shipment (``preprocessor-to-recovery``, ``recycler-to-cathode``, ...) is carried in legs; each leg
has a ``mode`` (truck, rail, sea, barge), a ``distance`` with its unit (km, mi, ... through pint)
and a source. The legs listed for a shipment replace the shipment's default route: truck legs add
up into its truck distance (EverBatt's truck class rule, HHDT over 100 mi, applies to that sum),
the rail, sea and barge legs into its distance by that mode. A shipment with no truck leg has a
truck distance of 0.

Factors per t·km (GREET 2022 via EverBatt 2023, incl. fuel upstream): ``transport-rail``,
``transport-ocean-tanker`` (loaded trip; the only cited sea-freight factor) and ``transport-barge``.

Payloads and load factors are refused per leg: the truck payloads (``payload_hhdt``,
``payload_mhdt``) are shared by every truck leg of the model, the virgin-route proxies included,
and the cited rail, sea and barge factors come with no load-factor variants to scale them by.

Examples
--------
>>> SHIPMENTS["recycler-to-cathode"]
'recycler_to_cathode'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..inventory.schema import Location
from .plant_common import err, mapping, one_of, required_text
from .scenario_values import ScenarioValue, check_keys, convert_quantity, resolve_key

if TYPE_CHECKING:
    from .engine import ParameterModel

# shipment in the plant file -> stem of its distance parameters (dist_<stem>_mi, dist_<stem>_<mode>_km)
SHIPMENTS = {
    "collection-to-disassembly": "collection_to_disassembly",
    "disassembly-to-preprocessor": "disassembly_to_preprocessor",
    "preprocessor-to-recovery": "preprocessor_to_recovery",
    "scrap-to-recycler": "scrap_to_recycler",
    "recycler-to-cathode": "recycler_to_cathode",
}
MODES = ("truck", "rail", "sea", "barge")
LEG_KEYS = ("leg", "mode", "distance", "payload", "load_factor", "source", "note")
NO_LOAD_FACTOR = {
    "truck": "the truck payloads (payload_hhdt, payload_mhdt) are shared by every truck leg of the model, the "
    "virgin-route proxies included, so one leg cannot have its own",
    "rail": "the cited rail factor (GREET 2022 via EverBatt 2023) has no load-factor variants to scale it by",
    "sea": "the cited ocean-tanker factor (GREET 2022 via EverBatt 2023) has no load-factor variants to scale it by",
    "barge": "the cited barge factor (GREET 2022 via EverBatt 2023) has no load-factor variants to scale it by",
}


def distance_parameter(stem: str, mode: str) -> str:
    """Name of the parameter holding the distance of shipment *stem* by *mode*."""
    return f"dist_{stem}_mi" if mode == "truck" else f"dist_{stem}_{mode}_km"


def transport_values(raw: Any, file: str, line: int, model: ParameterModel) -> Iterator[ScenarioValue]:
    """One value per (shipment, mode) of the shipments the legs mention, distances summed per mode."""
    from .._yaml import LineList

    if not isinstance(raw, LineList):
        raise err("'plant.transport' must be a list of legs", file, line, "plant.transport")
    sums: dict[tuple[str, str], list[tuple[float, str, str, int, str]]] = {}
    for i, item in enumerate(raw):
        fld = f"plant.transport[{i}]"
        leg = mapping(item, file, raw.line, fld, "leg, mode, distance, source")
        check_keys(leg, LEG_KEYS, file, fld + ".")
        shipment = one_of(leg.get("leg"), list(SHIPMENTS), file, leg.line_of("leg"), fld + ".leg", "transport leg")
        mode = one_of(leg.get("mode"), MODES, file, leg.line_of("mode"), fld + ".mode", "transport mode")
        for extra in ("payload", "load_factor"):
            if extra in leg:
                raise err(
                    f"a per-leg {extra} is not available for {mode}: {NO_LOAD_FACTOR[mode]}",
                    file,
                    leg.line_of(extra),
                    f"{fld}.{extra}",
                    f"remove '{extra}' (the cited factor's own load applies)",
                )
        dist = mapping(leg.get("distance"), file, leg.line_of("distance"), fld + ".distance", "value, unit")
        check_keys(dist, ("value", "unit", "source", "note"), file, fld + ".distance.")
        if "source" in dist:
            source = required_text(dist, "source", file, fld + ".distance", "cite where the distance comes from")
        else:
            source = required_text(leg, "source", file, fld, "cite where the distance comes from")
        if "value" not in dist:
            raise err("missing 'value'", file, dist.line, fld + ".distance.value")
        unit = dist.get("unit")
        if unit is not None and not isinstance(unit, str):
            raise err("'unit' must be text", file, dist.line_of("unit"), fld + ".distance.unit")
        pname = distance_parameter(SHIPMENTS[shipment], mode)
        key = resolve_key(model, pname, file, leg.line_of("distance"), fld + ".distance")
        param = model.parameters[key]
        if unit is None:  # a distance always needs its unit, even one given in the parameter's own
            raise err(
                f"missing unit of the distance (the model keeps {pname} in {param.unit})",
                file,
                dist.line,
                fld + ".distance.unit",
                "add e.g. 'unit: km' or 'unit: mi'",
            )
        number, _ = convert_quantity(
            dist["value"], unit, param, file, dist.line_of("value"), fld + ".distance", dist.line_of("unit")
        )
        if number < 0:
            raise err(f"a distance cannot be negative, got {dist['value']} {unit}", file, dist.line, fld + ".distance")
        given = f"{dist['value']} {unit} by {mode}"
        sums.setdefault((shipment, mode), []).append((number, given, source, dist.line, fld))
    for shipment in dict.fromkeys(s for s, _ in sums):
        for mode in MODES:
            legs = sums.get((shipment, mode), [])
            key = model.key(distance_parameter(SHIPMENTS[shipment], mode))
            param = model.parameters[key]
            total = sum(n for n, *_ in legs)
            first = next(iter(v for (s, _), v in sums.items() if s == shipment))[0]
            where_line, fld = (legs[0][3], legs[0][4]) if legs else (first[3], first[4])
            yield ScenarioValue(
                key,
                total,
                param.unit,
                " + ".join(g for _, g, *_ in legs) if legs else f"no {mode} leg",
                "; ".join(dict.fromkeys(s for _, _, s, *_ in legs)) if legs else "the legs listed replace the default",
                Location(file, where_line),
                f"{fld}.distance",
                note=f"{shipment} by {mode}: sum of {len(legs)} leg(s)"
                if legs
                else f"{shipment}: no {mode} leg listed",
            )
