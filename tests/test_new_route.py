"""A new recycling route is a data-only change: examples/new-route through the CLI (compare, uncertainty,
passport, validate), with no Python edit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cathode_lca.cli import main

ROOT = Path(__file__).resolve().parents[1]
ROUTE = str(ROOT / "examples/new-route/solvent-extraction.yaml")
BATTERY = (ROOT / "examples/battery-nmc811.yaml").read_text()

pytestmark = pytest.mark.slow


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    main(args)
    return json.loads(capsys.readouterr().out)


def test_validate_accepts_the_route_and_its_balances_close(capsys):
    main(["validate", "--inventory", ROUTE])  # returns (exit code 0) only when every check passes
    assert "OK" in capsys.readouterr().out


def test_compare_lists_the_route_for_salt_units(capsys):
    args = ["compare", "NMC811", "--unit", "kg-salt:nickel-sulfate", "--indicator", "gwp100", "--format", "json"]
    rows = _json([*args, "--inventory", ROUTE], capsys)["results"]
    by_route = {r["route"]: r for r in rows}
    assert set(by_route) >= {"virgin", "hydrometallurgical", "solvent-extraction"}
    assert np.isfinite(by_route["solvent-extraction"]["value"]) and by_route["solvent-extraction"]["value"] > 0
    # without the file the route does not exist
    shipped = {r["route"] for r in _json(args, capsys)["results"]}
    assert "solvent-extraction" not in shipped


def test_uncertainty_takes_the_route(capsys):
    args = ["uncertainty", "NMC811", "--unit", "kg-salt:cobalt-sulfate", "--route", "virgin"]
    args += ["--route", "solvent-extraction", "--samples", "16", "--seed", "3", "--indicator", "gwp100"]
    out = _json([*args, "--format", "json", "--inventory", ROUTE], capsys)
    routes = [r["route"] for r in out["results"]]
    assert routes == ["virgin", "solvent-extraction"]


def test_a_battery_declaration_recycles_by_the_route(tmp_path, capsys):
    battery = tmp_path / "battery.yaml"
    assert "\n  route: hydrometallurgical\n" in BATTERY
    battery.write_text(BATTERY.replace("\n  route: hydrometallurgical\n", "\n  route: solvent-extraction\n"))
    declaration = _json(["passport", str(battery), "--format", "json", "--inventory", ROUTE], capsys)
    annex = declaration["calculation"]["annexXII"]
    assert annex["route"] == "solvent-extraction"
    # by hand: the feed's Ni is all in its CAM; pre-processing captures 95 % of it in black mass (EverBatt
    # 'Preproc. Par.'!AD102) and the route recovers 98 % of that (hydro_recovery_ni): 0.95 x 0.98 = 93.1 %
    assert annex["materialRecovery"]["Ni"]["materialRecoveryPercent"] == pytest.approx(95 * 0.98, rel=1e-9)
    # no Li is recovered (the example's illustrative assumption)
    assert annex["materialRecovery"]["Li"]["recoveredKgPerKgFeed"] == 0.0
    # the shipped inventories do not know the route: refused with the file, line and choices
    with pytest.raises(SystemExit) as info:
        main(["passport", str(battery)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "unknown end-of-life route 'solvent-extraction'" in err
