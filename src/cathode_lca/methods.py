"""Characterisation methods: load the cited factors in ``methods/`` into vectors over flows.

Examples
--------
>>> m = load_method("ipcc2021-gwp100")
>>> m.indicator, m.unit, m.factors["n2o-air"]
('gwp100', 'kg CO2-eq', 273.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pydantic

from ._yaml import load_yaml_text
from .errors import InventoryError, UsageError
from .resources import methods_dir

DEFAULT_METHODS = ("ipcc2021-gwp100", "ced", "water")


class _FactorSpec(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    flow: str
    value: float
    source: str = pydantic.Field(min_length=1)


class _MethodSpec(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    id: str
    name: str
    indicator: str
    unit: str
    source: str = pydantic.Field(min_length=1)
    note: str | None = None
    factors: list[_FactorSpec]


@dataclass(frozen=True)
class Method:
    id: str
    name: str
    indicator: str
    unit: str
    source: str
    factors: dict[str, float]
    file: str

    def vector(self, flows: list[str]) -> np.ndarray:
        """Characterisation factors aligned with *flows* (0 where the method has none)."""
        return np.array([self.factors.get(f, 0.0) for f in flows])


def available_methods() -> list[str]:
    return sorted(p.stem for p in methods_dir().glob("*.yaml"))


@lru_cache(maxsize=64)
def load_method(method_id: str, path: str | None = None) -> Method:
    """Load a shipped method by id, or a user method file by *path*."""
    file = Path(path) if path else methods_dir() / f"{method_id}.yaml"
    if not file.is_file():
        raise UsageError(f"unknown method '{method_id}'", hint="choose one of: " + ", ".join(available_methods()))
    data = load_yaml_text(file.read_text(encoding="utf-8"), str(file))
    try:
        spec = _MethodSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        raise InventoryError(
            err["msg"], file=str(file), field=".".join(str(p) for p in err["loc"]), hint="see docs/methods.md"
        ) from None
    factors: dict[str, float] = {}
    for i, f in enumerate(spec.factors):
        if f.flow in factors:
            raise InventoryError(
                f"duplicate factor for flow '{f.flow}'", file=str(file), line=data["factors"][i].line, hint="keep one"
            )
        factors[f.flow] = f.value
    return Method(spec.id, spec.name, spec.indicator, spec.unit, spec.source, factors, str(file))


def check_method_flows(method: Method, flows: dict) -> None:
    """Every characterised flow must exist in the inventory."""
    unknown = sorted(set(method.factors) - set(flows))
    if unknown:
        raise InventoryError(
            f"method '{method.id}' characterises unknown flows: {', '.join(unknown)}",
            file=method.file,
            hint="add them to inventories/flows.yaml or fix the ids",
        )
