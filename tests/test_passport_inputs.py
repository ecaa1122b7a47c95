"""Input checks of the battery file: non-finite, negative and absurd values, masses above the battery mass.

Each case was accepted before these checks (a NaN supplier value gave ``"batteryCarbonFootprint": NaN``,
-1,200 gave a negative footprint, 1,270 kg of cathode passed in a 488.7 kg battery).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.passport import parse_battery_spec
from cathode_lca.passport.spec import BatterySpecError
from cathode_lca.passport.spec_checks import MAX_SUPPLIED_KG_PER_KWH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
PACK_PARTS = "{process: component-production, per: kg, value: 12.0,"


def edited(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def error_of(text: str) -> BatterySpecError:
    with pytest.raises(BatterySpecError) as info:
        parse_battery_spec(text, "battery.yaml")
    return info.value


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1200", "negative"), ("1.0e4", "plausibility bound")],
)
def test_bad_supplier_values_are_refused(value, message):
    text = edited(PACK_PARTS, PACK_PARTS.replace("12.0", value))
    err = error_of(text)
    assert message in err.message
    assert err.file == "battery.yaml"
    assert err.field == "bill_of_materials.components[8].carbon_footprint[0].value"
    assert err.line == line_of(text, "per: kg, value: " + value)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400"])
def test_non_finite_supplier_values_are_refused_at_their_line(value):
    # the YAML reader refuses non-finite numbers anywhere in the file, before the spec model sees them
    text = edited(PACK_PARTS, PACK_PARTS.replace("12.0", value))
    err = error_of(text)
    assert "finite number" in err.message  # from the YAML reader, or (1e400 read as text) the spec check
    assert err.file == "battery.yaml"
    assert err.line == line_of(text, "per: kg, value: " + value)


def test_the_plausibility_bound_by_hand():
    # pack parts: 151.4 kg x v kg CO2-eq/kg over 100 kWh; the bound is reached at v = 1000 x 100 / 151.4
    limit = MAX_SUPPLIED_KG_PER_KWH * 100 / 151.4
    parse_battery_spec(edited(PACK_PARTS, PACK_PARTS.replace("12.0", f"{limit * 0.999:.6f}")))
    err = error_of(edited(PACK_PARTS, PACK_PARTS.replace("12.0", f"{limit * 1.001:.6f}")))
    assert "plausibility bound" in err.message


def test_nan_sub_indicator_is_refused():
    text = edited(PACK_PARTS, PACK_PARTS.replace("value: 12.0,", "value: 12.0, biogenic: .nan,"))
    err = error_of(text)
    assert "non-finite number" in err.message and err.line == line_of(text, "biogenic: .nan")


def test_cathode_heavier_than_the_battery():
    text = edited("    mass_kg: 127.64  ", "    mass_kg: 1270  ")
    err = error_of(text)
    assert "exceeds the battery mass 488.7 kg" in err.message
    assert err.field == "bill_of_materials.cathode_active_material.mass_kg"
    assert err.line == line_of(text, "mass_kg: 1270")


def test_bill_of_materials_heavier_than_the_battery():
    # 488.652 kg of parts (sum of the example BOM) in a battery declared at 400 kg
    text = edited("  mass_kg: 488.7 ", "  mass_kg: 400 ")
    err = error_of(text)
    assert "weighs 488.652 kg" in err.message and "more than the battery mass 400 kg" in err.message
    assert err.line == line_of(text, "bill_of_materials:")


def test_rounding_allowance_keeps_the_example():
    # the example BOM adds up to 488.652 kg for a 488.7 kg pack; 488.3 kg is within 0.1 %
    parse_battery_spec(edited("  mass_kg: 488.7 ", "  mass_kg: 488.3 "))
    assert "weighs" in error_of(edited("  mass_kg: 488.7 ", "  mass_kg: 488.1 ")).message


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("A: {value: 1.5, source: s}", "outside 0-1"),
        ("R2: {value: -0.1, source: s}", "outside 0-1"),
        ("E_v: {value: -3, source: s}", "negative"),
    ],
)
def test_cff_overrides_are_checked(override, message):
    text = TEXT + f"\ncff:\n  Ni:\n    {override}\n"
    err = error_of(text)
    assert message in err.message and err.field.startswith("cff.Ni.")
    assert err.line == len(text.splitlines())


def test_negative_recycled_burden_is_refused():
    text = edited(
        "post_consumer: {percent: 6, route: hydrometallurgical}",
        "post_consumer: {percent: 6, route: hydrometallurgical, e_recycled: {value: -5, source: s}}",
    )
    err = error_of(text)
    assert "negative" in err.message and err.field == "sourcing.Ni.post_consumer.e_recycled.value"


def test_cli_exit_code_2_without_traceback(tmp_path, capsys):
    from cathode_lca.cli import main

    bad = tmp_path / "battery.yaml"
    bad.write_text(edited(PACK_PARTS, PACK_PARTS.replace("12.0", ".nan")), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["passport", str(bad)])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err
    assert f"battery.yaml:{line_of(TEXT, PACK_PARTS)}" in err and "finite number" in err
