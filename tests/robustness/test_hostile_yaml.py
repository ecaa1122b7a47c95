"""Hostile or careless YAML: clean, located errors (exit 2), never a traceback, hang or blow-up."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from cathode_lca._yaml import MAX_DEPTH, MAX_NODES, load_yaml_text
from cathode_lca.cli import cli
from cathode_lca.errors import CathodeLCAError, InventoryError
from cathode_lca.inventory.load import load_inventory
from cathode_lca.lca import LCAModel

HEADER = "include: [flows.yaml]\n"


def _load(write_yaml, body: str):
    return load_inventory([write_yaml(HEADER + body)], cache=False)


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_before_expansion():
    text = _billion_laughs()
    assert len(text.encode()) < 700  # the audit's bomb was 517 bytes; this one expands to 9**9 values
    with pytest.raises(InventoryError, match="alias bomb") as info:
        load_yaml_text(text, "bomb.yaml")
    assert info.value.file == "bomb.yaml" and info.value.line is not None


def test_a_few_aliases_are_still_fine():
    data = load_yaml_text("a: &x {k: 1}\nb: *x\nc: [*x, *x]\n", "ok.yaml")
    assert data["b"] == {"k": 1} and data["c"] == [{"k": 1}, {"k": 1}]
    assert MAX_NODES > 1000


@pytest.mark.parametrize("text", ["a: &a [1, *a]\n", "a: &a {b: *a}\n", "- &a [x, [y, *a]]\n"])
def test_self_referencing_alias(text):
    with pytest.raises(InventoryError, match="recursive structure") as info:
        load_yaml_text(text, "self.yaml")
    assert info.value.line == 1


def test_merge_keys_are_refused():
    with pytest.raises(InventoryError, match="merge keys") as info:
        load_yaml_text("base: &b {unit: kg}\nx:\n  <<: *b\n  name: X\n", "m.yaml")
    assert info.value.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "a: !cite GREET 2022\n",
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!binary aGVsbG8=\n",
        "a: !x {b: 1}\n",
    ],
)
def test_tags_are_refused(text):
    with pytest.raises(InventoryError, match="tag") as info:
        load_yaml_text(text, "t.yaml")
    assert info.value.line == 1


def test_invalid_date():
    with pytest.raises(InventoryError, match="2023-13-45") as info:
        load_yaml_text("x: 1\ndate: 2023-13-45\n", "d.yaml")
    assert info.value.line == 2


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 20_000])
def test_deep_nesting(depth):
    with pytest.raises(InventoryError, match="nest") as info:
        load_yaml_text("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert info.value.file == "deep.yaml"


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_validate_refuses_devices(path):
    assert os.path.exists(path), f"{path} is part of every Linux system this project supports"
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 2 if result.exception is None else isinstance(result.exception, InventoryError)
    assert "not a regular file" in str(result.exception or result.output)


def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "inv.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InventoryError, match="not a regular file"):
        load_inventory([fifo], cache=False)


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    from cathode_lca import _yaml
    from cathode_lca.inventory import load

    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 2000 + "\n")
    monkeypatch.setattr(load, "MAX_BYTES", 1000)
    monkeypatch.setattr(_yaml, "MAX_BYTES", 1000)
    with pytest.raises(InventoryError, match="larger than"):
        load_inventory([big], cache=False)
    with pytest.raises(InventoryError, match="larger than"):
        _yaml.read_yaml_file(big)


# ---------------------------------------------------------------------------
# numbers


EXCHANGE = """datasets:
  - id: x
    name: X
    stage: c
    exchanges:
      - {{flow: co2, amount: {amount}, unit: kg, source: s}}
"""


@pytest.mark.parametrize(
    "amount",
    [".nan", ".inf", "-.inf", "1.0e+400", '"nan"', '"inf"', '"1e400"', "1e400", "9" * 400, '"' + "9" * 400 + '"'],
)
def test_non_finite_amounts_are_refused_with_the_line(write_yaml, amount):
    with pytest.raises(InventoryError, match="non-finite|beyond the float range") as info:
        _load(write_yaml, EXCHANGE.format(amount=amount))
    assert info.value.line == 7
    assert info.value.file.endswith("inv.yaml")


def test_non_finite_constant_inside_a_formula(write_yaml):
    with pytest.raises(InventoryError, match="non-finite") as info:
        _load(write_yaml, EXCHANGE.format(amount='"2 * 1e400"'))
    assert info.value.line == 7 and info.value.dataset == "x"


@pytest.mark.parametrize("value", ['"nan"', ".nan", '"-inf"'])
def test_non_finite_parameter_value(write_yaml, value):
    with pytest.raises(InventoryError, match="non-finite") as info:
        _load(write_yaml, f"parameters:\n  k: {{value: {value}, source: s}}\n")
    assert info.value.line == 3


@pytest.mark.parametrize("flag", ["true", "false", "yes"])
def test_boolean_amount_is_refused(write_yaml, flag):
    with pytest.raises(InventoryError, match="true/false is not a number") as info:
        _load(write_yaml, EXCHANGE.format(amount=flag))
    assert info.value.line == 7 and info.value.dataset == "x"


def test_boolean_parameter_value_is_refused(write_yaml):
    with pytest.raises(InventoryError, match="true/false is not a number"):
        _load(write_yaml, "parameters:\n  k: {value: true, source: s}\n")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_inventory_file_is_an_error(tmp_path, text):
    empty = tmp_path / "empty.yaml"
    empty.write_text(text)
    with pytest.raises(InventoryError, match="empty inventory file"):
        load_inventory([empty], cache=False)
    result = CliRunner().invoke(cli, ["validate", str(empty)])
    assert isinstance(result.exception, InventoryError) and "OK" not in result.output


def test_nan_override_is_reported_at_the_users_line(tmp_path, data_dir):
    user = tmp_path / "user.yaml"
    user.write_text("format: cathode-lca/1\noverrides:\n  parameters:\n    b_per_c: .nan\n")
    with pytest.raises(InventoryError) as info:
        load_inventory([data_dir / "chain.yaml"], extra=[user], cache=False)
    assert info.value.file == str(user) and info.value.line == 4


def test_a_600_term_formula_computes(write_yaml, test_method):
    # within the documented 5000-character limit; by hand: 600 terms of 0.001 kg CO2 = 0.6 kg
    formula = " + ".join(["k"] * 600)
    assert len(formula) < 5000
    body = f"""parameters:
  k: {{value: 0.001, source: s}}
datasets:
  - id: x
    name: X
    stage: c
    exchanges:
      - {{flow: co2, amount: "{formula}", unit: kg, source: s}}
"""
    ds = LCAModel(_load(write_yaml, body)).calculate({"x": 1}, methods=[test_method])
    assert float(ds.score.sel(lcia_method="test-gwp")) == pytest.approx(0.6, rel=1e-12)


def test_a_formula_nested_beyond_recursion_is_a_clean_error(write_yaml):
    formula = "**".join(["k"] * 3000)  # right-nested: cannot be flattened
    with pytest.raises(CathodeLCAError, match="nested too deeply|longer than"):
        _load(write_yaml, f'parameters:\n  k: {{value: 1, source: s}}\n  m: {{formula: "{formula}", source: s}}\n')
