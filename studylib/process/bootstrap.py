"""One bootstrap engine for every quantity of a fitted model.

All equations are refitted on the same B resamples of cases. A resample is represented by
its vector of case counts c (how often each case was drawn), so that every equation's
normal equations are sums over cases weighted by c: with the n x q matrix P of the products
of model columns that the equations need, one matrix product ``C @ P`` (resamples x
products) gives every resample's X'X and X'y at once. Resamples are processed in chunks so
memory stays bounded (about 100 MB of working arrays whatever n and B), and the small
systems are solved as one batch.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..errors import ModelError

__all__ = ["BootstrapDraws", "resample_coefficients", "percentile_ci", "bc_ci"]

@functools.cache
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


def single_threaded_blas():
    """Keep BLAS to one thread in the resampling loop.

    Its matrix products are small and interleaved with random draws and counting; idle
    OpenBLAS worker threads spin and took the CPU from that work (measured on 2 cores:
    31 ms with 2 BLAS threads, 11 ms with 1, for n = 300 and B = 5000).
    """
    ctl = _blas_controller()
    return ctl.limit(limits=1, user_api="blas") if ctl is not None else contextlib.nullcontext()


_CHUNK_ELEMENTS = 262_144  # resamples x cases per chunk: a 2 MB count buffer stays in L2 cache
_BINCOUNT_ELEMENTS = 65_536  # cases counted per bincount call (measured best on 2 cores)


@dataclass(frozen=True)
class BootstrapDraws:
    """Bootstrap replicates kept on a result.

    Attributes
    ----------
    B : int
        Number of resamples used (singular resamples were replaced).
    ci : str
        ``"percentile"`` or ``"bc"`` (bias-corrected).
    conf : float
        Confidence level of the intervals.
    n_replaced : int
        Resamples with a singular design that were discarded and replaced by new draws.
    coefficients : dict of str to ndarray
        Per equation (same names as ``.coefficients['equation']``), a (B, p) array of the
        coefficients in the order of that equation's terms.
    indirect, index, contrasts : ndarray
        (B, rows) arrays aligned with the rows of the result's tables of the same names.
    """

    B: int
    ci: str
    conf: float
    n_replaced: int
    coefficients: dict = field(repr=False)
    indirect: np.ndarray = field(repr=False)
    index: np.ndarray = field(repr=False)
    contrasts: np.ndarray = field(repr=False)


def percentile_ci(draws: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column of ``draws`` (numpy's linear quantiles)."""
    a = (1 - conf) / 2
    lo, hi = np.quantile(draws, [a, 1 - a], axis=0)
    return lo, hi


def bc_ci(draws: np.ndarray, estimate: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected percentile interval (Efron, 1987) of each column of ``draws``."""
    B = draws.shape[0]
    below = (draws < estimate).sum(axis=0) + 0.5 * (draws == estimate).sum(axis=0)
    prop = np.clip(below / B, 0.5 / B, 1 - 0.5 / B)
    z0 = stats.norm.ppf(prop)
    zc = stats.norm.ppf(0.5 + conf / 2)
    p_lo = stats.norm.cdf(2 * z0 - zc)
    p_hi = stats.norm.cdf(2 * z0 + zc)
    lo = np.empty(draws.shape[1])
    hi = np.empty(draws.shape[1])
    for j in range(draws.shape[1]):
        lo[j], hi[j] = np.quantile(draws[:, j], [p_lo[j], p_hi[j]])
    return lo, hi


class _Moments:
    """The product columns the equations need and how to assemble X'X, X'y from them."""

    def __init__(self, G: np.ndarray, const: int, equations: list[tuple[list[int], int]]):
        n, q = G.shape
        # shift continuous columns by their mean (better conditioned sums); keep
        # coded/dichotomous columns as they are so that products of them stay identical
        shift = np.zeros(q)
        for j in range(q):
            if j != const and np.unique(G[: min(n, 2000), j]).size > 3:
                shift[j] = G[:, j].mean()
        self.shift = shift
        Gs = G - shift
        cols: dict[bytes, int] = {}
        prods: list[np.ndarray] = []
        self.layout = []  # per equation: (index array p x p, index array p) into moments
        pair_col: dict[tuple[int, int], int] = {}

        def col_of(i: int, j: int) -> int:
            key = (min(i, j), max(i, j))
            if key in pair_col:
                return pair_col[key]
            if key == (const, const):
                pair_col[key] = -1  # the count n, known
                return -1
            if i == const or j == const:
                v = Gs[:, j if i == const else i]
            else:
                v = Gs[:, i] * Gs[:, j]
            h = v.tobytes()
            if h not in cols:
                cols[h] = len(prods)
                prods.append(v)
            pair_col[key] = cols[h]
            return cols[h]

        for pred, out in equations:
            xx = np.array([[col_of(i, j) for j in pred] for i in pred])
            xy = np.array([col_of(i, out) for i in pred])
            self.layout.append((xx, xy, pred, out))
        self.P = np.column_stack(prods) if prods else np.zeros((n, 0))
        self.n = n

    def solve(self, T: np.ndarray) -> tuple[list[tuple], np.ndarray]:
        """Coefficients per equation from moments ``T`` (b x products); singular mask."""
        b = T.shape[0]
        Tt = np.concatenate([T, np.full((b, 1), float(self.n))], axis=1).T.copy()  # column -1 = n
        singular = np.zeros(b, dtype=bool)
        coefs = []
        for xx, xy, pred, out in self.layout:
            beta, bad = _solve_spd(Tt[xx], Tt[xy])
            coefs.append((beta.T, self.shift[pred], self.shift[out]))
            singular |= bad
        return coefs, singular


_PIVOT_TOL = 1e-10  # a column whose R² on the columns before it exceeds 1 - 1e-10 is collinear


def _solve_spd(A: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve a batch of normal equations ``A x = r`` by a vectorised Cholesky factorisation.

    The batch is the last axis: ``A`` is (p, p, b) and ``r`` (p, b), so that every
    element of the factor is one contiguous vector over the resamples. ``A`` is scaled to
    unit diagonal first, so each pivot is 1 - R² of that column regressed on the earlier
    ones (in that resample): a pivot below ``_PIVOT_TOL`` (or an all-zero column) flags
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
        ok = piv > _PIVOT_TOL
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


def _counts_into(idx: np.ndarray, n: int, out: np.ndarray) -> None:
    """Write case counts (b x n) of resample indices ``idx`` (b x n, int64) into ``out``."""
    b = idx.shape[0]
    rows = _BINCOUNT_ELEMENTS // n
    if rows <= 1:  # large n: one resample per call
        for r in range(b):
            out[r] = np.bincount(idx[r], minlength=n)
        return
    offsets = (np.arange(min(rows, b), dtype=np.int64) * n)[:, None]
    for start in range(0, b, rows):
        stop = min(b, start + rows)
        k = stop - start
        block = idx[start:stop]
        block += offsets[:k]  # idx is a scratch array: shift each resample into its own range
        out[start:stop] = np.bincount(block.ravel(), minlength=k * n).reshape(k, n)


def _resample_moments(stream: np.random.Generator, P: np.ndarray, count: int, buf: np.ndarray) -> np.ndarray:
    """Moments ``C @ P`` of ``count`` fresh resamples, drawn and counted chunk by chunk.

    A case index is ``floor(u * n)`` with ``u`` a 53-bit uniform double (deviation from
    exact uniformity below n / 2**53), which is cheaper than bounded integer draws.
    """
    n = P.shape[0]
    chunk = buf.shape[0]
    T = np.empty((count, P.shape[1]))
    for start in range(0, count, chunk):
        b = min(chunk, count - start)
        u = buf[:b]
        stream.random(out=u)
        u *= n
        idx = u.astype(np.int64)  # bincount counts int64 without a conversion
        _counts_into(idx, n, u)
        np.matmul(u, P, out=T[start : start + b])
    return T


def resample_coefficients(
    G: np.ndarray,
    const: int,
    equations: list[tuple[list[int], int]],
    B: int,
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], int]:
    """Refit every equation on B case resamples.

    Parameters
    ----------
    G : (n, q) array
        All model columns (constant, coded predictors, products, mediators, outcome).
    const : int
        Column of G that is the constant 1.
    equations : list of (predictor columns, outcome column)
        The predictor columns include ``const``.
    B : int
        Number of resamples.
    rng : numpy Generator
        Source of randomness; the resampling indices come from an SFC64 stream seeded
        from it, so the same seed gives bit-identical draws.

    Returns
    -------
    list of (B, p) arrays (one per equation, coefficients in predictor order) and the
    number of singular resamples that were replaced by further draws.
    """
    n = G.shape[0]
    mom = _Moments(G, const, equations)
    stream = np.random.Generator(np.random.SFC64(rng.integers(0, 2**63, size=4)))
    buf = np.empty((max(1, min(B, _CHUNK_ELEMENTS // n)), n))
    out = [np.empty((B, len(pred))) for pred, _ in equations]
    filled = 0
    replaced = 0
    while filled < B:
        b = B - filled
        with single_threaded_blas():
            moments = _resample_moments(stream, mom.P, b, buf)
        coefs, singular = mom.solve(moments)
        good = ~singular
        k = int(good.sum())
        replaced += b - k
        if replaced > max(B, 100) and filled + k < B // 2:
            raise ModelError(
                f"more than {replaced} bootstrap resamples had a singular design (e.g. a "
                "group of a categorical variable was not drawn); the model cannot be "
                "bootstrapped with these data: enlarge the small groups"
            )
        for e, (beta, shift_pred, shift_out) in enumerate(coefs):
            beta = beta[good]
            ci = equations[e][0].index(const)
            slopes = np.delete(np.arange(beta.shape[1]), ci)
            beta[:, ci] += shift_out - beta[:, slopes] @ shift_pred[slopes]
            out[e][filled : filled + k] = beta
        filled += k
    return out, replaced
