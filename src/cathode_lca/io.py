"""Safe output: atomic writes that never overwrite without permission, never through links.

- The target must be a regular file or not exist. Symlinks (dangling ones too), devices,
  pipes and folders are refused, with or without ``--overwrite``.
- Without ``overwrite`` the finished file is linked into place with an exclusive create, so
  of two concurrent runs writing the same name the second fails cleanly.
- A new file gets the mode the umask allows (like ``open(..., "w")``); a replaced file keeps
  its mode.
- Data go to a temporary ``.NAME.PID.XXXX.part`` file in the same folder, removed on any
  failure, on SIGTERM/SIGHUP during the write, and (if its process is gone) by the next
  write to the same name.
- :func:`check_writable` runs before any computation, so a read-only folder, an existing file
  or a device is reported at once, not after minutes of work.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic(d / "out.json", "{}")
>>> (d / "out.json").read_text()
'{}'
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import OutputError, UsageError

_PART = ".part"


def _describe(mode: int) -> str | None:
    """What kind of non-regular file *mode* is (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _existing(target: Path) -> os.stat_result | None:
    """lstat of *target*, None when nothing is there; refuses anything but a regular file."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror}", hint="choose another output path") from None
    kind = _describe(st.st_mode)
    if kind:
        raise OutputError(
            f"'{target}' is {kind}; only regular files are written",
            hint="give the path of a new or existing regular file (links and devices are never written through)",
        )
    return st


def check_writable(path: str | Path, overwrite: bool) -> Path:
    """Check that *path* can be written, before any computation starts.

    Raises :class:`~cathode_lca.errors.UsageError` (exists without *overwrite*) or
    :class:`~cathode_lca.errors.OutputError` (not a regular file, folder missing or read-only).
    """
    target = _file_path(path)
    if _existing(target) is not None and not overwrite:
        raise UsageError(f"'{target}' already exists", hint="pass --overwrite to replace it, or choose another name")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"folder '{folder}' does not exist", hint="create it first")
    try:  # a real probe: access() is wrong for root, ACLs and read-only mounts
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.probe.", suffix=_PART, dir=folder)
    except OSError as exc:
        raise OutputError(
            f"cannot write in folder '{folder}': {exc.strerror}", hint="choose a writable folder for --out"
        ) from None
    os.close(fd)
    os.unlink(probe)
    return target


def _file_path(path: str | Path) -> Path:
    """*path* as a file path; a name that ends with a separator names a folder and is refused.

    ``Path("out/")`` is ``Path("out")``: without this check ``--out results/`` wrote a file called
    ``results`` where the user meant a folder.
    """
    text = os.fspath(path)
    if text.endswith(os.sep) or (os.altsep is not None and text.endswith(os.altsep)):
        raise OutputError(
            f"'{text}' ends with '{os.sep}': it names a folder", hint="give a file name, e.g. out/result.json"
        )
    return Path(text)


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask is process-wide and not thread-safe)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK_LOCK = threading.Lock()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale_parts(target: Path) -> None:
    """Remove ``.NAME.PID.*.part`` files of *target* whose writing process is gone."""
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_PART)):
            continue
        pid_text = name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)


class _Interrupted(BaseException):
    """Raised from a SIGTERM/SIGHUP handler so that temporary files are removed."""


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While writing, turn SIGTERM/SIGHUP into an exception (main thread only), then re-deliver."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        received.append(signum)
        raise _Interrupted(signum)

    names = [s for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s)]
    old: dict[int, Callable | int | None] = {}
    for name in names:
        sig = getattr(signal, name)
        old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)
        if received:
            os.kill(os.getpid(), received[0])  # the original disposition now applies


def write_bytes_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write *data* to *path* through a temporary file, then link (new) or rename (--overwrite) it."""
    target = _file_path(path)
    _clean_stale_parts(target)
    with _signals_raise():
        _write(target, lambda fh: fh.write(data), overwrite)


def write_with(path: str | Path, writer: Callable[[str], None], *, overwrite: bool = False) -> None:
    """Let *writer* fill a temporary file (given its path), then put it in place like :func:`write_bytes_atomic`."""
    target = _file_path(path)
    _clean_stale_parts(target)
    with _signals_raise():
        _write(target, None, overwrite, writer)


def _write(
    target: Path,
    fill: Callable | None,
    overwrite: bool,
    writer: Callable[[str], None] | None = None,
) -> None:
    existing = _existing(target)
    if existing is not None and not overwrite:
        raise UsageError(f"'{target}' already exists", hint="pass --overwrite to replace it, or choose another name")
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_PART, dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            if fill is not None:
                fill(fh)
                fh.flush()
                os.fsync(fh.fileno())
        if writer is not None:
            writer(tmp)
        os.chmod(tmp, mode)
        if overwrite:
            _existing(target)  # still a regular file (or gone)?
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # atomic exclusive create: fails if the name appeared meanwhile
            except FileExistsError:
                raise UsageError(
                    f"'{target}' was created by another process while this one was running",
                    hint="pass --overwrite to replace it, or choose another name",
                ) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                _copy_exclusive(tmp, target, mode)  # file system without hard links
            os.unlink(tmp)
        tmp = None
    except OSError as exc:
        raise OutputError(
            f"cannot write '{target}': {exc.strerror or exc}",
            hint="free disk space, raise the file-size limit, or choose another output path",
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _copy_exclusive(src: str, target: Path, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, mode)
    except FileExistsError:
        raise UsageError(
            f"'{target}' was created by another process while this one was running",
            hint="pass --overwrite to replace it, or choose another name",
        ) from None
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while chunk := inp.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise


def write_text_atomic(path: str | Path, text: str, *, overwrite: bool = False) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)


#: Characters that change how the text around them is shown: bidirectional embeddings, overrides,
#: isolates and marks (Unicode TR9), and the line and paragraph separators.
_FORMATTING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_text(text: str, *, newlines: bool = False) -> str:
    """*text* (a name a user gave) made safe to print in a table, a terminal or a report.

    Control characters (C0, DEL, C1: a CR rewrites the line, ESC drives the terminal, a newline
    forges a line) and bidirectional overrides (U+202E shows "0.118" as "811.0" and runs to the end
    of the line) are shown as visible escapes; every other character, accents and scripts
    included, is kept. *newlines* keeps ``\\n`` for a table cell, where a line break stays inside
    its cell.

    Examples
    --------
    >>> display_text("plant\\rA\\u202e 0.118"), display_text("Usine Lyon-Saint-Exupéry 東京")
    ('plant\\\\rA\\\\u202e 0.118', 'Usine Lyon-Saint-Exupéry 東京')
    """
    if text.isprintable():  # the common case: nothing to replace (bidi marks are not printable)
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n" and newlines:
            out.append(ch)
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in _FORMATTING:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
