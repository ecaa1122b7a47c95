"""Transport legs of a plant profile: modes, units, sums per shipment, known answers and errors."""

from __future__ import annotations

import pytest

from cathode_lca.cli.scenarios import apply_scenarios
from cathode_lca.lca import default_model
from cathode_lca.parameters.scenario_values import ScenarioError
from cathode_lca.parameters.scenarios import parse_scenario_text

HEAD = "format: cathode-lca-scenario/1\nname: t\n"
GWP = ["ipcc2021-gwp100"]
SEA_G_PER_TKM = 2.58489  # GREET 2022 via EverBatt 2023, ocean tanker loaded trip, g CO2e/t*km (AR6)
KM_PER_MI = 1.609344  # international mile, exact


def profile(legs: str) -> str:
    return HEAD + f"plant:\n  name: p\n  route: hydrometallurgical\n  transport:\n{legs}"


TRUCK = "    - {leg: recycler-to-cathode, mode: truck, distance: {value: 250, unit: km}, source: logistics}\n"
SEA_MI = "    - {leg: recycler-to-cathode, mode: sea, distance: {value: 5000, unit: mi}, source: sea route}\n"


@pytest.fixture(scope="module")
def model():
    return default_model()


def _apply(model, tmp_path, text, **params):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    applied = apply_scenarios(model, (str(path),), params)
    return applied, applied.model.parameters.evaluate(applied.parameters)


def _gwp(applied, product, **params):
    ds = applied.model.calculate({product: 1.0}, methods=GWP, parameters={**applied.parameters, **params})
    return float(ds.score.sel(lcia_method="ipcc2021-gwp100"))


def test_the_model_sea_factor_is_the_cited_one(model):
    ds = model.calculate({"transport-ocean-tanker": 1.0}, methods=GWP)
    assert float(ds.score.sel(lcia_method="ipcc2021-gwp100")) * 1000 == pytest.approx(SEA_G_PER_TKM, rel=1e-5)


def test_a_sea_leg_in_miles_is_converted_and_charged_per_tkm(model, tmp_path):
    truck, env_truck = _apply(model, tmp_path, profile(TRUCK))
    both, env = _apply(model, tmp_path, profile(TRUCK + SEA_MI))
    key = both.model.parameters.key
    assert float(env[key("dist_recycler_to_cathode_sea_km")]) == pytest.approx(5000 * KM_PER_MI)
    assert float(env[key("dist_recycler_to_cathode_mi")]) == pytest.approx(250 / KM_PER_MI)  # truck leg kept
    assert float(env[key("dist_recycler_to_cathode_rail_km")]) == 0.0  # listed legs replace the shipment
    product = "cam-nmc811-hydrometallurgical"
    salts = float(env[key(f"{product}::recycled_salts_moved")])
    # by hand: kg salts x 1.1 (EverBatt mass factor) x 8046.72 km x 0.001 t/kg x 2.58489 g/t*km
    expected = salts * 1.1 * 5000 * KM_PER_MI * 0.001 * SEA_G_PER_TKM / 1000
    assert _gwp(both, product) - _gwp(truck, product) == pytest.approx(expected, rel=1e-5)
    assert _gwp(both, "cam-nmc811-virgin") == _gwp(truck, "cam-nmc811-virgin")  # the virgin route has no such leg


def test_truck_legs_of_one_shipment_add_up(model, tmp_path):
    legs = TRUCK + TRUCK.replace("250, unit: km", "30, unit: mi")
    applied, env = _apply(model, tmp_path, profile(legs))
    value = float(env[applied.model.parameters.key("dist_recycler_to_cathode_mi")])
    assert value == pytest.approx(250 / KM_PER_MI + 30)


def test_a_black_mass_shipment_by_rail(model, tmp_path):
    leg = "    - {leg: preprocessor-to-recovery, mode: rail, distance: {value: 600, unit: km}, source: rail}\n"
    applied, env = _apply(model, tmp_path, profile(leg))
    key = applied.model.parameters.key
    assert float(env[key("dist_preprocessor_to_recovery_mi")]) == 0.0  # no truck leg listed
    rail = float(model.calculate({"transport-rail": 1.0}, methods=GWP).score.sel(lcia_method="ipcc2021-gwp100"))
    # by hand, per kg black-mass feed: 1.1 x 600 km x 0.001 t/kg x rail factor; nothing by truck
    got = _gwp(applied, "recycling-feed", feed_type="black-mass")
    assert got == pytest.approx(1.1 * 600 * 0.001 * rail, rel=1e-9)


def test_a_truck_payload_in_tonnes_scales_the_cited_truck_factor(model, tmp_path):
    heavy = TRUCK.replace("source: logistics}", "source: logistics, payload: {value: 18.143695, unit: t}}")
    truck, env = _apply(model, tmp_path, profile(TRUCK))
    loaded, env_loaded = _apply(model, tmp_path, profile(heavy))
    key = loaded.model.parameters.key
    # 18.143695 t = 20 short tons (1 short ton = 0.90718474 t, exact)
    assert float(env_loaded[key("payload_recycler_to_cathode_hhdt")]) == pytest.approx(20.0, rel=1e-7)
    assert float(env_loaded[key("payload_hhdt")]) == 10.0  # the other shipments and the virgin proxies keep theirs
    product = "cam-nmc811-hydrometallurgical"
    salts = float(env[key(f"{product}::recycled_salts_moved")])
    hhdt = float(model.calculate({"transport-truck-hhdt": 1.0}, methods=GWP).score.sel(lcia_method="ipcc2021-gwp100"))
    # by hand: 250 km > 100 mi, heavy truck; its factor at 10 short tons halves at 20 short tons
    truck_part = salts * 1.1 * 250 * 0.001 * hhdt
    assert _gwp(loaded, product) - _gwp(truck, product) == pytest.approx(-truck_part / 2, rel=1e-6)
    assert _gwp(loaded, "cam-nmc811-virgin") == _gwp(truck, "cam-nmc811-virgin")


def test_legs_with_different_payloads_give_the_harmonic_mean(model, tmp_path):
    leg = "    - {leg: recycler-to-cathode, mode: truck, distance: {value: 100, unit: km}, source: s, "
    legs = leg + "payload: {value: 10, unit: short_ton}}\n" + leg + "payload: {value: 20, unit: short_ton}}\n"
    applied, env = _apply(model, tmp_path, profile(legs))
    # 200 km / (100 km / 10 + 100 km / 20) = 13.33 short tons: the same burden as the two legs apart
    assert float(env[applied.model.parameters.key("payload_recycler_to_cathode_mhdt")]) == pytest.approx(200 / 15)
    with pytest.raises(ScenarioError, match="some truck legs of recycler-to-cathode give a payload"):
        parse_scenario_text(profile(legs + TRUCK), "bad.yaml", model.parameters)


@pytest.mark.parametrize(
    ("leg", "message"),
    [
        ("{leg: recycler-to-cathod, mode: sea, distance: {value: 1, unit: km}, source: s}", "did you mean"),
        ("{leg: recycler-to-cathode, mode: sae, distance: {value: 1, unit: km}, source: s}", "did you mean 'sea'"),
        ("{leg: recycler-to-cathode, mode: sea, distance: {value: 1}, source: s}", "missing unit"),
        ("{leg: recycler-to-cathode, mode: sea, distance: {value: 1, unit: kg}, source: s}", "wrong unit"),
        ("{leg: recycler-to-cathode, mode: sea, distance: {value: -5, unit: km}, source: s}", "cannot be negative"),
        ("{leg: recycler-to-cathode, mode: truck, distance: {value: -5, unit: km}, source: s}", "cannot be negative"),
        ("{leg: recycler-to-cathode, mode: sea, distance: {value: 1, unit: km}}", "missing 'source'"),
        ("{leg: recycler-to-cathode, mode: sea, distance: {value: .nan, unit: km}, source: s}", "NaN"),
        (
            "{leg: recycler-to-cathode, mode: sea, distance: {value: 1, unit: km}, source: s, load_factor: 0.5}",
            "no load-factor variants",
        ),
        (
            "{leg: recycler-to-cathode, mode: truck, distance: {value: 1, unit: km}, source: s, payload: 20}",
            "a payload needs {value, unit}",
        ),
        (
            "{leg: recycler-to-cathode, mode: truck, distance: {value: 1, unit: km}, source: s, "
            "payload: {value: 20, unit: km}}",
            "wrong unit",
        ),
        (
            "{leg: recycler-to-cathode, mode: truck, distance: {value: 1, unit: km}, source: s, "
            "payload: {value: 0, unit: t}}",
            "out of bounds",
        ),
        (
            "{leg: recycler-to-cathode, mode: rail, distance: {value: 1, unit: km}, source: s, "
            "payload: {value: 20, unit: t}}",
            "no load-factor variants",
        ),
        ("{leg: recycler-to-cathode, mode: sea, distanse: {value: 1, unit: km}, source: s}", "did you mean 'distance'"),
    ],
)
def test_bad_legs_are_located_errors(model, leg, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(profile(f"    - {leg}\n"), "bad.yaml", model.parameters)
    rendered = str(info.value)
    assert rendered.startswith("bad.yaml:7:"), rendered
    assert message in rendered, rendered
