"""Parameter distributions (stats_arrays-compatible fields) and vectorized sampling.

Lognormal semantics: ``loc`` is ln(median) and ``scale`` is σ of ln(x), as in
stats_arrays and ecoinvent. The deterministic value of a lognormal parameter is its
*median*; the mean is larger: ``exp(loc + scale**2 / 2)``.

Examples
--------
>>> d = check_distribution({"type": "lognormal", "gsd2": 1.21}, 2.0)
>>> round(d["scale"], 4), round(float(np.exp(d["loc"])), 6)
(0.0953, 2.0)
>>> x = sample(d, 4, np.random.default_rng(1))
>>> x.shape
(4,)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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


def sample(dist: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw *n* values from a normalised distribution (see :func:`check_distribution`)."""
    kind = dist["type"]
    lo, hi = dist.get("minimum"), dist.get("maximum")
    if kind == "lognormal":
        x = np.exp(rng.normal(dist["loc"], dist["scale"], n))
        if dist.get("negative"):
            x = -x
    elif kind == "normal":
        x = rng.normal(dist["loc"], dist["scale"], n)
    elif kind == "triangular":
        x = rng.triangular(lo, dist["loc"], hi, n)
    else:
        x = rng.uniform(lo, hi, n)
    if kind in ("normal", "lognormal") and (lo is not None or hi is not None):
        x = np.clip(x, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
    return x
