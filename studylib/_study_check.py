"""Small checks shared by the study-file parser (internal).

Every check raises one :class:`~studylib.errors.SpecError` naming the study file, the
block and key (``field 'manipulation_checks[0].test'``), what was found and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

from .errors import SpecError


def err(where: str, fieldname: str, what: str) -> SpecError:
    """``<file>: field '<block.key>' <what>``."""
    return SpecError(f"{where}: field {fieldname!r} {what}")


def mapping(value: Any, where: str, fieldname: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise err(where, fieldname, f"must be a mapping; got {type(value).__name__}: {value!r}")
    return value


def keys(value: Mapping[Any, Any], allowed: Iterable[str], where: str, fieldname: str,
         required: Iterable[str] = (), why: str = "") -> None:
    """Refuse unknown keys and missing required ones of a block."""
    allowed = list(allowed)
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise err(where, fieldname, f"has unknown keys {unknown}; allowed: {allowed}")
    for key in required:
        if key not in value:
            raise err(where, f"{fieldname}.{key}", f"is missing{why}")


def text(value: Any, where: str, fieldname: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise err(where, fieldname, f"must be a text; got {value!r}")
    return value


def str_list(value: Any, where: str, fieldname: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise err(where, fieldname, f"must be a list of names; got {value!r}")
    return tuple(value)


def names(value: Any, where: str, fieldname: str) -> tuple[str, ...]:
    """One name or a list of names."""
    if isinstance(value, str):
        return (value,)
    return str_list(value, where, fieldname)


def num(value: Any, where: str, fieldname: str) -> float:
    if not isinstance(value, Real) or isinstance(value, bool) or value != value:
        raise err(where, fieldname, f"must be a number; got {value!r}")
    return float(value)


def number(value: Any, where: str, fieldname: str) -> int | float:
    """A number kept as written (an int stays an int)."""
    num(value, where, fieldname)
    return value


def flag(value: Any, where: str, fieldname: str) -> bool:
    if not isinstance(value, bool):
        raise err(where, fieldname, f"must be true or false; got {value!r}")
    return value


def whole(value: Any, where: str, fieldname: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise err(where, fieldname, f"must be a whole number >= {minimum}; got {value!r}")
    return value


def choice(value: Any, allowed: Iterable[Any], where: str, fieldname: str) -> Any:
    allowed = list(allowed)
    if value not in allowed:
        raise err(where, fieldname, f"must be one of {allowed}; got {value!r}")
    return value


def known(value: str, allowed: Iterable[str], where: str, fieldname: str, what: str) -> str:
    """A name that must be one of the study's ``what`` (factors, scales, variables ...)."""
    allowed = list(allowed)
    if value not in allowed:
        raise err(where, fieldname, f"names {value!r}, which is not one of the study's {what}: {allowed}")
    return value


def answer(value: Any, where: str, fieldname: str) -> float | tuple[float, float]:
    """A correct answer: one value, or an inclusive range [lo, hi]."""
    if isinstance(value, list):
        if len(value) != 2:
            raise err(where, fieldname, f"must be a value or an inclusive range [lo, hi]; got {value!r}")
        lo, hi = (num(v, where, fieldname) for v in value)
        if lo > hi:
            raise err(where, fieldname, f"range [lo, hi] must have lo <= hi; got {value!r}")
        return (lo, hi)
    return num(value, where, fieldname)
