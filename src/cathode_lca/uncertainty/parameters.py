"""Which parameters matter for a comparison, and how users declare extra distributions.

Examples
--------
>>> parse_distribution("uniform:0.9:0.99")
{'type': 'uniform', 'minimum': 0.9, 'maximum': 0.99}
>>> parse_distribution("triangular:0.9:0.98:0.99")
{'type': 'triangular', 'minimum': 0.9, 'loc': 0.98, 'maximum': 0.99}
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..inventory.formulas import Formula

if TYPE_CHECKING:
    from ..lca import LCAModel

_FORMS = {
    "uniform": ("minimum", "maximum"),
    "triangular": ("minimum", "loc", "maximum"),
    "normal": ("loc", "scale"),
    "lognormal": ("median", "gsd2"),
}


def parse_distribution(text: str) -> dict[str, Any]:
    """``uniform:a:b``, ``triangular:min:mode:max``, ``normal:mean:sd`` or ``lognormal:median:gsd2``."""
    kind, *numbers = text.split(":")
    kind = kind.strip().lower()
    if kind not in _FORMS:
        raise UsageError(
            f"unknown distribution '{kind}'", hint="use " + ", ".join(f"{k}:{':'.join(v)}" for k, v in _FORMS.items())
        )
    fields = _FORMS[kind]
    try:
        values = [float(n) for n in numbers]
    except ValueError:
        raise UsageError(
            f"distribution '{text}' has a non-numeric value", hint=f"write {kind}:{':'.join(fields)}"
        ) from None
    if len(values) != len(fields):
        raise UsageError(f"distribution '{text}' needs {len(fields)} numbers", hint=f"write {kind}:{':'.join(fields)}")
    out: dict[str, Any] = {"type": kind, **dict(zip(fields, values, strict=True))}
    if kind == "lognormal":
        median = out.pop("median")
        if median <= 0:
            raise UsageError("lognormal median must be positive", hint="give the median of the parameter")
        out["loc"] = math.log(median)
    return out


def parse_vary(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``NAME=DISTRIBUTION`` options → ``{name: distribution}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise UsageError(
                f"--vary '{item}' is not NAME=DISTRIBUTION", hint="e.g. --vary hydro_recovery_ni=uniform:0.9:0.99"
            )
        out[name.strip()] = parse_distribution(text.strip())
    return out


def comparison_parameters(model: LCAModel, demands: Sequence[dict[str, Any]], allocation: str) -> list[str]:
    """Numeric parameters that the foreground of the given demands depends on (transitively)."""
    matrices = model.matrices(allocation)
    dataset_ids: list[str] = []
    for demand in demands:
        if not demand:
            continue
        cols = [matrices.product_index[model.product_id(p)] for p in demand]
        solver = model.solver(allocation, cols)
        dataset_ids.extend(matrices.column_dataset[int(col)] for col in solver.fg)
    return dataset_parameters(model, list(dict.fromkeys(dataset_ids)))


def supply_chain(
    model: LCAModel, demands: Sequence[dict[str, Any]], allocation: str, env: dict[str, Any] | None = None
) -> list[str]:
    """Ids of every dataset in the supply chain of the given demands (background included).

    With *env* (scalar parameters), inputs whose amount is zero there (e.g. the branch of a choice
    that is not taken) are not followed.
    """
    import numpy as np

    matrices = model.matrices(allocation)
    A = matrices.A
    if env is not None:
        nonzero = matrices.static_data(A, env) != 0
        A = {k: v[nonzero] for k, v in A.items()}
    order = np.argsort(A["cols"], kind="stable")
    cols_sorted = A["cols"][order]
    rows_sorted = A["rows"][order]
    starts = np.searchsorted(cols_sorted, np.arange(matrices.n + 1))
    seen: set[int] = set()
    stack = [matrices.product_index[model.product_id(p)] for demand in demands for p in (demand or {})]
    while stack:
        col = stack.pop()
        if col in seen:
            continue
        seen.add(col)
        stack.extend(int(r) for r in rows_sorted[starts[col] : starts[col + 1]] if int(r) not in seen)
    return sorted({matrices.column_dataset[c] for c in seen})


def dataset_parameters(model: LCAModel, dataset_ids: Sequence[str]) -> list[str]:
    """Numeric ('value') parameters that the amounts of the given datasets depend on (transitively)."""
    keys: set[str] = set()
    for ds_id in dataset_ids:
        ds = model.inventory.datasets[ds_id]
        resolve = model.inventory.resolver(ds)
        values = [ex.amount for ex in ds.exchanges]
        for p in ds.products:
            values.append(p.amount)
            values.extend(p.properties.values())
        for value in values:
            if isinstance(value, Formula):
                keys.update(resolve(name) for name in value.names)
    closure = set(keys)
    stack = list(keys)
    deps = model.parameters._deps
    while stack:
        for dep in deps.get(stack.pop(), ()):
            if dep not in closure:
                closure.add(dep)
                stack.append(dep)
    return sorted(k for k in closure if model.parameters.parameters[k].kind == "value")


def route_supply_chain(model: LCAModel, chemistry: str, setup: Any, unit: str, allocation: str) -> list[str]:
    """Datasets in the supply chain of the compared routes, at the comparison's parameter values."""
    from ..comparison import route_demands

    demands = route_demands(model, chemistry, setup.routes, unit, allocation, setup.env)[0]
    return supply_chain(model, [rd.demand for rd in demands], allocation, setup.env)
