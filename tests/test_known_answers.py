"""Known-answer tests on hand-solvable systems (the expected numbers are derived in each YAML file)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import model_for, score


def test_chain_with_unit_conversions(test_method):
    ds = model_for("chain.yaml").calculate({"c": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(0.5078, rel=1e-12)
    inventory = ds.inventory
    assert float(inventory.sel(flow="co2")) == pytest.approx(0.506, rel=1e-12)
    assert float(inventory.sel(flow="ch4")) == pytest.approx(6e-5, rel=1e-12)
    # 2 kg B x 0.5 kWh x 1 gal/kWh = 1 gal = 3.785411784 L
    assert float(inventory.sel(flow="water")) == pytest.approx(3.785411784, rel=1e-9)


def test_chain_supply_and_amount_scaling(test_method):
    model = model_for("chain.yaml")
    ds = model.calculate({"c": 3.0}, methods=[test_method])
    assert score(ds) == pytest.approx(3 * 0.5078, rel=1e-12)
    assert float(ds.supply.sel(process="c")) == pytest.approx(3.0)


def test_chain_contributions_sum_to_total(test_method):
    ds = model_for("chain.yaml").calculate({"c": 1.0}, methods=[test_method])
    total = score(ds)
    gwp = {"lcia_method": "test-gwp"}
    assert float(ds.contribution_by_process.sel(gwp).sum("process")) == pytest.approx(total, rel=1e-12)
    assert float(ds.contribution_by_stage.sel(gwp).sum("stage")) == pytest.approx(total, rel=1e-12)
    # C's own CO2 (0.1) plus everything it pulls from the static background
    assert float(ds.contribution_by_process.sel(process="c", lcia_method="test-gwp")) == pytest.approx(0.5078)


def test_foreground_loop(test_method):
    ds = model_for("loop.yaml").calculate({"p": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(1.4 / 0.9, rel=1e-12)
    assert float(ds.supply.sel(process="q")) == pytest.approx(0.2 / 0.9, rel=1e-12)
    assert "batched LU" in ds.attrs["solver"]


def test_background_loop_solved_once(test_method):
    model = model_for("loop.yaml")
    ds = model.calculate({"uses-static-loop": 1.0}, methods=[test_method])
    # x = 0.2 + 0.5 y, y = 0.5 x -> x = 0.2667, y = 0.1333, CO2 = 0.4
    assert score(ds) == pytest.approx(0.4, rel=1e-12)
    assert "SuperLU" in ds.attrs["solver"]
    solver = model.solver("none", [model.matrices().product_index["uses-static-loop"]])
    assert len(solver.bg) == 2 and len(solver.fg) == 1


@pytest.mark.parametrize(
    ("allocation", "expected"),
    [
        ("none", {"r": 7.0, "ni-salt": 0.0, "cu": 0.0}),
        ("mass", {"r": 0.0, "ni-salt": 10.0, "cu": 10.0}),
        ("economic", {"r": 0.0, "ni-salt": 70 / 3, "cu": 14 / 3}),
        ("system-expansion", {"r": 5.5, "ni-salt": 0.0, "cu": 3.0}),
        ("cut-off", {"r": 5.0, "ni-salt": 0.0, "cu": 0.0}),
    ],
)
def test_multi_output_allocation(test_method, allocation, expected):
    model = model_for("multi.yaml")
    for product, value in expected.items():
        ds = model.calculate({product: 1.0}, methods=[test_method], allocation=allocation)
        assert score(ds) == pytest.approx(value, rel=1e-12, abs=1e-12), (allocation, product)
        assert ds.attrs["allocation"] == allocation


def test_mass_allocation_conserves_total_burden(test_method):
    """Allocated burdens of all outputs of one kg feed add up to the unallocated burden."""
    model = model_for("multi.yaml")
    total = 0.2 * score(model.calculate({"ni-salt": 1.0}, methods=[test_method], allocation="mass"))
    total += 0.5 * score(model.calculate({"cu": 1.0}, methods=[test_method], allocation="mass"))
    assert total == pytest.approx(7.0, rel=1e-12)


def test_negative_production_substitution_and_units(test_method):
    ds = model_for("substitution.yaml").calculate({"k": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(0.8, rel=1e-12)
    assert float(ds.inventory.sel(flow="water")) == pytest.approx(2 - 0.5 * 2 * 3.785411784, rel=1e-9)


def test_vectorized_samples_equal_scalar_runs(test_method):
    model = model_for("chain.yaml")
    values = np.array([1.0, 1.7, 2.0, 2.4])
    ds = model.calculate({"c": 1.0}, methods=[test_method], parameters={"b_per_c": values})
    batched = ds.score.sel(lcia_method="test-gwp").values
    singles = [score(model.calculate({"c": 1.0}, methods=[test_method], parameters={"b_per_c": v})) for v in values]
    np.testing.assert_allclose(batched, singles, rtol=1e-14)
    np.testing.assert_allclose(batched, 0.1 + values * 0.2039, rtol=1e-12)


def test_vectorized_demand_amounts(test_method):
    ds = model_for("loop.yaml").calculate({"p": [1.0, 2.0]}, methods=[test_method])
    np.testing.assert_allclose(ds.score.values.ravel(), [1.4 / 0.9, 2.8 / 0.9], rtol=1e-12)


def test_several_demands_at_once(test_method):
    model = model_for("chain.yaml")
    together = score(model.calculate({"c": 1.0, "a": 2.0}, methods=[test_method]))
    apart = score(model.calculate({"c": 1.0}, methods=[test_method])) + score(
        model.calculate({"a": 2.0}, methods=[test_method])
    )
    assert together == pytest.approx(apart, rel=1e-12)


def test_background_dataset_demanded_directly(test_method):
    ds = model_for("chain.yaml").calculate({"e": 2.0}, methods=[test_method])
    assert score(ds) == pytest.approx(0.8)


def test_choice_parameter_and_lookup(write_yaml, test_method):
    path = write_yaml(
        """
include: [flows.yaml]
parameters:
  region: {choices: [A, B], default: A, scope: global}
  intensity: {by: region, values: {A: 1.0, B: 3.0}, source: test}
datasets:
  - id: x
    name: X
    stage: energy
    exchanges:
      - {flow: co2, amount: "intensity * (region == 'A') + 10 * (region != 'A')", unit: kg, source: test}
"""
    )
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    model = LCAModel(load_inventory([path]))
    assert score(model.calculate({"x": 1}, methods=[test_method])) == pytest.approx(1.0)
    assert score(model.calculate({"x": 1}, methods=[test_method], parameters={"region": "B"})) == pytest.approx(10.0)
    ds = model.calculate({"x": 1}, methods=[test_method], parameters={"region": ["A", "B", "A"]})
    np.testing.assert_allclose(ds.score.values.ravel(), [1.0, 10.0, 1.0])


def test_block_triangular_order_puts_consumers_before_producers():
    import scipy.sparse as sp

    from cathode_lca.engine.solve import block_triangular_order

    # 0 consumes 1 and 2; 1 and 2 form a loop; 2 consumes 3
    dense = [[1, 0, 0, 0], [-0.5, 1, -0.1, 0], [-0.2, -0.3, 1, 0], [0, 0, -1, 1]]
    order = block_triangular_order(sp.csc_matrix(dense))
    permuted = sp.csc_matrix(dense)[order][:, order].toarray()
    assert list(order).index(0) == 0 and list(order).index(3) == 3
    assert np.allclose(np.triu(permuted, 2), 0)  # block lower triangular: only the loop sits above the diagonal
