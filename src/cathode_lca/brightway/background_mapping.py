"""The background mapping file: our background datasets and flows -> a user's Brightway database.

One job: read and check the YAML (see ``docs/brightway.md``), without touching any database.
Selectors find user activities (``code``, or ``name`` + ``location`` [+ ``reference product``],
optionally checked against ``unit``) and user biosphere flows (``name`` + ``categories`` prefix,
or ``code``). ``fallback:`` names datasets (or ``fnmatch`` patterns) that deliberately keep
cathode-lca's data, each with its ``reason:``.

Examples
--------
>>> links = load_mapping("ecoinvent-3.10-cutoff")
>>> links.datasets["sulfuric-acid-greet2022"].location
'RoW'
>>> len(links.sha256)
64
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InventoryError, UsageError

MAPPING_FORMAT = "cathode-lca-background-mapping/1"
SHIPPED_MAPPINGS = ("ecoinvent-3.10-cutoff", "ecoinvent-3.11-cutoff")

# Unit spellings that name the same unit: ecoSpold (ecoinvent) -> Brightway (bw2io-normalised).
UNIT_ALIASES = {
    "kg": "kilogram",
    "g": "gram",
    "t": "ton",
    "metric ton": "ton",
    "tonne": "ton",
    "kWh": "kilowatt hour",
    "MWh": "megawatt hour",
    "MJ": "megajoule",
    "kJ": "kilojoule",
    "GJ": "gigajoule",
    "m3": "cubic meter",
    "cubic metre": "cubic meter",
    "Sm3": "standard cubic meter",
    "l": "litre",
    "L": "litre",
    "liter": "litre",
    "metric ton*km": "ton kilometer",
    "tkm": "ton kilometer",
    "t*km": "ton kilometer",
    "tonne kilometer": "ton kilometer",
    "km": "kilometer",
    "m": "meter",
    "m2": "square meter",
    "h": "hour",
}


def same_unit(a: str, b: str) -> bool:
    """Whether two unit names (ecoSpold or Brightway spelling) name the same unit.

    >>> same_unit("metric ton*km", "ton kilometer"), same_unit("kg", "megajoule")
    (True, False)
    """
    return UNIT_ALIASES.get(a, a) == UNIT_ALIASES.get(b, b)


@dataclass(frozen=True)
class ActivitySelector:
    """How one of our datasets is found in the user's database."""

    dataset: str
    code: str | None
    name: str | None
    location: str | None
    reference_product: str | None
    convert: float | None  # user activity units per unit of our product (default: from the units)
    line: int
    unit: str | None = None  # the user activity's unit, checked when the database is read

    def describe(self) -> str:
        if self.code:
            return f"code '{self.code}'"
        text = f"'{self.name}' in '{self.location}'"
        return text + (f" (reference product '{self.reference_product}')" if self.reference_product else "")


@dataclass(frozen=True)
class FlowSelector:
    """User biosphere flows that count as one of our flows (or are deliberately ignored)."""

    flow: str | None  # our flow id; None for 'ignore'
    name: str | None
    categories: tuple[str, ...] | None
    code: str | None
    database: str | None
    factor: float
    convert: float | None
    line: int
    reason: str | None = None
    unit: str | None = None  # the user flow's unit that 'convert' is per (checked)
    exact: bool = False  # categories must be equal, not only a prefix

    def matches(self, node: Mapping[str, Any]) -> bool:
        if self.database is not None and node["database"] != self.database:
            return False
        if self.code is not None:
            return bool(node["code"] == self.code)
        if node["name"] != self.name:
            return False
        if self.categories is None:
            return True
        categories = tuple(node.get("categories") or ())
        if self.exact:
            return categories == self.categories
        return categories[: len(self.categories)] == self.categories

    def describe(self) -> str:
        if self.code:
            return f"code '{self.code}'"
        cats = "/".join(self.categories) if self.categories else "any"
        return f"'{self.name}' ({cats})"


@dataclass
class BackgroundMapping:
    """A loaded mapping file."""

    path: str
    datasets: dict[str, ActivitySelector]
    flows: list[FlowSelector]
    ignore: list[FlowSelector]
    description: str = ""
    source: str = ""
    raw_bytes: bytes = b""
    fallback: dict[str, FallbackEntry] = field(default_factory=dict)  # dataset id or pattern -> reason

    @property
    def sha256(self) -> str:
        """SHA-256 of the mapping file's bytes (recorded in every result's background provenance)."""
        return hashlib.sha256(self.raw_bytes).hexdigest()

    @property
    def name(self) -> str:
        """The shipped name (``ecoinvent-3.10-cutoff``) or the file name."""
        return Path(self.path).name.removesuffix(".yaml").removesuffix(".yml")

    def fallback_reason(self, dataset_id: str) -> str | None:
        """The reason why *dataset_id* deliberately keeps cathode-lca's data, or None."""
        entry = self.fallback.get(dataset_id)
        if entry is None:
            entry = next((e for p, e in self.fallback.items() if fnmatch.fnmatchcase(dataset_id, p)), None)
        return None if entry is None else entry.reason


@dataclass(frozen=True)
class FallbackEntry:
    """A dataset (or ``fnmatch`` pattern of datasets) that keeps cathode-lca's data on purpose."""

    pattern: str
    reason: str
    line: int


def shipped_mapping(name: str = "ecoinvent-3.10-cutoff") -> Path:
    """Path of a mapping file shipped with cathode-lca."""
    path = Path(__file__).parent / "mappings" / f"{name}.yaml"
    if not path.is_file():
        raise UsageError(f"no shipped mapping '{name}'", hint="shipped: " + ", ".join(SHIPPED_MAPPINGS))
    return path


def load_mapping(path: str | Path) -> BackgroundMapping:
    """Read and check a mapping file (structure only; the database is checked when it is used).

    A name of a shipped mapping (``ecoinvent-3.10-cutoff``) may be given instead of a path.
    """
    from .._yaml import LineDict, load_yaml_text

    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(
            f"mapping must be the path or shipped name of a mapping file, got {path!r:.60} ({type(path).__name__})",
            hint="e.g. 'my-mapping.yaml', or a shipped one: " + ", ".join(SHIPPED_MAPPINGS),
        )
    file = Path(path)
    if not file.is_file() and str(path) in SHIPPED_MAPPINGS:
        file = shipped_mapping(str(path))
    if not file.is_file():
        raise UsageError(f"mapping file '{path}' not found", hint="give the path of a mapping YAML file")
    raw = file.read_bytes()
    name = str(file)

    def fail(message: str, line: int | None, field_: str | None = None, hint: str | None = None) -> InventoryError:
        return InventoryError(message, file=name, line=line, field=field_, hint=hint or "see docs/brightway.md")

    try:
        data = load_yaml_text(raw.decode("utf-8"), name)
    except UnicodeDecodeError:
        raise fail("file is not UTF-8 text", None) from None
    if not isinstance(data, LineDict):
        raise fail("top level must be a mapping", 1)
    unknown = set(data) - {"format", "description", "source", "datasets", "flows", "ignore", "fallback"}
    if unknown:
        key = sorted(unknown)[0]
        raise fail(f"unknown key '{key}'", data.line_of(key), key)
    if data.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        raise fail(
            f"unsupported format '{data.get('format')}'", data.line_of("format"), "format", f"use {MAPPING_FORMAT}"
        )
    datasets: dict[str, ActivitySelector] = {}
    raw_datasets = data.get("datasets") or LineDict()
    if not isinstance(raw_datasets, dict):
        raise fail("'datasets' must map dataset ids to activities", data.line_of("datasets"), "datasets")
    for dataset_id, spec in raw_datasets.items():
        line = raw_datasets.line_of(dataset_id) if isinstance(raw_datasets, LineDict) else None
        datasets[str(dataset_id)] = _activity_selector(str(dataset_id), spec, line, fail)
    flows: list[FlowSelector] = []
    raw_flows = data.get("flows") or LineDict()
    if not isinstance(raw_flows, dict):
        raise fail("'flows' must map our flow ids to lists of user flows", data.line_of("flows"), "flows")
    for flow_id, specs in raw_flows.items():
        line = raw_flows.line_of(flow_id) if isinstance(raw_flows, LineDict) else None
        if isinstance(specs, dict):
            specs = [specs]
        if not isinstance(specs, list) or not specs:
            raise fail(f"flow '{flow_id}' needs a list of user flows", line, f"flows.{flow_id}")
        for spec in specs:
            flows.append(_flow_selector(str(flow_id), spec, getattr(spec, "line", line), fail))
    ignore = [
        _flow_selector(None, spec, getattr(spec, "line", data.line_of("ignore")), fail)
        for spec in data.get("ignore") or []
    ]
    for selector in ignore:  # an ignored flow leaves the results: say why, as a fallback must
        if not isinstance(selector.reason, str) or not selector.reason.strip():
            raise fail(
                f"ignored flow '{selector.name}' needs a 'reason:' text",
                selector.line or data.line_of("ignore"),
                "ignore",
                'say why the flow may be left out, e.g. reason: "sea water is not freshwater"',
            )
    if not datasets and not flows:
        raise fail(
            "the mapping maps no dataset and no flow",
            data.line_of("datasets") or 1,
            "datasets",
            "map at least one of our datasets to an activity (datasets:) or one of our flows (flows:)",
        )
    fallback: dict[str, FallbackEntry] = {}
    raw_fallback = data.get("fallback") or LineDict()
    if not isinstance(raw_fallback, dict):
        raise fail("'fallback' must map dataset ids (or patterns) to {reason: ...}", data.line_of("fallback"))
    for pattern, spec in raw_fallback.items():
        line = raw_fallback.line_of(pattern) if isinstance(raw_fallback, LineDict) else None
        reason = spec.get("reason") if isinstance(spec, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise fail(f"fallback '{pattern}' needs a 'reason:' text", line, f"fallback.{pattern}")
        if isinstance(spec, dict) and set(spec) - {"reason", "note"}:
            raise fail(f"unknown key '{sorted(set(spec) - {'reason', 'note'})[0]}'", line, f"fallback.{pattern}")
        if str(pattern) in datasets:
            raise fail(f"dataset '{pattern}' is both mapped and a fallback", line, f"fallback.{pattern}")
        fallback[str(pattern)] = FallbackEntry(str(pattern), reason.strip(), line or 0)
    return BackgroundMapping(
        fallback=fallback,
        path=name,
        datasets=datasets,
        flows=flows,
        ignore=ignore,
        description=str(data.get("description") or ""),
        source=str(data.get("source") or ""),
        raw_bytes=raw,
    )


def _number(value: Any, what: str, line: int | None, fail: Any, *, positive: bool = False) -> float | None:
    """A finite non-zero number; *positive*: above 0 too (a unit conversion; a flow's factor may be -1)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(f"'{what}' must be a number", line, what)
    if not np.isfinite(value) or value == 0:
        raise fail(f"'{what}' must be finite and non-zero", line, what)
    if positive and value < 0:
        raise fail(
            f"'{what}' must be a positive number (a unit conversion), got {value}",
            line,
            what,
            "a unit conversion has no sign; to count a flow negative, give it 'factor: -1'",
        )
    return float(value)


def _activity_selector(dataset_id: str, spec: Any, line: int | None, fail: Any) -> ActivitySelector:
    if not isinstance(spec, dict):
        raise fail(f"dataset '{dataset_id}' must map to {{code: ...}} or {{name, location, ...}}", line, dataset_id)
    allowed = {"code", "name", "location", "reference product", "unit", "convert", "note"}
    unknown = set(spec) - allowed
    if unknown:
        raise fail(
            f"unknown key '{sorted(unknown)[0]}'", line, f"datasets.{dataset_id}", "use: " + ", ".join(sorted(allowed))
        )
    code = spec.get("code")
    if code is None and (not spec.get("name") or not spec.get("location")):
        raise fail(
            f"dataset '{dataset_id}' needs 'code', or 'name' and 'location'",
            line,
            f"datasets.{dataset_id}",
            "add 'location:' (and 'reference product:' when the name is not unique)",
        )
    return ActivitySelector(
        dataset=dataset_id,
        code=None if code is None else str(code),
        name=None if spec.get("name") is None else str(spec["name"]),
        location=None if spec.get("location") is None else str(spec["location"]),
        reference_product=None if spec.get("reference product") is None else str(spec["reference product"]),
        convert=_number(spec.get("convert"), f"datasets.{dataset_id}.convert", line, fail, positive=True),
        line=line or 0,
        unit=None if spec.get("unit") is None else str(spec["unit"]),
    )


def _flow_selector(flow_id: str | None, spec: Any, line: int | None, fail: Any) -> FlowSelector:
    where = f"flows.{flow_id}" if flow_id else "ignore"
    if not isinstance(spec, dict):
        raise fail("a user flow is {name: ..., categories: [...]} or {code: ...}", line, where)
    allowed = {"name", "categories", "code", "database", "factor", "convert", "unit", "exact", "note", "reason"}
    unknown = set(spec) - allowed
    if unknown:
        raise fail(f"unknown key '{sorted(unknown)[0]}'", line, where, "use: " + ", ".join(sorted(allowed)))
    if spec.get("code") is None and not spec.get("name"):
        raise fail("a user flow needs 'name' (with optional 'categories') or 'code'", line, where)
    categories = spec.get("categories")
    if categories is not None:
        if isinstance(categories, str):
            categories = [categories]
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise fail("'categories' must be a list of texts, e.g. [air]", line, where)
    factor = _number(spec.get("factor", 1.0), f"{where}.factor", line, fail)
    exact = spec.get("exact", False)
    if not isinstance(exact, bool):  # bool('no') is True
        raise fail(f"'exact' must be true or false, got {exact!r}", line, where, "write exact: true (or leave it out)")
    return FlowSelector(
        flow=flow_id,
        name=None if spec.get("name") is None else str(spec["name"]),
        categories=None if categories is None else tuple(categories),
        code=None if spec.get("code") is None else str(spec["code"]),
        database=None if spec.get("database") is None else str(spec["database"]),
        factor=factor if factor is not None else 1.0,
        convert=_number(spec.get("convert"), f"{where}.convert", line, fail, positive=True),
        line=line or 0,
        reason=spec.get("reason"),
        unit=None if spec.get("unit") is None else str(spec["unit"]),
        exact=exact,
    )
