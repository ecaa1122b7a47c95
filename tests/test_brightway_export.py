"""Export to a bw2data project: round trip with bw2calc, parameters, refusal and rollback.

Every test works in its own temporary Brightway data directory (never the user's default one).

Precision: bw2data stores processed exchange amounts as float32 (bw_processing
``resolve_dict_iterator``), so ``bw2calc.LCA({activity: 1}, method)`` on the project agrees with our
engine to ~1e-7 only. The exact round trip (relative 1e-9) rebuilds float64 matrices from the
exchanges stored in the project (after ``bw2data.parameters.recalculate()``) and solves them with
bw2calc.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.brightway import export as bw_export
from cathode_lca.brightway.biosphere import NO_TWIN, TWINS
from cathode_lca.brightway.export import export_to_brightway
from cathode_lca.brightway.formula_text import translate_formula
from cathode_lca.brightway.plan import parameter_names, plan_export
from cathode_lca.cli.brightway import brightway
from cathode_lca.errors import UsageError
from cathode_lca.inventory.formulas import parse_formula
from cathode_lca.inventory.load import load_inventory
from cathode_lca.inventory.schema import Location, Parameter
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway


def small_model(*files: str) -> LCAModel:
    return LCAModel(load_inventory([DATA / f for f in files]))


def project_scores(bd, databases, code, methods) -> dict:
    """Exact (float64) LCA of (database, code) from the exchanges stored in the project, with bw2calc."""
    import bw2calc
    import bw_processing as bwp
    from bw2data.backends import ActivityDataset as AD
    from bw2data.backends import ExchangeDataset as ED

    ids = {(d, c): i for d, c, i in AD.select(AD.database, AD.code, AD.id).where(AD.database << databases).tuples()}
    tech, bio = [], []
    for (data,) in ED.select(ED.data).where(ED.output_database << databases).tuples():
        row, col = ids[tuple(data["input"])], ids[tuple(data["output"])]
        sign = {"production": 1.0, "technosphere": -1.0, "biosphere": 1.0}[data["type"]]
        (bio if data["type"] == "biosphere" else tech).append((row, col, sign * float(data["amount"])))
    dp = bwp.create_datapackage(sum_intra_duplicates=True)
    for matrix, entries in (("technosphere_matrix", tech), ("biosphere_matrix", bio)):
        dp.add_persistent_vector(
            matrix=matrix,
            indices_array=np.array([(r, c) for r, c, _ in entries], dtype=bwp.INDICES_DTYPE),
            data_array=np.array([a for _, _, a in entries], dtype=float),
            flip_array=np.zeros(len(entries), dtype=bool),
        )
    demand_id = next(ids[(d, code)] for d in databases if (d, code) in ids)

    def node_id(key):  # bw2data 4 stores method keys as node ids
        return key if isinstance(key, int) else ids[tuple(key)]

    scores = {}
    for method in methods:
        cfs = bd.Method(method).load()
        cdp = bwp.create_datapackage()
        cdp.add_persistent_vector(
            matrix="characterization_matrix",
            indices_array=np.array([(node_id(k), node_id(k)) for k, _ in cfs], dtype=bwp.INDICES_DTYPE),
            data_array=np.array([v for _, v in cfs], dtype=float),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = bw2calc.LCA({demand_id: 1.0}, data_objs=[dp, cdp])
            lca.lci()
            lca.lcia()
        scores[method] = float(lca.score)
    return scores


def our_scores(model, code, methods, **kwargs) -> dict:
    ds = model.calculate({code: 1.0}, methods=methods, contributions=False, **kwargs)
    return {m: float(ds.score.sel(lcia_method=m)) for m in ds.lcia_method.values.tolist()}


def assert_close(bw: dict, ours: dict, rtol: float) -> None:
    by_id = {key[1]: value for key, value in bw.items()}
    for method, value in ours.items():
        assert abs(by_id[method] - value) <= rtol * max(abs(value), 1e-12), (method, by_id[method], value)


# ---------------------------------------------------------------------------
# formula translation


FORMULAS = [
    "2 * a + b / 3 - c ** 2",
    "a % 0.3 + -b",
    "max(a, b, c) - min(a, 0.5) + abs(b - c)",
    "exp(-a) + log(a + 1) + log10(b + 1) + sqrt(c)",
    "clip(a - b, -0.1, 0.2)",
    "where(a > b, a, c)",
    "a if b <= c else 2 * c",
    "(a < b) + (b >= c) * 2 + (a == a) + (a != b)",
    "0 < a < 1",
    "(a > 0.5 and b > 0.5) + 2 * (a > 0.5 or c > 0.5) + 4 * (not a > 0.5)",
    "pi * a + e",
    "(region == 'CN') * a + (region != 'US') * b",
]


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.01, 5),
    b=st.floats(0.01, 5),
    c=st.floats(0.01, 5),
    region=st.sampled_from(["US", "CN", "KR"]),
)
def test_translated_formulas_give_the_engines_value_in_asteval(a, b, c, region):
    from bw2data.parameters import get_interpreter

    choices = {"region": ("US", "CN", "KR")}
    names = {"a": "a", "b": "b", "c": "c", "region": "region"}
    env = {"a": a, "b": b, "c": c, "region": float(choices["region"].index(region))}
    for text in FORMULAS:
        formula = parse_formula(text)
        ours = float(formula.compile(str, choices)(env))
        interpreter = get_interpreter()
        interpreter.symtable.update(env)
        theirs = interpreter(translate_formula(formula, str, names, choices))
        assert not interpreter.error, (text, interpreter.error)
        assert float(theirs) == pytest.approx(ours, rel=1e-12, abs=1e-15), text


def test_parameter_names_are_unique_valid_and_do_not_shadow_asteval():
    where = Location("f.yaml", 1)
    params = {
        "a-b::x": Parameter("a-b::x", "x", "dataset:a-b", "value", where, value=1.0),
        "a_b::x": Parameter("a_b::x", "x", "dataset:a_b", "value", where, value=2.0),
        "sum": Parameter("sum", "sum", "global", "value", where, value=3.0),
        "recycling/hydro::acid": Parameter("recycling/hydro::acid", "acid", "file:recycling/hydro", "value", where),
        "plant_region": Parameter("plant_region", "plant_region", "global", "choice", where, choices=("US",)),
    }
    names = parameter_names(params)
    assert names == {
        "a-b::x": "a_b__x",
        "a_b::x": "a_b__x_2",
        "plant_region": "plant_region",
        "recycling/hydro::acid": "recycling_hydro__acid",
        "sum": "p_sum",
    }


# ---------------------------------------------------------------------------
# the shipped inventories


@pytest.mark.slow
def test_shipped_inventories_round_trip_through_a_project(bd):
    model = default_model()
    methods = ["ipcc2021-gwp100", "ced", "water"]
    report = export_to_brightway("round trip", model)
    assert report.databases == ("cathode-lca biosphere", "cathode-lca background", "cathode-lca foreground")
    # flows with a biosphere3 twin are linked there; the others stay in our supplementary biosphere
    assert report.activities["cathode-lca biosphere"] == len(NO_TWIN) == len(model.inventory.flows) - len(TWINS)
    assert sum(report.activities.values()) == len(NO_TWIN) + len(model.matrices("none").products)
    bd.projects.set_current("round trip")
    from bw2data.parameters import ActivityParameter, DatabaseParameter, ProjectParameter

    fg, dbs = "cathode-lca foreground", [*report.databases, "biosphere3"]
    # global parameters are project parameters only: no database parameter shadows them
    assert not DatabaseParameter.select().where(DatabaseParameter.name == "plant_region").exists()
    assert not ActivityParameter.select().where(ActivityParameter.name.startswith("__dummy")).exists()
    region = ProjectParameter.get(name="plant_region")
    assert region.data["choices"][int(region.amount)] == "US"
    group = f"{fg}:aluminum-greet2022"  # uses only its own parameters: a group of its own
    assert ActivityParameter.get(group=group, name="aluminum_greet2022__greet_total_energy").amount == 92.2758
    # datasets whose formulas use a file (database) parameter share one group, those that use only
    # project parameters another: a global change expires these two and the database parameters,
    # a database-parameter change the first only, not one group per dataset
    from bw2data.parameters import GroupDependency as GD

    on_db, on_project = f"{fg}:uses database parameters", f"{fg}:uses project parameters"
    assert sorted(g for (g,) in GD.select(GD.group).where(GD.depends == "project").tuples()) == [fg, on_db, on_project]
    assert [g for (g,) in GD.select(GD.group).where(GD.depends == fg).tuples()] == [on_db]
    assert ActivityParameter.select().where(ActivityParameter.group == on_project).count() > 1
    node = bd.get_node(database=fg, code="electricity-plant")
    formulas = [e["formula"] for e in node.exchanges() if "formula" in e]
    # CN is the third region; 'supplier-specific' is the third supply choice (no residual mix for CN)
    assert "((1.0 * (plant_electricity_supply != 2)) * (1.0 * (plant_region == 2)))" in formulas
    bd.parameters.recalculate()

    datasets = ["cam-nmc811-virgin", "cam-nmc811-hydrometallurgical", "electricity-plant", "sulfuric-acid-greet2022"]
    for code in datasets:
        ours = our_scores(model, code, methods)
        exact = project_scores(bd, dbs, code, [("cathode-lca", m) for m in methods])
        assert_close(exact, ours, 1e-9)
    # bw2calc straight from the project (float32 processed arrays in bw2data)
    import bw2calc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({bd.get_node(database=fg, code="cam-nmc811-virgin"): 1}, ("cathode-lca", "ipcc2021-gwp100"))
        lca.lci()
        lca.lcia()
    assert lca.score == pytest.approx(
        our_scores(model, "cam-nmc811-virgin", ["ipcc2021-gwp100"])["ipcc2021-gwp100"], rel=1e-6
    )

    # change parameters in Brightway, recalculate, compare with our engine at the same values
    region.amount = float(region.data["choices"].index("CN"))
    region.save()
    recovery = ProjectParameter.get(name="hydro_recovery_ni")
    recovery.amount = 0.9
    recovery.save()
    bd.parameters.recalculate()
    changed = {"plant_region": "CN", "hydro_recovery_ni": 0.9}
    for code in ["electricity-plant", "cam-nmc811-hydrometallurgical"]:
        ours = our_scores(model, code, methods, parameters=changed)
        assert ours != our_scores(model, code, methods)
        assert_close(project_scores(bd, dbs, code, [("cathode-lca", m) for m in methods]), ours, 1e-9)

    # the batched recalculation (cathode_lca.brightway.project.recalculate) after another global
    # change: bw2calc on the project equals our engine at the same values
    from cathode_lca.brightway.project import recalculate

    region.amount = float(region.data["choices"].index("EU"))
    region.save()
    recalculate()
    changed = {"plant_region": "EU", "hydro_recovery_ni": 0.9}
    ours = our_scores(model, "cam-nmc811-hydrometallurgical", ["ipcc2021-gwp100"], parameters=changed)
    assert ours != our_scores(model, "cam-nmc811-hydrometallurgical", ["ipcc2021-gwp100"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        node = bd.get_node(database=fg, code="cam-nmc811-hydrometallurgical")
        lca = bw2calc.LCA({node: 1}, ("cathode-lca", "ipcc2021-gwp100"))
        lca.lci()
        lca.lcia()
    assert lca.score == pytest.approx(ours["ipcc2021-gwp100"], rel=1e-6)


# ---------------------------------------------------------------------------
# allocation options on the hand-solvable test systems


@pytest.mark.parametrize("allocation", ["none", "mass", "economic", "system-expansion", "cut-off"])
def test_test_systems_match_the_engine_under_every_allocation(bd, allocation):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    model = small_model("chain.yaml", "multi.yaml")
    report = export_to_brightway(allocation, model, allocation=allocation, methods=[method], prefix="t")
    bd.projects.set_current(allocation)
    bd.parameters.recalculate()
    for product in ["r", "ni-salt", "cu", "c", "e"]:
        exact = project_scores(bd, list(report.databases), product, [("t", "test-gwp")])
        ours = our_scores(model, product, [method], allocation=allocation)
        assert_close(exact, ours, 1e-9)


def test_multi_output_hand_values_survive_the_export(bd):
    """multi.yaml by hand: economic allocation gives Ni salt 7*10/3 and Cu 7*2/3 kg CO2 per kg."""
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    report = export_to_brightway("hand", small_model("multi.yaml"), allocation="economic", methods=[method])
    bd.projects.set_current("hand")
    dbs = list(report.databases)
    assert project_scores(bd, dbs, "ni-salt", [("cathode-lca", "test-gwp")])[("cathode-lca", "test-gwp")] == (
        pytest.approx(70 / 3, rel=1e-12)
    )
    assert project_scores(bd, dbs, "cu", [("cathode-lca", "test-gwp")])[("cathode-lca", "test-gwp")] == (
        pytest.approx(14 / 3, rel=1e-12)
    )


# ---------------------------------------------------------------------------
# refusal, overwrite and rollback


def _state(bd, project):
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ProjectParameter

    bd.projects.set_current(project)
    return {
        "project_params": sorted((p.name, p.amount) for p in ProjectParameter.select()),
        "databases": sorted(bd.databases),
        "methods": sorted(bd.methods),
        "db_params": sorted((p.database, p.name, p.amount) for p in DatabaseParameter.select()),
        "act_params": sorted(  # bw2data names placeholder parameters __dummy_<uuid>__
            (p.group, "__dummy__" if p.name.startswith("__dummy_") else p.name, p.amount)
            for p in ActivityParameter.select()
        ),
        "groups": sorted(g.name for g in Group.select()),
        "activities": {db: len(bd.Database(db)) for db in bd.databases},
    }


def test_existing_databases_are_refused_without_overwrite(bd):
    model = small_model("chain.yaml")
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    export_to_brightway("p", model, methods=[method])
    before = _state(bd, "p")
    with pytest.raises(UsageError, match="database 'cathode-lca biosphere'") as info:
        export_to_brightway("p", model, methods=[method])
    assert "--overwrite" in info.value.hint
    assert _state(bd, "p") == before
    export_to_brightway("p", model, methods=[method], overwrite=True)
    assert _state(bd, "p") == before


def test_a_failed_export_leaves_nothing_behind(bd, monkeypatch):
    bd.projects.set_current("user project")
    bd.Database("user db").write(
        {("user db", "x"): {"name": "x", "unit": "kg", "exchanges": [], "type": "process", "location": "GLO"}}
    )
    bd.parameters.new_project_parameters([{"name": "user_param", "amount": 3.0}])
    before = _state(bd, "user project")

    def boom(plan):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(bw_export, "_register_methods", boom)
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    with pytest.raises(UsageError, match="rolled back.*injected failure"):
        export_to_brightway("user project", small_model("chain.yaml", "multi.yaml"), methods=[method])
    assert _state(bd, "user project") == before
    # a project created by the failed export is removed again
    with pytest.raises(UsageError, match="rolled back"):
        export_to_brightway("new project", small_model("chain.yaml"), methods=[method])
    assert "new project" not in bd.projects


def test_a_failed_overwrite_restores_the_previous_export(bd, monkeypatch):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    model = small_model("chain.yaml")
    report = export_to_brightway("p", model, methods=[method])
    before = _state(bd, "p")
    bd.projects.set_current("p")
    score_before = project_scores(bd, list(report.databases), "c", [("cathode-lca", "test-gwp")])

    def boom(plan):
        raise RuntimeError("injected failure after writing")

    monkeypatch.setattr(bw_export, "_verify", boom)
    with pytest.raises(UsageError, match="rolled back"):
        export_to_brightway("p", small_model("multi.yaml"), methods=[method], overwrite=True)
    assert _state(bd, "p") == before
    bd.parameters.recalculate()
    assert project_scores(bd, list(report.databases), "c", [("cathode-lca", "test-gwp")]) == score_before


def test_plan_checks_every_formula_without_touching_a_project():
    plan = plan_export(small_model("chain.yaml"))
    fg = plan.data[plan.foreground]
    (c,) = [a for k, a in fg.items() if k[1] == "c"]
    (b_input,) = [e for e in c["exchanges"] if e["input"][1] == "b"]
    assert b_input["formula"] == "chain__b_per_c" and b_input["amount"] == 2.0
    assert {r["name"]: r["uncertainty type"] for r in plan.database_parameters} == {"chain__b_per_c": 4}


# ---------------------------------------------------------------------------
# CLI


@pytest.mark.slow
def test_cli_export_and_refusal(bd, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("format: cathode-lca/1\noverrides:\n  parameters:\n    hydro_recovery_ni: 0.95\n")
    runner = CliRunner()
    result = runner.invoke(
        brightway, ["export", "--project", "cli", "--method", "ipcc2021-gwp100", "--inventory", str(extra)]
    )
    assert result.exit_code == 0, result.output
    assert "cathode-lca foreground:" in result.output and "('cathode-lca', 'ipcc2021-gwp100')" in result.output
    bd.projects.set_current("cli")
    from bw2data.parameters import ProjectParameter

    assert ProjectParameter.get(name="hydro_recovery_ni").amount == 0.95
    again = runner.invoke(brightway, ["export", "--project", "cli", "--method", "ipcc2021-gwp100", "--format", "json"])
    assert isinstance(again.exception, UsageError)
    assert "already has database 'cathode-lca biosphere'" in str(again.exception)
