"""Solving A s = f for one or many samples, with a static background solved once.

The supply chain of the demanded products is split into

* a **background**: columns whose entries are all constant and that consume no
  foreground product. It is factorised once (scipy ``splu``) and solved once per
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

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import SingularSystemError, SolverError
from ..inventory.formulas import Env  # read-only Mapping: the engine never writes into an env
from .matrices import EntryValues, MatrixModel

RESIDUAL_TOLERANCE = 1e-9
RESIDUAL_SAMPLES = 256  # samples on which the foreground residual is checked (all when fewer)
CONDITION_LIMIT = 1e12
"""Largest accepted 1-norm condition estimate of a background matrix or a foreground loop block.
In float64 (ε ≈ 2.2e-16) it bounds the relative rounding error of the solve at about 2e-4."""
AMPLIFICATION_LIMIT = 1e6
"""Largest accepted self-consumption amplification 1 / (1 − r) of one dataset, where r is the
share of its own reference product that it consumes (r = 0.999999 is the limit). This is the
condition number of the dataset's 1 × 1 block with respect to r, free of units: beyond it a
change of 1e-6 in r changes the result by 100 % or more."""


def self_consumption_problem(produced: Any, consumed: Any) -> str | None:
    """Why a dataset's own-product balance cannot be solved, or ``None`` when it can.

    *produced* is the reference product amount and *consumed* the amount of its own product
    the dataset takes as input (arrays over samples, or scalars).

    Examples
    --------
    >>> self_consumption_problem(1.0, 0.5) is None
    True
    >>> self_consumption_problem(1.0, 0.999999999999)[:40]
    'consumes 100 % of its own reference prod'
    >>> self_consumption_problem(-1.0, 0.0)
    'has a zero or negative reference product amount (-1)'
    """
    produced, consumed = np.broadcast_arrays(
        np.atleast_1d(np.asarray(produced, dtype=float)), np.atleast_1d(np.asarray(consumed, dtype=float))
    )
    if np.any(produced <= 0):
        return f"has a zero or negative reference product amount ({float(produced[produced <= 0][0]):.6g})"
    ratio = consumed / produced
    worst = float(ratio.max())
    if worst >= 1:
        return f"consumes {worst:.6g} kg of its own reference product per kg produced (self-consumption >= 1)"
    amplification = 1.0 / (1.0 - worst)
    if amplification > AMPLIFICATION_LIMIT:
        return (
            f"consumes {100 * worst:.10g} % of its own reference product: the result is amplified "
            f"{amplification:.3g}-fold (limit {AMPLIFICATION_LIMIT:.0e}, i.e. self-consumption <= 0.999999)"
        )
    return None


def block_triangular_order(matrix: sp.spmatrix) -> np.ndarray:
    """Column/row order that makes a technosphere matrix block triangular.

    Strongly connected components are ordered so that every consumer comes before what it
    consumes; the matrix is then block lower triangular and LU fill-in stays inside the loops
    (as in KLU's BTF step). Supply chains are mostly acyclic, so the blocks are small.
    """
    n = matrix.shape[0]
    coo = sp.coo_matrix(matrix)
    off = coo.row != coo.col
    n_comp, labels = connected_components(matrix, directed=True, connection="strong")
    # edge consumer (column) -> product (row) between components
    cg = sp.csr_matrix((np.ones(int(off.sum())), (labels[coo.col[off]], labels[coo.row[off]])), shape=(n_comp, n_comp))
    cg.setdiag(0)
    cg.eliminate_zeros()
    indegree = np.asarray((cg != 0).sum(axis=0)).ravel()
    ready: list[int] = np.nonzero(indegree == 0)[0].tolist()
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


def _factorise(matrix: sp.csc_matrix) -> Any:
    """SuperLU in the given (block triangular) order; fall back to COLAMD on trouble."""
    from scipy.sparse.linalg import splu

    try:
        return splu(matrix, permc_spec="NATURAL", diag_pivot_thresh=0.1)
    except RuntimeError:
        return splu(matrix)


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


class PartitionedSolver:
    """Solver for a fixed set of demanded products under one :class:`MatrixModel`."""

    def __init__(self, model: MatrixModel, demanded: list[int], static_env: Env) -> None:
        self.model = model
        n = model.n
        A = model.A
        pattern = sp.csc_matrix((np.ones(len(A["rows"])), (A["rows"], A["cols"])), shape=(n, n))
        reachable = self._reachable(pattern, demanded)
        variable = model.variable_entries(A)
        var_cols = set(A["cols"][variable].tolist())
        var_cols.update(model.B["cols"][model.variable_entries(model.B)].tolist())
        fg = set(demanded) | (var_cols & reachable)
        # everything that consumes a foreground product is foreground too
        csr = pattern.tocsr()
        frontier = list(fg)
        while frontier:
            row = frontier.pop()
            for col in csr.indices[csr.indptr[row] : csr.indptr[row + 1]]:
                if col in reachable and col not in fg:
                    fg.add(int(col))
                    frontier.append(int(col))
        self.fg = np.array(sorted(fg), dtype=np.int64)
        self.bg = np.array(sorted(reachable - fg), dtype=np.int64)
        self.fg_pos = {int(c): i for i, c in enumerate(self.fg)}
        self.bg_pos = {int(c): i for i, c in enumerate(self.bg)}
        in_fg_col = np.isin(A["cols"], self.fg)
        self.a_fg = np.nonzero(in_fg_col & np.isin(A["rows"], self.fg))[0]  # A_ff entries
        self.a_if = np.nonzero(in_fg_col & np.isin(A["rows"], self.bg))[0]  # A_bf entries
        self.b_fg = np.nonzero(np.isin(model.B["cols"], self.fg))[0]
        self.interface = np.array(sorted(set(A["rows"][self.a_if].tolist())), dtype=np.int64)
        self.if_pos = {int(r): i for i, r in enumerate(self.interface)}
        self.solver_name = "topological back-substitution (foreground)"
        self._background_solve(static_env)
        self._plan_foreground()

    # -- structure ----------------------------------------------------------------
    @staticmethod
    def _reachable(pattern: sp.csc_matrix, demanded: list[int]) -> set[int]:
        seen = set(demanded)
        stack = list(demanded)
        while stack:
            col = stack.pop()
            for row in pattern.indices[pattern.indptr[col] : pattern.indptr[col + 1]]:
                if row not in seen:
                    seen.add(int(row))
                    stack.append(int(row))
        return seen

    def _names(self, cols: Any, limit: int = 8) -> str:
        names = [self.model.describe_column(int(c)) for c in cols]
        more = f" and {len(names) - limit} more" if len(names) > limit else ""
        return ", ".join(names[:limit]) + more

    # -- background -------------------------------------------------------------------
    def _background_solve(self, env: Env) -> None:
        model = self.model
        nb = len(self.bg)
        n_flows = len(model.flows)
        self.G = np.zeros((n_flows, len(self.interface)))
        if nb == 0:
            return
        A, B = model.A, model.B
        sel = np.nonzero(np.isin(A["cols"], self.bg) & np.isin(A["rows"], self.bg))[0]
        data = model.entry_data(A, sel, env, 1)[:, 0]
        rows = np.array([self.bg_pos[int(r)] for r in A["rows"][sel]], dtype=np.int64)
        cols = np.array([self.bg_pos[int(c)] for c in A["cols"][sel]], dtype=np.int64)
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
        order = block_triangular_order(Abb)
        Abb_perm = Abb[order][:, order].tocsc()
        try:
            lu = _factorise(Abb_perm)
        except RuntimeError:
            n_comp, labels = connected_components(Abb, directed=True, connection="strong")
            sizes = np.bincount(labels)
            loops = self.bg[np.isin(labels, np.nonzero(sizes > 1)[0])]
            raise SingularSystemError(
                f"singular background system; datasets in loops: {self._names(loops)}",
                hint="a loop that consumes at least as much as it produces cannot be solved; check those amounts",
            ) from None
        self._check_condition(Abb_perm, lu, self.bg[order])
        if len(self.interface):
            selb = np.nonzero(np.isin(B["cols"], self.bg))[0]
            bdata = model.entry_data(B, selb, env, 1)[:, 0]
            position = np.empty(nb, dtype=np.int64)
            position[order] = np.arange(nb)  # original background position -> permuted position
            bcols = np.array([position[self.bg_pos[int(c)]] for c in B["cols"][selb]], dtype=np.int64)
            Bbb = sp.csr_matrix((bdata, (B["rows"][selb], bcols)), shape=(n_flows, nb))
            if_rows = np.array([position[self.bg_pos[int(r)]] for r in self.interface], dtype=np.int64)
            if n_flows < len(self.interface):
                # fewer flows than interface products: solve Aᵀ y = bᵀ once per flow instead
                Y = lu.solve(np.asarray(Bbb.T.todense()), trans="T")  # (nb, n_flows)
                self.G = np.ascontiguousarray(Y[if_rows].T)
                check = Abb_perm.T @ Y - np.asarray(Bbb.T.todense())
                scale = max(1.0, float(np.abs(Y).max(initial=0)))
            else:
                rhs = np.zeros((nb, len(self.interface)))
                rhs[if_rows, np.arange(len(self.interface))] = 1.0
                X = lu.solve(rhs)
                self.G = np.asarray(Bbb @ X)
                check = Abb_perm @ X - rhs
                scale = max(1.0, float(np.abs(X).max(initial=0)))
            residual = float(np.abs(check).max(initial=0))
            if not np.isfinite(residual) or residual > RESIDUAL_TOLERANCE * scale:
                raise SolverError(f"background residual {residual:.3g} too large", hint="the system is ill-conditioned")
        self.solver_name = (
            "scipy SuperLU in block-triangular order (background, once) + topological back-substitution (foreground)"
        )

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

    def _check_condition(self, matrix: sp.csc_matrix, lu: Any, cols: np.ndarray) -> None:
        from scipy.sparse.linalg import LinearOperator, onenormest

        n = matrix.shape[0]
        if n == 1:
            return
        inverse = LinearOperator((n, n), matvec=lu.solve, rmatvec=lambda x: lu.solve(x, trans="T"), dtype=float)
        cond = onenormest(inverse) * sp.linalg.norm(matrix, 1)
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
        return Solution(self.fg, s, g, direct, self.solver_name, data, self.f_rows, cols, final, order)

    def _constant_matrices(self, b_values: EntryValues, i_values: EntryValues) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        nf = len(self.fg)
        b_data = b_values.const.copy()
        b_data[b_values.var_pos] = 0.0
        i_data = i_values.const.copy()
        i_data[i_values.var_pos] = 0.0
        b_const = sp.csr_matrix((b_data, (self.b_rows, self.b_cols)), shape=(len(self.model.flows), nf))
        i_const = sp.csr_matrix((i_data, (self.i_rows, self.i_cols)), shape=(len(self.interface), nf))
        return b_const, i_const

    def _entry(self, e: int | np.integer, values: EntryValues, var_of: dict[int, int]) -> Any:
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
        const_off = self.const_offdiag[r]
        for e in self.entries_by_row[r]:
            c = int(cols[e])
            if c == r:
                value = self._entry(e, values, var_of)
                diag = diag + value
                if self.model.A["scales"][self.a_fg[e]] > 0:
                    produced = produced + value
                else:
                    consumed = consumed - value
            elif int(e) in var_of:
                rhs -= values.var[var_of[int(e)]] * s[c]
        if len(const_off):
            live = [e for e in const_off if int(e) not in var_of]
            if live:
                rhs -= values.const[live] @ s[cols[live]]
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
