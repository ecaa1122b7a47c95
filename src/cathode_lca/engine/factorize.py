"""Factorising the static background: block-triangular order, and a solver chosen by loop size.

A technosphere matrix is put in block-triangular (BTF) order by its strongly connected
components (loops). When every loop is small, SuperLU in that order keeps the fill-in inside
the loops and is the fastest choice. Inside one large loop (an ecoinvent-like background,
where most processes form one strongly connected component) the natural order fills in
heavily, so a fill-reducing ordering takes over:

* ``superlu-colamd``: SciPy's SuperLU with COLAMD on the transposed matrix (technosphere
  matrices fill in far less that way round; bw2calc does the same);
* ``pardiso``: MKL PARDISO (METIS ordering) through ``pypardiso`` when it is installed (the
  ``fast`` extra), for the largest loops, where its higher fixed cost pays off, and for a large
  loop that block-Jacobi sweeps gave up on (:func:`after_jacobi`): such a loop is the hard
  structure PARDISO is made for, where SuperLU/COLAMD was 3× slower on the benchmark.

The choice is automatic (``auto``) by the size of the largest loop (:data:`LARGE_LOOP`,
:data:`PARDISO_LOOP`), and can
be forced with ``LCAModel(background_solver=...)`` or the environment variable
:data:`SOLVER_ENV`. Every choice is recorded in a :class:`SolverChoice` that goes into the
results' metadata.

Examples
--------
>>> import scipy.sparse as sp
>>> matrix = sp.csc_matrix([[1.0, -0.5], [-0.2, 1.0]])
>>> choice = choose_solver(matrix, "auto")
>>> choice.solver, choice.largest_loop
('superlu', 2)
>>> lu = factorise(matrix, choice)
>>> [round(float(v), 6) for v in lu.solve([1.0, 0.0])]
[1.111111, 0.222222]
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import UsageError

SOLVER_ENV = "CATHODE_LCA_SOLVER"
"""Environment variable that forces the background solver (one of :data:`SOLVERS`)."""
SOLVERS = ("auto", "superlu", "superlu-colamd", "pardiso")
"""``auto`` chooses by loop size; the others force one path (``pardiso`` needs ``pypardiso``)."""
LARGE_LOOP = 1000
"""Processes in the largest strongly connected component from which ``auto`` leaves the natural
block-triangular order for a fill-reducing ordering. Below it the fill-in of a loop is at most
LARGE_LOOP² entries (8 MB); above it, on ecoinvent-like loops, the natural order fills in a large
share of the dense block (see docs/performance.md)."""
PARDISO_LOOP = 10_000
"""Processes in the largest loop from which ``auto`` takes PARDISO (when pypardiso is installed)
rather than SuperLU with COLAMD. PARDISO has a larger fixed cost (METIS, matching, scaling): on the
ecoinvent-like benchmark SuperLU/COLAMD was faster at 5k processes, even at 10k, and PARDISO
faster at 20k, single-threaded; PARDISO also uses every core (docs/performance.md)."""

_DESCRIPTION = {
    "superlu": ("SciPy SuperLU", "natural order in block-triangular (SCC) form"),
    "superlu-colamd": ("SciPy SuperLU", "COLAMD on the transposed matrix"),
    "pardiso": ("MKL PARDISO via pypardiso", "PARDISO's default fill-reducing ordering (METIS)"),
    "jacobi": ("block Jacobi iteration", "no factorisation: sparse sweeps to a residual of 1e-13"),
}


class FactorisationError(RuntimeError):
    """The factorisation failed (exactly singular matrix)."""


class Factorisation(Protocol):
    """A factorised square matrix A: ``solve(b)`` gives A⁻¹b, ``solve(b, trans="T")`` A⁻ᵀb."""

    def solve(self, rhs: Any, trans: str = "N") -> np.ndarray: ...


@dataclass(frozen=True)
class SolverChoice:
    """Which solver factorised the background, and why (recorded in the result metadata)."""

    solver: str  # one of SOLVERS except "auto"
    requested: str  # what was asked for ("auto" unless forced)
    processes: int  # size of the background matrix
    largest_loop: int  # processes in the largest strongly connected component
    loops: int  # strongly connected components with more than one process
    reason: str = ""  # why this solver (recorded in the metadata; empty when forced)

    @property
    def library(self) -> str:
        return _DESCRIPTION[self.solver][0]

    @property
    def ordering(self) -> str:
        return _DESCRIPTION[self.solver][1]

    def describe(self) -> str:
        """One line for the ``solver`` attribute of results.

        Examples
        --------
        >>> SolverChoice("superlu", "auto", 10, 2, 1).describe()
        'SciPy SuperLU, natural order in block-triangular (SCC) form (background of 10 processes, largest loop 2, chosen automatically)'
        """
        how = "chosen automatically" if self.requested == "auto" else f"forced: {self.requested}"
        return (
            f"{self.library}, {self.ordering} (background of {self.processes:,} processes, "
            f"largest loop {self.largest_loop:,}, {how})"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the choice."""
        return {
            "solver": self.solver,
            "library": self.library,
            "ordering": self.ordering,
            "requested": self.requested,
            "processes": self.processes,
            "largest_loop": self.largest_loop,
            "loops": self.loops,
            "reason": self.reason,
            "large_loop_threshold": LARGE_LOOP,
            "pardiso_loop_threshold": PARDISO_LOOP,
        }


def strong_components(matrix: sp.spmatrix) -> tuple[int, np.ndarray]:
    """Number of strongly connected components of a square matrix's graph, and each node's label."""
    n_comp, labels = connected_components(matrix, directed=True, connection="strong")
    return int(n_comp), labels


def block_triangular_order(matrix: sp.spmatrix, labels: np.ndarray | None = None) -> np.ndarray:
    """Column/row order that makes a technosphere matrix block triangular.

    Strongly connected components are ordered so that every consumer comes before what it
    consumes; the matrix is then block lower triangular and LU fill-in stays inside the loops
    (as in KLU's BTF step). *labels* are the components when already known.
    """
    n = matrix.shape[0]
    coo = sp.coo_matrix(matrix)
    off = coo.row != coo.col
    if labels is None:
        n_comp, labels = strong_components(matrix)
    else:
        n_comp = int(labels.max(initial=-1)) + 1
    # edge consumer (column) -> product (row) between components
    cg = sp.csr_matrix((np.ones(int(off.sum())), (labels[coo.col[off]], labels[coo.row[off]])), shape=(n_comp, n_comp))
    cg.setdiag(0)
    cg.eliminate_zeros()
    between = cg.tocoo()
    ascending = np.arange(n_comp)
    for rank in (ascending, ascending[::-1]):
        # SciPy labels strong components in (reverse) topological order as its algorithm finishes
        # them; checked here, vectorised, and the loop below runs only when neither order holds
        if np.all(rank[between.row] < rank[between.col]):
            return np.lexsort((np.arange(n), rank[labels]))
    indegree = np.asarray((cg != 0).sum(axis=0)).ravel()
    ready = [int(c) for c in np.nonzero(indegree == 0)[0]]
    rank = np.empty(n_comp, dtype=np.int64)
    k = 0
    while ready:
        c = ready.pop()
        rank[c] = k
        k += 1
        for nxt in cg.indices[cg.indptr[c] : cg.indptr[c + 1]]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(int(nxt))
    return np.lexsort((np.arange(n), rank[labels]))


def pardiso_available() -> bool:
    """Whether ``pypardiso`` imports and finds its MKL library."""
    try:
        import pypardiso  # noqa: F401
    except ImportError:
        return False
    return True


def requested_solver(requested: str | None = None) -> str:
    """The solver asked for: *requested*, else :data:`SOLVER_ENV`, else ``auto``; checked."""
    source = "background_solver"
    if requested is None:
        requested = os.environ.get(SOLVER_ENV, "").strip() or "auto"
        source = SOLVER_ENV
    value = requested.strip().lower()
    if value not in SOLVERS:
        raise UsageError(
            f"unknown background solver '{requested}' (from {source})", hint="choose one of: " + ", ".join(SOLVERS)
        )
    return value


def choose_solver(matrix: sp.spmatrix, requested: str | None = None, labels: np.ndarray | None = None) -> SolverChoice:
    """The solver for *matrix*: forced by *requested* / :data:`SOLVER_ENV`, or chosen by loop size.

    ``auto`` keeps SuperLU in block-triangular order while the largest loop has fewer than
    :data:`LARGE_LOOP` processes, then takes SuperLU with COLAMD, and from :data:`PARDISO_LOOP`
    processes PARDISO when ``pypardiso`` is installed. Forcing ``pardiso`` without ``pypardiso``
    is an error.
    """
    wanted = requested_solver(requested)
    n = matrix.shape[0]
    if labels is None:
        _, labels = strong_components(matrix)
    sizes = np.bincount(labels) if n else np.zeros(0, dtype=np.int64)
    largest = int(sizes.max(initial=0))
    loops = int(np.sum(sizes > 1))
    reason = ""
    if wanted == "auto":
        if largest < LARGE_LOOP:
            solver, reason = "superlu", f"largest loop below {LARGE_LOOP:,} processes"
        elif largest >= PARDISO_LOOP and pardiso_available():
            solver, reason = "pardiso", f"largest loop of {PARDISO_LOOP:,} processes or more, pypardiso installed"
        else:
            solver = "superlu-colamd"
            if largest >= PARDISO_LOOP:
                reason = f"largest loop of {PARDISO_LOOP:,} processes or more, pypardiso not installed"
            else:
                reason = f"largest loop of {LARGE_LOOP:,} to {PARDISO_LOOP - 1:,} processes"
    else:
        solver = wanted
        if solver == "pardiso" and not pardiso_available():
            raise UsageError(
                "the PARDISO background solver was asked for but pypardiso is not installed",
                hint=f"pip install 'cathode-lca[fast]' (x86-64 only), or unset {SOLVER_ENV} / choose 'auto'",
            )
    return SolverChoice(solver, wanted, n, largest, loops, reason)


def after_jacobi(choice: SolverChoice) -> SolverChoice:
    """The factorisation to use once block-Jacobi sweeps gave up on the loops of *choice*.

    A large loop that defeats Jacobi (one that returns nearly all of its output, or has
    credits) is the hard structure PARDISO is made for: on the random-loop benchmark
    SuperLU/COLAMD took 83 s against 26 s for PARDISO. So an automatic ``superlu-colamd``
    (a loop of :data:`LARGE_LOOP` to :data:`PARDISO_LOOP` processes) becomes ``pardiso`` when
    ``pypardiso`` is installed; any other choice stays. The reason says so in the metadata.

    Examples
    --------
    >>> choice = SolverChoice("superlu", "auto", 10, 2, 1, "largest loop below 1,000 processes")
    >>> after_jacobi(choice) == choice
    True
    """
    if choice.requested != "auto" or choice.solver != "superlu-colamd":
        return choice
    if pardiso_available():
        return replace(
            choice, solver="pardiso", reason=f"{choice.reason}; block Jacobi gave up, PARDISO for the hard loop"
        )
    return replace(choice, reason=f"{choice.reason}; block Jacobi gave up, pypardiso not installed")


class _SuperLU:
    """SuperLU of A in the given order (``permc_spec='NATURAL'``), COLAMD when that fails."""

    def __init__(self, matrix: sp.csc_matrix) -> None:
        from scipy.sparse.linalg import splu

        try:
            self._lu = splu(matrix, permc_spec="NATURAL", diag_pivot_thresh=0.1)
        except RuntimeError:
            self._lu = splu(matrix)

    def solve(self, rhs: Any, trans: str = "N") -> np.ndarray:
        return np.asarray(self._lu.solve(np.asarray(rhs, dtype=float), trans=trans))


class _TransposedSuperLU:
    """SuperLU with COLAMD of Aᵀ: solving A x = b is then the transposed solve of the factors."""

    def __init__(self, matrix: sp.csc_matrix) -> None:
        from scipy.sparse.linalg import splu

        self._lu = splu(sp.csc_matrix(matrix.T), permc_spec="COLAMD")

    def solve(self, rhs: Any, trans: str = "N") -> np.ndarray:
        return np.asarray(self._lu.solve(np.asarray(rhs, dtype=float), trans="T" if trans == "N" else "N"))


_PARDISO_LOCK = threading.Lock()
_PARDISO_SOLVER: list[Any] = []  # one instance per process: creating one searches the whole prefix for MKL


class _Pardiso:
    """MKL PARDISO with this package's own solver instance (never pypardiso's shared module-level one).

    The instance is created once per process (pypardiso's constructor searches the installation
    for MKL, which costs seconds) and held under a lock from factorisation to :meth:`release`, which
    frees MKL's memory; so factorisations in several threads take turns. The factors of the CSR
    arrays serve both directions: PARDISO's transposed solve (what pypardiso does for a CSC matrix
    with the same arrays) gives Aᵀx = b without a second factorisation.
    """

    def __init__(self, matrix: sp.csc_matrix) -> None:
        from pypardiso import PyPardisoSolver

        self._csr = sp.csr_matrix(matrix)
        self._csr.sum_duplicates()
        self._csr.sort_indices()
        _PARDISO_LOCK.acquire()
        try:
            if not _PARDISO_SOLVER:
                _PARDISO_SOLVER.append(PyPardisoSolver())
            self._solver = _PARDISO_SOLVER[0]
            self._solver.factorize(self._csr)
        except BaseException:
            self._free()
            raise
        self._held = True

    def solve(self, rhs: Any, trans: str = "N") -> np.ndarray:
        b = np.asarray(rhs, dtype=float)
        # the CSC view of the same arrays is Aᵀ: pypardiso solves it with the stored factors
        a = self._csr if trans == "N" else self._csr.T
        return np.asarray(self._solver.solve(a, b)).reshape(b.shape)

    def release(self) -> None:
        if self._held:
            self._held = False
            self._free()

    def _free(self) -> None:
        try:
            if _PARDISO_SOLVER:
                _PARDISO_SOLVER[0].free_memory(everything=True)
        finally:
            _PARDISO_LOCK.release()


def factorise(matrix: sp.csc_matrix, choice: SolverChoice) -> Factorisation:
    """Factorise *matrix* with the solver of *choice*.

    Raises :class:`FactorisationError` when the matrix is exactly singular.
    """
    try:
        if choice.solver == "pardiso":
            from pypardiso.pardiso_wrapper import PyPardisoError

            try:
                return _Pardiso(matrix)
            except (PyPardisoError, ValueError) as exc:
                raise FactorisationError(str(exc)) from None
        if choice.solver == "superlu-colamd":
            return _TransposedSuperLU(matrix)
        return _SuperLU(matrix)
    except RuntimeError as exc:
        if isinstance(exc, FactorisationError):
            raise
        raise FactorisationError(str(exc)) from None


def release(lu: Factorisation) -> None:
    """Free what a factorisation holds outside Python (PARDISO's MKL memory); no-op otherwise."""
    free = getattr(lu, "release", None)
    if free is not None:
        free()


JACOBI_MAX_ITERATIONS = 200
"""Most block-Jacobi sweeps :func:`solve_columns` tries before it factorises instead."""
JACOBI_TOLERANCE = 1e-13
"""Largest accepted residual max|A x − e| of the iteration, per column relative to max|x| of that
column (the direct path's checks accept 1e-9; the iteration goes to near round-off so that it
agrees with a direct solve to about cond(A)·1e-13)."""


def solve_columns(matrix: sp.spmatrix, rhs: np.ndarray, requested: str | None = None) -> tuple[np.ndarray, str]:
    """X with A X = *rhs* (several columns), and how it was solved (``"jacobi"`` or a solver name).

    A technosphere matrix whose loops return a modest share of their output (the spectral radius
    of D⁻¹(D − A) well below 1, D its diagonal) is solved by block-Jacobi sweeps, each one sparse
    product for all columns: no factorisation, no fill-in. The sweeps stop at
    :data:`JACOBI_TOLERANCE`; when the residual does not shrink fast enough to get there within
    :data:`JACOBI_MAX_ITERATIONS` sweeps (a tight loop, a negative or zero diagonal), the matrix is
    factorised as :func:`choose_solver` says and solved directly. Either way the residual is
    checked by the caller's standards: the iteration stops only below its tolerance.

    Examples
    --------
    >>> A = sp.csr_matrix([[1.0, -0.5], [-0.2, 1.0]])
    >>> X, how = solve_columns(A, np.eye(2))
    >>> how, [round(float(v), 6) for v in X[:, 0]]
    ('jacobi', [1.111111, 0.222222])
    """
    b = np.asarray(rhs, dtype=float)
    x = jacobi_columns(matrix, b)
    if x is not None:
        return x, "jacobi"
    csc = sp.csc_matrix(matrix, dtype=float)
    choice = after_jacobi(choose_solver(csc, requested))
    lu = factorise(csc, choice)
    try:
        solved = lu.solve(b.reshape(b.shape[0], -1))
    finally:
        release(lu)
    return np.asarray(solved).reshape(b.shape), choice.solver


def jacobi_columns(matrix: sp.spmatrix, rhs: np.ndarray) -> np.ndarray | None:
    """X with A X = *rhs* by block-Jacobi sweeps, or ``None`` when they would not reach
    :data:`JACOBI_TOLERANCE` in time (see :func:`solve_columns`)."""
    csr = sp.csr_matrix(matrix, dtype=float)
    b = np.asarray(rhs, dtype=float)
    b2 = b.reshape(b.shape[0], -1)
    diag = csr.diagonal()
    if not len(diag) or not np.all(diag > 0) or not np.all(np.isfinite(csr.data)):
        return None
    x = b2 / diag[:, None]
    previous = np.inf
    for _ in range(JACOBI_MAX_ITERATIONS):
        residual = b2 - csr @ x
        # relative to each column's own size, so that a column of tiny amounts (a trace emission
        # of 1e-12 kg per unit) is as accurate as one of kilograms
        size = np.abs(residual).max(axis=0, initial=0)
        scale = np.abs(x).max(axis=0, initial=0)
        if not np.all(np.isfinite(size)) or not np.all(np.isfinite(scale)):
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = float(np.max(np.where(size == 0, 0.0, size / scale), initial=0))
        if relative <= JACOBI_TOLERANCE:
            return x.reshape(b.shape)
        if relative > 0.9 * previous:  # the contraction is too slow for the sweeps left
            return None
        previous = relative
        x += residual / diag[:, None]
    return None


class JacobiSolve:
    """A :class:`Factorisation` stand-in that solves by :func:`jacobi_columns` (A and Aᵀ have the
    same diagonal and the same convergence rate); raises :class:`NotConverged` when it cannot."""

    def __init__(self, matrix: sp.spmatrix) -> None:
        self._csr = sp.csr_matrix(matrix, dtype=float)
        self._csr_t = sp.csr_matrix(self._csr.T)

    def solve(self, rhs: Any, trans: str = "N") -> np.ndarray:
        x = jacobi_columns(self._csr if trans == "N" else self._csr_t, np.asarray(rhs, dtype=float))
        if x is None:
            raise NotConverged("block Jacobi did not converge")
        return x


class NotConverged(RuntimeError):
    """Block-Jacobi sweeps did not reach their tolerance (the caller factorises instead)."""
