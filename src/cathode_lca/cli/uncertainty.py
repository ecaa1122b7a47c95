"""Commands over many model runs: ``uncertainty`` (Monte Carlo), ``sensitivity`` (Sobol, Morris), ``sweep``.

Examples
--------
>>> from click.testing import CliRunner                                               # doctest: +SKIP
>>> CliRunner().invoke(uncertainty, ["NMC811", "--samples", "100", "--seed", "1"])   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from .checks import MAX_SEED, check_finite, check_samples, check_scheduler, checked_vary
from .model import model_with_background, scenario_model
from .options import background_options, comparison_options, parse_indicators, parse_params, plot_option
from .output import emit, format_csv, format_table, frame_csv, json_metadata, num, print_warnings, write_files
from .scenarios import apply_scenarios


def _chunked_model(
    background: str | None, mapping: str | None, unmapped: str, inventory_files: Sequence[str]
) -> dict[str, Any]:
    """Model arguments for chunked runs: a Brightway-background model is built here (threads only);
    plain inventory files are passed on so that dask workers can load them themselves."""
    if background:
        return {"model": model_with_background(background, mapping, unmapped, inventory_files), "inventory_files": ()}
    return {"model": None, "inventory_files": inventory_files}


def _chunked_scenarios(
    background: str | None,
    mapping: str | None,
    unmapped: str,
    inventory_files: Sequence[str],
    scenario_refs: Sequence[str],
    params: Sequence[str],
) -> tuple[dict[str, Any], Any]:
    """Model arguments for chunked runs with scenarios applied (a scenario model runs with threads only)."""
    from .scenarios import needs_model

    overrides = parse_params(params)
    if not needs_model(scenario_refs, overrides):
        return _chunked_model(background, mapping, unmapped, inventory_files), apply_scenarios(None, (), overrides)
    applied = scenario_model(scenario_refs, overrides, background, mapping, unmapped, inventory_files)
    return {"model": applied.model, "inventory_files": ()}, applied


@click.command()
@click.argument("chemistry")
@comparison_options
@click.option("--samples", default=1000, show_default=True, help="Number of Monte Carlo samples.")
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help="Random seed, 0 or more (default: random; recorded in the output).",
)
@click.option(
    "--vary",
    multiple=True,
    help="Extra distribution NAME=uniform:a:b | triangular:min:mode:max | normal:mean:sd | lognormal:median:gsd2.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Samples per chunk (bounded memory).",
)
@click.option("--scheduler", default=None, help="dask scheduler: threads, processes or a scheduler address.")
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Threads of the compiled kernel (default: every usable core). The numbers do not depend on it.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "netcdf", "xlsx"]), default="table", show_default=True
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@click.option(
    "--default-uncertainty/--no-default-uncertainty",
    default=True,
    show_default=True,
    help="Vary every number without a declared distribution (pedigree-based defaults); off: only declared/--vary.",
)
@click.option(
    "--pedigree",
    type=click.Choice(["ciroth2016", "ecoinvent-v2"]),
    default="ciroth2016",
    show_default=True,
    help="Pedigree factors of the default distributions.",
)
@plot_option
@background_options
def uncertainty(
    chemistry: str,
    routes: Sequence[str],
    region: str,
    allocation: str,
    fu: str,
    indicator_text: str,
    params: Sequence[str],
    scenario_refs: Sequence[str],
    out: str | None,
    overwrite: bool,
    inventory_files: Sequence[str],
    samples: int,
    seed: int | None,
    vary: Sequence[str],
    chunk_size: int,
    scheduler: str | None,
    threads: int | None,
    fmt: str,
    progress: bool | None,
    default_uncertainty: bool,
    pedigree: str,
    plot: str | None,
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Monte Carlo comparison of virgin and recycled CHEMISTRY.

    Draws every uncertain input once per sample and uses the same draws for every route
    (common random numbers): declared distributions, --vary ones and, unless
    --no-default-uncertainty, pedigree-based defaults for every other number of the supply
    chain (exact constants and choices are never varied). Reports the deterministic value,
    mean, median, standard deviation and 2.5/97.5 % quantiles per route, the same statistics
    of the difference to virgin, P(route < virgin) and the inputs that contribute most to
    the variance of the difference. Lognormal inputs: the deterministic value uses medians,
    so it is below the mean.

    \b
    Examples:
      cathode-lca uncertainty NMC811 --samples 10000 --seed 1
      cathode-lca uncertainty NMC811 --vary hydro_recovery_ni=uniform:0.9:0.99 --format json
      cathode-lca uncertainty NMC811 --samples 1000000 --format netcdf --out mc.nc
    """
    from ..report.output import check_outputs
    from ..uncertainty.monte_carlo import monte_carlo

    check_scheduler(scheduler)
    n_ind = max(1, len(parse_indicators(indicator_text)))
    check_samples(samples, minimum=2, bytes_per_sample=8 * 3 * n_ind * max(2, len(routes)))
    distributions = checked_vary(vary)
    parse_params(params)  # refuse malformed --param before any work
    check_outputs(fmt, out, plot, overwrite=overwrite)
    model_args, applied = _chunked_scenarios(background, mapping, unmapped, inventory_files, scenario_refs, params)
    ds = monte_carlo(
        chemistry,
        routes=list(routes) or None,
        samples=samples,
        seed=seed,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=parse_indicators(indicator_text),
        parameters=applied.parameters,
        distributions=distributions,
        **model_args,
        chunk_size=chunk_size,
        scheduler=scheduler,
        threads=threads,
        progress=progress,
        default_uncertainty=default_uncertainty,
        pedigree=pedigree,
    )
    applied.stamp(ds)
    print_warnings(ds)  # contract 3: one 'warning: ' prefix on every command
    if write_files("uncertainty", ds, plot=plot, fmt=fmt, out=out, overwrite=overwrite):
        return
    if fmt == "csv":
        from ..report.tables import uncertainty_frame

        emit(frame_csv(uncertainty_frame(ds), ds.attrs), out, overwrite)
        return
    import numpy as np

    rows = []
    names = [str(k) for k in ds.statistic.values.tolist()]
    stats, det, units = ds.statistics.values, ds.deterministic.values, ds.unit.values.tolist()
    has_drivers = "difference_variance_share" in ds
    if has_drivers:  # plain arrays: 100+ label lookups through xarray took ~0.1 s
        shares, spearman = ds.difference_variance_share.values, ds.difference_spearman.values
        inputs, descriptions = ds.input.values.tolist(), ds.input_description.values.tolist()
    for at_route, route in enumerate(ds.route.values.tolist()):
        for at_ind, ind in enumerate(ds.indicator.values.tolist()):
            row: dict[str, Any] = {
                "route": route,
                "indicator": ind,
                "unit": str(units[at_ind]),
                "deterministic": num(det[at_route, at_ind]),
                **{k: num(v) for k, v in zip(names, stats[at_route, at_ind], strict=True)},
            }
            if "difference" in ds and route != "virgin":
                row["difference"] = {
                    k: num(v) for k, v in zip(names, ds.difference.values[at_route, at_ind], strict=True)
                }
                row["p_lower_than_virgin"] = num(ds.p_lower_than_virgin.values[at_route, at_ind])
                if has_drivers:
                    share = shares[at_route, at_ind]
                    order = np.argsort(-share, kind="stable")  # largest first, ties in input order
                    top = [k for k in order if share[k] > 0][:5]
                    row["difference_drivers"] = [
                        {
                            "input": str(inputs[k]),
                            "description": str(descriptions[k]),
                            "variance_share": float(share[k]),
                            "spearman": float(spearman[at_route, at_ind, k]),
                        }
                        for k in top
                    ]
            rows.append(row)
    if fmt == "json":
        emit(json.dumps({"results": rows, "metadata": json_metadata(ds.attrs)}, indent=2, default=str), out, overwrite)
        return
    table = []
    not_applicable = sorted({r["route"] for r in rows if r["mean"] is None})
    for r in rows:
        if r["mean"] is None:  # the route does not deliver this functional unit (e.g. direct for kg-metal)
            continue
        table.append(
            {
                "route": r["route"],
                "indicator": r["indicator"],
                "unit": r["unit"],
                "deterministic": r["deterministic"],
                "mean": r["mean"],
                "median": r["median"],
                "std": r["std"],
                "95% interval": f"{r['q2.5']:.4g} – {r['q97.5']:.4g}",
                "P(< virgin)": "" if r.get("p_lower_than_virgin") is None else f"{r['p_lower_than_virgin']:.3f}",
            }
        )
    header = (
        f"{ds.attrs['chemistry']} Monte Carlo: {ds.attrs['samples']} samples, seed {ds.attrs['seed']}, "
        f"{len(json.loads(ds.attrs['uncertain_parameters']))} uncertain parameters (shared by all routes)"
    )
    if not_applicable:
        header += f"\nnot applicable for {ds.attrs.get('unit', 'this functional unit')}: " + ", ".join(not_applicable)
    cols = ["route", "indicator", "unit", "deterministic", "mean", "median", "std", "95% interval", "P(< virgin)"]
    drivers = [
        f"  {r['route']} − virgin, {r['indicator']}: "
        + ", ".join(f"{d['description']} {d['variance_share']:.0%}" for d in r["difference_drivers"][:3])
        for r in rows
        if r.get("difference_drivers")
    ]
    if drivers:
        table_text = format_table(table, cols) + "\n\nlargest shares of the variance of the difference:\n"
        emit(header + "\n\n" + table_text + "\n".join(drivers), out, overwrite)
        return
    emit(header + "\n\n" + format_table(table, cols), out, overwrite)


@click.command()
@click.argument("chemistry")
@comparison_options
@click.option(
    "--technique",
    "sa_method",
    type=click.Choice(["sobol", "morris"]),
    default="sobol",
    show_default=True,
    help="Sensitivity technique: Sobol indices (S1, ST) or Morris elementary effects (mu*).",
)
@click.option(
    "--method",
    "sa_method_old",
    type=click.Choice(["sobol", "morris"]),
    default=None,
    hidden=True,
    help="Deprecated alias of --technique.",
)
@click.option(
    "--samples", default=1024, show_default=True, help="Base sample size (Sobol: N(D+2) runs; Morris: trajectories)."
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@click.option(
    "--vary", multiple=True, help="Distribution NAME=uniform:a:b | triangular:... | normal:... | lognormal:..."
)
@click.option(
    "--spread",
    type=float,
    default=None,
    help="Vary every numeric foreground parameter uniformly by ±SPREAD (e.g. 0.1), within its bounds; "
    "exact constants never.",
)
@click.option("--top", default=10, show_default=True, help="Parameters shown per route and indicator.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "netcdf", "xlsx"]), default="table", show_default=True
)
@click.option(
    "--default-uncertainty/--no-default-uncertainty",
    default=True,
    show_default=True,
    help="Vary parameters without a declared distribution over their pedigree-based defaults.",
)
@click.option("--pedigree", type=click.Choice(["ciroth2016", "ecoinvent-v2"]), default="ciroth2016", show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: on a terminal).")
@plot_option
@click.option(
    "--plot-kind",
    type=click.Choice(["indices", "tornado"]),
    default="indices",
    show_default=True,
    help="Chart for --plot (first recycled route, first --indicator): the ranked indices, or a tornado of "
    "one-at-a-time swings of the --top ranked parameters between their 2.5 % and 97.5 % quantiles.",
)
@background_options
def sensitivity(
    chemistry: str,
    routes: Sequence[str],
    region: str,
    allocation: str,
    fu: str,
    indicator_text: str,
    params: Sequence[str],
    scenario_refs: Sequence[str],
    out: str | None,
    overwrite: bool,
    inventory_files: Sequence[str],
    sa_method: str,
    sa_method_old: str | None,
    samples: int,
    seed: int,
    vary: Sequence[str],
    spread: float | None,
    top: int,
    fmt: str,
    default_uncertainty: bool,
    pedigree: str,
    progress: bool | None,
    plot: str | None,
    plot_kind: str,
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Global sensitivity (Sobol or Morris, via SALib) of a virgin-vs-recycled comparison.

    Ranks the uncertain parameters of the compared routes over their distributions (declared,
    --vary, and by default the pedigree-based defaults); exact constants are never varied.

    \b
    Examples:
      cathode-lca sensitivity NMC811
      cathode-lca sensitivity NMC811 --spread 0.1 --samples 256 --indicator gwp100 --format csv
      cathode-lca sensitivity NMC811 --technique morris --samples 50 --spread 0.2
      cathode-lca sensitivity NMC811 --plot tornado.svg --plot-kind tornado --top 8
    """
    from ..report.output import check_outputs
    from ..uncertainty.sensitivity import ranking
    from ..uncertainty.sensitivity import sensitivity as run_sensitivity

    if sa_method_old:
        click.echo("note: 'sensitivity --method' is deprecated; use --technique", err=True)
        sa_method = sa_method_old
    check_samples(samples, minimum=8, bytes_per_sample=8 * 4 * max(1, len(parse_indicators(indicator_text))))
    distributions = checked_vary(vary)
    if spread is not None:
        check_finite("--spread", "", spread)
    check_outputs(fmt, out, plot, overwrite=overwrite)
    overrides = parse_params(params)
    applied = scenario_model(scenario_refs, overrides, background, mapping, unmapped, inventory_files)
    ds = run_sensitivity(
        chemistry,
        method=sa_method,
        routes=list(routes) or None,
        samples=samples,
        seed=seed,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=parse_indicators(indicator_text),
        parameters=applied.parameters,
        distributions=distributions,
        spread=spread,
        model=applied.model,
        default_uncertainty=default_uncertainty,
        pedigree=pedigree,
        progress=progress,
    )
    applied.stamp(ds)
    if plot and plot_kind == "tornado":
        _write_tornado(chemistry, ds, plot, overwrite, top, applied, region=applied.region(region), unit=fu)
        plot = None
    if write_files("sensitivity", ds, plot=plot, fmt=fmt, out=out, overwrite=overwrite):
        return
    if fmt == "csv":
        from ..report.tables import sensitivity_frame

        emit(frame_csv(sensitivity_frame(ds), ds.attrs), out, overwrite)
        return
    key = "ST" if sa_method == "sobol" else "mu_star"
    rows = []
    for route in ds.route.values.tolist():
        for ind in ds.indicator.values.tolist():
            for rank, (name, value) in enumerate(ranking(ds, route, ind, top), start=1):
                row = {"route": route, "indicator": ind, "rank": rank, "parameter": name, key: value}
                if sa_method == "sobol":
                    row["S1"] = float(ds.S1.sel(route=route, indicator=ind, parameter=name))
                rows.append(row)
    if fmt == "json":
        emit(json.dumps({"ranking": rows, "metadata": json_metadata(ds.attrs)}, indent=2, default=str), out, overwrite)
        return
    cols = ["route", "indicator", "rank", "parameter", key] + (["S1"] if sa_method == "sobol" else [])
    if fmt == "csv":
        emit(format_csv(rows, cols), out, overwrite)
        return
    header = f"{sa_method} sensitivity, {ds.attrs['model_evaluations']} model evaluations, {ds.sizes['parameter']} parameters"
    emit(header + "\n\n" + format_table(rows, cols), out, overwrite)


def _write_tornado(
    chemistry: str, ds: Any, plot: str, overwrite: bool, top: int, applied: Any, *, region: str, unit: str
) -> None:
    """The tornado of the first recycled route and first indicator of a sensitivity result *ds*."""
    from ..report.output import write_plot
    from ..uncertainty.sensitivity import one_at_a_time

    routes = [r for r in ds.route.values.tolist() if not r.endswith("-minus-virgin")]
    route = next((r for r in routes if r != "virgin"), routes[0])
    indicator = str(ds.indicator.values[0])
    swings = one_at_a_time(
        chemistry,
        ds,
        route=route,
        indicator=indicator,
        top=top,
        region=region,
        allocation=str(ds.attrs.get("allocation") or "") or None,
        unit=unit,
        parameters=applied.parameters,
        model=applied.model,
    )
    title = f"{route}, {indicator}: one at a time, 2.5–97.5 %"
    write_plot("tornado", swings, plot, overwrite=overwrite, unit=_indicator_unit(indicator), title=title)


def _indicator_unit(indicator: str) -> str:
    """The unit of an indicator's method, for chart labels."""
    from ..comparison import INDICATORS
    from ..methods import load_method

    return str(load_method(INDICATORS[indicator]).unit) if indicator in INDICATORS else ""


@click.command()
@click.argument("chemistry")
@comparison_options
@click.option("--grid", "grid_items", multiple=True, required=True, help="Swept parameter NAME=v1,v2,... (repeatable).")
@click.option(
    "--mode",
    type=click.Choice(["grid", "list"]),
    default="grid",
    show_default=True,
    help="All combinations, or aligned lists.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "netcdf", "xlsx"]), default="table", show_default=True
)
@plot_option
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Scenarios per vectorised chunk.",
)
@click.option("--scheduler", default=None, help="dask scheduler: threads, processes or a scheduler address.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@background_options
def sweep(
    chemistry: str,
    routes: Sequence[str],
    region: str,
    allocation: str,
    fu: str,
    indicator_text: str,
    params: Sequence[str],
    scenario_refs: Sequence[str],
    out: str | None,
    overwrite: bool,
    inventory_files: Sequence[str],
    grid_items: Sequence[str],
    mode: str,
    fmt: str,
    plot: str | None,
    chunk_size: int,
    scheduler: str | None,
    progress: bool | None,
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Scenario sweep: evaluate a grid of parameter values in one vectorised call per route.

    \b
    Examples:
      cathode-lca sweep NMC811 --grid plant_region=US,CN,DE --grid hydro_recovery_ni=0.9,0.95,0.98
      cathode-lca sweep NMC811 --grid dist_disassembly_to_preprocessor_mi=100,500,1000 --format csv
    """
    import math

    from ..report.output import check_outputs
    from ..uncertainty.sweep import parse_grid
    from ..uncertainty.sweep import sweep as run_sweep

    check_scheduler(scheduler)
    grid = parse_grid(grid_items)
    for name, values in grid.items():
        for value in values:
            if isinstance(value, float):
                check_finite("--grid", name, value)
    size = math.prod(len(v) for v in grid.values()) if mode == "grid" else max(len(v) for v in grid.values())
    check_samples(
        size, minimum=1, bytes_per_sample=8 * 3 * 4 * max(1, len(parse_indicators(indicator_text))), option="--grid"
    )
    parse_params(params)  # refuse malformed --param before any work
    check_outputs(fmt, out, plot, overwrite=overwrite)
    model_args, applied = _chunked_scenarios(background, mapping, unmapped, inventory_files, scenario_refs, params)
    ds = run_sweep(
        chemistry,
        grid,
        routes=list(routes) or None,
        mode=mode,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=parse_indicators(indicator_text),
        parameters=applied.parameters,
        **model_args,
        chunk_size=chunk_size,
        scheduler=scheduler,
        progress=progress,
    )
    applied.stamp(ds)
    if write_files("sweep", ds, plot=plot, fmt=fmt, out=out, overwrite=overwrite):
        return
    from ..report.tables import CONTEXT_COLUMNS, sweep_frame

    df = sweep_frame(ds)  # with the unit and the functional unit: a value alone is not a result
    rows = df.to_dict(orient="records")
    if fmt == "json":
        metadata = {("mode" if k == "sweep_mode" else k): v for k, v in json_metadata(ds.attrs).items()}  # as before
        emit(json.dumps({"results": rows, "metadata": metadata}, indent=2, default=str), out, overwrite)
    elif fmt == "csv":
        emit(frame_csv(df, ds.attrs), out, overwrite)
    else:
        cols = [c for c in df.columns if c not in CONTEXT_COLUMNS]
        header = f"per {ds.attrs.get('functional_unit', '')}" + (
            "" if "plant_region" in ds.dims else f", region {ds.attrs.get('region', '')}"
        )
        emit(header + "\n" + format_table(rows, cols), out, overwrite)
