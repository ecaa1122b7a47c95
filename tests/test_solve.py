"""engine/solve.py: block-triangular order, self-consumption limits, foreground loops, known answers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import model_for, score
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.engine.solve import block_triangular_order, self_consumption_problem


def _lower_block_triangular(matrix: np.ndarray, order: np.ndarray) -> np.ndarray:
    return np.triu(matrix[np.ix_(order, order)], 1)


def test_block_triangular_order_of_a_shuffled_chain():
    # product i is consumed by column i - 1 in the chain 0 <- 1 <- 2 <- 3, stored under shuffled labels
    labels = np.array([2, 0, 3, 1])
    dense = np.eye(4)
    for consumer, producer in ((0, 1), (1, 2), (2, 3)):
        dense[labels[producer], labels[consumer]] = -0.5
    order = block_triangular_order(sp.csc_matrix(dense))
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    assert not _lower_block_triangular(dense, order).any()  # consumers before their producers
    assert order.tolist() == labels.tolist()


def test_block_triangular_order_keeps_a_loop_together():
    dense = np.eye(3)
    dense[1, 2] = dense[2, 1] = -0.1  # 1 <-> 2 form a loop; 0 consumes 1
    dense[1, 0] = -1.0
    order = block_triangular_order(sp.csc_matrix(dense)).tolist()
    assert order[0] == 0 and set(order[1:]) == {1, 2}


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), density=st.floats(0.0, 0.25), seed=st.integers(0, 2**31 - 1), shuffle=st.booleans())
def test_block_triangular_order_is_valid_for_any_graph(n, density, seed, shuffle):
    # SciPy's component labels are used as they come when they are already in (reverse) topological
    # order; shuffled labels force the general ordering loop. Both must give a valid order.
    from cathode_lca.engine.factorize import strong_components

    rng = np.random.default_rng(seed)
    dense = np.eye(n) - (rng.random((n, n)) < density) * 0.1
    np.fill_diagonal(dense, 1.0)
    matrix = sp.csc_matrix(dense)
    n_comp, labels = strong_components(matrix)
    if shuffle:
        labels = rng.permutation(n_comp)[labels]
    order = block_triangular_order(matrix, labels)
    assert sorted(order.tolist()) == list(range(n))
    position = np.empty(n, dtype=int)
    position[order] = np.arange(n)
    rows, cols = np.nonzero(dense)
    between = labels[rows] != labels[cols]
    assert np.all(position[cols[between]] < position[rows[between]])  # consumers before producers
    for c in range(n_comp):  # every loop is contiguous
        members = np.sort(position[labels == c])
        assert members[-1] - members[0] == len(members) - 1


@pytest.mark.parametrize(
    ("produced", "consumed", "expected"),
    [
        (1.0, 0.5, None),
        (1.0, 0.999998, None),  # amplification 5e5 < 1e6
        (1.0, 1.0, "self-consumption >= 1"),
        (1.0, 0.9999995, "amplified"),  # 2e6-fold > 1e6
        (0.0, 0.0, "zero or negative reference product"),
    ],
)
def test_self_consumption_limits(produced, consumed, expected):
    problem = self_consumption_problem(np.array([produced]), np.array([consumed]))
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


def test_foreground_loop_known_answer(test_method):
    """loop.yaml: s_P = 1/0.9, s_Q = 0.2/0.9; CO2 = (1 + 2 * 0.2) / 0.9 (batched LU for the loop)."""
    ds = model_for("loop.yaml").calculate({"p": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(1.4 / 0.9, rel=1e-12)
    assert "batched LU" in ds.attrs["solver"]


def test_loop_with_sampled_parameter_known_answer(test_method):
    """The same loop for q_per_p = 0.1 and 0.4 at once: CO2 = (1 + 2 q) / (1 - 0.5 q)."""
    q = np.array([0.1, 0.4])
    ds = model_for("loop.yaml").calculate({"p": 1.0}, methods=[test_method], parameters={"q_per_p": q})
    np.testing.assert_allclose(ds.score.sel(lcia_method="test-gwp").values, (1 + 2 * q) / (1 - 0.5 * q), rtol=1e-12)
