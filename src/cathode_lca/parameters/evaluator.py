"""The one place that evaluates an inventory amount (a number or a formula) at a parameter environment.

:class:`Evaluator` compiles a formula once per (dataset scope, formula text) and keeps the compiled
closure; evaluating it at an environment is then a few numpy operations. Values are not cached:
an environment is a plain ``dict`` that a caller may change, so a value cached by the identity of
the environment could go stale silently (the compiled closure cannot).

:class:`cathode_lca.lca.LCAModel` owns one evaluator (``LCAModel.value``); the engine's element-balance
check, which works below the model, builds its own from the inventory and parameter model.

Examples
--------
>>> from cathode_lca.inventory.load import load_inventory            # doctest: +SKIP
>>> from cathode_lca.parameters.engine import ParameterModel         # doctest: +SKIP
>>> inv = load_inventory(["tests/data/chain.yaml"])                 # doctest: +SKIP
>>> params = ParameterModel(inv)                                    # doctest: +SKIP
>>> ev = Evaluator(inv, params)                                     # doctest: +SKIP
>>> ev.value(inv.datasets["a"].exchanges[0].amount, params.evaluate(), dataset="a")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inventory.formulas import Compiled, Formula

if TYPE_CHECKING:
    from ..inventory.load import Inventory
    from .engine import ParameterModel


class Evaluator:
    """Amounts and properties of an inventory at a parameter environment; formulas compiled once.

    Parameters
    ----------
    inventory
        The inventory whose datasets the formulas belong to (their scope: dataset, file, global).
    parameters
        Its compiled parameter model (for the choice parameters a formula may compare with).
    """

    def __init__(self, inventory: Inventory, parameters: ParameterModel) -> None:
        self.inventory = inventory
        self.parameters = parameters
        self._compiled: dict[tuple[str | None, str], Compiled] = {}

    def compiled(self, formula: Formula, dataset: str | None = None) -> Compiled:
        """The compiled closure of *formula* written in *dataset* (``None``: global scope); cached."""
        key = (dataset, formula.text)
        fn = self._compiled.get(key)
        if fn is None:
            ds = self.inventory.datasets[dataset] if dataset is not None else None
            fn = self._compiled[key] = formula.compile(self.inventory.resolver(ds), self.parameters.choices)
        return fn

    def value(self, amount: float | Formula, env: Mapping[str, Any], dataset: str | None = None) -> Any:
        """*amount* at *env*: a float, or an array of S values when the parameters it uses are arrays.

        A formula resolves its names in the scope of *dataset* (dataset, then file, then global
        parameters); a number is returned as a float.
        """
        if not isinstance(amount, Formula):
            return float(amount)
        out = np.asarray(self.compiled(amount, dataset)(env), dtype=float)
        return float(out.ravel()[0]) if out.size == 1 else out

    def first(self, amount: float | Formula, env: Mapping[str, Any], dataset: str | None = None) -> float:
        """The first sample of :meth:`value` (a nominal number for reports and checks)."""
        return float(np.asarray(self.value(amount, env, dataset), dtype=float).ravel()[0])
