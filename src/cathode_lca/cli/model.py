"""The model a command runs on: shipped (+ ``--inventory``) inventories, on a Brightway background if given.

Heavy imports (the model, bw2data) happen inside :func:`model_with_background`.

Examples
--------
>>> model = model_with_background(None, None)                                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from ..errors import UsageError


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
