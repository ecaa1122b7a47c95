"""A second, deliberately small reader of the inventory YAML, for the independent bw2calc cross-check.

It shares no code with ``cathode_lca`` (no engine, no ``inventory.load``, no formula compiler, no
pint): PyYAML's safe loader, its own evaluator for the amount formulas (numbers, parameter names,
``+ - * / **``, comparisons with choice values, ``a if c else b``, ``and``/``or``/``not``,
``min``/``max``/``abs``), its own unit table and its own scoping (dataset, then file, then global
parameters). It builds the technosphere and biosphere matrices of the supply chain of a dataset
under allocation ``none`` (co-products are burden-free outputs) at the default parameter values.
Anything it does not understand raises, so a check cannot pass by skipping data.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

#: PyYAML's safe loader (its C version when built with libyaml): plain data only, no tags.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Exact definitional factors to a base unit per dimension (mass kg, energy MJ, volume L, transport t*km).
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0),
    "g": ("mass", 1e-3),
    "t": ("mass", 1e3),
    "tonne": ("mass", 1e3),
    "short_ton": ("mass", 907.18474),
    "MJ": ("energy", 1.0),
    "GJ": ("energy", 1e3),
    "kWh": ("energy", 3.6),
    "MWh": ("energy", 3600.0),
    "TWh": ("energy", 3.6e9),
    "L": ("volume", 1.0),
    "m3": ("volume", 1e3),
    "gal": ("volume", 3.785411784),
    "t*km": ("transport", 1.0),
    "tkm": ("transport", 1.0),
    "kg*km": ("transport", 1e-3),
}


def unit_factor(unit: str, target: str) -> float:
    """Factor from *unit* to *target* (same dimension)."""
    (dim_a, fa), (dim_b, fb) = UNITS[unit.strip()], UNITS[target.strip()]
    if dim_a != dim_b:
        raise ValueError(f"cannot convert {unit} to {target}")
    return fa / fb


@dataclass
class _Param:
    name: str
    spec: dict[str, Any]
    scope: str  # "global", "file:<path>" or "dataset:<id>"
    file: str


@dataclass
class YamlInventory:
    """Datasets, products, flows and parameters read straight from the YAML files."""

    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    dataset_file: dict[str, str] = field(default_factory=dict)
    products: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # id -> (dataset, product)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[tuple[str, str], _Param] = field(default_factory=dict)  # (scope, name) -> parameter
    _values: dict[tuple[str, str], Any] = field(default_factory=dict)

    # -- reading -------------------------------------------------------------------------
    @classmethod
    def read(cls, folder: Path) -> YamlInventory:
        inv = cls()
        for path in sorted(folder.rglob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
            if not isinstance(data, dict) or data.get("format") != "cathode-lca/1":
                continue  # e.g. quality.yaml, which is not an inventory file
            inv._read_file(str(path), data)
        return inv

    def _read_file(self, file: str, data: dict[str, Any]) -> None:
        if data.get("include") or data.get("overrides"):
            raise NotImplementedError(f"{file}: include/overrides are not read by the small reader")
        for flow in data.get("flows") or []:
            self.flows[flow["id"]] = flow
        for name, spec in (data.get("parameters") or {}).items():
            scope = "global" if spec.get("scope") == "global" else f"file:{file}"
            self.params[(scope, name)] = _Param(name, spec, scope, file)
        for ds in data.get("datasets") or []:
            self.datasets[ds["id"]] = ds
            self.dataset_file[ds["id"]] = file
            for name, spec in (ds.get("parameters") or {}).items():
                scope = f"dataset:{ds['id']}"
                self.params[(scope, name)] = _Param(name, spec, scope, file)
            for product in self.products_of(ds):
                self.products[product["id"]] = (ds["id"], product)

    @staticmethod
    def products_of(ds: dict[str, Any]) -> list[dict[str, Any]]:
        """The products with ``unit`` filled in, the reference first."""
        declared = ds.get("products") or [{"id": ds["id"], "reference": True}]
        out = [{"amount": 1.0, "unit": ds.get("unit", "kg"), **p} for p in declared]
        if not any(p.get("reference") for p in out):
            out[0]["reference"] = True
        return sorted(out, key=lambda p: not p.get("reference"))

    # -- parameters and formulas --------------------------------------------------------
    def _lookup(self, name: str, dataset: str | None, file: str) -> tuple[str, str]:
        for scope in ([f"dataset:{dataset}"] if dataset else []) + [f"file:{file}", "global"]:
            if (scope, name) in self.params:
                return scope, name
        raise KeyError(f"unknown name '{name}' in {dataset or file}")

    def parameter(self, scope: str, name: str) -> Any:
        """Default value of a parameter: a number, or the default choice (a string)."""
        key = (scope, name)
        if key not in self._values:
            p = self.params[key]
            spec = p.spec
            dataset = scope.split(":", 1)[1] if scope.startswith("dataset:") else None
            if spec.get("choices") is not None and spec.get("follows") is not None:  # a choice that takes another's
                value: Any = self.parameter(*self._lookup(spec["follows"], dataset, p.file))
            elif spec.get("choices") is not None:
                value = spec.get("default", spec["choices"][0])
            elif spec.get("by") is not None:
                value = float(spec["values"][self.evaluate(spec["by"], dataset, p.file)])
            elif spec.get("formula") is not None:
                value = self.evaluate(spec["formula"], dataset, p.file)
            else:
                value = float(spec["value"])
            self._values[key] = value
        return self._values[key]

    def evaluate(self, amount: Any, dataset: str | None, file: str) -> Any:
        """A number, or a formula (text) evaluated at the default parameter values."""
        if isinstance(amount, bool):
            raise TypeError(f"boolean amount in {dataset or file}")
        if isinstance(amount, int | float):
            return float(amount)
        tree = ast.parse(str(amount).strip(), mode="eval")
        return self._eval(tree.body, dataset, file)

    def _eval(self, node: ast.AST, dataset: str | None, file: str) -> Any:
        ev = lambda n: self._eval(n, dataset, file)  # noqa: E731
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
            return node.value if isinstance(node.value, str) else float(node.value)
        if isinstance(node, ast.Name):
            if node.id in ("pi", "e") and not self._has(node.id, dataset, file):
                return {"pi": math.pi, "e": math.e}[node.id]
            return self.parameter(*self._lookup(node.id, dataset, file))
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return a**b
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            if isinstance(node.op, ast.USub):
                return -v
            if isinstance(node.op, ast.UAdd):
                return v
            if isinstance(node.op, ast.Not):
                return float(not v)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            result = True
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = ev(comparator)
                result = (
                    result
                    and {
                        ast.Eq: left == right,
                        ast.NotEq: left != right,
                        ast.Lt: isinstance(left, float) and left < right,
                        ast.LtE: isinstance(left, float) and left <= right,
                        ast.Gt: isinstance(left, float) and left > right,
                        ast.GtE: isinstance(left, float) and left >= right,
                    }[type(op)]
                )
                left = right
            return float(result)
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) != 0 else ev(node.orelse)
        if isinstance(node, ast.BoolOp):
            values = [ev(v) != 0 for v in node.values]
            return float(all(values) if isinstance(node.op, ast.And) else any(values))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "where":
            test, yes, no = (ev(a) for a in node.args)  # numpy.where evaluates both branches too
            return yes if test != 0 else no
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max", "abs"):
            args = [ev(a) for a in node.args]
            return float({"min": min, "max": max, "abs": lambda x: abs(x)}[node.func.id](*args))
        raise NotImplementedError(f"the small reader does not evaluate {ast.dump(node)} in {dataset or file}")

    def _has(self, name: str, dataset: str | None, file: str) -> bool:
        try:
            self._lookup(name, dataset, file)
        except KeyError:
            return False
        return True

    # -- matrices ------------------------------------------------------------------------
    def supply_chain(self, dataset_id: str) -> list[str]:
        """Datasets reachable from *dataset_id* through inputs (itself first)."""
        seen, stack = [dataset_id], [dataset_id]
        while stack:
            ds = self.datasets[stack.pop()]
            for ex in ds.get("exchanges") or []:
                if "input" in ex:
                    producer = self.products[ex["input"]][0]
                    if producer not in seen:
                        seen.append(producer)
                        stack.append(producer)
        return seen

    def matrices(self, dataset_id: str) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
        """``(products, flows, A, B)`` of the supply chain of *dataset_id* (allocation ``none``)."""
        chain = self.supply_chain(dataset_id)
        products = [p["id"] for d in chain for p in self.products_of(self.datasets[d])]
        col = {p: i for i, p in enumerate(products)}
        flows: list[str] = []
        A = np.zeros((len(products), len(products)))
        entries: list[tuple[str, int, float]] = []
        for d in chain:
            ds, file = self.datasets[d], self.dataset_file[d]
            ref, *coproducts = self.products_of(ds)
            j = col[ref["id"]]
            A[j, j] += self.evaluate(ref["amount"], d, file)
            for p in coproducts:  # allocation none: a burden-free supplier of each co-product
                A[col[p["id"]], col[p["id"]]] += 1.0
            for ex in ds.get("exchanges") or []:
                amount = self.evaluate(ex["amount"], d, file)
                if "input" in ex:
                    target_unit = self.products[ex["input"]][1]["unit"]
                    A[col[ex["input"]], j] -= amount * unit_factor(ex["unit"], target_unit)
                else:
                    flow = ex["flow"]
                    if flow not in flows:
                        flows.append(flow)
                    entries.append((flow, j, amount * unit_factor(ex["unit"], self.flows[flow]["unit"])))
        B = np.zeros((len(flows), len(products)))
        for flow, j, value in entries:
            B[flows.index(flow), j] += value
        return products, flows, A, B


def read_method(path: Path) -> dict[str, float]:
    """``{flow id: characterisation factor}`` of a method file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    return {f["flow"]: float(f["value"]) for f in data["factors"]}
