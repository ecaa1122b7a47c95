"""Access to bw2data: the lazy import (its console feedback on stderr) and a project switch.

Shared by the export, the crash-safe staging and the background link, so that none of them
imports another for it.

Examples
--------
>>> bd = import_bw2data()                                  # doctest: +SKIP
>>> with project_context("cathode", create=True):          # doctest: +SKIP
...     pass
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import UsageError

# ---------------------------------------------------------------------------
# bw2data import (lazy; its console feedback goes to stderr so that JSON on stdout stays clean)


def import_bw2data() -> Any:
    """Import bw2data lazily; its log messages go to stderr, warnings only.

    Set the environment variable ``BRIGHTWAY2_DIR`` *before* the first import to use another
    Brightway data directory than the user's default one; one that is not a folder, or that
    bw2data cannot open, is a :class:`UsageError`.
    """
    if "bw2data" not in sys.modules:
        # bw2data raises a bare OSError at import for a BRIGHTWAY2_DIR that is not a folder (a typo)
        base = os.environ.get("BRIGHTWAY2_DIR")
        if base and not os.path.isdir(base):
            raise UsageError(
                f"BRIGHTWAY2_DIR is {base!r}, which is not a folder",
                hint="create that folder, correct the variable, or unset it to use Brightway's default folder",
            )
        # plain logging (not structlog), bound to stderr while importing: stdout stays for results
        os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            try:
                import bw2data  # noqa: F401
            except OSError as exc:  # e.g. its logs folder cannot be created in a read-only BRIGHTWAY2_DIR
                raise UsageError(
                    f"cannot open the Brightway data folder: {exc}",
                    hint="set BRIGHTWAY2_DIR to a writable folder",
                ) from exc
    logging.getLogger("brightway-stdout-feedback").setLevel(logging.WARNING)
    import bw2data

    return bw2data


@contextlib.contextmanager
def project_context(project: str, *, create: bool = False) -> Iterator[bool]:
    """Switch to Brightway *project* and back to the previous one afterwards.

    Yields whether the project was created here. Without *create*, an unknown project is a
    :class:`UsageError`.
    """
    bd = import_bw2data()
    if not project or not project.strip():
        raise UsageError("empty Brightway project name", hint="give --project NAME")
    created = project not in bd.projects
    if created and not create:
        known = sorted(p.name for p in bd.projects)
        raise UsageError(
            f"Brightway project '{project}' does not exist",
            hint="existing projects: "
            + (", ".join(known) if known else "none")
            + " (set BRIGHTWAY2_DIR to use another Brightway data directory)",
        )
    previous = bd.projects.current
    bd.projects.set_current(project)
    try:
        yield created
    finally:
        if bd.projects.current != previous and previous in bd.projects:
            bd.projects.set_current(previous)


@contextlib.contextmanager
def quiet_brightway(verbose: bool = False) -> Iterator[None]:
    """Swallow bw2data/bw2io logs, warnings and progress bars (stderr) unless *verbose*.

    Lines that start with ``warning: `` (cathode-lca's own warnings, e.g. a repaired export)
    are passed on to stderr after the block, also when it fails. stdout is captured too: where
    bw2data was imported before :func:`import_bw2data` (by the user's own code, or another test),
    it logs through structlog, which prints to stdout and would corrupt ``--format json``; nothing
    of ours prints inside the block.
    """
    if verbose:
        yield
        return
    import io

    err = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(err), contextlib.redirect_stdout(err):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)
        for line in err.getvalue().splitlines():
            if line.startswith("warning: "):
                print(line, file=sys.stderr)


def recalculate() -> None:
    """What ``bw2data.parameters.recalculate()`` does, batched, in one transaction per SQLite file.

    Same semantics as bw2data 4 (project, then database, then every expired activity group with
    its dependency chain, bookkeeping and signals; same interpreter, same parameter sets), but each
    expired group's parameter amounts and formula exchanges are read in one query and written in
    one ``executemany`` instead of one query and one commit per row. An exchange formula that
    Brightway cannot evaluate is a :class:`SolverError` naming it, and the transaction leaves every
    amount as it was (bw2data raises the bare error after committing the exchanges before it).
    See docs/brightway.md, "Editing parameters".

    Examples
    --------
    >>> bw2data.projects.set_current("cathode")               # doctest: +SKIP
    >>> recalculate()                                          # doctest: +SKIP
    """
    bd = import_bw2data()
    from bw2data.backends import sqlite3_lci_db
    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ProjectParameter

    _check_values(ProjectParameter, DatabaseParameter, ActivityParameter)
    dirty: set[str] = set()
    with bd.parameters.db.atomic(), sqlite3_lci_db.atomic():
        if ProjectParameter.expired():
            ProjectParameter.recalculate()
        for db in bd.databases:
            if DatabaseParameter.expired(db):
                DatabaseParameter.recalculate(db)
        reserved = {*bd.databases, "project"}
        for _ in range(Group.select().count() + 1):  # a recalculated group may expire groups that use it
            expired = [n for (n,) in Group.select(Group.name).where(Group.fresh == False).tuples()]  # noqa: E712
            expired = [n for n in expired if n not in reserved]
            if not expired:
                break
            for group in expired:
                _recalculate_group(group, dirty)
    for db in sorted(dirty):
        bd.databases.set_dirty(db)


def _check_values(*tables: Any) -> None:
    """Every edited value is finite, within its declared bounds, and a choice code names a choice.

    All three tables: a dataset's own parameter (an activity parameter, e.g. a fraction) is edited
    in the Activity Browser as easily as a project parameter.

    A code outside the choices (or 2.5) matches no ``(plant_region == k)`` term of the exported
    formulas, so every region-dependent amount would silently become 0. Bounds are the ones the
    inventory declares (``cathode-lca bounds`` in the row: a fraction in [0, 1], a non-negative
    amount), as the engine checks them.
    """
    import math

    from ..errors import ParameterError

    for table in tables:
        for row in table.select():
            data = row.dict
            if data.get("formula"):
                continue
            amount, name = data.get("amount"), data.get("name")
            choices = data.get("choices")
            where = f"{table.__name__} '{name}'" + (f" of database '{data['database']}'" if "database" in data else "")
            codes = ", ".join(f"{i} = {c}" for i, c in enumerate(choices or ()))
            hint = f"set it to one of {codes}" if codes else "give a finite number"
            if not isinstance(amount, int | float) or isinstance(amount, bool) or not math.isfinite(amount):
                raise ParameterError(f"{where} has the value {amount!r} (NaN is stored as None)", hint=hint)
            if choices and not (amount == int(amount) and 0 <= amount < len(choices)):
                raise ParameterError(f"{where} is {amount:g}, which is not a choice code", hint=hint)
            lo, hi = data.get("cathode-lca bounds") or (None, None)
            if (lo is not None and amount < lo) or (hi is not None and amount > hi):
                span = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
                raise ParameterError(
                    f"{where} is {amount:g}, outside its declared bounds {span}",
                    hint=f"set it within {span} (the bounds of '{data.get('cathode-lca key', name)}' in the inventory)",
                )


def _recalculate_group(group: str, dirty: set[str]) -> None:
    """bw2data's ``ActivityParameter.recalculate(group)`` with batched reads and writes."""
    from bw2data.parameters import (
        ActivityParameter,
        DatabaseParameter,
        Group,
        GroupDependency,
        ParameterSet,
        ProjectParameter,
        get_interpreter,
    )
    from bw2data.signals import on_activity_parameter_recalculate

    if not ActivityParameter.expired(group):
        return
    data = ActivityParameter.load(group)
    chain = _dependency_chain(group, data)
    if chain:  # bw2data's bookkeeping: the group's order and dependencies follow its formulas
        obj = Group.get(name=group)
        obj.order = [o["group"] for o in chain if o["kind"] == "activity"]
        obj.save()
        GroupDependency.delete().where(GroupDependency.group == group).execute()
        GroupDependency.insert_many([{"group": group, "depends": o["group"]} for o in chain]).execute()
    for row in chain[::-1]:
        if row["kind"] == "activity":
            _recalculate_group(row["group"], dirty)
        elif row["kind"] == "database":
            DatabaseParameter.recalculate(row["group"])
        else:
            ProjectParameter.recalculate()

    if not data:
        Group.get(name=group).freshen()
        return
    known = ActivityParameter._static_dependencies(group)
    needed: set[str] = set()
    interpreter = get_interpreter()
    for record in data.values():
        if record.get("formula"):
            needed |= interpreter.get_symbols(record["formula"])
    static = {k: v for k, v in known.items() if k not in data and k in needed}  # the same values, fewer to order
    ParameterSet(data, static, interpreter=interpreter).evaluate_and_set_amount_field()
    connection = ActivityParameter._meta.database.connection()
    connection.executemany(
        'UPDATE activityparameter SET amount = ? WHERE "group" = ? AND name = ?',
        [(record["amount"], group, name) for name, record in data.items()],
    )
    Group.get(name=group).freshen()
    ActivityParameter.expire_downstream(group)
    database = next(iter(data.values()))["database"]
    _recalculate_exchanges(group, {**known, **{name: record["amount"] for name, record in data.items()}})
    dirty.add(database)
    on_activity_parameter_recalculate.send(ActivityParameter, name=group)


def _dependency_chain(group: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """bw2data's ``ActivityParameter.dependency_chain(group)`` for the group's *data*.

    The same search (other groups in the group's order, then database, then project parameters),
    with the variable names read by Python's ``ast`` (as asteval's ``NameFinder`` reads them) in one
    pass, instead of asteval's slower parse of every formula twice.
    """
    import ast

    from bw2data.parameters import ActivityParameter, DatabaseParameter, Group, ProjectParameter, get_interpreter
    from bw2data.parameters import ParameterizedExchange as PE
    from bw2parameters.errors import MissingName

    if not data:
        return []
    formulas = [r["formula"] for r in data.values() if r.get("formula")]
    formulas += [f for (f,) in PE.select(PE.formula).where(PE.group == group).tuples()]
    needed = {node.id for f in formulas for node in ast.walk(ast.parse(f)) if isinstance(node, ast.Name)}
    needed -= set(get_interpreter().symtable) | set(data)
    chain: list[dict[str, Any]] = []
    if not needed:
        return chain
    for other in Group.get(name=group).order:
        names = set(ActivityParameter.static(other, only=needed))
        needed -= names
        if names:
            chain.append({"kind": "activity", "group": other, "names": names})
    database = next(iter(data.values()))["database"]
    names = set(DatabaseParameter.static(database, only=needed)) if needed else set()
    if names:  # a name of both kinds is the database's
        needed -= names
        chain.append({"kind": "database", "group": database, "names": names})
    names = set(ProjectParameter.static(only=needed)) if needed else set()
    if names:
        needed -= names
        chain.append({"kind": "project", "group": "project", "names": names})
    if needed:
        raise MissingName("The following variables aren't defined:\n{}".format("|".join(sorted(needed))))
    return chain


def _recalculate_exchanges(group: str, symbols: dict[str, Any]) -> None:
    """Every formula exchange of *group* at *symbols*: one read, one ``executemany`` write."""
    from bw2data.backends import ExchangeDataset as ED
    from bw2data.backends import sqlite3_lci_db
    from bw2data.parameters import ParameterizedExchange as PE
    from bw2data.parameters import get_interpreter

    from ..errors import SolverError

    interpreter = get_interpreter()
    interpreter.symtable.update(symbols)
    formulas = dict(PE.select(PE.exchange, PE.formula).where(PE.group == group).tuples())
    ids = list(formulas)
    rows = []
    for start in range(0, len(ids), 500):  # SQLite's limit on bound variables
        for exc_id, exc in ED.select(ED.id, ED.data).where(ED.id << ids[start : start + 500]).tuples():
            try:
                amount = interpreter(formulas[exc_id])
            except Exception as error:  # asteval raises the formula's own error (ZeroDivisionError, ...)
                raise SolverError(
                    f"Brightway cannot evaluate the formula '{formulas[exc_id]}' of an exchange of "
                    f"{exc.get('output')} in parameter group '{group}' ({type(error).__name__}: {error})",
                    hint="correct the formula or the parameter it names; no amount was changed",
                ) from None
            exc["amount"] = amount
            rows.append((ED.data.db_value(exc), exc_id))
    sqlite3_lci_db.db.connection().executemany("UPDATE exchangedataset SET data = ? WHERE id = ?", rows)
