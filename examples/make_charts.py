"""Write every chart of cathode-lca into a folder (default: docs/img), as PNG and SVG.

Run from the repository root::

    python examples/make_charts.py              # docs/img/*.png
    python examples/make_charts.py OUT --svg    # OUT/*.svg

The PNGs in docs/img are the ones this script produced; the test suite runs it (fast
settings) into a temporary folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cathode_lca import LCAModel, compare
from cathode_lca.comparison import route_demands
from cathode_lca.passport.declaration import declare
from cathode_lca.report import plots
from cathode_lca.uncertainty.monte_carlo import monte_carlo
from cathode_lca.uncertainty.sensitivity import sensitivity
from cathode_lca.uncertainty.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--svg", action="store_true", help="write SVG instead of PNG")
    parser.add_argument("--samples", type=int, default=2000, help="Monte Carlo samples")
    parser.add_argument("--sobol-samples", type=int, default=256, help="Sobol base sample size")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ext = "svg" if args.svg else "png"
    written: list[Path] = []

    def save(fig, name: str) -> None:
        written.append(plots.save_figure(fig, out / f"{name}.{ext}", overwrite=True))

    model = LCAModel()
    ds = compare("NMC811", model=model)
    save(plots.contribution_bars(ds, "gwp100"), "contribution-by-stage")
    save(plots.waterfall(ds, "hydrometallurgical", "gwp100"), "waterfall-hydrometallurgical")

    env = model.parameters.evaluate(dict(feed_chemistry="NMC811", plant_region="US"))
    demands, _ = route_demands(model, "NMC811", ds.route.values.tolist(), "kg-cam", "none", env)
    results = {
        rd.route: model.calculate(rd.demand, methods=["ipcc2021-gwp100"], parameters=dict(feed_chemistry="NMC811"))
        for rd in demands
    }
    save(plots.process_bars(results, "ipcc2021-gwp100"), "contribution-by-process")

    dist = {
        "hydro_recovery_ni": {"type": "uniform", "minimum": 0.85, "maximum": 0.99},
        "cathode_electricity_nmc811": {"type": "triangular", "minimum": 20, "mode": 28.8, "maximum": 40},
        "dist_disassembly_to_preprocessor_mi": {"type": "uniform", "minimum": 100, "maximum": 1000},
    }
    mc = monte_carlo("NMC811", samples=args.samples, seed=1, distributions=dist, model=model, progress=False)
    save(plots.mc_distributions(mc, "gwp100"), "monte-carlo")

    sens = sensitivity(
        "NMC811",
        method="sobol",
        samples=args.sobol_samples,
        seed=0,
        indicators=["gwp100"],
        distributions=dist,
        model=model,
    )
    save(plots.sensitivity_bars(sens, "hydrometallurgical", "gwp100"), "sensitivity-sobol")

    swings = plots.tornado_data(
        "NMC811",
        {
            "hydro_recovery_ni": (0.85, 0.99),
            "cathode_electricity_nmc811": (20.0, 40.0),
            "dist_disassembly_to_preprocessor_mi": (100.0, 1000.0),
        },
        route="hydrometallurgical",
        model=model,
    )
    save(plots.tornado(swings, unit="kg CO2-eq", title="NMC811 hydrometallurgical, GWP100"), "tornado")

    sw1 = sweep("NMC811", {"plant_region": ["US", "CN", "KR", "DE"]}, model=model, progress=False)
    save(plots.sweep_chart(sw1, "gwp100"), "sweep-lines")
    sw2 = sweep(
        "NMC811",
        {"plant_region": ["US", "CN", "KR"], "hydro_recovery_ni": [0.85, 0.9, 0.95, 0.99]},
        routes=["hydrometallurgical", "direct"],
        model=model,
        progress=False,
    )
    save(plots.sweep_chart(sw2, "gwp100"), "sweep-heatmap")

    declaration = declare(str(ROOT / "examples" / "battery-nmc811.yaml"), model=model)
    save(plots.passport_stages(declaration), "passport-stages")
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
