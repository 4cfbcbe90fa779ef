"""Tests of studylib.power for any study: the simulation block, the batched fits, the tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

import studylib
from studylib._simblock import cell_codes, draw_scores, parse_block, within_sd
from studylib.errors import OptionError, SpecError
from studylib.power import power_anova_analytic
from studylib.power._plan import _frame
from studylib.power._process import _ols, process_cis, process_labels, process_target

STUDY = Path(__file__).parent / "studies" / "study_2x2.yaml"
FACTORS = (("valence", ("negative", "positive")), ("response", ("none", "like", "reply")))
MU = [[0.0, 0.3, 0.5], [0.4, 0.0, -0.1]]


def block_of(scores, factors=FACTORS, **extra):
    scales = list(scores)
    return parse_block({"scores": scores, **extra}, factors, scales, "study.yaml")


def spec_2x3(mu=MU, sd=1.0):
    """A design-and-model dict whose one score has the 2 x 3 cell means ``mu``."""
    mu = np.asarray(mu, dtype=float)
    eff = {"valence.positive": mu[1, 0] - mu[0, 0]}
    for j, lv in enumerate(["like", "reply"], 1):
        eff[f"response.{lv}"] = mu[0, j] - mu[0, 0]
        eff[f"valence.positive*response.{lv}"] = mu[1, j] - mu[1, 0] - mu[0, j] + mu[0, 0]
    return {
        "design": {f: list(levels) for f, levels in FACTORS},
        "simulation": {"scores": {"y": {"mean": float(mu[0, 0]), "sd": sd, "effects": eff}}},
        "models": {"anova_y": {"kind": "anova", "dv": "y", "between": ["valence", "response"]}},
    }


# -- the simulation block ----------------------------------------------------------
@pytest.mark.parametrize(("scores", "match"), [
    ({"y": {"mean": 1, "sd": 1, "effects": {"valance.positive": 1}}},
     r"simulation.scores.y.effects.valance.positive names an unknown factor 'valance'"),
    ({"y": {"mean": 1, "sd": 1, "effects": {"valence.good": 1}}},
     r"simulation.scores.y.effects.valence.good names an unknown level 'good' of factor 'valence'"),
    ({"y": {"mean": 1, "sd": 1, "effects": {"response.none": 1}}},
     r"names the reference level 'none' of 'response'"),
    ({"y": {"mean": 1, "sd": 1, "effects": {"z": 1}}, "z": {"mean": 0, "sd": 1}},
     r"simulation.scores.y.effects.z names scale 'z', which is not drawn before this one"),
    ({"y": {"mean": 1, "sd": 1, "effects": {"w": 1}}},
     r"names 'w', which is neither a factor level"),
    ({"z": {"mean": 0, "sd": 1}, "u": {"mean": 0, "sd": 1},
      "y": {"mean": 1, "sd": 1, "effects": {"z*u": 1}}}, "multiplies two scores"),
    ({"y": {"sd": 1}}, r"simulation.scores.y.mean is missing"),
    ({"y": {"mean": 1, "sd": 0}}, r"simulation.scores.y.sd must be > 0; got 0"),
    ({"y": {"mean": 1, "sd": 1, "slope": 2}}, r"simulation.scores.y has unknown keys \['slope'\]"),
    ({"y": {"mean": 1, "sd": 1, "effects": {"valence.positive": "big"}}},
     r"simulation.scores.y.effects.valence.positive must be a finite number; got 'big'"),
])
def test_block_errors_name_the_key(scores, match):
    with pytest.raises(SpecError, match=match):
        block_of(scores)


def test_block_errors_for_unknown_scale_and_options():
    with pytest.raises(SpecError, match=r"study.yaml: simulation.scores.nfc is not a scale of the study"):
        parse_block({"scores": {"nfc": {"mean": 0, "sd": 1}}}, FACTORS, ["y"], "study.yaml")
    with pytest.raises(SpecError, match=r"simulation.items.loading must lie strictly between 0 and 1"):
        block_of({"y": {"mean": 0, "sd": 1}}, items={"loading": 1.2})
    with pytest.raises(SpecError, match=r"simulation has unknown keys \['reps'\]"):
        block_of({"y": {"mean": 0, "sd": 1}}, reps=3)
    with pytest.raises(SpecError, match=r"simulation.n_per_cell must be a whole number >= 2"):
        block_of({"y": {"mean": 0, "sd": 1}}, n_per_cell=1)


def test_scores_have_the_block_means_slopes_and_within_sds():
    block = block_of({
        "m": {"mean": 4.0, "sd": 1.0, "effects": {"valence.positive": 0.5,
                                                  "valence.positive*response.reply": -1.0}},
        "y": {"mean": 3.0, "sd": 0.5, "effects": {"m": 0.6, "m*response.like": 0.4}},
    })
    n = 4000
    s = draw_scores(block, n, 1, np.random.default_rng(1))
    cells = s["m"].reshape(6, n).mean(axis=1)
    # cells in C order: (negative: none, like, reply), (positive: none, like, reply)
    assert_allclose(cells, [4, 4, 4, 4.5, 4.5, 3.5], atol=0.05)  # SE 1 / sqrt(4000) = 0.016
    y = s["y"].reshape(6, n)
    m = s["m"].reshape(6, n)
    slope_like = np.polyfit(m[1], y[1], 1)[0]
    slope_none = np.polyfit(m[0], y[0], 1)[0]
    assert_allclose([slope_none, slope_like], [0.6, 1.0], atol=0.03)
    # reference-cell mean of y is its `mean` (m centred at its own mean)
    assert_allclose(y[0].mean(), 3.0, atol=0.03)
    sd = within_sd(block)
    pooled = np.sqrt(np.mean([(y[c] - y[c].mean()).var() for c in range(6)]))
    assert_allclose(sd["y"], pooled, rtol=0.03)
    assert_allclose(sd["m"], 1.0)


# -- the batched fits against statsmodels and studylib.process ----------------------
@pytest.mark.parametrize("hc", [None, "HC0", "HC1", "HC2", "HC3", "HC4"])
def test_batched_ols_equals_statsmodels(hc):
    rng = np.random.default_rng(2)
    X = np.concatenate([np.ones((3, 40, 1)), rng.normal(size=(3, 40, 2))], axis=2)
    y = X @ np.array([1.0, 0.5, -0.2]) + rng.normal(size=(3, 40)) * (1 + X[:, :, 1] ** 2)
    coef, cov = _ols(X, y, hc)
    from studylib.process.ols import ols

    for r in range(3):
        # HC4 is not in statsmodels: studylib.process's own ols (checked against PROCESS)
        one = ols(X[r], y[r], ["constant", "a", "b"], hc=hc, conf=0.95, outcome="y")
        assert_allclose(coef[r], one.coef, rtol=1e-10)
        assert_allclose(cov[r], one.cov, rtol=1e-9)
        if hc != "HC4":
            fit = sm.OLS(y[r], X[r]).fit(cov_type="nonrobust" if hc is None else hc)
            assert_allclose(cov[r], fit.cov_params(), rtol=1e-9)


def _thesis_like():
    return block_of({
        "psr": {"mean": 0, "sd": 1, "effects": {"valence.positive": 0.5,
                                                "valence.positive*response.like": -0.9,
                                                "valence.positive*response.reply": -1.2}},
        "pk": {"mean": 0, "sd": 1, "effects": {"psr": -0.5}},
        "attitude": {"mean": 0, "sd": 1, "effects": {"pk": -0.5, "psr": 0.2}},
    })


@pytest.mark.parametrize("ci", ["percentile", "bc"])
def test_bootstrap_cis_equal_studylib_process_on_each_replication(ci):
    block = _thesis_like()
    n, reps, boot = 15, 2, 1000
    frame = _frame(block, draw_scores(block, n, reps, np.random.default_rng(9)), n, reps)
    opts = {"model": 83, "x": "valence", "w": "response", "m": ["psr", "pk"], "y": "attitude",
            "ci": ci}
    t = process_target("model83", opts, ["valence", "response", "psr", "pk", "attitude"], "<t>")
    lo, hi = process_cis(t, frame, reps, "bootstrap", 2000, boot, np.random.default_rng(10))
    rng = np.random.default_rng(10)  # the replications use the generator one after the other
    for r in range(reps):
        data = frame.iloc[r * 6 * n:(r + 1) * 6 * n].reset_index(drop=True)
        fit = studylib.process(data, boot=boot, seed=rng, **opts)
        expected = pd.concat([fit.indirect, fit.index, fit.contrasts])
        # same resamples, same engine: equal to rounding
        assert_allclose(lo[r], expected["ci_low"], rtol=1e-9, atol=1e-12)
        assert_allclose(hi[r], expected["ci_high"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("center", "wvalues"), [("none", None), ("continuous", None), ("continuous", [-1, 0, 1]),
                                                ("all", [-0.5, 0.5, 1.5])])
def test_bootstrap_cis_equal_studylib_process_with_a_continuous_moderator(center, wvalues):
    """Per-replication probe values and centring, as studylib.process does on each replication.

    Given ``wvalues`` are in centred units when centring: only then does centring change the effects.
    """
    factors = (("frame", ("gain", "loss")),)
    block = block_of({"nfc": {"mean": 4, "sd": 1},
                      "trust": {"mean": 4, "sd": 1, "effects": {"frame.loss": 0.4, "nfc*frame.loss": 0.5}},
                      "intent": {"mean": 3, "sd": 1, "effects": {"trust": 0.5}}}, factors=factors)
    n, reps, boot = 20, 3, 1000
    frame = _frame(block, draw_scores(block, n, reps, np.random.default_rng(3)), n, reps)
    opts = {"model": 7, "x": "frame", "w": "nfc", "m": "trust", "y": "intent", "center": center,
            "hc": "HC3", "wvalues": wvalues}
    t = process_target("m7", opts, ["frame", "nfc", "trust", "intent"], "<t>")
    lo, hi = process_cis(t, frame, reps, "bootstrap", 2000, boot, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    for r in range(reps):
        data = frame.iloc[r * 2 * n:(r + 1) * 2 * n].reset_index(drop=True)
        fit = studylib.process(data, boot=boot, seed=rng, **opts)
        expected = pd.concat([fit.indirect, fit.index, fit.contrasts])
        assert len(expected) == lo.shape[1] == 7  # 3 conditional effects, 1 index, 3 contrasts
        assert_allclose(lo[r], expected["ci_low"], rtol=1e-9, atol=1e-12)
        assert_allclose(hi[r], expected["ci_high"], rtol=1e-9, atol=1e-12)


def test_montecarlo_cis_are_percentiles_of_products_of_drawn_paths():
    """Model 4 by hand: a* b* from N(a, se_a²) x N(b, se_b²), drawn in the engine's order."""
    block = block_of({"m": {"mean": 0, "sd": 1, "effects": {"valence.positive": 0.6}},
                      "y": {"mean": 0, "sd": 1, "effects": {"m": 0.4}}})
    n, draws = 30, 4000
    frame = _frame(block, draw_scores(block, n, 1, np.random.default_rng(4)), n, 1)
    t = process_target("med", {"model": 4, "x": "valence", "m": "m", "y": "y"},
                       ["valence", "response", "m", "y"], "<t>")
    lo, hi = process_cis(t, frame, 1, "montecarlo", draws, 1000, np.random.default_rng(5))
    x = (frame["valence"] == "positive").to_numpy(float)
    fm = sm.OLS(frame["m"], sm.add_constant(x)).fit()
    fy = sm.OLS(frame["y"], np.column_stack([np.ones_like(x), x, frame["m"]])).fit()
    rng = np.random.default_rng(5)
    # only the paths the effect uses are drawn (a, then b), draws-major
    a = fm.params.iloc[1] + rng.standard_normal((draws, 1, 1))[:, 0, 0] * fm.bse.iloc[1]
    b = fy.params.iloc[2] + rng.standard_normal((draws, 1, 1))[:, 0, 0] * fy.bse.iloc[2]
    ab = a * b
    assert_allclose([lo[0, 0], hi[0, 0]], np.quantile(ab, [0.025, 0.975]), rtol=1e-9)


# -- whole simulations ---------------------------------------------------------------
def test_generic_anova_power_agrees_with_noncentral_f():
    grid = [10, 25]
    res = studylib.power(spec_2x3(), n_grid=grid, reps=2000, seed=3, n_jobs=1, progress=False)
    exact = power_anova_analytic(MU, n_grid=grid, tests=["interaction", "simple", "valence", "response"])
    m = res.power.merge(exact, on=["effect", "n_per_cell"], suffixes=("", "_exact"))
    assert len(m) == 12
    se = np.sqrt(m["power_exact"] * (1 - m["power_exact"]) / 2000)
    # 3 Monte Carlo SEs over 12 comparisons (fixed seed: deterministic)
    assert (np.abs(m["power"] - m["power_exact"]) <= 3 * se).all(), m


def test_null_effects_reject_at_alpha():
    res = studylib.power(spec_2x3(np.zeros((2, 3))), n_grid=[8], reps=4000, seed=4, n_jobs=1,
                         progress=False)
    se = np.sqrt(0.05 * 0.95 / 4000)
    assert (np.abs(res.power["power"] - 0.05) <= 3 * se).all(), res.power


def test_power_from_a_study_file_labels_seed_and_settings():
    res = studylib.power(STUDY, n_grid=[10, 20], reps=20, draws=200, n_jobs=1, progress=False)
    tab = res.power
    assert res.seed == 11  # simulation.seed of the study file
    assert set(tab["analysis"]) == {"anova_trust", "mediation"}
    assert (tab["n_total"] == 4 * tab["n_per_cell"]).all()
    med = tab[tab["analysis"] == "mediation"]
    assert list(dict.fromkeys(med["effect"])) == [
        "frame -> trust -> intent | peer", "frame -> trust -> intent | brand",
        "index frame -> trust -> intent: brand vs peer",
        "frame -> trust -> intent | brand minus frame -> trust -> intent | peer"]
    assert list(dict.fromkeys(tab.loc[tab["test"] == "simple", "effect"])) == ["frame | peer", "frame | brand"]
    assert res.settings["n_cells"] == 4 and res.settings["models"] == ["anova_trust", "mediation"]
    # directional power: the two one-sided shares add up to the two-sided power
    assert_allclose(med["power_positive"] + med["power_negative"], med["power"])
    peer = med[med["effect"] == "frame -> trust -> intent | peer"]
    assert (peer["power_positive"] >= peer["power_negative"]).all()  # a positive effect (0.5 x 0.5)
    only = studylib.power(STUDY, n_grid=[10], reps=20, models=["anova_trust"], n_jobs=1, progress=False)
    assert set(only.power["analysis"]) == {"anova_trust"} and only.method == "anova"
    items = studylib.power(STUDY, n_grid=[10], reps=20, scores="items", n_jobs=1, progress=False)
    assert not items.power["power"].equals(only.power["power"])


def test_same_table_for_any_number_of_workers_and_independent_grid_points():
    kw = dict(n_grid=[10, 14], reps=60, draws=200, seed=8, progress=False)
    one = studylib.power(STUDY, n_jobs=1, **kw).power
    two = studylib.power(STUDY, n_jobs=2, **kw).power
    pd.testing.assert_frame_equal(one, two)
    alone = studylib.power(STUDY, n_jobs=1, **{**kw, "n_grid": [14]}).power
    pd.testing.assert_frame_equal(one[one["n_per_cell"] == 14].reset_index(drop=True), alone)
    bs = dict(n_grid=[10], reps=10, method="bootstrap", boot=200, seed=2, progress=False)
    pd.testing.assert_frame_equal(studylib.power(STUDY, n_jobs=1, **bs).power,
                                  studylib.power(STUDY, n_jobs=2, **bs).power)


def test_continuous_moderator_centering_and_robust_errors():
    spec = {
        "design": {"frame": ["gain", "loss"]},
        "simulation": {"scores": {
            "nfc": {"mean": 4, "sd": 1},
            "trust": {"mean": 4, "sd": 1, "effects": {"frame.loss": 0.4, "nfc*frame.loss": 0.5}},
            "intent": {"mean": 3, "sd": 1, "effects": {"trust": 0.5}}}},
        "models": {"m7": {"kind": "process", "model": 7, "x": "frame", "w": "nfc", "m": "trust",
                          "y": "intent", "center": "continuous", "hc": "HC3"}},
    }
    res = studylib.power(spec, n_grid=[20, 80], reps=30, draws=300, seed=1, n_jobs=1, progress=False)
    tab = res.power
    assert list(dict.fromkeys(tab["effect"]))[:3] == [
        "frame -> trust -> intent | nfc 16th percentile", "frame -> trust -> intent | nfc 50th percentile",
        "frame -> trust -> intent | nfc 84th percentile"]
    index = tab[tab["test"] == "index"].sort_values("n_per_cell")["power"].to_numpy()
    assert index[1] > index[0]  # the index of moderated mediation (0.5 x 0.5) gains power with n


def test_errors_of_power_inputs(tmp_path):
    spec = spec_2x3()
    with pytest.raises(SpecError, match=r"models.med uses \['pk'\], which the simulation does not generate"):
        studylib.power({**spec, "models": {"med": {"kind": "process", "model": 4, "x": "valence",
                                                   "m": "pk", "y": "y"}}}, n_grid=[10], progress=False)
    with pytest.raises(SpecError, match=r"models \['anova_x'\] are not declared"):
        studylib.power(spec, n_grid=[10], models=["anova_x"], progress=False)
    with pytest.raises(SpecError, match="scores='items' needs simulation.items.loading"):
        studylib.power(spec, n_grid=[10], scores="items", progress=False)
    with pytest.raises(OptionError, match="method must be one of 'montecarlo', 'bootstrap'"):
        studylib.power(spec, n_grid=[10], method="mc", progress=False)
    no_block = tmp_path / "s.yaml"
    no_block.write_text(STUDY.read_text().split("simulation:")[0], encoding="utf-8")
    with pytest.raises(SpecError, match=r"s.yaml: has no 'simulation:' block"):
        studylib.power(no_block, n_grid=[10], progress=False)


def test_partition_percentiles_equal_the_process_percentile_ci():
    from studylib.power._process import _percentile_ci
    from studylib.process.intervals import percentile_ci

    draws = np.random.default_rng(1).normal(size=(1999, 7))
    for conf in (0.95, 0.9, 0.99):
        expected = percentile_ci(draws, conf)
        for axis in (0, 1):
            for got, want in zip(_percentile_ci(draws, conf, axis=axis), expected, strict=True):
                assert np.array_equal(got, want)


def test_decisions_from_counts_equal_comparing_the_cis():
    from studylib.power._process import _excludes_zero, _percentile_ci

    rng = np.random.default_rng(3)
    centre = rng.normal(0, 0.05, size=(6, 1, 40))  # many CIs near 0, some exactly on it
    vals = centre + rng.normal(0, 0.03, size=(6, 999, 40))
    vals[0, :, 0] = 0.0
    vals[1, :500, 1], vals[1, 500:, 1] = -1.0, 1.0
    pos, neg = _excludes_zero(vals, 0.95)
    lo, hi = _percentile_ci(vals.transpose(1, 0, 2).reshape(999, -1), 0.95)
    assert np.array_equal(pos.ravel(), lo > 0) and np.array_equal(neg.ravel(), hi < 0)
    assert 0 < pos.sum() < pos.size and 0 < neg.sum() < neg.size


def test_cell_codes_are_in_c_order_of_the_factors():
    block = _thesis_like()
    codes = cell_codes(block, 2)
    assert codes.tolist()[:6] == [[0, 0], [0, 0], [0, 1], [0, 1], [0, 2], [0, 2]]
    frame = _frame(block, draw_scores(block, 2, 1, np.random.default_rng(0)), 2, 1)
    labels = process_labels(process_target("m", {"model": 83, "x": "valence", "w": "response",
                                                 "m": ["psr", "pk"], "y": "attitude"},
                                           list(frame.columns), "<t>"), frame)
    assert ("index", "index valence -> psr -> pk -> attitude: reply vs none") in labels


def test_hypotheses_map_onto_the_directional_power_of_their_effects():
    from types import SimpleNamespace

    from studylib.power._hypotheses import hypothesis_power

    def hyp(id, model, direction, **estimate):
        kind = next(iter(estimate))
        return SimpleNamespace(id=id, model=model, estimate=estimate, direction=direction, kind=kind)

    res = studylib.power(STUDY, n_grid=[10, 30], reps=40, draws=300, n_jobs=1, progress=False)
    models = {"anova_trust": ("anova", {"dv": "trust", "between": ["frame", "source"]}),
              "mediation": ("process", {"model": 7, "x": "frame", "w": "source", "m": "trust",
                                        "y": "intent"})}
    hs = [
        hyp("H1", "mediation", "positive", indirect="frame -> trust -> intent", at={"source": "peer"}),
        hyp("H2", "mediation", "negative", index="frame -> trust -> intent", at={"source": "brand"}),
        hyp("H3", "mediation", "positive", contrast="frame -> trust -> intent", levels=["peer", "brand"]),
        hyp("H4", "anova_trust", "nonzero", term="frame:source"),
        hyp("H5", "anova_trust", "positive", simple_effect="frame", at={"source": "peer"}),
        hyp("H6", "mediation", "positive", coefficient="frame[loss]", equation="trust"),
    ]
    tab = hypothesis_power(hs, models, res.power).set_index(["hypothesis", "n_per_cell"])
    p = res.power.set_index(["effect", "n_per_cell"])
    assert tab.loc[("H1", 30), "power"] == p.loc[("frame -> trust -> intent | peer", 30), "power_positive"]
    assert tab.loc[("H2", 30), "power"] == p.loc[
        ("index frame -> trust -> intent: brand vs peer", 30), "power_negative"]
    # peer - brand is stored as brand minus peer: the sign flips
    assert tab.loc[("H3", 10), "power"] == p.loc[
        ("frame -> trust -> intent | brand minus frame -> trust -> intent | peer", 10), "power_negative"]
    assert tab.loc[("H4", 30), "power"] == p.loc[("frame x source", 30), "power"]
    assert tab.loc[("H5", 10), "power"] == p.loc[("frame | peer", 10), "power"]
    h6 = tab.loc["H6"]
    assert h6["note"].iloc[0] == "a coefficient is not among the simulated tests"


def test_anova_contrasts_test_like_pairwise_and_serve_hypotheses():
    from types import SimpleNamespace

    from studylib.power._ftests import contrast_counts

    rng = np.random.default_rng(6)
    n = 9
    codes = np.array([[a, b] for a in range(2) for b in range(3) for _ in range(n)])
    y = (np.asarray(MU)[codes[:, 0], codes[:, 1]] + rng.normal(size=len(codes)))[None, :]
    df = pd.DataFrame({"y": y[0],
                       "valence": pd.Categorical.from_codes(codes[:, 0], ["negative", "positive"]),
                       "response": pd.Categorical.from_codes(codes[:, 1], ["none", "like", "reply"])})
    pw = studylib.pairwise(df, "y", ["valence", "response"], effect="valence", by="response",
                           adjust="none")
    row = pw[pw["response"].astype(str) == "like"].iloc[0]
    levels = {"valence": ("negative", "positive"), "response": ("none", "like", "reply")}
    c = [("valence", str(row["level1"]), str(row["level2"]), {"response": "like"}, levels)]
    just_in = contrast_counts(y, codes, (2, 3), ("valence", "response"), c, row["p"] * (1 + 1e-9))
    just_out = contrast_counts(y, codes, (2, 3), ("valence", "response"), c, row["p"] * (1 - 1e-9))
    assert just_in[0, 0] == 1 and just_out[0, 0] == 0  # the same p as studylib.pairwise
    assert just_in[0, 1] == int(row["estimate"] > 0) and just_in[0, 2] == int(row["estimate"] < 0)
    # a hypothesis about such a difference is simulated and gets its directional power
    from studylib._simblock import study_block

    study, block = study_block(STUDY)
    if getattr(study, "simulation", None) is None:  # a Study class without the block field
        object.__setattr__(study, "simulation", block)
    h = SimpleNamespace(id="H7", model="anova_trust", kind="contrast", direction="positive",
                        estimate={"contrast": "frame", "levels": ["loss", "gain"], "at": {"source": "peer"}})
    object.__setattr__(study, "hypotheses", (h,))
    res = studylib.power(study, n_grid=[20, 60], reps=60, models=["anova_trust"], seed=2,
                         n_jobs=1, progress=False)
    rows = res.power[res.power["test"] == "contrast"]
    assert list(rows["effect"].unique()) == ["frame: loss - gain | peer"]
    hyp = res.hypotheses.set_index("n_per_cell")["power"]
    assert_allclose(hyp.to_numpy(), rows["power_positive"].to_numpy())
    assert hyp.loc[60] > hyp.loc[20] > 0.2  # loss raises trust by 0.5 with a peer source
