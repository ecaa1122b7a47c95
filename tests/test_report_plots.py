"""Charts: the drawn bars carry the computed numbers, files are written safely, every example chart renders."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from cathode_lca.comparison import compare
from cathode_lca.errors import UsageError
from cathode_lca.report import plots

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def nmc811():
    return compare("NMC811", indicators=["gwp100"])


def _bars(fig):
    from matplotlib.patches import Rectangle

    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.slow
def test_contribution_bars_heights_are_the_stage_contributions(nmc811):
    fig = plots.contribution_bars(nmc811, "gwp100")
    heights = sorted(round(b.get_height(), 9) for b in _bars(fig) if b.get_height() != 0)
    expected = sorted(round(float(v), 9) for v in nmc811.by_stage.sel(indicator="gwp100").values.ravel() if v != 0)
    assert heights == expected
    # the net-total markers sit at the route totals
    offsets = fig.axes[0].collections[0].get_offsets()
    assert np.allclose(offsets[:, 1], nmc811.value.sel(indicator="gwp100").values)


def test_waterfall_steps_go_from_virgin_to_the_route(nmc811):
    fig = plots.waterfall(nmc811, "hydrometallurgical", "gwp100")
    bars = _bars(fig)
    assert bars[0].get_height() == pytest.approx(float(nmc811.value.sel(route="virgin", indicator="gwp100")))
    assert bars[-1].get_height() == pytest.approx(
        float(nmc811.value.sel(route="hydrometallurgical", indicator="gwp100"))
    )
    steps = sum(b.get_height() for b in bars[1:-1])
    diff = float(nmc811.difference.sel(route="hydrometallurgical", indicator="gwp100"))
    assert steps == pytest.approx(diff, rel=1e-9)


def test_palette_is_okabe_ito_and_routes_keep_their_colour():
    assert plots.OKABE_ITO[0] == "#E69F00" and len(set(plots.OKABE_ITO)) == 8
    assert plots.route_colour("hydrometallurgical-minus-virgin") == plots.route_colour("hydrometallurgical")


def test_save_figure_refuses_overwrite_and_unknown_suffix(tmp_path, nmc811):
    path = tmp_path / "c.svg"
    plots.save_figure(plots.contribution_bars(nmc811), path)
    assert path.read_text().lstrip().startswith("<?xml") and "<svg" in path.read_text()
    with pytest.raises(UsageError, match="already exists"):
        plots.save_figure(plots.contribution_bars(nmc811), path)
    with pytest.raises(UsageError, match=r"\.svg or \.png"):
        plots.save_figure(plots.contribution_bars(nmc811), tmp_path / "c.pdf")


@pytest.mark.slow
def test_make_charts_example_writes_every_chart(tmp_path):
    from PIL import Image

    spec = importlib.util.spec_from_file_location("make_charts", ROOT / "examples" / "make_charts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main([str(tmp_path), "--samples", "200", "--sobol-samples", "64"])
    names = {p.stem for p in written}
    assert names == {p.stem for p in (ROOT / "docs" / "img").glob("*.png")}  # docs show every chart
    for path in written:
        pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
        assert pixels.std() > 5, f"{path.name} looks blank"
