"""Descriptive statistics: per design cell (M, SD, n, CI of the mean), of scale scores with
their intercorrelations (r with a Fisher-z CI), and of items (raw and recoded means).

Everything returns a tidy, unrounded DataFrame; the APA tables are made from these by
:mod:`studylib.report.apa_sample`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._factorial import prepare
from ._validation import check_columns, check_dataframe, check_fraction, check_numeric, check_option
from .errors import DataError

__all__ = ["cell_summary", "variable_summary", "correlations", "item_descriptives", "demographics"]


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


def _numeric_block(data: pd.DataFrame, columns: Sequence[str], context: str) -> pd.DataFrame:
    data = check_dataframe(data)
    if isinstance(columns, str):
        columns = [columns]
    columns = check_columns(data, list(columns), context=context)
    check_numeric(data, columns, context=context)
    block = data[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    inf = np.isinf(block.to_numpy())
    if inf.any():
        j = int(np.nonzero(inf.any(axis=0))[0][0])
        raise DataError(f"column {columns[j]!r} has infinite values ({context}); give finite numbers or NaN")
    return block


def variable_summary(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """n, mean, SD, minimum and maximum of each numeric column (missing values left out).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    columns : sequence of str
        Numeric columns (e.g. the scale scores).

    Returns
    -------
    pandas.DataFrame
        One row per column, in the given order: ``variable``, ``n`` (non-missing),
        ``mean``, ``sd`` (n - 1 denominator), ``min``, ``max``.

    Raises
    ------
    ColumnError, DataError
        A column is absent, not numeric or holds infinite values.

    See Also
    --------
    correlations : their intercorrelations.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, None], "b": [2.0, 4.0, 4.0, 6.0]})
    >>> variable_summary(df, ["a", "b"])
      variable  n  mean        sd  min  max
    0        a  3   2.0  1.000000  1.0  3.0
    1        b  4   4.0  1.632993  2.0  6.0
    >>> # R: psych::describe(df)[, c("n", "mean", "sd", "min", "max")]
    """
    block = _numeric_block(data, columns, "variable summary")
    return pd.DataFrame({
        "variable": list(block.columns),
        "n": block.notna().sum().astype(int).to_numpy(),
        "mean": block.mean().to_numpy(),
        "sd": block.std(ddof=1).to_numpy(),
        "min": block.min().to_numpy(),
        "max": block.max().to_numpy(),
    })


def correlations(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    conf: float = 0.95,
    missing: str = "pairwise",
) -> pd.DataFrame:
    """Pearson correlations of every pair of columns, with Fisher-z CIs and t-test p-values.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    columns : sequence of str
        Numeric columns, at least two.
    conf : float, default 0.95
        Confidence level of the intervals (in ``attrs["conf"]``).
    missing : {"pairwise", "listwise"}, default "pairwise"
        Each pair on the rows where both are answered, or every pair on the rows where all
        columns are.

    Returns
    -------
    pandas.DataFrame
        One row per pair (``var1`` before ``var2`` in the order given): ``var1``, ``var2``,
        ``n``, ``r``, ``ci_low``, ``ci_high``, ``t``, ``df`` (n - 2), ``p`` (two-sided).

    Raises
    ------
    ColumnError, DataError
        A column is absent, not numeric, or a pair has fewer than 4 complete rows.
    OptionError
        ``missing`` or ``conf`` is not allowed.

    Notes
    -----
    :math:`t = r\\sqrt{(n-2)/(1-r^2)}` on :math:`n-2` df, and the interval
    :math:`\\tanh(\\operatorname{atanh}(r) \\pm z_{1-\\alpha/2}/\\sqrt{n-3})`, as R's
    ``cor.test``. Validated against R ``cor.test`` on its documented example
    (tests/test_report_descriptives.py).

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced
    from a small sample. *Metron, 1*, 3-32.

    Examples
    --------
    >>> x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
    >>> y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
    >>> correlations(pd.DataFrame({"x": x, "y": y}), ["x", "y"]).round(4)
      var1 var2  n       r  ci_low  ci_high       t  df       p
    0    x    y  9  0.5712 -0.1497   0.8956  1.8411   7  0.1082
    >>> # R: cor.test(x, y)
    """
    conf = check_fraction(conf, "conf")
    check_option(missing, "missing", ("pairwise", "listwise"))
    block = _numeric_block(data, columns, "correlations")
    if block.shape[1] < 2:
        raise DataError(f"correlations need at least two columns; got {list(block.columns)}")
    if missing == "listwise":
        block = block.dropna()
    z_crit = stats.norm.ppf(0.5 + conf / 2)
    rows = []
    names = list(block.columns)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pair = block[[a, b]].dropna()
            n = len(pair)
            if n < 4:
                raise DataError(f"correlation of {a!r} and {b!r}: {n} complete rows; at least 4 are needed")
            r = float(np.corrcoef(pair[a], pair[b])[0, 1])
            df = n - 2
            with np.errstate(divide="ignore"):
                t = r * np.sqrt(df / (1 - r * r)) if abs(r) < 1 else np.sign(r) * np.inf
                z = np.arctanh(r)
            half = z_crit / np.sqrt(n - 3)
            rows.append({"var1": a, "var2": b, "n": n, "r": r, "ci_low": float(np.tanh(z - half)),
                         "ci_high": float(np.tanh(z + half)), "t": float(t), "df": df,
                         "p": float(2 * stats.t.sf(abs(t), df))})
    out = pd.DataFrame(rows, columns=["var1", "var2", "n", "r", "ci_low", "ci_high", "t", "df", "p"])
    out.attrs["conf"] = conf
    out.attrs["missing"] = missing
    return out


def item_descriptives(data: pd.DataFrame, scale: object) -> pd.DataFrame:
    """Means and SDs of a scale's items as answered (raw) and as scored (reverse-keyed recoded).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the scale's item columns (raw answers).
    scale : Scale, str or mapping
        The scale (a Scale, a scale id, a YAML path or a definition dict).

    Returns
    -------
    pandas.DataFrame
        One row per item in questionnaire order: ``item``, ``reversed`` (bool), ``n``,
        ``raw_mean``, ``raw_sd`` (the answers as given), ``mean``, ``sd`` (after recoding a
        reverse-keyed answer :math:`x` to :math:`\\max + \\min - x`; equal to the raw values
        for the other items).

    Raises
    ------
    ColumnError, DataError
        An item is absent, not numeric or outside the scale's declared range.

    Notes
    -----
    SPSS and most item analyses show the raw mean of a reverse-keyed item; the reliability
    statistics (:func:`studylib.reliability`) use the recoded answers. Both are here so a
    table can show what respondents answered and what entered the score.

    Examples
    --------
    >>> from studylib import Scale
    >>> s = Scale.from_dict({"id": "x", "items": ["a", "-b"], "min": 1, "max": 5})
    >>> item_descriptives(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, None]}), s)
      item  reversed  n  raw_mean    raw_sd  mean        sd
    0    a     False  3       2.0  1.000000   2.0  1.000000
    1    b      True  2       1.5  0.707107   4.5  0.707107
    >>> # R: psych::describe(df); psych::reverse.code(c(1, -1), df, mini = 1, maxi = 5)
    """
    from .scoring import _one_scale, item_matrix

    scale = _one_scale(scale)
    answers = pd.DataFrame(item_matrix(data, scale), columns=list(scale.items))
    n = answers.notna().sum().to_numpy()
    raw_mean = answers.mean().to_numpy()
    raw_sd = answers.std(ddof=1).to_numpy()
    reversed_ = np.array([i in scale.reverse for i in scale.items])
    mean = np.where(reversed_, scale.max + scale.min - raw_mean, raw_mean)
    return pd.DataFrame({"item": list(scale.items), "reversed": reversed_, "n": n.astype(int),
                         "raw_mean": raw_mean, "raw_sd": raw_sd, "mean": mean, "sd": raw_sd})


def demographics(data: pd.DataFrame, study: object) -> pd.DataFrame:
    """The demographics a study file declares, per design cell and in total.

    Parameters
    ----------
    data : pandas.DataFrame
        Analysis-ready frame with the study's factors and demographic columns.
    study : studylib.study.Study
        Its ``demographics`` (coded columns: ``codes``; numeric: none) and ``factors``.

    Returns
    -------
    pandas.DataFrame
        One row per design cell (first factor slowest) plus a ``total`` row: one column per
        factor, ``n``; per numeric demographic ``<item>_mean``, ``<item>_sd`` and
        ``<item>_n`` (answered); per coded demographic and code ``<item>_<code>_n`` (count)
        and ``<item>_<code>_pct`` (percent of the cell's answered values), then
        ``<item>_missing``. ``attrs["demographics"]`` maps each item to its label and codes.
        With no demographics declared: only the factors and ``n``.

    Raises
    ------
    ColumnError
        A factor or demographic column is not in ``data``.
    DataError
        A demographic column is not numeric.

    Examples
    --------
    >>> from studylib import load_study
    >>> study = load_study("analyses/study.yaml")
    >>> d = pd.DataFrame({"valence": ["negative", "negative", "positive"],
    ...                   "response": ["none", "none", "none"], "age": [20, 22, 25],
    ...                   "gender": [1, 2, 1], "follower": [1, 1, 0]})
    >>> demographics(d, study)[["valence", "n", "age_mean", "gender_1_n", "gender_1_pct"]]
        valence  n   age_mean  gender_1_n  gender_1_pct
    0  negative  2  21.000000           1     50.000000
    1  positive  1  25.000000           1    100.000000
    2     total  3  22.333333           2     66.666667
    """
    check_dataframe(data)
    factors = [f.name for f in study.factors]
    items = list(study.demographics)
    check_columns(data, factors + [d.item for d in items], context="demographics")
    check_numeric(data, [d.item for d in items], context="demographics")

    def one(frame: pd.DataFrame) -> dict[str, object]:
        row: dict[str, object] = {"n": int(len(frame))}
        for d in items:
            x = pd.to_numeric(frame[d.item]).astype(float)
            answered = x.dropna()
            if d.codes:
                for code in d.codes:
                    hit = int((answered == float(code)).sum())
                    row[f"{d.item}_{code}_n"] = hit
                    row[f"{d.item}_{code}_pct"] = 100.0 * hit / len(answered) if len(answered) else np.nan
            else:
                row[f"{d.item}_mean"] = float(answered.mean()) if len(answered) else np.nan
                row[f"{d.item}_sd"] = float(answered.std(ddof=1)) if len(answered) > 1 else np.nan
                row[f"{d.item}_n"] = int(len(answered))
            row[f"{d.item}_missing"] = int(x.isna().sum())
        return row

    rows = []
    for keys, frame in data.groupby(factors, observed=True, sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append({**{f: str(k) for f, k in zip(factors, keys, strict=True)}, **one(frame)})
    rows.append({**{f: "total" if i == 0 else "" for i, f in enumerate(factors)}, **one(data)})
    out = pd.DataFrame(rows)
    out.attrs["demographics"] = {d.item: {"label": d.display, "codes": {str(k): v for k, v in d.codes.items()}}
                                 for d in items}
    return out
