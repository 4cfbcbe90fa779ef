"""Tests of studylib.cleaning: each exclusion rule, their order and the log."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from studylib import apply_exclusions, load_study
from studylib.errors import (
    ColumnError,
    DataError,
    InputTypeError,
    SpecError,
    StudylibWarning,
)
from studylib.questionnaires import Scale
from studylib.study import ExclusionRule

STUDY = load_study("analyses/study.yaml")
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
                                          "range", "required_value", "incomplete"]
    assert log.steps["n_removed"].tolist() == [2, 1, 1, 2, 1, 1]
    assert log.steps["n_before"].tolist() == [20, 18, 17, 16, 14, 13]
    assert log.steps["n_after"].iloc[-1] == 12 == log.n_after
    by = log.flags["excluded_by"]
    assert by[112] == "attention_check" and by[118] == "attention_check" and by[119] == "range"
    assert by[114] == "straight_lining" and by[117] == "incomplete" and by[116] == "required_value"
    assert bool(log.flags.loc[118, "range"])  # flagged by the later rule too
    assert by.loc[100:111].isna().all()


def test_order_of_rules_changes_the_counts_not_the_kept_rows(data):
    rules = list(STUDY.exclusions)
    kept_a, log_a = apply_exclusions(data, rules, scales=STUDY.scales)
    kept_b, log_b = apply_exclusions(data, rules[::-1], scales={s.id: s for s in STUDY.scales})
    assert kept_a.index.equals(kept_b.index)
    assert log_b.flags.loc[118, "excluded_by"] == "range"


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
    with pytest.raises(DataError, match=r"column 'age' has non-numeric values .*exclusion rule 'range'"):
        apply_exclusions(frame, [{"rule": "age_range", "column": "age", "min": 18, "max": 30}])
    with pytest.raises(SpecError, match=r"names scales \['psr'\] that are not defined; pass scales="):
        apply_exclusions(frame, [{"rule": "incomplete", "scales": ["psr"]}])
    with pytest.raises(SpecError, match=r"exclusion rule 0 \('range'\) lacks \['max'\]"):
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


def test_log_cells_follow_the_factors_asked_for(data):
    _, log = apply_exclusions(data, STUDY, factors=["response"])
    assert log.cells["response"].tolist() == ["none", "like", "reply"]
    assert log.cells["n_before"].tolist() == [8, 6, 6] and log.cells["n_after"].sum() == 12


def test_to_dict_gives_plain_json_content(data):
    # like ReliabilityResult and ProcessResult: records, not DataFrames, so json.dumps works
    _, log = apply_exclusions(data, STUDY)
    d = log.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["n_before"] == len(data) and [s["rule"] for s in d["steps"]] == log.steps["rule"].tolist()


def test_manipulation_check_rule_removes_wrong_answers_of_the_declared_check(data):
    study = dataclasses.replace(STUDY, exclusions=(ExclusionRule("manipulation_check", {"check": "mc_response"}),))
    frame = data.copy()
    # correct: none 1, like 2, reply 3 (analyses/study.yaml); 4 = "don't remember" is no level
    truth = frame["response"].map({"none": 1.0, "like": 2.0, "reply": 3.0}).astype(float)
    frame["mc_response"] = truth
    frame.loc[[101, 102], "mc_response"] = [4.0, np.nan]
    frame.loc[103, "mc_response"] = 1.0 if frame.loc[103, "response"] != "none" else 2.0
    kept, log = apply_exclusions(frame, study)
    assert log.steps["rule"].tolist() == ["manipulation_check"]
    assert log.steps["description"].iloc[0] == "wrong or missing answer to manipulation check mc_response"
    assert sorted(set(frame.index) - set(kept.index)) == [101, 102, 103]
    with pytest.raises(SpecError, match="needs the study whose check it names"):
        apply_exclusions(frame, [{"rule": "manipulation_check", "check": "mc_response"}])


def test_old_rule_names_are_accepted(data):
    old = [{"rule": "age_range", "column": "age", "min": 18, "max": 30},
           {"rule": "not_follower", "column": "follower"}]
    new = [{"rule": "range", "column": "age", "min": 18, "max": 30},
           {"rule": "required_value", "column": "follower", "value": 1}]
    kept_old, log_old = apply_exclusions(data, old)
    kept_new, log_new = apply_exclusions(data, new)
    assert kept_old.index.equals(kept_new.index)
    assert log_old.steps["rule"].tolist() == ["range", "required_value"]


def test_rules_without_a_study_need_categorical_factors_or_factors():
    frame = pd.DataFrame({"group": ["a", "b"], "x": [1.0, 5.0]})
    with pytest.raises(SpecError, match="needs the design factors of the exclusion log: pass factors="):
        apply_exclusions(frame, [{"rule": "range", "column": "x", "min": 0, "max": 2}])
    with pytest.warns(StudylibWarning, match="design cells empty after exclusions"):
        kept, log = apply_exclusions(frame, [{"rule": "range", "column": "x", "min": 0, "max": 2}],
                                     factors=["group"])
    assert kept["x"].tolist() == [1.0] and log.cells["group"].tolist() == ["a", "b"]


def test_negative_times_are_named_by_export_line():
    frame = pd.DataFrame({"g": pd.Categorical(["a", "b", "a"]), "t": [300.0, -99.0, 200.0]}, index=[0, 1, 2])
    frame.attrs["first_line"] = 4  # a Qualtrics CSV: three header lines
    with pytest.raises(DataError, match=r"negative completion times in rows 5 \(value -99.0\)"):
        apply_exclusions(frame, [{"rule": "speeder", "column": "t", "fraction_of_median": 0.5}])
