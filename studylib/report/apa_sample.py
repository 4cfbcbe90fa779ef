"""APA tables of the data and the sample: exclusions, cells, Table 1, randomization checks,
scale descriptives with intercorrelations, reliability and item statistics.

Each function takes the tidy result of a studylib function (unrounded, machine names) and
the display labels, and returns an :class:`~studylib.report.apa.ApaTable`.

Examples
--------
>>> import pandas as pd
>>> from studylib.report.apa_sample import randomization_table
>>> checks = pd.DataFrame({"variable": ["gender", "age"], "test": ["chi-square", "ANOVA"],
...     "n": [252, 250], "statistic": [4.21, 0.83], "df": [10, 5], "df_resid": [float("nan"), 244.0],
...     "p": [0.937, 0.53], "effect": ["cramers_v", "eta2"], "effect_size": [0.091, 0.017],
...     "min_expected": [0.9, float("nan")]})
>>> t = randomization_table(checks, labels={"gender": "Gender", "age": "Age"})
>>> t.header, t.rows[1]
(('Variable', 'Test', '*df*', 'Statistic', '*p*', 'Effect size'), ('Age', '*F*', '5, 244', '0.83', '.530', 'η² = .02'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import check_columns, check_dataframe
from .apa import (
    CI_NOTE,
    SYNTHETIC_TABLE_NOTE,
    ApaTable,
    apa,
    format_count,
    format_df,
    format_value,
    join_note,
)
from .labels import Labels, as_labels
from .rich import escape
from .tables import format_number, format_p

__all__ = ["characteristics_table", "randomization_table", "correlation_table", "reliability_table",
           "items_table", "exclusions_table", "cells_table"]

LabelsLike = Labels | Mapping[str, str] | None


def _note(*parts: str | None, synthetic: bool = False) -> str:
    return join_note(*parts, SYNTHETIC_TABLE_NOTE if synthetic else None)


def characteristics_table(
    chars: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    labels: LabelsLike = None,
    title: str = "Sample Characteristics by Condition",
    note: str | None = None,
    synthetic: bool = False,
    digits: int = 1,
    name: str = "sample_characteristics",
) -> ApaTable:
    """"Table 1": n (%) of each category and *M* (*SD*) of each number, per cell and in total.

    Parameters
    ----------
    chars : pandas.DataFrame
        The result of :func:`studylib.sample.sample_characteristics`.
    by : sequence of str
        Its grouping columns (the design factors), as passed there.
    labels : Labels or mapping, optional
        Labels of the variables and of the factor levels.
    title, note : str, optional
        Title and extra note.
    synthetic : bool, default False
        Add the synthetic-data sentence to the note.
    digits : int, default 1
        Decimals of percentages, means and SDs.

    Returns
    -------
    ApaTable
        One column per group (the cell's levels, its *n* in the header; with two factors the
        first one's levels are spanners) and a Total column; one group heading per variable.
    """
    chars = check_dataframe(chars, "chars")
    by = list(by)
    check_columns(chars, [*by, "variable", "kind", "level", "n", "percent", "mean", "sd"],
                  context="sample characteristics")
    lab = as_labels(labels)
    total_key = ("__total__",)
    chars = chars.assign(gkey=[total_key if by and all(pd.isna(v) for v in row) else tuple(row)
                               for row in (chars[by].itertuples(index=False, name=None) if by
                                           else [()] * len(chars))])
    if not by:
        chars["gkey"] = [total_key] * len(chars)
    keys = list(dict.fromkeys(chars["gkey"]))
    ordered = [k for k in keys if k != total_key] + ([total_key] if total_key in keys else [])
    sizes = dict(zip(chars.loc[chars["kind"] == "size", "gkey"], chars.loc[chars["kind"] == "size", "n"],
                     strict=True))
    header = ["Characteristic"]
    spanners: list[tuple[str, int, int]] = []
    for j, key in enumerate(ordered, start=1):
        n = sizes.get(key)
        if key == total_key:
            head = "Total" + (f" (*N*\u00a0=\u00a0{format_count(n)})" if n is not None else "")  # no break inside
        else:
            head = escape(lab.level(by[-1], key[-1])) + (f" (*n*\u00a0=\u00a0{format_count(n)})" if n is not None
                                                          else "")
            if len(by) > 1:
                span = " / ".join(escape(lab.level(b, v)) for b, v in zip(by[:-1], key[:-1], strict=True))
                if spanners and spanners[-1][0] == span and spanners[-1][2] == j - 1:
                    spanners[-1] = (span, spanners[-1][1], j)
                else:
                    spanners.append((span, j, j))
        header.append(head)
    body = chars[chars["kind"] != "size"]
    rows: list[tuple[str, ...]] = []
    groups: list[tuple[int, str]] = []
    for variable in dict.fromkeys(body["variable"]):
        sub = body[body["variable"] == variable]
        if sub["kind"].iloc[0] == "numeric":
            groups.append((len(rows), escape(lab.var(variable))))
            by_key = {r.gkey: r for r in sub.itertuples(index=False)}
            cells = ["*M* (*SD*)"]
            for key in ordered:
                r = by_key.get(key)
                if r is None or pd.isna(r.mean):
                    cells.append("")
                else:
                    sd = "" if pd.isna(r.sd) else f" ({format_number(r.sd, digits)})"
                    cells.append(f"{format_number(r.mean, digits)}{sd}")
            rows.append(tuple(cells))
            continue
        groups.append((len(rows), escape(lab.var(variable)) + ", *n* (%)"))
        for level in dict.fromkeys(sub["level"]):
            by_key = {r.gkey: r for r in sub[sub["level"] == level].itertuples(index=False)}
            cells = [escape(level)]
            for key in ordered:
                r = by_key.get(key)
                cells.append(f"0 ({format_number(0.0, digits)})" if r is None else
                             f"{format_count(r.n)} ({format_number(r.percent, digits)})")
            rows.append(tuple(cells))
    extra = "Percentages are of all respondents in the column, missing answers included"
    return ApaTable(title, tuple(header), tuple(rows), ("l",) + ("c",) * len(ordered),
                    _note(extra, note, synthetic=synthetic), name, tuple(spanners), tuple(groups))


_TEST = {"chi-square": "χ²", "ANOVA": "*F*"}
_EFFECT = {"cramers_v": "*V*", "eta2": "η²"}


def randomization_table(
    checks: pd.DataFrame,
    *,
    labels: LabelsLike = None,
    title: str = "Randomization Checks: Sample Characteristics Across the Design Cells",
    note: str | None = None,
    synthetic: bool = False,
    name: str = "randomization_checks",
) -> ApaTable:
    """Randomization checks (:func:`studylib.sample.randomization_checks`) as an APA table.

    One row per variable: the test (χ² of independence or one-way *F*), its *df*, the
    statistic, *p* and the effect size (Cramér's *V* or η²). The note names the tests and
    warns when an expected count is below 5.
    """
    checks = check_dataframe(checks, "checks")
    check_columns(checks, ["variable", "test", "statistic", "df", "df_resid", "p", "effect", "effect_size"],
                  context="randomization checks")
    lab = as_labels(labels)
    rows = []
    constant = []
    for r in checks.itertuples(index=False):
        if r.test == "constant":
            constant.append(escape(lab.var(r.variable)))
            rows.append((escape(lab.var(r.variable)), "—", "", "", "", ""))
            continue
        df = format_df(r.df) + ("" if pd.isna(r.df_resid) else ", " + format_df(r.df_resid))
        effect = f"{_EFFECT.get(r.effect, escape(r.effect))} = {format_number(r.effect_size, 2, leading_zero=False)}"
        rows.append((escape(lab.var(r.variable)), _TEST.get(r.test, escape(r.test)), df,
                     format_number(r.statistic, 2), format_p(r.p), effect))
    parts = ["Categorical characteristics: Pearson's χ² test of independence of design cell and category "
             "(respondents without an answer left out), effect size Cramér's *V*; numeric characteristics: "
             "one-way analysis of variance across the cells, effect size η²"]
    if constant:
        parts.append(f"— = the same answer in every cell ({', '.join(constant)}): no test")
    if "min_expected" in checks and (checks["min_expected"] < 5).any():
        low = checks.loc[checks["min_expected"] < 5, "variable"].map(lab.var).tolist()
        parts.append(f"Some expected counts are below 5 ({', '.join(escape(v) for v in low)}): the χ² "
                     "approximation is rough there")
    return ApaTable(title, ("Variable", "Test", "*df*", "Statistic", "*p*", "Effect size"), tuple(rows),
                    ("l", "c", "c", "c", "c", "c"), _note(*parts, note, synthetic=synthetic), name)


def correlation_table(
    summary: pd.DataFrame,
    corr: pd.DataFrame,
    *,
    alphas: Mapping[str, float] | None = None,
    labels: LabelsLike = None,
    title: str = "Means, Standard Deviations, and Intercorrelations of the Scale Scores",
    note: str | None = None,
    synthetic: bool = False,
    ci: bool = True,
    name: str = "scale_correlations",
) -> ApaTable:
    """Scale descriptives with intercorrelations: *M*, *SD*, *r* with CI, α on the diagonal.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`studylib.descriptives.variable_summary` of the scales (``variable``, ``n``,
        ``mean``, ``sd``).
    corr : pandas.DataFrame
        :func:`studylib.descriptives.correlations` of the same columns.
    alphas : mapping, optional
        Cronbach's α by variable, shown in parentheses on the diagonal.
    ci : bool, default True
        A row of CIs under each row of correlations (as R's ``apaTables::apa.cor.table``).
    """
    summary = check_dataframe(summary, "summary")
    corr = check_dataframe(corr, "corr")
    check_columns(summary, ["variable", "n", "mean", "sd"], context="scale summary")
    check_columns(corr, ["var1", "var2", "r", "ci_low", "ci_high"], context="correlations")
    lab = as_labels(labels)
    names = summary["variable"].astype(str).tolist()
    alphas = dict(alphas or {})
    lookup = {}
    for r in corr.itertuples(index=False):
        lookup[(str(r.var1), str(r.var2))] = lookup[(str(r.var2), str(r.var1))] = r
    k = len(names)
    header = ("Variable", "*n*", "*M*", "*SD*", *[str(j + 1) for j in range(k)])
    rows = []
    for i, (name_i, s) in enumerate(zip(names, summary.itertuples(index=False), strict=True)):
        row = [f"{i + 1}. {escape(lab.var(name_i))}", format_count(s.n), format_number(s.mean, 2),
               format_number(s.sd, 2)]
        ci_row = ["", "", "", ""]
        for j in range(k):
            if j < i:
                r = lookup.get((name_i, names[j]))
                row.append("" if r is None else format_number(r.r, 2, leading_zero=False))
                ci_row.append("" if r is None else
                              f"[{format_number(r.ci_low, 2, leading_zero=False)}, "
                              f"{format_number(r.ci_high, 2, leading_zero=False)}]")
            elif j == i:
                a = alphas.get(name_i)
                row.append("—" if a is None or pd.isna(a) else f"({format_number(a, 2, leading_zero=False)})")
                ci_row.append("")
            else:
                row.append("")
                ci_row.append("")
        rows.append(tuple(row))
        if ci and i > 0:
            rows.append(tuple(ci_row))
    conf = corr.attrs.get("conf", 0.95)
    n_note = ("Correlations use all respondents with both scores (pairwise)" if corr.attrs.get("missing") != "listwise"
              else "Correlations use the respondents with every score (listwise)")
    parts = ["*M* and *SD* are the mean and standard deviation; *r* is Pearson's correlation"]
    if ci:
        parts.append(f"Values in square brackets are the {100 * conf:g}% confidence interval of each correlation "
                     "(Fisher's *z*)")
    if alphas:
        parts.append("Cronbach's α of each scale is on the diagonal, in parentheses")
    return ApaTable(title, header, tuple(rows), ("l",) + ("c",) * (len(header) - 1),
                    _note(*parts, n_note, note, synthetic=synthetic), name)


def reliability_table(
    rel: pd.DataFrame,
    *,
    labels: LabelsLike = None,
    title: str = "Reliability of the Scales",
    note: str | None = None,
    synthetic: bool = False,
    name: str = "reliability",
) -> ApaTable:
    """Reliability per scale: items, *n*, α with its (Feldt) CI, standardized α, ω.

    ``rel`` has one row per scale with ``scale``, ``items``, ``n``, ``alpha``,
    ``alpha_ci_low``, ``alpha_ci_high``, ``alpha_std``, ``omega`` (the pipeline's
    reliability table, from :func:`studylib.reliability`).
    """
    t = apa(rel, title=title, labels=labels, name=name,
            columns=[c for c in ["scale", "items", "n", "alpha", "alpha_ci_low", "alpha_std", "omega"] if c in rel],
            headers={"scale": "Scale", "items": "Items", "alpha_ci_low": "α " + "95% CI [*LL*, *UL*]"},
            formats={"alpha_ci_low": "bounded"})
    rows = tuple((escape(as_labels(labels).var(r[0].replace("\\", ""))),) + r[1:] for r in t.rows)
    return ApaTable(t.title, t.header, rows, t.align,
                    _note("α = Cronbach's alpha with its Feldt CI; ω = McDonald's omega total (one factor)",
                          CI_NOTE, note, synthetic=synthetic), name)


def items_table(
    items: pd.DataFrame,
    stats: pd.DataFrame | None = None,
    *,
    scale_label: str,
    scale_min: float | None = None,
    scale_max: float | None = None,
    wording: Mapping[str, str] | None = None,
    title: str | None = None,
    note: str | None = None,
    synthetic: bool = False,
    name: str = "items",
) -> ApaTable:
    """Item statistics: the raw mean of each item as answered, its recoded mean when it is
    reverse-keyed, SD, corrected item-total *r* and α if the item is deleted.

    Parameters
    ----------
    items : pandas.DataFrame
        :func:`studylib.descriptives.item_descriptives` of the scale.
    stats : pandas.DataFrame, optional
        The item table of :func:`studylib.reliability` (``item``, ``r_drop``,
        ``alpha_if_dropped``), merged by item.
    scale_label : str
        The scale's display name (for the title).
    scale_min, scale_max : float, optional
        The response range (named in the note on reverse keying).
    wording : mapping, optional
        Item id -> item text, shown after the id.
    """
    items = check_dataframe(items, "items")
    check_columns(items, ["item", "reversed", "n", "raw_mean", "raw_sd", "mean"], context="item descriptives")
    merged = items.copy()
    if stats is not None:
        keep = [c for c in ("item", "r_drop", "alpha_if_dropped") if c in stats]
        merged = merged.merge(stats[keep], on="item", how="left")
    wording = dict(wording or {})
    rows = []
    any_rev = bool(merged["reversed"].any())
    for r in merged.itertuples(index=False):
        label = escape(r.item) + (" (R)" if r.reversed else "")
        if r.item in wording:
            label += ". " + escape(wording[r.item])
        row = [label, format_count(r.n), format_number(r.raw_mean, 2), format_number(r.raw_sd, 2)]
        if any_rev:
            row.append(format_number(r.mean, 2) if r.reversed else "")
        for col in ("r_drop", "alpha_if_dropped"):
            if col in merged:
                row.append(format_value(getattr(r, col), "bounded"))
        rows.append(tuple(row))
    header = ["Item", "*n*", "*M*", "*SD*"] + (["*M* recoded"] if any_rev else [])
    header += [h for c, h in (("r_drop", "Corrected *r*~it~"), ("alpha_if_dropped", "α if deleted")) if c in merged]
    parts = ["*M* and *SD* are of the answers as given"]
    if any_rev:
        rng = (f" ({format_number(scale_min, 0)} + {format_number(scale_max, 0)} − answer)"
               if scale_min is not None and scale_max is not None else "")
        parts.append(f"(R) = reverse-keyed item: its raw mean is shown; it was recoded{rng} before scoring, "
                     "and *M* recoded is its mean after recoding")
    if stats is not None:
        parts.append("Corrected *r*~it~ = correlation of the item with the sum of the other items (recoded)")
    return ApaTable(title or f"Item Statistics: {escape(scale_label)}", tuple(header), tuple(rows),
                    ("l",) + ("c",) * (len(header) - 1), _note(*parts, note, synthetic=synthetic), name)


def exclusions_table(
    steps: pd.DataFrame,
    *,
    title: str = "Exclusion Flow: Respondents Removed by Each Rule, in Order",
    note: str | None = None,
    synthetic: bool = False,
    name: str = "exclusion_flow",
) -> ApaTable:
    """The exclusion log's steps (step, rule, criterion, *n* before, removed, after)."""
    steps = check_dataframe(steps, "steps").copy()
    if "rule" in steps:
        steps["rule"] = steps["rule"].map(lambda r: r.replace("_", " ").capitalize())
    return apa(steps, title=title, name=name, note=join_note(
        "Each rule only removes respondents kept by the rules before it", note), synthetic=synthetic)


def cells_table(
    cells: pd.DataFrame,
    *,
    factors: Sequence[str],
    labels: LabelsLike = None,
    title: str = "Respondents per Design Cell Before and After Exclusions",
    note: str | None = None,
    synthetic: bool = False,
    name: str = "cell_sizes",
) -> ApaTable:
    """Respondents per design cell (``factors``, ``n_before``, ``n_removed``, ``n_after``)."""
    cells = check_dataframe(cells, "cells")
    t = apa(cells, title=title, labels=labels, factors=list(factors), name=name, note=note, synthetic=synthetic)
    total = ["Total"] + [""] * (len(factors) - 1)
    for col in t.header[len(factors):]:
        src = {"*n* before": "n_before", "*n* removed": "n_removed", "*n* after": "n_after"}.get(col)
        total.append(format_count(int(np.sum(cells[src]))) if src in cells else "")
    return ApaTable(t.title, t.header, (*t.rows, tuple(total)), t.align, t.note, name)
