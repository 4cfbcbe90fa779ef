"""Factorial between-subjects ANOVA: the omnibus table.

:func:`anova` returns a tidy table with Type III (default, sum-to-zero coding), Type II or
Type I sums of squares, F tests, partial eta squared with a noncentral-F confidence
interval, eta squared and omega squared. :class:`FactorialDesign` is the array-level fast
path (one QR decomposition per design, any number of outcome vectors at once) used by the
power simulations. Marginal means, simple effects and pairwise comparisons live in
:mod:`studylib.emmeans`; assumption checks in :mod:`studylib.assumptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._factorial import design_matrix, factor_terms, prepare, term_name
from ._validation import check_fraction, check_option
from .errors import DataError, InputTypeError, ModelError

__all__ = ["anova", "AnovaArrays", "FactorialDesign", "eta2_partial_ci", "ANOVA_COLUMNS"]

#: The columns of :func:`anova`'s table, always in this order.
ANOVA_COLUMNS = (
    "term",
    "ss",
    "df",
    "ms",
    "F",
    "p",
    "eta2_partial",
    "eta2",
    "omega2",
    "omega2_partial",
    "eta2_partial_ci_low",
    "eta2_partial_ci_high",
)

_SS_TYPES = (1, 2, 3)


class AnovaArrays(NamedTuple):
    """Result of :meth:`FactorialDesign.fit`: plain arrays, nothing rounded.

    ``ss``, ``F`` and ``p`` have shape ``(n_terms,)`` for one outcome vector and
    ``(n_terms, m)`` for ``m`` outcome columns; ``ss_resid`` is a float or ``(m,)``.
    """

    terms: tuple[str, ...]
    ss: np.ndarray
    df: np.ndarray
    F: np.ndarray
    p: np.ndarray
    ss_resid: Any
    df_resid: int


class FactorialDesign:
    """A full-factorial between-subjects design, decomposed once for fast refitting.

    Parameters
    ----------
    codes : array of int, shape (n, k)
        Level index (0 .. levels-1) of each of the ``k`` factors for each row.
    n_levels : sequence of int, optional
        Number of levels of each factor (default: ``codes.max(axis=0) + 1``).
    ss_type : {3, 2, 1}, default 3
        Type of sums of squares (see :func:`anova`).
    factors : sequence of str, optional
        Factor names used in the term labels (default ``A``, ``B``, ...).

    Raises
    ------
    ModelError
        If a cell is empty (the design is singular) or no residual df is left.

    Notes
    -----
    The model matrix uses sum-to-zero (``contr.sum``) coding. For each term an orthonormal
    basis :math:`W_T` of the part of its columns that is orthogonal to the comparison model
    is computed once (by QR decomposition); then :math:`SS_T = \\lVert W_T^\\top y\\rVert^2`.
    The comparison model is every other term (Type III), every term that does not contain
    :math:`T` (Type II) or every earlier term (Type I, in the order main effects, two-way
    interactions, ...). With sum-to-zero coding the Type III sums of squares equal the
    Wald statistics :math:`\\hat b_T^\\top (X^\\top X)^{-1}_{TT}{}^{-1} \\hat b_T` of
    ``car::Anova(type = 3)``.

    Examples
    --------
    >>> codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 3)
    >>> y = np.array([1.0, 2.0, 3.0, 5.0, 1.5, 2.5, 2.5, 6.0, 0.5, 2.0, 3.5, 5.5])
    >>> fit = FactorialDesign(codes, factors=["a", "b"]).fit(y)
    >>> fit.terms
    ('a', 'b', 'a:b')
    >>> fit.F
    array([102.4,  48.4,   6.4])
    >>> # from a DataFrame with Categorical factors: codes = df[["tone", "reaction"]]
    >>> # .apply(lambda s: s.cat.codes).to_numpy()
    >>> Y = np.column_stack([y, 2 * y, y[::-1]])   # many outcomes at once (simulations)
    >>> FactorialDesign(codes).fit(Y).F.shape      # (terms, outcomes)
    (3, 3)
    """

    def __init__(
        self,
        codes: Any,
        n_levels: Sequence[int] | None = None,
        *,
        ss_type: int = 3,
        factors: Sequence[str] | None = None,
    ) -> None:
        ss_type = check_option(ss_type, "ss_type", _SS_TYPES)
        codes = np.asarray(codes)
        if codes.ndim == 1:
            codes = codes[:, None]
        if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
            raise InputTypeError("codes must be a 2-D array of integer level indices (rows x factors)")
        k = codes.shape[1]
        if n_levels is None:
            n_levels = tuple(int(v) + 1 for v in codes.max(axis=0))
        n_levels = tuple(int(v) for v in n_levels)
        if len(n_levels) != k or any(m < 2 for m in n_levels):
            raise ModelError(f"n_levels must give >= 2 levels for each of the {k} factors; got {n_levels}")
        if codes.min() < 0 or (codes >= np.array(n_levels)).any():
            raise ModelError("codes must lie in 0 .. n_levels - 1")
        if factors is None:
            factors = [chr(ord("A") + j) for j in range(k)]
        if len(factors) != k:
            raise InputTypeError(f"factors must name the {k} columns of codes; got {list(factors)}")
        self.factors = tuple(factors)
        self.n_levels = n_levels
        self.ss_type = ss_type
        self.n = codes.shape[0]
        terms = factor_terms(k)
        self._terms = terms
        self.terms = tuple(term_name(t, self.factors) for t in terms)
        X, slices = design_matrix(codes, n_levels, terms)
        self.df = np.array([s.stop - s.start for s in slices], dtype=float)
        p = X.shape[1]
        self.df_resid = self.n - p
        if self.df_resid < 1:
            raise ModelError(f"no residual degrees of freedom: n = {self.n}, parameters = {p}")
        q_full, r_full = np.linalg.qr(X)
        if np.min(np.abs(np.diag(r_full))) <= 1e-10 * np.max(np.abs(np.diag(r_full))):
            raise ModelError("the design is singular: at least one cell of the design is empty")
        self._q_full = q_full
        bases = []
        for i, term in enumerate(terms):
            if ss_type == 3:
                others = [j for j in range(len(terms)) if j != i]
            elif ss_type == 2:
                others = [j for j, t in enumerate(terms) if not set(term) <= set(t)]
            else:
                others = list(range(i))
            cols = [0] + [c for j in others for c in range(slices[j].start, slices[j].stop)]
            own = list(range(slices[i].start, slices[i].stop))
            q, _ = np.linalg.qr(X[:, cols + own])
            bases.append(q[:, len(cols):])
        self._bases = bases

    def fit(self, y: Any) -> AnovaArrays:
        """Sums of squares and F tests for outcome ``y`` of shape ``(n,)`` or ``(n, m)``."""
        y = np.asarray(y, dtype=float)
        if y.shape[0] != self.n or y.ndim > 2:
            raise InputTypeError(f"y must have shape ({self.n},) or ({self.n}, m); got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise DataError("y has missing or infinite values; drop those rows before building the design")
        resid = y - self._q_full @ (self._q_full.T @ y)
        ss_resid = np.sum(resid**2, axis=0)
        ss = np.stack([np.sum((w.T @ y) ** 2, axis=0) for w in self._bases])
        df = self.df if y.ndim == 1 else self.df[:, None]
        mse = ss_resid / self.df_resid
        with np.errstate(divide="ignore", invalid="ignore"):
            F = (ss / df) / mse
        p = stats.f.sf(F, df, self.df_resid)
        return AnovaArrays(self.terms, ss, self.df.copy(), F, p, ss_resid, self.df_resid)


def eta2_partial_ci(F: float, df: float, df_resid: float, *, conf: float = 0.90) -> tuple[float, float]:
    """Confidence interval of partial eta squared by inverting the noncentral F.

    Parameters
    ----------
    F : float
        Observed F statistic.
    df, df_resid : float
        Numerator and denominator degrees of freedom.
    conf : float, default 0.90
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of float
        NaN for a missing or negative ``F``.

    Raises
    ------
    OptionError
        If ``conf`` is not strictly between 0 and 1.

    See Also
    --------
    studylib.anova : reports this interval in ``eta2_partial_ci_low``/``_high``.

    Notes
    -----
    The limits :math:`\\lambda_L, \\lambda_U` of the noncentrality parameter solve
    :math:`P(F' \\le F_{obs}; df, df_{resid}, \\lambda) = 1 - \\alpha/2` and
    :math:`\\alpha/2` (a limit is 0 when no positive :math:`\\lambda` reaches it); they are
    mapped to :math:`\\lambda / (\\lambda + df + df_{resid} + 1)` as in MBESS and
    effectsize (Steiger, 2004).

    Validated against the published 90% intervals of Smithson (2001) and Fidler & Thompson
    (2001) that R apaTables tests with (tests/test_anova.py).

    References
    ----------
    Smithson, M. (2001). Correct confidence intervals for various regression effect sizes
    and parameters. *Educational and Psychological Measurement, 61*(4), 605-632.
    https://doi.org/10.1177/00131640121971392

    Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests
    of close fit in the analysis of variance and contrast analysis. *Psychological
    Methods, 9*(2), 164-182. https://doi.org/10.1037/1082-989X.9.2.164

    Examples
    --------
    >>> low, high = eta2_partial_ci(15.572, 1, 54)
    >>> round(low, 3), round(high, 3)
    (0.078, 0.366)
    >>> # R: effectsize::F_to_eta2(15.572, 1, 54, ci = 0.90, alternative = "two.sided")
    """
    conf = check_fraction(conf, "conf")
    alpha = 1.0 - conf
    if not np.isfinite(F) or F < 0:
        return (np.nan, np.nan)

    def limit(target: float) -> float:
        def f(lam: float) -> float:
            return special.ncfdtr(df, df_resid, lam, F) - target

        if f(0.0) <= 0:
            return 0.0
        hi = max(10.0, 2.0 * F * df)
        while (value := f(hi)) > 0 and hi < 1e12:
            hi *= 2.0
        if not value < 0:  # the noncentral F cannot be evaluated that far out
            return np.nan
        return optimize.brentq(f, 0.0, hi, xtol=1e-10, rtol=1e-12)

    denom = df + df_resid + 1.0
    lam_low, lam_high = limit(1.0 - alpha / 2.0), limit(alpha / 2.0)
    return (lam_low / (lam_low + denom), lam_high / (lam_high + denom))


def anova(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    ss_type: int = 3,
    conf: float = 0.90,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Factorial between-subjects ANOVA (Type III sums of squares by default).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str
        Numeric outcome column.
    between : str or list of str
        Factor column(s). Levels are the categories of a pandas Categorical (in their
        order) or the sorted unique values; numbers are treated as labels. All
        interactions are included (full factorial).
    ss_type : {3, 2, 1}, default 3
        Type III (each term adjusted for all others, sum-to-zero coding, as SPSS, jamovi,
        afex and ``car::Anova(type = 3)`` with ``contr.sum``), Type II (each term adjusted
        for all terms that do not contain it, ``car::Anova(type = 2)``) or Type I
        (sequential in the order main effects, then interactions, factors as listed in
        ``between``; R's ``anova()``). In balanced designs the three agree.
    conf : float, default 0.90
        Confidence level of the interval for partial eta squared. 90% is the convention
        (Steiger, 2004; Lakens, 2013): its lower limit excludes 0 exactly when the
        F test is significant at alpha = .05. Stored in ``attrs["conf"]``.
    missing : {"listwise", "raise"}, default "listwise"
        Rows with a missing dv or factor value are dropped (with a warning; the number
        and row labels are in ``attrs``) or raise a :class:`~studylib.DataError`.

    Returns
    -------
    pandas.DataFrame
        One row per term (main effects, then interactions) and a final ``Residual`` row,
        with columns:

        - ``term``: factor name or ``a:b`` interaction, or ``Residual``
        - ``ss``, ``df``, ``ms``: sum of squares, degrees of freedom, mean square
        - ``F``, ``p``: F statistic (term MS / residual MS) and its p-value
        - ``eta2_partial``: :math:`SS_T / (SS_T + SS_{res})`
        - ``eta2``: :math:`SS_T / SS_{total}`
        - ``omega2``: :math:`(SS_T - df_T MS_{res}) / (SS_{total} + MS_{res})`
        - ``omega2_partial``: :math:`(SS_T - df_T MS_{res}) / (SS_T + (N - df_T) MS_{res})`
        - ``eta2_partial_ci_low``, ``eta2_partial_ci_high``: noncentral-F interval
          (see :func:`eta2_partial_ci`)

        Effect-size and test columns are NaN in the ``Residual`` row. ``attrs`` holds
        ``dv``, ``between``, ``levels``, ``cell_n``, ``n`` (rows used), ``n_dropped``,
        ``dropped_rows``, ``missing``, ``ss_type``, ``coding``, ``conf``.

    Raises
    ------
    ColumnError
        If ``dv`` or a factor is not a column.
    DataError
        If ``dv`` is not numeric, a factor has fewer than 2 levels, a design cell is
        empty, or (``missing="raise"``) a value is missing.
    ModelError
        If no residual degree of freedom is left.
    OptionError
        If ``ss_type``, ``conf`` or ``missing`` is not allowed.

    See Also
    --------
    studylib.emmeans : estimated marginal means.
    studylib.simple_effects, studylib.pairwise : probing an interaction.
    studylib.levene, studylib.shapiro_residuals, studylib.robust_anova : assumptions.

    Notes
    -----
    :math:`SS_{total} = \\sum (y - \\bar y)^2` over the rows used. With unbalanced cells
    and Type III the term SS do not add up to it. Omega squared (Olejnik & Algina, 2003)
    can be negative when F < 1; it is not truncated. ``omega2`` is the classical
    (non-partial) omega squared that jamovi reports; ``omega2_partial`` the partial one of
    effectsize's ``omega_squared(partial = TRUE)``.

    Validated against jamovi (ToothGrowth, balanced) and R ``car::Anova`` with
    ``contr.sum`` (unbalanced kidney data, Type III and II): tests/reference/anova/.

    References
    ----------
    Fox, J., & Weisberg, S. (2019). *An R companion to applied regression* (3rd ed.). Sage.

    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science. *Frontiers in Psychology, 4*, 863. https://doi.org/10.3389/fpsyg.2013.00863

    Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared statistics.
    *Psychological Methods, 8*(4), 434-447. https://doi.org/10.1037/1082-989X.8.4.434

    Steiger, J. H. (2004). Beyond the F test. *Psychological Methods, 9*(2), 164-182.
    https://doi.org/10.1037/1082-989X.9.2.164

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 6,
    ...     "reaction": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> tab = anova(df, "score", ["tone", "reaction"])
    >>> tab[["term", "ss", "df", "F", "p", "eta2_partial"]].round(4)
                   term      ss   df        F       p  eta2_partial
    0           tone  1.6133  1.0  27.6571  0.0019        0.8217
    1          reaction  0.2017  2.0   1.7286  0.2554        0.3656
    2  tone:reaction  7.4317  2.0  63.7000  0.0001        0.9550
    3          Residual  0.3500  6.0      NaN     NaN           NaN
    >>> tab.attrs["n"], tab.attrs["conf"]
    (12, 0.9)
    >>> # R: options(contrasts = c("contr.sum", "contr.poly"))
    >>> # R: car::Anova(lm(score ~ tone * reaction, df), type = 3)
    """
    ss_type = check_option(ss_type, "ss_type", _SS_TYPES)
    conf = check_fraction(conf, "conf")
    prep = prepare(data, dv, between, missing=missing, context="anova")
    design = FactorialDesign(prep.codes, prep.n_levels, ss_type=ss_type, factors=prep.factors)
    fit = design.fit(prep.y)
    return _table(fit, prep.y, conf=conf, meta={**prep.meta(), "ss_type": ss_type})


def _table(fit: AnovaArrays, y: np.ndarray, *, conf: float, meta: dict[str, Any]) -> pd.DataFrame:
    n = y.shape[0]
    ss, df = np.asarray(fit.ss, dtype=float), np.asarray(fit.df, dtype=float)
    sse, dfe = float(fit.ss_resid), float(fit.df_resid)
    mse = sse / dfe
    sst = float(np.sum((y - y.mean()) ** 2))
    if not np.isfinite(mse) or sse <= 1e-24 * float(np.sum(y**2)):
        raise ModelError("the residual variance is zero: every observation equals its cell mean")
    ci = [eta2_partial_ci(F, d, dfe, conf=conf) for F, d in zip(fit.F, df, strict=True)]
    table = pd.DataFrame(
        {
            "term": list(fit.terms) + ["Residual"],
            "ss": np.append(ss, sse),
            "df": np.append(df, dfe),
            "ms": np.append(ss / df, mse),
            "F": np.append(fit.F, np.nan),
            "p": np.append(fit.p, np.nan),
            "eta2_partial": np.append(ss / (ss + sse), np.nan),
            "eta2": np.append(ss / sst, np.nan),
            "omega2": np.append((ss - df * mse) / (sst + mse), np.nan),
            "omega2_partial": np.append((ss - df * mse) / (ss + (n - df) * mse), np.nan),
            "eta2_partial_ci_low": np.append([c[0] for c in ci], np.nan),
            "eta2_partial_ci_high": np.append([c[1] for c in ci], np.nan),
        },
        columns=list(ANOVA_COLUMNS),
    )
    table.attrs.update(meta)
    table.attrs["coding"] = "sum-to-zero (contr.sum)"
    table.attrs["conf"] = conf
    return table
