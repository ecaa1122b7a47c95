"""The compiled Monte Carlo kernel equals the numpy path, refuses what it does not cover, and is safe.

Equality is checked to 1e-12 relative (the kernel sums in a different order than the sparse
products of the numpy path, so the two differ by rounding only: about 1e-15 measured).
"""

from __future__ import annotations

import ast

import numpy as np
import pytest
from conftest import model_for

from cathode_lca.inventory.formulas import parse_formula
from cathode_lca.lca import default_model
from cathode_lca.uncertainty.kernel_source import IR, KernelUnsupported, expression, literal
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.streams import StreamReader, draw

RTOL = 1e-12


def _pair(chemistry: str, **kw):
    numpy = monte_carlo(chemistry, samples=600, seed=11, progress=False, kernel="numpy", **kw)
    compiled = monte_carlo(chemistry, samples=600, seed=11, progress=False, kernel="compiled", **kw)
    return numpy, compiled


def _assert_equal(numpy, compiled):
    x, y = numpy.samples.values, compiled.samples.values
    assert np.array_equal(np.isnan(x), np.isnan(y))
    finite = ~np.isnan(x)
    np.testing.assert_allclose(y[finite], x[finite], rtol=RTOL, atol=0)
    np.testing.assert_allclose(compiled.deterministic.values, numpy.deterministic.values, rtol=RTOL, atol=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("chemistry", "kw"),
    [
        ("NMC811", {}),  # defaults on, all four routes
        ("LFP", {}),
        ("NCA", {"region": "CN"}),
        ("NMC622", {"unit": "kg-metal:Co"}),  # economic allocation: coefficients in the kernel
        # the demand depends on drawn inputs (co-product amounts, recovered metal): numpy path, with a note
        ("NMC811", {"unit": "kg-feed", "allocation": "mass"}),
        ("NMC811", {"allocation": "system-expansion", "unit": "kg-metal:Ni"}),
        (
            "NMC811",
            {
                "default_uncertainty": False,
                "distributions": {"hydro_recovery_ni": {"type": "uniform", "minimum": 0.9, "maximum": 0.99}},
            },
        ),
    ],
)
def test_compiled_equals_numpy(chemistry, kw):
    numpy, compiled = _pair(chemistry, **kw)
    assert numpy.attrs["kernel"] == "numpy (asked for)"
    if kw.get("allocation") in ("mass", "system-expansion"):
        assert compiled.attrs["kernel"].endswith("depends on a drawn input)"), compiled.attrs["kernel"]
    else:
        assert compiled.attrs["kernel"] == "compiled", compiled.attrs["kernel"]
    _assert_equal(numpy, compiled)
    # what the run keeps for the output and the drivers is the same draws: the kernel draws them itself
    # from the same Philox words (normal quantile AS 241 there, Cephes ndtri here: equal to ~1e-15)
    np.testing.assert_allclose(compiled.parameter_samples.values, numpy.parameter_samples.values, rtol=RTOL, atol=0)
    if "difference_spearman" in numpy:
        np.testing.assert_allclose(compiled.difference_spearman.values, numpy.difference_spearman.values, atol=1e-12)


def test_loop_in_the_foreground_falls_back_with_a_note(monkeypatch):
    from cathode_lca import comparison as compare_module
    from cathode_lca.methods import Method

    gwp = Method("t-gwp", "test", "gwp100", "kg CO2-eq", "test", {"co2": 1.0}, "test")
    monkeypatch.setitem(compare_module.INDICATORS, "gwp100", gwp)
    model = model_for("kernel-loop.yaml")
    kw = {"indicators": ["gwp100"], "model": model, "samples": 200, "seed": 2, "progress": False}
    fallback = monte_carlo("NMC811", kernel="compiled", **kw)
    assert (
        fallback.attrs["kernel"]
        == "numpy (not supported by the compiled kernel: a loop in the foreground (batched LU))"
    )
    numpy = monte_carlo("NMC811", kernel="numpy", **kw)
    np.testing.assert_array_equal(fallback.samples.values, numpy.samples.values)
    # the loop is real: s_cam = 1 / (1 - 0.01 u) for solvent use u, so the virgin spread is not zero
    assert float(numpy.samples.sel(route="virgin").std()) > 0


def test_auto_uses_numpy_for_small_runs_and_says_so():
    ds = monte_carlo("NMC811", routes=["virgin", "hydrometallurgical"], samples=50, seed=1, progress=False)
    assert ds.attrs["kernel"].startswith("numpy (fewer than")
    from cathode_lca.uncertainty.compiled_run import choose_kernel
    from cathode_lca.uncertainty.parallel import usable_cores

    plan, note = choose_kernel("compiled", default_model(), None, 50, "processes")  # type: ignore[arg-type]
    assert plan is None and note == "numpy (the compiled kernel runs in process; scheduler processes)"
    threads = monte_carlo(  # --scheduler threads: the compiled kernel on its own threads
        "NMC811", routes=["virgin"], samples=50, seed=1, progress=False, kernel="compiled", scheduler="threads"
    )
    assert threads.attrs["kernel"] == "compiled" and threads.attrs["kernel_threads"] == usable_cores()


def test_a_failed_check_in_the_kernel_reruns_the_block_on_numpy(monkeypatch):
    """A kernel that reports a failed sample must not return its numbers: the numpy path decides."""
    from cathode_lca.uncertainty import kernel as kernel_module

    real = kernel_module.KernelPlan.run_words  # what the Monte Carlo calls (the kernel draws from the words)

    def failing(self, words, values=None):
        out, _failed, drawn = real(self, words, values)
        return out * 0.0 + 123.0, 1, drawn  # garbage plus a failure report

    real_compiled = kernel_module._compiled

    def without_span(*args, **kwargs):  # the block loop in Python, which calls run_words (the span: test_compiled_run)
        (function, from_words, philox, draws, _span), seconds = real_compiled(*args, **kwargs)
        return (function, from_words, philox, draws, None), seconds

    monkeypatch.setattr(kernel_module, "_PLANS", {})
    monkeypatch.setattr(kernel_module, "_compiled", without_span)
    monkeypatch.setattr(kernel_module.KernelPlan, "run_words", failing)
    kw = {"routes": ["virgin", "hydrometallurgical"], "samples": 300, "seed": 5, "progress": False}
    compiled = monte_carlo("NMC811", kernel="compiled", **kw)
    numpy = monte_carlo("NMC811", kernel="numpy", **kw)
    assert compiled.attrs["kernel"] == "compiled"
    np.testing.assert_array_equal(compiled.samples.values, numpy.samples.values)


def test_a_kernel_that_fails_to_compile_falls_back_with_a_note(monkeypatch):
    from cathode_lca.uncertainty import kernel as kernel_module

    monkeypatch.setattr(kernel_module, "_assemble", lambda *parts: "this is not LLVM IR")
    monkeypatch.setattr(kernel_module, "_PLANS", {})
    ds = monte_carlo("NMC811", routes=["virgin"], samples=100, seed=1, progress=False, kernel="compiled")
    assert ds.attrs["kernel"].startswith("numpy (the compiled kernel failed to build: ")


def test_without_llvmlite_the_numpy_path_runs_and_says_how_to_get_the_kernel(monkeypatch):
    from cathode_lca.uncertainty import kernel as kernel_module

    monkeypatch.setattr(kernel_module, "compiler_available", lambda: False)
    ds = monte_carlo("NMC811", routes=["virgin"], samples=100, seed=1, progress=False, kernel="compiled")
    assert ds.attrs["kernel"] == "numpy (llvmlite is not installed: pip install 'cathode-lca[fast]')"


def test_stream_reader_continues_the_counter_based_streams():
    dists = [
        ("a", {"type": "lognormal", "loc": 0.1, "scale": 0.3}),
        ("b", {"type": "uniform", "minimum": 2.0, "maximum": 3.0}),
    ]
    reader = StreamReader(9, dists, start=3)
    blocks = np.hstack([reader.read(5), reader.read(1), reader.read(10)])
    for j, (key, dist) in enumerate(dists):
        np.testing.assert_array_equal(blocks[j], draw(dist, 9, key, 3, 19))


# -- the generated code ---------------------------------------------------------------------


def _ir_of(text: str, variables: dict[str, str]) -> tuple[str, IR]:
    ir = IR()
    out = expression(parse_formula(text).tree.body, variables.__getitem__, {}, ir=ir)
    return out, ir


def test_literals_are_exact_ieee_bits():
    assert literal(0.1) == "0x3FB999999999999A"
    assert literal(-2.0) == "0xC000000000000000"
    with pytest.raises(KernelUnsupported):
        literal(float("inf"))


def test_names_never_reach_the_code():
    """A parameter name is replaced by its register; a name that maps to anything else is refused."""
    out, ir = _ir_of("secret_name * 2", {"secret_name": "%t0"})
    code = "\n".join(ir.lines)
    assert "secret_name" not in code and "%t0" in code
    for planted in ("__import__('os')", "np.exp", "x; import os", "%t1 = call"):
        with pytest.raises(KernelUnsupported, match="not a register or a constant"):
            _ir_of("a + 1", {"a": planted})


@pytest.mark.parametrize(
    "node",
    [
        ast.Attribute(value=ast.Name(id="a", ctx=ast.Load()), attr="real", ctx=ast.Load()),
        ast.Subscript(value=ast.Name(id="a", ctx=ast.Load()), slice=ast.Constant(0), ctx=ast.Load()),
        ast.Call(func=ast.Name(id="__import__", ctx=ast.Load()), args=[ast.Constant("os")], keywords=[]),
        ast.Call(func=ast.Name(id="eval", ctx=ast.Load()), args=[ast.Constant(1.0)], keywords=[]),
        ast.Lambda(args=ast.arguments([], [], None, [], [], None, []), body=ast.Constant(1.0)),
    ],
)
def test_nodes_outside_the_whitelist_are_refused_by_the_writer(node):
    """The writer re-checks the tree itself: a node the parser would reject never becomes code."""
    with pytest.raises(KernelUnsupported):
        expression(node, {"a": "%t0"}.__getitem__, {}, ir=IR())


def test_generated_kernel_matches_numpy_formula_semantics():
    """Each construct, compiled alone, equals the numpy closure of the same formula."""
    from cathode_lca.uncertainty.kernel import _assemble, _compiled, _Writer

    formulas = [
        "a ** 1.5 + b % 0.7 - (-a) % 0.3",
        "min(a, b, 2) + max(a, 0.5) + clip(b, 0.2, 0.8) + abs(a - b)",
        "exp(a) + log(b) + log10(a) + sqrt(b)",
        "where(a > b, a, b) + (1 if a <= 1 else 3) + (a < b < 2) + (a > 0 and b > 0) + (not a) + (a == b)",
    ]
    rng = np.random.default_rng(0)
    a = rng.uniform(0.05, 3, 400)
    b = rng.uniform(0.05, 1, 400)
    for text in formulas:
        w = _Writer()
        values = {"a": w.draw(0), "b": w.draw(1)}
        result = expression(parse_formula(text).tree.body, values.__getitem__, {}, ir=w)
        w.store(0, result)
        (function, _from_words, _philox, _draws, _span), _seconds = _compiled(_assemble(w), f"test {text}")
        out = np.empty(400)
        draws = np.ascontiguousarray(np.vstack([a, b]))
        assert function(draws.ctypes.data, 400, out.ctypes.data) == 0
        expected = parse_formula(text).compile(lambda n: n)({"a": a, "b": b})
        np.testing.assert_allclose(out, expected, rtol=1e-15, atol=0, err_msg=text)


def test_default_model_kernel_has_no_user_text():
    """The kernel of the shipped model holds only instructions, registers and hex constants."""
    import re

    from cathode_lca.uncertainty.monte_carlo import choose_kernel

    model = default_model()
    captured = {}
    from cathode_lca.uncertainty import monte_carlo as mc

    real = mc.choose_kernel

    def spy(kernel, model_, spec, samples, scheduler):
        plan, note = real(kernel, model_, spec, samples, scheduler)
        captured["plan"] = plan
        return plan, note

    mc.choose_kernel = spy
    try:
        monte_carlo("LFP", samples=20, seed=1, progress=False, kernel="compiled", model=model)
    finally:
        mc.choose_kernel = real
    assert choose_kernel is real
    source = captured["plan"].source
    names = {p.name for p in model.parameters.parameters.values()} | set(model.inventory.datasets)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.\-]*", source))
    assert not (words & names), sorted(words & names)[:5]


def _bench_plan(monkeypatch):
    """The compiled plan and its inputs' draws for NMC811 virgin vs hydro, defaults on (as bench_mc)."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty import monte_carlo as mc
    from cathode_lca.uncertainty.inputs import input_distributions
    from cathode_lca.uncertainty.kernel import build_plan
    from cathode_lca.uncertainty.streams import StreamReader

    captured = {}
    real = mc.choose_kernel

    def spy(kernel, model, spec, samples, scheduler):
        captured["spec"] = spec
        return real(kernel, model, spec, samples, scheduler)

    monkeypatch.setattr(mc, "choose_kernel", spy)
    model = default_model()
    mc.monte_carlo("NMC811", routes=["virgin", "hydrometallurgical"], samples=2, seed=3, model=model, kernel="numpy")
    spec = captured["spec"]
    plan = build_plan(model, spec)
    return plan, StreamReader(spec.seed, input_distributions(model, spec)).read(21)


def test_the_eight_wide_kernel_gives_a_sample_the_same_scores_in_any_block(monkeypatch):
    """The kernel runs WIDTH samples at a time (the last group overlapping, short blocks padded)."""
    plan, draws = _bench_plan(monkeypatch)
    full, failed = plan.run(draws)
    assert failed == 0 and np.isfinite(full).all()
    for n in (1, 3, 8, 13):
        out, failed = plan.run(draws[:, :n])
        assert failed == 0
        np.testing.assert_array_equal(out, full[..., :n])
    out, failed = plan.run(draws[:, 5:])
    np.testing.assert_array_equal(out, full[..., 5:])


def test_the_eight_wide_kernel_reports_the_first_failing_sample(monkeypatch):
    """1-based index of the first sample whose checks fail, whichever lane and group it is in."""
    plan, draws = _bench_plan(monkeypatch)
    for bad_samples, first in (([10], 11), ([17, 10], 11), ([19], 20), ([0], 1), ([20], 21)):
        bad = draws.copy()
        bad[:, bad_samples] = np.nan  # non-finite inputs: a failed finiteness check
        _out, failed = plan.run(bad)
        assert failed == first
    _out, failed = plan.run(np.full((draws.shape[0], 2), np.nan))  # a padded block
    assert failed == 1
