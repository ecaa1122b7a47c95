"""Electricity per the rules: which grid mix each plant uses, and why.

PEF Annex I §4.4.2 (Rec. (EU) 2021/2279), the basis of the CF rules: a supplier-specific product or
mix only when the contractual instrument meets the minimum criteria; otherwise the country-specific
**residual** consumption mix (lines 804-823); as a last option the EU+EFTA residual mix. The draft
DA reportedly prescribes the national **consumption** mix. The battery file says which it asks for
(``electricity.<plant>.mix``: ``residual`` by default, ``consumption``, or ``supplier-specific`` with
``contract_evidence``).

The mix reaches the model through each plant's own choice parameters (``cam_plant_electricity_supply``
and ``cam_plant_region`` for the cathode plant, ``recycler_electricity_supply`` and ``recycler_region``
for the end-of-life recycler; a model without them falls back to the shortcut
``plant_electricity_supply``) of the electricity inventory (``grid``: the national grid of the region, a consumption mix where grid losses
are cited, else a generation mix; ``residual``: the AIB residual mix, European countries only). A
requested ``consumption`` mix maps to ``grid``; ``residual`` needs an ``electricity-residual-<region>``
dataset. Where the inventory lacks the requested mix for that region (or, for ``supplier-specific``, the
contract's own factors, which come through a scenario file), the declaration says "not available",
names the grid dataset that was used and warns.

Examples
--------
>>> report = plant_electricity(model, "cathode plant", plant, "EU")     # doctest: +SKIP
>>> report["used"], report["compliant"]                                # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..lca import LCAModel

MIX_PARAMETER = "plant_electricity_supply"
# requested mix (battery file) -> choice of MIX_PARAMETER; supplier-specific factors come through a scenario
MIX_CHOICE = {"residual": "residual", "consumption": "grid"}
MIX_DATASET = {"residual": "electricity-residual-{region}", "consumption": "electricity-grid-{region}"}
ELECTRICITY_RULE = (
    "PEF Annex I §4.4.2 (lines 804-823): supplier-specific electricity only with contractual instruments meeting the "
    "minimum criteria; otherwise the country-specific residual consumption mix; last option the EU+EFTA residual "
    "mix. Draft DA (secondary summaries): national consumption mix"
)
GRID_DATASET = "electricity-grid-{region}"
# plant named by the declaration -> prefix of its own electricity parameters in the inventory
PLANT_PREFIX = {"cathode plant": "cam_plant", "end-of-life recycler": "recycler"}


def _parameters(model: Any, plant: str) -> tuple[str, str | None]:
    """(supply parameter, region parameter or None) of *plant*: its own, else the global shortcut."""
    prefix = PLANT_PREFIX.get(plant)
    names = model.parameters.parameters
    if prefix and f"{prefix}_electricity_supply" in names and f"{prefix}_region" in names:
        return f"{prefix}_electricity_supply", f"{prefix}_region"
    return MIX_PARAMETER, None


def plant_electricity(
    model: LCAModel, plant: str, spec_plant: Any, region: str
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """(model parameter updates, report, warning) for one plant's electricity."""
    requested = spec_plant.mix or "residual"
    grid = GRID_DATASET.format(region=region.lower())
    report: dict[str, Any] = {
        "plant": plant,
        "region": region,
        "requestedMix": requested,
        "contractEvidence": spec_plant.contract_evidence,
        "rule": ELECTRICITY_RULE,
        "source": spec_plant.source,
    }
    choices: tuple[str, ...] = ()
    supply_param, region_param = _parameters(model, plant)
    if supply_param in model.parameters.parameters:
        choices = tuple(model.parameters.parameters[model.parameters.key(supply_param)].choices or ())
    choice = MIX_CHOICE.get(requested)
    dataset = MIX_DATASET.get(requested, "").format(region=region.lower())
    if choice in choices and dataset in model.inventory.datasets:
        report.update(
            used=f"{dataset}: {requested} mix of {region} (model parameter {supply_param}={choice})",
            compliant=True,
        )
        updates = {supply_param: choice}
        if region_param is not None:
            updates[region_param] = region
        return updates, report, None
    report.update(
        used=f"{grid}: national average grid of {region} (generation basis) as shipped",
        compliant=False,
        status=f"not available: the inventory has no {requested} mix"
        + ("" if choices else f" (no '{supply_param}' parameter)"),
    )
    warning = (
        f"electricity of the {plant} ({region}): the {requested} mix the rules ask for is not available in this "
        f"inventory; the national average grid ({grid}) was used"
    )
    return {}, report, warning
