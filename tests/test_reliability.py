"""Tests of studylib.reliability: reference values from R psych 2.2.9 on psychTools::bfi,
properties, and errors. Provenance: tests/reference/reliability/PROVENANCE.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from studylib import Scale, reliability
from studylib.errors import (
    ColumnError,
    DataError,
    InputTypeError,
    ModelError,
    OptionError,
    SpecError,
)
from studylib.reliability import ReliabilityResult, one_factor_minres, pairwise_cov

REF = Path(__file__).parent / "reference" / "reliability"

# R psych 2.2.9 psych::alpha (use = "pairwise"), shared reference README.
PSYCH = {
    "A": {
        "items": ["A1", "A2", "A3", "A4", "A5"],
        "reverse": ["A1"],
        "alpha": 0.703018,
        "alpha_std": 0.713029,
        "alpha_listwise": 0.7037559,
        "n_listwise": 2709,
        "omega_minres": 0.7237,
        "alpha_if_dropped": [0.718517, 0.617180, 0.600260, 0.685806, 0.642953],
        "r_drop": [0.308418, 0.563615, 0.587005, 0.394444, 0.488565],
    },
    "C": {
        "items": ["C1", "C2", "C3", "C4", "C5"],
        "reverse": ["C4", "C5"],
        "alpha": 0.726735,
        "alpha_std": 0.730073,
        "alpha_listwise": 0.7292772,
        "n_listwise": 2707,
        "omega_minres": 0.7338,
        "alpha_if_dropped": [0.694000, 0.673571, 0.688734, 0.653826, 0.689725],
        "r_drop": [0.450242, 0.504565, 0.464205, 0.552547, 0.477469],
    },
}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(REF / "psychTools_bfi.csv")


@pytest.mark.parametrize("key", ["A", "C"])
def test_alpha_matches_psych_pairwise(bfi, key):
    ref = PSYCH[key]
    res = reliability(bfi, ref["items"], reverse=ref["reverse"], min=1, max=6)
    # psych prints 6 decimals: 1e-6 relative is at the precision of the reference
    assert_allclose(res.alpha, ref["alpha"], rtol=1e-6)
    assert_allclose(res.alpha_std, ref["alpha_std"], rtol=1e-6)
    assert_allclose(res.items["r_drop"], ref["r_drop"], rtol=1e-6)
    assert_allclose(res.items["alpha_if_dropped"], ref["alpha_if_dropped"], rtol=1e-6)
    assert res.n == 2800 and res.missing == "pairwise"
    assert res.items["reversed"].tolist() == [i in ref["reverse"] for i in ref["items"]]


@pytest.mark.parametrize("key", ["A", "C"])
def test_alpha_matches_psych_listwise(bfi, key):
    ref = PSYCH[key]
    res = reliability(bfi, ref["items"], reverse=ref["reverse"], min=1, max=6, missing="listwise")
    assert_allclose(res.alpha, ref["alpha_listwise"], rtol=1e-6)
    assert res.n == ref["n_listwise"] == res.n_complete


@pytest.mark.parametrize("key", ["A", "C"])
def test_omega_matches_psych_one_factor(bfi, key):
    ref = PSYCH[key]
    res = reliability(bfi, ref["items"], reverse=ref["reverse"], min=1, max=6, missing="listwise")
    # the tolerance: within 0.002 of the one-factor value (reference printed to 4
    # decimals; different minres optimisers); measured agreement is < 1e-4
    assert_allclose(res.omega, ref["omega_minres"], atol=0.002)
    # pairwise uses the pairwise correlation matrix; it is close but not the reference
    pw = reliability(bfi, ref["items"], reverse=ref["reverse"], min=1, max=6)
    assert abs(pw.omega - res.omega) < 0.005


def test_item_table_psych_conventions(bfi):
    ref = PSYCH["A"]
    res = reliability(bfi, ref["items"], reverse=ref["reverse"], min=1, max=6)
    x = bfi[ref["items"]].astype(float).copy()
    x["A1"] = 7 - x["A1"]
    t = res.items.set_index("item")
    # n, mean and sd of the reverse-keyed items (psych: colSums(!is.na), colMeans, sd)
    assert t["n"].tolist() == x.notna().sum().tolist()
    assert_allclose(t["mean"], x.mean(), rtol=1e-12)
    assert_allclose(t["sd"], x.std(), rtol=1e-12)
    # r_total = psych raw.r: cor(rowMeans(x, na.rm = TRUE), x, use = "pairwise")
    total = x.mean(axis=1)
    assert_allclose(t["r_total"], [total.corr(x[c]) for c in x], rtol=1e-10)
    assert list(res.items.columns) == [
        "item", "reversed", "n", "mean", "sd", "r_total", "r_drop",
        "alpha_if_dropped", "alpha_std_if_dropped", "loading",
    ]


def test_feldt_interval_formula(bfi):
    from scipy import stats

    res = reliability(bfi, ["C1", "C2", "C3", "-C4", "-C5"], min=1, max=6, conf=0.90)
    n, k, a = 2800, 5, res.alpha
    lo = 1 - (1 - a) * stats.f.ppf(0.95, n - 1, (n - 1) * (k - 1))
    hi = 1 - (1 - a) * stats.f.ppf(0.05, n - 1, (n - 1) * (k - 1))
    assert_allclose(res.alpha_ci, (lo, hi), rtol=1e-12)
    assert res.alpha_ci[0] < a < res.alpha_ci[1]
    assert_allclose(res.alpha, PSYCH["C"]["alpha"], rtol=1e-6)  # "-C4" shorthand


def test_pingouin_agrees_on_complete_data(bfi):
    pg = pytest.importorskip("pingouin")
    x = bfi[["A1", "A2", "A3", "A4", "A5"]].dropna().copy()
    x["A1"] = 7 - x["A1"]
    res = reliability(x, min=1, max=6, missing="listwise")
    a, ci = pg.cronbach_alpha(x)
    assert_allclose(res.alpha, a, rtol=1e-10)
    assert_allclose(res.alpha_ci, ci, atol=5e-4)  # pingouin rounds its CI to 3 decimals


def test_scale_argument_and_result_api():
    s = Scale.from_dict({"id": "agree", "items": ["a", "b", "-c"], "min": 1, "max": 5})
    df = pd.DataFrame({"a": [1, 2, 4, 5, 3], "b": [2, 2, 5, 4, 3], "c": [5, 4, 1, 2, 2]})
    res = reliability(df, scale=s)
    same = reliability(df, ["a", "b", "c"], reverse=["c"], min=1, max=5)
    assert isinstance(res, ReliabilityResult) and res.scale == "agree"
    assert_allclose(res.alpha, same.alpha, rtol=1e-14)
    tab = res.table()
    assert tab["term"].tolist() == ["alpha", "alpha_std", "omega_total"]
    assert list(tab.columns) == ["term", "estimate", "ci_low", "ci_high", "n", "k", "missing"]
    assert tab.attrs["conf"] == 0.95
    d = res.to_dict()
    assert d["alpha"] == res.alpha and len(d["items"]) == 3 and d["scale"] == "agree"
    assert "Cronbach's alpha" in res.summary() and "agree" in res.summary()
    with pytest.raises(AttributeError):
        res.alpha = 0.5  # frozen


def test_shipped_scale_by_id():
    rng = np.random.default_rng(3)
    f = rng.normal(size=300)
    items = {f"pk_0{i}": np.clip(np.round(4 + 1.2 * f + rng.normal(size=300)), 1, 7) for i in range(1, 6)}
    items["pk_05"] = 8 - items["pk_05"]  # worded the other way
    res = reliability(pd.DataFrame(items), scale="pk")
    assert res.items["reversed"].tolist() == [False] * 4 + [True]
    assert res.alpha > 0.8 and (res.items["r_drop"] > 0.5).all()
    # a YAML path is accepted as in score(): the same scale, the same alpha
    from studylib.paths import QUESTIONNAIRES

    assert reliability(pd.DataFrame(items), scale=QUESTIONNAIRES / "pk.yaml").alpha == res.alpha


def test_pairwise_cov_matches_pandas():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    c, n = pairwise_cov(x)
    assert_allclose(c, pd.DataFrame(x).cov().to_numpy(), rtol=1e-12)
    assert (n == (~np.isnan(x)).astype(int).T @ (~np.isnan(x)).astype(int)).all()


def test_minres_recovers_exact_one_factor_structure():
    lam = np.array([0.3, 0.5, 0.7, 0.8, 0.6])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    assert_allclose(one_factor_minres(r), lam, atol=1e-6)


def test_minres_heywood_case_is_bounded_like_psych():
    lam = np.array([1.1, 0.5, 0.5, 0.4])  # no proper solution: first loading > 1
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    est = one_factor_minres(r)
    assert_allclose(est[0], np.sqrt(0.995), rtol=1e-9)  # psych bounds uniquenesses at 0.005
    assert (np.abs(est[1:]) < 1).all()


@st.composite
def item_frames(draw):
    n = draw(st.integers(min_value=8, max_value=30))
    k = draw(st.integers(min_value=3, max_value=6))
    seed = draw(st.integers(min_value=0, max_value=2**31))
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.round(4 + f + rng.normal(size=(n, k))), 1, 7)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:3] = np.array([[1] * k, [7] * k, [4] + [5] * (k - 1)])  # variance in every item
    perm = draw(st.permutations(range(k)))
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(k)]), perm


@pytest.mark.filterwarnings("ignore:one-factor model has a Heywood case")
def test_omega_on_a_singular_correlation_matrix_does_not_depend_on_item_order():
    # found by the property test below: 4 complete cases x 5 items give a singular r whose
    # numerical inverse is unusable; omega was NaN in one item order and 0.966 in another
    nan = np.nan
    df = pd.DataFrame({"i0": [1, 7, 4, 5, 3, 5, nan, 4], "i1": [1, 7, 5, 6, nan, nan, 3, 3],
                       "i2": [1, 7, 5, 3, 2, 5, 4, 4], "i3": [1, 7, 5, 5, 3, 5, 4, nan],
                       "i4": [1, 7, 5, 4, 1, 3, 3, 4]}, dtype=float)
    kw = dict(reverse=["i0"], min=1, max=7, missing="listwise")
    a = reliability(df, ["i0", "i1", "i2", "i3", "i4"], **kw)
    b = reliability(df, ["i2", "i1", "i0", "i3", "i4"], **kw)
    assert np.isfinite(a.omega)
    assert_allclose(b.omega, a.omega, rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(item_frames(), st.sampled_from(["pairwise", "listwise"]))
@pytest.mark.filterwarnings("ignore:one-factor model has a Heywood case")
def test_property_alpha_independent_of_item_order(fr, missing):
    df, perm = fr
    cols = list(df.columns)
    if missing == "listwise" and df.dropna().shape[0] < 3:
        return
    try:
        a = reliability(df, cols, reverse=[cols[0]], min=1, max=7, missing=missing)
    except ModelError:  # e.g. an item constant among complete cases: same for any order
        with pytest.raises(ModelError):
            reliability(df, [cols[i] for i in perm], reverse=[cols[0]], min=1, max=7, missing=missing)
        return
    b = reliability(df, [cols[i] for i in perm], reverse=[cols[0]], min=1, max=7, missing=missing)
    # same numbers summed in another order: rounding only (atol for values near 0)
    assert_allclose(b.alpha, a.alpha, rtol=1e-10, atol=1e-12)
    assert_allclose(b.alpha_std, a.alpha_std, rtol=1e-10, atol=1e-12)
    assert_allclose(b.omega, a.omega, rtol=1e-6, atol=1e-8)  # iterative fit: optimiser tolerance
    ta, tb = a.items.set_index("item"), b.items.set_index("item").loc[cols]
    assert_allclose(tb["r_drop"], ta["r_drop"], rtol=1e-10, atol=1e-12)
    assert_allclose(tb["alpha_if_dropped"], ta["alpha_if_dropped"], rtol=1e-10, atol=1e-12)


def test_errors():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3], "c": [1, 3, 2, 4]})
    with pytest.raises(OptionError, match=r"reverse keying of \['c'\] needs the declared response range: pass min= and max="):
        reliability(df, ["a", "b", "c"], reverse=["c"])
    with pytest.raises(OptionError, match=r"reverse keying of \['c'\]"):
        reliability(df, ["a", "b", "-c"])
    with pytest.raises(OptionError, match="missing must be one of 'pairwise', 'listwise'; got 'drop'"):
        reliability(df, missing="drop")
    with pytest.raises(OptionError, match="conf must be a number strictly between 0 and 1; got 95"):
        reliability(df, conf=95)
    with pytest.raises(OptionError, match="give both min= and max="):
        reliability(df, min=1)
    with pytest.raises(OptionError, match=r"reverse items \['z'\] are not among the items"):
        reliability(df, reverse=["z"], min=1, max=4)
    with pytest.raises(OptionError, match="give either scale= or items"):
        reliability(df, ["a"], scale="psr")
    with pytest.raises(SpecError, match="'demographics' is a set of single items"):
        reliability(df, scale="demographics")
    with pytest.raises(SpecError, match="give one scale here"):
        reliability(df, scale=["psr", "pk"])
    with pytest.raises(InputTypeError, match="items must be a list of column names; got the string 'a'"):
        reliability(df, "a")
    with pytest.raises(ColumnError, match=r"columns not in data: \['psr_01'"):
        reliability(df, scale="psr")
    with pytest.raises(DataError, match=r"column 'a' has values outside the declared range 1..3 in rows 3 \(value 4.0\) \(reliability\)"):
        reliability(df, min=1, max=3)
    with pytest.raises(ModelError, match=r"items without variance .*\['k'\]"):
        reliability(df.assign(k=2))
    with pytest.raises(ModelError, match="at least 2 items"):
        reliability(df, ["a"])
    sparse = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1, 2], "c": [1, 2, 1, 2]})
    with pytest.raises(ModelError, match="items 'a' and 'b' are answered together by 0 respondents"):
        reliability(sparse)
    with pytest.raises(ModelError, match=r"at least 2 respondents with answers \(listwise\); got 0"):
        reliability(sparse, missing="listwise")


def test_raw_data_not_modified(bfi):
    before = bfi.copy()
    reliability(bfi, ["A1", "A2", "A3", "A4", "A5"], reverse=["A1"], min=1, max=6)
    pd.testing.assert_frame_equal(bfi, before)


def test_two_items_alpha_without_omega():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    res = reliability(df)
    c = np.cov(df.to_numpy(float), rowvar=False)
    assert_allclose(res.alpha, 2 * (1 - np.trace(c) / c.sum()), rtol=1e-12)
    assert np.isnan(res.omega) and res.items["loading"].isna().all()
    assert res.items["alpha_if_dropped"].isna().all()
