"""The draws of the compiled kernel (raw Philox words -> input values) equal the numpy streams.

The kernel's normal quantile is AS 241 (PPND16); the numpy path keeps scipy's ndtri (Cephes). Both
are accurate to about 1e-16, so they agree to a few units in the last place; the draws agree with
:class:`StreamReader` to 1e-12 relative (measured: about 1e-15).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import TEST_OPTIMISATION, scalar_ppnd16
from scipy.special import ndtri

from cathode_lca.uncertainty.kernel_draws import compile_draws, draw_rows, quantile
from cathode_lca.uncertainty.kernel_source import IR, KernelUnsupported
from cathode_lca.uncertainty.streams import EPS, StreamReader, WordReader

pytest.importorskip("llvmlite")

RTOL = 1e-12

DISTRIBUTIONS = {
    "uniform": {"type": "uniform", "minimum": 2.0, "maximum": 4.0},
    "normal": {"type": "normal", "loc": 3.0, "scale": 0.5},
    "lognormal": {"type": "lognormal", "loc": math.log(2.0), "scale": 0.3},
    "negative lognormal": {"type": "lognormal", "loc": math.log(2.0), "scale": 0.3, "negative": True},
    # truncated: the bounds cut off both tails (the words are mapped onto [F(lo), F(hi)])
    "truncated normal": {"type": "normal", "loc": 1.0, "scale": 0.5, "minimum": 0.8, "maximum": 1.5},
    "truncated lognormal": {"type": "lognormal", "loc": 0.0, "scale": 0.4, "minimum": 0.9, "maximum": 1.3},
    "truncated negative lognormal": {
        "type": "lognormal",
        "loc": 0.0,
        "scale": 0.4,
        "negative": True,
        "minimum": -1.3,
    },
    "one-sided normal": {"type": "normal", "loc": 0.0, "scale": 1.0, "minimum": 0.0},
    # bounds that leave no probability: only clipped (every value on the bound)
    "clipped normal": {"type": "normal", "loc": 0.0, "scale": 1e-3, "minimum": 50.0, "maximum": 60.0},
    "triangular": {"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0},
    "logitnormal": {"type": "logitnormal", "minimum": 0.9, "maximum": 1.0, "loc": 0.5, "scale": 1.2},
    # a sum: each part from the stream it names, added in order
    "sum": {
        "type": "sum",
        "parts": [
            {"type": "lognormal", "loc": 0.2, "scale": 0.1, "stream": "fossil"},
            {"type": "uniform", "minimum": 0.0, "maximum": 0.5, "stream": "rest"},
        ],
    },
}


def _kernel_and_numpy(inputs, seed=7, start=0, n=5000):
    rows, values_of = compile_draws(inputs, optimisation=TEST_OPTIMISATION)
    words = WordReader(seed, rows, start=start).read(n)
    return values_of(words), StreamReader(seed, inputs, start=start).read(n)


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_each_distribution_equals_the_numpy_stream(name):
    inputs = [(f"key {name}", DISTRIBUTIONS[name])]
    kernel, numpy = _kernel_and_numpy(inputs)
    np.testing.assert_allclose(kernel, numpy, rtol=RTOL, atol=0)
    assert np.isfinite(kernel).all()


def test_all_distributions_together_from_a_later_sample():
    inputs = [(name, dist) for name, dist in DISTRIBUTIONS.items()]
    kernel, numpy = _kernel_and_numpy(inputs, seed=123, start=4099, n=3001)
    np.testing.assert_allclose(kernel, numpy, rtol=RTOL, atol=0)


@pytest.mark.parametrize("n", [1, 8, 9, 17, 511, 512, 513, 1030])
def test_sums_equal_the_numpy_stream_across_chunk_boundaries(n):
    """A sum's normal-family parts go through @zrow chunk by chunk (512 samples, the last chunk
    moved back) into a scratch row each, then are added in order with its other parts; every
    block size around a chunk gives the numpy stream's values."""
    sums = [
        ("s1", DISTRIBUTIONS["sum"]),
        (
            "s2",
            {
                "type": "sum",
                "parts": [
                    {"type": "uniform", "minimum": 0.0, "maximum": 0.5, "stream": "u"},
                    {"type": "normal", "loc": 1.0, "scale": 0.5, "minimum": 0.8, "maximum": 1.5, "stream": "t"},
                    {"type": "logitnormal", "minimum": 0.9, "maximum": 1.0, "loc": 0.5, "scale": 1.2, "stream": "g"},
                ],
            },
        ),
        ("n", DISTRIBUTIONS["normal"]),
    ]
    kernel, numpy = _kernel_and_numpy(sums, seed=11, start=3, n=n)
    np.testing.assert_allclose(kernel, numpy, rtol=RTOL, atol=0)
    assert kernel.shape == (3, n)


def test_known_values_at_known_words():
    """Hand-computed: word w gives u = ((w >> 11) + 0.5) / 2**53; w = 2**63 is u = 1/2 + 2**-54."""
    half = np.array([[2**63]], dtype=np.uint64)
    u = (2**52 + 0.5) * EPS
    cases = [
        ({"type": "uniform", "minimum": 2.0, "maximum": 4.0}, 2.0 + 2.0 * u),
        ({"type": "lognormal", "loc": math.log(2.0), "scale": 0.3, "negative": True}, -2.0),  # the median
        ({"type": "triangular", "minimum": 0.0, "loc": 2.0, "maximum": 4.0}, 2.0),  # symmetric: the mode
        ({"type": "logitnormal", "minimum": 0.9, "maximum": 1.0, "loc": 0.0, "scale": 1.0}, 0.95),
    ]
    for dist, expected in cases:
        _rows, values_of = compile_draws([("k", dist)], optimisation=TEST_OPTIMISATION)
        assert values_of(half)[0, 0] == pytest.approx(expected, rel=1e-14)
    # the smallest word gives u = 2**-54; the largest gives (2**53 - 0.5) * 2**-53, which rounds to 1:
    # +inf, as ndtri(1) on the numpy path
    _rows, values_of = compile_draws(
        [("k", {"type": "normal", "loc": 0.0, "scale": 1.0})], optimisation=TEST_OPTIMISATION
    )
    extremes = values_of(np.array([[0, 2**64 - 1]], dtype=np.uint64))[0]
    np.testing.assert_allclose(extremes, [ndtri(2.0**-54), math.inf], rtol=1e-14)


def test_quantile_against_scipy_ndtri_including_the_tails():
    """AS 241 in IR against Cephes over (0, 1): the centre, both tails, 1e-300 and 1 - 2**-53."""
    _rows, values_of = compile_draws(
        [("z", {"type": "normal", "loc": 0.0, "scale": 1.0})], optimisation=TEST_OPTIMISATION
    )
    rng = np.random.default_rng(3)
    grid = (rng.integers(0, 2**53, 200_000, dtype=np.uint64).astype(float) + 0.5) * EPS
    special = [1e-300, 1e-100, 1e-20, 1e-10, 0.075, 0.0750001, 0.5 - EPS, 0.5 + 2 * EPS, 0.925, 1 - 2.0**-53]
    log_spaced = 10.0 ** -rng.uniform(0, 300, 20_000)
    p = np.concatenate([grid, special, log_spaced, 1 - log_spaced[log_spaced > 1e-16]])
    z = scalar_ppnd16()(p)  # words only reach the 2**-53 grid, so the IR function is called on p directly
    expected = ndtri(p)
    np.testing.assert_allclose(z, expected, rtol=4e-15, atol=0)
    assert np.all(np.sign(z[p != 0.5]) == np.sign(p[p != 0.5] - 0.5))
    assert z[special.index(1e-300) + grid.size] == pytest.approx(-37.0471, abs=1e-4)  # Φ(-37.047) = 1e-300


def test_keys_and_streams_never_reach_the_code():
    """Only row numbers and hex constants: a planted key or stream name is not in the IR."""
    planted = "__import__('os').system('x')"
    dist = {"type": "sum", "parts": [{"type": "uniform", "minimum": 0.0, "maximum": 1.0, "stream": planted}]}
    rows, declared, functions = draw_rows([(planted + " key", dist), ("secret_name", DISTRIBUTIONS["normal"])])
    code = "\n".join(sorted(declared)) + "\n".join(functions)
    assert rows == (planted, "secret_name")
    assert "import" not in code and "secret_name" not in code and "system" not in code


def test_unknown_distribution_types_are_refused():
    with pytest.raises(KernelUnsupported, match="distribution type 'weibull'"):
        quantile(IR(), {"type": "weibull"}, "%t0")


@pytest.mark.parametrize(
    ("seed", "start", "n"), [(0, 0, 1), (1, 0, 4097), (7, 3, 10), (2**40 + 5, 4094, 9), (5, 10**12 + 1, 7)]
)
def test_philox_in_ir_gives_numpys_words(seed, start, n):
    """Philox4x64-10 in IR, word for word against numpy's Philox (random_raw), at any start sample."""
    from cathode_lca.uncertainty.kernel_draws import compile_philox, philox_keys

    keys = ["a", "hydro_recovery_ni", "exchange:x/y"]
    words = compile_philox(optimisation=TEST_OPTIMISATION)(philox_keys(seed, keys), start, n)
    np.testing.assert_array_equal(words, WordReader(seed, keys, start=start).read(n))


def test_philox_counter_carries_into_the_next_word():
    """A counter about to wrap: the block after 2**64 - 1 carries into counter word 1, as numpy does."""
    from cathode_lca.uncertainty.kernel_draws import compile_philox

    bits = np.random.Philox(
        key=np.array([3, 4], dtype=np.uint64), counter=np.array([2**64 - 2, 0, 0, 0], dtype=np.uint64)
    )
    state = bits.state
    keys = np.array([[*state["state"]["key"], *state["state"]["counter"]]], dtype=np.uint64)
    np.testing.assert_array_equal(compile_philox(optimisation=TEST_OPTIMISATION)(keys, 0, 12)[0], bits.random_raw(12))
