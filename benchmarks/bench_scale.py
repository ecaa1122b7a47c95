"""Scale benchmark: the shipped foreground over a synthetic 20,000-process background.

The synthetic background has about 12 inputs per process with a realistic structure: 40 % of
inputs go to a few hundred hub processes (energy, transport, basic chemicals), the rest to
random upstream processes, so supply chains are mostly acyclic, plus a sparse strongly
connected core of 500 processes whose mutual inputs are small. Every GREET material dataset of ours draws on one hub, so our foreground sits on
top of it, as it would on ecoinvent.

Reports the first solve (factorisation + interface solves) against bw2calc on the same
matrices, and the per-sample cost of foreground Monte Carlo over that static background
against the same run on our own small background.

    python benchmarks/bench_scale.py            # 20,000 processes
    python benchmarks/bench_scale.py --quick    # 500 processes (smoke run)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings

import numpy as np


def synthetic_inventory(n: int, seed: int = 0):
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.inventory.schema import Dataset, Exchange, Location, Product

    rng = np.random.default_rng(seed)
    inv = load_inventory()
    where = Location("<synthetic>", 0)
    hubs = max(10, n // 100)  # hub processes (energy, transport, basic chemicals)
    hub_ids = rng.choice(np.arange(n // 4, n // 2), size=hubs, replace=False)
    core_start, core_size = n // 2, min(500, n // 4)  # a sparse strongly connected block
    flows = ["co2-fossil-air", "ch4-fossil-air", "n2o-air", "energy-primary-coal", "water-consumption"]
    datasets = {}
    for i in range(n):
        ds_id = f"bg-{i:05d}"
        targets = set()
        k = int(rng.integers(8, 17))
        in_core = core_start <= i < core_start + core_size
        for _attempt in range(20 * k):  # the most upstream processes have few candidates left
            if len(targets) >= k:
                break
            if in_core and rng.random() < 0.5:  # loops inside the core
                j = int(rng.integers(core_start, core_start + core_size))
            elif rng.random() < 0.4 and i < hub_ids.max():
                j = int(rng.choice(hub_ids[hub_ids > i])) if np.any(hub_ids > i) else int(rng.integers(i + 1, n))
            elif i < n - 1:  # otherwise an upstream process (higher index): supply chains are mostly acyclic
                j = int(rng.integers(i + 1, n))
            else:
                break
            if j != i:
                targets.add(j)
        exchanges = []
        for j in sorted(targets):
            amount = float(rng.uniform(0.001, 0.02) if in_core else rng.uniform(0.0005, 0.01))
            exchanges.append(Exchange("input", f"bg-{j:05d}", amount, "kg", where, "synthetic"))
        for f in flows:
            exchanges.append(Exchange("flow", f, float(rng.uniform(0, 0.1)), inv.flows[f].unit, where, "synthetic"))
        product = Product(ds_id, ds_id, 1.0, "kg", True, {}, None, where)
        datasets[ds_id] = Dataset(
            ds_id, ds_id, "GLO", "chemicals", "kg", (product,), tuple(exchanges), "synthetic", where
        )
    for ds_id, ds in list(inv.datasets.items()):
        if ds_id.endswith("-greet2022"):
            hub = f"bg-{int(rng.integers(0, max(1, n // 100))):05d}"  # a downstream entry point
            extra = Exchange("input", hub, 0.01, "kg", where, "synthetic link")
            inv.datasets[ds_id] = dataclasses.replace(ds, exchanges=(*ds.exchanges, extra))
    inv.datasets.update(datasets)
    for ds_id in datasets:
        inv.products[ds_id] = (ds_id, 0)
    return inv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 500 if args.quick else 20_000
    samples = 200 if args.quick else 100_000

    from cathode_lca.lca import LCAModel, default_model
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    t0 = time.perf_counter()
    inv = synthetic_inventory(n)
    big = LCAModel(inv)
    big.matrices()  # the fixed COO pattern: the counterpart of writing bw2calc's datapackage
    t_build = time.perf_counter() - t0
    demand = {"cam-nmc811-hydrometallurgical": 1.0}
    import xarray as xr

    xr.Dataset({"warm": ("x", np.zeros(1))}, coords={"x": ["a"]})  # xarray imports pint, dask on first use
    t1 = time.perf_counter()
    big.calculate(demand, methods=["ipcc2021-gwp100"])
    t_first = time.perf_counter() - t1
    solver = big.solver("none", [big.matrices().product_index["cam-nmc811-hydrometallurgical"]])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        from cathode_lca.brightway.crosscheck import system_datapackages

        dp, char = system_datapackages(big, methods=["ipcc2021-gwp100"])
        matrices = big.matrices()
        t2 = time.perf_counter()
        lca = bw2calc.LCA(
            {matrices.product_index["cam-nmc811-hydrometallurgical"] + 1: 1.0}, data_objs=[dp, char["ipcc2021-gwp100"]]
        )
        lca.lci()
        lca.lcia()
        t_bw = time.perf_counter() - t2
    ours = float(big.calculate(demand, methods=["ipcc2021-gwp100"]).score.sel(lcia_method="ipcc2021-gwp100"))
    assert abs(ours - lca.score) <= 1e-9 * abs(ours), (ours, lca.score)

    dist = {
        "cathode_electricity_nmc811": {"type": "uniform", "minimum": 20.0, "maximum": 40.0},
        "hydro_recovery_ni": {"type": "uniform", "minimum": 0.9, "maximum": 0.99},
    }
    routes = ["virgin", "hydrometallurgical"]
    for model in (big, default_model()):
        monte_carlo("NMC811", routes=routes, samples=50, seed=0, distributions=dist, model=model)
    t3 = time.perf_counter()
    monte_carlo("NMC811", routes=routes, samples=samples, seed=1, distributions=dist, model=big, progress=False)
    per_big = (time.perf_counter() - t3) / samples
    t4 = time.perf_counter()
    monte_carlo(
        "NMC811", routes=routes, samples=samples, seed=1, distributions=dist, model=default_model(), progress=False
    )
    per_small = (time.perf_counter() - t4) / samples
    print(
        f"synthetic background: {n:,} processes, {len(big.matrices().A['rows']):,} technosphere entries "
        f"(build {t_build:.2f} s); reachable background {len(solver.bg):,}, foreground {len(solver.fg)}, "
        f"interface products {len(solver.interface)}"
    )
    print(f"first solve, cathode-lca (partition + splu + interface solves): {t_first:.3f} s")
    print(f"first solve, bw2calc 3.1 (datapackage load + LCA + lci + lcia): {t_bw:.3f} s  ratio {t_bw / t_first:.2f}x")
    print(f"foreground Monte Carlo over the large background: {per_big * 1e6:.2f} µs/sample")
    print(
        f"same run on our own small background:            {per_small * 1e6:.2f} µs/sample  ratio {per_big / per_small:.2f}x"
    )
    brightway_background(300 if args.quick else 10_000)


def brightway_background(n: int, seed: int = 0) -> None:
    """The Brightway-background path (issue 18): ``compare NMC811 --background brightway:P/DB
    --mapping ecoinvent-3.10-cutoff`` end to end (a fresh process, imports included) against a
    fresh bw2calc first solve (``prepare_lca_inputs`` + ``LCA.lci``, also a fresh process) on the
    same generated bw2data database: *n* activities, about 10 inputs each, 83 % of them in one
    strongly connected core, the activity names/locations/units of the shipped mapping, and 4,000
    biosphere flows of which most have no mapping (as on ecoinvent). Amounts are made up.
    """
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from cathode_lca.brightway.background import load_mapping

    bw_names = {"kg": "kilogram", "kWh": "kilowatt hour", "MJ": "megajoule", "metric ton*km": "ton kilometer"}
    rng = np.random.default_rng(seed)
    base = Path(tempfile.mkdtemp(prefix="cathode-bench-bw-"))
    env = {**os.environ, "BRIGHTWAY2_DIR": str(base)}
    bio = [("Carbon dioxide, fossil", ("air",), "kilogram"), ("Methane, fossil", ("air",), "kilogram")]
    bio += [("Water, river", ("natural resource", "in water"), "cubic meter")]
    bio += [(f"Generic substance {i}", ("air",), "kilogram") for i in range(4000 - len(bio))]
    selectors = {
        (s.name, s.location, s.reference_product, s.unit)
        for s in load_mapping("ecoinvent-3.10-cutoff").datasets.values()
    }
    mapped = sorted(selectors, key=str)
    core = int(0.83 * n)
    acts = {}
    for i in range(n):
        if i < len(mapped):
            name, location, product, unit = mapped[i]
            unit = bw_names[str(unit)]
        else:
            name, location, product, unit = f"process {i}", "GLO", f"product {i}", "kilogram"
        pool = core if i < core else i  # the core loops; the rest draw on the core and on earlier ones
        inputs = rng.choice(pool, size=min(10, pool), replace=False)
        exchanges = [{"input": ("bench-ei", f"a{i}"), "amount": 1.0, "type": "production"}]
        exchanges += [
            {"input": ("bench-ei", f"a{int(j)}"), "amount": float(rng.uniform(0.005, 0.08)), "type": "technosphere"}
            for j in inputs
            if int(j) != i
        ]
        exchanges += [
            {"input": ("bench-bio", f"b{int(k)}"), "amount": float(rng.uniform(0.01, 1.0)), "type": "biosphere"}
            for k in rng.choice(len(bio), size=3, replace=False)
        ]
        acts[("bench-ei", f"a{i}")] = {
            "name": name, "location": location, "reference product": product, "unit": unit,
            "type": "process", "exchanges": exchanges,
        }  # fmt: skip
    build = """
import json, sys
import bw2data as bd
data = json.load(open(sys.argv[1]))
bd.projects.set_current("bench")
bd.Database("bench-bio").write({("bench-bio", f"b{i}"): {"name": n, "categories": tuple(c), "unit": u,
    "type": "emission", "exchanges": []} for i, (n, c, u) in enumerate(data["bio"])})
acts = {}
for code, act in data["acts"].items():
    for exc in act["exchanges"]:
        exc["input"] = tuple(exc["input"])
    acts[("bench-ei", code)] = act
bd.Database("bench-ei").write(acts, searchable=False)
"""
    data_file = base / "database.json"
    data_file.write_text(json.dumps({"bio": bio, "acts": {k[1]: v for k, v in acts.items()}}))
    subprocess.run([sys.executable, "-c", build, str(data_file)], env=env, check=True, capture_output=True)
    solve = """
import bw2data as bd, bw2calc as bc
bd.projects.set_current("bench")
fu, data_objs, _ = bd.prepare_lca_inputs({bd.get_node(database="bench-ei", code="a0"): 1.0})
lca = bc.LCA(fu, data_objs=data_objs)
lca.lci()
"""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", solve], env=env, check=True, capture_output=True)
    t_bw = time.perf_counter() - t0
    command = ["compare", "NMC811", "--background", "brightway:bench/bench-ei", "--mapping", "ecoinvent-3.10-cutoff"]
    t1 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cathode_lca.cli", *command], env=env, check=True, capture_output=True)
    t_ours = time.perf_counter() - t1
    print(
        f"Brightway background, {n:,} activities ({core:,} in one loop), {len(bio):,} biosphere flows: "
        f"compare end to end {t_ours:.2f} s; fresh bw2calc first solve {t_bw:.2f} s; ratio {t_ours / t_bw:.2f}x"
    )


if __name__ == "__main__":
    main()
