"""The standard normal quantile and distribution functions of the Monte Carlo draws, in numpy alone.

:func:`ppnd16` is Wichura's algorithm AS 241, ``PPND16`` (M. J. Wichura, "The percentage points of the
normal distribution", *Applied Statistics* 37 (3), 477–484, 1988): rational approximations of degree 7
in the centre (``|p − 0.5| ≤ 0.425``) and in two tail regions of ``r = sqrt(−ln min(p, 1 − p))``
(``r ≤ 5`` and beyond), relative error about 1e-16. The compiled kernel evaluates the same
coefficients in the same order (:mod:`cathode_lca.uncertainty.kernel_draws`), so both paths of a
Monte Carlo run draw the same values to a few ulps, and the numpy path needs no ``scipy.special``
(whose import alone took 0.1–0.5 s of a small run).

Examples
--------
>>> import numpy as np
>>> [round(float(z), 6) for z in ppnd16(np.array([0.025, 0.5, 0.975]))]
[-1.959964, 0.0, 1.959964]
>>> round(ndtr(1.959963984540054), 6)
0.975
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["expit", "ndtr", "ppnd16"]

# Wichura (1988), AS 241 PPND16: numerator and denominator coefficients, highest power first
_CENTRE_NUM = (
    2.5090809287301226727e3,
    3.3430575583588128105e4,
    6.7265770927008700853e4,
    4.5921953931549871457e4,
    1.3731693765509461125e4,
    1.9715909503065514427e3,
    1.3314166789178437745e2,
    3.3871328727963666080e0,
)
_CENTRE_DEN = (
    5.2264952788528545610e3,
    2.8729085735721942674e4,
    3.9307895800092710610e4,
    2.1213794301586595867e4,
    5.3941960214247511077e3,
    6.8718700749205790830e2,
    4.2313330701600911252e1,
    1.0,
)
_NEAR_NUM = (
    7.74545014278341407640e-4,
    2.27238449892691845833e-2,
    2.41780725177450611770e-1,
    1.27045825245236838258e0,
    3.64784832476320460504e0,
    5.76949722146069140550e0,
    4.63033784615654529590e0,
    1.42343711074968357734e0,
)
_NEAR_DEN = (
    1.05075007164441684324e-9,
    5.47593808499534494600e-4,
    1.51986665636164571966e-2,
    1.48103976427480074590e-1,
    6.89767334985100004550e-1,
    1.67638483018380384940e0,
    2.05319162663775882187e0,
    1.0,
)
_FAR_NUM = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    1.24266094738807843860e-3,
    2.65321895265761230930e-2,
    2.96560571828504891230e-1,
    1.78482653991729133580e0,
    5.46378491116411436990e0,
    6.65790464350110377720e0,
)
_FAR_DEN = (
    2.04426310338993978564e-15,
    1.42151175831644588870e-7,
    1.84631831751005468180e-5,
    7.86869131145613259100e-4,
    1.48753612908506148525e-2,
    1.36929880922735805310e-1,
    5.99832206555887937690e-1,
    1.0,
)


def _horner(coefficients: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    """((c0·r + c1)·r + c2)… in this order, as the kernel's IR (no fused multiply-add)."""
    value = np.full_like(r, coefficients[0])
    for c in coefficients[1:]:
        value = value * r + c
    return value


def ppnd16(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile of probabilities *p* in [0, 1] (AS 241); ±inf at 0 and 1, NaN outside."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    z = np.empty_like(p)
    central = np.abs(q) <= 0.425
    qc = q[central]
    rc = 0.180625 - qc * qc
    z[central] = qc * _horner(_CENTRE_NUM, rc) / _horner(_CENTRE_DEN, rc)
    tail = ~central & ~np.isnan(p)
    qt = q[tail]
    small = np.where(qt > 0.0, 1.0 - p[tail], p[tail])
    with np.errstate(divide="ignore", invalid="ignore"):  # p = 0 or 1 (r = inf), p outside [0, 1]: set below
        r = np.sqrt(-np.log(small))
        near = r <= 5.0
        x = np.empty_like(r)
        rn = r[near] - 1.6
        x[near] = _horner(_NEAR_NUM, rn) / _horner(_NEAR_DEN, rn)
        rf = r[~near] - 5.0
        x[~near] = _horner(_FAR_NUM, rf) / _horner(_FAR_DEN, rf)
    x[small == 0.0] = math.inf
    x[small < 0.0] = math.nan  # p outside [0, 1]
    z[tail] = np.where(qt < 0.0, -x, x)
    z[np.isnan(p)] = math.nan
    return z


def ndtr(x: float) -> float:
    """Standard normal distribution function at *x*: ``erfc(−x/√2)/2`` (accurate in both tails)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(−x))``, without overflow or underflow warnings in the tails."""
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
