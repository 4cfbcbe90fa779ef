"""Descriptive statistics per design cell (M, SD, n, CI of the mean)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._factorial import prepare
from ._validation import check_fraction

__all__ = ["cell_summary"]


def cell_summary(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    conf: float = 0.95,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Mean, SD, n and a t confidence interval of the mean in every cell of the design.

    Parameters
    ----------
    data, dv, between
        As in :func:`studylib.anova`.
    conf : float, default 0.95
        Confidence level (in ``attrs["conf"]``).
    missing : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    pandas.DataFrame
        One row per cell (first factor slowest), with one column per factor (ordered
        Categorical) and ``n``, ``mean``, ``sd`` (n - 1 denominator), ``se`` (sd / sqrt(n)),
        ``ci_low``, ``ci_high`` (:math:`\\bar y \\pm t_{n-1} \\cdot se`, from the cell's own
        variance; NaN when n = 1).

    Raises
    ------
    ColumnError, DataError, ModelError, OptionError
        As :func:`studylib.anova` (unknown columns, non-numeric dv, empty cell, bad
        ``conf`` or ``missing``).

    See Also
    --------
    studylib.emmeans : model-based means with the pooled residual variance.
    studylib.report.figures.interaction_plot : plots these means and intervals.

    Notes
    -----
    For a cell with :math:`n_c` observations, mean :math:`\\bar y_c` and standard deviation
    :math:`s_c`: :math:`SE_c = s_c/\\sqrt{n_c}` and the interval
    :math:`\\bar y_c \\pm t_{1-\\alpha/2,\\,n_c-1}\\,SE_c` with :math:`\\alpha = 1 -` ``conf``.
    Unlike :func:`studylib.emmeans` it uses each cell's own variance, so it stays valid
    when variances differ. Cross-checked against ``scipy.stats.t.interval``
    (tests/test_report_figures.py).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "y": [1.0, 2.0, 3.0, 5.0, 7.0]})
    >>> cell_summary(df, "y", "g").round(3)
       g  n  mean     sd     se  ci_low  ci_high
    0  a  3   2.0  1.000  0.577  -0.484    4.484
    1  b  2   6.0  1.414  1.000  -6.706   18.706
    >>> # R: aggregate(y ~ g, df, function(v) c(mean(v), sd(v), length(v)))
    """
    conf = check_fraction(conf, "conf")
    prep = prepare(data, dv, between, missing=missing, context="cell_summary")
    k = len(prep.factors)
    # order rows with the first factor slowest: sort the flat cells by reversed codes
    cells = prep.cell
    n = np.bincount(cells, minlength=prep.n_cells).astype(float)
    mean = np.bincount(cells, weights=prep.y, minlength=prep.n_cells) / n
    ss = np.bincount(cells, weights=(prep.y - mean[cells]) ** 2, minlength=prep.n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(ss / (n - 1))
        se = sd / np.sqrt(n)
        half = stats.t.ppf(0.5 + conf / 2, n - 1) * se
    labels = prep.cell_labels()
    order = sorted(range(prep.n_cells), key=lambda c: [prep.levels[j].index(labels[c][j]) for j in range(k)])
    cols = {
        f: pd.Categorical([labels[c][j] for c in order], categories=list(prep.levels[j]))
        for j, f in enumerate(prep.factors)
    }
    table = pd.DataFrame(
        {
            **cols,
            "n": n[order].astype(int),
            "mean": mean[order],
            "sd": sd[order],
            "se": se[order],
            "ci_low": (mean - half)[order],
            "ci_high": (mean + half)[order],
        }
    )
    table.attrs.update(prep.missing_report())
    table.attrs["conf"] = conf
    return table
