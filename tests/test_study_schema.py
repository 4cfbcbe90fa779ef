"""Tests of the study-file schema (studylib.study): every block, every error path (one
SpecError naming the file, the block and key and what is allowed), the relative-path rule,
identity columns, labels and STUDYLIB_STUDY."""

from __future__ import annotations

import copy

import pytest
import yaml

from studylib import load_study
from studylib.errors import SpecError
from studylib.paths import ROOT, STUDY_CONFIG
from studylib.study import OPTIONAL_BLOCKS, Study

STUDIES = ROOT / "tests" / "studies"

BASE = {
    "name": "Framing x source",
    "title": "Framing and source",
    "description": "A small test study.",
    "seed": 1,
    "id_column": "pid",
    "design": {
        "frame": {"label": "Message frame", "column": "Frame",
                  "levels": {"gain": {"label": "Gain frame", "codes": ["Gain", 1]},
                             "loss": {"label": "Loss frame", "codes": ["Loss", 2]}}},
        "source": {"column": "Source", "levels": {"peer": ["Peer", 1], "brand": ["Brand", 2]}},
    },
    "columns": {"TR1": "tr_1"},
    "codes": {"sex": {"F": 1, "M": 2}},
    "ranges": {"attn": [1, 5]},
    "scales": {"trust": {"items": ["tr_1", "tr_2", "tr_3"], "reverse": ["tr_3"], "min": 1, "max": 7,
                         "min_valid_items": 2, "label": "Trust"},
               "intent": {"items": ["in_1", "in_2"], "min": 1, "max": 7}},
    "attention_check": {"item": "attn", "correct": 3, "label": "Instructed item"},
    "manipulation_checks": [
        {"id": "mc_frame", "item": "mcf", "factor": "frame", "label": "Perceived frame", "test": "anova",
         "correct": {"gain": [1, 3], "loss": [5, 7]}},
        {"item": "mcs", "factor": "source", "test": "chi2", "correct": {"peer": 1, "brand": 2}},
    ],
    "demographics": [{"item": "age", "label": "Age", "min": 0, "max": 99},
                     {"item": "sex", "codes": {1: "Female", 2: "Male"}}],
    "exclusions": [{"rule": "attention_check"}, {"rule": "range", "column": "age", "min": 18, "max": 65},
                   {"rule": "required_value", "column": "consent", "value": 1},
                   {"rule": "manipulation_check", "check": "mcs"},
                   {"rule": "speeder", "column": "secs", "fraction_of_median": 0.3},
                   {"rule": "straight_lining", "scales": ["trust"]}, {"rule": "incomplete", "scales": ["trust"]}],
    "models": {"aov": {"kind": "anova", "dv": "trust", "between": ["frame", "source"], "label": "ANOVA of trust"},
               "med": {"kind": "process", "model": 7, "x": "frame", "w": "source", "m": "trust", "y": "intent",
                       "covariates": ["age"]},
               "cfa": {"kind": "measurement", "scales": ["trust", "intent"], "std_lv": True, "boot": 0}},
    "hypotheses": [
        {"id": "H1", "text": "Loss frames raise trust with a peer.", "model": "aov",
         "estimate": {"simple_effect": "frame", "at": {"source": "peer"}}, "direction": "positive"},
        {"id": "H2", "text": "Frame and source interact.", "model": "aov", "estimate": {"term": "frame:source"}},
        {"id": "H3", "text": "Indirect effect with a brand.", "model": "med",
         "estimate": {"indirect": "frame -> trust -> intent", "at": {"source": "brand"}}, "direction": "negative"},
        {"id": "H4", "text": "Index.", "model": "med",
         "estimate": {"index": "frame -> trust -> intent", "at": {"source": "brand"}}, "direction": "negative"},
        {"id": "H5", "text": "Contrast.", "model": "med",
         "estimate": {"contrast": {"indirect": "frame -> trust -> intent", "levels": ["brand", "peer"]}},
         "direction": "negative"},
        {"id": "H6", "text": "Coefficient.", "model": "med",
         "estimate": {"coefficient": {"equation": "intent", "term": "trust"}}, "direction": "positive"},
        {"id": "H7", "text": "Direct.", "model": "med", "estimate": {"direct": {}}},
        {"id": "H8", "text": "Marginal means.", "model": "aov",
         "estimate": {"contrast": "source", "levels": ["brand", "peer"], "at": {"frame": "loss"}},
         "direction": "negative"},
    ],
    "simulation": {"scores": {"trust": {"mean": 4, "sd": 1}, "intent": {"mean": 4, "sd": 1}}},
}


def _write(tmp_path, d, name="mystudy.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return path


def _edit(tmp_path, edit):
    d = copy.deepcopy(BASE)
    edit(d)
    return _write(tmp_path, d)


def test_every_block_is_read(tmp_path):
    s = load_study(_write(tmp_path, BASE))
    assert (s.name, s.title, s.description, s.seed, s.synthetic) == ("Framing x source", "Framing and source",
                                                                    "A small test study.", 1, False)
    frame, source = s.factors
    assert (frame.display, frame.level_label("loss"), frame.labels["loss"]) == ("Message frame", "Loss frame",
                                                                               ("Loss", 2))
    assert (source.display, source.level_labels) == ("source", {"peer": "peer", "brand": "brand"})  # old list form
    assert s.scale_labels == {"trust": "Trust", "intent": "intent"}
    assert s.attention_check.item == "attn" and s.attention_check.correct == 3
    mc1, mc2 = s.manipulation_checks
    assert (mc1.id, mc1.test, mc1.correct) == ("mc_frame", "anova", {"gain": (1.0, 3.0), "loss": (5.0, 7.0)})
    assert (mc2.id, mc2.display, mc2.level_of(2.0), mc2.level_of(3.0)) == ("mcs", "mcs", "brand", None)
    assert [(d.item, d.display, d.codes, d.min) for d in s.demographics] == [
        ("age", "Age", {}, 0.0), ("sex", "sex", {1: "Female", 2: "Male"}, None)]
    assert [r.rule for r in s.exclusions] == ["attention_check", "range", "required_value", "manipulation_check",
                                              "speeder", "straight_lining", "incomplete"]
    assert s.exclusions[0].params == {"column": "attn", "correct": 3.0}  # from the attention_check block
    assert [(m.name, m.kind, m.label) for m in s.models] == [("aov", "anova", "ANOVA of trust"), ("med", "process", ""),
                                                             ("cfa", "measurement", "")]
    assert s.model("cfa").options == {"scales": ["trust", "intent"], "std_lv": True, "boot": 0}
    assert [h.kind for h in s.hypotheses] == ["simple_effect", "term", "indirect", "index", "contrast",
                                              "coefficient", "direct", "contrast"]
    assert s.hypotheses[1].direction == "nonzero" and s.simulation == BASE["simulation"]
    assert s.absent == ()


def test_identity_columns_and_the_blocks_that_need_them(tmp_path):
    s = load_study(_write(tmp_path, BASE))
    assert s.columns["TR1"] == "tr_1" and "tr_1" not in s.columns  # declared under columns: as TR1
    for item in ("tr_2", "tr_3", "in_1", "attn", "mcf", "mcs", "age", "sex", "consent", "secs"):
        assert s.columns[item] == item
    needs = s.needed_items()
    assert needs["tr_2"] == "scales.trust" and needs["attn"] == "attention_check"
    assert needs["mcs"] == "manipulation_checks[1] (mcs)" and needs["sex"] == "demographics[1] (sex)"
    assert needs["consent"] == "exclusions[2] (required_value)" and needs["age"] == "demographics[0] (age)"


def test_labels_fall_back_to_ids(tmp_path):
    s = load_study(_write(tmp_path, BASE))
    assert s.label("frame") == "Message frame" and s.label("trust") == "Trust" and s.label("intent") == "intent"
    assert s.label("mc_frame") == "Perceived frame" and s.label("aov") == "ANOVA of trust"
    assert s.label("nothing") == "nothing" and s.level_label("frame", "gain") == "Gain frame"
    labels = s.display_labels()
    assert labels["levels"] == {"frame": {"gain": "Gain frame", "loss": "Loss frame"},
                                "source": {"peer": "peer", "brand": "brand"}}
    assert s.data_note is None


def test_a_study_without_optional_blocks():
    s = load_study(STUDIES / "study_nochecks.yaml")
    assert s.absent == OPTIONAL_BLOCKS
    assert s.attention_check is None and s.manipulation_checks == s.demographics == s.exclusions == ()
    assert s.hypotheses == () and [m.kind for m in s.models] == ["anova", "process"]
    assert s.columns == {i: i for i in ("rc_1", "rc_2", "rc_3", "lk_1", "lk_2", "lk_3")}


@pytest.mark.parametrize("path", [STUDY_CONFIG, STUDIES / "study_2x2.yaml", STUDIES / "study_nochecks.yaml"],
                         ids=lambda p: p.name)
def test_to_dict_round_trip(path):
    s = load_study(path)
    again = Study.from_dict(s.to_dict(), path=s.path)
    assert again == s and again.absent == s.absent and again.simulation == s.simulation


def test_relative_paths_are_read_from_the_study_files_folder(tmp_path, monkeypatch):
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "trust.yaml").write_text(yaml.safe_dump(
        {"id": "trust", "name": "Trust", "items": ["tr_1", "tr_2"], "min": 1, "max": 5}))
    d = copy.deepcopy(BASE)
    d.update(questionnaires="q", data="data/export.csv", synthetic=True)
    d["scales"] = {"trust": None, "intent": BASE["scales"]["intent"]}
    d["exclusions"] = []
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    monkeypatch.chdir(sub)  # the working directory does not matter
    s = load_study(_write(tmp_path, d))
    assert s.questionnaires == tmp_path / "q" and s.data == tmp_path / "data" / "export.csv"
    assert s.scale("trust").items == ("tr_1", "tr_2") and s.scale_labels["trust"] == "Trust"  # its name
    assert s.data_note.startswith("Data are SYNTHETIC")
    assert s.absent == ()  # an empty exclusions list is declared: no rules


def test_studylib_study_names_the_default_study(tmp_path, monkeypatch):
    path = _write(tmp_path, BASE)
    monkeypatch.setenv("STUDYLIB_STUDY", str(path))
    assert load_study().path == path
    monkeypatch.delenv("STUDYLIB_STUDY")
    assert load_study().path == STUDY_CONFIG


def _drop(block, key):
    return lambda d: d[block].pop(key)


ERRORS = [
    # top level
    (lambda d: d.update(colour="red"), r"unknown fields \['colour'\]; allowed: \['name', 'title'"),
    (lambda d: d.pop("id_column"), r"field 'id_column' is missing"),
    (lambda d: d.update(name=3), r"field 'name' must be a text; got 3"),
    (lambda d: d.update(title=""), r"field 'title' must be a text"),
    (lambda d: d.update(seed=1.5), r"field 'seed' must be a non-negative whole number or null"),
    (lambda d: d.update(data=5), r"field 'data' must be a file path; got 5"),
    (lambda d: d.update(synthetic="yes"), r"field 'synthetic' must be true or false; got 'yes'"),
    (lambda d: d.update(encoding="klingon"), r"field 'encoding' must be a text encoding"),
    (lambda d: d.update(questionnaires=[]), r"field 'questionnaires' must be a folder path"),
    (lambda d: d.update(design=[]), r"field 'design' must be a mapping; got list"),
    (lambda d: d.update(design={}), r"field 'design' must declare at least one factor"),
    # design
    (lambda d: d["design"].update({"my frame": d["design"].pop("frame")}), r"field 'design' factor ids must be names"),
    (lambda d: d["design"]["frame"].update(colour=1), r"field 'design.frame' has unknown keys \['colour'\]; "
                                                      r"allowed: \['label', 'column', 'levels'\]"),
    (_drop_col := (lambda d: d["design"]["frame"].pop("column")), r"field 'design.frame.column' is missing"),
    (lambda d: d["design"]["frame"].update(levels={"gain": 1}), r"field 'design.frame.levels' needs at least 2"),
    (lambda d: d["design"]["frame"]["levels"]["gain"].update(colour=1),
     r"field 'design.frame.levels.gain' has unknown keys \['colour'\]; allowed: \['label', 'codes'\]"),
    (lambda d: d["design"]["frame"]["levels"]["gain"].update(codes=[True]),
     r"field 'design.frame.levels.gain.codes' must be text labels and/or numeric codes; got True"),
    (lambda d: d["design"]["source"]["levels"].update(brand=["Peer"]),
     r"field 'design.source.levels.brand' label/code 'Peer' also marks level 'peer'"),
    # columns, codes, ranges
    (lambda d: d["columns"].update(X=""), r"field 'columns.X' must name an item id"),
    (lambda d: d["columns"].update(X="frame"), r"field 'columns' maps export columns to reserved names \['frame'\]"),
    (lambda d: d["columns"].update(tr_2="in_1"), r"field 'columns' maps the export column 'tr_2' to 'in_1', but "
                                                 r"scales.trust needs an item 'tr_2'"),
    (lambda d: d["codes"].update(sex={"F": "one"}), r"field 'codes.sex.F' must be a number; got 'one'"),
    (lambda d: d["ranges"].update(attn=[5]), r"field 'ranges.attn' must be \[min, max\]"),
    (lambda d: d["ranges"].update(attn=[5, 1]), r"field 'ranges.attn' min must not exceed max"),
    # scales
    (lambda d: d.update(scales=[]), r"field 'scales' must name at least one scale"),
    (lambda d: d["scales"]["trust"].update(colour=1), r"field 'scales.trust' has unknown keys \['colour'\]"),
    (lambda d: d["scales"]["trust"].pop("max"), r"field 'scales.trust.max' is missing \(always declare min and max\)"),
    (lambda d: d["scales"]["trust"].update(label=""), r"field 'scales.trust.label' must be a text"),
    (lambda d: d["scales"].update(frame=d["scales"].pop("intent")), r"field 'scales' scale ids \['frame'\] are reserved"),
    (lambda d: d.update(scales=["nosuch"]), r"field 'scales.nosuch' cannot be loaded: .*no questionnaire 'nosuch'"),
    # attention_check
    (lambda d: d["attention_check"].update(colour=1), r"field 'attention_check' has unknown keys \['colour'\]; "
                                                      r"allowed: \['item', 'correct', 'label'\]"),
    (_drop("attention_check", "correct"), r"field 'attention_check.correct' is missing"),
    (lambda d: d["attention_check"].update(correct="two"), r"field 'attention_check.correct' must be a number"),
    # manipulation_checks
    (lambda d: d.update(manipulation_checks={}), r"field 'manipulation_checks' must be a list of checks"),
    (lambda d: d["manipulation_checks"][0].update(colour=1), r"field 'manipulation_checks\[0\]' has unknown keys"),
    (lambda d: d["manipulation_checks"][0].pop("factor"), r"field 'manipulation_checks\[0\].factor' is missing"),
    (lambda d: d["manipulation_checks"][0].update(factor="mood"),
     r"field 'manipulation_checks\[0\].factor' names 'mood', which is not one of the study's factors: "
     r"\['frame', 'source'\]"),
    (lambda d: d["manipulation_checks"][0].update(test="t"),
     r"field 'manipulation_checks\[0\].test' must be one of \['anova', 'welch_t', 'chi2'\]; got 't'"),
    (lambda d: d["manipulation_checks"][1].update(id="mc_frame"),
     r"field 'manipulation_checks\[1\].id' 'mc_frame' is the id of an earlier check"),
    (lambda d: d["manipulation_checks"][1]["correct"].pop("brand"),
     r"field 'manipulation_checks\[1\].correct' needs the correct answer of every level of 'source'; missing "
     r"\['brand'\] \(a chi2 check maps each answer"),
    (lambda d: d["manipulation_checks"][0]["correct"].update(neutral=4),
     r"field 'manipulation_checks\[0\].correct' names 'neutral', which is not one of the study's levels of 'frame'"),
    (lambda d: d["manipulation_checks"][0]["correct"].update(gain=[3, 1]),
     r"field 'manipulation_checks\[0\].correct.gain' range \[lo, hi\] must have lo <= hi"),
    (lambda d: d["manipulation_checks"][0]["correct"].update(gain=[1, 2, 3]),
     r"field 'manipulation_checks\[0\].correct.gain' must be a value or an inclusive range"),
    # demographics
    (lambda d: d.update(demographics={"age": {}}), r"field 'demographics' must be a list of columns"),
    (lambda d: d["demographics"][0].update(mean=3), r"field 'demographics\[0\]' has unknown keys \['mean'\]; "
                                                    r"allowed: \['item', 'label', 'codes', 'min', 'max'\]"),
    (lambda d: d["demographics"][1].update(codes={"one": "Female"}), r"field 'demographics\[1\].codes' must be a number"),
    (lambda d: d["demographics"][0].update(min=100), r"field 'demographics\[0\].min' must not exceed max"),
    (lambda d: d["demographics"][0].pop("item"), r"field 'demographics\[0\].item' is missing"),
    # exclusions
    (lambda d: d.update(exclusions={}), r"field 'exclusions' must be a list of rules \(applied in order\)"),
    (lambda d: d["exclusions"].append({"rule": "too_fast"}), r"field 'exclusions\[7\].rule' must be one of "
                                                             r"\['attention_check', 'speeder'"),
    (lambda d: d["exclusions"][1].pop("max"), r"field 'exclusions\[1\].max' is missing \(rule 'range'\)"),
    (lambda d: d["exclusions"][1].update(colour=1), r"field 'exclusions\[1\]' has unknown parameters \['colour'\] "
                                                    r"for rule 'range'; allowed: \['column', 'min', 'max'\]"),
    (lambda d: d["exclusions"][1].update(min=70), r"field 'exclusions\[1\].min' must not exceed max"),
    (lambda d: d["exclusions"][4].update(fraction_of_median=1.5), r"must lie strictly between 0 and 1; got 1.5"),
    (lambda d: d["exclusions"][5].update(scales=["nfc"]), r"field 'exclusions\[5\].scales' names scales not in "
                                                          r"'scales': \['nfc'\]"),
    (lambda d: d["exclusions"][3].update(check="nosuch"), r"field 'exclusions\[3\].check' names 'nosuch', which is "
                                                          r"not one of the study's manipulation checks"),
    (lambda d: d["exclusions"][2].update(value="yes"), r"field 'exclusions\[2\].value' must be a number"),
    (lambda d: d.pop("attention_check"), r"field 'exclusions\[0\]' needs the attention_check block, or its own"),
    (lambda d: d["manipulation_checks"][1].update(test="anova", correct={}),
     r"field 'exclusions\[3\].check' names check 'mcs', which declares no correct answers"),
    # models
    (lambda d: d["models"]["aov"].update(kind="mancova"),
     r"field 'models.aov.kind' must be one of \['anova', 'process', 'measurement'\]; got 'mancova'"),
    (lambda d: d["models"]["aov"].pop("dv"), r"field 'models.aov.dv' is missing \(anova model\)"),
    (lambda d: d["models"]["aov"].update(colour=1), r"field 'models.aov' has unknown keys \['colour'\]"),
    (lambda d: d["models"]["aov"].update(between=["frame", "mood"]),
     r"field 'models.aov.between' names 'mood', which is not one of the study's factors"),
    (lambda d: d["models"]["aov"].update(ss_type=4), r"field 'models.aov.ss_type' must be one of \[1, 2, 3\]"),
    (lambda d: d["models"]["aov"].update(simple_effects="mood"), r"field 'models.aov.simple_effects' names 'mood'"),
    (lambda d: d["models"]["med"].pop("model"), r"field 'models.med.model' is missing \(process model; or give"),
    (lambda d: d["models"]["med"].pop("y"), r"field 'models.med.y' is missing \(process model\)"),
    (lambda d: d["models"]["med"].update(boot=10), r"field 'models.med.boot' must be a whole number >= 1000"),
    (lambda d: d["models"]["med"].update(conf=95), r"field 'models.med.conf' must lie strictly between 0 and 1"),
    (lambda d: d["models"]["med"].update(ci="bca"), r"field 'models.med.ci' must be one of \['percentile', 'bc'\]"),
    (lambda d: d["models"]["med"].update(m=[1]), r"field 'models.med.m' must be a list of names"),
    (lambda d: d["models"]["cfa"].update(scales=["nfc"]), r"field 'models.cfa.scales' names 'nfc'"),
    (lambda d: d["models"]["cfa"].update(std_lv="no"), r"field 'models.cfa.std_lv' must be true or false"),
    (lambda d: d["models"]["cfa"].update(missing="fiml"),
     r"field 'models.cfa.missing' must be one of \['listwise'\]; got 'fiml'"),
    (lambda d: d["models"]["cfa"].update(boot=-1), r"field 'models.cfa.boot' must be a whole number >= 0"),
    # hypotheses
    (lambda d: d.update(hypotheses={}), r"field 'hypotheses' must be a list of hypotheses"),
    (lambda d: d["hypotheses"][0].update(colour=1), r"field 'hypotheses\[0\]' has unknown keys \['colour'\]"),
    (lambda d: d["hypotheses"][1].update(id="H1"), r"field 'hypotheses\[1\].id' 'H1' is the id of an earlier"),
    (lambda d: d["hypotheses"][0].update(model="nosuch"),
     r"field 'hypotheses\[0\].model' names 'nosuch', which is not one of the study's models"),
    (lambda d: d["hypotheses"][0].update(direction="up"),
     r"field 'hypotheses\[0\].direction' must be one of \['positive', 'negative', 'nonzero'\]"),
    (lambda d: d["hypotheses"][0]["estimate"].update(term="frame"),
     r"field 'hypotheses\[0\].estimate' must have exactly one of \['term', 'simple_effect'"),
    (lambda d: d["hypotheses"][0].update(estimate={"at": {}}), r"must have exactly one of"),
    (lambda d: d["hypotheses"][0]["estimate"].update(colour=1), r"field 'hypotheses\[0\].estimate' has unknown keys"),
    (lambda d: d["hypotheses"][0].update(model="cfa"),
     r"field 'hypotheses\[0\].estimate.simple_effect' is not an estimate of a measurement model"),
    (lambda d: d["hypotheses"][2].update(model="aov"),
     r"field 'hypotheses\[2\].estimate.indirect' is not an estimate of a anova model; allowed: \['term'"),
    (lambda d: d["hypotheses"][1].update(direction="positive"),
     r"field 'hypotheses\[1\].direction' must be 'nonzero' for the F test of an ANOVA term"),
    (lambda d: d["hypotheses"][1]["estimate"].update(term="frame:mood"),
     r"field 'hypotheses\[1\].estimate.term' names 'mood', which is not one of the study's factors of model 'aov'"),
    (lambda d: d["hypotheses"][0]["estimate"].update(at={"source": "celebrity"}),
     r"field 'hypotheses\[0\].estimate.at.source' names 'celebrity', which is not one of the study's levels"),
    (lambda d: d["hypotheses"][0]["estimate"].update(at={"frame": "gain"}),
     r"field 'hypotheses\[0\].estimate.at' must not fix 'frame', the factor whose levels are compared"),
    (lambda d: d["hypotheses"][7]["estimate"].update(levels=["brand"]),
     r"field 'hypotheses\[7\].estimate.levels' must name two different levels of 'source'"),
    (lambda d: d["hypotheses"][2]["estimate"].update(indirect="frame -> intent -> trust"),
     r"field 'hypotheses\[2\].estimate.indirect' must be a path 'x -> mediator\(s\) -> y' of model 'med'"),
    (lambda d: d["hypotheses"][2]["estimate"].update(indirect="frame -> mood -> intent"),
     r"names mediators \['mood'\] that are not, in this order, among the mediators of model 'med'"),
    (lambda d: d["hypotheses"][2]["estimate"].update(at={"frame": "loss"}),
     r"field 'hypotheses\[2\].estimate.at' names 'frame', which is not one of the study's factors of model 'med'"),
    (lambda d: d["hypotheses"][4]["estimate"]["contrast"].update(levels=["brand", "celebrity"]),
     r"field 'hypotheses\[4\].estimate.levels' names 'celebrity'"),
    (lambda d: d["hypotheses"][4]["estimate"]["contrast"].pop("levels"),
     r"field 'hypotheses\[4\].estimate.contrast.levels' is missing"),
    (lambda d: d["hypotheses"][5]["estimate"]["coefficient"].pop("term"),
     r"field 'hypotheses\[5\].estimate.coefficient.term' is missing"),
    (lambda d: d["hypotheses"][6]["estimate"].update(direct={"when": 1}),
     r"field 'hypotheses\[6\].estimate.direct' has unknown keys \['when'\]"),
    (lambda d: d["hypotheses"][2]["estimate"].update(x_level="neutral"),
     r"field 'hypotheses\[2\].estimate.x_level' names 'neutral'"),
    (lambda d: d["models"]["cfa"].update(conf=2), r"field 'models.cfa.conf' must lie strictly between 0 and 1"),
    (lambda d: d["hypotheses"][4].update(estimate={"contrast": {"indirect": "frame -> trust -> intent",
                                                                "levels": ["brand", "peer"]}, "levels": ["peer"]}),
     r"field 'hypotheses\[4\].estimate.levels' is given twice \(also under contrast\)"),
    (lambda d: (d["design"]["source"]["levels"].update(celeb=["Celeb", 3]),
                d["manipulation_checks"][1]["correct"].update(celeb=3),
                d["hypotheses"][0].update(estimate={"simple_effect": "source", "at": {"frame": "gain"}})),
     r"field 'hypotheses\[0\].direction' must be 'nonzero' for the simple effect of 'source' \(3 levels\)"),
    (lambda d: (d["models"]["med"].update(w="age"), d.update(hypotheses=[d["hypotheses"][4]])),
     r"field 'hypotheses\[0\].estimate.levels' must name two levels of the moderator W of model 'med'"),
    (lambda d: d["design"]["frame"].update(levels={1: "Gain", 2: "Loss"}),
     r"field 'design.frame.levels' level ids must be names; got 1"),
    (lambda d: d["scales"].update({"my scale": d["scales"].pop("intent")}),
     r"field 'scales' scale ids must be names \(letters, digits, _\); got 'my scale'"),
    # simulation
    (lambda d: d.update(simulation=[1]), r"field 'simulation' must be a mapping"),
]


@pytest.mark.parametrize(("edit", "pattern"), ERRORS, ids=[f"e{i:02d}" for i in range(len(ERRORS))])
def test_each_problem_is_one_error_naming_file_block_and_key(tmp_path, edit, pattern):
    path = _edit(tmp_path, edit)
    with pytest.raises(SpecError, match=r"mystudy\.yaml[:,] .*" + pattern) as info:
        load_study(path)
    assert "\n" not in str(info.value)  # one line


def test_the_example_study_states_the_thesis_findings_as_hypotheses():
    s = load_study(STUDY_CONFIG)
    serial = "valence -> psr -> pk -> attitude"
    assert [(h.id, h.model, h.kind, h.direction) for h in s.hypotheses] == [
        ("H1", "model83", "indirect", "positive"), ("H2", "model83", "indirect", "negative"),
        ("H3", "model83", "indirect", "negative"), ("H4", "model83", "contrast", "negative"),
        ("H5", "model83", "index", "negative"), ("H6", "model83", "index", "negative"),
        ("H7", "anova_psr", "term", "nonzero"), ("H8", "anova_pk", "term", "nonzero"),
        ("H9", "anova_attitude", "term", "nonzero")]
    assert s.hypotheses[0].estimate == {"indirect": serial, "at": {"response": "none"}}
    assert s.hypotheses[3].estimate == {"contrast": serial, "levels": ["reply", "like"]}  # one canonical form
    assert s.display_labels()["levels"]["response"] == {"none": "No reaction", "like": "Like", "reply": "Reply"}
    assert [c.test for c in s.manipulation_checks] == ["welch_t", "chi2"]
    assert [d.item for d in s.demographics] == ["age", "gender", "follower"]
    assert s.demographics[1].codes == {1: "Woman", 2: "Man", 3: "Non-binary", 4: "Prefer not to say"}
    assert s.synthetic and s.simulation["n_per_cell"] == 50


def test_demographic_codes_and_bounds_are_checked_on_prepare(tmp_path):
    from studylib import prepare
    from studylib.errors import DataError
    from studylib.simulate import simulate_from_study

    study = load_study(_write(tmp_path, BASE))
    raw = simulate_from_study(study, n_per_cell=5, seed=1)
    assert set(raw["sex"].dropna()) <= {1, 2} and raw["age"].between(18, 65).all()
    prepare(raw, study)
    bad = raw.copy()
    bad.loc[2, "sex"] = 3
    with pytest.raises(DataError, match=r"column 'sex' \(item 'sex'\) has answers that are none of the codes of "
                                        r"demographics\[1\] \(sex\) in rows 4 \(value 3.0\).*allowed: \[1, 2\]"):
        prepare(bad, study)
    bad = raw.copy()
    bad.loc[0, "age"] = 140
    with pytest.raises(DataError, match=r"column 'age' has values outside the declared range 0..99 in rows 2 "
                                        r"\(value 140.0\) \(demographics\[0\] \(age\);"):
        prepare(bad, study)


@pytest.mark.parametrize("estimate", [
    {"indirect": "frame -> trust -> intent", "levels": ["brand", "peer"]},
    {"contrast": {"indirect": "frame -> trust -> intent", "levels": ["brand", "peer"]}},
    {"contrast": "frame -> trust -> intent", "levels": ["brand", "peer"]},
], ids=["indirect-levels", "nested", "flat"])
def test_a_contrast_of_indirect_effects_has_one_form(tmp_path, estimate):
    s = load_study(_edit(tmp_path, lambda d: d["hypotheses"][4].update(estimate=estimate)))
    h = s.hypotheses[4]
    assert h.kind == "contrast" and h.estimate == {"contrast": "frame -> trust -> intent", "levels": ["brand", "peer"]}


def test_a_coefficient_may_name_its_equation_beside_it(tmp_path):
    s = load_study(_edit(tmp_path, lambda d: d["hypotheses"][5].update(
        estimate={"coefficient": "trust", "equation": "intent"})))
    assert s.hypotheses[5].kind == "coefficient"
    path = _edit(tmp_path, lambda d: d["hypotheses"][5].update(estimate={"coefficient": {"term": "trust"}}))
    with pytest.raises(SpecError, match=r"field 'hypotheses\[5\].estimate.coefficient.equation' is missing"):
        load_study(path)


def test_report_labels_come_from_the_study_file(tmp_path):
    from studylib.report.labels import Labels

    lab = Labels.from_study(load_study(_write(tmp_path, BASE)))
    assert lab.var("frame") == "Message frame" and lab.var("trust") == "Trust" and lab.var("aov") == "ANOVA of trust"
    assert lab.level("frame", "loss") == "Loss frame" and lab.reference("frame") == "gain"
    assert lab.term("frame[loss]") == "Message frame (loss frame vs. gain frame)"
    assert lab.var("intent") == "Intent" and lab.level("source", "brand") == "Brand"  # no label: readable ids


def test_lookups_of_unknown_names_say_what_the_study_has(tmp_path):
    from studylib.errors import InputTypeError

    s = load_study(_write(tmp_path, BASE))
    for call, pattern in ((lambda: s.factor("mood"), r"no factor 'mood' in 'design'; have \['frame', 'source'\]"),
                          (lambda: s.scale("nfc"), r"no scale 'nfc' in 'scales'; have \['trust', 'intent'\]"),
                          (lambda: s.model("m9"), r"no model 'm9' in 'models'; have \['aov', 'med', 'cfa'\]"),
                          (lambda: s.check("mc9"), r"no manipulation check 'mc9' in 'manipulation_checks'")):
        with pytest.raises(SpecError, match=r"mystudy\.yaml: " + pattern):
            call()
    with pytest.raises(InputTypeError, match="path must be a str or Path; got int"):
        load_study(3)
