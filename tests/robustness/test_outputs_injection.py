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


def test_csv_cells_that_start_like_a_formula_get_a_quote():
    import csv

    import pandas as pd

    from cathode_lca.cli.output import csv_cell, format_csv, frame_csv

    for text in HOSTILE:
        assert csv_cell(text) == "'" + text
    for plain in ("virgin", "-0.5", "+1e3", "", "kg CO2-eq"):
        assert csv_cell(plain) == plain  # numbers written as text and ordinary words are untouched
    assert csv_cell(-2.5) == -2.5
    one_line = [t for t in HOSTILE if "\r" not in t]
    rows = [{"scenario": text, "value": -1.5} for text in one_line]
    for text_csv in (format_csv(rows, ["scenario", "value"]), frame_csv(pd.DataFrame(rows))):
        back = list(csv.DictReader(io.StringIO(text_csv, newline="")))
        assert [r["scenario"] for r in back] == ["'" + t for t in one_line]
        assert {r["value"] for r in back} == {"-1.5"}


@pytest.mark.slow
def test_compare_csv_with_a_hostile_scenario_name(tmp_path):
    import csv
    from pathlib import Path

    from click.testing import CliRunner

    from cathode_lca.cli import cli

    root = Path(__file__).resolve().parents[2]
    text = (root / "examples/plants/eu-hydro-recycler.yaml").read_text(encoding="utf-8")
    assert "\nname: eu-hydro-recycler\n" in text
    name = "=cmd|' /C calc'!A0 <script>"
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(text.replace("\nname: eu-hydro-recycler\n", f'\nname: "{name}"\n'), encoding="utf-8")
    out = tmp_path / "c.csv"
    args = ["compare", "NMC811", "--scenario", str(scenario), "--indicator", "gwp100", "--format", "csv"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and {r["scenario"] for r in rows} == {"'" + name}


def test_csv_a_carriage_return_in_a_name_does_not_split_the_row():
    # with "\n" line ends the csv module left a lone CR unquoted: "a\rb" came back as two rows
    import csv

    import pandas as pd

    from cathode_lca.cli.output import format_csv, frame_csv

    rows = [{"scenario": "plant\rA", "value": -1.5}, {"scenario": "\r=1+1", "value": 2.0}]
    for text_csv in (format_csv(rows, ["scenario", "value"]), frame_csv(pd.DataFrame(rows))):
        back = list(csv.DictReader(io.StringIO(text_csv, newline="")))
        assert [r["scenario"] for r in back] == ["plant\rA", "'\r=1+1"]
        assert [float(r["value"]) for r in back] == [-1.5, 2.0]
    assert format_csv([{"a": "x", "b": 1.0}], ["a", "b"]) == "a,b\nx,1.0"  # ordinary text: unquoted as before


def test_xlsx_refuses_text_longer_than_an_excel_cell_instead_of_cutting_it():
    # before: openpyxl cut a 40,000-character scenario name to 32,767 characters in every row of the
    # results and contributions sheets, with only a Python UserWarning on stderr
    pytest.importorskip("openpyxl")
    import pandas as pd

    from cathode_lca.errors import UsageError
    from cathode_lca.report.xlsx import metadata_frame, workbook_bytes

    long = "L" * 40_000
    with pytest.raises(UsageError, match=r"sheet 'results', column 'scenario', row 3: 40,000 characters"):
        workbook_bytes({"results": pd.DataFrame({"scenario": ["short", long], "value": [1.0, 2.0]})})
    exact = "x" * 32_767  # the largest cell Excel holds is still written whole
    data = workbook_bytes({"results": pd.DataFrame({"scenario": [exact]}), "metadata": metadata_frame({"n": long})})
    back = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert back["results"].scenario.tolist() == [exact]
    assert "".join(back["metadata"].value) == long  # metadata: split over rows, nothing cut


def test_result_csv_rows_carry_version_and_inventory_hash():
    # a CSV file travels without the JSON's metadata: before, its rows did not say which package
    # version and which inventories (hash) made the numbers
    import csv

    import pandas as pd

    from cathode_lca.cli.output import frame_csv

    attrs = {"package_version": "0.1.0", "inventory_hash": "ab" * 32, "seed": 3}
    text = frame_csv(pd.DataFrame({"route": ["virgin"], "value": [1.5]}), attrs)
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row == {"route": "virgin", "value": "1.5", "package_version": "0.1.0", "inventory_hash": "ab" * 32}
    assert frame_csv(pd.DataFrame({"route": ["virgin"]})) == "route\nvirgin"  # no attrs: the frame only


def test_monte_carlo_and_sweep_csv_rows_name_the_functional_unit_code():
    """The CSV's functional_unit_code column was blank for uncertainty (and sweep) results: their attrs
    lacked the --unit code that compare's carry, so a row did not say which unit it was per."""
    import csv

    from click.testing import CliRunner

    from cathode_lca.cli import cli

    common = ["--unit", "kg-metal:Ni", "--indicator", "gwp100", "--format", "csv"]
    runs = {
        "uncertainty": ["uncertainty", "NMC811", "--route", "virgin", "--samples", "20", "--seed", "1", *common],
        "sweep": ["sweep", "NMC811", "--route", "virgin", "--grid", "hydro_recovery_ni=0.9,0.95", *common],
    }
    for name, args in runs.items():
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert rows and {r["functional_unit_code"] for r in rows} == {"kg-metal:Ni"}, name
        assert {r["functional_unit"] for r in rows} == {"1 kg Ni contained in battery-grade nickel sulfate"}, name
