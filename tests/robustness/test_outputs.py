"""Outputs: never through links or devices, never silently replaced, modes kept, no leftovers."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from cathode_lca import io as safe_io
from cathode_lca.cli import cli
from cathode_lca.errors import OutputError, UsageError
from cathode_lca.io import check_writable, write_text_atomic, write_with

COMPUTE = ["compute", "sulfuric-acid-greet2022", "--format", "json", "--no-contributions"]


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or ".probe." in p.name)


def test_device_is_never_replaced():
    # as root, the audit replaced /dev/full with a JSON file; /dev/null exists on every POSIX system
    before = os.stat("/dev/null")
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="is a device"):
            write_text_atomic("/dev/null", "{}", overwrite=overwrite)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_cli_refuses_a_device_before_computing(monkeypatch):
    import cathode_lca.cli.model as model_commands  # where compute's scenario_model looks the model up

    def must_not_compute(*args, **kwargs):
        raise AssertionError("computed before checking the output")

    monkeypatch.setattr(model_commands, "model_with_background", must_not_compute)
    result = CliRunner().invoke(cli, [*COMPUTE, "--out", "/dev/null", "--overwrite"])
    assert isinstance(result.exception, OutputError) and "device" in str(result.exception)


def test_symlink_is_refused_even_with_overwrite(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        write_text_atomic(link, "{}", overwrite=True)
    assert link.is_symlink() and victim.read_text() == "precious"


def test_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    for overwrite in (False, True):
        with pytest.raises(OutputError, match="symbolic link"):
            check_writable(link, overwrite)
        with pytest.raises(OutputError, match="symbolic link"):
            write_text_atomic(link, "{}", overwrite=overwrite)
    assert link.is_symlink() and not (tmp_path / "elsewhere.json").exists()


def test_folder_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="folder"):
        write_text_atomic(tmp_path / "d", "{}", overwrite=True)


def test_second_concurrent_writer_fails_cleanly(tmp_path):
    target = tmp_path / "out.json"
    check_writable(target, False)  # both runs pass the early check ...

    def other_run_finishes_first(tmp: str) -> None:
        target.write_text("first run's result")  # ... then the other one links its file first

    with pytest.raises(UsageError, match="created by another process"):
        write_with(target, other_run_finishes_first)
    assert target.read_text() == "first run's result"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        write_text_atomic(tmp_path / "out.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == expected


@pytest.mark.slow
def test_overwrite_keeps_the_mode(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_text_atomic(target, "new", overwrite=True)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o644
    os.chmod(target, 0o640)
    result = CliRunner().invoke(cli, [*COMPUTE, "--out", str(target), "--overwrite"])
    assert result.exit_code == 0, result.output
    assert '"dataset": "sulfuric-acid-greet2022"' in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_read_only_folder_is_reported_before_computing(tmp_path, monkeypatch):
    import cathode_lca.cli.model as model_commands  # where compute's scenario_model looks the model up

    def read_only(*args, **kwargs):  # what mkstemp raises in a read-only folder (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe_io.tempfile, "mkstemp", read_only)
    monkeypatch.setattr(model_commands, "model_with_background", lambda *a, **k: pytest.fail("computed first"))
    result = CliRunner().invoke(cli, [*COMPUTE, "--out", str(tmp_path / "out.json")])
    assert isinstance(result.exception, OutputError)
    assert "cannot write in folder" in str(result.exception) and "Permission denied" in str(result.exception)


def test_full_disk_is_a_clean_error_without_leftovers(tmp_path):
    def fills_the_disk(tmp: str) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        write_with(tmp_path / "out.nc", fills_the_disk)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_file_size_limit_is_a_clean_error(tmp_path):
    import resource  # noqa: F401  (POSIX; the script below uses it to set the file-size limit)

    out = tmp_path / "out.json"
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
        from cathode_lca.cli import main
        main({[*COMPUTE, "--out", str(out)]!r})
        """
    )
    env = {**os.environ, "CATHODE_LCA_NO_CACHE": "1"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "File too large" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_sigterm_during_a_write_removes_the_temporary_file(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from cathode_lca.io import write_with
        def writer(tmp):
            open(tmp, "w").write("half")
            os.kill(os.getpid(), signal.SIGTERM)
        write_with({str(tmp_path / "out.nc")!r}, writer)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_run_are_removed_by_the_next_write(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.json.{dead.pid}.abc123.part"
    stale.write_text("half")
    alive = tmp_path / f".out.json.{os.getppid()}.def456.part"  # a running process: not touched
    alive.write_text("in progress")
    write_text_atomic(tmp_path / "out.json", "{}")
    assert not stale.exists() and alive.exists()
