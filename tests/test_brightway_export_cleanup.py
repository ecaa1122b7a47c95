"""What Activity Browser users see in an export: locations, unit names, parameters, co-products, output.

Plan-level checks need no project; the others export the hand-solvable test systems into a
temporary Brightway data folder.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import DATA

from cathode_lca.brightway.export import export_to_brightway
from cathode_lca.brightway.plan import BRIGHTWAY_UNITS, plan_export
from cathode_lca.brightway.project import recalculate
from cathode_lca.cli.brightway import brightway
from cathode_lca.errors import UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway


def small_model(*files: str) -> LCAModel:
    return LCAModel(load_inventory([DATA / f for f in files]))


def activities(plan):
    return [a for db in (plan.background, plan.foreground) for a in plan.data[db].values()]


@pytest.fixture(scope="module")
def shipped_plan():
    return plan_export(default_model())


# ---------------------------------------------------------------------------
# locations


def test_shipped_locations_are_resolved(shipped_plan):
    templated = [a for a in activities(shipped_plan) if "{" in a["cathode-lca location"]]
    assert templated, "the shipped inventories have '{plant_region}' datasets"
    assert all(a["location"] == "US" for a in templated)  # plant_region's default
    assert not [a for a in activities(shipped_plan) if "{" in a["location"]]


def test_locations_follow_the_scenario():
    from cathode_lca.cli.scenarios import apply_scenarios

    applied = apply_scenarios(default_model(), ["eu-2030-recycler"], {})  # plant_region: EU
    plan = plan_export(applied.model)
    templated = [a for a in activities(plan) if a["cathode-lca location"] == "{plant_region}"]
    assert templated and {a["location"] for a in templated} == {"EU"}


def test_a_location_template_without_its_parameter_is_a_clear_error(write_yaml):
    path = write_yaml(
        "format: cathode-lca/1\ninclude: [flows.yaml]\ndatasets:\n"
        "  - id: x\n    name: x\n    stage: chemicals\n    location: '{nowhere}'\n"
        "    exchanges:\n      - {flow: co2, amount: 1, unit: kg, source: test}\n"
    )
    with pytest.raises(UsageError, match=r"dataset 'x'.*'\{nowhere\}'") as info:
        plan_export(LCAModel(load_inventory([path])), biosphere=None)
    assert "template" in info.value.hint


# ---------------------------------------------------------------------------
# units


def test_units_are_brightway_names(shipped_plan):
    names = set(BRIGHTWAY_UNITS.values())
    units = {a["unit"] for a in activities(shipped_plan)}
    units |= {e["unit"] for a in activities(shipped_plan) for e in a["exchanges"]}
    units |= {f["unit"] for f in shipped_plan.data[shipped_plan.biosphere].values()}
    assert units <= names, units - names
    assert {"kilogram", "kilowatt hour", "megajoule", "ton kilometer", "litre"} <= units


# ---------------------------------------------------------------------------
# co-products


@pytest.mark.parametrize(
    ("allocation", "expected"),
    [("none", "burden-free"), ("economic", "allocated (economic allocation)"), ("system-expansion", "substitution")],
)
def test_co_products_are_named_shortly_and_marked(allocation, expected):
    plan = plan_export(small_model("multi.yaml"), allocation=allocation, biosphere=None)
    (cu,) = [a for a in activities(plan) if a["cathode-lca product"] == "cu"]
    assert cu["name"] == "cu (co-product)"
    assert cu["cathode-lca co-product"].startswith(expected)
    assert "recycler" in cu["comment"] and cu["comment"] != "" and expected.split()[0] in cu["comment"].lower()
    if allocation == "none":  # burden-free: nothing but its production
        assert [e["type"] for e in cu["exchanges"]] == ["production"]


def test_shipped_co_product_names_are_short(shipped_plan):
    co = [a for a in activities(shipped_plan) if "cathode-lca co-product" in a]
    assert co and max(len(a["name"]) for a in co) <= 100
    assert all(a["cathode-lca co-product"] == "burden-free" for a in co)  # 'none' allocation


# ---------------------------------------------------------------------------
# parameters: no placeholders, project parameters take effect


def test_no_placeholder_parameters_and_global_parameters_in_the_project(bd, tmp_path):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    # chain.yaml's dataset 'c' has a formula but no parameter of its own: bw2data would add a dummy
    model = global_chain(tmp_path)
    export_to_brightway("params", model, methods=[method])
    bd.projects.set_current("params")
    from bw2data.parameters import ActivityParameter, DatabaseParameter, ProjectParameter

    names = [p.name for p in ActivityParameter.select()]
    assert not [n for n in names if n.startswith("__dummy")]
    assert "c__reference_output" in names
    assert [p.name for p in ProjectParameter.select()] == ["co2_of_a"]
    assert [p.name for p in DatabaseParameter.select()] == ["chain__b_per_c"]

    def score():
        import bw2calc

        lca = bw2calc.LCA({bd.get_node(code="c"): 1.0}, ("cathode-lca", "test-gwp"))
        lca.lci()
        lca.lcia()
        return lca.score

    # chain.yaml by hand: 0.5078 per kg C; A's CO2 (1 kg/kg) enters as 2 * 0.003 = 0.006
    assert score() == pytest.approx(0.5078, rel=1e-6)
    param = ProjectParameter.get(name="co2_of_a")
    param.amount = 11.0
    param.save()
    bd.parameters.recalculate()
    assert score() == pytest.approx(0.5078 + 2 * 0.003 * 10, rel=1e-6)
    # the reference output parameter is real: halving it doubles the score per unit of output
    ref = ActivityParameter.get(name="c__reference_output")
    ref.amount = 0.5
    ref.save()
    recalculate()  # ours: bw2data's recalculation in one transaction
    assert score() == pytest.approx(2 * (0.5078 + 2 * 0.003 * 10), rel=1e-6)


def test_share_global_groups_by_hand():
    from cathode_lca.brightway.plan import share_global_groups

    params = {
        "fg:a": [{"name": "a__x", "formula": "2 * g"}],  # uses the global g
        "fg:b": [{"name": "b__y", "amount": 1.0}],  # own parameters only
        "fg:c": [{"name": "c__reference_output", "amount": 1.0}],
    }
    acts = {"fg:a": [("fg", "a")], "fg:b": [("fg", "b")], "fg:c": [("fg", "c")]}
    data = {
        ("fg", "a"): {"exchanges": [{"formula": "a__x"}]},
        ("fg", "b"): {"exchanges": [{"formula": "b__y * 3"}, {"amount": 1.0}]},
        ("fg", "c"): {"exchanges": [{"formula": "c__reference_output * file__k"}]},  # a database parameter
    }
    shared = [("fg:db", {"file__k"}), ("fg:project", {"g", "h"})]
    p2, a2 = share_global_groups(params, acts, data, shared)
    assert sorted(p2) == sorted(a2) == ["fg:b", "fg:db", "fg:project"]
    assert [r["name"] for r in p2["fg:project"]] == ["a__x"] and a2["fg:project"] == [("fg", "a")]
    assert [r["name"] for r in p2["fg:db"]] == ["c__reference_output"] and a2["fg:db"] == [("fg", "c")]
    assert p2["fg:b"] == params["fg:b"] and a2["fg:b"] == acts["fg:b"]
    # a group using both kinds goes to the first entry; nothing used: nothing moves
    data[("fg", "a")] = {"exchanges": [{"formula": "a__x * file__k"}]}
    p3, _ = share_global_groups(params, acts, data, shared)
    assert [r["name"] for r in p3["fg:db"]] == ["a__x", "c__reference_output"] and "fg:project" not in p3
    assert share_global_groups(params, acts, data, [("fg:x", {"nothing"})]) == (params, acts)


def test_shipped_plan_has_one_group_per_kind_of_global(shipped_plan):
    from cathode_lca.brightway.plan import formula_names

    fg = shipped_plan.foreground
    on_db, on_project = f"{fg}:uses database parameters", f"{fg}:uses project parameters"
    db_names = {r["name"] for r in shipped_plan.database_parameters}
    project_names = {r["name"] for r in shipped_plan.project_parameters}

    def names(group):
        found = {
            n
            for r in shipped_plan.activity_parameters.get(group, [])
            if r.get("formula")
            for n in formula_names(r["formula"])
        }
        for key in shipped_plan.group_activities.get(group, []):
            for exc in shipped_plan.data[fg][key]["exchanges"]:
                if "formula" in exc:
                    found |= formula_names(exc["formula"])
        return found

    # a database-parameter change expires only the first; the second uses project parameters only
    assert names(on_db) & db_names and names(on_project) & project_names and not names(on_project) & db_names
    assert all(not names(g) & (db_names | project_names) for g in shipped_plan.groups if g not in (on_db, on_project))
    records = [r for rs in shipped_plan.activity_parameters.values() for r in rs]
    assert len({r["name"] for r in records}) == len(records)  # unique: they can share a group
    # each parameter stays on its own dataset's activity: many activities in one group
    by_name = {r["name"]: r["code"] for r in shipped_plan.activity_parameters[on_project]}
    assert by_name["electricity_plant__reference_output"] == "electricity-plant"
    assert len(set(by_name.values())) > 10


def _amounts():
    from bw2data.backends import ExchangeDataset as ED
    from bw2data.parameters import ActivityParameter as AP
    from bw2data.parameters import DatabaseParameter as DP
    from bw2data.parameters import ProjectParameter as PP

    return (
        sorted(PP.select(PP.name, PP.amount).tuples()),
        sorted(DP.select(DP.name, DP.amount).tuples()),
        sorted(AP.select(AP.group, AP.name, AP.amount).tuples()),
        sorted((d["output"], d["input"], d["amount"]) for (d,) in ED.select(ED.data).tuples()),
    )


def test_batched_recalculate_equals_bw2data(bd, tmp_path):
    """Same edits in two copies of one export: bw2data's recalculate() and ours leave identical amounts."""
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ProjectParameter

    from cathode_lca.errors import SolverError

    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    model = global_chain(tmp_path)
    results = {}

    def theirs() -> None:
        # bw2data's one pass over the expired groups leaves a group stale that reads a group
        # recalculated after it (here 'user'); a second pass finishes it. Ours needs one call.
        bd.parameters.recalculate()
        bd.parameters.recalculate()

    for project, run in (("theirs", theirs), ("ours", recalculate)):
        export_to_brightway(project, model, methods=[method])
        bd.projects.set_current(project)
        # a user's own group that reads a parameter of an export's shared group (bw2data's group order)
        shared = "cathode-lca foreground:uses database parameters"  # c uses the file parameter b_per_c
        user = [
            {"name": "user__k", "formula": "c__reference_output * 2", "database": "cathode-lca background", "code": "b"}
        ]
        Group.create(name="user", order=[shared])
        bd.parameters.new_activity_parameters(user, "user")
        run()
        before = _amounts()
        param = ProjectParameter.get(name="co2_of_a")
        param.amount = 11.0
        param.save()
        run()
        db_param = DatabaseParameter.get(name="chain__b_per_c")
        db_param.amount = 3.0
        db_param.save()
        run()
        ref = ActivityParameter.get(name="c__reference_output")
        ref.amount = 0.5
        ref.save()
        run()
        results[project] = _amounts()
        assert results[project] != before
        stale = [g.name for g in Group.select().where(Group.fresh == False)]  # noqa: E712
        assert not stale, (project, stale)
    assert results["ours"] == results["theirs"]
    # by hand (chain.yaml): C needs 3 kg B per 0.5 kg C, so 6 kg B per kg C; A's CO2 is 11 kg/kg
    exchanges = {(o[1], i[1]): a for o, i, a in results["ours"][3]}
    assert exchanges[("c", "b")] == pytest.approx(3.0) and exchanges[("c", "c")] == pytest.approx(0.5)
    assert ("user", "user__k", 1.0) in results["ours"][2]  # recalculated after the group it reads

    # a formula Brightway cannot evaluate: a clear error, and no amount changes
    from bw2data.parameters import ParameterizedExchange

    pe = ParameterizedExchange.get(formula="chain__b_per_c")
    pe.formula = "chain__b_per_c / 0"
    pe.save()
    before = _amounts()
    with pytest.raises(SolverError, match=r"chain__b_per_c / 0"):
        recalculate()
    assert _amounts() == before
    # a name defined nowhere: bw2data's own MissingName, nothing changed
    from bw2parameters.errors import MissingName

    pe.formula = "chain__b_per_c * nowhere"
    pe.save()
    with pytest.raises(MissingName, match="nowhere"):
        recalculate()
    assert _amounts() == before


def global_chain(tmp_path) -> LCAModel:
    """chain.yaml with a global parameter: A's CO2 per kg (1.0, as in chain.yaml)."""
    glob = tmp_path / "chain.yaml"
    glob.write_text(
        (DATA / "chain.yaml")
        .read_text()
        .replace(
            "  b_per_c: {value: 2.0,",
            "  co2_of_a: {value: 1.0, unit: kg/kg, scope: global, source: test}\n  b_per_c: {value: 2.0,",
        )
        .replace(
            "{flow: co2, amount: 1, unit: kg, source: test}", "{flow: co2, amount: co2_of_a, unit: kg, source: test}"
        )
    )
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    return LCAModel(load_inventory([glob]))


def test_a_different_project_parameter_is_a_conflict(bd, tmp_path):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    glob = tmp_path / "g.yaml"
    glob.write_text(
        (DATA / "chain.yaml")
        .read_text()
        .replace("parameters:\n", "parameters:\n  k: {value: 1.0, scope: global, source: test}\n")
    )
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    bd.projects.set_current("mine")
    bd.parameters.new_project_parameters([{"name": "k", "amount": 5.0}])
    with pytest.raises(UsageError, match="project parameter.*'k'"):
        export_to_brightway("mine", LCAModel(load_inventory([glob])), methods=[method])
    bd.projects.set_current("mine")
    from bw2data.parameters import ProjectParameter

    assert ProjectParameter.get(name="k").amount == 5.0
    # the same parameter written by another export (other prefix) is shared, not a conflict
    export_to_brightway("mine", LCAModel(load_inventory([glob])), methods=[method], overwrite=True)
    export_to_brightway("mine", LCAModel(load_inventory([glob])), methods=[method], prefix="second")
    bd.projects.set_current("mine")
    assert ProjectParameter.get(name="k").amount == 1.0


# ---------------------------------------------------------------------------
# quiet unless --verbose


def test_export_is_quiet_unless_verbose(bd, capfd):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    model = small_model("chain.yaml", "multi.yaml")
    export_to_brightway("quiet", model, methods=[method])
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    export_to_brightway("loud", model, methods=[method], verbose=True)
    captured = capfd.readouterr()
    assert "it/s" in captured.err  # bw2data's progress bars


def test_cli_passes_verbose_and_biosphere_and_prints_notes(monkeypatch):
    from cathode_lca.brightway import export as bw_export
    from cathode_lca.brightway.plan import ExportReport

    seen = {}

    def fake(project, model, **kwargs):
        seen.update(kwargs)
        dbs = ("b", "g", "f")
        return ExportReport(
            project,
            dbs,
            dict.fromkeys(dbs, 1),
            0,
            0,
            [],
            "none",
            {"inventory_hash": "0" * 12, "package_version": "x"},
            "biosphere3",
            4,
            ["kept the project's own method"],
        )

    monkeypatch.setattr(bw_export, "export_to_brightway", fake)
    result = CliRunner().invoke(brightway, ["export", "--project", "p", "--biosphere", "none", "--verbose"])
    assert result.exit_code == 0, result.output
    assert seen["biosphere"] is None and seen["verbose"] is True
    assert "note: kept the project's own method" in result.output
    assert "(4 more linked to biosphere3)" in result.output
    CliRunner().invoke(brightway, ["export", "--project", "p"])
    assert seen["biosphere"] == "biosphere3" and seen["verbose"] is False


def test_quiet_brightway_keeps_structlog_lines_off_stdout_and_passes_our_warnings_on(capsys):
    # structlog (bw2data imported before import_bw2data) prints its log lines to stdout, which broke
    # 'brightway export --format json' in a process that had imported bw2data first
    import logging

    from cathode_lca.brightway.project import quiet_brightway

    with quiet_brightway():
        print("\x1b[2m03:00:44\x1b[0m [warning  ] Not able to determine geocollections for all datasets")
        print("warning: an export note of ours")
        logging.getLogger("bw2data").warning("plain logging too")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "warning: an export note of ours\n"
    with quiet_brightway(verbose=True):
        print("shown with --verbose")
    assert capsys.readouterr().out == "shown with --verbose\n"
