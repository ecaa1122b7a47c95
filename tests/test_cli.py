"""CLI contract: JSON shapes, exit codes, no tracebacks for user errors, safe output files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main


def run(args, expect=0):
    result = CliRunner().invoke(cli, args, catch_exceptions=False, standalone_mode=True)
    assert result.exit_code == expect, result.output
    return result


def run_main(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def test_help_lists_commands():
    out = run(["--help"]).output
    for command in ("compute", "datasets", "validate", "parameters"):
        assert command in out


@pytest.mark.slow
def test_datasets_json_contract(data_dir):
    out = run(["datasets", "--format", "json", "--inventory", str(data_dir / "chain.yaml")]).output
    rows = json.loads(out)
    assert rows and set(rows[0]) == {"id", "name", "unit", "location", "stage"}
    assert any(r["id"] == "c" for r in rows)


@pytest.mark.slow
def test_datasets_search(data_dir):
    out = run(["datasets", "--search", "sulfuric", "--format", "json"]).output
    rows = json.loads(out)
    assert rows and all("sulfuric" in (r["id"] + r["name"]).lower() for r in rows)


def test_compute_json_contract():
    out = run(["compute", "sulfuric-acid-greet2022", "--format", "json"]).output
    payload = json.loads(out)
    assert list(payload) == ["dataset", "amount", "results", "metadata", "warnings"]
    assert all(sum(r["by_stage"].values()) == pytest.approx(r["value"], rel=1e-9) for r in payload["results"])
    assert payload["dataset"] == "sulfuric-acid-greet2022" and payload["amount"] == 1.0
    assert [r["indicator"] for r in payload["results"]] == ["gwp100", "energy", "water"]
    assert [r["method"] for r in payload["results"]] == ["ipcc2021-gwp100", "ced", "water"]
    assert [r["unit"] for r in payload["results"]] == ["kg CO2-eq", "MJ", "L"]
    gwp = payload["results"][0]["value"]
    assert gwp == pytest.approx(0.04407, rel=1e-3)  # GREET 2022 sulfuric acid, 44.07 g CO2e/kg
    meta = payload["metadata"]
    for key in ("package_version", "inventory_hash", "methods", "allocation", "parameter_set", "seed", "solver"):
        assert key in meta


def test_compute_ar5_differs_from_ar6():
    ar6 = json.loads(run(["compute", "electricity-grid-cn", "--format", "json", "--indicator", "gwp100"]).output)
    ar5 = json.loads(run(["compute", "electricity-grid-cn", "--format", "json", "--indicator", "gwp100-ar5"]).output)
    assert ar6["results"][0]["value"] != ar5["results"][0]["value"]


def test_compute_amount_and_csv():
    out = run(["compute", "sulfuric-acid-greet2022", "--amount", "2", "--format", "csv"]).output
    lines = out.strip().splitlines()
    # the rows name the dataset and the amount (the CSV used to give values with no "of what")
    assert lines[0] == "dataset,amount,amount_unit,indicator,method,unit,value,package_version,inventory_hash"
    assert lines[1].startswith("sulfuric-acid-greet2022,2.0,kg,gwp100,")
    assert float(lines[1].split(",")[6]) == pytest.approx(2 * 0.04407, rel=1e-3)


def test_compute_table_shows_stages():
    out = run(["compute", "sulfuric-acid-greet2022"]).output
    assert "gwp100" in out and "Contributions by stage" in out


def test_compute_param_override_changes_result():
    us = json.loads(run(["compute", "electricity-plant", "--format", "json"]).output)
    cn = json.loads(run(["compute", "electricity-plant", "--format", "json", "--param", "plant_region=CN"]).output)
    assert cn["results"][0]["value"] > us["results"][0]["value"]
    assert cn["metadata"]["parameters"] == {"plant_region": "CN"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compute", "no-such-dataset"], "unknown dataset or product"),
        (["compute", "sulfuric-acid-greet2022", "--param", "nonsense"], "is not NAME=VALUE"),
        (["compute", "sulfuric-acid-greet2022", "--param", "nope=1"], "unknown parameter"),
        (["compute", "electricity-plant", "--param", "plant_region=MARS"], "not a choice"),
        (["compute", "sulfuric-acid-greet2022", "--method", "nope"], "unknown method"),
        (["compute", "sulfuric-acid-greet2022", "--allocation", "magic"], "Invalid value"),
        (["validate", "/no/such/path"], "no such file or directory"),
    ],
)
def test_user_errors_exit_2_without_traceback(capsys, args, message):
    code, out, err = run_main(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_validate_reports_broken_file_with_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "datasets:\n  - id: x\n    name: X\n    stage: c\n    exchanges:\n      - {flow: nope, amount: 1, unit: kg, source: s}\n"
    )
    code, _out, err = run_main(["validate", str(bad)], capsys)
    assert code == 2 and "bad.yaml:6" in err and "unknown flow 'nope'" in err


def test_validate_fails_on_element_imbalance(tmp_path, data_dir):
    (tmp_path / "flows.yaml").write_text((data_dir / "flows.yaml").read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """include: [flows.yaml]
datasets:
  - id: salt
    name: salt
    stage: chemicals
    products: [{id: salt, properties: {Ni: 0.38}, source: s}]
  - id: cam
    name: cam
    stage: cam-production
    products: [{id: cam, properties: {Ni: 0.5}, source: s}]
    exchanges:
      - {input: salt, amount: 1.0, unit: kg, source: s}
"""
    )
    result = CliRunner().invoke(cli, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    fail = report["balance_failures"][0]
    assert fail["dataset"] == "cam" and fail["element"] == "Ni"
    assert fail["difference"] == pytest.approx(0.38 - 0.5)


def test_out_file_is_not_overwritten(tmp_path, capsys):
    target = tmp_path / "result.json"
    target.write_text("precious")
    code, _out, err = run_main(["compute", "sulfuric-acid-greet2022", "--format", "json", "--out", str(target)], capsys)
    assert code == 2 and "--overwrite" in err
    assert target.read_text() == "precious"
    main(["compute", "sulfuric-acid-greet2022", "--format", "json", "--out", str(target), "--overwrite"])
    assert json.loads(target.read_text())["dataset"] == "sulfuric-acid-greet2022"


def test_cli_start_does_not_import_heavy_modules():
    code = (
        "import sys, cathode_lca.cli; "
        "heavy = [m for m in ('bw2calc', 'bw2data', 'bw_processing', 'pint', 'xarray', 'scipy', 'pandas') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "cathode_lca.cli", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert "cathode-lca" in out


def test_validate_reports_unknown_name_in_product_property(tmp_path, data_dir):
    (tmp_path / "flows.yaml").write_text((data_dir / "flows.yaml").read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "include: [flows.yaml]\ndatasets:\n  - id: salt\n    name: salt\n    stage: chemicals\n"
        "    products: [{id: salt, properties: {Ni: ni_fraction}, source: s}]\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    assert any("unknown name 'ni_fraction'" in e and "bad.yaml:6" in e for e in errors)


# -- one composition of model + background + scenarios + --param for every computing command ------------


def test_scenario_model_applies_scenarios_then_params_on_the_model(tmp_path):
    from cathode_lca.cli.model import scenario_model

    scenario = tmp_path / "a.yaml"
    scenario.write_text(
        "format: cathode-lca-scenario/1\nname: a\nparameters:\n  hydro_recovery_ni: {value: 0.9, source: a}\n"
    )
    applied = scenario_model((str(scenario),), {"dist_recycler_to_cathode_mi": "160.9344km"})
    assert applied.model is not None
    key = applied.model.parameters.key("hydro_recovery_ni")
    assert applied.model.parameters.evaluate(applied.parameters)[key] == pytest.approx(0.9)  # scenario baked in
    assert applied.parameters["dist_recycler_to_cathode_mi"] == pytest.approx(100.0)  # 160.9344 km / 1.609344 km/mi
    assert [s["name"] for s in json.loads(applied.attrs["scenarios"])] == ["a"]


def test_scenario_model_without_scenarios_is_the_shipped_model_with_the_params():
    from cathode_lca.cli.model import scenario_model
    from cathode_lca.lca import default_model

    applied = scenario_model((), {"hydro_recovery_ni": 0.9})
    assert applied.model is default_model() and applied.parameters == {"hydro_recovery_ni": 0.9}
    assert applied.attrs == {}


def test_scenario_model_refuses_a_mapping_without_background():
    from cathode_lca.cli.model import scenario_model
    from cathode_lca.errors import UsageError

    with pytest.raises(UsageError, match="--mapping needs --background"):
        scenario_model((), {}, None, "ecoinvent-3.10-cutoff")


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "NMC811"],
        ["compute", "sulfuric-acid-greet2022"],
        ["report", "NMC811", "--out", "{tmp}/r.html"],
        ["uncertainty", "NMC811", "--scenario", "eu-2030-recycler"],
        ["sweep", "NMC811", "--grid", "hydro_recovery_ni=0.9,0.95", "--scenario", "eu-2030-recycler"],
        ["sensitivity", "NMC811"],
        ["passport", "examples/battery-nmc811.yaml"],
        ["brightway", "export", "--project", "never-made"],
        ["exchange", "olca", "--out", "{tmp}/o.zip"],
    ],
)
def test_every_computing_command_builds_its_model_through_scenario_model(args, tmp_path, monkeypatch, capsys):
    # a command that composed its own model would not meet the sentinel and would start computing
    import cathode_lca.cli.model as model_commands
    from cathode_lca.errors import CathodeLCAError

    def sentinel(*args, **kwargs):
        raise CathodeLCAError("model built by cli.model")

    monkeypatch.setattr(model_commands, "model_with_background", sentinel)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code, _out, err = run_main([a.replace("{tmp}", str(tmp_path)) for a in args], capsys)
    assert code == 2 and "model built by cli.model" in err


def test_a_run_too_large_for_memory_is_an_error_not_a_traceback(monkeypatch, capsys):
    """``sensitivity NMC811 --spread 0.1 --samples 200000`` passed the --samples memory check (an estimate per
    sample that leaves out Sobol's design of N x (D+2) x D values, D = 410 parameters with --spread) and then
    failed in numpy with a traceback: "Unable to allocate 252. GiB for an array with shape (200000, 412, 410)".
    Here the same numpy error is raised by the analysis (a real 252 GiB request fails or not depending on the
    machine's overcommit setting); the CLI turns it into exit code 2 and one line saying what to do."""
    import numpy as np

    import cathode_lca.uncertainty.sensitivity as sensitivity_module

    def too_large(*args, **kwargs):
        return np.empty((2**35, 2**20))  # 256 PiB: beyond any address space, refused on every machine

    monkeypatch.setattr(sensitivity_module, "sensitivity", too_large)
    code, out, err = run_main(["sensitivity", "NMC811", "--spread", "0.1", "--samples", "200000"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("Error: not enough memory for this run")
    assert "use fewer --samples" in err
