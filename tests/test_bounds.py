"""Parameter bounds (min, max, kind: fraction) and exact constants, enforced in the parameter engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cathode_lca.cli import main
from cathode_lca.engine.validate import unbounded_fractions, validate_inventory
from cathode_lca.errors import BoundsError, InventoryError, ParameterError
from cathode_lca.inventory.distributions import fit_to_bounds
from cathode_lca.inventory.load import load_inventory
from cathode_lca.parameters.engine import ParameterModel
from cathode_lca.uncertainty.streams import draw

HEADER = "include: [flows.yaml]\n"
TOY = """parameters:
  rec:
    value: 0.9
    kind: fraction
    source: test
  dose:
    value: 2.0
    min: 1.0
    max: 3.0
    unit: kg/kg
    source: test
  mm:
    value: 6.94
    exact: true
    unit: g/mol
    source: test
  out:
    formula: "rec * dose"
    max: 2.5
    unit: kg/kg
    source: test
datasets:
  - id: x
    name: X
    stage: chemicals
    exchanges:
      - {flow: co2, amount: out, unit: kg, source: s}
"""


@pytest.fixture
def toy(write_yaml):
    return ParameterModel(load_inventory([write_yaml(HEADER + TOY)]))


def test_declared_bounds_are_resolved(toy):
    assert toy.bounds("rec") == (0.0, 1.0)  # kind: fraction
    assert toy.bounds("dose") == (1.0, 3.0)
    assert toy.bounds("mm") == (None, None)
    assert toy.parameters[toy.key("mm")].exact


@pytest.mark.parametrize("value", [1.7, -0.5, 1.0000001])
def test_override_outside_bounds_names_parameter_value_bounds_and_declaration(toy, value):
    with pytest.raises(BoundsError) as info:
        toy.evaluate({"rec": value})
    text = str(info.value)
    assert "'rec'" in text and f"value {value}" in text and "[0, 1]" in text
    assert "inv.yaml:5" in text  # the line of "kind: fraction"


def test_bounds_are_inclusive(toy):
    env = toy.evaluate({"rec": [0.0, 1.0], "dose": 2.5})
    assert np.allclose(env[toy.key("out")], [0.0, 2.5])  # both ends of [0, 1] and max 2.5 of out are allowed
    # out = rec * dose = 3.0 > max 2.5: the formula's bound catches it
    with pytest.raises(BoundsError, match="formula 'rec \\* dose' gives value 3"):
        toy.evaluate({"rec": 1.0, "dose": 3.0})


def test_array_override_reports_how_many_values_fail(toy):
    with pytest.raises(BoundsError, match=r"2 of 4 values"):
        toy.evaluate({"rec": [0.5, 1.2, 0.9, -0.1]})


def test_default_outside_bounds_is_a_load_error(write_yaml):
    body = TOY.replace("value: 0.9\n    kind: fraction", "value: 95\n    kind: fraction")
    with pytest.raises(InventoryError, match="outside the declared bounds"):
        load_inventory([write_yaml(HEADER + body)])


def test_fraction_min_max_must_lie_in_unit_interval(write_yaml):
    body = TOY.replace("kind: fraction", "kind: fraction\n    max: 1.5")
    with pytest.raises(InventoryError, match=r"\[0, 1\]"):
        load_inventory([write_yaml(HEADER + body)])


def test_uniform_distribution_leaving_bounds_is_refused(toy):
    with pytest.raises(ParameterError, match="leaves the parameter's bounds"):
        toy.fit_distribution("rec", {"type": "uniform", "minimum": 0.9, "maximum": 1.1})


@pytest.mark.slow
def test_normal_distribution_is_truncated_to_bounds(toy):
    dist = toy.fit_distribution("rec", {"type": "normal", "loc": 0.98, "scale": 0.05})
    assert (dist["minimum"], dist["maximum"]) == (0.0, 1.0)
    x = draw(dist, 3, "rec", 0, 20_000)
    assert x.max() <= 1.0 and x.min() >= 0.0
    # truncation, not clipping: no probability mass piles up on the bound
    assert np.mean(x == 1.0) == 0.0
    # known answer: mean of N(0.98, 0.05) truncated above at 1: mu - sigma * phi(a) / Phi(a), a = 0.4
    from scipy.stats import norm

    a = (1.0 - 0.98) / 0.05
    expected = 0.98 - 0.05 * norm.pdf(a) / norm.cdf(a)
    assert abs(x.mean() - expected) < 3 * x.std() / np.sqrt(x.size)


def test_lognormal_truncated_above():
    dist = fit_to_bounds({"type": "lognormal", "loc": np.log(0.9), "scale": 0.2}, 0.0, 1.0)
    x = draw(dist, 0, "rec", 0, 5000)
    assert x.max() <= 1.0 and x.min() > 0.0


def test_exact_constant_is_never_varied(toy):
    with pytest.raises(ParameterError, match="exact constant"):
        toy.fit_distribution("mm", {"type": "uniform", "minimum": 6.9, "maximum": 7.0})


def test_exact_constant_cannot_declare_a_distribution(write_yaml):
    body = TOY.replace("exact: true", "exact: true\n    distribution: {type: uniform, minimum: 6.9, maximum: 7}")
    with pytest.raises(InventoryError, match="exact constant"):
        load_inventory([write_yaml(HEADER + body)])


def test_validate_flags_fraction_named_parameter_without_bounds(write_yaml):
    body = (
        TOY
        + "  - id: y\n    name: Y\n    stage: chemicals\n    parameters:\n      metal_recovery: {value: 0.9, source: s}\n"
    )
    body = body.replace("parameters:\n  rec:", "parameters:\n  nickel_yield: {value: 0.95, source: s}\n  rec:")
    inv = load_inventory([write_yaml(HEADER + body)])
    problems = unbounded_fractions(inv)
    assert len(problems) == 2
    assert any("nickel_yield" in p for p in problems) and any("metal_recovery" in p for p in problems)
    assert not validate_inventory(inv).ok


@pytest.mark.slow
def test_shipped_recoveries_declare_bounds_and_molar_masses_are_exact():
    inv = load_inventory()
    assert unbounded_fractions(inv) == []
    params = ParameterModel(inv)
    for name in ("hydro_recovery_ni", "pyro_recovery_co", "direct_recovery_cam", "preproc_recovery_cu_scrap"):
        assert params.bounds(name) == (0.0, 1.0), name
    for name in ("molar_mass_li", "molar_mass_ni", "transport_km_per_mile"):
        assert params.parameters[params.key(name)].exact, name


def _main(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("value", ["1.7", "-0.5"])
def test_cli_param_outside_bounds_exits_2(value, capsys):
    code, err = _main(["compare", "NMC811", "--param", f"hydro_recovery_ni={value}"], capsys)
    assert code == 2, err
    assert "hydro_recovery_ni" in err and "[0, 1]" in err and "hydrometallurgical.yaml" in err
    assert "Traceback" not in err


def test_cli_vary_leaving_bounds_exits_2(capsys):
    code, err = _main(
        ["uncertainty", "NMC811", "--samples", "8", "--vary", "hydro_recovery_ni=uniform:0.9:1.1"], capsys
    )
    assert code == 2, err
    assert "leaves the parameter's bounds" in err


@pytest.mark.slow
def test_spread_skips_exact_constants_and_respects_bounds():
    from cathode_lca.uncertainty.sensitivity import sensitivity

    ds = sensitivity("NMC811", routes=["hydrometallurgical"], method="morris", samples=8, spread=0.1)
    dists = json.loads(ds.attrs["distributions"])
    assert not any(k.startswith("molar_mass") for k in dists)
    for key in ("hydro_recovery_ni", "hydro_recovery_co"):
        assert dists[key]["maximum"] == 1.0  # 0.98 * 1.1 = 1.078 cut at the fraction's bound
        assert dists[key]["minimum"] == pytest.approx(0.98 * 0.9)


@pytest.mark.slow
def test_parameters_listing_shows_bounds(capsys):
    main(["parameters", "--search", "recovery_ni", "--format", "json"])
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["hydro_recovery_ni"]["bounds"] == "fraction"
    main(["parameters", "--search", "molar_mass_li", "--format", "json"])
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["molar_mass_li"]["bounds"] == "exact"
