"""Inventory commands: ``datasets``, ``parameters``, ``validate`` and ``compute``.

Examples
--------
>>> from click.testing import CliRunner                                          # doctest: +SKIP
>>> CliRunner().invoke(compute, ["sulfuric-acid-greet2022"]).exit_code          # doctest: +SKIP
0
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ..errors import UsageError
from ..result_warnings import warnings_of
from .checks import check_finite
from .exchange import PactRequest, pact_options, refuse_inputs
from .model import scenario_model
from .options import (
    ALLOCATION_CHOICES,
    FORMATS,
    background_options,
    inventory_option,
    method_ids,
    parse_params,
    scenario_option,
)
from .output import emit, format_csv, format_table, json_metadata, print_warnings


@click.command()
@click.option("--search", "-s", default=None, help="Only datasets whose id, name, stage or location contains TEXT.")
@click.option("--stage", default=None, help="Only datasets with this stage tag.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@inventory_option
def datasets(search: str | None, stage: str | None, fmt: str, inventory_files: Sequence[str]) -> None:
    """List (and search) the datasets of the inventories.

    \b
    Examples:
      cathode-lca datasets --search sulfate
      cathode-lca datasets --stage recycling-recovery --format csv
    """
    from ..inventory.load import load_inventory

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


@click.command()
@click.option("--search", "-s", default=None, help="Only parameters whose name contains TEXT.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@inventory_option
def parameters(search: str | None, fmt: str, inventory_files: Sequence[str]) -> None:
    """List parameters with their defaults, units, distributions and sources.

    \b
    Examples:
      cathode-lca parameters --search recovery
      cathode-lca parameters --search sx_ --inventory examples/new-route/solvent-extraction.yaml
    """
    from ..inventory.load import load_inventory

    inv = load_inventory(extra=inventory_files)
    rows = []
    for key, p in sorted(inv.parameters.items()):
        if search and search.lower() not in key.lower():
            continue
        if p.kind == "value":
            default: Any = p.value
        elif p.kind == "choice" and p.follows is not None:
            default = f"follows {p.follows} (of {', '.join(p.choices)})"
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


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all-balances", is_flag=True, help="Show every element balance, not only failures.")
@inventory_option
def validate(paths: Sequence[str], fmt: str, all_balances: bool, inventory_files: Sequence[str]) -> None:
    """Check inventories: syntax, references, units, sources, formulas and element balances.

    PATHS are inventory files or folders (default: the shipped inventories); a scenario or
    plant file among them is checked against the inventories and applied before the element
    balances are checked. With --inventory
    FILE, a user file is checked together with them, so it may use shipped datasets and
    parameters (as compute, compare and the other commands load it). The Ni, Co, Li and Mn
    balance (in = out + losses) is checked for every recycling and cathode dataset.
    Background datasets without any flow for GWP100, CED or water are listed (results that
    use them carry a warning); they do not fail the check.
    Exit code 0 when everything passes, 1 when a check fails, 2 on a load error.

    \b
    Examples:
      cathode-lca validate
      cathode-lca validate --inventory examples/new-route/solvent-extraction.yaml
      cathode-lca validate examples/local-capacity/local.yaml
    """
    from ..engine.validate import balance_table, validate_inventory
    from ..errors import InventoryError
    from ..inventory.load import load_inventory
    from .scenarios import is_scenario_file, validate_scenarios

    scenario_paths = [p for p in paths if is_scenario_file(p)]  # scenario/plant files: checked on the inventories
    paths = [p for p in paths if p not in scenario_paths]
    try:
        inv = load_inventory(list(paths) or None, extra=inventory_files)
    except InventoryError as exc:
        if paths and "unknown reference" in exc.message:
            exc.hint = "check the id, or, if it is a shipped dataset, run 'cathode-lca validate --inventory FILE'"
        raise
    inv, scenarios = validate_scenarios(inv, scenario_paths) if scenario_paths else (inv, [])
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
                    **({"scenarios": scenarios} if scenarios else {}),
                },
                indent=2,
            )
        )
    else:
        click.echo(f"{report.datasets} datasets, {len(inv.parameters)} parameters, {len(inv.flows)} flows loaded")
        for sc in scenarios:
            click.echo(f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]}) applied")
        click.echo(f"element balances checked: {len(report.balances)} (dataset × element)")
        if rows:
            click.echo(format_table(rows, ["dataset", "element", "in", "out", "losses", "difference", "status"]))
        for r in report.known:  # documented data discrepancies: shown on every run, never hidden
            click.echo(
                f"known imbalance: {r.dataset} {r.element}: in {r.inputs:.6g}, out {r.outputs:.6g}, "
                f"losses {r.losses:.6g} ({100 * r.difference / r.inputs:+.3g} % of input): {r.known}"
            )
        for d, why in report.skipped:
            click.echo(f"balance skipped: {d}: {why}")
        for d, lacking in report.missing_indicators.items():
            click.echo(f"missing indicator: {d}: no data for {', '.join(lacking)} (results using it carry a warning)")
        for e in report.errors:
            click.echo(f"ERROR: {e}")
        click.echo("OK" if report.ok else f"FAILED: {len(report.failures)} balance(s), {len(report.errors)} error(s)")
    if not report.ok:
        sys.exit(1)


@click.command()
@click.argument("dataset_id")
@click.option(
    "--amount", type=float, default=1.0, show_default=True, help="Amount of the reference product (positive)."
)
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
@pact_options
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
    **pact_kwargs: Any,
) -> None:
    """Compute the impacts of AMOUNT of DATASET_ID's reference product.

    \b
    Examples:
      cathode-lca compute sulfuric-acid-greet2022
      cathode-lca compute cam-nmc811-virgin --indicator gwp100-ar5 --format json
      cathode-lca compute cam-nmc811-virgin --tree --depth 4 --indicator gwp100
      cathode-lca compute nickel-sulfate-greet2022 --pact pcf.json --pact-company ACME --pact-cpc 34240 \\
        --pact-period 2023
    """
    from ..methods import DEFAULT_METHODS

    if out:
        from ..io import check_writable

        check_writable(out, overwrite)
    check_finite("--amount", dataset_id, amount)
    if amount <= 0:  # zero gives nothing; a negative amount flips every sign and the warnings' blame
        raise UsageError(
            f"--amount must be positive (got {amount:g}): it is the amount of {dataset_id}'s product",
            hint="the impacts of -x kg are minus those of x kg: compute a positive amount",
        )
    pact = PactRequest.from_kwargs(pact_kwargs)
    pact.check(overwrite, out)
    if out:  # --overwrite replaces an earlier result, never the scenario or inventory it is computed from
        refuse_inputs("--out", out)
    if pact.out and tree:
        raise UsageError("--tree prints the process tree and writes no --pact footprint", hint="drop --tree or --pact")
    overrides = parse_params(params)
    applied = scenario_model(scenario_refs, overrides, background, mapping, unmapped, inventory_files)
    model = applied.model
    assert model is not None  # scenario_model always builds one
    if tree:
        from ..report.tree import tree_text

        ids = method_ids(indicator_text, methods) or list(DEFAULT_METHODS)
        text = tree_text(model, dataset_id, amount, ids, applied.parameters, allocation, depth, cutoff, fmt)
        emit(text, out, overwrite)
        return
    ds = model.calculate(
        {dataset_id: amount},
        methods=method_ids(indicator_text, methods) or list(DEFAULT_METHODS),
        parameters=applied.parameters,
        allocation=allocation,
        contributions=contributions or fmt == "json",
    )
    applied.stamp(ds)
    print_warnings(ds)
    if pact.out:
        _write_pact(pact, model, ds, dataset_id, amount, overwrite, applied.parameters)
    results = [
        {
            "indicator": str(ds.indicator.sel(lcia_method=m).item()),
            "method": m,
            "unit": str(ds.unit.sel(lcia_method=m).item()),
            "value": float(ds.score.sel(lcia_method=m)),
        }
        for m in ds.lcia_method.values.tolist()
    ]
    metadata = json_metadata(ds.attrs)
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
    unit = model.inventory.product(model.product_id(dataset_id)).unit
    if fmt == "csv":  # each row says what it is the impact of: the dataset and the amount of its product
        provenance = {k: str(ds.attrs.get(k, "")) for k in ("package_version", "inventory_hash")}
        rows = [{"dataset": dataset_id, "amount": amount, "amount_unit": unit, **r, **provenance} for r in results]
        cols = ["dataset", "amount", "amount_unit", "indicator", "method", "unit", "value", *provenance]
        emit(format_csv(rows, cols), out, overwrite)
        return
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
    from ..io import display_text

    for sc in metadata.get("scenarios", []):  # a scenario's name is shown, never obeyed (CR, ESC, U+202E)
        lines.append(display_text(f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]})"))
    lines += ["", f"inventory hash {ds.attrs['inventory_hash'][:12]}, version {ds.attrs['package_version']}"]
    emit("\n".join(lines), out, overwrite)


def _write_pact(
    pact: PactRequest, model: Any, ds: Any, dataset_id: str, amount: float, overwrite: bool, parameters: Any
) -> None:
    """The PACT footprint of DATASET_ID's reference product (GWP100 per declared unit)."""
    from ..exchange.pact import DECLARED_UNITS, GWP_METHOD, dataset_region
    from ..units import conversion_factor

    if GWP_METHOD not in ds.lcia_method.values.tolist():  # the AR5 method also has indicator 'gwp100'
        raise UsageError(
            "--pact needs the gwp100 (IPCC AR6) result: PACT footprints are declared with AR6 factors",
            hint="add gwp100 to --indicator",
        )
    gwp = [GWP_METHOD]
    product = model.inventory.product(model.product_id(dataset_id))
    declared = next((name for name, u in DECLARED_UNITS.items() if u == product.unit), None)
    per_unit = 1.0
    if declared is None:  # e.g. t or g: declare per kilogram when the unit is a mass
        try:
            per_unit = conversion_factor("kg", product.unit)
        except Exception:
            raise UsageError(
                f"--pact: {dataset_id} is measured in {product.unit}, which PACT cannot declare",
                hint="PACT declares per " + ", ".join(DECLARED_UNITS),
            ) from None
        declared = "kilogram"
    from ..documents import sources

    value = float(ds.score.sel(lcia_method=gwp[0])) / amount * per_unit
    region = dataset_region(model, model.inventory.products[product.id][0], parameters)
    cited = sources(model, [product.id], str(ds.attrs.get("allocation", "none")))
    pact.write(
        value,
        product=product.name,
        description=f"{product.name} ({dataset_id}), computed by cathode-lca",
        attrs={**ds.attrs, "region": region, "sources": cited},
        overwrite=overwrite,
        declared_unit=declared,
    )
