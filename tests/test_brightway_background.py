"""Our foreground on a user's Brightway background: a synthetic "ecoinvent-like" database.

The test builds, in its own temporary Brightway data directory, a biosphere with ecoinvent-style
names and categories and a technosphere of ~300 processes with a hub-and-core structure (loops
between hubs), whose activities carry the names of the shipped ecoinvent 3.10 example mapping.
Expected values are computed here with dense numpy linear algebra on the same data, and the
expected foreground through an independent path (an ``overrides:`` inventory file with the
aggregated flows).
"""

from __future__ import annotations

import json
import shutil

import click
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cathode_lca.brightway.background import (
    background_datasets,
    load_mapping,
    model_on_background,
    parse_background,
    shipped_mapping,
)
from cathode_lca.brightway.project import import_bw2data
from cathode_lca.cli.model import model_with_background
from cathode_lca.cli.options import background_options
from cathode_lca.errors import InventoryError, UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway  # needs bw2data / bw2calc / bw_processing

UNIT_NAMES = {"kg": "kilogram", "kWh": "kilowatt hour", "MJ": "megajoule", "t*km": "ton kilometer"}
BIOSPHERE = [  # code, name, categories, unit
    ("co2", "Carbon dioxide, fossil", ("air",), "kilogram"),
    ("co2-urban", "Carbon dioxide, fossil", ("air", "urban air close to ground"), "kilogram"),
    ("ch4", "Methane, fossil", ("air",), "kilogram"),
    ("ch4-nf", "Methane, non-fossil", ("air", "non-urban air or from high stacks"), "kilogram"),
    ("n2o", "Dinitrogen monoxide", ("air",), "kilogram"),
    ("water-river", "Water, river", ("natural resource", "in water"), "cubic meter"),
    ("water-out", "Water", ("water", "surface water"), "cubic meter"),
    ("water-air", "Water", ("air",), "cubic meter"),
    ("solar", "Energy, solar, converted", ("natural resource", "in air"), "megajoule"),
    ("coal", "Coal, hard", ("natural resource", "in ground"), "kilogram"),
    ("so2", "Sulfur dioxide", ("air",), "kilogram"),
    ("sf6", "Sulfur hexafluoride", ("air", "non-urban air or from high stacks"), "kilogram"),
    ("gas", "Gas, natural", ("natural resource", "in ground"), "standard cubic meter"),
    ("water-unspecified", "Water", ("water",), "cubic meter"),
    ("co2-bio", "Carbon dioxide, non-fossil", ("air",), "kilogram"),
    ("nox", "Nitrogen oxides", ("air",), "kilogram"),
]
# what the shipped mapping should do with these flows, written out by hand: (our flow, factor)
EXPECTED_FLOW_MAP = {
    "co2": ("co2-fossil-air", 1.0),
    "co2-urban": ("co2-fossil-air", 1.0),
    "ch4": ("ch4-fossil-air", 1.0),
    "ch4-nf": ("ch4-biogenic-air", 1.0),
    "n2o": ("n2o-air", 1.0),
    "water-river": ("water-consumption", 1000.0),  # m3 -> L
    "water-out": ("water-consumption", -1000.0),  # released to surface water
    "solar": ("energy-primary-non-fossil", 1.0),
    "coal": ("energy-primary-coal", 19.1),  # HHV, CED in ecoinvent's LCIA implementation 3.9
    "sf6": ("ghg-unspecified-co2eq-air", 25200.0),  # IPCC 2021 GWP-100
    "gas": ("energy-primary-natural-gas", 40.0),  # MJ per Sm3, HHV
    "water-unspecified": ("water-consumption", -1000.0),  # released to water, unspecified
}
BIO, TECH = "biosphere-like", "ecoinvent-like"
pytestmark = pytest.mark.brightway  # bw2data / bw2calc
METHODS = ["ipcc2021-gwp100", "ced", "water"]


def f32(value: float) -> float:
    """bw2data stores processed amounts as float32: test amounts are float32-representable, so the
    comparison with float64 numpy is exact up to solver round-off."""
    return float(np.float32(value))


class Synthetic:
    """The synthetic database, plus dense A and B to compute expected values independently."""

    def __init__(self, bd, n_hubs: int = 15, n_generic: int = 250, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.mapping = load_mapping(shipped_mapping())
        inventory = default_model().inventory
        self.codes: list[str] = []
        acts: dict[str, dict] = {}

        def add(code, name, location, product, unit, production=1.0):
            self.codes.append(code)
            acts[code] = {
                "name": name,
                "location": location,
                "reference product": product,
                "unit": unit,
                "type": "process",
                "exchanges": [{"input": (TECH, code), "amount": production, "type": "production"}],
            }

        def inputs(code, candidates, k, low, high):
            for other in rng.choice(candidates, size=min(k, len(candidates)), replace=False):
                acts[code]["exchanges"].append(
                    {"input": (TECH, str(other)), "amount": f32(rng.uniform(low, high)), "type": "technosphere"}
                )

        def emissions(code, k):
            for i in rng.choice(len(BIOSPHERE), size=k, replace=False):
                acts[code]["exchanges"].append(
                    {"input": (BIO, BIOSPHERE[i][0]), "amount": f32(rng.uniform(0.01, 2)), "type": "biosphere"}
                )

        hubs = [f"hub-{i}" for i in range(n_hubs)]
        for code in hubs:
            add(code, f"core process {code}", "GLO", f"core product {code}", "kilogram")
        for code in hubs:  # the core: every hub uses two others (loops)
            inputs(code, [h for h in hubs if h != code], 2, 0.01, 0.2)
            emissions(code, 4)
        generic = [f"generic-{i}" for i in range(n_generic)]
        for i, code in enumerate(generic):
            add(code, f"generic process {i}", "GLO", f"generic product {i}", "kilogram")
            inputs(code, hubs, 2, 0.05, 0.5)
            if i:
                inputs(code, generic[:i], 1, 0.05, 0.5)
            emissions(code, 3)
        self.activity_of: dict[str, str] = {}
        by_selector: dict[tuple, str] = {}
        for dataset_id, sel in self.mapping.datasets.items():
            ident = (sel.name, sel.location, sel.reference_product)
            if ident not in by_selector:
                code = f"mapped-{len(by_selector)}"
                unit = UNIT_NAMES[inventory.datasets[dataset_id].unit]
                add(code, sel.name, sel.location, sel.reference_product, unit, 2.0 if "sulfuric" in sel.name else 1.0)
                inputs(code, hubs, 2, 0.05, 1.0)
                inputs(code, generic, 1, 0.05, 1.0)
                emissions(code, 5)
                by_selector[ident] = code
            self.activity_of[dataset_id] = by_selector[ident]
        # an activity in MJ for a dataset in kWh (unit conversion, with a mapping of its own)
        add("elec-mj", "electricity, in MJ", "DE", "electricity, in MJ", "megajoule")
        inputs("elec-mj", hubs, 2, 0.05, 1.0)
        emissions("elec-mj", 3)
        # decoy: the same name in another location, which the mapping must not pick
        add("decoy", "market for sulfuric acid", "RER", "sulfuric acid", "kilogram")
        emissions("decoy", 2)
        add("decoy-2", "market for sulfuric acid", "RoW", "sulfuric acid, technical grade", "kilogram")
        emissions("decoy-2", 2)
        bd.Database(BIO).write(
            {
                (BIO, code): {"name": name, "categories": cats, "unit": unit, "type": "emission", "exchanges": []}
                for code, name, cats, unit in BIOSPHERE
            }
        )
        bd.Database(TECH).write({(TECH, code): act for code, act in acts.items()}, searchable=False)
        n = len(self.codes)
        col = {c: i for i, c in enumerate(self.codes)}
        flow_row = {b[0]: i for i, b in enumerate(BIOSPHERE)}
        self.A = np.zeros((n, n))
        self.B = np.zeros((len(BIOSPHERE), n))
        for code, act in acts.items():
            for exc in act["exchanges"]:
                if exc["type"] == "production":
                    self.A[col[code], col[code]] += exc["amount"]
                elif exc["type"] == "technosphere":
                    self.A[col[exc["input"][1]], col[code]] -= exc["amount"]
                else:
                    self.B[flow_row[exc["input"][1]], col[code]] += exc["amount"]
        self.col = col
        self.n_processes = n

    def user_lci(self, dataset_id: str) -> np.ndarray:
        """User flows per unit of the mapped activity's reference product (numpy solve)."""
        demand = np.zeros(self.n_processes)
        demand[self.col[self.activity_of[dataset_id]]] = 1.0
        return self.B @ np.linalg.solve(self.A, demand)

    def our_lci(self, dataset_id: str, flows: list[str], code: str | None = None, convert: float = 1.0) -> np.ndarray:
        demand = np.zeros(self.n_processes)
        demand[self.col[code or self.activity_of[dataset_id]]] = 1.0
        user = self.B @ np.linalg.solve(self.A, demand) * convert
        out = np.zeros(len(flows))
        for i, (code, *_rest) in enumerate(BIOSPHERE):
            if code in EXPECTED_FLOW_MAP:
                flow, factor = EXPECTED_FLOW_MAP[code]
                out[flows.index(flow)] += factor * user[i]
        return out


@pytest.fixture(scope="module")
def synthetic_template(tmp_path_factory):
    """Build the synthetic database once; every test gets its own copy of the data directory."""
    bd = import_bw2data()
    base = tmp_path_factory.mktemp("bw-template")
    logs = tmp_path_factory.mktemp("bw-template-logs")
    bd.projects.change_base_directories(base, base_logs_dir=logs, project_name="ei", update=False)
    data = Synthetic(bd)
    bd.projects.change_base_directories(logs, base_logs_dir=logs, project_name="default", update=False)
    return base, data


@pytest.fixture
def synthetic(synthetic_template, tmp_path):
    bd = import_bw2data()
    template, data = synthetic_template
    base, logs = tmp_path / "bw", tmp_path / "bw-logs"
    shutil.copytree(template, base)
    logs.mkdir()
    bd.projects.change_base_directories(base, base_logs_dir=logs, project_name="default", update=False)
    return data


def override_file(tmp_path, synthetic: Synthetic, tracer: str | None = None) -> str:
    """Independent expected model: the mapped datasets replaced through an overrides: file.

    With *tracer* (a user flow code), each mapped dataset also emits that user flow's amount as
    extra fossil CO2, so the CO2 difference to the plain file is the tracer's amount per FU.
    """
    inventory = default_model().inventory
    flows = list(inventory.flows)
    codes = [b[0] for b in BIOSPHERE]
    datasets = []
    for dataset_id in synthetic.mapping.datasets:
        ds = inventory.datasets[dataset_id]
        values = synthetic.our_lci(dataset_id, flows)
        if tracer is not None:
            values[flows.index("co2-fossil-air")] += synthetic.user_lci(dataset_id)[codes.index(tracer)]
        datasets.append(
            {
                "id": dataset_id,
                "name": ds.name,
                "stage": ds.stage,
                "unit": ds.unit,
                "element_balance": {"skip": "test"},
                "products": [{"id": ds.reference_product.id, "amount": 1, "unit": ds.unit, "reference": True}],
                "exchanges": [
                    {"flow": f, "amount": float(v), "unit": inventory.flows[f].unit, "source": "test"}
                    for f, v in zip(flows, values, strict=True)
                    if v != 0
                ],
            }
        )
    path = tmp_path / f"expected-background-{tracer}.yaml"
    path.write_text(json.dumps({"format": "cathode-lca/1", "overrides": {"datasets": datasets}}))  # JSON is YAML
    return str(path)


def scores(model, demand, **kwargs):
    ds = model.calculate(demand, methods=METHODS, contributions=False, **kwargs)
    return np.array([float(ds.score.sel(lcia_method=m)) for m in METHODS])


# ---------------------------------------------------------------------------


def test_mapped_datasets_carry_the_users_cumulative_lci(synthetic):
    model, report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fallback")
    flows = list(model.inventory.flows)
    assert set(report.mapped) == set(synthetic.mapping.datasets)
    assert report.mapped["sulfuric-acid-greet2022"]["location"] == "RoW"  # not the RER decoy
    assert report.mapped["electricity-grid-de"]["convert"] == 1.0  # kWh -> kilowatt hour
    for dataset_id in [
        "sulfuric-acid-greet2022",
        "electricity-grid-de",
        "transport-rail",
        "copper-metal-greet2022",
    ]:
        ds = model.calculate({dataset_id: 1.0}, contributions=False)
        expected = synthetic.our_lci(dataset_id, flows)
        got = ds.inventory.sel(flow=flows).values
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-12), dataset_id
        assert "brightway:ei/ecoinvent-like activity" in model.inventory.datasets[dataset_id].exchanges[0].source
    # everything not mapped keeps cathode-lca's data: on purpose (the mapping's 'fallback:', with a reason)
    fallback = set(background_datasets(model.inventory)) - set(report.mapped)
    assert set(report.fallback_datasets) == fallback and "coal-industrial-boiler" in fallback
    assert report.unmapped_datasets == []
    assert "combustion only" in report.fallback_datasets["coal-industrial-boiler"]
    shipped = default_model().inventory
    assert model.inventory.datasets["coal-industrial-boiler"] == shipped.datasets["coal-industrial-boiler"]
    assert model.inventory.content_hash != shipped.content_hash


def test_unmapped_user_flows_are_reported_with_their_amounts(synthetic):
    _model, report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fallback")
    rows = {(r["dataset"], r["flow"], tuple(r["categories"])): r["amount"] for r in report.unmapped_flows}
    user = synthetic.user_lci("nickel-sulfate-greet2022")
    codes = [b[0] for b in BIOSPHERE]
    so2, nox = codes.index("so2"), codes.index("nox")
    assert rows[("nickel-sulfate-greet2022", "Sulfur dioxide", ("air",))] == pytest.approx(user[so2])
    assert rows[("nickel-sulfate-greet2022", "Nitrogen oxides", ("air",))] == pytest.approx(user[nox])
    assert {r["flow"] for r in report.unmapped_flows} == {"Sulfur dioxide", "Nitrogen oxides"}
    # evaporation and biogenic CO2 are ignored with a reason
    assert {r["flow"] for r in report.ignored_flows} == {"Water", "Carbon dioxide, non-fossil"}
    summary = report.summary()
    assert "Sulfur dioxide (air) [kilogram]" in summary and "kept from cathode-lca" in summary


def test_foreground_results_equal_an_independent_override_of_the_same_background(synthetic, tmp_path):
    model, _report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fallback")
    expected = LCAModel(load_inventory(extra=[override_file(tmp_path, synthetic)]))
    for demand in ({"cam-nmc811-virgin": 1.0}, {"cam-nmc811-hydrometallurgical": 2.0}, {"electricity-plant": 1.0}):
        ours = scores(model, demand)
        assert np.allclose(ours, scores(expected, demand), rtol=1e-9, atol=0), demand
        assert not np.allclose(ours, scores(default_model(), demand), rtol=1e-3), demand
    # Monte Carlo over the foreground: vectorised parameters on the new background
    samples = np.array([0.9, 0.95, 0.99])
    many = model.calculate(
        {"cam-nmc811-hydrometallurgical": 1.0}, parameters={"hydro_recovery_ni": samples}, keep_sample=True
    )
    for i, value in enumerate(samples):
        one = scores(model, {"cam-nmc811-hydrometallurgical": 1.0}, parameters={"hydro_recovery_ni": value})
        assert float(many.score.sel(lcia_method="ipcc2021-gwp100")[i]) == pytest.approx(one[0], rel=1e-12)


def test_the_background_is_solved_once_for_all_interface_products(synthetic, monkeypatch):
    # one multi-column solve by the engine (block Jacobi or one factorisation), not bw2calc's
    # factorisation and one solve per mapped activity
    import bw2calc

    import cathode_lca.engine.factorize as factorize

    calls: list[tuple[int, int]] = []
    real = factorize.solve_columns

    def counted(matrix, rhs, requested=None):
        calls.append(np.shape(rhs))
        return real(matrix, rhs, requested)

    def forbidden(self, *args, **kwargs):
        raise AssertionError("bw2calc's own factorisation or solve was used")

    monkeypatch.setattr(factorize, "solve_columns", counted)
    monkeypatch.setattr(bw2calc.LCA, "decompose_technosphere", forbidden)
    monkeypatch.setattr(bw2calc.LCA, "solve_linear_system", forbidden)
    model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fallback")
    assert len(calls) == 1 and calls[0][1] == len(synthetic.mapping.datasets)


def test_unmapped_fail_lists_the_missing_datasets_but_not_the_deliberate_fallbacks(synthetic, tmp_path):
    text = shipped_mapping().read_text().replace("  coal-industrial-boiler: {reason:", "  # coal: {reason:")
    path = write_mapping(tmp_path, text)
    with pytest.raises(
        UsageError, match="1 background dataset\\(s\\) have no mapping.*: coal-industrial-boiler\\. "
    ) as info:
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fail")
    assert "--unmapped fallback" in info.value.hint
    # the shipped mapping covers every background dataset: 'fail' passes too
    _model, report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fail")
    assert report.unmapped_datasets == []


def test_units_convert_and_a_wrong_unit_is_an_error_naming_the_line(synthetic, tmp_path):
    shipped = shipped_mapping().read_text()
    flows = shipped[shipped.index("\nflows:\n") :]
    path = write_mapping(tmp_path, "datasets:\n  electricity-grid-de: {code: elec-mj}\n" + flows)
    model, report = model_on_background(f"brightway:ei/{TECH}", path)
    assert report.mapped["electricity-grid-de"]["convert"] == pytest.approx(3.6)  # our kWh -> their MJ
    flows = list(model.inventory.flows)
    got = model.calculate({"electricity-grid-de": 1.0}, contributions=False).inventory.sel(flow=flows).values
    assert np.allclose(got, synthetic.our_lci("", flows, code="elec-mj", convert=3.6), rtol=1e-9, atol=1e-12)
    path = write_mapping(tmp_path, "datasets:\n  electricity-grid-de: {code: elec-mj, unit: kWh}\n")
    with pytest.raises(UsageError, match="has unit 'megajoule'.*expects 'kWh'") as info:
        model_on_background(f"brightway:ei/{TECH}", path)
    assert info.value.line == 2


# ---------------------------------------------------------------------------
# mapping and database errors


def write_mapping(tmp_path, text: str):
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    return path


def test_activity_not_found_names_the_mapping_line_and_close_names(synthetic, tmp_path):
    path = write_mapping(
        tmp_path,
        "format: cathode-lca-background-mapping/1\ndatasets:\n"
        "  sulfuric-acid-greet2022: {name: market for sulphuric acid, location: RoW}\n",
    )
    with pytest.raises(UsageError) as info:
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fallback")
    err = info.value
    assert err.line == 3 and err.file == str(path) and err.dataset == "sulfuric-acid-greet2022"
    assert "'market for sulfuric acid'" in err.hint


def test_ambiguous_and_wrong_location_selectors_are_errors(synthetic, tmp_path):
    path = write_mapping(
        tmp_path,
        "datasets:\n  electricity-grid-de: {name: 'market for electricity, medium voltage', location: XX}\n",
    )
    with pytest.raises(UsageError, match="no process 'market for electricity, medium voltage' in 'XX'") as info:
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fallback")
    assert "DE (electricity, medium voltage)" in info.value.hint
    path = write_mapping(
        tmp_path, "datasets:\n  sulfuric-acid-greet2022: {name: market for sulfuric acid, location: RoW}\n"
    )
    with pytest.raises(UsageError, match="2 processes match") as info:
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fallback")
    assert "reference product" in info.value.hint
    path = write_mapping(tmp_path, "datasets:\n  copper-greet2022: {code: no-such-code}\n")
    with pytest.raises(UsageError, match="no process with code 'no-such-code'"):
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fallback")


def test_a_user_flow_matched_twice_is_an_error(synthetic, tmp_path):
    path = write_mapping(
        tmp_path,
        "datasets:\n  sulfuric-acid-greet2022: {code: mapped-0}\nflows:\n"
        "  co2-fossil-air: [{name: 'Carbon dioxide, fossil', categories: [air]}]\n"
        "  ch4-fossil-air: [{name: 'Carbon dioxide, fossil'}]\n",
    )
    with pytest.raises(UsageError, match="matched by several mapping entries"):
        model_on_background(f"brightway:ei/{TECH}", path, unmapped="fallback")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("datasets:\n  no-such-dataset: {code: x}\n", "unknown dataset 'no-such-dataset'"),
        ("flows:\n  co2-fosil-air: [{name: x}]\n", "unknown flow 'co2-fosil-air'"),
        ("datasets:\n  sulfuric-acid-greet2022: {name: x}\n", "needs 'code', or 'name' and 'location'"),
        ("datasets:\n  sulfuric-acid-greet2022: {code: x, colour: red}\n", "unknown key 'colour'"),
        ("flows:\n  co2-fossil-air: [{name: x, factor: 0}]\n", "must be finite and non-zero"),
        ("dataset: {}\n", "unknown key 'dataset'"),
        ("format: other/2\n", "unsupported format"),
    ],
)
def test_bad_mapping_files_are_reported_with_file_and_line(tmp_path, text, message):
    path = write_mapping(tmp_path, text)
    with pytest.raises((InventoryError, UsageError), match=message) as info:
        model_on_background("brightway:ei/db", path, unmapped="fallback")
    assert info.value.file == str(path) and info.value.line


def test_missing_project_or_database_is_a_usage_error(synthetic):
    with pytest.raises(UsageError, match="project 'nope' does not exist"):
        model_on_background("brightway:nope/db", shipped_mapping(), unmapped="fallback")
    with pytest.raises(UsageError, match="no database 'nope' in Brightway project 'ei'") as info:
        model_on_background("brightway:ei/nope", shipped_mapping(), unmapped="fallback")
    assert TECH in info.value.hint


@given(st.text(min_size=0, max_size=30))
def test_background_specs_parse_or_fail_with_a_usage_error(text):
    try:
        project, database = parse_background(text)
    except UsageError:
        return
    assert text == f"brightway:{project}/{database}" and project and "/" not in project and database


def test_shipped_mapping_is_complete_for_its_flows_and_names_only():
    mapping = load_mapping("ecoinvent-3.10-cutoff")
    assert "ecoinvent 3.10 cut-off activity names (names only, no data)" in mapping.source
    inventory = default_model().inventory
    assert set(mapping.datasets) <= set(background_datasets(inventory))
    assert {s.flow for s in mapping.flows} <= set(inventory.flows)
    for sel in mapping.datasets.values():  # names, locations and reference products only
        assert sel.name and sel.location and sel.reference_product and sel.convert is None


# ---------------------------------------------------------------------------
# CLI options


@click.command()
@click.argument("dataset")
@background_options
def _score(dataset, background, mapping, unmapped):
    model = model_with_background(background, mapping, unmapped)
    click.echo(f"{float(model.calculate({dataset: 1.0}).score.sel(lcia_method='ipcc2021-gwp100')):.12g}")


def test_background_options_on_a_command(synthetic, tmp_path):
    runner = CliRunner()
    args = ["sulfuric-acid-greet2022", "--background", f"brightway:ei/{TECH}", "--mapping", "ecoinvent-3.10-cutoff"]
    result = runner.invoke(_score, [*args, "--unmapped", "fallback"])
    assert result.exit_code == 0, result.output
    flows = list(default_model().inventory.flows)
    lci = synthetic.our_lci("sulfuric-acid-greet2022", flows)
    gwp = float(load_method("ipcc2021-gwp100").vector(flows) @ lci)
    assert float(result.stdout) == pytest.approx(gwp, rel=1e-9)
    assert "dataset(s) linked" in result.stderr
    default = runner.invoke(_score, args)  # the default is fallback
    assert default.exit_code == 0 and default.stdout == result.stdout
    with pytest.raises(UsageError, match="--background needs --mapping"):
        model_with_background(f"brightway:ei/{TECH}", None)
    with pytest.raises(UsageError, match="--mapping needs --background"):
        model_with_background(None, "ecoinvent-3.10-cutoff")


# ---------------------------------------------------------------------------
# End to end through the CLI, default --unmapped, on the SYNTHETIC test database: its activity names,
# reference products, locations and units are those of the shipped mapping, which
# tests/test_mapping_ecoinvent.py checks against the packaged ecoinvent 3.10 cut-off list; its
# amounts are made up (random, float32) and mean nothing.


@pytest.mark.slow
def test_compare_uncertainty_and_passport_run_end_to_end_and_record_the_background(synthetic, tmp_path):
    import hashlib

    from cathode_lca.cli.app import cli

    runner = CliRunner()
    bg = ["--background", f"brightway:ei/{TECH}", "--mapping", "ecoinvent-3.10-cutoff"]
    sha = hashlib.sha256(shipped_mapping().read_bytes()).hexdigest()
    expected = {
        "kind": "brightway",
        "project": "ei",
        "database": TECH,
        "version": None,
        "mapping": "ecoinvent-3.10-cutoff",
        "mapping_sha256": sha,
    }
    result = runner.invoke(cli, ["compare", "NMC811", *bg, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["metadata"]["background"] == expected
    assert (
        f"Brightway database ei/{TECH} (aggregated LCI computed by cathode-lca from the bw2data matrices)"
        in payload["metadata"]["sources"]
    )
    warnings = payload["warnings"]
    # unmapped user flows, with their amount per FU, and kept datasets with their share of each indicator
    flows = [w for w in warnings if "have no mapping to cathode-lca flows" in w]
    assert flows and all("Sulfur dioxide (air)" in w and "count 0 % in every indicator" in w for w in flows)
    kept = [w for w in warnings if "keep cathode-lca's data in this result" in w]
    assert kept and all("share: ipcc2021-gwp100" in w for w in kept)
    # the SO2 per FU in the warning, independently: SO2 carried as extra CO2 through an overrides file
    model, _report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping())
    demand = {"cam-nmc811-virgin": 1.0}
    ds = model.calculate(demand)
    plain = LCAModel(load_inventory(extra=[override_file(tmp_path, synthetic)])).calculate(demand)
    traced = LCAModel(load_inventory(extra=[override_file(tmp_path, synthetic, tracer="so2")])).calculate(demand)
    so2 = float(traced.inventory.sel(flow="co2-fossil-air") - plain.inventory.sel(flow="co2-fossil-air"))
    assert so2 > 0
    assert f"Sulfur dioxide (air) {so2:.4g} kilogram" in " ".join(json.loads(ds.attrs["warnings"]))
    assert json.loads(ds.attrs["background"]) == expected  # JSON text in xarray attrs
    # a kept dataset's share, by hand from its own flows and supply
    kept_line = next(w for w in json.loads(ds.attrs["warnings"]) if "keep cathode-lca's data" in w)
    assert "ammonium-hydroxide-greet2022" in kept_line and "no ammonium hydroxide" in kept_line

    out = tmp_path / "mc.json"
    result = runner.invoke(
        cli, ["uncertainty", "NMC811", *bg, "--samples", "20", "--seed", "1", "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert '"mapping_sha256": "' + sha in out.read_text()

    out = tmp_path / "passport.json"
    result = runner.invoke(
        cli, ["passport", "examples/battery-nmc811.yaml", *bg, "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    meta = json.loads(text)["calculation"]["metadata"]
    assert meta["background"] == expected and "background" in meta["metadataHashCovers"]
    # the passport no longer cites GREET 2022 for the (mapped) transport datasets
    assert "transport datasets are GREET 2022" not in text
    assert f"transport datasets come from the Brightway background ei/{TECH}" in text


def test_datapackage_metadata_records_the_background(synthetic, tmp_path):
    import hashlib

    from bw_processing import load_datapackage
    from fsspec.implementations.zip import ZipFileSystem

    from cathode_lca.brightway.datapackage import write_datapackage

    def meta(path):
        return load_datapackage(ZipFileSystem(str(path))).metadata["cathode_lca"]["background"]

    model, _report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping())
    write_datapackage(tmp_path / "bg.zip", model)
    assert meta(tmp_path / "bg.zip") == {
        "kind": "brightway",
        "project": "ei",
        "database": TECH,
        "version": None,
        "mapping": "ecoinvent-3.10-cutoff",
        "mapping_sha256": hashlib.sha256(shipped_mapping().read_bytes()).hexdigest(),
    }
    write_datapackage(tmp_path / "ours.zip", default_model())
    assert meta(tmp_path / "ours.zip")["kind"] == "shipped" and meta(tmp_path / "ours.zip")["mapping"] is None


def test_a_supplier_footprint_replaces_a_mapped_datasets_background_lci(synthetic, tmp_path):
    """A PACT stand-in for a dataset that the mapping links to the user's background wins over the link:
    the dataset then carries the supplier's value alone (no background LCI left in it, nothing counted twice),
    and the result stays on the user's background for everything else."""
    from cathode_lca.cli.app import cli
    from cathode_lca.exchange.pact import product_footprint

    niso4 = "nickel-sulfate-greet2022"
    flows = list(default_model().inventory.flows)
    methods = {m: load_method(m).vector(flows) for m in ("ipcc2021-gwp100", "ced")}
    mapped = {m: float(v @ synthetic.our_lci(niso4, flows)) for m, v in methods.items()}
    assert mapped["ipcc2021-gwp100"] > 0 and mapped["ced"] > 0
    bg = ["--background", f"brightway:ei/{TECH}", "--mapping", "ecoinvent-3.10-cutoff"]

    def run(command: list[str], value: float | None) -> dict:
        args = [*command, *bg, "--format", "json"]
        if value is not None:
            folder = tmp_path / f"supplier-{value}"
            folder.mkdir()
            fp = product_footprint(
                value, company="S", cpc="34240", product="NiSO4", period=(2023, 2023), created="2026-01-01T00:00:00Z"
            )
            (folder / "nis.json").write_text(json.dumps(fp))
            (folder / "s.yaml").write_text(
                f"format: cathode-lca-scenario/1\nname: supplier\ndatasets:\n  {niso4}:\n    pact: nis.json\n"
            )
            args += ["--scenario", str(folder / "s.yaml")]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def by_indicator(payload: dict, route: str | None = None) -> dict[str, float]:
        return {r["indicator"]: r["value"] for r in payload["results"] if route is None or r["route"] == route}

    own = by_indicator(run(["compute", niso4], None))
    assert own["gwp100"] == pytest.approx(mapped["ipcc2021-gwp100"], rel=1e-9)  # the background's LCI
    supplier = run(["compute", niso4], 3.25)
    values = by_indicator(supplier)
    assert values["gwp100"] == pytest.approx(3.25, rel=1e-12) and values["energy"] == 0.0  # the supplier's alone
    assert supplier["metadata"]["background"]["database"] == TECH  # still on the user's background (JSON, not text)
    assert any("energy and water of this dataset are not covered" in w for w in supplier["warnings"])

    # in a route: linear in the supplier's value, and equal to the background result at the background's value
    command = ["compare", "NMC811", "--route", "virgin", "--indicator", "gwp100"]
    base = by_indicator(run(command, None), "virgin")["gwp100"]
    low, high = (by_indicator(run(command, v), "virgin")["gwp100"] for v in (2.0, 12.0))
    slope = (high - low) / 10.0
    assert slope > 0
    assert low + slope * (mapped["ipcc2021-gwp100"] - 2.0) == pytest.approx(base, rel=1e-9)


def test_a_compare_on_the_background_equals_an_independent_override_and_bw2calc(synthetic, tmp_path):
    """A background-linked compare, recomputed twice without the link code: (1) the same compare on
    an inventory whose mapped datasets carry the synthetic database's LCI from a numpy solve
    (override_file); (2) bw2calc on the linked model's matrices, for the virgin and recycled CAM."""
    from cathode_lca.brightway.crosscheck import crosscheck_many
    from cathode_lca.comparison import compare

    model, _report = model_on_background(f"brightway:ei/{TECH}", shipped_mapping(), unmapped="fallback")
    expected_model = LCAModel(load_inventory(extra=[override_file(tmp_path, synthetic)]))
    linked = compare("NMC811", model=model)
    expected = compare("NMC811", model=expected_model)
    shipped = compare("NMC811")
    assert list(linked.route.values) == list(expected.route.values) and len(linked.route) >= 3
    values, reference = linked.value.values, expected.value.values
    assert np.all(values != 0), "a check on zero scores proves nothing"
    np.testing.assert_allclose(values, reference, rtol=1e-9, atol=0)
    assert not np.allclose(values, shipped.value.values, rtol=1e-3)  # the background did change the result
    # bw2calc, on the linked model's matrices: the virgin and hydrometallurgical routes (1 kg CAM each)
    demands = [{"cam-nmc811-virgin": 1.0}, {"cam-nmc811-hydrometallurgical": 1.0}]
    reports = crosscheck_many(model, demands, methods=["ipcc2021-gwp100"], rtol=1e-9)
    for route, report in zip(("virgin", "hydrometallurgical"), reports, strict=True):
        gwp = float(linked.value.sel(route=route, indicator="gwp100"))
        assert report.bw2calc["ipcc2021-gwp100"] == pytest.approx(gwp, rel=1e-9), route
