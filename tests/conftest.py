from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method

# bw2calc imports bw2data, which creates its base folder on import (none of the imports above
# loads it): never the user's folder, and one per process, because xdist workers inherit the
# controller's environment and would race to create the same folder.
_BW_DIR = tempfile.mkdtemp(prefix=f"cathode-lca-bw-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
os.environ["BRIGHTWAY2_DIR"] = _BW_DIR
atexit.register(shutil.rmtree, _BW_DIR, True)

DATA = Path(__file__).parent / "data"

# LLVM code generation level of the IR that the draw/Philox/vector tests compile: O0, the level every
# Monte Carlo under 500,000 samples runs at, compiles in about 60 % of O2's time. The numbers do not
# depend on it (strict IEEE); tests/test_compiled_run.py holds O0 and O2 kernels equal bit for bit.
TEST_OPTIMISATION = 0


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def test_method():
    return load_method("test-gwp", str(DATA / "method-test.yaml"))


def model_for(name: str) -> LCAModel:
    return LCAModel(load_inventory([DATA / name]))


def score(ds, method: str = "test-gwp") -> float:
    return float(ds.score.sel(lcia_method=method))


def scalar_ppnd16():
    """The kernel's scalar ``@ppnd16`` (AS 241 in IR), compiled, as a function of an array of probabilities."""
    import ctypes

    import numpy as np

    from cathode_lca.uncertainty.kernel_draws import PPND16_DECLARATIONS, _jit, ppnd16_ir

    loop = """define void @many(double* %X, i64 %n, double* %Y) {
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%next, %loop]
  %a = getelementptr double, double* %X, i64 %i
  %x = load double, double* %a
  %y = call double @ppnd16(double %x)
  %b = getelementptr double, double* %Y, i64 %i
  store double %y, double* %b
  %next = add i64 %i, 1
  %more = icmp slt i64 %next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}"""
    engine = _jit("\n".join(PPND16_DECLARATIONS) + "\n" + ppnd16_ir() + "\n" + loop, optimisation=TEST_OPTIMISATION)
    many = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p)(engine.get_function_address("many"))

    def apply(x):
        x = np.ascontiguousarray(x, dtype=float)
        y = np.empty_like(x)
        many(x.ctypes.data, x.size, y.ctypes.data)
        return y

    return apply


@pytest.fixture
def write_yaml(tmp_path):
    """Write a YAML text to a file in tmp_path (next to a copy of the test flows) and return its path."""
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())

    def _write(text: str, name: str = "inv.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


@pytest.fixture(autouse=True, scope="session")
def _young_generation_collections():
    """bw2data runs ``gc.collect()`` on every project switch (``SubstitutableDatabase.change_path``, to
    release SQLite files on Windows), and an export switches projects about twenty times. In a test worker
    whose heap holds every earlier test's caches, each full collection costs up to a second, so the
    Brightway tests spent most of their time there. A young-generation collection releases the closed
    connection just as well; nothing else in the package or the tests calls ``gc.collect``."""
    full = gc.collect
    gc.collect = lambda generation=2: full(0)  # type: ignore[assignment]
    yield
    gc.collect = full  # type: ignore[assignment]


@pytest.fixture(autouse=True, scope="session")
def _isolated_inventory_cache(tmp_path_factory):
    """Never write to the user's cache folder from tests."""
    import os

    os.environ["CATHODE_LCA_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


@pytest.fixture
def bd(tmp_path):
    """bw2data switched to a fresh data directory of this test."""
    from cathode_lca.brightway.project import import_bw2data

    bd = import_bw2data()
    base, logs = tmp_path / "bw", tmp_path / "bw-logs"
    base.mkdir()
    logs.mkdir()
    bd.projects.change_base_directories(base, base_logs_dir=logs, project_name="default", update=False)
    yield bd


SCENARIO_HEAD = "format: cathode-lca-scenario/1\nname: t\n"


def parse_scenario(text: str, model: LCAModel, file: str = "s.yaml"):
    """A scenario file's *text* (without its two header lines) parsed against *model*'s parameters."""
    from cathode_lca.parameters.scenarios import parse_scenario_text

    return parse_scenario_text(SCENARIO_HEAD + text, file, model.parameters)


def run_main(args: list[str], capsys) -> tuple[int, str, str]:
    """``cathode-lca ARGS`` in process: (exit code, stdout, stderr)."""
    from cathode_lca.cli import main

    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err
