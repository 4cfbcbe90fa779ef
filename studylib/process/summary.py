"""Plain-text summary of a :class:`ProcessResult`, laid out like PROCESS output."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["format_summary"]

_STARS = "*" * 75


def _num(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (int, float, np.floating, np.integer)):
        return f"{float(v):.{digits}f}"
    return str(v)


def _block(frame: pd.DataFrame, columns: list[str], header: list[str], digits: int, index: str | None = None,
           rename: dict | None = None) -> str:
    header = [(rename or {}).get(h, h) for h in header]
    rows = [[_num(r[c], digits) for c in columns] for _, r in frame.iterrows()]
    labels = [str(r[index]) for _, r in frame.iterrows()] if index else None
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lw = max((len(s) for s in labels), default=0) if labels else 0
    lines = [(" " * lw + "  " if labels else "") + "  ".join(h.rjust(wd) for h, wd in zip(header, widths, strict=True))]
    for k, row in enumerate(rows):
        prefix = labels[k].ljust(lw) + "  " if labels else ""
        lines.append(prefix + "  ".join(v.rjust(wd) for v, wd in zip(row, widths, strict=True)))
    return "\n".join(lines)


def format_summary(res, digits: int = 4) -> str:
    a = res.model.attrs
    v = a.get("variables", {})
    mods = {k: v[k] for k in ("w", "z") if k in v}
    out = [_STARS, f"studylib {res.version} conditional process analysis (PROCESS-style output)", _STARS]
    out.append(f"Model : {a.get('model')}")
    for role in ["y", "x", *sorted(r for r in v if r.startswith("m")), "w", "z"]:
        if role in v:
            out.append(f"{role.upper():>5} : {v[role]}")
    if a.get("covariates"):
        out.append(f"Covariates: {' '.join(a['covariates'])}")
    out.append(f"\nSample size: {res.n} (dropped for missing values: {res.n_dropped})")
    if res.seed is not None and res.boot is not None:
        out.append(f"Seed: {res.seed}")
    for role, cod in a.get("codings", {}).items():
        if cod["coding"] == "binary":
            out.append(f"\nCoding of binary Y for logistic regression ({cod['variable']}): "
                       f"{cod['levels'][0]!r} = 0 ({cod['counts'][0]} cases), {cod['levels'][1]!r} = 1 "
                       f"({cod['counts'][1]} cases)")
            continue
        out.append(f"\nCoding of categorical {role.upper()} ({cod['variable']}, {cod['coding']}):")
        mat = pd.DataFrame(cod["matrix"], columns=cod["terms"])
        mat.insert(0, cod["variable"], cod["levels"])
        out.append(_block(mat, list(mat.columns), list(mat.columns), digits))
    for eq in res.equations.equation.unique():
        out.append("\n" + _STARS)
        out.append(f"Outcome Variable: {eq}\n\nModel Summary:")
        e = res.equations[res.equations.equation == eq]
        logit = a.get("family", {}).get(eq) == "logit"
        stat = "Z" if logit else "t"
        if logit:
            out.append(_block(e[e.test == "model"], ["neg2ll", "chisq", "df1", "p", "r2_mcfadden", "r2_coxsnell",
                                                     "r2_nagelkerke"],
                              ["-2LL", "ModelLL", "df", "p", "McFadden", "CoxSnell", "Nagelkrk"], digits))
        else:
            out.append(_block(e[e.test == "model"], ["r", "r2", "mse", "F", "df1", "df2", "p"],
                              ["R", "R-sq", "MSE", "F", "df1", "df2", "p"], digits))
        out.append("\nModel:")
        c = res.coefficients[res.coefficients.equation == eq]
        out.append(_block(c, ["estimate", "se", "t", "p", "ci_low", "ci_high"],
                          ["coeff", "se", stat, "p", "LLCI", "ULCI"], digits, index="term"))
        if logit:
            out.append("These results are expressed in a log-odds metric (Z: Wald test, normal-theory CIs).")
        tests = (["chisq", "df1", "p"], ["Chi-sq", "df", "p"]) if logit else (
            ["r2", "F", "df1", "df2", "p"], ["R2-chng", "F", "df1", "df2", "p"])
        omni = e[e.test.str.endswith("(omnibus)")]
        what = "likelihood-ratio test" if logit else "R² change"
        if len(omni):
            out.append(f"\nOmnibus test of the relative effects of X ({what} when X's codes are dropped):")
            out.append(_block(omni, *tests, digits, index="test"))
        inter = e[(e.test != "model") & ~e.test.str.endswith("(omnibus)")]
        if len(inter):
            kind = "Likelihood ratio test(s)" if logit else "Test(s)"
            out.append(f"\n{kind} of highest order unconditional interaction(s):")
            out.append(_block(inter, *tests, digits, index="test"))
        cond = res.conditional[res.conditional.equation == eq]
        if len(cond):
            out.append("\nConditional effects of the focal predictor at values of the moderator(s):")
            cols = ["focal"] + [k for k in ("w", "z") if cond[k].notna().any()]
            out.append(_block(cond, [*cols, "effect", "se", "t", "p", "ci_low", "ci_high"],
                              [*cols, "effect", "se", stat, "p", "LLCI", "ULCI"], digits, rename=mods))
        omni_c = res.extras.conditional_omnibus[res.extras.conditional_omnibus.equation == eq]
        if len(omni_c):
            out.append("\nTest of equality of conditional means (the relative conditional effects jointly zero):")
            cols = ["focal"] + [k for k in ("w", "z") if omni_c[k].notna().any()]
            out.append(_block(omni_c, [*cols, "F", "df1", "df2", "p"], [*cols, "F", "df1", "df2", "p"], digits,
                              rename=mods))
        jn = res.jn[res.jn.equation == eq]
        if len(jn):
            out.append("\nModerator value(s) defining Johnson-Neyman significance region(s):")
            out.append(_block(jn, ["value", "pct_below", "pct_above"], ["Value", "% below", "% above"], digits))
    if len(res.total) or len(res.direct) or len(res.indirect):
        out.append("\n" + _STARS)
        out.append("DIRECT AND INDIRECT EFFECTS OF X ON Y")
    y_stat = "Z" if a.get("family", {}).get(v.get("y")) == "logit" else "t"
    for title, tab in (("Total effect of X on Y:", res.total), ("Direct effect of X on Y:", res.direct)):
        if len(tab):
            cols = ["x_term"] + [k for k in ("w", "z") if tab[k].notna().any()]
            out.append("\n" + title)
            out.append(_block(tab, [*cols, "effect", "se", "t", "p", "ci_low", "ci_high"],
                              [*cols, "effect", "se", y_stat, "p", "LLCI", "ULCI"], digits, rename=mods))
    if len(res.indirect):
        out.append("\nIndirect effect(s) of X on Y:")
        cols = ["path", "x_term"] + [k for k in ("w", "z") if res.indirect[k].notna().any()]
        out.append(_block(res.indirect, [*cols, "effect", "boot_se", "ci_low", "ci_high"],
                          [*cols, "Effect", "BootSE", "BootLLCI", "BootULCI"], digits, rename=mods))
    if len(res.extras.normal):
        out.append("\nNormal theory test for indirect effect(s):")
        out.append(_block(res.extras.normal, ["path", "x_term", "effect", "se", "z", "p"],
                          ["path", "x_term", "Effect", "se", "Z", "p"], digits))
    for kind in res.index.kind.unique() if len(res.index) else ():
        part = res.index[res.index.kind == kind]
        title = {"conditional moderated mediation": "Indices of conditional moderated mediation by W",
                 "partial moderated mediation": "Indices of partial moderated mediation"}.get(kind, f"Index of {kind}")
        cols = ["path", "x_term", "w_term"] + (["z"] if part.z.notna().any() else [])
        out.append(f"\n{title}:")
        out.append(_block(part, [*cols, "index", "boot_se", "ci_low", "ci_high"],
                          [*cols, "Index", "BootSE", "BootLLCI", "BootULCI"], digits, rename=mods))
    if len(res.contrasts):
        out.append("\nPairwise contrasts between (conditional) indirect effects (1 minus 2):")
        cols = ["path1", "w1", "path2", "w2"] if res.contrasts.w1.notna().any() else ["path1", "path2"]
        out.append(_block(res.contrasts, [*cols, "effect", "boot_se", "ci_low", "ci_high"],
                          [*cols, "Effect", "BootSE", "BootLLCI", "BootULCI"], digits, rename=mods))
    st = res.extras.standardized
    for scale in st.scale.unique():
        part = st[st.scale == scale]
        title = "Partially" if scale == "partial" else "Completely"
        td = part[part.kind.isin(["total", "direct"])]
        if len(td):
            out.append(f"\n{title} standardized total and direct effects of X on Y:")
            out.append(_block(td, ["kind", "x_term", "effect"], ["effect", "x_term", "Effect"], digits))
        ind = part[part.kind.isin(["indirect", "contrast", "index"])]
        if len(ind):
            out.append(f"\n{title} standardized indirect effect(s) of X on Y (contrasts and indexes last):")
            extra = [c for c in ("w", "z", "w_term") if ind[c].notna().any()]
            out.append(_block(ind, ["path", "x_term", *extra, "effect", "boot_se", "ci_low", "ci_high"],
                              ["path", "x_term", *extra, "Effect", "BootSE", "BootLLCI", "BootULCI"], digits,
                              rename=mods))
    out.append("\n" + _STARS)
    conf = a.get("conf", 0.95)
    out.append(f"Level of confidence for all confidence intervals in output: {100 * conf:g}")
    if res.boot is not None:
        kind = "percentile" if res.boot.ci == "percentile" else "bias-corrected"
        out.append(f"Number of bootstraps for {kind} bootstrap confidence intervals: {res.boot.B}")
        if res.boot.n_replaced:
            sep = f", of which {res.boot.n_separated} separated Y in the logistic equation" \
                if res.boot.n_separated else ""
            out.append(f"Resamples replaced (singular design or a logistic fit that separates): "
                       f"{res.boot.n_replaced}{sep}")
    if a.get("hc"):
        out.append(f"Standard errors and tests of every equation use the {a['hc']} estimator.")
    if a.get("centered"):
        out.append(f"Mean-centred before forming products: {', '.join(a['centered'])}")
    return "\n".join(out)
