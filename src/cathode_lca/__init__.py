"""cathode-lca: life-cycle assessment of virgin and recycled battery cathode materials."""

from __future__ import annotations

__version__ = "0.1.0"
