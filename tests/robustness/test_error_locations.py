"""Singular-system errors carry the file and line of the dataset (the solver passes its ``where``)."""

from __future__ import annotations

import pytest

import cathode_lca.cli.model as model_commands  # where scenario_model looks the model up
from cathode_lca.cli import main
from cathode_lca.errors import SingularSystemError
from cathode_lca.inventory.schema import Location


def test_singular_error_at_a_dataset_location():
    err = SingularSystemError.at(Location("inv.yaml", 12), "'x' produces nothing", dataset="x", hint="check it")
    assert (err.file, err.line, err.dataset) == ("inv.yaml", 12, "x")
    assert str(err) == "inv.yaml:12: dataset 'x': 'x' produces nothing. Fix: check it"


def test_cli_prints_the_location_and_exits_2(monkeypatch, capsys):
    def singular(*args, **kwargs):
        raise SingularSystemError.at(Location("inv.yaml", 12), "'x' produces nothing", dataset="x")

    monkeypatch.setattr(model_commands, "model_with_background", singular)
    with pytest.raises(SystemExit) as info:
        main(["compute", "x"])
    assert info.value.code == 2
    assert capsys.readouterr().err == "Error: inv.yaml:12: dataset 'x': 'x' produces nothing\n"
