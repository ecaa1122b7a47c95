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

from .parallel import each

STATISTICS = ("mean", "median", "std", "q2.5", "q97.5")


def summarise(samples: np.ndarray, threads: int = 1) -> np.ndarray:
    """Statistics over the last axis; result has a trailing axis of len(STATISTICS).

    Computed one row (one series of samples) at a time, on up to *threads* threads, so the temporary
    copies that the median, quantiles and standard deviation make are one row long per thread, not
    the size of the whole array. The result does not depend on the number of threads.
    """
    samples = np.asarray(samples, dtype=float)
    rows = samples.reshape(-1, samples.shape[-1])
    out = np.empty((len(rows), len(STATISTICS)))

    def row_statistics(r: int) -> None:
        row = rows[r]
        out[r, 0] = row.mean()
        out[r, 1] = np.median(row)
        out[r, 2] = row.std(ddof=1) if len(row) > 1 else 0.0
        out[r, 3], out[r, 4] = np.quantile(row, [0.025, 0.975])

    each(row_statistics, range(len(rows)), threads)
    return out.reshape(*samples.shape[:-1], len(STATISTICS))
