"""Locate the data shipped with the package (inventories/, methods/ and scenarios/).

In a wheel they live in ``cathode_lca/data/``; in a source checkout (editable install)
they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _PACKAGE / "data" / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"shipped data folder '{name}' not found next to {_PACKAGE}")


def inventories_dir() -> Path:
    """Folder of the shipped inventories."""
    return _find("inventories")


def methods_dir() -> Path:
    """Folder of the shipped characterisation methods."""
    return _find("methods")


def scenarios_dir() -> Path:
    """Folder of the shipped named scenarios (``scenarios/<name>.yaml``)."""
    return _find("scenarios")
