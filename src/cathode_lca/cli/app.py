"""The ``cathode-lca`` click group, its commands, and :func:`main`, the console-script entry point.

Every user error becomes a one-paragraph message on stderr and exit code 2. The command
modules are light at import (click only); heavy modules are imported inside the commands.

Examples
--------
>>> main(["--version"])                                                           # doctest: +SKIP
cathode-lca, version ...
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from .. import __version__
from ..errors import CathodeLCAError
from ..io import display_text
from .brightway import brightway
from .compare import compare
from .exchange import exchange
from .inventory import compute, datasets, parameters, validate
from .passport import passport
from .report import report
from .scenarios import scenarios_command
from .uncertainty import sensitivity, sweep, uncertainty


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


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into exit code 2 without a traceback."""
    try:
        cli.main(args=argv, prog_name="cathode-lca", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:  # click quotes what the user typed with repr(): escapes shown
        exc.show()
        sys.exit(2)
    except CathodeLCAError as exc:  # messages quote names from the user's files: no escape sequences, no bidi
        click.echo(display_text(f"Error: {exc}", newlines=True), err=True)
        sys.exit(2)
    except ImportError as exc:  # an optional extra that is not installed: one line, no traceback
        from ..extras import missing_extra_error

        error = missing_extra_error(exc)
        if error is None:
            raise
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    except MemoryError as exc:  # a run beyond the --samples/--grid estimates (e.g. Sobol's N x (D+2) x D design)
        click.echo(
            f"Error: not enough memory for this run ({exc}). Fix: use fewer --samples (or a smaller --grid, "
            "fewer parameters to vary), or run on a larger machine",
            err=True,
        )
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)


for _command in (
    datasets,
    parameters,
    validate,
    compute,
    compare,
    uncertainty,
    sensitivity,
    sweep,
    passport,
    brightway,
    scenarios_command,
    report,
    exchange,
):
    cli.add_command(_command)
