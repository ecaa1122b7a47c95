"""openLCA JSON-LD export of the inventories (via the ``olca-schema`` package, GreenDelta).

Every dataset becomes an openLCA unit process, every product a product flow, every elementary
flow an elementary flow, and every LCIA method an impact category (all in one impact method).
Amounts are the values at one parameter setting (defaults, a scenario, ``--param``): the
package's formula language is not openLCA's, so formulas travel as evaluated numbers and the
formula text is kept in each exchange's description. Each unit has its own unit group and flow
property (no reliance on openLCA's reference data); an exchange given in another unit of the same
dimension (MJ into a kWh dataset) is converted by pint into the flow's unit.

Identifiers are uuid5 of the dataset / flow / method ids, so a re-export keeps them. Co-products
are exported as outputs; openLCA then applies its own allocation setting (the package's
``none`` convention leaves co-products burden-free). Substitutions (system expansion) are not exported.

Examples
--------
>>> from cathode_lca.lca import LCAModel                                  # doctest: +SKIP
>>> write_olca_zip(LCAModel(), "foreground.zip")                          # doctest: +SKIP
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..lca import LCAModel

_NAMESPACE = uuid.UUID("9d1f3e4a-2b6c-5d8e-8f10-3a4b5c6d7e8f")  # cathode-lca's openLCA id namespace


def olca_id(kind: str, key: str) -> str:
    """The stable uuid5 of an exported entity."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def _evaluate(model: LCAModel, env: Mapping[str, Any], amount: Any, dataset: Any) -> float:
    """An exchange amount (number or formula) at *env*, as a finite float (:meth:`LCAModel.nominal`)."""
    value = model.nominal(amount, env, dataset.id)
    if not math.isfinite(value):
        raise UsageError(f"dataset '{dataset.id}': an amount is not finite at these parameters", hint="check --param")
    return value


def build_entities(model: LCAModel, parameters: Mapping[str, Any] | None = None) -> list[Any]:
    """All openLCA entities (unit groups, flow properties, flows, processes, impact categories/method)."""
    import olca_schema as o

    from ..methods import load_method
    from ..resources import methods_dir
    from ..units import conversion_factor

    inv = model.inventory
    env = model.parameters.evaluate(dict(parameters or {}))
    entities: list[Any] = []
    properties: dict[str, Any] = {}

    def prop(unit: str) -> Any:
        if unit not in properties:
            group = o.UnitGroup(
                id=olca_id("unit-group", unit),
                name=f"cathode-lca unit: {unit}",
                units=[o.Unit(id=olca_id("unit", unit), name=unit, conversion_factor=1.0, is_ref_unit=True)],
            )
            fp = o.FlowProperty(
                id=olca_id("flow-property", unit),
                name=f"quantity in {unit}",
                flow_property_type=o.FlowPropertyType.PHYSICAL_QUANTITY,
                unit_group=group.to_ref(),
            )
            group.default_flow_property = fp.to_ref()
            entities.extend([group, fp])
            properties[unit] = fp
        return properties[unit]

    flows: dict[str, tuple[Any, str]] = {}  # our id -> (openLCA flow, its unit)

    def add_flow(kind: str, key: str, name: str, category: str, flow_type: Any, unit: str) -> None:
        factor = o.FlowPropertyFactor(
            conversion_factor=1.0, flow_property=prop(unit).to_ref(), is_ref_flow_property=True
        )
        flow = o.Flow(
            id=olca_id(kind, key), name=name, category=category, flow_type=flow_type, flow_properties=[factor]
        )
        flows[key] = (flow, unit)

    def exchange(internal_id: int, key: str, amount: float, **fields: Any) -> Any:
        flow, unit = flows[key]
        unit_ref = o.Ref(id=olca_id("unit", unit), name=unit)
        return o.Exchange(
            internal_id=internal_id,
            flow=flow.to_ref(),
            flow_property=prop(unit).to_ref(),
            unit=unit_ref,
            amount=amount,
            **fields,
        )

    for el in inv.flows.values():
        add_flow("flow", el.id, el.name, f"Elementary flows/{el.compartment}", o.FlowType.ELEMENTARY_FLOW, el.unit)
    for dataset in inv.datasets.values():
        for product in dataset.products:
            category = f"cathode-lca/{dataset.stage}"
            add_flow("product", product.id, product.name, category, o.FlowType.PRODUCT_FLOW, product.unit)
    entities.extend(f for f, _ in flows.values())

    for dataset in inv.datasets.values():
        exchanges = [
            exchange(
                i,
                product.id,
                _evaluate(model, env, product.amount, dataset),
                is_input=False,
                is_quantitative_reference=product.reference,
            )
            for i, product in enumerate(dataset.products, start=1)
        ]
        for j, ex in enumerate(dataset.exchanges, start=len(exchanges) + 1):
            value = _evaluate(model, env, ex.amount, dataset) * conversion_factor(ex.unit, flows[ex.target][1])
            if not math.isfinite(value):  # json writes inf as Infinity: not JSON, and openLCA refuses the zip
                raise UsageError(
                    f"dataset '{dataset.id}': the exchange of '{ex.target}' is not finite in {flows[ex.target][1]} "
                    f"({ex.amount} {ex.unit})",
                    hint="check the amount and its unit in the inventory",
                )
            provider = inv.products.get(ex.target) if ex.kind == "input" else None
            formula = str(ex.amount) if not isinstance(ex.amount, int | float) else ""
            exchanges.append(
                exchange(
                    j,
                    ex.target,
                    value,
                    is_input=ex.kind == "input",
                    default_provider=o.Ref(id=olca_id("process", provider[0])) if provider else None,
                    description="; ".join(t for t in (f"formula: {formula}" if formula else "", ex.source or "") if t),
                )
            )
        entities.append(
            o.Process(
                id=olca_id("process", dataset.id),
                name=dataset.name,
                category=f"cathode-lca/{dataset.stage}",
                description=(dataset.note or "").strip() or None,
                process_type=o.ProcessType.UNIT_PROCESS,
                exchanges=exchanges,
                last_internal_id=len(exchanges),
            )
        )

    categories = []
    for path in sorted(methods_dir().glob("*.yaml")):
        method = load_method(path.stem)
        factors = [
            o.ImpactFactor(
                flow=flows[flow_id][0].to_ref(),
                flow_property=prop(flows[flow_id][1]).to_ref(),
                unit=o.Ref(id=olca_id("unit", flows[flow_id][1]), name=flows[flow_id][1]),
                value=float(value),
            )
            for flow_id, value in method.factors.items()
            if flow_id in flows
        ]
        categories.append(
            o.ImpactCategory(
                id=olca_id("impact", method.id),
                name=method.name,
                ref_unit=method.unit,
                description=method.source,
                impact_factors=factors,
            )
        )
    entities.extend(categories)
    entities.append(
        o.ImpactMethod(
            id=olca_id("method", "cathode-lca"),
            name="cathode-lca methods",
            impact_categories=[c.to_ref() for c in categories],
        )
    )
    return entities


def write_olca_zip(
    model: LCAModel, path: str | Path, *, parameters: Mapping[str, Any] | None = None, overwrite: bool = False
) -> int:
    """Write the openLCA JSON-LD zip to *path* (atomically; never over a file without *overwrite*).

    Returns the number of processes written.
    """
    import olca_schema.zipio as zipio  # a missing extra becomes a one-line hint (cathode_lca.extras)

    from ..io import write_with

    entities = build_entities(model, parameters)

    def writer(tmp: str) -> None:
        with zipio.ZipWriter(tmp) as zw:
            for entity in entities:
                zw.write(entity)

    write_with(path, writer, overwrite=overwrite)
    return sum(1 for e in entities if type(e).__name__ == "Process")
