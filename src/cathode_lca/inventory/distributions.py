"""Parameter distributions (stats_arrays-compatible fields): checked, normalised and fitted to bounds.

Lognormal semantics: ``loc`` is ln(median) and ``scale`` is σ of ln(x), as in
stats_arrays and ecoinvent. The deterministic value of a lognormal parameter is its
*median*; the mean is larger: ``exp(loc + scale**2 / 2)``.

Bounds: a parameter with bounds (``min``/``max`` or ``kind: fraction``) only takes
distributions that stay inside them. :func:`fit_to_bounds` refuses a uniform or triangular
distribution whose support leaves the bounds, and truncates a normal or lognormal one to
them (drawn by the inverse CDF on the truncated range, :mod:`cathode_lca.uncertainty.streams`: the
shape inside the bounds is kept and no probability piles up on a bound). A normal or lognormal
distribution's own ``minimum``/``maximum`` truncate it the same way.

Examples
--------
>>> fit_to_bounds({"type": "normal", "loc": 0.95, "scale": 0.05}, 0.0, 1.0)["maximum"]
1.0
>>> d = check_distribution({"type": "lognormal", "gsd2": 1.21}, 2.0)
>>> round(d["scale"], 4), round(math.exp(d["loc"]), 6)
(0.0953, 2.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..errors import ParameterError

STATS_ARRAYS_IDS = {2: "lognormal", 3: "normal", 4: "uniform", 5: "triangular"}


def check_distribution(dist: dict[str, Any], value: float | None) -> dict[str, Any]:
    """Validate and normalise a distribution; return ``{type, loc, scale, minimum, maximum, negative}``."""
    kind = dist.get("type")
    if kind is None and dist.get("uncertainty_type") is not None:
        kind = STATS_ARRAYS_IDS.get(int(dist["uncertainty_type"]))
        if kind is None:
            raise ParameterError(
                f"unsupported uncertainty_type {dist['uncertainty_type']}",
                hint="use 2 (lognormal), 3 (normal), 4 (uniform) or 5 (triangular)",
            )
    if kind is None:
        raise ParameterError("distribution needs 'type'", hint="lognormal, normal, triangular or uniform")
    if kind not in STATS_ARRAYS_IDS.values():  # a caller's dict (monte_carlo(distributions=...)): not schema-checked
        raise ParameterError(f"unknown distribution type {kind!r}", hint="lognormal, normal, triangular or uniform")
    for field in ("loc", "scale", "gsd2", "minimum", "maximum"):
        number = dist.get(field)
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, numbers.Real) or not math.isfinite(number)
        ):
            raise ParameterError(
                f"distribution field '{field}' must be a finite number, got {number!r:.40}", hint="e.g. 0.9"
            )
    lo, hi = dist.get("minimum"), dist.get("maximum")
    out: dict[str, Any] = {"type": kind, "minimum": lo, "maximum": hi}
    if kind == "lognormal":
        scale = dist.get("scale")
        if dist.get("gsd2") is not None:
            if dist["gsd2"] <= 1:
                raise ParameterError("gsd2 must be > 1", hint="gsd2 is the squared geometric standard deviation")
            scale = 0.5 * math.log(dist["gsd2"])
        if scale is None or scale <= 0:
            raise ParameterError("lognormal needs 'scale' (σ of ln x) > 0 or 'gsd2' > 1", hint="add scale or gsd2")
        loc = dist.get("loc")
        negative = value is not None and value < 0
        if loc is None:
            if value is None or value == 0:
                raise ParameterError("lognormal needs 'loc' = ln(median) or a non-zero value", hint="add loc")
            loc = math.log(abs(value))
        out.update(loc=float(loc), scale=float(scale), negative=negative)
    elif kind == "normal":
        loc = dist.get("loc", value)
        scale = dist.get("scale")
        if loc is None or scale is None or scale <= 0:
            raise ParameterError("normal needs 'loc' (or a value) and 'scale' > 0", hint="add loc/scale")
        out.update(loc=float(loc), scale=float(scale))
    elif kind == "triangular":
        mode = dist.get("loc", value)
        if lo is None or hi is None or mode is None or not (lo <= mode <= hi) or lo == hi:
            raise ParameterError(
                "triangular needs minimum <= loc (mode) <= maximum and minimum < maximum",
                hint="check minimum, loc and maximum",
            )
        out.update(loc=float(mode))
    elif kind == "uniform" and (lo is None or hi is None or not lo < hi):
        raise ParameterError("uniform needs minimum < maximum", hint="check minimum and maximum")
    if lo is not None and hi is not None and lo > hi:
        raise ParameterError("minimum is larger than maximum", hint="swap them")
    return out


def fit_to_bounds(dist: dict[str, Any], lo: float | None, hi: float | None) -> dict[str, Any]:
    """A normalised distribution restricted to the bounds [*lo*, *hi*] (``None``: unbounded side).

    Uniform and triangular distributions whose support leaves the bounds are refused
    (:class:`ParameterError`); normal and lognormal ones are truncated to the bounds.
    """
    if lo is None and hi is None:
        return dist
    kind = dist["type"]
    dmin, dmax = dist.get("minimum"), dist.get("maximum")
    text = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
    if kind in ("uniform", "triangular"):
        dmin, dmax = dist["minimum"], dist["maximum"]  # both set: check_distribution requires them
        if (lo is not None and dmin < lo) or (hi is not None and dmax > hi):
            raise ParameterError(
                f"{kind} distribution from {dmin:g} to {dmax:g} leaves the parameter's bounds {text}",
                hint=f"give a minimum and maximum inside {text}",
            )
        return dist
    new_lo = lo if dmin is None else (dmin if lo is None else max(dmin, lo))
    new_hi = hi if dmax is None else (dmax if hi is None else min(dmax, hi))
    if new_lo is not None and new_hi is not None and not new_lo < new_hi:
        raise ParameterError(
            f"{kind} distribution truncated to the bounds {text} leaves nothing to sample",
            hint="check the distribution's minimum and maximum",
        )
    if kind == "lognormal":
        sign = -1.0 if dist.get("negative") else 1.0
        if (sign > 0 and new_hi is not None and new_hi <= 0) or (sign < 0 and new_lo is not None and new_lo >= 0):
            raise ParameterError(
                f"lognormal distribution has no support inside the bounds {text}",
                hint="use a normal, uniform or triangular distribution",
            )
    return {**dist, "minimum": new_lo, "maximum": new_hi}
