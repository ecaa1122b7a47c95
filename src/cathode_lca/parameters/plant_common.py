"""Small checks shared by the sections of a plant profile (:mod:`cathode_lca.parameters.plant`).

Every check raises a :class:`~cathode_lca.parameters.scenario_values.ScenarioError` located by
file, line and field, with a hint.

Examples
--------
>>> one_of("rail", ("truck", "rail"), "f.yaml", 3, "plant.transport[0].mode", "mode")
'rail'
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .scenario_values import ScenarioError

if TYPE_CHECKING:
    from .._yaml import LineDict


def err(message: str, file: str, line: int | None, fld: str, hint: str | None = None) -> ScenarioError:
    """A located scenario error."""
    return ScenarioError(message, file=file, line=line, field=fld, hint=hint)


def mapping(raw: Any, file: str, line: int, fld: str, what: str) -> Any:
    """*raw* as a line-aware mapping, or an error saying what the mapping holds."""
    from .._yaml import LineDict

    if not isinstance(raw, LineDict):
        raise err(f"'{fld}' must be a mapping ({what})", file, line, fld)
    return raw


def required_text(raw: LineDict, key: str, file: str, fld: str, hint: str | None = None) -> str:
    """The non-empty text under *key* of *raw*, stripped; an error names the missing field."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        line = raw.line_of(key)
        raise err(f"missing '{key}' (text)", file, line, f"{fld}.{key}", hint)
    return value.strip()


def one_of(value: Any, options: Sequence[str], file: str, line: int | None, fld: str, what: str) -> str:
    """*value* if it is one of *options*; otherwise an error with a did-you-mean suggestion."""
    if isinstance(value, str) and value in options:
        return value
    close = difflib.get_close_matches(str(value), list(options), n=1)
    hint = (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(options)
    raise err(f"unknown {what} {value!r}", file, line, fld, hint)
