"""Wrong arguments to the passport and report helpers: a UsageError naming the argument and the
expected type (a developer saw ``declare(None)`` raise "expected str, bytes or os.PathLike object,
not NoneType", ``declare(spec, model=1)`` "'int' object has no attribute 'inventory'",
``tidy(None)`` "'NoneType' object has no attribute 'attrs'", and ``tidy(monte_carlo(...))``
"'Dataset' object has no attribute 'stage'")."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from cathode_lca import compare
from cathode_lca.errors import UsageError
from cathode_lca.passport.declaration import declare
from cathode_lca.report import summary as report_summary
from cathode_lca.report import tidy as report_tidy
from cathode_lca.report.tables import summary, tidy
from cathode_lca.uncertainty.sweep import sweep

BATTERY = Path(__file__).resolve().parents[1] / "examples" / "battery-nmc811.yaml"


@pytest.mark.parametrize("spec", [None, 1, {"chemistry": "NMC811"}, ["battery.yaml"], b"battery.yaml"])
def test_declare_refuses_a_spec_that_is_neither_a_battery_spec_nor_a_path(spec):
    with pytest.raises(UsageError, match=r"spec must be a BatterySpec or the path of a battery YAML file, got"):
        declare(spec)


@pytest.mark.parametrize("model", [1, "default", {}])
def test_declare_refuses_a_model_that_is_not_an_lca_model(model):
    with pytest.raises(UsageError, match=r"model must be a cathode_lca.LCAModel or None, got"):
        declare(BATTERY, model=model)


@pytest.mark.parametrize("function", [tidy, summary, report_tidy, report_summary])
@pytest.mark.parametrize("ds", [None, 1, "result.nc", {"value": 1.0}])
def test_tables_refuse_what_is_not_a_dataset(function, ds):
    with pytest.raises(UsageError, match=r"ds must be the xarray.Dataset that cathode_lca.compare returns, got"):
        function(ds)


def test_tables_refuse_another_kind_of_result_and_say_which_table_fits():
    sw = sweep("NMC811", {"hydro_recovery_ni": [0.9]}, routes=["hydrometallurgical"], indicators=["gwp100"])
    with pytest.raises(UsageError, match=r"a sweep result.*sweep_frame"):
        tidy(sw)
    with pytest.raises(UsageError, match=r"got an xarray.Dataset with no data variables"):
        summary(xr.Dataset())
    with pytest.raises(UsageError, match=r"got an xarray.Dataset with data variables score"):
        tidy(xr.Dataset({"score": ("x", [1.0])}))


def test_a_comparison_still_makes_its_tables():
    ds = compare("NMC811", routes=["hydrometallurgical"], indicators=["gwp100"])
    frame = tidy(ds)
    total = float(ds.value.sel(route="hydrometallurgical", indicator="gwp100"))
    assert frame[frame.route == "hydrometallurgical"].value.sum() == pytest.approx(total, rel=1e-12)
    assert list(summary(ds).route) == ["hydrometallurgical"]


@pytest.mark.parametrize("path", [None, 1, {"chemistry": "NMC811"}])
def test_load_battery_spec_refuses_what_is_not_a_path(path):
    """load_battery_spec(None) raised "expected str, bytes or os.PathLike object, not NoneType"."""
    from cathode_lca.passport import load_battery_spec

    with pytest.raises(UsageError, match="path must be the path of a battery YAML file, got"):
        load_battery_spec(path)
