"""Black-mass assay (element mass fractions, as a lab reports them) → the model's black-mass composition.

The model describes a black-mass feed (``feed_type: black-mass``) by component fractions
(``bmfeed_cam``, ``bmfeed_graphite``, ``bmfeed_carbon_black``, ``bmfeed_pvdf``,
``bmfeed_anode_binder``, ``bmfeed_copper``, ``bmfeed_aluminum``) and by the element contents of its
CAM (``feed_cam_ni``, ``feed_cam_co``, ``feed_cam_mn``, ``feed_cam_li``). An assay gives element
mass fractions a_e (kg e per kg black mass). With w_e the mass fraction of e in the CAM of the
stated chemistry (from its formula and the inventory's molar masses):

* CAM:        x_CAM = Σ_K a_e / Σ_K w_e, over the CAM's key metals K (Ni, Co, Mn present in the
              CAM; Fe for LFP), so the CAM carries all measured key metal;
* CAM metals: feed_cam_e = a_e / x_CAM for e in Ni, Co, Mn, Li (so the black mass contains exactly
              the measured Ni, Co, Mn and Li; all Li is taken as CAM lithium);
* PVDF:       m_PVDF = a_F · M_PVDF / (2 M_F) (all fluorine as PVDF binder, C2H2F2);
* graphite:   a_C − m_PVDF · 2 M_C / M_PVDF (carbon not in PVDF; carbon black and anode binder 0);
* aluminium:  a_Al − x_CAM · w_Al (foil; w_Al > 0 for NCA only); copper: a_Cu;
* other:      1 − (x_CAM + graphite + PVDF + Cu + Al); Fe and P outside an LFP CAM, oxygen outside
              the CAM, moisture etc. This mass passes through untracked: ``bm_per_feed`` is set to
              1 so that process inputs given per kg black mass apply to the whole kilogram.

Examples
--------
>>> mm = {"li": 6.94, "ni": 58.693, "co": 58.933, "mn": 54.938, "o": 15.999, "al": 26.982,
...       "fe": 55.845, "p": 30.974, "c": 12.011, "f": 18.998, "h": 1.008}
>>> w = cam_fractions("NMC111", mm)
>>> round(w["Ni"], 4)  # (58.693 / 3) / (6.94 + (58.693 + 58.933 + 54.938) / 3 + 2 · 15.999)
0.2028
>>> comp = convert_assay({"Ni": 0.1217, "Co": 0.1222, "Mn": 0.1139, "Li": 0.0432, "C": 0.30}, "NMC111", mm)
>>> round(comp.cam, 3), round(comp.graphite, 3)  # 60 % NMC111 (0.1217 / 0.2028), 30 % graphite
(0.6, 0.3)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ParameterError

ASSAY_ELEMENTS = ("Ni", "Co", "Li", "Mn", "Al", "Cu", "Fe", "P", "F", "C", "other")

# CAM formulas (mol per mol CAM), as in the EverBatt 2023 CAM molar table 'CM Rec Par.'!G63:R82 and the
# cam_<element>_<chem> parameters of inventories/cathode/cathode-plant-parameters.yaml.
CAM_FORMULAS: dict[str, dict[str, float]] = {
    "NMC111": {"Li": 1, "Ni": 1 / 3, "Co": 1 / 3, "Mn": 1 / 3, "O": 2},
    "NMC532": {"Li": 1, "Ni": 0.5, "Co": 0.2, "Mn": 0.3, "O": 2},
    "NMC622": {"Li": 1, "Ni": 0.6, "Co": 0.2, "Mn": 0.2, "O": 2},
    "NMC811": {"Li": 1, "Ni": 0.8, "Co": 0.1, "Mn": 0.1, "O": 2},
    "NCA": {"Li": 1, "Ni": 0.8, "Co": 0.15, "Al": 0.05, "O": 2},
    "LFP": {"Li": 1, "Fe": 1, "P": 1, "O": 4},
}
_TOL = 1e-9


@dataclass(frozen=True)
class BlackMassComposition:
    """Model components of 1 kg black mass (kg/kg) and the CAM's element contents (kg/kg CAM)."""

    cam: float
    graphite: float
    pvdf: float
    copper: float
    aluminum: float
    other: float
    cam_elements: dict[str, float]  # Ni, Co, Mn, Li per kg CAM


def cam_fractions(chemistry: str, molar_mass: Mapping[str, float]) -> dict[str, float]:
    """Mass fraction of each element in the CAM of *chemistry* (molar masses keyed by lower-case symbol)."""
    formula = CAM_FORMULAS[chemistry]
    total = sum(n * molar_mass[e.lower()] for e, n in formula.items())
    return {e: n * molar_mass[e.lower()] / total for e, n in formula.items()}


def convert_assay(assay: Mapping[str, float], chemistry: str, molar_mass: Mapping[str, float]) -> BlackMassComposition:
    """Convert an assay (fractions of 1 kg black mass, validated by the caller) to model components.

    Raises :class:`ParameterError` when the assay cannot be a black mass of this chemistry
    (no key metal, or components that add up to more than 1 kg).
    """
    if chemistry not in CAM_FORMULAS:
        raise ParameterError(f"unknown CAM chemistry '{chemistry}'", hint="choose one of: " + ", ".join(CAM_FORMULAS))
    a = {e: float(assay.get(e, 0.0)) for e in ASSAY_ELEMENTS}
    w = cam_fractions(chemistry, molar_mass)
    key = [e for e in ("Ni", "Co", "Mn") if w.get(e, 0.0) > 0] or ["Fe"]
    key_mass = sum(a[e] for e in key)
    if key_mass <= 0:
        raise ParameterError(
            f"the assay has no {'/'.join(key)}, so it holds no {chemistry} cathode material",
            hint=f"give the {'/'.join(key)} content, or check the chemistry",
        )
    cam = key_mass / sum(w[e] for e in key)
    cam_elements = {e: a[e] / cam for e in ("Ni", "Co", "Mn", "Li")}
    # kg of elements per kg CAM: the measured Ni, Co, Mn, Li plus the CAM's other non-oxygen elements
    held = sum(cam_elements.values()) + sum(v for e, v in w.items() if e not in ("Ni", "Co", "Mn", "Li", "O"))
    if held > 1.0 + _TOL:
        raise ParameterError(
            f"the assay puts {held:.4g} kg of elements in 1 kg of {chemistry} CAM: all Li is counted as CAM "
            f"lithium ({a['Li']:.4g} kg Li in {cam:.4g} kg CAM, from {'+'.join(key)})",
            hint="check Li (3.8, not 38) and the key metals, and the assay unit",
        )
    m_c, m_f, m_h = molar_mass["c"], molar_mass["f"], molar_mass["h"]
    m_pvdf = 2 * m_c + 2 * m_h + 2 * m_f
    pvdf = a["F"] * m_pvdf / (2 * m_f)
    graphite = a["C"] - pvdf * 2 * m_c / m_pvdf
    if graphite < -_TOL:
        raise ParameterError(
            f"the carbon content ({a['C']:.4g}) is below the carbon of the PVDF implied by F ({a['F']:.4g})",
            hint="check C and F: all fluorine is taken as PVDF binder (C2H2F2)",
        )
    aluminum = a["Al"] - cam * w.get("Al", 0.0)
    if aluminum < -_TOL:
        raise ParameterError(
            f"the Al content ({a['Al']:.4g}) is below the Al of the {chemistry} CAM implied by the assay "
            f"({cam * w.get('Al', 0.0):.4g})",
            hint="check Al and the chemistry",
        )
    other = 1.0 - (cam + max(graphite, 0.0) + pvdf + a["Cu"] + max(aluminum, 0.0))
    if other < -1e-6:
        raise ParameterError(
            f"the assay implies {cam:.4g} kg {chemistry} CAM per kg black mass (from {'+'.join(key)}), and with "
            f"graphite, PVDF, Cu and Al the black mass adds up to {1 - other:.4g} kg, more than 1 kg",
            hint="check the key-metal contents and the chemistry (a mixed feed needs the dominant chemistry)",
        )
    return BlackMassComposition(
        cam=cam,
        graphite=max(graphite, 0.0),
        pvdf=pvdf,
        copper=a["Cu"],
        aluminum=max(aluminum, 0.0),
        other=max(other, 0.0),
        cam_elements=cam_elements,
    )
