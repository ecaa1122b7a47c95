"""Figures that the data pages state about the package's own results, checked against the CLI and by hand.

A user reads these pages to judge an option; a figure that belongs to another configuration (e.g. the
`everbatt-2023` scenario) misleads. Each test names the page, the sentence and the inputs of the hand check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli

REPO = Path(__file__).resolve().parent.parent


def _co_per_kg_system_expansion(*extra: str) -> float:
    args = ["compare", "NMC811", "--unit", "kg-metal:Co", "--allocation", "system-expansion"]
    args += ["--indicator", "gwp100", "--route", "hydrometallurgical", "--format", "json", *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]
    return float(next(r["value"] for r in rows if r["route"] == "hydrometallurgical"))


def test_allocation_page_states_the_default_system_expansion_result_for_cobalt() -> None:
    """docs/data/allocation.md, 'Why economic is the default': Co per kg under system expansion (hydro).

    The page's figure must be what `compare NMC811 --unit kg-metal:Co --allocation system-expansion` gives at
    the defaults. The gap to EverBatt's 1:1 credits (scenario everbatt-2023) is, by hand, the credit that the
    quality ratios remove, per kg Co:
    [graphite 0.3556 x (1 - 0.2/1.568) x 9.11166 + Al scrap 0.05152 x 0.9 / 0.6996 x (1 - 1.1175/2.06961)
    x 5.905331] / Co 0.03458, all per kg black mass (EverBatt 2023 'CM Rec Par.'!CD127, CD130 and
    'Preproc. Par.'!AD103, cell Al 0.05152, black mass 0.6996 per kg cell); GREET 2022 graphite 9.11166 and
    aluminium CO2 + 29.8 CH4 + 273 N2O = 5.905331 kg CO2e/kg; quality ratios: EverBatt's graphite value 0.2
    USD/kg over the USGS MCS 2020 flake graphite 2015-2019 mean 1,568 USD/t, EverBatt's aluminium scrap value
    1.1175 USD/kg over the Pink Sheet aluminium 2015-2024 mean 2,069.61 USD/t.
    """
    text = " ".join((REPO / "docs" / "data" / "allocation.md").read_text(encoding="utf-8").split())
    match = re.search(r"under system expansion: −(\d+) kg CO2e/kg hydro", text)
    assert match, "the sentence on Co under system expansion was not found in docs/data/allocation.md"
    stated = -float(match.group(1))
    default = _co_per_kg_system_expansion()
    assert stated == pytest.approx(default, abs=0.5), f"the page says {stated}, compare gives {default:.2f}"

    removed_credit = (
        0.3556 * (1 - 0.2 / 1.568) * 9.11166 + 0.05152 * 0.9 / 0.6996 * (1 - 1.1175 / 2.06961) * 5.905331
    ) / 0.03458
    everbatt = _co_per_kg_system_expansion("--scenario", "everbatt-2023")
    assert default - everbatt == pytest.approx(removed_credit, rel=2e-3)
    scenario = re.search(r"−(\d+) with EverBatt's 1:1 credits", text)
    assert scenario and -float(scenario.group(1)) == pytest.approx(everbatt, abs=0.5)
