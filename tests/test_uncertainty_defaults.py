"""Default uncertainty: pedigree → GSD, bounded and exact parameters, chunk-invariant streams, drivers."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from cathode_lca.cli import cli
from cathode_lca.errors import InventoryError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import default_model
from cathode_lca.uncertainty.defaults import (
    PEDIGREE_KEYS,
    default_parameter_distribution,
    is_exact,
    load_quality,
    sigma,
)
from cathode_lca.uncertainty.drivers import variance_shares
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.streams import draw, uniforms

SCORES = {"reliability": 4, "completeness": 3, "temporal": 2, "geographical": 3, "technological": 3}


def param(value, unit="kg", source="EverBatt 2023, sheet X", **extra):
    fields = {"kind": "value", "value": value, "unit": unit, "name": "p", "source": source, "quality": None}
    return SimpleNamespace(**{**fields, **extra})


def test_pedigree_to_sigma_by_hand():
    # Ciroth et al. 2016 factors for scores (4, 3, 2, 3, 3) and the demand basic factor 1.05 (GSD² convention):
    # σ² = Σ (ln f / 2)², GSD = exp(σ)
    by_hand = math.sqrt(sum((math.log(f) / 2) ** 2 for f in (1.05, 1.69, 1.04, 1.03, 1.08, 1.65)))
    assert sigma(SCORES, "demand", "ciroth2016") == pytest.approx(by_hand, rel=1e-12)
    # 0.000595 + 0.06884 + 0.000385 + 0.000218 + 0.00148 + 0.06269 = 0.13421 → σ = 0.3664, GSD = 1.443
    assert by_hand == pytest.approx(0.3664, abs=1e-4)
    # original ecoinvent v2 factors: 1.2, 1.05, 1.03, 1.02, 1.2; transport basic factor 2.0
    v2 = math.sqrt(sum((math.log(f) / 2) ** 2 for f in (2.0, 1.2, 1.05, 1.03, 1.02, 1.2)))
    assert sigma(SCORES, "transport", "ecoinvent-v2") == pytest.approx(v2, rel=1e-12)
    best = dict.fromkeys(PEDIGREE_KEYS, 1)
    assert sigma(best, "demand", "ciroth2016") == pytest.approx(math.log(1.05) / 2)


def test_default_lognormal_has_the_hand_computed_gsd_statistically():
    dist = default_parameter_distribution(param(3.0))
    expected = math.sqrt(sum((math.log(f) / 2) ** 2 for f in (1.05, 1.69, 1.04, 1.03, 1.08, 1.65)))
    assert dist["type"] == "lognormal" and dist["family"] == "everbatt-engineering"
    n = 100_000
    logs = np.log(draw(dist, 3, "p", 0, n))
    # ln x is normal(ln 3, σ): the sample mean is within 4 standard errors, the sample sd within 4 of its own
    assert abs(logs.mean() - math.log(3.0)) < 4 * expected / math.sqrt(n)
    assert abs(logs.std(ddof=1) - expected) < 4 * expected / math.sqrt(2 * (n - 1))
    assert dist["gsd"] == pytest.approx(math.exp(expected))


@pytest.mark.parametrize(
    ("value", "extra"),
    [
        (0.98, {"min": 0.9, "max": 0.99}),
        (0.5, {"kind": "fraction"}),  # contract 1: kind fraction = [0, 1]
        (0.02, {"min": 0.0, "max": 1.0}),
        (0.97, {}),  # dimensionless in (0, 1] without declared bounds: treated as a fraction
    ],
)
def test_bounded_parameters_never_leave_their_bounds(value, extra):
    p = param(value, unit="dimensionless", source="no known family", **extra)
    dist = default_parameter_distribution(p)
    lo, hi = extra.get("min", 0.0), extra.get("max", 1.0)
    assert dist["type"] == "logitnormal"
    x = draw(dist, 11, "bounded", 0, 100_000)
    assert x.min() >= lo and x.max() <= hi
    assert np.median(x) == pytest.approx(value, abs=0.01 * (hi - lo))
    assert x.std() > 0


def test_value_on_a_bound_and_exact_constants_are_not_varied():
    assert default_parameter_distribution(param(1.0, unit="dimensionless")) is None
    assert default_parameter_distribution(param(58.693, exact=True)) is None
    model = default_model()
    molar = model.parameters.parameters[model.parameters.key("molar_mass_ni")]
    assert is_exact(molar) and default_parameter_distribution(molar) is None
    choice = model.parameters.parameters[model.parameters.key("plant_region")]
    assert default_parameter_distribution(choice) is None


@pytest.mark.parametrize(
    ("source", "family"),
    [
        ("EverBatt 2023, 'CM Rec Par.'!CD104", "everbatt-engineering"),
        ("Argonne EverBatt 2023.xlsm, sheet 'GREET IO' (GREET 2022), section 4", "greet-average"),
        ("Istrate et al. (2024), Table S5", "istrate-unit-process"),
        ("IUPAC standard atomic weights (CIAAW 2021)", "exact-constant"),
        ("user value", "user-scenario"),
        ("something else", "unknown"),
    ],
)
def test_source_families(source, family):
    assert load_quality().family(source).id == family


def test_streams_do_not_depend_on_the_chunking():
    whole = uniforms(5, "k", 0, 1001)
    for cuts in ([0, 1, 5, 9, 1001], [0, 333, 334, 1001], [0, 4, 8, 1001]):
        parts = np.concatenate([uniforms(5, "k", a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)])
        np.testing.assert_array_equal(parts, whole)
    assert not np.array_equal(uniforms(5, "other", 0, 1001), whole)
    assert not np.array_equal(uniforms(6, "k", 0, 1001), whole)
    assert whole.min() > 0 and whole.max() < 1


@pytest.mark.slow
def test_monte_carlo_is_the_same_whatever_the_chunk_size():
    kw = {"routes": ["virgin", "hydrometallurgical"], "samples": 150, "seed": 3, "indicators": ["gwp100"]}
    a = monte_carlo("NMC811", chunk_size=150, **kw)
    b = monte_carlo("NMC811", chunk_size=7, **kw)
    np.testing.assert_array_equal(a.parameter_samples.values, b.parameter_samples.values)  # the draws: bit for bit
    # the scores: up to the last bits of batched floating-point arithmetic over arrays of other lengths
    np.testing.assert_allclose(a.samples.values, b.samples.values, rtol=1e-12)
    assert a.attrs["varied_exchanges"] > 0


def test_no_default_uncertainty_varies_only_what_is_given():
    only = {"cathode_electricity_nmc811": {"type": "uniform", "minimum": 10.0, "maximum": 50.0}}
    ds = monte_carlo("NMC811", samples=50, seed=1, distributions=only, default_uncertainty=False)
    declared = set(default_model().parameters.uncertain()) | {"cathode_electricity_nmc811"}
    assert set(json.loads(ds.attrs["uncertain_parameters"])) <= declared
    assert ds.attrs["varied_exchanges"] == 0 and ds.attrs["default_uncertainty"] == "off"


@pytest.mark.slow
def test_uncertainty_out_of_the_box_gives_every_route_a_spread():
    result = CliRunner().invoke(cli, ["uncertainty", "NMC811", "--samples", "2000", "--seed", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]
    assert {r["route"] for r in rows} >= {"virgin", "hydrometallurgical"}
    assert all(r["std"] > 0 for r in rows)
    hydro = next(r for r in rows if r["route"] == "hydrometallurgical" and r["indicator"] == "gwp100")
    assert 0 <= hydro["p_lower_than_virgin"] <= 1
    shares = [d["variance_share"] for d in hydro["difference_drivers"]]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1 + 1e-12


def test_variance_shares_of_a_known_additive_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 20_000))
    shares, rho = variance_shares(x, 2 * x[0] + x[1])  # variances 4 and 1, the third input is unused
    assert shares[0] == pytest.approx(0.8, abs=0.02)
    assert shares[1] == pytest.approx(0.2, abs=0.02)
    assert shares[2] < 0.002 and rho[0] > 0


def test_quality_scores_in_inventories(write_yaml):
    text = """format: cathode-lca/1
include: [flows.yaml]
parameters:
  a: {value: 2.0, source: test, quality: {reliability: 1, completeness: 2, temporal: 3, geographical: 4, technological: 5}}
datasets:
  - id: toy
    name: toy
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1.5, unit: kg, source: test, quality: {reliability: 2, completeness: 2, temporal: 2, geographical: 2, technological: 2}}
"""
    inv = load_inventory([write_yaml(text)])
    assert next(p for k, p in inv.parameters.items() if p.name == "a").quality["technological"] == 5
    assert inv.datasets["toy"].exchanges[0].quality["reliability"] == 2
    with pytest.raises(InventoryError, match="quality"):
        load_inventory([write_yaml(text.replace("technological: 5", "technological: 6"), "bad.yaml")])


def test_spearman_agrees_with_scipy():
    from scipy.stats import spearmanr

    from cathode_lca.uncertainty.drivers import spearman

    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 400))
    y = np.exp(x[0]) + 0.5 * rng.normal(size=400)
    rho = spearman(x, y)
    assert rho[0] == pytest.approx(spearmanr(x[0], y)[0], abs=1e-12)
    assert rho[1] == pytest.approx(spearmanr(x[1], y)[0], abs=1e-12)


def _exact_keys(model):
    return {k for k, p in model.parameters.parameters.items() if p.kind == "value" and is_exact(p)}


def test_sensitivity_out_of_the_box_ranks_no_exact_constant():
    from cathode_lca.uncertainty.sensitivity import sensitivity

    ds = sensitivity("NMC811", samples=16, routes=["virgin", "hydrometallurgical"])
    names = set(ds.parameter.values.tolist())
    exact = _exact_keys(default_model())
    assert "molar_mass_ni" in exact and not names & exact
    assert "hydro_recovery_ni" in names  # an uncertain fraction is ranked (over its bounded default)
    assert float(ds.ST.sel(route="hydrometallurgical", indicator="gwp100").max()) > 0


@pytest.mark.slow
def test_spread_never_touches_exact_constants_and_respects_bounds():
    from cathode_lca.uncertainty.sensitivity import sensitivity

    ds = sensitivity(
        "NMC811", samples=16, routes=["hydrometallurgical"], spread=0.1, default_uncertainty=False, method="morris"
    )
    dists = json.loads(ds.attrs["distributions"])
    assert not set(dists) & _exact_keys(default_model())
    ni = dists["hydro_recovery_ni"]  # 0.98 ± 10 % would reach 1.078: clipped to the fraction's upper bound
    assert ni["type"] == "uniform" and ni["minimum"] == pytest.approx(0.882) and ni["maximum"] == 1.0


def test_sensitivity_cli_csv():
    result = CliRunner().invoke(
        cli, ["sensitivity", "LFP", "--samples", "8", "--indicator", "gwp100", "--top", "2", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {"route", "indicator", "rank", "parameter", "S1", "ST", "functional_unit"} <= set(rows[0])
    # no exact constant is ranked, and ranks are 1..n per route and indicator
    assert not any(r["parameter"].startswith("molar_mass") for r in rows)
    assert sorted(int(r["rank"]) for r in rows if r["route"] == rows[0]["route"])[0] == 1


def test_describe_input_names_an_exchange_by_its_flow_or_product_and_leaves_parameters_alone():
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.defaults import describe_input, exchange_key

    inventory = default_model().inventory
    ds = inventory.datasets["nickel-sulfate-greet2022"]
    i = next(i for i, ex in enumerate(ds.exchanges) if ex.kind == "flow")
    ex = ds.exchanges[i]
    assert describe_input(inventory, exchange_key(ds.id, i)) == f"nickel-sulfate-greet2022: {ex.target} ({ex.unit})"
    assert describe_input(inventory, "hydro_recovery_ni") == "hydro_recovery_ni"  # a parameter: its own name
    # keys that only look like exchange keys stay as they are
    assert (
        describe_input(inventory, "nickel-sulfate-greet2022/exchanges[999]")
        == "nickel-sulfate-greet2022/exchanges[999]"
    )
    assert describe_input(inventory, "no-such-dataset/exchanges[0]") == "no-such-dataset/exchanges[0]"
    assert describe_input(inventory, "nickel-sulfate-greet2022/exchanges[x]") == "nickel-sulfate-greet2022/exchanges[x]"


def test_monte_carlo_drivers_carry_a_description_per_input():
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    ds = monte_carlo("NMC811", routes=["virgin", "hydrometallurgical"], samples=50, seed=2, kernel="numpy")
    described = dict(zip(ds.input.values.tolist(), ds.input_description.values.tolist(), strict=True))
    exchanges = [k for k in described if "/exchanges[" in k]
    assert exchanges and all(described[k] != k and described[k].startswith(k.split("/")[0] + ": ") for k in exchanges)
    assert all(described[k] == k for k in described if "/exchanges[" not in k)
