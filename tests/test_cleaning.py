"""Tests of studylib.cleaning: each exclusion rule, their order, the log, and the
manipulation checks (compared with scipy and pingouin computed independently)."""

import json

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from studylib import apply_exclusions, load_study, manipulation_checks
from studylib.errors import (
    ColumnError,
    DataError,
    InputTypeError,
    OptionError,
    SpecError,
    StudylibWarning,
)
from studylib.questionnaires import Scale
from studylib.study import ExclusionRule

STUDY = load_study()
ITEMS = list(STUDY.scale_items)


def _person(i, valence, response, **changes):
    """An attentive respondent who passes every rule unless changed."""
    rng = np.random.default_rng(i)
    row = {"resp_id": f"r{i}", "valence": valence, "response": response, "duration_s": 400.0,
           "mc_valence": 4.0, "mc_response": 1.0, "attn_01": 2.0, "age": 22.0, "gender": 1.0,
           "follower": 1.0}
    row.update({item: float(rng.integers(1, 8)) for item in ITEMS})
    row[ITEMS[0]], row[ITEMS[1]] = 1.0, 7.0  # never straight-lined by accident
    row.update(changes)
    return row


@pytest.fixture
def data():
    cells = [(v, r) for v in ("negative", "positive") for r in ("none", "like", "reply")]
    rows = [_person(i, *cells[i % 6]) for i in range(12)]
    straight = dict.fromkeys(ITEMS, 4.0)
    rows += [
        _person(12, "negative", "none", attn_01=5.0),                       # attention
        _person(13, "negative", "like", duration_s=100.0),                  # speeder (< 0.4 x 400)
        _person(14, "negative", "reply", **straight),                       # straight-liner
        _person(15, "positive", "none", age=35.0),                          # age
        _person(16, "positive", "like", follower=0.0),                      # not a follower
        _person(17, "positive", "reply", **dict.fromkeys(ITEMS[8:10], np.nan)),  # pk: 3 of 5 < 4
        _person(18, "negative", "none", attn_01=np.nan, age=40.0),          # two rules: first wins
        _person(19, "positive", "none", age=np.nan),                        # missing age
    ]
    frame = pd.DataFrame(rows, index=range(100, 120))
    for f in STUDY.factors:
        frame[f.name] = pd.Categorical(frame[f.name], categories=list(f.levels))
    return frame


def test_each_rule_removes_its_respondent_in_order(data):
    before = data.copy(deep=True)
    kept, log = apply_exclusions(data, STUDY)
    pd.testing.assert_frame_equal(data, before)  # input untouched
    assert kept.index.tolist() == list(range(100, 112))
    assert log.steps["rule"].tolist() == ["attention_check", "speeder", "straight_lining",
                                          "age_range", "not_follower", "incomplete"]
    assert log.steps["n_removed"].tolist() == [2, 1, 1, 2, 1, 1]
    assert log.steps["n_before"].tolist() == [20, 18, 17, 16, 14, 13]
    assert log.steps["n_after"].iloc[-1] == 12 == log.n_after
    by = log.flags["excluded_by"]
    assert by[112] == "attention_check" and by[118] == "attention_check" and by[119] == "age_range"
    assert by[114] == "straight_lining" and by[117] == "incomplete" and by[116] == "not_follower"
    assert bool(log.flags.loc[118, "age_range"])  # flagged by the later rule too
    assert by.loc[100:111].isna().all()


def test_order_of_rules_changes_the_counts_not_the_kept_rows(data):
    rules = list(STUDY.exclusions)
    kept_a, log_a = apply_exclusions(data, rules, scales=STUDY.scales)
    kept_b, log_b = apply_exclusions(data, rules[::-1], scales={s.id: s for s in STUDY.scales})
    assert kept_a.index.equals(kept_b.index)
    assert log_b.flags.loc[118, "excluded_by"] == "age_range"


def test_cells_before_and_after(data):
    _, log = apply_exclusions(data, STUDY)
    cells = log.cells.set_index(["valence", "response"])
    assert cells["n_before"].sum() == 20 and cells["n_after"].sum() == 12
    assert (cells["n_after"] == 2).all()
    assert cells.loc[("negative", "none"), "n_removed"] == 2
    text = log.summary()
    assert "20 respondents read, 12 kept" in text and "negative x none" in text


def test_speeder_uses_the_median_of_all_rows_read():
    frame = pd.DataFrame({"valence": pd.Categorical(["negative", "positive"] * 3),
                          "response": pd.Categorical(["none"] * 6),
                          "duration_s": [100.0, 300, 400, 500, 600, 700]})
    kept, log = apply_exclusions(frame, [{"rule": "speeder", "column": "duration_s",
                                          "fraction_of_median": 0.25}])
    assert log.steps["n_removed"].tolist() == [1]  # median 450, threshold 112.5
    assert kept["duration_s"].min() == 300


def test_straight_lining_needs_two_answers_and_uses_raw_items():
    scale = Scale.from_dict({"id": "s", "items": ["a", "b", "-c"], "min": 1, "max": 7, "min_valid_items": 1})
    frame = pd.DataFrame({"valence": pd.Categorical(["negative"] * 4), "response": pd.Categorical(["none"] * 4),
                          "a": [3, 3, 5, np.nan], "b": [3, np.nan, 3, np.nan], "c": [3, np.nan, 5, 2]})
    _, log = apply_exclusions(frame, [ExclusionRule("straight_lining", {"scales": ["s"]})], scales=[scale])
    assert log.flags["straight_lining"].tolist() == [True, False, False, False]


def test_rule_errors():
    frame = pd.DataFrame({"valence": ["negative"], "response": ["none"], "age": ["old"]})
    with pytest.raises(ColumnError, match=r"columns not in data: \['attn_01'\] \(exclusion rule 'attention_check'\)"):
        apply_exclusions(frame, [{"rule": "attention_check", "column": "attn_01", "correct": 2}])
    with pytest.raises(DataError, match=r"column 'age' has non-numeric values .*exclusion rule 'age_range'"):
        apply_exclusions(frame, [{"rule": "age_range", "column": "age", "min": 18, "max": 30}])
    with pytest.raises(SpecError, match=r"names scales \['psr'\] that are not defined; pass scales="):
        apply_exclusions(frame, [{"rule": "incomplete", "scales": ["psr"]}])
    with pytest.raises(SpecError, match=r"exclusion rule 0 \('age_range'\) lacks \['max'\]"):
        apply_exclusions(frame, [{"rule": "age_range", "column": "age", "min": 18}])
    with pytest.raises(SpecError, match="must be an ExclusionRule or a mapping with 'rule' one of"):
        apply_exclusions(frame, [{"rule": "too_fast"}])
    with pytest.raises(InputTypeError, match="study_or_rules must be a Study or a list"):
        apply_exclusions(frame, "analyses/study.yaml")


def test_empty_cell_after_exclusions_warns():
    frame = pd.DataFrame({"valence": pd.Categorical(["negative", "positive"]),
                          "response": pd.Categorical(["none", "none"]), "follower": [1, 0]})
    with pytest.warns(StudylibWarning, match="design cells empty after exclusions"):
        kept, _ = apply_exclusions(frame, [{"rule": "not_follower", "column": "follower"}])
    assert len(kept) == 1


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


def test_manipulation_check_response_matches_scipy(mc_data):
    res = manipulation_checks(mc_data)
    sub = mc_data[mc_data["mc_response"] != 4]
    table = pd.crosstab(sub["response"], sub["mc_response"]).to_numpy()
    chi2, p, df, _ = stats.chi2_contingency(table, correction=False)
    row = res.response.iloc[0]
    assert row["chi2"] == pytest.approx(chi2, rel=1e-12) and row["p"] == pytest.approx(p, rel=1e-12)
    assert row["df"] == df == 4 and row["n"] == table.sum()
    assert row["cramers_v"] == pytest.approx(np.sqrt(chi2 / (table.sum() * 2)), rel=1e-12)
    assert row["n_dont_remember"] == int((mc_data["mc_response"] == 4).sum())
    assert row["prop_correct"] == pytest.approx(np.trace(table) / table.sum(), rel=1e-12)
    incl = manipulation_checks(mc_data, dont_remember="include")
    assert incl.crosstab.shape == (3, 4) and incl.response["df"].iloc[0] == 6


def test_manipulation_check_valence_matches_pingouin(mc_data):
    res = manipulation_checks(mc_data, conf=0.9).valence.iloc[0]
    pos = mc_data.loc[mc_data["valence"] == "positive", "mc_valence"]
    neg = mc_data.loc[mc_data["valence"] == "negative", "mc_valence"]
    ref = pg.ttest(pos, neg, correction=True, confidence=0.9)
    assert res["t"] == pytest.approx(ref["T"].iloc[0], rel=1e-10)
    assert res["df"] == pytest.approx(ref["dof"].iloc[0], rel=1e-10)
    assert res["p"] == pytest.approx(ref["p_val"].iloc[0] if "p_val" in ref else ref["p-val"].iloc[0], rel=1e-8)
    ci = ref.filter(like="CI").iloc[0, 0]
    assert [res["ci_low"], res["ci_high"]] == pytest.approx(list(ci), abs=0.006)  # pingouin rounds CIs to 2 dp
    assert res["cohens_d"] == pytest.approx(pg.compute_effsize(pos, neg, eftype="cohen"), rel=1e-10)
    assert res["hedges_g"] == pytest.approx(pg.compute_effsize(pos, neg, eftype="hedges"), rel=1e-10)
    n1, n0, g = len(pos), len(neg), res["hedges_g"]
    half = stats.norm.ppf(0.95) * np.sqrt((n1 + n0) / (n1 * n0) + g**2 / (2 * (n1 + n0)))
    assert [res["g_ci_low"], res["g_ci_high"]] == pytest.approx([g - half, g + half], rel=1e-12)
    assert res["estimate"] == pytest.approx(pos.mean() - neg.mean(), rel=1e-12)


def test_manipulation_check_errors(mc_data):
    with pytest.raises(ColumnError, match=r"columns not in data: \['recall'\] \(manipulation checks\)"):
        manipulation_checks(mc_data, mc_response="recall")
    with pytest.raises(OptionError, match="dont_remember must be one of 'exclude', 'include'; got 'drop'"):
        manipulation_checks(mc_data, dont_remember="drop")
    summary = manipulation_checks(mc_data).summary()
    assert summary.startswith("Recalled response by condition: chi2(4) = ")
    assert "p < .001" in summary and "e-" not in summary  # APA p, not 1.2e-50


def test_manipulation_check_unknown_recall_code_is_an_error(mc_data):
    # a code outside recall_codes (here 5) used to become missing and leave the test silently
    bad = mc_data.copy()
    bad.loc[[3, 7], "mc_response"] = 5.0
    with pytest.raises(DataError, match=r"column 'mc_response' has answers that are not recall codes in rows "
                                        r"3 \(value 5.0\), 7 \(value 5.0\).*allowed codes: \[1, 2, 3, 4\]"):
        manipulation_checks(bad)
    assert bad["mc_response"].tolist().count(5.0) == 2  # data not modified
    one_level = mc_data[mc_data["valence"] == "positive"].assign(valence=lambda d: d["valence"].astype(str))
    with pytest.raises(DataError, match="column 'valence' must have exactly 2 levels"):
        manipulation_checks(one_level)


def test_log_cells_follow_the_factors_asked_for(data):
    _, log = apply_exclusions(data, STUDY, factors=["response"])
    assert log.cells["response"].tolist() == ["none", "like", "reply"]
    assert log.cells["n_before"].tolist() == [8, 6, 6] and log.cells["n_after"].sum() == 12


def test_to_dict_gives_plain_json_content(data, mc_data):
    # like ReliabilityResult and ProcessResult: records, not DataFrames, so json.dumps works
    _, log = apply_exclusions(data, STUDY)
    d = log.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["n_before"] == len(data) and [s["rule"] for s in d["steps"]] == log.steps["rule"].tolist()
    mc = manipulation_checks(mc_data).to_dict()
    assert json.loads(json.dumps(mc)) == mc
    assert mc["valence"][0]["t"] == manipulation_checks(mc_data).valence["t"].iloc[0]
