"""Unit handling through pint, with a small cache so each unit pair is parsed once.

The registry is created lazily: importing this module does not import pint.

Examples
--------
>>> conversion_factor("g", "kg")
0.001
>>> round(conversion_factor("MJ", "kWh"), 6)
0.277778
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .errors import UnitError

_POWER = re.compile(r"\b(m|cm|dm|mm|km)([23])\b")  # m3 -> m**3, km2 -> km**2
_EXTRA_DEFINITIONS = (
    "USD = [currency]",
    "EUR = [currency_eur]",
    "tkm = tonne * kilometer",
    "kg_CO2_eq = kilogram",
)


@lru_cache(maxsize=1)
def registry() -> Any:
    """Return the shared pint registry (created on first use)."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _EXTRA_DEFINITIONS:
        ureg.define(line)
    return ureg


def _normalise(unit: str) -> str:
    text = unit.strip()
    if text in ("", "-", "1", "unitless", "dimensionless", "unit", "item", "p"):
        return "dimensionless"
    text = text.replace("t*km", "tonne*kilometer")
    return _POWER.sub(r"\1**\2", text)


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> Any:
    """Parse *unit* into a pint Unit; raise :class:`UnitError` when unknown."""
    ureg = registry()
    try:
        return ureg.parse_units(_normalise(unit))
    except Exception as exc:  # pint raises several exception types
        raise UnitError(
            f"unknown unit '{unit}' ({exc.__class__.__name__})",
            hint="use a pint unit such as kg, g, MJ, kWh, L, gal, t*km, USD",
        ) from None


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Factor that converts an amount in *from_unit* into *to_unit*.

    Raises :class:`UnitError` when the dimensions differ.
    """
    if from_unit == to_unit:
        return 1.0
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    ureg = registry()
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except Exception:
        raise UnitError(
            f"cannot convert '{from_unit}' to '{to_unit}' ({source.dimensionality} vs {target.dimensionality})",
            hint=f"express the amount in a unit compatible with '{to_unit}'",
        ) from None


def is_mass(unit: str) -> bool:
    """True when *unit* is a mass unit."""
    return parse_unit(unit).dimensionality == registry().kilogram.dimensionality
