"""studylib.cfa and studylib.htmt: engine derivatives, properties, bootstrap, bad input.
(Reference values from R are in tests/test_measurement_reference.py.)"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from studylib import Scale, cfa, htmt
from studylib.errors import (
    ColumnError,
    DataError,
    InputTypeError,
    ModelError,
    OptionError,
    SpecError,
    StudylibWarning,
)
from studylib.measurement import _ml

REF = Path(__file__).parent / "reference" / "cfa"
MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REF / "lavaan_HolzingerSwineford1939.csv")


def _simulate(n: int, loadings: list[list[float]], corr: np.ndarray, seed: int) -> tuple[pd.DataFrame, dict]:
    """Standardized items from a simple-structure factor model."""
    rng = np.random.default_rng(seed)
    m = len(loadings)
    f = rng.multivariate_normal(np.zeros(m), corr, size=n)
    cols, model = {}, {}
    for j, lam in enumerate(loadings):
        names = []
        for i, value in enumerate(lam):
            name = f"f{j + 1}_{i + 1}"
            cols[name] = value * f[:, j] + np.sqrt(1 - value**2) * rng.standard_normal(n)
            names.append(name)
        model[f"f{j + 1}"] = names
    return pd.DataFrame(cols), model


# --------------------------------------------------------------------------------------
# the engine: analytic derivatives against finite differences


@pytest.mark.parametrize("std_lv", [False, True])
def test_gradient_information_and_hessian_match_finite_differences(hs, std_lv):
    x = hs[[i for its in MODEL.values() for i in its]].to_numpy()
    s = np.cov(x, rowvar=False, bias=True)
    fo = np.repeat(np.arange(3), 3)
    marker = np.zeros(9, bool) if std_lv else np.isin(np.arange(9), [0, 3, 6])
    st = _ml.Structure(fo, marker, std_lv)
    theta = _ml.start_values(st, s)[0] + 0.01 * np.arange(st.q) / st.q  # away from the minimum
    ld = np.linalg.slogdet(s)[1:2]
    eps, eye = 1e-6, np.eye(st.q)

    def state(t):
        return _ml.state(st, t[None], s[None], ld)

    def sigma(t):
        return state(t).sigma[0]

    fs = state(theta)
    grad_fd = np.array([(state(theta + eps * e).f[0] - state(theta - eps * e).f[0]) / (2 * eps) for e in eye])
    assert_allclose(_ml.gradient(st, fs, s[None])[0], grad_fd, atol=1e-7)
    p_inv = np.linalg.inv(sigma(theta))
    d_sigma = [(sigma(theta + eps * e) - sigma(theta - eps * e)) / (2 * eps) for e in eye]
    info_fd = np.array([[np.trace(p_inv @ a @ p_inv @ b) for b in d_sigma] for a in d_sigma])
    assert_allclose(_ml.information(st, fs)[0], info_fd, atol=1e-7)
    grads = [_ml.gradient(st, state(theta + eps * e), s[None])[0] - _ml.gradient(st, state(theta - eps * e), s[None])[0]
             for e in eye]
    assert_allclose(_ml.hessian(st, fs, s[None])[0], np.array(grads) / (2 * eps), atol=1e-6)


def test_batched_fit_equals_single_fits(hs):
    x = hs[[i for its in MODEL.values() for i in its]].to_numpy()
    st = _ml.Structure(np.repeat(np.arange(3), 3), np.isin(np.arange(9), [0, 3, 6]), False)
    halves = [np.cov(x[:150], rowvar=False, bias=True), np.cov(x[150:], rowvar=False, bias=True)]
    both, conv, _ = _ml.minimise(st, np.stack(halves), _ml.start_values(st, halves[0]))
    assert conv.all()
    for j, s in enumerate(halves):
        one, _, _ = _ml.minimise(st, s[None], _ml.start_values(st, s))
        assert_allclose(both.theta[j], one.theta[0], rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------------------
# properties


def test_recovers_simulated_model():
    corr = np.array([[1, 0.3, 0.5], [0.3, 1, 0.2], [0.5, 0.2, 1]])
    loads = [[0.8, 0.7, 0.6, 0.5], [0.9, 0.6, 0.7], [0.5, 0.6, 0.7, 0.8]]
    data, model = _simulate(20_000, loads, corr, seed=11)
    res = cfa(data, model)
    # sampling error of standardized loadings at n = 20,000 is about 0.005
    assert_allclose(res.loadings["std_estimate"], np.concatenate(loads), atol=0.02)
    assert_allclose(res.factor_correlations.to_numpy(), corr, atol=0.03)
    assert res.fit.p > 0.001  # the true model fits
    assert res.fit.rmsea < 0.01


def test_fit_does_not_depend_on_marker_item_or_item_scale(hs):
    base = cfa(hs, MODEL)
    reordered = cfa(hs, {"visual": ["x3", "x1", "x2"], "textual": ["x5", "x4", "x6"], "speed": ["x9", "x7", "x8"]})
    assert_allclose(reordered.fit.chisq, base.fit.chisq, rtol=1e-9)
    std_base = base.loadings.set_index("item")["std_estimate"]
    std_re = reordered.loadings.set_index("item")["std_estimate"]
    assert_allclose(std_re.loc[std_base.index], std_base, rtol=1e-7)
    scaled = hs.copy()
    scaled["x2"] = 10 * scaled["x2"] + 3
    res = cfa(scaled, MODEL)
    assert_allclose(res.fit.chisq, base.fit.chisq, rtol=1e-9)
    assert_allclose(res.loadings["estimate"].iloc[1], 10 * base.loadings["estimate"].iloc[1], rtol=1e-7)
    assert_allclose(res.validity["ave"].iloc[1:], base.validity["ave"].iloc[1:], rtol=1e-7)
    assert_allclose(res.htmt.to_numpy(), base.htmt.to_numpy(), rtol=1e-12)


def test_just_identified_one_factor_model(hs):
    res = cfa(hs, {"visual": ["x1", "x2", "x3"]})
    assert res.fit.df == 0
    assert res.fit.chisq < 1e-8
    assert np.isnan(res.fit.p)
    assert res.fit.cfi == 1.0 and res.fit.tli == 1.0
    assert res.fit.rmsea == 0.0 and res.fit.rmsea_ci_high == 0.0
    assert np.isnan(res.validity["max_r"].iloc[0])
    assert res.htmt.shape == (1, 1)


def test_reverse_keyed_scale_items_enter_recoded(hs):
    d = hs.copy()
    d["x2r"] = 10 - d["x2"]  # x2 runs 2.25..9.25 in HS
    scale = Scale.from_dict({"id": "vis", "items": ["x1", "-x2r", "x3"], "min": 0, "max": 10})
    from_scale = cfa(d, {"visual": scale, "textual": MODEL["textual"]})
    plain = cfa(d, {"visual": ["x1", "x2", "x3"], "textual": MODEL["textual"]})
    assert from_scale.loadings["reversed"].tolist() == [False, True, False, False, False, False]
    assert_allclose(from_scale.loadings["estimate"], plain.loadings["estimate"], rtol=1e-8)
    assert from_scale.loadings["estimate"].iloc[1] > 0
    assert from_scale.spec.to_dict()["visual"] == {"items": ["x1", "x2r", "x3"], "reversed": ["x2r"], "scale": "vis"}
    # a list of scales names the factors after the scales
    assert cfa(d, [scale, Scale.from_dict({"id": "txt", "items": MODEL["textual"], "min": 0, "max": 10})]).spec.factors == ("vis", "txt")


def test_listwise_missing_reports_n_and_leaves_data_alone(hs):
    d = hs.copy()
    d.loc[[0, 5, 7], "x4"] = np.nan
    d.loc[9, "x9"] = np.nan
    before = d.copy()
    res = cfa(d, MODEL)
    assert (res.n, res.n_dropped) == (297, 4)
    assert res.fit.n == 297
    pd.testing.assert_frame_equal(d, before)
    complete = cfa(d.dropna(subset=[i for its in MODEL.values() for i in its]), MODEL)
    assert_allclose(res.fit.chisq, complete.fit.chisq, rtol=1e-10)


def test_tables_schema_and_json(hs):
    res = cfa(hs, MODEL)
    assert res.loadings.columns.tolist() == [
        "factor", "item", "reversed", "estimate", "se", "z", "p", "ci_low", "ci_high", "std_estimate"
    ]
    assert res.validity.columns.tolist() == [
        "factor", "k", "cr", "ave", "sqrt_ave", "max_r", "msv", "cr_ci_low", "cr_ci_high", "ave_ci_low", "ave_ci_high"
    ]
    assert res.htmt_ci.columns.tolist() == ["factor_1", "factor_2", "estimate", "ci_low", "ci_high"]
    assert res.htmt_ci[["ci_low", "ci_high"]].isna().all().all()  # no bootstrap asked
    fl = res.fornell_larcker
    assert_allclose(np.diag(fl), res.validity["sqrt_ave"])
    assert_allclose(fl.loc["visual", "speed"], res.factor_correlations.loc["visual", "speed"])
    v = res.validity.set_index("factor")
    assert_allclose(v.loc["visual", "msv"], max(fl.loc["visual", "textual"], fl.loc["visual", "speed"]) ** 2)
    # Wald interval at conf from estimate and se
    row = res.loadings.iloc[1]
    assert_allclose(row["ci_high"] - row["estimate"], 1.959963985 * row["se"], rtol=1e-8)
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["fit"]["npar"] == 21
    assert set(d) >= {"fit", "loadings", "validity", "htmt", "htmt_ci", "fornell_larcker", "definitions"}
    assert "compRelSEM" in d["definitions"]["cr"]
    s = res.summary()
    assert "CFI = 0.931" in s and "RMSEA = 0.092 [90% CI 0.071, 0.114]" in s and "HTMT" in s


# --------------------------------------------------------------------------------------
# bootstrap


@pytest.fixture(scope="module")
def boot_res(hs):
    return cfa(hs, MODEL, boot=1000, seed=7)


def test_bootstrap_intervals_bracket_estimates_and_are_reproducible(hs, boot_res):
    v = boot_res.validity
    assert (v["cr_ci_low"] < v["cr"]).all() and (v["cr"] < v["cr_ci_high"]).all()
    assert (v["ave_ci_low"] < v["ave"]).all() and (v["ave"] < v["ave_ci_high"]).all()
    h = boot_res.htmt_ci
    assert (h["ci_low"] < h["estimate"]).all() and (h["estimate"] < h["ci_high"]).all()
    assert boot_res.options["seed"] == 7 and boot_res.options["boot"] == 1000
    assert boot_res.boot_draws.shape == (1000, 3 + 3 + 3)
    assert boot_res.options["boot_failed"] == int(boot_res.boot_draws["cr:visual"].isna().sum())
    again = cfa(hs, MODEL, boot=1000, seed=7)
    pd.testing.assert_frame_equal(again.validity, boot_res.validity)
    pd.testing.assert_frame_equal(again.htmt_ci, boot_res.htmt_ci)


def test_cfa_and_htmt_draw_the_same_resamples(hs, boot_res):
    alone = htmt(hs, MODEL, boot=1000, seed=7)
    assert_allclose(alone[["ci_low", "ci_high"]].to_numpy(), boot_res.htmt_ci[["ci_low", "ci_high"]].to_numpy(), rtol=1e-12)
    assert alone.attrs["n"] == 301 and alone.attrs["seed"] == 7


def test_bootstrap_refits_equal_direct_fits(hs, boot_res):
    # the batched refit of a resample is the same CFA as fitting that resample directly
    from studylib.measurement._bootstrap import resample_covariances
    from studylib.measurement._validity import composite_reliability

    x = hs[[i for its in MODEL.values() for i in its]].to_numpy()
    rng = np.random.default_rng(7)
    s = resample_covariances(x, rng, 3)
    idx = np.random.default_rng(7).integers(0, 301, size=(3, 301))
    assert_allclose(s[1], np.cov(x[idx[1]], rowvar=False, bias=True), atol=1e-12)
    st = _ml.Structure(np.repeat(np.arange(3), 3), np.isin(np.arange(9), [0, 3, 6]), False)
    fs, _, _ = _ml.minimise(st, s[1:2], _ml.start_values(st, s[1]))
    cr = composite_reliability(fs.lam, fs.phi, s[1:2], st.factor_of)[0]
    assert_allclose(boot_res.boot_draws.iloc[1][["cr:visual", "cr:textual", "cr:speed"]], cr, rtol=1e-6)


def test_arithmetic_htmt_is_henseler_formula(hs):
    r = hs[[f"x{i}" for i in range(1, 10)]].corr().abs().to_numpy()
    within = [r[np.ix_(b, b)][np.triu_indices(3, 1)].mean() for b in ([0, 1, 2], [3, 4, 5])]
    between = r[np.ix_([0, 1, 2], [3, 4, 5])].mean()
    res = cfa(hs, MODEL, htmt_mean="arithmetic")
    assert_allclose(res.htmt.loc["visual", "textual"], between / np.sqrt(within[0] * within[1]), rtol=1e-12)
    assert_allclose(htmt(hs, MODEL, mean="arithmetic")["estimate"].iloc[0], res.htmt.loc["visual", "textual"])


# --------------------------------------------------------------------------------------
# bad input


def test_item_under_two_factors_names_both(hs):
    with pytest.raises(SpecError, match="item 'x3' is listed under factor 'visual' and factor 'textual'"):
        cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x3", "x4", "x5"]})


def test_one_item_factor_is_named(hs):
    with pytest.raises(SpecError, match="factor 'speed' has 1 item"):
        cfa(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x7"]})


def test_lone_two_item_factor_is_under_identified(hs):
    with pytest.raises(SpecError, match="under-identified.*factor 'visual' has only 2 items"):
        cfa(hs, {"visual": ["x1", "x2"]})


def test_fewer_respondents_than_parameters_names_factors(hs):
    with pytest.raises(SpecError, match=r"15 respondents .* fewer than the 21 free parameters .*'visual' \(3 items\)"):
        cfa(hs.iloc[:15], MODEL)


def test_heywood_case_warns_naming_item():
    # one factor, r12 = r13 = .8, r23 = .5: lambda_1^2 = .8 * .8 / .5 = 1.28 > 1
    target = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    z = np.random.default_rng(3).standard_normal((400, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    data = pd.DataFrame(z @ np.linalg.cholesky(target).T, columns=["a", "b", "c"])
    with pytest.warns(StudylibWarning, match="Heywood case: item 'a' .* residual variance of -0.2[78]"):
        res = cfa(data, {"f": ["a", "b", "c"]})
    assert res.loadings["std_estimate"].iloc[0] > 1


def test_non_convergence_says_what_was_tried(hs, monkeypatch):
    def stuck(st, s, theta0, **kw):
        fs, _, it = real(st, s, theta0, max_iter=1)
        return fs, np.zeros(s.shape[0], bool), it

    real = _ml.minimise
    monkeypatch.setattr(_ml, "minimise", stuck)
    with pytest.raises(ModelError, match="did not converge.*two sets of start values.*Try: check the items"):
        cfa(hs, MODEL)


def test_no_warning_for_a_proper_solution(hs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfa(hs, MODEL)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"missing": "pairwise"}, OptionError, "missing must be one of 'listwise'"),
        ({"boot": 10}, OptionError, "boot must be at least 1000"),
        ({"boot": -1}, OptionError, "boot must be at least 0"),
        ({"std_lv": "yes"}, OptionError, "std_lv must be True or False"),
        ({"conf": 95}, OptionError, "conf"),
        ({"htmt_mean": "harmonic"}, OptionError, "htmt_mean must be one of"),
    ],
)
def test_bad_options(hs, kwargs, error, match):
    with pytest.raises(error, match=match):
        cfa(hs, MODEL, **kwargs)


def test_bad_specifications_and_data(hs):
    with pytest.raises(InputTypeError, match="factors must be a dict"):
        cfa(hs, "visual =~ x1 + x2 + x3")
    with pytest.raises(InputTypeError, match="factor 'visual': items must be a list .* got the string 'x1'"):
        cfa(hs, {"visual": "x1"})
    with pytest.raises(SpecError, match="factors is empty"):
        cfa(hs, {})
    with pytest.raises(SpecError, match="factor 'visual' lists items more than once"):
        cfa(hs, {"visual": ["x1", "x1", "x2"]})
    with pytest.raises(ColumnError, match=r"columns not in data: \['x10'\] \(factor 'speed'\)"):
        cfa(hs, {**MODEL, "speed": ["x7", "x8", "x10"]})
    with pytest.raises(InputTypeError, match="data must be a pandas DataFrame"):
        cfa(hs.to_numpy(), MODEL)
    bad = hs.copy()
    bad["x5"] = bad["x5"].astype(object)
    bad.loc[3, "x5"] = "n/a"
    with pytest.raises(DataError, match="column 'x5' has non-numeric values in rows 3"):
        cfa(bad, MODEL)
    flat = hs.copy()
    flat["x8"] = 4.0
    with pytest.raises(ModelError, match=r"items without variance .*\['x8'\]"):
        cfa(flat, MODEL)
    dup = hs.copy()
    dup["x9"] = dup["x7"] + dup["x8"]
    with pytest.raises(ModelError, match="singular.*linearly dependent"):
        cfa(dup, MODEL)
    scale = Scale.from_dict({"id": "s", "items": ["x1", "x2", "x3"], "min": 1, "max": 5})
    with pytest.raises(DataError, match="outside"):
        cfa(hs, {"visual": scale, "speed": MODEL["speed"]})


def test_htmt_bad_input(hs):
    with pytest.raises(OptionError, match="htmt needs at least 2 factors"):
        htmt(hs, {"visual": MODEL["visual"]})
    with pytest.raises(OptionError, match="boot must be at least 1000"):
        htmt(hs, MODEL, boot=5)
    with pytest.raises(OptionError, match="mean must be one of 'geometric', 'arithmetic'"):
        htmt(hs, MODEL, mean="median")
