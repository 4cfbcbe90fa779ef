"""Manipulation checks of a study, each with the test its study file declares.

A check (``manipulation_checks:`` of the study file) names an item, the factor it checks
and the answer that counts as correct for each level of that factor:

- ``test: anova``: a rating compared across the factor's levels (one-way ANOVA, with
  eta² and omega²; the mean rating per level; the share of answers in the correct range
  of the respondent's own level);
- ``test: welch_t``: a rating compared between the two levels of a two-level factor (Welch's
  t test of the second level minus the first, its CI, Cohen's d and Hedges' g with its
  normal-approximation CI; the mean rating per level);
- ``test: chi2``: recall of the level (each answer's correct value names the level it
  recalls; other answers, such as "don't remember", are counted and left out): Pearson's
  chi-square test of condition x recalled level, Cramér's V and the share recalling their
  own condition.

Examples
--------
>>> from studylib.checks import manipulation_checks
>>> from studylib.pipeline import load_analysis_data
>>> sd = load_analysis_data("data/synthetic/influencer_study.csv", config="analyses/study.yaml")
>>> mc = manipulation_checks(sd.kept, sd.study)
>>> list(mc.results), len(mc)
(['mc_valence', 'mc_response'], 2)
>>> mc.results["mc_response"].test[["chi2", "df", "cramers_v", "n"]].round(3)
      chi2  df  cramers_v    n
0  376.390   4      0.887  239
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._json import to_jsonable
from ._validation import check_columns, check_dataframe, check_fraction, check_numeric, format_rows
from .errors import DataError

__all__ = ["manipulation_checks", "ManipulationChecks", "CheckResult", "correct_answers"]


@dataclass(frozen=True)
class CheckResult:
    """One manipulation check: the check, its test (one row) and its table.

    ``test``: for ``anova`` the columns ``test``, ``F``, ``df1``, ``df2``, ``p``, ``eta2``,
    ``omega2``, ``n``, ``prop_correct``; for ``chi2`` the columns ``test``, ``chi2``,
    ``df``, ``p``, ``cramers_v``, ``n``, ``prop_correct``, ``n_other``. ``table``: for
    ``anova`` one row per level (``level``, ``n``, ``mean``, ``sd``, ``ci_low``,
    ``ci_high``, ``prop_correct``); for ``chi2`` the counts, condition (rows) by level
    recalled (columns).
    """

    check: Any
    test: pd.DataFrame
    table: pd.DataFrame

    def summary(self) -> str:
        """The test in one line (rounded for reading only)."""
        from .report.tables import format_p

        r = self.test.iloc[0]
        name = self.check.display
        if self.check.test == "chi2":
            return (f"{name}: chi2({int(r['df'])}) = {r['chi2']:.2f}, {format_p(r['p'], prefix=True)}, "
                    f"Cramer's V = {r['cramers_v']:.2f}, n = {int(r['n'])}, {100 * r['prop_correct']:.1f}% "
                    f"recalled their own condition ({int(r['n_other'])} other answers left out)")
        correct = "" if pd.isna(r["prop_correct"]) else f", {100 * r['prop_correct']:.1f}% in the correct range"
        if self.check.test == "welch_t":
            return (f"{name}, {r['contrast']}: difference {r['estimate']:.2f}, Welch t({r['df']:.1f}) = "
                    f"{r['t']:.2f}, {format_p(r['p'], prefix=True)}, Hedges' g = {r['hedges_g']:.2f}, "
                    f"n = {int(r['n'])}{correct}")
        return (f"{name} by {self.check.factor}: F({r['df1']:g}, {r['df2']:g}) = {r['F']:.2f}, "
                f"{format_p(r['p'], prefix=True)}, eta2 = {r['eta2']:.2f}, n = {int(r['n'])}{correct}")


@dataclass(frozen=True)
class ManipulationChecks:
    """Results of :func:`manipulation_checks`: check id -> :class:`CheckResult`."""

    results: dict[str, CheckResult]
    conf: float

    def __len__(self) -> int:
        return len(self.results)

    def summary(self) -> str:
        """One line per check."""
        return "\n".join(r.summary() for r in self.results.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready content: ``conf`` and, per check, its test and table as records."""
        return to_jsonable({"conf": self.conf, "checks": {
            cid: {"item": r.check.item, "factor": r.check.factor, "test": r.test,
                  "table": r.table.reset_index() if r.check.test == "chi2" else r.table}
            for cid, r in self.results.items()}})


def correct_answers(data: pd.DataFrame, check: Any) -> pd.Series:
    """True where the answer to ``check`` is the correct one of the respondent's level.

    A missing answer is not correct. Needs the check's item and factor columns.
    """
    answers = pd.to_numeric(data[check.item]).astype(float)
    level = data[check.factor].astype(str)
    recalled = answers.map(lambda v: check.level_of(v) if v == v else None)
    return pd.Series(recalled.to_numpy(dtype=object) == level.to_numpy(dtype=object), index=data.index)


def _ratings(data: pd.DataFrame, check: Any, levels: list[str], conf: float
             ) -> tuple[list[np.ndarray], float, pd.DataFrame]:
    """A rating check's answers per level, the share in the correct range (NaN when the check
    declares none) and the table of the mean rating per level (with its t interval)."""
    y = pd.to_numeric(data[check.item]).astype(float)
    groups = data[check.factor].astype(str)
    ok = y.notna() & data[check.factor].notna()
    samples = [y[ok & (groups == lv)].to_numpy() for lv in levels]
    if sum(len(s) > 0 for s in samples) < 2:
        raise DataError(f"manipulation check {check.id!r}: answers in fewer than two levels of "
                        f"{check.factor!r}; a comparison across levels is not possible")
    correct = correct_answers(data, check) if check.correct else None
    prop = float(correct[ok].mean()) if correct is not None else np.nan
    rows = []
    for lv, s in zip(levels, samples, strict=True):
        m, sd = (s.mean(), s.std(ddof=1)) if len(s) > 1 else (s.mean() if len(s) else np.nan, np.nan)
        half = stats.t.ppf(0.5 + conf / 2, len(s) - 1) * sd / np.sqrt(len(s)) if len(s) > 1 else np.nan
        share = float(correct[ok & (groups == lv)].mean()) if correct is not None and len(s) else np.nan
        rows.append({"level": lv, "n": len(s), "mean": float(m), "sd": float(sd), "ci_low": float(m - half),
                     "ci_high": float(m + half), "prop_correct": share})
    table = pd.DataFrame(rows)
    table.attrs["conf"] = conf
    return samples, prop, table


def _anova_check(data: pd.DataFrame, check: Any, levels: list[str], conf: float) -> CheckResult:
    samples, prop, table = _ratings(data, check, levels, conf)
    present = [s for s in samples if len(s)]
    f, p = stats.f_oneway(*present)
    n, k = int(sum(len(s) for s in present)), len(present)
    grand = np.concatenate(present).mean()
    ss_b = sum(len(s) * (s.mean() - grand) ** 2 for s in present)
    ss_w = sum(((s - s.mean()) ** 2).sum() for s in present)
    ms_w = ss_w / (n - k)
    test = pd.DataFrame([{"test": "anova", "F": float(f), "df1": float(k - 1), "df2": float(n - k), "p": float(p),
                          "eta2": float(ss_b / (ss_b + ss_w)),
                          "omega2": float((ss_b - (k - 1) * ms_w) / (ss_b + ss_w + ms_w)), "n": n,
                          "prop_correct": prop}])
    return CheckResult(check, test, table)


def _welch_check(data: pd.DataFrame, check: Any, levels: list[str], conf: float, study: Any) -> CheckResult:
    """Welch's t test of the rating, second level minus first; Hedges' g (Hedges & Olkin, 1985)."""
    (first, second), prop, table = _ratings(data, check, levels, conf)
    if len(first) < 2 or len(second) < 2:
        raise DataError(f"manipulation check {check.id!r}: fewer than two answers in a level of "
                        f"{check.factor!r}; Welch's t test needs at least two per level")
    res = stats.ttest_ind(second, first, equal_var=False)
    ci = res.confidence_interval(confidence_level=conf)
    n1, n0 = len(second), len(first)
    diff = second.mean() - first.mean()
    sp = np.sqrt(((n1 - 1) * second.var(ddof=1) + (n0 - 1) * first.var(ddof=1)) / (n1 + n0 - 2))
    d = diff / sp
    g = (1 - 3 / (4 * (n1 + n0) - 9)) * d
    se_g = np.sqrt((n1 + n0) / (n1 * n0) + g**2 / (2 * (n1 + n0)))
    z = stats.norm.ppf(0.5 + conf / 2)
    label = getattr(study, "level_label", lambda f, lv: lv)
    test = pd.DataFrame([{
        "test": "welch_t", "contrast": f"{label(check.factor, levels[1])} − {label(check.factor, levels[0])}",
        "estimate": float(diff), "se": float(np.sqrt(second.var(ddof=1) / n1 + first.var(ddof=1) / n0)),
        "t": float(res.statistic), "df": float(res.df), "p": float(res.pvalue), "ci_low": float(ci.low),
        "ci_high": float(ci.high), "cohens_d": float(d), "hedges_g": float(g), "g_ci_low": float(g - z * se_g),
        "g_ci_high": float(g + z * se_g), "n": n0 + n1, "prop_correct": prop}])
    test.attrs["conf"] = conf
    return CheckResult(check, test, table)


def _chi2_check(data: pd.DataFrame, check: Any, levels: list[str]) -> CheckResult:
    answers = pd.to_numeric(data[check.item]).astype(float)
    recalled = answers.map(lambda v: check.level_of(v) if v == v else None)
    answered = answers.notna() & data[check.factor].notna()
    other = answered & recalled.isna()
    keep = answered & recalled.notna()
    cond = pd.Categorical(data[check.factor].astype(str)[keep], categories=levels)
    table = pd.crosstab(cond, pd.Categorical(recalled[keep], categories=levels), dropna=False)
    table.index.name, table.columns.name = check.factor, "recalled"
    table = table.loc[:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise DataError(f"manipulation check {check.id!r}: the condition x recalled table is "
                        f"{table.shape[0]} x {table.shape[1]}; a chi-square test needs at least 2 x 2")
    chi2, p, df, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    n = int(table.to_numpy().sum())
    v = float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))
    correct = sum(int(table.loc[lv, lv]) for lv in table.index if lv in table.columns)
    test = pd.DataFrame([{"test": "chi2", "chi2": float(chi2), "df": int(df), "p": float(p), "cramers_v": v,
                          "n": n, "prop_correct": correct / n, "n_other": int(other.sum())}])
    return CheckResult(check, test, table)


def manipulation_checks(data: pd.DataFrame, study: Any, *, conf: float = 0.95) -> ManipulationChecks:
    """Test every manipulation check a study file declares, with its declared test.

    Parameters
    ----------
    data : DataFrame
        Analysis-ready (usually cleaned) data with the checks' items and factors.
    study : studylib.study.Study
        Its ``manipulation_checks`` (none: an empty result).
    conf : float, default 0.95
        Confidence level of the per-level means.

    Returns
    -------
    ManipulationChecks
        ``results``: check id -> :class:`CheckResult` (its ``test`` row and ``table``);
        ``len()`` is the number of checks.

    Raises
    ------
    ColumnError
        A check's item or factor is not in ``data``.
    DataError
        A check's item is not numeric; a rating is answered in fewer than two levels; a
        recall table is smaller than 2 x 2.
    OptionError
        ``conf`` is not strictly between 0 and 1.

    Notes
    -----
    ``anova``: :math:`\\eta^2 = SS_b / SS_t`, :math:`\\omega^2 = (SS_b - (k-1) MS_w) /
    (SS_t + MS_w)`; per level a t interval of the mean. ``chi2``: Pearson's chi-square
    without continuity correction on the condition x recalled table, :math:`V =
    \\sqrt{\\chi^2 / (n(\\min(r, c) - 1))}`. Missing answers are left out of each test.
    Cross-checked against ``scipy.stats.chi2_contingency`` and pingouin's ``anova``
    (tests/test_cleaning.py).

    References
    ----------
    Cramér, H. (1946). *Mathematical methods of statistics*. Princeton University Press.
    """
    check_dataframe(data)
    conf = check_fraction(conf, "conf")
    out: dict[str, CheckResult] = {}
    for c in study.manipulation_checks:
        context = f"manipulation check {c.id!r}"
        check_columns(data, [c.item, c.factor], context=context)
        check_numeric(data, [c.item], context=context)
        levels = [str(lv) for lv in study.factor(c.factor).levels]
        if c.test == "chi2":
            answers = pd.to_numeric(data[c.item]).astype(float)
            odd = answers.notna() & (answers != answers.round())
            if odd.any():
                raise DataError(f"column {c.item!r} ({context}) has answers that are not whole codes in rows "
                                f"{format_rows(data.index[odd], answers[odd])}")
            out[c.id] = _chi2_check(data, c, levels)
        elif c.test == "welch_t":
            out[c.id] = _welch_check(data, c, levels, conf, study)
        else:
            out[c.id] = _anova_check(data, c, levels, conf)
    return ManipulationChecks(out, conf)
