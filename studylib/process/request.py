"""Stage 1 of :func:`studylib.process` (spec): check the options, name the roles, build the model.

:func:`specify` turns the keyword arguments into a :class:`Request`: every option checked
(exact values, ranges), the variables by role, the model's :class:`~studylib.process.spec.Spec`
(from a PROCESS number or a custom ``spec=``), the moderators it needs and the covariates of
each equation. Nothing here looks at the data's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_columns, check_dataframe, check_fraction, check_int, check_option
from ..errors import InputTypeError, OptionError, SpecError
from .coding import CODINGS
from .models import MODELS, build_spec
from .ols import HC_TYPES
from .spec import Spec, parse_spec

__all__ = ["Request", "specify"]


@dataclass(frozen=True)
class Request:
    """A checked request: the model, its variables by role and every option."""

    spec: Spec
    names: dict[str, str]  # role -> column
    mediators: list[str]
    covariates: dict[str, list[str]]  # outcome role -> covariates of its equation
    by_equation: bool  # covariates were given per equation (a mapping)
    codings: dict[str, str | None] = field(default_factory=dict)  # x, w, z -> coding option
    boot: int = 5000
    seed: object = None
    conf: float = 0.95
    ci: str = "percentile"
    hc: str | None = None
    center: str = "none"
    probe: str = "percentile"
    user_values: dict[str, Sequence[float] | None] = field(default_factory=dict)
    effsize: bool = False
    normal: bool = False

    @property
    def covariate_list(self) -> list[str]:
        """Every covariate once, in the order given."""
        return list(dict.fromkeys(c for covs in self.covariates.values() for c in covs))

    @property
    def columns(self) -> list[str]:
        """Every column the model uses."""
        return list(dict.fromkeys([*self.names.values(), *self.covariate_list]))


def specify(data, *, model, x, y, m, w, z, covariates, x_coding, w_coding, z_coding, boot, seed, conf, ci, hc,
            center, probe, wvalues, zvalues, spec, effsize, normal) -> Request:
    """Check the options and variables of :func:`studylib.process`; build the model's spec.

    Raises the errors listed in :func:`studylib.process` for options, unknown columns,
    the number of mediators and the moderators a model needs.
    """
    check_dataframe(data)
    if spec is None and model is None:
        raise SpecError("give a PROCESS model number (model=4, 83, ...) or a custom spec=")
    if spec is not None and model is not None:
        raise SpecError(f"give either model= or spec=, not both; got model={model!r} and a spec")
    check_option(ci, "ci", ("percentile", "bc"))
    check_option(hc, "hc", (None, *HC_TYPES))
    check_option(center, "center", ("none", "continuous", "all"))
    check_option(probe, "probe", ("percentile", "meansd"))
    for name, value in (("x_coding", x_coding), ("w_coding", w_coding), ("z_coding", z_coding)):
        check_option(value, name, (None, *CODINGS))
    for flag, value in (("effsize", effsize), ("normal", normal)):
        if not isinstance(value, (bool, np.bool_)):
            raise OptionError(f"{flag} must be True or False; got {value!r}")
    conf = check_fraction(conf, "conf")
    boot = check_int(boot, "boot", minimum=0)
    if 0 < boot < 1000:
        raise OptionError(
            f"boot must be at least 1000 resamples (5000 recommended), or 0 to skip the bootstrap; got {boot}"
        )
    mediators = [m] if isinstance(m, str) else list(m or [])
    names = {"x": x, "y": y}
    names.update({f"m{i}": v for i, v in enumerate(mediators, 1)})
    if w is not None:
        names["w"] = w
    if z is not None:
        names["z"] = z
    for role, col in names.items():
        if not isinstance(col, str):
            raise InputTypeError(f"{role} must be a column name (str); got {col!r}")
    dup = sorted({c for c in names.values() if list(names.values()).count(c) > 1})
    if dup:
        raise SpecError(f"a column can play one role only; {dup} is given twice among x, m, w, z, y")
    check_columns(data, list(names.values()), context="process variables")
    roles = {v: k for k, v in names.items()}
    sp = parse_spec(spec, roles) if spec is not None else build_spec(model, len(mediators))
    needed = sp.moderators()
    what = f"model {sp.name} ({MODELS[model]})" if spec is None else "the custom model"
    takes = " and ".join(sorted(needed)) or "none"
    for mod in ("w", "z"):
        if mod in needed and mod not in names:
            raise SpecError(f"{what} needs the moderator {mod}= (its moderators: {takes}); got none")
        if mod in names and mod not in needed:
            raise SpecError(
                f"{what} has no moderator {mod} (its moderators: {takes}); got {mod}={names[mod]!r} (use "
                "covariates= for control variables)"
            )
    by_equation = isinstance(covariates, Mapping)
    covs = _covariates(covariates, sp, names)
    check_columns(data, list(dict.fromkeys(c for v in covs.values() for c in v)), context="process covariates")
    return Request(sp, names, mediators, covs, by_equation, {"x": x_coding, "w": w_coding, "z": z_coding},
                   boot, seed, conf, ci, hc, center, probe, {"w": wvalues, "z": zvalues}, bool(effsize), bool(normal))


def _covariates(given, sp: Spec, names: dict[str, str]) -> dict[str, list[str]]:
    """Covariates of each outcome's equation: a list for every equation, or a mapping.

    A mapping (PROCESS ``cmatrix``; ``covmy``) has an outcome column (a mediator or y) as
    each key and a column or list of columns as each value; equations it does not name get
    none.
    """
    outcomes = {names[r]: r for r in sp.outcomes()}

    def as_list(value, where: str) -> list[str]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple, pd.Index)) or not all(isinstance(c, str) for c in items):
            raise InputTypeError(f"{where} must be a column name or a list of column names; got {value!r}")
        for c in items:
            if c in names.values():
                raise SpecError(f"{where}: {c!r} is already a model variable (x, m, w, z or y); a covariate "
                                "must be another column")
        return list(dict.fromkeys(items))

    if isinstance(given, Mapping):
        unknown = [k for k in given if k not in outcomes]
        if unknown:
            raise SpecError(
                f"covariates by equation: {unknown} are not outcomes of the model; the equations are "
                f"{list(outcomes)} (each mediator and y)"
            )
        return {role: as_list(given.get(col), f"covariates[{col!r}]") for col, role in outcomes.items()}
    covs = as_list(given, "covariates")
    return {role: list(covs) for role in sp.outcomes()}
