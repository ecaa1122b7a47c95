"""What the machine offers a run: the memory available to a new allocation.

Used to refuse, with a one-line error, a run whose arrays cannot fit, before they are allocated
(``cathode-lca uncertainty --samples``, a Sobol design of many parameters).

Examples
--------
>>> free = available_memory()
>>> free is None or free > 0
True
"""

from __future__ import annotations

import os


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
