"""Partition of multi-output recycling steps for metal and salt functional units (issue 9, section 1)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli, main
from cathode_lca.comparison import compare
from cathode_lca.errors import UsageError
from cathode_lca.lca import default_model
from cathode_lca.result_warnings import warnings_of

GWP = ["gwp100"]


def _gwp(ds, route):
    return float(ds.value.sel(route=route, indicator="gwp100"))


@pytest.mark.parametrize("allocation", ["none", "cut-off"])
@pytest.mark.parametrize("unit", ["kg-metal:Co", "kg-salt:nickel-sulfate"])
@pytest.mark.slow
def test_meaningless_allocation_is_refused(unit, allocation):
    with pytest.raises(UsageError, match="has no meaning") as info:
        compare("NMC811", unit=unit, allocation=allocation, indicators=GWP)
    assert "--allocation economic" in info.value.hint


@pytest.mark.slow
def test_cli_refusal_exits_2_and_names_the_option(capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", "NMC811", "--unit", "kg-metal:Co", "--allocation", "none"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "whole feed treatment" in err and "--allocation economic" in err
    assert "Traceback" not in err


def test_virgin_only_needs_no_partition():
    ds = compare("NMC811", unit="kg-metal:Co", allocation="none", routes=["virgin"], indicators=GWP)
    assert np.isfinite(_gwp(ds, "virgin"))


def test_default_for_metal_units_is_economic_and_counts_the_treatment_once():
    """Before the fix, Co carried the whole feed treatment: 112 kg CO2e/kg, +517 % vs virgin."""
    ds = compare("NMC811", unit="kg-metal:Co", indicators=GWP)
    assert ds.attrs["allocation"] == "economic"
    # the burden of one kg of feed is shared: the per-kg results of all co-products, weighted by
    # their amounts, add up to the unallocated treatment (checked in the recomputation test);
    # here only that Co no longer carries all of it
    assert _gwp(ds, "hydrometallurgical") < 0.5 * 112


def _block(ds, route, process):
    entries = json.loads(ds.attrs["allocation_partition"])
    return next(e for e in entries if e["route"] == route and e["process"] == process)


@pytest.mark.parametrize("allocation", ["economic", "mass"])
def test_factors_of_each_process_sum_to_one(allocation):
    ds = compare("NMC811", unit="kg-metal:Ni", allocation=allocation, indicators=GWP)
    entries = json.loads(ds.attrs["allocation_partition"])
    assert {e["process"] for e in entries} >= {"recycling-hydrometallurgical", "recycling-pyrometallurgical"}
    for e in entries:
        assert sum(c["factor"] for c in e["coproducts"]) == pytest.approx(1.0, rel=1e-12)
        for c in e["coproducts"]:
            assert {"product", "amount", "unit", "factor", "basis_value", "source"} <= set(c)
            assert c["source"]


def test_verifier_recomputes_the_economic_result_from_the_block():
    """Independent recomputation of 1 kg recycled Co (hydro, economic) from the JSON block.

    Unallocated pieces (allocation 'none'): T = treatment of 1 kg feed incl. its black mass,
    P = 1 kg black mass incl. its feed, conv = converting Co2+ to CoSO4. With the block's
    factors f and amounts x: Co per kg = conv + f_Co / x_Co * (T - bm*P + bm * f_bm / x_bm * P).
    """
    result = CliRunner().invoke(
        cli, ["compare", "NMC811", "--unit", "kg-metal:Co", "--indicator", "gwp100", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["allocation_option"] == "economic"
    blocks = {(e["route"], e["process"]): e for e in payload["allocation"]}
    hydro = {c["product"]: c for c in blocks[("hydrometallurgical", "recycling-hydrometallurgical")]["coproducts"]}
    bm = {c["product"]: c for c in blocks[("hydrometallurgical", "black-mass")]["coproducts"]}
    # economic factor = amount x price / sum(amount x price), from the block's own numbers
    weights = {p: c["amount"] * c["basis_value"] for p, c in hydro.items()}
    for p, c in hydro.items():
        assert c["factor"] == pytest.approx(weights[p] / sum(weights.values()), rel=1e-12)

    model = default_model()
    params = {"plant_region": "US", "feed_chemistry": "NMC811"}
    env = model.parameters.evaluate(params)

    def none(demand):
        ds = model.calculate(demand, methods=["ipcc2021-gwp100"], parameters=params, allocation="none")
        return float(ds.score.sel(lcia_method="ipcc2021-gwp100"))

    bm_per_feed = float(np.ravel(env[model.parameters.key("bm_per_feed")])[0])
    co_in_coso4 = float(np.ravel(env[model.parameters.key("co_in_coso4")])[0])
    treatment, black_mass = none({"recycling-hydrometallurgical": 1.0}), none({"black-mass": 1.0})
    conversion = none({"cobalt-sulfate-recycled-hydrometallurgical": 1.0 / co_in_coso4})
    co, f_bm = hydro["cobalt-in-product-hydrometallurgical"], bm["black-mass"]["factor"] / bm["black-mass"]["amount"]
    own = treatment - bm_per_feed * black_mass  # the treatment without its black mass
    expected = conversion + co["factor"] / co["amount"] * (own + bm_per_feed * f_bm * black_mass)
    got = next(r["value"] for r in payload["results"] if r["route"] == "hydrometallurgical")
    assert got == pytest.approx(expected, rel=1e-9)


def test_mass_basis_is_contained_element_for_crude_li2co3():
    ds = compare("NMC811", unit="kg-metal:Ni", allocation="mass", routes=["hydrometallurgical"], indicators=GWP)
    block = {c["product"]: c for c in _block(ds, "hydrometallurgical", "recycling-hydrometallurgical")["coproducts"]}
    li_in_li2co3 = 2 * 6.94 / (2 * 6.94 + 12.011 + 3 * 15.999)  # IUPAC conventional atomic weights
    assert block["lithium-carbonate-crude-hydrometallurgical"]["basis_value"] == pytest.approx(li_in_li2co3, rel=2e-3)
    assert block["nickel-in-product-hydrometallurgical"]["basis_value"] == 1.0


def test_system_expansion_names_the_avoided_products():
    ds = compare("NMC811", unit="kg-metal:Co", allocation="system-expansion", indicators=GWP)
    block = {c["product"]: c for c in _block(ds, "hydrometallurgical", "recycling-hydrometallurgical")["coproducts"]}
    assert block["cobalt-in-product-hydrometallurgical"]["factor"] == 1.0
    assert block["nickel-in-product-hydrometallurgical"]["avoided"] == "nickel-sulfate-virgin"
    assert block["lithium-carbonate-crude-hydrometallurgical"]["avoided"] == "lithium-carbonate-virgin"
    assert block["graphite-recovered-hydrometallurgical"]["avoided"]


def test_lfp_per_kg_lithium_shows_every_route_the_data_support():
    """Before the fix only the virgin row appeared for LFP per kg Li."""
    ds = compare("LFP", unit="kg-metal:Li", indicators=GWP)
    assert np.isfinite(_gwp(ds, "hydrometallurgical"))
    notes = json.loads(ds.attrs["not_applicable"])
    assert "pyrometallurgical" in notes  # the smelter recovers no Li: stated, not hidden


def test_region_label_reports_what_was_computed():
    """--param plant_region=CN used to compute China but label the result US."""
    by_param = compare("NMC811", parameters={"plant_region": "CN"}, indicators=GWP)
    by_option = compare("NMC811", region="CN", indicators=GWP)
    assert by_param.attrs["region"] == "CN"
    np.testing.assert_allclose(by_param.value.values, by_option.value.values, rtol=1e-12)
    result = CliRunner().invoke(
        cli, ["compare", "NMC811", "--param", "plant_region=CN", "--indicator", "gwp100", "--format", "json"]
    )
    assert json.loads(result.output)["region"] == "CN"


def test_lfp_known_gaps_are_warned():
    result = CliRunner().invoke(cli, ["compare", "LFP", "--indicator", "gwp100", "--format", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert any("iron sulfate" in w and "electricity" in w for w in payload["warnings"])
    assert "warning: known data gap (LFP)" in result.stderr


def test_spodumene_coal_heat_gap_is_warned():
    ds = compare("NMC811", routes=["virgin"], indicators=GWP, parameters={"lithium_route": "spodumene"})
    assert any("coal heat" in w for w in json.loads(ds.attrs["warnings"]))
    assert not any("coal heat" in w for w in warnings_of(compare("NMC811", routes=["virgin"], indicators=GWP)))


def test_monte_carlo_sensitivity_and_sweep_take_the_units_default_allocation():
    # kg-metal under 'none' is refused for recycled routes; without --allocation the library entry
    # points must take the unit's default (economic) like compare does, not 'none'
    from cathode_lca.uncertainty.monte_carlo import monte_carlo
    from cathode_lca.uncertainty.sweep import sweep

    mc = monte_carlo("NMC811", unit="kg-metal:Co", samples=4, seed=1, indicators=["gwp100"], default_uncertainty=False)
    assert mc.attrs["allocation"] == "economic"
    sw = sweep("NMC811", {"hydro_recovery_co": [0.95, 0.98]}, unit="kg-metal:Co", indicators=["gwp100"])
    assert sw.attrs["allocation"] == "economic"
    with pytest.raises(UsageError, match="has no meaning"):
        sweep("NMC811", {"hydro_recovery_co": [0.95]}, unit="kg-metal:Co", allocation="none", indicators=["gwp100"])


def test_cli_uncertainty_per_kg_metal_takes_the_default_and_names_routes_that_do_not_apply():
    result = CliRunner().invoke(
        cli,
        ["uncertainty", "NMC811", "--unit", "kg-metal:Co", "--samples", "20", "--seed", "1", "--indicator", "gwp100"],
    )
    assert result.exit_code == 0, result.output
    assert "not applicable for this functional unit: direct" in result.stdout
    assert "hydrometallurgical" in result.stdout
