"""The varied-exchange twin of a model (Monte Carlo of constant exchange amounts) shares what does not
change with its parent, and computes exactly what a model built from scratch computes."""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca.comparison import prepare, route_demands
from cathode_lca.engine.matrices import MatrixModel
from cathode_lca.lca import LCAModel, default_model
from cathode_lca.uncertainty.parameters import route_supply_chain


@pytest.fixture(scope="module")
def shipped() -> LCAModel:
    return default_model()


def constant_exchanges(model: LCAModel, datasets: list[str]) -> list[str]:
    from cathode_lca.inventory.formulas import Formula

    return [
        f"{ds}/exchanges[{i}]"
        for ds in datasets
        for i, ex in enumerate(model.inventory.datasets[ds].exchanges)
        if not isinstance(ex.amount, Formula)
    ]


def nmc811_setup(model: LCAModel):
    setup = prepare("NMC811", None, "US", "none", "kg-cam", ("gwp100", "energy", "water"), None, model)
    datasets = route_supply_chain(model, "NMC811", setup, "kg-cam", "none")
    demands = [rd.demand for rd in route_demands(model, "NMC811", setup.routes, "kg-cam", "none", setup.env)[0]]
    return setup, datasets, [d for d in demands if d]


@pytest.mark.parametrize("allocation", ["none", "mass"])
def test_twin_matrices_equal_a_fresh_build(shipped, allocation):
    _setup, datasets, _ = nmc811_setup(shipped)
    varied = frozenset(constant_exchanges(shipped, datasets))
    assert len(varied) > 50
    twin = shipped.matrices(allocation).with_varied_exchanges(varied)
    fresh = MatrixModel(shipped.parameters, allocation, varied)
    for name in ("rows", "cols", "slots", "scales", "coefs"):
        np.testing.assert_array_equal(twin.A[name], fresh.A[name])
        np.testing.assert_array_equal(twin.B[name], fresh.B[name])
    np.testing.assert_array_equal(twin.slot_is_formula, fresh.slot_is_formula)
    np.testing.assert_array_equal(twin.coef_is_variable, fresh.coef_is_variable)
    assert twin.slot_env_keys == fresh.slot_env_keys
    assert list(twin._slot_formula) == list(fresh._slot_formula)  # same slots, same evaluation order
    assert len(twin.slot_env_keys) == len(varied)  # every constant exchange of the chain is varied
    # the parent is unchanged: none of its slots reads the environment
    assert not shipped.matrices(allocation).slot_env_keys


def test_twin_shares_the_parsed_model_but_not_the_caches(shipped):
    _setup, datasets, _ = nmc811_setup(shipped)
    twin = shipped.with_varied_exchanges(constant_exchanges(shipped, datasets[:3]))
    assert twin is not shipped and shipped.with_varied_exchanges([]) is shipped
    assert twin.parameters is shipped.parameters and twin.evaluator is shipped.evaluator
    parent_mm, twin_mm = shipped.matrices("none"), twin.matrices("none")
    assert twin_mm.A is parent_mm.A  # the pattern is shared ...
    assert twin_mm._slot_formula is not parent_mm._slot_formula  # ... the formula table is not
    assert twin_mm.coverage_cache is not parent_mm.coverage_cache
    assert twin.with_varied_exchanges(constant_exchanges(shipped, datasets[:3])) is twin


def test_twin_refuses_to_vary_fewer_exchanges_than_its_parent(shipped):
    _setup, datasets, _ = nmc811_setup(shipped)
    keys = frozenset(constant_exchanges(shipped, datasets[:2]))
    twin = shipped.matrices("none").with_varied_exchanges(keys)
    with pytest.raises(ValueError, match="at least the exchanges of its parent"):
        twin.with_varied_exchanges(frozenset())


def test_twin_scores_equal_a_model_built_from_scratch_bit_for_bit(shipped):
    setup, datasets, demands = nmc811_setup(shipped)
    keys = constant_exchanges(shipped, datasets)
    twin = shipped.with_varied_exchanges(keys)
    fresh = LCAModel(shipped.inventory, varied_exchanges=keys)
    rng = np.random.default_rng(7)
    n = 16
    # every varied amount drawn ±20 % around its declared value (sign kept)
    mm = shipped.matrices("none")
    draws = {k: mm._slot_const[mm.exchange_slots[k]] * rng.uniform(0.8, 1.2, n) for k in keys}
    env = {**setup.env, **draws}
    for demand in demands:
        got = twin.scores(demand, setup.methods, env)
        want = fresh.scores(demand, setup.methods, env)
        np.testing.assert_array_equal(got, want)
        assert got.shape == (3, n) and np.ptp(got[0]) > 0  # the draws do reach the scores


# -- solvers: shared only while the varied exchanges leave the static background alone ----------


def chain_yaml(tmp_path) -> str:
    """consumer (foreground: a parameterised amount) -> 1 kg bg1 -> a = 0.5 kg bg2; bg1 emits 1 kg CO2,
    bg2 emits c = 2 kg CO2, consumer 0.25 kg: total CO2 = 0.25 + 1 + 0.5 * 2 = 2.25 kg by hand."""
    from conftest import DATA

    (tmp_path / "flows.yaml").write_text((DATA / "flows.yaml").read_text())
    text = """format: cathode-lca/1
include: [flows.yaml]
parameters:
  use: {value: 1.0, source: test}
datasets:
  - id: bg2
    name: bg2
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 2, unit: kg, source: test}
  - id: bg1
    name: bg1
    stage: chemicals
    exchanges:
      - {input: bg2, amount: 0.5, unit: kg, source: test}
      - {flow: co2, amount: 1, unit: kg, source: test}
  - id: consumer
    name: consumer
    stage: chemicals
    exchanges:
      - {input: bg1, amount: use, unit: kg, source: test}
      - {flow: co2, amount: 0.25, unit: kg, source: test}
"""
    path = tmp_path / "chain.yaml"
    path.write_text(text)
    return str(path)


def co2(model: LCAModel, method, env: dict) -> np.ndarray:
    return model.scores({"consumer": 1.0}, [method], env)[0]


def test_a_twin_varying_only_the_foreground_reuses_the_parent_solver(tmp_path, test_method):
    from cathode_lca.inventory.load import load_inventory

    parent = LCAModel(load_inventory([chain_yaml(tmp_path)]))
    env = parent.parameters.evaluate()
    assert co2(parent, test_method, env) == pytest.approx([2.25], rel=1e-12)
    col = parent.matrices().product_index[parent.product_id("consumer")]
    mine = parent.solver("none", [col])
    assert sorted(parent.matrices().column_dataset[c] for c in mine.bg) == ["bg1", "bg2"]
    twin = parent.with_varied_exchanges(["consumer/exchanges[1]"])  # the consumer's own CO2
    shared = twin.solver("none", [col])
    assert shared is not mine and shared.model is twin.matrices()
    assert shared.G is mine.G and shared.background_choice is mine.background_choice  # not solved again
    drawn = {**env, "consumer/exchanges[1]": np.array([0.25, 1.0, 0.0])}
    np.testing.assert_allclose(co2(twin, test_method, drawn), [2.25, 3.0, 2.0], rtol=1e-12)  # 2 + drawn, by hand
    np.testing.assert_allclose(co2(parent, test_method, drawn), [2.25] * 3, rtol=1e-12)  # the parent ignores them


def test_a_twin_varying_a_background_exchange_gets_its_own_solver(tmp_path, test_method):
    from cathode_lca.inventory.load import load_inventory

    parent = LCAModel(load_inventory([chain_yaml(tmp_path)]))
    env = parent.parameters.evaluate()
    col = parent.matrices().product_index[parent.product_id("consumer")]
    mine = parent.solver("none", [col])
    assert co2(parent, test_method, env) == pytest.approx([2.25], rel=1e-12)  # G of the parent: bg2 emits 2 kg
    twin = parent.with_varied_exchanges(["bg2/exchanges[0]"])  # bg2's CO2: in the parent's static background
    own = twin.solver("none", [col])
    assert own.G is not mine.G
    assert "bg2" not in [twin.matrices().column_dataset[c] for c in own.bg]  # bg2 moved to the foreground
    drawn = {**env, "bg2/exchanges[0]": np.array([2.0, 4.0, 0.0])}
    # 0.25 + 1 + 0.5 c: a stale background (c = 2) would give 2.25 in every sample
    np.testing.assert_allclose(co2(twin, test_method, drawn), [2.25, 3.25, 1.25], rtol=1e-12)
    # the same through bg1's input of bg2, which lies in the background too
    twin2 = parent.with_varied_exchanges(["bg1/exchanges[0]"])
    assert twin2.solver("none", [col]).G is not mine.G
    drawn2 = {**env, "bg1/exchanges[0]": np.array([0.5, 1.0])}
    np.testing.assert_allclose(co2(twin2, test_method, drawn2), [2.25, 3.25], rtol=1e-12)


def test_for_twin_refuses_a_model_of_another_pattern(tmp_path):
    from cathode_lca.inventory.load import load_inventory

    parent = LCAModel(load_inventory([chain_yaml(tmp_path)]))
    col = parent.matrices().product_index[parent.product_id("consumer")]
    other = LCAModel(parent.inventory)  # built on its own: equal, but not the same pattern objects
    assert parent.solver("none", [col]).for_twin(other.matrices()) is None
