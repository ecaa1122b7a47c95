"""Summary statistics of sampled results.

Examples
--------
>>> import numpy as np
>>> s = summarise(np.array([[1.0, 2.0, 3.0, 4.0]]))
>>> float(s[0, STATISTICS.index("mean")])
2.5
"""

from __future__ import annotations

import numpy as np

STATISTICS = ("mean", "median", "std", "q2.5", "q97.5")


def summarise(samples: np.ndarray) -> np.ndarray:
    """Statistics over the last axis; result has a trailing axis of len(STATISTICS)."""
    mean = samples.mean(axis=-1)
    median = np.median(samples, axis=-1)
    std = samples.std(axis=-1, ddof=1) if samples.shape[-1] > 1 else np.zeros(samples.shape[:-1])
    low, high = np.quantile(samples, [0.025, 0.975], axis=-1)
    return np.stack([mean, median, std, low, high], axis=-1)
