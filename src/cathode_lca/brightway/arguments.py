"""Checks of the arguments of the public Brightway entry points, run before anything is read or written.

A Python caller who passes the wrong type gets a :class:`~cathode_lca.errors.UsageError` that
names the argument and what it accepts, instead of an ``AttributeError`` deep inside bw2data, a
string read letter by letter (``methods="ced"`` as ``["c", "e", "d"]``), or a true-looking value
taken at its word (``overwrite="no"`` replaced the user's databases).

Examples
--------
>>> brightway_name("cathode", "project", what="a Brightway project name", example="cathode")
'cathode'
>>> brightway_name("cathode\\n", "project", what="a Brightway project name", example="cathode")
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: project 'cathode\\n' contains the control character '\\n'. Fix: ...
>>> flag("no", "overwrite")
Traceback (most recent call last):
...
cathode_lca.errors.UsageError: overwrite must be True or False, got 'no' (str). Fix: e.g. overwrite=True
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..errors import UsageError


def shown(value: Any) -> str:
    """``repr`` of *value*, cut at 60 characters, with its type: ``'x.yaml' (str)``."""
    text = repr(value)
    return f"{text[:60]}… ({type(value).__name__})" if len(text) > 60 else f"{text} ({type(value).__name__})"


def brightway_name(value: Any, argument: str, *, what: str, example: str, optional: bool = False) -> str:
    """*value* when it is a string without control characters; else a UsageError naming *argument*.

    A control character (a newline from a name read out of a file, a NUL) makes a second project,
    database or method that prints like the first one. Emptiness is left to the caller (its own
    message says which option to give).
    """
    if not isinstance(value, str):
        raise UsageError(
            f"{argument} must be {what} (a string){' or None' if optional else ''}, got {shown(value)}",
            hint=f"e.g. {argument}={example!r}",
        )
    bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise UsageError(
            f"{argument} {value!r} contains the control character {bad!r}",
            hint=f"remove it (Brightway would keep a name that prints like another one), e.g. {example!r}",
        )
    return value


def flag(value: Any, argument: str) -> bool:
    """*value* as a ``bool`` when it is one (numpy's too); a string such as ``"no"`` is refused, not taken as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise UsageError(f"{argument} must be True or False, got {shown(value)}", hint=f"e.g. {argument}=True")
    return bool(value)


def method_list(value: Any, argument: str = "methods") -> None:
    """*value* is None or a list of method ids / Methods, not one id (read letter by letter)."""
    if value is None:
        return
    if isinstance(value, (str, bytes)):
        raise UsageError(
            f"{argument} must be a list of method ids, got the string {value!r}", hint=f"write [{value!r}]"
        )
    if not isinstance(value, Iterable) or isinstance(value, (Iterator, Mapping)):
        raise UsageError(
            f"{argument} must be a list of method ids, got {shown(value)}", hint="e.g. ['ipcc2021-gwp100', 'ced']"
        )


def one_method(value: Any) -> None:
    """*value* is one method id or a :class:`~cathode_lca.methods.Method` (a list is not)."""
    from ..methods import Method

    if not isinstance(value, (str, Method)):
        raise UsageError(
            f"method must be one method id (a string) or a Method, got {shown(value)}",
            hint="e.g. method='ipcc2021-gwp100'; write one datapackage per method",
        )


def model_or_none(value: Any, *, optional: bool = True) -> None:
    """*value* is an :class:`~cathode_lca.lca.LCAModel` (or None where *optional*)."""
    from ..lca import LCAModel

    if (value is None and optional) or isinstance(value, LCAModel):
        return
    raise UsageError(
        f"model must be an LCAModel{' or None' if optional else ''}, got {shown(value)}",
        hint="e.g. LCAModel(load_inventory(extra=['my-plant.yaml'])), or default_model()",
    )


def file_path(value: Any, argument: str, *, example: str) -> None:
    """*value* is a ``str`` or ``os.PathLike`` (not None, a number or a list)."""
    if not isinstance(value, (str, os.PathLike)):
        raise UsageError(
            f"{argument} must be a file path (str or Path), got {shown(value)}", hint=f"e.g. {argument}={example!r}"
        )


def path_list(value: Any, argument: str) -> list[Any]:
    """*value* as a list of paths; one path (``"my.yaml"``) would be read letter by letter."""
    if isinstance(value, (str, bytes, os.PathLike)):
        raise UsageError(
            f"{argument} must be a list of files or folders, got the single path {os.fsdecode(value)!r}",
            hint=f"write {argument}=[{os.fsdecode(value)!r}]",
        )
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise UsageError(
            f"{argument} must be a list of files or folders, got {shown(value)}", hint=f"e.g. {argument}=['my.yaml']"
        )
    return list(value)


def mapping_or_none(value: Any, argument: str, *, example: str) -> None:
    """*value* is None or a mapping (``"plant_region=CN"`` is not)."""
    if value is not None and not isinstance(value, Mapping):
        raise UsageError(
            f"{argument} must be a mapping of parameter name to value, got {type(value).__name__}",
            hint=f"e.g. {argument}={example}",
        )


def scenario_table(value: Any) -> None:
    """*value* is None or ``{scenario name (str): {parameter: value}}``."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise UsageError(
            f"scenarios must be a mapping {{scenario name: {{parameter: value}}}}, got {shown(value)}",
            hint="e.g. scenarios={'US': {'plant_region': 'US'}, 'CN': {'plant_region': 'CN'}}",
        )
    for name in value:
        if not isinstance(name, str):
            raise UsageError(f"scenario names must be strings, got {shown(name)}", hint=f"write {str(name)!r}")


def tolerance(value: Any, argument: str = "rtol") -> float:
    """*value* as a float when it is a finite real number, 0 or more (NaN would let every check pass)."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not real or not math.isfinite(float(value)) or float(value) < 0:
        raise UsageError(
            f"{argument} must be a finite number, 0 or more, got {shown(value)}", hint=f"e.g. {argument}=1e-9"
        )
    return float(value)


def export_names(prefix: Any, biosphere: Any) -> None:
    """The export's *prefix* and *biosphere* names: strings without control characters, not empty,
    short enough for Brightway's file names, and a biosphere to link to that is not one of the
    databases the export writes (and first deletes)."""
    if prefix is not None:
        brightway_name(prefix, "prefix", what="a name", example="cathode-lca")
    if not prefix or not prefix.strip():
        raise UsageError("empty database prefix", hint="give --prefix NAME")
    # the longest names made from it: a database's, and a method's (bw2data abbreviates (prefix, id))
    fits_file_names(prefix, "prefix", [f"{prefix} background", f"{prefix.split(' ')[0]} ced-non-fossil"])
    if biosphere is None:
        return
    brightway_name(biosphere, "biosphere", what="a database name", example="biosphere3", optional=True)
    if not biosphere.strip():
        raise UsageError(
            "empty biosphere database name",
            hint="give --biosphere NAME (biosphere=NAME), or --biosphere none (biosphere=None) for a private one",
        )
    fits_file_names(biosphere, "biosphere", [biosphere])
    if biosphere in (f"{prefix} {kind}" for kind in ("biosphere", "background", "foreground")):
        raise UsageError(
            f"biosphere '{biosphere}' is one of the databases this export writes (and first deletes)",
            hint="give the standard biosphere (--biosphere biosphere3), or --biosphere none",
        )


#: The longest file or folder name most file systems allow (bytes).
NAME_MAX = 255


def fits_file_names(name: str, argument: str, derived: list[str]) -> None:
    """Refuse *name* when a file name Brightway derives from it (*derived*: the longest ones) would
    exceed :data:`NAME_MAX` bytes; the OS would refuse it midway (``File name too long``)."""
    from bw_processing import safe_filename

    size = max(len(safe_filename(text, full=True).encode("utf-8")) for text in derived) + 8  # + ".pickle"
    if size > NAME_MAX:
        raise UsageError(
            f"{argument} {name[:40]!r}… is too long for Brightway's file names "
            f"({size} bytes where it makes one from it; the limit is {NAME_MAX})",
            hint=f"give a shorter {argument}: {len(name)} characters here; about 150 plain letters fit",
        )
