"""Global fit of an ML CFA: chi-square test, baseline model, CFI, TLI, RMSEA with its
confidence interval, SRMR, log-likelihood, AIC and BIC, computed as lavaan 0.6 computes
them (``fitMeasures``; ``lav_fit_cfi.R``, ``lav_fit_rmsea.R``, ``lav_fit_srmr.R``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["CFAFit", "fit_indices"]


@dataclass(frozen=True)
class CFAFit:
    """Global fit indices of a CFA (the ``.fit`` of a :class:`CFAResult`).

    Attributes
    ----------
    chisq, df, p : float, int, float
        Likelihood-ratio (ML) chi-square test of the model against the saturated model,
        :math:`T = N F_{ML}`; ``p`` is NaN when ``df = 0``.
    cfi, tli : float
        Comparative fit index and Tucker-Lewis index against the independence (baseline)
        model of uncorrelated items.
    rmsea, rmsea_ci_low, rmsea_ci_high : float
        Root mean square error of approximation and its confidence interval (level
        ``rmsea_conf``, 90% by convention).
    srmr : float
        Standardized root mean square residual (Bentler's, lavaan's default).
    aic, bic : float
        Akaike and Bayesian information criteria from ``loglik`` and ``npar``.
    n, npar : int
        Respondents used and free parameters.
    loglik : float
        Log-likelihood of the model (means saturated).
    baseline_chisq, baseline_df : float, int
        Chi-square test of the baseline model.
    rmsea_conf : float
        Level of the RMSEA interval.
    """

    chisq: float
    df: int
    p: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    srmr: float
    aic: float
    bic: float
    n: int
    npar: int
    loglik: float
    baseline_chisq: float
    baseline_df: int
    rmsea_conf: float = 0.90

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def table(self) -> pd.DataFrame:
        """The indices as a one-row DataFrame (columns as the attributes)."""
        return pd.DataFrame([self.to_dict()])


def fit_indices(s: np.ndarray, sigma: np.ndarray, f_min: float, n: int, npar: int, *, rmsea_conf: float = 0.90) -> CFAFit:
    """Fit indices from the sample (divisor N) and model-implied covariance matrices."""
    p = s.shape[0]
    chisq = float(n * f_min)
    df = p * (p + 1) // 2 - npar
    pval = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    logdet_s = np.linalg.slogdet(s)[1]
    base = float(n * (np.log(np.diag(s)).sum() - logdet_s))
    base_df = p * (p - 1) // 2
    logdet_sig = np.linalg.slogdet(sigma)[1]
    loglik = float(-0.5 * n * (p * np.log(2 * np.pi) + logdet_sig + np.trace(s @ np.linalg.inv(sigma))))
    rmsea = float(np.sqrt(max(chisq / n / df - 1.0 / n, 0.0))) if df > 0 else 0.0
    lo, hi = rmsea_ci(chisq, df, n, rmsea_conf)
    return CFAFit(
        chisq=chisq,
        df=int(df),
        p=pval,
        cfi=cfi(chisq, df, base, base_df),
        tli=tli(chisq, df, base, base_df),
        rmsea=rmsea,
        rmsea_ci_low=lo,
        rmsea_ci_high=hi,
        srmr=srmr(s, sigma),
        aic=float(-2.0 * loglik + 2.0 * npar),
        bic=float(-2.0 * loglik + npar * np.log(n)),
        n=int(n),
        npar=int(npar),
        loglik=loglik,
        baseline_chisq=base,
        baseline_df=int(base_df),
        rmsea_conf=rmsea_conf,
    )


def cfi(x2: float, df: int, x2_0: float, df_0: int) -> float:
    """Bentler's CFI, 1 when neither model misfits beyond its df (lavaan)."""
    t1 = max(x2 - df, 0.0)
    t2 = max(x2 - df, x2_0 - df_0, 0.0)
    if np.isclose(t1, 0.0, rtol=0, atol=1.5e-8) and np.isclose(t2, 0.0, rtol=0, atol=1.5e-8):
        return 1.0
    return float(1.0 - t1 / t2)


def tli(x2: float, df: int, x2_0: float, df_0: int) -> float:
    """Tucker-Lewis index in lavaan's form ``1 - (T - df) df0 / ((T0 - df0) df)`` (can exceed 1)."""
    t1 = (x2 - df) * df_0
    t2 = (x2_0 - df_0) * df
    if df > 0 and abs(t2) > 0:
        return float(1.0 - t1 / t2)
    return 1.0


def rmsea_ci(x2: float, df: int, n: int, level: float) -> tuple[float, float]:
    """Confidence interval of RMSEA from the noncentral chi-square (lavaan's rule).

    The limits are :math:`\\sqrt{\\lambda/(N\\,df)}` for the noncentrality parameters
    :math:`\\lambda` at which the observed chi-square is the upper and lower
    :math:`(1 - level)/2` quantile; a limit is 0 when no such :math:`\\lambda \\ge 0`.
    """
    if df < 1 or not np.isfinite(x2):
        return 0.0, 0.0
    up, low_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam: float) -> float:  # scipy.stats.ncx2.cdf without its per-call overhead
        return float(special.chndtr(x2, df, lam)) if lam > 0 else float(special.chdtr(df, x2))

    if cdf(0.0) - up < 0:
        lo = 0.0
    else:
        lam = optimize.brentq(lambda v: cdf(v) - up, 0.0, x2, xtol=1e-12, rtol=1e-14)
        lo = float(np.sqrt(lam / (n * df)))
    top = max(n, 4 * x2)
    if cdf(top) - low_p > 0 or cdf(0.0) - low_p < 0:
        hi = 0.0
    else:
        lam = optimize.brentq(lambda v: cdf(v) - low_p, 0.0, top, xtol=1e-12, rtol=1e-14)
        hi = float(np.sqrt(lam / (n * df)))
    return lo, hi


def srmr(s: np.ndarray, sigma: np.ndarray) -> float:
    """Bentler's SRMR: residuals scaled by the observed SDs, over the lower triangle
    with the diagonal, :math:`\\sqrt{\\sum_{i \\le j} ((s_{ij} - \\sigma_{ij}) /
    \\sqrt{s_{ii}s_{jj}})^2 / (p(p+1)/2)}`."""
    sd = np.sqrt(np.diag(s))
    res = (s - sigma) / np.outer(sd, sd)
    i, j = np.tril_indices(s.shape[0])
    return float(np.sqrt((res[i, j] ** 2).mean()))
