"""One-off helper: list parameters that look like fractions or exact constants, or add the fields.

Usage::

    python tools/declare_bounds.py            # list candidates and what they lack
    python tools/declare_bounds.py --write    # insert 'kind: fraction' / 'exact: true' lines

Candidates are chosen by name (the patterns below) and then reviewed by hand; the script only
inserts a line right under the parameter's name, so a reviewer sees each change in the diff.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FRACTION = re.compile(
    r"^("
    r"(direct|hydro|pyro|preproc)_recovery_\w+|carbon_content_\w+|preproc_capture_\w+|preproc_carryover_\w+"
    r"|bm_capture_\w+|preproc_active|\w+_content|istrate_ng_heat_per_fuel|direct_li_makeup"
    r"|(ni|co|mn|li)_in_(niso4|coso4|mnso4|li2co3|lioh)|cam_(li|co|ni|mn)_\w+"
    r"|(cell|module|scrap|bmfeed)_(cam|graphite|carbon_black|pvdf|anode_binder|copper|aluminum|lipf6|ec|dmc|pp|pe|pet"
    r"|steel|electronics)"
    r"|feed_(cam|graphite|carbon_black|pvdf|anode_binder|copper|aluminum|lipf6|ec|dmc|pp|pe|pet|steel|electronics)"
    r"|feed_cam_(li|co|ni|mn)|feed_(li|co|ni|mn|f|p)"
    r"|bm_(cam|graphite|carbon_black|pvdf|anode_binder|copper|aluminum|li|co|ni|mn|f)|feed_matches"
    r")$"
)
EXACT = re.compile(
    r"^(molar_mass_\w+|everbatt_molar_mass_\w+|everbatt_mm_\w+|transport_km_per_mile|transport_t_per_kg)$"
)
NEEDS = re.compile(r"(recover|share|yield|efficien|fraction)", re.I)


def main(write: bool) -> None:
    root = Path(__file__).resolve().parents[1] / "inventories"
    for path in sorted(root.rglob("*.yaml")):
        lines = path.read_text().splitlines(keepends=True)
        out: list[str] = []
        changed = False
        in_params, depth = False, 0
        for i, line in enumerate(lines):
            out.append(line)
            if re.match(r"^\s*parameters:\s*$", line):
                in_params, depth = True, len(line) - len(line.lstrip())
                continue
            m = re.match(r"^(\s+)([A-Za-z]\w*):\s*$", line)
            if not (in_params and m and len(m.group(1)) == depth + 2):
                if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= depth:
                    in_params = False
                continue
            name = m.group(2)
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= len(m.group(1)):
                    break
                body.append(nxt.strip())
            has_bounds = any(b.startswith(("kind:", "min:", "max:")) for b in body)
            has_exact = any(b.startswith("exact:") for b in body)
            indent = m.group(1) + "  "
            if FRACTION.match(name) and not has_bounds:
                print(f"{path.relative_to(root)}:{i + 1}: {name}: kind: fraction")
                if write:
                    out.append(f"{indent}kind: fraction\n")
                    changed = True
            elif EXACT.match(name) and not has_exact:
                print(f"{path.relative_to(root)}:{i + 1}: {name}: exact: true")
                if write:
                    out.append(f"{indent}exact: true\n")
                    changed = True
            elif NEEDS.search(name) and not has_bounds:
                print(f"{path.relative_to(root)}:{i + 1}: {name}: NAME SAYS FRACTION, NO BOUNDS (review)")
        if changed:
            path.write_text("".join(out))


if __name__ == "__main__":
    main("--write" in sys.argv)
