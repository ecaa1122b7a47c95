"""Checks of a supplier's PACT footprint that depend on its reference period.

PACT Technical Specifications 2.3 (WBCSD), CarbonFootprint.dqi: the data quality indicators are
mandatory once the reference period includes 1 January 2025 or lies later, and then every property
of DataQualityIndicators is mandatory too. :func:`check_supplier_dqi` refuses a supplier's file that
lacks them, as the reader refuses a file that lacks any other mandatory property.

Examples
--------
>>> pcf = {"referencePeriodStart": "2023-01-01T00:00:00Z", "referencePeriodEnd": "2024-01-01T00:00:00Z"}
>>> check_supplier_dqi(pcf, "supplier.json", datetime(2024, 1, 1, tzinfo=UTC))  # 2023: dqi optional
>>> try:
...     late = {**pcf, "referencePeriodEnd": "2025-06-01T00:00:00Z"}
...     check_supplier_dqi(late, "supplier.json", datetime(2025, 6, 1, tzinfo=UTC))
... except UsageError as refused:
...     print(refused.message)
supplier.json: field 'pcf.dqi': missing (PACT 2.3 requires it for a reference period that includes 1 January 2025 or later; this one ends 2025-06-01T00:00:00Z)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import UsageError

#: The first year whose reference periods must carry ``pcf.dqi`` (PACT Technical Specifications 2.3,
#: CarbonFootprint.dqi: mandatory (MUST) once the reference period includes the start of 2025 or lies
#: later; DataQualityIndicators: every one of its properties is then mandatory too).
DQI_REQUIRED_FROM = 2025
#: The properties of PACT 2.3 DataQualityIndicators (coverage in percent, five ratings from 1 to 3).
DQI_PROPERTIES = (
    "coveragePercent",
    "technologicalDQR",
    "temporalDQR",
    "geographicalDQR",
    "completenessDQR",
    "reliabilityDQR",
)
_DQI_FROM = datetime(DQI_REQUIRED_FROM, 1, 1, tzinfo=UTC)


def check_supplier_dqi(pcf: Mapping[str, Any], path: str, end: datetime) -> None:
    """Refuse a footprint *pcf* (read from *path*) whose reference period needs ``dqi`` and lacks it.

    The reference period ``[referencePeriodStart, referencePeriodEnd)`` includes 1 January 2025 or
    later exactly when its (exclusive) end *end* (UTC, as the reader parsed it) lies after
    2025-01-01T00:00:00Z.
    """
    if end <= _DQI_FROM:
        return
    why = (
        f"PACT 2.3 requires it for a reference period that includes 1 January {DQI_REQUIRED_FROM} or later; "
        f"this one ends {pcf.get('referencePeriodEnd')!s:.40}"
    )
    hint = (
        "ask the supplier for a PACT 2.3 footprint with pcf.dqi (coveragePercent and the five DQR ratings "
        "1-3), or for one whose reference period ends by 1 January "
        f"{DQI_REQUIRED_FROM} (referencePeriodEnd {DQI_REQUIRED_FROM}-01-01T00:00:00Z at the latest)"
    )
    dqi = pcf.get("dqi")
    if not isinstance(dqi, Mapping) or not dqi:
        raise UsageError(f"{path}: field 'pcf.dqi': missing ({why})", hint=hint)
    for name in DQI_PROPERTIES:
        if name not in dqi:
            raise UsageError(f"{path}: field 'pcf.dqi.{name}': missing ({why})", hint=hint)
