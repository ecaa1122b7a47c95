"""Examples run, and the documented results table is the one the code computes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
@pytest.mark.slow
def test_example_runs(script, tmp_path):
    # scripts that write files write them into a scratch folder, never into the checkout (docs/img)
    extra = [str(tmp_path)] if script == "make_charts.py" else []
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *extra], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_results_doc_matches_computed_table():
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "results_table.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_shipped_methods_only_use_known_flows():
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.methods import available_methods, check_method_flows, load_method

    inv = load_inventory()
    for method_id in available_methods():
        check_method_flows(load_method(method_id), inv.flows)


@pytest.mark.slow
def test_shipped_inventory_validates():
    from cathode_lca.engine.validate import validate_inventory
    from cathode_lca.inventory.load import load_inventory

    report = validate_inventory(
        load_inventory(), allocations=("none", "mass", "economic", "system-expansion", "cut-off")
    )
    assert report.errors == []
    assert report.failures == []
    checked = {b.dataset for b in report.balances}
    assert {"black-mass", "recycling-hydrometallurgical", "cam-nmc811-virgin", "cam-nmc811-direct"} <= checked


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("bench_engine.py", "ratio bw2calc / cathode-lca"),
        ("bench_mc.py", "ratio bw2calc / cathode-lca"),
        ("bench_scale.py", "first solve, bw2calc"),
        ("bench_cli.py", "best of the rest"),
    ],
)
@pytest.mark.brightway  # the benchmarks time bw2calc too
def test_benchmark_smoke_runs(script, expected):
    """Each benchmark runs at a tiny size so it never rots; timings are printed, not asserted."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize(
    "doc",
    [
        "README.md",
        "docs/uncertainty.md",
        "docs/report.md",
        "docs/charts.md",
        "docs/results.md",
        pytest.param("docs/brightway.md", marks=pytest.mark.brightway),
    ],
)
@pytest.mark.slow
def test_python_snippets_in_docs_run(doc, tmp_path):
    import re

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, f"{doc}:\n{block}\n{result.stderr}"
