"""bw2calc on matrices built from the YAML by a separate small reader agrees with our engine to 1e-9.

``test_crosscheck.py`` hands bw2calc *our* matrices, so it checks the solve and the scoring only.
Here the technosphere and biosphere matrices come from :mod:`independent_reader` (PyYAML, its own
formula evaluator, unit table and parameter scoping; nothing from ``cathode_lca`` except, for the
comparison, the score of our engine). A mistake in how the engine reads amounts, units, scopes,
formulas or co-products of these datasets would show up as a difference.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from independent_reader import YamlInventory, read_method, unit_factor

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("ipcc2021-gwp100", "ced", "water")
#: A GREET material, a grid mix (formulas from the generation mix), the plant electricity selector
#: (choice comparisons), the recycling chain black mass -> hydrometallurgical treatment -> recycled
#: NiSO4 -> recycled CAM (co-products, transport, reagents), direct recycling, and the virgin CAM.
DATASETS = (
    "sulfuric-acid-greet2022",
    "electricity-grid-us",
    "electricity-plant",
    "black-mass",
    "recycling-hydrometallurgical",
    "nickel-sulfate-recycled-hydrometallurgical",
    "cam-nmc811-hydrometallurgical",
    "cam-nmc811-direct",
    "cam-nmc811-virgin",
)

pytestmark = pytest.mark.brightway


@pytest.fixture(scope="module")
def yaml_inventory() -> YamlInventory:
    return YamlInventory.read(ROOT / "inventories")


@pytest.fixture(scope="module")
def ours():
    from cathode_lca.lca import default_model

    model = default_model()
    return {
        d: model.calculate({d: 1.0}, methods=list(METHODS), contributions=False).score.values.tolist() for d in DATASETS
    }


def bw2calc_scores(inv: YamlInventory, dataset: str) -> list[float]:
    """Scores of 1 unit of *dataset* by bw2calc, from the small reader's matrices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw2calc
        import bw_processing as bwp

    products, flows, A, B = inv.matrices(dataset)
    flow_id = {f: 1_000_000 + i for i, f in enumerate(flows)}
    dp = bwp.create_datapackage(name="independent", sum_intra_duplicates=True)
    rows, cols = np.nonzero(A)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=np.array(list(zip(rows + 1, cols + 1, strict=True)), dtype=bwp.INDICES_DTYPE),
        data_array=A[rows, cols],
        flip_array=np.zeros(len(rows), dtype=bool),
    )
    rows, cols = np.nonzero(B)
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=np.array(
            [(flow_id[flows[r]], c + 1) for r, c in zip(rows, cols, strict=True)], dtype=bwp.INDICES_DTYPE
        ),
        data_array=B[rows, cols],
    )
    out = []
    for method in METHODS:
        factors = {f: v for f, v in read_method(ROOT / "methods" / f"{method}.yaml").items() if f in flow_id}
        if not factors:
            out.append(0.0)
            continue
        cdp = bwp.create_datapackage(name=method)
        cdp.add_persistent_vector(
            matrix="characterization_matrix",
            name=method,
            indices_array=np.array([(flow_id[f], flow_id[f]) for f in factors], dtype=bwp.INDICES_DTYPE),
            data_array=np.array(list(factors.values())),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = bw2calc.LCA(
                {products.index(inv.products_of(inv.datasets[dataset])[0]["id"]) + 1: 1.0}, data_objs=[dp, cdp]
            )
            lca.lci()
            lca.lcia()
        out.append(float(lca.score))
    return out


def test_the_reader_on_a_hand_checked_dataset(yaml_inventory):
    """The reader itself: sulfuric acid is one GREET dataset of flows only; its CO2 amount is the
    number in the YAML, in kg, and the unit table holds exact definitions."""
    products, flows, A, B = yaml_inventory.matrices("sulfuric-acid-greet2022")
    assert products == ["sulfuric-acid-greet2022"] and A.tolist() == [[1.0]]
    raw = next(
        e for e in yaml_inventory.datasets["sulfuric-acid-greet2022"]["exchanges"] if e.get("flow") == "co2-fossil-air"
    )
    assert B[flows.index("co2-fossil-air"), 0] == pytest.approx(float(raw["amount"]) * unit_factor(raw["unit"], "kg"))
    assert unit_factor("kWh", "MJ") == 3.6 and unit_factor("g", "kg") == 1e-3 and unit_factor("gal", "L") == 3.785411784


def test_the_reader_refuses_what_it_cannot_evaluate(yaml_inventory):
    with pytest.raises(NotImplementedError):
        yaml_inventory.evaluate("sqrt(4)", None, "x.yaml")
    with pytest.raises(KeyError):
        yaml_inventory.evaluate("no_such_parameter * 2", None, "x.yaml")


@pytest.mark.slow
@pytest.mark.parametrize("dataset", DATASETS)
def test_bw2calc_on_independently_read_matrices_matches_our_engine(yaml_inventory, ours, dataset):
    theirs = bw2calc_scores(yaml_inventory, dataset)
    assert any(v != 0 for v in theirs), "a check on an all-zero result proves nothing"
    np.testing.assert_allclose(theirs, ours[dataset], rtol=1e-9, atol=0)
