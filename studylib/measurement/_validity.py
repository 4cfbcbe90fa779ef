"""Convergent and discriminant validity from a CFA: composite reliability, AVE, HTMT.

All functions take a batch (leading axis ``B``) so that the bootstrap computes every
resample at once. The definitions are those of semTools 0.5-6 (the references of
tests/test_measurement_reference.py):

* CR, ``compRelSEM(fit)`` (defaults ``tau.eq = FALSE``, ``obs.var = TRUE``): omega of
  each factor's unit-weighted composite from the CFA loadings,
  :math:`\\omega_f = (\\sum_i \\lambda_i)^2\\phi_{ff} / \\mathbf 1'S_f\\mathbf 1` with the
  *observed* (sample, divisor N) covariance matrix :math:`S_f` of the factor's items in
  the denominator (Bentler 2009; not the Fornell-Larcker formula with the model's
  residual variances, which gives slightly different values when the model misfits).
* AVE, ``AVE(fit)`` (``obs.var = TRUE``): :math:`\\sum_i \\lambda_i^2\\phi_{ff} /
  \\sum_i s_{ii}`, the share of the items' observed variance that the factor explains
  (Fornell & Larcker 1981, with observed rather than model-implied item variances).
* HTMT, ``htmt(model, data)`` (defaults ``htmt2 = TRUE``, ``absolute = TRUE``): the
  geometric mean of the absolute between-factor item correlations divided by the
  geometric mean of the two factors' geometric mean within-factor correlations
  (HTMT2, Roemer, Schuberth & Henseler 2021); ``mean="arithmetic"`` gives the original
  HTMT of Henseler, Ringle & Sarstedt (2015) with arithmetic means (semTools
  ``htmt2 = FALSE``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["composite_reliability", "average_variance_extracted", "htmt_matrix", "corr_from_cov"]


def _one_hot(factor_of: np.ndarray) -> np.ndarray:
    m = int(factor_of.max()) + 1
    return (factor_of[:, None] == np.arange(m)[None, :]).astype(float)  # (p, m)


def composite_reliability(lam: np.ndarray, phi: np.ndarray, s: np.ndarray, factor_of: np.ndarray) -> np.ndarray:
    """CR per factor (B, m) from loadings (B, p), Phi (B, m, m) and observed S (B, p, p)."""
    z = _one_hot(factor_of)
    num = (lam @ z) ** 2 * np.diagonal(phi, axis1=1, axis2=2)
    den = np.einsum("ik,bij,jk->bk", z, s, z)
    return num / den


def average_variance_extracted(lam: np.ndarray, phi: np.ndarray, s: np.ndarray, factor_of: np.ndarray) -> np.ndarray:
    """AVE per factor (B, m)."""
    z = _one_hot(factor_of)
    num = (lam**2 @ z) * np.diagonal(phi, axis1=1, axis2=2)
    den = np.diagonal(s, axis1=1, axis2=2) @ z
    return num / den


def corr_from_cov(s: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diagonal(s, axis1=1, axis2=2))
    return s / (sd[:, :, None] * sd[:, None, :])


def htmt_matrix(r: np.ndarray, factor_of: np.ndarray, *, mean: str = "geometric") -> np.ndarray:
    """HTMT (B, m, m) from item correlation matrices (B, p, p); diagonal 1.

    With ``mean="geometric"`` (HTMT2) a zero correlation makes its block's mean 0.
    """
    z = _one_hot(factor_of)
    counts = z.sum(axis=0)
    a = np.abs(r)
    p = r.shape[1]
    eye = np.eye(p, dtype=bool)
    if mean == "geometric":
        with np.errstate(divide="ignore"):
            v = np.log(a)
        v = np.where(eye, 0.0, v)
    else:
        v = np.where(eye, 0.0, a)
    sums = np.einsum("ik,bij,jl->bkl", z, v, z)
    pairs = np.outer(counts, counts) - np.diag(counts)  # off-diagonal cells per block
    means = sums / pairs
    if mean == "geometric":
        means = np.exp(means)
    within = np.diagonal(means, axis1=1, axis2=2)
    out = means / np.sqrt(within[:, :, None] * within[:, None, :])
    m = z.shape[1]
    out[:, np.arange(m), np.arange(m)] = 1.0
    return out
