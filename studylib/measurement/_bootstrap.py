"""One nonparametric bootstrap for HTMT, CR and AVE of a CFA (private).

Respondents are resampled with replacement ``B`` times; each resample's covariance
matrix comes from the resampling counts by one matrix product (no copy of the data per
resample), its HTMT in closed form, and its CR and AVE from a CFA refitted to it. All
refits run together as one batch of the vectorised ML engine (:mod:`._ml`), starting from
the full-sample estimates, in chunks that bound the memory used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..process.intervals import percentile_ci
from . import _ml
from ._validity import average_variance_extracted, composite_reliability, corr_from_cov, htmt_matrix

__all__ = ["BootDraws", "bootstrap_validity", "resample_covariances", "percentile_intervals"]

_CHUNK = 250  # resamples refitted together: (250, q, q) Hessians for q = 60 is ~7 MB


@dataclass(frozen=True)
class BootDraws:
    htmt: np.ndarray  # (B, m, m)
    cr: np.ndarray  # (B, m); NaN where the refit failed
    ave: np.ndarray  # (B, m)
    failed: int  # resamples whose CFA did not converge (or had a singular matrix)


def resample_covariances(x: np.ndarray, rng: np.random.Generator, boot: int) -> np.ndarray:
    """Covariance matrices (divisor N) of ``boot`` resamples of the rows of ``x``."""
    n, p = x.shape
    xc = x - x.mean(axis=0)  # covariances are shift-invariant; centring keeps sums small
    idx = rng.integers(0, n, size=(boot, n))
    counts = np.bincount((idx + n * np.arange(boot)[:, None]).ravel(), minlength=boot * n)
    counts = counts.reshape(boot, n).astype(float)
    outer = (xc[:, :, None] * xc[:, None, :]).reshape(n, p * p)
    second = (counts @ outer).reshape(boot, p, p) / n
    mean = counts @ xc / n
    return second - mean[:, :, None] * mean[:, None, :]


def bootstrap_validity(
    x: np.ndarray,
    st: _ml.Structure,
    theta_hat: np.ndarray,
    rng: np.random.Generator,
    boot: int,
    *,
    mean: str = "geometric",
) -> BootDraws:
    s_all = resample_covariances(x, rng, boot)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = htmt_matrix(corr_from_cov(s_all), st.factor_of, mean=mean)
    cr = np.full((boot, st.m), np.nan)
    ave = np.full((boot, st.m), np.nan)
    failed = 0
    for start in range(0, boot, _CHUNK):
        s = s_all[start : start + _CHUNK]
        ok = np.linalg.slogdet(s)[0] > 0
        fs, conv, _ = _ml.minimise(st, s, theta_hat, tol=1e-5, max_iter=100)
        good = conv & ok & np.isfinite(fs.f)
        failed += int((~good).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            c = composite_reliability(fs.lam, fs.phi, s, st.factor_of)
            a = average_variance_extracted(fs.lam, fs.phi, s, st.factor_of)
        cr[start : start + _CHUNK] = np.where(good[:, None], c, np.nan)
        ave[start : start + _CHUNK] = np.where(good[:, None], a, np.nan)
    return BootDraws(htmt=h, cr=cr, ave=ave, failed=failed)


def percentile_intervals(draws: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column over the finite draws (failed refits are NaN)."""
    lo = np.full(draws.shape[1], np.nan)
    hi = np.full(draws.shape[1], np.nan)
    for j in range(draws.shape[1]):
        col = draws[np.isfinite(draws[:, j]), j]
        if col.size:
            a, b = percentile_ci(col[:, None], conf)
            lo[j], hi[j] = a[0], b[0]
    return lo, hi
