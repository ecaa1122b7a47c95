"""Philox4x64-10 in IR (vector lanes, scalar blocks beside them, scalar ends) equals numpy's Philox word for word.

The reference is numpy's own ``Philox(key=..., counter=...)`` and its ``random_raw``; the 64 × 64 →
128-bit product that the vector lanes build from 32-bit halves is checked against Python's integers.
"""

from __future__ import annotations

import ctypes
import functools

import numpy as np
import pytest
from conftest import TEST_OPTIMISATION
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cathode_lca.uncertainty.kernel_draws import _jit, compile_philox
from cathode_lca.uncertainty.kernel_draws import philox_keys as philox_keys_of_draws
from cathode_lca.uncertainty.kernel_philox import _PHILOX_M, _mulhilo, philox_ir, philox_keys
from cathode_lca.uncertainty.kernel_source import IR
from cathode_lca.uncertainty.streams import WordReader

pytest.importorskip("llvmlite")

LENGTHS = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000]
U64 = st.integers(min_value=0, max_value=2**64 - 1)
_SIGNATURE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)


@functools.cache
def _philox(width: int, scalar: int):
    """``words(keys, start, n)`` of ``@philox`` written with *width* lanes and *scalar* scalar blocks."""
    function = _SIGNATURE(_jit(philox_ir(width, scalar), optimisation=TEST_OPTIMISATION).get_function_address("philox"))

    def words(keys: np.ndarray, start: int, n: int) -> np.ndarray:
        k = np.ascontiguousarray(keys, dtype=np.uint64)
        out = np.zeros((k.shape[0], n), dtype=np.uint64)
        function(k.ctypes.data, start, n, k.shape[0], out.ctypes.data)
        return out

    return words


def _numpy_words(rows: np.ndarray, start: int, n: int) -> np.ndarray:
    """Words start .. start+n-1 of each (key 0, key 1, counter 0..3) row, from numpy's Philox."""
    out = []
    for row in rows:
        bits = np.random.Philox(key=row[:2].copy(), counter=row[2:].copy())
        out.append(bits.random_raw(start + n)[start:])
    return np.array(out, dtype=np.uint64).reshape(len(rows), n)


@pytest.mark.parametrize("n", LENGTHS)
def test_every_start_and_length_equals_numpy(n):
    """Starts 0..9 (inside a block or on its edge) and lengths around the group sizes, 11 random streams."""
    rows = np.random.default_rng(n).integers(0, 2**64, size=(11, 6), dtype=np.uint64, endpoint=False)
    words = _philox(4, 2)
    for start in range(10):
        np.testing.assert_array_equal(words(rows, start, n), _numpy_words(rows, start, n), err_msg=f"start {start}")


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.tuples(U64, U64, U64, U64, U64, U64), min_size=1, max_size=6),
    start=st.integers(min_value=0, max_value=9),
    n=st.sampled_from(LENGTHS),
)
def test_random_keys_and_counters_equal_numpy(keys, start, n):
    rows = np.array(keys, dtype=np.uint64)
    np.testing.assert_array_equal(_philox(4, 2)(rows, start, n), _numpy_words(rows, start, n))


@pytest.mark.parametrize("low", [2**64 - 1, 2**64 - 2, 2**64 - 5, 2**64 - 23])
def test_counter_carries_inside_the_vector_lanes(low):
    """Counter word 0 wraps inside a group: the carry runs through words 1 and 2 into word 3, per lane."""
    rows = np.array([[7, 9, low, 2**64 - 1, 2**64 - 1, 41], [1, 2, low, 2**64 - 1, 3, 0]], dtype=np.uint64)
    for start in (0, 1, 4):
        np.testing.assert_array_equal(_philox(4, 2)(rows, start, 200), _numpy_words(rows, start, 200))


@pytest.mark.parametrize(("width", "scalar"), [(4, 0), (4, 2), (8, 0), (2, 1), (8, 3), (16, 0), (32, 0)])
def test_other_group_shapes_give_the_same_words(width, scalar):
    """The loop bounds hold for any group shape (vector lanes alone, more lanes, odd group sizes)."""
    rows = np.random.default_rng(width * 10 + scalar).integers(0, 2**64, size=(5, 6), dtype=np.uint64)
    for start, n in [(0, 1), (3, 7), (1, 40), (2, 257), (9, 1000), (0, 256)]:
        np.testing.assert_array_equal(_philox(width, scalar)(rows, start, n), _numpy_words(rows, start, n))


def test_the_default_is_vector_code_and_the_kernel_uses_it():
    """``@philox`` multiplies in vector lanes (``vpmuludq``) beside scalar ``mul i128``: ``<4 x i64>`` with AVX2,
    ``<16 x i64>`` with AVX-512 (host_lanes)."""
    from cathode_lca.uncertainty.kernel_philox import host_lanes

    width, _scalar = host_lanes()
    source = philox_ir()
    assert f"mul <{width} x i64>" in source
    assert "mul i128" in source  # the scalar loop for the blocks at the ends
    assert philox_keys_of_draws is philox_keys
    keys = philox_keys(11, ["a", "b"])
    np.testing.assert_array_equal(
        compile_philox(optimisation=TEST_OPTIMISATION)(keys, 6, 300), WordReader(11, ["a", "b"], start=6).read(300)
    )


@functools.cache
def _vector_product():
    """``@m(<4 x i64>* x, <4 x i64>* out)``: the emulated high and low words of x · M0 and x · M1."""
    ir = IR()
    x = ir.op("load <4 x i64>, <4 x i64>* %x, align 8")
    results = [*_mulhilo(ir, 4, x, _PHILOX_M[0]), *_mulhilo(ir, 4, x, _PHILOX_M[1])]
    for i, value in enumerate(results):
        at = ir.op(f"getelementptr <4 x i64>, <4 x i64>* %out, i64 {i}")
        ir.lines.append(f"  store <4 x i64> {value}, <4 x i64>* {at}, align 8")
    body = "\n".join(ir.lines)
    source = f"define void @m(<4 x i64>* %x, <4 x i64>* %out) {{\n{body}\n  ret void\n}}"
    return ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(
        _jit(source, optimisation=TEST_OPTIMISATION).get_function_address("m")
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(U64, min_size=4, max_size=4))
@example([2**64 - 1, 0, 2**32 - 1, 2**32])  # all-ones: every partial product and carry at its largest
def test_product_from_32_bit_halves_equals_the_128_bit_product(values):
    x = np.array(values, dtype=np.uint64)
    out = np.zeros(16, dtype=np.uint64)
    _vector_product()(x.ctypes.data, out.ctypes.data)
    hi0, lo0, hi1, lo1 = out.reshape(4, 4).tolist()
    for lane, value in enumerate(values):
        assert (hi0[lane], lo0[lane]) == divmod(value * _PHILOX_M[0], 2**64)
        assert (hi1[lane], lo1[lane]) == divmod(value * _PHILOX_M[1], 2**64)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.one_of(
        st.integers(0, 2**32 - 1),
        st.integers(2**32, 2**63 - 1),
        st.integers(2**128, 2**200),  # more than four 32-bit words: the extra entropy words are mixed in
    ),
    names=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=6),
)
def test_the_vectorised_stream_keys_equal_numpys_seed_sequence(seed, names):
    """``philox_keys`` hashes every stream's seed sequence at once (.seed_keys); numpy builds one each."""
    from cathode_lca.uncertainty.streams import StreamReader

    ours = philox_keys(seed, names)
    for row, name in zip(ours, names, strict=True):
        state = StreamReader._generator(seed, name, 0).state
        assert state["buffer_pos"] == 4  # a fresh block: nothing buffered, counter zero
        np.testing.assert_array_equal(row[:2], np.asarray(state["state"]["key"], dtype=np.uint64))
        np.testing.assert_array_equal(row[2:], np.asarray(state["state"]["counter"], dtype=np.uint64))


def test_spawn_key_halves_and_seeds_out_of_range_are_refused():
    from cathode_lca.uncertainty.seed_keys import seed_keys

    with pytest.raises(ValueError, match="below 2\\*\\*32"):
        seed_keys(1, [(2**32, 0)])
    with pytest.raises(ValueError, match="non-negative"):
        seed_keys(-1, [(1, 2)])


@pytest.mark.parametrize(("features", "lanes"), [({"avx512f": True, "avx2": True}, (16, 0)), ({"avx2": True}, (4, 2))])
def test_the_philox_layout_follows_the_cpu(monkeypatch, features, lanes):
    """AVX-512: 16 vector lanes and no scalar blocks; otherwise 4 lanes (one AVX2 register) and 2 scalar blocks."""
    import llvmlite.binding as llvm

    from cathode_lca.uncertainty import kernel_philox

    monkeypatch.setattr(llvm, "get_host_cpu_features", lambda: features)
    assert kernel_philox.host_lanes() == lanes
    assert f"mul <{lanes[0]} x i64>" in kernel_philox.philox_ir()
