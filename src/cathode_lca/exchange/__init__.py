"""Data exchange with other tools: PACT (WBCSD Pathfinder) product footprints, openLCA JSON-LD.

Layer: beside passport, uncertainty, brightway and report (it reads results and inventories; the
CLI sits above it). See ``docs/exchange.md``.
"""
