"""cathode-lca: life-cycle assessment of virgin and recycled battery cathode materials.

The public API is imported lazily so that ``import cathode_lca`` (and the CLI start-up)
stay fast.

Examples
--------
>>> import cathode_lca
>>> cathode_lca.__version__
'0.1.0'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports these on first use
    from .comparison import compare as compare
    from .engine.validate import validate_inventory as validate_inventory
    from .errors import CathodeLCAError as CathodeLCAError
    from .inventory.load import load_inventory as load_inventory
    from .lca import LCAModel as LCAModel
    from .lca import compute as compute
    from .methods import load_method as load_method

__version__ = "0.1.0"

_EXPORTS = {
    "LCAModel": ("cathode_lca.lca", "LCAModel"),
    "compute": ("cathode_lca.lca", "compute"),
    "compare": ("cathode_lca.comparison", "compare"),
    "load_inventory": ("cathode_lca.inventory.load", "load_inventory"),
    "validate_inventory": ("cathode_lca.engine.validate", "validate_inventory"),
    "load_method": ("cathode_lca.methods", "load_method"),
    "CathodeLCAError": ("cathode_lca.errors", "CathodeLCAError"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'cathode_lca' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
