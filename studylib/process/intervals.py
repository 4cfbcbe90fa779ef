"""Bootstrap confidence intervals from a matrix of draws: percentile and bias-corrected."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["percentile_ci", "bc_ci"]


def percentile_ci(draws: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column of ``draws`` (numpy's linear quantiles).

    The same numbers as ``np.quantile(draws, [a, 1 - a], axis=0)`` with
    ``a = (1 - conf) / 2``, from one sort of each column: numpy's SIMD sort is faster than
    the partition that ``np.quantile`` does (measured 2.0 ms -> 0.8 ms for 17 columns of
    B = 5000 draws).
    """
    a = (1 - conf) / 2
    if draws.shape[0] == 0:
        return np.quantile(draws, [a, 1 - a], axis=0)  # numpy's warning and NaNs
    rows = np.sort(draws.T, axis=1)  # one row per column, NaN last
    return _sorted_quantile(rows, a), _sorted_quantile(rows, 1 - a)


def _sorted_quantile(rows: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of each sorted row, exactly as numpy's default (linear) method.

    Virtual index ``(B - 1) q``, its neighbours clipped to the last value, and numpy's
    interpolation ``a + (b - a) g`` (``b - (b - a)(1 - g)`` when ``g >= 0.5``); a row
    holding a NaN gives NaN.
    """
    last = rows.shape[1] - 1
    virtual = last * q
    below = np.floor(virtual)
    g = virtual - below
    i = min(int(below), last)
    lo, hi = rows[:, i], rows[:, min(i + 1, last)]
    diff = hi - lo
    out = hi - diff * (1 - g) if g >= 0.5 else lo + diff * g
    return np.where(np.isnan(rows[:, -1]), np.nan, out)


def bc_ci(draws: np.ndarray, estimate: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected percentile interval (Efron, 1987) of each column of ``draws``."""
    B = draws.shape[0]
    below = (draws < estimate).sum(axis=0) + 0.5 * (draws == estimate).sum(axis=0)
    prop = np.clip(below / B, 0.5 / B, 1 - 0.5 / B)
    z0 = stats.norm.ppf(prop)
    zc = stats.norm.ppf(0.5 + conf / 2)
    p_lo = stats.norm.cdf(2 * z0 - zc)
    p_hi = stats.norm.cdf(2 * z0 + zc)
    lo = np.empty(draws.shape[1])
    hi = np.empty(draws.shape[1])
    for j in range(draws.shape[1]):
        lo[j], hi[j] = np.quantile(draws[:, j], [p_lo[j], p_hi[j]])
    return lo, hi
