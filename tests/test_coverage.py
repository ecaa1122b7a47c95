"""Indicator coverage (engine/coverage.py): which supply chains hold a characterised flow.

Known answers on small inventories, and a property test that holds the graph search against the
plain fixed-point propagation (covered |= covered · links until nothing changes) it replaced."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.engine.coverage import coverage, result_notes
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel

# c -> b -> a -> w: only w, three links deep, has a CO2 flow (a recorded 0 counts as data).
# x has a water flow only, so no GWP data. z buys from x and, through a link whose amount is the
# parameter w_share, from w: covered for GWP when w_share != 0, not when it is 0.
CHAIN = """include: [flows.yaml]
parameters:
  w_share: {value: 1.0, unit: kg/kg, source: test}
datasets:
  - {id: c, name: C, stage: chemicals, exchanges: [{input: b, amount: 1, unit: kg, source: t}]}
  - {id: b, name: B, stage: chemicals, exchanges: [{input: a, amount: 1, unit: kg, source: t}]}
  - {id: a, name: A, stage: chemicals, exchanges: [{input: w, amount: 1, unit: kg, source: t}]}
  - {id: w, name: W, stage: chemicals, exchanges: [{flow: co2, amount: 0, unit: kg, source: t}]}
  - {id: x, name: X, stage: chemicals, exchanges: [{flow: water, amount: 1, unit: L, source: t}]}
  - id: z
    name: Z
    stage: chemicals
    exchanges:
      - {input: w, amount: w_share, unit: kg, source: t}
      - {input: x, amount: 1, unit: kg, source: t}
"""


@pytest.fixture
def chain_model(write_yaml):
    return LCAModel(load_inventory([write_yaml(CHAIN)]))


def test_coverage_reaches_through_every_level_of_the_supply_chain(chain_model, test_method):
    mm = chain_model.matrices()
    covered = coverage(mm, [test_method], chain_model.parameters.evaluate())
    by_id = {mm.column_dataset[c]: bool(covered[0, c]) for c in range(mm.n)}
    assert by_id == {"c": True, "b": True, "a": True, "w": True, "x": False, "z": True}


def test_a_zero_link_does_not_cover_and_the_warning_names_every_gap(chain_model, test_method):
    mm = chain_model.matrices()
    z = mm.product_index["z"]
    env = chain_model.parameters.evaluate({"w_share": 0.0})
    covered = coverage(mm, [test_method], env)
    assert not covered[0, z]
    warnings, _, _ = result_notes(mm, [z], [test_method], env)
    assert sorted(w.split("'")[1] for w in warnings) == ["x", "z"]
    # with the link back, z is covered through w and only x is reported
    warnings, _, _ = result_notes(mm, [z], [test_method], chain_model.parameters.evaluate())
    assert [w.split("'")[1] for w in warnings] == ["x"]


def test_only_datasets_the_demand_reaches_are_reported(chain_model, test_method):
    mm = chain_model.matrices()
    warnings, _, _ = result_notes(mm, [mm.product_index["c"]], [test_method], chain_model.parameters.evaluate())
    assert warnings == []  # x lacks GWP, but c does not use it


def _fixed_point(direct: np.ndarray, links: sp.csr_matrix) -> np.ndarray:
    """The propagation the engine used before: grow covered by one link per round until stable."""
    covered = direct.copy()
    for _ in range(links.shape[0] + 1):
        grown = covered | ((sp.csr_matrix(covered.astype(float)) @ links).toarray() > 0)
        if np.array_equal(grown, covered):
            return covered
        covered = grown
    raise AssertionError("no fixed point")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 25),
    n_flows=st.integers(1, 4),
    density=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**31 - 1),
)
def test_graph_search_equals_fixed_point_propagation(n, n_flows, density, seed):
    rng = np.random.default_rng(seed)
    link_mask = rng.random((n, n)) < density
    np.fill_diagonal(link_mask, False)
    links = sp.csr_matrix(link_mask.astype(float))
    flow_mask = rng.random((n_flows, n)) < 0.15
    b_rows, b_cols = np.nonzero(flow_mask)
    model = SimpleNamespace(
        flows=[f"f{i}" for i in range(n_flows)], n=n, B={"rows": b_rows, "cols": b_cols}, coverage_cache={}
    )
    methods = [SimpleNamespace(vector=lambda flows, k=k: np.eye(len(flows))[k]) for k in range(n_flows)]
    direct = flow_mask.copy()
    assert np.array_equal(coverage(model, methods, {}, links), _fixed_point(direct, links))
