"""engine/matrices.py: matrix entries read from the YAML with unit conversion, and sample sizes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import model_for

from cathode_lca.engine.matrices import broadcast_size
from cathode_lca.errors import ParameterError


def test_chain_matrix_entries_are_the_yaml_amounts_in_the_target_units():
    """chain.yaml: b takes 1.8 MJ of e (a kWh product) = 0.5 kWh, and 3 g of a = 0.003 kg."""
    model = model_for("chain.yaml")
    env = model.parameters.evaluate()
    m = model.matrices("none")
    a = m.static_data(m.A, env)
    entries = {(m.products[r], m.products[c]): v for r, c, v in zip(m.A["rows"], m.A["cols"], a, strict=True)}
    assert entries[("e", "b")] == pytest.approx(-0.5, rel=1e-12)
    assert entries[("a", "b")] == pytest.approx(-0.003, rel=1e-12)
    assert entries[("b", "c")] == pytest.approx(-2.0, rel=1e-12)  # b_per_c default
    assert all(entries[(p, p)] == 1.0 for p in "abce")
    b = m.static_data(m.B, env)
    water = {m.products[c]: v for r, c, v in zip(m.B["rows"], m.B["cols"], b, strict=True) if m.flows[r] == "water"}
    assert water["e"] == pytest.approx(3.785411784, rel=1e-9)  # 1 gal in L


def test_broadcast_size():
    assert broadcast_size({"a": 1.0, "b": np.array([2.0])}) == 1
    assert broadcast_size({"a": np.ones(5), "b": 2.0}) == 5
    assert broadcast_size({"a": 1.0}, [np.ones(3)]) == 3
    with pytest.raises(ParameterError, match="different lengths"):
        broadcast_size({"a": np.ones(5), "b": np.ones(4)})
