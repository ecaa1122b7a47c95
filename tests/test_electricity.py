"""Electricity regions: hand-computed known answers, coverage of every indicator, supply choices."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.comparison import compare
from cathode_lca.engine.coverage import missing_indicators
from cathode_lca.engine.validate import validate_inventory
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.uncertainty.sweep import sweep

REPO = Path(__file__).resolve().parent.parent
METHODS = ["ipcc2021-gwp100", "ced", "water"]
GAL = 3.785411784 / 1000  # L/kWh per gal/MWh


def scores(demand: str, **parameters: object) -> dict[str, float]:
    ds = default_model().calculate({demand: 1.0}, methods=METHODS, parameters=parameters or None)
    return {m: float(ds.score.sel(lcia_method=m)) for m in METHODS}


def regions() -> list[str]:
    model = default_model()
    return list(model.parameters.parameters[model.parameters.key("plant_region")].choices)


def test_france_consumption_mix_by_hand():
    """France 2024: OWID/Ember shares x IPCC AR5 / GREET 2022 / Macknick 2012 factors / (1 - T&D losses).

    Shares (%): OWID energy dataset, France 2024. Losses: World Bank EG.ELC.LOSS.ZS, France 2014 = 6.342 %.
    GHG g/kWh: IPCC AR5 Annex III medians (oil: UK POST). Energy MJ/kWh: GREET 2022 plant types (total energy,
    per kWh at the outlet / 1.0511), nuclear 3.6 / 0.33, renewables 3.6. Water: Macknick 2012 gal/MWh (tower).
    """
    share = {"coal": 0.182, "gas": 3.222, "oil": 1.698, "nuclear": 67.722, "hydro": 12.660, "wind": 8.087,
             "solar": 4.427, "bio": 1.901, "other": 0.101}  # fmt: skip
    ghg = {"coal": 820, "gas": 490, "oil": 650, "nuclear": 12, "hydro": 24, "wind": 11, "solar": 48, "bio": 230,
           "other": 38}  # fmt: skip
    energy = {"coal": 11.1892 / 1.0511, "gas": 8.7741 / 1.0511, "oil": 13.4495 / 1.0511, "bio": 17.9187 / 1.0511,
              "nuclear": 3.6 / 0.33, "hydro": 3.6, "wind": 3.6, "solar": 3.6, "other": 3.6}  # fmt: skip
    water_gal = {"coal": 687, "gas": 205, "oil": 826, "nuclear": 672, "hydro": 4491, "wind": 0, "solar": 1,
                 "bio": 553, "other": 15}  # fmt: skip
    gross = 1 / (1 - 0.06342)
    expected_ghg = sum(share[t] / 100 * ghg[t] for t in share) * gross / 1000  # kg
    expected_energy = sum(share[t] / 100 * energy[t] for t in share) * gross
    expected_water = sum(share[t] / 100 * water_gal[t] * GAL for t in share) * gross
    got = scores("electricity-grid-fr")
    assert got["ipcc2021-gwp100"] == pytest.approx(expected_ghg, rel=1e-9)
    # the inventory books GREET energy by carrier (coal + gas + petroleum + (total - fossil)); the published
    # carriers add up to the published fossil total to 6 digits, hence rel=1e-6 here
    assert got["ced"] == pytest.approx(expected_energy, rel=1e-6)
    assert got["water"] == pytest.approx(expected_water, rel=1e-9)
    assert 0.045 < expected_ghg < 0.055 and 9 < expected_energy < 11  # ~50 g/kWh, nuclear-heavy


def test_germany_adds_imports_at_the_eu_mix_and_losses():
    """DE 2024: net imports 5.030 % of demand (OWID) at the EU-27 generation mix; losses 3.884 % (WB, 2014)."""
    de, eu = scores("electricity-generation-de"), scores("electricity-generation-eu")
    grid = scores("electricity-grid-de")
    for m in METHODS:
        expected = ((1 - 0.05030) * de[m] + 0.05030 * eu[m]) / (1 - 0.03884)
        assert grid[m] == pytest.approx(expected, rel=1e-9), m


def test_at_least_30_regions_and_greet_regions_unchanged():
    codes = regions()
    assert len(codes) >= 30
    for code in ("US", "US-CA", "CN", "KR", "EU", "DE", "FR", "PL", "JP", "CL", "AU", "ID", "CD", "World"):
        assert code in codes  # the regions that existed before stay selectable
    for code in ("CA", "MX", "IN", "AR", "ZA", "BR", "MA", "NO", "GB", "AT", "BE", "CZ", "FI", "HU", "ES", "SE"):
        assert code in codes
    us = scores("electricity-grid-us")  # GREET 2022 via EverBatt 2023, unchanged
    assert us["ipcc2021-gwp100"] == pytest.approx(0.466497, rel=1e-5)
    assert us["ced"] == pytest.approx(7.46065, rel=1e-5) and us["water"] == pytest.approx(2.23585, rel=1e-5)


def test_compare_every_region_has_energy_and_water_from_electricity():
    """compare NMC811 --region R for every R (one vectorised sweep): plant electricity adds energy and water."""
    codes = regions()
    indicators = ["energy", "water"]
    ds = sweep("NMC811", {"plant_region": codes}, mode="list", indicators=indicators)
    no_power = {
        "plant_electricity_supply": "supplier-specific",
        "supplier_electricity_ghg": 0.0,
        "supplier_electricity_energy_fossil": 0.0,
        "supplier_electricity_energy_non_fossil": 0.0,
        "supplier_electricity_water": 0.0,
    }
    base = compare("NMC811", indicators=indicators, parameters=no_power)
    for route in ds.route.values.tolist():
        for ind in indicators:
            values = ds.value.sel(route=route, indicator=ind).values
            floor = float(base.value.sel(route=route, indicator=ind))
            weak = [c for c, v in zip(codes, values, strict=True) if not v > floor]
            assert not weak, (route, ind, weak)


@pytest.mark.slow
def test_validate_lists_no_electricity_dataset_with_a_missing_indicator():
    report = validate_inventory(load_inventory())
    assert report.ok
    assert not [d for d in report.missing_indicators if d.startswith("electricity")]
    assert report.missing_indicators["iron-sulfate-greet2022"] == METHODS  # a documented gap is listed
    result = CliRunner().invoke(cli, ["validate"])
    assert "missing indicator: iron-sulfate-greet2022" in result.output


GHG_ONLY = """
format: cathode-lca/1
datasets:
  - id: test-grid-ghg-only
    name: grid with a GHG intensity only
    stage: energy
    unit: kWh
    exchanges:
      - {flow: ghg-unspecified-co2eq-air, amount: 300, unit: g, source: test}
  - id: test-plant
    name: uses it
    stage: cam-production
    exchanges:
      - {input: test-grid-ghg-only, amount: 2, unit: kWh, source: test}
      - {flow: water-consumption, amount: 1, unit: L, source: test}
"""


@pytest.mark.slow
def test_a_result_using_a_dataset_without_an_indicator_warns(tmp_path):
    extra = tmp_path / "ghg-only.yaml"
    extra.write_text(textwrap.dedent(GHG_ONLY))
    model = LCAModel(extra=[extra])
    ds = model.calculate({"test-plant": 1.0}, methods=METHODS)
    warnings = json.loads(ds.attrs["warnings"])
    assert len(warnings) == 1 and "'test-grid-ghg-only' has no data for energy, water" in warnings[0]
    assert missing_indicators(model.matrices(), METHODS)["test-grid-ghg-only"] == ["ced", "water"]
    clean = default_model().calculate({"electricity-grid-de": 1.0}, methods=METHODS)
    assert json.loads(clean.attrs["warnings"]) == []  # every indicator present: no warning


def test_residual_and_supplier_specific_supply():
    residual = scores("electricity-plant", plant_region="DE", plant_electricity_supply="residual")
    assert residual["ipcc2021-gwp100"] == pytest.approx(0.724564, rel=1e-12)  # AIB 2024, DE: 724.564 g CO2/kWh
    grid = scores("electricity-grid-de")
    assert residual["ced"] == pytest.approx(grid["ced"], rel=1e-5)  # stated proxy: energy of the DE grid
    supplier = scores(
        "electricity-plant",
        plant_electricity_supply="supplier-specific",
        supplier_electricity_ghg=25.0,
        supplier_electricity_energy_fossil=0.5,
        supplier_electricity_energy_non_fossil=4.0,
        supplier_electricity_water=0.2,
    )
    assert supplier == pytest.approx({"ipcc2021-gwp100": 0.025, "ced": 4.5, "water": 0.2}, rel=1e-12)


@pytest.mark.slow
def test_basis_is_flagged_and_residual_fallback_warns():
    ds = compare("NMC811", region="DE", indicators=["gwp100"])
    assert json.loads(ds.attrs["electricity_basis"])["electricity-grid-de"].startswith("consumption mix")
    # the German grid is a provider CO2-eq total (IPCC AR5 medians): that share is disclosed, nothing else is warned
    assert [w.split(":")[0] for w in json.loads(ds.attrs["warnings"])] == ["gwp100"]
    assert "provider CO2-eq totals" in json.loads(ds.attrs["warnings"])[0]
    us = compare("NMC811", region="US", indicators=["gwp100"], parameters={"plant_electricity_supply": "residual"})
    assert "electricity-grid-us" in json.loads(us.attrs["electricity_basis"])
    # the shortcut reaches every plant: each plant's own selector warns (recycler and cathode plant)
    assert any("no residual mix exists for recycler_region US" in w for w in json.loads(us.attrs["warnings"]))
    assert any("no residual mix exists for cam_plant_region US" in w for w in json.loads(us.attrs["warnings"]))
    result = CliRunner().invoke(
        cli, ["compare", "NMC811", "--region", "DE", "--param", "plant_electricity_supply=residual", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert any("direct CO2 only" in w for w in payload["warnings"])
    assert "electricity-residual-de" in payload["metadata"]["electricity_basis"]
    assert payload["metadata"]["electricity_supply"] == {
        "electricity-recycler": ["electricity-residual-de"],
        "electricity-cam-plant": ["electricity-residual-de"],
    }
    assert "warning: residual-mix electricity" in result.stderr


def _docs_rows() -> dict[str, list[str]]:
    text = (REPO / "docs" / "data" / "background.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\| `(electricity-[a-z0-9-]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


@pytest.mark.slow
def test_docs_table_matches_the_inventory():
    """The table written by the tool (its own arithmetic) against the package's matrix results."""
    rows = _docs_rows()
    assert len([r for r in rows if r.startswith("electricity-grid-")]) == len(regions()) >= 30
    for ds_id, cells in rows.items():
        if ds_id == "electricity-supplier-specific":
            continue
        got = scores(ds_id)
        ghg, energy, water = float(cells[4]), float(cells[5]), float(cells[8])
        assert got["ipcc2021-gwp100"] * 1000 == pytest.approx(ghg, abs=0.051), ds_id
        assert got["ced"] == pytest.approx(energy, abs=0.0051), ds_id
        assert got["water"] == pytest.approx(water, abs=0.0051), ds_id


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_background.py"), *args], capture_output=True, text=True
    )


def test_build_background_missing_reference_is_a_clear_error(tmp_path):
    run = _tool("--reference", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--no-docs")
    assert run.returncode == 2
    assert "reference folder not found" in run.stderr and "Traceback" not in run.stderr
    (tmp_path / "empty").mkdir()
    run = _tool("--reference", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--no-docs")
    assert run.returncode == 2 and "Traceback" not in run.stderr and "not found" in run.stderr


REFERENCE = REPO.parent / "shared" / "reference"


@pytest.mark.slow
def test_build_background_reproduces_the_committed_files(tmp_path):
    # CI lays ../shared beside the checkout; without it this check cannot run and must say so, not skip
    assert (REFERENCE / "electricity").is_dir(), f"cited reference tables expected at {REFERENCE}"
    docs = tmp_path / "background.md"
    docs.write_text((REPO / "docs" / "data" / "background.md").read_text(encoding="utf-8"), encoding="utf-8")
    run = _tool("--reference", str(REFERENCE), "--out", str(tmp_path), "--docs", str(docs))
    assert run.returncode == 0, run.stderr
    for name in ("electricity.yaml", "fuels-transport.yaml", "greet2022-materials.yaml"):
        assert (tmp_path / name).read_text() == (REPO / "inventories" / "background" / name).read_text(), name
    assert docs.read_text() == (REPO / "docs" / "data" / "background.md").read_text()


def _tool_module(name: str):
    import importlib

    sys.path.insert(0, str(REPO / "tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "tools"))


def test_one_selector_builder_serves_plants_and_refiners():
    # tools/background_electricity.selector_exchanges writes the plant selectors and, with a cited site, the
    # refiners' (region 'as-cited' then picks the site); written out by hand for two grids, one residual mix
    tool = _tool_module("background_electricity")
    r, s = "refinery_region", "refinery_electricity_supply"
    got = tool.selector_exchanges(["CN", "DE"], ["DE"], region=r, supply=s, supplier="sup", site="CN")
    assert [(e["input"], e["amount"]) for e in got] == [
        ("electricity-grid-cn", f"({s} != 'supplier-specific') * (({r} == 'CN') + ({r} == 'as-cited'))"),
        ("electricity-grid-de", f"({s} == 'grid') * ({r} == 'DE')"),
        ("electricity-residual-de", f"({s} == 'residual') * ({r} == 'DE')"),
        ("sup", f"{s} == 'supplier-specific'"),
    ]
    assert {e["unit"] for e in got} == {"kWh"}
    plant = tool.selector(["CN", "DE"], ["DE"], region="p_region", supply="p_supply", supplier="sup", ds_id="x")
    assert plant["exchanges"][0]["amount"] == "(p_supply != 'supplier-specific') * (p_region == 'CN')"
    params = tool.supplier_parameters("refinery", "refiners")
    assert set(params) == {f"refinery_{n}" for n in tool.SUPPLIER_FACTORS}
    assert params["refinery_supplier_electricity_ghg"]["unit"] == "g/kWh"
    assert params["refinery_supplier_electricity_water"]["unit"] == "L/kWh"
    assert params["refinery_supplier_electricity_energy_fossil"]["formula"] == "supplier_electricity_energy_fossil"
    supplier = {"note": "on global parameters supplier_electricity_*", "exchanges": [
        {"flow": "co2", "amount": "supplier_electricity_ghg", "source": "parameter supplier_electricity_ghg"}]}  # fmt: skip
    ds = tool.supplier_dataset(supplier, "cam_plant", "cam-plant", "CAM plants")
    assert ds["id"] == "electricity-supplier-specific-cam-plant"
    assert ds["note"] == "on global parameters cam_plant_supplier_electricity_*"
    assert ds["exchanges"][0]["amount"] == "cam_plant_supplier_electricity_ghg"
    assert ds["exchanges"][0]["source"] == "parameter cam_plant_supplier_electricity_ghg"
