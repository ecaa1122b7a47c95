"""Which source family (default pedigree scores) the shipped numbers fall into, and the first-match rule.

A number without explicit ``quality:`` scores inherits the scores of the *first* family of
``inventories/quality.yaml`` whose patterns match its source text (or parameter name). The family decides
whether the number is varied at all (exact families never are), its default spread and its DQR. An audit of
every rated number (``tools/quality_families.py``) found numbers caught by a family that does not describe them:

* ``exact-constant``'s bare ``stoichiometr`` caught the cathode-plant metal yield and the loss exchanges stated
  from it ("... (Dai et al. 2019 ...: stoichiometric cathode production)", "... metal content (stoichiometry)");
* ``greet-average``'s bare ``GREET`` caught EverBatt's per-kg-CAM cathode-plant inputs ("data: GREET, Dai et
  al. 2018a"), the t*km of the rail/sea/barge legs (EverBatt mass factor x distance) and the LFP iron-sulfate
  input, while the *same* numbers cited through their parameter were ``everbatt-engineering``;
* the process-fuel links (1 MJ of fuel = 1 MJ burned + 1 MJ of fuel-cycle upstream, the GREET fuel-cycle
  convention) were varied as GREET averages, each with GSD 1.40;
* EverBatt's own molar masses (``everbatt_mm_*``, ``everbatt_molar_mass_*``) were ``everbatt-engineering``.

Each row of :data:`EXPECTED` was classified by hand from the source text; the misfit rows fail on the family
patterns before the fix.
"""

from __future__ import annotations

import json
import math
import re
from types import SimpleNamespace
from typing import Any

import pytest

from cathode_lca.inventory.formulas import Formula
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.quality.dqr import dataset_dqr
from cathode_lca.quality.scores import Family, QualityConfig, load_quality, quality_of
from cathode_lca.uncertainty.defaults import (
    default_exchange_distributions,
    default_parameter_distribution,
    exchange_key,
    is_exact,
)


@pytest.fixture(scope="module")
def model() -> LCAModel:
    return default_model()


def _exchange(model: LCAModel, dataset: str, target: str) -> tuple[int, Any]:
    found = [(i, ex) for i, ex in enumerate(model.inventory.datasets[dataset].exchanges) if ex.target == target]
    assert len(found) == 1, (dataset, target, found)
    return found[0]


def _family(model: LCAModel, kind: str, where: str, target: str | None) -> str:
    if kind == "param":
        p = model.parameters.parameters[where]
        return quality_of(p, p.name)[1].id
    if kind == "product":
        return quality_of(next(p for p in model.inventory.datasets[where].products if p.id == target))[1].id
    assert target is not None
    return quality_of(_exchange(model, where, target)[1])[1].id


# (kind, parameter key or dataset, exchange target or product, family, why)
EXPECTED = [
    # --- misfits fixed ---------------------------------------------------------------------------------------
    # EverBatt's judgement that the plant loses no metal: an engineering estimate, not a stoichiometric constant
    ("param", "cathode_plant_yield", None, "everbatt-engineering", "yield; 'stoichiometric' only in the citation"),
    # EverBatt 'Cath. Prod. Par.' per-kg-CAM inputs, "data: GREET, Dai et al. 2018a": a cathode-plant recipe
    ("param", "cathode_electricity_nmc811", None, "everbatt-engineering", "plant input, mentions GREET"),
    ("param", "cathode_niso4_nmc811", None, "everbatt-engineering", "plant input, mentions GREET"),
    ("param", "cathode_li2co3_nmc111", None, "everbatt-engineering", "plant input, mentions GREET"),
    # loss = salt x content x (1 - yield): an EverBatt-based estimate, and the Atacama Li balance on Istrate's data
    ("ex", "cam-nmc811-virgin", "lithium-loss-waste", "everbatt-engineering", "loss; mentions stoichiometry"),
    ("ex", "pcam-nmc811-virgin", "nickel-loss-waste", "everbatt-engineering", "loss; mentions stoichiometry"),
    ("ex", "lithium-hydroxide-brine-atacama-istrate2024", "lithium-loss-waste", "istrate-unit-process", "balance"),
    # t*km = EverBatt mass factor x distance; GREET only supplies the provider's per-t*km factors
    ("ex", "cam-nmc811-hydrometallurgical", "transport-rail", "everbatt-engineering", "t*km leg, names GREET first"),
    ("ex", "recycling-feed", "transport-ocean-tanker", "everbatt-engineering", "t*km leg, names GREET first"),
    ("ex", "cam-lfp-virgin", "iron-sulfate-greet2022", "everbatt-engineering", "amount is cathode_feso4_lfp"),
    # process fuel = combustion + fuel-cycle upstream, 1 MJ each per MJ of fuel: the GREET fuel-cycle convention
    ("ex", "natural-gas-industrial-boiler", "natural-gas-upstream", "exact-constant", "fuel-cycle link"),
    ("ex", "diesel-nonroad-equipment", "diesel-combustion-nonroad-equipment", "exact-constant", "fuel-cycle link"),
    # EverBatt's rounded molar masses (CO2 44, Li2CO3 74, C 12)
    ("param", "everbatt_mm_co2", None, "exact-constant", "molar mass"),
    ("param", "cathode/cam-virgin::everbatt_molar_mass_li2co3", None, "exact-constant", "molar mass"),
    # a reference amount is a definition (never rated or varied; listed so that none falls to 'unknown')
    ("product", "nickel-sulfate-virgin", "nickel-sulfate-virgin", "model-structure", "reference flow"),
    # --- correct members, at least one per family --------------------------------------------------------------
    ("param", "molar_mass_ni", None, "exact-constant", "molar mass (name)"),
    ("param", "cam_mn_nca", None, "exact-constant", "text starts with 'stoichiometry'"),
    ("param", "transport_km_per_mile", None, "exact-constant", "unit conversion"),
    ("param", "background/electricity::nuclear_efficiency", None, "exact-constant", "IEA 33 % convention"),
    ("ex", "cam-nmc811-virgin", "pcam-nmc811-virgin", "exact-constant", "1 mol pCAM per mol CAM"),
    ("ex", "electricity-supplier-specific", "ghg-unspecified-co2eq-air", "model-structure", "link to a parameter"),
    ("param", "lithium-hydroxide-brine-atacama-istrate2024::lioh_atacama_li2co3", None, "istrate-unit-process", ""),
    ("param", "electricity-generation-de::share_coal", None, "ember-statistics", "OWID/Ember share"),
    ("ex", "lime-greet2022", "co2-fossil-air", "greet-average", "sheet 'GREET IO' cell"),
    ("ex", "electricity-grid-cn", "co2-fossil-air", "greet-average", "EverBatt cell = 'GREET IO'"),
    ("param", "natural-gas-upstream::greet_total_energy", None, "greet-average", "sheet 'GREET IO' cell"),
    ("ex", "natural-gas-combustion-industrial-boiler", "water-consumption", "greet-average", "GREET 2022 via EverBatt"),
    ("param", "hydro_recovery_ni", None, "everbatt-engineering", "EverBatt recovery"),
    ("ex", "electricity-residual-de", "co2-fossil-air", "residual-mix-aib", "AIB residual mix"),
    ("ex", "electricity-grid-de", "electricity-generation-eu", "proxy", "imports at the EU-27 mix (proxy)"),
    ("param", "electricity-grid-de::td_loss", None, "electricity-statistics", "World Bank WDI"),
    ("param", "background/electricity::water_coal", None, "technology-literature", "Macknick et al. 2012"),
    ("param", "price_ni_in_product", None, "price-statistics", "World Bank Pink Sheet (a formula)"),
    ("param", "cam-nmc111-direct::feed_matches", None, "model-assumption", "a formula"),
]


@pytest.mark.parametrize(("kind", "where", "target", "family", "why"), EXPECTED)
def test_representative_numbers_fall_into_the_family_their_source_describes(model, kind, where, target, family, why):
    assert _family(model, kind, where, target) == family, why


@pytest.mark.parametrize(
    ("text", "family"),
    [
        # families without a shipped rated member: the texts their writers produce
        ("aggregated LCI computed with bw2calc from 'ei-3.10-cutoff'", "brightway-background"),
        ("user value from the plant's 2025 energy audit", "user-scenario"),
        ("written on a napkin", "unknown"),
        ("GREET 2022, table 3", "greet-average"),  # a user citing GREET itself
        ("China grid mix, GREET 2022 via EverBatt 2023 ('GREET IO', dataset electricity-grid-cn)", "greet-average"),
        ("stoichiometric ratio Li2CO3 : LiOH", "exact-constant"),
        (
            "EverBatt 2023, 'CM Rec Par.' section 9: graphite credited as GREET graphite ('GREET IO' column K), 1:1",
            "everbatt-engineering",
        ),
        ("element balance (our derivation): stoichiometric Li contents", "unknown"),  # mentions, is not, stoichiometry
    ],
)
def test_family_of_a_source_text(text, family):
    assert load_quality().family(text).id == family


#: A name that says its number is a yield, recovery, efficiency, loss, capture or carry-over names a process
#: performance, which is data and is varied, unless its source defines it by convention (listed here, with why).
VARIED_BY_NATURE = re.compile(r"yield|recover|efficien|loss|captur|carryover", re.IGNORECASE)
CONVENTIONS = {
    "background/electricity::nuclear_efficiency": "IEA accounting convention of 33 % (primary energy of nuclear)",
}


def test_no_yield_recovery_efficiency_or_loss_is_an_exact_constant(model):
    params = model.parameters.parameters
    named = [k for k, p in params.items() if p.kind == "value" and VARIED_BY_NATURE.search(p.name)]
    assert len(named) > 20  # hydro/pyro/direct/preproc recoveries, T&D losses, the plant yield, ...
    exact = sorted(k for k in named if is_exact(params[k]) and k not in CONVENTIONS)
    assert exact == []
    assert all(is_exact(params[k]) for k in CONVENTIONS)  # the allowance is still needed


def test_no_element_loss_exchange_is_in_an_exact_family(model):
    losses = [
        (ds.id, ex.target, quality_of(ex)[1])
        for ds in model.inventory.datasets.values()
        for ex in ds.exchanges
        if VARIED_BY_NATURE.search(ex.target)
    ]
    assert len(losses) > 50
    assert [(d, t, f.id) for d, t, f in losses if f.exact] == []


def test_every_molar_mass_is_an_exact_constant(model):
    params = model.parameters.parameters
    masses = [k for k, p in params.items() if re.search(r"molar_mass|(^|_)mm_", p.name) and p.unit == "g/mol"]
    # 13 shared (molar_mass_*), 2 derived (lipf6_, pvdf_molar_mass), EverBatt's 5 everbatt_mm_* and 2 in cam-virgin
    assert len(masses) == 22
    assert {k: quality_of(params[k], params[k].name)[1].id for k in masses} == dict.fromkeys(masses, "exact-constant")


def test_cathode_plant_input_gets_the_everbatt_spread_by_hand(model):
    """EverBatt scores (4, 3, 2, 3, 3), input (f_b 1.05), Ciroth et al. 2016 factors (GSD² convention):
    σ² = (ln 1.05/2)² + (ln 1.69/2)² + (ln 1.04/2)² + (ln 1.03/2)² + (ln 1.08/2)² + (ln 1.65/2)²
       = 0.000595 + 0.06884 + 0.000385 + 0.000218 + 0.00148 + 0.06269 = 0.13421, GSD = exp(0.3664) = 1.443.
    As a GREET average (2, 3, 2, 3, 3) it had (ln 1.54/2)² = 0.04661 for reliability: σ² = 0.11198, GSD 1.397."""
    dist = default_parameter_distribution(model.parameters.parameters["cathode_electricity_nmc811"])
    assert dist is not None and dist["family"] == "everbatt-engineering"
    assert dist["gsd"] == pytest.approx(math.exp(math.sqrt(0.13421)), abs=2e-4)
    assert dist["gsd"] == pytest.approx(1.443, abs=1e-3)


def test_process_fuel_links_are_not_varied(model):
    """Per MJ of process fuel, 1 MJ is burned and 1 MJ of fuel-cycle upstream is supplied: an identity."""
    for dataset in ("natural-gas-industrial-boiler", "diesel-industrial-boiler", "residual-oil-industrial-boiler"):
        defaults = default_exchange_distributions(model.inventory, datasets=[dataset])
        assert defaults == {}, dataset
        assert all(not isinstance(ex.amount, Formula) for ex in model.inventory.datasets[dataset].exchanges)
    # the fuels' own GREET factors still are
    i, _ = _exchange(model, "natural-gas-combustion-industrial-boiler", "co2-fossil-air")
    combustion = default_exchange_distributions(model.inventory, datasets=["natural-gas-combustion-industrial-boiler"])
    assert combustion[exchange_key("natural-gas-combustion-industrial-boiler", i)]["family"] == "greet-average"


def test_cathode_dataset_dqr_rates_its_loss_like_its_inputs_by_hand(model):
    """cam-nmc811-virgin: the pCAM link (1 mol per mol, molar masses only) is left out; LiOH, electricity and
    natural gas (via cathode_* parameters) and the Li loss are EverBatt estimates (4, 3, 2, 3, 3):
    TeR = 3, GeR = 3, TiR = 2, P = 4, DQR = 12/4 = 3.0. Before, the loss was rated on cathode_lioh_nmc811 as a
    GREET average (reliability 2): P = (4 + 4 + 4 + 2)/4 = 3.5, DQR 2.875."""
    r = dataset_dqr(model, "cam-nmc811-virgin")
    assert (r["TeR"], r["GeR"], r["TiR"], r["P"], r["DQR"]) == (3.0, 3.0, 2.0, 4.0, 3.0)
    assert r["families"] == {"everbatt-engineering": 1.0}


SCORES = {"reliability": 2, "completeness": 3, "temporal": 2, "geographical": 3, "technological": 3}
WORST = dict.fromkeys(SCORES, 5)


def _config(*families: Family) -> QualityConfig:
    fallback = Family("unknown", "", WORST, sources=(re.compile(".*"),))
    return QualityConfig((*families, fallback), {"demand": 1.05})


def test_first_match_wins_so_a_broad_family_listed_first_steals_a_text():
    text = "EverBatt 2023, sheet 'Cath. Prod. Par.', cell G45 (Electricity, per kg CAM; data: GREET, Dai et al. 2018a)"
    broad = Family("greet-like", "", SCORES, sources=(re.compile("GREET", re.IGNORECASE),))
    specific = Family("everbatt-like", "", {**SCORES, "reliability": 4}, sources=(re.compile("EverBatt"),))
    assert broad.matches(text, None) and specific.matches(text, None)
    assert _config(broad, specific).family(text).id == "greet-like"  # the misfit: order decides
    assert _config(specific, broad).family(text).id == "everbatt-like"
    # the remembered answer is per configuration, not shared between them
    a, b = _config(broad, specific), _config(specific, broad)
    assert (a.family(text).id, b.family(text).id, a.family(text).id) == ("greet-like", "everbatt-like", "greet-like")
    # with the shipped order and patterns, greet-average no longer matches such a text at all
    shipped = {f.id: f for f in load_quality().families}
    assert not shipped["greet-average"].matches(text, None) and shipped["everbatt-engineering"].matches(text, None)
    assert load_quality().family(text).id == "everbatt-engineering"


def test_a_name_pattern_matches_the_name_not_the_source():
    fam = Family("mass", "", SCORES, names=(re.compile("_molar_mass_"),))
    cfg = _config(fam)
    assert cfg.family("EverBatt 2023", "everbatt_molar_mass_co2").id == "mass"
    assert cfg.family("everbatt_molar_mass_co2 (text)", None).id == "unknown"
    assert quality_of(SimpleNamespace(source="x", quality=None), "everbatt_molar_mass_co2", cfg)[1].id == "mass"


def test_route_dqr_figures_of_the_docs():
    """docs/data/quality.md, "Effect of the 2026-12-01 audit": `compare NMC811 --indicator gwp100` ratings.
    Hydrometallurgical was 2.512 and direct 2.534 before (the cathode losses rated as GREET averages)."""
    from cathode_lca import compare

    ds = compare("NMC811", indicators=["gwp100"], dqr=True)
    rated = {route: v["gwp100"]["DQR"] for route, v in json.loads(ds.attrs["dqr"])["results"].items()}
    assert rated == {"virgin": 2.5, "hydrometallurgical": 2.515, "pyrometallurgical": 2.589, "direct": 2.541}


def test_the_pyro_lime_divisor_is_a_formula_choice_and_never_drawn():
    """``pyro_lime_f_divisor`` is 14 (EverBatt's F/14*56 as written) or 38 (the CaF2 stoichiometry): a choice
    between two formulas, not a measured number. Drawn lognormally around 14 (GSD 1.44 as an EverBatt estimate)
    it moved the pyro lime between the two readings at random."""
    from cathode_lca.uncertainty.defaults import default_parameter_distribution

    model = default_model()
    assert default_parameter_distribution(model.parameters.parameters["pyro_lime_f_divisor"]) is None


# --- prices, quality ratios and route switches (2026-12-01, second audit) -----------------------------------------
#: Every parameter named price_* with the family its source text describes, classified by hand. A commodity price
#: statistic (World Bank Pink Sheet, USGS Mineral Commodity Summaries, an LME period average) is price-statistics,
#: also when quoted through EverBatt's documentation; a value read from EverBatt's product-value table
#: ('CM Rec Par.'!C33:C51), which cites no statistic, is an EverBatt estimate.
PRICES = {
    "price_mn_in_product": "price-statistics",  # Dai et al. 2019 Table 39: "LME 2011-2015 average, cash (USGS 2019d)"
    "price_ni_in_product": "price-statistics",  # World Bank Pink Sheet, column BN, 2015-2024
    "price_co_in_product": "price-statistics",  # USGS MCS 2020, Cobalt, LME cash 2015-2019
    "price_copper_metal": "price-statistics",  # World Bank Pink Sheet, column BK, 2015-2024
    "price_li2co3": "price-statistics",  # USGS MCS 2019 and 2023, Lithium
    "price_li2co3_crude": "everbatt-engineering",  # EverBatt's 0.5 x battery-grade price ('CM Rec Par.'!D42)
    "price_aluminum_scrap": "everbatt-engineering",  # 'CM Rec Par.'!C33:C51 values, no statistic cited
    "price_copper_scrap": "everbatt-engineering",
    "price_steel_scrap": "everbatt-engineering",
    "price_graphite_recovered": "everbatt-engineering",
}

#: The quality ratios Qs/Qp of the credits. Graphite and aluminium are formulas, EverBatt's secondary value over a
#: statistic; copper is 1 by the PEF rule because EverBatt's scrap value (7.1116) exceeds the Pink Sheet mean
#: (7.103): each rests on an EverBatt value, so EverBatt's (worse) scores, not the statistic's. Steel has no primary
#: price at all: the 1 is the package's own choice where data ran out, a model assumption.
QUALITY_RATIOS = {
    "quality_ratio_graphite_recovered": "everbatt-engineering",
    "quality_ratio_aluminum_scrap": "everbatt-engineering",
    "quality_ratio_copper_scrap": "everbatt-engineering",
    "quality_ratio_steel_scrap": "model-assumption",
}


def test_every_price_parameter_is_in_the_family_its_source_describes(model):
    params = model.parameters.parameters
    prices = {k: quality_of(p, p.name)[1].id for k, p in params.items() if p.name.startswith("price_")}
    assert prices == PRICES  # a new price must be classified here


def test_every_quality_ratio_is_in_the_family_its_source_describes(model):
    params = model.parameters.parameters
    ratios = {k: quality_of(p, p.name)[1].id for k, p in params.items() if p.name.startswith("quality_ratio_")}
    assert ratios == QUALITY_RATIOS
    # the black-mass value is "our assumption" (EverBatt gives none), not an EverBatt number
    assert quality_of(params["recycling/preprocessing::bm_price"], "bm_price")[1].id == "model-assumption"


@pytest.mark.parametrize(
    ("text", "family"),
    [
        # an LME period average is a price statistic even when EverBatt's documentation quotes it
        (
            "Dai Q. et al. (2019) EverBatt documentation, Table 39: cobalt 30 USD/kg, LME 2011-2015 average",
            "price-statistics",
        ),
        ("World Bank Pink Sheet, annual prices, column BK (Copper), 2015-2024 mean", "price-statistics"),
        # EverBatt's own value table cites no statistic; a ratio *to* a statistic is not itself one
        ("EverBatt 2023, 'CM Rec Par.'!C33:C51, 'Steel'", "everbatt-engineering"),
        (
            "Qs/Qp = EverBatt 2023 value ('CM Rec Par.'!C33:C51) / World Bank Pink Sheet column BI",
            "everbatt-engineering",
        ),
        # the package's own assumption, even where it names EverBatt
        ("model assumption (data gap): kept at 1 (EverBatt's 1:1 credit)", "model-assumption"),
        ("Our assumption for economic allocation (EverBatt gives no black-mass value)", "model-assumption"),
    ],
)
def test_family_of_a_price_or_assumption_text(text, family):
    assert load_quality().family(text).id == family


def test_manganese_price_gets_the_price_statistics_spread_by_hand(model):
    """price_mn_in_product (USD/kg, an input: f_b 1.05), price-statistics scores (2, 2, 2, 3, 3), Ciroth 2016:
    σ² = (ln 1.05/2)² + (ln 1.54/2)² + (ln 1.03/2)² + (ln 1.03/2)² + (ln 1.08/2)² + (ln 1.65/2)²
       = 0.000595 + 0.046609 + 0.000218 + 0.000218 + 0.001481 + 0.062694 = 0.111815, GSD = exp(0.33439) = 1.397.
    As an EverBatt estimate (4, 3, 2, 3, 3) it had GSD 1.443 (σ² = 0.13421)."""
    dist = default_parameter_distribution(model.parameters.parameters["price_mn_in_product"])
    assert dist is not None and dist["family"] == "price-statistics"
    assert dist["gsd"] == pytest.approx(math.exp(math.sqrt(0.111815)), abs=2e-4)
    assert dist["gsd"] == pytest.approx(1.397, abs=1e-3)


#: The route-selector exchanges: a 0/1 switch on a choice parameter (times a stoichiometric hydrate ratio for the
#: Istrate hydrates). They carry no number of their own, whichever dataset they select.
SWITCHES = [
    ("nickel-sulfate-virgin", "nickel-sulfate-greet2022"),
    ("nickel-sulfate-virgin", "nickel-sulfate-glo-istrate2024"),
    ("cobalt-sulfate-virgin", "cobalt-sulfate-greet2022"),
    ("cobalt-sulfate-virgin", "cobalt-sulfate-cn-istrate2024"),
    ("manganese-sulfate-virgin", "manganese-sulfate-greet2022"),
    ("lithium-carbonate-virgin", "lithium-carbonate-greet2022"),
    ("lithium-carbonate-virgin", "lithium-carbonate-brine-atacama-istrate2024"),
    ("lithium-carbonate-virgin", "lithium-carbonate-spodumene-cn-istrate2024"),
    ("lithium-hydroxide-virgin", "lithium-hydroxide-greet2022"),
    ("lithium-hydroxide-virgin", "lithium-hydroxide-brine-atacama-istrate2024"),
    ("lithium-hydroxide-virgin", "lithium-hydroxide-spodumene-cn-istrate2024"),
]


@pytest.mark.parametrize(("dataset", "target"), SWITCHES)
def test_a_route_switch_is_model_structure(model, dataset, target):
    assert quality_of(_exchange(model, dataset, target)[1])[1].id == "model-structure"


def test_every_formula_exchange_without_a_rated_number_is_in_an_exact_family(model):
    """Independent of the source texts: an exchange whose formula amount rests on choice parameters and exact
    constants only (no value parameter that the Monte Carlo or the DQR could rate) is a switch or a link, and must
    not be rated as data of its own family."""
    from cathode_lca.quality.dqr import _value_parameters

    params = model.parameters.parameters
    offenders, switches = [], 0
    for ds in model.inventory.datasets.values():
        resolve = model.inventory.resolver(ds)
        for ex in ds.exchanges:
            if not isinstance(ex.amount, Formula) or getattr(ex, "quality", None):
                continue
            if not any(params[resolve(n)].kind == "choice" for n in ex.amount.names):
                continue
            rated = [k for k in _value_parameters(model, ds, ex.amount) if not is_exact(params[k])]
            if not rated:
                switches += 1
                if not quality_of(ex)[1].exact:
                    offenders.append((ds.id, ex.target, quality_of(ex)[1].id))
    assert switches > 100  # the electricity selectors (model switch) and the 11 salt-route switches
    assert offenders == []


def test_salt_selector_dqr_leaves_the_switches_out_by_hand(model):
    """nickel-sulfate-virgin has two exchanges, both switches. Before, they were rated as data: the GREET switch as
    a GREET average (reliability 2, completeness 3, temporal 2, geographical 3, technological 3) and the Istrate one
    as an Istrate unit process (2, 2, 2, 2, 2): TeR = (3 + 2)/2 = 2.5, GeR = (3 + 2)/2 = 2.5, TiR = 2, P = 2,
    DQR = 9/4 = 2.25. Now both are left out, and a dataset made only of switches keeps their own (model-structure)
    scores, 1: DQR 1.0. The selector has no direct emission, so its weight in a result's DQR is 0 either way."""
    for dataset in ("nickel-sulfate-virgin", "cobalt-sulfate-virgin", "lithium-hydroxide-virgin"):
        r = dataset_dqr(model, dataset)
        assert (r["TeR"], r["GeR"], r["TiR"], r["P"], r["DQR"]) == (1.0, 1.0, 1.0, 1.0, 1.0), dataset
        assert r["families"] == {"model-structure": 1.0}
        # only technosphere inputs (the selected datasets), no elementary flow: no direct contribution
        assert all(ex.target in model.inventory.datasets for ex in model.inventory.datasets[dataset].exchanges)
