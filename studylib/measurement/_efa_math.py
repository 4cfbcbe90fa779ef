"""Extraction and rotation for :func:`studylib.efa` (private).

What comes from statsmodels and what is written here, and why:

* ML extraction: written here, as R ``factanal`` and psych ``fa(fm = "ml")`` do it (the
  likelihood concentrated on the uniquenesses, bounded in [0.005, 1], L-BFGS-B with the
  analytic gradient); the loadings are psych's canonical ones (eigenvectors of
  :math:`\\Psi^{-1/2}R\\Psi^{-1/2}`), where rotations start.
  ``statsmodels.multivariate.factor.Factor(method="ml")`` agrees (2e-6 on
  HolzingerSwineford1939 with 3 factors) but does not serve: it optimises loadings and
  uniquenesses jointly without bounds, and can stop at a saddle point (4 factors on the
  same data: it returns the 3-factor uniquenesses with a ConvergenceWarning) or at
  negative uniquenesses.
* minres extraction: written here; statsmodels has no minres (its ``"pa"`` iterated
  principal axes reaches the same fixed point only when it converges and no uniqueness
  hits its bound). Uniquenesses are bounded in [0.005, 1] as in psych.
* Principal components: eigen-decomposition of the correlation matrix (numpy).
* Varimax: ``statsmodels.multivariate.factor_rotation.rotate_factors(..., "varimax")``
  wrapped in Kaiser normalization (R ``stats::varimax(normalize = TRUE)``, used by psych),
  which statsmodels does not offer. statsmodels converges to the optimum; R stops at a
  relative change of 1e-5 in the criterion, which leaves psych's loadings up to ~5e-4 off
  it (measured on HolzingerSwineford1939).
* Oblimin: statsmodels' GPA ``"oblimin"`` with gamma 0 (quartimin), as GPArotation's
  ``oblimin`` default that psych calls (no normalization).
* Promax: written here as R ``stats::promax(m = 4)`` (Kaiser-normalized varimax, then the
  power-4 Procrustes target, factor correlations from the transformation); statsmodels'
  ``promax`` uses power 2 and no normalization.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from ..errors import ModelError

__all__ = ["extract", "rotate", "smc", "reduced_eigenvalues", "parallel_eigenvalues"]

_PSI_LOW = 0.005  # psych's lower bound on uniquenesses


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations (1 - 1/diag(R^-1)), clipped to [0, 1]."""
    try:
        out = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        out = np.abs(r - np.eye(r.shape[0])).max(axis=0)
    return np.clip(np.where(np.isfinite(out), out, 1.0), 0.0, 1.0)


def reduced_eigenvalues(r: np.ndarray) -> np.ndarray:
    """Eigenvalues (descending) of R with squared multiple correlations on the diagonal."""
    rr = r.copy()
    np.fill_diagonal(rr, smc(r))
    return np.linalg.eigvalsh(rr)[::-1]


def _top_loadings(mat: np.ndarray, k: int) -> np.ndarray:
    vals, vecs = np.linalg.eigh(mat)
    vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def extract(r: np.ndarray, k: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Unrotated loadings (p, k) and uniquenesses (p,) from a correlation matrix."""
    if method == "pc":
        load = _top_loadings(r, k)
        return load, 1.0 - (load**2).sum(axis=1)
    if method == "minres":
        psi = _minres_uniquenesses(r, k)
    else:
        psi = _ml_uniquenesses(r, k)
    if method == "minres":
        load = _top_loadings(r - np.diag(psi), k)
    else:  # psych/factanal canonical ML loadings
        sc = 1.0 / np.sqrt(psi)
        vals, vecs = np.linalg.eigh(r * np.outer(sc, sc))
        vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
        load = np.sqrt(psi)[:, None] * vecs * np.sqrt(np.clip(vals - 1.0, 0.0, None))
    return load, psi


def _minres_uniquenesses(r: np.ndarray, k: int) -> np.ndarray:
    """Uniquenesses minimising the squared residuals of R - LL' - Psi, L of rank k.

    Concentrated over L (the best rank-k fit of R - Psi), the criterion is the sum of the
    squared trailing eigenvalues of R - Psi and its gradient is -2 diag(R - Psi - LL');
    at an interior minimum the diagonal residuals vanish, so this is minres (off-diagonal
    least squares, psych ``fm = "minres"``).
    """
    p = r.shape[0]

    def fun(psi: np.ndarray) -> tuple[float, np.ndarray]:
        mat = r - np.diag(psi)
        vals, vecs = np.linalg.eigh(mat)
        top = slice(p - k, p)
        lv = np.clip(vals[top], 0.0, None)
        load = vecs[:, top] * np.sqrt(lv)
        res = mat - load @ load.T
        return float((res**2).sum()), -2.0 * np.diag(res)

    start = 1.0 - smc(r)
    start = np.clip(start, _PSI_LOW, 1.0)
    out = optimize.minimize(
        fun, start, jac=True, method="L-BFGS-B", bounds=[(_PSI_LOW, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 5000},
    )
    if not np.isfinite(out.fun):
        raise ModelError("minres extraction failed (the correlation matrix gives no finite fit); try extraction='pc'")
    return out.x


def _ml_uniquenesses(r: np.ndarray, k: int) -> np.ndarray:
    r"""ML uniquenesses by factanal's (and psych's) concentrated likelihood.

    Minimises :math:`F(\Psi) = -\sum_{j > k}(\log e_j - e_j) - k + p` over the
    eigenvalues :math:`e_j` of :math:`\Psi^{-1/2}R\Psi^{-1/2}` with its analytic
    gradient, uniquenesses bounded in [0.005, 1] (L-BFGS-B).
    """
    p = r.shape[0]

    def fun(psi: np.ndarray) -> tuple[float, np.ndarray]:
        sc = 1.0 / np.sqrt(psi)
        vals, vecs = np.linalg.eigh(r * np.outer(sc, sc))
        vals, vecs = vals[::-1], vecs[:, ::-1]
        e = vals[k:]
        f = -(np.sum(np.log(e) - e) - k + p)
        load = np.sqrt(psi)[:, None] * vecs[:, :k] * np.sqrt(np.clip(vals[:k] - 1.0, 0.0, None))
        g = np.diag(load @ load.T) + psi - np.diag(r)
        return float(f), g / psi**2

    start = np.clip(1.0 - smc(r), _PSI_LOW, 1.0)
    out = optimize.minimize(
        fun, start, jac=True, method="L-BFGS-B", bounds=[(_PSI_LOW, 1.0)] * p,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000},
    )
    if not np.isfinite(out.fun) or not out.success and np.abs(out.jac).max() > 1e-5:
        raise ModelError(
            f"ML factor extraction with {k} factors did not converge (L-BFGS-B on the "
            f"uniquenesses: {out.message}); try fewer factors or extraction='minres'"
        )
    return out.x


# --------------------------------------------------------------------------------------
# rotation


def rotate(load: np.ndarray, method: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Rotated loadings and the factor correlation matrix (identity if orthogonal)."""
    k = load.shape[1]
    if method is None or k < 2:
        return load.copy(), np.eye(k)
    from statsmodels.multivariate.factor_rotation import rotate_factors

    if method == "varimax":
        return _kaiser_varimax(load), np.eye(k)
    if method == "oblimin":
        rot, t = rotate_factors(load, "oblimin", 0, "oblique")
        return rot, t.T @ t
    return _promax(load, 4)


def _kaiser_varimax(load: np.ndarray) -> np.ndarray:
    from statsmodels.multivariate.factor_rotation import rotate_factors

    h = np.sqrt((load**2).sum(axis=1))
    h = np.where(h > 0, h, 1.0)
    rot, _ = rotate_factors(load / h[:, None], "varimax")
    return rot * h[:, None]


def _promax(load: np.ndarray, power: int) -> tuple[np.ndarray, np.ndarray]:
    """R stats::promax(x, m = power): returns loadings and factor correlations."""
    vm = _kaiser_varimax(load)
    target = vm * np.abs(vm) ** (power - 1)
    u, *_ = np.linalg.lstsq(vm, target, rcond=None)
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)
    rot = vm @ u
    ui = np.linalg.inv(u)
    phi = ui @ ui.T
    sd = np.sqrt(np.diag(phi))
    return rot, phi / np.outer(sd, sd)


def orient(load: np.ndarray, phi: np.ndarray, *, oblique: bool) -> tuple[np.ndarray, np.ndarray]:
    """psych's presentation: columns signed to positive sums, ordered by variance accounted
    for (``diag(Phi L'L)`` when oblique, else column sums of squares)."""
    sign = np.sign(load.sum(axis=0))
    sign[sign == 0] = 1.0
    load = load * sign
    phi = phi * np.outer(sign, sign)
    ss = np.diag(phi @ load.T @ load) if oblique else (load**2).sum(axis=0)
    order = np.argsort(-ss, kind="stable")
    return load[:, order], phi[np.ix_(order, order)]


def parallel_eigenvalues(
    n: int, p: int, method: str, rng: np.random.Generator, n_iter: int = 100
) -> np.ndarray:
    """Eigenvalues (n_iter, p) of correlation matrices of random normal data (n x p);
    reduced (SMC diagonal) for the factor methods, as Horn's parallel analysis."""
    z = rng.standard_normal((n_iter, n, p))
    z -= z.mean(axis=1, keepdims=True)
    c = np.swapaxes(z, 1, 2) @ z
    sd = np.sqrt(np.diagonal(c, axis1=1, axis2=2))
    r = c / (sd[:, :, None] * sd[:, None, :])
    if method != "pc":
        smcs = 1.0 - 1.0 / np.diagonal(np.linalg.inv(r), axis1=1, axis2=2)
        idx = np.arange(p)
        r[:, idx, idx] = smcs
    return np.linalg.eigvalsh(r)[:, ::-1]
