"""Safe output: atomic writes that never overwrite without permission.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic(d / "out.json", "{}")
>>> (d / "out.json").read_text()
'{}'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def check_writable(path: str | Path, overwrite: bool) -> Path:
    target = Path(path)
    if target.exists() and not overwrite:
        raise UsageError(f"'{target}' already exists", hint="pass --overwrite to replace it, or choose another name")
    if not target.parent.exists():
        raise UsageError(f"folder '{target.parent}' does not exist", hint="create it first")
    return target


def write_bytes_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write *data* to *path* through a temporary file and an atomic rename."""
    target = check_writable(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the permissions open() would
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str, *, overwrite: bool = False) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)
