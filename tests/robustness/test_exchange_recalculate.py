"""recalculate() after a hostile edit of a choice code: refused with the parameter and its codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.errors import CathodeLCAError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method

DATA = Path(__file__).parents[1] / "data"
pytestmark = pytest.mark.brightway


@pytest.mark.parametrize("code", [2.0, -1.0, 0.5, float("nan")])
def test_a_choice_code_that_names_no_choice_is_refused_and_nothing_changes(bd, code):
    from bw2data.backends import ExchangeDataset
    from bw2data.parameters import ProjectParameter

    from cathode_lca.brightway.export import export_to_brightway
    from cathode_lca.brightway.project import recalculate

    model = LCAModel(load_inventory([DATA / "mini-compare.yaml"]))
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    export_to_brightway("hostile", model, methods=[method], prefix="t", biosphere=None)
    bd.projects.set_current("hostile")
    before = {e.id: e.data.get("amount") for e in ExchangeDataset.select()}
    region = ProjectParameter.get(name="plant_region")
    assert region.data["choices"] == ["US", "CN"]
    region.amount = code  # US = 0, CN = 1: anything else silently zeroed the region's electricity
    region.save()
    with pytest.raises(CathodeLCAError) as info:
        recalculate()
    message = str(info.value)
    assert "plant_region" in message and "0 = US, 1 = CN" in message
    assert {e.id: e.data.get("amount") for e in ExchangeDataset.select()} == before
    region.amount = 1.0  # CN, a valid code, still recalculates
    region.save()
    recalculate()
    assert {e.id: e.data.get("amount") for e in ExchangeDataset.select()} != before


def test_a_value_outside_its_declared_bounds_is_refused_and_nothing_changes(bd, tmp_path):
    from bw2data.backends import ExchangeDataset
    from bw2data.parameters import ProjectParameter

    from cathode_lca.brightway.export import export_to_brightway
    from cathode_lca.brightway.project import recalculate

    # a global fraction (bounds [0, 1]) that scales the virgin CAM's electricity
    text = (DATA / "mini-compare.yaml").read_text()
    text = text.replace(
        "  feed_chemistry: {choices: [NMC811], default: NMC811, scope: global}\n",
        "  feed_chemistry: {choices: [NMC811], default: NMC811, scope: global}\n"
        "  grid_share: {value: 0.5, kind: fraction, scope: global, source: t}\n",
    )
    text = text.replace(
        "      - {input: electricity-plant, amount: 10, unit: kWh, source: t}\n",
        "      - {input: electricity-plant, amount: 20 * grid_share, unit: kWh, source: t}\n",
        1,
    )
    path = tmp_path / "mini-compare.yaml"
    path.write_text(text)
    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    model = LCAModel(load_inventory([path]))
    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    export_to_brightway("hostile-bounds", model, methods=[method], prefix="t", biosphere=None)
    bd.projects.set_current("hostile-bounds")
    before = {e.id: e.data.get("amount") for e in ExchangeDataset.select()}
    share = ProjectParameter.get(name="grid_share")
    assert share.data["cathode-lca bounds"] == [0.0, 1.0]
    share.amount = 1.5
    share.save()
    with pytest.raises(CathodeLCAError) as info:
        recalculate()
    assert "grid_share" in str(info.value) and "outside its declared bounds [0, 1]" in str(info.value)
    assert {e.id: e.data.get("amount") for e in ExchangeDataset.select()} == before
    share.amount = 0.25  # inside the bounds: the electricity amount becomes 20 * 0.25 = 5 kWh
    share.save()
    recalculate()
    changed = {e.id: e.data.get("amount") for e in ExchangeDataset.select() if e.data.get("amount") != before[e.id]}
    assert sorted(changed.values()) == [5.0], changed  # was 20 * 0.5 = 10 kWh
