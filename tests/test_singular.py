"""Self-consumption >= 1, zero or negative reference products and near-singular loops are errors."""

from __future__ import annotations

import pytest
from conftest import score

from cathode_lca.errors import SingularSystemError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel
from cathode_lca.methods import load_method

HEADER = "include: [flows.yaml]\n"
SELF = """parameters:
  own_use: {{value: {own}, source: test}}
  ref: {{value: {ref}, unit: kg/kg, source: test}}
datasets:
  - id: top
    name: top
    stage: chemicals
    exchanges:
      - {{input: x, amount: 1, unit: kg, source: s}}
  - id: x
    name: X
    stage: chemicals
    products:
      - {{id: x, amount: {ref_amount}, unit: kg, reference: true, source: s}}
    exchanges:
      - {{input: x, amount: {own_amount}, unit: kg, source: s}}
      - {{flow: co2, amount: 1, unit: kg, source: s}}
"""


def _model(write_yaml, own, ref=1.0, *, parametrised=True):
    text = SELF.format(
        own=own,
        ref=ref,
        ref_amount="ref" if parametrised else ref,
        own_amount="own_use" if parametrised else own,
    )
    return LCAModel(load_inventory([write_yaml(HEADER + text)]))


@pytest.fixture(scope="module")
def method(data_dir):
    return load_method("test-gwp", str(data_dir / "method-test.yaml"))


@pytest.mark.parametrize("parametrised", [True, False], ids=["foreground", "background"])
def test_moderate_self_consumption_has_the_known_answer(write_yaml, method, parametrised):
    # s_x (1 - 0.2) = 1 -> s_x = 1.25; CO2 = 1.25 kg
    model = _model(write_yaml, 0.2, parametrised=parametrised)
    assert score(model.calculate({"top": 1.0}, methods=[method])) == pytest.approx(1.25)


@pytest.mark.parametrize("parametrised", [True, False], ids=["foreground", "background"])
@pytest.mark.parametrize("own", [1.0, 1.5, 0.999999999999])
def test_self_consumption_at_or_near_one_is_singular(write_yaml, method, own, parametrised):
    model = _model(write_yaml, own, parametrised=parametrised)
    with pytest.raises(SingularSystemError) as info:
        model.calculate({"top": 1.0}, methods=[method])
    err = info.value
    assert err.dataset == "x" and err.file and err.file.endswith("inv.yaml") and err.line == 11
    assert "own reference product" in str(err)


def test_self_consumption_below_the_limit_is_accepted(write_yaml, method):
    # 1 / (1 - 0.99999) = 1e5 < 1e6: solved; CO2 = 1e5 kg
    model = _model(write_yaml, 0.99999)
    assert score(model.calculate({"top": 1.0}, methods=[method])) == pytest.approx(1e5, rel=1e-6)


@pytest.mark.parametrize("ref", [0.0, -1.0])
def test_zero_or_negative_reference_product_is_singular(write_yaml, method, ref):
    model = _model(write_yaml, 0.1, ref=ref)
    with pytest.raises(SingularSystemError, match="zero or negative reference product") as info:
        model.calculate({"top": 1.0}, methods=[method])
    assert info.value.dataset == "x"


def test_self_consumption_varied_per_sample_names_the_dataset(write_yaml, method):
    model = _model(write_yaml, 0.2)
    with pytest.raises(SingularSystemError, match="'x'"):
        model.calculate({"top": 1.0}, methods=[method], parameters={"own_use": [0.1, 0.5, 1.0]})


@pytest.mark.slow
def test_cli_self_consumption_exits_2(write_yaml, capsys):
    from cathode_lca.cli import main

    path = write_yaml(HEADER + SELF.format(own=0.999999999999, ref=1.0, ref_amount="ref", own_amount="own_use"))
    with pytest.raises(SystemExit) as info:
        main(["compute", "top", "--inventory", str(path)])
    assert info.value.code == 2
    assert "self-consumption" in capsys.readouterr().err
