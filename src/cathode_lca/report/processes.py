"""Per-route results with process contributions, for the "contributions by process" chart.

:func:`cathode_lca.comparison.compare` reports stages; this module recomputes each route of the
same comparison (same options, same parameters) with :meth:`cathode_lca.lca.LCAModel.calculate`, which
keeps the contribution of every foreground process.

Examples
--------
>>> results = route_process_results("NMC811", indicator="gwp100")           # doctest: +SKIP
>>> sorted(results)                                                         # doctest: +SKIP
['direct', 'hydrometallurgical', 'pyrometallurgical', 'virgin']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def route_process_results(
    chemistry: str,
    *,
    indicator: str,
    routes: Sequence[str] | None = None,
    region: str = "US",
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    model: Any = None,
) -> tuple[dict[str, Any], str]:
    """``({route: calculate() result}, method id)`` for *indicator*, per functional unit of the comparison.

    Takes the options of :func:`cathode_lca.comparison.compare` (``indicators`` is accepted and
    ignored, so a compare call's options can be passed as they are).
    """
    from ..allocation import resolve_allocation
    from ..comparison import prepare, route_demands

    allocation = resolve_allocation(unit, allocation)
    setup = prepare(chemistry, routes, region, allocation, unit, [indicator], parameters, setup_model(model))
    demands = route_demands(setup.model, chemistry, setup.routes, unit, setup.allocation, setup.env)[0]
    results = {
        rd.route: setup.model.calculate(
            rd.demand, methods=setup.methods, allocation=setup.allocation, env=setup.env, parameters=setup.parameters
        )
        for rd in demands
        if rd.demand
    }
    return results, setup.method_ids[0]


def setup_model(model: Any) -> Any:
    """*model*, or the shipped default model."""
    from ..lca import default_model

    return model or default_model()
