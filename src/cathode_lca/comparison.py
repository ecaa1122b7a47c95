"""Like-for-like comparison of virgin and recycled routes for one chemistry.

Every route is computed with the same functional unit, the same methods, the same
allocation option and the same plant region (``plant_region``: electricity of the
recycling and cathode plants). Virgin supply chains keep the locations of their sources.

Functional units
----------------
``kg-cam``
    1 kg cathode active material of the chemistry.
``kg-metal:Ni|Co|Li|Mn``
    1 kg of the metal contained in the battery-grade salt (NiSO4, CoSO4, MnSO4; Li in the
    chemistry's lithium salt, LiOH or Li2CO3).
``kg-salt:<salt>``
    1 kg of nickel-sulfate, cobalt-sulfate, manganese-sulfate, lithium-carbonate or lithium-hydroxide.
``kg-black-mass``
    1 kg of black mass from pre-processing (recycled routes that use black mass).
``kg-feed``
    Treatment of 1 kg of recycling feed by each recycling route.

For salt and metal units the multi-output recycling steps are partitioned among their
co-products (default ``economic``; ``mass`` on the contained-element basis; ``system-expansion``
with the displaced products named); ``none`` and ``cut-off`` are refused for recycled routes
(see :mod:`cathode_lca.allocation`). ``attrs["allocation_partition"]`` lists the partition and
``attrs["warnings"]`` the known data gaps of the comparison.

Examples
--------
>>> ds = compare("NMC811", region="US")                    # doctest: +SKIP
>>> ds.value.sel(route="virgin", indicator="gwp100")       # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .allocation import PRICE_RATIO_LIMIT, check_allocation, default_allocation, partition
from .catalogue import catalogue_of, element_content, recovered_per_feed
from .documents import sources
from .errors import UsageError
from .inventory.schema import ELEMENTS
from .result_warnings import add_warnings, json_attr, provider_total_shares, provider_total_warnings, warnings_of

if TYPE_CHECKING:
    import xarray

    from .lca import LCAModel

INDICATORS = {
    "gwp100": "ipcc2021-gwp100",
    "gwp100-ar5": "ipcc2013-gwp100",
    "energy": "ced",
    "energy-fossil": "ced-fossil",
    "energy-non-fossil": "ced-non-fossil",
    "water": "water",
}
DEFAULT_INDICATORS = ("gwp100", "energy", "water")


@dataclass(frozen=True)
class RouteDemand:
    """What one route demands for the functional unit (or why it is not applicable).

    Amounts are arrays when the parameters they depend on are arrays (Monte Carlo, sweeps).
    """

    route: str
    demand: dict[str, Any]
    note: str = ""
    functional: str | None = None  # the co-product the functional unit is made from
    credits: list[dict[str, Any]] = field(default_factory=list)  # system expansion: displaced products


def chemistries(model: LCAModel) -> list[str]:
    """Chemistries with a virgin CAM dataset (``cam-<chem>-virgin``), as their lower-case keys."""
    return sorted(catalogue_of(model).chemistries)


def _chem_key(model: LCAModel, chemistry: str) -> str:
    return catalogue_of(model).chemistry(chemistry).key


def available_routes(model: LCAModel, chemistry: str, unit_kind: str = "kg-cam") -> list[str]:
    """Routes with data for *chemistry*: a CAM dataset per route for ``kg-cam``; for metal, salt,
    feed and black-mass units every recycling route that treats the chemistry's feed."""
    from .lca import LCAModel

    if not isinstance(model, LCAModel):
        raise UsageError(
            f"model must be a cathode_lca.LCAModel, got {model!r:.60} ({type(model).__name__})",
            hint="e.g. available_routes(LCAModel(), 'NMC811')",
        )
    if not isinstance(chemistry, str):
        raise UsageError(
            f"chemistry must be a string, got {type(chemistry).__name__} {chemistry!r}", hint="e.g. 'NMC811'"
        )
    cat = catalogue_of(model)
    cam = cat.chemistry(chemistry).routes
    if unit_kind == "kg-cam":
        return list(cam)
    return [r for r in cat.route_ids if r in cam or r in cat.recycling_routes]


def _functional_coproduct(model: LCAModel, route: str, element: str) -> str | None:
    """The co-product of ``recycling-<route>`` that carries *element* (e.g. Co2+ in product)."""
    ds = model.inventory.datasets.get(f"recycling-{route}")
    if ds is None:
        return None
    return next((p.id for p in ds.products if not p.reference and element in p.properties), None)


def _displaced(model: LCAModel, route: str, element: str, feed: Any, env: Mapping[str, Any]) -> list[dict[str, Any]]:
    """System expansion for a metal or salt unit: credits for the other co-products of the route.

    A co-product carrying another element displaces that element in the virgin battery-grade
    salt (``<salt>-virgin``), net of converting the co-product to the salt (the route's
    ``<salt>-recycled-<route>`` dataset). Co-products with a ``substitutes`` product are
    credited in the matrix already and are skipped here.
    """
    ds = model.inventory.datasets[f"recycling-{route}"]
    cat = catalogue_of(model)
    out: list[dict[str, Any]] = []
    for p in ds.products:
        if p.reference or p.substitutes or element in p.properties:
            continue
        other = next((e for e in ELEMENTS if e in p.properties), None)
        if other is None:
            continue
        salt = cat.metal_salt.get(other) or cat.salts_of(other)[0]
        virgin, recycled = f"{salt}-virgin", f"{salt}-recycled-{route}"
        if virgin not in model.inventory.products or recycled not in model.inventory.products:
            continue
        kg_element = feed * model.value(p.amount, env, ds.id) * model.value(p.properties[other], env, ds.id)
        kg_salt = kg_element / element_content(model, virgin, other, env)
        out.append(
            {
                "process": ds.id,
                "coproduct": p.id,
                "avoided": virgin,
                "amount": kg_salt,
                "demand": {virgin: -kg_salt, recycled: kg_salt},
                "source": f"displaces the {other} in virgin {salt.replace('-', ' ')} (same element content), "
                f"net of its conversion ({recycled})",
            }
        )
    return out


def parse_functional_unit(unit: str, salts: Sequence[str]) -> tuple[str, str | None]:
    """``kg-cam`` → ``("kg-cam", None)``; ``kg-metal:Ni`` → ``("kg-metal", "Ni")``; *salts*: the catalogue's."""
    kind, _, arg = unit.partition(":")
    kind = kind.strip().lower()
    if kind in ("kg-cam", "kg-black-mass", "kg-feed") and not arg:
        return kind, None
    if kind == "kg-metal" and arg.strip() in ELEMENTS:
        return kind, arg.strip()
    if kind == "kg-salt" and arg.strip() in salts:
        return kind, arg.strip()
    raise UsageError(
        f"unknown functional unit '{unit}'",
        hint="use kg-cam, kg-metal:Ni|Co|Li|Mn, kg-salt:<" + "|".join(salts) + ">, kg-black-mass or kg-feed",
    )


def route_demands(
    model: LCAModel, chemistry: str, routes: Sequence[str], unit: str, allocation: str, env: Mapping[str, Any]
) -> tuple[list[RouteDemand], str]:
    """Demand per route for the functional unit, and the functional unit's description."""
    cat = catalogue_of(model)
    chem_info = cat.chemistry(chemistry)
    chem, name = chem_info.key, chem_info.name
    kind, arg = parse_functional_unit(unit, cat.salts)
    products = model.inventory.products
    out: list[RouteDemand] = []
    if kind == "kg-cam":
        for r in routes:
            out.append(RouteDemand(r, {f"cam-{chem}-{r}": 1.0}))
        return out, f"1 kg {name} cathode active material"
    if kind == "kg-black-mass":
        for r in routes:
            if r in cat.black_mass_routes:
                out.append(RouteDemand(r, {cat.black_mass_product: 1.0}))
            else:
                out.append(RouteDemand(r, {}, f"the {r} route does not use black mass"))
        return out, f"1 kg black mass from {name} feed"
    if kind == "kg-feed":
        for r in routes:
            ds = model.inventory.datasets.get(f"recycling-{r}")
            if ds is None:
                out.append(RouteDemand(r, {}, "not a recycling route"))
                continue
            treated: dict[str, Any] = {ds.reference_product.id: 1.0}
            if allocation in ("mass", "economic"):  # the treatment is the sum of its allocated outputs
                for p in ds.products:
                    if not p.reference:
                        treated[p.id] = model.value(p.amount, env, ds.id)
            out.append(RouteDemand(r, treated))
        return out, f"treatment of 1 kg {name} recycling feed"
    if kind == "kg-metal":
        assert arg is not None
        salt = cat.metal_salt.get(arg) or cat.salt_for(model, arg, chem, env)
        label = f"1 kg {arg} contained in battery-grade {salt.replace('-', ' ')}"
    else:
        assert arg is not None
        salt, label = arg, f"1 kg battery-grade {arg.replace('-', ' ')}"
    metal = cat.salt_metal[salt]
    cam = model.inventory.product(f"cam-{chem}-virgin")
    if metal in cam.properties and np.all(element_content(model, cam.id, metal, env) <= 0):
        raise UsageError(
            f"{name} contains no {metal}: the functional unit '{unit}' does not apply",
            hint="choose a metal or salt that the chemistry contains, or kg-cam",
        )
    for r in routes:
        product = f"{salt}-{'virgin' if r == 'virgin' else 'recycled-' + r}"
        if product not in products:
            out.append(RouteDemand(r, {}, f"no {salt.replace('-', ' ')} from the {r} route"))
            continue
        content = element_content(model, product, metal, env)
        amount = 1.0 / content if kind == "kg-metal" else 1.0
        demand = {product: amount}
        if r == "virgin":
            out.append(RouteDemand(r, demand))
            continue
        recovered = recovered_per_feed(model, r, metal, env)
        if np.any(np.asarray(recovered) <= 0):
            out.append(RouteDemand(r, {}, f"the {r} route recovers no {metal}"))
            continue
        functional = _functional_coproduct(model, r, metal)
        credits: list[dict[str, Any]] = []
        if allocation == "system-expansion":
            feed = amount * content / recovered
            demand[f"recycling-{r}"] = feed
            credits = _displaced(model, r, metal, feed, env)
            for c in credits:
                for pid, qty in c["demand"].items():
                    demand[pid] = demand.get(pid, 0.0) + qty
        out.append(RouteDemand(r, demand, functional=functional, credits=credits))
    return out, label


@dataclass
class ComparisonSetup:
    """Validated inputs shared by compare, Monte Carlo, sensitivity and sweeps."""

    model: LCAModel
    chemistry: str  # display name, e.g. NMC811
    routes: list[str]
    parameters: dict[str, Any]  # user parameters plus plant_region and feed_chemistry
    env: Mapping[str, Any]
    methods: list[Any]
    method_ids: list[str]
    functional_unit: str
    allocation: str = "none"  # resolved: the unit's default when none was given
    region: str = "US"  # the plant region computed (a plant_region parameter wins over --region)
    demands: list[RouteDemand] = field(default_factory=list)  # route_demands at env, computed once here


def check_argument_types(
    chemistry: object,
    routes: object,
    region: object,
    allocation: object,
    unit: object,
    indicators: object,
    parameters: object,
) -> None:
    """Refuse arguments of the wrong type by name (a Python caller's mistake, not the CLI's).

    A bare string for *routes* or *indicators* would otherwise be read letter by letter.
    """
    for name, value in (("chemistry", chemistry), ("region", region), ("unit", unit)):
        if not isinstance(value, str):
            raise UsageError(f"{name} must be a string, got {type(value).__name__} {value!r}", hint=f"e.g. {name}='…'")
    if allocation is not None and not isinstance(allocation, str):
        raise UsageError(
            f"allocation must be a string or None, got {type(allocation).__name__} {allocation!r}",
            hint="e.g. allocation='economic'",
        )
    for name, names in (("routes", routes), ("indicators", indicators)):
        if isinstance(names, (str, bytes)):
            raise UsageError(f"{name} must be a list of names, got the string {names!r}", hint=f"write [{names!r}]")
        if names is None and name == "routes":  # None: every route with data
            continue
        if isinstance(names, Iterator):  # read more than once below: an iterator would be used up by the first pass
            raise UsageError(f"{name} must be a list of names, got an iterator", hint=f"write {name}=list(...)")
        listed = isinstance(names, Iterable) and not (isinstance(names, np.ndarray) and names.ndim != 1)
        if not listed or not all(isinstance(n, str) for n in cast("Iterable[object]", names)):
            raise UsageError(
                f"{name} must be a list of names, got {names!r:.60} ({type(names).__name__})",
                hint="e.g. ['virgin', 'hydrometallurgical']" if name == "routes" else "e.g. ['gwp100', 'energy']",
            )
    if parameters is not None and not isinstance(parameters, Mapping):
        raise UsageError(
            f"parameters must be a mapping of parameter name to value, got {type(parameters).__name__}",
            hint="e.g. parameters={'hydro_recovery_ni': 0.95}",
        )
    bad = [k for k in (parameters or {}) if not isinstance(k, str)]
    if bad:
        raise UsageError(
            f"parameter names must be text, got {bad[0]!r}", hint="e.g. parameters={'hydro_recovery_ni': 0.95}"
        )


def prepare(
    chemistry: str,
    routes: Sequence[str] | None,
    region: str,
    allocation: str,
    unit: str,
    indicators: Sequence[str],
    parameters: Mapping[str, Any] | None,
    model: LCAModel | None,
) -> ComparisonSetup:
    """Check every option and set the region and feed chemistry parameters."""
    from .lca import default_model
    from .methods import Method, load_method

    check_argument_types(chemistry, routes, region, allocation, unit, indicators, parameters)
    from .lca import LCAModel

    if model is not None and not isinstance(model, LCAModel):
        raise UsageError(
            f"model must be a cathode_lca.LCAModel or None, got {model!r:.60} ({type(model).__name__})",
            hint="e.g. model=LCAModel(extra=['my-plant.yaml']), or leave it out for the shipped data",
        )
    model = model or default_model()
    chem = _chem_key(model, chemistry)
    cat = catalogue_of(model)
    kind = parse_functional_unit(unit, cat.salts)[0]
    available = available_routes(model, chemistry, kind)
    if routes:
        routes = cat.check_routes(routes)  # an unknown route: a UsageError naming the closest one
        missing = [r for r in routes if r not in available]
        if missing:
            raise UsageError(
                f"route(s) {', '.join(missing)} not available for {chemistry}",
                hint="available: " + ", ".join(available),
            )
        chosen = list(dict.fromkeys(routes))
    else:
        chosen = available
    bad = [i for i in indicators if i not in INDICATORS]
    if bad or not indicators:
        raise UsageError(
            f"unknown indicator(s): {', '.join(bad) or '(none)'}", hint="choose from: " + ", ".join(INDICATORS)
        )
    from .engine.matrices import ALLOCATIONS

    allocation = allocation or default_allocation(kind)
    if allocation not in ALLOCATIONS:
        raise UsageError(f"unknown allocation '{allocation}'", hint="choose one of: " + ", ".join(ALLOCATIONS))
    check_allocation(kind, unit, allocation, chosen)
    params = dict(parameters or {})
    region_key = model.parameters.key("plant_region")
    # the label reports what is computed: an explicit plant_region parameter wins over --region
    given = params.get("plant_region", params.get(region_key))
    if given is not None and np.ndim(given) == 0:
        region = str(given)
    if region not in model.parameters.parameters[region_key].choices:
        raise UsageError(
            f"unknown region '{region}'",
            hint="choose one of: " + ", ".join(model.parameters.parameters[region_key].choices),
        )
    params.setdefault("plant_region", region)
    feed_name = cat.display(chem)
    if "feed_chemistry" in {p.name for p in model.parameters.parameters.values()}:
        feed_key = model.parameters.key("feed_chemistry")
        if feed_name in model.parameters.parameters[feed_key].choices:
            params.setdefault("feed_chemistry", feed_name)
    env = model.parameters.evaluate(params)
    demands, fu_label = route_demands(model, chemistry, chosen, unit, allocation, env)
    method_objs = [m if isinstance(m, Method) else load_method(m) for m in (INDICATORS[i] for i in indicators)]
    return ComparisonSetup(
        model,
        feed_name,
        chosen,
        params,
        env,
        method_objs,
        [m.id for m in method_objs],
        fu_label,
        allocation,
        region,
        demands,
    )


def compare(
    chemistry: str,
    *,
    routes: Sequence[str] | None = None,
    region: str | None = None,
    allocation: str | None = None,
    unit: str = "kg-cam",
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    parameters: Mapping[str, Any] | None = None,
    model: LCAModel | None = None,
    dqr: bool = False,
    scenarios: Sequence[str | Path] = (),
) -> xarray.Dataset:
    """Compare virgin and recycled routes of *chemistry* like-for-like.

    Returns an ``xarray.Dataset`` with ``value``, ``difference`` (route − virgin),
    ``relative_change`` (%) over (route, indicator) and ``by_stage`` over (route,
    indicator, stage). *allocation* ``None`` takes
    the unit's default (``none`` for kg-cam, ``economic`` for metal and salt units, see
    :mod:`cathode_lca.allocation`); ``attrs["allocation_partition"]`` (JSON) lists the
    partition of every multi-output process per route.
    ``cathode_lca.report.tidy(ds)`` gives the tidy table (one row per
    route × indicator × stage that sums to the totals; ``ds.to_dataframe()`` would repeat
    ``value`` on every stage row).
    With *dqr*, ``attrs["dqr"]`` (JSON) holds the contribution-weighted data quality rating of every
    route and indicator (:func:`cathode_lca.quality.dqr.demands_dqr`), rated on the demands and
    parameters computed here.

    *scenarios* are scenario or plant files (or shipped scenario names), applied as
    ``cathode-lca compare --scenario FILE`` applies them: in the order given, under *parameters*
    (later wins); ``attrs`` then record them as the command line does (``scenarios`` with each
    file's sha256, ``overridden_parameters``, ``parameter_precedence``). *region* ``None`` is
    ``US``, or the ``plant_region`` a scenario sets.

    Wrong names or argument types raise :class:`~cathode_lca.errors.UsageError`; bad parameter
    values raise :class:`~cathode_lca.errors.ParameterError` (``BoundsError`` outside the bounds).

    Examples
    --------
    >>> ds = compare("NMC811", routes=["virgin", "hydrometallurgical"], indicators=["gwp100"])
    >>> ds.value.dims, ds.attrs["functional_unit"], str(ds.unit.sel(indicator="gwp100").values)
    (('route', 'indicator'), '1 kg NMC811 cathode active material', 'kg CO2-eq')
    >>> compare("NMC811", routes="hydrometallurgical")
    Traceback (most recent call last):
    ...
    cathode_lca.errors.UsageError: routes must be a list of names, got the string 'hydrometallurgical'. Fix: write ['hydrometallurgical']
    """
    import xarray as xr

    from .scenario_apply import scenario_inputs

    # the files applied to the model, as --scenario does; stamped on the result below
    applied, model, parameters, _, region = scenario_inputs(model, scenarios, parameters, region)
    check_argument_types(chemistry, routes, region, allocation, unit, indicators, parameters)
    many = sorted(k for k, v in (parameters or {}).items() if np.ndim(v) > 0 and np.size(v) != 1)
    if many:
        raise UsageError(
            f"compare takes one value per parameter; {', '.join(many)} got several",
            hint="for many values use cathode_lca.uncertainty.sweep.sweep (or monte_carlo for distributions)",
        )
    setup = prepare(chemistry, routes, region, allocation or "", unit, indicators, parameters, model)
    allocation, region = setup.allocation, setup.region
    model, params, method_objs, methods = setup.model, setup.parameters, setup.methods, setup.method_ids
    feed_name, fu_label = setup.chemistry, setup.functional_unit
    demands = setup.demands
    results: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for rd in demands:
        if not rd.demand:
            notes[rd.route] = rd.note
            continue
        results[rd.route] = model.calculate(
            rd.demand, methods=method_objs, parameters=params, allocation=allocation, env=setup.env
        )
    if not results:
        raise UsageError(
            f"no route is applicable to the functional unit '{unit}' for {chemistry}",
            hint="; ".join(f"{r}: {n}" for r, n in notes.items()),
        )
    route_labels = [r.route for r in demands]
    stages = sorted({s for ds in results.values() for s in ds.stage.values.tolist()})
    value = np.full((len(route_labels), len(methods)), np.nan)
    by_stage = np.zeros((len(route_labels), len(methods), len(stages)))
    for i, r in enumerate(route_labels):
        if r not in results:
            by_stage[i] = np.nan
            continue
        ds = results[r]
        value[i] = ds.score.sel(lcia_method=methods).values
        for s in ds.stage.values.tolist():
            by_stage[i, :, stages.index(s)] = ds.contribution_by_stage.sel(stage=s, lcia_method=methods).values
    units = [str(next(iter(results.values())).unit.sel(lcia_method=m).item()) for m in methods]
    if "virgin" in results:
        base = value[route_labels.index("virgin")]
        difference = value - base
        with np.errstate(all="ignore"):
            relative = np.where(base != 0, 100.0 * difference / np.abs(base), np.nan)
    else:
        difference = np.full_like(value, np.nan)
        relative = np.full_like(value, np.nan)
    any_ds = next(iter(results.values()))
    warnings = list(dict.fromkeys(w for ds in results.values() for w in warnings_of(ds)))
    basis = {k: v for ds in results.values() for k, v in json_attr(ds.attrs, "electricity_basis").items()}
    supply = {k: v for ds in results.values() for k, v in json_attr(ds.attrs, "electricity_supply").items()}
    out = xr.Dataset(
        {
            "value": (("route", "indicator"), value),
            "difference": (("route", "indicator"), difference),
            "relative_change": (("route", "indicator"), relative),
            "by_stage": (("route", "indicator", "stage"), by_stage),
        },
        coords={
            "route": route_labels,
            "indicator": list(indicators),
            "method": ("indicator", methods),
            "unit": ("indicator", units),
            "stage": stages,
        },
        attrs={
            "chemistry": feed_name,
            "region": region,
            "allocation": allocation,
            "functional_unit": fu_label,
            "functional_unit_code": unit,
            "package_version": any_ds.attrs["package_version"],
            "inventory_hash": any_ds.attrs["inventory_hash"],
            "background": _json(model.background),
            "methods": ", ".join(methods),
            "parameters": _json(params),
            "solver": any_ds.attrs["solver"],
            "seed": "",
            "not_applicable": _json(notes),
            "sources": _json(sources(model, [p for rd in demands for p in rd.demand], allocation)),
            "allocation_partition": _json(
                [
                    entry
                    for rd in demands
                    if rd.demand
                    for entry in partition(model, rd.route, rd.demand, allocation, setup.env, rd.functional, rd.credits)
                ]
            ),
            # contract 3: a list of strings; like every object in attrs stored as JSON text (netCDF attrs hold text)
            "warnings": json.dumps(list(dict.fromkeys([*setup_warnings(setup, demands), *warnings]))),
            "electricity_basis": json.dumps(basis),  # dataset id -> basis (generation, consumption, residual, ...)
            "electricity_supply": json.dumps(supply),  # plant selector -> the electricity datasets it used
        },
    )
    add_warnings(out, [f"{route} route, per {fu_label}: {w}" for route, ds in results.items() for w in warnings_of(ds)])
    shares = provider_total_shares(results, method_objs)
    out.attrs["provider_co2eq_share"] = _json(shares)  # {indicator: {route: share of the result}}
    add_warnings(out, provider_total_warnings(shares, {m.indicator: m.id for m in method_objs}))
    out["value"].attrs["description"] = "impact per functional unit"
    out["difference"].attrs["description"] = "route minus virgin"
    out["relative_change"].attrs["description"] = "100 × (route − virgin) / |virgin|, in %"
    out["by_stage"].attrs["description"] = "contribution of each life-cycle stage"
    if dqr:
        from .quality.dqr import demands_dqr

        rated = {rd.route: rd.demand for rd in demands if rd.demand}
        rating = demands_dqr(model, rated, method_objs, list(indicators), setup.env, allocation)
        out.attrs["dqr"] = json.dumps(rating)
    return out if applied is None else applied.stamp(out)  # after the DQR, as the command line stamps it


KNOWN_GAPS = {
    "lfp": (
        "known data gap (LFP): the LFP cathode plant has no electricity (EverBatt 2023 'Cath. Prod. Par.'!J45 "
        "is blank; parameter cathode_electricity_lfp = 0) and iron sulfate carries no burden (GREET 2022 data "
        "all zero, 'GREET IO'!AC79:AC107): LFP cathode results are understated by these amounts",
    ),
}


def setup_warnings(setup: ComparisonSetup, demands: Sequence[RouteDemand]) -> list[str]:
    """Known data gaps and allocation notes for this comparison (contract 3: a list of strings)."""
    out: list[str] = []
    chem = setup.chemistry.lower()
    if any(p.startswith("cam-") for rd in demands for p in rd.demand):
        out.extend(KNOWN_GAPS.get(chem, ()))
    env = setup.env
    li_route = setup.model.parameters.parameters.get("lithium_route")
    spodumene = False
    if li_route is not None and "spodumene" in li_route.choices:
        spodumene = bool(np.any(np.ravel(env["lithium_route"]) == li_route.choices.index("spodumene")))
    if spodumene:
        out.append(
            "known data gap (lithium_route=spodumene): Istrate et al. (2024) coal heat is entered 1:1 as coal "
            "burned, without furnace efficiency and without coal upstream (no cited values in the sources used), "
            "while natural-gas heat has both; spodumene Li2CO3 and LiOH are understated (about 28 % and 24 % below "
            "Istrate's published results); see docs/data/virgin.md"
        )
    from .balances import balance_warnings

    out.extend(balance_warnings(setup.model, demands, env, setup.allocation))
    if setup.allocation == "economic" and any(rd.functional for rd in demands):
        for rd in demands:
            ds = setup.model.inventory.datasets.get(f"recycling-{rd.route}")
            if ds is None or not rd.functional:
                continue
            prices = []
            for p in ds.products:
                if p.reference or "price" not in p.properties:
                    continue
                amount = setup.model.nominal(p.amount, env, ds.id)
                price = setup.model.nominal(p.properties["price"], env, ds.id)
                if amount > 0 and price > 0:
                    prices.append(float(price))
            if prices and max(prices) / min(prices) <= PRICE_RATIO_LIMIT:
                out.append(
                    f"{ds.id}: co-product price ratio {max(prices) / min(prices):.2f} <= {PRICE_RATIO_LIMIT:g}; "
                    "the EU CF rules ask for mass allocation in that case (--allocation mass)"
                )
    return out


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
