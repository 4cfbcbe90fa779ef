"""Logistic regression of a binary Y by maximum likelihood, for one data set or many resamples.

:func:`logit` fits one equation by Newton-Raphson (step halving when the log-likelihood
would fall) and returns a :class:`LogitFit` with the same interface as an OLS fit:
coefficients in log-odds, their covariance (the inverse information), Wald z tests and
normal-theory intervals (``df_resid`` is infinite: the t distribution with infinite degrees
of freedom is the standard normal), -2LL, the likelihood-ratio chi-square against the
intercept-only model and McFadden's, Cox & Snell's and Nagelkerke's R² (as PROCESS prints
them). When the cases are perfectly (or quasi-perfectly) separated, no maximum likelihood
estimate exists: a linear program (Konis, 2007) confirms it and :class:`ModelError` says so.

:func:`newton_resamples` refits the equation on a block of bootstrap resamples at once,
each given by its vector of case counts: the Newton steps of all resamples are stacked
(one matrix product gives every resample's linear predictor, one more every gradient and
Hessian), starting from the full-data estimates, so that 3-5 steps reach machine precision.
A step that would move some case's linear predictor by more than 2 is halved until that
resample's log-likelihood rises (undamped Newton can overshoot and diverge, e.g. with
three-way products). A resample whose fit does not converge (it separates, or its Hessian
is singular) is flagged to be replaced, as PROCESS replaces unusable resamples.

scipy's and statsmodels' logistic fits take one data set at a time; a Python loop of B
fits is what this module avoids (the bootstrap's cost), hence its own Newton iteration.

References: Hosmer, D. W., Lemeshow, S., & Sturdivant, R. X. (2013). *Applied logistic
regression* (3rd ed.). Wiley. https://doi.org/10.1002/9781118548387 -- Konis, K. (2007).
*Linear programming algorithms for detecting separated data in binary logistic regression
models* (DPhil thesis). University of Oxford.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from ..errors import ModelError
from ._batch import solve_spd, solve_spd_stacked
from .ols import FitMethods, check_rank

__all__ = ["LogitFit", "logit", "lr_test", "newton_resamples"]

MAX_ITER = 100  # full-data fit (PROCESS: iterate = 100)
BOOT_MAX_ITER = 30  # a resample's fit started at the full-data estimates converges in 3-5 steps
_TOL = 1e-10  # converged when every step is below _TOL * (1 + |coefficient|)
_MAX_ETA_STEP = 2.0  # a Newton step moving a linear predictor by more: checked by step halving
_BOOT_TOL = 1e-6  # resamples: the error left after such a step is about its square (quadratic convergence)


@dataclass(frozen=True)
class LogitFit(FitMethods):
    """One fitted logistic equation (log-odds metric). ``cov`` is the inverse information."""

    terms: tuple[str, ...]
    coef: np.ndarray
    cov: np.ndarray
    n: int
    conf: float
    loglik: float
    loglik_null: float
    iterations: int

    family = "logit"
    df_resid = np.inf  # Wald tests and intervals use the standard normal

    @property
    def neg2ll(self) -> float:
        """-2 log-likelihood of the model."""
        return -2 * self.loglik

    @property
    def chisq(self) -> float:
        """Likelihood-ratio chi-square against the intercept-only model (PROCESS "ModelLL")."""
        return 2 * (self.loglik - self.loglik_null)

    def pseudo_r2(self) -> tuple[float, float, float]:
        """McFadden's, Cox & Snell's and Nagelkerke's R²."""
        mcfadden = self.chisq / (-2 * self.loglik_null)
        coxsnell = -np.expm1(-self.chisq / self.n)
        nagelkerke = coxsnell / -np.expm1(2 * self.loglik_null / self.n)
        return float(mcfadden), float(coxsnell), float(nagelkerke)


def _loglik(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    eta = X @ beta
    return float(y @ eta - np.logaddexp(0.0, eta).sum())


def logit(X: np.ndarray, y: np.ndarray, terms: list[str], *, conf: float, outcome: str) -> LogitFit:
    """Fit ``P(y = 1) = expit(X b)`` (X includes the constant) by maximum likelihood.

    Raises :class:`ModelError` for a singular design and for separated data (no maximum
    likelihood estimate exists).
    """
    check_rank(X, terms, outcome)
    n, p = X.shape
    ybar = float(y.mean())
    beta = np.zeros(p)
    beta[terms.index("constant")] = np.log(ybar / (1 - ybar))
    ll = _loglik(X, y, beta)
    ll_null = n * (ybar * np.log(ybar) + (1 - ybar) * np.log1p(-ybar))
    converged = False
    iterations = 0
    for _ in range(MAX_ITER):
        iterations += 1
        mu = special.expit(X @ beta)
        w = mu * (1 - mu)
        hess = (X * w[:, None]).T @ X
        grad = X.T @ (y - mu)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(step).all():
            break
        t = 1.0
        while True:  # step halving: the log-likelihood must not fall
            new = beta + t * step
            ll_new = _loglik(X, y, new)
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-6:
                break
            t /= 2
        beta, ll = new, ll_new
        if np.all(np.abs(t * step) <= _TOL * (1 + np.abs(beta))):
            converged = True
            break
    if not converged:
        _separation_error(X, y, terms, outcome, iterations)
    mu = special.expit(X @ beta)
    hess = (X * (mu * (1 - mu))[:, None]).T @ X
    cov = np.linalg.inv(hess)
    return LogitFit(tuple(terms), beta, cov, n, conf, ll, float(ll_null), iterations)


def separates(X: np.ndarray, y: np.ndarray) -> bool:
    """Whether some ``b != 0`` has ``(2y - 1) x'b >= 0`` for every case (Konis's linear program).

    Such a direction makes the log-likelihood rise towards 0 without bound: the data are
    completely or quasi-completely separated and no maximum likelihood estimate exists.
    """
    scale = np.abs(X).max(axis=0)
    A = X / np.where(scale > 0, scale, 1.0) * (2 * y - 1)[:, None]
    res = optimize.linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(y)), bounds=[(-1, 1)] * X.shape[1],
                           method="highs")
    return bool(res.status == 0 and -res.fun > 1e-7 * len(y))


def _separation_error(X, y, terms, outcome, iterations) -> None:
    if separates(X, y):
        raise ModelError(
            f"the logistic regression of {outcome!r} separates the cases perfectly: a combination of its "
            f"predictors {list(terms[1:])} predicts {outcome!r} without error for all cases (or all but ties), "
            "so maximum likelihood estimates do not exist (their values would be infinite); drop or merge the "
            "predictor values that separate, or collect cases of both outcomes in every group"
        )
    raise ModelError(
        f"the logistic regression of {outcome!r} did not converge in {iterations} Newton iterations; check the "
        "predictors for extreme values"
    )


def lr_test(full: LogitFit, reduced: LogitFit) -> tuple[float, int, float]:
    """Likelihood-ratio test of the terms ``full`` has and ``reduced`` lacks: chi-square, df, p."""
    chisq = max(2 * (full.loglik - reduced.loglik), 0.0)
    df = len(full.terms) - len(reduced.terms)
    return float(chisq), df, float(stats.chi2.sf(chisq, df))


def newton_resamples(C: np.ndarray, X: np.ndarray, y: np.ndarray, start: np.ndarray,
                  pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Logistic fits of ``y`` on ``X`` in each resample given by case counts ``C`` (b x n).

    Newton steps on all resamples at once from ``start`` (the full-data estimates): one
    product ``B X'`` gives the b x n linear predictors, ``(C * mu (1 - mu)) P`` every
    Hessian (``P`` holds the n x q products of X's columns, ``pairs`` the index arrays that
    place them: upper-triangle rows, columns and their product column) and
    ``(C * (y - mu)) X`` every gradient. A step that may move some linear predictor by more
    than ``_MAX_ETA_STEP`` is halved until the resample's log-likelihood does not fall.
    Resamples that have converged drop out of the iteration. Returns the (b, p) coefficients and a mask of resamples whose fit failed
    (no convergence in ``BOOT_MAX_ITER`` steps, a singular Hessian, non-finite values: the
    resample separates), which the caller replaces.
    """
    rows, cols, P = pairs
    b, p = C.shape[0], X.shape[1]
    beta = np.tile(start, (b, 1))
    failed = np.zeros(b, dtype=bool)
    active = np.arange(b)
    XT = np.ascontiguousarray(X.T)
    xmax = np.abs(X).max(axis=0)  # |x' step| <= |step| @ xmax for every case
    # scratch arrays, reused by every step (fresh b x n temporaries would each be page-faulted in)
    eta, tmp, resid = (np.empty_like(C) for _ in range(3))
    Cy = C * y  # count of each case, where y = 1
    Ca, Cya = C, Cy
    for it in range(BOOT_MAX_ITER):
        a = len(active)
        if it == 0:
            # every resample starts at the same coefficients, so the fitted probabilities are
            # the same n values: the first gradients and Hessians are plain products of counts
            mu0 = special.expit(X @ start)
            grad = np.dot(C, X * (y - mu0)[:, None])
            H = np.dot(C, P * (mu0 * (1 - mu0))[:, None])
        else:
            mu, cmu, res = eta[:a], tmp[:a], resid[:a]
            np.dot(beta[active] if a < b else beta, XT, out=mu)  # np.dot releases the GIL (np.matmul did not)
            special.expit(mu, out=mu)
            np.multiply(Ca, mu, out=cmu)  # c mu
            np.subtract(Cya, cmu, out=res)  # c (y - mu)
            grad = np.dot(res, X)  # (a, p)
            np.multiply(cmu, mu, out=mu)
            np.subtract(cmu, mu, out=cmu)  # c mu (1 - mu)
            H = np.dot(cmu, P)  # (a, q)
        if p >= 6:  # LAPACK's batched Cholesky is faster for larger systems
            A = np.empty((a, p, p))
            A[:, rows, cols] = H
            A[:, cols, rows] = H
            step, bad = solve_spd_stacked(A, grad)
        else:
            A = np.empty((p, p, a))
            A[rows, cols] = H.T
            A[cols, rows] = H.T
            step, bad = solve_spd(A, grad.T)
            step = step.T
        bad |= ~np.isfinite(step).all(axis=1)
        # a step that may move some linear predictor by more than _MAX_ETA_STEP is halved until
        # the resample's log-likelihood rises (Newton from far away can overshoot and diverge)
        far = ~bad & (np.abs(step) @ xmax > _MAX_ETA_STEP)  # a bound; the exact change for those rows:
        if far.any():
            far[far] = np.abs(np.dot(step[far], XT)).max(axis=1) > _MAX_ETA_STEP
        if far.any():
            step[far] = _halve(C[active[far]], Cy[active[far]], XT, beta[active[far]], step[far])
        beta[active] += step
        done = np.all(np.abs(step) <= _BOOT_TOL * (1 + np.abs(beta[active])), axis=1)
        failed[active[bad]] = True
        keep = ~bad & ~done
        if not keep.any():
            active = active[keep]
            break
        if not keep.all():
            active = active[keep]
            Ca, Cya = C[active], Cy[active]
    failed[active] = True  # still moving after BOOT_MAX_ITER steps: separated
    return beta, failed


def _loglik_rows(C: np.ndarray, Cy: np.ndarray, XT: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Each resample's log-likelihood at its ``beta`` (rows of the counts ``C``)."""
    eta = np.dot(beta, XT)
    return np.einsum("ij,ij->i", Cy, eta) - np.einsum("ij,ij->i", C, np.logaddexp(0.0, eta))


def _halve(C: np.ndarray, Cy: np.ndarray, XT: np.ndarray, beta: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Newton steps halved (at most 30 times) until each resample's log-likelihood does not fall."""
    ll0 = _loglik_rows(C, Cy, XT, beta)
    t = np.ones(len(beta))
    todo = np.arange(len(beta))
    for _ in range(30):
        ll = _loglik_rows(C[todo], Cy[todo], XT, beta[todo] + t[todo, None] * step[todo])
        rises = ll >= ll0[todo] - 1e-12 * np.abs(ll0[todo])
        todo = todo[~rises]
        if not todo.size:
            break
        t[todo] /= 2
    return step * t[:, None]


def product_pairs(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The upper-triangle index arrays of a p x p Hessian and the n x q products of X's columns."""
    rows, cols = np.triu_indices(X.shape[1])
    return rows, cols, X[:, rows] * X[:, cols]
