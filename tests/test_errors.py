"""Every load/solve error names the file, line, dataset and field and says how to fix it."""

from __future__ import annotations

import pytest

from cathode_lca.errors import (
    FormulaError,
    InventoryError,
    ParameterError,
    SingularSystemError,
    UnitError,
    UsageError,
)
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel

HEADER = "include: [flows.yaml]\n"


def _load(write_yaml, body: str):
    return load_inventory([write_yaml(HEADER + body)])


def test_unknown_reference(write_yaml):
    body = """datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {input: sulfuric-acd, amount: 1, unit: kg, source: s}
  - id: sulfuric-acid
    name: acid
    stage: chemicals
"""
    with pytest.raises(InventoryError) as info:
        _load(write_yaml, body)
    err = info.value
    assert err.line == 7 and err.dataset == "x" and err.field == "exchanges[0].input"
    assert "unknown reference 'sulfuric-acd'" in str(err)
    assert "did you mean 'sulfuric-acid'" in str(err)
    assert err.file.endswith("inv.yaml")


def test_duplicate_dataset_id(write_yaml):
    body = """datasets:
  - {id: x, name: X, stage: chemicals}
  - {id: x, name: X again, stage: chemicals}
"""
    with pytest.raises(InventoryError, match="duplicate dataset id 'x'") as info:
        _load(write_yaml, body)
    assert info.value.line == 4


def test_duplicate_yaml_key(write_yaml):
    with pytest.raises(InventoryError, match="duplicate key 'name'") as info:
        _load(write_yaml, "datasets:\n  - id: x\n    name: X\n    name: Y\n    stage: chemicals\n")
    assert info.value.line == 5


def test_unit_mismatch(write_yaml):
    body = """datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1, unit: kWh, source: s}
"""
    with pytest.raises(UnitError) as info:
        _load(write_yaml, body)
    err = info.value
    assert err.line == 7 and err.dataset == "x" and err.field == "exchanges[0].unit"
    assert "unit mismatch for 'co2': cannot convert 'kWh' to 'kg'" in str(err) and err.hint


def test_substitute_unit_mismatch_is_located_like_an_exchange(write_yaml):
    # the same located UnitError as an exchange's (inventory.references.check_convertible), at products[1]
    body = """datasets:
  - id: r
    name: R
    stage: chemicals
    products:
      - {id: r, amount: 1, reference: true, source: s}
      - {id: heat, amount: 2, unit: kWh, substitutes: v, source: s}
  - id: v
    name: V
    stage: chemicals
"""
    with pytest.raises(UnitError) as info:
        _load(write_yaml, body)
    err = info.value
    assert err.line == 8 and err.dataset == "r" and err.field == "products[1].substitutes"
    assert "substitute 'v' has an incompatible unit: cannot convert 'kWh' to 'kg'" in str(err)
    assert err.hint and "'kg'" in err.hint


def test_unknown_unit(write_yaml):
    body = "datasets:\n  - id: x\n    name: X\n    stage: c\n    exchanges:\n      - {flow: co2, amount: 1, unit: kgCO2e, source: s}\n"
    with pytest.raises(InventoryError, match="unknown unit 'kgCO2e'"):
        _load(write_yaml, body)


def test_formula_syntax_error(write_yaml):
    body = """datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: "2 * (a +", unit: kg, source: s}
"""
    with pytest.raises(FormulaError, match="cannot parse formula") as info:
        _load(write_yaml, body)
    assert info.value.line == 7 and info.value.field == "exchanges[0].amount"


def test_forbidden_formula_construct(write_yaml):
    body = """datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: "__import__('os').system('true')", unit: kg, source: s}
"""
    with pytest.raises(FormulaError):
        _load(write_yaml, body)


def test_unknown_name_in_formula(write_yaml):
    body = """parameters:
  a: {value: 1, source: s}
datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: "a * b", unit: kg, source: s}
"""
    inv = _load(write_yaml, body)
    with pytest.raises(FormulaError, match="unknown name 'b'") as info:
        LCAModel(inv).matrices()
    assert info.value.line == 9 and info.value.dataset == "x"


def test_circular_dependency(write_yaml):
    body = """parameters:
  a: {formula: "b + 1", source: s}
  b: {formula: "c * 2", source: s}
  c: {formula: "a", source: s}
"""
    inv = _load(write_yaml, body)
    with pytest.raises(FormulaError, match="circular parameter dependency") as info:
        LCAModel(inv)
    message = str(info.value)
    assert "inv::a" in message and "inv::b" in message and "inv::c" in message
    assert info.value.line in (3, 4, 5)


def test_missing_source_on_exchange(write_yaml):
    body = """datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: 1, unit: kg}
"""
    with pytest.raises(InventoryError, match="missing source") as info:
        _load(write_yaml, body)
    assert info.value.line == 7 and info.value.field == "exchanges[0].source"


def test_missing_source_on_parameter(write_yaml):
    with pytest.raises(InventoryError, match="missing source") as info:
        _load(write_yaml, "parameters:\n  a: {value: 1}\n")
    assert info.value.line == 3 and info.value.field == "parameters.a"


def test_unknown_key_is_rejected(write_yaml):
    with pytest.raises(InventoryError, match="unknown key") as info:
        _load(write_yaml, "datasets:\n  - id: x\n    name: X\n    stage: c\n    colour: red\n")
    assert info.value.line == 6


def test_shadowing_a_global_parameter(write_yaml):
    body = """parameters:
  g: {value: 1, source: s, scope: global}
datasets:
  - id: x
    name: X
    stage: c
    parameters:
      g: {value: 2, source: s}
"""
    with pytest.raises(InventoryError, match="shadows the global parameter"):
        _load(write_yaml, body)


def test_dataset_scope_parameter_resolves_before_file_scope(write_yaml, test_method):
    body = """parameters:
  k: {value: 1, source: s}
datasets:
  - id: x
    name: X
    stage: c
    parameters:
      j: {value: 5, source: s}
    exchanges:
      - {flow: co2, amount: "k * j", unit: kg, source: s}
"""
    model = LCAModel(_load(write_yaml, body))
    ds = model.calculate({"x": 1}, methods=[test_method])
    assert float(ds.score.sel(lcia_method="test-gwp")) == 5.0
    ds = model.calculate({"x": 1}, methods=[test_method], parameters={"x::j": 2})
    assert float(ds.score.sel(lcia_method="test-gwp")) == 2.0


def test_nan_amount_names_the_exchange(write_yaml, test_method):
    body = """parameters:
  a: {value: 0, source: s}
datasets:
  - id: x
    name: X
    stage: c
    exchanges:
      - {flow: co2, amount: "1 / a", unit: kg, source: s}
"""
    model = LCAModel(_load(write_yaml, body))
    with pytest.raises(ParameterError, match="NaN or infinite") as info:
        model.calculate({"x": 1}, methods=[test_method])
    assert info.value.line == 9 and info.value.dataset == "x"


def test_nan_parameter_names_the_parameter(write_yaml, test_method):
    body = """parameters:
  a: {value: 0, source: s}
  b: {formula: "log(a)", source: s}
"""
    model = LCAModel(_load(write_yaml, body))
    with pytest.raises(ParameterError, match="NaN or infinity") as info:
        model.parameters.evaluate()
    assert info.value.field == "parameters.b" and info.value.line == 4


def test_non_finite_override_is_refused(test_method):
    from conftest import model_for

    with pytest.raises(ParameterError, match="NaN"):
        model_for("chain.yaml").calculate({"c": 1}, methods=[test_method], parameters={"b_per_c": float("nan")})


def test_unknown_override_suggests_names(test_method):
    from conftest import model_for

    with pytest.raises(ParameterError, match="unknown parameter 'b_per_d'") as info:
        model_for("chain.yaml").calculate({"c": 1}, methods=[test_method], parameters={"b_per_d": 1})
    assert "b_per_c" in str(info.value)


def test_bad_choice_value(write_yaml, test_method):
    body = """parameters:
  r: {choices: [A, B], default: A}
datasets:
  - {id: x, name: X, stage: c, exchanges: [{flow: co2, amount: "r == 'A'", unit: kg, source: s}]}
"""
    model = LCAModel(_load(write_yaml, body))
    with pytest.raises(ParameterError, match="'C' is not a choice of 'r'"):
        model.calculate({"x": 1}, methods=[test_method], parameters={"r": "C"})


def test_formula_compares_unknown_choice_literal(write_yaml):
    body = """parameters:
  r: {choices: [A, B], default: A}
datasets:
  - {id: x, name: X, stage: c, exchanges: [{flow: co2, amount: "r == 'Z'", unit: kg, source: s}]}
"""
    with pytest.raises(FormulaError, match="'Z' is not a choice of 'r'"):
        LCAModel(_load(write_yaml, body)).matrices()


def test_singular_foreground_loop(write_yaml, test_method):
    body = """parameters:
  k: {value: 1.0, source: s}
datasets:
  - {id: p, name: P, stage: c, exchanges: [{input: q, amount: k, unit: kg, source: s}]}
  - {id: q, name: Q, stage: c, exchanges: [{input: p, amount: 1, unit: kg, source: s}]}
"""
    with pytest.raises(SingularSystemError) as info:
        LCAModel(_load(write_yaml, body)).calculate({"p": 1}, methods=[test_method])
    assert "p" in str(info.value) and "q" in str(info.value)


def test_singular_background_loop(write_yaml, test_method):
    body = """datasets:
  - {id: user, name: U, stage: c, exchanges: [{input: p, amount: 1, unit: kg, source: s}]}
  - {id: p, name: P, stage: c, exchanges: [{input: q, amount: 2, unit: kg, source: s}]}
  - {id: q, name: Q, stage: c, exchanges: [{input: p, amount: 0.5, unit: kg, source: s}]}
"""
    with pytest.raises(SingularSystemError, match="loops") as info:
        LCAModel(_load(write_yaml, body)).calculate({"user": 1}, methods=[test_method])
    assert "p" in str(info.value)


def test_zero_production_is_singular(write_yaml, test_method):
    body = """parameters:
  y: {value: 0, source: s}
datasets:
  - id: x
    name: X
    stage: c
    products: [{id: x, amount: y, source: s}]
"""
    with pytest.raises(SingularSystemError, match="produces nothing"):
        LCAModel(_load(write_yaml, body)).calculate({"x": 1}, methods=[test_method])


def test_invalid_yaml(write_yaml):
    with pytest.raises(InventoryError, match="invalid YAML") as info:
        load_inventory([write_yaml("datasets:\n  - id: x\n   name: bad indent\n")])
    assert info.value.line is not None


def test_missing_include(write_yaml):
    with pytest.raises(InventoryError, match="included file 'nope.yaml' not found"):
        load_inventory([write_yaml("include: [nope.yaml]\n")])


def test_unknown_dataset_in_demand(test_method):
    from conftest import model_for

    with pytest.raises(UsageError, match="unknown dataset or product 'cc'"):
        model_for("chain.yaml").calculate({"cc": 1}, methods=[test_method])


def test_mass_allocation_needs_mass_property(write_yaml, test_method):
    body = """datasets:
  - id: x
    name: X
    stage: c
    products:
      - {id: x, unit: kWh, reference: true}
      - {id: y, amount: 2, unit: kWh, source: s}
"""
    from cathode_lca.errors import ValidationError

    with pytest.raises(ValidationError, match="no 'mass' property"):
        LCAModel(_load(write_yaml, body)).calculate({"x": 1}, methods=[test_method], allocation="mass")


def test_override_file_changes_parameter_and_dataset(write_yaml, data_dir, test_method, tmp_path):
    over = tmp_path / "over.yaml"
    over.write_text(
        """overrides:
  parameters:
    b_per_c: 1.0
  datasets:
    - id: e
      name: cleaner electricity
      stage: energy
      unit: kWh
      exchanges:
        - {flow: co2, amount: 0.1, unit: kg, source: user measurement}
"""
    )
    inv = load_inventory([data_dir / "chain.yaml"], extra=[over])
    ds = LCAModel(inv).calculate({"c": 1}, methods=[test_method])
    # 1 kg B: 0.5 kWh x 0.1 + 0.003 x (1 + 0.3) = 0.0539; + 0.1 for C
    assert float(ds.score.sel(lcia_method="test-gwp")) == pytest.approx(0.1539)


def test_override_unknown_dataset(write_yaml, data_dir, tmp_path):
    over = tmp_path / "over.yaml"
    over.write_text("overrides:\n  datasets:\n    - {id: nope, name: N, stage: c}\n")
    with pytest.raises(InventoryError, match="cannot override unknown dataset 'nope'") as info:
        load_inventory([data_dir / "chain.yaml"], extra=[over])
    assert info.value.line == 3


def test_one_line_look_up_serves_inventories_and_battery_files():
    # _yaml.line_at: the deepest node of a pydantic loc found in the YAML tree (was copied in inventory/load.py,
    # inventory/numbers.py and passport/spec_base.py)
    from cathode_lca._yaml import line_at, load_yaml_text
    from cathode_lca.passport import spec_base

    data = load_yaml_text("a:\n  b:\n    - 1\n    - {c: 2,\n       d: 3}\ne: 4\n", "x.yaml")
    assert line_at(data, ("e",)) == 6
    assert line_at(data, ("a", "b", 1, "d")) == 5  # a key inside a flow mapping that spans two lines
    assert line_at(data, ("a", "b", 1)) == 4
    assert line_at(data, ("a", "missing", 0)) == 1  # stops at the deepest key found
    assert line_at(data, ("a", "b", 7)) == 2 and line_at(data, ("a", "b", -1)) == 2  # no such item
    assert line_at({"a": {"b": 1}}, ("a", "b")) is None  # plain dicts carry no line
    assert spec_base.line_at is line_at
