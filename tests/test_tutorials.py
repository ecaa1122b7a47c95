"""The per-group tutorials in docs/tutorials/ run as written (issue 16: "examples must run in CI")."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"


def blocks(name: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (TUTORIALS / name).read_text(), flags=re.S)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["library.md", "researchers.md"])
def test_python_tutorial_blocks_run_in_order(name, tmp_path):
    found = blocks(name, "python")
    assert len(found) >= 3
    for block in found:  # in a scratch folder: the researchers' tutorial writes its own inventory file
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, f"{name}:\n{block}\n{result.stderr}"


@pytest.mark.slow
def test_cli_tutorial_commands_run(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    commands = [line for block in blocks("cli.md", "bash") for line in block.splitlines() if line.strip()]
    assert len(commands) >= 12 and all(c.startswith("cathode-lca ") for c in commands)
    for command in commands:
        args = shlex.split(command)[1:]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
    for written in ["nmc811.csv", "nmc811.json", "stages.svg", "processes.svg", "nmc811.xlsx", "nmc811.html"]:
        assert (tmp_path / written).stat().st_size > 0, written
