"""Arguments of the wrong type to the Python API: a UsageError naming the argument, not a stray
AttributeError or a silently misread value (a developer embedding cathode-lca hit these)."""

from __future__ import annotations

import numpy as np
import pytest

from cathode_lca import compare
from cathode_lca.errors import UsageError
from cathode_lca.uncertainty.sweep import sweep


@pytest.mark.parametrize("chemistry", [811, None, b"NMC811", ["NMC811"]])
def test_a_chemistry_that_is_not_a_string_is_refused_by_name(chemistry):
    with pytest.raises(UsageError, match="chemistry must be a string"):
        compare(chemistry)


@pytest.mark.parametrize("parameters", [[("hydro_recovery_ni", 0.9)], "hydro_recovery_ni=0.9", 0.9])
def test_parameters_that_are_not_a_mapping_are_refused_by_name(parameters):
    with pytest.raises(UsageError, match="parameters must be a mapping"):
        compare("NMC811", parameters=parameters)


def test_one_route_given_as_a_bare_string_is_not_read_letter_by_letter():
    """routes="hydrometallurgical" used to fail with "unknown route 'h'"."""
    with pytest.raises(UsageError, match=r"routes must be a list.*\['hydrometallurgical'\]"):
        compare("NMC811", routes="hydrometallurgical")


def test_one_indicator_given_as_a_bare_string_is_not_read_letter_by_letter():
    """indicators="gwp100" used to fail with "unknown indicator(s): g, w, p, 1, 0, 0"."""
    with pytest.raises(UsageError, match=r"indicators must be a list.*\['gwp100'\]"):
        compare("NMC811", indicators="gwp100")


@pytest.mark.parametrize("name", ["region", "unit", "allocation"])
def test_a_non_string_option_is_refused_by_name(name):
    with pytest.raises(UsageError, match=f"{name} must be a string"):
        compare("NMC811", **{name: 1})


def test_the_same_checks_guard_sweep():
    """sweep shares compare's preparation, so it refuses the same mistakes the same way."""
    with pytest.raises(UsageError, match="routes must be a list"):
        sweep("NMC811", {"hydro_recovery_ni": np.array([0.9])}, routes="hydrometallurgical", progress=False)


def test_a_list_of_names_still_works():
    ds = compare("NMC811", routes=("hydrometallurgical",), indicators=["gwp100"])
    assert list(ds.route.values) == ["hydrometallurgical"]
    assert list(ds.indicator.values) == ["gwp100"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"routes": [1]}, "routes must be a list of names, got \\[1\\]"),
        ({"routes": 5}, "routes must be a list of names, got 5"),
        ({"indicators": [1]}, "indicators must be a list of names"),
        ({"indicators": None}, "indicators must be a list of names, got None"),
        ({"parameters": {1: 2}}, "parameter names must be text, got 1"),
        ({"model": 1}, "model must be a cathode_lca.LCAModel or None, got 1"),
        ({"model": "default"}, "model must be a cathode_lca.LCAModel or None"),
    ],
)
def test_lists_names_and_models_of_the_wrong_type_are_refused_by_name(options, message):
    """routes=[1] raised "'int' object has no attribute 'strip'", model=1 "'int' object has no attribute 'inventory'"."""
    with pytest.raises(UsageError, match=message):
        compare("NMC811", **options)


def test_the_model_check_guards_monte_carlo_sweep_and_sensitivity_too():
    from cathode_lca.uncertainty.monte_carlo import monte_carlo
    from cathode_lca.uncertainty.sensitivity import sensitivity

    for run in (
        lambda: monte_carlo("NMC811", samples=5, seed=1, model=1, progress=False),
        lambda: sweep("NMC811", {"hydro_recovery_ni": [0.9]}, model=1, progress=False),
        lambda: sensitivity("NMC811", samples=8, model=1, progress=False),
    ):
        with pytest.raises(UsageError, match="model must be a cathode_lca.LCAModel"):
            run()


def test_names_from_numpy_still_work_and_an_iterator_is_refused():
    """indicators=iter([...]) used to say "no method given": the iterator was used up by a first pass."""
    ds = compare("NMC811", routes=np.array(["hydrometallurgical"]), indicators=("gwp100",))
    assert list(ds.route.values) == ["hydrometallurgical"] and list(ds.indicator.values) == ["gwp100"]
    with pytest.raises(UsageError, match=r"indicators must be a list of names, got an iterator.*list\(\.\.\.\)"):
        compare("NMC811", indicators=iter(["gwp100"]))
