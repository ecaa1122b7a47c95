"""The compiled kernel's blocks on threads: same numbers whatever the thread count, failed blocks recomputed."""

from __future__ import annotations

import time

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.errors import UsageError
from cathode_lca.lca import default_model
from cathode_lca.uncertainty.compiled_run import KERNEL_BLOCK, SPAN_BLOCKS, run_compiled
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.parallel import check_threads, usable_cores


class _CountingPlan:
    """A stand-in plan: the 'score' of sample i is i + 0.5 (so every sample's slot is checkable).

    Blocks starting at a sample in *bad* report a failure, as a kernel check would.
    """

    def __init__(self, bad: set[int]) -> None:
        self.streams = ("s",)
        self.inputs = ("x",)
        self.active = (True,)
        self.n_methods = 2
        self.bad = bad
        self.calls: list[int] = []

    def words(self, keys: np.ndarray, start: int, n: int, out: np.ndarray | None = None) -> np.ndarray:
        w = np.empty((1, n), dtype=np.uint64) if out is None else out
        w[0, :n] = np.arange(start, start + n, dtype=np.uint64)
        return w

    def run_words(self, words: np.ndarray, values: np.ndarray | None = None) -> tuple[np.ndarray, int, np.ndarray]:
        n = words.shape[1]
        d = np.empty((1, n)) if values is None else values
        d[0] = words[0].astype(float) + 0.5
        self.calls.append(int(words[0, 0]))
        out = np.broadcast_to(d[0], (1, 2, n)).copy()
        return (out * 0 - 1.0, 3, d) if int(words[0, 0]) in self.bad else (out, 0, d)


@pytest.mark.parametrize("samples", [1, 7, KERNEL_BLOCK, KERNEL_BLOCK + 1, KERNEL_BLOCK * SPAN_BLOCKS * 2 + 5])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_sample_lands_in_its_slot_and_failed_blocks_are_recomputed(samples, threads):
    bad = {0, KERNEL_BLOCK * SPAN_BLOCKS} & set(range(0, samples, KERNEL_BLOCK))
    plan = _CountingPlan(bad)
    asked: list[tuple[int, int]] = []

    def recompute(start: int, n: int) -> np.ndarray:
        asked.append((start, n))
        return np.broadcast_to(np.arange(start, start + n) + 0.5, (1, 2, n)).copy()

    scores, kept = run_compiled(plan, 1, samples, recompute, keep=10, threads=threads)  # type: ignore[arg-type]
    expected = np.arange(samples) + 0.5
    np.testing.assert_array_equal(scores[0, 0], expected)
    np.testing.assert_array_equal(scores[0, 1], expected)
    np.testing.assert_array_equal(kept["x"], expected[:10])
    assert sorted(asked) == [(s, min(KERNEL_BLOCK, samples - s)) for s in sorted(bad)]
    assert sorted(plan.calls) == list(range(0, samples, min(KERNEL_BLOCK, samples)))  # each block once


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_threads_below_one_or_not_a_whole_number_are_refused(bad):
    with pytest.raises(UsageError, match="threads must be 1 or more"):
        check_threads(bad)


def test_no_thread_count_means_every_usable_core():
    assert check_threads(None) == usable_cores() >= 1
    assert check_threads(3) == 3


def test_cli_refuses_zero_threads_without_a_traceback():
    result = CliRunner().invoke(cli, ["uncertainty", "NMC811", "--samples", "100", "--threads", "0"])
    assert result.exit_code == 2
    assert "--threads" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_compiled_kernel_gives_the_same_bits_on_one_and_on_three_threads():
    kw = {"routes": ["virgin", "hydrometallurgical"], "samples": 40_000, "seed": 3, "progress": False}
    one = monte_carlo("NMC811", kernel="compiled", threads=1, **kw)
    three = monte_carlo("NMC811", kernel="compiled", threads=3, **kw)
    assert one.attrs["kernel"] == three.attrs["kernel"] == "compiled"
    assert (one.attrs["kernel_threads"], three.attrs["kernel_threads"]) == (1, 3)
    np.testing.assert_array_equal(one.samples.values, three.samples.values)
    np.testing.assert_array_equal(one.parameter_samples.values, three.parameter_samples.values)
    np.testing.assert_array_equal(one.difference_variance_share.values, three.difference_variance_share.values)
    numpy = monte_carlo("NMC811", kernel="numpy", **{**kw, "samples": 600})
    np.testing.assert_allclose(three.samples.values[..., :600], numpy.samples.values, rtol=1e-12, atol=0)


def test_an_interrupt_drops_the_spans_not_started():
    """Ctrl-C (or an error) in one span must not leave the other threads working through every queued span."""

    class Interrupting(_CountingPlan):
        def run_words(self, words, values=None):
            if int(words[0, 0]) == KERNEL_BLOCK * SPAN_BLOCKS:  # the second span
                raise KeyboardInterrupt
            if int(words[0, 0]) < KERNEL_BLOCK * SPAN_BLOCKS:
                time.sleep(0.002)  # the first span is slow: the other thread would meanwhile start more spans
            return super().run_words(words, values)

    plan = Interrupting(set())
    samples = KERNEL_BLOCK * SPAN_BLOCKS * 40
    with pytest.raises(KeyboardInterrupt):
        run_compiled(plan, 1, samples, lambda s, n: np.zeros((1, 2, n)), threads=2)  # type: ignore[arg-type]
    started = {c // (KERNEL_BLOCK * SPAN_BLOCKS) for c in plan.calls}
    # span 1 raised at its first block (not recorded); of the 40 spans no other began, and span 0
    # stopped at its next block (or had run out)
    assert started <= {0} and len(plan.calls) <= SPAN_BLOCKS


def test_drivers_ranked_on_threads_equal_the_serial_ranking_and_a_direct_spearman():
    from cathode_lca.uncertainty.drivers import spearman
    from cathode_lca.uncertainty.monte_carlo import DRIVER_ROWS, _drivers

    rng = np.random.default_rng(4)
    n, k = 3000, max(DRIVER_ROWS * 3, 48) + 5  # several row groups, the last one short; x[40] below exists
    kept = {f"in{j:02d}": rng.lognormal(size=n) for j in range(k)}
    names = sorted(kept)
    x = np.vstack([kept[name] for name in names])
    diff = np.stack([np.stack([x[:3].sum(0), 2 * x[5] - x[40]]), np.stack([x[7] ** 2, np.full(n, 1.5)])])
    serial = _drivers(None, None, diff, kept, threads=1)  # type: ignore[arg-type]
    threaded = _drivers(None, None, diff, kept, threads=3)  # type: ignore[arg-type]
    assert serial[0] == threaded[0] == names
    np.testing.assert_array_equal(serial[1], threaded[1])
    np.testing.assert_array_equal(serial[2], threaded[2])
    np.testing.assert_allclose(serial[2][0, 1], spearman(x, diff[0, 1]), rtol=1e-12, atol=1e-15)
    assert not serial[2][1, 1].any()  # a constant output has no drivers
    assert np.argmax(serial[1][1, 0]) == names.index("in07")


@pytest.mark.slow
def test_a_kernel_compiled_at_o0_gives_the_o2_kernels_numbers_bit_for_bit(monkeypatch):
    """Runs under KERNEL_FULL_OPTIMISATION_SAMPLES compile at O0 (quicker); strict IEEE makes the numbers equal."""
    from cathode_lca.uncertainty import compiled_run
    from cathode_lca.uncertainty import kernel as kernel_module

    monkeypatch.setattr(kernel_module, "_PLANS", {})  # an O2 plan of an earlier test would serve the O0 run
    monkeypatch.setattr(compiled_run, "_SAMPLES_RUN", {})  # and earlier tests' samples would count towards O2
    kw = {"routes": ["virgin", "hydrometallurgical"], "samples": 60_000, "seed": 8, "progress": False}
    fast_compile = monte_carlo("NMC811", kernel="auto", **kw)
    monkeypatch.setattr(compiled_run, "KERNEL_FULL_OPTIMISATION_SAMPLES", 1)
    optimised = monte_carlo("NMC811", kernel="auto", **kw)
    assert (fast_compile.attrs["kernel_optimisation"], optimised.attrs["kernel_optimisation"]) == ("O0", "O2")
    assert fast_compile.attrs["kernel"] == optimised.attrs["kernel"] == "compiled"
    np.testing.assert_array_equal(fast_compile.samples.values, optimised.samples.values)
    np.testing.assert_array_equal(fast_compile.deterministic.values, optimised.deterministic.values)


def test_an_unknown_optimisation_level_is_refused():
    from cathode_lca.uncertainty.kernel import build_plan

    with pytest.raises(ValueError, match="optimisation must be 0, 1, 2 or 3"):  # before the model is read
        build_plan(None, None, optimisation=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("v2", "v1", "expected"),
    [
        ("200000 100000\n", None, 2),
        ("150000 100000\n", None, 2),  # 1.5 CPUs: two threads
        ("max 100000\n", None, None),
        ("garbage\n", ("50000", "100000"), 1),  # v2 unreadable: the v1 files
        (None, ("-1", "100000"), None),
        (None, None, None),
    ],
)
def test_a_containers_cpu_quota_caps_the_threads(tmp_path, monkeypatch, v2, v1, expected):
    from cathode_lca.uncertainty import parallel

    limits = ((str(tmp_path / "cpu.max"), None), (str(tmp_path / "quota"), str(tmp_path / "period")))
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2)
    if v1 is not None:
        (tmp_path / "quota").write_text(v1[0])
        (tmp_path / "period").write_text(v1[1])
    assert parallel.cgroup_cpus(limits) == expected
    monkeypatch.setattr(parallel, "CGROUP_LIMITS", limits)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert parallel.usable_cores() == (expected or 64)


def test_a_plan_compiled_at_o2_serves_later_smaller_runs_and_not_the_reverse(monkeypatch):
    """A process that ran a large Monte Carlo (O2) reuses that kernel for small runs: the numbers are the
    same and the code faster. A small run's O0 kernel never stands in for a large run's O2."""
    from cathode_lca.uncertainty import compiled_run
    from cathode_lca.uncertainty import kernel as kernel_module

    kw = {"routes": ["virgin"], "samples": 200, "progress": False, "kernel": "compiled", "default_uncertainty": False}
    plans: dict = {}
    monkeypatch.setattr(kernel_module, "_PLANS", plans)
    monkeypatch.setattr(compiled_run, "_SAMPLES_RUN", {})
    monkeypatch.setattr(compiled_run, "KERNEL_FULL_OPTIMISATION_SAMPLES", 1)  # every run "large": O2
    large = monte_carlo("NMC811", seed=3, **kw)
    monkeypatch.setattr(compiled_run, "KERNEL_FULL_OPTIMISATION_SAMPLES", 10**9)  # every run "small": O0 asked
    small = monte_carlo("NMC811", seed=3, **kw)
    assert (large.attrs["kernel_optimisation"], small.attrs["kernel_optimisation"]) == ("O2", "O2")
    assert [key[:3] for key in plans] == ["O2:"]  # nothing compiled for the small run
    np.testing.assert_array_equal(large.samples.values, small.samples.values)

    plans.clear()
    first = monte_carlo("NMC811", seed=3, **kw)  # small: O0
    monkeypatch.setattr(compiled_run, "KERNEL_FULL_OPTIMISATION_SAMPLES", 1)
    then = monte_carlo("NMC811", seed=3, **kw)  # large: compiles O2
    assert (first.attrs["kernel_optimisation"], then.attrs["kernel_optimisation"]) == ("O0", "O2")
    assert sorted(key[:3] for key in plans) == ["O0:", "O2:"]
    np.testing.assert_array_equal(first.samples.values, then.samples.values)


def test_a_process_that_keeps_running_one_comparison_compiles_it_at_o2_once_the_samples_add_up(monkeypatch):
    """Tiered compilation: small runs compile at O0 until the samples run with that plan in this process,
    the current run's included, reach the threshold; that run compiles at O2 and later runs reuse it.
    The numbers of every run are the same, bit for bit."""
    from cathode_lca.uncertainty import compiled_run
    from cathode_lca.uncertainty import kernel as kernel_module

    kw = {"routes": ["virgin"], "samples": 200, "progress": False, "kernel": "compiled", "default_uncertainty": False}
    plans: dict = {}
    monkeypatch.setattr(kernel_module, "_PLANS", plans)
    monkeypatch.setattr(compiled_run, "_SAMPLES_RUN", {})
    monkeypatch.setattr(compiled_run, "KERNEL_FULL_OPTIMISATION_SAMPLES", 500)
    runs = [monte_carlo("NMC811", seed=3, **kw) for _ in range(4)]  # 200, 400, 600 (>= 500: O2), 800
    assert [r.attrs["kernel_optimisation"] for r in runs] == ["O0", "O0", "O2", "O2"]
    assert sorted(key[:3] for key in plans) == ["O0:", "O2:"]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.samples.values, runs[0].samples.values)
    other = monte_carlo("NMC811", seed=3, **{**kw, "routes": ["hydrometallurgical"]})  # another plan: its own count
    assert other.attrs["kernel_optimisation"] == "O0"


@pytest.mark.parametrize("threads", [1, 2])
def test_the_compiled_span_gives_the_block_loops_bits_and_hands_back_the_blocks_whose_checks_fail(threads):
    """``@span`` (whole blocks in one compiled call) against the Python block loop on the same plan.

    hydro_recovery_ni drawn uniform on [0.5, 1.0005] leaves its bounds [0, 1] in 0.1 % of the samples
    (0.0005 / 0.5005), so about a block in four fails the kernel's bound check; such a block must be
    handed to the numpy path (here a marker, -7) and the blocks after it must still be computed.
    """
    import dataclasses

    from cathode_lca.uncertainty.kernel import build_plan
    from cathode_lca.uncertainty.monte_carlo import RunSpec

    spec = RunSpec(
        "NMC811",
        ("virgin", "hydrometallurgical"),
        "US",
        "none",
        "kg-cam",
        ("gwp100", "water"),
        uncertain=("hydro_recovery_ni",),
        seed=2,
        extra_distributions={"hydro_recovery_ni": {"type": "uniform", "minimum": 0.5, "maximum": 1.0005}},
    )
    plan = build_plan(default_model(), spec, optimisation=0)
    assert plan.span is not None
    samples, keep = KERNEL_BLOCK * SPAN_BLOCKS + KERNEL_BLOCK * 20 + 100, KERNEL_BLOCK * 3 + 10

    def run(p):
        asked: list[tuple[int, int]] = []

        def recompute(start: int, n: int) -> np.ndarray:
            asked.append((start, n))
            return np.full((2, 2, n), -7.0)

        scores, kept = run_compiled(p, 2, samples, recompute, keep=keep, threads=threads)
        return scores, kept["hydro_recovery_ni"], sorted(asked)

    span_scores, span_kept, span_asked = run(plan)
    loop_scores, loop_kept, loop_asked = run(dataclasses.replace(plan, span=None))
    np.testing.assert_array_equal(span_scores, loop_scores)
    np.testing.assert_array_equal(span_kept, loop_kept)
    assert span_asked == loop_asked and len(span_asked) >= 2
    for start, n in span_asked:  # the recomputed blocks are the marker, the others finite numbers
        assert (span_scores[..., start : start + n] == -7.0).all()
    assert np.isfinite(span_scores).all() and (span_scores != -7.0).any()
    for start in range(0, keep - KERNEL_BLOCK, KERNEL_BLOCK):  # independently: a block fails iff a draw is > 1
        assert ((start, KERNEL_BLOCK) in span_asked) == bool((span_kept[start : start + KERNEL_BLOCK] > 1).any())
