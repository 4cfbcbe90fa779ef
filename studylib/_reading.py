"""Reading the files studylib is given: one decoding rule and one kind of error (private).

Every reader (data files, the study file, questionnaire, simulation-parameter and effects
files) takes its bytes through :func:`read_bytes`, which records the file as an input of the
open output transaction (:func:`studylib.output.note_input`: no output of the run may
replace it), and decodes text with :func:`decode`: an undecodable file is a studylib error
naming the file, the byte and the position, and saying which argument gives its encoding.

The encoding is the one passed to the reader; else the one the command line set with
``--encoding`` (:func:`default_encoding`); else UTF-8, with or without a byte-order mark.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import OptionError, SpecError, StudylibError
from .output import note_input

__all__ = ["read_bytes", "decode", "read_text", "default_encoding", "resolve_encoding", "explicit_encoding",
           "check_encoding", "is_encoding", "read_yaml", "content_errors", "UTF8"]

#: The default: UTF-8, a byte-order mark at the start ignored (Excel writes one).
UTF8 = "utf-8-sig"

_default: contextvars.ContextVar[str | None] = contextvars.ContextVar("studylib_encoding", default=None)


def is_encoding(encoding: object) -> bool:
    """True if ``encoding`` names a text encoding Python knows."""
    try:
        codecs.lookup(encoding)  # type: ignore[arg-type]
    except (LookupError, TypeError):
        return False
    return isinstance(encoding, str)


def check_encoding(encoding: str, name: str = "encoding") -> str:
    """Return ``encoding`` if Python knows it; raise :class:`OptionError` otherwise."""
    if not isinstance(encoding, str):
        raise OptionError(f"{name} must be a text encoding such as 'utf-8' or 'cp1252'; got {encoding!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise OptionError(f"{name}={encoding!r} is not a known text encoding; use e.g. 'utf-8', "
                          "'cp1252' (Windows, Excel) or 'latin-1'") from None
    return encoding


@contextlib.contextmanager
def default_encoding(encoding: str | None) -> Iterator[None]:
    """Within the block, readers given no ``encoding`` use this one (``--encoding`` on the CLI)."""
    if encoding is not None:
        check_encoding(encoding)
    token = _default.set(encoding)
    try:
        yield
    finally:
        _default.reset(token)


def resolve_encoding(encoding: str | None, fallback: str | None = None) -> str:
    """The encoding to use: ``encoding``, else ``--encoding``, else ``fallback``, else UTF-8."""
    chosen = encoding if encoding is not None else _default.get()
    if chosen is None:
        chosen = fallback if fallback is not None else UTF8
    return check_encoding(chosen)


def explicit_encoding(encoding: str | None) -> str | None:
    """``encoding`` or the command line's ``--encoding``; None when neither is set."""
    return encoding if encoding is not None else _default.get()


def read_bytes(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """The bytes of ``path``, recorded as an input of the run (``what`` names it in messages)."""
    note_input(path, what)
    return Path(path).read_bytes()


def _name(encoding: str) -> str:
    return "UTF-8" if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") else encoding


def decode(raw: bytes, path: str | os.PathLike[str], encoding: str, *, what: str = "file",
           error: type[StudylibError], hint: str = "") -> str:
    """``raw`` decoded as ``encoding``; ``error`` naming the file, byte and position otherwise."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        byte = raw[exc.start:exc.start + 1].hex()
        raise error(
            f"{path}: cannot decode the file as {_name(encoding)} (byte 0x{byte} at position {exc.start}); "
            f"save it as UTF-8, or pass encoding='cp1252' (or the file's encoding){hint}"
        ) from None


def read_text(path: str | os.PathLike[str], *, encoding: str | None = None, what: str = "file",
              error: type[StudylibError], hint: str = "") -> str:
    """Read and decode a text file (see the module docstring for the encoding used)."""
    enc = resolve_encoding(encoding)
    return decode(read_bytes(path, what), path, enc, what=what, error=error, hint=hint)


def read_yaml(path: str | os.PathLike[str], *, encoding: str | None = None, what: str = "YAML file",
              error: type[StudylibError], json: bool = False, invalid: str | None = None) -> object:
    """Read, decode and parse a YAML (or JSON) file; ``error`` naming the file if it is not."""
    import yaml

    text = read_text(path, encoding=encoding, what=what, error=error)
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as exc:
        # ValueError: a date-like scalar that is not a date (2024-02-30)
        invalid = invalid or ("not valid YAML/JSON" if json else "not valid YAML")
        detail = " ".join(str(exc).split())[:300]
        raise error(f"{path}: {invalid}: {detail}") from None


@contextlib.contextmanager
def content_errors(path: str | os.PathLike[str], what: str, layout: str) -> Iterator[None]:
    """Turn a crash while interpreting a file's content into a studylib error naming the file.

    The loaders check every field they know; a value of a shape no check foresaw (a list
    where a name belongs, a mapping with unhashable keys, ...) would otherwise end in a
    ``TypeError`` from deep inside. ``layout`` says where the expected layout is described.
    """
    try:
        yield
    except StudylibError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, ArithmeticError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise SpecError(f"{path}: the {what} has a value of an unexpected type or shape ({type(exc).__name__}: "
                        f"{detail}); compare it with {layout}") from None
