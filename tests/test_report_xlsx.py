"""Excel output: read back with pandas, the values equal the JSON output (issue 16)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
SHEETS = ["results", "contributions", "parameters", "metadata"]


def same(a, b):
    """Equal to the 16 significant digits that an .xlsx file stores (openpyxl writes '%.16g')."""
    return a == pytest.approx(b, rel=2e-16 * 8, abs=0)


def run_main(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    return info.value.code, captured.err


def run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.slow
def test_compare_xlsx_round_trip_equals_json(tmp_path):
    out = tmp_path / "c.xlsx"
    args = ["compare", "NMC622", "--region", "CN", "--param", "hydro_recovery_ni=0.95"]
    run([*args, "--format", "xlsx", "--out", str(out)])
    payload = json.loads(run([*args, "--format", "json"]).stdout)
    book = pd.read_excel(out, sheet_name=None)
    assert list(book) == SHEETS
    results = book["results"].set_index(["route", "indicator"])
    assert len(results) == len(payload["results"])
    for r in payload["results"]:
        row = results.loc[(r["route"], r["indicator"])]
        assert same(row.value, r["value"])  # numbers are stored as numbers, not text
        assert row.unit == r["unit"]
        assert same(row.difference, r["difference"])
        stages = book["contributions"]
        mine = stages[(stages.route == r["route"]) & (stages.indicator == r["indicator"])]
        by_stage = {s: v for s, v in zip(mine.stage, mine.value, strict=True) if v != 0}
        assert by_stage.keys() == r["by_stage"].keys()
        assert all(same(v, r["by_stage"][s]) for s, v in by_stage.items())
    params = book["parameters"].set_index("parameter")
    assert params.loc["hydro_recovery_ni", "value"] == 0.95
    assert "EverBatt 2023" in params.loc["hydro_recovery_ni", "source"]
    meta = dict(zip(book["metadata"].key, book["metadata"].value, strict=False))
    assert meta["inventory_hash"] == payload["metadata"]["inventory_hash"]
    assert set(book["results"].region) == {"CN"}


@pytest.mark.slow
def test_uncertainty_sweep_sensitivity_xlsx_round_trip(tmp_path):
    mc_args = [
        "uncertainty",
        "NMC811",
        "--samples",
        "64",
        "--seed",
        "5",
        "--no-progress",
        "--vary",
        "hydro_recovery_ni=uniform:0.9:0.99",
    ]
    run([*mc_args, "--format", "xlsx", "--out", str(tmp_path / "u.xlsx")])
    payload = json.loads(run([*mc_args, "--format", "json"]).stdout)
    res = pd.read_excel(tmp_path / "u.xlsx", sheet_name="results").set_index(["route", "indicator"])
    for r in payload["results"]:
        row = res.loc[(r["route"], r["indicator"])]
        assert same(row["mean"], r["mean"]) and same(row["q97.5"], r["q97.5"])
        if "p_lower_than_virgin" in r:
            assert same(row.p_lower_than_virgin, r["p_lower_than_virgin"])
    params = pd.read_excel(tmp_path / "u.xlsx", sheet_name="parameters")
    assert "hydro_recovery_ni" in set(params.parameter)

    sw_args = ["sweep", "NMC811", "--grid", "plant_region=US,CN", "--no-progress"]
    run([*sw_args, "--format", "xlsx", "--out", str(tmp_path / "s.xlsx")])
    payload = json.loads(run([*sw_args, "--format", "json"]).stdout)
    res = pd.read_excel(tmp_path / "s.xlsx", sheet_name="results")
    got = {(r.route, r.indicator, r.plant_region): r.value for r in res.itertuples()}
    want = {(r["route"], r["indicator"], r["plant_region"]): r["value"] for r in payload["results"]}
    assert got.keys() == want.keys() and all(same(got[k], want[k]) for k in want)

    sa_args = [
        "sensitivity",
        "NMC811",
        "--technique",
        "morris",
        "--samples",
        "8",
        "--spread",
        "0.1",
        "--indicator",
        "gwp100",
        "--top",
        "3",
    ]
    run([*sa_args, "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")])
    payload = json.loads(run([*sa_args, "--format", "json"]).stdout)
    res = pd.read_excel(tmp_path / "a.xlsx", sheet_name="results")
    for r in payload["ranking"]:
        row = res[(res.route == r["route"]) & (res.parameter == r["parameter"])].iloc[0]
        assert same(row.mu_star, r["mu_star"]) and row["rank"] == r["rank"]


@pytest.mark.slow
def test_passport_xlsx_round_trip(tmp_path):
    battery = str(ROOT / "examples" / "battery-nmc811.yaml")
    run(["passport", battery, "--format", "xlsx", "--out", str(tmp_path / "p.xlsx")])
    payload = json.loads(run(["passport", battery, "--format", "json"]).stdout)
    book = pd.read_excel(tmp_path / "p.xlsx", sheet_name=None)
    assert list(book) == SHEETS
    res = book["results"].set_index("stage")
    cf = payload["carbonFootprint"]
    assert same(res.loc["total", "kg CO2-eq/kWh"], cf["batteryCarbonFootprint"])
    assert same(res.loc["total", "kg CO2-eq"], cf["absoluteCarbonFootprint"])
    for st in cf["carbonFootprintPerLifecycleStage"]:
        assert same(res.loc[st["lifecycleStage"], "kg CO2-eq/kWh"], st["carbonFootprint"])
    assert book["parameters"].source.notna().all()


def test_xlsx_needs_out_and_never_overwrites(tmp_path, capsys):
    code, err = run_main(["compare", "NMC811", "--format", "xlsx"], capsys)
    assert code == 2 and "--format xlsx needs --out" in err and "Traceback" not in err
    target = tmp_path / "x.xlsx"
    target.write_text("mine")
    code, err = run_main(["compare", "NMC811", "--format", "xlsx", "--out", str(target)], capsys)
    assert code == 2 and "already exists" in err
    assert target.read_text() == "mine"


@pytest.mark.slow
def test_plot_option_writes_charts_and_checks_the_name_first(tmp_path, capsys):
    run(["compare", "NMC811", "--plot", str(tmp_path / "c.svg")])
    run(["compare", "NMC811", "--plot", str(tmp_path / "w.png"), "--plot-kind", "waterfall"])
    assert (tmp_path / "c.svg").read_text().count("<svg") == 1
    assert (tmp_path / "w.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, err = run_main(["compare", "NMC811", "--plot", str(tmp_path / "c.pdf")], capsys)
    assert code == 2 and "neither .svg nor .png" in err
    code, err = run_main(["compare", "NMC811", "--plot", str(tmp_path / "c.svg")], capsys)
    assert code == 2 and "already exists" in err


def test_long_metadata_is_split_over_rows_never_truncated(tmp_path):
    """Excel cells hold 32,767 characters: a longer value is stored in parts and read back whole."""
    import warnings

    from cathode_lca.report.xlsx import metadata_frame, metadata_from_frame, write_workbook

    long = json.dumps({f"p{i}": {"type": "lognormal", "gsd": 1.0 + i / 1e4} for i in range(3000)})
    assert len(long) > 70_000
    attrs = {"seed": 3, "distributions": long, "sources": json.dumps(["GREET 2022", "EverBatt 2023"])}
    frame = metadata_frame(attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns when it truncates a cell
        write_workbook({"metadata": frame}, tmp_path / "m.xlsx")
    back = metadata_from_frame(pd.read_excel(tmp_path / "m.xlsx", sheet_name="metadata"))
    assert back["distributions"] == long
    assert back["seed"] == 3
    assert (frame.key == "distributions").sum() == -(-len(long) // 32_000)
