"""A comparison warns when its own parameter values break an element balance of a compared route.

The known answers are computed here by hand from the example plant's assay and the nominal
NMC811 formula (LiNi0.8Co0.1Mn0.1O2, EverBatt 2023 molar masses, docs/scenarios.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_main

from cathode_lca import compare
from cathode_lca.balances import balance_warnings, broken_balances
from cathode_lca.comparison import chemistries, prepare
from cathode_lca.lca import default_model
from cathode_lca.result_warnings import warnings_of

ROOT = Path(__file__).resolve().parents[1]
EU_PLANT = str(ROOT / "examples" / "plants" / "eu-hydro-recycler.yaml")

# EverBatt 2023 'CM Rec Par.' molar masses (g/mol), as docs/scenarios.md quotes them
M_LI, M_NI, M_CO, M_MN, M_O = 6.94, 58.693, 58.933, 54.938, 15.999
M_NMC811 = M_LI + 0.8 * M_NI + 0.1 * M_CO + 0.1 * M_MN + 2 * M_O  # 97.2795
# the example plant's assay (examples/plants/eu-hydro-recycler.yaml), kg per kg black mass
ASSAY = {"Ni": 0.260, "Co": 0.033, "Mn": 0.030, "Li": 0.038}


def _hand_misses() -> dict[str, float]:
    """(in − out) / in per element of cam-nmc811-direct: the assay's CAM in, nominal NMC811 out."""
    nominal = {"Ni": 0.8 * M_NI, "Co": 0.1 * M_CO, "Mn": 0.1 * M_MN, "Li": M_LI}
    w = {el: m / M_NMC811 for el, m in nominal.items()}
    x_cam = (ASSAY["Ni"] + ASSAY["Co"] + ASSAY["Mn"]) / (w["Ni"] + w["Co"] + w["Mn"])  # kg CAM per kg black mass
    contents = {el: ASSAY[el] / x_cam for el in ASSAY}  # feed_cam_<el>: kg per kg regenerated CAM
    return {el: 100.0 * (contents[el] - w[el]) / contents[el] for el in ASSAY}


def test_hand_values_are_what_the_docs_quote() -> None:
    # docs/scenarios.md: x_CAM = 0.53858 kg per kg black mass, feed_cam_ni = 0.48275
    w_sum = (0.8 * M_NI + 0.1 * M_CO + 0.1 * M_MN) / M_NMC811
    assert (0.26 + 0.033 + 0.030) / w_sum == pytest.approx(0.53858, abs=5e-6)
    assert _hand_misses()["Co"] == pytest.approx(1.128, abs=0.001)


def test_the_example_plant_breaks_the_direct_route_balance_and_compare_says_so(capsys) -> None:
    code, out, _ = run_main(
        ["compare", "NMC811", "--route", "virgin", "--route", "direct", "--scenario", EU_PLANT, "--format", "json"],
        capsys,
    )
    assert code == 0
    warnings = [w for w in json.loads(out)["warnings"] if "element balance" in w]
    assert len(warnings) == 1, warnings
    text = warnings[0]
    assert text.startswith("cam-nmc811-direct: element balance does not close")
    assert "enters the direct route" in text
    printed = dict(re.findall(r"\b(Ni|Co|Mn|Li) ([+-][0-9.e+-]+) %", text))
    assert printed == {el: f"{miss:+.3g}" for el, miss in _hand_misses().items()}  # 3 significant digits


def test_routes_that_do_not_use_the_broken_dataset_carry_no_balance_warning(capsys) -> None:
    code, out, _ = run_main(
        ["compare", "NMC811", "--route", "virgin", "--route", "hydrometallurgical", "--scenario", EU_PLANT]
        + ["--format", "json"],
        capsys,
    )
    assert code == 0
    assert not [w for w in json.loads(out)["warnings"] if "element balance" in w]


def test_the_shipped_values_close_every_balance_of_every_chemistry() -> None:
    model = default_model()
    for chem in chemistries(model):
        setup = prepare(chem, None, "US", "", "kg-cam", ["gwp100"], {}, model)
        assert broken_balances(model, setup.demands, setup.env, setup.allocation) == {}, chem


def test_a_user_value_that_breaks_a_balance_is_named_with_its_route() -> None:
    # the regenerated CAM's Co content set by hand above the nominal: Co in 0.07, out w_Co
    model = default_model()
    params = {"feed_cam_co": 0.07}
    setup = prepare("NMC811", ["virgin", "direct"], "US", "", "kg-cam", ["gwp100"], params, model)
    broken = broken_balances(model, setup.demands, setup.env, setup.allocation)
    assert list(broken) == ["cam-nmc811-direct"]
    rows, routes = broken["cam-nmc811-direct"]
    assert routes == ["direct"]
    (co,) = [r for r in rows if r.element == "Co"]
    w_co = 0.1 * M_CO / M_NMC811
    assert co.inputs == pytest.approx(0.07, rel=1e-12)
    assert co.outputs == pytest.approx(w_co, rel=1e-4)
    (text,) = balance_warnings(model, setup.demands, setup.env, setup.allocation)
    assert f"Co {100 * (0.07 - w_co) / 0.07:+.3g} %" in text
    ds = compare("NMC811", routes=["virgin", "direct"], indicators=["gwp100"], parameters=params, model=model)
    assert text in warnings_of(ds)
