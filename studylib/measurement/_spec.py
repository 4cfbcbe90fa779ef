"""The measurement model as data: which items measure which factor, and the checked,
reverse-keyed, listwise-complete item matrix the estimators work on (private)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_columns, check_dataframe
from ..errors import InputTypeError, ModelError, SpecError
from ..questionnaires import Scale
from ..scoring import checked_matrix, item_matrix

__all__ = ["MeasurementSpec", "parse_factors", "item_data", "parse_items"]


@dataclass(frozen=True)
class MeasurementSpec:
    """Factors, their items (in order) and the reverse keys applied to them."""

    factors: tuple[str, ...]
    items: tuple[str, ...]
    factor_of: np.ndarray  # (p,) index into factors
    reversed: tuple[bool, ...]
    scales: Mapping[str, Scale | None]

    def items_of(self, factor: str) -> list[str]:
        f = self.factors.index(factor)
        return [it for it, g in zip(self.items, self.factor_of, strict=True) if g == f]

    def to_dict(self) -> dict[str, Any]:
        return {
            f: {
                "items": self.items_of(f),
                "reversed": [it for it, r in zip(self.items, self.reversed, strict=True) if r and it in self.items_of(f)],
                "scale": self.scales[f].id if self.scales[f] is not None else None,
            }
            for f in self.factors
        }


def parse_factors(factors: Any) -> MeasurementSpec:
    """Check ``factors`` (factor -> item list or Scale; or a list of Scales)."""
    if isinstance(factors, Scale):
        factors = [factors]
    if isinstance(factors, Sequence) and not isinstance(factors, str):
        if not all(isinstance(s, Scale) for s in factors):
            raise InputTypeError(
                "factors must be a dict mapping each factor to its items (or a Scale), or a list "
                f"of Scale objects; got a {type(factors).__name__} holding "
                f"{sorted({type(s).__name__ for s in factors})}"
            )
        factors = {s.id: s for s in factors}
    if not isinstance(factors, Mapping):
        raise InputTypeError(
            "factors must be a dict mapping each factor to its items, e.g. "
            f"{{'visual': ['x1', 'x2', 'x3'], ...}}; got {type(factors).__name__}"
        )
    if not factors:
        raise SpecError("factors is empty: give at least one factor with its items")
    names: list[str] = []
    items: list[str] = []
    factor_of: list[int] = []
    rev: list[bool] = []
    scales: dict[str, Scale | None] = {}
    owner: dict[str, str] = {}
    for f, (name, entry) in enumerate(factors.items()):
        if not isinstance(name, str) or not name:
            raise SpecError(f"factor names must be non-empty strings; got {name!r}")
        if isinstance(entry, Scale):
            its, r = list(entry.items), set(entry.reverse)
            scales[name] = entry
        elif isinstance(entry, str):
            raise InputTypeError(
                f"factor {name!r}: items must be a list of column names or a Scale; got the string {entry!r}"
            )
        elif isinstance(entry, Sequence):
            its, r = list(entry), set()
            scales[name] = None
            bad = [it for it in its if not isinstance(it, str) or not it]
            if bad:
                raise SpecError(f"factor {name!r}: item names must be non-empty strings; got {bad}")
        else:
            raise InputTypeError(
                f"factor {name!r}: items must be a list of column names or a Scale; got {type(entry).__name__}"
            )
        dup = sorted({it for it in its if its.count(it) > 1})
        if dup:
            raise SpecError(f"factor {name!r} lists items more than once: {dup}")
        for it in its:
            if it in owner:
                raise SpecError(
                    f"item {it!r} is listed under factor {owner[it]!r} and factor {name!r}; in this "
                    "CFA each item measures one factor (no cross-loadings): keep it under one"
                )
            owner[it] = name
        if len(its) < 2:
            raise SpecError(
                f"factor {name!r} has {len(its)} item{'s' if len(its) != 1 else ''} {its}; a factor "
                "needs at least 2 items (3 when it is the only factor): add items or drop the factor"
            )
        names.append(name)
        items.extend(its)
        factor_of.extend([f] * len(its))
        rev.extend(it in r for it in its)
    return MeasurementSpec(tuple(names), tuple(items), np.asarray(factor_of), tuple(rev), scales)


def item_data(data: pd.DataFrame, spec: MeasurementSpec) -> tuple[np.ndarray, np.ndarray]:
    """The items as a float matrix with reverse keys applied, and the complete-row mask.

    A Scale's items are range-checked against its declared ``min``/``max`` and its
    reverse-keyed items recoded ``max + min - x`` (as :func:`studylib.score` does); plain
    item lists are only checked to be numeric. ``data`` is never modified.
    """
    check_dataframe(data)
    for name in spec.factors:  # unknown columns are reported per factor
        check_columns(data, spec.items_of(name), context=f"factor {name!r}")
    x = checked_matrix(data, list(spec.items), context="measurement model")  # one pass
    for f, name in enumerate(spec.factors):
        scale = spec.scales[name]
        if scale is None:
            continue
        cols = np.flatnonzero(spec.factor_of == f)
        block = x[:, cols]
        with np.errstate(invalid="ignore"):
            outside = (block < scale.min) | (block > scale.max)
        if outside.any():
            item_matrix(data, scale, context=f"factor {name!r}")  # raises naming rows and values
        if scale.reverse:
            rev = cols[[scale.items.index(i) for i in scale.reverse]]
            x[:, rev] = (scale.max + scale.min) - x[:, rev]
    return x, ~np.isnan(x).any(axis=1)


def parse_items(data: pd.DataFrame, items: Any, *, what: str) -> tuple[list[str], np.ndarray, int]:
    """Items given as a list of columns, a Scale or a list of Scales (reverse keys applied).

    Returns the item names, the listwise-complete matrix and the number of rows dropped.
    """
    check_dataframe(data)
    if isinstance(items, str):
        raise InputTypeError(f"{what}: items must be a list of column names or Scales; got the string {items!r}")
    if isinstance(items, Scale) or (
        isinstance(items, Sequence) and items and all(isinstance(s, Scale) for s in items)
    ):
        spec = parse_factors(items)
        x, complete = item_data(data, spec)
        names = list(spec.items)
    elif isinstance(items, Sequence):
        names = list(items)
        if len(names) < 3:
            raise SpecError(f"{what} needs at least 3 items; got {names}")
        x = checked_matrix(data, names, context=what)
        complete = ~np.isnan(x).any(axis=1)
    else:
        raise InputTypeError(f"{what}: items must be a list of column names or Scales; got {type(items).__name__}")
    if len(names) < 3:
        raise SpecError(f"{what} needs at least 3 items; got {names}")
    x = x[complete]
    check_variances(x, names, what=what)
    return names, x, int((~complete).sum())


def check_variances(x: np.ndarray, items: Sequence[str], *, what: str) -> None:
    """ModelError for too few rows, an item without variance or a singular matrix."""
    n, p = x.shape
    if n < 3:
        raise ModelError(f"{what}: {n} respondents answered every item; at least 3 are needed (listwise)")
    sd = x.std(axis=0)
    flat = [items[j] for j in np.flatnonzero(~(sd > 0))]
    if flat:
        raise ModelError(
            f"{what}: items without variance among the {n} complete respondents: {flat}; drop them"
        )
    r = np.corrcoef(x, rowvar=False)
    vals, vecs = np.linalg.eigh(r)
    if vals[0] < 1e-10 * p:
        v = np.abs(vecs[:, 0])
        culprits = [items[j] for j in np.argsort(-v)[: max(2, int((v > 0.1).sum()))]]
        extra = f" (only {n} respondents for {p} items)" if n <= p else ""
        raise ModelError(
            f"{what}: the items' correlation matrix is singular{extra}: {sorted(culprits)} are linearly "
            "dependent (a duplicated column, or an item that is a sum of others?); drop one of them"
        )
