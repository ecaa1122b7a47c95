"""The fixed parts of the PACT 2.3 data model that the footprint writer and reader share.

The specification version written, the declared units PACT names (with their pint units), the
units whose product mass is not relevant, and PACT's DateTime read as an aware UTC time.
Source: PACT Technical Specifications for PCF Data Exchange, version 2.3 (WBCSD),
CarbonFootprint.declaredUnit and .productMassPerDeclaredUnit.

Examples
--------
>>> DECLARED_UNITS["kilowatt hour"], "kWh" in MASS_NOT_RELEVANT
('kWh', True)
>>> parse_utc("2026-01-31T01:00:00+01:00").isoformat()
'2026-01-31T00:00:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..errors import UsageError

__all__ = ["DECLARED_UNITS", "MASS_NOT_RELEVANT", "SPEC_VERSION", "parse_utc"]

SPEC_VERSION = "2.3.1"
DECLARED_UNITS = {
    "kilogram": "kg",
    "liter": "L",
    "cubic meter": "m**3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "square meter": "m**2",
}
MASS_NOT_RELEVANT = frozenset({"kWh", "MJ", "t*km"})  # PACT 2.3: productMassPerDeclaredUnit 0 for these


def parse_utc(timestamp: str) -> datetime:
    """A PACT DateTime (ISO 8601) as an aware UTC datetime; a UsageError when it is not one."""
    try:
        when = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
        raise UsageError(f"'{timestamp:.40}' is not an ISO 8601 time", hint="e.g. 2026-01-31T00:00:00Z") from None
