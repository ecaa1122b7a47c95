"""Philox4x64-10 in LLVM IR: the raw 64-bit words of the Monte Carlo streams, as numpy computes them.

numpy's ``Philox`` bit generator (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy
as 1, 2, 3", SC11, 2011; the Random123 constants) turns a 256-bit counter and a 128-bit key into
four 64-bit words in ten rounds; each round multiplies two of the four words by fixed 64-bit
constants and keeps both halves of the 128-bit product. ``@philox`` writes the words of every
stream of a block of samples, word for word equal to ``random_raw`` (``tests/test_kernel_philox.py``).

The host has AVX2 but no vector 64 × 64 → 128-bit multiply. Whole blocks therefore run in groups:
``WIDTH`` consecutive counters of one stream in the lanes of a ``<WIDTH x i64>`` register, where
each 64-bit product is four 32 × 32 → 64-bit products of the word's and the constant's halves
(``mul`` of values below 2³², which the code generator emits as ``vpmuludq``) added with their
carries (the ``mulhu`` of Hacker's Delight, section 8-2), and ``SCALAR`` more counters in scalar
registers, whose ``mul i128`` is the CPU's 64 × 64 → 128 multiply (``mulx``): the two kinds use
different execution units and run side by side. The blocks at the two ends of the requested
word range (a start or an end inside a block) and the last fewer than ``WIDTH`` take the scalar
loop ``@philox_blocks``. Integer arithmetic only: every lane computes what the scalar loop
computes, so the words do not depend on which path made them.

Examples
--------
>>> source = philox_ir()
>>> [line.split("(")[0] for line in source.splitlines() if line.startswith("define")]
['define void @philox', 'define internal void @philox_blocks']
"""

from __future__ import annotations

import numpy as np

from .kernel_source import IR

# Philox4x64-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11,
# 2011; the Random123 constants), as numpy's ``Philox`` bit generator runs it
_PHILOX_M = (0xD2E7470EE14C6C93, 0xCA5A826395121157)
_PHILOX_W = (0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B)

WIDTH = 4
"""Counters (blocks of 4 words) per vector group: ``<4 x i64>``, one AVX2 register."""
SCALAR = 2
"""Blocks per group computed with scalar ``mul i128`` next to the vector lanes."""
WIDE = (16, 0)
"""(width, scalar) on a CPU with AVX-512: ``<16 x i64>`` is two 512-bit registers a word, and scalar blocks
beside them only slowed the group down (AMD Zen 5, 204 streams × 256 samples, O0 / O2: 0.24 / 0.22 µs a
sample against 0.61 / 0.41 with 4 + 2; 32 lanes 0.27 / 0.19; 2026-12-01). The words are the same either way."""


def host_lanes() -> tuple[int, int]:
    """(width, scalar) of the groups for this CPU: :data:`WIDE` with AVX-512, else (:data:`WIDTH`, :data:`SCALAR`).

    >>> host_lanes() in ((WIDTH, SCALAR), WIDE)
    True
    """
    try:
        import llvmlite.binding as llvm

        wide = bool(llvm.get_host_cpu_features().get("avx512f"))
    except (ImportError, RuntimeError):  # no compiler, or no feature list: the AVX2 layout (correct anywhere)
        wide = False
    return WIDE if wide else (WIDTH, SCALAR)


_LOW = 0xFFFFFFFF


def _signed(value: int) -> int:
    """A 64-bit word as LLVM writes an i64 constant (two's complement, signed decimal)."""
    return value - 2**64 if value >= 2**63 else value


def _splat(width: int, value: int) -> str:
    """A ``<width x i64>`` constant with every lane *value*."""
    return f"<{', '.join([f'i64 {_signed(value)}'] * width)}>"


def _mulhilo(ir: IR, width: int, x: str, m: int) -> tuple[str, str]:
    """High and low 64 bits of ``x · m`` per lane, from four 32 × 32 → 64-bit products.

    ``u = lh + (ll >> 32)`` and ``v = hl + (u & 0xFFFFFFFF)`` cannot overflow; the product is
    ``(hh + (u >> 32) + (v >> 32)) · 2⁶⁴ + (v & 0xFFFFFFFF) · 2³² + (ll & 0xFFFFFFFF)``.
    """
    t = f"<{width} x i64>"
    mask, s32 = _splat(width, _LOW), _splat(width, 32)
    xl = ir.op(f"and {t} {x}, {mask}")
    xh = ir.op(f"lshr {t} {x}, {s32}")
    ll = ir.op(f"mul {t} {xl}, {_splat(width, m & _LOW)}")
    lh = ir.op(f"mul {t} {xl}, {_splat(width, m >> 32)}")
    hl = ir.op(f"mul {t} {xh}, {_splat(width, m & _LOW)}")
    hh = ir.op(f"mul {t} {xh}, {_splat(width, m >> 32)}")
    u = ir.op(f"add {t} {lh}, {ir.op(f'lshr {t} {ll}, {s32}')}")
    v = ir.op(f"add {t} {hl}, {ir.op(f'and {t} {u}, {mask}')}")
    carried = ir.op(f"add {t} {hh}, {ir.op(f'lshr {t} {u}, {s32}')}")
    hi = ir.op(f"add {t} {carried}, {ir.op(f'lshr {t} {v}, {s32}')}")
    lo = ir.op(f"or {t} {ir.op(f'shl {t} {v}, {s32}')}, {ir.op(f'and {t} {ll}, {mask}')}")
    return hi, lo


def _round_keys(ir: IR, k0: str, k1: str) -> list[tuple[str, str]]:
    """The ten rounds' keys: the key, then bumped by the Weyl constants each round."""
    keys = [(k0, k1)]
    for _ in range(9):
        k0 = ir.op(f"add i64 {k0}, {_signed(_PHILOX_W[0])}")
        k1 = ir.op(f"add i64 {k1}, {_signed(_PHILOX_W[1])}")
        keys.append((k0, k1))
    return keys


def _scalar_round(ir: IR, x: list[str], k0: str, k1: str) -> list[str]:
    """One Philox round of one block (four i64 words), the 128-bit products as ``mul i128``."""
    p0 = ir.op(f"mul i128 {ir.op(f'zext i64 {x[0]} to i128')}, {_PHILOX_M[0]}")
    p1 = ir.op(f"mul i128 {ir.op(f'zext i64 {x[2]} to i128')}, {_PHILOX_M[1]}")
    hi0 = ir.op(f"trunc i128 {ir.op(f'lshr i128 {p0}, 64')} to i64")
    lo0 = ir.op(f"trunc i128 {p0} to i64")
    hi1 = ir.op(f"trunc i128 {ir.op(f'lshr i128 {p1}, 64')} to i64")
    lo1 = ir.op(f"trunc i128 {p1} to i64")
    return [
        ir.op(f"xor i64 {ir.op(f'xor i64 {hi1}, {x[1]}')}, {k0}"),
        lo1,
        ir.op(f"xor i64 {ir.op(f'xor i64 {hi0}, {x[3]}')}, {k1}"),
        lo0,
    ]


def _scalar_rounds(ir: IR, x: list[str], keys: list[tuple[str, str]]) -> list[str]:
    """Ten Philox rounds of one block."""
    for k0, k1 in keys:
        x = _scalar_round(ir, x, k0, k1)
    return x


def _scalar_blocks() -> str:
    """``@philox_blocks``: blocks ``from .. to-1`` of one stream, each word stored if inside the range."""
    ir = IR()
    x = _scalar_rounds(ir, ["%x0", "%x1", "%x2", "%x3"], _round_keys(ir, "%k0", "%k1"))
    for j, word in enumerate(x):
        i = ir.op(f"sub i64 {ir.op(f'add i64 %base, {j}')}, %start")
        inside = ir.op(f"icmp ult i64 {i}, %n")
        at = ir.op(f"getelementptr i64, i64* %Wr, i64 {i}")
        ir.lines.append(f"  store i64 {word}, i64* {ir.op(f'select i1 {inside}, i64* {at}, i64* %scratch')}")
    body = "\n".join(ir.lines)
    return f"""define internal void @philox_blocks(i64 %k0, i64 %k1, i64* %C, i64 %from, i64 %to, i64 %start, i64 %n, \
i64* %Wr) {{
entry:
  %scratch = alloca i64
  %cp = bitcast i64* %C to i256*
  %counter0 = load i256, i256* %cp, align 8
  %any = icmp ult i64 %from, %to
  br i1 %any, label %group, label %done
group:
  %g = phi i64 [%from, %entry], [%g.next, %group]
  %g1w = zext i64 %g to i256
  %counter1 = add i256 %counter0, %g1w
  %counter = add i256 %counter1, 1
  %x0 = trunc i256 %counter to i64
  %s1 = lshr i256 %counter, 64
  %x1 = trunc i256 %s1 to i64
  %s2 = lshr i256 %counter, 128
  %x2 = trunc i256 %s2 to i64
  %s3 = lshr i256 %counter, 192
  %x3 = trunc i256 %s3 to i64
  %base = mul i64 %g, 4
{body}
  %g.next = add i64 %g, 1
  %more = icmp ult i64 %g.next, %to
  br i1 %more, label %group, label %done
done:
  ret void
}}"""


def _splat_of(ir: IR, width: int, value: str) -> str:
    """A ``<width x i64>`` register with every lane the i64 *value*."""
    t = f"<{width} x i64>"
    one = ir.op(f"insertelement {t} undef, i64 {value}, i32 0")
    return ir.op(f"shufflevector {t} {one}, {t} undef, <{width} x i32> zeroinitializer")


def _group(
    ir: IR, width: int, scalar: int, keys: list[tuple[str, str]], splats: list[tuple[str, str]], tag: str
) -> None:
    """One group of *width* + *scalar* whole blocks: the first *width* in vector lanes, the rest scalar.

    The scalar blocks keep the integer multiplier busy while the vector units run the lanes. The
    group starts at block ``%g.{tag}`` (counter ``%counter.{tag}``), its words go to ``%at.{tag}``.
    """
    t = f"<{width} x i64>"
    # counter + g + 1 + lane, carried through the four words as the i256 addition carries
    b = [
        _splat_of(ir, width, ir.op(f"trunc i256 {ir.op(f'lshr i256 %counter.{tag}, {64 * j}')} to i64"))
        for j in range(4)
    ]
    x = [ir.op(f"add {t} {b[0]}, <{', '.join(f'i64 {lane}' for lane in range(width))}>")]
    carry = ir.op(f"zext <{width} x i1> {ir.op(f'icmp ult {t} {x[0]}, {b[0]}')} to {t}")
    for j in (1, 2, 3):
        x.append(ir.op(f"add {t} {b[j]}, {carry}"))
        if j < 3:
            carry = ir.op(f"zext <{width} x i1> {ir.op(f'icmp ult {t} {x[j]}, {carry}')} to {t}")
    for k0, k1 in splats:
        hi0, lo0 = _mulhilo(ir, width, x[0], _PHILOX_M[0])
        hi1, lo1 = _mulhilo(ir, width, x[2], _PHILOX_M[1])
        x = [
            ir.op(f"xor {t} {ir.op(f'xor {t} {hi1}, {x[1]}')}, {k0}"),
            lo1,
            ir.op(f"xor {t} {ir.op(f'xor {t} {hi0}, {x[3]}')}, {k1}"),
            lo0,
        ]
    # lane l is block g + l: its words 0..3 go to 4(g + l) .. 4(g + l) + 3
    both = f"<{2 * width} x i32> <{', '.join(f'i32 {i}' for i in range(2 * width))}>"
    low, high = (ir.op(f"shufflevector {t} {x[j]}, {t} {x[j + 1]}, {both}") for j in (0, 2))
    order = ", ".join(f"i32 {j * width + lane}" for lane in range(width) for j in range(4))
    words = ir.op(f"shufflevector <{2 * width} x i64> {low}, <{2 * width} x i64> {high}, <{4 * width} x i32> <{order}>")
    out = ir.op(f"bitcast i64* %at.{tag} to <{4 * width} x i64>*")
    ir.lines.append(f"  store <{4 * width} x i64> {words}, <{4 * width} x i64>* {out}, align 8")
    for block in range(width, width + scalar):
        counter = ir.op(f"add i256 %counter.{tag}, {block}")
        parts = [ir.op(f"trunc i256 {ir.op(f'lshr i256 {counter}, {64 * j}')} to i64") for j in range(4)]
        for j, word in enumerate(_scalar_rounds(ir, parts, keys)):
            ir.lines.append(
                f"  store i64 {word}, i64* {ir.op(f'getelementptr i64, i64* %at.{tag}, i64 {4 * block + j}')}"
            )


def _loop(
    ir: IR,
    width: int,
    scalar: int,
    keys: tuple[list[tuple[str, str]], list[tuple[str, str]]],
    tag: str,
    span: tuple[str, str, str],
) -> str:
    """A loop over groups of *width* + *scalar* blocks from *span* (first, end, entered from) to ``%{tag}.exit``."""
    first, end, entered = span
    step = width + scalar
    mark = len(ir.lines)
    _group(ir, width, scalar, keys[0], keys[1], tag)
    lines = "\n".join(ir.lines[mark:])
    return f"""{tag}:
  %g.{tag} = phi i64 [{first}, %{entered}], [%g.next.{tag}, %{tag}]
  %gw.{tag} = zext i64 %g.{tag} to i256
  %counter1.{tag} = add i256 %counter0, %gw.{tag}
  %counter.{tag} = add i256 %counter1.{tag}, 1
  %base.{tag} = mul i64 %g.{tag}, 4
  %i.{tag} = sub i64 %base.{tag}, %start
  %at.{tag} = getelementptr i64, i64* %Wr, i64 %i.{tag}
{lines}
  %g.next.{tag} = add i64 %g.{tag}, {step}
  %more.{tag} = icmp ult i64 %g.next.{tag}, {end}
  br i1 %more.{tag}, label %{tag}, label %{tag}.exit"""


def philox_ir(width: int | None = None, scalar: int | None = None) -> str:
    """``define void @philox(i64* K, i64 start, i64 n, i64 rows, i64* W)``: the raw words of *rows* streams.

    Row *r* of ``K`` (6 words: key 0, key 1, counter 0–3) is a stream at sample 0, as numpy's
    ``Philox`` is after seeding (buffer empty): its word *s* is word ``s mod 4`` of the 10-round
    block of counter ``counter + s div 4 + 1``. The function writes words ``start .. start+n-1``
    of every row to ``W[r·n + i]``, so numpy's ``random_raw`` is not needed (and gives the same
    words: ``tests/test_kernel_philox.py``). Whole blocks run in groups of *width* vector lanes
    and *scalar* scalar blocks; the blocks cut by ``start`` or ``start + n`` and the last fewer
    than a group take the scalar loop ``@philox_blocks``. Without *width* and *scalar*, the layout
    suits this CPU (:func:`host_lanes`).
    """
    if width is None or scalar is None:
        width, scalar = host_lanes()
    ir = IR()
    scalar_keys = _round_keys(ir, "%k0", "%k1")
    splats = [(_splat_of(ir, width, k0), _splat_of(ir, width, k1)) for k0, k1 in scalar_keys]
    keys = (scalar_keys, splats)
    key_lines = "\n".join(ir.lines)
    group = _loop(ir, width, scalar, keys, "group", ("%fb", "%ve", "keys"))
    step = width + scalar
    return f"""define void @philox(i64* %K, i64 %start, i64 %n, i64 %rows, i64* %W) {{
entry:
  %first = udiv i64 %start, 4
  %end = add i64 %start, %n
  %last1 = add i64 %end, 3
  %stop = udiv i64 %last1, 4
  %start3 = add i64 %start, 3
  %fb = udiv i64 %start3, 4
  %fe = udiv i64 %end, 4
  %span = sub i64 %fe, %fb
  %some = icmp sgt i64 %span, 0
  %whole = select i1 %some, i64 %span, i64 0
  %groups = udiv i64 %whole, {step}
  %blocks = mul i64 %groups, {step}
  %ve = add i64 %fb, %blocks
  %anyv = icmp ugt i64 %groups, 0
  br label %stream
stream:
  %r = phi i64 [0, %entry], [%r.next, %tail]
  %kp = mul i64 %r, 6
  %k0p = getelementptr i64, i64* %K, i64 %kp
  %k0 = load i64, i64* %k0p
  %k1i = add i64 %kp, 1
  %k1p = getelementptr i64, i64* %K, i64 %k1i
  %k1 = load i64, i64* %k1p
  %cbase = add i64 %kp, 2
  %C = getelementptr i64, i64* %K, i64 %cbase
  %row = mul i64 %r, %n
  %Wr = getelementptr i64, i64* %W, i64 %row
  call void @philox_blocks(i64 %k0, i64 %k1, i64* %C, i64 %first, i64 %fb, i64 %start, i64 %n, i64* %Wr)
  br i1 %anyv, label %keys, label %tail
keys:
  %cp = bitcast i64* %C to i256*
  %counter0 = load i256, i256* %cp, align 8
{key_lines}
  br label %group
{group}
group.exit:
  br label %tail
tail:
  call void @philox_blocks(i64 %k0, i64 %k1, i64* %C, i64 %ve, i64 %stop, i64 %start, i64 %n, i64* %Wr)
  %r.next = add i64 %r, 1
  %morerows = icmp ult i64 %r.next, %rows
  br i1 %morerows, label %stream, label %done
done:
  ret void
}}

{_scalar_blocks()}"""


def philox_keys(seed: int, keys: tuple[str, ...] | list[str]) -> np.ndarray:
    """Key and counter (6 uint64 per stream) of each stream at sample 0, for ``@philox``.

    The key is numpy's (``Philox(SeedSequence(seed, spawn_key=...))``, :mod:`.seed_keys`, all streams
    at once); the counter of a fresh stream is zero.
    """
    from .seed_keys import seed_keys
    from .streams import _key_words

    out = np.zeros((len(keys), 6), dtype=np.uint64)
    if len(keys):
        out[:, :2] = seed_keys(seed, [_key_words(key) for key in keys])
    return out
