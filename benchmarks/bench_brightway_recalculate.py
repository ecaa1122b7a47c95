"""Time bw2data's ``parameters.recalculate()`` on the exported shipped model (docs/brightway.md).

Exports the shipped inventories into a scratch Brightway folder, then changes one parameter at a
time as the Activity Browser does (save + recalculate) and prints the wall-clock seconds, with
bw2data's own ``recalculate()`` and with :func:`cathode_lca.brightway.project.recalculate` (one
transaction). Not run by the test suite (it takes minutes).

    python benchmarks/bench_brightway_recalculate.py
"""

from __future__ import annotations

import os
import tempfile
import time


def main() -> None:
    os.environ["BRIGHTWAY2_DIR"] = tempfile.mkdtemp(prefix="bench-bw-")
    from cathode_lca.brightway.export import export_to_brightway
    from cathode_lca.brightway.project import import_bw2data, recalculate

    start = time.perf_counter()
    export_to_brightway("bench")
    print(f"export: {time.perf_counter() - start:.1f} s")
    bd = import_bw2data()
    bd.projects.set_current("bench")
    from bw2data.parameters import ActivityParameter, GroupDependency, ParameterizedExchange, ProjectParameter

    print(
        f"{ProjectParameter.select().count()} project parameters, {ActivityParameter.select().count()} activity "
        f"parameters, {ParameterizedExchange.select().count()} formula exchanges, "
        f"{GroupDependency.select().where(GroupDependency.depends == 'project').count()} groups use project parameters"
    )
    edits = [
        ("project parameter plant_region", lambda: ProjectParameter.get(name="plant_region"), (2.0, 0.0)),
        (
            "activity parameter aluminum_greet2022__greet_total_energy",
            lambda: ActivityParameter.get(name="aluminum_greet2022__greet_total_energy"),
            (100.0, 92.2758),
        ),
    ]
    for label, get, values in edits:
        for how, run in (("bw2data recalculate()", bd.parameters.recalculate), ("one transaction", recalculate)):
            param = get()
            param.amount = values[0] if how.startswith("bw2data") else values[1]
            param.save()
            start = time.perf_counter()
            run()
            print(f"{label}, {how}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
