"""uncertainty/statistics.py: summary statistics over the sample axis, known answers."""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca.uncertainty.statistics import STATISTICS, summarise


def test_statistics_of_a_known_sample_per_row():
    # row 0: 1..4 -> mean 2.5, median 2.5, std (ddof 1) sqrt(5/3); quantiles by linear interpolation:
    # position 0.025 * 3 = 0.075 -> 1.075; 0.975 * 3 = 2.925 -> 3.925. Row 1 = 10 * row 0.
    samples = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    out = summarise(samples)
    assert out.shape == (2, len(STATISTICS))
    expected = [2.5, 2.5, np.sqrt(5 / 3), 1.075, 3.925]
    np.testing.assert_allclose(out[0], expected, rtol=1e-12)
    np.testing.assert_allclose(out[1], 10 * np.array(expected), rtol=1e-12)


def test_leading_axes_are_kept_and_one_sample_has_zero_spread():
    out = summarise(np.full((3, 2, 1), 7.0))
    assert out.shape == (3, 2, len(STATISTICS))
    assert np.all(out[..., STATISTICS.index("std")] == 0.0)
    assert np.all(out[..., STATISTICS.index("q2.5")] == pytest.approx(7.0))
