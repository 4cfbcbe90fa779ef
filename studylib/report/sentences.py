"""APA results sentences: one function per kind of test, used by the report, Word and notebooks.

Each function returns the statistics part of a results sentence in the markup of
:mod:`.rich` (italics as ``*F*``), e.g. ``*F*(2, 246) = 13.86, *p* < .001, η²~p~ = .10``;
render it with :func:`.rich.to_html`, :func:`.rich.to_plain` or the Word writer. Numbers are
rounded here only, by APA 7's rules (two decimals; *p* to three, ``< .001`` below; no leading
zero where the statistic cannot exceed 1).

Examples
--------
>>> from studylib.report.sentences import f_sentence, t_sentence, chi2_sentence
>>> f_sentence(13.8612, 2, 246, 0.0000021, eta2_partial=0.1013)
'*F*(2, 246) = 13.86, *p* < .001, η²~p~ = .10'
>>> t_sentence(-1.8608, 17.776, 0.07939)
'*t*(17.78) = -1.86, *p* = .079'
>>> chi2_sentence(12.6, 3, 0.0056, n=397, cramers_v=0.178)
'χ²(3, *N* = 397) = 12.60, *p* = .006, *V* = .18'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._validation import check_columns, check_dataframe
from .apa import format_count, format_df
from .tables import format_number, format_p

__all__ = ["f_sentence", "t_sentence", "chi2_sentence", "r_sentence", "estimate_sentence",
           "indirect_sentence", "anova_sentences", "p_text", "ci_text"]


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def p_text(p: float) -> str:
    """``*p* = .023`` or ``*p* < .001`` (markup).

    >>> p_text(0.0231), p_text(0.00001), p_text(1.0)
    ('*p* = .023', '*p* < .001', '*p* > .999')
    """
    text = format_p(p)
    return "*p* " + text if text[:1] in "<>" else "*p* = " + text


def _level(conf: float) -> str:
    pct = 100 * float(conf)
    return f"{pct:.0f}%" if pct.is_integer() else f"{pct:g}%"


def ci_text(low: float, high: float, *, conf: float = 0.95, digits: int = 2, bounded: bool = False,
            method: str = "") -> str:
    """``95% CI [0.05, 0.20]`` (``bounded=True``: no leading zeros; ``method``: "bootstrap").

    >>> ci_text(0.0512, 0.2049), ci_text(-0.15, 0.9, bounded=True), ci_text(1, 2, method="bootstrap")
    ('95% CI [0.05, 0.20]', '95% CI [-.15, .90]', '95% bootstrap CI [1.00, 2.00]')
    """
    lz = not bounded
    kind = f"{method} CI" if method else "CI"
    return (f"{_level(conf)} {kind} [{format_number(low, digits, leading_zero=lz)}, "
            f"{format_number(high, digits, leading_zero=lz)}]")


def f_sentence(F: float, df1: float, df2: float, p: float, *, eta2_partial: float | None = None,
               eta2_ci: tuple[float, float] | None = None, conf: float = 0.90,
               omega2: float | None = None, digits: int = 2) -> str:
    """``*F*(df1, df2) = F, *p* = ..., η²~p~ = ...`` (with the effect size's CI when given).

    The CI of partial eta squared is conventionally 90% (it matches the one-sided F test).

    >>> f_sentence(15.572, 1, 54, 0.000231, eta2_partial=0.2238, eta2_ci=(0.0776, 0.3662))
    '*F*(1, 54) = 15.57, *p* < .001, η²~p~ = .22, 90% CI [.08, .37]'
    """
    parts = [f"*F*({format_df(df1)}, {format_df(df2)}) = {format_number(F, digits)}", p_text(p)]
    if not _nan(eta2_partial):
        es = f"η²~p~ = {format_number(eta2_partial, digits, leading_zero=False)}"
        if eta2_ci is not None and not _nan(eta2_ci[0]):
            es += ", " + ci_text(*eta2_ci, conf=conf, digits=digits, bounded=True)
        parts.append(es)
    if not _nan(omega2):
        parts.append(f"ω² = {format_number(omega2, digits, leading_zero=False)}")
    return ", ".join(parts)


def t_sentence(t: float, df: float, p: float, *, estimate: float | None = None,
               ci: tuple[float, float] | None = None, conf: float = 0.95, estimate_name: str = "*M*~diff~",
               effect_size: float | None = None, effect_name: str = "*d*",
               effect_ci: tuple[float, float] | None = None, digits: int = 2) -> str:
    """``*t*(df) = t, *p* = ...``, optionally after the estimate with its CI and before *d*/*g*.

    >>> t_sentence(15.546, 243.91, 1e-30, estimate=2.318, ci=(2.02, 2.61), effect_size=1.96,
    ...            effect_name="*g*")
    '*M*~diff~ = 2.32, 95% CI [2.02, 2.61], *t*(243.91) = 15.55, *p* < .001, *g* = 1.96'
    """
    parts = []
    if not _nan(estimate):
        est = f"{estimate_name} = {format_number(estimate, digits)}"
        if ci is not None and not _nan(ci[0]):
            est += ", " + ci_text(*ci, conf=conf, digits=digits)
        parts.append(est)
    parts += [f"*t*({format_df(df)}) = {format_number(t, digits)}", p_text(p)]
    if not _nan(effect_size):
        es = f"{effect_name} = {format_number(effect_size, digits)}"
        if effect_ci is not None and not _nan(effect_ci[0]):
            es += ", " + ci_text(*effect_ci, conf=conf, digits=digits)
        parts.append(es)
    return ", ".join(parts)


def chi2_sentence(chi2: float, df: float, p: float, *, n: int | None = None,
                  cramers_v: float | None = None, digits: int = 2) -> str:
    """``χ²(df, *N* = n) = chi2, *p* = ..., *V* = ...`` (Cramér's *V* when given)."""
    inside = format_df(df) + (f", *N* = {format_count(n)}" if not _nan(n) else "")
    parts = [f"χ²({inside}) = {format_number(chi2, digits)}", p_text(p)]
    if not _nan(cramers_v):
        parts.append(f"*V* = {format_number(cramers_v, digits, leading_zero=False)}")
    return ", ".join(parts)


def r_sentence(r: float, df: float, p: float, *, ci: tuple[float, float] | None = None,
               conf: float = 0.95, digits: int = 2) -> str:
    """``*r*(df) = .57, 95% CI [-.15, .90], *p* = .108``.

    >>> r_sentence(0.5711816, 7, 0.1082, ci=(-0.1497426, 0.8955795))
    '*r*(7) = .57, 95% CI [-.15, .90], *p* = .108'
    """
    parts = [f"*r*({format_df(df)}) = {format_number(r, digits, leading_zero=False)}"]
    if ci is not None and not _nan(ci[0]):
        parts.append(ci_text(*ci, conf=conf, digits=digits, bounded=True))
    parts.append(p_text(p))
    return ", ".join(parts)


def estimate_sentence(estimate: float, *, se: float | None = None, ci: tuple[float, float] | None = None,
                      conf: float = 0.95, p: float | None = None, t: float | None = None,
                      df: float | None = None, name: str = "*b*", method: str = "",
                      digits: int = 2) -> str:
    """A coefficient: ``*b* = 0.48, *SE* = 0.10, *t*(119) = 4.62, *p* < .001, 95% CI [...]``.

    >>> estimate_sentence(0.4765, se=0.1032, t=4.62, df=119, p=0.0000097, ci=(0.2722, 0.6809))
    '*b* = 0.48, *SE* = 0.10, *t*(119) = 4.62, *p* < .001, 95% CI [0.27, 0.68]'
    """
    parts = [f"{name} = {format_number(estimate, digits)}"]
    if not _nan(se):
        parts.append(f"*SE* = {format_number(se, digits)}")
    if not _nan(t):
        parts.append(f"*t*({format_df(df)}) = {format_number(t, digits)}" if not _nan(df)
                     else f"*t* = {format_number(t, digits)}")
    if not _nan(p):
        parts.append(p_text(p))
    if ci is not None and not _nan(ci[0]):
        parts.append(ci_text(*ci, conf=conf, digits=digits, method=method))
    return ", ".join(parts)


def indirect_sentence(effect: float, ci_low: float, ci_high: float, *, boot_se: float | None = None,
                      conf: float = 0.95, name: str = "indirect effect", method: str = "bootstrap",
                      digits: int = 2) -> str:
    """A (conditional) indirect effect with its bootstrap CI.

    >>> indirect_sentence(0.2413, 0.0034, 0.4956, boot_se=0.1290)
    'indirect effect = 0.24, *SE*~boot~ = 0.13, 95% bootstrap CI [0.00, 0.50]'
    """
    parts = [f"{name} = {format_number(effect, digits)}"]
    if not _nan(boot_se):
        parts.append(f"*SE*~boot~ = {format_number(boot_se, digits)}")
    parts.append(ci_text(ci_low, ci_high, conf=conf, digits=digits, method=method))
    return ", ".join(parts)


def anova_sentences(table: pd.DataFrame, *, eta_ci: bool = False, digits: int = 2) -> Mapping[str, str]:
    """One :func:`f_sentence` per effect of a :func:`studylib.anova` table, keyed by term.

    The denominator df is the residual row's; η²~p~ (and its 90% CI with ``eta_ci``) is
    added when the table has it.

    Examples
    --------
    >>> import pandas as pd
    >>> tab = pd.DataFrame({"term": ["g", "Residual"], "df": [2, 27], "F": [4.846, float("nan")],
    ...                     "p": [0.01591, float("nan")], "eta2_partial": [0.2641, float("nan")]})
    >>> anova_sentences(tab)["g"]
    '*F*(2, 27) = 4.85, *p* = .016, η²~p~ = .26'
    """
    table = check_dataframe(table, "table")
    check_columns(table, ["term", "df", "F", "p"], context="ANOVA table")
    resid = table[table["term"].astype(str).str.lower().isin(["residual", "residuals"])]
    df2 = float(resid["df"].iloc[0]) if len(resid) else float("nan")
    out = {}
    for row in table.itertuples(index=False):
        if _nan(row.F):
            continue
        es = getattr(row, "eta2_partial", None)
        ci = None
        if eta_ci and hasattr(row, "eta2_partial_ci_low"):
            ci = (row.eta2_partial_ci_low, row.eta2_partial_ci_high)
        d2 = getattr(row, "df_resid", df2) if not _nan(getattr(row, "df_resid", None)) else df2
        out[str(row.term)] = f_sentence(row.F, row.df, d2, row.p, eta2_partial=es, eta2_ci=ci, digits=digits,
                                        conf=table.attrs.get("conf", 0.90))
    return out
