"""The Circular Footprint Formula (CFF) per material, as pure, numpy-friendly functions.

Exactly as written in the Battery Pass CF Rules v1.1 §6.1.2 p.60, citing Recommendation (EU)
2021/2279 Annex 1-2 (PEF)::

    Material:  (1-R1)·EV + R1·(A·Erecycled + (1-A)·EV·QSin/QP) + (1-A)·R2·(ErecyclingEoL − E*V·QSout/QP)
    Energy:    (1-B)·R3·(EER − LHV·XER,heat·ESE,heat − LHV·XER,elec·ESE,elec)
    Disposal:  (1-R2-R3)·ED

Stage assignment (CF Rules §6.1.3 Fig. 18 p.61): the first two material terms belong to raw
material acquisition; the end-of-life material term, the energy term and the disposal term to
end of life and recycling. Emission values (E…) are per kg of material and may be numpy
arrays (e.g. one value per climate sub-indicator or per sample); parameters broadcast.

Examples
--------
>>> p = CFFParameters(A=0.2, B=0.0, R1=0.25, R2=0.5, R3=0.0, qsin_qp=1.0, qsout_qp=1.0)
>>> e = CFFEmissions(e_v=10.0, e_v_star=10.0, e_recycled=4.0, e_recycling_eol=3.0, e_d=0.0)
>>> t = cff_terms(p, e)
>>> round(float(t.raw_material), 12), round(float(t.end_of_life), 12)
(9.7, -2.8)
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..errors import ParameterError

Value = Any  # float or numpy array


@dataclass(frozen=True)
class CFFParameters:
    """Dimensionless CFF parameters of one material (fractions, not percent)."""

    A: float
    B: float
    R1: float
    R2: float
    R3: float
    qsin_qp: float
    qsout_qp: float

    def check(self, material: str = "") -> None:
        """Raise :class:`ParameterError` when a parameter is outside [0, 1] or R2 + R3 > 1."""
        where = f" for {material}" if material else ""
        for f in fields(self):
            value = getattr(self, f.name)
            arr = np.asarray(value, dtype=float)
            if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
                raise ParameterError(
                    f"CFF parameter {f.name}{where} is {value!r}, outside [0, 1]",
                    field=f.name,
                    hint="give a fraction between 0 and 1 (shares in the battery file are in percent)",
                )
        if np.any(np.asarray(self.R2, dtype=float) + np.asarray(self.R3, dtype=float) > 1 + 1e-12):
            raise ParameterError(
                f"R2 + R3{where} is more than 1 ({self.R2!r} + {self.R3!r})",
                field="R2",
                hint="a material cannot be recycled and energy-recovered more than once",
            )


@dataclass(frozen=True)
class CFFEmissions:
    """Emissions per kg of material (kg CO2-eq/kg; arrays allowed). Energy-recovery terms default to 0."""

    e_v: Value
    e_v_star: Value
    e_recycled: Value
    e_recycling_eol: Value
    e_d: Value
    e_er: Value = 0.0
    e_se_heat: Value = 0.0
    e_se_elec: Value = 0.0
    lhv: Value = 0.0
    x_er_heat: Value = 0.0
    x_er_elec: Value = 0.0


@dataclass(frozen=True)
class CFFTerms:
    """The five CFF terms of one material, per kg of material."""

    virgin: Value
    recycled_input: Value
    recycling_eol: Value
    energy_recovery: Value
    disposal: Value

    @property
    def raw_material(self) -> Value:
        """Terms of the raw-material acquisition stage: (1-R1)EV + R1(A Erecycled + (1-A) EV QSin/QP)."""
        return self.virgin + self.recycled_input

    @property
    def end_of_life(self) -> Value:
        """Terms of the end-of-life stage: material EoL term + energy term + disposal term."""
        return self.recycling_eol + self.energy_recovery + self.disposal

    @property
    def total(self) -> Value:
        return self.raw_material + self.end_of_life

    def as_dict(self) -> dict[str, Value]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def virgin_term(R1: Value, e_v: Value) -> Value:
    """(1 − R1)·EV."""
    return (1 - np.asarray(R1)) * e_v


def recycled_input_term(R1: Value, A: Value, e_recycled: Value, e_v: Value, qsin_qp: Value) -> Value:
    """R1·(A·Erecycled + (1 − A)·EV·QSin/QP)."""
    return np.asarray(R1) * (np.asarray(A) * e_recycled + (1 - np.asarray(A)) * e_v * qsin_qp)


def recycling_eol_term(A: Value, R2: Value, e_recycling_eol: Value, e_v_star: Value, qsout_qp: Value) -> Value:
    """(1 − A)·R2·(ErecyclingEoL − E*V·QSout/QP)."""
    return (1 - np.asarray(A)) * np.asarray(R2) * (e_recycling_eol - e_v_star * qsout_qp)


def energy_recovery_term(
    B: Value,
    R3: Value,
    e_er: Value,
    lhv: Value,
    x_er_heat: Value,
    e_se_heat: Value,
    x_er_elec: Value,
    e_se_elec: Value,
) -> Value:
    """(1 − B)·R3·(EER − LHV·XER,heat·ESE,heat − LHV·XER,elec·ESE,elec)."""
    return (1 - np.asarray(B)) * np.asarray(R3) * (e_er - lhv * x_er_heat * e_se_heat - lhv * x_er_elec * e_se_elec)


def disposal_term(R2: Value, R3: Value, e_d: Value) -> Value:
    """(1 − R2 − R3)·ED."""
    return (1 - np.asarray(R2) - np.asarray(R3)) * e_d


def cff_terms(p: CFFParameters, e: CFFEmissions) -> CFFTerms:
    """All CFF terms of one material, per kg of material.

    Examples
    --------
    >>> p = CFFParameters(A=1.0, B=0.0, R1=0.25, R2=0.5, R3=0.0, qsin_qp=1.0, qsout_qp=1.0)
    >>> e = CFFEmissions(e_v=10.0, e_v_star=10.0, e_recycled=4.0, e_recycling_eol=3.0, e_d=0.0)
    >>> t = cff_terms(p, e)       # cut-off: recycled input at Erecycled, no end-of-life credit
    >>> float(t.raw_material), float(t.end_of_life)
    (8.5, 0.0)
    """
    return CFFTerms(
        virgin=virgin_term(p.R1, e.e_v),
        recycled_input=recycled_input_term(p.R1, p.A, e.e_recycled, e.e_v, p.qsin_qp),
        recycling_eol=recycling_eol_term(p.A, p.R2, e.e_recycling_eol, e.e_v_star, p.qsout_qp),
        energy_recovery=energy_recovery_term(
            p.B, p.R3, e.e_er, e.lhv, e.x_er_heat, e.e_se_heat, e.x_er_elec, e.e_se_elec
        ),
        disposal=disposal_term(p.R2, p.R3, e.e_d),
    )


def blend(shares: list[Value], values: list[Value]) -> Value:
    """Share-weighted mean Σ sᵢ·vᵢ / Σ sᵢ (e.g. Erecycled of pre- and post-consumer inputs); 0 if Σ sᵢ = 0.

    >>> float(blend([1.0, 3.0], [2.0, 6.0]))
    5.0
    """
    total = float(sum(shares))
    if total == 0:
        return 0.0 * np.asarray(values[0]) if values else 0.0
    return sum(s * np.asarray(v) for s, v in zip(shares, values, strict=True)) / total
