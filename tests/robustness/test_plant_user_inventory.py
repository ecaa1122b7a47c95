"""A hostile user's inventory files next to the shipped ones (``--inventory``): each test is one defect found."""

from __future__ import annotations

import pytest
from conftest import run_main

# An `overrides:` value outside the parameter's bounds (hydro_recovery_ni: 1.5, a fraction) was
# reported as "field 'parameters.hydro_recovery_ni': default value 1.5 ... declared at
# inventories/recycling/hydrometallurgical.yaml:23": no word of the user's file that set 1.5.


@pytest.mark.parametrize(
    ("override", "name"),
    [
        ("hydro_recovery_ni: 1.5", "hydro_recovery_ni"),
        ("hydro_electricity: {value: -2, source: s}", "hydro_electricity"),
    ],
)
def test_an_override_out_of_bounds_names_the_users_file_and_line(tmp_path, capsys, override, name):
    user = tmp_path / "mine.yaml"
    user.write_text(f"format: cathode-lca/1\noverrides:\n  parameters:\n    {override}\n")
    code, _, err = run_main(["compute", "cam-nmc811-hydrometallurgical", "--inventory", str(user)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{user}:4" in err and name in err and "outside its bounds" in err, err


# A user parameter named `e` or `pi` loaded without complaint, but every formula kept reading the
# built-in constant: `amount: "e * pi"` gave 8.54 kg (math.e * math.pi), not the user's 5 * 3. A
# parameter named like a formula function (`where`, `min`) or a Python keyword (`if`) cannot be
# used in a formula either.


@pytest.mark.parametrize("name", ["e", "pi", "where", "min", "if", "not"])
def test_a_parameter_named_like_a_formula_builtin_is_refused(tmp_path, capsys, name):
    user = tmp_path / "mine.yaml"
    user.write_text(f"format: cathode-lca/1\nparameters:\n  {name}: {{value: 5, source: s, scope: global}}\n")
    code, _, err = run_main(["validate", str(user)], capsys)  # the file alone: the name is refused first
    assert code == 2 and "Traceback" not in err
    assert f"{user}:3" in err and f"'{name}'" in err and "formula" in err, err


# `overrides: {parameters: {plant_region: PL}}` said "Input should be a valid number, unable to parse
# string as a number. Fix: see docs/inventory-format.md": a choice is changed in a scenario file.


def test_an_override_of_a_choice_points_to_a_scenario_file(tmp_path, capsys):
    user = tmp_path / "mine.yaml"
    user.write_text("format: cathode-lca/1\noverrides:\n  parameters:\n    plant_region: PL\n")
    code, _, err = run_main(["validate", str(user)], capsys)
    assert code == 2 and f"{user}:4" in err
    assert "scenario" in err and "plant_region" in err and "value: PL" in err, err


# `overrides: {parameters: {hydro_recovery_nii: 0.9}}` (a typo) gave no suggestion, while the same
# typo in a scenario file says "did you mean hydro_recovery_ni".


def test_an_override_typo_gets_a_suggestion(tmp_path, capsys):
    user = tmp_path / "mine.yaml"
    user.write_text("format: cathode-lca/1\noverrides:\n  parameters:\n    hydro_recovery_nii: 0.9\n")
    code, _, err = run_main(["validate", "--inventory", str(user)], capsys)
    assert code == 2 and f"{user}:4" in err and "did you mean hydro_recovery_ni" in err, err
