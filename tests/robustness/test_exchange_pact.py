"""A hostile user's PACT files: every defect is a clear error (file, field, hint), exit 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.errors import CathodeLCAError
from cathode_lca.exchange.pact import parse_footprint, product_footprint, read_footprint

NISO4 = "nickel-sulfate-greet2022"


def footprint(**pcf: Any) -> dict[str, Any]:
    fp = product_footprint(2.5, company="S", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    fp["pcf"].update(pcf)
    return fp


def write(tmp_path: Path, data: Any, name: str = "supplier.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


def scenario(tmp_path: Path, pcf: Path, dataset: str = NISO4) -> Path:
    path = tmp_path / "supplier.yaml"
    path.write_text(
        f"format: cathode-lca-scenario/1\nname: supplier-nis\ndatasets:\n  {dataset}:\n    pact: {pcf.name}\n"
    )
    return path


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    return int(info.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (footprint(dqi=[1, 2]), "pcf.dqi"),
        (footprint(dqi="good"), "pcf.dqi"),
        (footprint(ipccCharacterizationFactorsSources=5), "pcf.ipccCharacterizationFactorsSources"),
        (footprint(ipccCharacterizationFactorsSources=[["AR6"]]), "pcf.ipccCharacterizationFactorsSources"),
        (footprint(declaredUnit="liter", productMassPerDeclaredUnit="0"), "pcf.productMassPerDeclaredUnit"),
        (footprint(declaredUnit="liter", productMassPerDeclaredUnit="-2"), "pcf.productMassPerDeclaredUnit"),
        (json.dumps(footprint()).replace('"primaryDataShare": 0.0', '"primaryDataShare": NaN').encode(), "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (("{" + '"a":{' * 60_000 + "}" * 60_001).encode(), "nested"),
    ],
)
def test_malformed_files_are_user_errors_not_crashes(tmp_path, raw, field):
    path = write(tmp_path, raw)
    with pytest.raises(CathodeLCAError) as info:
        read_footprint(path)
    assert str(path) in str(info.value) and field in str(info.value)


@pytest.mark.slow
def test_a_crashing_file_in_a_scenario_exits_2_without_traceback(tmp_path, capsys):
    pcf = write(tmp_path, footprint(dqi=[1, 2]))
    code, err = run_main(["compute", NISO4, "--scenario", str(scenario(tmp_path, pcf))], capsys)
    assert code == 2 and "Traceback" not in err and "pcf.dqi" in err


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "bulk.json"
    with path.open("wb") as f:
        f.truncate(17 * 2**20)  # sparse: costs no disk
    with pytest.raises(CathodeLCAError, match="too large"):
        read_footprint(path)


def test_the_footprint_is_per_declared_unit_whatever_the_unitary_product_amount():
    # PACT 2.3: pCfExcludingBiogenic is kg CO2e per declared unit; unitaryProductAmount is how many
    # declared units one product holds (a 10 kg bag), so it must not divide the value
    assert parse_footprint(footprint(unitaryProductAmount="10"), "s.json").gwp == 2.5
    litre = footprint(declaredUnit="liter", unitaryProductAmount="10", productMassPerDeclaredUnit="2")
    read = parse_footprint(litre, "s.json")
    assert (read.gwp, read.unit) == (2.5 / 2, "kg")  # 2.5 kg CO2e per L / 2 kg per L
    kwh = footprint(declaredUnit="kilowatt hour", unitaryProductAmount="1234.5")
    kwh["pcf"].pop("productMassPerDeclaredUnit")
    read = parse_footprint(kwh, "s.json")
    assert (read.gwp, read.unit) == (2.5, "kWh")  # the passport's own per-kWh export reads back unchanged


def test_a_duplicate_key_is_refused_not_silently_last_wins(tmp_path):
    text = json.dumps(footprint()).replace(
        '"pCfExcludingBiogenic": "2.5"', '"pCfExcludingBiogenic": "2.5", "pCfExcludingBiogenic": "0.1"'
    )
    path = write(tmp_path, text.encode())
    with pytest.raises(CathodeLCAError, match="duplicate key 'pCfExcludingBiogenic'") as info:
        read_footprint(path)
    assert str(path) in str(info.value)


def test_a_utf8_bom_is_accepted_as_json_allows(tmp_path):
    plain = read_footprint(write(tmp_path, footprint(), "plain.json"))
    bom = read_footprint(write(tmp_path, b"\xef\xbb\xbf" + json.dumps(footprint()).encode(), "bom.json"))
    assert (bom.gwp, bom.unit, bom.id) == (plain.gwp, plain.unit, plain.id) == (2.5, "kg", plain.id)


@pytest.mark.parametrize("content", [None, b"{", footprint(pCfExcludingBiogenic="-1")])
def test_a_bad_stand_in_file_names_the_scenario_line_and_the_dataset(tmp_path, capsys, content):
    pcf = tmp_path / "supplier.json"
    if content is not None:
        write(tmp_path, content)
    sc = scenario(tmp_path, pcf)
    code, err = run_main(["compute", NISO4, "--scenario", str(sc)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{sc}:4" in err and f"dataset '{NISO4}'" in err and str(pcf) in err  # the path resolved beside sc


def _top(**top: Any) -> dict[str, Any]:
    fp = footprint()
    fp.update(top)
    return fp


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (footprint(primaryDataShare=True), "pcf.primaryDataShare"),  # JSON true is not 1 %
        (footprint(dqi={"technologicalDQR": 7}), "pcf.dqi.technologicalDQR"),  # PACT rates 1 to 3
        (footprint(dqi={"reliabilityDQR": 0.5}), "pcf.dqi.reliabilityDQR"),
        (footprint(dqi={"coveragePercent": 120}), "pcf.dqi.coveragePercent"),
        (footprint(dqi={"temporalDQR": True}), "pcf.dqi.temporalDQR"),
        (footprint(dqi={"temporalDQR": "NaN"}), "pcf.dqi.temporalDQR"),
        (footprint(pCfExcludingBiogenic="\u0661.\u0665"), "pcf.pCfExcludingBiogenic"),  # Arabic-Indic 1.5
        (_top(companyName={"a": 1}), "companyName"),
        (_top(productNameCompany="  "), "productNameCompany"),
        (_top(status="Deprecated"), "status"),
    ],
)
def test_values_a_reader_must_not_guess_are_refused(data, field):
    with pytest.raises(CathodeLCAError) as info:
        parse_footprint(data, "s.json")
    assert f"field '{field}'" in str(info.value) and "s.json" in str(info.value)


def test_a_complete_dqi_on_the_pact_scale_is_carried():
    dqi = {"coveragePercent": 80, "technologicalDQR": 1.6, "temporalDQR": 2, "geographicalDQR": 3}
    assert parse_footprint(footprint(dqi=dqi), "s.json").dqi == {k: float(v) for k, v in dqi.items()}


PACT_ARGS = ["--pact-company", "ACME", "--pact-cpc", "34240", "--pact-period", "2023"]


@pytest.mark.parametrize("command", [["compute", NISO4], ["compare", "NMC811", "--indicator", "gwp100"]])
def test_pact_and_out_on_the_same_path_fail_before_anything_is_written(tmp_path, capsys, command):
    same = tmp_path / "same.json"
    for extra in ([], ["--overwrite"]):
        code, err = run_main(
            [*command, "--format", "json", "--out", str(same), "--pact", str(same), *PACT_ARGS, *extra], capsys
        )
        assert code == 2 and "--pact" in err and "--out" in err and "Traceback" not in err
        assert not same.exists()  # neither the result nor the footprint


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (["--pact-company", "ACME"], "--pact-company"),
        (["--pact-period", "2023"], "--pact-period"),
        (["--pact-primary-share", "40"], "--pact-primary-share"),
    ],
)
def test_pact_options_without_pact_are_not_silently_ignored(capsys, options, flag):
    code, err = run_main(["compute", NISO4, *options], capsys)
    assert code == 2 and flag in err and "--pact FILE" in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--pact-primary-share", "nan"], "--pact-primary-share 'nan'"),
        (["--pact-primary-share", "101"], "--pact-primary-share '101"),
        (["--pact-period", "1850"], "--pact-period '1850'"),
    ],
)
def test_bad_pact_options_name_the_flag_and_fail_before_computing(tmp_path, capsys, options, message):
    out = tmp_path / "pcf.json"
    code, err = run_main(["compute", NISO4, "--pact", str(out), *PACT_ARGS, *options], capsys)
    assert code == 2 and message in err and not out.exists()
    assert "1 kg of" not in capsys.readouterr().out  # nothing was computed and printed


def test_the_stand_in_warning_names_the_supplier_product_so_a_wrong_material_shows(tmp_path, capsys):
    fp = product_footprint(
        3.0, company="S", cpc="34240", product="cobalt sulfate", period=(2023, 2023), created="2026-01-01T00:00:00Z"
    )
    pcf = write(tmp_path, fp)
    result = CliRunner().invoke(cli, ["compute", NISO4, "--scenario", str(scenario(tmp_path, pcf))])
    assert result.exit_code == 0, result.output
    assert f"{NISO4}: replaced by the supplier PACT footprint" in result.stderr
    assert "of 'cobalt sulfate' (3 kg CO2-eq per kg)" in result.stderr


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (["compute", NISO4], ("metadata",)),
        (["compare", "NMC811", "--indicator", "gwp100"], ("metadata",)),
        (["passport", "examples/battery-nmc811.yaml"], ("calculation",)),
    ],
)
@pytest.mark.slow
def test_every_json_result_carries_the_supplier_footprints_as_json_not_as_text(tmp_path, command, path):
    dqi = {"coveragePercent": 90, "technologicalDQR": 2}
    pcf = write(tmp_path, footprint(primaryDataShare=42.5, dqi=dqi))
    args = [*command, "--scenario", str(scenario(tmp_path, pcf)), "--format", "json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    node = json.loads(result.stdout)
    for key in path:
        node = node[key]
    (supplier,) = node["supplier_footprints"]
    assert supplier["dataset"] == NISO4 and supplier["primaryDataShare"] == 42.5
    assert supplier["dqi_pact_scale_1_to_3"] == {"coveragePercent": 90.0, "technologicalDQR": 2.0}


def test_compute_pact_with_amount_zero_is_a_user_error_not_a_zero_division(tmp_path, capsys):
    out = tmp_path / "pcf.json"
    code, err = run_main(["compute", NISO4, "--amount", "0", "--pact", str(out), *PACT_ARGS], capsys)
    assert code == 2 and "--amount" in err and "Traceback" not in err and not out.exists()


def test_olca_export_with_a_stand_in_warns_that_energy_and_water_are_not_covered(tmp_path):
    pytest.importorskip("olca_schema")
    pcf = write(tmp_path, footprint())
    out = tmp_path / "fg.zip"
    args = ["exchange", "olca", "--out", str(out), "--scenario", str(scenario(tmp_path, pcf))]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0 and out.exists()
    assert f"warning: {NISO4}: replaced by the supplier PACT footprint" in result.stderr


@pytest.mark.slow
@pytest.mark.brightway
def test_brightway_export_with_a_stand_in_warns_that_energy_and_water_are_not_covered(tmp_path):
    pcf = write(tmp_path, footprint())  # the project goes to conftest's temporary BRIGHTWAY2_DIR
    args = ["brightway", "export", "--project", f"standin-{tmp_path.name}", "--biosphere", "none", "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--scenario", str(scenario(tmp_path, pcf))], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"warning: {NISO4}: replaced by the supplier PACT footprint" in result.stderr
    payload = json.loads(result.stdout)
    assert any("energy and water of this dataset are not covered" in w for w in payload["warnings"])


@pytest.mark.parametrize("command", ["compute", "compare", "passport"])
def test_pact_help_names_the_unit_the_period_rule_and_the_share_scale(command):
    text = " ".join(CliRunner().invoke(cli, [command, "--help"]).output.split())
    assert "kg CO2-eq (IPCC AR6 GWP100) per declared unit" in text
    assert "inclusive" in text and "percent, 0-100" in text


def test_a_stand_in_for_a_multi_output_dataset_is_refused(tmp_path, capsys):
    # the footprint is per unit of one product; with mass or economic allocation the dataset's
    # co-products took their share of it and the reference product's GWP came out as 0.0
    pcf = write(tmp_path, footprint())
    sc = scenario(tmp_path, pcf, "recycling-hydrometallurgical")
    args = ["compute", "recycling-hydrometallurgical", "--scenario", str(sc), "--allocation", "mass"]
    code, err = run_main(args, capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{sc}:4" in err and "recycling-hydrometallurgical" in err and "co-products" in err


def test_an_empty_pact_path_is_refused_as_such_not_as_reading_the_scenario_folder(tmp_path, capsys):
    sc = tmp_path / "empty.yaml"
    sc.write_text(f'format: cathode-lca-scenario/1\nname: e\ndatasets:\n  {NISO4}:\n    pact: ""\n')
    code, err = run_main(["compute", NISO4, "--scenario", str(sc)], capsys)
    assert code == 2 and f"{sc}:4" in err and "empty" in err and "Is a directory" not in err


def test_a_home_relative_pact_path_is_expanded(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    write(tmp_path / "home", footprint(), "nis.json")
    sc = tmp_path / "home.yaml"
    sc.write_text(f"format: cathode-lca-scenario/1\nname: h\ndatasets:\n  {NISO4}:\n    pact: ~/nis.json\n")
    result = CliRunner().invoke(cli, ["compute", NISO4, "--scenario", str(sc), "--format", "json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["metadata"]["supplier_footprints"]
    assert entry["file"] == str(tmp_path / "home" / "nis.json")


def test_a_unit_mismatch_says_how_to_fix_it_once(tmp_path, capsys):
    litre = footprint(declaredUnit="liter")
    litre["pcf"].pop("productMassPerDeclaredUnit")
    sc = scenario(tmp_path, write(tmp_path, litre))
    code, err = run_main(["compute", NISO4, "--scenario", str(sc)], capsys)
    assert code == 2 and f"dataset '{NISO4}'" in err and "per L" in err and "productMassPerDeclaredUnit" in err
    assert err.count("Fix:") == 1


@pytest.mark.parametrize("bad", [["--indicator", "energy"], ["--indicator", "gwp100", "--pact-route", "nope"]])
def test_a_failing_pact_export_leaves_no_plot_behind(tmp_path, capsys, bad):
    plot, pcf = tmp_path / "chart.svg", tmp_path / "pcf.json"
    code, err = run_main(["compare", "NMC811", *bad, "--plot", str(plot), "--pact", str(pcf), *PACT_ARGS], capsys)
    assert code == 2 and "--pact" in err
    assert not plot.exists() and not pcf.exists()


def test_compute_tree_with_pact_is_refused_not_silently_skipped(tmp_path, capsys):
    pcf = tmp_path / "pcf.json"
    code, err = run_main(["compute", NISO4, "--tree", "--pact", str(pcf), *PACT_ARGS], capsys)
    assert code == 2 and "--tree" in err and "--pact" in err and not pcf.exists()


def test_an_ar5_footprint_in_an_ar6_result_is_said(tmp_path):
    ar5 = footprint(characterizationFactors="AR5", ipccCharacterizationFactorsSources=["AR5"])
    sc = scenario(tmp_path, write(tmp_path, ar5))
    result = CliRunner().invoke(cli, ["compute", NISO4, "--scenario", str(sc), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "characterised with IPCC AR5" in result.stderr
    (entry,) = json.loads(result.stdout)["metadata"]["supplier_footprints"]
    assert entry["ipcc_characterization"] == ["AR5"]


def test_a_fifo_or_device_is_refused_instead_of_blocking_or_reading_forever(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pcf.json"
    os.mkfifo(fifo)

    def unblock() -> None:  # without the check, the reader would wait here for a writer
        with open(fifo, "wb") as f:
            f.write(b"{}")

    timer = threading.Timer(3.0, unblock)
    timer.daemon = True
    timer.start()
    with pytest.raises(CathodeLCAError, match="not a regular file"):
        read_footprint(fifo)
    timer.cancel()
    with pytest.raises(CathodeLCAError, match="not a regular file"):
        read_footprint("/dev/zero")  # st_size 0, endless bytes


def test_compute_pact_names_its_secondary_sources(tmp_path):
    # PACT: with secondary data (primary share 0 %) secondaryEmissionFactorSources must be given
    pcf = tmp_path / "pcf.json"
    result = CliRunner().invoke(cli, ["compute", NISO4, "--pact", str(pcf), *PACT_ARGS])
    assert result.exit_code == 0, result.output
    sources = json.loads(pcf.read_text())["pcf"]["secondaryEmissionFactorSources"]
    assert {"name": "Argonne National Laboratory (2022) GREET 2022", "version": "2022"} in sources


@pytest.mark.slow
def test_passport_pact_names_its_secondary_sources(tmp_path):
    pcf = tmp_path / "pcf.json"
    args = ["passport", "examples/battery-nmc811.yaml", "--pact", str(pcf), *PACT_ARGS]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    names = [s["name"] for s in json.loads(pcf.read_text())["pcf"]["secondaryEmissionFactorSources"]]
    assert "Argonne National Laboratory (2022) GREET 2022" in names and len(names) == len(set(names))


def test_a_huge_number_is_refused_in_a_message_a_person_can_read():
    with pytest.raises(CathodeLCAError) as info:
        parse_footprint(footprint(pCfExcludingBiogenic="9" * 10_000), "s.json")
    assert "pcf.pCfExcludingBiogenic" in str(info.value) and len(str(info.value)) < 300


def test_a_footprint_per_megajoule_stands_in_per_kwh_by_hand():
    # 0.1 kg CO2e per MJ, and 1 kWh = 3.6 MJ exactly: 0.36 kg CO2e per kWh of the grid dataset
    mj = footprint(declaredUnit="megajoule", pCfExcludingBiogenic="0.1")
    mj["pcf"].pop("productMassPerDeclaredUnit")
    from cathode_lca.exchange.pact import stand_in
    from cathode_lca.inventory.load import load_inventory

    inv = stand_in(load_inventory(), "electricity-grid-us", parse_footprint(mj, "s.json"))
    (exchange,) = inv.datasets["electricity-grid-us"].exchanges
    assert exchange.amount == pytest.approx(0.36, rel=1e-12) and exchange.unit == "kg"


def test_a_pact_api_list_response_is_read_when_it_holds_one_footprint():
    one = parse_footprint({"data": [footprint()]}, "list.json")
    assert one.gwp == 2.5
    with pytest.raises(CathodeLCAError, match="holds 2 footprints") as info:
        parse_footprint({"data": [footprint(), footprint()]}, "list.json")
    assert "list.json" in str(info.value)
    with pytest.raises(CathodeLCAError, match="holds 0 footprints"):
        parse_footprint({"data": []}, "list.json")
