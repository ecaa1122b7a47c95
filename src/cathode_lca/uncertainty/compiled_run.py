"""Running a Monte Carlo through the compiled kernel: choosing it, and its blocks on one or more threads.

Every input has a counter-based stream (:mod:`cathode_lca.uncertainty.streams`), so a block of
samples needs nothing from the blocks before it: the blocks are shared out among threads, and the
scores are the same, bit for bit, whatever the number of threads. The compiled functions are
called through ``ctypes``, which releases the GIL for the call, so the threads run at once.

A block whose checks fail in the kernel is recomputed afterwards, in the calling thread, on the
numpy path (which raises the located error, or gives the result when its own checks pass).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError

if TYPE_CHECKING:
    from ..lca import LCAModel
    from .kernel import KernelPlan, RunSpec

KERNEL_BLOCK = 256  # samples per kernel call: its words and values (~0.8 MB at 200 inputs) stay in cache
# 'auto' compiles a kernel from this many samples on: with the IR generation and an O0 compile (about 1.1 s), the
# compiled run took as long as the numpy path at about 20,000-25,000 samples and 0.35-0.6 s less from 35,000 on
# (NMC811, 4 routes, defaults on, fresh processes, 2026-12-01)
KERNEL_MIN_SAMPLES = 25_000
# below this many samples the kernel is compiled at LLVM's O0: about 0.5 s instead of 1.5 s CPU, at about twice the
# time per sample (NMC811, 4 routes, defaults on: 4.8-5.0 against 2.5-3.2 us/sample on one core, 2026-12-01), so
# O0 is quicker in total below about 400,000 samples on one thread and 800,000 on two; the numbers are identical
# a process that keeps running one comparison (a host application, a benchmark loop) has paid for its O0 code
# on every sample so far: once the samples run with this plan, this run's included, reach the same threshold, the
# plan is compiled at O2 (once) and every later run reuses it (tiered compilation; the numbers stay identical)
KERNEL_FULL_OPTIMISATION_SAMPLES = 500_000
_SAMPLES_RUN: dict[str, int] = {}  # plan key -> samples this process asked of it (any level)
SPAN_BLOCKS = 64  # blocks per unit of work handed to a thread (16,384 samples): balance and progress steps


def choose_kernel(kernel: str, model: LCAModel, spec: RunSpec, samples: int, scheduler: Any) -> tuple[Any, str]:
    """The compiled plan (or ``None``) and the ``kernel`` metadata: ``compiled`` or ``numpy (<why>)``."""
    if kernel not in ("auto", "compiled", "numpy"):
        raise UsageError(f"unknown kernel '{kernel}'", hint="choose auto, compiled or numpy")
    if kernel == "numpy":
        return None, "numpy (asked for)"
    if scheduler not in (None, "serial", "sync", "threads"):  # 'threads': the kernel's own threads, not dask's
        return None, f"numpy (the compiled kernel runs in process; scheduler {scheduler})"
    if kernel == "auto" and samples < KERNEL_MIN_SAMPLES:
        return None, f"numpy (fewer than {KERNEL_MIN_SAMPLES} samples: compiling would take longer)"
    from .kernel import KernelUnsupported, build_plan, compiler_available  # only here: ~20 ms to import

    if not compiler_available():
        return None, "numpy (llvmlite is not installed: pip install 'cathode-lca[fast]')"
    optimisation = full_optimisation(model, spec, samples)
    try:
        return build_plan(model, spec, optimisation=optimisation), "compiled"
    except KernelUnsupported as exc:
        return None, f"numpy (not supported by the compiled kernel: {exc})"
    except RuntimeError as exc:  # llvmlite refused the generated IR: a bug, but never a reason to fail the run
        return None, f"numpy (the compiled kernel failed to build: {str(exc).splitlines()[0][:200]})"


def full_optimisation(model: LCAModel, spec: RunSpec, samples: int) -> int:
    """LLVM's level for this run: 2 once the samples this process ran with this plan, these included,
    reach :data:`KERNEL_FULL_OPTIMISATION_SAMPLES`, else 0 (counts this run).

    >>> from cathode_lca.lca import default_model
    >>> from cathode_lca.uncertainty.monte_carlo import RunSpec
    >>> spec = RunSpec("NMC811", ("virgin",), "US", "none", "kg-cam", ("gwp100",), uncertain=("doctest",))
    >>> [full_optimisation(default_model(), spec, n) for n in (200_000, 200_000, 200_000, 10)]
    [0, 0, 2, 2]
    """
    from .kernel import _plan_key

    key = _plan_key(model, spec)
    total = _SAMPLES_RUN.get(key, 0) + samples
    _SAMPLES_RUN[key] = total
    return 2 if total >= KERNEL_FULL_OPTIMISATION_SAMPLES else 0


def run_compiled(
    plan: KernelPlan,
    seed: int,
    samples: int,
    recompute: Callable[[int, int], np.ndarray],
    bar: Any = None,
    keep: int = 0,
    threads: int = 1,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """All samples through the compiled kernel, block by block, in bounded memory, on *threads* threads.

    ``recompute(start, n)`` gives the scores of samples ``start .. start+n-1`` on the numpy path; it
    is called, in this thread, for every block the kernel could not compute. The first *keep*
    samples of every input are returned for the drivers and the ``parameter_samples`` output.
    """
    from .kernel_draws import philox_keys
    from .kernel_vector import WIDTH

    keys = philox_keys(seed, plan.streams)
    scores = np.empty((len(plan.active), plan.n_methods, samples))
    kept = np.empty((len(plan.inputs), min(keep, samples)))
    block = min(KERNEL_BLOCK, samples)
    failed: list[tuple[int, int]] = []  # list.append is atomic: the threads share it

    halt = threading.Event()  # set when a span fails or Ctrl-C arrives: the other threads stop at their next block

    def span(first: int, stop: int) -> int:
        """Blocks from sample *first* to *stop*, with this call's own buffers."""
        try:
            return blocks(first, stop)
        except BaseException:
            halt.set()
            raise

    span_call = getattr(plan, "span", None)  # None for a plan without a compiled kernel (and test doubles)

    def blocks(first: int, stop: int) -> int:
        words = np.empty((len(plan.streams), block), dtype=np.uint64)
        values = np.empty((len(plan.inputs), block))
        rest = first  # where the Python loop below starts: after the whole blocks a compiled span ran
        if span_call is not None and block >= WIDTH:
            rest = compiled_span(first, first + (stop - first) // block * block, words, values)
        for start in range(rest, stop, block):  # a short last block, or every block without a span
            if halt.is_set():
                break
            n = min(block, stop - start)
            full = n == block
            drawn = plan.words(keys, start, n, words if full else None)
            out, bad, d = plan.run_words(drawn, values if full else None)
            if bad:
                failed.append((start, n))
            else:
                scores[..., start : start + n] = out
            if start < kept.shape[1]:
                m = min(n, kept.shape[1] - start)
                kept[:, start : start + m] = d[:, :m]
        return stop - first

    def compiled_span(first: int, stop: int, words: np.ndarray, values: np.ndarray) -> int:
        """The whole blocks from *first* to *stop* in compiled calls (:mod:`.kernel_span`); returns *stop*."""
        out = np.full((len(plan.active), plan.n_methods, block), np.nan)  # inactive routes: never written, NaN
        pointers = (words.ctypes.data, values.ctypes.data, out.ctypes.data)
        positions, rows, n_keep = out.shape[0] * out.shape[1], len(plan.streams), kept.shape[1]
        start = first
        while start < stop and not halt.is_set():
            status = int(
                span_call(  # type: ignore[misc]
                    keys.ctypes.data,  # philox_keys: C-contiguous uint64
                    start,
                    stop,
                    rows,
                    block,
                    *pointers,
                    positions,
                    scores.ctypes.data,
                    samples,
                    kept.ctypes.data,
                    n_keep,
                    len(plan.inputs),
                )
            )
            if status == 0:
                break
            start = status - 1  # this block's checks failed: its draws are still in *values*
            failed.append((start, block))
            if start < n_keep:
                m = min(block, n_keep - start)
                kept[:, start : start + m] = values[:, :m]
            start += block
        return stop

    step = block * SPAN_BLOCKS
    spans = [(a, min(a + step, samples)) for a in range(0, samples, step)]
    if threads == 1 or len(spans) == 1:
        for a, b in spans:
            done = span(a, b)
            if bar is not None:
                bar.update(done)
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(spans))) as pool:
            try:  # map cancels the spans not yet started when one fails or Ctrl-C arrives
                for done in pool.map(lambda ab: span(*ab), spans):
                    if bar is not None:
                        bar.update(done)
            except BaseException:
                halt.set()  # and the running ones stop at their next block
                raise
    for start, n in sorted(failed):
        scores[..., start : start + n] = recompute(start, n)
    return scores, {key: kept[j] for j, key in enumerate(plan.inputs)}
