"""YAML loading that keeps line numbers, built on PyYAML's fast C composer.

Mappings become :class:`LineDict` and sequences :class:`LineList`; both remember the
1-based line where they start and, for mappings, the line of each key. Duplicate keys are
an error (PyYAML silently keeps the last one).

Examples
--------
>>> data = load_yaml_text("a: 1\\nb:\\n  - x\\n", "demo.yaml")
>>> data["a"], data.line_of("b"), data["b"].line
(1, 2, 3)
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import InventoryError

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


def _convert(node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
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
        seq = LineList(_convert(item, file) for item in node.value)
        seq.line = node.start_mark.line + 1
        return seq
    return _scalar_constructor.construct_object(node)


def load_yaml_text(text: str, file: str) -> Any:
    """Parse YAML *text*; errors name *file* and the line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InventoryError(
            f"invalid YAML: {problem}", file=file, line=line, hint="check indentation and quoting"
        ) from None
    if node is None:
        return LineDict()
    return _convert(node, file)
