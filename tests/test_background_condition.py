"""The background's condition check: ‖A⁻¹‖₁ exact from one solve on M-matrices, the block
estimator otherwise, and ill-conditioned loops still refused on both paths."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import cathode_lca.engine.solve as solve_module
from cathode_lca.engine.factorize import choose_solver, factorise
from cathode_lca.engine.solve import inverse_one_norm
from cathode_lca.errors import SingularSystemError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel


def _norm(dense: np.ndarray, solver: str = "superlu") -> tuple[float, str]:
    matrix = sp.csc_matrix(dense)
    return inverse_one_norm(matrix, factorise(matrix, choose_solver(matrix, solver)))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 2**31 - 1), share=st.floats(0.05, 0.95))
def test_m_matrix_norm_is_the_exact_inverse_norm(n, seed, share):
    # a technosphere matrix: 1 on the diagonal, inputs summing to *share* (< 1) per column
    rng = np.random.default_rng(seed)
    inputs = rng.random((n, n)) * (rng.random((n, n)) < 0.4)
    np.fill_diagonal(inputs, 0.0)
    sums = inputs.sum(axis=0)
    inputs *= np.where(sums > 0, share / np.where(sums > 0, sums, 1.0), 0.0)
    dense = np.eye(n) - inputs
    value, how = _norm(dense)
    assert how == "M-matrix"
    assert value == pytest.approx(np.linalg.norm(np.linalg.inv(dense), 1), rel=1e-10)
    value_t, _ = _norm(dense, "superlu-colamd")  # the transposed factorisation gives the same
    assert value_t == pytest.approx(value, rel=1e-10)


def test_a_credit_falls_back_to_the_estimator():
    # a positive off-diagonal entry (a co-product credit) breaks the M-matrix argument
    dense = np.array([[1.0, 0.3, 0.0], [-0.2, 1.0, -0.1], [0.0, -0.4, 1.0]])
    value, how = _norm(dense)
    assert how == "onenormest"
    assert value == pytest.approx(np.linalg.norm(np.linalg.inv(dense), 1), rel=1e-12)  # exact at this size


def test_a_loop_that_makes_less_than_it_consumes_falls_back_too():
    # p needs 2 q, q needs 1 p: a Z-matrix whose inverse is negative (det = -1), so y = A⁻ᵀ1 < 0
    dense = np.array([[1.0, -1.0], [-2.0, 1.0]])
    value, how = _norm(dense)
    assert how == "onenormest"
    assert value == pytest.approx(3.0)  # inverse [[-1, -1], [-2, -1]]: column sums 3 and 2


NEAR_SINGULAR = """include: [flows.yaml]
datasets:
  - {{id: user, name: U, stage: c, exchanges: [{{input: p, amount: 1, unit: kg, source: s}}]}}
  - {{id: p, name: P, stage: c, exchanges: [{{input: q, amount: 2, unit: kg, source: s}}{credit}]}}
  - {{id: q, name: Q, stage: c, exchanges: [{{input: p, amount: {back}, unit: kg, source: s}}]}}
"""


@pytest.mark.parametrize("credit", ["", ", {input: r, amount: -0.001, unit: kg, source: s}"])
def test_an_ill_conditioned_background_loop_is_refused(write_yaml, test_method, credit, monkeypatch):
    # p makes 1, needs 2 q; q makes 1, needs 0.5 (1 - 1e-14) p: the loop returns all but 1e-14 of
    # its output, condition number about 4e14 > 1e12. With the credit (p gives back r, a positive
    # off-diagonal entry) the estimator path has to find it.
    body = NEAR_SINGULAR.format(back=0.5 * (1 - 1e-14), credit=credit)
    if credit:
        body += "  - {id: r, name: R, stage: c, exchanges: [{flow: co2, amount: 1, unit: kg, source: s}]}\n"
    paths = []

    def recording(*args):
        value, how = inverse_one_norm(*args)
        paths.append(how)
        return value, how

    monkeypatch.setattr(solve_module, "inverse_one_norm", recording)
    with pytest.raises(SingularSystemError, match="ill-conditioned") as info:
        LCAModel(load_inventory([write_yaml(body)])).calculate({"user": 1}, methods=[test_method])
    assert "p" in str(info.value) and "q" in str(info.value)
    assert paths == ["onenormest" if credit else "M-matrix"]


def test_a_well_conditioned_loop_has_the_known_answer(write_yaml, test_method):
    # q needs 0.25 p: 1 kg p needs 2 q, which need 0.5 p; supply of p = 1 / (1 - 0.5) = 2, q = 4
    body = NEAR_SINGULAR.format(back=0.25, credit="")
    body += "  - {id: w, name: W, stage: c, exchanges: [{flow: co2, amount: 1, unit: kg, source: s}]}\n"
    body = body.replace(
        "[{input: p, amount: 0.25", "[{input: w, amount: 1, unit: kg, source: s}, {input: p, amount: 0.25"
    )
    ds = LCAModel(load_inventory([write_yaml(body)])).calculate({"user": 1}, methods=[test_method])
    assert float(ds.score.sel(lcia_method="test-gwp")) == pytest.approx(4.0, rel=1e-12)  # 4 kg q, 1 kg CO2 each
