"""Input checks shared by every studylib module.

Each helper raises a studylib error class whose message says what was wrong, what was
received and what is allowed. Never use ``assert`` for user input: ``python -O`` removes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from .errors import ColumnError, DataError, InputTypeError, OptionError

__all__ = [
    "check_option",
    "check_dataframe",
    "check_columns",
    "check_numeric",
    "check_range",
    "whole_range",
    "check_unique",
    "check_fraction",
    "check_int",
    "as_generator",
    "format_rows",
]

_MAX_SHOWN = 5


def _context(context: str | None) -> str:
    return f" ({context})" if context else ""


def format_rows(index: Sequence[Any], values: Sequence[Any] | None = None) -> str:
    """Describe offending rows (and values) for an error message, at most five shown."""
    index = list(index)
    shown = index[:_MAX_SHOWN]
    if values is None:
        text = ", ".join(repr(i) for i in shown)
    else:
        values = list(values)[:_MAX_SHOWN]
        text = ", ".join(f"{i!r} (value {v!r})" for i, v in zip(shown, values, strict=False))
    more = len(index) - len(shown)
    if more > 0:
        text += f" and {more} more"
    return text


def check_option(value: Any, name: str, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is exactly one of ``options``; raise :class:`OptionError`.

    Matching is exact: no prefixes, no case folding, no ``True`` for ``1`` or ``"3"`` for
    ``3``. A numpy scalar counts as the Python value it holds (``np.int64(3)`` is ``3``) and
    is returned as that Python value.

    >>> check_option("mean", "score", ("mean", "sum"))
    'mean'
    >>> check_option(np.int64(2), "ss_type", (1, 2, 3))
    2
    >>> check_option("avg", "score", ("mean", "sum"))
    Traceback (most recent call last):
    ...
    studylib.errors.OptionError: score must be one of 'mean', 'sum'; got 'avg'
    """
    options = tuple(options)
    plain = value.item() if isinstance(value, np.generic) else value
    if any(plain is opt or (type(plain) is type(opt) and plain == opt) for opt in options):
        return plain
    allowed = ", ".join(repr(o) for o in options)
    raise OptionError(f"{name} must be one of {allowed}; got {value!r}")


def check_dataframe(data: Any, name: str = "data") -> pd.DataFrame:
    """Raise :class:`InputTypeError` unless ``data`` is a pandas DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise InputTypeError(
            f"{name} must be a pandas DataFrame; got {type(data).__name__}. "
            "Read files with studylib.read_data() or pandas.read_csv()."
        )
    return data


def check_columns(data: pd.DataFrame, columns: Iterable[str], *, context: str | None = None) -> list[str]:
    """Return ``columns`` as a list; raise :class:`ColumnError` naming those not in ``data``.

    >>> df = pd.DataFrame({"a": [1], "b": [2]})
    >>> check_columns(df, ["a", "nfc_07"], context="scale 'NFC-18'")
    Traceback (most recent call last):
    ...
    studylib.errors.ColumnError: columns not in data: ['nfc_07'] (scale 'NFC-18'); available: ['a', 'b']
    """
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        available = list(data.columns)
        shown = available[:20] + (["..."] if len(available) > 20 else [])
        raise ColumnError(f"columns not in data: {missing}{_context(context)}; available: {shown}")
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        raise ColumnError(f"columns named more than once: {dup}{_context(context)}")
    if not data.columns.is_unique:  # two columns of one name: data[col] would be a frame
        wanted = set(columns)
        twice = sorted({str(c) for c in data.columns[data.columns.duplicated()] if c in wanted})
        if twice:
            raise ColumnError(f"data has more than one column named {twice}{_context(context)}; column "
                              "names must be unique: rename or drop the copies")
    return columns


def check_numeric(data: pd.DataFrame, columns: Iterable[str], *, context: str | None = None) -> None:
    """Raise :class:`DataError` naming the first column with non-numeric values and its rows.

    Missing values (NaN/None) are allowed here; booleans are not numeric answers.
    """
    for col in check_columns(data, columns, context=context):
        s = data[col]
        if pd.api.types.is_bool_dtype(s):
            raise DataError(f"column {col!r} is boolean; numeric values are needed{_context(context)}")
        if pd.api.types.is_numeric_dtype(s):
            continue
        coerced = pd.to_numeric(s, errors="coerce")
        bad = s.notna() & coerced.isna()
        if bad.any():
            raise DataError(
                f"column {col!r} has non-numeric values in rows "
                f"{format_rows(s.index[bad], s[bad])}{_context(context)}; "
                "only numbers (or empty cells for missing answers) are allowed"
            )


def whole_range(low: float | None, high: float | None) -> bool:
    """True if both bounds are whole numbers: a Likert-type range, whose answers are whole too.

    The one rule every entry point applies (:func:`studylib.score`, :func:`studylib.reliability`,
    :func:`studylib.prepare`), so that an answer such as 3.5 on a 1..7 scale is refused by all.

    >>> whole_range(1, 7), whole_range(0.0, 100.0), whole_range(0.5, 5.5), whole_range(None, 7)
    (True, True, False, False)
    """
    if low is None or high is None:
        return False
    return bool(float(low).is_integer() and float(high).is_integer())


# Numbers that survey tools and SPSS users commonly write for a missing answer.
_MISSING_CODES = frozenset({-1.0, -9.0, -99.0, -999.0, -9999.0, 99.0, 999.0, 9999.0, 99999.0})


def _missing_code_hint(values: Iterable[float]) -> str:
    codes = sorted({v for v in values if v in _MISSING_CODES})
    if not codes:
        return ""
    shown = ", ".join(f"{v:g}" for v in codes)
    return (f". If {shown} marks a missing answer (an SPSS missing-value code left as a number), "
            "empty those cells or declare the code as missing in the export (SPSS: Missing Values)")


def _bound(value: float) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:g}"


def check_range(
    data: pd.DataFrame,
    columns: Iterable[str],
    low: float,
    high: float,
    *,
    context: str | None = None,
    integer: bool = False,
    fix: str = "fix the data or the declared min/max",
) -> None:
    """Raise :class:`DataError` if a non-missing value lies outside ``[low, high]``.

    With ``integer=True`` also non-whole numbers are rejected (Likert answers). ``fix`` ends
    the message of a value out of range (what to change); a value that looks like a
    missing-value code (-99, 999, ...) adds advice on missing codes.

    >>> df = pd.DataFrame({"q1": [1, 3.5, 7]})
    >>> check_range(df, ["q1"], 1, 7, integer=True, context="scale 'q'")
    Traceback (most recent call last):
    ...
    studylib.errors.DataError: column 'q1' has non-integer values in rows 1 (value 3.5) (scale 'q'); answers in the declared range 1..7 are whole numbers: fix the data
    """
    columns = check_columns(data, columns, context=context)
    check_numeric(data, columns, context=context)
    for col in columns:
        s = pd.to_numeric(data[col], errors="coerce").astype(float)
        bad = s.notna() & ((s < low) | (s > high))
        if bad.any():
            raise DataError(
                f"column {col!r} has values outside the declared range {_bound(low)}..{_bound(high)} "
                f"in rows {format_rows(s.index[bad], s[bad])}{_context(context)}; "
                f"{fix}{_missing_code_hint(s[bad])}"
            )
        if integer:
            bad = s.notna() & (s != np.round(s))
            if bad.any():
                raise DataError(
                    f"column {col!r} has non-integer values in rows "
                    f"{format_rows(s.index[bad], s[bad])}{_context(context)}; answers in the "
                    f"declared range {_bound(low)}..{_bound(high)} are whole numbers: fix the data"
                )


def check_unique(data: pd.DataFrame, column: str, *, context: str | None = None) -> None:
    """Raise :class:`DataError` if ``column`` (e.g. respondent id) has duplicates."""
    check_columns(data, [column], context=context)
    dup = data[column].duplicated(keep=False) & data[column].notna()
    if dup.any():
        values = sorted(set(data.loc[dup, column].tolist()), key=str)
        raise DataError(
            f"column {column!r} must identify rows uniquely; duplicated values "
            f"{values[:_MAX_SHOWN]} in rows {format_rows(data.index[dup])}{_context(context)}"
        )


def check_fraction(value: Any, name: str, *, inclusive: bool = False) -> float:
    """Return ``value`` as float if it lies in (0, 1) (``[0, 1]`` with ``inclusive``).

    >>> check_fraction(1.5, "conf")
    Traceback (most recent call last):
    ...
    studylib.errors.OptionError: conf must be a number strictly between 0 and 1; got 1.5
    """
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok:
        ok = (0 <= value <= 1) if inclusive else (0 < value < 1)
    if not ok:
        where = "between 0 and 1 inclusive" if inclusive else "strictly between 0 and 1"
        raise OptionError(f"{name} must be a number {where}; got {value!r}")
    return float(value)


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as int if it is a whole number ``>= minimum``."""
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise OptionError(f"{name} must be a whole number; got {value!r}")
    if minimum is not None and value < minimum:
        raise OptionError(f"{name} must be at least {minimum}; got {value!r}")
    return int(value)


def as_generator(seed: Any) -> tuple[np.random.Generator, int | None]:
    """Turn ``seed`` (None, int or Generator) into a Generator and the seed to record.

    With ``None`` a fresh seed is drawn from the OS and returned, so that the result can
    still be reproduced from the recorded seed. With a Generator, the recorded seed is None.
    """
    if isinstance(seed, np.random.Generator):
        return seed, None
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif not isinstance(seed, Integral) or isinstance(seed, bool) or seed < 0:
        raise OptionError(
            f"seed must be None, a non-negative whole number or a numpy.random.Generator; got {seed!r}"
        )
    seed = int(seed)
    return np.random.default_rng(seed), seed
