"""Results say how much of a GWP score is provider CO2-eq totals, counted 1:1 on the provider's GWP basis.

The share is checked through another route than the code under test: the same supply chain scored
with a copy of the AR6 method that leaves the provider-total flow out; the difference of the two
scores, over the full score, is the share.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cathode_lca import compare
from cathode_lca.lca import default_model
from cathode_lca.methods import load_method
from cathode_lca.result_warnings import PROVIDER_TOTAL_FLOW, warnings_of

METHODS = Path(__file__).resolve().parents[1] / "methods"


def _method_without_provider_totals(tmp_path: Path):
    text = (METHODS / "ipcc2021-gwp100.yaml").read_text(encoding="utf-8")
    head, _, tail = text.partition(f"  - flow: {PROVIDER_TOTAL_FLOW}\n")
    assert tail, "the AR6 method characterises the provider-total flow"
    rest = tail.split("\n", 2)[2]  # drop its value and source lines
    path = tmp_path / "ar6-without-provider-totals.yaml"
    path.write_text(head + rest, encoding="utf-8")
    return load_method("ar6-without-provider-totals", str(path))


def test_the_polish_grid_share_equals_the_score_without_the_flow(tmp_path: Path) -> None:
    model = default_model()
    ds = compare("NMC811", routes=["virgin", "hydrometallurgical"], region="PL", indicators=["gwp100"], model=model)
    shares = json.loads(ds.attrs["provider_co2eq_share"])["gwp100"]
    without = _method_without_provider_totals(tmp_path)
    for route in ("virgin", "hydrometallurgical"):
        full = float(ds.value.sel(route=route, indicator="gwp100"))
        rest = float(
            model.calculate(
                {f"cam-nmc811-{route}": 1.0}, methods=[without], parameters={"plant_region": "PL"}
            ).score.values[0]
        )
        assert shares[route] == pytest.approx((full - rest) / full, rel=1e-9)
        assert 0.05 < shares[route] < 0.6  # Polish grid electricity: a sizeable part
    (text,) = [w for w in warnings_of(ds) if "provider CO2-eq totals" in w]
    assert text.startswith(
        f"gwp100: {100 * shares['virgin']:.3g} % (virgin), {100 * shares['hydrometallurgical']:.3g} %"
    )
    assert "counted 1:1 by ipcc2021-gwp100" in text


def test_a_region_whose_grid_has_gas_by_gas_data_carries_no_such_warning() -> None:
    ds = compare("NMC811", routes=["virgin", "hydrometallurgical"], region="US", indicators=["gwp100", "energy"])
    assert json.loads(ds.attrs["provider_co2eq_share"]) == {}
    assert not [w for w in warnings_of(ds) if "provider CO2-eq totals" in w]


def test_energy_and_water_are_never_given_a_share() -> None:
    ds = compare("NMC811", routes=["virgin"], region="PL", indicators=["energy", "water"])
    assert json.loads(ds.attrs["provider_co2eq_share"]) == {}
