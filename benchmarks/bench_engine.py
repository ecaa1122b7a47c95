"""Speed of the cathode-lca engine against bw2calc on the same matrices, in one process.

Prints timings and ratios; asserts nothing. Run:

    python benchmarks/bench_engine.py            # full
    python benchmarks/bench_engine.py --quick    # smoke run (used by the test suite)

Cases
-----
deterministic  one LCA of 1 kg NMC811 via the hydrometallurgical route (warm model)
samples        S scenarios of every numeric parameter of that system, perturbed
               ±10 % uniformly, in one vectorised call; bw2calc: the same matrices, one
               ``lci`` per scenario with new technosphere data (measured on a subset, extrapolated)
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    samples = 200 if args.quick else 100_000
    bw_iterations = 5 if args.quick else 200

    from cathode_lca.brightway.crosscheck import system_datapackages
    from cathode_lca.lca import LCAModel

    t0 = time.perf_counter()
    model = LCAModel()
    load_time = time.perf_counter() - t0
    demand = {"cam-nmc811-hydrometallurgical": 1.0}
    methods = ["ipcc2021-gwp100", "ced", "water"]
    model.calculate(demand, methods=methods)  # warm: matrices, background factorisation

    det = timed(lambda: model.calculate(demand, methods=methods, contributions=False), repeat=5)

    params = model.parameters
    numeric = [k for k, p in params.parameters.items() if p.kind == "value" and not p.exact]
    rng = np.random.default_rng(42)
    defaults = params.defaults()
    scenarios = {}
    for k in numeric:
        if defaults[k]:  # ±10 %, cut at the parameter's bounds (a recovery stays <= 1)
            lo, hi = params.bounds(k)
            x = defaults[k] * rng.uniform(0.9, 1.1, samples)
            scenarios[k] = np.clip(x, -np.inf if lo is None else lo, np.inf if hi is None else hi)

    def ours() -> None:
        model.calculate(demand, methods=methods, parameters=scenarios, contributions=False)

    t_ours = timed(ours, repeat=1 if not args.quick else 2)

    # bw2calc on the same matrices: rebuild the datapackage per scenario would dominate; give it the
    # best case instead: one LCA object, new technosphere data per iteration, lci() each time.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        dp, char = system_datapackages(model, methods=methods[:1])
        matrices = model.matrices()
        bw_demand = {matrices.product_index["cam-nmc811-hydrometallurgical"] + 1: 1.0}
        lca = bw2calc.LCA(bw_demand, data_objs=[dp, char[methods[0]]])
        lca.lci()
        lca.lcia()
        base = lca.technosphere_matrix.copy()
        t1 = time.perf_counter()
        for i in range(bw_iterations):
            perturbed = base.copy()
            perturbed.data *= 1 + 0.01 * (i % 3)
            lca.technosphere_matrix = perturbed
            lca.lci_calculation()
            lca.lcia_calculation()
        t_bw = (time.perf_counter() - t1) / bw_iterations

    per_sample = t_ours / samples
    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"model load (parse + validate + compile): {load_time:.3f} s")
    print(f"deterministic LCA (warm): {det * 1e3:.2f} ms")
    print(f"{samples} scenarios, {len(scenarios)} parameters varied: {t_ours:.3f} s ({per_sample * 1e6:.2f} µs/sample)")
    print(f"bw2calc, same matrices, per iteration (lci + lcia, {bw_iterations} iterations): {t_bw * 1e3:.3f} ms")
    print(f"ratio bw2calc / cathode-lca per sample: {t_bw / per_sample:,.0f}x")


if __name__ == "__main__":
    main()
