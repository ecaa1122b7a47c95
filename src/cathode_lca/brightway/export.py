"""Export the inventories to a Brightway 2.5 (bw2data) project, with parameters and methods.

Three databases are written into the project:

* ``<prefix> biosphere`` — our elementary flows (code = flow id);
* ``<prefix> background`` — datasets whose amounts are all numbers and that declare no parameters;
* ``<prefix> foreground`` — datasets with formulas or parameters. Their exchanges keep their formulas,
  and every parameter is written as a Brightway parameter, so the model stays editable in the
  Activity Browser.

Parameters: global and file-scope parameters become *database parameters* of the foreground
database (file-scope names are prefixed ``<file id>__``), dataset parameters become *activity
parameters* in the group ``<foreground database>:<dataset id>`` (names prefixed
``<dataset id>__``). Nothing is written to the project-wide parameters of the user's project.
Choice parameters become numeric codes (index into their ``choices``, listed in the parameter's
data); lookup tables become nested ``x if code == i else ...`` formulas.

Multi-output datasets are exported with the chosen allocation applied: one activity per
allocated column (code = product id). Every method in ``methods/`` is registered as
``(<prefix>, <method id>)``.

The export is transactional: databases, parameter groups and methods that already exist are
refused unless *overwrite*; with *overwrite* they are backed up in memory first. Any failure
removes everything written and restores the backups. It is also crash-safe: it is written into
a staging copy of the project and swapped in when complete (:mod:`.staging`), so a kill leaves
the old project or the complete new one.

Examples
--------
>>> report = export_to_brightway("my project")            # doctest: +SKIP
>>> report.databases                                       # doctest: +SKIP
('cathode-lca biosphere', 'cathode-lca background', 'cathode-lca foreground')
"""

from __future__ import annotations

import ast
import contextlib
import keyword
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..errors import CathodeLCAError, FormulaError, SolverError, UsageError
from ..inventory.schema import Dataset, Parameter, Product
from ..parameters.formulas import CONSTANTS, Formula
from ..units import conversion_factor, is_mass

STATS_ARRAYS_ID = {"lognormal": 2, "normal": 3, "uniform": 4, "triangular": 5}
RESOURCE_COMPARTMENTS = ("resource", "energy")
VERIFY_RTOL = 1e-9


# ---------------------------------------------------------------------------
# bw2data import (lazy; its console feedback goes to stderr so that JSON on stdout stays clean)


def import_bw2data() -> Any:
    """Import bw2data lazily; its log messages go to stderr, warnings only.

    Set the environment variable ``BRIGHTWAY2_DIR`` *before* the first import to use another
    Brightway data directory than the user's default one.
    """
    if "bw2data" not in sys.modules:
        # plain logging (not structlog), bound to stderr while importing: stdout stays for results
        os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            import bw2data  # noqa: F401
    logging.getLogger("brightway-stdout-feedback").setLevel(logging.WARNING)
    import bw2data

    return bw2data


@contextlib.contextmanager
def project_context(project: str, *, create: bool = False) -> Iterator[bool]:
    """Switch to Brightway *project* and back to the previous one afterwards.

    Yields whether the project was created here. Without *create*, an unknown project is a
    :class:`UsageError`.
    """
    bd = import_bw2data()
    if not project or not project.strip():
        raise UsageError("empty Brightway project name", hint="give --project NAME")
    created = project not in bd.projects
    if created and not create:
        known = sorted(p.name for p in bd.projects)
        raise UsageError(
            f"Brightway project '{project}' does not exist",
            hint="existing projects: "
            + (", ".join(known) if known else "none")
            + " (set BRIGHTWAY2_DIR to use another Brightway data directory)",
        )
    previous = bd.projects.current
    bd.projects.set_current(project)
    try:
        yield created
    finally:
        if bd.projects.current != previous and previous in bd.projects:
            bd.projects.set_current(previous)


# ---------------------------------------------------------------------------
# Formulas: our whitelisted syntax -> a Python expression that asteval (bw2parameters) evaluates


_BINOP_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_CMP_TEXT = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def number_text(value: float) -> str:
    """Exact text of a float for a formula (negative numbers in parentheses)."""
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def translate_formula(
    formula: Formula,
    resolve: Callable[[str], str],
    names: Mapping[str, str],
    choices: Mapping[str, tuple[str, ...]],
) -> str:
    """Translate one of our formulas into a Brightway (asteval) formula.

    Parameters
    ----------
    formula
        A parsed formula.
    resolve
        Maps a name in the formula to our parameter key (scope rules).
    names
        Our parameter key -> Brightway parameter name.
    choices
        Choice parameters by key; a comparison with a string becomes a comparison of codes.

    Examples
    --------
    >>> from cathode_lca.parameters.formulas import parse_formula
    >>> f = parse_formula("2 * x if region == 'CN' else clip(x, 0, 1)")
    >>> translate_formula(f, str, {"x": "x", "region": "region"}, {"region": ("US", "CN")})
    '((2.0 * x) if (1.0 * (region == 1)) != 0 else min(max(x, 0.0), 1.0))'
    """
    return _Translator(formula.text, resolve, names, choices).visit(formula.tree.body)


class _Translator:
    def __init__(
        self,
        source: str,
        resolve: Callable[[str], str],
        names: Mapping[str, str],
        choices: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.source = source
        self.resolve = resolve
        self.names = names
        self.choices = choices

    def visit(self, node: ast.AST) -> str:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:  # pragma: no cover - parse_formula whitelists the node types
            raise FormulaError(f"cannot translate '{type(node).__name__}' in '{self.source}'")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> str:
        return number_text(float(node.value))

    def visit_Name(self, node: ast.Name) -> str:
        if node.id in CONSTANTS:
            return number_text(CONSTANTS[node.id])
        return self.names[self.resolve(node.id)]

    def visit_BinOp(self, node: ast.BinOp) -> str:
        return f"({self.visit(node.left)} {_BINOP_TEXT[type(node.op)]} {self.visit(node.right)})"

    def visit_UnaryOp(self, node: ast.UnaryOp) -> str:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return f"(-{operand})"
        if isinstance(node.op, ast.Not):
            return f"(1.0 * ({operand} == 0))"
        return operand

    def visit_BoolOp(self, node: ast.BoolOp) -> str:
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        parts = joiner.join(f"({self.visit(v)} != 0)" for v in node.values)
        return f"(1.0 * ({parts}))"

    def visit_Compare(self, node: ast.Compare) -> str:
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands):
            left, right = node.left, node.comparators[0]
            name_node, text_node = (left, right) if isinstance(left, ast.Name) else (right, left)
            key = self.resolve(name_node.id)  # type: ignore[union-attr]
            code = self.choices[key].index(text_node.value)  # type: ignore[union-attr]
            op = _CMP_TEXT[type(node.ops[0])]
            return f"(1.0 * ({self.names[key]} {op} {code}))"
        text = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            text += f" {_CMP_TEXT[type(op)]} {self.visit(comparator)}"
        return f"(1.0 * ({text}))"

    def visit_IfExp(self, node: ast.IfExp) -> str:
        return f"({self.visit(node.body)} if {self.visit(node.test)} != 0 else {self.visit(node.orelse)})"

    def visit_Call(self, node: ast.Call) -> str:
        name = node.func.id  # type: ignore[union-attr]
        args = [self.visit(a) for a in node.args]
        if name == "where":
            return f"({args[1]} if {args[0]} != 0 else {args[2]})"
        if name == "clip":
            return f"min(max({args[0]}, {args[1]}), {args[2]})"
        return f"{name}({', '.join(args)})"


# ---------------------------------------------------------------------------
# Amounts: a number at the default parameters plus, where it varies, a Brightway formula


@dataclass(frozen=True)
class Term:
    """An amount: its *value* at the default parameters and its Brightway *formula* (None if constant)."""

    value: float
    formula: str | None = None

    @property
    def text(self) -> str:
        return self.formula if self.formula is not None else number_text(self.value)

    def _combine(self, other: Term, op: str, value: float) -> Term:
        if self.formula is None and other.formula is None:
            return Term(value)
        return Term(value, f"({self.text} {op} {other.text})")

    def __mul__(self, other: Term) -> Term:
        if other.formula is None and other.value == 1.0:
            return self
        if self.formula is None and self.value == 1.0:
            return other
        return self._combine(other, "*", self.value * other.value)

    def __add__(self, other: Term) -> Term:
        return self._combine(other, "+", self.value + other.value)

    def __truediv__(self, other: Term) -> Term:
        return self._combine(other, "/", self.value / other.value)

    def __neg__(self) -> Term:
        return Term(-self.value, None if self.formula is None else f"(-{self.formula})")


ONE = Term(1.0)


# ---------------------------------------------------------------------------
# The export plan (pure: built and checked before anything is written)


@dataclass
class ExportPlan:
    """Everything the export writes, computed from the model without touching any project."""

    prefix: str
    allocation: str
    biosphere: str
    background: str
    foreground: str
    data: dict[str, dict[tuple[str, str], dict[str, Any]]]  # database -> {key: activity}
    database_parameters: list[dict[str, Any]]
    activity_parameters: dict[str, list[dict[str, Any]]]  # group -> parameters
    group_activities: dict[str, list[tuple[str, str]]]  # group -> activities with formula exchanges
    methods: dict[tuple[str, ...], tuple[dict[str, Any], list[tuple[tuple[str, str], float]]]]
    parameter_names: dict[str, str]  # our parameter key -> Brightway name
    metadata: dict[str, Any]

    @property
    def databases(self) -> tuple[str, str, str]:
        return (self.biosphere, self.background, self.foreground)

    @property
    def groups(self) -> list[str]:
        return sorted(set(self.activity_parameters) | set(self.group_activities))


@dataclass
class ExportReport:
    """What was written."""

    project: str
    databases: tuple[str, ...]
    activities: dict[str, int]
    parameters: int
    groups: int
    methods: list[tuple[str, ...]]
    allocation: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _identifier(text: str) -> str:
    ident = re.sub(r"\W", "_", text)
    return ident if ident[:1].isalpha() else "p_" + ident


def parameter_names(parameters: Mapping[str, Parameter]) -> dict[str, str]:
    """Brightway names for our parameter keys: unique, valid and not shadowing asteval symbols.

    Global parameters keep their names; file parameters become ``<file id>__<name>`` and dataset
    parameters ``<dataset id>__<name>`` (non-identifier characters replaced by ``_``).
    """
    from asteval import Interpreter

    reserved = set(Interpreter().symtable) | {"nan", "inf"}
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted(parameters):
        p = parameters[key]
        scope, _, owner = p.scope.partition(":")
        base = p.name if scope == "global" else f"{_identifier(owner)}__{p.name}"
        if base in reserved or keyword.iskeyword(base) or base.startswith("_"):
            base = "p_" + base
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out[key] = name
    return out


class _Planner:
    def __init__(self, model: Any, prefix: str, allocation: str, methods: Sequence[Any] | None) -> None:
        self.model = model
        self.inv = model.inventory
        self.allocation = allocation
        model.matrices(allocation)  # validates allocation and the properties it needs
        self.env = model.parameters.evaluate()
        self.choices = model.parameters.choices
        self.names = parameter_names(self.inv.parameters)
        self.prefix = prefix
        self.biosphere = f"{prefix} biosphere"
        self.background = f"{prefix} background"
        self.foreground = f"{prefix} foreground"
        self.method_ids = methods
        from ..uncertainty.defaults import default_exchange_distributions

        self.exchange_dists = default_exchange_distributions(self.inv)  # pedigree-based, constant amounts only

    # -- amounts -----------------------------------------------------------------
    def term(self, amount: float | Formula, ds: Dataset | None, param: Parameter | None = None) -> Term:
        if not isinstance(amount, Formula):
            return Term(float(amount))
        resolve = self.inv.resolver(ds) if ds is not None else self.model.parameters.resolver_for(param)
        value = amount.compile(resolve, self.choices)(self.env)
        return Term(_scalar(value), translate_formula(amount, resolve, self.names, self.choices))

    def property_term(self, ds: Dataset, product: Product, name: str) -> Term:
        value = product.properties.get(name)
        if value is None and name == "mass" and is_mass(product.unit):
            value = conversion_factor(product.unit, "kg")
        assert value is not None  # model.matrices(allocation) checked it
        return self.term(value, ds)

    # -- datasets ----------------------------------------------------------------
    def dataset_activities(self, ds: Dataset) -> list[dict[str, Any]]:
        """Activities (one per allocated column) with exchanges whose inputs are product ids."""
        products, ref = ds.products, ds.reference_product
        split = len(products) > 1 and self.allocation in ("mass", "economic")
        dropped = self.allocation == "cut-off" and ds.cut_off == "waste-treatment"
        columns: list[tuple[dict[str, Any], Term]] = []
        activities: list[dict[str, Any]] = []

        def activity(product: Product, production: Term) -> dict[str, Any]:
            name = ds.name if product is ref else f"{ds.name} | co-product {product.name}"
            act = {
                "name": name,
                "reference product": product.name,
                "unit": product.unit,
                "location": brightway_location(ds.location),
                "cathode-lca location": ds.location,
                "type": "process",
                "comment": ds.note or "",
                "cathode-lca dataset": ds.id,
                "cathode-lca product": product.id,
                "stage": ds.stage,
                "exchanges": [_exchange("production", product.id, production, product.unit, product.source)],
            }
            activities.append(act)
            return act

        if split:
            prop = "mass" if self.allocation == "mass" else "price"
            amounts = [self.term(p.amount, ds) for p in products]
            props = [self.property_term(ds, p, prop) for p in products]
            denominator = Term(0.0)
            for a, p in zip(amounts, props, strict=True):
                denominator = denominator + a * p
            for p, pv in zip(products, props, strict=True):
                columns.append((activity(p, ONE), pv / denominator))
        else:
            ref_act = activity(ref, self.term(ref.amount, ds))
            columns.append((ref_act, ONE))
            for p in products:
                if p is ref:
                    continue
                co_act = activity(p, ONE)
                if self.allocation == "system-expansion" and p.substitutes is not None:
                    sub_unit = self.inv.product(p.substitutes).unit
                    factor = Term(conversion_factor(p.unit, sub_unit))
                    credit = -(self.term(p.amount, ds) * factor)
                    ref_act["exchanges"].append(_exchange("technosphere", p.substitutes, credit, sub_unit, p.source))
                    co_act["exchanges"].append(_exchange("technosphere", p.substitutes, factor, sub_unit, p.source))
        if dropped:
            return activities
        for i, ex in enumerate(ds.exchanges):
            if ex.kind == "input":
                unit, kind = self.inv.product(ex.target).unit, "technosphere"
            else:
                unit, kind = self.inv.flows[ex.target].unit, "biosphere"
            amount = self.term(ex.amount, ds) * Term(conversion_factor(ex.unit, unit))
            dist = self.exchange_dists.get(f"{ds.id}/exchanges[{i}]")
            for act, coef in columns:
                exc = _exchange(kind, ex.target, amount * coef, unit, ex.source)
                if dist is not None and "formula" not in exc and exc["amount"]:
                    exc.update(_lognormal_fields(exc["amount"], dist["scale"]))
                act["exchanges"].append(exc)
        return activities

    # -- parameters --------------------------------------------------------------
    def parameter_record(self, key: str, p: Parameter) -> dict[str, Any]:
        record: dict[str, Any] = {
            "name": self.names[key],
            "amount": _scalar(self.env[key]),
            "unit": p.unit,
            "cathode-lca key": key,
        }
        if p.source:
            record["source"] = p.source
        if p.note:
            record["comment"] = p.note
        if p.kind == "formula":
            record["formula"] = self.term(p.formula, None, p).formula  # type: ignore[arg-type]
        elif p.kind == "choice":
            record["choices"] = list(p.choices)
            record["comment"] = "choice parameter, numeric code: " + ", ".join(
                f"{i} = {c}" for i, c in enumerate(p.choices)
            )
        elif p.kind == "lookup":
            by_key = self.model.parameters.resolver_for(p)(p.by or "")
            by_name = self.names[by_key]
            text = "nan"
            for i, choice in reversed(list(enumerate(self.choices[by_key]))):
                if choice in p.values:
                    text = f"({number_text(p.values[choice])} if {by_name} == {i} else {text})"
            record["formula"] = text
            record["comment"] = f"lookup by {p.by}: " + ", ".join(f"{c} = {v}" for c, v in p.values.items())
        if p.distribution:
            dist = p.distribution
            record["uncertainty type"] = STATS_ARRAYS_ID[dist["type"]]
            for field_ in ("loc", "scale", "minimum", "maximum", "negative"):
                if dist.get(field_) is not None:
                    record[field_] = dist[field_]
        return record

    # -- everything ----------------------------------------------------------------
    def plan(self) -> ExportPlan:
        from ..methods import available_methods, load_method

        inv = self.inv
        per_dataset = {ds.id: self.dataset_activities(ds) for ds in inv.datasets.values()}
        dataset_params: dict[str, list[str]] = {}
        for key, p in inv.parameters.items():
            if p.scope.startswith("dataset:"):
                dataset_params.setdefault(p.scope.split(":", 1)[1], []).append(key)
        foreground = {
            ds_id
            for ds_id, acts in per_dataset.items()
            if ds_id in dataset_params or any(e.get("formula") for a in acts for e in a["exchanges"])
        }
        db_of_dataset = {d: (self.foreground if d in foreground else self.background) for d in per_dataset}
        db_of_product = {p: db_of_dataset[d] for p, (d, _i) in inv.products.items()}
        data: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
            self.biosphere: {},
            self.background: {},
            self.foreground: {},
        }
        for flow in inv.flows.values():
            data[self.biosphere][(self.biosphere, flow.id)] = {
                "name": flow.name,
                "categories": (flow.compartment,),
                "unit": flow.unit,
                "type": "natural resource" if flow.compartment in RESOURCE_COMPARTMENTS else "emission",
                "comment": flow.note or "",
                "exchanges": [],
            }
        group_activities: dict[str, list[tuple[str, str]]] = {}
        for ds_id, acts in per_dataset.items():
            db = db_of_dataset[ds_id]
            for act in acts:
                key = (db, act["cathode-lca product"])
                for exc in act["exchanges"]:
                    target = exc.pop("target")
                    exc["input"] = (
                        (self.biosphere, target) if exc["type"] == "biosphere" else (db_of_product[target], target)
                    )
                    exc["output"] = key
                data[db][key] = act
                if any("formula" in e for e in act["exchanges"]):
                    group_activities.setdefault(self.group_name(ds_id), []).append(key)
        database_parameters = [
            self.parameter_record(k, p) for k, p in inv.parameters.items() if not p.scope.startswith("dataset:")
        ]
        activity_parameters: dict[str, list[dict[str, Any]]] = {}
        for ds_id, keys in dataset_params.items():
            ref_code = inv.datasets[ds_id].reference_product.id
            records = []
            for key in keys:
                record = self.parameter_record(key, inv.parameters[key])
                record.update(database=self.foreground, code=ref_code)
                records.append(record)
            activity_parameters[self.group_name(ds_id)] = records
        method_ids = list(self.method_ids) if self.method_ids else available_methods()
        methods: dict[tuple[str, ...], tuple[dict[str, Any], list[tuple[tuple[str, str], float]]]] = {}
        for method_id in method_ids:
            m = load_method(method_id) if isinstance(method_id, str) else method_id
            cfs = [((self.biosphere, f), float(v)) for f, v in m.factors.items() if f in inv.flows]
            meta = {
                "unit": m.unit,
                "description": f"{m.name}. Source: {m.source}",
                "indicator": m.indicator,
                "cathode-lca method": m.id,
                "cathode-lca version": __version__,
            }
            methods[(self.prefix, m.id)] = (meta, cfs)
        return ExportPlan(
            prefix=self.prefix,
            allocation=self.allocation,
            biosphere=self.biosphere,
            background=self.background,
            foreground=self.foreground,
            data=data,
            database_parameters=database_parameters,
            activity_parameters=activity_parameters,
            group_activities=group_activities,
            methods=methods,
            parameter_names=self.names,
            metadata={
                "package": "cathode-lca",
                "package_version": __version__,
                "inventory_hash": inv.content_hash,
                "allocation": self.allocation,
                "parameter_set": "defaults",
            },
        )

    def group_name(self, dataset_id: str) -> str:
        return f"{self.foreground}:{dataset_id}"


def brightway_location(text: str) -> str:
    """A location Brightway accepts: bw2data evaluates location strings that contain '(' as Python
    tuples, so parenthesised remarks are dropped (the full text is kept in 'cathode-lca location').

    >>> brightway_location("US (EverBatt default distances)")
    'US'
    """
    cleaned = re.sub(r"\s*\([^)]*\)", "", text).replace("(", "").replace(")", "").strip()
    return cleaned or "GLO"


def _exchange(kind: str, target: str, amount: Term, unit: str, source: str | None) -> dict[str, Any]:
    exc: dict[str, Any] = {"type": kind, "target": target, "amount": amount.value, "unit": unit}
    if amount.formula is not None:
        exc["formula"] = amount.formula
    if source:
        exc["comment"] = source
    return exc


def _lognormal_fields(amount: float, scale: float) -> dict[str, Any]:
    """stats_arrays lognormal (id 2) around *amount* as median: the default exchange uncertainty."""
    import math

    return {
        "uncertainty type": 2,
        "loc": math.log(abs(amount)),
        "scale": scale,
        "negative": amount < 0,
        "uncertainty note": "cathode-lca pedigree-based default (docs/data/quality.md)",
    }


def _scalar(value: Any) -> float:
    import numpy as np

    arr = np.asarray(value, dtype=float)
    return float(arr.reshape(-1)[0])


def plan_export(
    model: Any = None,
    *,
    prefix: str = "cathode-lca",
    allocation: str = "none",
    methods: Sequence[Any] | None = None,
) -> ExportPlan:
    """Build (and check) the export of *model* without writing anything.

    Every formula is evaluated with the same asteval interpreter Brightway uses, at the default
    parameters, and compared with our own value: a translation error stops the export here.
    """
    from ..lca import default_model

    if not prefix or not prefix.strip():
        raise UsageError("empty database prefix", hint="give --prefix NAME")
    plan = _Planner(model or default_model(), prefix, allocation, methods).plan()
    check_plan_formulas(plan)
    return plan


def check_plan_formulas(plan: ExportPlan) -> None:
    """Evaluate every formula of *plan* with asteval and compare with the planned value (rtol 1e-9)."""
    import_bw2data()
    from bw2data.parameters import get_interpreter

    values = {r["name"]: r["amount"] for r in plan.database_parameters}
    for records in plan.activity_parameters.values():
        values.update({r["name"]: r["amount"] for r in records})

    def check(formula: str, expected: float, what: str) -> None:
        interpreter = get_interpreter()
        interpreter.symtable.update(values)
        result = interpreter(formula)
        if interpreter.error or result is None:
            message = interpreter.error[0].get_error()[1] if interpreter.error else "no value"
            raise SolverError(
                f"Brightway cannot evaluate the formula of {what}: '{formula}' ({message})",
                hint="report this as a bug with the inventory hash",
            )
        if abs(float(result) - expected) > VERIFY_RTOL * max(1.0, abs(expected)):
            raise SolverError(
                f"Brightway formula of {what} gives {float(result)!r}, cathode-lca {expected!r}: '{formula}'",
                hint="report this as a bug with the inventory hash",
            )

    for record in plan.database_parameters:
        if record.get("formula"):
            check(record["formula"], record["amount"], f"parameter '{record['cathode-lca key']}'")
    for records in plan.activity_parameters.values():
        for record in records:
            if record.get("formula"):
                check(record["formula"], record["amount"], f"parameter '{record['cathode-lca key']}'")
    for db in (plan.background, plan.foreground):
        for key, act in plan.data[db].items():
            for exc in act["exchanges"]:
                if "formula" in exc:
                    check(exc["formula"], exc["amount"], f"an exchange of '{key[1]}' ({exc['input'][1]})")


# ---------------------------------------------------------------------------
# Writing, transactionally


@dataclass
class _Snapshot:
    """In-memory copy of an existing database (or method) that the export replaces."""

    kind: str  # "database" | "method"
    name: Any
    metadata: dict[str, Any]
    data: Any
    database_parameters: list[dict[str, Any]] = field(default_factory=list)
    activity_parameters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    group_activities: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def export_to_brightway(
    project: str,
    model: Any = None,
    *,
    prefix: str = "cathode-lca",
    allocation: str = "none",
    overwrite: bool = False,
    methods: Sequence[Any] | None = None,
) -> ExportReport:
    """Write *model* (default: the shipped inventories) into Brightway *project* (created if needed).

    Parameters
    ----------
    project
        bw2data project name.
    prefix
        Database names are ``<prefix> biosphere``, ``<prefix> background``, ``<prefix> foreground``;
        methods are ``(<prefix>, <method id>)``.
    allocation
        Allocation applied to multi-output datasets (one activity per allocated column).
    overwrite
        Replace existing databases, parameter groups and methods of these names. Without it,
        any of them existing is a :class:`UsageError` and nothing is written.
    methods
        Method ids (default: every shipped method).

    Examples
    --------
    >>> export_to_brightway("cathode", overwrite=True).databases   # doctest: +SKIP
    ('cathode-lca biosphere', 'cathode-lca background', 'cathode-lca foreground')
    """
    from .staging import staged

    plan = plan_export(model, prefix=prefix, allocation=allocation, methods=methods)
    # crash-safe: written into a staging copy, swapped in only when complete (see staging.py)
    with staged(project) as staging, project_context(staging, create=True):
        write_plan(plan, project, overwrite=overwrite)
    return ExportReport(
        project=project,
        databases=plan.databases,
        activities={db: len(plan.data[db]) for db in plan.databases},
        parameters=len(plan.database_parameters) + sum(len(v) for v in plan.activity_parameters.values()),
        groups=len(plan.groups),
        methods=list(plan.methods),
        allocation=plan.allocation,
        metadata=dict(plan.metadata),
    )


def write_plan(plan: ExportPlan, project: str, *, overwrite: bool = False) -> None:
    """Write *plan* into the current Brightway project; on any failure undo everything.

    Existing databases, parameter groups or methods of the plan's names are a
    :class:`UsageError` unless *overwrite*; then they are backed up in memory and restored
    if the export fails.
    """
    from bw2data import databases, methods

    conflicts = [f"database '{d}'" for d in plan.databases if d in databases]
    conflicts += [f"method {m}" for m in plan.methods if m in methods]
    groups = _existing_groups(plan)
    if groups:
        conflicts.append(f"{len(groups)} parameter group(s) such as '{groups[0]}'")
    if conflicts and not overwrite:
        shown = conflicts[:4] + ([f"{len(conflicts) - 4} more"] if len(conflicts) > 4 else [])
        raise UsageError(
            f"Brightway project '{project}' already has " + ", ".join(shown),
            hint="pass --overwrite (overwrite=True) to replace them, or choose another --prefix",
        )
    snapshots = [_snapshot_database(d) for d in plan.databases if d in databases]
    snapshots += [_snapshot_method(m) for m in plan.methods if m in methods]
    try:
        _remove(plan)
        _write_databases(plan)
        _write_parameters(plan)
        _register_methods(plan)
        _verify(plan)
    except BaseException as exc:
        _rollback(plan, snapshots)
        if isinstance(exc, (CathodeLCAError, KeyboardInterrupt, SystemExit)):
            raise
        raise UsageError(
            f"the export to Brightway project '{project}' failed and was rolled back ({type(exc).__name__}: {exc})",
            hint="close other programs that use the project (e.g. the Activity Browser) and try again; "
            "if it persists, report it with the inventory hash",
        ) from exc


def _existing_groups(plan: ExportPlan) -> list[str]:
    from bw2data.parameters import ActivityParameter, Group

    ours = set(plan.groups)
    ours.update(
        g
        for (g,) in ActivityParameter.select(ActivityParameter.group)
        .where(ActivityParameter.database == plan.foreground)
        .tuples()
    )
    return sorted(g for g in ours if Group.select().where(Group.name == g).exists())


def _remove(plan: ExportPlan) -> None:
    """Delete the plan's databases, groups and methods (used before writing and on rollback)."""
    from bw2data import Database, databases, methods
    from bw2data.parameters import ActivityParameter, Group, GroupDependency, ParameterizedExchange

    groups = _existing_groups(plan)
    for name in plan.databases:
        if name in databases:
            del databases[name]
        else:
            Database(name).delete(warn=False, vacuum=False, signal=False)
    if groups:
        ParameterizedExchange.delete().where(ParameterizedExchange.group << groups).execute()
        ActivityParameter.delete().where(ActivityParameter.group << groups).execute()
    names = groups + list(plan.databases)
    GroupDependency.delete().where(GroupDependency.group << names).execute()
    Group.delete().where(Group.name << names).execute()
    for name in plan.methods:
        if name in methods:
            _delete_method(name)


def _delete_method(name: tuple[str, ...]) -> None:
    from bw2data import Method, projects

    method = Method(name)
    files = [projects.dir / "intermediate" / (method.filename + ".pickle")]
    with contextlib.suppress(Exception):
        files.append(method.dirpath_processed() / method.filename_processed())
    method.deregister()
    for path in files:
        path.unlink(missing_ok=True)


def _write_databases(plan: ExportPlan) -> None:
    import copy

    from bw2data import Database

    for name in plan.databases:
        db = Database(name)
        db.register(
            format="cathode-lca export",
            description=f"cathode-lca {__version__} export ({plan.allocation} allocation)",
            cathode_lca=dict(plan.metadata),
        )
        data = copy.deepcopy(plan.data[name])
        for act in data.values():
            for exc in act["exchanges"]:
                if "formula" in exc:
                    exc["original_amount"] = exc["amount"]
        db.write(data, process=False, check_typos=False)
    for name in plan.databases:
        Database(name).process()


def _write_parameters(plan: ExportPlan) -> None:
    import copy

    from bw2data import Database, parameters
    from bw2data.backends import sqlite3_lci_db
    from bw2data.parameters import ActivityParameter, DatabaseParameter

    # one transaction per SQLite file: much faster than a commit per row, and all-or-nothing
    with sqlite3_lci_db.atomic(), parameters.db.atomic():
        if plan.database_parameters:
            parameters.new_database_parameters(copy.deepcopy(plan.database_parameters), plan.foreground)
        for group, records in plan.activity_parameters.items():
            parameters.new_activity_parameters(copy.deepcopy(records), group)
        for group, keys in plan.group_activities.items():
            for key in keys:
                parameters.add_exchanges_to_group(group, key)
        DatabaseParameter.recalculate(plan.foreground)
        for group in plan.groups:
            ActivityParameter.recalculate(group)
    Database(plan.foreground).process()


def _register_methods(plan: ExportPlan) -> None:
    from bw2data import Method

    for name, (meta, cfs) in plan.methods.items():
        method = Method(name)
        method.register(**meta)
        method.write(cfs)


def _verify(plan: ExportPlan) -> None:
    """Amounts Brightway computed from the formulas equal ours (relative 1e-9)."""
    from bw2data.backends import ExchangeDataset

    expected: dict[tuple[Any, ...], float] = {}
    for key, act in plan.data[plan.foreground].items():
        for exc in act["exchanges"]:
            if "formula" in exc:
                expected[(key[1], tuple(exc["input"]), exc["type"], exc["formula"])] = exc["amount"]
    rows = ExchangeDataset.select(ExchangeDataset.data).where(ExchangeDataset.output_database == plan.foreground)
    seen = 0
    for (data,) in rows.tuples():
        if "formula" not in data:
            continue
        ident = (data["output"][1], tuple(data["input"]), data["type"], data["formula"])
        want = expected.get(ident)
        got = data.get("amount")
        if want is None or got is None or abs(float(got) - want) > VERIFY_RTOL * max(1.0, abs(want)):
            raise SolverError(
                f"Brightway computed {got!r} for an exchange of '{ident[0]}' ({ident[1][1]}), cathode-lca {want!r}",
                hint="report this as a bug with the inventory hash",
            )
        seen += 1
    if seen != sum(1 for a in plan.data[plan.foreground].values() for e in a["exchanges"] if "formula" in e):
        raise SolverError("Brightway lost parameterised exchanges during the export", hint="report this as a bug")


# -- backups for --overwrite ------------------------------------------------------------


def _snapshot_database(name: str) -> _Snapshot:
    import copy

    from bw2data import Database, databases
    from bw2data.backends import ExchangeDataset
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ParameterizedExchange

    db_params = [
        {"name": r.name, "amount": r.amount, "formula": r.formula, **r.data}
        for r in DatabaseParameter.select().where(DatabaseParameter.database == name)
    ]
    act_params: dict[str, list[dict[str, Any]]] = {}
    for r in ActivityParameter.select().where(ActivityParameter.database == name):
        act_params.setdefault(r.group, []).append(
            {"name": r.name, "database": r.database, "code": r.code, "amount": r.amount, "formula": r.formula, **r.data}
        )
    group_activities: dict[str, list[tuple[str, str]]] = {}
    for group in act_params:
        ids = [pe.exchange for pe in ParameterizedExchange.select().where(ParameterizedExchange.group == group)]
        outputs = {
            (e.output_database, e.output_code) for e in ExchangeDataset.select().where(ExchangeDataset.id << ids)
        }
        group_activities[group] = sorted(outputs)
    order = {g.name: list(g.order) for g in Group.select().where(Group.name << list(act_params))}
    metadata = copy.deepcopy(dict(databases[name]))
    metadata["cathode-lca group order"] = order
    return _Snapshot("database", name, metadata, Database(name).load(), db_params, act_params, group_activities)


def _snapshot_method(name: tuple[str, ...]) -> _Snapshot:
    import copy

    from bw2data import Method, get_node, methods

    rows = []
    for row in Method(name).load():  # bw2data 4 stores flows as node ids, which a rewrite changes: keep keys
        flow = row[0]
        key = get_node(id=flow).key if isinstance(flow, int) else tuple(flow)
        rows.append((key, *row[1:]))
    return _Snapshot("method", name, copy.deepcopy(dict(methods[name])), rows)


def _restore(snapshots: list[_Snapshot]) -> None:
    from bw2data import Database, Method, parameters
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group

    dbs = [s for s in snapshots if s.kind == "database"]
    for snap in dbs:
        meta = {k: v for k, v in snap.metadata.items() if k not in ("cathode-lca group order", "number", "dirty")}
        db = Database(snap.name)
        db.register(**meta)
        db.write(snap.data, process=False, check_typos=False)
    for snap in dbs:
        Database(snap.name).process()
    for snap in dbs:
        if snap.database_parameters:
            parameters.new_database_parameters([dict(p) for p in snap.database_parameters], snap.name)
        for group, records in snap.activity_parameters.items():
            parameters.new_activity_parameters([dict(r) for r in records], group)
            obj = Group.get(name=group)
            obj.order = snap.metadata["cathode-lca group order"].get(group, [])
            obj.save()
            for key in snap.group_activities.get(group, []):
                parameters.add_exchanges_to_group(group, key)
        if snap.database_parameters:
            DatabaseParameter.recalculate(snap.name)
        for group in snap.activity_parameters:
            ActivityParameter.recalculate(group)
        Database(snap.name).process()
    for snap in snapshots:
        if snap.kind == "method":
            method = Method(snap.name)
            method.register(**snap.metadata)
            method.write(snap.data)


def _rollback(plan: ExportPlan, snapshots: list[_Snapshot]) -> None:
    """Remove what the failed export wrote, then put back what it replaced."""
    try:
        _remove(plan)
    finally:
        _restore(snapshots)
