"""Error and warning classes raised by studylib.

Every exception studylib raises on bad input derives from :class:`StudylibError` and
from the matching built-in class (``ValueError``, ``KeyError``, ``TypeError``), so both
``except studylib.StudylibError`` and ``except ValueError`` work. Messages say what was
wrong, what was received, what is allowed and, where possible, how to fix it.
"""

from __future__ import annotations

__all__ = [
    "StudylibError",
    "SpecError",
    "DataError",
    "ColumnError",
    "OptionError",
    "InputTypeError",
    "ModelError",
    "OutputError",
    "StudylibWarning",
]


class StudylibError(Exception):
    """Base class of every studylib error."""


class SpecError(StudylibError, ValueError):
    """A specification is invalid: a scale or questionnaire YAML file, a study
    configuration, or a model specification. The message names the file and field."""


class DataError(StudylibError, ValueError):
    """Data values are not allowed: out of the declared range, not numeric, duplicate
    ids, unknown condition labels, an empty design cell. The message names the column
    and the offending row(s) and value(s)."""


class ColumnError(StudylibError, KeyError):
    """Columns named by the user or a specification are not in the data."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class OptionError(StudylibError, ValueError):
    """A keyword option has a value that is not among the allowed ones."""


class InputTypeError(StudylibError, TypeError):
    """An argument has the wrong type (e.g. a list where a DataFrame is needed)."""


class ModelError(StudylibError, ValueError):
    """A model cannot be estimated as specified: a singular design, a constant
    variable, a moderator group with too few cases, an unknown model number."""


class OutputError(OptionError):
    """A file cannot or must not be written: the target is an input of the run, lies inside
    ``data/raw/``, exists and was not written by studylib, or the file system refused the
    write (read-only, full, no permission). Nothing was written. The message names the file
    and says what to do (see :mod:`studylib.output`)."""


class StudylibWarning(UserWarning):
    """Warnings issued by studylib (always with ``stacklevel=2`` or more)."""
