"""Tests of studylib.report.sections: the tables and sentences of each part of the report,
built from a small study of its own (a 2 x 2 design, two scales, no thesis names) given as a
StudyData-like object with the study-file API (Study.label, display_labels, factor ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import studylib as sl
from studylib.errors import ColumnError
from studylib.questionnaires import Scale
from studylib.report.apa import ApaTable
from studylib.report.rich import to_plain
from studylib.report.sections import (
    STATUSES,
    Part,
    anova_key,
    anova_part,
    checks_part,
    data_part,
    headline,
    hypotheses_part,
    labels_of,
    process_part,
    scales_part,
)
from studylib.scoring import score_scales
from studylib.study import ModelSpec  # the real one: a model needs nothing of a study file

# -- a small study with the study-file API -----------------------------------------------------


@dataclass(frozen=True)
class Factor:
    name: str
    levels: tuple[str, ...]
    label: str
    level_labels: dict[str, str]

    @property
    def display(self) -> str:
        return self.label

    def level_label(self, level: str) -> str:
        return self.level_labels.get(level, level)


@dataclass(frozen=True)
class Demographic:
    item: str
    label: str
    codes: dict[Any, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.label


@dataclass(frozen=True)
class Check:
    id: str
    item: str
    factor: str
    test: str
    label: str

    @property
    def display(self) -> str:
        return self.label


@dataclass(frozen=True)
class Study:
    factors: tuple[Factor, ...]
    scales: tuple[Scale, ...]
    scale_labels: dict[str, str]
    models: tuple[ModelSpec, ...] = ()
    demographics: tuple[Demographic, ...] = ()
    manipulation_checks: tuple[Check, ...] = ()
    exclusions: tuple[Any, ...] = ()
    hypotheses: tuple[Any, ...] = ()
    synthetic: bool = True

    def factor(self, name: str) -> Factor:
        return next(f for f in self.factors if f.name == name)

    def label(self, name: str) -> str:
        for f in self.factors:
            if f.name == name:
                return f.label
        for d in self.demographics:
            if d.item == name:
                return d.label
        return self.scale_labels.get(name, name)

    def level_label(self, factor: str, level: str) -> str:
        return self.factor(factor).level_label(level)

    def display_labels(self) -> dict[str, Any]:
        variables = {f.name: f.label for f in self.factors}
        variables.update(self.scale_labels)
        variables.update({d.item: d.label for d in self.demographics})
        return {"variables": variables, "levels": {f.name: {lv: f.level_label(lv) for lv in f.levels}
                                                   for f in self.factors}}


GROUP = Factor("grp", ("ctl", "trt"), "Instruction", {"ctl": "Control", "trt": "Worked example"})
TIME = Factor("tim", ("short", "long"), "Study time", {"short": "Ten minutes", "long": "Thirty minutes"})
SA = Scale.from_dict({"id": "eff", "items": ["eff_1", "eff_2", "-eff_3"], "min": 1, "max": 5})
SB = Scale.from_dict({"id": "lrn", "items": ["lrn_1", "lrn_2", "lrn_3"], "min": 1, "max": 7})


def _data(n_cell: int = 20, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in GROUP.levels:
        for t in TIME.levels:
            for _ in range(n_cell):
                shift = (g == "trt") * 0.8 + (t == "long") * 0.3 + (g == "trt") * (t == "long") * 0.6
                latent_a = rng.normal(shift, 1)
                latent_b = 0.6 * latent_a + rng.normal(0, 1)
                row = {"grp": g, "tim": t, "years": int(rng.integers(18, 40)), "sex": int(rng.integers(1, 3))}
                for i in (1, 2, 3):
                    a = np.clip(np.round(3 + latent_a + rng.normal(0, 0.7)), 1, 5)
                    row[f"eff_{i}"] = 6 - a if i == 3 else a
                    row[f"lrn_{i}"] = np.clip(np.round(4 + latent_b + rng.normal(0, 0.7)), 1, 7)
                rows.append(row)
    df = pd.DataFrame(rows)
    for f in (GROUP, TIME):
        df[f.name] = pd.Categorical(df[f.name], categories=list(f.levels))
    return df


def _log(kept: pd.DataFrame) -> SimpleNamespace:
    steps = pd.DataFrame({"step": [1], "rule": ["range"], "description": ["years outside 18..40"],
                          "n_before": [len(kept) + 3], "n_removed": [3], "n_after": [len(kept)]})
    cells = kept.groupby(["grp", "tim"], observed=True).size().rename("n_after").reset_index()
    cells[["grp", "tim"]] = cells[["grp", "tim"]].astype(str)
    cells.insert(2, "n_before", cells["n_after"] + np.array([1, 1, 1, 0]))
    cells.insert(3, "n_removed", cells["n_before"] - cells["n_after"])
    return SimpleNamespace(steps=steps, cells=cells, n_before=len(kept) + 3, n_after=len(kept))


def _sd(study: Study, kept: pd.DataFrame) -> SimpleNamespace:
    scales = {s.id: s for s in study.scales}
    kept = kept.join(score_scales(kept, list(scales.values()))[list(scales)])
    return SimpleNamespace(study=study, kept=kept, prepared=kept, log=_log(kept), scales=scales, synthetic=True)


ANOVA_EFF = ModelSpec("anova_eff", "anova", {"dv": "eff", "between": ["grp", "tim"], "ss_type": 3},
                      "Self-efficacy ANOVA")
ANOVA_LRN = ModelSpec("anova_lrn", "anova", {"dv": "lrn", "between": ["grp", "tim"]})
MED = ModelSpec("mod7", "process", {"model": 7, "x": "grp", "w": "tim", "m": "eff", "y": "lrn"},
                "Moderated mediation")


@pytest.fixture(scope="module")
def sd():
    study = Study((GROUP, TIME), (SA, SB), {"eff": "Self-efficacy", "lrn": "Learning outcome"},
                  models=(ANOVA_EFF, ANOVA_LRN, MED),
                  demographics=(Demographic("years", "Age"), Demographic("sex", "Gender", {1: "Woman", 2: "Man"})),
                  exclusions=("range",))
    return _sd(study, _data())


def _plain(t: ApaTable) -> list[str]:
    return [to_plain(h) for h in t.header]


# -- Part --------------------------------------------------------------------------------------


def test_part_looks_up_tables_by_name_and_names_the_missing_one(sd):
    part = data_part(sd)
    assert isinstance(part, Part) and part.names == ["exclusion_flow", "cell_sizes", "demographics",
                                                     "randomization_checks"]
    assert part["cell_sizes"] is part.tables[1].table
    with pytest.raises(KeyError, match="no table 'nope' in this part; have \\['exclusion_flow'"):
        part["nope"]


def test_labels_of_reads_the_study_display_labels(sd):
    lab = labels_of(sd)
    assert lab.var("grp") == "Instruction" and lab.level("tim", "long") == "Thirty minutes"
    assert lab.term("grp:tim") == "Instruction × Study time"


# -- data and sample ---------------------------------------------------------------------------


def test_data_part_tables_use_the_study_labels_and_keep_tidy_results(sd):
    part = data_part(sd)
    cells = part["cell_sizes"]
    assert _plain(cells) == ["Instruction", "Study time", "n before", "n removed", "n after"]
    assert cells.rows[0][:2] == ("Control", "Ten minutes") and cells.rows[-1][0] == "Total"
    assert cells.rows[-1][-1] == str(len(sd.kept))
    chars = part["demographics"]
    assert chars.title == "Sample Characteristics per Design Cell After Exclusions"
    assert any("Worked example" in s[0] for s in chars.spanners)
    assert ("Woman" in [r[0] for r in chars.rows]) and any(g[1].startswith("Gender") for g in chars.groups)
    tidy = next(t for t in part.tables if t.name == "demographics").tidy
    assert {"variable", "kind", "level", "n", "percent", "mean", "sd"} <= set(tidy.columns)
    age = tidy[(tidy["variable"] == "years") & tidy["grp"].isna()]["mean"].iloc[0]
    assert age == pytest.approx(sd.kept["years"].mean(), rel=1e-12)  # unrounded
    rand = part["randomization_checks"]
    assert [r[0] for r in rand.rows] == ["Gender", "Age"]
    assert rand.rows[0][1] == "χ²" and rand.rows[1][1] == "*F*"


def test_data_part_leaves_out_absent_blocks(sd):
    bare = SimpleNamespace(**{**vars(sd), "study": Study(sd.study.factors, sd.study.scales, sd.study.scale_labels)})
    part = data_part(bare)
    assert part.names == ["cell_sizes"]


# -- scales ------------------------------------------------------------------------------------


def test_scales_part_reliability_correlations_items_and_cell_means(sd):
    part = scales_part(sd)
    assert part.names == ["reliability", "scale_correlations", "items_eff", "items_lrn", "scale_descriptives"]
    rel = part["reliability"]
    assert [r[0] for r in rel.rows] == ["Self-efficacy", "Learning outcome"]
    alpha = part.results["reliability"]["eff"].alpha
    corr = part["scale_correlations"]
    assert corr.rows[0][0] == "1. Self-efficacy"
    assert corr.rows[0][4] == f"({alpha:.2f})".replace("0.", ".")  # alpha on the diagonal, no leading zero
    items = part["items_eff"]
    assert items.title == "Item Statistics: Self-efficacy"
    assert [r[0] for r in items.rows] == ["eff_1", "eff_2", "eff_3 (R)"]
    assert "*M* recoded" in items.header and "reverse-keyed" in items.note
    desc = part["scale_descriptives"]
    assert [g[1] for g in desc.groups] == ["Self-efficacy", "Learning outcome"]
    assert _plain(desc)[:2] == ["Instruction", "Study time"]
    assert desc.rows[0][:2] == ("Control", "Ten minutes")
    tidy = next(t for t in part.tables if t.name == "reliability").tidy
    assert tidy.loc[0, "alpha"] == alpha  # the CSV keeps the unrounded value


# -- manipulation checks -----------------------------------------------------------------------


def _checks(sd):
    """Check results as studylib.checks returns them: .check, .test, .table."""
    k = sd.kept
    recall = Check("recall_grp", "recall", "grp", "chi2", "Recall of the instruction")
    rating = Check("rating_tim", "rating", "tim", "anova", "Perceived study time")
    ct = pd.crosstab(k["grp"].astype(str), np.where(np.arange(len(k)) % 5 == 0, "ctl", k["grp"].astype(str)))
    ct.index.name, ct.columns.name = "grp", None
    chi = pd.DataFrame({"n": [len(k)], "chi2": [52.3], "df": [1], "p": [4.7e-13], "cramers_v": [0.81],
                        "prop_correct": [0.9], "n_other": [0]})
    f = pd.DataFrame({"F": [30.2], "df1": [1], "df2": [78], "p": [4.5e-7], "eta2": [0.279], "omega2": [0.27],
                      "n": [len(k)], "prop_correct": [0.85]})
    means = pd.DataFrame({"level": ["short", "long"], "n": [40, 40], "mean": [2.8, 4.1], "sd": [1.0, 1.1]})
    return {"recall_grp": SimpleNamespace(check=recall, test=chi, table=ct),
            "rating_tim": SimpleNamespace(check=rating, test=f, table=means)}, (recall, rating)


def test_checks_part_sentences_and_tables_from_each_check(sd):
    results, declared = _checks(sd)
    study = Study(sd.study.factors, sd.study.scales, sd.study.scale_labels, manipulation_checks=declared)
    part = checks_part(SimpleNamespace(**{**vars(sd), "study": study}), checks=results)
    assert part.names == ["check_recall_grp", "check_recall_grp_crosstab", "check_rating_tim",
                          "check_rating_tim_means"]
    chi, f = part.sentences
    assert chi == ("Recall of the instruction: χ²(1, *N* = 80) = 52.30, *p* < .001, *V* = .81; 90.0% recalled "
                   "their own condition.")
    assert f == "Perceived study time: *F*(1, 78) = 30.20, *p* < .001, η² = .28."
    assert _plain(part["check_recall_grp"]) == ["N", "χ²", "df", "p", "Cramér's V", "Proportion correct",
                                                  "Other answers (n)"]
    assert part["check_recall_grp"].title == "Recall of the instruction by Instruction Condition: χ² Test"
    assert part["check_recall_grp"].rows[0][-1] == "0"  # a count
    ct = part["check_recall_grp_crosstab"]
    assert ct.title == "Recall of the instruction: Answers (Columns) by Instruction Condition (Rows)"
    assert _plain(ct) == ["Instruction", "Control", "Worked example"]
    assert [r[0] for r in ct.rows] == ["Control", "Worked example"]
    means = part["check_rating_tim_means"]
    assert _plain(means)[0] == "Study time" and [r[0] for r in means.rows] == ["Ten minutes", "Thirty minutes"]


def test_checks_part_is_empty_without_declared_checks(sd):
    assert checks_part(sd, checks={}).tables == []


# -- ANOVA ------------------------------------------------------------------------------------


def test_anova_part_tables_and_one_sentence_per_effect(sd):
    part = anova_part(sd, ANOVA_EFF)
    assert part.names == ["anova_eff", "emmeans_eff", "simple_effects_eff", "pairwise_eff", "assumptions_eff"]
    tab = sl.anova(sd.kept, "eff", ["grp", "tim"])
    assert part.results["anova"].equals(tab)
    inter = tab[tab["term"] == "grp:tim"].iloc[0]
    resid = int(tab.loc[tab["term"] == "Residual", "df"].iloc[0])
    assert part.sentences[-1].startswith(f"Instruction × Study time: *F*(1, {resid}) = {inter['F']:.2f}, ")
    a = part["anova_eff"]
    assert a.title == "Analysis of Variance of Self-efficacy"
    assert [r[0] for r in a.rows] == ["Instruction", "Study time", "Instruction × Study time", "Residual"]
    se = part["simple_effects_eff"]
    assert [r[0] for r in se.rows] == ["Ten minutes", "Thirty minutes"]
    pw = part["pairwise_eff"]
    assert "Control − worked example" in [c for r in pw.rows for c in r]
    assert [r[0] for r in part["assumptions_eff"].rows][-1] == "Shapiro-Wilk test of the residuals"


def test_anova_part_simple_effects_of_the_declared_factor(sd):
    spec = ModelSpec("a2", "anova", {"dv": "eff", "between": ["grp", "tim"], "simple_effects": "tim"})
    part = anova_part(sd, spec)
    assert [r[0] for r in part["simple_effects_eff"].rows] == [
        "Control", "Worked example"]


def test_anova_key_is_the_dv_unless_two_models_share_it(sd):
    assert anova_key(sd.study, ANOVA_EFF) == "eff"
    twice = Study(sd.study.factors, sd.study.scales, sd.study.scale_labels,
                  models=(ANOVA_EFF, ModelSpec("anova_eff_t2", "anova", {"dv": "eff", "between": ["grp"],
                                                                         "ss_type": 2})))
    assert anova_key(twice, ANOVA_EFF) == "anova_eff"


# -- PROCESS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fit(sd):
    return sl.process(sd.kept, model=7, x="grp", w="tim", m="eff", y="lrn", boot=1000, seed=3)


def test_process_part_tables_sentences_and_notes(sd, fit):
    part = process_part(fit, MED, sd.study, labels_of(sd), boot=1000, seed=3)
    assert part.names == ["process_coefficients", "process_equations", "process_indirect", "process_index",
                          "process_contrasts", "process_direct"]
    coef = part["process_coefficients"]
    assert [g[1] for g in coef.groups] == ["Outcome: Self-efficacy", "Outcome: Learning outcome"]
    assert "Instruction: indicator coding, Control = 0, Worked example = 1" in coef.note
    ind = part["process_indirect"]
    assert "*B* = 1,000 resamples, seed 3" in ind.note
    assert [g[1] for g in ind.groups] == ["Instruction → Self-efficacy → Learning outcome"]
    assert len(part.sentences) == len(fit.indirect)
    first = fit.indirect.iloc[0]
    assert part.sentences[0].startswith(
        f"Instruction → Self-efficacy → Learning outcome ({labels_of(sd).level('tim', first['w'])}): "
        f"indirect effect = {first['effect']:.3f}")
    assert "95% bootstrap CI [" in part.sentences[0]
    assert part.tables[2].tidy is fit.indirect  # the tidy result, unrounded, machine names


def test_process_part_titles_name_the_model_when_a_study_has_two(sd, fit):
    two = Study(sd.study.factors, sd.study.scales, sd.study.scale_labels,
                models=(MED, ModelSpec("other", "process", {"model": 4, "x": "grp", "m": "eff", "y": "lrn"})))
    part = process_part(fit, MED, two, labels_of(sd), boot=1000, seed=3, prefix="process_mod7")
    assert part["process_mod7_indirect"].title == "Conditional Indirect Effects of X on Y (Moderated mediation)"


# -- hypotheses --------------------------------------------------------------------------------


def _findings(statuses):
    n = len(statuses)
    f = pd.DataFrame({
        "hypothesis": [f"H{i + 1}" for i in range(n)],
        "statement": [f"Statement {i + 1} (a < b)." for i in range(n)],
        "model": ["mod7"] * n, "quantity": ["indirect effect"] * n,
        "estimate": [0.31, 0.12, -0.20, np.nan][:n], "ci_low": [0.05, -0.03, -0.41, np.nan][:n],
        "ci_high": [0.6, 0.3, 0.01, np.nan][:n], "p": [np.nan] * n,
        "direction": ["positive", "positive", "positive", "nonzero"][:n], "status": statuses,
        "note": ["", "", "", "the level 'x' is not in the data"][:n]})
    f.attrs["alpha"] = 0.05
    return f


def test_headline_distinguishes_supported_direction_only_not_supported_and_not_estimable():
    f = _findings(list(STATUSES))
    assert headline(f) == ("1 of 4 hypotheses supported (CI excludes 0 in the predicted direction); 1 in the "
                           "predicted direction, CI includes 0; 1 not supported; 1 not estimable from these data.")
    three = _findings(["supported", "supported", "direction only"])
    assert headline(three).startswith("2 of 3 hypotheses supported") and "not estimable" not in headline(three)


def test_headline_names_the_f_test_rule_when_a_hypothesis_is_a_test():
    f = _findings(["supported", "direction only", "direction only"])
    f.loc[0, ["ci_low", "ci_high", "p"]] = [np.nan, np.nan, 0.001]
    text = headline(f)
    assert "supported (CI excludes 0 in the predicted direction; an *F* test: *p* < .05)" in text
    assert "*p* ≥ .05" not in text  # neither 'direction only' row is a test
    f.loc[2, ["ci_low", "ci_high", "p"]] = [np.nan, np.nan, 0.2]
    assert "2 in the predicted direction, CI includes 0 (an *F* test: *p* ≥ .05)" in headline(f)


def test_hypotheses_part_table_verdicts_and_statements():
    part = hypotheses_part(_findings(list(STATUSES)))
    assert part.sentences[0].startswith("1 of 4 hypotheses supported")
    t = part["findings"]
    verdicts = [r[-1] for r in t.rows]
    assert verdicts == ["Supported", "In the predicted direction, CI includes 0", "Not supported", "Not estimable"]
    assert "H1: Statement 1 (a < b)." in t.note and "H4: the level 'x' is not in the data." in t.note
    assert [r[0] for r in t.rows] == ["H1", "H2", "H3", "H4"]
    assert t.header[-1] == "Verdict" and t.align[-1] == "l"


def test_hypotheses_part_refuses_an_unknown_status_and_is_empty_without_hypotheses():
    with pytest.raises(ColumnError, match=r"status' has values \['maybe'\]; allowed: \['supported'"):
        hypotheses_part(_findings(["supported", "maybe"]))
    assert hypotheses_part(_findings([]).iloc[:0]).tables == []


def test_hypotheses_table_says_what_each_estimate_is_in_words(sd):
    f = _findings(["supported", "direction only", "supported"])
    f["quantity"] = ["conditional indirect effect grp -> eff -> lrn, tim = long",
                     "difference of conditional indirect effects grp -> eff -> lrn: long - short",
                     "F(1, 76) of grp:tim on eff"]
    t = hypotheses_part(f, labels_of(sd))["findings"]
    assert t.header[1] == "Estimate of" and t.align[1] == "l"
    assert [r[1] for r in t.rows] == ["Indirect effect (Thirty minutes)",
                                      "Difference of indirect effects (Thirty minutes − ten minutes)",
                                      "*F* of Instruction × Study time on Self-efficacy"]  # one path: not repeated
    assert "are of the path Instruction → Self-efficacy → Learning outcome." in t.note
    f.loc[1, "quantity"] = "difference of conditional indirect effects grp -> lrn: long - short"
    rows = hypotheses_part(f, labels_of(sd))["findings"].rows
    assert rows[0][1] == "Indirect effect, Instruction → Self-efficacy → Learning outcome (Thirty minutes)"
    assert rows[1][1] == "Difference of indirect effects, Instruction → Learning outcome (Thirty minutes − ten minutes)"
