"""standard_ranks: the centred, unit-norm ranks behind the Spearman drivers, checked independently."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cathode_lca.uncertainty.drivers import spearman, standard_ranks


def _reference(x: np.ndarray) -> np.ndarray:
    """Ranks by a stable sort, centred by their mean and divided by their norm, row by row (plain numpy)."""
    out = np.zeros(x.shape)
    for i, row in enumerate(np.atleast_2d(x)):
        if np.ptp(row) == 0:
            continue
        ranks = np.empty(row.size)
        ranks[np.argsort(row, kind="stable")] = np.arange(row.size)
        centred = ranks - ranks.mean()
        out[i] = centred / np.sqrt((centred**2).sum())
    return out


def test_hand_example() -> None:
    # ranks 2, 0, 1 -> centred 1, -1, 0 -> norm sqrt(2)
    got = standard_ranks(np.array([[3.0, 1.0, 2.0], [7.0, 7.0, 7.0]]))
    np.testing.assert_array_equal(got, [[1 / np.sqrt(2), -1 / np.sqrt(2), 0.0], [0.0, 0.0, 0.0]])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 60)), elements=st.floats(-1e6, 1e6)))
def test_equal_to_the_reference_without_ties(x: np.ndarray) -> None:
    unique_rows = [np.unique(row).size == row.size for row in x]
    got = standard_ranks(x)
    want = _reference(x)
    for i, unique in enumerate(unique_rows):
        if unique:  # ties are ranked in an arbitrary order: only their sum of squares is fixed
            np.testing.assert_allclose(got[i], want[i], rtol=0, atol=1e-15)
        np.testing.assert_allclose((got[i] ** 2).sum(), (want[i] ** 2).sum(), atol=1e-12)


def test_constant_rows_and_short_rows_are_zero_and_nan_sorts_last() -> None:
    assert standard_ranks(np.array([5.0])).tolist() == [0.0]
    assert standard_ranks(np.zeros((2, 0))).shape == (2, 0)
    got = standard_ranks(np.array([2.0, np.nan, 1.0]))
    np.testing.assert_allclose(got, [0.0, 1 / np.sqrt(2), -1 / np.sqrt(2)])


def test_spearman_matches_scipy() -> None:
    from scipy import stats  # a core dependency: an independent Spearman

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2001))
    y = 3 * x[0] + np.exp(x[1])
    rho = spearman(x, y)
    for k in range(3):
        assert rho[k] == pytest.approx(stats.spearmanr(x[k], y).statistic, abs=1e-12)
