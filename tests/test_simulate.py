"""Tests of studylib.simulate: determinism, structure, recovery of the generating model,
false-positive rate under the null, parameter errors and the `studylib simulate` CLI."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import yaml
from statsmodels.stats.anova import anova_lm

from studylib.cli import main
from studylib.errors import OptionError, SpecError
from studylib.io import read_data, write_data
from studylib.paths import SYNTHETIC
from studylib.simulate import load_params, population_effects, simulate_latent, simulate_study

PSR = [f"PSR_{i}" for i in range(1, 9)]


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a = write_data(simulate_study(n=120, seed=11), tmp_path / "a.csv")
    b = write_data(simulate_study(n=120, seed=11), tmp_path / "b.csv")
    c = write_data(simulate_study(n=120, seed=12), tmp_path / "c.csv")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_default_call_reproduces_the_shipped_csv(tmp_path):
    out = write_data(simulate_study(), tmp_path / "x.csv")
    assert out.read_bytes() == (SYNTHETIC / "influencer_study.csv").read_bytes()


def test_seed_is_recorded_and_generator_accepted():
    raw = simulate_study(n=30, seed=5)
    assert raw.attrs["seed"] == 5
    fresh = simulate_study(params={**load_params(), "seed": None}, n=30)
    assert isinstance(fresh.attrs["seed"], int)
    gen = simulate_study(n=30, seed=np.random.default_rng(5))
    assert gen.attrs["seed"] is None and len(gen) == 30


def test_structure_balance_ranges_and_types():
    raw = simulate_study(n=125, seed=2)
    assert list(raw.columns[:9]) == ["StartDate", "EndDate", "Progress", "Duration (in seconds)",
                                     "Finished", "ResponseId", "UserLanguage", "Valence", "Response"]
    assert raw["ResponseId"].is_unique and raw["ResponseId"].str.match(r"^R_[0-9A-Za-z]{15}$").all()
    cells = raw.groupby(["Valence", "Response"]).size()
    assert len(cells) == 6 and cells.max() - cells.min() <= 1
    items = [c for c in raw.columns if c.split("_")[0] in ("PSR", "PK", "ATT")]
    assert len(items) == 18
    values = raw[items].to_numpy(dtype=float, na_value=np.nan)
    values = values[~np.isnan(values)]
    assert ((values >= 1) & (values <= 7) & (values == np.round(values))).all()
    assert 0 < raw[items].isna().mean().mean() < 0.05  # "a small share" of missing answers
    assert set(raw["Gender"]) <= {"Woman", "Man", "Non-binary", "Prefer not to say"}
    assert set(raw["Follow"]) <= {"Yes", "No"}
    assert pd.api.types.is_integer_dtype(raw["Age"]) and raw["Age"].between(15, 45).all()


def test_careless_patterns_are_present_in_a_large_sample():
    raw = simulate_study(n=3000, seed=4)
    items = raw[[c for c in raw.columns if c.split("_")[0] in ("PSR", "PK", "ATT")]].astype(float)
    straight = (items.nunique(axis=1) == 1) & (items.notna().sum(axis=1) >= 2)
    # straight-liners are generated at 2.5%; attentive respondents almost never give 18 equal answers
    assert 0.015 < straight.mean() < 0.035
    assert 0.04 < (raw["ATTN"] != 2).mean() < 0.12
    dur = raw["Duration (in seconds)"].astype(float)
    assert 0.015 < (dur < 0.4 * dur.median()).mean() < 0.05
    age = raw["Age"].astype(float)
    assert 0.02 < (~age.between(18, 30)).mean() < 0.07
    assert ((raw["Age"] >= 18) & (raw["Age"] <= 30)).mean() > 0.9


def test_reverse_keyed_items_correlate_negatively_with_the_others():
    raw = simulate_study(n=3000, seed=6).dropna(subset=PSR)
    r = raw[PSR].astype(float).corr()
    assert r.loc["PSR_3", "PSR_1"] < -0.2 and r.loc["PSR_6", "PSR_4"] < -0.2
    assert r.loc["PSR_1", "PSR_2"] > 0.3


def test_manipulation_checks_mostly_match_the_condition():
    raw = simulate_study(n=3000, seed=8)
    expected = raw["Response"].map({"No reaction": "Did not react", "Like": "Liked the comments",
                                    "Reply": "Replied to the comments"})
    assert 0.75 < (raw["MC_resp"] == expected).mean() < 0.92
    mv = raw.groupby("Valence")["MC_val"].mean()
    assert mv["Positive comments"] - mv["Negative comments"] > 1.5


def test_simulate_latent_shape_order_and_determinism():
    sim = simulate_latent(7, reps=3, seed=1)
    assert sim.shape == (126, 6)
    assert list(sim.columns) == ["rep", "valence", "response", "psr", "pk", "attitude"]
    assert sim["valence"].cat.categories.tolist() == ["negative", "positive"]
    assert sim["response"].cat.categories.tolist() == ["none", "like", "reply"]
    assert (sim.groupby(["rep", "valence", "response"], observed=True).size() == 7).all()
    pd.testing.assert_frame_equal(sim, simulate_latent(7, reps=3, seed=1))
    with pytest.raises(OptionError, match="scores must be one of 'latent', 'items'; got 'item'"):
        simulate_latent(7, scores="item")
    with pytest.raises(OptionError, match="n_per_cell must be at least 1"):
        simulate_latent(0)


def test_simulate_latent_recovers_the_generating_paths():
    sim = simulate_latent(4000, seed=3)
    sim["x"] = (sim["valence"] == "positive").astype(float)
    truth = population_effects()
    for level, row in truth.set_index("response").iterrows():
        sub = sim[sim["response"] == level]
        a1 = smf.ols("psr ~ x", sub).fit().params["x"]
        # SE of a mean difference with n = 4000 per group and residual SD 1 is 0.022: 5 SE
        assert a1 == pytest.approx(row["a1"], abs=0.11)
    fit_pk = smf.ols("pk ~ psr + x", sim).fit().params
    fit_y = smf.ols("attitude ~ psr + pk + x", sim).fit().params
    assert fit_pk["psr"] == pytest.approx(-0.6, abs=0.03)  # SE about 0.005 at n = 24000
    assert fit_y["pk"] == pytest.approx(-0.5, abs=0.03)
    assert fit_y["psr"] == pytest.approx(0.3, abs=0.03)


def test_population_effects_are_products_of_paths():
    eff = population_effects(latent={"pk": {"psr": -1.0}})
    np.testing.assert_allclose(eff["serial_indirect"], eff["a1"] * -1.0 * eff["b2"], rtol=1e-12)
    assert eff["serial_indirect"].tolist() == pytest.approx([0.3, -0.25, -0.5], rel=1e-12)


def _interaction_f(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valence x response F of a balanced 2 x 3 design for each row of y (reps x n)."""
    cell = x * 3 + w
    n_cell = (cell == 0).sum()
    means = np.stack([y[:, cell == k].mean(axis=1) for k in range(6)], axis=1).reshape(-1, 2, 3)
    grand = means.mean(axis=(1, 2), keepdims=True)
    row = means.mean(axis=2, keepdims=True)
    col = means.mean(axis=1, keepdims=True)
    ss_int = n_cell * ((means - row - col + grand) ** 2).sum(axis=(1, 2))
    fitted = means.reshape(-1, 6)[:, cell]
    ss_err = ((y - fitted) ** 2).sum(axis=1)
    return (ss_int / 2) / (ss_err / (y.shape[1] - 6))


def test_null_effects_give_about_five_percent_significant_interactions():
    from scipy import stats

    null = {"psr": {"valence": {"none": 0, "like": 0, "reply": 0},
                    "intercept": {"none": 0, "like": 0, "reply": 0}}}
    reps, n_per_cell = 200, 45
    sim = simulate_latent(n_per_cell, latent=null, reps=reps, scores="items", seed=2024)
    y = sim["psr"].to_numpy().reshape(reps, -1)
    first = sim[sim["rep"] == 0]
    x = (first["valence"] == "positive").to_numpy().astype(int)
    w = first["response"].cat.codes.to_numpy()
    f = _interaction_f(y, x, w)
    # the vectorized F equals the Type III F of statsmodels (sum-to-zero coding) on replication 0
    fit = smf.ols("psr ~ C(valence, Sum) * C(response, Sum)", first).fit()
    f_sm = anova_lm(fit, typ=3).loc["C(valence, Sum):C(response, Sum)", "F"]
    assert f[0] == pytest.approx(f_sm, rel=1e-9)
    p = stats.f.sf(f, 2, 6 * n_per_cell - 6)
    k = int((p < 0.05).sum())
    # Binomial(200, 0.05): mean 10; P(k <= 2) + P(k >= 21) < 0.003
    assert 3 <= k <= 20, k


def test_parameter_errors_name_the_field(tmp_path):
    params = load_params()
    bad = {**params, "latent": {**params["latent"], "psr": {**params["latent"]["psr"], "valence": {"none": 0.5}}}}
    with pytest.raises(SpecError, match=r"field 'latent.psr.valence' must map each response level"):
        simulate_study(bad, n=30, seed=1)
    m = yaml.safe_load((SYNTHETIC / "params.yaml").read_text())
    m["measurement"]["pk"]["thresholds"] = [0, -1, 1, 2, 3, 4]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(m))
    with pytest.raises(SpecError, match=r"p\.yaml: field 'measurement.pk.thresholds' must be 6 increasing"):
        simulate_study(path, n=30, seed=1)
    del m["careless"]
    path.write_text(yaml.safe_dump(m))
    with pytest.raises(SpecError, match=r"field 'careless' is missing"):
        load_params(path)
    with pytest.raises(SpecError, match=r"field 'latent.pk.psr' must be a number"):
        simulate_latent(5, latent={"pk": {"psr": "strong"}})
    with pytest.raises(OptionError, match="n must be at least 6"):
        simulate_study(n=3, seed=1)


def test_cli_simulate_writes_csv_sav_and_json(tmp_path, capsys):
    out, js = tmp_path / "sim.csv", tmp_path / "sim.json"
    assert main(["simulate", "--n", "60", "--seed", "9", "--out", str(out), "--json", str(js)]) == 0
    raw = read_data(out)
    pd.testing.assert_frame_equal(raw, simulate_study(n=60, seed=9))
    summary = json.loads(js.read_text())
    assert summary["seed"] == 9 and summary["n"] == 60 and sum(c["n"] for c in summary["cells"]) == 60
    assert "wrote 60 simulated respondents" in capsys.readouterr().out
    sav = tmp_path / "sim.sav"
    assert main(["simulate", "--n", "60", "--seed", "9", "--out", str(sav)]) == 0
    assert read_data(sav)["Valence"].cat.categories.tolist() == ["Negative comments", "Positive comments"]
    q = tmp_path / "q.csv"
    assert main(["simulate", "--n", "12", "--seed", "9", "--out", str(q), "--qualtrics"]) == 0
    assert read_data(q).attrs["read_report"].format == "qualtrics_csv"


def test_cli_simulate_bad_input_exits_2(tmp_path, capsys):
    assert main(["simulate", "--n", "60", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "--out must end in .csv or .sav; got 'x.xlsx'" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("design: [1, 2]\n")
    assert main(["simulate", "--params", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert "field 'design' is missing" in capsys.readouterr().err
