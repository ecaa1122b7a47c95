"""Our formulas and amounts in Brightway's terms: whitelisted syntax -> asteval expression text.

:func:`translate_formula` turns a parsed :class:`~cathode_lca.inventory.formulas.Formula` into
the Python expression text that bw2parameters (asteval) evaluates; :class:`Term` is an amount as a
number at the default parameters plus, where it varies, that formula text.

Examples
--------
>>> number_text(0.5)
'0.5'
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import FormulaError
from ..inventory.formulas import CONSTANTS, Formula

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
    >>> from cathode_lca.inventory.formulas import parse_formula
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
        assert isinstance(node.value, int | float)  # strings only appear in comparisons (visit_Compare)
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
            assert isinstance(name_node, ast.Name) and isinstance(text_node, ast.Constant)  # parse_formula checked
            key = self.resolve(name_node.id)
            code = self.choices[key].index(str(text_node.value))
            op_text = _CMP_TEXT[type(node.ops[0])]
            return f"(1.0 * ({self.names[key]} {op_text} {code}))"
        text = self.visit(node.left)
        for cmp, comparator in zip(node.ops, node.comparators, strict=True):
            text += f" {_CMP_TEXT[type(cmp)]} {self.visit(comparator)}"
        return f"(1.0 * ({text}))"

    def visit_IfExp(self, node: ast.IfExp) -> str:
        return f"({self.visit(node.body)} if {self.visit(node.test)} != 0 else {self.visit(node.orelse)})"

    def visit_Call(self, node: ast.Call) -> str:
        assert isinstance(node.func, ast.Name)  # parse_formula allows calls of whitelisted names only
        name = node.func.id
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
