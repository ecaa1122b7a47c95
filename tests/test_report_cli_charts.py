"""CLI access to every chart (process bars, tornado) and `report --scenario` (issue 16)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.comparison import compare
from cathode_lca.lca import LCAModel
from cathode_lca.report.processes import route_process_results
from cathode_lca.uncertainty.sensitivity import one_at_a_time, sensitivity

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
PLANT = ROOT / "examples" / "plants" / "eu-hydro-recycler.yaml"


def run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def model():
    return LCAModel()


def test_process_results_add_up_to_the_compared_totals(model):
    """The process chart recomputes each route; its contributions must sum to compare()'s value."""
    ds = compare("NMC622", region="CN", indicators=["gwp100"], model=model)
    results, method = route_process_results("NMC622", indicator="gwp100", region="CN", model=model)
    assert method == "ipcc2021-gwp100"
    assert sorted(results) == sorted(ds.route.values.tolist())
    for route, res in results.items():
        total = float(res.contribution_by_process.sel(lcia_method=method).sum())
        assert total == pytest.approx(float(ds.value.sel(route=route, indicator="gwp100")), rel=1e-9)


def test_compare_plot_kind_processes_writes_a_chart(tmp_path):
    out = tmp_path / "p.svg"
    run(["compare", "NMC811", "--plot", str(out), "--plot-kind", "processes", "--indicator", "energy"])
    svg = out.read_text()
    assert svg.count("<svg") == 1 and "Contributions by process" in svg


def test_one_at_a_time_swings_equal_hand_set_compares(model):
    """Each swing is the compare() result with that one parameter at its 2.5 % / 97.5 % quantile."""
    dist = {"hydro_recovery_ni": {"type": "uniform", "minimum": 0.85, "maximum": 0.99}}
    ds = sensitivity(
        "NMC811",
        samples=8,
        seed=0,
        routes=["hydrometallurgical"],
        distributions=dist,
        default_uncertainty=False,
        model=model,
        progress=False,
    )
    df = one_at_a_time("NMC811", ds, route="hydrometallurgical", indicator="gwp100", model=model)
    assert df.parameter.tolist() == [model.parameters.key("hydro_recovery_ni")]
    lo, hi = 0.85 + 0.025 * 0.14, 0.85 + 0.975 * 0.14  # quantiles of the uniform, by hand
    assert df.low[0] == pytest.approx(lo) and df.high[0] == pytest.approx(hi)

    def at(value):
        c = compare("NMC811", routes=["hydrometallurgical"], parameters={"hydro_recovery_ni": value}, model=model)
        return float(c.value.sel(route="hydrometallurgical", indicator="gwp100"))

    assert df.at_low[0] == pytest.approx(at(lo), rel=1e-9)
    assert df.at_high[0] == pytest.approx(at(hi), rel=1e-9)
    assert df.base[0] == pytest.approx(at(model.parameters.parameters[df.parameter[0]].value), rel=1e-9)
    assert df.at_low[0] != df.at_high[0]


@pytest.mark.slow
def test_sensitivity_plot_kind_tornado_writes_a_chart(tmp_path):
    out = tmp_path / "t.svg"
    run(
        [
            "sensitivity",
            "NMC811",
            "--route",
            "virgin",
            "--route",
            "hydrometallurgical",
            "--samples",
            "8",
            "--no-default-uncertainty",
            "--vary",
            "hydro_recovery_ni=uniform:0.85:0.99",
            "--vary",
            "cathode_electricity_nmc811=triangular:20:28.8:40",
            "--no-progress",
            "--plot",
            str(out),
            "--plot-kind",
            "tornado",
        ]
    )
    svg = out.read_text()
    assert "one at a time" in svg and "hydro_recovery_ni" in svg


@pytest.mark.slow
def test_report_takes_scenarios_and_shows_what_they_set(tmp_path):
    out = tmp_path / "r.html"
    run(["report", "NMC811", "--scenario", str(PLANT), "--indicator", "gwp100", "--out", str(out)])
    html = out.read_text()
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))
    assert "eu-hydro-recycler" in text
    assert "Parameters set by scenarios and --param" in text
    payload = json.loads(
        run(["compare", "NMC811", "--scenario", str(PLANT), "--indicator", "gwp100", "--format", "json"]).stdout
    )
    hydro = next(r for r in payload["results"] if r["route"] == "hydrometallurgical")
    shown = [float(v) for v in re.findall(r'data-value="([^"]+)"', html)]
    assert np.isclose(shown, hydro["value"], rtol=1e-12).any()
    # the contribution-weighted DQR is a table (one row per route and indicator), not a JSON dump
    assert "&quot;DQR&quot;" not in html and "largest contributor" in text
