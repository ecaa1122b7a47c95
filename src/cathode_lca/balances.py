"""Element balances that a comparison's parameter values break, as result warnings.

``cathode-lca validate`` checks the element balance of every recycling and cathode dataset at the
shipped values (and at a scenario file's values). A comparison can run at other values: a plant's
black-mass assay, a scenario, ``--param``. :func:`balance_warnings` checks, at the comparison's own
values, the datasets in the supply chains of the compared routes that carry a balance check
(:func:`cathode_lca.engine.validate.needs_balance`) and returns one warning per dataset whose
balance does not close (beyond its tolerance, and not a documented ``known`` imbalance), naming
the elements, their miss in % of the input and the routes whose results carry it. The check
evaluates only those datasets' formulas (about 20 ms for every balanced dataset of the shipped
inventory), so every ``compare`` runs it.

Examples
--------
>>> from cathode_lca.lca import default_model
>>> from cathode_lca.comparison import prepare
>>> setup = prepare("NMC811", ["virgin", "direct"], "US", "", "kg-cam", ["gwp100"], {}, default_model())
>>> balance_warnings(setup.model, setup.demands, setup.env, setup.allocation)  # the shipped values close
[]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .comparison import RouteDemand
    from .engine.validate import BalanceRow
    from .lca import LCAModel


def broken_balances(
    model: LCAModel, demands: Sequence[RouteDemand], env: Mapping[str, Any], allocation: str
) -> dict[str, tuple[list[BalanceRow], list[str]]]:
    """``{dataset: (failing rows, routes)}`` for the balanced datasets of the routes' supply chains at *env*."""
    from .allocation import supply_chain_datasets
    from .engine.validate import element_balance, needs_balance
    from .parameters.evaluator import Evaluator

    routes_of: dict[str, list[str]] = {}
    for rd in demands:
        products = [p for p in rd.demand if p in model.inventory.products]
        for ds_id in supply_chain_datasets(model, products, allocation) if products else []:
            if needs_balance(model.inventory.datasets[ds_id]):
                routes_of.setdefault(ds_id, []).append(rd.route)
    evaluator = Evaluator(model.inventory, model.parameters)
    out: dict[str, tuple[list[BalanceRow], list[str]]] = {}
    for ds_id, routes in routes_of.items():
        rows = element_balance(model.inventory, model.parameters, dict(env), model.inventory.datasets[ds_id], evaluator)
        failing = [row for row in rows if not row.ok and row.status != "known imbalance"]
        if failing:
            out[ds_id] = (failing, list(dict.fromkeys(routes)))
    return out


def _miss(row: BalanceRow) -> str:
    """``Co +1.13 %``: (inputs − outputs − losses) in % of the inputs (or the absolute miss without inputs)."""
    if row.status == "negative loss":
        return f"{row.element} negative loss {row.losses:.4g} kg"
    if row.inputs:
        return f"{row.element} {100.0 * row.difference / row.inputs:+.3g} %"
    return f"{row.element} {row.difference:+.4g} kg with no input"


def balance_warnings(
    model: LCAModel, demands: Sequence[RouteDemand], env: Mapping[str, Any], allocation: str
) -> list[str]:
    """One warning per dataset of the compared routes whose element balance these values break."""
    return [
        f"{ds_id}: element balance does not close at these parameter values "
        f"({', '.join(_miss(row) for row in rows)} of its input; input − output − losses); "
        f"it enters the {' and '.join(routes)} route{'s' if len(routes) > 1 else ''}. A black-mass assay or plant "
        "values that this dataset's recipe does not follow can cause it (e.g. direct recycling regenerates the "
        "assay's composition and uses it 1:1 as the nominal CAM); `cathode-lca validate FILE` lists the balances"
        for ds_id, (rows, routes) in broken_balances(model, demands, env, allocation).items()
    ]
