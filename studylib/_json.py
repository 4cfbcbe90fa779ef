"""Conversion of results to plain JSON-serialisable Python objects."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable", "write_json"]


def to_jsonable(obj: Any) -> Any:
    """Recursively convert DataFrames, Series, numpy scalars/arrays and dataclasses.

    DataFrames become lists of records (one dict per row, index dropped unless named);
    NaN and infinities become ``None`` so that the output is strict JSON.

    >>> to_jsonable({"a": np.float64(1.5), "b": [np.nan, 2]})
    {'a': 1.5, 'b': [None, 2]}
    """
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index() if any(n is not None for n in obj.index.names) else obj
        return [to_jsonable(rec) for rec in frame.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_dict"):
            return to_jsonable(obj.to_dict())
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return str(obj)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``to_jsonable(obj)`` to ``path`` (UTF-8, indented, keys in given order).

    Through :mod:`studylib.output`: never over an input, into ``data/raw/`` or over a file
    studylib did not write.
    """
    from .output import write_text

    text = json.dumps(to_jsonable(obj), indent=2, allow_nan=False) + "\n"
    write_text(path, text)
    return Path(path)
