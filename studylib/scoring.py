"""Scale scores from item answers: reverse keying, mean or sum, minimum-answered rule.

Reverse keys are computed from each scale's *declared* ``min`` and ``max``
(``max + min - x``), never from the values seen in the data. A respondent gets a score
only when at least ``min_valid_items`` items are answered; otherwise the score is NaN.
Missing answers are never imputed. The data passed in are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_columns, check_dataframe, check_numeric, check_range, whole_range
from .errors import ColumnError, DataError, SpecError
from .questionnaires import Scale, as_scales

__all__ = ["reverse_items", "score", "score_scales", "item_matrix", "checked_matrix"]


def item_matrix(data: pd.DataFrame, scale: Scale, *, context: str | None = None) -> np.ndarray:
    """Checked answers to ``scale.items`` as a float array (NaN = missing), not reversed.

    Raises :class:`ColumnError` for absent or duplicated item columns and
    :class:`DataError` (naming column, rows and values) for non-numeric answers, answers
    outside ``scale.min..scale.max``, or answers that are not whole numbers when min and
    max are (a Likert scale: 3.5 on 1..7 is refused here as by :func:`studylib.prepare`).
    """
    return checked_matrix(data, scale.items, scale.min, scale.max, context=context or f"scale {scale.id!r}")


def checked_matrix(
    data: pd.DataFrame,
    items: Sequence[str],
    low: float | None = None,
    high: float | None = None,
    *,
    context: str | None = None,
) -> np.ndarray:
    """Answers to ``items`` as a new float array (NaN = missing) after column, type and
    (when ``low``/``high`` are given) range checks. ``data`` is never modified."""
    check_dataframe(data)
    dup = [c for c in items if c in data.columns and not isinstance(data.columns.get_loc(c), int | np.integer)]
    if dup:
        raise ColumnError(f"item columns that occur more than once in data: {dup}{_ctx(context)}")
    items = check_columns(data, list(items), context=context)
    block = data[items]
    if not all(pd.api.types.is_numeric_dtype(block[c]) and not pd.api.types.is_bool_dtype(block[c]) for c in items):
        check_numeric(data, items, context=context)  # raises naming column, row and value
        block = block.apply(pd.to_numeric, errors="coerce")
    x = block.to_numpy(dtype=float, na_value=np.nan, copy=True)  # never a view of data
    if low is not None and high is not None:
        with np.errstate(invalid="ignore"):
            bad = (x < low) | (x > high)  # NaN compares False; +-inf is caught here
        frac = whole_range(low, high) and not bad.any() and _not_whole(x, max(abs(low), abs(high)))
        if bad.any() or frac:
            check_range(data, items, low, high, context=context, integer=True)  # raises with details
    elif np.isinf(x).any():
        j = int(np.nonzero(np.isinf(x).any(axis=0))[0][0])
        rows = data.index[np.isinf(x[:, j])]
        raise DataError(f"column {items[j]!r} has infinite values in rows {list(rows[:5])}{_ctx(context)}")
    return x


def _not_whole(x: np.ndarray, bound: float) -> bool:
    """True if a (non-missing, in-range) value of ``x`` is not a whole number.

    Whole-number bounds mean a Likert-type scale, whose answers are whole, as
    :func:`studylib.prepare` requires. A cast to a small integer type and back is the fastest
    test (2-3x faster than ``x != round(x)``); NaN is excluded by ``x == x``.
    """
    dtype = np.int16 if bound < 2**15 else np.int64
    with np.errstate(invalid="ignore"):
        return bool(((x.astype(dtype) != x) & (x == x)).any())


def _ctx(context: str | None) -> str:
    return f" ({context})" if context else ""


def _one_scale(scale: Any) -> Scale:
    """A Scale from a Scale, a scale id / YAML path or a definition dict."""
    if isinstance(scale, Scale):
        return scale
    if isinstance(scale, (list, tuple)):
        raise SpecError("give one scale here; use score_scales() for several")
    return as_scales(scale)[0]


def _reverse_in_place(x: np.ndarray, scale: Scale) -> np.ndarray:
    if scale.reverse:
        idx = [scale.items.index(i) for i in scale.reverse]
        x[:, idx] = (scale.max + scale.min) - x[:, idx]
    return x


def reverse_items(data: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """The scale's item answers with reverse-keyed items recoded as ``max + min - x``.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; must contain every item of ``scale``.
    scale : Scale or str
        Items, reverse keys and the declared answer range (a Scale, a scale id such
        as ``"trust"`` of the questionnaire folder, a YAML path or a definition dict).

    Returns
    -------
    DataFrame
        The item columns only (in ``scale.items`` order, float, NaN kept), same index as
        ``data``. ``data`` itself is not modified.

    Raises
    ------
    ColumnError
        An item column is missing.
    DataError
        Non-numeric answers or answers outside ``scale.min..scale.max``.

    See Also
    --------
    score : the scale score from the reversed answers.
    studylib.reliability : uses the same reverse keys.

    Notes
    -----
    A reverse-keyed answer :math:`x` becomes :math:`\\max + \\min - x` with the scale's
    *declared* range, never the range seen in the data (a data-inferred maximum is wrong
    when nobody chose the top answer; tests/test_scoring.py checks this case).

    Examples
    --------
    >>> s = Scale.from_dict({"id": "x", "items": ["a", "b"], "reverse": ["b"], "min": 1, "max": 5})
    >>> reverse_items(pd.DataFrame({"a": [1, 2], "b": [1, None]}), s)
         a    b
    0  1.0  5.0
    1  2.0  NaN
    >>> # R: psych::reverse.code(keys = c(1, -1), items = df, mini = 1, maxi = 5)
    """
    scale = _one_scale(scale)
    x = _reverse_in_place(item_matrix(data, scale), scale)
    return pd.DataFrame(x, index=data.index, columns=list(scale.items))


def _score_matrix(x: np.ndarray, scale: Scale) -> tuple[np.ndarray, np.ndarray]:
    answered = ~np.isnan(x)
    n = answered.sum(axis=1)
    total = np.where(answered, x, 0.0).sum(axis=1)
    ok = n >= scale.min_valid_items
    with np.errstate(invalid="ignore", divide="ignore"):
        value = total / n if scale.score == "mean" else total
    return np.where(ok, value, np.nan), n


def score(data: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """Score one scale for every respondent.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the scale's item columns (other columns ignored).
    scale : Scale or str
        From :func:`studylib.load_scale` or :meth:`Scale.from_dict`; a scale id such as
        ``"trust"``, a YAML path or a definition dict also works.

    Returns
    -------
    DataFrame
        Index = ``data.index``; columns

        - ``score`` (float): mean or sum of the answered items after reverse keying;
          NaN when fewer than ``scale.min_valid_items`` items are answered;
        - ``n_answered`` (int): number of answered items.

        ``attrs`` records the scale id and the rule applied.

    Raises
    ------
    ColumnError, DataError
        As in :func:`reverse_items`.
    SpecError
        ``scale`` is an unknown id, an invalid definition or a set of single items.

    See Also
    --------
    score_scales : several scales at once.
    studylib.reliability : alpha and omega of the same items.

    Notes
    -----
    .. math:: \\text{score}_i = \\frac{1}{n_i}\\sum_{j \\in A_i} x^*_{ij}, \\quad
              x^*_{ij} = \\begin{cases}\\max + \\min - x_{ij} & j \\text{ reverse-keyed}\\\\
              x_{ij} & \\text{otherwise}\\end{cases}

    where :math:`A_i` are the items respondent *i* answered and :math:`n_i = |A_i|`; the
    score is missing if :math:`n_i <` ``min_valid_items``. A ``sum`` scale requires all
    items (see :meth:`Scale.from_dict`). Nothing is imputed. Checked against hand-computed
    scores and by property tests (double reversal is the identity, scores stay within the
    declared range) in tests/test_scoring.py; not compared with R output.

    References
    ----------
    Revelle, W. (2024). *psych: Procedures for psychological, psychometric, and
    personality research* (R package), ``scoreItems`` and ``reverse.code``.
    https://CRAN.R-project.org/package=psych

    Examples
    --------
    >>> s = Scale.from_dict({"id": "x", "items": ["a", "b", "c"], "reverse": ["c"],
    ...                      "min": 1, "max": 7, "min_valid_items": 2})
    >>> df = pd.DataFrame({"a": [7, 4, 1], "b": [6, None, None], "c": [1, 4, None]})
    >>> score(df, s)
          score  n_answered
    0  6.666667           3
    1  4.000000           2
    2       NaN           1
    >>> # R: psych::scoreItems(keys, df, min = 1, max = 7, impute = "none")$scores
    >>> # (means of the answered items; psych has no minimum-answered rule)
    """
    scale = _one_scale(scale)
    x = _reverse_in_place(item_matrix(data, scale), scale)
    value, n = _score_matrix(x, scale)
    out = pd.DataFrame({"score": value, "n_answered": n.astype(np.int64)}, index=data.index)
    out.attrs.update(
        {"scale": scale.id, "score": scale.score, "min_valid_items": scale.min_valid_items, "n_items": len(scale.items)}
    )
    return out


def score_scales(data: pd.DataFrame, scales: Any) -> pd.DataFrame:
    """Score several scales at once.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    scales : Scale, str, mapping or list of these
        Scales, scale ids (loaded with :func:`studylib.load_scale`) or the dict returned by
        :func:`studylib.load_questionnaires` (its single-item sets are an error: they
        have no score; pass the scales you want, e.g. ``[qs["trust"], qs["intent"]]``).

    Returns
    -------
    DataFrame
        Index = ``data.index``; for each scale, in the order given, the columns ``<id>``
        (the score, float) and ``<id>_n_answered`` (int).

    Raises
    ------
    SpecError
        Unknown scale id, a single-item set, or the same scale twice.
    ColumnError, DataError
        As in :func:`score`.

    See Also
    --------
    score : one scale, with the rule applied in ``attrs``.
    studylib.report.figures.score_histograms : the distributions of these scores.

    Examples
    --------
    >>> a = Scale.from_dict({"id": "a", "items": ["a1", "a2"], "min": 1, "max": 5})
    >>> b = Scale.from_dict({"id": "b", "items": ["b1", "-b2"], "min": 0, "max": 10, "score": "sum"})
    >>> df = pd.DataFrame({"a1": [1, 5], "a2": [2, 4], "b1": [10, 0], "b2": [0, 10]})
    >>> score_scales(df, [a, b])
         a  a_n_answered     b  b_n_answered
    0  1.5             2  20.0             2
    1  4.5             2   0.0             2
    >>> # R (scale a): psych::scoreItems(list(a = c("a1", "a2")), df, min = 1, max = 5,
    >>> #              impute = "none")$scores
    """
    check_dataframe(data)
    cols: dict[str, Any] = {}
    for s in as_scales(scales):
        res = score(data, s)
        cols[s.id] = res["score"]
        cols[f"{s.id}_n_answered"] = res["n_answered"]
    return pd.DataFrame(cols, index=data.index)
