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


def test_a_design_too_large_for_the_memory_is_refused_before_it_is_made(monkeypatch, capsys):
    """--spread 0.1 varies about 410 parameters: N = 200,000 would need 200,000 × 412 rows × 410 columns × 8 bytes
    × 2 = 504 GiB. It used to pass the --samples check (a per-sample estimate without D) and die in numpy with
    "Unable to allocate 252. GiB"; now it is refused first. By hand, against a machine with 512 MiB free:
    Sobol, 1,024 samples, 100 parameters: 1,024 × 102 × 100 × 8 × 2 = 167,116,800 bytes (159 MiB): fits;
    200 parameters: 1,024 × 202 × 200 × 8 × 2 = 661,913,600 bytes (631 MiB, 0.6 GiB): refused."""
    from conftest import run_main

    from cathode_lca import system
    from cathode_lca.errors import LimitError
    from cathode_lca.uncertainty.sensitivity import check_design_memory

    monkeypatch.setattr(system, "available_memory", lambda: 512 * 2**20)
    check_design_memory("sobol", 1024, 100)
    with pytest.raises(LimitError, match=r"1,024 samples of 200 parameters needs a design of 206,848 rows") as info:
        check_design_memory("sobol", 1024, 200)
    assert "about 0.6 GiB" in info.value.message and "0.5 GiB available" in info.value.message
    with pytest.raises(LimitError, match="morris with 100,000 samples"):
        check_design_memory("morris", 100_000, 100)  # 100,000 × 101 × 100 × 8 × 3 = 24.2 GB
    code, _out, err = run_main(["sensitivity", "NMC811", "--spread", "0.1", "--samples", "4096"], capsys)
    assert code == 2 and "needs a design of" in err and "Traceback" not in err
