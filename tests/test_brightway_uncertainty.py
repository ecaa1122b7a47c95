"""The Brightway export carries the default exchange uncertainty: bw2calc Monte Carlo agrees with ours."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import DATA

from cathode_lca.brightway.export import export_to_brightway, plan_export
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method
from cathode_lca.uncertainty.defaults import sigma
from cathode_lca.uncertainty.monte_carlo import propagate

pytestmark = pytest.mark.brightway  # needs bw2data / bw2calc / bw_processing

CHAIN = """format: cathode-lca/1
include: [flows.yaml]
datasets:
  - id: a
    name: a
    stage: chemicals
    exchanges:
      - {input: b, amount: 2, unit: kg, source: "EverBatt 2023 (test)"}
      - {flow: co2, amount: 1, unit: kg, source: "GREET 2022 (test)"}
  - id: b
    name: b
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 3, unit: kg, source: "EverBatt 2023 (test)"}
      - {flow: ch4, amount: 0.1, unit: kg, source: "GREET 2022 (test)"}
"""
EVERBATT = {"reliability": 4, "completeness": 3, "temporal": 2, "geographical": 3, "technological": 3}
N_BW = 800
GREET = {"reliability": 2, "completeness": 3, "temporal": 2, "geographical": 3, "technological": 3}


def test_export_carries_lognormal_fields_on_constant_exchanges(write_yaml):
    plan = plan_export(LCAModel(load_inventory([write_yaml(CHAIN)])))
    exchanges = [e for db in plan.data.values() for act in db.values() for e in act["exchanges"]]
    (co2_b,) = [e for e in exchanges if e["type"] == "biosphere" and e["amount"] == 3]
    assert co2_b["uncertainty type"] == 2 and co2_b["loc"] == pytest.approx(math.log(3))
    assert co2_b["scale"] == pytest.approx(sigma(EVERBATT, "air-co2"))
    assert all("uncertainty type" not in e for e in exchanges if e["type"] == "production")


def test_bw2calc_monte_carlo_on_the_export_agrees_with_ours(bd, write_yaml):
    import bw2calc

    method = load_method("test-gwp", str(DATA / "method-test.yaml"))
    model = LCAModel(load_inventory([write_yaml(CHAIN)]))
    n = 4000
    ours = propagate(model, {"a": 1.0}, samples=n, seed=5, methods=[method], default_uncertainty=True)
    y = ours.score.sel(lcia_method="test-gwp").values
    # analytic mean: 1·E[X1] + 2·E[X2]·(3·E[X3] + 30·0.1·E[X4]), E[X] = exp(σ²/2) per lognormal factor
    s_in, s_co2_a = sigma(EVERBATT, "demand"), sigma(GREET, "air-co2")
    s_co2_b, s_ch4 = sigma(EVERBATT, "air-co2"), sigma(GREET, "air-ch4-n2o-nox")
    e = [math.exp(s * s / 2) for s in (s_co2_a, s_in, s_co2_b, s_ch4)]
    mean = 1 * e[0] + 2 * e[1] * (3 * e[2] + 3 * e[3])
    assert abs(y.mean() - mean) < 4 * y.std() / math.sqrt(n)

    report = export_to_brightway("mc", model, methods=[method], prefix="t")
    bd.projects.set_current("mc")
    (database,) = [d for d in report.databases if any(a["code"] == "a" for a in bd.Database(d))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA(
            {bd.get_node(database=database, code="a"): 1},
            report.methods[0],
            use_distributions=True,
            seed_override=11,
        )
        lca.lci()
        lca.lcia()
        theirs = [lca.score]
        for _ in range(N_BW - 1):  # bw2calc redraws and refactorises per iteration: fewer samples
            next(lca)
            theirs.append(lca.score)
    theirs = np.asarray(theirs)
    assert len(np.unique(theirs)) > N_BW // 2  # it does vary
    se = math.sqrt(y.var() / n + theirs.var() / N_BW)
    assert abs(theirs.mean() - y.mean()) < 4 * se
    assert theirs.std() == pytest.approx(y.std(), rel=0.2)
