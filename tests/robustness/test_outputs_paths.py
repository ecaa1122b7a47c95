"""Output paths a hostile or careless user gives: two outputs on one file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.errors import UsageError
from cathode_lca.report.output import check_outputs


@pytest.mark.parametrize("overwrite", [False, True])
def test_out_and_plot_on_the_same_file_are_refused(tmp_path, overwrite):
    target = tmp_path / "result.svg"
    with pytest.raises(UsageError, match="--out and --plot both name"):
        check_outputs("json", str(target), str(target), overwrite=overwrite)
    # the same file through another spelling of the path
    with pytest.raises(UsageError, match="--out and --plot both name"):
        check_outputs("csv", str(tmp_path / "." / "result.svg"), str(target), overwrite=overwrite)
    assert not target.exists()


def test_out_and_plot_on_different_files_are_fine(tmp_path):
    check_outputs("json", str(tmp_path / "r.json"), str(tmp_path / "r.svg"), overwrite=False)


def test_compare_refuses_out_equal_plot_before_computing(tmp_path, monkeypatch):
    # before: the chart was written, then the result either failed ("already exists", exit 2, only the
    # chart left) or, with --overwrite, replaced the chart with CSV text in a file named .svg
    import cathode_lca.cli.compare as compare_cli

    def must_not_compute(*args, **kwargs):
        raise AssertionError("computed before checking the outputs")

    monkeypatch.setattr(compare_cli, "run_comparison", must_not_compute)
    target = tmp_path / "c.svg"
    result = CliRunner().invoke(
        cli, ["compare", "NMC811", "--format", "csv", "--out", str(target), "--plot", str(target), "--overwrite"]
    )
    assert isinstance(result.exception, UsageError), result.output  # main prints it and exits 2
    assert "--out and --plot both name" in str(result.exception)
    assert not target.exists()


def test_passport_writes_no_file_when_one_output_cannot_be_made(tmp_path, monkeypatch):
    # before: the chart was written first; then the workbook failed (here a 40,000-character evidence
    # text, too long for an Excel cell) and exit 2 left the chart of a run that produced no result
    pytest.importorskip("openpyxl")
    from test_passport_declaration import HAND, hand_data

    import cathode_lca.passport.declaration as declaration_module
    from cathode_lca.cli.passport import run_passport
    from cathode_lca.passport import assemble, get_rules, parse_battery_spec

    text = HAND.replace("evidence: certificate\n", f'evidence: "{"E" * 40_000}"\n', 1)
    declaration = assemble(parse_battery_spec(text, "long.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    monkeypatch.setattr(declaration_module, "declare", lambda *args, **kwargs: declaration)
    chart, book = tmp_path / "p.svg", tmp_path / "p.xlsx"
    with pytest.raises(UsageError, match="do not fit an Excel cell"):
        run_passport("long.yaml", fmt="xlsx", out=str(book), plot=str(chart))
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # the same outputs with a normal evidence text: both files are written
    ok = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    monkeypatch.setattr(declaration_module, "declare", lambda *args, **kwargs: ok)
    run_passport("hand.yaml", fmt="xlsx", out=str(book), plot=str(chart))
    assert chart.read_bytes().startswith(b"<?xml") and book.read_bytes()[:2] == b"PK"


@pytest.mark.slow
def test_compare_writes_no_chart_when_the_workbook_cannot_be_made(tmp_path):
    pytest.importorskip("openpyxl")
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "examples/plants/eu-hydro-recycler.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "long.yaml"
    scenario.write_text(text.replace("\nname: eu-hydro-recycler\n", f'\nname: "{"L" * 40_000}"\n'), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    args = ["compare", "NMC811", "--scenario", str(scenario), "--indicator", "gwp100", "--format", "xlsx"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out / "c.xlsx"), "--plot", str(out / "c.svg")])
    assert isinstance(result.exception, UsageError) and "do not fit an Excel cell" in str(result.exception)
    assert list(out.iterdir()) == []  # before: c.svg was left behind


@pytest.mark.parametrize("flag", ["--out", "--plot"])
def test_passport_never_writes_over_its_battery_file(tmp_path, flag):
    # before: 'passport b.yaml --format json --out b.yaml --overwrite' replaced the battery file with
    # its own declaration; the next run could not read it
    from pathlib import Path

    from cathode_lca.cli.passport import run_passport

    example = Path(__file__).resolve().parents[2] / "examples" / "battery-nmc811.yaml"
    battery = tmp_path / ("b.svg" if flag == "--plot" else "b.yaml")
    battery.write_bytes(example.read_bytes())
    target = {"out": str(battery)} if flag == "--out" else {"plot": str(battery), "out": str(tmp_path / "p.json")}
    with pytest.raises(UsageError, match=f"{flag} '.*' is the input file BATTERY_FILE"):
        run_passport(str(battery), fmt="json", overwrite=True, **target)
    assert battery.read_bytes() == example.read_bytes()


def test_report_never_writes_over_its_battery_file(tmp_path):
    battery = tmp_path / "b.html"
    battery.write_text("battery: {}\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", "NMC811", "--battery", str(battery), "--out", str(battery), "--overwrite"]
    )
    assert isinstance(result.exception, UsageError) and "is the input file --battery" in str(result.exception)
    assert battery.read_text(encoding="utf-8") == "battery: {}\n"


@pytest.mark.slow
def test_passport_table_and_workbook_name_the_scenario_used(tmp_path):
    # before: only the JSON recorded --scenario; the table and the workbook of a declaration computed
    # under eu-2030-recycler looked like one computed on the defaults
    pytest.importorskip("openpyxl")
    import hashlib
    from pathlib import Path

    import pandas as pd

    from cathode_lca.report.xlsx import metadata_from_frame

    root = Path(__file__).resolve().parents[2]
    battery = str(root / "examples" / "battery-nmc811.yaml")
    sha = hashlib.sha256((root / "scenarios" / "eu-2030-recycler.yaml").read_bytes()).hexdigest()
    args = ["passport", battery, "--scenario", "eu-2030-recycler"]
    table = CliRunner().invoke(cli, args, catch_exceptions=False).stdout
    assert "scenario eu-2030-recycler (" in table and f"sha256 {sha[:12]})" in table
    book = tmp_path / "p.xlsx"
    CliRunner().invoke(cli, [*args, "--format", "xlsx", "--out", str(book)], catch_exceptions=False)
    meta = metadata_from_frame(pd.read_excel(book, sheet_name="metadata"))
    scenarios = json.loads(meta["scenarios"])
    assert [s["name"] for s in scenarios] == ["eu-2030-recycler"] and scenarios[0]["sha256"] == sha


def test_report_refuses_param_that_the_passport_summary_would_ignore(tmp_path, monkeypatch):
    # before: 'report NMC811 --battery b.yaml --param hydro_recovery_ni=0.5' listed the parameter among
    # the page's assumptions while the passport summary was computed at the default (same total)
    import cathode_lca.cli.report as report_cli

    def must_not_compute(*args, **kwargs):
        raise AssertionError("computed before checking the options")

    monkeypatch.setattr(report_cli, "run_comparison", must_not_compute)
    battery = tmp_path / "b.yaml"
    battery.write_text("battery: {}\n", encoding="utf-8")
    args = ["report", "NMC811", "--battery", str(battery), "--param", "hydro_recovery_ni=0.5"]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "r.html")])
    assert isinstance(result.exception, UsageError) and "--param applies to the comparison" in str(result.exception)
    assert "model_parameters" in result.exception.hint


def test_a_path_ending_with_a_separator_is_a_folder_not_a_file(tmp_path):
    # before: '--out results/' (a folder that does not exist yet) wrote a file called 'results' and
    # reported 'wrote results/'
    from cathode_lca.errors import OutputError
    from cathode_lca.io import check_writable, write_text_atomic

    for overwrite in (False, True):
        with pytest.raises(OutputError, match="names a folder"):
            check_writable(f"{tmp_path}/results/", overwrite)
        with pytest.raises(OutputError, match="names a folder"):
            write_text_atomic(f"{tmp_path}/results/", "{}", overwrite=overwrite)
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(
        cli, ["compute", "sulfuric-acid-greet2022", "--format", "csv", "--out", f"{tmp_path}/r/"]
    )
    assert isinstance(result.exception, OutputError) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "name"), [("xlsx", "r.csv"), ("xlsx", "r.json"), ("csv", "r.xlsx"), ("json", "R.XLSX")]
)
def test_format_and_out_suffix_must_agree_for_excel(tmp_path, fmt, name):
    # before: '--format xlsx --out r.csv' wrote a zip workbook called r.csv, and '--format csv --out
    # r.xlsx' CSV text that Excel refuses to open as a workbook
    with pytest.raises(UsageError, match=f"--format {fmt} and --out"):
        check_outputs(fmt, str(tmp_path / name), None, overwrite=False)


def test_matching_suffixes_pass(tmp_path):
    check_outputs("xlsx", str(tmp_path / "r.XLSX"), None, overwrite=False)
    check_outputs("csv", str(tmp_path / "r.csv"), None, overwrite=False)
    check_outputs("json", str(tmp_path / "r"), None, overwrite=False)
