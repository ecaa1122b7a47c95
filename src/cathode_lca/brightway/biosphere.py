"""Our elementary flows in the ecoinvent biosphere (``biosphere3``) and our methods under standard names.

The export links every flow that has an exact twin in the ecoinvent elementary-flow list (same
substance, same compartment, same unit) to that flow's biosphere3 UUID, so that ecoinvent,
EF 3.1 or ReCiPe methods apply to the exported activities and they combine with an ecoinvent
database in the same project. Flows without an exact twin stay in the small supplementary
database ``<prefix> biosphere``; :data:`NO_TWIN` says why for each shipped flow.

Where the target project has no ``biosphere3``, :func:`ensure_biosphere3` writes the *complete*
list that bw2io ships offline (ecoinvent 3.9 elementary flows, 4,709 flows, the same list
``bw2io.bw2setup()`` installs), never a subset: a partial ``biosphere3`` would make
``bw2setup()`` and ecoinvent imports skip creating the real one later. Nothing is downloaded.

The twins below are checked against bw2io's offline list by
``tests/test_brightway_biosphere.py`` (name, categories, unit and UUID).

Examples
--------
>>> TWINS["co2-fossil-air"].code
'349b29d1-3e58-4c66-98b9-9d1a076efd2e'
>>> STANDARD_METHODS["ipcc2021-gwp100"]
('IPCC 2021', 'climate change', 'global warming potential (GWP100)')
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from .project import import_bw2data

BIOSPHERE3 = "biosphere3"
BIOSPHERE3_SOURCE = "ecoinvent 3.9 elementary flows as shipped offline by bw2io ('ecoinvent elementary flows 3.9.xml')"


@dataclass(frozen=True)
class Twin:
    """A biosphere3 flow that is exactly one of ours (unit factor 1)."""

    name: str
    categories: tuple[str, ...]
    unit: str  # Brightway unit name, as in biosphere3
    code: str  # biosphere3 UUID


TWINS: dict[str, Twin] = {
    "co2-fossil-air": Twin("Carbon dioxide, fossil", ("air",), "kilogram", "349b29d1-3e58-4c66-98b9-9d1a076efd2e"),
    "ch4-fossil-air": Twin("Methane, fossil", ("air",), "kilogram", "0795345f-c7ae-410c-ad25-1845784c75f5"),
    "ch4-biogenic-air": Twin("Methane, non-fossil", ("air",), "kilogram", "da1157e2-7593-4dfd-80dd-a3449b37a4d8"),
    "n2o-air": Twin("Dinitrogen monoxide", ("air",), "kilogram", "20185046-64bb-4c09-a8e7-e8a9e144ca98"),
}
"""Our flow id -> its exact biosphere3 twin (``('air',)`` is ecoinvent's 'air, unspecified')."""

_ENERGY = (
    "ecoinvent inventories fossil energy as resource masses/volumes in the ground (e.g. 'Coal, hard', kg; "
    "'Gas, natural, in ground', m3), not as MJ of primary energy; converting needs heating values "
    "that our sources do not give"
)
_LOSS = (
    "a metal lost to slag, residue or effluent is a waste stream of the mass balance, not an emission to a "
    "compartment; biosphere3 has no 'waste' compartment"
)

NO_TWIN: dict[str, str] = {
    "ghg-unspecified-co2eq-air": "a provider's CO2-eq total (e.g. Ember grid intensity) is not one substance",
    "energy-primary-coal": _ENERGY,
    "energy-primary-natural-gas": _ENERGY,
    "energy-primary-petroleum": _ENERGY,
    "energy-primary-non-fossil": (
        "GREET's non-fossil total (nuclear, hydro, wind, solar, biomass) is a sum of several ecoinvent "
        "resources ('Energy, kinetic (in wind), converted', 'Uranium', ...) in different units"
    ),
    "water-consumption": (
        "ecoinvent inventories water withdrawn (resource, m3) and released (emission, m3) separately; "
        "consumption is their difference, not one flow"
    ),
    "nickel-loss-waste": _LOSS,
    "cobalt-loss-waste": _LOSS,
    "lithium-loss-waste": _LOSS,
    "manganese-loss-waste": _LOSS,
}
"""Shipped flows kept in the supplementary ``<prefix> biosphere`` database, with the reason."""

STANDARD_METHODS: dict[str, tuple[str, str, str]] = {
    "ipcc2021-gwp100": ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
}
"""Our method id -> the name bw2io/ecoinvent give the same method (same factors on every linked flow)."""

NO_STANDARD_METHOD: dict[str, str] = {
    "ipcc2013-gwp100": (
        "ours uses AR5 Table 8.7 without climate-carbon feedback (CH4 fossil 30, non-fossil 28, N2O 265); "
        "bw2io's ('IPCC 2013', 'climate change', 'global warming potential (GWP100)') uses 29.7, 28.5 and 264.8"
    ),
    "ced": "ecoinvent's 'Cumulative Energy Demand (CED)' characterises resources in kg/m3 by HHV; ours counts "
    "GREET primary-energy MJ 1:1",
    "ced-fossil": "as for ced",
    "ced-non-fossil": "as for ced",
    "water": "no bw2io/ecoinvent method counts water consumption volume (withdrawal minus release)",
}
"""Shipped methods registered under our names only, with the reason."""


def biosphere3_flows() -> list[dict[str, object]]:
    """The ecoinvent 3.9 elementary flows that bw2io ships offline, as bw2data activity dicts.

    Units are Brightway names (``kilogram``), categories tuples with 'unspecified' dropped
    (bw2io's own strategies), codes the biosphere3 UUIDs.
    """
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        from bw2io.importers import Ecospold2BiosphereImporter

        importer = Ecospold2BiosphereImporter(name=BIOSPHERE3)
        importer.apply_strategies(verbose=False)
    return list(importer.data)


def ensure_biosphere3(name: str = BIOSPHERE3) -> bool:
    """Create *name* in the current project from bw2io's offline list if it is missing.

    Returns whether it was created. Only the default name ``biosphere3`` can be created (a
    differently named database is assumed to be the user's own).
    """
    bd = import_bw2data()
    if name in bd.databases:
        return False
    if name != BIOSPHERE3:
        raise UsageError(
            f"the Brightway project has no biosphere database '{name}'",
            hint="give --biosphere biosphere3 (created from bw2io's offline list if missing) or the name of "
            "an existing ecoinvent biosphere database, or --biosphere none for a private biosphere",
        )
    data = {(name, flow["code"]): {k: v for k, v in flow.items() if k != "database"} for flow in biosphere3_flows()}
    db = bd.Database(name)
    db.register(format="Ecoinvent XML", description=BIOSPHERE3_SOURCE + "; written by cathode-lca")
    db.write(data, check_typos=False)
    return True


def check_twins(database: str, links: dict[str, str]) -> None:
    """Every linked flow exists in *database* under its code, with the expected unit.

    *links* maps our flow id to the biosphere3 code. A missing or different flow is a
    :class:`UsageError` naming it.
    """
    from bw2data.backends import ActivityDataset as AD

    rows = {
        code: data
        for code, data in AD.select(AD.code, AD.data)
        .where((AD.database == database) & (AD.code << list(links.values())))
        .tuples()
    }
    for flow_id, code in sorted(links.items()):
        twin = TWINS[flow_id]
        data = rows.get(code)
        if data is None or data.get("unit") != twin.unit:
            found = "missing" if data is None else f"unit '{data.get('unit')}'"
            raise UsageError(
                f"biosphere database '{database}' has no flow {code} ('{twin.name}', {twin.unit}) for our "
                f"'{flow_id}' ({found})",
                hint="use an ecoinvent 3.x biosphere (bw2io's biosphere3), or --biosphere none for a private one",
            )
