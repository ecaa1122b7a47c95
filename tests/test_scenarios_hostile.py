"""A new user's and a hostile user's pass over scenario and plant files: each test is one defect found.

Every test here failed before its fix (see the commit that added it). Known answers are computed by
hand in the test.
"""

from __future__ import annotations

import json

import pytest
from conftest import SCENARIO_HEAD, parse_scenario, run_main
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.lca import default_model
from cathode_lca.parameters.scenario_values import ScenarioError
from cathode_lca.parameters.scenarios import parse_scenario_text

HEAD = SCENARIO_HEAD
PLANT = "plant:\n  name: p\n  route: hydrometallurgical\n"


@pytest.fixture(scope="module")
def model():
    return default_model()


def located(text, model, line):
    """The rendered error of *text*, checked to start with its file and line."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, model, file="bad.yaml")
    rendered = str(info.value)
    assert rendered.startswith(f"bad.yaml:{line}:"), rendered
    return rendered


# -- 1. scientific notation ------------------------------------------------------------------
# YAML 1.1 (PyYAML) reads 1e3, 1.5e3 and 2.5E2 (no dot, or no sign in the exponent) as TEXT, so
# `value: 1e3` was refused with "value must be a number, got '1e3'": the user wrote a number.


@pytest.mark.parametrize(("written", "km"), [("1e3", 1000.0), ("1.5e3", 1500.0), ("2.5E2", 250.0), ("5e-1", 0.5)])
def test_scientific_notation_is_a_number(model, written, km):
    sc = parse_scenario(
        f"parameters:\n  dist_recycler_to_cathode_mi: {{value: {written}, unit: km, source: s}}\n", model
    )
    assert sc.values["dist_recycler_to_cathode_mi"].value == pytest.approx(km / 1.609344)


def test_scientific_notation_in_an_assay_and_a_distribution(model):
    sc = parse_scenario(
        PLANT + "  black_mass: {chemistry: NMC811, unit: kg/kg, source: s, "
        "assay: {Ni: 2.6e-1, Co: 3.3e-2, Mn: 3e-2, Li: 3.8e-2, C: 3.6e-1}}\n"
        "parameters:\n  hydro_electricity: {value: 1e0, unit: kWh/kg, source: s, "
        "distribution: {type: triangular, minimum: 5e-1, maximum: 2e0}}\n",
        model,
    )
    # x_CAM = (0.26 + 0.033 + 0.03) / 0.59973 (docs/scenarios.md worked example: w_Ni+w_Co+w_Mn)
    assert sc.values["bmfeed_cam"].value == pytest.approx(0.323 / 0.59973, rel=1e-4)
    dist = sc.values["hydro_electricity"].distribution
    assert (dist["minimum"], dist["maximum"]) == pytest.approx((1.8, 7.2))  # kWh -> MJ: x 3.6


@pytest.mark.parametrize("written", ["1e400", "'1e400'", "-1e400"])
def test_overflowing_scientific_notation_is_refused_as_non_finite(model, written):
    text = f"parameters:\n  dist_recycler_to_cathode_mi: {{value: {written}, unit: km, source: s}}\n"
    assert "NaN or infinite" in located(text, model, 4) or "non-finite" in located(text, model, 4)


@pytest.mark.parametrize("written", ["'nan'", "'inf'", "'0x10'", "'1_000'", "'1e3 km'", "'e3'"])
def test_text_that_is_not_a_plain_number_is_still_refused(model, written):
    text = f"parameters:\n  dist_recycler_to_cathode_mi: {{value: {written}, unit: km, source: s}}\n"
    assert "must be a number" in located(text, model, 4)


# -- 2. Norway ---------------------------------------------------------------------------------
# YAML 1.1 reads NO (and no, off, yes, on, y, n) as a boolean. `region: NO` (Norway, a choice of
# every region parameter) said "missing 'region'", and `plant_region: {value: NO}` listed NO among
# the choices the user had "not" given.


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("parameters:\n  plant_region: {value: NO, source: s}\n", 4),
        (PLANT + "  electricity: {supply: grid, region: NO, source: s}\n", 6),
        (PLANT + "  electricity: {supply: residual-mix, region: NO, source: s}\n", 6),
        (PLANT + "  electricity:\n    cam_plant: {supply: grid, region: no, source: s}\n", 7),
    ],
)
def test_an_unquoted_norway_says_to_quote_it(model, text, line):
    rendered = located(text, model, line)
    assert "missing 'region'" not in rendered
    assert "read as a boolean" in rendered and "quotes" in rendered, rendered


def test_quoted_norway_is_norway(model):
    sc = parse_scenario(PLANT + '  electricity: {supply: residual-mix, region: "NO", source: s}\n', model)
    assert sc.values["recycler_region"].value == "NO"
    assert sc.values["recycler_electricity_supply"].value == "residual"


# -- 3. assay units ----------------------------------------------------------------------------
# pint cancels mol/mol, L/L and radian to "dimensionless", so an assay in mole fractions (or any
# dimensionless unit) was taken as mass fractions: 0.26 mol/mol Ni read as 0.26 kg/kg.


def _assay(unit, scale=1.0):
    a = {"Ni": 0.26, "Co": 0.033, "Mn": 0.03, "Li": 0.038, "C": 0.36}
    return PLANT + (
        f"  black_mass: {{chemistry: NMC811, unit: '{unit}', source: s, assay: {{"
        + ", ".join(f"{e}: {v * scale:.6g}" for e, v in a.items())
        + "}}\n"
    )


@pytest.mark.parametrize("unit", ["mol/mol", "L/L", "radian", "count", "m/m", "mol%"])
def test_an_assay_not_in_mass_fractions_is_refused(model, unit):
    rendered = located(_assay(unit), model, 6)
    assert "mass fraction" in rendered


@pytest.mark.parametrize(
    ("unit", "scale"), [("kg/kg", 1), ("%", 100), ("percent", 100), ("g/kg", 1000), ("ppm", 1e6), ("kg/t", 1000)]
)
def test_an_assay_in_mass_fractions_is_read(model, unit, scale):
    sc = parse_scenario(_assay(unit, scale), model)
    # x_CAM = (0.26 + 0.033 + 0.03) / 0.59973 and feed_cam_ni = a_Ni / x_CAM, whatever the unit
    assert sc.values["feed_cam_ni"].value == pytest.approx(0.26 / (0.323 / 0.59973), rel=1e-4)


# -- 4. lithium beyond the CAM's mass ---------------------------------------------------------
# All Li is counted as CAM lithium (feed_cam_li = a_Li / x_CAM). A typo Li: 30 (for 3.0) in the
# docs' NMC811 assay still summed to under 100 % and was accepted: feed_cam_li = 0.30 / 0.53858 =
# 0.557 kg Li per kg CAM, on top of 0.5997 kg Ni + Co + Mn, i.e. a CAM of 1.157 kg per kg.


def test_more_lithium_than_a_kg_of_cam_can_hold_is_refused(model):
    text = PLANT + (
        "  black_mass: {chemistry: NMC811, unit: '%', source: s, "
        "assay: {Ni: 26.0, Co: 3.3, Mn: 3.0, Li: 30.0, Al: 1.5, Cu: 2.0, F: 1.2, C: 30.0}}\n"
    )
    rendered = located(text, model, 6)
    assert "1.157" in rendered and "Li" in rendered


def test_the_docs_assay_and_an_over_lithiated_one_still_pass(model):
    # Li 5.5 %: 0.055 / 0.53858 = 0.1021 kg/kg CAM (1.4x the 0.0713 of LiNi0.8Co0.1Mn0.1O2): plausible
    # for a feed with electrolyte lithium, and 0.5997 + 0.1021 < 1
    text = PLANT + (
        "  black_mass: {chemistry: NMC811, unit: '%', source: s, "
        "assay: {Ni: 26.0, Co: 3.3, Mn: 3.0, Li: 5.5, Al: 1.5, Cu: 2.0, F: 1.2, C: 36.0}}\n"
    )
    assert parse_scenario(text, model).values["feed_cam_li"].value == pytest.approx(0.055 / 0.53858, rel=1e-4)


# -- 5. distributions that the parameter cannot take --------------------------------------------
# A scenario's uniform distribution leaving a fraction's [0, 1] was accepted by the file and only
# refused when `uncertainty` ran, with no file, line or field; one on an exact constant (a molar
# mass) was accepted, though docs/inventory-format.md says an exact constant is never varied.


def test_a_distribution_outside_the_bounds_is_refused_where_it_is_written(model):
    text = "parameters:\n  hydro_recovery_ni:\n    value: 0.9\n    source: s\n"
    text += "    distribution: {type: uniform, minimum: 0.5, maximum: 1.5}\n"
    rendered = located(text, model, 7)
    assert "parameters.hydro_recovery_ni.distribution" in rendered and "leaves the parameter's bounds" in rendered


def test_a_distribution_in_percent_inside_the_bounds_passes(model):
    text = "parameters:\n  hydro_recovery_ni: {value: 90, unit: '%', source: s, "
    text += "distribution: {type: triangular, minimum: 85, maximum: 99}}\n"
    dist = parse_scenario(text, model).values["hydro_recovery_ni"].distribution
    assert (dist["minimum"], dist["loc"], dist["maximum"]) == pytest.approx((0.85, 0.9, 0.99))


def test_a_distribution_on_an_exact_constant_is_refused(model):
    text = "parameters:\n  molar_mass_li: {value: 6.94, unit: g/mol, source: s, "
    text += "distribution: {type: normal, scale: 0.1}}\n"
    assert "exact constant" in located(text, model, 4)


# -- 6. negative energy, water, distance; a zero payload ---------------------------------------
# These parameters declared no bounds: `parameters: {hydro_electricity: {value: -1, unit: kWh/kg}}`,
# a plant's `energy.electricity: -1 kWh/kg`, a negative truck distance and `water: -5 L/kg` all ran,
# crediting the grid, fuel and water the plant never produced. `payload_hhdt: 0` was refused only
# through a derived per-shipment payload, naming the shipped feed.yaml and not the user's file.

UNBOUNDED = [
    ("hydro_electricity", "kWh/kg"),
    ("hydro_diesel", "MJ/kg"),
    ("hydro_natural_gas_base", "MJ/kg"),
    ("hydro_water", "L/kg"),
    ("pyro_electricity_base", "MJ/kg"),
    ("pyro_natural_gas_per_metal", "MJ/kg"),
    ("pyro_water", "L/kg"),
    ("direct_electricity_base", "MJ/kg"),
    ("direct_water", "L/kg"),
    ("dist_recycler_to_cathode_mi", "km"),
    ("dist_collection_to_disassembly_mi", "mi"),
]


@pytest.mark.parametrize(("name", "unit"), UNBOUNDED)
def test_a_negative_consumption_or_distance_is_refused_at_its_line(model, name, unit):
    rendered = located(f"parameters:\n  {name}: {{value: -1, unit: {unit}, source: s}}\n", model, 4)
    assert "out of bounds" in rendered and f"parameters.{name}.value" in rendered


@pytest.mark.parametrize(
    "section",
    [
        "  energy:\n    electricity: {value: -1, unit: kWh/kg, source: s}\n",
        "  energy:\n    heat: {natural_gas: {value: -1, unit: MJ/kg, source: s}}\n",
        "  water: {value: -5, unit: L/kg, source: s}\n",
    ],
)
def test_a_plant_with_negative_energy_or_water_is_refused(model, section):
    assert "out of bounds" in located(PLANT + section, model, 7 if "energy" in section else 6)


@pytest.mark.parametrize("payload", [0, -3])
def test_a_zero_model_payload_is_refused_in_the_users_file(model, payload):
    rendered = located(f"parameters:\n  payload_hhdt: {{value: {payload}, unit: t, source: s}}\n", model, 4)
    assert "payload_hhdt" in rendered and "feed.yaml" not in rendered


def test_zero_is_still_a_valid_distance_and_energy(model):
    sc = parse_scenario(
        "parameters:\n  dist_recycler_to_cathode_mi: {value: 0, unit: km, source: s}\n"
        "  hydro_natural_gas_base: {value: 0, unit: MJ/kg, source: s}\n",
        model,
    )
    assert sc.values["dist_recycler_to_cathode_mi"].value == 0.0


# -- 7. overflow to infinity inside the scenario -----------------------------------------------
# Two sea legs of 1.0e+308 km are each finite, but their sum is inf: `compute` stopped with
# "cam-recycled.yaml:710 ... amount is NaN or infinite ... (division by zero?)", naming a shipped file
# and not the user's. A finite value whose unit conversion overflows (1.5e+308 mi is 2.4e+308 km) likewise.


def _legs(*legs):
    text = PLANT + "  transport:\n"
    for mode, value, unit in legs:
        text += (
            f"    - {{leg: recycler-to-cathode, mode: {mode}, distance: {{value: {value}, unit: {unit}}}, source: s}}\n"
        )
    return text


def test_legs_that_sum_to_infinity_are_refused_in_the_users_file(model):
    rendered = located(_legs(("sea", "1.0e+308", "km"), ("sea", "1.0e+308", "km")), model, 7)
    assert "infinite" in rendered and "plant.transport" in rendered


def test_a_value_whose_conversion_overflows_is_refused(model):
    text = "parameters:\n  dist_recycler_to_cathode_sea_km: {value: 1.5e+308, unit: mi, source: s}\n"
    assert "infinite" in located(text, model, 4)


def test_a_payload_harmonic_mean_that_overflows_is_refused(model):
    text = PLANT + "  transport:\n"
    text += "    - {leg: recycler-to-cathode, mode: truck, distance: {value: 1.0e+306, unit: km}, "
    text += "payload: {value: 0.001, unit: short_ton}, source: s}\n"
    assert "infinite" in located(text, model, 7)


# -- 8. `validate` on a scenario file ----------------------------------------------------------
# `cathode-lca validate my-plant.yaml` read the scenario as an inventory and said
# "my-plant.yaml:2: field 'name': unknown key ... check the spelling against docs/inventory-format.md".


@pytest.mark.slow
def test_validate_checks_a_scenario_file_against_the_shipped_inventories(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(
        HEAD + PLANT + "  recovery:\n    Ni: {value: 95, unit: '%', source: s}\n"
        "  electricity: {supply: grid, region: PL, source: s}\n"
    )
    code, out, err = run_main(["validate", str(good), "--format", "json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True and report["balances_checked"] > 0
    assert [(s["name"], s["parameters"]) for s in report["scenarios"]] == [("t", 3)]


@pytest.mark.slow
def test_validate_names_the_balance_a_scenario_breaks(tmp_path, capsys):
    # 0.5 kg Ni per kg NMC811 instead of 0.8 * 58.693 / 97.2795 = 0.48268: the pCAM's Ni in
    # (stoichiometric NiSO4) no longer matches the product's Ni out
    bad = tmp_path / "ni.yaml"
    bad.write_text(HEAD + "parameters:\n  cam_ni_nmc811: {value: 0.5, source: s}\n")
    code, out, _ = run_main(["validate", str(bad), "--format", "json"], capsys)
    assert code == 1
    failed = {(r["dataset"], r["element"]) for r in json.loads(out)["balance_failures"]}
    assert ("pcam-nmc811-virgin", "Ni") in failed
    assert {e for _, e in failed} == {"Ni"}


def test_validate_reports_a_bad_scenario_file_with_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "parameters:\n  hydro_recovery_ni: {value: 95, source: s}\n")
    code, _, err = run_main(["validate", str(bad)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{bad}:4" in err and "hydro_recovery_ni" in err and "unknown key" not in err


# -- 9. the docs' list of named scenarios ------------------------------------------------------
# `cathode-lca scenarios` lists everbatt-2023, but docs/scenarios.md's table of named scenarios did not.


def test_the_docs_table_lists_every_shipped_scenario():
    from pathlib import Path

    from cathode_lca.parameters.scenarios import named_scenarios

    text = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    table = text.split("## Named scenarios", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert listed == set(named_scenarios())


# -- 10. direct recycling of another chemistry's black mass -------------------------------------
# A plant profile's assay of NMC622 black mass (examples/plants/cn-pyro-hydro-plant.yaml) with
# `compare NMC811`: compare sets feed_chemistry = NMC811, so the direct route "regenerated" NMC811
# from NMC622 black mass (Ni in 0.364, out 0.483 kg per kg CAM; `validate` shows the 25 % gap).
# Direct recycling returns only the chemistry it is fed; the route falls back to virgin CAM when the
# feed is another chemistry (EverBatt 2023, 'Man Rec Par.'!C57:J57), which needs the feed's own
# chemistry: the assay's.


def test_an_assay_sets_the_chemistry_of_the_feed_cam(model):
    sc = parse_scenario(_assay("kg/kg").replace("chemistry: NMC811", "chemistry: NMC622"), model)
    assert sc.values["feed_cam_chemistry"].value == "NMC622"


def test_direct_recycling_of_nmc622_black_mass_does_not_make_nmc811(capsys):
    from pathlib import Path

    profile = Path(__file__).resolve().parent.parent / "examples" / "plants" / "cn-pyro-hydro-plant.yaml"
    code, out, err = run_main(["validate", str(profile), "--format", "json"], capsys)
    failed = {(r["dataset"], r["element"]) for r in json.loads(out)["balance_failures"]}
    assert not {f for f in failed if f[0] == "cam-nmc811-direct"}, failed


def test_the_feed_cam_follows_the_feed_chemistry_without_an_assay(model):
    env = model.parameters.evaluate({"feed_chemistry": "NCA"})
    key = model.parameters.key("feed_cam_chemistry")
    assert model.parameters.choices[key][int(env[key])] == "NCA"


# -- 11. a plant profile in the Monte Carlo ----------------------------------------------------
# `uncertainty NMC811 --scenario examples/plants/eu-hydro-recycler.yaml --samples 2000` stopped with
# "formula 'feed_cam * bm_capture_main / bm_per_feed' gives value 1.22 of 'bm_cam' ... outside [0, 1]":
# the assay's bm_per_feed = 1 (a definition: one kg of feed IS one kg of the assayed black mass) got
# the pedigree default lognormal (GSD 1.32), so a draw of 0.75 put 1.2 kg of CAM in 1 kg of black mass.
# A scenario value with no distribution of its own also kept the parameter's shipped ABSOLUTE
# distribution, so the Monte Carlo drew around the shipped value, not the user's.


def test_definitional_values_of_an_assay_are_not_varied(model):
    from pathlib import Path

    from cathode_lca.cli.scenarios import apply_scenarios
    from cathode_lca.uncertainty.defaults import default_parameter_distribution

    profile = Path(__file__).resolve().parent.parent / "examples" / "plants" / "eu-hydro-recycler.yaml"
    applied = apply_scenarios(model, [str(profile)], {})
    params = applied.model.parameters
    bm_per_feed = params.parameters[params.key("bm_per_feed")]
    assert bm_per_feed.value == 1.0 and default_parameter_distribution(bm_per_feed) is None
    # measured values keep an uncertainty (the pedigree default of a user value)
    assert default_parameter_distribution(params.parameters[params.key("bmfeed_cam")]) is not None


@pytest.mark.slow
def test_the_plant_examples_run_through_the_monte_carlo(model):
    from pathlib import Path

    from cathode_lca.cli.scenarios import apply_scenarios
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    root = Path(__file__).resolve().parent.parent / "examples" / "plants"
    for profile in ("eu-hydro-recycler.yaml", "cn-pyro-hydro-plant.yaml"):
        applied = apply_scenarios(model, [str(root / profile)], {})
        ds = monte_carlo("NMC811", samples=2000, seed=1, model=applied.model, routes=["virgin", "hydrometallurgical"])
        assert ds.sizes["sample"] == 2000


def test_a_scenario_value_without_distribution_is_not_drawn_around_the_shipped_value(model):
    # li2co3_atacama_ng_heat ships a triangular 16.007-29.728 MJ around 22.868; the user's 40 MJ
    # lies outside it, so any draw from the shipped triangle ignores the user's value
    from cathode_lca.parameters.scenarios import apply_to_inventory, compose

    sc = parse_scenario(
        "parameters:\n  li2co3_atacama_ng_heat: {value: 40, unit: MJ, source: s}\n",
        model,
    )
    inventory = apply_to_inventory(model.inventory, compose([sc]))
    key = model.parameters.key("li2co3_atacama_ng_heat")
    assert inventory.parameters[key].value == 40.0
    dist = inventory.parameters[key].distribution
    assert dist is None or dist["minimum"] <= 40.0 <= dist["maximum"], dist


# -- 12. a generation mix whose shares no longer add up ------------------------------------------
# The country generation mixes (electricity-generation-<cc>) take share_<source> in percent as
# amounts share / 100 per kWh, not normalised. A scenario setting Austria's share_coal to 50 (and no
# other share) made 1 kWh of Austrian grid 1.5 kWh of generation, without a word.


def test_a_mix_whose_shares_do_not_add_up_is_refused(model):
    text = "parameters:\n  electricity-generation-at::share_coal: {value: 50, source: s}\n"
    rendered = located(text, model, 4)
    # shipped AT shares add up to 100.000; with coal 0 -> 50 they add up to 150
    assert "150" in rendered and "electricity-generation-at" in rendered and "share" in rendered


def test_a_mix_rebalanced_by_the_user_passes(model):
    # AT: coal 0 -> 10 and hydro 58.252 -> 48.252: the total stays 100
    text = (
        "parameters:\n  electricity-generation-at::share_coal: {value: 10, source: s}\n"
        "  electricity-generation-at::share_hydro: {value: 48.252, source: s}\n"
    )
    sc = parse_scenario(text, model)
    assert sc.values["electricity-generation-at::share_coal"].value == 10.0


# -- 13. a finite value whose result overflows ----------------------------------------------------
# hydro_electricity = 1.7e+308 MJ/kg is finite and within its bounds, but times the grid's factor the
# result overflows: `compute` printed numpy RuntimeWarnings and an EMPTY value column with exit 0, and
# `compare` silently left the hydrometallurgical row out.


def test_a_result_that_overflows_is_refused(model, tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text(HEAD + "parameters:\n  hydro_electricity: {value: 1.7e+308, unit: MJ/kg, source: s}\n")
    code, out, err = run_main(["compute", "cam-nmc811-hydrometallurgical", "--scenario", str(path)], capsys)
    assert code == 2, out
    assert "not finite" in err and "RuntimeWarning" not in err and "Traceback" not in err, err
    assert "hydro_electricity" in err
    code, out, err = run_main(["compare", "NMC811", "--scenario", str(path)], capsys)
    assert code == 2 and "not finite" in err, out
    # sweep (the vectorised path) printed the hydrometallurgical rows with no value
    args = ["sweep", "NMC811", "--scenario", str(path), "--grid", "hydro_recovery_li=0.8,0.9"]
    code, out, err = run_main(args, capsys)
    assert code == 2 and "not finite" in err and "RuntimeWarning" not in err, out


# -- properties of the number reader and the assay converter ------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.sampled_from(["e", "E"]))
def test_scientific_text_reads_as_the_number_it_writes(x, letter):
    from cathode_lca.parameters.scenario_values import as_number

    text = f"{x:.17e}".replace("e", letter)
    assert as_number(text) == float(text)


@given(st.text(max_size=12))
def test_other_text_is_left_alone_or_read_as_its_own_float(text):
    from cathode_lca.parameters.scenario_values import as_number

    out = as_number(text)
    assert out == text or (isinstance(out, float) and out == float(text) and any(c in text for c in "eE"))


_MM = {"li": 6.94, "ni": 58.693, "co": 58.933, "mn": 54.938, "o": 15.999, "al": 26.982}
_MM.update({"fe": 55.845, "p": 30.974, "c": 12.011, "f": 18.998, "h": 1.008})


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["Ni", "Co", "Mn", "Li", "Al", "Cu", "Fe", "F", "C"]), st.floats(0, 0.6)),
    st.sampled_from(["NMC111", "NMC622", "NMC811", "NCA", "LFP"]),
)
def test_an_accepted_assay_is_a_physical_black_mass(assay, chemistry):
    from cathode_lca.errors import ParameterError
    from cathode_lca.parameters.assay import cam_fractions, convert_assay

    if sum(assay.values()) > 1:
        return
    try:
        comp = convert_assay(assay, chemistry, _MM)
    except ParameterError:
        return
    assert comp.cam + comp.graphite + comp.pvdf + comp.copper + comp.aluminum <= 1 + 1e-6
    others = sum(v for e, v in cam_fractions(chemistry, _MM).items() if e not in ("Ni", "Co", "Mn", "Li", "O"))
    assert sum(comp.cam_elements.values()) + others <= 1 + 1e-9
    # the black mass holds exactly the measured Li
    assert comp.cam_elements["Li"] * comp.cam == pytest.approx(assay.get("Li", 0.0), abs=1e-12)


def test_the_docs_format_section_names_every_top_level_key():
    # `datasets:` (a supplier's PACT footprint) was accepted by the loader but absent from
    # docs/scenarios.md, and with it the rule that its path is relative to the scenario file
    from pathlib import Path

    from cathode_lca.parameters.scenarios import TOP_KEYS

    text = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    section = text.split("## Format", 1)[1].split("\n## ", 1)[0]
    assert [k for k in TOP_KEYS if f"{k}:" not in section and f"`{k}" not in section] == []


# -- 14. a feed composition of more than one kilogram ---------------------------------------------
# The plant assay is checked to hold at most 1 kg per kg, but the same components set directly
# (`parameters: {feed_type: black-mass, bmfeed_cam: 0.9, bmfeed_graphite: 0.5}`) ran, and validate
# said OK: 1.4 kg of components per kg of black mass.


def test_a_composition_over_one_kilogram_is_refused(model):
    text = (
        "parameters:\n  feed_type: {value: black-mass, source: s}\n"
        "  bmfeed_cam: {value: 0.9, source: s}\n  bmfeed_graphite: {value: 0.5, source: s}\n"
    )
    rendered = located(text, model, 5)
    assert "bmfeed_" in rendered and "kg" in rendered


def test_a_composition_within_one_kilogram_passes(model):
    # the shipped bmfeed_cam is 0.578-0.6455 (EverBatt 2023 'Preproc. Par.' row 286): 0.55 lowers every total
    sc = parse_scenario("parameters:\n  bmfeed_cam: {value: 0.55, source: s}\n", model)
    assert sc.values["bmfeed_cam"].value == 0.55


# -- 15. provenance of a scenario value the command did not use ----------------------------------
# `compare NMC811 --scenario fc.yaml` where fc.yaml sets feed_chemistry: NCA computed NMC811 (compare
# always sets the chemistry it compares), yet metadata.overridden_parameters said feed_chemistry = NCA
# from fc.yaml, and nothing warned: the output claimed a value the numbers do not use.


def test_a_scenario_value_the_command_replaced_is_marked_and_warned(tmp_path, capsys):
    path = tmp_path / "fc.yaml"
    path.write_text(HEAD + "parameters:\n  feed_chemistry: {value: NCA, source: s}\n")
    code, out, err = run_main(["compare", "NMC811", "--scenario", str(path), "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    entry = doc["metadata"]["overridden_parameters"]["feed_chemistry"]
    assert entry["value"] == "NCA" and entry["not_used"].startswith("NMC811")
    assert any("feed_chemistry" in w and "NMC811" in w for w in doc["warnings"]), doc["warnings"]


# -- 16. the region line when the plants have their own ---------------------------------------------
# `compare NMC811 --scenario my.yaml` (recycler on a PPA in PL, cam_plant on the PL grid) printed
# "region US (recycling and cathode plants)": US is only the shortcut that plants without a setting
# follow; nothing in the text output said that the plants of the file ran in PL.


def test_plants_with_their_own_region_are_said_next_to_the_shortcut(tmp_path, capsys):
    path = tmp_path / "pl.yaml"
    path.write_text(
        HEAD + PLANT + "  electricity:\n    recycler: {supply: grid, region: PL, source: s}\n"
        "    cam_plant: {supply: grid, region: FR, source: s}\n"
    )
    code, out, err = run_main(["compare", "NMC811", "--scenario", str(path), "--route", "hydrometallurgical"], capsys)
    assert code == 0, err
    note = [line for line in err.splitlines() + out.splitlines() if "recycler_region" in line]
    assert note and "PL" in note[0] and "cam_plant_region" in note[0] and "FR" in note[0] and "US" in note[0], out + err


# -- 17. a scenario name with control characters ---------------------------------------------------
# name: "x\nscenario eu-2030-recycler (7 parameters, sha256 ...)" forged a second provenance line in
# the text output; "\e]0;...\a" would retitle the user's terminal. A name is one printable line.


@pytest.mark.parametrize("name", ['"x\\nscenario fake (1 parameters)"', '"x\\e]0;pwned\\a"', '"tab\\there"', '""'])
def test_a_scenario_name_is_one_printable_line(model, name):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(f"format: cathode-lca-scenario/1\nname: {name}\n", "bad.yaml", model.parameters)
    rendered = str(info.value)
    assert rendered.startswith("bad.yaml:2: field 'name'") and "one line of printable text" in rendered, rendered


def test_a_scenario_name_may_be_any_printable_text(model):
    sc = parse_scenario_text(
        "format: cathode-lca-scenario/1\nname: Zakład Gdańsk – PPA 2025\n", "s.yaml", model.parameters
    )
    assert sc.name == "Zakład Gdańsk – PPA 2025"


# -- 18. YAML 1.1 octal and base-60 numbers ----------------------------------------------------------
# `value: 0250` (a distance with a leading zero) was read as 168 (octal), and `value: 1:30` as 90
# (base 60), silently. YAML 1.2 and every user read 0250 as 250: such numbers are refused.


@pytest.mark.parametrize(("written", "meaning"), [("0250", "octal"), ("-010", "octal"), ("1:30", "base 60")])
def test_octal_and_base60_numbers_are_refused(model, written, meaning):
    text = f"parameters:\n  dist_recycler_to_cathode_mi: {{value: {written}, unit: km, source: s}}\n"
    rendered = located(text, model, 4)
    assert meaning in rendered and written in rendered


@pytest.mark.parametrize(("written", "km"), [("0", 0.0), ("250", 250.0), ("0.25", 0.25), ("'0250'", None)])
def test_plain_numbers_and_quoted_text_are_unchanged(model, written, km):
    text = f"parameters:\n  dist_recycler_to_cathode_mi: {{value: {written}, unit: km, source: s}}\n"
    if km is None:  # quoted: text, refused as not a number (never read as octal)
        assert "must be a number" in located(text, model, 4)
    else:
        assert parse_scenario(text, model).values["dist_recycler_to_cathode_mi"].value == pytest.approx(km / 1.609344)


def test_a_typo_gets_each_suggestion_once(model):
    # "did you mean hydro_recovery_ni or hydro_recovery_ni or hydro_recovery_mn?": a global parameter's
    # name and key are the same text and were both offered
    rendered = located("parameters:\n  hydro_recovery_nii: {value: 0.9, source: s}\n", model, 4)
    suggestions = rendered.split("did you mean ", 1)[1].split("?", 1)[0].split(" or ")
    assert len(suggestions) == len(set(suggestions)) and "hydro_recovery_ni" in suggestions
