"""The ``plant.transport`` section of a plant profile: shipments as lists of legs by mode.

A shipment (``preprocessor-to-recovery``, ``recycler-to-cathode``, ...) is carried in legs; each leg
has a ``mode`` (truck, rail, sea, barge), a ``distance`` with its unit (km, mi, ... through pint)
and a source. The legs listed for a shipment replace the shipment's default route: truck legs add
up into its truck distance (EverBatt's truck class rule, HHDT over 100 mi, applies to that sum),
the rail, sea and barge legs into its distance by that mode. A shipment with no truck leg has a
truck distance of 0.

Factors per t·km (GREET 2022 via EverBatt 2023, incl. fuel upstream): ``transport-rail``,
``transport-ocean-tanker`` (loaded trip; the only cited sea-freight factor) and ``transport-barge``.

A truck leg may give its ``payload`` (a mass: t, short_ton, kg): the cited truck factors scale with
1/payload (EverBatt 2023, 'Col&Trans Par.'!C81), and each shipment has its own payload parameters
(``payload_<shipment>_hhdt``, ``_mhdt``, following the model's ``payload_hhdt``/``payload_mhdt``). Legs of
one shipment with different payloads give the distance-weighted harmonic mean, which is exact for a
burden linear in distance / payload; either every truck leg of a shipment gives a payload or none.
A ``load_factor``, and a payload by rail, sea or barge, are refused: the cited factors come with no
load-factor variants to scale them by.

Examples
--------
>>> SHIPMENTS["recycler-to-cathode"]
'recycler_to_cathode'
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..inventory.schema import Location
from .plant_common import err, mapping, one_of, required_text
from .scenario_values import ScenarioValue, as_number, check_keys, convert_quantity, resolve_key

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
    "truck": "the cited truck factors have payload variants, not load factors: give 'payload' (a mass) instead",
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
    payloads: dict[str, list[tuple[float, float | None, int, str]]] = {}  # shipment -> (distance, payload, ...)
    for i, item in enumerate(raw):
        fld = f"plant.transport[{i}]"
        leg = mapping(item, file, raw.line, fld, "leg, mode, distance, source")
        check_keys(leg, LEG_KEYS, file, fld + ".")
        shipment = one_of(leg.get("leg"), list(SHIPMENTS), file, leg.line_of("leg"), fld + ".leg", "transport leg")
        mode = one_of(leg.get("mode"), MODES, file, leg.line_of("mode"), fld + ".mode", "transport mode")
        for extra in ("payload", "load_factor"):
            if extra in leg and not (mode == "truck" and extra == "payload"):
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
        raw_value = as_number(dist["value"])
        if isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool) and raw_value < 0:
            raise err(f"a distance cannot be negative, got {dist['value']} {unit}", file, dist.line, fld + ".distance")
        number, _ = convert_quantity(
            raw_value, unit, param, file, dist.line_of("value"), fld + ".distance", dist.line_of("unit")
        )
        given = f"{dist['value']} {unit} by {mode}"
        sums.setdefault((shipment, mode), []).append((number, given, source, dist.line, fld))
        if mode == "truck":
            payload = _payload(leg, SHIPMENTS[shipment], file, fld, model) if "payload" in leg else None
            payloads.setdefault(shipment, []).append((number, payload, leg.line_of("payload"), fld))
    for shipment in dict.fromkeys(s for s, _ in sums):
        for mode in MODES:
            legs = sums.get((shipment, mode), [])
            key = model.key(distance_parameter(SHIPMENTS[shipment], mode))
            param = model.parameters[key]
            total = sum(n for n, *_ in legs)
            first = next(iter(v for (s, _), v in sums.items() if s == shipment))[0]
            where_line, fld = (legs[0][3], legs[0][4]) if legs else (first[3], first[4])
            if not math.isfinite(total):
                raise err(
                    f"the {mode} legs of {shipment} add up to an infinite distance",
                    file,
                    where_line,
                    f"{fld}.distance",
                    "give each leg's real distance",
                )
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
    for shipment, truck_legs in payloads.items():
        yield from _shipment_payload(shipment, truck_legs, file, model)


def _payload(leg: Any, stem: str, file: str, fld: str, model: ParameterModel) -> float:
    """The payload of one truck leg in the model's unit (short tons)."""
    entry = leg["payload"]
    line = leg.line_of("payload")
    if not isinstance(entry, dict) or "value" not in entry or not isinstance(entry.get("unit"), str):
        raise err(
            "a payload needs {value, unit}", file, line, fld + ".payload", "write e.g. payload: {value: 20, unit: t}"
        )
    param = model.parameters[model.key(f"payload_{stem}_hhdt")]
    number, _ = convert_quantity(entry["value"], entry["unit"], param, file, line, fld + ".payload")
    return number


def _shipment_payload(
    shipment: str, legs: list[tuple[float, float | None, int, str]], file: str, model: ParameterModel
) -> Iterator[ScenarioValue]:
    given = [p for _, p, _, _ in legs if p is not None]
    if not given:
        return
    if len(given) != len(legs):
        _, _, line, fld = next(leg for leg in legs if leg[1] is None)
        raise err(
            f"some truck legs of {shipment} give a payload and others do not",
            file,
            line,
            fld + ".payload",
            "give a payload on every truck leg of the shipment, or on none",
        )
    total = sum(d for d, *_ in legs)
    weighted = sum(d / p for d, p, *_ in legs if p is not None)
    _, _, line, fld = legs[0]
    if not (math.isfinite(total) and math.isfinite(weighted)):
        raise err(
            f"the truck legs of {shipment} overflow: their distance over payload is infinite",
            file,
            line,
            fld + ".payload",
            "give each leg's real distance and payload",
        )
    payload = total / weighted if weighted > 0 else given[0]
    note = "distance-weighted harmonic mean of the legs' payloads" if len(legs) > 1 else "the leg's payload"
    for cls in ("hhdt", "mhdt"):  # the truck class follows from the shipment's distance
        key = model.key(f"payload_{SHIPMENTS[shipment]}_{cls}")
        yield ScenarioValue(
            key,
            payload,
            model.parameters[key].unit,
            f"{payload:.6g} short_ton",
            "truck legs of the plant profile",
            Location(file, line),
            f"{fld}.payload",
            note=f"{shipment}: {note}",
        )
