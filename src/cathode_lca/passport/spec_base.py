"""Shared pieces of the battery file: constants, the error type and YAML line look-up.

Kept apart from :mod:`.spec` (the pydantic models) and :mod:`.spec_checks` (the checks beyond the
types) so that neither imports the other.
"""

from __future__ import annotations

from typing import Any, Final

from .._yaml import line_at  # noqa: F401  (re-exported: spec.py and spec_checks.py import it from here)
from ..errors import ValidationError

FORMAT: Final = "cathode-lca-battery/1"
DOC_HINT = "see docs/passport.md"

# Chemistries and their elements come from the catalogue (cathode_lca.catalogue, inventories/catalogue.yaml).
#: Elements with a sourcing mix: the Art. 8 elements, and Mn (CFF only, optional).
SOURCING_ELEMENTS = ("Ni", "Co", "Li", "Mn", "Pb")
ART8_ACTIVE = ("Co", "Ni", "Li")
#: Model parameters the battery file sets through its own fields.
RESERVED_PARAMETERS = {
    "plant_region": "electricity.cathode_plant.region / electricity.recycler.region",
    "feed_type": "end_of_life.feed_type",
    "feed_chemistry": "battery.chemistry (or sourcing.<El>.post_consumer.feed_chemistry)",
    "nickel_sulfate_route": "sourcing.Ni.virgin.route",
    "cobalt_sulfate_route": "sourcing.Co.virgin.route",
    "manganese_sulfate_route": "sourcing.Mn.virgin.route",
    "lithium_route": "sourcing.Li.virgin.route",
}


class BatterySpecError(ValidationError):
    """A defect in a battery specification file."""


def _dotted(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
