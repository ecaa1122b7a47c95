"""The export plan: what :func:`~cathode_lca.brightway.export.export_to_brightway` writes.

Databases (biosphere, background, foreground activities and exchanges), parameters (database and
activity groups, with Brightway names) and methods, computed from the model without touching any
project, and checked: every formula is evaluated with Brightway's own interpreter and compared
with our value before anything is written.

Examples
--------
>>> plan = plan_export(prefix="cathode-lca")               # doctest: +SKIP
>>> plan.databases                                          # doctest: +SKIP
('cathode-lca biosphere', 'cathode-lca background', 'cathode-lca foreground')
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import FormulaError, SolverError, UsageError
from ..inventory.formulas import Formula
from ..inventory.schema import Dataset, Parameter, Product
from ..units import conversion_factor, is_mass
from .biosphere import NO_TWIN, STANDARD_METHODS, TWINS
from .formula_text import ONE, Term, number_text, translate_formula
from .project import import_bw2data

if TYPE_CHECKING:
    from ..lca import LCAModel

STATS_ARRAYS_ID = {"lognormal": 2, "normal": 3, "uniform": 4, "triangular": 5}
RESOURCE_COMPARTMENTS = ("resource", "energy")
VERIFY_RTOL = 1e-9


# ---------------------------------------------------------------------------
# The export plan (pure: built and checked before anything is written)


@dataclass
class ExportPlan:
    """Everything the export writes, computed from the model without touching any project."""

    prefix: str
    allocation: str
    biosphere: str
    background: str
    foreground: str
    data: dict[str, dict[tuple[str, str], dict[str, Any]]]  # database -> {key: activity}
    project_parameters: list[dict[str, Any]]  # global parameters
    database_parameters: list[dict[str, Any]]  # file-scope parameters of the foreground
    activity_parameters: dict[str, list[dict[str, Any]]]  # group -> parameters
    group_activities: dict[str, list[tuple[str, str]]]  # group -> activities with formula exchanges
    methods: dict[tuple[str, ...], tuple[dict[str, Any], list[tuple[tuple[str, str], float]]]]
    parameter_names: dict[str, str]  # our parameter key -> Brightway name
    metadata: dict[str, Any]
    linked_biosphere: str | None = None  # e.g. "biosphere3"; None: every flow in our own biosphere
    flow_links: dict[str, str] = field(default_factory=dict)  # our flow id -> code in linked_biosphere
    standard_methods: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # standard -> ours

    @property
    def databases(self) -> tuple[str, str, str]:
        return (self.biosphere, self.background, self.foreground)

    @property
    def groups(self) -> list[str]:
        return sorted(set(self.activity_parameters) | set(self.group_activities))


@dataclass
class ExportReport:
    """What was written."""

    project: str
    databases: tuple[str, ...]
    activities: dict[str, int]
    parameters: int
    groups: int
    methods: list[tuple[str, ...]]
    allocation: str
    metadata: dict[str, Any] = field(default_factory=dict)
    linked_biosphere: str | None = None
    linked_flows: int = 0
    notes: list[str] = field(default_factory=list)


def _identifier(text: str) -> str:
    ident = re.sub(r"\W", "_", text)
    return ident if ident[:1].isalpha() else "p_" + ident


def parameter_names(parameters: Mapping[str, Parameter]) -> dict[str, str]:
    """Brightway names for our parameter keys: unique, valid and not shadowing asteval symbols.

    Global parameters keep their names; file parameters become ``<file id>__<name>`` and dataset
    parameters ``<dataset id>__<name>`` (non-identifier characters replaced by ``_``).
    """
    from asteval import Interpreter

    reserved = set(Interpreter().symtable) | {"nan", "inf"}
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted(parameters):
        p = parameters[key]
        scope, _, owner = p.scope.partition(":")
        base = p.name if scope == "global" else f"{_identifier(owner)}__{p.name}"
        if base in reserved or keyword.iskeyword(base) or base.startswith("_"):
            base = "p_" + base
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out[key] = name
    return out


class _Planner:
    def __init__(
        self, model: Any, prefix: str, allocation: str, methods: Sequence[Any] | None, biosphere: str | None
    ) -> None:
        self.model = model
        self.inv = model.inventory
        self.allocation = allocation
        model.matrices(allocation)  # validates allocation and the properties it needs
        self.env = model.parameters.evaluate()
        self.choices = model.parameters.choices
        self.names = parameter_names(self.inv.parameters)
        self.prefix = prefix
        self.biosphere = f"{prefix} biosphere"
        self.background = f"{prefix} background"
        self.foreground = f"{prefix} foreground"
        self.method_ids = methods
        self.linked = biosphere
        self.flow_links = {  # linked only where the unit is exactly the twin's (kg)
            f: TWINS[f].code
            for f, flow in self.inv.flows.items()
            if biosphere and f in TWINS and is_mass(flow.unit) and conversion_factor(flow.unit, "kg") == 1.0
        }
        from ..uncertainty.defaults import default_exchange_distributions

        self.exchange_dists = default_exchange_distributions(self.inv)  # pedigree-based, constant amounts only

    # -- amounts -----------------------------------------------------------------
    def term(self, amount: float | Formula, ds: Dataset | None, param: Parameter | None = None) -> Term:
        if not isinstance(amount, Formula):
            return Term(float(amount))
        if ds is not None:
            resolve = self.inv.resolver(ds)
        else:
            assert param is not None, "a formula outside a dataset belongs to a parameter"
            resolve = self.model.parameters.resolver_for(param)
        value = amount.compile(resolve, self.choices)(self.env)
        return Term(_scalar(value), translate_formula(amount, resolve, self.names, self.choices))

    def property_term(self, ds: Dataset, product: Product, name: str) -> Term:
        value = product.properties.get(name)
        if value is None and name == "mass" and is_mass(product.unit):
            value = conversion_factor(product.unit, "kg")
        assert value is not None  # model.matrices(allocation) checked it
        return self.term(value, ds)

    # -- datasets ----------------------------------------------------------------
    def dataset_activities(self, ds: Dataset) -> list[dict[str, Any]]:
        """Activities (one per allocated column) with exchanges whose inputs are product ids."""
        products, ref = ds.products, ds.reference_product
        split = len(products) > 1 and self.allocation in ("mass", "economic")
        dropped = self.allocation == "cut-off" and ds.cut_off == "waste-treatment"
        columns: list[tuple[dict[str, Any], Term]] = []
        activities: list[dict[str, Any]] = []

        location = self.location(ds)

        def activity(product: Product, production: Term) -> dict[str, Any]:
            act = {
                "name": ds.name,
                "reference product": product.name,
                "unit": brightway_unit(product.unit),
                "location": location,
                "cathode-lca location": ds.location,
                "type": "process",
                "comment": ds.note or "",
                "cathode-lca dataset": ds.id,
                "cathode-lca product": product.id,
                "stage": ds.stage,
                "exchanges": [_exchange("production", product.id, production, product.unit, product.source)],
            }
            if product is not ref or split:
                extra = self.co_product_fields(ds, product, ref, split)
                if product is ref:  # the allocated reference column keeps the dataset's name and note
                    extra["name"], extra["comment"] = ds.name, f"{ds.note or ''} {extra['comment']}".strip()
                act.update(extra)
            activities.append(act)
            return act

        if split:
            prop = "mass" if self.allocation == "mass" else "price"
            amounts = [self.term(p.amount, ds) for p in products]
            props = [self.property_term(ds, p, prop) for p in products]
            denominator = Term(0.0)
            for amount_, prop_ in zip(amounts, props, strict=True):
                denominator = denominator + amount_ * prop_
            for p, pv in zip(products, props, strict=True):
                columns.append((activity(p, ONE), pv / denominator))
        else:
            ref_act = activity(ref, self.term(ref.amount, ds))
            columns.append((ref_act, ONE))
            for p in products:
                if p is ref:
                    continue
                co_act = activity(p, ONE)
                if self.allocation == "system-expansion" and p.substitutes is not None:
                    sub_unit = self.inv.product(p.substitutes).unit
                    factor = Term(conversion_factor(p.unit, sub_unit))
                    credit = -(self.term(p.amount, ds) * factor)
                    ref_act["exchanges"].append(_exchange("technosphere", p.substitutes, credit, sub_unit, p.source))
                    co_act["exchanges"].append(_exchange("technosphere", p.substitutes, factor, sub_unit, p.source))
        if dropped:
            return activities
        for i, ex in enumerate(ds.exchanges):
            if ex.kind == "input":
                unit, kind = self.inv.product(ex.target).unit, "technosphere"
            else:
                unit, kind = self.inv.flows[ex.target].unit, "biosphere"
            amount = self.term(ex.amount, ds) * Term(conversion_factor(ex.unit, unit))
            dist = self.exchange_dists.get(f"{ds.id}/exchanges[{i}]")
            for act, coef in columns:
                exc = _exchange(kind, ex.target, amount * coef, unit, ex.source)
                if dist is not None and "formula" not in exc and exc["amount"]:
                    exc.update(_lognormal_fields(exc["amount"], dist["scale"]))
                act["exchanges"].append(exc)
        return activities

    def location(self, ds: Dataset) -> str:
        """The dataset's location with ``{parameter}`` templates resolved at the exported parameters."""

        def value(match: re.Match[str]) -> str:
            key = self.inv.resolver(ds)(match.group(1))
            if key in self.choices:
                return self.choices[key][int(_scalar(self.env[key]))]
            return number_text(_scalar(self.env[key]))

        try:
            text = re.sub(r"\{(\w+)\}", value, ds.location)
        except (KeyError, IndexError, ValueError, FormulaError) as exc:
            raise UsageError(
                f"dataset '{ds.id}': cannot resolve the location '{ds.location}' ({exc})",
                hint="a location template {name} must name a parameter of the dataset's scope",
            ) from None
        return brightway_location(text)

    def co_product_fields(self, ds: Dataset, product: Product, ref: Product, split: bool) -> dict[str, Any]:
        """Short name and an explicit burden statement for an activity of a multi-output dataset."""
        if split:
            how = f"allocated ({self.allocation} allocation)"
            comment = (
                f"{product.name}: one output of '{ds.name}' (dataset {ds.id}); the dataset's inputs and emissions "
                f"are allocated to it by {'mass' if self.allocation == 'mass' else 'price'} "
                f"(cathode-lca {self.allocation} allocation)."
            )
        elif self.allocation == "system-expansion" and product.substitutes is not None:
            how = f"substitution (stands for {product.substitutes})"
            comment = (
                f"{product.name}: co-product of '{ds.name}' (dataset {ds.id}). System expansion (substitution): the dataset "
                f"carries all burdens and is credited with the avoided '{product.substitutes}'; this activity "
                f"supplies the co-product by that same product, so using it adds that product's burden back."
            )
        else:
            how = "burden-free"
            comment = (
                f"{product.name}: co-product of '{ds.name}' (dataset {ds.id}). Burden-free under "
                f"cathode-lca '{self.allocation}' allocation: all inputs and emissions stay with "
                f"'{ref.name}'; this activity has no inputs."
            )
        return {
            "name": f"{product.name} (co-product)",
            "comment": comment,
            "cathode-lca co-product": how,
        }

    # -- parameters --------------------------------------------------------------
    def reference_output(self, ds: Dataset, activities: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
        """The activity parameter of a dataset that has formulas but no parameters of its own.

        bw2data recalculates formula exchanges per activity group and needs one activity parameter
        in each group (it inserts an unused ``__dummy_<uuid>__`` otherwise). This one is real: the
        amount of the reference product, which the production exchange uses.
        """
        ref = ds.reference_product
        act = activities[(self.foreground, ref.id)]
        production = act["exchanges"][0]
        used = set(self.names.values())
        name, n = f"{_identifier(ds.id)}__reference_output", 2
        while name in used:
            name, n = f"{_identifier(ds.id)}__reference_output_{n}", n + 1
        record: dict[str, Any] = {
            "name": name,
            "amount": production["amount"],
            "unit": ref.unit,
            "database": self.foreground,
            "code": ref.id,
            "comment": f"amount of '{ref.name}' produced by one run of '{ds.name}' (its production exchange)",
        }
        if "formula" in production:
            record["formula"] = production["formula"]
        production["formula"] = name
        return record

    def parameter_record(self, key: str, p: Parameter) -> dict[str, Any]:
        record: dict[str, Any] = {
            "name": self.names[key],
            "amount": _scalar(self.env[key]),
            "unit": p.unit,
            "cathode-lca key": key,
        }
        if p.source:
            record["source"] = p.source
        if p.min is not None or p.max is not None:  # checked by cathode_lca.brightway.project.recalculate()
            record["cathode-lca bounds"] = [p.min, p.max]
        if p.note:
            record["comment"] = p.note
        if p.kind == "formula":
            record["formula"] = self.term(p.formula, None, p).formula  # type: ignore[arg-type]
        elif p.kind == "choice":
            record["choices"] = list(p.choices)
            record["comment"] = "choice parameter, numeric code: " + ", ".join(
                f"{i} = {c}" for i, c in enumerate(p.choices)
            )
            if p.follows is not None:  # same choices as the followed one (checked by the engine): same codes
                record["formula"] = self.names[self.model.parameters.resolver_for(p)(p.follows)]
        elif p.kind == "lookup":
            by_key = self.model.parameters.resolver_for(p)(p.by or "")
            by_name = self.names[by_key]
            text = "nan"
            for i, choice in reversed(list(enumerate(self.choices[by_key]))):
                if choice in p.values:
                    text = f"({number_text(p.values[choice])} if {by_name} == {i} else {text})"
            record["formula"] = text
            record["comment"] = f"lookup by {p.by}: " + ", ".join(f"{c} = {v}" for c, v in p.values.items())
        if p.distribution:
            dist = p.distribution
            record["uncertainty type"] = STATS_ARRAYS_ID[dist["type"]]
            for field_ in ("loc", "scale", "minimum", "maximum", "negative"):
                if dist.get(field_) is not None:
                    record[field_] = dist[field_]
        return record

    # -- everything ----------------------------------------------------------------
    def plan(self) -> ExportPlan:
        from ..methods import available_methods, load_method

        inv = self.inv
        per_dataset = {ds.id: self.dataset_activities(ds) for ds in inv.datasets.values()}
        dataset_params: dict[str, list[str]] = {}
        for key, p in inv.parameters.items():
            if p.scope.startswith("dataset:"):
                dataset_params.setdefault(p.scope.split(":", 1)[1], []).append(key)
        foreground = {
            ds_id
            for ds_id, acts in per_dataset.items()
            if ds_id in dataset_params or any(e.get("formula") for a in acts for e in a["exchanges"])
        }
        db_of_dataset = {d: (self.foreground if d in foreground else self.background) for d in per_dataset}
        db_of_product = {p: db_of_dataset[d] for p, (d, _i) in inv.products.items()}
        data: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
            self.biosphere: {},
            self.background: {},
            self.foreground: {},
        }
        flow_key: dict[str, tuple[str, str]] = {}
        for flow in inv.flows.values():
            if flow.id in self.flow_links:
                assert self.linked is not None
                flow_key[flow.id] = (self.linked, self.flow_links[flow.id])
                continue
            flow_key[flow.id] = (self.biosphere, flow.id)
            data[self.biosphere][(self.biosphere, flow.id)] = {
                "name": flow.name,
                "categories": (flow.compartment,),
                "unit": brightway_unit(flow.unit),
                "type": "natural resource" if flow.compartment in RESOURCE_COMPARTMENTS else "emission",
                "comment": (flow.note + " " if flow.note else "") + _no_twin_comment(flow.id, self.linked),
                "exchanges": [],
            }
        group_activities: dict[str, list[tuple[str, str]]] = {}
        for ds_id, acts in per_dataset.items():
            db = db_of_dataset[ds_id]
            for act in acts:
                act_key = (db, act["cathode-lca product"])
                for exc in act["exchanges"]:
                    target = exc.pop("target")
                    exc["input"] = flow_key[target] if exc["type"] == "biosphere" else (db_of_product[target], target)
                    exc["output"] = act_key
                data[db][act_key] = act
                if any("formula" in e for e in act["exchanges"]):
                    group_activities.setdefault(self.group_name(ds_id), []).append(act_key)
        # one place per scope: global -> project parameters, file -> database, dataset -> activity group
        project_parameters = [self.parameter_record(k, p) for k, p in inv.parameters.items() if p.scope == "global"]
        database_parameters = [
            self.parameter_record(k, p) for k, p in inv.parameters.items() if p.scope.startswith("file:")
        ]
        activity_parameters: dict[str, list[dict[str, Any]]] = {}
        for ds_id, keys in dataset_params.items():
            ref_code = inv.datasets[ds_id].reference_product.id
            records = []
            for key in keys:
                record = self.parameter_record(key, inv.parameters[key])
                record.update(database=self.foreground, code=ref_code)
                records.append(record)
            activity_parameters[self.group_name(ds_id)] = records
        for ds_id in per_dataset:
            group = self.group_name(ds_id)
            if group in group_activities and group not in activity_parameters:
                activity_parameters[group] = [self.reference_output(inv.datasets[ds_id], data[self.foreground])]
        shared = [  # a group that uses a database parameter goes to the first, else with a project one to the second
            (self.shared_group("database"), {r["name"] for r in database_parameters}),
            (self.shared_group("project"), {r["name"] for r in project_parameters}),
        ]
        activity_parameters, group_activities = share_global_groups(
            activity_parameters, group_activities, data[self.foreground], shared
        )
        method_ids = list(self.method_ids) if self.method_ids else available_methods()
        methods: dict[tuple[str, ...], tuple[dict[str, Any], list[tuple[tuple[str, str], float]]]] = {}
        standard: dict[tuple[str, ...], tuple[str, ...]] = {}
        for method_id in method_ids:
            m = load_method(method_id) if isinstance(method_id, str) else method_id
            cfs = [(flow_key[f], float(v)) for f, v in m.factors.items() if f in inv.flows]
            meta = {
                "unit": m.unit,
                "description": f"{m.name}. Source: {m.source}",
                "indicator": m.indicator,
                "cathode-lca method": m.id,
                "cathode-lca version": __version__,
            }
            methods[(self.prefix, m.id)] = (meta, cfs)
            if self.linked and m.id in STANDARD_METHODS:
                name = STANDARD_METHODS[m.id]
                methods[name] = ({**meta, "cathode-lca alias of": [self.prefix, m.id]}, cfs)
                standard[name] = (self.prefix, m.id)
        return ExportPlan(
            prefix=self.prefix,
            allocation=self.allocation,
            biosphere=self.biosphere,
            background=self.background,
            foreground=self.foreground,
            data=data,
            project_parameters=project_parameters,
            database_parameters=database_parameters,
            activity_parameters=activity_parameters,
            group_activities=group_activities,
            methods=methods,
            parameter_names=self.names,
            linked_biosphere=self.linked if self.flow_links else None,
            flow_links=dict(self.flow_links),
            standard_methods=standard,
            metadata={
                "package": "cathode-lca",
                "package_version": __version__,
                "inventory_hash": inv.content_hash,
                "allocation": self.allocation,
                "parameter_set": "defaults",
            },
        )

    def group_name(self, dataset_id: str) -> str:
        return f"{self.foreground}:{dataset_id}"

    def shared_group(self, kind: str) -> str:
        """The one group of every dataset whose formulas use a *kind* (project or database) parameter.

        Dataset ids have no spaces, so it cannot clash with a ``<foreground>:<dataset id>`` group.
        """
        return f"{self.foreground}:uses {kind} parameters"


def formula_names(formula: str) -> set[str]:
    """The variable names a Brightway formula reads (Python syntax, as asteval parses it).

    >>> sorted(formula_names("a2b__x * (plant_region == 2) + 1e-3"))
    ['a2b__x', 'plant_region']
    """
    import ast

    return {node.id for node in ast.walk(ast.parse(formula, mode="eval")) if isinstance(node, ast.Name)}


def share_global_groups(
    activity_parameters: dict[str, list[dict[str, Any]]],
    group_activities: dict[str, list[tuple[str, str]]],
    activities: Mapping[tuple[str, str], Mapping[str, Any]],
    shared: Sequence[tuple[str, set[str]]],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[tuple[str, str]]]]:
    """Move every group whose formulas use one of the names of a *shared* entry into its group.

    *shared* is a list of ``(group name, names)``; a group goes to the first entry whose names it
    uses. bw2data tracks dependencies per activity group: a changed project (or database) parameter
    expires every group that uses any of them, and each expired group costs a dependency chain,
    a parameter set and reloaded globals (tens of milliseconds) besides its exchanges. One group
    for all of them makes that overhead one group's. Parameter names are unique across groups
    (``<dataset id>__<name>``), so they can share one; each parameter stays on its own activity.
    Groups that use only their own parameters stay apart, so editing them recalculates only them.
    """

    def uses(group: str, names: set[str]) -> bool:
        formulas = [r["formula"] for r in activity_parameters.get(group, []) if r.get("formula")]
        for key in group_activities.get(group, []):
            formulas += [e["formula"] for e in activities[key]["exchanges"] if "formula" in e]
        return any(formula_names(f) & names for f in formulas)

    target: dict[str, str] = {}
    for group in sorted(set(activity_parameters) | set(group_activities)):
        for name, names in shared:
            if uses(group, names):
                target[group] = name
                break
    params = {g: r for g, r in activity_parameters.items() if g not in target}
    acts = {g: k for g, k in group_activities.items() if g not in target}
    for group, name in sorted(target.items()):
        params.setdefault(name, []).extend(activity_parameters.get(group, []))
        acts.setdefault(name, []).extend(group_activities.get(group, []))
    return params, acts


def brightway_location(text: str) -> str:
    """A location Brightway accepts: bw2data evaluates location strings that contain '(' as Python
    tuples, so parenthesised remarks are dropped (the full text is kept in 'cathode-lca location').

    >>> brightway_location("US (EverBatt default distances)")
    'US'
    """
    cleaned = re.sub(r"\s*\([^)]*\)", "", text).replace("(", "").replace(")", "").strip()
    return cleaned or "GLO"


BRIGHTWAY_UNITS = {
    "kg": "kilogram",
    "g": "gram",
    "t": "ton",
    "kWh": "kilowatt hour",
    "Wh": "watt hour",
    "MJ": "megajoule",
    "kJ": "kilojoule",
    "GJ": "gigajoule",
    "L": "litre",
    "l": "litre",
    "m3": "cubic meter",
    "m2": "square meter",
    "m": "meter",
    "km": "kilometer",
    "t*km": "ton kilometer",
    "tkm": "ton kilometer",
    "h": "hour",
}
"""Our unit text -> the name Brightway/ecoinvent use (bw2io's ``UNITS_NORMALIZATION``, checked in a test)."""


def brightway_unit(unit: str) -> str:
    """The Brightway name of *unit* (unknown units are kept as written).

    >>> brightway_unit("t*km"), brightway_unit("USD")
    ('ton kilometer', 'USD')
    """
    return BRIGHTWAY_UNITS.get(unit, unit)


def _exchange(kind: str, target: str, amount: Term, unit: str, source: str | None) -> dict[str, Any]:
    exc: dict[str, Any] = {"type": kind, "target": target, "amount": amount.value, "unit": brightway_unit(unit)}
    if amount.formula is not None:
        exc["formula"] = amount.formula
    if source:
        exc["comment"] = source
    return exc


def _no_twin_comment(flow_id: str, linked: str | None) -> str:
    if linked is None:
        return "(exported with --biosphere none: every flow in this private biosphere)"
    reason = NO_TWIN.get(flow_id, "not one of the shipped flows linked in cathode_lca.brightway.biosphere")
    return f"No exact twin in {linked}: {reason}."


def _lognormal_fields(amount: float, scale: float) -> dict[str, Any]:
    """stats_arrays lognormal (id 2) around *amount* as median: the default exchange uncertainty."""
    import math

    return {
        "uncertainty type": 2,
        "loc": math.log(abs(amount)),
        "scale": scale,
        "negative": amount < 0,
        "uncertainty note": "cathode-lca pedigree-based default (docs/data/quality.md)",
    }


def _scalar(value: Any) -> float:
    import numpy as np

    arr = np.asarray(value, dtype=float)
    return float(arr.reshape(-1)[0])


def plan_export(
    model: LCAModel | None = None,
    *,
    prefix: str = "cathode-lca",
    allocation: str = "none",
    methods: Sequence[Any] | None = None,
    biosphere: str | None = "biosphere3",
) -> ExportPlan:
    """Build (and check) the export of *model* without writing anything.

    Every formula is evaluated with the same asteval interpreter Brightway uses, at the default
    parameters, and compared with our own value: a translation error stops the export here.
    Flows with an exact twin in *biosphere* (default ``biosphere3``) are linked to it; the others
    (all of them with ``biosphere=None``) go to ``<prefix> biosphere``.
    """
    from ..lca import default_model
    from . import arguments

    arguments.export_names(prefix, biosphere)
    arguments.method_list(methods)
    arguments.model_or_none(model)
    model = model or default_model()
    matrices = model.matrices(allocation)
    env = model.parameters.evaluate()
    for entries in (matrices.A, matrices.B):  # a NaN/inf amount: our error (file, line, dataset), not bw2data's
        matrices.static_data(entries, env)
    plan = _Planner(model, prefix, allocation, methods, biosphere).plan()
    check_plan_formulas(plan)
    return plan


def check_plan_formulas(plan: ExportPlan) -> None:
    """Evaluate every formula of *plan* with asteval and compare with the planned value (rtol 1e-9)."""
    import_bw2data()
    from bw2data.parameters import get_interpreter

    values = {r["name"]: r["amount"] for r in [*plan.project_parameters, *plan.database_parameters]}
    for records in plan.activity_parameters.values():
        values.update({r["name"]: r["amount"] for r in records})

    def check(formula: str, expected: float, what: str) -> None:
        interpreter = get_interpreter()
        interpreter.symtable.update(values)
        result = interpreter(formula)
        if interpreter.error or result is None:
            message = interpreter.error[0].get_error()[1] if interpreter.error else "no value"
            raise SolverError(
                f"Brightway cannot evaluate the formula of {what}: '{formula}' ({message})",
                hint="report this as a bug with the inventory hash",
            )
        if not abs(float(result) - expected) <= VERIFY_RTOL * max(1.0, abs(expected)):  # NaN or inf: not equal
            raise SolverError(
                f"Brightway formula of {what} gives {float(result)!r}, cathode-lca {expected!r}: '{formula}'",
                hint="report this as a bug with the inventory hash",
            )

    for record in [*plan.project_parameters, *plan.database_parameters]:
        if record.get("formula"):
            check(record["formula"], record["amount"], f"parameter '{record.get('cathode-lca key', record['name'])}'")
    for records in plan.activity_parameters.values():
        for record in records:
            if record.get("formula"):
                check(
                    record["formula"], record["amount"], f"parameter '{record.get('cathode-lca key', record['name'])}'"
                )
    for db in (plan.background, plan.foreground):
        for key, act in plan.data[db].items():
            for exc in act["exchanges"]:
                if "formula" in exc:
                    check(exc["formula"], exc["amount"], f"an exchange of '{key[1]}' ({exc['input'][1]})")
