"""The one formula evaluator (``LCAModel.value`` / ``parameters.evaluator.Evaluator``): known answers."""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca.catalogue import element_content, recovered_per_feed
from cathode_lca.documents import sources
from cathode_lca.engine.validate import element_balance
from cathode_lca.inventory.formulas import parse_formula
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.parameters.engine import ParameterModel
from cathode_lca.parameters.evaluator import Evaluator

TWO_SCOPES = """\
format: cathode-lca/1
include: [flows.yaml]
datasets:
  - id: a
    name: A
    stage: chemicals
    parameters:
      k: {value: 2.0, unit: kg/kg, source: test}
    exchanges:
      - {input: b, amount: k, unit: kg, source: test}
  - id: b
    name: B
    stage: chemicals
    parameters:
      k: {value: 3.0, unit: kg/kg, source: test}
    exchanges:
      - {flow: co2, amount: "k * 10", unit: kg, source: test}
"""


def test_a_formula_resolves_in_its_datasets_scope(write_yaml):
    """The same text 'k' means 2 in dataset a and 3 in dataset b: the cache is keyed by scope, not text only."""
    model = LCAModel(load_inventory([write_yaml(TWO_SCOPES)]))
    env = model.parameters.evaluate()
    k = parse_formula("k")
    assert model.value(k, env, "a") == 2.0
    assert model.value(k, env, "b") == 3.0
    assert model.value(k, env, "a") == 2.0  # the second call uses the cached closure of a, not b's
    assert model.value(model.inventory.datasets["b"].exchanges[0].amount, env, "b") == pytest.approx(30.0)


def test_numbers_pass_through_and_compiled_closures_are_reused(write_yaml):
    model = LCAModel(load_inventory([write_yaml(TWO_SCOPES)]))
    env = model.parameters.evaluate()
    assert model.value(1.25, env) == 1.25 and isinstance(model.value(1, env), float)
    k = parse_formula("k")
    assert model.evaluator.compiled(k, "a") is model.evaluator.compiled(parse_formula("k"), "a")


def test_shipped_formula_known_answer_and_arrays():
    """hydro Ni co-product = bm_per_feed x bm_ni x hydro_recovery_ni, computed here from the environment."""
    model = default_model()
    ds = model.inventory.datasets["recycling-hydrometallurgical"]
    nickel = next(p for p in ds.products if p.id == "nickel-in-product-hydrometallurgical")
    env = model.parameters.evaluate({"hydro_recovery_ni": np.array([0.5, 0.98])})
    by_hand = np.ravel(env["bm_per_feed"]) * np.ravel(env["bm_ni"]) * np.array([0.5, 0.98])
    got = model.value(nickel.amount, env, ds.id)
    assert got.shape == (2,)
    np.testing.assert_allclose(got, by_hand, rtol=1e-12)
    assert model.nominal(nickel.amount, env, ds.id) == pytest.approx(by_hand[0], rel=1e-12)
    # the recovered Ni per kg feed is that same product amount (content 1 kg Ni per kg)
    np.testing.assert_allclose(recovered_per_feed(model, "hydrometallurgical", "Ni", env), by_hand, rtol=1e-12)


def test_element_content_known_answer():
    """Ni in NiSO4 = M(Ni) / M(NiSO4) = 58.6934 / (58.6934 + 32.06 + 4 x 15.999) within 1e-3 (IUPAC masses)."""
    model = default_model()
    env = model.parameters.evaluate()
    content = element_content(model, "nickel-sulfate-virgin", "Ni", env)
    assert content == pytest.approx(58.6934 / (58.6934 + 32.06 + 4 * 15.999), rel=1e-3)


def test_no_caches_written_into_the_model_from_outside():
    model = LCAModel(default_model().inventory)
    before = set(vars(model))
    env = model.parameters.evaluate()
    element_content(model, "cobalt-sulfate-virgin", "Co", env)
    recovered_per_feed(model, "pyrometallurgical", "Co", env)
    assert sources(model, ["nickel-sulfate-virgin"], "none")
    assert set(vars(model)) == before


def test_element_balance_with_a_shared_evaluator_equals_a_fresh_one():
    model = default_model()
    env = model.parameters.evaluate()
    shared = Evaluator(model.inventory, ParameterModel(model.inventory))
    for ds_id in ("recycling-hydrometallurgical", "nickel-sulfate-recycled-hydrometallurgical"):
        ds = model.inventory.datasets[ds_id]
        fresh = element_balance(model.inventory, model.parameters, env, ds)
        again = element_balance(model.inventory, model.parameters, env, ds, shared)
        assert [(r.element, r.inputs, r.outputs, r.losses) for r in fresh] == [
            (r.element, r.inputs, r.outputs, r.losses) for r in again
        ]
        assert fresh and all(r.closes for r in fresh)
