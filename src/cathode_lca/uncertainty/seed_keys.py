"""The Philox keys of many streams at once: numpy's ``SeedSequence`` hashing, vectorised over the streams.

Every input's stream is ``Philox(SeedSequence(seed, spawn_key=(hi, lo)))`` with ``(hi, lo)`` the
stream name's 64-bit BLAKE2b digest (:mod:`cathode_lca.uncertainty.streams`). Building one numpy
``SeedSequence`` and ``Philox`` per stream to read its key back took about 25 µs a stream, 5 ms
for the 208 streams of a default NMC811 comparison, on every run. The hashing itself is a fixed
sequence of 32-bit multiplications, xors and shifts whose constants do not depend on the data
(M. E. O'Neill's ``seed_seq`` alternative, as numpy's ``bit_generator.pyx`` implements it:
https://www.pcg-random.org/posts/developing-a-seed_seq-alternative.html), so it runs here on a
(stream, word) array for all streams together. ``tests/test_kernel_philox.py`` holds the keys equal
to numpy's, bit for bit, for random seeds and names (hypothesis), including seeds of more than
four 32-bit words.

The steps, for a pool of four 32-bit words:

1. the entropy words: the seed's little-endian 32-bit words (at least one), padded with zeros to
   four when a spawn key follows, then the spawn key's words (``hi``, ``lo``);
2. ``mix_entropy``: each pool word is ``hashmix`` of an entropy word (or 0); every pool word is
   mixed into every other; the entropy words beyond the fourth are mixed into every pool word;
3. ``generate_state(2, uint64)``: four output words, each a pool word hashed with a second
   running constant; pairs of them, low word first, are the two 64-bit words of the Philox key
   (the counter starts at zero).

Examples
--------
>>> import numpy as np
>>> ours = seed_keys(7, [(1, 2), (3, 4)])
>>> theirs = [np.random.Philox(np.random.SeedSequence(7, spawn_key=k)).state["state"]["key"] for k in [(1, 2), (3, 4)]]
>>> bool(np.array_equal(ours, np.array(theirs, dtype=np.uint64)))
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_POOL = 4
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_MASK = 0xFFFFFFFF


def _words(value: int) -> list[int]:
    """A non-negative integer as little-endian 32-bit words (0 is one word)."""
    if value < 0:
        raise ValueError("a seed is a non-negative integer")
    out = [value & _MASK]
    value >>= 32
    while value:
        out.append(value & _MASK)
        value >>= 32
    return out


def _hashmix(values: np.ndarray, constant: list[int]) -> np.ndarray:
    """``(v ^ c) · c'`` with ``c' = c · MULT_A`` (the constant advances), then ``x ^= x >> 16``."""
    values = values ^ np.uint32(constant[0])
    constant[0] = (constant[0] * _MULT_A) & _MASK
    values = values * np.uint32(constant[0])
    return values ^ (values >> np.uint32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y  # uint32: wraps modulo 2**32
    return result ^ (result >> np.uint32(16))


def seed_keys(seed: int, spawn_keys: Sequence[tuple[int, int]]) -> np.ndarray:
    """Philox keys (stream, 2) uint64 of ``Philox(SeedSequence(seed, spawn_key=k))`` for every *k*.

    Each spawn key is two integers below 2**32 (the halves of a stream name's digest).
    """
    run = _words(int(seed))
    if len(run) < _POOL:
        run = run + [0] * (_POOL - len(run))
    spawn = np.asarray(spawn_keys, dtype=np.uint64).reshape(-1, 2)
    if spawn.size and int(spawn.max()) > _MASK:
        raise ValueError("each half of a spawn key must be below 2**32")
    n = len(spawn)
    entropy = np.empty((n, len(run) + 2), dtype=np.uint32)
    entropy[:, : len(run)] = np.asarray(run, dtype=np.uint32)
    entropy[:, len(run) :] = spawn.astype(np.uint32)
    with np.errstate(over="ignore"):
        constant = [_INIT_A]
        pool = [_hashmix(entropy[:, i], constant) for i in range(_POOL)]
        for source in range(_POOL):
            for target in range(_POOL):
                if source != target:
                    pool[target] = _mix(pool[target], _hashmix(pool[source], constant))
        for source in range(_POOL, entropy.shape[1]):
            for target in range(_POOL):
                pool[target] = _mix(pool[target], _hashmix(entropy[:, source], constant))
        state = np.empty((n, _POOL), dtype=np.uint32)
        constant_b = _INIT_B
        for i in range(_POOL):  # generate_state(2, uint64): four 32-bit words from the pool, in turn
            value = pool[i] ^ np.uint32(constant_b)
            constant_b = (constant_b * _MULT_B) & _MASK
            value = value * np.uint32(constant_b)
            state[:, i] = value ^ (value >> np.uint32(16))
    return state.astype("<u4").view("<u8").astype(np.uint64)
