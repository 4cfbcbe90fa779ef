"""Input checks of power computations: the grid of n per cell, the target power."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import stats

from ..errors import InputTypeError, OptionError, SpecError

__all__ = ["check_grid", "check_target", "wilson_ci"]


def check_grid(n_grid: Any) -> tuple[int, ...]:
    """Sorted unique n per cell; each a whole number >= 2 (the error df needs 6n > 6)."""
    if isinstance(n_grid, Integral) and not isinstance(n_grid, bool):
        n_grid = [n_grid]
    if isinstance(n_grid, (str, bytes)) or not hasattr(n_grid, "__iter__"):
        raise InputTypeError(f"n_grid must be a sequence of sample sizes per cell; got {n_grid!r}")
    values = list(n_grid)
    if not values:
        raise SpecError("n_grid is empty: give at least one sample size per cell, e.g. [20, 40, 60]")
    for v in values:
        if not isinstance(v, Integral) or isinstance(v, bool):
            raise OptionError(f"n_grid must hold whole numbers of participants per cell; got {v!r}")
        if v < 2:
            raise OptionError(f"each n per cell in n_grid must be at least 2; got {v!r}")
    return tuple(sorted({int(v) for v in values}))


def check_target(target: Any) -> float | None:
    """Target power: None or a number strictly between 0 and 1."""
    if target is None:
        return None
    ok = isinstance(target, Real) and not isinstance(target, bool) and np.isfinite(target)
    if not ok or not 0 < target < 1:
        raise OptionError(
            f"target power must be a number strictly between 0 and 1 (e.g. 0.8); got {target!r}"
        )
    return float(target)


def wilson_ci(hits: np.ndarray, reps: np.ndarray, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (hits out of reps)."""
    z = stats.norm.isf((1 - conf) / 2)
    hits, reps = np.asarray(hits, float), np.asarray(reps, float)
    p = hits / reps
    denom = 1 + z**2 / reps
    centre = (p + z**2 / (2 * reps)) / denom
    half = z * np.sqrt(p * (1 - p) / reps + z**2 / (4 * reps**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
