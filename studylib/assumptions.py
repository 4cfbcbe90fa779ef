"""Assumption checks for factorial ANOVA and a heteroscedasticity-robust alternative.

:func:`levene` tests equal variances across the design cells, :func:`shapiro_residuals`
tests normality of the full model's residuals, and :func:`robust_anova` gives Type III
Wald F tests with a heteroscedasticity-consistent (HC0-HC3) covariance matrix, which stay
valid when the cell variances differ. Nothing here rounds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._factorial import design_matrix, factor_terms, prepare, term_name
from ._validation import check_option
from .errors import DataError, ModelError

__all__ = ["levene", "shapiro_residuals", "robust_anova", "HC_TYPES"]

#: Allowed values of ``hc`` in :func:`robust_anova`.
HC_TYPES = ("HC0", "HC1", "HC2", "HC3")


def levene(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    center: str = "mean",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Levene's test of equal variances across the cells of the design.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`; the groups are all cells (level combinations).
    center : {"mean", "median"}, default "mean"
        Deviations from the cell mean (Levene, 1960; SPSS, jamovi) or from the cell median
        (Brown & Forsythe, 1974; ``car::leveneTest`` default, more robust to skew).
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row with columns ``center``, ``F``, ``df`` (cells - 1), ``df_resid``
        (N - cells) and ``p``; ``attrs`` holds ``n`` and the missing-data report.

    Raises
    ------
    OptionError
        If ``center`` is not ``"mean"`` or ``"median"``.

    See Also
    --------
    studylib.robust_anova : tests that do not assume equal variances.

    Notes
    -----
    A one-way ANOVA on :math:`|y_i - c_{cell(i)}|` with :math:`c` the cell mean or median
    (``scipy.stats.levene``). Validated against jamovi on ToothGrowth (F(5, 54) = 1.940,
    p = .1027, mean-centred; tests/test_assumptions.py).

    References
    ----------
    Brown, M. B., & Forsythe, A. B. (1974). Robust tests for the equality of variances.
    *Journal of the American Statistical Association, 69*(346), 364-367.
    https://doi.org/10.1080/01621459.1974.10482955

    Levene, H. (1960). Robust tests for equality of variances. In I. Olkin (Ed.),
    *Contributions to probability and statistics* (pp. 278-292). Stanford University Press.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 9,
    ...     "reaction": ["none"] * 6 + ["like"] * 6 + ["reply"] * 6,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 3.6, 4.0, 4.4, 3.2, 4.8, 3.5, 4.1, 2.7,
    ...             5.0, 3.0, 5.3, 2.6, 4.2, 3.3],
    ... })
    >>> levene(df, "score", ["tone", "reaction"]).round(4)
      center       F  df  df_resid       p
    0   mean  0.4646   5        12  0.7954
    >>> # R: car::leveneTest(score ~ tone * reaction, df, center = mean)
    """
    check_option(center, "center", ("mean", "median"))
    prep = prepare(data, dv, between, missing=missing, context="levene")
    cell = prep.cell
    groups = [prep.y[cell == c] for c in range(prep.n_cells)]
    res = stats.levene(*groups, center=center)
    table = pd.DataFrame(
        {
            "center": [center],
            "F": [float(res.statistic)],
            "df": [prep.n_cells - 1],
            "df_resid": [prep.n - prep.n_cells],
            "p": [float(res.pvalue)],
        }
    )
    table.attrs.update(prep.missing_report())
    return table


def shapiro_residuals(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Shapiro-Wilk test of normality of the residuals of the full factorial model.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`.
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row with columns ``W``, ``p`` and ``n`` (number of residuals).

    Raises
    ------
    DataError
        With fewer than 3 residuals (the test needs at least 3).

    See Also
    --------
    studylib.anova

    Notes
    -----
    Residuals are :math:`y_i - \\bar y_{cell(i)}`; the test is ``scipy.stats.shapiro``
    (Royston's algorithm, as R's ``shapiro.test``). Validated against jamovi on
    ToothGrowth (W = 0.98499, p = .66942; tests/test_assumptions.py). With large samples
    trivial departures are significant: look at a Q-Q plot too.

    References
    ----------
    Shapiro, S. S., & Wilk, M. B. (1965). An analysis of variance test for normality
    (complete samples). *Biometrika, 52*(3/4), 591-611. https://doi.org/10.2307/2333709

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 9,
    ...     "reaction": ["none"] * 6 + ["like"] * 6 + ["reply"] * 6,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 3.6, 4.0, 4.4, 3.2, 4.8, 3.5, 4.1, 2.7,
    ...             5.0, 3.0, 5.3, 2.6, 4.2, 3.3],
    ... })
    >>> shapiro_residuals(df, "score", ["tone", "reaction"]).round(4)
            W      p   n
    0  0.9384  0.272  18
    >>> # R: shapiro.test(residuals(lm(score ~ tone * reaction, df)))
    """
    prep = prepare(data, dv, between, missing=missing, context="shapiro_residuals")
    resid = prep.residuals()
    if resid.size < 3:
        raise DataError(f"the Shapiro-Wilk test needs at least 3 residuals; got {resid.size}")
    res = stats.shapiro(resid)
    table = pd.DataFrame({"W": [float(res.statistic)], "p": [float(res.pvalue)], "n": [int(resid.size)]})
    table.attrs.update(prep.missing_report())
    return table


def robust_anova(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    hc: str = "HC3",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Type III Wald F tests with a heteroscedasticity-consistent covariance matrix.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`.
    hc : {"HC3", "HC2", "HC1", "HC0"}, default "HC3"
        The sandwich estimator (Long & Ervin, 2000 recommend HC3 for small samples).
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row per term (as :func:`studylib.anova`, no residual row) with columns
        ``term``, ``F``, ``df``, ``df_resid`` and ``p``; ``attrs`` holds ``hc`` and the
        missing-data report.

    Raises
    ------
    ModelError
        With ``HC2``/``HC3`` when a cell holds a single observation (leverage 1: the
        estimator is undefined).
    OptionError
        If ``hc`` is not allowed.

    See Also
    --------
    studylib.anova, studylib.levene

    Notes
    -----
    With sum-to-zero coding, coefficients :math:`\\hat b` and
    :math:`V = (X^\\top X)^{-1} X^\\top \\Omega X (X^\\top X)^{-1}`,
    :math:`\\Omega = \\mathrm{diag}(\\omega_i e_i^2)`, :math:`\\omega_i = 1` (HC0),
    :math:`n/(n-p)` (HC1), :math:`1/(1-h_i)` (HC2), :math:`1/(1-h_i)^2` (HC3), the test of
    term :math:`T` is :math:`F = \\hat b_T^\\top V_{TT}^{-1} \\hat b_T / df_T` on
    :math:`(df_T, n - p)` degrees of freedom, as ``car::Anova(fit, type = 3,
    white.adjust = "hc3")``. Only Type III hypotheses are offered. Cross-checked against
    statsmodels ``OLS(cov_type="HC3").wald_test`` (tests/test_assumptions.py).

    References
    ----------
    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard
    errors in the linear regression model. *The American Statistician, 54*(3), 217-224.
    https://doi.org/10.1080/00031305.2000.10474549

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 9,
    ...     "reaction": ["none"] * 6 + ["like"] * 6 + ["reply"] * 6,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 3.6, 4.0, 4.4, 3.2, 4.8, 3.5, 4.1, 2.7,
    ...             5.0, 3.0, 5.3, 2.6, 4.2, 3.3],
    ... })
    >>> robust_anova(df, "score", ["tone", "reaction"]).round(4)
                   term        F  df  df_resid       p
    0           tone   9.2195   1        12  0.0103
    1          reaction   0.1661   2        12  0.8489
    2  tone:reaction  17.2713   2        12  0.0003
    >>> # R: car::Anova(lm(score ~ tone * reaction, df,
    >>> #      contrasts = list(tone = contr.sum, reaction = contr.sum)),
    >>> #      type = 3, white.adjust = "hc3")
    """
    check_option(hc, "hc", HC_TYPES)
    prep = prepare(data, dv, between, missing=missing, context="robust_anova")
    terms = factor_terms(len(prep.factors))
    X, slices = design_matrix(prep.codes, prep.n_levels, terms)
    n, p = X.shape
    q, r = np.linalg.qr(X)
    b = np.linalg.solve(r, q.T @ prep.y)
    e = prep.y - X @ b
    h = np.sum(q**2, axis=1)
    if hc in ("HC2", "HC3") and np.any(h > 1 - 1e-10):
        raise ModelError(
            f"{hc} is undefined when a cell holds a single observation (leverage 1); "
            "use hc='HC0' or 'HC1', or collect more data in that cell"
        )
    omega = {
        "HC0": e**2,
        "HC1": e**2 * n / (n - p),
        "HC2": e**2 / (1 - h),
        "HC3": e**2 / (1 - h) ** 2,
    }[hc]
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T  # (X'X)^-1
    meat = (X * omega[:, None]).T @ X
    cov = bread @ meat @ bread
    F, df = [], []
    for s in slices:
        bt = b[s]
        F.append(float(bt @ np.linalg.solve(cov[s, s], bt)) / (s.stop - s.start))
        df.append(s.stop - s.start)
    F_arr, df_arr = np.array(F), np.array(df)
    table = pd.DataFrame(
        {
            "term": [term_name(t, prep.factors) for t in terms],
            "F": F_arr,
            "df": df_arr,
            "df_resid": n - p,
            "p": stats.f.sf(F_arr, df_arr, n - p),
        }
    )
    table.attrs.update(prep.missing_report())
    table.attrs["hc"] = hc
    table.attrs["ss_type"] = 3
    return table

