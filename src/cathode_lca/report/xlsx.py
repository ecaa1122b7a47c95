"""Excel workbooks of results (openpyxl, in the ``report`` extra).

Every workbook has the sheets ``results`` (the main numbers, as in the JSON output),
``contributions`` (by stage, where the result has them), ``parameters`` (name, value, unit,
source of every parameter the result depends on) and ``metadata`` (version, inventory hash,
methods, allocation, seed, ...). Numbers are written as numbers, never as text.

Examples
--------
>>> from cathode_lca import compare                                   # doctest: +SKIP
>>> write_workbook(comparison_sheets(compare("NMC811")), "nmc811.xlsx")  # doctest: +SKIP
>>> import pandas as pd; pd.read_excel("nmc811.xlsx", sheet_name="results")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .tables import _attrs_json, passport_stage_rows, sensitivity_frame, summary, sweep_frame, tidy, uncertainty_frame

if TYPE_CHECKING:
    from ..lca import LCAModel

SHEETS = ("results", "contributions", "parameters", "metadata")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    if hasattr(value, "item"):
        return _plain(value.item())
    return json.dumps(value, default=str, sort_keys=True)


CELL_LIMIT = 32_000  # Excel stores at most 32,767 characters per cell; longer text is split into parts


def metadata_frame(attrs: Mapping[str, Any]) -> Any:
    """``attrs`` as a frame (key, part, value); JSON-valued attributes stay JSON text.

    Excel cells hold at most 32,767 characters, so a longer value is split over consecutive rows
    with the same key and parts 1, 2, ...; joining the parts of a key in order gives the value back
    (:func:`metadata_from_frame`). Nothing is truncated.

    Examples
    --------
    >>> frame = metadata_frame({"seed": 1, "long": "x" * 70_000})
    >>> frame.part.tolist(), metadata_from_frame(frame)["long"] == "x" * 70_000
    ([1, 1, 2, 3], True)
    """
    import pandas as pd

    rows = []
    for k, v in attrs.items():
        value = _plain(v) if not isinstance(v, str) else v
        if isinstance(value, str) and len(value) > CELL_LIMIT:
            for i in range(0, len(value), CELL_LIMIT):
                rows.append({"key": str(k), "part": i // CELL_LIMIT + 1, "value": value[i : i + CELL_LIMIT]})
        else:
            rows.append({"key": str(k), "part": 1, "value": value})
    return pd.DataFrame(rows, columns=["key", "part", "value"])


def metadata_from_frame(frame: Any) -> dict[str, Any]:
    """The metadata dictionary back from a ``metadata`` sheet.

    The parts of a split value are joined in order; a key that appears with several part-1 rows
    (``source``: one row per cited source) gives the list of its values.
    """
    runs: dict[str, list[list[Any]]] = {}
    for row in frame.itertuples(index=False):
        key = str(row.key)
        part = 1 if row.part != row.part or row.part is None else int(row.part)  # NaN: a one-part row
        if part == 1 or key not in runs:
            runs.setdefault(key, []).append([row.value])
        else:
            runs[key][-1].append(row.value)
    out: dict[str, Any] = {}
    for key, values in runs.items():
        joined = ["".join(str(v) for v in run) if len(run) > 1 else run[0] for run in values]
        out[key] = joined[0] if len(joined) == 1 else joined
    return out


def parameters_frame(attrs: Mapping[str, Any], model: LCAModel | None = None) -> Any:
    """Parameters a result depends on: the overrides it records, with unit and source from the inventory.

    Rows: each parameter given in ``attrs['parameters']`` (value as used) and each uncertain
    parameter (``attrs['distributions']``, with its distribution as JSON).
    """
    import pandas as pd

    given = _attrs_json(attrs, "parameters", {}) or {}
    dists = _attrs_json(attrs, "distributions", {}) or {}
    grid = _attrs_json(attrs, "grid", {}) or {}
    names = list(dict.fromkeys([*given, *grid, *dists]))
    inv = None
    if names:
        from ..lca import default_model

        inv = (model or default_model()).inventory
    rows = []
    for name in names:
        p = None
        if inv is not None:
            p = inv.parameters.get(name)
            if p is None:
                matches = [v for k, v in inv.parameters.items() if k.split("::")[-1] == name]
                p = matches[0] if len(matches) == 1 else None
        value = given.get(name)
        rows.append(
            {
                "parameter": name,
                "value": _plain(value) if value is not None else None,
                "swept values": json.dumps(grid[name]) if name in grid else None,
                "distribution": json.dumps(dists[name], sort_keys=True) if name in dists else None,
                "unit": getattr(p, "unit", None),
                "source": getattr(p, "source", None) or ("given by the user" if name in given else None),
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "value", "swept values", "distribution", "unit", "source"])


def sources_rows(attrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": "source", "part": 1, "value": s} for s in _attrs_json(attrs, "sources", []) or []]


def comparison_sheets(ds: Any, model: LCAModel | None = None) -> dict[str, Any]:
    """Sheets of a comparison: totals, contributions by stage (tidy), parameters, metadata."""
    import pandas as pd

    from ..result_kinds import check_comparison

    check_comparison(ds, "comparison_sheets")

    meta = metadata_frame(ds.attrs)
    meta = pd.concat([meta, pd.DataFrame(sources_rows(ds.attrs))], ignore_index=True)
    return {
        "results": summary(ds),
        "contributions": tidy(ds),
        "parameters": parameters_frame(ds.attrs, model),
        "metadata": meta,
    }


def uncertainty_sheets(ds: Any, model: LCAModel | None = None) -> dict[str, Any]:
    """Sheets of a Monte Carlo result (statistics per route and indicator; no stage contributions)."""
    import pandas as pd

    return {
        "results": uncertainty_frame(ds),
        "contributions": pd.DataFrame({"note": ["Monte Carlo results carry no stage contributions; see compare"]}),
        "parameters": parameters_frame(ds.attrs, model),
        "metadata": metadata_frame(ds.attrs),
    }


def sensitivity_sheets(ds: Any, model: LCAModel | None = None) -> dict[str, Any]:
    """Sheets of a sensitivity analysis (indices per route × indicator × parameter)."""
    import pandas as pd

    return {
        "results": sensitivity_frame(ds),
        "contributions": pd.DataFrame({"note": ["sensitivity results carry no stage contributions; see compare"]}),
        "parameters": parameters_frame(ds.attrs, model),
        "metadata": metadata_frame(ds.attrs),
    }


def sweep_sheets(ds: Any, model: LCAModel | None = None) -> dict[str, Any]:
    """Sheets of a sweep (one row per route × indicator × scenario)."""
    import pandas as pd

    return {
        "results": sweep_frame(ds),
        "contributions": pd.DataFrame({"note": ["sweep results carry no stage contributions; see compare"]}),
        "parameters": parameters_frame(ds.attrs, model),
        "metadata": metadata_frame(ds.attrs),
    }


def _cff_unit(name: str, element: str) -> str:
    """Unit of a CFF parameter or emission value of *element* (Battery Pass CF Rules §6.1.2; PEF Annex I).

    The energy term EER − LHV·XER·ESE is in kg CO2-eq per kg only with LHV in MJ per kg and ESE in
    kg CO2-eq per MJ; A, B, R1-R3, the quality ratios and the XER efficiencies are fractions.
    """
    if name == "lhv":
        return f"MJ per kg {element}"
    if name in ("e_se_heat", "e_se_elec"):
        return "kg CO2-eq per MJ"
    if name.startswith("e_"):
        return f"kg CO2-eq per kg {element}"
    return "fraction"


def passport_sheets(declaration: Any, provenance: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Sheets of a battery declaration: stages, CFF per material, model parameters, metadata.

    *provenance* (the scenarios and overridden parameters of ``--scenario``) joins the metadata.
    """
    import pandas as pd

    calc = declaration.calculation
    results = pd.DataFrame(passport_stage_rows(declaration))
    contributions, prow = [], []
    for el, r in declaration.cff.items():
        d = r.as_dict()
        for term, value in d.get("termsKgCO2e", {}).items():
            contributions.append(
                {"material": el, "CFF term": term, "stage": d.get("stages", {}).get(term), "kg CO2-eq": float(value)}
            )
        for group in ("parameters", "emissionsKgCO2ePerKg"):
            for name, v in d.get(group, {}).items():
                prow.append(
                    {
                        "material": el,
                        "parameter": name,
                        "value": _plain(v.get("value")),
                        "unit": _cff_unit(name, el),
                        "source": v.get("source"),
                    }
                )
    for scope, values in (calc.get("modelParameters") or {}).items():
        for name, v in (values or {}).items():
            prow.append(
                {
                    "material": scope,
                    "parameter": name,
                    "value": _plain(v),
                    "unit": "as in the inventory (cathode-lca parameters --search NAME)",
                    "source": "model parameter",
                }
            )
    # which battery and which functional unit the numbers are for come first: a sheet of kg CO2-eq
    # per kWh is not signable without the kWh (E_total over the service life) and the battery
    identity = {
        "battery": calc.get("battery", {}),
        "functionalUnit": calc.get("functionalUnit", {}),
        "carbonFootprintPerformanceClass": declaration.carbon_footprint.get("carbonFootprintPerformanceClass"),
        "draftStatus": calc.get("draftStatus", []),
        "complianceWarnings": calc.get("complianceWarnings", []),
    }
    meta = metadata_frame(
        {**identity, **calc.get("metadata", {}), **(provenance or {}), "warnings": calc.get("warnings", [])}
    )
    return {
        "results": results,
        "contributions": pd.DataFrame(contributions, columns=["material", "CFF term", "stage", "kg CO2-eq"]),
        "parameters": pd.DataFrame(prow, columns=["material", "parameter", "value", "unit", "source"]),
        "metadata": meta,
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _keep_text(ws: Any) -> None:
    """Store every text cell as text: user names that start like a formula are never formulas.

    openpyxl turns a string that starts with ``=`` into a formula (a scenario named
    ``=HYPERLINK(...)`` would run in the reader's Excel); the workbooks hold no formulas, so such a
    cell is set back to text. Text that a spreadsheet would evaluate when the cell is edited or
    imported (``=``, ``+``, ``-``, ``@``, tab, CR first) gets Excel's quote prefix: the value is kept
    exactly, only the cell's style says "text".
    """
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True


EXCEL_CELL_MAX = 32_767  # characters in one Excel cell


def _check_cell_lengths(sheet: str, frame: Any) -> None:
    """Refuse text that an Excel cell cannot hold (openpyxl would cut it with only a Python warning).

    The ``metadata`` sheet splits long values over rows (:func:`metadata_frame`); a name in a data
    sheet (a scenario name in every row of ``results``) cannot be split, so it is an error.
    """
    for column in frame.columns:
        if frame[column].dtype.kind not in "OSU":
            continue
        for row, value in enumerate(frame[column].tolist(), start=2):
            if isinstance(value, str) and len(value) > EXCEL_CELL_MAX:
                from ..errors import UsageError

                raise UsageError(
                    f"sheet '{sheet}', column '{column}', row {row}: {len(value):,} characters do not fit an Excel "
                    f"cell ({EXCEL_CELL_MAX:,}); the workbook would silently cut it ('{value[:40]}...')",
                    hint="shorten the name (scenario, plant or battery names) or use --format csv or json",
                )


def workbook_bytes(sheets: Mapping[str, Any]) -> bytes:
    """The sheets (``{name: DataFrame}``) as an .xlsx file; column widths fit the contents."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        from ..errors import UsageError

        raise UsageError("Excel output needs openpyxl", hint='pip install "cathode-lca[report]"') from None
    import pandas as pd

    for name, frame in sheets.items():
        _check_cell_lengths(name, frame)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            ws.freeze_panes = "A2"
            _keep_text(ws)
            for col in ws.columns:
                width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
                ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))
    return buf.getvalue()


def write_workbook(sheets: Mapping[str, Any], path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the sheets to *path* atomically; refuse to overwrite unless asked."""
    from ..errors import UsageError
    from ..io import write_bytes_atomic

    if not isinstance(sheets, Mapping):
        raise UsageError(
            f"sheets must be a mapping of sheet name to pandas.DataFrame, got {sheets!r:.60} ({type(sheets).__name__})",
            hint="e.g. write_workbook(comparison_sheets(compare('NMC811')), 'nmc811.xlsx')",
        )

    write_bytes_atomic(path, workbook_bytes(sheets), overwrite=overwrite)
    return Path(path)
