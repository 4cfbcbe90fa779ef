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
        Infinite values are refused (:class:`DataError`).
    model : int, optional
        PROCESS model number: any that PROCESS 4 accepts, 1-22, 28, 29, 58-73, 75, 76 and
        80-92 (:data:`studylib.process.MODELS`; ``studylib process --list-models``). Leave
        out when giving ``spec``.
    x, y : str
        Focal predictor and outcome columns. A Y with exactly two distinct values is
        binary: its equation is a logistic regression (maximum likelihood, as PROCESS),
        with the higher value (sorted numbers or text; a Categorical's second category)
        coded 1; coefficients, conditional, direct and indirect effects and indexes are
        then in the log-odds metric.
    m : str or list of str, optional
        Mediator(s), in causal order for serial models: 1-10 for the parallel models, 2-6
        for 6 and 83-92, 3-6 for 80 and 81, exactly 4 for 82 (as PROCESS).
    w, z : str, optional
        Moderator columns (continuous or categorical, see ``w_coding``).
    covariates : list of str or dict, optional
        Numeric covariates: a list enters every equation; a mapping from an outcome column
        (a mediator or y) to its covariates enters each only where named (PROCESS
        ``covmy``/``cmatrix``), e.g. ``{"pk": ["age"], "attitude": ["age", "gender"]}``.
        The total effect model of an unmoderated mediation model is fitted only when every
        equation has the same covariates (only then is the total effect the direct plus the
        indirect effects).
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
        Heteroskedasticity-consistent standard errors for every OLS equation (a logistic
        equation's come from the inverse information, as in PROCESS).
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
        Standardized effects of a mediation model with a continuous Y: the table
        ``extras.standardized``. Partially standardized effects divide by the SD of Y;
        completely standardized ones (unmoderated models with an X of more than two
        values) also multiply by the SD of X. For unmoderated models this is PROCESS
        ``effsize = 1``; for moderated ones (beyond PROCESS, which has none) the
        conditional indirect effects, indexes and contrasts are partially standardized.
        Bootstrap draws are standardized with the SDs of their own resample, as in
        PROCESS.
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

        - ``coefficients``: equation, term, estimate, se, t, df, p, ci_low, ci_high. In a
          logistic equation ``t`` holds the Wald z statistic and ``df`` is ``inf`` (the
          normal distribution is the t distribution with infinite df): p values and
          intervals are normal-theory, as PROCESS prints them (in ``to_dict()`` and JSON,
          which have no infinity, that ``df`` is null).
        - ``equations``: equation, test, r, r2, mse, F, df1, df2, p, neg2ll, chisq,
          r2_mcfadden, r2_coxsnell, r2_nagelkerke. ``test`` is "model" for the whole
          equation; "valence*response" for the test of an interaction, "BOTH(x)" for both
          moderators of a path together; "protest (omnibus)" for the joint test of a
          multicategorical X's relative direct or total effects. OLS rows fill r, r2 (the
          R² change in a test row), mse, F, df1, df2, p; logistic rows fill neg2ll (-2 log
          likelihood), chisq (likelihood-ratio chi-square: against the intercept-only
          model, or of the tested terms), df1, p and the three pseudo-R²s.
        - ``conditional``: equation, focal, w, z, effect, se, t, df, p, ci_low, ci_high
        - ``jn``: equation, focal, moderator, value, pct_below, pct_above
        - ``indirect``: path, x_term, w, z, effect, boot_se, ci_low, ci_high
        - ``index``: path, x_term, kind, moderator, w_term, z, index, boot_se, ci_low,
          ci_high. ``kind`` as PROCESS names them: "moderated mediation" (an indirect
          effect linear in one moderator; for a categorical W one row per code: the
          differences between conditional indirect effects its coding defines), "partial
          moderated mediation" (W and Z moderate one path additively: one per moderator),
          "moderated moderated mediation" and "conditional moderated mediation" (by W at
          each probed Z, in ``z``) when W and Z act on different paths or with their
          product. ``w_term`` is the moderator's term (code column).
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
        Non-numeric values in m or covariates, infinite values in any model variable (the
        message names the column and rows), a non-numeric Y with more than two values.
    InputTypeError
        A column name that is not a string; covariates that are not column names.
    ModelError
        A constant variable, a group with fewer than 2 cases, a singular design, a
        logistic regression whose cases are perfectly separated (no maximum likelihood
        estimate exists).
    SpecError
        Unknown model number, a number of mediators the model does not take (the message
        states its rule), a missing or superfluous moderator, bad ``spec``, covariates by
        equation naming a column that is not an outcome.
    OptionError
        ``boot`` below 1000 or above 1,000,000 (the message states the memory it would
        take), ``conf`` outside (0, 1), unknown option values.

    Warns
    -----
    CodingWarning
        A numeric W or Z with 2-9 distinct values (X: 3-9) and no coding.

    See Also
    --------
    studylib.anova : the 3 x 2 ANOVAs of the same data.

    Notes
    -----
    Each mediator's equation is fitted by OLS, Y's by OLS or (binary Y) logistic
    regression; the indirect effect along X -> M1 -> ... -> Y is the product of the
    conditional path coefficients,

    .. math:: \\theta_{X \\to Y}(w) = a(w)\\, d_{21}(w) \\cdots b(w),

    with :math:`a(w) = a_1 + a_3 w` for a moderated path (in the log-odds metric when the
    last path ends in a logistic Y, as PROCESS). For a categorical W, :math:`w` is the code
    vector of a group. Every bootstrap resample refits every equation (a logistic one by
    Newton steps stacked across resamples); a resample with a singular design or whose
    logistic fit separates is replaced and counted (``boot.n_replaced``,
    ``boot.n_separated``).

    Validated against PROCESS for R 4.0.1 for every model number, continuous and binary Y
    (tests/reference/process_r401_public/: coefficients, tests, conditional, direct and
    indirect effects and indexes to 1e-5), on Hayes's book data (tests/reference/process/)
    and against PROCESS 2.16.3 for SPSS (HC3, bias-corrected intervals).

    References
    ----------
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
    analysis: A regression-based approach* (3rd ed.). Guilford Press. ISBN 9781462549030.

    Hayes, A. F. (2015). An index and test of linear moderated mediation. *Multivariate
    Behavioral Research, 50*, 1-22. https://doi.org/10.1080/00273171.2014.962683

    Hayes, A. F. (2018). Partial, conditional, and moderated moderated mediation: Quantification,
    inference, and interpretation. *Communication Monographs, 85*, 4-40.
    https://doi.org/10.1080/03637751.2017.1352100

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

    A binary Y ("yes" is coded 1, the higher of the sorted values): a logistic equation, its
    Wald z in the ``t`` column with infinite ``df``, the indirect effect in log-odds.

    >>> d["buy"] = np.where(d.y + rng.logistic(size=n) > 0.5, "yes", "no")
    >>> res = studylib.process(d, model=4, x="x", m="m", y="buy", boot=1000, seed=1)
    >>> # R: process(d, y = "buy01", x = "x", m = "m", model = 4, boot = 1000, seed = 1)
    >>> res.coefficients.query("equation == 'buy'")[["term", "estimate", "t", "df"]]
           term  estimate         t   df
    2  constant -0.857605 -2.824228  inf
    3         x  0.899272  2.141484  inf
    4         m  0.111456  0.508731  inf
    >>> round(float(res.indirect.effect[0]), 6)
    0.085744
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
