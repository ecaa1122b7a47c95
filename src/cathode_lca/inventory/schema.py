"""Typed inventory model.

Raw YAML is first checked against the pydantic models ``*Spec`` (structure and types;
unknown keys are errors), then turned into the small frozen dataclasses below, which
carry file and line for every element so later checks can point at the source.

Examples
--------
>>> DatasetSpec.model_validate({"id": "a", "name": "A", "stage": "chemicals"}).unit
'kg'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import FormulaError
from .formulas import Formula

Number = float
Amount = float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DistributionSpec(_Strict):
    type: Literal["lognormal", "normal", "triangular", "uniform"] | None = None
    uncertainty_type: int | None = None  # stats_arrays id: 2 lognormal, 3 normal, 4 uniform, 5 triangular
    loc: float | None = None
    scale: float | None = None
    shape: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    gsd2: float | None = None
    source: str | None = None
    note: str | None = None


class QualitySpec(_Strict):
    """Pedigree scores (ecoinvent data-quality guideline), each 1 (best) to 5 (worst)."""

    reliability: int = Field(ge=1, le=5)
    completeness: int = Field(ge=1, le=5)
    temporal: int = Field(ge=1, le=5)
    geographical: int = Field(ge=1, le=5)
    technological: int = Field(ge=1, le=5)


class ParameterSpec(_Strict):
    value: float | None = None
    formula: Amount | None = None
    unit: str = "dimensionless"
    source: str | None = None
    note: str | None = None
    distribution: DistributionSpec | None = None
    scope: Literal["global", "file"] = "file"
    choices: list[str] | None = None
    default: str | None = None
    follows: str | None = None
    by: str | None = None
    values: dict[str, float] | None = None
    quality: QualitySpec | None = None
    min: float | None = None
    max: float | None = None
    kind: Literal["fraction"] | None = None
    exact: bool = False


class FlowSpec(_Strict):
    id: str = Field(min_length=1)
    name: str
    compartment: str
    unit: str
    elements: dict[str, float] = Field(default_factory=dict)
    note: str | None = None
    source: str | None = None


class ProductSpec(_Strict):
    id: str = Field(min_length=1)
    name: str | None = None
    amount: Amount = 1.0
    unit: str | None = None
    reference: bool = False
    properties: dict[str, Amount] = Field(default_factory=dict)
    substitutes: str | None = None
    source: str | None = None
    note: str | None = None
    basis: Literal["anhydrous", "monohydrate"] | None = None  # hydrate basis of a salt's per-kg amounts
    quality: QualitySpec | None = None


class ExchangeSpec(_Strict):
    input: str | None = None
    flow: str | None = None
    amount: Amount
    unit: str
    source: str | None = None
    note: str | None = None
    formula_note: str | None = None
    quality: QualitySpec | None = None


class DatasetSpec(_Strict):
    id: str = Field(min_length=1)
    name: str
    location: str = "GLO"
    stage: str
    unit: str = "kg"
    note: str | None = None
    source: str | None = None
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    products: list[ProductSpec] | None = None
    exchanges: list[ExchangeSpec] = Field(default_factory=list)
    element_balance: str | dict[str, Any] | None = None
    cut_off: Literal["waste-treatment"] | None = None


class OverridesSpec(_Strict):
    parameters: dict[str, float | ParameterSpec] = Field(default_factory=dict)
    datasets: list[dict[str, Any]] = Field(default_factory=list)


class FileSpec(_Strict):
    format: str | None = None
    description: str | None = None
    include: list[str] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=dict)
    flows: list[dict[str, Any]] = Field(default_factory=list)
    datasets: list[dict[str, Any]] = Field(default_factory=list)
    overrides: OverridesSpec | None = None


# ---------------------------------------------------------------------------
# Resolved model


@dataclass(frozen=True)
class Location:
    """Where something was defined."""

    file: str
    line: int


@dataclass(frozen=True)
class Parameter:
    """One parameter, addressed by its qualified ``key``."""

    key: str
    name: str
    scope: str  # "global" | "file:<file_id>" | "dataset:<dataset_id>"
    kind: Literal["value", "formula", "choice", "lookup"]
    where: Location
    unit: str = "dimensionless"
    value: float | None = None
    formula: Formula | None = None
    source: str | None = None
    note: str | None = None
    distribution: dict[str, Any] | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None
    follows: str | None = None  # a choice that takes the value of another choice unless it is set itself
    by: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    quality: dict[str, int] | None = None  # pedigree scores, when given explicitly
    min: float | None = None  # resolved bounds: ``kind: fraction`` gives min 0, max 1
    max: float | None = None
    fraction: bool = False  # declared ``kind: fraction`` (``kind`` above is the value kind)
    exact: bool = False  # an exact constant (molar mass, unit conversion): never varied
    bounds_where: Location | None = None  # where the bounds are declared

    @property
    def bounded(self) -> bool:
        return self.min is not None or self.max is not None


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    compartment: str
    unit: str
    elements: dict[str, float]
    where: Location
    note: str | None = None


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    amount: float | Formula
    unit: str
    reference: bool
    properties: dict[str, float | Formula]
    substitutes: str | None
    where: Location
    source: str | None = None
    basis: str | None = None  # salts: "anhydrous" or "monohydrate" (per kg of which form)
    quality: dict[str, int] | None = None


@dataclass(frozen=True)
class Exchange:
    kind: Literal["input", "flow"]
    target: str
    amount: float | Formula
    unit: str
    where: Location
    source: str | None = None
    quality: dict[str, int] | None = None


@dataclass(frozen=True)
class Dataset:
    id: str
    name: str
    location: str
    stage: str
    unit: str
    products: tuple[Product, ...]
    exchanges: tuple[Exchange, ...]
    file_id: str
    where: Location
    element_balance: str | None = None  # "check", or "skip: <reason>"
    cut_off: str | None = None
    note: str | None = None
    balance_tolerance: float | None = None  # relative; None: the default of engine.validate
    balance_tolerance_reason: str | None = None
    balance_known: dict[str, str] = field(default_factory=dict)  # element -> documented imbalance

    @property
    def reference_product(self) -> Product:
        return next(p for p in self.products if p.reference)


TEXT_PROPERTY_SUFFIXES = ("_source", "_note", "_unit")
ELEMENTS = ("Ni", "Co", "Li", "Mn")


@dataclass
class Inventory:
    """All parameters, flows and datasets of a set of loaded files."""

    parameters: dict[str, Parameter]
    flows: dict[str, Flow]
    datasets: dict[str, Dataset]
    products: dict[str, tuple[str, int]]  # product id -> (dataset id, index in dataset.products)
    files: dict[str, str]  # file id -> path
    content_hash: str
    file_scopes: dict[str, dict[str, str]] = field(default_factory=dict)  # file id -> name -> key

    def product(self, product_id: str) -> Product:
        dataset_id, index = self.products[product_id]
        return self.datasets[dataset_id].products[index]

    def producer(self, product_id: str) -> Dataset:
        return self.datasets[self.products[product_id][0]]

    def resolver(self, dataset: Dataset | None = None, file_id: str | None = None):
        """Return ``name -> key`` for formulas written in *dataset* (or in file *file_id*)."""
        file_id = dataset.file_id if dataset is not None else file_id
        file_scope = self.file_scopes.get(file_id or "", {})
        prefix = f"{dataset.id}::" if dataset is not None else None
        params = self.parameters

        def resolve(name: str) -> str:
            if prefix is not None and prefix + name in params:
                return prefix + name
            if name in file_scope:
                return file_scope[name]
            if name in params and params[name].scope == "global":
                return name
            raise FormulaError(
                f"unknown name '{name}'",
                hint="declare it as a parameter (dataset, file or global scope) or fix the spelling",
            )

        return resolve
