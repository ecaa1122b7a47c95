"""The draws of the compiled kernel: raw Philox words to input values, in LLVM IR.

The numpy path (:mod:`cathode_lca.uncertainty.streams`) turns each 64-bit Philox word *w* into
``u = ((w >> 11) + 0.5) · 2⁻⁵³`` in (0, 1), maps *u* onto the truncated range and applies the
inverse CDF of the input's distribution. This module writes the same steps as IR, one loop per input
over a block of samples, with every distribution constant a hex literal:

* ``lognormal`` (``exp(loc + scale·z)``, mirrored when ``negative``), ``normal``, ``uniform``,
  ``triangular`` and ``logitnormal`` (``lo + (hi − lo) / (1 + exp(−(loc + scale·z)))``, clipped);
* truncation of a bounded normal or lognormal (``p_lo + u·(p_hi − p_lo)``, the probabilities of the
  bounds computed once here, as :func:`cathode_lca.uncertainty.streams.truncation` does) and the
  clipping after it;
* ``sum`` distributions: each part is read from its own word row (the stream its ``stream`` key
  names) and the parts are added in order, as :class:`~cathode_lca.uncertainty.streams.StreamReader`
  adds them.

The standard normal quantile *z* is Wichura's algorithm AS 241, ``PPND16`` (M. J. Wichura, "The
percentage points of the normal distribution", *Applied Statistics* 37 (3), 477–484, 1988): three
rational approximations of degree 7 (the centre ``|p − 0.5| ≤ 0.425``, then ``r = sqrt(−ln min(p,
1 − p))`` up to 5 and beyond), relative error about 1e-16 down to p = 1e-316. The numpy path runs
the same algorithm with the same coefficients (:func:`cathode_lca.uncertainty.normal.ppnd16`), and
both stay within about 1e-15 of ``scipy.special.ndtri`` (Cephes; ``tests/test_kernel_draws.py``), far
inside the kernel's 1e-12 equality with the numpy path. The scalar quantile is the internal function ``@ppnd16``; the draws run eight samples at a
time (:mod:`.kernel_vector`): ``@zrow`` computes a block's quantiles of one input (the central
branch for all, the tail samples apart), a lognormal's ``exp`` runs over the block in ``@erow``,
then the rest of the inverse CDF (if any) runs over the block in place; an input of type ``sum`` gets its normal-family parts' quantiles from ``@zrow`` too, chunk by
chunk into a scratch row each, then adds its parts in order.

Examples
--------
>>> total = {"type": "sum", "parts": [{"type": "uniform", "minimum": 0.0, "maximum": 1.0, "stream": "b"}] * 2}
>>> rows, declared, functions = draw_rows([("a", {"type": "normal", "loc": 1.0, "scale": 0.1}), ("t", total)])
>>> rows  # one word row per input, one per part of a sum
('a', 'b', 'b')
>>> [f.splitlines()[0].split("(")[0] for f in functions]
['define internal double @ppnd16', 'define internal <8 x double> @ppnd16t', 'define internal void @zrow', 'define internal void @erow', 'define internal <8 x double> @expv', 'define void @philox', 'define void @draws']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .kernel_philox import _PHILOX_M as _PHILOX_M  # the Philox pieces live in .kernel_philox (re-exported)
from .kernel_philox import _PHILOX_W as _PHILOX_W
from .kernel_philox import _signed as _signed
from .kernel_philox import philox_ir
from .kernel_philox import philox_keys as philox_keys
from .kernel_source import IR, KernelUnsupported, literal
from .normal import _CENTRE_DEN, _CENTRE_NUM, _FAR_DEN, _FAR_NUM, _NEAR_DEN, _NEAR_NUM

if TYPE_CHECKING:
    from .kernel_vector import VectorIR

EPS = literal(2.0**-53)


def _horner(ir: IR, coefficients: tuple[float, ...], r: str) -> str:
    """((c0·r + c1)·r + c2)… in this order (no fused multiply-add)."""
    value = literal(coefficients[0])
    for c in coefficients[1:]:
        value = ir.binary("fadd", ir.binary("fmul", value, r), literal(c))
    return value


def ppnd16_ir() -> str:
    """``define internal double @ppnd16(double %p)``: the standard normal quantile (AS 241), for 0 < p ≤ 1.

    At p = 1 it returns +inf, as ``ndtri``: the largest word, ``2**64 − 1``, gives u = 1 − 2⁻⁵⁴, which
    rounds to 1 (a failing check then sends the block to the numpy path, which reports it).
    """
    centre, near, far = IR(), IR(), IR()
    q_r = centre.binary("fsub", literal(0.180625), centre.binary("fmul", "%q", "%q"))
    c_num = centre.binary("fmul", _horner(centre, _CENTRE_NUM, q_r), "%q")
    c_val = centre.binary("fdiv", c_num, _horner(centre, _CENTRE_DEN, q_r))
    rn = near.binary("fsub", "%r", literal(1.6))
    n_val = near.binary("fdiv", _horner(near, _NEAR_NUM, rn), _horner(near, _NEAR_DEN, rn))
    rf = far.binary("fsub", "%r", literal(5.0))
    f_val = far.binary("fdiv", _horner(far, _FAR_NUM, rf), _horner(far, _FAR_DEN, rf))

    def renamed(ir: IR, prefix: str) -> str:  # each block gets its own register names
        return "\n".join(line.replace("%t", f"%{prefix}") for line in ir.lines)

    return f"""define internal double @ppnd16(double %p) {{
entry:
  %q = fsub double %p, {literal(0.5)}
  %aq = call double @llvm.fabs.f64(double %q)
  %central = fcmp ole double %aq, {literal(0.425)}
  br i1 %central, label %centre, label %tail
centre:
{renamed(centre, "c")}
  ret double {c_val.replace("%t", "%c")}
tail:
  %upper = fcmp ogt double %q, {literal(0.0)}
  %pc = fsub double {literal(1.0)}, %p
  %small = select i1 %upper, double %pc, double %p
  %lg = call double @llvm.log.f64(double %small)
  %nlg = fneg double %lg
  %r = call double @llvm.sqrt.f64(double %nlg)
  %isnear = fcmp ole double %r, {literal(5.0)}
  br i1 %isnear, label %near, label %far
near:
{renamed(near, "n")}
  br label %sign
far:
{renamed(far, "f")}
  br label %sign
sign:
  %x = phi double [{n_val.replace("%t", "%n")}, %near], [{f_val.replace("%t", "%f")}, %far]
  %edge = fcmp oeq double %small, {literal(0.0)}
  %xe = select i1 %edge, double 0x7FF0000000000000, double %x
  %negative = fcmp olt double %q, {literal(0.0)}
  %nx = fneg double %xe
  %z = select i1 %negative, double %nx, double %xe
  ret double %z
}}"""


PPND16_DECLARATIONS = (
    "declare double @llvm.fabs.f64(double)",
    "declare double @llvm.log.f64(double)",
    "declare double @llvm.sqrt.f64(double)",
)


def _clip(ir: IR, x: str, lo: float | None, hi: float | None) -> str:
    """``np.clip(x, lo, hi)``: NaN-propagating maximum with *lo*, then minimum with *hi* (a missing bound is ±inf)."""
    if lo is not None:
        x = ir.extreme(x, literal(float(lo)), lower=False)
    if hi is not None:
        x = ir.extreme(x, literal(float(hi)), lower=True)
    return x


def truncated(dist: dict[str, Any]) -> tuple[float, float] | None:
    """``(F(lo), F(hi) − F(lo))`` of a bounded normal or lognormal whose words are mapped onto its range, else None."""
    from .streams import truncation

    lo: Any = dist.get("minimum")
    hi: Any = dist.get("maximum")
    if dist["type"] in ("normal", "lognormal") and (lo is not None or hi is not None):
        probabilities = truncation(dist, lo, hi)
        if probabilities is not None:
            return probabilities[0], probabilities[1] - probabilities[0]
    return None


def quantile(ir: IR, dist: dict[str, Any], u: str, z: str | None = None) -> str:
    """Emit the inverse CDF of the normalised distribution *dist* at the probability in register *u*.

    The same operations, in the same order, as :func:`cathode_lca.uncertainty.streams.ppf`
    (except the normal quantile, AS 241 here and Cephes there). *z*, when given, is the standard
    normal quantile already computed (by ``@zrow``), truncation included, and *u* is not used.
    """
    kind = dist["type"]
    lo: Any = dist.get("minimum")
    hi: Any = dist.get("maximum")
    bounded = kind in ("normal", "lognormal") and (lo is not None or hi is not None)
    mapping = truncated(dist)
    if mapping is not None and z is None:
        u = ir.binary("fadd", literal(mapping[0]), ir.binary("fmul", u, literal(mapping[1])))
    if kind in ("normal", "lognormal", "logitnormal"):
        z = ir.call("ppnd16", u) if z is None else z
        y = ir.binary("fadd", literal(dist["loc"]), ir.binary("fmul", literal(dist["scale"]), z))
        if kind == "normal":
            x = y
        elif kind == "lognormal":
            x = ir.call("llvm.exp.f64", y)
            if dist.get("negative"):
                x = ir.neg(x)
        else:  # logitnormal: expit(y) = 1 / (1 + exp(-y)), as scipy.special.expit
            e = ir.call("llvm.exp.f64", ir.neg(y))
            s = ir.binary("fdiv", literal(1.0), ir.binary("fadd", literal(1.0), e))
            x = ir.binary("fadd", literal(lo), ir.binary("fmul", literal(hi - lo), s))
            return _clip(ir, x, lo, hi)
        return _clip(ir, x, lo, hi) if bounded else x
    if kind == "uniform":
        return ir.binary("fadd", literal(lo), ir.binary("fmul", u, literal(hi - lo)))
    if kind == "triangular":
        mode = dist["loc"]
        width, left, right = hi - lo, mode - lo, hi - mode
        c = (mode - lo) / (hi - lo)
        below = ir.call("llvm.sqrt.f64", ir.binary("fmul", ir.binary("fmul", u, literal(width)), literal(left)))
        rest = ir.binary("fsub", literal(1.0), u)
        above = ir.call("llvm.sqrt.f64", ir.binary("fmul", ir.binary("fmul", rest, literal(width)), literal(right)))
        return ir.select(
            ir.compare("olt", u, literal(c)),
            ir.binary("fadd", literal(lo), below),
            ir.binary("fsub", literal(hi), above),
        )
    raise KernelUnsupported(f"distribution type {kind!r}")


def _sum_rows(ir: VectorIR, j: int, parts: list[tuple[str, dict[str, Any]]], rows: list[str]) -> None:
    """IR for input *j*, a ``sum`` of *parts*, chunk by chunk (:data:`~.kernel_vector.CHUNK` samples,
    the last chunk moved back to stay whole): ``@zrow`` computes each normal-family part's
    quantiles into its own chunk of the scratch ``%S`` (so a tail sample no longer makes a whole
    group pay for the tail branch), then a loop adds the parts' values in order, WIDTH at a time
    (the last group overlapping: it stores, so computing it twice changes nothing); a part of
    another type reads its words in that loop. Appends the parts' streams to *rows*."""
    from .kernel_vector import CHUNK, IVEC, VEC, WIDTH

    first = len(rows)
    rows.extend(stream for stream, _ in parts)
    ir.lines += [
        f"  br label %sc{j}",
        f"sc{j}:",
        f"  %c{j} = phi i64 [0, %in{j}], [%c{j}.end, %sd{j}]",
        f"  %c{j}.far = add i64 %c{j}, {CHUNK}",
        f"  %c{j}.long = icmp slt i64 %c{j}.far, %n",
        f"  %c{j}.end = select i1 %c{j}.long, i64 %c{j}.far, i64 %n",
        f"  %c{j}.back = sub i64 %c{j}.end, {WIDTH}",
        f"  %c{j}.short = icmp slt i64 %c{j}.back, %c{j}",
        f"  %c{j}.start = select i1 %c{j}.short, i64 %c{j}.back, i64 %c{j}",
        f"  %c{j}.len = sub i64 %c{j}.end, %c{j}.start",
        f"  %c{j}.last = sub i64 %c{j}.len, {WIDTH}",
    ]
    quantiles = {k for k, (_, part) in enumerate(parts) if part["type"] in ("normal", "lognormal", "logitnormal")}
    for k in sorted(quantiles):
        a, b = truncated(parts[k][1]) or (0.0, 1.0)
        offset = ir.op(f"add i64 {ir.op(f'mul i64 %n, {first + k}')}, %c{j}.start")
        row = ir.op(f"getelementptr i64, i64* %W, i64 {offset}")
        into = ir.op(f"getelementptr double, double* %S, i64 {k * CHUNK}")
        ir.lines.append(
            f"  call void @zrow(i64* {row}, i64 %c{j}.len, double* {into}, double {literal(a)}, double {literal(b)})"
        )
    ir.lines += [f"  br label %sl{j}", f"sl{j}:", f"  %s{j} = phi i64 [0, %sc{j}], [%s{j}.next, %sl{j}]"]
    total = literal(0.0)
    for k, (_, part) in enumerate(parts):
        if k in quantiles:
            at = ir.op(f"getelementptr double, double* %S, i64 {ir.op(f'add i64 %s{j}, {k * CHUNK}')}")
            z = ir.op(f"load {VEC}, {VEC}* {ir.op(f'bitcast double* {at} to {VEC}*')}, align 8")
            value = quantile(ir, part, "", z=z)
        else:
            index = ir.op(f"add i64 {ir.op(f'mul i64 %n, {first + k}')}, {ir.op(f'add i64 %c{j}.start, %s{j}')}")
            at = ir.op(f"bitcast i64* {ir.op(f'getelementptr i64, i64* %W, i64 {index}')} to {IVEC}*")
            value = quantile(ir, part, ir.words_to_unit(ir.op(f"load {IVEC}, {IVEC}* {at}, align 8")))
        total = value if k == 0 else ir.binary("fadd", total, value)
    index = ir.op(f"add i64 {ir.op(f'mul i64 %n, {j}')}, {ir.op(f'add i64 %c{j}.start, %s{j}')}")
    at = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* %D, i64 {index}')} to {VEC}*")
    ir.lines += [
        f"  store {VEC} {total}, {VEC}* {at}, align 8",
        f"  %s{j}.step = add i64 %s{j}, {WIDTH}",
        f"  %s{j}.more = icmp slt i64 %s{j}.step, %c{j}.len",
        f"  %s{j}.over = icmp sgt i64 %s{j}.step, %c{j}.last",
        f"  %s{j}.next = select i1 %s{j}.over, i64 %c{j}.last, i64 %s{j}.step",
        f"  br i1 %s{j}.more, label %sl{j}, label %sd{j}",
        f"sd{j}:",
        f"  %c{j}.all = icmp sge i64 %c{j}.end, %n",
        f"  br i1 %c{j}.all, label %in{j + 1}, label %sc{j}",
        f"in{j + 1}:",
    ]


def _finish(ir: IR, dist: dict[str, Any], z: str, exponentiated: bool) -> str:
    """The rest of the inverse CDF from the quantile *z*; when *exponentiated*, *z* is already a
    lognormal's ``exp(loc + scale·z)`` (``@erow``) and only its sign and bounds remain."""
    if not exponentiated:
        return quantile(ir, dist, "", z=z)
    x = ir.neg(z) if dist.get("negative") else z
    return _clip(ir, x, dist.get("minimum"), dist.get("maximum"))


def erow_ir() -> tuple[str, set[str]]:
    """``define internal void @erow(double* Z, i64 n, double loc, double scale)``: ``Z[i] = exp(loc + scale·Z[i])``.

    For n ≥ WIDTH, in place: a lognormal input's values from the quantiles ``@zrow`` wrote. Two
    groups of WIDTH per iteration, ``exp`` inline and interleaved (a call of ``@expv`` per group
    rematerialised its constants each time, and its chain of dependent operations stayed
    exposed); the lanes outside ``|x| ≤ EXP_RANGE`` take libm's ``exp`` as in ``@expv``. Then one
    group through ``@expv`` if WIDTH or more samples remain, and the last WIDTH samples from the
    quantiles read before the loop (a value computed twice is the same value).
    """
    from .kernel_vector import _EVERY, VEC, WIDTH, VectorIR, _lanes, _renamed, exp_lines

    declared: set[str] = {"declare double @llvm.exp.f64(double)"}
    parts: list[tuple[list[str], str, str, str, str]] = []
    for g in range(2):
        ir = VectorIR()
        at = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* %Z, i64 %j{g}')} to {VEC}*")
        y = ir.binary("fadd", "%lv", ir.binary("fmul", "%sv", ir.op(f"load {VEC}, {VEC}* {at}, align 8")))
        value, inside = exp_lines(ir, y)
        outside = ir.op(f"xor <{WIDTH} x i1> {inside}, {_EVERY}")
        declared |= ir.declared
        at, y, value, outside = (v.replace("%t", f"%e{g}_") for v in (at, y, value, outside))
        parts.append((_renamed(ir.lines, f"e{g}_"), at, y, value, outside))
    (lines_a, at_a, y_a, value_a, out_a), (lines_b, at_b, y_b, value_b, out_b) = parts
    last = f"%lb{WIDTH - 1}"
    text = f"""define internal void @erow(double* %Z, i64 %n, double %loc, double %scale) {{
entry:
  %l0 = insertelement {VEC} undef, double %loc, i64 0
  %lv = shufflevector {VEC} %l0, {VEC} undef, <{WIDTH} x i32> zeroinitializer
  %s0 = insertelement {VEC} undef, double %scale, i64 0
  %sv = shufflevector {VEC} %s0, {VEC} undef, <{WIDTH} x i32> zeroinitializer
  %last = sub i64 %n, {WIDTH}
  %lastp = getelementptr double, double* %Z, i64 %last
  %lastv = bitcast double* %lastp to {VEC}*
  %zlast = load {VEC}, {VEC}* %lastv, align 8
  %pairs = icmp sge i64 %n, {2 * WIDTH}
  br i1 %pairs, label %loop, label %single
loop:
  %j0 = phi i64 [0, %entry], [%i.next, %store]
  %j1 = add i64 %j0, {WIDTH}
{chr(10).join(line for both in zip(lines_a, lines_b, strict=True) for line in both)}
  %outside = or <{WIDTH} x i1> {out_a}, {out_b}
  %outbits = bitcast <{WIDTH} x i1> %outside to i{WIDTH}
  %fine = icmp eq i{WIDTH} %outbits, 0
  br i1 %fine, label %store, label %edge
edge:
{chr(10).join(_lanes("la", value_a, out_a, y_a, "llvm.exp.f64", block="edge", ret=False))}
{chr(10).join(_lanes("lb", value_b, out_b, y_b, "llvm.exp.f64", block=f"la{WIDTH - 1}.skip", ret=False))}
  br label %store
store:
  %va = phi {VEC} [{value_a}, %loop], [%la{WIDTH - 1}.out, {last}.skip]
  %vb = phi {VEC} [{value_b}, %loop], [{last}.out, {last}.skip]
  store {VEC} %va, {VEC}* {at_a}, align 8
  store {VEC} %vb, {VEC}* {at_b}, align 8
  %i.next = add i64 %j0, {2 * WIDTH}
  %i.end = add i64 %i.next, {2 * WIDTH}
  %more = icmp sle i64 %i.end, %n
  br i1 %more, label %loop, label %single
single:
  %si = phi i64 [0, %entry], [%i.next, %store]
  %si.end = add i64 %si, {WIDTH}
  %one = icmp sle i64 %si.end, %n
  br i1 %one, label %sone, label %rest
sone:
  %sp = getelementptr double, double* %Z, i64 %si
  %spv = bitcast double* %sp to {VEC}*
  %sz = load {VEC}, {VEC}* %spv, align 8
  %sm = fmul {VEC} %sv, %sz
  %sy = fadd {VEC} %lv, %sm
  %se = call {VEC} @expv({VEC} %sy)
  store {VEC} %se, {VEC}* %spv, align 8
  br label %rest
rest:
  %done = phi i64 [%si, %single], [%si.end, %sone]
  %partial = icmp slt i64 %done, %n
  br i1 %partial, label %lastg, label %exit
lastg:
  %lm = fmul {VEC} %sv, %zlast
  %ly = fadd {VEC} %lv, %lm
  %le = call {VEC} @expv({VEC} %ly)
  store {VEC} %le, {VEC}* %lastv, align 8
  br label %exit
exit:
  ret void
}}"""
    return text, declared


def draw_rows(inputs: list[tuple[str, dict[str, Any]]]) -> tuple[tuple[str, ...], set[str], list[str]]:
    """The word rows (stream keys, in order), the declarations and the functions (``@ppnd16``,
    ``@ppnd16t``, ``@zrow``, ``@erow``, ``@expv``, ``@philox`` and ``@draws``) for *inputs* (key,
    distribution).

    ``@draws(i64* W, i64 n, double* D)`` fills ``D[j·n + i]``, input *j* of sample *i*, from the
    words ``W[row·n + i]``; an input of type ``sum`` reads one row per part. Each input's loop
    takes WIDTH (8) samples at a time (:mod:`.kernel_vector`); the last group of a block overlaps the
    one before it (a value depends only on its words, so computing it twice changes nothing), and
    a block of fewer than WIDTH samples is padded with copies of its last sample's words.
    """
    from .kernel_vector import CHUNK, IVEC, VEC, WIDTH, VectorIR, expv_ir, ppnd16t_ir, zrow_ir

    ir = VectorIR()
    rows: list[str] = []
    n_inputs = len(inputs)
    scratch = 0  # doubles of the parts' quantiles of a sum, one chunk each
    for j, (key, dist) in enumerate(inputs):
        parts = [(p["stream"], p) for p in dist["parts"]] if dist["type"] == "sum" else [(key, dist)]
        if dist["type"] in ("normal", "lognormal", "logitnormal"):
            # the quantiles first, for the whole block (@zrow: the tails computed apart), into D's row;
            # then the rest of the inverse CDF in place, WIDTH at a time, and the last group (overlapping)
            rows.append(key)
            a, b = truncated(dist) or (0.0, 1.0)  # 0 + u·1 is u, exactly
            row = ir.op(f"getelementptr i64, i64* %W, i64 {ir.op(f'mul i64 %n, {len(rows) - 1}')}")
            out = ir.op(f"getelementptr double, double* %D, i64 {ir.op(f'mul i64 %n, {j}')}")
            ir.lines.append(
                f"  call void @zrow(i64* {row}, i64 %n, double* {out}, double {literal(a)}, double {literal(b)})"
            )
            exponentiated = dist["type"] == "lognormal"
            if exponentiated:  # exp(loc + scale·z) over the block (@erow); the sign and bounds below
                loc, scale = literal(dist["loc"]), literal(dist["scale"])
                ir.lines.append(f"  call void @erow(double* {out}, i64 %n, double {loc}, double {scale})")
                if not dist.get("negative") and dist.get("minimum") is None and dist.get("maximum") is None:
                    ir.lines.append(f"  br label %in{j + 1}\nin{j + 1}:")
                    continue
            # the last group's quantiles, kept before the loop turns them into values in place
            tail_at = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* {out}, i64 %last')} to {VEC}*")
            z_last = ir.op(f"load {VEC}, {VEC}* {tail_at}, align 8")
            ir.lines.append(f"  br label %loop{j}\nloop{j}:")
            ir.lines.append(f"  %i{j} = phi i64 [0, %in{j}], [%i{j}.next, %loop{j}]")
            at = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* {out}, i64 %i{j}')} to {VEC}*")
            value = _finish(ir, dist, ir.op(f"load {VEC}, {VEC}* {at}, align 8"), exponentiated)
            ir.lines.append(f"  store {VEC} {value}, {VEC}* {at}, align 8")
            ir.lines.append(f"  %i{j}.next = add i64 %i{j}, {WIDTH}")
            ir.lines.append(f"  %i{j}.more = icmp slt i64 %i{j}.next, %whole")
            ir.lines.append(f"  br i1 %i{j}.more, label %loop{j}, label %end{j}\nend{j}:")
            ir.lines.append(f"  store {VEC} {_finish(ir, dist, z_last, exponentiated)}, {VEC}* {tail_at}, align 8")
            ir.lines.append(f"  br label %in{j + 1}\nin{j + 1}:")
            continue
        if any(part["type"] in ("normal", "lognormal", "logitnormal") for _, part in parts):
            scratch = max(scratch, len(parts) * CHUNK)
            _sum_rows(ir, j, parts, rows)
            continue
        ir.lines.append(f"  br label %loop{j}\nloop{j}:")
        ir.lines.append(f"  %i{j} = phi i64 [0, %in{j}], [%i{j}.next, %loop{j}]")
        total, first = literal(0.0), len(rows)
        for stream, part in parts:
            rows.append(stream)
            index = ir.op(f"add i64 {ir.op(f'mul i64 %n, {len(rows) - 1}')}, %i{j}")
            at = ir.op(f"bitcast i64* {ir.op(f'getelementptr i64, i64* %W, i64 {index}')} to {IVEC}*")
            u = ir.words_to_unit(ir.op(f"load {IVEC}, {IVEC}* {at}, align 8"))
            value = quantile(ir, part, u)
            total = value if len(rows) == first + 1 else ir.binary("fadd", total, value)
        index = ir.op(f"add i64 {ir.op(f'mul i64 %n, {j}')}, %i{j}")
        at = ir.op(f"bitcast double* {ir.op(f'getelementptr double, double* %D, i64 {index}')} to {VEC}*")
        ir.lines.append(f"  store {VEC} {total}, {VEC}* {at}, align 8")
        ir.lines.append(f"  %i{j}.step = add i64 %i{j}, {WIDTH}")
        ir.lines.append(f"  %i{j}.more = icmp slt i64 %i{j}.step, %n")
        ir.lines.append(f"  %i{j}.over = icmp sgt i64 %i{j}.step, %last")
        ir.lines.append(f"  %i{j}.next = select i1 %i{j}.over, i64 %last, i64 %i{j}.step")
        ir.lines.append(f"  br i1 %i{j}.more, label %loop{j}, label %in{j + 1}\nin{j + 1}:")
    n_rows = len(rows)
    body = f"""define void @draws(i64* %W, i64 %n, double* %D) {{
entry:
  %Wp = alloca i64, i64 {max(n_rows, 1) * WIDTH}
  %Dp = alloca double, i64 {max(n_inputs, 1) * WIDTH}
  %S = alloca double, i64 {max(scratch, 1)}
  %last = sub i64 %n, {WIDTH}
  %whole = and i64 %n, -{WIDTH}
  %few = icmp slt i64 %n, {WIDTH}
  br i1 %few, label %small, label %in0
small:
  %none = icmp eq i64 %n, 0
  br i1 %none, label %in{n_inputs}, label %pad
pad:
  %pi = phi i64 [0, %small], [%pi.next, %pad]
  %pr = udiv i64 %pi, {WIDTH}
  %pk = urem i64 %pi, {WIDTH}
  %pn = sub i64 %n, 1
  %pshort = icmp ult i64 %pk, %n
  %pkk = select i1 %pshort, i64 %pk, i64 %pn
  %prn = mul i64 %pr, %n
  %pfrom = add i64 %prn, %pkk
  %pa = getelementptr i64, i64* %W, i64 %pfrom
  %pw = load i64, i64* %pa
  %pb = getelementptr i64, i64* %Wp, i64 %pi
  store i64 %pw, i64* %pb
  %pi.next = add i64 %pi, 1
  %pmore = icmp ult i64 %pi.next, {n_rows * WIDTH}
  br i1 %pmore, label %pad, label %padded
padded:
  call void @draws(i64* %Wp, i64 {WIDTH}, double* %Dp)
  br label %back
back:
  %bi = phi i64 [0, %padded], [%bi.next, %backnext]
  %bj = udiv i64 %bi, {WIDTH}
  %bk = urem i64 %bi, {WIDTH}
  %bkeep = icmp ult i64 %bk, %n
  br i1 %bkeep, label %backcopy, label %backnext
backcopy:
  %bjn = mul i64 %bj, %n
  %bto = add i64 %bjn, %bk
  %ba = getelementptr double, double* %Dp, i64 %bi
  %bv = load double, double* %ba
  %bb = getelementptr double, double* %D, i64 %bto
  store double %bv, double* %bb
  br label %backnext
backnext:
  %bi.next = add i64 %bi, 1
  %bmore = icmp ult i64 %bi.next, {n_inputs * WIDTH}
  br i1 %bmore, label %back, label %in{n_inputs}
in0:
{chr(10).join(ir.lines)}
  ret void
}}"""
    if not n_inputs:
        body = "define void @draws(i64* %W, i64 %n, double* %D) {\nentry:\n  ret void\n}"
    ppnd16t, declared_t = ppnd16t_ir((_NEAR_NUM, _NEAR_DEN))
    zrow, declared_z = zrow_ir((_CENTRE_NUM, _CENTRE_DEN), (_NEAR_NUM, _NEAR_DEN))
    erow, declared_r = erow_ir()
    expv, declared_e = expv_ir()
    declared = {d for d in ir.declared if "@ppnd16(" not in d} | set(PPND16_DECLARATIONS)
    declared |= declared_t | declared_z | declared_r | declared_e
    return tuple(rows), declared, [ppnd16_ir(), ppnd16t, zrow, erow, expv, philox_ir(), body]


_KEEP: list[Any] = []  # JIT engines of compile_draws and compile_philox (their code must stay alive)


def _jit(source: str, optimisation: int = 2) -> Any:
    """An llvmlite MCJIT engine holding the compiled module *source* (generated IR), compiled at LLVM's
    code generation level *optimisation* (the numbers do not depend on it: strict IEEE at every level)."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    module = llvm.parse_assembly(source)
    module.verify()
    machine = llvm.Target.from_default_triple().create_target_machine(
        opt=optimisation, cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten()
    )
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    _KEEP.append(engine)
    return engine


def compile_draws(
    inputs: list[tuple[str, dict[str, Any]]], optimisation: int = 2
) -> tuple[tuple[str, ...], Callable[[np.ndarray], np.ndarray]]:
    """The draws alone, compiled: word rows and a function ``words (row, n) -> values (input, n)``.

    For tests and benchmarks (the Monte Carlo compiles them into the kernel's module).

    Examples
    --------
    >>> rows, values_of = compile_draws([("a", {"type": "uniform", "minimum": 2.0, "maximum": 4.0})])
    >>> values_of(np.array([[0, 2**63]], dtype=np.uint64)).round(6).tolist()
    [[2.0, 3.0]]
    """
    import ctypes

    rows, declared, functions = draw_rows(inputs)
    engine = _jit("\n".join(sorted(declared)) + "\n\n" + "\n\n".join(functions), optimisation)
    draws = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)(
        engine.get_function_address("draws")
    )

    def values_of(words: np.ndarray) -> np.ndarray:
        w = np.ascontiguousarray(words, dtype=np.uint64)
        if w.shape[0] != len(rows):
            raise ValueError(f"need {len(rows)} word rows, not {w.shape[0]}")
        out = np.empty((len(inputs), w.shape[1]))
        if w.shape[1]:
            draws(w.ctypes.data, w.shape[1], out.ctypes.data)
        return out

    return rows, values_of


def compile_philox(optimisation: int = 2) -> Callable[[np.ndarray, int, int], np.ndarray]:
    """``@philox`` alone, compiled: ``words(keys, start, n)`` -> uint64 (stream, n), for tests and benchmarks.

    Examples
    --------
    >>> from cathode_lca.uncertainty.streams import WordReader
    >>> words = compile_philox()
    >>> bool(np.array_equal(words(philox_keys(3, ["a"]), 5, 9), WordReader(3, ["a"], start=5).read(9)))
    True
    """
    import ctypes

    engine = _jit(philox_ir(), optimisation)
    philox = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)(
        engine.get_function_address("philox")
    )

    def words(keys: np.ndarray, start: int, n: int) -> np.ndarray:
        k = np.ascontiguousarray(keys, dtype=np.uint64)
        out = np.empty((k.shape[0], n), dtype=np.uint64)
        if n and k.shape[0]:
            philox(k.ctypes.data, start, n, k.shape[0], out.ctypes.data)
        return out

    return words
