"""A hostile user's pass over the PACT and openLCA writers: every refusal exits 2, writes nothing, no traceback.

Each case here once produced a file a schema validator, a PACT host or openLCA would reject, or
replaced a file the user needed (the commit that fixed it says what the user saw).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cathode_lca.cli import main
from cathode_lca.errors import UsageError
from cathode_lca.exchange.pact import product_footprint

NISO4 = "nickel-sulfate-greet2022"
COMPANY = ["--pact-company", "ACME"]
CPC = ["--pact-cpc", "34240"]
PERIOD = ["--pact-period", "2023"]


def refused(args, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    return err


def succeeds(args) -> None:
    try:
        main(args)
    except SystemExit as info:
        assert info.code in (0, None)


def scenario_file(tmp_path, body: str = "parameters: {}\n"):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"format: cathode-lca-scenario/1\nname: mine\n{body}")
    return path


# --- outputs onto the command's own inputs -------------------------------------------------------


def test_pact_never_replaces_the_scenario_file_it_was_computed_from(tmp_path, capsys):
    scenario = scenario_file(tmp_path)
    before = scenario.read_text()
    args = ["compute", NISO4, "--scenario", str(scenario), "--pact", str(scenario), "--overwrite"]
    err = refused([*args, *COMPANY, *CPC, *PERIOD], capsys)
    assert "--scenario" in err and "input" in err
    assert scenario.read_text() == before


def _supplier_and_scenario(tmp_path):
    """A supplier PACT footprint for NiSO4 and a scenario file that stands it in."""
    supplier = tmp_path / "supplier.json"
    fp = product_footprint(
        7.0, company="S", cpc="34240", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z"
    )
    supplier.write_text(json.dumps(fp))
    return supplier, scenario_file(tmp_path, f"datasets:\n  {NISO4}:\n    pact: {supplier.name}\n")


def test_pact_never_replaces_the_supplier_footprint_it_was_computed_from(tmp_path, capsys):
    supplier, scenario = _supplier_and_scenario(tmp_path)
    before = supplier.read_text()
    args = ["compute", NISO4, "--scenario", str(scenario), "--pact", str(supplier), "--overwrite"]
    err = refused([*args, *COMPANY, *CPC, *PERIOD], capsys)
    assert "supplier" in err.lower() and supplier.name in err
    assert supplier.read_text() == before


def test_passport_pact_never_replaces_the_supplier_footprint_it_was_computed_from(tmp_path, capsys):
    from pathlib import Path

    battery = Path(__file__).resolve().parent.parent / "examples" / "battery-nmc811.yaml"
    supplier, scenario = _supplier_and_scenario(tmp_path)
    before = supplier.read_text()
    args = ["passport", str(battery), "--scenario", str(scenario), "--pact", str(supplier), "--overwrite"]
    err = refused([*args, *COMPANY, "--pact-cpc", "46420", "--pact-period", "2024"], capsys)
    assert "supplier" in err.lower() and supplier.name in err
    assert supplier.read_text() == before


def test_olca_never_replaces_the_scenario_file_it_was_computed_from(tmp_path, capsys):
    scenario = scenario_file(tmp_path)
    before = scenario.read_text()
    err = refused(["exchange", "olca", "--scenario", str(scenario), "--out", str(scenario), "--overwrite"], capsys)
    assert "--scenario" in err and "input" in err
    assert scenario.read_text() == before


# --- the reference period and the creation time ----------------------------------------------------


def _next_year() -> int:
    return datetime.now(tz=UTC).year + 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--pact-period", str(_next_year() + 3)], "has not ended"),  # wholly in the future
        (["--pact-period", f"2023-{_next_year()}"], "has not ended"),  # ends after today
        (["--pact-period", "2023", "--pact-created", "2021-06-01T00:00:00Z"], "has not ended"),  # before its data
        (["--pact-period", "2023", "--pact-created", f"{_next_year() + 1}-01-01T00:00:00Z"], "in the future"),
    ],
)
def test_a_period_or_creation_time_that_cannot_be_true_is_refused(tmp_path, capsys, options, message):
    out = tmp_path / "pcf.json"
    err = refused(["compute", NISO4, "--pact", str(out), *COMPANY, *CPC, *options], capsys)
    assert message in err and "--pact-" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "created",
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+01:00",
        "2026-13-01T00:00:00Z",
        "yesterday",
        "0999-06-01T00:00:00Z",
    ],
)
def test_a_creation_time_out_of_range_is_a_user_error_not_a_traceback(tmp_path, capsys, created):
    out = tmp_path / "pcf.json"
    err = refused(["compute", NISO4, "--pact", str(out), *COMPANY, *CPC, *PERIOD, "--pact-created", created], capsys)
    assert ("--pact-created" in err or "creation time" in err) and not out.exists()


def test_a_source_date_epoch_in_the_future_is_named_as_such(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4102444800")  # 2100-01-01
    err = refused(["compute", NISO4, "--pact", str(tmp_path / "p.json"), *COMPANY, *CPC, *PERIOD], capsys)
    assert "SOURCE_DATE_EPOCH" in err and "future" in err and "--pact-created" not in err


@pytest.mark.parametrize("epoch", ["99999999999999", "-99999999999999"])
def test_a_source_date_epoch_out_of_range_is_a_user_error_not_a_traceback(tmp_path, capsys, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "pcf.json"
    err = refused(["compute", NISO4, "--pact", str(out), *COMPANY, *CPC, *PERIOD], capsys)
    assert "SOURCE_DATE_EPOCH" in err and not out.exists()


# --- text fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("company", "shown"),
    [
        ("ACME\nRefining", "U+000A"),  # a newline: a second line in every host's table
        ("ACME\x1b[2J", "U+001B"),  # a terminal escape
        ("ACME\u202egninifeR", "U+202E"),  # a bidi override: the name reads reversed in the customer's UI
        ("ACME\udcff", "U+DCFF"),  # undecodable bytes in argv: a lone surrogate, invalid in strict JSON
    ],
)
def test_a_company_name_with_control_characters_is_refused(tmp_path, capsys, company, shown):
    out = tmp_path / "pcf.json"
    err = refused(["compute", NISO4, "--pact", str(out), "--pact-company", company, *CPC, *PERIOD], capsys)
    assert "--pact-company" in err and shown in err
    assert not out.exists()


def test_quotes_and_non_ascii_in_a_company_name_are_kept_exactly(tmp_path):
    out = tmp_path / "pcf.json"
    name = 'Société "Nickel" d\'Été, 株式会社'
    succeeds(["compute", NISO4, "--pact", str(out), "--pact-company", name, *CPC, *PERIOD, "--format", "json"])
    assert json.loads(out.read_text(encoding="utf-8"))["companyName"] == name


def test_the_library_refuses_the_same_text_the_cli_refuses():
    args = dict(company="A", cpc="34240", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    with pytest.raises(UsageError, match="productNameCompany"):
        product_footprint(1.0, **{**args, "product": "cell\nmodel"})  # e.g. a battery file's model name
    with pytest.raises(UsageError, match="companyName"):
        product_footprint(1.0, **{**args, "company": "A\u2066B"})


# --- company and product identifiers ------------------------------------------------------------


@pytest.mark.parametrize(
    "urn",
    [
        "urn:lei:5299 00ABCDEF",  # a space
        "lei:529900ABCDEF",  # not a URN
        "urn:-bad:x",  # a namespace id starts with a letter or digit
        "urn:lei:",  # an empty namespace-specific string
        "urn:lei:x\ny",  # a line break
    ],
)
def test_an_identifier_that_is_not_a_urn_is_refused(tmp_path, capsys, urn):
    out = tmp_path / "pcf.json"
    args = ["compute", NISO4, "--pact", str(out), *COMPANY, *CPC, *PERIOD, "--pact-company-id", urn]
    err = refused(args, capsys)
    assert "--pact-company-id" in err and "URN" in err
    assert not out.exists()


# --- the product category


@pytest.mark.parametrize("cpc", ["abc", "34 240", "342401", "34240\n", "-1", "٣٤٢٩٠"])
def test_a_cpc_that_is_not_a_un_cpc_code_is_refused(tmp_path, capsys, cpc):
    out = tmp_path / "pcf.json"
    err = refused(["compute", NISO4, "--pact", str(out), *COMPANY, "--pact-cpc", cpc, *PERIOD], capsys)
    assert "--pact-cpc" in err and "CPC" in err
    assert not out.exists()


def test_the_library_refuses_a_cpc_that_is_not_a_code():
    with pytest.raises(UsageError, match="productCategoryCpc"):
        product_footprint(1.0, company="A", cpc="12a", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")


def test_the_library_refuses_a_period_that_ends_after_the_footprint_was_created():
    with pytest.raises(UsageError, match="referencePeriodEnd"):
        product_footprint(1.0, company="A", cpc="1", product="p", period=(2023, 2026), created="2026-01-01T00:00:00Z")


# --- openLCA ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_amount_that_overflows_in_unit_conversion_never_reaches_the_zip(tmp_path, capsys):
    """1e306 t converted into the flow's kg is inf: the zip held 'amount: Infinity', which is not JSON
    and which openLCA refuses to import."""
    extra = tmp_path / "hostile.yaml"
    extra.write_text(
        "format: cathode-lca/1\ndatasets:\n  - id: hostile-huge\n    name: huge\n    stage: chemicals\n"
        "    element_balance: {skip: test}\n    exchanges:\n"
        f"      - {{input: {NISO4}, amount: 1e306, unit: t, source: test}}\n"
    )
    out = tmp_path / "o.zip"
    err = refused(["exchange", "olca", "--inventory", str(extra), "--out", str(out)], capsys)
    assert "hostile-huge" in err and NISO4 in err and "finite" in err
    assert not out.exists()


@pytest.mark.parametrize("urn", ["urn:lei:5299 00", "lei:5299", "urn:x:y"])  # urn:x: a NID has 2 to 32 characters
def test_the_shipped_schema_refuses_what_is_not_a_urn(urn):
    import jsonschema

    from cathode_lca.exchange.pact import SCHEMA_FILE

    fp = product_footprint(1.0, company="A", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validate(fp, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**fp, "companyIds": [urn]}, schema)


def test_a_supplier_footprint_cannot_write_escape_sequences_to_the_terminal(tmp_path, capsys):
    """exchange olca printed the stand-in warning raw: a supplier file whose companyName held
    ESC [2J cleared the user's terminal (compare and compute already escaped their warnings)."""
    supplier = tmp_path / "supplier.json"
    fp = product_footprint(
        7.0, company="S", cpc="34240", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z"
    )
    supplier.write_text(json.dumps({**fp, "companyName": "S\x1b[2J\u202eevil"}))
    scenario = scenario_file(tmp_path, f"datasets:\n  {NISO4}:\n    pact: {supplier.name}\n")
    succeeds(["exchange", "olca", "--scenario", str(scenario), "--out", str(tmp_path / "o.zip")])
    err = capsys.readouterr().err
    assert "warning:" in err and "\x1b" not in err and "\u202e" not in err


def test_a_footprint_expired_when_it_is_written_is_said(tmp_path, capsys):
    """PACT: without a validity period a footprint is valid for 3 years from referencePeriodEnd; a
    --pact-period 2020 footprint created in 2026 was never valid for a customer to use, silently."""
    out = tmp_path / "pcf.json"
    args = ["compute", NISO4, "--indicator", "gwp100", "--pact", str(out), *COMPANY, *CPC]
    succeeds([*args, "--pact-period", "2020", "--pact-created", "2026-01-02T00:00:00Z"])
    assert "validity ended 2024-01-01" in capsys.readouterr().err and out.exists()
    out.unlink()
    succeeds([*args, "--pact-period", "2023", "--pact-created", "2026-01-02T00:00:00Z"])
    assert "validity" not in capsys.readouterr().err


def test_a_negative_zero_share_is_written_as_zero():
    """--pact-primary-share -0.0 passed the 0-100 check and was written as '-0.0'."""
    fp = product_footprint(
        1.0, company="A", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z",
        primary_data_share=-0.0,
    )  # fmt: skip
    assert '"primaryDataShare": 0.0' in json.dumps(fp)


def test_a_route_that_does_not_make_the_product_writes_no_footprint(tmp_path, capsys):
    """The pyrometallurgical route recovers no lithium carbonate: its value is not a number."""
    out = tmp_path / "li.json"
    args = ["compare", "NCA", "--unit", "kg-salt:lithium-carbonate", "--allocation", "mass", "--indicator", "gwp100"]
    err = refused([*args, "--pact", str(out), "--pact-route", "pyrometallurgical", *COMPANY, *CPC, *PERIOD], capsys)
    assert "no lithium carbonate from the pyrometallurgical route" in err and not out.exists()


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["compute", NISO4], "--out"),
        (["compare", "NMC811", "--route", "virgin"], "--out"),
    ],
)
def test_out_never_replaces_the_scenario_file_it_was_computed_from(tmp_path, capsys, command, flag):
    """compare/compute --out s.yaml --overwrite replaced the scenario file with the JSON result (found
    in this pass; the same helper as --pact guards them)."""
    scenario = scenario_file(tmp_path)
    before = scenario.read_text()
    err = refused(
        [*command, "--scenario", str(scenario), flag, str(scenario), "--overwrite", "--format", "json"], capsys
    )
    assert "--scenario" in err and "input" in err
    assert scenario.read_text() == before
