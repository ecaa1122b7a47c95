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
    if not validation_available():  # pragma: no cover - depends on the environment
        raise UsageError("validation needs the 'jsonschema' package", hint="pip install jsonschema")
    _validate(key, payload, load_schema(name), name)


def _validate(key: str, payload: Any, schema: dict[str, Any], name: str) -> None:
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "/".join(str(p) for p in err.absolute_path)
        raise ValidationError(
            f"{key}/{path}: {err.message}", field=key, hint=f"does not match {name} (Battery Pass v1.2.0)"
        )


#: The real Battery Pass v1.2.0 schemas shipped in the package, and the part of each that a payload fills.
BP_DIR = "batterypass-1.2.0"
BP_SCHEMAS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    # part -> (schema file, required properties to check; None: the schema's own 'required')
    "carbonFootprint": ("CarbonFootprintForBatteries-schema.json", None),
    "recycledContent": ("Circularity-schema.json", ("recycledContent",)),
    "circularity": ("Circularity-schema.json", None),
    "declarationOfConformity": ("Labeling-schema.json", ("declarationOfConformity",)),
}
PARTIAL_NOTE = (
    "recycledContent and declarationOfConformity are properties of the Circularity and Labeling aspects: they are "
    "validated against those schemas with only their own property required (labels, test reports, spare parts and "
    "the other aspect properties are outside cathode-lca)"
)


def bp_payload(part: str, payload: Any) -> dict[str, Any]:
    """The object to validate for *part*: property parts are wrapped in their aspect object."""
    if part in ("recycledContent", "declarationOfConformity"):
        return {part: payload}
    return payload


def validate_bp(part: str, payload: Any) -> None:
    """Check *payload* of *part* against the real Battery Pass v1.2.0 schema shipped in the package."""
    name, required = BP_SCHEMAS[part]
    schema = load_schema(f"{BP_DIR}/{name}")
    if required is not None:
        schema = {**schema, "required": list(required)}
    _validate(part, bp_payload(part, payload), schema, f"{BP_DIR}/{name}")


def validation_report(payloads: dict[str, Any]) -> dict[str, Any]:
    """Validate every payload when ``jsonschema`` is installed; 'valid', the first error, or 'not checked'."""
    if not validation_available():  # pragma: no cover - depends on the environment
        return {part: "not checked: the 'jsonschema' package is not installed" for part in payloads}
    out: dict[str, Any] = {}
    for part, payload in payloads.items():
        try:
            validate_bp(part, payload)
            out[part] = "valid"
        except ValidationError as exc:
            out[part] = f"INVALID: {exc.message}"
    out["schemas"] = f"Battery Pass v1.2.0 (cathode_lca/passport/schemas/{BP_DIR}); {PARTIAL_NOTE}"
    return out


CIRCULARITY_REQUIRED = {
    "dismantlingAndRemovalInformation": "dismantling_and_removal_information",
    "sparePartSources": "spare_part_sources",
    "safetyMeasures": "safety_measures",
    "endOfLifeInformation": "end_of_life_information",
}


def circularity_payload(spec: Any, recycled: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """The Battery Pass ``Circularity`` aspect from the battery file's ``circularity`` section, or why not."""
    c = spec.circularity
    if c is None:
        return None, (
            "not produced: the battery file has no circularity section (the Circularity aspect requires "
            + ", ".join(CIRCULARITY_REQUIRED)
            + " and renewableContent)"
        )
    missing = [f"circularity.{name}" for name in CIRCULARITY_REQUIRED.values() if not getattr(c, name)]
    if missing:
        return None, "not produced: missing " + ", ".join(missing)
    payload = {key: getattr(c, name) for key, name in CIRCULARITY_REQUIRED.items()}
    payload["recycledContent"] = recycled
    payload["renewableContent"] = c.renewable_content_percent
    return payload, "produced from the battery file (circularity) and the recycled-content calculation"
