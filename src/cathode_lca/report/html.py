"""A self-contained HTML report of a comparison (and of a battery declaration, when given).

One file, no network: styles are inline, charts are SVG embedded as ``data:`` URIs, and a
Content-Security-Policy forbids every external request. The report holds the assumptions and
scenario, the results and contribution tables, the charts, the passport summary, the data
sources, the data quality (DQR) where the result carries one, the warnings and a metadata hash
(SHA-256 of the canonical JSON of the metadata shown at the end of the report).

Examples
--------
>>> from cathode_lca import compare                                       # doctest: +SKIP
>>> text = report_html(compare("NMC811"))                                 # doctest: +SKIP
>>> write_report(text, "report.html")                                     # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..io import display_text
from .tables import _attrs_json, format_number, passport_stage_rows, scenario_label, summary


def escape(text: str) -> str:
    """*text* for HTML: markup escaped, and control characters and bidi overrides shown as escapes.

    Names come from users (scenario, battery, plant, title); a U+202E in one would display the rest
    of its paragraph reversed (a figure "0.118" reads "811.0").

    >>> print(escape("<b>\\u202e0.118</b>"))
    &lt;b&gt;\\u202e0.118&lt;/b&gt;
    """
    return html.escape(display_text(text, newlines=True))


CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:980px;
color:#1a1a1a;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{text-align:left;background:#f4f4f4}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555;font-size:.9rem}.warn{background:#fff4e0;border-left:4px solid #E69F00;padding:.4rem .8rem;margin:.3rem 0}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}figcaption{color:#555;font-size:.85rem}
code{background:#f4f4f4;padding:0 .2rem}ul.sources li{margin:.15rem 0}
"""


def metadata_hash(metadata: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of *metadata*.

    Examples
    --------
    >>> metadata_hash({"b": 1, "a": [1, 2]}) == metadata_hash({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(metadata, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_metadata(ds: Any) -> dict[str, Any]:
    """What the report's numbers depend on: version, inventory hash, methods, options, parameters, seed, solver."""
    keys = (
        "package_version",
        "inventory_hash",
        "methods",
        "chemistry",
        "region",
        "allocation",
        "functional_unit",
        "functional_unit_code",
        "solver",
        "seed",
        "scenarios",
        "scenario_hashes",
    )
    meta = {k: _attrs_json(ds.attrs, k, None) for k in keys if k in ds.attrs}
    meta["parameters"] = _attrs_json(ds.attrs, "parameters", {}) or {}
    meta["scenario"] = scenario_label(ds.attrs)
    return meta


def passport_metadata(declaration: Any) -> dict[str, Any]:
    """What a report's passport summary depends on: the battery file's hash, rules, mapping, its metadata hash.

    Without it, two reports on different battery files had the same metadata hash.
    """
    meta = declaration.calculation.get("metadata", {})
    keys = ("specSha256", "rules", "rulesVersion", "stageMapping", "stageMappingOverrides", "metadataHash")
    return {k: meta.get(k) for k in keys}


def _num(v: Any, scale: float | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return format_number(v, scale=scale)


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] | None = None) -> str:
    headers = dict(headers or {})
    numeric = {
        c: all(isinstance(r.get(c), int | float) or r.get(c) is None for r in rows)
        and any(r.get(c) is not None for r in rows)
        for c in columns
    }
    scale = {
        c: max(
            (abs(float(r[c])) for r in rows if numeric[c] and r.get(c) is not None and math.isfinite(float(r[c]))),
            default=0.0,
        )
        for c in columns
    }
    head = "".join(f'<th class="{"num" if numeric[c] else ""}">{escape(headers.get(c, c))}</th>' for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if numeric[c]:
                full = "" if v is None else repr(float(v))
                cells.append(f'<td class="num" data-value="{full}">{escape(_num(v, scale[c]))}</td>')
            else:
                cells.append(f"<td>{escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _svg_img(fig: Any, alt: str, caption: str) -> str:
    from .plots import figure_bytes

    data = base64.b64encode(figure_bytes(fig, "svg")).decode("ascii")
    return (
        f'<figure><img alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _warnings(*sources: Any) -> list[str]:
    out: list[str] = []
    for value in sources:
        if isinstance(value, str):
            value = _attrs_json({"w": value}, "w", []) if value[:1] == "[" else [value]
        for w in value or []:
            if str(w) not in out:
                out.append(str(w))
    return out


def _dqr_section(ds: Any) -> str:
    """The data quality rating where the result carries one (``attrs['dqr']`` or ``attrs['quality']``).

    A contribution-weighted DQR (``{"rule": ..., "results": {route: {indicator: {...}}}}``, as in
    ``compare --format json``) becomes one row per route and indicator; other mappings a two-column table.
    """
    for key in ("dqr", "DQR", "quality", "data_quality"):
        if key in ds.attrs:
            value = _attrs_json(ds.attrs, key, None)
            if isinstance(value, Mapping) and isinstance(value.get("results"), Mapping):
                return _dqr_results(value)
            if isinstance(value, Mapping):
                rows = [{"item": str(k), "rating": _flat_value(v)} for k, v in value.items()]
                return _table(rows, ["item", "rating"])
            return f"<p>{escape(str(value))}</p>"
    return (
        "<p>This result carries no data quality rating (DQR). Where the inventories give pedigree "
        "scores, the uncertainty analysis uses them; see the data sources below.</p>"
    )


def _dqr_results(value: Mapping[str, Any]) -> str:
    """One row per route and indicator: DQR, its four criteria, the level and the largest contributor."""
    rows = []
    for route, per_indicator in value["results"].items():
        for indicator, r in (per_indicator or {}).items():
            if not isinstance(r, Mapping):
                continue
            top = (r.get("largest_contributors") or [{}])[0]
            share = top.get("share")
            rows.append(
                {
                    "route": str(route),
                    "indicator": str(indicator),
                    "DQR": r.get("DQR"),
                    "TeR": r.get("TeR"),
                    "GeR": r.get("GeR"),
                    "TiR": r.get("TiR"),
                    "P": r.get("P"),
                    "level": str(r.get("level", "")),
                    "largest contributor": f"{top.get('dataset', '')} ({share:.0%})" if share is not None else "",
                }
            )
    rule = {k: v for k, v in value.items() if k != "results"}
    head = "".join(f"<p>{escape(str(k))}: {escape(str(v))}</p>" for k, v in rule.items())
    cols = ["route", "indicator", "DQR", "TeR", "GeR", "TiR", "P", "level", "largest contributor"]
    return head + _table(rows, cols)


def _flat_value(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    return json.dumps(v, sort_keys=True, default=str) if not isinstance(v, str) else v


def report_html(ds: Any, *, declaration: Any = None, title: str | None = None) -> str:
    """The report as one HTML document (text).

    Parameters
    ----------
    ds
        A comparison from :func:`cathode_lca.compare`.
    declaration
        Optional battery declaration (:func:`cathode_lca.passport.declaration.declare`) for the
        passport summary.
    title
        Page title (default: '<chemistry>: virgin vs recycled').
    """
    from ..result_kinds import check_comparison
    from . import plots

    check_comparison(ds, "report_html")
    chem = str(ds.attrs.get("chemistry", ""))
    title = title or f"{chem}: virgin vs recycled cathode material"
    meta = report_metadata(ds)
    if declaration is not None:  # the passport summary's own inputs are part of what the hash covers
        meta["passport"] = passport_metadata(declaration)
    frame = summary(ds)
    parts: list[str] = []
    add = parts.append
    add(f"<h1>{escape(title)}</h1>")
    add(
        f'<p class="meta">cathode-lca {escape(str(meta.get("package_version", "")))} · inventory hash '
        f"<code>{escape(str(meta.get('inventory_hash', ''))[:12])}</code> · metadata hash "
        f'<code id="metadata-hash">{metadata_hash(meta)}</code></p>'
    )

    warnings = _warnings(ds.attrs.get("warnings", []), getattr(declaration, "warnings", []) if declaration else [])
    add("<h2>Assumptions and scenario</h2>")
    params = meta["parameters"]
    rows = [
        {"item": "functional unit", "value": str(ds.attrs.get("functional_unit", ""))},
        {
            "item": "plant region (electricity of recycling and cathode plants)",
            "value": str(ds.attrs.get("region", "")),
        },
        {"item": "allocation", "value": str(ds.attrs.get("allocation", ""))},
        {"item": "scenario", "value": meta["scenario"]},
        {"item": "impact methods", "value": str(ds.attrs.get("methods", ""))},
        {"item": "solver", "value": str(ds.attrs.get("solver", ""))},
    ]
    rows += [{"item": f"parameter {k}", "value": str(v)} for k, v in sorted(params.items())]
    add(_table(rows, ["item", "value"]))
    overridden = _attrs_json(ds.attrs, "overridden_parameters", {}) or {}
    if overridden:
        add("<h3>Parameters set by scenarios and --param</h3>")
        add(
            _table(
                [
                    {
                        "parameter": str(k),
                        "value": _flat_value(v.get("value") if isinstance(v, Mapping) else v),
                        "source": str(v.get("source", "")) if isinstance(v, Mapping) else "",
                    }
                    for k, v in sorted(overridden.items())
                ],
                ["parameter", "value", "source"],
            )
        )
    notes = _attrs_json(ds.attrs, "not_applicable", {}) or {}
    for route, note in notes.items():
        add(f"<p>{escape(route)}: not applicable ({escape(str(note))})</p>")

    add("<h2>Results</h2>")
    for ind in ds.indicator.values.tolist():
        unit = str(ds.unit.sel(indicator=ind).item())
        sub = frame[frame.indicator == ind]
        rows = [
            {
                "route": r["route"],
                "value": r["value"],
                "vs virgin": None if r["route"] == "virgin" else r["difference"],
                "change": None if r["route"] == "virgin" else r["change_pct"],
            }
            for r in sub.to_dict(orient="records")
        ]
        add(
            f'<h3 id="results-{escape(ind)}">{escape(ind)} [{escape(unit)}] per {escape(str(ds.attrs.get("functional_unit", "")))}</h3>'
        )
        add(
            _table(
                rows,
                ["route", "value", "vs virgin", "change"],
                {"value": f"value [{unit}]", "vs virgin": f"vs virgin [{unit}]", "change": "change [%]"},
            )
        )

    add("<h2>Contributions by stage</h2>")
    routes = [r for r in ds.route.values.tolist() if r in set(frame.route)]
    for ind in ds.indicator.values.tolist():
        unit = str(ds.unit.sel(indicator=ind).item())
        data = ds.by_stage.sel(indicator=ind)
        stage_rows = []
        for s in ds.stage.values.tolist():
            values = {r: float(data.sel(route=r, stage=s)) for r in routes}
            if any(v != 0 for v in values.values()):
                stage_rows.append({"stage": s, **values})
        add(f"<h3>{escape(ind)} [{escape(unit)}]</h3>")
        add(_table(stage_rows, ["stage", *routes]))
        add(
            _svg_img(
                plots.contribution_bars(ds, ind),
                f"{ind} contributions by stage",
                f"{ind}: contributions by stage; the diamond is the net total.",
            )
        )
    if "virgin" in routes:
        ind = ds.indicator.values.tolist()[0]
        for r in routes:
            if r != "virgin":
                add(
                    _svg_img(
                        plots.waterfall(ds, r, ind),
                        f"waterfall virgin to {r}",
                        f"{ind}: change by stage from virgin to {r}.",
                    )
                )

    if declaration is not None:
        add(_passport_section(declaration))

    add("<h2>Data quality</h2>")
    add(_dqr_section(ds))

    add("<h2>Warnings</h2>")
    if warnings:
        add("".join(f'<div class="warn">{escape(w)}</div>' for w in warnings))
    else:
        add("<p>None.</p>")

    add("<h2>Data sources</h2>")
    sources = list(_attrs_json(ds.attrs, "sources", []) or [])
    if declaration is not None:
        for s in declaration.calculation.get("sources", []) or []:
            text = s if isinstance(s, str) else json.dumps(s, sort_keys=True, default=str)
            if text not in sources:
                sources.append(text)
    add('<ul class="sources">' + "".join(f"<li>{escape(str(s))}</li>" for s in sources) + "</ul>")

    add("<h2>Metadata</h2>")
    add(f"<p>Metadata hash: SHA-256 of the canonical JSON below (sorted keys): <code>{metadata_hash(meta)}</code></p>")
    add(f"<pre>{escape(json.dumps(meta, sort_keys=True, indent=2, default=str))}</pre>")
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _passport_section(declaration: Any) -> str:
    from . import plots

    calc = declaration.calculation
    b = calc.get("battery", {})
    fu = calc.get("functionalUnit", {})
    rows = passport_stage_rows(declaration)
    out = [
        "<h2>Battery passport summary</h2>",
        # the verdict a signer needs first: generic data where company-specific data are required
        *(f'<div class="warn"><strong>{escape(w)}</strong></div>' for w in calc.get("complianceWarnings") or []),
        f"<p>{escape(str(b.get('model', '')))} ({escape(str(b.get('chemistry', '')))}), plant "
        f"{escape(str(b.get('manufacturingPlant', '')))}; rules {escape(declaration.rules.id)}; functional unit "
        f"{escape(format_number(fu.get('totalEnergyKWh', float('nan'))))} kWh over the service life; performance class "
        f"{escape(str(declaration.carbon_footprint.get('carbonFootprintPerformanceClass', '')))}.</p>",
        "<p>Computed from the battery file: its own plant regions, sourcing and model parameters "
        "(the report's plant region applies to the comparison above, not to this declaration); "
        "scenario files apply to both.</p>",
        _table(rows, ["stage", "kg CO2-eq", "kg CO2-eq/kWh"]),
        _svg_img(
            plots.passport_stages(declaration), "passport stages", "Carbon footprint per kWh by life-cycle stage."
        ),
    ]
    rc = (calc.get("recycledContent") or {}).get("elements") or {}
    if rc:
        from ..passport.report import verdict

        rc_rows = [
            {
                "element": el,
                "pre-consumer [%]": c.get("preConsumerSharePercent"),
                "post-consumer [%]": c.get("postConsumerSharePercent"),
                "recycled share [%]": c.get("recycledSharePercent"),
                **{f"minimum {year}": verdict(check, "minimumPercent") for year, check in c["minimums"].items()},
            }
            for el, c in rc.items()
        ]
        years = [f"minimum {y}" for y in sorted({y for c in rc.values() for y in c["minimums"]})]
        columns = ["element", "pre-consumer [%]", "post-consumer [%]", "recycled share [%]", *years]
        out.append("<h3>Recycled content (Art. 8)</h3>" + _table(rc_rows, columns))
    return "\n".join(out)


def write_report(text: str, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the report atomically; refuse to overwrite an existing file unless asked."""
    from ..io import write_text_atomic

    write_text_atomic(path, text, overwrite=overwrite)
    return Path(path)
