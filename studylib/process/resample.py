"""Stage 5 of :func:`studylib.process` (bootstrap): every equation refitted on the same resamples.

:func:`bootstrap` hands the design's columns to the engine
(:func:`studylib.process.bootstrap.resample_fits`: OLS equations from count-weighted
moments, a logistic Y equation by stacked Newton steps), then evaluates every quantity of
the probe stage (indirect effects, indexes, contrasts) on the coefficient draws. One set of
resamples serves every quantity.
"""

from __future__ import annotations

import numpy as np

from .bootstrap import BootstrapDraws, check_boot_memory, resample_fits, single_threaded_blas
from .design import Design
from .effects import CoefStacks
from .fit import Fits
from .probe import Probes

__all__ = ["bootstrap"]


def bootstrap(design: Design, fits: Fits, probes: Probes, *, boot: int, rng: np.random.Generator, ci: str,
              conf: float, sd_xy: bool = False) -> BootstrapDraws | None:
    """Draw ``boot`` resamples and every quantity's draws; None when there is nothing to bootstrap.

    With ``sd_xy`` each resample's SDs of X (its first code column) and Y are kept too
    (standardized effects).
    """
    qs = probes.quantities
    if not boot or not (qs["indirect"] or qs["index"]):
        return None
    outcomes = design.spec.outcomes()
    terms = list(design.columns)
    pos = {t: i for i, t in enumerate(terms)}
    G = np.column_stack([design.columns[t] for t in terms])
    ols_eqs = [d for d in outcomes if design.family[d] == "ols"]
    logit_eqs = [d for d in outcomes if design.family[d] == "logit"]

    def columns(d: str) -> tuple[list[int], int]:
        return [pos[t] for t in design.eq_terms[d]], pos[design.outcome[d]]

    sd_cols = (pos[design.role_terms["x"][0]], pos[design.outcome["y"]]) if sd_xy else ()
    n_coef = sum(len(design.eq_terms[d]) for d in outcomes)
    n_moments = sum(len(design.eq_terms[d]) * (len(design.eq_terms[d]) + 3) // 2 for d in ols_eqs)
    check_boot_memory(boot, n_coef + n_moments + sum(len(q) for q in qs.values()) + 2 * len(sd_cols))
    res = resample_fits(G, pos["constant"], [columns(d) for d in ols_eqs], boot, rng, sd_cols,
                        [(*columns(d), fits[d].coef) for d in logit_eqs])
    dcoef = CoefStacks(zip([*ols_eqs, *logit_eqs], res.coefficients, strict=True))
    with single_threaded_blas():  # small products: idle BLAS threads would only spin
        draws = {k: np.column_stack([q.fun(dcoef) for q in v]) if v else np.empty((boot, 0)) for k, v in qs.items()}
    return BootstrapDraws(boot, ci, conf, res.replaced, {fits.eq_name[d]: dcoef[d] for d in outcomes},
                          draws["indirect"], draws["index"], draws["contrasts"], res.sds if sd_xy else None,
                          res.separated)
