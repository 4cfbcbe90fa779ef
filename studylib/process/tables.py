"""Build the result tables: effects as linear combinations of coefficients, bootstrap rows."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
from scipy import special

from .effects import Design, edge_weights, jn_points, product_term
from .intervals import bc_ci, percentile_ci
from .ols import OLSFit

__all__ = ["EFFECT_COLS", "boot_table", "effect_table", "linear_table", "path_effects", "jn_table"]

EFFECT_COLS = ["x_term", "w", "z", "effect", "se", "t", "df", "p", "ci_low", "ci_high"]
JN_COLS = ["equation", "focal", "moderator", "value", "pct_below", "pct_above"]


def linear_table(fit: OLSFit, meta: list[dict], weights: list[np.ndarray], meta_cols: list[str]) -> pd.DataFrame:
    """Estimate, se, t, df, p and t-based CI of ``weights[i] @ coef`` for every row."""
    cols = {c: [m[c] for m in meta] if meta else np.array([], dtype=object) for c in meta_cols}
    if weights:
        W = np.vstack(weights)
        est = W @ fit.coef
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", W, fit.cov, W), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
        crit = special.stdtrit(fit.df_resid, 0.5 + fit.conf / 2)
        p = 2 * special.stdtr(fit.df_resid, -np.abs(t))
        cols.update(effect=est, se=se, t=t, df=np.full(len(est), fit.df_resid), p=p,
                    ci_low=est - crit * se, ci_high=est + crit * se)
    else:
        cols.update({c: np.empty(0) for c in ("effect", "se", "t", "df", "p", "ci_low", "ci_high")})
    return pd.DataFrame(cols)


def path_effects(design: Design, fit: OLSFit, path, src_terms: list[str], extra: dict | None = None):
    """Meta rows and weights of the effect of each source term at every moderator value."""
    mods = list(path.moderators)
    meta, weights = [], []
    for s_term in src_terms:
        for combo in product(*(design.values[md] for md in mods)):
            mv = dict(zip(mods, combo, strict=True))
            meta.append({**(extra or {}), "focal": s_term, "x_term": s_term,
                         "w": mv["w"].label if "w" in mv else None, "z": mv["z"].label if "z" in mv else None})
            weights.append(edge_weights(design, path, s_term, mv))
    return meta, weights


def effect_table(design: Design, fit: OLSFit, path, src_terms: list[str]) -> pd.DataFrame:
    """Direct effects (x_term, w, z, effect, se, t, df, p, ci_low, ci_high)."""
    meta, weights = path_effects(design, fit, path, src_terms)
    return linear_table(fit, meta, weights, ["x_term", "w", "z"])


def jn_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame({c: np.array([], dtype=float if i >= 3 else object) for i, c in enumerate(JN_COLS)})


def jn_for_path(design: Design, fit: OLSFit, path, equation: str, wcol: np.ndarray) -> pd.DataFrame:
    """Johnson-Neyman points of a path moderated by one continuous W (one source term)."""
    s_term = design.role_terms[path.src][0]
    i1, i3 = fit.index(s_term), fit.index(product_term(s_term, design.role_terms["w"][0]))
    crit = special.stdtrit(fit.df_resid, 0.5 + fit.conf / 2)
    jn = jn_points(fit.coef[i1], fit.coef[i3], fit.cov[i1, i1], fit.cov[i1, i3], fit.cov[i3, i3], crit, wcol)
    jn.insert(0, "moderator", design.names["w"])
    jn.insert(0, "focal", s_term)
    jn.insert(0, "equation", equation)
    return jn


def boot_table(qs, est: np.ndarray, draws: np.ndarray | None, value_col: str, columns: list[str], ci: str,
               conf: float) -> pd.DataFrame:
    """Rows of bootstrap quantities: their descriptors, estimate, boot_se, ci_low, ci_high."""
    meta_cols = [c for c in columns if c not in (value_col, "boot_se", "ci_low", "ci_high")]
    cols = {c: [q.row[c] for q in qs] for c in meta_cols}
    cols[value_col] = est
    if draws is not None and len(qs):
        lo, hi = percentile_ci(draws, conf) if ci == "percentile" else bc_ci(draws, est, conf)
        cols.update(boot_se=draws.std(axis=0, ddof=1), ci_low=lo, ci_high=hi)
    else:
        cols.update({c: np.full(len(qs), np.nan) for c in ("boot_se", "ci_low", "ci_high")})
    return pd.DataFrame({c: cols[c] for c in columns})
