"""Electricity per the rules: residual by default, supplier-specific only with contract evidence."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from cathode_lca.passport import declare, parse_battery_spec
from cathode_lca.passport.electricity import MIX_PARAMETER, plant_electricity
from cathode_lca.passport.spec import BatterySpecError, PlantElectricity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "battery-nmc811.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")
CATHODE = 'cathode_plant: {region: EU, source: "ILLUSTRATIVE: cathode plant in the EU, EU average grid (Ember 2024)"}'


class _Params:
    def __init__(self, choices):
        self.parameters = {MIX_PARAMETER: SimpleNamespace(choices=choices)} if choices else {}

    def key(self, name):
        return name


def test_the_shipped_residual_and_consumption_mixes_are_used():
    from cathode_lca.lca import default_model

    model = default_model()
    updates, report, warning = plant_electricity(
        model, "cathode plant", PlantElectricity(region="DE", source="s"), "DE"
    )
    # each plant sets its own supply and region: the cathode plant's mix no longer reaches the recycler
    assert updates == {"cam_plant_electricity_supply": "residual", "cam_plant_region": "DE"}
    assert report["compliant"] and warning is None
    assert report["used"].startswith("electricity-residual-de")
    plant = PlantElectricity(region="DE", mix="consumption", source="s")
    updates, report, warning = plant_electricity(model, "cathode plant", plant, "DE")
    assert updates == {"cam_plant_electricity_supply": "grid", "cam_plant_region": "DE"}
    assert report["compliant"] and warning is None
    updates, _, _ = plant_electricity(model, "end-of-life recycler", PlantElectricity(region="FR", source="s"), "FR")
    assert updates == {"recycler_electricity_supply": "residual", "recycler_region": "FR"}
    # a model without per-plant parameters falls back to the global shortcut
    fallback = SimpleNamespace(parameters=_Params(("grid", "residual")), inventory=model.inventory)
    assert plant_electricity(fallback, "cathode plant", plant, "DE")[0] == {MIX_PARAMETER: "grid"}


def test_a_residual_mix_outside_europe_is_reported_not_hidden():
    from cathode_lca.lca import default_model

    # the AIB residual mixes cover European countries only: no silent fallback to the grid
    updates, report, warning = plant_electricity(
        default_model(), "recycler", PlantElectricity(region="US", source="s"), "US"
    )
    assert updates == {} and not report["compliant"] and "residual mix" in warning


def test_a_missing_mix_is_reported_not_hidden():
    model = SimpleNamespace(parameters=_Params(()))
    plant = PlantElectricity(region="DE", mix="consumption", source="s")
    updates, report, warning = plant_electricity(model, "cathode plant", plant, "DE")
    assert updates == {} and not report["compliant"]
    assert report["status"].startswith("not available") and "electricity-grid-de" in report["used"]
    assert "consumption mix" in warning


def test_supplier_specific_needs_contract_evidence():
    text = TEXT.replace(CATHODE, "cathode_plant: {region: EU, mix: supplier-specific, source: PPA}")
    with pytest.raises(BatterySpecError, match="needs contract evidence") as info:
        parse_battery_spec(text, "battery.yaml")
    assert info.value.field == "electricity.cathode_plant.mix"
    ok = text.replace("mix: supplier-specific,", "mix: supplier-specific, contract_evidence: GO certificate 123,")
    assert parse_battery_spec(ok).electricity.cathode_plant.contract_evidence == "GO certificate 123"


@pytest.mark.slow
def test_example_reports_the_mix_of_every_plant():
    d = declare(EXAMPLE)
    elec = d.calculation["electricity"]
    assert set(elec) == {"cathodePlant", "recycler"}
    assert all(p["requestedMix"] == "residual" for p in elec.values())
    assert "electricity, cathode plant: asked residual" in d.to_table()
