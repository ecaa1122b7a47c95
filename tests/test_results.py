"""engine/results.py: supply attribution on hand-made arrays, and the labelled result."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import model_for

from cathode_lca.engine.results import attribute_supply
from cathode_lca.engine.solve import Solution


def _solution(a_rows, a_cols, a_data, supply, final, order):
    n = len(supply)
    return Solution(
        fg_columns=np.arange(n),
        supply=np.array(supply, dtype=float)[:, None],
        inventory=np.zeros((1, 1)),
        direct=np.zeros((1, n, 1)),
        solver="test",
        a_data=np.array(a_data, dtype=float)[:, None],
        a_rows=np.array(a_rows),
        a_cols=np.array(a_cols),
        final_demand=np.array(final, dtype=float)[:, None],
        order=order,
    )


def test_a_supply_dataset_moves_to_its_consumers_in_proportion_to_use():
    # 0 = plant (cam-production) demanded 1; 1 = grid (energy) makes 4 kWh: 3 for the plant, 1 to
    # the final demand. Grid burden 8 -> 6 moves to the plant, 2 stays with the grid (final demand).
    sol = _solution([0, 1, 1], [0, 1, 0], [1.0, 1.0, -3.0], [1.0, 4.0], [1.0, 1.0], [0, 1])
    by_process = np.array([[[5.0], [8.0]]])  # (method, process, sample)
    out = attribute_supply(by_process, ["cam-production", "energy"], sol)
    np.testing.assert_allclose(out[0, :, 0], [11.0, 2.0], rtol=1e-12)
    assert out.sum() == pytest.approx(by_process.sum())  # attribution moves, never creates


def test_non_supply_stages_and_missing_contributions_are_left_alone():
    sol = _solution([0, 1, 1], [0, 1, 0], [1.0, 1.0, -3.0], [1.0, 3.0], [1.0, 0.0], [0, 1])
    by_process = np.array([[[5.0], [8.0]]])
    np.testing.assert_array_equal(attribute_supply(by_process, ["cam-production", "recycling"], sol), by_process)
    sol.a_data = None  # solved without contributions
    np.testing.assert_array_equal(attribute_supply(by_process, ["cam-production", "energy"], sol), by_process)


def test_result_dataset_is_labelled_with_units_and_provenance(test_method):
    ds = model_for("chain.yaml").calculate({"c": 1.0}, methods=[test_method])
    assert ds.unit.sel(lcia_method="test-gwp").item() == "kg CO2-eq"
    assert set(ds.flow.values.tolist()) >= {"co2", "ch4"}
    assert ds.attrs["demand"] and ds.attrs["inventory_hash"]
    # by hand (chain.yaml): CO2 = 0.506 kg, CH4 = 6e-5 kg per kg C
    assert float(ds.inventory.sel(flow="co2")) == pytest.approx(0.506, rel=1e-12)
    assert float(ds.inventory.sel(flow="ch4")) == pytest.approx(6e-5, rel=1e-12)
