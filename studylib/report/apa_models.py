"""APA tables of models: ANOVA, marginal means, simple effects, pairwise comparisons,
assumption checks, PROCESS coefficients, model summaries, (conditional) indirect effects,
indexes of moderated mediation, contrasts, and the hypotheses.

Each function takes the tidy result of a studylib model function and the display labels,
and returns an :class:`~studylib.report.apa.ApaTable` whose note says what the reader needs:
the sums of squares and coding, what the CI is, the bootstrap (B, seed, method), the
multiplicity adjustment.

Examples
--------
>>> import pandas as pd
>>> from studylib.report.apa_models import anova_table
>>> tab = pd.DataFrame({"term": ["a", "a:b", "Residual"], "ss": [20.1, 30.2, 263.9], "df": [1, 2, 246],
...                     "ms": [20.1, 15.1, 1.0728], "F": [18.7, 14.1, float("nan")],
...                     "p": [0.00002, 0.0000016, float("nan")], "eta2_partial": [0.071, 0.103, float("nan")]})
>>> t = anova_table(tab, dv_label="Attitude", labels={"a": "Valence", "b": "Response"})
>>> t.title, t.rows[1][:2], t.rows[2]
('Analysis of Variance of Attitude', ('Valence × Response', '30.20'), ('Residual', '263.90', '246', '1.07', '', '', ''))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .._validation import check_columns, check_dataframe
from .apa import CI_NOTE, SYNTHETIC_TABLE_NOTE, ApaTable, apa, format_df, join_note
from .labels import Labels, as_labels
from .rich import escape
from .tables import format_number, format_p

__all__ = ["anova_table", "emmeans_table", "simple_effects_table", "pairwise_table", "assumptions_table",
           "coefficients_table", "model_summary_table", "indirect_table", "index_table", "contrasts_table",
           "direct_table", "verdict", "hypotheses_table", "bootstrap_note", "coding_note"]

LabelsLike = Labels | Mapping[str, str] | None
_ROMAN = {1: "I", 2: "II", 3: "III"}


def _syn(synthetic: bool) -> str | None:
    return SYNTHETIC_TABLE_NOTE if synthetic else None


def anova_table(tab: pd.DataFrame, *, dv_label: str, labels: LabelsLike = None, ss_type: int = 3,
                title: str | None = None, note: str | None = None, synthetic: bool = False,
                name: str = "anova") -> ApaTable:
    """The ANOVA table (:func:`studylib.anova`): *SS*, *df*, *MS*, *F*, *p*, η²~p~ with CI, ω²~p~."""
    cols = [c for c in ["term", "ss", "df", "ms", "F", "p", "eta2_partial", "eta2_partial_ci_low", "omega2_partial"]
            if c in tab]
    conf = tab.attrs.get("conf", 0.90)
    coding = " with sum-to-zero (effect) coding" if ss_type == 3 else ""
    parts = [f"Type {_ROMAN.get(ss_type, ss_type)} sums of squares{coding}",
             f"η²~p~ = partial eta squared, with its {100 * conf:g}% CI (noncentral *F*)" if "eta2_partial" in tab
             else None, "ω²~p~ = partial omega squared" if "omega2_partial" in tab else None]
    return apa(tab, title=title or f"Analysis of Variance of {escape(dv_label)}", columns=cols, labels=labels,
               conf=conf, note=join_note(*parts, note), synthetic=synthetic, name=name)


def emmeans_table(emm: pd.DataFrame, *, factors: Sequence[str], dv_label: str, labels: LabelsLike = None,
                  title: str | None = None, note: str | None = None, synthetic: bool = False,
                  name: str = "emmeans") -> ApaTable:
    """Estimated marginal means (:func:`studylib.emmeans`): *n*, *M*, *SE*, CI per cell."""
    factors = [f for f in factors if f in emm]
    df_note = None
    cols = [*factors, "n", "estimate", "se", "ci_low"]
    if "df" in emm and emm["df"].nunique() == 1:
        df_note = f"*SE*s and CIs from the model's residual mean square (*df* = {format_df(emm['df'].iloc[0])})"
    elif "df" in emm:
        cols.insert(-1, "df")
    return apa(emm, title=title or f"Estimated Marginal Means of {escape(dv_label)}", columns=cols,
               headers={"estimate": "*M*"}, labels=labels, factors=factors,
               note=join_note(df_note, note), synthetic=synthetic, name=name)


def simple_effects_table(se: pd.DataFrame, *, effect: str, by: Sequence[str], dv_label: str,
                         labels: LabelsLike = None, title: str | None = None, note: str | None = None,
                         synthetic: bool = False, name: str = "simple_effects") -> ApaTable:
    """Simple effects (:func:`studylib.simple_effects`): *F*, *df*, *p*, η²~p~ per level of ``by``."""
    lab = as_labels(labels)
    by = [b for b in by if b in se]
    cols = [*by, "F", "df", "df_resid", "p", "eta2_partial"]
    within = ", ".join(escape(lab.var(b)) for b in by)
    return apa(se, title=title or f"Simple Effects of {escape(lab.var(effect))} Within Each Level of {within}: "
                                  f"{escape(dv_label)}",
               columns=[c for c in cols if c in se], labels=lab, factors=by,
               note=join_note("*F* tests against the full model's residual mean square", note),
               synthetic=synthetic, name=name)


def pairwise_table(pw: pd.DataFrame, *, effect: str, by: Sequence[str] = (), dv_label: str,
                   labels: LabelsLike = None, title: str | None = None, note: str | None = None,
                   synthetic: bool = False, name: str = "pairwise") -> ApaTable:
    """Pairwise comparisons (:func:`studylib.pairwise`): difference, *SE*, *t*, *df*, *p*, adjusted *p*, CI."""
    lab = as_labels(labels)
    pw = check_dataframe(pw, "pw").copy()
    by = [b for b in by if b in pw]
    if {"level1", "level2"} <= set(pw.columns):
        pw["contrast"] = [f"{lab.level(effect, a)} − {_lower(lab.level(effect, b))}"
                          for a, b in zip(pw["level1"], pw["level2"], strict=True)]
    adjust = pw.attrs.get("adjust", "")
    ci_adjust = pw.attrs.get("ci_adjust", adjust)
    cols = [*by, "contrast", "estimate", "se", "t", "df", "p", "p_adj", "ci_low"]
    headers = {"estimate": "*M*~diff~", "p_adj": f"*p*~{escape(adjust.capitalize())}~" if adjust else "*p*~adj~",
               "p": "*p*~unadj~" if adjust and adjust != "none" else "*p*"}
    if not adjust or adjust == "none":
        cols.remove("p_adj")
    parts = [f"*p*~{escape(adjust.capitalize())}~: {escape(adjust.capitalize())}-adjusted *p* values"
             if adjust and adjust != "none" else None,
             f"CIs adjusted by the {escape(ci_adjust.capitalize())} method" if ci_adjust and ci_adjust != "none" else None, note]
    return apa(pw, title=title or f"Pairwise Comparisons of {escape(lab.var(effect))}: {escape(dv_label)}",
               columns=[c for c in cols if c in pw], headers=headers, labels=lab, factors=by,
               note=join_note(*parts), synthetic=synthetic, name=name)


def assumptions_table(*, levene: Sequence[pd.DataFrame] = (), shapiro: pd.DataFrame | None = None,
                      dv_label: str, title: str | None = None, note: str | None = None,
                      synthetic: bool = False, name: str = "assumptions") -> ApaTable:
    """Assumption checks as one clean table: Levene's tests (each centre) and Shapiro-Wilk.

    ``levene`` are :func:`studylib.levene` results (``center``, ``F``, ``df``, ``df_resid``,
    ``p``); ``shapiro`` a :func:`studylib.shapiro_residuals` result (``W``, ``p``, ``n``).
    """
    rows = []
    for tab in levene:
        for r in tab.itertuples(index=False):
            centre = {"mean": "mean-centred", "median": "median-centred (Brown-Forsythe)"}.get(
                getattr(r, "center", ""), escape(getattr(r, "center", "")))
            rows.append((f"Levene's test, {centre}", "*F*", f"{format_df(r.df)}, {format_df(r.df_resid)}",
                         format_number(r.F, 2), format_p(r.p)))
    if shapiro is not None:
        for r in shapiro.itertuples(index=False):
            rows.append(("Shapiro-Wilk test of the residuals", "*W*", "", format_number(r.W, 3, leading_zero=False),
                         format_p(r.p)))
    header = ("Test", "Statistic", "*df*", "Value", "*p*")
    parts = ["Levene: homogeneity of variance across the design cells",
             f"Shapiro-Wilk: normality of the model's residuals (*n* = {int(shapiro['n'].iloc[0])})"
             if shapiro is not None and "n" in shapiro and len(shapiro) else None, note, _syn(synthetic)]
    return ApaTable(title or f"Assumption Checks: {escape(dv_label)}", header, tuple(rows),
                    ("l", "c", "c", "c", "c"), join_note(*parts), name)


def bootstrap_note(*, boot: int | None, seed: Any = None, ci: str = "percentile", conf: float = 0.95) -> str:
    """``95% percentile bootstrap CIs, B = 5,000 resamples, seed 1.`` (for notes).

    >>> bootstrap_note(boot=5000, seed=20240315, ci="bc")
    '95% bias-corrected bootstrap CIs, *B* = 5,000 resamples, seed 20240315.'
    """
    kind = {"percentile": "percentile", "bc": "bias-corrected"}.get(ci, ci)
    seed_text = f", seed {seed}" if seed is not None else ""
    b = f", *B* = {int(boot):,} resamples" if boot else ""
    return f"{100 * conf:g}% {kind} bootstrap CIs{b}{seed_text}."


def coding_note(codings: Mapping[str, Any] | None, labels: LabelsLike = None) -> str:
    """The coding of categorical variables in words, from a process result's ``model.attrs["codings"]``.

    >>> coding_note({"x": {"variable": "g", "coding": "indicator", "levels": ["c", "t"]}})
    'G: indicator coding, C = 0, T = 1.'
    """
    lab = as_labels(labels)
    parts = []
    for info in (codings or {}).values():
        var, kind, levels = info.get("variable", ""), info.get("coding", ""), list(info.get("levels", []))
        if not levels:
            continue
        names = [escape(lab.level(var, lv)) for lv in levels]
        if kind == "indicator" and len(levels) == 2:
            parts.append(f"{escape(lab.var(var))}: indicator coding, {names[0]} = 0, {names[1]} = 1")
        elif kind == "indicator":
            parts.append(f"{escape(lab.var(var))}: indicator coding with {names[0]} as the reference group")
        else:
            parts.append(f"{escape(lab.var(var))}: {escape(kind)} coding of {', '.join(names)}")
    return join_note(*parts)


def coefficients_table(coefs: pd.DataFrame, *, labels: LabelsLike = None, title: str = "Regression Coefficients",
                       note: str | None = None, synthetic: bool = False, digits: int = 2,
                       name: str = "coefficients") -> ApaTable:
    """Coefficients of each equation (:attr:`ProcessResult.coefficients`), one group per outcome."""
    lab = as_labels(labels)
    coefs = check_dataframe(coefs, "coefficients").copy()
    check_columns(coefs, ["equation", "term", "estimate"], context="coefficients")
    coefs["equation"] = coefs["equation"].map(lambda e: f"Outcome: {lab.var(e)}")
    cols = [c for c in ["term", "estimate", "se", "t", "df", "p", "ci_low"] if c in coefs]
    headers = {"term": "Predictor"}
    one_df = "df" in coefs and coefs.groupby("equation")["df"].nunique().max() == 1
    parts = ["*b* = unstandardized coefficient", note]
    if one_df and "df" in cols:
        cols.remove("df")
        dfs = coefs.groupby("equation", sort=False)["df"].first()
        parts.insert(1, "*df* of the *t* tests: " + "; ".join(f"{escape(e[9:])} {format_df(d)}" for e, d in dfs.items()))
    hc = coefs.attrs.get("hc")
    if hc:
        parts.insert(1, f"Heteroscedasticity-consistent ({escape(hc)}) standard errors")
    return apa(coefs, title=title, columns=cols, headers=headers, labels=lab, group_by="equation",
               note=join_note(*parts), synthetic=synthetic, digits=digits, name=name)


def model_summary_table(eqs: pd.DataFrame, *, labels: LabelsLike = None, title: str = "Model Summaries",
                        note: str | None = None, synthetic: bool = False, digits: int = 2,
                        name: str = "model_summaries") -> ApaTable:
    """*R*, *R*², *MSE*, *F*(df1, df2), *p* of each equation and of its tests (:attr:`.equations`)."""
    lab = as_labels(labels)
    eqs = check_dataframe(eqs, "equations").copy()
    check_columns(eqs, ["equation", "test", "F", "df1", "df2", "p"], context="model summaries")
    eqs["equation"] = eqs["equation"].map(lab.var)
    eqs["test"] = [("Whole model" if t == "model" else f"Interaction {lab.term(t)} (*R*² change)")
                   for t in eqs["test"]]
    cols = [c for c in ["equation", "test", "r", "r2", "mse", "F", "df1", "df2", "p"] if c in eqs]
    t = apa(eqs, title=title, columns=cols, headers={"equation": "Outcome", "r": "*R*", "r2": "*R*² (change)"},
            formats={"test": "text"}, digits=digits, note=note, synthetic=synthetic, name=name)
    rows = tuple(tuple(c.replace("\\*R\\*", "*R*") for c in r) for r in t.rows)  # the test text is markup
    return ApaTable(t.title, t.header, rows, t.align, t.note, name)


def _w_cols(tab: pd.DataFrame) -> list[str]:
    return [c for c in ("w", "z") if c in tab and tab[c].notna().any()]


def indirect_table(ind: pd.DataFrame, *, labels: LabelsLike = None, moderator: str | None = None,
                   boot: int | None = None, seed: Any = None, title: str = "Conditional Indirect Effects",
                   note: str | None = None, synthetic: bool = False, digits: int = 3,
                   name: str = "indirect") -> ApaTable:
    """(Conditional) indirect effects with bootstrap *SE* and CI, one group per path."""
    lab = as_labels(labels)
    ind = check_dataframe(ind, "indirect").copy()
    wc = _w_cols(ind)
    mods = {"w": moderator} if moderator else {}
    for c in wc:
        fac = mods.get(c, c)
        ind[c] = [("—" if pd.isna(v) or v is None else lab.level(fac, v)) for v in ind[c]]
    ind["path"] = ind["path"].map(lab.path)
    cols = [*wc, "effect", "boot_se", "ci_low"]
    if "x_term" in ind and ind["x_term"].nunique() > 1:
        cols.insert(0, "x_term")
    headers = {c: escape(lab.var(mods.get(c, c))) for c in wc}
    conf = ind.attrs.get("conf", 0.95)
    parts = ["Effect = (conditional) indirect effect of X on Y through the path's mediators; "
             "— = not moderated", bootstrap_note(boot=boot, seed=seed, ci=ind.attrs.get("ci", "percentile"),
                                                conf=conf), note]
    return apa(ind, title=title, columns=cols, headers=headers, labels=lab, group_by="path",
               formats={c: "text" for c in wc}, note=join_note(*parts), synthetic=synthetic, digits=digits,
               name=name)


def index_table(idx: pd.DataFrame, *, labels: LabelsLike = None, boot: int | None = None, seed: Any = None,
                title: str = "Indexes of Moderated Mediation", note: str | None = None, synthetic: bool = False,
                digits: int = 3, name: str = "index") -> ApaTable:
    """Indexes of moderated mediation: each moderator group vs. the reference, per path."""
    lab = as_labels(labels)
    idx = check_dataframe(idx, "index").copy()
    idx["path"] = idx["path"].map(lab.path)
    cols = [c for c in ["w_term", "index", "boot_se", "ci_low"] if c in idx]
    parts = ["Index = difference of the conditional indirect effect between the moderator group and the "
             "reference group", bootstrap_note(boot=boot, seed=seed, ci=idx.attrs.get("ci", "percentile"),
                                               conf=idx.attrs.get("conf", 0.95)), note]
    return apa(idx, title=title, columns=cols, headers={"w_term": "Moderator group"}, labels=lab, group_by="path",
               note=join_note(*parts), synthetic=synthetic, digits=digits, name=name)


def contrasts_table(con: pd.DataFrame, *, labels: LabelsLike = None, moderator: str | None = None,
                    boot: int | None = None, seed: Any = None,
                    title: str = "Pairwise Contrasts Between Conditional Indirect Effects",
                    note: str | None = None, synthetic: bool = False, digits: int = 3,
                    name: str = "contrasts") -> ApaTable:
    """Contrasts of conditional indirect effects (first minus second), per path."""
    lab = as_labels(labels)
    con = check_dataframe(con, "contrasts").copy()
    check_columns(con, ["path1", "w1", "path2", "w2", "effect"], context="contrasts")
    fac = moderator or "w"
    con["contrast"] = [
        f"{lab.level(fac, a)} − {_lower(lab.level(fac, b))}" if p1 == p2 else
        f"{lab.path(p1)} ({lab.level(fac, a)}) − {lab.path(p2)} ({lab.level(fac, b)})"
        for p1, a, p2, b in zip(con["path1"], con["w1"], con["path2"], con["w2"], strict=True)]
    con["path"] = [lab.path(p) if p == q else "Between paths" for p, q in zip(con["path1"], con["path2"], strict=True)]
    parts = ["Contrast = first conditional indirect effect minus the second",
             bootstrap_note(boot=boot, seed=seed, ci=con.attrs.get("ci", "percentile"),
                            conf=con.attrs.get("conf", 0.95)), note]
    return apa(con, title=title, columns=[c for c in ["contrast", "effect", "boot_se", "ci_low"] if c in con],
               headers={"effect": "Difference"}, labels=lab, group_by="path", note=join_note(*parts),
               synthetic=synthetic, digits=digits, name=name)


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if len(text) > 1 and text[0].isupper() and text[1].islower() else text


def direct_table(direct: pd.DataFrame, *, labels: LabelsLike = None, title: str = "Direct Effect of X on Y",
                 note: str | None = None, synthetic: bool = False, digits: int = 3,
                 name: str = "direct") -> ApaTable:
    """The direct effect(s) of X on Y with *SE*, *t*, *p* and CI."""
    direct = check_dataframe(direct, "direct")
    cols = [c for c in ["x_term", *_w_cols(direct), "effect", "se", "t", "df", "p", "ci_low"] if c in direct]
    return apa(direct, title=title, columns=cols, headers={"x_term": "Effect of"}, labels=labels,
               note=note, synthetic=synthetic, digits=digits, name=name)


#: The three verdicts of a hypothesis.
VERDICTS = ("Supported", "In the predicted direction, CI includes 0", "Not supported")


def verdict(holds: bool, conclusive: bool, *, test: str = "ci") -> str:
    """Supported (the CI excludes 0 in the predicted direction, or *p* < alpha), in the predicted
    direction with the CI including 0, or not supported.

    >>> verdict(True, True), verdict(True, False), verdict(False, False)
    ('Supported', 'In the predicted direction, CI includes 0', 'Not supported')
    """
    if holds and conclusive:
        return VERDICTS[0]
    if holds:
        return VERDICTS[1] if test == "ci" else "In the predicted direction, not significant"
    return VERDICTS[2]


_STATUS_VERDICT = {"supported": (True, True), "direction only": (True, False), "not significant": (True, False),
                   "not supported": (False, False)}


def hypotheses_table(findings: pd.DataFrame, *, id_column: str = "finding", statement_column: str = "statement",
                     labels: LabelsLike = None, alpha: float = 0.05,
                     title: str = "Hypotheses: Estimates and Verdicts", note: str | None = None,
                     synthetic: bool = False, digits: int = 3, name: str = "hypotheses") -> ApaTable:
    """One row per hypothesis: the predicted direction, the estimate with its CI or *p*, the verdict.

    ``findings`` is :func:`studylib.findings.check_hypotheses`'s table (a ``status`` column:
    supported, direction only (or not significant), not supported, not estimable) or a table
    with ``holds`` and ``conclusive``.
    The verdict reads "Supported", "In the predicted direction, CI includes 0" (for a test
    without a CI: "*p* ≥ alpha") or "Not supported".
    """
    findings = check_dataframe(findings, "findings").copy()
    check_columns(findings, [id_column, "estimate", "ci_low", "ci_high", "p"], context="hypotheses")
    if "status" in findings:
        pairs = [_STATUS_VERDICT.get(str(st), (False, False)) for st in findings["status"]]
    else:
        check_columns(findings, ["holds", "conclusive"], context="hypotheses")
        pairs = list(zip(findings["holds"].astype(bool), findings["conclusive"].astype(bool), strict=True))
    a = format_number(alpha, 2, leading_zero=False)
    verdicts = []
    status = findings["status"].astype(str).tolist() if "status" in findings else [""] * len(findings)
    for (holds, conclusive), lo, st in zip(pairs, findings["ci_low"], status, strict=True):
        if st == "not estimable":
            verdicts.append("Not estimable")
            continue
        v = verdict(holds, conclusive, test="ci" if pd.notna(lo) else "p")
        verdicts.append(v.replace("not significant", f"*p* ≥ {a}"))
    findings["verdict"] = verdicts
    cols = [id_column]
    headers = {id_column: "Hypothesis", "estimate": "Estimate", "verdict": "Verdict", "direction": "Prediction"}
    if "direction" in findings:
        findings["direction"] = findings["direction"].map(
            lambda d: {"positive": "Positive", "negative": "Negative", "nonzero": "Non-zero"}.get(str(d), str(d)))
        cols.append("direction")
    elif statement_column in findings:
        headers[statement_column] = "Prediction"
        cols.append(statement_column)
    cols += ["estimate", "ci_low", "p", "verdict"]
    parts = [f"Supported: the CI excludes 0 in the predicted direction (a test: *p* < {a}); in the predicted "
             "direction: the estimate has the predicted sign but its CI includes 0; an estimate with a *p* "
             "value but no CI is an *F* test", note]
    return apa(findings, title=title, columns=cols, headers=headers, labels=labels,
               formats={id_column: "text", "estimate": "number", "verdict": lambda v: v},
               note=join_note(*parts), synthetic=synthetic, digits=digits, name=name)


__all__ += ["VERDICTS", "CI_NOTE"]
