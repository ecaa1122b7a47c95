"""compute --tree: the contribution tree adds up at every node and agrees with the LCA score."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.lca import default_model
from cathode_lca.report.tree import TreeNode, contribution_tree


def _check(node: TreeNode, depth: int, level: int = 1) -> int:
    parts = node.direct + node.hidden_total + sum(c.total for c in node.children)
    assert parts == pytest.approx(node.total, rel=1e-9, abs=1e-12)
    totals = [abs(c.total) for c in node.children]
    assert totals == sorted(totals, reverse=True)  # largest first
    assert level <= depth
    return max([level, *(_check(c, depth, level + 1) for c in node.children)])


@pytest.mark.parametrize("dataset", ["cam-nmc811-virgin", "recycling-hydrometallurgical", "cam-lfp-direct"])
@pytest.mark.parametrize("method", ["ipcc2021-gwp100", "water"])
def test_tree_adds_up_and_matches_the_score(dataset, method):
    model = default_model()
    root = contribution_tree(model, dataset, amount=2.0, method=method, depth=4, cutoff=0.0)
    score = float(model.calculate({dataset: 2.0}, methods=[method]).score.squeeze())
    assert root.total == pytest.approx(score, rel=1e-9)
    assert _check(root, 4) <= 4


def test_tree_depth_and_cutoff_hide_the_rest():
    model = default_model()
    shallow = contribution_tree(model, "cam-nmc811-virgin", depth=1)
    assert shallow.children == [] and shallow.hidden > 0
    assert shallow.direct + shallow.hidden_total == pytest.approx(shallow.total, rel=1e-9)
    coarse = contribution_tree(model, "cam-nmc811-virgin", depth=3, cutoff=0.2)
    assert all(abs(c.total) >= 0.2 * abs(coarse.total) for c in coarse.children)


def test_compute_tree_cli_text_and_json():
    runner = CliRunner()
    text = runner.invoke(cli, ["compute", "cam-nmc811-virgin", "--tree", "--depth", "2", "--indicator", "gwp100"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[1].startswith("25.49 kg CO2-eq  (100.0 %)  cam-nmc811-virgin")
    assert any(line.startswith("├─ ") for line in lines)
    out = runner.invoke(cli, ["compute", "cam-nmc811-virgin", "--tree", "--format", "json", "--indicator", "energy"])
    payload = json.loads(out.stdout)
    assert payload[0]["method"] == "ced" and payload[0]["tree"]["label"] == "cam-nmc811-virgin"
