"""A negative footprint is reported (attrs, JSON, stderr) with the credit that causes it."""

from __future__ import annotations

import json

import pytest
from conftest import score

from cathode_lca.cli import main
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method
from cathode_lca.result_warnings import add_warnings, warnings_of

# Recycler r treats 1 kg feed and emits 1 kg CO2; its co-product, 0.5 kg recovered graphite,
# displaces virgin graphite g (4 kg CO2/kg). By hand, under system expansion, per kg treated:
# 1 - 0.5 * 4 = -1 kg CO2. Without allocation the co-product carries nothing: +1 kg CO2.
CREDIT = """include: [flows.yaml]
datasets:
  - id: r
    name: recycler
    stage: recycling-recovery
    element_balance: {skip: test}
    products:
      - {id: r, amount: 1, unit: kg, reference: true, source: s, properties: {mass: 0, price: 0}}
      - {id: graphite-rec, amount: 0.5, unit: kg, substitutes: g, source: s, properties: {mass: 1, price: 1}}
    exchanges:
      - {flow: co2, amount: 1, unit: kg, source: s}
  - id: g
    name: virgin graphite
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 4, unit: kg, source: s}
"""


@pytest.fixture
def credit_file(write_yaml):
    return write_yaml(CREDIT)


@pytest.fixture(scope="module")
def method(data_dir):
    return load_method("test-gwp", str(data_dir / "method-test.yaml"))


def test_negative_result_names_the_credit(credit_file, method):
    model = LCAModel(load_inventory([credit_file]))
    ds = model.calculate({"r": 1.0}, methods=[method], allocation="system-expansion")
    assert score(ds) == pytest.approx(-1.0)
    (warning,) = warnings_of(ds)
    assert "negative test-gwp result (-1 kg" in warning
    # g is a constant (background) dataset, so its -0.5 * 4 kg is rolled up into the recycler:
    # r contributes 1 - 2 = -1 kg, and the credit behind it is named
    assert "caused by r -1, credits: graphite-rec displaces g" in warning


def test_positive_result_has_no_warning(credit_file, method):
    model = LCAModel(load_inventory([credit_file]))
    ds = model.calculate({"r": 1.0}, methods=[method], allocation="none")
    assert score(ds) == pytest.approx(1.0)
    assert warnings_of(ds) == []


def test_negative_in_some_samples_is_counted(credit_file, method, write_yaml):
    # with 0.1 kg graphite credited the result is 1 - 0.4 = 0.6 > 0; with 0.5 kg it is -1
    text = CREDIT.replace("amount: 0.5,", "amount: share,").replace(
        "datasets:", "parameters:\n  share: {value: 0.5, source: s}\ndatasets:"
    )
    model = LCAModel(load_inventory([write_yaml(text, "varied.yaml")]))
    ds = model.calculate(
        {"r": 1.0}, methods=[method], allocation="system-expansion", parameters={"share": [0.1, 0.5, 0.5]}
    )
    (warning,) = warnings_of(ds)
    assert "in 2 of 3 samples" in warning


def test_add_warnings_appends_and_reads_json_text():
    import xarray as xr

    ds = xr.Dataset(attrs={"warnings": json.dumps(["from netCDF"])})
    add_warnings(ds, ["new", "new"])
    assert json.loads(ds.attrs["warnings"]) == ["from netCDF", "new"]  # stored as JSON text again


@pytest.mark.slow
def test_cli_compute_reports_negative_footprint(write_yaml, capsys):
    # on top of the shipped inventories, with their CO2 flow, so that the shipped GWP method applies
    text = CREDIT.replace("include: [flows.yaml]\n", "").replace("flow: co2,", "flow: co2-fossil-air,")
    text = text.replace("id: r\n", "id: toy-recycler\n").replace("{id: r,", "{id: toy-recycler,")
    text = text.replace("id: g\n", "id: toy-graphite\n").replace("substitutes: g,", "substitutes: toy-graphite,")
    path = write_yaml(text, "extra.yaml")
    main(
        [
            "compute", "toy-recycler", "--inventory", str(path), "--allocation", "system-expansion",
            "--indicator", "ipcc2021-gwp100", "--format", "json",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["results"][0]["value"] == pytest.approx(-1.0)
    assert len(payload["warnings"]) == 1 and "graphite-rec displaces toy-graphite" in payload["warnings"][0]
    assert captured.err.startswith("warning: toy-recycler: negative ipcc2021-gwp100 result")


@pytest.mark.slow
def test_compare_json_carries_warnings_of_routes(capsys):
    # NMC811 direct recycling under system expansion with EverBatt's own credits (graphite and scrap as
    # virgin material) is negative; the default quality-ratio credits are not (docs/data/credits.md)
    main(
        [
            "compare", "NMC811", "--allocation", "system-expansion", "--indicator", "gwp100",
            "--scenario", "everbatt-2023", "--format", "json",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    negative = [r["route"] for r in payload["results"] if r["value"] < 0]
    assert negative, "the test needs a negative route"
    for route in negative:
        assert any(w.startswith(f"{route} route") and "caused by graphite-greet2022" in w for w in payload["warnings"])
    assert all(line.startswith("warning: ") for line in captured.err.strip().splitlines())
