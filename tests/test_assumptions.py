"""Tests of studylib.assumptions: Levene, Shapiro-Wilk on residuals, HC-robust Wald tests."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose
from scipy import stats

from studylib import anova, levene, robust_anova, shapiro_residuals
from studylib.errors import DataError, ModelError, OptionError, StudylibWarning


def test_levene_matches_jamovi(toothgrowth):
    out = levene(toothgrowth, "len", ["supp", "dose"])
    assert list(out.columns) == ["center", "F", "df", "df_resid", "p"]
    # jamovi: F(5, 54) = 1.940, p = .1027 (published to 3 and 4 decimals)
    assert_allclose(out["F"], 1.940, atol=5e-4)
    assert_allclose(out["p"], 0.1027, atol=5e-5)
    assert (out["df"][0], out["df_resid"][0]) == (5, 54)


def test_levene_median_is_brown_forsythe(toothgrowth):
    out = levene(toothgrowth, "len", ["supp", "dose"], center="median")
    # by definition: one-way ANOVA on absolute deviations from the cell medians
    cell = toothgrowth["supp"] + toothgrowth["dose"].astype(str)
    dev = (toothgrowth["len"] - toothgrowth.groupby(cell)["len"].transform("median")).abs()
    ref = stats.f_oneway(*[dev[cell == c] for c in cell.unique()])
    assert out["center"][0] == "median"
    assert_allclose(out["F"], ref.statistic, rtol=1e-10)
    assert_allclose(out["p"], ref.pvalue, rtol=1e-8)


def test_shapiro_residuals_matches_jamovi(toothgrowth):
    out = shapiro_residuals(toothgrowth, "len", ["supp", "dose"])
    # jamovi: W = 0.98499, p = .66942 (5 decimals published)
    assert_allclose(out["W"], 0.98499, atol=5e-6)
    assert_allclose(out["p"], 0.66942, atol=5e-6)
    assert out["n"][0] == 60


@pytest.mark.parametrize("hc", ["HC0", "HC1", "HC2", "HC3"])
def test_robust_anova_matches_statsmodels_wald(kidney, hc):
    out = robust_anova(kidney, "log_days", ["Duration", "Weight"], hc=hc)
    fit = smf.ols("log_days ~ C(Duration, Sum) * C(Weight, Sum)", kidney).fit(cov_type=hc)
    names = list(fit.params.index)
    blocks = {
        "Duration": [i for i, nm in enumerate(names) if "Duration" in nm and "Weight" not in nm],
        "Weight": [i for i, nm in enumerate(names) if "Weight" in nm and "Duration" not in nm],
        "Duration:Weight": [i for i, nm in enumerate(names) if ":" in nm],
    }
    assert list(out["term"]) == list(blocks)
    for row in out.itertuples():
        L = np.eye(len(names))[blocks[row.term]]
        ref = fit.wald_test(L, use_f=True, scalar=True)
        # the same sandwich estimator in double precision
        assert_allclose(row.F, ref.statistic, rtol=1e-8)
        assert_allclose(row.p, ref.pvalue, rtol=1e-7)
        assert (row.df, row.df_resid) == (len(blocks[row.term]), 51)
    assert out.attrs["hc"] == hc


def test_robust_anova_close_to_classical_when_homoscedastic_and_balanced(toothgrowth):
    # balanced cells and HC0 * n/(n-p) (HC1) is not the classical F, but with equal cell
    # variances the two differ only by sampling noise in the cell variances
    classic = anova(toothgrowth, "len", ["supp", "dose"])
    robust = robust_anova(toothgrowth, "len", ["supp", "dose"])
    assert (robust["p"] < 0.05).tolist() == (classic["p"][:3] < 0.05).tolist()
    assert_allclose(robust["F"], classic["F"][:3], rtol=0.35)


def test_robust_anova_single_observation_cell():
    df = pd.DataFrame({"g": ["a", "a", "a", "b"], "y": [1.0, 2.0, 4.0, 3.0]})
    with pytest.raises(ModelError, match="HC3 is undefined when a cell holds a single observation"):
        robust_anova(df, "y", "g")
    assert np.isfinite(robust_anova(df, "y", "g", hc="HC0")["F"][0])


def test_bad_options(toothgrowth):
    with pytest.raises(OptionError, match="center must be one of 'mean', 'median'; got 'trimmed'"):
        levene(toothgrowth, "len", "supp", center="trimmed")
    with pytest.raises(OptionError, match="hc must be one of 'HC0', 'HC1', 'HC2', 'HC3'; got 'hc3'"):
        robust_anova(toothgrowth, "len", "supp", hc="hc3")
    no_dose_4 = toothgrowth.assign(dose=pd.Categorical(toothgrowth["dose"], categories=[0.5, 1.0, 2.0, 4.0]))
    with pytest.raises(DataError, match="empty design cell.*dose=4.0"):
        levene(no_dose_4, "len", ["supp", "dose"])


def test_missing_values_reported(toothgrowth):
    df = toothgrowth.copy()
    df.loc[3, "len"] = np.nan
    with pytest.warns(UserWarning, match="dropped listwise"):
        out = shapiro_residuals(df, "len", ["supp", "dose"])
    assert out["n"][0] == 59 and out.attrs["n_dropped"] == 1


@pytest.mark.parametrize("fn", [levene, shapiro_residuals, robust_anova])
def test_tables_report_the_n_used_and_the_rows_dropped(fn, toothgrowth):
    df = toothgrowth.copy()
    df.loc[[4, 9], "len"] = np.nan
    with pytest.warns(StudylibWarning, match="2 row\\(s\\) with a missing value"):
        out = fn(df, "len", ["supp", "dose"])
    assert out.attrs["n"] == 58 and out.attrs["n_dropped"] == 2
    assert out.attrs["dropped_rows"] == [4, 9] and out.attrs["missing"] == "listwise"
    assert out.attrs["dv"] == "len" and out.attrs["between"] == ["supp", "dose"]
