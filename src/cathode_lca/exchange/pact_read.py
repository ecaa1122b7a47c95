"""Read and check a supplier's PACT product footprint into a :class:`SupplierFootprint`.

A file (:func:`read_footprint`: a regular JSON file of at most :data:`MAX_BYTES`, no duplicate
key, no NaN or Infinity) or an already parsed object (:func:`parse_footprint`) is checked against
the PACT 2.3 ProductFootprint: mandatory properties, an Active status, a 2.x version, a known
declared unit, decimal strings, AR5 or AR6 factors, a primary data share and data quality
indicators in range, ``dqi`` present from 2025 on (:mod:`.pact_checks`). The GHG value is per
declared unit, or per kg of product where the footprint states its mass per declared unit.
Every error names the file and the field. :func:`cathode_lca.exchange.pact.stand_in` puts the
result in place of a dataset.

Examples
--------
>>> fp = parse_footprint({"id": "f1", "specVersion": "2.3.0", "companyName": "ACME",
...     "productNameCompany": "nickel sulfate", "pcf": {"declaredUnit": "kilogram",
...     "unitaryProductAmount": "1", "pCfExcludingBiogenic": "2.5",
...     "ipccCharacterizationFactorsSources": ["AR6"],
...     "referencePeriodStart": "2023-01-01T00:00:00Z", "referencePeriodEnd": "2024-01-01T00:00:00Z"}},
...     "supplier.json")
>>> fp.gwp, fp.unit, fp.valid_until
(2.5, 'kg', '2027-01-01')
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .pact_checks import check_supplier_dqi
from .pact_model import DECLARED_UNITS, MASS_NOT_RELEVANT, SPEC_VERSION, parse_utc

if TYPE_CHECKING:
    from ..parameters.scenarios import DatasetStandIn

__all__ = ["MAX_BYTES", "SupplierFootprint", "parse_footprint", "read_footprint", "read_footprint_for"]

_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$", re.ASCII)  # ASCII: float() also reads other scripts' digits
MAX_BYTES = 16 * 2**20  # a footprint is a few kB; refuse anything that could exhaust memory


@dataclass(frozen=True)
class SupplierFootprint:
    """What a PACT footprint says, in the package's terms (kg CO2-eq per *unit*)."""

    path: str
    sha256: str
    id: str
    company: str
    product: str
    gwp: float  # kg CO2-eq per `unit`
    unit: str  # pint unit of the declared unit (per product mass when the PCF gives it)
    primary_data_share: float | None
    dqi: dict[str, float] = field(default_factory=dict)
    spec_version: str = ""
    characterization: tuple[str, ...] = ("AR6",)  # IPCC reports of the footprint's GWP100 factors
    valid_until: str = ""  # end of the validity period (ISO date); every parsed footprint has one

    def summary(self, dataset: str) -> dict[str, Any]:
        """The provenance recorded in result metadata."""
        return {
            "dataset": dataset,
            "file": self.path,
            "sha256": self.sha256,
            "pcf_id": self.id,
            "company": self.company,
            "product": self.product,
            "gwp100_per_unit": self.gwp,
            "unit": self.unit,
            "primaryDataShare": self.primary_data_share,
            "dqi_pact_scale_1_to_3": self.dqi or None,
            "spec_version": self.spec_version,
            "ipcc_characterization": list(self.characterization),
        }


def _fail(path: str, field_name: str, message: str, hint: str) -> UsageError:
    return UsageError(f"{path}: field '{field_name}': {message}", hint=hint)


def _decimal(pcf: Mapping[str, Any], name: str, path: str, *, positive: bool = False) -> float:
    raw = pcf.get(name)
    if not isinstance(raw, str) or not _DECIMAL.fullmatch(raw.strip()):
        raise _fail(f"{path}", f"pcf.{name}", f"must be a decimal string, got {raw!r:.60}", 'write e.g. "1.25"')
    value = float(raw)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise _fail(path, f"pcf.{name}", f"impossible value {raw:.60}", "a footprint is finite and not negative")
    return value


def parse_footprint(data: Any, path: str, sha256: str = "") -> SupplierFootprint:
    """Check a PACT ``ProductFootprint`` (a dict, or an API response ``{"data": ...}`` holding one) and read it."""
    if isinstance(data, Mapping) and "pcf" not in data and isinstance(data.get("data"), list):
        listed = data["data"]  # a PACT API ListFootprints response
        if len(listed) != 1:
            raise UsageError(
                f"{path}: the PACT response holds {len(listed)} footprints",
                hint="save the one footprint this dataset stands for in its own file",
            )
        data = listed[0]
    if isinstance(data, Mapping) and "pcf" not in data and isinstance(data.get("data"), Mapping):
        data = data["data"]
    if not isinstance(data, Mapping):
        raise UsageError(f"{path}: not a PACT ProductFootprint (a JSON object)", hint="export it from PACT software")
    for name in ("id", "specVersion", "companyName", "productNameCompany", "pcf"):
        if name not in data:
            raise _fail(path, name, "missing", "a PACT ProductFootprint has it; re-export the file")
    for name in ("companyName", "productNameCompany"):
        if not isinstance(data[name], str) or not data[name].strip():
            raise _fail(path, name, f"must be a non-empty text, got {data[name]!r:.60}", "re-export the file")
    if data.get("status", "Active") != "Active":
        raise _fail(
            path,
            "status",
            f"{data.get('status')!r:.40}: not an active footprint",
            "ask the supplier for its Active one",
        )
    spec = str(data["specVersion"])
    if not re.fullmatch(r"2\.\d+\.\d+(-\d{8})?", spec):
        raise _fail(path, "specVersion", f"version {spec} is not read", f"export with PACT {SPEC_VERSION[:3]}.x")
    pcf = data["pcf"]
    if not isinstance(pcf, Mapping):
        raise _fail(path, "pcf", "must be an object", "see the PACT CarbonFootprint data type")
    unit_name = pcf.get("declaredUnit")
    if not isinstance(unit_name, str) or unit_name not in DECLARED_UNITS:
        raise _fail(path, "pcf.declaredUnit", f"unknown unit {unit_name!r}", "one of: " + ", ".join(DECLARED_UNITS))
    _decimal(pcf, "unitaryProductAmount", path, positive=True)  # checked; the value is per declared unit
    gwp = _decimal(pcf, "pCfExcludingBiogenic", path)
    factors = pcf.get("ipccCharacterizationFactorsSources") or [pcf.get("characterizationFactors")]
    if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
        raise _fail(path, "pcf.ipccCharacterizationFactorsSources", f"{factors!r}", 'a list such as ["AR6"]')
    if "AR6" not in factors and "AR5" not in factors:
        raise _fail(path, "pcf.ipccCharacterizationFactorsSources", f"{factors!r}", "an AR5 or AR6 footprint")
    unit = DECLARED_UNITS[str(unit_name)]
    if unit != "kg" and pcf.get("productMassPerDeclaredUnit") is not None:
        # PACT 2.3: 0 when the mass is not relevant (energy, logistics): the footprint stays per kWh, MJ, t*km
        massless = unit in MASS_NOT_RELEVANT
        mass = _decimal(pcf, "productMassPerDeclaredUnit", path, positive=not massless)
        if mass > 0:
            gwp, unit = gwp / mass, "kg"  # per kg of product, as the PCF states its mass per unit
    share = pcf.get("primaryDataShare")
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100):
        raise _fail(path, "pcf.primaryDataShare", f"{share!r} is not a percentage", "a number from 0 to 100")
    dqi_raw = pcf.get("dqi") or {}
    if not isinstance(dqi_raw, Mapping):
        raise _fail(
            path, "pcf.dqi", f"must be an object, got {dqi_raw!r:.60}", "see the PACT DataQualityIndicators type"
        )
    dqi = {str(k): _dqi_value(path, str(k), v) for k, v in dqi_raw.items()}
    period_end = _reference_period_end(pcf, path)
    check_supplier_dqi(pcf, path, period_end)  # mandatory for reference periods from 2025 on
    return SupplierFootprint(
        path=path,
        sha256=sha256,
        id=str(data["id"]),
        company=str(data["companyName"]),
        product=str(data["productNameCompany"]),
        gwp=gwp,
        unit=unit,
        primary_data_share=None if share is None else float(share),
        dqi=dqi,
        spec_version=spec,
        characterization=tuple(factors),
        valid_until=_valid_until(data, period_end, path),
    )


def _reference_period_end(pcf: Mapping[str, Any], path: str) -> datetime:
    """The (exclusive) ``referencePeriodEnd`` in UTC, after checking ``referencePeriodStart`` too: both are
    mandatory PACT DateTimes, the end after the start. Without them neither the footprint's validity nor
    whether it needs ``dqi`` can be judged."""
    times = {}
    for name in ("referencePeriodStart", "referencePeriodEnd"):
        raw = pcf.get(name)
        if raw is None:
            raise _fail(path, f"pcf.{name}", "missing", "a PACT CarbonFootprint has it; ask the supplier to re-export")
        try:
            if not isinstance(raw, str):
                raise UsageError("not a text")
            times[name] = parse_utc(raw)
        except UsageError:
            raise _fail(
                path, f"pcf.{name}", f"{raw!r:.40} is not an ISO 8601 time", "e.g. 2024-01-01T00:00:00Z"
            ) from None
    if times["referencePeriodEnd"] <= times["referencePeriodStart"]:
        raise _fail(
            path,
            "pcf.referencePeriodEnd",
            f"{pcf['referencePeriodEnd']!s:.40} is not after referencePeriodStart {pcf['referencePeriodStart']!s:.40}",
            "the end is exclusive and comes after the start: a calendar year 2023 is 2023-01-01 to 2024-01-01",
        )
    return times["referencePeriodEnd"]


def _valid_until(data: Mapping[str, Any], when: datetime, path: str) -> str:
    """The end of a footprint's validity: ``validityPeriodEnd``, else 3 years after ``referencePeriodEnd`` (PACT)."""
    stated = data.get("validityPeriodEnd")
    if stated is not None:
        if not isinstance(stated, str):
            raise _fail(path, "validityPeriodEnd", f"must be a time, got {stated!r:.40}", "e.g. 2027-01-01T00:00:00Z")
        try:
            return parse_utc(stated).date().isoformat()
        except UsageError:
            raise _fail(
                path, "validityPeriodEnd", f"{stated!r:.40} is not a time", "e.g. 2027-01-01T00:00:00Z"
            ) from None
    try:  # PACT's default: 3 years after the (exclusive) end of the reference period *when*
        return when.replace(year=when.year + 3).date().isoformat()
    except ValueError:  # 29 February, or beyond year 9999
        return when.replace(year=min(when.year + 3, 9999), day=28).date().isoformat()


def _dqi_value(path: str, key: str, v: Any) -> float:
    """A PACT data quality indicator: ``coveragePercent`` 0-100, each ``*DQR`` rating 1-3."""
    low, high = (0.0, 100.0) if key == "coveragePercent" else (1.0, 3.0)
    number = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise _fail(path, f"pcf.dqi.{key}", f"{v!r:.40} is not a number from {low:g} to {high:g}", "see PACT DQI")
    return number


def read_footprint(path: str | Path) -> SupplierFootprint:
    """Read and check the PACT footprint file *path* (JSON)."""
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # a FIFO blocks, a device (/dev/zero) never ends
            raise UsageError(f"{p}: not a regular file", hint="give the path of a PACT footprint JSON file")
        if p.stat().st_size > MAX_BYTES:
            raise UsageError(
                f"{p}: {p.stat().st_size} bytes is too large for a PACT footprint (limit {MAX_BYTES})",
                hint="give one ProductFootprint of a few kB, not a bulk export",
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read PACT file {p}: {exc.strerror}", hint="check the path") from None
    try:
        text = raw.decode("utf-8-sig")  # RFC 8259 lets a parser ignore a byte order mark
        data = json.loads(text, parse_constant=_refuse_constant(str(p)), object_pairs_hook=_no_duplicates(str(p)))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{p}: not valid JSON ({exc})", hint="a PACT footprint is a JSON file") from None
    except RecursionError:
        raise UsageError(
            f"{p}: JSON nested too deeply to be a footprint", hint="a PACT footprint is a JSON file"
        ) from None
    return parse_footprint(data, str(p), hashlib.sha256(raw).hexdigest())


def read_footprint_for(entry: DatasetStandIn) -> SupplierFootprint:
    """:func:`read_footprint` of a scenario's stand-in; an error names the scenario line and the dataset."""
    try:
        return read_footprint(entry.pact)
    except UsageError as exc:
        raise UsageError(
            f"{entry.where}: dataset '{entry.dataset}': PACT stand-in: {exc.message}",
            hint=(exc.hint or "") + " (a relative 'pact:' path is relative to the scenario file's folder)",
        ) from None


def _no_duplicates(path: str) -> Any:
    """A JSON object hook that refuses a key given twice (json keeps the last one silently)."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise UsageError(
                    f"{path}: duplicate key '{key}' in one JSON object (values {out[key]!r:.40} and {value!r:.40})",
                    hint="keep one; a reader would otherwise silently use one of them",
                )
            out[key] = value
        return out

    return hook


def _refuse_constant(path: str) -> Any:
    def refuse(name: str) -> float:
        raise UsageError(f"{path}: non-finite number {name}", hint="PACT numbers are finite decimals")

    return refuse
