"""studylib: an open research toolkit for micro-influencer interaction experiments.

Score questionnaire scales from YAML definitions, check their reliability, run factorial
ANOVAs, fit conditional process models (Hayes PROCESS models, including model 83 with a
multicategorical moderator) with a fast bootstrap, simulate studies and plan their power.
"""

from __future__ import annotations

from ._version import __version__
from .anova import FactorialDesign, anova, eta2_partial_ci
from .assumptions import levene, robust_anova, shapiro_residuals
from .cleaning import ExclusionLog, ManipulationChecks, apply_exclusions, manipulation_checks
from .datasets import list_datasets, load_synthetic
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
from .findings import check_findings
from .io import ReadReport, prepare, read_data, write_data
from .measurement import (
    CFAResult,
    EFAResult,
    SamplingAdequacy,
    cfa,
    efa,
    harman_test,
    htmt,
    sampling_adequacy,
)
from .pipeline import ReproduceResult, load_analysis_data, reproduce
from .power import Model83Effects, PowerResult, power_anova, power_anova_analytic, power_model83
from .process import ProcessResult, process
from .questionnaires import ItemSet, Scale, load_questionnaires, load_scale
from .reliability import ReliabilityResult, reliability
from .scoring import reverse_items, score, score_scales
from .session import colophon, session_info
from .simulate import simulate_latent, simulate_study
from .study import Study, load_study

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
    "ItemSet",
    "Scale",
    "load_questionnaires",
    "load_scale",
    "reliability",
    "ReliabilityResult",
    "reverse_items",
    "score",
    "score_scales",
    "process",
    "ProcessResult",
    "simulate_study",
    "simulate_latent",
    "load_study",
    "Study",
    "read_data",
    "prepare",
    "write_data",
    "ReadReport",
    "apply_exclusions",
    "ExclusionLog",
    "manipulation_checks",
    "ManipulationChecks",
    "load_synthetic",
    "list_datasets",
    "reproduce",
    "ReproduceResult",
    "load_analysis_data",
    "check_findings",
    "colophon",
    "session_info",
    "Model83Effects",
    "PowerResult",
    "power_anova",
    "power_anova_analytic",
    "power_model83",
    "cfa",
    "CFAResult",
    "efa",
    "EFAResult",
    "htmt",
    "sampling_adequacy",
    "SamplingAdequacy",
    "harman_test",
]
