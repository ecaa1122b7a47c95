"""Model checks beyond loading: formulas compile, amounts are finite, elements balance.

Element balance, for Ni, Co, Li and Mn, per dataset at the default parameters::

    Σ inputs × content(input product) = Σ products × content + Σ flows × content(flow)

within a relative tolerance (:data:`RELATIVE_TOLERANCE`, or the dataset's declared
``element_balance: {tolerance: ..., reason: ...}``), and the stated losses (loss flows) of each
element must not be negative. Losses are stated independently of the outputs (from
recoveries and yields), so a wrong stoichiometry or a wrong input amount shows up here.
An imbalance a dataset documents under ``element_balance: {known: {El: reason}}`` is
reported as known, not as a failure; a negative loss is always a failure.

Datasets in recycling and cathode stages are checked unless they declare
``element_balance: skip: <reason>``; any dataset can opt in with ``element_balance: check``.

Examples
--------
>>> from cathode_lca.inventory.load import load_inventory    # doctest: +SKIP
>>> report = validate_inventory(load_inventory())             # doctest: +SKIP
>>> report.ok                                                 # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CathodeLCAError, UsageError
from ..inventory.formulas import Formula
from ..inventory.schema import ELEMENTS, Dataset, Inventory
from ..parameters.engine import Env, ParameterModel
from ..parameters.evaluator import Evaluator
from ..units import conversion_factor

BALANCE_STAGES = frozenset(
    {
        "collection-transport",
        "recycling-preprocessing",
        "recycling-recovery",
        "materials-conversion",
        "pcam-production",
        "cam-production",
    }
)
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9


@dataclass
class BalanceRow:
    dataset: str
    element: str
    inputs: float
    outputs: float
    losses: float
    file: str
    line: int
    tolerance: float = RELATIVE_TOLERANCE
    known: str | None = None  # the dataset's documented reason for an imbalance of this element

    @property
    def difference(self) -> float:
        return self.inputs - self.outputs - self.losses

    @property
    def _limit(self) -> float:
        scale = max(abs(self.inputs), abs(self.outputs) + abs(self.losses))
        return max(ABSOLUTE_TOLERANCE, self.tolerance * scale)

    @property
    def closes(self) -> bool:
        """Inputs = outputs + losses within the tolerance."""
        return abs(self.difference) <= self._limit

    @property
    def losses_ok(self) -> bool:
        """The stated losses are not negative (beyond the tolerance)."""
        return self.losses >= -self._limit

    @property
    def ok(self) -> bool:
        return self.closes and self.losses_ok

    @property
    def status(self) -> str:
        if not self.losses_ok:
            return "negative loss"
        if self.closes:
            return "ok"
        return "known imbalance" if self.known else "imbalance"


@dataclass
class ValidationReport:
    datasets: int = 0
    balances: list[BalanceRow] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing_indicators: dict[str, list[str]] = field(default_factory=dict)  # background dataset -> method ids

    @property
    def failures(self) -> list[BalanceRow]:
        """Balances that fail: an undocumented imbalance or a negative loss."""
        return [b for b in self.balances if not b.ok and b.status != "known imbalance"]

    @property
    def known(self) -> list[BalanceRow]:
        """Imbalances that their dataset documents (``element_balance: known:``): reported, not failed."""
        return [b for b in self.balances if b.status == "known imbalance"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures


def _value(value: float | Formula, dataset: Dataset, evaluator: Evaluator, env: Env) -> float:
    with np.errstate(all="ignore"):  # a NaN or inf result is reported by the caller
        return evaluator.first(value, env, dataset.id)


def _contents(inv: Inventory, evaluator: Evaluator, env: Env, product_id: str) -> dict[str, float]:
    producer = inv.producer(product_id)
    product = inv.product(product_id)
    return {el: _value(product.properties[el], producer, evaluator, env) for el in ELEMENTS if el in product.properties}


def element_balance(
    inv: Inventory, params: ParameterModel, env: Env, ds: Dataset, evaluator: Evaluator | None = None
) -> list[BalanceRow]:
    """Per-element totals of one dataset at *env* (*evaluator*: one shared over many datasets)."""
    evaluator = evaluator or Evaluator(inv, params)
    totals = {el: [0.0, 0.0, 0.0] for el in ELEMENTS}  # inputs, outputs, losses
    for product in ds.products:
        amount = _value(product.amount, ds, evaluator, env)
        for el in ELEMENTS:
            if el in product.properties:
                totals[el][1] += amount * _value(product.properties[el], ds, evaluator, env)
    for ex in ds.exchanges:
        amount = _value(ex.amount, ds, evaluator, env)
        if ex.kind == "input":
            target = inv.product(ex.target)
            amount *= conversion_factor(ex.unit, target.unit)
            for el, content in _contents(inv, evaluator, env, ex.target).items():
                if amount >= 0:
                    totals[el][0] += amount * content
                else:  # a negative input is an output
                    totals[el][1] += -amount * content
        else:
            flow = inv.flows[ex.target]
            amount *= conversion_factor(ex.unit, flow.unit)
            for el, content in flow.elements.items():
                if el in totals:
                    totals[el][2] += amount * content
    tolerance = ds.balance_tolerance if ds.balance_tolerance is not None else RELATIVE_TOLERANCE
    return [
        BalanceRow(ds.id, el, t[0], t[1], t[2], ds.where.file, ds.where.line, tolerance, ds.balance_known.get(el))
        for el, t in totals.items()
        if any(abs(x) > 0 for x in t)
    ]


FRACTION_WORDS = frozenset({"recovery", "share", "yield", "efficiency", "fraction"})
DIMENSIONLESS_UNITS = frozenset({"dimensionless", "", "kg/kg", "MJ/MJ", "mol/mol", "%", "percent"})


def unbounded_fractions(inv: Inventory) -> list[str]:
    """Parameters named as a recovery, share, yield, efficiency or fraction that declare no bounds.

    A name qualifies when one of its ``_``-separated words is one of :data:`FRACTION_WORDS` and
    its unit is dimensionless (so ``dist_preprocessor_to_recovery_mi`` is not one).
    """
    out = []
    for param in inv.parameters.values():
        words = set(param.name.lower().split("_"))
        if param.kind == "choice" or not words & FRACTION_WORDS or param.unit not in DIMENSIONLESS_UNITS:
            continue
        if getattr(param, "min", None) is None and getattr(param, "max", None) is None:
            out.append(
                f"{param.where.file}:{param.where.line}: field 'parameters.{param.name}': a recovery, share, "
                "yield, efficiency or fraction must declare bounds. Fix: add 'kind: fraction' or 'min:'/'max:'"
            )
    return out


def needs_balance(ds: Dataset) -> bool:
    if ds.element_balance == "check":
        return True
    if ds.element_balance is not None and ds.element_balance.startswith("skip:"):
        return False
    return ds.stage in BALANCE_STAGES


def validate_inventory(inv: Inventory, allocations: tuple[str, ...] = ("none",)) -> ValidationReport:
    """Run every model check; collect problems instead of stopping at the first."""
    from .matrices import MatrixModel

    if not isinstance(inv, Inventory):
        raise UsageError(
            f"inv must be an Inventory (from load_inventory), got {inv!r:.60} ({type(inv).__name__})",
            hint="e.g. validate_inventory(load_inventory(extra=['my-plant.yaml']))",
        )

    report = ValidationReport(datasets=len(inv.datasets))
    report.errors.extend(unbounded_fractions(inv))
    params = ParameterModel(inv)
    try:
        env = params.evaluate()
    except CathodeLCAError as exc:  # e.g. a default outside its bounds
        report.errors.append(str(exc))
        return report
    evaluator = Evaluator(inv, params)
    for allocation in allocations:
        try:
            model = MatrixModel(params, allocation)
            model.slot_values(env, 1)
        except CathodeLCAError as exc:
            report.errors.append(str(exc))
    try:  # no silent zeros: background datasets without any flow for an indicator (listed, not failed)
        from .coverage import COVERAGE_METHODS, missing_indicators

        report.missing_indicators = missing_indicators(MatrixModel(params, "none"), COVERAGE_METHODS, env)
    except CathodeLCAError as exc:
        report.errors.append(str(exc))
    for ds in inv.datasets.values():
        for product in ds.products:  # formulas of properties are not part of the matrices
            for name, value in product.properties.items():
                try:
                    result = _value(value, ds, evaluator, env)
                except CathodeLCAError as exc:
                    report.errors.append(
                        f"{product.where.file}:{product.where.line}: dataset '{ds.id}', "
                        f"field 'products.{product.id}.properties.{name}': {exc.message}"
                    )
                    continue
                if not np.isfinite(result):
                    report.errors.append(
                        f"{product.where.file}:{product.where.line}: dataset '{ds.id}', "
                        f"field 'products.{product.id}.properties.{name}': NaN or infinite at the defaults"
                    )
    for ds in inv.datasets.values():
        if not needs_balance(ds):
            if ds.element_balance is not None and ds.element_balance.startswith("skip:"):
                report.skipped.append((ds.id, ds.element_balance[5:].strip()))
            continue
        try:
            report.balances.extend(element_balance(inv, params, env, ds, evaluator))
        except CathodeLCAError as exc:
            report.errors.append(str(exc))
    return report


def balance_table(rows: list[BalanceRow]) -> list[dict[str, Any]]:
    return [
        {
            "dataset": r.dataset,
            "element": r.element,
            "in": r.inputs,
            "out": r.outputs,
            "losses": r.losses,
            "difference": r.difference,
            "relative": r.difference / r.inputs if r.inputs else None,
            "tolerance": r.tolerance,
            "ok": r.ok,
            "status": r.status,
            **({"known": r.known} if r.known and not r.closes else {}),
        }
        for r in rows
    ]
