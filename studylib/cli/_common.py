"""Helpers shared by the CLI subcommands (private)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

__all__ = ["read_table"]


def read_table(path: str | Path, *, numeric: Iterable[str] = ()) -> pd.DataFrame:
    """Read ``--data`` with :func:`studylib.read_data` (CSV, Qualtrics CSV or SPSS .sav).

    :func:`~studylib.read_data` turns a ``.sav`` variable whose every value carries a value
    label into a Categorical of the labels. The columns named in ``numeric`` (answers that
    are analysed as numbers, such as Likert items or an outcome) get their numeric codes
    back instead. The file itself is only read.

    Raises
    ------
    FileNotFoundError
        No such file.
    DataError
        The file cannot be read as CSV or .sav (the message names it).
    """
    from ..io import read_data

    data = read_data(Path(path))
    labels = data.attrs.get("value_labels") or {}
    for col in numeric:
        if col in labels and isinstance(data[col].dtype, pd.CategoricalDtype):
            code_of = {str(label): float(code) for code, label in labels[col].items()}
            data[col] = data[col].astype(object).map(code_of).astype(float)
    return data
