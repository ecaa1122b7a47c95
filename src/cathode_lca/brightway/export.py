"""Export the inventories to a Brightway 2.5 (bw2data) project, with parameters and methods.

Three databases are written into the project:

* ``<prefix> biosphere`` — our elementary flows without an exact twin in ``biosphere3`` (code =
  flow id); the others are linked to their biosphere3 UUIDs (:mod:`.biosphere`), and
  ``biosphere3`` is created from bw2io's offline list when the project lacks it;
* ``<prefix> background`` — datasets whose amounts are all numbers and that declare no parameters;
* ``<prefix> foreground`` — datasets with formulas or parameters. Their exchanges keep their formulas,
  and every parameter is written as a Brightway parameter, so the model stays editable in the
  Activity Browser.

Parameters, one place per scope: global parameters become *project parameters* (their own names,
e.g. ``plant_region``: no database parameter shadows them), file-scope parameters *database
parameters* of the foreground database (prefixed ``<file id>__``), dataset parameters *activity
parameters* on their dataset's activity (prefixed ``<dataset id>__``), in the group
``<foreground database>:<dataset id>``; every dataset whose formulas use a database parameter is
in the one group ``<foreground database>:uses database parameters``, every other one that uses a
project parameter in ``<foreground database>:uses project parameters`` (bw2data recalculates per
group: a global change is then two groups' work, a database-parameter change one group's).
A dataset with formulas but no parameters gets one real activity parameter,
``<dataset id>__reference_output`` (its production amount), instead of bw2data's
``__dummy_<uuid>__`` placeholder.
Choice parameters become numeric codes (index into their ``choices``, listed in the parameter's
data); lookup tables become nested ``x if code == i else ...`` formulas.

Multi-output datasets are exported with the chosen allocation applied: one activity per
allocated column (code = product id); the co-product activities are named
``<product> (co-product)`` and say in ``cathode-lca co-product`` whether they are allocated,
burden-free or a substitution. Every method in ``methods/`` is registered as
``(<prefix>, <method id>)``, and under its bw2io/ecoinvent name where it is the same method
(:data:`.biosphere.STANDARD_METHODS`).

The export is transactional: databases, parameter groups and methods that already exist are
refused unless *overwrite*; with *overwrite* they are backed up in memory first. Any failure
removes everything written and restores the backups. It is also crash-safe: it is written into
a staging copy of the project and swapped in when complete (:mod:`.staging`), so a kill leaves
the old project or the complete new one.

Examples
--------
>>> report = export_to_brightway("my project")            # doctest: +SKIP
>>> report.databases                                       # doctest: +SKIP
('cathode-lca biosphere', 'cathode-lca background', 'cathode-lca foreground')
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import CathodeLCAError, SolverError, UsageError
from .biosphere import BIOSPHERE3, BIOSPHERE3_SOURCE, check_twins, ensure_biosphere3
from .plan import VERIFY_RTOL, ExportPlan, ExportReport, plan_export
from .project import project_context, quiet_brightway

if TYPE_CHECKING:
    from ..lca import LCAModel

# ---------------------------------------------------------------------------
# Writing, transactionally


@dataclass
class _Snapshot:
    """In-memory copy of an existing database (or method) that the export replaces."""

    kind: str  # "database" | "method"
    name: Any
    metadata: dict[str, Any]
    data: Any
    database_parameters: list[dict[str, Any]] = field(default_factory=list)
    activity_parameters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    group_activities: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def export_to_brightway(
    project: str,
    model: LCAModel | None = None,
    *,
    prefix: str = "cathode-lca",
    allocation: str = "none",
    overwrite: bool = False,
    methods: Sequence[Any] | None = None,
    biosphere: str | None = BIOSPHERE3,
    verbose: bool = False,
) -> ExportReport:
    """Write *model* (default: the shipped inventories) into Brightway *project* (created if needed).

    Parameters
    ----------
    project
        bw2data project name.
    prefix
        Database names are ``<prefix> biosphere``, ``<prefix> background``, ``<prefix> foreground``;
        methods are ``(<prefix>, <method id>)``.
    allocation
        Allocation applied to multi-output datasets (one activity per allocated column).
    overwrite
        Replace existing databases, parameter groups and methods of these names. Without it,
        any of them existing is a :class:`UsageError` and nothing is written.
    methods
        Method ids (default: every shipped method).
    biosphere
        Biosphere database to link flows with an exact twin to (:mod:`.biosphere`); ``biosphere3``
        is created from bw2io's offline list when the project lacks it. ``None``: every flow goes
        to ``<prefix> biosphere`` and only our own method names are registered.
    verbose
        Let bw2data print its logs and progress bars (by default they are swallowed; warnings of
        the export itself are printed on stderr either way).

    Examples
    --------
    >>> export_to_brightway("cathode", overwrite=True).databases   # doctest: +SKIP
    ('cathode-lca biosphere', 'cathode-lca background', 'cathode-lca foreground')
    """
    from . import arguments
    from .staging import staged

    arguments.brightway_name(project, "project", what="a Brightway project name", example="cathode")
    overwrite = arguments.flag(overwrite, "overwrite")
    verbose = arguments.flag(verbose, "verbose")
    with quiet_brightway(verbose):
        plan = plan_export(model, prefix=prefix, allocation=allocation, methods=methods, biosphere=biosphere)
        # crash-safe: written into a staging copy, swapped in only when complete (see staging.py)
        with staged(project) as staging, project_context(staging, create=True):
            notes = write_plan(plan, project, overwrite=overwrite)
    return ExportReport(
        project=project,
        databases=plan.databases,
        activities={db: len(plan.data[db]) for db in plan.databases},
        parameters=len(plan.project_parameters)
        + len(plan.database_parameters)
        + sum(len(v) for v in plan.activity_parameters.values()),
        groups=len(plan.groups),
        methods=list(plan.methods),
        allocation=plan.allocation,
        metadata=dict(plan.metadata),
        linked_biosphere=plan.linked_biosphere,
        linked_flows=len(plan.flow_links),
        notes=notes,
    )


def write_plan(plan: ExportPlan, project: str, *, overwrite: bool = False) -> list[str]:
    """Write *plan* into the current Brightway project; on any failure undo everything.

    Existing databases, parameter groups or methods of the plan's names are a
    :class:`UsageError` unless *overwrite*; then they are backed up in memory and restored
    if the export fails. A standard-named method that cathode-lca did not write (e.g. ecoinvent's
    IPCC 2021) is never replaced: it is kept, and a note says how its factors compare with ours.
    Returns these notes.
    """
    from bw2data import databases, methods

    notes = _keep_foreign_standard_methods(plan)
    conflicts = [f"database '{d}'" for d in plan.databases if d in databases]
    conflicts += [f"method {m}" for m in plan.methods if m in methods]
    groups = _existing_groups(plan)
    if groups:
        conflicts.append(f"{len(groups)} parameter group(s) such as '{groups[0]}'")
    existing_params = _existing_project_parameters(plan)
    differing = [
        r["name"]
        for r in plan.project_parameters
        if r["name"] in existing_params and not _same_parameter(existing_params[r["name"]], r)
    ]
    if differing:
        conflicts.append(f"{len(differing)} different project parameter(s) such as '{differing[0]}'")
    if conflicts and not overwrite:
        shown = conflicts[:4] + ([f"{len(conflicts) - 4} more"] if len(conflicts) > 4 else [])
        raise UsageError(
            f"Brightway project '{project}' already has " + ", ".join(shown),
            hint="pass --overwrite (overwrite=True) to replace them, or choose another --prefix",
        )
    snapshots = [_snapshot_database(d) for d in plan.databases if d in databases]
    snapshots += [_snapshot_method(m) for m in plan.methods if m in methods]
    if existing_params:
        snapshots.append(_Snapshot("project parameters", None, {}, list(existing_params.values())))
    created: list[str] = []
    try:
        if plan.linked_biosphere is not None:
            if ensure_biosphere3(plan.linked_biosphere):
                created.append(plan.linked_biosphere)
                notes.append(f"created '{plan.linked_biosphere}' from bw2io's offline list ({BIOSPHERE3_SOURCE})")
            check_twins(plan.linked_biosphere, plan.flow_links)
        _remove(plan)
        _write_databases(plan)
        _write_parameters(plan)
        _register_methods(plan)
        _verify(plan)
    except BaseException as exc:
        _rollback(plan, snapshots, created)
        if isinstance(exc, (CathodeLCAError, KeyboardInterrupt, SystemExit)):
            raise
        raise UsageError(
            f"the export to Brightway project '{project}' failed and was rolled back ({type(exc).__name__}: {exc})",
            hint="close other programs that use the project (e.g. the Activity Browser) and try again; "
            "if it persists, report it with the inventory hash",
        ) from exc
    return notes


def _keep_foreign_standard_methods(plan: ExportPlan) -> list[str]:
    """Drop from *plan* the standard-named methods the project already has from elsewhere; say so.

    Elsewhere: not written by cathode-lca (e.g. ecoinvent's), or by an export with another prefix.
    """
    from bw2data import Method, get_node, methods

    notes = []
    for name, ours in list(plan.standard_methods.items()):
        if name not in methods:
            continue
        alias_of = methods[name].get("cathode-lca alias of")
        if alias_of is not None and tuple(alias_of) == ours:
            continue  # written by an export with this prefix: the usual --overwrite rule applies
        _meta, cfs = plan.methods.pop(name)
        del plan.standard_methods[name]
        if alias_of is not None:
            notes.append(
                f"kept {name} as written by the export with prefix '{alias_of[0]}' (it uses that export's "
                f"supplementary biosphere); {ours} is this export's"
            )
            continue
        theirs = {}
        for row in Method(name).load():
            flow = row[0]
            theirs[get_node(id=flow).key if isinstance(flow, int) else tuple(flow)] = float(row[1])
        differ = [f"{key[1]} ({value} here, {theirs.get(key)} there)" for key, value in cfs if theirs.get(key) != value]
        notes.append(
            f"kept the project's own method {name} (not written by cathode-lca); "
            + (
                "its factors on our flows equal ours"
                if not differ
                else f"it lacks or differs on {len(differ)} of our flows: "
                + "; ".join(differ)
                + f" - use {ours} for cathode-lca's factors"
            )
        )
    return notes


def _existing_project_parameters(plan: ExportPlan) -> dict[str, dict[str, Any]]:
    """The project's parameters that have the names of the plan's project parameters, as records."""
    from bw2data.parameters import ProjectParameter

    names = [r["name"] for r in plan.project_parameters]
    return {
        r.name: {"name": r.name, "amount": r.amount, "formula": r.formula, **r.data}
        for r in ProjectParameter.select().where(ProjectParameter.name << names)
    }


def _same_parameter(existing: dict[str, Any], record: dict[str, Any]) -> bool:
    """An existing project parameter equals ours (e.g. written by an export with another prefix)."""
    keys = ("amount", "formula", "cathode-lca key", "choices")
    return all(existing.get(k) == record.get(k) for k in keys)


def _existing_groups(plan: ExportPlan) -> list[str]:
    from bw2data.parameters import ActivityParameter, Group

    ours = set(plan.groups)
    ours.update(
        g
        for (g,) in ActivityParameter.select(ActivityParameter.group)
        .where(ActivityParameter.database == plan.foreground)
        .tuples()
    )
    return sorted(g for g in ours if Group.select().where(Group.name == g).exists())


def _remove(plan: ExportPlan) -> None:
    """Delete the plan's databases, groups and methods (used before writing and on rollback)."""
    from bw2data import Database, databases, methods
    from bw2data.parameters import ActivityParameter, Group, GroupDependency, ParameterizedExchange

    groups = _existing_groups(plan)
    for name in plan.databases:
        if name in databases:
            del databases[name]
        else:
            Database(name).delete(warn=False, vacuum=False, signal=False)
    if groups:
        ParameterizedExchange.delete().where(ParameterizedExchange.group << groups).execute()
        ActivityParameter.delete().where(ActivityParameter.group << groups).execute()
    names = groups + list(plan.databases)
    GroupDependency.delete().where(GroupDependency.group << names).execute()
    Group.delete().where(Group.name << names).execute()
    for method_name in plan.methods:
        if method_name in methods:
            _delete_method(method_name)


def _delete_method(name: tuple[str, ...]) -> None:
    from bw2data import Method, projects

    method = Method(name)
    files = [projects.dir / "intermediate" / (method.filename + ".pickle")]
    with contextlib.suppress(Exception):
        files.append(method.dirpath_processed() / method.filename_processed())
    method.deregister()
    for path in files:
        path.unlink(missing_ok=True)


def _write_databases(plan: ExportPlan) -> None:
    import copy

    from bw2data import Database

    for name in plan.databases:
        db = Database(name)
        db.register(
            format="cathode-lca export",
            description=f"cathode-lca {__version__} export ({plan.allocation} allocation)",
            cathode_lca=dict(plan.metadata),
        )
        data = copy.deepcopy(plan.data[name])
        for act in data.values():
            for exc in act["exchanges"]:
                if "formula" in exc:
                    exc["original_amount"] = exc["amount"]
        db.write(data, process=False, check_typos=False)
    for name in plan.databases:
        Database(name).process()


def _write_parameters(plan: ExportPlan) -> None:
    import copy

    from bw2data import Database, parameters
    from bw2data.backends import sqlite3_lci_db
    from bw2data.parameters import ActivityParameter, DatabaseParameter, ProjectParameter

    # one transaction per SQLite file: much faster than a commit per row, and all-or-nothing
    with sqlite3_lci_db.atomic(), parameters.db.atomic():
        if plan.project_parameters:
            parameters.new_project_parameters(copy.deepcopy(plan.project_parameters))
        if plan.database_parameters:
            parameters.new_database_parameters(copy.deepcopy(plan.database_parameters), plan.foreground)
        for group, records in plan.activity_parameters.items():
            parameters.new_activity_parameters(copy.deepcopy(records), group)
        for group, keys in plan.group_activities.items():
            parameterize_exchanges(group, keys)
        ProjectParameter.recalculate()
        DatabaseParameter.recalculate(plan.foreground)
        for group in plan.groups:
            ActivityParameter.recalculate(group)
    Database(plan.foreground).process()


def parameterize_exchanges(group: str, keys: Sequence[tuple[str, str]]) -> None:
    """Put the formula exchanges of the activities *keys* into activity group *group*.

    What ``bw2data.parameters.add_exchanges_to_group`` does, without its ``__dummy_<uuid>__``
    parameter for activities that own no parameter: the group's own parameters suffice for
    bw2data to recalculate them.
    """
    from bw2data.backends import ExchangeDataset as ED
    from bw2data.parameters import ParameterizedExchange as PE

    for database, code in keys:
        rows = ED.select(ED.id, ED.data).where((ED.output_database == database) & (ED.output_code == code))
        for exc_id, data in rows.tuples():
            if "formula" in data:
                PE.delete().where(PE.exchange == exc_id).execute()
                PE(exchange=exc_id, group=group, formula=data["formula"]).save()


def _register_methods(plan: ExportPlan) -> None:
    from bw2data import Method

    for name, (meta, cfs) in plan.methods.items():
        method = Method(name)
        method.register(**meta)
        method.write(cfs)


def _verify(plan: ExportPlan) -> None:
    """Amounts Brightway computed from the formulas equal ours (relative 1e-9)."""
    from bw2data.backends import ExchangeDataset

    expected: dict[tuple[Any, ...], float] = {}
    for key, act in plan.data[plan.foreground].items():
        for exc in act["exchanges"]:
            if "formula" in exc:
                expected[(key[1], tuple(exc["input"]), exc["type"], exc["formula"])] = exc["amount"]
    rows = ExchangeDataset.select(ExchangeDataset.data).where(ExchangeDataset.output_database == plan.foreground)
    seen = 0
    for (data,) in rows.tuples():
        if "formula" not in data:
            continue
        ident = (data["output"][1], tuple(data["input"]), data["type"], data["formula"])
        want = expected.get(ident)
        got = data.get("amount")
        if want is None or got is None or abs(float(got) - want) > VERIFY_RTOL * max(1.0, abs(want)):
            raise SolverError(
                f"Brightway computed {got!r} for an exchange of '{ident[0]}' ({ident[1][1]}), cathode-lca {want!r}",
                hint="report this as a bug with the inventory hash",
            )
        seen += 1
    if seen != sum(1 for a in plan.data[plan.foreground].values() for e in a["exchanges"] if "formula" in e):
        raise SolverError("Brightway lost parameterised exchanges during the export", hint="report this as a bug")


# -- backups for --overwrite ------------------------------------------------------------


def _snapshot_database(name: str) -> _Snapshot:
    import copy

    from bw2data import Database, databases
    from bw2data.backends import ExchangeDataset
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ParameterizedExchange

    db_params = [
        {"name": r.name, "amount": r.amount, "formula": r.formula, **r.data}
        for r in DatabaseParameter.select().where(DatabaseParameter.database == name)
    ]
    act_params: dict[str, list[dict[str, Any]]] = {}
    for r in ActivityParameter.select().where(ActivityParameter.database == name):
        act_params.setdefault(r.group, []).append(
            {"name": r.name, "database": r.database, "code": r.code, "amount": r.amount, "formula": r.formula, **r.data}
        )
    group_activities: dict[str, list[tuple[str, str]]] = {}
    for group in act_params:
        ids = [pe.exchange for pe in ParameterizedExchange.select().where(ParameterizedExchange.group == group)]
        outputs = {
            (e.output_database, e.output_code) for e in ExchangeDataset.select().where(ExchangeDataset.id << ids)
        }
        group_activities[group] = sorted(outputs)
    order = {g.name: list(g.order) for g in Group.select().where(Group.name << list(act_params))}
    metadata = copy.deepcopy(dict(databases[name]))
    metadata["cathode-lca group order"] = order
    return _Snapshot("database", name, metadata, Database(name).load(), db_params, act_params, group_activities)


def _snapshot_method(name: tuple[str, ...]) -> _Snapshot:
    import copy

    from bw2data import Method, get_node, methods

    rows = []
    for row in Method(name).load():  # bw2data 4 stores flows as node ids, which a rewrite changes: keep keys
        flow = row[0]
        key = get_node(id=flow).key if isinstance(flow, int) else tuple(flow)
        rows.append((key, *row[1:]))
    return _Snapshot("method", name, copy.deepcopy(dict(methods[name])), rows)


def _restore(snapshots: list[_Snapshot]) -> None:
    from bw2data import Database, Method, parameters
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group

    for snap in snapshots:  # first: restored database parameters may use them
        if snap.kind == "project parameters":
            parameters.new_project_parameters([dict(r) for r in snap.data])
    dbs = [s for s in snapshots if s.kind == "database"]
    for snap in dbs:
        meta = {k: v for k, v in snap.metadata.items() if k not in ("cathode-lca group order", "number", "dirty")}
        db = Database(snap.name)
        db.register(**meta)
        db.write(snap.data, process=False, check_typos=False)
    for snap in dbs:
        Database(snap.name).process()
    for snap in dbs:
        if snap.database_parameters:
            parameters.new_database_parameters([dict(p) for p in snap.database_parameters], snap.name)
        for group, records in snap.activity_parameters.items():
            parameters.new_activity_parameters([dict(r) for r in records], group)
            obj = Group.get(name=group)
            obj.order = snap.metadata["cathode-lca group order"].get(group, [])
            obj.save()
            parameterize_exchanges(group, snap.group_activities.get(group, []))
        if snap.database_parameters:
            DatabaseParameter.recalculate(snap.name)
        for group in snap.activity_parameters:
            ActivityParameter.recalculate(group)
        Database(snap.name).process()
    for snap in snapshots:
        if snap.kind == "method":
            method = Method(snap.name)
            method.register(**snap.metadata)
            method.write(snap.data)


def _rollback(plan: ExportPlan, snapshots: list[_Snapshot], created: Sequence[str] = ()) -> None:
    """Remove what the failed export wrote (including a biosphere it created), then put back what it replaced."""
    from bw2data import databases
    from bw2data.parameters import ProjectParameter

    try:
        _remove(plan)
        names = [r["name"] for r in plan.project_parameters]
        ProjectParameter.delete().where(ProjectParameter.name << names).execute()
        for name in created:
            if name in databases:
                del databases[name]
    finally:
        _restore(snapshots)
