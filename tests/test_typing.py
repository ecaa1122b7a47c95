"""mypy on ``src/`` with the ``[tool.mypy]`` configuration of ``pyproject.toml``: zero errors.

CI runs only the README's test command, so the type checker runs here. The run takes about a
minute on a cold cache, hence ``slow``. Run it alone with ``python -m pytest tests/test_typing.py``
or directly with ``python -m mypy src``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ERROR = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? error: (?P<message>.*)$", re.MULTILINE)


def mypy_errors(args: list[str]) -> tuple[list[str], str, int]:
    """``(error lines, full report, exit status)`` of one mypy run with *args*."""
    from mypy import api

    stdout, stderr, status = api.run(args)
    report = stdout + stderr
    return [m.group(0) for m in ERROR.finditer(report)], report, status


@pytest.mark.slow
def test_the_error_collector_sees_an_error(tmp_path):
    """The harness itself can fail: a known type error, checked under the project's configuration."""
    bad = tmp_path / "bad.py"
    bad.write_text("x: int = 'text'\n", encoding="utf-8")
    errors, report, status = mypy_errors(["--config-file", str(ROOT / "pyproject.toml"), str(bad)])
    assert status == 1, report
    assert len(errors) == 1 and "bad.py:1: error: Incompatible types in assignment" in errors[0], report


@pytest.mark.slow
def test_mypy_reports_no_error_in_src():
    errors, report, status = mypy_errors(["--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "src")])
    assert not errors, f"mypy reports {len(errors)} error(s) in src/:\n" + "\n".join(errors)
    assert status == 0, report  # e.g. a configuration error without 'error:' lines
    assert "Success: no issues found" in report, report
