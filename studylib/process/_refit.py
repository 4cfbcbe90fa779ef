"""What the bootstrap does with each chunk of resamples: moments for OLS, Newton for logistic.

:class:`Refits` is handed every chunk of case counts C (resamples x cases) as it is drawn.
For the OLS equations it keeps ``C @ P``, the count-weighted sums of the products of model
columns the normal equations need (P, n x q, built once); for a logistic equation it runs
the stacked Newton iteration of :func:`studylib.process.logistic.newton_resamples` on the
chunk; for standardized effects it keeps the sums that give each resample's SD of X and Y.
After all chunks, :meth:`Refits.solve` turns the moments into coefficients.
"""

from __future__ import annotations

import numpy as np

from ._batch import solve_spd
from .logistic import newton_resamples, product_pairs

__all__ = ["Refits"]


class Refits:
    """Per-chunk refits of every equation.

    Parameters
    ----------
    G : (n, q) array
        The model columns.
    const : int
        The column of G that is the constant 1.
    equations : list of (predictor columns, outcome column)
        OLS equations (refitted from moments).
    sd_columns : tuple of int
        Columns whose SD each resample needs (standardized effects).
    logistic : list of (predictor columns, outcome column, start coefficients)
        Logistic equations (refitted by Newton steps from the full-data estimates).
    """

    def __init__(self, G: np.ndarray, const: int, equations: list[tuple[list[int], int]],
                 sd_columns: tuple[int, ...] = (), logistic: list[tuple[list[int], int, np.ndarray]] = ()):
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
        self.PT = np.ascontiguousarray(self.P.T)
        # sums of (g - shift) and (g - shift)² of the columns whose SD each resample needs,
        # kept apart from P so that the OLS moments do not depend on whether SDs are asked for
        self.ST = np.ascontiguousarray(np.vstack([Gs[:, j] ** e for j in sd_columns for e in (1, 2)])) \
            if sd_columns else None
        self.logistic = []
        for pred, out, start in logistic:
            X = Gs[:, pred]
            ci = pred.index(const)
            X[:, ci] = 1.0
            # the same model in shifted columns: only the constant changes
            b0 = np.array(start, dtype=float)
            b0[ci] += float(np.delete(b0, ci) @ np.delete(shift[pred], ci))
            self.logistic.append((X, G[:, out], b0, product_pairs(X), ci, shift[pred]))
        self.n = n
        self.const = const

    def allocate(self, count: int) -> None:
        """Output arrays for ``count`` resamples."""
        self.T = np.empty((count, self.P.shape[1]))
        self.SD = np.empty((count, self.ST.shape[0])) if self.ST is not None else None
        self.L = [np.empty((count, X.shape[1])) for X, *_ in self.logistic]
        self.failed = np.zeros(count, dtype=bool)

    def __call__(self, counts: np.ndarray, start: int) -> None:
        """Refit the equations on the chunk ``counts`` (k x n): rows ``start`` .. ``start + k``."""
        k = counts.shape[0]
        rows = slice(start, start + k)
        self.T[rows] = np.dot(self.PT, counts.T).T  # np.matmul would hold the GIL
        if self.SD is not None:
            self.SD[rows] = np.dot(self.ST, counts.T).T
        for e, (X, y, b0, pairs, _, _) in enumerate(self.logistic):
            beta, failed = newton_resamples(counts, X, y, b0, pairs)
            self.L[e][rows] = beta
            self.failed[rows] |= failed

    def solve(self) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
        """OLS and logistic coefficients per equation (unshifted), the singular and failed masks."""
        T = self.T
        b = T.shape[0]
        Tt = np.concatenate([T, np.full((b, 1), float(self.n))], axis=1).T.copy()  # column -1 = n
        singular = np.zeros(b, dtype=bool)
        ols = []
        for xx, xy, pred, out in self.layout:
            beta, bad = solve_spd(Tt[xx], Tt[xy])
            beta = beta.T
            ci = pred.index(self.const)
            slopes = np.delete(np.arange(beta.shape[1]), ci)
            shift_pred = self.shift[pred]
            beta[:, ci] += self.shift[out] - beta[:, slopes] @ shift_pred[slopes]
            ols.append(beta)
            singular |= bad
        logit = []
        for e, (_, _, _, _, ci, shift_pred) in enumerate(self.logistic):
            beta = self.L[e].copy()
            beta[:, ci] -= np.delete(beta, ci, axis=1) @ np.delete(shift_pred, ci)
            logit.append(beta)
        return ols, logit, singular, self.failed & ~singular

    def sds(self, rows: np.ndarray) -> np.ndarray:
        """SDs (n - 1 denominator) of the ``sd_columns`` in the resamples ``rows`` (b x k).

        From the count-weighted sums S1 and S2 of the mean-shifted column:
        ``(S2 - S1**2 / n) / (n - 1)``, which does not depend on the shift.
        """
        SD, n = self.SD[rows], self.n
        s1, s2 = SD[:, 0::2], SD[:, 1::2]
        return np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1))
