"""Shared machinery of the between-subjects factorial models (private).

Data preparation (validation, listwise deletion, level order, empty-cell checks) and the
fast linear-algebra core used by :func:`studylib.anova`, the marginal-means functions and
the assumption checks. Nothing here rounds.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_columns, check_dataframe, check_numeric, check_option
from .errors import ColumnError, DataError, InputTypeError, ModelError, StudylibWarning

__all__ = [
    "Prepared",
    "prepare",
    "factor_terms",
    "term_name",
    "sum_contrasts",
    "design_matrix",
]


@dataclass(frozen=True)
class Prepared:
    """Validated input of a factorial model (after listwise deletion)."""

    dv: str
    factors: tuple[str, ...]
    levels: tuple[tuple[Any, ...], ...]
    y: np.ndarray  # (n,) float
    codes: np.ndarray  # (n, k) int, level index of each factor
    index: pd.Index  # row labels of the rows used
    dropped: tuple[Any, ...]  # row labels dropped listwise

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_levels(self) -> tuple[int, ...]:
        return tuple(len(lv) for lv in self.levels)

    @property
    def cell(self) -> np.ndarray:
        """Flat cell index of each row (first factor varies fastest)."""
        return cell_index(self.codes, self.n_levels)

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.n_levels))

    def cell_counts(self) -> np.ndarray:
        return np.bincount(self.cell, minlength=self.n_cells)

    def cell_means(self) -> np.ndarray:
        counts = self.cell_counts()
        return np.bincount(self.cell, weights=self.y, minlength=self.n_cells) / counts

    def residuals(self) -> np.ndarray:
        """Residuals of the full factorial model: y minus its cell mean."""
        return self.y - self.cell_means()[self.cell]

    def ss_resid(self) -> float:
        return float(np.sum(self.residuals() ** 2))

    @property
    def df_resid(self) -> int:
        return self.n - self.n_cells

    def cell_labels(self) -> list[tuple[Any, ...]]:
        """Level combination of each flat cell (first factor fastest)."""
        combos = itertools.product(*[range(m) for m in reversed(self.n_levels)])
        out = []
        for combo in combos:
            idx = tuple(reversed(combo))
            out.append(tuple(self.levels[j][i] for j, i in enumerate(idx)))
        return out

    def meta(self) -> dict[str, Any]:
        """JSON-friendly description for ``DataFrame.attrs``."""
        counts = self.cell_counts()
        return {
            "dv": self.dv,
            "between": list(self.factors),
            "levels": {f: [_plain(v) for v in lv] for f, lv in zip(self.factors, self.levels, strict=True)},
            "cell_n": {
                ":".join(str(v) for v in lab): int(c)
                for lab, c in zip(self.cell_labels(), counts, strict=True)
            },
            "n": self.n,
            "n_dropped": len(self.dropped),
            "dropped_rows": [_plain(v) for v in self.dropped],
            "missing": "listwise",
        }


    def missing_report(self) -> dict[str, Any]:
        """The n used and the missing-data rule applied, for the ``attrs`` of every table."""
        meta = self.meta()
        return {k: meta[k] for k in ("dv", "between", "n", "n_dropped", "dropped_rows", "missing")}


def _plain(value: Any) -> Any:
    """numpy scalars to Python scalars (for attrs that go to JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def cell_index(codes: np.ndarray, n_levels: Sequence[int]) -> np.ndarray:
    """Flat cell number of each row, the first factor varying fastest."""
    cell = np.zeros(codes.shape[0], dtype=np.intp)
    stride = 1
    for j, m in enumerate(n_levels):
        cell += codes[:, j] * stride
        stride *= m
    return cell


def _as_factor_list(between: Any) -> list[str]:
    if isinstance(between, str):
        return [between]
    if isinstance(between, (list, tuple)) and between and all(isinstance(b, str) for b in between):
        return list(between)
    raise InputTypeError(
        "between must be a column name or a non-empty list of column names; "
        f"got {between!r}"
    )


def _levels_of(series: pd.Series) -> tuple[Any, ...]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return tuple(_plain(v) for v in series.cat.categories)
    values = [_plain(v) for v in series.dropna().unique()]
    try:
        return tuple(sorted(values))
    except TypeError:  # mixed types: order of appearance
        return tuple(values)


def prepare(
    data: pd.DataFrame,
    dv: str,
    between: str | Sequence[str],
    *,
    missing: str = "listwise",
    context: str = "anova",
) -> Prepared:
    """Validate a factorial data set and return it as arrays.

    Rows with a missing ``dv`` or factor value are dropped (``missing="listwise"``, with a
    :class:`~studylib.StudylibWarning` saying how many) or raise (``missing="raise"``).
    Factor levels follow the categories of a pandas Categorical, otherwise the sorted
    unique values. Every cell must hold at least one row and the model must leave at
    least one residual degree of freedom.
    """
    data = check_dataframe(data)
    check_option(missing, "missing", ("listwise", "raise"))
    if not isinstance(dv, str):
        raise InputTypeError(f"dv must be a column name (str); got {dv!r}")
    factors = _as_factor_list(between)
    if dv in factors:
        raise ColumnError(f"dv {dv!r} is also listed in between={factors}; a column cannot be both")
    check_columns(data, [dv, *factors], context=context)
    y_raw = data[dv]
    if pd.api.types.is_bool_dtype(y_raw):
        raise DataError(f"dv column {dv!r} is boolean; a numeric outcome is needed ({context})")
    check_numeric(data, [dv], context=f"{context} dv")
    y_all = pd.to_numeric(y_raw, errors="coerce").astype(float)
    inf = np.isinf(y_all.to_numpy())
    if inf.any():
        rows = list(data.index[inf])[:5]
        raise DataError(f"dv column {dv!r} has infinite values in rows {rows} ({context})")

    na = y_all.isna().to_numpy().copy()
    for f in factors:
        na |= data[f].isna().to_numpy()
    dropped = tuple(_plain(v) for v in data.index[na])
    if na.any():
        if missing == "raise":
            raise DataError(
                f"{int(na.sum())} row(s) have a missing value in {dv!r} or a factor "
                f"(rows {list(dropped)[:5]}); drop them first or use missing='listwise'"
            )
        warnings.warn(
            f"{int(na.sum())} row(s) with a missing value in {[dv, *factors]} dropped "
            f"listwise ({context}); n = {int((~na).sum())}",
            StudylibWarning,
            stacklevel=3,
        )
    keep = ~na
    if not keep.any():
        raise DataError(f"no complete rows in columns {[dv, *factors]} ({context})")

    levels: list[tuple[Any, ...]] = []
    codes = np.empty((int(keep.sum()), len(factors)), dtype=np.intp)
    for j, f in enumerate(factors):
        s = data[f]
        lv = _levels_of(s)
        if len(lv) < 2:
            raise DataError(
                f"factor {f!r} has {len(lv)} level(s) {list(lv)}; a factor needs at least "
                f"2 levels ({context})"
            )
        kept = s[keep]
        if isinstance(s.dtype, pd.CategoricalDtype):
            code = kept.cat.codes.to_numpy().astype(np.intp)
        else:
            code = pd.Categorical(kept, categories=list(lv)).codes.astype(np.intp)
        levels.append(lv)
        codes[:, j] = code

    prep = Prepared(
        dv=dv,
        factors=tuple(factors),
        levels=tuple(levels),
        y=y_all.to_numpy()[keep],
        codes=codes,
        index=data.index[keep],
        dropped=dropped,
    )
    counts = prep.cell_counts()
    if (counts == 0).any():
        empty = [lab for lab, c in zip(prep.cell_labels(), counts, strict=True) if c == 0]
        shown = "; ".join(
            ", ".join(f"{f}={v!r}" for f, v in zip(factors, lab, strict=True)) for lab in empty[:5]
        )
        raise DataError(
            f"empty design cell(s) with no complete rows: {shown} ({context}); every "
            "combination of factor levels needs at least one observation (for a Categorical, "
            "drop unused levels with .cat.remove_unused_categories())"
        )
    if prep.df_resid < 1:
        raise ModelError(
            f"no residual degrees of freedom: n = {prep.n} rows for {prep.n_cells} cells "
            f"({context}); at least one cell needs 2 or more observations"
        )
    return prep


def factor_terms(k: int) -> list[tuple[int, ...]]:
    """All terms of a full factorial in R's order: main effects, then 2-way, ..."""
    return [c for r in range(1, k + 1) for c in itertools.combinations(range(k), r)]


def term_name(term: Sequence[int], factors: Sequence[str]) -> str:
    return ":".join(factors[j] for j in term)


def sum_contrasts(m: int) -> np.ndarray:
    """R's ``contr.sum(m)``: an (m, m-1) matrix, the last level coded -1."""
    return np.vstack([np.eye(m - 1), -np.ones((1, m - 1))])


def design_matrix(
    codes: np.ndarray, n_levels: Sequence[int], terms: Sequence[tuple[int, ...]]
) -> tuple[np.ndarray, list[slice]]:
    """Full-factorial design matrix with sum-to-zero coding.

    Returns ``X`` (intercept first, then one block of columns per term) and the column
    slice of each term. Interaction columns are row-wise Kronecker products of the main
    effect columns (the first factor varying fastest, as in R's model.matrix).
    """
    n = codes.shape[0]
    mains = [sum_contrasts(m)[codes[:, j]] for j, m in enumerate(n_levels)]
    blocks = [np.ones((n, 1))]
    slices = []
    start = 1
    for term in terms:
        block = np.ones((n, 1))
        for j in term:
            block = (mains[j][:, :, None] * block[:, None, :]).reshape(n, -1)
        blocks.append(block)
        slices.append(slice(start, start + block.shape[1]))
        start += block.shape[1]
    return np.hstack(blocks), slices
