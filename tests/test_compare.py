"""compare: known answers on a small edited system, functional units, allocation, JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import model_for

from cathode_lca.catalogue import catalogue_of
from cathode_lca.cli import cli
from cathode_lca.comparison import available_routes, chemistries, compare
from cathode_lca.errors import UsageError
from cathode_lca.lca import default_model
from cathode_lca.uncertainty.sweep import sweep

MINI = {"indicators": ["gwp100"]}


def _mini_method_model(monkeypatch):
    """The mini system with the shipped GWP method mapped onto its 'co2' flow."""
    from cathode_lca import comparison as compare_module
    from cathode_lca.methods import Method

    gwp = Method("t-gwp", "test", "gwp100", "kg CO2-eq", "test", {"co2": 1.0}, "test")
    monkeypatch.setitem(compare_module.INDICATORS, "gwp100", gwp)
    return model_for("mini-compare.yaml")


def _values(ds):
    return {r: float(ds.value.sel(route=r, indicator="gwp100")) for r in ds.route.values.tolist()}


@pytest.fixture
def mini(monkeypatch):
    return _mini_method_model(monkeypatch)


def test_mini_kg_cam_none_us(mini):
    ds = compare("NMC811", model=mini, **MINI)
    assert _values(ds) == pytest.approx({"virgin": 11.25, "hydrometallurgical": 8.875})
    assert float(ds.difference.sel(route="hydrometallurgical", indicator="gwp100")) == pytest.approx(-2.375)
    assert float(ds.relative_change.sel(route="hydrometallurgical", indicator="gwp100")) == pytest.approx(
        -2.375 / 11.25 * 100
    )
    assert ds.attrs["allocation"] == "none" and ds.attrs["region"] == "US"
    assert ds.attrs["functional_unit"] == "1 kg NMC811 cathode active material"


def test_mini_region_changes_plant_electricity_only(mini):
    ds = compare("NMC811", model=mini, region="CN", **MINI)
    assert _values(ds) == pytest.approx({"virgin": 16.25, "hydrometallurgical": 15.125})


def test_mini_mass_allocation(mini):
    ds = compare("NMC811", model=mini, allocation="mass", **MINI)
    assert _values(ds) == pytest.approx({"virgin": 11.25, "hydrometallurgical": 6.625})


def test_mini_stages_sum_to_total(mini):
    ds = compare("NMC811", model=mini, **MINI)
    np.testing.assert_allclose(ds.by_stage.sum("stage").values, ds.value.values)
    # plant electricity is attributed to the processes that use it, not to an "energy" stage
    assert "energy" not in ds.stage.values.tolist()
    hydro = ds.by_stage.sel(route="hydrometallurgical", indicator="gwp100")
    assert float(hydro.sel(stage="recycling-recovery")) == pytest.approx(2.5 * 1.5)


@pytest.mark.parametrize(
    ("unit", "allocation", "expected"),
    [
        # 1 kg Ni = 2.5 kg NiSO4 (0.4 Ni). 'none' is refused for metal units (see test_allocation.py);
        # system expansion: the Ni carries the treatment of 1 / 0.2 = 5 kg feed, minus the graphite credit
        # (0.3 kg x 2 kg CO2/kg per kg feed): 2.5 x 0.1 + 5 x (1.5 - 0.6)
        ("kg-metal:Ni", "system-expansion", {"virgin": 12.5, "hydrometallurgical": 2.5 * 0.1 + 5 * 0.9}),
        ("kg-metal:Ni", "mass", {"virgin": 12.5, "hydrometallurgical": 2.5 * 1.3}),
        ("kg-salt:nickel-sulfate", "economic", {"virgin": 5.0, "hydrometallurgical": 0.1 + 0.4 * 1.5 * 10 / 2.3}),
        ("kg-feed", "none", {"hydrometallurgical": 1.5}),
        ("kg-feed", "mass", {"hydrometallurgical": 1.5}),
        ("kg-feed", "system-expansion", {"hydrometallurgical": 1.5 - 0.3 * 2}),
    ],
)
def test_mini_functional_units(mini, unit, allocation, expected):
    ds = compare("NMC811", model=mini, unit=unit, allocation=allocation, **MINI)
    got = {r: v for r, v in _values(ds).items() if not np.isnan(v)}
    assert got == pytest.approx(expected)


def test_metal_and_salt_units_are_consistent_by_stoichiometry():
    """Per kg Ni = per kg NiSO4 / Ni mass fraction of NiSO4 (virgin route, shipped data)."""
    model = default_model()
    salt = compare("NMC811", unit="kg-salt:nickel-sulfate", routes=["virgin"], indicators=["gwp100"])
    metal = compare("NMC811", unit="kg-metal:Ni", routes=["virgin"], indicators=["gwp100"])
    env = model.parameters.evaluate()
    ni_fraction = float(env["ni_in_niso4"])
    assert ni_fraction == pytest.approx(58.6934 / 154.7554, rel=1e-3)
    assert float(metal.value.sel(route="virgin", indicator="gwp100")) == pytest.approx(
        float(salt.value.sel(route="virgin", indicator="gwp100")) / ni_fraction
    )


def test_lithium_metal_uses_the_chemistrys_lithium_salt():
    lioh = compare("NMC811", unit="kg-metal:Li", routes=["virgin"], indicators=["gwp100"])
    li2co3 = compare("NMC111", unit="kg-metal:Li", routes=["virgin"], indicators=["gwp100"])
    assert "lithium hydroxide" in lioh.attrs["functional_unit"]
    assert "lithium carbonate" in li2co3.attrs["functional_unit"]


def test_shipped_routes_per_chemistry():
    model = default_model()
    assert chemistries(model) == ["lfp", "nca", "nmc111", "nmc532", "nmc622", "nmc811"]
    for chem in ("NMC111", "NMC532", "NMC622", "NMC811", "NCA"):
        assert available_routes(model, chem) == ["virgin", "hydrometallurgical", "pyrometallurgical", "direct"]
    assert available_routes(model, "LFP") == ["virgin", "direct"]
    # per kg of metal or salt, every recycling route that treats LFP feed is compared (issue 9)
    assert available_routes(model, "LFP", "kg-metal") == list(catalogue_of(model).route_ids)


@pytest.mark.parametrize("allocation", ["none", "mass", "economic", "system-expansion", "cut-off"])
@pytest.mark.parametrize("chemistry", ["NMC111", "NMC532", "NMC622", "NMC811", "NCA", "LFP"])
@pytest.mark.slow
def test_every_chemistry_route_region_allocation_runs(chemistry, allocation):
    model = default_model()
    regions = list(model.parameters.parameters[model.parameters.key("plant_region")].choices)
    assert len(regions) >= 30
    # all regions at once (vectorised); stage sums for one region of each electricity basis
    swept = sweep(chemistry, {"plant_region": regions}, mode="list", allocation=allocation)
    assert np.all(np.isfinite(swept.value.values)), (chemistry, allocation)
    for region in ("US", "DE", "FR", "CL"):
        ds = compare(chemistry, region=region, allocation=allocation)
        assert np.all(np.isfinite(ds.value.values)), (chemistry, region, allocation)
        np.testing.assert_allclose(ds.by_stage.sum("stage").values, ds.value.values, rtol=1e-9, atol=1e-9)
        i = regions.index(region)
        np.testing.assert_allclose(swept.value.values[..., i], ds.value.values, rtol=1e-9)


def test_recycled_routes_beat_virgin_on_ghg_for_nmc811_by_default():
    ds = compare("NMC811")
    virgin = float(ds.value.sel(route="virgin", indicator="gwp100"))
    for route in ("hydrometallurgical", "pyrometallurgical", "direct"):
        assert float(ds.value.sel(route=route, indicator="gwp100")) < virgin


def test_recovery_efficiency_parameter_moves_the_result():
    base = compare("NMC811", routes=["hydrometallurgical"], indicators=["gwp100"])
    lower = compare(
        "NMC811", routes=["hydrometallurgical"], indicators=["gwp100"], parameters={"hydro_recovery_ni": 0.5}
    )
    assert float(lower.value.sel(route="hydrometallurgical", indicator="gwp100")) != pytest.approx(
        float(base.value.sel(route="hydrometallurgical", indicator="gwp100"))
    )


def test_ar5_and_ar6_differ():
    ds = compare("NMC811", indicators=["gwp100", "gwp100-ar5"], routes=["virgin"])
    assert float(ds.value.sel(route="virgin", indicator="gwp100")) != float(
        ds.value.sel(route="virgin", indicator="gwp100-ar5")
    )


def test_to_dataframe_is_tidy():
    df = compare("NMC811", indicators=["gwp100"]).value.to_dataframe().reset_index()
    assert set(df.columns) >= {"route", "indicator", "value"}
    assert len(df) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chemistry": "NMC999"}, "unknown chemistry"),
        ({"chemistry": "LFP", "routes": ["hydrometallurgical"]}, "not available for LFP"),
        ({"chemistry": "NMC811", "region": "XX"}, "unknown region"),
        ({"chemistry": "NMC811", "unit": "kg-metal:Fe"}, "unknown functional unit"),
        ({"chemistry": "NMC811", "indicators": ["ozone"]}, "unknown indicator"),
        ({"chemistry": "LFP", "unit": "kg-metal:Ni"}, "LFP contains no Ni"),
        ({"chemistry": "LFP", "unit": "kg-salt:lithium-carbonate", "routes": ["direct"]}, "no route is applicable"),
    ],
)
def test_compare_errors(kwargs, message):
    chemistry = kwargs.pop("chemistry")
    with pytest.raises(UsageError, match=message):
        compare(chemistry, **kwargs)


def test_cli_compare_json_contract():
    result = CliRunner().invoke(cli, ["compare", "NMC811", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert list(payload) == [
        "chemistry",
        "region",
        "allocation",
        "allocation_option",
        "functional_unit",
        "results",
        "warnings",
        "metadata",
        "dqr",
    ]
    assert payload["chemistry"] == "NMC811" and payload["region"] == "US" and payload["allocation_option"] == "none"
    assert {e["process"] for e in payload["allocation"]} >= {"recycling-hydrometallurgical", "black-mass"}
    assert payload["warnings"] == []  # the US GREET grid and the default routes lack no indicator
    assert payload["functional_unit"] == "1 kg NMC811 cathode active material"
    routes = {r["route"] for r in payload["results"]}
    assert routes == {"virgin", "hydrometallurgical", "pyrometallurgical", "direct"}
    units = {r["indicator"]: r["unit"] for r in payload["results"]}
    assert units == {"gwp100": "kg CO2-eq", "energy": "MJ", "water": "L"}
    for r in payload["results"]:
        assert {"route", "indicator", "unit", "value", "by_stage"} <= set(r)
        assert sum(r["by_stage"].values()) == pytest.approx(r["value"], rel=1e-9)
    meta = payload["metadata"]
    assert {"version", "inventory_hash", "method", "sources"} <= set(meta)
    assert any("EverBatt" in s for s in meta["sources"])


def test_cli_compare_options_and_table():
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            "nca",
            "--route",
            "virgin",
            "--route",
            "direct",
            "--region",
            "KR",
            "--allocation",
            "economic",
            "--unit",
            "kg-cam",
            "--indicator",
            "gwp100",
            "--param",
            "plant_region=KR",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "NCA" in result.output and "direct" in result.output and "economic" in result.output
    assert "top stages" in result.output


def test_compare_refuses_an_array_of_values_with_a_pointer_to_sweep():
    """An array parameter used to crash deep in compare() with a numpy broadcast error."""
    import numpy as np

    from cathode_lca.errors import UsageError

    with pytest.raises(UsageError, match="one value per parameter") as info:
        compare("NMC811", parameters={"hydro_recovery_ni": np.array([0.9, 0.95])})
    assert "sweep" in info.value.hint
    one = compare("NMC811", routes=["hydrometallurgical"], parameters={"hydro_recovery_ni": np.array([0.95])})
    assert one.value.sel(route="hydrometallurgical", indicator="gwp100") > 0
