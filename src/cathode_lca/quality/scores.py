"""Pedigree scores of every number: the source families of ``inventories/quality.yaml`` and their defaults.

A parameter, exchange or product has explicit ``quality:`` scores, or inherits those of the first
source family whose patterns match its source text (or parameter name). Used by the default
distributions (:mod:`cathode_lca.uncertainty.defaults`) and by the data quality rating
(:mod:`cathode_lca.quality.dqr`), which is why it sits below both.

Examples
--------
>>> load_quality().family("GREET 2022, table 3").id
'greet-average'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InventoryError

PEDIGREE_KEYS = ("reliability", "completeness", "temporal", "geographical", "technological")


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
    _seen: dict[tuple[str | None, str | None], Family] = field(default_factory=dict, compare=False, repr=False)

    def family(self, source: str | None, name: str | None = None) -> Family:
        """First family whose patterns match *source* (or the parameter *name*); remembered per text."""
        key = (source, name)
        found = self._seen.get(key)
        if found is None:
            found = next((fam for fam in self.families if fam.matches(source, name)), self.families[-1])
            self._seen[key] = found
        return found


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


def quality_of(obj: Any, name: str | None = None, config: QualityConfig | None = None) -> tuple[dict[str, int], Family]:
    """Pedigree scores of a parameter, exchange or product: explicit, or its source family's default.

    A value set by a scenario or plant file (its note starts with ``scenario``) whose citation matches no
    family takes the ``user-scenario`` family (matched on that note), not the ``unknown`` fallback.
    """
    config = config or load_quality()
    fam = config.family(getattr(obj, "source", None), name)
    note = getattr(obj, "note", None)
    if fam is config.families[-1] and isinstance(note, str) and note.startswith("scenario "):
        fam = config.family(note, name)
    explicit = getattr(obj, "quality", None)
    return (dict(explicit) if explicit else dict(fam.quality)), fam
