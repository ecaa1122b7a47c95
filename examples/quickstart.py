"""Quick start: one dataset, scenarios over plant regions, and a like-for-like comparison."""

from __future__ import annotations

from cathode_lca import LCAModel, compare

model = LCAModel()  # the shipped, cited inventories

# 1 kg virgin NMC811 in three plant regions at once (one vectorised solve)
ds = model.calculate({"cam-nmc811-virgin": 1.0}, parameters={"plant_region": ["US", "CN", "FR"]})
print("virgin NMC811, kg CO2-eq/kg by plant region:", ds.score.sel(lcia_method="ipcc2021-gwp100").values.round(2))

# virgin vs recycled, per kg of contained nickel, economic allocation
cmp = compare("NMC811", unit="kg-metal:Ni", allocation="economic", indicators=["gwp100"])
print(cmp.value.to_dataframe().dropna().reset_index()[["route", "indicator", "value"]])
print("provenance:", cmp.attrs["inventory_hash"][:12], cmp.attrs["allocation"], cmp.attrs["methods"])
