"""The drawn inputs of a Monte Carlo run, in the one order the numpy path and the compiled kernel share.

Parameters first (in the run's ``uncertain`` order), then varied exchange amounts (sorted by key);
the rows of the kernel's draws and the columns kept for the drivers follow this list.

Examples
--------
>>> input_distributions(model, spec)[0]   # doctest: +SKIP
('hydro_recovery_ni', {'type': 'triangular', ...})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..lca import LCAModel


class DrawnSpec(Protocol):
    """What :func:`input_distributions` reads of a run specification."""

    @property
    def uncertain(self) -> tuple[str, ...]: ...
    @property
    def extra_distributions(self) -> Mapping[str, dict[str, Any]]: ...
    @property
    def exchange_distributions(self) -> Mapping[str, dict[str, Any]]: ...


def input_distributions(model: LCAModel, spec: DrawnSpec) -> list[tuple[str, dict[str, Any]]]:
    """(key, distribution) of every drawn input: parameters, then exchanges.

    A varied parameter takes its run-specific distribution (``--vary``, defaults, scenario quality)
    before its declared one; one with neither is refused by name (``monte_carlo()`` varies only
    parameters with a distribution, so this is a caller's error).
    """
    params = []
    for key in spec.uncertain:
        dist = spec.extra_distributions.get(key) or model.parameters.distribution(key)
        if dist is None:
            raise ValueError(f"parameter '{key}' is varied but has no distribution")
        params.append((key, dist))
    return params + sorted(spec.exchange_distributions.items())
