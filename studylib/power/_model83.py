"""Vectorized inner loops for model-83 power: latent data, OLS fits, Monte Carlo and
bootstrap confidence intervals of the indirect effects, for many replications at once.

Rows of one replicate are ordered by cell (valence outer, then response, as in
:data:`studylib.power._effects._CELL_X`) with ``n`` rows per cell, so that a replicate's
vector reshapes to ``(2, 3, n)`` for the ANOVA.
"""

from __future__ import annotations

import numpy as np

from ._effects import _CELL_W1, _CELL_W2, _CELL_X, Model83Effects, _effect_values

__all__ = ["design", "simulate_latent", "fit_paths", "montecarlo_ci", "bootstrap_ci"]


def design(n: int) -> np.ndarray:
    """Design matrix of the psr equation, (6n, 6): 1, X, W1, W2, X*W1, X*W2."""
    x, w1, w2 = (np.repeat(v, n) for v in (_CELL_X, _CELL_W1, _CELL_W2))
    return np.column_stack([np.ones_like(x), x, w1, w2, x * w1, x * w2])


def simulate_latent(
    effects: Model83Effects, n: int, reps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """psr, pk, attitude for ``reps`` replications of n per cell: three arrays (reps, 6n).

    The generating model is the one of :class:`Model83Effects` with normal residuals
    (latent scale scores: no items, no discretization, no careless respondents).
    """
    mu = effects.cell_means()
    x = np.repeat(_CELL_X, n)
    e = rng.standard_normal((3, reps, 6 * n))
    m1 = np.repeat(mu[0], n) + effects.sd_m1 * e[0]
    m2 = effects.x_m2 * x + effects.m1_m2 * m1 + effects.sd_m2 * e[1]
    y = effects.x_y * x + effects.m1_y * m1 + effects.m2_y * m2 + effects.sd_y * e[2]
    return m1, m2, y


def _ols_batched(z: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of v (reps, N) on z (reps, N, k): coefficients (reps, k), covariance (reps, k, k)."""
    zt = np.swapaxes(z, 1, 2)
    ginv = np.linalg.inv(zt @ z)
    coef = (ginv @ (zt @ v[:, :, None]))[:, :, 0]
    resid = v - (z @ coef[:, :, None])[:, :, 0]
    s2 = (resid**2).sum(axis=1) / (z.shape[1] - z.shape[2])
    return coef, s2[:, None, None] * ginv


def fit_paths(
    m1: np.ndarray, m2: np.ndarray, y: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """OLS estimates of the model-83 paths and their sampling covariance, per replication.

    Returns ``est`` (reps, 7) in the order (a1, h1, h2, a2, d21, b1, b2) and ``cov``
    (reps, 7, 7), block diagonal across the three equations (their residuals are
    uncorrelated, as in PROCESS and Preacher & Selig's Monte Carlo method).
    """
    reps, big_n = m1.shape
    d1 = design(n)
    g1inv = np.linalg.inv(d1.T @ d1)
    a = m1 @ (d1 @ g1inv)  # (reps, 6)
    s1 = ((m1 - a @ d1.T) ** 2).sum(axis=1) / (big_n - 6)
    x = np.broadcast_to(d1[:, 1], m1.shape)
    one = np.ones_like(m1)
    b_m2, c_m2 = _ols_batched(np.stack([one, x, m1], axis=2), m2)
    b_y, c_y = _ols_batched(np.stack([one, x, m1, m2], axis=2), y)
    est = np.column_stack([a[:, [1, 4, 5]], b_m2[:, [1, 2]], b_y[:, [2, 3]]])
    cov = np.zeros((reps, 7, 7))
    cov[:, :3, :3] = s1[:, None, None] * g1inv[np.ix_([1, 4, 5], [1, 4, 5])]
    cov[:, 3:5, 3:5] = c_m2[:, 1:3, 1:3]
    cov[:, 5:7, 5:7] = c_y[:, 2:4, 2:4]
    return est, cov


def montecarlo_ci(
    est: np.ndarray, cov: np.ndarray, draws: int, conf: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo percentile CIs of the model-83 effects (Preacher & Selig, 2012).

    For each replication, ``draws`` path vectors are drawn from N(est, cov) and the
    effects (products of paths) computed from each; the CI is given by their
    percentiles. Returns ``(low, high)``, each (reps, 11).
    """
    chol = np.linalg.cholesky(cov)
    z = rng.standard_normal((est.shape[0], draws, est.shape[1]))
    paths = est[:, None, :] + z @ np.swapaxes(chol, 1, 2)
    values = _effect_values(paths)
    q = np.quantile(values, [(1 - conf) / 2, (1 + conf) / 2], axis=1)
    return q[0], q[1]


def _resample_counts(big_n: int, boot: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, big_n, size=(boot, big_n))
    flat = idx + big_n * np.arange(boot)[:, None]
    return np.bincount(flat.ravel(), minlength=boot * big_n).reshape(boot, big_n).astype(float)


def bootstrap_ci(
    m1: np.ndarray,
    m2: np.ndarray,
    y: np.ndarray,
    n: int,
    boot: int,
    conf: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap CIs of the model-83 effects for each replication.

    Each resample is a vector of case counts; the three equations' cross-product
    matrices of all ``boot`` resamples come from one matrix product of the counts with
    the cases' outer products. A resample that leaves a design cell empty (psr equation
    singular) is drawn again. Returns ``(low, high)``, each (reps, 11).
    """
    reps, big_n = m1.shape
    d1 = design(n)
    x = d1[:, 1]
    one = np.ones(big_n)
    outer1 = (d1[:, :, None] * d1[:, None, :]).reshape(big_n, 36)
    lows, highs = np.empty((reps, 11)), np.empty((reps, 11))
    probs = [(1 - conf) / 2, (1 + conf) / 2]
    for r in range(reps):
        counts = _resample_counts(big_n, boot, rng)
        while True:
            per_cell = counts.reshape(boot, 6, n).sum(axis=2)
            bad = (per_cell == 0).any(axis=1)
            if not bad.any():
                break
            counts[bad] = _resample_counts(big_n, int(bad.sum()), rng)
        z2 = np.column_stack([one, x, m1[r]])
        z3 = np.column_stack([one, x, m1[r], m2[r]])
        blocks = [
            outer1,
            d1 * m1[r][:, None],
            (z2[:, :, None] * z2[:, None, :]).reshape(big_n, 9),
            z2 * m2[r][:, None],
            (z3[:, :, None] * z3[:, None, :]).reshape(big_n, 16),
            z3 * y[r][:, None],
        ]
        sums = counts @ np.hstack(blocks)
        cut = np.cumsum([0, 36, 6, 9, 3, 16, 4])
        part = [sums[:, cut[k] : cut[k + 1]] for k in range(6)]
        a = np.linalg.solve(part[0].reshape(boot, 6, 6), part[1][:, :, None])[:, :, 0]
        bm2 = np.linalg.solve(part[2].reshape(boot, 3, 3), part[3][:, :, None])[:, :, 0]
        by = np.linalg.solve(part[4].reshape(boot, 4, 4), part[5][:, :, None])[:, :, 0]
        paths = np.column_stack([a[:, [1, 4, 5]], bm2[:, [1, 2]], by[:, [2, 3]]])
        q = np.quantile(_effect_values(paths), probs, axis=0)
        lows[r], highs[r] = q[0], q[1]
    return lows, highs
