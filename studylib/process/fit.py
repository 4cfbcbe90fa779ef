"""Stage 3 of :func:`studylib.process` (fit): every equation by OLS or logistic ML, with its tests.

:func:`fit_equations` fits each outcome's equation (and the total effect model), and tabulates
the coefficients and each equation's model summary and tests: the R²-change F test (OLS) or
the likelihood-ratio test (logistic) of each highest-order interaction, of both moderators
of a path together (PROCESS's "BOTH"), and of a multicategorical X's relative direct and
total effects (omnibus).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from .design import Design, product_term
from .logistic import LogitFit, logit, lr_test
from .ols import OLSFit, ols, t_stats, wald_f

__all__ = ["COEF_COLS", "EQUATION_COLS", "Fits", "fit_equations", "equation_tests"]

COEF_COLS = ["equation", "term", "estimate", "se", "t", "df", "p", "ci_low", "ci_high"]
EQUATION_COLS = ["equation", "test", "r", "r2", "mse", "F", "df1", "df2", "p", "neg2ll", "chisq", "r2_mcfadden",
                 "r2_coxsnell", "r2_nagelkerke"]


@dataclass(frozen=True)
class Fits:
    """The fitted equations (outcome role -> fit), their display names and tables."""

    fits: dict[str, OLSFit | LogitFit]
    eq_name: dict[str, str]
    coefficients: pd.DataFrame
    equations: pd.DataFrame

    def __getitem__(self, dst: str) -> OLSFit | LogitFit:
        return self.fits[dst]


def fit_one(design: Design, dst: str, terms: list[str], *, hc: str | None, conf: float) -> OLSFit | LogitFit:
    """Fit ``dst``'s outcome on ``terms``: OLS (with ``hc``) or logistic ML for a binary Y."""
    X = np.column_stack([design.columns[t] for t in terms])
    y = design.columns[design.outcome[dst]]
    label = design.outcome[dst]
    if design.family[dst] == "logit":
        return logit(X, y, terms, conf=conf, outcome=label)
    return ols(X, y, terms, hc=hc, conf=conf, outcome=label)


def equation_tests(design: Design, dst: str) -> list[tuple[str, list[str]]]:
    """The tests of an equation: (label, terms dropped), as PROCESS lists them.

    Per moderated path into ``dst``: its products with each moderator (``"x*w"``), with
    both together when two moderate it additively (``"BOTH(x)"``), or the three-way
    products (``"x*w*z"``). And for a multicategorical X whose direct (or total) effect is
    not moderated, all of X's codes (``"x (omnibus)"``).
    """
    sp, names, rt = design.spec, design.names, design.role_terms
    groups: list[tuple[str, list[str]]] = []
    xy = sp.path("x", "y")
    if len(rt["x"]) > 1 and (dst == "total" or (dst == "y" and xy and not xy.moderators)):
        groups.append((f"{names['x']} (omnibus)", list(rt["x"])))
    paths = [p for p in (sp.into(dst) if dst != "total" else []) if p.moderators]
    paths.sort(key=lambda p: ["x", *sp.mediators].index(p.src))  # X first, then the mediators (PROCESS)
    for path in paths:
        src = names[path.src]
        if path.three_way:
            groups.append(("*".join(names[r] for r in (path.src, "w", "z")),
                           [product_term(s, tw, tz) for s in rt[path.src] for tw, tz in product(rt["w"], rt["z"])]))
            continue
        each = [(mod, [product_term(s, mt) for s in rt[path.src] for mt in rt[mod]]) for mod in path.moderators]
        for mod, drop in each:
            groups.append((f"{src}*{names[mod]}", drop))
        if len(each) > 1:
            groups.append((f"BOTH({src})", [t for _, drop in each for t in drop]))
    return groups


def fit_equations(design: Design, *, hc: str | None, conf: float) -> Fits:
    """Fit every equation of ``design``; tabulate coefficients and model summaries with tests."""
    y = design.names["y"]
    eq_name = {dst: (design.names[dst] if dst != "total" else f"{y} (total)") for dst in design.eq_terms}
    fits, coef_rows, eq_rows = {}, [], []
    for dst, terms in design.eq_terms.items():
        f = fits[dst] = fit_one(design, dst, terms, hc=hc, conf=conf)
        name = eq_name[dst]
        t, p, lo, hi = t_stats(f.coef, f.se, f.df_resid, conf)
        for j, term in enumerate(f.terms):
            coef_rows.append((name, term, f.coef[j], f.se[j], t[j], f.df_resid, p[j], lo[j], hi[j]))
        eq_rows.append(_summary_row(name, f))
        for label, drop in equation_tests(design, dst):
            keep = [tn for tn in f.terms if tn not in drop]
            reduced = fit_one(design, dst, keep, hc=None, conf=conf)
            eq_rows.append(_test_row(name, label, f, reduced, [f.index(tn) for tn in drop]))
    coefficients = pd.DataFrame(coef_rows, columns=COEF_COLS)
    equations = pd.DataFrame(eq_rows, columns=EQUATION_COLS)
    return Fits(fits, eq_name, coefficients, equations)


_NA4 = (np.nan,) * 4


def _summary_row(name: str, f) -> tuple:
    if isinstance(f, LogitFit):
        from scipy import stats

        df1 = len(f.terms) - 1
        return (name, "model", np.nan, np.nan, np.nan, np.nan, df1, np.nan, float(stats.chi2.sf(f.chisq, df1)),
                f.neg2ll, f.chisq, *f.pseudo_r2())
    F, df1, df2, pf = wald_f(f, list(range(1, len(f.terms))))
    return (name, "model", np.sqrt(max(f.r2, 0.0)), f.r2, f.mse, F, df1, df2, pf, *_NA4, np.nan)


def _test_row(name: str, label: str, f, reduced, idx: list[int]) -> tuple:
    if isinstance(f, LogitFit):
        chisq, df, p = lr_test(f, reduced)
        return (name, label, np.nan, np.nan, np.nan, np.nan, df, np.nan, p, np.nan, chisq, *(np.nan,) * 3)
    F, df1, df2, pf = wald_f(f, idx)
    return (name, label, np.nan, f.r2 - reduced.r2, np.nan, F, df1, df2, pf, *_NA4, np.nan)
