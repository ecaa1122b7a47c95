"""The compiled Monte Carlo kernel: one LLVM function per comparison, generated from the checked formulas.

For a block of samples the kernel evaluates, sample by sample and without per-sample arrays,

1. the parameter formulas that depend on a drawn input (in the parameter engine's order, with the
   same bound and finiteness checks);
2. the exchange formulas (matrix slots) and allocation coefficients that depend on them;
3. the foreground back-substitution of every route (consumers before producers, as
   :class:`cathode_lca.engine.solve.PartitionedSolver` does), with the static background folded in
   as unit scores per indicator (``C·B_fg − C·G·A_bf``, computed once);
4. the scores, written to ``out[route, indicator, sample]``.

The draws are made in the same module (:mod:`cathode_lca.uncertainty.kernel_draws`, with ``@philox``
from :mod:`cathode_lca.uncertainty.kernel_philox`): ``@philox`` computes the raw words of the
counter-based streams of :mod:`cathode_lca.uncertainty.streams` (numpy's Philox, word for word) and ``@draws`` turns them into the inputs' values by their inverse
CDFs, eight samples at a time (:mod:`cathode_lca.uncertainty.kernel_vector`), so the kernel and the
numpy path see the same numbers (to about 2e-15: the normal quantile is AS 241 here, Cephes'
``ndtri`` there; ``exp`` and ``log`` in the draws follow fdlibm's methods, within 1 ulp of libm). :meth:`KernelPlan.run` takes input values directly
(the deterministic result, benchmarks).
Every value the numpy path checks (bounds of drawn and computed parameters, finite formula values,
self-consumption, zero production, finite supply) is checked here too; on any failure the kernel
returns the (1-based) sample index and the caller recomputes that chunk on the numpy path, which
raises the located error (or, if its checks pass, gives the result).

The code is LLVM IR written by :func:`cathode_lca.uncertainty.kernel_source.expression` from the
whitelisted syntax tree only (see that module for why this is safe) and compiled by llvmlite (numba's
compiler back end; numba's own Python front end needed minutes for a kernel of this size): strict
IEEE arithmetic (no fast-math flags), straight-line code with one loop over the samples, eight at a
time (:class:`~cathode_lca.uncertainty.kernel_vector.KernelVectorWriter`), and no disk
cache (numba-style cache files are pickles). Compiled kernels and built plans are reused within the
process, keyed by the SHA-256 of the IR and by the model and run specification.

Not covered (the Monte Carlo then runs on the numpy path and says why in ``attrs["kernel"]``):
loops in the foreground, lookup or choice parameters downstream of a draw, demand amounts that
depend on a drawn input, parameter arrays (sweeps), and any formula node outside the whitelist.

Examples
--------
>>> # see tests/test_kernel.py: plan = build_plan(model, spec); plan.run(draws)
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .inputs import input_distributions
from .kernel_source import IR, KernelUnsupported, expression, literal
from .kernel_span import span_ir
from .kernel_vector import WIDTH, KernelVectorWriter

if TYPE_CHECKING:
    from ..engine.matrices import MatrixModel
    from ..engine.solve import PartitionedSolver
    from ..lca import LCAModel

__all__ = ["KernelPlan", "KernelUnsupported", "build_plan", "compiler_available"]


class RunSpec(Protocol):
    """What the kernel reads of :class:`cathode_lca.uncertainty.monte_carlo.RunSpec`."""

    @property
    def chemistry(self) -> str: ...
    @property
    def routes(self) -> tuple[str, ...] | None: ...
    @property
    def region(self) -> str: ...
    @property
    def allocation(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def indicators(self) -> tuple[str, ...]: ...
    @property
    def parameters(self) -> dict[str, Any]: ...
    @property
    def uncertain(self) -> tuple[str, ...]: ...
    @property
    def seed(self) -> int: ...
    @property
    def extra_distributions(self) -> dict[str, dict[str, Any]]: ...
    @property
    def exchange_distributions(self) -> dict[str, dict[str, Any]]: ...


_PLANS: dict[str, KernelPlan] = {}  # built plans of this process, by _plan_key
_COMPILED: dict[str, tuple[Any, Any, Any, Any, Any]] = {}  # hash -> kernel, from_words, philox, draws, span (ctypes)


def compiler_available() -> bool:
    """Whether llvmlite (numba's compiler back end; the ``fast`` extra) can be imported."""
    try:
        import llvmlite.binding  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class KernelPlan:
    """A compiled kernel and the inputs it expects."""

    function: Callable[..., int]
    inputs: tuple[str, ...]  # draw keys, row order of the draws array
    active: tuple[bool, ...]  # routes the kernel computes (others are NaN: not applicable)
    n_methods: int
    source: str
    digest: str
    compile_seconds: float = 0.0  # 0 when the kernel was reused from this process
    declared: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the inputs at their declared values
    streams: tuple[str, ...] = ()  # stream key of every row of the words array (a ``sum`` input reads several)
    from_words: Callable[..., int] | None = None  # draws (words -> inputs) and kernel in one call
    philox: Callable[..., None] | None = None  # the streams' raw words (Philox4x64-10 in IR)
    draws: Callable[..., None] | None = None  # words -> input values alone (the inverse CDFs; for benchmarks)
    span: Callable[..., int] | None = None  # whole blocks: words, draws, kernel and copies in one call (.kernel_span)
    optimisation: int = 2  # LLVM code generation level it was compiled at (the numbers do not depend on it)

    def run(self, draws: np.ndarray) -> tuple[np.ndarray, int]:
        """Scores (route, indicator, sample) for *draws* (input, sample); the 1-based failing sample or 0."""
        d = np.ascontiguousarray(draws, dtype=float)
        if d.shape[0] != len(self.inputs):
            raise ValueError(f"the kernel takes {len(self.inputs)} inputs, not {d.shape[0]}")
        n = d.shape[1]
        if 0 < n < WIDTH:  # the kernel takes WIDTH samples at a time: pad with the last sample
            d = np.ascontiguousarray(np.hstack([d, np.repeat(d[:, -1:], WIDTH - n, axis=1)]))
        out = np.full((len(self.active), self.n_methods, d.shape[1]), np.nan)
        if n == 0:
            return out, 0
        failed = int(self.function(d.ctypes.data, d.shape[1], out.ctypes.data))
        return out[..., :n], failed

    def words(self, keys: np.ndarray, start: int, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """Raw words ``start .. start+n-1`` of every stream (uint64, stream × n), computed in the kernel module.

        *keys* is :func:`cathode_lca.uncertainty.kernel_draws.philox_keys` of the seed and ``streams``;
        the words equal numpy's ``Philox.random_raw`` (``tests/test_kernel_draws.py``).
        """
        if self.philox is None:
            raise RuntimeError("this plan was built with another writer and has no compiled kernel")
        k = np.ascontiguousarray(keys, dtype=np.uint64)
        if k.shape != (len(self.streams), 6):
            raise ValueError(f"need keys of shape ({len(self.streams)}, 6), not {k.shape}")
        w = np.empty((len(self.streams), n), dtype=np.uint64) if out is None else out
        if w.shape != (len(self.streams), n) or not w.flags.c_contiguous or w.dtype != np.uint64:
            raise ValueError("out must be a C-contiguous uint64 array (stream, n)")
        if n and len(self.streams):
            self.philox(k.ctypes.data, int(start), n, len(self.streams), w.ctypes.data)
        return w

    def run_words(self, words: np.ndarray, values: np.ndarray | None = None) -> tuple[np.ndarray, int, np.ndarray]:
        """Scores for the raw Philox *words* (stream row, sample), the failing sample or 0, and the input values.

        The kernel turns the words into the inputs' values (written to *values*, a C-contiguous
        (input, sample) array, when given) by their inverse CDFs, then computes the scores.
        """
        if self.from_words is None:
            raise RuntimeError("this plan was built with another writer and has no compiled kernel")
        w = np.ascontiguousarray(words, dtype=np.uint64)
        if w.shape[0] != len(self.streams):
            raise ValueError(f"the kernel takes {len(self.streams)} word rows, not {w.shape[0]}")
        n = w.shape[1]
        d = np.empty((len(self.inputs), n)) if values is None else values
        if d.shape != (len(self.inputs), n) or not d.flags.c_contiguous or d.dtype != np.float64:
            raise ValueError("values must be a C-contiguous float array (input, sample)")
        out = np.full((len(self.active), self.n_methods, n), np.nan)
        if n == 0:
            return out, 0, d
        if n < WIDTH:  # the kernel takes WIDTH samples at a time: pad with the last sample's words
            out, failed, padded = self.run_words(np.hstack([w, np.repeat(w[:, -1:], WIDTH - n, axis=1)]))
            d[...] = padded[:, :n]
            return out[..., :n], failed, d
        failed = int(self.from_words(w.ctypes.data, n, d.ctypes.data, out.ctypes.data))
        return out, failed, d


class _Writer(IR):
    """The kernel's scalar IR: inputs read from the draws array D."""

    def draw(self, row: int) -> str:
        """Sample *i* of input *row*: ``D[row * n + i]``."""
        index = self.op(f"add i64 {self.op(f'mul i64 %n, {int(row)}')}, %i")
        pointer = self.op(f"getelementptr double, double* %D, i64 {index}")
        return self.op(f"load double, double* {pointer}")

    def store(self, position: int, value: str) -> None:
        """``out[position * n + i] = value``."""
        index = self.op(f"add i64 {self.op(f'mul i64 %n, {int(position)}')}, %i")
        pointer = self.op(f"getelementptr double, double* %out, i64 {index}")
        self.lines.append(f"  store double {value}, double* {pointer}")


def _scalar(value: Any, what: str) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise KernelUnsupported(f"{what} is an array (a sweep or scenario set)")
    return float(arr.ravel()[0])


def build_plan(model: LCAModel, spec: RunSpec, writer: _Writer | None = None, optimisation: int = 2) -> KernelPlan:
    """Generate and compile (or reuse) the kernel of a Monte Carlo comparison.

    *writer* receives the kernel's operations (default: a new :class:`_Writer`, whose IR is then
    compiled); ``benchmarks/bench_mc.py`` passes one that builds sympy expressions instead.
    *optimisation* is LLVM's code generation level: 2 (default) gives the fastest code, 0 compiles in
    about a third of the time and runs about half as fast. The arithmetic is strict IEEE at every
    level (no fast-math, no contraction), so the numbers are the same, bit for bit; a plan this
    process already compiled at a higher level is therefore reused (its ``optimisation`` says which).

    Raises :class:`KernelUnsupported` (with the reason) when the model needs the numpy path.
    """
    if optimisation not in (0, 1, 2, 3):
        raise ValueError(f"optimisation must be 0, 1, 2 or 3, not {optimisation!r}")
    if not compiler_available():
        raise KernelUnsupported("llvmlite is not installed (pip install 'cathode-lca[fast]')")
    plan_key = _plan_key(model, spec)
    cache_key = f"O{optimisation}:{plan_key}"
    if writer is None:  # this process's plan at the level asked for, or at a higher one: faster, same numbers
        for level in (optimisation, *range(3, optimisation, -1)):
            if f"O{level}:{plan_key}" in _PLANS:
                return replace(_PLANS[f"O{level}:{plan_key}"], compile_seconds=0.0)
    from ..comparison import prepare, route_demands
    from .kernel_draws import draw_rows

    inputs = input_distributions(model, spec)
    model = model.with_varied_exchanges(spec.exchange_distributions)
    setup = prepare(
        spec.chemistry,
        spec.routes,
        spec.region,
        spec.allocation,
        spec.unit,
        spec.indicators,
        spec.parameters,
        model,
    )
    env0 = dict(setup.env)
    pm = model.parameters
    drawn = tuple(spec.uncertain) + tuple(sorted(spec.exchange_distributions))
    row_of = {key: j for j, key in enumerate(drawn)}
    affected = pm._downstream({k: None for k in spec.uncertain})
    w: _Writer | KernelVectorWriter = KernelVectorWriter() if writer is None else writer
    var_of: dict[str, str] = {}

    def variable(key: str) -> str:
        if key in var_of:
            return var_of[key]
        return w.const(_scalar(env0[key], f"parameter '{key}'"), ("p", key))

    # 1. parameters
    for key in (k for k in pm.order if k in affected):
        param = pm.parameters[key]
        if key in row_of:
            if param.kind == "choice":
                raise KernelUnsupported(f"choice parameter '{key}' is drawn")
            name = w.draw(row_of[key])
        elif param.kind == "formula" and param.formula is not None:
            name = expression(param.formula.tree.body, variable, pm.choices, pm.resolver_for(param), ir=w)
        else:
            raise KernelUnsupported(f"{param.kind} parameter '{key}' depends on a drawn input")
        w.finite(name)
        if param.min is not None:
            w.flag(w.compare("olt", name, literal(param.min)))
        if param.max is not None:
            w.flag(w.compare("ogt", name, literal(param.max)))
        var_of[key] = name

    # demands must not depend on the draws
    demands = route_demands(model, spec.chemistry, setup.routes, spec.unit, spec.allocation, env0)[0]
    _check_demands_fixed(model, spec, setup.parameters, setup.routes)

    mm = model.matrices(spec.allocation)
    C = np.vstack([m.vector(mm.flows) for m in setup.methods])
    slots_done: dict[int, str] = {}
    coefs_done: dict[int, str] = {}
    ctx = _Context(w, mm, env0, variable, affected, row_of, slots_done, coefs_done)
    active: list[bool] = []
    for r, rd in enumerate(demands):
        if not rd.demand:
            active.append(False)
            continue
        active.append(True)
        amounts: dict[int, float] = {}
        for name_, amount in rd.demand.items():
            col = mm.product_index[model.product_id(name_)]
            amounts[col] = amounts.get(col, 0.0) + _scalar(amount, f"demand of '{name_}'")
        solver = model.solver(spec.allocation, list(amounts))
        _route(ctx, r, solver, amounts, C)
    streams, declared_draws, functions = draw_rows(inputs)
    source = _assemble(w, declared_draws, functions)
    digest = hashlib.sha256(source.encode()).hexdigest()
    (function, from_words, philox, draws, span), seconds = (
        _compiled(source, digest, optimisation) if writer is None else ((_not_compiled, None, None, None, None), 0.0)
    )
    declared = [_scalar(env0[key], key) for key in spec.uncertain]
    exchange_slots = {key: slot for slot, key in mm.slot_env_keys.items()}
    declared += [float(mm._const[exchange_slots[key]]) for key in sorted(spec.exchange_distributions)]
    plan = KernelPlan(
        function,
        drawn,
        tuple(active),
        len(setup.methods),
        source,
        digest,
        seconds,
        np.asarray(declared, dtype=float),
        streams,
        from_words,
        philox,
        draws,
        span,
        optimisation,
    )
    if writer is None:
        _PLANS[cache_key] = plan
    return plan


def _plan_key(model: LCAModel, spec: RunSpec) -> str:
    """What a plan depends on: the model object and inventory, and the spec without seed and chunk size."""
    import json

    fields = {
        name: getattr(spec, name)
        for name in (
            "chemistry",
            "routes",
            "region",
            "allocation",
            "unit",
            "indicators",
            "parameters",
            "uncertain",
            "extra_distributions",
            "exchange_distributions",
        )
    }
    return f"{id(model)}:{model.inventory.content_hash}:" + json.dumps(fields, sort_keys=True, default=str)


def _check_demands_fixed(model: LCAModel, spec: RunSpec, params: Mapping[str, Any], routes: list[str]) -> None:
    """The functional unit's amounts must not change with the draws (two sample draws show it)."""
    from ..comparison import route_demands
    from .streams import draw

    if not spec.uncertain:
        return
    draws = {}
    for key in spec.uncertain:
        dist = spec.extra_distributions.get(key) or model.parameters.distribution(key)
        if dist is not None:
            draws[key] = draw(dist, spec.seed, key, 0, 2)
    env = model.parameters.evaluate({**dict(params), **draws})
    demands = route_demands(model, spec.chemistry, routes, spec.unit, spec.allocation, env)[0]
    for rd in demands:
        if any(np.size(v) > 1 for v in rd.demand.values()):
            raise KernelUnsupported(f"the functional unit amount of route '{rd.route}' depends on a drawn input")


@dataclass
class _Context:
    w: _Writer | KernelVectorWriter
    mm: MatrixModel
    env0: dict[str, Any]
    variable: Callable[[str], str]
    affected: set[str]
    row_of: dict[str, int]
    slots_done: dict[int, str]
    coefs_done: dict[int, str]

    def slot_varies(self, slot: int) -> bool:
        if slot in self.mm.slot_env_keys:
            return self.mm.slot_env_keys[slot] in self.row_of
        source = self.mm.slot_sources.get(slot)
        if source is None:
            return False
        formula, resolve = source
        return any(resolve(n) in self.affected for n in formula.names)

    def coef_slots(self, c: int) -> list[int]:
        co = self.mm._coefs[c]
        assert co is not None
        return [co.numerator, *co.amounts, *co.props]

    def entry_varies(self, entries: dict[str, np.ndarray], e: int) -> bool:
        c = int(entries["coefs"][e])
        return self.slot_varies(int(entries["slots"][e])) or (
            c != 0 and any(self.slot_varies(s) for s in self.coef_slots(c))
        )

    def slot(self, slot: int) -> str:
        """Variable holding a slot's value: computed per sample when it varies, else a constant."""
        if not self.slot_varies(slot):
            if self.mm.slot_is_formula[slot]:
                value = self.mm.slot_values(self.env0, 1, np.array([slot]))[slot]
                return self.w.const(_scalar(value, "an exchange amount"), ("s", slot))
            return self.w.const(float(self.mm._const[slot]), ("s", slot))
        if slot not in self.slots_done:
            if slot in self.mm.slot_env_keys:
                name = self.w.draw(self.row_of[self.mm.slot_env_keys[slot]])
            else:
                formula, resolve = self.mm.slot_sources[slot]
                name = expression(formula.tree.body, self.variable, self.mm.parameters.choices, resolve, ir=self.w)
            self.w.finite(name)
            self.slots_done[slot] = name
        return self.slots_done[slot]

    def coefficient(self, c: int) -> str:
        """Allocation share prop_j / Σ amount_i·prop_i, as :meth:`MatrixModel._coefficient` computes it."""
        if c not in self.coefs_done:
            co = self.mm._coefs[c]
            assert co is not None
            terms = [
                self.w.binary("fmul", self.slot(a), self.slot(p)) for a, p in zip(co.amounts, co.props, strict=True)
            ]
            den = self.w.total(terms)
            self.w.flag(self.w.compare("oeq", den, literal(0.0)))
            self.coefs_done[c] = self.w.binary("fdiv", self.slot(co.numerator), den)
        return self.coefs_done[c]

    def entry(self, entries: dict[str, np.ndarray], e: int, const: float) -> str:
        """Source of an entry's value: ``slot × scale × coefficient`` when it varies, else its constant."""
        if not self.entry_varies(entries, e):
            return self.w.const(const)
        slot, c = int(entries["slots"][e]), int(entries["coefs"][e])
        value = self.w.binary("fmul", self.slot(slot), literal(float(entries["scales"][e])))
        if c != 0:
            value = self.w.binary("fmul", value, self.coefficient(c))
        return value


def _route(ctx: _Context, r: int, solver: PartitionedSolver, amounts: dict[int, float], C: np.ndarray) -> None:
    """Back-substitution and scores of one route."""
    from ..engine.conditioning import self_consumption_problem

    w, mm = ctx.w, ctx.mm
    if any(len(b) > 1 for b in solver.blocks):
        raise KernelUnsupported("a loop in the foreground (batched LU)")
    A, B = mm.A, mm.B
    a_vals = mm.entry_split(A, solver.a_fg, ctx.env0, 1).const
    b_vals = mm.entry_split(B, solver.b_fg, ctx.env0, 1).const
    i_vals = mm.entry_split(A, solver.a_if, ctx.env0, 1).const
    x = [""] * len(solver.fg)  # registers of the supply, filled in solving order
    demand = {solver.fg_pos[col]: v for col, v in amounts.items()}
    cols = solver.f_cols
    for block in solver.blocks:
        p = int(block[0])
        diag: list[str] = []
        produced: list[str] = []
        consumed: list[str] = []
        varying_diag = False
        var_off: list[tuple[str, int]] = []
        const_off: list[tuple[str, int]] = []
        static_produced = static_consumed = 0.0
        for entry in solver.entries_by_row[p]:
            e = int(entry)
            g = int(solver.a_fg[e])
            c = int(cols[e])
            varies = ctx.entry_varies(A, g)
            if c == p:
                value = ctx.entry(A, g, float(a_vals[e]))
                diag.append(value)
                varying_diag |= varies
                if A["scales"][g] > 0:
                    produced.append(value)
                    static_produced += float(a_vals[e])
                else:
                    consumed.append(value)
                    static_consumed -= float(a_vals[e])
            elif varies:
                var_off.append((ctx.entry(A, g, 0.0), c))
            elif a_vals[e] != 0.0:
                const_off.append((literal(float(a_vals[e])), c))
        if not varying_diag and (static_consumed != 0 or static_produced < 0):
            problem = self_consumption_problem(static_produced, static_consumed)
            if problem:
                raise KernelUnsupported(f"column {int(solver.fg[p])} {problem}")
        d = w.total(diag, literal(0.0))
        if varying_diag:
            pr = w.total(produced, literal(0.0))
            co = literal(0.0)
            for t in consumed:
                co = w.binary("fsub", co, t)
            # the numpy path's self_consumption_problem, as a superset (a flagged block is recomputed there)
            used = w.op(f"or i1 {w.compare('une', co, literal(0.0))}, {w.compare('olt', pr, literal(0.0))}")
            limit = w.binary("fmul", literal(0.999999), pr)
            wrong = w.op(f"or i1 {w.compare('ole', pr, literal(0.0))}, {w.compare('oge', co, limit)}")
            w.flag(w.op(f"and i1 {used}, {wrong}"))
        rhs = literal(demand[p]) if p in demand else literal(0.0)
        for value, c in var_off:
            rhs = w.binary("fsub", rhs, w.binary("fmul", value, x[c]))
        if const_off:
            t = w.total([w.binary("fmul", value, x[c]) for value, c in const_off])
            rhs = w.binary("fsub", rhs, t)
        w.flag(w.compare("oeq", d, literal(0.0)))  # zero production: the numpy path says whether that is an error
        x[p] = w.binary("fdiv", rhs, d)
        w.finite(x[p])
    # unit scores of the constant parts: C·B_fg − (C·G)·A_bf
    nf = len(solver.fg)
    b_var = np.array([ctx.entry_varies(B, int(g)) for g in solver.b_fg], dtype=bool)
    i_var = np.array([ctx.entry_varies(A, int(g)) for g in solver.a_if], dtype=bool)
    b_const = np.zeros((len(mm.flows), nf))
    np.add.at(b_const, (solver.b_rows[~b_var], solver.b_cols[~b_var]), b_vals[~b_var])
    i_const = np.zeros((len(solver.interface), nf))
    np.add.at(i_const, (solver.i_rows[~i_var], solver.i_cols[~i_var]), i_vals[~i_var])
    CG = C @ solver.G
    U = C @ b_const - CG @ i_const
    for m in range(C.shape[0]):
        terms = [w.binary("fmul", literal(U[m, j]), x[j]) for j in range(nf) if U[m, j] != 0.0]
        for k in np.nonzero(b_var)[0]:
            weight = C[m, solver.b_rows[k]]
            if weight != 0.0:
                value = w.binary("fmul", ctx.entry(B, int(solver.b_fg[k]), 0.0), x[solver.b_cols[k]])
                terms.append(w.binary("fmul", literal(weight), value))
        for k in np.nonzero(i_var)[0]:
            weight = -CG[m, solver.i_rows[k]]
            if weight != 0.0:
                value = w.binary("fmul", ctx.entry(A, int(solver.a_if[k]), 0.0), x[solver.i_cols[k]])
                terms.append(w.binary("fmul", literal(weight), value))
        w.store(r * C.shape[0] + m, w.total(terms))


BLOCK_LINES = 200


def _assemble(
    w: _Writer | KernelVectorWriter, declared: set[str] | None = None, functions: list[str] | None = None
) -> str:
    """The module: ``i64 kernel(double* D, i64 n, double* out)``, one loop over the n samples, plus
    *functions* (the draws, :mod:`.kernel_draws`) and ``i64 from_words(i64* W, i64 n, double* D,
    double* out)``, which calls ``draws(W, n, D)`` and then the kernel, and ``@span`` (:mod:`.kernel_span`),
    which runs whole blocks of words, draws and kernel in one call.

    The kernel returns 0, or the 1-based index of the first sample whose checks failed.
    """
    # a block boundary every BLOCK_LINES instructions: LLVM's instruction selection works per basic block,
    # and one block of thousands of instructions costs it hundreds of MiB and seconds
    parts = []
    for n, start in enumerate(range(0, len(w.lines), BLOCK_LINES)):
        if n:
            parts.append(f"  br label %b{n}\nb{n}:")
        parts.extend(w.lines[start : start + BLOCK_LINES])
    body = "\n".join(parts)
    extra = "\n\n".join(functions or [])
    wrapper = ""
    if functions:
        wrapper = """
define i64 @from_words(i64* %W, i64 %n, double* %D, double* %out) {
entry:
  call void @draws(i64* %W, i64 %n, double* %D)
  %failed = call i64 @kernel(double* %D, i64 %n, double* %out)
  ret i64 %failed
}

""" + span_ir()
    return f"""{chr(10).join(sorted(w.declared | (declared or set())))}

{extra}

define i64 @kernel(double* %D, i64 %n, double* %out) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%next, %ok]
{body}
{w.loop_end() if isinstance(w, KernelVectorWriter) else _scalar_loop_end(w)}
exit:
  ret i64 0
}}
{wrapper}"""


def _scalar_loop_end(w: _Writer) -> str:
    return f"""  %finite = fcmp ord double {w.fin}, 0.0
  %good = xor i1 {w.bad}, true
  %pass = and i1 %good, %finite
  br i1 %pass, label %ok, label %failed
ok:
  %next = add i64 %i, 1
  %done = icmp sge i64 %next, %n
  br i1 %done, label %exit, label %loop
failed:
  %which = add i64 %i, 1
  ret i64 %which
"""


def _not_compiled(*args: Any) -> int:
    raise RuntimeError("this plan was built with another writer and has no compiled kernel")


_ENGINES: list[Any] = []  # keep the JIT engines (and so the compiled code) alive


def _compiled(source: str, digest: str, optimisation: int = 2) -> tuple[tuple[Any, Any, Any, Any, Any], float]:
    """Compile the IR *source* (generated, see the module docstring), or reuse this process's kernel."""
    key = f"{digest}:O{optimisation}"
    if key in _COMPILED:
        return _COMPILED[key], 0.0
    import ctypes

    import llvmlite.binding as llvm

    t0 = time.perf_counter()
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    module = llvm.parse_assembly(source)
    module.verify()
    target = llvm.Target.from_default_triple()
    machine = target.create_target_machine(
        opt=optimisation, cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten()
    )
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    _ENGINES.append(engine)
    prototype = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)
    function = prototype(engine.get_function_address("kernel"))
    address = engine.get_function_address("from_words")
    words = (
        ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)(address)
        if address
        else None
    )
    address = engine.get_function_address("philox")
    philox = (
        ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)(
            address
        )
        if address
        else None
    )
    address = engine.get_function_address("draws")
    draws = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)(address) if address else None
    address = engine.get_function_address("span")
    i64, pointer = ctypes.c_int64, ctypes.c_void_p
    span = (
        ctypes.CFUNCTYPE(
            i64, pointer, i64, i64, i64, i64, pointer, pointer, pointer, i64, pointer, i64, pointer, i64, i64
        )(address)
        if address
        else None
    )
    _COMPILED[key] = (function, words, philox, draws, span)
    return _COMPILED[key], time.perf_counter() - t0
