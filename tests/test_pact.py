"""PACT (WBCSD Pathfinder) footprints: export validates, re-import reproduces the value (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.exchange.pact import SCHEMA_FILE, decimal_text, parse_footprint, product_footprint

SCHEMA = json.loads(SCHEMA_FILE.read_text())
PACT_ARGS = ["--pact-company", "ACME Refining", "--pact-cpc", "34240", "--pact-period", "2023"]
NISO4 = "nickel-sulfate-greet2022"


def run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def run_main(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


def scenario(tmp_path: Path, pcf: Path, dataset: str = NISO4) -> Path:
    path = tmp_path / "supplier.yaml"
    path.write_text(
        f"format: cathode-lca-scenario/1\nname: supplier-nis\ndatasets:\n  {dataset}:\n    pact: {pcf.name}\n"
    )
    return path


def gwp_and_energy(args):
    payload = json.loads(run([*args, "--format", "json"]).stdout)
    by = {r["indicator"]: r["value"] for r in payload["results"]}
    return by["gwp100"], by["energy"], payload


def test_decimal_text_is_exact_and_has_no_exponent():
    for x in (1e-12, 123456789.125, 0.1 + 0.2, 7.5689333329999995, 0.0):
        text = decimal_text(x)
        assert "e" not in text.lower() and float(text) == x


def test_export_validates_and_reimport_reproduces_the_value(tmp_path):
    pcf = tmp_path / "niso4.json"
    run(["compute", NISO4, "--pact", str(pcf), *PACT_ARGS, "--pact-created", "2026-01-02T03:04:05Z"])
    footprint = json.loads(pcf.read_text())
    jsonschema.validate(footprint, SCHEMA)
    assert footprint["created"] == "2026-01-02T03:04:05Z" and footprint["pcf"]["declaredUnit"] == "kilogram"
    gwp, energy, _ = gwp_and_energy(["compute", NISO4])
    assert float(footprint["pcf"]["pCfExcludingBiogenic"]) == pytest.approx(gwp, rel=1e-15)
    # the same inputs give the same id (uuid5), so a re-export does not create a new footprint
    again = tmp_path / "again.json"
    run(["compute", NISO4, "--pact", str(again), *PACT_ARGS, "--pact-created", "2026-01-02T03:04:05Z"])
    assert json.loads(again.read_text())["id"] == footprint["id"]

    stand_in = scenario(tmp_path, pcf)
    gwp2, energy2, payload = gwp_and_energy(["compute", NISO4, "--scenario", str(stand_in)])
    assert gwp2 == pytest.approx(gwp, rel=1e-9)
    assert energy > 0 and energy2 == 0.0  # PACT carries GHG only ...
    assert any("energy and water of this dataset are not covered" in w for w in payload["warnings"])  # ... and says so
    suppliers = payload["metadata"]["supplier_footprints"]
    suppliers = json.loads(suppliers) if isinstance(suppliers, str) else suppliers
    assert suppliers[0]["pcf_id"] == footprint["id"] and suppliers[0]["primaryDataShare"] == 0.0


@pytest.mark.slow
def test_a_supplier_value_moves_the_cathode_result_linearly(tmp_path):
    """compare NMC811 virgin with NiSO4 from two supplier footprints: the change is linear in the PCF."""

    def virgin_gwp(value: float | None) -> float:
        args = ["compare", "NMC811", "--route", "virgin", "--indicator", "gwp100", "--format", "json"]
        if value is not None:
            pcf = tmp_path / f"nis-{value}.json"
            fp = product_footprint(
                value, company="S", cpc="34240", product="NiSO4", period=(2023, 2023), created="2026-01-01T00:00:00Z"
            )
            pcf.write_text(json.dumps(fp))
            target = tmp_path / f"s-{value}"
            target.mkdir()
            (target / pcf.name).write_text(pcf.read_text())
            args += ["--scenario", str(scenario(target, target / pcf.name))]
        payload = json.loads(run(args).stdout)
        return next(r["value"] for r in payload["results"] if r["route"] == "virgin" and r["indicator"] == "gwp100")

    base = virgin_gwp(None)
    niso4 = gwp_and_energy(["compute", NISO4])[0]
    at_own = virgin_gwp(niso4)  # the supplier declares exactly the shipped value: nothing moves
    assert at_own == pytest.approx(base, rel=1e-9)
    low, high = virgin_gwp(2.0), virgin_gwp(12.0)
    assert (high - low) / 10.0 == pytest.approx((base - low) / (niso4 - 2.0), rel=1e-9)
    assert low < base < high


def test_compare_pact_is_one_route_and_refuses_negative_footprints(tmp_path, capsys):
    pcf = tmp_path / "cam.json"
    run(["compare", "NMC811", "--indicator", "gwp100", "--pact", str(pcf), "--pact-route", "direct", *PACT_ARGS])
    footprint = json.loads(pcf.read_text())
    jsonschema.validate(footprint, SCHEMA)
    assert "direct route" in footprint["productNameCompany"]
    with pytest.raises(Exception, match="non-negative"):
        product_footprint(-0.5, company="A", cpc="1", product="x", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    code, err = run_main(["compare", "NMC811", "--pact", str(tmp_path / "x.json"), "--pact-company", "A"], capsys)
    assert code == 2 and "--pact needs --pact-cpc" in err and "Traceback" not in err
    code, err = run_main(["compare", "NMC811", "--pact", str(pcf), *PACT_ARGS], capsys)
    assert code == 2 and "already exists" in err  # never overwritten without --overwrite


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["pcf"].update(pCfExcludingBiogenic="-1.0"), "impossible value"),
        (lambda d: d["pcf"].update(pCfExcludingBiogenic="1e3"), "decimal string"),
        (lambda d: d["pcf"].update(declaredUnit="piece"), "unknown unit"),
        (lambda d: d["pcf"].update(unitaryProductAmount="0"), "impossible value"),
        (lambda d: d.pop("companyName"), "'companyName': missing"),
        (lambda d: d.update(specVersion="1.0.0"), "is not read"),
        (lambda d: d["pcf"].update(primaryDataShare=140), "not a percentage"),
    ],
)
def test_bad_supplier_files_are_refused_with_the_field(mutate, message):
    fp = product_footprint(1.0, company="S", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    mutate(fp)
    with pytest.raises(Exception, match=message) as info:
        parse_footprint(fp, "supplier.json")
    assert "supplier.json" in str(info.value)


def test_stand_in_errors_name_the_file_and_suggest(tmp_path, capsys):
    pcf = tmp_path / "nis.json"
    pcf.write_text(
        json.dumps(
            {
                "id": "x",
                "specVersion": "2.3.1",
                "companyName": "S",
                "productNameCompany": "p",
                "pcf": {"declaredUnit": "kilogram", "unitaryProductAmount": "1", "pCfExcludingBiogenic": float("nan")},
            }
        )
    )
    code, err = run_main(["compute", NISO4, "--scenario", str(scenario(tmp_path, pcf))], capsys)
    assert code == 2 and "non-finite" in err and "Traceback" not in err
    fp = product_footprint(1.0, company="S", cpc="1", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    pcf.write_text(json.dumps(fp))
    code, err = run_main(["compute", NISO4, "--scenario", str(scenario(tmp_path, pcf, "nickel-sulfate-greet"))], capsys)
    assert code == 2 and "unknown dataset 'nickel-sulfate-greet'" in err and "did you mean" in err
    kwh = dict(fp, pcf=dict(fp["pcf"], declaredUnit="kilowatt hour"))
    kwh["pcf"].pop("productMassPerDeclaredUnit")
    pcf.write_text(json.dumps(kwh))
    code, err = run_main(["compute", NISO4, "--scenario", str(scenario(tmp_path, pcf))], capsys)
    assert code == 2 and "per kWh" in err


@pytest.mark.slow
def test_passport_pact_is_per_kwh_of_lifetime_energy(tmp_path):
    root = Path(__file__).resolve().parent.parent
    pcf = tmp_path / "battery.json"
    out = tmp_path / "declaration.json"
    args = ["passport", str(root / "examples" / "battery-nmc811.yaml"), "--format", "json", "--out", str(out)]
    run([*args, "--pact", str(pcf), "--pact-company", "Example", "--pact-cpc", "46420", "--pact-period", "2024"])
    footprint = json.loads(pcf.read_text())
    jsonschema.validate(footprint, SCHEMA)
    declaration = json.loads(out.read_text())
    assert footprint["pcf"]["declaredUnit"] == "kilowatt hour"
    assert float(footprint["pcf"]["pCfExcludingBiogenic"]) == pytest.approx(
        declaration["carbonFootprint"]["batteryCarbonFootprint"], rel=1e-12
    )
    # unitaryProductAmount: the kWh of total energy over the service life, the regulation's functional unit
    lifetime = float(footprint["pcf"]["unitaryProductAmount"])
    assert lifetime > 0
    assert float(footprint["pcf"]["pCfExcludingBiogenic"]) * lifetime == pytest.approx(
        declaration["carbonFootprint"]["absoluteCarbonFootprint"], rel=1e-9
    )


def test_battery_examples_use_the_cpc_class_of_electric_accumulators():
    """UN CPC Ver. 2.1 group 464: class 4641 (subclass 46410) is "Primary cells and primary batteries",
    class 4642 "Electric accumulators" (subclass 46420, kept in CPC 3.0). The passport's carbon-footprint
    declaration covers EV, LMT and rechargeable industrial batteries (BattReg Art. 7), i.e. accumulators.
    The passport examples in the docs and the CLI help declared 46410, a primary (non-rechargeable) cell."""
    import re

    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "docs").rglob("*.md")), root / "README.md", *sorted((root / "src").rglob("*.py"))]
    # a passport command, possibly continued over lines with a trailing backslash, up to its --pact-cpc
    command = re.compile(r"passport\b(?:[^\n]|\\+\n)*?--pact-cpc\s+(\d+)")
    codes = {(f.relative_to(root).as_posix(), code) for f in files for code in command.findall(f.read_text())}
    assert {f for f, _ in codes} >= {"docs/exchange.md", "src/cathode_lca/cli/passport.py"}  # both examples seen
    assert {(f, c) for f, c in codes if not c.startswith("4642")} == set()


def test_salt_examples_use_the_cpc_subclass_of_metal_salts_of_inorganic_acids():
    """UN CPC group 342 (as listed in the CPC product-flow categories of TianGong's TIDAS, whose titles of
    4641/4642 match CPC Ver. 2.1): 34290 is "Compounds of rare earth metals, of yttrium or of scandium";
    a nickel or cobalt sulphate, a salt of an inorganic acid and a metal, falls under 34240 "Phosphates of
    triammonium; salts and peroxysalts of inorganic acids and metals n.e.c." (no other class of 342 names
    sulphates). The docs, the CLI help and the module examples declared nickel sulfate as 34290."""
    import re

    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "docs").rglob("*.md")), root / "README.md", *sorted((root / "src").rglob("*.py"))]
    # a command up to its --pact-cpc (continued over lines with a trailing backslash), or a cpc="..." argument
    command = re.compile(r"cathode-lca (?:[^\n]|\\+\n)*?--pact-cpc\s+(\d+)")
    found = {
        (f.relative_to(root).as_posix(), match.group(0), match.group(1))
        for f in files
        for match in command.finditer(f.read_text())
    }
    found |= {
        (f.relative_to(root).as_posix(), m.group(0), m.group(1))
        for f in files
        for m in re.finditer(r'cpc="(\d+)", product="([^"]*)"', f.read_text())
    }
    assert {code for *_, code in found} >= {"34240", "46420"}  # the salt and the battery examples were seen
    assert [(f, code) for f, _, code in found if code == "34290"] == []
    salts = [(f, code) for f, text, code in found if re.search(r"nickel|cobalt|sulfate|NiSO4", text, re.I)]
    assert salts and all(code == "34240" for _, code in salts), salts
