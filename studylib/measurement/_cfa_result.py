"""The result of :func:`studylib.cfa` (a frozen dataclass of tidy tables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._json import to_jsonable
from .._version import __version__
from ._fit import CFAFit
from ._spec import MeasurementSpec

__all__ = ["CFAResult", "DEFINITIONS"]

DEFINITIONS = {
    "estimator": "ML (lavaan defaults: normal likelihood with divisor N, no mean structure, "
    "expected information for standard errors)",
    "cr": "semTools compRelSEM: omega = (sum of loadings)^2 * factor variance / sum of the "
    "observed covariance matrix of the factor's items",
    "ave": "semTools AVE: sum of squared loadings * factor variance / sum of the items' observed variances",
    "htmt": "semTools htmt (htmt2 = TRUE): ratio of geometric means of absolute item correlations "
    "(HTMT2, Roemer et al. 2021)",
    "htmt_arithmetic": "semTools htmt(htmt2 = FALSE): ratio of arithmetic means of absolute item "
    "correlations (Henseler et al. 2015)",
    "fornell_larcker": "diagonal: square root of AVE; off-diagonal: latent (factor) correlations",
    "srmr": "Bentler's SRMR (lavaan's srmr): residuals scaled by the observed SDs, diagonal included",
}


@dataclass(frozen=True)
class CFAResult:
    """A fitted confirmatory factor analysis (returned by :func:`studylib.cfa`).

    Attributes
    ----------
    fit : CFAFit
        Global fit: ``chisq, df, p, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr,
        aic, bic, n, npar`` (and ``loglik``, the baseline test, ``rmsea_conf``);
        ``fit.table()`` gives a one-row DataFrame.
    loadings : DataFrame
        One row per item: ``factor, item, reversed, estimate, se, z, p, ci_low, ci_high,
        std_estimate`` (unstandardized loading with its Wald test and interval at level
        ``conf``; a marker loading fixed to 1 has NaN se/z/p/ci; ``std_estimate`` is the
        completely standardized loading, lavaan ``std.all``).
    parameters : DataFrame
        Every parameter as lavaan's parameter table: ``lhs, op, rhs, free, estimate, se, z,
        p, ci_low, ci_high, std_estimate`` with ``op`` one of ``=~`` (loading), ``~~``
        (variance or covariance).
    factor_correlations : DataFrame
        Latent correlations, square, indexed by factor.
    validity : DataFrame
        One row per factor: ``factor, k, cr, ave, sqrt_ave, max_r, msv, cr_ci_low,
        cr_ci_high, ave_ci_low, ave_ci_high`` (``max_r``: largest absolute correlation with
        another factor; ``msv``: its square, the maximum shared variance; the CIs are
        bootstrap percentile intervals, NaN when ``boot = 0``).
    htmt : DataFrame
        Heterotrait-monotrait ratios, square, indexed by factor (diagonal 1).
    htmt_ci : DataFrame
        One row per pair of factors: ``factor_1, factor_2, estimate, ci_low, ci_high``
        (percentile bootstrap; NaN when ``boot = 0``).
    spec : MeasurementSpec
        Factors, their items and the reverse keys applied.
    n : int
        Respondents used (complete on every item).
    n_dropped : int
        Rows of ``data`` left out for a missing answer (listwise).
    options : dict
        ``missing, std_lv, boot, boot_failed, seed, conf, htmt_mean``.
    boot_draws : DataFrame or None
        The bootstrap values (one row per resample: ``cr:<factor>``, ``ave:<factor>``,
        ``htmt:<factor>:<factor>``); None when ``boot = 0``.
    """

    fit: CFAFit
    loadings: pd.DataFrame = field(repr=False)
    parameters: pd.DataFrame = field(repr=False)
    factor_correlations: pd.DataFrame = field(repr=False)
    validity: pd.DataFrame = field(repr=False)
    htmt: pd.DataFrame = field(repr=False)
    htmt_ci: pd.DataFrame = field(repr=False)
    spec: MeasurementSpec = field(repr=False)
    n: int = 0
    n_dropped: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    boot_draws: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def fornell_larcker(self) -> pd.DataFrame:
        """Fornell-Larcker table: square root of AVE on the diagonal, latent correlations
        elsewhere (square, indexed by factor). Discriminant validity in their sense holds
        for a factor when its diagonal value exceeds its correlations."""
        out = self.factor_correlations.copy()
        for f, v in zip(self.validity["factor"], self.validity["sqrt_ave"], strict=True):
            out.loc[f, f] = v
        return out

    def summary(self) -> str:
        """Plain-text report (rounded for reading only)."""
        fit = self.fit
        o = self.options
        p_txt = "NA" if not np.isfinite(fit.p) else (f"{fit.p:.3f}" if fit.p >= 0.001 else "< .001")
        ident = "factor variances fixed to 1 (std_lv)" if o.get("std_lv") else "first loading of each factor fixed to 1"
        lines = [
            f"Confirmatory factor analysis (ML): {len(self.spec.factors)} factors, "
            f"{len(self.spec.items)} items, n = {self.n} ({o.get('missing', 'listwise')}; "
            f"{self.n_dropped} rows dropped)",
            f"  identification: {ident}; {fit.npar} free parameters",
            f"  chi2({fit.df}) = {fit.chisq:.3f}, p {'= ' + p_txt if not p_txt.startswith('<') else p_txt}; "
            f"baseline chi2({fit.baseline_df}) = {fit.baseline_chisq:.3f}",
            f"  CFI = {fit.cfi:.3f}, TLI = {fit.tli:.3f}, RMSEA = {fit.rmsea:.3f} "
            f"[{fit.rmsea_conf:.0%} CI {fit.rmsea_ci_low:.3f}, {fit.rmsea_ci_high:.3f}], SRMR = {fit.srmr:.3f}",
            f"  AIC = {fit.aic:.3f}, BIC = {fit.bic:.3f}, log-likelihood = {fit.loglik:.3f}",
            "",
            "Loadings",
            self.loadings.drop(columns=["ci_low", "ci_high"]).to_string(
                index=False, float_format=lambda v: f"{v:.3f}"
            ),
            "",
            "Factor correlations",
            self.factor_correlations.to_string(float_format=lambda v: f"{v:.3f}"),
            "",
            "Convergent and discriminant validity (CR: semTools compRelSEM omega; AVE: semTools AVE)",
            self.validity.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            "",
            f"HTMT ({o.get('htmt_mean', 'geometric')} means{', semTools htmt2' if o.get('htmt_mean') == 'geometric' else ''})",
            self.htmt.to_string(float_format=lambda v: f"{v:.3f}"),
        ]
        if o.get("boot"):
            lines += [
                "",
                f"Bootstrap: B = {o['boot']} resamples (seed {o.get('seed')}), {o.get('conf', 0.95):.0%} "
                f"percentile intervals; {o.get('boot_failed', 0)} resamples whose CFA did not converge "
                "are left out of the CR/AVE intervals",
                self.htmt_ci.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON content (what ``studylib cfa --json`` writes)."""
        return to_jsonable(
            {
                "fit": self.fit.to_dict(),
                "loadings": self.loadings,
                "parameters": self.parameters,
                "factor_correlations": _square(self.factor_correlations),
                "validity": self.validity,
                "htmt": _square(self.htmt),
                "htmt_ci": self.htmt_ci,
                "fornell_larcker": _square(self.fornell_larcker),
                "factors": self.spec.to_dict(),
                "n": self.n,
                "n_dropped": self.n_dropped,
                "options": self.options,
                "definitions": DEFINITIONS,
                "studylib_version": __version__,
            }
        )


def _square(df: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {str(r): {str(c): float(df.loc[r, c]) for c in df.columns} for r in df.index}
