"""Battery passport: declare the example NMC811 pack under both rule sets and print a summary.

Writes the Battery Pass JSON into a temporary folder only (run from anywhere, no arguments).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from cathode_lca.passport import declare, load_battery_spec

HERE = Path(__file__).resolve().parent
spec = load_battery_spec(HERE / "battery-nmc811.yaml")

for rules in ("cff-jrc-a0.2-bp-r2", "cut-off"):
    d = declare(spec, rules=rules)
    print(f"{rules}: {d.total_per_kwh:.4f} kg CO2-eq/kWh over E_total = {d.total_energy.kwh:g} kWh")
    for stage, value in d.stages_per_kwh.items():
        print(f"  {stage:22s} {value:+.5f} kg CO2-eq/kWh")

print()
print(d.to_table())  # the last one (cut-off)

with tempfile.TemporaryDirectory() as folder:
    out = Path(folder) / "passport.json"
    out.write_text(d.to_json(), encoding="utf-8")
    payload = json.loads(out.read_text(encoding="utf-8"))
    print("\nBattery Pass parts:", ", ".join(payload), f"({out.stat().st_size} bytes of JSON)")
    print("recycledContent:", payload["recycledContent"])
