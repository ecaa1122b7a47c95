"""Click options shared by several commands, defined once, and the parsers of their values.

A light module: it imports click only (heavier modules load inside the functions that need them).

* :data:`inventory_option`, :data:`scenario_option`, :data:`plot_option`, :func:`background_options`,
  :func:`comparison_options`: options (and option sets) used by more than one command;
* :func:`parse_params` (``--param NAME=VALUE``), :func:`parse_indicators` (``--indicator``) and
  :func:`method_ids` (``compute --indicator/--method``): their values as Python data.

Examples
--------
>>> parse_params(["plant_region=CN", "hydro_recovery_ni=0.95"])
{'plant_region': 'CN', 'hydro_recovery_ni': 0.95}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import UsageError
from .checks import check_finite

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = click.Choice(["table", "json", "csv"])

ALLOCATION_CHOICES = click.Choice(["none", "mass", "economic", "system-expansion", "cut-off"])

inventory_option = click.option(
    "--inventory",
    "inventory_files",
    multiple=True,
    is_eager=True,  # read before --route, whose names it may add (a route defined by a user file)
    type=click.Path(dir_okay=False),
    help="Extra inventory YAML file (more datasets or overrides of shipped ones). Repeatable.",
)


def check_routes(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """``--route`` callback: each name must be a route of the catalogue of the shipped inventories plus
    the command's ``--inventory`` files (:mod:`cathode_lca.catalogue`); an unknown one is refused with
    the closest name."""
    if not value:
        return value
    from ..catalogue import catalogue_of
    from .model import model_with_background

    model = model_with_background(None, None, "fail", tuple(ctx.params.get("inventory_files") or ()))
    try:
        return tuple(catalogue_of(model).check_routes(value))
    except UsageError as exc:
        raise click.BadParameter(f"{exc.message}; {exc.hint}", ctx=ctx, param=param) from None


def route_option(help_text: str) -> Callable[[F], F]:
    """``--route`` (repeatable), checked against the catalogue by :func:`check_routes`."""
    return click.option("--route", "routes", multiple=True, metavar="ROUTE", callback=check_routes, help=help_text)


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

scenario_option = click.option(
    "--scenario",
    "scenario_refs",
    multiple=True,
    metavar="FILE|NAME",
    help="Scenario file or shipped scenario name (repeatable; later wins; --param, on commands that have it, wins over all). "
    "List shipped ones with 'cathode-lca scenarios'.",
)


def background_options(func: F) -> F:
    """Add ``--background``, ``--mapping`` and ``--unmapped`` (keyword arguments *background*,
    *mapping*, *unmapped*) to a click command; pass them to :func:`model_with_background`."""
    func = click.option(
        "--unmapped",
        type=click.Choice(["fallback", "fail"]),
        default="fallback",
        show_default=True,
        help="Background datasets with no mapping entry: keep cathode-lca's data (named with their share of "
        "each indicator in the result warnings), or fail.",
    )(func)
    func = click.option(
        "--mapping",
        default=None,
        metavar="FILE",
        help="Mapping YAML from our background datasets and flows to the Brightway database "
        "(shipped: 'ecoinvent-3.10-cutoff', 'ecoinvent-3.11-cutoff'). See docs/brightway.md.",
    )(func)
    func = click.option(
        "--background",
        default=None,
        metavar="brightway:PROJECT/DATABASE",
        help="Use this Brightway database as background (e.g. ecoinvent); needs --mapping.",
    )(func)
    return func


def comparison_options(func: Any) -> Any:
    """Options shared by compare-like commands (route, region, allocation, unit, indicator, param)."""
    options = [
        route_option("Route (repeatable): virgin or a recycling route of the inventories. Default: all available."),
        click.option("--region", default="US", show_default=True, help="Plant region (recycling and cathode plants)."),
        click.option(
            "--allocation",
            type=ALLOCATION_CHOICES,
            default=None,
            help="Allocation of multi-output steps. Default: none for kg-cam, kg-feed and kg-black-mass; "
            "economic for kg-metal and kg-salt (EU CF rules; none and cut-off are refused there).",
        ),
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


def parse_indicators(text: str) -> list[str]:
    """Indicator names from '--indicator' text; method ids (e.g. ipcc2021-gwp100) map to their names."""
    from ..comparison import INDICATORS

    alias = {method: name for name, method in INDICATORS.items()}
    names = [i.strip() for i in text.split(",") if i.strip()]
    return list(dict.fromkeys(alias.get(n, n) for n in names))


def method_ids(indicator_text: str | None, methods: Sequence[str]) -> list[str]:
    """Method ids for compute: from --indicator names (or ids), else the deprecated --method ids."""
    from ..comparison import INDICATORS

    if methods:
        click.echo("note: 'compute --method' is deprecated; use --indicator (e.g. --indicator gwp100)", err=True)
    ids = [INDICATORS.get(n, n) for n in parse_indicators(indicator_text or "")]
    return list(dict.fromkeys([*ids, *methods]))
