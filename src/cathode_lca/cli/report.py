"""The ``report`` command (click). Light at import: the report modules load inside the command.

Examples
--------
>>> from click.testing import CliRunner                                               # doctest: +SKIP
>>> CliRunner().invoke(report, ["NMC811", "--out", "nmc811.html"])                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from .compare import run_comparison
from .model import scenario_model
from .options import (
    ALLOCATION_CHOICES,
    INDICATOR_HELP,
    background_options,
    inventory_option,
    parse_indicators,
    parse_params,
    route_option,
    scenario_option,
)


@click.command()
@click.argument("chemistry")
@click.option(
    "--battery",
    type=click.Path(dir_okay=False),
    default=None,
    help="Battery specification (YAML) for the passport summary.",
)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@route_option("Route (repeatable). Default: virgin and every recycling route available.")
@click.option("--region", default="US", show_default=True, help="Plant region (recycling and cathode plants).")
@click.option("--allocation", type=ALLOCATION_CHOICES, default="none", show_default=True)
@click.option("--unit", "fu", default="kg-cam", show_default=True, help="Functional unit (see compare --help).")
@click.option("--indicator", "indicator_text", default="gwp100,energy,water", show_default=True, help=INDICATOR_HELP)
@click.option("--param", "params", multiple=True, help="Parameter override NAME=VALUE (repeatable).")
@click.option("--title", default=None, help="Page title.")
@scenario_option
@inventory_option
@background_options
def report(
    chemistry: str,
    battery: str | None,
    out: str,
    overwrite: bool,
    routes: Sequence[str],
    region: str,
    allocation: str,
    fu: str,
    indicator_text: str,
    params: Sequence[str],
    title: str | None,
    scenario_refs: Sequence[str],
    inventory_files: Sequence[str],
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Write a self-contained HTML report of virgin vs recycled CHEMISTRY (no network needed to view it).

    It holds the assumptions and scenario, the results and contribution tables, charts, the
    passport summary (with --battery), data sources, data quality, warnings and a metadata hash.

    \b
    Examples:
      cathode-lca report NMC811 --out nmc811.html
      cathode-lca report NMC811 --battery examples/battery-nmc811.yaml --region CN --out nmc811.html
      cathode-lca report NMC811 --scenario examples/plants/eu-hydro-recycler.yaml --out eu-plant.html
    """
    from ..io import check_writable
    from ..report.html import report_html, write_report
    from ..report.output import check_not_inputs

    check_writable(out, overwrite)
    check_not_inputs({"--battery": battery}, {"--out": out})
    if battery and params:
        from ..errors import UsageError

        raise UsageError(
            "--param applies to the comparison, not to the --battery declaration: the passport summary would be "
            "computed on other parameter values than the page's assumptions state",
            hint="give the parameters to both: in the battery file's model_parameters (the declaration records them) "
            "or in a --scenario file, which applies to the comparison and the declaration alike",
        )
    applied = scenario_model(scenario_refs, parse_params(params), background, mapping, unmapped, inventory_files)
    model = applied.model
    ds, _options = run_comparison(
        chemistry,
        applied,
        routes=routes,
        region=region,
        allocation=allocation,
        unit=fu,
        indicators=parse_indicators(indicator_text),
        dqr=True,
    )
    declaration: Any = None
    if battery:
        from ..passport.declaration import declare

        declaration = declare(battery, model=model)
    write_report(report_html(ds, declaration=declaration, title=title), out, overwrite=overwrite)
    click.echo(f"wrote {out}", err=True)
