"""Tests of studylib.io: round trips, Qualtrics and .sav specifics, bad input (with the raw
file and the raw frame left untouched) and hypothesis fuzzing of the readers."""

import os

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studylib import load_study, prepare, read_data, write_data
from studylib.errors import ColumnError, DataError, InputTypeError, OptionError, StudylibError
from studylib.io import spss_name
from studylib.paths import RAW
from studylib.simulate import load_params, simulate_study

STUDY = load_study()
QT = load_params()["question_text"]


@pytest.fixture(scope="module")
def raw():
    return simulate_study(n=90, seed=21)


def _unchanged(path, before):
    """The file has the same bytes and modification time as before."""
    stat = path.stat()
    return path.read_bytes() == before[0] and stat.st_mtime_ns == before[1]


def _snapshot(path):
    return path.read_bytes(), path.stat().st_mtime_ns


def test_csv_round_trip_is_identical(raw, tmp_path):
    path = write_data(raw, tmp_path / "export.csv")
    back = read_data(path, study=STUDY)
    pd.testing.assert_frame_equal(back, raw)
    rep = back.attrs["read_report"]
    assert (rep.format, rep.n_rows, rep.n_columns) == ("csv", 90, 33)
    assert rep.columns_ignored == ("StartDate", "EndDate", "Progress", "Finished", "UserLanguage")
    assert rep.columns_missing == ()
    assert "Duration (in seconds)" in rep.columns_used and "ResponseId" in rep.columns_used


def test_qualtrics_csv_round_trip_keeps_question_text(raw, tmp_path):
    path = write_data(raw, tmp_path / "q.csv", format="qualtrics_csv", question_text=QT)
    lines = path.read_text().splitlines()
    assert lines[2].startswith('"{""ImportId"":""StartDate""}"')  # quoted as Qualtrics does
    back = read_data(path)
    pd.testing.assert_frame_equal(back, raw)
    assert back.attrs["read_report"].format == "qualtrics_csv"
    assert back.attrs["question_text"]["ATTN"] == QT["ATTN"]


def test_legacy_qualtrics_csv_with_one_extra_row(raw, tmp_path):
    path = write_data(raw, tmp_path / "q.csv", format="qualtrics_csv", question_text=QT)
    lines = path.read_text().splitlines()
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("\n".join(lines[:2] + lines[3:]) + "\n")
    back = read_data(legacy)
    pd.testing.assert_frame_equal(back, raw)
    assert back.attrs["read_report"].format == "qualtrics_csv"
    assert back.attrs["question_text"]["ResponseId"] == "Response ID"


def test_rows_in_messages_are_the_export_line_numbers(raw, tmp_path):
    """Header = line 1: a plain CSV's first respondent is line 2, a Qualtrics CSV's line 4
    (two extra header rows), a legacy Qualtrics CSV's line 3 (one extra row)."""
    bad = raw.assign(PK_2=raw["PK_2"].astype("str").where(raw.index != 7, "agree"))
    q = write_data(bad, tmp_path / "q.csv", format="qualtrics_csv", question_text=QT)
    lines = q.read_text().splitlines()
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("\n".join(lines[:2] + lines[3:]) + "\n")
    plain = write_data(bad, tmp_path / "plain.csv")
    for path, line in ((plain, 9), (q, 11), (legacy, 10)):
        data = read_data(path, study=STUDY)
        with pytest.raises(DataError, match=rf"column 'PK_2' \(item 'pk_02'\) has non-numeric answers in rows "
                                            rf"{line} \(value 'agree'\)"):
            prepare(data, STUDY)
        assert (path.read_text().splitlines()[line - 1].count("agree")) == 1  # that line holds the answer


def test_sav_round_trip_gives_the_same_values_and_labels(raw, tmp_path):
    path = write_data(raw, tmp_path / "s.sav", study=STUDY, question_text=QT)
    back = read_data(path)
    assert back.attrs["read_report"].format == "sav"
    assert back["Valence"].cat.categories.tolist() == ["Negative comments", "Positive comments"]
    assert back["Gender"].cat.categories.tolist() == ["Woman", "Man", "Non-binary", "Prefer not to say"]
    assert back.attrs["value_labels"]["Response"] == {1.0: "No reaction", 2.0: "Like", 3.0: "Reply"}
    assert back.attrs["question_text"]["Duration_in_seconds"] == "Duration (in seconds)"
    expected = raw.rename(columns=spss_name)
    as_text = back.apply(lambda s: s.astype("str") if isinstance(s.dtype, pd.CategoricalDtype) else s)
    pd.testing.assert_frame_equal(as_text, expected)
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.variable_value_labels["Follow"] == {0.0: "No", 1.0: "Yes"}


def test_all_formats_prepare_to_the_same_frame(raw, tmp_path):
    direct = prepare(raw, STUDY)
    for name, fmt in (("a.csv", "csv"), ("b.csv", "qualtrics_csv"), ("c.sav", "sav")):
        path = write_data(raw, tmp_path / name, format=fmt, study=STUDY, question_text=QT)
        data = prepare(read_data(path, study=STUDY), STUDY)
        pd.testing.assert_frame_equal(data.drop(columns=[]), direct, check_like=False, obj=fmt)
    assert list(direct.columns[:3]) == ["resp_id", "valence", "response"]
    assert direct["valence"].cat.categories.tolist() == ["negative", "positive"]
    assert direct["response"].cat.categories.tolist() == ["none", "like", "reply"]
    assert direct["gender"].isin([1, 2, 3, 4]).all() and direct["follower"].isin([0, 1]).all()
    assert direct["mc_response"].isin([1, 2, 3, 4]).all()


def test_prepare_never_modifies_raw(raw):
    before = raw.copy(deep=True)
    attrs = dict(raw.attrs)
    data = prepare(raw, STUDY)
    data.loc[data.index[0], "psr_01"] = 99
    pd.testing.assert_frame_equal(raw, before)
    assert raw.attrs == attrs


def test_semicolon_csv_and_numeric_condition_codes(raw, tmp_path):
    coded = raw.copy()
    coded["Valence"] = coded["Valence"].map({"Negative comments": 1, "Positive comments": 2})
    coded["Response"] = coded["Response"].map({"No reaction": 1, "Like": 2, "Reply": 3})
    path = tmp_path / "semi.csv"
    coded.to_csv(path, sep=";", index=False)
    data = prepare(read_data(path), STUDY)
    pd.testing.assert_frame_equal(data, prepare(raw, STUDY))


def test_fully_labelled_likert_items_in_sav_are_mapped_back(raw, tmp_path):
    frame = prepare(raw, STUDY).copy()
    frame["valence"] = frame["valence"].cat.codes + 1.0
    frame["response"] = frame["response"].cat.codes + 1.0
    frame["resp_id"] = frame["resp_id"].astype(object)
    likert = {float(k): lab for k, lab in zip(range(1, 8), ["sd", "d", "sld", "n", "sla", "a", "sa"], strict=True)}
    path = tmp_path / "labelled.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"psr_01": likert, "psr_02": {1.0: "sd", 7.0: "sa"}})
    back = read_data(path)
    assert isinstance(back["psr_01"].dtype, pd.CategoricalDtype)  # fully labelled -> labels
    assert pd.api.types.is_integer_dtype(back["psr_02"])  # end points only -> numbers
    study = load_study()
    ident = {c: c for c in study.item_ids}
    repl = type(study)(**{**study.__dict__, "id_column": "resp_id", "columns": ident,
                          "factors": tuple(type(f)(f.name, f.name, f.levels, {lv: (i + 1,) for i, lv in enumerate(f.levels)})
                                           for f in study.factors)})
    again = prepare(back, repl)
    np.testing.assert_array_equal(again["psr_01"].to_numpy(), prepare(raw, STUDY)["psr_01"].to_numpy())


# ---------------------------------------------------------------- bad input


def _write(tmp_path, frame, name="bad.csv"):
    path = write_data(frame, tmp_path / name)
    return path, _snapshot(path)


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (lambda f: f.drop(columns=["PSR_4"]), ColumnError, r"columns not in data: 'PSR_4' \(item 'psr_04', needed by scales.psr\) \(file .*bad.csv"),
        (lambda f: f.drop(columns=["Response"]), ColumnError, r"columns not in data: 'Response' \(design.response\)"),
        (lambda f: f.assign(Valence=f["Valence"].replace({"Positive comments": "Positiv"})), DataError,
         r"column 'Valence' \(factor 'valence'\) has missing or unknown condition labels in rows \d+ "
         r"\(value 'Positiv'\).*allowed: negative: 'Negative comments', 1; positive"),
        (lambda f: f.assign(ResponseId=f["ResponseId"].where(f.index != 5, f["ResponseId"][0])), DataError,
         r"column 'ResponseId' must identify respondents uniquely; duplicated ids \['R_\w+'\] in rows 2, 7"),
        (lambda f: f.assign(PK_2=f["PK_2"].astype("str").where(f.index != 7, "agree")), DataError,
         r"column 'PK_2' \(item 'pk_02'\) has non-numeric answers in rows 9 \(value 'agree'\)"),
        (lambda f: f.assign(ATT_3=f["ATT_3"].where(f.index != 3, 9)), DataError,
         r"column 'att_03' has values outside the declared range 1..7 in rows 5 \(value 9.0\) \(scale 'attitude'"),
        (lambda f: f.assign(PSR_1=f["PSR_1"].astype(float).where(f.index != 2, 2.5)), DataError,
         r"column 'psr_01' has non-integer values"),
        (lambda f: f[~((f["Valence"] == "Positive comments") & (f["Response"] == "Reply"))], DataError,
         r"empty design cell\(s\): valence=positive x response=reply"),
        (lambda f: f.assign(Gender=f["Gender"].replace({"Man": "M"})), DataError,
         r"column 'Gender' \(item 'gender'\) has non-numeric answers .*text answers allowed: \['Woman'"),
        (lambda f: f.assign(MC_val=f["MC_val"].where(f.index != 1, 0)), DataError,
         r"column 'mc_valence' has values outside the declared range 1..7 in rows 3"),
    ],
    ids=["missing-item", "missing-condition", "unknown-label", "duplicate-id", "non-numeric",
         "out-of-range", "non-integer", "empty-cell", "unknown-text-code", "single-item-range"],
)
def test_bad_input_gives_a_clear_error_and_leaves_the_file_untouched(raw, tmp_path, change, error, pattern):
    path, before = _write(tmp_path, change(raw))
    data = read_data(path, study=STUDY)
    frozen = data.copy(deep=True)
    with pytest.raises(error, match=pattern):
        prepare(data, STUDY)
    assert _unchanged(path, before)
    pd.testing.assert_frame_equal(data, frozen)


def test_read_report_lists_missing_study_columns(raw, tmp_path):
    path, _ = _write(tmp_path, raw.drop(columns=["PSR_4", "Valence"]))
    rep = read_data(path, study=STUDY).attrs["read_report"]
    assert rep.columns_missing == ("Valence", "PSR_4")
    assert "columns the study needs but not found: Valence, PSR_4" in rep.summary()


def test_files_that_are_not_csv_or_sav(tmp_path):
    xlsx = tmp_path / "data.xlsx"
    xlsx.write_bytes(b"PK\x03\x04 not really a workbook")
    before = _snapshot(xlsx)
    with pytest.raises(DataError, match=r"data.xlsx: not a CSV or SPSS file \(suffix '.xlsx'\); allowed: .csv"):
        read_data(xlsx)
    assert _unchanged(xlsx, before)
    fake = tmp_path / "fake.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    before = _snapshot(fake)
    with pytest.raises(DataError, match=r"fake.csv: the file holds binary data"):
        read_data(fake)
    assert _unchanged(fake, before)
    sav = tmp_path / "fake.sav"
    sav.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"fake.sav: not a readable SPSS .sav file"):
        read_data(sav)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="the file is empty"):
        read_data(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("naam,leeftijd\nJos\xe9,21\n".encode("cp1252"))
    with pytest.raises(DataError, match=r"cannot decode the file as UTF-8 .*encoding='cp1252'"):
        read_data(latin)
    assert read_data(latin, encoding="cp1252")["naam"].tolist() == ["José"]
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(DataError, match=r"the header names columns more than once: \['a'\]"):
        read_data(dup)
    with pytest.raises(FileNotFoundError, match="data file not found"):
        read_data(tmp_path / "nope.csv")
    with pytest.raises(InputTypeError, match="path must be a str or Path; got int"):
        read_data(3)


def test_prepare_rejects_wrong_types(raw):
    with pytest.raises(InputTypeError, match="raw must be a pandas DataFrame; got dict"):
        prepare({"a": [1]}, STUDY)
    with pytest.raises(InputTypeError, match="study must be a Study"):
        prepare(raw, "analyses/study.yaml")


def test_write_data_refuses_the_raw_folder(raw):
    target = RAW / "never.csv"
    with pytest.raises(OptionError, match="data/raw holds user exports and is read-only"):
        write_data(raw, target)
    assert not target.exists()


# ---------------------------------------------------------------- fuzzing

_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_or_studylib_error(path):
    try:
        out = read_data(path)
    except StudylibError:
        return None
    assert isinstance(out, pd.DataFrame)
    return out


@_FUZZ
@given(payload=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".sav", ".tsv"]))
def test_fuzz_random_bytes(tmp_path, payload, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(payload)
    _read_or_studylib_error(path)
    assert path.read_bytes() == payload


_cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)


@_FUZZ
@given(rows=st.lists(st.lists(_cell, min_size=1, max_size=5), min_size=0, max_size=6),
       sep=st.sampled_from([",", ";", "\t"]))
def test_fuzz_random_csv_text(tmp_path, rows, sep):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(sep.join(r) for r in rows), encoding="utf-8")
    out = _read_or_studylib_error(path)
    if out is not None:
        assert out.attrs["read_report"].n_rows == len(out)


_SMALL = simulate_study(n=24, seed=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_prepare_on_perturbed_exports(tmp_path, data):
    frame = _SMALL.copy()
    col = data.draw(st.sampled_from(list(frame.columns)))
    row = data.draw(st.integers(0, len(frame) - 1))
    value = data.draw(st.one_of(st.none(), st.integers(-5, 12), _cell, st.floats(allow_nan=True)))
    frame[col] = frame[col].astype(object)
    frame.loc[row, col] = value
    path = tmp_path / "p.csv"
    write_data(frame, path)
    try:
        out = prepare(read_data(path), STUDY)
    except StudylibError:
        return
    assert len(out) == 24 and out["resp_id"].is_unique
    os.remove(path)


def test_bad_sav_condition_code_names_the_value_and_leaves_the_file(raw, tmp_path):
    frame = raw.copy()
    frame["Valence"] = frame["Valence"].where(frame.index != 4, "Neutral comments")
    study = load_study()
    extra = type(study.factors[0])("valence", "Valence", ("negative", "positive", "neutral"),
                                   {**study.factors[0].labels, "neutral": ("Neutral comments", 3)})
    writer_study = type(study)(**{**study.__dict__, "factors": (extra, study.factors[1])})
    path = write_data(frame, tmp_path / "bad.sav", study=writer_study)
    before = _snapshot(path)
    data = read_data(path, study=STUDY)
    assert data["Valence"].cat.categories.tolist() == ["Negative comments", "Positive comments", "Neutral comments"]
    with pytest.raises(DataError, match=r"column 'Valence' \(factor 'valence'\) .* in rows 5 \(value 'Neutral comments'\)"):
        prepare(data, STUDY)
    assert _unchanged(path, before)
