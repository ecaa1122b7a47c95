"""Charts of results (matplotlib), in one style with the colour-blind-safe Okabe-Ito palette.

Every function returns a ``matplotlib.figure.Figure``; :func:`save_figure` writes it as SVG or
PNG (by the file's suffix) atomically, refusing to overwrite without ``overwrite=True``.
matplotlib runs with the non-interactive Agg backend and is imported only when a chart is drawn
(it is in the ``report`` extra).

Examples
--------
>>> from cathode_lca import compare                                       # doctest: +SKIP
>>> fig = contribution_bars(compare("NMC811"), "gwp100")                  # doctest: +SKIP
>>> save_figure(fig, "contributions.svg")                                 # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .tables import format_number

#: Okabe & Ito (2008) colour-blind-safe palette (orange, sky blue, bluish green, yellow, blue,
#: vermillion, reddish purple, black) and a neutral grey for "other".
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
GREY = "#999999"
#: One colour per route, the same in every chart.
ROUTE_COLOURS = {
    "virgin": "#000000",
    "hydrometallurgical": "#0072B2",
    "pyrometallurgical": "#D55E00",
    "direct": "#009E73",
}
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "cathode-lca",
}


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - depends on the environment
        from ..errors import UsageError

        raise UsageError("charts need matplotlib", hint='pip install "cathode-lca[report]"') from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _label(text: str) -> str:
    """A user's name as chart text: shown as typed, never parsed.

    Matplotlib reads text between ``$`` signs as mathtext: a battery called ``Pack $5 $10`` was set
    in italics and ``Pack $\\frac{1 $`` stopped the chart with a parse error. Control characters and
    bidi overrides are shown as escapes (:func:`cathode_lca.io.display_text`).

    >>> _label("Pack $5 $10")
    'Pack \\\\$5 \\\\$10'
    """
    from ..io import display_text

    return display_text(text).replace("$", r"\$")


def _figure(width: float = 7.0, height: float = 4.0, ncols: int = 1, nrows: int = 1) -> tuple[Any, Any]:
    plt = _plt()
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained")
    for ax in axes.ravel():
        _style_axes(ax)
    return fig, axes


def _style_axes(ax: Any) -> None:
    for key in ("top", "right"):
        ax.spines[key].set_visible(False)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def _pad_y(ax: Any, lo: float, hi: float, pad: float = 0.12) -> None:
    """Room above (and below, for negative values) the data for value labels."""
    span = (hi - lo) or 1.0
    ax.set_ylim(lo - (pad * span if lo < 0 else 0.0), hi + pad * span)


def colour(i: int) -> str:
    """The *i*-th palette colour (cycles)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def route_colour(route: str, i: int = 0) -> str:
    return ROUTE_COLOURS.get(route.removesuffix("-minus-virgin"), colour(i))


def _unit(ds: Any, indicator: str) -> str:
    if "unit" in ds.coords:
        return str(ds.unit.sel(indicator=indicator).item())
    from ..comparison import INDICATORS
    from ..methods import load_method

    return str(load_method(INDICATORS[indicator]).unit) if indicator in INDICATORS else ""


def _stacked(ax: Any, labels: Sequence[str], parts: Mapping[str, Sequence[float]], colours: Mapping[str, str]) -> None:
    """Stacked bars where negative parts stack downwards from 0, with a total marker per bar."""
    import numpy as np

    x = np.arange(len(labels))
    pos = np.zeros(len(labels))
    neg = np.zeros(len(labels))
    for name, values in parts.items():
        v = np.asarray(values, dtype=float)
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, 0.6, bottom=bottom, label=name, color=colours[name], edgecolor="white", linewidth=0.5)
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    totals = pos + neg
    ax.scatter(x, totals, marker="D", s=22, color="white", edgecolor="black", zorder=5, label="net total")
    for xi, t in zip(x, totals, strict=True):
        ax.annotate(
            format_number(t, sig=3),
            (xi, max(t, 0) if t >= 0 else t),
            xytext=(0, 4 if t >= 0 else -11),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels)
    _pad_y(ax, float(neg.min(initial=0.0)), float(pos.max(initial=0.0)))


def contribution_bars(ds: Any, indicator: str = "gwp100") -> Any:
    """Stacked bars of the contribution of each life-cycle stage, one bar per route.

    *ds* is a comparison (:func:`cathode_lca.compare`). Stages that are 0 on every route are
    left out; negative contributions (credits) stack below 0; a diamond marks the net total.
    """
    import numpy as np

    from ..result_kinds import check_comparison

    check_comparison(ds, "contribution_bars")

    routes = [r for r in ds.route.values.tolist() if not math.isnan(float(ds.value.sel(route=r, indicator=indicator)))]
    data = ds.by_stage.sel(indicator=indicator, route=routes)
    stages = [s for s in ds.stage.values.tolist() if np.any(data.sel(stage=s).values != 0)]
    # colours follow the stage's place in the comparison (the same in every chart), stacking the size
    every = ds.stage.values.tolist()
    colours = {s: colour(every.index(s)) if every.index(s) < len(OKABE_ITO) else GREY for s in stages}
    stages.sort(key=lambda s: -float(np.abs(data.sel(stage=s).values).sum()))
    parts = {s: data.sel(stage=s).values for s in stages}
    fig, axes = _figure(7.0, 4.2)
    ax = axes[0, 0]
    _stacked(ax, routes, parts, colours)
    ax.set_ylabel(f"{indicator} [{_unit(ds, indicator)}]")
    ax.set_title(
        f"{ds.attrs.get('chemistry', '')}: contributions by stage per {ds.attrs.get('functional_unit', '')}", loc="left"
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def process_bars(results: Mapping[str, Any], method: str = "ipcc2021-gwp100", top: int = 7) -> Any:
    """Stacked bars of the *top* contributing foreground processes per route (the rest as 'other').

    *results* maps route names to :meth:`cathode_lca.LCAModel.calculate` results (with
    ``contribution_by_process``); *method* is the LCIA method id.
    """
    import numpy as np

    series: dict[str, dict[str, float]] = {}
    unit = ""
    for route, res in results.items():
        c = res.contribution_by_process.sel(lcia_method=method)
        if "sample" in c.dims:
            c = c.isel(sample=0)
        series[route] = dict(zip(res.process.values.tolist(), c.values.tolist(), strict=True))
        unit = str(res.unit.sel(lcia_method=method).item())
    total: dict[str, float] = {}
    for values in series.values():
        for p, v in values.items():
            total[p] = total.get(p, 0.0) + abs(v)
    keep = [p for p, v in sorted(total.items(), key=lambda kv: -kv[1]) if v > 0][:top]
    parts = {p: [series[r].get(p, 0.0) for r in results] for p in keep}
    other = [sum(v for p, v in series[r].items() if p not in keep) for r in results]
    if np.any(np.abs(other) > 0):
        parts["other"] = other
    colours = {p: colour(i) for i, p in enumerate(keep)} | {"other": GREY}
    fig, axes = _figure(7.5, 4.2)
    ax = axes[0, 0]
    _stacked(ax, list(results), parts, colours)
    ax.set_ylabel(f"{method} [{unit}]")
    ax.set_title("Contributions by process", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    return fig


def waterfall(ds: Any, route: str, indicator: str = "gwp100") -> Any:
    """Waterfall from the virgin total to *route*'s total: one step per stage difference.

    Steps are (route − virgin) per stage, largest change first; green steps lower the
    footprint, vermillion steps raise it.
    """
    import numpy as np

    from ..result_kinds import check_comparison

    check_comparison(ds, "waterfall")

    virgin = ds.by_stage.sel(route="virgin", indicator=indicator)
    other = ds.by_stage.sel(route=route, indicator=indicator)
    steps = [(s, float(other.sel(stage=s)) - float(virgin.sel(stage=s))) for s in ds.stage.values.tolist()]
    steps = sorted((st for st in steps if st[1] != 0), key=lambda st: -abs(st[1]))
    start = float(ds.value.sel(route="virgin", indicator=indicator))
    end = float(ds.value.sel(route=route, indicator=indicator))
    fig, axes = _figure(7.5, 4.2)
    ax = axes[0, 0]
    labels = ["virgin", *[s for s, _ in steps], route]
    level = start
    ax.bar(0, start, 0.6, color=route_colour("virgin"))
    for i, (_s, d) in enumerate(steps, start=1):
        ax.bar(i, d, 0.6, bottom=level, color=OKABE_ITO[2] if d < 0 else OKABE_ITO[5])
        ax.plot([i - 1 + 0.3, i - 0.3], [level, level], color="#555555", linewidth=0.6)
        ax.annotate(
            f"{'+' if d > 0 else ''}{format_number(d, sig=3)}",
            (i, level + max(d, 0)),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
        level += d
    n = len(steps) + 1
    ax.plot([n - 1 + 0.3, n - 0.3], [level, level], color="#555555", linewidth=0.6)
    ax.bar(n, end, 0.6, color=route_colour(route))
    for x, v in ((0, start), (n, end)):
        ax.annotate(format_number(v, sig=4), (x, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    assert np.isclose(level, end, rtol=1e-9, atol=1e-12 * max(1.0, abs(start))), "stage differences must add up"
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    lo, hi = ax.get_ylim()
    _pad_y(ax, min(lo, 0.0), hi)
    ax.set_ylabel(f"{indicator} [{_unit(ds, indicator)}]")
    ax.set_title(f"{ds.attrs.get('chemistry', '')}: virgin → {route}, change by stage", loc="left")
    return fig


def mc_distributions(mc: Any, indicator: str = "gwp100", bins: int = 50) -> Any:
    """Monte Carlo distributions of each route (left) and of route − virgin (right).

    The legend on the right gives P(route < virgin) for each recycled route (common random
    numbers: the same draws for every route, so the difference is taken sample by sample).
    """
    from ..result_kinds import check_result

    check_result(mc, "mc_distributions", "monte_carlo", "mc")  # a UsageError naming the argument
    fig, axes = _figure(9.0, 3.8, ncols=2)
    left, right = axes[0, 0], axes[0, 1]
    unit = _unit(mc, indicator)
    routes = mc.route.values.tolist()
    for i, r in enumerate(routes):
        y = mc.samples.sel(route=r, indicator=indicator).values
        left.hist(y, bins=bins, density=True, histtype="stepfilled", alpha=0.35, color=route_colour(r, i))
        left.hist(y, bins=bins, density=True, histtype="step", color=route_colour(r, i), label=r)
    left.set_xlabel(f"{indicator} [{unit}]")
    left.set_ylabel("probability density")
    left.set_title(f"{mc.attrs.get('chemistry', '')}: {mc.sizes['sample']} Monte Carlo samples", loc="left")
    left.legend(fontsize=7)
    if "virgin" in routes:
        base = mc.samples.sel(route="virgin", indicator=indicator).values
        for i, r in enumerate(routes):
            if r == "virgin":
                continue
            d = mc.samples.sel(route=r, indicator=indicator).values - base
            p = float(mc.p_lower_than_virgin.sel(route=r, indicator=indicator))
            right.hist(
                d,
                bins=bins,
                density=True,
                histtype="step",
                color=route_colour(r, i),
                label=f"{r}: P(< virgin) = {p:.2f}",
            )
        right.axvline(0, color="black", linewidth=0.8)
        right.set_xlabel(f"route − virgin [{unit}]")
        right.set_title("Difference to virgin (same draws)", loc="left")
        right.legend(fontsize=7)
    else:  # pragma: no cover - comparisons always include virgin unless the user drops it
        right.set_axis_off()
    return fig


def sensitivity_bars(sens: Any, route: str, indicator: str = "gwp100", top: int = 10) -> Any:
    """Sobol S1/ST bars (with confidence intervals) or Morris mu* bars, largest first (tornado order)."""
    import numpy as np

    from ..result_kinds import check_result

    check_result(sens, "sensitivity_bars", "sensitivity", "sens")

    sobol = "ST" in sens
    key = "ST" if sobol else "mu_star"
    values = sens[key].sel(route=route, indicator=indicator)
    v_all = np.nan_to_num(values.values)
    order = [i for i in np.argsort(-v_all)[:top] if v_all[i] > 1e-6 * max(float(v_all.max()), 1e-300)]
    names = [str(sens.parameter.values[i]) for i in order]
    short = [n.split("::")[-1] for n in names]
    y = np.arange(len(names))[::-1]
    fig, axes = _figure(7.5, 0.35 * len(names) + 1.4)
    ax = axes[0, 0]
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(False, axis="y")
    if sobol:
        for j, (k, c) in enumerate((("S1", OKABE_ITO[1]), ("ST", OKABE_ITO[4]))):
            v = sens[k].sel(route=route, indicator=indicator, parameter=names).values
            err = sens.get(f"{k}_conf")
            xerr = err.sel(route=route, indicator=indicator, parameter=names).values if err is not None else None
            ax.barh(y + (0.2 if j == 0 else -0.2), v, 0.38, xerr=xerr, color=c, label=k, error_kw={"linewidth": 0.6})
        ax.set_xlabel("Sobol index")
    else:
        v = values.sel(parameter=names).values
        conf = sens.get("mu_star_conf")
        xerr = conf.sel(route=route, indicator=indicator, parameter=names).values if conf is not None else None
        ax.barh(y, v, 0.6, xerr=xerr, color=OKABE_ITO[4], label="mu*", error_kw={"linewidth": 0.6})
        ax.set_xlabel("Morris mu* (mean absolute elementary effect)")
    ax.set_yticks(y, short)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"Sensitivity of {route}, {indicator} ({sens.attrs.get('method', '')})", loc="left")
    return fig


def tornado_data(
    chemistry: str, parameters: Mapping[str, tuple[float, float]], *, route: str, indicator: str = "gwp100", **kw: Any
) -> Any:
    """One-at-a-time swings: *route*'s result with each parameter at its low and high value.

    *parameters* maps names to (low, high); every other parameter keeps its default. Returns a
    ``pandas.DataFrame`` (parameter, low, high, at_low, at_high, base) sorted by swing, largest first.
    Extra keywords go to :func:`cathode_lca.uncertainty.sweep.sweep` (region, allocation, ...).
    """
    import pandas as pd

    from ..comparison import compare
    from ..uncertainty.sweep import sweep

    base = float(
        compare(
            chemistry, routes=[route], indicators=[indicator], **{k: v for k, v in kw.items() if k != "progress"}
        ).value.sel(route=route, indicator=indicator)
    )
    rows = []
    for name, (lo, hi) in parameters.items():
        ds = sweep(chemistry, {name: [lo, hi]}, routes=[route], indicators=[indicator], progress=False, **kw)
        v = ds.value.sel(route=route, indicator=indicator).values.ravel()
        rows.append(
            {"parameter": name, "low": lo, "high": hi, "at_low": float(v[0]), "at_high": float(v[1]), "base": base}
        )
    df = pd.DataFrame(rows)
    swing = (df.at_high - df.at_low).abs()
    return df.assign(swing=swing).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def tornado(data: Any, unit: str = "", title: str = "") -> Any:
    """Tornado chart of one-at-a-time swings (:func:`tornado_data`), largest swing on top."""
    import numpy as np

    n = len(data)
    fig, axes = _figure(7.5, 0.4 * n + 1.4)
    ax = axes[0, 0]
    ax.grid(True, axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(False, axis="y")
    base = float(data.base.iloc[0]) if n else 0.0
    y = np.arange(n)[::-1]
    ax.barh(y, data.at_low - base, 0.6, left=base, color=OKABE_ITO[1], label="parameter at low value")
    ax.barh(y, data.at_high - base, 0.6, left=base, color=OKABE_ITO[5], label="parameter at high value")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(
        y,
        [
            f"{p} ({format_number(lo, sig=3)} – {format_number(hi, sig=3)})"
            for p, lo, hi in zip(data.parameter, data.low, data.high, strict=True)
        ],
    )
    ax.set_xlabel(f"result [{unit}]" if unit else "result")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(_label(title) if title else "One-at-a-time sensitivity", loc="left")
    return fig


def sweep_chart(sw: Any, indicator: str = "gwp100", route: str | None = None) -> Any:
    """Lines over one swept parameter (one line per route), or heatmaps over two (one per route).

    Grids with more than two swept parameters: give *route* and the first two dimensions are
    drawn at the first value of the others.
    """
    import numpy as np

    from ..result_kinds import check_result

    check_result(sw, "sweep_chart", "sweep", "sw")

    dims = [d for d in sw.value.dims if d not in ("route", "indicator")]
    routes = [route] if route else sw.route.values.tolist()
    unit = _unit(sw, indicator)
    data = sw.value.sel(indicator=indicator)
    for d in dims[2:]:
        data = data.isel({d: 0})
    if len(dims) == 1:
        d = dims[0]
        fig, axes = _figure(6.5, 4.0)
        ax = axes[0, 0]
        xs = [str(x) for x in sw[d].values.tolist()]
        numeric = np.issubdtype(sw[d].dtype, np.number)
        x = sw[d].values if numeric else np.arange(len(xs))
        for i, r in enumerate(routes):
            ax.plot(x, data.sel(route=r).values, marker="o", color=route_colour(r, i), label=r)
        if not numeric:
            ax.set_xticks(x, xs)
        ax.set_xlabel(d)
        ax.set_ylabel(f"{indicator} [{unit}]")
        ax.legend(fontsize=8)
        ax.set_title(f"{sw.attrs.get('chemistry', '')}: sweep of {d}", loc="left")
        return fig
    a, b = dims[:2]
    fig, axes = _figure(3.3 * len(routes) + 1.0, 3.4, ncols=len(routes))
    vmin, vmax = float(np.nanmin(data.values)), float(np.nanmax(data.values))
    image = None
    for ax, r in zip(axes[0], routes, strict=True):
        z = data.sel(route=r).transpose(a, b).values
        image = ax.imshow(z, cmap="cividis", vmin=vmin, vmax=vmax, aspect="auto", origin="lower")
        ax.grid(False)
        ax.set_xticks(range(sw.sizes[b]), [str(v) for v in sw[b].values.tolist()], rotation=45, fontsize=7)
        ax.set_yticks(range(sw.sizes[a]), [str(v) for v in sw[a].values.tolist()], fontsize=7)
        for (i, j), v in np.ndenumerate(z):
            ax.text(
                j,
                i,
                format_number(v, sig=3),
                ha="center",
                va="center",
                fontsize=6,
                color="white" if v < (vmin + vmax) / 2 else "black",
            )
        ax.set_title(r, fontsize=9)
        ax.set_xlabel(b)
        ax.set_ylabel(a)
    fig.colorbar(image, ax=axes[0].tolist(), label=f"{indicator} [{unit}]", shrink=0.85)
    return fig


def passport_stages(declaration: Any) -> Any:
    """Passport stage breakdown (kg CO2-eq per kWh over the battery's service life), with the total."""
    from ..passport.stages import STAGES

    values = [float(declaration.stages_per_kwh[s]) for s in STAGES]
    fig, axes = _figure(6.5, 3.6)
    ax = axes[0, 0]
    x = list(range(len(STAGES))) + [len(STAGES)]
    colours = [colour(i) for i in range(len(STAGES))]
    ax.bar(x[:-1], values, 0.6, color=colours)
    ax.bar(x[-1], float(declaration.total_per_kwh), 0.6, color=GREY)
    for xi, v in zip(x, [*values, float(declaration.total_per_kwh)], strict=True):
        ax.annotate(
            format_number(v, sig=3), (xi, max(v, 0)), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [*STAGES, "total"], rotation=20, ha="right")
    _pad_y(ax, min(0.0, *values), max(0.0, *values, float(declaration.total_per_kwh)))
    ax.set_ylabel("kg CO2-eq per kWh")
    battery = declaration.calculation.get("battery", {})
    model = _label(str(battery.get("model", "")))
    ax.set_title(f"Carbon footprint by life-cycle stage: {model}", loc="left", fontsize=9)
    return fig


def figure_bytes(fig: Any, fmt: str) -> bytes:
    """*fig* rendered as ``svg`` or ``png`` bytes (the figure is closed afterwards)."""
    plt = _plt()
    buf = io.BytesIO()
    with plt.rc_context(STYLE):
        fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buf.getvalue()


def save_figure(fig: Any, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write *fig* to *path* (``.svg`` or ``.png``) atomically; refuse to overwrite unless asked."""
    from ..errors import UsageError
    from ..io import check_writable, write_bytes_atomic

    if not callable(getattr(fig, "savefig", None)):
        raise UsageError(
            f"fig must be a matplotlib Figure, got {fig!r:.60} ({type(fig).__name__})",
            hint="e.g. save_figure(contribution_bars(compare('NMC811')), 'stages.svg')",
        )
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise UsageError(f"cannot write a chart to '{target}'", hint="use a file name ending in .svg or .png")
    check_writable(target, overwrite)
    write_bytes_atomic(target, figure_bytes(fig, fmt), overwrite=overwrite)
    return target
