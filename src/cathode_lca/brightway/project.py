"""Access to bw2data: the lazy import (its console feedback on stderr) and a project switch.

Shared by the export, the crash-safe staging and the background link, so that none of them
imports another for it.

Examples
--------
>>> bd = import_bw2data()                                  # doctest: +SKIP
>>> with project_context("cathode", create=True):          # doctest: +SKIP
...     pass
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import UsageError

# ---------------------------------------------------------------------------
# bw2data import (lazy; its console feedback goes to stderr so that JSON on stdout stays clean)


def import_bw2data() -> Any:
    """Import bw2data lazily; its log messages go to stderr, warnings only.

    Set the environment variable ``BRIGHTWAY2_DIR`` *before* the first import to use another
    Brightway data directory than the user's default one.
    """
    if "bw2data" not in sys.modules:
        # plain logging (not structlog), bound to stderr while importing: stdout stays for results
        os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            import bw2data  # noqa: F401
    logging.getLogger("brightway-stdout-feedback").setLevel(logging.WARNING)
    import bw2data

    return bw2data


@contextlib.contextmanager
def project_context(project: str, *, create: bool = False) -> Iterator[bool]:
    """Switch to Brightway *project* and back to the previous one afterwards.

    Yields whether the project was created here. Without *create*, an unknown project is a
    :class:`UsageError`.
    """
    bd = import_bw2data()
    if not project or not project.strip():
        raise UsageError("empty Brightway project name", hint="give --project NAME")
    created = project not in bd.projects
    if created and not create:
        known = sorted(p.name for p in bd.projects)
        raise UsageError(
            f"Brightway project '{project}' does not exist",
            hint="existing projects: "
            + (", ".join(known) if known else "none")
            + " (set BRIGHTWAY2_DIR to use another Brightway data directory)",
        )
    previous = bd.projects.current
    bd.projects.set_current(project)
    try:
        yield created
    finally:
        if bd.projects.current != previous and previous in bd.projects:
            bd.projects.set_current(previous)


@contextlib.contextmanager
def quiet_brightway(verbose: bool = False) -> Iterator[None]:
    """Swallow bw2data/bw2io logs, warnings and progress bars (stderr) unless *verbose*.

    Lines that start with ``warning: `` (cathode-lca's own warnings, e.g. a repaired export)
    are passed on to stderr after the block, also when it fails. stdout is left alone (bw2data
    does not print results there; bw2io's importer chatter is silenced where it is called).
    """
    if verbose:
        yield
        return
    import io

    err = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(err):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)
        for line in err.getvalue().splitlines():
            if line.startswith("warning: "):
                print(line, file=sys.stderr)


def recalculate() -> None:
    """``bw2data.parameters.recalculate()`` in one transaction per SQLite file of the current project.

    bw2data commits every recalculated exchange on its own; in one transaction the same work is
    about twice as fast on the exported model (docs/brightway.md, "Editing parameters") and a
    failure leaves the old amounts.

    Examples
    --------
    >>> bw2data.projects.set_current("cathode")               # doctest: +SKIP
    >>> recalculate()                                          # doctest: +SKIP
    """
    bd = import_bw2data()
    from bw2data.backends import sqlite3_lci_db

    with bd.parameters.db.atomic(), sqlite3_lci_db.atomic():
        bd.parameters.recalculate()
