"""A customer's verifier over the footprints cathode-lca writes: each value recomputed by hand from
the result it came from, each property read against what the PACT 2.x text says beyond the schema.

Spec text checked (Technical Specifications for PCF Data Exchange, 2.x, WBCSD): ``id`` is a UUID v4
(data type PfId, RFC 4122); ``pCfExcludingBiogenic`` is kg CO2e per declared unit;
``unitaryProductAmount`` is the number of declared units in the product; ``characterizationFactors``
names the IPCC report the numbers were computed with; ``geographyCountry`` is the ISO 3166-1 code.
"""

from __future__ import annotations

import json
import uuid

import jsonschema
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.exchange.pact import SCHEMA_FILE, product_footprint

SCHEMA = json.loads(SCHEMA_FILE.read_text())
PACT = ["--pact-company", "ACME", "--pact-cpc", "34290", "--pact-period", "2023"]
CREATED = ["--pact-created", "2026-01-02T03:04:05Z"]


def run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(args, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and "Traceback" not in err, err
    return err


def footprint(path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return data


def test_an_ar5_only_result_is_not_declared_as_ar6(tmp_path, capsys):
    """compute --indicator gwp100-ar5 --pact wrote the AR5 value (7.5705) with characterizationFactors AR6."""
    out = tmp_path / "ar5.json"
    err = refused(
        ["compute", "nickel-sulfate-greet2022", "--indicator", "gwp100-ar5", "--pact", str(out), *PACT], capsys
    )
    assert "AR6" in err and "gwp100" in err and not out.exists()
    # with both computed, the footprint holds the AR6 value whatever the order of --indicator
    out = tmp_path / "both.json"
    stdout = run(["compute", "nickel-sulfate-greet2022", "--indicator", "gwp100-ar5,gwp100", "--format", "json"])
    by_method = {r["method"]: r["value"] for r in json.loads(stdout)["results"]}
    run(["compute", "nickel-sulfate-greet2022", "--indicator", "gwp100-ar5,gwp100", "--pact", str(out), *PACT])
    fp = footprint(out)
    assert fp["pcf"]["characterizationFactors"] == "AR6"
    assert float(fp["pcf"]["pCfExcludingBiogenic"]) == by_method["ipcc2021-gwp100"]
    assert by_method["ipcc2021-gwp100"] != by_method["ipcc2013-gwp100"]  # the test can tell them apart


def _make(**kw) -> dict:
    args = dict(company="A", cpc="34290", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
    return product_footprint(1.25, **{**args, **kw})


def test_the_footprint_id_is_a_uuid4_that_changes_with_any_declared_content():
    """PfId MUST be a UUID v4 (RFC 4122): ids were uuid5, and two files differing only in their
    primaryDataShare (or unitaryProductAmount) had the same id and version, so a host kept one."""
    first = _make()
    parsed = uuid.UUID(first["id"])
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert _make()["id"] == first["id"]  # the same content exported again keeps its id
    assert _make(created="2026-02-01T00:00:00Z")["id"] == first["id"]  # ... whenever it is exported
    changed = [
        _make(primary_data_share=35.0),
        _make(declared_unit="kilowatt hour", unitary_amount=2.0),
        _make(declared_unit="kilowatt hour", unitary_amount=3.0),
        _make(comment="another inventory hash"),
        _make(boundary="cradle to grave"),
    ]
    assert len({first["id"], *(fp["id"] for fp in changed)}) == 1 + len(changed)


@pytest.mark.parametrize(
    ("dataset", "params", "geography"),
    [
        ("cam-nmc811-virgin", ["--param", "plant_region=CN"], {"geographyCountry": "CN"}),  # '{cam_plant_region}'
        ("electricity-plant", ["--param", "plant_region=DE"], {"geographyCountry": "DE"}),  # '{plant_region}'
        ("recycling-feed", [], {"geographyCountry": "US"}),  # 'US (EverBatt default distances)'
    ],
)
def test_compute_declares_where_the_dataset_is_not_a_global_footprint(tmp_path, dataset, params, geography):
    """A dataset located '{cam_plant_region}' gave no geography property at all: PACT reads that as a
    global footprint, while the plant ran in one country."""
    out = tmp_path / "pcf.json"
    run(["compute", dataset, *params, "--indicator", "gwp100", "--pact", str(out), *PACT])
    pcf = footprint(out)["pcf"]
    assert {k: v for k, v in pcf.items() if k.startswith("geography")} == geography


def test_a_footprint_per_kg_of_contained_metal_is_refused(tmp_path, capsys):
    """compare --unit kg-metal:Ni --pact wrote 8.10 kg CO2e per 'kilogram' of 'Ni contained in
    battery-grade nickel sulfate' with productMassPerDeclaredUnit 1: a customer (or this package's own
    reader) applies it per kg of the traded salt, about 4.5 times too much for NiSO4·6H2O."""
    out = tmp_path / "ni.json"
    err = refused(["compare", "NMC811", "--unit", "kg-metal:Ni", "--pact", str(out), *PACT], capsys)
    assert "kg-metal:Ni" in err and "kg-salt" in err and not out.exists()
