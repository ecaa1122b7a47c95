"""End-of-life stage of the whole pack, E*V and the recycler region: known answers by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_passport_declaration import HAND, hand_data

from cathode_lca.passport import assemble, declare, get_rules, load_battery_spec, parse_battery_spec
from cathode_lca.passport.eol_data import CoProduct, EoLData
from cathode_lca.passport.model_data import vec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"
DISPOSAL = "disposal: {value: 0.1, source: landfill dataset (test)}"


def hand_eol() -> EoLData:
    """2 kg feed per kg CAM, collection 0.5 kg CO2-eq/kg feed, copper 0.1 kg/kg feed (Erec 1, E*V 4)."""
    cu = CoProduct("Cu", "copper-scrap", 0.1, "copper-virgin", vec(1.0, 1.0), vec(4.0, 4.0), "test")
    return EoLData("EU", "rule", 2.0, vec(0.5, 0.5), {"Cu": cu}, {"copper-scrap": 0.1})


def declared(text: str, rules: str = "cff-jrc-a0.2-bp-r2"):
    data = replace(hand_data(), eol=hand_eol())
    return assemble(parse_battery_spec(text, "hand.yaml"), get_rules(rules), data)


def item(d, item_id: str) -> float:
    return float(next(i for i in d.line_items if i.id == item_id).value[0])


WITH_DISPOSAL = HAND.replace("recyclability_evidence: ISO 14021 statement,", f"recyclability_evidence: x, {DISPOSAL},")


def test_end_of_life_stage_of_one_pack_by_hand():
    d = declared(WITH_DISPOSAL)
    # 10 kg CAM -> 20 kg feed; collection rate 0.9
    assert item(d, "eol:collection") == pytest.approx(0.9 * 20 * 0.5)  # 9.0
    assert item(d, "eol:dismantling") == 0.0
    # copper: 0.9 x 20 x 0.1 = 1.8 kg x (1 - 0.2) x (1 - 4) = -4.32
    assert item(d, "cff:Cu:recycling_eol") == pytest.approx(1.8 * 0.8 * (1 - 4))
    # recovered: Cu 1.8 kg + cathode 0.9 x 10 x (Ni 0.5 x 0.5 + Co 0.1 x 0.8 + Li 0.07 x 0) = 2.97 kg
    # disposed: 20 - 4.77 = 15.23 kg x 0.1 = 1.523
    assert item(d, "eol:disposal") == pytest.approx((20 - 1.8 - 2.97) * 0.1)
    # cathode CFF end-of-life terms (hand values of test_passport_declaration): Ni -14.24 + Co 7.0 ...
    cathode = sum(
        float(i.value[0])
        for i in d.line_items
        if i.id.startswith("cff:") and i.stage == "Recycling" and ":Cu:" not in i.id
    )
    supplied = 7.0  # dismantling supplier value of the hand battery
    expected = cathode + supplied + 9.0 - 4.32 + 1.523
    assert d.stages_absolute["Recycling"] == pytest.approx(expected)
    trace = d.calculation["endOfLife"]
    assert trace["disposedKgPerBattery"] == pytest.approx(15.23)
    assert trace["materials"]["Cu"]["status"] == "counted"
    assert trace["materials"]["electrolyte Li"]["status"] == "not credited"
    assert "twice" in trace["materials"]["electrolyte Li"]["reason"]


def test_cut_off_keeps_collection_and_disposal():
    d = declared(WITH_DISPOSAL, "cut-off")
    assert item(d, "eol:collection") == pytest.approx(9.0)
    assert item(d, "eol:disposal") == pytest.approx(1.523)
    assert item(d, "cff:Cu:recycling_eol") == 0.0  # A = 1
    assert d.stages_absolute["Recycling"] == pytest.approx(7.0 + 9.0 + 1.523)


def test_disposal_without_a_dataset_is_a_stated_gap():
    d = declared(HAND)
    assert item(d, "eol:disposal") == 0.0
    assert any("not recovered" in w and "data gap" in w for w in d.warnings)


def test_r2_needs_recyclability_evidence():
    text = HAND.replace("recyclability_evidence: ISO 14021 statement,", "")
    d = declared(text)
    assert all(r.parameters.R2 == 0.0 for r in d.cff.values())
    assert item(d, "cff:Cu:recycling_eol") == 0.0
    assert any(w.startswith("R2 = 0 for every recovered material") for w in d.warnings)
    assert "EN ISO 14021" in d.cff["Ni"].parameter_sources["R2"]


# -- on the shipped model --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example():
    return declare(EXAMPLE)


@pytest.mark.slow
def test_example_end_of_life_covers_the_pack(example):
    materials = example.calculation["endOfLife"]["materials"]
    assert {"Cu", "Al", "graphite", "plastics", "electrolyte Li"} <= set(materials)
    assert item(example, "eol:collection") > 0


@pytest.mark.slow
def test_cut_off_end_of_life_is_not_zero_on_the_example():
    d = declare(EXAMPLE, rules="cut-off")
    assert (
        d.stages_absolute["Recycling"] == pytest.approx(item(d, "eol:collection"))
        and d.stages_absolute["Recycling"] > 0
    )


def test_e_v_star_does_not_follow_the_makers_sourcing(example):
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "virgin: {percent: 92, route: greet2022}", "virgin: {percent: 92, route: brine}"
    )
    spec = load_battery_spec(EXAMPLE)
    brine = declare(parse_battery_spec(text, spec.file))
    # E_v follows the maker's lithium route; E*V stays the EU-specific default dataset
    assert not np.allclose(brine.cff["Li"].emissions.e_v, example.cff["Li"].emissions.e_v)
    assert np.allclose(brine.cff["Li"].emissions.e_v_star, example.cff["Li"].emissions.e_v_star)
    assert "EU-specific" in example.cff["Li"].emission_sources["e_v_star"]


@pytest.mark.slow
def test_recycling_region_is_eu_without_evidence():
    text = EXAMPLE.read_text(encoding="utf-8").replace("  feed_type: cells\n", "  feed_type: cells\n  region: CN\n")
    d = declare(parse_battery_spec(text, "battery.yaml"))
    assert d.calculation["endOfLife"]["region"] == "EU"
    assert any("end_of_life.region CN has no region_evidence" in w for w in d.warnings)
    with_evidence = text.replace("  region: CN\n", "  region: CN\n  region_evidence: recycler contract EX-1\n")
    d2 = declare(parse_battery_spec(with_evidence, "battery.yaml"))
    assert d2.calculation["endOfLife"]["region"] == "CN"


def test_cff_eol_item_by_hand():
    # the one builder of co-product and dismantled-part credits: A = 0.2 and QSout/QP = 1 in the JRC rule set,
    # 2 kg recovered x R2 0.5 = 1 kg; factor (1 - 0.2) x (3 - 10 x 1) = -5.6 per kg, per sub-indicator
    from cathode_lca.passport.eol_cff import CFF_EOL_TERM, cff_eol_item

    rules = get_rules("cff-jrc-a0.2-bp-r2")
    assert (rules.a_metals.value, rules.qsout_qp.value) == (0.2, 1.0)
    it = cff_eol_item(
        "cff:X:recycling_eol", "X recovered", "EoL", rules, kg=2.0, r2=0.5, quantity_unit="kg X x R2",
        e_recycling_eol=vec(3.0, 2.0, 1.0), e_v_star=vec(10.0, 8.0, 2.0), source="label", datasets=("x", "y"),
    )  # fmt: skip
    assert it.quantity == pytest.approx(1.0)
    np.testing.assert_allclose(it.factor, [0.8 * (3 - 10), 0.8 * (2 - 8), 0.8 * (1 - 2), 0.0])
    assert (it.kind, it.process, it.stage, it.datasets) == ("cff", None, "EoL", ("x", "y"))
    assert it.description == f"X recovered: {CFF_EOL_TERM}"
    assert it.source == "CFF, rule set cff-jrc-a0.2-bp-r2 (A = 0.2, QSout/QP = 1); label"
    cut = cff_eol_item(
        "c", "c", "EoL", get_rules("cut-off"), kg=2.0, r2=0.5, quantity_unit="kg",
        e_recycling_eol=0.0, e_v_star=vec(10.0, 8.0), source="s", datasets=(),
    )  # fmt: skip
    np.testing.assert_allclose(cut.factor, 0.0, atol=0)  # A = 1 under cut-off: no credit
