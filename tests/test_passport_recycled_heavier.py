"""The passport says so when recycling raises the footprint (recycled heavier than virgin in the CFF)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import run_main
from test_passport_declaration import hand_data

from cathode_lca.passport import assemble, get_rules, parse_battery_spec
from cathode_lca.passport.model_data import vec

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "battery-nmc811.yaml")


def _hand_spec():
    from test_passport_declaration import HAND

    return parse_battery_spec(HAND, "hand.yaml")


def test_a_hand_made_eol_burden_is_named_with_its_value() -> None:
    data = hand_data()
    # Co: E*V 20, ErecyclingEoL 25 (heavier), R2 = collection 0.9 x yield 0.8 = 0.72, A = 0.2
    data.materials["Co"] = replace(data.materials["Co"], e_recycling_eol=vec(25, 25))
    result = assemble(_hand_spec(), get_rules("cff-jrc-a0.2-bp-r2"), data)
    (co,) = [w for w in result.warnings if w.startswith("CFF, Co: the end-of-life term is a burden")]
    assert f"{0.8 * 0.72 * (25 - 20):+.3g} kg CO2-eq per kg Co" in co  # +2.88
    assert not [w for w in result.warnings if w.startswith("CFF, Ni")]  # Ni: 3 < 10, a credit


def test_the_hand_data_with_recycled_lighter_than_virgin_give_no_such_warning() -> None:
    result = assemble(_hand_spec(), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    assert not [w for w in result.warnings if w.startswith("CFF, ")]


@pytest.mark.slow
def test_the_example_battery_warns_about_cobalt_only_with_the_hand_values(capsys) -> None:
    code, out, _ = run_main(["passport", EXAMPLE, "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    warnings = [w for w in doc["calculation"]["warnings"] if w.startswith("CFF, ")]
    assert [w.split(":")[0] for w in warnings] == ["CFF, Co", "CFF, Co"]
    co = doc["calculation"]["cff"]["Co"]
    e = {k: v["value"] for k, v in co["emissionsKgCO2ePerKg"].items() if isinstance(v, dict)}
    p = {k: v["value"] for k, v in co["parameters"].items()}
    eol = (1 - p["A"]) * p["R2"] * (e["e_recycling_eol"] - e["e_v_star"] * p["qsout_qp"])
    extra = p["R1"] * p["A"] * (e["e_recycled"] - e["e_v"] * p["qsin_qp"])
    assert eol == pytest.approx(1.5158, abs=1e-4)  # docs/passport.md quotes +1.52
    assert f"({eol:+.3g} kg CO2-eq per kg Co)" in warnings[0]
    assert f"({extra:+.3g} kg CO2-eq per kg Co against all virgin)" in warnings[1]  # +0.126
    assert co["termsKgCO2ePerKg"]["recycling_eol"] == pytest.approx(eol, rel=1e-12)
