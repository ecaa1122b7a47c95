"""Threaded pieces of the Monte Carlo's bookkeeping give the serial results, in order, and raise what fails."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cathode_lca.uncertainty.parallel import each
from cathode_lca.uncertainty.statistics import STATISTICS, summarise


def test_each_keeps_the_order_and_uses_threads():
    seen: set[int] = set()

    def work(x: int) -> int:
        seen.add(threading.get_ident())
        return x * 10

    assert each(work, range(7), threads=3) == [0, 10, 20, 30, 40, 50, 60]
    assert each(work, [], threads=3) == []
    seen.clear()
    assert each(work, iter([1, 2]), threads=1) == [10, 20] and seen == {threading.get_ident()}


def test_each_raises_the_error_of_a_call():
    def work(x: int) -> int:
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three"):
        each(work, range(6), threads=2)


def test_summary_statistics_on_threads_equal_the_serial_ones_and_known_answers():
    rng = np.random.default_rng(2)
    x = rng.lognormal(size=(2, 3, 10_001))
    serial, threaded = summarise(x, 1), summarise(x, 4)
    np.testing.assert_array_equal(serial, threaded)
    row = x[1, 2]
    known = [row.mean(), np.sort(row)[5000], row.std(ddof=1), *np.quantile(row, [0.025, 0.975])]
    np.testing.assert_allclose(threaded[1, 2], known, rtol=1e-15)
    assert threaded.shape == (2, 3, len(STATISTICS))
