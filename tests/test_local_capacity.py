"""The local-capacity example: local recycling against export, through the CLI, as the README says."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "local-capacity"


def _run(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _compare(case):
    payload = _run(
        ["compare", "NMC811", "--scenario", str(EXAMPLE / f"{case}.yaml"), "--indicator", "gwp100", "--format", "json"]
    )
    return {r["route"]: r["value"] for r in payload["results"]}, payload["metadata"]


def _readme_sweep():
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- local-capacity-sweep -->", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    args = shlex.split(block.strip())
    assert args[:2] == ["cathode-lca", "sweep"]
    return args[1:]


@pytest.mark.slow
def test_the_readme_sweep_is_the_two_scenario_files(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository root
    local, local_meta = _compare("local")
    export, export_meta = _compare("export")
    assert local_meta["electricity_supply"]["electricity-recycler"] == ["electricity-grid-de"]
    assert export_meta["electricity_supply"]["electricity-recycler"] == ["electricity-grid-cn"]
    for meta in (local_meta, export_meta):  # the cathode plant stays in Germany in both cases
        assert meta["electricity_supply"]["electricity-cam-plant"] == ["electricity-grid-de"]
    assert local["virgin"] == export["virgin"]  # only the recycler and the shipments move
    assert all(export[r] > local[r] for r in ("hydrometallurgical", "pyrometallurgical"))

    args = _readme_sweep()
    plot = tmp_path / "local-capacity.png"
    args[args.index("--plot") + 1] = str(plot)
    payload = _run([*args, "--indicator", "gwp100", "--format", "json", "--no-progress"])
    rows = {(r["route"], int(r["scenario"])): r["value"] for r in payload["results"]}
    for route, value in local.items():  # an independent path: raw parameters, not legs summed from a file
        assert rows[(route, 0)] == pytest.approx(value, rel=1e-6)
        assert rows[(route, 1)] == pytest.approx(export[route], rel=1e-6)
    assert plot.stat().st_size > 0
