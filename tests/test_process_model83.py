"""Model 83 (serial mediation, X -> M1 moderated by a three-level W) and other internal checks.

On the thesis design (PROCESS for R output for model 83 on public data is compared in
test_process_r401.py) the model is checked against its definition:
each equation is an OLS fit (compared with statsmodels), each conditional indirect effect
is the product of the fitted paths at that W, and two codings of W give the same
conditional effects. The bootstrap is checked for bit-identical reruns with a fixed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import studylib

REF = Path(__file__).parent / "reference" / "process"
ARGS = {"model": 83, "x": "valence", "w": "response", "m": ["psr", "pk"], "y": "attitude"}


def simulate(n: int = 240, seed: int = 3) -> pd.DataFrame:
    """3 x 2 data with the study's pattern: the X -> PSR effect reverses under like/reply."""
    rng = np.random.default_rng(seed)
    val = np.tile([0, 1], n // 2)
    resp = np.repeat([0, 1, 2], n // 3)[rng.permutation(n)]
    psr = 4 + np.array([0.6, -0.4, -0.8])[resp] * val + 0.1 * resp + rng.normal(0, 1, n)
    pk = 5 - 0.5 * psr + 0.1 * val + rng.normal(0, 1, n)
    att = 3 + 0.2 * psr - 0.4 * pk + 0.1 * val + rng.normal(0, 1, n)
    return pd.DataFrame({
        "valence": pd.Categorical.from_codes(val, ["negative", "positive"]),
        "response": pd.Categorical.from_codes(resp, ["none", "like", "reply"]),
        "psr": psr, "pk": pk, "attitude": att, "age": rng.integers(18, 31, n).astype(float),
    })


@pytest.fixture(scope="module")
def data():
    return simulate()


@pytest.fixture(scope="module")
def fit(data):
    return studylib.process(data, **ARGS, boot=2000, seed=11)


STATSMODELS_TERMS = {
    "Intercept": "constant",
    "C(valence)[T.positive]": "valence[positive]",
    "C(response)[T.like]": "response[like]",
    "C(response)[T.reply]": "response[reply]",
    "C(valence)[T.positive]:C(response)[T.like]": "valence[positive]:response[like]",
    "C(valence)[T.positive]:C(response)[T.reply]": "valence[positive]:response[reply]",
}


@pytest.mark.parametrize("hc", [None, "HC0", "HC1", "HC2", "HC3"])
def test_equations_equal_statsmodels(data, hc):
    res = studylib.process(data, **ARGS, boot=0, hc=hc)
    formulas = {
        "psr": "psr ~ C(valence) * C(response)",
        "pk": "pk ~ C(valence) + psr",
        "attitude": "attitude ~ C(valence) + psr + pk",
    }
    for eq, formula in formulas.items():
        sm = smf.ols(formula, data).fit(**({"cov_type": hc} if hc else {}))
        ours = res.coefficients[res.coefficients.equation == eq].set_index("term")
        names = [STATSMODELS_TERMS.get(t, t) for t in sm.params.index]
        assert sorted(names) == sorted(ours.index)
        ours = ours.loc[names]
        assert_allclose(ours.estimate, sm.params, rtol=1e-10)
        assert_allclose(ours.se, sm.bse, rtol=1e-10)
        if hc is None:  # statsmodels uses normal p-values and CIs with robust covariances
            assert_allclose(ours.p, sm.pvalues, rtol=1e-8)
            assert_allclose(ours[["ci_low", "ci_high"]], sm.conf_int(), rtol=1e-10)
        e = res.equations[(res.equations.equation == eq) & (res.equations.test == "model")].iloc[0]
        assert_allclose(e.r2, sm.rsquared, rtol=1e-12)
        if hc is None:
            assert_allclose(e.F, sm.fvalue, rtol=1e-10)
    assert res.n == len(data) and res.n_dropped == 0


def test_conditional_indirect_is_product_of_paths(fit):
    c = fit.coefficients.set_index(["equation", "term"]).estimate
    a1 = c["psr", "valence[positive]"]
    a3 = {"none": 0.0, "like": c["psr", "valence[positive]:response[like]"],
          "reply": c["psr", "valence[positive]:response[reply]"]}
    d21, b1, b2 = c["pk", "psr"], c["attitude", "psr"], c["attitude", "pk"]
    a2 = c["pk", "valence[positive]"]
    ind = fit.indirect
    for group in ("none", "like", "reply"):
        a = a1 + a3[group]
        row = ind[(ind.w == group) & (ind.path == "valence -> psr -> attitude")].iloc[0]
        assert_allclose(row.effect, a * b1, rtol=1e-12)
        row = ind[(ind.w == group) & (ind.path == "valence -> psr -> pk -> attitude")].iloc[0]
        assert_allclose(row.effect, a * d21 * b2, rtol=1e-12)
    row = ind[ind.path == "valence -> pk -> attitude"]
    assert len(row) == 1 and pd.isna(row.w.iloc[0])
    assert_allclose(row.effect.iloc[0], a2 * b2, rtol=1e-12)
    # index of moderated mediation = each group's difference from "none"
    idx = fit.index.set_index(["path", "w_term"])["index"]
    assert_allclose(idx["valence -> psr -> pk -> attitude", "response[like]"], a3["like"] * d21 * b2, rtol=1e-12)
    assert_allclose(idx["valence -> psr -> attitude", "response[reply]"], a3["reply"] * b1, rtol=1e-12)
    # the direction the study reports: positive with no response, reversed with like/reply
    serial = ind[ind.path == "valence -> psr -> pk -> attitude"].set_index("w").effect
    assert serial["none"] > 0 > serial["like"] > serial["reply"]


def test_direct_and_boot_draws(fit):
    c = fit.coefficients.set_index(["equation", "term"]).estimate
    assert_allclose(fit.direct.effect.iloc[0], c["attitude", "valence[positive]"], rtol=1e-12)
    assert fit.total.empty  # no total effect model when a path is moderated (as PROCESS)
    assert fit.boot.B == 2000 and fit.boot.indirect.shape == (2000, len(fit.indirect))
    assert_allclose(fit.indirect.boot_se, fit.boot.indirect.std(axis=0, ddof=1), rtol=1e-12)
    lo, hi = np.quantile(fit.boot.indirect, [0.025, 0.975], axis=0)
    assert_allclose(fit.indirect.ci_low, lo, rtol=1e-12)
    assert_allclose(fit.indirect.ci_high, hi, rtol=1e-12)
    # contrasts are differences of the same draws
    k = fit.indirect.index[(fit.indirect.path == "valence -> psr -> attitude")].tolist()
    assert_allclose(fit.boot.contrasts[:, 0], fit.boot.indirect[:, k[1]] - fit.boot.indirect[:, k[0]], rtol=1e-12)


def test_indicator_and_sequential_codings_agree(data):
    ind = studylib.process(data, **ARGS, boot=1000, seed=5)
    seq = studylib.process(data, **ARGS, boot=1000, seed=5, w_coding="sequential")
    assert_allclose(seq.indirect.effect, ind.indirect.effect, rtol=1e-10)
    # same resamples, same conditional effects: the bootstrap CIs agree too
    assert_allclose(seq.indirect[["boot_se", "ci_low", "ci_high"]], ind.indirect[["boot_se", "ci_low", "ci_high"]],
                    rtol=1e-8)
    assert_allclose(seq.contrasts.effect, ind.contrasts.effect, rtol=1e-10, atol=1e-14)
    # sequential index j = group j minus group j - 1 = the matching contrast of indicator coding
    path = "valence -> psr -> pk -> attitude"
    s = seq.index[seq.index.path == path].set_index("w_term")["index"]
    con = ind.contrasts[ind.contrasts.path1 == path].set_index(["w1", "w2"]).effect
    assert_allclose(s["response[like-none]"], con["like", "none"], rtol=1e-10)
    assert_allclose(s["response[reply-like]"], con["reply", "like"], rtol=1e-10)
    assert_allclose(seq.index.ci_low[seq.index.w_term == "response[like-none]"].to_numpy(),
                    ind.index.ci_low[ind.index.w_term == "response[like]"].to_numpy(), rtol=1e-8)
    # Helmert and effect coding: same conditional effects as well
    for coding in ("helmert", "effect"):
        other = studylib.process(data, **ARGS, boot=0, w_coding=coding)
        assert_allclose(other.indirect.effect, ind.indirect.effect, rtol=1e-10)


def test_numeric_x_equals_categorical_x(data):
    d = data.assign(valence=(data.valence == "positive").astype(float))
    a = studylib.process(data, **ARGS, boot=0)
    b = studylib.process(d, **ARGS, boot=0)
    assert_allclose(a.indirect.effect, b.indirect.effect, rtol=1e-12)
    assert b.indirect.x_term.iloc[0] == "valence"


def test_custom_spec_equals_model_83(data):
    spec = ["psr ~ valence*response", "pk ~ valence + psr", "attitude ~ valence + psr + pk"]
    a = studylib.process(data, **ARGS, boot=1000, seed=2)
    b = studylib.process(data, spec=spec, **{k: v for k, v in ARGS.items() if k != "model"}, boot=1000, seed=2)
    assert_allclose(b.indirect.effect, a.indirect.effect, rtol=1e-12)
    assert_allclose(b.indirect.ci_low, a.indirect.ci_low, rtol=1e-12)
    assert b.model.attrs["model"] == "custom"
    assert a.model[["lhs", "rhs", "moderated_by"]].values.tolist()[0] == ["psr", "valence", "response"]


def test_listwise_deletion_and_covariates(data):
    d = data.copy()
    d.loc[[0, 5, 9], "pk"] = np.nan
    res = studylib.process(d, **ARGS, covariates=["age"], boot=0)
    assert (res.n, res.n_dropped) == (len(d) - 3, 3)
    assert (res.coefficients.term == "age").sum() == 3  # in every equation


def test_bootstrap_is_bit_identical_and_matches_snapshot(data):
    a = studylib.process(data, **ARGS, boot=1000, seed=20261122)
    b = studylib.process(data, **ARGS, boot=1000, seed=20261122)
    assert np.array_equal(a.boot.indirect, b.boot.indirect)
    assert np.array_equal(a.boot.coefficients["psr"], b.boot.coefficients["psr"])
    c = studylib.process(data, **ARGS, boot=1000, seed=np.random.default_rng(20261122))
    assert c.seed is None and a.seed == 20261122
    # studylib snapshot (our own earlier run, not PROCESS): tests/reference/process/make_snapshot.py
    snap = json.loads((REF / "studylib_snapshot_model83.json").read_text())
    assert_allclose(a.indirect.effect, snap["effect"], rtol=1e-12)
    assert_allclose(a.indirect[["boot_se", "ci_low", "ci_high"]].to_numpy(),
                    np.array([snap["boot_se"], snap["ci_low"], snap["ci_high"]]).T, rtol=1e-9)


def test_singular_resamples_are_replaced_and_counted():
    d = simulate(60, seed=1)
    # a tiny group: most resamples still draw it, some do not and are singular
    d = pd.concat([d[d.response != "reply"], d[d.response == "reply"].iloc[:3]], ignore_index=True)
    res = studylib.process(d, **ARGS, boot=1000, seed=4)
    assert res.boot.n_replaced > 0
    assert res.boot.B == 1000 and np.isfinite(res.boot.indirect).all()


@pytest.mark.parametrize("model", [7, 8, 14, 15, 58, 59])
def test_parallel_moderated_models_products(model):
    d = simulate(150, seed=model)
    d["w"] = np.random.default_rng(model).normal(size=len(d))
    res = studylib.process(d, model=model, x="psr", m="pk", w="w", y="attitude", boot=0)
    c = res.coefficients.set_index(["equation", "term"]).estimate
    for row in res.indirect.itertuples():
        a = c["pk", "psr"] + (c["pk", "psr:w"] * row.w if model in (7, 8, 58, 59) else 0)
        b = c["attitude", "pk"] + (c["attitude", "pk:w"] * row.w if model in (14, 15, 58, 59) else 0)
        assert_allclose(row.effect, a * b, rtol=1e-12)
    assert (len(res.index) == 1) == (model not in (58, 59))  # index only when linear in W
    assert len(res.direct) == (3 if model in (8, 15, 59) else 1)


@pytest.mark.parametrize("model", [84, 85, 86, 87, 88, 89, 90, 91, 92])
def test_serial_moderated_models(model, data):
    res = studylib.process(data, **{**ARGS, "model": model}, boot=0)
    c = res.coefficients.set_index(["equation", "term"]).estimate

    def path(eq, term, group):
        inter = f"{term}:response[{group}]"
        return c[eq, term] + (c[eq, inter] if group != "none" and (eq, inter) in c.index else 0.0)

    for row in res.indirect[res.indirect.path == "valence -> psr -> pk -> attitude"].itertuples():
        g = row.w
        expected = path("psr", "valence[positive]", g) * path("pk", "psr", g) * path("attitude", "pk", g)
        assert_allclose(row.effect, expected, rtol=1e-12)
    moderated = set(res.model.loc[res.model.moderated_by != "", ["lhs", "rhs"]].itertuples(index=False, name=None))
    assert moderated == {
        84: {("psr", "valence"), ("pk", "valence")},
        85: {("psr", "valence"), ("pk", "valence"), ("attitude", "valence")},
        86: {("psr", "valence"), ("attitude", "valence")},
        87: {("attitude", "pk")},
        88: {("attitude", "psr"), ("attitude", "pk")},
        89: {("attitude", "psr"), ("attitude", "pk"), ("attitude", "valence")},
        90: {("attitude", "pk"), ("attitude", "valence")},
        91: {("pk", "psr")},
        92: {("psr", "valence"), ("pk", "valence"), ("pk", "psr"), ("attitude", "valence"),
             ("attitude", "psr"), ("attitude", "pk")},
    }[model]


def test_models_2_and_3_moderated_moderation():
    rng = np.random.default_rng(9)
    n = 200
    d = pd.DataFrame({"x": rng.normal(size=n), "w": rng.normal(size=n), "z": rng.normal(size=n)})
    d["y"] = d.x * (1 + 0.5 * d.w - 0.3 * d.z + 0.2 * d.w * d.z) + rng.normal(size=n)
    res3 = studylib.process(d, model=3, x="x", w="w", z="z", y="y", probe="meansd")
    sm = smf.ols("y ~ x * w * z", d).fit()
    c = res3.coefficients.set_index("term").estimate
    assert_allclose(c["x:w:z"], sm.params["x:w:z"], rtol=1e-10)
    row = res3.conditional.iloc[0]
    expect = sm.params["x"] + sm.params["x:w"] * row.w + sm.params["x:z"] * row.z + sm.params["x:w:z"] * row.w * row.z
    assert_allclose(row.effect, expect, rtol=1e-10)
    assert len(res3.conditional) == 9 and res3.equations.test.tolist() == ["model", "x*w*z"]
    res2 = studylib.process(d, model=2, x="x", w="w", z="z", y="y")
    assert res2.equations.test.tolist() == ["model", "x*w", "x*z", "BOTH(x)"]  # as PROCESS


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(-2, 2), st.floats(-2, 2))
def test_property_indirect_equals_a_times_b(seed, a, b):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x": rng.normal(size=40)})
    d["m"] = a * d.x + rng.normal(size=40)
    d["y"] = b * d.m + rng.normal(size=40)
    res = studylib.process(d, model=4, x="x", m="m", y="y", boot=0)
    c = res.coefficients.set_index(["equation", "term"]).estimate
    assert_allclose(res.indirect.effect.iloc[0], c["m", "x"] * c["y", "m"], rtol=1e-10, atol=1e-14)
    # total = direct + indirect in a linear mediation model
    assert_allclose(res.total.effect.iloc[0], res.direct.effect.iloc[0] + res.indirect.effect.iloc[0], rtol=1e-8,
                    atol=1e-12)


def test_summary_to_dict_table(fit):
    text = fit.summary()
    assert "Outcome Variable: psr" in text and "Index of moderated mediation" in text
    assert "valence[positive]:response[like]" in text
    d = fit.to_dict()
    assert json.dumps(d)  # strict JSON
    assert d["n"] == fit.n and d["bootstrap"]["B"] == 2000
    assert len(d["indirect"]) == len(fit.indirect) and set(d["indirect"][0]) == set(fit.indirect.columns)
    tab = fit.table()
    assert set(tab.kind) == {"coefficient", "conditional", "direct", "indirect", "index", "contrast"}
    assert list(fit.indirect.columns) == ["path", "x_term", "w", "z", "effect", "boot_se", "ci_low", "ci_high"]
    assert list(fit.index.columns) == ["path", "x_term", "kind", "moderator", "w_term", "z", "index", "boot_se",
                                       "ci_low", "ci_high"]
    assert list(fit.contrasts.columns) == ["path1", "w1", "z1", "path2", "w2", "z2", "x_term", "effect", "boot_se",
                                           "ci_low", "ci_high"]
    assert "model=" in repr(fit)


def test_engine_equals_refitting_each_resample():
    """The count-weighted normal equations give the lstsq fit of the resampled rows."""
    from studylib.process.bootstrap import _block_indices, _block_rows, resample_coefficients

    rng = np.random.default_rng(0)
    n = 50
    G = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.normal(5, 2, n), rng.normal(size=n)])
    G = np.column_stack([G, G[:, 1] * G[:, 2], G[:, 2] + G[:, 3] + rng.normal(size=n)])
    eqs = [([0, 1, 2, 4], 5), ([0, 2], 3)]
    draws, replaced = resample_coefficients(G, 0, eqs, 1000, np.random.default_rng(42))
    # the same indices, drawn as the engine does (one block when n is small)
    key = [int(v) for v in np.random.default_rng(42).integers(0, 2**63, size=4)]
    assert _block_rows(n) >= 1000
    idx = _block_indices(key, 0, 1000, n)
    assert replaced == 0
    for b in (0, 1, 999):
        rows = G[idx[b]]
        for e, (pred, out) in enumerate(eqs):
            beta = np.linalg.lstsq(rows[:, pred], rows[:, out], rcond=None)[0]
            assert_allclose(draws[e][b], beta, rtol=1e-9, atol=1e-12)


def test_centering_shifts_moderator_values_only():
    d = pd.read_csv(REF / "hayes_disaster.csv")
    raw = studylib.process(d, model=1, x="frame", w="skeptic", y="justify")
    cen = studylib.process(d, model=1, x="frame", w="skeptic", y="justify", center="continuous")
    assert_allclose(cen.conditional.effect, raw.conditional.effect, rtol=1e-10)
    assert_allclose(cen.conditional.se, raw.conditional.se, rtol=1e-10)
    mean = d.skeptic.mean()
    assert_allclose(cen.conditional.w.astype(float) + mean, raw.conditional.w.astype(float), rtol=1e-12)
    assert_allclose(cen.jn.value + mean, raw.jn.value, rtol=1e-10)
    assert cen.model.attrs["centered"] == {"skeptic": pytest.approx(mean)}  # frame is dichotomous
    every = studylib.process(d, model=1, x="frame", w="skeptic", y="justify", center="all")
    assert set(every.model.attrs["centered"]) == {"frame", "skeptic"}
    assert_allclose(every.coefficients.estimate.iloc[-1], raw.coefficients.estimate.iloc[-1], rtol=1e-10)


@pytest.mark.parametrize("engine", ["installed", "numpy"])
@pytest.mark.parametrize("n", [7, 300, 70_000])
def test_same_draws_whatever_the_number_of_threads(monkeypatch, n, engine):
    """Each block of resamples has its own stream: 1 or 3 threads give bit-identical moments.

    With the counting engine installed (compiled when numba is there) and with numpy's.
    """
    bootstrap = pytest.importorskip("studylib.process.bootstrap")
    if engine == "numpy":
        monkeypatch.setattr(bootstrap, "counting_kernel", lambda: None)
    P = np.random.default_rng(1).normal(size=(n, 3))
    count = 2 * bootstrap._block_rows(n) + 5  # two full blocks and a short one
    got = {}
    for workers in (1, 3):
        monkeypatch.setattr(bootstrap, "_workers", lambda n_blocks, w=workers: w)
        got[workers], next_block = bootstrap._resample_moments([1, 2, 3, 4], 10, P, count)
        assert next_block == 13
    assert np.array_equal(got[1], got[3])
    # each row is a resample of n cases: the moment of the constant-like column sums to n
    ones = np.ones((n, 1))
    T, _ = bootstrap._resample_moments([1, 2, 3, 4], 10, ones, count)
    assert np.array_equal(T[:, 0], np.full(count, float(n)))


@pytest.mark.parametrize("exact", [False, True])
def test_block_indices_cover_all_cases_uniformly(monkeypatch, exact):
    bootstrap = pytest.importorskip("studylib.process.bootstrap")
    if exact:  # the exact bounded-integer draws used for very large n
        monkeypatch.setattr(bootstrap, "_MAX_MULSHIFT_N", 10)
    n, b = 37, 4000
    idx = bootstrap._block_indices([5, 6, 7, 8], 3, b, n)
    assert idx.shape == (b, n) and idx.dtype == np.int64
    assert idx.min() == 0 and idx.max() == n - 1
    counts = np.bincount(idx.ravel(), minlength=n)
    # each case is drawn b * n / n = 4000 times on average, SD about sqrt(4000) = 63:
    # 5 SDs is a bound no correct uniform draw should cross
    assert np.abs(counts - b).max() < 5 * np.sqrt(b)
    assert np.array_equal(idx, bootstrap._block_indices([5, 6, 7, 8], 3, b, n))
    assert not np.array_equal(idx, bootstrap._block_indices([5, 6, 7, 8], 4, b, n))
