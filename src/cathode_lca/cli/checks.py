"""Checks of command-line values that must fail fast and cleanly (exit 2), before any work.

Examples
--------
>>> check_scheduler("threads")
>>> check_scheduler("bogus")
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: unknown --scheduler 'bogus'. Fix: use threads, processes, or the address of a running dask scheduler (tcp://host:8786)
>>> check_finite("--param", "x", float("nan"))
Traceback (most recent call last):
...
cathode_lca.errors.ParameterError: --param x: nan is not a finite number. Fix: give a finite number
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from ..errors import ParameterError, UsageError
from ..system import available_memory, require_memory

SCHEDULERS = ("threads", "processes", "serial", "sync")
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|inproc|ucx|ws|wss)://)?[\w.\-\[\]:]+:\d{1,5}$")
MAX_SEED = 2**63 - 1


def check_finite(option: str, name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ParameterError(f"{option} {name}: {value} is not a finite number", hint="give a finite number")


def check_scheduler(scheduler: str | None) -> None:
    """Refuse anything but a known dask scheduler name or a host:port address."""
    if scheduler is None or scheduler in SCHEDULERS or _ADDRESS.match(scheduler):
        return
    raise UsageError(
        f"unknown --scheduler '{scheduler}'",
        hint="use threads, processes, or the address of a running dask scheduler (tcp://host:8786)",
    )


def checked_vary(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``--vary`` options parsed, with repeats and non-finite numbers refused."""
    from ..uncertainty.parameters import parse_vary

    names = [item.partition("=")[0].strip() for item in items]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise UsageError(f"--vary {repeated[0]} is given more than once", hint="give each parameter once")
    parsed = parse_vary(items)
    for name, dist in parsed.items():
        for key, value in dist.items():
            if isinstance(value, float):
                check_finite("--vary", f"{name} ({key})", value)
    return parsed


def check_samples(samples: int, *, minimum: int, bytes_per_sample: float, option: str = "--samples") -> None:
    """Refuse fewer than *minimum* samples, or more than the machine's memory can hold.

    *bytes_per_sample* is a lower estimate of what one sample keeps in memory (results of every
    route and indicator, the differences to virgin, the concatenation copy).
    """
    if samples < minimum:
        raise UsageError(f"{option} must be at least {minimum} (got {samples})", hint=f"e.g. {option} 1000")
    require_memory(
        samples * bytes_per_sample,
        f"{option} {samples:,} needs",
        "use fewer samples (the statistics converge long before), or run on a larger machine",
        free=available_memory(),  # looked up here: tests give this module a machine of their own
    )
