"""Every command and the scenario example of docs/exchange.md run as written (they were not run in CI)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.exchange.pact import product_footprint

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "exchange.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), flags=re.S)


def _commands() -> list[str]:
    lines = [line for block in _blocks("bash") for line in block.replace("\\\n", " ").splitlines()]
    return [line.strip() for line in lines if line.strip().startswith("cathode-lca ")]


def test_the_doc_has_the_commands_this_test_runs():
    verbs = [shlex.split(c)[1] for c in _commands()]
    assert verbs.count("compare") == 2 and "compute" in verbs and "passport" in verbs and "exchange" in verbs
    assert len(_blocks("yaml")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("command", _commands())
def test_every_documented_command_runs(command, tmp_path, monkeypatch):
    if " olca " in command:
        pytest.importorskip("olca_schema")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "supplier.yaml").write_text(_blocks("yaml")[0])  # the doc's scenario, as written
    supplier = product_footprint(
        6.0,
        company="Supplier",
        cpc="34240",
        product="nickel sulfate",
        period=(2023, 2023),
        created="2026-01-01T00:00:00Z",
    )
    (tmp_path / "supplier-niso4.json").write_text(json.dumps(supplier))
    result = CliRunner().invoke(cli, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, f"{command}\n{result.output}"
    for out in re.findall(r"--(?:pact|out) (\S+)", command):
        assert (tmp_path / out).stat().st_size > 0
    if "--scenario supplier.yaml" in command:
        payload = json.loads(result.stdout)
        (entry,) = payload["metadata"]["supplier_footprints"]
        assert entry["dataset"] == "nickel-sulfate-greet2022" and entry["gwp100_per_unit"] == 6.0
