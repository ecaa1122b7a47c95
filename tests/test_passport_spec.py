"""Battery specification file: the example loads, and every input error names file, line and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.errors import CathodeLCAError
from cathode_lca.passport import declare, get_rules, load_battery_spec, parse_battery_spec
from cathode_lca.passport.spec import BatterySpecError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing *fragment*."""
    for i, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return i
    raise AssertionError(fragment)


def edited(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def error_of(text: str) -> BatterySpecError:
    with pytest.raises(BatterySpecError) as info:
        parse_battery_spec(text, "battery.yaml")
    return info.value


def test_example_loads():
    spec = load_battery_spec(EXAMPLE)
    assert spec.battery.chemistry == "NMC811"
    assert spec.battery.usable_energy_kwh == 100
    assert spec.bill_of_materials.cathode_active_material.mass_kg == pytest.approx(297.6 * 0.4289, abs=0.01)
    assert spec.sourcing["Ni"].recycled_percent == 10
    assert spec.battery_mass_kg == 488.7
    assert len(spec.sha256) == 64
    assert spec.file == str(EXAMPLE)


def test_chemistry_is_case_insensitive():
    spec = parse_battery_spec(edited("chemistry: NMC811", "chemistry: nmc811"))
    assert spec.battery.chemistry == "NMC811"


def test_missing_cam_mass():
    text = edited("    mass_kg: 127.64             # = 297.6 kg cells x 0.4289 kg CAM/kg cell\n", "")
    err = error_of(text)
    assert "missing BOM mass" in err.message and "cathode active material" in err.message
    assert err.line == line_of(text, "cathode_active_material:")
    assert err.file == "battery.yaml" and "mass_kg" in (err.hint or "")


def test_missing_component_mass():
    text = edited("      mass_kg: 86.60            # = 297.6 x 0.291\n", "")
    err = error_of(text)
    assert "missing BOM mass" in err.message and "anode active material (graphite)" in err.message
    assert err.line == line_of(text, "- name: anode active material (graphite)")
    assert err.field == "bill_of_materials.components[0].mass_kg"


def test_shares_do_not_sum_to_100():
    text = edited("virgin: {percent: 90, route: greet2022}", "virgin: {percent: 85, route: greet2022}")
    err = error_of(text)
    assert "add up to 95 %, not 100 %" in err.message
    assert err.line == line_of(text, "  Ni:") and err.field == "sourcing.Ni"
    assert "= 100" in err.hint


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100))
def test_shares_property(virgin, pre, post):
    text = edited("virgin: {percent: 90, route: greet2022}", f"virgin: {{percent: {virgin}, route: greet2022}}")
    text = text.replace("pre_consumer: {percent: 4,", f"pre_consumer: {{percent: {pre},")
    text = text.replace("post_consumer: {percent: 6,", f"post_consumer: {{percent: {post},")
    if virgin + pre + post == 100:
        assert parse_battery_spec(text).sourcing["Ni"].recycled_percent == pre + post
    else:
        assert "not 100 %" in error_of(text).message


def test_unknown_chemistry():
    err = error_of(edited("chemistry: NMC811", "chemistry: NMC999"))
    assert "unknown chemistry 'NMC999'" in err.message and "NMC622" in err.hint
    assert err.line == line_of(TEXT, "chemistry: NMC811")


def test_unknown_end_of_life_route():
    text = edited("  route: hydrometallurgical\n  collection", "  route: smelting\n  collection")
    err = error_of(text)
    assert "unknown end-of-life route 'smelting'" in err.message and "pyrometallurgical" in err.hint
    assert err.line == line_of(text, "route: smelting")


def test_unknown_recycling_route_of_a_share():
    text = edited("pre_consumer: {percent: 4, route: hydrometallurgical}", "pre_consumer: {percent: 4, route: magic}")
    err = error_of(text)
    assert "unknown recycling route 'magic'" in err.message and err.field == "sourcing.Ni.pre_consumer.route"


@pytest.mark.parametrize("value", ["-100", "0"])
def test_capacity_must_be_positive(value):
    text = edited("usable_energy_kwh: 100 ", f"usable_energy_kwh: {value} ")
    err = error_of(text)
    assert "must be positive" in err.message and err.field == "battery.usable_energy_kwh"
    assert err.line == line_of(text, "usable_energy_kwh:")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  category: EV\n", "  category: EV\n  colour: red\n", "unknown key"),
        ("process: cell-production", "process: cell-making", "unknown process tag 'cell-making'"),
        (
            '"https://example.org/ex-811-100/carbon-footprint-study.pdf"',
            '"study.pdf"',
            "carbon_footprint_study 'study.pdf' is not an absolute URI",
        ),
        ("vehicle_category: M1", "vehicle_category: Q9", "no default full equivalent cycles"),
        ("vehicle_category: M1", "vehicle_category: M1\n  service_life_years: 9", "duplicate key"),
        ("scenarios: [pef-oem-client-intracontinental]", "scenarios: [by-pigeon]", "unknown distribution scenario"),
        ("collection_rate_percent: 95", "collection_rate_percent: 120", "outside 0-100 %"),
        ("stage_mapping: jrc", "stage_mapping: mine", "unknown stage mapping 'mine'"),
        ("stage_mapping: jrc", "stage_mapping: {base: jrc, overrides: {cam-production: Use}}", "unknown life-cycle"),
        ("stage_mapping: jrc", "model_parameters: {plant_region: CN}", "set by the battery file itself"),
        ("  feed_type: cells\n", "  feed_type: packs\n", "invalid value 'packs'"),
        ("per: kWh, value: 1.0,", "per: kWh, value: 1.0, dataset: steel-greet2022, amount: 1,", "not both"),
        ("dataset: electricity-grid-eu, amount: 30,", "dataset: electricity-grid-eu,", "without an amount"),
        ("virgin: {percent: 90, route: greet2022}", "virgin: {percent: ninety, route: greet2022}", "valid number"),
        ("stage_mapping: jrc", "stage_mapping: [jrc]", "invalid stage_mapping"),
    ],
)
def test_other_errors_name_the_line(old, new, message):
    text = edited(old, new)
    with pytest.raises(CathodeLCAError) as info:
        parse_battery_spec(text, "battery.yaml")
    err = info.value
    assert message in err.message
    assert err.file == "battery.yaml" and err.line is not None
    if "valid number" in message:
        assert err.field == "sourcing.Ni.virgin.percent"
    first_changed = next(
        i for i, (a, b) in enumerate(zip(TEXT.splitlines(), text.splitlines(), strict=False), 1) if a != b
    )
    assert abs(err.line - first_changed) <= 3, (err.line, first_changed)


def test_missing_sourcing_for_a_cathode_element():
    start = TEXT.index("  Co:\n")
    end = TEXT.index("  Li:\n")
    err = error_of(TEXT[:start] + TEXT[end:])
    assert "no sourcing mix for Co" in err.message


def test_direct_route_needs_a_supplier_value():
    err = error_of(
        edited("post_consumer: {percent: 6, route: hydrometallurgical}", "post_consumer: {percent: 6, route: direct}")
    )
    assert "direct" in err.message and "e_recycled" in err.hint


def test_no_cycles_and_no_vehicle_category():
    err = error_of(edited("  vehicle_category: M1 ", "  # vehicle_category: M1 "))
    assert "neither vehicle_category nor full_equivalent_cycles_per_year" in err.message


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(BatterySpecError, match="invalid YAML"):
        parse_battery_spec("battery: [unclosed\n", "b.yaml")
    with pytest.raises(BatterySpecError, match="not found"):
        load_battery_spec(tmp_path / "nope.yaml")
    with pytest.raises(BatterySpecError, match="YAML mapping"):
        parse_battery_spec("- a\n- b\n", "b.yaml")


def test_message_format_is_one_paragraph():
    err = error_of(edited("chemistry: NMC811", "chemistry: XYZ"))
    assert re.match(r"^battery\.yaml:\d+: field 'battery\.chemistry': unknown chemistry 'XYZ'\. Fix: ", str(err))


# -- errors found when the model is consulted ------------------------------------------------------
def test_unknown_region_is_reported_with_its_line():
    text = edited("cathode_plant: {region: EU,", "cathode_plant: {region: Atlantis,")
    spec = parse_battery_spec(text, "battery.yaml")
    with pytest.raises(BatterySpecError) as info:
        declare(spec)
    assert "unknown plant region 'Atlantis'" in info.value.message
    assert info.value.line == line_of(text, "region: Atlantis") and "FR" in info.value.hint


def test_unknown_virgin_route():
    text = edited("virgin: {percent: 80, route: greet2022}", "virgin: {percent: 80, route: moon}")
    with pytest.raises(BatterySpecError) as info:
        declare(parse_battery_spec(text, "battery.yaml"))
    assert "unknown virgin route 'moon' for Co" in info.value.message and "istrate2024" in info.value.hint
    assert info.value.line == line_of(text, "route: moon") and info.value.field == "sourcing.Co.virgin.route"


def test_spec_error_is_located_in_the_battery_file():
    # BatterySpec.error: the one builder of located errors found once the model is consulted (was copied in
    # cff_material.py and model_data.py)
    spec = parse_battery_spec(TEXT, "battery.yaml")
    err = spec.error(("sourcing", "Co", "virgin", "route"), "m", "h")
    assert isinstance(err, BatterySpecError)
    assert (err.file, err.field, err.hint) == ("battery.yaml", "sourcing.Co.virgin.route", "h")
    assert err.line == line_of(TEXT, "virgin: {percent: 80, route: greet2022}")


def test_route_that_does_not_recover_the_element():
    text = edited(
        "post_consumer: {percent: 5, route: hydrometallurgical}",
        "post_consumer: {percent: 5, route: pyrometallurgical}",
    )
    with pytest.raises(BatterySpecError) as info:
        declare(parse_battery_spec(text, "battery.yaml"), rules=get_rules("cut-off"))
    assert "pyrometallurgical route yields no battery-grade lithium hydroxide" in info.value.message
    assert info.value.field == "sourcing.Li.post_consumer.route"


def test_unknown_dataset_in_a_supplied_value():
    text = edited("dataset: steel-greet2022", "dataset: unobtainium")
    with pytest.raises(BatterySpecError) as info:
        declare(parse_battery_spec(text, "battery.yaml"))
    assert "unknown dataset 'unobtainium'" in info.value.message
    assert info.value.line == line_of(text, "dataset: unobtainium")


def test_unknown_rule_set():
    with pytest.raises(CathodeLCAError, match="unknown rule set 'pef'"):
        declare(EXAMPLE, rules="pef")
