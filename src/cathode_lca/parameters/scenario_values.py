"""Checked scenario values: one ``{value, unit, source, quality?, distribution?}`` entry at a time.

Shared by the scenario loader (:mod:`cathode_lca.parameters.scenarios`) and the plant section
(:mod:`cathode_lca.parameters.plant`). Units go through pint and are converted to the parameter's
declared unit; bounds are read defensively from the parameter.

Examples
--------
>>> split_quantity("500km")
(500.0, 'km')
>>> split_quantity("0.95")
(0.95, None)
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError, UnitError
from ..inventory.schema import Location, Parameter

if TYPE_CHECKING:
    from .engine import ParameterModel

VALUE_KEYS = ("value", "unit", "source", "quality", "distribution", "note")
QUALITY_KEYS = ("reliability", "completeness", "temporal", "geographical", "technological")
_DISTRIBUTION_TYPES = ("lognormal", "normal", "triangular", "uniform")
DISTRIBUTION_KEYS = ("type", "loc", "scale", "minimum", "maximum", "gsd2", "source", "note")
# a decimal number in scientific notation that YAML 1.1 leaves as text: 1e3, 1.5e3, 2.5E2 (YAML 1.2 reads
# them as numbers, and so does every user); nothing else (no nan, inf, hex, underscores or units)
_SCIENTIFIC = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%µ][A-Za-z0-9_*/^.%µ ]*)?\s*$")


class ScenarioError(ParameterError):
    """A defect in a scenario or plant file (located by file, line and field)."""


@dataclass(frozen=True)
class ScenarioValue:
    """One parameter value set by a scenario, already in the parameter's declared unit."""

    key: str  # qualified parameter key
    value: float | str
    unit: str  # declared unit of the parameter (what *value* is in)
    given: str  # the value as written, with its unit (e.g. "500 km")
    source: str
    where: Location
    field: str  # e.g. "parameters.transport_distance" or "plant.black_mass.assay"
    quality: dict[str, int] | None = None
    distribution: dict[str, Any] | None = None
    note: str | None = None
    exact: bool = False  # a definition (e.g. bm_per_feed = 1 for an assayed feed): never varied

    def provenance(self, scenario: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "unit": self.unit,
            "given": self.given,
            "source": self.source,
            "origin": f"scenario {scenario} ({self.where.file}:{self.where.line}, {self.field})",
        }
        if self.note:
            out["note"] = self.note
        if self.quality:
            out["quality"] = self.quality
        return out


def as_number(value: Any) -> Any:
    """*value* as a float when it is a number written in scientific notation that YAML 1.1 left as text.

    ``1e3`` and ``1.5e3`` (no dot, or no sign in the exponent) are text to YAML 1.1 but numbers to
    the user; any other value is returned unchanged for the caller's checks (a bool stays a bool).

    Examples
    --------
    >>> as_number("1e3"), as_number("2.5E-2"), as_number("nan"), as_number(True)
    (1000.0, 0.025, 'nan', True)
    """
    if isinstance(value, str) and _SCIENTIFIC.match(value.strip()):
        return float(value)
    return value


def boolean_choice(value: Any, param: Parameter, file: str | None, line: int | None, fld: str) -> None:
    """Refuse a choice that YAML 1.1 read as a boolean (``NO`` for Norway, ``on``, ``y``) with a hint to quote it."""
    if isinstance(value, bool):
        close = [c for c in param.choices if c.lower() in ("no", "n", "off", "yes", "y", "on", "false", "true")]
        example = close[0] if close else str(value).lower()
        raise ScenarioError(
            f"the value of '{param.name}' was read as a boolean ({value}): YAML reads NO, no, off, yes, on, y "
            "and n as true/false",
            file=file,
            line=line,
            field=fld,
            hint=f'write the choice in quotes, e.g. "{example}" (Norway is "NO")',
        )


def check_keys(mapping: Mapping[str, Any], allowed: Sequence[str], file: str, prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            line = mapping.line_of(key) if hasattr(mapping, "line_of") else None
            raise ScenarioError(f"unknown key '{key}'", file=file, line=line, field=prefix + str(key), hint=hint)


def resolve_key(model: ParameterModel, name: str, file: str, line: int, fld: str) -> str:
    """Qualified key of parameter *name*; an unknown name gets a did-you-mean hint."""
    try:
        return model.key(name)
    except ParameterError as exc:
        raise ScenarioError(exc.message, file=file, line=line, field=fld, hint=exc.hint) from None


def parse_value(entry: Any, file: str, line: int, fld: str, model: ParameterModel, name: str) -> ScenarioValue:
    """Check one ``{value, unit, source, quality?, distribution?}`` entry for parameter *name*."""
    from .._yaml import LineDict

    key = resolve_key(model, name, file, line, fld)
    param: Parameter = model.parameters[key]
    if not isinstance(entry, LineDict):
        raise ScenarioError(
            "each parameter needs a mapping {value, unit, source}",
            file=file,
            line=line,
            field=fld,
            hint=f'write e.g. {name}: {{value: 1.0, unit: {param.unit}, source: "document, table"}}',
        )
    check_keys(entry, VALUE_KEYS, file, fld + ".")
    eline = entry.line
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ScenarioError(
            "missing 'source'",
            file=file,
            line=eline,
            field=fld + ".source",
            hint="cite the document and table/page/cell, or say 'illustrative value'",
        )
    if "value" not in entry:
        raise ScenarioError("missing 'value'", file=file, line=eline, field=fld + ".value")
    value, unit = entry["value"], entry.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise ScenarioError("'unit' must be text", file=file, line=entry.line_of("unit"), field=fld + ".unit")
    note = entry.get("note")
    quality = _quality(entry.get("quality"), file, entry.line_of("quality"), fld + ".quality")
    if param.kind == "choice":
        boolean_choice(value, param, file, entry.line_of("value"), fld + ".value")
        if not isinstance(value, str):
            raise ScenarioError(
                f"'{name}' is a choice; give one of: " + ", ".join(param.choices),
                file=file,
                line=entry.line_of("value"),
                field=fld + ".value",
            )
        check_choice(param, value, file, entry.line_of("value"), fld + ".value")
        if "distribution" in entry:
            raise ScenarioError(
                "a choice parameter has no distribution", file=file, line=entry.line_of("distribution"), field=fld
            )
        return ScenarioValue(key, value, "", value, source.strip(), Location(file, eline), fld, quality, None, note)
    number, factor = convert_quantity(
        value, unit, param, file, entry.line_of("value"), fld, entry.line_of("unit") if unit is not None else eline
    )
    dist = None
    if "distribution" in entry:
        dline = entry.line_of("distribution")
        if getattr(param, "exact", False):
            raise ScenarioError(
                f"'{name}' is an exact constant: it is never varied, so it takes no distribution",
                file=file,
                line=dline,
                field=fld + ".distribution",
                hint="remove the distribution (the value may still be set)",
            )
        dist = _distribution(entry["distribution"], factor, number, file, dline, fld)
        _fits_bounds(dist, param, file, dline, fld + ".distribution")
    given = f"{value} {unit}" if unit else f"{value}"
    return ScenarioValue(
        key, number, param.unit, given, source.strip(), Location(file, eline), fld, quality, dist, note
    )


def check_choice(param: Parameter, value: str, file: str | None, line: int | None, fld: str) -> None:
    if value not in param.choices:
        close = difflib.get_close_matches(value, list(param.choices), n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(param.choices)
        raise ScenarioError(f"'{value}' is not a choice of '{param.name}'", file=file, line=line, field=fld, hint=hint)


def _is_dimensionless(unit: str) -> bool:
    from ..units import conversion_factor

    try:
        conversion_factor(unit, "dimensionless")
    except UnitError:
        return False
    return True


def _pint_text(unit: str) -> str:
    return unit.replace("%", "percent").strip()


def convert_quantity(
    value: Any,
    unit: str | None,
    param: Parameter,
    file: str | None,
    line: int | None,
    fld: str,
    unit_line: int | None = None,
) -> tuple[float, float]:
    """(value in the parameter's declared unit, conversion factor); checks type, finiteness, unit and bounds."""
    from ..units import conversion_factor

    unit_line = unit_line or line
    value = as_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(
            f"value must be a number, got {value!r}", file=file, line=line, field=fld + ".value", hint="give a number"
        )
    if not math.isfinite(float(value)):
        raise ScenarioError(
            "value is NaN or infinite", file=file, line=line, field=fld + ".value", hint="give a finite number"
        )
    declared = param.unit or "dimensionless"
    if unit is None or not str(unit).strip():
        if not _is_dimensionless(declared):
            raise ScenarioError(
                f"missing unit: '{param.name}' is in {declared}",
                file=file,
                line=unit_line,
                field=fld + ".unit",
                hint=f"add 'unit: {declared}' (or any unit convertible to it)",
            )
        factor = 1.0
    else:
        try:
            factor = conversion_factor(_pint_text(unit), declared)
        except UnitError as exc:
            raise ScenarioError(
                f"wrong unit for '{param.name}': {exc.message}",
                file=file,
                line=unit_line,
                field=fld + ".unit",
                hint=f"give a unit convertible to {declared}",
            ) from None
    number = float(value) * factor
    if not math.isfinite(number):
        raise ScenarioError(
            f"{value} {unit} is infinite in {declared}, the unit of '{param.name}'",
            file=file,
            line=line,
            field=fld + ".value",
            hint="give a finite number",
        )
    check_bounds(param, number, file, line, fld + ".value")
    return number, factor


def check_bounds(param: Parameter, number: float, file: str | None, line: int | None, fld: str) -> None:
    """Refuse a value outside the parameter's bounds (read defensively: bounds may not be declared)."""
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if getattr(param, "kind", None) == "fraction":
        lo, hi = 0.0 if lo is None else lo, 1.0 if hi is None else hi
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise ScenarioError(
            f"value {number:g} {param.unit} of '{param.name}' is out of bounds "
            f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]",
            file=file,
            line=line,
            field=fld,
            hint="check the value and its unit",
        )


def _fits_bounds(dist: dict[str, Any], param: Parameter, file: str, line: int, fld: str) -> None:
    """Refuse, where it is written, a distribution that the parameter's bounds cannot hold (as the engine would)."""
    from ..inventory.distributions import fit_to_bounds

    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if getattr(param, "kind", None) == "fraction":
        lo, hi = 0.0 if lo is None else lo, 1.0 if hi is None else hi
    try:
        fit_to_bounds(dist, lo, hi)
    except ParameterError as exc:
        raise ScenarioError(exc.message, file=file, line=line, field=fld, hint=exc.hint) from None


def _quality(raw: Any, file: str, line: int, fld: str) -> dict[str, int] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ScenarioError("'quality' must be a mapping of pedigree scores", file=file, line=line, field=fld)
    check_keys(raw, QUALITY_KEYS, file, fld + ".")
    out: dict[str, int] = {}
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
            raise ScenarioError(f"'{k}' must be an integer 1-5, got {v!r}", file=file, line=line, field=f"{fld}.{k}")
        out[k] = v
    return out


def _distribution(raw: Any, factor: float, value: float, file: str, line: int, fld: str) -> dict[str, Any]:
    from ..inventory.distributions import check_distribution

    if not isinstance(raw, dict):
        raise ScenarioError("'distribution' must be a mapping", file=file, line=line, field=fld + ".distribution")
    check_keys(raw, DISTRIBUTION_KEYS, file, fld + ".distribution.")
    dist = dict(raw)
    if dist.get("type") not in _DISTRIBUTION_TYPES:
        raise ScenarioError(
            f"unknown distribution type {dist.get('type')!r}",
            file=file,
            line=line,
            field=fld + ".distribution.type",
            hint="choose one of: " + ", ".join(_DISTRIBUTION_TYPES),
        )
    for k in ("loc", "scale", "minimum", "maximum", "gsd2"):
        if k in dist:
            dist[k] = as_number(dist[k])
        v = dist.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise ScenarioError(f"'{k}' must be a finite number", file=file, line=line, field=f"{fld}.distribution.{k}")
    for k in ("minimum", "maximum"):
        if dist.get(k) is not None:
            dist[k] = float(dist[k]) * factor
    if dist.get("type") == "lognormal":
        if dist.get("loc") is not None:
            dist["loc"] = float(dist["loc"]) + math.log(factor)
    else:
        for k in ("loc", "scale"):
            if dist.get(k) is not None:
                dist[k] = float(dist[k]) * factor
    try:
        return check_distribution(dist, value)
    except ParameterError as exc:
        raise ScenarioError(exc.message, file=file, line=line, field=fld + ".distribution", hint=exc.hint) from None


# ---------------------------------------------------------------------------
# --param NAME=VALUE with units


def split_quantity(text: str) -> tuple[float, str | None] | None:
    """``"500km"`` → ``(500.0, "km")``; ``"0.95"`` → ``(0.95, None)``; text that is not a quantity → None."""
    m = _QUANTITY.match(text)
    if not m:
        return None
    unit = m.group(2).strip() if m.group(2) else None
    return float(m.group(1)), unit


def convert_param_values(params: Mapping[str, Any], model: ParameterModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """Convert ``--param`` values written with a unit (``500km``) to the parameter's declared unit.

    Returns (overrides, provenance). Values without a unit are passed on unchanged (numbers in
    the declared unit, or choice names).
    """
    out: dict[str, Any] = {}
    prov: dict[str, Any] = {}
    for name, value in params.items():
        key = resolve_key(model, name, "--param", 0, name) if isinstance(value, str) else ""
        if isinstance(value, str) and model.parameters[key].kind != "choice":
            q = split_quantity(value)
            param = model.parameters[key]
            if q is None:
                raise ScenarioError(
                    f"--param {name}={value}: not a number or quantity",
                    hint=f"write e.g. --param {name}=1.5{param.unit if param.unit != 'dimensionless' else ''}",
                )
            number, _ = convert_quantity(q[0], q[1], param, None, None, f"--param {name}")
            out[name] = number
            prov[model.key(name)] = {"value": number, "unit": param.unit, "given": value, "source": "--param"}
        else:
            out[name] = value
            try:
                k = model.key(name)
                unit = model.parameters[k].unit
            except ParameterError:
                k, unit = name, ""
            prov[k] = {"value": value, "unit": unit, "given": str(value), "source": "--param"}
    return out, prov
