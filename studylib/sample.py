"""The sample: characteristics per design cell (n and %, M and SD) and randomization checks.

Which columns are demographics, and what their codes mean, is the study's to say (the
study file's demographics block, or the caller): nothing here knows a column name. Both
functions return tidy, unrounded DataFrames; :mod:`studylib.report.apa_sample` makes the
APA tables ("Table 1") from them.

Examples
--------
>>> import pandas as pd
>>> from studylib.sample import sample_characteristics, randomization_checks
>>> d = pd.DataFrame({"cond": ["a", "a", "b", "b", "b"], "sex": [1, 2, 1, 1, None],
...                   "age": [20, 22, 25, 21, 23]})
>>> chars = sample_characteristics(d, by="cond", categorical={"sex": {1: "Women", 2: "Men"}},
...                                numeric=["age"])
>>> chars[chars["cond"] == "b"][["variable", "level", "n", "percent", "mean"]]
  variable    level  n    percent  mean
4                    3        NaN   NaN
5      sex    Women  2  66.666667   NaN
6      sex      Men  0   0.000000   NaN
7      sex  Missing  1  33.333333   NaN
8      age           3        NaN  23.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import check_columns, check_dataframe, check_numeric
from .errors import DataError, InputTypeError

__all__ = ["sample_characteristics", "randomization_checks", "CHARACTERISTICS_COLUMNS",
           "RANDOMIZATION_COLUMNS"]

#: Columns of :func:`sample_characteristics` after the ``by`` columns.
CHARACTERISTICS_COLUMNS = ("variable", "kind", "level", "n", "percent", "mean", "sd")
#: Columns of :func:`randomization_checks`.
RANDOMIZATION_COLUMNS = ("variable", "test", "n", "statistic", "df", "df_resid", "p", "effect",
                         "effect_size", "min_expected")
MISSING_LEVEL = "Missing"


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _categorical_spec(categorical: Mapping[str, Mapping[Any, str] | None] | Sequence[str]) -> dict[str, dict]:
    if isinstance(categorical, Mapping):
        out = {}
        for col, codes in categorical.items():
            if codes is not None and not isinstance(codes, Mapping):
                raise InputTypeError(f"categorical[{col!r}] must be a mapping code -> label or None; "
                                     f"got {type(codes).__name__}")
            out[str(col)] = dict(codes or {})
        return out
    return {str(c): {} for c in _as_list(categorical)}


def _levels(series: pd.Series, codes: Mapping[Any, str]) -> list[Any]:
    """Declared codes first (in their order), then other values seen, sorted."""
    seen = [v for v in pd.unique(series.dropna())]
    declared = list(codes)
    numeric = {float(k): k for k in declared if isinstance(k, (int, float, np.integer, np.floating))}
    extra = []
    for v in seen:
        if v in declared:
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v) in numeric:
            continue
        extra.append(v)
    try:
        extra = sorted(extra)
    except TypeError:
        extra = sorted(extra, key=str)
    return declared + extra


def _code_text(level: Any) -> str:
    """A code without a label as text: 3.0 -> "3"."""
    if isinstance(level, (float, np.floating)) and float(level).is_integer():
        return str(int(level))
    return str(level)


def _match(series: pd.Series, level: Any) -> pd.Series:
    if isinstance(level, (int, float, np.integer, np.floating)) and pd.api.types.is_numeric_dtype(series):
        return series.astype(float) == float(level)
    return series.astype(object) == level


def sample_characteristics(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    categorical: Mapping[str, Mapping[Any, str] | None] | Sequence[str] = (),
    numeric: Sequence[str] = (),
    total: bool = True,
) -> pd.DataFrame:
    """Sample characteristics per group: n (%) of each category, M (SD) of each number.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    by : str or sequence of str, optional
        Grouping columns (the design factors: one group per cell). None: the whole sample.
    categorical : mapping or sequence of str
        Categorical columns, each with an optional mapping code -> label (``{1: "Women",
        2: "Men"}``); codes not in the mapping are shown as they are, declared codes that
        nobody chose get a row with n = 0.
    numeric : sequence of str
        Numeric columns (age ...).
    total : bool, default True
        Add the whole sample (``by`` columns missing) after the groups.

    Returns
    -------
    pandas.DataFrame
        Columns: one per ``by`` column (the group's levels; missing in the total rows), then
        ``variable``, ``kind`` ("size": the group's first row, its number of respondents;
        "categorical"; "numeric"), ``level`` (category label; "" otherwise), ``n``
        (respondents in the group, in the category, or answering the number),
        ``percent`` (of the group, missing answers included, which get a level
        ``"Missing"``; NaN for numbers), ``mean`` and ``sd`` (numbers only).

    Raises
    ------
    ColumnError
        A named column is absent.
    DataError
        A numeric column is not numeric.

    See Also
    --------
    randomization_checks : whether these differ between the cells.

    Examples
    --------
    See the module docstring (:mod:`studylib.sample`).
    """
    data = check_dataframe(data)
    groups = _as_list(by)
    cats = _categorical_spec(categorical)
    nums = _as_list(numeric)
    check_columns(data, [*groups, *cats, *nums], context="sample characteristics")
    check_numeric(data, nums, context="sample characteristics")
    parts: list[tuple[dict[str, Any], pd.DataFrame]] = []
    if groups:
        for keys, frame in data.groupby(groups, observed=True, sort=True):
            keys = keys if isinstance(keys, tuple) else (keys,)
            parts.append(({g: k for g, k in zip(groups, keys, strict=True)}, frame))
    if total or not groups:
        parts.append(({g: pd.NA for g in groups}, data))
    levels = {c: _levels(data[c], codes) for c, codes in cats.items()}
    rows = []
    for key, frame in parts:
        n_group = len(frame)
        rows.append({**key, "variable": "", "kind": "size", "level": "", "n": n_group, "percent": np.nan,
                     "mean": np.nan, "sd": np.nan})
        for col, codes in cats.items():
            s = frame[col]
            for level in levels[col]:
                n = int(_match(s, level).sum())
                rows.append({**key, "variable": col, "kind": "categorical", "level": str(codes.get(level, _code_text(level))),
                             "n": n, "percent": 100 * n / n_group if n_group else np.nan,
                             "mean": np.nan, "sd": np.nan})
            n_missing = int(s.isna().sum())
            if n_missing:
                rows.append({**key, "variable": col, "kind": "categorical", "level": MISSING_LEVEL,
                             "n": n_missing, "percent": 100 * n_missing / n_group, "mean": np.nan, "sd": np.nan})
        for col in nums:
            v = pd.to_numeric(frame[col], errors="coerce").astype(float)
            rows.append({**key, "variable": col, "kind": "numeric", "level": "", "n": int(v.notna().sum()),
                         "percent": np.nan, "mean": float(v.mean()), "sd": float(v.std(ddof=1))})
    out = pd.DataFrame(rows, columns=[*groups, *CHARACTERISTICS_COLUMNS])
    out["n"] = out["n"].astype(int)
    return out


def randomization_checks(
    data: pd.DataFrame,
    by: str | Sequence[str],
    *,
    categorical: Mapping[str, Mapping[Any, str] | None] | Sequence[str] = (),
    numeric: Sequence[str] = (),
) -> pd.DataFrame:
    """Do the design cells differ in their sample characteristics? One test per variable.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    by : str or sequence of str
        The design factors; the groups compared are their cells.
    categorical : mapping or sequence of str
        Categorical columns (a mapping code -> label is accepted, as in
        :func:`sample_characteristics`; only the columns are used).
    numeric : sequence of str
        Numeric columns.

    Returns
    -------
    pandas.DataFrame
        One row per variable (categorical first): ``variable``, ``test`` ("chi-square",
        "ANOVA", or "constant" when every respondent gave the same answer: no test), ``n`` (respondents with an answer), ``statistic`` (Pearson's χ² or
        *F*), ``df`` and ``df_resid`` (*F*'s denominator df; NaN for χ²), ``p``, ``effect``
        ("cramers_v" or "eta2"), ``effect_size``, ``min_expected`` (the smallest expected
        count of the χ² table; NaN for ANOVA: below 5 the χ² approximation is doubtful).

    Raises
    ------
    ColumnError
        A named column is absent.
    DataError
        A numeric column is not numeric, or fewer than two cells or categories have answers.

    Notes
    -----
    Categorical: Pearson's χ² test of independence of cell and category (no continuity
    correction), respondents with a missing answer left out, Cramér's
    :math:`V = \\sqrt{\\chi^2 / (n(\\min(r, c) - 1))}`. Numeric: one-way ANOVA across the
    cells, :math:`\\eta^2 = SS_{between}/SS_{total}`. Under random assignment these are
    tests of chance differences: report them, but do not select covariates by them.
    Validated against R's documented ``chisq.test`` and ``aov`` examples
    (tests/test_report_descriptives.py).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"g": list("aabbccaabbcc"), "sex": [1, 2, 1, 1, 2, 2, 1, 2, 2, 1, 1, 2],
    ...                   "age": [20, 22, 25, 21, 23, 24, 19, 22, 26, 20, 21, 25]})
    >>> tab = randomization_checks(d, "g", categorical=["sex"], numeric=["age"])
    >>> tab[["variable", "test", "statistic", "df", "df_resid", "p", "effect_size"]].round(3)
      variable        test  statistic  df  df_resid      p  effect_size
    0      sex  chi-square      2.000   2       NaN  0.368        0.408
    1      age       ANOVA      1.645   2       9.0  0.246        0.268
    >>> # R: chisq.test(table(d$g, d$sex), correct = FALSE); summary(aov(age ~ g, d))
    """
    data = check_dataframe(data)
    groups = _as_list(by)
    if not groups:
        raise DataError("randomization checks need the design factors (by=)")
    cats = list(_categorical_spec(categorical))
    nums = _as_list(numeric)
    check_columns(data, [*groups, *cats, *nums], context="randomization checks")
    check_numeric(data, nums, context="randomization checks")
    cell = data[groups].astype(str).agg(" / ".join, axis=1).where(data[groups].notna().all(axis=1))
    rows = []
    for col in cats:
        keep = cell.notna() & data[col].notna()
        table = pd.crosstab(cell[keep], data.loc[keep, col])
        if table.shape[0] < 2:
            raise DataError(f"randomization check of {col!r}: needs answers in at least 2 cells; got "
                            f"{table.shape[0]}")
        if table.shape[1] < 2:  # everyone gave the same answer (e.g. an exclusion rule kept one value)
            rows.append({"variable": col, "test": "constant", "n": int(table.to_numpy().sum()),
                         "statistic": np.nan, "df": np.nan, "df_resid": np.nan, "p": np.nan, "effect": "",
                         "effect_size": np.nan, "min_expected": np.nan})
            continue
        res = stats.chi2_contingency(table.to_numpy(), correction=False)
        n = int(table.to_numpy().sum())
        v = float(np.sqrt(res.statistic / (n * (min(table.shape) - 1))))
        rows.append({"variable": col, "test": "chi-square", "n": n, "statistic": float(res.statistic),
                     "df": int(res.dof), "df_resid": np.nan, "p": float(res.pvalue), "effect": "cramers_v",
                     "effect_size": v, "min_expected": float(res.expected_freq.min())})
    for col in nums:
        y = pd.to_numeric(data[col], errors="coerce").astype(float)
        keep = cell.notna() & y.notna()
        samples = [y[keep & (cell == c)].to_numpy() for c in sorted(cell[keep].unique())]
        if len(samples) < 2:
            raise DataError(f"randomization check of {col!r}: answers in {len(samples)} cell(s); at least 2 needed")
        res = stats.f_oneway(*samples)
        allv = np.concatenate(samples)
        ss_total = float(((allv - allv.mean()) ** 2).sum())
        ss_between = float(sum(len(s) * (s.mean() - allv.mean()) ** 2 for s in samples))
        rows.append({"variable": col, "test": "ANOVA", "n": int(len(allv)), "statistic": float(res.statistic),
                     "df": len(samples) - 1, "df_resid": float(len(allv) - len(samples)), "p": float(res.pvalue),
                     "effect": "eta2", "effect_size": ss_between / ss_total if ss_total > 0 else np.nan,
                     "min_expected": np.nan})
    return pd.DataFrame(rows, columns=list(RANDOMIZATION_COLUMNS))
