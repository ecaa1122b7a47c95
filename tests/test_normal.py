"""The numpy AS 241 normal quantile and the normal distribution function of the Monte Carlo draws,
against scipy.special (an independent implementation: Cephes) and against values known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from cathode_lca.uncertainty.normal import expit, ndtr, ppnd16


def test_known_quantiles():
    # the 97.5 % point of the standard normal is 1.959963984540054 (tables); the median is 0 exactly
    z = ppnd16(np.array([0.025, 0.5, 0.975]))
    assert z[1] == 0.0
    assert z[2] == pytest.approx(1.959963984540054, rel=1e-15)
    assert z[0] == pytest.approx(-z[2], rel=1e-15)  # 0.025 and 0.975 are not exact complements in binary


def test_edges_and_impossible_probabilities():
    z = ppnd16(np.array([0.0, 1.0, -0.1, 1.1, np.nan]))
    assert z[0] == -math.inf and z[1] == math.inf
    assert np.isnan(z[2:]).all()


@pytest.mark.parametrize("region", ["centre", "near", "far"])
def test_agrees_with_cephes_in_every_region(region):
    rng = np.random.default_rng(5)
    p = {
        "centre": rng.uniform(0.075, 0.925, 100_000),
        "near": 10.0 ** rng.uniform(-11, np.log10(0.075), 100_000),  # r = sqrt(-ln p) <= 5
        "far": 10.0 ** rng.uniform(-300, -11, 100_000),
    }[region]
    for probabilities in (p, 1.0 - p if region == "centre" else p):
        ours, ref = ppnd16(probabilities), special.ndtri(probabilities)
        np.testing.assert_allclose(ours, ref, rtol=4e-15, atol=0)
    # the upper tail mirrors the lower one
    q = p[p < 0.4]
    np.testing.assert_array_equal(ppnd16(1.0 - q), -ppnd16(1.0 - (1.0 - q)))


@given(st.floats(min_value=-38.0, max_value=8.2, allow_nan=False))
def test_ndtr_agrees_with_cephes(x):
    # in the lower tail both lose about x²·2⁻⁵³ relative (the argument x/√2 is rounded): at x = -30
    # erfc and Cephes are 1.2e-13 and 0.6e-13 from the true value; enough for truncation bounds
    assert ndtr(x) == pytest.approx(float(special.ndtr(x)), rel=1e-15 * max(1.0, x * x), abs=1e-300)


def test_ndtr_inverts_the_quantile():
    p = np.array([1e-300, 1e-20, 1e-5, 0.1, 0.5, 0.9])
    back = np.array([ndtr(float(z)) for z in ppnd16(p)])
    np.testing.assert_allclose(back, p, rtol=1e-13)


def test_expit_agrees_with_scipy_without_overflow_warnings():
    x = np.array([-800.0, -40.0, -1.0, 0.0, 2.5, 40.0, 800.0])
    with np.errstate(all="raise"):
        ours = expit(x)
    np.testing.assert_allclose(ours, special.expit(x), rtol=1e-15, atol=0)
