"""The ``passport`` command (click). Light at import: heavy modules load inside the command.

:func:`run_passport` does the work and
takes an optional prebuilt :class:`cathode_lca.lca.LCAModel`, so a shared option (extra
inventories, a Brightway background) can pass its own model.

Examples
--------
>>> from click.testing import CliRunner                                          # doctest: +SKIP
>>> CliRunner().invoke(passport, ["examples/battery-nmc811.yaml", "--format", "json"])  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..passport.rules import RULE_ALIASES, RULE_SETS, STAGE_MAPPINGS
from .exchange import PactRequest, pact_options, refuse_supplier_files
from .model import scenario_model
from .options import background_options, inventory_option, plot_option, scenario_option
from .scenarios import metadata as scenario_metadata

if TYPE_CHECKING:
    from ..lca import LCAModel


def run_passport(
    battery_file: str,
    *,
    rules: str = "cff-jrc-a0.2-bp-r2",
    stage_mapping: str | None = None,
    fmt: str = "table",
    out: str | None = None,
    overwrite: bool = False,
    model: LCAModel | None = None,
    provenance: dict[str, Any] | None = None,
    plot: str | None = None,
    pact: PactRequest | None = None,
) -> str:
    """Declare *battery_file* and return the text (also written to *out* when given).

    *provenance* (scenarios and overridden parameters) is added to the JSON's ``calculation`` trace.
    """
    from ..io import write_text_atomic
    from ..passport.declaration import declare
    from ..report.output import check_not_inputs, check_outputs

    check_outputs(fmt, out, plot, overwrite=overwrite)
    check_not_inputs(
        {"BATTERY_FILE": battery_file}, {"--out": out, "--plot": plot, "--pact": pact.out if pact else None}
    )
    declaration = declare(battery_file, rules=rules, model=model, stage_mapping=stage_mapping)
    from ..io import display_text, write_bytes_atomic

    for warning in declaration.warnings:
        click.echo(f"warning: {display_text(warning)}", err=True)
    # every output is rendered before the first file is written: a chart or workbook that cannot be
    # made (text too long for Excel, ...) must not leave the PACT file or the chart of a failed run
    chart: bytes | None = None
    if plot:
        from ..report.plots import figure_bytes, passport_stages

        chart = figure_bytes(passport_stages(declaration), Path(plot).suffix.lower().lstrip("."))
    workbook: bytes | None = None
    if fmt == "xlsx":
        from ..report.xlsx import passport_sheets, workbook_bytes

        workbook = workbook_bytes(passport_sheets(declaration, provenance))
        text = f"{declaration.total_per_kwh:.6g} kg CO2-eq/kWh (workbook {out})"
    else:
        text = declaration.to_json() if fmt == "json" else declaration.to_table()
    if provenance and fmt == "table":  # the scenarios behind the numbers, as compare prints them
        text += "".join(
            "\n" + display_text(f"scenario {sc['name']} ({sc['parameters']} parameters, sha256 {sc['sha256'][:12]})")
            for sc in provenance.get("scenarios", [])
        )
    if provenance and fmt == "json":
        import json

        payload = json.loads(text)
        payload.setdefault("calculation", {}).update(provenance)
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    if pact is not None and pact.out:
        write_declaration_pact(pact, declaration, overwrite)
    if plot and chart is not None:
        write_bytes_atomic(plot, chart, overwrite=overwrite)
        click.echo(f"wrote {plot}", err=True)
    if workbook is not None:
        write_bytes_atomic(str(out), workbook, overwrite=overwrite)
    elif out:
        write_text_atomic(out, text + "\n", overwrite=overwrite)
    return text


def write_declaration_pact(pact: PactRequest, declaration: Any, overwrite: bool) -> None:
    """The declaration as a PACT footprint: kg CO2-eq per kWh of the total energy over the service life."""
    battery = declaration.calculation.get("battery", {})
    meta = declaration.calculation.get("metadata", {})
    rule = declaration.total_energy.rule
    pact.write(
        declaration.total_per_kwh,
        product=str(battery.get("model") or battery.get("identifier") or "battery"),
        description=f"{battery.get('category', '')} battery {battery.get('model', '')}, "
        f"{battery.get('chemistry', '')}; carbon footprint per kWh of the total energy over the service life",
        attrs={
            "inventory_hash": meta.get("inventory_hash", ""),
            "package_version": meta.get("package_version", ""),
            "allocation": f"circular footprint formula, rule set {meta.get('rules', '')}",
            "region": str((battery.get("manufacturingPlantDetails") or {}).get("country") or ""),
            "sources": sorted({s for group in (declaration.calculation.get("sources") or {}).values() for s in group}),
        },
        overwrite=overwrite,
        declared_unit="kilowatt hour",
        unitary_amount=float(declaration.total_energy.kwh),
        # kg of battery per declared unit (kWh over the service life): pack mass / lifetime energy
        product_mass=float(battery["massKg"]) / float(declaration.total_energy.kwh) if battery.get("massKg") else None,
        boundary="life cycle excluding the use stage, per Regulation (EU) 2023/1542 Art. 7 and the carbon footprint "
        f"rules for batteries; functional unit: {rule}",
        rules=[
            {
                "operator": "Other",
                "otherOperatorName": "European Commission",
                "ruleNames": [f"Regulation (EU) 2023/1542, Art. 7; rule set {meta.get('rules', '')}"],
            }
        ],
    )


@click.command()
@click.argument("battery_file", type=click.Path(dir_okay=False))
@click.option(
    "--rules",
    type=click.Choice([*RULE_SETS, *RULE_ALIASES]),
    default="cff-jrc-a0.2-bp-r2",
    show_default=True,
    help="Rule set: cff-jrc-a0.2-bp-r2 (CFF, A = 0.2, R2 = collection x yield) or cut-off (A = 1); "
    "jrc-cfb-ev-2023 is a deprecated name of the first.",
)
@click.option(
    "--stage-mapping",
    type=click.Choice(list(STAGE_MAPPINGS)),
    default=None,
    help="Where CAM production belongs: regulation (raw materials) or jrc (main production). "
    "Default: the battery file's stage_mapping, else the rule set's (jrc).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xlsx"]),
    default="table",
    show_default=True,
    help="xlsx (needs --out): stages, CFF terms, parameters with sources, metadata.",
)
@plot_option
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--overwrite", is_flag=True, help="Allow --out to replace an existing file.")
@pact_options
@inventory_option
@scenario_option
@background_options
def passport(
    battery_file: str,
    rules: str,
    stage_mapping: str | None,
    fmt: str,
    plot: str | None,
    out: str | None,
    overwrite: bool,
    inventory_files: tuple[str, ...],
    scenario_refs: tuple[str, ...],
    background: str | None,
    mapping: str | None,
    unmapped: str,
    **pact_kwargs: Any,
) -> None:
    """Carbon-footprint and recycled-content declaration of a battery (EU 2023/1542 Art. 7, 8, Annex XIII).

    BATTERY_FILE is a battery specification (YAML, see docs/passport.md). The JSON has the
    Battery Pass v1.2.0 parts 'carbonFootprint' and 'recycledContent' and the full trace
    'calculation' (CFF terms per material, stages, datasets, sources, Annex XII checks).

    \b
    Examples:
      cathode-lca passport examples/battery-nmc811.yaml
      cathode-lca passport examples/battery-nmc811.yaml --rules cut-off --format json --out passport.json
      cathode-lca passport examples/battery-nmc811.yaml --scenario eu-2030-recycler
      cathode-lca passport examples/battery-nmc811.yaml --pact pcf.json --pact-company ACME --pact-cpc 46420 \\
        --pact-period 2024
    """
    pact = PactRequest.from_kwargs(pact_kwargs)
    pact.check(overwrite, out, plot)
    applied = scenario_model(scenario_refs, {}, background, mapping, unmapped, inventory_files)
    if pact.out:  # a supplier footprint the scenario stands in is an input, never replaced
        refuse_supplier_files("--pact", pact.out, applied.attrs.get("supplier_footprints"))
    text = run_passport(
        battery_file,
        rules=rules,
        stage_mapping=stage_mapping,
        fmt=fmt,
        out=out,
        overwrite=overwrite,
        model=applied.model,
        provenance=scenario_metadata(applied.attrs),
        plot=plot,
        pact=pact,
    )
    if out:
        click.echo(f"wrote {out}", err=True)
    else:
        from .output import echo_result

        echo_result(text)
