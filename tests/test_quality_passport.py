"""The passport's DQR per stage and in total: every shipped dataset is scored, the ratings are the
contribution-weighted ones of :mod:`cathode_lca.quality.dqr`, and the output says what is inherited."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca.lca import default_model
from cathode_lca.passport import declare
from cathode_lca.passport.model_values import climate_methods
from cathode_lca.passport.rules import TRANSPORT_DATASETS
from cathode_lca.quality.dqr import dataset_dqr, product_ratings, result_dqr

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "battery-nmc811.yaml"


@pytest.fixture(scope="module")
def model():
    return default_model()


def test_every_shipped_dataset_has_a_documented_family_score(model):
    # 'unknown' is the fallback for an unmatched source: no shipped number may land there
    fallbacks = {
        ds: r["families"] for ds in model.inventory.datasets if "unknown" in (r := dataset_dqr(model, ds))["families"]
    }
    assert fallbacks == {}


def test_product_ratings_equal_one_result_dqr_per_product(model):
    gwp = climate_methods()[0]
    env = model.parameters.evaluate()
    products = ["graphite-greet2022", "cam-nmc811-virgin", "recycling-feed"]
    many = product_ratings(model, products, gwp, env, "none")  # one factorisation for all three
    for p in products:
        [one] = result_dqr(model, {p: 1.0}, [gwp], env, "none")
        assert many[p]["DQR"] == pytest.approx(one["DQR"]) and many[p]["TeR"] == pytest.approx(one["TeR"])
        assert 0.0 <= many[p]["explicitPercent"] <= 100.0
        assert sum(many[p]["inheritedFrom"].values()) + many[p]["explicitPercent"] == pytest.approx(100.0, abs=0.1)


@pytest.fixture(scope="module")
def example():
    return declare(EXAMPLE)


@pytest.mark.slow
def test_example_declaration_has_a_dqr_per_stage_and_total(example, model):
    q = example.calculation["compliance"]["dqr"]
    assert q["available"]  # was "not available" before the ratings came from the family defaults
    assert all(v is not None and 1.0 <= v <= 5.0 for v in q["perStage"].values())
    assert 1.0 <= q["total"] <= 5.0 and q["level"] in ("excellent", "very good", "good", "fair", "poor")
    # the example's routes (GREET virgin salts, EverBatt recycling) give no explicit scores (only the Istrate
    # inventories do): everything is inherited, and the output says from what
    assert q["explicitPercent"] == 0.0 and "greet-average" in q["inheritedFrom"] and "unknown" not in q["inheritedFrom"]
    # supplier values without a dataset are not rated, and listed
    supplied = {i.id for i in example.line_items if i.kind == "supplied" and not i.datasets and i.value[0] != 0}
    assert set(q["notRated"]) == supplied
    # cross-check: the distribution stage is one truck dataset, so its DQR is that dataset's own
    # contribution-weighted rating, computed here by the independent single-demand path
    [truck] = {d for i in example.line_items if i.stage == "Distribution" for d in i.datasets}
    assert truck in TRANSPORT_DATASETS.values()
    params = example.calculation["modelParameters"]["cathode"]
    [rating] = result_dqr(model, {truck: 1.0}, [climate_methods()[0]], model.parameters.evaluate(params), "none")
    assert q["perStage"]["Distribution"] == pytest.approx(rating["DQR"], abs=1e-3)
    assert "DQR: total" in example.to_table() and "explicit" in example.to_table()
