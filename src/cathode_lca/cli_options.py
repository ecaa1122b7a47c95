"""Click options shared by several commands (a light module: imports click only)."""

from __future__ import annotations

import click

ALLOCATION_CHOICES = click.Choice(["none", "mass", "economic", "system-expansion", "cut-off"])

inventory_option = click.option(
    "--inventory",
    "inventory_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Extra inventory YAML file (more datasets or overrides of shipped ones). Repeatable.",
)

INDICATOR_HELP = (
    "Comma-separated indicators: gwp100 (IPCC AR6), gwp100-ar5, energy, energy-fossil, energy-non-fossil, water. "
    "Method ids (ipcc2021-gwp100, ced, ...) are accepted as aliases."
)

plot_option = click.option(
    "--plot",
    "plot",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the command's chart to FILE (.svg or .png; needs the 'report' extra).",
)
