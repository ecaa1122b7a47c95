"""The ``compare`` command and its table, JSON and CSV renderings.

Examples
--------
>>> from click.testing import CliRunner                                          # doctest: +SKIP
>>> CliRunner().invoke(compare, ["NMC811", "--format", "json"]).exit_code       # doctest: +SKIP
0
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from ..errors import UsageError
from ..result_warnings import json_attr, warnings_of
from .exchange import PactRequest, pact_options, refuse_inputs
from .model import scenario_model
from .options import (
    ALLOCATION_CHOICES,
    INDICATOR_HELP,
    background_options,
    inventory_option,
    parse_indicators,
    parse_params,
    plot_option,
    route_option,
    scenario_option,
)
from .output import emit, frame_csv, num, print_warnings
from .scenarios import Applied


@click.command()
@click.argument("chemistry")
@route_option("Route to include (repeatable). Default: virgin and every recycling route available for CHEMISTRY.")
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
    type=click.Choice(["stages", "processes", "waterfall"]),
    default="stages",
    show_default=True,
    help="Chart for --plot (first --indicator): stacked stage contributions per route, stacked contributions "
    "of the largest foreground processes per route, or a waterfall from virgin to the first recycled route.",
)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@pact_options
@click.option(
    "--pact-route", default=None, help="Route of the --pact footprint. Default: the first recycled route compared."
)
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
    pact_route: str | None,
    **pact_kwargs: Any,
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
      cathode-lca compare NMC811 --unit kg-salt:nickel-sulfate --allocation economic --pact pcf.json \\
        --pact-company ACME --pact-cpc 34240 --pact-period 2023
    """
    from ..report.output import check_outputs

    check_outputs(fmt, out, plot, overwrite=overwrite)
    pact = PactRequest.from_kwargs(pact_kwargs)
    pact.check(overwrite, out, plot)
    pact.check_functional_unit(fu)
    if out:  # --overwrite replaces an earlier result, never the scenario or inventory it is computed from
        refuse_inputs("--out", out)
    indicators = parse_indicators(indicator_text)
    overrides = parse_params(params)
    applied = scenario_model(scenario_refs, overrides, background, mapping, unmapped, inventory_files)
    ds, options = run_comparison(
        chemistry, applied, routes=routes, region=region, allocation=allocation, unit=fu, indicators=indicators,
        dqr=fmt in ("json", "xlsx"),
    )  # fmt: skip
    print_warnings(ds)
    workbook = None
    if fmt == "xlsx":  # rendered before any file is written: if it cannot be made, nothing is left behind
        from ..report.output import xlsx_bytes

        workbook = xlsx_bytes("compare", ds, applied.model)
    if pact.out:  # first: its checks (route, gwp100, per-kg unit) must fail before any file is written
        _write_pact(pact, ds, pact_route, overwrite, chemistry, options)
    if plot:
        from ..report.output import write_plot

        if plot_kind == "processes":
            from ..report.processes import route_process_results

            results, method = route_process_results(chemistry, indicator=indicators[0], **options)
            write_plot("processes", results, plot, overwrite=overwrite, method=method)
        else:
            write_plot("compare" if plot_kind == "stages" else "waterfall", ds, plot, overwrite=overwrite)
    if fmt == "xlsx":
        from ..report.output import write_xlsx

        write_xlsx("compare", ds, str(out), overwrite=overwrite, data=workbook)
        return
    emit(render_comparison(ds, fmt, top), out, overwrite)


def run_comparison(
    chemistry: str,
    applied: Applied,
    *,
    routes: Sequence[str],
    region: str,
    allocation: str | None,
    unit: str,
    indicators: Sequence[str],
    dqr: bool,
) -> tuple[Any, dict[str, Any]]:
    """``compare()`` on the scenario-applied model, stamped with the scenarios' provenance.

    With *dqr*, ``attrs["dqr"]`` holds the contribution-weighted data quality rating of every result.
    Returns the result and the options it was computed with (for charts that recompute per route).
    """
    from ..comparison import compare as run_compare

    options: dict[str, Any] = {
        "routes": list(routes) or None,
        "region": applied.region(region),
        "allocation": allocation,
        "unit": unit,
        "indicators": list(indicators),
        "parameters": applied.parameters,
        "model": applied.model,
    }
    ds = applied.stamp(run_compare(chemistry, **options, dqr=dqr))  # the DQR rates what compare computed
    return ds, options


def _write_pact(
    pact: PactRequest, ds: Any, route: str | None, overwrite: bool, chemistry: str, options: dict[str, Any]
) -> None:
    """The PACT footprint of one compared route (GWP100 per functional unit), located where its product is made."""
    routes = ds.route.values.tolist()
    route = route or next((r for r in routes if r != "virgin"), routes[0])
    if route not in routes:
        raise UsageError(f"--pact-route '{route}' was not compared", hint="compared: " + ", ".join(routes))
    if "gwp100" not in ds.indicator.values.tolist():
        raise UsageError("--pact needs the gwp100 result", hint="add gwp100 to --indicator")
    value = float(ds.value.sel(route=route, indicator="gwp100"))
    fu = str(ds.attrs.get("functional_unit", ""))
    if not fu.startswith("1 kg "):
        raise UsageError(f"--pact writes per-kg footprints; this functional unit is '{fu}'", hint="use a per-kg --unit")
    import json

    from ..comparison import route_demands
    from ..exchange.pact import dataset_region

    model = options["model"]  # the route's product is made by the dataset it demands: its location, resolved
    parameters = json.loads(ds.attrs.get("parameters") or "{}")  # the parameters the comparison ran at
    env = model.parameters.evaluate(parameters)
    demands = route_demands(model, chemistry, [route], str(options["unit"]), str(ds.attrs["allocation"]), env)[0]
    product = next(iter(demands[0].demand), None)
    if product is None:  # the route does not make the functional unit's product (its value is NaN)
        raise UsageError(f"--pact-route {route}: {demands[0].note}", hint="give --pact-route a route that makes it")
    region = dataset_region(model, model.inventory.products[product][0], parameters)
    pact.write(
        value,
        product=f"{fu[5:]}, {route} route",
        description=f"{fu}, {route} route ({ds.attrs.get('chemistry', '')}), computed by cathode-lca",
        attrs={**ds.attrs, "region": region},
        overwrite=overwrite,
    )


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
                    "difference": num(ds.difference.sel(route=route, indicator=ind)),
                    "change_pct": num(ds.relative_change.sel(route=route, indicator=ind)),
                    "by_stage": {
                        s: float(v) for s, v in zip(ds.stage.values.tolist(), stages.values, strict=True) if v != 0
                    },
                }
            )
    return rows


def render_comparison(ds: Any, fmt: str, top: int = 3) -> str:
    from .scenarios import metadata as scenario_metadata

    rows = comparison_rows(ds)
    metadata = {
        "version": ds.attrs["package_version"],
        "inventory_hash": ds.attrs["inventory_hash"],
        "background": json.loads(ds.attrs.get("background", "null")),
        "method": ds.attrs["methods"],
        "sources": json.loads(ds.attrs["sources"]),
        "parameters": json.loads(ds.attrs["parameters"]),
        "functional_unit_code": ds.attrs["functional_unit_code"],
        "solver": ds.attrs["solver"],
        "seed": None,
        "not_applicable": json.loads(ds.attrs["not_applicable"]),
        "electricity_basis": json_attr(ds.attrs, "electricity_basis"),
        "electricity_supply": json_attr(ds.attrs, "electricity_supply"),
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
        from ..report.tables import tidy

        return frame_csv(tidy(ds), ds.attrs)
    from ..io import display_text
    from ..report.tables import comparison_text

    scenario_lines = [
        display_text(f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]})")
        for sc in metadata.get("scenarios", [])
    ]
    return "\n".join([comparison_text(ds, top), *scenario_lines])
