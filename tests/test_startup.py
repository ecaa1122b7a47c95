"""Lean start-up: a deterministic ``compare`` imports neither dask nor pint, and pint, once needed,
builds one registry. Each check runs in a fresh interpreter, since the test process has imported
everything already. (Behaviour, not time: docs/performance.md reports the measured start-up.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run_python(code: str) -> dict:
    """Run *code* in a fresh interpreter on this checkout; it prints one JSON object last."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("CATHODE_LCA_SOLVER", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


COMPARE = """
import contextlib, io, json, sys
from cathode_lca.cli import main
sys.argv = ["cathode-lca", "compare", "NMC811"{extra}]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, exc.code
import cathode_lca.units as units
print(json.dumps({{
    "dask": sorted(m for m in sys.modules if m == "dask" or m.startswith("dask.")),
    "pint": sorted(m for m in sys.modules if m == "pint" or m.startswith("pint.")),
    "registries": units.registry.cache_info().currsize,
    "printed": out.getvalue(),
}}))
"""


@pytest.mark.slow  # a whole compare in a fresh interpreter (a few seconds)
def test_compare_imports_neither_dask_nor_pint():
    result = run_python(COMPARE.format(extra=""))
    assert "hydrometallurgical" in result["printed"]  # the comparison really ran
    assert result["dask"] == []
    assert result["pint"] == []
    assert result["registries"] == 0


@pytest.mark.slow
def test_compare_json_output_stays_lean_too():
    result = run_python(COMPARE.format(extra=', "--format", "json"'))
    assert json.loads(result["printed"])  # valid JSON came out
    assert result["dask"] == [] and result["pint"] == []


@pytest.mark.slow
def test_xarray_still_wraps_dask_and_pint_arrays_once_they_are_imported():
    # the deferral must only hold while no dask / pint array can exist
    result = run_python(
        """
import json, sys
import numpy as np
from cathode_lca.engine.results import build_dataset  # installs the deferral
import xarray as xr
plain = xr.DataArray(np.arange(4.0), dims="x")
before = "dask" in sys.modules or "pint" in sys.modules
import dask.array as da
lazy = xr.DataArray(da.ones(4, chunks=2), dims="x")
import pint
ureg = pint.UnitRegistry()
quantity = xr.DataArray(ureg.Quantity(np.ones(3), "kg"), dims="y")
print(json.dumps({
    "before": before,
    "chunks": [list(c) for c in lazy.chunks],
    "dask_backed": type(lazy.data).__module__.startswith("dask"),
    "pint_kept": isinstance(quantity.data, ureg.Quantity),
    "plain_chunks": plain.chunks,
    "sum": float(lazy.sum().compute()),
}))
"""
    )
    assert result["before"] is False
    assert result["dask_backed"] and result["chunks"] == [[2, 2]]
    assert result["sum"] == 4.0
    assert result["pint_kept"] is True
    assert result["plain_chunks"] is None


@pytest.mark.slow  # a fresh interpreter importing dask and xarray
def test_a_bare_dask_import_does_not_pull_in_dask_array():
    # bw2calc imports dask (dask.base) but not dask.array: no dask array can exist yet, so building
    # a result must not import dask.array (about 2.5 s of CPU), and a dask array made later is kept
    result = run_python(
        """
import json, sys
import numpy as np
import dask
from cathode_lca.engine.results import build_dataset  # installs the deferral
import xarray as xr
plain = xr.Dataset({"v": ("x", np.arange(4.0))}, coords={"x": list("abcd")})
after_plain = "dask.array" in sys.modules
import dask.array as da
lazy = xr.DataArray(da.ones(4, chunks=2), dims="x")
print(json.dumps({"bare": "dask" in sys.modules, "after_plain": after_plain,
                  "chunks": [list(c) for c in lazy.chunks]}))
"""
    )
    assert result["bare"] is True
    assert result["after_plain"] is False
    assert result["chunks"] == [[2, 2]]


def test_pint_builds_one_registry_for_every_unit_that_needs_it():
    result = run_python(
        """
import json
import pint
built = []
original = pint.UnitRegistry.__init__
def counting(self, *args, **kwargs):
    built.append(1)
    original(self, *args, **kwargs)
pint.UnitRegistry.__init__ = counting
from cathode_lca.units import conversion_factor, registry
a = conversion_factor("BTU", "MJ")          # not in the fast table: needs pint
b = conversion_factor("lb", "kg")
c = conversion_factor("kWh", "MJ")          # fast table, no pint
print(json.dumps({"built": len(built), "a": a, "b": b, "c": c, "same": registry() is registry()}))
"""
    )
    assert result["built"] == 1
    assert abs(result["a"] - 1.05505585262e-3) < 1e-9  # 1 Btu (IT) = 1055.05585262 J
    assert abs(result["b"] - 0.45359237) < 1e-12  # 1 lb = 0.45359237 kg exactly
    assert abs(result["c"] - 3.6) < 1e-12


def test_units_of_a_brightway_background_need_no_pint_registry():
    # the units BRIGHTWAY_UNITS maps ecoinvent's names to: bw2data already builds pint's registry
    # once (bw2parameters), so ours should not be a second one for these
    result = run_python(
        """
import json
from cathode_lca.units import conversion_factor, registry
factors = {
    "m**3 -> L": conversion_factor("m**3", "L"),
    "t*km -> kg*km": conversion_factor("t*km", "kg*km"),
    "h -> s": conversion_factor("h", "s"),
    "kWh -> MJ": conversion_factor("kWh", "MJ"),
    "dm**3 -> m3": conversion_factor("dm**3", "m3"),
    "m**2 -> m*m": conversion_factor("m**2", "m*m"),
}
print(json.dumps({"registries": registry.cache_info().currsize, **factors}))
"""
    )
    assert result.pop("registries") == 0
    assert result == {
        "m**3 -> L": 1000.0,
        "t*km -> kg*km": 1000.0,
        "h -> s": 3600.0,
        "kWh -> MJ": 3.6,
        "dm**3 -> m3": 0.001,
        "m**2 -> m*m": 1.0,
    }
