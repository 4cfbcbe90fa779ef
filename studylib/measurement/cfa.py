"""Confirmatory factor analysis by maximum likelihood, with fit indices, composite
reliability, AVE and discriminant validity (HTMT, Fornell-Larcker).

:func:`cfa` runs in stages, each a small function taking the previous stages' objects:
options -> specification -> data -> identification checks -> estimation -> standard
errors -> improper-solution checks -> fit -> validity -> bootstrap -> tables. The ML
engine (:mod:`._ml`) is written here because no maintained Python library has a CFA
(statsmodels offers exploratory factor analysis only); it reproduces lavaan's defaults.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import as_generator, check_fraction, check_int, check_option
from ..errors import ModelError, OptionError, SpecError, StudylibWarning
from . import _ml
from ._bootstrap import bootstrap_validity
from ._bootstrap import percentile_intervals as _ci
from ._cfa_result import CFAResult
from ._fit import fit_indices
from ._spec import MeasurementSpec, check_variances, item_data, parse_factors
from ._validity import average_variance_extracted, composite_reliability, corr_from_cov, htmt_matrix

__all__ = ["cfa"]

_MIN_BOOT = 1000


def cfa(
    data: pd.DataFrame,
    factors: Any,
    *,
    missing: str = "listwise",
    std_lv: bool = False,
    boot: int = 0,
    seed: Any = None,
    conf: float = 0.95,
    htmt_mean: str = "geometric",
) -> CFAResult:
    """Confirmatory factor analysis (ML) with fit indices, CR, AVE, HTMT and Fornell-Larcker.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. Only read.
    factors : dict or list of Scale
        Each factor and its items: a list of column names, or a :class:`studylib.Scale`
        whose reverse-keyed items enter recoded ``max + min - x`` from its declared range
        (as :func:`studylib.score` does) and whose answers are range-checked. A list of
        Scales names each factor after its scale id. Each item measures one factor.
    missing : {'listwise'}
        Respondents with a missing answer on any item are left out; ``n`` and
        ``n_dropped`` report how many were used and dropped. Nothing is imputed.
    std_lv : bool
        False (default, as lavaan): the first loading of each factor is fixed to 1 (marker
        variable). True: factor variances are fixed to 1 and all loadings are free.
    boot : int
        0 (default) or at least 1000 bootstrap resamples for percentile intervals of HTMT,
        CR and AVE (one bootstrap; the CFA is refitted to each resample).
    seed : int or numpy.random.Generator, optional
        For bit-identical bootstrap results; the seed used is in ``options``.
    conf : float
        Level of the Wald intervals of the loadings and of the bootstrap intervals.
    htmt_mean : {'geometric', 'arithmetic'}
        HTMT2 with geometric means (semTools 0.5-6 default) or the original HTMT with
        arithmetic means (Henseler et al. 2015; semTools ``htmt2 = FALSE``).

    Returns
    -------
    CFAResult
        ``fit`` (chisq, df, p, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr, aic,
        bic, n, npar), ``loadings`` (factor, item, reversed, estimate, se, z, p, ci_low,
        ci_high, std_estimate), ``parameters``, ``factor_correlations``, ``validity``
        (factor, k, cr, ave, sqrt_ave, max_r, msv and bootstrap CIs), ``htmt``,
        ``htmt_ci``, ``fornell_larcker``, ``summary()``, ``to_dict()``.

    Raises
    ------
    SpecError
        An item under two factors, a factor with one item, an under-identified model (a
        lone factor with two items), or fewer respondents than free parameters; the
        message names the factor.
    ColumnError, DataError
        Unknown item columns; non-numeric answers, or answers outside a Scale's range.
    ModelError
        An item without variance, linearly dependent items, or an estimation that does
        not converge (the message says what was tried and what to try).
    OptionError
        An option outside its allowed values (e.g. ``boot`` between 1 and 999).

    Warns
    -----
    StudylibWarning
        A Heywood case (negative residual variance or standardized loading above 1,
        naming the item), a negative factor variance or a latent correlation beyond +-1.

    See Also
    --------
    efa : exploratory factor analysis; sampling_adequacy : KMO and Bartlett's test.
    studylib.reliability : alpha and omega of one scale.

    Notes
    -----
    ML estimation minimises :math:`F = \\log|\\Sigma| + \\operatorname{tr}(S\\Sigma^{-1})
    - \\log|S| - p` over :math:`\\Sigma = \\Lambda\\Phi\\Lambda' + \\Theta` (``S`` with divisor
    N); :math:`\\chi^2 = N F_{min}`; standard errors from the expected information, as
    lavaan's defaults. Fit indices as lavaan's ``fitMeasures`` (RMSEA with N, SRMR of
    Bentler). Validity measures (see :mod:`studylib.measurement._validity`):

    .. math::

        CR_f = \\frac{(\\sum_i \\lambda_i)^2 \\phi_{ff}}{\\mathbf 1' S_f \\mathbf 1}, \\quad
        AVE_f = \\frac{\\sum_i \\lambda_i^2 \\phi_{ff}}{\\sum_i s_{ii}}, \\quad
        HTMT2_{fg} = \\frac{\\bar r^{geo}_{fg}}{\\sqrt{\\bar r^{geo}_{ff}\\,\\bar r^{geo}_{gg}}}

    CR is semTools' ``compRelSEM`` (omega from the CFA loadings with the observed total
    variance; other CR formulas in use give slightly different values), AVE semTools'
    ``AVE``, HTMT semTools' ``htmt`` (absolute correlations). Validated against lavaan
    0.6-14 and semTools 0.5-6 on HolzingerSwineford1939 (tests/reference/cfa/): estimates,
    SEs and fit indices to 1e-4 relative, HTMT to 1e-6.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36. doi:10.18637/jss.v048.i02

    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50. doi:10.1177/002224378101800104

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. doi:10.1007/s11747-014-0403-8

    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. Industrial
    Management & Data Systems, 121(12), 2637-2650. doi:10.1108/IMDS-02-2021-0082

    Examples
    --------
    The example study's three scales (reverse-keyed items recoded from their YAML files):

    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> res = studylib.cfa(d, [qs["psr"], qs["pk"], qs["attitude"]])
    >>> f = res.fit
    >>> round(f.cfi, 3), round(f.rmsea, 3), round(f.srmr, 3), f.df, res.n, res.n_dropped
    (0.985, 0.035, 0.039, 132, 203, 49)
    >>> res.loadings[["factor", "item", "reversed", "estimate", "std_estimate"]].head(3).round(3)
      factor    item  reversed  estimate  std_estimate
    0    psr  psr_01     False     1.000         0.830
    1    psr  psr_02     False     0.849         0.804
    2    psr  psr_03      True     0.688         0.660
    >>> res.validity[["factor", "cr", "ave", "max_r"]].round(3)
         factor     cr    ave  max_r
    0       psr  0.912  0.568  0.706
    1        pk  0.850  0.536  0.706
    2  attitude  0.924  0.708  0.635
    >>> res.htmt.round(3)
                psr     pk  attitude
    factor
    psr       1.000  0.682     0.617
    pk        0.682  1.000     0.640
    attitude  0.617  0.640     1.000
    >>> # R: fit <- lavaan::cfa("psr =~ psr_01 + ... ; pk =~ ... ; attitude =~ ...", data = d)
    >>> #    lavaan::fitMeasures(fit); semTools::compRelSEM(fit); semTools::AVE(fit)
    >>> #    semTools::htmt(model, data = d)   (after recoding the reverse-keyed items)
    """
    opts = _options(missing, std_lv, boot, seed, conf, htmt_mean)
    spec = parse_factors(factors)
    x, n_dropped = _complete_data(data, spec)
    st = _structure(spec, std_lv=opts["std_lv"])
    _check_identified(spec, st, x.shape[0])
    check_variances(x, list(spec.items), what="cfa")
    n = x.shape[0]
    s = np.cov(x, rowvar=False, bias=True)
    fs = _estimate(st, spec, s)
    se = _standard_errors(st, spec, fs, n)
    _warn_improper(st, spec, fs)
    fit = fit_indices(s, fs.sigma[0], float(fs.f[0]), n, st.q)
    cr = composite_reliability(fs.lam, fs.phi, s[None], st.factor_of)[0]
    ave = average_variance_extracted(fs.lam, fs.phi, s[None], st.factor_of)[0]
    htmt = htmt_matrix(corr_from_cov(s[None]), st.factor_of, mean=htmt_mean)[0]
    draws = None
    if opts["boot"]:
        rng, opts["seed"] = as_generator(seed)
        draws = bootstrap_validity(x, st, fs.theta, rng, opts["boot"], mean=htmt_mean)
        opts["boot_failed"] = draws.failed
    return _tables(spec, st, fs, se, fit, cr, ave, htmt, draws, n, n_dropped, opts)


# --------------------------------------------------------------------------------------
# stages


def _options(missing: Any, std_lv: Any, boot: Any, seed: Any, conf: Any, htmt_mean: Any) -> dict[str, Any]:
    check_option(missing, "missing", ("listwise",))
    if not isinstance(std_lv, bool | np.bool_):
        raise OptionError(f"std_lv must be True or False; got {std_lv!r}")
    boot = check_int(boot, "boot", minimum=0)
    if 0 < boot < _MIN_BOOT:
        raise OptionError(
            f"boot must be at least {_MIN_BOOT} resamples (2000 or more recommended), or 0 to skip the bootstrap; got {boot}"
        )
    check_option(htmt_mean, "htmt_mean", ("geometric", "arithmetic"))
    return {
        "missing": missing,
        "std_lv": bool(std_lv),
        "boot": boot,
        "boot_failed": 0,
        "seed": None if boot == 0 else seed,
        "conf": check_fraction(conf, "conf"),
        "htmt_mean": htmt_mean,
    }


def _complete_data(data: pd.DataFrame, spec: MeasurementSpec) -> tuple[np.ndarray, int]:
    x, complete = item_data(data, spec)
    return x[complete], int((~complete).sum())


def _structure(spec: MeasurementSpec, *, std_lv: bool) -> _ml.Structure:
    fo = spec.factor_of
    marker = np.zeros(fo.size, bool)
    if not std_lv:
        marker[[int(np.flatnonzero(fo == f)[0]) for f in range(len(spec.factors))]] = True
    return _ml.Structure(fo, marker, std_lv)


def _describe(spec: MeasurementSpec) -> str:
    return ", ".join(f"{f!r} ({len(spec.items_of(f))} items)" for f in spec.factors)


def _check_identified(spec: MeasurementSpec, st: _ml.Structure, n: int) -> None:
    p = st.p
    df = p * (p + 1) // 2 - st.q
    if df < 0:
        two = [f for f in spec.factors if len(spec.items_of(f)) < 3]
        raise SpecError(
            f"the model is under-identified ({st.q} free parameters for {p * (p + 1) // 2} "
            f"variances and covariances): factor {two[0]!r} has only {len(spec.items_of(two[0]))} items "
            "and no other factor to correlate with; give it at least 3 items"
        )
    if n < st.q:
        raise SpecError(
            f"{n} respondents answered every item (listwise), fewer than the {st.q} free "
            f"parameters of the model with factors {_describe(spec)}; a CFA needs more "
            "respondents than free parameters (and usually 5-10 per parameter): collect more "
            "data, or fit fewer factors or items"
        )


def _estimate(st: _ml.Structure, spec: MeasurementSpec, s: np.ndarray) -> _ml.FitState:
    starts = [_ml.start_values(st, s), _simple_start(st, s)]
    best = None
    for theta0 in starts:
        fs, conv, _ = _ml.minimise(st, s[None], theta0)
        if conv[0] and np.isfinite(fs.f[0]):
            return fs
        if best is None or (np.isfinite(fs.f[0]) and fs.f[0] < best.f[0]):
            best = fs
    grad = np.abs(_ml.gradient(st, best, s[None])).max() if np.isfinite(best.f[0]) else np.nan
    raise ModelError(
        f"the CFA did not converge (factors {_describe(spec)}): Newton / Fisher-scoring "
        f"iterations from two sets of start values (per-factor principal axes, and all "
        f"loadings 1) stopped without reaching the ML minimum (largest gradient {grad:.2g}). "
        "Try: check the items (reverse keys, answers coded on another scale, items that "
        "barely vary), drop items with weak loadings, fewer factors or merging factors "
        "that correlate near 1, std_lv=True, or more respondents"
    )


def _simple_start(st: _ml.Structure, s: np.ndarray) -> np.ndarray:
    """lavaan's 'simple' start: loadings 1, residual variances half the item variances,
    factor variances 0.05, covariances 0."""
    lam = np.ones((1, st.p))
    phi = np.eye(st.m)[None] * (1.0 if st.std_lv else 0.05)
    th = 0.5 * np.diag(s)[None]
    return st.pack(lam, phi, th)


def _standard_errors(st: _ml.Structure, spec: MeasurementSpec, fs: _ml.FitState, n: int) -> np.ndarray:
    info = _ml.information(st, fs)[0]
    try:
        vcov = 2.0 * np.linalg.inv(info) / n
    except np.linalg.LinAlgError:
        vcov = np.full_like(info, np.nan)
    var = np.diag(vcov)
    if not np.all(np.isfinite(var) & (var > 0)):
        two = [f for f in spec.factors if len(spec.items_of(f)) == 2]
        hint = (
            f"; factor {two[0]!r} has 2 items and is identified only through its correlations "
            "with the other factors, which are near 0: give it a third item"
            if two
            else ""
        )
        raise ModelError(
            f"the information matrix of the CFA is singular at the estimates (the model is "
            f"empirically under-identified; factors {_describe(spec)}){hint}"
        )
    return np.sqrt(var)


def _warn_improper(st: _ml.Structure, spec: MeasurementSpec, fs: _ml.FitState) -> None:
    lam, phi, th = fs.lam[0], fs.phi[0], fs.th[0]
    sig = np.diag(fs.sigma[0])
    std = lam * np.sqrt(np.clip(np.diag(phi)[st.factor_of], 0, None)) / np.sqrt(sig)
    bad = [i for i in range(st.p) if th[i] < 0 or abs(std[i]) > 1]
    for i in bad:
        warnings.warn(
            f"Heywood case: item {spec.items[i]!r} (factor {spec.factors[st.factor_of[i]]!r}) has a "
            f"residual variance of {th[i]:.4g} and a standardized loading of {std[i]:.4g}; "
            "the solution is improper: check the item's coding and reverse key, or give the "
            "factor more items or the model more respondents",
            StudylibWarning,
            stacklevel=3,
        )
    for f in range(st.m):
        if phi[f, f] <= 0:
            warnings.warn(
                f"factor {spec.factors[f]!r} has a non-positive variance ({phi[f, f]:.4g}); the "
                "solution is improper: check its marker item, or use std_lv=True",
                StudylibWarning,
                stacklevel=3,
            )
    d = np.sqrt(np.abs(np.diag(phi)))
    corr = phi / np.outer(d, d)
    for f in range(st.m):
        for g in range(f):
            if abs(corr[f, g]) > 1:
                warnings.warn(
                    f"factors {spec.factors[g]!r} and {spec.factors[f]!r} correlate {corr[f, g]:.4g}, beyond "
                    "+-1; the solution is improper: the two factors may measure one construct",
                    StudylibWarning,
                    stacklevel=3,
                )


def _tables(
    spec: MeasurementSpec,
    st: _ml.Structure,
    fs: _ml.FitState,
    se: np.ndarray,
    fit: Any,
    cr: np.ndarray,
    ave: np.ndarray,
    htmt: np.ndarray,
    draws: Any,
    n: int,
    n_dropped: int,
    opts: dict[str, Any],
) -> CFAResult:
    lam, phi, th = fs.lam[0], fs.phi[0], fs.th[0]
    sig = np.diag(fs.sigma[0])
    fo, names, m = st.factor_of, list(spec.factors), st.m
    d = np.sqrt(np.abs(np.diag(phi)))
    corr = phi / np.outer(d, d)
    zcrit = stats.norm.ppf(0.5 + opts["conf"] / 2)

    # parameter table in lavaan's order: loadings, residual variances, factor (co)variances
    se_lam = np.full(st.p, np.nan)
    se_lam[st.free_load] = se[: st.n_load]
    se_th = se[st.n_load : st.n_load + st.p]
    se_phi = np.full((m, m), np.nan)
    k, c = st.phi_pairs
    se_phi[k, c] = se_phi[c, k] = se[st.n_load + st.p :]
    fi, fj = np.triu_indices(m)
    items = list(spec.items)
    cols = {
        "lhs": [names[f] for f in fo] + items + [names[f] for f in fi],
        "op": ["=~"] * st.p + ["~~"] * (st.p + fi.size),
        "rhs": items + items + [names[g] for g in fj],
        "free": np.concatenate([~st.marker, np.ones(st.p, bool), (fi != fj) | (not st.std_lv)]),
        "estimate": np.concatenate([lam, th, phi[fi, fj]]),
        "se": np.concatenate([se_lam, se_th, se_phi[fj, fi]]),
    }
    est, err = cols["estimate"], cols["se"]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = est / err
    cols.update(
        {
            "z": z,
            "p": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": est - zcrit * err,
            "ci_high": est + zcrit * err,
            "std_estimate": np.concatenate([lam * d[fo] / np.sqrt(sig), th / sig, corr[fi, fj]]),
        }
    )
    par = pd.DataFrame(cols)
    par.attrs["conf"] = opts["conf"]
    keep = ["estimate", "se", "z", "p", "ci_low", "ci_high", "std_estimate"]
    load = pd.DataFrame(
        {"factor": cols["lhs"][: st.p], "item": items, "reversed": list(spec.reversed),
         **{k: cols[k][: st.p] for k in keep}}
    )
    load.attrs["conf"] = opts["conf"]

    fcorr = pd.DataFrame(corr, index=pd.Index(names, name="factor"), columns=names)
    off = np.abs(corr) * (1 - np.eye(m))
    max_r = off.max(axis=1) if m > 1 else np.full(m, np.nan)
    validity = pd.DataFrame(
        {
            "factor": names,
            "k": [len(spec.items_of(f)) for f in names],
            "cr": cr,
            "ave": ave,
            "sqrt_ave": np.sqrt(ave),
            "max_r": max_r,
            "msv": max_r**2,
        }
    )
    pairs = [(f, g) for f in range(m) for g in range(f + 1, m)]
    hci = pd.DataFrame(
        {
            "factor_1": [names[f] for f, _ in pairs],
            "factor_2": [names[g] for _, g in pairs],
            "estimate": [htmt[f, g] for f, g in pairs],
        }
    )
    boot_df = None
    nan_m = np.full(m, np.nan)
    cr_lo, cr_hi, ave_lo, ave_hi = nan_m, nan_m, nan_m, nan_m
    h_lo = h_hi = np.full(len(pairs), np.nan)
    if draws is not None:
        cr_lo, cr_hi = _ci(draws.cr, opts["conf"])
        ave_lo, ave_hi = _ci(draws.ave, opts["conf"])
        hd = np.stack([draws.htmt[:, f, g] for f, g in pairs], axis=1) if pairs else np.empty((opts["boot"], 0))
        h_lo, h_hi = _ci(hd, opts["conf"])
        cols = {f"cr:{f}": draws.cr[:, j] for j, f in enumerate(names)}
        cols.update({f"ave:{f}": draws.ave[:, j] for j, f in enumerate(names)})
        cols.update({f"htmt:{names[f]}:{names[g]}": hd[:, j] for j, (f, g) in enumerate(pairs)})
        boot_df = pd.DataFrame(cols)
    validity["cr_ci_low"], validity["cr_ci_high"] = cr_lo, cr_hi
    validity["ave_ci_low"], validity["ave_ci_high"] = ave_lo, ave_hi
    validity.attrs["conf"] = opts["conf"]
    hci["ci_low"], hci["ci_high"] = h_lo, h_hi
    hci.attrs["conf"] = opts["conf"]
    return CFAResult(
        fit=fit,
        loadings=load,
        parameters=par,
        factor_correlations=fcorr,
        validity=validity,
        htmt=pd.DataFrame(htmt, index=pd.Index(names, name="factor"), columns=names),
        htmt_ci=hci,
        spec=spec,
        n=n,
        n_dropped=n_dropped,
        options=opts,
        boot_draws=boot_df,
    )
