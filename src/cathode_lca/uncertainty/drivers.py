"""Which uncertain inputs drive the variance of a sampled result: normalised squared Spearman correlations.

For inputs X_k drawn independently and an output Y, the share of input k is

    share_k = ρ_s(X_k, Y)² / Σ_j ρ_s(X_j, Y)²

with ρ_s the Spearman rank correlation. It is the "contribution to variance" of SimaPro/Crystal Ball:
exact for a monotonic additive model of independent inputs after a rank transform, an approximation
otherwise (interactions are not attributed). The sign of ρ_s says whether the input raises the output.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(2, 5000))
>>> shares, rho = variance_shares(x, 3 * x[0] + x[1])
>>> round(float(shares[0]), 1), round(float(shares[1]), 1)
(0.9, 0.1)
"""

from __future__ import annotations

import numpy as np


def standard_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, centred and scaled to unit norm (constant rows: zeros).

    Tied values get distinct ranks in an arbitrary order (continuous draws have no ties, except far-tail
    draws clipped onto a bound); a constant row has no rank information. The sort is numpy's default
    (SIMD introsort), several times faster than a stable sort over the many inputs of a default run.
    """
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, axis=-1)
    r = np.empty(x.shape, dtype=float)
    np.put_along_axis(r, order, np.broadcast_to(np.arange(x.shape[-1], dtype=float), x.shape), axis=-1)
    r[np.ptp(x, axis=-1) == 0] = 0.0
    r = r - r.mean(axis=-1, keepdims=True)
    norm = np.sqrt((r * r).sum(axis=-1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 0, r / np.where(norm > 0, norm, 1.0), 0.0)


def spearman(inputs: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of every row of *inputs* (k, n) with *output* (n,); 0 for constant rows."""
    return standard_ranks(np.atleast_2d(inputs)) @ standard_ranks(np.asarray(output, dtype=float))


def variance_shares(inputs: np.ndarray, output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share of Σρ², ρ) per input row; all zeros when the output does not vary."""
    rho = spearman(inputs, output)
    total = float((rho * rho).sum())
    return (rho * rho / total if total > 0 else np.zeros_like(rho)), rho
