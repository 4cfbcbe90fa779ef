"""Power and sample size by Monte Carlo simulation, for any study and for model 83.

- :func:`power` (also ``studylib.power``): the power of every ANOVA and PROCESS model a
  study file declares, simulated from its ``simulation:`` block; replications run as
  joblib tasks (loky processes, or a Dask cluster through ``joblib.parallel_config``).
- :func:`power_model83`: PROCESS model 83 (two-level X, multicategorical W) and its ANOVAs
  from a path model :class:`Model83Effects` with a :class:`Model83Design` naming its
  variables (a thin wrapper of :func:`power`; by default the example study's design and
  paths, ``analyses/power_model83.yaml``).
- :func:`power_anova`: the tests of a two-factor ANOVA from cell means and an SD (a
  wrapper too).
- :func:`power_anova_analytic`: the analytic (noncentral F) power of the same ANOVA tests.

Every simulation returns a :class:`PowerResult` (tidy table, smallest n per cell reaching a
target, power curve) and is seeded: identical results whatever the number of workers.
Names are imported on first use (see ``studylib/__init__.py``), so that importing this
package costs nothing until a simulation runs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "power": "_study",
    "Model83Effects": "_effects",
    "Model83Design": "_design83",
    "PowerResult": "_result",
    "THESIS_EFFECTS": "_api",
    "power_anova_analytic": "_anova",
    "power_anova": "_api",
    "power_model83": "_api",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'studylib.power' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
