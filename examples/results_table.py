"""Reproduce the default-region results table of docs/results.md.

Run:  python examples/results_table.py            (prints the Markdown table)
      python examples/results_table.py --check    (exits 1 if docs/results.md is out of date)
"""

from __future__ import annotations

import sys
from pathlib import Path

from cathode_lca import compare

CHEMISTRIES = ["NMC111", "NMC532", "NMC622", "NMC811", "NCA", "LFP"]
BEGIN, END = "<!-- results-table:begin -->", "<!-- results-table:end -->"


def results_table(region: str = "US", allocation: str = "none") -> str:
    lines = [
        "| chemistry | route | GWP100 (kg CO2-eq/kg) | change vs virgin | energy (MJ/kg) | change | water (L/kg) | change |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for chemistry in CHEMISTRIES:
        ds = compare(chemistry, region=region, allocation=allocation)
        for route in ds.route.values.tolist():
            cells = [chemistry, route]
            for indicator in ("gwp100", "energy", "water"):
                value = float(ds.value.sel(route=route, indicator=indicator))
                change = float(ds.relative_change.sel(route=route, indicator=indicator))
                cells.append(f"{value:.2f}" if indicator == "gwp100" else f"{value:.1f}")
                cells.append("—" if route == "virgin" else f"{change:+.1f} %")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    table = results_table()
    if "--check" in sys.argv:
        doc = (Path(__file__).resolve().parent.parent / "docs" / "results.md").read_text()
        current = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
        if current != table:
            print("docs/results.md is out of date; regenerate it with examples/results_table.py", file=sys.stderr)
            return 1
        print("docs/results.md matches the computed table")
        return 0
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
