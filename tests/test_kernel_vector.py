"""The four-lane draws (:mod:`cathode_lca.uncertainty.kernel_vector`) against scalar references.

* ``@expv`` against libm's ``exp`` (Python's ``math.exp``) on 10⁶ values: within 4e-16 relative,
  and libm's own value for the lanes outside ``|x| ≤ 700`` (overflow, subnormals, inf, NaN);
* ``@logv`` against libm's ``log`` on 10⁶ values (within 4e-16 relative);
* the word-to-probability conversion equal, bit for bit, to ``((w >> 11) + 0.5)·2⁻⁵³``;
* a block of any length (padding below four samples, overlapping last group) gives the values of
  the same samples inside a longer block, bit for bit.
"""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest
from conftest import TEST_OPTIMISATION

from cathode_lca.uncertainty.kernel_draws import (
    compile_draws,
)
from cathode_lca.uncertainty.kernel_vector import EXP_RANGE, IVEC, VEC, WIDTH, VectorIR, expv_ir

pytest.importorskip("llvmlite")


def _vector_function(name: str, functions: list[str], declared: set[str]):
    """Compile *functions* plus a loop ``many(double* X, i64 n, double* Y)`` applying ``@name`` to WIDTH values at a time."""
    from cathode_lca.uncertainty.kernel_draws import _jit

    loop = f"""define void @many(double* %X, i64 %n, double* %Y) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%next, %loop]
  %a = getelementptr double, double* %X, i64 %i
  %av = bitcast double* %a to {VEC}*
  %x = load {VEC}, {VEC}* %av, align 8
  %y = call {VEC} @{name}({VEC} %x)
  %b = getelementptr double, double* %Y, i64 %i
  %bv = bitcast double* %b to {VEC}*
  store {VEC} %y, {VEC}* %bv, align 8
  %next = add i64 %i, {WIDTH}
  %more = icmp slt i64 %next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}}"""
    engine = _jit(
        "\n".join(sorted(declared)) + "\n\n" + "\n\n".join([*functions, loop]), optimisation=TEST_OPTIMISATION
    )
    many = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)(engine.get_function_address("many"))

    def apply(x: np.ndarray) -> np.ndarray:
        padded = np.concatenate([np.asarray(x, dtype=float), np.ones(-len(x) % WIDTH)])  # whole groups
        y = np.empty_like(padded)
        many(padded.ctypes.data, padded.size, y.ctypes.data)
        return y[: len(x)]

    return apply


def test_expv_within_4e_16_of_libm_on_a_million_values():
    source, declared = expv_ir()
    expv = _vector_function("expv", [source], declared)
    rng = np.random.default_rng(18)
    x = np.concatenate(
        [
            rng.uniform(-EXP_RANGE, EXP_RANGE, 400_000),
            rng.uniform(-5.0, 5.0, 400_000),  # where the draws' lognormals live
            rng.normal(0.0, 1e-3, 199_976),
            [0.0, -0.0, 1e-300, -1e-300, math.log(2.0), -math.log(2.0), 0.5 * math.log(2.0), 700.0, -700.0, 1.0],
            np.arange(-7.0, 7.0),  # near integer multiples of ln 2 and exact integers
        ]
    )
    y = expv(x)
    libm = np.array([math.exp(v) for v in x])
    relative = np.abs(y - libm) / libm
    assert relative.max() <= 4e-16
    assert np.mean(y == libm) > 0.9  # mostly the same double, not just close
    assert np.all(y[x == 0.0] == 1.0)


def test_expv_gives_libms_value_outside_its_range_and_for_non_finite_lanes():
    source, declared = expv_ir()
    expv = _vector_function("expv", [source], declared)
    # each group of four mixes lanes inside the range with lanes outside it
    x = np.array([1.0, 709.5, -2.0, -720.0, math.inf, -math.inf, math.nan, 0.5, 701.0, -701.0, -745.0, 3.0])
    y = expv(x)
    expected = np.array([math.exp(v) if not math.isnan(v) else math.nan for v in x])
    outside = ~(np.abs(x) <= EXP_RANGE) & ~np.isnan(x)
    np.testing.assert_array_equal(y[outside], expected[outside])  # libm's own value
    np.testing.assert_allclose(y[np.abs(x) <= EXP_RANGE], expected[np.abs(x) <= EXP_RANGE], rtol=4e-16, atol=0)
    assert np.isnan(y[6])
    assert y[1] == math.exp(709.5) and y[3] == math.exp(-720.0) > 0.0  # a subnormal, as libm rounds it
    assert y[4] == math.inf and y[5] == 0.0


def test_words_become_probabilities_exactly_as_the_scalar_formula():
    from cathode_lca.uncertainty.kernel_draws import _jit

    ir = VectorIR()
    u = ir.words_to_unit("%w")
    source = f"""define void @unit({IVEC}* %W, {VEC}* %U) {{
entry:
  %w = load {IVEC}, {IVEC}* %W, align 8
{chr(10).join(ir.lines)}
  store {VEC} {u}, {VEC}* %U, align 8
  ret void
}}"""
    unit = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(
        _jit(source, optimisation=TEST_OPTIMISATION).get_function_address("unit")
    )
    rng = np.random.default_rng(3)
    words = np.concatenate(
        [
            np.array([0, 2**64 - 1, 2**63, 2**63 - 1, 2**11 - 1, 2**11, 2**43, 2**43 - 1], dtype=np.uint64),
            rng.integers(0, 2**64, 4_000 - 8 + WIDTH, dtype=np.uint64, endpoint=False),  # whole groups
        ]
    )
    out = np.empty(words.size)
    for k in range(0, words.size, WIDTH):
        unit(words[k:].ctypes.data, out[k:].ctypes.data)
    expected = ((words >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 9, 15])
def test_any_block_length_gives_the_values_of_a_longer_block(n):
    dists = [
        ("a", {"type": "lognormal", "loc": 0.3, "scale": 0.8}),
        ("b", {"type": "normal", "loc": 1.0, "scale": 2.0}),
        ("c", {"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0}),
    ]
    rows, values_of = compile_draws(dists, optimisation=TEST_OPTIMISATION)
    rng = np.random.default_rng(n)
    words = rng.integers(0, 2**64, (len(rows), 4 * WIDTH), dtype=np.uint64, endpoint=False)
    full = values_of(words)
    np.testing.assert_array_equal(values_of(words[:, :n]), full[:, :n])
    np.testing.assert_array_equal(values_of(words[:, 4 * WIDTH - n :]), full[:, 4 * WIDTH - n :])
    assert values_of(words[:, :0]).shape == (3, 0)


def test_logv_within_4e_16_of_libm_on_a_million_values():
    from cathode_lca.uncertainty.kernel_vector import logv_ir

    source, declared = logv_ir()
    logv = _vector_function("logv", [source], declared)
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [
            10.0 ** rng.uniform(-307, 308, 400_000),
            10.0 ** -rng.uniform(0, 12, 400_000),  # where the quantile's tails take it: min(p, 1 − p)
            rng.uniform(0.5, 2.0, 199_992),
            [1.0, 2.0, 0.5, math.sqrt(2.0), math.sqrt(0.5), 2.2250738585072014e-308, 1.7976931348623157e308, 0.075],
        ]
    )
    y = logv(x)
    libm = np.array([math.log(v) for v in x])
    nonzero = libm != 0.0
    assert np.max(np.abs(y - libm)[nonzero] / np.abs(libm[nonzero])) <= 4e-16
    assert y[x == 1.0].tolist() == [0.0]
    assert np.mean(y == libm) > 0.9


def test_values_do_not_depend_on_where_the_block_and_its_chunks_split():
    """@zrow works in chunks of CHUNK samples and computes the tail samples apart: splitting a block
    anywhere (here inside a chunk, and with a short last chunk) gives the same doubles."""
    from cathode_lca.uncertainty.kernel_vector import CHUNK

    dists = [
        ("n", {"type": "normal", "loc": 0.0, "scale": 1.0}),
        ("t", {"type": "lognormal", "loc": 0.0, "scale": 0.4, "minimum": 0.9, "maximum": 1.3}),
        ("s", {"type": "sum", "parts": [{"type": "lognormal", "loc": 0.2, "scale": 0.1, "stream": "x"}] * 2}),
    ]
    rows, values_of = compile_draws(dists, optimisation=TEST_OPTIMISATION)
    n = 3 * CHUNK - 37
    words = np.random.default_rng(9).integers(0, 2**64, (len(rows), n), dtype=np.uint64, endpoint=False)
    whole = values_of(words)
    for cut in (CHUNK - 3, 700, n - 5):
        np.testing.assert_array_equal(np.hstack([values_of(words[:, :cut]), values_of(words[:, cut:])]), whole)
    tails = np.abs(((words[0] >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53 - 0.5) > 0.425
    assert 0.1 < tails.mean() < 0.2  # the tail pass did run, on about 15 % of the samples


def _words_of(u: np.ndarray) -> np.ndarray:
    """Words whose probability ``((w >> 11) + 0.5)·2⁻⁵³`` is *u* rounded down to the 2⁻⁵³ grid."""
    return (np.floor(np.asarray(u) * 2.0**53).astype(np.uint64) << np.uint64(11)).reshape(1, -1)


def test_lane_table_lists_the_set_lanes_of_every_mask_in_order():
    from cathode_lca.uncertainty.kernel_vector import lane_table

    table = lane_table()
    assert len(table) == 256
    for mask in range(256):
        lanes = list(table[mask].to_bytes(8, "little"))
        listed = [k for k in range(8) if mask & (1 << k)]
        assert lanes[: len(listed)] == listed
    assert table[0b10100100].to_bytes(8, "little")[:3] == bytes([2, 5, 7])  # by hand


def test_every_tail_pattern_of_a_group_gets_its_tail_values():
    """Group m of the block has its tail samples (both tails) on the set bits of m: every 8-bit
    mask goes through the lane-table listing; a sample missed or misplaced would keep its central
    value (wrong sign or size) instead of the numpy path's quantile."""
    from cathode_lca.uncertainty.normal import ppnd16

    rows, values_of = compile_draws(
        [("n", {"type": "normal", "loc": 0.0, "scale": 1.0})], optimisation=TEST_OPTIMISATION
    )
    rng = np.random.default_rng(4)
    central = rng.uniform(0.08, 0.92, (256, WIDTH))
    tail = np.where(
        rng.random((256, WIDTH)) < 0.5, rng.uniform(1e-9, 0.07, (256, WIDTH)), rng.uniform(0.93, 1 - 1e-9, (256, WIDTH))
    )
    bits = (np.arange(256)[:, None] >> np.arange(WIDTH)[None, :]) & 1
    words = _words_of(np.where(bits == 1, tail, central).ravel())
    u = ((words[0] >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53
    assert ((np.abs(u - 0.5) > 0.425) == (bits.ravel() == 1)).all()
    z = values_of(words)[0]
    np.testing.assert_allclose(z, ppnd16(u), rtol=2e-15, atol=0)
    np.testing.assert_array_equal(z[bits.ravel() == 0], ppnd16(u)[bits.ravel() == 0])  # same Horner order


@pytest.mark.parametrize("n", [8, 9, 15, 16, 17, 255, 256, 257, 1030])
def test_interleaved_groups_at_block_sizes_around_their_width(n):
    """Two groups per iteration, the last ones moved back to stay inside the block (and a chunk of
    CHUNK samples): every sample, in both tails and the centre, gets the numpy path's quantile."""
    from cathode_lca.uncertainty.normal import ppnd16

    rows, values_of = compile_draws(
        [("n", {"type": "normal", "loc": 1.0, "scale": 2.0})], optimisation=TEST_OPTIMISATION
    )
    rng = np.random.default_rng(n)
    u = rng.uniform(0.0, 1.0, n)
    u[::5] = rng.uniform(1e-9, 0.075, u[::5].size)  # lower tail
    u[1::7] = rng.uniform(0.925, 1.0, u[1::7].size)  # upper tail
    u[[2, -3]] = 3e-14, 1 - 5e-14  # beyond the first tail branch (r > 5): the scalar quantile
    words = _words_of(u)
    u = ((words[0] >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53
    z = values_of(words)[0]
    np.testing.assert_allclose(z, 1.0 + 2.0 * ppnd16(u), rtol=2e-15, atol=0)


@pytest.mark.parametrize("n", [8, 9, 15, 16, 17, 24, 31, 32, 33, 255, 256, 257])
def test_erow_exponentiates_a_row_in_place_once(n):
    """@erow: ``Z[i] = exp(loc + scale·Z[i])``, two groups per iteration, then one group, then the
    last group from the values read before the loop (in place: a sample exponentiated twice would
    show); within 4e-16 of libm where |x| ≤ EXP_RANGE, libm's own value elsewhere."""
    from cathode_lca.uncertainty.kernel_draws import _jit, erow_ir

    erow, declared = erow_ir()
    expv, declared_e = expv_ir()
    entry = """define void @apply(double* %Z, i64 %n, double %loc, double %scale) {
entry:
  call void @erow(double* %Z, i64 %n, double %loc, double %scale)
  ret void
}"""
    engine = _jit(
        "\n".join(sorted(declared | declared_e)) + "\n\n" + "\n\n".join([erow, expv, entry]),
        optimisation=TEST_OPTIMISATION,
    )
    apply = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_double, ctypes.c_double)(
        engine.get_function_address("apply")
    )
    rng = np.random.default_rng(n)
    loc, scale = 0.25, 3.0
    z = rng.normal(0.0, 1.0, n)
    z[n // 3] = (705.5 - loc) / scale  # beyond EXP_RANGE: libm's exp
    z[n // 2] = (-720.0 - loc) / scale  # a subnormal result, as libm rounds it
    z[-1] = (710.0 - loc) / scale  # overflow
    out = z.copy()
    apply(out.ctypes.data, n, loc, scale)
    expected = np.array([math.exp(loc + scale * v) if loc + scale * v < 709.0 else math.inf for v in z])
    inside = np.abs(loc + scale * z) <= EXP_RANGE
    np.testing.assert_allclose(out[inside], expected[inside], rtol=4e-16, atol=0)
    np.testing.assert_array_equal(out[~inside], expected[~inside])
    assert (~inside).sum() == 3 and out[-1] == math.inf and 0.0 < out[n // 2] < 2.2250738585072014e-308
