"""Battery Pass v1.2.0 payloads: the JSON Schemas shipped in the package and their validation.

Validation needs ``jsonschema`` (a test dependency); without it :func:`validate_payload` raises a
clear error and :func:`validation_available` says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError, ValidationError

SCHEMAS = {
    "carbonFootprint": "carbon_footprint_for_batteries.schema.json",
    "recycledContent": "recycled_content.schema.json",
}


def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``cathode_lca/passport/schemas``."""
    path = Path(__file__).resolve().parent / "schemas" / name
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def validation_available() -> bool:
    """True when the optional ``jsonschema`` package is installed."""
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    return True


def validate_payload(key: str, payload: Any, name: str) -> None:
    """Check *payload* against the shipped schema *name*; the first error names the JSON path."""
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError("validation needs the 'jsonschema' package", hint="pip install jsonschema") from None
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "/".join(str(p) for p in err.absolute_path)
        raise ValidationError(
            f"{key}/{path}: {err.message}", field=key, hint=f"does not match {name} (Battery Pass v1.2.0)"
        )
