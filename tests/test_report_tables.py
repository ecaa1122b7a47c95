"""Tidy frames, CSV outputs, terminal tables and the one indicator vocabulary (issue 16)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.cli import cli
from cathode_lca.comparison import compare
from cathode_lca.report.tables import format_number, render_table, sensitivity_frame, summary, tidy


def run(args: list[str]):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def nmc811():
    return compare("NMC811")


def test_tidy_sums_to_route_totals(nmc811):
    df = tidy(nmc811)
    n_routes, n_ind, n_stages = nmc811.sizes["route"], nmc811.sizes["indicator"], nmc811.sizes["stage"]
    assert len(df) == n_routes * n_ind * n_stages  # one row per route x indicator x stage
    totals = df.groupby(["route", "indicator"]).value.sum()
    for route in nmc811.route.values.tolist():
        for ind in nmc811.indicator.values.tolist():
            assert totals[(route, ind)] == pytest.approx(float(nmc811.value.sel(route=route, indicator=ind)), rel=1e-9)
    # the old pitfall: to_dataframe() repeats the total on every stage row
    naive = nmc811.to_dataframe().reset_index()
    assert naive.value.sum() == pytest.approx(n_stages * df.value.sum(), rel=1e-9)
    assert set(df.columns) >= {"unit", "functional_unit", "region", "allocation", "scenario", "stage"}
    assert set(df.unit) == {"kg CO2-eq", "MJ", "L"}
    assert set(df.scenario) == {"default"}


def test_summary_difference_is_route_minus_virgin(nmc811):
    df = summary(nmc811).set_index(["route", "indicator"])
    virgin = df.loc[("virgin", "gwp100"), "value"]
    hydro = df.loc[("hydrometallurgical", "gwp100")]
    assert hydro.difference == pytest.approx(hydro.value - virgin)
    assert hydro.change_pct == pytest.approx(100 * (hydro.value - virgin) / abs(virgin))


def test_tidy_and_summary_leave_out_routes_that_do_not_apply():
    # one black-mass unit: the virgin route has no black mass (NaN), so both frames skip it, with the same leading
    # columns (one shared row walker in report/tables.py)
    ds = compare("NMC811", unit="kg-black-mass", indicators=["gwp100"])
    skipped = [r for r in ds.route.values.tolist() if pd.isna(float(ds.value.sel(route=r, indicator="gwp100")))]
    assert "virgin" in skipped
    frames = {"tidy": tidy(ds), "summary": summary(ds)}
    for name, df in frames.items():
        assert not set(df.route) & set(skipped), name
        assert list(df.columns[:5]) == ["chemistry", "route", "indicator", "method", "unit"], name
        assert set(df.method) == {"ipcc2021-gwp100"} and set(df.unit) == {"kg CO2-eq"}, name
    totals = frames["tidy"].groupby("route").value.sum()
    assert totals.to_dict() == pytest.approx(frames["summary"].set_index("route").value.to_dict(), rel=1e-9)


@pytest.mark.slow
def test_compare_csv_is_tidy_and_matches_json():
    csv = run(["compare", "NMC811", "--format", "csv", "--region", "CN", "--allocation", "economic"]).stdout
    df = pd.read_csv(io.StringIO(csv))
    assert set(df.region) == {"CN"} and set(df.allocation) == {"economic"}
    import json

    payload = json.loads(
        run(["compare", "NMC811", "--format", "json", "--region", "CN", "--allocation", "economic"]).output
    )
    totals = df.groupby(["route", "indicator"]).value.sum()
    for r in payload["results"]:
        assert totals[(r["route"], r["indicator"])] == pytest.approx(r["value"], rel=1e-12)


@pytest.mark.slow
def test_uncertainty_and_sensitivity_csv():
    out = run(["uncertainty", "NMC811", "--samples", "64", "--seed", "3", "--format", "csv", "--no-progress"]).stdout
    df = pd.read_csv(io.StringIO(out))
    assert {"route", "indicator", "unit", "mean", "q2.5", "q97.5", "p_lower_than_virgin"} <= set(df.columns)
    assert len(df) == 4 * 3
    assert (df["q2.5"] <= df["q97.5"]).all()
    out = run(
        [
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
            "--format",
            "csv",
        ]
    ).stdout
    df = pd.read_csv(io.StringIO(out))
    assert {"parameter", "mu_star", "rank", "technique"} <= set(df.columns)
    first = df[(df.route == "virgin") & (df["rank"] == 1)].mu_star.iloc[0]
    assert first == df[df.route == "virgin"].mu_star.max()


def test_sensitivity_frame_ranks_by_total_index():
    import numpy as np
    import xarray as xr

    ds = xr.Dataset(
        {
            "S1": (("route", "indicator", "parameter"), np.array([[[0.1, 0.5, 0.2]]])),
            "ST": (("route", "indicator", "parameter"), np.array([[[0.2, 0.6, 0.3]]])),
        },
        coords={"route": ["virgin"], "indicator": ["gwp100"], "parameter": ["a", "b", "c"]},
        attrs={"method": "sobol", "region": "US"},
    )
    df = sensitivity_frame(ds)
    assert df.parameter.tolist() == ["b", "c", "a"] and df["rank"].tolist() == [1, 2, 3]


def test_format_number_known_cases():
    assert format_number(25.4894) == "25.49"
    assert format_number(-8.625) == "-8.625"
    assert format_number(1012.4) == "1012"
    assert format_number(7e-15, scale=25.0) == "0"  # numerical noise next to 25
    assert format_number(7e-15) == "7.000e-15"  # alone it is a real value
    assert format_number(None) == "" and format_number(float("nan")) == ""


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_format_number_keeps_four_significant_figures(x):
    text = format_number(x)
    if x == 0:
        assert text == "0"
        return
    assert float(text) == pytest.approx(x, rel=5e-4, abs=0)


def test_render_table_right_aligns_numbers_and_fits_width():
    rows = [{"route": "virgin", "value": 25.4894, "note": "x " * 60}, {"route": "direct", "value": -8.625, "note": ""}]
    text = render_table(rows, ["route", "value", "note"], headers={"value": "value [kg CO2-eq]"}, width=60)
    lines = text.splitlines()
    assert "value [kg CO2-eq]" in lines[0]
    assert max(len(line) for line in lines) <= 60
    a = next(line for line in lines if "25.49" in line)
    b = next(line for line in lines if "-8.625" in line)
    assert a.index("25.49") + len("25.49") == b.index("-8.625") + len("-8.625")  # right-aligned


def test_compare_table_has_units_and_tiny_values_as_zero(nmc811):
    from cathode_lca.report.tables import comparison_text

    text = comparison_text(nmc811, top=2, width=100)
    assert "value [kg CO2-eq]" in text and "value [MJ]" in text
    assert "e-1" not in text  # no 7e-15 style noise
    assert max(len(line) for line in text.splitlines()[2:]) <= 100


@pytest.mark.slow
def test_indicator_vocabulary_and_deprecated_aliases():
    by_name = run(["compute", "electricity-grid-cn", "--indicator", "gwp100", "--format", "csv"]).stdout
    result = CliRunner().invoke(
        cli, ["compute", "electricity-grid-cn", "--method", "ipcc2021-gwp100", "--format", "csv"]
    )
    assert result.exit_code == 0
    assert "deprecated" in result.stderr and by_name.strip() == result.stdout.strip()
    old = run(["compare", "NMC811", "--indicator", "ipcc2021-gwp100", "--format", "csv"]).stdout
    new = run(["compare", "NMC811", "--indicator", "gwp100", "--format", "csv"]).stdout
    assert old == new
    res = CliRunner().invoke(
        cli,
        ["sensitivity", "NMC811", "--method", "morris", "--samples", "8", "--spread", "0.1", "--indicator", "gwp100"],
    )
    assert res.exit_code == 0 and "use --technique" in res.stderr


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-'()0123456789", min_size=1, max_size=14)


@given(
    st.lists(
        st.tuples(st.lists(words, min_size=1, max_size=8), st.floats(-1e5, 1e5, allow_nan=False)),
        min_size=1,
        max_size=5,
    ),
    st.integers(20, 140),
)
@settings(deadline=None, max_examples=60)
@pytest.mark.slow
def test_render_table_never_cuts_a_word_or_a_number(rows, width):
    data = [{"name": f"row{i}", "value": v, "note": " ".join(ws)} for i, (ws, v) in enumerate(rows)]
    text = render_table(data, ["name", "value", "note"], headers={"value": "value [kg CO2-eq]"}, width=width)
    tokens = set(text.split())
    scale = max(abs(v) for _, v in rows)
    for (ws, v), _row in zip(rows, data, strict=True):
        assert format_number(v, scale=scale) in tokens
        for w in ws:
            assert w in tokens


def test_passport_stage_rows_are_the_stages_then_the_total():
    # one row builder for the passport table of the HTML report and the xlsx results sheet
    from test_passport_declaration import HAND, hand_data

    from cathode_lca.passport import assemble, get_rules, parse_battery_spec
    from cathode_lca.passport.stages import STAGES
    from cathode_lca.report.html import _passport_section
    from cathode_lca.report.tables import passport_stage_rows
    from cathode_lca.report.xlsx import passport_sheets

    d = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    rows = passport_stage_rows(d)
    assert [r["stage"] for r in rows] == [*STAGES, "total"]
    assert sum(r["kg CO2-eq"] for r in rows[:-1]) == pytest.approx(rows[-1]["kg CO2-eq"], rel=1e-12)
    assert rows[-1] == {"stage": "total", "kg CO2-eq": d.total_absolute, "kg CO2-eq/kWh": d.total_per_kwh}
    assert passport_sheets(d)["results"].to_dict("records") == rows
    html = _passport_section(d)
    assert all(f">{s}<" in html for s in [*STAGES, "total"])  # one table cell per row


def test_sweep_rows_carry_the_unit_and_no_contradicting_region():
    # before: 'sweep NMC811 --grid plant_region=US,CN --format csv' gave route,indicator,plant_region,value:
    # no unit; the workbook's rows said region US next to plant_region CN
    import numpy as np
    import xarray as xr

    from cathode_lca.report.tables import sweep_frame

    ds = xr.Dataset(
        {"value": (("route", "indicator", "plant_region"), np.array([[[25.5, 27.4], [365.6, 376.1]]]))},
        coords={"route": ["virgin"], "indicator": ["gwp100", "energy"], "plant_region": ["US", "CN"]},
        attrs={"functional_unit": "1 kg NMC811 cathode active material", "region": "US", "allocation": "none"},
    )
    frame = sweep_frame(ds)
    assert list(frame.columns[:5]) == ["route", "indicator", "plant_region", "value", "unit"]
    assert dict(zip(frame.indicator, frame.unit, strict=True)) == {"gwp100": "kg CO2-eq", "energy": "MJ"}
    assert "region" not in frame.columns and set(frame.functional_unit) == {"1 kg NMC811 cathode active material"}
    other = sweep_frame(ds.rename({"plant_region": "hydro_recovery_ni"}))
    assert set(other.region) == {"US"}  # a sweep over another parameter keeps its one region
