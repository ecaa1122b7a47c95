"""The fast unit path agrees with pint, which stays the reference for everything else."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cathode_lca.errors import UnitError
from cathode_lca.units import _ATOMS, _fast, conversion_factor, registry


def pint_factor(a: str, b: str) -> float:
    ureg = registry()
    norm = {"tkm": "tonne*kilometer", "m3": "m**3", "dm3": "dm**3", "t": "tonne", "m2": "m**2"}
    pa = "*".join(norm.get(x, x) for x in a.split("*"))
    pb = "*".join(norm.get(x, x) for x in b.split("*"))
    return float(ureg.Quantity(1.0, pa.replace("/", " / ")).to(pb.replace("/", " / ")).magnitude)


@pytest.mark.parametrize("atom", sorted(_ATOMS))
def test_every_fast_atom_matches_pint(atom):
    dim = _ATOMS[atom][0]
    base = {
        "mass": "kg",
        "energy": "J",
        "volume": "m3",
        "length": "m",
        "substance": "mol",
        "currency": "USD",
        "currency_eur": "EUR",
        "mass*length": "kg*m",
        "time": "s",
        "length*length": "m*m",
    }[dim]
    assert conversion_factor(atom, base) == pytest.approx(pint_factor(atom, base), rel=1e-12)


atoms = st.sampled_from(sorted(a for a in _ATOMS if "*" not in _ATOMS[a][0]))


@settings(max_examples=200, deadline=None)
@given(st.lists(atoms, min_size=1, max_size=2), st.lists(atoms, min_size=0, max_size=2))
@pytest.mark.slow
def test_fast_composites_match_pint(num, den):
    unit = "*".join(num) + ("/" + "/".join(den) if den else "")
    fast = _fast(unit)
    assert fast is not None
    dims, factor = fast
    # the same unit expressed through pint's base units
    ureg = registry()
    norm = {"m3": "m**3", "dm3": "dm**3", "t": "tonne"}
    expr = " * ".join(norm.get(a, a) for a in num) + "".join(f" / {norm.get(d, d)}" for d in den)
    q = ureg.Quantity(1.0, expr).to_base_units()
    # our base units (kg, J, m3, m, mol, USD) have magnitude 1 in pint's base units
    assert float(q.magnitude) == pytest.approx(factor, rel=1e-12)
    assert bool(q.dimensionless) == (dims == ())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("g", "kg"),
        ("MJ", "kWh"),
        ("gal", "L"),
        ("m3", "L"),
        ("t*km", "kg*km"),
        ("MJ/(t*km)", "MJ/tkm"),
        ("mi", "km"),
        ("short_ton", "kg"),
        ("gal/kg", "L/kg"),
        ("USD/kg", "USD/t"),
    ],
)
def test_known_conversions_match_pint(a, b):
    assert conversion_factor(a, b) == pytest.approx(pint_factor(a, b), rel=1e-12)


def test_incompatible_units_raise():
    with pytest.raises(UnitError, match="cannot convert 'kg' to 'kWh'"):
        conversion_factor("kg", "kWh")
    with pytest.raises(UnitError):
        conversion_factor("furlong/fortnight", "kg")


def test_pint_fallback_for_other_units():
    assert conversion_factor("lb", "kg") == pytest.approx(0.45359237)
    assert conversion_factor("Btu", "kJ") == pytest.approx(pint_factor("Btu", "kJ"))


def test_every_unit_in_the_shipped_inventories_takes_the_fast_path():
    import re

    from cathode_lca.resources import inventories_dir

    units = set()
    for path in inventories_dir().rglob("*.yaml"):
        units.update(m.strip().strip('"') for m in re.findall(r"\bunit: *([^\n#,}]+)", path.read_text()))
    slow = sorted(u for u in units if _fast(u) is None and len(u) < 20)
    assert slow == []
    plain = sorted(u for u in units if len(u) < 20 and "(" not in u)
    for a, b in itertools.combinations(plain, 2):
        if _fast(a)[0] == _fast(b)[0]:
            assert conversion_factor(a, b) == pytest.approx(pint_factor(a, b), rel=1e-12), (a, b)
