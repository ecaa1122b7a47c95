"""Cross-check our engine against bw2calc on exactly the same matrices.

The loaded system (at given parameter values and allocation option) is written as
bw_processing datapackages: technosphere and biosphere matrices with signed values
(no flips), and one characterisation matrix per method. bw2calc then solves it with its
own machinery and the two results are compared.

Examples
--------
>>> from cathode_lca.lca import LCAModel                      # doctest: +SKIP
>>> report = crosscheck(LCAModel(), {"cam-nmc811-virgin": 1})  # doctest: +SKIP
>>> report.max_relative_difference < 1e-9                      # doctest: +SKIP
True
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SolverError, UsageError
from ..methods import DEFAULT_METHODS, Method, load_method

if TYPE_CHECKING:
    from ..lca import LCAModel

FLOW_ID_OFFSET = 10_000_000


@dataclass
class CrossCheckReport:
    """Both engines' scores and inventories, and their largest relative difference."""

    ours: dict[str, float]
    bw2calc: dict[str, float]
    inventory_ours: np.ndarray
    inventory_bw2calc: np.ndarray
    max_relative_difference: float


def _import_bw() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc
        import bw_processing as bwp
    return bw2calc, bwp


def system_datapackages(
    model: LCAModel,
    *,
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    methods: Sequence[str | Method] = DEFAULT_METHODS,
) -> tuple[Any, dict[str, Any]]:
    """Datapackages for the whole system at fixed parameters.

    Returns ``(inventory_datapackage, {method id: characterisation datapackage})``.
    Product *i* has integer id ``i + 1``; flow *j* has id ``FLOW_ID_OFFSET + j``.
    """
    _bw2calc, bwp = _import_bw()
    matrices = model.matrices(allocation)
    env = model.parameters.evaluate(parameters)
    a_data = matrices.static_data(matrices.A, env)
    b_data = matrices.static_data(matrices.B, env)
    dp = bwp.create_datapackage(name="cathode-lca system", sum_intra_duplicates=True)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=np.array(
            list(zip(matrices.A["rows"] + 1, matrices.A["cols"] + 1, strict=True)), dtype=bwp.INDICES_DTYPE
        ),
        data_array=a_data,
        flip_array=np.zeros(len(a_data), dtype=bool),
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=np.array(
            list(zip(matrices.B["rows"] + FLOW_ID_OFFSET, matrices.B["cols"] + 1, strict=True)),
            dtype=bwp.INDICES_DTYPE,
        ),
        data_array=b_data,
    )
    characterisation: dict[str, Any] = {}
    for method in methods:
        m = method if isinstance(method, Method) else load_method(method)
        cf = m.vector(matrices.flows)
        nz = np.nonzero(cf)[0]
        cdp = bwp.create_datapackage(name=f"method {m.id}")
        cdp.add_persistent_vector(
            matrix="characterization_matrix",
            name=m.id,
            indices_array=np.array([(FLOW_ID_OFFSET + i, FLOW_ID_OFFSET + i) for i in nz], dtype=bwp.INDICES_DTYPE),
            data_array=cf[nz],
        )
        characterisation[m.id] = cdp
    return dp, characterisation


def crosscheck(
    model: LCAModel,
    demand: Mapping[str, float],
    *,
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    methods: Sequence[str | Method] = DEFAULT_METHODS,
    rtol: float = 1e-9,
    raise_on_mismatch: bool = True,
) -> CrossCheckReport:
    """Compute *demand* with our engine and with bw2calc; compare scores and inventories."""
    return crosscheck_many(  # which refuses a demand that is not a mapping, by name
        model,
        [demand],
        parameters=parameters,
        allocation=allocation,
        methods=methods,
        rtol=rtol,
        raise_on_mismatch=raise_on_mismatch,
    )[0]


def crosscheck_many(
    model: LCAModel,
    demands: Sequence[Mapping[str, float]],
    *,
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    methods: Sequence[str | Method] = DEFAULT_METHODS,
    rtol: float = 1e-9,
    raise_on_mismatch: bool = True,
) -> list[CrossCheckReport]:
    """:func:`crosscheck` for several demands on one system.

    The datapackages are written once and bw2calc loads and factorises the system once per
    method; each demand is then solved again by bw2calc (``lci(demand=...)``).
    """
    from . import arguments

    arguments.model_or_none(model, optional=False)
    if isinstance(demands, Mapping) or not isinstance(demands, Sequence):
        raise UsageError(
            f"demands must be a list of mappings {{id: amount}}, got {type(demands).__name__}",
            hint="e.g. [{'cam-nmc811-virgin': 1.0}]; for one demand, call crosscheck()",
        )
    for demand in demands:
        if not isinstance(demand, Mapping):
            raise UsageError(
                f"demand must be a mapping of product or dataset id to amount, got {type(demand).__name__}",
                hint="e.g. {'cam-nmc811-virgin': 1.0}",
            )
    arguments.method_list(methods)
    arguments.mapping_or_none(parameters, "parameters", example="{'plant_region': 'CN'}")
    rtol = arguments.tolerance(rtol)
    bw2calc, _bwp = _import_bw()
    method_objs = [m if isinstance(m, Method) else load_method(m) for m in methods]
    matrices = model.matrices(allocation)
    dp, char = system_datapackages(model, parameters=parameters, allocation=allocation, methods=method_objs)
    bw_demands = [
        {int(matrices.product_index[model.product_id(k)]) + 1: float(v) for k, v in demand.items()}
        for demand in demands
    ]
    inventories_bw = [np.zeros(len(matrices.flows)) for _ in demands]
    scores_bw: list[dict[str, float]] = [{} for _ in demands]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, m in enumerate(method_objs):
            lca = bw2calc.LCA(bw_demands[0], data_objs=[dp, char[m.id]])
            for j, bw_demand in enumerate(bw_demands):
                lca.lci(demand=bw_demand, factorize=j == 0)
                if i == 0:
                    inv = np.asarray(lca.inventory.sum(axis=1)).ravel()
                    for flow_id, row in lca.dicts.biosphere.items():
                        inventories_bw[j][flow_id - FLOW_ID_OFFSET] = inv[row]
                try:
                    lca.lcia(demand=bw_demand)
                    scores_bw[j][m.id] = float(lca.score)
                except ValueError:  # no characterised flow occurs in this system
                    scores_bw[j][m.id] = 0.0
    return [
        _report(
            model, demand, scores_bw[j], inventories_bw[j], parameters, allocation, method_objs, rtol, raise_on_mismatch
        )
        for j, demand in enumerate(demands)
    ]


def _report(
    model: LCAModel,
    demand: Mapping[str, float],
    scores_bw: dict[str, float],
    inventory_bw: np.ndarray,
    parameters: Mapping[str, Any] | None,
    allocation: str,
    method_objs: Sequence[Method],
    rtol: float,
    raise_on_mismatch: bool,
) -> CrossCheckReport:
    ours = model.calculate(
        demand, methods=list(method_objs), parameters=parameters, allocation=allocation, contributions=False
    )
    scores_ours = {m: float(ours.score.sel(lcia_method=m)) for m in ours.lcia_method.values.tolist()}
    inv_ours = ours.inventory.values
    diffs = [
        abs(scores_ours[k] - scores_bw[k]) / max(abs(scores_ours[k]), abs(scores_bw[k]), 1e-300)
        for k in scores_ours
        if scores_ours[k] != 0 or scores_bw[k] != 0
    ]
    scale = np.maximum(np.abs(inv_ours), np.abs(inventory_bw))
    # flows that cancel to round-off (e.g. 0 vs 7e-18) have no meaningful relative difference
    mask = scale > 1e-12 * max(float(scale.max(initial=0.0)), 1e-300)
    diffs += list(np.abs(inv_ours - inventory_bw)[mask] / scale[mask])
    worst = float(max(diffs, default=0.0))
    report = CrossCheckReport(scores_ours, scores_bw, inv_ours, inventory_bw, worst)
    if raise_on_mismatch and worst > rtol:
        raise SolverError(
            f"bw2calc cross-check failed: relative difference {worst:.3g} > {rtol:g} for {dict(demand)}",
            hint="report this as a bug with the inventory hash",
        )
    return report
