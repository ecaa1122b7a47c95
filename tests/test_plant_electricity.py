"""One electricity supply and region per plant: following choices, per-plant PPAs, metadata, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.cli.scenarios import apply_scenarios
from cathode_lca.errors import CathodeLCAError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import Method
from cathode_lca.parameters.scenario_values import ScenarioError
from cathode_lca.parameters.scenarios import parse_scenario_text

HEAD = "format: cathode-lca-scenario/1\nname: t\n"
GWP = ["ipcc2021-gwp100"]

# A hand-solvable system: two grids (0.5 and 1.0 kg CO2/kWh); the recycler's choice follows the shortcut.
FOLLOW = """format: cathode-lca/1
include: [{flows}]
parameters:
  plant_region: {{choices: [US, CN], default: US, scope: global}}
  recycler_region: {{choices: [US, CN], follows: plant_region, scope: global}}
datasets:
  - {{id: grid-us, name: US, stage: energy, unit: kWh, exchanges: [{{flow: co2, amount: 0.5, unit: kg, source: t}}]}}
  - {{id: grid-cn, name: CN, stage: energy, unit: kWh, exchanges: [{{flow: co2, amount: 1.0, unit: kg, source: t}}]}}
  - id: plant
    name: cathode plant, 1 kWh at plant_region
    stage: energy
    unit: kWh
    exchanges:
      - {{input: grid-us, amount: "plant_region == 'US'", unit: kWh, source: t}}
      - {{input: grid-cn, amount: "plant_region == 'CN'", unit: kWh, source: t}}
  - id: recycler
    name: recycler, 2 kWh at recycler_region
    stage: energy
    unit: kWh
    exchanges:
      - {{input: grid-us, amount: "2 * (recycler_region == 'US')", unit: kWh, source: t}}
      - {{input: grid-cn, amount: "2 * (recycler_region == 'CN')", unit: kWh, source: t}}
"""
FLOWS = Path(__file__).parent / "data" / "flows.yaml"


def _follow_model(tmp_path, text=FOLLOW):
    path = tmp_path / "follow.yaml"
    path.write_text(text.format(flows=FLOWS.as_posix()))
    return LCAModel(load_inventory([path], cache=False))


CO2 = Method(id="co2", name="co2", indicator="co2", unit="kg", source="test", factors={"co2": 1.0}, file="test")


def _co2(model, product, **params):
    ds = model.calculate({product: 1.0}, methods=[CO2], parameters=params)
    return float(ds.score.values.ravel()[0])


def test_a_following_choice_takes_the_shortcut_unless_it_is_set(tmp_path):
    model = _follow_model(tmp_path)
    assert model.parameters.defaults()["recycler_region"] == "US"  # the default of the choice it follows
    assert _co2(model, "recycler") == pytest.approx(2 * 0.5)
    assert _co2(model, "recycler", plant_region="CN") == pytest.approx(2 * 1.0)  # the shortcut moves it
    # its own setting wins over the shortcut, whatever the shortcut says
    assert _co2(model, "recycler", plant_region="CN", recycler_region="US") == pytest.approx(2 * 0.5)
    assert _co2(model, "plant", recycler_region="CN") == pytest.approx(0.5)  # the other plant stays
    # vectorised: a sweep of the shortcut moves every sample
    env = model.parameters.evaluate({"plant_region": ["US", "CN", "US"]})
    assert list(env["recycler_region"]) == [0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("follows: plant_region, scope", "default: US, follows: plant_region, scope"),
        ("choices: [US, CN], follows: plant_region", "choices: [CN, US], follows: plant_region"),
        ("follows: plant_region, scope", "follows: plant_regio, scope"),
        ("recycler_region: {choices: [US, CN], follows", "recycler_region: {value: 1, source: s, follows"),
    ],
)
def test_following_choice_errors_are_located(tmp_path, edit, message):
    old, new = edit, message
    text = FOLLOW.replace(old.replace("{", "{{"), new.replace("{", "{{"))
    assert text != FOLLOW
    with pytest.raises(CathodeLCAError) as info:
        _follow_model(tmp_path, text)
    rendered = str(info.value)
    assert "follow.yaml" in rendered and "recycler_region" in rendered, rendered


@pytest.fixture(scope="module")
def model():
    return default_model()


def _compare(*args):
    result = CliRunner().invoke(cli, ["compare", "NMC811", "--indicator", "gwp100", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    return {r["route"]: r["value"] for r in payload["results"]}, payload


def test_a_ppa_of_the_recycler_alone_leaves_the_virgin_route_unchanged(model):
    base, _ = _compare()
    ppa = ("--param", "recycler_electricity_supply=supplier-specific")
    at0, payload = _compare(*ppa, "--param", "recycler_supplier_electricity_ghg=0")
    at100, _ = _compare(*ppa, "--param", "recycler_supplier_electricity_ghg=100")
    assert at0["virgin"] == base["virgin"] and at100["virgin"] == base["virgin"]  # bit for bit
    assert payload["metadata"]["electricity_supply"] == {
        "electricity-cam-plant": ["electricity-grid-us"],
        "electricity-recycler": ["electricity-supplier-specific-recycler"],
    }
    # the result is linear in the contract factor: kWh of recycler electricity per kg CAM = slope (kg/g) * 1000
    for route in ("hydrometallurgical", "pyrometallurgical", "direct"):
        kwh = (at100[route] - at0[route]) / 100 * 1000
        assert kwh > 0
        # by hand: the US grid (GREET 2022 via EverBatt, per kWh at the outlet) in place of the contract
        grid = model.calculate({"electricity-grid-us": 1.0}, methods=GWP)
        per_kwh = float(grid.score.sel(lcia_method="ipcc2021-gwp100"))
        assert at0[route] + kwh * per_kwh == pytest.approx(base[route], rel=1e-9)


def test_plant_file_per_plant_supplies_and_the_shortcut(model, tmp_path):
    text = HEAD + (
        "plant:\n  name: p\n  route: hydrometallurgical\n  electricity:\n"
        "    recycler:\n      supply: supplier-specific\n      factor: {value: 20, unit: g/kWh, source: PPA}\n"
        "      contract: {type: PPA, period: 2025-2035, certificate: GO-1}\n      source: PPA contract\n"
        "    cam_plant: {supply: grid, region: FR, source: grid data}\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text(text)
    applied = apply_scenarios(model, (str(path),), {"plant_region": "CN"})
    env = applied.model.parameters.evaluate(applied.parameters)
    key, choices = applied.model.parameters.key, applied.model.parameters.choices
    assert float(env[key("recycler_supplier_electricity_ghg")]) == pytest.approx(20.0)
    assert float(env[key("supplier_electricity_ghg")]) == pytest.approx(11.0)  # the global default is untouched
    assert env[key("cam_plant_region")] == choices[key("cam_plant_region")].index("FR")  # own setting wins
    ds = applied.model.calculate({"electricity-recycler": 1.0}, methods=GWP, parameters=applied.parameters)
    assert float(ds.score.sel(lcia_method="ipcc2021-gwp100")) == pytest.approx(0.020, rel=1e-9)


@pytest.mark.parametrize(
    ("electricity", "line", "message"),
    [
        ("{refiner: {supply: grid, region: DE, source: s}}", 6, "unknown plant 'refiner'"),
        ("{recycler: {supply: grid, region: DE}}", 6, "missing 'source'"),
        ("{recycler: {supply: grids, region: DE, source: s}}", 6, "did you mean 'grid'"),
        ("{cam_plant: {supply: grid, region: XX, source: s}}", 6, "not a choice of 'cam_plant_region'"),
        ("{recycler: [grid]}", 6, "must be a mapping"),
        (
            "{recycler: {supply: supplier-specific, source: s, contract: {type: PPA, period: p, certificate: c}, "
            "factor: {value: 20, unit: MJ/kWh, source: s}}}",
            6,
            "wrong unit",
        ),
        (
            "{recycler: {supply: supplier-specific, source: s, contract: {type: PPA, period: p, certificate: c}, "
            "factor: {value: -1, unit: g/kWh, source: s}}}",
            6,
            "out",
        ),
    ],
)
def test_per_plant_electricity_errors(model, electricity, line, message):
    text = HEAD + f"plant:\n  name: p\n  route: hydrometallurgical\n  electricity: {electricity}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text, "bad.yaml", model.parameters)
    rendered = str(info.value)
    assert rendered.startswith(f"bad.yaml:{line}:"), rendered
    assert message in rendered, rendered


def test_the_plant_examples_of_the_docs_are_valid(model):
    text = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    section = text.split("## Plant profiles", 1)[1]
    blocks = [b.split("```", 1)[0] for b in section.split("```yaml\n")[1:]]
    profile, per_plant = blocks[0], blocks[1]
    sc = parse_scenario_text(HEAD + profile, "docs.yaml", model.parameters)
    names = ("hydro_h2so4_per_bm", "dist_recycler_to_cathode_sea_km", "recycler_region")
    assert {model.parameters.key(n) for n in names} <= set(sc.values)
    head = "plant:\n  name: p\n  route: hydrometallurgical\n"
    sc = parse_scenario_text(HEAD + head + per_plant, "docs.yaml", model.parameters)
    assert {"recycler_supplier_electricity_ghg", "cam_plant_region"} <= set(sc.values)


def test_parameters_lists_a_following_choice_as_such():
    result = CliRunner().invoke(cli, ["parameters", "--search", "recycler_region", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "follows plant_region" in result.output
