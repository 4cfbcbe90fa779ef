"""Tests of the new descriptive tables (sample characteristics, randomization checks,
correlations, item statistics), their APA tables, and the APA results sentences.

References (tests/reference/apa/PROVENANCE.md): R's documented outputs of cor.test,
chisq.test and aov(PlantGrowth), papaja's expected sentences on R's sleep and prop.test
examples, APA's Sample Tables. R prints 4 significant digits: the tolerances below are half
a unit in the last printed digit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studylib import Scale, anova
from studylib.descriptives import correlations, item_descriptives, variable_summary
from studylib.errors import ColumnError, DataError, InputTypeError
from studylib.report.apa_render import render_markdown
from studylib.report.apa_sample import (
    characteristics_table,
    correlation_table,
    items_table,
    randomization_table,
)
from studylib.report.sentences import (
    anova_sentences,
    chi2_sentence,
    f_sentence,
    indirect_sentence,
    r_sentence,
    t_sentence,
)
from studylib.sample import randomization_checks, sample_characteristics

# R datasets::PlantGrowth (Dobson 1983)
PLANTS = pd.DataFrame({
    "group": ["ctrl"] * 10 + ["trt1"] * 10 + ["trt2"] * 10,
    "weight": [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14,
               4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69,
               6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26],
})
# R cor.test example (Hollander & Wolfe 1973)
COR_X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
COR_Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
# R datasets::sleep (Cushny & Peebles 1905)
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _expand(table: list[list[int]], rows: list[str], cols: list[str]) -> pd.DataFrame:
    recs = [{"cell": r, "cat": c} for i, r in enumerate(rows) for j, c in enumerate(cols) for _ in range(table[i][j])]
    return pd.DataFrame(recs)


def test_randomization_checks_against_r_chisq_test_and_aov():
    # chisq.test(M): X-squared = 30.07, df = 2, p-value = 2.954e-07 (R's help page example)
    d = _expand([[762, 327, 468], [484, 239, 477]], ["F", "M"], ["Democrat", "Independent", "Republican"])
    d["num"] = np.arange(len(d)) % 7  # a numeric column to check in the same call
    res = randomization_checks(d, "cell", categorical=["cat"], numeric=[])
    row = res.iloc[0]
    assert row["test"] == "chi-square" and row["df"] == 2 and row["n"] == 2757
    assert row["statistic"] == pytest.approx(30.07, abs=0.005)
    assert row["p"] == pytest.approx(2.954e-07, abs=0.0005e-07)
    assert row["effect_size"] == pytest.approx(np.sqrt(30.070149 / 2757), rel=1e-5)  # Cramér's V, min(r, c) - 1 = 1
    # summary(aov(weight ~ group, PlantGrowth)): SS 3.766 and 10.492, F(2, 27) = 4.846, p = 0.0159
    res = randomization_checks(PLANTS, "group", numeric=["weight"])
    row = res.iloc[0]
    assert (row["test"], row["df"], row["df_resid"]) == ("ANOVA", 2, 27)
    assert row["statistic"] == pytest.approx(4.846, abs=0.0005)
    assert row["p"] == pytest.approx(0.0159, abs=0.00005)
    assert row["effect_size"] == pytest.approx(3.766 / (3.766 + 10.492), abs=0.0001)
    assert list(res.columns) == ["variable", "test", "n", "statistic", "df", "df_resid", "p", "effect",
                                 "effect_size", "min_expected"]


def test_randomization_checks_errors():
    with pytest.raises(DataError, match="need the design factors"):
        randomization_checks(PLANTS, [], numeric=["weight"])
    with pytest.raises(ColumnError, match="randomization checks"):
        randomization_checks(PLANTS, "group", numeric=["height"])
    one = PLANTS.assign(cat="a")
    row = randomization_checks(one, "group", categorical=["cat"]).iloc[0]
    assert row["test"] == "constant" and np.isnan(row["p"]) and row["n"] == 30
    t = randomization_table(randomization_checks(one, "group", categorical=["cat"]), labels={"cat": "Follower"})
    assert t.rows[0] == ("Follower", "—", "", "", "", "") and "same answer in every cell (Follower)" in t.note
    with pytest.raises(DataError, match="needs answers in at least 2 cells"):
        randomization_checks(PLANTS.assign(g="x"), "g", categorical=["group"])


def test_correlations_against_r_cor_test():
    # cor.test(x, y): t = 1.8411, df = 7, p-value = 0.1082, 95% CI -0.1497426 0.8955795, cor 0.5711816
    res = correlations(pd.DataFrame({"x": COR_X, "y": COR_Y}), ["x", "y"])
    r = res.iloc[0]
    np.testing.assert_allclose([r["r"], r["ci_low"], r["ci_high"]], [0.5711816, -0.1497426, 0.8955795], atol=5e-8)
    assert r["t"] == pytest.approx(1.8411, abs=5e-5) and r["p"] == pytest.approx(0.1082, abs=5e-5)
    assert (r["n"], r["df"]) == (9, 7)
    assert r_sentence(r["r"], r["df"], r["p"], ci=(r["ci_low"], r["ci_high"])) == (
        "*r*(7) = .57, 95% CI [-.15, .90], *p* = .108")  # papaja's expected sentence


def test_correlations_pairwise_listwise_and_errors():
    d = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, np.nan], "b": [2.0, 1, 4, 3, 6, 5], "c": [1.0, 3, 2, 5, 4, 6]})
    pw, lw = correlations(d, ["a", "b", "c"]), correlations(d, ["a", "b", "c"], missing="listwise")
    assert pw["n"].tolist() == [5, 5, 6] and lw["n"].tolist() == [5, 5, 5]
    assert pw.loc[2, "r"] == pytest.approx(np.corrcoef(d["b"], d["c"])[0, 1])
    with pytest.raises(DataError, match="at least two columns"):
        correlations(d, ["a"])
    with pytest.raises(DataError, match="at least 4 are needed"):
        correlations(d.iloc[:3], ["a", "b"])


def test_correlation_table_layout():
    d = pd.DataFrame({"x": COR_X, "y": COR_Y, "z": [1.0, 2, 3, 4, 5, 6, 7, 8, 10]})
    t = correlation_table(variable_summary(d, ["x", "y", "z"]), correlations(d, ["x", "y", "z"]),
                          alphas={"x": 0.871, "y": 0.79}, labels={"x": "Knowledge"}, synthetic=True)
    assert t.header == ("Variable", "*n*", "*M*", "*SD*", "1", "2", "3")
    assert t.rows[0][0] == "1. Knowledge" and t.rows[0][4] == "(.87)"
    assert t.rows[1][4:] == (".57", "(.79)", "")          # r without a leading zero, alpha on the diagonal
    assert t.rows[2][4] == "[-.15, .90]"                  # its CI on the row under it
    assert t.rows[3][6] == "—"                            # no alpha given for z
    assert "Fisher" in t.note and "synthetic" in t.note


def test_sample_characteristics_table_1_as_the_apa_sample_table():
    # APA Sample Tables, Table 1: N = 150, n = 50 per condition; women 25, 20, 23 (68 = 45.3%),
    # men 25, 30, 27 (82 = 54.7%).
    cond = ["guided"] * 50 + ["unguided"] * 50 + ["wait"] * 50
    sex = [1] * 25 + [2] * 25 + [1] * 20 + [2] * 30 + [1] * 23 + [2] * 27
    d = pd.DataFrame({"cond": cond, "sex": sex, "age": np.linspace(20, 60, 150)})
    chars = sample_characteristics(d, by="cond", categorical={"sex": {1: "Female", 2: "Male", 3: "Other"}},
                                   numeric=["age"])
    total = chars[chars["cond"].isna() & (chars["kind"] == "categorical")]
    assert total["n"].tolist() == [68, 82, 0]
    np.testing.assert_allclose(total["percent"], [100 * 68 / 150, 100 * 82 / 150, 0.0])
    t = characteristics_table(chars, by=["cond"], labels={"sex": "Gender", "guided": "Guided self-help"})
    assert t.header[1] == "Guided self-help (*n*\u00a0=\u00a050)"  # no line break inside the n
    assert t.header[-1] == "Total (*N*\u00a0=\u00a0150)"
    assert t.rows[0] == ("Female", "25 (50.0)", "20 (40.0)", "23 (46.0)", "68 (45.3)")
    assert t.rows[1][-1] == "82 (54.7)" and t.rows[2][-1] == "0 (0.0)"
    assert t.groups == ((0, "Gender, *n* (%)"), (3, "Age"))
    assert t.rows[3][0] == "*M* (*SD*)" and t.rows[3][-1] == f"40.0 ({np.std(d['age'], ddof=1):.1f})"
    md = render_markdown(t, number=1)
    assert "| Gender, *n* (%)" in md


def test_sample_characteristics_missing_answers_and_errors():
    d = pd.DataFrame({"g": ["a", "a", "b"], "s": [1, None, 3]})
    chars = sample_characteristics(d, by="g", categorical={"s": {1: "One"}})
    a = chars[(chars["g"] == "a") & (chars["kind"] == "categorical")]
    assert a["level"].tolist() == ["One", "3", "Missing"] and a["n"].tolist() == [1, 0, 1]
    with pytest.raises(InputTypeError, match=r"categorical\['s'\] must be a mapping"):
        sample_characteristics(d, categorical={"s": [1, 2]})
    with pytest.raises(DataError, match="sample characteristics"):
        sample_characteristics(d.assign(t=["x", "y", "z"]), numeric=["t"])


def test_item_descriptives_raw_and_recoded_and_their_table():
    s = Scale.from_dict({"id": "k", "items": ["k1", "-k2", "k3"], "min": 1, "max": 7})
    d = pd.DataFrame({"k1": [1, 2, 3, 4], "k2": [7, 6, 6, np.nan], "k3": [2, 2, 3, 5]})
    items = item_descriptives(d, s)
    assert items["raw_mean"].tolist()[1] == pytest.approx(19 / 3)
    assert items["mean"].tolist()[1] == pytest.approx(8 - 19 / 3)  # max + min - raw mean
    assert items["mean"][0] == items["raw_mean"][0] and items["n"].tolist() == [4, 3, 4]
    t = items_table(items, scale_label="Knowledge", scale_min=1, scale_max=7)
    assert t.rows[1][0] == "k2 (R)" and t.rows[1][2] == "6.33" and t.rows[1][4] == "1.67"
    assert t.rows[0][4] == ""  # a recoded mean only for the reverse-keyed item
    assert "raw mean is shown" in t.note and "(1 + 7 − answer)" in t.note


def test_randomization_table_notes_small_expected_counts():
    checks = randomization_checks(_expand([[5, 1], [4, 2], [6, 0]], ["a", "b", "c"], ["x", "y"]), "cell",
                                  categorical=["cat"])
    t = randomization_table(checks, labels={"cat": "Gender"})
    assert t.rows[0][:3] == ("Gender", "χ²", "2") and t.rows[0][5].startswith("*V* = .")
    assert "below 5 (Gender)" in t.note


def test_sentences_against_papaja_and_jamovi(toothgrowth):
    import scipy.stats as st

    w = st.ttest_ind(SLEEP_1, SLEEP_2, equal_var=False)
    assert t_sentence(w.statistic, w.df, w.pvalue) == "*t*(17.78) = -1.86, *p* = .079"  # papaja, sleep data
    ci = w.confidence_interval()
    assert t_sentence(w.statistic, w.df, w.pvalue, estimate=-1.58, ci=(ci.low, ci.high)).startswith(
        "*M*~diff~ = -1.58, 95% CI [-3.37, 0.21]")  # papaja: "\Delta M = -1.58, 95% CI [-3.37, 0.21]"
    smokers, patients = [83, 90, 129, 70], [86, 93, 136, 82]
    table = np.array([smokers, [p - s for p, s in zip(patients, smokers, strict=True)]])
    chi = st.chi2_contingency(table, correction=False)
    assert chi2_sentence(chi.statistic, chi.dof, chi.pvalue, n=sum(patients)) == (
        "χ²(3, *N* = 397) = 12.60, *p* = .006")  # papaja (n = 397; APA 7 writes N)
    sent = anova_sentences(anova(toothgrowth, "len", ["supp", "dose"]), eta_ci=True)
    assert sent["supp"] == "*F*(1, 54) = 15.57, *p* < .001, η²~p~ = .22, 90% CI [.08, .37]"  # jamovi
    assert set(sent) == {"supp", "dose", "supp:dose"}
    assert f_sentence(13.8605, 2, 246, 1.98e-6, eta2_partial=0.0972) == "*F*(2, 246) = 13.86, *p* < .001, η²~p~ = .10"
    assert indirect_sentence(-0.3844, -0.5714, -0.2206, boot_se=0.0935, digits=3) == (
        "indirect effect = -0.384, *SE*~boot~ = 0.093, 95% bootstrap CI [-0.571, -0.221]")
