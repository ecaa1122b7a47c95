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

    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _EXTRA_DEFINITIONS:
        ureg.define(line)
    return ureg


def _normalise(unit: str) -> str:
    text = unit.strip()
    if text in ("", "-", "1", "unitless", "dimensionless", "unit", "item", "p"):
        return "dimensionless"
    text = text.replace("t*km", "tonne*kilometer")
    return _POWER.sub(r"\1**\2", text)


# Units common in inventories, as (base dimension, factor to the base unit). They let inventories
# load without building pint's registry (about 1 s). Every entry is checked against pint in
# tests/test_units.py; anything not listed here is handled by pint itself.
_ATOMS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0),
    "g": ("mass", 1e-3),
    "mg": ("mass", 1e-6),
    "t": ("mass", 1e3),
    "tonne": ("mass", 1e3),
    "short_ton": ("mass", 907.18474),
    "J": ("energy", 1.0),
    "kJ": ("energy", 1e3),
    "MJ": ("energy", 1e6),
    "GJ": ("energy", 1e9),
    "Wh": ("energy", 3600.0),
    "kWh": ("energy", 3.6e6),
    "TWh": ("energy", 3.6e15),
    "MWh": ("energy", 3.6e9),
    "L": ("volume", 1e-3),
    "l": ("volume", 1e-3),
    "mL": ("volume", 1e-6),
    "m3": ("volume", 1.0),
    "dm3": ("volume", 1e-3),
    "gal": ("volume", 3.785411784e-3),
    "m": ("length", 1.0),
    "km": ("length", 1e3),
    "mi": ("length", 1609.344),
    "mol": ("substance", 1.0),
    "kmol": ("substance", 1e3),
    "USD": ("currency", 1.0),
    "EUR": ("currency_eur", 1.0),
    "tkm": ("mass*length", 1e6),
}
_FAST_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _fast(unit: str) -> tuple[tuple[tuple[str, int], ...], float] | None:
    """(dimension signature, factor) for products/quotients of known atoms, or None."""
    text = unit.strip()
    if text in ("", "-", "1", "unitless", "dimensionless", "unit", "item", "p"):
        return (), 1.0
    if text in ("percent", "%"):  # generation shares and grid losses
        return (), 0.01
    text = re.sub(r"/\(([^()]*)\)", lambda m: "/" + m.group(1).replace("*", "/"), text)
    if "(" in text or ")" in text or "**" in text or "^" in text:
        return None
    dims: dict[str, int] = {}
    factor = 1.0
    for i, part in enumerate(text.split("/")):
        for atom in part.split("*"):
            atom = atom.strip()
            if atom not in _ATOMS:
                return None
            name, f = _ATOMS[atom]
            sign = 1 if i == 0 else -1
            for base in name.split("*"):
                dims[base] = dims.get(base, 0) + sign
            factor = factor * f if sign > 0 else factor / f
    return tuple(sorted((k, v) for k, v in dims.items() if v)), factor


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> Any:
    """Parse *unit* (fast path for common units, else pint); raise :class:`UnitError` when unknown."""
    fast = _fast(unit)
    if fast is not None:
        return fast
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
    if isinstance(source, tuple) and isinstance(target, tuple):
        if source[0] != target[0]:
            raise UnitError(
                f"cannot convert '{from_unit}' to '{to_unit}' ({_describe(source[0])} vs {_describe(target[0])})",
                hint=f"express the amount in a unit compatible with '{to_unit}'",
            )
        return source[1] / target[1]
    source = _pint_unit(from_unit, source)
    target = _pint_unit(to_unit, target)
    ureg = registry()
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except Exception:
        raise UnitError(
            f"cannot convert '{from_unit}' to '{to_unit}' ({source.dimensionality} vs {target.dimensionality})",
            hint=f"express the amount in a unit compatible with '{to_unit}'",
        ) from None


def _describe(signature: tuple[tuple[str, int], ...]) -> str:
    if not signature:
        return "dimensionless"
    return " * ".join(name if power == 1 else f"{name}^{power}" for name, power in signature)


def _pint_unit(text: str, parsed: Any) -> Any:
    return registry().parse_units(_normalise(text)) if isinstance(parsed, tuple) else parsed


def is_mass(unit: str) -> bool:
    """True when *unit* is a mass unit."""
    parsed = parse_unit(unit)
    if isinstance(parsed, tuple):
        return parsed[0] == (("mass", 1),)
    return parsed.dimensionality == registry().kilogram.dimensionality
