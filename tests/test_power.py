"""Tests of studylib.power's thesis wrappers: power of the 3 x 2 ANOVA and PROCESS model 83.

The generic engine (any study) is tested in tests/test_power_study.py.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose
from statsmodels.stats.power import ftest_power

from studylib import Model83Effects, power_anova, power_anova_analytic, power_model83
from studylib._simblock import draw_scores, parse_block
from studylib.errors import InputTypeError, OptionError, SpecError
from studylib.power._ftests import anova_pvalues
from studylib.power._labels83 import _effect_values
from studylib.simulate import load_params

MU = [[0.0, 0.3, 0.5], [0.4, 0.0, -0.1]]  # rows valence negative/positive; cols none/like/reply
PARAMS = load_params()  # the shipped data/synthetic/params.yaml (measurement model)
EFF = Model83Effects(x_m1=0.5, w_m1=(0.2, 0.1), xw_m1=(-0.9, -1.2), m1_m2=-0.5, x_m2=0.1,
                     m1_y=0.2, m2_y=-0.5, x_y=0.1)


# -- analytic power -------------------------------------------------------------------
def test_analytic_power_matches_statsmodels_ftest_power():
    tab = power_anova_analytic(MU, sd=1.3, n_grid=[10, 25, 60], tests=["interaction", "simple", "valence", "response"])
    assert len(tab) == 3 * 6  # interaction, 3 simple effects, 2 main effects
    for _, r in tab.iterrows():
        # statsmodels writes lambda = f^2 (df1 + df2 + ncc); ncc = N - df1 - df2 makes it
        # f^2 N = lambda, with f = sqrt(lambda / N) as reported in cohens_f
        ncc = r["n_total"] - r["df1"] - r["df2"]
        expected = ftest_power(r["cohens_f"], r["df2"], r["df1"], 0.05, ncc=ncc)
        assert_allclose(r["power"], expected, rtol=1e-9)


def test_analytic_power_matches_ftestanovapower_and_pingouin_by_reparametrization():
    # Both assume a one-way design with k groups: df1 = k - 1, df2 = N' - k, lambda =
    # f^2 N'. With k = df1 + 1 and N' = df2 + k they describe the same noncentral F as a
    # 3 x 2 test with error df N - 6 (for pingouin, N' = k n' with n' = df2 / k + 1).
    import pingouin as pg
    from statsmodels.stats.power import FTestAnovaPower

    tab = power_anova_analytic(MU, sd=0.9, n_grid=[10, 31], tests=["interaction", "simple"])
    for _, r in tab.iterrows():
        k = int(r["df1"]) + 1
        nobs = r["df2"] + k
        f = np.sqrt(r["noncentrality"] / nobs)
        sm_power = FTestAnovaPower().power(effect_size=f, nobs=nobs, alpha=0.05, k_groups=k)
        assert_allclose(r["power"], sm_power, rtol=1e-9)
        f2 = r["noncentrality"] / nobs
        pg_power = pg.power_anova(eta_squared=f2 / (1 + f2), k=k, n=nobs / k, alpha=0.05)
        assert_allclose(r["power"], pg_power, rtol=1e-7)


def test_analytic_power_null_is_alpha():
    tab = power_anova_analytic(np.zeros((2, 3)), n_grid=[5, 50], alpha=0.05)
    assert_allclose(tab["power"], 0.05, rtol=1e-9)


def test_vectorized_f_tests_equal_statsmodels_type3():
    rng = np.random.default_rng(5)
    n = 7
    y = rng.normal(size=(1, 2, 3, n)) + np.asarray(MU)[None, :, :, None]
    df = pd.DataFrame({
        "y": y.ravel(),
        "valence": np.repeat(["negative", "positive"], 3 * n),
        "response": np.tile(np.repeat(["none", "like", "reply"], n), 2),
    })
    fit = smf.ols("y ~ C(valence, Sum) * C(response, Sum)", data=df).fit()
    aov = sm.stats.anova_lm(fit, typ=3)
    cell = np.repeat(np.arange(6), n)
    codes = np.column_stack([cell // 3, cell % 3])
    p = anova_pvalues(y.reshape(1, -1), codes, (2, 3), ("valence", "response"), 3)[0]
    assert_allclose(p[0], aov.loc["C(valence, Sum)", "PR(>F)"], rtol=1e-8)
    assert_allclose(p[1], aov.loc["C(response, Sum)", "PR(>F)"], rtol=1e-8)
    assert_allclose(p[2], aov.loc["C(valence, Sum):C(response, Sum)", "PR(>F)"], rtol=1e-8)
    # simple effect of valence at 'like': t test of the cell contrast with the pooled MSE
    cells = y[0].mean(axis=-1)
    mse = fit.mse_resid
    t = (cells[1, 1] - cells[0, 1]) / np.sqrt(mse * 2 / n)
    from scipy import stats
    p_simple = p[3:]
    assert_allclose(p_simple[1], 2 * stats.t.sf(abs(t), 6 * n - 6), rtol=1e-8)
    # and studylib's own simple effects (pooled error term)
    import studylib

    df["valence"] = pd.Categorical(df["valence"], categories=["negative", "positive"])
    df["response"] = pd.Categorical(df["response"], categories=["none", "like", "reply"])
    se = studylib.simple_effects(df, "y", ["valence", "response"], effect="valence", by="response")
    assert_allclose(p_simple, se.set_index(se["response"].astype(str)).loc[["none", "like", "reply"], "p"],
                    rtol=1e-8)


# -- Monte Carlo against analytic ---------------------------------------------------------
def test_anova_monte_carlo_agrees_with_noncentral_f():
    grid = [10, 20, 35]
    sim = power_anova(MU, sd=1.0, n_grid=grid, reps=3000, seed=11, n_jobs=1, progress=False)
    exact = power_anova_analytic(MU, sd=1.0, n_grid=grid)
    merged = sim.power.merge(exact, on=["effect", "n_per_cell"], suffixes=("", "_exact"))
    assert len(merged) == 12  # 4 tests x 3 grid points
    se = np.sqrt(merged["power_exact"] * (1 - merged["power_exact"]) / 3000)
    # 3 Monte Carlo SEs: with 12 comparisons, P(any beyond 3 SE by chance) is about 3%;
    # the seed is fixed, so the test is deterministic.
    assert (np.abs(merged["power"] - merged["power_exact"]) <= 3 * se).all(), merged
    assert merged["power_exact"].between(0.1, 0.95).sum() >= 6  # informative points


def test_model83_anova_rows_agree_with_noncentral_f_of_implied_cells():
    grid = [15, 30, 45]
    res = power_model83(EFF, n_grid=grid, reps=1000, anova_dvs=["psr", "attitude"], draws=100,
                        seed=2, n_jobs=1, progress=False)
    cells = EFF.cell_table()
    for dv in ("psr", "attitude"):
        c = cells[cells["dv"] == dv]
        mu = c["mean"].to_numpy().reshape(2, 3)
        exact = power_anova_analytic(mu, sd=c["sd"].iloc[0], n_grid=grid)
        sim = res.power[res.power["effect"].str.startswith(f"{dv}: ")].copy()
        sim["effect"] = sim["effect"].str.removeprefix(f"{dv}: ")
        m = sim.merge(exact, on=["effect", "n_per_cell"], suffixes=("", "_exact"))
        se = np.sqrt(m["power_exact"] * (1 - m["power_exact"]) / 1000)
        se = np.maximum(se, 0.003)  # powers of exactly 1.0 have SE 0
        # 3.5 SE: 24 comparisons, fixed seed
        assert (np.abs(m["power"] - m["power_exact"]) <= 3.5 * se).all(), m


def test_null_rejection_rate_is_alpha():
    res = power_anova(np.zeros((2, 3)), n_grid=[8, 30], reps=4000, seed=7,
                      tests=["interaction", "simple", "valence", "response"], n_jobs=1, progress=False)
    se = np.sqrt(0.05 * 0.95 / 4000)
    assert (np.abs(res.power["power"] - 0.05) <= 2 * se).all(), res.power


def test_model83_null_does_not_exceed_alpha():
    res = power_model83(Model83Effects(), n_grid=[20], reps=2000, anova_dvs=["pk"],
                        anova_tests=("interaction",), draws=500, seed=8, n_jobs=1, progress=False)
    se = np.sqrt(0.05 * 0.95 / 2000)
    anova_row = res.power[res.power["analysis"] == "anova"]
    assert abs(anova_row["power"].iloc[0] - 0.05) <= 2 * se
    # CIs of products of null paths are conservative (Type I error well below alpha)
    med = res.power[res.power["analysis"] == "model83"]
    assert (med["power"] <= 0.05 + 2 * se).all(), med


# -- model-83 engine ---------------------------------------------------------------
def test_standardized_effects_give_unit_variance():
    total = EFF.cell_sds() ** 2 + EFF.cell_means().var(axis=1)
    assert_allclose(total, 1.0, rtol=1e-12)
    factors = (("valence", ("negative", "positive")), ("response", ("none", "like", "reply")))
    block = parse_block(EFF.to_simulation(), factors, ["psr", "pk", "attitude"], "<test>")
    s = draw_scores(block, 2000, 1, np.random.default_rng(0))
    # 12,000 draws: SE of a variance near 1 is about 0.013
    assert_allclose([s[k].var() for k in ("psr", "pk", "attitude")], 1.0, atol=0.05)
    # the cell means the block implies are the paths' (grand mean 0 removed)
    means = np.vstack([s[k].reshape(6, 2000).mean(axis=1) for k in ("psr", "pk", "attitude")])
    assert_allclose(means - means.mean(axis=1, keepdims=True), EFF.cell_means(), atol=0.08)


def test_effect_values_are_products_of_paths():
    p = np.array([0.5, -0.9, -1.2, 0.1, -0.5, 0.2, -0.4])
    v = _effect_values(p)
    assert_allclose(v[:3], np.array([0.5, -0.4, -0.7]) * 0.2)
    assert_allclose(v[3:6], np.array([0.5, -0.4, -0.7]) * -0.5 * -0.4)
    assert_allclose(v[6:10], [-0.9 * 0.2, -1.2 * 0.2, -0.9 * 0.2, -1.2 * 0.2])
    assert_allclose(v[10], 0.1 * -0.4)


def test_model83_power_increases_with_n_and_bootstrap_close_to_montecarlo():
    kw = dict(n_grid=[15, 60], reps=100, anova_dvs=(), seed=5, n_jobs=1, progress=False)
    mc = power_model83(EFF, **kw).power
    bs = power_model83(EFF, method="bootstrap", boot=300, **kw).power
    key = "index valence -> psr -> pk -> attitude: reply vs none"
    p_mc = mc.loc[mc["effect"] == key, "power"].to_numpy()
    assert p_mc[1] > p_mc[0]
    # the two CI methods differ by their random streams and by little else: within 3 SEs of
    # a difference of two independent proportions from 100 replications each (conservative:
    # both methods see the same simulated data sets), and never more than 0.2 apart
    p1, p2 = bs["power"].to_numpy(), mc["power"].to_numpy()
    se = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 100)
    assert np.all(np.abs(p1 - p2) <= np.maximum(3 * se, 0.03))
    assert np.all(np.abs(p1 - p2) <= 0.2)


# -- reproducibility --------------------------------------------------------------
def test_same_seed_same_table_and_n_jobs_do_not_matter():
    kw = dict(n_grid=[10, 20], reps=230, anova_dvs=["psr"], draws=300, seed=123, progress=False)
    a = power_model83(EFF, n_jobs=1, **kw)
    b = power_model83(EFF, n_jobs=1, **kw)
    c = power_model83(EFF, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(a.power, b.power)
    pd.testing.assert_frame_equal(a.power, c.power)
    assert a.seed == 123
    d = power_model83(EFF, n_jobs=1, **{**kw, "seed": 124})
    assert not a.power["power"].equals(d.power["power"])


def test_grid_points_do_not_depend_on_each_other():
    a = power_anova(MU, n_grid=[10, 20], reps=100, seed=1, n_jobs=1, progress=False).power
    b = power_anova(MU, n_grid=[20], reps=100, seed=1, n_jobs=1, progress=False).power
    pd.testing.assert_frame_equal(a[a["n_per_cell"] == 20].reset_index(drop=True), b)


def test_bootstrap_n_jobs_identical():
    kw = dict(n_grid=[12], reps=12, method="bootstrap", boot=150, anova_dvs=(), seed=3, progress=False)
    pd.testing.assert_frame_equal(power_model83(EFF, n_jobs=1, **kw).power,
                                  power_model83(EFF, n_jobs=2, **kw).power)


# -- result object ----------------------------------------------------------------
def test_result_table_min_n_plot_and_json(tmp_path):
    res = power_anova(MU, n_grid=[5, 40], reps=200, seed=2, n_jobs=1, progress=False, target=0.8)
    tab = res.table()
    assert list(tab.columns) == ["analysis", "test", "effect", "n_per_cell", "n_total", "reps",
                                 "power", "mc_se", "ci_low", "ci_high", "power_positive",
                                 "power_negative"]
    assert tab["power_positive"].isna().all()  # F tests have no direction
    assert_allclose(tab["mc_se"], np.sqrt(tab["power"] * (1 - tab["power"]) / 200))
    assert ((tab["ci_low"] <= tab["power"]) & (tab["power"] <= tab["ci_high"])).all()
    mn = res.min_n()
    inter = mn.set_index("effect").loc["valence x response"]
    assert inter["n_per_cell"] == 40
    assert pd.isna(mn.set_index("effect").loc["valence | like", "n_per_cell"])
    assert "smallest n per cell reaching power 0.8" in res.summary()
    ax = res.plot()
    assert len(ax.get_legend().get_texts()) == 4
    from studylib._json import write_json
    out = json.loads(write_json(res.to_dict(), tmp_path / "p.json").read_text())
    assert out["seed"] == 2 and len(out["power"]) == 8
    assert res.to_dict() == out  # to_dict() is already plain JSON content, as for process results


# -- bad input --------------------------------------------------------------------
@pytest.mark.parametrize("target", [0, 1, 1.5, -0.2, float("nan")])
def test_target_outside_unit_interval(target):
    with pytest.raises(OptionError, match="target power must be a number strictly between 0 and 1"):
        power_anova(MU, n_grid=[10], target=target, progress=False)


def test_empty_grid_and_bad_grid_values():
    with pytest.raises(SpecError, match="n_grid is empty"):
        power_model83(n_grid=[], progress=False)
    with pytest.raises(OptionError, match="at least 2; got 1"):
        power_anova_analytic(MU, n_grid=[1, 10])
    with pytest.raises(OptionError, match="whole numbers of participants per cell; got 10.5"):
        power_anova(MU, n_grid=[10.5])
    with pytest.raises(InputTypeError, match="n_grid must be a sequence"):
        power_anova(MU, n_grid="20")


def test_impossible_effect_sizes():
    with pytest.raises(SpecError, match=r"R² = 1.562 >= 1 for psr"):
        Model83Effects(x_m1=2.5)
    with pytest.raises(SpecError, match=r">= 1 for pk \(residual variance"):
        Model83Effects(m1_m2=1.0)
    with pytest.raises(SpecError, match=r">= 1 for attitude"):
        Model83Effects(m1_y=0.8, m2_y=0.8, m1_m2=0.5)
    with pytest.raises(SpecError, match="residual SD sd_m2 must be > 0; got 0"):
        Model83Effects(sd_m1=1.0, sd_m2=0.0, sd_y=1.0)
    with pytest.raises(SpecError, match="give all three residual SDs"):
        Model83Effects(sd_m1=1.0)
    with pytest.raises(SpecError, match="sd \\(within-cell standard deviation\\) must be > 0"):
        power_anova(MU, sd=0, n_grid=[10])
    with pytest.raises(SpecError, match="effect x_m1 must be a finite number; got nan"):
        Model83Effects(x_m1=float("nan"))
    with pytest.raises(SpecError, match="unknown effect names \\['a1'\\]"):
        power_model83({"a1": 0.3}, n_grid=[10])


def test_bad_options():
    with pytest.raises(OptionError, match="method must be one of 'montecarlo', 'bootstrap'; got 'boot'"):
        power_model83(n_grid=[10], method="boot")
    with pytest.raises(OptionError, match="each of anova_dvs must be one of"):
        power_model83(n_grid=[10], anova_dvs=["PSR"])
    with pytest.raises(OptionError, match="each ANOVA test must be one of"):
        power_anova(MU, n_grid=[10], tests=["interactions"])
    with pytest.raises(SpecError, match="cell_means must be 2 x 3"):
        power_anova([[0, 1], [1, 0]], n_grid=[10])
    with pytest.raises(OptionError, match="n_jobs must be None"):
        power_anova(MU, n_grid=[10], n_jobs=0)
    with pytest.raises(OptionError, match="conf must be a number strictly between 0 and 1"):
        power_model83(n_grid=[10], conf=95)
    with pytest.raises(OptionError, match="reps must be at least 10"):
        power_anova(MU, n_grid=[10], reps=5)


def test_cell_means_dataframe_is_matched_by_labels():
    df = pd.DataFrame(MU, index=["negative", "positive"], columns=["none", "like", "reply"])
    shuffled = df.loc[["positive", "negative"], ["reply", "none", "like"]]
    assert_allclose(power_anova_analytic(shuffled, n_grid=[10])["power"], power_anova_analytic(MU, n_grid=[10])["power"])


# -- effects from files and the simulator's parameters ----------------------------
def test_effects_from_file_and_latent_round_trip(tmp_path):
    path = tmp_path / "eff.yaml"
    path.write_text("effects:\n  x_m1: 0.4\n  xw_m1: {like: -0.7, reply: -1.0}\n  m1_m2: -0.4\n",
                    encoding="utf-8")
    eff = Model83Effects.from_file(path)
    assert eff.xw_m1 == (-0.7, -1.0) and eff.standardized
    assert Model83Effects.from_latent(EFF.to_latent()) == EFF
    raw = Model83Effects.from_latent(EFF.to_latent())
    assert not raw.standardized  # residual SDs given explicitly
    shipped = Model83Effects.from_params()
    assert shipped.x_m1 == PARAMS["latent"]["psr"]["valence"]["none"]
    assert shipped.m2_y == PARAMS["latent"]["attitude"]["pk"]
    assert shipped.sd_m2 == PARAMS["latent"]["pk"]["residual_sd"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("x_m1: 3\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.yaml: standardized effects imply R² = 2.25"):
        Model83Effects.from_file(bad)
    with pytest.raises(SpecError, match="eff.yaml: field 'design' is missing"):
        Model83Effects.from_params(path)


# -- command line -----------------------------------------------------------------
def test_cli_power_writes_json(tmp_path, capsys):
    from studylib.cli import main

    out = tmp_path / "power.json"
    eff = tmp_path / "eff.yaml"
    eff.write_text("x_m1: 0.4\nxw_m1: {like: -0.7, reply: -1.0}\nm1_m2: -0.4\nm2_y: -0.4\n",
                   encoding="utf-8")
    rc = main(["power", "--effects", str(eff), "--grid", "10", "20", "--reps", "50", "--draws",
               "200", "--seed", "4", "--anova-dvs", "psr", "--json", str(out), "--quiet",
               "--n-jobs", "1"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "smallest n per cell reaching power 0.8" in printed
    data = json.loads(out.read_text())
    assert data["seed"] == 4 and data["settings"]["reps"] == 50
    assert len(data["power"]) == 2 * (4 + 11)


def test_cli_power_bad_input_exits_2(capsys):
    from studylib.cli import main

    study = str(Path(__file__).parent / "studies" / "study_2x2.yaml")
    assert main(["power", "--config", study, "--grid", "20", "--target", "1.2", "--quiet"]) == 2
    assert "target power must be a number strictly between 0 and 1" in capsys.readouterr().err


def test_cli_power_progress_flag_matches_reproduce():
    # --no-progress is the flag of `studylib reproduce`; --quiet is kept as its alias
    from studylib.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["power", "--grid", "20", "--no-progress"]).quiet is True
    assert parser.parse_args(["power", "--grid", "20", "--quiet"]).quiet is True
    assert parser.parse_args(["power", "--grid", "20"]).quiet is False


def test_effects_from_process_result_reproduce_its_estimates():
    import studylib

    pilot = studylib.simulate_latent(60, seed=2)
    fit = studylib.process(pilot, model=83, x="valence", w="response", m=["psr", "pk"],
                           y="attitude", boot=1000, seed=1)
    eff = Model83Effects.from_result(fit)
    # the population indirect effects of the fitted paths are the fit's point estimates
    ind = fit.indirect.set_index(["path", fit.indirect["w"].astype(str)])["effect"]
    values = eff.indirect_effects().set_index("effect")["value"]
    assert_allclose(values["valence -> psr -> pk -> attitude | reply"],
                    ind["valence -> psr -> pk -> attitude", "reply"], rtol=1e-10)
    assert_allclose(values["valence -> psr -> attitude | like"],
                    ind["valence -> psr -> attitude", "like"], rtol=1e-10)
    mse = fit.equations.query("test == 'model'").set_index("equation")["mse"]
    assert_allclose([eff.sd_m1**2, eff.sd_m2**2, eff.sd_y**2], mse[["psr", "pk", "attitude"]], rtol=1e-12)
    with pytest.raises(InputTypeError, match="result must be a studylib.process result; got dict"):
        Model83Effects.from_result({})
    fit4 = studylib.process(pilot.assign(x=pilot["valence"].cat.codes.astype(float)), model=4,
                            x="x", m="psr", y="attitude", boot=1000, seed=1)
    with pytest.raises(SpecError, match="must be a fit of PROCESS model 83; got model '4'"):
        Model83Effects.from_result(fit4)


def test_item_scores_option_runs_and_records_settings():
    kw = dict(n_grid=[30], reps=40, draws=200, anova_dvs=["psr"], seed=6, n_jobs=1, progress=False)
    items = power_model83(EFF, scores="items", **kw)
    latent = power_model83(EFF, **kw)
    assert items.settings["scores"] == "items"
    assert list(items.power.columns) == list(latent.power.columns)
    assert not items.power["power"].equals(latent.power["power"])
    with pytest.raises(OptionError, match="scores must be one of 'latent', 'items'; got 'item'"):
        power_model83(EFF, n_grid=[10], scores="item")


def test_cli_power_bootstrap_from_params(tmp_path, capsys):
    from studylib.cli import main
    from studylib.paths import SYNTHETIC

    out = tmp_path / "p.json"
    rc = main(["power", "--grid", "12", "--reps", "10", "--method", "bootstrap", "--boot", "200",
               "--from-params", str(SYNTHETIC / "params.yaml"), "--anova-dvs", "--quiet",
               "--n-jobs", "1", "--seed", "1", "--json", str(out)])
    assert rc == 0
    data = json.loads(out.read_text())
    assert data["method"] == "bootstrap" and data["settings"]["boot"] == 200
    assert data["settings"]["effects"]["x_m1"] == Model83Effects.from_params().x_m1
    assert {r["analysis"] for r in data["power"]} == {"model83"}
