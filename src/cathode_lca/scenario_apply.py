"""What scenario files do to a run: the model with the scenarios applied, and their provenance in ``ds.attrs``.

One door for scenario and plant files, used by the command line (``--scenario FILE|NAME``, see
:mod:`cathode_lca.cli.scenarios`) and by the Python API (``compare(..., scenarios=[...])``,
``monte_carlo``, ``sweep``): the same files give the same numbers and the same provenance.

Order of precedence, later wins: inventory defaults < each scenario in the order given <
``parameters`` (``--param``). Scenario values become the model's parameter defaults; the
result metadata records every scenario (name, path, sha256) and every overridden parameter with
its value, unit and source.

Examples
--------
>>> from cathode_lca.lca import default_model                                      # doctest: +SKIP
>>> applied = apply_scenarios(default_model(), ["eu-2030-recycler"], {})            # doctest: +SKIP
>>> ds = applied.stamp(compare("NMC811", model=applied.model, parameters=applied.parameters))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lca import LCAModel

#: The plant region when neither the caller nor a scenario gives one (as in EverBatt).
DEFAULT_REGION = "US"

PRECEDENCE = "inventory defaults < each --scenario in the order given < --param (later wins)"


@dataclass
class Applied:
    """A model with the scenarios applied, the --param overrides and the provenance for ``ds.attrs``."""

    model: LCAModel | None  # None: no scenario needed a model (chunked runs build their own)
    parameters: dict[str, Any]
    attrs: dict[str, str] = field(default_factory=dict)
    plant_region: str | None = None
    warnings: list[str] = field(default_factory=list)

    def stamp(self, ds: Any) -> Any:
        """Record the scenarios, overridden parameters and supplier stand-ins in the result metadata."""
        ds.attrs.update(self.attrs)
        warnings = [*self.warnings, *self._not_used(ds), *self._own_regions(ds)]
        if warnings:
            from .result_warnings import add_warnings

            add_warnings(ds, warnings)  # JSON text, like every list in attrs (netCDF attrs hold text)
        return ds

    def _own_regions(self, ds: Any) -> list[str]:
        """Plants that a scenario put in a region of their own, said next to the ``region`` shortcut.

        A result's ``region`` is the ``plant_region`` shortcut, which only plants without a setting
        follow; without this note "region US" reads as if every plant ran in the US.
        """
        region = ds.attrs.get("region")
        overridden = self.attrs.get("overridden_parameters")
        if not isinstance(region, str) or not overridden:
            return []
        provenance = json.loads(overridden)
        own = [
            f"{key} = {entry.get('value')}"
            for key, entry in sorted(provenance.items())
            if key.endswith("_region") and key != "plant_region" and str(entry.get("value")) != region
        ]
        if not own:
            return []
        return [
            f"region {region} is the plant_region shortcut; plants with their own setting do not follow it: "
            + ", ".join(own)
        ]

    def _not_used(self, ds: Any) -> list[str]:
        """Scenario values that the command replaced (``compare NMC811`` sets feed_chemistry): marked and warned.

        The provenance would otherwise claim a value the numbers do not use.
        """
        used = ds.attrs.get("parameters")
        used = json.loads(used) if isinstance(used, str) and used else used
        overridden = self.attrs.get("overridden_parameters")
        if not isinstance(used, dict) or not overridden:
            return []
        provenance = json.loads(overridden)
        out = []
        for key, entry in provenance.items():
            name = key.rsplit("::", 1)[-1]
            value = used.get(key, used.get(name))
            if value is None or entry.get("source") == "--param" or isinstance(value, (list, dict)):
                continue
            if str(value) != str(entry.get("value")) and not _same_number(value, entry.get("value")):
                entry["not_used"] = f"{value} (set by the command)"
                out.append(
                    f"{name} = {entry.get('value')} from {entry.get('origin', 'a scenario')} was not used: "
                    f"the command computed with {name} = {value}"
                )
        if out:
            ds.attrs["overridden_parameters"] = json.dumps(provenance, default=str)
        return out

    def region(self, region: str | None, *, default: str = DEFAULT_REGION) -> str:
        """The plant region to use: *region* when given, else a scenario's ``plant_region``, else *default*.

        ``None`` means "not given" (the Python API's default; the command line passes ``None``
        when ``--region`` is left out).
        """
        if region is None:
            if self.plant_region is not None and "plant_region" not in self.parameters:
                return self.plant_region
            return default
        return region


def _same_number(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def needs_model(scenario_refs: Sequence[str], params: Mapping[str, Any]) -> bool:
    """True when scenarios or --param values with units need the model's parameters to be resolved."""
    if scenario_refs:
        return True
    from .parameters.scenario_values import split_quantity

    for value in params.values():
        quantity = split_quantity(value) if isinstance(value, str) else None
        if quantity is not None and quantity[1] is not None:
            return True
    return False


def apply_scenarios(model: LCAModel | None, scenario_refs: Sequence[str], params: Mapping[str, Any]) -> Applied:
    """Load *scenario_refs* against *model*, bake them in, convert --param units; see module docs."""
    if not needs_model(scenario_refs, params):
        return Applied(model, dict(params))
    if model is None:
        raise TypeError("scenarios and --param values with units need a model")
    from .lca import LCAModel
    from .parameters.scenario_values import convert_param_values
    from .parameters.scenarios import apply_to_inventory, compose, load_scenario

    scenarios = [load_scenario(ref, model.parameters) for ref in scenario_refs]
    composed = compose(scenarios)
    inventory = apply_to_inventory(model.inventory, composed) if composed.values else model.inventory
    suppliers: list[dict[str, Any]] = []
    warnings: list[str] = []
    if composed.datasets:
        from .exchange.pact import read_footprint_for, stand_in, standin_warning

        for dataset_id, entry in composed.datasets.items():
            footprint = read_footprint_for(entry)
            inventory = stand_in(inventory, dataset_id, footprint, where=entry.where)
            suppliers.append(footprint.summary(dataset_id))
            warnings.append(standin_warning(dataset_id, footprint))
    if inventory is not model.inventory:
        background_info = getattr(model, "background_info", None)
        model = LCAModel(inventory, background_solver=getattr(model, "background_solver", None))
        model.background_info = background_info  # the user's background stays the background
    overrides, from_params = convert_param_values(params, model.parameters)
    provenance = {**composed.provenance(), **from_params}
    attrs = {
        "scenarios": json.dumps([s.summary() for s in scenarios]),
        "overridden_parameters": json.dumps(provenance, default=str),
        "parameter_precedence": PRECEDENCE,
    }
    if suppliers:
        attrs["supplier_footprints"] = json.dumps(suppliers)
    region = None
    region_key = _key_or_none(model, "plant_region")
    if region_key is not None and region_key in composed.values:
        region = str(composed.values[region_key][1].value)
    return Applied(model, overrides, attrs, region, warnings)


def _key_or_none(model: LCAModel, name: str) -> str | None:
    try:
        return model.parameters.key(name)
    except Exception:
        return None


def scenario_run(
    model: LCAModel | None,
    scenarios: object,
    parameters: Mapping[str, Any] | None,
    inventory_files: Sequence[str] = (),
) -> Applied:
    """The Python API's ``scenarios=`` argument: *scenarios* (paths or shipped names) applied to *model*.

    *model* ``None`` is the shipped inventories (plus *inventory_files*), as on the command line.
    A bare string or path is refused (it would be one file, written as a list of one); the files'
    errors are those of ``--scenario`` (:class:`~cathode_lca.parameters.scenarios.ScenarioError`,
    naming file, line and field).

    Examples
    --------
    >>> scenario_run(None, "plant.yaml", None)
    Traceback (most recent call last):
    ...
    cathode_lca.errors.UsageError: scenarios must be a list of scenario files or names, got the string 'plant.yaml'. Fix: write ['plant.yaml']
    """
    from pathlib import Path

    from .errors import UsageError

    if isinstance(scenarios, (str, bytes, Path)):
        raise UsageError(
            f"scenarios must be a list of scenario files or names, got the string {str(scenarios)!r}",
            hint=f"write [{str(scenarios)!r}]",
        )
    if not isinstance(scenarios, (list, tuple)) or not all(isinstance(s, (str, Path)) for s in scenarios):
        raise UsageError(
            f"scenarios must be a list of scenario files or names, got {scenarios!r:.60}",
            hint="e.g. scenarios=['examples/plants/eu-hydro-recycler.yaml'] or ['eu-2030-recycler']",
        )
    if parameters is not None and not isinstance(parameters, Mapping):
        raise UsageError(
            f"parameters must be a mapping of parameter name to value, got {type(parameters).__name__}",
            hint="e.g. parameters={'hydro_recovery_ni': 0.95}",
        )
    if model is None:
        from .lca import LCAModel, default_model

        model = LCAModel(extra=inventory_files) if inventory_files else default_model()
    return apply_scenarios(model, [str(s) for s in scenarios], dict(parameters or {}))


def scenario_inputs(
    model: LCAModel | None,
    scenarios: object,
    parameters: Mapping[str, Any] | None,
    region: str | None,
    inventory_files: Sequence[str] = (),
) -> tuple[Applied | None, LCAModel | None, Mapping[str, Any] | None, tuple[str, ...], str]:
    """``(applied, model, parameters, inventory_files, region)`` of a public function after its ``scenarios=``.

    Without scenarios the inputs come back as given, *region* ``None`` becoming :data:`DEFAULT_REGION`;
    with them, the model, parameters and region that :func:`scenario_run` gives (its inventory files
    are in the model). ``applied`` stamps the result's provenance at the end.

    >>> scenario_inputs(None, None, {"hydro_recovery_ni": 0.9}, None)
    (None, None, {'hydro_recovery_ni': 0.9}, (), 'US')
    """
    if not scenarios:
        return None, model, parameters, tuple(inventory_files), DEFAULT_REGION if region is None else region
    applied = scenario_run(model, scenarios, parameters, inventory_files)
    return applied, applied.model, applied.parameters, (), applied.region(region)
