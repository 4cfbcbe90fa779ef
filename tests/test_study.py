"""Tests of studylib.study: the shipped configuration, schema errors naming file and field,
and a replication that changes only the configuration file."""

import copy

import pandas as pd
import pytest
import yaml

from studylib import load_study, prepare, read_data
from studylib.errors import SpecError
from studylib.paths import QUESTIONNAIRES, STUDY_CONFIG, SYNTHETIC
from studylib.questionnaires import load_scale
from studylib.simulate import simulate_study
from studylib.study import Study

BASE = yaml.safe_load(STUDY_CONFIG.read_text())
BASE["questionnaires"] = str(QUESTIONNAIRES)  # the copies are written to tmp_path
INLINE = {sid: {k: v for k, v in load_scale(sid).to_dict().items() if k in ("items", "reverse", "min", "max", "min_valid_items")}
          for sid in BASE["scales"]}


def test_shipped_configuration():
    s = load_study()
    assert s.path == STUDY_CONFIG and s.seed == 20240315
    assert s.data == SYNTHETIC / "influencer_study.csv" and s.data.is_file()
    assert s.id_column == "ResponseId"
    assert [(f.name, f.column, f.levels) for f in s.factors] == [
        ("valence", "Valence", ("negative", "positive")),
        ("response", "Response", ("none", "like", "reply")),
    ]
    assert s.factor("valence").lookup() == ({"Negative comments": "negative", "Positive comments": "positive"},
                                            {1.0: "negative", 2.0: "positive"})
    assert s.item_ids[:2] == ("duration_s", "psr_01") and len(s.item_ids) == 25
    assert {sc.id: (len(sc.items), sc.reverse, sc.min_valid_items) for sc in s.scales} == {
        "psr": (8, ("psr_03", "psr_06"), 6), "pk": (5, ("pk_05",), 4), "attitude": (5, ("att_02", "att_04"), 4)}
    assert s.exclusions[1].params == {"column": "duration_s", "fraction_of_median": 0.4}
    assert s.exclusions[4].params == {"column": "follower", "value": 1}
    models = {m.name: m for m in s.models}
    assert models["model83"].kind == "process"
    assert models["model83"].options == {"model": 83, "x": "valence", "w": "response", "m": ["psr", "pk"],
                                         "y": "attitude", "w_coding": "indicator", "boot": 5000,
                                         "conf": 0.95, "ci": "percentile"}
    assert [m.options["dv"] for m in s.models if m.kind == "anova"] == ["psr", "pk", "attitude"]


def test_to_dict_round_trip():
    s = load_study()
    d = s.to_dict()
    again = Study.from_dict({k: v for k, v in d.items() if k != "path"}, path=s.path)
    assert again == s


def _bad(tmp_path, edit):
    d = copy.deepcopy(BASE)
    d["scales"] = copy.deepcopy(INLINE)  # scales defined in the study file itself
    edit(d)
    path = tmp_path / "mystudy.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d["scales"]["psr"].pop("max"), r"field 'scales.psr.max' is missing \(always declare min and max\)"),
        (lambda d: d.pop("design"), r"field 'design' is missing"),
        (lambda d: d["scales"]["pk"].update(reverse=["pk_09"]), r"field 'scales.pk' \(scale 'pk'\): field 'reverse\[0\]': 'pk_09' is not one of the items"),
        (lambda d: d["exclusions"].append({"rule": "too_fast"}), r"field 'exclusions\[6\].rule' must be one of \['attention_check'"),
        (lambda d: d["exclusions"][1].pop("fraction_of_median"), r"field 'exclusions\[1\].fraction_of_median' is missing \(rule 'speeder'\)"),
        (lambda d: d["exclusions"][1].update(fraction_of_median=2), r"must lie strictly between 0 and 1; got 2"),
        (lambda d: d["exclusions"][2].update(scales=["nfc"]), r"field 'exclusions\[2\].scales' names scales not in 'scales': \['nfc'\]"),
        (lambda d: d["exclusions"][0].update(colour="red"), r"has unknown parameters \['colour'\] for rule 'attention_check'"),
        (lambda d: d["design"]["response"]["levels"].update(reply=["Like", 3]), r"field 'design.response.levels.reply' label/code 'Like' also marks level 'like'"),
        (lambda d: d["scales"]["psr"].update(min=7), r"field 'scales.psr' \(scale 'psr'\): field 'max': must be greater than min"),
        (lambda d: d["scales"]["psr"].update(min_valid_items=9), r"field 'scales.psr' \(scale 'psr'\): field 'min_valid_items': must be a whole number from 1 to 8"),
        (lambda d: d["models"]["model83"].pop("y"), r"field 'models.model83.y' is missing \(process model\)"),
        (lambda d: d.update(colour="red"), r"unknown fields \['colour'\]"),
        (lambda d: d["columns"].update(Q9="valence"), r"field 'columns' maps export columns to reserved names \['valence'\]"),
        (lambda d: d.update(seed=-1), r"field 'seed' must be a non-negative whole number"),
        (lambda d: d["ranges"].update(age=[40, 18]), r"field 'ranges.age' min must not exceed max"),
    ],
)
def test_schema_errors_name_file_and_field(tmp_path, edit, pattern):
    path = _bad(tmp_path, edit)
    with pytest.raises(SpecError, match=r"mystudy\.yaml[:,] .*" + pattern):
        load_study(path)


def test_scales_by_id_and_inline_agree(tmp_path):
    s = load_study()
    assert s.questionnaires == QUESTIONNAIRES
    assert s.scales == tuple(load_scale(sid) for sid in ("psr", "pk", "attitude"))
    inline = _bad(tmp_path, lambda d: None)
    assert tuple((x.items, x.reverse, x.min, x.max, x.min_valid_items) for x in load_study(inline).scales) == \
        tuple((x.items, x.reverse, x.min, x.max, x.min_valid_items) for x in s.scales)
    single = _bad(tmp_path, lambda d: d.update(scales=["demographics"]))
    with pytest.raises(SpecError, match="field 'scales.demographics' names 'demographics', which is a set of single"):
        load_study(single)
    unknown = _bad(tmp_path, lambda d: d.update(scales=["nfc"]))
    with pytest.raises(SpecError, match="no questionnaire 'nfc' in"):
        load_study(unknown)


def test_study_agrees_with_the_questionnaire_definitions():
    """Ranges and the attention check's correct answer in study.yaml match questionnaires/."""
    s = load_study()
    singles = {i.id: i for q in ("manipulation_checks", "attention_check", "demographics", "follower_status")
               for i in load_scale(q).items}
    for item, (lo, hi) in s.ranges.items():
        assert (singles[item].min, singles[item].max) == (lo, hi), item
    attn = next(r for r in s.exclusions if r.rule == "attention_check")
    assert singles[attn.params["column"]].correct == attn.params["correct"]
    assert set(s.codes["mc_response"].values()) == set(singles["mc_response"].codes)
    assert set(s.codes["gender"].values()) == set(singles["gender"].codes)


def test_not_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("design: [unclosed\n")
    with pytest.raises(SpecError, match="broken.yaml: not a valid YAML file"):
        load_study(path)
    with pytest.raises(FileNotFoundError, match="study configuration not found"):
        load_study(tmp_path / "none.yaml")


def test_a_replication_edits_only_the_configuration(tmp_path):
    """Another survey tool: other column names, numeric condition codes, text in other words."""
    raw = simulate_study(n=60, seed=4)
    rename = {c: f"Q{i}" for i, c in enumerate(raw.columns) if c.startswith(("PSR", "PK", "ATT_"))}
    rename.update({"ResponseId": "participant", "Duration (in seconds)": "time_s", "Valence": "cond_a",
                   "Response": "cond_b", "Gender": "sex"})
    other = raw.rename(columns=rename)
    other["cond_a"] = other["cond_a"].map({"Negative comments": 0, "Positive comments": 1})
    other["cond_b"] = other["cond_b"].map({"No reaction": "control", "Like": "liked", "Reply": "replied"})
    other["sex"] = other["sex"].map({"Woman": "F", "Man": "M", "Non-binary": "X", "Prefer not to say": "?"})
    path = tmp_path / "other.csv"
    other.to_csv(path, index=False)

    d = copy.deepcopy(BASE)
    d["id_column"] = "participant"
    d["design"]["valence"] = {"column": "cond_a", "levels": {"negative": 0, "positive": 1}}
    d["design"]["response"] = {"column": "cond_b", "levels": {"none": "control", "like": "liked", "reply": "replied"}}
    cols = {}
    for export, item in BASE["columns"].items():
        new = rename.get(export, export)
        if export != "Duration_in_seconds":
            cols[new] = item
    d["columns"] = cols
    d["codes"]["gender"] = {"F": 1, "M": 2, "X": 3, "?": 4}
    cfg = tmp_path / "replication.yaml"
    cfg.write_text(yaml.safe_dump(d, sort_keys=False))
    study = load_study(cfg)
    mine = prepare(read_data(path, study=study), study)
    theirs = prepare(raw, load_study())
    pd.testing.assert_frame_equal(mine, theirs)
