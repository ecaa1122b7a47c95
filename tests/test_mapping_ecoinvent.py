"""The shipped ecoinvent 3.10 cut-off mapping, checked entry by entry against packaged lists.

Oracles (none shares code with cathode-lca):
- activities: the ecoinvent 3.10 cut-off activity list that PRé made (SimaPro 9 -> ecoinvent 3.10
  cut-off migration, 23,523 activities, "target" side) as shipped by the PyPI package
  ``randonneur_data`` (file ``simapro-ecoinvent-3.10-cutoff.gz``). It has name, reference product
  and location, no unit; units are checked against the ecoinvent cut-off migration files of the
  same package wherever they state the unit of the same reference product.
- elementary flows: the ecoinvent 3.9 biosphere list shipped by bw2io
  (``data/lci/ecoinvent elementary flows 3.9.xml``) with the 3.9.1 -> 3.10 renames from
  ``randonneur_data`` (``ecoinvent-3.9.1-biosphere-ecoinvent-3.10-biosphere``) applied.
- factors: ecoinvent's LCIA implementation 3.9 shipped by bw2io (``data/lcia/lcia_39_ecoinvent.zip``):
  IPCC 2021 GWP-100 and the Cumulative Energy Demand heating values (HHV).
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cathode_lca.brightway.background import background_datasets, load_mapping
from cathode_lca.brightway.background_mapping import same_unit
from cathode_lca.lca import default_model

pytestmark = [pytest.mark.slow, pytest.mark.brightway]  # bw2io's lists; ~30 s on 2 busy cores


# bw2io (~3 s to import) and the mapping are loaded on first use, not at collection: every pytest
# worker collects this module, also when ``-m "not slow"`` deselects all of it.
@cache
def _randonneur() -> Path:
    import randonneur_data  # in the 'test' extra: a missing package fails the tests, it does not skip them

    return Path(randonneur_data.__file__).parent / "data"


@cache
def _bw2io() -> Path:
    import bw2io  # in the 'test' extra

    return Path(bw2io.__file__).parent / "data"


@cache
def _mapping():
    return load_mapping("ecoinvent-3.10-cutoff")


def _json(name: str) -> dict:
    path = _randonneur() / name
    if path.suffix == ".gz":
        return json.loads(gzip.open(path).read())
    return json.loads(path.read_text())


@cache
def activities_310() -> set[tuple[str, str, str]]:
    data = _json("simapro-ecoinvent-3.10-cutoff.gz")
    assert data["target_id"] == "ecoinvent-3.10-cutoff"
    return {(r["target"]["name"], r["target"]["reference product"], r["target"]["location"]) for r in data["replace"]}


@cache
def product_units() -> dict[str, set[str]]:
    """Reference product -> units stated in the packaged ecoinvent cut-off migration files."""
    units: dict[str, set[str]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "unit" in node and "reference product" in node:
                units.setdefault(node["reference product"], set()).add(node["unit"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in (
        "ecoinvent-3.7.1-cutoff-ecoinvent-3.8-cutoff.json",
        "ecoinvent-3.8-cutoff-ecoinvent-3.9-cutoff.gz",
        "ecoinvent-3.9.1-cutoff-ecoinvent-3.10-cutoff.gz",
        "ecoinvent-3.10.1-cutoff-ecoinvent-3.11-cutoff.gz",
    ):
        walk(_json(name))
    return units


@cache
def renames_310() -> dict[str, str]:
    """Elementary-flow names renamed from ecoinvent 3.9.1 to 3.10 (old -> new)."""
    data = _json("ecoinvent-3.9.1-biosphere-ecoinvent-3.10-biosphere.gz")
    pairs = ((r["source"].get("name"), r["target"].get("name")) for r in data["replace"])
    return {old: new for old, new in pairs if old and new and old != new}


@cache
def biosphere_310() -> dict[str, dict[tuple[str, ...], str]]:
    """Flow name -> {categories: unit} of the ecoinvent 3.10 biosphere (3.9 list + 3.10 renames)."""
    tree = ElementTree.parse(_bw2io() / "lci" / "ecoinvent elementary flows 3.9.xml")
    flows: dict[str, dict[tuple[str, ...], str]] = {}
    for el in tree.getroot().iter():
        if not el.tag.endswith("elementaryExchange"):
            continue
        parts = {child.tag.rsplit("}", 1)[-1]: child for child in el}
        comp = {c.tag.rsplit("}", 1)[-1]: c.text for c in parts["compartment"]}
        cats = (comp["compartment"] or "", comp["subcompartment"] or "")
        flows.setdefault(parts["name"].text or "", {})[cats] = parts["unitName"].text or ""
    for old, new in renames_310().items():
        if old in flows:
            flows.setdefault(new, {}).update(flows.pop(old))
    return flows


@cache
def lcia_39() -> dict[tuple[str, ...], dict[str, float]]:
    data = json.loads(zipfile.ZipFile(_bw2io() / "lcia" / "lcia_39_ecoinvent.zip").read("data.json"))
    return {tuple(m["name"]): {e["name"]: float(e["amount"]) for e in m["exchanges"]} for m in data}


def test_every_dataset_entry_is_an_ecoinvent_310_cutoff_activity():
    known = activities_310()
    assert len(known) > 20000
    missing = [
        f"{d} (line {s.line}): {s.name} | {s.reference_product} | {s.location}"
        for d, s in _mapping().datasets.items()
        if (s.name, s.reference_product, s.location) not in known
    ]
    assert missing == []


def test_the_list_catches_the_two_entries_that_were_wrong():
    known = activities_310()
    assert ("market for pig iron", "pig iron", "GLO") not in known  # RoW/RER only since 3.7
    naoh = "sodium hydroxide, without water, in 50% solution state"
    assert ("market for " + naoh, naoh, "GLO") not in known  # split into RoW/RER in 3.10
    assert _mapping().datasets["iron-greet2022"].location == "RoW"
    assert _mapping().datasets["sodium-hydroxide-greet2022"].location == "RoW"


def test_every_dataset_entry_states_a_unit_that_the_packaged_files_confirm_where_they_state_one():
    units = product_units()
    inventory = default_model().inventory
    checked = 0
    for dataset_id, sel in _mapping().datasets.items():
        assert sel.unit, f"{dataset_id}: no unit"
        known = units.get(sel.reference_product or "")
        if known:
            assert any(same_unit(sel.unit, u) for u in known), (dataset_id, sel.unit, known)
            checked += 1
        # our unit converts to theirs without a 'convert:' only when they measure the same thing
        ours = inventory.datasets[dataset_id].unit
        assert sel.convert is not None or same_unit(ours, sel.unit), (dataset_id, ours, sel.unit)
    assert checked >= 30  # electricity, transport, heat and several chemicals are stated in the files


def test_every_background_dataset_is_mapped_or_a_fallback_with_a_reason():
    inventory = default_model().inventory
    background = background_datasets(inventory)
    assert set(_mapping().datasets) <= set(background)
    uncovered = [d for d in background if d not in _mapping().datasets and _mapping().fallback_reason(d) is None]
    assert uncovered == []
    for pattern, entry in _mapping().fallback.items():
        assert entry.reason and len(entry.reason) > 20, pattern
        matched = [d for d in background if fnmatch.fnmatchcase(d, pattern)]
        assert matched, f"fallback '{pattern}' (line {entry.line}) matches no background dataset"
        assert not set(matched) & set(_mapping().datasets), pattern
    # the examples with a 3.10 equivalent are mapped, not fallbacks
    for dataset_id in ("cobalt-oxide-greet2022", "cobalt-sulfate-greet2022", "soda-ash-greet2022", "lime-greet2022"):
        assert dataset_id in _mapping().datasets
    assert _mapping().datasets["electricity-grid-cd"].location == "CD"


def test_every_flow_entry_names_an_ecoinvent_310_elementary_flow_with_its_unit():
    flows = biosphere_310()
    assert "Coal, hard" in flows and "Coal, hard, unspecified" not in flows  # the 3.10 rename applied
    for sel in [*_mapping().flows, *_mapping().ignore]:
        assert sel.name in flows, f"line {sel.line}: no elementary flow '{sel.name}' in ecoinvent 3.10"
        cats = flows[sel.name]
        if sel.categories is not None:
            wanted = tuple(c for c in sel.categories if c != "unspecified")  # bw2io drops 'unspecified'
            hits = [c for c in cats if tuple(x for x in c if x != "unspecified")[: len(wanted)] == wanted]
            assert hits, f"line {sel.line}: '{sel.name}' has no categories {sel.categories} ({sorted(cats)})"
        if sel.unit is not None:
            assert all(same_unit(sel.unit, u) for u in cats.values()), (sel.name, sel.unit, set(cats.values()))


def test_greenhouse_gas_factors_are_the_ipcc_2021_gwp100_of_ecoinvents_lcia_implementation():
    gwp39 = lcia_39()[("IPCC 2021", "climate change", "global warming potential (GWP100)")]
    gwp = {renames_310().get(name, name): value for name, value in gwp39.items()}  # 3.10 flow names
    ghg = [s for s in _mapping().flows if s.flow == "ghg-unspecified-co2eq-air"]
    assert {s.name for s in ghg} >= {  # SF6, CF4, C2F6, NF3, HFC-134a under their 3.10 names
        "Sulfur hexafluoride",
        "Tetrafluoromethane",
        "Hexafluoroethane",
        "Nitrogen fluoride",
        "1,1,1,2-Tetrafluoroethane",
    }
    for sel in ghg:
        assert sel.factor == gwp[sel.name] and sel.convert is None, sel.name
    for flow_id, name in [
        ("co2-fossil-air", "Carbon dioxide, from soil or biomass stock"),
        ("co2-fossil-air", "Carbon dioxide, to soil or biomass stock"),
        ("ch4-fossil-air", "Methane, from soil or biomass stock"),
    ]:
        sel = next(s for s in _mapping().flows if s.name == name)
        assert sel.flow == flow_id
        ours = {"co2-fossil-air": 1.0, "ch4-fossil-air": 29.8}[flow_id]  # methods/ipcc2021-gwp100.yaml
        assert sel.factor * ours == pytest.approx(gwp[name])
    assert gwp.get("Carbon dioxide, non-fossil", 0.0) == 0.0  # ignored: biogenic CO2
    assert any(s.name == "Carbon dioxide, non-fossil" for s in _mapping().ignore)


def test_fossil_and_uranium_heating_values_are_the_ced_factors_of_ecoinvents_lcia_implementation():
    ced = lcia_39()
    fossil = ced[("Cumulative Energy Demand (CED)", "energy resources: non-renewable, fossil", "energy content (HHV)")]
    nuclear = ced[
        ("Cumulative Energy Demand (CED)", "energy resources: non-renewable, nuclear", "energy content (HHV)")
    ]
    hhv = {renames_310().get(k, k): v for k, v in {**fossil, **nuclear}.items()}  # 'Coal, hard' in 3.10
    energy = [s for s in _mapping().flows if s.flow and s.flow.startswith("energy-primary-") and s.convert is not None]
    assert {s.name for s in energy} == set(hhv)  # every CED fossil/nuclear resource is mapped
    for sel in energy:
        assert sel.convert == hhv[sel.name] and sel.factor == 1.0, sel.name
    assert next(s for s in energy if s.name == "Uranium").flow == "energy-primary-non-fossil"


def test_water_released_to_every_freshwater_compartment_is_subtracted():
    water = {s.categories: s for s in _mapping().flows if s.name == "Water"}
    for cats in [("water", "surface water"), ("water", "ground-"), ("water", "ground-, long-term"), ("water",)]:
        assert cats in water and water[cats].factor == -1 and water[cats].flow == "water-consumption", cats
    assert water[("water",)].exact  # not a prefix: ('water', 'ocean') is ignored, not subtracted
    ocean = {"name": "Water", "categories": ("water", "ocean"), "database": "b", "code": "x"}
    assert [s for s in _mapping().flows if s.matches(ocean)] == []
    assert any(s.matches(ocean) for s in _mapping().ignore)


def test_the_311_mapping_is_the_310_mapping_moved_by_ecoinvents_own_migration():
    """randonneur_data has no 3.11 list, only ecoinvent's 3.10.1 -> 3.11 migration: every 3.11 entry
    is its 3.10 entry, or the migration's target (one of them, for a split) with the stated unit."""
    new = load_mapping("ecoinvent-3.11-cutoff")
    migration = _json("ecoinvent-3.10.1-cutoff-ecoinvent-3.11-cutoff.gz")
    assert migration["target_id"].startswith("ecoinvent-3.11")

    def key(node: dict) -> tuple[str, str, str]:
        return (node["name"], node["reference product"], node["location"])

    moves: dict[tuple[str, str, str], list[dict]] = {}
    for row in migration["replace"]:
        moves.setdefault(key(row["source"]), []).append(row["target"])
    for row in migration["disaggregate"]:
        moves.setdefault(key(row["source"]), []).extend(row["targets"])
    assert set(new.datasets) == set(_mapping().datasets) and new.fallback.keys() == _mapping().fallback.keys()
    moved = 0
    for dataset_id, old in _mapping().datasets.items():
        sel = new.datasets[dataset_id]
        here = (sel.name, sel.reference_product, sel.location)
        targets = moves.get((old.name or "", old.reference_product or "", old.location or ""))
        if targets is None:
            assert here == (old.name, old.reference_product, old.location) and sel.unit == old.unit, dataset_id
            continue
        match = [t for t in targets if key(t) == here]
        assert match, (dataset_id, here, [key(t) for t in targets])
        assert same_unit(sel.unit or "", match[0]["unit"]), dataset_id
        moved += 1
    assert moved == 4  # three transport markets renamed (the trucks are not mapped), LiPF6 GLO split into CN/RoW
    # the flows are unchanged, and ecoinvent's 3.10.1 -> 3.11 biosphere migration renames none of them
    assert [(s.flow, s.name, s.categories, s.factor, s.convert) for s in new.flows] == [
        (s.flow, s.name, s.categories, s.factor, s.convert) for s in _mapping().flows
    ]
    biosphere = _json("ecoinvent-3.10.1-biosphere-ecoinvent-3.11-biosphere.json")
    renamed = {r["source"].get("name") for r in biosphere["replace"]}
    assert not renamed & {s.name for s in [*new.flows, *new.ignore]}
