"""The refiners' own electricity: as cited by default, movable and contractable without touching the plants."""

from __future__ import annotations

import json

import pytest

from cathode_lca.lca import default_model
from cathode_lca.parameters.scenarios import parse_scenario_text

GWP = ["ipcc2021-gwp100"]
NISO4 = "nickel-sulfate-glo-istrate2024"  # Istrate et al. (2024): 1.0205 kWh of the GLO grid per kg NiSO4
KWH = 1.0205


@pytest.fixture(scope="module")
def model():
    return default_model()


def _gwp(model, product, **params):
    ds = model.calculate({product: 1.0}, methods=GWP, parameters=params)
    return float(ds.score.sel(lcia_method="ipcc2021-gwp100")), json.loads(ds.attrs.get("electricity_supply", "{}"))


def test_a_refiner_keeps_its_cited_grid_unless_moved(model):
    base, supply = _gwp(model, NISO4)
    assert supply["electricity-refinery-world"] == ["electricity-grid-world"]
    world, _ = _gwp(model, "electricity-grid-world")
    fr, _ = _gwp(model, "electricity-grid-fr")
    moved, supply = _gwp(model, NISO4, refinery_region="FR")
    assert supply["electricity-refinery-world"] == ["electricity-grid-fr"]
    # by hand: only the refining step's 1.0205 kWh change grid (upstream matte and mining keep theirs)
    assert moved - base == pytest.approx(KWH * (fr - world), rel=1e-9)
    # the shortcut does not move the refiners: their sites are data of their sources
    assert _gwp(model, NISO4, plant_region="FR")[0] == base


def test_a_refiner_contract_and_the_plants(model):
    base, _ = _gwp(model, NISO4)
    world, _ = _gwp(model, "electricity-grid-world")
    zero, supply = _gwp(
        model, NISO4, refinery_electricity_supply="supplier-specific", refinery_supplier_electricity_ghg=0.0
    )
    assert supply["electricity-refinery-world"] == ["electricity-supplier-specific-refinery"]
    assert zero - base == pytest.approx(-KWH * world, rel=1e-9)
    # a refinery contract leaves the recycler and the cathode plant alone, and the reverse
    hydro = "cam-nmc811-hydrometallurgical"
    assert _gwp(model, hydro, refinery_electricity_supply="supplier-specific")[0] == _gwp(model, hydro)[0]
    assert _gwp(model, NISO4, recycler_region="FR", cam_plant_region="FR")[0] == base


def test_as_cited_residual_without_a_residual_mix_keeps_the_grid(model):
    # China has no AIB residual mix: the cited CN grid stays (no silent zero), as for the plants
    cobalt = "cobalt-sulfate-cn-istrate2024"
    base, _ = _gwp(model, cobalt)
    ds = model.calculate({cobalt: 1.0}, methods=GWP, parameters={"refinery_electricity_supply": "residual"})
    assert float(ds.score.sel(lcia_method="ipcc2021-gwp100")) == base
    assert json.loads(ds.attrs["electricity_supply"])["electricity-refinery-cn"] == ["electricity-grid-cn"]
    assert any("no residual mix exists for refinery_region as-cited" in w for w in json.loads(ds.attrs["warnings"]))


def test_a_plant_profile_moves_the_refiners(model):
    text = (
        "format: cathode-lca-scenario/1\nname: t\nplant:\n  name: p\n  route: hydrometallurgical\n"
        "  electricity:\n    refinery: {supply: residual-mix, region: FR, source: AIB 2024}\n"
    )
    sc = parse_scenario_text(text, "p.yaml", model.parameters)
    assert sc.values["refinery_electricity_supply"].value == "residual"
    assert sc.values["refinery_region"].value == "FR"
