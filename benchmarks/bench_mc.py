"""Monte Carlo benchmark: NMC811 virgin vs hydrometallurgical, 3 indicators, every uncertain input varied.

Default uncertainty is on (what ``cathode-lca uncertainty`` does out of the box): every parameter and
constant exchange amount of the two routes' supply chain is drawn from its pedigree-based default.
Measured in the same process, on the same draws and matrices:

* **cathode-lca, compiled kernel** (:mod:`cathode_lca.uncertainty.kernel`): compile time, then
  µs/sample of the kernel alone and of the whole ``monte_carlo()`` call (draws, statistics, drivers);
* **cathode-lca, numpy path** (``kernel="numpy"``), the fallback;
* **an lca_algebraic-style anchor**: the same comparison as one expression per route and indicator
  (the foreground written out, the static background folded in as unit impacts), evaluated as
  numpy array operations over the sample arrays, as ``sympy.lambdify(..., "numpy")`` would. That is
  the approach of lca_algebraic, emulated: lca_algebraic itself pulls in the legacy brightway2
  stack, so it is not installed, and sympy needs minutes to build expression trees of this size
  (measured: 411 s), so the numpy function is written directly from the kernel's operations;
* **bw2calc** on the same matrices: a few hundred iterations with new technosphere and biosphere
  data each time (the cheapest bw2calc Monte Carlo step), extrapolated per sample.

Peak RSS of a 1M-sample run is measured in a fresh child process (absolute, and above the
process after imports, model load and warm-up).

    python benchmarks/bench_mc.py            # 100k and 1M samples
    python benchmarks/bench_mc.py --quick    # smoke run (CI)
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np

ROUTES = ["virgin", "hydrometallurgical"]
INDICATORS = ["gwp100", "energy", "water"]


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spec(model: Any) -> Any:
    """The RunSpec that monte_carlo() builds for the benchmark comparison (captured from a tiny run)."""
    from cathode_lca.uncertainty import monte_carlo as mc

    captured: dict[str, Any] = {}
    real = mc.choose_kernel

    def spy(kernel: str, model_: Any, spec: Any, samples: int, scheduler: Any) -> Any:
        captured["spec"] = spec
        return real(kernel, model_, spec, samples, scheduler)

    mc.choose_kernel = spy
    try:
        mc.monte_carlo("NMC811", routes=ROUTES, samples=2, seed=1, model=model, progress=False, kernel="numpy")
    finally:
        mc.choose_kernel = real
    return captured["spec"]


def _lambdified_anchor(model: Any, spec: Any) -> tuple[Any, float]:
    """lca_algebraic-style: the comparison as one numpy expression per node, evaluated over whole arrays.

    ``sympy.lambdify(..., "numpy")`` turns an expression tree into a Python function of numpy array
    operations, one temporary array per node. This writer emits that function directly from the
    same operations the kernel compiles (sympy itself needs minutes to build trees of this size).
    """
    from cathode_lca.uncertainty.kernel import _Writer, build_plan

    class NumpyWriter(_Writer):
        def __init__(self) -> None:
            super().__init__()
            self.code: list[str] = []
            self.outputs: list[tuple[int, str]] = []
            self._k = 0

        def _name(self, operand: str) -> str:
            if operand in ("true", "false"):
                return operand.capitalize()
            if operand.startswith("0x"):
                import struct

                return repr(struct.unpack("<d", int(operand, 16).to_bytes(8, "little"))[0])
            return "t" + operand[2:]

        def _new(self, expression: str) -> str:
            self._k += 1
            self.code.append(f"    t{self._k} = {expression}")
            return f"%t{self._k}"

        def op(self, instruction: str) -> str:
            if instruction.startswith("fneg double "):
                return self._new(f"-{self._name(instruction.split()[-1])}")
            logic = re.fullmatch(r"(and|or|xor) i1 (\S+), (\S+)", instruction)
            if logic is None:
                raise ValueError(f"unexpected instruction {instruction!r}")
            symbol = {"and": "&", "or": "|", "xor": "^"}[logic.group(1)]
            return self._new(f"{self._name(logic.group(2))} {symbol} {self._name(logic.group(3))}")

        def binary(self, op: str, a: str, b: str) -> str:
            symbol = {"fadd": "+", "fsub": "-", "fmul": "*", "fdiv": "/", "frem": "%"}[op]
            return self._new(f"{self._name(a)} {symbol} {self._name(b)}")

        def call(self, function: str, *args: str) -> str:
            names = {"llvm.pow.f64": "np.power", "llvm.exp.f64": "np.exp", "llvm.log.f64": "np.log"}
            names |= {"llvm.sqrt.f64": "np.sqrt", "llvm.fabs.f64": "np.abs", "llvm.log10.f64": "np.log10"}
            names |= {"llvm.copysign.f64": "np.copysign"}
            return self._new(f"{names[function]}({', '.join(self._name(a) for a in args)})")

        def compare(self, predicate: str, a: str, b: str) -> str:
            if predicate == "uno":  # either is NaN
                return self._new(f"np.isnan({self._name(a)}) | np.isnan({self._name(b)})")
            symbol = {"olt": "<", "ole": "<=", "ogt": ">", "oge": ">=", "oeq": "==", "une": "!="}
            return self._new(f"{self._name(a)} {symbol[predicate]} {self._name(b)}")

        def select(self, condition: str, a: str, b: str) -> str:
            return self._new(f"np.where({self._name(condition)}, {self._name(a)}, {self._name(b)})")

        def flag(self, condition: str) -> None:
            return None

        def finite(self, value: str) -> None:
            return None

        def draw(self, row: int) -> str:
            return self._new(f"x[{int(row)}]")

        def store(self, position: int, value: str) -> None:
            self.outputs.append((position, self._name(value)))

    t0 = time.perf_counter()
    writer = NumpyWriter()
    build_plan(model, spec, writer=writer)
    stores = [f"    out[{p}] = {v}" for p, v in writer.outputs]
    source = "def anchor(x, out):\n" + "\n".join(writer.code + stores) + "\n    return out\n"
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, "<lambdified anchor>", "exec"), namespace)  # generated from the kernel's own operations
    return namespace["anchor"], time.perf_counter() - t0


def _bw2calc_per_sample(model: Any, iterations: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc

        from cathode_lca.brightway.crosscheck import system_datapackages
        from cathode_lca.comparison import prepare, route_demands

        setup = prepare("NMC811", ROUTES, "US", "none", "kg-cam", INDICATORS, None, model)
        demands = route_demands(model, "NMC811", ROUTES, "kg-cam", "none", setup.env)[0]
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
        t0 = time.perf_counter()
        for _ in range(iterations):
            for lca in lcas:  # new data in both matrices, then a fresh solve
                lca.technosphere_matrix.data *= rng.uniform(0.999, 1.001, lca.technosphere_matrix.data.size)
                lca.biosphere_matrix.data *= rng.uniform(0.999, 1.001, lca.biosphere_matrix.data.size)
                lca.lci_calculation()
                lca.lcia_calculation()
        return (time.perf_counter() - t0) / iterations


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc (Linux), in MiB; NaN elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _rss_child(samples: int) -> None:
    """In a fresh process: RSS after imports + model + warm-up (kernel compiled), then the peak of one big run.

    The peak is the kernel high-water mark (VmHWM), reset after the warm-up where Linux allows it
    (``/proc/self/clear_refs``), so that the compile's transient memory is reported apart.
    """
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    model = default_model()
    monte_carlo("NMC811", routes=ROUTES, samples=2000, seed=0, model=model, progress=False, kernel="compiled")
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork and exec, so in this child it
    # started at the parent's RSS (the parent has just run a million samples): that was the "690 MiB
    # compile peak" reported before
    warm_peak = _status_mib("VmHWM")
    if warm_peak != warm_peak:  # no /proc: fall back to getrusage
        warm_peak = _maxrss_mib()
    base = _status_mib("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset the peak RSS
    except OSError:
        pass
    t0 = time.perf_counter()
    ds = monte_carlo("NMC811", routes=ROUTES, samples=samples, seed=1, model=model, progress=False, kernel="compiled")
    elapsed = time.perf_counter() - t0
    # file-backed pages (shared libraries' code: llvmlite's LLVM alone maps ~100 MiB of it on a kernel that
    # faults whole large folios in) are clean and reclaimable; the anonymous part is what the run allocated
    peak, file = _status_mib("VmHWM"), _status_mib("RssFile")
    print(f"RSS {base:.0f} {peak:.0f} {warm_peak:.0f} {elapsed:.3f} {file:.0f} {ds.attrs['kernel']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rss-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        _rss_child(args.rss_child)
        return
    sizes = [2_000] if args.quick else [100_000, 1_000_000]
    numpy_n = 1_000 if args.quick else 20_000
    anchor_n = 1_000 if args.quick else 20_000
    bw_iterations = 5 if args.quick else 300

    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.compiled_run import run_compiled
    from cathode_lca.uncertainty.kernel import build_plan
    from cathode_lca.uncertainty.monte_carlo import execute, monte_carlo
    from cathode_lca.uncertainty.parallel import usable_cores
    from cathode_lca.uncertainty.streams import StreamReader

    t0 = time.perf_counter()
    model = default_model()
    print(f"model load: {time.perf_counter() - t0:.3f} s; routes {ROUTES}; indicators {INDICATORS}")
    spec = _spec(model)
    n_inputs = len(spec.uncertain) + len(spec.exchange_distributions)
    print(f"load average at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    c0 = time.process_time()
    plan = build_plan(model, spec)
    print(
        f"compiled kernel: {n_inputs} inputs varied (defaults on), {plan.source.count(chr(10))} lines of LLVM IR, "
        f"compile {plan.compile_seconds:.2f} s wall, plan and compile {time.process_time() - c0:.2f} s CPU "
        "(once per process and model structure)"
    )
    per_sample = None
    cores = usable_cores()

    def unexpected(start: int, n: int) -> np.ndarray:
        raise AssertionError(f"a kernel check failed in the block at sample {start}")

    for n in sizes:
        kernel_s, kernel_cpu, threaded_s = math.inf, math.inf, math.inf
        for _ in range(3 if n <= 100_000 else 1):  # best of 3 (CPU time: the machine is shared)
            t1, c1 = time.perf_counter(), time.process_time()
            run_compiled(plan, spec.seed, n, unexpected, threads=1)
            kernel_s, kernel_cpu = min(kernel_s, time.perf_counter() - t1), min(kernel_cpu, time.process_time() - c1)
            if cores > 1:
                t1 = time.perf_counter()
                run_compiled(plan, spec.seed, n, unexpected, threads=cores)
                threaded_s = min(threaded_s, time.perf_counter() - t1)
        t2 = time.perf_counter()
        ds = monte_carlo("NMC811", routes=ROUTES, samples=n, seed=1, model=model, progress=False, kernel="compiled")
        total_s = time.perf_counter() - t2
        assert ds.attrs["kernel"] == "compiled", ds.attrs["kernel"]
        per_sample = kernel_s / n
        threaded = (
            f"; on {cores} threads {threaded_s:.3f} s wall = {threaded_s / n * 1e6:.2f} µs/sample"
            if cores > 1
            else "; one usable core: no threaded figure"
        )
        print(
            f"cathode-lca compiled, {n:>9,} samples: kernel + draws on 1 thread {kernel_s:.3f} s = "
            f"{per_sample * 1e6:.2f} µs/sample (CPU time {kernel_cpu / n * 1e6:.2f} µs/sample"
            f"{', best of 3' if n <= 100_000 else ''}){threaded}; whole monte_carlo() ({ds.attrs['kernel_threads']} "
            f"threads) {total_s:.3f} s = {total_s / n * 1e6:.2f} µs/sample (statistics, drivers)"
        )
    from dataclasses import replace

    t3 = time.perf_counter()
    execute(replace(spec, chunk_size=numpy_n), numpy_n, None, False, model)
    numpy_per = (time.perf_counter() - t3) / numpy_n
    print(f"cathode-lca numpy path, {numpy_n:,} samples: {numpy_per * 1e6:.2f} µs/sample (incl. draws)")

    dists = [(k, spec.extra_distributions.get(k) or model.parameters.distribution(k)) for k in spec.uncertain]
    draws = StreamReader(spec.seed, dists + sorted(spec.exchange_distributions.items())).read(anchor_n)
    kernel_only, kernel_only_cpu = math.inf, math.inf
    for _ in range(3):
        t4, c4 = time.perf_counter(), time.process_time()
        kernel_out, failed = plan.run(draws)
        kernel_only = min(kernel_only, (time.perf_counter() - t4) / anchor_n)
        kernel_only_cpu = min(kernel_only_cpu, (time.process_time() - c4) / anchor_n)
    assert failed == 0, f"a check failed in sample {failed}"
    from cathode_lca.uncertainty.kernel_draws import philox_keys

    keys = philox_keys(spec.seed, plan.streams)
    words = plan.words(keys, 0, anchor_n)
    values = np.zeros((len(plan.inputs), anchor_n))  # touched: page faults are not the draws' time
    assert plan.draws is not None
    plan.draws(words.ctypes.data, anchor_n, values.ctypes.data)
    philox_cpu, draws_cpu = math.inf, math.inf
    for _ in range(3):
        c6 = time.process_time()
        plan.words(keys, 0, anchor_n, words)
        philox_cpu = min(philox_cpu, (time.process_time() - c6) / anchor_n)
        c7 = time.process_time()
        plan.draws(words.ctypes.data, anchor_n, values.ctypes.data)
        draws_cpu = min(draws_cpu, (time.process_time() - c7) / anchor_n)
    print(
        f"draws in the kernel module, {anchor_n:,} samples, CPU time (best of 3): Philox words {philox_cpu * 1e6:.2f} µs/sample, "
        f"inverse CDFs {draws_cpu * 1e6:.2f} µs/sample ({len(plan.streams)} streams, {len(plan.inputs)} inputs); "
        f"equal to the numpy streams to {np.max(np.abs(values - draws) / np.abs(draws)):.1e}"
    )
    function, build_s = _lambdified_anchor(model, spec)
    anchor_out = np.empty((len(plan.active) * plan.n_methods, anchor_n))
    t5 = time.perf_counter()
    function(draws, anchor_out)
    anchor_per = (time.perf_counter() - t5) / anchor_n
    agree = np.nanmax(np.abs(anchor_out.reshape(kernel_out.shape) - kernel_out) / np.abs(kernel_out))
    print(
        f"lca_algebraic-style anchor (lambdified numpy expression, emulated), {anchor_n:,} samples: "
        f"{anchor_per * 1e6:.2f} µs/sample "
        f"(build {build_s:.1f} s; agrees with the kernel to {agree:.1e}); kernel alone on the same draws "
        f"{kernel_only * 1e6:.2f} µs/sample (CPU time {kernel_only_cpu * 1e6:.2f}); ratio anchor / kernel "
        f"{anchor_per / kernel_only:.1f}x"
    )

    # the RSS child runs with --quick too (2,000 samples), so that it and the parsing of its line never rot
    child = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(sizes[-1])], capture_output=True, text=True, check=True
    )
    match = re.search(r"RSS (\S+) (\S+) (\S+) (\S+) (\S+) (.*)", child.stdout)
    if not match:
        raise SystemExit(f"the RSS child printed no RSS line: {child.stdout!r} {child.stderr[-2000:]!r}")
    base, peak, warm_peak, seconds, file, kernel = match.groups()
    print(
        f"peak RSS, {sizes[-1]:,} samples in a fresh process ({kernel}): {float(peak):.0f} MiB during the run "
        f"(of which {float(file):.0f} MiB file-backed: shared libraries' code, clean and reclaimable; "
        f"{float(peak) - float(file):.0f} MiB anonymous), "
        f"{float(peak) - float(base):.0f} MiB above the {float(base):.0f} MiB after imports, model and a "
        f"warm-up run; the warm-up (kernel compile included) peaked at {float(warm_peak):.0f} MiB; "
        f"{float(seconds):.2f} s"
    )
    bw_per_sample = _bw2calc_per_sample(model, bw_iterations)
    print(
        f"bw2calc, same matrices, 2 routes, 1 indicator: {bw_per_sample * 1e3:.3f} ms/sample ({bw_iterations} iterations)"
    )
    if per_sample:
        print(f"ratio bw2calc / cathode-lca per sample: {bw_per_sample / per_sample:,.0f}x")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
