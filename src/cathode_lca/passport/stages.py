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

from .rules import E_TOTAL_SOURCE, STAGES, Cited, feqc_default
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


@dataclass(frozen=True)
class TotalEnergy:
    """E_total = usable energy at beginning of life × full equivalent cycles per year × service life."""

    usable_energy_kwh: float
    cycles_per_year: Cited
    service_life_years: float
    warnings: tuple[str, ...] = ()

    @property
    def kwh(self) -> float:
        return self.usable_energy_kwh * self.cycles_per_year.value * self.service_life_years

    def as_dict(self) -> dict[str, Any]:
        return {
            "totalEnergyKWh": self.kwh,
            "formula": "E_total = usable energy at BoL x full equivalent cycles per year x service life (years)",
            "usableEnergyKWh": self.usable_energy_kwh,
            "fullEquivalentCyclesPerYear": self.cycles_per_year.value,
            "fullEquivalentCyclesSource": self.cycles_per_year.source,
            "serviceLifeYears": self.service_life_years,
            "source": E_TOTAL_SOURCE,
        }


def total_energy(spec: BatterySpec) -> TotalEnergy:
    """E_total of the battery (kWh), with the draft defaults of full equivalent cycles per vehicle category."""
    b = spec.battery
    default = feqc_default(b.vehicle_category) if b.vehicle_category else None
    warnings: list[str] = []
    if b.full_equivalent_cycles_per_year is not None:
        cycles = Cited(
            b.full_equivalent_cycles_per_year,
            b.sources.get(
                "full_equivalent_cycles_per_year",
                "battery file (manufacturer's value, to be justified in the public study)",
            ),
        )
        if default is not None and default.value != cycles.value:
            warnings.append(
                f"full_equivalent_cycles_per_year {cycles.value:g} replaces the draft default {default.value:g} for "
                f"vehicle category {b.vehicle_category}"
            )
    else:
        assert default is not None  # checked when the spec was loaded
        cycles = default
    return TotalEnergy(b.usable_energy_kwh, cycles, b.service_life_years, tuple(warnings))
