"""Tests of studylib.anova: reference values, peer cross-checks, invariances, bad input."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.anova import anova_lm

from studylib import anova
from studylib.anova import ANOVA_COLUMNS, FactorialDesign, eta2_partial_ci
from studylib.errors import (
    ColumnError,
    DataError,
    InputTypeError,
    ModelError,
    OptionError,
    StudylibWarning,
)


def _by_term(table):
    """Index a table by the set of factors in each term (order-free)."""
    out = table.copy()
    out.index = [frozenset(t.split(":")) for t in out["term"]]
    return out


# --- reference values --------------------------------------------------------------------

def test_toothgrowth_type3_matches_jamovi(toothgrowth):
    tab = anova(toothgrowth, "len", ["supp", "dose"])
    assert list(tab.columns) == list(ANOVA_COLUMNS)
    assert list(tab["term"]) == ["supp", "dose", "supp:dose", "Residual"]
    # jamovi test suite (tests/reference/anova/PROVENANCE.md); published to 3 decimals for
    # SS and F, so the tolerance is half a unit in the last published digit
    assert_allclose(tab["ss"], [205.350, 2426.434, 108.319, 712.106], atol=5e-4)
    assert_allclose(tab["df"], [1, 2, 2, 54])
    assert_allclose(tab["F"][:3], [15.572, 92.000, 4.107], atol=5e-4)
    assert_allclose(tab["p"][[0, 2]], [0.000231, 0.02186], atol=5e-7)
    assert tab["p"][1] < 0.001
    assert_allclose(tab["eta2_partial"][:3], [0.224, 0.773, 0.132], atol=5e-4)
    assert_allclose(tab["eta2"][:3], [0.059, 0.703, 0.031], atol=5e-4)
    assert_allclose(tab["omega2"][:3], [0.055, 0.693, 0.024], atol=5e-4)
    assert tab.attrs["n"] == 60 and tab.attrs["n_dropped"] == 0
    assert tab.attrs["conf"] == 0.90 and tab.attrs["ss_type"] == 3


def test_toothgrowth_exact_values_from_raw_sums(toothgrowth):
    # balanced data: Type III SS equal the textbook formulas from cell and marginal means
    y, a, b = toothgrowth["len"], toothgrowth["supp"], toothgrowth["dose"]
    grand = y.mean()
    ss_a = 30 * ((y.groupby(a).mean() - grand) ** 2).sum()
    ss_b = 20 * ((y.groupby(b).mean() - grand) ** 2).sum()
    cells = y.groupby([a, b]).mean()
    ss_cells = 10 * ((cells - grand) ** 2).sum()
    tab = anova(toothgrowth, "len", ["supp", "dose"])
    assert_allclose(tab["ss"][:3], [ss_a, ss_b, ss_cells - ss_a - ss_b], rtol=1e-10)


def test_kidney_unbalanced_type3_matches_car(kidney):
    tab = anova(kidney, "log_days", ["Duration", "Weight"])
    # R car::Anova(type = 3), contr.sum, published in statsmodels' tests; 1e-4 relative
    # is the project-wide tolerance for deterministic quantities (values given to 6-7 digits)
    assert_allclose(tab["ss"], [2.904723, 13.457178, 0.190509, 27.601814], rtol=1e-4)
    assert_allclose(tab["df"], [1, 2, 2, 51])
    assert_allclose(tab["F"][:3], [5.36707, 12.43245, 0.17600], rtol=1e-4)
    assert_allclose(tab["p"][:3], [0.024574, 3.9994e-05, 0.839123], rtol=1e-4)
    assert tab.attrs["n"] == 57
    assert tab.attrs["cell_n"] == {"1:1": 7, "2:1": 10, "1:2": 10, "2:2": 10, "1:3": 10, "2:3": 10}


def test_kidney_unbalanced_type2_matches_car(kidney):
    tab = anova(kidney, "log_days", ["Duration", "Weight"], ss_type=2)
    # R car::Anova(type = 2) as published in statsmodels' tests; 1e-4 relative
    assert_allclose(tab["ss"][:2], [3.0670665, 13.2720508], rtol=1e-4)
    assert_allclose(tab["ss"][2:], [0.190509, 27.601814], rtol=1e-4)


@pytest.mark.parametrize("ss_type", [1, 2, 3])
def test_three_factor_unbalanced_agrees_with_statsmodels(ss_type):
    # peer: statsmodels anova_lm with sum-to-zero coding (correct for all three types)
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {
            "a": rng.choice(["a1", "a2", "a3"], 90),
            "b": rng.choice(["b1", "b2"], 90),
            "c": rng.choice(["c1", "c2"], 90),
        }
    )
    df["y"] = rng.normal(size=90) + (df["a"] == "a2") * 0.8 + (df["b"] == "b2") * (df["c"] == "c1")
    tab = anova(df, "y", ["a", "b", "c"], ss_type=ss_type)
    fit = smf.ols("y ~ C(a, Sum) * C(b, Sum) * C(c, Sum)", df).fit()
    ref = anova_lm(fit, typ=ss_type)
    if ss_type == 3:
        ref = ref.drop(index="Intercept")
    # statsmodels and studylib solve the same least-squares problems in double precision
    assert_allclose(tab["ss"], ref["sum_sq"], rtol=1e-9)
    assert_allclose(tab["df"], ref["df"])
    assert_allclose(tab["F"][:-1], ref["F"][:-1], rtol=1e-9)
    assert_allclose(tab["p"][:-1], ref["PR(>F)"][:-1], rtol=1e-7)
    assert list(tab["term"][:-1]) == ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]


def test_effect_size_formulas(kidney):
    tab = anova(kidney, "log_days", ["Duration", "Weight"])
    eff, res = tab.iloc[:-1], tab.iloc[-1]
    n = 57
    sst = ((kidney["log_days"] - kidney["log_days"].mean()) ** 2).sum()
    mse = res["ms"]
    assert_allclose(eff["eta2_partial"], eff["ss"] / (eff["ss"] + res["ss"]), rtol=1e-12)
    assert_allclose(eff["eta2"], eff["ss"] / sst, rtol=1e-12)
    assert_allclose(eff["omega2"], (eff["ss"] - eff["df"] * mse) / (sst + mse), rtol=1e-12)
    # effectsize::omega_squared(partial = TRUE): df (F - 1) / (df (F - 1) + N)
    f_form = eff["df"] * (eff["F"] - 1) / (eff["df"] * (eff["F"] - 1) + n)
    assert_allclose(eff["omega2_partial"], f_form, rtol=1e-10)
    assert eff["omega2"].iloc[2] < 0  # F < 1: omega squared is negative, not truncated
    assert res[["F", "p", "eta2_partial", "omega2"]].isna().all()


# --- confidence interval of partial eta squared ------------------------------------------

# Published worked examples of 90% CIs for partial eta squared: Smithson (2001, Educational
# and Psychological Measurement 61(4), 605-632) and Fidler & Thompson (2001, same journal,
# 575-604), as used in R apaTables' test suite (values rounded to 4 decimals; 3 for one)
@pytest.mark.parametrize(
    "F, df1, df2, low, high",
    [(6.0, 1, 42, 0.0117, 0.2801), (2.65, 6, 42, 0.0174, 0.3577), (2.50, 6, 42, 0.009, 0.3455),
     (1.5, 1, 16, 0.0, 0.3167), (4.00, 3, 16, 0.0357, 0.5671), (1.5, 3, 16, 0.0, 0.3778)],
)
def test_eta2_partial_ci_matches_published_examples(F, df1, df2, low, high):
    ci = eta2_partial_ci(F, df1, df2, conf=0.90)
    digits_low = 3 if low == 0.009 else 4
    assert_allclose(ci[0], low, atol=0.5 * 10.0**-digits_low)
    assert_allclose(ci[1], high, atol=5e-5)


@pytest.mark.parametrize("F, df1, df2", [(15.572, 1, 54), (4.107, 2, 54), (12.43, 2, 51), (2.5, 3, 100)])
@pytest.mark.parametrize("conf", [0.90, 0.95])
def test_eta2_partial_ci_inverts_noncentral_f(F, df1, df2, conf):
    low, high = eta2_partial_ci(F, df1, df2, conf=conf)
    denom = df1 + df2 + 1
    lam_low, lam_high = low * denom / (1 - low), high * denom / (1 - high)
    alpha = 1 - conf
    if lam_low > 0:
        assert_allclose(stats.ncf.cdf(F, df1, df2, lam_low), 1 - alpha / 2, atol=1e-8)
    else:
        assert stats.f.cdf(F, df1, df2) <= 1 - alpha / 2
    assert_allclose(stats.ncf.cdf(F, df1, df2, lam_high), alpha / 2, atol=1e-8)
    assert 0 <= low < F * df1 / (F * df1 + df2) < high < 1


def test_eta2_partial_ci_lower_limit_zero_iff_not_significant():
    # with the 90% default the lower limit is 0 exactly when p >= .05 (Steiger 2004)
    for F in (1.0, 3.0, 4.02, 4.03, 6.0):
        p = stats.f.sf(F, 1, 54)
        low, _ = eta2_partial_ci(F, 1, 54)
        assert (low == 0) == (p >= 0.05)


def test_conf_is_reported_and_used(toothgrowth):
    t90 = anova(toothgrowth, "len", ["supp", "dose"])
    t95 = anova(toothgrowth, "len", ["supp", "dose"], conf=0.95)
    assert t95.attrs["conf"] == 0.95
    assert (t95["eta2_partial_ci_low"][:3] < t90["eta2_partial_ci_low"][:3]).all()
    assert (t95["eta2_partial_ci_high"][:3] > t90["eta2_partial_ci_high"][:3]).all()


# --- invariances -------------------------------------------------------------------------

@pytest.mark.parametrize("ss_type", [2, 3])
def test_factor_order_does_not_matter(kidney, ss_type):
    a = _by_term(anova(kidney, "log_days", ["Duration", "Weight"], ss_type=ss_type))
    b = _by_term(anova(kidney, "log_days", ["Weight", "Duration"], ss_type=ss_type))
    b = b.loc[a.index]
    cols = [c for c in ANOVA_COLUMNS if c != "term"]
    assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), rtol=1e-10)


def test_row_order_does_not_matter(kidney):
    shuffled = kidney.sample(frac=1.0, random_state=3)
    a = anova(kidney, "log_days", ["Duration", "Weight"])
    b = anova(shuffled, "log_days", ["Duration", "Weight"])
    assert_allclose(a["ss"], b["ss"], rtol=1e-10)
    assert_allclose(a["p"], b["p"], rtol=1e-9)


def test_coding_of_the_factor_input_does_not_matter(kidney):
    base = anova(kidney, "log_days", ["Duration", "Weight"])
    recoded = kidney.assign(
        # treatment-coded 0/1 numbers, string labels, a Categorical in reversed order
        Duration=(kidney["Duration"] == 2).astype(int),
        Weight=pd.Categorical(
            kidney["Weight"].map({1: "light", 2: "medium", 3: "heavy"}),
            categories=["heavy", "medium", "light"],
        ),
    )
    other = anova(recoded, "log_days", ["Duration", "Weight"])
    assert_allclose(base["ss"], other["ss"], rtol=1e-10)
    assert_allclose(base["F"], other["F"], rtol=1e-10)
    assert other.attrs["levels"]["Weight"] == ["heavy", "medium", "light"]


def test_balanced_types_agree(toothgrowth):
    tabs = [anova(toothgrowth, "len", ["supp", "dose"], ss_type=t) for t in (1, 2, 3)]
    for t in tabs[1:]:
        assert_allclose(t["ss"], tabs[0]["ss"], rtol=1e-10)


@st.composite
def _unbalanced_design(draw):
    counts = draw(st.lists(st.integers(1, 4), min_size=6, max_size=6))
    counts[draw(st.integers(0, 5))] += 1  # at least one residual df
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = np.repeat(np.tile([0, 1], 3), counts)
    b = np.repeat(np.repeat([0, 1, 2], 2), counts)
    y = rng.normal(size=a.size)
    return pd.DataFrame({"a": a, "b": b, "y": y})


@settings(max_examples=40, deadline=None)
@given(_unbalanced_design(), st.floats(0.1, 100), st.floats(-100, 100))
def test_affine_transform_of_dv(df, scale, shift):
    # F, p and effect sizes are invariant to y -> scale * y + shift; SS scale by scale^2
    a = anova(df, "y", ["a", "b"])
    b = anova(df.assign(y=scale * df["y"] + shift), "y", ["a", "b"])
    assert_allclose(b["ss"], scale**2 * a["ss"], rtol=1e-7, atol=1e-10 * scale**2)
    assert_allclose(b["F"][:-1], a["F"][:-1], rtol=1e-6, atol=1e-9)
    assert_allclose(b["eta2_partial"][:-1], a["eta2_partial"][:-1], rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(_unbalanced_design())
def test_type3_highest_interaction_equals_type2_and_type1(df):
    # the highest-order term is adjusted for everything under every type
    ss = [anova(df, "y", ["a", "b"], ss_type=t)["ss"].iloc[2] for t in (1, 2, 3)]
    assert_allclose(ss, ss[0], rtol=1e-7, atol=1e-12)


# --- the array fast path -----------------------------------------------------------------

def test_fast_path_matches_table_and_vectorises(kidney):
    tab = anova(kidney, "log_days", ["Duration", "Weight"])
    codes = np.column_stack([kidney["Duration"] - 1, kidney["Weight"] - 1])
    design = FactorialDesign(codes, [2, 3], factors=["Duration", "Weight"])
    fit = design.fit(kidney["log_days"].to_numpy())
    assert fit.terms == ("Duration", "Weight", "Duration:Weight")
    assert_allclose(fit.ss, tab["ss"][:3], rtol=1e-12)
    assert_allclose(fit.p, tab["p"][:3], rtol=1e-12)
    assert fit.df_resid == 51
    rng = np.random.default_rng(1)
    Y = rng.normal(size=(57, 5))
    many = design.fit(Y)
    assert many.F.shape == (3, 5) and many.ss_resid.shape == (5,)
    for j in range(5):
        one = design.fit(Y[:, j])
        assert_allclose(many.F[:, j], one.F, rtol=1e-12)


def test_fast_path_rejects_bad_designs():
    with pytest.raises(ModelError, match="singular"):
        FactorialDesign(np.array([[0, 0], [0, 1], [1, 0], [0, 0], [0, 1], [1, 0]]), [2, 2])
    with pytest.raises(ModelError, match="no residual degrees of freedom"):
        FactorialDesign(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
    with pytest.raises(InputTypeError, match="integer level indices"):
        FactorialDesign(np.array([[0.5, 1.0]]))
    with pytest.raises(OptionError, match="ss_type must be one of 1, 2, 3; got 4"):
        FactorialDesign(np.array([[0], [1], [0], [1]]), ss_type=4)
    with pytest.raises(InputTypeError, match="factors must name the 1 columns of codes"):
        FactorialDesign(np.array([0, 1, 0, 1]), factors=["a", "b"])
    with pytest.raises(DataError, match="y has missing or infinite values"):
        FactorialDesign(np.array([0, 1, 0, 1])).fit([1.0, np.nan, 2.0, 3.0])


# --- bad input ---------------------------------------------------------------------------

def test_non_numeric_dv_is_rejected(toothgrowth):
    bad = toothgrowth.assign(len=toothgrowth["len"].astype(str))
    bad.loc[4, "len"] = "eleven"
    with pytest.raises(DataError, match=r"column 'len' has non-numeric values in rows 4 \(value 'eleven'\)"):
        anova(bad, "len", ["supp", "dose"])
    with pytest.raises(DataError, match="dv column 'flag' is boolean"):
        anova(toothgrowth.assign(flag=toothgrowth["len"] > 10), "flag", ["supp"])


def test_numeric_strings_are_accepted(toothgrowth):
    as_text = toothgrowth.assign(len=toothgrowth["len"].astype(str))
    assert_allclose(anova(as_text, "len", ["supp", "dose"])["ss"], anova(toothgrowth, "len", ["supp", "dose"])["ss"])


def test_empty_cell_is_rejected(toothgrowth):
    bad = toothgrowth[~((toothgrowth["supp"] == "VC") & (toothgrowth["dose"] == 2.0))]
    with pytest.raises(DataError, match=r"empty design cell\(s\) with no complete rows: supp='VC', dose=2.0"):
        anova(bad, "len", ["supp", "dose"])
    unused = toothgrowth.assign(supp=pd.Categorical(toothgrowth["supp"], categories=["OJ", "VC", "XX"]))
    with pytest.raises(DataError, match="supp='XX'.*remove_unused_categories"):
        anova(unused, "len", ["supp", "dose"])


def test_factor_with_one_level_is_rejected(toothgrowth):
    with pytest.raises(DataError, match=r"factor 'supp' has 1 level\(s\) \['OJ'\]; a factor needs at least 2 levels"):
        anova(toothgrowth[toothgrowth["supp"] == "OJ"], "len", ["supp", "dose"])


def test_missing_values_are_dropped_listwise_and_reported(toothgrowth):
    df = toothgrowth.copy()
    df.loc[[0, 7], "len"] = np.nan
    df.loc[15, "supp"] = None
    with pytest.warns(StudylibWarning, match=r"3 row\(s\) with a missing value .* dropped listwise .* n = 57"):
        tab = anova(df, "len", ["supp", "dose"])
    assert tab.attrs["n"] == 57 and tab.attrs["n_dropped"] == 3
    assert tab.attrs["dropped_rows"] == [0, 7, 15]
    assert tab["df"].iloc[-1] == 57 - 6
    expected = anova(toothgrowth.drop(index=[0, 7, 15]), "len", ["supp", "dose"])
    assert_allclose(tab["ss"], expected["ss"], rtol=1e-12)
    with pytest.raises(DataError, match=r"3 row\(s\) have a missing value .*missing='listwise'"):
        anova(df, "len", ["supp", "dose"], missing="raise")


def test_other_bad_input(toothgrowth):
    with pytest.raises(ColumnError, match=r"columns not in data: \['dosis'\]"):
        anova(toothgrowth, "len", ["supp", "dosis"])
    with pytest.raises(ColumnError, match="is also listed in between"):
        anova(toothgrowth, "len", ["len", "supp"])
    with pytest.raises(InputTypeError, match="between must be a column name or a non-empty list"):
        anova(toothgrowth, "len", [])
    with pytest.raises(InputTypeError, match="data must be a pandas DataFrame; got dict"):
        anova({"len": [1]}, "len", "supp")
    with pytest.raises(OptionError, match="ss_type must be one of 1, 2, 3; got 'III'"):
        anova(toothgrowth, "len", "supp", ss_type="III")
    with pytest.raises(OptionError, match="conf must be a number strictly between 0 and 1; got 90"):
        anova(toothgrowth, "len", "supp", conf=90)
    with pytest.raises(OptionError, match="missing must be one of 'listwise', 'raise'; got 'omit'"):
        anova(toothgrowth, "len", "supp", missing="omit")


def test_degenerate_models_are_rejected():
    one_per_cell = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"], "y": [1.0, 2, 3, 5]})
    with pytest.raises(ModelError, match="no residual degrees of freedom: n = 4 rows for 4 cells"):
        anova(one_per_cell, "y", ["a", "b"])
    constant_cells = pd.DataFrame({"a": ["x", "x", "y", "y"], "y": [1.0, 1.0, 3.0, 3.0]})
    with pytest.raises(ModelError, match="residual variance is zero"):
        anova(constant_cells, "y", "a")


def test_one_way_equals_scipy_f_oneway(toothgrowth):
    tab = anova(toothgrowth, "len", "dose")
    groups = [g["len"].to_numpy() for _, g in toothgrowth.groupby("dose")]
    ref = stats.f_oneway(*groups)
    assert_allclose(tab["F"][0], ref.statistic, rtol=1e-10)
    assert_allclose(tab["p"][0], ref.pvalue, rtol=1e-8)
