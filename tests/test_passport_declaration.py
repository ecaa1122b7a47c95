"""Declaration: known answers on a hand-solvable battery, Battery Pass schemas, the shipped model, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.cli.passport import passport
from cathode_lca.errors import UsageError, ValidationError
from cathode_lca.lca import default_model
from cathode_lca.passport import assemble, declare, get_rules, load_battery_spec, load_schema, parse_battery_spec
from cathode_lca.passport.model_data import MaterialData, ModelData, collect_model_data, vec
from cathode_lca.passport.recycler_checks import RouteRecovery, annex_xii_checks
from cathode_lca.passport.spec import BatterySpecError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"

# A hand-solvable NCA battery: 10 kWh, M1 (60 cycles/year), 10 years -> E_total = 6000 kWh; 10 kg CAM.
HAND = """
battery:
  model: hand
  manufacturing_plant: {location: "Test town"}
  chemistry: NCA
  usable_energy_kwh: 10
  mass_kg: 20
  vehicle_category: M1
  service_life_years: 10
  carbon_footprint_study: "https://example.org/study"
bill_of_materials:
  cathode_active_material: {mass_kg: 10, source: t}
  components:
    - name: anode
      mass_kg: 5
      source: t
      carbon_footprint:
        - {process: anode-active-material-production, per: kg, dataset: graphite-x, amount: 1, source: t}
    - name: cells
      mass_kg: 0
      source: t
      carbon_footprint:
        - {process: cell-production, per: kWh, value: 3.0, source: t}
        - {process: dismantling, per: battery, value: 7.0, fossil: 5.0, source: t}
    - name: auxiliary lead battery
      mass_kg: 5
      elements_kg: {Pb: 4}
      source: t
sourcing:
  Ni:
    virgin: {percent: 80}
    pre_consumer: {percent: 5, route: hydrometallurgical}
    post_consumer: {percent: 15, route: hydrometallurgical}
    evidence: certificate
    source: t
  Co: {virgin: {percent: 100}, source: t}
  Li:
    virgin: {percent: 90}
    post_consumer: {percent: 10, route: hydrometallurgical}
    source: t
  Pb:
    virgin: {percent: 10}
    post_consumer: {percent: 90, route: secondary lead smelting}
    evidence: certificate
    source: t
electricity:
  cathode_plant: {region: EU, source: t}
  recycler: {region: EU, source: t}
distribution:
  legs: [{mode: truck, distance_km: 500}]
  source: t
end_of_life: {route: hydrometallurgical, collection_rate_percent: 90, recyclability_evidence: ISO 14021 statement,
              source: t}
"""


def hand_data() -> ModelData:
    """Per-kg burdens [total, fossil, biogenic, land use], chosen by hand."""
    recovery = RouteRecovery(
        route="hydrometallurgical",
        feed_total={"Ni": 0.25, "Co": 0.0625, "Li": 0.125, "Mn": 0.0, "Cu": 0.125},
        feed_active={"Ni": 0.25, "Co": 0.0625, "Li": 0.125, "Mn": 0.0},
        recovered={"Ni": 0.234375, "Co": 0.03125, "Li": 0.0625, "Mn": 0.0, "Cu": 0.12109375},
        outputs={"x": 0.5, "y": 0.25},
    )
    return ModelData(
        chemistry="NCA",
        cam_dataset="cam-nca-virgin",
        cam_per_kg=vec(99.0),
        cam_rest_by_tag={"pcam-production": vec(1.0, 1.0), "cam-production": vec(2.0, 1.5)},
        materials={
            "Ni": MaterialData("Ni", 0.5, 0.5, vec(10, 10), vec(10, 10), vec(2, 2), vec(4, 4), vec(3, 3), 0.5),
            "Co": MaterialData("Co", 0.1, 0.1, vec(20, 20), vec(20, 20), None, None, vec(5, 5), 0.8),
            "Li": MaterialData("Li", 0.08, 0.07, vec(50, 50), vec(50, 50), None, vec(30, 30), None, 0.0),
        },
        dataset_burdens={"graphite-x": vec(2.0, 2.0)},
        dataset_units={"graphite-x": "kg"},
        transport_per_tkm={"truck": vec(0.1, 0.1)},
        recycler={"annexXII": annex_xii_checks(recovery)},
        metadata={"package_version": "t", "inventory_hash": "0" * 64, "method": "ipcc2021-gwp100", "solver": "t"},
    )


@pytest.fixture(scope="module")
def hand_spec():
    return parse_battery_spec(HAND, "hand.yaml")


@pytest.fixture(scope="module")
def jrc(hand_spec):
    return assemble(hand_spec, get_rules("cff-jrc-a0.2-bp-r2"), hand_data())


# -- known answers ---------------------------------------------------------------------------------
def test_total_energy(jrc):
    assert jrc.total_energy.kwh == 10 * 60 * 10
    assert jrc.calculation["functionalUnit"]["fullEquivalentCyclesPerYear"] == 60


def test_cff_terms_by_hand(jrc):
    ni = jrc.cff["Ni"]
    assert ni.parameters.A == 0.2 and float(ni.parameters.R1) == pytest.approx(0.2)  # 5 % + 15 % with evidence
    assert float(ni.parameters.R2) == pytest.approx(0.9 * 0.5)  # collection 90 % x yield 0.5
    # Erecycled = (5 x 2 + 15 x 4) / 20 = 3.5
    assert ni.emissions.e_recycled[0] == pytest.approx(3.5)
    # per kg: (1-0.2) 10 = 8; 0.2 (0.2 x 3.5 + 0.8 x 10) = 1.74; 0.8 x 0.45 x (3 - 10) = -2.52
    assert float(ni.terms.virgin[0]) == pytest.approx(8.0)
    assert float(ni.terms.recycled_input[0]) == pytest.approx(1.74)
    assert float(ni.terms.recycling_eol[0]) == pytest.approx(-2.52)
    assert ni.raw_material_kg == pytest.approx(5 * 9.74)  # 5 kg Ni
    assert ni.end_of_life_kg == pytest.approx(5 * -2.52)
    co = jrc.cff["Co"]
    assert co.parameters.R1 == 0 and float(co.parameters.R2) == pytest.approx(0.72)
    assert co.raw_material_kg == pytest.approx(20.0)  # 1 kg x 20
    assert co.end_of_life_kg == pytest.approx(0.8 * 0.72 * (5 - 20))  # -8.64
    li = jrc.cff["Li"]
    assert li.parameters.R1 == 0  # 10 % recycled, but no evidence
    assert li.raw_material_kg == pytest.approx(0.8 * 50)  # input 0.08 kg/kg x 10 kg
    assert li.end_of_life_kg == 0  # R2 = 0
    assert any("R1 of Li set to 0" in w for w in jrc.warnings)


def test_stage_values_by_hand(jrc):
    s = jrc.stages_absolute
    # raw: Ni 48.7 + Co 20 + Li 40
    assert s["RawMaterialExtraction"] == pytest.approx(108.7)
    # main (jrc): pCAM 10 + CAM 20 + anode 5 x 2 + cells 10 kWh x 3
    assert s["MainProduction"] == pytest.approx(70.0)
    # distribution: 20 kg x 500 km = 10 t*km x 0.1
    assert s["Distribution"] == pytest.approx(1.0)
    # end of life: Ni -12.6 + Co -8.64 + dismantling 7 (negative stage allowed)
    assert s["Recycling"] == pytest.approx(-14.24)
    assert jrc.total_absolute == pytest.approx(165.46)
    assert jrc.total_per_kwh == pytest.approx(165.46 / 6000)


def test_stages_sum_exactly_to_the_total(jrc):
    stages = jrc.carbon_footprint["carbonFootprintPerLifecycleStage"]
    per_kwh = sum(e["carbonFootprint"] for e in stages)
    assert per_kwh == pytest.approx(jrc.carbon_footprint["batteryCarbonFootprint"], rel=1e-12, abs=0)
    assert sum(jrc.stages_absolute.values()) == pytest.approx(jrc.total_absolute, rel=1e-12, abs=0)
    items = sum(i["kgCO2e"] for i in jrc.calculation["lineItems"])
    assert items == pytest.approx(jrc.total_absolute, rel=1e-12)
    assert [e["lifecycleStage"] for e in stages] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Distribution",
        "Recycling",
    ]


def test_climate_sub_indicators_by_hand(jrc):
    sub = jrc.calculation["climateSubIndicators"]
    # fossil: CAM 10 + 15, Ni 48.7 - 12.6, Co 20 - 8.64, Li 40, anode 10, dismantling 5, transport 1
    assert sub["fossilKgCO2e"] == pytest.approx(128.46)
    # not attributed: CAM 5 (non-fossil part of cam-production) + cells 30 (no split) + dismantling 2
    assert sub["notAttributedKgCO2e"] == pytest.approx(37.0)
    assert sub["biogenicKgCO2e"] == 0 and sub["landUseKgCO2e"] == 0


def test_regulation_mapping_moves_cathode_production(hand_spec):
    reg = assemble(hand_spec, get_rules("cff-jrc-a0.2-bp-r2"), hand_data(), stage_mapping="regulation")
    # pCAM 10 + CAM 20 + anode 10 move to raw materials; cells stay in main production
    assert reg.stages_absolute["RawMaterialExtraction"] == pytest.approx(108.7 + 40.0)
    assert reg.stages_absolute["MainProduction"] == pytest.approx(30.0)
    assert reg.total_absolute == pytest.approx(165.46)
    assert reg.calculation["stageMapping"]["id"] == "regulation"


def test_cut_off_rule_set_by_hand(hand_spec):
    cut = assemble(hand_spec, get_rules("cut-off"), hand_data())
    # Ni per kg: 0.8 x 10 + 0.2 x 3.5 = 8.7 -> 43.5; Co 20; Li 40
    assert cut.stages_absolute["RawMaterialExtraction"] == pytest.approx(103.5)
    assert cut.stages_absolute["Recycling"] == pytest.approx(7.0)  # only the supplied dismantling
    assert cut.total_absolute == pytest.approx(181.5)
    assert cut.calculation["ruleSet"]["id"] == "cut-off"


def test_cff_overrides_with_sources(hand_spec):
    text = (
        HAND
        + """
cff:
  Ni:
    A: {value: 0.5, source: "sensitivity"}
    R2: {value: 0.25, source: "recycler statement"}
    E_v: {value: 12.0, fossil: 12.0, source: "supplier EPD"}
"""
    )
    d = assemble(parse_battery_spec(text), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    ni = d.cff["Ni"]
    # (1-0.2) 12 + 0.2 (0.5 x 3.5 + 0.5 x 12) = 9.6 + 1.55; EoL 0.5 x 0.25 x (3 - 10) = -0.875
    assert ni.raw_material_kg == pytest.approx(5 * 11.15)
    assert ni.end_of_life_kg == pytest.approx(5 * -0.875)
    src = d.calculation["cff"]["Ni"]
    assert "sensitivity" in src["parameters"]["A"]["source"]
    assert "supplier EPD" in src["emissionsKgCO2ePerKg"]["e_v"]["source"]


def test_r2_without_an_end_of_life_dataset_is_an_error():
    text = (
        HAND
        + """
cff:
  Li:
    R2: {value: 0.5, source: "claim"}
"""
    )
    with pytest.raises(ValidationError, match="no value for E_recycling_eol of Li"):
        assemble(parse_battery_spec(text, "h.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())


def test_supplied_data_are_flagged(jrc):
    supplied = [i for i in jrc.calculation["lineItems"] if i["suppliedData"]]
    assert {i["processTag"] for i in supplied} == {"anode-active-material-production", "cell-production", "dismantling"}
    assert jrc.calculation["suppliedData"]["kgCO2e"] == pytest.approx(10 + 30 + 7)
    assert any("auxiliary lead battery" in w for w in jrc.warnings)  # no carbon footprint entry


def test_recycled_content_by_hand(jrc):
    entities = {e["recycledMaterial"]: e for e in jrc.recycled_content}
    assert entities["Nickel"] == {"preConsumerShare": 5.0, "recycledMaterial": "Nickel", "postConsumerShare": 15.0}
    assert entities["Cobalt"]["postConsumerShare"] == 0 and entities["Lithium"]["postConsumerShare"] == 10
    assert entities["Lead"]["postConsumerShare"] == 90
    checks = jrc.calculation["recycledContent"]["elements"]
    assert checks["Ni"]["elementMassKg"] == pytest.approx(5.0) and checks["Ni"]["postConsumerKg"] == pytest.approx(0.75)
    assert checks["Ni"]["minimums"]["2031"]["met"] and checks["Ni"]["minimums"]["2036"]["met"]  # 20 >= 6, 15
    assert not checks["Co"]["minimums"]["2031"]["pass"]
    assert checks["Co"]["minimums"]["2031"]["gapPercentagePoints"] == pytest.approx(16)
    assert checks["Li"]["minimums"]["2031"]["met"]  # 10 >= 6
    assert checks["Li"]["minimums"]["2036"]["gapPercentagePoints"] == pytest.approx(2)  # 12 - 10
    assert checks["Pb"]["basis"] == "whole battery" and checks["Pb"]["elementMassKg"] == 4
    assert checks["Pb"]["minimums"]["2036"]["met"]  # 90 >= 85
    # met, but not "pass": the hand battery gives no recycled_content_basis and no run-around attestation
    assert checks["Ni"]["minimums"]["2031"]["status"] == "not verifiable" and not checks["Ni"]["verifiable"]


def test_annex_xii_by_hand(jrc):
    annex = jrc.calculation["annexXII"]
    ni = annex["materialRecovery"]["Ni"]
    assert ni["materialRecoveryPercent"] == 93.75
    assert ni["targets"]["2027"]["pass"] and not ni["targets"]["2031"]["pass"]
    assert ni["targets"]["2031"]["gapPercentagePoints"] == pytest.approx(1.25)
    co = annex["materialRecovery"]["Co"]
    assert co["materialRecoveryPercent"] == 50 and co["targets"]["2027"]["gapPercentagePoints"] == 40
    li = annex["materialRecovery"]["Li"]
    assert li["targets"]["2027"]["pass"] and li["targets"]["2031"]["gapPercentagePoints"] == 30  # 50 vs 50, 80
    assert annex["materialRecovery"]["Cu"]["targets"]["2031"]["pass"]  # 96.875 %
    eff = annex["recyclingEfficiency"]
    assert eff["percent"] == 75 and eff["targets"]["2025"]["pass"] and eff["targets"]["2030"]["pass"]


def test_performance_class(jrc, hand_spec):
    assert jrc.carbon_footprint["carbonFootprintPerformanceClass"] == "not yet defined"
    text = HAND.replace("  service_life_years: 10\n", "  service_life_years: 10\n  performance_class: B\n")
    d = assemble(parse_battery_spec(text), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    assert d.carbon_footprint["carbonFootprintPerformanceClass"] == "B"


def test_explicit_cycles_replace_the_default_only_with_a_justification():
    # against the M1 rule (60/year) a value is an error unless justified; the justification is printed
    text = HAND.replace("  vehicle_category: M1\n", "  vehicle_category: M1\n  full_equivalent_cycles_per_year: 100\n")
    with pytest.raises(BatterySpecError, match="against the rule for vehicle category M1"):
        parse_battery_spec(text)
    text = text.replace(
        "cycles_per_year: 100\n", "cycles_per_year: 100\n  full_equivalent_cycles_justification: taxi fleet\n"
    )
    d = assemble(parse_battery_spec(text), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    assert d.total_energy.kwh == 10 * 100 * 10
    assert any("replaces the draft-DA value 60" in w and "taxi fleet" in w for w in d.warnings)
    assert "justification of the cycles: taxi fleet" in d.to_table()
    assert d.calculation["functionalUnit"]["justification"] == "taxi fleet"


# -- Battery Pass JSON ---------------------------------------------------------------------------------
def test_json_has_the_three_parts_and_validates(jrc):
    payload = json.loads(jrc.to_json())
    assert list(payload) == ["carbonFootprint", "recycledContent", "calculation"]
    assert set(payload["carbonFootprint"]) == {
        "batteryCarbonFootprint",
        "carbonFootprintPerLifecycleStage",
        "carbonFootprintPerformanceClass",
        "carbonFootprintStudy",
        "absoluteCarbonFootprint",
    }
    jrc.validate()
    meta = payload["calculation"]["metadata"]
    assert len(meta["metadataHash"]) == 64 and meta["rules"] == "cff-jrc-a0.2-bp-r2"


@pytest.mark.parametrize(
    ("part", "breaks"),
    [
        ("carbonFootprint", lambda cf: cf.pop("carbonFootprintStudy")),
        ("carbonFootprint", lambda cf: cf["carbonFootprintPerLifecycleStage"][0].update(lifecycleStage="Use")),
        ("carbonFootprint", lambda cf: cf.update(lifeCycleStage="x")),
        ("carbonFootprint", lambda cf: cf.update(batteryCarbonFootprint="72")),
        ("recycledContent", lambda rc: rc[0].update(postConsumerShare=120.0)),
        ("recycledContent", lambda rc: rc[0].update(recycledMaterial="Manganese")),
        ("recycledContent", lambda rc: rc[0].pop("preConsumerShare")),
    ],
)
def test_schemas_reject_broken_payloads(jrc, part, breaks):
    import jsonschema

    name = {
        "carbonFootprint": "carbon_footprint_for_batteries.schema.json",
        "recycledContent": "recycled_content.schema.json",
    }[part]
    schema = load_schema(name)
    payload = json.loads(jrc.to_json())[part]
    jsonschema.Draft202012Validator(schema).validate(payload)
    breaks(payload)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(payload)


def test_schemas_are_valid_json_schemas():
    import jsonschema

    for name in ("carbon_footprint_for_batteries.schema.json", "recycled_content.schema.json"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


# -- the shipped model ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example():
    return declare(EXAMPLE)


@pytest.mark.slow
def test_example_declaration_is_schema_valid(example):
    example.validate()
    cf = example.carbon_footprint
    assert sum(e["carbonFootprint"] for e in cf["carbonFootprintPerLifecycleStage"]) == pytest.approx(
        cf["batteryCarbonFootprint"], rel=1e-12
    )
    assert cf["absoluteCarbonFootprint"] == pytest.approx(cf["batteryCarbonFootprint"] * 100 * 60 * 8, rel=1e-12)
    assert cf["carbonFootprintPerLifecycleStage"][3]["carbonFootprint"] < 0  # credit of the JRC CFF (A = 0.2)


@pytest.mark.slow
def test_cathode_split_is_exact_against_the_model():
    """Rest of CAM production + virgin salts (input mass x EV) = the virgin CAM dataset, computed separately."""
    model = default_model()
    spec = load_battery_spec(EXAMPLE)
    data = collect_model_data(spec, get_rules("cff-jrc-a0.2-bp-r2"), model)
    rebuilt = sum(v[0] for v in data.cam_rest_by_tag.values())
    rebuilt += sum(md.input_per_kg_cam * md.e_v[0] for md in data.materials.values())
    ds = model.calculate({"cam-nmc811-virgin": 1.0}, methods=["ipcc2021-gwp100"], parameters={"plant_region": "EU"})
    assert rebuilt == pytest.approx(float(ds.score.sel(lcia_method="ipcc2021-gwp100")), rel=1e-9)
    # EV of Ni = virgin NiSO4 per kg / Ni content of NiSO4 (58.693 / 154.75, IUPAC molar masses)
    niso4 = model.calculate({"nickel-sulfate-virgin": 1.0}, methods=["ipcc2021-gwp100"])
    ni_content = 58.693 / (58.693 + 32.06 + 4 * 15.999)
    expected = float(niso4.score.sel(lcia_method="ipcc2021-gwp100")) / ni_content
    assert data.materials["Ni"].e_v[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow
def test_recovery_yields_from_route_parameters():
    """Hydro: 0.95 capture to black mass (preproc_capture_cam_graphite_cb) x 0.98 / 0.9 recovery (EverBatt 2023)."""
    model = default_model()
    spec = load_battery_spec(EXAMPLE)
    data = collect_model_data(spec, get_rules("cut-off"), model)
    assert data.materials["Ni"].eol_yield == pytest.approx(0.95 * 0.98)
    assert data.materials["Co"].eol_yield == pytest.approx(0.95 * 0.98)
    assert data.materials["Li"].eol_yield == pytest.approx(0.95 * 0.9)
    annex = data.recycler["annexXII"]
    assert annex["materialRecovery"]["Cu"]["materialRecoveryPercent"] == pytest.approx(90.0)  # Cu scrap 0.9
    assert data.allocations["end-of-life"]["allocation"] == "economic"  # Co 50.354 vs graphite 0.2 USD/kg

    text = EXAMPLE.read_text().replace(
        "  route: hydrometallurgical\n  collection", "  route: pyrometallurgical\n  collection"
    )
    pyro = collect_model_data(parse_battery_spec(text), get_rules("cut-off"), model)
    assert pyro.materials["Ni"].eol_yield == pytest.approx(0.95)  # pyro_recovery_ni
    assert pyro.materials["Li"].eol_yield == 0 and pyro.materials["Mn"].eol_yield == 0  # to slag
    assert pyro.recycler["annexXII"]["materialRecovery"]["Cu"]["materialRecoveryPercent"] == pytest.approx(95.0)


@pytest.mark.slow
def test_stage_mapping_on_the_shipped_model(example):
    reg = declare(EXAMPLE, stage_mapping="regulation")
    moved = sum(
        i.value[0]
        for i in example.line_items
        if i.process
        in ("pcam-production", "cam-production", "anode-active-material-production", "electrolyte-production")
    )
    assert reg.stages_absolute["RawMaterialExtraction"] == pytest.approx(
        example.stages_absolute["RawMaterialExtraction"] + moved, rel=1e-12
    )
    assert reg.total_absolute == pytest.approx(example.total_absolute, rel=1e-12)


@pytest.mark.slow
def test_direct_recycled_input_with_a_supplier_value():
    text = EXAMPLE.read_text().replace(
        "post_consumer: {percent: 6, route: hydrometallurgical}",
        'post_consumer: {percent: 6, route: direct, e_recycled: {value: 2.0, source: "recycler EPD"}}',
    )
    d = declare(parse_battery_spec(text), rules="cut-off")
    ni = d.cff["Ni"]
    assert "recycler EPD" in ni.emission_sources["e_recycled"]
    # the blend of the model's pre-consumer Erecycled (4 %) and the supplier value (6 %): (4 E_pre + 6 x 2) / 10
    data = collect_model_data(parse_battery_spec(text), get_rules("cut-off"), default_model())
    assert ni.emissions.e_recycled[0] == pytest.approx((4 * data.materials["Ni"].e_recycled_pre[0] + 6 * 2.0) / 10)


# -- CLI -----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_json_and_table(tmp_path):
    runner = CliRunner()
    result = runner.invoke(passport, [str(EXAMPLE), "--format", "json", "--rules", "cut-off"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # warnings go to stderr
    # the example has a circularity section and a DoC link: two more Battery Pass payloads
    assert list(payload) == [
        "carbonFootprint",
        "recycledContent",
        "circularity",
        "declarationOfConformity",
        "calculation",
    ]
    assert payload["calculation"]["ruleSet"]["id"] == "cut-off"
    result = runner.invoke(passport, [str(EXAMPLE)])
    assert result.exit_code == 0 and "E_total = 100 kWh x 60 cycles/year x 8 years = 48000 kWh" in result.output
    assert "not yet defined" in result.output


@pytest.mark.slow
def test_cli_out_never_overwrites(tmp_path):
    out = tmp_path / "passport.json"
    runner = CliRunner()
    result = runner.invoke(passport, [str(EXAMPLE), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["carbonFootprint"]
    out.write_text("mine")
    result = runner.invoke(passport, [str(EXAMPLE), "--out", str(out)])
    assert isinstance(result.exception, UsageError) and "already exists" in str(result.exception)
    assert out.read_text() == "mine"
    result = runner.invoke(passport, [str(EXAMPLE), "--out", str(out), "--overwrite"])
    assert result.exit_code == 0 and "Battery carbon footprint declaration" in out.read_text()


@pytest.mark.slow
def test_cli_accepts_a_prebuilt_model():
    from cathode_lca.cli.passport import run_passport

    text = run_passport(str(EXAMPLE), fmt="json", model=default_model())
    assert np.isfinite(json.loads(text)["carbonFootprint"]["batteryCarbonFootprint"])
