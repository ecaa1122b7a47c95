"""Declared limits of an inventory: parameter bounds and element-balance settings.

Parameter bounds: ``min``, ``max`` and ``kind: fraction``.

``kind: fraction`` means [0, 1]; ``min``/``max`` beside it may narrow that range. The
loader calls :func:`resolve_bounds` once per parameter; the parameter engine
(:class:`cathode_lca.parameters.engine.ParameterModel`) enforces the bounds on every value.

Examples
--------
>>> from cathode_lca.inventory.schema import ParameterSpec, Location
>>> def fail(message, hint):
...     raise ValueError(message)
>>> resolve_bounds(ParameterSpec(value=0.9, kind="fraction", source="s"), "value", {}, Location("f", 1), fail)
(0.0, 1.0, Location(file='f', line=1))
"""

from __future__ import annotations

import math
from typing import Any

from .._yaml import LineDict
from .schema import ELEMENTS, Location, ParameterSpec

BALANCE_FORM = "'check', 'skip: <reason>' or a mapping with 'tolerance' + 'reason' and/or 'known'"


def resolve_bounds(
    spec: ParameterSpec, kind: str, raw: Any, where: Location, fail: Any
) -> tuple[float | None, float | None, Location | None]:
    """Resolved bounds of a parameter (``kind: fraction`` is [0, 1]; min/max may narrow it)."""
    lo, hi = spec.min, spec.max
    if lo is None and hi is None and spec.kind is None:
        return None, None, None
    if kind == "choice":
        fail("a choice parameter cannot have bounds", "remove min, max and kind")
    for name, bound in (("min", lo), ("max", hi)):
        if bound is not None and not math.isfinite(bound):
            fail(f"'{name}' must be a finite number", "give a number or leave the side unbounded")
    if spec.kind == "fraction":
        if (lo is not None and lo < 0) or (hi is not None and hi > 1):
            fail("a fraction's min and max must lie in [0, 1]", "drop them, or narrow the range inside [0, 1]")
        lo = 0.0 if lo is None else lo
        hi = 1.0 if hi is None else hi
    if lo is not None and hi is not None and lo > hi:
        fail(f"min {lo:g} is larger than max {hi:g}", "swap them")
    key = next((k for k in ("kind", "min", "max") if isinstance(raw, LineDict) and k in raw), None)
    bounds_where = Location(where.file, raw.line_of(key)) if key else where
    text = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
    values = [spec.value] if spec.value is not None else list((spec.values or {}).values())
    for value in values:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            fail(f"value {value:g} is outside the declared bounds {text}", "correct the value or the bounds")
    return lo, hi, bounds_where


def parse_element_balance(value: Any, fail: Any) -> tuple[str | None, float | None, str | None, dict[str, str]]:
    """(mode, tolerance, tolerance reason, known imbalances) of a dataset's ``element_balance``.

    Forms: ``check``; ``skip: <reason>`` (text or mapping); or a mapping with a relative
    ``tolerance`` and its ``reason`` (e.g. the rounding of the source data) and/or ``known``:
    ``{element: documented reason}`` for an imbalance that is reported, not hidden.
    """
    if value is None:
        return None, None, None, {}
    if isinstance(value, str):
        if value != "check" and not value.startswith("skip:"):
            fail(f"element_balance must be {BALANCE_FORM}", "give the reason for skipping")
        return value, None, None, {}
    if not isinstance(value, dict):
        fail(f"element_balance must be {BALANCE_FORM}", "see docs/inventory-format.md")
    if "skip" in value:
        if set(value) != {"skip"} or not str(value["skip"]).strip():
            fail(f"element_balance must be {BALANCE_FORM}", "give the reason for skipping, and nothing else")
        return f"skip: {value['skip']}", None, None, {}
    unknown = set(value) - {"tolerance", "reason", "known"}
    if unknown or not value:
        fail(f"unknown element_balance keys {sorted(unknown)}", f"use {BALANCE_FORM}")
    tolerance = value.get("tolerance")
    reason = value.get("reason")
    if tolerance is not None:
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 < tolerance < 0.01:
            fail("element_balance tolerance must be a relative number above 0 and below 0.01", "e.g. 5.0e-4")
        if not reason or not str(reason).strip():
            fail("an element_balance tolerance needs a 'reason'", "say why the balance cannot close tighter")
    known = value.get("known") or {}
    if not isinstance(known, dict) or any(el not in ELEMENTS or not str(r).strip() for el, r in known.items()):
        fail("element_balance 'known' maps an element (Ni, Co, Li, Mn) to the documented reason", "see docs")
    return "check", (float(tolerance) if tolerance is not None else None), reason, {k: str(v) for k, v in known.items()}
