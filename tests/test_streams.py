"""uncertainty/streams.py: inverse CDFs at known probabilities, and counter-based streams."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathode_lca.uncertainty.streams import EPS, StreamReader, draw, median, ppf, uniforms


@pytest.mark.parametrize(
    ("dist", "u", "expected"),
    [
        # uniform on [2, 4]: x = 2 + 2u
        ({"type": "uniform", "minimum": 2.0, "maximum": 4.0}, 0.25, 2.5),
        # normal: the median is loc; at Φ(1) = 0.8413447460685429 it is loc + scale
        ({"type": "normal", "loc": 3.0, "scale": 0.5}, 0.5, 3.0),
        ({"type": "normal", "loc": 3.0, "scale": 0.5}, 0.8413447460685429, 3.5),
        # lognormal: median exp(loc); mirrored when negative
        ({"type": "lognormal", "loc": math.log(2.0), "scale": 0.3}, 0.5, 2.0),
        ({"type": "lognormal", "loc": math.log(2.0), "scale": 0.3, "negative": True}, 0.5, -2.0),
        # triangular (0, mode 1, 4): F(1) = (1-0)/(4-0) = 0.25 -> x = 1; below the mode x = sqrt(u*4*1)
        ({"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0}, 0.25, 1.0),
        ({"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0}, 0.0625, 0.5),
        # logit-normal on [0.9, 1]: median 0.9 + 0.1 * expit(loc); expit(0) = 0.5
        ({"type": "logitnormal", "minimum": 0.9, "maximum": 1.0, "loc": 0.0, "scale": 1.0}, 0.5, 0.95),
    ],
)
def test_ppf_known_values(dist, u, expected):
    assert float(ppf(dist, np.array([u]))[0]) == pytest.approx(expected, rel=1e-12)


def test_truncated_normal_stays_inside_its_bounds_and_keeps_its_median_when_symmetric():
    dist = {"type": "normal", "loc": 0.0, "scale": 1.0, "minimum": -1.0, "maximum": 1.0}
    x = ppf(dist, np.linspace(EPS, 1 - EPS, 101))
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert median(dist) == pytest.approx(0.0, abs=1e-12)


def test_uniforms_are_in_the_open_unit_interval_and_keyed():
    u = uniforms(3, "a", 0, 5000)
    assert u.min() > 0.0 and u.max() < 1.0
    assert abs(float(u.mean()) - 0.5) < 0.02  # 5000 uniforms: standard error 0.004
    assert not np.array_equal(u, uniforms(3, "b", 0, 5000))


def test_draw_is_ppf_of_the_uniforms():
    dist = {"type": "uniform", "minimum": 10.0, "maximum": 20.0}
    np.testing.assert_allclose(draw(dist, 1, "k", 5, 9), 10.0 + 10.0 * uniforms(1, "k", 5, 9), rtol=1e-15)


def test_bad_ranges_and_types_are_refused():
    with pytest.raises(ValueError, match="start"):
        uniforms(1, "k", 5, 4)
    with pytest.raises(ValueError, match="unknown distribution"):
        ppf({"type": "weibull"}, np.array([0.5]))


MIXED = [
    ("ln", {"type": "lognormal", "loc": 0.3, "scale": 0.4}),
    ("ln-neg", {"type": "lognormal", "loc": -1.0, "scale": 0.2, "negative": True}),
    ("ln-trunc", {"type": "lognormal", "loc": 0.0, "scale": 0.5, "minimum": 0.5, "maximum": 1.5}),
    ("ln-neg-trunc", {"type": "lognormal", "loc": 0.0, "scale": 0.5, "negative": True, "maximum": -0.8}),
    ("n", {"type": "normal", "loc": 2.0, "scale": 0.1}),
    ("n-trunc", {"type": "normal", "loc": 0.98, "scale": 0.05, "minimum": 0, "maximum": 1}),
    ("n-far", {"type": "normal", "loc": 0.0, "scale": 1.0, "minimum": 40.0}),  # no probability left: clipped only
    ("logit", {"type": "logitnormal", "loc": 1.5, "scale": 0.7, "minimum": 0.2, "maximum": 0.9}),
    ("u", {"type": "uniform", "minimum": 2, "maximum": 5}),
    ("tri", {"type": "triangular", "minimum": 0.0, "loc": 1.0, "maximum": 4.0}),
    (
        "sum",
        {
            "type": "sum",
            "parts": [
                {"type": "lognormal", "loc": 0.1, "scale": 0.3, "stream": "ln"},
                {"type": "uniform", "minimum": 0.0, "maximum": 1.0, "stream": "sum/rest"},
                {"type": "logitnormal", "loc": 0.0, "scale": 1.0, "minimum": 0.0, "maximum": 2.0, "stream": "x"},
            ],
        },
    ),
]


@pytest.mark.parametrize(("start", "sizes"), [(0, [1000]), (3, [5, 1, 130]), (17, [0, 64])])
def test_stream_reader_gives_draw_bit_for_bit_for_every_kind(start, sizes):
    """The reader computes all normal-family quantiles in one pass; each value must still be draw()'s."""
    reader = StreamReader(9, MIXED, start=start)
    block = np.hstack([reader.read(n) for n in sizes])
    stop = start + sum(sizes)
    for row, (key, dist) in enumerate(MIXED):
        np.testing.assert_array_equal(block[row], draw(dist, 9, key, start, stop), err_msg=key)
    assert np.all(block[6] == 40.0) and np.all((block[5] >= 0) & (block[5] <= 1))


def test_ppf_columns_gives_ppf_of_each_column_bit_for_bit():
    from cathode_lca.uncertainty.streams import ppf_columns

    dists = {key: dist for key, dist in MIXED if dist["type"] != "sum"}
    dists["total"] = {"type": "sum", "parts": [{**dists["ln"], "stream": "ln"}, {**dists["u"], "stream": "total"}]}
    names = sorted(dists)
    Q = np.random.default_rng(5).uniform(1e-9, 1 - 1e-9, size=(700, len(names)))
    X = ppf_columns(dists, names, Q)
    assert X.shape == Q.shape
    for i, name in enumerate(names):
        if name != "total":
            np.testing.assert_array_equal(X[:, i], ppf(dists[name], Q[:, i]), err_msg=name)
    total = ppf(dists["ln"], Q[:, names.index("ln")]) + ppf(dists["u"], Q[:, names.index("total")])
    np.testing.assert_array_equal(X[:, names.index("total")], total)
