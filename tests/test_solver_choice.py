"""Background solver choice: small loops keep SuperLU in block-triangular order, a large loop gets a
fill-reducing solver (PARDISO when pypardiso is installed, else SuperLU/COLAMD), and every choice
gives the same numbers."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DATA, score

from cathode_lca.engine import factorize
from cathode_lca.engine.factorize import (
    LARGE_LOOP,
    SOLVER_ENV,
    SOLVERS,
    choose_solver,
    factorise,
    release,
    strong_components,
)
from cathode_lca.errors import UsageError

FORCED = [s for s in SOLVERS if s != "auto"]


def loop_heavy(n: int, seed: int = 0, inputs: int = 8) -> sp.csc_matrix:
    """A technosphere matrix I - M where most processes form one loop through a few hub products
    (markets) plus random cross links; every column of M sums to 0.2-0.6 (diagonally dominant)."""
    rng = np.random.default_rng(seed)
    hubs = rng.choice(n, size=max(3, n // 50), replace=False)
    cols = np.repeat(np.arange(n), inputs)
    pick = rng.random(n * inputs)
    rows = np.where(pick < 0.4, hubs[rng.integers(0, len(hubs), n * inputs)], rng.integers(0, n, n * inputs))
    keep = rows != cols
    m = sp.csc_matrix((rng.uniform(0.1, 1.0, int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    m.sum_duplicates()
    colsum = np.asarray(m.sum(axis=0)).ravel()
    m = m @ sp.diags(rng.uniform(0.2, 0.6, n) / np.where(colsum > 0, colsum, 1.0))
    return sp.csc_matrix(sp.identity(n) - m)


def without_pypardiso(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import pypardiso`` fail, as on a machine without the ``fast`` extra."""
    monkeypatch.setitem(sys.modules, "pypardiso", None)
    monkeypatch.setitem(sys.modules, "pypardiso.pardiso_wrapper", None)


# -- which solver ---------------------------------------------------------------------------


def test_small_loops_keep_the_block_triangular_superlu(monkeypatch):
    monkeypatch.delenv(SOLVER_ENV, raising=False)
    # two separate 2-process loops and an acyclic consumer
    matrix = sp.csc_matrix(
        np.array(
            [
                [1.0, -0.5, 0.0, 0.0, -0.1],
                [-0.5, 1.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, -0.3, -0.2],
                [0.0, 0.0, -0.3, 1.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 1.0],
            ]
        )
    )
    choice = choose_solver(matrix)
    assert (choice.solver, choice.requested, choice.largest_loop, choice.loops) == ("superlu", "auto", 2, 2)
    assert choice.processes == 5
    assert "block-triangular" in choice.describe()


def test_a_large_loop_gets_pardiso_when_it_is_installed(monkeypatch):
    monkeypatch.delenv(SOLVER_ENV, raising=False)
    import pypardiso  # noqa: F401  (in the test extra through 'all' -> 'fast': this must not fail)

    matrix = loop_heavy(LARGE_LOOP + 200)
    largest = choose_solver(matrix).largest_loop
    assert largest >= LARGE_LOOP
    monkeypatch.setattr(factorize, "PARDISO_LOOP", largest)  # the real one is 10,000: too big to build here
    choice = choose_solver(matrix)
    assert choice.solver == "pardiso"
    assert "PARDISO" in choice.describe()
    monkeypatch.setattr(factorize, "PARDISO_LOOP", largest + 1)  # below it SuperLU/COLAMD, pypardiso or not
    assert choose_solver(matrix).solver == "superlu-colamd"


def test_the_thresholds_are_ordered():
    assert 1 < LARGE_LOOP < factorize.PARDISO_LOOP


def test_a_large_loop_falls_back_to_colamd_without_pypardiso(monkeypatch):
    monkeypatch.delenv(SOLVER_ENV, raising=False)
    without_pypardiso(monkeypatch)
    assert not factorize.pardiso_available()
    monkeypatch.setattr(factorize, "PARDISO_LOOP", LARGE_LOOP)
    choice = choose_solver(loop_heavy(LARGE_LOOP + 200))
    assert choice.solver == "superlu-colamd"
    assert choice.as_dict()["ordering"] == "COLAMD on the transposed matrix"


def test_the_threshold_is_the_size_of_the_largest_loop(monkeypatch):
    monkeypatch.delenv(SOLVER_ENV, raising=False)
    without_pypardiso(monkeypatch)
    matrix = loop_heavy(60)
    _, labels = strong_components(matrix)
    largest = int(np.bincount(labels).max())
    monkeypatch.setattr(factorize, "LARGE_LOOP", largest + 1)
    assert choose_solver(matrix).solver == "superlu"
    monkeypatch.setattr(factorize, "LARGE_LOOP", largest)
    assert choose_solver(matrix).solver == "superlu-colamd"


@pytest.mark.parametrize("forced", FORCED)
def test_the_environment_variable_forces_a_solver(monkeypatch, forced):
    monkeypatch.setenv(SOLVER_ENV, forced.upper())
    choice = choose_solver(loop_heavy(30))
    assert (choice.solver, choice.requested) == (forced, forced)
    assert f"forced: {forced}" in choice.describe()


def test_the_library_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(SOLVER_ENV, "pardiso")
    assert choose_solver(loop_heavy(30), "superlu-colamd").solver == "superlu-colamd"


def test_an_unknown_solver_is_a_usage_error_naming_its_source(monkeypatch):
    monkeypatch.setenv(SOLVER_ENV, "umfpak")
    with pytest.raises(UsageError) as err:
        choose_solver(loop_heavy(10))
    assert "umfpak" in str(err.value) and SOLVER_ENV in str(err.value)
    assert "superlu-colamd" in str(err.value.hint)
    with pytest.raises(UsageError, match="from background_solver"):
        choose_solver(loop_heavy(10), "lu")


def test_forcing_pardiso_without_pypardiso_says_which_extra_to_install(monkeypatch):
    without_pypardiso(monkeypatch)
    with pytest.raises(UsageError, match="pypardiso is not installed") as err:
        choose_solver(loop_heavy(10), "pardiso")
    assert "cathode-lca[fast]" in str(err.value.hint)


# -- same numbers from every solver -----------------------------------------------------------


def test_two_by_two_known_answer_with_every_solver():
    # x - 0.5 y = 1, -0.2 x + y = 0  ->  x = 1 / 0.9, y = 0.2 / 0.9; transposed: x - 0.2 y = 1, -0.5 x + y = 0
    matrix = sp.csc_matrix([[1.0, -0.5], [-0.2, 1.0]])
    for forced in FORCED:
        lu = factorise(matrix, choose_solver(matrix, forced))
        try:
            np.testing.assert_allclose(lu.solve(np.array([1.0, 0.0])), [1 / 0.9, 0.2 / 0.9], rtol=1e-14)
            np.testing.assert_allclose(lu.solve(np.array([1.0, 0.0]), trans="T"), [1 / 0.9, 0.5 / 0.9], rtol=1e-14)
        finally:
            release(lu)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_solver_agrees_on_loop_heavy_matrices(seed):
    n = 300
    matrix = loop_heavy(n, seed=seed)
    _, labels = strong_components(matrix)
    assert np.bincount(labels).max() > 0.8 * n  # most processes in one loop
    rng = np.random.default_rng(seed)
    rhs = np.zeros((n, 5))
    rhs[rng.choice(n, 5, replace=False), np.arange(5)] = 1.0
    dense = matrix.toarray()
    expected = np.linalg.solve(dense, rhs)  # independent dense reference
    expected_t = np.linalg.solve(dense.T, rhs)
    for forced in FORCED:
        lu = factorise(matrix, choose_solver(matrix, forced))
        try:
            got, got_t = lu.solve(rhs), lu.solve(rhs, trans="T")
        finally:
            release(lu)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14, err_msg=forced)
        np.testing.assert_allclose(got_t, expected_t, rtol=1e-10, atol=1e-14, err_msg=forced)


@pytest.mark.parametrize("forced", FORCED)
def test_an_exactly_singular_loop_is_a_singular_system_error(forced):
    from cathode_lca.engine.factorize import FactorisationError

    # two processes that each consume all the other produces, and nothing else enters: singular
    matrix = sp.csc_matrix([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, -0.5, 1.0]])
    try:
        lu = factorise(matrix, choose_solver(matrix, forced))
    except FactorisationError:
        return  # SuperLU refuses it at once
    try:  # PARDISO perturbs tiny pivots instead of failing; the answer is then useless
        x = lu.solve(np.array([1.0, 0.0, 0.0]))
    finally:
        release(lu)
    assert not np.all(np.isfinite(x)) or np.abs(matrix @ x - [1.0, 0.0, 0.0]).max() > 1e-6


def test_pardiso_factorisations_in_turn_and_in_threads_stay_correct():
    from concurrent.futures import ThreadPoolExecutor

    matrices = [loop_heavy(120, seed=seed) for seed in range(4)]
    expected = [np.linalg.solve(m.toarray(), np.ones(120)) for m in matrices]

    def solve(k: int) -> np.ndarray:
        lu = factorise(matrices[k], choose_solver(matrices[k], "pardiso"))
        try:
            return lu.solve(np.ones(120))
        finally:
            release(lu)

    for k in range(4):  # the one solver instance is reused after each release
        np.testing.assert_allclose(solve(k), expected[k], rtol=1e-10)
    with ThreadPoolExecutor(4) as pool:  # threads take turns on it
        for k, got in enumerate(pool.map(solve, range(4))):
            np.testing.assert_allclose(got, expected[k], rtol=1e-10)


# -- through LCAModel: a ring of static background processes -----------------------------------


def ring_yaml(tmp_path, m: int, a: float) -> str:
    """m background processes in a ring, each consuming *a* kg of the next and emitting 1 kg CO2,
    and a consumer of 1 kg of ring-0 with a parameterised amount (so it is foreground)."""
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    lines = [
        "format: cathode-lca/1",
        "include: [flows.yaml]",
        "parameters:",
        "  use: {value: 1.0, source: test}",
        "datasets:",
    ]
    for i in range(m):
        lines += [
            f"  - id: ring-{i}",
            f"    name: ring {i}",
            "    stage: chemicals",
            "    exchanges:",
            f"      - {{input: ring-{(i + 1) % m}, amount: {a}, unit: kg, source: test}}",
            "      - {flow: co2, amount: 1, unit: kg, source: test}",
        ]
    lines += [
        "  - id: consumer",
        "    name: consumer",
        "    stage: chemicals",
        "    exchanges:",
        "      - {input: ring-0, amount: use, unit: kg, source: test}",
    ]
    path = tmp_path / "ring.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("forced", [None, *FORCED])
def test_a_background_ring_has_the_hand_computed_answer_with_every_solver(tmp_path, monkeypatch, test_method, forced):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    monkeypatch.delenv(SOLVER_ENV, raising=False)
    monkeypatch.setattr(factorize, "LARGE_LOOP", 10)  # a 40-process ring counts as large here
    monkeypatch.setattr(factorize, "PARDISO_LOOP", 30)  # and as very large
    m, a = 40, 0.7
    model = LCAModel(load_inventory([ring_yaml(tmp_path, m, a)]), background_solver=forced)
    ds = model.calculate({"consumer": 1.0}, methods=[test_method])
    # s_j - a s_(j-1) = f_j around the ring with f = e_0: s_0 = 1 / (1 - a^m), s_j = a^j s_0,
    # total CO2 = sum_j s_j = s_0 (1 - a^m) / (1 - a) = 1 / (1 - a)
    assert score(ds) == pytest.approx(1 / (1 - a), rel=1e-10)
    record = json.loads(ds.attrs["background_solver"])  # dict attrs are JSON text (netCDF-safe)
    # automatic: block Jacobi converges on this ring (it returns 0.7^40 of its output), no factorisation
    expected = forced or "jacobi"
    assert record["solver"] == expected
    assert record["requested"] == (forced or "auto")
    assert (record["processes"], record["largest_loop"], record["loops"]) == (m, m, 1)
    assert ds.attrs["solver"].startswith(factorize.SolverChoice(expected, forced or "auto", m, m, 1).describe())


def test_the_environment_variable_reaches_lcamodel(tmp_path, monkeypatch, test_method):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    monkeypatch.setenv(SOLVER_ENV, "superlu-colamd")
    model = LCAModel(load_inventory([ring_yaml(tmp_path, 5, 0.5)]))
    ds = model.calculate({"consumer": 1.0}, methods=[test_method])
    assert json.loads(ds.attrs["background_solver"])["solver"] == "superlu-colamd"
    assert score(ds) == pytest.approx(2.0, rel=1e-12)


def test_a_tight_background_ring_is_factorised_when_jacobi_would_be_slow(tmp_path, monkeypatch, test_method):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    monkeypatch.delenv(SOLVER_ENV, raising=False)
    monkeypatch.setattr(factorize, "LARGE_LOOP", 10)
    monkeypatch.setattr(factorize, "PARDISO_LOOP", 30)
    m, a = 40, 0.9999  # the ring returns 0.9999^40 = 99.6 % of its output: Jacobi contracts too slowly
    ds = LCAModel(load_inventory([ring_yaml(tmp_path, m, a)])).calculate({"consumer": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(1 / (1 - a), rel=1e-9)  # as above: 10,000 kg CO2
    assert json.loads(ds.attrs["background_solver"])["solver"] == "pardiso"


# -- after Jacobi gives up on a loop of LARGE_LOOP to PARDISO_LOOP processes -------------------


@pytest.mark.parametrize("installed", [True, False])
def test_a_tight_loop_below_the_pardiso_size_falls_back_to_pardiso_when_installed(
    tmp_path, monkeypatch, test_method, installed
):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    monkeypatch.delenv(SOLVER_ENV, raising=False)
    monkeypatch.setattr(factorize, "LARGE_LOOP", 10)  # the 40-process ring is large, but below PARDISO_LOOP
    assert factorize.PARDISO_LOOP > 40
    if not installed:
        without_pypardiso(monkeypatch)
    m, a = 40, 0.9999  # Jacobi contracts too slowly on this ring and gives up
    ds = LCAModel(load_inventory([ring_yaml(tmp_path, m, a)])).calculate({"consumer": 1.0}, methods=[test_method])
    assert score(ds) == pytest.approx(1 / (1 - a), rel=1e-9)  # hand-computed as in the ring test above
    record = json.loads(ds.attrs["background_solver"])
    assert record["solver"] == ("pardiso" if installed else "superlu-colamd")
    assert record["requested"] == "auto"
    assert "block Jacobi gave up" in record["reason"]
    assert ("PARDISO for the hard loop" in record["reason"]) == installed
    assert ("pypardiso not installed" in record["reason"]) == (not installed)


def test_a_converging_loop_below_the_pardiso_size_stays_on_jacobi(tmp_path, monkeypatch, test_method):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel

    monkeypatch.delenv(SOLVER_ENV, raising=False)
    monkeypatch.setattr(factorize, "LARGE_LOOP", 10)
    ds = LCAModel(load_inventory([ring_yaml(tmp_path, 40, 0.7)])).calculate({"consumer": 1.0}, methods=[test_method])
    assert json.loads(ds.attrs["background_solver"])["solver"] == "jacobi"  # no factorisation at all


def test_after_jacobi_changes_only_an_automatic_colamd_choice(monkeypatch):
    colamd = factorize.SolverChoice("superlu-colamd", "auto", 2000, 1500, 1, "largest loop of 1,000 to 9,999")
    assert factorize.after_jacobi(colamd).solver == "pardiso"  # pypardiso is in the test extra
    forced = factorize.SolverChoice("superlu-colamd", "superlu-colamd", 2000, 1500, 1)
    assert factorize.after_jacobi(forced) == forced  # a forced solver is never replaced
    small = factorize.SolverChoice("superlu", "auto", 2000, 20, 3, "largest loop below 1,000 processes")
    assert factorize.after_jacobi(small) == small  # small loops: SuperLU in block-triangular order is best
    big = factorize.SolverChoice("pardiso", "auto", 20000, 15000, 1, "largest loop of 10,000 processes or more")
    assert factorize.after_jacobi(big) == big
    without_pypardiso(monkeypatch)
    fallback = factorize.after_jacobi(colamd)
    assert fallback.solver == "superlu-colamd" and "pypardiso not installed" in fallback.reason


@pytest.mark.parametrize("installed", [True, False])
def test_solve_columns_falls_back_to_pardiso_after_jacobi_when_installed(monkeypatch, installed):
    # a tight ring of 30 processes: s_j - a s_(j+1) = e_0, the same ring as above, as a bare matrix
    m, a = 30, 0.9999
    ring = sp.csc_matrix(sp.identity(m) - a * sp.csc_matrix((np.ones(m), (np.roll(np.arange(m), -1), np.arange(m)))))
    monkeypatch.delenv(SOLVER_ENV, raising=False)
    monkeypatch.setattr(factorize, "LARGE_LOOP", 10)
    if not installed:
        without_pypardiso(monkeypatch)
    rhs = np.zeros((m, 1))
    rhs[0, 0] = 1.0
    x, how = factorize.solve_columns(ring, rhs)
    assert how == ("pardiso" if installed else "superlu-colamd")
    assert float(x.sum()) == pytest.approx(1 / (1 - a), rel=1e-9)  # total output of the ring: 1 / (1 - a)
