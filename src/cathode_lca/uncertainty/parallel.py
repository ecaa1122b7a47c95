"""Run independent pieces of numpy work on a few threads (numpy's sorts, partitions and arithmetic release the GIL).

Examples
--------
>>> each(lambda x: x * x, [1, 2, 3], threads=2)
[1, 4, 9]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def each(function: Callable[[T], R], items: Iterable[T], threads: int = 1) -> list[R]:
    """``[function(item) for item in items]``, on up to *threads* threads; in order, whatever the threads.

    Serial when *threads* is 1 or there is one item. An exception in any call is raised here (the
    calls not started yet are dropped).
    """
    work = list(items)
    if threads <= 1 or len(work) <= 1:
        return [function(item) for item in work]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(threads, len(work))) as pool:
        return list(pool.map(function, work))
