"""`prepare`: from a raw export to the analysis-ready frame (re-exported by studylib.io)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_dataframe, check_range, format_rows, whole_range
from .errors import ColumnError, DataError, InputTypeError
from .study import Factor, Study

__all__ = ["prepare"]


def _where(raw: pd.DataFrame, study: Study) -> str:
    src = raw.attrs.get("source")
    parts = [f"file {src}" if src else None, f"study {study.path}" if study.path else None]
    return "; ".join(p for p in parts if p)


def first_line(raw: pd.DataFrame) -> int:
    """The export line number of the first data row: header lines + 1 (a plain CSV: 2).

    :func:`studylib.read_data` records the header lines of the file it read (a Qualtrics
    export has three); a frame not read from a file counts as a CSV with one header line.
    """
    return int(raw.attrs.get("header_lines", 1)) + 1


def _parse_factor(s: pd.Series, factor: Factor, where: str) -> pd.Categorical:
    text, codes = factor.lookup()
    values = s.astype(object).where(s.notna(), None).to_numpy()
    out = np.empty(len(values), dtype=object)
    bad: list[int] = []
    for i, v in enumerate(values):
        level = None
        if isinstance(v, str):
            level = text.get(v.strip())
            if level is None:
                try:
                    level = codes.get(float(v))
                except ValueError:
                    level = None
        elif v is not None and not isinstance(v, bool):
            try:
                level = codes.get(float(v))
            except (TypeError, ValueError):
                level = None
        if level is None:
            bad.append(i)
        out[i] = level
    if bad:
        allowed = "; ".join(f"{lvl}: {', '.join(repr(x) for x in vals)}" for lvl, vals in factor.labels.items())
        shown = [values[i] for i in bad]
        raise DataError(
            f"column {factor.column!r} (factor {factor.name!r}) has missing or unknown condition "
            f"labels in rows {format_rows(s.index[bad], shown)} ({where}); allowed: {allowed}. "
            f"Fix the data or design.{factor.name}.levels in the study configuration"
        )
    return pd.Categorical(out, categories=list(factor.levels))


def _to_number(s: pd.Series, col: str, item: str, mapping: dict[Any, float], where: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        raise DataError(f"column {col!r} (item {item!r}) is boolean; numeric answers are needed ({where})")
    if pd.api.types.is_numeric_dtype(s):
        return pd.Series(s.to_numpy(dtype=float, na_value=np.nan), index=s.index, name=item)
    obj = s.astype(object).where(s.notna(), None)
    mapped = obj.map(lambda v: mapping.get(v.strip() if isinstance(v, str) else v, np.nan)
                     if v is not None else np.nan).astype(float)
    rest = pd.to_numeric(obj.where(mapped.isna(), None), errors="coerce").astype(float)
    value = mapped.fillna(rest)
    bad = obj.notna() & value.isna()
    if bad.any():
        hint = f"; text answers allowed: {list(mapping)}" if mapping else ""
        raise DataError(
            f"column {col!r} (item {item!r}) has non-numeric answers in rows "
            f"{format_rows(s.index[bad], obj[bad])} ({where}); only numbers or empty cells "
            f"are allowed{hint}. Add the labels under 'codes' in the study configuration"
        )
    return value.rename(item)


def prepare(raw: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Turn a raw export into the analysis-ready, item-level frame.

    ``raw`` is never modified: a new frame is built.

    Parameters
    ----------
    raw : DataFrame
        As returned by :func:`read_data` or :func:`studylib.simulate.simulate_study`.
    study : Study
        The study configuration (:func:`studylib.load_study`).

    Returns
    -------
    pandas.DataFrame
        Index of ``raw``; columns ``resp_id`` (str), one Categorical per factor (levels in
        the order of ``design`` in the study file), then every item id of ``study.columns`` in file order (float64, NaN for
        missing; text answers mapped through ``codes`` or the .sav value labels).
        ``.attrs`` holds ``source`` and ``study`` (paths) and ``first_line``, the export
        line number of the first row (header = line 1).

    Raises
    ------
    InputTypeError
        ``raw`` is not a DataFrame or ``study`` not a Study.
    ColumnError
        The id column, a condition column or an item column is missing (or two aliases of
        one item are both present); one message lists every missing column with the block
        of the study file that needs it.
    DataError
        Duplicate or missing respondent ids, unknown condition labels, non-numeric answers,
        values outside a scale's min..max (or not whole numbers), outside ``ranges`` or a
        demographic's ``min``..``max`` or ``codes``, or an empty design cell. Messages name the column, the file and the rows by the
        export's line numbers (header = line 1; three header lines in a Qualtrics CSV), as a
        spreadsheet shows them.

    Examples
    --------
    >>> from studylib import load_study, prepare
    >>> from studylib.simulate import simulate_study
    >>> raw = simulate_study(n=60, seed=3)
    >>> data = prepare(raw, load_study())
    >>> # R: dplyr::rename(raw, ...) |> dplyr::mutate(valence = factor(Valence, ...))
    >>> data.columns[:6].tolist()
    ['resp_id', 'valence', 'response', 'duration_s', 'psr_01', 'psr_02']
    >>> data["response"].cat.categories.tolist()
    ['none', 'like', 'reply']
    >>> pd.crosstab(data["valence"], data["response"]).to_numpy().tolist()
    [[10, 10, 10], [10, 10, 10]]
    """
    check_dataframe(raw, "raw")
    if not isinstance(study, Study):
        raise InputTypeError(f"study must be a Study (from studylib.load_study); got {type(study).__name__}")
    index = raw.index
    where = _where(raw, study)
    first = first_line(raw)
    needs = study.needed_items()
    missing: list[str] = []
    if study.id_column not in raw.columns:
        missing.append(f"{study.id_column!r} (id_column)")
    missing += [f"{f.column!r} (design.{f.name})" for f in study.factors if f.column not in raw.columns]
    aliases: dict[str, list[str]] = {}
    for col, item in study.columns.items():
        aliases.setdefault(item, []).append(col)
    chosen: dict[str, str] = {}
    for item, cols in aliases.items():
        present = [c for c in cols if c in raw.columns]
        if not present:
            name = repr(cols[0]) if len(cols) == 1 else " or ".join(repr(c) for c in cols)
            block = needs.get(item, "columns")
            via = f"item {item!r}, " if cols != [item] else ""
            missing.append(f"{name} ({via}needed by {block})")
        elif len(present) > 1:
            raise ColumnError(f"columns {present} are all mapped to item {item!r}; keep one of them ({where})")
        else:
            chosen[item] = present[0]
    if missing:
        raise ColumnError(
            f"columns not in data: {', '.join(missing)} ({where}); rename them in the export, or edit "
            "the block of the study file named beside each column"
        )
    lines = pd.RangeIndex(first, first + len(raw))
    raw = raw.set_axis(lines, axis=0)  # messages name export line numbers (header = line 1)
    ids = raw[study.id_column]
    if ids.isna().any():
        raise DataError(f"column {study.id_column!r} (respondent id) is empty in rows "
                        f"{format_rows(ids.index[ids.isna()])} ({where})")
    ids = ids.astype(str)
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise DataError(
            f"column {study.id_column!r} must identify respondents uniquely; duplicated ids "
            f"{sorted(set(ids[dup]))[:5]} in rows {format_rows(ids.index[dup])} ({where})"
        )
    out: dict[str, Any] = {"resp_id": ids.astype("str")}
    demo_codes = {d.item: {str(label): float(code) for code, label in d.codes.items()} for d in study.demographics}
    for f in study.factors:
        out[f.name] = pd.Series(_parse_factor(raw[f.column], f, where), index=raw.index)
    value_labels = raw.attrs.get("value_labels") or {}
    for item, col in chosen.items():
        mapping: dict[Any, float] = {**demo_codes.get(item, {}), **study.codes.get(item, {})}
        for code, label in (value_labels.get(col) or {}).items():
            mapping.setdefault(str(label), float(code))
        out[item] = _to_number(raw[col], col, item, mapping, where)
    data = pd.DataFrame(out, index=lines)
    for s in study.scales:  # the rule of studylib.score and reliability (whole bounds: whole answers)
        check_range(data, list(s.items), s.min, s.max, integer=whole_range(s.min, s.max),
                    context=f"scale {s.id!r}; {where}")
    for item, (lo, hi) in study.ranges.items():
        if item in data.columns:
            check_range(data, [item], lo, hi, context=f"item {item!r}; {where}",
                        fix=f"fix the data or 'ranges: {item}' in the study file")
    for i, d in enumerate(study.demographics):
        block = f"demographics[{i}] ({d.item})"
        if d.codes:
            x = data[d.item]
            bad = x.notna() & ~x.isin([float(c) for c in d.codes])
            if bad.any():
                raise DataError(
                    f"column {chosen[d.item]!r} (item {d.item!r}) has answers that are none of the codes of "
                    f"{block} in rows {format_rows(x.index[bad], x[bad])} ({where}); allowed: "
                    f"{sorted(d.codes)}. Fix the data or the codes of that block in the study file")
        elif d.min is not None or d.max is not None:
            lo = d.min if d.min is not None else -np.inf
            hi = d.max if d.max is not None else np.inf
            check_range(data, [d.item], lo, hi, context=f"{block}; {where}",
                        fix=f"fix the data or min/max of {block} in the study file")
    names = [f.name for f in study.factors]
    counts = data.groupby(names, observed=False).size()
    empty = counts[counts == 0]
    if len(empty):
        cells = ", ".join(
            " x ".join(f"{n}={v}" for n, v in zip(names, key if isinstance(key, tuple) else (key,), strict=True))
            for key in empty.index
        )
        raise DataError(
            f"empty design cell(s): {cells} ({where}); every combination of "
            f"{' x '.join(names)} needs respondents. Check the condition labels in the study configuration"
        )
    data.index = index
    data.attrs = {"source": raw.attrs.get("source"), "study": str(study.path) if study.path else None,
                  "first_line": first}
    return data
