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


def test_a_run_too_large_for_the_memory_is_refused_before_it_starts(monkeypatch, capsys):
    """--spread 0.1 varies about 410 parameters. N = 200,000 passed the --samples check (a per-sample estimate
    without D) and died in numpy with "Unable to allocate 252. GiB" for the whole design; the design is now
    built block by block, and what is left is refused first. By hand, against a machine with 512 MiB free:
    Sobol, 1,024 samples, 100 parameters, 21 outputs: 1,024 × 102 × 21 × 8 × 2 = 35,094,528 bytes: fits;
    4,096 samples of 410 parameters: 4,096 × 412 × 21 × 16 = 567,017,472 bytes (0.5 GiB): refused;
    Morris keeps its design: 100,000 × 101 × 100 × 24 = 24.2 GB: refused."""
    from conftest import run_main

    from cathode_lca import system
    from cathode_lca.errors import LimitError
    from cathode_lca.uncertainty.sensitivity import check_design_memory

    monkeypatch.setattr(system, "available_memory", lambda: 512 * 2**20)
    check_design_memory("sobol", 1024, 100, outputs=21)
    with pytest.raises(LimitError, match=r"4,096 samples of 410 parameters needs 1,687,552 model evaluations") as info:
        check_design_memory("sobol", 4096, 410, outputs=21)
    assert "about 0.5 GiB" in info.value.message and "0.5 GiB available" in info.value.message
    with pytest.raises(LimitError, match="morris with 100,000 samples of 100 parameters needs a design of"):
        check_design_memory("morris", 100_000, 100)
    code, _out, err = run_main(["sensitivity", "NMC811", "--spread", "0.1", "--samples", "65536"], capsys)
    assert code == 2 and "model evaluations" in err and "Traceback" not in err


def test_the_sobol_design_made_block_by_block_equals_the_whole_matrix():
    """SobolDesign[a:b] must give the bits of ppf_columns(clip(saltelli(...)))[a:b] for any block, also one that
    starts and ends inside a point's D + 2 rows (the model runs in blocks of 20,000 rows, not of whole points)."""
    from cathode_lca.uncertainty.sensitivity import SobolDesign, saltelli, sobol_base
    from cathode_lca.uncertainty.streams import ppf_columns

    dists = {
        "a": {"type": "lognormal", "loc": 0.3, "scale": 0.2},
        "b": {"type": "uniform", "minimum": 1.0, "maximum": 3.0},
        "c": {"type": "triangular", "minimum": 0.0, "loc": 0.2, "maximum": 1.0},
    }
    names = sorted(dists)
    whole = ppf_columns(dists, names, np.clip(saltelli(3, 16, seed=5), 1e-9, 1 - 1e-9))
    design = SobolDesign(dists, names, sobol_base(3, 16, seed=5))
    assert len(design) == 16 * 5 == len(whole)
    for a, b in [(0, 80), (0, 1), (3, 7), (4, 5), (5, 10), (7, 61), (79, 80)]:
        np.testing.assert_array_equal(design[a:b], whole[a:b])
