"""``studylib.process``: fit a conditional process model and bootstrap its effects.

:func:`process` is a chain of six stages, each a function of its own module:

1. spec (:func:`~studylib.process.request.specify`): options, variables, the model's paths;
2. design (:func:`~studylib.process.prepare.prepare`): complete cases, codings, columns;
3. fit (:func:`~studylib.process.fit.fit_equations`): OLS or logistic equations and tests;
4. probe (:func:`~studylib.process.probe.probe`): moderator values, conditional effects and
   the bootstrap quantities;
5. bootstrap (:func:`~studylib.process.resample.bootstrap`): every equation on the same
   resamples, every quantity's draws;
6. tables (:func:`~studylib.process.assemble.tabulate`): the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import as_generator
from ..errors import OptionError
from .assemble import tabulate
from .fit import fit_equations
from .prepare import prepare
from .probe import probe as probe_stage
from .request import specify
from .resample import bootstrap
from .results import ProcessResult

__all__ = ["process"]


def process(
    data: pd.DataFrame,
    *,
    model: int | None = None,
    x: str,
    y: str,
    m: str | Sequence[str] | None = None,
    w: str | None = None,
    z: str | None = None,
    covariates: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    x_coding: str | None = None,
    w_coding: str | None = None,
    z_coding: str | None = None,
    boot: int = 5000,
    seed: int | np.random.Generator | None = None,
    conf: float = 0.95,
    ci: str = "percentile",
    hc: str | None = None,
    center: str = "none",
    probe: str = "percentile",
    wvalues: Sequence[float] | None = None,
    zvalues: Sequence[float] | None = None,
    spec: str | Sequence[str] | None = None,
    effsize: bool = False,
    normal: bool = False,
) -> ProcessResult:
    """Fit a regression-based conditional process model (Hayes' PROCESS) with bootstrap CIs.

    Parameters
    ----------
    data : DataFrame
        One row per case. Rows with a missing value in any model variable are dropped
        (listwise deletion, as in PROCESS); their number is reported as ``n_dropped``.
    model : int, optional
        PROCESS model number: 1, 2, 3, 4, 6, 7, 8, 14, 15, 58, 59 or 83-92. Leave out
        when giving ``spec``.
    x, y : str
        Focal predictor and outcome columns.
    m : str or list of str, optional
        Mediator(s), in causal order for serial models.
    w, z : str, optional
        Moderator columns (continuous or categorical, see ``w_coding``).
    covariates : list of str, optional
        Numeric covariates entered in every equation.
    x_coding, w_coding, z_coding : {None, "indicator", "sequential", "helmert", "effect"}
        Codings of X, W and Z as PROCESS ``mcx``, ``mcw``, ``mcz`` (1-4). A coding given
        explicitly makes the variable categorical whatever its dtype: its groups in
        ascending order (a Categorical's category order, else numeric or text order), the
        lowest the reference. With None (the default for all three; ``w_coding`` and
        ``z_coding`` used to default to "indicator", which left a numeric W continuous) a
        pandas Categorical, text or boolean column is indicator-coded and a numeric column
        is continuous; a numeric W or Z with 2-9 distinct values (X: 3-9) then gets a
        :class:`~studylib.process.coding.CodingWarning` suggesting a coding.
    boot : int
        Bootstrap resamples, at least 1000 (default 5000); 0 skips the bootstrap.
    seed : int or numpy.random.Generator, optional
        Seed of the bootstrap; the same seed gives bit-identical results. The seed used
        is stored on the result (None when a Generator was passed).
    conf : float
        Confidence level of every interval, strictly between 0 and 1.
    ci : {"percentile", "bc"}
        Percentile or bias-corrected bootstrap intervals.
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}
        Heteroskedasticity-consistent standard errors for every equation.
    center : {"none", "continuous", "all"}
        Mean-centre the variables that form products before fitting (PROCESS
        ``center`` = 0, 2, 1); conditional effects are then at centred moderator values.
    probe : {"percentile", "meansd"}
        Values of a continuous moderator: 16th, 50th and 84th percentiles (default) or the
        mean and +-1 SD. A moderator with two distinct values is probed at both.
    wvalues, zvalues : list of float, optional
        Probe a continuous moderator at these values instead.
    spec : str or list of str, optional
        A custom model, e.g. ``["psr ~ valence*response", "pk ~ psr + valence",
        "attitude ~ valence + psr + pk"]`` (``var*w`` = path moderated by w).
    effsize : bool, default False
        Standardized effects (PROCESS ``effsize = 1``), for mediation models without
        moderators (4, 6 and such specs): the table ``extras.standardized``. Partially
        standardized effects divide by the SD of Y; completely standardized ones (only for
        an X with more than two values) also multiply by the SD of X. Bootstrap draws are
        standardized with the SDs of their own resample, as in PROCESS.
    normal : bool, default False
        Normal-theory (Sobel) test of each indirect effect through one mediator, for
        mediation models without moderators or serial paths (model 4 and such specs),
        as PROCESS ``normal = 1``: the table ``extras.normal``. Its standard error is PROCESS's
        second-order one, ``sqrt(a² se_b² + b² se_a² + se_a² se_b²)``, from the
        equations' (``hc``) covariance matrices; prefer the bootstrap interval for
        inference (the product of two normal estimates is not normal).

    Returns
    -------
    ProcessResult
        Frozen dataclass; its tables and their columns:

        - ``coefficients``: equation, term, estimate, se, t, df, p, ci_low, ci_high
        - ``equations``: equation, test, r, r2, mse, F, df1, df2, p (``test`` is
          "model" for the whole equation; "valence*response" for the R²-change test of
          an interaction; "protest (omnibus)" for the joint test of a multicategorical
          X's relative direct or total effects; ``r2`` is then the R² change)
        - ``conditional``: equation, focal, w, z, effect, se, t, df, p, ci_low, ci_high
        - ``jn``: equation, focal, moderator, value, pct_below, pct_above
        - ``indirect``: path, x_term, w, z, effect, boot_se, ci_low, ci_high
        - ``index``: path, x_term, moderator, w_term, index, boot_se, ci_low, ci_high
        - ``contrasts``: path1, w1, z1, path2, w2, z2, x_term, effect, boot_se, ci_low,
          ci_high (effect of row 1 minus row 2)
        - ``direct``, ``total``: x_term, w, z, effect, se, t, df, p, ci_low, ci_high
        - ``extras`` (:class:`~studylib.process.results.ProcessExtras`): the tables
          ``standardized`` (``effsize=True``), ``normal`` (``normal=True``),
          ``conditional_omnibus`` (tests of equality of conditional means for a
          multicategorical focal predictor) and ``plot_data`` (PROCESS ``plot = 1``)

    Raises
    ------
    ColumnError
        A named column is not in ``data``.
    DataError
        Non-numeric values in y, m or covariates.
    InputTypeError
        A non-numeric X or moderator without a coding.
    ModelError
        A constant variable, a group with fewer than 2 cases, a singular design.
    SpecError
        Unknown model number, wrong number of mediators, missing moderator, bad ``spec``.
    OptionError
        ``boot`` below 1000, ``conf`` outside (0, 1), unknown option values.

    See Also
    --------
    studylib.anova : the 3 x 2 ANOVAs of the same data.

    Notes
    -----
    Each equation is fitted by OLS; the indirect effect along X -> M1 -> ... -> Y is the
    product of the conditional path coefficients,

    .. math:: \\theta_{X \\to Y}(w) = a(w)\\, d_{21}(w) \\cdots b(w),

    with :math:`a(w) = a_1 + a_3 w` for a moderated path. For a categorical W,
    :math:`w` is the code vector of a group; the index of moderated mediation of code
    column j is the indirect effect at :math:`e_j` minus that at 0 (with indicator coding:
    the group's difference from the reference group). Validated against PROCESS for R
    4.0.1 and PROCESS 2.16.3 for SPSS (tests/reference/process/).

    References
    ----------
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
    analysis: A regression-based approach* (3rd ed.). Guilford Press. ISBN 9781462549030.

    Hayes, A. F., & Cai, L. (2007). Using heteroskedasticity-consistent standard error
    estimators in OLS regression. *Behavior Research Methods, 39*, 709-722.
    https://doi.org/10.3758/BF03192961

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import studylib
    >>> rng = np.random.default_rng(7)
    >>> n = 120
    >>> d = pd.DataFrame({"x": rng.integers(0, 2, n).astype(float)})
    >>> d["m"] = 0.5 * d.x + rng.normal(size=n)
    >>> d["y"] = 0.4 * d.m + 0.2 * d.x + rng.normal(size=n)
    >>> res = studylib.process(d, model=4, x="x", m="m", y="y", boot=1000, seed=1)
    >>> # R: process(d, y = "y", x = "x", m = "m", model = 4, boot = 1000, seed = 1)
    >>> res.indirect[["path", "effect"]]
              path    effect
    0  x -> m -> y  0.339243
    """
    req = specify(data, model=model, x=x, y=y, m=m, w=w, z=z, covariates=covariates, x_coding=x_coding,
                  w_coding=w_coding, z_coding=z_coding, boot=boot, seed=seed, conf=conf, ci=ci, hc=hc,
                  center=center, probe=probe, wvalues=wvalues, zvalues=zvalues, spec=spec, effsize=effsize,
                  normal=normal)
    rng, seed_used = as_generator(seed)
    design = prepare(data, req)
    for note in design.notes:
        warnings.warn(note, stacklevel=2)
    _check_extras(req, design)
    fits = fit_equations(design, hc=req.hc, conf=req.conf)
    probes = probe_stage(design, fits, probe=req.probe, user_values=req.user_values)
    draws = bootstrap(probes.design, fits, probes, boot=req.boot, rng=rng, ci=req.ci, conf=req.conf,
                      sd_xy=req.effsize)
    return tabulate(req, design, fits, probes, draws, seed_used)


def _check_extras(req, design) -> None:
    """``effsize`` and ``normal`` apply to some models only (as in PROCESS)."""
    sp = design.spec
    if req.effsize and (not sp.mediators or design.logistic):
        raise OptionError(
            "effsize=True gives standardized effects of mediation models with a continuous Y (PROCESS has them "
            f"for unmoderated models; studylib also for moderated ones); model {sp.name} has "
            + ("a binary Y (a logistic equation)" if sp.mediators else "no mediator")
        )
    if req.normal and (not sp.mediators or sp.moderators() or any(len(c) != 3 for c in sp.chains())):
        raise OptionError(
            "normal=True (the Sobel test) is for mediation models without moderators whose indirect effects each "
            f"pass through one mediator (model 4 and such specs), as in PROCESS; model {sp.name} has "
            + ("moderators" if sp.moderators() else "serial paths" if sp.mediators else "no mediator")
        )
