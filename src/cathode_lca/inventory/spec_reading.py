"""Validate one YAML mapping against its pydantic ``*Spec`` model, with a precise error.

The first validation error becomes an :class:`~cathode_lca.errors.InventoryError` naming the
file, line, dataset and dotted field, with a hint (unknown key, missing key, or a plain
override given as text); numbers are then checked to be real and finite.

Examples
--------
>>> from cathode_lca.inventory.schema import FlowSpec
>>> validate_spec(FlowSpec, {"id": "co2", "name": "CO2", "compartment": "air", "unit": "kg"}, "a.yaml").id
'co2'
>>> validate_spec(FlowSpec, {"id": "co2", "name": "CO2", "compartment": "air", "unit": "kg", "colour": 1}, "a.yaml")
Traceback (most recent call last):
...
cathode_lca.errors.InventoryError: a.yaml: field 'colour': unknown key. Fix: remove it or check the spelling against docs/inventory-format.md
"""

from __future__ import annotations

from typing import Any

import pydantic

from .._yaml import line_at
from ..errors import InventoryError
from .numbers import check_numbers

__all__ = ["validate_spec"]


def validate_spec(model: type[pydantic.BaseModel], data: Any, file: str, dataset: str | None = None):
    try:
        spec = model.model_validate(data)
        check_numbers(spec.model_dump(), data, file, dataset)
        return spec
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "str", "float", "int")))]
        field_name = ".".join(str(p) for p in loc) or None
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
            hint = "remove it or check the spelling against docs/inventory-format.md"
        elif err["type"] == "missing":
            msg = "missing required key"
            hint = "add it (see docs/inventory-format.md)"
        else:
            hint = "see docs/inventory-format.md"
        given = err.get("input")
        if tuple(loc[:2]) == ("overrides", "parameters") and len(loc) == 3 and isinstance(given, str):
            msg = f"an override of '{loc[2]}' gives the text '{given}': a plain override is a number"
            hint = (
                f"to choose '{given}', use a scenario file: parameters: {{{loc[2]}: {{value: {given}, source: ...}}}} "
                "(docs/scenarios.md)"
            )
        raise InventoryError(
            msg, file=file, line=line_at(data, loc), dataset=dataset, field=field_name, hint=hint
        ) from None
