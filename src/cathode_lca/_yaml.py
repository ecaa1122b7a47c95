"""YAML loading that keeps line numbers, built on PyYAML's fast C composer.

Mappings become :class:`LineDict` and sequences :class:`LineList`; both remember the
1-based line where they start and, for mappings, the line of each key. Duplicate keys are
an error (PyYAML silently keeps the last one).

Hostile or broken YAML gets a located :class:`~cathode_lca.errors.InventoryError` (exit 2),
never a traceback, hang or memory blow-up:

- files larger than :data:`MAX_BYTES`, and anything but a regular file (``/dev/zero``, pipes);
- alias bombs ("billion laughs"): the size after expanding aliases is limited to
  :data:`MAX_NODES` nodes, and an alias that contains itself is refused;
- nesting deeper than :data:`MAX_DEPTH`;
- merge keys (``<<:``), tags (``!cite``, ``!!python/...``), invalid dates;
- non-finite numbers (``.nan``, ``.inf``, ``1.0e400``) and integers beyond the float range.

Examples
--------
>>> data = load_yaml_text("a: 1\\nb:\\n  - x\\n", "demo.yaml")
>>> data["a"], data.line_of("b"), data["b"].line
(1, 2, 3)
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import InventoryError

MAX_BYTES = 32 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 64
_DEFAULT_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MERGE = "tag:yaml.org,2002:merge"

try:  # the C composer is ~10x faster; fall back silently where libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

_scalar_constructor = yaml.constructor.SafeConstructor()


class LineDict(dict):
    """A dict that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that knows the line it starts on."""

    line: int = 0


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _check_graph(root: yaml.Node, file: str) -> None:
    """Refuse alias cycles, alias bombs and deep nesting before anything is expanded."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # iterative post-order walk (PyYAML's own recursion is what fails on deep input)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                raise InventoryError(
                    f"document expands to more than {MAX_NODES:,} values (alias bomb?)",
                    file=file,
                    line=_line(node),
                    hint="write the data out instead of nesting aliases (*name) of aliases",
                )
            sizes[key] = total
            continue
        if key in active:
            raise InventoryError(
                "an alias refers to a node that contains it (recursive structure)",
                file=file,
                line=_line(node),
                hint="remove the self-referencing alias",
            )
        if depth > MAX_DEPTH:
            raise InventoryError(
                f"nesting deeper than {MAX_DEPTH} levels", file=file, line=_line(node), hint="flatten the structure"
            )
        if key in sizes:
            continue
        if isinstance(node, yaml.CollectionNode):
            active.add(key)
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in _children(node))
        else:
            sizes[key] = 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")  # YAML 1.1: 0250 is 168; YAML 1.2 and people read 250
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")  # YAML 1.1: 1:30 is 90


def _refuse_yaml11_number(text: str, value: float, file: str, line: int | None) -> None:
    """Refuse the YAML 1.1 numbers that silently mean something else than they seem (octal, base 60)."""
    meaning = "octal" if _OCTAL.match(text) else "base 60" if _BASE60.match(text) else None
    if meaning is not None:
        raise InventoryError(
            f"number '{text}' is read by YAML 1.1 as {meaning}: {value:g}",
            file=file,
            line=line,
            hint=f"write it without {'the leading zero' if meaning == 'octal' else 'colons'}, or quote it if it is text",
        )


def _scalar(node: yaml.Node, file: str) -> Any:
    if node.tag not in _DEFAULT_TAGS:
        raise InventoryError(
            f"YAML tag '{node.tag}' is not supported",
            file=file,
            line=_line(node),
            hint="remove the tag; write plain values (put citations in 'source:')",
        )
    try:
        value = _scalar_constructor.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise InventoryError(
            f"invalid value '{node.value}' ({type(exc).__name__}: {getattr(exc, 'problem', None) or exc})",
            file=file,
            line=_line(node),
            hint="quote it if it is text; dates must be real dates (YYYY-MM-DD)",
        ) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not node.style:  # plain, not quoted
        _refuse_yaml11_number(node.value, value, file, _line(node))
    if isinstance(value, float) and not math.isfinite(value):
        raise InventoryError(
            f"non-finite number '{node.value}'",
            file=file,
            line=_line(node),
            hint="give a finite number; NaN and infinity are never valid data",
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e308:
        raise InventoryError(
            f"number with {len(str(abs(value)))} digits is beyond the float range",
            file=file,
            line=_line(node),
            hint="give a finite number",
        )
    return value


def _convert(node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise InventoryError(
                f"YAML tag '{node.tag}' is not supported", file=file, line=_line(node), hint="remove the tag"
            )
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise InventoryError(
                    "merge keys ('<<') are not supported",
                    file=file,
                    line=_line(key_node),
                    hint="write the keys out: every value must be visible where it is used",
                )
            key = _convert(key_node, file)
            if isinstance(key, (dict, list)):
                raise InventoryError(
                    "mapping keys must be plain scalars",
                    file=file,
                    line=key_node.start_mark.line + 1,
                )
            if key in out:
                raise InventoryError(
                    f"duplicate key '{key}' (first at line {out.key_lines[key]})",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    hint="remove or rename one of them",
                )
            out[key] = _convert(value_node, file)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise InventoryError(
                f"YAML tag '{node.tag}' is not supported", file=file, line=_line(node), hint="remove the tag"
            )
        seq = LineList(_convert(item, file) for item in node.value)
        seq.line = node.start_mark.line + 1
        return seq
    return _scalar(node, file)


def read_yaml_file(path: str | Path, *, file: str | None = None) -> str:
    """Read a YAML file as text: regular files only, at most :data:`MAX_BYTES`, UTF-8.

    Errors are :class:`InventoryError` naming the file (``/dev/zero``, a pipe or a folder is
    refused before anything is read).
    """
    name = file or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InventoryError(f"cannot read file ({exc.strerror})", file=name, hint="check the path") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise InventoryError(
            "not a regular file (device, pipe or folder)", file=name, hint="give the path of a YAML file"
        )
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > MAX_BYTES:
            raise InventoryError(
                f"file is larger than {MAX_BYTES // 2**20} MiB", file=name, hint="split it into several files"
            )
        try:
            raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InventoryError(f"cannot read file ({exc.strerror})", file=name) from None
    if len(raw) > MAX_BYTES:
        raise InventoryError(f"file is larger than {MAX_BYTES // 2**20} MiB", file=name, hint="split it")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InventoryError("file is not UTF-8 text", file=name, hint="save it as UTF-8") from None


def load_yaml_text(text: str, file: str) -> Any:
    """Parse YAML *text*; errors name *file* and the line."""
    if len(text) > MAX_BYTES:
        raise InventoryError(f"text is larger than {MAX_BYTES // 2**20} MiB", file=file, hint="split it")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InventoryError(
            f"invalid YAML: {problem}", file=file, line=line, hint="check indentation and quoting"
        ) from None
    except RecursionError:
        raise InventoryError(
            f"nesting deeper than {MAX_DEPTH} levels", file=file, hint="flatten the structure"
        ) from None
    if node is None:
        return LineDict()
    _check_graph(node, file)
    return _convert(node, file)


def load_yaml_file(path: str | Path, *, file: str | None = None) -> Any:
    """:func:`read_yaml_file` then :func:`load_yaml_text`."""
    name = file or str(path)
    return load_yaml_text(read_yaml_file(path, file=name), name)


def line_at(data: Any, loc: Sequence[Any]) -> int | None:
    r"""Line of the deepest node of *loc* (mapping keys and list indices) found in the YAML tree *data*.

    The one look-up behind the located errors of inventories and battery files (a pydantic error's
    ``loc``); plain dicts and lists are walked too but carry no line of their own.

    >>> data = load_yaml_text("a:\n  b: [1, {c: 2}]\nd: 3\n", "x.yaml")
    >>> line_at(data, ("d",)), line_at(data, ("a", "b", 1, "c")), line_at(data, ("a", "zz")), line_at(data, ("a", "b", 9))
    (3, 2, 1, 2)
    """
    line = getattr(data, "line", None)
    node = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            line = node.line_of(key) if isinstance(node, LineDict) else line
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            line = getattr(node, "line", line)
        else:
            break
    return line
