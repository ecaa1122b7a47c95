"""Counter-based random streams: the draw of sample *i* of a quantity depends only on (seed, key, i).

Each uncertain quantity (a parameter key, or an exchange key) gets its own Philox stream, keyed by
``SeedSequence(seed, spawn_key=<64-bit hash of the key>)``. Sample *i* is the *i*-th 64-bit word of
that stream, turned into a uniform number in (0, 1) and then into the distribution's value by its
inverse CDF. A chunk ``[start, stop)`` jumps to word *start* with ``Philox.advance`` instead of
drawing the words before it, so

* the same seed gives the same samples whatever the chunk size or scheduler;
* adding or removing an uncertain quantity does not change the draws of the others.

Examples
--------
>>> a = uniforms(1, "hydro_recovery_ni", 0, 10)
>>> b = np.concatenate([uniforms(1, "hydro_recovery_ni", 0, 3), uniforms(1, "hydro_recovery_ni", 3, 10)])
>>> bool(np.array_equal(a, b))
True
>>> x = draw({"type": "uniform", "minimum": 2.0, "maximum": 4.0}, 1, "k", 0, 1000)
>>> bool(2.0 <= x.min() and x.max() <= 4.0)
True
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np

from .normal import expit, ndtr, ppnd16

_WORDS_PER_COUNTER = 4  # Philox 4x64: every counter step gives four 64-bit words
EPS = 2.0**-53


def _key_words(key: str) -> tuple[int, int]:
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    return digest >> 32, digest & 0xFFFFFFFF


def uniforms(seed: int, key: str, start: int, stop: int) -> np.ndarray:
    """Uniform numbers in the open interval (0, 1) for samples ``start .. stop-1`` of *key*."""
    if stop < start or start < 0:
        raise ValueError("need 0 <= start <= stop")
    bits = np.random.Philox(np.random.SeedSequence(int(seed), spawn_key=_key_words(key)))
    bits.advance(start // _WORDS_PER_COUNTER)
    skip = start % _WORDS_PER_COUNTER
    raw = bits.random_raw(skip + stop - start)[skip:]
    return ((raw >> np.uint64(11)).astype(float) + 0.5) * EPS


def ppf(dist: dict[str, Any], u: np.ndarray) -> np.ndarray:
    """Values of a normalised distribution at cumulative probabilities *u* (inverse CDF).

    Types: ``lognormal`` (``loc`` = ln median, ``scale`` = σ of ln x; ``negative`` mirrors it),
    ``normal``, ``uniform``, ``triangular`` (``loc`` = mode) and ``logitnormal`` (bounded: the
    logit of ``(x - minimum) / (maximum - minimum)`` is normal with ``loc``, ``scale``). Normal
    and lognormal distributions with ``minimum``/``maximum`` are truncated there.
    """
    kind = dist["type"]
    lo: Any = dist.get("minimum")  # numbers where the type needs them (checked by the callers)
    hi: Any = dist.get("maximum")
    u = np.asarray(u, dtype=float)
    if kind == "sum":  # one probability for all parts: their quantiles add (comonotonic), see draw()
        return np.asarray(sum(ppf(part, u) for part in dist["parts"]), dtype=float)
    if kind in ("normal", "lognormal") and (lo is not None or hi is not None):
        u = _truncate(dist, u, lo, hi)
    if kind == "lognormal":
        x = np.exp(dist["loc"] + dist["scale"] * ppnd16(u))
        if dist.get("negative"):
            x = -x
    elif kind == "normal":
        x = dist["loc"] + dist["scale"] * ppnd16(u)
    elif kind == "uniform":
        assert lo is not None and hi is not None  # normalised distributions carry both bounds
        x = lo + u * (hi - lo)
    elif kind == "triangular":
        assert lo is not None and hi is not None
        mode = dist["loc"]
        lo, hi = _bounds(dist)
        c = (mode - lo) / (hi - lo)
        x = np.where(
            u < c,
            lo + np.sqrt(u * (hi - lo) * (mode - lo)),
            hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)),
        )
    elif kind == "logitnormal":
        assert lo is not None and hi is not None
        x = lo + (hi - lo) * expit(dist["loc"] + dist["scale"] * ppnd16(u))
        return np.clip(x, lo, hi)  # expit rounds to exactly 0 or 1 only in the far tails
    else:
        raise ValueError(f"unknown distribution type {kind!r}")
    if kind in ("normal", "lognormal") and (lo is not None or hi is not None):
        x = np.clip(x, -math.inf if lo is None else lo, math.inf if hi is None else hi)
    return x


def _bounds(dist: dict[str, Any]) -> tuple[float, float]:
    """``minimum`` and ``maximum`` of a bounded distribution (uniform, triangular, logitnormal)."""
    return dist["minimum"], dist["maximum"]


def _truncate(dist: dict[str, Any], u: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """Map *u* onto the probabilities between the bounds, so a bounded normal or lognormal is truly
    truncated (sampled on the truncated range by the inverse CDF; no mass piles up on a bound)."""
    probabilities = truncation(dist, lo, hi)
    if probabilities is None:
        return u
    p_lo, p_hi = probabilities
    return p_lo + u * (p_hi - p_lo)


def truncation(dist: dict[str, Any], lo: float | None, hi: float | None) -> tuple[float, float] | None:
    """Cumulative probabilities ``(p_lo, p_hi)`` of the bounds of a normal or lognormal *dist*, or
    ``None`` when the bounds leave (numerically) no probability (the values are then only clipped)."""
    a = -math.inf if lo is None else float(lo)
    b = math.inf if hi is None else float(hi)
    if dist["type"] == "lognormal":  # bounds on x -> bounds on ln|x|
        if dist.get("negative"):
            a, b = -b, -a
        a = math.log(a) if a > 0 else -math.inf
        b = math.log(b) if b > 0 else -math.inf
    z_lo, z_hi = (a - dist["loc"]) / dist["scale"], (b - dist["loc"]) / dist["scale"]
    p_lo, p_hi = float(ndtr(z_lo)), float(ndtr(z_hi))
    if not p_hi > p_lo:
        return None
    return p_lo, p_hi


def draw(dist: dict[str, Any], seed: int, key: str, start: int, stop: int) -> np.ndarray:
    """Samples ``start .. stop-1`` of the quantity *key* with distribution *dist*.

    A ``sum`` distribution (``parts``: distributions, each with the ``stream`` key it is drawn
    from) is the sum of its parts' draws: a part whose stream is another parameter's key repeats
    that parameter's draws exactly, so e.g. total energy = fossil draw + non-fossil draw keeps the
    non-fossil part non-negative (see :func:`cathode_lca.uncertainty.defaults.parameter_distributions`).
    """
    if dist["type"] == "sum":
        return np.asarray(sum(draw(part, seed, part["stream"], start, stop) for part in dist["parts"]), dtype=float)
    return ppf(dist, uniforms(seed, key, start, stop))


def ppf_columns(dists: dict[str, dict[str, Any]], names: list[str], Q: np.ndarray) -> np.ndarray:
    """Values of *names* at the probabilities ``Q[:, i]`` (one column per name), as :func:`draw` couples them.

    A ``sum`` part drawn from another listed parameter's stream takes that parameter's column, so
    e.g. total energy = the fossil value of the same row + its own rest (never below the fossil value).
    Each value is :func:`ppf`'s; the normal-family columns are computed several at a time.
    """
    column = {k: i for i, k in enumerate(names)}
    rows = np.ascontiguousarray(np.asarray(Q, dtype=float).T)  # one contiguous row per name
    out = np.empty_like(rows)
    single = [i for i, k in enumerate(names) if dists[k]["type"] != "sum"]
    step = max(1, _GROUP_VALUES // max(rows.shape[1], 1))
    for first in range(0, len(single), step):
        group = single[first : first + step]
        out[group] = ppf_rows([dists[names[i]] for i in group], rows[group])
    for i, k in enumerate(names):
        dist = dists[k]
        if dist["type"] == "sum":
            out[i] = np.sum([ppf(part, rows[column.get(part.get("stream", k), i)]) for part in dist["parts"]], axis=0)
    return out.T if len(names) else np.zeros((np.shape(Q)[0], 0))


class StreamReader:
    """Reads several streams from sample *start* on, block after block, without re-seeding.

    Philox hands out 64-bit words in order whatever the sizes of the reads, so reading blocks in
    sequence gives exactly the words of :func:`uniforms` over the same samples (one generator per
    key is set up once instead of once per block).

    Examples
    --------
    >>> dist = {"type": "uniform", "minimum": 0.0, "maximum": 1.0}
    >>> reader = StreamReader(3, [("a", dist), ("b", dist)], start=5)
    >>> block = np.hstack([reader.read(7), reader.read(6)])
    >>> bool(np.array_equal(block[1], draw(dist, 3, "b", 5, 18)))
    True
    """

    def __init__(self, seed: int, streams: list[tuple[str, dict[str, Any]]], start: int = 0) -> None:
        # one generator per (stream key, distribution); a ``sum`` distribution reads each part from
        # the stream the part names, as :func:`draw` does
        self._streams: list[list[tuple[np.random.Philox, dict[str, Any]]]] = []
        for key, dist in streams:
            parts = [(p["stream"], p) for p in dist["parts"]] if dist["type"] == "sum" else [(key, dist)]
            self._streams.append([(self._generator(seed, k, start), d) for k, d in parts])

    @staticmethod
    def _generator(seed: int, key: str, start: int) -> np.random.Philox:
        bits = np.random.Philox(np.random.SeedSequence(int(seed), spawn_key=_key_words(key)))
        bits.advance(start // _WORDS_PER_COUNTER)
        if start % _WORDS_PER_COUNTER:
            bits.random_raw(start % _WORDS_PER_COUNTER)
        return bits

    def read(self, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """The next *n* samples of every stream: array (stream, n).

        The values are :func:`ppf`'s, element for element; the quantiles and ``exp`` of the normal,
        lognormal and logitnormal parts are computed several streams at a time (about 32,000 values
        per array pass), not one stream per pass.
        """
        out = np.empty((len(self._streams), n)) if out is None else out
        out[...] = 0.0
        parts = [(j, bits, dist) for j, stream in enumerate(self._streams) for bits, dist in stream]
        step = max(1, _GROUP_VALUES // max(n, 1))  # parts per pass: the temporaries stay small and in cache
        for first in range(0, len(parts), step):
            group = parts[first : first + step]
            raw = np.empty((len(group), n), dtype=np.uint64)
            for row, (_j, bits, _dist) in enumerate(group):
                raw[row] = bits.random_raw(n)
            u = ((raw >> np.uint64(11)).astype(float) + 0.5) * EPS
            values = ppf_rows([dist for _j, _bits, dist in group], u)
            for row, (j, _bits, _dist) in enumerate(group):  # a sum's parts add in their order, as in draw()
                out[j] += values[row]
        return out


_GAUSSIAN = ("normal", "lognormal", "logitnormal")
_GROUP_VALUES = 1 << 15  # values per pass of ppf_rows in StreamReader.read and ppf_columns


def ppf_rows(dists: list[dict[str, Any]], u: np.ndarray) -> np.ndarray:
    """Row *i* of *u* through :func:`ppf` with ``dists[i]`` (no ``sum``), element for element ppf's values.

    The normal, lognormal and logitnormal rows are computed together (one array pass each for the
    quantile and ``exp``), the others row by row.
    """
    values = np.empty_like(u)
    gaussian = [i for i, dist in enumerate(dists) if dist["type"] in _GAUSSIAN]
    if gaussian:
        values[gaussian] = _gaussian_values([dists[i] for i in gaussian], u[gaussian])
    for i, dist in enumerate(dists):
        if dist["type"] not in _GAUSSIAN:
            values[i] = ppf(dist, u[i])
    return values


def _column(values: list[float]) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


def _gaussian_values(dists: list[dict[str, Any]], u: np.ndarray) -> np.ndarray:
    """:func:`ppf` of normal-family *dists* at *u* (one row each), with the same operations per element."""
    lows, highs, starts, widths, clipped = [], [], [], [], []
    for dist in dists:
        lo, hi = dist.get("minimum"), dist.get("maximum")
        bounded = dist["type"] != "logitnormal" and (lo is not None or hi is not None)
        probabilities = truncation(dist, lo, hi) if bounded else None
        p_lo, p_hi = probabilities if probabilities is not None else (0.0, 1.0)  # 0 + u·1 is u, exactly
        starts.append(p_lo)
        widths.append(p_hi - p_lo)
        lows.append(-math.inf if lo is None else lo)
        highs.append(math.inf if hi is None else hi)
        clipped.append(bounded)
    y = _column([d["loc"] for d in dists]) + _column([d["scale"] for d in dists]) * ppnd16(
        _column(starts) + u * _column(widths)
    )
    kinds = [d["type"] for d in dists]
    out = y.copy()
    lognormal = [i for i, k in enumerate(kinds) if k == "lognormal"]
    if lognormal:
        with np.errstate(over="ignore"):  # an overflow gives inf, which the parameter checks refuse by name
            out[lognormal] = np.exp(y[lognormal])
        negative = [i for i in lognormal if dists[i].get("negative")]
        out[negative] = -out[negative]
    logit = [i for i, k in enumerate(kinds) if k == "logitnormal"]
    if logit:
        lo, hi = _column([lows[i] for i in logit]), _column([highs[i] for i in logit])
        out[logit] = np.clip(lo + (hi - lo) * expit(y[logit]), lo, hi)
    bounded = [i for i, c in enumerate(clipped) if c]
    if bounded:
        out[bounded] = np.clip(out[bounded], _column([lows[i] for i in bounded]), _column([highs[i] for i in bounded]))
    return out


class WordReader:
    """Reads the raw 64-bit Philox words of several streams from sample *start* on, block after block.

    Row *j* of a block is stream ``keys[j]``: the words :class:`StreamReader` turns into samples
    (the compiled kernel converts them itself, see :mod:`cathode_lca.uncertainty.kernel_draws`).

    Examples
    --------
    >>> words = WordReader(3, ["a", "b"], start=5).read(4)
    >>> u = ((words[1] >> np.uint64(11)).astype(float) + 0.5) * EPS
    >>> bool(np.array_equal(u, uniforms(3, "b", 5, 9)))
    True
    """

    def __init__(self, seed: int, keys: list[str] | tuple[str, ...], start: int = 0) -> None:
        self._bits = [StreamReader._generator(seed, key, start) for key in keys]

    def read(self, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """The next *n* words of every stream: uint64 array (stream, n), written into *out* when given."""
        out = np.empty((len(self._bits), n), dtype=np.uint64) if out is None else out
        for j, bits in enumerate(self._bits):
            out[j] = bits.random_raw(n)
        return out


def median(dist: dict[str, Any]) -> float:
    """Median of a normalised distribution (the deterministic value of the defaults)."""
    return float(ppf(dist, np.array([0.5]))[0])
