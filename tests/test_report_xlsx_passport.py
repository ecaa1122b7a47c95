"""The passport workbook says which battery and which functional unit its numbers are for."""

from __future__ import annotations

import io
import json

import pytest
from test_passport_declaration import HAND, hand_data

from cathode_lca.passport import assemble, get_rules, parse_battery_spec


def test_passport_workbook_names_the_battery_and_the_functional_unit():
    pytest.importorskip("openpyxl")
    import pandas as pd

    from cathode_lca.report.xlsx import metadata_from_frame, passport_sheets, workbook_bytes

    declaration = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    book = pd.read_excel(io.BytesIO(workbook_bytes(passport_sheets(declaration))), sheet_name=None)
    meta = metadata_from_frame(book["metadata"])
    battery = json.loads(meta["battery"])
    assert battery["model"] == "hand" and battery["chemistry"] == "NCA"
    unit = json.loads(meta["functionalUnit"])
    # 10 kWh x 60 cycles/year (M1) x 10 years, by hand
    assert unit["totalEnergyKWh"] == pytest.approx(6000.0)
    assert "per kWh of total energy over the service life" in unit["unit"]
    assert meta["carbonFootprintPerformanceClass"] == "not yet defined"
    # the per-kWh column is the absolute column over E_total, row by row
    res = book["results"].set_index("stage")
    for stage, row in res.iterrows():
        assert row["kg CO2-eq/kWh"] == pytest.approx(row["kg CO2-eq"] / 6000.0, rel=1e-12), stage


def test_passport_workbook_parameters_carry_their_units():
    # before: the parameters sheet listed e_v 19.96, lhv, A 0.2 ... in one 'value' column without a unit
    # (the JSON keeps it only in the group name emissionsKgCO2ePerKg)
    pytest.importorskip("openpyxl")
    import pandas as pd

    from cathode_lca.report.xlsx import passport_sheets, workbook_bytes

    declaration = assemble(parse_battery_spec(HAND, "hand.yaml"), get_rules("cff-jrc-a0.2-bp-r2"), hand_data())
    params = pd.read_excel(io.BytesIO(workbook_bytes(passport_sheets(declaration))), sheet_name="parameters")
    unit = {(r.material, r.parameter): r.unit for r in params.itertuples()}
    assert unit["Ni", "A"] == "fraction" and unit["Ni", "qsout_qp"] == "fraction"
    assert unit["Ni", "e_v"] == "kg CO2-eq per kg Ni" and unit["Co", "e_recycling_eol"] == "kg CO2-eq per kg Co"
    # the energy term EER - LHV·XER·ESE is in kg CO2-eq per kg only with these units
    assert unit["Ni", "lhv"] == "MJ per kg Ni" and unit["Ni", "e_se_heat"] == "kg CO2-eq per MJ"
    assert unit["Ni", "x_er_elec"] == "fraction"
    assert params.unit.notna().all()
