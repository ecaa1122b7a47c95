"""Circular Footprint Formula: known answers per term, cut-off, the derived simplification, checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.errors import ParameterError
from cathode_lca.passport.cff import (
    CFFEmissions,
    CFFParameters,
    blend,
    cff_terms,
    disposal_term,
    energy_recovery_term,
    recycled_input_term,
    recycling_eol_term,
    virgin_term,
)
from cathode_lca.passport.rules import RULE_SETS, get_rules, map_stage, resolve_mapping


def params(**kw):
    base = {"A": 0.2, "B": 0.0, "R1": 0.25, "R2": 0.5, "R3": 0.0, "qsin_qp": 1.0, "qsout_qp": 1.0}
    base.update(kw)
    return CFFParameters(**base)


def emissions(**kw):
    base = {"e_v": 10.0, "e_v_star": 10.0, "e_recycled": 4.0, "e_recycling_eol": 3.0, "e_d": 0.0}
    base.update(kw)
    return CFFEmissions(**base)


def test_each_term_by_hand():
    # (1-R1)EV = 0.75 * 10
    assert virgin_term(0.25, 10.0) == pytest.approx(7.5)
    # R1 (A Erec + (1-A) EV QSin/QP) = 0.25 * (0.2*4 + 0.8*10*0.9) = 0.25 * 8.0
    assert recycled_input_term(0.25, 0.2, 4.0, 10.0, 0.9) == pytest.approx(2.0)
    # (1-A) R2 (ErecEoL - E*V QSout/QP) = 0.8 * 0.5 * (3 - 10*0.5) = -0.8
    assert recycling_eol_term(0.2, 0.5, 3.0, 10.0, 0.5) == pytest.approx(-0.8)
    # (1-B) R3 (EER - LHV Xh ESEh - LHV Xe ESEe) = 1 * 0.1 * (5 - 2*0.5*1 - 2*0.25*2) = 0.3
    assert energy_recovery_term(0.0, 0.1, 5.0, 2.0, 0.5, 1.0, 0.25, 2.0) == pytest.approx(0.3)
    # (1-R2-R3) ED = (1 - 0.5 - 0.1) * 2 = 0.8
    assert disposal_term(0.5, 0.1, 2.0) == pytest.approx(0.8)


def test_cff_terms_and_stage_split():
    p = params(R3=0.1, B=0.5)
    e = emissions(e_d=2.0, e_er=5.0, lhv=2.0, x_er_heat=0.5, e_se_heat=1.0, x_er_elec=0.25, e_se_elec=2.0)
    t = cff_terms(p, e)
    assert t.virgin == pytest.approx(7.5)
    assert t.recycled_input == pytest.approx(0.25 * (0.8 + 8.0))  # 2.2
    assert t.recycling_eol == pytest.approx(0.8 * 0.5 * (3.0 - 10.0))  # -2.8
    assert t.energy_recovery == pytest.approx(0.5 * 0.1 * 3.0)  # 0.15
    assert t.disposal == pytest.approx((1 - 0.5 - 0.1) * 2.0)  # 0.8
    assert t.raw_material == pytest.approx(9.7)
    assert t.end_of_life == pytest.approx(-2.8 + 0.15 + 0.8)
    assert t.total == pytest.approx(9.7 - 1.85)


def test_end_of_life_can_be_negative():
    t = cff_terms(params(R2=0.9), emissions(e_recycling_eol=1.0))
    assert t.end_of_life < 0


def test_cut_off_has_no_end_of_life_material_term():
    t = cff_terms(params(A=1.0), emissions())
    assert t.recycling_eol == 0
    # (1-R1)EV + R1 Erecycled = 7.5 + 0.25*4
    assert t.raw_material == pytest.approx(8.5)


def test_vector_emissions_are_linear():
    """Emission vectors (e.g. total, fossil, biogenic, land use) go through the formula elementwise."""
    e_vec = emissions(
        e_v=np.array([10.0, 9.0, 1.0, 0.0]),
        e_v_star=np.array([10.0, 9.0, 1.0, 0.0]),
        e_recycled=np.array([4.0, 4.0, 0.0, 0.0]),
        e_recycling_eol=np.array([3.0, 2.0, 0.5, 0.5]),
    )
    t = cff_terms(params(), e_vec)
    for k in range(4):
        scalar = cff_terms(
            params(),
            emissions(
                e_v=e_vec.e_v[k],
                e_v_star=e_vec.e_v_star[k],
                e_recycled=e_vec.e_recycled[k],
                e_recycling_eol=e_vec.e_recycling_eol[k],
            ),
        )
        assert t.total[k] == pytest.approx(scalar.total)


unit = st.floats(0, 1, allow_nan=False)
burden = st.floats(-100, 1000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(a=unit, r1=unit, e_v=burden, e_rec=burden)
def test_input_side_matches_derived_simplification(a, r1, e_v, e_rec):
    """With QSin/QP = 1: (1-R1)EV + R1(A Erec + (1-A)EV) = EV - A R1 (EV - Erec)."""
    t = cff_terms(params(A=a, R1=r1), emissions(e_v=e_v, e_recycled=e_rec))
    assert float(t.raw_material) == pytest.approx(e_v - a * r1 * (e_v - e_rec), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(r2=unit, e_eol=burden, e_star=burden)
def test_a_equal_one_removes_every_end_of_life_credit(r2, e_eol, e_star):
    t = cff_terms(params(A=1.0, R2=r2), emissions(e_recycling_eol=e_eol, e_v_star=e_star))
    assert float(t.recycling_eol) == 0.0


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [("A", 1.2, "A"), ("R1", -0.1, "R1"), ("qsout_qp", float("nan"), "qsout_qp"), ("R2", 0.8, "R2 \\+ R3")],
)
def test_parameter_checks(field, value, match):
    kw = {field: value}
    if field == "R2":
        kw["R3"] = 0.3
    with pytest.raises(ParameterError, match=match):
        params(**kw).check("Ni")


def test_blend_weights_by_share():
    assert float(blend([1.0, 3.0], [2.0, 6.0])) == pytest.approx(5.0)
    assert float(blend([0.0], [7.0])) == 0.0


def test_rule_sets_and_their_citations():
    jrc, cut = get_rules("cff-jrc-a0.2-bp-r2"), get_rules("cut-off")
    assert jrc.a_metals.value == 0.2 and "Table 10" in jrc.a_metals.source
    assert cut.a_metals.value == 1.0 and "p.69" in cut.a_metals.source
    assert jrc.r1.value == 0 and jrc.r1_requires_evidence
    assert jrc.qsin_qp.value == 1 and "p.71" in jrc.qsin_qp.source
    assert "(derived)" in jrc.qsout_qp.source  # not from PEF Annex C, which was not retrieved
    assert "gap" in jrc.e_d.source
    for rules in RULE_SETS.values():
        d = rules.describe()
        assert d["id"] == rules.id and d["version"]


def test_stage_mappings_differ_on_cathode_production():
    for tag in ("pcam-production", "cam-production", "anode-active-material-production", "electrolyte-production"):
        assert map_stage(tag, "regulation") == "RawMaterialExtraction"
        assert map_stage(tag, "jrc") == "MainProduction"
    for mapping in ("regulation", "jrc"):
        assert map_stage("raw-material-refining", mapping) == "RawMaterialExtraction"
        assert map_stage("cell-production", mapping) == "MainProduction"
        assert map_stage("distribution", mapping) == "Distribution"
        assert map_stage("recycling-recovery", mapping) == "Recycling"
    table = resolve_mapping("jrc", {"pcam-production": "RawMaterialExtraction"})
    assert table["pcam-production"] == "RawMaterialExtraction" and table["cam-production"] == "MainProduction"
