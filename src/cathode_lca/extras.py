"""Optional extras: which ``pip install "cathode-lca[EXTRA]"`` brings a missing module.

The core install (``pip install cathode-lca``) computes, compares, declares and writes
JSON/CSV/tables. Heavier stacks are extras:

``brightway``    bw2data, bw2calc, bw_processing (export, Brightway backgrounds, cross-checks)
``distributed``  dask and dask.distributed (``--scheduler``)
``sensitivity``  SALib (``sensitivity``)
``report``       matplotlib and openpyxl (``--plot``, ``--format xlsx``, ``report``)
``exchange``     olca-schema (``exchange olca``)
``all``          all of them

Examples
--------
>>> extra_for("bw2data.parameters")
'brightway'
>>> extra_for("numpy") is None
True
>>> install_hint("SALib")
'pip install "cathode-lca[sensitivity]"'
"""

from __future__ import annotations

from .errors import UsageError

EXTRAS = {
    "bw2data": "brightway",
    "bw2calc": "brightway",
    "bw_processing": "brightway",
    "bw2parameters": "brightway",  # the export evaluates formulas with its asteval
    "asteval": "brightway",
    "dask": "distributed",
    "distributed": "distributed",
    "SALib": "sensitivity",
    "matplotlib": "report",
    "openpyxl": "report",
    "olca_schema": "exchange",
}


def extra_for(module: str | None) -> str | None:
    """The extra that installs *module* (a dotted name), or None for a core dependency."""
    if not module:
        return None
    return EXTRAS.get(module.split(".")[0])


def install_hint(module: str) -> str:
    return f'pip install "cathode-lca[{extra_for(module) or "all"}]"'


def missing_extra_error(exc: ImportError) -> UsageError | None:
    """A one-line user error for an optional module that is not installed (None for other import errors)."""
    name = getattr(exc, "name", None)
    extra = extra_for(name)
    if name is None or extra is None:
        return None
    return UsageError(f"this needs {name.split('.')[0]}, which is not installed", hint=install_hint(name))


def require(module: str) -> None:
    """Raise a :class:`UsageError` with the install hint when *module* cannot be imported."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        error = missing_extra_error(exc) or UsageError(f"cannot import {module}", hint=install_hint(module))
        raise error from None
