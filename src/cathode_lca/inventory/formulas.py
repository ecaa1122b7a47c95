"""Safe formulas: a whitelisted Python-expression subset compiled into numpy closures.

Nothing is passed to ``eval``. The text is parsed with :func:`ast.parse`, every node is
checked against a whitelist, and the tree is turned into nested closures that take a
mapping of parameter arrays and return an array. Evaluation is elementwise, so one call
covers S samples or scenarios.

Examples
--------
>>> f = parse_formula("2 * a + max(b, 1)")
>>> sorted(f.names)
['a', 'b']
>>> import numpy as np
>>> f.compile({"a": "a", "b": "b"}.__getitem__)({"a": np.array([1.0, 2.0]), "b": np.array([0.0, 5.0])})
array([3., 9.])
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import FormulaError

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

CONSTANTS = {"pi": math.pi, "e": math.e}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
    ast.Mod: np.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _reduce(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def fn(*args: Any) -> Any:
        if len(args) < 2:
            raise FormulaError("min/max need at least two arguments")
        out = args[0]
        for arg in args[1:]:
            out = op(out, arg)
        return out

    return fn


FUNCTIONS: dict[str, tuple[Callable[..., Any], int | None]] = {
    # name: (function, number of arguments or None for 2+)
    "min": (_reduce(np.minimum), None),
    "max": (_reduce(np.maximum), None),
    "abs": (np.abs, 1),
    "exp": (np.exp, 1),
    "log": (np.log, 1),
    "log10": (np.log10, 1),
    "sqrt": (np.sqrt, 1),
    "clip": (np.clip, 3),
    "where": (lambda c, a, b: np.where(np.asarray(c) != 0, a, b), 3),
}


@dataclass(frozen=True)
class ChoiceRef:
    """Where a choice parameter is compared with string literals."""

    name: str
    literals: tuple[str, ...]


@dataclass
class Formula:
    """A parsed, validated formula; :meth:`compile` binds its names to parameter keys."""

    text: str
    tree: ast.Expression
    names: frozenset[str]
    choice_literals: dict[str, set[str]] = field(default_factory=dict)

    def compile(
        self,
        resolve: Callable[[str], str],
        choices: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Compiled:
        """Return a closure ``env -> array``.

        Parameters
        ----------
        resolve
            Maps a name used in the formula to the key under which its value is stored
            in the evaluation environment. It raises for unknown names.
        choices
            Choice parameters by key: the allowed string values. A comparison of a choice
            parameter with a string compiles into a comparison of integer codes.
        """
        try:
            return _Compiler(self.text, resolve, choices or {}).visit(self.tree.body)
        except RecursionError:
            raise FormulaError(_TOO_DEEP.format(self.text[:60]), hint=_TOO_DEEP_HINT) from None


_TOO_DEEP = "formula '{}...' is nested too deeply"
_TOO_DEEP_HINT = "split it into intermediate parameters"


def parse_formula(text: str | float | int) -> Formula:
    """Parse *text* into a :class:`Formula`; raise :class:`FormulaError` on any defect."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise FormulaError(f"a formula must be a string or a number, not {type(text).__name__}")
    source = str(text).strip()
    if not source:
        raise FormulaError("empty formula")
    if len(source) > 5000:
        raise FormulaError("formula longer than 5000 characters")
    try:
        tree = ast.parse(source, mode="eval")
    except (RecursionError, MemoryError):
        raise FormulaError(_TOO_DEEP.format(source[:60]), hint=_TOO_DEEP_HINT) from None
    except SyntaxError as exc:
        raise FormulaError(
            f"cannot parse formula '{source}': {exc.msg} at column {exc.offset}",
            hint="formulas use Python arithmetic syntax, e.g. '0.5 * a + b'",
        ) from None
    names: set[str] = set()
    literals: dict[str, set[str]] = {}
    try:
        _check(tree.body, source, names, literals)
    except RecursionError:
        raise FormulaError(_TOO_DEEP.format(source[:60]), hint=_TOO_DEEP_HINT) from None
    return Formula(source, tree, frozenset(names), literals)


_ALLOWED = (
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
)


def _check(node: ast.AST, source: str, names: set[str], literals: dict[str, set[str]]) -> None:
    if not isinstance(node, _ALLOWED):
        raise FormulaError(
            f"'{type(node).__name__}' is not allowed in formulas ('{source}')",
            hint="use numbers, parameter names, arithmetic, comparisons and the listed functions",
        )
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float, str)):
            raise FormulaError(f"constant {node.value!r} is not allowed in '{source}'")
        if isinstance(node.value, str):
            raise FormulaError(
                f"string {node.value!r} may only be compared with a choice parameter ('{source}')",
                hint="write e.g. plant_region == 'US'",
            )
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise FormulaError(f"name '{node.id}' is not allowed in '{source}'")
        if node.id not in CONSTANTS:
            names.add(node.id)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise FormulaError(f"operator '{type(node.op).__name__}' is not allowed in '{source}'")
        _check(node.left, source, names, literals)
        _check(node.right, source, names, literals)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            raise FormulaError(f"operator '{type(node.op).__name__}' is not allowed in '{source}'")
        _check(node.operand, source, names, literals)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, source, names, literals)
        return
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for op in node.ops:
            if type(op) not in _CMPOPS:
                raise FormulaError(f"comparison '{type(op).__name__}' is not allowed in '{source}'")
        if any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands):
            _check_choice_compare(node, source, names, literals)
            return
        for operand in operands:
            _check(operand, source, names, literals)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _check(part, source, names, literals)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise FormulaError(f"function call not allowed in '{source}'", hint=f"allowed functions: {allowed}")
        if node.keywords:
            raise FormulaError(f"keyword arguments are not allowed in '{source}'")
        _fn, arity = FUNCTIONS[node.func.id]
        if arity is not None and len(node.args) != arity:
            raise FormulaError(f"{node.func.id}() takes {arity} argument(s), got {len(node.args)} in '{source}'")
        if arity is None and len(node.args) < 2:
            raise FormulaError(f"{node.func.id}() needs at least two arguments in '{source}'")
        for arg in node.args:
            _check(arg, source, names, literals)
        return


def _check_choice_compare(node: ast.Compare, source: str, names: set[str], literals: dict[str, set[str]]) -> None:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        raise FormulaError(
            f"a string may only be compared with == or != ('{source}')",
            hint="write e.g. plant_region == 'US'",
        )
    left, right = node.left, node.comparators[0]
    name_node, text_node = (left, right) if isinstance(left, ast.Name) else (right, left)
    if not (
        isinstance(name_node, ast.Name) and isinstance(text_node, ast.Constant) and isinstance(text_node.value, str)
    ):
        raise FormulaError(
            f"a string must be compared with a choice parameter name ('{source}')",
            hint="write e.g. plant_region == 'US'",
        )
    names.add(name_node.id)
    literals.setdefault(name_node.id, set()).add(text_node.value)


class _Compiler:
    def __init__(
        self,
        source: str,
        resolve: Callable[[str], str],
        choices: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.source = source
        self.resolve = resolve
        self.choices = choices

    def visit(self, node: ast.AST) -> Compiled:
        method = getattr(self, "visit_" + type(node).__name__)
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Compiled:
        assert isinstance(node.value, int | float)  # the validator admits text only in choice comparisons
        value = float(node.value)
        return lambda env: value

    def visit_Name(self, node: ast.Name) -> Compiled:
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda env: value
        key = self.resolve(node.id)
        if key in self.choices:
            raise FormulaError(
                f"choice parameter '{node.id}' can only be compared with a string in '{self.source}'",
                hint=f"write e.g. {node.id} == '{self.choices[key][0]}'",
            )
        return lambda env: env[key]

    def visit_BinOp(self, node: ast.BinOp) -> Compiled:
        # walk the left spine iteratively: a 600-term sum 'a + b + ...' is a 600-deep tree,
        # which recursion (here and in nested closures at evaluation) cannot take
        chain: list[tuple[Callable[[Any, Any], Any], ast.AST]] = []
        spine: ast.AST = node
        while isinstance(spine, ast.BinOp):
            chain.append((_BINOPS[type(spine.op)], spine.right))
            spine = spine.left
        first = self.visit(spine)
        steps = [(op, self.visit(right)) for op, right in reversed(chain)]
        if len(steps) == 1:
            op, right = steps[0]
            return lambda env: op(first(env), right(env))

        def fn(env: Env) -> Any:
            out = first(env)
            for op, part in steps:
                out = op(out, part(env))
            return out

        return fn

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env: np.negative(operand(env))
        if isinstance(node.op, ast.Not):
            return lambda env: np.equal(operand(env), 0).astype(float)
        return operand

    def visit_BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.visit(v) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

        def fn(env: Env) -> Any:
            out = np.asarray(parts[0](env)) != 0
            for part in parts[1:]:
                out = combine(out, np.asarray(part(env)) != 0)
            return out.astype(float)

        return fn

    def visit_Compare(self, node: ast.Compare) -> Compiled:
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands):
            return self._choice_compare(node)
        parts = [self.visit(o) for o in operands]
        ops = [_CMPOPS[type(op)] for op in node.ops]

        def fn(env: Env) -> Any:
            values = [p(env) for p in parts]
            out = ops[0](values[0], values[1])
            for i, op in enumerate(ops[1:], start=1):
                out = np.logical_and(out, op(values[i], values[i + 1]))
            return np.asarray(out, dtype=float)

        return fn

    def _choice_compare(self, node: ast.Compare) -> Compiled:
        left, right = node.left, node.comparators[0]
        name_node, text_node = (left, right) if isinstance(left, ast.Name) else (right, left)
        assert (
            isinstance(name_node, ast.Name) and isinstance(text_node, ast.Constant) and isinstance(text_node.value, str)
        )
        key = self.resolve(name_node.id)
        if key not in self.choices:
            raise FormulaError(
                f"'{name_node.id}' is compared with a string but is not a choice parameter in '{self.source}'",
                hint="declare it with 'choices:' or compare numbers",
            )
        allowed = self.choices[key]
        if text_node.value not in allowed:
            raise FormulaError(
                f"'{text_node.value}' is not a choice of '{name_node.id}' in '{self.source}'",
                hint="choose one of: " + ", ".join(allowed),
            )
        code = float(allowed.index(text_node.value))
        if isinstance(node.ops[0], ast.Eq):
            return lambda env: np.equal(env[key], code).astype(float)
        return lambda env: np.not_equal(env[key], code).astype(float)

    def visit_IfExp(self, node: ast.IfExp) -> Compiled:
        test, body, orelse = self.visit(node.test), self.visit(node.body), self.visit(node.orelse)

        def fn(env: Env) -> Any:
            cond = np.asarray(test(env))
            if cond.ndim == 0:
                return body(env) if cond != 0 else orelse(env)
            return np.where(cond != 0, body(env), orelse(env))

        return fn

    def visit_Call(self, node: ast.Call) -> Compiled:
        assert isinstance(node.func, ast.Name)  # the validator admits calls of named functions only
        fn_, _arity = FUNCTIONS[node.func.id]
        args = [self.visit(a) for a in node.args]
        return lambda env: fn_(*(a(env) for a in args))
