"""Flow linking and the per-result background warnings, without a Brightway database.

Known answers by hand on the shipped inventories; the linking cost is checked by counting
selector calls (never by wall-clock time).
"""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca.brightway.background_flows import BackgroundInfo, link_flows
from cathode_lca.brightway.background_mapping import FlowSelector, load_mapping
from cathode_lca.errors import UsageError
from cathode_lca.lca import default_model
from cathode_lca.methods import load_method


def node(name: str, categories: tuple[str, ...], unit: str, code: str) -> dict:
    return {"name": name, "categories": categories, "unit": unit, "code": code, "database": "bio", "id": 0}


@pytest.mark.slow  # loads the shipped inventories and pint (~3-10 s on a busy machine)
def test_linking_tries_only_the_selectors_with_the_flows_name(monkeypatch):
    calls = {"n": 0}
    original = FlowSelector.matches

    def counted(self, n):
        calls["n"] += 1
        return original(self, n)

    monkeypatch.setattr(FlowSelector, "matches", counted)
    mapping = load_mapping("ecoinvent-3.10-cutoff")
    nodes = [node(f"Generic substance {i}", ("air",), "kilogram", f"g{i}") for i in range(5000)]
    nodes += [
        node("Carbon dioxide, fossil", ("air", "urban air close to ground"), "kilogram", "co2"),
        node("Water", ("water", "ocean"), "cubic meter", "ocean"),
        node("Water", ("water",), "cubic meter", "water"),
        node("Gas, natural", ("natural resource", "in ground"), "standard cubic meter", "gas"),
    ]
    inv = default_model().inventory
    links = link_flows(mapping, nodes, inv)
    # 5,000 flows that no entry names cost nothing; the old loop tried all ~40 selectors on each
    assert calls["n"] < 20
    flows = list(inv.flows)
    assert [flows[t] if t >= 0 else None for t in links.target[-4:]] == [
        "co2-fossil-air",
        None,
        "water-consumption",
        "energy-primary-natural-gas",
    ]
    assert links.factor[-4:].tolist() == pytest.approx([1.0, 0.0, -1000.0, 40.0])  # m3 -> L; 40 MJ/Sm3 (HHV)
    assert links.ignored[-3] and not links.ignored[0]  # ocean water ignored; the generic ones reported
    assert len(links.unmapped) == 5000


def test_a_flow_in_another_unit_than_the_entry_states_is_an_error_naming_the_line():
    mapping = load_mapping("ecoinvent-3.10-cutoff")
    gas = node("Gas, natural", ("natural resource", "in ground"), "kilogram", "gas")  # not Sm3
    with pytest.raises(UsageError, match="has unit 'kilogram', the mapping expects 'Sm3'") as info:
        link_flows(mapping, [gas], default_model().inventory)
    assert info.value.line and info.value.file.endswith("ecoinvent-3.10-cutoff.yaml")


def test_warnings_give_unmapped_amounts_per_fu_and_kept_datasets_share_by_hand():
    model = default_model()
    info = BackgroundInfo(
        provenance={"kind": "brightway", "database": "test-db"},
        datasets=["sulfuric-acid-greet2022"],
        unmapped=np.array([[2.0]]),  # 2 kg SO2 per kg of acid, made up
        unmapped_nodes=[node("Sulfur dioxide", ("air",), "kilogram", "so2")],
        fallback={"sulfuric-acid-greet2022": "kept for the test"},
    )
    methods = [load_method("ipcc2021-gwp100")]
    demand = {"sulfuric-acid-greet2022": 3.0}
    ds = model.calculate(demand, methods=methods)
    notes = info.notes(ds, model, demand, model.parameters.evaluate(), "none", methods)
    # the acid is a GREET system process with no technosphere inputs: supply 3, all of the score
    assert "Sulfur dioxide (air) 6 kilogram" in notes[1] and "count 0 % in every indicator" in notes[1]
    assert "sulfuric-acid-greet2022 (3 per FU; share: ipcc2021-gwp100 100 %; kept for the test)" in notes[0]
    assert info.unmapped_amounts({}) == []  # nothing supplied, nothing reported


def test_sources_name_the_brightway_database_of_a_replaced_dataset():
    from cathode_lca.documents import source_document

    text = "brightway:my project/ecoinvent-3.10-cutoff activity 8f2b (aggregated LCI computed by cathode-lca from the bw2data matrices)"
    assert source_document(text) == (
        "Brightway database my project/ecoinvent-3.10-cutoff (aggregated LCI computed by cathode-lca from the bw2data matrices)"
    )
    assert source_document("GREET 2022 'GREET IO' sheet").startswith("Argonne")  # unchanged for ours


@pytest.mark.slow  # a small sweep (~8 s on a busy machine)
def test_sweep_results_record_the_shipped_background():
    import json

    from cathode_lca.uncertainty.sweep import sweep

    ds = sweep("NMC811", {"hydro_recovery_ni": [0.9, 0.95]}, routes=["hydrometallurgical"], indicators=["gwp100"])
    background = json.loads(ds.attrs["background"])
    assert background["kind"] == "shipped" and background["mapping"] is None and background["mapping_sha256"] is None


def test_supply_of_background_datasets_equals_a_full_solve_without_one(monkeypatch):
    # the supply of kept/mapped datasets deep in the background comes from the foreground result and
    # the solver's cached background rows; held here against a full sparse solve of the whole model
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    model = default_model()
    mm = model.matrices()
    env = model.parameters.evaluate()
    demand = {"cam-nmc811-hydrometallurgical": 1.0}
    A = sp.csc_matrix((mm.static_data(mm.A, env), (mm.A["rows"], mm.A["cols"])), shape=(mm.n, mm.n))
    f = np.zeros(mm.n)
    f[mm.product_index["cam-nmc811-hydrometallurgical"]] = 1.0
    full = spla.spsolve(A, f)
    solver = model.solver("none", [mm.product_index["cam-nmc811-hydrometallurgical"]])
    background = [mm.column_dataset[c] for c in solver.bg]
    datasets = [d for d in background if full[mm.product_index[d]] != 0][:6] + ["electricity-grid-us"]
    info = BackgroundInfo(
        provenance={"kind": "brightway", "database": "test-db"},
        datasets=datasets,
        unmapped=np.zeros((0, len(datasets))),
        unmapped_nodes=[],
        fallback={},
    )
    ds = model.calculate(demand, methods=["ipcc2021-gwp100"])

    def no_full_solve(*args, **kwargs):
        raise AssertionError("a full solve of the model")

    monkeypatch.setattr(spla, "spsolve", no_full_solve)
    values, _, _ = info.supply(model, demand, env, "none", ds)
    assert len(background) > 10 and len([d for d in datasets if values[d] != 0]) >= 3
    for d in datasets:
        assert values[d] == pytest.approx(full[mm.product_index[d]], rel=1e-10, abs=1e-15)
    assert values == info.supply(model, demand, env, "none")[0]  # the same without the result at hand
