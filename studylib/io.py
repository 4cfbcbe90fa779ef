"""Reading questionnaire exports (CSV, Qualtrics CSV, SPSS .sav) and preparing them.

:func:`read_data` reads a file as it is (no column is renamed or recoded) and records what
it read in ``.attrs["read_report"]``; :func:`prepare` maps export columns to item ids with a
study configuration, parses the conditions and checks every value. :func:`write_data`
writes an export (used for the shipped synthetic files and round-trip tests). Files in
``data/raw`` are only ever read.
"""

from __future__ import annotations

import csv
import io as _io
import itertools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._prepare import prepare
from ._reading import decode, explicit_encoding, read_bytes, resolve_encoding
from ._validation import check_dataframe, check_option
from .errors import DataError, InputTypeError, OptionError
from .output import note_input, write_text, write_with
from .study import Study

__all__ = ["read_data", "prepare", "write_data", "ReadReport", "spss_name"]

_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_SAV_SUFFIXES = (".sav", ".zsav")


@dataclass(frozen=True)
class ReadReport:
    """What :func:`read_data` read: file, format, size and which columns a study uses.

    ``columns_used``/``columns_ignored``/``columns_missing`` are empty when no study was
    given. ``columns_missing`` lists study columns (or item ids with all their aliases)
    not found in the file.
    """

    path: str
    format: str
    n_rows: int
    n_columns: int
    columns_used: tuple[str, ...] = ()
    columns_ignored: tuple[str, ...] = ()
    columns_missing: tuple[str, ...] = ()

    def summary(self) -> str:
        """A few lines for people."""
        lines = [f"read {self.n_rows} rows x {self.n_columns} columns from {self.path} ({self.format})"]
        if self.columns_used:
            lines.append(f"columns used: {len(self.columns_used)}")
        if self.columns_ignored:
            lines.append(f"unknown columns ignored: {', '.join(self.columns_ignored)}")
        if self.columns_missing:
            lines.append(f"columns the study needs but not found: {', '.join(self.columns_missing)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spss_name(column: str) -> str:
    """The SPSS variable name :func:`write_data` gives a column.

    >>> spss_name("Duration (in seconds)")
    'Duration_in_seconds'
    """
    name = re.sub(r"[^A-Za-z0-9_.@#$]+", "_", column).strip("_.") or "v"
    if not name[0].isalpha():
        name = "v_" + name
    return name[:64]


def _study_columns(study: Study) -> tuple[list[str], dict[str, list[str]]]:
    """(fixed columns: id + factor columns, item id -> export aliases)."""
    fixed = [study.id_column] + [f.column for f in study.factors]
    aliases: dict[str, list[str]] = {}
    for col, item in study.columns.items():
        aliases.setdefault(item, []).append(col)
    return fixed, aliases


def _integerize(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns holding only whole numbers become nullable Int64."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s):
            v = s.to_numpy(dtype=float, na_value=np.nan)
            finite = v[~np.isnan(v)]
            if np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53):
                s = pd.Series(v, index=s.index, dtype="Float64").astype("Int64")
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


def _read_csv(path: Path, encoding: str, hint: str) -> tuple[pd.DataFrame, str, dict[str, str]]:
    raw = read_bytes(path, "data file")
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; a CSV export with a header row is needed")
    if b"\x00" in raw:
        raise DataError(f"{path}: the file holds binary data (NUL bytes), not CSV text; "
                        "export the data as CSV or SPSS .sav")
    text = decode(raw, path, encoding, what="data file", error=DataError, hint=hint)
    first = text.splitlines()[0] if text.splitlines() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    sep = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        head = list(itertools.islice(csv.reader(_io.StringIO(text), delimiter=sep), 3))
        header = [h.strip() for h in head[0]] if head else []
        qualtrics = len(head) == 3 and any(c.startswith('{"ImportId"') for c in head[2])
        # older Qualtrics exports: one row of question texts, no ImportId row
        legacy = not qualtrics and len(head) >= 2 and any(
            h.strip() in ("ResponseId", "ResponseID") and i < len(head[1]) and head[1][i].strip() == "Response ID"
            for i, h in enumerate(head[0]))
        skip = [1, 2] if qualtrics else ([1] if legacy else None)
        qualtrics = qualtrics or legacy
        frame = pd.read_csv(_io.StringIO(text), sep=sep, keep_default_na=False, na_values=[""],
                            skip_blank_lines=True, engine="c", skiprows=skip)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError,
            OverflowError, IndexError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({type(exc).__name__}: "
                        f"{str(exc).strip()[:200]})") from None
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise DataError(f"{path}: the header names columns more than once: {dup}; column names must be unique")
    if frame.shape[1] != len(header):
        raise DataError(f"{path}: rows have more fields than the header ({len(header)} names); "
                        "check the delimiter and quoting")
    frame.columns = header
    question_text = {}
    if qualtrics:
        question_text = dict(zip(header, head[1], strict=False))
    cols = {}
    for col in frame.columns:
        s = frame[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            s = s.astype(object).where(s.notna(), None).map(lambda v: v if v is None else str(v)).astype("str")
        cols[col] = s
    frame = _integerize(pd.DataFrame(cols, index=frame.index))
    frame.attrs["header_lines"] = 1 + len(skip or [])
    return frame, ("qualtrics_csv" if qualtrics else "csv"), question_text


def _read_sav(path: Path, encoding: str | None) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[Any, str]]]:
    import pyreadstat

    note_input(path, "data file")
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False,
                                          **({"encoding": encoding} if encoding else {}))
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeDecodeError,
            ValueError, OSError) as exc:
        raise DataError(f"{path}: not a readable SPSS .sav file ({type(exc).__name__}: {exc})") from None
    value_labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items() if c in frame}
    question_text = {c: (t or "") for c, t in (meta.column_names_to_labels or {}).items()}
    cols = {}
    for col in frame.columns:
        s = frame[col]
        if not pd.api.types.is_numeric_dtype(s):
            s = s.astype("str").where(s.notna() & (s.astype("str") != ""), None).astype("str")
        cols[col] = s
    frame = _integerize(pd.DataFrame(cols))
    for col, labels in value_labels.items():
        s = frame[col]
        if not pd.api.types.is_numeric_dtype(s):
            continue
        codes = sorted(labels)
        observed = set(pd.unique(s.dropna().astype(float)))
        if not observed <= {float(c) for c in codes}:
            continue  # partly labelled (e.g. Likert end points): keep the numbers
        cats = [str(labels[c]) for c in codes]
        if len(set(cats)) != len(cats):
            continue
        lookup = {float(c): str(labels[c]) for c in codes}
        values = [lookup[float(v)] if pd.notna(v) else None for v in s.astype(object)]
        frame[col] = pd.Categorical(values, categories=cats)
    return frame, question_text, value_labels


def read_data(path: str | Path, *, study: Study | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a questionnaire export: plain CSV, Qualtrics CSV or SPSS ``.sav``.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv`` (comma, semicolon or tab separated, detected from the
        header line) or ``.sav``/``.zsav``. A Qualtrics CSV (a row of question texts and a
        row of ``{"ImportId": ...}`` under the header) is detected and its two extra rows
        dropped; the question texts are kept.
    study : Study, optional
        If given, the report lists the columns the study uses, the unknown columns that
        will be ignored and the study columns not found (no error here: :func:`prepare`
        raises on missing columns).
    encoding : str, optional
        Text encoding of the file (e.g. ``'cp1252'`` for a CSV saved by Excel on Windows).
        Default: the study file's ``encoding:``, else UTF-8 (a byte-order mark is ignored).
        For a ``.sav`` file, only when given: SPSS files record their own encoding.

    Returns
    -------
    pandas.DataFrame
        The data as exported (column names unchanged). Only empty cells are missing.
        Columns holding only whole numbers are ``Int64``, other numbers ``float64``,
        text ``str``; in a ``.sav`` file, numeric variables whose every value has a value
        label become Categoricals of the labels (categories in code order). ``.attrs``
        holds ``read_report`` (a :class:`ReadReport`), ``source`` (the path),
        ``question_text`` (column -> text, from a Qualtrics CSV or the SPSS variable
        labels) and ``value_labels`` (column -> {code: label}, .sav only).

    Raises
    ------
    FileNotFoundError
        No such file.
    DataError
        Not a CSV or .sav file, empty, binary, undecodable, unparsable, or duplicate
        column names; the message names the file.

    Notes
    -----
    .sav files are read with pyreadstat (ReadStat). Damaged .sav files normally raise
    :class:`DataError`, but some corruptions crash ReadStat's C code (seen with pyreadstat
    1.3.7), which no Python code can catch; re-export such a file from the survey tool.

    Examples
    --------
    >>> from studylib import read_data, load_study
    >>> from studylib.paths import SYNTHETIC
    >>> raw = read_data(SYNTHETIC / "influencer_study.csv", study=load_study())
    >>> # R: readr::read_csv(f); qualtRics::read_survey(f); haven::read_sav(f)
    >>> raw.shape
    (310, 33)
    >>> print(raw.attrs["read_report"].summary())
    read 310 rows x 33 columns from .../influencer_study.csv (csv)
    columns used: 28
    unknown columns ignored: StartDate, EndDate, Progress, Finished, UserLanguage
    >>> sav = read_data(SYNTHETIC / "influencer_study.sav")
    >>> sav["Valence"].cat.categories.tolist()
    ['Negative comments', 'Positive comments']
    """
    if encoding is not None and not isinstance(encoding, str):
        raise InputTypeError(f"encoding must be a str such as 'utf-8'; got {encoding!r}")
    if not isinstance(path, (str, Path)):
        raise InputTypeError(f"path must be a str or Path; got {type(path).__name__}")
    if study is not None and not isinstance(study, Study):
        raise InputTypeError(f"study must be a Study (from studylib.load_study); got {type(study).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    question_text: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    study_encoding = getattr(study, "encoding", None)
    if suffix in _CSV_SUFFIXES:
        hint = ", or set 'encoding: cp1252' in the study file" if study is not None and study.path else ""
        frame, fmt, question_text = _read_csv(path, resolve_encoding(encoding, study_encoding), hint)
    elif suffix in _SAV_SUFFIXES:
        frame, question_text, value_labels = _read_sav(path, explicit_encoding(encoding) or study_encoding)
        fmt = "sav"
        frame.attrs["header_lines"] = 0  # rows are numbered as SPSS numbers its cases, from 1
    else:
        raise DataError(f"{path}: not a CSV or SPSS file (suffix {path.suffix!r}); "
                        f"allowed: {', '.join(_CSV_SUFFIXES + _SAV_SUFFIXES)}")
    used: list[str] = []
    ignored: list[str] = []
    missing: list[str] = []
    if study is not None:
        fixed, aliases = _study_columns(study)
        known = set(fixed) | set(study.columns)
        used = [c for c in frame.columns if c in known]
        ignored = [c for c in frame.columns if c not in known]
        missing = [c for c in fixed if c not in frame.columns]
        missing += ["/".join(a) for a in aliases.values() if not any(c in frame.columns for c in a)]
    report = ReadReport(str(path), fmt, int(frame.shape[0]), int(frame.shape[1]),
                        tuple(used), tuple(ignored), tuple(missing))
    frame.attrs = {"read_report": report, "source": str(path), "question_text": question_text,
                   "value_labels": value_labels, "header_lines": frame.attrs.get("header_lines", 1)}
    return frame


def _coded(data: pd.DataFrame, study: Study | None) -> dict[str, dict[float, str]]:
    """Export column -> {code: label} for text columns that the study codes."""
    if study is None:
        return {}
    out: dict[str, dict[float, str]] = {}
    for f in study.factors:
        labels = {}
        for level, values in f.labels.items():
            codes = [v for v in values if not isinstance(v, str)]
            texts = [v for v in values if isinstance(v, str)]
            if codes:
                labels[float(codes[0])] = texts[0] if texts else level
        if len(labels) == len(f.levels):
            out[f.column] = labels
    for col, item in study.columns.items():
        if item in study.codes:
            out[col] = {code: label for label, code in study.codes[item].items()}
    return {c: v for c, v in out.items() if c in data.columns}


def write_data(
    data: pd.DataFrame,
    path: str | Path,
    *,
    format: str | None = None,
    study: Study | None = None,
    question_text: Mapping[str, str] | None = None,
) -> Path:
    """Write an export as CSV, Qualtrics-style CSV or SPSS ``.sav`` (with value labels).

    Parameters
    ----------
    data : DataFrame
        A raw export (e.g. from :func:`studylib.simulate.simulate_study`).
    path : str or Path
        Output file. Refuses to write inside ``data/raw`` (user exports are read-only).
    format : {"csv", "qualtrics_csv", "sav"}, optional
        Default from the suffix (``.csv`` -> csv, ``.sav`` -> sav).
    study : Study, optional
        For ``.sav``: text columns that the study codes (condition columns, ``codes``)
        are written as numeric codes with value labels, as survey tools export them.
    question_text : mapping, optional
        Column -> question text (Qualtrics' second header row; SPSS variable labels).

    Returns
    -------
    Path
        The file written. CSV output is byte-for-byte deterministic; a .sav file holds
        its creation time, so only its content is.

    Raises
    ------
    OptionError
        Unknown ``format``, or an :class:`~studylib.errors.OutputError` (a subclass): a path
        inside ``data/raw``, an existing file studylib did not write, or a failed write
        (:mod:`studylib.output`).
    """
    check_dataframe(data)
    path = Path(path)
    if format is None:
        format = "sav" if path.suffix.lower() in _SAV_SUFFIXES else "csv"
    check_option(format, "format", ("csv", "qualtrics_csv", "sav"))
    qt = dict(question_text or {})
    if format in ("csv", "qualtrics_csv"):
        fh = _io.StringIO()
        if format == "qualtrics_csv":
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(list(data.columns))
            w.writerow([qt.get(c, c) for c in data.columns])
            w.writerow([f'{{"ImportId":"{c}"}}' for c in data.columns])
            data.to_csv(fh, index=False, header=False, lineterminator="\n")
        else:
            data.to_csv(fh, index=False, lineterminator="\n")
        write_text(path, fh.getvalue())
        return path
    import pyreadstat

    coded = _coded(data, study)
    cols, labels, measure, var_labels = {}, {}, {}, []
    names = [spss_name(c) for c in data.columns]
    if len(set(names)) != len(names):
        raise OptionError(f"columns {list(data.columns)} give duplicate SPSS names {names}")
    for col, name in zip(data.columns, names, strict=True):
        s = data[col]
        if col in coded and not pd.api.types.is_numeric_dtype(s):
            inverse = {label: code for code, label in coded[col].items()}
            unknown = sorted(set(s.dropna().astype(str)) - set(inverse))
            if unknown:
                raise OptionError(f"column {col!r} has labels {unknown} without a code in the study")
            s = s.astype(object).map(lambda v, inv=inverse: inv.get(v, np.nan) if isinstance(v, str) else np.nan)
            labels[name] = {int(k) if float(k).is_integer() else k: v for k, v in coded[col].items()}
            measure[name] = "nominal"
        if pd.api.types.is_numeric_dtype(s):
            s = pd.to_numeric(s).astype("float64")
            measure.setdefault(name, "scale")
        else:
            s = s.astype(object).where(s.notna(), "")
            measure[name] = "nominal"
        cols[name] = s
        var_labels.append(qt.get(col, col))
    frame = pd.DataFrame(cols)

    def _write(target: Path) -> None:
        try:
            pyreadstat.write_sav(frame, str(target), column_labels=var_labels,
                                 variable_value_labels=labels, variable_measure=measure)
        except pyreadstat.PyreadstatError as exc:  # its own class for a file it cannot open
            raise OSError(f"cannot write the SPSS file ({exc})") from exc

    write_with(path, _write)
    return path
