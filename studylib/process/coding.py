"""Codings of a multicategorical variable into k - 1 columns (Hayes, 2022, ch. 10).

Which variables are categorical follows PROCESS ``mcx``/``mcw``/``mcz``
(:func:`coding_for`): a coding given explicitly makes X, W or Z categorical whatever its
dtype; without one, a pandas Categorical, text or boolean column is indicator-coded and a
numeric column is continuous. The groups are in ascending order and the first is the
reference: a Categorical's own category order, else numeric order, else sorted text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ModelError, OptionError, StudylibWarning

__all__ = ["CODINGS", "Coding", "CodingWarning", "code_categorical", "coding_for", "coding_matrix",
           "few_values_warning"]

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


#: Numeric X, W or Z with this many distinct values (and no coding) get a :class:`CodingWarning`.
FEW_VALUES = {"x": range(3, 10), "w": range(2, 10), "z": range(2, 10)}
_PROCESS_OPTION = {"x": "mcx", "w": "mcw", "z": "mcz"}


class CodingWarning(StudylibWarning):
    """A numeric X, W or Z with few distinct values is fitted as continuous (no coding given).

    Attributes ``role`` ("x", "w" or "z"), ``variable`` (the column) and ``values`` (its
    distinct values) let a caller word the advice for its own interface (the CLI names
    ``--w-coding``); :meth:`advice` gives the text.
    """

    def __init__(self, role: str, variable: str, values: list):
        self.role, self.variable, self.values = role, variable, values
        super().__init__(self.advice(f"{role}_coding='indicator'"))

    def advice(self, option: str) -> str:
        """The warning's text, naming ``option`` as the way to code the variable."""
        kind = "focal predictor" if self.role == "x" else "moderator"
        return (
            f"{self.role} {self.variable!r} is numeric with {len(self.values)} distinct values "
            f"{self.values} and no coding, so it is fitted as one continuous {kind}; if its values "
            f"are groups, pass {option} (PROCESS {_PROCESS_OPTION[self.role]} = 1) to fit it as categorical"
        )


def is_numeric(series: pd.Series) -> bool:
    """Numbers (not booleans, not a Categorical): used as they are unless a coding is given."""
    return (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            and not isinstance(series.dtype, pd.CategoricalDtype))


def coding_for(series: pd.Series, coding: str | None) -> str | None:
    """The coding X, W or Z gets, or None when it is continuous (PROCESS ``mcx``/``mcw``).

    An explicit ``coding`` makes the variable categorical whatever its dtype; with None a
    Categorical, text or boolean column is indicator-coded and a numeric one is continuous.

    >>> import pandas as pd
    >>> coding_for(pd.Series([0, 1, 2, 1]), "indicator"), coding_for(pd.Series(["a", "b"]), None)
    ('indicator', 'indicator')
    >>> coding_for(pd.Series([0, 1, 2, 1]), None) is None
    True
    """
    if coding is not None:
        return coding
    return None if is_numeric(series) else "indicator"


def few_values_warning(series: pd.Series, role: str, coding: str | None) -> CodingWarning | None:
    """A :class:`CodingWarning` for a numeric X (3-9 values) or W, Z (2-9) without a coding.

    Such a column may hold group codes, as PROCESS users' data do (PROCESS refuses text);
    fitted as continuous it gives one slope where the groups would give k - 1 effects.

    >>> import pandas as pd
    >>> print(few_values_warning(pd.Series([1, 2, 3, 2], name="resp"), "w", None))
    w 'resp' is numeric with 3 distinct values [1, 2, 3] and no coding, so it is fitted as one continuous moderator; if its values are groups, pass w_coding='indicator' (PROCESS mcw = 1) to fit it as categorical
    """
    if coding is not None or not is_numeric(series):
        return None
    values = np.unique(series.to_numpy(dtype=float))
    if values.size not in FEW_VALUES[role]:
        return None
    shown = [int(v) if float(v).is_integer() else float(v) for v in values]
    return CodingWarning(role, str(series.name), shown)


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
