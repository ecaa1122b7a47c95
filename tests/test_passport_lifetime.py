"""Functional unit per battery category: known answers by hand, and values against the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.passport import parse_battery_spec
from cathode_lca.passport.lifetime import CAPACITY_FADE, lifetime_energy, lifetime_problems
from cathode_lca.passport.spec import BatteryInfo, BatterySpecError

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "examples" / "battery-nmc811.yaml").read_text(encoding="utf-8")


def info(**kw) -> BatteryInfo:
    base = {
        "model": "m",
        "manufacturing_plant": {"location": "x"},
        "chemistry": "NMC811",
        "usable_energy_kwh": 100.0,
        "service_life_years": 8.0,
        "carbon_footprint_study": "https://example.org/s.pdf",
    }
    return BatteryInfo(**{**base, **kw})


def problems(b: BatteryInfo, mass: float | None = None) -> list[str]:
    return [msg for _, msg, _ in lifetime_problems(b, mass)]


# -- known answers, by hand ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("vehicle", "expected"),
    [
        ("M1", 100 * 60 * 8),  # 48,000 kWh
        ("N1", 100 * 60 * 8),
        ("L", 100 * 20 * 8),  # 16,000 kWh
        ("L3e", 100 * 20 * 8),
        ("M3", 100 * 250 * 8),  # 200,000 kWh
        ("N3", 100 * 250 * 8),
    ],
)
def test_ev_by_vehicle_class(vehicle, expected):
    b = info(vehicle_category=vehicle)
    assert problems(b) == []
    assert lifetime_energy(b).kwh == expected


def test_ev_other_vehicle_chooses_a_listed_value_with_a_justification():
    b = info(vehicle_category="T1", full_equivalent_cycles_per_year=250, full_equivalent_cycles_justification="tractor")
    assert problems(b) == []
    assert lifetime_energy(b).kwh == 100 * 250 * 8  # 200,000 kWh
    assert (
        "not one of the draft DA values"
        in problems(
            info(vehicle_category="T1", full_equivalent_cycles_per_year=300, full_equivalent_cycles_justification="x")
        )[0]
    )
    assert "must be justified" in problems(info(vehicle_category="T1", full_equivalent_cycles_per_year=250))[0]


def test_lmt_needs_a_justified_value():
    b = info(category="LMT", usable_energy_kwh=0.5, service_life_years=3, full_equivalent_cycles_per_year=100,
             full_equivalent_cycles_justification="e-bike commuting, 1 cycle every 3-4 days")  # fmt: skip
    assert problems(b, mass=3.0) == []
    e = lifetime_energy(b)
    assert e.kwh == pytest.approx(0.5 * 100 * 3)  # 150 kWh
    assert e.method == "lmt-justified" and "CFB-LMT" in e.rule
    assert "needs full_equivalent_cycles_per_year" in problems(info(category="LMT", usable_energy_kwh=0.5), 3.0)[0]
    assert "25 kg or less" in problems(b, mass=30.0)[0]


def test_industrial_uses_the_declared_cycle_life():
    b = info(category="industrial", usable_energy_kwh=50, declared_cycle_life=6000)
    assert problems(b) == []
    e = lifetime_energy(b)
    assert e.kwh == 50 * 6000  # 300,000 kWh, service life years not used
    assert e.method == "industrial-cycle-life"
    ext = info(category="industrial", usable_energy_kwh=50, declared_cycle_life=6000, exclusively_external_storage=True)
    assert lifetime_energy(ext).kwh == 300000
    assert lifetime_energy(ext).as_dict()["applicationDate"].startswith("18 Aug 2030")
    assert lifetime_energy(b).as_dict()["applicationDate"].startswith("18 Feb 2026")


def test_industrial_with_cycles_per_year_needs_a_justification():
    b = info(category="industrial", usable_energy_kwh=50, full_equivalent_cycles_per_year=365)
    assert "need a justification" in problems(b)[0]
    b = info(category="industrial", usable_energy_kwh=50, full_equivalent_cycles_per_year=365,
             full_equivalent_cycles_justification="daily cycling")  # fmt: skip
    assert lifetime_energy(b).kwh == 50 * 365 * 8  # 146,000 kWh


@pytest.mark.parametrize(("kwh", "applies"), [(2.0, False), (2.0001, True), (1.5, False)])
def test_industrial_threshold_above_2_kwh(kwh, applies):
    msgs = problems(info(category="industrial", usable_energy_kwh=kwh, declared_cycle_life=3000))
    assert (msgs == []) is applies
    if not applies:
        assert "Art. 7 applies above 2 kWh" in msgs[0]


def test_category_changes_the_method():
    ev = lifetime_energy(info(vehicle_category="M1"))
    ind = lifetime_energy(info(category="industrial", declared_cycle_life=480))
    assert ev.kwh == ind.kwh == 48000  # same energy, different rule
    assert ev.method != ind.method and ev.rule != ind.rule


def test_capacity_fade_is_stated():
    d = lifetime_energy(info(vehicle_category="M1")).as_dict()
    assert d["capacityFade"] == CAPACITY_FADE and CAPACITY_FADE.startswith("not applied")


def test_external_storage_only_for_industrial():
    assert "industrial batteries only" in problems(info(vehicle_category="M1", exclusively_external_storage=True))[0]


# -- in the battery file ---------------------------------------------------------------------------
def test_300_cycles_for_an_m1_car_is_an_error_with_file_and_line():
    text = TEXT.replace("  vehicle_category: M1 ", "  full_equivalent_cycles_per_year: 300\n  vehicle_category: M1 ")
    with pytest.raises(BatterySpecError) as info_:
        parse_battery_spec(text, "battery.yaml")
    err = info_.value
    assert "300 cycles per year is against the rule for vehicle category M1" in err.message
    assert err.field == "battery.full_equivalent_cycles_per_year"
    assert err.line == next(i for i, s in enumerate(text.splitlines(), 1) if "cycles_per_year: 300" in s)


def test_industrial_example_below_threshold_is_refused():
    text = TEXT.replace("  category: EV\n", "  category: industrial\n  declared_cycle_life: 3000\n").replace(
        "usable_energy_kwh: 100 ", "usable_energy_kwh: 2 "
    )
    with pytest.raises(BatterySpecError, match="outside the carbon-footprint declaration"):
        parse_battery_spec(text, "battery.yaml")
