"""Glue between the command line and the report writers: checks first, then charts and workbooks.

Checks run before any computation, so that a bad ``--plot`` or ``--out`` name fails at once.

Examples
--------
>>> check_plot_path(None, overwrite=False)   # nothing to check
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..lca import LCAModel


def check_plot_path(path: str | None, *, overwrite: bool) -> None:
    """Refuse a ``--plot`` file that exists (without ``--overwrite``) or is neither .svg nor .png."""
    if not path:
        return
    from ..io import check_writable

    if Path(path).suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"--plot '{path}' is neither .svg nor .png", hint="e.g. --plot chart.svg")
    check_writable(path, overwrite)


def check_outputs(fmt: str, out: str | None, plot: str | None, *, overwrite: bool) -> None:
    """Before any work: ``--out`` may be written (once), xlsx has an ``--out``, and ``--plot`` is fine.

    ``--out`` and ``--plot`` may not name the same file: the second write would either fail after the
    whole computation (leaving only the chart) or, with ``--overwrite``, silently replace the chart.
    """
    if fmt == "xlsx" and not out:
        raise UsageError("--format xlsx needs --out FILE", hint="e.g. --out results.xlsx")
    if out and (fmt == "xlsx") != (Path(out).suffix.lower() == ".xlsx"):  # Excel opens only what it can read
        raise UsageError(
            f"--format {fmt} and --out '{out}' disagree: "
            + ("a workbook needs a name ending in .xlsx" if fmt == "xlsx" else f"a .xlsx file would hold {fmt} text"),
            hint="e.g. --format xlsx --out result.xlsx, or --format csv --out result.csv",
        )
    if out and plot and os.path.realpath(out) == os.path.realpath(plot):
        raise UsageError(
            f"--out and --plot both name '{out}'", hint="give the chart its own file, e.g. --plot chart.svg"
        )
    if out:
        from ..io import check_writable

        check_writable(out, overwrite)
    check_plot_path(plot, overwrite=overwrite)


def check_not_inputs(inputs: dict[str, str | None], outputs: dict[str, str | None]) -> None:
    """Refuse an output that names one of the command's input files (``--out battery.yaml``).

    ``--overwrite`` allows replacing an earlier result, not the file the result is computed from:
    the battery file replaced by its own declaration is lost, and the next run fails to read it.
    """
    for out_flag, out in outputs.items():
        for in_flag, source in inputs.items():
            if out and source and os.path.exists(source) and os.path.realpath(out) == os.path.realpath(source):
                raise UsageError(
                    f"{out_flag} '{out}' is the input file {in_flag}",
                    hint="write the result to a new file; --overwrite never replaces an input",
                )


def write_plot(kind: str, result: Any, path: str, *, overwrite: bool, **options: Any) -> None:
    """Draw the chart of *kind* (compare, waterfall, processes, uncertainty, sensitivity, tornado, sweep, passport)."""
    import click

    from . import plots

    indicator = options.get("indicator")
    if kind == "compare":
        fig = plots.contribution_bars(result, indicator or str(result.indicator.values[0]))
    elif kind == "waterfall":
        recycled = [r for r in result.route.values.tolist() if r != "virgin"]
        if "virgin" not in result.route.values.tolist() or not recycled:
            raise UsageError("a waterfall needs virgin and a recycled route", hint="drop --route or add both")
        fig = plots.waterfall(result, recycled[0], indicator or str(result.indicator.values[0]))
    elif kind == "uncertainty":
        fig = plots.mc_distributions(result, indicator or str(result.indicator.values[0]))
    elif kind == "sensitivity":
        routes = result.route.values.tolist()
        route = next((r for r in routes if r != "virgin" and not r.endswith("-minus-virgin")), routes[0])
        fig = plots.sensitivity_bars(result, route, indicator or str(result.indicator.values[0]))
    elif kind == "sweep":
        fig = plots.sweep_chart(result, indicator or str(result.indicator.values[0]))
    elif kind == "processes":
        fig = plots.process_bars(result, options["method"])
    elif kind == "tornado":
        fig = plots.tornado(result, unit=options.get("unit", ""), title=options.get("title", ""))
    elif kind == "passport":
        fig = plots.passport_stages(result)
    else:  # pragma: no cover - programming error
        raise ValueError(kind)
    plots.save_figure(fig, path, overwrite=overwrite)
    click.echo(f"wrote {path}", err=True)


def xlsx_bytes(kind: str, result: Any, model: LCAModel | None = None) -> bytes:
    """The workbook of *kind* (compare, uncertainty, sensitivity, sweep, passport), not yet written.

    Commands render it before writing any file, so that a workbook that cannot be made (text too
    long for a cell) leaves no chart or PACT file behind.
    """
    from . import xlsx

    builders = {
        "compare": xlsx.comparison_sheets,
        "uncertainty": xlsx.uncertainty_sheets,
        "sensitivity": xlsx.sensitivity_sheets,
        "sweep": xlsx.sweep_sheets,
    }
    sheets = xlsx.passport_sheets(result) if kind == "passport" else builders[kind](result, model)
    return xlsx.workbook_bytes(sheets)


def write_xlsx(
    kind: str, result: Any, out: str, *, overwrite: bool, model: LCAModel | None = None, data: bytes | None = None
) -> None:
    """Write the workbook of *kind* to *out* (*data*: the workbook already rendered by :func:`xlsx_bytes`)."""
    import click

    from ..io import write_bytes_atomic

    write_bytes_atomic(out, xlsx_bytes(kind, result, model) if data is None else data, overwrite=overwrite)
    click.echo(f"wrote {out}", err=True)
