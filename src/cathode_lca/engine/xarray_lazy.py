"""Keep xarray from importing dask and pint on the first result it builds.

xarray checks every array it wraps with ``isinstance(data, dask.array.Array)`` and
``isinstance(data, pint.Quantity)``, and imports both packages to get those types whenever they
are installed (``dask.array`` alone costs a large share of a short command's start-up). An array
of a package that was never imported cannot exist, so until dask (or pint) is in
``sys.modules`` the answer is known without importing it: no array is of that type. Once the
package is imported by anyone, the real checks apply unchanged.

:func:`defer_duck_array_imports` installs that answer in xarray's internal cache of duck-array
modules. If a future xarray renames those internals it does nothing (and
``tests/test_startup.py`` says so by failing).

Examples
--------
>>> defer_duck_array_imports()  # once, before xarray wraps its first array (engine.results does it)
"""

from __future__ import annotations

import sys
from typing import Any

_DEFERRED = ("dask", "pint")
_ARRAY_MODULE = {"dask": "dask.array", "pint": "pint"}
"""The module that defines each package's array type: bw2calc imports ``dask`` (for its
``dask.base`` helpers) without ``dask.array``, and no dask array can exist until ``dask.array``
is imported; importing it costs about 2.5 s of CPU."""


class _DeferredDuckModule:
    """Stands for xarray's ``DuckArrayModule`` of a package until that package is imported."""

    def __init__(self, name: str, real_class: Any) -> None:
        self._name = name
        self._real_class = real_class
        self._real: Any = None

    def _resolve(self) -> Any:
        if self._real is None:
            self._real = self._real_class(self._name)
        return self._real

    @property
    def type(self) -> tuple[type[Any], ...]:
        if self._real is None and _ARRAY_MODULE.get(self._name, self._name) not in sys.modules:
            return ()  # nothing can be an instance of a package that was never imported
        return tuple(self._resolve().type)

    def __getattr__(self, attribute: str) -> Any:  # module, version, available: the real answers
        return getattr(self._resolve(), attribute)


def _dask_collection_check(original: Any) -> Any:
    def is_dask_collection(x: object) -> bool:
        return "dask" in sys.modules and bool(original(x))

    return is_dask_collection


def defer_duck_array_imports() -> None:
    """Make xarray import dask / pint only when an array of theirs can exist (idempotent)."""
    try:
        from xarray.namedarray import pycompat, utils
    except ImportError:  # pragma: no cover - xarray is a core dependency
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    real_class = getattr(pycompat, "DuckArrayModule", None)
    if isinstance(cache, dict) and real_class is not None:
        for name in _DEFERRED:
            if name not in cache and _ARRAY_MODULE[name] not in sys.modules:
                cache[name] = _DeferredDuckModule(name, real_class)
    check = getattr(utils, "is_dask_collection", None)
    if check is not None and not getattr(check, "_cathode_lca_deferred", False) and "dask" not in sys.modules:
        wrapped = _dask_collection_check(check)
        wrapped._cathode_lca_deferred = True
        utils.is_dask_collection = wrapped
