"""Plant reagents per kg black mass: a known answer per route family, and every wrong input."""

from __future__ import annotations

import pytest

from cathode_lca.cli.scenarios import apply_scenarios
from cathode_lca.lca import default_model
from cathode_lca.parameters.scenario_values import ScenarioError
from cathode_lca.parameters.scenarios import parse_scenario_text

HEAD = "format: cathode-lca-scenario/1\nname: t\n"
GWP = ["ipcc2021-gwp100"]


def profile(route: str, reagents: str) -> str:
    return HEAD + f"plant:\n  name: p\n  route: {route}\n  reagents:\n{reagents}"


@pytest.fixture(scope="module")
def model():
    return default_model()


def _gwp(model, product, parameters):
    ds = model.calculate({product: 1.0}, methods=GWP, parameters=parameters)
    return float(ds.score.sel(lcia_method="ipcc2021-gwp100"))


def test_sulfuric_acid_per_kg_black_mass_replaces_the_stoichiometric_amount(model, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        profile("hydrometallurgical", "    H2SO4: {value: 500, unit: g/kg, source: plant purchase records}\n")
    )
    applied = apply_scenarios(model, (str(path),), {})
    env = applied.model.parameters.evaluate(applied.parameters)
    base_env = model.parameters.evaluate()
    key = model.parameters.key
    assert float(env[key("hydro_h2so4_per_bm")]) == pytest.approx(0.5)  # 500 g/kg = 0.5 kg/kg
    default = float(base_env[key("hydro_h2so4_per_bm")])
    # the default is EverBatt's formula (CD88), evaluated by hand from the model's black-mass contents
    bm = {e: float(base_env[key(f"bm_{e}")]) for e in ("li", "co", "ni", "mn")}
    assert default == pytest.approx(bm["li"] / 14 * 98 + (bm["co"] / 59 + bm["ni"] / 59 + bm["mn"] / 55) * 98 * 2)
    acid = _gwp(model, "sulfuric-acid-greet2022", {})
    bm_per_feed = float(base_env[key("bm_per_feed")])
    product = "recycling-hydrometallurgical"
    # by hand: only the acid changes, per kg feed = kg black mass per kg feed x (0.5 - default) x acid GWP
    delta = _gwp(applied.model, product, applied.parameters) - _gwp(model, product, {})
    assert delta == pytest.approx(bm_per_feed * (0.5 - default) * acid, rel=1e-9)


def test_pyro_limestone_also_moves_its_calcination_co2(model, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(profile("pyrometallurgical", "    limestone: {value: 0.1, unit: kg/kg, source: records}\n"))
    applied = apply_scenarios(model, (str(path),), {})
    env = applied.model.parameters.evaluate(applied.parameters)
    assert float(env[model.parameters.key("pyro_limestone")]) == pytest.approx(0.1)
    key = applied.model.parameters.key
    # CaCO3 -> CaO + CO2 with EverBatt's molar masses as written ('CM Rec Par.'!BD152: limestone*44/100)
    assert float(env[key("pyro_co2_decomposition")]) == pytest.approx(0.1 * 44 / 100, rel=1e-3)


@pytest.mark.parametrize(
    ("route", "reagent", "message"),
    [
        ("hydrometallurgical", "H2SO5: {value: 0.5, unit: kg/kg, source: s}", "did you mean 'H2SO4'"),
        ("hydrometallurgical", "limestone: {value: 0.5, unit: kg/kg, source: s}", "unknown hydrometallurgical reagent"),
        ("hydrometallurgical", "H2SO4: {value: 0.5, unit: kWh/kg, source: s}", "wrong unit"),
        ("hydrometallurgical", "H2SO4: {value: -0.5, unit: kg/kg, source: s}", "out of bounds"),
        ("hydrometallurgical", "H2SO4: {value: 0.5, source: s}", "missing unit of H2SO4"),
        ("hydrometallurgical", "H2SO4: {value: 0.5, unit: kg/kg}", "missing 'source'"),
        ("direct", "NaOH: {value: 0.5, unit: kg/kg, source: s}", "unknown direct reagent"),
        ("pyrometallurgical", "H2SO4: 0.5", "missing unit of H2SO4"),
    ],
)
def test_bad_reagents_are_located_errors(model, route, reagent, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(profile(route, f"    {reagent}\n"), "bad.yaml", model.parameters)
    rendered = str(info.value)
    assert rendered.startswith("bad.yaml:7:"), rendered
    assert message in rendered, rendered
