"""Eight samples at a time: vector IR for the draws of the compiled kernel.

Each input's loop in ``@draws`` (:mod:`cathode_lca.uncertainty.kernel_draws`) runs over the block's
samples ``WIDTH`` = 8 at a time, as ``<8 x double>`` instructions (LLVM splits them into two AVX
registers, or four SSE2 ones on a CPU without AVX: two independent halves keep the long dependency
chains of the polynomials overlapped; 4 lanes measured slower, 16 no faster and slower to compile).
The arithmetic of every lane is the scalar arithmetic of the same formula, strict IEEE (no
fast-math, no fused multiply-add), so a value depends only on its words, never on its lane or
block. These functions carry it:

* ``@zrow``, the AS 241 normal quantiles of a block of one input: the central rational function
  (``|p − 0.5| ≤ 0.425``, about 85 % of the values) inline, two groups at a time, bit for bit the
  scalar ``@ppnd16``'s; the tail samples listed apart and computed with the first tail branch
  alone (:func:`log_lines`); the rare lanes beyond it (p < 1.4e-11) through ``@ppnd16t``, which
  calls the scalar ``@ppnd16``;
* ``@expv``, ``exp`` by the method of Sun's fdlibm ``e_exp.c`` (1993; the reduction of
  P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE floating-point
  arithmetic", *ACM TOMS* 15 (2), 144–157, 1989, with W. J. Cody and W. Waite's split of ln 2):
  ``x = k·ln 2 + r`` with ln 2 in a 32-bit head (``k·ln2_hi`` exact) and a tail, ``|r| ≤ ln 2 / 2``;
  ``exp(r) = 1 + 2r / (2 − R(r))`` with fdlibm's degree-5 Remez polynomial (error below 2⁻⁵⁹),
  written as fdlibm's ``1 − ((lo − r·c / (2 − c)) − hi)``; then ``2ᵏ`` from its exponent bits.
  A lane with ``|x| > 700`` (or NaN) calls libm's ``exp``, so overflow and subnormals stay libm's;
* :func:`log_lines`, ``log`` by fdlibm's ``e_log.c`` method, inside the tail branch.

fdlibm bounds both errors below 1 ulp; against libm on 10⁶ values each is within 4e-16 relative
(``tests/test_kernel_vector.py``). Against the numpy path (AS 241 in numpy,
:func:`cathode_lca.uncertainty.normal.ppnd16`, and numpy's ``exp``) the draws stay within 2e-15.

Examples
--------
>>> ir = VectorIR()
>>> ir.binary("fmul", "%t0", literal(2.0))
'%t1'
>>> ir.lines[0].split(",")[0]
'  %t1 = fmul <8 x double> %t0'
"""

from __future__ import annotations

import re

from .kernel_source import IR, literal

WIDTH = 8
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
# fdlibm e_log.c: the Remez coefficients of log(1+f) = f − f²/2 + s·(f²/2 + R(s²)), s = f / (2 + f)
_LOG_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
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
    """:class:`IR` whose double operations act on ``<WIDTH x double>``: the same emitters, all lanes.

    A scalar function called through :meth:`call` becomes its vector counterpart (``@expv``, or
    LLVM's vector intrinsic); anything else is refused (the normal quantile runs over a block in
    ``@zrow``, never one group at a time).
    """

    _VECTOR_FUNCTIONS = {
        "llvm.exp.f64": "expv",
        "llvm.sqrt.f64": f"llvm.sqrt.v{WIDTH}f64",
        "llvm.fabs.f64": f"llvm.fabs.v{WIDTH}f64",
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
        """An integer operation on ``<WIDTH x i64>`` (a decimal constant is repeated in every lane)."""
        return self.op(f"{op} {IVEC} {splat(a, 'i64')}, {splat(b, 'i64')}")

    def call(self, function: str, *args: str) -> str:
        if function not in self._VECTOR_FUNCTIONS:
            raise ValueError(f"no vector form of {function!r}")
        name = self._VECTOR_FUNCTIONS[function]
        if name.startswith("llvm."):
            self.declared.add(f"declare {VEC} @{name}({', '.join(VEC for _ in args)})")
        return self.op(f"call {VEC} @{name}({', '.join(f'{VEC} {splat(a)}' for a in args)})")

    def all_true(self, mask: str) -> str:
        """An i1 that is true when every lane of the ``<WIDTH x i1>`` *mask* is."""
        bits = self.op(f"bitcast <{WIDTH} x i1> {mask} to i{WIDTH}")
        return self.op(f"icmp eq i{WIDTH} {bits}, -1")

    def words_to_unit(self, words: str) -> str:
        """``((w >> 11) + 0.5) · 2⁻⁵³`` for WIDTH 64-bit words, as the scalar path computes it.

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
    """IR that recomputes with ``@scalar`` each lane of *result* whose bit in the ``<WIDTH x i1>`` *need* is set."""
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


def log_lines(ir: VectorIR, x: str) -> str:
    """Emit ``log(x)`` for WIDTH positive normal finite values (others give garbage: guard the lanes).

    fdlibm's ``e_log.c`` method: ``x = 2ᵏ·(1 + f)`` with ``√2/2 ≤ 1 + f < √2`` (read from the bits),
    ``s = f / (2 + f)``, ``log(1 + f) = f − (f²/2 − s·(f²/2 + R))`` with fdlibm's degree-7 Remez
    polynomial ``R`` in ``s²``, and ``k·ln 2`` added in two parts; fdlibm bounds the error below
    1 ulp (``tests/test_kernel_vector.py`` compares with libm).
    """
    bits = ir.op(f"bitcast {VEC} {x} to {IVEC}")
    # fdlibm: i = ((high word & 0xfffff) + 0x95f64) & 0x100000 is set when 1 + f would be ≥ √2
    top = ir.integer("and", ir.integer("lshr", bits, "32"), str(0xFFFFF))
    above = ir.integer("and", ir.integer("lshr", ir.integer("add", top, str(0x95F64)), "20"), "1")
    k = ir.integer("sub", ir.integer("add", ir.integer("lshr", bits, "52"), above), "1023")
    exponent = ir.integer("shl", ir.integer("sub", "1023", above), "52")
    m = ir.op(f"bitcast {IVEC} {ir.integer('or', ir.integer('and', bits, str(2**52 - 1)), exponent)} to {VEC}")
    f = ir.binary("fsub", m, literal(1.0))
    # k as a double, exact: the bits of 1.5·2⁵² + k
    dk = ir.binary(
        "fsub",
        ir.op(f"bitcast {IVEC} {ir.integer('add', k, str(0x4338000000000000))} to {VEC}"),
        literal(1.5 * 2.0**52),
    )
    s = ir.binary("fdiv", f, ir.binary("fadd", literal(2.0), f))
    z = ir.binary("fmul", s, s)
    w = ir.binary("fmul", z, z)
    lg = _LOG_LG
    t1 = ir.binary(
        "fmul",
        w,
        ir.binary(
            "fadd",
            literal(lg[1]),
            ir.binary("fmul", w, ir.binary("fadd", literal(lg[3]), ir.binary("fmul", w, literal(lg[5])))),
        ),
    )
    inner = ir.binary("fadd", literal(lg[4]), ir.binary("fmul", w, literal(lg[6])))
    inner = ir.binary("fadd", literal(lg[2]), ir.binary("fmul", w, inner))
    t2 = ir.binary("fmul", z, ir.binary("fadd", literal(lg[0]), ir.binary("fmul", w, inner)))
    r = ir.binary("fadd", t2, t1)
    hfsq = ir.binary("fmul", ir.binary("fmul", literal(0.5), f), f)
    low = ir.binary("fadd", ir.binary("fmul", s, ir.binary("fadd", hfsq, r)), ir.binary("fmul", dk, literal(_LN2_LO)))
    return ir.binary(
        "fsub", ir.binary("fmul", dk, literal(_LN2_HI)), ir.binary("fsub", ir.binary("fsub", hfsq, low), f)
    )


def logv_ir() -> tuple[str, set[str]]:
    """``define internal <8 x double> @logv(<8 x double> %x)`` (:func:`log_lines`; for tests)."""
    ir = VectorIR()
    value = log_lines(ir, "%x")
    return "\n".join(
        [f"define internal {VEC} @logv({VEC} %x) {{", "entry:", *ir.lines, f"  ret {VEC} {value}", "}"]
    ), ir.declared


def _horner(ir: VectorIR, coefficients: tuple[float, ...], r: str) -> str:
    """((c0·r + c1)·r + c2)… in this order, as the scalar ``@ppnd16`` (no fused multiply-add)."""
    value = literal(coefficients[0])
    for c in coefficients[1:]:
        value = ir.binary("fadd", ir.binary("fmul", value, r), literal(c))
    return value


def central_lines(ir: VectorIR, p: str, centre: tuple[tuple[float, ...], tuple[float, ...]]) -> tuple[str, str]:
    """Emit AS 241's central branch at *p*: (its value, the ``<WIDTH x i1>`` lanes where it applies)."""
    q = ir.binary("fsub", p, literal(0.5))
    central = ir.compare("ole", ir.call("llvm.fabs.f64", q), literal(0.425))
    q_r = ir.binary("fsub", literal(0.180625), ir.binary("fmul", q, q))
    num = ir.binary("fmul", _horner(ir, centre[0], q_r), q)
    return ir.binary("fdiv", num, _horner(ir, centre[1], q_r)), central


CHUNK = 512
"""``@zrow`` notes the tail samples of at most this many samples at a time (a fixed stack buffer)."""

GROUPS = 2
"""Groups of WIDTH samples whose central branches ``@zrow`` interleaves in one loop iteration."""

TAIL_GROUPS = 2
"""Groups of WIDTH listed tail samples whose tail branches ``@zrow`` interleaves in one loop iteration."""

_EVERY = f"<{', '.join(['i1 true'] * WIDTH)}>"


def lane_table() -> list[int]:
    """For each 8-bit lane mask, its set lanes in ascending order, one byte each (lowest byte first).

    ``@zrow`` lists a group's tail samples by loading the entry of its mask, adding the group's
    first sample index to each byte and storing all eight; the count advances by the mask's
    popcount, so the entries past it are overwritten by the next group.

    >>> [lane_table()[m].to_bytes(8, "little")[: bin(m).count("1")].hex() for m in (0b1, 0b10100100)]
    ['00', '020507']
    """
    return [
        int.from_bytes(bytes([k for k in range(WIDTH) if m >> k & 1]).ljust(WIDTH, b"\0"), "little")
        for m in range(2**WIDTH)
    ]


def _renamed(lines: list[str], prefix: str) -> list[str]:
    """*lines* with their temporaries ``%tN`` renamed ``%{prefix}N`` (several groups in one block)."""
    return [re.sub(r"%t(\d+)\b", rf"%{prefix}\1", line) for line in lines]


def _central_group(
    prefix: str, start: str, centre: tuple[tuple[float, ...], tuple[float, ...]]
) -> tuple[list[str], str]:
    """IR for the WIDTH samples from index *start*: their central quantiles stored to ``Z``;
    returns the lines and the i8 mask of the tail lanes (``|p − 0.5| > 0.425``, lane k in bit k)."""
    ir = VectorIR()
    group = ir.op(f"bitcast i64* {ir.op(f'getelementptr i64, i64* %W, i64 {start}')} to {IVEC}*")
    u = ir.words_to_unit(ir.op(f"load {IVEC}, {IVEC}* {group}, align 8"))
    p = ir.binary("fadd", "%av", ir.binary("fmul", u, "%bv"))
    z, central = central_lines(ir, p, centre)
    store = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* %Z, i64 {start}')} to {VEC}*")
    ir.lines.append(f"  store {VEC} {z}, {VEC}* {store}, align 8")
    bits = ir.op(f"bitcast <{WIDTH} x i1> {ir.op(f'xor <{WIDTH} x i1> {central}, {_EVERY}')} to i{WIDTH}")
    return _renamed(ir.lines, prefix), bits.replace("%t", f"%{prefix}")


def _listing(prefix: str, start: str, bits: str, count: str) -> tuple[list[str], str]:
    """IR that lists the samples *start* + k of the set bits k of the i8 *bits* at ``T[count]``
    (:func:`lane_table`, no branch); returns the lines and the new count."""
    ir = VectorIR()
    entry = ir.op(f"getelementptr [256 x i64], [256 x i64]* @zrow.lanes, i64 0, i64 {ir.op(f'zext i8 {bits} to i64')}")
    packed = ir.op(f"bitcast i64 {ir.op(f'load i64, i64* {entry}, align 8')} to <{WIDTH} x i8>")
    lanes = ir.op(f"zext <{WIDTH} x i8> {packed} to {IVEC}")
    one = ir.op(f"insertelement {IVEC} undef, i64 {start}, i64 0")
    base = ir.op(f"shufflevector {IVEC} {one}, {IVEC} undef, <{WIDTH} x i32> zeroinitializer")
    slot = ir.op(f"bitcast i64* {ir.op(f'getelementptr i64, i64* %T, i64 {count}')} to {IVEC}*")
    ir.lines.append(f"  store {IVEC} {ir.integer('add', lanes, base)}, {IVEC}* {slot}, align 8")
    listed = ir.op(f"zext i8 {ir.op(f'call i8 @llvm.ctpop.i8(i8 {bits})')} to i64")
    total = ir.op(f"add i64 {count}, {listed}")
    return _renamed(ir.lines, prefix), total.replace("%t", f"%{prefix}")


def zrow_ir(
    centre: tuple[tuple[float, ...], tuple[float, ...]], near: tuple[tuple[float, ...], tuple[float, ...]]
) -> tuple[str, set[str]]:
    """``define internal void @zrow(i64* W, i64 n, double* Z, double a, double b)``: ``Z[i] = ppnd16(a + u(W[i])·b)``.

    For n ≥ WIDTH. Chunk by chunk (:data:`CHUNK` samples, the last one moved back to stay whole),
    a first loop computes the central branch (*centre*: AS 241's coefficients) for every sample,
    :data:`GROUPS` groups of WIDTH per iteration, their instructions interleaved and inline (the
    polynomials are chains of dependent operations: two groups keep the units busy; a call per
    group spilled and reloaded every constant), the last groups overlapping; it lists the samples
    outside the centre through :func:`lane_table`. A second loop computes those with the first
    tail branch (*near*), inline (no call: its constants stay out of the loop), :data:`TAIL_GROUPS`
    groups of WIDTH listed samples at a time (loaded and stored by index), so the tail branch, about
    15 % of the values, is not paid for a whole group whenever one lane needs it. A chunk with a
    lane beyond that branch (p < 1.4e-11, rare) runs its tail samples again through ``@ppnd16t``,
    which calls the scalar ``@ppnd16`` for such lanes. Each value is a function of its word alone.
    """
    starts = ["%i"] + [f"%j{g}" for g in range(1, GROUPS)]
    clip = []
    for g in range(1, GROUPS):  # group g at i + g·WIDTH, moved back to stay inside the chunk
        clip += [
            f"  %jr{g} = add i64 %i, {g * WIDTH}",
            f"  %jo{g} = icmp sgt i64 %jr{g}, %e8",
            f"  %j{g} = select i1 %jo{g}, i64 %e8, i64 %jr{g}",
        ]
    computed = [_central_group(f"g{g}_", starts[g], centre) for g in range(GROUPS)]
    first = clip + [line for lines in zip(*(c[0] for c in computed), strict=True) for line in lines]
    count = "%c"
    for g in range(GROUPS):
        lines, count = _listing(f"l{g}_", starts[g], computed[g][1], count)
        first += lines
    declared: set[str] = set()

    def gathered(ir: VectorIR, slot: str) -> tuple[str, list[str]]:
        """The probabilities of the WIDTH listed samples at *slot* and their indices (scalar loads:
        no vector of pointers to take apart)."""
        indices, words = [], "undef"
        for k in range(WIDTH):
            indices.append(ir.op(f"load i64, i64* {ir.op(f'getelementptr i64, i64* {slot}, i64 {k}')}"))
            word = ir.op(f"load i64, i64* {ir.op(f'getelementptr i64, i64* %W, i64 {indices[-1]}')}")
            words = ir.op(f"insertelement {IVEC} {words}, i64 {word}, i64 {k}")
        p = ir.binary("fadd", "%av", ir.binary("fmul", ir.words_to_unit(words), "%bv"))
        return p, indices

    def scatter(z: str, to: list[str]) -> str:
        lines = []
        for k, index in enumerate(to):
            lines += [
                f"  %{z[1:]}.x{k} = extractelement {VEC} {z}, i64 {k}",
                f"  %{z[1:]}.p{k} = getelementptr double, double* %Z, i64 {index}",
                f"  store double %{z[1:]}.x{k}, double* %{z[1:]}.p{k}",
            ]
        return "\n".join(lines)

    # the fast tail pass: the first tail branch inline (no call: its constants stay out of the
    # loop), TAIL_GROUPS groups interleaved; a lane beyond it (p < 1.4e-11) is only noted
    tails, stores, far = [], [], "%far"
    for g in range(TAIL_GROUPS):
        ir = VectorIR()
        slot = ir.op(f"getelementptr i64, i64* %tslot, i64 {g * WIDTH}")
        p, to = gathered(ir, slot)
        signed, small, r = _tail_lines(ir, p, near)
        beyond = ir.op(
            f"bitcast <{WIDTH} x i1> {ir.op(f'xor <{WIDTH} x i1> {_near_ok(ir, small, r)}, {_EVERY}')} to i{WIDTH}"
        )
        declared |= ir.declared
        prefix = f"q{g}_"
        tails.append(_renamed(ir.lines, prefix))
        stores.append(scatter(signed.replace("%t", f"%{prefix}"), [i.replace("%t", f"%{prefix}") for i in to]))
        stores.append(f"  %far{g} = or i{WIDTH} {far}, {beyond.replace('%t', f'%{prefix}')}")
        far = f"%far{g}"
    second = [line for lines in zip(*tails, strict=True) for line in lines] + stores
    # the slow one, for a chunk with a lane beyond: @ppnd16t (the scalar @ppnd16 for those lanes)
    ir = VectorIR()
    p, to = gathered(ir, "%sslot")
    z = ir.op(f"call {VEC} @ppnd16t({VEC} {p})")
    slow = [*ir.lines, scatter(z, to)]
    declared |= ir.declared | {
        f"declare {VEC} @llvm.fabs.v{WIDTH}f64({VEC})",
        "declare i8 @llvm.ctpop.i8(i8)",
    }
    table = ", ".join(f"i64 {v - 2**64 if v >= 2**63 else v}" for v in lane_table())
    text = f"""define internal void @zrow(i64* %W, i64 %n, double* %Z, double %a, double %b) {{
entry:
  %T = alloca i64, i64 {CHUNK + 4 * GROUPS * WIDTH + TAIL_GROUPS * WIDTH}
  %a0 = insertelement {VEC} undef, double %a, i64 0
  %av = shufflevector {VEC} %a0, {VEC} undef, <{WIDTH} x i32> zeroinitializer
  %b0 = insertelement {VEC} undef, double %b, i64 0
  %bv = shufflevector {VEC} %b0, {VEC} undef, <{WIDTH} x i32> zeroinitializer
  br label %chunk
chunk:
  %s0 = phi i64 [0, %entry], [%e, %tailsdone]
  %e1 = add i64 %s0, {CHUNK}
  %long = icmp slt i64 %e1, %n
  %e = select i1 %long, i64 %e1, i64 %n
  %e8 = sub i64 %e, {WIDTH}
  %short = icmp slt i64 %e8, %s0
  %s = select i1 %short, i64 %e8, i64 %s0
  br label %loop
loop:
  %i = phi i64 [%s, %chunk], [%i.next, %loop]
  %c = phi i64 [0, %chunk], [{count}, %loop]
{chr(10).join(first)}
  %step = add i64 %i, {GROUPS * WIDTH}
  %more = icmp slt i64 %step, %e
  %over = icmp sgt i64 %step, %e8
  %i.next = select i1 %over, i64 %e8, i64 %step
  br i1 %more, label %loop, label %tails
tails:
  %ac = phi i64 [{count}, %loop]
  %none = icmp eq i64 %ac, 0
  br i1 %none, label %tailsdone, label %pad
pad:
  %tl = getelementptr i64, i64* %T, i64 %ac
  %tlp = getelementptr i64, i64* %tl, i64 -1
  %tlv = load i64, i64* %tlp
{chr(10).join(f"  %tq{k} = getelementptr i64, i64* %tl, i64 {k}{chr(10)}  store i64 %tlv, i64* %tq{k}" for k in range(TAIL_GROUPS * WIDTH))}
  br label %tloop
tloop:
  %ti = phi i64 [0, %pad], [%ti.next, %tloop]
  %far = phi i{WIDTH} [0, %pad], [{far}, %tloop]
  %tslot = getelementptr i64, i64* %T, i64 %ti
{chr(10).join(second)}
  %ti.next = add i64 %ti, {TAIL_GROUPS * WIDTH}
  %ti.more = icmp slt i64 %ti.next, %ac
  br i1 %ti.more, label %tloop, label %tcheck
tcheck:
  %anyfar = icmp ne i{WIDTH} {far}, 0
  br i1 %anyfar, label %sloop, label %tailsdone
sloop:
  %si = phi i64 [0, %tcheck], [%si.next, %sloop]
  %sslot = getelementptr i64, i64* %T, i64 %si
{chr(10).join(slow)}
  %si.next = add i64 %si, {WIDTH}
  %si.more = icmp slt i64 %si.next, %ac
  br i1 %si.more, label %sloop, label %tailsdone
tailsdone:
  %all = icmp sge i64 %e, %n
  br i1 %all, label %done, label %chunk
done:
  ret void
}}
@zrow.lanes = internal unnamed_addr constant [256 x i64] [{table}], align 8"""
    return text, declared


def _tail_lines(ir: VectorIR, p: str, near: tuple[tuple[float, ...], tuple[float, ...]]) -> tuple[str, str, str]:
    """Emit AS 241's first tail branch at *p* (vector ``log``): (its signed value, ``min(p, 1 − p)``, ``r``)."""
    q = ir.binary("fsub", p, literal(0.5))
    small = ir.select(ir.compare("ogt", q, literal(0.0)), ir.binary("fsub", literal(1.0), p), p)
    r = ir.call("llvm.sqrt.f64", ir.neg(log_lines(ir, small)))
    rn = ir.binary("fsub", r, literal(1.6))
    x = ir.binary("fdiv", _horner(ir, near[0], rn), _horner(ir, near[1], rn))
    return ir.select(ir.compare("olt", q, literal(0.0)), ir.neg(x), x), small, r


def _near_ok(ir: VectorIR, small: str, r: str) -> str:
    """The lanes the first tail branch serves: ``r ≤ 5`` and ``min(p, 1 − p)`` normal."""
    normal = ir.compare("oge", small, literal(2.2250738585072014e-308))
    return ir.op(f"and <{WIDTH} x i1> {ir.compare('ole', r, literal(5.0))}, {normal}")


def ppnd16t_ir(near: tuple[tuple[float, ...], tuple[float, ...]]) -> tuple[str, set[str]]:
    """``define internal <8 x double> @ppnd16t(<8 x double> %p)``: AS 241 for WIDTH probabilities all outside the centre.

    AS 241's tails only (``@zrow`` lists the tail samples apart): the first tail branch in vector
    form (``r = sqrt(−log min(p, 1 − p)) ≤ 5``, p down to about 1.4e-11), the scalar ``@ppnd16`` for
    a lane beyond it or with ``min(p, 1 − p)`` zero or subnormal.
    """
    ir = VectorIR()
    signed, small, r = _tail_lines(ir, "%p", near)
    fine = _near_ok(ir, small, r)
    all_fine = ir.all_true(fine)
    scalar = ir.op(f"xor <{WIDTH} x i1> {fine}, {_EVERY}")
    lines = [
        f"define internal {VEC} @ppnd16t({VEC} %p) {{",
        "entry:",
        *ir.lines,
        f"  br i1 {all_fine}, label %near, label %far",
        "near:",
        f"  ret {VEC} {signed}",
        "far:",
        *_lanes("lane", signed, scalar, "%p", "ppnd16", block="far"),
        "}",
    ]
    return "\n".join(lines), ir.declared


def expv_ir() -> tuple[str, set[str]]:
    """``define internal <8 x double> @expv(<8 x double> %x)`` (fdlibm's method, see the module docstring)."""
    ir = VectorIR()
    value, inside = exp_lines(ir, "%x")
    everywhere = ir.all_true(inside)
    outside = ir.op(f"xor <{WIDTH} x i1> {inside}, {_EVERY}")
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


def exp_lines(ir: VectorIR, x: str) -> tuple[str, str]:
    """Emit ``exp(x)`` for WIDTH values (fdlibm's method): (the value, the lanes ``|x| ≤ EXP_RANGE``
    where it is right; the others need libm's ``exp``)."""
    inside = ir.compare("ole", ir.call("llvm.fabs.f64", x), literal(EXP_RANGE))
    # k = nearest integer to x / ln 2: adding 1.5·2⁵² rounds it (to even) into the low significand bits
    shifted = ir.binary("fadd", ir.binary("fmul", x, literal(_INV_LN2)), literal(1.5 * 2.0**52))
    k = ir.binary("fsub", shifted, literal(1.5 * 2.0**52))
    hi = ir.binary("fsub", x, ir.binary("fmul", k, literal(_LN2_HI)))
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
    return ir.binary("fmul", y, ir.op(f"bitcast {IVEC} {scale} to {VEC}")), inside


_SCALAR_LOGIC = re.compile(r"(and|or|xor) i1 (\S+), (\S+)")


def _mask(operand: str) -> str:
    """An i1 operand as a ``<WIDTH x i1>`` one (``true``/``false`` repeated in every lane)."""
    return {"true": f"<{', '.join(['i1 true'] * WIDTH)}>", "false": "zeroinitializer"}.get(operand, operand)


class KernelVectorWriter(VectorIR):
    """The kernel's writer (see :class:`cathode_lca.uncertainty.kernel._Writer`) for WIDTH samples at a time.

    The scalar instructions the kernel builder writes itself (``and``/``or``/``xor`` of i1,
    ``fneg double``) become their vector forms; LLVM's math intrinsics keep their name with a vector
    type (``llvm.exp.v8f64``), so a formula's ``exp`` or ``log`` is libm's, lane by lane, as in the
    scalar kernel. Inputs and outputs are read and written WIDTH samples at a time.
    """

    def __init__(self) -> None:
        super().__init__()
        self.bad = "zeroinitializer"
        self.declared.add(f"declare i{WIDTH} @llvm.cttz.i{WIDTH}(i{WIDTH}, i1)")

    def op(self, instruction: str) -> str:
        logic = _SCALAR_LOGIC.fullmatch(instruction)
        if logic:
            instruction = f"{logic[1]} <{WIDTH} x i1> {_mask(logic[2])}, {_mask(logic[3])}"
        elif instruction.startswith("fneg double "):
            instruction = f"fneg {VEC} {splat(instruction.removeprefix('fneg double '))}"
        return super().op(instruction)

    def call(self, function: str, *args: str) -> str:
        if not re.fullmatch(r"llvm\.[a-z0-9]+\.f64", function):
            raise ValueError(f"no vector form of {function!r}")
        name = function.removesuffix(".f64") + f".v{WIDTH}f64"
        self.declared.add(f"declare {VEC} @{name}({', '.join(VEC for _ in args)})")
        return self.op(f"call {VEC} @{name}({', '.join(f'{VEC} {splat(a)}' for a in args)})")

    def _at(self, array: str, row: int) -> str:
        index = self.op(f"add i64 {self.op(f'mul i64 %n, {int(row)}')}, %i")
        return self.op(f"bitcast double* {self.op(f'getelementptr double, double* {array}, i64 {index}')} to {VEC}*")

    def draw(self, row: int) -> str:
        """Samples *i* .. *i* + WIDTH − 1 of input *row*."""
        return self.op(f"load {VEC}, {VEC}* {self._at('%D', row)}, align 8")

    def store(self, position: int, value: str) -> None:
        self.lines.append(f"  store {VEC} {splat(value)}, {VEC}* {self._at('%out', position)}, align 8")

    def loop_end(self) -> str:
        """The checks of WIDTH samples and the step to the next group (the last one overlapping, n ≥ WIDTH);
        on a failed check, the 1-based index of the first failing sample."""
        every = _mask("true")
        return f"""  %finite = fcmp ord {VEC} {splat(self.fin)}, zeroinitializer
  %good = xor <{WIDTH} x i1> {self.bad}, {every}
  %pass = and <{WIDTH} x i1> %good, %finite
  %passbits = bitcast <{WIDTH} x i1> %pass to i{WIDTH}
  %allpass = icmp eq i{WIDTH} %passbits, -1
  br i1 %allpass, label %ok, label %failed
ok:
  %step = add i64 %i, {WIDTH}
  %lastgroup = sub i64 %n, {WIDTH}
  %over = icmp sgt i64 %step, %lastgroup
  %next = select i1 %over, i64 %lastgroup, i64 %step
  %more = icmp slt i64 %step, %n
  br i1 %more, label %loop, label %exit
failed:
  %failbits = xor i{WIDTH} %passbits, -1
  %lane = call i{WIDTH} @llvm.cttz.i{WIDTH}(i{WIDTH} %failbits, i1 true)
  %lane64 = zext i{WIDTH} %lane to i64
  %first = add i64 %i, %lane64
  %which = add i64 %first, 1
  ret i64 %which
"""
