"""Build one :class:`~cathode_lca.inventory.schema.Parameter` from its YAML mapping.

Checks the name (an identifier that no formula constant, function or keyword hides), the
mapping (exactly one of value, formula, choices or by+values; a source; a known unit), the
formula, choices and their default, bounds and the distribution, and gives the key and scope
(``<dataset>::name``, ``<file>::name`` or global). Every error names the file, line, dataset
and field. Duplicates and shadowing across files are the loader's job
(:mod:`cathode_lca.inventory.load`).

Examples
--------
>>> p = build_parameter("yield_leach", {"value": 0.95, "kind": "fraction", "source": "s"}, "a.yaml", "a", 3, None)
>>> p.key, p.scope, p.kind, p.value, (p.min, p.max)
('a::yield_leach', 'file:a', 'value', 0.95, (0.0, 1.0))
>>> build_parameter("pi", {"value": 3.0, "source": "s"}, "a.yaml", "a", 3, None)
Traceback (most recent call last):
...
cathode_lca.errors.InventoryError: a.yaml:3: parameter name 'pi' is a formula constant: ...
"""

from __future__ import annotations

import keyword
from typing import Any

from ..errors import CathodeLCAError, FormulaError, InventoryError, UnitError
from ..units import parse_unit
from .bounds import resolve_bounds
from .formulas import CONSTANTS, FUNCTIONS, parse_formula
from .numbers import check_formula_constants
from .schema import Location, Parameter, ParameterSpec
from .spec_reading import validate_spec

__all__ = ["build_parameter"]


def build_parameter(
    name: str,
    raw: Any,
    file: str,
    file_id: str,
    line: int,
    dataset_id: str | None,
) -> Parameter:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise InventoryError(
            f"parameter name '{name}' is not a valid identifier",
            file=file,
            line=line,
            dataset=dataset_id,
            hint="use letters, digits and underscores, starting with a letter",
        )
    if name in CONSTANTS or name in FUNCTIONS or keyword.iskeyword(name):
        what = "constant" if name in CONSTANTS else "function" if name in FUNCTIONS else "keyword"
        raise InventoryError(
            f"parameter name '{name}' is a formula {what}: formulas would never read the parameter",
            file=file,
            line=line,
            dataset=dataset_id,
            hint=f"rename it (e.g. '{name}_value'); formulas reserve pi, e, "
            + ", ".join(FUNCTIONS)
            + " and Python keywords",
        )
    if not isinstance(raw, dict):
        raise InventoryError(
            "a parameter must be a mapping with 'value' or 'formula' and 'source'",
            file=file,
            line=line,
            dataset=dataset_id,
            field=f"parameters.{name}",
        )
    spec: ParameterSpec = validate_spec(ParameterSpec, raw, file, dataset_id)
    where = Location(file, line)
    field_name = f"parameters.{name}"

    def fail(message: str, hint: str) -> None:
        raise InventoryError(message, file=file, line=line, dataset=dataset_id, field=field_name, hint=hint)

    if dataset_id is not None and spec.scope == "global":
        fail("a dataset parameter cannot be global", "move it to the file's parameters:")
    if dataset_id is not None:
        key, scope = f"{dataset_id}::{name}", f"dataset:{dataset_id}"
    elif spec.scope == "global":
        key, scope = name, "global"
    else:
        key, scope = f"{file_id}::{name}", f"file:{file_id}"
    kinds = [k for k in ("value", "formula", "choices", "values") if getattr(spec, k) is not None]
    if len(kinds) != 1:
        fail(
            "give exactly one of 'value', 'formula', 'choices' or 'by'+'values'",
            "a parameter is a number, a formula, a choice or a lookup table",
        )
    kind = {"value": "value", "formula": "formula", "choices": "choice", "values": "lookup"}[kinds[0]]
    try:
        parse_unit(spec.unit)
    except UnitError as exc:
        fail(exc.message, exc.hint or "")
    if kind != "choice" and not spec.source:
        fail("missing source", "add 'source:' naming the document and table/page/cell")
    formula = None
    choices: tuple[str, ...] = ()
    if kind == "formula":
        try:
            formula = parse_formula(spec.formula)  # type: ignore[arg-type]
        except FormulaError as exc:
            fail(exc.message, exc.hint or "fix the formula")
        bad = check_formula_constants(formula.tree)  # type: ignore[union-attr]
        if bad is not None:
            fail(f"non-finite number {bad} in the formula", "give a finite number")
    if kind == "choice":
        choices = tuple(str(c) for c in spec.choices or ())
        if not choices or len(set(choices)) != len(choices):
            fail("'choices' must be a non-empty list without repeats", "list each option once")
        if spec.follows is not None:
            if spec.default is not None:
                fail(
                    f"give either 'default:' or 'follows: {spec.follows}', not both",
                    "a following choice takes its default from the choice it follows",
                )
        elif spec.default is None or spec.default not in choices:
            fail(
                f"default '{spec.default}' is not one of the choices",
                "set 'default:' to one of: " + ", ".join(choices),
            )
    if spec.follows is not None and kind != "choice":
        fail("only a choice parameter can follow another choice", "remove 'follows:' or give 'choices:'")
    if kind == "lookup" and not spec.by:
        fail("a lookup table needs 'by:' (the choice parameter it is keyed by)", "add 'by:'")
    if spec.distribution is not None and kind != "value":
        fail("only numeric 'value' parameters can have a distribution", "move the distribution")
    lo, hi, bounds_where = resolve_bounds(spec, kind, raw, where, fail)
    if spec.exact and spec.distribution is not None:
        fail("an exact constant cannot have a distribution", "remove 'exact: true' or the distribution")
    distribution = None
    if spec.distribution is not None:
        from .distributions import check_distribution, fit_to_bounds

        distribution = spec.distribution.model_dump(exclude_none=True)
        try:
            distribution = check_distribution(distribution, spec.value)
            distribution = fit_to_bounds(distribution, lo, hi)
        except CathodeLCAError as exc:
            fail(exc.message, exc.hint or "see docs/inventory-format.md")
    return Parameter(
        key=key,
        name=name,
        scope=scope,
        kind=kind,  # type: ignore[arg-type]
        where=where,
        unit=spec.unit,
        value=spec.value,
        formula=formula,
        source=spec.source,
        note=spec.note,
        distribution=distribution,
        choices=choices,
        default=spec.default,
        follows=spec.follows,
        by=spec.by,
        values=dict(spec.values or {}),
        quality=spec.quality.model_dump() if spec.quality else None,
        min=lo,
        max=hi,
        fraction=spec.kind == "fraction",
        exact=spec.exact,
        bounds_where=bounds_where,
    )
