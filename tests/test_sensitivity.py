"""Saltelli's design for Sobol indices: the vectorised sampler gives SALib's matrix."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize(("dimensions", "samples", "seed"), [(1, 8, 0), (5, 16, 3), (12, 64, 7)])
def test_saltelli_design_equals_salibs_sampler_bit_for_bit(dimensions, samples, seed):
    from SALib.sample import sobol as sobol_sample

    from cathode_lca.uncertainty.sensitivity import saltelli

    problem = {
        "num_vars": dimensions,
        "names": [f"x{i}" for i in range(dimensions)],
        "bounds": [[0.0, 1.0]] * dimensions,
    }
    expected = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    np.testing.assert_array_equal(saltelli(dimensions, samples, seed), expected)


@pytest.mark.parametrize("seed", [0, 5])
def test_the_same_seed_gives_the_same_confidence_intervals_seed_zero_included(seed):
    """SALib's sobol.analyze skips its seed when it is falsy; seed 0 (the CLI default) must still reproduce."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.sensitivity import sensitivity

    model = default_model()
    kw = {"model": model, "progress": False, "samples": 16, "seed": seed, "routes": ["virgin"]}
    a, b = sensitivity("LFP", **kw), sensitivity("LFP", **kw)
    for name in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert np.isfinite(a.S1_conf.values).any()


def test_sensitivity_json_metadata_nests_objects_not_json_text():
    import json

    from click.testing import CliRunner

    from cathode_lca.cli import cli

    args = ["sensitivity", "LFP", "--route", "virgin", "--samples", "8", "--indicator", "gwp100", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)["metadata"]
    assert meta["background"]["kind"] == "shipped"  # was a string holding JSON
    assert isinstance(meta["distributions"], dict) and meta["distributions"]


def test_sensitivity_and_sweep_results_carry_their_provenance():
    """Version, LCIA methods and solver, as every result does (they were missing from both)."""
    from cathode_lca import __version__
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.sensitivity import sensitivity
    from cathode_lca.uncertainty.sweep import sweep

    model = default_model()
    sens = sensitivity("LFP", model=model, progress=False, samples=8, routes=["virgin"])
    swept = sweep("LFP", {"plant_region": ["US", "CN"]}, model=model, routes=["virgin"], indicators=["gwp100", "water"])
    for ds in (sens, swept):
        assert ds.attrs["package_version"] == __version__
        assert ds.attrs["solver"] and ds.attrs["inventory_hash"] == model.inventory.content_hash
        assert ds.attrs["functional_unit_code"] == "kg-cam"  # the --unit code, as compare's results carry it
    assert sens.attrs["technique"] == "sobol" and sens.attrs["methods"] == "ipcc2021-gwp100"
    assert swept.attrs["methods"] == "ipcc2021-gwp100, water"
