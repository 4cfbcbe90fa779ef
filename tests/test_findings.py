"""Tests of studylib.findings.check_hypotheses: each hypothesis of a study file scored on
fitted results, with no study-specific code (a small 2 x 2 study built here, and the
example study on its shipped data)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from studylib.emmeans import pairwise
from studylib.errors import ColumnError, InputTypeError, OptionError
from studylib.findings import (
    FINDINGS_COLUMNS,
    STATUSES,
    check_hypotheses,
    hypothesis_lines,
    status_counts,
)
from studylib.study import Study

PATH = "frame -> trust -> intent"


def _study(hypotheses, tmp_path=None):
    d = {
        "name": "framing", "id_column": "pid",
        "design": {"frame": {"column": "F", "levels": {"gain": 1, "loss": 2}},
                   "source": {"column": "S", "levels": {"peer": 1, "brand": 2}}},
        "scales": {"trust": {"items": ["t1", "t2"], "min": 1, "max": 7},
                   "intent": {"items": ["i1", "i2"], "min": 1, "max": 7}},
        "models": {"aov": {"kind": "anova", "dv": "trust", "between": ["frame", "source"]},
                   "med": {"kind": "process", "model": 7, "x": "frame", "w": "source", "m": "trust",
                           "y": "intent"}},
        "hypotheses": hypotheses,
    }
    return Study.from_dict(d)


def _process(effects, lows, highs):
    """A stand-in for a PROCESS model 7 result (the columns of studylib.process)."""
    ind = pd.DataFrame({"path": [PATH] * 2, "x_term": ["frame[loss]"] * 2, "w": ["peer", "brand"], "z": [None] * 2,
                        "effect": effects, "boot_se": [0.05] * 2, "ci_low": lows, "ci_high": highs})
    ind.attrs["conf"] = 0.9
    index = pd.DataFrame({"path": [PATH], "x_term": ["frame[loss]"], "kind": ["moderated mediation"],
                          "moderator": ["source"], "w_term": ["source[brand]"], "z": [None], "index": [-0.3],
                          "boot_se": [0.1], "ci_low": [-0.5], "ci_high": [-0.1]})
    contrasts = pd.DataFrame({"path1": [PATH], "w1": ["brand"], "z1": [None], "path2": [PATH], "w2": ["peer"],
                              "z2": [None], "x_term": ["frame[loss]"], "effect": [-0.3], "boot_se": [0.1],
                              "ci_low": [-0.5], "ci_high": [-0.1]})
    coefficients = pd.DataFrame({"equation": ["trust", "trust", "intent", "intent"],
                                 "term": ["constant", "frame[loss]", "frame[loss]", "trust"],
                                 "estimate": [4.0, 0.5, 0.1, 0.4], "se": [0.1] * 4, "t": [1.0] * 4,
                                 "df": [100] * 4, "p": [0.001, 0.001, 0.4, 0.001],
                                 "ci_low": [3.8, 0.3, -0.1, 0.2], "ci_high": [4.2, 0.7, 0.3, 0.6]})
    direct = pd.DataFrame({"x_term": ["frame[loss]"], "w": [None], "z": [None], "effect": [0.1], "se": [0.1],
                           "t": [1.0], "df": [100], "p": [0.4], "ci_low": [-0.1], "ci_high": [0.3]})
    return SimpleNamespace(indirect=ind, index=index, contrasts=contrasts, coefficients=coefficients, direct=direct)


def _anova(p):
    return pd.DataFrame({"term": ["frame", "source", "frame:source", "Residual"], "df": [1.0, 1.0, 1.0, 96.0],
                         "F": [1.0, 2.0, 8.0, np.nan], "p": [0.3, 0.1, p, np.nan]})


H_PROCESS = [
    {"id": "H1", "text": "Loss frames raise intention via trust with a peer.", "model": "med",
     "estimate": {"indirect": PATH, "at": {"source": "peer"}}, "direction": "positive"},
    {"id": "H2", "text": "... and lower it with a brand.", "model": "med",
     "estimate": {"indirect": PATH, "at": {"source": "brand"}}, "direction": "negative"},
    {"id": "H3", "text": "The source moderates the indirect effect.", "model": "med",
     "estimate": {"index": PATH, "at": {"source": "brand"}}, "direction": "negative"},
    {"id": "H4", "text": "Brand minus peer.", "model": "med",
     "estimate": {"contrast": {"indirect": PATH, "levels": ["peer", "brand"]}}, "direction": "positive"},
    {"id": "H5", "text": "Trust raises intention.", "model": "med",
     "estimate": {"coefficient": "trust", "equation": "intent"}, "direction": "positive"},
    {"id": "H6", "text": "No direct effect.", "model": "med", "estimate": {"direct": {}}, "direction": "nonzero"},
    {"id": "H7", "text": "Interaction on trust.", "model": "aov", "estimate": {"term": "frame:source"}},
]


def test_statuses_follow_the_ci_and_the_predicted_side():
    study = _study(H_PROCESS)
    fits = {"med": _process([0.2, -0.05], [0.05, -0.2], [0.35, 0.1]), "aov": _anova(0.01)}
    tab = check_hypotheses(study, fits)
    assert tuple(tab.columns) == FINDINGS_COLUMNS
    assert tab["hypothesis"].tolist() == [f"H{i}" for i in range(1, 8)]
    assert tab["status"].tolist() == ["supported", "direction only", "supported", "supported", "supported",
                                      "not supported", "supported"]
    # a contrast written the other way round: the sign and the CI are flipped
    h4 = tab.iloc[3]
    assert (h4["estimate"], h4["ci_low"], h4["ci_high"]) == (0.3, 0.1, 0.5)
    assert tab.iloc[6]["estimate"] == 8.0 and tab.iloc[6]["p"] == 0.01 and np.isnan(tab.iloc[6]["ci_low"])
    assert tab.attrs == {"alpha": 0.05, "conf": 0.9}
    assert tab["statement"].iloc[0] == "Loss frames raise intention via trust with a peer."


def test_wrong_sign_and_insignificant_tests_are_not_supported():
    study = _study(H_PROCESS)
    fits = {"med": _process([-0.2, 0.05], [-0.35, -0.1], [-0.05, 0.2]), "aov": _anova(0.2)}
    tab = check_hypotheses(study, fits, alpha=0.1)
    assert tab["status"].tolist()[:2] == ["not supported", "not supported"]
    assert tab["status"].iloc[6] == "not supported" and tab.attrs["alpha"] == 0.1


def test_missing_models_and_estimates_are_not_estimable():
    hyps = [*H_PROCESS[:1], {"id": "H9", "model": "med", "estimate": {"indirect": PATH, "at": {"source": "peer"},
                                                                      "x_level": "gain"}, "direction": "positive"}]
    study = _study(hyps)
    tab = check_hypotheses(study, {})
    assert tab["status"].tolist() == ["not estimable"] * 2 and tab["note"].iloc[0] == "model 'med' was not fitted"
    tab = check_hypotheses(study, {"med": _process([0.2, -0.05], [0.05, -0.2], [0.35, 0.1])})
    assert tab["status"].tolist() == ["supported", "not estimable"]
    assert tab["note"].iloc[1] == f"no indirect effect of frame[gain] for path {PATH!r}; X terms: ['frame[loss]']"


def test_anova_simple_effects_and_contrasts_use_the_marginal_means():
    rng = np.random.default_rng(3)
    cells = [(f, s) for f in ("gain", "loss") for s in ("peer", "brand")]
    shift = {("gain", "peer"): 0.0, ("loss", "peer"): 0.8, ("gain", "brand"): 0.2, ("loss", "brand"): 0.1}
    rows = [(f, s, 4 + shift[(f, s)] + rng.normal(0, 1)) for f, s in cells for _ in range(30)]
    data = pd.DataFrame(rows, columns=["frame", "source", "trust"])
    data["frame"] = pd.Categorical(data["frame"], ["gain", "loss"])
    data["source"] = pd.Categorical(data["source"], ["peer", "brand"])
    study = _study([
        {"id": "S1", "model": "aov", "estimate": {"simple_effect": "frame", "at": {"source": "peer"}},
         "direction": "positive"},
        {"id": "S2", "model": "aov", "estimate": {"contrast": "source", "levels": ["peer", "brand"],
                                                  "at": {"frame": "loss"}}, "direction": "positive"},
    ])
    tab = check_hypotheses(study, {"aov": _anova(0.01)}, data=data)
    pw = pairwise(data, "trust", ["frame", "source"], effect="frame", by=["source"], adjust="none")
    ref = pw[pw["source"] == "peer"].iloc[0]  # gain - loss
    s1 = tab.iloc[0]
    assert s1["estimate"] == pytest.approx(-ref["estimate"], rel=1e-12)
    assert (s1["ci_low"], s1["ci_high"]) == pytest.approx((-ref["ci_high"], -ref["ci_low"]), rel=1e-12)
    assert s1["p"] == pytest.approx(ref["p"], rel=1e-12) and s1["status"] == "supported"
    assert s1["quantity"] == "simple effect of frame on trust: loss - gain, source = peer"
    loss = data[data["frame"] == "loss"]
    diff = loss.loc[loss["source"] == "peer", "trust"].mean() - loss.loc[loss["source"] == "brand", "trust"].mean()
    assert tab.iloc[1]["estimate"] == pytest.approx(diff, rel=1e-10)
    no_data = check_hypotheses(study, {"aov": _anova(0.01)})
    assert no_data["status"].tolist() == ["not estimable"] * 2 and "needs the data" in no_data["note"].iloc[0]


def test_status_counts_and_lines():
    study = _study(H_PROCESS)
    tab = check_hypotheses(study, {"med": _process([0.2, -0.05], [0.05, -0.2], [0.35, 0.1]), "aov": _anova(0.2)})
    counts = status_counts(tab)
    assert list(counts) == list(STATUSES) and sum(counts.values()) == len(tab)
    assert counts == {"supported": 4, "direction only": 1, "not supported": 2, "not estimable": 0}
    lines = hypothesis_lines(tab)
    assert lines[0] == "supported       H1: 0.200 [0.050, 0.350]"
    assert lines[-1] == "not supported   H7: 8.000, p = .200"
    with pytest.raises(ColumnError, match=r"columns not in data: \['status'\] \(findings table\)"):
        status_counts(tab.drop(columns="status"))


def test_bad_arguments():
    study = _study(H_PROCESS[:1])
    with pytest.raises(InputTypeError, match="fits must be a mapping"):
        check_hypotheses(study, [1])
    with pytest.raises(OptionError, match="alpha"):
        check_hypotheses(study, {}, alpha=5)


def test_the_example_study_gives_the_numbers_of_its_fitted_models():
    from studylib.pipeline import fit_models, load_analysis_data

    sd = load_analysis_data(config="analyses/study.yaml")
    fits = fit_models(sd, boot=1000)
    tab = check_hypotheses(sd.study, fits, data=sd.kept).set_index("hypothesis")
    res = fits["model83"]
    serial = res.indirect[res.indirect["path"] == "valence -> psr -> pk -> attitude"].set_index("w")
    for h, w in (("H1", "none"), ("H2", "like"), ("H3", "reply")):
        assert tab.loc[h, "estimate"] == serial.loc[w, "effect"]
        assert (tab.loc[h, "ci_low"], tab.loc[h, "ci_high"]) == (serial.loc[w, "ci_low"], serial.loc[w, "ci_high"])
    assert tab.loc["H4", "estimate"] == pytest.approx(serial.loc["reply", "effect"] - serial.loc["like", "effect"],
                                                      abs=1e-12)
    inter = fits["anova_psr"].set_index("term").loc["valence:response"]
    assert (tab.loc["H7", "estimate"], tab.loc["H7", "p"]) == (inter["F"], inter["p"])
    assert set(tab["status"]) <= set(STATUSES) and (tab["status"] != "not supported").all()


def test_estimates_missing_from_the_results_are_named_in_the_note():
    hyps = [{"id": "T1", "model": "aov", "estimate": {"term": "frame:source"}},
            {"id": "T2", "model": "med", "estimate": {"indirect": PATH}, "direction": "positive"},
            {"id": "T3", "model": "med", "estimate": {"contrast": PATH, "levels": ["peer", "brand"]},
             "direction": "positive"}]
    study = _study(hyps)
    proc = _process([0.2, -0.05], [0.05, -0.2], [0.35, 0.1])
    proc.contrasts = proc.contrasts.iloc[0:0]
    tab = check_hypotheses(study, {"aov": _anova(0.01).iloc[[0, 1, 3]], "med": proc})
    assert tab["status"].tolist() == ["not estimable"] * 3
    assert tab["note"].tolist() == [
        "term 'frame:source' not in the ANOVA table; terms: ['frame', 'source', 'Residual']",
        "2 rows of the results match the indirect effect frame -> trust -> intent; name the moderator levels "
        "with 'at' (and 'x_level' for a multicategorical X)",
        "no contrast of the indirect effects of 'frame -> trust -> intent' between 'peer' and 'brand'"]
