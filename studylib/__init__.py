"""studylib: an open research toolkit for micro-influencer interaction experiments.

Score questionnaire scales from YAML definitions, check their reliability, run factorial
ANOVAs, fit conditional process models (Hayes PROCESS models, including model 83 with a
multicategorical moderator) with a fast bootstrap, simulate studies and plan their power.
"""

from __future__ import annotations

from ._version import __version__
from .errors import (
    ColumnError,
    DataError,
    InputTypeError,
    ModelError,
    OptionError,
    SpecError,
    StudylibError,
    StudylibWarning,
)
from .process import ProcessResult, process

__all__ = [
    "__version__",
    "ColumnError",
    "DataError",
    "InputTypeError",
    "ModelError",
    "OptionError",
    "SpecError",
    "StudylibError",
    "StudylibWarning",
    "process",
    "ProcessResult",
]
