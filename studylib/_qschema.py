"""Schema of questionnaire definitions and the checks that enforce it (used by
:mod:`studylib.questionnaires`). Every error is a :class:`SpecError` whose message names
the file (when known), the scale and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np

from .errors import SpecError

__all__ = ["SCHEMA", "KINDS", "SCORE_RULES", "LANGUAGES"]

KINDS = ("scale", "single_items")
SCORE_RULES = ("mean", "sum")
LANGUAGES = ("en", "nl")

#: The schema every questionnaire definition is checked against, field by field:
#: ``(type description, required)``. Unknown fields are errors (they are usually typos).
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "scale": {
        "id": ("identifier (the file stem)", True),
        "kind": ("'scale'", False),
        "name": ("text", False),
        "construct": ("text", False),
        "citation": ("text", False),
        "doi": ("text", False),
        "doi_related": ("list of text", False),
        "adaptation": ("text", False),
        "min": ("number", True),
        "max": ("number greater than min", True),
        "anchors": ("mapping response value -> {en: text, nl: text}", False),
        "items": ("non-empty list of item ids or {id, en, nl} mappings", True),
        "reverse": ("list of item ids", False),
        "score": ("'mean' or 'sum' (default 'mean')", False),
        "min_valid_items": ("whole number 1..number of items (default: all items)", False),
    },
    "single_items": {
        "id": ("identifier (the file stem)", True),
        "kind": ("'single_items'", True),
        "name": ("text", False),
        "construct": ("text", False),
        "citation": ("text", False),
        "doi": ("text", False),
        "doi_related": ("list of text", False),
        "adaptation": ("text", False),
        "items": ("non-empty list of {id, en, nl, min, max, ...} mappings", True),
    },
    "scale_item": {
        "id": ("item id (a data column)", True),
        "en": ("text", False),
        "nl": ("text", False),
    },
    "single_item": {
        "id": ("item id (a data column)", True),
        "en": ("text", False),
        "nl": ("text", False),
        "min": ("number", True),
        "max": ("number greater than min", True),
        "codes": ("mapping of every whole number min..max -> {en: text, nl: text}", False),
        "anchors": ("mapping response value -> {en: text, nl: text}", False),
        "correct": ("the correct answer, a value in min..max", False),
        "unit": ("text", False),
    },
}

_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


# --------------------------------------------------------------------------------------
# validation helpers (all raise SpecError naming where + field)


def _where(source: str | None, sid: Any, kind: str = "scale") -> str:
    label = f"{kind} {sid!r}" if sid is not None else kind
    return f"{source} ({label})" if source else label


def _fail(where: str, fld: str, problem: str) -> SpecError:
    return SpecError(f"{where}: field {fld!r}: {problem}")


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)


def _text(d: Mapping[str, Any], key: str, where: str, *, fld: str | None = None) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, fld or key, f"must be text; got {value!r}")
    return value


def _number(d: Mapping[str, Any], key: str, where: str, *, fld: str | None = None) -> float | int:
    fld = fld or key
    if key not in d or d[key] is None:
        raise _fail(
            where,
            fld,
            "is required: declare the lowest and highest possible answer (min and max); "
            "reverse keying computes max + min - x and is never inferred from the data",
        )
    value = d[key]
    if not _is_number(value):
        raise _fail(where, fld, f"must be a finite number; got {value!r}")
    return value


def _check_keys(d: Mapping[str, Any], schema: str, where: str, prefix: str = "") -> None:
    allowed = SCHEMA[schema]
    unknown = [k for k in d if k not in allowed]
    if unknown:
        raise SpecError(
            f"{where}: unknown field(s) {[f'{prefix}{k}' for k in unknown]}; "
            f"allowed: {list(allowed)}"
        )


def _labels(value: Any, where: str, fld: str, low: float, high: float) -> dict[Any, dict[str, str]]:
    """Validate an anchors/codes mapping: response value -> {en, nl}."""
    if not isinstance(value, Mapping):
        raise _fail(where, fld, f"must be a mapping response value -> {{en: ..., nl: ...}}; got {value!r}")
    out: dict[Any, dict[str, str]] = {}
    for key, label in value.items():
        if not _is_number(key) or not (low <= key <= high):
            raise _fail(where, f"{fld}.{key}", f"response value must be a number in {low:g}..{high:g}")
        if isinstance(label, str):
            label = {"en": label}
        if not isinstance(label, Mapping) or not label:
            raise _fail(where, f"{fld}.{key}", f"must be a mapping {{en: text, nl: text}}; got {label!r}")
        bad = [k for k in label if k not in LANGUAGES or not isinstance(label[k], str)]
        if bad:
            raise _fail(where, f"{fld}.{key}", f"languages must be {list(LANGUAGES)} with text; got {dict(label)!r}")
        out[key] = dict(label)
    return out


def _item_id(value: Any, where: str, fld: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise _fail(
            where,
            fld,
            f"item id must be text starting with a letter or '_' (letters, digits, '_', '.'); got {value!r}",
        )
    return value


def _check_min_max(lo: float, hi: float, where: str, prefix: str = "") -> None:
    if not lo < hi:
        raise _fail(where, f"{prefix}max", f"must be greater than min; got min={lo!r}, max={hi!r}")


def check_scale_fields(scale: Any, where: str) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """Check the fields of a constructed Scale as ``Scale.from_dict`` checks a definition.

    Returns ``(items, reverse, min_valid_items)`` normalised: tuples, reverse items in item
    order, ``min_valid_items`` 0 (the dataclass default) meaning every item.
    """
    _item_id(scale.id, where, "id")
    if isinstance(scale.items, str) or not isinstance(scale.items, (list, tuple)) or not scale.items:
        raise _fail(where, "items", f"must be a non-empty list of item ids; got {scale.items!r}")
    items = tuple(scale.items)
    for i, iid in enumerate(items):
        _item_id(iid, where, f"items[{i}]")
    dup = sorted({i for i in items if items.count(i) > 1})
    if dup:
        raise _fail(where, "items", f"lists items more than once: {dup}")
    for key, value in (("min", scale.min), ("max", scale.max)):
        if not _is_number(value):
            raise _fail(where, key, f"must be a finite number; got {value!r}")
    _check_min_max(scale.min, scale.max, where)
    if isinstance(scale.reverse, str) or not isinstance(scale.reverse, (list, tuple)):
        raise _fail(where, "reverse", f"must be a list of item ids; got {scale.reverse!r}")
    unknown = [r for r in scale.reverse if r not in items]
    if unknown:
        raise _fail(where, "reverse", f"{unknown} are not among the items {list(items)}")
    if scale.score not in SCORE_RULES:
        raise _fail(where, "score", f"must be one of {list(SCORE_RULES)}; got {scale.score!r}")
    k = len(items)
    mvi = scale.min_valid_items
    if mvi == 0 and not isinstance(mvi, bool):
        mvi = k
    if not isinstance(mvi, int) or isinstance(mvi, bool) or not 1 <= mvi <= k:
        raise _fail(where, "min_valid_items", f"must be a whole number from 1 to {k} (the number of items); got {mvi!r}")
    if scale.score == "sum" and mvi != k:
        raise _fail(where, "min_valid_items", f"must equal the number of items ({k}) with score: sum; got {mvi}")
    return items, tuple(i for i in items if i in set(scale.reverse)), mvi
