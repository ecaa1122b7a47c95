"""Default uncertainty: pedigree scores per source family and the distributions they imply.

Every number of the inventory that has no stated distribution gets one here:

* **unbounded numbers** (amounts, energy use, emission factors): a lognormal around the stated
  value (its median), with σ of ln x combining the basic uncertainty of its exchange type and the
  pedigree factors of its five scores, in the ecoinvent way::

      σ² = (ln f_b / 2)² + Σ_i (ln f_i / 2)²        GSD = exp(σ)

  with f_b and f_i the basic and pedigree factors in the GSD² convention (``inventories/quality.yaml``;
  Ciroth et al. 2016 by default, the original ecoinvent v2 factors with ``scheme="ecoinvent-v2"``);
* **bounded numbers** (``kind: fraction``, ``min``/``max``, and dimensionless numbers in (0, 1] that
  declare no bounds): a logit-normal on [min, max] with the value as median and the same σ on the
  logit scale, so draws never leave the bounds; a value on a bound is not varied;
* **exact constants** (``exact: true``, or a source family marked exact: molar masses, stoichiometry,
  unit conversions) and **choice parameters** (scenarios, not noise) are never varied.

Examples
--------
>>> q = {"reliability": 2, "completeness": 2, "temporal": 2, "geographical": 2, "technological": 2}
>>> round(sigma(q, "demand", "ecoinvent-v2"), 5)
0.04239
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InventoryError, UsageError
from ..inventory.formulas import Formula

if TYPE_CHECKING:
    from ..lca import LCAModel

PEDIGREE_KEYS = ("reliability", "completeness", "temporal", "geographical", "technological")
SCHEMES = ("ciroth2016", "ecoinvent-v2")
DEFAULT_SCHEME = "ciroth2016"
NUMERIC_KINDS = ("value", "fraction")  # "fraction": in case bounds reuse ``kind`` on the resolved parameter


@dataclass(frozen=True)
class Family:
    """A source family: which sources it covers and their default pedigree scores."""

    id: str
    description: str
    quality: dict[str, int]
    exact: bool = False
    sources: tuple[re.Pattern[str], ...] = ()
    names: tuple[re.Pattern[str], ...] = ()

    def matches(self, source: str | None, name: str | None) -> bool:
        return any(p.search(source or "") for p in self.sources) or any(p.search(name or "") for p in self.names)


@dataclass(frozen=True)
class QualityConfig:
    """The content of ``inventories/quality.yaml``."""

    families: tuple[Family, ...]
    basic: dict[str, float]
    factors: dict[str, dict[str, tuple[float, ...]]] = field(default_factory=dict)

    def family(self, source: str | None, name: str | None = None) -> Family:
        """First family whose patterns match *source* (or the parameter *name*)."""
        for fam in self.families:
            if fam.matches(source, name):
                return fam
        return self.families[-1]

    def family_by_id(self, family_id: str) -> Family:
        return next(f for f in self.families if f.id == family_id)


def _fail(path: Path, message: str) -> InventoryError:
    return InventoryError(message, file=str(path), hint="see docs/data/quality.md for the format")


@lru_cache(maxsize=8)
def load_quality(path: str | None = None) -> QualityConfig:
    """Read the quality defaults (default: the shipped ``inventories/quality.yaml``)."""
    from .._yaml import load_yaml_text
    from ..resources import inventories_dir

    file = Path(path) if path else inventories_dir() / "quality.yaml"
    data = load_yaml_text(file.read_text(encoding="utf-8"), str(file))
    if not isinstance(data, dict) or data.get("format") != "cathode-lca-quality/1":
        raise _fail(file, "not a quality file (format: cathode-lca-quality/1)")
    families = []
    for raw in data.get("families", []):
        scores = dict(raw.get("quality", {}))
        if set(scores) != set(PEDIGREE_KEYS) or not all(isinstance(v, int) and 1 <= v <= 5 for v in scores.values()):
            raise _fail(file, f"family '{raw.get('id')}': quality needs the five pedigree scores, integers 1-5")
        families.append(
            Family(
                id=str(raw["id"]),
                description=str(raw.get("description", "")),
                quality=scores,
                exact=bool(raw.get("exact", False)),
                sources=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("sources", [])),
                names=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("names", [])),
            )
        )
    if not families:
        raise _fail(file, "no families")
    basic = {str(k): float(v["factor"]) for k, v in data.get("basic_uncertainty", {}).items()}
    factors: dict[str, dict[str, tuple[float, ...]]] = {}
    for scheme, table in data.get("pedigree_factors", {}).items():
        factors[str(scheme)] = {k: tuple(float(x) for x in table[k]) for k in PEDIGREE_KEYS}
        if any(len(v) != 5 or min(v) < 1 for v in factors[str(scheme)].values()):
            raise _fail(file, f"pedigree factors '{scheme}': five factors >= 1 per indicator")
    return QualityConfig(tuple(families), basic, factors)


def sigma(
    quality: dict[str, int], basic_type: str, scheme: str = DEFAULT_SCHEME, config: QualityConfig | None = None
) -> float:
    """σ of ln x: ``sqrt((ln f_b / 2)² + Σ (ln f_i / 2)²)`` (GSD² convention factors)."""
    config = config or load_quality()
    if scheme not in config.factors:
        raise UsageError(f"unknown pedigree scheme '{scheme}'", hint="use " + " or ".join(config.factors))
    table = config.factors[scheme]
    variance = (math.log(config.basic[basic_type]) / 2) ** 2
    for key in PEDIGREE_KEYS:
        variance += (math.log(table[key][int(quality[key]) - 1]) / 2) ** 2
    return math.sqrt(variance)


def quality_of(obj: Any, name: str | None = None, config: QualityConfig | None = None) -> tuple[dict[str, int], Family]:
    """Pedigree scores of a parameter, exchange or product: explicit, or its source family's default."""
    config = config or load_quality()
    fam = config.family(getattr(obj, "source", None), name)
    explicit = getattr(obj, "quality", None)
    return (dict(explicit) if explicit else dict(fam.quality)), fam


def bounds_of(param: Any) -> tuple[float | None, float | None]:
    """Declared bounds (contract: ``min``/``max``/``kind: fraction``), or [0, 1] for a dimensionless
    number in (0, 1] that declares none (shares, yields, recoveries)."""
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if getattr(param, "kind", None) == "fraction" or getattr(param, "bound_kind", None) == "fraction":
        lo = 0.0 if lo is None else lo
        hi = 1.0 if hi is None else hi
    value = getattr(param, "value", None)
    if lo is None and hi is None and param.unit in ("dimensionless", "", "1") and value is not None and 0 < value <= 1:
        return 0.0, 1.0
    return lo, hi


def basic_type_of_unit(unit: str) -> str:
    compact = unit.replace(" ", "").lower()
    return "transport" if ("t*km" in compact or "tkm" in compact or "ton*mi" in compact) else "demand"


def default_parameter_distribution(
    param: Any, scheme: str = DEFAULT_SCHEME, config: QualityConfig | None = None
) -> dict[str, Any] | None:
    """Default distribution of a numeric parameter, or ``None`` when it is not varied."""
    if param.kind not in NUMERIC_KINDS or param.value is None or param.value == 0 or getattr(param, "exact", False):
        return None
    scores, fam = quality_of(param, param.name, config)
    if fam.exact and not getattr(param, "quality", None):
        return None
    s = sigma(scores, basic_type_of_unit(param.unit), scheme, config)
    value = float(param.value)
    lo, hi = bounds_of(param)
    info = {"origin": "default", "family": fam.id, "quality": scores, "gsd": math.exp(s)}
    if lo is not None and hi is not None:
        if not lo < value < hi:
            return None  # on a bound: the default cannot be centred there; declare a distribution instead
        z = (value - lo) / (hi - lo)
        return {"type": "logitnormal", "loc": math.log(z / (1 - z)), "scale": s, "minimum": lo, "maximum": hi, **info}
    dist: dict[str, Any] = {"type": "lognormal", "loc": math.log(abs(value)), "scale": s, "negative": value < 0}
    if lo is not None or hi is not None:
        if (lo is not None and value <= lo) or (hi is not None and value >= hi):
            return None
        dist.update(minimum=lo, maximum=hi)  # one-sided bound: the lognormal is clipped there
    return {**dist, **info}


def exchange_basic_type(exchange: Any, inventory: Any) -> str:
    """Basic-uncertainty row of an exchange (ecoinvent v2 table), from its kind, unit and flow."""
    if exchange.kind == "input":
        return basic_type_of_unit(exchange.unit)
    flow = inventory.flows.get(exchange.target)
    fid = exchange.target.lower()
    compartment = (getattr(flow, "compartment", "") or "").lower()
    if compartment == "air":
        if fid.startswith("co2") or "co2eq" in fid:
            return "air-co2"
        if fid.startswith("so2"):
            return "air-so2"
        if fid.startswith(("ch4", "n2o", "nox")):
            return "air-ch4-n2o-nox"
        return "air-other"
    if compartment == "water":
        return "water-emission"
    return "resource"  # resources, primary energy, water use, element losses


def exchange_key(dataset_id: str, index: int) -> str:
    """Name of an exchange's draws (and of its slot in the engine): ``<dataset>/exchanges[<i>]``."""
    return f"{dataset_id}/exchanges[{index}]"


def default_exchange_distributions(
    inventory: Any, scheme: str = DEFAULT_SCHEME, config: QualityConfig | None = None, datasets: Any = None
) -> dict[str, dict[str, Any]]:
    """Lognormal defaults for every non-zero constant exchange amount (formulas are varied through their
    parameters), keyed by :func:`exchange_key`; restricted to *datasets* when given."""
    config = config or load_quality()
    out: dict[str, dict[str, Any]] = {}
    for ds_id in datasets if datasets is not None else inventory.datasets:
        ds = inventory.datasets[ds_id]
        for i, ex in enumerate(ds.exchanges):
            if isinstance(ex.amount, Formula) or ex.amount == 0:
                continue
            scores, fam = quality_of(ex, None, config)
            if fam.exact and not getattr(ex, "quality", None):
                continue
            s = sigma(scores, exchange_basic_type(ex, inventory), scheme, config)
            out[exchange_key(ds.id, i)] = {
                "type": "lognormal",
                "loc": math.log(abs(float(ex.amount))),
                "scale": s,
                "negative": float(ex.amount) < 0,
                "origin": "default",
                "family": fam.id,
                "quality": scores,
                "gsd": math.exp(s),
                "target": ex.target,
            }
    return out


def parameter_distributions(
    model: LCAModel,
    keys: Any = None,
    *,
    defaults: bool = True,
    scheme: str = DEFAULT_SCHEME,
    config: QualityConfig | None = None,
) -> dict[str, dict[str, Any]]:
    """Distribution of every varied parameter: the declared one, else (with *defaults*) the default.

    *keys* restricts the search (e.g. to the parameters a comparison depends on); declared
    distributions are always included.
    """
    params = model.parameters.parameters
    out = {k: dict(p.distribution) for k, p in params.items() if p.distribution is not None}
    if defaults:
        for key in keys if keys is not None else params:
            if key in out:
                continue
            dist = default_parameter_distribution(params[key], scheme, config)
            if dist is not None:
                out[key] = dist
    return out


def is_exact(param: Any, config: QualityConfig | None = None) -> bool:
    """An exact constant (declared ``exact: true`` or of an exact source family): never varied."""
    if getattr(param, "exact", False):
        return True
    return (config or load_quality()).family(param.source, param.name).exact and not getattr(param, "quality", None)
