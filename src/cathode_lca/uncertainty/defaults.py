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
>>> round(sigma(q, "demand", "ecoinvent-v2"), 5)  # basic 1.05; scores 2: 1.05, 1.02, 1.03, 1.01, 1.05
0.04611
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..inventory.formulas import Formula

# the scores moved to quality.scores (below passport and uncertainty); re-exported for existing callers
if TYPE_CHECKING:
    from ..lca import LCAModel

from ..quality.scores import PEDIGREE_KEYS, Family, QualityConfig, load_quality, quality_of  # noqa: F401

SCHEMES = ("ciroth2016", "ecoinvent-v2")
DEFAULT_SCHEME = "ciroth2016"
NUMERIC_KINDS = ("value", "fraction")  # "fraction": in case bounds reuse ``kind`` on the resolved parameter


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
    """Basic-uncertainty row of an amount in *unit*: ``transport`` for an amount *of* transport service.

    Only the numerator counts: ``t*km`` and ``t*km/kg`` are transport services (ecoinvent v2 basic
    factor 2.0), while ``MJ/(t*km)`` is energy per unit of transport, an input like any other (1.05).

    >>> basic_type_of_unit("t*km/kg"), basic_type_of_unit("MJ/(t*km)")
    ('transport', 'demand')
    """
    numerator = unit.replace(" ", "").lower().split("/")[0]
    return "transport" if ("t*km" in numerator or "tkm" in numerator or "ton*mi" in numerator) else "demand"


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
        dist.update(minimum=lo, maximum=hi)  # one-sided bound: the lognormal is truncated there (streams.ppf)
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


def describe_input(inventory: Any, key: str) -> str:
    """What a drawn input is, for people: a parameter's own name, or an exchange's flow or input.

    ``<dataset>/exchanges[<i>]`` (:func:`exchange_key`) reads as ``<dataset>: <flow or product> (<unit>)``;
    any other key (a parameter) is returned as it is.

    Examples
    --------
    >>> describe_input(inventory, "nickel-sulfate-greet2022/exchanges[0]")   # doctest: +SKIP
    'nickel-sulfate-greet2022: co2-fossil-air (kg)'
    """
    dataset_id, sep, rest = key.partition("/exchanges[")
    if not sep or not rest.endswith("]") or not rest[:-1].isdigit() or dataset_id not in inventory.datasets:
        return key
    exchanges = inventory.datasets[dataset_id].exchanges
    index = int(rest[:-1])
    if index >= len(exchanges):
        return key
    ex = exchanges[index]
    return f"{dataset_id}: {ex.target} ({ex.unit})"


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
        _draw_totals_as_parts(params, out)
    return out


#: A total whose named part is also a parameter of the same scope: ``total = part + rest``, with the
#: rest (e.g. non-fossil energy = total - fossil) never negative.
TOTAL_PARTS = {"greet_total_energy": "greet_fossil_energy"}


def _draw_totals_as_parts(params: Mapping[str, Any], out: dict[str, dict[str, Any]]) -> None:
    """Turn the default distribution of each total of :data:`TOTAL_PARTS` into ``part + rest``.

    Drawn independently, total and fossil energy can cross (non-fossil = total - fossil < 0 in a
    sizeable share of draws). Instead the total is the sum of the part's own draws (same stream) and
    a lognormal rest around ``total - part`` with the total's σ: the rest is never negative, the
    medians stay ``part`` and ``total - part``. Only defaults are rewritten; a declared distribution
    on either parameter is kept as it is.
    """
    by_scope = {(p.scope, p.name): k for k, p in params.items() if p.name in TOTAL_PARTS.values()}
    for key, dist in list(out.items()):
        total = params[key]
        part_key = by_scope.get((total.scope, TOTAL_PARTS.get(total.name, "")))
        if part_key is None or dist.get("origin") != "default" or dist.get("type") != "lognormal":
            continue
        part = out.get(part_key)
        rest = float(total.value or 0.0) - float(params[part_key].value or 0.0)
        if part is None or part.get("origin") != "default" or part.get("type") != "lognormal" or rest <= 0:
            continue
        out[key] = {
            "type": "sum",
            "parts": [
                {**part, "stream": part_key},
                {"type": "lognormal", "loc": math.log(rest), "scale": dist["scale"], "stream": f"{key}#rest"},
            ],
            "origin": "default",
            "family": dist["family"],
            "quality": dist["quality"],
            "gsd": dist["gsd"],
            "note": f"drawn as {params[part_key].name} + a non-negative rest (median {rest:.6g}), see TOTAL_PARTS",
        }


def is_exact(param: Any, config: QualityConfig | None = None) -> bool:
    """An exact constant (declared ``exact: true`` or of an exact source family): never varied."""
    if getattr(param, "exact", False):
        return True
    return (config or load_quality()).family(param.source, param.name).exact and not getattr(param, "quality", None)
