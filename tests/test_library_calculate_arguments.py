"""LCAModel.calculate with malformed demand, methods or parameters: a CathodeLCAError naming what
is wrong, not a numpy ValueError or AttributeError from deep inside the solver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cathode_lca.errors import ParameterError, UsageError
from cathode_lca.lca import LCAModel

DEMAND = {"cam-nmc811-virgin": 1.0}


@pytest.fixture(scope="module")
def model():
    return LCAModel()


def test_a_demand_that_is_not_a_mapping_is_refused(model):
    with pytest.raises(UsageError, match="demand must be a mapping"):
        model.calculate([("cam-nmc811-virgin", 1.0)])


def test_a_demand_amount_that_is_not_a_number_names_the_product(model):
    with pytest.raises(ParameterError, match="demand amount for 'cam-nmc811-virgin' is not a number"):
        model.calculate({"cam-nmc811-virgin": object()})


def test_a_two_dimensional_demand_amount_names_the_product_and_its_shape(model):
    with pytest.raises(ParameterError, match=r"demand amount for 'cam-nmc811-virgin' has shape \(2, 2\)"):
        model.calculate({"cam-nmc811-virgin": np.ones((2, 2))})


def test_a_two_dimensional_parameter_array_names_the_parameter_and_its_shape(model):
    """A (1, 2) array of regions used to raise numpy's "non-broadcastable output operand"."""
    with pytest.raises(ParameterError, match=r"parameter 'plant_region' has shape \(1, 2\)"):
        model.calculate(DEMAND, parameters={"plant_region": np.array([["US", "CN"]])})


def test_parameters_that_are_not_a_mapping_are_refused(model):
    with pytest.raises(UsageError, match="parameters must be a mapping"):
        model.calculate(DEMAND, parameters=[("plant_region", "US")])


def test_one_method_given_as_a_bare_string_is_not_read_letter_by_letter(model):
    """methods="ced" used to fail with "unknown method 'c'"."""
    with pytest.raises(UsageError, match=r"methods must be a list.*\['ced'\]"):
        model.calculate(DEMAND, methods="ced")


def test_one_dimensional_samples_still_work(model):
    ds = model.calculate(
        {"cam-nmc811-virgin": np.array([1.0, 2.0])}, parameters={"plant_region": ["US", "US"]}, methods=["ced"]
    )
    score = ds.score.sel(lcia_method="ced").values
    assert score.shape == (2,) and score[1] == pytest.approx(2 * score[0])


def test_a_ragged_parameter_list_is_refused_by_name(model):
    with pytest.raises(ParameterError, match="parameter 'plant_region' is a ragged"):
        model.calculate(DEMAND, parameters={"plant_region": [["US"], ["CN", "US"]]})


@pytest.mark.parametrize("extra", ["my-plant.yaml", Path("my-plant.yaml")])
def test_one_extra_file_given_bare_is_not_read_letter_by_letter(extra):
    """LCAModel(extra="my-plant.yaml") used to fail with "no such file: m" (a Path: TypeError, not iterable)."""
    with pytest.raises(UsageError, match=r"extra must be a list of inventory files.*\['my-plant.yaml'\]"):
        LCAModel(extra=extra)
