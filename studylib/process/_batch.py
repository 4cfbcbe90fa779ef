"""Batched linear algebra of the bootstrap: many small symmetric systems solved at once.

Every resample's normal equations (OLS) or Newton step (logistic) is a small p x p system;
the batch sits on the last axis so that each element of a factor is one contiguous vector
over the resamples, and the factorisation is a short Python loop over p, not over B.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PIVOT_TOL", "solve_spd", "solve_spd_stacked"]

PIVOT_TOL = 1e-10  # a column whose R² on the columns before it exceeds 1 - 1e-10 is collinear


def solve_spd(A: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve a batch of normal equations ``A x = r`` by a vectorised Cholesky factorisation.

    The batch is the last axis: ``A`` is (p, p, b) and ``r`` (p, b), so that every
    element of the factor is one contiguous vector over the resamples. ``A`` is scaled to
    unit diagonal first, so each pivot is 1 - R² of that column regressed on the earlier
    ones (in that resample): a pivot below ``PIVOT_TOL`` (or an all-zero column) flags
    the resample as singular. Returns the (p, b) solutions (zeros where singular) and the
    singular mask.
    """
    p, _, b = A.shape
    d = np.einsum("iib->ib", A)
    bad = ~(d > 0).all(axis=0)
    ds = np.sqrt(np.where(d > 0, d, 1.0))
    S = A / ds[:, None, :] / ds[None, :, :]
    rhs = r / ds
    L = np.zeros((p, p, b))
    for j in range(p):
        piv = S[j, j] - (L[j, :j] ** 2).sum(axis=0) if j else S[j, j].copy()
        ok = piv > PIVOT_TOL
        bad |= ~ok
        ljj = np.sqrt(np.where(ok, piv, 1.0))
        L[j, j] = ljj
        for i in range(j + 1, p):
            L[i, j] = ((S[i, j] - (L[i, :j] * L[j, :j]).sum(axis=0)) if j else S[i, j]) / ljj
    z = np.empty((p, b))
    for j in range(p):
        z[j] = ((rhs[j] - (L[j, :j] * z[:j]).sum(axis=0)) if j else rhs[j]) / L[j, j]
    x = np.empty((p, b))
    for j in range(p - 1, -1, -1):
        x[j] = ((z[j] - (L[j + 1 :, j] * x[j + 1 :]).sum(axis=0)) if j < p - 1 else z[j]) / L[j, j]
    x /= ds
    x[:, bad] = 0.0
    return x, bad





def solve_spd_stacked(A: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`solve_spd` for a stack ``A`` (b, p, p), ``r`` (b, p), by LAPACK's batched routines.

    The same scaling to unit diagonal and the same pivot test (the squared diagonal of the
    Cholesky factor of the scaled matrix). When some matrix of the stack is not positive
    definite or fails the pivot test, the stack goes to :func:`solve_spd`, which flags it.
    For a few dozen systems of 8 or more unknowns this is 2-3 times faster than the loop
    over p of :func:`solve_spd` (numpy loops over the stack in C).
    """
    d = np.einsum("bii->bi", A)
    if (d > 0).all():
        ds = np.sqrt(d)
        S = A / ds[:, :, None] / ds[:, None, :]
        try:
            L = np.linalg.cholesky(S)
        except np.linalg.LinAlgError:
            L = None
        if L is not None and (np.einsum("bii->bi", L) ** 2 > PIVOT_TOL).all():
            x = np.linalg.solve(S, (r / ds)[:, :, None])[:, :, 0] / ds
            return x, np.zeros(A.shape[0], dtype=bool)
    x, bad = solve_spd(np.moveaxis(A, 0, -1), r.T)
    return x.T, bad
