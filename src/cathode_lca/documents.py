"""The source documents behind a result: every citation in a supply chain, reduced to its document.

:func:`sources` lists the distinct documents cited by the datasets in the supply chains of some
products (used by ``compare`` and the passport); :func:`source_document` maps one citation text to
its document ('' for derivation notes).

Examples
--------
>>> source_document("EverBatt 2023, 'CM Rec Par.'!CD126 (crude lithium carbonate)")
'Argonne National Laboratory (2023) EverBatt 2023'
>>> source_document("model switch")
''
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lca import LCAModel

#: Source documents per (inventory content hash, allocation, demanded columns): derived from content, never stale.
_SOURCES: dict[tuple[str, str, tuple[int, ...]], list[str]] = {}


def sources(model: LCAModel, products: Sequence[str], allocation: str) -> list[str]:
    """Distinct source documents of every dataset in the supply chains of *products* (cached by content)."""
    matrices = model.matrices(allocation)
    cols = tuple(sorted({matrices.product_index[model.product_id(p)] for p in products}))
    if not cols:
        return []
    key = (model.inventory.content_hash, allocation, cols)
    if key not in _SOURCES:
        if len(_SOURCES) >= 64:
            _SOURCES.pop(next(iter(_SOURCES)))
        solver = model.solver(allocation, list(cols))
        texts: set[str] = set()
        for col in list(solver.fg) + list(solver.bg):
            ds = model.inventory.datasets[matrices.column_dataset[int(col)]]
            texts.update(ex.source for ex in ds.exchanges if ex.source)
        docs = {source_document(text) for text in texts}
        _SOURCES[key] = sorted(d for d in docs if d)
    return list(_SOURCES[key])


_BRIGHTWAY_SOURCE = re.compile(
    r"brightway:(.+?) activity \S+ \(aggregated LCI computed by cathode-lca from the bw2data matrices\)"
)
_KNOWN_DOCUMENTS = (
    (re.compile(r"GREET IO|GREET 2022"), "Argonne National Laboratory (2022) GREET 2022, as embedded in EverBatt 2023"),
    (re.compile(r"Istrate et al"), "Istrate et al. (2024) Joule 8, life-cycle inventories of battery-grade salts"),
    (re.compile(r"codecarbon"), "Ember/OWID generation by source (2023), as packaged in codecarbon 3.3.2"),
    (
        re.compile(r"Our World in Data"),
        "Our World in Data (2025) Energy dataset, based on Ember yearly electricity data",
    ),
    (re.compile(r"IPCC \(2014\)|UK Parliamentary Office"), "IPCC (2014) AR5 WGIII Annex III, Table A.III.2"),
    (re.compile(r"Macknick"), "Macknick et al. (2012) Environ. Res. Lett. 7 045802"),
    (re.compile(r"EG\.ELC\.LOSS\.ZS"), "World Bank WDI EG.ELC.LOSS.ZS (IEA data), T&D losses"),
    (re.compile(r"Association of Issuing Bodies"), "AIB (2025) European Residual Mixes 2024"),
    (re.compile(r"Ember"), "Ember (2024) yearly electricity data, via thegreenwebfoundation/co2.js"),
    (re.compile(r"ANL-19/16|EverBatt documentation|Dai et al\. \(2019\)"), "Dai et al. (2019) EverBatt, ANL-19/16"),
    (re.compile(r"EverBatt 2023"), "Argonne National Laboratory (2023) EverBatt 2023"),
    (re.compile(r"IUPAC"), "IUPAC standard atomic weights"),
)
_YEAR = re.compile(r"^(.*?\b(?:19|20)\d\d\)?)")


def source_document(text: str) -> str:
    """The document a citation points to ('' for derivation notes such as 'model switch')."""
    background = _BRIGHTWAY_SOURCE.match(text)  # a dataset replaced from a user's Brightway database
    if background:
        return f"Brightway database {background.group(1)} (aggregated LCI computed by cathode-lca from the bw2data matrices)"
    for pattern, name in _KNOWN_DOCUMENTS:
        if pattern.search(text):
            return name
    match = _YEAR.match(" ".join(text.split()))
    return match.group(1).strip(" ,.;") if match else ""
