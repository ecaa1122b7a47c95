"""LLVM IR for one scalar formula, written from the checked syntax tree (for the compiled kernel).

Why generating and compiling code here is safe
----------------------------------------------
The compiled Monte Carlo kernel (:mod:`cathode_lca.uncertainty.kernel`) is LLVM IR text that
llvmlite (numba's compiler back end) compiles. No text written by a user ever reaches that IR:

* formulas are parsed and checked by :func:`cathode_lca.inventory.formulas.parse_formula`, which
  accepts only a whitelist of node types (numbers, names, arithmetic, comparisons, ``if``/``else``,
  ``and``/``or``/``not`` and calls of the listed functions) and rejects attributes, subscripts,
  lambdas, keyword arguments, names starting with ``_`` and everything else;
* this writer walks that checked tree again and accepts the same whitelist, independently: any other
  node raises :class:`KernelUnsupported` (the Monte Carlo then runs on the numpy path);
* a name is never copied into the IR: it is resolved to its parameter key and replaced by the
  value the kernel builder generated for it, an SSA register (``%t12``) or a float constant, and
  anything else is refused; an operator or function becomes a fixed instruction chosen by its type
  or name from the tables below;
* a number is written as the 16 hex digits of its IEEE-754 bits (exact); a non-finite literal is
  refused;
* a string may appear only in a comparison with a choice parameter, which becomes the integer code
  of that choice.

So the IR consists of fixed instructions, generated register names and hex constants, whatever the
inventory says. ``tests/test_kernel.py`` plants a name, an attribute and a dunder and checks that
none reaches the IR.

Arithmetic is strict IEEE: no fast-math flags, so LLVM neither reassociates nor fuses operations;
``%`` follows numpy's ``np.mod`` (sign of the divisor), ``min``/``max`` propagate NaN as
``np.minimum``/``np.maximum``, and ``if``/``where`` evaluate both branches as ``np.where`` does.

Examples
--------
>>> from cathode_lca.inventory.formulas import parse_formula
>>> ir = IR()
>>> f = parse_formula("2 * a + max(b, 1)")
>>> expression(f.tree.body, {"a": "%t0", "b": ir.number(3.0)}.__getitem__, {}, ir=ir)  # max: 4 instructions
'%t7'
>>> ir.lines[0]
'  %t1 = fmul double 0x4000000000000000, %t0'
"""

from __future__ import annotations

import ast
import math
import re
import struct
from collections.abc import Callable, Mapping

from ..inventory.formulas import CONSTANTS

_OPERAND = re.compile(r"%t[0-9]+|0x[0-9A-F]{16}")
"""What a name may become in the IR: a generated register or a hex float constant."""


class KernelUnsupported(Exception):
    """A model feature the compiled kernel does not cover; the message says which."""


_BINOPS: dict[type, str] = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv"}
_CMPOPS: dict[type, str] = {
    ast.Lt: "olt",
    ast.LtE: "ole",
    ast.Gt: "ogt",
    ast.GtE: "oge",
    ast.Eq: "oeq",
    ast.NotEq: "une",
}
_UNARY_FUNCTIONS = {
    "abs": "llvm.fabs.f64",
    "exp": "llvm.exp.f64",
    "log": "llvm.log.f64",
    "log10": "llvm.log10.f64",
    "sqrt": "llvm.sqrt.f64",
}


def literal(value: float) -> str:
    """A float as an exact LLVM constant (its IEEE-754 bits); non-finite values are refused."""
    number = float(value)
    if not math.isfinite(number):
        raise KernelUnsupported(f"non-finite number {number!r}")
    bits = struct.unpack("<Q", struct.pack("<d", number))[0]
    return f"0x{bits:016X}"


class IR:
    """Straight-line SSA instructions over doubles, plus the checks of one sample.

    ``bad`` collects failed conditions (an ``or`` of i1 values), ``fin`` is NaN as soon as one
    checked value is not finite (``fin + x * 0``); neither branches, so the code stays one block.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.declared: set[str] = set()
        self._n = 0
        self.bad = "false"
        self.fin = literal(0.0)

    def number(self, value: float) -> str:
        return literal(value)

    def const(self, value: float, tag: object = None) -> str:
        return literal(value)

    def total(self, terms: list[str], start: str | None = None) -> str:
        """Left-to-right sum of *terms* (after *start*), in this order (no reassociation)."""
        if start is None and not terms:
            return literal(0.0)
        name = start if start is not None else terms[0]
        for t in terms if start is not None else terms[1:]:
            name = self.binary("fadd", name, t)
        return name

    def op(self, instruction: str) -> str:
        self._n += 1
        name = f"%t{self._n}"
        self.lines.append(f"  {name} = {instruction}")
        return name

    def binary(self, op: str, a: str, b: str) -> str:
        return self.op(f"{op} double {a}, {b}")

    def neg(self, a: str) -> str:
        return self.op(f"fneg double {a}")

    def compare(self, predicate: str, a: str, b: str) -> str:
        return self.op(f"fcmp {predicate} double {a}, {b}")

    def select(self, condition: str, a: str, b: str) -> str:
        return self.op(f"select i1 {condition}, double {a}, double {b}")

    def truth(self, condition: str) -> str:
        return self.select(condition, literal(1.0), literal(0.0))

    def nonzero(self, value: str) -> str:
        return self.compare("une", value, literal(0.0))

    def call(self, function: str, *args: str) -> str:
        self.declared.add(f"declare double @{function}({', '.join('double' for _ in args)})")
        return self.op(f"call double @{function}({', '.join('double ' + a for a in args)})")

    def mod(self, a: str, b: str) -> str:
        """``np.mod`` for floats: C fmod, moved to the divisor's sign; zero takes the divisor's sign."""
        r = self.binary("frem", a, b)
        nonzero = self.nonzero(r)
        flip = self.op(f"xor i1 {self.compare('olt', b, literal(0.0))}, {self.compare('olt', r, literal(0.0))}")
        adjusted = self.select(self.op(f"and i1 {nonzero}, {flip}"), self.binary("fadd", r, b), r)
        return self.select(nonzero, adjusted, self.call("llvm.copysign.f64", literal(0.0), b))

    def extreme(self, a: str, b: str, lower: bool) -> str:
        """NaN-propagating minimum or maximum (``np.minimum`` / ``np.maximum``)."""
        either_nan = self.compare("uno", a, b)
        pick = self.select(self.compare("ole" if lower else "oge", a, b), a, b)
        return self.select(either_nan, self.binary("fadd", a, b), pick)

    def flag(self, condition: str) -> None:
        self.bad = self.op(f"or i1 {self.bad}, {condition}")

    def finite(self, value: str) -> None:
        self.fin = self.binary("fadd", self.fin, self.binary("fmul", value, literal(0.0)))


def expression(
    node: ast.AST,
    variable: Callable[[str], str],
    choice_codes: Mapping[str, tuple[str, ...]],
    resolve: Callable[[str], str] | None = None,
    *,
    ir: IR,
) -> str:
    """Emit one checked formula node into *ir*; return the operand that holds its value.

    Parameters
    ----------
    variable
        Maps a parameter key to the operand (register or constant) that holds its value.
    choice_codes
        Choice parameters by key: their choices (a string compares as its index).
    resolve
        Maps a name used in the formula to its parameter key (identity when ``None``).
    """
    key_of = resolve or (lambda name: name)

    def name_operand(name: str) -> str:
        operand = variable(key_of(name))
        if not _OPERAND.fullmatch(operand):
            raise KernelUnsupported(f"generated operand {operand!r} is not a register or a constant")
        return operand

    def visit(n: ast.AST) -> str:
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, (int, float)):
                raise KernelUnsupported("a constant that is not a number")
            return literal(n.value)
        if isinstance(n, ast.Name):
            if n.id in CONSTANTS:
                return literal(CONSTANTS[n.id])
            if key_of(n.id) in choice_codes:
                raise KernelUnsupported(f"choice parameter '{n.id}' used as a number")
            return name_operand(n.id)
        if isinstance(n, ast.BinOp):
            left, right = visit(n.left), visit(n.right)
            if isinstance(n.op, ast.Pow):
                return ir.call("llvm.pow.f64", left, right)
            if isinstance(n.op, ast.Mod):
                return ir.mod(left, right)
            op = _BINOPS.get(type(n.op))
            if op is None:
                raise KernelUnsupported(f"operator {type(n.op).__name__}")
            return ir.binary(op, left, right)
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.USub):
                return ir.op(f"fneg double {visit(n.operand)}")
            if isinstance(n.op, ast.UAdd):
                return visit(n.operand)
            if isinstance(n.op, ast.Not):
                return ir.truth(ir.compare("oeq", visit(n.operand), literal(0.0)))
            raise KernelUnsupported(f"operator {type(n.op).__name__}")
        if isinstance(n, ast.BoolOp):
            out = ir.nonzero(visit(n.values[0]))
            for v in n.values[1:]:
                out = ir.op(f"{'and' if isinstance(n.op, ast.And) else 'or'} i1 {out}, {ir.nonzero(visit(v))}")
            return ir.truth(out)
        if isinstance(n, ast.Compare):
            return compare(n)
        if isinstance(n, ast.IfExp):
            test, body, orelse = visit(n.test), visit(n.body), visit(n.orelse)
            return ir.select(ir.nonzero(test), body, orelse)
        if isinstance(n, ast.Call):
            return call(n)
        raise KernelUnsupported(f"'{type(n).__name__}' in a formula")

    def compare(n: ast.Compare) -> str:
        operands = [n.left, *n.comparators]
        if any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands):
            if len(n.ops) != 1 or not isinstance(n.ops[0], (ast.Eq, ast.NotEq)):
                raise KernelUnsupported("a string compared with an operator other than == or !=")
            left, right = n.left, n.comparators[0]
            name_node, text_node = (left, right) if isinstance(left, ast.Name) else (right, left)
            if not (isinstance(name_node, ast.Name) and isinstance(text_node, ast.Constant)):
                raise KernelUnsupported("a string not compared with a choice parameter")
            key = key_of(name_node.id)
            choices = choice_codes.get(key)
            if choices is None or text_node.value not in choices:
                raise KernelUnsupported(f"'{name_node.id}' is not a choice parameter with that choice")
            code = literal(choices.index(str(text_node.value)))
            predicate = "oeq" if isinstance(n.ops[0], ast.Eq) else "une"
            return ir.truth(ir.compare(predicate, name_operand(name_node.id), code))
        values = [visit(o) for o in operands]
        out: str | None = None
        for i, op_node in enumerate(n.ops):
            fcmp = _CMPOPS.get(type(op_node))
            if fcmp is None:
                raise KernelUnsupported(f"comparison {type(op_node).__name__}")
            c = ir.compare(fcmp, values[i], values[i + 1])
            out = c if out is None else ir.op(f"and i1 {out}, {c}")
        if out is None:
            raise KernelUnsupported("a comparison without an operator")
        return ir.truth(out)

    def call(n: ast.Call) -> str:
        if not isinstance(n.func, ast.Name) or n.keywords:
            raise KernelUnsupported("a call that is not a listed function")
        name = n.func.id
        args = [visit(a) for a in n.args]
        if name in _UNARY_FUNCTIONS and len(args) == 1:
            return ir.call(_UNARY_FUNCTIONS[name], args[0])
        if name in ("min", "max") and len(args) >= 2:
            out = args[0]
            for arg in args[1:]:
                out = ir.extreme(out, arg, lower=name == "min")
            return out
        if name == "clip" and len(args) == 3:
            return ir.extreme(ir.extreme(args[0], args[1], lower=False), args[2], lower=True)
        if name == "where" and len(args) == 3:
            return ir.select(ir.nonzero(args[0]), args[1], args[2])
        raise KernelUnsupported(f"function {name}() with {len(args)} argument(s)")

    return visit(node)
