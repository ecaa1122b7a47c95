"""Checks of a loaded inventory's references: unknown ids, elementary flow vs product, unit mismatches.

Every error names the file, line, dataset and field, with a hint (often a close match of the id).

Examples
--------
>>> suggest("sulfuric-acid", ["sulfuric-acid-greet2022", "water"])
"did you mean 'sulfuric-acid-greet2022'?"
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InventoryError, UnitError
from ..units import conversion_factor
from .schema import Exchange, Inventory, Location, Parameter


def find_parameter(parameters: dict[str, Parameter], name: str, file: str, line: int) -> str:
    if name in parameters:
        return name
    matches = [k for k, p in parameters.items() if p.name == name]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        import difflib

        close = difflib.get_close_matches(name, sorted({p.name for p in parameters.values()}), n=3)
        raise InventoryError(
            f"cannot override unknown parameter '{name}'",
            file=file,
            line=line,
            field=f"overrides.parameters.{name}",
            hint=("did you mean " + " or ".join(close) + "? " if close else "")
            + "check the name with 'cathode-lca parameters'",
        )
    raise InventoryError(
        f"parameter name '{name}' is ambiguous: " + ", ".join(sorted(matches)),
        file=file,
        line=line,
        field=f"overrides.parameters.{name}",
        hint="use the qualified name",
    )


def check_references(inv: Inventory) -> None:
    """Unknown references and unit mismatches, with file and line."""
    for ds in inv.datasets.values():
        for i, ex in enumerate(ds.exchanges):
            field_ = f"exchanges[{i}].{ex.kind}"

            def fail(message: str, hint: str, ex: Exchange = ex, field_: str = field_, dataset: str = ds.id) -> None:
                raise InventoryError(
                    message, file=ex.where.file, line=ex.where.line, dataset=dataset, field=field_, hint=hint
                )

            if ex.kind == "input":
                if ex.target not in inv.products:
                    if ex.target in inv.flows:
                        fail(f"'{ex.target}' is an elementary flow", "write 'flow:' instead of 'input:'")
                    fail(f"unknown reference '{ex.target}'", suggest(ex.target, inv.products))
                target_unit = inv.product(ex.target).unit
            else:
                if ex.target not in inv.flows:
                    if ex.target in inv.products:
                        fail(f"'{ex.target}' is a product, not an elementary flow", "write 'input:' instead of 'flow:'")
                    fail(f"unknown flow '{ex.target}'", suggest(ex.target, inv.flows))
                target_unit = inv.flows[ex.target].unit
            check_convertible(
                ex.unit, target_unit, f"unit mismatch for '{ex.target}'", ex.where, ds.id, f"exchanges[{i}].unit"
            )
        for i, p in enumerate(ds.products):
            if p.substitutes is not None and p.substitutes not in inv.products:
                raise InventoryError(
                    f"unknown reference '{p.substitutes}' in 'substitutes'",
                    file=p.where.file,
                    line=p.where.line,
                    dataset=ds.id,
                    field=f"products[{i}].substitutes",
                    hint=suggest(p.substitutes, inv.products),
                )
            if p.substitutes is not None:
                what = f"substitute '{p.substitutes}' has an incompatible unit"
                target_unit = inv.product(p.substitutes).unit
                check_convertible(p.unit, target_unit, what, p.where, ds.id, f"products[{i}].substitutes")


def check_convertible(unit: str, target_unit: str, what: str, where: Location, dataset: str, field: str) -> None:
    """Raise a :class:`UnitError` at *where* (file, line, *dataset*, *field*) when *unit* does not convert.

    The message is ``"<what>: <why the units do not convert>"`` with pint's hint.

    Examples
    --------
    >>> check_convertible("t", "kg", "unit mismatch for 'x'", Location("a.yaml", 3), "d", "exchanges[0].unit")
    >>> check_convertible("kWh", "kg", "unit mismatch for 'x'", Location("a.yaml", 3), "d", "exchanges[0].unit")
    Traceback (most recent call last):
    ...
    cathode_lca.errors.UnitError: a.yaml:3: dataset 'd', field 'exchanges[0].unit': unit mismatch for 'x': cannot ...
    """
    try:
        conversion_factor(unit, target_unit)
    except UnitError as exc:
        raise UnitError(
            f"{what}: {exc.message}", file=where.file, line=where.line, dataset=dataset, field=field, hint=exc.hint
        ) from None


def suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "check the id with 'cathode-lca datasets --search ...'"
