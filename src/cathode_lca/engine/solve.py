"""Solving A s = f for one or many samples, with a static background solved once.

The supply chain of the demanded products is split into

* a **background**: columns whose entries are all constant and that consume no
  foreground product. It is factorised once (SuperLU in block-triangular order, or a
  fill-reducing solver inside a large loop: see :mod:`.factorize`) and solved once per
  *interface product* (background products the foreground consumes), giving the
  aggregated inventory per unit of each interface product;
* a **foreground**: parameterised columns, the demanded columns, and everything that
  consumes them. It is solved for all S samples together by back-substitution in
  topological order, with batched dense LU for strongly connected blocks.

Examples
--------
>>> # see tests/test_engine_known_answers.py
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import SingularSystemError, SolverError
from ..parameters.engine import Env
from . import factorize
from .conditioning import AMPLIFICATION_LIMIT, CONDITION_LIMIT, inverse_one_norm, self_consumption_problem
from .factorize import (
    FactorisationError,
    SolverChoice,
    block_triangular_order,
    choose_solver,
    factorise,
    release,
    strong_components,
)
from .matrices import EntryValues, MatrixModel

__all__ = [
    "PartitionedSolver",
    "Solution",
    "block_triangular_order",
    "inverse_one_norm",
    "self_consumption_problem",
]

RESIDUAL_TOLERANCE = 1e-9
RESIDUAL_SAMPLES = 256  # samples on which the foreground residual is checked (all when fewer)


def _closure(adjacency: sp.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes reachable from *sources* (included) along *adjacency* (row -> column)."""
    n = adjacency.shape[0]
    seen = np.zeros(n, dtype=bool)
    if not len(sources):
        return seen
    from scipy.sparse.csgraph import breadth_first_order

    # one extra node n points to every source, so one breadth-first search covers them all
    extra = sp.csr_matrix((np.ones(len(sources)), (np.full(len(sources), n), sources)), shape=(n + 1, n + 1))
    graph = sp.csr_matrix(sp.block_diag((adjacency, sp.csr_matrix((1, 1)))) + extra)
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    seen[order[order < n]] = True
    return seen


class _FinalDemand:
    """The final demand over the foreground: a few non-zero rows, without an (n, S) array of zeros."""

    def __init__(self, n: int, size: int, rows: dict[int, Any]) -> None:
        self.n, self.size = n, size
        self.rows = {r: np.broadcast_to(np.asarray(v, dtype=float), (size,)) for r, v in rows.items()}

    def row(self, r: int) -> np.ndarray:
        """A fresh (writable) copy of row *r*."""
        return self.rows[r].copy() if r in self.rows else np.zeros(self.size)

    def columns(self, idx: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n, len(idx)))
        for r, v in self.rows.items():
            out[r] = v[idx]
        return out

    def dense(self) -> np.ndarray:
        return self.columns(np.arange(self.size))


@dataclass
class Solution:
    """Supply of the foreground columns and the inventory, for S samples."""

    fg_columns: np.ndarray  # column indices of the foreground
    supply: np.ndarray  # (n_fg, S)
    inventory: np.ndarray  # (n_flows, S)
    direct: np.ndarray  # (n_flows, n_fg, S) direct flows + rolled-up background per fg column (optional)
    solver: str
    a_data: np.ndarray | None = None  # A_ff entry values (n_entries, S)
    a_rows: np.ndarray | None = None  # entry rows, as foreground positions
    a_cols: np.ndarray | None = None  # entry columns, as foreground positions
    final_demand: np.ndarray | None = None  # (n_fg, S)
    order: list[int] | None = None  # foreground positions, consumers before producers
    background: dict[str, Any] | None = None  # how the static background was factorised (SolverChoice.as_dict)


class PartitionedSolver:
    """Solver for a fixed set of demanded products under one :class:`MatrixModel`."""

    def __init__(
        self,
        model: MatrixModel,
        demanded: list[int],
        static_env: Env | None = None,
        background_solver: str | None = None,
    ) -> None:
        self.model = model
        self.background_solver = background_solver  # None: the environment variable, else "auto"
        self.background_choice: SolverChoice | None = None
        n = model.n
        A = model.A
        # consumer column -> product row (what each column takes from the technosphere)
        supplies = sp.csr_matrix((np.ones(len(A["rows"])), (A["cols"], A["rows"])), shape=(n, n))
        reachable = _closure(supplies, np.asarray(demanded, dtype=np.int64))
        variable = model.variable_entries(A)
        var_cols = np.union1d(A["cols"][variable], model.B["cols"][model.variable_entries(model.B)])
        seeds = np.union1d(np.asarray(demanded, dtype=np.int64), var_cols[reachable[var_cols]])
        # everything (reachable) that consumes a foreground product is foreground too
        into = reachable[A["cols"]]  # only edges into reachable consumers
        consumers = sp.csr_matrix((np.ones(int(into.sum())), (A["rows"][into], A["cols"][into])), shape=(n, n))
        fg = _closure(consumers, seeds)
        self.fg = np.nonzero(fg)[0].astype(np.int64)
        self.bg = np.nonzero(reachable & ~fg)[0].astype(np.int64)
        self.fg_pos = {int(c): i for i, c in enumerate(self.fg)}
        in_fg_col = np.isin(A["cols"], self.fg)
        self.a_fg = np.nonzero(in_fg_col & np.isin(A["rows"], self.fg))[0]  # A_ff entries
        self.a_if = np.nonzero(in_fg_col & np.isin(A["rows"], self.bg))[0]  # A_bf entries
        self.b_fg = np.nonzero(np.isin(model.B["cols"], self.fg))[0]
        self.interface = np.array(sorted(set(A["rows"][self.a_if].tolist())), dtype=np.int64)
        self.if_pos = {int(r): i for i, r in enumerate(self.interface)}
        self.solver_name = "topological back-substitution (foreground)"
        self._factorised: tuple[sp.csc_matrix, np.ndarray, SolverChoice] | None = None
        self._supply_rows: dict[tuple[int, ...], np.ndarray] = {}
        self._background_solve(static_env)
        self._plan_foreground()

    def for_twin(self, model: MatrixModel) -> PartitionedSolver | None:
        """This solver for *model*, a twin of its model (same pattern, more entries varied), or ``None``.

        The partition (foreground, static background, interface) and the background's aggregated
        flows ``G`` are shared when none of the newly varied entries (A or B) lies in a background
        column: then the twin's foreground seeds stay inside this foreground, so it partitions
        the same way, and every background entry keeps its constant value. A varied entry in the
        background changes both, so the twin needs its own solver (``None``).
        """
        mine = self.model
        if model.A is not mine.A or model.B is not mine.B:
            return None
        new_a = model.variable_entries(model.A) & ~mine.variable_entries(mine.A)
        new_b = model.variable_entries(model.B) & ~mine.variable_entries(mine.B)
        touched = np.union1d(model.A["cols"][new_a], model.B["cols"][new_b])
        if np.isin(touched, self.bg).any():
            return None
        twin = copy.copy(self)
        twin.model = model
        twin._supply_rows = {}
        return twin

    # -- structure ----------------------------------------------------------------
    def _names(self, cols: Any, limit: int = 8) -> str:
        names = [self.model.describe_column(int(c)) for c in cols]
        more = f" and {len(names) - limit} more" if len(names) > limit else ""
        return ", ".join(names[:limit]) + more

    # -- background -------------------------------------------------------------------
    def _background_solve(self, env: Env | None) -> None:
        model = self.model
        nb = len(self.bg)
        n_flows = len(model.flows)
        self.G = np.zeros((n_flows, len(self.interface)))
        if nb == 0:
            return
        A = model.A
        in_bg = np.zeros(model.n, dtype=bool)
        in_bg[self.bg] = True
        sel = np.nonzero(in_bg[A["cols"]] & in_bg[A["rows"]])[0]
        # background columns have no parameterised entry (those are foreground), so no env is needed
        data = model.entry_data(A, sel, env if env is not None else {}, 1)[:, 0]
        rows = np.searchsorted(self.bg, A["rows"][sel])  # background positions (self.bg is sorted)
        cols = np.searchsorted(self.bg, A["cols"][sel])
        self._check_diagonal(self.bg[rows], rows == cols, A["scales"][sel], data[:, None])
        Abb = sp.csc_matrix((data, (rows, cols)), shape=(nb, nb))
        Abb.sum_duplicates()
        diag = Abb.diagonal()
        if np.any(diag == 0):
            bad = self.bg[np.nonzero(diag == 0)[0]]
            raise SingularSystemError(
                f"singular background: no production of {self._names(bad)}",
                hint="each dataset must produce a non-zero amount of its reference product",
            )
        _, labels = strong_components(Abb)
        choice = choose_solver(Abb, self.background_solver, labels)
        order = block_triangular_order(Abb, labels)
        position = np.empty(nb, dtype=np.int64)
        position[order] = np.arange(nb)  # original background position -> permuted position
        coo = Abb.tocoo()
        Abb_perm = sp.csc_matrix((coo.data, (position[coo.row], position[coo.col])), shape=(nb, nb))
        self._factorised = (Abb_perm, position, choice)  # kept (nnz only) for background_supply
        solved = self._jacobi_background(env, Abb_perm, position, choice)
        if solved is not None:
            residual, scale, choice = solved
            self._factorised = (Abb_perm, position, choice)
        else:
            if self._jacobi_eligible(Abb_perm, choice):  # tried and gave up: the loop is a hard one
                choice = factorize.after_jacobi(choice)
                self._factorised = (Abb_perm, position, choice)
            try:
                lu = factorise(Abb_perm, choice)
            except FactorisationError:
                sizes = np.bincount(labels)
                loops = self.bg[np.isin(labels, np.nonzero(sizes > 1)[0])]
                raise SingularSystemError(
                    f"singular background system; datasets in loops: {self._names(loops)}",
                    hint="a loop that consumes at least as much as it produces cannot be solved; check those amounts",
                ) from None
            try:
                residual, scale, ones = self._interface_solve(env, lu, Abb_perm, position)
                self._check_condition(Abb_perm, lu, self.bg[order], ones)
            finally:
                release(lu)
        if not np.isfinite(residual) or residual > RESIDUAL_TOLERANCE * scale:
            raise SolverError(f"background residual {residual:.3g} too large", hint="the system is ill-conditioned")
        self.background_choice = choice
        self.solver_name = f"{choice.describe()} for the background, once + topological back-substitution (foreground)"

    def _jacobi_background(
        self, env: Env | None, matrix: sp.csc_matrix, position: np.ndarray, choice: SolverChoice
    ) -> tuple[float, float, SolverChoice] | None:
        """The interface solve and condition check by block-Jacobi sweeps, without a factorisation:
        tried only when the solver is chosen automatically, the largest loop is large (a
        factorisation would fill in) and the background is a Z-matrix (so that the condition
        number follows from one more solve). ``None`` when the sweeps do not converge in time."""
        if not self._jacobi_eligible(matrix, choice):
            return None
        jacobi = factorize.JacobiSolve(matrix)
        try:
            residual, scale, ones = self._interface_solve(env, jacobi, matrix, position)
            self._check_condition(matrix, jacobi, self.bg[np.argsort(position)], ones)
        except factorize.NotConverged:
            return None
        return residual, scale, replace(choice, solver="jacobi")

    @staticmethod
    def _jacobi_eligible(matrix: sp.csc_matrix, choice: SolverChoice) -> bool:
        """Whether :meth:`_jacobi_background` tries the sweeps: an automatic choice, a large loop
        and a Z-matrix (no positive off-diagonal entry: no credits)."""
        if choice.requested != "auto" or choice.largest_loop < factorize.LARGE_LOOP:
            return False
        coo = matrix.tocoo()
        return not np.any(coo.data[coo.row != coo.col] > 0)

    def _interface_solve(
        self, env: Env | None, lu: Any, Abb_perm: sp.csc_matrix, position: np.ndarray
    ) -> tuple[float, float, np.ndarray | None]:
        """Aggregated flows per unit of each interface product, G = B_bb A_bb⁻¹ (interface columns).

        One multi-right-hand-side solve, only for the flows the background emits (the other rows of
        G are zero): either Aᵀ Y = B_bbᵀ (fewer such flows than interface products; a column of ones
        rides along for :meth:`_check_condition`) or A X = the interface columns of I. Returns the
        largest residual, its scale, and the solution of Aᵀ y = 1 when it was computed.
        """
        if not len(self.interface):
            return 0.0, 1.0, None
        model, B = self.model, self.model.B
        nb = len(self.bg)
        in_bg = np.zeros(model.n, dtype=bool)
        in_bg[self.bg] = True
        selb = np.nonzero(in_bg[B["cols"]])[0]
        bdata = model.entry_data(B, selb, env if env is not None else {}, 1)[:, 0]
        flows, flow_rows = np.unique(B["rows"][selb], return_inverse=True)  # the flows the background emits
        bcols = position[np.searchsorted(self.bg, B["cols"][selb])]
        Bbb = sp.csr_matrix((bdata, (flow_rows, bcols)), shape=(len(flows), nb))
        if_rows = position[np.searchsorted(self.bg, self.interface)]
        if len(flows) < len(self.interface):
            # fewer flows than interface products: solve Aᵀ y = bᵀ once per flow instead
            rhs = np.empty((nb, len(flows) + 1))
            rhs[:, : len(flows)] = Bbb.T.toarray()
            rhs[:, -1] = 1.0
            Y = lu.solve(rhs, trans="T")  # (nb, flows + 1)
            self.G[flows] = Y[if_rows, : len(flows)].T
            check = Abb_perm.T @ Y[:, : len(flows)] - rhs[:, : len(flows)]
            scale = max(1.0, float(np.abs(Y[:, : len(flows)]).max(initial=0)))
            ones: np.ndarray | None = Y[:, -1]
        else:
            rhs = np.zeros((nb, len(self.interface)))
            rhs[if_rows, np.arange(len(self.interface))] = 1.0
            X = lu.solve(rhs)
            self.G[flows] = np.asarray(Bbb @ X)
            check = Abb_perm @ X - rhs
            scale = max(1.0, float(np.abs(X).max(initial=0)))
            ones = None
        return float(np.abs(check).max(initial=0)), scale, ones

    def background_supply(self, columns: Sequence[int]) -> np.ndarray:
        """Supply of each of *columns* per unit of each interface product: (len(columns), interface).

        Rows of columns outside the background are zero. Cached per column set; the first call
        factorises the background again (the factors are freed after the interface solve), which
        is cheap where it is used: a Brightway background, whose mapped datasets are aggregated
        system processes, leaves only our own small background here.
        """
        key = tuple(int(c) for c in columns)
        if key in self._supply_rows:
            return self._supply_rows[key]
        out = np.zeros((len(key), len(self.interface)))
        in_bg = np.zeros(self.model.n, dtype=bool)
        in_bg[self.bg] = True
        cols = np.asarray(key, dtype=np.int64)
        inside = np.nonzero(in_bg[cols])[0]
        bg_pos = np.searchsorted(self.bg, cols[inside])
        if len(inside) and len(self.interface) and self._factorised is not None:
            matrix, position, choice = self._factorised
            nb = matrix.shape[0]
            rhs = np.zeros((nb, len(inside)))
            rhs[position[bg_pos], np.arange(len(inside))] = 1.0
            if choice.solver == "jacobi":
                Y, _ = factorize.solve_columns(matrix.T, rhs)  # row k of A⁻¹ is column k of A⁻ᵀ
            else:
                lu = factorise(matrix, choice)
                try:
                    Y = lu.solve(rhs, trans="T")
                finally:
                    release(lu)
            residual = float(np.abs(matrix.T @ Y - rhs).max(initial=0))
            if not np.isfinite(residual) or residual > RESIDUAL_TOLERANCE * max(1.0, float(np.abs(Y).max())):
                raise SolverError(f"background residual {residual:.3g} too large", hint="the system is ill-conditioned")
            out[inside] = Y[position[np.searchsorted(self.bg, self.interface)]].T
        self._supply_rows[key] = out
        return out

    def total_supply(self, columns: Sequence[int], fg_supply: np.ndarray, env: Env) -> np.ndarray:
        """Supply of each of *columns* for one sample whose foreground supply is *fg_supply* (n_fg,):
        foreground columns read from it, background ones from the demand the foreground puts on the
        interface products (through :meth:`background_supply`), 0 where the demand does not reach.
        *env* holds scalars (one sample)."""
        model = self.model
        fg_supply = np.asarray(fg_supply, dtype=float).reshape(len(self.fg))
        bdemand = np.zeros(len(self.interface))
        if len(self.a_if):
            values = model.entry_split(model.A, self.a_if, env, 1).dense()[:, 0]
            np.subtract.at(bdemand, self.i_rows, values * fg_supply[self.i_cols])
        out = self.background_supply(columns) @ bdemand
        for k, col in enumerate(columns):
            if int(col) in self.fg_pos:
                out[k] = fg_supply[self.fg_pos[int(col)]]
        return np.asarray(out, dtype=float)

    def _check_diagonal(self, columns: np.ndarray, on_diag: np.ndarray, scales: np.ndarray, values: np.ndarray) -> None:
        """Self-consumption and reference amounts of the background columns, vectorised.

        *columns* are the matrix columns of the entries, *on_diag* marks the diagonal ones,
        *scales* their sign (production entries are positive, inputs negative) and *values*
        their values (one sample).
        """
        idx = np.nonzero(on_diag)[0]
        if not len(idx):
            return
        cols, where = np.unique(columns[idx], return_inverse=True)
        v = np.asarray(values, dtype=float).reshape(len(values), -1)[idx, 0]
        produced = np.bincount(where, weights=np.where(scales[idx] > 0, v, 0.0), minlength=len(cols))
        consumed = np.bincount(where, weights=np.where(scales[idx] < 0, -v, 0.0), minlength=len(cols))
        with np.errstate(all="ignore"):
            bad = (produced <= 0) | (consumed / np.where(produced > 0, produced, 1.0) > 1 - 1 / AMPLIFICATION_LIMIT)
        for k in np.nonzero(bad)[0]:
            problem = self_consumption_problem(produced[k], consumed[k])
            if problem:
                raise self._singular(int(cols[k]), problem)

    def _singular(self, col: int, problem: str) -> SingularSystemError:
        ds = self.model.inventory.datasets[self.model.column_dataset[col]]
        return SingularSystemError(
            f"'{self.model.describe_column(col)}' {problem}",
            file=ds.where.file,
            line=ds.where.line,
            dataset=ds.id,
            hint="check the amounts of its reference product and of any input of its own product",
        )

    def _check_condition(
        self, matrix: sp.csc_matrix, lu: Any, cols: np.ndarray, ones: np.ndarray | None = None
    ) -> None:
        """Refuse a background whose 1-norm condition number exceeds :data:`CONDITION_LIMIT`
        (‖A‖₁ exact, ‖A⁻¹‖₁ from :func:`inverse_one_norm`)."""
        n = matrix.shape[0]
        if n == 1:
            return
        norm = float(abs(matrix).sum(axis=0).max())
        inverse_norm, _ = inverse_one_norm(matrix, lu, ones)
        cond = inverse_norm * norm
        if not np.isfinite(cond) or cond > CONDITION_LIMIT:
            n_comp, labels = connected_components(matrix, directed=True, connection="strong")
            sizes = np.bincount(labels)
            loops = cols[np.isin(labels, np.nonzero(sizes > 1)[0])]
            raise SingularSystemError(
                f"ill-conditioned system (condition number ≈ {cond:.2g}); datasets in loops: {self._names(loops)}",
                hint="a loop that consumes nearly as much as it produces; check those amounts",
            )

    # -- foreground -------------------------------------------------------------------
    def _plan_foreground(self) -> None:
        A = self.model.A
        nf = len(self.fg)
        rows = np.array([self.fg_pos[int(r)] for r in A["rows"][self.a_fg]], dtype=np.int64)
        cols = np.array([self.fg_pos[int(c)] for c in A["cols"][self.a_fg]], dtype=np.int64)
        self.f_rows, self.f_cols = rows, cols
        graph = sp.csr_matrix((np.ones(len(rows)), (cols, rows)), shape=(nf, nf))  # consumer -> producer
        n_comp, labels = connected_components(graph, directed=True, connection="strong")
        # order components so that every consumer is solved before its producers
        comp_graph = sp.csr_matrix((np.ones(len(rows)), (labels[cols], labels[rows])), shape=(n_comp, n_comp))
        comp_graph.setdiag(0)
        comp_graph.eliminate_zeros()
        indegree = np.asarray((comp_graph != 0).sum(axis=0)).ravel()
        order: list[int] = []
        ready = [c for c in range(n_comp) if indegree[c] == 0]
        cg = comp_graph.tocsr()
        while ready:
            c = ready.pop()
            order.append(c)
            for nxt in cg.indices[cg.indptr[c] : cg.indptr[c + 1]]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(int(nxt))
        members = [np.nonzero(labels == c)[0] for c in range(n_comp)]
        self.blocks = [members[c] for c in order]
        self.entries_by_row = [np.nonzero(rows == r)[0] for r in range(nf)]
        self.const_offdiag = [e[cols[e] != r] for r, e in enumerate(self.entries_by_row)]
        # per row, as Python ints for the back-substitution loop: the diagonal entries with whether
        # each is a production (positive scale), and the off-diagonal entries, in entry order
        produces = A["scales"][self.a_fg] > 0
        self._diag_entries = [
            [(int(e), bool(produces[e])) for e in entries if cols[e] == r]
            for r, entries in enumerate(self.entries_by_row)
        ]
        self._offdiag_entries = [[int(e) for e in entries] for entries in self.const_offdiag]
        B = self.model.B
        self.b_rows = B["rows"][self.b_fg]
        self.b_cols = np.array([self.fg_pos[int(c)] for c in B["cols"][self.b_fg]], dtype=np.int64)
        self.i_rows = np.array([self.if_pos[int(r)] for r in A["rows"][self.a_if]], dtype=np.int64)
        self.i_cols = np.array([self.fg_pos[int(c)] for c in A["cols"][self.a_if]], dtype=np.int64)
        if any(len(b) > 1 for b in self.blocks):
            self.solver_name += " with batched LU for loops"

    def solve(self, env: Env, size: int, demand: dict[int, np.ndarray], with_direct: bool = True) -> Solution:
        """Supply and inventory for S samples; optionally the per-process contributions."""
        model = self.model
        nf = len(self.fg)
        a_values = model.entry_split(model.A, self.a_fg, env, size)
        var_of = {int(pos): i for i, pos in enumerate(a_values.var_pos)}
        s = np.empty((nf, size))  # every row is assigned by the block loop below
        f = _FinalDemand(nf, size, {self.fg_pos[col]: amount for col, amount in demand.items()})
        cols = self.f_cols
        for block in self.blocks:
            if len(block) == 1:
                s[int(block[0])] = self._solve_single(int(block[0]), a_values, var_of, s, f, size)
            else:
                s[block] = self._solve_block(block, a_values, var_of, s, f, size)
        self._check_residual(a_values, s, f)
        # inventory: direct flows of the foreground + background pulled in through interface products
        b_values = model.entry_split(model.B, self.b_fg, env, size)
        i_values = model.entry_split(model.A, self.a_if, env, size)
        b_const, i_const = self._constant_matrices(b_values, i_values)
        g = np.asarray(b_const @ s)
        bdemand = -np.asarray(i_const @ s)
        for k, pos in enumerate(b_values.var_pos):
            g[self.b_rows[pos]] += b_values.var[k] * s[self.b_cols[pos]]
        for k, pos in enumerate(i_values.var_pos):
            bdemand[self.i_rows[pos]] -= i_values.var[k] * s[self.i_cols[pos]]
        g += self.G @ bdemand
        if with_direct:
            unit = b_const.toarray() - self.G @ i_const.toarray()  # flows per unit of each fg process
            direct = unit[:, :, None] * s[None, :, :]
            for k, pos in enumerate(b_values.var_pos):
                direct[self.b_rows[pos], self.b_cols[pos]] += b_values.var[k] * s[self.b_cols[pos]]
            for k, pos in enumerate(i_values.var_pos):
                j = self.i_cols[pos]
                direct[:, j] -= self.G[:, self.i_rows[pos]][:, None] * (i_values.var[k] * s[j])[None, :]
            data = a_values.dense()
        else:
            direct, data = np.zeros((0, 0, 0)), None
        order = [int(i) for block in self.blocks for i in block]
        final = f.dense() if with_direct else None
        background = self.background_choice.as_dict() if self.background_choice is not None else None
        return Solution(self.fg, s, g, direct, self.solver_name, data, self.f_rows, cols, final, order, background)

    def _constant_matrices(self, b_values: EntryValues, i_values: EntryValues) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        nf = len(self.fg)
        b_data = b_values.const.copy()
        b_data[b_values.var_pos] = 0.0
        i_data = i_values.const.copy()
        i_data[i_values.var_pos] = 0.0
        b_const = sp.csr_matrix((b_data, (self.b_rows, self.b_cols)), shape=(len(self.model.flows), nf))
        i_const = sp.csr_matrix((i_data, (self.i_rows, self.i_cols)), shape=(len(self.interface), nf))
        return b_const, i_const

    def _entry(self, e: Any, values: EntryValues, var_of: dict[int, int]) -> Any:
        k = var_of.get(int(e))
        return values.var[k] if k is not None else values.const[e]

    def _solve_single(
        self, r: int, values: EntryValues, var_of: dict[int, int], s: np.ndarray, f: _FinalDemand, size: int
    ) -> np.ndarray:
        cols = self.f_cols
        diag: Any = 0.0
        produced: Any = 0.0
        consumed: Any = 0.0
        rhs = f.row(r)
        for e, production in self._diag_entries[r]:
            value = self._entry(e, values, var_of)
            diag = diag + value
            if production:
                produced = produced + value
            else:
                consumed = consumed - value
        off = self._offdiag_entries[r]
        if off:
            live = []
            for e in off:  # varying entries one by one, in entry order; the constant ones in one product
                k = var_of.get(e)
                if k is None:
                    live.append(e)
                else:
                    rhs -= values.var[k] * s[cols[e]]
            if live:
                rhs -= values.const[live] @ s[cols[live]]
        if isinstance(diag, float) and isinstance(consumed, float) and isinstance(produced, float):
            # constant diagonal (the usual case): the checks below on scalars, the same division
            if (consumed != 0 or produced < 0) and (problem := self_consumption_problem(produced, consumed)):
                raise self._singular(int(self.fg[r]), problem)
            if diag != 0:
                with np.errstate(all="ignore"):
                    return rhs / diag
        diag = np.broadcast_to(np.asarray(diag, dtype=float), (size,))
        if np.any(np.asarray(consumed) != 0) or np.any(np.asarray(produced) < 0):
            problem = self_consumption_problem(produced, consumed)
            if problem:
                raise self._singular(int(self.fg[r]), problem)
        zero = diag == 0
        if np.any(zero & (rhs != 0)):
            raise SingularSystemError(
                f"'{self.model.describe_column(int(self.fg[r]))}' is demanded but produces nothing "
                f"(reference amount 0 in {int(np.sum(zero))} of {size} samples)",
                hint="check the amount of its reference product and the parameters it uses",
            )
        with np.errstate(all="ignore"):
            return np.where(zero, 0.0, rhs / np.where(zero, 1.0, diag))

    def _solve_block(
        self, block: np.ndarray, values: EntryValues, var_of: dict[int, int], s: np.ndarray, f: _FinalDemand, size: int
    ) -> np.ndarray:
        m = len(block)
        local = {int(r): i for i, r in enumerate(block)}
        M = np.zeros((size, m, m))
        rhs = np.stack([f.row(int(r)) for r in block], axis=1)  # (size, m)
        for i, r in enumerate(block):
            for e in self.entries_by_row[int(r)]:
                c = int(self.f_cols[e])
                value = self._entry(e, values, var_of)
                if c in local:
                    M[:, i, local[c]] += value
                else:
                    rhs[:, i] -= value * s[c]
        try:
            conds = np.linalg.cond(M)
            if np.any(~np.isfinite(conds)) or np.any(conds > CONDITION_LIMIT):
                raise np.linalg.LinAlgError
            x = np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            raise SingularSystemError(
                f"singular or ill-conditioned loop between: {self._names(self.fg[block])}",
                hint="a loop that consumes at least as much as it produces cannot be solved; check those amounts",
            ) from None
        return x.T

    def _check_residual(self, values: EntryValues, s: np.ndarray, f: _FinalDemand) -> None:
        """Residual |A s − f| on up to RESIDUAL_SAMPLES evenly spaced samples, and finiteness of all."""
        size = s.shape[1]
        if not np.all(np.isfinite(s)):
            raise SolverError("the solution contains NaN or infinity", hint="check parameters for extreme values")
        idx = np.unique(np.linspace(0, size - 1, min(size, RESIDUAL_SAMPLES)).astype(int))
        data = np.empty((len(values.const), len(idx)))
        data[:] = values.const[:, None]
        for k, pos in enumerate(values.var_pos):
            data[pos] = values.var[k][idx]
        f_idx = f.columns(idx)
        residual = f_idx.copy()
        np.subtract.at(residual, self.f_rows, data * s[:, idx][self.f_cols])
        scale = max(1.0, float(np.abs(f_idx).max(initial=0)), float(np.abs(s[:, idx]).max(initial=0)))
        worst = float(np.abs(residual).max()) if residual.size else 0.0
        if not np.isfinite(worst) or worst > RESIDUAL_TOLERANCE * scale:
            raise SolverError(
                f"foreground residual {worst:.3g} exceeds tolerance",
                hint="the system is ill-conditioned; check loops and near-zero production amounts",
            )
