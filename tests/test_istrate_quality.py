"""Istrate et al. (2024)'s own pedigree scores, transcribed into the shipped Istrate inventories.

The source (Istrate et al. 2024, Joule 8, LCI file ``data/lci_LIB_raw_materials.xlsx``) gives each
lognormal (type 2) exchange six ecoinvent v2-ordered pedigree scores: reliability, completeness,
temporal, geographical, further technological correlation, sample size. The first five are the
package's ``quality:`` keys; the sixth is 1 in every row and is dropped (docs/data/quality.md). The
expected tuples below are copied by hand from the cited rows of the source tables, not read from the
inventory. Before the transcription every one of these numbers inherited the family default
(2, 2, 2, 2, 2): each test below fails on that state.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cathode_lca.inventory.formulas import Formula
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.quality.dqr import dataset_dqr
from cathode_lca.quality.scores import PEDIGREE_KEYS, load_quality, quality_of
from cathode_lca.uncertainty.defaults import default_exchange_distributions, exchange_key, parameter_distributions

FAMILY_DEFAULT = {k: 2 for k in PEDIGREE_KEYS}  # istrate-unit-process in inventories/quality.yaml


@pytest.fixture(scope="module")
def model() -> LCAModel:
    return default_model()


def _exchange(model: LCAModel, dataset: str, target: str, amount: float) -> tuple[int, object]:
    """The one exchange of *dataset* to *target* with the given (constant) amount, and its index."""
    found = [
        (i, ex)
        for i, ex in enumerate(model.inventory.datasets[dataset].exchanges)
        if ex.target == target and not isinstance(ex.amount, Formula) and float(ex.amount) == pytest.approx(amount)
    ]
    assert len(found) == 1, found
    return found[0]


def _scores(*five: int) -> dict[str, int]:
    return dict(zip(PEDIGREE_KEYS, five, strict=True))


# (dataset, target, amount, scores of the source row's first five, the row)
ROWS = [
    # 'lithium hydroxide production, Salar de Atacama' (sheet 'Lithium - Brine', rows 3, 11-19):
    # 'market for electricity, medium voltage' (CL), 1.3889 kWh, pedigree (1, 4, 3, 1, 1, 1)
    ("lithium-hydroxide-brine-atacama-istrate2024", "electricity-refinery-cl", 1.3889, (1, 4, 3, 1, 1)),
    # 'lithium carbonate production, Salar de Atacama' (rows 21, 29-34): electricity 0.41453 kWh,
    # pedigree (3, 3, 5, 5, 3, 1)
    ("lithium-carbonate-brine-atacama-istrate2024", "electricity-refinery-cl", 0.41453, (3, 3, 5, 5, 3)),
    # 'lithium brine production, from evaporation pond' (rows 55, 63-71): 'Water, unspecified natural
    # origin' 0.00018958 m3, pedigree (3, 3, 2, 1, 1, 1)
    ("lithium-brine-pond-atacama-istrate2024", "water-consumption", 0.00018958, (3, 3, 2, 1, 1)),
    # 'spodumene concentrate production' (sheet 'Lithium - Spodumene', rows 47, 55-83): 'market for
    # transport, freight, sea, bulk carrier for dry goods' 7.24 t*km, pedigree (4, 3, 4, 3, 5, 1)
    ("spodumene-concentrate-au-istrate2024", "transport-ocean-tanker", 7.24, (4, 3, 4, 3, 5)),
    # 'cobalt hydroxide, hydrometallurigcal procesing of copper-cobalt ore' (sheet 'Cobalt', rows 32,
    # 40-53): 'copper-cobalt mining, industrial' 46 kg, pedigree (1, 4, 4, 1, 1, 1), and 'market for
    # lime, hydraulic' 0.7 kg, pedigree (4, 4, 5, 5, 4, 1): two scores in one dataset
    ("cobalt-hydroxide-cd-istrate2024", "copper-cobalt-ore-cd-istrate2024", 46.0, (1, 4, 4, 1, 1)),
    ("cobalt-hydroxide-cd-istrate2024", "lime-greet2022", 0.7, (4, 4, 5, 5, 4)),
    # 'nickel ore mining, average excluding China' (sheet 'Nickel', rows 203, 211-242): 'Carbon dioxide,
    # fossil' 0.0054545 kg, pedigree (2, 3, 3, 1, 1, 1)
    ("nickel-ore-glo-istrate2024", "co2-fossil-air", 0.0054545, (2, 3, 3, 1, 1)),
]


@pytest.mark.parametrize(("dataset", "target", "amount", "five"), ROWS)
def test_source_pedigree_scores_are_read_back_through_the_dqr_lookup(model, dataset, target, amount, five):
    _, ex = _exchange(model, dataset, target, amount)
    scores, family = quality_of(ex, None, load_quality())
    assert scores == _scores(*five) and scores != FAMILY_DEFAULT
    assert getattr(ex, "quality", None)  # explicit, not inherited
    assert family.id == "istrate-unit-process"  # the source still names its family (for the reader)


def test_a_parameter_held_number_carries_its_row_scores(model):
    # 'copper-cobalt mining, industrial' (sheet 'Cobalt', rows 55, 63-69): resource 'Cobalt, in ground'
    # 0.0047 kg per kg ore, pedigree (2, 4, 4, 1, 1, 1); the inventory holds it as a parameter
    param = model.parameters.parameters["copper-cobalt-ore-cd-istrate2024::cuco_ore_co_content"]
    scores, _ = quality_of(param, param.name, load_quality())
    assert scores == _scores(2, 4, 4, 1, 1)


def test_rows_without_pedigree_scores_keep_the_family_default(model):
    # Co(OH)2 truck transport 2.7 t*km carries no uncertainty in the source (same rows as above)
    _, truck = _exchange(model, "cobalt-hydroxide-cd-istrate2024", "transport-truck-hhdt", 2.7)
    assert not getattr(truck, "quality", None)
    assert quality_of(truck, None, load_quality())[0] == FAMILY_DEFAULT
    # triangular rows keep their triangular distribution, with the source's min/max (15.257, 28.334)
    dists = parameter_distributions(model)
    tri = dists["lithium-carbonate-brine-atacama-istrate2024::li2co3_atacama_purified_brine"]
    assert (tri["type"], tri["minimum"], tri["maximum"]) == ("triangular", 15.257, 28.334)


def test_every_pedigree_quoted_in_a_source_text_matches_its_quality(model):
    """Internal cross-check over all Istrate numbers: the tuple quoted in the source text equals the
    explicit scores, and only the sample-size score (always 1) is dropped."""
    pattern = re.compile(r"pedigree \((\d), (\d), (\d), (\d), (\d), (\d)\)")
    items = [
        ex for ds_id, ds in model.inventory.datasets.items() if ds_id.endswith("istrate2024") for ex in ds.exchanges
    ] + [p for key, p in model.parameters.parameters.items() if "istrate2024::" in key]
    quoted = 0
    for item in items:
        found = pattern.findall(getattr(item, "source", None) or "")
        explicit = getattr(item, "quality", None)
        if not found:
            assert not explicit, item
            continue
        [six] = found
        assert six[5] == "1" and dict(explicit) == _scores(*(int(x) for x in six[:5])), item
        quoted += 1
    # 122 exchanges and 7 parameters: cuco_ore_co_content, and the natural-gas heat and coke energy of six
    # formula exchanges, named so that they are varied (test_no_istrate_exchange_hides_a_source_number...)
    assert quoted == 129


def test_default_sigma_of_one_exchange_by_hand(model):
    """LiOH from Atacama brine, electricity 1.3889 kWh, scores (1, 4, 3, 1, 1): ecoinvent's
    sigma^2 = (ln f_b / 2)^2 + sum (ln f_i / 2)^2, GSD^2-convention factors of Ciroth et al. (2016)
    Table 6 (inventories/quality.yaml): reliability 1 -> 1.0, completeness 4 -> 1.08, temporal 3 -> 1.10,
    geographical 1 -> 1.0, technological 1 -> 1.0; basic factor of an input 1.05 (ecoinvent v2).
    = 0.000595 + 0.001481 + 0.002271 = 0.004347, sigma = 0.065931 (GSD 1.068). The family default
    (2, 2, 2, 2, 2) gave sigma = 0.2342 (GSD 1.264)."""
    index, _ = _exchange(model, "lithium-hydroxide-brine-atacama-istrate2024", "electricity-refinery-cl", 1.3889)
    by_hand = math.sqrt((math.log(1.05) / 2) ** 2 + (math.log(1.08) / 2) ** 2 + (math.log(1.10) / 2) ** 2)
    assert by_hand == pytest.approx(0.065931, abs=1e-6)
    dist = default_exchange_distributions(model.inventory, datasets=["lithium-hydroxide-brine-atacama-istrate2024"])
    got = dist[exchange_key("lithium-hydroxide-brine-atacama-istrate2024", index)]
    assert got["type"] == "lognormal" and got["scale"] == pytest.approx(by_hand, rel=1e-12)
    old = math.sqrt(
        (math.log(1.05) / 2) ** 2
        + sum((math.log(f) / 2) ** 2 for f in (1.54, 1.03, 1.03, 1.04, 1.18))  # scores 2 of Table 6
    )
    assert old == pytest.approx(0.23425, abs=1e-5) and got["scale"] < old / 3


def test_default_sigma_of_a_transport_exchange_by_hand(model):
    """Spodumene concentrate, sea transport 7.24 t*km, scores (4, 3, 4, 3, 5), transport basic factor 2.0:
    (ln 2/2)^2 + (ln 1.69/2)^2 + (ln 1.04/2)^2 + (ln 1.19/2)^2 + (ln 1.08/2)^2 + (ln 2.8/2)^2
    = 0.120113 + 0.068835 + 0.000385 + 0.007565 + 0.001481 + 0.265029 = 0.463408, sigma = 0.68074."""
    index, _ = _exchange(model, "spodumene-concentrate-au-istrate2024", "transport-ocean-tanker", 7.24)
    dist = default_exchange_distributions(model.inventory, datasets=["spodumene-concentrate-au-istrate2024"])
    got = dist[exchange_key("spodumene-concentrate-au-istrate2024", index)]
    assert got["scale"] == pytest.approx(math.sqrt(0.463408), abs=2e-6)


def test_dqr_of_the_copper_cobalt_ore_dataset_by_hand(model):
    """Two rated exchanges: diesel (2, 4, 4, 1, 1) and water (4, 4, 5, 5, 4) (sheet 'Cobalt', rows 55,
    63-69). TeR = (1 + 4)/2 = 2.5, GeR = (1 + 5)/2 = 3, TiR = (4 + 5)/2 = 4.5, P = (2 + 4)/2 = 3,
    DQR = (2.5 + 3 + 4.5 + 3)/4 = 3.25, 'fair' (it was 2.0, 'very good', on the family default)."""
    r = dataset_dqr(model, "copper-cobalt-ore-cd-istrate2024")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"]) == (2.5, 3.0, 4.5, 3.0)
    assert r["DQR"] == 3.25 and r["level"] == "fair" and r["explicitShare"] == 1.0


def test_dqr_of_a_dataset_mixing_explicit_and_default_scores_by_hand(model):
    """Co(OH)2: ore and electricity (1, 4, 4, 1, 1); lime, limestone, NaOH and water (4, 4, 5, 5, 4);
    truck and ship carry no scores in the source: family default (2, 2, 2, 2, 2). Eight exchanges:
    TeR = (1+1+4+4+4+2+2+4)/8 = 2.75, GeR = (1+1+5+5+5+2+2+5)/8 = 3.25,
    TiR = (4+4+5+5+5+2+2+5)/8 = 4.0, P = (1+1+4+4+4+2+2+4)/8 = 2.75, DQR = 12.75/4 = 3.1875."""
    r = dataset_dqr(model, "cobalt-hydroxide-cd-istrate2024")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"]) == (2.75, 3.25, 4.0, 2.75)
    assert r["DQR"] == pytest.approx(3.1875, abs=1e-3) and r["level"] == "fair"
    assert r["explicitShare"] == 0.75 and r["families"] == {"istrate-unit-process": 0.25}


def test_no_istrate_exchange_hides_a_source_number_in_a_formula(model):
    """A number written into a formula (``amount: "2.145 / istrate_ng_heat_per_fuel"``) is never varied by
    the Monte Carlo (formula exchanges vary only through their parameters), whatever its quality scores.
    Every number of the source behind an Istrate formula exchange must be a named parameter instead.
    This failed with the seven natural-gas heat and coke amounts written as literals."""
    import ast

    literals = []
    for ds_id, ds in model.inventory.datasets.items():
        if not ds_id.endswith("istrate2024"):
            continue
        for i, ex in enumerate(ds.exchanges):
            if isinstance(ex.amount, Formula):
                numbers = [n.value for n in ast.walk(ex.amount.tree) if isinstance(n, ast.Constant)]
                literals += [(ds_id, i, ex.amount.text) for value in numbers if value not in (0, 1)]
    assert literals == []


def test_the_natural_gas_heat_of_nickel_sulfate_is_drawn_with_its_rows_scores(model):
    """NiSO4 (GLO), natural-gas heat 2.145 MJ, source scores (2, 3, 3, 1, 1), basic factor of an input 1.05;
    Ciroth et al. (2016) Table 6 factors: reliability 2 -> 1.54, completeness 3 -> 1.04, temporal 3 -> 1.10:
    sigma^2 = (ln 1.05/2)^2 + (ln 1.54/2)^2 + (ln 1.04/2)^2 + (ln 1.10/2)^2
            = 0.000595 + 0.046609 + 0.000385 + 0.002271 = 0.049860, sigma = 0.22329.
    Drawn in a Monte Carlo with the Istrate nickel route, the log of the draws has that spread around ln 2.145."""
    from cathode_lca.uncertainty.monte_carlo import monte_carlo

    key = "nickel-sulfate-glo-istrate2024::niso4_glo_ng_heat"
    dist = parameter_distributions(model, [key])[key]
    assert dist["type"] == "lognormal" and dist["scale"] == pytest.approx(0.22329, abs=1e-5)
    assert dist["loc"] == pytest.approx(math.log(2.145), rel=1e-12)
    ds = monte_carlo(
        "NMC811",
        routes=["virgin"],
        samples=4000,
        seed=3,
        progress=False,
        parameters={"nickel_sulfate_route": "istrate2024"},
        model=model,
    )
    logs = np.log(ds.parameter_samples.sel(parameter=key).values)
    # 4,000 draws: the standard error of the mean is 0.0035, of the standard deviation 0.0025
    assert float(np.mean(logs)) == pytest.approx(math.log(2.145), abs=0.015)
    assert float(np.std(logs, ddof=1)) == pytest.approx(0.22329, rel=0.05)
