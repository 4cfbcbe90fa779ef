"""``studylib.process``: fit a conditional process model and bootstrap its effects."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import product

import numpy as np
import pandas as pd

from .._validation import (
    as_generator,
    check_columns,
    check_dataframe,
    check_fraction,
    check_int,
    check_numeric,
    check_option,
)
from .._version import __version__
from ..errors import DataError, InputTypeError, OptionError, SpecError
from .bootstrap import BootstrapDraws, resample_fits, single_threaded_blas
from .coding import CODINGS, categories
from .effects import (
    CoefStacks,
    Design,
    ModValue,
    indirect_rows,
    probe_values,
    product_term,
)
from .extras import normal_theory_table, plot_table, standardize_scales, standardized_table
from .ols import HC_TYPES, ols, t_stats, wald_f, wald_f_linear
from .prepare import build_design
from .results import OMNIBUS_COLS, ProcessExtras, ProcessResult, empty_normal
from .spec import build_spec, parse_spec, spec_table
from .tables import (
    EFFECT_COLS,
    boot_table,
    effect_table,
    jn_for_path,
    jn_table,
    linear_table,
    path_effects,
)

__all__ = ["process"]

def _plain(value):
    """A numpy scalar as the matching Python scalar (labels of groups)."""
    return value.item() if isinstance(value, np.generic) else value


_COEF_COLS = ["equation", "term", "estimate", "se", "t", "df", "p", "ci_low", "ci_high"]


def process(
    data: pd.DataFrame,
    *,
    model: int | None = None,
    x: str,
    y: str,
    m: str | Sequence[str] | None = None,
    w: str | None = None,
    z: str | None = None,
    covariates: Sequence[str] | None = None,
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
    check_dataframe(data)
    if spec is None and model is None:
        raise SpecError("give a PROCESS model number (model=4, 83, ...) or a custom spec=")
    if spec is not None and model is not None:
        raise SpecError(f"give either model= or spec=, not both; got model={model!r} and a spec")
    check_option(ci, "ci", ("percentile", "bc"))
    check_option(hc, "hc", (None, *HC_TYPES))
    check_option(center, "center", ("none", "continuous", "all"))
    check_option(probe, "probe", ("percentile", "meansd"))
    check_option(x_coding, "x_coding", (None, *CODINGS))
    check_option(w_coding, "w_coding", (None, *CODINGS))
    check_option(z_coding, "z_coding", (None, *CODINGS))
    conf = check_fraction(conf, "conf")
    boot = check_int(boot, "boot", minimum=0)
    if 0 < boot < 1000:
        raise OptionError(
            f"boot must be at least 1000 resamples (5000 recommended), or 0 to skip the bootstrap; got {boot}"
        )
    mediators = [m] if isinstance(m, str) else list(m or [])
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    names = {"x": x, "y": y}
    names.update({f"m{i}": v for i, v in enumerate(mediators, 1)})
    if w is not None:
        names["w"] = w
    if z is not None:
        names["z"] = z
    for role, col in names.items():
        if not isinstance(col, str):
            raise InputTypeError(f"{role} must be a column name (str); got {col!r}")
    used = [*names.values(), *covariates]
    check_columns(data, used, context="process variables")
    roles = {v: k for k, v in names.items()}

    if spec is not None:
        sp = parse_spec(spec, roles)
    else:
        sp = build_spec(model, len(mediators))
    needed = sp.moderators()
    for mod in ("w", "z"):
        if mod in needed and mod not in names:
            raise SpecError(f"model {sp.name} needs the moderator {mod}=; got none")
        if mod in names and mod not in needed:
            raise SpecError(
                f"model {sp.name} has no moderator {mod}; got {mod}={names[mod]!r} (use covariates= for control variables)"
            )

    # listwise deletion
    frame = data[used]
    complete = frame.notna().all(axis=1)
    n_dropped = int((~complete).sum())
    if n_dropped:
        frame = frame.loc[complete]
    n = len(frame)
    if n < 3:
        raise DataError(f"only {n} complete cases in columns {used} (after dropping {n_dropped} with missing values)")
    check_numeric(frame, [y, *mediators, *covariates], context="process: y, m and covariates must be numeric")

    columns, role_terms, codings, cat_roles, centered, eq_terms, notes = build_design(
        frame, sp, names, mediators, covariates, x_coding, w_coding, z_coding, center
    )
    for note in notes:
        warnings.warn(note, stacklevel=2)
    mediated = bool(sp.mediators)
    total_model = mediated and not sp.moderators() and sp.path("x", "y") is not None
    if effsize and not (mediated and not sp.moderators()):
        raise OptionError(
            f"effsize=True gives standardized effects for mediation models without moderators (4, 6 or "
            f"such a spec), as PROCESS does; model {sp.name} has "
            + ("moderators" if sp.moderators() else "no mediator")
        )
    for flag, value in (("effsize", effsize), ("normal", normal)):
        if not isinstance(value, (bool, np.bool_)):
            raise OptionError(f"{flag} must be True or False; got {value!r}")
    if normal and (not mediated or sp.moderators() or any(len(c) != 3 for c in sp.chains())):
        raise OptionError(
            "normal=True (the Sobel test) is for mediation models without moderators whose indirect effects each "
            f"pass through one mediator (model 4 and such specs), as in PROCESS; model {sp.name} has "
            + ("moderators" if sp.moderators() else "serial paths" if mediated else "no mediator")
        )
    scales = standardize_scales(frame[x], role_terms["x"]) if effsize else ()
    if total_model:
        eq_terms["total"] = ["constant", *role_terms["x"], *covariates]

    design = Design(sp, names, role_terms, eq_terms)
    for mod in ("w", "z"):
        if mod not in names:
            continue
        user = wvalues if mod == "w" else zvalues
        if mod in cat_roles:
            if user is not None:
                raise OptionError(f"{mod}values cannot be used with a categorical {mod}; every group is probed")
            cod = codings[mod]
            levels = categories(frame[names[mod]])
            design.values[mod] = [ModValue(_plain(lv), tuple(cod.matrix[i])) for i, lv in enumerate(levels)]
        else:
            col = columns[role_terms[mod][0]]
            vals = probe_values(col, probe=probe, values=user)
            design.values[mod] = [ModValue(v, (v,)) for v in vals]

    # fits
    fits = {}
    out_col = {dst: names[dst] for dst in sp.outcomes()}
    out_col["total"] = y
    for dst, terms in eq_terms.items():
        X = np.column_stack([columns[t] for t in terms])
        label = names[dst] if dst != "total" else y
        fits[dst] = ols(X, columns[out_col[dst]], terms, hc=hc, conf=conf, outcome=label)
    eq_name = {dst: (names[dst] if dst != "total" else f"{y} (total)") for dst in eq_terms}

    coef_rows, eq_rows = [], []
    for dst, f in fits.items():
        t, p, lo, hi = t_stats(f.coef, f.se, f.df_resid, conf)
        for j, term in enumerate(f.terms):
            coef_rows.append((eq_name[dst], term, f.coef[j], f.se[j], t[j], f.df_resid, p[j], lo[j], hi[j]))
        slopes = list(range(1, len(f.terms)))
        F, df1, df2, pf = wald_f(f, slopes)
        eq_rows.append((eq_name[dst], "model", np.sqrt(max(f.r2, 0.0)), f.r2, f.mse, F, df1, df2, pf))
        groups = []
        xy_path = sp.path("x", "y")
        if len(role_terms["x"]) > 1 and (dst == "total" or (dst == "y" and xy_path and not xy_path.moderators)):
            groups.append((f"{x} (omnibus)", list(role_terms["x"])))  # relative effects jointly
        for path in (sp.into(dst) if dst != "total" else []):
            if not path.moderators:
                continue
            if path.three_way:
                groups.append(("*".join(names[r] for r in (path.src, "w", "z")),
                               [product_term(s, tw, tz) for s in role_terms[path.src]
                                for tw, tz in product(role_terms["w"], role_terms["z"])]))
            else:
                for mod in path.moderators:
                    groups.append((f"{names[path.src]}*{names[mod]}",
                                   [product_term(s, mt) for s in role_terms[path.src] for mt in role_terms[mod]]))
        for label, drop in groups:
            idx = [f.index(tn) for tn in drop]
            keep = [j for j in range(len(f.terms)) if j not in idx]
            reduced = ols(np.column_stack([columns[f.terms[j]] for j in keep]), columns[out_col[dst]],
                          [f.terms[j] for j in keep], hc=None, conf=conf, outcome=eq_name[dst])
            F, df1, df2, pf = wald_f(f, idx)
            eq_rows.append((eq_name[dst], label, np.nan, f.r2 - reduced.r2, np.nan, F, df1, df2, pf))
    coefficients = pd.DataFrame(coef_rows, columns=_COEF_COLS)
    equations = pd.DataFrame(eq_rows, columns=["equation", "test", "r", "r2", "mse", "F", "df1", "df2", "p"])

    # conditional effects of moderated paths, Johnson-Neyman, direct and total effects
    cond_frames, jn_frames, omnibus_rows = [], [], []
    for path in sp.paths:
        if not path.moderators:
            continue
        f = fits[path.dst]
        meta, weights = path_effects(design, f, path, role_terms[path.src], {"equation": eq_name[path.dst]})
        cond_frames.append(linear_table(f, meta, weights, ["equation", "focal", "w", "z"]))
        k = len(role_terms[path.src])
        if k > 1:  # a multicategorical focal predictor: its k codes jointly at each moderator value
            per = len(meta) // k  # rows are code-major: code j at value c is row j * per + c
            for c in range(per):
                F, df1, df2, pf = wald_f_linear(f, np.vstack(weights[c::per]))
                omnibus_rows.append((eq_name[path.dst], names[path.src], meta[c]["w"], meta[c]["z"],
                                     F, df1, df2, pf))
        if list(path.moderators) == ["w"] and "w" not in cat_roles and len(role_terms[path.src]) == 1 \
                and not path.three_way:
            jn_frames.append(jn_for_path(design, f, path, eq_name[path.dst], columns[role_terms["w"][0]]))
    cond_cols = ["equation", "focal", *EFFECT_COLS[1:]]
    conditional = pd.concat(cond_frames, ignore_index=True) if cond_frames else linear_table(
        fits["y"], [], [], cond_cols[:4])
    jn = jn_table(jn_frames)
    conditional_omnibus = pd.DataFrame(omnibus_rows, columns=OMNIBUS_COLS).astype(
        {"F": float, "df1": float, "df2": float, "p": float})

    xy = sp.path("x", "y")
    if mediated and xy is not None:
        direct = effect_table(design, fits["y"], xy, role_terms["x"])
    else:
        direct = linear_table(fits["y"], [], [], EFFECT_COLS[:3])
    if total_model:
        f = fits["total"]
        meta = [{"x_term": t, "w": None, "z": None} for t in role_terms["x"]]
        total = linear_table(f, meta, [np.eye(len(f.terms))[f.index(t)] for t in role_terms["x"]], EFFECT_COLS[:3])
    else:
        total = linear_table(fits["y"], [], [], EFFECT_COLS[:3])

    # indirect effects and the bootstrap
    q_ind, q_idx, q_con = indirect_rows(design)
    point = CoefStacks({dst: fits[dst].coef[None, :] for dst in fits})
    est_ind = np.array([q.fun(point)[0] for q in q_ind])
    est_idx = np.array([q.fun(point)[0] for q in q_idx])
    est_con = np.array([q.fun(point)[0] for q in q_con])
    rng, seed_used = as_generator(seed)
    n_boot = boot if (boot and (q_ind or q_idx)) else 0
    if not n_boot and seed is None:
        seed_used = None  # nothing random happened: no seed to record
    if n_boot:
        eq_list = [d for d in sp.outcomes()]
        names_g = list(columns)
        G = np.column_stack([columns[t] for t in names_g])
        pos = {t: i for i, t in enumerate(names_g)}
        eqs = [([pos[t] for t in eq_terms[d]], pos[out_col[d]]) for d in eq_list]
        sd_cols = (pos[role_terms["x"][0]], pos[out_col["y"]]) if effsize else ()
        draws, n_replaced, boot_sds = resample_fits(G, pos["constant"], eqs, n_boot, rng, sd_cols)
        dcoef = CoefStacks(zip(eq_list, draws, strict=True))
        with single_threaded_blas():  # small products: idle BLAS threads would only spin
            d_ind = np.column_stack([q.fun(dcoef) for q in q_ind]) if q_ind else np.empty((n_boot, 0))
            d_idx = np.column_stack([q.fun(dcoef) for q in q_idx]) if q_idx else np.empty((n_boot, 0))
            d_con = np.column_stack([q.fun(dcoef) for q in q_con]) if q_con else np.empty((n_boot, 0))
        boot_obj = BootstrapDraws(n_boot, ci, conf, n_replaced, {eq_name[d]: dcoef[d] for d in eq_list},
                                  d_ind, d_idx, d_con, boot_sds if effsize else None)
    else:
        boot_obj = None

    ind_cols = ["path", "x_term", "w", "z", "effect", "boot_se", "ci_low", "ci_high"]
    idx_cols = ["path", "x_term", "moderator", "w_term", "index", "boot_se", "ci_low", "ci_high"]
    con_cols = ["path1", "w1", "z1", "path2", "w2", "z2", "x_term", "effect", "boot_se", "ci_low", "ci_high"]
    indirect = boot_table(q_ind, est_ind, boot_obj.indirect if boot_obj else None, "effect", ind_cols, ci, conf)
    index = boot_table(q_idx, est_idx, boot_obj.index if boot_obj else None, "index", idx_cols, ci, conf)
    contrasts = boot_table(q_con, est_con, boot_obj.contrasts if boot_obj else None, "effect", con_cols, ci, conf)
    standardized = standardized_table(
        scales, frame[x], frame[y], direct, total, indirect, contrasts, q_ind, q_con,
        boot_obj, conf,
    )
    normal_tab = normal_theory_table(design, fits, role_terms) if normal else empty_normal()
    for tab in (coefficients, conditional, direct, total, indirect, index, contrasts, standardized):
        tab.attrs["conf"] = conf
    for tab in (coefficients, conditional, direct, total, normal_tab):
        tab.attrs["hc"] = hc
    for tab in (indirect, index, contrasts, standardized):
        tab.attrs["ci"] = ci if boot_obj else None

    table_ = spec_table(sp, names, covariates, {
        dst: [mod for mod in ("w", "z") if any(mod in p.moderators for p in sp.into(dst))] for dst in sp.outcomes()
    })
    table_.attrs.update({
        "variables": dict(names),
        "covariates": list(covariates),
        "codings": {r: {"variable": c.variable, "coding": c.coding, "levels": list(c.levels),
                        "terms": list(c.terms), "counts": list(c.counts),
                        "matrix": c.matrix.tolist()} for r, c in codings.items()},
        "centered": centered,
        "probe": probe,
        "moderator_values": {md: [v.label for v in design.values[md]] for md in design.values},
        "conf": conf,
        "ci": ci,
        "hc": hc,
        "boot": n_boot,
    })
    return ProcessResult(
        model=table_,
        coefficients=coefficients,
        equations=equations,
        conditional=conditional,
        jn=jn,
        indirect=indirect,
        index=index,
        contrasts=contrasts,
        direct=direct,
        total=total,
        extras=ProcessExtras(standardized, normal_tab, conditional_omnibus,
                             plot_table(design, fits, columns, codings, frame, eq_name, probe)),
        boot=boot_obj,
        n=n,
        n_dropped=n_dropped,
        seed=seed_used,
        version=__version__,
    )

