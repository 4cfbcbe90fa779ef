"""A binary Y: logistic regression by maximum likelihood, its tests and its bootstrap.

PROCESS for R agreement for every model is in test_process_r401.py (the P_Logit_* runs);
here the logistic machinery on its own: statsmodels' Logit, refits of single resamples,
separation, which value is coded 1, the column schema.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

import studylib
from studylib.errors import DataError, ModelError
from studylib.process import logistic


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(21)
    n = 400
    d = pd.DataFrame({"x": np.tile([0.0, 1.0], n // 2), "w": rng.normal(size=n), "age": rng.normal(30, 5, n)})
    d["m"] = 0.6 * d.x + rng.normal(size=n)
    eta = -0.3 + 0.8 * d.m + 0.3 * d.x - 0.4 * d.m * d.w + 0.02 * (d.age - 30)
    d["buy"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    d["buy_text"] = np.where(d.buy == 1, "yes", "no")
    return d


@pytest.fixture(scope="module")
def fit(data):
    return studylib.process(data, model=14, x="x", m="m", w="w", y="buy", covariates=["age"], boot=1000, seed=8)


def test_equals_statsmodels_logit(data, fit):
    X = sm.add_constant(pd.DataFrame({"x": data.x, "m": data.m, "w": data.w, "m:w": data.m * data.w,
                                      "age": data.age}))
    ref = sm.Logit(data.buy, X).fit(disp=0, tol=1e-12)
    c = fit.coefficients[fit.coefficients.equation == "buy"].set_index("term")
    names = {"const": "constant"}
    got = c.loc[[names.get(t, t) for t in X.columns]]
    assert_allclose(got.estimate, ref.params, rtol=1e-8)
    assert_allclose(got.se, ref.bse, rtol=1e-7)
    assert_allclose(got.t, ref.tvalues, rtol=1e-7)  # the t column holds the Wald z
    assert_allclose(got.p, ref.pvalues, rtol=1e-6)
    assert_allclose(got[["ci_low", "ci_high"]], ref.conf_int(), rtol=1e-7)
    assert np.isinf(got.df).all()  # z: the t distribution with infinite df
    e = fit.equations[fit.equations.equation == "buy"].set_index("test")
    assert_allclose(e.loc["model", "neg2ll"], -2 * ref.llf, rtol=1e-10)
    assert_allclose(e.loc["model", "chisq"], ref.llr, rtol=1e-8)
    assert_allclose(e.loc["model", "r2_mcfadden"], ref.prsquared, rtol=1e-8)
    assert e.loc["model", "df1"] == 5 and np.isnan(e.loc["model", "r2"])
    # likelihood-ratio test of the interaction
    red = sm.Logit(data.buy, X.drop(columns="m:w")).fit(disp=0, tol=1e-12)
    assert_allclose(e.loc["m*w", "chisq"], 2 * (ref.llf - red.llf), rtol=1e-7)
    assert e.loc["m*w", "df1"] == 1 and np.isnan(e.loc["m*w", "F"])


def test_cox_snell_and_nagelkerke(fit):
    e = fit.equations[(fit.equations.equation == "buy") & (fit.equations.test == "model")].iloc[0]
    n = fit.n
    null = e.neg2ll + e.chisq  # -2 log L of the intercept-only model
    assert_allclose(e.r2_coxsnell, 1 - np.exp(-e.chisq / n), rtol=1e-12)
    assert_allclose(e.r2_nagelkerke, e.r2_coxsnell / (1 - np.exp(-null / n)), rtol=1e-12)


def test_bootstrap_equals_refitting_each_resample(data):
    """The stacked Newton steps give each resample's own maximum likelihood fit."""
    from studylib.process.bootstrap import _block_indices, _block_rows

    res = studylib.process(data, model=4, x="x", m="m", y="buy", boot=1000, seed=42)
    key = [int(v) for v in np.random.default_rng(42).integers(0, 2**63, size=4)]
    rows0 = _block_rows(len(data))  # the first block's resamples
    assert rows0 > 600 and res.boot.n_replaced == 0
    idx = _block_indices(key, 0, rows0, len(data))
    for b in (0, 1, 300, rows0 - 1):
        rows = data.iloc[idx[b]]
        ref = sm.Logit(rows.buy, sm.add_constant(rows[["x", "m"]])).fit(disp=0, tol=1e-12)
        assert_allclose(res.boot.coefficients["buy"][b], ref.params, rtol=1e-8, atol=1e-10)
    ind = res.boot.coefficients["m"][:, 1] * res.boot.coefficients["buy"][:, 2]
    assert_allclose(res.boot.indirect[:, 0], ind, rtol=1e-12)  # indirect effect in log-odds: a * b


def separating_data(n=80):
    rng = np.random.default_rng(1)
    x = np.tile([0.0, 1.0], n // 2)
    y = (x == 1).astype(int)
    y[[1, 3]] = 0  # two cases keep x = 1 from predicting y = 1 perfectly
    y[[0, 2]] = 1  # and two keep x = 0 from predicting y = 0
    return pd.DataFrame({"x": x, "m": 0.5 * x + rng.normal(size=n), "y": y})


def test_resamples_that_separate_are_replaced_and_counted():
    res = studylib.process(separating_data(), model=4, x="x", m="m", y="y", boot=1000, seed=3)
    # a resample without cases 1 and 3 (or without 0 and 2) separates: about a quarter do
    assert 150 < res.boot.n_separated == res.boot.n_replaced < 400
    assert res.boot.B == 1000 and np.isfinite(res.boot.indirect).all()
    assert np.abs(res.boot.coefficients["y"]).max() < 50  # no diverged fits kept
    assert f"of which {res.boot.n_separated} separated Y" in res.summary()


def test_full_data_separation_is_a_model_error():
    d = separating_data()
    d.loc[[1, 3], "y"] = 1  # now x = 1 always has y = 1
    with pytest.raises(ModelError, match=r"the logistic regression of 'y' separates the cases perfectly: a "
                                         r"combination of its predictors \['x', 'm'\] predicts 'y' without error"):
        studylib.process(d, model=4, x="x", m="m", y="y", boot=0)
    assert logistic.separates(np.column_stack([np.ones(80), d.x]), d.y.to_numpy(float))
    assert not logistic.separates(np.column_stack([np.ones(80), d.x]), separating_data().y.to_numpy(float))


def test_which_value_is_one(data):
    text = studylib.process(data, model=4, x="x", m="m", y="buy_text", boot=0)
    num = studylib.process(data, model=4, x="x", m="m", y="buy", boot=0)
    assert_allclose(text.coefficients.estimate, num.coefficients.estimate, rtol=1e-12)
    cod = text.model.attrs["codings"]["y"]
    assert cod["levels"] == ["no", "yes"] and cod["coding"] == "binary"  # sorted: the second is 1
    assert cod["counts"] == [int((data.buy == 0).sum()), int((data.buy == 1).sum())]
    assert "'no' = 0" in text.summary() and "'yes' = 1" in text.summary()
    flipped = data.assign(buy_text=pd.Categorical(data.buy_text, categories=["yes", "no"]))
    rev = studylib.process(flipped, model=4, x="x", m="m", y="buy_text", boot=0)  # Categorical order: "no" is 1
    c_rev = rev.coefficients[rev.coefficients.equation == "buy_text"].estimate.to_numpy()
    c_num = num.coefficients[num.coefficients.equation == "buy"].estimate.to_numpy()
    assert_allclose(c_rev, -c_num, rtol=1e-8)


def test_y_with_more_than_two_text_values(data):
    d = data.assign(buy_text=np.where(data.w > 1, "maybe", data.buy_text))
    with pytest.raises(DataError, match=r"y 'buy_text' is not numeric \(\w+\) and has 3 distinct values "
                                        r"\['maybe', 'no', 'yes'\]; y must be numeric .* or have exactly two"):
        studylib.process(d, model=4, x="x", m="m", y="buy_text", boot=0)


def test_logistic_outputs(fit, data):
    assert fit.total.empty  # no total effect model with a logistic Y (total != direct + indirect)
    assert fit.model.attrs["family"] == {"m": "ols", "buy": "logit"}
    cond = fit.conditional[fit.conditional.equation == "buy"]
    assert np.isinf(cond.df).all() and len(cond) == 3
    assert len(fit.index) == 1 and fit.index.kind.iloc[0] == "moderated mediation"
    text = fit.summary()
    assert "-2LL" in text and "log-odds metric" in text and "Likelihood ratio test(s)" in text
    with pytest.raises(studylib.OptionError, match="has a binary Y"):
        studylib.process(data, model=4, x="x", m="m", y="buy", boot=0, effsize=True)


def test_newton_from_far_away_is_damped_not_diverging(data):
    """Undamped Newton from a poor start overshoots; halving the step keeps every fit."""
    X = np.column_stack([np.ones(len(data)), data.x, data.m, data.m * data.w * 3])
    y = data.buy.to_numpy(float)
    ref = logistic.logit(X, y, ["constant", "x", "m", "mw"], conf=0.95, outcome="buy")
    C = np.ones((3, len(data)))  # three copies of the full data
    start = 8 * ref.coef + 3  # far from the estimates: fitted probabilities near 0 and 1
    beta, failed = logistic.newton_resamples(C, X, y, start, logistic.product_pairs(X))
    assert not failed.any()
    assert_allclose(beta, np.tile(ref.coef, (3, 1)), rtol=1e-7, atol=1e-9)
