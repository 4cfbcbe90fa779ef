"""Tests of studylib.questionnaires: the shipped YAML files and the schema checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from studylib import paths
from studylib.errors import DataError, SpecError
from studylib.questionnaires import (
    ItemSet,
    Scale,
    as_scales,
    load_questionnaires,
    load_scale,
    parse_questionnaire,
)

SHIPPED = sorted(paths.QUESTIONNAIRES.glob("*.yaml"))

# The ids and keys fixed in the project's contracts (CONTRACTS.md).
EXPECTED_SCALES = {
    "psr": ([f"psr_0{i}" for i in range(1, 9)], ["psr_03", "psr_06"], 6),
    "pk": ([f"pk_0{i}" for i in range(1, 6)], ["pk_05"], 4),
    "attitude": ([f"att_0{i}" for i in range(1, 6)], ["att_02", "att_04"], 4),
}
EXPECTED_SINGLE = {
    "manipulation_checks": ["mc_valence", "mc_response"],
    "attention_check": ["attn_01"],
    "demographics": ["age", "gender"],
    "follower_status": ["follower"],
}


def _minimal(**over):
    d = {"id": "x", "items": ["a", "b", "c"], "min": 1, "max": 5}
    d.update(over)
    return d


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_file_loads_and_is_complete(path: Path):
    q = load_scale(path)
    assert q.id == path.stem
    assert q.name and q.citation, "shipped definitions name their source"
    if isinstance(q, Scale):
        assert q.doi.startswith("10.")
        assert "dapted" in q.citation + q.metadata["adaptation"]
        wording = q.metadata["wording"]
        assert set(wording) == set(q.items)
        assert all(w.get("en") and w.get("nl") for w in wording.values()), "every item in EN and NL"
        anchors = q.metadata["anchors"]
        assert q.min in anchors and q.max in anchors
    else:
        assert all(it.en and it.nl for it in q.items), "every item in EN and NL"


def test_shipped_set_matches_contract():
    qs = load_questionnaires()
    assert set(qs) == set(EXPECTED_SCALES) | set(EXPECTED_SINGLE)
    for sid, (items, rev, mvi) in EXPECTED_SCALES.items():
        s = qs[sid]
        assert isinstance(s, Scale)
        assert list(s.items) == items and list(s.reverse) == rev
        assert (s.min, s.max, s.score, s.min_valid_items) == (1, 7, "mean", mvi)
    for sid, items in EXPECTED_SINGLE.items():
        assert isinstance(qs[sid], ItemSet)
        assert [it.id for it in qs[sid].items] == items


def test_single_item_codes_and_correct_answer():
    qs = load_questionnaires()
    mc = qs["manipulation_checks"]
    assert (mc.item("mc_valence").min, mc.item("mc_valence").max) == (1, 7)
    assert sorted(mc.item("mc_response").codes) == [1, 2, 3, 4]
    assert mc.item("mc_response").codes[4]["en"] == "I don't remember"
    assert qs["attention_check"].item("attn_01").correct == 2
    assert sorted(qs["demographics"].item("gender").codes) == [1, 2, 3, 4]
    assert qs["follower_status"].item("follower").codes[1]["en"] == "Yes"
    with pytest.raises(SpecError, match="has no item 'nope'"):
        mc.item("nope")


def test_itemset_check_codes():
    q = load_scale("demographics")
    ok = pd.DataFrame({"age": [20, None], "gender": [1, 4]})
    q.check(ok)  # no error
    with pytest.raises(DataError, match=r"column 'gender' .* outside the declared range 1\.\.4 in rows 1 \(value 5"):
        q.check(pd.DataFrame({"age": [20, 21], "gender": [1, 5]}))
    with pytest.raises(DataError, match=r"'gender' has values that are not answer codes in rows 0 \(value 1\.5\)"):
        q.check(pd.DataFrame({"age": [20], "gender": [1.5]}))


def test_psych_shorthand_becomes_reverse_list():
    s = Scale.from_dict(_minimal(items=["-a", "b", "-c"]))
    assert s.items == ("a", "b", "c")
    assert s.reverse == ("a", "c")
    # combined with an explicit list: the union, in item order
    s2 = Scale.from_dict(_minimal(items=["a", "b", "-c"], reverse=["a"]))
    assert s2.reverse == ("a", "c")


def test_defaults_and_roundtrip():
    s = Scale.from_dict(_minimal())
    assert (s.score, s.min_valid_items, s.name) == ("mean", 3, "x")
    assert Scale.from_dict(s.to_dict()) == s
    psr = load_scale("psr")
    assert Scale.from_dict(psr.to_dict()) == psr
    assert psr.wording("nl")["psr_01"].startswith("De influencer")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"min": None}, r"scale 'x': field 'min': is required: declare"),
        ({"max": "7"}, r"field 'max': must be a finite number; got '7'"),
        ({"min": 5, "max": 1}, r"field 'max': must be greater than min; got min=5, max=1"),
        ({"items": []}, r"field 'items': must be a non-empty list"),
        ({"items": ["a", "a"]}, r"field 'items\[1\]': item 'a' is listed more than once"),
        ({"items": ["a", "b c"]}, r"field 'items\[1\]': item id must be text"),
        ({"reverse": ["z"]}, r"field 'reverse\[0\]': 'z' is not one of the items"),
        ({"reverse": "a"}, r"field 'reverse': must be a list of item ids"),
        ({"score": "avg"}, r"field 'score': must be one of \['mean', 'sum'\]; got 'avg'"),
        ({"min_valid_items": 4}, r"field 'min_valid_items': must be a whole number from 1 to 3"),
        ({"score": "sum", "min_valid_items": 2}, r"must equal the number of items \(3\) with score: sum"),
        ({"revers": ["a"]}, r"unknown field\(s\) \['revers'\]"),
        ({"anchors": {9: "x"}}, r"field 'anchors.9': response value must be a number in 1..5"),
        ({"kind": "single_items"}, r"field 'kind': must be 'scale'"),
    ],
)
def test_scale_spec_errors(change, match):
    d = _minimal()
    for k, v in change.items():
        if v is None:
            d.pop(k)
        else:
            d[k] = v
    with pytest.raises(SpecError, match=match):
        Scale.from_dict(d)


def _write(tmp_path: Path, name: str, d) -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(d), encoding="utf-8")
    return p


def test_file_errors_name_file_scale_and_field(tmp_path):
    bad = _minimal(id="nfc")
    del bad["max"]
    p = _write(tmp_path, "nfc.yaml", bad)
    with pytest.raises(SpecError, match=r"nfc\.yaml \(scale 'nfc'\): field 'max': is required"):
        load_scale(p)
    p2 = _write(tmp_path, "other.yaml", _minimal(id="nfc"))
    with pytest.raises(SpecError, match=r"other\.yaml \(scale 'nfc'\): field 'id': must equal the file name stem 'other'"):
        load_scale(p2)
    p3 = tmp_path / "broken.yaml"
    p3.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"broken\.yaml: not valid YAML"):
        load_scale(p3)
    with pytest.raises(SpecError, match=r"broken\.yaml: not valid YAML"):
        load_questionnaires(tmp_path)


def test_single_items_errors(tmp_path):
    d = {"id": "chk", "kind": "single_items", "items": [{"id": "q1", "min": 1}]}
    with pytest.raises(SpecError, match=r"questionnaire 'chk'\): field 'items\[0\]\.max': is required"):
        ItemSet.from_dict(d, source="chk.yaml")
    d["items"][0].update(max=3, codes={1: "a", 2: "b"})
    with pytest.raises(SpecError, match=r"field 'items\[0\]\.codes': must label every whole number 1..3; got \[1, 2\]"):
        ItemSet.from_dict(d)
    d["items"][0].update(codes=None, correct=9)
    with pytest.raises(SpecError, match=r"field 'items\[0\]\.correct': must be a value in 1..3; got 9"):
        ItemSet.from_dict(d)
    with pytest.raises(SpecError, match=r"field 'kind': must be one of \['scale', 'single_items'\]; got 'grid'"):
        parse_questionnaire({"id": "g", "kind": "grid"})


def test_lookup_errors(tmp_path):
    with pytest.raises(SpecError, match=r"no questionnaire 'nope' in .*; available: \['attention_check'"):
        load_scale("nope")
    with pytest.raises(SpecError, match="questionnaire file not found"):
        load_scale(tmp_path / "missing.yaml")
    with pytest.raises(SpecError, match="questionnaire directory not found"):
        load_questionnaires(tmp_path / "nodir")


def test_user_directory(tmp_path):
    _write(tmp_path, "nfc.yaml", _minimal(id="nfc", items=["n1", "-n2"]))
    qs = load_questionnaires(tmp_path)
    assert list(qs) == ["nfc"] and qs["nfc"].reverse == ("n2",)
    assert load_scale("nfc", directory=tmp_path) == qs["nfc"]


def test_as_scales_normalises_and_rejects():
    s = Scale.from_dict(_minimal())
    assert as_scales(s) == [s]
    assert [x.id for x in as_scales(["psr", "pk"])] == ["psr", "pk"]
    assert as_scales(_minimal()) == [s]
    with pytest.raises(SpecError, match="'attention_check' is a set of single items"):
        as_scales(load_questionnaires())
    with pytest.raises(SpecError, match=r"scale ids given more than once: \['x'\]"):
        as_scales([s, s])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"min": 7, "max": 1}, "field 'max': must be greater than min"),
        ({"min": 1, "max": None}, "field 'max': must be a finite number"),
        ({"reverse": ("zz",)}, r"field 'reverse': \['zz'\] are not among the items"),
        ({"score": "avg"}, "field 'score': must be one of"),
        ({"score": "sum", "min_valid_items": 1}, "must equal the number of items"),
        ({"items": ("a", "a")}, r"lists items more than once: \['a'\]"),
    ],
)
def test_scale_built_directly_is_checked_like_from_dict(kwargs, match):
    fields = {"id": "x", "items": ("a", "b"), "min": 1, "max": 7, **kwargs}
    with pytest.raises(SpecError, match=match):
        Scale(**fields)


def test_scale_built_directly_gets_from_dicts_defaults():
    s = Scale(id="x", name="x", items=["a", "b"], min=1, max=5, reverse=["b"])
    assert s == Scale.from_dict({"id": "x", "items": ["a", "-b"], "min": 1, "max": 5})
    assert s.items == ("a", "b") and s.min_valid_items == 2
