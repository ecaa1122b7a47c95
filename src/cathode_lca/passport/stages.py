"""Line items, their sums by life-cycle stage, and the functional unit (total energy).

A declaration is a list of :class:`LineItem` (quantity × factor, each with its stage, kind and
source). Stage values are sums of line items in a fixed order, and the total is the sum of the
four stage values, so the stages add up to the total by construction; the end-of-life stage may
be negative.

Examples
--------
>>> import numpy as np
>>> items = [LineItem("a", "x", "RawMaterialExtraction", None, "cff", 2.0, "kg", np.array([3.0, 3, 0, 0]), "s"),
...          LineItem("b", "y", "Recycling", None, "cff", 1.0, "kg", np.array([-1.0, -1, 0, 0]), "s")]
>>> totals = stage_totals(items)
>>> float(totals["RawMaterialExtraction"][0]), float(totals["Recycling"][0]), float(grand_total(totals)[0])
(6.0, -1.0, 5.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .lifetime import TotalEnergy, lifetime_energy
from .rules import STAGES
from .spec import BatterySpec

KINDS = ("modelled", "cff", "supplied")


@dataclass(frozen=True)
class LineItem:
    """One traceable contribution: ``quantity [quantity_unit] × factor [kg CO2-eq per unit]``.

    ``factor`` is a vector ``[total, fossil, biogenic, land_use]``.
    """

    id: str
    description: str
    stage: str
    process: str | None
    kind: str
    quantity: float
    quantity_unit: str
    factor: np.ndarray
    source: str
    datasets: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def value(self) -> np.ndarray:
        """kg CO2-eq per battery (vector)."""
        return self.quantity * np.asarray(self.factor, dtype=float)

    def as_dict(self, total_energy_kwh: float) -> dict[str, Any]:
        v = self.value
        return {
            "id": self.id,
            "description": self.description,
            "lifecycleStage": self.stage,
            "processTag": self.process,
            "kind": self.kind,
            "suppliedData": self.kind == "supplied",
            "quantity": self.quantity,
            "quantityUnit": self.quantity_unit,
            "factorKgCO2ePerUnit": float(self.factor[0]),
            "kgCO2e": float(v[0]),
            "kgCO2ePerKWh": float(v[0]) / total_energy_kwh,
            "fossilKgCO2e": float(v[1]),
            "biogenicKgCO2e": float(v[2]),
            "landUseKgCO2e": float(v[3]),
            "datasets": list(self.datasets),
            "source": self.source,
            "notes": list(self.notes),
        }


def stage_totals(items: list[LineItem]) -> dict[str, np.ndarray]:
    """Sum of line items per life-cycle stage, in the order of :data:`STAGES` (zeros where empty)."""
    out = {s: np.zeros(4) for s in STAGES}
    for item in items:
        if item.stage not in out:
            raise ValueError(f"line item {item.id} has unknown stage {item.stage}")  # programming error
        out[item.stage] = out[item.stage] + item.value
    return out


def grand_total(totals: dict[str, np.ndarray]) -> np.ndarray:
    """The total: the sum of the stage values in stage order."""
    out = np.zeros(4)
    for s in STAGES:
        out = out + totals[s]
    return out


def total_energy(spec: BatterySpec) -> TotalEnergy:
    """E_total of the battery (kWh) by the rule of its category (see :mod:`.lifetime`)."""
    return lifetime_energy(spec.battery)
