"""A parsed-inventory cache in the user's cache folder, so repeated CLI calls start fast.

The key is the package version plus the content hash of every file named on the command
line (or found in the folders given). A cached entry also records the hash of every file
that was read (includes too) and is used only if all of them are unchanged.

Safety (the cache folder is a place other local users might try to write to):

- Entries are plain JSON (a header line, then the payload), never pickle: reading one cannot
  run code. Only the inventory's own record types are rebuilt, from a fixed list; formulas
  are stored as text and parsed again by the safe formula parser.
- The header records the SHA-256 of the payload, the key and the package version; an entry
  whose payload does not match is ignored. The inventory's content hash is recomputed from
  the files on disk, so a cached model can never print a hash it was not built from.
- The folder is created with mode 0700 (whatever the umask). A folder or entry that belongs
  to another user, is a symlink (entries), or is writable by group or others is not used: a
  warning is printed once and the inventory is parsed from the files. Caching never makes a
  command fail.
- Writes go through a temporary file that is removed on any failure; old entries (beyond
  :data:`MAX_ENTRIES`, or unused for :data:`MAX_AGE_DAYS`) and stale temporary files are evicted.

Environment: ``CATHODE_LCA_CACHE_DIR`` (folder; default ``$XDG_CACHE_HOME/cathode-lca`` or
``~/.cache/cathode-lca``) and ``CATHODE_LCA_NO_CACHE=1`` (disable).

Examples
--------
>>> decode(encode({"a": (1, 2.5)}))
{'a': (1, 2.5)}
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .. import __version__

FORMAT = 2
MAX_ENTRIES = 8
MAX_AGE_DAYS = 30
MAX_ENTRY_BYTES = 256 * 1024 * 1024
_STALE_TMP_SECONDS = 3600
_warned: set[str] = set()


def enabled() -> bool:
    return os.environ.get("CATHODE_LCA_NO_CACHE", "") not in ("1", "true", "yes")


def cache_dir() -> Path:
    if os.environ.get("CATHODE_LCA_CACHE_DIR"):
        return Path(os.environ["CATHODE_LCA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cathode-lca"


def _file_hash(path: Path) -> str:
    if not path.is_file():  # never hash /dev/zero or a pipe named in a (corrupt) entry
        raise OSError(f"not a regular file: {path}")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def key_for(files: list[Path]) -> str | None:
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    try:
        for path in files:
            digest.update(str(path.resolve()).encode() + b"\0" + _file_hash(path).encode() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _warn(folder: Path, why: str) -> None:
    if str(folder) in _warned:
        return
    _warned.add(str(folder))
    print(
        f"warning: not using the inventory cache folder '{folder}': {why}. "
        f"Fix: remove it or run 'chmod 700 {folder}' as its owner (or set CATHODE_LCA_NO_CACHE=1)",
        file=sys.stderr,
    )


def _unsafe(st: os.stat_result) -> str | None:
    """Why a folder or file with this stat must not be trusted (None: it is safe)."""
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"it belongs to another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"it is writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def _safe_folder(create: bool) -> Path | None:
    """The cache folder if it is ours and private (created 0700 when *create*), else None."""
    folder = cache_dir()
    try:
        if create and not folder.exists():
            _mkdirs(folder)
        st = folder.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        _warn(folder, "it is not a folder")
        return None
    why = _unsafe(st)
    if why:
        _warn(folder, why)
        return None
    return folder


def _mkdirs(folder: Path) -> None:
    missing = []
    path = folder
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask; 0700 is never widened by it


# ---------------------------------------------------------------------------
# a JSON encoding of the inventory's record types (no code, a fixed list of classes)


def _classes() -> dict[str, type]:
    from .schema import Dataset, Exchange, Flow, Inventory, Location, Parameter, Product

    return {c.__name__: c for c in (Inventory, Parameter, Flow, Dataset, Product, Exchange, Location)}


def encode(obj: Any) -> Any:
    """Turn an inventory (or any of its parts) into JSON-ready data with explicit type tags.

    Every JSON object written is a one-key or two-key tag (``X`` formula text, ``T`` tuple,
    ``L`` list, ``D`` mapping as key/value pairs, ``C``/``F`` record and its fields), so the
    decoder never has to guess what a mapping means.
    """
    from .formulas import Formula

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, Formula):
        return {"X": obj.text}
    if isinstance(obj, tuple):
        return {"T": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return {"L": [encode(v) for v in obj]}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError("only text keys can be cached")
        return {"D": [[k, encode(v)] for k, v in obj.items()]}
    if dataclasses.is_dataclass(obj) and type(obj).__name__ in _classes():
        fields = [[f.name, encode(getattr(obj, f.name))] for f in dataclasses.fields(obj)]
        return {"C": type(obj).__name__, "F": fields}
    raise TypeError(f"cannot cache a {type(obj).__name__}")


def _decoder() -> Any:
    from .formulas import parse_formula

    classes = _classes()

    def pairs(items: Any) -> dict[str, Any]:
        if not isinstance(items, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in items
        ):
            raise ValueError("malformed cache entry")
        return dict(items)

    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            tag, value = next(iter(obj.items()))
            if tag == "X" and isinstance(value, str):
                return parse_formula(value)
            if tag == "T" and isinstance(value, list):
                return tuple(value)
            if tag == "L" and isinstance(value, list):
                return value
            if tag == "D":
                return pairs(value)
        elif len(obj) == 2 and obj.keys() == {"C", "F"} and obj["C"] in classes:
            return classes[obj["C"]](**pairs(obj["F"]))
        raise ValueError("malformed cache entry")

    return hook


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`; raises ``ValueError`` on anything it did not write."""
    return json.loads(json.dumps(data), object_hook=_decoder())


def _loads(payload: bytes) -> Any:
    return json.loads(payload, object_hook=_decoder())


# ---------------------------------------------------------------------------
# entries


def _entry_path(folder: Path, key: str) -> Path:
    return folder / f"inventory-{key}.json"


def _read_entry(path: Path) -> bytes | None:
    """The bytes of an entry file if it is a regular file that is ours and private."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            return None
        why = _unsafe(st)
        if why:
            _warn(path, why)
            return None
        return fh.read(MAX_ENTRY_BYTES + 1)


def _recomputed_hash(inventory: Any) -> str:
    digest = hashlib.sha256()
    for file_id, file in inventory.files.items():
        if not Path(file).is_file():
            raise OSError(f"not a regular file: {file}")
        digest.update(file_id.encode() + b"\0" + Path(file).read_bytes() + b"\0")
    return digest.hexdigest()


def load(key: str) -> Any | None:
    """The cached inventory for *key*, or None (missing, stale, unsafe, corrupt or foreign)."""
    folder = _safe_folder(create=False)
    if folder is None:
        return None
    path = _entry_path(folder, key)
    raw = _read_entry(path)
    if raw is None:
        return None
    try:
        head, sep, payload = raw.partition(b"\n")
        header = json.loads(head)
        if not sep or not isinstance(header, dict):
            return None
        if header.get("format") != FORMAT or header.get("version") != __version__ or header.get("key") != key:
            return None
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            return None
        for file, digest in header["files"]:
            if _file_hash(Path(file)) != digest:
                return None
        inventory = _loads(payload)
        if type(inventory).__name__ != "Inventory" or _recomputed_hash(inventory) != inventory.content_hash:
            return None
        os.utime(path)  # recently used: evicted last
    except Exception:  # noqa: BLE001 - any defect means "parse the files again"
        return None
    return inventory


def store(key: str, inventory: Any, files: list[Path]) -> None:
    """Write an entry; any failure (read-only or unsafe folder, full disk) is silently skipped."""
    folder = _safe_folder(create=True)
    if folder is None:
        return
    tmp: str | None = None
    try:
        payload = json.dumps(encode(inventory), allow_nan=False, separators=(",", ":")).encode()
        header = {
            "format": FORMAT,
            "version": __version__,
            "key": key,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "files": [(str(f), _file_hash(f)) for f in files],
        }
        fd, tmp = tempfile.mkstemp(prefix=".inventory-", suffix=".tmp", dir=folder)  # created 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(header).encode() + b"\n")
            fh.write(payload)
        os.replace(tmp, _entry_path(folder, key))
        tmp = None
    except Exception:  # noqa: BLE001 - caching is optional
        return
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    evict(folder)


def evict(folder: Path, *, keep: int = MAX_ENTRIES, max_age_days: float = MAX_AGE_DAYS) -> None:
    """Remove all but the *keep* most recently used entries, entries unused for *max_age_days*,
    entries of the old pickle format, and temporary files left by killed runs."""
    now = time.time()
    try:
        entries = []
        for path in folder.iterdir():
            st = path.lstat()
            name = path.name
            if name.startswith("inventory-") and name.endswith(".pickle"):
                path.unlink(missing_ok=True)  # format 1 (pickle): never read again
            elif name.startswith(".inventory-") and name.endswith(".tmp"):
                if now - st.st_mtime > _STALE_TMP_SECONDS:
                    path.unlink(missing_ok=True)
            elif name.startswith("inventory-") and name.endswith(".json"):
                entries.append((st.st_mtime, path))
        entries.sort(reverse=True)
        for i, (mtime, path) in enumerate(entries):
            if i >= keep or now - mtime > max_age_days * 86400:
                path.unlink(missing_ok=True)
    except OSError:
        return
