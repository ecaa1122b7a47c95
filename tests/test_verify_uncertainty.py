"""A verifier's pass over the uncertainty ranges and data-quality ratings, recomputed by hand.

Every expected value below is arithmetic written out in this file from the cited tables, typed in with
their locators (``../shared/reference/quality-prices``: ``pedigree_factors.csv``, ``basic_uncertainty.csv``,
``dqr_criteria.md``; ``../shared/reference/virgin_salts_istrate2024.md``; ``greet2022_materials.csv``). No
expected value is obtained by calling the code under test (one structural check excepted: a GREET total minus
its fossil part is the rest stream's own draws); the package only supplies the value that is checked.
Conventions checked:

* ecoinvent v2 pedigree and basic factors are in the GSD² convention (Frischknecht et al. 2007): each
  factor adds ``(ln f / 2)²`` to the variance of ln x; ecoinvent v3 (Weidema et al. 2013) publishes those
  variances directly, so the two tables must agree after the conversion;
* the written value of a default lognormal is its median (``loc = ln(value)``), not its mean;
* the basic uncertainty of transport services (2.0) belongs to amounts *of* t·km, not to amounts per t·km.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

# --- cited tables, typed in by hand --------------------------------------------------------------------
# Ciroth, Muller, Weidema, Lesage (2016) Int J LCA 21:1338-1348, Table 6 (as in brightway pedigree_matrix
# 0.2.2 data.py and Ocelot; quality-prices/pedigree_factors.csv rows 'ciroth2016_empirical'). Score 5 of
# reliability, completeness and geographical correlation is n.a. in the paper; score 4 is repeated.
CIROTH_2016 = {
    "reliability": (1.0, 1.54, 1.61, 1.69, 1.69),
    "completeness": (1.0, 1.03, 1.04, 1.08, 1.08),
    "temporal": (1.0, 1.03, 1.1, 1.19, 1.29),
    "geographical": (1.0, 1.04, 1.08, 1.11, 1.11),
    "technological": (1.0, 1.18, 1.65, 2.08, 2.8),
}
# ecoinvent v2 factors (Frischknecht et al. 2007) in openLCA's DQSystems.java (pedigree_factors.csv rows
# 'ecoinvent_v2_factors_openlca'), GSD² convention.
ECOINVENT_V2 = {
    "reliability": (1.0, 1.05, 1.1, 1.2, 1.5),
    "completeness": (1.0, 1.02, 1.05, 1.1, 1.2),
    "temporal": (1.0, 1.03, 1.1, 1.2, 1.5),
    "geographical": (1.0, 1.01, 1.02, 1.05, 1.1),
    "technological": (1.0, 1.05, 1.2, 1.5, 2.0),
}
# ecoinvent v3 variances of ln x (Weidema et al. 2013, Table 10.5, via Ocelot pedigree.py lines 9-14;
# pedigree_factors.csv rows 'ecoinvent_v3_weidema2013').
ECOINVENT_V3_VARIANCE = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "technological": (0.0, 0.0006, 0.008, 0.04, 0.12),
}
# ecoinvent v2 basic uncertainty factors, GSD² (Frischknecht et al. 2007; basic_uncertainty.csv).
BASIC_DEMAND = 1.05  # demand: thermal energy, electricity, semi-finished products, working material
BASIC_TRANSPORT = 2.0  # demand: transport services (tkm)
BASIC_CO2 = 1.05  # air: CO2
BASIC_CH4_N2O = 1.5  # air: CH4, N2O, NOx

EVERBATT = (4, 3, 2, 3, 3)  # family everbatt-engineering: reliability, completeness, temporal, geo, techn.
GREET = (2, 3, 2, 3, 3)  # family greet-average
KEYS = ("reliability", "completeness", "temporal", "geographical", "technological")


def var_ln(factor: float) -> float:
    """Variance of ln x that one GSD²-convention factor adds: (ln f / 2)²."""
    return (math.log(factor) / 2) ** 2


def pedigree_variance(table: dict[str, tuple[float, ...]], scores: tuple[int, ...]) -> float:
    return sum(var_ln(table[k][s - 1]) for k, s in zip(KEYS, scores, strict=True))


# the two σ's every default of the shipped inventories uses, written out term by term (Ciroth 2016):
#   EverBatt, input: (ln1.05/2)² + (ln1.69/2)² + (ln1.04/2)² + (ln1.03/2)² + (ln1.08/2)² + (ln1.65/2)²
#                  = 0.000595 + 0.068835 + 0.000385 + 0.000218 + 0.001481 + 0.062694 = 0.134208
#   GREET, input:  0.000595 + (ln1.54/2)² 0.046609 + 0.000385 + 0.000218 + 0.001481 + 0.062694 = 0.111982
SIGMA_EVERBATT = math.sqrt(0.000595 + 0.068835 + 0.000385 + 0.000218 + 0.001481 + 0.062694)
SIGMA_GREET = math.sqrt(0.000595 + 0.046609 + 0.000385 + 0.000218 + 0.001481 + 0.062694)


@pytest.fixture(scope="module")
def mc():
    """A small Monte Carlo on the numpy path, shipped defaults on (the run a user makes, only smaller)."""
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    return monte_carlo(
        "NMC811", routes=["virgin", "hydrometallurgical"], samples=64, seed=11, kernel="numpy", progress=False
    )


@pytest.fixture(scope="module")
def dists(mc):
    return json.loads(mc.attrs["distributions"])


# --- 1. pedigree defaults ---------------------------------------------------------------------------------


def test_the_shipped_factor_tables_are_the_cited_ones():
    from cathode_lca.quality.scores import load_quality

    config = load_quality()
    assert config.factors["ciroth2016"] == CIROTH_2016
    assert config.factors["ecoinvent-v2"] == ECOINVENT_V2
    assert config.basic["demand"] == BASIC_DEMAND and config.basic["transport"] == BASIC_TRANSPORT
    assert config.basic["air-co2"] == BASIC_CO2 and config.basic["air-ch4-n2o-nox"] == BASIC_CH4_N2O


def test_v2_factors_read_as_gsd_squared_give_the_v3_variances_read_as_gsd_they_do_not():
    """The convention check: (ln f / 2)² of every v2 factor is the published v3 variance (rounded in the
    report to one or two figures, so within 15 %); (ln f)², the reading 'f is a GSD', is 4x too large."""
    for key in KEYS:
        for score in range(2, 6):
            f, v3 = ECOINVENT_V2[key][score - 1], ECOINVENT_V3_VARIANCE[key][score - 1]
            assert var_ln(f) == pytest.approx(v3, rel=0.15), (key, score)
            assert math.log(f) ** 2 > 3 * v3
    # the EverBatt scores under v2: 0.000595 + 0.008310 + 0.000595 + 0.000218 + 0.000098 + 0.008310 = 0.018127;
    # the v3 table gives 0.0006 (basic 1.05 = 0.0006) + 0.008 + 0.0006 + 0.0002 + 0.0001 + 0.008 = 0.0175
    v2 = var_ln(BASIC_DEMAND) + pedigree_variance(ECOINVENT_V2, EVERBATT)
    assert v2 == pytest.approx(0.018127, abs=1e-6)
    assert v2 == pytest.approx(0.0006 + 0.008 + 0.0006 + 0.0002 + 0.0001 + 0.008, rel=0.05)


# the family table of docs/data/quality.md, typed in by hand (R, C, T, G, Te)
DOCS_FAMILIES = {
    "exact-constant": (1, 1, 1, 1, 1),
    "brightway-background": (2, 2, 3, 3, 3),
    "istrate-unit-process": (2, 2, 2, 2, 2),
    "ember-statistics": (1, 1, 1, 1, 2),
    "greet-average": GREET,
    "everbatt-engineering": EVERBATT,
    "model-structure": (1, 1, 1, 1, 1),
    "residual-mix-aib": (2, 1, 1, 1, 1),
    "proxy": (3, 3, 2, 2, 4),
    "electricity-statistics": (2, 2, 3, 1, 2),
    "technology-literature": (2, 3, 4, 4, 2),
    "price-statistics": (2, 2, 2, 3, 3),
    "model-assumption": EVERBATT,
    "user-scenario": (4, 3, 2, 2, 2),
    "unknown": (5, 5, 5, 5, 5),
}


def test_every_family_has_the_scores_of_the_docs_table_and_the_hand_sigma():
    """E.g. technology-literature (2, 3, 4, 4, 2): 0.000595 + (ln1.54/2)² 0.046609 + (ln1.04/2)² 0.000385
    + (ln1.19/2)² 0.007565 + (ln1.11/2)² 0.002723 + (ln1.18/2)² 0.006849 = 0.064725, σ = 0.254411."""
    from cathode_lca.quality.scores import load_quality
    from cathode_lca.uncertainty.defaults import sigma

    config = load_quality()
    shipped = {f.id: tuple(f.quality[k] for k in KEYS) for f in config.families}
    assert shipped == DOCS_FAMILIES
    for family, scores in DOCS_FAMILIES.items():
        by_hand = math.sqrt(var_ln(BASIC_DEMAND) + pedigree_variance(CIROTH_2016, scores))
        assert sigma(dict(zip(KEYS, scores, strict=True)), "demand") == pytest.approx(by_hand, rel=1e-12), family
    tech = dict(zip(KEYS, DOCS_FAMILIES["technology-literature"], strict=True))
    assert sigma(tech, "demand") == pytest.approx(math.sqrt(0.064725), abs=2e-6)


def test_hand_sigmas_agree_with_the_term_by_term_arithmetic():
    everbatt = math.sqrt(var_ln(BASIC_DEMAND) + pedigree_variance(CIROTH_2016, EVERBATT))
    greet = math.sqrt(var_ln(BASIC_DEMAND) + pedigree_variance(CIROTH_2016, GREET))
    assert everbatt == pytest.approx(SIGMA_EVERBATT, abs=2e-6)
    assert greet == pytest.approx(SIGMA_GREET, abs=2e-6)


def test_a_recovery_fraction_is_a_logit_normal_around_its_value_within_its_bounds(mc, dists):
    """hydro_recovery_ni = 0.98 (EverBatt, a fraction): logit-normal on [0, 1], loc = logit(0.98) = ln 49."""
    d = dists["hydro_recovery_ni"]
    assert d["type"] == "logitnormal" and (d["minimum"], d["maximum"]) == (0.0, 1.0)
    assert d["loc"] == pytest.approx(math.log(0.98 / 0.02), rel=1e-12)  # 3.891820
    assert d["scale"] == pytest.approx(SIGMA_EVERBATT, abs=2e-6)  # 0.366344
    assert d["gsd"] == pytest.approx(1.4425, abs=1e-4)
    x = mc.parameter_samples.sel(parameter="hydro_recovery_ni").values
    assert (x > 0).all() and (x < 1).all()
    logit = np.log(x / (1 - x))
    # median of 64 normal draws: standard error 1.2533 σ / √64; 4 of them
    assert abs(np.median(logit) - math.log(49)) < 4 * 1.2533 * SIGMA_EVERBATT / 8


def test_a_greet_energy_factor_is_a_lognormal_with_the_written_value_as_median(dists):
    """ammonium hydroxide, GREET fossil energy per kg: lognormal, loc = ln(value), σ of the GREET family."""
    from cathode_lca.lca import default_model

    key = "ammonium-hydroxide-greet2022::greet_fossil_energy"
    value = float(default_model().parameters.parameters[key].value)
    d = dists[key]
    assert d["type"] == "lognormal" and d["family"] == "greet-average"
    assert d["loc"] == pytest.approx(math.log(value), rel=1e-12)  # ln(median), not ln(mean) = ln(value) - σ²/2
    assert d["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6)  # 0.334637
    assert d["gsd"] == pytest.approx(1.3974, abs=1e-4)


def test_energy_per_tonne_kilometre_takes_the_input_basic_factor_not_the_transport_one(dists):
    """A truck's fossil energy in MJ/(t*km) is an energy input per unit of transport (basic 1.05). The
    transport basic factor 2.0 of ecoinvent v2 is for amounts of transport service (t*km); given to this
    parameter it made σ = √(0.120113 + 0.111387) = 0.4811 instead of 0.3346."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.defaults import parameter_distributions

    every = parameter_distributions(default_model())
    for mode in ("truck-hhdt", "truck-mhdt", "rail", "ocean-tanker", "barge"):
        d = every[f"transport-{mode}::greet_fossil_energy"]
        assert d["type"] == "lognormal" and d["family"] == "greet-average"
        assert d["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6), mode
    assert dists["transport-truck-hhdt::greet_fossil_energy"]["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6)


def test_the_basic_type_of_a_unit_is_read_from_its_numerator():
    from cathode_lca.uncertainty.defaults import basic_type_of_unit

    assert basic_type_of_unit("t*km") == "transport"
    assert basic_type_of_unit("t*km/kg") == "transport"  # transport service per kg of feed
    assert basic_type_of_unit("ton*mi") == "transport"
    assert basic_type_of_unit("MJ/(t*km)") == "demand"  # energy per unit of transport
    assert basic_type_of_unit("g / (t * km)") == "demand"
    assert basic_type_of_unit("kWh") == "demand"


def test_ecoinvent_v2_scheme_gives_the_hand_sigma():
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.defaults import parameter_distributions

    d = parameter_distributions(default_model(), ["hydro_recovery_ni"], scheme="ecoinvent-v2")["hydro_recovery_ni"]
    assert d["scale"] == pytest.approx(math.sqrt(0.018127), abs=2e-6)  # 0.134638, see the v2/v3 test


def test_greet_emission_exchanges_take_the_basic_factor_of_their_flow():
    """NiSO4 (GREET 2022 via EverBatt 'GREET IO' column AJ: CO2 incl. C in VOC/CO 7.06068, CH4 0.015344 kg/kg):
    CO2 takes basic 1.05, CH4 and N2O 1.5 (ecoinvent v2 basic table), each with the GREET pedigree."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.defaults import default_exchange_distributions

    ex = default_exchange_distributions(default_model().inventory, datasets=["nickel-sulfate-greet2022"])
    by_flow = {d["target"]: d for d in ex.values()}
    co2, ch4, n2o = by_flow["co2-fossil-air"], by_flow["ch4-fossil-air"], by_flow["n2o-air"]
    assert co2["loc"] == pytest.approx(math.log(7.06068), rel=1e-12)
    assert ch4["loc"] == pytest.approx(math.log(0.015344), rel=1e-12)
    assert co2["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6)
    # (ln 1.5 / 2)² = 0.041104 replaces (ln 1.05 / 2)² = 0.000595: √(0.111982 - 0.000595 + 0.041104) = 0.390501
    sigma_ch4 = math.sqrt(0.111982 - 0.000595 + 0.041104)
    assert ch4["scale"] == pytest.approx(sigma_ch4, abs=2e-5) and n2o["scale"] == pytest.approx(sigma_ch4, abs=2e-5)


def test_a_total_is_drawn_as_its_fossil_part_plus_a_non_negative_rest(mc, dists):
    """US grid, GREET 2022 via EverBatt 2023 (electricity_grids.csv, row U.S.): total 7.46065, fossil 5.91859
    MJ/kWh. The total is fossil + rest, rest lognormal around 7.46065 - 5.91859 = 1.54206 with the GREET σ."""
    key, part = "electricity-grid-us::greet_total_energy", "electricity-grid-us::greet_fossil_energy"
    d = dists[key]
    assert d["type"] == "sum" and [p["stream"] for p in d["parts"]] == [part, f"{key}#rest"]
    assert d["parts"][0]["loc"] == pytest.approx(math.log(5.91859), rel=1e-12)
    assert d["parts"][1]["loc"] == pytest.approx(math.log(7.46065 - 5.91859), rel=1e-9)
    assert d["parts"][0]["scale"] == d["parts"][1]["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6)
    total = mc.parameter_samples.sel(parameter=key).values
    fossil = mc.parameter_samples.sel(parameter=part).values
    assert (total - fossil > 0).all()  # non-fossil energy never negative
    # the rest is the rest stream's own draws, so total - fossil is exactly them (seed 11 of the fixture)
    from cathode_lca.uncertainty.streams import draw

    rest = draw(d["parts"][1], 11, f"{key}#rest", 0, 64)
    np.testing.assert_allclose(total - fossil, rest, rtol=1e-12)


def test_a_default_lognormal_draws_the_written_value_as_median_and_a_higher_mean(dists):
    from cathode_lca.uncertainty.streams import draw

    key = "ammonium-hydroxide-greet2022::greet_fossil_energy"
    d, n = dists[key], 20_000
    x = draw(d, 5, key, 0, n)
    median = math.exp(d["loc"])
    # median of ln x within 4 standard errors (1.2533 σ / √n); mean of x near median·exp(σ²/2) = median·1.0576
    assert abs(np.median(np.log(x)) - d["loc"]) < 4 * 1.2533 * SIGMA_GREET / math.sqrt(n)
    mean = median * math.exp(SIGMA_GREET**2 / 2)
    sd = median * math.sqrt((math.exp(SIGMA_GREET**2) - 1) * math.exp(SIGMA_GREET**2))
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(n)
    assert mean / median == pytest.approx(1.0576, abs=1e-4)


def test_lognormal_gsd2_is_the_square_of_the_gsd():
    """``--vary NAME=lognormal:median:gsd2``: gsd2 = exp(2σ), so σ = ln(gsd2) / 2 (stats_arrays / ecoinvent v2
    convention) and loc = ln(median)."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.parameters import parse_distribution

    model = default_model()
    d = model.parameters.fit_distribution("cathode_electricity_nmc811", parse_distribution("lognormal:25:1.21"))
    assert d["type"] == "lognormal"
    assert d["loc"] == pytest.approx(math.log(25.0), rel=1e-12)  # 3.218876
    assert d["scale"] == pytest.approx(math.log(1.21) / 2, rel=1e-12)  # 0.095310, GSD = 1.1


@pytest.mark.slow  # a second Monte Carlo, through the CLI
def test_the_cli_json_prints_the_hand_computed_default():
    """``cathode-lca uncertainty ... --format json``: the metadata carry the same default as the hand σ."""
    from click.testing import CliRunner

    from cathode_lca.cli import cli

    args = ["uncertainty", "NMC811", "--samples", "8", "--seed", "1", "--route", "virgin"]
    args += ["--route", "hydrometallurgical", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)["metadata"]
    d = meta["distributions"]["transport-truck-hhdt::greet_fossil_energy"]
    assert d["scale"] == pytest.approx(SIGMA_GREET, abs=2e-6)
    assert meta["default_uncertainty"] == "on (pedigree factors ciroth2016)"


def test_istrate_triangular_ranges_are_the_published_ones_and_draw_their_moments(dists):
    """Li2CO3 from Atacama brine, natural-gas heat: 22.868 MJ, triangular 16.007-29.728 (Istrate et al. 2024,
    LCI sheet 'Lithium - Brine'; virgin_salts_istrate2024.md, Li2CO3 row 3). Mean (a + c + b)/3 = 22.867667,
    variance (a² + b² + c² - ab - ac - bc)/18 = 7.844410."""
    from cathode_lca.uncertainty.streams import draw

    key = "lithium-carbonate-brine-atacama-istrate2024::li2co3_atacama_ng_heat"
    d = dists[key]
    assert (d["type"], d["minimum"], d["loc"], d["maximum"]) == ("triangular", 16.007, 22.868, 29.728)
    x = draw(d, 3, key, 0, 20_000)
    assert x.min() >= 16.007 and x.max() <= 29.728
    assert abs(x.mean() - 22.867667) < 4 * math.sqrt(7.844410 / 20_000)
    assert x.var(ddof=1) == pytest.approx(7.844410, rel=0.05)


def test_a_bounded_normal_is_truncated_with_the_documented_mean():
    """--vary hydro_recovery_ni=normal:0.98:0.05 on [0, 1]: truncated at z = (1 - 0.98)/0.05 = 0.4, mean
    0.98 - 0.05 φ(0.4)/Φ(0.4) = 0.98 - 0.05 · 0.368270/0.655422 = 0.951906 (docs/uncertainty.md: ≈ 0.9519)."""
    from cathode_lca.lca import default_model
    from cathode_lca.uncertainty.streams import draw

    model = default_model()
    d = model.parameters.fit_distribution("hydro_recovery_ni", {"type": "normal", "loc": 0.98, "scale": 0.05})
    phi = math.exp(-(0.4**2) / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(0.4 / math.sqrt(2)))
    mean = 0.98 - 0.05 * phi / big_phi
    assert mean == pytest.approx(0.951906, abs=1e-6)
    x = draw(d, 1, "hydro_recovery_ni", 0, 20_000)
    assert x.max() <= 1.0 and (x == 1.0).mean() < 1e-3  # no mass piled on the bound
    # sd of this truncated normal < 0.05, so 4 standard errors < 4 · 0.05/√20000 = 0.0014
    assert abs(x.mean() - mean) < 0.0014


def test_a_uniform_leaving_a_fractions_bounds_is_refused():
    from cathode_lca.errors import CathodeLCAError
    from cathode_lca.lca import default_model

    with pytest.raises(CathodeLCAError):
        default_model().parameters.fit_distribution(
            "hydro_recovery_ni", {"type": "uniform", "minimum": 0.9, "maximum": 1.1}
        )


# --- 2. statistics, drivers, Sobol -------------------------------------------------------------------------


def type7_quantile(values: np.ndarray, p: float) -> float:
    """Hyndman & Fan type 7 by hand: h = (n - 1) p, x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋ + 1] - x[⌊h⌋])."""
    x = sorted(float(v) for v in values)
    h = (len(x) - 1) * p
    lo = int(math.floor(h))
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def hand_statistics(values: np.ndarray) -> dict[str, float]:
    x = [float(v) for v in values]
    n = len(x)
    mean = sum(x) / n
    return {
        "mean": mean,
        "median": type7_quantile(values, 0.5),
        "std": math.sqrt(sum((v - mean) ** 2 for v in x) / (n - 1)),
        "q2.5": type7_quantile(values, 0.025),
        "q97.5": type7_quantile(values, 0.975),
    }


def test_statistics_are_recomputed_by_hand_from_the_samples(mc):
    for route in ("virgin", "hydrometallurgical"):
        for indicator in ("gwp100", "energy", "water"):
            y = mc.samples.sel(route=route, indicator=indicator).values
            st = mc.statistics.sel(route=route, indicator=indicator)
            for name, value in hand_statistics(y).items():
                assert float(st.sel(statistic=name)) == pytest.approx(value, rel=1e-12, abs=1e-12), (route, name)


def test_difference_statistics_and_p_lower_than_virgin_by_hand(mc):
    for indicator in ("gwp100", "energy", "water"):
        d = (
            mc.samples.sel(route="hydrometallurgical", indicator=indicator).values
            - mc.samples.sel(route="virgin", indicator=indicator).values
        )
        st = mc.difference.sel(route="hydrometallurgical", indicator=indicator)
        for name, value in hand_statistics(d).items():
            assert float(st.sel(statistic=name)) == pytest.approx(value, rel=1e-12, abs=1e-12), name
        below = sum(1 for v in d if v < 0)
        assert float(mc.p_lower_than_virgin.sel(route="hydrometallurgical", indicator=indicator)) == below / 64
        assert float(mc.p_lower_than_virgin.sel(route="virgin", indicator=indicator)) == 0.0  # virgin − virgin = 0


def test_the_docs_state_the_statistics_conventions_the_code_uses():
    text = (ROOT / "docs" / "uncertainty.md").read_text(encoding="utf-8")
    assert "n − 1" in text  # std is the sample standard deviation (checked by hand above)
    assert "type 7" in text  # numpy's default linear interpolation (checked by hand above)


def test_variance_shares_of_y_equal_3a_plus_b_match_scipys_spearman():
    """Two independent standard normal inputs, y = 3a + b: Pearson ρ² = 9/10 and 1/10; the package's shares
    are the squared Spearman ρ (scipy, independent code) normalised to sum 1."""
    from scipy.stats import spearmanr

    from cathode_lca.uncertainty.drivers import variance_shares

    rng = np.random.default_rng(42)
    a, b = rng.normal(size=(2, 4000))
    y = 3 * a + b
    shares, rho = variance_shares(np.vstack([a, b]), y)
    r = [spearmanr(a, y).statistic, spearmanr(b, y).statistic]
    np.testing.assert_allclose(rho, r, rtol=1e-10)
    np.testing.assert_allclose(shares, np.square(r) / (r[0] ** 2 + r[1] ** 2), rtol=1e-10)
    assert shares[0] == pytest.approx(0.9, abs=0.02) and shares[1] == pytest.approx(0.1, abs=0.02)


def test_monte_carlo_drivers_are_spearman_of_its_own_draws_and_difference():
    from scipy.stats import spearmanr

    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    given = {
        # below 0.975: above it the recycled NiSO4 covers the whole need (min(required, available)) and the
        # difference sits on a plateau whose values tie up to rounding, where tie-breaking conventions differ
        "hydro_recovery_ni": {"type": "uniform", "minimum": 0.9, "maximum": 0.975},
        "cathode_electricity_nmc811": {"type": "uniform", "minimum": 10.0, "maximum": 50.0},
    }
    ds = monte_carlo(
        "NMC811",
        routes=["virgin", "hydrometallurgical"],
        samples=300,
        seed=5,
        kernel="numpy",
        progress=False,
        distributions=given,
        default_uncertainty=False,
    )
    d = (ds.samples.sel(route="hydrometallurgical") - ds.samples.sel(route="virgin")).sel(indicator="gwp100").values
    assert len(np.unique(d)) == len(d)  # no ties: ranks are unambiguous
    ni = ds.parameter_samples.sel(parameter="hydro_recovery_ni").values  # uniform(0.9, 0.975), as given
    assert ni.min() >= 0.9 and ni.max() <= 0.975
    assert abs(ni.mean() - 0.9375) < 4 * (0.075 / math.sqrt(12)) / math.sqrt(300)  # (a + b)/2, sd (b - a)/√12
    rho = {}
    for name in ds.input.values.tolist():  # the given two and the inventory's declared (Istrate) distributions
        x = ds.parameter_samples.sel(parameter=name).values
        rho[name] = spearmanr(x, d).statistic
        got = float(ds.difference_spearman.sel(route="hydrometallurgical", indicator="gwp100", input=name))
        assert got == pytest.approx(rho[name], abs=1e-12), name
    assert set(given) <= set(rho)
    total = sum(r * r for r in rho.values())
    for name, r in rho.items():
        share = float(ds.difference_variance_share.sel(route="hydrometallurgical", indicator="gwp100", input=name))
        assert share == pytest.approx(r * r / total, abs=1e-12)
    # the cathode plant's electricity is common to both routes and cancels in the difference (common random numbers)
    assert abs(rho["cathode_electricity_nmc811"]) < 4 / math.sqrt(300)


LINEAR = """format: cathode-lca/1
description: >
  Additive linear virgin route: GWP = 1.25 ni_factor + 0.5 cam_kwh (1.25 kg NiSO4 per kg CAM, US grid
  0.5 kg CO2/kWh). ni_factor ~ U(4, 6), cam_kwh ~ U(8, 12), independent.
include: [flows.yaml]
parameters:
  plant_region: {choices: [US, CN], default: US, scope: global}
  feed_chemistry: {choices: [NMC811], default: NMC811, scope: global}
  ni_factor: {value: 5, unit: kg, source: t, distribution: {type: uniform, minimum: 4, maximum: 6}}
  cam_kwh: {value: 10, unit: kWh, source: t, distribution: {type: uniform, minimum: 8, maximum: 12}}
datasets:
  - {id: grid-us, name: US grid, stage: energy, unit: kWh, exchanges: [{flow: co2, amount: 0.5, unit: kg, source: t}]}
  - {id: grid-cn, name: CN grid, stage: energy, unit: kWh, exchanges: [{flow: co2, amount: 1.0, unit: kg, source: t}]}
  - id: electricity-plant
    name: plant electricity
    stage: energy
    unit: kWh
    exchanges:
      - {input: grid-us, amount: "plant_region == 'US'", unit: kWh, source: t}
      - {input: grid-cn, amount: "plant_region == 'CN'", unit: kWh, source: t}
  - id: nickel-sulfate-virgin
    name: virgin NiSO4
    stage: raw-material-refining
    products: [{id: nickel-sulfate-virgin, properties: {Ni: 0.4}, source: t}]
    exchanges: [{flow: co2, amount: ni_factor, unit: kg, source: t}]
  - id: cam-nmc811-virgin
    name: virgin CAM
    stage: cam-production
    element_balance: {skip: "test"}
    products: [{id: cam-nmc811-virgin, properties: {Ni: 0.5}, source: t}]
    exchanges:
      - {input: nickel-sulfate-virgin, amount: 1.25, unit: kg, source: t}
      - {input: electricity-plant, amount: cam_kwh, unit: kWh, source: t}
"""


def test_sobol_first_order_indices_of_an_additive_linear_route_are_the_analytic_ones(tmp_path, monkeypatch):
    """S1_i = a_i² var_i / Σ a_j² var_j: 1.25² · (2²/12) = 0.520833 and 0.5² · (4²/12) = 0.333333, so
    S1(ni_factor) = 0.520833 / 0.854167 = 0.609756 and S1(cam_kwh) = 0.390244; ST = S1 (no interaction)."""
    import shutil

    from cathode_lca import comparison as compare_module
    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel
    from cathode_lca.methods import Method
    from cathode_lca.uncertainty.sensitivity import sensitivity

    monkeypatch.setitem(
        compare_module.INDICATORS, "gwp100", Method("t-gwp", "test", "gwp100", "kg CO2-eq", "test", {"co2": 1.0}, "t")
    )
    shutil.copy(ROOT / "tests" / "data" / "flows.yaml", tmp_path / "flows.yaml")
    (tmp_path / "linear.yaml").write_text(LINEAR, encoding="utf-8")
    model = LCAModel(load_inventory([tmp_path / "linear.yaml"]))
    ds = sensitivity("NMC811", model=model, routes=["virgin"], samples=512, seed=2, progress=False)
    s1 = ds.S1.sel(route="virgin", indicator="gwp100")
    st = ds.ST.sel(route="virgin", indicator="gwp100")
    conf = ds.S1_conf.sel(route="virgin", indicator="gwp100")
    expected = {"linear::ni_factor": 0.520833 / 0.854167, "linear::cam_kwh": 0.333333 / 0.854167}
    for name, value in expected.items():
        assert float(s1.sel(parameter=name)) == pytest.approx(value, abs=max(0.02, float(conf.sel(parameter=name))))
        assert float(st.sel(parameter=name)) == pytest.approx(value, abs=0.02)
    assert ds.attrs["model_evaluations"] == 512 * (2 + 2)  # N (D + 2), docs/uncertainty.md


@pytest.mark.slow  # ranks the 113 default parameters of the shipped comparison (about 5 s)
def test_the_size_of_the_default_sensitivity_run_in_the_docs_is_true():
    """docs/uncertainty.md: "`sensitivity NMC811`: 113 parameters, 117,760 evaluations, 7 outputs × 3
    indicators": 1024 (the CLI's default N) × (113 + 2) = 117,760; 4 routes + 3 differences to virgin."""
    from cathode_lca.uncertainty.sensitivity import sensitivity

    text = " ".join((ROOT / "docs" / "uncertainty.md").read_text(encoding="utf-8").split())
    assert "113 parameters, 117,760 evaluations, 7 outputs × 3 indicators" in text
    ds = sensitivity("NMC811", samples=8, seed=1, indicators=("gwp100", "energy", "water"), progress=False)
    assert ds.sizes["parameter"] == 113 and ds.attrs["model_evaluations"] == 8 * (113 + 2)
    assert ds.sizes["route"] == 7 and ds.sizes["indicator"] == 3
    assert 1024 * (ds.sizes["parameter"] + 2) == 117_760


# --- 3. data quality rating --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dqr", "level"),
    [(1.0, "excellent"), (1.5, "excellent"), (1.5001, "very good"), (2.0, "very good"), (2.0001, "good")]
    + [(3.0, "good"), (3.0001, "fair"), (4.0, "fair"), (4.0001, "poor"), (5.0, "poor")],
)
def test_rating_bands_are_the_commonly_quoted_pef_ones(dqr, level):
    """dqr_criteria.md: excellent ≤ 1.5; very good 1.5-2; good 2-3; fair 3-4; poor > 4 (quoted, unverified)."""
    from cathode_lca.quality.dqr import quality_level

    assert quality_level(dqr) == level


def test_the_level_is_read_from_the_printed_dqr():
    """(1.5 + 1.5 + 1.5 + 1.5016)/4 = 1.5004, printed 1.5 and rated as printed (docs/data/quality.md)."""
    from cathode_lca.quality.dqr import rating

    r = rating({"TeR": 1.5, "GeR": 1.5, "TiR": 1.5, "P": 1.5016})
    assert r["DQR"] == 1.5 and r["level"] == "excellent"
    r = rating({"TeR": 1.5, "GeR": 1.5, "TiR": 1.5, "P": 1.504})  # 1.501
    assert r["DQR"] == 1.501 and r["level"] == "very good"


def test_a_greet_dataset_is_rated_from_its_family_scores_by_hand():
    """Every exchange of nickel-sulfate-greet2022 cites GREET (family greet-average: R 2, C 3, T 2, G 3, Te 3):
    TeR = 3, GeR = 3, TiR = 2, P = 2, DQR = (3 + 3 + 2 + 2)/4 = 2.5, 'good'."""
    from cathode_lca.lca import default_model
    from cathode_lca.quality.dqr import dataset_dqr

    r = dataset_dqr(default_model(), "nickel-sulfate-greet2022")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"], r["DQR"], r["level"]) == (3.0, 3.0, 2.0, 2.0, 2.5, "good")


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        # GHG (IPCC AR5 Annex III) and water (Macknick et al. 2012): technology-literature (R 2, C 3, T 4, G 4,
        # Te 2); primary energy 3.6 / 0.33 MJ per kWh is the IEA convention, an exact constant with no data:
        # TeR 2, GeR 4, TiR 4, P 2, DQR (2 + 4 + 4 + 2)/4 = 3.0 (was 2.333: the convention averaged in as 1s)
        ("electricity-technology-nuclear", (2.0, 4.0, 4.0, 2.0, 3.0, "good")),
        # four links 'supplier contract (parameter supplier_electricity_*)': GHG and water name parameters from
        # technology-literature, the energy ones name a convention (3.6 MJ/kWh) and a model setting (0):
        # 3.0, good (was 1.0, excellent: the links were scored 1 instead of on the parameters' lines)
        ("electricity-supplier-specific", (2.0, 4.0, 4.0, 2.0, 3.0, "good")),
        ("electricity-supplier-specific-recycler", (2.0, 4.0, 4.0, 2.0, 3.0, "good")),  # via formulas
        # CO2, CH4, N2O and water from GREET; 1 MJ natural gas per MJ is the fuel-cycle convention: 2.5 (was 2.2)
        ("natural-gas-combustion-industrial-boiler", (3.0, 3.0, 2.0, 2.0, 2.5, "good")),
    ],
)
def test_links_are_rated_on_their_parameters_and_definitions_do_not_dilute(dataset, expected):
    from cathode_lca.lca import default_model
    from cathode_lca.quality.dqr import dataset_dqr

    r = dataset_dqr(default_model(), dataset)
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"], r["DQR"], r["level"]) == expected
    assert r["explicitShare"] == 0.0 and "exact-constant" not in r["families"]


def test_a_scored_supplier_contract_value_from_a_scenario_rates_the_supplier_electricity():
    """A plant's contract GHG given in a scenario with scores (R 1, C 2, T 1, G 1, Te 1) rates the GHG link;
    the water link still names the shipped technology-literature value (R 2, C 3, T 4, G 4, Te 2):
    TeR (1 + 2)/2 = 1.5, GeR (1 + 4)/2 = 2.5, TiR (1 + 4)/2 = 2.5, P (1 + 2)/2 = 1.5, DQR 2.0, very good."""
    from cathode_lca.lca import LCAModel, default_model
    from cathode_lca.parameters.scenarios import apply_to_inventory, compose, parse_scenario_text
    from cathode_lca.quality.dqr import dataset_dqr

    text = (
        "format: cathode-lca-scenario/1\nname: t\nparameters:\n  supplier_electricity_ghg: {value: 20, unit: g/kWh, "
        "source: PPA 2025 with certificates, quality: {reliability: 1, completeness: 2, temporal: 1, geographical: 1, "
        "technological: 1}}\n"
    )
    base = default_model()
    model = LCAModel(
        apply_to_inventory(base.inventory, compose([parse_scenario_text(text, "q.yaml", base.parameters)]))
    )
    r = dataset_dqr(model, "electricity-supplier-specific")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"], r["DQR"], r["level"]) == (1.5, 2.5, 2.5, 1.5, 2.0, "very good")
    assert r["explicitShare"] == 0.5 and r["families"] == {"technology-literature": 0.5}


MIXED = """format: cathode-lca/1
description: three exchanges with explicit scores and one that inherits the GREET family
include: [flows.yaml]
datasets:
  - id: mixed
    name: mixed
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1, unit: kg, source: t, quality: {reliability: 1, completeness: 1, temporal: 1, geographical: 1, technological: 1}}
      - {flow: co2, amount: 2, unit: kg, source: t, quality: {reliability: 2, completeness: 5, temporal: 3, geographical: 4, technological: 2}}
      - {flow: ch4, amount: 0.1, unit: kg, source: t, quality: {reliability: 4, completeness: 2, temporal: 5, geographical: 2, technological: 5}}
      - {flow: water, amount: 3, unit: L, source: "GREET 2022 (test)"}
"""


def test_a_mixed_dataset_is_rated_as_the_mean_over_its_exchanges_by_hand(tmp_path):
    """Means over 4 exchanges (the 4th inherits GREET: R 2, T 2, G 3, Te 3):
    TeR = (1 + 2 + 5 + 3)/4 = 2.75, GeR = (1 + 4 + 2 + 3)/4 = 2.5, TiR = (1 + 3 + 5 + 2)/4 = 2.75,
    P = (1 + 2 + 4 + 2)/4 = 2.25; DQR = (2.75 + 2.5 + 2.75 + 2.25)/4 = 2.5625 -> 2.562 or 2.563, 'good'."""
    import shutil

    from cathode_lca.inventory.load import load_inventory
    from cathode_lca.lca import LCAModel
    from cathode_lca.quality.dqr import dataset_dqr

    shutil.copy(ROOT / "tests" / "data" / "flows.yaml", tmp_path / "flows.yaml")
    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    r = dataset_dqr(LCAModel(load_inventory([tmp_path / "mixed.yaml"])), "mixed")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"]) == (2.75, 2.5, 2.75, 2.25)
    assert r["DQR"] == pytest.approx(2.5625, abs=6e-4) and r["level"] == "good"
    assert r["explicitShare"] == 0.75 and r["families"] == {"greet-average": 0.25}


def test_the_example_passports_declared_dqr_is_the_weighted_mean_of_its_stages_by_hand():
    """calculation.compliance.dqr of examples/battery-nmc811.yaml: total criterion = Σ_s w_s c_s / Σ_s w_s with
    w_s the rated |kg CO2-eq| of stage s; DQR = mean of the four criteria; each stage likewise."""
    from click.testing import CliRunner

    from cathode_lca.cli import cli

    result = CliRunner().invoke(cli, ["passport", str(ROOT / "examples" / "battery-nmc811.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    q = json.loads(result.stdout)["calculation"]["compliance"]["dqr"]
    stages = {s: r for s, r in q["perStageRating"].items() if r}
    weight = sum(r["ratedKgCO2e"] for r in stages.values())
    for criterion in ("TeR", "GeR", "TiR", "P"):
        by_hand = sum(r["ratedKgCO2e"] * r[criterion] for r in stages.values()) / weight
        assert q["totalRating"][criterion] == pytest.approx(by_hand, abs=1.5e-3), criterion  # stages rounded to 3 d.
    # DQR is linear in the criteria: the weighted mean of the stages' DQRs is the total DQR (docs/data/quality.md)
    by_hand = sum(r["ratedKgCO2e"] * r["DQR"] for r in stages.values()) / weight
    assert q["total"] == pytest.approx(by_hand, abs=1.5e-3)
    for r in [*stages.values(), q["totalRating"]]:
        assert r["DQR"] == pytest.approx((r["TeR"] + r["GeR"] + r["TiR"] + r["P"]) / 4, abs=1e-3)
    assert q["total"] == q["totalRating"]["DQR"] and q["level"] == "good"  # 2.0 < DQR ≤ 3.0
    assert 2.0 < q["total"] <= 3.0


# --- 4. numbers stated in the docs ------------------------------------------------------------------------


def test_the_worked_example_of_docs_data_quality_is_true():
    text = (ROOT / "docs" / "data" / "quality.md").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("= 0.000595"))
    printed = re.findall(r"\d+\.\d+", line)
    by_hand = [var_ln(f) for f in (1.05, 1.69, 1.04, 1.03, 1.08, 1.65)]
    for p, h in zip(printed[:6], by_hand, strict=True):
        assert round(h, len(p.split(".")[1])) == float(p), (p, h)  # every term as printed, rounded by hand
    assert float(printed[6]) == pytest.approx(sum(by_hand), abs=5e-5)  # 0.1342
    assert "GSD = 1.44" in text and "×/÷ 2.05" in text
    assert math.exp(SIGMA_EVERBATT) == pytest.approx(1.44, abs=0.005)
    assert math.exp(1.96 * SIGMA_EVERBATT) == pytest.approx(2.05, abs=0.005)  # the 95 % interval factor


def test_the_spread_under_the_other_reading_of_ciroth_quoted_in_the_docs_is_true():
    """Read as GSDs, Ciroth's factors add (ln f)² each: EverBatt 0.000595 + 4 × 0.133613 = 0.535047, σ 0.7315,
    GSD 2.08; GREET 0.000595 + 4 × 0.111387 = 0.446143, σ 0.6679, GSD 1.95."""
    text = " ".join((ROOT / "docs" / "data" / "quality.md").read_text(encoding="utf-8").split())
    assert "would get GSD 2.08 instead of 1.44 and a GREET average 1.95 instead of 1.40" in text
    everbatt = var_ln(BASIC_DEMAND) + sum(
        math.log(CIROTH_2016[k][s - 1]) ** 2 for k, s in zip(KEYS, EVERBATT, strict=True)
    )
    greet = var_ln(BASIC_DEMAND) + sum(math.log(CIROTH_2016[k][s - 1]) ** 2 for k, s in zip(KEYS, GREET, strict=True))
    assert everbatt == pytest.approx(0.000595 + 4 * 0.133613, abs=2e-6)
    assert round(math.exp(math.sqrt(everbatt)), 2) == 2.08 and round(math.exp(math.sqrt(greet)), 2) == 1.95


def test_the_gsds_quoted_in_docs_uncertainty_are_true(mc):
    text = (ROOT / "docs" / "uncertainty.md").read_text(encoding="utf-8")
    assert "an EverBatt engineering estimate gets GSD 1.44; a GREET average gets GSD 1.40" in text
    assert math.exp(SIGMA_EVERBATT) == pytest.approx(1.44, abs=0.005)
    assert math.exp(SIGMA_GREET) == pytest.approx(1.40, abs=0.005)
    assert "≈ 0.9519" in text  # the truncated normal's mean, recomputed above
    # "1,000,000 samples of a 4-route comparison need about 100 MB": the run above keeps 2 routes × 3 indicators
    # × 64 samples; per route and sample that is 3 indicators × 8 bytes, so 4 routes × 1e6 samples take 96 MB
    per_route_sample = mc.samples.values.nbytes / (2 * 64)
    assert "about 100 MB" in text and per_route_sample == 3 * 8
    assert 4 * 1_000_000 * per_route_sample / 1e6 == pytest.approx(100, abs=5)
