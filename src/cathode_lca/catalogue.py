"""One catalogue of routes, chemistries and salts, derived from the inventories.

The lists come from the dataset and product names of the loaded inventory; only what a name
cannot say comes from ``inventories/catalogue.yaml`` (display names, the elements of each
chemistry, the metal of each salt, the virgin-route parameters, the black-mass product):

- **route**: ``virgin``, and every ``recycling-<route>`` dataset of the route stage
  (``route_stage``, ``recycling-recovery``). A route takes black mass when its treatment
  dataset has an input of the black-mass product.
- **chemistry**: every ``cam-<chemistry>-virgin`` dataset; its routes are the ``<route>`` of its
  ``cam-<chemistry>-<route>`` datasets.
- **salt**: every ``<salt>-virgin`` product listed under ``salts:`` or, when not listed, with a
  ``<salt>-recycled-<route>`` twin and exactly one element content (its metal). The salts a route
  yields are its ``<salt>-recycled-<route>`` products.

So a new route or chemistry is a data-only change: add its datasets (for example with
``--inventory``) and it appears in ``compare``, ``uncertainty`` and ``passport``.

Examples
--------
>>> from cathode_lca.lca import default_model                # doctest: +SKIP
>>> cat = catalogue_of(default_model())                       # doctest: +SKIP
>>> cat.route_ids                                             # doctest: +SKIP
('virgin', 'hydrometallurgical', 'pyrometallurgical', 'direct')
>>> cat.chemistry("nmc811").name                              # doctest: +SKIP
'NMC811'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._yaml import LineDict, load_yaml_file
from .errors import InventoryError, UsageError
from .inventory.schema import ELEMENTS
from .resources import inventories_dir

if TYPE_CHECKING:
    from .lca import LCAModel

FORMAT = "cathode-lca-catalogue/1"
FILE_NAME = "catalogue.yaml"
VIRGIN = "virgin"
_KEYS = {
    "format",
    "description",
    "routes",
    "route_stage",
    "black_mass_product",
    "chemistries",
    "salts",
    "virgin_route_parameters",
}


# ---------------------------------------------------------------------------------------------
# catalogue.yaml: settings, checked with file, line and field
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """The content of ``catalogue.yaml`` (see the file's comments)."""

    route_names: dict[str, str]
    route_stage: str
    black_mass_product: str
    chemistry_names: dict[str, str]
    chemistry_elements: dict[str, tuple[str, ...]]
    salt_metal: dict[str, str]
    virgin_route_parameters: dict[str, str]
    file: str = ""


class _Reader:
    def __init__(self, data: LineDict, file: str) -> None:
        self.data, self.file = data, file

    def fail(self, node: Any, key: str, field: str, message: str, hint: str) -> InventoryError:
        line = node.line_of(key) if isinstance(node, LineDict) else getattr(node, "line", None)
        return InventoryError(message, file=self.file, line=line, field=field, hint=hint)

    def mapping(self, node: Any, key: str, field: str) -> LineDict:
        value = node.get(key, LineDict())
        if not isinstance(value, dict):
            raise self.fail(
                node, key, field, "must be a mapping", f"write '{key}:' followed by indented 'name: value' lines"
            )
        return value  # type: ignore[return-value]

    def text(self, node: Any, key: str, field: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, key, field, f"'{key}' must be a non-empty text", f"give {key}: <text>")
        return value.strip()

    def element(self, node: Any, key: str, field: str, value: Any) -> str:
        if value not in ELEMENTS:
            close = difflib.get_close_matches(str(value), ELEMENTS, n=1)
            raise self.fail(
                node,
                key,
                field,
                f"unknown element '{value}'",
                (f"did you mean '{close[0]}'? " if close else "") + "use one of: " + ", ".join(ELEMENTS),
            )
        return str(value)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read ``catalogue.yaml`` (default: the shipped one); every defect names the file, line and field."""
    file = Path(path) if path is not None else inventories_dir() / FILE_NAME
    name = str(file)
    data = load_yaml_file(file)
    if not isinstance(data, LineDict):
        raise InventoryError("the catalogue file must be a YAML mapping", file=name, line=1, hint="see the shipped one")
    r = _Reader(data, name)
    if data.get("format") != FORMAT:
        raise r.fail(data, "format", "format", f"format must be '{FORMAT}'", f"add the line 'format: {FORMAT}'")
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), sorted(_KEYS), n=1)
            raise r.fail(
                data,
                key,
                str(key),
                "unknown key",
                (f"did you mean '{close[0]}'? " if close else "") + "use only: " + ", ".join(sorted(_KEYS)),
            )
    route_names: dict[str, str] = {}
    routes = r.mapping(data, "routes", "routes")
    for route, entry in routes.items():
        if not isinstance(entry, dict):
            raise r.fail(routes, route, f"routes.{route}", "must be a mapping", "write {name: <display name>}")
        route_names[str(route)] = r.text(entry, "name", f"routes.{route}.name")
    chemistry_names: dict[str, str] = {}
    chemistry_elements: dict[str, tuple[str, ...]] = {}
    chemistries = r.mapping(data, "chemistries", "chemistries")
    for chem, entry in chemistries.items():
        key = str(chem).lower()
        where = f"chemistries.{chem}"
        if not isinstance(entry, dict):
            raise r.fail(chemistries, chem, where, "must be a mapping", "write {name: ..., elements: [...]}")
        chemistry_names[key] = r.text(entry, "name", f"{where}.name")
        elements = entry.get("elements")
        if not isinstance(elements, list) or not elements:
            raise r.fail(entry, "elements", f"{where}.elements", "must be a non-empty list", "e.g. elements: [Ni, Li]")
        chemistry_elements[key] = tuple(r.element(entry, "elements", f"{where}.elements", e) for e in elements)
    salt_metal: dict[str, str] = {}
    salts = r.mapping(data, "salts", "salts")
    for salt, entry in salts.items():
        if not isinstance(entry, dict) or "metal" not in entry:
            raise r.fail(salts, salt, f"salts.{salt}", "must be a mapping with 'metal'", "write {metal: Ni}")
        salt_metal[str(salt)] = r.element(entry, "metal", f"salts.{salt}.metal", entry["metal"])
    virgin: dict[str, str] = {}
    params = r.mapping(data, "virgin_route_parameters", "virgin_route_parameters")
    for el, value in params.items():
        field = f"virgin_route_parameters.{el}"
        r.element(params, el, field, el)
        if not isinstance(value, str) or not value.strip():
            raise r.fail(params, el, field, "must be a parameter name", "e.g. Ni: nickel_sulfate_route")
        virgin[str(el)] = value.strip()
    return Settings(
        route_names=route_names,
        route_stage=r.text(data, "route_stage", "route_stage"),
        black_mass_product=r.text(data, "black_mass_product", "black_mass_product"),
        chemistry_names=chemistry_names,
        chemistry_elements=chemistry_elements,
        salt_metal=salt_metal,
        virgin_route_parameters=virgin,
        file=name,
    )


# ---------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """A supply route of cathode materials: ``virgin`` or a recycling route."""

    id: str
    name: str
    recycling: bool
    black_mass: bool = False
    #: Battery-grade salts the route delivers (``<salt>-recycled-<route>``; virgin: ``<salt>-virgin``).
    salts: tuple[str, ...] = ()

    @property
    def dataset(self) -> str | None:
        """The treatment dataset (``recycling-<route>``); ``None`` for virgin."""
        return f"recycling-{self.id}" if self.recycling else None


@dataclass(frozen=True)
class Chemistry:
    """A cathode chemistry with a virgin CAM dataset."""

    key: str  # lower case, as in dataset ids: nmc811
    name: str  # display: NMC811
    elements: tuple[str, ...]
    routes: tuple[str, ...]  # routes with a cam-<key>-<route> dataset

    @property
    def cam_dataset(self) -> str:
        return f"cam-{self.key}-{VIRGIN}"


@dataclass(frozen=True)
class Catalogue:
    """Routes, chemistries and salts of one inventory (see the module docstring)."""

    routes: dict[str, Route]
    chemistries: dict[str, Chemistry]
    salt_metal: dict[str, str]  # salt -> the metal it delivers
    virgin_route_parameters: dict[str, str]  # metal -> choice parameter of its virgin route
    black_mass_product: str

    # -- lists -----------------------------------------------------------------------------
    @property
    def route_ids(self) -> tuple[str, ...]:
        return tuple(self.routes)

    @property
    def recycling_routes(self) -> tuple[str, ...]:
        return tuple(r for r, info in self.routes.items() if info.recycling)

    @property
    def eol_routes(self) -> tuple[str, ...]:
        """Recycling routes that deliver at least one battery-grade salt (they can treat a battery at end of life)."""
        return tuple(r for r, info in self.routes.items() if info.recycling and info.salts)

    @property
    def black_mass_routes(self) -> tuple[str, ...]:
        return tuple(r for r, info in self.routes.items() if info.black_mass)

    @property
    def salts(self) -> tuple[str, ...]:
        return tuple(self.salt_metal)

    @property
    def metal_salt(self) -> dict[str, str]:
        """Metals delivered by exactly one salt -> that salt (lithium has two: see :meth:`salt_for`)."""
        by_metal: dict[str, list[str]] = {}
        for salt, metal in self.salt_metal.items():
            by_metal.setdefault(metal, []).append(salt)
        return {metal: salts[0] for metal, salts in by_metal.items() if len(salts) == 1}

    def salts_of(self, metal: str) -> tuple[str, ...]:
        """The salts that deliver *metal*, in catalogue order."""
        return tuple(s for s, m in self.salt_metal.items() if m == metal)

    # -- look-ups with a suggestion ---------------------------------------------------------
    def route(self, name: str) -> Route:
        """The route *name*; an unknown one is a :class:`UsageError` naming the closest route."""
        key = name.strip().lower()
        if key in self.routes:
            return self.routes[key]
        raise UsageError(f"unknown route '{name}'", hint=suggest(name, self.route_ids))

    def check_routes(self, names: Iterable[str]) -> list[str]:
        """*names* as route ids (each checked, duplicates dropped, order kept)."""
        return list(dict.fromkeys(self.route(n).id for n in names))

    def chemistry(self, name: str) -> Chemistry:
        """The chemistry *name* (its key or display name, any case)."""
        key = name.strip().lower()
        for chem in self.chemistries.values():
            if key in (chem.key, chem.name.lower()):
                return chem
        names = [c.name for c in self.chemistries.values()]
        raise UsageError(f"unknown chemistry '{name}'", hint=suggest(name, names))

    def display(self, chemistry_key: str) -> str:
        chem = self.chemistries.get(chemistry_key)
        return chem.name if chem else chemistry_key.upper()

    def salt_for(self, model: LCAModel, element: str, chemistry: str, env: Mapping[str, Any]) -> str:
        """The battery-grade salt that brings *element* into the cathode of *chemistry* (key).

        A metal with one salt takes it; otherwise (lithium: carbonate or hydroxide) the salt the
        chemistry's virgin CAM dataset (or its pCAM input) consumes most of at *env*.
        """
        if element in self.metal_salt:
            return self.metal_salt[element]
        candidates = list(self.salts_of(element))
        if not candidates:
            raise UsageError(f"no battery-grade salt delivers {element}", hint="add one under salts: in catalogue.yaml")
        use = inputs_per_unit(model, f"cam-{chemistry}-{VIRGIN}", env)
        best = max(candidates, key=lambda s: use.get(f"{s}-{VIRGIN}", 0.0))
        return best if use.get(f"{best}-{VIRGIN}", 0.0) > 0 else candidates[0]


def suggest(name: str, choices: Iterable[str]) -> str:
    """'did you mean X? choose one of: ...' for an unknown *name*."""
    choices = list(choices)
    key = name.strip().lower()
    close = [c for c in choices if key and c.lower().startswith(key)][:1]  # 'hydro' -> hydrometallurgical
    close = close or difflib.get_close_matches(name.strip(), choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[c] for c in difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)]
    return (f"did you mean '{close[0]}'? " if close else "") + "choose one of: " + ", ".join(choices)


def inputs_per_unit(model: LCAModel, dataset: str, env: Mapping[str, Any]) -> dict[str, float]:
    """kg (the product's unit) of each input product per unit of *dataset*'s reference product, at
    the first sample of *env*, one level into inputs made by pCAM production (pCAM into CAM).

    Serves the salt a chemistry takes (:meth:`Catalogue.salt_for`) and the passport's salt inputs
    per kg CAM. Empty for an unknown *dataset*.
    """
    from .units import conversion_factor

    inv = model.inventory
    out: dict[str, float] = {}

    def walk(dataset_id: str, scale: float, depth: int) -> None:
        ds = inv.datasets[dataset_id]
        ref = model.nominal(ds.reference_product.amount, env, ds.id)
        for ex in ds.exchanges:
            if ex.kind != "input" or ex.target not in inv.products:
                continue
            product = inv.product(ex.target)
            amount = model.nominal(ex.amount, env, ds.id) * conversion_factor(ex.unit, product.unit)
            amount *= scale / ref
            producer = inv.producer(ex.target)
            if depth == 0 and producer.stage == "pcam-production":
                walk(producer.id, amount, depth + 1)
            else:
                out[ex.target] = out.get(ex.target, 0.0) + amount

    if dataset in inv.datasets:
        walk(dataset, 1.0, 0)
    return out


# ---------------------------------------------------------------------------------------------
# element contents and recoveries (the quantities the route and salt names stand for)
# ---------------------------------------------------------------------------------------------
def element_content(model: LCAModel, product_id: str, element: str, env: Mapping[str, Any]) -> Any:
    """kg of *element* per unit of *product_id* at *env* (its ``<element>`` property)."""
    product = model.inventory.product(product_id)
    if element not in product.properties:
        raise UsageError(f"product '{product_id}' declares no {element} content", hint="add it to its properties")
    return model.value(product.properties[element], env, model.inventory.products[product_id][0])


def recovered_per_feed(model: LCAModel, route: str, element: str, env: Mapping[str, Any]) -> Any:
    """kg of *element* in the co-products of ``recycling-<route>`` per kg of feed."""
    ds = model.inventory.datasets.get(f"recycling-{route}")
    if ds is None:
        return 0.0
    total: Any = 0.0
    for p in ds.products:
        if element in p.properties and not p.reference:
            total += model.value(p.amount, env, ds.id) * model.value(p.properties[element], env, ds.id)
    return total


def build_catalogue(model: LCAModel, settings: Settings | None = None) -> Catalogue:
    """Derive the catalogue of *model*'s inventory (see the module docstring)."""
    settings = settings or load_settings()
    inv = model.inventory
    datasets, products = inv.datasets, inv.products
    recycling = [
        ds_id[len("recycling-") :]
        for ds_id, ds in datasets.items()
        if ds_id.startswith("recycling-") and ds.stage == settings.route_stage
    ]
    order = [VIRGIN, *(r for r in settings.route_names if r in recycling)]
    order += sorted(r for r in recycling if r not in order)

    # salts: listed ones present in the data, then unlisted <salt>-virgin with a recycled twin and one element
    salt_metal = {s: m for s, m in settings.salt_metal.items() if f"{s}-{VIRGIN}" in products}
    for pid in products:
        for route in recycling:
            suffix = f"-recycled-{route}"
            stem = pid[: -len(suffix)] if pid.endswith(suffix) else ""
            if not stem or stem in salt_metal or f"{stem}-{VIRGIN}" not in products:
                continue
            contents = [e for e in ELEMENTS if e in inv.product(f"{stem}-{VIRGIN}").properties]
            if len(contents) == 1:
                salt_metal[stem] = contents[0]

    routes: dict[str, Route] = {}
    for r in order:
        is_recycling = r != VIRGIN
        kind = f"recycled-{r}" if is_recycling else VIRGIN
        salts = tuple(s for s in salt_metal if f"{s}-{kind}" in products)
        black_mass = is_recycling and any(
            ex.kind == "input" and ex.target == settings.black_mass_product
            for ex in datasets[f"recycling-{r}"].exchanges
        )
        routes[r] = Route(r, settings.route_names.get(r, r), is_recycling, black_mass, salts)

    chem_keys: list[str] = [
        ds_id[4 : -len(VIRGIN) - 1] for ds_id in datasets if ds_id.startswith("cam-") and ds_id.endswith("-virgin")
    ]
    listed = [c for c in settings.chemistry_names if c in chem_keys]
    chemistries: dict[str, Chemistry] = {}
    env: Mapping[str, Any] | None = None
    for key in [*listed, *sorted(c for c in chem_keys if c not in listed)]:
        elements: tuple[str, ...] | None = settings.chemistry_elements.get(key)
        if elements is None:  # not in catalogue.yaml: the elements its CAM product contains at the defaults
            env = env if env is not None else model.parameters.evaluate()
            product = inv.product(f"cam-{key}-{VIRGIN}")
            elements = tuple(
                e
                for e in ELEMENTS
                if e in product.properties
                and np.any(np.asarray(model.value(product.properties[e], env, f"cam-{key}-{VIRGIN}")) > 0)
            )
        cam_routes = tuple(r for r in order if f"cam-{key}-{r}" in datasets)
        chemistries[key] = Chemistry(key, settings.chemistry_names.get(key, key.upper()), elements, cam_routes)
    return Catalogue(
        routes=routes,
        chemistries=chemistries,
        salt_metal=salt_metal,
        virgin_route_parameters=dict(settings.virgin_route_parameters),
        black_mass_product=settings.black_mass_product,
    )


_CACHE: dict[str, Catalogue] = {}
_CACHE_SIZE = 8


def catalogue_of(model: LCAModel) -> Catalogue:
    """The catalogue of *model*'s inventory with the shipped ``catalogue.yaml``.

    Cached by the inventory's content hash (equal content, equal catalogue; never stale).
    """
    key = model.inventory.content_hash
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[key] = build_catalogue(model)
    return found


def default_catalogue() -> Catalogue:
    """The catalogue of the shipped inventories (:func:`cathode_lca.lca.default_model`)."""
    from .lca import default_model

    return catalogue_of(default_model())
