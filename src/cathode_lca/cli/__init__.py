"""Command-line interface (click): one module per command group.

* :mod:`.app`: the ``cathode-lca`` group and :func:`main` (the console-script entry point);
* :mod:`.options`: options shared by several commands, defined once, and :func:`parse_params`;
* :mod:`.checks`, :mod:`.scenarios`, :mod:`.model`, :mod:`.output`: value checks, ``--scenario``,
  the model a command runs on, printing and writing results;
* commands: :mod:`.inventory` (datasets, parameters, validate, compute), :mod:`.compare`,
  :mod:`.uncertainty` (uncertainty, sensitivity, sweep), :mod:`.passport`, :mod:`.brightway`,
  :mod:`.report`, and ``scenarios`` in :mod:`.scenarios`.

The group module is called ``app`` (not ``main``) so that ``cathode_lca.cli.main`` is the function.
"""

from .app import cli, main

__all__ = ["cli", "main"]
