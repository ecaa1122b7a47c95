"""A killed Brightway export leaves the old project or the complete new one, never a mix.

The kills are SIGKILLs of real subprocesses, paused at the worst moments: after the databases
are written but before their parameters (the audit's half-written projects), and just before
the swap. The three-rename fallback (no renameat2) is cut short in process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import DATA

from cathode_lca.brightway import staging
from cathode_lca.brightway.export import export_to_brightway
from cathode_lca.errors import UsageError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method

pytestmark = pytest.mark.brightway  # needs bw2data / bw2calc / bw_processing

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from cathode_lca.brightway import export as bw_export, staging
    from cathode_lca.brightway.export import export_to_brightway
    from cathode_lca.brightway.project import import_bw2data
    from cathode_lca.errors import CathodeLCAError
    mode, data = sys.argv[1], Path(sys.argv[2])

    def pause(name, fn):
        def inner(*args, **kwargs):
            # the real stdout: the export runs inside quiet_brightway, which captures sys.stdout
            print("PAUSE", name, file=sys.__stdout__, flush=True)
            time.sleep(600)
            return fn(*args, **kwargs)
        return inner

    if mode.startswith("export"):
        from cathode_lca.inventory.load import load_inventory
        from cathode_lca.lca import LCAModel
        from cathode_lca.methods import load_method
        files, overwrite, kill_at = sys.argv[3].split(","), sys.argv[4] == "1", sys.argv[5]
        if kill_at == "parameters":
            bw_export._write_parameters = pause(kill_at, bw_export._write_parameters)
        if kill_at == "swap":
            staging._exchange = pause(kill_at, staging._exchange)
        model = LCAModel(load_inventory([data / f for f in files], cache=False))
        try:
            export_to_brightway("p", model, methods=[load_method("test-gwp", str(data / "method-test.yaml"))],
                                overwrite=overwrite)
        except CathodeLCAError as exc:
            print("ERROR", exc, flush=True)
            sys.exit(2)
        print("DONE", flush=True)
    else:
        bd = import_bw2data()
        if mode == "recover":
            staging.recover("p")
        projects = sorted(p.name for p in bd.projects)
        state = None
        if "p" in projects:
            bd.projects.set_current("p")
            from bw2data.parameters import ActivityParameter, DatabaseParameter
            state = {
                "databases": {n: len(bd.Database(n)) for n in sorted(bd.databases)},
                "database_parameters": sorted(p.name for p in DatabaseParameter.select()),
                "activity_parameters": sorted(p.name for p in ActivityParameter.select()),
                "methods": sorted("/".join(m) for m in bd.methods),
            }
        print(json.dumps({"projects": projects, "state": state}))
    """
)


@pytest.fixture
def worker(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    (tmp_path / "bw").mkdir()
    env = {**os.environ, "BRIGHTWAY2_DIR": str(tmp_path / "bw"), "CATHODE_LCA_NO_CACHE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(script), args[0], str(DATA), *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    def killed(*args: str) -> None:
        proc = subprocess.Popen(
            [sys.executable, str(script), args[0], str(DATA), *args[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        try:
            line = proc.stdout.readline()
            assert line.startswith("PAUSE"), line
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL

    def state(mode: str = "state") -> dict:
        proc = run(mode)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    run.killed = killed
    run.state = state
    return run


@pytest.mark.slow
def test_sigkill_during_overwrite_keeps_the_old_project_then_the_swap_completes(worker):
    assert worker("export", "chain.yaml", "0", "-").returncode == 0
    old = worker.state()["state"]
    assert old["database_parameters"] and old["methods"]

    # killed with the databases written but not their parameters: the project is untouched
    worker.killed("export", "multi.yaml", "1", "parameters")
    seen = worker.state()
    assert seen["state"] == old and staging.staging_name("p") in seen["projects"]
    repaired = worker.state("recover")
    assert repaired["state"] == old
    assert "p" in repaired["projects"] and staging.staging_name("p") not in repaired["projects"]
    # a plain re-run is refused with the usual hint (the old export is complete), not a mystery
    again = worker("export", "chain.yaml", "0", "-")
    assert again.returncode == 2 and "--overwrite" in again.stdout

    # killed when the new export is complete, just before the swap: old until repaired, then new
    worker.killed("export", "multi.yaml", "1", "swap")
    assert worker.state()["state"] == old
    repaired = worker.state("recover")
    assert staging.staging_name("p") not in repaired["projects"]
    new = repaired["state"]
    assert new != old
    # the repaired project is the complete new export: identical to an uninterrupted one
    assert worker("export", "multi.yaml", "1", "-").returncode == 0
    assert worker.state()["state"] == new


@pytest.mark.slow
def test_sigkill_during_a_fresh_export_leaves_no_project(worker):
    worker.killed("export", "chain.yaml", "0", "parameters")
    seen = worker.state()["projects"]
    assert "p" not in seen and staging.staging_name("p") in seen
    repaired = worker.state("recover")["projects"]
    assert "p" not in repaired and staging.staging_name("p") not in repaired
    done = worker("export", "chain.yaml", "0", "-")  # the re-run is not refused
    assert done.returncode == 0, done.stdout + done.stderr
    assert worker.state()["state"]["database_parameters"]


def _state(bd, project):
    from bw2data.parameters import ActivityParameter, DatabaseParameter

    bd.projects.set_current(project)
    return {
        "databases": {n: len(bd.Database(n)) for n in sorted(bd.databases)},
        "database_parameters": sorted(p.name for p in DatabaseParameter.select()),
        "activity_parameters": sorted(p.name for p in ActivityParameter.select()),
        "methods": sorted("/".join(m) for m in bd.methods),
    }


@pytest.mark.slow
def test_three_rename_swap_cut_short_is_completed(bd, monkeypatch):
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    chain = LCAModel(load_inventory([DATA / "chain.yaml"], cache=False))
    multi = LCAModel(load_inventory([DATA / "multi.yaml"], cache=False))
    export_to_brightway("q", multi, methods=[method])
    new = _state(bd, "q")
    export_to_brightway("p", chain, methods=[method])
    old = _state(bd, "p")
    bd.projects.set_current("default")

    def no_renameat2(*args, **kwargs):
        raise OSError("no renameat2 here")

    real_rename = os.rename
    calls = []

    def killed_after_first_rename(a, b):
        calls.append((a, b))
        if len(calls) == 2:
            raise KeyboardInterrupt  # what a kill between the two renames leaves behind
        real_rename(a, b)

    monkeypatch.setattr(staging.ctypes, "CDLL", no_renameat2)
    monkeypatch.setattr(staging.os, "rename", killed_after_first_rename)
    with pytest.raises(KeyboardInterrupt):
        export_to_brightway("p", multi, methods=[method], overwrite=True)
    monkeypatch.setattr(staging.os, "rename", real_rename)
    target = calls[0][0]
    assert not os.path.exists(target)  # the old folder is moved aside, the new one not yet in place
    assert "completed" in staging.recover("p")
    assert _state(bd, "p") == new != old
    assert staging.staging_name("p") not in bd.projects


def test_recover_without_anything_to_do(bd):
    assert staging.recover("nothing here") is None


def test_unreadable_journal_is_a_clear_error(bd):
    journal = staging._journal_path(bd, "p")
    journal.write_text("{not json")
    with pytest.raises(UsageError, match="unreadable") as info:
        staging.recover("p")
    assert "delete it" in info.value.hint
    journal.unlink()


@pytest.mark.slow
def test_a_leftover_staging_folder_does_not_block_the_next_export(bd):
    from bw_processing import safe_filename

    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    chain = LCAModel(load_inventory([DATA / "chain.yaml"], cache=False))
    export_to_brightway("p", chain, methods=[method])
    bd.projects.set_current("p")
    leftover = bd.projects._base_data_dir / safe_filename(staging.staging_name("p"), full=bd.projects.dataset.full_hash)
    leftover.mkdir()  # a kill between deleting the staging project's row and its folder
    (leftover / "junk").write_text("x")
    export_to_brightway("p", chain, methods=[method], overwrite=True)
    assert not leftover.exists() and staging.staging_name("p") not in bd.projects
