"""Pack parts removed at dismantling are treated: recovered metals get the CFF, the rest is disposed of."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_passport_declaration import HAND, hand_data
from test_passport_eol import DISPOSAL, hand_eol

from cathode_lca.passport import assemble, declare, get_rules, parse_battery_spec
from cathode_lca.passport.model_data import vec
from cathode_lca.passport.spec import BatterySpecError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"

# the hand battery of test_passport_declaration, 6 kg heavier: a 4 kg aluminium casing (75 % recovered, cited)
# and 2 kg of plastics, removed at dismantling; the recycling feed stays 20 kg (10 kg CAM x 2 kg feed/kg CAM)
PACK = HAND.replace("  mass_kg: 20\n  vehicle_category", "  mass_kg: 26\n  vehicle_category").replace(
    "recyclability_evidence: ISO 14021 statement,",
    f"recyclability_evidence: x, {DISPOSAL},\n"
    "  dismantled_parts: [{material: aluminium, mass_kg: 4, source: casing drawing,\n"
    "                      recovery_percent: {value: 75, source: dismantler report}},\n"
    "                     {material: plastics, mass_kg: 2, source: cover drawing}],",
)


def declared(text: str, rules: str = "cff-jrc-a0.2-bp-r2"):
    eol = replace(hand_eol(), dismantled_substitutes={"aluminium": ("aluminum-displaced", vec(6.0, 6.0))})
    data = replace(hand_data(), eol=eol)
    return assemble(parse_battery_spec(text, "pack.yaml"), get_rules(rules), data)


def item(d, item_id: str) -> float:
    return float(next(i for i in d.line_items if i.id == item_id).value[0])


def test_end_of_life_stage_of_one_pack_with_a_dismantled_part_by_hand():
    d = declared(PACK)
    # collection: 0.9 x 20 kg feed x 0.5 = 9.0; dismantling: manual, no burden (EverBatt 'Output'!E61)
    assert item(d, "eol:collection") == pytest.approx(9.0)
    assert item(d, "eol:dismantling") == 0.0
    # copper co-product of the feed (test_passport_eol): 0.9 x 20 x 0.1 = 1.8 kg x 0.8 x (1 - 4) = -4.32
    assert item(d, "cff:Cu:recycling_eol") == pytest.approx(-4.32)
    # aluminium casing: 4 kg x 0.75 = 3 kg scrap; R2 = 0.9; (1 - A) = 0.8; ErecyclingEoL = 0; E*V = 6, QSout/QP = 1
    # 0.9 x 3 x 0.8 x (0 - 6) = -12.96
    assert item(d, "cff:dismantled-aluminium-0:recycling_eol") == pytest.approx(-12.96)
    # recovered: Cu 1.8 + cathode 2.97 (test_passport_eol) + Al 0.9 x 3 = 2.7 -> 7.47 kg of 26 kg
    # disposed: 26 - 7.47 = 18.53 kg (plastics included) x 0.1 kg CO2-eq/kg = 1.853
    assert item(d, "eol:disposal") == pytest.approx(1.853)
    trace = d.calculation["endOfLife"]
    assert trace["disposedKgPerBattery"] == pytest.approx(18.53)
    al, plastics = trace["dismantledParts"]
    assert al["recoveredKgPerBattery"] == pytest.approx(3.0) and al["recoverySource"] == "dismantler report"
    assert plastics["status"].startswith("not recovered")
    assert any("dismantled plastics (2 kg)" in w and "data gap" in w for w in d.warnings)
    # the whole end-of-life stage: cathode CFF terms + dismantling supplier value 7 + 9 - 4.32 - 12.96 + 1.853
    cathode = sum(
        float(i.value[0])
        for i in d.line_items
        if i.id.startswith("cff:") and i.stage == "Recycling" and ":Cu:" not in i.id and "dismantled" not in i.id
    )
    assert d.stages_absolute["Recycling"] == pytest.approx(cathode + 7.0 + 9.0 - 4.32 - 12.96 + 1.853)


def test_without_recyclability_evidence_the_casing_gets_no_credit():
    d = declared(PACK.replace("recyclability_evidence: x, ", ""))
    assert item(d, "cff:dismantled-aluminium-0:recycling_eol") == 0.0  # R2 = 0
    assert d.calculation["endOfLife"]["dismantledParts"][0]["R2"] == 0.0


def test_cut_off_rules_give_no_credit_but_keep_the_disposal():
    d = declared(PACK, "cut-off")
    assert item(d, "cff:dismantled-aluminium-0:recycling_eol") == 0.0  # A = 1
    assert item(d, "eol:disposal") == pytest.approx(1.853)


def test_a_metal_without_a_cited_yield_uses_the_stated_proxy():
    d = declared(PACK.replace(",\n                      recovery_percent: {value: 75, source: dismantler report}", ""))
    # 4 kg x 0.9 (EverBatt pre-processing scrap yield, the proxy) x 0.9 x 0.8 x (0 - 6)
    assert item(d, "cff:dismantled-aluminium-0:recycling_eol") == pytest.approx(4 * 0.9 * 0.9 * 0.8 * -6)
    assert any("proxy" in w and "recovery_percent" in w for w in d.warnings)


def test_undeclared_dismantled_mass_is_named():
    text = HAND.replace("  mass_kg: 20\n  vehicle_category", "  mass_kg: 26\n  vehicle_category")
    d = declared(text)
    assert any("6 kg per battery are removed at dismantling" in w for w in d.warnings)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("mass_kg: 4, source: casing", "must be positive"),
        ("value: 75, source: dismantler", "outside 0-100"),
        ("material: aluminium", "invalid value"),
    ],
)
def test_bad_dismantled_parts_are_refused_with_their_field(bad, message):
    replacement = {
        "mass_kg: 4, source: casing": "mass_kg: -4, source: casing",
        "value: 75, source: dismantler": "value: 175, source: dismantler",
        "material: aluminium": "material: unobtainium",
    }[bad]
    with pytest.raises(BatterySpecError, match=message) as exc:
        parse_battery_spec(PACK.replace(bad, replacement), "pack.yaml")
    assert "dismantled_parts" in (exc.value.field or "")


def test_dismantled_parts_heavier_than_the_battery_are_refused():
    with pytest.raises(BatterySpecError, match="more than the battery"):
        parse_battery_spec(PACK.replace("mass_kg: 4, source: casing", "mass_kg: 40, source: casing"), "pack.yaml")


@pytest.mark.slow
def test_example_pack_parts_are_treated():
    d = declare(EXAMPLE)
    parts = d.calculation["endOfLife"]["dismantledParts"]
    assert {p["material"] for p in parts} >= {"aluminium", "copper", "steel", "plastics", "electronics"}
    # the example pack: 488.7 kg pack - 297.6 kg cells = 191.1 kg removed at dismantling, all declared
    assert sum(p["massKg"] for p in parts) == pytest.approx(488.7 - 297.6, abs=0.1)
    credits = [i for i in d.line_items if i.id.startswith("cff:dismantled-")]
    assert len(credits) == 3 and all(float(i.value[0]) < 0 for i in credits)
    al = next(i for i in credits if "aluminium" in i.id)
    # independent check: 43.75 kg x 0.9 (proxy) x R2 0.95 x 0.8 x (0 - E*V) with E*V from the trace
    ev = next(p for p in parts if p["material"] == "aluminium")["EvStarKgCO2ePerKg"]
    assert float(al.value[0]) == pytest.approx(43.75 * 0.9 * 0.95 * 0.8 * -ev, rel=1e-3)
    assert np.isfinite(d.total_per_kwh)
    assert not any("without a material breakdown" in w for w in d.warnings)


def test_co_products_and_dismantled_parts_share_the_builder(monkeypatch):
    # both credits go through eol_cff.cff_eol_item: a spy sees the Cu co-product and the aluminium casing
    import cathode_lca.passport.eol_dismantling as dismantling
    import cathode_lca.passport.eol_stage as stage
    from cathode_lca.passport.eol_cff import cff_eol_item

    built: list[str] = []

    def spy(item_id, *args, **kwargs):
        built.append(item_id)
        return cff_eol_item(item_id, *args, **kwargs)

    monkeypatch.setattr(stage, "cff_eol_item", spy)
    monkeypatch.setattr(dismantling, "cff_eol_item", spy)
    d = declared(PACK)
    assert built == ["cff:Cu:recycling_eol", "cff:dismantled-aluminium-0:recycling_eol"]
    assert set(built) <= {i.id for i in d.line_items}
