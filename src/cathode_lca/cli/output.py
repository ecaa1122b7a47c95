"""How commands print or write their results: stdout or an atomic ``--out`` file, tables, CSV, netCDF.

Examples
--------
>>> print(format_csv([{"route": "virgin", "value": 1.5}], ["route", "value"]))
route,value
virgin,1.5
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Literal

import click

from ..errors import UsageError
from ..result_warnings import warnings_of


def emit(text: str, out: str | None, overwrite: bool) -> None:
    """Print *text*, or write it atomically to *out*."""
    if out:
        from ..io import write_text_atomic

        write_text_atomic(out, text if text.endswith("\n") else text + "\n", overwrite=overwrite)
        click.echo(f"wrote {out}", err=True)
    else:
        echo_result(text)


def echo_result(text: str) -> None:
    """Print a result on stdout; an encoding that cannot show it is a clean error, not a traceback.

    Names, sources and symbols (§, →, CO₂) are Unicode; a terminal or pipe set to latin-1 or ASCII
    cannot print every one of them.
    """
    try:
        click.echo(text)
    except UnicodeEncodeError as exc:
        from ..errors import OutputError

        raise OutputError(
            f"standard output ({exc.encoding}) cannot show {exc.object[exc.start : exc.end]!a} in the result",
            hint="write it to a file with --out FILE (UTF-8), or set PYTHONIOENCODING=utf-8",
        ) from None


def format_table(rows: list[dict[str, Any]], columns: list[str], headers: dict[str, str] | None = None) -> str:
    """Terminal table: numbers right-aligned with 4 significant figures, fits the terminal's width."""
    from ..report.tables import render_table

    return render_table(rows, columns, headers=headers)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """*value* for a CSV cell: text that a spreadsheet would run as a formula gets a leading ``'``.

    Names come from users (scenario, plant, parameter names); a cell starting with ``=``, ``+``,
    ``-``, ``@``, tab or CR is evaluated by Excel and LibreOffice when the CSV is opened (OWASP
    "CSV injection"). Numbers, and text that is a number (``-0.5``), are left alone.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-0.5"), csv_cell(-2.0), csv_cell("virgin")
    ("'=HYPERLINK(1)", '-0.5', -2.0, 'virgin')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def _quoting(values: Any) -> Literal[0, 1, 2, 3]:
    """QUOTE_MINIMAL, or QUOTE_NONNUMERIC when some text holds a CR.

    With ``\\n`` line ends the csv module quotes a field with LF but not one with a lone CR, which
    readers (Excel, ``csv`` with ``newline=""``) take as the end of the row: the row would split.
    """
    import csv

    carriage = any(isinstance(v, str) and "\r" in v for v in values)
    return csv.QUOTE_NONNUMERIC if carriage else csv.QUOTE_MINIMAL


def format_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import csv
    import io

    safe = [{k: csv_cell(v) for k, v in r.items()} for r in rows]
    quoting = _quoting(v for r in safe for v in r.values())
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n", quoting=quoting)
    writer.writeheader()
    for r in safe:
        writer.writerow(r)
    return buf.getvalue().rstrip("\n")


#: Provenance written into every row of a result CSV: a CSV file travels without its JSON metadata.
CSV_PROVENANCE = ("package_version", "inventory_hash")


def frame_csv(frame: Any, attrs: Any = None) -> str:
    """A pandas frame as CSV text (no index, ``\\n`` line ends), text cells through :func:`csv_cell`.

    With a result's *attrs*, each row also gets the package version and the inventory hash.
    """
    safe = frame.copy()
    for key in CSV_PROVENANCE:
        if attrs is not None and key in attrs and key not in safe.columns:
            safe[key] = str(attrs[key])
    text = [c for c in safe.columns if safe[c].dtype.kind in "OSU"]  # object, numpy or pandas strings
    for column in text:
        safe[column] = safe[column].map(csv_cell)
    quoting = _quoting(v for c in text for v in safe[c].tolist())
    return str(safe.to_csv(index=False, lineterminator="\n", quoting=quoting)).rstrip("\n")


def print_warnings(ds: Any) -> None:
    """Contract 3: every result warning on stderr, prefixed 'warning: '."""
    from ..io import display_text

    for warning in warnings_of(ds):
        click.echo(f"warning: {display_text(warning)}", err=True)


def write_netcdf(ds: Any, out: str | None, overwrite: bool) -> None:
    if not out:
        raise UsageError("--format netcdf needs --out FILE", hint="e.g. --out results.nc")
    if isinstance(ds.attrs.get("warnings"), list):  # netCDF attributes hold text, not lists
        ds = ds.assign_attrs(warnings=json.dumps(ds.attrs["warnings"]))
    from ..io import write_with

    write_with(out, lambda tmp: ds.to_netcdf(tmp, engine="scipy"), overwrite=overwrite)
    click.echo(f"wrote {out}", err=True)


def json_metadata(attrs: Any) -> dict[str, Any]:
    """A result's ``attrs`` for ``--format json``: values stored as JSON text (objects, lists) become JSON again.

    xarray attributes hold text, so nested metadata (background, distributions, scenarios) is kept as
    JSON text in ``attrs``; written as it is, it would be a string inside the JSON output.

    >>> json_metadata({"seed": 1, "background": '{"kind": "shipped"}', "note": "[not JSON"})
    {'seed': 1, 'background': {'kind': 'shipped'}, 'note': '[not JSON'}
    """
    out: dict[str, Any] = {}
    for key, value in dict(attrs).items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):  # text that only starts like JSON stays text
                value = json.loads(value)
        elif key == "seed" and isinstance(value, str) and value.isdigit():  # a seed from 2**31 on is text in attrs
            value = int(value)
        out[key] = value
    return out


def num(x: Any) -> float | None:
    import math

    v = float(x)
    return None if math.isnan(v) else v


def write_files(kind: str, ds: Any, *, plot: str | None, fmt: str, out: str | None, overwrite: bool) -> bool:
    """Write the chart (``--plot``) and the file formats (xlsx, netcdf) of a result of *kind*.

    Returns True when the chosen format was written as a file and nothing is left to print.
    """
    workbook = None
    if fmt == "xlsx":  # rendered first: a workbook that cannot be made leaves no chart behind
        from ..report.output import xlsx_bytes

        workbook = xlsx_bytes(kind, ds)
    if plot:
        from ..report.output import write_plot

        write_plot(kind, ds, plot, overwrite=overwrite)
    if workbook is not None:
        from ..report.output import write_xlsx

        write_xlsx(kind, ds, str(out), overwrite=overwrite, data=workbook)
        return True
    if fmt == "netcdf":
        write_netcdf(ds, out, overwrite)
        return True
    return False
