"""inventory/distributions.py: normalisation, bounds and sampling, known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathode_lca.errors import ParameterError
from cathode_lca.inventory.distributions import check_distribution, fit_to_bounds
from cathode_lca.uncertainty.streams import draw


def test_lognormal_from_gsd2_and_value():
    # gsd2 = GSD^2 = 1.21 -> GSD 1.1 -> scale = ln 1.1; loc = ln of the value (the median)
    d = check_distribution({"type": "lognormal", "gsd2": 1.21}, 2.0)
    assert d["scale"] == pytest.approx(math.log(1.1), rel=1e-12)
    assert d["loc"] == pytest.approx(math.log(2.0), rel=1e-12)
    assert d["negative"] is False


def test_normal_takes_the_value_as_loc_and_needs_a_positive_scale():
    assert check_distribution({"type": "normal", "scale": 0.1}, 3.0)["loc"] == 3.0
    with pytest.raises(ParameterError):
        check_distribution({"type": "normal", "scale": 0.0}, 3.0)


def test_uniform_and_triangular_need_ordered_bounds():
    with pytest.raises(ParameterError, match="minimum < maximum"):
        check_distribution({"type": "uniform", "minimum": 2.0, "maximum": 2.0}, None)
    with pytest.raises(ParameterError, match="triangular"):
        check_distribution({"type": "triangular", "minimum": 0.0, "maximum": 1.0, "loc": 2.0}, None)


def test_fit_to_bounds_truncates_normals_and_refuses_a_uniform_outside():
    d = fit_to_bounds({"type": "normal", "loc": 0.95, "scale": 0.05}, 0.0, 1.0)
    assert (d["minimum"], d["maximum"]) == (0.0, 1.0)
    with pytest.raises(ParameterError, match="leaves the parameter's bounds"):
        fit_to_bounds({"type": "uniform", "minimum": 0.5, "maximum": 1.2}, 0.0, 1.0)


def test_samples_respect_support_and_moments():
    x = draw({"type": "uniform", "minimum": 1.0, "maximum": 3.0}, 42, "u", 0, 20000)
    assert x.min() >= 1.0 and x.max() <= 3.0
    assert float(x.mean()) == pytest.approx(2.0, abs=0.02)  # standard error 0.58/sqrt(20000) = 0.004
    t = draw({"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0}, 42, "t", 0, 20000)
    assert float(t.mean()) == pytest.approx(5.0 / 3.0, abs=0.03)  # (a + b + c) / 3
    b = draw({"type": "normal", "loc": 0.95, "scale": 0.05, "minimum": 0.0, "maximum": 1.0}, 42, "b", 0, 20000)
    assert b.max() <= 1.0 and float(np.median(b)) < 0.95  # truncated above: the median moves down
