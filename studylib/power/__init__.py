"""Power and sample size for the 3 x 2 design by Monte Carlo simulation.

- :func:`power_model83`: power of PROCESS model 83 (conditional indirect effects, indexes
  of moderated mediation; Monte Carlo or bootstrap CIs) and of the ANOVAs on psr, pk and
  attitude, simulated from a path model :class:`Model83Effects`.
- :func:`power_anova`: power of the 3 x 2 ANOVA tests from cell means and an SD.
- :func:`power_anova_analytic`: the analytic (noncentral F) power of the same ANOVA tests.

Every simulation returns a :class:`PowerResult` (tidy table, smallest n per cell reaching a
target, power curve), is seeded (identical results whatever the number of workers) and
uses all cores by default.
"""

from __future__ import annotations

from ._anova import power_anova_analytic
from ._api import THESIS_EFFECTS, power_anova, power_model83
from ._effects import Model83Effects
from ._result import PowerResult

__all__ = [
    "Model83Effects",
    "PowerResult",
    "THESIS_EFFECTS",
    "power_anova_analytic",
    "power_anova",
    "power_model83",
]
