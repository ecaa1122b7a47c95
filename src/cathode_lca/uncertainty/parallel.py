"""Run independent pieces of numpy work on a few threads (numpy's sorts, partitions and arithmetic release the GIL),
and how many threads this process may keep busy.

Examples
--------
>>> each(lambda x: x * x, [1, 2, 3], threads=2)
[1, 4, 9]
>>> usable_cores() >= 1
True
>>> check_threads(0)
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: threads must be 1 or more, not 0. Fix: e.g. --threads 2, or leave it out to use every usable core
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

from ..errors import UsageError

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


CGROUP_LIMITS = (  # CPU quota files of Linux control groups (containers): v2, then v1
    ("/sys/fs/cgroup/cpu.max", None),
    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)


def usable_cores() -> int:
    """The CPUs this process may use: its affinity mask where the OS has one, capped by a container's CPU quota.

    A container limited to 2 CPUs on a 64-core host still sees 64 cores in its affinity mask; the
    control group's quota (``cpu.max``: ``200000 100000`` is 2 CPUs) says how many it may keep busy.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpus()
    return max(1, min(cores, quota) if quota else cores)


def cgroup_cpus(limits: tuple[tuple[str, str | None], ...] | None = None) -> int | None:
    """CPUs allowed by the control group's quota (rounded up), or ``None`` without a quota.

    Examples
    --------
    >>> cgroup_cpus(())  # no quota file
    """
    import math

    for quota_file, period_file in CGROUP_LIMITS if limits is None else limits:
        try:
            with open(quota_file) as handle:
                fields = handle.read().split()
            if period_file is not None:
                with open(period_file) as handle:
                    fields += handle.read().split()
            quota, period = fields[0], fields[1]
            if quota in ("max", "-1"):
                return None
            allowed = int(quota) / int(period)
        except (OSError, ValueError, IndexError, ZeroDivisionError):
            continue
        if allowed > 0:
            return max(1, math.ceil(allowed))
    return None


def check_threads(threads: int | None) -> int:
    """The number of threads to use: *threads*, or every usable core when ``None``; refuses fewer than 1."""
    if threads is None:
        return usable_cores()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise UsageError(
            f"threads must be 1 or more, not {threads!r}",
            hint="e.g. --threads 2, or leave it out to use every usable core",
        )
    return threads
