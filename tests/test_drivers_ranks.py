"""standard_ranks: the centred, unit-norm ranks behind the Spearman drivers, checked independently."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cathode_lca.uncertainty.drivers import spearman, standard_ranks


def _reference(x: np.ndarray) -> np.ndarray:
    """Average ranks (scipy.stats.rankdata), centred by their mean and divided by their norm, row by row."""
    from scipy.stats import rankdata

    out = np.zeros(np.shape(x))
    for i, row in enumerate(np.atleast_2d(x)):
        if np.ptp(row) == 0:
            continue
        centred = rankdata(row) - rankdata(row).mean()
        out[i] = centred / np.sqrt((centred**2).sum())
    return out


def test_hand_example() -> None:
    # ranks 2, 0, 1 -> centred 1, -1, 0 -> norm sqrt(2)
    got = standard_ranks(np.array([[3.0, 1.0, 2.0], [7.0, 7.0, 7.0]]))
    np.testing.assert_array_equal(got, [[1 / np.sqrt(2), -1 / np.sqrt(2), 0.0], [0.0, 0.0, 0.0]])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 60)), elements=st.floats(-1e6, 1e6)))
def test_equal_to_the_average_rank_reference(x: np.ndarray) -> None:
    np.testing.assert_allclose(standard_ranks(x), _reference(x), rtol=0, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 60)), elements=st.integers(-3, 3).map(float)))
def test_equal_to_the_average_rank_reference_with_many_ties(x: np.ndarray) -> None:
    np.testing.assert_allclose(standard_ranks(x), _reference(x), rtol=0, atol=1e-14)


def test_constant_rows_and_short_rows_are_zero_and_nan_sorts_last() -> None:
    assert standard_ranks(np.array([5.0])).tolist() == [0.0]
    assert standard_ranks(np.zeros((2, 0))).shape == (2, 0)
    got = standard_ranks(np.array([2.0, np.nan, 1.0]))
    np.testing.assert_allclose(got, [0.0, 1 / np.sqrt(2), -1 / np.sqrt(2)])


def test_a_plateau_in_the_output_is_ranked_as_scipy_ranks_it() -> None:
    """A result capped at a plateau (min(required, available)) ties many samples: average ranks."""
    from scipy import stats

    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3000))
    y = np.minimum(x[0] + 0.3 * x[1], 0.5)  # about a third of the samples on the plateau
    rho = spearman(x, y)
    for k in range(2):
        assert rho[k] == pytest.approx(stats.spearmanr(x[k], y).statistic, abs=1e-12)


def test_spearman_matches_scipy() -> None:
    from scipy import stats  # a core dependency: an independent Spearman

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2001))
    y = 3 * x[0] + np.exp(x[1])
    rho = spearman(x, y)
    for k in range(3):
        assert rho[k] == pytest.approx(stats.spearmanr(x[k], y).statistic, abs=1e-12)
