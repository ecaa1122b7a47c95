"""Scenario files from Python: ``compare(..., scenarios=[...])`` does what ``--scenario`` does.

A reporting tool's developer found no way to apply a scenario file from Python, so results made
there never carried the scenario hashes that ``cathode-lca compare --scenario FILE`` records.
The same file through the command line (JSON output) and through Python must give the same
numbers and the same provenance (name, path and sha256 of the file, overridden parameters).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca import compare
from cathode_lca.cli import cli
from cathode_lca.errors import UsageError
from cathode_lca.result_warnings import warnings_of

ROOT = Path(__file__).resolve().parents[1]
PLANT = "examples/plants/eu-hydro-recycler.yaml"  # relative, as a user types it: the path is recorded as given
GWP = ["gwp100"]


def _cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["compare", "NMC811", *args, "--indicator", "gwp100", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.slow
def test_a_plant_file_through_python_matches_the_command_line(in_root):
    payload = _cli_json("--scenario", PLANT, "--param", "hydro_recovery_ni=0.95")
    ds = compare("NMC811", indicators=GWP, scenarios=[PLANT], parameters={"hydro_recovery_ni": 0.95})
    for row in payload["results"]:
        value = float(ds.value.sel(route=row["route"], indicator="gwp100"))
        assert value == pytest.approx(row["value"], rel=1e-12, abs=1e-12), row["route"]
    scenarios = json.loads(ds.attrs["scenarios"])
    assert scenarios == payload["metadata"]["scenarios"]
    # the hash is the file's, computed here independently
    assert scenarios[0]["sha256"] == hashlib.sha256((ROOT / PLANT).read_bytes()).hexdigest()
    assert json.loads(ds.attrs["overridden_parameters"]) == payload["metadata"]["overridden_parameters"]
    assert ds.attrs["parameter_precedence"] == payload["metadata"]["parameter_precedence"]
    assert warnings_of(ds) == payload["warnings"]  # e.g. the plants' own regions next to the shortcut


def test_the_scenario_changes_the_numbers(in_root):
    plain = compare("NMC811", routes=["hydrometallurgical"], indicators=GWP)
    with_plant = compare("NMC811", routes=["hydrometallurgical"], indicators=GWP, scenarios=[Path(PLANT)])
    assert "scenarios" not in plain.attrs
    assert float(with_plant.value.sum()) != pytest.approx(float(plain.value.sum()), rel=1e-6)


@pytest.mark.slow
def test_a_named_scenario_sets_the_region_unless_one_is_given(in_root):
    payload = _cli_json("--scenario", "eu-2030-recycler")
    ds = compare("NMC811", indicators=GWP, scenarios=["eu-2030-recycler"])
    assert ds.attrs["region"] == payload["region"] != "US"  # the scenario's plant_region, as on the command line
    for row in payload["results"]:
        assert float(ds.value.sel(route=row["route"], indicator="gwp100")) == pytest.approx(row["value"], rel=1e-12)
    explicit = _cli_json("--scenario", "eu-2030-recycler", "--region", "US")
    us = compare("NMC811", indicators=GWP, scenarios=["eu-2030-recycler"], region="US")
    assert us.attrs["region"] == explicit["region"] == "US"
    assert float(us.value.sel(route="virgin", indicator="gwp100")) == pytest.approx(
        explicit["results"][0]["value"], rel=1e-12
    )


@pytest.mark.parametrize("scenarios", [PLANT, Path(PLANT)])
def test_one_scenario_given_bare_is_not_read_letter_by_letter(scenarios):
    with pytest.raises(UsageError, match=r"scenarios must be a list of scenario files or names.*Fix: write \["):
        compare("NMC811", scenarios=scenarios)


@pytest.mark.parametrize("scenarios", [[1], {"a": 1}, [None]])
def test_scenarios_of_the_wrong_type_are_refused(scenarios):
    with pytest.raises(UsageError, match="scenarios must be a list of scenario files or names"):
        compare("NMC811", scenarios=scenarios)


def test_a_missing_scenario_file_is_the_command_lines_error(tmp_path):
    from cathode_lca.errors import CathodeLCAError

    with pytest.raises(CathodeLCAError, match="missing.yaml"):
        compare("NMC811", scenarios=[tmp_path / "missing.yaml"])


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(
        cli, [*args, "--route", "hydrometallurgical", "--indicator", "gwp100", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
def test_monte_carlo_with_a_scenario_matches_the_command_line(in_root):
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    payload = _cli("uncertainty", "NMC811", "--samples", "20", "--seed", "3", "--scenario", PLANT)
    ds = monte_carlo(
        "NMC811", samples=20, seed=3, routes=["hydrometallurgical"], indicators=GWP, scenarios=[PLANT], progress=False
    )
    row = payload["results"][0]
    at = {"route": "hydrometallurgical", "indicator": "gwp100"}
    assert float(ds.deterministic.sel(**at)) == pytest.approx(row["deterministic"], rel=1e-12)
    assert float(ds.samples.sel(**at).mean()) == pytest.approx(row["mean"], rel=1e-12)
    assert json.loads(ds.attrs["scenarios"]) == payload["metadata"]["scenarios"]
    assert json.loads(ds.attrs["overridden_parameters"]) == payload["metadata"]["overridden_parameters"]


def test_sweep_with_a_scenario_matches_the_command_line(in_root):
    from cathode_lca.uncertainty.sweep import sweep

    payload = _cli("sweep", "NMC811", "--grid", "hydro_recovery_ni=0.9,0.95", "--scenario", PLANT)
    ds = sweep(
        "NMC811", {"hydro_recovery_ni": [0.9, 0.95]}, routes=["hydrometallurgical"], indicators=GWP, scenarios=[PLANT]
    )
    for row in payload["results"]:
        at = {"route": "hydrometallurgical", "indicator": "gwp100", "hydro_recovery_ni": row["hydro_recovery_ni"]}
        assert float(ds.value.sel(**at)) == pytest.approx(row["value"], rel=1e-12)
    assert json.loads(ds.attrs["scenarios"]) == payload["metadata"]["scenarios"]
    plain = sweep("NMC811", {"hydro_recovery_ni": [0.9, 0.95]}, routes=["hydrometallurgical"], indicators=GWP)
    assert "scenarios" not in plain.attrs and float(plain.value[0, 0, 0]) != pytest.approx(float(ds.value[0, 0, 0]))


@pytest.mark.slow
def test_sensitivity_with_a_scenario_matches_the_command_line(in_root):
    from cathode_lca.uncertainty.sensitivity import sensitivity

    args = ["sensitivity", "NMC811", "--technique", "morris", "--samples", "8", "--seed", "2", "--scenario", PLANT]
    payload = _cli(*args)
    ds = sensitivity(
        "NMC811", method="morris", samples=8, seed=2, routes=["hydrometallurgical"], indicators=GWP, scenarios=[PLANT]
    )
    rows = [r for r in payload["ranking"] if r["route"] == "hydrometallurgical"]
    assert rows
    for row in rows:
        at = {"route": "hydrometallurgical", "indicator": "gwp100", "parameter": row["parameter"]}
        assert float(ds.mu_star.sel(**at)) == pytest.approx(row["mu_star"], rel=1e-12)
    assert json.loads(ds.attrs["scenarios"]) == payload["metadata"]["scenarios"]
