"""bw_processing datapackages of the parameterised model: bw2calc runs on them without cathode-lca.

One ``.zip`` holds the technosphere and biosphere matrices at the chosen parameters (vectors)
and the characterisation matrix of one method. With samples (drawn from the declared parameter
distributions) or scenarios, it also holds *array* resources: one column per sample/scenario
for every matrix cell that depends on a parameter. The package is ``sequential``, so
``bw2calc.LCA(demand, data_objs=[dp], use_arrays=True)`` starts at column 0 and ``next(lca)``
moves to the next column.

Ids: product *i* of ``info.products`` has id ``i + 1``; flow *j* of ``info.flows`` has id
``FLOW_ID_OFFSET + j`` (the same numbering as :mod:`cathode_lca.brightway.crosscheck`). The
package metadata (``dp.metadata["cathode_lca"]``) lists both, the sampled parameter values,
the seed, the method, the allocation, the package version and the inventory hash.

Examples
--------
>>> info = write_datapackage("model.zip", samples=100, seed=1)     # doctest: +SKIP
>>> demand = {info.product_id("cam-nmc811-virgin"): 1.0}           # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import __version__
from ..errors import ParameterError, UsageError
from .crosscheck import FLOW_ID_OFFSET

if TYPE_CHECKING:
    from ..lca import LCAModel

MAX_SAMPLES = 100_000


@dataclass
class DatapackageInfo:
    """What was written: ids, columns and provenance."""

    path: Path
    products: list[str]
    flows: list[str]
    columns: int  # sample/scenario columns in the array resources (0: vectors only)
    column_names: list[str]
    parameters: dict[str, list[Any]]  # parameter key -> value per column
    seed: int | None
    method: str
    allocation: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def product_id(self, product: str) -> int:
        """Integer id of a product (or single-product dataset) id, for the bw2calc demand."""
        try:
            return self.products.index(product) + 1
        except ValueError:
            raise UsageError(f"unknown product '{product}' in this datapackage", hint="see info.products") from None


def _cells(rows: np.ndarray, cols: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique (row, col) cells and, per entry, the index of its cell."""
    flat = rows.astype(np.int64) * n_cols + cols.astype(np.int64)
    unique, inverse = np.unique(flat, return_inverse=True)
    return unique, inverse.ravel()


def _matrix_resources(
    matrices: Any, entries: dict[str, np.ndarray], env: Any, env_columns: Any, columns: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Cell indices, values at *env* and, for parameter-dependent cells, values per column."""
    n_cols = matrices.n
    unique, cell_of = _cells(entries["rows"], entries["cols"], n_cols)
    static = matrices.static_data(entries, env)
    values = np.zeros(len(unique))
    np.add.at(values, cell_of, static)
    cell_rows, cell_cols = unique // n_cols, unique % n_cols
    variable_cells = np.zeros(len(unique), dtype=bool)
    variable_cells[cell_of[matrices.variable_entries(entries)]] = True
    if not columns or not variable_cells.any():
        return cell_rows, cell_cols, values, None
    select = np.nonzero(variable_cells[cell_of])[0]  # every entry of a variable cell (constants too)
    data = matrices.entry_data(entries, select, env_columns, columns)
    position = np.full(len(unique), -1)
    position[np.nonzero(variable_cells)[0]] = np.arange(int(variable_cells.sum()))
    array = np.zeros((int(variable_cells.sum()), columns))
    np.add.at(array, position[cell_of[select]], data)
    return cell_rows, cell_cols, values, (variable_cells, array)


def _column_parameters(
    model: LCAModel,
    base: Mapping[str, Any],
    samples: int,
    seed: int | None,
    scenarios: Mapping[str, Mapping[str, Any]] | None,
) -> tuple[int, list[str], dict[str, Any], int | None]:
    """Parameter overrides with one value per column (samples or scenarios)."""
    if samples and scenarios:
        raise UsageError("give either samples or scenarios, not both", hint="write two datapackages")
    if samples:
        if samples < 1 or samples > MAX_SAMPLES:
            raise UsageError(f"--samples must be between 1 and {MAX_SAMPLES}", hint="e.g. --samples 1000")
        if not model.parameters.uncertain():
            raise UsageError("no parameter has a distribution to sample", hint="use scenarios instead")
        seed = int(np.random.SeedSequence().generate_state(1)[0]) if seed is None else int(seed)
        from ..uncertainty.streams import draw

        fixed = {model.parameters.key(k) for k in base}  # given values stay fixed
        declared = {k: model.parameters.distribution(k) for k in sorted(model.parameters.uncertain())}
        draws = {k: draw(d, seed, k, 0, samples) for k, d in declared.items() if d is not None and k not in fixed}
        return samples, [f"sample {i}" for i in range(samples)], draws, seed
    if not scenarios:
        return 0, [], {}, None
    names = list(scenarios)
    keys: dict[str, str] = {}
    for scenario in scenarios.values():
        if not isinstance(scenario, Mapping):
            raise UsageError("each scenario must map parameter names to values", hint="e.g. {CN: {plant_region: CN}}")
        for name in scenario:
            keys[name] = model.parameters.key(name)
    defaults = model.parameters.defaults()
    overrides: dict[str, Any] = {}
    for name, key in keys.items():
        param = model.parameters.parameters[key]
        fallback = base.get(name, defaults.get(key))
        column = []
        for scenario_name in names:
            if name in scenarios[scenario_name]:
                column.append(scenarios[scenario_name][name])
            elif fallback is not None:
                column.append(fallback)
            else:
                raise UsageError(
                    f"scenario '{scenario_name}' does not set '{name}', a {param.kind} parameter without a default",
                    hint=f"set '{name}' in every scenario",
                )
        if param.kind != "choice":
            for scenario_name, value in zip(names, column, strict=True):
                try:
                    float(value)
                except (TypeError, ValueError):
                    raise ParameterError(
                        f"scenario '{scenario_name}': '{name}' must be a number, got {value!r:.60}",
                        hint=f"e.g. {name}: {fallback if fallback is not None else 1.0}",
                    ) from None
        overrides[key] = np.array(column, dtype=object if param.kind == "choice" else float)
    return len(names), names, overrides, None


def write_datapackage(
    path: str | Path,
    model: LCAModel | None = None,
    *,
    method: Any = "ipcc2021-gwp100",
    allocation: str = "none",
    parameters: Mapping[str, Any] | None = None,
    samples: int = 0,
    seed: int | None = None,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    overwrite: bool = False,
) -> DatapackageInfo:
    """Write the model as a bw_processing datapackage (a zip file), atomically.

    Parameters
    ----------
    path
        Output ``.zip``; an existing file is refused unless *overwrite*.
    model
        Default: the shipped inventories.
    method
        Method id (or :class:`~cathode_lca.methods.Method`) of the characterisation matrix.
    allocation
        Allocation option of the matrices.
    parameters
        Fixed parameter overrides (vectors, and every column of the arrays).
    samples
        Number of Monte Carlo columns, drawn from the declared distributions with *seed*.
    scenarios
        ``{scenario name: {parameter: value}}``; one column per scenario (exclusive with *samples*).

    Examples
    --------
    >>> info = write_datapackage("model.zip", scenarios={"US": {"plant_region": "US"},
    ...                                                  "CN": {"plant_region": "CN"}})  # doctest: +SKIP
    >>> info.column_names                                                               # doctest: +SKIP
    ['US', 'CN']
    """
    from ..io import check_writable
    from ..lca import default_model
    from ..methods import Method, load_method
    from ..uncertainty.arguments import check_seed, whole_number
    from . import arguments

    arguments.file_path(path, "path", example="model.zip")
    overwrite = arguments.flag(overwrite, "overwrite")
    arguments.model_or_none(model)
    arguments.one_method(method)
    arguments.mapping_or_none(parameters, "parameters", example="{'plant_region': 'CN'}")
    if not isinstance(samples, (int, np.integer)) or isinstance(samples, (bool, np.bool_)):
        whole_number(samples, "samples", minimum=0)  # raises: a float, text or bool is not a count
    samples = int(samples)  # negative: the range error of _column_parameters
    seed = None if seed is None else check_seed(seed, optional=True)
    arguments.scenario_table(scenarios)
    if seed is not None and not samples:  # a seed alone drew nothing and was recorded nowhere
        raise UsageError(
            "a seed is used only with samples (Monte Carlo columns)",
            hint="add --samples N (samples=N), or leave out --seed",
        )
    target = check_writable(path, overwrite)
    model = model or default_model()
    base = dict(parameters or {})
    method_obj = method if isinstance(method, Method) else load_method(method)
    matrices = model.matrices(allocation)
    env = model.parameters.evaluate(base)
    columns, column_names, per_column, seed = _column_parameters(model, base, samples, seed, scenarios)
    env_columns = model.parameters.evaluate({**base, **per_column}) if columns else env
    a = _matrix_resources(matrices, matrices.A, env, env_columns, columns)
    b = _matrix_resources(matrices, matrices.B, env, env_columns, columns)
    cf = method_obj.vector(matrices.flows)
    nz = np.nonzero(cf)[0]
    column_values = {
        k: [_plain(v) for v in np.broadcast_to(np.asarray(val), (columns,))] for k, val in per_column.items()
    }
    info = DatapackageInfo(
        path=target,
        products=list(matrices.products),
        flows=list(matrices.flows),
        columns=columns,
        column_names=column_names,
        parameters=column_values,
        seed=seed,
        method=method_obj.id,
        allocation=allocation,
        metadata={
            "package": "cathode-lca",
            "package_version": __version__,
            "inventory_hash": model.inventory.content_hash,
            "background": model.background,
            "method": method_obj.id,
            "method_source": method_obj.source,
            "method_unit": method_obj.unit,
            "allocation": allocation,
            "parameter_set": "samples" if samples else ("scenarios" if scenarios else "defaults"),
            "parameters": {k: _plain(v) for k, v in base.items()},
            "seed": seed,
            "solver": "bw2calc (cathode-lca writes matrices only)",
            "products": list(matrices.products),
            "flows": list(matrices.flows),
            "product_id": "index in products + 1",
            "flow_id": f"index in flows + {FLOW_ID_OFFSET}",
            "columns": column_names,
            "column_parameters": column_values,
        },
    )
    from ..io import write_with  # exclusive create, no links or devices, umask/mode kept, no leftovers

    write_with(target, lambda tmp: _write_zip(Path(tmp), a, b, (nz, cf[nz]), info), overwrite=overwrite)
    return info


def _plain(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return arr.item()
    return arr.tolist()


def _write_zip(tmp: Path, a: tuple, b: tuple, characterisation: tuple, info: DatapackageInfo) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bw_processing as bwp
        from fsspec.implementations.zip import ZipFileSystem

    tmp.unlink()  # ZipFileSystem creates the file
    dp = bwp.create_datapackage(
        fs=ZipFileSystem(str(tmp), mode="w"),
        name="cathode-lca",
        sequential=True,
        sum_intra_duplicates=True,
        sum_inter_duplicates=False,  # array columns replace the vector values of their cells
        metadata={"cathode_lca": info.metadata},
    )
    for matrix, label, (rows, cols, values, varying), row_offset in (
        ("technosphere_matrix", "technosphere", a, 1),
        ("biosphere_matrix", "biosphere", b, FLOW_ID_OFFSET),
    ):
        indices = np.array(list(zip(rows + row_offset, cols + 1, strict=True)), dtype=bwp.INDICES_DTYPE)
        dp.add_persistent_vector(
            matrix=matrix,
            name=f"cathode-lca-{label}",
            indices_array=indices,
            data_array=values.astype(np.float64),
            flip_array=np.zeros(len(values), dtype=bool),
        )
        if varying is not None:
            mask, array = varying
            dp.add_persistent_array(
                matrix=matrix,
                name=f"cathode-lca-{label}-columns",
                indices_array=indices[mask],
                data_array=array.astype(np.float64),
                flip_array=np.zeros(int(mask.sum()), dtype=bool),
            )
    flows, factors = characterisation
    if len(flows) == 0:
        raise ParameterError(
            f"method '{info.method}' characterises no flow of this inventory", hint="choose another --method"
        )
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name=f"cathode-lca-{info.method}",
        indices_array=np.array([(FLOW_ID_OFFSET + i, FLOW_ID_OFFSET + i) for i in flows], dtype=bwp.INDICES_DTYPE),
        data_array=np.asarray(factors, dtype=np.float64),
    )
    dp.finalize_serialization()
