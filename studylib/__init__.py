"""studylib: an open research toolkit for micro-influencer interaction experiments.

Score questionnaire scales from YAML definitions, check their reliability, run factorial
ANOVAs, fit conditional process models (Hayes PROCESS models, including model 83 with a
multicategorical moderator) with a fast bootstrap, simulate studies and plan their power.
"""

# How this package is imported (the "lazy scheme"; keep to it when adding an export)
# ----------------------------------------------------------------------------------
# ``import studylib`` must stay light (issue 16: at most 1.5x ``import pandas``; a test,
# tests/test_import.py, checks that scipy, statsmodels, pingouin, matplotlib, seaborn,
# numba, tqdm, yaml and joblib are not loaded by it). So nothing here imports a submodule
# at import time: every public name is listed in ``_EXPORTS`` (name -> submodule) and is
# imported on first access by the module-level ``__getattr__`` (PEP 562), then cached in
# this module's namespace. ``__all__`` is ``list(_EXPORTS)``; ``dir(studylib)`` lists it.
#
# To add an export (e.g. ``cfa`` from ``studylib/measurement.py``), add ONE line to
# ``_EXPORTS``: ``"cfa": "measurement",``. Do not write ``from .measurement import cfa``
# here. Inside the submodules, import heavy libraries (scipy.stats, statsmodels,
# matplotlib, ...) inside the functions that need them where that is cheap to do.
#
# Four exports share their name with a submodule (``anova``, ``process``, ``power``,
# ``reliability``): ``studylib.anova`` is the function, as before, even after
# ``import studylib.anova`` (the import system would otherwise bind the submodule over it;
# ``_Package.__setattr__`` keeps the function). ``from studylib.anova import ...`` and
# ``from studylib.power import ...`` import from the submodules as usual.

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from ._version import __version__  # noqa: F401  (eager: cheap, and read by tools)

_EXPORTS: dict[str, str] = {
    "__version__": "_version",
    "anova": "anova",
    "FactorialDesign": "anova",
    "eta2_partial_ci": "anova",
    "cell_summary": "descriptives",
    "levene": "assumptions",
    "robust_anova": "assumptions",
    "shapiro_residuals": "assumptions",
    "emmeans": "emmeans",
    "pairwise": "emmeans",
    "simple_effects": "emmeans",
    "ColumnError": "errors",
    "DataError": "errors",
    "InputTypeError": "errors",
    "ModelError": "errors",
    "OptionError": "errors",
    "SpecError": "errors",
    "StudylibError": "errors",
    "StudylibWarning": "errors",
    "ItemSet": "questionnaires",
    "Scale": "questionnaires",
    "load_questionnaires": "questionnaires",
    "load_scale": "questionnaires",
    "reliability": "reliability",
    "ReliabilityResult": "reliability",
    "reverse_items": "scoring",
    "score": "scoring",
    "score_scales": "scoring",
    "process": "process",
    "ProcessResult": "process",
    "simulate_study": "simulate",
    "simulate_latent": "simulate",
    "simulate_from_study": "simulate",
    "load_study": "study",
    "Study": "study",
    "read_data": "io",
    "prepare": "io",
    "write_data": "io",
    "ReadReport": "io",
    "apply_exclusions": "cleaning",
    "ExclusionLog": "cleaning",
    "manipulation_checks": "checks",
    "ManipulationChecks": "checks",
    "load_synthetic": "datasets",
    "list_datasets": "datasets",
    "reproduce": "pipeline",
    "ReproduceResult": "pipeline",
    "load_analysis_data": "pipeline",
    "check_hypotheses": "findings",
    "colophon": "session",
    "session_info": "session",
    "power": "power",
    "Model83Effects": "power",
    "PowerResult": "power",
    "power_anova": "power",
    "power_anova_analytic": "power",
    "power_model83": "power",
    "cfa": "measurement",
    "CFAResult": "measurement",
    "efa": "measurement",
    "EFAResult": "measurement",
    "htmt": "measurement",
    "sampling_adequacy": "measurement",
    "SamplingAdequacy": "measurement",
    "harman_test": "measurement",
}

__all__ = list(_EXPORTS)

# exports whose name is also a submodule's: the export wins (see the comment above)
_SHADOWED = frozenset(name for name, module in _EXPORTS.items() if name == module)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'studylib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """This package's module type: binding a submodule never hides an export of its name."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return  # ``import studylib.anova`` binds the submodule here: keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
