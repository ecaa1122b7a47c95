"""Names a user controls (scenario, plant, battery, component names) in CSV, Excel, terminal and HTML outputs.

A spreadsheet evaluates a cell that starts with ``=`` (and, when the text is typed or imported, ``+``,
``-``, ``@``, tab or CR) as a formula: a scenario named ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0``
must reach the reader as text.
"""

from __future__ import annotations

import io

import pytest

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def test_xlsx_never_stores_a_user_string_as_a_formula():
    openpyxl = pytest.importorskip("openpyxl")
    import pandas as pd

    from cathode_lca.report.xlsx import workbook_bytes

    frame = pd.DataFrame({"scenario": [*HOSTILE, "plain"], "value": [float(i) - 3.5 for i in range(len(HOSTILE) + 1)]})
    data = workbook_bytes({"results": frame})
    ws = openpyxl.load_workbook(io.BytesIO(data))["results"]
    cells = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    for text in HOSTILE:
        name_cell, value_cell = cells[text]  # the text comes back exactly, not as a formula's result
        assert name_cell.data_type == "s", (text, name_cell.data_type)
        assert name_cell.quotePrefix, text  # Excel keeps it text when the cell is edited
        assert value_cell.data_type == "n"  # numbers stay numbers, negative ones too
    assert not cells["plain"][0].quotePrefix
    back = pd.read_excel(io.BytesIO(data), sheet_name="results")
    assert back.scenario.tolist() == frame.scenario.tolist()
    assert back.value.tolist() == frame.value.tolist()
