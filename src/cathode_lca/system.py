"""What the machine offers a run: the memory available to a new allocation, and the one refusal of a run
that would not fit.

Used to refuse, with a one-line error, a run whose arrays cannot fit, before they are allocated
(``cathode-lca uncertainty --samples``, the scores of a Sobol run of many parameters).

Examples
--------
>>> free = available_memory()
>>> free is None or free > 0
True
>>> require_memory(2 * 2**30, "--samples 10 needs", "use fewer samples", free=2**30)
Traceback (most recent call last):
...
cathode_lca.errors.LimitError: --samples 10 needs about 2.0 GiB of memory; this machine has 1.0 GiB available. Fix: ...
"""

from __future__ import annotations

import os

from .errors import LimitError


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux MemAvailable; else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def gib(n: float) -> str:
    """Bytes as GiB with one decimal: ``gib(3 * 2**29)`` is ``'1.5 GiB'``."""
    return f"{n / 2**30:,.1f} GiB"


def require_memory(need: float, needs: str, hint: str, free: int | None = None) -> None:
    """Refuse, with a :class:`~cathode_lca.errors.LimitError`, *need* bytes beyond the memory available.

    *needs* begins the message (``"--samples 1,000 needs"``); *free* is the available memory
    (default: :func:`available_memory`; unknown memory refuses nothing).
    """
    free = available_memory() if free is None else free
    if free is not None and need > free:
        raise LimitError(f"{needs} about {gib(need)} of memory; this machine has {gib(free)} available", hint=hint)
