"""A customer's verifier over the footprints cathode-lca writes: each value recomputed by hand from
the result it came from, each property read against what the PACT 2.x text says beyond the schema.

Spec text checked (Technical Specifications for PCF Data Exchange, 2.x, WBCSD): ``id`` is a UUID v4
(data type PfId, RFC 4122); ``pCfExcludingBiogenic`` is kg CO2e per declared unit;
``unitaryProductAmount`` is the number of declared units in the product; ``characterizationFactors``
names the IPCC report the numbers were computed with; ``geographyCountry`` is the ISO 3166-1 code.
"""

from __future__ import annotations

import json
import re
import uuid

import jsonschema
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.errors import UsageError
from cathode_lca.exchange.olca import olca_id
from cathode_lca.exchange.pact import SCHEMA_FILE, product_footprint

SCHEMA = json.loads(SCHEMA_FILE.read_text())
PACT = ["--pact-company", "ACME", "--pact-cpc", "34240", "--pact-period", "2023"]
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
    args = dict(company="A", cpc="34240", product="p", period=(2023, 2023), created="2026-01-01T00:00:00Z")
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


def test_the_2_3_cross_sectoral_standards_are_written_beside_the_deprecated_list():
    """PACT 2.3 deprecates crossSectoralStandardsUsed and adds crossSectoralStandards ('also mandatory',
    values ISO14067, ISO14040-44, ...): only the deprecated list was written."""
    fp = _make()
    pcf = fp["pcf"]
    assert pcf["crossSectoralStandardsUsed"] == ["ISO Standard 14067", "ISO Standard 14044"]
    assert pcf["crossSectoralStandards"] == ["ISO14067", "ISO14040-44"]
    jsonschema.validate(fp, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # the shipped schema knows the 2.3 values
        jsonschema.validate({**fp, "pcf": {**pcf, "crossSectoralStandards": ["ISO Standard 14067"]}}, SCHEMA)


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


def test_the_data_owner_and_the_product_are_identified_by_the_urns_given(tmp_path):
    """PACT: companyIds and productIds are URNs that identify the data owner and the product; there was
    no way to give them, so every footprint carried urn:cathode-lca:company:<slug of the name>."""
    out = tmp_path / "pcf.json"
    ids = [
        "--pact-company-id", "urn:pathfinder:company:customcode:buyer-assigned:4321",
        "--pact-company-id", "urn:lei:529900T8BM49AURSDO55",
        "--pact-product-id", "urn:pathfinder:product:customcode:vendor-assigned:NIS-6H2O",
    ]  # fmt: skip
    run(["compute", "nickel-sulfate-greet2022", "--pact", str(out), *PACT, *ids])
    fp = footprint(out)
    assert fp["companyIds"] == [
        "urn:pathfinder:company:customcode:buyer-assigned:4321",
        "urn:lei:529900T8BM49AURSDO55",
    ]
    assert fp["productIds"] == ["urn:pathfinder:product:customcode:vendor-assigned:NIS-6H2O"]


# --- what was found sound: the declared values recomputed by hand from the results ---------------------


def test_compare_footprint_is_the_compared_route_per_kg_by_hand(tmp_path):
    out = tmp_path / "hydro.json"
    args = ["compare", "NMC811", "--indicator", "gwp100", "--route", "virgin", "--route", "hydrometallurgical"]
    payload = json.loads(run([*args, "--format", "json", "--pact", str(out), *PACT, *CREATED]))
    row = next(r for r in payload["results"] if r["route"] == "hydrometallurgical")
    pcf = footprint(out)["pcf"]
    # functional unit 1 kg CAM = declared unit 1 kilogram: no conversion, one declared unit per product
    assert payload["functional_unit"].startswith("1 kg ")
    assert (pcf["declaredUnit"], pcf["unitaryProductAmount"], pcf["productMassPerDeclaredUnit"]) == (
        "kilogram",
        "1",
        "1",
    )
    assert float(pcf["pCfExcludingBiogenic"]) == row["value"] == float(pcf["fossilGhgEmissions"])
    assert float(pcf["pCfExcludingBiogenic"]) == pytest.approx(sum(row["by_stage"].values()), rel=1e-12)
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == ("2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z")
    table = run(args)  # the table a user reads shows the same number (4 significant digits)
    line = next(t for t in table.splitlines() if t.strip().startswith("hydrometallurgical"))
    assert f"{row['value']:.4g}" in line.split()


@pytest.mark.parametrize(
    ("dataset", "amount", "declared", "per_declared_unit"),
    [
        # MJ product, 3.6 MJ computed: kg CO2e per megajoule = score / 3.6
        ("natural-gas-combustion-industrial-boiler", 3.6, "megajoule", lambda score: score / 3.6),
        # kWh product, 2 kWh computed: per kilowatt hour = score / 2
        ("electricity-grid-us", 2.0, "kilowatt hour", lambda score: score / 2.0),
        # t*km product, 1000 t*km computed: per ton kilometer = score / 1000
        ("transport-truck-hhdt", 1000.0, "ton kilometer", lambda score: score / 1000.0),
        # kg product, 0.25 kg computed: per kilogram = score / 0.25 = 4 x score
        ("nickel-sulfate-greet2022", 0.25, "kilogram", lambda score: 4.0 * score),
    ],
)
def test_compute_footprint_is_per_declared_unit_by_hand(tmp_path, dataset, amount, declared, per_declared_unit):
    out = tmp_path / "pcf.json"
    args = ["compute", dataset, "--amount", str(amount), "--indicator", "gwp100"]
    score = json.loads(run([*args, "--format", "json", "--pact", str(out), *PACT]))["results"][0]["value"]
    pcf = footprint(out)["pcf"]
    assert pcf["declaredUnit"] == declared and pcf["unitaryProductAmount"] == "1"
    assert float(pcf["pCfExcludingBiogenic"]) == pytest.approx(per_declared_unit(score), rel=1e-12)
    assert pcf["productMassPerDeclaredUnit"] == ("1" if declared == "kilogram" else "0")  # PACT 2.3: 0 for energy, t*km


# --- openLCA JSON-LD: read back with olca-schema alone --------------------------------------------------


@pytest.fixture(scope="module")
def olca_zip(tmp_path_factory):
    path = tmp_path_factory.mktemp("olca") / "all.zip"
    run(["exchange", "olca", "--out", str(path)])
    return path


@pytest.mark.slow
def test_every_olca_reference_resolves_and_every_unit_belongs_to_its_flow(olca_zip):
    import math
    import re
    import zipfile

    import olca_schema as o
    import olca_schema.zipio as zipio

    names = zipfile.ZipFile(olca_zip).namelist()  # no member name comes from user text
    uuid_json = re.compile(r"[a-z_]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json")
    assert all(n == "olca-schema.json" or uuid_json.fullmatch(n) for n in names)
    reader = zipio.ZipReader(str(olca_zip))
    groups = {i: reader.read_unit_group(i) for i in reader.ids_of(o.UnitGroup)}
    props = {i: reader.read_flow_property(i) for i in reader.ids_of(o.FlowProperty)}
    flows = {i: reader.read_flow(i) for i in reader.ids_of(o.Flow)}
    processes = {i: reader.read_process(i) for i in reader.ids_of(o.Process)}
    units_of = {p: {u.id for u in groups[fp.unit_group.id].units} for p, fp in props.items()}

    def consistent(flow_ref, prop_ref, unit_ref) -> bool:
        flow = flows[flow_ref.id]  # KeyError: a reference to a flow that is not in the zip
        ref_prop = next(f.flow_property.id for f in flow.flow_properties if f.is_ref_flow_property)
        return prop_ref.id == ref_prop and unit_ref.id in units_of[prop_ref.id]

    for process in processes.values():
        assert sum(bool(e.is_quantitative_reference) for e in process.exchanges) == 1, process.name
        for e in process.exchanges:
            assert consistent(e.flow, e.flow_property, e.unit), (process.name, e.flow.name)
            assert math.isfinite(e.amount), (process.name, e.flow.name)
            if e.is_input and flows[e.flow.id].flow_type == o.FlowType.PRODUCT_FLOW:
                assert e.default_provider.id in processes, (process.name, e.flow.name)
    for i in reader.ids_of(o.ImpactCategory):
        for factor in reader.read_impact_category(i).impact_factors:
            assert consistent(factor.flow, factor.flow_property, factor.unit)
    method = reader.read_impact_method(reader.ids_of(o.ImpactMethod)[0])
    assert {c.id for c in method.impact_categories} == set(reader.ids_of(o.ImpactCategory))


@pytest.mark.slow
def test_the_olca_zip_solves_to_the_compared_virgin_value(olca_zip):
    """A and B built from the zip's exchanges (scipy, no cathode-lca code), solved for 1 kg NMC811 CAM."""
    import numpy as np
    import olca_schema as o
    import olca_schema.zipio as zipio
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    reader = zipio.ZipReader(str(olca_zip))
    processes = [reader.read_process(i) for i in reader.ids_of(o.Process)]
    col = {p.id: j for j, p in enumerate(processes)}
    elementary = [i for i in reader.ids_of(o.Flow) if reader.read_flow(i).flow_type == o.FlowType.ELEMENTARY_FLOW]
    row_b = {f: i for i, f in enumerate(elementary)}
    a, b = sp.lil_matrix((len(processes), len(processes))), sp.lil_matrix((len(elementary), len(processes)))
    for p in processes:
        j = col[p.id]
        for e in p.exchanges:
            if e.is_quantitative_reference:
                a[j, j] += e.amount  # production on the diagonal, in the reference product's unit
            elif e.flow.id in row_b:
                b[row_b[e.flow.id], j] += -e.amount if e.is_input else e.amount
            elif e.is_input:
                a[col[e.default_provider.id], j] -= e.amount  # a technosphere input, from its provider
            # other product outputs: co-products, burden-free under the package's default allocation
    target = olca_id("process", "cam-nmc811-virgin")  # only the id is looked up with package code
    demand = np.zeros(len(processes))
    demand[col[target]] = 1.0  # 1 kg of the reference product (its exchange amount is per 1 kg)
    scaling = spla.spsolve(sp.csc_matrix(a), demand)
    category = next(
        c
        for c in (reader.read_impact_category(i) for i in reader.ids_of(o.ImpactCategory))
        if "AR6" in c.name and "100" in c.name
    )
    cf = np.zeros(len(elementary))
    for factor in category.impact_factors:
        cf[row_b[factor.flow.id]] = factor.value
    theirs = float(cf @ (b.tocsc() @ scaling))
    payload = json.loads(run(["compare", "NMC811", "--route", "virgin", "--indicator", "gwp100", "--format", "json"]))
    ours = next(r["value"] for r in payload["results"] if r["route"] == "virgin")
    assert theirs == pytest.approx(ours, rel=1e-9)


@pytest.mark.slow
def test_the_passport_footprint_says_where_the_battery_is_made(tmp_path):
    """passport --pact wrote no geography property (PACT: a global footprint) although the battery file
    names its manufacturing plant's country (the example: EU, the UN region Europe)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out, declaration = tmp_path / "battery.json", tmp_path / "declaration.json"
    pact = ["--pact-company", "Example", "--pact-cpc", "46420", "--pact-period", "2024"]
    run(["passport", str(root / "examples" / "battery-nmc811.yaml"), "--format", "json", "--out", str(declaration),
         "--pact", str(out), *pact])  # fmt: skip
    plant = json.loads(declaration.read_text())["calculation"]["battery"]["manufacturingPlantDetails"]
    assert plant["country"] == "EU"
    pcf = footprint(out)["pcf"]
    assert {k: v for k, v in pcf.items() if k.startswith("geography")} == {"geographyRegionOrSubregion": "Europe"}
    # a battery is not an energy product: its mass per declared unit (kWh over the service life) is
    # the pack mass over the lifetime energy, 488.7 kg / E kWh (PACT 2.3 would otherwise read 0)
    mass = json.loads(declaration.read_text())["calculation"]["battery"]["massKg"]
    lifetime = float(pcf["unitaryProductAmount"])
    assert mass == 488.7 and float(pcf["productMassPerDeclaredUnit"]) == pytest.approx(mass / lifetime, rel=1e-12)


@pytest.mark.parametrize(("region", "expected"), [("DE", {"geographyCountry": "DE"}), ("US-CA", {"geographyCountrySubdivision": "US-CA"}), ("EU", {"geographyRegionOrSubregion": "Europe"}), ("GLO", {}), ("World", {}), ("RoW", {})])  # fmt: skip
def test_region_codes_map_to_one_pact_geography(region, expected):
    from cathode_lca.exchange.pact import geography

    assert geography(region) == expected


def test_a_region_that_is_not_a_code_is_refused_not_declared_global():
    from cathode_lca.errors import UsageError
    from cathode_lca.exchange.pact import geography

    with pytest.raises(UsageError, match="Germany"):
        geography("Germany")


# --- reading a supplier's footprint ----------------------------------------------------------------------


def test_a_supplier_footprint_past_its_validity_is_said(tmp_path):
    """PACT: without a validity period a footprint is valid for 3 years from referencePeriodEnd. A
    supplier file for 2019 (valid until 2023-01-01) stood in without a word."""
    old = product_footprint(
        7.0, company="S", cpc="34240", product="p", period=(2019, 2019), created="2020-02-01T00:00:00Z"
    )
    current = product_footprint(
        7.0, company="S", cpc="34240", product="p", period=(2024, 2024), created="2026-01-01T00:00:00Z"
    )
    warnings = {}
    for name, fp in (("old", old), ("current", current)):
        (tmp_path / f"{name}.json").write_text(json.dumps(fp))
        scenario = tmp_path / f"{name}.yaml"
        scenario.write_text(
            f"format: cathode-lca-scenario/1\nname: {name}\ndatasets:\n  nickel-sulfate-greet2022:\n    pact: {name}.json\n"
        )
        payload = json.loads(
            run(["compute", "nickel-sulfate-greet2022", "--scenario", str(scenario), "--format", "json"])
        )
        warnings[name] = " ".join(payload["warnings"])
    assert "validity ended 2023-01-01" in warnings["old"]
    assert "validity" not in warnings["current"]
    # a validity period the supplier states is what counts
    explicit = {**old, "validityPeriodStart": "2020-01-01T00:00:00Z", "validityPeriodEnd": "2021-06-01T00:00:00Z"}
    from cathode_lca.exchange.pact import parse_footprint, standin_warning

    assert "validity ended 2021-06-01" in standin_warning("x", parse_footprint(explicit, "s.json"))


def test_a_supplier_footprint_of_an_energy_product_with_mass_0_is_read():
    """PACT 2.3: productMassPerDeclaredUnit SHOULD be 0 for an energy (kWh, MJ), logistics or service
    product. The reader refused such a conformant file ('impossible value 0')."""
    from cathode_lca.exchange.pact import parse_footprint

    fp = product_footprint(
        0.4, company="S", cpc="17100", product="electricity", period=(2024, 2024), created="2025-02-01T00:00:00Z",
        declared_unit="kilowatt hour",
    )  # fmt: skip
    read = parse_footprint({**fp, "pcf": {**fp["pcf"], "productMassPerDeclaredUnit": "0"}}, "grid.json")
    assert (read.gwp, read.unit) == (0.4, "kWh")  # per kWh, not converted to a mass basis
    per_kg = parse_footprint({**fp, "pcf": {**fp["pcf"], "productMassPerDeclaredUnit": "0.5"}}, "grid.json")
    assert (per_kg.gwp, per_kg.unit) == (0.4 / 0.5, "kg")  # 0.4 kg CO2e/kWh at 0.5 kg/kWh: 0.8 per kg


def test_written_footprints_state_the_product_mass_per_declared_unit(tmp_path):
    """PACT 2.3: 1 for kilogram, 0 for an energy or logistics product (the mass is not relevant)."""
    out = tmp_path / "grid.json"
    run(["compute", "electricity-grid-us", "--indicator", "gwp100", "--pact", str(out), *PACT])
    assert footprint(out)["pcf"]["productMassPerDeclaredUnit"] == "0"


def test_a_footprint_for_2025_or_later_without_dqi_is_refused(tmp_path, capsys):
    """PACT Technical Specifications 2.3, CarbonFootprint.dqi: mandatory (MUST) once the reference period
    includes the start of 2025 or lies later (and then every DataQualityIndicators property too). The package derives no PACT DQI (its DQR is the PEF-style 1-5
    rating; no published conversion to PACT's 1-3), so such a file is invalid: it was written with a
    warning on stderr. Now it is refused, exit 2, no file, with a hint; a period ending by 2024 is written."""

    def export(period: str) -> tuple[int | str | None, str, bool]:
        out = tmp_path / f"{period}.json"
        args = ["compute", "nickel-sulfate-greet2022", "--indicator", "gwp100", "--pact", str(out)]
        code: int | str | None = 0
        try:
            main([*args, "--pact-company", "A", "--pact-cpc", "34240", "--pact-period", period])
        except SystemExit as info:
            code = info.code
        return code, capsys.readouterr().err, out.exists()

    for period in ("2025", "2024-2025"):  # both include 1 January 2025
        code, err, written = export(period)
        assert (code, written) == (2, False)
        assert (
            "pcf.dqi" in err and "2025" in err and "Fix: declare a reference period" in err and "Traceback" not in err
        )
    code, err, written = export("2024")  # referencePeriodEnd 2025-01-01, exclusive: before 2025
    assert code in (0, None) and written and "dqi" not in err
    # the library refuses too (it is what every writer goes through)
    with pytest.raises(UsageError, match="pcf.dqi"):
        product_footprint(
            1.0, company="S", cpc="34240", product="p", period=(2025, 2025), created="2026-02-01T00:00:00Z"
        )
    assert product_footprint(
        1.0, company="S", cpc="34240", product="p", period=(2024, 2024), created="2026-02-01T00:00:00Z"
    )


# PACT 2.3 DataQualityIndicators: all six properties, each DQR on PACT's 1-3 scale, coverage in percent.
FULL_DQI = {
    "coveragePercent": 90,
    "technologicalDQR": 2,
    "temporalDQR": 1.5,
    "geographicalDQR": 2,
    "completenessDQR": 2,
    "reliabilityDQR": 1,
}


def _supplier(start: str, end: str, dqi: dict | None = None) -> dict:
    """A supplier's footprint with the reference period [start, end) that cathode-lca itself would not write."""
    fp = product_footprint(
        7.0, company="S", cpc="34240", product="NiSO4", period=(2023, 2023), created="2026-01-01T00:00:00Z"
    )
    pcf = {**fp["pcf"], "referencePeriodStart": start, "referencePeriodEnd": end}
    if dqi is not None:
        pcf["dqi"] = dqi
    return {**fp, "pcf": pcf}


def test_a_supplier_footprint_for_2025_or_later_without_dqi_is_refused(tmp_path, capsys):
    """PACT Technical Specifications 2.3, CarbonFootprint.dqi: mandatory once the reference period includes
    1 January 2025 or later (and then every DataQualityIndicators property). read_footprint accepted
    such a file without dqi in silence, though it refuses a file that lacks any other mandatory property
    ("missing"). Now it is refused the same way: the file and the field named, a hint, exit 2."""
    from cathode_lca.exchange.pact import parse_footprint

    y2025 = ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    with pytest.raises(UsageError, match=r"supplier\.json: field 'pcf\.dqi': missing") as info:
        parse_footprint(_supplier(*y2025), "supplier.json")
    assert "2025" in info.value.message and info.value.hint
    # a period that straddles the date includes it: 1 July 2024 to 1 July 2025
    with pytest.raises(UsageError, match="pcf.dqi"):
        parse_footprint(_supplier("2024-07-01T00:00:00Z", "2025-07-01T00:00:00Z"), "supplier.json")
    # an empty object, or one property short, lacks what is mandatory too
    with pytest.raises(UsageError, match="pcf.dqi"):
        parse_footprint(_supplier(*y2025, dqi={}), "supplier.json")
    short = {k: v for k, v in FULL_DQI.items() if k != "reliabilityDQR"}
    with pytest.raises(UsageError, match=r"pcf\.dqi\.reliabilityDQR': missing"):
        parse_footprint(_supplier(*y2025, dqi=short), "supplier.json")
    # with every indicator it is read, and the indicators are carried
    read = parse_footprint(_supplier(*y2025, dqi=FULL_DQI), "supplier.json")
    assert read.dqi == {k: float(v) for k, v in FULL_DQI.items()}
    # referencePeriodEnd is exclusive: a period ending at 2025-01-01T00:00Z lies in 2024 and needs no dqi
    assert parse_footprint(_supplier("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"), "s.json").dqi == {}
    # ... and an end one second later is in 2025 (an offset counts: 01:00+01:00 is 00:00Z, still 2024)
    with pytest.raises(UsageError, match="pcf.dqi"):
        parse_footprint(_supplier("2024-01-01T00:00:00Z", "2025-01-01T00:00:01Z"), "s.json")
    assert parse_footprint(_supplier("2024-01-01T00:00:00Z", "2025-01-01T01:00:00+01:00"), "s.json").dqi == {}

    # the CLI: exit 2, no traceback, the scenario line, the file and the field named; no result
    (tmp_path / "supplier.json").write_text(json.dumps(_supplier(*y2025)))
    scenario = tmp_path / "supplier.yaml"
    scenario.write_text(
        "format: cathode-lca-scenario/1\nname: s\ndatasets:\n  nickel-sulfate-greet2022:\n    pact: supplier.json\n"
    )
    err = refused(["compute", "nickel-sulfate-greet2022", "--scenario", str(scenario), "--format", "json"], capsys)
    assert "supplier.json" in err and "pcf.dqi" in err and "nickel-sulfate-greet2022" in err
    (tmp_path / "supplier.json").write_text(json.dumps(_supplier(*y2025, dqi=FULL_DQI)))
    payload = json.loads(run(["compute", "nickel-sulfate-greet2022", "--scenario", str(scenario), "--format", "json"]))
    assert payload["metadata"]["supplier_footprints"][0]["dqi_pact_scale_1_to_3"]["reliabilityDQR"] == 1.0


@pytest.mark.parametrize(
    ("start", "end", "field", "why"),
    [
        (None, "2024-01-01T00:00:00Z", "pcf.referencePeriodStart", "missing"),
        ("2023-01-01T00:00:00Z", None, "pcf.referencePeriodEnd", "missing"),
        ("last year", "2024-01-01T00:00:00Z", "pcf.referencePeriodStart", "not an ISO 8601 time"),
        ("2023-01-01T00:00:00Z", 2024, "pcf.referencePeriodEnd", "not an ISO 8601 time"),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "pcf.referencePeriodEnd", "not after"),
        ("2024-06-01T00:00:00Z", "2023-01-01T00:00:00Z", "pcf.referencePeriodEnd", "not after"),
    ],
)
def test_a_supplier_footprint_without_a_readable_reference_period_is_refused(start, end, field, why):
    """PACT 2.3 CarbonFootprint: referencePeriodStart and referencePeriodEnd are mandatory DateTimes, the end
    (exclusive) after the start. A file without them was read: its validity could not be derived (an empty
    valid_until in the passport) and whether it needs dqi could not be judged."""
    from cathode_lca.exchange.pact import parse_footprint

    data = _supplier("2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z")
    pcf = dict(data["pcf"])
    for name, value in (("referencePeriodStart", start), ("referencePeriodEnd", end)):
        if value is None:
            del pcf[name]
        else:
            pcf[name] = value
    with pytest.raises(UsageError, match=rf"supplier\.json: field '{re.escape(field)}': .*{why}") as info:
        parse_footprint({**data, "pcf": pcf}, "supplier.json")
    assert info.value.hint


@pytest.mark.slow
def test_a_product_measured_in_tonnes_is_declared_per_kilogram_by_hand(tmp_path):
    extra = tmp_path / "salt.yaml"
    extra.write_text(
        "format: cathode-lca/1\ndatasets:\n  - id: user-salt-per-tonne\n    name: a salt sold by the tonne\n"
        "    stage: chemicals\n    unit: t\n    element_balance: {skip: test}\n    exchanges:\n"
        "      - {flow: co2-fossil-air, amount: 1500, unit: kg, source: test}\n"
    )
    out = tmp_path / "salt.json"
    run(
        [
            "compute",
            "user-salt-per-tonne",
            "--inventory",
            str(extra),
            "--indicator",
            "gwp100",
            "--pact",
            str(out),
            *PACT,
        ]
    )
    pcf = footprint(out)["pcf"]
    # 1500 kg CO2 per t of salt (CO2 fossil: GWP100 1), and 1 t = 1000 kg: 1.5 kg CO2e per kilogram
    assert (pcf["declaredUnit"], pcf["productMassPerDeclaredUnit"]) == ("kilogram", "1")
    assert float(pcf["pCfExcludingBiogenic"]) == pytest.approx(1500.0 / 1000.0, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "params", "country"),
    [
        ("kg-cam", ["--param", "cam_plant_region=CN"], "CN"),  # the CAM is made at the CAM plant
        ("kg-black-mass", ["--param", "recycler_region=DE"], "DE"),  # black mass at the recycler
    ],
)
def test_compare_declares_where_the_routes_product_is_made(tmp_path, unit, params, country):
    """compare --pact declared the plant_region shortcut (US) whatever plant made the product: with
    --param cam_plant_region=CN the CAM of every route is made in China, and the footprint said US."""
    out = tmp_path / "pcf.json"
    args = ["compare", "NMC811", "--unit", unit, "--route", "virgin", "--route", "hydrometallurgical"]
    run([*args, "--indicator", "gwp100", *params, "--pact", str(out), "--pact-route", "hydrometallurgical", *PACT])
    pcf = footprint(out)["pcf"]
    assert {k: v for k, v in pcf.items() if k.startswith("geography")} == {"geographyCountry": country}
