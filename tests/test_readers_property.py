"""Property tests of every reader: random bytes, random CSV shapes and random YAML give a
studylib error or a result, never another exception, and the file read is never changed.

Readers: read_data (CSV, Qualtrics CSV, .sav), load_study, load_scale and
load_questionnaires, load_params (the simulator's parameters) and Model83Effects.from_file /
from_params. Besides arbitrary documents, the YAML strategies mutate the shipped files (one
field replaced by a random value, or removed), which reaches the checks deep inside each
loader. Derandomized in CI like every hypothesis test (tests/conftest.py).
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studylib import load_questionnaires, load_scale, load_study, paths, read_data
from studylib.errors import StudylibError
from studylib.power import Model83Effects
from studylib.questionnaires import ItemSet, Scale
from studylib.simulate import load_params
from studylib.study import Study

_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_STUDY = yaml.safe_load(paths.STUDY_CONFIG.read_text(encoding="utf-8"))
_STUDY.update(data=str(paths.SYNTHETIC / "influencer_study.csv"), questionnaires=str(paths.QUESTIONNAIRES))
_SCALE = yaml.safe_load((paths.QUESTIONNAIRES / "psr.yaml").read_text(encoding="utf-8"))
_SINGLES = yaml.safe_load((paths.QUESTIONNAIRES / "demographics.yaml").read_text(encoding="utf-8"))
_PARAMS = yaml.safe_load((paths.SYNTHETIC / "params.yaml").read_text(encoding="utf-8"))
_EFFECTS = {"x_m1": 0.4, "xw_m1": {"like": -0.7, "reply": -1.0}, "m1_m2": -0.4, "m2_y": -0.4}


def _sha(path: Path) -> str:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in files)).hexdigest()


def _outcome(read, path: Path, kinds: tuple[type, ...]) -> Any:
    """Call ``read(path)``: a studylib error or a result of ``kinds``; the file unchanged."""
    before = _sha(path)
    try:
        result = read(path)
    except StudylibError:
        result = None
    else:
        assert isinstance(result, kinds), type(result)
    assert _sha(path) == before
    return result


# -- strategies ----------------------------------------------------------------------------

_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(["2024-02-30", "1e400", ".inf", "-.nan", "~", "0x1F", "0o17", "1_000",
                                     "yes", "no", "on", "null", "[", "{", "-", "psr_01", "1..7"]))
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=8), st.integers(-3, 9)), inner,
                                                 max_size=4)), max_leaves=12)
_yaml_chars = st.sampled_from(list("abcxyz019 :-[]{},&*!|>'\"#%@`?\n\t\\.=") + ["\u00e9", "\x85", "\ufeff"])
_yaml_text = st.one_of(st.lists(_yaml_chars, max_size=80).map("".join),
                       _value.map(lambda v: yaml.safe_dump(v, allow_unicode=True)))


def _paths_of(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths_of(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths_of(v, (*prefix, i))
    return out


@st.composite
def _mutated(draw: Any, base: dict[str, Any]) -> str:
    """``base`` with one field replaced by a random value (or removed), as YAML text."""
    doc = copy.deepcopy(base)
    where = draw(st.sampled_from(_paths_of(doc)[1:]))
    parent = doc
    for key in where[:-1]:
        parent = parent[key]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = draw(_value)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _document(base: dict[str, Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        _yaml_text.map(lambda t: t.encode("utf-8")),
        _mutated(base).map(lambda t: t.encode("utf-8")),
        _mutated(base).map(lambda t: t.encode("utf-16")),
    )


# -- data files -----------------------------------------------------------------------------

@_SETTINGS
@given(payload=st.binary(max_size=500), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".sav", ".zsav"]))
def test_read_data_on_random_bytes(tmp_path, payload, suffix):
    path = tmp_path / f"export{suffix}"
    path.write_bytes(payload)
    _outcome(lambda p: read_data(p, study=load_study()), path, (pd.DataFrame,))


_cell = st.one_of(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
                  st.integers(-1000, 1000).map(str), st.floats(allow_nan=True).map(repr),
                  st.sampled_from(['"', '""', '"a,b"', "\r", "NA", "ResponseId", "Response ID",
                                   '{"ImportId":"QID1"}', "PSR_1", " "]))


@_SETTINGS
@given(header=st.lists(_cell, min_size=0, max_size=6), rows=st.lists(st.lists(_cell, max_size=7), max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), newline=st.sampled_from(["\n", "\r\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_read_data_on_random_csv_shapes(tmp_path, header, rows, sep, newline, encoding):
    text = newline.join(sep.join(r) for r in [header, *rows])
    path = tmp_path / "export.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    out = _outcome(read_data, path, (pd.DataFrame,))
    if out is not None:
        assert out.columns.is_unique and out.attrs["read_report"].n_rows == len(out)


# -- YAML readers -----------------------------------------------------------------------------

@_SETTINGS
@given(payload=_document(_STUDY))
def test_load_study_on_random_yaml(tmp_path, payload):
    path = tmp_path / "study.yaml"
    path.write_bytes(payload)
    _outcome(load_study, path, (Study,))


@_SETTINGS
@given(payload=st.one_of(_document(_SCALE), _document(_SINGLES)))
def test_load_scale_and_questionnaires_on_random_yaml(tmp_path, payload):
    path = tmp_path / "psr.yaml"
    path.write_bytes(payload)
    _outcome(load_scale, path, (Scale, ItemSet))
    _outcome(load_questionnaires, tmp_path, (dict,))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=_document(_PARAMS))
def test_load_params_on_random_yaml(tmp_path, payload):
    path = tmp_path / "params.yaml"
    path.write_bytes(payload)
    _outcome(load_params, path, (dict,))
    _outcome(Model83Effects.from_params, path, (Model83Effects,))


@_SETTINGS
@given(payload=st.one_of(_document(_EFFECTS), _document({"effects": _EFFECTS})),
       suffix=st.sampled_from([".yaml", ".json"]))
def test_effects_file_on_random_yaml(tmp_path, payload, suffix):
    path = tmp_path / f"effects{suffix}"
    path.write_bytes(payload)
    _outcome(Model83Effects.from_file, path, (Model83Effects,))
