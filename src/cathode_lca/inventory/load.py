"""Read inventory YAML files into an :class:`Inventory`, with precise errors.

Every defect is reported with file, line, dataset and field: unknown references,
duplicate ids, unit mismatches, formula errors, circular parameter dependencies and
missing sources.

Examples
--------
>>> inv = load_inventory()                      # the shipped inventories  # doctest: +SKIP
>>> inv.datasets["sulfuric-acid-greet2022"].unit  # doctest: +SKIP
'kg'
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._yaml import MAX_BYTES, LineDict, LineList, load_yaml_text, read_yaml_file
from ..errors import FormulaError, InventoryError, UnitError, UsageError
from ..resources import inventories_dir
from ..units import parse_unit
from .bounds import parse_element_balance
from .formulas import Formula, parse_formula
from .numbers import check_formula_constants
from .parameter_reading import build_parameter
from .references import check_references, find_parameter
from .schema import (
    TEXT_PROPERTY_SUFFIXES,
    Dataset,
    DatasetSpec,
    Exchange,
    FileSpec,
    Flow,
    FlowSpec,
    Inventory,
    Location,
    Parameter,
    Product,
)
from .spec_reading import validate_spec

FORMAT_VERSION = "cathode-lca/1"


# ---------------------------------------------------------------------------
# public entry point


DATA_FILES = frozenset({"quality.yaml", "catalogue.yaml"})
"""Files at the top of an inventory folder that hold settings, not datasets (``quality.yaml``: pedigree defaults;
``catalogue.yaml``: display names and element maps of routes, chemistries and salts, read by
:mod:`cathode_lca.catalogue`)."""


def _check_paths(paths: object, argument: str) -> None:
    """Refuse one bare path (it would be read letter by letter) or a non-list by name."""
    if paths is None:
        return
    if isinstance(paths, (str, Path)):
        raise UsageError(
            f"{argument} must be a list of files or folders, got the single path {str(paths)!r}",
            hint=f"write [{str(paths)!r}]",
        )
    if not isinstance(paths, Iterable) or isinstance(paths, (bytes, Mapping)):
        raise UsageError(
            f"{argument} must be a list of files or folders, got {paths!r:.60} ({type(paths).__name__})",
            hint="e.g. ['my-plant.yaml']",
        )


def load_inventory(
    paths: Sequence[str | Path] | None = None,
    *,
    extra: Iterable[str | Path] = (),
    cache: bool = True,
) -> Inventory:
    """Load inventories.

    Parameters
    ----------
    paths
        Files or directories (searched recursively for ``*.yaml``). Default: the shipped
        ``inventories/``.
    extra
        User files loaded after *paths*: more datasets, or ``overrides:`` of shipped ones.
    cache
        Reuse a parsed copy from the user cache folder when no file changed (checked by
        content hash of every file read, includes too). Set the environment variable
        ``CATHODE_LCA_NO_CACHE=1`` to disable it everywhere.
    """
    _check_paths(paths, "paths")
    _check_paths(extra, "extra")
    roots = [Path(p) for p in paths] if paths else [inventories_dir()]
    files: list[tuple[Path, Path]] = []
    for root in roots:
        if not root.exists():
            raise InventoryError(f"no such file or directory: {root}", hint="check the path")
        if root.is_dir():
            files.extend(
                (f, root) for f in sorted(root.rglob("*.yaml")) if f.relative_to(root).as_posix() not in DATA_FILES
            )
        else:
            files.append((root, root.parent))
    for file in extra:
        path = Path(file)
        if not path.is_file():
            raise InventoryError(f"no such file: {path}", hint="check the path")
        files.append((path, path.parent))
    for file, _root in files:  # before hashing: never read /dev/zero, a pipe or a huge file
        if not file.is_file():
            raise InventoryError(
                "not a regular file (device, pipe or folder)", file=str(file), hint="give the path of a YAML file"
            )
        if file.stat().st_size > MAX_BYTES:
            raise InventoryError(f"file is larger than {MAX_BYTES // 2**20} MiB", file=str(file), hint="split it")
    from . import cache as inventory_cache

    key = inventory_cache.key_for([f for f, _root in files]) if cache and inventory_cache.enabled() else None
    if key is not None:
        cached = inventory_cache.load(key)
        if cached is not None:
            return cached
    reader = _Reader()
    for file, root in files:
        reader.read(file, root)
    inventory = reader.finish()
    if key is not None:
        inventory_cache.store(key, inventory, sorted(reader.seen))
    return inventory


# ---------------------------------------------------------------------------
# implementation


def _check_override_bounds(param: Parameter, file: str, line: int | None, name: str) -> None:
    """Refuse an override value outside the bounds it keeps, naming the override's file and line."""
    if param.kind != "value" or param.value is None:
        return
    lo, hi = param.min, param.max
    if (lo is None or param.value >= lo) and (hi is None or param.value <= hi):
        return
    text = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
    at = param.bounds_where
    raise InventoryError(
        f"override value {param.value:g} of '{name}' is outside its bounds {text}"
        + (f" ({'kind: fraction' if param.fraction else 'min/max'}, declared at {at.file}:{at.line})" if at else ""),
        file=file,
        line=line,
        field=f"overrides.parameters.{name}",
        hint=f"give a value in {text}" + (" (a fraction: 0.95, not 95)" if param.fraction and param.value > 1 else ""),
    )


class _Reader:
    def __init__(self) -> None:
        self.seen: set[Path] = set()
        self.hash = hashlib.sha256()
        self.files: dict[str, str] = {}
        self.parameters: dict[str, Parameter] = {}
        self.file_scopes: dict[str, dict[str, str]] = {}
        self.flows: dict[str, Flow] = {}
        self.datasets: dict[str, Dataset] = {}
        self.overrides: list[tuple[str, Any, Any]] = []  # (file, spec, raw)
        self.raw_formats: list[tuple[str, Any]] = []

    # -- files ------------------------------------------------------------
    def read(self, path: Path, root: Path) -> None:
        resolved = path.resolve()
        if resolved in self.seen:
            return
        self.seen.add(resolved)
        text = read_yaml_file(path)  # regular files only, size-limited, UTF-8
        raw_bytes = text.encode("utf-8")
        file = str(path)
        data = load_yaml_text(text, file)
        if data is None or data == {}:
            raise InventoryError(
                "empty inventory file", file=file, hint="add 'datasets:', 'parameters:' or 'flows:', or remove the file"
            )
        if not isinstance(data, LineDict):  # every YAML mapping is read as a LineDict
            raise InventoryError("top level must be a mapping", file=file, line=1)
        spec: FileSpec = validate_spec(FileSpec, data, file)
        if spec.format is not None and spec.format != FORMAT_VERSION:
            raise InventoryError(
                f"unsupported format '{spec.format}'",
                file=file,
                line=data.line_of("format"),
                hint=f"use format: {FORMAT_VERSION}",
            )
        try:
            rel = resolved.relative_to(root.resolve())
        except ValueError:
            rel = Path(path.name)
        file_id = rel.with_suffix("").as_posix()
        if file_id in self.files:
            file_id = f"{file_id}@{len(self.files)}"
        self.files[file_id] = file
        self.hash.update(file_id.encode() + b"\0" + raw_bytes + b"\0")
        for include in spec.include:
            target = (path.parent / include).resolve()
            if not target.is_file():
                raise InventoryError(
                    f"included file '{include}' not found",
                    file=file,
                    line=data.line_of("include"),
                    hint="paths are relative to the including file",
                )
            self.read(target, root)
        self.file_scopes.setdefault(file_id, {})
        params = data.get("parameters", LineDict())
        for name in spec.parameters:
            self._add_parameter(name, params[name], file, file_id, params.line_of(name), None)
        for raw in data.get("flows", []):
            self._add_flow(raw, file)
        for raw in data.get("datasets", []):
            self._add_dataset(raw, file, file_id)
        if spec.overrides is not None:
            self.overrides.append((file, spec.overrides, data["overrides"]))

    # -- parameters ---------------------------------------------------------
    def _add_parameter(
        self,
        name: str,
        raw: Any,
        file: str,
        file_id: str,
        line: int,
        dataset_id: str | None,
    ) -> None:
        param = build_parameter(name, raw, file, file_id, line, dataset_id)
        key, scope = param.key, param.scope

        def fail(message: str, hint: str) -> None:
            raise InventoryError(
                message, file=file, line=line, dataset=dataset_id, field=f"parameters.{name}", hint=hint
            )

        if key in self.parameters:
            first = self.parameters[key].where
            fail(
                f"duplicate parameter '{name}' (first defined at {first.file}:{first.line})",
                "rename one of them",
            )
        if scope != "global" and name in self.parameters and self.parameters[name].scope == "global":
            first = self.parameters[name].where
            fail(
                f"parameter '{name}' shadows the global parameter defined at {first.file}:{first.line}",
                "rename it: shadowing makes results depend on scope rules",
            )
        if scope == "global":
            for other in self.parameters.values():
                if other.name == name and other.scope != "global":
                    fail(
                        f"global parameter '{name}' would shadow '{other.key}' ({other.where.file}:{other.where.line})",
                        "rename one of them",
                    )
        self.parameters[key] = param
        if scope.startswith("file:"):
            self.file_scopes[file_id][name] = key

    # -- flows ----------------------------------------------------------------
    def _add_flow(self, raw: Any, file: str) -> None:
        spec: FlowSpec = validate_spec(FlowSpec, raw, file)
        line = getattr(raw, "line", None) or 0
        if spec.id in self.flows:
            first = self.flows[spec.id].where
            raise InventoryError(
                f"duplicate flow id '{spec.id}' (first at {first.file}:{first.line})",
                file=file,
                line=line,
                hint="flow ids must be unique",
            )
        try:
            parse_unit(spec.unit)
        except UnitError as exc:
            raise InventoryError(exc.message, file=file, line=line, field="unit", hint=exc.hint) from None
        self.flows[spec.id] = Flow(
            spec.id, spec.name, spec.compartment, spec.unit, dict(spec.elements), Location(file, line), spec.note
        )

    # -- datasets -------------------------------------------------------------
    def _add_dataset(self, raw: Any, file: str, file_id: str, *, replacing: bool = False) -> None:
        dataset_id = raw.get("id") if isinstance(raw, dict) else None
        spec: DatasetSpec = validate_spec(DatasetSpec, raw, file, dataset_id)
        line = raw.line
        if spec.id in self.datasets and not replacing:
            first = self.datasets[spec.id].where
            raise InventoryError(
                f"duplicate dataset id '{spec.id}' (first at {first.file}:{first.line})",
                file=file,
                line=raw.line_of("id"),
                dataset=spec.id,
                field="id",
                hint="ids must be unique; to replace a shipped dataset use 'overrides: datasets:'",
            )
        if replacing:
            for key in [k for k in self.parameters if k.startswith(spec.id + "::")]:
                del self.parameters[key]
        params = raw.get("parameters", LineDict())
        for name in spec.parameters:
            self._add_parameter(name, params[name], file, file_id, params.line_of(name), spec.id)

        def err(message: str, line_: int, field_: str, hint: str) -> InventoryError:
            return InventoryError(message, file=file, line=line_, dataset=spec.id, field=field_, hint=hint)

        # products
        products: list[Product] = []
        raw_products = raw.get("products")
        if spec.products is None:
            products.append(Product(spec.id, spec.name, 1.0, spec.unit, True, {}, None, Location(file, line)))
        else:
            if not spec.products:
                raise err("'products' is empty", raw.line_of("products"), "products", "list at least one product")
            for i, p in enumerate(spec.products):
                praw = raw_products[i]
                pline = praw.line
                amount = self._amount(p.amount, file, pline, spec.id, f"products[{i}].amount")
                props: dict[str, float | Formula] = {}
                for key, value in p.properties.items():
                    if key.endswith(TEXT_PROPERTY_SUFFIXES):
                        continue
                    props[key] = self._amount(value, file, pline, spec.id, f"products[{i}].properties.{key}")
                numeric_claims = (not isinstance(amount, float) or amount != 1.0) or any(
                    isinstance(v, float) and key not in ("mass",) for key, v in props.items()
                )
                if numeric_claims and not p.source:
                    raise err(
                        "missing source for the product amount or properties",
                        pline,
                        f"products[{i}].source",
                        "add 'source:' naming the document and table/page/cell",
                    )
                products.append(
                    Product(
                        p.id,
                        p.name or p.id,
                        amount,
                        p.unit or spec.unit,
                        p.reference,
                        props,
                        p.substitutes,
                        Location(file, pline),
                        p.source,
                        p.basis,
                        p.quality.model_dump() if p.quality else None,
                    )
                )
            refs = [p for p in products if p.reference]
            if len(products) == 1 and not refs:
                products[0] = replace(products[0], reference=True)
            elif len(refs) != 1:
                raise err(
                    f"exactly one product must have 'reference: true' (found {len(refs)})",
                    raw.line_of("products"),
                    "products",
                    "mark the main product with reference: true",
                )
        # exchanges
        exchanges: list[Exchange] = []
        for i, ex in enumerate(spec.exchanges):
            exraw = raw["exchanges"][i]
            eline = exraw.line
            if (ex.input is None) == (ex.flow is None):
                raise err(
                    "an exchange needs exactly one of 'input' or 'flow'",
                    eline,
                    f"exchanges[{i}]",
                    "write 'input: <product id>' or 'flow: <flow id>'",
                )
            if not ex.source:
                raise err(
                    "missing source",
                    eline,
                    f"exchanges[{i}].source",
                    "add 'source:' naming the document and table/page/cell",
                )
            amount = self._amount(ex.amount, file, exraw.line_of("amount"), spec.id, f"exchanges[{i}].amount")
            try:
                parse_unit(ex.unit)
            except UnitError as exc:
                raise err(exc.message, exraw.line_of("unit"), f"exchanges[{i}].unit", exc.hint or "") from None
            kind = "input" if ex.input is not None else "flow"
            exchanges.append(
                Exchange(kind, ex.input or ex.flow or "", amount, ex.unit, Location(file, eline), ex.source)  # type: ignore[arg-type]
            )
            if ex.quality is not None:
                exchanges[-1] = replace(exchanges[-1], quality=ex.quality.model_dump())

        def balance_error(message: str, hint: str) -> None:
            raise err(message, raw.line_of("element_balance"), "element_balance", hint)

        balance, tolerance, tolerance_reason, known = parse_element_balance(spec.element_balance, balance_error)
        self.datasets[spec.id] = Dataset(
            id=spec.id,
            name=spec.name,
            location=spec.location,
            stage=spec.stage,
            unit=spec.unit,
            products=tuple(products),
            exchanges=tuple(exchanges),
            file_id=file_id,
            where=Location(file, line),
            element_balance=balance,
            balance_tolerance=tolerance,
            balance_tolerance_reason=tolerance_reason,
            balance_known=known,
            cut_off=spec.cut_off,
            note=spec.note,
        )

    @staticmethod
    def _amount(value: Any, file: str, line: int, dataset: str, field_: str) -> float | Formula:
        def refuse(what: str) -> InventoryError:
            return InventoryError(
                f"non-finite number {what}", file=file, line=line, dataset=dataset, field=field_,
                hint="give a finite number",
            )  # fmt: skip

        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise refuse(repr(value))
            return float(value)
        try:
            formula = parse_formula(value)
        except FormulaError as exc:
            raise FormulaError(
                exc.message, file=file, line=line, dataset=dataset, field=field_, hint=exc.hint
            ) from None
        bad = check_formula_constants(formula.tree)
        if bad is not None:
            raise refuse(bad)
        try:  # plain numbers written as strings
            number = float(formula.text)
        except ValueError:
            return formula
        if not math.isfinite(number):  # "nan", "inf", "1e400" or 400 digits written as text
            raise refuse(repr(formula.text[:40]))
        return number

    # -- overrides & final checks ---------------------------------------------
    def _apply_overrides(self) -> None:
        for file, spec, raw in self.overrides:
            praw = raw.get("parameters", LineDict())
            for name, value in spec.parameters.items():
                line = praw.line_of(name)
                key = find_parameter(self.parameters, name, file, line)
                old = self.parameters[key]
                if isinstance(value, float):
                    if old.kind != "value":
                        raise InventoryError(
                            f"parameter '{name}' is a {old.kind}; a plain number cannot override it",
                            file=file,
                            line=line,
                            field=f"overrides.parameters.{name}",
                            hint="give a mapping with 'value:' or 'formula:' and 'source:'",
                        )
                    new = replace(
                        old, value=float(value), where=Location(file, line), note=f"override from {file}:{line}"
                    )
                else:
                    built = build_parameter(name, praw[name], file, "__override__", line, None)
                    new = replace(built, key=old.key, name=old.name, scope=old.scope, exact=built.exact or old.exact)
                    if not built.bounded and old.bounded:  # an override keeps the declared bounds
                        new = replace(
                            new, min=old.min, max=old.max, fraction=old.fraction, bounds_where=old.bounds_where
                        )
                _check_override_bounds(new, file, line, name)
                self.parameters[key] = new
            draw = raw.get("datasets", LineList())
            for i, ds in enumerate(spec.datasets):
                ds_raw = draw[i]
                ds_id = ds.get("id")
                if ds_id not in self.datasets:
                    raise InventoryError(
                        f"cannot override unknown dataset '{ds_id}'",
                        file=file,
                        line=ds_raw.line,
                        field="overrides.datasets.id",
                        hint="to add a new dataset, list it under 'datasets:'",
                    )
                file_id = self.datasets[ds_id].file_id
                self._add_dataset(ds_raw, file, file_id, replacing=True)

    def finish(self) -> Inventory:
        self._apply_overrides()
        products: dict[str, tuple[str, int]] = {}
        for ds in self.datasets.values():
            for i, p in enumerate(ds.products):
                if p.id in products and products[p.id][0] != ds.id:
                    other = self.datasets[products[p.id][0]]
                    raise InventoryError(
                        f"duplicate product id '{p.id}' (also produced by '{other.id}' at "
                        f"{other.where.file}:{other.where.line})",
                        file=p.where.file,
                        line=p.where.line,
                        dataset=ds.id,
                        field="products.id",
                        hint="each product has exactly one producer; rename one",
                    )
                if p.id in self.flows:
                    raise InventoryError(
                        f"product id '{p.id}' is also a flow id",
                        file=p.where.file,
                        line=p.where.line,
                        dataset=ds.id,
                        hint="rename the product",
                    )
                products[p.id] = (ds.id, i)
        inventory = Inventory(
            parameters=self.parameters,
            flows=self.flows,
            datasets=self.datasets,
            products=products,
            files=self.files,
            content_hash=self.hash.hexdigest(),
            file_scopes=self.file_scopes,
        )
        check_references(inventory)
        return inventory
