"""engine.factorize.solve_columns: block-Jacobi sweeps where they converge, a factorisation where
they do not; both held to a dense solve."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.engine.factorize import solve_columns


def technosphere(n: int, seed: int, share: float) -> np.ndarray:
    """1 on the diagonal, random inputs summing to *share* per column (a productive economy)."""
    rng = np.random.default_rng(seed)
    inputs = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    np.fill_diagonal(inputs, 0.0)
    sums = inputs.sum(axis=0)
    inputs *= np.where(sums > 0, share / np.where(sums > 0, sums, 1.0), 0.0)
    return np.eye(n) - inputs


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**31 - 1), share=st.floats(0.0, 0.8), k=st.integers(1, 5))
def test_jacobi_equals_a_dense_solve(n, seed, share, k):
    dense = technosphere(n, seed, share)
    rhs = np.random.default_rng(seed + 1).random((n, k))
    x, how = solve_columns(sp.csr_matrix(dense), rhs)
    assert how == "jacobi"
    np.testing.assert_allclose(x, np.linalg.solve(dense, rhs), rtol=1e-11, atol=1e-13)


def test_a_tight_loop_is_factorised_instead():
    # the loop returns 99.99 % of its output: Jacobi would need ~3e5 sweeps, so it gives up early
    dense = technosphere(30, 3, 0.9999)
    rhs = np.eye(30)[:, :4]
    x, how = solve_columns(sp.csr_matrix(dense), rhs)
    assert how != "jacobi"
    np.testing.assert_allclose(x, np.linalg.solve(dense, rhs), rtol=1e-8)


def test_a_negative_diagonal_entry_is_factorised():
    # a waste treatment with a negative reference amount (Brightway's convention)
    dense = technosphere(6, 1, 0.5)
    dense[2, 2] = -1.0
    rhs = np.eye(6)[:, :2]
    x, how = solve_columns(sp.csr_matrix(dense), rhs)
    assert how != "jacobi"
    np.testing.assert_allclose(x, np.linalg.solve(dense, rhs), rtol=1e-10, atol=1e-12)


def test_a_zero_diagonal_entry_is_factorised():
    dense = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -0.2], [0.0, 0.0, 1.0]])  # non-singular, zero pivots
    x, how = solve_columns(sp.csr_matrix(dense), np.eye(3))
    assert how != "jacobi"
    np.testing.assert_allclose(x, np.linalg.inv(dense), atol=1e-14)


def test_one_column_keeps_its_shape():
    x, how = solve_columns(sp.csr_matrix([[2.0, -1.0], [0.0, 1.0]]), np.array([1.0, 1.0]))
    assert how == "jacobi" and x.shape == (2,)
    np.testing.assert_allclose(x, [1.0, 1.0])


def test_a_column_of_tiny_amounts_is_as_accurate_as_one_of_kilograms():
    # a trace emission (1e-12 kg per unit) next to kilograms: the stopping rule is per column
    dense = technosphere(20, 5, 0.6)
    rhs = np.zeros((20, 2))
    rhs[:, 0] = 1.0
    rhs[3, 1] = 1e-12
    for columns in (rhs, rhs[:, 1:]):  # with the kilograms and alone
        x, how = solve_columns(sp.csr_matrix(dense), columns)
        assert how == "jacobi"
        np.testing.assert_allclose(x, np.linalg.solve(dense, columns), rtol=1e-11, atol=0)
