"""Monte Carlo benchmark: NMC811 virgin vs hydrometallurgical, all foreground parameters uncertain.

Two modes, three indicators each:

* **defaults on** (what ``cathode-lca uncertainty`` does out of the box): every parameter and
  constant exchange amount of the two routes' supply chain gets its pedigree-based default;
* **foreground ±10 %**: every numeric parameter of the foreground gets a uniform ±10 %
  distribution and nothing else varies (``default_uncertainty=False``).
 bw2calc is measured on the same matrices in the same process: a few hundred
iterations with new technosphere and biosphere data each time, extrapolated per sample.

    python benchmarks/bench_mc.py            # 100k and 1M samples
    python benchmarks/bench_mc.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [500] if args.quick else [100_000, 1_000_000]
    bw_iterations = 5 if args.quick else 300

    from cathode_lca.comparison import prepare, route_demands
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.monte_carlo import monte_carlo
    from cathode_lca.uncertainty.parameters import comparison_parameters

    t0 = time.perf_counter()
    model = default_model()
    t_load = time.perf_counter() - t0
    routes = ["virgin", "hydrometallurgical"]
    indicators = ["gwp100", "energy", "water"]
    setup = prepare("NMC811", routes, "US", "none", "kg-cam", indicators, None, model)
    demands = route_demands(model, "NMC811", routes, "kg-cam", "none", setup.env)[0]
    keys = comparison_parameters(model, [d.demand for d in demands], "none")
    dists = {}
    for key in keys:
        param = model.parameters.parameters[key]
        if param.value and not param.exact:  # exact constants are never varied
            lo, hi = sorted((0.9 * param.value, 1.1 * param.value))
            lo = lo if param.min is None else max(lo, param.min)  # cut at the bounds
            hi = hi if param.max is None else min(hi, param.max)
            if lo < hi:
                dists[key] = {"type": "uniform", "minimum": lo, "maximum": hi}
    modes = {
        "defaults on": {"default_uncertainty": True},
        "foreground ±10 %": {"distributions": dists, "default_uncertainty": False},
    }
    for kw in modes.values():
        monte_carlo("NMC811", routes=routes, samples=100, seed=0, model=model, **kw)  # warm-up
    print(f"model load: {t_load:.3f} s; {len(dists)} uncertain foreground parameters; routes {routes}")
    per_sample = None
    for label, kw in modes.items():
        for n in sizes:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t1 = time.perf_counter()
            ds = monte_carlo("NMC811", routes=routes, samples=n, seed=1, model=model, progress=False, **kw)
            elapsed = time.perf_counter() - t1
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            per_sample = elapsed / n
            inputs = len(ds.attrs["uncertain_parameters"].split(",")) + int(ds.attrs["varied_exchanges"])
            print(
                f"cathode-lca Monte Carlo ({label}, {inputs} inputs), {n:>9,} samples: {elapsed:.3f} s = "
                f"{per_sample * 1e6:.2f} µs/sample (incl. sampling, 2 routes, 3 indicators); "
                f"peak RSS growth {max(0, after - before) / 1024:.0f} MiB"
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        from cathode_lca.brightway.crosscheck import system_datapackages

        dp, char = system_datapackages(model, parameters=setup.parameters, methods=["ipcc2021-gwp100"])
        matrices = model.matrices()
        lcas = []
        for rd in demands:
            bw_demand = {matrices.product_index[model.product_id(p)] + 1: float(v) for p, v in rd.demand.items()}
            lca = bw2calc.LCA(bw_demand, data_objs=[dp, char["ipcc2021-gwp100"]])
            lca.lci()
            lca.lcia()
            lcas.append(lca)
        rng = np.random.default_rng(0)
        t2 = time.perf_counter()
        for _ in range(bw_iterations):
            for lca in lcas:  # new data in both matrices, then a fresh solve: the cheapest bw2calc MC step
                lca.technosphere_matrix.data *= rng.uniform(0.999, 1.001, lca.technosphere_matrix.data.size)
                lca.biosphere_matrix.data *= rng.uniform(0.999, 1.001, lca.biosphere_matrix.data.size)
                lca.lci_calculation()
                lca.lcia_calculation()
        bw_per_sample = (time.perf_counter() - t2) / bw_iterations
    print(
        f"bw2calc, same matrices, 2 routes, 1 indicator: {bw_per_sample * 1e3:.3f} ms/sample ({bw_iterations} iterations)"
    )
    if per_sample:
        print(f"ratio bw2calc / cathode-lca per sample: {bw_per_sample / per_sample:,.0f}x")


if __name__ == "__main__":
    main()
