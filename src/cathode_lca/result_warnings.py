"""Warnings attached to results (contract: ``ds.attrs["warnings"]``, a list of strings as JSON text).

A negative footprint per functional unit is never silent: :func:`negative_footprints`
names, for each indicator with a negative score, the foreground processes whose
contributions are negative (largest first) and the system-expansion credits of those
processes (co-product displacing a product). :func:`add_warnings` appends to the list
in ``ds.attrs["warnings"]`` (never replaces it) and stores it as JSON text, because netCDF
attributes hold text and numbers, not lists; :func:`warnings_of` reads it back as a list
(a list stored by older code is read too).

Examples
--------
>>> import xarray as xr
>>> ds = xr.Dataset(attrs={"warnings": '["a"]'})
>>> add_warnings(ds, ["b"])
>>> warnings_of(ds), ds.attrs["warnings"]
(['a', 'b'], '["a", "b"]')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

MAX_CAUSES = 3


def warnings_of(ds: Any) -> list[str]:
    """The warnings list of a result (``[]`` when there is none)."""
    value = ds.attrs.get("warnings", [])
    if isinstance(value, str):
        value = json.loads(value) if value else []
    return [str(v) for v in value]


def json_attr(attrs: Any, key: str) -> dict[str, Any]:
    """An object attribute of a result (``electricity_basis``, ``electricity_supply``) as a dict.

    Results store objects as JSON text so that ``ds.to_netcdf`` can write them; ``{}`` when the
    attribute is absent (a dict stored by older code is returned as it is).

    >>> json_attr({"electricity_basis": '{"electricity-grid-us": "consumption mix"}'}, "electricity_basis")
    {'electricity-grid-us': 'consumption mix'}
    >>> json_attr({}, "electricity_supply")
    {}
    """
    value = attrs.get(key)
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    return dict(value or {})


def add_warnings(ds: Any, new: Iterable[str]) -> None:
    """Append *new* warnings to ``ds.attrs["warnings"]`` (JSON text), skipping repeats."""
    current = warnings_of(ds)
    current.extend(w for w in new if w not in current)
    ds.attrs["warnings"] = json.dumps(current)


def _credits(inventory: Any, process: str, processes: list[str]) -> list[str]:
    """System-expansion credits behind a process label (``dataset`` or ``dataset (product)``)."""
    dataset_id, _, product = process.partition(" (")
    product = product.rstrip(")")
    ds = inventory.datasets.get(dataset_id)
    if ds is None:
        return []
    product = product or ds.reference_product.id
    out = [f"{p.id} displaces {p.substitutes}" for p in ds.products if p.substitutes]
    # the process is a displaced product: name the co-products credited with it, from the
    # datasets in this supply chain (all of them when none is)
    in_chain = {label.partition(" (")[0] for label in processes}
    displacing = [
        (other.id, p.id) for other in inventory.datasets.values() for p in other.products if p.substitutes == product
    ]
    present = [c for d, c in displacing if d in in_chain] or [c for _, c in displacing]
    out.extend(f"{c} displaces {product}" for c in present)
    return out


def negative_footprints(ds: Any, inventory: Any, *, label: str, allocation: str = "") -> list[str]:
    """One warning per indicator whose score in *ds* (a ``calculate`` result) is negative."""
    out = []
    for method in ds.lcia_method.values.tolist():
        score = np.atleast_1d(ds.score.sel(lcia_method=method).values)
        negative = score < 0
        if not negative.any():
            continue
        unit = str(ds.unit.sel(lcia_method=method).item())
        value = float(score.mean())
        share = f" in {int(negative.sum())} of {score.size} samples" if score.size > 1 else ""
        text = f"{label}: negative {method} result{share} ({value:.4g} {unit})"
        if "contribution_by_process" in ds:
            by_process = ds.contribution_by_process.sel(lcia_method=method)
            if "sample" in by_process.dims:
                by_process = by_process.mean("sample")
            values = by_process.values
            order = np.argsort(values)
            causes = []
            for i in order[:MAX_CAUSES]:
                if values[i] >= 0:
                    break
                process = str(ds.process.values[i])
                supply = ds.supply.mean("sample") if "sample" in ds.supply.dims else ds.supply
                labels = [str(p) for p, x in zip(ds.process.values, supply.values, strict=True) if x != 0]
                credits = _credits(inventory, process, labels) if allocation == "system-expansion" else []
                credit_text = f", credits: {'; '.join(credits)}" if credits else ""
                causes.append(f"{process} {values[i]:.4g}{credit_text}")
            if causes:
                text += "; caused by " + " | ".join(causes)
        out.append(text)
    return out


PROVIDER_TOTAL_FLOW = "ghg-unspecified-co2eq-air"
"""The elementary flow of a provider's single CO2-eq total (flows.yaml): characterised 1:1, on the provider's GWP basis."""


def provider_total_shares(results: Mapping[str, Any], methods: Sequence[Any]) -> dict[str, dict[str, float]]:
    """``{indicator: {route: share}}``: the part of each result that is provider CO2-eq totals.

    *results* are ``calculate`` results by route; *methods* the comparison's methods (with their
    ``factors``). The share is ``inventory[flow] × factor / score`` for every method that
    characterises :data:`PROVIDER_TOTAL_FLOW`; a route whose score is 0 or whose inventory lacks
    the flow is left out, as is an indicator without any share above zero.

    >>> import xarray as xr
    >>> from types import SimpleNamespace
    >>> ds = xr.Dataset(
    ...     {"score": ("lcia_method", [10.0]), "inventory": ("flow", [2.5, 7.5])},
    ...     coords={"lcia_method": ["m"], "flow": [PROVIDER_TOTAL_FLOW, "co2-fossil-air"]},
    ... )
    >>> m = SimpleNamespace(id="m", indicator="gwp100", factors={PROVIDER_TOTAL_FLOW: 1.0, "co2-fossil-air": 1.0})
    >>> provider_total_shares({"virgin": ds}, [m])
    {'gwp100': {'virgin': 0.25}}
    """
    out: dict[str, dict[str, float]] = {}
    for method in methods:
        factor = float(method.factors.get(PROVIDER_TOTAL_FLOW, 0.0))
        if factor == 0.0:
            continue
        shares: dict[str, float] = {}
        for route, ds in results.items():
            if PROVIDER_TOTAL_FLOW not in ds.flow.values.tolist():
                continue
            score = float(np.mean(ds.score.sel(lcia_method=method.id).values))
            amount = float(np.mean(ds.inventory.sel(flow=PROVIDER_TOTAL_FLOW).values))
            if score != 0.0 and amount != 0.0:
                shares[route] = amount * factor / score
        if shares:
            out[method.indicator] = shares
    return out


def provider_total_warnings(shares: Mapping[str, Mapping[str, float]], method_ids: Mapping[str, str]) -> list[str]:
    """One warning per indicator with provider CO2-eq totals: how much of each route's result they are.

    >>> provider_total_warnings({"gwp100": {"virgin": 0.106}}, {"gwp100": "ipcc2021-gwp100"})[0][:60]
    'gwp100: 10.6 % (virgin) of the result are provider CO2-eq to'
    """
    out = []
    for indicator, by_route in shares.items():
        parts = ", ".join(f"{100.0 * share:.3g} % ({route})" for route, share in by_route.items())
        out.append(
            f"{indicator}: {parts} of the result are provider CO2-eq totals (flow {PROVIDER_TOTAL_FLOW}: grid "
            "electricity life-cycle factors, for the shipped grids the IPCC (2014) AR5 WGIII Annex III medians), "
            f"counted 1:1 by {method_ids.get(indicator, indicator)} on the provider's own GWP basis (AR5 for those "
            "grids); the rest uses the method's factors (docs/data/background.md)"
        )
    return out
