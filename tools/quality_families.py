"""List the source family (default pedigree scores) of every number of the shipped inventory.

For each value parameter, exchange and product of the default model: its id, the family it inherits
(``inventories/quality.yaml``, first match wins), the pattern that matched, whether the family is exact (never
varied), whether the number has explicit ``quality:`` scores, and its source text. Use it to audit the family
patterns after adding data or changing ``quality.yaml``: read each family's members and look for numbers whose
source says something else (docs/data/quality.md, "How a family is chosen").

``--overlaps`` lists instead the source texts that match more than one family (where the order of the
families decides), with every family they match.

Usage (from the repository root)::

    PYTHONPATH=src python tools/quality_families.py > families.tsv
    PYTHONPATH=src python tools/quality_families.py --family greet-average
    PYTHONPATH=src python tools/quality_families.py --overlaps
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from cathode_lca.inventory.formulas import Formula
from cathode_lca.lca import default_model
from cathode_lca.quality.scores import Family, QualityConfig, load_quality, quality_of


def matched_pattern(fam: Family, source: str | None, name: str | None) -> str:
    """The first pattern of *fam* that matches (``source:<regex>`` or ``name:<regex>``)."""
    for p in fam.sources:
        if p.search(source or ""):
            return "source:" + p.pattern
    for p in fam.names:
        if p.search(name or ""):
            return "name:" + p.pattern
    return "-"


def numbers() -> Iterator[tuple[str, str, Any, str | None]]:
    """(kind, id, object, parameter name) of every value parameter, exchange and product of the default model."""
    model = default_model()
    for key, p in model.parameters.parameters.items():
        if p.kind == "value":
            yield "parameter", key, p, p.name
    for ds in model.inventory.datasets.values():
        for i, ex in enumerate(ds.exchanges):
            yield "exchange", f"{ds.id}/exchanges[{i}] -> {ex.target}", ex, None
        for prod in ds.products:
            yield "product", f"{ds.id}: {prod.id}", prod, None


def rows(config: QualityConfig) -> Iterator[list[str]]:
    for kind, ident, obj, name in numbers():
        _, fam = quality_of(obj, name, config)
        amount = getattr(obj, "value", None) if kind == "parameter" else obj.amount
        yield [
            kind,
            ident,
            "formula" if isinstance(amount, Formula) else str(amount),
            fam.id,
            matched_pattern(fam, getattr(obj, "source", None), name),
            "exact" if fam.exact or getattr(obj, "exact", False) else "varied",
            "explicit" if getattr(obj, "quality", None) else "inherited",
            " ".join((getattr(obj, "source", None) or "").split()),
        ]


def overlaps(config: QualityConfig) -> Iterator[list[str]]:
    seen: set[tuple[str, str | None]] = set()
    for _, _, obj, name in numbers():
        source = getattr(obj, "source", None) or ""
        if (source, name) in seen:
            continue
        seen.add((source, name))
        matching = [f.id for f in config.families[:-1] if f.matches(source, name)]
        if len(matching) > 1:
            yield [",".join(matching), name or "", " ".join(source.split())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", help="only the numbers of this family")
    parser.add_argument("--overlaps", action="store_true", help="source texts that match several families")
    parser.add_argument("--quality", help="another quality.yaml (default: the shipped one)")
    args = parser.parse_args(argv)
    config = load_quality(args.quality)
    out = overlaps(config) if args.overlaps else rows(config)
    for row in out:
        if args.family and not args.overlaps and row[3] != args.family:
            continue
        sys.stdout.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
