"""Every result the Python API returns can be written with ``ds.to_netcdf(path)`` and read back.

A reporting tool's developer saw ``compare("NMC811").to_netcdf("x.nc")`` fail: the attrs
``electricity_basis`` / ``electricity_supply`` were dicts and ``warnings`` a list, which netCDF
attributes cannot hold; a sweep's attribute ``mode`` broke scipy's netCDF writer (it clashes with
the writer's own ``mode``). Objects are now stored as JSON text, so a round trip through
xarray's scipy engine (netCDF3, no extra dependency) keeps every value and every attribute.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from cathode_lca import LCAModel, compare
from cathode_lca.result_warnings import add_warnings, warnings_of
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.sweep import sweep

GWP = ["gwp100"]


def _round_trip(ds: xr.Dataset, tmp_path, engine: str | None = None) -> xr.Dataset:
    path = tmp_path / "result.nc"
    ds.to_netcdf(path) if engine is None else ds.to_netcdf(path, engine=engine)
    with xr.open_dataset(path, engine="scipy") as back:
        return back.load()


def _assert_same(ds: xr.Dataset, back: xr.Dataset) -> None:
    assert set(back.attrs) == set(ds.attrs)
    for key, value in ds.attrs.items():
        assert isinstance(value, (str, int, float, np.integer, np.floating)), (key, type(value))
        assert back.attrs[key] == value, key
    assert set(back.data_vars) == set(ds.data_vars)
    for name in ds.variables:
        a, b = ds[name].values, back[name].values
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b)  # NaN == NaN here: not applicable stays NaN
        else:
            assert a.tolist() == b.tolist(), name


@pytest.fixture(scope="module")
def comparison() -> xr.Dataset:
    return compare("NMC811", indicators=["gwp100", "energy"], dqr=True)


def test_a_comparison_round_trips_through_netcdf(comparison, tmp_path):
    back = _round_trip(comparison, tmp_path)
    _assert_same(comparison, back)


def test_electricity_attrs_are_json_text_with_the_same_content(comparison):
    basis = json.loads(comparison.attrs["electricity_basis"])
    supply = json.loads(comparison.attrs["electricity_supply"])
    assert basis["electricity-grid-us"].startswith("life-cycle consumption mix")
    assert supply["electricity-cam-plant"] == ["electricity-grid-us"]
    # read back from the file, the text decodes to the same objects
    assert isinstance(comparison.attrs["warnings"], str) and isinstance(json.loads(comparison.attrs["warnings"]), list)


def test_a_comparison_with_warnings_round_trips(tmp_path):
    ds = compare("NMC811", region="DE", indicators=GWP, parameters={"plant_electricity_supply": "residual"})
    ds = ds.copy()
    add_warnings(ds, ["a note, with ünïcode"])
    back = _round_trip(ds, tmp_path)
    _assert_same(ds, back)
    assert "a note, with ünïcode" in warnings_of(back)


def test_a_calculation_round_trips(tmp_path):
    ds = LCAModel().calculate({"cam-nmc811-virgin": 1.0}, parameters={"plant_region": ["US", "CN"]})
    supply = json.loads(ds.attrs["electricity_supply"])["electricity-cam-plant"]
    assert sorted(supply) == ["electricity-grid-cn", "electricity-grid-us"]
    _assert_same(ds, _round_trip(ds, tmp_path))


def test_a_monte_carlo_result_round_trips(tmp_path):
    ds = monte_carlo(
        "NMC811", samples=20, seed=3, routes=["hydrometallurgical"], indicators=GWP, progress=False, kernel="numpy"
    )
    _assert_same(ds, _round_trip(ds, tmp_path))


@pytest.mark.parametrize(
    ("grid", "mode"),
    [
        ({"hydro_recovery_ni": [0.9, 0.95]}, "grid"),
        ({"plant_region": ["US", "CN"], "hydro_recovery_ni": [0.9, 0.95]}, "list"),
    ],
)
def test_a_sweep_round_trips(grid, mode, tmp_path):
    ds = sweep("NMC811", grid, mode=mode, routes=["hydrometallurgical"], indicators=GWP, progress=False)
    assert ds.attrs["sweep_mode"] == mode
    _assert_same(ds, _round_trip(ds, tmp_path))


def test_the_scipy_engine_named_explicitly_also_works(comparison, tmp_path):
    _assert_same(comparison, _round_trip(comparison, tmp_path, engine="scipy"))


@pytest.mark.slow
def test_a_sensitivity_result_round_trips(tmp_path):
    from cathode_lca.uncertainty.sensitivity import sensitivity

    ds = sensitivity("NMC811", method="morris", samples=8, routes=["hydrometallurgical"], progress=False)
    _assert_same(ds, _round_trip(ds, tmp_path))


def test_the_sweep_command_writes_netcdf_and_keeps_mode_in_its_json(tmp_path):
    from click.testing import CliRunner

    from cathode_lca.cli import cli

    out = tmp_path / "sweep.nc"
    args = ["sweep", "NMC811", "--grid", "hydro_recovery_ni=0.9,0.95", "--route", "hydrometallurgical"]
    result = CliRunner().invoke(cli, [*args, "--format", "netcdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with xr.open_dataset(out, engine="scipy") as back:
        assert back.attrs["sweep_mode"] == "grid" and back.value.shape == (1, 3, 2)
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metadata"]["mode"] == "grid"  # the JSON output did not change


@pytest.mark.parametrize("seed", [2**31 - 1, 2**31, 2**40])
def test_a_monte_carlo_result_with_a_large_seed_round_trips(seed, tmp_path):
    """netCDF3 attributes are 32-bit integers: a seed from 2**31 on is kept as its decimal text."""
    ds = monte_carlo("NMC811", samples=5, seed=seed, routes=["hydrometallurgical"], indicators=GWP, progress=False)
    assert int(ds.attrs["seed"]) == seed
    back = _round_trip(ds, tmp_path)
    _assert_same(ds, back)
    assert int(back.attrs["seed"]) == seed


def test_a_random_seed_is_one_netcdf_can_store(monkeypatch):
    """The random seed used to be drawn below 2**32: about half the runs without a seed could not be written."""

    real = np.random.SeedSequence

    def seed_sequence(*args, **kwargs):  # no argument: the run's random seed; else the streams' own
        if args or kwargs:
            return real(*args, **kwargs)
        return SimpleNamespace(entropy=2**128 - 1)  # the largest entropy: its seed used to be 2**32 - 1

    monkeypatch.setattr(np.random, "SeedSequence", seed_sequence)
    ds = monte_carlo("NMC811", samples=5, routes=["hydrometallurgical"], indicators=GWP, progress=False)
    assert ds.attrs["seed"] == (2**128 - 1) % 2**31


def test_the_command_line_still_prints_a_large_seed_as_a_number():
    from click.testing import CliRunner

    from cathode_lca.cli import cli

    args = ["uncertainty", "NMC811", "--samples", "5", "--seed", str(2**40), "--route", "hydrometallurgical"]
    result = CliRunner().invoke(cli, [*args, "--indicator", "gwp100", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metadata"]["seed"] == 2**40
