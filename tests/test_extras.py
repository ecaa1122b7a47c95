"""Optional extras: the core never imports them; a command whose extra is missing gives a one-line hint.

Missing modules are simulated with ``sys.modules[name] = None`` in a fresh interpreter, which
makes every import of that name fail like an uninstalled package.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("bw2data", "bw2calc", "bw_processing", "dask", "distributed", "SALib", "matplotlib", "openpyxl")


def python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )


@pytest.mark.slow
def test_core_imports_pull_in_no_optional_stack(tmp_path):
    result = python(
        f"""
        import sys
        import cathode_lca, cathode_lca.cli, cathode_lca.comparison, cathode_lca.lca, cathode_lca.report
        import cathode_lca.report.tables, cathode_lca.report.html, cathode_lca.report.xlsx, cathode_lca.report.plots
        import cathode_lca.uncertainty.monte_carlo, cathode_lca.uncertainty.sensitivity, cathode_lca.cli.passport
        loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)
        print(loaded)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_compare_runs_without_any_optional_stack(tmp_path):
    result = python(
        f"""
        import sys
        for name in {HEAVY!r}:
            sys.modules[name] = None
        from cathode_lca.cli import main
        main(["compare", "NMC811", "--format", "csv", "--indicator", "gwp100"])
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("chemistry,route,indicator")


@pytest.mark.parametrize(
    ("missing", "args", "extra"),
    [
        (
            "SALib",
            ["sensitivity", "NMC811", "--spread", "0.1", "--indicator", "gwp100", "--samples", "64"],
            "sensitivity",
        ),
        ("bw2data", ["brightway", "export", "--project", "never-created"], "brightway"),
        # the export plans its formulas with asteval (bw2parameters) before it touches bw2data
        ("asteval", ["brightway", "export", "--project", "never-created"], "brightway"),
        ("matplotlib", ["compare", "NMC811", "--indicator", "gwp100", "--plot", "c.svg"], "report"),
        ("openpyxl", ["compare", "NMC811", "--indicator", "gwp100", "--format", "xlsx", "--out", "c.xlsx"], "report"),
        (
            "dask",
            [
                "uncertainty",
                "NMC811",
                "--samples",
                "64",
                "--scheduler",
                "threads",
                "--no-progress",
                "--vary",
                "hydro_recovery_ni=uniform:0.9:0.99",
            ],
            "distributed",
        ),
    ],
)
@pytest.mark.slow
def test_missing_extra_gives_a_one_line_hint(tmp_path, missing, args, extra):
    result = python(
        f"""
        import sys
        sys.modules[{missing!r}] = None
        from cathode_lca.cli import main
        main({args!r})
        """,
        tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "ModuleNotFoundError" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f'pip install "cathode-lca[{extra}]"' in errors[0], result.stderr
    assert not (tmp_path / "c.svg").exists() and not (tmp_path / "c.xlsx").exists()


def test_extras_are_declared_and_test_pulls_in_all():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    core = " ".join(project["dependencies"]).lower()
    for name in ("bw2data", "bw2calc", "bw_processing", "dask", "salib", "matplotlib", "openpyxl"):
        assert name not in core
    assert {"brightway", "distributed", "sensitivity", "report", "all"} <= set(extras)
    assert "cathode-lca[all]" in extras["test"]
    assert all(f"{e}" in extras["all"][0] for e in ("brightway", "distributed", "sensitivity", "report"))
