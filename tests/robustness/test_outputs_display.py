"""Names a user controls are shown, never obeyed: control characters and bidi overrides in outputs.

A battery model named ``"X\\rY"`` used to rewrite the printed line in the terminal, an escape sequence
drove the terminal, and U+202E (right-to-left override) displayed the rest of the line reversed
("0.118" reads "811.0"): in the passport table, in warnings on stderr, in compare tables and in the
HTML report.
"""

from __future__ import annotations

import re

import pytest
from test_passport_declaration import HAND, hand_data  # the hand-solvable battery (fast, no model)

from cathode_lca.io import display_text
from cathode_lca.passport import assemble, get_rules, parse_battery_spec

#: characters that must never reach a reader raw: CR, ESC, BEL, NEL (C1), bidi override and isolate, LS
RAW = re.compile("[\r\x1b\x07\x85\u202e\u2066\u2028]")
EVIL_MODEL = "EVIL\\r\\e[2J\\a\\N\\u202e811.0\\u2066\\L"  # YAML escapes: CR ESC BEL NEL RLO LRI LS


def test_display_text_escapes_controls_and_bidi_but_keeps_every_script():
    assert display_text("a\rb\x1b[31m\u202e") == "a\\rb\\x1b[31m\\u202e"
    assert display_text("line\nforged") == "line\\nforged"
    for name in ("Usine Lyon-Saint-Exupéry", "東京工場", "مصنع", "Zürich\u00a0AG", "ZW\u200cNJ"):
        assert display_text(name) == name


@pytest.fixture(scope="module")
def evil_declaration():
    text = HAND.replace("model: hand", f'model: "{EVIL_MODEL}"').replace(
        '{location: "Test town"}', '{location: "Town\\r\\u202eX"}'
    )
    text = text.replace("- name: auxiliary lead battery\n", '- name: "lead\\u202e\\e[1m"\n')
    spec = parse_battery_spec(text, "evil.yaml")
    return assemble(spec, get_rules("cff-jrc-a0.2-bp-r2"), hand_data())


def test_passport_table_shows_names_escaped(evil_declaration):
    table = evil_declaration.to_table()
    assert not RAW.search(table)
    assert "EVIL\\r\\x1b[2J\\x07\\x85\\u202e811.0\\u2066\\u2028" in table
    assert "Town\\r\\u202eX" in table
    # the JSON keeps the exact names (json escapes them): only what is displayed is changed
    assert evil_declaration.calculation["battery"]["model"].startswith("EVIL\r\x1b[2J")


def test_passport_command_prints_names_escaped(evil_declaration, monkeypatch, capsys):
    import cathode_lca.passport.declaration as declaration_module
    from cathode_lca.cli.passport import run_passport

    assert any(RAW.search(w) for w in evil_declaration.warnings)  # a warning names the component raw
    monkeypatch.setattr(declaration_module, "declare", lambda *args, **kwargs: evil_declaration)
    text = run_passport("evil.yaml", fmt="table")
    err = capsys.readouterr().err
    assert "lead\\u202e\\x1b[1m" in err and "lead\\u202e\\x1b[1m" in text
    assert not RAW.search(err) and not RAW.search(text)


def test_terminal_tables_escape_text_cells():
    from cathode_lca.report.tables import render_table

    text = render_table([{"scenario": "A\r\u202eB", "value": 1.5}], ["scenario", "value"], width=120)
    assert not RAW.search(text) and "A\\r\\u202eB" in text


@pytest.fixture(scope="module")
def nmc811():
    from cathode_lca.comparison import compare

    return compare("NMC811", indicators=["gwp100"])


@pytest.mark.slow
def test_compare_table_header_shows_the_scenario_name_escaped(nmc811):
    # before: the header line 'region ..., scenario NAME, methods ...' printed the name raw
    import json

    from cathode_lca.report.tables import comparison_text

    ds = nmc811.copy()
    ds.attrs["scenarios"] = json.dumps([{"name": "ctl\r\x1b[2J\u202eX", "parameters": 1, "sha256": "0" * 64}])
    text = comparison_text(ds, width=120)
    assert not RAW.search(text) and "scenario ctl\\r\\x1b[2J\\u202eX, methods" in text


@pytest.mark.slow
def test_html_report_shows_names_escaped(evil_declaration, nmc811):
    import json

    from cathode_lca.report.html import report_html

    ds = nmc811.copy()
    ds.attrs["warnings"] = json.dumps(["plant \u202e0.118 \x1b[2J <b>x</b>"])
    text = report_html(ds, declaration=evil_declaration, title="Report \u202eA")
    assert not RAW.search(text)
    assert "EVIL\\r\\x1b[2J" in text and "Report \\u202eA" in text
    assert "plant \\u202e0.118 \\x1b[2J &lt;b&gt;x&lt;/b&gt;" in text


def test_chart_title_shows_a_name_with_dollars_as_typed():
    # before: matplotlib parsed "$...$" in the battery model as mathtext: a ValueError traceback for
    # "$\frac{1 $", italics for "$5 $10"; a CR was a missing glyph
    pytest.importorskip("matplotlib")
    from cathode_lca.report.plots import figure_bytes, passport_stages

    text = HAND.replace("model: hand", 'model: "Pack $\\\\frac{1 $ and $5 $10\\r"')
    declaration = assemble(parse_battery_spec(text, "dollar.yaml"), get_rules("cut-off"), hand_data())
    svg = figure_bytes(passport_stages(declaration), "svg").decode("utf-8")
    assert "Pack $\\frac{1 $ and $5 $10\\r" in svg


def test_passport_table_says_what_each_column_is(evil_declaration):
    # the CFF table's title said "kg CO2-eq per battery" above a "kg" column that holds the element's
    # mass in kg: a reader took 61.6 kg of nickel for 61.6 kg CO2-eq
    table = evil_declaration.to_table()
    head = table[table.index("CFF per material") :].splitlines()
    assert head[0] == "CFF per material (element mass in kg; CFF terms in kg CO2-eq per battery):"
    assert head[1].split()[:3] == ["material", "element", "kg"]


def test_passport_tables_never_print_nan():
    from cathode_lca.passport.report import _table

    text = _table(
        [{"stage": "total", "share %": float("nan")}, {"stage": "x", "share %": float("inf")}], ["stage", "share %"]
    )
    assert "nan" not in text and "inf" not in text and text.count("n/a") == 2


def test_a_result_stdout_cannot_encode_is_a_clean_error(monkeypatch):
    # before: 'passport b.yaml --format json' with a battery called 東京 on a latin-1 terminal ended in a
    # UnicodeEncodeError traceback
    import io
    import sys

    from cathode_lca.cli.output import emit
    from cathode_lca.errors import OutputError

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="latin-1"))
    emit("Zürich", None, False)  # latin-1 can show this one
    with pytest.raises(OutputError, match=r"standard output \(latin-1\) cannot show '\\u6771\\u4eac'") as info:
        emit("plant 東京", None, False)
    assert "--out" in info.value.hint
    sys.stdout.flush()
    assert raw.getvalue() == "Zürich\n".encode("latin-1")  # nothing of the failed result was printed


@pytest.mark.slow
def test_a_scenario_name_with_control_characters_is_refused_and_quoted_escaped(tmp_path, capsys):
    """Such a name would reach every result's provenance line: the scenario file is refused (exit 2),
    and the error that quotes the name shows it escaped, never raw to the terminal."""
    from pathlib import Path

    from cathode_lca.cli import main

    root = Path(__file__).resolve().parents[2]
    text = (root / "examples/plants/eu-hydro-recycler.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "ctl.yaml"
    scenario.write_text(
        text.replace("\nname: eu-hydro-recycler\n", '\nname: "ctl\\r\\e[2J\\u202eX"\n'), encoding="utf-8"
    )
    with pytest.raises(SystemExit) as info:
        main(["compute", "sulfuric-acid-greet2022", "--scenario", str(scenario), "--indicator", "gwp100"])
    captured = capsys.readouterr()
    assert info.value.code == 2 and captured.out == ""
    assert "ctl\\r\\x1b[2J\\u202eX" in captured.err and "must be one line of printable text" in captured.err
    assert not RAW.search(captured.err)


def test_error_messages_show_what_the_user_typed_escaped(capsys):
    """An error quotes the user's text; an escape sequence in it must not drive the terminal (retitle it,
    clear it) and a bidi override must not reorder the message."""
    from cathode_lca.cli import main

    with pytest.raises(SystemExit) as info:
        main(["compare", "NMC\x1b]0;owned\x07\u202e118"])  # an unknown chemistry: the error quotes it
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "\x1b" not in err and "\u202e" not in err and "\x07" not in err
    assert "\\x1b" in err and err.startswith("Error: ")  # shown, not dropped: the user sees what was read
