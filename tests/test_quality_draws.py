"""Data quality drives the draws: scenario scores, and total energy drawn as fossil + non-fossil parts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathode_lca.lca import LCAModel, default_model
from cathode_lca.parameters.scenarios import apply_to_inventory, compose, parse_scenario_text
from cathode_lca.uncertainty.defaults import default_parameter_distribution, parameter_distributions
from cathode_lca.uncertainty.streams import draw, ppf, ppf_columns

HEAD = "format: cathode-lca-scenario/1\nname: t\n"
GOOD = "{reliability: 1, completeness: 1, temporal: 1, geographical: 1, technological: 1}"
POOR = "{reliability: 4, completeness: 3, temporal: 5, geographical: 4, technological: 5}"
# Ciroth et al. 2016 factors (GSD² convention) of the POOR scores, and the basic factor of an input, by hand
POOR_FACTORS = (1.69, 1.04, 1.29, 1.11, 2.8)
BASIC_INPUT = 1.05


@pytest.fixture(scope="module")
def model():
    return default_model()


def scenario_model(model, entry):
    text = HEAD + f"parameters:\n  dist_recycler_to_cathode_mi: {entry}\n"
    sc = parse_scenario_text(text, "q.yaml", model.parameters)
    return LCAModel(apply_to_inventory(model.inventory, compose([sc])))


def distance_param(m):
    return m.parameters.parameters[m.parameters.key("dist_recycler_to_cathode_mi")]


def test_a_scored_scenario_value_is_drawn_around_its_value_with_its_pedigree_gsd(model):
    good = scenario_model(model, "{value: 400, unit: mi, source: plant logbook 2024, quality: " + GOOD + "}")
    poor = scenario_model(model, "{value: 400, unit: mi, source: plant logbook 2024, quality: " + POOR + "}")
    d_good = default_parameter_distribution(distance_param(good))
    d_poor = default_parameter_distribution(distance_param(poor))
    # hand computation: σ² = (ln f_b / 2)² + Σ (ln f_i / 2)²; all scores 1 leave only the basic factor
    sigma_good = math.log(BASIC_INPUT) / 2
    sigma_poor = math.sqrt(sum((math.log(f) / 2) ** 2 for f in (BASIC_INPUT, *POOR_FACTORS)))
    assert d_good["gsd"] == pytest.approx(math.exp(sigma_good), rel=1e-12)
    assert d_poor["gsd"] == pytest.approx(math.exp(sigma_poor), rel=1e-12)
    # written out: σ² = 0.000595 + 0.068835 + 0.000385 + 0.016210 + 0.002723 + 0.265029 = 0.353777
    assert d_poor["gsd"] == pytest.approx(math.exp(math.sqrt(0.353777)), rel=1e-5)
    for d in (d_good, d_poor):
        assert d["loc"] == pytest.approx(math.log(400.0))  # centred on the scenario's value, not the inventory's
    x_good = draw(d_good, 7, "k", 0, 20_000)
    x_poor = draw(d_poor, 7, "k", 0, 20_000)
    assert np.std(np.log(x_poor)) == pytest.approx(sigma_poor, rel=0.03)
    assert np.std(np.log(x_poor)) > 10 * np.std(np.log(x_good))
    assert np.median(x_poor) == pytest.approx(400.0, rel=0.02)


def test_an_unscored_scenario_value_takes_the_user_scenario_family_not_unknown(model):
    plain = scenario_model(model, "{value: 400, unit: mi, source: plant logbook 2024}")
    p = distance_param(plain)
    assert p.quality is None and p.value == 400.0
    d = default_parameter_distribution(p)
    assert d["family"] == "user-scenario"  # its citation matches no family; it came from a scenario file
    # user-scenario scores 4, 3, 2, 2, 2 -> Ciroth 2016 factors 1.69, 1.04, 1.03, 1.04, 1.18 (by hand)
    sigma = math.sqrt(sum((math.log(f) / 2) ** 2 for f in (BASIC_INPUT, 1.69, 1.04, 1.03, 1.04, 1.18)))
    assert d["gsd"] == pytest.approx(math.exp(sigma), rel=1e-12)
    assert d["loc"] == pytest.approx(math.log(400.0))
    # a citation that names a known family keeps that family
    greet = scenario_model(model, "{value: 400, unit: mi, source: GREET 2022 default distance}")
    assert default_parameter_distribution(distance_param(greet))["family"] == "greet-average"


def test_scores_in_a_scenario_reach_the_parameter_distributions_used_by_monte_carlo(model):
    poor = scenario_model(model, "{value: 400, unit: mi, source: plant logbook 2024, quality: " + POOR + "}")
    key = poor.parameters.key("dist_recycler_to_cathode_mi")
    dist = parameter_distributions(poor, [key])[key]
    assert dist["quality"]["technological"] == 5 and dist["loc"] == pytest.approx(math.log(400.0))


def _energy_pairs(model):
    params = model.parameters.parameters
    totals = {p.scope: k for k, p in params.items() if p.name == "greet_total_energy"}
    fossils = {p.scope: k for k, p in params.items() if p.name == "greet_fossil_energy"}
    return [(totals[s], fossils[s]) for s in sorted(totals) if s in fossils]


def test_non_fossil_energy_never_goes_negative_over_1e5_draws(model):
    pairs = _energy_pairs(model)
    assert len(pairs) > 40  # every GREET material, fuel and grid dataset
    dists = parameter_distributions(model, [k for pair in pairs for k in pair])
    n = 100_000
    for total_key, fossil_key in pairs[:: max(1, len(pairs) // 8)]:
        total = draw(dists[total_key], 3, total_key, 0, n)
        fossil = draw(dists[fossil_key], 3, fossil_key, 0, n)
        assert np.min(total - fossil) >= 0.0, total_key
        t0 = model.parameters.parameters[total_key].value
        f0 = model.parameters.parameters[fossil_key].value
        # medians stay the inventory's: fossil part and the rest around (total - fossil)
        assert np.median(total - fossil) == pytest.approx(t0 - f0, rel=0.02)
        assert np.median(fossil) == pytest.approx(f0, rel=0.02)
    # the old way, total drawn on its own from its default lognormal, does cross the fossil draws
    total_key, fossil_key = pairs[0]
    old_total = draw(default_parameter_distribution(model.parameters.parameters[total_key]), 3, total_key, 0, n)
    assert np.min(old_total - draw(dists[fossil_key], 3, fossil_key, 0, n)) < 0


def test_total_draws_do_not_depend_on_the_chunk(model):
    total_key, _ = _energy_pairs(model)[0]
    dist = parameter_distributions(model, [total_key, _energy_pairs(model)[0][1]])[total_key]
    whole = draw(dist, 5, total_key, 0, 1000)
    parts = np.concatenate([draw(dist, 5, total_key, 0, 300), draw(dist, 5, total_key, 300, 1000)])
    np.testing.assert_array_equal(whole, parts)
    # the sensitivity path: SALib gives each parameter its own column of probabilities; the total's
    # fossil part takes the fossil parameter's column, so total >= fossil on every row
    total_key, fossil_key = _energy_pairs(model)[0]
    dists = parameter_distributions(model, [total_key, fossil_key])
    Q = np.random.default_rng(2).random((5000, 2))
    X = ppf_columns(dists, [fossil_key, total_key], Q)
    assert np.all(X[:, 1] >= X[:, 0])
    np.testing.assert_allclose(X[:, 0], ppf(dists[fossil_key], Q[:, 0]))
