"""Impossible battery-file values that gave a signable, wrong declaration are refused.

A capacity given in Wh where kWh is asked divided the declared footprint by 1,000.

Before: ``usable_energy_kwh: 100000`` (the example pack's 100 kWh written in Wh) for a 488.7 kg pack was
declared as 0.0149 kg CO2-eq/kWh instead of 0.118, with no warning, ready to be signed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.passport import parse_battery_spec
from cathode_lca.passport.spec import BatterySpecError
from cathode_lca.passport.spec_checks import MAX_KWH_PER_KG

TEXT = (Path(__file__).resolve().parent.parent / "examples" / "battery-nmc811.yaml").read_text(encoding="utf-8")
ENERGY = "usable_energy_kwh: 100 "


def with_energy(kwh: str) -> str:
    assert TEXT.count(ENERGY) == 1
    return TEXT.replace(ENERGY, f"usable_energy_kwh: {kwh} ")


def test_capacity_in_wh_is_refused_at_its_line():
    text = with_energy("100000")
    with pytest.raises(BatterySpecError) as info:
        parse_battery_spec(text, "battery.yaml")
    message = str(info.value)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "usable_energy_kwh: 100000" in row)
    assert f"battery.yaml:{line}:" in message and "battery.usable_energy_kwh" in message
    # 100,000 kWh / 488.7 kg = 204.6 kWh per kg, by hand
    assert "204.6 kWh per kg" in message and "Wh" in message


def test_the_bound_by_hand():
    # 488.7 kg x 1 kWh/kg = 488.7 kWh: at the bound accepted, above it refused
    assert MAX_KWH_PER_KG == 1.0
    parse_battery_spec(with_energy("488.7"), "battery.yaml")
    with pytest.raises(BatterySpecError, match="kWh per kg"):
        parse_battery_spec(with_energy("488.8"), "battery.yaml")
    parse_battery_spec(TEXT, "battery.yaml")  # the example (0.2 kWh/kg) passes


def test_negative_disposal_burden_is_refused():
    # before: disposal: {value: -5} lowered the example's footprint from 0.118 to 0.0993 kg CO2-eq/kWh,
    # a credit for the 179 kg that are not recovered
    old = "  recyclability_evidence:"
    assert TEXT.count(old) == 1
    text = TEXT.replace(old, "  disposal: {value: -5, source: x}\n" + old)
    with pytest.raises(BatterySpecError, match="disposal value is negative") as info:
        parse_battery_spec(text, "battery.yaml")
    assert info.value.field == "end_of_life.disposal.value"
    parse_battery_spec(TEXT.replace(old, "  disposal: {value: 0.05, source: x}\n" + old), "battery.yaml")
