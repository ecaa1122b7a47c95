"""Command-line interface (click). Heavy modules are imported inside the commands.

Every user error becomes a one-paragraph message on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from . import __version__
from .brightway.cli import background_options, model_with_background
from .cli_checks import MAX_SEED, check_finite, check_samples, check_scheduler, checked_vary
from .cli_options import ALLOCATION_CHOICES, INDICATOR_HELP, inventory_option, plot_option
from .cli_scenarios import apply_scenarios, scenario_option, scenarios_command
from .errors import CathodeLCAError, UsageError
from .result_warnings import warnings_of

FORMATS = click.Choice(["table", "json", "csv"])


def parse_params(items: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs → dict; numbers become floats, anything else stays text (choices)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--param '{item}' is not NAME=VALUE", hint="write e.g. --param hydro_recovery_ni=0.95")
        name, _, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not name or not text:
            raise UsageError(f"--param '{item}' is not NAME=VALUE", hint="write e.g. --param plant_region=CN")
        if name in out:
            raise UsageError(f"--param {name} is given more than once", hint="give each parameter once")
        try:
            out[name] = float(text)
        except ValueError:
            out[name] = text
        else:
            check_finite("--param", name, out[name])
    return out


def emit(text: str, out: str | None, overwrite: bool) -> None:
    """Print *text*, or write it atomically to *out*."""
    if out:
        from .io import write_text_atomic

        write_text_atomic(out, text if text.endswith("\n") else text + "\n", overwrite=overwrite)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)


def format_table(rows: list[dict[str, Any]], columns: list[str], headers: dict[str, str] | None = None) -> str:
    """Terminal table: numbers right-aligned with 4 significant figures, fits the terminal's width."""
    from .report.tables import render_table

    return render_table(rows, columns, headers=headers)


def format_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return buf.getvalue().rstrip("\n")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cathode-lca")
def cli() -> None:
    """Life-cycle assessment of virgin and recycled battery cathode materials.

    Compute greenhouse gas (IPCC AR6 GWP100), cumulative energy demand and water
    consumption per kg of cathode material or recovered metal, from open, cited,
    parameterised inventories.

    \b
    Examples:
      cathode-lca datasets --search sulfate
      cathode-lca compute cam-nmc811-virgin --format json
      cathode-lca compute cam-nmc811-virgin --param plant_region=CN
      cathode-lca validate
    """


@cli.command()
@click.option("--search", "-s", default=None, help="Only datasets whose id, name, stage or location contains TEXT.")
@click.option("--stage", default=None, help="Only datasets with this stage tag.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@inventory_option
def datasets(search: str | None, stage: str | None, fmt: str, inventory_files: Sequence[str]) -> None:
    """List (and search) the datasets of the inventories."""
    from .inventory.load import load_inventory

    inv = load_inventory(extra=inventory_files)
    rows = []
    for ds in sorted(inv.datasets.values(), key=lambda d: d.id):
        row = {"id": ds.id, "name": ds.name, "unit": ds.unit, "location": ds.location, "stage": ds.stage}
        text = " ".join(str(v) for v in row.values()).lower()
        if search and search.lower() not in text:
            continue
        if stage and ds.stage != stage:
            continue
        rows.append(row)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        click.echo(format_csv(rows, ["id", "name", "unit", "location", "stage"]))
    else:
        click.echo(format_table(rows, ["id", "unit", "location", "stage", "name"]))
        click.echo(f"\n{len(rows)} dataset(s)", err=True)


@cli.command()
@click.option("--search", "-s", default=None, help="Only parameters whose name contains TEXT.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@inventory_option
def parameters(search: str | None, fmt: str, inventory_files: Sequence[str]) -> None:
    """List parameters with their defaults, units, distributions and sources."""
    from .inventory.load import load_inventory

    inv = load_inventory(extra=inventory_files)
    rows = []
    for key, p in sorted(inv.parameters.items()):
        if search and search.lower() not in key.lower():
            continue
        if p.kind == "value":
            default: Any = p.value
        elif p.kind == "choice":
            default = f"{p.default} (of {', '.join(p.choices)})"
        elif p.kind == "formula":
            default = f"= {p.formula.text if p.formula else ''}"
        else:
            default = f"lookup by {p.by}"
        rows.append(
            {
                "name": key,
                "default": default,
                "unit": p.unit,
                "bounds": _bounds_text(p),
                "distribution": (p.distribution or {}).get("type", ""),
                "source": p.source or "",
            }
        )
    cols = ["name", "default", "unit", "bounds", "distribution", "source"]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
    elif fmt == "csv":
        click.echo(format_csv(rows, cols))
    else:
        click.echo(format_table(rows, cols))


def _bounds_text(p: Any) -> str:
    """'fraction', '[min, max]' or 'exact' for the parameters listing."""
    if getattr(p, "exact", False):
        return "exact"
    lo, hi = getattr(p, "min", None), getattr(p, "max", None)
    if getattr(p, "fraction", False) and (lo, hi) == (0.0, 1.0):
        return "fraction"
    if lo is None and hi is None:
        return ""
    return f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all-balances", is_flag=True, help="Show every element balance, not only failures.")
@inventory_option
def validate(paths: Sequence[str], fmt: str, all_balances: bool, inventory_files: Sequence[str]) -> None:
    """Check inventories: syntax, references, units, sources, formulas and element balances.

    PATHS are inventory files or folders (default: the shipped inventories). With --inventory
    FILE, a user file is checked together with them, so it may use shipped datasets and
    parameters (as compute, compare and the other commands load it). The Ni, Co, Li and Mn
    balance (in = out + losses) is checked for every recycling and cathode dataset.
    Background datasets without any flow for GWP100, CED or water are listed (results that
    use them carry a warning); they do not fail the check.
    Exit code 0 when everything passes, 1 when a check fails, 2 on a load error.

    \b
    Examples:
      cathode-lca validate
      cathode-lca validate --inventory my-plant.yaml
    """
    from .errors import InventoryError
    from .inventory.load import load_inventory
    from .inventory.validate import balance_table, validate_inventory

    try:
        inv = load_inventory(list(paths) or None, extra=inventory_files)
    except InventoryError as exc:
        if paths and "unknown reference" in exc.message:
            exc.hint = "check the id, or, if it is a shipped dataset, run 'cathode-lca validate --inventory FILE'"
        raise
    report = validate_inventory(inv, allocations=("none", "system-expansion", "cut-off"))
    rows = balance_table(report.balances if all_balances else report.failures)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "datasets": report.datasets,
                    "balances_checked": len(report.balances),
                    "balance_failures": balance_table(report.failures),
                    "known_imbalances": balance_table(report.known),
                    "balances": rows if all_balances else None,
                    "skipped": [{"dataset": d, "reason": r} for d, r in report.skipped],
                    "errors": report.errors,
                    "missing_indicators": report.missing_indicators,
                },
                indent=2,
            )
        )
    else:
        click.echo(f"{report.datasets} datasets, {len(inv.parameters)} parameters, {len(inv.flows)} flows loaded")
        click.echo(f"element balances checked: {len(report.balances)} (dataset × element)")
        if rows:
            click.echo(format_table(rows, ["dataset", "element", "in", "out", "losses", "difference", "status"]))
        for r in report.known:  # documented data discrepancies: shown on every run, never hidden
            click.echo(
                f"known imbalance: {r.dataset} {r.element}: in {r.inputs:.6g}, out {r.outputs:.6g}, "
                f"losses {r.losses:.6g} ({100 * r.difference / r.inputs:+.3g} % of input): {r.known}"
            )
        for d, r in report.skipped:
            click.echo(f"balance skipped: {d}: {r}")
        for d, lacking in report.missing_indicators.items():
            click.echo(f"missing indicator: {d}: no data for {', '.join(lacking)} (results using it carry a warning)")
        for e in report.errors:
            click.echo(f"ERROR: {e}")
        click.echo("OK" if report.ok else f"FAILED: {len(report.failures)} balance(s), {len(report.errors)} error(s)")
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.argument("dataset_id")
@click.option("--amount", type=float, default=1.0, show_default=True, help="Amount of the reference product.")
@click.option(
    "--indicator",
    "indicator_text",
    default=None,
    help="Comma-separated indicators: gwp100 (IPCC AR6), gwp100-ar5, energy, energy-fossil, energy-non-fossil, "
    "water; method ids are accepted as aliases. Default: gwp100,energy,water.",
)
@click.option("--method", "methods", multiple=True, hidden=True, help="Deprecated: method id; use --indicator.")
@click.option("--param", "params", multiple=True, help="Parameter override NAME=VALUE (repeatable).")
@scenario_option
@click.option("--allocation", type=ALLOCATION_CHOICES, default="none", show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--contributions/--no-contributions", default=True, help="Show contributions by stage (table).")
@click.option("--tree", is_flag=True, help="Print the supply-chain contribution tree (largest first) instead.")
@click.option("--depth", default=3, show_default=True, help="Levels of the --tree.")
@click.option(
    "--cutoff", default=0.01, show_default=True, help="--tree: inputs below this share of the total are summed."
)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@inventory_option
@background_options
def compute(
    dataset_id: str,
    amount: float,
    indicator_text: str | None,
    methods: Sequence[str],
    params: Sequence[str],
    scenario_refs: Sequence[str],
    allocation: str,
    fmt: str,
    contributions: bool,
    tree: bool,
    depth: int,
    cutoff: float,
    out: str | None,
    overwrite: bool,
    inventory_files: Sequence[str],
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Compute the impacts of AMOUNT of DATASET_ID's reference product.

    \b
    Examples:
      cathode-lca compute sulfuric-acid-greet2022
      cathode-lca compute cam-nmc811-virgin --indicator gwp100-ar5 --format json
      cathode-lca compute cam-nmc811-virgin --tree --depth 4 --indicator gwp100
    """
    from .methods import DEFAULT_METHODS

    if out:
        from .io import check_writable

        check_writable(out, overwrite)
    check_finite("--amount", dataset_id, amount)
    overrides = parse_params(params)
    applied = apply_scenarios(
        model_with_background(background, mapping, unmapped, inventory_files), scenario_refs, overrides
    )
    model = applied.model
    if tree:
        from .report.tree import tree_text

        ids = _method_ids(indicator_text, methods) or list(DEFAULT_METHODS)
        text = tree_text(model, dataset_id, amount, ids, applied.parameters, allocation, depth, cutoff, fmt)
        emit(text, out, overwrite)
        return
    ds = model.calculate(
        {dataset_id: amount},
        methods=_method_ids(indicator_text, methods) or list(DEFAULT_METHODS),
        parameters=applied.parameters,
        allocation=allocation,
        contributions=contributions or fmt == "json",
    )
    applied.stamp(ds)
    print_warnings(ds)
    results = [
        {
            "indicator": str(ds.indicator.sel(lcia_method=m).item()),
            "method": m,
            "unit": str(ds.unit.sel(lcia_method=m).item()),
            "value": float(ds.score.sel(lcia_method=m)),
        }
        for m in ds.lcia_method.values.tolist()
    ]
    metadata = dict(ds.attrs)
    for key in ("methods", "method_sources", "parameters", "demand", "scenarios", "overridden_parameters"):
        if isinstance(metadata.get(key), str) and metadata[key][:1] in "[{":
            metadata[key] = json.loads(metadata[key])
    if fmt == "json":
        if "contribution_by_stage" in ds:
            stages = ds.stage.values.tolist()
            for r in results:
                values = ds.contribution_by_stage.sel(lcia_method=r["method"]).values
                r["by_stage"] = {st: float(v) for st, v in zip(stages, values, strict=True)}
        payload: dict[str, Any] = {
            "dataset": dataset_id,
            "amount": amount,
            "results": results,
            "metadata": metadata,
            "warnings": warnings_of(ds),
        }
        emit(json.dumps(payload, indent=2), out, overwrite)
        return
    if fmt == "csv":
        emit(format_csv(results, ["indicator", "method", "unit", "value"]), out, overwrite)
        return
    unit = model.inventory.product(model.product_id(dataset_id)).unit
    lines = [f"{amount:g} {unit} of {dataset_id}  (allocation: {allocation})", ""]
    lines.append(format_table(results, ["indicator", "method", "unit", "value"]))
    if contributions and "contribution_by_stage" in ds:
        lines += ["", "Contributions by stage:"]
        stage_rows = []
        for s in ds.stage.values.tolist():
            row: dict[str, Any] = {"stage": s}
            for m in ds.lcia_method.values.tolist():
                row[m] = float(ds.contribution_by_stage.sel(lcia_method=m, stage=s))
            stage_rows.append(row)
        units = {m: f"{m} [{ds.unit.sel(lcia_method=m).item()}]" for m in ds.lcia_method.values.tolist()}
        lines.append(format_table(stage_rows, ["stage", *ds.lcia_method.values.tolist()], headers=units))
    for sc in metadata.get("scenarios", []):
        lines.append(f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]})")
    lines += ["", f"inventory hash {ds.attrs['inventory_hash'][:12]}, version {ds.attrs['package_version']}"]
    emit("\n".join(lines), out, overwrite)


@cli.command()
@click.argument("chemistry")
@click.option(
    "--route",
    "routes",
    multiple=True,
    type=click.Choice(["virgin", "hydrometallurgical", "pyrometallurgical", "direct"]),
    help="Route to include (repeatable). Default: virgin and every recycling route available for CHEMISTRY.",
)
@click.option(
    "--region", default="US", show_default=True, help="Plant region: electricity of the recycling and cathode plants."
)
@click.option(
    "--allocation",
    type=ALLOCATION_CHOICES,
    default=None,
    help="Allocation of multi-output steps. Default: none for kg-cam, kg-feed and kg-black-mass; "
    "economic for kg-metal and kg-salt (EU CF rules; none and cut-off are refused there).",
)
@click.option(
    "--unit",
    "fu",
    default="kg-cam",
    show_default=True,
    help="Functional unit: kg-cam, kg-metal:Ni|Co|Li|Mn, kg-salt:<salt>, kg-black-mass, kg-feed.",
)
@click.option(
    "--indicator",
    "indicator_text",
    default="gwp100,energy,water",
    show_default=True,
    help=INDICATOR_HELP,
)
@click.option("--param", "params", multiple=True, help="Parameter override NAME=VALUE (repeatable).")
@scenario_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="csv: one row per route x indicator x stage; xlsx (needs --out): results, contributions, parameters, "
    "metadata sheets.",
)
@click.option("--top", default=3, show_default=True, help="Number of top contributing stages in the table.")
@plot_option
@click.option(
    "--plot-kind",
    type=click.Choice(["stages", "waterfall"]),
    default="stages",
    show_default=True,
    help="Chart for --plot: stacked stage contributions per route, or a waterfall from virgin to the first "
    "recycled route (first --indicator).",
)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@inventory_option
@background_options
def compare(
    chemistry: str,
    routes: Sequence[str],
    region: str,
    allocation: str | None,
    fu: str,
    indicator_text: str,
    params: Sequence[str],
    scenario_refs: Sequence[str],
    fmt: str,
    top: int,
    plot: str | None,
    plot_kind: str,
    out: str | None,
    overwrite: bool,
    inventory_files: Sequence[str],
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Compare virgin and recycled CHEMISTRY (NMC111, NMC532, NMC622, NMC811, NCA, LFP) per kg.

    All routes use the same functional unit, methods, allocation and plant region. The
    table shows absolute values, the difference to virgin, the % change and the top
    contributing stages.

    \b
    Examples:
      cathode-lca compare NMC811
      cathode-lca compare NMC622 --region CN --allocation economic --format json
      cathode-lca compare NCA --unit kg-metal:Ni --route virgin --route hydrometallurgical
      cathode-lca compare NMC811 --param hydro_recovery_ni=0.95 --indicator gwp100
      cathode-lca compare NMC811 --plot nmc811.svg --format xlsx --out nmc811.xlsx
    """
    from .comparison import compare as run_compare
    from .report.output import check_binary_out, check_plot_path

    if out:
        from .io import check_writable

        check_writable(out, overwrite)
    check_binary_out(fmt, out, overwrite=overwrite)
    check_plot_path(plot, overwrite=overwrite)
    indicators = _indicators(indicator_text)
    overrides = parse_params(params)
    applied = apply_scenarios(
        model_with_background(background, mapping, unmapped, inventory_files), scenario_refs, overrides
    )
    options: dict[str, Any] = {
        "routes": list(routes) or None,
        "region": applied.region(region),
        "allocation": allocation,
        "unit": fu,
        "indicators": indicators,
        "parameters": applied.parameters,
        "model": applied.model,
    }
    ds = run_compare(chemistry, **options)
    applied.stamp(ds)
    if fmt in ("json", "xlsx"):  # contribution-weighted data quality rating of every result
        from .uncertainty.dqr import comparison_dqr

        ds.attrs["dqr"] = json.dumps(comparison_dqr(chemistry, **options))
    print_warnings(ds)
    if plot:
        from .report.output import write_plot

        write_plot("compare" if plot_kind == "stages" else "waterfall", ds, plot, overwrite=overwrite)
    if fmt == "xlsx":
        from .report.output import write_xlsx

        write_xlsx("compare", ds, str(out), overwrite=overwrite, model=applied.model)
        return
    emit(render_comparison(ds, fmt, top), out, overwrite)


def comparison_rows(ds: Any) -> list[dict[str, Any]]:
    import math

    rows = []
    for route in ds.route.values.tolist():
        for ind in ds.indicator.values.tolist():
            value = float(ds.value.sel(route=route, indicator=ind))
            if math.isnan(value):
                continue
            stages = ds.by_stage.sel(route=route, indicator=ind)
            rows.append(
                {
                    "route": route,
                    "indicator": ind,
                    "unit": str(ds.unit.sel(indicator=ind).item()),
                    "value": value,
                    "difference": _num(ds.difference.sel(route=route, indicator=ind)),
                    "change_pct": _num(ds.relative_change.sel(route=route, indicator=ind)),
                    "by_stage": {
                        s: float(v) for s, v in zip(ds.stage.values.tolist(), stages.values, strict=True) if v != 0
                    },
                }
            )
    return rows


def _num(x: Any) -> float | None:
    import math

    v = float(x)
    return None if math.isnan(v) else v


def render_comparison(ds: Any, fmt: str, top: int = 3) -> str:
    from .cli_scenarios import metadata as scenario_metadata

    rows = comparison_rows(ds)
    metadata = {
        "version": ds.attrs["package_version"],
        "inventory_hash": ds.attrs["inventory_hash"],
        "method": ds.attrs["methods"],
        "sources": json.loads(ds.attrs["sources"]),
        "parameters": json.loads(ds.attrs["parameters"]),
        "functional_unit_code": ds.attrs["functional_unit_code"],
        "solver": ds.attrs["solver"],
        "seed": None,
        "not_applicable": json.loads(ds.attrs["not_applicable"]),
        "electricity_basis": dict(ds.attrs.get("electricity_basis", {})),
        **scenario_metadata(ds.attrs),
    }
    if fmt == "json":
        payload = {
            "chemistry": ds.attrs["chemistry"],
            "region": ds.attrs["region"],
            "allocation": json.loads(ds.attrs.get("allocation_partition", "[]")),
            "allocation_option": ds.attrs["allocation"],
            "functional_unit": ds.attrs["functional_unit"],
            "results": rows,
            "warnings": warnings_of(ds),
            "metadata": metadata,
        }
        if "dqr" in ds.attrs:
            payload["dqr"] = json.loads(ds.attrs["dqr"])
        return json.dumps(payload, indent=2)
    if fmt == "csv":
        from .report.tables import tidy

        return tidy(ds).to_csv(index=False, lineterminator="\n").rstrip("\n")
    from .report.tables import comparison_text

    scenario_lines = [
        f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]})"
        for sc in metadata.get("scenarios", [])
    ]
    return "\n".join([comparison_text(ds, top), *scenario_lines])


def _top(by_stage: dict[str, float], n: int) -> list[tuple[str, float]]:
    return sorted(by_stage.items(), key=lambda kv: -abs(kv[1]))[:n]


def comparison_options(func: Any) -> Any:
    """Options shared by compare-like commands (route, region, allocation, unit, indicator, param)."""
    options = [
        click.option(
            "--route",
            "routes",
            multiple=True,
            type=click.Choice(["virgin", "hydrometallurgical", "pyrometallurgical", "direct"]),
            help="Route (repeatable). Default: virgin and every recycling route available.",
        ),
        click.option("--region", default="US", show_default=True, help="Plant region (recycling and cathode plants)."),
        click.option("--allocation", type=ALLOCATION_CHOICES, default="none", show_default=True),
        click.option("--unit", "fu", default="kg-cam", show_default=True, help="Functional unit (see compare --help)."),
        click.option(
            "--indicator", "indicator_text", default="gwp100,energy,water", show_default=True, help=INDICATOR_HELP
        ),
        click.option("--param", "params", multiple=True, help="Fixed parameter value NAME=VALUE (repeatable)."),
        scenario_option,
        click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout."),
        click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file."),
        inventory_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
    from .cli_scenarios import needs_model

    overrides = parse_params(params)
    if not needs_model(scenario_refs, overrides):
        return _chunked_model(background, mapping, unmapped, inventory_files), apply_scenarios(None, (), overrides)
    applied = apply_scenarios(
        model_with_background(background, mapping, unmapped, inventory_files), scenario_refs, overrides
    )
    return {"model": applied.model, "inventory_files": ()}, applied


def _indicators(text: str) -> list[str]:
    """Indicator names from '--indicator' text; method ids (e.g. ipcc2021-gwp100) map to their names."""
    from .comparison import INDICATORS

    alias = {method: name for name, method in INDICATORS.items()}
    names = [i.strip() for i in text.split(",") if i.strip()]
    return list(dict.fromkeys(alias.get(n, n) for n in names))


def _method_ids(indicator_text: str | None, methods: Sequence[str]) -> list[str]:
    """Method ids for compute: from --indicator names (or ids), else the deprecated --method ids."""
    from .comparison import INDICATORS

    if methods:
        click.echo("note: 'compute --method' is deprecated; use --indicator (e.g. --indicator gwp100)", err=True)
    ids = [INDICATORS.get(n, n) for n in _indicators(indicator_text or "")]
    return list(dict.fromkeys([*ids, *methods]))


def print_warnings(ds: Any) -> None:
    """Contract 3: every result warning on stderr, prefixed 'warning: '."""
    for warning in warnings_of(ds):
        click.echo(f"warning: {warning}", err=True)


def _write_netcdf(ds: Any, out: str | None, overwrite: bool) -> None:
    if not out:
        raise UsageError("--format netcdf needs --out FILE", hint="e.g. --out results.nc")
    if isinstance(ds.attrs.get("warnings"), list):  # netCDF attributes hold text, not lists
        ds = ds.assign_attrs(warnings=json.dumps(ds.attrs["warnings"]))
    from .io import write_with

    write_with(out, lambda tmp: ds.to_netcdf(tmp, engine="scipy"), overwrite=overwrite)
    click.echo(f"wrote {out}", err=True)


@cli.command()
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
      cathode-lca uncertainty NMC811 --samples 1000000 --scheduler processes --format netcdf --out mc.nc
    """
    from .report.output import check_binary_out, check_plot_path
    from .uncertainty.monte_carlo import monte_carlo

    check_scheduler(scheduler)
    n_ind = max(1, len(_indicators(indicator_text)))
    check_samples(samples, minimum=2, bytes_per_sample=8 * 3 * n_ind * max(2, len(routes)))
    distributions = checked_vary(vary)
    parse_params(params)  # refuse malformed --param before any work
    if out:
        from .io import check_writable

        check_writable(out, overwrite)
    check_binary_out(fmt, out, overwrite=overwrite)
    check_plot_path(plot, overwrite=overwrite)
    model_args, applied = _chunked_scenarios(background, mapping, unmapped, inventory_files, scenario_refs, params)
    ds = monte_carlo(
        chemistry,
        routes=list(routes) or None,
        samples=samples,
        seed=seed,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=_indicators(indicator_text),
        parameters=applied.parameters,
        distributions=distributions,
        **model_args,
        chunk_size=chunk_size,
        scheduler=scheduler,
        progress=progress,
        default_uncertainty=default_uncertainty,
        pedigree=pedigree,
    )
    applied.stamp(ds)
    for warning in json.loads(ds.attrs.get("warnings", "[]")):
        click.echo(f"Warning: {warning}", err=True)
    if plot:
        from .report.output import write_plot

        write_plot("uncertainty", ds, plot, overwrite=overwrite)
    if fmt == "xlsx":
        from .report.output import write_xlsx

        write_xlsx("uncertainty", ds, str(out), overwrite=overwrite)
        return
    if fmt == "netcdf":
        _write_netcdf(ds, out, overwrite)
        return
    if fmt == "csv":
        from .report.tables import uncertainty_frame

        emit(uncertainty_frame(ds).to_csv(index=False, lineterminator="\n"), out, overwrite)
        return
    rows = []
    for route in ds.route.values.tolist():
        for ind in ds.indicator.values.tolist():
            st = ds.statistics.sel(route=route, indicator=ind)
            row: dict[str, Any] = {
                "route": route,
                "indicator": ind,
                "unit": str(ds.unit.sel(indicator=ind).item()),
                "deterministic": _num(ds.deterministic.sel(route=route, indicator=ind)),
                **{str(k): _num(v) for k, v in zip(ds.statistic.values.tolist(), st.values, strict=True)},
            }
            if "difference" in ds and route != "virgin":
                d = ds.difference.sel(route=route, indicator=ind)
                row["difference"] = {
                    str(k): _num(v) for k, v in zip(ds.statistic.values.tolist(), d.values, strict=True)
                }
                row["p_lower_than_virgin"] = _num(ds.p_lower_than_virgin.sel(route=route, indicator=ind))
                if "difference_variance_share" in ds:
                    share = ds.difference_variance_share.sel(route=route, indicator=ind).to_series()
                    rho = ds.difference_spearman.sel(route=route, indicator=ind)
                    row["difference_drivers"] = [
                        {"input": str(k), "variance_share": float(v), "spearman": float(rho.sel(input=k))}
                        for k, v in share[share > 0].nlargest(5).items()
                    ]
            rows.append(row)
    if fmt == "json":
        meta = {k: (json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v) for k, v in ds.attrs.items()}
        emit(json.dumps({"results": rows, "metadata": meta}, indent=2, default=str), out, overwrite)
        return
    table = []
    for r in rows:
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
                "P(< virgin)": "" if "p_lower_than_virgin" not in r else f"{r['p_lower_than_virgin']:.3f}",
            }
        )
    header = (
        f"{ds.attrs['chemistry']} Monte Carlo: {ds.attrs['samples']} samples, seed {ds.attrs['seed']}, "
        f"{len(json.loads(ds.attrs['uncertain_parameters']))} uncertain parameters (shared by all routes)"
    )
    cols = ["route", "indicator", "unit", "deterministic", "mean", "median", "std", "95% interval", "P(< virgin)"]
    drivers = [
        f"  {r['route']} − virgin, {r['indicator']}: "
        + ", ".join(f"{d['input']} {d['variance_share']:.0%}" for d in r["difference_drivers"][:3])
        for r in rows
        if r.get("difference_drivers")
    ]
    if drivers:
        table_text = format_table(table, cols) + "\n\nlargest shares of the variance of the difference:\n"
        emit(header + "\n\n" + table_text + "\n".join(drivers), out, overwrite)
        return
    emit(header + "\n\n" + format_table(table, cols), out, overwrite)


@cli.command()
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
      cathode-lca sensitivity NMC811 --spread 0.1 --indicator gwp100 --format csv
      cathode-lca sensitivity NMC811 --technique morris --samples 50 --spread 0.2
    """
    from .report.output import check_binary_out, check_plot_path
    from .uncertainty.sensitivity import ranking
    from .uncertainty.sensitivity import sensitivity as run_sensitivity

    if sa_method_old:
        click.echo("note: 'sensitivity --method' is deprecated; use --technique", err=True)
        sa_method = sa_method_old
    check_samples(samples, minimum=8, bytes_per_sample=8 * 4 * max(1, len(_indicators(indicator_text))))
    distributions = checked_vary(vary)
    if spread is not None:
        check_finite("--spread", "", spread)
    if out:
        from .io import check_writable

        check_writable(out, overwrite)
    check_binary_out(fmt, out, overwrite=overwrite)
    check_plot_path(plot, overwrite=overwrite)
    overrides = parse_params(params)
    applied = apply_scenarios(
        model_with_background(background, mapping, unmapped, inventory_files), scenario_refs, overrides
    )
    ds = run_sensitivity(
        chemistry,
        method=sa_method,
        routes=list(routes) or None,
        samples=samples,
        seed=seed,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=_indicators(indicator_text),
        parameters=applied.parameters,
        distributions=distributions,
        spread=spread,
        model=applied.model,
        default_uncertainty=default_uncertainty,
        pedigree=pedigree,
        progress=progress,
    )
    applied.stamp(ds)
    if plot:
        from .report.output import write_plot

        write_plot("sensitivity", ds, plot, overwrite=overwrite)
    if fmt == "xlsx":
        from .report.output import write_xlsx

        write_xlsx("sensitivity", ds, str(out), overwrite=overwrite)
        return
    if fmt == "netcdf":
        _write_netcdf(ds, out, overwrite)
        return
    if fmt == "csv":
        from .report.tables import sensitivity_frame

        emit(sensitivity_frame(ds).to_csv(index=False, lineterminator="\n"), out, overwrite)
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
        emit(json.dumps({"ranking": rows, "metadata": dict(ds.attrs)}, indent=2, default=str), out, overwrite)
        return
    cols = ["route", "indicator", "rank", "parameter", key] + (["S1"] if sa_method == "sobol" else [])
    if fmt == "csv":
        emit(format_csv(rows, cols), out, overwrite)
        return
    header = f"{sa_method} sensitivity, {ds.attrs['model_evaluations']} model evaluations, {ds.sizes['parameter']} parameters"
    emit(header + "\n\n" + format_table(rows, cols), out, overwrite)


@cli.command()
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

    from .report.output import check_binary_out, check_plot_path
    from .uncertainty.sweep import parse_grid
    from .uncertainty.sweep import sweep as run_sweep

    check_scheduler(scheduler)
    grid = parse_grid(grid_items)
    for name, values in grid.items():
        for value in values:
            if isinstance(value, float):
                check_finite("--grid", name, value)
    size = math.prod(len(v) for v in grid.values()) if mode == "grid" else max(len(v) for v in grid.values())
    check_samples(
        size, minimum=1, bytes_per_sample=8 * 3 * 4 * max(1, len(_indicators(indicator_text))), option="--grid"
    )
    parse_params(params)  # refuse malformed --param before any work
    if out:
        from .io import check_writable

        check_writable(out, overwrite)
    check_binary_out(fmt, out, overwrite=overwrite)
    check_plot_path(plot, overwrite=overwrite)
    model_args, applied = _chunked_scenarios(background, mapping, unmapped, inventory_files, scenario_refs, params)
    ds = run_sweep(
        chemistry,
        grid,
        routes=list(routes) or None,
        mode=mode,
        region=applied.region(region),
        allocation=allocation,
        unit=fu,
        indicators=_indicators(indicator_text),
        parameters=applied.parameters,
        **model_args,
        chunk_size=chunk_size,
        scheduler=scheduler,
        progress=progress,
    )
    applied.stamp(ds)
    if plot:
        from .report.output import write_plot

        write_plot("sweep", ds, plot, overwrite=overwrite)
    if fmt == "xlsx":
        from .report.output import write_xlsx

        write_xlsx("sweep", ds, str(out), overwrite=overwrite)
        return
    if fmt == "netcdf":
        _write_netcdf(ds, out, overwrite)
        return
    df = ds.value.to_dataframe().reset_index()
    rows = df.to_dict(orient="records")
    cols = list(df.columns)
    if fmt == "json":
        emit(json.dumps({"results": rows, "metadata": dict(ds.attrs)}, indent=2, default=str), out, overwrite)
    elif fmt == "csv":
        emit(format_csv(rows, cols), out, overwrite)
    else:
        emit(format_table(rows, cols), out, overwrite)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into exit code 2 without a traceback."""
    try:
        cli.main(args=argv, prog_name="cathode-lca", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except CathodeLCAError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except ImportError as exc:  # an optional extra that is not installed: one line, no traceback
        from .extras import missing_extra_error

        error = missing_extra_error(exc)
        if error is None:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()


from .brightway.cli import brightway as brightway_group  # noqa: E402  (light module: click only)
from .passport.cli import passport  # noqa: E402  (light module: click and rule data only)
from .report.cli import report  # noqa: E402  (light module: click only)

cli.add_command(passport)
cli.add_command(brightway_group)
cli.add_command(scenarios_command)
cli.add_command(report)
