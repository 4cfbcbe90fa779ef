"""Questionnaire definitions: load and validate YAML scale files, or build scales in code.

A questionnaire file (``questionnaires/<id>.yaml``) describes either a multi-item
``scale`` (items, reverse keys, answer range, scoring rule) or a set of
``single_items`` (manipulation checks, attention check, demographics), each with its own
allowed range or answer codes. Every file is checked against the schema in
:data:`SCHEMA` on load; errors name the file, the scale and the field.

The schema is kept in code (no extra dependency); ``questionnaires/README.md`` describes
the format for people who write the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paths
from ._qschema import (
    KINDS,
    LANGUAGES,
    SCHEMA,
    SCORE_RULES,
    _check_keys,
    _check_min_max,
    _fail,
    _is_number,
    _item_id,
    _labels,
    _number,
    _text,
    _where,
    check_scale_fields,
)
from ._reading import content_errors, read_yaml
from ._validation import check_columns, check_dataframe, check_range, format_rows
from .errors import DataError, SpecError

__all__ = [
    "Scale",
    "SingleItem",
    "ItemSet",
    "SCHEMA",
    "load_scale",
    "load_questionnaires",
    "parse_questionnaire",
]


# --------------------------------------------------------------------------------------
# Scale


@dataclass(frozen=True)
class Scale:
    """A multi-item questionnaire scale: items, reverse keys, answer range, scoring rule.

    Build one with :meth:`Scale.from_dict` (a researcher's own instrument) or load a
    shipped or user YAML file with :func:`load_scale`.

    Attributes
    ----------
    id : str
        Scale id; also the score column name in :func:`studylib.score_scales`.
    items : tuple of str
        Item ids = data column names, in questionnaire order.
    min, max : int or float
        Lowest and highest possible answer. Reverse keying computes ``max + min - x``.
    reverse : tuple of str
        Reverse-keyed items (a subset of ``items``).
    score : {'mean', 'sum'}
        Scoring rule.
    min_valid_items : int
        A respondent gets a score only with at least this many answered items (built
        directly, the default 0 becomes the number of items, as in :meth:`from_dict`).

    Raises
    ------
    SpecError
        Built directly with fields that :meth:`from_dict` would reject (min not below max,
        unknown reverse items, an unknown score rule, ...).
    name, construct, citation, doi : str
        Descriptive metadata ("" when not given).
    metadata : dict
        Further metadata: ``adaptation``, ``doi_related``, ``anchors``
        (value -> {en, nl}), ``wording`` (item id -> {en, nl}) and ``source`` (file).

    Examples
    --------
    >>> s = Scale.from_dict({"id": "agree", "items": ["-A1", "A2", "A3"], "min": 1, "max": 6})
    >>> s.items, s.reverse, s.score, s.min_valid_items
    (('A1', 'A2', 'A3'), ('A1',), 'mean', 3)
    """

    id: str
    items: tuple[str, ...]
    min: float
    max: float
    reverse: tuple[str, ...] = ()
    score: str = "mean"
    min_valid_items: int = 0
    name: str = ""
    construct: str = ""
    citation: str = ""
    doi: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # A Scale built directly, Scale(id=..., ...), gets the checks of from_dict: without
        # them min > max, unknown reverse items or score="avg" (scored as a sum) got through.
        source = self.metadata.get("source") if isinstance(self.metadata, Mapping) else None
        items, reverse, mvi = check_scale_fields(self, _where(source, self.id))
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "reverse", reverse)
        object.__setattr__(self, "min_valid_items", mvi)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str | None = None) -> Scale:
        """Build and validate a scale from a mapping with the fields of a scale YAML file.

        Required: ``id``, ``items``, ``min``, ``max``. Items are ids or ``{id, en, nl}``
        mappings; an id written as ``"-A1"`` (psych's shorthand) marks a reverse-keyed
        item and is converted to the explicit ``reverse`` list. ``score`` defaults to
        ``'mean'`` and ``min_valid_items`` to the number of items (no missing answers).

        Parameters
        ----------
        d : mapping
            The definition (see ``questionnaires/README.md``).
        source : str, optional
            File the definition came from, used in error messages.

        Returns
        -------
        Scale

        Raises
        ------
        SpecError
            A field is missing (e.g. ``min``/``max``), unknown, or has a wrong value; the
            message names the file (if any), the scale and the field.

        Examples
        --------
        >>> Scale.from_dict({"id": "x", "items": ["a", "b"], "min": 1})
        Traceback (most recent call last):
        ...
        studylib.errors.SpecError: scale 'x': field 'max': is required: ...
        """
        if not isinstance(d, Mapping):
            raise SpecError(f"{_where(source, None)}: a scale definition must be a mapping; got {type(d).__name__}")
        sid = d.get("id")
        where = _where(source, sid)
        if sid is None:
            raise _fail(where, "id", "is required")
        _item_id(sid, where, "id")
        kind = d.get("kind", "scale")
        if kind != "scale":
            raise _fail(where, "kind", f"must be 'scale' for a Scale; got {kind!r} (single items load as ItemSet)")
        _check_keys(d, "scale", where)
        lo = _number(d, "min", where)
        hi = _number(d, "max", where)
        _check_min_max(lo, hi, where)

        raw_items = d.get("items")
        if not isinstance(raw_items, (list, tuple)) or not raw_items:
            raise _fail(where, "items", f"must be a non-empty list of item ids; got {raw_items!r}")
        items: list[str] = []
        wording: dict[str, dict[str, str]] = {}
        shorthand_rev: list[str] = []
        for i, entry in enumerate(raw_items):
            fld = f"items[{i}]"
            if isinstance(entry, Mapping):
                _check_keys(entry, "scale_item", where, prefix=f"{fld}.")
                if "id" not in entry:
                    raise _fail(where, f"{fld}.id", "is required")
                iid = entry["id"]
                texts = {k: _text(entry, k, where, fld=f"{fld}.{k}") for k in LANGUAGES}
            else:
                iid, texts = entry, {}
            if isinstance(iid, str) and iid.startswith("-"):
                iid = iid[1:]
                shorthand_rev.append(iid)
            _item_id(iid, where, fld)
            if iid in items:
                raise _fail(where, fld, f"item {iid!r} is listed more than once")
            items.append(iid)
            texts = {k: v for k, v in texts.items() if v is not None}
            if texts:
                wording[iid] = texts

        rev = d.get("reverse", []) or []
        if isinstance(rev, str) or not isinstance(rev, (list, tuple)):
            raise _fail(where, "reverse", f"must be a list of item ids; got {rev!r}")
        for j, r in enumerate(rev):
            if r not in items:
                raise _fail(where, f"reverse[{j}]", f"{r!r} is not one of the items {items}")
        if len(set(rev)) != len(rev):
            raise _fail(where, "reverse", f"lists an item more than once: {list(rev)}")
        rev_set = set(rev) | set(shorthand_rev)
        reverse = tuple(i for i in items if i in rev_set)

        score = d.get("score", "mean")
        if score not in SCORE_RULES:
            raise _fail(where, "score", f"must be one of {list(SCORE_RULES)}; got {score!r}")
        k = len(items)
        mvi = d.get("min_valid_items", k)
        if not isinstance(mvi, int) or isinstance(mvi, bool) or not 1 <= mvi <= k:
            raise _fail(where, "min_valid_items", f"must be a whole number from 1 to {k} (the number of items); got {mvi!r}")
        if score == "sum" and mvi != k:
            raise _fail(
                where,
                "min_valid_items",
                f"must equal the number of items ({k}) with score: sum, because a sum over fewer "
                f"items is not comparable and prorating would impute; got {mvi}. Use score: mean",
            )
        anchors = _labels(d["anchors"], where, "anchors", lo, hi) if d.get("anchors") is not None else {}
        doi_related = d.get("doi_related") or []
        if not isinstance(doi_related, (list, tuple)) or not all(isinstance(x, str) for x in doi_related):
            raise _fail(where, "doi_related", f"must be a list of DOIs (text); got {doi_related!r}")
        metadata = {
            "adaptation": _text(d, "adaptation", where) or "",
            "doi_related": list(doi_related),
            "anchors": anchors,
            "wording": wording,
            "source": source,
        }
        return cls(
            id=sid,
            items=tuple(items),
            min=lo,
            max=hi,
            reverse=reverse,
            score=score,
            min_valid_items=mvi,
            name=_text(d, "name", where) or sid,
            construct=_text(d, "construct", where) or "",
            citation=_text(d, "citation", where) or "",
            doi=_text(d, "doi", where) or "",
            metadata=metadata,
        )

    def to_dict(self) -> dict[str, Any]:
        """The definition as a plain mapping (the YAML fields); ``from_dict`` reads it back.

        >>> s = Scale.from_dict({"id": "x", "items": ["a", "-b"], "min": 1, "max": 5})
        >>> Scale.from_dict(s.to_dict()) == s
        True
        """
        meta = self.metadata
        wording = meta.get("wording", {})
        d: dict[str, Any] = {
            "id": self.id,
            "kind": "scale",
            "name": self.name,
            "construct": self.construct,
            "citation": self.citation,
            "doi": self.doi,
            "doi_related": list(meta.get("doi_related", [])),
            "adaptation": meta.get("adaptation", ""),
            "min": self.min,
            "max": self.max,
            "anchors": {k: dict(v) for k, v in meta.get("anchors", {}).items()},
            "items": [{"id": i, **wording.get(i, {})} for i in self.items],
            "reverse": list(self.reverse),
            "score": self.score,
            "min_valid_items": self.min_valid_items,
        }
        return d

    def wording(self, lang: str = "en") -> dict[str, str]:
        """Item texts in ``lang`` ('en' or 'nl'), item id -> text (items without text omitted)."""
        if lang not in LANGUAGES:
            raise SpecError(f"lang must be one of {list(LANGUAGES)}; got {lang!r}")
        w = self.metadata.get("wording", {})
        return {i: w[i][lang] for i in self.items if lang in w.get(i, {})}


# --------------------------------------------------------------------------------------
# single items


@dataclass(frozen=True)
class SingleItem:
    """One single-item question: allowed range, optional answer codes, correct answer.

    ``codes`` (value -> {en, nl}) lists every allowed answer of a categorical question;
    ``anchors`` labels some points of a rating; ``correct`` is the right answer of an
    instructed (attention-check) item.
    """

    id: str
    min: float
    max: float
    en: str = ""
    nl: str = ""
    codes: Mapping[Any, Mapping[str, str]] | None = field(default=None, hash=False)
    anchors: Mapping[Any, Mapping[str, str]] | None = field(default=None, hash=False)
    correct: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class ItemSet:
    """A set of single items (``kind: single_items``): checks, demographics, status.

    Examples
    --------
    >>> q = load_scale("attention_check")
    >>> q.items[0].id, q.items[0].correct
    ('attn_01', 2)
    """

    id: str
    items: tuple[SingleItem, ...]
    name: str = ""
    construct: str = ""
    citation: str = ""
    doi: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str | None = None) -> ItemSet:
        """Build and validate a set of single items (fields as in a ``single_items`` file)."""
        if not isinstance(d, Mapping):
            raise SpecError(f"{_where(source, None, 'questionnaire')}: definition must be a mapping")
        sid = d.get("id")
        where = _where(source, sid, "questionnaire")
        if sid is None:
            raise _fail(where, "id", "is required")
        _item_id(sid, where, "id")
        _check_keys(d, "single_items", where)
        raw = d.get("items")
        if not isinstance(raw, (list, tuple)) or not raw:
            raise _fail(where, "items", f"must be a non-empty list of item mappings; got {raw!r}")
        items: list[SingleItem] = []
        for i, e in enumerate(raw):
            fld = f"items[{i}]"
            if not isinstance(e, Mapping):
                raise _fail(where, fld, f"must be a mapping {{id, en, nl, min, max, ...}}; got {e!r}")
            _check_keys(e, "single_item", where, prefix=f"{fld}.")
            if "id" not in e:
                raise _fail(where, f"{fld}.id", "is required")
            iid = _item_id(e["id"], where, f"{fld}.id")
            if any(it.id == iid for it in items):
                raise _fail(where, f"{fld}.id", f"item {iid!r} is listed more than once")
            lo = _number(e, "min", where, fld=f"{fld}.min")
            hi = _number(e, "max", where, fld=f"{fld}.max")
            _check_min_max(lo, hi, where, prefix=f"{fld}.")
            codes = None
            if e.get("codes") is not None:
                codes = _labels(e["codes"], where, f"{fld}.codes", lo, hi)
                expected = list(range(int(np.ceil(lo)), int(np.floor(hi)) + 1))
                if sorted(codes) != expected:
                    raise _fail(where, f"{fld}.codes", f"must label every whole number {lo:g}..{hi:g}; got {sorted(codes)}")
            anchors = _labels(e["anchors"], where, f"{fld}.anchors", lo, hi) if e.get("anchors") is not None else None
            correct = e.get("correct")
            if correct is not None and (not _is_number(correct) or not lo <= correct <= hi):
                raise _fail(where, f"{fld}.correct", f"must be a value in {lo:g}..{hi:g}; got {correct!r}")
            items.append(
                SingleItem(
                    id=iid,
                    min=lo,
                    max=hi,
                    en=_text(e, "en", where, fld=f"{fld}.en") or "",
                    nl=_text(e, "nl", where, fld=f"{fld}.nl") or "",
                    codes=codes,
                    anchors=anchors,
                    correct=correct,
                    unit=_text(e, "unit", where, fld=f"{fld}.unit") or "",
                )
            )
        metadata = {"adaptation": _text(d, "adaptation", where) or "", "doi_related": list(d.get("doi_related") or []), "source": source}
        return cls(
            id=sid,
            items=tuple(items),
            name=_text(d, "name", where) or sid,
            construct=_text(d, "construct", where) or "",
            citation=_text(d, "citation", where) or "",
            doi=_text(d, "doi", where) or "",
            metadata=metadata,
        )

    def item(self, item_id: str) -> SingleItem:
        """The item with id ``item_id``; :class:`SpecError` if there is none."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise SpecError(f"questionnaire {self.id!r} has no item {item_id!r}; items: {[i.id for i in self.items]}")

    def check(self, data: pd.DataFrame) -> None:
        """Check the answers in ``data`` to these items; raise a studylib error if any is bad.

        Every item column must exist, be numeric and lie in ``min..max``; items with
        ``codes`` must use one of the codes. Missing answers (NaN) are allowed.

        >>> q = load_scale("follower_status")
        >>> q.check(pd.DataFrame({"follower": [0, 1, 2]}))
        Traceback (most recent call last):
        ...
        studylib.errors.DataError: column 'follower' has values outside the declared range 0..1 in rows 2 (value 2.0) ...
        """
        check_dataframe(data)
        context = f"questionnaire {self.id!r}"
        check_columns(data, [it.id for it in self.items], context=context)
        for it in self.items:
            check_range(data, [it.id], it.min, it.max, context=context)
            if it.codes is not None:
                s = pd.to_numeric(data[it.id], errors="coerce")
                bad = s.notna() & ~s.isin(list(it.codes))
                if bad.any():
                    raise DataError(
                        f"column {it.id!r} has values that are not answer codes in rows "
                        f"{format_rows(s.index[bad], s[bad])} ({context}); allowed codes: {sorted(it.codes)}"
                    )


# --------------------------------------------------------------------------------------
# loading


def parse_questionnaire(d: Mapping[str, Any], *, source: str | None = None) -> Scale | ItemSet:
    """Validate a definition mapping and return a :class:`Scale` or an :class:`ItemSet`.

    ``kind`` (default ``'scale'``) decides which.
    """
    if not isinstance(d, Mapping):
        raise SpecError(f"{source or 'definition'}: the top level must be a mapping of fields; got {type(d).__name__}")
    kind = d.get("kind", "scale")
    if kind not in KINDS:
        raise _fail(_where(source, d.get("id")), "kind", f"must be one of {list(KINDS)}; got {kind!r}")
    if kind == "scale":
        return Scale.from_dict(d, source=source)
    return ItemSet.from_dict(d, source=source)


def _read_yaml(path: Path, encoding: str | None = None) -> Any:
    return read_yaml(path, encoding=encoding, what="questionnaire file", error=SpecError)


def _load_file(path: Path, encoding: str | None = None) -> Scale | ItemSet:
    d = _read_yaml(path, encoding)
    with content_errors(path, "questionnaire file", "questionnaires/README.md"):
        obj = parse_questionnaire(d, source=str(path))
    if obj.id != path.stem:
        raise _fail(_where(str(path), obj.id), "id", f"must equal the file name stem {path.stem!r}; got {obj.id!r}")
    return obj


def _directory(directory: str | Path | None) -> Path:
    directory = paths.QUESTIONNAIRES if directory is None else Path(directory)
    if not directory.is_dir():
        raise SpecError(f"questionnaire directory not found: {directory}")
    return directory


def load_scale(id_or_path: str | Path, *, directory: str | Path | None = None,
               encoding: str | None = None) -> Scale | ItemSet:
    """Load one questionnaire definition by id (file stem) or by path, validated.

    Parameters
    ----------
    id_or_path : str or path
        A scale id such as ``"trust"`` (looked up as ``<directory>/<id>.yaml``) or the path
        of a ``.yaml``/``.yml`` file.
    directory : str or path, optional
        Where to look up ids; default the project's ``questionnaires/`` folder.
    encoding : str, optional
        Text encoding of the file (default UTF-8).

    Returns
    -------
    Scale or ItemSet
        A :class:`Scale` for ``kind: scale``, an :class:`ItemSet` for ``kind: single_items``.

    Raises
    ------
    SpecError
        Unknown id, invalid YAML or a definition that breaks the schema (the message
        names file, scale and field).

    Examples
    --------
    >>> psr = load_scale("psr")
    >>> psr.items[:3], psr.reverse, psr.min, psr.max, psr.min_valid_items
    (('psr_01', 'psr_02', 'psr_03'), ('psr_03', 'psr_06'), 1, 7, 6)
    """
    p = Path(id_or_path)
    if isinstance(id_or_path, Path) or p.suffix in (".yaml", ".yml") or len(p.parts) > 1:
        if not p.is_file():
            raise SpecError(f"questionnaire file not found: {p}")
        return _load_file(p, encoding)
    d = _directory(directory)
    candidates = [d / f"{id_or_path}.yaml", d / f"{id_or_path}.yml"]
    for c in candidates:
        if c.is_file():
            return _load_file(c, encoding)
    available = sorted(f.stem for f in _yaml_files(d))
    raise SpecError(f"no questionnaire {str(id_or_path)!r} in {d}; available: {available}")


def _yaml_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_questionnaires(directory: str | Path | None = None, *,
                        encoding: str | None = None) -> dict[str, Scale | ItemSet]:
    """Load and validate every ``*.yaml`` definition in ``directory``, keyed by id.

    Parameters
    ----------
    directory : str or path, optional
        Default: the project's ``questionnaires/`` folder.
    encoding : str, optional
        Text encoding of the files (default UTF-8).

    Returns
    -------
    dict of str to Scale or ItemSet
        In file-name order.

    Examples
    --------
    >>> qs = load_questionnaires()
    >>> sorted(qs)
    ['attention_check', 'attitude', 'demographics', 'follower_status', 'manipulation_checks', 'pk', 'psr']
    >>> [k for k, q in qs.items() if isinstance(q, Scale)]
    ['attitude', 'pk', 'psr']
    """
    d = _directory(directory)
    out: dict[str, Scale | ItemSet] = {}
    for f in _yaml_files(d):
        obj = _load_file(f, encoding)
        if obj.id in out:
            raise SpecError(f"{f}: id {obj.id!r} is defined twice in {d}")
        out[obj.id] = obj
    return out


def as_scales(scales: Any, *, directory: str | Path | None = None) -> list[Scale]:
    """Normalise a Scale, an id, a mapping or an iterable of these to a list of Scales."""
    if isinstance(scales, (Scale, str, Path)):
        scales = [scales]
    elif isinstance(scales, Mapping):
        if "items" in scales and "id" in scales:  # a single definition dict
            scales = [scales]
        else:
            scales = list(scales.values())
    if not isinstance(scales, Iterable):
        raise SpecError(f"scales must be a Scale, a scale id, a mapping or a list of these; got {type(scales).__name__}")
    out: list[Scale] = []
    for s in scales:
        if isinstance(s, (str, Path)):
            s = load_scale(s, directory=directory)
        elif isinstance(s, Mapping):
            s = Scale.from_dict(s)
        if isinstance(s, ItemSet):
            raise SpecError(f"questionnaire {s.id!r} is a set of single items (kind: single_items) and has no scale score")
        if not isinstance(s, Scale):
            raise SpecError(f"expected a Scale, a scale id or a definition mapping; got {type(s).__name__}")
        out.append(s)
    ids = [s.id for s in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SpecError(f"scale ids given more than once: {dup}")
    return out
