"""The export links our flows to biosphere3 and registers our methods under their standard names.

Oracles independent of the export code: bw2io's offline ecoinvent elementary-flow list and its
shipped LCIA methods (``lcia_39_ecoinvent.zip``) for the twins and the standard names; bw2io's own
``create_default_biosphere3`` for the project that "already holds biosphere3"; bw2calc for the
LCA in that project; hand-computed scores for the small linked system below.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import pytest

from cathode_lca.brightway import export as bw_export
from cathode_lca.brightway.biosphere import NO_STANDARD_METHOD, NO_TWIN, STANDARD_METHODS, TWINS, biosphere3_flows
from cathode_lca.brightway.export import export_to_brightway
from cathode_lca.brightway.plan import BRIGHTWAY_UNITS, plan_export
from cathode_lca.errors import UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.methods import available_methods, load_method

pytestmark = pytest.mark.brightway

STANDARD_GWP = ("IPCC 2021", "climate change", "global warming potential (GWP100)")

# A small system whose flows have biosphere3 twins (CO2, CH4 fossil) and one that has none.
# By hand, per kg 'p': 2 kg 'q' (global parameter q_per_p) -> CO2 = 2*0.5 + 1 = 2 kg, CH4 = 2*0.1 = 0.2 kg,
# unspecified CO2-eq = 0.3 kg. IPCC 2021: 2 + 0.2*29.8 + 0.3 = 8.26 kg CO2-eq.
LINKED = """\
format: cathode-lca/1
flows:
  - {id: co2-fossil-air, name: "Carbon dioxide, fossil", compartment: air, unit: kg}
  - {id: ch4-fossil-air, name: "Methane, fossil", compartment: air, unit: kg}
  - {id: ghg-unspecified-co2eq-air, name: "GHG as CO2-eq", compartment: air, unit: kg}
parameters:
  q_per_p: {value: 2.0, unit: kg/kg, scope: global, source: test}
datasets:
  - id: p
    name: product P
    stage: cam-production
    element_balance: {skip: test}
    exchanges:
      - {input: q, amount: q_per_p, unit: kg, source: test}
      - {flow: co2-fossil-air, amount: 1, unit: kg, source: test}
      - {flow: ghg-unspecified-co2eq-air, amount: 300, unit: g, source: test}
  - id: q
    name: product Q
    stage: chemicals
    element_balance: {skip: test}
    exchanges:
      - {flow: co2-fossil-air, amount: 0.5, unit: kg, source: test}
      - {flow: ch4-fossil-air, amount: 0.1, unit: kg, source: test}
"""


@pytest.fixture
def linked_model(tmp_path) -> LCAModel:
    path = tmp_path / "linked.yaml"
    path.write_text(LINKED)
    return LCAModel(load_inventory([path]))


def bw2io_methods() -> dict[tuple[str, ...], dict]:
    import bw2io

    path = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(path) as archive:
        data = json.load(archive.open("data.json"))
    return {tuple(m["name"]): m for m in data}


def bw2calc_score(bd, database: str, code: str, method: tuple[str, ...]) -> float:
    import bw2calc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({bd.get_node(database=database, code=code): 1.0}, method)
        lca.lci()
        lca.lcia()
    return float(lca.score)


# ---------------------------------------------------------------------------
# the tables, against bw2io's offline data


def test_every_twin_is_the_biosphere3_flow_of_that_uuid():
    flows = {f["code"]: f for f in biosphere3_flows()}
    assert len(flows) > 4000  # the complete list, not a subset
    for twin in TWINS.values():
        flow = flows[twin.code]
        assert (flow["name"], tuple(flow["categories"]), flow["unit"]) == (twin.name, twin.categories, twin.unit)


def test_every_shipped_flow_is_linked_or_has_a_documented_reason():
    shipped = set(default_model().inventory.flows)
    assert set(TWINS) | set(NO_TWIN) == shipped
    assert not set(TWINS) & set(NO_TWIN)
    doc = Path(__file__).parents[1].joinpath("docs", "brightway.md").read_text()
    for flow_id in shipped:
        assert f"`{flow_id}`" in doc, f"docs/brightway.md does not list {flow_id}"
    for twin in TWINS.values():
        assert twin.code in doc


def test_standard_method_names_are_bw2ios_with_our_factors():
    theirs = bw2io_methods()
    for method_id, name in STANDARD_METHODS.items():
        cfs = {e["input"][1]: e["amount"] for e in theirs[name]["exchanges"]}
        ours = load_method(method_id).factors
        for flow_id, twin in TWINS.items():
            if flow_id in ours:
                assert cfs[twin.code] == pytest.approx(float(ours[flow_id]), rel=1e-12), (name, flow_id)
    # the reason given for IPCC 2013 is true: bw2io's factors differ from ours
    ar5 = {
        e["input"][1]: e["amount"]
        for e in theirs[("IPCC 2013", "climate change", "global warming potential (GWP100)")]["exchanges"]
    }
    assert ar5[TWINS["ch4-fossil-air"].code] != float(load_method("ipcc2013-gwp100").factors["ch4-fossil-air"])
    assert set(STANDARD_METHODS) | set(NO_STANDARD_METHOD) == set(available_methods())


def test_unit_names_are_bw2ios():
    from bw2io.units import normalize_units

    for ours, name in BRIGHTWAY_UNITS.items():
        assert normalize_units(ours) == name, ours


def test_plan_links_twins_and_keeps_the_rest_private(linked_model):
    plan = plan_export(linked_model)
    assert plan.linked_biosphere == "biosphere3"
    assert set(plan.data[plan.biosphere]) == {(plan.biosphere, "ghg-unspecified-co2eq-air")}
    (q,) = [a for k, a in plan.data[plan.background].items() if k[1] == "q"]
    inputs = {tuple(e["input"]) for e in q["exchanges"] if e["type"] == "biosphere"}
    assert inputs == {("biosphere3", TWINS["co2-fossil-air"].code), ("biosphere3", TWINS["ch4-fossil-air"].code)}
    assert plan.standard_methods[STANDARD_GWP] == ("cathode-lca", "ipcc2021-gwp100")
    private = plan_export(linked_model, biosphere=None)
    assert private.linked_biosphere is None and len(private.data[private.biosphere]) == 3
    assert STANDARD_GWP not in private.methods


# ---------------------------------------------------------------------------
# into projects


@pytest.mark.slow
def test_export_into_a_project_with_biosphere3_computes_like_ours(bd):
    """The project already holds biosphere3 (made by bw2io itself); bw2calc there equals our engine."""
    import bw2io

    bd.projects.set_current("ecoinvent-like")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bw2io.create_default_biosphere3()
    flows_before = len(bd.Database("biosphere3"))
    model = default_model()
    report = export_to_brightway("ecoinvent-like", model, methods=["ipcc2021-gwp100", "ced", "water"])
    assert report.linked_biosphere == "biosphere3" and report.linked_flows == len(TWINS)
    assert not any("created" in n for n in report.notes)
    bd.projects.set_current("ecoinvent-like")
    assert len(bd.Database("biosphere3")) == flows_before
    assert len(bd.Database("cathode-lca biosphere")) == len(NO_TWIN)
    fg = "cathode-lca foreground"
    for code in ["cam-nmc811-virgin", "cam-nmc811-hydrometallurgical", "electricity-plant", "sulfuric-acid-greet2022"]:
        database = fg if (fg, code) in bd.Database(fg) else "cathode-lca background"
        ds = model.calculate({code: 1.0}, methods=["ipcc2021-gwp100", "ced"], contributions=False)
        gwp = float(ds.score.sel(lcia_method="ipcc2021-gwp100"))
        ced = float(ds.score.sel(lcia_method="ced"))
        # float32 storage of processed amounts in bw2data: 1e-6
        assert bw2calc_score(bd, database, code, STANDARD_GWP) == pytest.approx(gwp, rel=1e-6), code
        assert bw2calc_score(bd, database, code, ("cathode-lca", "ipcc2021-gwp100")) == pytest.approx(gwp, rel=1e-6)
        assert bw2calc_score(bd, database, code, ("cathode-lca", "ced")) == pytest.approx(ced, rel=1e-6), code


@pytest.mark.slow
def test_a_project_without_biosphere3_gets_the_complete_offline_list(bd, linked_model):
    report = export_to_brightway("fresh", linked_model)
    assert any("created 'biosphere3'" in n for n in report.notes)
    bd.projects.set_current("fresh")
    assert len(bd.Database("biosphere3")) == len(biosphere3_flows())
    assert bw2calc_score(bd, "cathode-lca foreground", "p", STANDARD_GWP) == pytest.approx(8.26, rel=1e-6)
    # the project's own parameter takes effect: q_per_p = 3 -> 3*(0.5 + 0.1*29.8) + 1 + 0.3 = 11.74
    from bw2data.parameters import ProjectParameter

    param = ProjectParameter.get(name="q_per_p")
    param.amount = 3.0
    param.save()
    bd.parameters.recalculate()
    assert bw2calc_score(bd, "cathode-lca foreground", "p", STANDARD_GWP) == pytest.approx(11.74, rel=1e-6)
    # a second export under another prefix (e.g. another allocation) keeps the first one's standard method
    param.amount = 2.0
    param.save()
    second = export_to_brightway("fresh", linked_model, prefix="second")
    assert any("kept ('IPCC 2021'" in n and "prefix 'cathode-lca'" in n for n in second.notes)
    assert STANDARD_GWP not in second.methods and ("second", "ipcc2021-gwp100") in second.methods
    bd.projects.set_current("fresh")
    assert bd.methods[STANDARD_GWP]["cathode-lca alias of"] == ["cathode-lca", "ipcc2021-gwp100"]
    assert bw2calc_score(bd, "second foreground", "p", ("second", "ipcc2021-gwp100")) == pytest.approx(8.26, rel=1e-6)
    # the same prefix again is a conflict, the standard name included
    with pytest.raises(UsageError, match="already has database 'cathode-lca biosphere'"):
        export_to_brightway("fresh", linked_model)


@pytest.mark.slow
def test_a_foreign_standard_method_is_kept_and_compared(bd, linked_model):
    """A project's own IPCC 2021 (e.g. from ecoinvent) is never replaced, even with --overwrite."""
    bd.projects.set_current("has methods")
    export_to_brightway("has methods", linked_model, biosphere="biosphere3")  # creates biosphere3
    bd.projects.set_current("has methods")
    theirs = bd.Method(STANDARD_GWP)
    bd.Method(STANDARD_GWP).deregister()
    theirs.register(unit="kg CO2-Eq", description="someone else's")
    theirs.write(
        [(("biosphere3", TWINS["co2-fossil-air"].code), 1.0), (("biosphere3", TWINS["ch4-fossil-air"].code), 29.7)]
    )
    report = export_to_brightway("has methods", linked_model, overwrite=True)
    (note,) = [n for n in report.notes if "kept the project's own method" in n]
    assert "ch4" in note.lower() or TWINS["ch4-fossil-air"].code in note
    assert "ghg-unspecified-co2eq-air" in note  # no factor there for our private flow
    bd.projects.set_current("has methods")
    assert bd.methods[STANDARD_GWP]["description"] == "someone else's"
    # 2 + 0.2*29.7 (theirs) and no factor for the unspecified CO2-eq
    assert bw2calc_score(bd, "cathode-lca foreground", "p", STANDARD_GWP) == pytest.approx(7.94, rel=1e-6)
    assert bw2calc_score(bd, "cathode-lca foreground", "p", ("cathode-lca", "ipcc2021-gwp100")) == pytest.approx(
        8.26, rel=1e-6
    )


@pytest.mark.slow
def test_a_failed_export_removes_the_biosphere3_it_created(bd, linked_model, monkeypatch):
    """write_plan (used inside the staging copy) undoes its own biosphere3, not just the staging swap."""
    from cathode_lca.brightway.plan import plan_export as plan_of

    def boom(plan):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(bw_export, "_register_methods", boom)
    bd.projects.set_current("in place")
    with pytest.raises(UsageError, match="rolled back.*injected failure"):
        bw_export.write_plan(plan_of(linked_model), "in place")
    assert "biosphere3" not in bd.databases
    from bw2data.parameters import ProjectParameter

    assert not ProjectParameter.select().where(ProjectParameter.name == "q_per_p").exists()


def test_an_unknown_biosphere_name_is_refused(bd, linked_model):
    with pytest.raises(UsageError, match="no biosphere database 'my-bio'") as info:
        export_to_brightway("p", linked_model, biosphere="my-bio")
    assert "--biosphere none" in info.value.hint
