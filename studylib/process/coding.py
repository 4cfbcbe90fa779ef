"""Codings of a multicategorical variable into k - 1 columns (Hayes, 2022, ch. 10).

The reference group is the first category of a pandas Categorical, or the lowest value
(numeric order, else sorted text) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ModelError, OptionError

__all__ = ["CODINGS", "Coding", "code_categorical", "coding_matrix"]

#: Codings understood by :func:`coding_matrix` (PROCESS ``mcx``/``mcw`` 1, 2, 3, 4).
CODINGS = ("indicator", "sequential", "helmert", "effect")


def coding_matrix(levels: list[str], coding: str) -> tuple[np.ndarray, list[str]]:
    """Return the k x (k - 1) coding matrix (rows = levels in order) and column labels.

    - ``indicator``: level j (j >= 1) gets 1 in column j; the first level is 0 everywhere.
      Column j's coefficient is level j minus the first level.
    - ``sequential``: level j gets 1 in columns 1..j; column j compares level j with level
      j - 1.
    - ``helmert``: column j compares level j - 1 with the mean of the later levels.
    - ``effect``: like indicator, but the first level gets -1 everywhere; column j compares
      level j with the unweighted mean of all levels.

    >>> m, labels = coding_matrix(["none", "like", "reply"], "sequential")
    >>> m
    array([[0., 0.],
           [1., 0.],
           [1., 1.]])
    >>> labels
    ['like-none', 'reply-like']
    """
    k = len(levels)
    if coding == "indicator":
        mat = np.vstack([np.zeros(k - 1), np.eye(k - 1)])
        labels = [str(v) for v in levels[1:]]
    elif coding == "sequential":
        mat = np.tril(np.ones((k, k - 1)), -1)
        labels = [f"{levels[j]}-{levels[j - 1]}" for j in range(1, k)]
    elif coding == "helmert":
        mat = np.zeros((k, k - 1))
        for j in range(k - 1):
            later = k - j - 1
            mat[j, j] = -later / (later + 1)
            mat[j + 1 :, j] = 1 / (later + 1)
        labels = [f"later-{levels[j]}" for j in range(k - 1)]
    elif coding == "effect":
        mat = np.vstack([-np.ones(k - 1), np.eye(k - 1)])
        labels = [f"{levels[j]}-mean" for j in range(1, k)]
    else:  # pragma: no cover - checked by the caller
        raise OptionError(f"coding must be one of {', '.join(map(repr, CODINGS))}; got {coding!r}")
    return mat, labels


@dataclass(frozen=True)
class Coding:
    """How one categorical variable entered the model."""

    variable: str
    coding: str
    levels: tuple[str, ...]
    matrix: np.ndarray
    terms: tuple[str, ...]
    counts: tuple[int, ...]

    def table(self) -> pd.DataFrame:
        """Levels (rows) by code columns, as PROCESS prints "Coding of categorical X"."""
        return pd.DataFrame(self.matrix, index=pd.Index(self.levels, name=self.variable), columns=list(self.terms))


def categories(series: pd.Series) -> list:
    """Levels of ``series`` in reference-first order (Categorical order or sorted)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    values = series.dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def code_categorical(series: pd.Series, coding: str, *, role: str) -> tuple[np.ndarray, Coding]:
    """Code ``series`` (no missing values) into k - 1 columns; check group sizes.

    Raises :class:`ModelError` when a level has fewer than 2 cases or when there are
    fewer than 2 levels.
    """
    levels = categories(series)
    name = str(series.name)
    if len(levels) < 2:
        raise ModelError(
            f"{role} {name!r} has only {len(levels)} level(s) {levels}; a categorical "
            "variable needs at least 2 groups"
        )
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()  # levels are its categories, in order
    else:
        codes = pd.Categorical(series, categories=levels).codes
    counts = np.bincount(codes, minlength=len(levels))
    small = [(lv, int(c)) for lv, c in zip(levels, counts, strict=True) if c < 2]
    if small:
        shown = ", ".join(f"{lv!r} ({c} case{'s' if c != 1 else ''})" for lv, c in small)
        raise ModelError(
            f"{role} {name!r} has group(s) with fewer than 2 cases: {shown}; every group "
            "needs at least 2 cases (merge or drop groups, or remove unused categories)"
        )
    mat, labels = coding_matrix(levels, coding)
    terms = tuple(f"{name}[{lab}]" for lab in labels)
    coding_obj = Coding(name, coding, tuple(str(v) for v in levels), mat, terms, tuple(int(c) for c in counts))
    return mat[codes], coding_obj
