"""Estimated marginal means, simple effects and pairwise comparisons of a factorial design.

Everything here is computed from the full factorial model (all interactions), so the
standard errors use its residual mean square and residual degrees of freedom, and marginal
means weight the cells equally, as R's emmeans does by default. Nothing here rounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._factorial import Prepared, prepare
from ._validation import check_fraction, check_option
from .errors import ColumnError, InputTypeError

__all__ = ["emmeans", "simple_effects", "pairwise", "ADJUSTMENTS"]

#: Allowed values of ``adjust`` in :func:`pairwise`.
ADJUSTMENTS = ("tukey", "holm", "bonferroni", "none")


class _CellModel:
    """Cell means, their sampling variances and the residual variance of the full model."""

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        self.counts = prep.cell_counts().astype(float)
        self.means = prep.cell_means()
        self.df_resid = prep.df_resid
        self.ss_resid = prep.ss_resid()
        self.mse = self.ss_resid / self.df_resid
        # level index of every flat cell (first factor varying fastest)
        grids = itertools.product(*[range(m) for m in reversed(prep.n_levels)])
        self.cell_codes = np.array([tuple(reversed(g)) for g in grids], dtype=np.intp)

    def weights(self, fixed: dict[int, int]) -> np.ndarray:
        """Equal weights over the cells whose factor ``j`` is at level ``fixed[j]``."""
        match = np.ones(len(self.counts), dtype=bool)
        for j, lv in fixed.items():
            match &= self.cell_codes[:, j] == lv
        return match / match.sum()

    def estimate(self, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimates ``L @ means`` and their covariance matrix."""
        return L @ self.means, self.mse * (L / self.counts) @ L.T


def _factor_indices(prep: Prepared, names: Any, what: str) -> list[int]:
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise InputTypeError(f"{what} must be a factor name or a list of factor names; got {names!r}")
    unknown = [n for n in names if n not in prep.factors]
    if unknown:
        raise ColumnError(
            f"{what} names {unknown}, which are not among the factors in between={list(prep.factors)}"
        )
    if len(set(names)) != len(names):
        raise ColumnError(f"{what} names a factor more than once: {list(names)}")
    return [prep.factors.index(n) for n in names]


def _level_columns(prep: Prepared, idx: Sequence[int], combos: Sequence[tuple[int, ...]]) -> dict[str, Any]:
    """Factor columns (as ordered Categoricals of the levels) for level-index combos."""
    cols = {}
    for pos, j in enumerate(idx):
        levels = list(prep.levels[j])
        values = [levels[c[pos]] for c in combos]
        cols[prep.factors[j]] = pd.Categorical(values, categories=levels)
    return cols


def _combos(prep: Prepared, idx: Sequence[int]) -> list[tuple[int, ...]]:
    return list(itertools.product(*[range(prep.n_levels[j]) for j in idx]))


def _attrs(table: pd.DataFrame, prep: Prepared, **extra: Any) -> pd.DataFrame:
    table.attrs.update(prep.missing_report())
    table.attrs["weights"] = "equal (cells weighted equally, as emmeans)"
    table.attrs.update(extra)
    return table


def emmeans(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    specs: str | Sequence[str] | None = None,
    conf: float = 0.95,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Estimated marginal means (least-squares means) from the full factorial model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str
        Numeric outcome column.
    between : str or list of str
        Factor columns of the model (all interactions included).
    specs : str or list of str, optional
        Factor(s) whose means are wanted, averaged with equal weights over the other
        factors' levels. Default: all factors (the cell means).
    conf : float, default 0.95
        Confidence level of the t intervals (in ``attrs["conf"]``).
    missing : {"listwise", "raise"}, default "listwise"
        As in :func:`studylib.anova`.

    Returns
    -------
    pandas.DataFrame
        One row per level combination of ``specs`` (first factor slowest), with columns:

        - one column per factor in ``specs`` (ordered Categorical of its levels)
        - ``n``: number of observations in the cells averaged
        - ``estimate``: the marginal mean
        - ``se``: its standard error from the residual mean square
        - ``df``: residual degrees of freedom of the full model
        - ``ci_low``, ``ci_high``: t confidence interval

    Raises
    ------
    ColumnError
        If ``specs`` names a factor not in ``between``.
    DataError, ModelError, OptionError
        As :func:`studylib.anova` (bad dv, empty cell, bad option).

    See Also
    --------
    studylib.simple_effects, studylib.pairwise

    Notes
    -----
    For a level :math:`s` of ``specs`` the mean is :math:`\\hat\\mu_s = \\sum_c w_c \\bar y_c`
    with equal weights :math:`w_c = 1/C_s` over the :math:`C_s` cells at that level, and
    :math:`SE = \\sqrt{MS_{res} \\sum_c w_c^2 / n_c}` with :math:`df_{res} = N - \\#cells`.
    With unbalanced cells these differ from raw marginal means. Cross-checked against
    statsmodels OLS linear contrasts (tests/test_emmeans.py).

    References
    ----------
    Searle, S. R., Speed, F. M., & Milliken, G. A. (1980). Population marginal means in
    the linear model: An alternative to least squares means. *The American
    Statistician, 34*(4), 216-221. https://doi.org/10.1080/00031305.1980.10483031

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 6,
    ...     "reaction": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> emmeans(df, "score", ["tone", "reaction"], specs="tone").round(4)
        tone  n  estimate      se  df  ci_low  ci_high
    0  negative  6    4.2500  0.0986   6  4.0087   4.4913
    1  positive  6    3.5167  0.0986   6  3.2754   3.7579
    >>> # R: emmeans::emmeans(lm(score ~ tone * reaction, df), ~ tone)
    """
    conf = check_fraction(conf, "conf")
    prep = prepare(data, dv, between, missing=missing, context="emmeans")
    model = _CellModel(prep)
    idx = _factor_indices(prep, specs, "specs") if specs is not None else list(range(len(prep.factors)))
    combos = _combos(prep, idx)
    L = np.array([model.weights(dict(zip(idx, c, strict=True))) for c in combos])
    est, cov = model.estimate(L)
    se = np.sqrt(np.diag(cov))
    tcrit = stats.t.ppf(0.5 + conf / 2, model.df_resid)
    table = pd.DataFrame(
        {
            **_level_columns(prep, idx, combos),
            "n": ((L > 0) @ model.counts).astype(int),
            "estimate": est,
            "se": se,
            "df": model.df_resid,
            "ci_low": est - tcrit * se,
            "ci_high": est + tcrit * se,
        }
    )
    return _attrs(table, prep, conf=conf, specs=[prep.factors[j] for j in idx])


def simple_effects(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    effect: str,
    by: str | Sequence[str] | None = None,
    missing: str = "listwise",
) -> pd.DataFrame:
    """F tests of the simple effects of one factor within each level of the others.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`.
    effect : str
        The factor whose simple effects are tested.
    by : str or list of str, optional
        Factor(s) within whose level combinations the effect is tested. Default: all other
        factors. Factors in neither ``effect`` nor ``by`` are averaged over with equal
        weights.
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row per level combination of ``by`` with columns:

        - one column per factor in ``by`` (ordered Categorical)
        - ``term``: the name of ``effect``
        - ``ss``: hypothesis sum of squares, ``F * df * MS_res``
        - ``df``, ``df_resid``: numerator (levels - 1) and residual df of the full model
        - ``F``, ``p``: the joint F test that all marginal means of ``effect`` are equal
        - ``eta2_partial``: ``ss / (ss + SS_res)`` (as SPSS reports for simple effects)

    Raises
    ------
    ColumnError
        If ``effect`` or ``by`` names a factor not in ``between`` or ``effect`` is in ``by``.

    See Also
    --------
    studylib.pairwise : the contrasts with t tests, e.g. ``pairwise(..., by="reaction")``.

    Notes
    -----
    With :math:`H` the (levels - 1) consecutive differences of the marginal means of
    ``effect`` at one level combination of ``by`` (a linear function of the cell means
    :math:`\\bar y`), :math:`F = (H\\bar y)^\\top (H D H^\\top)^{-1} (H\\bar y) / (df \\cdot MS_{res})`,
    :math:`D = \\mathrm{diag}(1/n_c)`, using the full model's residual mean square, like
    ``emmeans::joint_tests(fit, by = ...)`` and SPSS ``/EMMEANS ... COMPARE``. No
    multiplicity adjustment is applied across the levels of ``by``. Cross-checked
    against statsmodels ``OLS.f_test`` (tests/test_emmeans.py).

    References
    ----------
    Lenth, R. V. (2024). *emmeans: Estimated marginal means, aka least-squares means*
    (R package). https://CRAN.R-project.org/package=emmeans

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 6,
    ...     "reaction": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> simple_effects(df, "score", ["tone", "reaction"], effect="tone").round(4)
      reaction     term      ss  df  df_resid        F       p  eta2_partial
    0     like  tone  1.5625   1         6  26.7857  0.0021        0.8170
    1     none  tone  1.9600   1         6  33.6000  0.0012        0.8485
    2    reply  tone  5.5225   1         6  94.6714  0.0001        0.9404
    >>> # R: emmeans::joint_tests(lm(score ~ tone * reaction, df), by = "reaction")
    """
    prep = prepare(data, dv, between, missing=missing, context="simple_effects")
    if not isinstance(effect, str):
        raise InputTypeError(f"effect must be one factor name (str); got {effect!r}")
    (e,) = _factor_indices(prep, effect, "effect")
    by_idx = _factor_indices(prep, by, "by") if by is not None else [j for j in range(len(prep.factors)) if j != e]
    if e in by_idx:
        raise ColumnError(f"effect {effect!r} cannot also be in by={by!r}")
    model = _CellModel(prep)
    k = prep.n_levels[e]
    diff = np.eye(k)[:-1] - np.eye(k)[1:]
    combos = _combos(prep, by_idx)
    ss, F, p = [], [], []
    for combo in combos:
        fixed = dict(zip(by_idx, combo, strict=True))
        L = np.array([model.weights({**fixed, e: lv}) for lv in range(k)])
        H = diff @ L
        est = H @ model.means
        cov_unit = (H / model.counts) @ H.T
        ss_h = float(est @ np.linalg.solve(cov_unit, est))
        ss.append(ss_h)
        F.append(ss_h / (k - 1) / model.mse)
        p.append(stats.f.sf(F[-1], k - 1, model.df_resid))
    ss_arr = np.array(ss)
    table = pd.DataFrame(
        {
            **_level_columns(prep, by_idx, combos),
            "term": effect,
            "ss": ss_arr,
            "df": k - 1,
            "df_resid": model.df_resid,
            "F": np.array(F),
            "p": np.array(p),
            "eta2_partial": ss_arr / (ss_arr + model.ss_resid),
        }
    )
    return _attrs(table, prep, effect=effect, by=[prep.factors[j] for j in by_idx])


def _holm(p: np.ndarray) -> np.ndarray:
    m = p.size
    order = np.argsort(p, kind="stable")
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def pairwise(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    effect: str,
    by: str | Sequence[str] | None = None,
    adjust: str = "tukey",
    conf: float = 0.95,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Pairwise comparisons of the marginal means of one factor, with adjusted p and CIs.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`.
    effect : str
        The factor whose levels are compared.
    by : str or list of str, optional
        Compare within each level combination of these factors (simple contrasts). Default
        None: compare the marginal means averaged over all other factors.
    adjust : {"tukey", "holm", "bonferroni", "none"}, default "tukey"
        Multiplicity adjustment within each family (one family per level combination of
        ``by``, as emmeans).
    conf : float, default 0.95
        Confidence level (in ``attrs["conf"]``).
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row per pair (level i before level j in the factor's order) and ``by`` level,
        with columns:

        - one column per factor in ``by`` (ordered Categorical)
        - ``contrast``: ``"<level i> - <level j>"``; ``level1``, ``level2``: the two levels
        - ``estimate``, ``se``, ``t``, ``df``: difference of marginal means, its standard
          error, t ratio, residual df of the full model
        - ``p``: unadjusted two-sided p-value
        - ``p_adj``: adjusted p-value (equals ``p`` with ``adjust="none"``)
        - ``ci_low``, ``ci_high``: simultaneous confidence limits (see Notes)

        ``attrs`` holds ``adjust``, ``ci_adjust`` (the method used for the CI), ``conf``
        and ``family_size``.

    Raises
    ------
    ColumnError
        If ``effect`` or ``by`` names a factor not in ``between``.
    OptionError
        If ``adjust`` or ``conf`` is not allowed.

    See Also
    --------
    studylib.emmeans, studylib.simple_effects

    Notes
    -----
    Tukey (Tukey-Kramer with unequal n): :math:`p = P(Q_{k,df} \\ge \\sqrt 2 |t|)` from the
    studentized range (``scipy.stats.studentized_range``) with :math:`k` the number of
    levels; CI :math:`\\pm q_{1-\\alpha;k,df} SE / \\sqrt 2`. Bonferroni multiplies p by the
    number of pairs :math:`m` and uses :math:`t_{1-\\alpha/(2m)}`. Holm (1979) is a step-down
    adjustment of p-values only, so its CIs are Bonferroni intervals (as emmeans does);
    ``attrs["ci_adjust"]`` says so. Cross-checked against ``scipy.stats.tukey_hsd`` and
    statsmodels OLS ``t_test`` (tests/test_emmeans.py).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics, 6*(2), 65-70.

    Kramer, C. Y. (1956). Extension of multiple range tests to group means with unequal
    numbers of replications. *Biometrics, 12*(3), 307-310. https://doi.org/10.2307/3001469

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 6,
    ...     "reaction": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> out = pairwise(df, "score", ["tone", "reaction"], effect="tone", by="reaction")
    >>> out[["reaction", "contrast", "estimate", "t", "p_adj"]].round(4)
      reaction             contrast  estimate       t   p_adj
    0     like  negative - positive      1.25  5.1755  0.0021
    1     none  negative - positive     -1.40 -5.7966  0.0012
    2    reply  negative - positive      2.35  9.7299  0.0001
    >>> # R: fit <- lm(score ~ tone * reaction, df)
    >>> # R: emmeans::emmeans(fit, pairwise ~ tone | reaction, adjust = "tukey")
    """
    conf = check_fraction(conf, "conf")
    check_option(adjust, "adjust", ADJUSTMENTS)
    prep = prepare(data, dv, between, missing=missing, context="pairwise")
    if not isinstance(effect, str):
        raise InputTypeError(f"effect must be one factor name (str); got {effect!r}")
    (e,) = _factor_indices(prep, effect, "effect")
    by_idx = _factor_indices(prep, by, "by")
    if e in by_idx:
        raise ColumnError(f"effect {effect!r} cannot also be in by={by!r}")
    model = _CellModel(prep)
    k = prep.n_levels[e]
    levels = prep.levels[e]
    pairs = list(itertools.combinations(range(k), 2))
    m = len(pairs)
    dfe = model.df_resid
    alpha = 1.0 - conf
    ci_adjust = "bonferroni" if adjust == "holm" else adjust
    if ci_adjust == "tukey":
        crit = stats.studentized_range.ppf(conf, k, dfe) / np.sqrt(2.0)
    elif ci_adjust == "bonferroni":
        crit = stats.t.ppf(1.0 - alpha / (2.0 * m), dfe)
    else:
        crit = stats.t.ppf(1.0 - alpha / 2.0, dfe)

    rows: list[dict[str, Any]] = []
    combos = _combos(prep, by_idx)
    for combo in combos:
        fixed = dict(zip(by_idx, combo, strict=True))
        L = np.array([model.weights({**fixed, e: lv}) for lv in range(k)])
        C = np.array([L[i] - L[j] for i, j in pairs])
        est, cov = model.estimate(C)
        se = np.sqrt(np.diag(cov))
        t = est / se
        p = 2.0 * stats.t.sf(np.abs(t), dfe)
        if adjust == "tukey":
            p_adj = stats.studentized_range.sf(np.abs(t) * np.sqrt(2.0), k, dfe)
            p_adj = np.where(k == 2, p, np.minimum(p_adj, 1.0))
        elif adjust == "bonferroni":
            p_adj = np.minimum(p * m, 1.0)
        elif adjust == "holm":
            p_adj = _holm(p)
        else:
            p_adj = p
        for r, (i, j) in enumerate(pairs):
            rows.append(
                {
                    "_combo": combo,
                    "contrast": f"{levels[i]} - {levels[j]}",
                    "level1": levels[i],
                    "level2": levels[j],
                    "estimate": est[r],
                    "se": se[r],
                    "t": t[r],
                    "df": dfe,
                    "p": p[r],
                    "p_adj": p_adj[r],
                    "ci_low": est[r] - crit * se[r],
                    "ci_high": est[r] + crit * se[r],
                }
            )
    body = pd.DataFrame(rows)
    level_cols = pd.DataFrame(_level_columns(prep, by_idx, list(body.pop("_combo"))))
    table = pd.concat([level_cols, body], axis=1)
    return _attrs(
        table,
        prep,
        effect=effect,
        by=[prep.factors[j] for j in by_idx],
        adjust=adjust,
        ci_adjust=ci_adjust,
        conf=conf,
        family_size=m,
    )
