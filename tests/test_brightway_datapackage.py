"""bw_processing datapackages: bw2calc with use_arrays reproduces our engine column by column."""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import DATA, model_for

from cathode_lca.brightway import datapackage as dp_module
from cathode_lca.brightway.datapackage import write_datapackage
from cathode_lca.cli.brightway import brightway
from cathode_lca.errors import UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway  # needs bw2data / bw2calc / bw_processing


def load(path):
    import bw_processing as bwp
    from fsspec.implementations.zip import ZipFileSystem

    return bwp.load_datapackage(ZipFileSystem(str(path)))


def bw2calc_columns(path, demand: dict[int, float], columns: int, use_arrays: bool = True) -> list[float]:
    """Scores of every column, iterating the sequential package with next(lca)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        lca = bw2calc.LCA(demand, data_objs=[load(path)], use_arrays=use_arrays)
        lca.lci()
        lca.lcia()
        out = [float(lca.score)]
        for _ in range(columns - 1):
            next(lca)
            out.append(float(lca.score))
    return out


def score(model, demand, method, **kwargs) -> float:
    ds = model.calculate(demand, methods=[method], contributions=False, **kwargs)
    return float(ds.score.values[0])


def test_hand_solvable_scenarios(tmp_path):
    """chain.yaml by hand, per kg C: GWP = b*(0.5*0.4 + 0.003*1) + 0.1 + 30 * b*0.003*0.01."""
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    info = write_datapackage(
        tmp_path / "chain.zip",
        model_for("chain.yaml"),
        method=method,
        scenarios={"low": {"b_per_c": 1.5}, "high": {"b_per_c": 2.5}},
    )
    assert info.column_names == ["low", "high"] and info.parameters == {"chain::b_per_c": [1.5, 2.5]}
    scores = bw2calc_columns(tmp_path / "chain.zip", {info.product_id("c"): 1.0}, 2)
    assert scores == pytest.approx(
        [1.5 * 0.203 + 0.1 + 30 * 1.5 * 3e-5, 2.5 * 0.203 + 0.1 + 30 * 2.5 * 3e-5], rel=1e-12
    )
    # without arrays bw2calc sees the default parameters (b = 2): 0.5078 by hand
    assert bw2calc_columns(tmp_path / "chain.zip", {info.product_id("c"): 1.0}, 1, use_arrays=False) == (
        pytest.approx([0.5078], rel=1e-12)
    )


def test_cells_with_constant_and_parameterised_entries_are_complete_in_every_column(write_yaml, tmp_path):
    """x takes 1 kg of y (constant) plus k kg of y (formula) in the same cell: GWP = (1 + k) * 2."""
    path = write_yaml(
        """
include: [flows.yaml]
parameters:
  k: {value: 0.5, source: test}
datasets:
  - id: x
    name: x
    stage: chemicals
    exchanges:
      - {input: y, amount: 1, unit: kg, source: test}
      - {input: y, amount: k, unit: kg, source: test}
  - id: y
    name: y
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 2, unit: kg, source: test}
"""
    )
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    info = write_datapackage(
        tmp_path / "x.zip", LCAModel(load_inventory([path])), method=method, scenarios={"a": {"k": 0}, "b": {"k": 3}}
    )
    assert bw2calc_columns(tmp_path / "x.zip", {info.product_id("x"): 1.0}, 2) == pytest.approx([2.0, 8.0], rel=1e-12)


def test_monte_carlo_samples_match_the_engine_column_by_column(tmp_path):
    model = default_model()
    dataset = "lithium-carbonate-brine-atacama-istrate2024"
    info = write_datapackage(tmp_path / "mc.zip", model, samples=5, seed=11)
    assert info.seed == 11 and info.columns == 5
    assert set(info.parameters) == set(model.parameters.uncertain())
    from cathode_lca.uncertainty.streams import draw

    for key, values in info.parameters.items():  # the Monte Carlo's own streams: the same seed, the same draws
        np.testing.assert_array_equal(values, draw(model.parameters.distribution(key), 11, key, 0, 5))
    scores = bw2calc_columns(tmp_path / "mc.zip", {info.product_id(dataset): 1.0}, 5)
    for i, value in enumerate(scores):
        sample = {k: v[i] for k, v in info.parameters.items()}
        assert value == pytest.approx(score(model, {dataset: 1.0}, "ipcc2021-gwp100", parameters=sample), rel=1e-9)
    assert len(set(np.round(scores, 12))) == 5  # the columns really differ
    # same seed, same draws
    again = write_datapackage(tmp_path / "mc2.zip", model, samples=5, seed=11)
    assert again.parameters == info.parameters


def test_region_scenarios_and_metadata(tmp_path):
    model = default_model()
    scenarios = {"US": {"plant_region": "US"}, "CN": {"plant_region": "CN", "hydro_recovery_ni": 0.9}}
    info = write_datapackage(tmp_path / "r.zip", model, scenarios=scenarios, method="ced", allocation="cut-off")
    dataset = "cam-nmc811-hydrometallurgical"
    scores = bw2calc_columns(tmp_path / "r.zip", {info.product_id(dataset): 2.0}, 2)
    for value, name in zip(scores, ["US", "CN"], strict=True):
        expected = score(model, {dataset: 2.0}, "ced", parameters=scenarios[name], allocation="cut-off")
        assert value == pytest.approx(expected, rel=1e-9)
    meta = load(tmp_path / "r.zip").metadata["cathode_lca"]
    assert meta["inventory_hash"] == model.inventory.content_hash
    assert meta["method"] == "ced" and meta["allocation"] == "cut-off" and meta["columns"] == ["US", "CN"]
    assert meta["products"][info.product_id(dataset) - 1] == dataset
    assert meta["column_parameters"]["hydro_recovery_ni"] == [0.98, 0.9]  # the default where a scenario is silent


def test_overwrite_is_refused_and_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    model = model_for("chain.yaml")
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    target = tmp_path / "m.zip"
    write_datapackage(target, model, method=method)
    original = target.read_bytes()
    with pytest.raises(UsageError, match="already exists"):
        write_datapackage(target, model, method=method)

    def boom(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(dp_module, "_write_zip", boom)
    with pytest.raises(RuntimeError, match="injected"):
        write_datapackage(target, model, method=method, overwrite=True)
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]  # no temporary file left


def test_bad_requests_are_usage_errors(tmp_path):
    model = model_for("chain.yaml")
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    with pytest.raises(UsageError, match="either samples or scenarios"):
        write_datapackage(tmp_path / "a.zip", model, method=method, samples=2, scenarios={"s": {"b_per_c": 1}})
    with pytest.raises(UsageError, match="no parameter has a distribution"):
        write_datapackage(tmp_path / "b.zip", model_for("multi.yaml"), method=method, samples=2)
    with pytest.raises(UsageError, match="between 1 and"):
        write_datapackage(tmp_path / "c.zip", model, method=method, samples=-1)
    assert not any(tmp_path.iterdir())


def test_cli_datapackage(tmp_path):
    runner = CliRunner()
    out = tmp_path / "mc.zip"
    result = runner.invoke(brightway, ["datapackage", str(out), "--samples", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "3 columns (samples, seed 5)" in result.output and out.is_file()
    assert load(out).metadata["cathode_lca"]["seed"] == 5
    again = runner.invoke(brightway, ["datapackage", str(out)])
    assert isinstance(again.exception, UsageError) and "already exists" in str(again.exception)
    scenarios = tmp_path / "regions.yaml"
    scenarios.write_text("US: {plant_region: US}\nKR: {plant_region: KR}\n")
    result = runner.invoke(
        brightway, ["datapackage", str(tmp_path / "s.zip"), "--scenarios", str(scenarios), "--method", "water"]
    )
    assert result.exit_code == 0, result.output
    assert "scenarios: US, KR" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("US: 3\n")
    failed = runner.invoke(brightway, ["datapackage", str(tmp_path / "t.zip"), "--scenarios", str(bad)])
    assert "scenario 'US' must map parameter names to values" in str(failed.exception)


def test_docs_brightway_python_snippets_run(tmp_path):
    """Every ```python block of docs/brightway.md, in order, in a scratch Brightway folder."""
    import re
    import subprocess
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "brightway.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 3
    script = tmp_path / "snippets.py"
    script.write_text("\n\n".join(blocks))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), BRIGHTWAY2_DIR=str(scratch))
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "(plant in China)" in result.stdout and "sulfuric acid on the toy background: 0.15625" in result.stdout
