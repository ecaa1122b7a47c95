"""``cathode-lca brightway ...`` commands.

* ``cathode-lca brightway export --project NAME [--overwrite]``: databases, parameters and methods
  in a bw2data project (opens in the Activity Browser);
* ``cathode-lca brightway datapackage OUT.zip [--samples N | --scenarios FILE]``: bw_processing
  datapackage for ``bw2calc.LCA(..., use_arrays=True)``.

The ``--background`` options of the other commands are :func:`cathode_lca.cli.options.background_options`
and :func:`cathode_lca.cli.model.model_with_background`. Heavy imports (bw2data, bw2calc,
bw_processing) happen inside the commands.

Examples
--------
>>> from click.testing import CliRunner                                          # doctest: +SKIP
>>> CliRunner().invoke(brightway, ["export", "--project", "demo"]).exit_code     # doctest: +SKIP
0
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from ..errors import UsageError
from .checks import MAX_SEED
from .model import model_with_background, scenario_model
from .options import ALLOCATION_CHOICES, background_options, inventory_option, parse_params, scenario_option


@click.group("brightway")
def brightway() -> None:
    """Brightway 2.5 interoperability: export to a bw2data project, or write bw_processing datapackages.

    \b
    Examples:
      cathode-lca brightway export --project cathode
      cathode-lca brightway datapackage model.zip --samples 1000 --seed 1
      cathode-lca compute cam-nmc811-virgin --background "brightway:ei/ecoinvent-3.10-cutoff" \\
          --mapping ecoinvent-3.10-cutoff --unmapped fallback
    """


@brightway.command("export")
@click.option("--project", required=True, help="bw2data project (created if it does not exist).")
@click.option("--prefix", default="cathode-lca", show_default=True, help="Prefix of database and method names.")
@click.option("--allocation", type=ALLOCATION_CHOICES, default="none", show_default=True)
@click.option("--method", "methods", multiple=True, help="Method id to register (repeatable). Default: all.")
@click.option("--overwrite", is_flag=True, help="Replace existing databases, parameter groups and methods.")
@click.option(
    "--biosphere",
    default="biosphere3",
    show_default=True,
    help="Biosphere database to link flows with an exact twin to (created from bw2io's offline list if missing); "
    "'none': all flows in a private '<prefix> biosphere'.",
)
@click.option("--verbose", is_flag=True, help="Show bw2data's logs and progress bars.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@inventory_option
@scenario_option
def export_command(
    project: str,
    prefix: str,
    allocation: str,
    methods: Sequence[str],
    overwrite: bool,
    biosphere: str,
    verbose: bool,
    fmt: str,
    inventory_files: Sequence[str],
    scenario_refs: Sequence[str] = (),
) -> None:
    """Write the inventories into a Brightway project: biosphere, background and foreground
    databases, parameters with their formulas, and the methods.

    Existing databases of the same names are refused unless --overwrite; on any failure
    nothing is left half-written. Set BRIGHTWAY2_DIR to use another Brightway data folder.

    \b
    Examples:
      cathode-lca brightway export --project cathode
      cathode-lca brightway export --project cathode --allocation economic --overwrite
      cathode-lca brightway export --project cathode --scenario eu-2030-recycler
      cathode-lca brightway export --project cathode --biosphere none --verbose
    """
    from ..brightway.export import export_to_brightway
    from .scenarios import metadata as scenario_metadata

    applied = scenario_model(scenario_refs, {}, unmapped="fail", inventory_files=inventory_files)
    model = applied.model
    report = export_to_brightway(
        project,
        model,
        prefix=prefix,
        allocation=allocation,
        overwrite=overwrite,
        methods=list(methods) or None,
        biosphere=None if biosphere.lower() == "none" else biosphere,
        verbose=verbose,
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for warning in applied.warnings:  # e.g. a supplier stand-in carries no energy or water
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        payload = {
            "project": report.project,
            "databases": {db: report.activities[db] for db in report.databases},
            "parameters": report.parameters,
            "parameter_groups": report.groups,
            "methods": [list(m) for m in report.methods],
            "linked_biosphere": report.linked_biosphere,
            "linked_flows": report.linked_flows,
            "notes": report.notes,
            "warnings": applied.warnings,
            "metadata": {**report.metadata, **scenario_metadata(applied.attrs)},
        }
        click.echo(json.dumps(payload, indent=2))
        return
    biosphere, background, foreground = report.databases
    lines = [
        f"wrote Brightway project '{report.project}' ({report.allocation} allocation):",
        f"  {biosphere}: {report.activities[biosphere]} flows"
        + (f" ({report.linked_flows} more linked to {report.linked_biosphere})" if report.linked_biosphere else ""),
        f"  {background}: {report.activities[background]} activities",
        f"  {foreground}: {report.activities[foreground]} activities, {report.parameters} parameters "
        f"in {report.groups} activity groups + database parameters",
        "  methods: " + ", ".join(str(m) for m in report.methods),
        f"inventory hash {report.metadata['inventory_hash'][:12]}, version {report.metadata['package_version']}",
    ]
    click.echo("\n".join(lines))


@brightway.command("datapackage")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--samples", type=int, default=0, help="Monte Carlo columns drawn from the parameter distributions.")
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help="Random seed for --samples, 0 or more (recorded in the package).",
)
@click.option(
    "--scenarios",
    "scenarios_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML file {scenario name: {parameter: value}}: one column per scenario.",
)
@click.option("--method", default="ipcc2021-gwp100", show_default=True, help="Method of the characterisation matrix.")
@click.option("--allocation", type=ALLOCATION_CHOICES, default="none", show_default=True)
@click.option("--param", "params", multiple=True, help="Fixed parameter override NAME=VALUE (repeatable).")
@click.option("--overwrite", is_flag=True, help="Allow OUT to replace an existing file.")
@inventory_option
@background_options
def datapackage_command(
    out: str,
    samples: int,
    seed: int | None,
    scenarios_file: str | None,
    method: str,
    allocation: str,
    params: Sequence[str],
    overwrite: bool,
    inventory_files: Sequence[str],
    background: str | None,
    mapping: str | None,
    unmapped: str,
) -> None:
    """Write OUT.zip, a bw_processing datapackage of the model (technosphere, biosphere and
    characterisation matrices), with array resources for --samples or --scenarios.

    bw2calc then runs without cathode-lca:
    bw2calc.LCA({id: 1}, data_objs=[dp], use_arrays=True); next(lca) moves to the next column.
    Product and flow ids are listed in the package metadata (see docs/brightway.md).

    \b
    Examples:
      cathode-lca brightway datapackage model.zip
      cathode-lca brightway datapackage mc.zip --samples 1000 --seed 42
      cathode-lca brightway datapackage regions.zip --scenarios regions.yaml --method ced
    """
    from ..brightway.datapackage import write_datapackage
    from ..io import check_writable

    check_writable(out, overwrite)
    scenarios = _read_scenarios(scenarios_file) if scenarios_file else None
    model = model_with_background(background, mapping, unmapped, inventory_files)
    info = write_datapackage(
        out,
        model,
        method=method,
        allocation=allocation,
        parameters=parse_params(params),
        samples=samples,
        seed=seed,
        scenarios=scenarios,
        overwrite=overwrite,
    )
    columns = ""
    if info.columns:
        kind = f"samples, seed {info.seed}" if samples else "scenarios: " + ", ".join(info.column_names)
        columns = f", {info.columns} columns ({kind}) for {sum(1 for _ in info.parameters)} parameter(s)"
    click.echo(
        f"wrote {info.path}: {len(info.products)} products, {len(info.flows)} flows, method {info.method}, "
        f"allocation {info.allocation}{columns}"
    )


def _read_scenarios(path: str) -> dict[str, dict[str, Any]]:
    from pathlib import Path

    from .._yaml import load_yaml_text
    from ..errors import InventoryError

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"scenario file '{path}' not found", hint="give a YAML file {scenario: {parameter: value}}")
    data = load_yaml_text(file.read_text(encoding="utf-8"), str(file))
    if not isinstance(data, dict) or not data:
        raise InventoryError(
            "scenario file must map scenario names to {parameter: value}",
            file=str(file),
            line=1,
            hint="e.g. CN: {plant_region: CN}",
        )
    for name, values in data.items():
        if not isinstance(values, dict) or not values:
            line = data.line_of(name) if hasattr(data, "line_of") else None
            raise InventoryError(
                f"scenario '{name}' must map parameter names to values",
                file=str(file),
                line=line,
                hint="e.g. CN: {plant_region: CN}",
            )
    return {str(k): dict(v) for k, v in data.items()}
