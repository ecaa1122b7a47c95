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
from typing import Any

from ..errors import UsageError
from ..parameters.formulas import Formula

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


def comparison_parameters(model: Any, demands: Sequence[dict[str, Any]], allocation: str) -> list[str]:
    """Numeric parameters that the foreground of the given demands depends on (transitively)."""
    matrices = model.matrices(allocation)
    keys: set[str] = set()
    for demand in demands:
        if not demand:
            continue
        cols = [matrices.product_index[model.product_id(p)] for p in demand]
        solver = model.solver(allocation, cols)
        for col in solver.fg:
            ds = model.inventory.datasets[matrices.column_dataset[int(col)]]
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
