"""The README's first screen holds the two fresh-machine commands, and CI runs the second one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    first_screen = text.split("---", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", first_screen, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_has_exactly_two_commands():
    commands = _commands()
    assert len(commands) == 2
    assert "cathode-lca compare" in commands[0]
    assert '".[test]"' in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    test_command = _commands()[1].split("&& ", 2)[-1]  # after venv creation and activation
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci
