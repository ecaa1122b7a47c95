"""Which kind of result a dataset is, and a clear error when a function gets the wrong one.

The report and chart functions take the result of one public function each (``tidy`` a
:func:`cathode_lca.compare` result, ``mc_distributions`` a Monte Carlo result, ...). Given
anything else (``None``, another kind of result) they raise a :class:`~cathode_lca.errors.UsageError`
that names the argument, what it got and which table function fits what it got, instead of an
``AttributeError`` from deep inside.

Examples
--------
>>> import xarray as xr
>>> check_result(xr.Dataset(attrs={"sweep_mode": "grid"}), "tidy")
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: tidy: ds must be the xarray.Dataset that cathode_lca.compare returns, got a sweep result. Fix: e.g. tidy(compare('NMC811')); for a sweep result use cathode_lca.report.tables.sweep_frame(ds)
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError

#: Each kind of result, what makes it, the data variables only it has (any one of them) and its table.
_RESULT_KINDS = {
    "compare": ("cathode_lca.compare", ("by_stage",), "tidy"),
    "monte_carlo": ("cathode_lca.uncertainty.monte_carlo.monte_carlo", ("samples",), "uncertainty_frame"),
    "sensitivity": ("cathode_lca.uncertainty.sensitivity.sensitivity", ("S1", "mu_star"), "sensitivity_frame"),
    "sweep": ("cathode_lca.uncertainty.sweep.sweep", ("sweep_mode",), "sweep_frame"),
}
_GIVEN_AS = {"compare": "a comparison", "monte_carlo": "a Monte Carlo result", "sensitivity": "a sensitivity result"}


def _kind_of(ds: Any) -> str | None:
    for kind, (_, marks, _) in _RESULT_KINDS.items():
        if any(m in ds.variables or m in ds.attrs for m in marks):
            return kind
    return None


def check_result(ds: Any, where: str, kind: str = "compare", argument: str = "ds") -> None:
    """Refuse anything but a result of *kind* as *argument* of *where*, naming what was given.

    *kind* is ``compare``, ``monte_carlo``, ``sensitivity`` or ``sweep``. Given another kind of
    result, the hint names the table function that fits it.

    Examples
    --------
    >>> check_result(None, "tidy")
    Traceback (most recent call last):
    ...
    cathode_lca.errors.UsageError: tidy: ds must be the xarray.Dataset that cathode_lca.compare returns, got None (NoneType). Fix: e.g. tidy(compare('NMC811'))
    """
    import xarray as xr

    producer, _, _ = _RESULT_KINDS[kind]
    given = _kind_of(ds) if isinstance(ds, xr.Dataset) else None
    if given == kind:
        return
    got = f"{ds!r:.60} ({type(ds).__name__})"
    hint = f"e.g. {where}({producer.rsplit('.', 1)[-1]}('NMC811'{', ...' if kind == 'sweep' else ''}))"
    if isinstance(ds, xr.Dataset):
        names = sorted(map(str, ds.data_vars))
        listed = (
            f"data variables {', '.join(names[:5])}{', ...' if len(names) > 5 else ''}"
            if names
            else "no data variables"
        )
        got = _GIVEN_AS.get(given, f"a {given} result") if given else f"an xarray.Dataset with {listed}"
        if given:
            hint += f"; for {got} use cathode_lca.report.tables.{_RESULT_KINDS[given][2]}(ds)"
    raise UsageError(f"{where}: {argument} must be the xarray.Dataset that {producer} returns, got {got}", hint=hint)


def check_comparison(ds: Any, where: str, argument: str = "ds") -> None:
    """:func:`check_result` for a :func:`compare` result."""
    check_result(ds, where, "compare", argument)
