"""Our engine and bw2calc agree to relative 1e-9 on the same matrices."""

from __future__ import annotations

import pytest
from conftest import model_for

from cathode_lca.brightway.crosscheck import crosscheck, crosscheck_many
from cathode_lca.lca import default_model

pytestmark = pytest.mark.brightway  # needs bw2data / bw2calc / bw_processing

TEST_SYSTEMS = [
    ("chain.yaml", "c"),
    ("chain.yaml", "e"),
    ("loop.yaml", "p"),
    ("loop.yaml", "uses-static-loop"),
    ("multi.yaml", "r"),
    ("multi.yaml", "ni-salt"),
    ("multi.yaml", "cu"),
    ("substitution.yaml", "k"),
]


@pytest.mark.parametrize("allocation", ["none", "mass", "economic", "system-expansion", "cut-off"])
@pytest.mark.parametrize(("file", "product"), TEST_SYSTEMS)
def test_test_inventories_match_bw2calc(file, product, allocation, test_method):
    report = crosscheck(model_for(file), {product: 1.0}, methods=[test_method], allocation=allocation)
    assert report.max_relative_difference <= 1e-9


@pytest.mark.parametrize("allocation", ["none", "mass", "economic", "system-expansion", "cut-off"])
def test_every_shipped_dataset_matches_bw2calc(allocation):
    model = default_model()
    methods = ["ipcc2021-gwp100", "ipcc2013-gwp100", "ced", "ced-fossil", "water"]
    datasets = sorted(model.inventory.datasets)
    reports = crosscheck_many(model, [{d: 1.0} for d in datasets], methods=methods, allocation=allocation)
    for dataset, report in zip(datasets, reports, strict=True):
        assert report.max_relative_difference <= 1e-9, dataset
    assert len(reports) == len(model.inventory.datasets) > 50
