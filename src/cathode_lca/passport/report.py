"""The plain-text declaration (``--format table``): stages, CFF per material, checks and warnings.

Examples
--------
>>> from cathode_lca.passport import declare                  # doctest: +SKIP
>>> print(declaration_table(declare("examples/battery-nmc811.yaml")))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..io import display_text
from .rules import STAGES

if TYPE_CHECKING:
    from .declaration import Declaration


def declaration_table(d: Declaration) -> str:
    """A plain-text summary of declaration *d*."""
    calc = d.calculation
    b = calc["battery"]
    fu = calc["functionalUnit"]
    banner = ["!" * 100, *(f"!! {w}" for w in calc.get("complianceWarnings", [])), "!" * 100, ""]
    lines = banner if calc.get("complianceWarnings") else []
    lines += [
        f"Battery carbon footprint declaration: {b['model']} ({b['chemistry']}), plant {b['manufacturingPlant']}",
        f"rules {d.rules.id} (version {d.rules.version}), stage mapping {calc['stageMapping']['id']}, "
        f"GWP {calc['metadata']['method']}",
        f"battery category {fu['batteryCategory']}: {d.total_energy.formula} (method {fu['method']})",
    ]
    if fu["justification"]:
        lines.append(f"justification of the cycles: {fu['justification']}")
    lines += [f"capacity fade: {fu['capacityFade']}", ""]
    rows = []
    for s in STAGES:
        share = 100 * d.stages_absolute[s] / d.total_absolute if d.total_absolute else float("nan")
        rows.append(
            {
                "stage": s,
                "kg CO2-eq": d.stages_absolute[s],
                "kg CO2-eq/kWh": d.stages_per_kwh[s],
                "share %": share,
            }
        )
    rows.append({"stage": "total", "kg CO2-eq": d.total_absolute, "kg CO2-eq/kWh": d.total_per_kwh, "share %": 100.0})
    lines.append(_table(rows, ["stage", "kg CO2-eq", "kg CO2-eq/kWh", "share %"]))
    supplied = sum(float(i.value[0]) for i in d.line_items if i.kind == "supplied")
    lines += [
        f"supplied data: {supplied:.6g} kg CO2-eq of {d.total_absolute:.6g} (marked in calculation.lineItems)",
        f"performance class: {d.carbon_footprint['carbonFootprintPerformanceClass']}",
        "",
        "CFF per material (element mass in kg; CFF terms in kg CO2-eq per battery):",
    ]
    cff_rows = []
    for el, r in d.cff.items():
        cff_rows.append(
            {
                "material": el,
                "element kg": r.input_mass_kg,
                "A": r.parameters.A,
                "R1": r.parameters.R1,
                "R2": r.parameters.R2,
                "raw material": r.raw_material_kg,
                "end of life": r.end_of_life_kg,
            }
        )
    lines.append(_table(cff_rows, ["material", "element kg", "A", "R1", "R2", "raw material", "end of life"]))
    rc = calc["recycledContent"]["elements"]
    if rc:
        lines += ["", "Recycled content (Art. 8):"]
        rc_rows = []
        for el, c in rc.items():
            rc_rows.append(
                {
                    "element": el,
                    "pre %": c["preConsumerSharePercent"],
                    "post %": c["postConsumerSharePercent"],
                    "total %": c["recycledSharePercent"],
                    "2031": verdict(c["minimums"]["2031"], "minimumPercent"),
                    "2036": verdict(c["minimums"]["2036"], "minimumPercent"),
                }
            )
        lines.append(_table(rc_rows, ["element", "pre %", "post %", "total %", "2031", "2036"]))
    annex = calc["annexXII"]
    lines += ["", f"Recycler checks (Annex XII), route {annex['route']}:"]
    ax_rows = []
    for el, m in annex["materialRecovery"].items():
        if m.get("present"):
            ax_rows.append(
                {
                    "metric": f"material recovery {el}",
                    "%": m["materialRecoveryPercent"],
                    **_targets(m["targets"], "targetPercent"),
                }
            )
    eff = annex["recyclingEfficiency"]
    ax_rows.append(
        {
            "metric": f"recycling efficiency ({eff['batteryType']})",
            "%": eff["percent"],
            **_targets(eff["targets"], "targetPercent"),
        }
    )
    lines.append(_table(ax_rows, ["metric", "%", "first target", "second target"]))
    lines += ["", *_compliance_lines(calc.get("compliance", {}))]
    for plant in calc.get("electricity", {}).values():
        if isinstance(plant, dict) and "used" in plant:
            flag = "" if plant["compliant"] else " (NOT the mix the rules ask for)"
            lines.append(f"electricity, {plant['plant']}: asked {plant['requestedMix']}, used {plant['used']}{flag}")
    if d.warnings:
        lines += ["", "Warnings:"] + [f"- {w}" for w in d.warnings]
    meta = calc["metadata"]
    lines += [
        "",
        f"inventory hash {meta['inventory_hash'][:12]}, version {meta['package_version']}, "
        f"metadata hash {meta['metadataHash'][:12]}",
    ]
    # names from the battery file (model, plant, components in the warnings) are shown, never obeyed:
    # a CR, an escape sequence or a bidi override in them cannot rewrite or reorder what is printed
    return "\n".join(line if isinstance(line, _Block) else display_text(line) for line in lines)


class _Block(str):
    """Lines of a table whose cells were made safe one by one (its newlines are its own)."""


def _targets(targets: dict[str, Any], key: str) -> dict[str, str]:
    years = sorted(targets)
    out = {}
    for label, year in zip(("first target", "second target"), years, strict=False):
        out[label] = f"{year}: " + verdict(targets[year], key)
    return out


def verdict(check: dict[str, Any], key: str) -> str:
    """A target check as text: ``16 % pass``, ``26 % FAIL (gap 6 pp)``, ``6 % met, NOT VERIFIABLE ...``."""
    if check.get("status") == "not verifiable":
        return f"{check[key]:g} % met, NOT VERIFIABLE (evidence missing)"
    status = "pass" if check["pass"] else f"FAIL (gap {check['gapPercentagePoints']:.3g} pp)"
    return f"{check[key]:g} % {status}"


def _table(rows: list[dict[str, Any]], columns: list[str]) -> _Block:
    def cell(v: Any) -> str:
        if isinstance(v, float):  # a share of a zero total has no value: say so, never print nan
            return f"{v:.6g}" if math.isfinite(v) else "n/a"
        return display_text(str(v))

    body = [[cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(b[i]) for b in body]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(b, widths, strict=True)) for b in body]
    return _Block("\n".join(out))


def _compliance_lines(c: dict[str, Any]) -> list[str]:
    if not c:
        return []
    company = c["companySpecificData"]
    cut = c["cutOff"]
    dqr = c["dqr"]
    ver = c["verification"]
    declared = company["declaredPrimaryDataSharePercent"]
    out = [
        "Verifier checks:",
        f"company-specific data: {company['status']}"
        + (f" (generic: {', '.join(company['genericProcesses'])})" if company["genericProcesses"] else "")
        + (
            f"; declared primary-data share {declared:g} %"
            if declared is not None
            else "; primary-data share not declared"
        ),
        f"cut-off (3 %): {'pass' if cut['pass'] else 'FAIL'}, {cut['excludedMassPercent']:.3g} % of the mass left out",
    ]
    if dqr["available"]:
        stages = ", ".join(f"{s} {v:.2f}" if v is not None else f"{s} n/a" for s, v in dqr["perStage"].items())
        level = f" {dqr['level']}" if dqr.get("level") else ""
        out.append(f"DQR: total {dqr['total']:.2f}{level} ({stages}; unverified class limits)")
        if dqr.get("inheritedFrom") is not None:
            families = ", ".join(f"{k} {v:g} %" for k, v in dqr["inheritedFrom"].items())
            out.append(
                f"DQR scores: {dqr['explicitPercent']:g} % explicit, inherited from family defaults: {families or '-'}; "
                f"{dqr['coveragePercent']:.3g} % of |kg CO2-eq| rated"
            )
    else:
        out.append("DQR: " + dqr["status"])
    out.append(
        f"verification: notified body {ver['notifiedBody'] or 'MISSING'}, certificate {ver['certificateId'] or 'MISSING'}, "
        f"EU declaration of conformity {ver['declarationOfConformityId'] or 'MISSING'}"
    )
    return out
