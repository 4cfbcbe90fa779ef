"""Maximum-likelihood estimation of a simple-structure CFA (private engine of :func:`cfa`).

Written here because no maintained Python library offers it: statsmodels has exploratory
factor analysis only, ``factor_analyzer`` fails on current pandas and scikit-learn, and
semopy is unmaintained and far slower (benchmarks/bench_measurement.py). The engine
follows lavaan's defaults:

* the ML discrepancy :math:`F = \\log|\\Sigma| + \\operatorname{tr}(S\\Sigma^{-1}) -
  \\log|S| - p` with the sample covariance matrix :math:`S` of divisor :math:`N`
  (lavaan ``likelihood = "normal"``), no mean structure (means are saturated);
* :math:`\\Sigma = \\Lambda\\Phi\\Lambda' + \\Theta`, each item loading on one factor,
  :math:`\\Theta` diagonal, :math:`\\Phi` free (marker identification: the first loading
  of each factor fixed to 1) or a correlation matrix (``std_lv``: variances fixed to 1);
* the analytic gradient :math:`\\partial F/\\partial\\theta_a =
  \\operatorname{tr}(W\\Sigma_a)` with :math:`W = \\Sigma^{-1}(\\Sigma - S)\\Sigma^{-1}`
  and the expected information :math:`H_{ab} = \\operatorname{tr}(\\Sigma^{-1}\\Sigma_a
  \\Sigma^{-1}\\Sigma_b)`, both in closed form for this structure (no numerical
  derivatives, no Kronecker products);
* Fisher scoring with step halving (lavaan uses nlminb; both find the same minimum) and
  standard errors from the expected information, :math:`\\operatorname{vcov} =
  (N H / 2)^{-1}` (lavaan ``information = "expected"``, ``h1.information =
  "structured"``).

Every function takes a batch of covariance matrices ``S`` of shape ``(B, p, p)``, so the
bootstrap fits all its resamples at once with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.linalg import lapack

_potrf = lapack.dpotrf

__all__ = ["Structure", "FitState", "minimise", "start_values", "information", "hessian"]


@dataclass(frozen=True)
class Structure:
    """The free parameters of a simple-structure CFA with ``p`` items and ``m`` factors.

    The parameter vector is ``[free loadings (item order), residual variances (all
    items), free factor (co)variances (lower triangle, row by row)]``.
    """

    factor_of: np.ndarray  # (p,) factor index of each item
    marker: np.ndarray  # (p,) bool: loading fixed to 1
    std_lv: bool

    @property
    def p(self) -> int:
        return int(self.factor_of.size)

    @property
    def m(self) -> int:
        return int(self.factor_of.max()) + 1

    @cached_property
    def free_load(self) -> np.ndarray:
        return np.flatnonzero(~self.marker)

    @cached_property
    def phi_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(k, c) with k >= c of the free entries of Phi."""
        k, c = np.tril_indices(self.m)
        if self.std_lv:
            keep = k != c
            k, c = k[keep], c[keep]
        return k, c

    @cached_property
    def n_load(self) -> int:
        return int((~self.marker).sum())

    @cached_property
    def q(self) -> int:
        return self.n_load + self.p + self.phi_pairs[0].size

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loadings ``(B, p)``, Phi ``(B, m, m)`` and residual variances ``(B, p)``."""
        b = theta.shape[0]
        nl, p = self.n_load, self.p
        lam = np.ones((b, p))
        lam[:, self.free_load] = theta[:, :nl]
        th = theta[:, nl : nl + p]
        phi = np.zeros((b, self.m, self.m))
        if self.std_lv:
            idx = np.arange(self.m)
            phi[:, idx, idx] = 1.0
        k, c = self.phi_pairs
        phi[:, k, c] = theta[:, nl + p :]
        phi[:, c, k] = theta[:, nl + p :]
        return lam, phi, th

    def pack(self, lam: np.ndarray, phi: np.ndarray, th: np.ndarray) -> np.ndarray:
        k, c = self.phi_pairs
        return np.concatenate([lam[:, self.free_load], th, phi[:, k, c]], axis=1)


@dataclass
class FitState:
    """Model-implied quantities at one parameter vector (for a batch)."""

    theta: np.ndarray
    lam: np.ndarray
    phi: np.ndarray
    th: np.ndarray
    sigma: np.ndarray
    inv: np.ndarray
    f: np.ndarray  # (B,) ML discrepancy; inf where Sigma is not positive definite


def implied(st: Structure, lam: np.ndarray, phi: np.ndarray, th: np.ndarray) -> np.ndarray:
    """Sigma = Lambda Phi Lambda' + Theta for a batch."""
    fo = st.factor_of
    sig = lam[:, :, None] * lam[:, None, :] * phi[:, fo][:, :, fo]
    idx = np.arange(st.p)
    sig[:, idx, idx] += th
    return sig


def _cholesky(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a batch and which elements are positive definite.

    One batched call when all are; otherwise element by element (a batched eigenvalue
    test costs more than the loop).
    """
    try:
        return np.linalg.cholesky(a), np.ones(a.shape[0], bool)
    except np.linalg.LinAlgError:
        pass
    chol = np.zeros_like(a)
    ok = np.zeros(a.shape[0], bool)
    finite = np.isfinite(a).all(axis=(1, 2))
    for i in np.flatnonzero(finite):
        c, info = _potrf(a[i], lower=1, clean=1)
        if info == 0:
            chol[i] = c
            ok[i] = True
    return chol, ok


def _logdet_inv(sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log|Sigma| and Sigma^-1 per batch element; log|Sigma| = nan where not PD."""
    logdet = np.full(sig.shape[0], np.nan)
    inv = np.full_like(sig, np.nan)
    chol, ok = _cholesky(sig)
    if ok.all():
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        inv = np.linalg.inv(sig)
    elif ok.any():
        logdet[ok] = 2.0 * np.log(np.diagonal(chol[ok], axis1=1, axis2=2)).sum(axis=1)
        inv[ok] = np.linalg.inv(sig[ok])
    return logdet, inv


def state(st: Structure, theta: np.ndarray, s: np.ndarray, logdet_s: np.ndarray) -> FitState:
    lam, phi, th = st.unpack(theta)
    sig = implied(st, lam, phi, th)
    logdet, inv = _logdet_inv(sig)
    with np.errstate(invalid="ignore"):
        f = logdet + np.einsum("bij,bji->b", s, inv) - logdet_s - st.p
    f = np.where(np.isfinite(f), f, np.inf)
    return FitState(theta, lam, phi, th, sig, inv, f)


def gradient(st: Structure, fs: FitState, s: np.ndarray) -> np.ndarray:
    """dF/dtheta (B, q)."""
    fo, p = st.factor_of, st.p
    ip = np.arange(p)
    pinv = fs.inv
    w = pinv - pinv @ s @ pinv
    lmat = np.zeros((fs.lam.shape[0], p, st.m))
    lmat[:, ip, fo] = fs.lam
    mmat = lmat @ fs.phi  # Lambda Phi
    wm = w @ mmat
    g_lam = 2.0 * wm[:, ip, fo][:, st.free_load]
    g_th = w[:, ip, ip]
    gl = np.swapaxes(lmat, 1, 2) @ w @ lmat
    k, c = st.phi_pairs
    g_phi = np.where(k == c, 1.0, 2.0) * gl[:, k, c]
    return np.concatenate([g_lam, g_th, g_phi], axis=1)


def information(st: Structure, fs: FitState) -> np.ndarray:
    """Expected information H_ab = tr(P S_a P S_b) (B, q, q); vcov = 2 H^-1 / N."""
    return _trace_blocks(st, fs.lam, fs.phi, fs.inv, fs.inv)


def hessian(st: Structure, fs: FitState, s: np.ndarray) -> np.ndarray:
    """Exact second derivatives of F (B, q, q).

    .. math:: \\partial^2 F/\\partial a\\partial b = \\operatorname{tr}(P\\Sigma_a
              (2PSP - P)\\Sigma_b) + \\operatorname{tr}(W\\Sigma_{ab})

    where only loading-loading and loading-factor (co)variance pairs have a nonzero
    :math:`\\Sigma_{ab}`.
    """
    p_ = fs.inv
    psp = p_ @ s @ p_
    h = _trace_blocks(st, fs.lam, fs.phi, p_, 2.0 * psp - p_)
    w = p_ - psp
    fo, fl, nl = st.factor_of, st.free_load, st.n_load
    # loading i, loading j: 2 Phi[f_i, f_j] W_ij
    h_ll = 2.0 * fs.phi[:, fo][:, :, fo] * w
    h[:, :nl, :nl] += h_ll[:, fl][:, :, fl]
    # loading i, phi_a: 2 (W Lambda E_a)[i, f_i]
    lmat = _lambda_matrix(st, fs.lam)
    wl = w @ lmat  # (B, p, m)
    k, c = st.phi_pairs
    off_diag = (k != c)[:, None]
    # (W Lambda E_a)[i, f_i] = WL[i, k] [c = f_i] + [k != c] WL[i, c] [k = f_i]
    wle = np.swapaxes(wl[:, :, k], 1, 2) * (c[:, None] == fo) + off_diag * np.swapaxes(
        wl[:, :, c], 1, 2
    ) * (k[:, None] == fo)
    h_lp = 2.0 * wle[:, :, fl]
    off = nl + st.p
    h[:, off:, :nl] += h_lp
    h[:, :nl, off:] += np.swapaxes(h_lp, 1, 2)
    return h


def _sym(x: np.ndarray, y: np.ndarray, k: np.ndarray, c: np.ndarray) -> np.ndarray:
    """x E_a y' row by row for every free Phi entry a = (k, c): (..., rows, n_phi)."""
    out = x[..., k] * y[..., c]
    off = k != c
    out[..., off] += x[..., c[off]] * y[..., k[off]]
    return out


def _lambda_matrix(st: Structure, lam: np.ndarray) -> np.ndarray:
    out = np.zeros((lam.shape[0], st.p, st.m))
    out[:, np.arange(st.p), st.factor_of] = lam
    return out


def _trace_blocks(st: Structure, lam: np.ndarray, phi: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """tr(A S_a B S_b) for every pair of free parameters (A, B symmetric; B, q, q)."""
    fo = st.factor_of
    lmat = _lambda_matrix(st, lam)
    mmat = lmat @ phi  # M = Lambda Phi; dSigma/dlambda_i = e_i M_fi' + M_fi e_i'
    am, bm = a @ mmat, b @ mmat
    al, bl = a @ lmat, b @ lmat
    mt = np.swapaxes(mmat, 1, 2)
    mam, mbm = mt @ am, mt @ bm
    am_f, bm_f = am[:, :, fo], bm[:, :, fo]  # [x, r, c] = (AM)[r, f_c]
    am_ft, bm_ft = np.swapaxes(am_f, 1, 2), np.swapaxes(bm_f, 1, 2)  # [x, r, c] = (AM)[c, f_r]
    # loading i, loading j:
    # (BM)[j, f_i] (AM)[i, f_j] + (M'BM)[f_i, f_j] A_ij + B_ij (M'AM)[f_i, f_j] + (BM)[i, f_j] (AM)[j, f_i]
    h_ll = bm_ft * am_f + mbm[:, fo][:, :, fo] * a + b * mam[:, fo][:, :, fo] + bm_f * am_ft
    # residual variance i, residual variance j
    h_tt = a * b
    # loading i (row), residual variance j (column): (BM)[j, f_i] A_ij + B_ij (AM)[j, f_i]
    h_lt = bm_ft * a + b * am_ft
    lt = np.swapaxes(lmat, 1, 2)
    qa, qb = lt @ al, lt @ bl
    # phi_a, phi_b: tr(QA E_a QB E_b), a = (k, c), b = (r, s), E symmetric unit matrices
    k, c = st.phi_pairs
    ka, la, kb, lb = k[:, None], c[:, None], k[None, :], c[None, :]
    oa, ob = (k != c)[:, None], (k != c)[None, :]
    h_pp = (
        qb[:, la, kb] * qa[:, lb, ka]
        + ob * qb[:, la, lb] * qa[:, kb, ka]
        + oa * qb[:, ka, kb] * qa[:, lb, la]
        + (oa & ob) * qb[:, ka, lb] * qa[:, kb, la]
    )
    # phi_a, residual variance j: (B Lambda)[j] E_a (A Lambda)[j]'
    h_pt = np.swapaxes(_sym(bl, al, k, c), 1, 2)
    # phi_a, loading i: (M'A Lambda)[f_i] E_a (B Lambda)[i]' + (A Lambda)[i] E_a (Lambda'B M)[:, f_i]
    mal = (mt @ al)[:, fo, :]  # (B, p, m): row f_i of M'A Lambda, per item i
    lbm = np.swapaxes(lt @ bm, 1, 2)[:, fo, :]  # row f_i of (Lambda'B M)', per item i
    h_pl = np.swapaxes(_sym(mal, bl, k, c) + _sym(al, lbm, k, c), 1, 2)
    fl, nl, p = st.free_load, st.n_load, st.p
    out = np.empty((lam.shape[0], st.q, st.q))
    o = nl + p
    out[:, :nl, :nl] = h_ll[:, fl][:, :, fl]
    out[:, :nl, nl:o] = h_lt[:, fl, :]
    out[:, nl:o, :nl] = np.swapaxes(out[:, :nl, nl:o], 1, 2)
    out[:, nl:o, nl:o] = h_tt
    out[:, o:, :nl] = h_pl[:, :, fl]
    out[:, :nl, o:] = np.swapaxes(out[:, o:, :nl], 1, 2)
    out[:, o:, nl:o] = h_pt
    out[:, nl:o, o:] = np.swapaxes(h_pt, 1, 2)
    out[:, o:, o:] = h_pp
    return out


def start_values(st: Structure, s: np.ndarray) -> np.ndarray:
    """Start values (1, q) from one sample covariance matrix ``s`` (p, p).

    Per factor, the first principal axis of its items' correlations with squared multiple
    correlations as communalities gives standardized loadings; factor correlations start
    at the disattenuated mean between-block correlation (the HTMT idea), clipped to
    +-0.9. Residual variances start at the unexplained share of each item's variance,
    at least 10%.
    """
    p, m = st.p, st.m
    sd = np.sqrt(np.diag(s))
    rmat = s / np.outer(sd, sd)
    std_load = np.zeros(p)
    within = np.ones(m)
    for f in range(m):
        idx = np.flatnonzero(st.factor_of == f)
        block = rmat[np.ix_(idx, idx)]
        off = block - np.diag(np.diag(block))
        within[f] = np.abs(off).sum() / max(idx.size * (idx.size - 1), 1)
        try:
            smc = 1.0 - 1.0 / np.diag(np.linalg.inv(block))
        except np.linalg.LinAlgError:
            smc = np.abs(off).max(axis=0)
        smc = np.clip(np.where(np.isfinite(smc), smc, 0.5), 0.05, 0.95)
        vals, vecs = np.linalg.eigh(off + np.diag(smc))
        v = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-3))
        marker = idx[st.marker[idx]]
        ref = np.flatnonzero(st.marker[idx])[0] if marker.size else int(np.argmax(np.abs(v)))
        if v[ref] < 0:
            v = -v
        std_load[idx] = np.clip(v, -0.95, 0.95)
    raw = std_load * sd
    lam = raw.copy()
    phi = np.eye(m)
    for f in range(m):
        idx = np.flatnonzero(st.factor_of == f)
        if not st.std_lv:
            ref = idx[st.marker[idx]][0]
            scale = raw[ref] if abs(raw[ref]) > 1e-8 else sd[ref]
            lam[idx] = raw[idx] / scale
            phi[f, f] = scale**2
    for f in range(m):
        for g in range(f):
            i, j = st.factor_of == f, st.factor_of == g
            between = rmat[np.ix_(i, j)].mean()
            corr = np.clip(between / np.sqrt(within[f] * within[g]), -0.9, 0.9)
            phi[f, g] = phi[g, f] = corr * np.sqrt(phi[f, f] * phi[g, g])
    th = np.diag(s) * np.maximum(1.0 - std_load**2, 0.1)
    return st.pack(lam[None], phi[None], th[None])


def minimise(
    st: Structure,
    s: np.ndarray,
    theta0: np.ndarray,
    *,
    tol: float = 1e-10,
    max_iter: int = 300,
) -> tuple[FitState, np.ndarray, np.ndarray]:
    """Minimise F for every covariance matrix of the batch ``s`` (B, p, p).

    Each iteration takes a Newton step on the exact Hessian where that Hessian is
    positive definite, else a Fisher-scoring step on the expected information (always
    positive definite for an identified model), and halves the step until F does not
    increase. Fisher scoring alone converges only linearly when the model misfits;
    Newton near the minimum is quadratic, so a fit takes a dozen iterations. An element
    has converged when its largest step component is below ``tol`` times (1 + the
    largest parameter). Returns the final state, converged flags and iteration counts.
    """
    b = s.shape[0]
    logdet_s = np.linalg.slogdet(s)[1]
    theta = np.array(theta0, dtype=float, copy=True)
    if theta.shape[0] != b:
        theta = np.repeat(theta, b, axis=0)
    fs = state(st, theta, s, logdet_s)
    active = np.isfinite(fs.f)
    converged = np.zeros(b, bool)
    iters = np.zeros(b, np.int64)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        sub = _take(fs, idx)
        si = s[idx]
        g = gradient(st, sub, si)
        step = _newton_or_scoring(st, sub, hessian(st, sub, si), g)
        bad = ~np.isfinite(step).all(axis=1)
        step[bad] = 0.0
        size = np.abs(step).max(axis=1) / (1.0 + np.abs(sub.theta).max(axis=1))
        small = (size < tol) & ~bad
        t = np.ones(idx.size)
        new = state(st, sub.theta - step, si, logdet_s[idx])
        slack = 1e-13 * (1.0 + np.abs(sub.f))  # rounding in F near the minimum
        worse = (new.f > sub.f + slack) & ~small & ~bad
        for _half in range(40):
            if not worse.any():
                break
            w = np.flatnonzero(worse)
            t[w] /= 2.0
            part = state(st, sub.theta[w] - t[w, None] * step[w], si[w], logdet_s[idx[w]])
            _put(new, w, part)
            worse[w] = part.f > sub.f[w] + slack[w]
        # a step that cannot lower F (or could not be computed) ends that element
        stuck = worse | bad
        if stuck.any():
            k = np.flatnonzero(stuck)
            _put(new, k, _take(sub, k))
        _put(fs, idx, new)
        iters[idx] += 1
        converged[idx[small]] = True
        active[idx[small | stuck]] = False
    return fs, converged, iters


def _newton_or_scoring(st: Structure, fs: FitState, hess: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Solve with the Hessian where it is positive definite, else with the information."""
    out = np.full(g.shape, np.nan)
    _, pd_ = _cholesky(hess)
    if pd_.all():
        return np.linalg.solve(hess, g[:, :, None])[:, :, 0]
    if pd_.any():
        out[pd_] = np.linalg.solve(hess[pd_], g[pd_][:, :, None])[:, :, 0]
    rest = np.flatnonzero(~pd_)
    info = information(st, _take(fs, rest))
    try:
        out[rest] = np.linalg.solve(info, g[rest][:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        for j, i in enumerate(rest):
            out[i] = _safe_solve(info[j], g[i])
    return out


def _safe_solve(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(h, g)
    except np.linalg.LinAlgError:
        return np.full_like(g, np.nan)


def _take(fs: FitState, idx: np.ndarray) -> FitState:
    return FitState(*(getattr(fs, name)[idx] for name in FitState.__dataclass_fields__))


def _put(fs: FitState, idx: np.ndarray, part: FitState) -> None:
    for name in FitState.__dataclass_fields__:
        getattr(fs, name)[idx] = getattr(part, name)
