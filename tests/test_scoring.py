"""Tests of studylib.scoring: reverse keys, mean/sum, min_valid_items, checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from studylib import Scale, load_scale, reverse_items, score, score_scales
from studylib.errors import ColumnError, DataError, InputTypeError, SpecError


@pytest.fixture
def scale():
    return Scale.from_dict(
        {"id": "s", "items": ["a", "b", "c", "d"], "reverse": ["b", "d"], "min": 1, "max": 7, "min_valid_items": 3}
    )


def test_reverse_uses_declared_range_not_data(scale):
    # nobody answered 1 or 7: a data-inferred range would give 6 - x, the declared one 8 - x
    df = pd.DataFrame({"a": [2, 3], "b": [2, 6], "c": [4, 5], "d": [3, None]})
    out = reverse_items(df, scale)
    assert_allclose(out["b"], [6, 2])
    assert_allclose(out["d"], [5, np.nan])
    assert_allclose(out["a"], df["a"])
    assert list(out.columns) == ["a", "b", "c", "d"]


def test_score_mean_min_valid_and_n_answered(scale):
    df = pd.DataFrame(
        {"a": [7, 1, 4, None], "b": [1, 7, None, None], "c": [7, 1, 4, 4], "d": [1, 7, 4, None]},
        index=["r1", "r2", "r3", "r4"],
    )
    before = df.copy()
    out = score(df, scale)
    assert list(out.columns) == ["score", "n_answered"]
    assert list(out.index) == ["r1", "r2", "r3", "r4"]
    assert_allclose(out["score"], [7.0, 1.0, 4.0, np.nan])
    assert out["n_answered"].tolist() == [4, 4, 3, 1]
    pd.testing.assert_frame_equal(df, before)  # raw data never modified
    assert out.attrs["min_valid_items"] == 3


def test_score_sum():
    s = Scale.from_dict({"id": "t", "items": ["a", "-b"], "min": 0, "max": 4, "score": "sum"})
    out = score(pd.DataFrame({"a": [4, 0, 2], "b": [0, 4, None]}), s)
    assert_allclose(out["score"], [8, 0, np.nan])  # sum needs all items
    assert out["n_answered"].tolist() == [2, 2, 1]


def test_score_scales_columns_and_ids():
    psr, pk = load_scale("psr"), load_scale("pk")
    rng = np.random.default_rng(1)
    cols = list(psr.items) + list(pk.items)
    df = pd.DataFrame(rng.integers(1, 8, size=(20, len(cols))), columns=cols, index=range(100, 120))
    df.iloc[0, :4] = np.nan
    out = score_scales(df, ["psr", pk])
    assert list(out.columns) == ["psr", "psr_n_answered", "pk", "pk_n_answered"]
    assert out.index.equals(df.index)
    assert_allclose(out["psr"], score(df, psr)["score"])
    pd.testing.assert_frame_equal(score(df, "psr"), score(df, psr))  # by id
    assert out.loc[100, "psr_n_answered"] == 4 and np.isnan(out.loc[100, "psr"])


def test_nullable_and_string_numbers_accepted(scale):
    df = pd.DataFrame(
        {"a": pd.array([1, None], dtype="Int64"), "b": ["7", "1"], "c": [1.0, 1.0], "d": [7, 1]}
    )
    # row 2: a missing; b = '7' -> 1 reversed? no: b = '1' -> 7, c = 1, d = 1 -> 7: (7 + 1 + 7) / 3
    assert_allclose(score(df, scale)["score"], [1.0, 5.0])


def test_errors_name_column_row_and_value(scale):
    df = pd.DataFrame({"a": [1, 9], "b": [1, 1], "c": [1, 1], "d": [1, 1]}, index=["p1", "p2"])
    with pytest.raises(DataError, match=r"column 'a' has values outside the declared range 1..7 in rows 'p2' \(value 9.0\) \(scale 's'\)"):
        score(df, scale)
    df2 = pd.DataFrame({"a": [1, 1], "b": [1, "x"], "c": [1, 1], "d": [1, 1]})
    with pytest.raises(DataError, match=r"column 'b' has non-numeric values in rows 1 \(value 'x'\) \(scale 's'\)"):
        score(df2, scale)
    df3 = pd.DataFrame({"a": [1], "b": [1], "c": [1]})
    with pytest.raises(ColumnError, match=r"columns not in data: \['d'\] \(scale 's'\)"):
        score(df3, scale)
    df4 = pd.DataFrame([[1, 1, 1, 1, 1]], columns=["a", "b", "c", "d", "a"])
    with pytest.raises(ColumnError, match=r"item columns that occur more than once in data: \['a'\]"):
        score(df4, scale)
    df5 = pd.DataFrame({"a": [1.0], "b": [np.inf], "c": [1], "d": [1]})
    with pytest.raises(DataError, match=r"column 'b' has values outside"):
        reverse_items(df5, scale)
    with pytest.raises(InputTypeError, match="data must be a pandas DataFrame; got dict"):
        score({"a": [1]}, scale)
    with pytest.raises(SpecError, match="no questionnaire 'nope'"):
        score_scales(df, ["nope"])
    with pytest.raises(SpecError, match="give one scale here; use score_scales"):
        score(df, [scale, scale])
    with pytest.raises(SpecError, match="'attention_check' is a set of single items"):
        score(df, "attention_check")


likert = st.integers(min_value=1, max_value=7) | st.none()


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=1, max_value=15))
    k = draw(st.integers(min_value=2, max_value=6))
    vals = draw(st.lists(st.lists(likert, min_size=k, max_size=k), min_size=n, max_size=n))
    rev = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    cols = [f"i{j}" for j in range(k)]
    df = pd.DataFrame(vals, columns=cols, dtype=float)
    mvi = draw(st.integers(min_value=1, max_value=k))
    s = Scale.from_dict(
        {"id": "p", "items": cols, "reverse": [c for c, r in zip(cols, rev, strict=True) if r],
         "min": 1, "max": 7, "min_valid_items": mvi}
    )
    return df, s


@settings(max_examples=60, deadline=None)
@given(frames())
def test_property_double_reversal_is_identity(fs):
    df, s = fs
    twice = reverse_items(reverse_items(df, s), s)
    pd.testing.assert_frame_equal(twice, df[list(s.items)].astype(float))


@settings(max_examples=60, deadline=None)
@given(frames())
def test_property_scores_within_range(fs):
    df, s = fs
    out = score(df, s)
    ok = out["score"].dropna()
    assert ((ok >= s.min) & (ok <= s.max)).all()
    assert (out["score"].isna() == (out["n_answered"] < s.min_valid_items)).all()
    assert (out["n_answered"] == df.notna().sum(axis=1)).all()
