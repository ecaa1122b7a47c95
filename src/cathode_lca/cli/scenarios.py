"""What ``--scenario FILE|NAME`` does to a command's model, and the ``scenarios`` command (light at import: click only).

The option itself is :data:`cathode_lca.cli.options.scenario_option`; applying the files is
:mod:`cathode_lca.scenario_apply` (shared with the Python API's ``scenarios=`` argument).

Order of precedence, later wins: inventory defaults < each ``--scenario`` in the order given <
``--param``. Scenario values become the model's parameter defaults; ``--param`` values (which may
carry a unit, ``--param dist_recycler_to_cathode_mi=500km``) are applied on top. The result
metadata records every scenario (name, path, sha256) and every overridden parameter with its
value, unit and source.

Examples
--------
>>> from click.testing import CliRunner                                   # doctest: +SKIP
>>> CliRunner().invoke(scenarios_command, [])                             # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from ..scenario_apply import PRECEDENCE as PRECEDENCE
from ..scenario_apply import Applied as _Applied
from ..scenario_apply import apply_scenarios as _apply_scenarios
from ..scenario_apply import needs_model as needs_model

if TYPE_CHECKING:
    from ..lca import LCAModel


class Applied(_Applied):
    """:class:`cathode_lca.scenario_apply.Applied` whose region follows ``--region`` only when it was given."""

    def region(self, region: str | None, *, default: str = "US") -> str:
        """The plant region to use: an explicit --region wins, else a scenario's plant_region."""
        try:
            from click.core import ParameterSource

            source = click.get_current_context().get_parameter_source("region")
            explicit = source not in (ParameterSource.DEFAULT, None)
        except RuntimeError:
            explicit = True
        if explicit or region is None:
            return super().region(region, default=default)
        return super().region(None, default=region)  # --region's default when no scenario sets plant_region


def apply_scenarios(model: LCAModel | None, scenario_refs: Sequence[str], params: Mapping[str, Any]) -> Applied:
    """Load *scenario_refs* against *model*, bake them in, convert --param units (:mod:`cathode_lca.scenario_apply`)."""
    applied = _apply_scenarios(model, scenario_refs, params)
    return Applied(applied.model, applied.parameters, applied.attrs, applied.plant_region, applied.warnings)


def is_scenario_file(path: str) -> bool:
    """True when *path* is a regular file whose YAML says ``format: cathode-lca-scenario/...``.

    Used by ``validate`` to check scenario and plant files among inventory PATHS. A file that
    cannot be read or parsed is not a scenario here: the inventory loader then reports it.

    Examples
    --------
    >>> is_scenario_file("inventories/recycling/feed.yaml")                            # doctest: +SKIP
    False
    """
    from pathlib import Path

    from .._yaml import load_yaml_text

    file = Path(path)
    if file.suffix not in (".yaml", ".yml") or not file.is_file():
        return False
    try:
        data = load_yaml_text(file.read_bytes().decode("utf-8"), path)
    except Exception:
        return False
    return isinstance(data, dict) and str(data.get("format", "")).startswith("cathode-lca-scenario/")


def validate_scenarios(inventory: Any, paths: Sequence[str]) -> tuple[Any, list[dict[str, Any]]]:
    """*inventory* with the scenario files *paths* applied (their values as defaults), and their summaries.

    Every value is checked as ``--scenario`` checks it (units, bounds, sources, assay); the
    returned inventory lets ``validate`` check the element balances at the scenario's values.
    """
    from ..parameters.engine import ParameterModel
    from ..parameters.scenarios import apply_to_inventory, compose, load_scenario

    model = ParameterModel(inventory)
    scenarios = [load_scenario(path, model) for path in paths]
    return apply_to_inventory(inventory, compose(scenarios)), [sc.summary() for sc in scenarios]


def metadata(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario provenance of *attrs* as JSON values (empty when no scenario or unit was used)."""
    out: dict[str, Any] = {}
    for key in ("scenarios", "overridden_parameters", "supplier_footprints"):
        if key in attrs:
            value = attrs[key]
            out[key] = json.loads(value) if isinstance(value, str) else value
    if "parameter_precedence" in attrs:
        out["parameter_precedence"] = attrs["parameter_precedence"]
    return out


@click.command("scenarios")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def scenarios_command(fmt: str) -> None:
    """List the shipped named scenarios (use them with --scenario NAME).

    \b
    Examples:
      cathode-lca scenarios
      cathode-lca compare NMC811 --scenario eu-2030-recycler
    """
    from .._yaml import load_yaml_text
    from ..parameters.scenarios import named_scenarios

    rows = []
    for name, path in named_scenarios().items():
        data = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
        params = data.get("parameters") or {}
        rows.append(
            {
                "name": data.get("name", name),
                "parameters": len(params) if isinstance(params, dict) else 0,
                "plant": "yes" if "plant" in data else "",
                "description": " ".join(str(data.get("description", "")).split()),
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        if len(r["description"]) > 90:
            r["description"] = r["description"][:89] + "…"
    cols = ["name", "parameters", "plant", "description"]
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in cols]
    click.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
