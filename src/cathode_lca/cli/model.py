"""The model a command runs on: shipped (+ ``--inventory``) inventories, on a Brightway background if given.

:func:`scenario_model` composes what every computing command does: the model (with its
background) and then the ``--scenario`` files and ``--param`` overrides on top of it. Heavy
imports (the model, bw2data) happen inside :func:`model_with_background`.

Examples
--------
>>> model = model_with_background(None, None)                                        # doctest: +SKIP
>>> applied = scenario_model(["eu-2030-recycler"], {"hydro_recovery_ni": 0.95})       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click

from ..errors import UsageError
from .scenarios import Applied, apply_scenarios


def scenario_model(
    scenario_refs: Sequence[str],
    overrides: Mapping[str, Any],
    background: str | None = None,
    mapping: str | None = None,
    unmapped: str = "fallback",
    inventory_files: Sequence[str] = (),
) -> Applied:
    """The model for a command with its ``--scenario`` files and ``--param`` *overrides* applied.

    The model is :func:`model_with_background` (a :class:`~cathode_lca.errors.UsageError` for
    ``--mapping`` without ``--background`` or the reverse); the scenarios and overrides go through
    :func:`~cathode_lca.cli.scenarios.apply_scenarios` (scenario and parameter errors are
    :class:`~cathode_lca.errors.CathodeLCAError` subclasses the CLI prints with exit code 2). The
    returned ``Applied.model`` is never None.

    Examples
    --------
    >>> applied = scenario_model((), {})                                                 # doctest: +SKIP
    >>> applied = scenario_model(["eu-2030-recycler"], {}, "brightway:p/ei", "ecoinvent-3.10-cutoff")  # doctest: +SKIP
    """
    model = model_with_background(background, mapping, unmapped, inventory_files)
    return apply_scenarios(model, scenario_refs, overrides)


def model_with_background(
    background: str | None,
    mapping: str | None,
    unmapped: str = "fallback",
    extra_inventory_files: Sequence[str] = (),
) -> Any:
    """The model for a command: shipped (+ extra) inventories, on a Brightway background if given.

    The background report (what was linked, what fell back, which user flows are left out) is
    printed on stderr.

    Examples
    --------
    >>> model = model_with_background(None, None)                                        # doctest: +SKIP
    >>> model = model_with_background("brightway:p/ei", "ecoinvent-3.10-cutoff", "fallback")  # doctest: +SKIP
    """
    from ..lca import LCAModel, default_model

    if background is None:
        if mapping is not None:
            raise UsageError("--mapping needs --background", hint="add --background brightway:PROJECT/DATABASE")
        return LCAModel(extra=extra_inventory_files) if extra_inventory_files else default_model()
    if mapping is None:
        raise UsageError(
            "--background needs --mapping FILE",
            hint="give a mapping YAML, e.g. --mapping ecoinvent-3.10-cutoff (see docs/brightway.md)",
        )
    from ..brightway.background import model_on_background

    model, report = model_on_background(background, mapping, unmapped=unmapped, extra=extra_inventory_files)
    click.echo(report.summary(), err=True)
    return model
