"""The heterotrait-monotrait ratio (HTMT) on its own, with a fast bootstrap interval."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_generator, check_fraction, check_int, check_option
from ..errors import OptionError
from ._bootstrap import percentile_intervals, resample_covariances
from ._spec import check_variances, item_data, parse_factors
from ._validity import corr_from_cov, htmt_matrix

__all__ = ["htmt"]


def htmt(
    data: pd.DataFrame,
    factors: Any,
    *,
    mean: str = "geometric",
    boot: int = 0,
    seed: Any = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of every pair of factors, with bootstrap CIs.

    The same values as ``studylib.cfa(...).htmt`` without fitting a CFA: HTMT needs only
    the item correlations, so its bootstrap takes a fraction of a second (one matrix
    product gives every resample's covariance matrix).

    Parameters
    ----------
    data : DataFrame
        One row per respondent (complete cases on every item are used). Only read.
    factors : dict or list of Scale
        As in :func:`studylib.cfa`; reverse-keyed items of scales enter recoded (HTMT uses
        absolute correlations, so recoding does not change it).
    mean : {'geometric', 'arithmetic'}
        HTMT2 with geometric means (semTools 0.5-6 ``htmt()`` default) or the original
        arithmetic-mean HTMT (Henseler et al. 2015; semTools ``htmt2 = FALSE``).
    boot : int
        0 (default) or at least 1000 resamples for percentile intervals.
    seed : int or numpy.random.Generator, optional
        For bit-identical intervals; ``cfa`` with the same ``boot`` and ``seed`` draws the
        same resamples, so its ``htmt_ci`` equals this table.
    conf : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per pair of factors: ``factor_1, factor_2, estimate, ci_low, ci_high``
        (NaN intervals when ``boot = 0``); ``attrs`` holds ``conf``, ``boot``, ``seed``,
        ``mean`` and ``n``.

    Raises
    ------
    SpecError, ColumnError, DataError, ModelError, OptionError
        As :func:`studylib.cfa` (an item under two factors, a one-item factor, unknown or
        non-numeric columns, items without variance, bad options).

    See Also
    --------
    cfa : the CFA with HTMT, CR, AVE and Fornell-Larcker.

    Notes
    -----
    .. math:: HTMT2_{fg} = \\frac{\\operatorname{gm}\\{|r_{ij}|: i \\in f, j \\in g\\}}
              {\\sqrt{\\operatorname{gm}\\{|r_{ij}|: i < j \\in f\\}\\,
              \\operatorname{gm}\\{|r_{ij}|: i < j \\in g\\}}}

    with gm the geometric mean (the arithmetic mean for ``mean="arithmetic"``). Henseler
    et al. (2015) suggest 0.85 (conceptually distinct constructs) or 0.90 as thresholds,
    and an interval below 1. Validated against semTools 0.5-6 ``htmt()`` on
    HolzingerSwineford1939 to 1e-6 (tests/reference/cfa/).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. doi:10.1007/s11747-014-0403-8

    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. Industrial
    Management & Data Systems, 121(12), 2637-2650. doi:10.1108/IMDS-02-2021-0082

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> studylib.htmt(d, [qs["psr"], qs["pk"]], boot=1000, seed=1).round(3)
      factor_1 factor_2  estimate  ci_low  ci_high
    0      psr       pk     0.668   0.551    0.756
    >>> # R: semTools::htmt("psr =~ psr_01 + ...\\n pk =~ pk_01 + ...", data = d)
    """
    check_option(mean, "mean", ("geometric", "arithmetic"))
    boot = check_int(boot, "boot", minimum=0)
    if 0 < boot < 1000:
        raise OptionError(f"boot must be at least 1000 resamples, or 0 to skip the bootstrap; got {boot}")
    conf = check_fraction(conf, "conf")
    spec = parse_factors(factors)
    x, complete = item_data(data, spec)
    x = x[complete]
    check_variances(x, list(spec.items), what="htmt")
    names = list(spec.factors)
    m = len(names)
    if m < 2:
        raise OptionError(f"htmt needs at least 2 factors; got {names}")
    s = np.cov(x, rowvar=False, bias=True)
    est = htmt_matrix(corr_from_cov(s[None]), spec.factor_of, mean=mean)[0]
    pairs = [(f, g) for f in range(m) for g in range(f + 1, m)]
    out = pd.DataFrame(
        {
            "factor_1": [names[f] for f, _ in pairs],
            "factor_2": [names[g] for _, g in pairs],
            "estimate": [est[f, g] for f, g in pairs],
            "ci_low": np.nan,
            "ci_high": np.nan,
        }
    )
    used_seed = None
    if boot:
        rng, used_seed = as_generator(seed)
        with np.errstate(invalid="ignore", divide="ignore"):
            draws = htmt_matrix(corr_from_cov(resample_covariances(x, rng, boot)), spec.factor_of, mean=mean)
        hd = np.stack([draws[:, f, g] for f, g in pairs], axis=1)
        out["ci_low"], out["ci_high"] = percentile_intervals(hd, conf)
    out.attrs.update({"conf": conf, "boot": boot, "seed": used_seed, "mean": mean, "n": int(x.shape[0])})
    return out
