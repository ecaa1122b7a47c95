"""Whether a technosphere system can be solved accurately: self-consumption and condition limits.

:func:`self_consumption_problem` says why a dataset that consumes its own reference product
cannot be solved (a share of 1 or more, or an amplification over :data:`AMPLIFICATION_LIMIT`);
:func:`inverse_one_norm` gives ‖A⁻¹‖₁ of a factorised matrix, from which the solver
(:mod:`.solve`) checks the condition number against :data:`CONDITION_LIMIT`.

Examples
--------
>>> self_consumption_problem(1.0, 0.5) is None   # amplified 1 / (1 - 0.5) = 2-fold
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["AMPLIFICATION_LIMIT", "CONDITION_LIMIT", "inverse_one_norm", "self_consumption_problem"]

CONDITION_LIMIT = 1e12
"""Largest accepted 1-norm condition estimate of a background matrix or a foreground loop block.
In float64 (ε ≈ 2.2e-16) it bounds the relative rounding error of the solve at about 2e-4."""
AMPLIFICATION_LIMIT = 1e6
"""Largest accepted self-consumption amplification 1 / (1 − r) of one dataset, where r is the
share of its own reference product that it consumes (r = 0.999999 is the limit). This is the
condition number of the dataset's 1 × 1 block with respect to r, free of units: beyond it a
change of 1e-6 in r changes the result by 100 % or more."""


def self_consumption_problem(produced: Any, consumed: Any) -> str | None:
    """Why a dataset's own-product balance cannot be solved, or ``None`` when it can.

    *produced* is the reference product amount and *consumed* the amount of its own product
    the dataset takes as input (arrays over samples, or scalars).

    Examples
    --------
    >>> self_consumption_problem(1.0, 0.5) is None
    True
    >>> self_consumption_problem(1.0, 0.999999999999)[:40]
    'consumes 100 % of its own reference prod'
    >>> self_consumption_problem(-1.0, 0.0)
    'has a zero or negative reference product amount (-1)'
    """
    produced, consumed = np.broadcast_arrays(
        np.atleast_1d(np.asarray(produced, dtype=float)), np.atleast_1d(np.asarray(consumed, dtype=float))
    )
    if np.any(produced <= 0):
        return f"has a zero or negative reference product amount ({float(produced[produced <= 0][0]):.6g})"
    ratio = consumed / produced
    worst = float(ratio.max())
    if worst >= 1:
        return f"consumes {worst:.6g} kg of its own reference product per kg produced (self-consumption >= 1)"
    amplification = 1.0 / (1.0 - worst)
    if amplification > AMPLIFICATION_LIMIT:
        return (
            f"consumes {100 * worst:.10g} % of its own reference product: the result is amplified "
            f"{amplification:.3g}-fold (limit {AMPLIFICATION_LIMIT:.0e}, i.e. self-consumption <= 0.999999)"
        )
    return None


def inverse_one_norm(matrix: sp.spmatrix, lu: Any, ones: np.ndarray | None = None) -> tuple[float, str]:
    """‖A⁻¹‖₁ of a factorised square matrix, and how it was obtained (``"M-matrix"`` or ``"onenormest"``).

    For the usual technosphere matrix, a Z-matrix (positive diagonal, inputs ≤ 0 off it), one
    transposed solve gives it exactly: when y = A⁻ᵀ 1 is positive, Aᵀ y > 0 with y > 0 makes A a
    non-singular M-matrix, so A⁻¹ ≥ 0 and ‖A⁻¹‖₁ = max(1ᵀ A⁻¹) = max(y). *ones* is that y when
    already solved (it rides along with the interface solve). Otherwise (credits, or a loop that
    consumes more than it makes) Higham's block estimator (``onenormest``) on the factors, a lower
    bound that is exact in most cases.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from cathode_lca.engine.factorize import choose_solver, factorise
    >>> A = sp.csc_matrix([[1.0, -0.5], [-0.5, 1.0]])  # inverse [[4/3, 2/3], [2/3, 4/3]]
    >>> value, how = inverse_one_norm(A, factorise(A, choose_solver(A, "superlu")))
    >>> round(value, 12), how
    (2.0, 'M-matrix')
    """
    n = matrix.shape[0]
    coo = sp.coo_matrix(matrix)
    off = coo.row != coo.col
    if not np.any(coo.data[off] > 0) and np.all(matrix.diagonal() > 0):
        y = ones if ones is not None else lu.solve(np.ones(n), trans="T")
        if np.all(np.isfinite(y)) and np.all(y > 0):
            return float(y.max()), "M-matrix"
    from scipy.sparse.linalg import LinearOperator, onenormest

    inverse = LinearOperator(
        (n, n),
        matvec=lu.solve,
        rmatvec=lambda x: lu.solve(x, trans="T"),
        matmat=lu.solve,
        rmatmat=lambda x: lu.solve(x, trans="T"),
        dtype=float,
    )
    return float(onenormest(inverse)), "onenormest"
