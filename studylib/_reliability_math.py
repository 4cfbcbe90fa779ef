"""Numerical building blocks of :func:`studylib.reliability`: pairwise covariances,
alpha from a covariance matrix, drop-one statistics, one-factor minres fit, Feldt CI."""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from .errors import ModelError

__all__ = ["pairwise_cov", "one_factor_minres"]

# --------------------------------------------------------------------------------------
# numerical building blocks


def pairwise_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance matrix from pairwise-complete observations, as R ``cov(x, use="pairwise")``.

    Each entry uses the rows where both columns are observed, centred at the means of
    those rows, with denominator ``n_ij - 1``. Returns the matrix and the pair counts.

    >>> x = np.array([[1., 2.], [2., np.nan], [3., 5.], [4., 4.]])
    >>> c, n = pairwise_cov(x)
    >>> c.round(4).tolist(), n.tolist()
    ([[1.6667, 1.8333], [1.8333, 2.3333]], [[4, 3], [3, 3]])
    """
    mom = _Moments(x)
    return mom.cov, mom.pairs


class _Moments:
    """Sums needed by every statistic, from one pass of matrix products over the data.

    Columns are centred at their own means first (covariances are shift-invariant; this
    keeps the sums small and the subtraction exact enough), missing cells set to 0.
    """

    def __init__(self, x: np.ndarray, answered: np.ndarray | None = None) -> None:
        m = ~np.isnan(x) if answered is None else answered
        mf = m.astype(float)
        self.n_i = mf.sum(axis=0)
        x0 = np.where(m, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean = x0.sum(axis=0) / self.n_i
        np.subtract(x0, self.mean, out=x0, where=m)
        pairs = mf.T @ mf
        sxy = x0.T @ x0
        sx = x0.T @ mf  # [i, j]: sum of centred x_i over rows where i and j are observed
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cov = (sxy - sx * sx.T / pairs) / (pairs - 1)
        self.pairs = pairs.astype(np.int64)
        self.ss = np.diag(sxy).copy()  # sum of squared deviations per item
        self._x0, self._mf = x0, mf

    def item_total_r(self) -> np.ndarray:
        """Correlation of each item with the mean of the answered items (psych raw.r),
        over the rows where the item is answered."""
        x0, mf = self._x0, self._mf
        cnt = mf.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = (x0.sum(axis=1) + mf @ self.mean) / cnt
        ok = cnt > 0
        tc = np.where(ok, total - total[ok].mean(), 0.0)
        sxt = x0.T @ tc  # the centred x sums to 0 over its answered rows
        st = mf.T @ tc
        stt = mf.T @ (tc * tc)
        with np.errstate(invalid="ignore", divide="ignore"):
            var_t = stt - st * st / self.n_i
            return sxt / np.sqrt(self.ss * var_t)


def _alpha_raw(c: np.ndarray) -> float:
    k = c.shape[0]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def _alpha_std(r: np.ndarray) -> float:
    k = r.shape[0]
    return float((1 - k / r.sum()) * k / (k - 1))


def _drop_one(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Alpha of the k - 1 remaining items (from c) and r.drop for every item."""
    k = c.shape[0]
    total = c.sum()
    colsum = c.sum(axis=0)
    diag = np.diag(c)
    tr = diag.sum()
    v_drop = total - 2 * colsum + diag  # sum of C[-i, -i]
    alpha_drop = (1 - (tr - diag) / v_drop) * (k - 1) / (k - 2) if k > 2 else np.full(k, np.nan)
    c_drop = colsum - diag  # covariance of item i with the sum of the others
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN if the rest has no variance
        r_drop = c_drop / np.sqrt(diag * v_drop)
    return alpha_drop, r_drop


_MAX_LOADING = float(np.sqrt(0.995))  # psych::fa keeps uniquenesses >= 0.005


def one_factor_minres(r: np.ndarray, *, tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    """Loadings of a one-factor model fitted to a correlation matrix by minimum residuals.

    Minimises :math:`\\sum_{i \\ne j} (r_{ij} - \\lambda_i \\lambda_j)^2` (unweighted
    least squares on the off-diagonal elements, "minres" as in ``psych::fa(fm="minres")``),
    starting from the first principal axis with squared multiple correlations as
    communalities, by Newton's method with analytic gradient and Hessian (bounded L-BFGS-B
    as fallback). As psych bounds uniquenesses at
    0.005, loadings are bounded at :math:`\\pm\\sqrt{0.995}` (a Heywood case stops there).

    >>> r = np.array([[1, .42, .48], [.42, 1, .56], [.48, .56, 1]])
    >>> one_factor_minres(r).round(6).tolist()
    [0.6, 0.7, 0.8]
    """
    k = r.shape[0]
    if k < 3:
        raise ModelError(f"a one-factor model needs at least 3 items; got {k}")
    off = r.copy()
    np.fill_diagonal(off, 0.0)
    fallback = np.abs(off).max(axis=0)
    try:
        with np.errstate(all="ignore"):
            smc = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = fallback
    # a (numerically) singular r gives no usable squared multiple correlations: the inverse
    # may be inf/nan or its diagonal off by rounding; use the largest |r| of the item, as
    # for an exactly singular matrix (which start is used does not change the minimum)
    bad = ~np.isfinite(smc) | (smc < 0) | (smc > 1)
    smc = np.where(bad, fallback, smc)
    start_mat = off + np.diag(smc)
    vals, vecs = np.linalg.eigh(start_mat)
    lam0 = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
    if lam0.sum() < 0:
        lam0 = -lam0

    def fun(lam: np.ndarray) -> tuple[float, np.ndarray]:
        res = off - np.outer(lam, lam)
        np.fill_diagonal(res, 0.0)
        return float((res**2).sum()), -4.0 * res @ lam

    def hessian(lam: np.ndarray) -> np.ndarray:
        res = off - np.outer(lam, lam)
        np.fill_diagonal(res, 0.0)
        h = 4.0 * (np.outer(lam, lam) - res)
        np.fill_diagonal(h, 4.0 * ((lam**2).sum() - lam**2))
        return h

    lam0 = np.clip(lam0, -_MAX_LOADING, _MAX_LOADING)
    # Newton's method with step halving (converges in a few steps from the principal
    # axis start); if it fails, leaves the bounds or ends off a minimum: bounded L-BFGS-B
    lam, converged = lam0.copy(), False
    for _ in range(100):
        f, g = fun(lam)
        try:
            step = np.linalg.solve(hessian(lam), g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while fun(lam - t * step)[0] > f and t > 1e-10:
            t /= 2
        lam = lam - t * step
        if np.max(np.abs(t * step)) < 1e-13:
            converged = True
            break
    ok = (
        converged
        and np.all(np.isfinite(lam))
        and np.all(np.abs(lam) < _MAX_LOADING)
        and np.linalg.eigvalsh(hessian(lam))[0] > 0
    )
    if not ok:
        start = np.clip(lam if np.all(np.isfinite(lam)) else lam0, -_MAX_LOADING, _MAX_LOADING)
        sol = optimize.minimize(
            fun,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_MAX_LOADING, _MAX_LOADING)] * k,
            options={"ftol": tol, "gtol": 1e-10, "maxiter": max_iter},
        )
        lam = sol.x
    if lam.sum() < 0:
        lam = -lam
    return lam


def _feldt_ci(alpha: float, n: int, k: int, conf: float) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) interval, as psych::alpha.ci."""
    df1, df2 = n - 1, (n - 1) * (k - 1)
    p = 1 - conf
    low = 1 - (1 - alpha) * stats.f.ppf(1 - p / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(p / 2, df1, df2)
    return float(low), float(high)
