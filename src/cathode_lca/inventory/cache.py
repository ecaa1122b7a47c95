"""A parsed-inventory cache in the user's cache folder, so repeated CLI calls start fast.

The key is the package version plus the content hash of every file named on the command
line (or found in the folders given). A cached entry also records the hash of every file
that was read (includes too) and is used only if all of them are unchanged. Entries are
written atomically; a cache that cannot be written is silently skipped.

Environment: ``CATHODE_LCA_CACHE_DIR`` (folder; default ``$XDG_CACHE_HOME/cathode-lca`` or
``~/.cache/cathode-lca``) and ``CATHODE_LCA_NO_CACHE=1`` (disable).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__

FORMAT = 2  # bump when the pickled model changes shape (2: parameter bounds, balance tolerance)


def enabled() -> bool:
    return os.environ.get("CATHODE_LCA_NO_CACHE", "") not in ("1", "true", "yes")


def cache_dir() -> Path:
    if os.environ.get("CATHODE_LCA_CACHE_DIR"):
        return Path(os.environ["CATHODE_LCA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cathode-lca"


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def key_for(files: list[Path]) -> str | None:
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    try:
        for path in files:
            digest.update(str(path.resolve()).encode() + b"\0" + _file_hash(path).encode() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def load(key: str) -> Any | None:
    path = cache_dir() / f"inventory-{key}.pickle"
    try:
        with path.open("rb") as fh:
            entry = pickle.load(fh)  # our own cache file, written by store() below
        for file, digest in entry["files"]:
            if _file_hash(Path(file)) != digest:
                return None
        return entry["inventory"]
    except Exception:  # missing, stale, unreadable or from another version: parse again
        return None


def store(key: str, inventory: Any, files: list[Path]) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        entry = {"inventory": inventory, "files": [(str(f), _file_hash(f)) for f in files]}
        fd, tmp = tempfile.mkstemp(prefix=".inventory-", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"inventory-{key}.pickle")
    except Exception:  # read-only home, full disk, unpicklable user object: caching is optional
        return
