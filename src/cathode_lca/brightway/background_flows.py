"""User biosphere flows -> our flows, and what the mapping leaves out of each result.

One job: link the user's elementary flows to ours (vectorised: one dictionary look-up per user
flow, one sparse product per background), keep the flows that have no mapping as a matrix, and
turn that matrix into result warnings: each unmapped flow's amount per functional unit, and each
background dataset that kept cathode-lca's data with its share of every indicator.

Examples
--------
>>> import numpy as np
>>> info = BackgroundInfo(
...     provenance={"kind": "brightway"}, datasets=["a"], unmapped=np.array([[2.0]]),
...     unmapped_nodes=[{"name": "Sulfur dioxide", "categories": ("air",), "unit": "kilogram", "code": "x"}],
...     fallback={},
... )
>>> info.unmapped_amounts({"a": 0.5})
[('Sulfur dioxide', ('air',), 'kilogram', 1.0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .background_link import unit_factor
from .background_mapping import BackgroundMapping, FlowSelector, same_unit

if TYPE_CHECKING:
    from ..inventory.load import Inventory
    from ..lca import LCAModel
    from ..methods import Method

MAX_LISTED = 10  # unmapped flows / fallback datasets named one by one in the warnings


@dataclass
class FlowLinks:
    """Per user flow: the row of our flow it adds to (or -1), its factor, and whether it is ignored."""

    target: np.ndarray  # int, our flow index or -1
    factor: np.ndarray  # float, our units per user unit (0 when not mapped)
    ignored: np.ndarray  # bool

    @property
    def unmapped(self) -> np.ndarray:
        """Indices of user flows that are neither mapped nor deliberately ignored."""
        return np.nonzero((self.target < 0) & ~self.ignored)[0]

    def to_ours(self, n_ours: int) -> Any:
        """Sparse (our flows × user flows) matrix of the mapping factors."""
        from scipy import sparse

        cols = np.nonzero(self.target >= 0)[0]
        return sparse.csr_matrix((self.factor[cols], (self.target[cols], cols)), shape=(n_ours, len(self.target)))


def _index(selectors: Sequence[FlowSelector]) -> tuple[dict[str, list[FlowSelector]], dict[str, list[FlowSelector]]]:
    by_code: dict[str, list[FlowSelector]] = {}
    by_name: dict[str, list[FlowSelector]] = {}
    for sel in selectors:
        if sel.code is not None:
            by_code.setdefault(sel.code, []).append(sel)
        else:
            by_name.setdefault(sel.name or "", []).append(sel)
    return by_code, by_name


def link_flows(links: BackgroundMapping, nodes: Sequence[Mapping[str, Any]], inv: Inventory) -> FlowLinks:
    """Link every user flow to at most one of our flows (errors name the mapping line).

    Only the selectors with the flow's name or code are tried, so the cost grows with the
    number of user flows, not with flows × selectors.
    """
    flow_pos = {f: i for i, f in enumerate(inv.flows)}
    by_code, by_name = _index(links.flows)
    ignore_code, ignore_name = _index(links.ignore)
    n = len(nodes)
    target = np.full(n, -1, dtype=np.int64)
    factor = np.zeros(n)
    ignored = np.zeros(n, dtype=bool)
    converted: dict[tuple[str, str], float | None] = {}
    for j, node in enumerate(nodes):
        candidates = by_code.get(node["code"], []) + by_name.get(node["name"], [])
        hits = [s for s in candidates if s.matches(node)]
        if not hits:
            others = ignore_code.get(node["code"], []) + ignore_name.get(node["name"], [])
            ignored[j] = any(s.matches(node) for s in others)
            continue
        if len(hits) > 1:
            raise UsageError(
                f"user flow '{node['name']}' {node['categories']} is matched by several mapping entries "
                f"(lines {', '.join(str(s.line) for s in hits)})",
                file=links.path,
                hint="make the selectors exclusive (e.g. more specific categories, or 'exact: true')",
            )
        sel = hits[0]
        flow_id = str(sel.flow)
        our_unit = inv.flows[flow_id].unit
        if sel.unit is not None and not same_unit(node["unit"], sel.unit):
            raise UsageError(
                f"user flow '{node['name']}' {node['categories']} has unit '{node['unit']}', "
                f"the mapping expects '{sel.unit}'",
                file=links.path,
                line=sel.line,
                hint=f"correct 'unit:' and 'convert:' ({our_unit} per user unit) of this entry",
            )
        if sel.convert is not None:
            convert: float | None = sel.convert
        else:
            key = (node["unit"], our_unit)
            if key not in converted:
                converted[key] = unit_factor(*key)
            convert = converted[key]
        if convert is None:
            raise UsageError(
                f"cannot convert unit '{node['unit']}' of user flow '{node['name']}' into '{our_unit}'",
                file=links.path,
                line=sel.line,
                hint=f"add 'convert: <{our_unit} per {node['unit']}>' (and 'unit: {node['unit']}') to this entry",
            )
        target[j] = flow_pos[flow_id]
        factor[j] = convert * sel.factor
    return FlowLinks(target, factor, ignored)


def _first_sample(env: Mapping[str, Any]) -> dict[str, Any]:
    """The parameter environment at its first sample (choice parameters are codes: no averaging)."""
    out: dict[str, Any] = {}
    for key, value in env.items():
        if isinstance(value, np.ndarray) and value.ndim and value.size > 1:
            out[key] = value.reshape(-1)[0]
        else:
            out[key] = value
    return out


def _percent(part: float, whole: float) -> str:
    if whole == 0 or not np.isfinite(whole):
        return "n/a"
    return f"{100 * part / whole:.3g} %"


@dataclass
class BackgroundInfo:
    """What a model on a Brightway background tells every result: provenance and what is left out.

    *unmapped* holds the user flows that no mapping entry covers (rows, see *unmapped_nodes*) per
    unit of each mapped dataset's reference product (columns, see *datasets*). *fallback* maps
    each background dataset that kept cathode-lca's data to the reason.
    """

    provenance: dict[str, Any]
    datasets: list[str]
    unmapped: np.ndarray
    unmapped_nodes: list[dict[str, Any]]
    fallback: dict[str, str]

    def unmapped_amounts(self, supply: Mapping[str, float]) -> list[tuple[str, tuple[str, ...], str, float]]:
        """Nonzero amounts of unmapped user flows for a supply of our datasets, largest first
        within each unit: ``(name, categories, unit, amount)``."""
        x = np.array([float(supply.get(d, 0.0)) for d in self.datasets])
        amounts = self.unmapped @ x if self.unmapped.size else np.zeros(len(self.unmapped_nodes))
        rows = [
            (n["name"], tuple(n["categories"]), n["unit"], float(a))
            for n, a in zip(self.unmapped_nodes, amounts, strict=True)
            if a != 0
        ]
        return sorted(rows, key=lambda r: (r[2], -abs(r[3]), r[0]))

    def supply(
        self, model: LCAModel, demand: Mapping[str, Any], env: Mapping[str, Any], allocation: str, ds: Any = None
    ) -> tuple[dict[str, float], dict[str, int], dict[str, np.ndarray]]:
        """Supply of every mapped or kept dataset for *demand* at the first sample of the parameters,
        each dataset's matrix column, and the direct flows per unit of the kept datasets.

        The result exposes only foreground supplies; the aggregated Brightway datasets sit in the
        static background. No second solve of the model: the foreground supply is the result's own
        (``ds["supply"]``, or one foreground solve when *ds* is not given), and the background
        supply of these datasets per unit of each interface product is computed once per solver
        (:meth:`~cathode_lca.engine.solve.PartitionedSolver.total_supply`).
        """
        mm = model.matrices(allocation)
        at = _first_sample(env)  # one evaluation, not one per sample (a sweep may carry thousands)
        amounts: dict[int, np.ndarray] = {}
        for name, amount in demand.items():
            col = mm.product_index[model.product_id(name)]
            first = float(np.asarray(amount, dtype=float).reshape(-1)[0])
            amounts[col] = amounts.get(col, np.zeros(1)) + first
        solver = model.solver(allocation, list(amounts))
        supply = None if ds is None or "supply" not in ds else np.asarray(ds["supply"].values, dtype=float)
        if supply is not None and supply.shape[0] == len(solver.fg):
            fg_supply = supply[:, 0] if supply.ndim > 1 else supply
        else:
            fg_supply = solver.solve(at, 1, amounts, with_direct=False).supply[:, 0]
        columns: dict[str, int] = {}
        for dataset_id in [*self.datasets, *self.fallback]:
            dataset = model.inventory.datasets.get(dataset_id)
            column = None if dataset is None else mm.product_index.get(dataset.reference_product.id)
            if column is not None:
                columns[dataset_id] = column
        totals = solver.total_supply(list(columns.values()), fg_supply, at)
        by_dataset = {d: float(v) for d, v in zip(columns, totals, strict=True)}
        direct: dict[str, np.ndarray] = {}
        kept = [columns[d] for d in self.fallback if d in columns]
        if kept:
            select = np.nonzero(np.isin(mm.B["cols"], kept))[0]
            values = mm.entry_split(mm.B, select, at, 1).dense()[:, 0]
            for d in self.fallback:
                if d in columns:
                    flows = np.zeros(len(mm.flows))
                    mine = mm.B["cols"][select] == columns[d]
                    np.add.at(flows, mm.B["rows"][select][mine], values[mine])
                    direct[d] = flows
        return by_dataset, columns, direct

    def notes(
        self,
        ds: Any,
        model: LCAModel,
        demand: Mapping[str, Any],
        env: Mapping[str, Any],
        allocation: str,
        methods: Sequence[Method],
    ) -> list[str]:
        """Warnings for one result of :meth:`LCAModel.calculate`: each background dataset that kept
        cathode-lca's data (amount per FU and share of each indicator, from its own direct flows)
        and each unmapped user flow (amount per FU; it counts 0 % in every indicator). With sample
        arrays, the amounts are those of the first sample."""
        values, _, direct_flows = self.supply(model, demand, env, allocation, ds)
        flows = model.matrices(allocation).flows
        score = np.asarray(ds["score"].values, dtype=float)
        score = score[..., 0] if score.ndim > 1 else score  # the first sample, as the supply
        out: list[str] = []
        used = [d for d in self.fallback if values.get(d, 0.0) != 0]
        if used:
            lines = []
            for dataset in used[:MAX_LISTED]:
                direct = direct_flows[dataset] * values[dataset]
                shares = ", ".join(
                    f"{m.id} {_percent(float(m.vector(flows) @ direct), float(total))}"
                    for m, total in zip(methods, score, strict=True)
                )
                lines.append(f"{dataset} ({values[dataset]:.4g} per FU; share: {shares}; {self.fallback[dataset]})")
            more = f"; and {len(used) - MAX_LISTED} more" if len(used) > MAX_LISTED else ""
            out.append(
                f"background {self.provenance.get('database')}: {len(used)} background dataset(s) keep cathode-lca's "
                "data in this result: " + "; ".join(lines) + more
            )
        rows = self.unmapped_amounts(values)
        if rows:
            listed = "; ".join(f"{n} ({'/'.join(c)}) {a:.4g} {u}" for n, c, u, a in rows[:MAX_LISTED])
            more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
            out.append(
                f"background {self.provenance.get('database')}: {len(rows)} user elementary flow(s) have no mapping "
                "to cathode-lca flows and count 0 % in every indicator (amounts per FU): " + listed + more
            )
        return out
