"""Exclusion rules applied in a stated order, with a log; manipulation checks.

:func:`apply_exclusions` takes the analysis-ready frame (:func:`studylib.io.prepare`) and the
rules of a study configuration and returns the kept rows and an :class:`ExclusionLog`.
:func:`manipulation_checks` tests whether the manipulations were perceived.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._json import to_jsonable
from ._validation import (
    check_columns,
    check_dataframe,
    check_fraction,
    check_numeric,
    check_option,
    format_rows,
)
from .errors import DataError, InputTypeError, SpecError, StudylibWarning
from .study import RULES, ExclusionRule, Study

__all__ = ["apply_exclusions", "ExclusionLog", "manipulation_checks", "ManipulationChecks"]


@dataclass(frozen=True)
class ExclusionLog:
    """What :func:`apply_exclusions` removed, step by step and per design cell.

    Attributes
    ----------
    steps : DataFrame
        One row per rule in the order applied: ``step``, ``rule``, ``description``,
        ``n_before``, ``n_removed``, ``n_after``.
    cells : DataFrame
        One row per design cell: the factor columns, ``n_before``, ``n_removed``, ``n_after``.
    flags : DataFrame
        Index of the input data: ``resp_id`` (if present), one boolean column per rule
        (flagged by that rule, whatever the order) and ``excluded_by`` (the first rule that
        removed the row, or missing if kept).
    """

    steps: pd.DataFrame
    cells: pd.DataFrame
    flags: pd.DataFrame

    @property
    def n_before(self) -> int:
        return int(len(self.flags))

    @property
    def n_after(self) -> int:
        return int(self.flags["excluded_by"].isna().sum())

    def summary(self) -> str:
        """The exclusion steps and cell sizes as text."""
        lines = [f"Exclusions: {self.n_before} respondents read, {self.n_after} kept"]
        for r in self.steps.itertuples(index=False):
            lines.append(f"  {r.step}. {r.rule:<16} {r.description:<55} removed {r.n_removed:>3}, "
                         f"{r.n_after} left")
        lines.append("Respondents per cell (before -> after):")
        factors = [c for c in self.cells.columns if c not in ("n_before", "n_removed", "n_after")]
        for r in self.cells.itertuples(index=False):
            cell = " x ".join(str(getattr(r, f)) for f in factors)
            lines.append(f"  {cell:<22} {r.n_before:>3} -> {r.n_after}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready content: the counts, ``steps`` and ``cells`` as records."""
        return to_jsonable({"n_before": self.n_before, "n_after": self.n_after,
                            "steps": self.steps, "cells": self.cells})


def _rules_and_scales(study_or_rules: Any, scales: Any) -> tuple[list[ExclusionRule], dict[str, Any]]:
    if isinstance(study_or_rules, Study):
        rules = list(study_or_rules.exclusions)
        scale_map: dict[str, Any] = {s.id: s for s in study_or_rules.scales}
    elif isinstance(study_or_rules, Sequence) and not isinstance(study_or_rules, str):
        rules = []
        for i, r in enumerate(study_or_rules):
            if isinstance(r, ExclusionRule):
                rules.append(r)
            elif isinstance(r, Mapping) and r.get("rule") in RULES:
                required, defaults = RULES[r["rule"]]
                params = {**defaults, **{k: v for k, v in r.items() if k != "rule"}}
                lacking = [k for k in required if k not in params]
                if lacking:
                    raise SpecError(f"exclusion rule {i} ({r['rule']!r}) lacks {lacking}")
                rules.append(ExclusionRule(r["rule"], params))
            else:
                raise SpecError(f"exclusion rule {i} must be an ExclusionRule or a mapping with "
                                f"'rule' one of {list(RULES)}; got {r!r}")
        scale_map = {}
    else:
        raise InputTypeError("study_or_rules must be a Study or a list of exclusion rules; "
                             f"got {type(study_or_rules).__name__}")
    if scales is not None:
        items = scales.items() if isinstance(scales, Mapping) else ((s.id, s) for s in scales)
        scale_map.update(dict(items))
    return rules, scale_map


def _scale_list(rule: ExclusionRule, scale_map: Mapping[str, Any]) -> list[Any]:
    missing = [s for s in rule.params["scales"] if s not in scale_map]
    if missing:
        raise SpecError(f"exclusion rule {rule.rule!r} names scales {missing} that are not defined; "
                        "pass scales= (studylib.questionnaires.Scale objects, by id)")
    return [scale_map[s] for s in rule.params["scales"]]


def _flag(data: pd.DataFrame, rule: ExclusionRule, scale_map: Mapping[str, Any]) -> pd.Series:
    p, ctx = rule.params, f"exclusion rule {rule.rule!r}"
    if rule.rule in ("straight_lining", "incomplete"):
        scales = _scale_list(rule, scale_map)
        items = [i for s in scales for i in s.items]
        check_numeric(data, items, context=ctx)
        values = data[items].to_numpy(dtype=float, na_value=np.nan)
        if rule.rule == "straight_lining":
            answered = (~np.isnan(values)).sum(axis=1)
            lo = np.nanmin(np.where(answered[:, None] > 0, values, 0), axis=1)
            hi = np.nanmax(np.where(answered[:, None] > 0, values, 0), axis=1)
            return pd.Series((answered >= 2) & (lo == hi), index=data.index)
        short = np.zeros(len(data), dtype=bool)
        for s in scales:
            n_ok = data[list(s.items)].notna().sum(axis=1).to_numpy()
            short |= n_ok < s.min_valid_items
        return pd.Series(short, index=data.index)
    col = p["column"]
    check_numeric(data, [col], context=ctx)
    x = pd.to_numeric(data[col]).astype(float)
    if rule.rule == "attention_check":
        return x.isna() | (x != float(p["correct"]))
    if rule.rule == "speeder":
        negative = x < 0  # an impossible time (often a missing code left as a number): never a speeder
        if negative.any():
            raise DataError(
                f"column {col!r} ({ctx}) has negative completion times in rows "
                f"{format_rows(x.index[negative], x[negative])}; a duration cannot be negative. Fix the "
                f"data (a missing code such as -99 left as a number: empty those cells or declare it "
                f"missing in the export), and declare the allowed times under 'ranges: {col}' in the "
                "study file"
            )
        return x < float(p["fraction_of_median"]) * float(x.median())
    if rule.rule == "range":
        return x.isna() | (x < float(p["min"])) | (x > float(p["max"]))
    return x.isna() | (x != float(p["value"]))  # required_value


def apply_exclusions(
    data: pd.DataFrame,
    study_or_rules: Study | Sequence[ExclusionRule | Mapping[str, Any]],
    *,
    scales: Mapping[str, Any] | Sequence[Any] | None = None,
    factors: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, ExclusionLog]:
    """Apply exclusion rules in order; return the kept rows and a log.

    Parameters
    ----------
    data : DataFrame
        Analysis-ready frame (:func:`studylib.prepare`). Not modified.
    study_or_rules : Study or list
        A :class:`~studylib.study.Study` (its ``exclusions`` and ``scales``) or a list of
        rules: :class:`~studylib.study.ExclusionRule` or mappings such as
        ``{"rule": "age_range", "column": "age", "min": 18, "max": 30}``.
    scales : mapping or list, optional
        Scales for ``straight_lining``/``incomplete`` (objects with ``items`` and
        ``min_valid_items``, e.g. studylib.questionnaires.Scale), by id.
    factors : sequence of str, optional
        Columns that define the design cells counted in the log; default the study's
        factors, or ``("valence", "response")`` when rules are given without a study.

    Returns
    -------
    kept : DataFrame
        The rows not excluded (original index and columns).
    log : ExclusionLog
        ``steps`` (count removed by each rule, in order), ``cells`` (n per cell before
        and after) and ``flags`` (per respondent).

    Raises
    ------
    ColumnError
        A column a rule needs is not in ``data``.
    DataError
        Such a column is not numeric; a ``speeder`` column holds negative times; or the rules
        remove every respondent (the message names the rule that removed the last ones).
    SpecError
        A rule is malformed or names an unknown scale.

    Warns
    -----
    StudylibWarning
        A design cell is empty after the exclusions.

    Notes
    -----
    Rules: ``attention_check`` removes a wrong or missing answer; ``speeder`` removes a
    completion time below ``fraction_of_median`` times the median of all rows passed in
    (missing times are not removed); ``straight_lining`` removes respondents with at least
    two answered items and zero variance over all items of the named scales in their
    raw, unreversed form (an answer pattern that is inconsistent with reverse-keyed
    items); ``age_range`` removes a missing age or one outside ``[min, max]``;
    ``not_follower`` removes rows whose column is not ``value`` (or missing);
    ``incomplete`` removes respondents with fewer answered items than a scale's
    ``min_valid_items`` in any named scale. Each rule only removes rows that earlier rules
    kept, so the counts depend on the order; ``flags`` shows every rule's verdict.

    Examples
    --------
    >>> from studylib import load_study, load_synthetic, apply_exclusions
    >>> data = load_synthetic("prepared")
    >>> kept, log = apply_exclusions(data, load_study())
    >>> # R: dplyr::filter(data, attn_01 == 2, duration_s >= 0.4 * median(duration_s), ...)
    >>> log.steps[["rule", "n_removed", "n_after"]]
                  rule  n_removed  n_after
    0  attention_check         31      279
    1          speeder          2      277
    2  straight_lining          1      276
    3        age_range          7      269
    4     not_follower          8      261
    5       incomplete          9      252
    >>> log.n_before, log.n_after == len(kept)
    (310, True)
    """
    check_dataframe(data)
    rules, scale_map = _rules_and_scales(study_or_rules, scales)
    if factors is None:
        factors = ([f.name for f in study_or_rules.factors] if isinstance(study_or_rules, Study)
                   else ["valence", "response"])
    factors = check_columns(data, list(factors), context="design factors of the exclusion log")
    flags = pd.DataFrame(index=data.index)
    if "resp_id" in data.columns:
        flags["resp_id"] = data["resp_id"]
    names = []
    for rule in rules:
        name = rule.rule if rule.rule not in names else f"{rule.rule}_{names.count(rule.rule) + 1}"
        names.append(name)
        flags[name] = _flag(data, rule, scale_map).to_numpy(dtype=bool)
    kept = np.ones(len(data), dtype=bool)
    excluded_by = pd.Series(pd.NA, index=data.index, dtype="str")
    steps = []
    for i, (rule, name) in enumerate(zip(rules, names, strict=True), start=1):
        hit = kept & flags[name].to_numpy()
        excluded_by[hit] = name
        steps.append({"step": i, "rule": name, "description": rule.describe(),
                      "n_before": int(kept.sum()), "n_removed": int(hit.sum()),
                      "n_after": int(kept.sum() - hit.sum())})
        kept &= ~hit
        if not kept.any() and len(data):
            raise DataError(
                f"exclusion step {i} ({name!r}: {rule.describe()}) removed the last {int(hit.sum())} of "
                f"{len(data)} respondents: nobody is left to analyse. Check that rule's settings "
                f"(exclusions[{i - 1}] in the study file) and the values of the column(s) it reads"
            )
    flags["excluded_by"] = excluded_by
    before = data.groupby(factors, observed=False).size().rename("n_before")
    after = data[kept].groupby(factors, observed=False).size().rename("n_after")
    cells = pd.concat([before, after], axis=1).fillna(0).astype(int).reset_index()
    cells.insert(len(factors) + 1, "n_removed", cells["n_before"] - cells["n_after"])
    steps_df = pd.DataFrame(steps, columns=["step", "rule", "description", "n_before",
                                            "n_removed", "n_after"])
    empty = cells[(cells["n_after"] == 0) & (cells["n_before"] > 0)]
    if len(empty):
        warnings.warn(f"design cells empty after exclusions: {empty[factors].to_dict('records')}",
                      StudylibWarning, stacklevel=2)
    return data[kept], ExclusionLog(steps_df, cells, flags)


@dataclass(frozen=True)
class ManipulationChecks:
    """Results of :func:`manipulation_checks`.

    Attributes
    ----------
    response : DataFrame
        One row: ``test`` ("chi-square"), ``chi2``, ``df``, ``p``, ``cramers_v``, ``n``,
        ``prop_correct`` (share recalling their own condition), ``n_dont_remember``.
    crosstab : DataFrame
        Counts, response condition (rows) by recalled response (columns).
    valence : DataFrame
        One row: ``test`` ("Welch t"), ``mean_negative``, ``mean_positive``, ``n_negative``,
        ``n_positive``, ``estimate`` (positive - negative), ``se``, ``t``, ``df``, ``p``,
        ``ci_low``, ``ci_high``, ``cohens_d``, ``hedges_g``, ``g_ci_low``, ``g_ci_high``.
    conf : float
        Confidence level of the intervals.
    """

    response: pd.DataFrame
    crosstab: pd.DataFrame
    valence: pd.DataFrame
    conf: float

    def summary(self) -> str:
        """The two tests in APA style, one line each (rounded for reading only)."""
        from .report.tables import format_p

        r, v = self.response.iloc[0], self.valence.iloc[0]
        return (
            f"Recalled response by condition: chi2({int(r['df'])}) = {r['chi2']:.2f}, {format_p(r['p'], prefix=True)}, "
            f"Cramer's V = {r['cramers_v']:.2f}, n = {int(r['n'])}, {100 * r['prop_correct']:.1f}% correct\n"
            f"Perceived valence, positive - negative: {v['estimate']:.2f} "
            f"[{v['ci_low']:.2f}, {v['ci_high']:.2f}], Welch t({v['df']:.1f}) = {v['t']:.2f}, "
            f"{format_p(v['p'], prefix=True)}, Hedges' g = {v['hedges_g']:.2f} "
            f"[{v['g_ci_low']:.2f}, {v['g_ci_high']:.2f}]"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready content: ``conf`` and the three tables as records."""
        return to_jsonable({"conf": self.conf, "response": self.response,
                            "crosstab": self.crosstab.reset_index(), "valence": self.valence})


def manipulation_checks(
    data: pd.DataFrame,
    *,
    valence: str = "valence",
    response: str = "response",
    mc_valence: str = "mc_valence",
    mc_response: str = "mc_response",
    recall_codes: Mapping[float, str] | None = None,
    dont_remember: str = "exclude",
    conf: float = 0.95,
) -> ManipulationChecks:
    """Check the manipulations: recalled response by condition, perceived valence.

    Parameters
    ----------
    data : DataFrame
        Analysis-ready (usually cleaned) data.
    valence, response : str
        Condition columns (Categoricals; valence has two levels, the second one "positive").
    mc_valence : str
        Perceived valence (1 very negative .. 7 very positive).
    mc_response : str
        Recalled response, coded as in ``recall_codes``.
    recall_codes : mapping, optional
        Code -> response level; default ``{1: "none", 2: "like", 3: "reply",
        4: "dont_remember"}``.
    dont_remember : {"exclude", "include"}, default "exclude"
        Whether "don't remember" answers enter the chi-square table (their number is
        reported either way).
    conf : float, default 0.95
        Confidence level.

    Returns
    -------
    ManipulationChecks
        ``response`` (chi-square test, Cramér's V), ``crosstab``, ``valence`` (Welch t,
        mean difference with CI, Cohen's d, Hedges' g with CI).

    Raises
    ------
    ColumnError
        A named column is not in ``data``.
    DataError
        A check column is not numeric, ``mc_response`` holds a code that is not in
        ``recall_codes``, or ``valence`` does not have exactly 2 levels.
    OptionError
        ``dont_remember`` or ``conf`` is not allowed.

    See Also
    --------
    apply_exclusions : the exclusion rules usually applied first.

    Notes
    -----
    Pearson's chi-square without continuity correction on the condition x recalled table,
    :math:`V = \\sqrt{\\chi^2 / (n\\,(\\min(r, c) - 1))}`. For perceived valence the
    Welch t test (Welch-Satterthwaite df) and its CI for the mean difference; Cohen's
    :math:`d = (\\bar y_+ - \\bar y_-)/s_p` with the pooled SD, Hedges'
    :math:`g = J d`, :math:`J = 1 - 3/(4(n_+ + n_-) - 9)`, with the normal-approximation
    interval :math:`g \\pm z_{1-\\alpha/2}\\sqrt{(n_+ + n_-)/(n_+ n_-) + g^2/(2(n_+ + n_-))}`
    (Hedges & Olkin, 1985). Rows with a missing answer are left out of each test.

    Cross-checked against ``scipy.stats.chi2_contingency`` and pingouin's ``ttest`` and
    ``compute_effsize`` (tests/test_cleaning.py).

    References
    ----------
    Cramér, H. (1946). *Mathematical methods of statistics*. Princeton University Press.

    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika, 34*(1-2), 28-35.
    https://doi.org/10.1093/biomet/34.1-2.28

    Hedges, L. V., & Olkin, I. (1985). *Statistical methods for meta-analysis*. Academic Press.

    Examples
    --------
    >>> from studylib import load_synthetic, manipulation_checks
    >>> mc = manipulation_checks(load_synthetic("clean"))
    >>> # R: chisq.test(table(d$response, d$mc_response), correct = FALSE)
    >>> # R: t.test(mc_valence ~ valence, data = d); effectsize::hedges_g(mc_valence ~ valence, d)
    >>> mc.valence[["estimate", "t", "df", "hedges_g"]]
       estimate       t      df  hedges_g
    0     2.318  15.546  243.91     1.960
    >>> mc.response[["chi2", "df", "cramers_v", "n"]]
          chi2  df  cramers_v    n
    0  376.390   4      0.887  239
    """
    check_dataframe(data)
    check_columns(data, [valence, response, mc_valence, mc_response], context="manipulation checks")
    check_numeric(data, [mc_valence, mc_response], context="manipulation checks")
    check_option(dont_remember, "dont_remember", ("exclude", "include"))
    conf = check_fraction(conf, "conf")
    codes = dict(recall_codes) if recall_codes is not None else {1: "none", 2: "like", 3: "reply",
                                                                  4: "dont_remember"}
    answers = pd.to_numeric(data[mc_response]).astype(float)
    recalled = answers.map({float(k): v for k, v in codes.items()})
    unknown = answers.notna() & recalled.isna()
    if unknown.any():
        raise DataError(
            f"column {mc_response!r} has answers that are not recall codes in rows "
            f"{format_rows(data.index[unknown], answers[unknown])} (manipulation checks); allowed "
            f"codes: {sorted(codes)}. Fix the data or pass recall_codes="
        )
    n_dk = int((recalled == "dont_remember").sum())
    keep = recalled.notna() & data[response].notna()
    if dont_remember == "exclude":
        keep &= recalled != "dont_remember"
    cond = data[response].astype("category")
    cats = [c for c in dict.fromkeys(codes.values()) if dont_remember == "include" or c != "dont_remember"]
    table = pd.crosstab(cond[keep].cat.remove_unused_categories(),
                        pd.Categorical(recalled[keep], categories=cats), dropna=False)
    table.index.name, table.columns.name = response, "recalled"
    table = table.loc[:, table.sum(axis=0) > 0]
    chi2, p, df, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    n = int(table.to_numpy().sum())
    v = float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))
    correct = sum(int(table.loc[lvl, lvl]) for lvl in table.index if lvl in table.columns)
    resp = pd.DataFrame([{"test": "chi-square", "chi2": float(chi2), "df": int(df), "p": float(p),
                          "cramers_v": v, "n": n, "prop_correct": correct / n, "n_dont_remember": n_dk}])

    levels = list(data[valence].astype("category").cat.categories)
    if len(levels) != 2:
        raise DataError(f"column {valence!r} must have exactly 2 levels (manipulation checks); got {levels}")
    y = pd.to_numeric(data[mc_valence]).astype(float)
    neg = y[(data[valence] == levels[0]) & y.notna()].to_numpy()
    pos = y[(data[valence] == levels[1]) & y.notna()].to_numpy()
    res = stats.ttest_ind(pos, neg, equal_var=False)
    ci = res.confidence_interval(confidence_level=conf)
    n1, n0 = len(pos), len(neg)
    diff = pos.mean() - neg.mean()
    sp = np.sqrt(((n1 - 1) * pos.var(ddof=1) + (n0 - 1) * neg.var(ddof=1)) / (n1 + n0 - 2))
    d = diff / sp
    g = (1 - 3 / (4 * (n1 + n0) - 9)) * d
    se_g = np.sqrt((n1 + n0) / (n1 * n0) + g**2 / (2 * (n1 + n0)))
    z = stats.norm.ppf(0.5 + conf / 2)
    val = pd.DataFrame([{
        "test": "Welch t", "mean_negative": neg.mean(), "mean_positive": pos.mean(), "n_negative": n0,
        "n_positive": n1, "estimate": diff, "se": np.sqrt(pos.var(ddof=1) / n1 + neg.var(ddof=1) / n0),
        "t": float(res.statistic), "df": float(res.df), "p": float(res.pvalue), "ci_low": float(ci.low),
        "ci_high": float(ci.high), "cohens_d": d, "hedges_g": g, "g_ci_low": g - z * se_g,
        "g_ci_high": g + z * se_g,
    }])
    val.attrs["conf"] = conf
    return ManipulationChecks(resp, table, val, conf)

