"""Indicator coverage: no silent zeros from background data gaps.

A dataset *covers* an indicator (a characterisation method) when its supply chain holds at least
one exchange with a flow that the method characterises, whatever its amount: a measured zero
(wind power uses no water) counts, a flow that was never recorded does not. Technosphere links
are followed only where their amount is non-zero at the parameters given, so a selector
(``electricity-plant``) is judged by the grid it selects.

* :func:`missing_indicators` lists the background datasets (stages ``energy``, ``chemicals``,
  ``transport``) that lack an indicator: ``validate`` reports them.
* :func:`result_notes` gives the warnings (contract 3) and the electricity basis of one result:
  every dataset in the supply chain that lacks a requested indicator, and the basis of every grid,
  residual or supplier-specific electricity dataset the result uses.
* :func:`plant_supplies` says which electricity each plant selector (``electricity-recycler``,
  ``electricity-cam-plant``, ...) reached: the result's ``electricity_supply``.

Examples
--------
>>> from cathode_lca.lca import default_model                     # doctest: +SKIP
>>> model = default_model()                                         # doctest: +SKIP
>>> missing_indicators(model.matrices(), ["ipcc2021-gwp100", "ced", "water"])  # doctest: +SKIP
{'iron-sulfate-greet2022': ['ipcc2021-gwp100', 'ced', 'water']}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .matrices import MatrixModel, broadcast_size

COVERAGE_METHODS = ("ipcc2021-gwp100", "ced", "water")  # the indicators every background dataset should carry
BACKGROUND_STAGES = frozenset({"energy", "chemicals", "transport"})
ELECTRICITY_PREFIXES = ("electricity-grid-", "electricity-residual-", "electricity-supplier-specific")
_SUPPLIER = "electricity-supplier-specific"
_BASIS = re.compile(r"Basis: (.*?)\. Year")


def _links(model: MatrixModel, env: Mapping[str, Any]) -> sp.csr_matrix:
    """Boolean (product row × consumer column) matrix of technosphere links with a non-zero amount.

    Constant entries are evaluated once per matrix model (no formula among them); only parameterised
    entries are evaluated at *env*.
    """
    A = model.A
    cache = model.coverage_cache
    last = cache.get("last")
    if last is not None and _same_env(last[0], env):  # e.g. the routes of one comparison, repeated defaults
        return last[1]
    if "constant" not in cache:
        positions, values = model.constant_data(A)
        nonzero = np.zeros(len(A["rows"]), dtype=bool)
        nonzero[positions] = values != 0
        cache["constant"] = (np.nonzero(model.variable_entries(A))[0], nonzero)
    variable_idx, nonzero = cache["constant"]
    nonzero = nonzero.copy()
    if variable_idx.size:  # no dense (entries × samples) array: sample-varying rows are checked one by one
        varied = model.entry_split(A, variable_idx, dict(env), broadcast_size(dict(env)))
        flags = varied.const != 0
        for k, pos in enumerate(varied.var_pos):
            flags[pos] = bool(np.any(varied.var[k] != 0))
        nonzero[variable_idx] = flags
    keep = nonzero & (A["rows"] != A["cols"])
    n = model.n
    links = sp.csr_matrix((np.ones(int(keep.sum())), (A["rows"][keep], A["cols"][keep])), shape=(n, n))
    cache["last"] = (dict(env), links)
    return links


def _reach(adjacency: sp.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes reachable from the *sources* mask (included) along *adjacency* (row -> column).

    One breadth-first search from an extra node that points to every source: linear in the links,
    however long the supply chains are.

    Examples
    --------
    >>> chain = sp.csr_matrix(([1.0, 1.0], ([0, 1], [1, 2])), shape=(4, 4))  # 0 -> 1 -> 2, 3 alone
    >>> _reach(chain, np.array([True, False, False, False])).tolist()
    [True, True, True, False]
    """
    from scipy.sparse.csgraph import breadth_first_order

    n = adjacency.shape[0]
    starts = np.nonzero(sources)[0]
    seen = np.zeros(n, dtype=bool)
    if not len(starts):
        return seen
    extra = sp.csr_matrix((np.ones(len(starts)), (np.full(len(starts), n), starts)), shape=(n + 1, n + 1))
    graph = sp.csr_matrix(sp.block_diag((adjacency, sp.csr_matrix((1, 1))), format="csr") + extra)
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    seen[order[order < n]] = True
    return seen


def _column_kinds(model: MatrixModel) -> dict[str, np.ndarray]:
    """Per product column, once per matrix model: ``electricity`` (a grid, residual or supplier-specific
    dataset) and ``selector`` (its dataset has an input from an ``electricity-supplier-specific*``
    dataset). Vectorised over the matrix entries: no pass over every exchange of the inventory."""
    cache = model.coverage_cache
    if "kinds" not in cache:
        inv = model.inventory
        datasets = np.asarray(model.column_dataset, dtype=object)
        names = np.asarray(model.column_dataset, dtype=str)  # numpy's string functions loop in C
        electricity = np.zeros(len(names), dtype=bool)
        for prefix in ELECTRICITY_PREFIXES:
            electricity |= np.char.startswith(names, prefix)
        supplier = np.char.startswith(np.asarray(model.products, dtype=str), _SUPPLIER)
        A = model.A
        selectors = {  # input exchanges (not production or credit entries) of a supplier-specific product
            model.entry_origin(int(slot))[0]
            for slot in A["slots"][supplier[A["rows"]]]
            if model.entry_origin(int(slot))[3].startswith("exchanges[")
        }
        # a dataset left out of the matrices (cut-off waste treatment) still names its inputs
        entered = set(datasets[np.unique(A["cols"])].tolist())
        for ds in inv.datasets.values():
            if ds.id not in entered and any(
                ex.kind == "input" and ex.target.startswith(_SUPPLIER) for ex in ds.exchanges
            ):
                selectors.add(ds.id)
        selector = np.array([d in selectors for d in model.column_dataset], dtype=bool)
        cache["kinds"] = {"electricity": electricity, "selector": selector}
    kinds: dict[str, np.ndarray] = cache["kinds"]
    return kinds


def _background_reference(model: MatrixModel, col: int) -> bool:
    """Whether column *col* is the reference product of a background-stage dataset."""
    ds = model.inventory.datasets[model.column_dataset[col]]
    return ds.stage in BACKGROUND_STAGES and model.products[col] == ds.reference_product.id


def _same_env(cached: Mapping[str, Any], env: Mapping[str, Any]) -> bool:
    """Same parameter values: every value is the same object (copies of one evaluation share them)."""
    return len(cached) == len(env) and all(env.get(k) is v for k, v in cached.items())


def coverage(
    model: MatrixModel, methods: Sequence[Any], env: Mapping[str, Any], links: sp.csr_matrix | None = None
) -> np.ndarray:
    """Boolean array (method, product column): the supply chain of the column covers the method."""
    n_flows = len(model.flows)
    B = sp.csr_matrix((np.ones(len(model.B["rows"])), (model.B["rows"], model.B["cols"])), shape=(n_flows, model.n))
    C = np.vstack([np.asarray(m.vector(model.flows)) != 0 for m in methods]).astype(float)
    direct = (sp.csr_matrix(C) @ B).toarray() > 0  # direct flows
    links = _links(model, env) if links is None else links
    # covered where a supplier (along non-zero links, any depth) or the column itself has a direct flow
    return np.vstack([_reach(sp.csr_matrix(links), row) for row in direct]).reshape(len(methods), model.n)


def _methods(methods: Iterable[Any]) -> list[Any]:
    from ..methods import Method, load_method

    return [m if isinstance(m, Method) else load_method(m) for m in methods]


def missing_indicators(
    model: MatrixModel, methods: Sequence[Any], env: Mapping[str, Any] | None = None
) -> dict[str, list[str]]:
    """Background datasets whose supply chain has no flow for a method: ``{dataset id: [method ids]}``."""
    objs = _methods(methods)
    env = env if env is not None else model.parameters.evaluate()
    covered = coverage(model, objs, env)
    out: dict[str, list[str]] = {}
    for col, ds_id in enumerate(model.column_dataset):
        ds = model.inventory.datasets[ds_id]
        if ds.stage not in BACKGROUND_STAGES or model.products[col] != ds.reference_product.id:
            continue
        lacking = [m.id for i, m in enumerate(objs) if not covered[i, col]]
        if lacking:
            out[ds_id] = lacking
    return out


def _prefix(selector: str) -> str:
    """Parameter prefix of a plant selector: ``electricity-cam-plant`` -> ``cam_plant``; the refiners'
    selectors (one per cited site, ``electricity-refinery-cn``) share ``refinery``."""
    if selector.startswith("electricity-refinery-"):
        return "refinery"
    return selector.removeprefix("electricity-").replace("-", "_")


def _choice(model: MatrixModel, env: Mapping[str, Any], name: str) -> str:
    """The option of choice parameter *name* at *env* (options joined by '|' when samples differ)."""
    param = model.inventory.parameters.get(name)
    if param is None or name not in env:
        return ""
    codes = np.unique(np.asarray(env[name]).astype(int))
    return "|".join(param.choices[c] for c in codes)


def plant_supplies(model: MatrixModel, columns: Iterable[int], links: sp.csr_matrix) -> dict[str, list[str]]:
    """Which electricity each plant selector reached: ``{selector id: [supplying dataset ids]}``.

    A selector is a dataset with an input from an ``electricity-supplier-specific*`` dataset
    (``electricity-plant``, ``electricity-recycler``, ``electricity-cam-plant``, ...); of its inputs
    only those with a non-zero amount at the parameters count.
    """
    out: dict[str, list[str]] = {}
    selector = _column_kinds(model)["selector"]
    for col in columns:
        if not selector[int(col)]:
            continue
        ds = model.inventory.datasets[model.column_dataset[col]]
        rows = links[:, [int(col)]].nonzero()[0]
        out[ds.id] = sorted({model.column_dataset[r] for r in rows})
    return out


def electricity_basis(note: str | None) -> str:
    """The ``Basis: ...`` sentence of an electricity dataset's note ('' when none)."""
    match = _BASIS.search(note or "")
    return match.group(1) if match else ""


def result_notes(
    model: MatrixModel,
    demand_columns: Iterable[int],
    methods: Sequence[Any],
    env: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """Warnings, electricity basis (``{dataset id: basis}``) and plant supplies (:func:`plant_supplies`)."""
    objs = _methods(methods)
    links = _links(model, env)
    start = np.zeros(model.n, dtype=bool)
    start[[int(c) for c in demand_columns]] = True
    used = _reach(sp.csr_matrix(links.T), start)  # every product the demand reaches through non-zero links
    covered = coverage(model, objs, env, links)
    kinds = _column_kinds(model)
    warnings: list[str] = []
    basis: dict[str, str] = {}
    for col in np.nonzero(used & kinds["electricity"])[0]:
        ds = model.inventory.datasets[model.column_dataset[col]]
        if ds.id not in basis:
            basis[ds.id] = electricity_basis(ds.note) or "not documented"
    for col in np.nonzero(used & ~covered.all(axis=0))[0]:
        if not _background_reference(model, int(col)):
            continue
        ds = model.inventory.datasets[model.column_dataset[col]]
        lacking = [m.indicator for i, m in enumerate(objs) if not covered[i, col]]
        warnings.append(
            f"background dataset '{ds.id}' has no data for {', '.join(lacking)}: its contribution to "
            "these indicators is missing, not zero"
        )
    supplies = plant_supplies(model, np.nonzero(used)[0], links)
    for selector, supplied in supplies.items():
        supply = _choice(model, env, _prefix(selector) + "_electricity_supply")
        if supply == "residual" and not any(k.startswith("electricity-residual-") for k in supplied):
            region = _choice(model, env, _prefix(selector) + "_region")
            warnings.append(
                f"{_prefix(selector)}_electricity_supply=residual, but no residual mix exists for "
                f"{_prefix(selector)}_region {region}: the grid mix ({', '.join(supplied)}) was used"
            )
    if any(k.startswith("electricity-residual-") for k in basis):
        warnings.append(
            "residual-mix electricity: AIB residual mixes are direct CO2 only (no upstream, no CH4/N2O), not "
            "comparable with life-cycle grid factors; energy and water are proxies from a national grid"
        )
    return sorted(set(warnings), key=warnings.index), basis, supplies
