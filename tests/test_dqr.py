"""Data quality rating: dataset criteria from pedigree scores, contribution weights, compare JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.comparison import compare, prepare, route_demands
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.uncertainty.dqr import contributions, dataset_dqr, quality_level, result_dqr

CHAIN = """format: cathode-lca/1
include: [flows.yaml]
datasets:
  - id: a
    name: a
    stage: chemicals
    exchanges:
      - {input: b, amount: 1, unit: kg, source: test, quality: {reliability: 1, completeness: 1, temporal: 1, geographical: 1, technological: 1}}
      - {flow: co2, amount: 1, unit: kg, source: test, quality: {reliability: 1, completeness: 5, temporal: 1, geographical: 1, technological: 1}}
  - id: b
    name: b
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 3, unit: kg, source: test, quality: {reliability: 2, completeness: 2, temporal: 3, geographical: 4, technological: 5}}
"""


@pytest.mark.parametrize(
    ("dqr", "level"), [(1.0, "excellent"), (1.5, "excellent"), (1.51, "very good"), (3.0, "good"), (4.2, "poor")]
)
def test_quality_levels(dqr, level):
    assert quality_level(dqr) == level


def test_weighted_dqr_of_a_hand_solvable_chain(write_yaml, test_method):
    model = LCAModel(load_inventory([write_yaml(CHAIN)]))
    a = dataset_dqr(model, "a")  # completeness is not an EF criterion: a rates 1 everywhere
    assert (a["TeR"], a["GeR"], a["TiR"], a["P"], a["DQR"], a["level"]) == (1, 1, 1, 1, 1, "excellent")
    b = dataset_dqr(model, "b")
    assert (b["TeR"], b["GeR"], b["TiR"], b["P"]) == (5, 4, 3, 2) and b["DQR"] == 3.5
    env = model.parameters.evaluate()
    [rating] = result_dqr(model, {"a": 1.0}, [test_method], env, "none")
    # a emits 1 kg, b 3 kg per kg a: weights 1/4 and 3/4
    assert rating["TeR"] == pytest.approx(0.25 * 1 + 0.75 * 5)
    assert rating["DQR"] == pytest.approx(0.25 * 1 + 0.75 * 3.5)
    assert rating["largest_contributors"][0] == {"dataset": "b", "share": 0.75}


def test_contributions_add_up_to_the_compared_result():
    model = default_model()
    ds = compare("NMC811", routes=["virgin", "hydrometallurgical"], indicators=["gwp100"])
    setup = prepare("NMC811", ["virgin", "hydrometallurgical"], "US", "none", "kg-cam", ["gwp100"], None, model)
    for rd in route_demands(model, "NMC811", setup.routes, "kg-cam", "none", setup.env)[0]:
        total = contributions(model, rd.demand, setup.methods, setup.env, "none").sum()
        assert total == pytest.approx(float(ds.value.sel(route=rd.route, indicator="gwp100")), rel=1e-9)


def test_compare_json_has_a_dqr_per_result():
    result = CliRunner().invoke(cli, ["compare", "NMC811", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert "unverified" in payload["dqr"]["rule"]
    for row in payload["results"]:
        rating = payload["dqr"]["results"][row["route"]][row["indicator"]]
        assert 1 <= rating["DQR"] <= 5 and rating["level"] in ("excellent", "very good", "good", "fair", "poor")
        assert rating["DQR"] == pytest.approx(sum(rating[k] for k in ("TeR", "GeR", "TiR", "P")) / 4, abs=2e-3)


def test_demands_dqr_rates_each_labelled_demand_by_hand(write_yaml, test_method):
    from cathode_lca.quality.dqr import demands_dqr

    model = LCAModel(load_inventory([write_yaml(CHAIN)]))
    env = model.parameters.evaluate()
    out = demands_dqr(model, {"a": {"a": 1.0}, "b": {"b": 2.0}}, [test_method], ["gwp"], env, "none")
    assert "unverified" in out["rule"] and list(out["results"]) == ["a", "b"]
    a, b = out["results"]["a"]["gwp"], out["results"]["b"]["gwp"]
    assert a["DQR"] == pytest.approx(0.25 * 1 + 0.75 * 3.5)  # as in the chain above: weights 1/4 and 3/4
    assert (b["TeR"], b["GeR"], b["TiR"], b["P"], b["DQR"]) == (5, 4, 3, 2, 3.5)  # b alone: its own scores


@pytest.mark.parametrize(
    "options",
    [
        {"routes": ["virgin", "hydrometallurgical"], "indicators": ["gwp100", "water"]},
        {"unit": "kg-metal:Ni", "indicators": ["gwp100"], "parameters": {"plant_region": "CN"}},
    ],
)
def test_compare_rates_the_same_dqr_as_the_standalone_comparison_dqr(options):
    # compare(dqr=True) rates the demands it computed; uncertainty.dqr.comparison_dqr recomputes them itself
    from cathode_lca.uncertainty.dqr import comparison_dqr

    ds = compare("NMC811", dqr=True, **options)
    assert json.loads(ds.attrs["dqr"]) == comparison_dqr("NMC811", **options)
    assert "dqr" not in compare("NMC811", **options).attrs


def test_one_compare_with_dqr_prepares_once_and_solves_once_per_route(monkeypatch):
    # before: compare and the DQR each ran prepare (which ran route_demands) and route_demands again (2 and 4 calls)
    import cathode_lca.comparison as comparison
    import cathode_lca.quality.dqr as quality_dqr

    calls: dict[str, int] = {}

    def spy(owner, name):
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    model = default_model()
    for owner, name in ((comparison, "prepare"), (comparison, "route_demands"), (quality_dqr, "contributions_many")):
        spy(owner, name)
    spy(type(model), "_solve")
    ds = compare("NMC811", dqr=True, model=model)
    routes = ds.route.values.tolist()
    assert len(routes) >= 2 and set(json.loads(ds.attrs["dqr"])["results"]) == set(routes)
    assert calls == {"prepare": 1, "route_demands": 1, "_solve": len(routes), "contributions_many": 1}


def test_product_ratings_share_the_dataset_cache_by_hand(write_yaml, test_method):
    from cathode_lca.quality.dqr import product_ratings

    model = LCAModel(load_inventory([write_yaml(CHAIN)]))
    env = model.parameters.evaluate()
    cache: dict = {}
    out = product_ratings(model, ["a", "b", "a"], test_method, env, "none", cache=cache)
    assert list(out) == ["a", "b"] and set(cache) == {"a", "b"}  # each dataset rated once, kept for the caller
    assert out["a"]["DQR"] == pytest.approx(0.25 * 1 + 0.75 * 3.5) and out["b"]["DQR"] == 3.5
    assert out["a"] == result_dqr(model, {"a": 1.0}, [test_method], env, "none")[0]


def test_the_pef_caps_for_company_specific_data_do_not_imply_a_dqr_of_1_5():
    """PEF Annex I §4.6.5 (company-specific datasets): P at most 3, TeR, TiR and GeR at most 2, and DQR ≤ 1.5.
    Under the mean the package uses, the caps alone allow (2 + 2 + 2 + 3)/4 = 9/4 = 2.25; 1.5 needs e.g.
    TeR = GeR = TiR = 1 with P = 3: (1 + 1 + 1 + 3)/4 = 6/4 = 1.5. docs/data/quality.md states both."""
    from pathlib import Path

    from cathode_lca.quality.dqr import rating

    assert rating({"TeR": 2, "GeR": 2, "TiR": 2, "P": 3})["DQR"] == 2.25
    assert rating({"TeR": 1, "GeR": 1, "TiR": 1, "P": 3})["DQR"] == 1.5
    text = " ".join((Path(__file__).resolve().parent.parent / "docs/data/quality.md").read_text().split())
    assert "(2 + 2 + 2 + 3)/4 = 2.25" in text and "TeR = GeR = TiR = 1, P = 3 gives 1.5" in text


def test_the_rule_says_what_of_the_pef_rule_is_confirmed_and_what_is_not():
    """docs/data/quality.md: Recommendation (EU) 2021/2279, Annex I §4.6.5, as read, confirms the four criteria
    (TeR, GeR, TiR, P, each on five levels) and that each is weighted separately over the processes; the mean
    of the four (Equation 19) and the level limits were not in the text read. RULE called the whole rule
    "unverified", the confirmed criteria and weighting included."""
    from cathode_lca.quality.dqr import RULE

    confirmed, said, unverified = RULE.partition("unverified:")
    assert said and "confirmed" in confirmed and "2021/2279" in confirmed and "4.6.5" in confirmed
    assert all(criterion in confirmed for criterion in ("TeR", "GeR", "TiR", "P")) and "separately" in confirmed
    assert "/ 4" not in confirmed and "1.5" not in confirmed  # the formula and the limits are not claimed
    assert "(TeR + GeR + TiR + P) / 4" in unverified and "1.5/2/3/4" in unverified and "Equation 19" in unverified
    assert RULE.count("unverified") == 1
