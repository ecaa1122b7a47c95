"""Generic per-technology electricity factors for ``tools/background_electricity.py`` (standard library only).

One ``electricity-technology-<tech>`` dataset per technology, per kWh generated: life-cycle GHG (IPCC AR5
medians), primary energy (GREET 2022 plant types / IEA 33 % nuclear convention / physical energy content) and
operational water consumption (Macknick et al. 2012), each a file parameter with its source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

FORMAT = "cathode-lca/1"


class ReferenceError_(Exception):
    """A reference table is missing or lacks a needed row (turned into exit code 2 by the tool)."""


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ReferenceError_(f"reference table not found: {path}")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def num(text: str) -> float | int:
    f = float(text)
    return int(f) if f == int(f) and "e" not in text.lower() and "." not in text else f


def g(x: float) -> float:
    """Round a derived number for notes and tables (6 significant digits)."""
    return float(f"{x:.6g}")


# ---------------------------------------------------------------------------------------------------------------
# Technology factors
# ---------------------------------------------------------------------------------------------------------------

TECHS = ("coal", "gas", "oil", "nuclear", "hydro", "wind", "solar", "bioenergy", "other")
TECH_NAMES = {
    "coal": "coal",
    "gas": "natural gas",
    "oil": "oil and other fossil",
    "nuclear": "nuclear",
    "hydro": "hydropower",
    "wind": "wind",
    "solar": "solar",
    "bioenergy": "bioenergy",
    "other": "other renewables (geothermal, tidal, ...)",
}
OWID_COLUMN = {  # tech -> OWID share / TWh column stem
    "coal": "coal",
    "gas": "gas",
    "oil": "oil",
    "nuclear": "nuclear",
    "hydro": "hydro",
    "wind": "wind",
    "solar": "solar",
    "bioenergy": "biofuel",
    "other": "other_renewables",
}
# tech -> (fuel_factors technology, item, note on the choice)
GHG_ROWS = {
    "coal": ("coal", "ghg_lifecycle_median", ""),
    "gas": ("gas", "ghg_lifecycle_median", ""),
    "oil": ("oil", "ghg_lifecycle_median", "oil: UK POST (2006) value as used by Electricity Maps; IPCC gives none"),
    "nuclear": ("nuclear", "ghg_lifecycle_median", ""),
    "hydro": ("hydro", "ghg_lifecycle_median", ""),
    "wind": ("wind (onshore)", "ghg_lifecycle_median", "onshore median (offshore: 12)"),
    "solar": ("solar PV (utility)", "ghg_lifecycle_median", "utility-scale PV median (rooftop: 41)"),
    "bioenergy": ("biomass (dedicated)", "ghg_lifecycle_median", "dedicated biomass median"),
    "other": ("geothermal", "ghg_lifecycle_median", "geothermal median, for Ember 'other renewables'"),
}
WATER_ROWS = {  # tech -> (Macknick key, note); all with recirculating (tower) cooling where cooling applies
    "coal": ("coal-generic-tower", "generic coal, cooling tower"),
    "gas": ("gas-ngcc-tower", "natural gas combined cycle, cooling tower"),
    "oil": (
        "gas-steam-tower",
        "no oil row in the source: the gas steam-turbine value (same steam cycle, cooling tower) is used as a proxy",
    ),
    "nuclear": ("nuclear-tower", "nuclear, cooling tower"),
    "hydro": ("hydro", "hydropower (reservoir evaporation)"),
    "wind": ("wind", "wind"),
    "solar": ("solar-pv", "solar PV"),
    "bioenergy": ("biopower-steam-tower", "biopower steam, cooling tower"),
    "other": ("geothermal-flash-tower", "geothermal flash, cooling tower"),
}
GREET_PLANT = {  # combustion tech -> GREET plant-type row (energy per kWh at the wall outlet)
    "coal": "GREET plant type: Coal-fired power plant",
    "gas": "GREET plant type: NG-fired power plant",
    "oil": "GREET plant type: Oil-fired power plant",
    "bioenergy": "GREET plant type: Biomass-fired power plant",
}
GREET_DELIVERY = 1.0511
GAL_L = 3.785411784


@dataclass
class TechFactors:
    ghg: float
    water_gal: float
    energy: dict[str, float]  # carrier -> MJ per kWh generated (computed here, for the docs table)


def _ff(rows: list[dict], tech: str, item: str, source_part: str = "") -> dict:
    hits = [r for r in rows if r["technology"] == tech and r["item"] == item and source_part in r["source"]]
    if not hits:
        raise ReferenceError_(f"fuel_factors.csv: no row technology={tech!r} item={item!r}")
    return hits[0]


def _cite_ipcc(r: dict) -> str:
    loc = r["locator"]
    via = loc.split(",")[0] if loc.startswith("github") else loc.split(" (")[0]
    return f"IPCC (2014) AR5 WGIII Annex III (Schloemer et al.), Table A.III.2, life-cycle median; transcribed in {via}"


def tech_parameters(ff: list[dict], grids: list[dict]) -> tuple[dict, dict[str, TechFactors], list[dict]]:
    """File parameters (factors with sources), numeric factors, and the technology datasets."""
    params: dict[str, dict] = {}
    factors: dict[str, TechFactors] = {}
    datasets: list[dict] = []
    params["greet_delivery_factor"] = {
        "value": GREET_DELIVERY,
        "unit": "dimensionless",
        "source": (
            "Argonne EverBatt 2023.xlsm, sheet 'GREET IO', section 3, cells W56, AA56, AI56 (non-combustion plant "
            "types: 1.0511 mmBtu primary per mmBtu of electricity at the wall outlet)"
        ),
        "note": (
            "GREET plant-type factors are per kWh at the wall outlet; dividing by this factor gives them per kWh "
            "generated, so that national T&D losses are applied once. Reading it as GREET's own T&D loss "
            "(1 - 1/1.0511 = 4.9 %) is our interpretation: the source does not label it."
        ),
    }
    nuc = _ff(ff, "nuclear", "primary_energy_conversion_efficiency")
    params["nuclear_efficiency"] = {
        "value": num(nuc["value"]),
        "unit": "dimensionless",
        "source": "IPCC AR4 WGIII (2007), Figure 4.5 note: IEA convention of 33 % conversion efficiency for nuclear",
        "note": "primary energy of nuclear electricity = 3.6 MJ / nuclear_efficiency",
    }
    for tech in TECHS:
        ftech, item, why = GHG_ROWS[tech]
        r = _ff(ff, ftech, item, "" if tech == "oil" else "")
        if tech == "oil":
            src = (
                "UK Parliamentary Office of Science and Technology (2006) 'Carbon footprint of electricity "
                "generation', as the oil default of Electricity Maps (electricitymaps-contrib config/defaults.yaml "
                "@41204e2); IPCC AR5 Table A.III.2 has no oil row"
            )
        else:
            src = _cite_ipcc(r)
        params[f"ghg_{tech}"] = {
            "value": num(r["value"]),
            "unit": "g/kWh",
            "source": src,
            "note": f"life-cycle GHG per kWh generated, {TECH_NAMES[tech]}" + (f"; {why}" if why else ""),
        }
        key, wnote = WATER_ROWS[tech]
        w = _ff(ff, key, "water_consumption_operational")
        if w["unit"] != "gal/MWh":
            w = next(x for x in ff if x["technology"] == key and x["unit"] == "gal/MWh")
        params[f"water_{tech}"] = {
            "value": num(w["value"]),
            "unit": "gal/MWh",
            "source": (
                "Macknick J, Newmark R, Heath G, Hallett KC (2012) Operational water consumption and withdrawal "
                f"factors for electricity generating technologies, Environ. Res. Lett. 7 045802, median '{key}'"
            ),
            "note": f"operational water consumption, {wnote}; L/kWh = gal/MWh x 3.785411784 / 1000",
        }
        energy: dict[str, float] = {}
        exchanges = [
            {"flow": "ghg-unspecified-co2eq-air", "amount": f"ghg_{tech}", "unit": "g", "source": src},
        ]
        if tech in GREET_PLANT:
            row = next((x for x in grids if x["region"] == GREET_PLANT[tech]), None)
            if row is None:
                raise ReferenceError_(f"electricity_grids.csv: no row {GREET_PLANT[tech]!r}")
            gsrc = f"{row['source']} ({GREET_PLANT[tech]}, per kWh at the wall outlet)"
            for carrier, col in (
                ("coal", "coal_MJ_per_kWh"),
                ("natural-gas", "natural_gas_MJ_per_kWh"),
                ("petroleum", "petroleum_MJ_per_kWh"),
            ):
                v = num(row[col])
                energy[carrier] = float(v) / GREET_DELIVERY
                exchanges.append(
                    {
                        "flow": f"energy-primary-{carrier}",
                        "amount": f"{v} / greet_delivery_factor",
                        "unit": "MJ",
                        "source": gsrc,
                        "formula_note": "GREET plant-type energy per kWh delivered, converted to per kWh generated",
                    }
                )
            tot, fos = num(row["total_energy_MJ_per_kWh"]), num(row["fossil_energy_MJ_per_kWh"])
            energy["non-fossil"] = (float(tot) - float(fos)) / GREET_DELIVERY
            exchanges.append(
                {
                    "flow": "energy-primary-non-fossil",
                    "amount": f"({tot} - {fos}) / greet_delivery_factor",
                    "unit": "MJ",
                    "source": gsrc,
                    "formula_note": "GREET total - fossil energy, per kWh generated (GREET has no non-fossil row)",
                }
            )
            enote = (
                "Primary energy: GREET 2022 plant-type energy (U.S. fleet efficiencies and fuel chains; national "
                "thermal efficiencies were not available in a citable form), per kWh generated."
            )
        elif tech == "nuclear":
            energy["non-fossil"] = 3.6 / float(params["nuclear_efficiency"]["value"])
            exchanges.append(
                {
                    "flow": "energy-primary-non-fossil",
                    "amount": "3.6 / nuclear_efficiency",
                    "unit": "MJ",
                    "source": params["nuclear_efficiency"]["source"],
                    "formula_note": "1 kWh = 3.6 MJ of electricity at 33 % thermal efficiency",
                }
            )
            enote = "Primary energy: IEA physical energy content convention, 33 % efficiency (10.9 MJ/kWh)."
        else:
            energy["non-fossil"] = 3.6
            exchanges.append(
                {
                    "flow": "energy-primary-non-fossil",
                    "amount": 3.6,
                    "unit": "MJ",
                    "source": (
                        "physical energy content method (IEA/Eurostat; EEA): electricity from hydro and wind is "
                        "counted as primary energy, 1 kWh = 3.6 MJ"
                    ),
                    "formula_note": (
                        "quoted for hydro and wind; applied to solar and other renewables by the same convention "
                        "(no efficiency for geothermal was available)"
                    ),
                }
            )
            enote = "Primary energy: 3.6 MJ/kWh (physical energy content, electricity counted as primary)."
        exchanges.append(
            {
                "flow": "water-consumption",
                "amount": f"water_{tech} * 3.785411784 / 1000",
                "unit": "L",
                "source": params[f"water_{tech}"]["source"],
                "formula_note": "gal/MWh -> L/kWh",
            }
        )
        factors[tech] = TechFactors(
            float(params[f"ghg_{tech}"]["value"]), float(params[f"water_{tech}"]["value"]), energy
        )
        datasets.append(
            {
                "id": f"electricity-technology-{tech}",
                "name": f"Electricity generated from {TECH_NAMES[tech]}, per kWh generated (generic factors)",
                "location": "GLO",
                "stage": "energy",
                "unit": "kWh",
                "note": (
                    "Generic technology factors per kWh generated, used to build national mixes. GHG: life-cycle "
                    f"CO2-eq (one total, flow ghg-unspecified-co2eq-air; the source's GWP basis is AR5). {enote} "
                    "Water: operational consumption only (upstream water is not included)."
                ),
                "exchanges": exchanges,
            }
        )
    return params, factors, datasets
