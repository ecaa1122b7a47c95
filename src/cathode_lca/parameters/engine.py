"""The parameter engine: formulas ordered by dependency, compiled once, evaluated over S samples.

Examples
--------
>>> from cathode_lca.inventory.load import load_inventory
>>> inv = load_inventory(["tests/data/chain.yaml"])            # doctest: +SKIP
>>> env = ParameterModel(inv).evaluate({"yield_a": [0.5, 1.0]})  # doctest: +SKIP

Bounds (``min``, ``max``, ``kind: fraction``) are enforced here and only here: every value
that enters the environment (a default, an override from ``--param``, a scenario or a sweep,
a Monte Carlo draw, a formula's result) is checked by :meth:`ParameterModel.check_bounds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import BoundsError, CathodeLCAError, FormulaError, ParameterError
from ..inventory.distributions import check_distribution, fit_to_bounds
from ..inventory.formulas import Compiled
from ..inventory.schema import Parameter

Env = dict[str, Any]


class ParameterModel:
    """Compiled parameters of an inventory.

    Parameters are evaluated in dependency order into an environment ``key -> array``.
    Choice parameters are stored as integer codes (index into their ``choices``). A choice with
    ``follows: OTHER`` takes the value of the choice OTHER unless it is given itself (overridden);
    giving OTHER moves every choice that follows it.
    """

    def __init__(self, inventory: Any) -> None:
        self.inventory = inventory
        self.parameters: dict[str, Parameter] = inventory.parameters
        self._file_of_path = {path: fid for fid, path in inventory.files.items()}
        self.choices: dict[str, tuple[str, ...]] = {
            k: p.choices for k, p in self.parameters.items() if p.kind == "choice"
        }
        self._compiled: dict[str, Compiled] = {}
        self._deps: dict[str, set[str]] = {}
        self._leaders: dict[str, str] = {}  # following choice -> the choice it follows
        for key, param in self.parameters.items():
            self._compile_parameter(key, param)
        self.order = self._topological_order()
        self._default_env: Env | None = None
        self._dependents: dict[str, set[str]] | None = None
        self._names: dict[str, list[str]] = {}
        for key, param in self.parameters.items():
            self._names.setdefault(param.name, []).append(key)

    # -- compilation --------------------------------------------------------
    def resolver_for(self, param: Parameter) -> Callable[[str], str]:
        if param.scope.startswith("dataset:"):
            dataset = self.inventory.datasets[param.scope.split(":", 1)[1]]
            return self.inventory.resolver(dataset)
        file_id = self._file_of_path.get(param.where.file)
        if param.scope.startswith("file:"):
            file_id = param.scope.split(":", 1)[1]
        return self.inventory.resolver(None, file_id)

    def _compile_parameter(self, key: str, param: Parameter) -> None:
        deps: set[str] = set()
        if param.kind == "formula":
            assert param.formula is not None
            base = self.resolver_for(param)

            def resolve(name: str) -> str:
                try:
                    found = base(name)
                except FormulaError as exc:
                    raise self._error(param, FormulaError, exc.message, exc.hint) from None
                deps.add(found)
                return found

            try:
                self._compiled[key] = param.formula.compile(resolve, self.choices)
            except FormulaError as exc:
                if exc.file:
                    raise
                raise self._error(param, FormulaError, exc.message, exc.hint) from None
        elif param.kind == "choice" and param.follows is not None:
            self._leaders[key] = self._leader(param)
            deps.add(self._leaders[key])
        elif param.kind == "lookup":
            base = self.resolver_for(param)
            try:
                by_key = base(param.by or "")
            except FormulaError as exc:
                raise self._error(param, FormulaError, f"lookup 'by: {param.by}': {exc.message}", exc.hint) from None
            if by_key not in self.choices:
                raise self._error(
                    param,
                    ParameterError,
                    f"'by: {param.by}' is not a choice parameter",
                    "key lookups by a choice parameter",
                )
            unknown = set(param.values) - set(self.choices[by_key])
            if unknown:
                raise self._error(
                    param,
                    ParameterError,
                    f"lookup keys {sorted(unknown)} are not choices of '{param.by}'",
                    "use only: " + ", ".join(self.choices[by_key]),
                )
            deps.add(by_key)
        self._deps[key] = deps

    def _leader(self, param: Parameter) -> str:
        """Key of the choice that *param* follows; it must be a choice with exactly the same options.

        Same options in the same order keep the integer codes equal, so following is a copy of the
        leader's codes (and a Brightway export can write it as the formula ``leader``).
        """
        try:
            leader = self.resolver_for(param)(param.follows or "")
        except FormulaError as exc:
            raise self._error(param, FormulaError, f"follows: {param.follows}: {exc.message}", exc.hint) from None
        if self.choices.get(leader) != param.choices:
            raise self._error(
                param,
                ParameterError,
                f"'follows: {param.follows}' needs a choice parameter with the same choices in the same order",
                "copy the choices of the followed parameter",
            )
        return leader

    @staticmethod
    def _error(param: Parameter, cls: type[CathodeLCAError], message: str, hint: str | None) -> CathodeLCAError:
        dataset = param.scope.split(":", 1)[1] if param.scope.startswith("dataset:") else None
        return cls(
            message,
            file=param.where.file,
            line=param.where.line,
            dataset=dataset,
            field=f"parameters.{param.name}",
            hint=hint,
        )

    def _topological_order(self) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done
        for start in self.parameters:
            if state.get(start) == 2:
                continue
            stack: list[tuple[str, list[str]]] = [(start, sorted(self._deps[start]))]
            state[start] = 1
            path = [start]
            while stack:
                node, pending = stack[-1]
                if pending:
                    nxt = pending.pop()
                    if state.get(nxt) == 1:
                        cycle = path[path.index(nxt) :] + [nxt]
                        param = self.parameters[nxt]
                        raise self._error(
                            param,
                            FormulaError,
                            "circular parameter dependency: " + " -> ".join(cycle),
                            "break the cycle: one of these parameters must not depend on the others",
                        )
                    if state.get(nxt) != 2:
                        state[nxt] = 1
                        path.append(nxt)
                        stack.append((nxt, sorted(self._deps[nxt])))
                else:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    order.append(node)
        return order

    # -- public API ------------------------------------------------------------
    def key(self, name: str) -> str:
        """Qualified key of a parameter given by qualified or unique plain name."""
        if name in self.parameters:
            return name
        keys = self._names.get(name, [])
        if len(keys) == 1:
            return keys[0]
        if not keys:
            import difflib

            close = difflib.get_close_matches(name, list(dict.fromkeys([*self._names, *self.parameters])), n=3)
            hint = ("did you mean " + " or ".join(close) + "?") if close else "list them with 'cathode-lca parameters'"
            raise ParameterError(f"unknown parameter '{name}'", hint=hint)
        raise ParameterError(f"parameter name '{name}' is ambiguous", hint="use one of: " + ", ".join(sorted(keys)))

    def encode(self, key: str, value: Any) -> np.ndarray:
        """Turn a user value (number, string choice, or arrays of them) into an engine array."""
        param = self.parameters[key]
        if param.kind == "choice":
            values = np.atleast_1d(np.asarray(value, dtype=object))
            try:
                codes = np.array([param.choices.index(str(v)) for v in values.ravel()], dtype=float)
            except ValueError:
                bad = next(str(v) for v in values.ravel() if str(v) not in param.choices)
                raise ParameterError(
                    f"'{bad}' is not a choice of '{param.name}'", hint="choose one of: " + ", ".join(param.choices)
                ) from None
            codes = codes.reshape(values.shape)
            return codes[0] if np.ndim(value) == 0 else codes
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(
                f"value for '{param.name}' is not a number: {_first_not_a_number(value)!r}", hint="give a number"
            ) from None
        if not np.all(np.isfinite(arr)):
            if arr.ndim == 0:
                raise ParameterError(f"value for '{param.name}' is NaN or infinite", hint="give a finite number")
            failed = int(np.count_nonzero(~np.isfinite(arr)))
            raise ParameterError(
                f"{failed} of the {arr.size} values for '{param.name}' are NaN or infinite",
                hint="give finite values; in a Monte Carlo run the distribution is too wide to draw from (a "
                "lognormal's exp overflows past 1e308): narrow it",
            )
        return arr

    def bounds(self, key: str) -> tuple[float | None, float | None]:
        """Declared (min, max) of a parameter; ``None`` for an unbounded side."""
        param = self.parameters[self.key(key)]
        return param.min, param.max

    def check_bounds(self, key: str, value: Any, origin: str) -> None:
        """Raise :class:`BoundsError` when any element of *value* leaves the bounds of *key*.

        *origin* says where the value came from ("given", "default", "formula ...").
        """
        param = self.parameters[key]
        if param.min is None and param.max is None:
            return
        arr = np.asarray(value, dtype=float)
        bad = np.zeros(arr.shape, dtype=bool)
        if param.min is not None:
            bad |= arr < param.min
        if param.max is not None:
            bad |= arr > param.max
        if not bad.any():
            return
        first = float(arr[bad].ravel()[0]) if arr.ndim else float(arr)
        count = f" ({int(bad.sum())} of {arr.size} values)" if arr.size > 1 else ""
        lo = "-inf" if param.min is None else f"{param.min:g}"
        hi = "inf" if param.max is None else f"{param.max:g}"
        declared = "kind: fraction" if param.fraction else "min/max"
        at = param.bounds_where or param.where
        dataset = param.scope.split(":", 1)[1] if param.scope.startswith("dataset:") else None
        raise BoundsError(
            f"{origin} value {first:.10g} of '{param.name}' is outside its bounds [{lo}, {hi}]{count}"
            f" ({declared}, declared at {at.file}:{at.line})",
            dataset=dataset,
            field=f"parameters.{param.name}",
            hint=f"give a value in [{lo}, {hi}]"
            + (" (a fraction: 0.95, not 95)" if param.fraction and first > 1 else ""),
        )

    def distribution(self, key: str) -> dict[str, Any] | None:
        """The declared distribution of *key*, restricted to its bounds (see :func:`fit_to_bounds`)."""
        param = self.parameters[key]
        if param.distribution is None:
            return None
        return fit_to_bounds(param.distribution, param.min, param.max)

    def fit_distribution(self, name: str, dist: dict[str, Any]) -> dict[str, Any]:
        """Normalise a user-given distribution for parameter *name* and restrict it to its bounds.

        Exact constants (``exact: true``) are never varied: asking for one is an error.
        """
        key = self.key(name)
        param = self.parameters[key]
        if param.exact:
            raise ParameterError(
                f"'{param.name}' is an exact constant and is never varied",
                file=param.where.file,
                line=param.where.line,
                hint="vary the parameters that use it instead",
            )
        try:
            return fit_to_bounds(check_distribution(dict(dist), param.value), param.min, param.max)
        except ParameterError as exc:
            at = param.bounds_where or param.where
            where = f" (bounds declared at {at.file}:{at.line})" if param.bounded else ""
            raise ParameterError(f"distribution for '{param.name}': {exc.message}{where}", hint=exc.hint) from None

    def defaults(self) -> dict[str, Any]:
        """Default values (choices as their string)."""
        out: dict[str, Any] = {}
        for key, p in self.parameters.items():
            if p.kind == "value":
                out[key] = p.value
            elif p.kind == "choice":
                out[key] = self._choice_default(p)
        return out

    def _choice_default(self, param: Parameter) -> str:
        """Default of a choice; a following choice has the default of the choice it follows."""
        seen = {param.key}
        while param.follows is not None:
            param = self.parameters[self._leaders[param.key]]
            if param.key in seen:  # pragma: no cover - a cycle is refused by the topological order
                break
            seen.add(param.key)
        return param.default or param.choices[0]

    def uncertain(self) -> list[str]:
        """Keys of parameters with a distribution."""
        return [k for k, p in self.parameters.items() if p.distribution is not None]

    def evaluate(self, overrides: Mapping[str, Any] | None = None) -> Env:
        """Evaluate every parameter; *overrides* maps names (plain or qualified) to values/arrays.

        The defaults are evaluated once and cached; with overrides only the parameters that
        depend (transitively) on an overridden one are recomputed.
        """
        given: dict[str, np.ndarray] = {}
        for name, value in (overrides or {}).items():
            key = self.key(name)  # overriding a formula or lookup replaces it by the given value
            given[key] = self.encode(key, value)
            self.check_bounds(key, given[key], "given")
        if self._default_env is None:
            self._default_env = self._evaluate_keys(self.order, {}, {})
        if not given:
            return dict(self._default_env)
        env: Env = dict(self._default_env)
        env.update(given)
        affected = self._downstream(given)
        self._evaluate_keys([k for k in self.order if k in affected and k not in given], given, env)
        return env

    def _downstream(self, keys: Mapping[str, Any]) -> set[str]:
        if self._dependents is None:
            dependents: dict[str, set[str]] = {}
            for key, deps in self._deps.items():
                for dep in deps:
                    dependents.setdefault(dep, set()).add(key)
            self._dependents = dependents
        seen: set[str] = set(keys)
        stack = list(keys)
        while stack:
            for nxt in self._dependents.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def _evaluate_keys(self, keys: list[str], given: Mapping[str, Any], env: Env) -> Env:
        for key in keys:
            if key in given:
                env[key] = given[key]
                continue
            param = self.parameters[key]
            if param.kind == "value":
                env[key] = param.value
                self.check_bounds(key, param.value, "default")
            elif param.kind == "choice" and param.follows is not None:
                env[key] = env[self._leaders[key]]  # same choices, same codes (checked in _leader)
            elif param.kind == "choice":
                env[key] = float(param.choices.index(param.default or param.choices[0]))
            elif param.kind == "lookup":
                env[key] = self._lookup(param, env)
                self.check_bounds(key, env[key], "looked-up")
            else:
                with np.errstate(all="ignore"):
                    value = self._compiled[key](env)
                if not np.all(np.isfinite(value)):
                    raise self._error(
                        param,
                        ParameterError,
                        f"formula '{param.formula.text if param.formula else ''}' gives NaN or infinity",
                        "check for division by zero or log of a non-positive number in its inputs",
                    )
                self.check_bounds(key, value, f"formula '{param.formula.text if param.formula else ''}' gives")
                env[key] = value
        return env

    def _lookup(self, param: Parameter, env: Env) -> np.ndarray:
        by_key = self.resolver_for(param)(param.by or "")
        choices = self.choices[by_key]
        table = np.array([param.values.get(c, np.nan) for c in choices])
        codes = np.asarray(env[by_key]).astype(int)
        out = table[codes]
        if np.any(np.isnan(out)):
            missing = sorted({choices[c] for c in np.atleast_1d(codes) if np.isnan(table[c])})
            raise self._error(
                param,
                ParameterError,
                f"lookup has no value for {param.by} = {', '.join(missing)}",
                "choices with values: " + ", ".join(c for c in choices if c in param.values),
            )
        return out


def _first_not_a_number(value: Any) -> Any:
    """The first element of *value* (a scalar, or an array of a sweep) that is not a number: what to name in an error.

    >>> _first_not_a_number(np.array([0.9, "0.9:1:0"], dtype=object))
    '0.9:1:0'
    """
    for item in np.ravel(np.asarray(value, dtype=object)):
        try:
            float(item)
        except (TypeError, ValueError):
            return item.item() if isinstance(item, np.generic) else item
    return value
