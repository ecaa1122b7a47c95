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
