"""Checks of the arguments of :func:`monte_carlo`, :func:`sweep` and :func:`sensitivity`, run first.

A host application calling the Python API gets a :class:`~cathode_lca.errors.UsageError` that
names the argument and what it accepts, instead of a ``TypeError`` or ``ValueError`` from numpy
deep inside a run (``samples=10.5``, ``seed="a"``, an empty list in a grid), and never a value
silently rounded (``seed=1.5`` used to run as seed 1).

Examples
--------
>>> whole_number(np.int64(10), "samples", minimum=2)
10
>>> check_seed(np.uint32(7))
7
>>> check_grid({"plant_region": ("US", "CN")})
{'plant_region': ['US', 'CN']}
>>> whole_number(10.5, "samples", minimum=2)
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: samples must be a whole number, 2 or more, got 10.5 (float). Fix: e.g. samples=1000
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import UsageError

#: The largest seed, as on the command line (``--seed``): a signed 64-bit integer.
MAX_SEED = 2**63 - 1


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{text[:60]}… ({type(value).__name__})" if len(text) > 60 else f"{text} ({type(value).__name__})"


def _is_whole(value: Any) -> bool:
    """An int or a numpy integer; never a bool (``True`` is 1 to Python, not a count)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole_number(value: Any, name: str, *, minimum: int, example: str = "1000", note: str = "") -> int:
    """*value* as an ``int`` when it is a whole number of at least *minimum*; else a UsageError naming *name*."""
    if not _is_whole(value) or int(value) < minimum:
        raise UsageError(
            f"{name} must be a whole number, {minimum} or more{note}, got {_shown(value)}",
            hint=f"e.g. {name}={example}",
        )
    return int(value)


def check_seed(seed: Any, *, optional: bool = False) -> int:
    """The seed as an ``int``; *optional*: the message says that ``None`` (a random seed) is accepted too."""
    if not _is_whole(seed) or not 0 <= int(seed) <= MAX_SEED:
        raise UsageError(
            f"seed must be a whole number from 0 to 2**63 - 1{' or None (random)' if optional else ''}, "
            f"got {_shown(seed)}",
            hint="e.g. seed=42; the seed is recorded in attrs['seed']",
        )
    return int(seed)


#: netCDF3 (xarray's scipy engine) stores integer attributes as 32-bit: larger seeds are kept as text.
NETCDF_INT_MAX = 2**31 - 1


def seed_attr(seed: int) -> int | str:
    """*seed* as stored in ``attrs["seed"]``: the number, or its decimal text from 2**31 on.

    netCDF3 attributes hold 32-bit integers, so ``ds.to_netcdf(path)`` could not write a larger
    seed; as text it round-trips exactly (``int(ds.attrs["seed"])`` reads either form).

    >>> seed_attr(42), seed_attr(2**40)
    (42, '1099511627776')
    """
    return seed if seed <= NETCDF_INT_MAX else str(seed)


def check_distributions(distributions: Any) -> None:
    """Refuse *distributions* that are not ``{name: {"type": ..., ...}}``."""
    if distributions is None:
        return
    example = "e.g. {'hydro_recovery_ni': {'type': 'uniform', 'minimum': 0.9, 'maximum': 0.99}}"
    if not isinstance(distributions, Mapping):
        raise UsageError(
            f"distributions must be a mapping of parameter name to distribution, got {_shown(distributions)}",
            hint=example,
        )
    for name, dist in distributions.items():
        if not isinstance(dist, Mapping):
            raise UsageError(f"distributions[{name!r}] must be a mapping, got {_shown(dist)}", hint=example)


def check_grid(grid: Any) -> dict[str, list[Any]]:
    """The sweep grid as ``{name: [values]}``; a UsageError for any other shape.

    Each value list must be a list, tuple or 1-D array of at least one number or word (a word for
    a choice such as ``plant_region``); whether a value suits its parameter is the parameter
    engine's check (a ``ParameterError``).
    """
    example = "e.g. {'hydro_recovery_ni': [0.90, 0.95, 0.98]}"
    if not isinstance(grid, Mapping):
        raise UsageError(
            f"grid must be a mapping of parameter name to a list of values, got {_shown(grid)}", hint=example
        )
    if not grid:
        raise UsageError("grid is empty: nothing to sweep", hint=example + " (CLI: --grid NAME=v1,v2)")
    out: dict[str, list[Any]] = {}
    for name, values in grid.items():
        if not isinstance(name, str):
            raise UsageError(f"grid names must be parameter names (text), got {_shown(name)}", hint=example)
        if isinstance(values, np.ndarray) and values.ndim == 1:
            values = values.tolist()
        if not isinstance(values, (list, tuple)):
            raise UsageError(
                f"grid[{name!r}] must be a list of values, got {_shown(values)}", hint=f"e.g. {{{name!r}: [...]}}"
            )
        if not values:
            raise UsageError(f"grid[{name!r}] has no values", hint="give at least one value for each parameter")
        for value in values:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, int, float, np.integer, np.floating)):
                raise UsageError(
                    f"grid[{name!r}] holds {_shown(value)}: each value must be a number or a word",
                    hint=f"e.g. {{{name!r}: [0.9, 0.95]}}",
                )
        out[name] = list(values)
    return out


def check_scheduler(scheduler: Any) -> None:
    """``None``, a name or address (text), or a dask ``Client`` (anything with ``compute``)."""
    if scheduler is None or isinstance(scheduler, str) or callable(getattr(scheduler, "compute", None)):
        return
    raise UsageError(
        f"scheduler must be None, 'threads', 'processes', a scheduler address or a dask Client, got {_shown(scheduler)}",
        hint="e.g. scheduler='threads', or leave it out to run in this process",
    )


def check_spread(spread: Any) -> float | None:
    """``None`` or a finite number strictly between 0 and 1."""
    if spread is None:
        return None
    ok = isinstance(spread, (int, float, np.integer, np.floating)) and not isinstance(spread, (bool, np.bool_))
    if not ok or not math.isfinite(float(spread)) or not 0 < float(spread) < 1:
        raise UsageError(f"spread must be a number between 0 and 1, got {_shown(spread)}", hint="e.g. 0.1 for ±10 %")
    return float(spread)
