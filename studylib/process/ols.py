"""Ordinary least squares with ordinary or heteroskedasticity-consistent (HC0-HC4) errors.

Coefficient tests and CIs use the t distribution with n - p degrees of freedom, as
PROCESS does; F tests of several coefficients (model F, R²-change of interactions) are
Wald tests that equal the classical F when ``hc`` is None (Hayes & Cai, 2007).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from ..errors import ModelError

__all__ = ["HC_TYPES", "FitMethods", "OLSFit", "check_rank", "ols", "wald_f", "wald_f_linear"]

HC_TYPES = ("HC0", "HC1", "HC2", "HC3", "HC4")


class FitMethods:
    """What every fitted equation offers (OLS and logistic): SEs, term positions, linear combinations.

    Needs ``terms``, ``coef``, ``cov``, ``df_resid`` (infinite for z tests) and ``conf``.
    """

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def index(self, term: str) -> int:
        return self.terms.index(term)

    def linear(self, weights: np.ndarray) -> tuple[float, float, float, float, float, float]:
        """Estimate, se, t (z when ``df_resid`` is infinite), p, ci_low, ci_high of ``weights @ coef``."""
        est = float(weights @ self.coef)
        se = float(np.sqrt(max(weights @ self.cov @ weights, 0.0)))
        return (est, se, *t_stats(est, se, self.df_resid, self.conf))


@dataclass(frozen=True)
class OLSFit(FitMethods):
    """One fitted equation. ``cov`` is the (possibly robust) covariance of ``coef``."""

    terms: tuple[str, ...]
    coef: np.ndarray
    cov: np.ndarray
    df_resid: int
    n: int
    r2: float
    mse: float
    conf: float

    family = "ols"


def t_stats(est, se, df, conf):
    """t, two-sided p and the t-based CI (vectorised)."""
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = est / se
    p = 2 * special.stdtr(df, -np.abs(t))
    crit = special.stdtrit(df, 0.5 + conf / 2)
    out = (t, p, est - crit * se, est + crit * se)
    if est.ndim == 0:
        return tuple(float(v) for v in out)
    return out


def check_rank(X: np.ndarray, terms, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    """QR of the design; raise :class:`ModelError` for too few cases or a collinear term."""
    n, p = X.shape
    if n <= p:
        raise ModelError(
            f"equation for {outcome!r} has {p} coefficients but only {n} complete cases; "
            "more cases than coefficients are needed"
        )
    q, r = np.linalg.qr(X)
    diag = np.abs(np.diag(r))
    scale = np.sqrt((X**2).sum(axis=0))
    bad = np.flatnonzero(diag <= 1e-10 * np.maximum(scale, 1e-300))
    if bad.size:
        col = terms[bad[0]]
        raise ModelError(
            f"singular design in the equation for {outcome!r}: term {col!r} is a linear "
            f"combination of the terms before it {list(terms[: bad[0]])}; drop or recode it"
        )
    return q, r


def ols(X: np.ndarray, y: np.ndarray, terms: list[str], *, hc: str | None, conf: float, outcome: str) -> OLSFit:
    """Fit ``y ~ X`` (X includes the constant column) by QR; raise on a singular design."""
    q, r = check_rank(X, terms, outcome)
    n, p = X.shape
    rinv = np.linalg.inv(r)  # small, triangular and checked non-singular above
    coef = rinv @ (q.T @ y)
    resid = y - X @ coef
    df = n - p
    sse = float(resid @ resid)
    mse = sse / df
    xtx_inv = rinv @ rinv.T
    if hc is None:
        cov = xtx_inv * mse
    else:
        h = np.einsum("ij,ij->i", q, q)
        e2 = resid**2
        if hc == "HC0":
            omega = e2
        elif hc == "HC1":
            omega = e2 * n / df
        elif hc == "HC2":
            omega = e2 / (1 - h)
        elif hc == "HC3":
            omega = e2 / (1 - h) ** 2
        else:  # HC4 (Cribari-Neto, 2004)
            delta = np.minimum(4.0, n * h / p)
            omega = e2 / (1 - h) ** delta
        meat = (X * omega[:, None]).T @ X
        cov = xtx_inv @ meat @ xtx_inv
    yc = y - y.mean()
    sst = float(yc @ yc)
    r2 = 1 - sse / sst if sst > 0 else np.nan
    return OLSFit(tuple(terms), coef, cov, df, n, float(r2), mse, conf)


def wald_f(fit, idx: list[int]) -> tuple[float, int, float, float]:
    """Wald F test that the coefficients ``idx`` are all zero: F, df1, df2, p."""
    return wald_f_linear(fit, np.eye(len(fit.coef))[idx])


def wald_f_linear(fit, L: np.ndarray) -> tuple[float, int, float, float]:
    """Wald F test that the linear combinations ``L @ coef`` (rows of L) are all zero.

    ``F = (Lb)' (L V L')^{-1} (Lb) / q`` with ``V`` the fit's (possibly HC) covariance
    and ``q`` rows; df ``(q, n - p)``. For a logistic fit (infinite ``df_resid``) ``q F`` is
    the Wald chi-square and p comes from the chi-square distribution.
    """
    q = L.shape[0]
    lb = L @ fit.coef
    f = float(lb @ np.linalg.solve(L @ fit.cov @ L.T, lb)) / q
    if np.isinf(fit.df_resid):
        return f, q, np.inf, float(special.chdtrc(q, q * f))
    return f, q, fit.df_resid, float(special.fdtrc(q, fit.df_resid, f))
