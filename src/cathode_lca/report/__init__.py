"""Results people read and reuse: tidy tables, terminal tables, charts, HTML and Excel.

Light at import: pandas, rich, matplotlib and openpyxl load inside the functions that need them.

Examples
--------
>>> from cathode_lca import compare                       # doctest: +SKIP
>>> from cathode_lca.report import tidy                   # doctest: +SKIP
>>> tidy(compare("NMC811")).groupby(["route", "indicator"]).value.sum()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["tidy", "summary"]


def tidy(ds: Any) -> Any:
    """One row per route × indicator × stage (see :func:`cathode_lca.report.tables.tidy`)."""
    from .tables import tidy as _tidy

    return _tidy(ds)


def summary(ds: Any) -> Any:
    """One row per route × indicator (see :func:`cathode_lca.report.tables.summary`)."""
    from .tables import summary as _summary

    return _summary(ds)
