"""Tidy data frames of results, and readable terminal tables.

Tidy frames have one observation per row, so that ``groupby(...).sum()`` gives the right
totals: the comparison frame from :func:`tidy` has one row per route × indicator × stage
and its ``value`` column is the stage's contribution (the stages of a route add up to the
route's total). Every frame carries the unit, functional unit, region, allocation and
scenario, so a CSV file stands on its own.

Examples
--------
>>> from cathode_lca import compare                                         # doctest: +SKIP
>>> df = tidy(compare("NMC811"))                                            # doctest: +SKIP
>>> df.groupby(["route", "indicator"]).value.sum()   # route totals          # doctest: +SKIP
>>> format_number(25.48943), format_number(1012.4), format_number(7e-15, scale=25.0)
('25.49', '1012', '0')
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

#: Significant figures of numbers in terminal tables.
SIG = 4
#: Values smaller than this fraction of the largest value of their column print as 0.
TINY = 1e-9

CONTEXT_COLUMNS = ("functional_unit", "functional_unit_code", "region", "allocation", "scenario")


def _attrs_json(attrs: Mapping[str, Any], key: str, default: Any) -> Any:
    value = attrs.get(key, default)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def scenario_label(attrs: Mapping[str, Any]) -> str:
    """The scenario(s) a result was computed with: names joined by '+', or 'default'."""
    for key in ("scenarios", "scenario"):
        value = _attrs_json(attrs, key, None)
        if not value:
            continue
        if isinstance(value, Mapping):
            value = list(value)
        if isinstance(value, list):
            names = [str(v.get("name", v)) if isinstance(v, Mapping) else str(v) for v in value]
            return "+".join(names) if names else "default"
        return str(value)
    return "default"


def context(attrs: Mapping[str, Any]) -> dict[str, str]:
    """Functional unit, region, allocation and scenario of a result (its ``attrs``)."""
    return {
        "functional_unit": str(attrs.get("functional_unit", "")),
        "functional_unit_code": str(attrs.get("functional_unit_code", "")),
        "region": str(attrs.get("region", "")),
        "allocation": str(attrs.get("allocation", "")),
        "scenario": scenario_label(attrs),
    }


def tidy(ds: Any, *, drop_zero: bool = False) -> Any:
    """Comparison result (:func:`cathode_lca.compare`) as a tidy ``pandas.DataFrame``.

    One row per route × indicator × stage with the columns ``chemistry, route,
    indicator, method, unit, stage, value`` and the context columns ``functional_unit,
    functional_unit_code, region, allocation, scenario``. ``value`` is the stage's
    contribution, so summing over stages gives the route's total. Routes that do not
    apply to the functional unit are left out.

    Parameters
    ----------
    ds
        The ``xarray.Dataset`` returned by :func:`cathode_lca.compare`.
    drop_zero
        Leave out stages that contribute exactly 0.

    Examples
    --------
    >>> df = tidy(compare("NMC811", indicators=["gwp100"]))             # doctest: +SKIP
    >>> df.groupby("route").value.sum()["virgin"]                       # doctest: +SKIP
    25.49...
    """
    import numpy as np
    import pandas as pd

    from ..result_kinds import check_comparison

    check_comparison(ds, "tidy")  # a UsageError naming the argument, not AttributeError: 'NoneType' ... 'attrs'
    ctx = context(ds.attrs)
    rows = []
    stages = ds.stage.values.tolist()
    for head, _value in _computed(ds):
        values = np.asarray(ds.by_stage.sel(route=head["route"], indicator=head["indicator"]).values, dtype=float)
        for stage, v in zip(stages, values, strict=True):
            if drop_zero and v == 0:
                continue
            rows.append({**head, "stage": stage, "value": float(v), **ctx})
    columns = ["chemistry", "route", "indicator", "method", "unit", "stage", "value", *CONTEXT_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def summary(ds: Any) -> Any:
    """Comparison totals: one row per route × indicator (value, difference to virgin, % change).

    Examples
    --------
    >>> summary(compare("NMC811")).set_index(["route", "indicator"]).value   # doctest: +SKIP
    """
    import pandas as pd

    from ..result_kinds import check_comparison

    check_comparison(ds, "summary")
    ctx = context(ds.attrs)
    rows = []
    for head, value in _computed(ds):
        at = {"route": head["route"], "indicator": head["indicator"]}
        difference, change = float(ds.difference.sel(**at)), float(ds.relative_change.sel(**at))
        rows.append({**head, "value": value, "difference": difference, "change_pct": change, **ctx})
    columns = ["chemistry", "route", "indicator", "method", "unit", "value", "difference", "change_pct"]
    return pd.DataFrame(rows, columns=[*columns, *CONTEXT_COLUMNS])


def passport_stage_rows(declaration: Any) -> list[dict[str, Any]]:
    """The stages of a battery declaration and their total: ``stage``, ``kg CO2-eq``, ``kg CO2-eq/kWh``.

    One row per life-cycle stage (in the regulation's order) and a last ``total`` row; the rows
    behind the passport table of the HTML report and the xlsx ``results`` sheet.
    """
    from ..passport.stages import STAGES

    rows = [
        {
            "stage": s,
            "kg CO2-eq": float(declaration.stages_absolute[s]),
            "kg CO2-eq/kWh": float(declaration.stages_per_kwh[s]),
        }
        for s in STAGES
    ]
    total = {"kg CO2-eq": float(declaration.total_absolute), "kg CO2-eq/kWh": float(declaration.total_per_kwh)}
    return [*rows, {"stage": "total", **total}]


def _computed(ds: Any) -> Iterator[tuple[dict[str, str], float]]:
    """Each computed route × indicator of a comparison (not-applicable routes, NaN, left out): the
    row's leading columns (chemistry, route, indicator, method, unit) and the route's total."""
    for route in ds.route.values.tolist():
        for ind in ds.indicator.values.tolist():
            value = float(ds.value.sel(route=route, indicator=ind))
            if math.isnan(value):
                continue
            head = {
                "chemistry": str(ds.attrs.get("chemistry", "")),
                "route": route,
                "indicator": ind,
                "method": str(ds.method.sel(indicator=ind).item()),
                "unit": str(ds.unit.sel(indicator=ind).item()),
            }
            yield head, value


def uncertainty_frame(ds: Any) -> Any:
    """Monte Carlo result as one row per route × indicator.

    Columns: ``route, indicator, unit, deterministic``, the statistics (``mean, median,
    std, q2.5, q97.5``), the same statistics of the difference to virgin prefixed
    ``difference_``, ``p_lower_than_virgin``, ``samples``, ``seed`` and the context columns.
    """
    import pandas as pd

    ctx = context(ds.attrs)
    stats = [str(s) for s in ds.statistic.values.tolist()]
    rows = []
    for route in ds.route.values.tolist():
        for ind in ds.indicator.values.tolist():
            row: dict[str, Any] = {
                "chemistry": str(ds.attrs.get("chemistry", "")),
                "route": route,
                "indicator": ind,
                "unit": str(ds.unit.sel(indicator=ind).item()),
                "deterministic": float(ds.deterministic.sel(route=route, indicator=ind)),
            }
            for s, v in zip(stats, ds.statistics.sel(route=route, indicator=ind).values, strict=True):
                row[s] = float(v)
            for s in stats:
                row[f"difference_{s}"] = float("nan")
            row["p_lower_than_virgin"] = float("nan")
            if "difference" in ds and route != "virgin":
                for s, v in zip(stats, ds.difference.sel(route=route, indicator=ind).values, strict=True):
                    row[f"difference_{s}"] = float(v)
                row["p_lower_than_virgin"] = float(ds.p_lower_than_virgin.sel(route=route, indicator=ind))
            row["samples"] = int(ds.attrs.get("samples", ds.sizes.get("sample", 0)))
            row["seed"] = ds.attrs.get("seed", "")
            rows.append({**row, **ctx})
    return pd.DataFrame(rows)


def sensitivity_frame(ds: Any) -> Any:
    """Sensitivity indices as one row per route × indicator × parameter, ranked within each group.

    Sobol: ``S1, S1_conf, ST, ST_conf``; Morris: ``mu_star, mu_star_conf, sigma``. ``rank``
    is 1 for the most influential parameter (by ``ST`` or ``mu_star``).
    """

    technique = str(ds.attrs.get("technique", ""))
    key = "ST" if "ST" in ds else "mu_star"
    names = [v for v in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma") if v in ds]
    frame = ds[names].to_dataframe().reset_index()
    frame = frame.sort_values(["route", "indicator", key], ascending=[True, True, False], kind="stable")
    frame["rank"] = frame.groupby(["route", "indicator"]).cumcount() + 1
    frame.insert(0, "technique", technique)
    frame.insert(0, "chemistry", str(ds.attrs.get("chemistry", "")))
    order = {r: i for i, r in enumerate(ds.route.values.tolist())}
    frame = frame.sort_values(["route", "indicator", "rank"], key=lambda c: c.map(order) if c.name == "route" else c)
    for col, val in context(ds.attrs).items():
        frame[col] = val
    return frame.reset_index(drop=True)


def sweep_frame(ds: Any) -> Any:
    """Sweep result as one row per route × indicator × scenario of the grid, with the unit."""
    frame = ds.value.to_dataframe().reset_index()
    if "unit" in ds.coords:
        units = {i: str(ds.unit.sel(indicator=i).item()) for i in ds.indicator.values}
    else:  # a sweep carries no unit coordinate: the indicator's method gives it
        from ..comparison import INDICATORS
        from ..methods import load_method

        units = {i: load_method(INDICATORS.get(str(i), str(i))).unit for i in ds.indicator.values}
    frame.insert(frame.columns.get_loc("value") + 1, "unit", frame["indicator"].map(units))
    for col, val in context(ds.attrs).items():
        if col == "region" and "plant_region" in ds.dims:
            continue  # the grid's plant_region column is the region of each row; one base region would contradict it
        if col in frame.columns:
            continue  # a dimension of the grid (a sweep over scenario files has 'scenario'): its value per row wins
        frame[col] = val
    return frame


# ---------------------------------------------------------------------------------------------
# number formatting and terminal tables


def format_number(x: Any, *, sig: int = SIG, scale: float | None = None) -> str:
    """*x* with *sig* significant figures, fixed notation between 1e-3 and 1e6.

    Values whose magnitude is below ``TINY × scale`` (numerical noise next to the largest
    value of their column) print as ``0``; NaN and None print as an empty string.

    Examples
    --------
    >>> format_number(-8.625), format_number(365.61), format_number(0.00123456)
    ('-8.625', '365.6', '0.001235')
    >>> format_number(2.5e7), format_number(float("nan"))
    ('2.500e+07', '')
    """
    if x is None:
        return ""
    v = float(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 or (scale and abs(v) < TINY * abs(scale)):
        return "0"
    mag = math.floor(math.log10(abs(v)))
    if mag >= 6 or mag < -3:
        return f"{v:.{sig - 1}e}"
    decimals = max(0, sig - 1 - mag)
    text = f"{v:.{decimals}f}"
    if float(text) == 0:  # rounding noise like 1e-10 within a column of small numbers
        return "0"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def terminal_width(default: int = 100) -> int:
    return shutil.get_terminal_size((default, 24)).columns


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    width: int | None = None,
    sig: int = SIG,
) -> str:
    """A plain-text table: numbers right-aligned with *sig* significant figures, fits *width*.

    Numeric columns are those whose non-empty cells are all numbers; tiny values (below
    ``TINY`` × the column's largest magnitude) print as 0. *headers* renames columns (e.g.
    to add units). Text columns wrap when the table is wider than *width* (default: the
    terminal's width).
    """
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..io import display_text

    names: dict[str, str] = dict(headers or {})
    numeric = {}
    scale = {}
    for c in columns:
        cells: list[Any] = [r.get(c) for r in rows if r.get(c) not in (None, "")]
        numeric[c] = bool(cells) and all(_is_number(v) for v in cells)
        finite = [abs(float(v)) for v in cells if numeric[c] and math.isfinite(float(v))]
        scale[c] = max(finite) if finite else None
    table = Table(
        box=box.SIMPLE_HEAD, title=Text(title) if title else None, title_justify="left", show_edge=False, pad_edge=True
    )
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if numeric[c] and _is_number(v):
                cells.append(format_number(v, sig=sig, scale=scale[c]))
            else:
                cells.append("" if v is None else display_text(str(v), newlines=True))  # names: shown, not obeyed
        body.append(cells)

    def longest_word(text: str) -> int:
        return max((len(w) for w in text.split()), default=0)

    def longest_line(text: str) -> int:
        return max((len(line) for line in text.splitlines()), default=0)

    # column widths: natural widths if they fit; else wrappable text columns (not the first one,
    # never numbers) shrink towards their longest word; never narrower than that
    natural, minimum = [], []
    for k, c in enumerate(columns):
        cells = [b[k] for b in body]
        head = names.get(c, c)
        natural.append(max([longest_line(head), *(longest_line(x) for x in cells), 1]))
        whole = numeric[c] or k == 0
        atoms = [longest_line(x) if whole else longest_word(x) for x in cells]
        minimum.append(min(natural[-1], max([longest_word(head), *atoms, 1])))
    gaps = 3 * len(columns) + 1
    budget = (width or terminal_width()) - gaps
    widths = list(natural)
    excess = sum(widths) - budget
    shrinkable = [k for k in range(len(columns)) if widths[k] > minimum[k]]
    while excess > 0 and shrinkable:
        k = max(shrinkable, key=lambda j: widths[j] - minimum[j])
        step = min(excess, widths[k] - minimum[k], max(1, (widths[k] - minimum[k]) // 2))
        widths[k] -= step
        excess -= step
        shrinkable = [j for j in shrinkable if widths[j] > minimum[j]]
    for k, c in enumerate(columns):
        table.add_column(
            Text(names.get(c, c)), justify="right" if numeric[c] else "left", overflow="fold", width=widths[k]
        )
    for cells in body:
        table.add_row(*(Text(cell) for cell in cells))
    buf = StringIO()
    console = Console(file=buf, width=sum(widths) + gaps + 2, color_system=None, highlight=False, soft_wrap=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").splitlines())


def top_stages(by_stage: Mapping[str, float], n: int) -> list[tuple[str, float]]:
    """The *n* stages with the largest absolute contribution, largest first."""
    return sorted(((s, v) for s, v in by_stage.items() if v != 0), key=lambda kv: -abs(kv[1]))[:n]


def comparison_text(ds: Any, top: int = 3, width: int | None = None) -> str:
    """The terminal view of a comparison: one table per indicator, units in the headers.

    Columns: route, value, difference to virgin, % change, and the *top* contributing
    stages (``--top``; 0 leaves the column out).
    """
    from ..io import display_text

    width = width or terminal_width()
    notes = _attrs_json(ds.attrs, "not_applicable", {}) or {}
    lines = [
        f"{ds.attrs['chemistry']}: virgin vs recycled per {ds.attrs['functional_unit']}",
        f"region {ds.attrs['region']} (recycling and cathode plants), allocation {ds.attrs['allocation']}, "
        f"scenario {display_text(scenario_label(ds.attrs))}, methods {ds.attrs['methods']}",
    ]
    frame = summary(ds)
    stages = ds.stage.values.tolist()
    for ind in ds.indicator.values.tolist():
        unit = str(ds.unit.sel(indicator=ind).item())
        rows = []
        scale = max((abs(v) for v in frame.loc[frame.indicator == ind, "value"]), default=0.0)
        for rec in frame[frame.indicator == ind].to_dict(orient="records"):
            by_stage = dict(
                zip(stages, ds.by_stage.sel(route=rec["route"], indicator=ind).values.tolist(), strict=True)
            )
            virgin = rec["route"] == "virgin"
            row = {
                "route": rec["route"],
                "value": rec["value"],
                "vs virgin": None if virgin or math.isnan(rec["difference"]) else rec["difference"],
                "change": None if virgin or math.isnan(rec["change_pct"]) else rec["change_pct"],
            }
            if top > 0:
                row["top stages"] = "\n".join(
                    f"{s} {format_number(v, sig=3, scale=scale)}" for s, v in top_stages(by_stage, top)
                )
            rows.append(row)
        cols = ["route", "value", "vs virgin", "change"] + (["top stages"] if top > 0 else [])
        headers = {"value": f"value [{unit}]", "vs virgin": "vs virgin", "change": "change [%]"}
        lines += ["", f"{ind} [{unit}]", render_table(rows, cols, headers=headers, width=width)]
    for route, note in notes.items():
        lines.append(f"\n{route}: not applicable ({note})")
    lines += ["", f"inventory hash {ds.attrs['inventory_hash'][:12]}, version {ds.attrs['package_version']}"]
    return "\n".join(lines)
