"""Statistics of the Monte Carlo machinery, reproducibility, common random numbers, sweeps, sensitivity."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import model_for

from cathode_lca.cli import cli
from cathode_lca.errors import UsageError
from cathode_lca.uncertainty.monte_carlo import monte_carlo, propagate
from cathode_lca.uncertainty.parameters import parse_distribution
from cathode_lca.uncertainty.sensitivity import ranking, sensitivity
from cathode_lca.uncertainty.sweep import parse_grid, sweep

ELECTRICITY = {"cathode_electricity_nmc811": {"type": "uniform", "minimum": 10.0, "maximum": 50.0}}


def test_linear_toy_matches_analytic_mean_and_variance(test_method):
    n = 40_000
    ds = propagate(model_for("toy-uncertain.yaml"), {"toy": 1.0}, samples=n, seed=7, methods=[test_method])
    y = ds.score.sel(lcia_method="test-gwp").values
    mean = 4 + 6 * math.exp(0.045) + 1
    var = 4 * (4 / 12) + 9 * (math.exp(0.09) - 1) * math.exp(2 * math.log(2) + 0.09)
    assert abs(y.mean() - mean) < 4 * math.sqrt(var / n)
    # standard error of the sample variance ≈ var * sqrt(2/(n-1)) for near-normal data; allow a wide margin
    assert y.var(ddof=1) == pytest.approx(var, rel=0.05)


def test_propagate_draws_every_parameter_from_its_own_stream(test_method):
    """Without defaults too, the draws are the counter-based streams of monte_carlo(): sample i of u is
    draw(u's distribution, seed, u's key, i, i + 1), so the score is known sample by sample."""
    from cathode_lca.uncertainty.streams import draw

    model = model_for("toy-uncertain.yaml")
    n = 500
    ds = propagate(model, {"toy": 1.0}, samples=n, seed=7, methods=[test_method])
    u_key, x_key = model.parameters.key("u"), model.parameters.key("x")
    u = draw(model.parameters.distribution(u_key), 7, u_key, 0, n)
    x = draw(model.parameters.distribution(x_key), 7, x_key, 0, n)
    assert u.min() >= 1.0 and u.max() <= 3.0 and x.min() > 0
    np.testing.assert_allclose(ds.score.sel(lcia_method="test-gwp").values.ravel(), 2 * u + 3 * x + 1, rtol=1e-13)
    tail = propagate(model, {"toy": 1.0}, samples=n + 3, seed=7, methods=[test_method])  # a longer run extends it
    np.testing.assert_array_equal(
        tail.score.sel(lcia_method="test-gwp").values.ravel()[:n], ds.score.sel(lcia_method="test-gwp").values.ravel()
    )


def test_lognormal_deterministic_value_is_the_median(test_method):
    ds = propagate(
        model_for("toy-uncertain.yaml"),
        {"toy": 1.0},
        samples=20_000,
        seed=3,
        methods=[test_method],
        parameters={"u": 2.0},
    )
    y = ds.score.sel(lcia_method="test-gwp").values
    deterministic = 2 * 2 + 3 * 2 + 1
    assert np.median(y) == pytest.approx(deterministic, rel=0.01)
    assert y.mean() > deterministic


@pytest.mark.slow
def test_same_seed_reproduces_bit_for_bit():
    a = monte_carlo("NMC811", samples=300, seed=11, distributions=ELECTRICITY, chunk_size=100)
    b = monte_carlo("NMC811", samples=300, seed=11, distributions=ELECTRICITY, chunk_size=100)
    np.testing.assert_array_equal(a.samples.values, b.samples.values)
    c = monte_carlo("NMC811", samples=300, seed=12, distributions=ELECTRICITY, chunk_size=100)
    assert not np.array_equal(a.samples.values, c.samples.values)
    assert a.attrs["seed"] == 11 and a.attrs["chunk_size"] == 100


@pytest.mark.slow
def test_threads_scheduler_gives_identical_results():
    serial = monte_carlo("NMC811", samples=300, seed=5, distributions=ELECTRICITY, chunk_size=100)
    threaded = monte_carlo(
        "NMC811", samples=300, seed=5, distributions=ELECTRICITY, chunk_size=100, scheduler="threads"
    )
    np.testing.assert_array_equal(serial.samples.values, threaded.samples.values)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results():
    from dask.distributed import Client, LocalCluster

    serial = monte_carlo("NMC811", samples=200, seed=9, distributions=ELECTRICITY, chunk_size=50)
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        distributed = monte_carlo(
            "NMC811", samples=200, seed=9, distributions=ELECTRICITY, chunk_size=50, scheduler=client
        )
    np.testing.assert_array_equal(serial.samples.values, distributed.samples.values)


@pytest.mark.slow
def test_common_random_numbers_reduce_variance_of_the_difference():
    """Electricity of the cathode plant is shared by both routes: with shared draws it cancels."""
    n = 400
    only = {"distributions": ELECTRICITY, "default_uncertainty": False}  # one shared input: it must cancel
    shared = monte_carlo("NMC811", routes=["virgin", "hydrometallurgical"], samples=n, seed=1, **only)
    diff_shared = (shared.samples.sel(route="hydrometallurgical") - shared.samples.sel(route="virgin")).sel(
        indicator="gwp100"
    )
    other = monte_carlo("NMC811", routes=["virgin", "hydrometallurgical"], samples=n, seed=2, **only)
    diff_independent = (
        other.samples.sel(route="hydrometallurgical", indicator="gwp100").values
        - shared.samples.sel(route="virgin", indicator="gwp100").values
    )
    assert float(diff_shared.var()) < 0.1 * float(np.var(diff_independent))


@pytest.mark.slow
def test_statistics_and_probability():
    ds = monte_carlo("NMC811", samples=400, seed=4, distributions=ELECTRICITY, routes=["virgin", "direct"])
    y = ds.samples.sel(route="direct", indicator="gwp100").values
    st = ds.statistics.sel(route="direct", indicator="gwp100")
    assert float(st.sel(statistic="mean")) == pytest.approx(y.mean())
    assert float(st.sel(statistic="q97.5")) == pytest.approx(np.quantile(y, 0.975))
    diff = y - ds.samples.sel(route="virgin", indicator="gwp100").values
    assert float(ds.p_lower_than_virgin.sel(route="direct", indicator="gwp100")) == pytest.approx((diff < 0).mean())
    assert ds.parameter_samples.sizes["parameter"] >= 1


@pytest.mark.slow
def test_netcdf_output_round_trip(tmp_path):
    import xarray as xr

    out = tmp_path / "mc.nc"
    result = CliRunner().invoke(
        cli,
        [
            "uncertainty",
            "NMC811",
            "--samples",
            "50",
            "--seed",
            "1",
            "--vary",
            "cathode_electricity_nmc811=uniform:10:50",
            "--format",
            "netcdf",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    ds = xr.open_dataset(out, engine="scipy")
    assert ds.sizes["sample"] == 50 and int(ds.attrs["seed"]) == 1
    again = CliRunner().invoke(
        cli, ["uncertainty", "NMC811", "--samples", "50", "--format", "netcdf", "--out", str(out)]
    )
    assert again.exit_code != 0 and "--overwrite" in str(again.exception)


def test_uncertainty_cli_json():
    result = CliRunner().invoke(
        cli,
        [
            "uncertainty",
            "NMC811",
            "--samples",
            "100",
            "--seed",
            "2",
            "--vary",
            "hydro_recovery_ni=uniform:0.9:0.99",
            "--indicator",
            "gwp100",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    hydro = next(r for r in payload["results"] if r["route"] == "hydrometallurgical")
    assert {"deterministic", "mean", "median", "std", "q2.5", "q97.5", "difference", "p_lower_than_virgin"} <= set(
        hydro
    )
    assert payload["metadata"]["seed"] == 2


def test_no_uncertain_parameter_is_a_clear_error(test_method):
    with pytest.raises(UsageError, match="at least 2 samples"):
        monte_carlo("NMC811", samples=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uniform:1:2", {"type": "uniform", "minimum": 1.0, "maximum": 2.0}),
        ("normal:5:0.5", {"type": "normal", "loc": 5.0, "scale": 0.5}),
        ("lognormal:2:1.21", {"type": "lognormal", "gsd2": 1.21, "loc": math.log(2)}),
    ],
)
def test_parse_distribution(text, expected):
    assert parse_distribution(text) == expected


@pytest.mark.parametrize("text", ["weibull:1:2", "uniform:1", "uniform:a:b", "lognormal:-1:1.2"])
def test_parse_distribution_errors(text):
    with pytest.raises(UsageError):
        parse_distribution(text)


def test_sweep_grid_dimensions_and_values():
    ds = sweep("NMC811", {"plant_region": ["US", "CN"], "hydro_recovery_ni": [0.9, 0.98]}, indicators=["gwp100"])
    assert ds.value.dims == ("route", "indicator", "plant_region", "hydro_recovery_ni")
    from cathode_lca.comparison import compare

    single = compare("NMC811", region="CN", indicators=["gwp100"], parameters={"hydro_recovery_ni": 0.9})
    assert float(
        ds.value.sel(route="hydrometallurgical", indicator="gwp100", plant_region="CN", hydro_recovery_ni=0.9)
    ) == pytest.approx(float(single.value.sel(route="hydrometallurgical", indicator="gwp100")), rel=1e-12)


def test_sweep_list_mode_and_errors():
    ds = sweep(
        "NMC811", {"plant_region": ["US", "FR"], "hydro_recovery_ni": [0.9, 0.95]}, mode="list", indicators=["gwp100"]
    )
    assert ds.sizes["scenario"] == 2
    with pytest.raises(UsageError, match="same number of values"):
        sweep("NMC811", {"plant_region": ["US"], "hydro_recovery_ni": [0.9, 0.95]}, mode="list")
    with pytest.raises(UsageError):
        parse_grid(["plant_region"])


def test_sweep_cli_csv():
    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            "NMC811",
            "--grid",
            "plant_region=US,CN",
            "--indicator",
            "gwp100",
            "--route",
            "virgin",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("route,indicator,plant_region")
    assert len(result.output.strip().splitlines()) == 3


def test_sobol_finds_the_dominant_parameter():
    """Only two parameters vary; the one with the wider range dominates the total-order index."""
    ds = sensitivity(
        "NMC811",
        routes=["hydrometallurgical"],
        samples=256,
        distributions={
            "hydro_recovery_ni": {"type": "uniform", "minimum": 0.5, "maximum": 0.98},
            "hydro_recovery_mn": {"type": "uniform", "minimum": 0.97, "maximum": 0.98},
        },
        default_uncertainty=False,
    )
    top = ranking(ds, "hydrometallurgical", "gwp100", 2)
    assert top[0][0] == "hydro_recovery_ni"
    assert float(ds.ST.sel(route="hydrometallurgical", indicator="gwp100", parameter="hydro_recovery_ni")) > 0.9


@pytest.mark.slow
def test_morris_cli_runs():
    result = CliRunner().invoke(
        cli,
        [
            "sensitivity",
            "LFP",
            "--method",
            "morris",
            "--samples",
            "10",
            "--spread",
            "0.1",
            "--indicator",
            "gwp100",
            "--top",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "mu_star" in result.output


def test_warning_when_no_uncertain_parameter_matters():
    quiet = monte_carlo("NMC811", samples=20, seed=1, routes=["virgin"], default_uncertainty=False)
    assert "none of the uncertain parameters" in quiet.attrs["warnings"]
    varied = monte_carlo(
        "NMC811", samples=20, seed=1, routes=["virgin"], distributions=ELECTRICITY, default_uncertainty=False
    )
    assert json.loads(varied.attrs["warnings"]) == []


@pytest.mark.slow
def test_sweep_in_chunks_and_through_dask_gives_the_same_values():
    grid = {"plant_region": ["US", "CN", "FR"], "hydro_recovery_ni": [0.9, 0.95, 0.98]}
    whole = sweep("NMC811", grid, indicators=["gwp100"])
    chunked = sweep("NMC811", grid, indicators=["gwp100"], chunk_size=2)
    threaded = sweep("NMC811", grid, indicators=["gwp100"], chunk_size=4, scheduler="threads")
    np.testing.assert_allclose(chunked.value.values, whole.value.values, rtol=1e-12)
    np.testing.assert_allclose(threaded.value.values, whole.value.values, rtol=1e-12)


def test_cli_uncertainty_prints_warnings_with_the_common_prefix():
    from click.testing import CliRunner

    from cathode_lca.cli import cli

    result = CliRunner().invoke(
        cli,
        ["uncertainty", "NMC811", "--samples", "20", "--seed", "1", "--route", "virgin", "--no-default-uncertainty"],
    )
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("warning: ") and "none of the uncertain parameters" in line
        for line in result.stderr.splitlines()
    )


def test_a_distribution_too_wide_to_draw_from_is_refused_by_name_without_a_numpy_warning():
    """A lognormal with sigma 400 overflows exp(); the run stops with a ParameterError naming the
    parameter and how many draws failed, and no RuntimeWarning leaks to the host application."""
    import warnings

    from cathode_lca.errors import ParameterError

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ParameterError, match=r"of the 200 values for 'hydro_water' are NaN or infinite") as info:
            monte_carlo(
                "NMC811",
                routes=["virgin", "hydrometallurgical"],
                samples=200,
                seed=1,
                progress=False,
                kernel="numpy",
                default_uncertainty=False,
                distributions={"hydro_water": {"type": "lognormal", "loc": 0.0, "scale": 400.0}},
            )
    assert "narrow it" in (info.value.hint or "")


def test_propagate_with_a_large_seed_writes_to_netcdf(test_method, tmp_path):
    """netCDF3 attributes are 32-bit integers: a seed from 2**31 on is stored as its decimal text."""
    import xarray as xr

    seed = 2**40 + 3
    ds = propagate(model_for("toy-uncertain.yaml"), {"toy": 1.0}, samples=50, seed=seed, methods=[test_method])
    assert ds.attrs["seed"] == str(seed)
    ds.to_netcdf(tmp_path / "p.nc")
    with xr.open_dataset(tmp_path / "p.nc") as back:
        assert back.attrs["seed"] == str(seed)
        assert np.array_equal(back.score.values, ds.score.values)
