"""Crash-safe Brightway exports: build in a staging copy, then swap it in.

A kill (even SIGKILL) at any moment leaves the target project either as it was before or
as the complete new export, never a mix:

1. The target project is copied to a staging project ``<name> (cathode-lca export in progress)``
   (or the staging project starts empty when the target does not exist yet). The export is
   written and verified there; the target is not touched.
2. A completion marker with a random token is written into the staging folder, then a journal
   file (``.cathode-lca-export-<hash>.json`` in the Brightway data folder) records both folders
   and the token.
3. The two project folders are exchanged atomically (Linux ``renameat2(RENAME_EXCHANGE)``;
   elsewhere three renames, which the journal lets the next run finish).
4. The staging project (now holding the old data) and the journal are removed.

Every export first calls :func:`recover`: a journal means the new export was complete, so the
swap is finished; a staging project without a journal is a build that was killed and is
deleted. ``cathode-lca brightway export`` therefore repairs a killed export by itself; the
same repair runs without exporting through :func:`recover`.

Cost: the target project is copied once per export (for a project holding ecoinvent,
about its size on disk, temporarily).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError

STAGING_SUFFIX = " (cathode-lca export in progress)"
MARKER = ".cathode-lca-export.json"


def staging_name(project: str) -> str:
    return project + STAGING_SUFFIX


def _bd() -> Any:
    from .project import import_bw2data

    return import_bw2data()


def _journal_path(bd: Any, project: str) -> Path:
    digest = hashlib.sha256(project.encode()).hexdigest()[:16]
    return Path(bd.projects._base_data_dir) / f".cathode-lca-export-{digest}.json"


def _project_dir(bd: Any, name: str) -> Path | None:
    from bw2data.project import ProjectDataset

    row = ProjectDataset.get_or_none(ProjectDataset.name == name)
    return None if row is None else Path(bd.projects._project_dir(row))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write *path* atomically, never through a link: a fresh temporary file (exclusive create,
    so a planted link is not followed), then a rename, which replaces a link at *path* itself."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _token_in(folder: Path) -> str | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8")).get("token")
    except (OSError, ValueError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders: atomically where the OS can (Linux renameat2), else by three renames."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            _fsync_dir(a.parent)
            return
    trash = a.with_name(a.name + ".cathode-lca-old")
    os.rename(a, trash)  # a kill from here on is finished by recover() (the journal names both)
    os.rename(b, a)
    os.rename(trash, b)
    _fsync_dir(a.parent)


def _delete_project(bd: Any, name: str) -> None:
    """Remove a project's row, data folder and logs folder, whatever project is current."""
    from bw2data.project import ProjectDataset

    row = ProjectDataset.get_or_none(ProjectDataset.name == name)
    if row is None:
        return
    folder = Path(bd.projects._project_dir(row))
    logs = Path(bd.projects._base_logs_dir) / folder.name
    ProjectDataset.delete().where(ProjectDataset.name == name).execute()
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(logs, ignore_errors=True)


def recover(project: str) -> str | None:
    """Finish or discard an export of *project* that was killed; say what was done (None: nothing)."""
    from .arguments import brightway_name, fits_file_names

    brightway_name(project, "project", what="a Brightway project name", example="cathode")
    if not project.strip():
        raise UsageError("empty Brightway project name", hint="give --project NAME")
    if project.endswith(STAGING_SUFFIX):  # the next export to the shorter name would delete it as a killed build
        raise UsageError(
            f"Brightway project name '{project}' ends with '{STAGING_SUFFIX}'",
            hint="that name is the export's staging copy; choose another --project",
        )
    fits_file_names(project, "project", [staging_name(project)])  # its folder's name, and its staging copy's
    bd = _bd()
    staging = staging_name(project)
    journal = _journal_path(bd, project)
    if not journal.exists():
        if staging in bd.projects:
            if bd.projects.current == staging:
                bd.projects.set_current(project if project in bd.projects else "default")
            _delete_project(bd, staging)
            return f"removed the unfinished export to '{project}' (the project is as it was before)"
        return None
    try:
        state = json.loads(journal.read_text(encoding="utf-8"))
        target, source, token = Path(state["target"]), Path(state["staging"]), state["token"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(
            f"the export journal '{journal}' of Brightway project '{project}' is unreadable",
            hint=f"inspect the folders named in it; delete it and the project '{staging}' to keep '{project}' as is",
        ) from None
    trash = target.with_name(target.name + ".cathode-lca-old")
    if _token_in(target) != token:  # not swapped yet, or a three-rename swap was cut short
        if not target.exists() and source.exists() and _token_in(source) == token:
            os.rename(source, target)
            if trash.exists():
                os.rename(trash, source)
        elif target.exists() and _token_in(source) == token:
            _exchange(target, source)
        else:
            raise UsageError(
                f"cannot finish the interrupted export to Brightway project '{project}'",
                hint=f"the complete new export is not in '{source}'; delete '{journal}' and re-run the export",
            )
    shutil.rmtree(trash, ignore_errors=True)
    if bd.projects.current in (staging, project):
        bd.projects.set_current(project)  # the target is in place: (re)open its files
    _delete_project(bd, staging)  # now holds the old data
    journal.unlink(missing_ok=True)
    return f"completed the interrupted export to '{project}'"


@contextlib.contextmanager
def staged(project: str) -> Iterator[str]:
    """Yield the name of a staging project to write into; on success swap it in as *project*.

    On any exception (including KeyboardInterrupt) the staging project is deleted and
    *project* is untouched.
    """
    bd = _bd()
    previous = bd.projects.current
    repaired = recover(project)  # which first checks the name (empty, a staging copy's, too long)
    if repaired:
        print(f"warning: {repaired}", file=sys.stderr)
    staging = staging_name(project)
    try:
        if project in bd.projects:
            bd.projects.set_current(project)
            from bw_processing import safe_filename

            # a folder left by a kill between deleting a staging project's row and its folder
            leftover = Path(bd.projects._base_data_dir) / safe_filename(staging, full=bd.projects.dataset.full_hash)
            shutil.rmtree(leftover, ignore_errors=True)
            bd.projects.copy_project(staging, switch=False)
        yield staging
        bd.projects.set_current(staging)
        source = _project_dir(bd, staging)
        token = uuid.uuid4().hex
        _write_json(source / MARKER, {"token": token, "project": project})  # type: ignore[operator]
        if project not in bd.projects:
            bd.projects.set_current(project)  # an empty project to swap with
        target = _project_dir(bd, project)
        bd.projects.set_current(staging)  # no connection is left open on the target's files
        _write_json(_journal_path(bd, project), {"target": str(target), "staging": str(source), "token": token})
        recover(project)  # the swap itself
    except BaseException:
        with contextlib.suppress(Exception):
            if not _journal_path(bd, project).exists():
                if bd.projects.current == staging:
                    bd.projects.set_current(project if project in bd.projects else previous)
                _delete_project(bd, staging)
        raise
    finally:
        with contextlib.suppress(Exception):
            name = previous if previous in bd.projects and previous != staging else project
            if name in bd.projects:
                bd.projects.set_current(name)  # reopens the swapped-in files
