"""studylib: an open research toolkit for micro-influencer interaction experiments.

Score questionnaire scales from YAML definitions, check their reliability, run factorial
ANOVAs, fit conditional process models (Hayes PROCESS models, including model 83 with a
multicategorical moderator) with a fast bootstrap, simulate studies and plan their power.
"""

from __future__ import annotations

from ._version import __version__
from .anova import FactorialDesign, anova, eta2_partial_ci
from .assumptions import levene, robust_anova, shapiro_residuals
from .descriptives import cell_summary
from .emmeans import emmeans, pairwise, simple_effects
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

__all__ = [
    "__version__",
    "anova",
    "FactorialDesign",
    "eta2_partial_ci",
    "cell_summary",
    "levene",
    "robust_anova",
    "shapiro_residuals",
    "emmeans",
    "pairwise",
    "simple_effects",
    "ColumnError",
    "DataError",
    "InputTypeError",
    "ModelError",
    "OptionError",
    "SpecError",
    "StudylibError",
    "StudylibWarning",
]
