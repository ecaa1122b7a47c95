"""Matrix builder: a fixed sparsity pattern (COO indices built once); only data change.

Rows of the technosphere matrix A are products, columns are the (allocated) processes
that produce them: column *i* produces product *i*, so A is square. Inputs enter A as
negative numbers, products as positive ones. B holds elementary flows per column.

Each matrix entry is ``slot value × constant scale × allocation coefficient``, where a
*slot* is an exchange or product amount (a constant or a compiled formula). Evaluating
the model for S samples therefore only recomputes the formula slots.

Examples
--------
>>> # see tests/test_engine_known_answers.py for hand-solvable systems
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import FormulaError, ParameterError, ValidationError
from ..inventory.formulas import Compiled, Env, Formula  # Env: a read-only Mapping
from ..inventory.schema import Dataset, Product
from ..parameters.engine import ParameterModel
from ..units import conversion_factor, is_mass

ALLOCATIONS = ("none", "mass", "economic", "system-expansion", "cut-off")


@dataclass
class _Entries:
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    coefs: list[int] = field(default_factory=list)

    def add(self, row: int, col: int, slot: int, scale: float, coef: int = 0) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.slots.append(slot)
        self.scales.append(scale)
        self.coefs.append(coef)

    def freeze(self) -> dict[str, np.ndarray]:
        return {
            "rows": np.asarray(self.rows, dtype=np.int64),
            "cols": np.asarray(self.cols, dtype=np.int64),
            "slots": np.asarray(self.slots, dtype=np.int64),
            "scales": np.asarray(self.scales, dtype=float),
            "coefs": np.asarray(self.coefs, dtype=np.int64),
        }


@dataclass
class EntryValues:
    """Entry values for one call: ``const`` for every entry, overridden by ``var`` rows at ``var_pos``."""

    const: np.ndarray  # (n,)
    var_pos: np.ndarray  # (n_var,) positions into const
    var: list[np.ndarray]  # n_var arrays of length size
    size: int

    def dense(self) -> np.ndarray:
        out = np.empty((len(self.const), self.size))
        out[:] = self.const[:, None]
        for k, pos in enumerate(self.var_pos):
            out[pos] = self.var[k]
        return out


class _EnvValue:
    """A constant exchange amount that Monte Carlo may replace: ``env[key]`` if given, else the constant."""

    def __init__(self, key: str, value: float) -> None:
        self.key, self.value = key, value

    def __call__(self, env: Env) -> Any:
        return env.get(self.key, self.value)


@dataclass
class _Coefficient:
    """Allocation share per unit of product j: prop_j / Σ_i amount_i · prop_i."""

    dataset: str
    numerator: int  # slot of prop_j
    amounts: list[int]  # slots of amount_i
    props: list[int]  # slots of prop_i


class MatrixModel:
    """The A/B pattern and data recipe of an inventory under one allocation option."""

    def __init__(
        self, parameters: ParameterModel, allocation: str = "none", varied_exchanges: frozenset[str] = frozenset()
    ) -> None:
        if allocation not in ALLOCATIONS:
            raise ParameterError(f"unknown allocation '{allocation}'", hint="choose one of: " + ", ".join(ALLOCATIONS))
        self.allocation = allocation
        self.parameters = parameters
        self.varied_exchanges = varied_exchanges  # exchange keys read from the env (Monte Carlo draws)
        inv = parameters.inventory
        self.inventory = inv
        self.products: list[str] = list(inv.products)
        self.product_index = {p: i for i, p in enumerate(self.products)}
        self.flows: list[str] = list(inv.flows)
        self.flow_index = {f: i for i, f in enumerate(self.flows)}
        self.column_dataset: list[str] = [inv.products[p][0] for p in self.products]
        self._slot_const: list[float] = []
        self._slot_formula: dict[int, Compiled] = {}
        # the checked formula and its name resolver per formula slot (read by the compiled MC kernel)
        self.slot_sources: dict[int, tuple[Formula, Callable[[str], str]]] = {}
        self.slot_env_keys: dict[int, str] = {}  # varied constant exchange amounts: slot -> env key
        self.exchange_slots: dict[str, int] = {}  # constant exchange amount key -> its slot (for twins)
        self._slot_where: list[tuple[str, str, int, str]] = []  # dataset, file, line, field
        self._coefs: list[_Coefficient | None] = [None]  # coefficient 0 = 1.0
        self._slot_cache: dict[int, int] = {}
        #: memo of :mod:`cathode_lca.engine.coverage` (links at the last env, constant entries), owned here
        self.coverage_cache: dict[str, Any] = {}
        self._constant_cache: dict[int, tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]] = {}
        a, b = _Entries(), _Entries()
        for ds in inv.datasets.values():
            self._add_dataset(ds, a, b)
        self.A = a.freeze()
        self.B = b.freeze()
        self.n = len(self.products)
        self._finish()
        self._const = np.asarray(self._slot_const, dtype=float)

    def with_varied_exchanges(self, varied_exchanges: frozenset[str]) -> MatrixModel:
        """The same model with the constant exchange amounts *varied_exchanges* read from the env.

        Equal to ``MatrixModel(parameters, allocation, varied_exchanges)`` but without building it
        again: the pattern (A, B), the slots, the compiled formulas and the allocation coefficients
        are shared with this model (none of them changes after construction); only which slots are
        formulas differs. Caches start empty.

        Examples
        --------
        >>> # twin = model.with_varied_exchanges(frozenset({"<dataset>/exchanges[0]"}))  (tests/test_twin.py)
        """
        if not varied_exchanges >= self.varied_exchanges:
            raise ValueError("a twin varies at least the exchanges of its parent")
        twin = object.__new__(MatrixModel)
        twin.__dict__.update(self.__dict__)
        twin.varied_exchanges = varied_exchanges
        twin._slot_formula = dict(self._slot_formula)
        twin.slot_env_keys = dict(self.slot_env_keys)
        for key in sorted(varied_exchanges - self.varied_exchanges):
            slot = self.exchange_slots.get(key)
            if slot is not None:  # a formula amount, or a dataset dropped by cut-off: nothing to vary
                twin._slot_formula[slot] = _EnvValue(key, float(self._slot_const[slot]))
                twin.slot_env_keys[slot] = key
        # slot order, as a fresh build has them (formulas are evaluated in this order)
        twin._slot_formula = dict(sorted(twin._slot_formula.items()))
        twin.slot_env_keys = dict(sorted(twin.slot_env_keys.items()))
        twin.coverage_cache = {}
        twin._constant_cache = {}
        twin._finish()
        return twin

    def _finish(self) -> None:
        """Which slots and coefficients depend on parameters (after the slots are known)."""
        self.slot_is_formula = np.zeros(len(self._slot_const), dtype=bool)
        self.slot_is_formula[list(self._slot_formula)] = True
        self.coef_is_variable = np.array(
            [
                c is not None and any(self.slot_is_formula[s] for s in [c.numerator, *c.amounts, *c.props])
                for c in self._coefs
            ],
            dtype=bool,
        )

    # -- building --------------------------------------------------------------
    def _slot(self, value: float | Formula, ds: Dataset, field_: str, line: int, file: str) -> int:
        index = len(self._slot_const)
        if isinstance(value, Formula):
            resolve = self.inventory.resolver(ds)
            try:
                self._slot_formula[index] = value.compile(resolve, self.parameters.choices)
                self.slot_sources[index] = (value, resolve)
            except FormulaError as exc:
                raise FormulaError(
                    f"in '{value.text}': {exc.message}",
                    file=file,
                    line=line,
                    dataset=ds.id,
                    field=field_,
                    hint=exc.hint,
                ) from None
            self._slot_const.append(np.nan)
        else:
            self._slot_const.append(float(value))
        self._slot_where.append((ds.id, file, line, field_))
        return index

    def _one(self) -> int:
        if -1 not in self._slot_cache:
            self._slot_cache[-1] = len(self._slot_const)
            self._slot_const.append(1.0)
            self._slot_where.append(("", "", 0, "constant"))
        return self._slot_cache[-1]

    def _property_slot(self, ds: Dataset, product: Product, name: str) -> int:
        value = product.properties.get(name)
        if value is None and name == "mass" and is_mass(product.unit):
            value = conversion_factor(product.unit, "kg")
        if value is None:
            option = "mass" if name == "mass" else "economic"
            raise ValidationError(
                f"product '{product.id}' has no '{name}' property, needed for {option} allocation",
                file=product.where.file,
                line=product.where.line,
                dataset=ds.id,
                field=f"products.properties.{name}",
                hint=f"add properties: {{{name}: ...}} with a source, or choose another allocation",
            )
        return self._slot(value, ds, f"products.{product.id}.properties.{name}", product.where.line, product.where.file)

    def _add_dataset(self, ds: Dataset, a: _Entries, b: _Entries) -> None:
        idx = self.product_index
        products = ds.products
        ref = ds.reference_product
        multi = len(products) > 1
        split = multi and self.allocation in ("mass", "economic")
        dropped = self.allocation == "cut-off" and ds.cut_off == "waste-treatment"
        one = self._one()

        # columns and their allocation coefficients
        columns: list[tuple[int, int]] = []  # (column, coefficient)
        if split:
            prop = "mass" if self.allocation == "mass" else "price"
            amount_slots = [
                self._slot(p.amount, ds, f"products.{p.id}.amount", p.where.line, p.where.file) for p in products
            ]
            prop_slots = [self._property_slot(ds, p, prop) for p in products]
            for p, ps in zip(products, prop_slots, strict=True):
                col = idx[p.id]
                self._coefs.append(_Coefficient(ds.id, ps, amount_slots, prop_slots))
                columns.append((col, len(self._coefs) - 1))
                a.add(col, col, one, 1.0)
        else:
            col = idx[ref.id]
            columns.append((col, 0))
            a.add(
                col, col, self._slot(ref.amount, ds, f"products.{ref.id}.amount", ref.where.line, ref.where.file), 1.0
            )
            for p in products:
                if p is ref:
                    continue
                pcol = idx[p.id]
                a.add(pcol, pcol, one, 1.0)  # burden-free supplier of the co-product, per unit
                if self.allocation == "system-expansion" and p.substitutes is not None:
                    scol = idx[p.substitutes]
                    factor = conversion_factor(p.unit, self.inventory.product(p.substitutes).unit)
                    amount = self._slot(p.amount, ds, f"products.{p.id}.amount", p.where.line, p.where.file)
                    a.add(scol, col, amount, factor)  # credit: the co-product displaces the substitute
                    a.add(scol, pcol, one, -factor)  # who uses the co-product pays the displaced burden
        if dropped:
            return
        for i, ex in enumerate(ds.exchanges):
            field_ = f"exchanges[{i}].amount"
            if ex.kind == "input":
                target_unit = self.inventory.product(ex.target).unit
                row, matrix, sign = idx[ex.target], a, -1.0
            else:
                target_unit = self.inventory.flows[ex.target].unit
                row, matrix, sign = self.flow_index[ex.target], b, 1.0
            factor = conversion_factor(ex.unit, target_unit) * sign
            slot = self._slot(ex.amount, ds, field_, ex.where.line, ex.where.file)
            key = f"{ds.id}/exchanges[{i}]"
            if not isinstance(ex.amount, Formula):
                self.exchange_slots[key] = slot
                if key in self.varied_exchanges:
                    self._slot_formula[slot] = _EnvValue(key, float(ex.amount))
                    self.slot_env_keys[slot] = key
            for col, coef in columns:
                matrix.add(row, col, slot, factor, coef)

    # -- evaluation ------------------------------------------------------------------
    def slot_values(self, env: Env, size: int, which: np.ndarray | None = None) -> dict[int, np.ndarray]:
        """Evaluate formula slots (all, or those in *which*) → ``slot -> array`` of length 1 or size."""
        out: dict[int, np.ndarray] = {}
        formulas = self._slot_formula
        wanted = formulas if which is None else {s: formulas[s] for s in np.asarray(which).tolist() if s in formulas}
        with np.errstate(all="ignore"):
            for slot, fn in wanted.items():
                value = np.asarray(fn(env), dtype=float)
                if not (math.isfinite(value) if value.ndim == 0 else np.isfinite(value).all()):
                    ds, file, line, field_ = self._slot_where[slot]
                    raise ParameterError(
                        "amount is NaN or infinite for the given parameters",
                        file=file,
                        line=line,
                        dataset=ds,
                        field=field_,
                        hint="check the parameters this formula uses (division by zero?)",
                    )
                if value.ndim == 0:
                    value = value.reshape(1)
                elif value.shape[0] not in (1, size):
                    raise ParameterError(f"parameter arrays have inconsistent lengths ({value.shape[0]} vs {size})")
                out[slot] = value
        return out

    def entry_split(self, entries: dict[str, np.ndarray], select: np.ndarray, env: Env, size: int) -> EntryValues:
        """Values of the selected entries, split into per-call constants and sample-varying rows.

        An entry whose formula evaluates to a single value in this call (its parameters were not
        given as arrays) is a constant here, so only truly varying entries cost S values each.
        """
        slots = entries["slots"][select]
        coefs = entries["coefs"][select]
        scales = entries["scales"][select]
        const = self._const[slots] * scales
        formula = self.slot_is_formula[slots]
        needed = set(np.unique(slots[formula]).tolist())
        coef_needed = np.unique(coefs[coefs != 0]).tolist()  # not a Python pass over every entry
        for c in coef_needed:
            co = self._coefs[c]
            assert co is not None
            needed.update([co.numerator, *co.amounts, *co.props])
        svals = self.slot_values(env, size, np.array(sorted(needed), dtype=np.int64))
        coef_vals = {c: self._coefficient(c, svals, size) for c in coef_needed}
        var_pos: list[int] = []
        var_rows: list[np.ndarray] = []
        for row in np.nonzero(formula | (coefs != 0))[0]:
            value = svals[int(slots[row])] * scales[row] if formula[row] else np.array([const[row]])
            if coefs[row] != 0:
                value = value * coef_vals[int(coefs[row])]
            if value.size == 1:
                const[row] = value[0]
            else:
                var_pos.append(int(row))
                var_rows.append(value)
        return EntryValues(const, np.asarray(var_pos, dtype=np.int64), var_rows, size)

    def entry_data(self, entries: dict[str, np.ndarray], select: np.ndarray, env: Env, size: int) -> np.ndarray:
        """Values of the selected entries as a dense array of shape (len(select), size)."""
        return self.entry_split(entries, select, env, size).dense()

    def _value(self, slot: int, svals: dict[int, np.ndarray]) -> np.ndarray:
        return svals[slot] if slot in svals else np.array([self._const[slot]])

    def _coefficient(self, c: int, svals: dict[int, np.ndarray], size: int) -> np.ndarray:
        co = self._coefs[c]
        assert co is not None
        denom = sum(self._value(a, svals) * self._value(p, svals) for a, p in zip(co.amounts, co.props, strict=True))
        denom = np.broadcast_to(np.asarray(denom, dtype=float), (size,))
        if np.any(denom == 0):
            ds = self.inventory.datasets[co.dataset]
            raise ValidationError(
                f"allocation '{self.allocation}' is undefined: the products' total "
                f"{'mass' if self.allocation == 'mass' else 'value'} is zero",
                file=ds.where.file,
                line=ds.where.line,
                dataset=ds.id,
                hint="check product amounts and properties, or use another allocation option",
            )
        return self._value(co.numerator, svals) / denom

    def variable_entries(self, entries: dict[str, np.ndarray]) -> np.ndarray:
        """Boolean mask: entries whose value depends on parameters."""
        return self.slot_is_formula[entries["slots"]] | self.coef_is_variable[entries["coefs"]]

    def constant_data(self, entries: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(positions, values) of the entries that depend on no parameter, evaluated once per model.

        Examples
        --------
        >>> # model.constant_data(model.A) -> (indices into A, their values); see tests/test_matrices.py
        """
        key = id(entries)
        cached = self._constant_cache.get(key)
        if cached is None or cached[0] is not entries:
            positions = np.nonzero(~self.variable_entries(entries))[0]
            values = self.entry_split(entries, positions, {}, 1).const  # no formula slot among them
            cached = (entries, positions, values)
            self._constant_cache[key] = cached
        return cached[1], cached[2]

    def static_data(self, entries: dict[str, np.ndarray], env: Env) -> np.ndarray:
        """All entry values at the parameters in *env* (size 1)."""
        return self.entry_data(entries, np.arange(len(entries["rows"])), env, 1)[:, 0]

    def entry_origin(self, slot: int) -> tuple[str, str, int, str]:
        """(dataset id, file, line, field) that slot *slot* was read from; the field of an exchange
        amount is ``exchanges[i].amount``."""
        return self._slot_where[slot]

    def describe_column(self, col: int) -> str:
        product = self.products[col]
        dataset = self.column_dataset[col]
        return dataset if product == dataset else f"{dataset} ({product})"

    def stage_of_column(self, col: int) -> str:
        return self.inventory.datasets[self.column_dataset[col]].stage


def broadcast_size(env: Env, extra: list[Any] | None = None) -> int:
    """Common sample count of the arrays in *env* (1 when all are scalars)."""
    size = 1
    for value in list(env.values()) + list(extra or []):
        n = np.size(value)
        if n > 1:
            if size > 1 and n != size:
                raise ParameterError(
                    f"parameter arrays have different lengths ({size} and {n})",
                    hint="give every varying parameter the same number of samples",
                )
            size = n
    return size
