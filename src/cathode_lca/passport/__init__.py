"""Battery carbon-footprint and recycled-content declaration (EU Battery Regulation 2023/1542).

Turns the cathode-level results into a declaration a verifier can trace line by line:
Circular Footprint Formula per material, four life-cycle stages per kWh of total energy,
Battery Pass v1.2.0 ``CarbonFootprintForBatteries`` and ``RecycledContentEntity`` JSON, the
Art. 8 recycled-content check and the Annex XII recycler checks. See ``docs/passport.md``.

The public API is imported lazily so that ``import cathode_lca.passport`` (and the CLI start-up)
stay fast.

Examples
--------
>>> from cathode_lca.passport import load_battery_spec, declare          # doctest: +SKIP
>>> spec = load_battery_spec("examples/battery-nmc811.yaml")             # doctest: +SKIP
>>> d = declare(spec, rules="cff-jrc-a0.2-bp-r2")                           # doctest: +SKIP
>>> d.total_per_kwh, d.stages_per_kwh                                    # doctest: +SKIP
>>> print(d.to_json())                                                   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "load_battery_spec": ("cathode_lca.passport.spec", "load_battery_spec"),
    "parse_battery_spec": ("cathode_lca.passport.spec", "parse_battery_spec"),
    "BatterySpec": ("cathode_lca.passport.spec", "BatterySpec"),
    "BatterySpecError": ("cathode_lca.passport.spec", "BatterySpecError"),
    "declare": ("cathode_lca.passport.declaration", "declare"),
    "assemble": ("cathode_lca.passport.declaration", "assemble"),
    "Declaration": ("cathode_lca.passport.declaration", "Declaration"),
    "MaterialCFFResult": ("cathode_lca.passport.cff_material", "MaterialCFFResult"),
    "load_schema": ("cathode_lca.passport.payloads", "load_schema"),
    "collect_model_data": ("cathode_lca.passport.model_data", "collect_model_data"),
    "ModelData": ("cathode_lca.passport.model_data", "ModelData"),
    "MaterialData": ("cathode_lca.passport.model_data", "MaterialData"),
    "LineItem": ("cathode_lca.passport.stages", "LineItem"),
    "total_energy": ("cathode_lca.passport.stages", "total_energy"),
    "CFFParameters": ("cathode_lca.passport.cff", "CFFParameters"),
    "CFFEmissions": ("cathode_lca.passport.cff", "CFFEmissions"),
    "CFFTerms": ("cathode_lca.passport.cff", "CFFTerms"),
    "cff_terms": ("cathode_lca.passport.cff", "cff_terms"),
    "RuleSet": ("cathode_lca.passport.rules", "RuleSet"),
    "RULE_SETS": ("cathode_lca.passport.rules", "RULE_SETS"),
    "STAGE_MAPPINGS": ("cathode_lca.passport.rules", "STAGE_MAPPINGS"),
    "STAGES": ("cathode_lca.passport.rules", "STAGES"),
    "get_rules": ("cathode_lca.passport.rules", "get_rules"),
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'cathode_lca.passport' has no attribute {name!r}")
