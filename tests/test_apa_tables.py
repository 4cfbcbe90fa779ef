"""Tests of the APA builders of model results (studylib.report.apa_models) and of the data
tables (apa_sample), on the reference data sets and on a fitted PROCESS model 83."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import studylib as sl
from studylib.report import apa_models as M
from studylib.report import apa_sample as S
from studylib.report.labels import Labels
from studylib.report.rich import to_plain

TG = Labels({"supp": "Supplement", "dose": "Dose"}, levels={"supp": {"OJ": "Orange juice", "VC": "Ascorbic acid"}})


def test_anova_table_on_toothgrowth(toothgrowth):
    # jamovi (tests/reference/anova): supp F = 15.57, p < .001, eta2p = .22 [.08, .37]
    t = M.anova_table(sl.anova(toothgrowth, "len", ["supp", "dose"]), dv_label="tooth length", labels=TG)
    assert t.header == ("Effect", "*SS*", "*df*", "*MS*", "*F*", "*p*", "η²~p~", "η²~p~ 90% CI [*LL*, *UL*]",
                        "ω²~p~")
    assert t.rows[0] == ("Supplement", "205.35", "1", "205.35", "15.57", "< .001", ".22", "[.08, .37]", ".20")
    assert t.rows[2][0] == "Supplement × Dose" and t.rows[3][0] == "Residual"
    assert t.note.startswith("Type III sums of squares with sum-to-zero (effect) coding.")
    assert "90% CI" in t.note and "Type 3" not in t.note
    t2 = M.anova_table(sl.anova(toothgrowth, "len", ["supp", "dose"], ss_type=2), dv_label="x", ss_type=2)
    assert t2.note.startswith("Type II sums of squares.")


def test_emmeans_simple_effects_pairwise_and_assumptions(toothgrowth):
    b = ["supp", "dose"]
    emm = M.emmeans_table(sl.emmeans(toothgrowth, "len", b), factors=b, dv_label="length", labels=TG)
    assert emm.header == ("Supplement", "Dose", "*n*", "*M*", "*SE*", "95% CI [*LL*, *UL*]")
    assert emm.rows[0][0] == "Orange juice" and "*df* = 54" in emm.note
    se = M.simple_effects_table(sl.simple_effects(toothgrowth, "len", b, effect="supp", by=["dose"]),
                                effect="supp", by=["dose"], dv_label="length", labels=TG)
    assert se.header == ("Dose", "*F*", "*df*~1~", "*df*~2~", "*p*", "η²~p~")
    assert se.title.startswith("Simple Effects of Supplement Within Each Level of Dose")
    pw = M.pairwise_table(sl.pairwise(toothgrowth, "len", b, effect="supp", by=["dose"], adjust="holm"),
                          effect="supp", by=["dose"], dv_label="length", labels=TG)
    assert "*p*~Holm~" in pw.header and "*p*~unadj~" in pw.header
    assert pw.rows[0][1] == "Orange juice − ascorbic acid"
    assert "Holm-adjusted" in pw.note
    a = M.assumptions_table(levene=[sl.levene(toothgrowth, "len", b, center="mean")],
                            shapiro=sl.shapiro_residuals(toothgrowth, "len", b), dv_label="length")
    assert [r[0] for r in a.rows] == ["Levene's test, mean-centred", "Shapiro-Wilk test of the residuals"]
    assert a.rows[0][2] == "5, 54" and a.rows[1][2] == ""  # no NaN cells, one clean table
    assert a.rows[1][3].startswith(".9")                  # W without a leading zero
    assert all("nan" not in c.lower() for r in a.rows for c in r)


@pytest.fixture(scope="module")
def fit():
    sd = sl.load_analysis_data()
    res = sl.process(sd.kept, model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=1000, seed=7)
    lab = Labels({"valence": "Valence", "response": "Response", "psr": "PSR", "pk": "PK", "attitude": "Attitude"},
                 levels={"valence": {"negative": "Negative", "positive": "Positive"},
                         "response": {"none": "None", "like": "Like", "reply": "Reply"}})
    return res, lab


def test_process_tables_in_words_with_the_bootstrap_in_the_note(fit):
    res, lab = fit
    coefs = M.coefficients_table(res.coefficients, labels=lab, note=M.coding_note(res.model.attrs["codings"], lab))
    assert [g for _, g in coefs.groups] == ["Outcome: PSR", "Outcome: PK", "Outcome: Attitude"]
    stub = [r[0] for r in coefs.rows]
    assert "Valence (positive vs. negative) × Response (reply vs. none)" in stub and "Intercept" in stub
    assert not any("[" in s or ":" in s for s in stub)  # no programming notation left
    assert "Valence: indicator coding, Negative = 0, Positive = 1" in coefs.note
    assert "Response: indicator coding with None as the reference group" in coefs.note
    ind = M.indirect_table(res.indirect, labels=lab, moderator="response", boot=1000, seed=7)
    assert ind.header == ("Response", "Effect", "*SE*~boot~", "95% CI [*LL*, *UL*]")
    assert [g for _, g in ind.groups][-1] == "Valence → PSR → PK → Attitude"
    assert "95% percentile bootstrap CIs, *B* = 1,000 resamples, seed 7." in ind.note
    assert all(len(r) == 4 for r in ind.rows) and ind.rows[3][0] == "—"  # the unmoderated path
    idx = M.index_table(res.index, labels=lab, boot=1000, seed=7)
    assert idx.rows[0][0] == "Response (like vs. none)"
    con = M.contrasts_table(res.contrasts, labels=lab, moderator="response", boot=1000, seed=7)
    assert [r[0] for r in con.rows][:3] == ["Like − none", "Reply − none", "Reply − like"]
    summ = M.model_summary_table(res.equations, labels=lab)
    assert any(to_plain(c).startswith("Interaction Valence × Response") for r in summ.rows for c in r)
    direct = M.direct_table(res.direct, labels=lab)
    assert direct.rows[0][0] == "Valence (positive vs. negative)" and "*z*" not in direct.header


def test_hypotheses_table_has_three_verdicts():
    tab = pd.DataFrame({"finding": ["H1", "H2", "H3", "H4"], "statement": ["a", "b", "c", "d"],
                        "estimate": [0.2, 0.06, -0.1, 13.9], "ci_low": [0.1, -0.04, -0.3, np.nan],
                        "ci_high": [0.3, 0.17, 0.1, np.nan], "p": [np.nan, np.nan, np.nan, 0.00001],
                        "holds": [True, True, False, True], "conclusive": [True, False, False, True]})
    t = M.hypotheses_table(tab)
    assert [r[-1] for r in t.rows] == ["Supported", "In the predicted direction, CI includes 0", "Not supported",
                                       "Supported"]
    assert t.header == ("Hypothesis", "Prediction", "Estimate", "95% CI [*LL*, *UL*]", "*p*", "Verdict")
    assert t.rows[3][3] == "" and t.rows[3][4] == "< .001"


def test_exclusions_and_cells_tables():
    sd = sl.load_analysis_data()
    ex = S.exclusions_table(sd.log.steps)
    assert ex.header[-3:] == ("*n* before", "*n* removed", "*n* after")
    assert ex.rows[0][1] == "Attention check"
    cells = S.cells_table(sd.log.cells, factors=[f.name for f in sd.study.factors])
    assert cells.rows[-1][0] == "Total" and cells.rows[-1][-1] == str(sd.log.n_after)
