"""Verifier checks: company-specific data, 3 % cut-off, DQR, verification fields; honest rule-set names."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_passport_declaration import HAND, hand_data

from cathode_lca.passport import assemble, declare, get_rules, parse_battery_spec
from cathode_lca.passport.compliance import NON_COMPLIANCE, company_specific_data, cut_off_test, dqr
from cathode_lca.passport.rules import RULE_SETS
from cathode_lca.passport.spec import BatterySpecError
from cathode_lca.passport.stages import LineItem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"
NEW = "cff-jrc-a0.2-bp-r2"


def li(i, stage, process, kind, value, datasets=()):
    return LineItem(i, i, stage, process, kind, 1.0, "u", np.array([value, value, 0, 0]), "s", tuple(datasets))


def test_generic_data_for_mandatory_processes_is_non_compliant():
    items = [
        li("a", "MainProduction", "cam-production", "modelled", 10.0, ["cam-x"]),
        li("b", "MainProduction", "cell-production", "supplied", 5.0),  # a supplier's own value
        li("c", "Distribution", "distribution", "modelled", 1.0, ["truck"]),  # not a mandatory process
    ]
    check = company_specific_data(items, None)
    assert check["status"] == "NON-COMPLIANT"
    assert check["genericLineItems"] == ["a"] and check["genericKgCO2e"] == 10.0
    assert check["supplierValueSharePercent"] == pytest.approx(100 * 5 / 16)
    assert company_specific_data(items[1:], None)["status"] == "compliant"
    # a shipped dataset named in the battery file is generic too
    generic_supplied = li("d", "RawMaterialExtraction", "electrolyte-production", "supplied", 2.0, ["lipf6-greet"])
    assert company_specific_data([generic_supplied], None)["status"] == "NON-COMPLIANT"


def test_cut_off_by_hand():
    assert cut_off_test({"carbon black": 0.5}, 20.0)["pass"]  # 2.5 %
    failed = cut_off_test({"carbon black": 0.5, "binder": 0.11}, 20.0)  # 3.05 %
    assert not failed["pass"] and failed["excludedMassPercent"] == pytest.approx(3.05)


def rated(ter, ger, tir, p, explicit=0.0, inherited=None):
    """A product rating as :mod:`cathode_lca.quality.dqr` writes it."""
    return {
        "TeR": ter,
        "GeR": ger,
        "TiR": tir,
        "P": p,
        "DQR": (ter + ger + tir + p) / 4,
        "explicitPercent": explicit,
        "inheritedFrom": inherited or {},
    }


def test_dqr_per_stage_and_total_by_hand():
    items = [
        li("a", "RawMaterialExtraction", None, "modelled", 30.0, ["x"]),
        li("b", "RawMaterialExtraction", None, "modelled", -10.0, ["y"]),
        li("c", "MainProduction", None, "modelled", 60.0, ["x"]),
        li("d", "Distribution", None, "supplied", 5.0),
        li("e", "MainProduction", None, "modelled", 0.0, ["y"]),  # no weight
    ]
    ratings = {
        "x": rated(1, 2, 3, 2, inherited={"greet-average": 100.0}),  # DQR 2
        "y": rated(4, 4, 4, 4, explicit=100.0),  # DQR 4
    }
    out = dqr(items, ratings)
    assert out["perStage"]["RawMaterialExtraction"] == pytest.approx((30 * 2 + 10 * 4) / 40)  # 2.5
    assert out["perStage"]["MainProduction"] == pytest.approx(2.0)
    assert out["perStage"]["Distribution"] is None
    assert out["total"] == pytest.approx((30 * 2 + 10 * 4 + 60 * 2) / 100)  # 2.2
    assert out["level"] == "good"
    total = out["totalRating"]
    assert (total["TeR"], total["GeR"], total["TiR"], total["P"]) == pytest.approx(
        ((30 + 40 + 60) / 100, (60 + 40 + 120) / 100, (90 + 40 + 180) / 100, (60 + 40 + 120) / 100)
    )
    assert out["explicitPercent"] == pytest.approx(10.0)  # y carries 10 of the 100 rated kg
    assert out["inheritedFrom"] == {"greet-average": pytest.approx(90.0)}
    assert out["coveragePercent"] == pytest.approx(100 * 100 / 105)
    assert out["notRated"] == ["d"]
    assert out["perStageRating"]["RawMaterialExtraction"]["coveragePercent"] == pytest.approx(100.0)
    assert not dqr(items, {})["available"] and dqr(items, {})["status"].startswith("not available")


def test_the_dqr_rule_says_what_pef_weights_by_and_what_the_package_weights_by():
    """PEF Annex I §4.6.5 (Rec. (EU) 2021/2279; sentence extraction lines 1851-1852): the study's TeR, TiR,
    GeR and P are each computed separately, weighting the most-relevant processes by their share of the
    single overall score (Equation 20). The rule text in the declaration said only "contribution-weighted",
    so a verifier could not tell that the passport weights by |kg CO2-eq| (climate change alone; it has no
    single overall score)."""
    rule = dqr([li("a", "MainProduction", None, "modelled", 1.0, ["x"])], {"x": rated(1, 1, 1, 1)})["rule"]
    pef, package = rule.split(";", 1)
    assert "single overall score" in pef and "Equation 20" in pef and "separately" in pef
    assert "kg CO2-eq" in package and "single overall score" in package and "every contributing dataset" in package


@pytest.fixture(scope="module")
def hand():
    return assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules(NEW), hand_data())


def test_hand_declaration_reports_all_checks(hand):
    c = hand.calculation["compliance"]
    assert c["companySpecificData"]["status"] == "NON-COMPLIANT"  # modelled CAM production
    assert hand.calculation["complianceWarnings"][0].startswith(NON_COMPLIANCE)
    # the auxiliary lead battery (5 kg) has no footprint entry: 5 / 20 kg = 25 % > 3 %
    assert c["cutOff"]["excludedMassPercent"] == pytest.approx(25.0) and not c["cutOff"]["pass"]
    assert c["dqr"]["available"] is False
    assert c["verification"]["notifiedBody"] is None
    assert any(w.startswith("not verified") for w in hand.warnings)
    assert hand.to_table().startswith("!!!")


def test_verification_and_primary_data_fields():
    text = HAND + (
        "verification: {notified_body: NB Example, notified_body_number: '0000', certificate_id: CERT-1,\n"
        "  declaration_of_conformity_id: DoC-42, declaration_of_conformity_url: 'https://example.org/doc.pdf'}\n"
        "primary_data: {share_percent: 40, source: plant records}\n"
    )
    d = assemble(parse_battery_spec(text, "hand.yaml"), get_rules(NEW), hand_data())
    ver = d.calculation["compliance"]["verification"]
    assert ver["declarationOfConformityId"] == "DoC-42" and ver["certificateId"] == "CERT-1"
    assert not any(w.startswith("not verified") for w in d.warnings)
    assert d.calculation["compliance"]["companySpecificData"]["declaredPrimaryDataSharePercent"] == 40
    table = d.to_table()
    assert "declared primary-data share 40 %" in table and "EU declaration of conformity DoC-42" in table
    with pytest.raises(
        BatterySpecError, match="declaration_of_conformity_url 'doc.pdf' is not an absolute URI"
    ) as info:
        parse_battery_spec(text.replace("'https://example.org/doc.pdf'", "doc.pdf"), "hand.yaml")
    assert info.value.field == "verification.declaration_of_conformity_url" and "conformity" in (info.value.hint or "")
    with pytest.raises(BatterySpecError, match="outside 0-100"):
        parse_battery_spec(text.replace("share_percent: 40", "share_percent: 140"), "hand.yaml")


def test_dqr_from_quality_scores_in_the_model_data(hand):
    data = replace(hand_data(), quality={"graphite-x": rated(2, 2, 2, 2)})
    d = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules(NEW), data)
    dq = d.calculation["compliance"]["dqr"]
    assert dq["available"] and dq["total"] == pytest.approx(2.0)
    assert dq["perStage"]["MainProduction"] == pytest.approx(2.0)  # graphite is anode production (jrc: main)


@pytest.mark.slow
def test_example_declaration_shows_its_non_compliance(tmp_path):
    from click.testing import CliRunner

    from cathode_lca.cli.passport import passport

    result = CliRunner().invoke(passport, [str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    warnings = payload["calculation"]["complianceWarnings"]
    assert warnings and warnings[0].startswith(NON_COMPLIANCE) and "cathode active material" in warnings[0]
    assert "warning: NON-COMPLIANCE" in result.stderr
    table = CliRunner().invoke(passport, [str(EXAMPLE)]).stdout
    assert table.splitlines()[1].startswith("!! NON-COMPLIANCE")


# -- rule-set names ----------------------------------------------------------------------------------
def test_old_rule_set_name_is_a_deprecated_alias(hand):
    with pytest.warns(DeprecationWarning, match="deprecated"):
        old = get_rules("jrc-cfb-ev-2023")
    assert old is RULE_SETS[NEW] and "jrc-cfb-ev-2023" not in RULE_SETS
    described = old.describe()
    assert any("QSin/QP = QSout/QP = 1" in a for a in described["assumptions"])
    assert any("collection rate x material recovery yield" in a for a in described["assumptions"])
    assert hand.calculation["ruleSet"]["assumptions"] == described["assumptions"]
    assert RULE_SETS["cut-off"].describe()["assumptions"]


@pytest.mark.slow
def test_declare_with_the_old_name_says_so():
    with pytest.warns(DeprecationWarning):
        d = declare(EXAMPLE, rules="jrc-cfb-ev-2023")
    assert d.rules.id == NEW
    assert any("deprecated name" in w for w in d.calculation["warnings"])


# -- stage split per the Content Guidance ----------------------------------------------------------
def test_inbound_transport_is_raw_material_acquisition_in_both_mappings():
    from cathode_lca.passport.rules import RAW, map_stage

    assert map_stage("inbound-transport", "jrc") == RAW
    assert map_stage("inbound-transport", "regulation") == RAW


def test_aggregated_graphite_dataset_is_stated(hand):
    # the hand battery's anode uses dataset graphite-x (aggregated): the mining part cannot be split out
    assert any(w.startswith("graphite mining cannot be moved") for w in hand.warnings)
    text = HAND.replace(
        "        - {process: anode-active-material-production, per: kg, dataset: graphite-x, amount: 1, source: t}\n",
        "        - {process: anode-active-material-production, per: kg, dataset: graphite-x, amount: 1, source: t}\n"
        "        - {process: raw-material-extraction, per: kg, value: 0.5, source: graphite mine}\n",
    )
    d = assemble(parse_battery_spec(text, "hand.yaml"), get_rules(NEW), hand_data())
    mine = next(i for i in d.line_items if i.source == "graphite mine")
    assert mine.stage == "RawMaterialExtraction" and float(mine.value[0]) == pytest.approx(5 * 0.5)


def test_a_supplier_value_with_pedigree_scores_is_rated_by_hand():
    scored = "value: 3.0, source: t, quality: {reliability: 2, completeness: 1, temporal: 1, geographical: 2, technological: 3}"
    text = HAND.replace("value: 3.0, source: t", scored)
    d = assemble(parse_battery_spec(text, "hand.yaml"), get_rules(NEW), hand_data())
    q = d.calculation["compliance"]["dqr"]
    # the only rated item: cell production, 3.0 kg/kWh x 10 kWh; TeR 3, GeR 2, TiR 1, P 2 -> DQR 2.0
    assert q["available"] and q["total"] == pytest.approx(2.0)
    assert q["perStage"]["MainProduction"] == pytest.approx(2.0)
    assert q["explicitPercent"] == 100.0 and q["totalRating"]["ratedKgCO2e"] == pytest.approx(30.0)
    assert "supplied:1:0" not in q["notRated"] and "supplied:1:1" in q["notRated"]  # dismantling value unscored


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "value: 3.0, source: t",
            "value: 3.0, source: t, quality: {reliability: 6, completeness: 1, temporal: 1, "
            "geographical: 1, technological: 1}",
            "less than or equal to 5",
        ),
        (
            "dataset: graphite-x, amount: 1, source: t",
            "dataset: graphite-x, amount: 1, source: t, quality: "
            "{reliability: 1, completeness: 1, temporal: 1, geographical: 1, technological: 1}",
            "not to a dataset",
        ),
    ],
)
def test_bad_supplier_scores_are_refused(old, new, message):
    with pytest.raises(BatterySpecError, match=message) as exc:
        parse_battery_spec(HAND.replace(old, new), "hand.yaml")
    assert "quality" in (exc.value.field or "")
