"""Four samples at a time: vector IR for the draws of the compiled kernel.

Each input's loop in ``@draws`` (:mod:`cathode_lca.uncertainty.kernel_draws`) runs over the block's
samples four at a time, as ``<4 x double>`` instructions (one AVX register; LLVM splits them into
two SSE2 halves on a CPU without AVX). The arithmetic of every lane is the scalar arithmetic,
operation for operation, strict IEEE (no fast-math, no fused multiply-add), so a value does not
depend on the lane or the block it is computed in. Two functions make the difference:

* ``@ppnd16v``, the AS 241 normal quantile of four probabilities: the central rational function
  (``|p − 0.5| ≤ 0.425``, about 85 % of the values) for all four lanes at once; a lane in a tail
  calls the scalar ``@ppnd16`` (which computes the central lanes to the same bits);
* ``@expv``, ``exp`` of four values, by the method of Sun's fdlibm ``e_exp.c`` (W. Kahan /
  K. C. Ng, 1993; P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE
  floating-point arithmetic", *ACM TOMS* 15 (2), 144–157, 1989, for the Cody–Waite style
  reduction): ``x = k·ln 2 + r`` with ln 2 split in a 32-bit head (``k·ln2_hi`` exact) and a tail,
  ``|r| ≤ ln 2 / 2``; ``exp(r) = 1 + 2r / (2 − R(r))`` where ``R`` is fdlibm's degree-5 Remez
  polynomial in ``r²`` (error below 2⁻⁵⁹), written as fdlibm's
  ``1 − ((lo − r·c / (2 − c)) − hi)``; then the scale ``2ᵏ`` is built from its exponent bits.
  fdlibm bounds the error below 1 ulp; against libm on 10⁶ values it is within 4e-16 relative
  (``tests/test_kernel_vector.py``). A lane with ``|x| > 700`` (or NaN) calls libm's ``exp``, so
  overflow, underflow and subnormal results stay libm's.

Examples
--------
>>> ir = VectorIR()
>>> ir.binary("fmul", "%t0", literal(2.0))
'%t1'
>>> ir.lines[0]
'  %t1 = fmul <4 x double> %t0, <double 0x4000000000000000, double 0x4000000000000000, double 0x4000000000000000, double 0x4000000000000000>'
"""

from __future__ import annotations

import re

from .kernel_source import IR, literal

WIDTH = 4
VEC = f"<{WIDTH} x double>"
IVEC = f"<{WIDTH} x i64>"
_LITERAL = re.compile(r"0x[0-9A-F]{16}")

# fdlibm e_exp.c (Sun Microsystems, 1993): ln 2 in two parts, 1/ln 2 and the Remez coefficients
_LN2_HI = 6.93147180369123816490e-01  # 0x3FE62E42FEE00000: 32 significant bits
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_EXP_P = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
EXP_RANGE = 700.0
"""``@expv`` computes lanes with ``|x| ≤ EXP_RANGE`` itself (results normal, no overflow); others call libm."""


def splat(operand: str, kind: str = "double") -> str:
    """A literal repeated in every lane (a register is returned as it is)."""
    if kind == "double" and _LITERAL.fullmatch(operand):
        return "<" + ", ".join([f"double {operand}"] * WIDTH) + ">"
    if kind == "i64" and re.fullmatch(r"-?[0-9]+", operand):
        return "<" + ", ".join([f"i64 {operand}"] * WIDTH) + ">"
    return operand


class VectorIR(IR):
    """:class:`IR` whose double operations act on ``<4 x double>``: the same emitters, four lanes.

    A scalar function called through :meth:`call` becomes its vector counterpart (``@ppnd16v``,
    ``@expv``, or LLVM's vector intrinsic); anything else is refused.
    """

    _VECTOR_FUNCTIONS = {
        "ppnd16": "ppnd16v",
        "llvm.exp.f64": "expv",
        "llvm.sqrt.f64": "llvm.sqrt.v4f64",
        "llvm.fabs.f64": "llvm.fabs.v4f64",
    }

    def binary(self, op: str, a: str, b: str) -> str:
        return self.op(f"{op} {VEC} {splat(a)}, {splat(b)}")

    def compare(self, predicate: str, a: str, b: str) -> str:
        return self.op(f"fcmp {predicate} {VEC} {splat(a)}, {splat(b)}")

    def select(self, condition: str, a: str, b: str) -> str:
        return self.op(f"select <{WIDTH} x i1> {condition}, {VEC} {splat(a)}, {VEC} {splat(b)}")

    def neg(self, a: str) -> str:
        return self.op(f"fneg {VEC} {splat(a)}")

    def integer(self, op: str, a: str, b: str) -> str:
        """An integer operation on ``<4 x i64>`` (a decimal constant is repeated in every lane)."""
        return self.op(f"{op} {IVEC} {splat(a, 'i64')}, {splat(b, 'i64')}")

    def call(self, function: str, *args: str) -> str:
        if function not in self._VECTOR_FUNCTIONS:
            raise ValueError(f"no vector form of {function!r}")
        name = self._VECTOR_FUNCTIONS[function]
        if name.startswith("llvm."):
            self.declared.add(f"declare {VEC} @{name}({', '.join(VEC for _ in args)})")
        return self.op(f"call {VEC} @{name}({', '.join(f'{VEC} {splat(a)}' for a in args)})")

    def all_true(self, mask: str) -> str:
        """An i1 that is true when every lane of the ``<4 x i1>`` *mask* is."""
        bits = self.op(f"bitcast <{WIDTH} x i1> {mask} to i{WIDTH}")
        return self.op(f"icmp eq i{WIDTH} {bits}, -1")

    def words_to_unit(self, words: str) -> str:
        """``((w >> 11) + 0.5) · 2⁻⁵³`` for four 64-bit words, as the scalar path computes it.

        ``w >> 11`` has 53 bits, which AVX2 cannot convert in one instruction; it is split into
        ``h·2³² + l`` and each half placed in the significand of a power of two (``2⁸⁴ + h·2³²``,
        ``2⁵² + l``), all exact, so the sum is the exact value ``uitofp`` gives.
        """
        top = self.integer("lshr", words, "11")
        high = self.integer("or", self.integer("lshr", top, "32"), str(0x4530000000000000))
        low = self.integer("or", self.integer("and", top, str(0xFFFFFFFF)), str(0x4330000000000000))
        h = self.binary("fsub", self.op(f"bitcast {IVEC} {high} to {VEC}"), literal(2.0**84))
        lo = self.binary("fsub", self.op(f"bitcast {IVEC} {low} to {VEC}"), literal(2.0**52))
        exact = self.binary("fadd", h, lo)
        return self.binary("fmul", self.binary("fadd", exact, literal(0.5)), literal(2.0**-53))


def _lanes(
    name: str, result: str, need: str, argument: str, scalar: str, block: str = "entry", ret: bool = True
) -> list[str]:
    """IR that recomputes with ``@scalar`` each lane of *result* whose bit in the ``<4 x i1>`` *need* is set."""
    lines = []
    previous, value = block, result
    for k in range(WIDTH):
        lines += [
            f"  br label %{name}{k}",
            f"{name}{k}:",
            f"  %{name}{k}.v = phi {VEC} [{value}, %{previous}]" if k == 0 else "",
            f"  %{name}{k}.need = extractelement <{WIDTH} x i1> {need}, i64 {k}",
            f"  br i1 %{name}{k}.need, label %{name}{k}.call, label %{name}{k}.skip",
            f"{name}{k}.call:",
            f"  %{name}{k}.a = extractelement {VEC} {argument}, i64 {k}",
            f"  %{name}{k}.s = call double @{scalar}(double %{name}{k}.a)",
            f"  %{name}{k}.w = insertelement {VEC} %{name}{k}.v, double %{name}{k}.s, i64 {k}",
            f"  br label %{name}{k}.skip",
            f"{name}{k}.skip:",
            f"  %{name}{k}.out = phi {VEC} [%{name}{k}.v, %{name}{k}], [%{name}{k}.w, %{name}{k}.call]",
        ]
        if k + 1 < WIDTH:
            lines.append(f"  %{name}{k + 1}.v = bitcast {VEC} %{name}{k}.out to {VEC}")
        previous, value = f"{name}{k}.skip", f"%{name}{k}.out"
    lines.append(f"  ret {VEC} %{name}{WIDTH - 1}.out" if ret else "")
    return [line for line in lines if line]


def _horner(ir: VectorIR, coefficients: tuple[float, ...], r: str) -> str:
    """((c0·r + c1)·r + c2)… in this order, as the scalar ``@ppnd16`` (no fused multiply-add)."""
    value = literal(coefficients[0])
    for c in coefficients[1:]:
        value = ir.binary("fadd", ir.binary("fmul", value, r), literal(c))
    return value


def ppnd16v_ir(numerator: tuple[float, ...], denominator: tuple[float, ...]) -> tuple[str, set[str]]:
    """``define internal <4 x double> @ppnd16v(<4 x double> %p)``: AS 241 for four probabilities.

    The central lanes take the rational function (coefficients *numerator*, *denominator*, highest
    power first, those of the scalar ``@ppnd16``) in vector form; the others call ``@ppnd16``.
    """
    ir = VectorIR()
    q = ir.binary("fsub", "%p", literal(0.5))
    central = ir.compare("ole", ir.call("llvm.fabs.f64", q), literal(0.425))
    q_r = ir.binary("fsub", literal(0.180625), ir.binary("fmul", q, q))
    num = ir.binary("fmul", _horner(ir, numerator, q_r), q)
    value = ir.binary("fdiv", num, _horner(ir, denominator, q_r))
    everywhere = ir.all_true(central)
    tail = ir.op(f"xor <{WIDTH} x i1> {central}, <{', '.join(['i1 true'] * WIDTH)}>")
    lines = [
        f"define internal {VEC} @ppnd16v({VEC} %p) {{",
        "entry:",
        *ir.lines,
        f"  br i1 {everywhere}, label %fast, label %tails",
        "fast:",
        f"  ret {VEC} {value}",
        "tails:",
        *_lanes("lane", value, tail, "%p", "ppnd16", block="tails"),
        "}",
    ]
    return "\n".join(lines), ir.declared


def expv_ir() -> tuple[str, set[str]]:
    """``define internal <4 x double> @expv(<4 x double> %x)`` (fdlibm's method, see the module docstring)."""
    ir = VectorIR()
    inside = ir.compare("ole", ir.call("llvm.fabs.f64", "%x"), literal(EXP_RANGE))
    # k = nearest integer to x / ln 2: adding 1.5·2⁵² rounds it (to even) into the low significand bits
    shifted = ir.binary("fadd", ir.binary("fmul", "%x", literal(_INV_LN2)), literal(1.5 * 2.0**52))
    k = ir.binary("fsub", shifted, literal(1.5 * 2.0**52))
    hi = ir.binary("fsub", "%x", ir.binary("fmul", k, literal(_LN2_HI)))
    lo = ir.binary("fmul", k, literal(_LN2_LO))
    r = ir.binary("fsub", hi, lo)
    t = ir.binary("fmul", r, r)
    poly = literal(_EXP_P[-1])
    for coefficient in reversed(_EXP_P[:-1]):
        poly = ir.binary("fadd", literal(coefficient), ir.binary("fmul", t, poly))
    c = ir.binary("fsub", r, ir.binary("fmul", t, poly))
    ratio = ir.binary("fdiv", ir.binary("fmul", r, c), ir.binary("fsub", literal(2.0), c))
    y = ir.binary("fsub", literal(1.0), ir.binary("fsub", ir.binary("fsub", lo, ratio), hi))
    # 2ᵏ: the bits of 1.5·2⁵² + k hold k in their low part; (k + 1023) << 52 is 2ᵏ's bit pattern
    bits = ir.op(f"bitcast {VEC} {shifted} to {IVEC}")
    scale = ir.integer("shl", ir.integer("add", bits, "1023"), "52")
    value = ir.binary("fmul", y, ir.op(f"bitcast {IVEC} {scale} to {VEC}"))
    everywhere = ir.all_true(inside)
    outside = ir.op(f"xor <{WIDTH} x i1> {inside}, <{', '.join(['i1 true'] * WIDTH)}>")
    lines = [
        f"define internal {VEC} @expv({VEC} %x) {{",
        "entry:",
        *ir.lines,
        f"  br i1 {everywhere}, label %fast, label %edges",
        "fast:",
        f"  ret {VEC} {value}",
        "edges:",
        *_lanes("lane", value, outside, "%x", "llvm.exp.f64", block="edges"),
        "}",
    ]
    return "\n".join(lines), ir.declared | {"declare double @llvm.exp.f64(double)"}
