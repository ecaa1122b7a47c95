"""Wrong arguments to monte_carlo, sweep and sensitivity: a UsageError naming the argument and what
it accepts, not a TypeError/ValueError from numpy deep inside (a developer embedding cathode-lca
saw ``'float' object cannot be interpreted as an integer`` for ``samples=10.5``, ``invalid literal
for int()`` for ``seed="a"``, ``need at least one array to concatenate`` for an empty grid list,
and ``seed=1.5`` silently ran as seed 1)."""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca.errors import CathodeLCAError, UsageError
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.sensitivity import sensitivity
from cathode_lca.uncertainty.sweep import sweep

SMALL = {"routes": ["hydrometallurgical"], "indicators": ["gwp100"], "progress": False}


@pytest.mark.parametrize("samples", [10.5, 0, -1, 1, True, False, "10", None, 1e3, np.float64(10.0)])
def test_monte_carlo_samples_must_be_a_whole_number_of_two_or_more(samples):
    with pytest.raises(UsageError, match=r"samples must be a whole number, 2 or more.*got"):
        monte_carlo("NMC811", samples=samples, seed=1, kernel="numpy", **SMALL)


@pytest.mark.parametrize("seed", ["a", "1", -1, 1.5, 1.0, True, 2**63, b"1", [1]])
def test_monte_carlo_seed_must_be_a_whole_number_in_range(seed):
    with pytest.raises(UsageError, match=r"seed must be a whole number from 0 to 2\*\*63 - 1.*got"):
        monte_carlo("NMC811", samples=10, seed=seed, kernel="numpy", **SMALL)


@pytest.mark.parametrize("chunk_size", [2.5, 0, "100", True])
def test_monte_carlo_and_sweep_chunk_size_must_be_a_whole_number(chunk_size):
    with pytest.raises(UsageError, match="chunk_size must be a whole number, 1 or more"):
        monte_carlo("NMC811", samples=10, seed=1, kernel="numpy", chunk_size=chunk_size, **SMALL)
    with pytest.raises(UsageError, match="chunk_size must be a whole number, 1 or more"):
        sweep("NMC811", {"hydro_recovery_ni": [0.9]}, chunk_size=chunk_size, **SMALL)


@pytest.mark.parametrize(
    ("distributions", "message"),
    [
        ([("hydro_recovery_ni", {"type": "uniform"})], "distributions must be a mapping of parameter name to"),
        ({"hydro_recovery_ni": 1}, "distributions\\['hydro_recovery_ni'\\] must be a mapping"),
        ({"hydro_recovery_ni": "uniform"}, "distributions\\['hydro_recovery_ni'\\] must be a mapping"),
    ],
)
def test_distributions_of_the_wrong_shape_are_refused_by_name(distributions, message):
    with pytest.raises(UsageError, match=message):
        monte_carlo("NMC811", samples=10, seed=1, kernel="numpy", distributions=distributions, **SMALL)


def test_valid_numpy_integers_still_work():
    """numpy integers (a host's arrays) are whole numbers: accepted, and the seed is recorded as given."""
    ds = monte_carlo("NMC811", samples=np.int64(10), seed=np.uint32(7), kernel="numpy", **SMALL)
    assert ds.sizes["sample"] == 10 and ds.attrs["seed"] == 7
    same = monte_carlo("NMC811", samples=10, seed=7, kernel="numpy", **SMALL)
    np.testing.assert_array_equal(ds.samples.values, same.samples.values)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "grid is empty"),
        (None, "grid must be a mapping of parameter name to a list of values"),
        (["hydro_recovery_ni"], "grid must be a mapping of parameter name to a list of values"),
        ({"hydro_recovery_ni": []}, "grid\\['hydro_recovery_ni'\\] has no values"),
        ({"hydro_recovery_ni": 0.9}, "grid\\['hydro_recovery_ni'\\] must be a list of values"),
        ({"hydro_recovery_ni": "0.9"}, "grid\\['hydro_recovery_ni'\\] must be a list of values"),
        ({"hydro_recovery_ni": np.array([[0.9]])}, "grid\\['hydro_recovery_ni'\\] must be a list of values"),
        ({"hydro_recovery_ni": [0.9, None]}, "grid\\['hydro_recovery_ni'\\] holds None"),
        ({"hydro_recovery_ni": [0.9, [0.95]]}, "grid\\['hydro_recovery_ni'\\] holds \\[0.95\\]"),
        ({1: [0.9]}, "grid names must be parameter names"),
    ],
)
def test_a_malformed_grid_is_refused_by_name(grid, message):
    with pytest.raises(UsageError, match=message):
        sweep("NMC811", grid, **SMALL)


def test_a_text_value_for_a_numeric_parameter_stays_a_parameter_error():
    """A word where a number is expected is the documented ParameterError (choices take words)."""
    with pytest.raises(CathodeLCAError, match="hydro_recovery_ni.*not a number"):
        sweep("NMC811", {"hydro_recovery_ni": ["a", 0.9]}, **SMALL)
    ds = sweep("NMC811", {"plant_region": ["US", "CN"]}, **SMALL)  # a choice: words are its values
    assert ds.value.shape == (1, 1, 2)


@pytest.mark.parametrize("samples", [10.5, "64", True, None])
def test_sensitivity_samples_must_be_a_whole_number(samples):
    with pytest.raises(UsageError, match="samples must be a whole number, 8 or more"):
        sensitivity("NMC811", samples=samples, **SMALL)


@pytest.mark.parametrize("seed", ["a", -1, 1.5, None])
def test_sensitivity_seed_must_be_a_whole_number(seed):
    with pytest.raises(UsageError, match=r"seed must be a whole number from 0 to 2\*\*63 - 1"):
        sensitivity("NMC811", samples=64, seed=seed, **SMALL)


@pytest.mark.parametrize("spread", ["a", float("nan"), True, [0.1]])
def test_sensitivity_spread_must_be_a_number(spread):
    with pytest.raises(UsageError, match="spread must be a number between 0 and 1"):
        sensitivity("NMC811", samples=64, spread=spread, **SMALL)


@pytest.mark.parametrize(
    ("dist", "message"),
    [
        ({"type": "x"}, "unknown distribution type 'x'"),
        ({"type": "beta", "minimum": 0.9, "maximum": 0.99}, "unknown distribution type 'beta'"),
        ({"type": "uniform", "minimum": "0.9", "maximum": 0.99}, "'minimum' must be a finite number"),
        ({"type": "normal", "loc": 0.95, "scale": float("nan")}, "'scale' must be a finite number"),
        ({"type": "uniform", "minimum": 0.9, "maximum": True}, "'maximum' must be a finite number"),
    ],
)
def test_a_distribution_of_an_unknown_type_or_with_text_is_a_parameter_error(dist, message):
    """distributions={"x": {"type": "beta"}} used to fail with a ValueError deep in the sampler."""
    from cathode_lca.errors import ParameterError

    with pytest.raises(ParameterError, match=message):
        monte_carlo("NMC811", samples=10, seed=1, kernel="numpy", distributions={"hydro_recovery_ni": dist}, **SMALL)


def test_a_distribution_given_with_numpy_numbers_still_works():
    dist = {"type": "uniform", "minimum": np.float32(0.9), "maximum": np.float64(0.99)}
    ds = monte_carlo("NMC811", samples=10, seed=1, kernel="numpy", distributions={"hydro_recovery_ni": dist}, **SMALL)
    assert ds.sizes["sample"] == 10


@pytest.mark.parametrize("scheduler", [1, ["threads"], object()])
def test_a_scheduler_of_the_wrong_type_is_refused_by_name(scheduler):
    """scheduler=1 used to fail with "'int' object has no attribute 'compute'" after the model was built."""
    with pytest.raises(UsageError, match="scheduler must be None, 'threads', 'processes', a scheduler address"):
        monte_carlo("NMC811", samples=10, seed=1, scheduler=scheduler, **SMALL)
    with pytest.raises(UsageError, match="scheduler must be None"):
        sweep("NMC811", {"hydro_recovery_ni": [0.9]}, scheduler=scheduler, **SMALL)
