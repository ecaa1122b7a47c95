"""Other public entry points the docs show, given an argument of the wrong type: a UsageError
naming the argument and the expected type, not a raw Python error (seen: ``compute(None)`` "'NoneType'
object is not iterable", ``LCAModel(1)`` "'int' object has no attribute 'parameters'",
``load_inventory("my.yaml")`` "no such file or directory: m" (the string read letter by letter),
``validate_inventory(None)``, ``available_routes(None, "NMC811")``, ``report_html(None)``,
``comparison_sheets(None)`` and ``contribution_bars(None)`` AttributeErrors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathode_lca import LCAModel, compare, compute, load_inventory, validate_inventory
from cathode_lca.comparison import available_routes
from cathode_lca.errors import UsageError
from cathode_lca.lca import default_model
from cathode_lca.report import plots
from cathode_lca.report.html import report_html
from cathode_lca.report.xlsx import comparison_sheets


@pytest.mark.parametrize("dataset", [None, 1, ["cam-nmc811-virgin"], b"cam-nmc811-virgin"])
def test_compute_refuses_a_dataset_that_is_not_an_id(dataset):
    with pytest.raises(UsageError, match=r"dataset must be a dataset or product id \(a string\), got"):
        compute(dataset)


@pytest.mark.parametrize("name", [None, 1])
def test_product_id_refuses_a_name_that_is_not_a_string(name):
    with pytest.raises(UsageError, match=r"name must be a dataset or product id \(a string\), got"):
        default_model().product_id(name)


@pytest.mark.parametrize("inventory", [1, "my-plant.yaml", Path("my-plant.yaml"), ["my-plant.yaml"]])
def test_lca_model_refuses_an_inventory_that_is_not_one(inventory):
    with pytest.raises(
        UsageError, match=r"inventory must be an Inventory \(from load_inventory\) or None, got.*extra="
    ):
        LCAModel(inventory)


@pytest.mark.parametrize("paths", ["my.yaml", Path("my.yaml")])
def test_load_inventory_does_not_read_one_path_letter_by_letter(paths):
    with pytest.raises(UsageError, match=r"paths must be a list of files or folders, got the single path 'my.yaml'"):
        load_inventory(paths)


@pytest.mark.parametrize(
    ("argument", "kwargs"), [("paths", {"paths": 1}), ("extra", {"extra": 1}), ("extra", {"extra": "x.yaml"})]
)
def test_load_inventory_refuses_paths_of_the_wrong_type(argument, kwargs):
    with pytest.raises(UsageError, match=f"{argument} must be a list of files or folders"):
        load_inventory(**kwargs)


@pytest.mark.parametrize("inventory", [None, 1, default_model])
def test_validate_inventory_refuses_what_is_not_an_inventory(inventory):
    with pytest.raises(UsageError, match=r"inv must be an Inventory \(from load_inventory\), got"):
        validate_inventory(inventory)


def test_available_routes_refuses_a_model_or_chemistry_of_the_wrong_type():
    with pytest.raises(UsageError, match="model must be a cathode_lca.LCAModel, got"):
        available_routes(None, "NMC811")
    with pytest.raises(UsageError, match="chemistry must be a string"):
        available_routes(default_model(), 811)
    assert "hydrometallurgical" in available_routes(default_model(), "NMC811")


@pytest.mark.parametrize(
    ("function", "name"),
    [
        (report_html, "report_html"),
        (comparison_sheets, "comparison_sheets"),
        (plots.contribution_bars, "contribution_bars"),
        (lambda ds: plots.waterfall(ds, "hydrometallurgical"), "waterfall"),
    ],
)
def test_report_functions_refuse_what_is_not_a_comparison(function, name):
    with pytest.raises(UsageError, match=f"{name}: ds must be the xarray.Dataset that cathode_lca.compare returns"):
        function(None)


@pytest.mark.parametrize(
    ("function", "argument", "producer"),
    [
        (plots.mc_distributions, "mc", "cathode_lca.uncertainty.monte_carlo.monte_carlo"),
        (lambda ds: plots.sensitivity_bars(ds, "hydrometallurgical"), "sens", "cathode_lca.uncertainty.sensitivity"),
        (plots.sweep_chart, "sw", "cathode_lca.uncertainty.sweep.sweep"),
    ],
)
def test_charts_of_other_results_refuse_the_wrong_argument(function, argument, producer):
    """mc_distributions(None) raised "'NoneType' object has no attribute 'coords'", and a comparison
    given to sweep_chart "'Dataset' object has no attribute ..." somewhere inside."""
    with pytest.raises(UsageError, match=f"{argument} must be the xarray.Dataset that {producer}"):
        function(None)
    comparison = compare("NMC811", routes=["hydrometallurgical"], indicators=["gwp100"])
    with pytest.raises(UsageError, match="got a comparison"):
        function(comparison)


def test_a_chart_still_draws_its_own_result():
    from cathode_lca.uncertainty.sweep import sweep

    sw = sweep("NMC811", {"hydro_recovery_ni": [0.9, 0.95]}, routes=["hydrometallurgical"], indicators=["gwp100"])
    assert plots.sweep_chart(sw).axes


def test_writers_and_one_at_a_time_refuse_the_wrong_argument(tmp_path):
    """write_workbook(None, ...) raised "'NoneType' object has no attribute 'items'", save_figure(None, ...)
    "... no attribute 'savefig'", one_at_a_time with a comparison a KeyError inside."""
    from cathode_lca.report.xlsx import write_workbook
    from cathode_lca.uncertainty.sensitivity import one_at_a_time

    with pytest.raises(UsageError, match="sheets must be a mapping of sheet name to pandas.DataFrame"):
        write_workbook(None, tmp_path / "x.xlsx")
    with pytest.raises(UsageError, match="fig must be a matplotlib Figure"):
        plots.save_figure(None, tmp_path / "x.svg")
    assert not list(tmp_path.iterdir())  # nothing written
    comparison = compare("NMC811", routes=["hydrometallurgical"], indicators=["gwp100"])
    with pytest.raises(UsageError, match="one_at_a_time: ds must be the xarray.Dataset that .*sensitivity"):
        one_at_a_time("NMC811", comparison, route="hydrometallurgical", indicator="gwp100")
