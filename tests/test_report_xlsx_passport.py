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
