"""High-level calculation API.

Examples
--------
>>> from cathode_lca import LCAModel
>>> model = LCAModel()                                          # doctest: +SKIP
>>> ds = model.calculate({"sulfuric-acid-greet2022": 1.0})      # doctest: +SKIP
>>> float(ds.score.sel(lcia_method="ipcc2021-gwp100").squeeze())  # doctest: +SKIP
0.044...
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import numpy as np

if TYPE_CHECKING:
    import xarray

from . import __version__
from .engine.matrices import ALLOCATIONS, MatrixModel, broadcast_size
from .engine.results import build_dataset
from .engine.solve import PartitionedSolver
from .errors import ParameterError, UsageError, ValidationError
from .inventory.formulas import Formula
from .inventory.load import Inventory, load_inventory
from .methods import DEFAULT_METHODS, Method, load_method
from .parameters.engine import ParameterModel
from .parameters.evaluator import Evaluator
from .result_warnings import add_warnings, negative_footprints

SHIPPED_BACKGROUND = {
    "kind": "shipped",
    "database": "cathode-lca inventories (GREET 2022 / EverBatt 2023, Istrate 2024, Ember, AIB)",
    "version": __version__,
    "mapping": None,
    "mapping_sha256": None,
}


class BackgroundNotes(Protocol):
    """What a model on a user's background adds to every result (see ``brightway.background_flows``)."""

    provenance: dict[str, Any]

    def notes(
        self,
        ds: Any,
        model: LCAModel,
        demand: Mapping[str, Any],
        env: Mapping[str, Any],
        allocation: str,
        methods: Sequence[Method],
    ) -> list[str]: ...


class LCAModel:
    """An inventory ready for calculation: parameters compiled, matrices built lazily and cached.

    Parameters
    ----------
    inventory
        A loaded :class:`Inventory`; default: the shipped inventories (plus *extra*).
    extra
        User inventory files with more datasets or ``overrides:``.
    background_solver
        How the static background is factorised: ``"auto"`` (by loop size), ``"superlu"``,
        ``"superlu-colamd"`` or ``"pardiso"`` (see :mod:`cathode_lca.engine.factorize`);
        ``None`` reads the environment variable ``CATHODE_LCA_SOLVER`` (default ``auto``).
    """

    def __init__(
        self,
        inventory: Inventory | None = None,
        *,
        extra: Iterable[str | Path] = (),
        varied_exchanges: Iterable[str] = (),
        background_solver: str | None = None,
        _parent: LCAModel | None = None,
    ) -> None:
        if isinstance(extra, (str, Path)):
            raise UsageError(
                f"extra must be a list of inventory files, got the single path {str(extra)!r}",
                hint=f"write extra=[{str(extra)!r}]",
            )
        if inventory is not None and not isinstance(inventory, Inventory):
            shown = f"{str(inventory)!r}" if isinstance(inventory, (str, Path)) else f"{inventory!r:.60}"
            raise UsageError(
                f"inventory must be an Inventory (from load_inventory) or None, got {shown} ({type(inventory).__name__})",
                hint="for your own files write LCAModel(extra=['my-plant.yaml']) (the shipped inventories plus yours)",
            )
        self.background_solver = background_solver
        self.inventory: Inventory
        self.parameters: ParameterModel
        self.evaluator: Evaluator
        if _parent is not None:  # a varied-exchange twin (see _twin): the parent's parsed model
            self.inventory, self.parameters, self.evaluator = _parent.inventory, _parent.parameters, _parent.evaluator
        else:
            self.inventory = inventory if inventory is not None else load_inventory(extra=extra)
            self.parameters = ParameterModel(self.inventory)
            self.evaluator = Evaluator(self.inventory, self.parameters)
        self.varied_exchanges = frozenset(varied_exchanges)
        self._matrices: dict[str, MatrixModel] = {}
        self._twins: dict[frozenset[str], LCAModel] = {}
        self._solvers: dict[tuple[str, tuple[int, ...]], PartitionedSolver] = {}
        self._parent = _parent  # the model a varied-exchange twin was made from
        self.background_info: BackgroundNotes | None = None  # set for a Brightway background

    @property
    def background(self) -> dict[str, Any]:
        """Provenance of the background: ``{kind: shipped|brightway, database, version, mapping, mapping_sha256}``."""
        info = self.background_info
        return dict(SHIPPED_BACKGROUND) if info is None else dict(info.provenance)

    def matrices(self, allocation: str = "none") -> MatrixModel:
        if allocation not in self._matrices:
            if self._parent is not None:  # a twin: the parent's pattern and formulas, more varied slots
                parent = self._parent.matrices(allocation)
                self._matrices[allocation] = parent.with_varied_exchanges(self.varied_exchanges)
            else:
                self._matrices[allocation] = MatrixModel(self.parameters, allocation, self.varied_exchanges)
        return self._matrices[allocation]

    def value(self, amount: float | Formula, env: Mapping[str, Any], dataset: str | None = None) -> Any:
        """An amount or property (number or formula) of *dataset* at the parameters *env*.

        The only formula evaluator of the package (see :class:`~cathode_lca.parameters.evaluator.Evaluator`):
        a float, or an array of S values when the parameters it uses are arrays. Formulas are compiled
        once per model; *dataset* is the scope the formula's names resolve in (``None``: global).

        Examples
        --------
        >>> model = LCAModel()                                          # doctest: +SKIP
        >>> ds = model.inventory.datasets["recycling-hydrometallurgical"]  # doctest: +SKIP
        >>> model.value(ds.products[1].amount, model.parameters.evaluate(), ds.id)  # doctest: +SKIP
        """
        return self.evaluator.value(amount, env, dataset)

    def nominal(self, amount: float | Formula, env: Mapping[str, Any], dataset: str | None = None) -> float:
        """The first sample of :meth:`value`: one number for reports and checks."""
        return self.evaluator.first(amount, env, dataset)

    def with_varied_exchanges(self, keys: Iterable[str]) -> LCAModel:
        """The same inventory with the constant exchange amounts *keys* (``<dataset>/exchanges[<i>]``)
        read from the parameter environment when given there (Monte Carlo of exchange amounts); cached."""
        frozen = frozenset(keys) | self.varied_exchanges
        if frozen == self.varied_exchanges:
            return self
        if frozen not in self._twins:
            self._twins[frozen] = self._twin(frozen)
        return self._twins[frozen]

    def _twin(self, varied: frozenset[str]) -> LCAModel:
        """A model equal to ``LCAModel(self.inventory, varied_exchanges=varied)`` that shares what does
        not change with this one: the inventory, the parsed parameters and their evaluator, and (per
        allocation, see :meth:`matrices`) the matrix pattern and compiled formulas. Its solvers are
        its own, except where the varied exchanges leave a solver's partition unchanged (see
        :meth:`solver`)."""
        twin = LCAModel(varied_exchanges=varied, background_solver=self.background_solver, _parent=self)
        twin.background_info = self.background_info
        return twin

    def product_id(self, name: str) -> str:
        """Product id for a product or dataset id (a dataset stands for its reference product)."""
        _check_id(name, "name")
        inv = self.inventory
        if name in inv.products:
            return name
        if name in inv.datasets:
            return inv.datasets[name].reference_product.id
        import difflib

        close = difflib.get_close_matches(name, list(inv.products), n=3, cutoff=0.6)
        hint = ("did you mean " + " or ".join(close) + "?") if close else "list ids with 'cathode-lca datasets'"
        raise UsageError(f"unknown dataset or product '{name}'", hint=hint)

    def solver(self, allocation: str, demanded: Sequence[int]) -> PartitionedSolver:
        key = (allocation, tuple(sorted(set(demanded))))
        if key not in self._solvers:
            model = self.matrices(allocation)
            # a twin reuses its parent's solver (partition, background solve) when the varied
            # exchanges leave the static background alone (PartitionedSolver.for_twin checks)
            parent = self._parent._solvers.get(key) if self._parent is not None else None
            solver = parent.for_twin(model) if parent is not None else None
            if solver is None:
                static_env = self.parameters.evaluate()
                solver = PartitionedSolver(model, list(key[1]), static_env, self.background_solver)
            self._solvers[key] = solver
        return self._solvers[key]

    def _solve(self, demand: Mapping[str, Any], env: Mapping[str, Any], allocation: str, contributions: bool) -> Any:
        model = self.matrices(allocation)
        amounts: dict[int, np.ndarray] = {}
        for name, amount in demand.items():
            try:
                arr = np.atleast_1d(np.asarray(amount, dtype=float))
            except (TypeError, ValueError):
                raise ParameterError(
                    f"demand amount for '{name}' is not a number: {amount!r}", hint="give a number"
                ) from None
            if arr.ndim > 1:
                raise ParameterError(
                    f"demand amount for '{name}' has shape {arr.shape}",
                    hint="give a number or a one-dimensional array of samples",
                )
            if not np.all(np.isfinite(arr)):
                raise ParameterError(f"demand amount for '{name}' is NaN or infinite", hint="give a finite number")
            col = model.product_index[self.product_id(name)]
            amounts[col] = amounts.get(col, 0) + arr
        env_dict = env if isinstance(env, dict) else dict(env)
        size = broadcast_size(env_dict, list(amounts.values()))
        solver = self.solver(allocation, list(amounts))
        return solver.solve(env_dict, size, amounts, with_direct=contributions)

    def scores(
        self,
        demand: Mapping[str, Any],
        methods: Sequence[Method],
        env: Mapping[str, Any],
        allocation: str = "none",
    ) -> np.ndarray:
        """Characterised results only, as an array (method, sample): the Monte Carlo fast path.

        *env* is ``self.parameters.evaluate(parameters)``; no contributions, no xarray, no metadata.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # a non-finite result is refused below, by name
            solution = self._solve(demand, env, allocation, contributions=False)
            C = np.vstack([m.vector(self.matrices(allocation).flows) for m in methods])
            scores = C @ solution.inventory
        if not bool(np.isfinite(scores).all()):
            self._overflow(demand, None, "")
        return np.asarray(scores)

    def _refuse_non_finite(self, ds: Any, demand: Mapping[str, Any], parameters: Mapping[str, Any] | None) -> None:
        """Refuse a result that overflowed (finite inputs whose product is inf), naming what the user set."""
        if bool(np.isfinite(ds["score"].values).all()):
            return
        where = ""
        if "contribution_by_process" in ds:
            contribution = ds["contribution_by_process"]
            finite = np.isfinite(contribution).all(dim=[d for d in contribution.dims if d != "process"])
            where = " in " + ", ".join(str(p) for p in ds["process"].values[~finite.values][:5])
        self._overflow(demand, parameters, where)

    def _overflow(self, demand: Mapping[str, Any], parameters: Mapping[str, Any] | None, where: str) -> NoReturn:
        """Raise the error of a result that overflowed, naming the values the user set."""
        user = [k for k, p in self.inventory.parameters.items() if (p.note or "").startswith("scenario ")]
        user += [str(k) for k in (parameters or {})]
        raise ValidationError(
            f"the result of {' + '.join(demand)} is not finite (it overflows){where}",
            hint="check the size of the values you set"
            + (f" ({', '.join(user[:10])}{', ...' if len(user) > 10 else ''})" if user else "")
            + ": a finite value can still overflow once multiplied through the supply chain",
        )

    def calculate(
        self,
        demand: Mapping[str, Any],
        *,
        methods: Sequence[str | Method] = DEFAULT_METHODS,
        parameters: Mapping[str, Any] | None = None,
        allocation: str = "none",
        contributions: bool = True,
        keep_sample: bool = False,
        seed: int | None = None,
        parameter_set: str = "defaults",
        env: Mapping[str, Any] | None = None,
    ) -> xarray.Dataset:
        """Compute the LCA of *demand* (``{product or dataset id: amount}``).

        Amounts and parameter values may be scalars or arrays of S samples/scenarios.
        Returns an ``xarray.Dataset`` (see :mod:`cathode_lca.engine.results`).
        *env* is an already evaluated parameter environment for *parameters*
        (``self.parameters.evaluate(parameters)``), to share one evaluation between routes.
        """
        if allocation not in ALLOCATIONS:
            raise UsageError(f"unknown allocation '{allocation}'", hint="choose one of: " + ", ".join(ALLOCATIONS))
        _check_call(demand, methods, parameters)
        if not demand:
            raise UsageError("empty demand", hint="give at least one product and amount")
        method_objs = [m if isinstance(m, Method) else load_method(m) for m in methods]
        if not method_objs:
            raise UsageError("no method given", hint="e.g. ipcc2021-gwp100")
        if env is None:
            env = self.parameters.evaluate(parameters)
        model = self.matrices(allocation)
        with np.errstate(over="ignore", invalid="ignore"):  # a non-finite result is refused below, by name
            solution = self._solve(demand, env, allocation, contributions)
        size = solution.inventory.shape[1]
        attrs = {
            "package": "cathode-lca",
            "package_version": __version__,
            "inventory_hash": self.inventory.content_hash,
            "methods": [m.id for m in method_objs],
            "method_sources": {m.id: m.source for m in method_objs},
            "allocation": allocation,
            "parameter_set": parameter_set,
            "parameters": {k: _jsonable(v) for k, v in (parameters or {}).items()},
            "seed": "" if seed is None else seed,
            "solver": solution.solver,
            "background_solver": solution.background or {},
            "demand": {k: _jsonable(v) for k, v in demand.items()},
            "samples": size,
            "background": self.background,
        }
        with np.errstate(over="ignore", invalid="ignore"):
            ds = build_dataset(model, solution, method_objs, attrs, keep_sample)
        self._refuse_non_finite(ds, demand, parameters)
        from .engine.coverage import result_notes

        columns = [model.product_index[self.product_id(name)] for name in demand]
        warnings, basis, supplies = result_notes(model, columns, method_objs, env, parameters)
        add_warnings(ds, warnings)  # contract 3: a list, stored as JSON text (netCDF attrs hold text)
        if basis:  # JSON text, like every object in attrs: {dataset: basis}
            ds.attrs["electricity_basis"] = json.dumps(basis)
        if supplies:  # which electricity each plant used: {selector dataset: [supplying datasets]}
            ds.attrs["electricity_supply"] = json.dumps(supplies)
        label = " + ".join(demand)
        add_warnings(ds, negative_footprints(ds, self.inventory, label=label, allocation=allocation))
        if self.background_info is not None:
            add_warnings(ds, self.background_info.notes(ds, self, demand, env, allocation, method_objs))
        return ds


def _check_call(demand: object, methods: object, parameters: object) -> None:
    """Refuse a malformed call by name before numpy meets it deep inside the solver."""
    if not isinstance(demand, Mapping):
        raise UsageError(
            f"demand must be a mapping of product or dataset id to amount, got {type(demand).__name__}",
            hint="e.g. {'cam-nmc811-virgin': 1.0}",
        )
    if isinstance(methods, (str, bytes)):
        raise UsageError(
            f"methods must be a list of method ids, got the string {methods!r}", hint=f"write [{methods!r}]"
        )
    if parameters is None:
        return
    if not isinstance(parameters, Mapping):
        raise UsageError(
            f"parameters must be a mapping of parameter name to value, got {type(parameters).__name__}",
            hint="e.g. {'plant_region': 'CN'}",
        )
    for name, value in parameters.items():
        try:
            shape = np.shape(value)
        except ValueError:  # a ragged nested list
            raise ParameterError(
                f"parameter '{name}' is a ragged nested sequence", hint="give one value or a flat list"
            ) from None
        if len(shape) > 1:
            raise ParameterError(
                f"parameter '{name}' has shape {shape}",
                hint="give one value or a one-dimensional array of samples",
            )


def _check_id(value: object, argument: str) -> None:
    """Refuse an id that is not a string by name (a list or None would fail deep inside, or be read letter by letter)."""
    if not isinstance(value, str):
        raise UsageError(
            f"{argument} must be a dataset or product id (a string), got {value!r:.60} ({type(value).__name__})",
            hint="e.g. 'cam-nmc811-virgin'; list ids with 'cathode-lca datasets'",
        )


def _jsonable(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.ndim == 0:
        item = arr.item()
        return item
    if arr.size > 20:
        return f"array of {arr.size} values"
    return arr.tolist()


_DEFAULT_MODEL: LCAModel | None = None


def default_model() -> LCAModel:
    """The shipped inventories, loaded once per process."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        _DEFAULT_MODEL = LCAModel()
    return _DEFAULT_MODEL


def compute(
    dataset: str,
    amount: float = 1.0,
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    parameters: Mapping[str, Any] | None = None,
    allocation: str = "none",
    model: LCAModel | None = None,
) -> xarray.Dataset:
    """LCA of *amount* of one dataset's reference product with the shipped inventories.

    Examples
    --------
    >>> ds = compute("sulfuric-acid-greet2022")     # doctest: +SKIP
    """
    _check_id(dataset, "dataset")
    model = model or default_model()
    return model.calculate({dataset: amount}, methods=methods, parameters=parameters, allocation=allocation)
