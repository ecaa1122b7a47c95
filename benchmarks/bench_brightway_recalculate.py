"""Time parameter recalculation on the exported shipped model (docs/brightway.md, "Editing parameters").

Exports the shipped inventories into a scratch Brightway folder, then changes one parameter at a
time as the Activity Browser does (``save()``, then recalculate) and prints the CPU seconds
(``time.process_time``) and wall-clock seconds, best of *repeats*, for bw2data's own
``parameters.recalculate()`` and for :func:`cathode_lca.brightway.project.recalculate` (batched,
one transaction), with the load average. Not run by the test suite (it takes a few minutes).

    python benchmarks/bench_brightway_recalculate.py [repeats]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def main(repeats: int = 3) -> None:
    os.environ["BRIGHTWAY2_DIR"] = tempfile.mkdtemp(prefix="bench-bw-")
    from cathode_lca.brightway.export import export_to_brightway
    from cathode_lca.brightway.project import import_bw2data, recalculate

    start = time.perf_counter()
    export_to_brightway("bench")
    print(f"export: {time.perf_counter() - start:.1f} s")
    bd = import_bw2data()
    bd.projects.set_current("bench")
    from bw2data.parameters import (
        ActivityParameter,
        DatabaseParameter,
        Group,
        GroupDependency,
        ParameterizedExchange,
        ProjectParameter,
    )

    on_project = GroupDependency.select().where(GroupDependency.depends == "project").count()
    print(
        f"{ProjectParameter.select().count()} project parameters, {DatabaseParameter.select().count()} database "
        f"parameters, {ActivityParameter.select().count()} activity parameters in "
        f"{Group.select().count() - 2} groups, {ParameterizedExchange.select().count()} formula exchanges; "
        f"{on_project} groups depend on project parameters"
    )
    shared = "cathode-lca foreground:uses project parameters"
    own = ActivityParameter.get(name="aluminum_greet2022__greet_total_energy")
    in_shared = (
        ActivityParameter.select()
        .where((ActivityParameter.group == shared) & ActivityParameter.formula.is_null())
        .order_by(ActivityParameter.name)
        .first()
    )
    edits: list[tuple[str, Callable[[], Any], tuple[float, float]]] = [
        ("project parameter plant_region", lambda: ProjectParameter.get(name="plant_region"), (2.0, 0.0)),
        (
            "database parameter background_electricity__ghg_coal",
            lambda: DatabaseParameter.get(name="background_electricity__ghg_coal"),
            (900.0, 820.0),
        ),
        (f"activity parameter {own.name} (own group)", lambda: ActivityParameter.get(id=own.id), (100.0, 92.2758)),
    ]
    if in_shared is not None:
        amount = float(in_shared.amount)
        edits.append(
            (
                f"activity parameter {in_shared.name} (group 'uses project parameters')",
                lambda: ActivityParameter.get(id=in_shared.id),
                (amount * 1.1, amount),
            )
        )
    for label, get, values in edits:
        for how, run in (
            ("bw2data recalculate()", bd.parameters.recalculate),
            ("cathode-lca recalculate()", recalculate),
        ):
            cpu, wall = [], []
            for i in range(repeats):
                param = get()
                param.amount = values[i % 2]
                param.save()
                c, w = time.process_time(), time.perf_counter()
                run()
                cpu.append(time.process_time() - c)
                wall.append(time.perf_counter() - w)
            param = get()
            if param.amount != values[1]:  # back to the exported value for the next method
                param.amount = values[1]
                param.save()
                recalculate()
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"{label}, {how}: CPU {min(cpu):.2f} s, wall {min(wall):.2f} s (best of {repeats}; load {load})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
