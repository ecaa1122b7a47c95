"""Scenario files: units, precedence, provenance, plant profiles (assay), errors, and the CLI."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import SCENARIO_HEAD, parse_scenario, run_main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cathode_lca.cli.scenarios import apply_scenarios
from cathode_lca.errors import CathodeLCAError
from cathode_lca.lca import default_model
from cathode_lca.parameters.assay import cam_fractions, convert_assay
from cathode_lca.parameters.scenario_values import ScenarioError, check_bounds, split_quantity
from cathode_lca.parameters.scenarios import load_scenario, parse_scenario_text

ROOT = Path(__file__).resolve().parent.parent
HEAD = SCENARIO_HEAD
MM = {"li": 6.94, "ni": 58.693, "co": 58.933, "mn": 54.938, "o": 15.999, "al": 26.982}
MM.update({"fe": 55.845, "p": 30.974, "c": 12.011, "f": 18.998, "h": 1.008})


@pytest.fixture(scope="module")
def model():
    return default_model()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(HEAD.replace("name: t", f"name: {Path(name).stem}") + text)
    return str(path)


# -- units ----------------------------------------------------------------------------------


def test_distance_in_km_is_converted_to_the_declared_miles(model):
    sc = parse_scenario("parameters:\n  dist_recycler_to_cathode_mi: {value: 500, unit: km, source: s}\n", model)
    value = sc.values["dist_recycler_to_cathode_mi"]
    assert value.value == pytest.approx(500 / 1.609344)  # 310.686 mi, international mile by definition
    assert value.unit == "mi"
    assert value.given == "500 km"


def test_energy_in_kwh_is_converted_to_mj_and_percent_to_a_fraction(model):
    sc = parse_scenario(
        "parameters:\n"
        "  hydro_electricity: {value: 0.25, unit: kWh/kg, source: s}\n"
        "  hydro_recovery_ni: {value: 95, unit: percent, source: s}\n",
        model,
    )
    assert sc.values["hydro_electricity"].value == pytest.approx(0.25 * 3.6)
    assert sc.values["hydro_recovery_ni"].value == pytest.approx(0.95)


def test_split_quantity():
    assert split_quantity("500km") == (500.0, "km")
    assert split_quantity("1.5e2 kWh/kg") == (150.0, "kWh/kg")
    assert split_quantity("0.95") == (0.95, None)
    assert split_quantity("CN") is None


def test_param_with_unit_is_converted(model):
    applied = apply_scenarios(model, (), {"dist_recycler_to_cathode_mi": "160.9344km"})
    assert applied.parameters["dist_recycler_to_cathode_mi"] == pytest.approx(100.0)
    record = json.loads(applied.attrs["overridden_parameters"])["dist_recycler_to_cathode_mi"]
    assert record["source"] == "--param" and record["given"] == "160.9344km"


# -- precedence -----------------------------------------------------------------------------


def test_precedence_defaults_then_scenarios_in_order_then_param(model, tmp_path):
    a = write(tmp_path, "a.yaml", "parameters:\n  hydro_recovery_ni: {value: 0.90, source: a}\n")
    b = write(tmp_path, "b.yaml", "parameters:\n  hydro_recovery_ni: {value: 0.95, source: b}\n")
    key = model.parameters.key("hydro_recovery_ni")
    assert model.parameters.evaluate()[key] == pytest.approx(0.98)  # EverBatt default
    ab = apply_scenarios(model, (a, b), {})
    assert ab.model.parameters.evaluate(ab.parameters)[key] == pytest.approx(0.95)
    ba = apply_scenarios(model, (b, a), {})
    assert ba.model.parameters.evaluate(ba.parameters)[key] == pytest.approx(0.90)
    with_param = apply_scenarios(model, (a, b), {"hydro_recovery_ni": 0.97})
    assert with_param.model.parameters.evaluate(with_param.parameters)[key] == pytest.approx(0.97)
    record = json.loads(ab.attrs["overridden_parameters"])[key]
    assert record["source"] == "b" and "scenario b" in record["origin"]
    assert model.parameters.evaluate()[key] == pytest.approx(0.98)  # the base model is unchanged


def test_choice_parameter_set_by_a_scenario(model):
    sc = parse_scenario("parameters:\n  nickel_sulfate_route: {value: istrate2024, source: s}\n", model)
    assert sc.values["nickel_sulfate_route"].value == "istrate2024"


# -- plant profile: assay -------------------------------------------------------------------


def test_cam_fractions_match_the_inventory_stoichiometry(model):
    env = model.parameters.evaluate()
    for chem in ("nmc111", "nmc532", "nmc622", "nmc811", "nca", "lfp"):
        w = cam_fractions(chem.upper(), MM)
        for e in ("Ni", "Co", "Mn", "Li"):
            assert w.get(e, 0.0) == pytest.approx(
                float(env[model.parameters.key(f"cam_{e.lower()}_{chem}")]), abs=1e-12
            )


def test_assay_conversion_known_answer_nmc811():
    # NMC811 = LiNi0.8Co0.1Mn0.1O2: M = 6.94 + 0.8*58.693 + 0.1*58.933 + 0.1*54.938 + 2*15.999 = 97.2795 g/mol
    m = 6.94 + 46.9544 + 5.8933 + 5.4938 + 31.998
    w_ni, w_co, w_mn = 46.9544 / m, 5.8933 / m, 5.4938 / m
    assay = {"Ni": 0.26, "Co": 0.033, "Mn": 0.03, "Li": 0.038, "Al": 0.015, "Cu": 0.02, "F": 0.012, "C": 0.36}
    comp = convert_assay(assay, "NMC811", MM)
    x_cam = 0.323 / (w_ni + w_co + w_mn)  # = 0.53858 kg CAM per kg black mass
    assert comp.cam == pytest.approx(x_cam)
    assert comp.cam == pytest.approx(0.538575, abs=1e-6)
    pvdf = 0.012 * 64.034 / 37.996  # C2H2F2: 2*12.011 + 2*1.008 + 2*18.998 = 64.034; F2 = 37.996
    assert comp.pvdf == pytest.approx(pvdf)
    assert comp.graphite == pytest.approx(0.36 - pvdf * 24.022 / 64.034)
    assert comp.cam_elements["Ni"] == pytest.approx(0.26 / x_cam)
    assert comp.cam_elements["Li"] == pytest.approx(0.038 / x_cam)
    assert comp.aluminum == pytest.approx(0.015) and comp.copper == pytest.approx(0.02)
    assert comp.other == pytest.approx(1 - (x_cam + comp.graphite + pvdf + 0.02 + 0.015))


def test_assay_nca_subtracts_cam_aluminium_and_lfp_keys_on_iron():
    m_nca = 6.94 + 0.8 * 58.693 + 0.15 * 58.933 + 0.05 * 26.982 + 2 * 15.999
    comp = convert_assay({"Ni": 0.3, "Co": 0.06, "Al": 0.02, "C": 0.3}, "NCA", MM)
    x_cam = 0.36 / ((0.8 * 58.693 + 0.15 * 58.933) / m_nca)
    assert comp.cam == pytest.approx(x_cam)
    assert comp.aluminum == pytest.approx(0.02 - x_cam * 0.05 * 26.982 / m_nca)
    m_lfp = 6.94 + 55.845 + 30.974 + 4 * 15.999
    assert convert_assay({"Fe": 0.2, "Li": 0.025}, "LFP", MM).cam == pytest.approx(0.2 * m_lfp / 55.845)


PLANT = """plant:
  name: p
  route: hydrometallurgical
  electricity: {supply: grid, region: DE, source: grid data}
  black_mass:
    chemistry: NMC811
    unit: "%"
    source: lab
    assay: {Ni: 26.0, Co: 3.3, Mn: 3.0, Li: 3.8, Al: 1.5, Cu: 2.0, F: 1.2, C: 36.0}
  recovery:
    Ni: {value: 0.97, source: mass balance}
  energy:
    electricity: {value: 0.5, unit: kWh/kg, source: meter}
  transport:
    - {leg: recycler-to-cathode, mode: truck, distance: {value: 250, unit: km}, source: logistics}
"""


def test_plant_profile_sets_the_black_mass_contents(model, tmp_path):
    path = write(tmp_path, "plant.yaml", PLANT)
    applied = apply_scenarios(model, (path,), {})
    env = applied.model.parameters.evaluate(applied.parameters)
    key = applied.model.parameters.key

    def val(name):
        return float(env[key(name)])

    for element, fraction in (("ni", 0.26), ("co", 0.033), ("mn", 0.03), ("li", 0.038)):
        assert val(f"bm_{element}") == pytest.approx(fraction)  # the black mass holds what the lab measured
    assert val("hydro_ni_per_feed") == pytest.approx(0.26 * 0.97)
    assert val("hydro_electricity") == pytest.approx(1.8)  # 0.5 kWh = 1.8 MJ
    assert val("hydro_natural_gas_base") == pytest.approx(1.0)  # not given: EverBatt default kept
    assert val("dist_recycler_to_cathode_mi") == pytest.approx(250 / 1.609344)
    # the profile's grid is the recycler's own: the shortcut plant_region (every other plant) is untouched
    assert env[key("recycler_region")] == applied.model.parameters.choices[key("recycler_region")].index("DE")
    assert applied.plant_region is None
    assert env[key("feed_type")] == applied.model.parameters.choices[key("feed_type")].index("black-mass")


def test_plant_on_a_ppa_uses_the_contract_factor(model, tmp_path):
    path = write(tmp_path, "plant.yaml", PLANT.replace("supply: grid, region: DE", PPA))
    applied = apply_scenarios(model, (path,), {})
    env = applied.model.parameters.evaluate(applied.parameters)
    key = applied.model.parameters.key
    assert float(env[key("recycler_supplier_electricity_ghg")]) == pytest.approx(12.0)  # 0.012 kg/kWh = 12 g/kWh
    supply = key("recycler_electricity_supply")
    assert env[supply] == applied.model.parameters.choices[supply].index("supplier-specific")
    # by hand: 1 kWh of recycler electricity is 12 g CO2-eq of the contract, nothing of the grid
    ds = applied.model.calculate(
        {"electricity-recycler": 1.0}, methods=["ipcc2021-gwp100"], parameters=applied.parameters
    )
    assert float(ds.score.sel(lcia_method="ipcc2021-gwp100")) == pytest.approx(0.012, rel=1e-9)
    provenance = str(applied.attrs)
    assert "certificate GO-123" in provenance and "water of the supplied power" in provenance  # defaults, said so


def test_plant_on_a_residual_mix_selects_it(model, tmp_path):
    path = write(tmp_path, "plant.yaml", PLANT.replace("supply: grid, region: DE", "supply: residual-mix, region: DE"))
    applied = apply_scenarios(model, (path,), {})
    env = applied.model.parameters.evaluate(applied.parameters)
    supply = applied.model.parameters.key("recycler_electricity_supply")
    assert env[supply] == applied.model.parameters.choices[supply].index("residual")
    ds = applied.model.calculate(
        {"electricity-recycler": 1.0}, methods=["ipcc2021-gwp100"], parameters=applied.parameters
    )
    assert json.loads(ds.attrs["electricity_supply"]) == {"electricity-recycler": ["electricity-residual-de"]}


# -- errors ---------------------------------------------------------------------------------


PPA = (
    "supply: supplier-specific, factor: {value: 0.012, unit: kg/kWh, source: PPA certificate}, "
    "contract: {type: PPA, period: 2025-2035, certificate: GO-123}"
)


ERRORS = [
    ("parameters:\n  dist_recycler_to_cathode_mi: {value: 500, source: s}\n", 4, "missing unit"),
    ("parameters:\n  dist_recycler_to_cathode_mi: {value: 500, unit: kWh, source: s}\n", 4, "wrong unit"),
    ("parameters:\n  hydro_recovery_nii: {value: 0.9, source: s}\n", 4, "did you mean hydro_recovery_ni"),
    ("parameters:\n  hydro_recovery_ni: {value: .nan, source: s}\n", 4, "non-finite number"),
    ("parameters:\n  hydro_recovery_ni: {value: .inf, source: s}\n", 4, "non-finite number"),
    ("parameters:\n  plant_region: {value: DEU, source: s}\n", 4, "not a choice"),
    ("parameters:\n  hydro_recovery_ni: {value: 0.9}\n", 4, "missing 'source'"),
    ("parameters:\n  hydro_recovery_ni: {value: 0.9, source: s, units: x}\n", 4, "did you mean 'unit'"),
    ("paramters: {}\n", 3, "did you mean 'parameters'"),
    (
        "parameters:\n  hydro_recovery_ni: {value: 0.9, source: s, distribution: {type: beta}}\n",
        4,
        "unknown distribution",
    ),
    (PLANT.replace("chemistry: NMC811", "chemistry: [NMC811]"), 8, "unknown chemistry"),
    (PLANT.replace("leg: recycler-to-cathode", "leg: [x]"), 17, "unknown transport leg"),
    (PLANT.replace("Ni: 26.0,", "Ni: 66.0,"), 11, "over 100 %"),
    (PLANT.replace("Ni: 26.0,", "Ni: -1,"), 11, "outside [0, 100 %]"),
    (PLANT.replace("Ni: {value: 0.97", "Ni: {value: 1.2"), 13, "is out of bounds [0.0, 1.0]"),
    (PLANT.replace("Ni: {value: 0.97", "Li2: {value: 0.9"), 13, "unknown hydrometallurgical recovery of 'Li2'"),
    (PLANT.replace("route: hydrometallurgical", "route: hydro"), 5, "unknown route"),
    (PLANT.replace("region: DE", "region: Germany"), 6, "not a choice"),
    (
        PLANT.replace("supply: grid, region: DE", "supply: residual-mix, region: US"),
        6,
        "no residual mix for region 'US'",
    ),
    (
        PLANT.replace("supply: grid, region: DE", "supply: supplier-specific"),
        6,
        "must be a mapping (type, period, certificate)",
    ),
    (
        PLANT.replace("supply: grid, region: DE", PPA.replace("period: 2025-2035, ", "")),
        6,
        "missing 'period' (text)",
    ),
    (PLANT.replace("mode: truck", "mode: ship"), 17, "unknown transport mode 'ship'"),
    (PLANT.replace("mode: truck,", "mode: truck, load_factor: 0.8,"), 17, "not available for truck"),
    (PLANT.replace("unit: km}", "unit: kg}"), 17, "wrong unit"),
    (PLANT.replace("  recovery:", "  waste: {}\n  recovery:"), 12, "plant.waste is not mapped"),
    (PLANT.replace("chemistry: NMC811", "chemistry: NMC911"), 8, "unknown chemistry"),
    (PLANT + "parameters:\n  hydro_recovery_ni: {value: 0.9, source: s}\n", 19, "also set by plant.recovery.Ni"),
]


@pytest.mark.parametrize(("text", "line", "message"), ERRORS)
def test_bad_input_is_a_located_error(model, text, line, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, model, file="bad.yaml")
    rendered = str(info.value)
    assert rendered.startswith(f"bad.yaml:{line}:"), rendered
    assert message in rendered


def test_supplier_specific_needs_contract_evidence(model):
    text = PLANT.replace(
        "electricity: {supply: grid, region: DE, source: grid data}",
        "electricity: {supply: supplier-specific, source: PPA, factor: {value: 10, unit: g/kWh}, "
        "contract: {type: PPA, period: 2025-2035}}",
    )
    with pytest.raises(ScenarioError, match="certificate"):
        parse_scenario(text, model)


def test_wrong_format_and_unknown_scenario(model):
    with pytest.raises(ScenarioError, match="format"):
        parse_scenario_text("format: cathode-lca/1\n", "x.yaml", model.parameters)
    with pytest.raises(ScenarioError, match="did you mean eu-2030-recycler"):
        load_scenario("eu-2030-recycle", model.parameters)


def test_bounds_are_read_from_the_parameter_when_declared():
    param = SimpleNamespace(name="share", unit="dimensionless", min=None, max=None, kind="fraction")
    check_bounds(param, 0.5, "f.yaml", 3, "parameters.share")
    with pytest.raises(ScenarioError, match=r"out of bounds \[0.0, 1.0\]"):
        check_bounds(param, 1.5, "f.yaml", 3, "parameters.share")
    with pytest.raises(ScenarioError, match="out of bounds"):
        check_bounds(SimpleNamespace(name="d", unit="mi", min=0.0, max=None), -1.0, "f.yaml", 3, "x")


_KEYS = st.sampled_from(
    [
        "format",
        "name",
        "parameters",
        "plant",
        "value",
        "unit",
        "source",
        "hydro_recovery_ni",
        "assay",
        "Ni",
        "route",
        "black_mass",
        "transport",
        "x",
    ]
)
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8))
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=200),
        _TREES.map(lambda t: yaml.safe_dump({"format": "cathode-lca-scenario/1", "parameters": t, "plant": t})),
    )
)
@pytest.mark.slow
def test_junk_never_raises_anything_but_a_user_error(model, text):
    with contextlib.suppress(CathodeLCAError):
        parse_scenario_text(text, "junk.yaml", model.parameters)


# -- CLI ------------------------------------------------------------------------------------


def test_scenarios_command_lists_the_shipped_ones(capsys):
    code, out, _ = run_main(["scenarios", "--format", "json"], capsys)
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["eu-2030-recycler"]["parameters"] == 7


@pytest.mark.slow
def test_compare_json_records_scenario_hash_and_overrides(capsys):
    path = ROOT / "scenarios" / "eu-2030-recycler.yaml"
    code, out, _ = run_main(
        [
            "compare",
            "NMC811",
            "--scenario",
            "eu-2030-recycler",
            "--indicator",
            "gwp100",
            "--format",
            "json",
            "--param",
            "dist_recycler_to_cathode_mi=100km",
        ],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["region"] == "EU"  # the scenario's plant_region, since --region was not given
    meta = payload["metadata"]
    assert meta["scenarios"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    over = meta["overridden_parameters"]
    assert over["hydro_recovery_li"]["value"] == pytest.approx(0.8)
    assert "Annex XII" in over["hydro_recovery_li"]["source"]
    assert over["dist_recycler_to_cathode_mi"]["value"] == pytest.approx(100 / 1.609344)


@pytest.mark.parametrize("profile", ["eu-hydro-recycler.yaml", "cn-pyro-hydro-plant.yaml"])
def test_plant_examples_run_through_the_cli(profile, capsys):
    path = str(ROOT / "examples" / "plants" / profile)
    code, out, err = run_main(
        [
            "compare",
            "NMC811" if "eu" in profile else "NMC622",
            "--scenario",
            path,
            "--indicator",
            "gwp100",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0, err
    values = {r["route"]: r["value"] for r in json.loads(out)["results"]}
    assert all(math.isfinite(v) and v > 0 for v in values.values())


def test_bad_scenario_exits_2_without_traceback(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", "parameters:\n  dist_recycler_to_cathode_mi: {value: 5, unit: MJ, source: s}\n")
    code, _, err = run_main(["compute", "cam-nmc811-virgin", "--scenario", path], capsys)
    assert code == 2
    assert "Traceback" not in err and "bad.yaml:4" in err and "wrong unit" in err


@pytest.mark.slow
def test_validate_inventory_checks_a_user_file_with_the_shipped_ones(tmp_path, capsys):
    user = tmp_path / "user.yaml"
    user.write_text(
        "format: cathode-lca/1\ndatasets:\n  - id: my-salt-user\n    name: user\n    stage: chemicals\n"
        "    source: test\n    exchanges:\n      - {input: sulfuric-acid-greet2022, amount: 1, unit: kg, source: t}\n"
    )
    code, _, err = run_main(["validate", str(user)], capsys)
    assert code == 2 and "validate --inventory" in err
    code, out, _ = run_main(["validate", "--inventory", str(user), "--format", "json"], capsys)
    assert code == 0, out
    assert json.loads(out)["ok"] is True


@pytest.mark.slow
def test_scenario_distribution_in_percent_drives_the_monte_carlo(tmp_path, capsys):
    path = write(
        tmp_path,
        "mc.yaml",
        "parameters:\n  hydro_recovery_ni:\n    value: 95\n    unit: percent\n    source: s\n"
        "    distribution: {type: uniform, minimum: 90, maximum: 99}\n",
    )
    code, out, err = run_main(
        [
            "uncertainty",
            "NMC811",
            "--samples",
            "16",
            "--seed",
            "1",
            "--route",
            "virgin",
            "--route",
            "hydrometallurgical",
            "--indicator",
            "gwp100",
            "--format",
            "json",
            "--scenario",
            path,
        ],
        capsys,
    )
    assert code == 0, err
    meta = json.loads(out)["metadata"]
    dist = meta["distributions"]["hydro_recovery_ni"]
    assert (dist["type"], dist["minimum"], dist["maximum"]) == ("uniform", pytest.approx(0.9), pytest.approx(0.99))
    assert meta["scenarios"][0]["name"] == "mc"


def test_sweep_with_a_scenario_matches_compare(capsys):
    args = ["--scenario", "eu-2030-recycler", "--route", "hydrometallurgical", "--indicator", "gwp100"]
    code, out, err = run_main(
        ["sweep", "NMC811", "--grid", "hydro_recovery_co=0.95,0.9", "--format", "json", *args], capsys
    )
    assert code == 0, err
    payload = json.loads(out)
    swept = {r["hydro_recovery_co"]: r["value"] for r in payload["results"] if r["route"] == "hydrometallurgical"}
    assert [s["name"] for s in payload["metadata"]["scenarios"]] == ["eu-2030-recycler"]  # JSON, not JSON text
    code, out, _ = run_main(["compare", "NMC811", "--format", "json", *args], capsys)
    compared = {r["route"]: r["value"] for r in json.loads(out)["results"]}
    assert swept[0.95] == pytest.approx(compared["hydrometallurgical"], rel=1e-9)  # the scenario's own value
    assert swept[0.9] > swept[0.95]  # less cobalt recovered: more virgin cobalt sulfate


@pytest.mark.slow
def test_passport_records_the_scenario(capsys):
    code, out, err = run_main(
        [
            "passport",
            str(ROOT / "examples" / "battery-nmc811.yaml"),
            "--scenario",
            "eu-2030-recycler",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0, err
    calculation = json.loads(out)["calculation"]
    assert calculation["scenarios"][0]["name"] == "eu-2030-recycler"
    assert "hydro_recovery_li" in calculation["overridden_parameters"]


def test_plain_params_keep_the_model_untouched(model):
    from cathode_lca.cli.scenarios import needs_model

    assert not needs_model((), {"plant_region": "CN", "hydro_recovery_ni": 0.9})  # dask processes stay possible
    assert needs_model((), {"dist_recycler_to_cathode_mi": "500km"})
    applied = apply_scenarios(model, (), {"plant_region": "CN"})
    assert applied.model is model and applied.attrs == {}


_PLANT_KEYS = st.sampled_from(
    [
        "electricity",
        "black_mass",
        "energy",
        "recovery",
        "water",
        "transport",
        "supply",
        "region",
        "assay",
        "chemistry",
        "unit",
        "value",
        "source",
        "leg",
        "mode",
        "distance",
        "heat",
        "natural_gas",
        "Ni",
        "C",
        "contract",
        "factor",
    ]
)
_PLANT_TREES = st.recursive(
    st.one_of(_LEAVES, st.sampled_from(["grid", "DE", "NMC811", "%", "km", "truck", "recycler-to-cathode", "kWh/kg"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_PLANT_KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_PLANT_KEYS, _PLANT_TREES, max_size=6))
@pytest.mark.slow
def test_junk_plant_sections_never_raise_anything_but_a_user_error(model, plant):
    text = yaml.safe_dump(
        {"format": "cathode-lca-scenario/1", "plant": {"name": "p", "route": "hydrometallurgical", **plant}}
    )
    with contextlib.suppress(CathodeLCAError):
        parse_scenario_text(text, "junk.yaml", model.parameters)


@pytest.mark.slow
def test_docs_python_snippet_runs():
    import re

    text = (ROOT / "docs" / "scenarios.md").read_text()
    (snippet,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    namespace: dict = {}
    exec(compile(snippet, "docs/scenarios.md", "exec"), namespace)
    attrs = namespace["ds"].attrs
    assert json.loads(attrs["scenarios"])[0]["name"] == "eu-2030-recycler"
    assert json.loads(attrs["overridden_parameters"])["dist_recycler_to_cathode_mi"]["given"] == "400km"
