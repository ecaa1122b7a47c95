"""Numbers entering from inventory files must be real, finite numbers.

pydantic (in its lax mode) turns ``true`` into 1.0 and the text ``"nan"`` into NaN; the
formula language turns ``1e400`` into infinity. These checks run after validation and name
the file, line, dataset and field of the offending value.

Examples
--------
>>> check_numbers({"amount": 1.0}, {"amount": True}, "a.yaml", None)
Traceback (most recent call last):
...
cathode_lca.errors.InventoryError: a.yaml: field 'amount': true/false is not a number. Fix: write a number
"""

from __future__ import annotations

import ast
import math
from typing import Any

from .._yaml import line_at
from ..errors import InventoryError

__all__ = ["check_numbers", "check_formula_constants", "finite"]


def finite(value: float) -> bool:
    return math.isfinite(value)


def check_numbers(dumped: Any, raw: Any, file: str, dataset: str | None, _loc: tuple[Any, ...] = ()) -> None:
    """Walk a validated model dump next to the raw YAML; refuse booleans taken as numbers and non-finite numbers."""
    stack: list[tuple[Any, Any, tuple[Any, ...]]] = [(dumped, raw, _loc)]
    root = raw
    while stack:
        value, source, loc = stack.pop()
        if isinstance(value, dict) and isinstance(source, dict):
            stack.extend((v, source[k], (*loc, k)) for k, v in value.items() if k in source)
        elif isinstance(value, (list, tuple)) and isinstance(source, list):
            stack.extend((v, source[i], (*loc, i)) for i, v in enumerate(value) if i < len(source))
        elif isinstance(value, float):
            problem = None
            if isinstance(source, bool):
                problem = "true/false is not a number"
            elif not math.isfinite(value):
                problem = f"non-finite number {source!r}"
            if problem:
                raise InventoryError(
                    problem,
                    file=file,
                    line=line_at(root, loc),
                    dataset=dataset,
                    field=".".join(str(p) for p in loc) or None,
                    hint="write a number" if isinstance(source, bool) else "give a finite number",
                )


def check_formula_constants(tree: ast.AST) -> str | None:
    """The first constant in a parsed formula that is not a finite float (None when all are)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            try:
                ok = math.isfinite(float(node.value))
            except OverflowError:
                ok = False
            if not ok:
                text = repr(node.value)
                return text if len(text) < 40 else f"{text[:20]}... ({len(text)} digits)"
    return None
