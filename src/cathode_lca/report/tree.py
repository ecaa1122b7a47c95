"""Supply-chain contribution tree: the impact of a product split into its direct emissions and inputs.

With ``A`` the technosphere matrix, ``B`` the biosphere matrix and ``c`` a method's
characterisation factors, the cumulative impact per unit of each product is ``h`` with
``Aᵀ h = (c B)ᵀ`` (one sparse solve). A node for ``a`` units of product ``j`` (activity
``x = a / A[j, j]``) has the total ``a·h[j]``, made of its direct emissions ``x·(cB)[j]`` and one
child per input ``i`` of amount ``−A[i, j]·x`` with the total ``−A[i, j]·x·h[i]``; these add up to
the node's total exactly (the row ``j`` of ``Aᵀ h = cB``).

Examples
--------
>>> from cathode_lca import LCAModel                                          # doctest: +SKIP
>>> node = contribution_tree(LCAModel(), "cam-nmc811-virgin", depth=2)         # doctest: +SKIP
>>> print(render_tree(node))                                                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .tables import format_number

if TYPE_CHECKING:
    from ..lca import LCAModel


@dataclass
class TreeNode:
    """One product in the supply chain: its amount, total impact and the parts it is made of."""

    label: str
    amount: float
    unit: str
    total: float
    direct: float = 0.0
    children: list[TreeNode] = field(default_factory=list)
    hidden: int = 0  # children left out (below the cut-off or past the depth)
    hidden_total: float = 0.0


def contribution_tree(
    model: LCAModel,
    dataset_id: str,
    *,
    amount: float = 1.0,
    method: str = "ipcc2021-gwp100",
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    depth: int = 3,
    cutoff: float = 0.01,
) -> TreeNode:
    """The contribution tree of *amount* of *dataset_id*'s product for one *method*, largest first.

    Children whose |total| is below ``cutoff`` × |root total| are summed into ``hidden_total``;
    so are all children below *depth* levels. Parameters must be scalars (one scenario).
    """
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from ..errors import UsageError
    from ..methods import load_method

    if depth < 1:
        raise UsageError(f"--depth {depth} is below 1", hint="give a depth of 1 or more")
    mm = model.matrices(allocation)
    env = model.parameters.evaluate(dict(parameters or {}))
    n, nf = mm.n, len(mm.flows)
    a_vals = mm.static_data(mm.A, env)
    b_vals = mm.static_data(mm.B, env)
    if np.ndim(a_vals) != 1:  # pragma: no cover - guarded by static_data
        raise UsageError("the contribution tree needs one scenario", hint="give scalar --param values")
    A = sp.csc_matrix((a_vals, (mm.A["rows"], mm.A["cols"])), shape=(n, n))
    B = sp.csc_matrix((b_vals, (mm.B["rows"], mm.B["cols"])), shape=(nf, n))
    meth = load_method(method) if isinstance(method, str) else method
    direct = np.asarray(B.T @ meth.vector(mm.flows)).ravel()  # (cB)ᵀ, per unit of activity
    h = spla.spsolve(A.T.tocsc(), direct)
    products = model.inventory.products
    root_col = mm.product_index[model.product_id(dataset_id)]
    root_total = float(amount * h[root_col])
    limit = abs(root_total) * cutoff

    def node(col: int, amt: float, level: int) -> TreeNode:
        product = mm.products[col]
        unit = getattr(model.inventory.product(product), "unit", "") if product in products else ""
        x = amt / A[col, col]
        out = TreeNode(mm.describe_column(col), float(amt), str(unit), float(amt * h[col]), float(x * direct[col]))
        column = A.getcol(col)
        parts = []
        for i, a_ij in zip(column.indices.tolist(), column.data.tolist(), strict=True):
            if i == col or a_ij == 0:
                continue
            parts.append((i, -a_ij * x, float(-a_ij * x * h[i])))
        parts.sort(key=lambda p: -abs(p[2]))
        for i, child_amt, child_total in parts:
            if level >= depth or abs(child_total) < limit or child_total == 0:
                if child_total != 0:
                    out.hidden += 1
                    out.hidden_total += child_total
                continue
            out.children.append(node(i, child_amt, level + 1))
        return out

    return node(root_col, float(amount), 1)


def render_tree(root: TreeNode, unit: str = "") -> str:
    """The tree as indented text: total, share of the root, amount, largest first."""
    scale = abs(root.total) or 1.0
    lines: list[str] = []

    def share(v: float) -> str:
        return f"{100 * v / scale:5.1f} %"

    def walk(n: TreeNode, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        amount = f"{format_number(n.amount)} {n.unit}".strip()
        lines.append(
            f"{prefix}{branch}{format_number(n.total, scale=scale)} {unit}  ({share(n.total)})  {n.label}  [{amount}]"
        )
        inner = prefix + ("" if top else ("   " if last else "│  "))
        items: list[tuple[str, float, TreeNode | None]] = []
        if n.direct != 0:
            items.append(("direct emissions", n.direct, None))
        items += [(c.label, c.total, c) for c in n.children]
        if n.hidden:
            items.append((f"{n.hidden} more input(s), each below the cut-off or past --depth", n.hidden_total, None))
        items.sort(key=lambda t: -abs(t[1]))
        for k, (label, total, child) in enumerate(items):
            is_last = k == len(items) - 1
            if child is not None:
                walk(child, inner, is_last, False)
            else:
                mark = "└─ " if is_last else "├─ "
                lines.append(f"{inner}{mark}{format_number(total, scale=scale)} {unit}  ({share(total)})  {label}")

    walk(root, "", True, True)
    return "\n".join(lines)


def tree_text(
    model: LCAModel,
    dataset_id: str,
    amount: float,
    methods: list[str],
    parameters: Mapping[str, Any],
    allocation: str,
    depth: int,
    cutoff: float,
    fmt: str = "table",
) -> str:
    """``compute --tree``: one tree per method, as text (table) or nested JSON."""
    import json
    from dataclasses import asdict

    from ..methods import load_method

    out_text, out_json = [], []
    for m in methods:
        method = load_method(m)
        root = contribution_tree(
            model,
            dataset_id,
            amount=amount,
            method=m,
            parameters=parameters,
            allocation=allocation,
            depth=depth,
            cutoff=cutoff,
        )
        out_json.append({"method": m, "unit": method.unit, "tree": asdict(root)})
        out_text.append(f"{m} [{method.unit}], allocation {allocation}, depth {depth}, cut-off {cutoff:g}")
        out_text.append(render_tree(root, method.unit))
        out_text.append("")
    if fmt == "json":
        return json.dumps(out_json, indent=2)
    return "\n".join(out_text).rstrip()
