"""Everything the declaration needs from the LCA model, as plain numbers with their provenance.

:func:`collect_model_data` runs the model calculations for a battery spec and returns a
:class:`ModelData`; :func:`cathode_lca.passport.declaration.assemble` then builds the
declaration from it with no further model access (so tests can build a hand-solvable
``ModelData``).

Every burden is a vector ``[total, fossil, biogenic, land_use]`` in kg CO2-eq (IPCC AR6
GWP100): the climate sub-indicators are the shipped GWP factors restricted to the fossil
(CO2 fossil, CH4 fossil) and biogenic (CH4 non-fossil) flows. N2O and provider totals
(``ghg-unspecified-co2eq-air``) cannot be split and stay only in the total; no dataset carries
land-use flows, so ``land_use`` is 0 for modelled data.

Which dataset gives each CFF term (per kg of the element; ``<salt>`` is nickel-sulfate,
cobalt-sulfate, manganese-sulfate, or the chemistry's lithium salt):

- ``EV``  = ``<salt>-virgin`` (allocation none) / element content of the salt, with the virgin
  route of the sourcing mix; the cathode-plant region.
- ``E*V`` = ``<salt>-virgin`` with the inventory's default virgin route and EU-average electricity
  (CF Rules Table 10 p.67: an EU-specific dataset, not the maker's own sourcing).
- ``Erecycled`` = ``<salt>-recycled-<route>`` / content, allocation by the CF Rules §5 price-ratio
  test, feed type ``manufacturing-scrap`` (pre-consumer) or ``cells`` (post-consumer), at the
  recycled supplier's region; share-weighted over pre- and post-consumer inputs.
- ``ErecyclingEoL`` = ``<salt>-recycled-<eol route>`` / content, the same allocation rule, the
  end-of-life feed type and the recycler's region.
- The rest of cathode production (pCAM and CAM steps, other reagents, plant energy) =
  ``cam-<chem>-virgin`` minus the virgin salts of the CFF materials, stage tag by stage tag.

Examples
--------
>>> data = collect_model_data(spec, get_rules("cff-jrc-a0.2-bp-r2"), default_model())   # doctest: +SKIP
>>> data.materials["Ni"].e_v[0]                                                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalogue import catalogue_of, element_content, inputs_per_unit
from ..documents import sources
from ..errors import UsageError
from .electricity import plant_electricity
from .model_quality import Group, rate_products
from .model_values import burdens, climate_methods, vec
from .rules import GWP_METHOD, RuleSet
from .spec import BatterySpec

if TYPE_CHECKING:
    from ..lca import LCAModel

VECTOR = ("total", "fossil", "biogenic", "land_use")


@dataclass
class MaterialData:
    """Per-kg burdens and masses of one CFF material (an element of the cathode active material)."""

    element: str
    input_per_kg_cam: float
    product_per_kg_cam: float
    e_v: np.ndarray
    e_v_star: np.ndarray
    e_recycled_pre: np.ndarray | None = None
    e_recycled_post: np.ndarray | None = None
    e_recycling_eol: np.ndarray | None = None
    eol_yield: float = 0.0
    datasets: dict[str, str] = field(default_factory=dict)
    dataset_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ModelData:
    """Model results for one battery spec (see module docstring)."""

    chemistry: str
    cam_dataset: str
    cam_per_kg: np.ndarray
    cam_rest_by_tag: dict[str, np.ndarray]
    materials: dict[str, MaterialData]
    dataset_burdens: dict[str, np.ndarray] = field(default_factory=dict)
    dataset_units: dict[str, str] = field(default_factory=dict)
    transport_per_tkm: dict[str, np.ndarray] = field(default_factory=dict)
    recycler: dict[str, Any] = field(default_factory=dict)
    allocations: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Contribution-weighted DQR rating of every product behind a line item (see .model_quality, .compliance.dqr).
    quality: dict[str, Any] = field(default_factory=dict)
    #: Which electricity mix each plant used (see .electricity).
    electricity: dict[str, Any] = field(default_factory=dict)
    eol: Any = None  # EoLData (see .eol_data); None: no pack-level end-of-life data (hand-built data)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Small helpers around the engine
# ---------------------------------------------------------------------------------------------
def _env(model: LCAModel, parameters: Mapping[str, Any]) -> dict[str, Any]:
    return model.parameters.evaluate(dict(parameters))


# ---------------------------------------------------------------------------------------------
# The battery's cathode: salts, rest of production
# ---------------------------------------------------------------------------------------------
def salt_of(model: LCAModel, element: str, chem_key: str, env: Mapping[str, Any]) -> str:
    """Battery-grade salt (product id stem) that brings *element* into the cathode of *chem_key*."""
    return catalogue_of(model).salt_for(model, element, chem_key, env)


def check_region(model: LCAModel, spec: BatterySpec, region: str, loc: tuple[Any, ...]) -> None:
    choices = model.parameters.parameters[model.parameters.key("plant_region")].choices
    if region not in choices:
        raise spec.error(
            loc,
            f"unknown plant region '{region}'",
            "choose one of: " + ", ".join(choices) + " (or enter the part as a supplier value)",
        )


def base_parameters(model: LCAModel, spec: BatterySpec) -> dict[str, Any]:
    """Model parameters of the cathode plant: user overrides, virgin routes, plant region."""
    params: dict[str, Any] = dict(spec.model_parameters)
    virgin_route_parameters = catalogue_of(model).virgin_route_parameters
    for el, mix in spec.sourcing.items():
        route = mix.virgin.route
        if route is None or el not in virgin_route_parameters:
            continue
        name = virgin_route_parameters[el]
        choices = model.parameters.parameters[model.parameters.key(name)].choices
        if route not in choices:
            raise spec.error(
                ("sourcing", el, "virgin", "route"),
                f"unknown virgin route '{route}' for {el}",
                "choose one of: " + ", ".join(choices),
            )
        params[name] = route
    region = spec.electricity.cathode_plant.region
    check_region(model, spec, region, ("electricity", "cathode_plant", "region"))
    params["plant_region"] = region
    updates, _, _ = plant_electricity(model, "cathode plant", spec.electricity.cathode_plant, region)
    params.update(updates)
    params["feed_chemistry"] = spec.battery.chemistry
    return params


def collect_model_data(spec: BatterySpec, rules: RuleSet, model: LCAModel) -> ModelData:
    """Run every model calculation a declaration of *spec* needs (*rules* do not change them today)."""
    from .recycler_checks import allocation_by_price_ratio, annex_xii_checks, route_recovery

    chem = spec.battery.chemistry
    chem_key = chem.lower()
    cam_id = f"cam-{chem_key}-virgin"
    if cam_id not in model.inventory.datasets:
        raise spec.error(
            ("battery", "chemistry"),
            f"the inventory has no dataset '{cam_id}'",
            "use a chemistry of the shipped inventories or add the dataset",
        )
    params = base_parameters(model, spec)
    env = _env(model, params)
    elements = [el for el in spec.cam_elements if el in ("Ni", "Co", "Li", "Mn")]
    salts = {el: salt_of(model, el, chem_key, env) for el in elements}
    inputs = inputs_per_unit(model, cam_id, env)  # kg of each input per kg CAM, through its pCAM

    # 1. virgin CAM and the virgin salts of the CFF materials, by stage tag
    virgin_salts = [f"{salts[el]}-virgin" for el in elements]
    total, by_tag, attrs = burdens(model, [cam_id, *virgin_salts], params)
    rest = {tag: v.copy() for tag, v in by_tag[cam_id].items()}
    materials: dict[str, MaterialData] = {}
    for el in elements:
        salt = f"{salts[el]}-virgin"
        amount = inputs.get(salt, 0.0)
        if amount <= 0:
            raise UsageError(f"{cam_id} has no input of {salt}", hint="check the cathode inventory")
        content = element_content(model, salt, el, env)
        for tag, v in by_tag[salt].items():
            rest[tag] = rest.get(tag, vec(0.0)) - amount * v
        e_v = total[salt] / content
        materials[el] = MaterialData(
            element=el,
            input_per_kg_cam=amount * content,
            product_per_kg_cam=element_content(model, cam_id, el, env),
            e_v=e_v,
            e_v_star=e_v.copy(),
            datasets={
                "E_v": f"{salt} (allocation none) / {content:.6g} kg {el} per kg salt",
                "E_v_star": f"{salt}, as E_v (no EU-specific dataset)",
                "mass": f"{cam_id}: {amount:.6g} kg {salt} per kg CAM x {content:.6g} kg {el}/kg",
            },
            dataset_ids={"virgin": (salt,), "recycled_input": (), "recycling_eol": ()},
        )
    # E*V: the EU-specific virgin salt (default route, EU grid), not the maker's own sourcing
    from .eol_data import EOL_DEFAULT_REGION

    virgin_params = dict(spec.model_parameters, plant_region=EOL_DEFAULT_REGION, feed_chemistry=chem)
    env_star = _env(model, virgin_params)
    star_salts = {el: f"{salt_of(model, el, chem_key, env_star)}-virgin" for el in elements}
    star, _, _ = burdens(model, list(star_salts.values()), virgin_params)
    for el in elements:
        salt = star_salts[el]
        materials[el].e_v_star = star[salt] / element_content(model, salt, el, env_star)
        materials[el].datasets["E_v_star"] = (
            f"{salt} with the inventory's default virgin route and EU-average electricity (CF Rules Table 10 p.67: "
            "E*V is an EU-specific dataset; no EF EU dataset in cathode-lca, this is the closest proxy)"
        )
        materials[el].dataset_ids["virgin_star"] = (salt,)
    scale = max(1.0, float(abs(total[cam_id][0])))
    rest = {tag: v for tag, v in rest.items() if np.any(np.abs(v) > 1e-12 * scale)}  # drop round-off residuals
    src = {"cathode": sources(model, [cam_id], "none")}
    run_params: dict[str, dict[str, Any]] = {"cathode": dict(params)}
    allocations: dict[str, Any] = {}

    # 2. recycled inputs (Erecycled), by share
    rated: list[Group] = []  # products to rate for the DQR, with their parameters and allocation
    for el in elements:
        mix = spec.sourcing.get(el)
        if mix is None:
            continue
        for share_name, feed_type in (("pre_consumer", "manufacturing-scrap"), ("post_consumer", "cells")):
            share = getattr(mix, share_name)
            if share.percent == 0 or share.e_recycled is not None:
                continue
            region = share.region or spec.electricity.recycler.region
            check_region(model, spec, region, ("sourcing", el, share_name, "region"))
            p = dict(
                params, plant_region=region, feed_type=feed_type, feed_chemistry=(share.feed_chemistry or chem).upper()
            )
            vector, label, alloc, used = _recycled_salt_burden(
                model, spec, el, salts[el], share.route, p, ("sourcing", el, share_name, "route")
            )
            setattr(materials[el], f"e_recycled_{share_name.split('_')[0]}", vector)
            rated.append(([used], p, alloc["allocation"]))
            materials[el].datasets[f"E_recycled_{share_name}"] = label
            materials[el].dataset_ids["recycled_input"] += (used,)
            allocations[f"{el}:{share_name}"] = alloc
            run_params[f"{el}:{share_name}"] = p
            src.setdefault("recycled inputs", [])
            src["recycled inputs"] = sorted(
                set(src["recycled inputs"]) | set(sources(model, [used], alloc["allocation"]))
            )

    # 3. end of life: recovery, Annex XII, ErecyclingEoL
    from .eol_data import COLLECTION_DATASET, collect_eol_data, eol_region

    electricity: dict[str, Any] = {}
    _, electricity["cathodePlant"], warn_cathode = plant_electricity(
        model, "cathode plant", spec.electricity.cathode_plant, spec.electricity.cathode_plant.region
    )

    eol = spec.end_of_life
    region, region_rule, region_warning = eol_region(spec)
    model_warnings = [region_warning] if region_warning else []
    check_region(model, spec, region, ("end_of_life", "region"))
    p_eol = dict(params, plant_region=region, feed_type=eol.feed_type, feed_chemistry=chem)
    eol_updates, electricity["recycler"], warn_recycler = plant_electricity(
        model, "end-of-life recycler", spec.electricity.recycler, region
    )
    p_eol.update(eol_updates)
    model_warnings += [w for w in (warn_cathode, warn_recycler) if w]
    env_eol = _env(model, p_eol)
    recovery = route_recovery(model, eol.route, env_eol)
    annex = annex_xii_checks(recovery)
    alloc_eol = allocation_by_price_ratio(model, eol.route, env_eol)
    allocations["end-of-life"] = alloc_eol
    run_params["end-of-life"] = p_eol
    yields = recovery.active_yield
    eol_products = []
    for el in elements:
        materials[el].eol_yield = yields.get(el, 0.0)
        product = f"{salts[el]}-recycled-{eol.route}"
        if materials[el].eol_yield > 0 and product in model.inventory.products:
            eol_products.append((el, product))
        elif materials[el].eol_yield > 0:
            materials[el].eol_yield = 0.0
            materials[el].datasets["E_recycling_eol"] = f"no battery-grade {salts[el]} from the {eol.route} route"
    if eol_products:
        tot, eol_tags, _ = burdens(model, [p for _, p in eol_products], p_eol, alloc_eol["allocation"])
        for el, product in eol_products:
            content = element_content(model, product, el, env_eol)
            collection = eol_tags[product].get("collection-transport", vec(0.0))
            materials[el].e_recycling_eol = (tot[product] - collection) / content
            materials[el].dataset_ids["recycling_eol"] = (product,)
            materials[el].datasets["E_recycling_eol"] = (
                f"{product} ({alloc_eol['allocation']} allocation, feed {eol.feed_type}, region {region}), "
                f"collection and transport removed (charged to the battery as its own line item) / "
                f"{content:.6g} kg {el} per kg salt"
            )
        src["end of life"] = sources(model, [p for _, p in eol_products], alloc_eol["allocation"])
    for el in elements:
        materials[el].datasets["R2_yield"] = (
            f"recycling-{eol.route}: recovered {el} / {el} in the cathode active material of the feed "
            f"({eol.feed_type}, {chem})"
        )

    eol_data = collect_eol_data(
        model, p_eol, env_eol, recovery.outputs, alloc_eol["allocation"], region, region_rule, virgin_params
    )

    # 4. datasets named by supplier entries, and transport
    dataset_ids = sorted(
        {e.dataset for c in spec.bill_of_materials.components for e in c.carbon_footprint if e.dataset}
    )
    for c_index, comp in enumerate(spec.bill_of_materials.components):
        for e_index, entry in enumerate(comp.carbon_footprint):
            if entry.dataset and entry.dataset not in model.inventory.products:
                raise spec.error(
                    ("bill_of_materials", "components", c_index, "carbon_footprint", e_index, "dataset"),
                    f"unknown dataset '{entry.dataset}'",
                    "list dataset ids with 'cathode-lca datasets'",
                )
    from .rules import TRANSPORT_DATASETS

    transport_ids = sorted(set(TRANSPORT_DATASETS.values()) & set(model.inventory.products))
    tot, _, _ = burdens(model, dataset_ids + transport_ids, params)
    dataset_burdens = {d: tot[d] for d in dataset_ids}
    dataset_units = {d: model.inventory.product(d).unit for d in dataset_ids}
    transport = {mode: tot[d] for mode, d in TRANSPORT_DATASETS.items() if d in tot}
    if dataset_ids:
        src["supplied datasets"] = sources(model, dataset_ids, "none")
    if transport_ids:
        src["distribution"] = sources(model, transport_ids, "none")

    rated += [
        ([cam_id, *virgin_salts, *dataset_ids, *transport_ids], params, "none"),
        (list(star_salts.values()), virgin_params, "none"),
        ([p for _, p in eol_products], p_eol, alloc_eol["allocation"]),
        ([COLLECTION_DATASET], p_eol, "none"),
        (eol_data.rated_products(), p_eol, alloc_eol["allocation"]),
        (eol_data.substitutes(), virgin_params, "none"),
    ]
    metadata = {
        "package_version": attrs.get("package_version", ""),
        "inventory_hash": attrs.get("inventory_hash", ""),
        "background": model.background,
        "method": GWP_METHOD,
        "method_source": climate_methods()[0].source,
        "solver": attrs.get("solver", ""),
        "seed": None,
    }
    return ModelData(
        chemistry=chem,
        cam_dataset=cam_id,
        cam_per_kg=total[cam_id],
        cam_rest_by_tag=rest,
        materials=materials,
        dataset_burdens=dataset_burdens,
        dataset_units=dataset_units,
        transport_per_tkm=transport,
        recycler={"recovery": recovery, "annexXII": annex},
        allocations=allocations,
        metadata=metadata,
        sources=src,
        parameters={k: {n: _jsonable(v) for n, v in p.items()} for k, p in run_params.items()},
        eol=eol_data,
        warnings=model_warnings,
        quality=rate_products(model, rated),
        electricity=electricity,
    )


def _recycled_salt_burden(
    model: LCAModel,
    spec: BatterySpec,
    el: str,
    salt: str,
    route: str | None,
    params: Mapping[str, Any],
    loc: tuple[Any, ...],
) -> tuple[np.ndarray, str, dict[str, Any], str]:
    from .recycler_checks import allocation_by_price_ratio

    product = f"{salt}-recycled-{route}"
    if product not in model.inventory.products:
        raise spec.error(
            loc,
            f"the {route} route yields no battery-grade {salt.replace('-', ' ')} ({el} is not recovered)",
            "choose a route that recovers " + el + " (hydrometallurgical recovers Ni, Co, Mn, Li; pyrometallurgical "
            "Ni, Co), or give e_recycled: {value: ..., source: ...}",
        )
    env = _env(model, params)
    alloc = allocation_by_price_ratio(model, str(route), env)
    tot, _, _ = burdens(model, [product], params, alloc["allocation"])
    content = element_content(model, product, el, env)
    label = (
        f"{product} ({alloc['allocation']} allocation, feed {params['feed_type']}, region {params['plant_region']}) "
        f"/ {content:.6g} kg {el} per kg salt"
    )
    return tot[product] / content, label, alloc, product


def _jsonable(value: Any) -> Any:
    arr = np.asarray(value)
    return arr.item() if arr.ndim == 0 else arr.tolist()
