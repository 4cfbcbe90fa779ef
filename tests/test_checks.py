"""Tests of studylib.checks: manipulation checks with the test each study file declares
(compared with scipy and pingouin computed independently)."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from studylib import load_study, manipulation_checks
from studylib.errors import ColumnError, DataError, OptionError
from studylib.study import ManipulationCheck

STUDY = load_study("analyses/study.yaml")
# the example study's rating check is a Welch t test; the same check declared as an ANOVA
ANOVA_STUDY = dataclasses.replace(STUDY, manipulation_checks=tuple(
    dataclasses.replace(c, test="anova") if c.id == "mc_valence" else c for c in STUDY.manipulation_checks))


@pytest.fixture(scope="module")
def mc_data():
    rng = np.random.default_rng(5)
    n = 240
    valence = np.repeat(["negative", "positive"], n // 2)
    response = np.tile(["none", "like", "reply"], n // 3)
    truth = pd.Series(response).map({"none": 1, "like": 2, "reply": 3}).to_numpy()
    recalled = np.where(rng.random(n) < 0.7, truth, rng.integers(1, 5, n))
    return pd.DataFrame({
        "valence": pd.Categorical(valence, categories=["negative", "positive"]),
        "response": pd.Categorical(response, categories=["none", "like", "reply"]),
        "mc_valence": np.clip(np.rint(np.where(valence == "positive", 5, 3.2) + rng.normal(0, 1.3, n)), 1, 7),
        "mc_response": recalled.astype(float),
    })


def test_chi2_check_matches_scipy(mc_data):
    res = manipulation_checks(mc_data, STUDY).results["mc_response"]
    sub = mc_data[mc_data["mc_response"] != 4]  # code 4 names no level: left out, counted
    table = pd.crosstab(sub["response"], sub["mc_response"]).to_numpy()
    chi2, p, df, _ = stats.chi2_contingency(table, correction=False)
    row = res.test.iloc[0]
    assert row["chi2"] == pytest.approx(chi2, rel=1e-12) and row["p"] == pytest.approx(p, rel=1e-12)
    assert row["df"] == df == 4 and row["n"] == table.sum()
    assert row["cramers_v"] == pytest.approx(np.sqrt(chi2 / (table.sum() * 2)), rel=1e-12)
    assert row["n_other"] == int((mc_data["mc_response"] == 4).sum())
    assert row["prop_correct"] == pytest.approx(np.trace(table) / table.sum(), rel=1e-12)
    assert res.table.index.name == "response" and list(res.table.columns) == ["none", "like", "reply"]


def test_anova_check_matches_pingouin(mc_data):
    res = manipulation_checks(mc_data, ANOVA_STUDY, conf=0.9).results["mc_valence"]
    ref = pg.anova(data=mc_data.assign(v=mc_data["valence"].astype(str)), dv="mc_valence", between="v",
                   detailed=True)
    row = res.test.iloc[0]
    assert row["F"] == pytest.approx(ref["F"].iloc[0], rel=1e-10)
    assert (row["df1"], row["df2"]) == (1, 238)
    p_ref = ref["p_unc"].iloc[0] if "p_unc" in ref else ref["p-unc"].iloc[0]
    assert row["p"] == pytest.approx(p_ref, rel=1e-8)
    assert row["eta2"] == pytest.approx(ref["np2"].iloc[0], rel=1e-10)  # one factor: eta2 = partial eta2
    # with two levels the F test is Student's t squared
    pos = mc_data.loc[mc_data["valence"] == "positive", "mc_valence"]
    neg = mc_data.loc[mc_data["valence"] == "negative", "mc_valence"]
    assert row["F"] == pytest.approx(stats.ttest_ind(pos, neg).statistic ** 2, rel=1e-10)
    # correct ranges (analyses/study.yaml): negative 1..3, positive 5..7
    ok = np.where(mc_data["valence"] == "positive", mc_data["mc_valence"] >= 5, mc_data["mc_valence"] <= 3)
    assert row["prop_correct"] == pytest.approx(ok.mean(), rel=1e-12)
    means = res.table.set_index("level")
    assert means.loc["positive", "mean"] == pytest.approx(pos.mean(), rel=1e-12)
    half = stats.t.ppf(0.95, len(pos) - 1) * pos.std(ddof=1) / np.sqrt(len(pos))
    assert means.loc["positive", "ci_high"] == pytest.approx(pos.mean() + half, rel=1e-12)


def test_three_level_rating_check_and_its_omega(mc_data):
    check = ManipulationCheck("perceived", "mc_valence", "response", {}, "anova", "Perceived")
    study = dataclasses.replace(STUDY, manipulation_checks=(check,))
    row = manipulation_checks(mc_data, study).results["perceived"].test.iloc[0]
    groups = [mc_data.loc[mc_data["response"] == lv, "mc_valence"] for lv in ("none", "like", "reply")]
    assert row["F"] == pytest.approx(stats.f_oneway(*groups).statistic, rel=1e-10)
    assert row["df1"] == 2 and np.isnan(row["prop_correct"])  # no correct answers declared
    ref = pg.anova(data=mc_data.assign(r=mc_data["response"].astype(str)), dv="mc_valence", between="r",
                   detailed=True, effsize="n2")
    assert row["eta2"] == pytest.approx(ref["n2"].iloc[0], rel=1e-10)
    ss_b, ss_w = ref["SS"].iloc[0], ref["SS"].iloc[1]
    ms_w = ss_w / (len(mc_data) - 3)
    assert row["omega2"] == pytest.approx((ss_b - 2 * ms_w) / (ss_b + ss_w + ms_w), rel=1e-10)


def test_no_checks_declared_gives_an_empty_result(mc_data):
    study = dataclasses.replace(STUDY, manipulation_checks=())
    mc = manipulation_checks(mc_data, study)
    assert len(mc) == 0 and mc.summary() == ""


def test_check_errors(mc_data):
    with pytest.raises(ColumnError, match=r"columns not in data: \['mc_response'\] \(manipulation check 'mc_response'\)"):
        manipulation_checks(mc_data.drop(columns="mc_response"), STUDY)
    with pytest.raises(OptionError, match="conf"):
        manipulation_checks(mc_data, STUDY, conf=95)
    bad = mc_data.copy()
    bad.loc[[3, 7], "mc_response"] = 2.5
    with pytest.raises(DataError, match=r"column 'mc_response' \(manipulation check 'mc_response'\) has answers "
                                        r"that are not whole codes in rows 3 \(value 2.5\), 7"):
        manipulation_checks(bad, STUDY)
    one_level = mc_data[mc_data["valence"] == "positive"]
    with pytest.raises(DataError, match="answers in fewer than two levels of 'valence'"):
        manipulation_checks(one_level, ANOVA_STUDY)
    with pytest.raises(DataError, match="answers in fewer than two levels of 'valence'"):
        manipulation_checks(one_level, STUDY)  # the Welch check, too


def test_summary_and_to_dict(mc_data):
    mc = manipulation_checks(mc_data, ANOVA_STUDY)
    lines = mc.summary().splitlines()
    assert lines[0].startswith("Perceived comment valence by valence: F(1, 238) = ")
    assert lines[1].startswith("Recalled influencer response: chi2(4) = ") and "e-" not in lines[1]
    d = mc.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["checks"]["mc_valence"]["test"][0]["F"] == mc.results["mc_valence"].test["F"].iloc[0]


def test_welch_check_matches_pingouin(mc_data):
    """test: welch_t (the example study's rating check): pingouin's ttest and Hedges' g."""
    res = manipulation_checks(mc_data, STUDY).results["mc_valence"]
    row = res.test.iloc[0]
    pos = mc_data.loc[mc_data["valence"] == "positive", "mc_valence"].to_numpy()
    neg = mc_data.loc[mc_data["valence"] == "negative", "mc_valence"].to_numpy()
    ref = pg.ttest(pos, neg, correction=True)
    assert row["t"] == pytest.approx(ref["T"].iloc[0], rel=1e-10)
    assert row["df"] == pytest.approx(ref["dof"].iloc[0], rel=1e-10)
    p_ref = ref["p_val"].iloc[0] if "p_val" in ref else ref["p-val"].iloc[0]
    assert row["p"] == pytest.approx(p_ref, rel=1e-8)
    ci = ref.filter(like="CI").iloc[0, 0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ci), abs=0.005)  # pingouin rounds to 2 decimals
    assert row["estimate"] == pytest.approx(pos.mean() - neg.mean(), rel=1e-12)
    assert row["hedges_g"] == pytest.approx(pg.compute_effsize(pos, neg, eftype="hedges"), rel=1e-6)
    assert row["cohens_d"] == pytest.approx(pg.compute_effsize(pos, neg, eftype="cohen"), rel=1e-10)
    assert row["contrast"] == "Positive comments − Negative comments"
    assert list(res.table["level"]) == ["negative", "positive"]  # the mean rating per level
    assert manipulation_checks(mc_data, STUDY).summary().startswith(
        "Perceived comment valence, Positive comments − Negative comments: difference ")


def test_welch_check_gives_the_thesis_numbers_of_before():
    """The example study on its shipped data: the numbers of the thesis-specific check this
    generic one replaced (difference 2.318, Welch t 15.546 on 243.91 df, Hedges' g 1.960)."""
    from studylib.pipeline import load_analysis_data

    sd = load_analysis_data()
    row = manipulation_checks(sd.kept, sd.study).results["mc_valence"].test.iloc[0]
    assert (round(row["estimate"], 3), round(row["t"], 3), round(row["df"], 2), round(row["hedges_g"], 3)) == \
        (2.318, 15.546, 243.91, 1.960)


def test_welch_check_needs_a_two_level_factor(tmp_path):
    import yaml

    from studylib.errors import SpecError
    from studylib.paths import STUDY_CONFIG

    cfg = yaml.safe_load(STUDY_CONFIG.read_text(encoding="utf-8"))
    cfg["manipulation_checks"][0]["factor"] = "response"
    cfg["manipulation_checks"][0].pop("correct")
    cfg.update(data=str(STUDY_CONFIG.parent / cfg["data"]), questionnaires=str(STUDY_CONFIG.parent / cfg["questionnaires"]))
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError, match=r"manipulation_checks\[0\]\.test.*welch_t compares two levels; 'response' has 3"):
        load_study(path)
