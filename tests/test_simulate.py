"""Tests of studylib.simulate: determinism, structure, recovery of the generating model,
false-positive rate under the null, names from the parameter file, parameter errors and the
`studylib simulate` CLI."""

import ast
import copy
import json
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import yaml
from statsmodels.stats.anova import anova_lm

from studylib.cli import main
from studylib.errors import OptionError, SpecError
from studylib.io import read_data, write_data
from studylib.paths import ROOT, SYNTHETIC
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


# -- every name from the parameter file ----------------------------------------------------

_FACTORS = {"valence": "tone", "response": "reaction"}
_LEVELS = {"negative": "low", "positive": "high", "none": "r0", "like": "r1", "reply": "r2"}
_SCALES = {"psr": "bond", "pk": "wary", "attitude": "liking"}
_COLUMNS = {"Valence": "Tone", "Response": "Reaction", "ATTN": "Check", "MC_val": "Q_tone",
            "MC_resp": "Q_reaction", "Age": "Years", "Gender": "Sex", "Follow": "Member",
            **{f"PSR_{i}": f"B{i}" for i in range(1, 9)}, **{f"PK_{i}": f"W{i}" for i in range(1, 6)},
            **{f"ATT_{i}": f"L{i}" for i in range(1, 6)}}


def _rename(value, names):
    if isinstance(value, dict):
        return {names.get(k, k): _rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [names.get(v, v) if isinstance(v, str) else v for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def _renamed_params() -> dict:
    """The example parameters with every factor, level, scale, section key and column renamed."""
    p = copy.deepcopy(load_params())
    p.pop("question_text")
    p["design"] = {_FACTORS[f]: {"column": _COLUMNS[s["column"]],
                                 "levels": {_LEVELS[k]: v for k, v in s["levels"].items()}}
                   for f, s in p["design"].items()}
    names = {**_FACTORS, **_LEVELS, **_SCALES, **_COLUMNS}
    for section in ("latent", "measurement", "attention_check", "manipulation_checks"):
        p[section] = _rename(p[section], names)
    p["demographics"] = {{"age": "years", "gender": "sex"}[k]: {**v, "column": _COLUMNS[v["column"]]}
                         for k, v in p["demographics"].items()}
    p["screening"] = {"member": {**p["screening"]["follower"], "column": "Member"}}
    return p


def test_other_names_give_the_same_draws_under_those_names():
    p = _renamed_params()
    assert "psr" not in json.dumps(p) and "valence" not in json.dumps(p)
    raw = simulate_study(p, n=90, seed=21)
    pd.testing.assert_frame_equal(raw, simulate_study(n=90, seed=21).rename(columns=_COLUMNS))
    sim = simulate_latent(5, params=p, reps=2, scores="items", seed=3)
    ref = simulate_latent(5, reps=2, scores="items", seed=3).rename(columns={**_FACTORS, **_SCALES})
    for f in _FACTORS.values():
        ref[f] = ref[f].cat.rename_categories(_LEVELS)
    pd.testing.assert_frame_equal(sim, ref)
    eff = population_effects(p, latent={"wary": {"bond": -1.0}})
    assert list(eff.columns) == ["reaction", "a1", "d21", "b2", "serial_indirect", "indirect_bond"]
    assert eff["reaction"].tolist() == ["r0", "r1", "r2"]
    assert eff["serial_indirect"].tolist() == pytest.approx([0.3, -0.25, -0.5], rel=1e-12)
    with pytest.raises(SpecError, match=r"field 'latent.bond.tone' must map each reaction level"):
        simulate_latent(5, params=p, latent={"bond": {"tone": {"r9": 0.5}}})


def test_a_2_x_2_design_without_optional_sections():
    p = _renamed_params()
    for section in ("attention_check", "manipulation_checks", "demographics", "screening"):
        del p[section]
    p["design"]["reaction"]["levels"] = {"r0": "None", "r2": "Reply"}
    for key in ("intercept", "tone"):
        p["latent"]["bond"][key] = {"r0": p["latent"]["bond"][key]["r0"], "r2": p["latent"]["bond"][key]["r2"]}
    raw = simulate_study(p, n=41, seed=5)
    assert raw.shape == (41, 9 + 18)
    assert not {"Check", "Q_tone", "Years", "Member"} & set(raw.columns)
    cells = raw.groupby(["Tone", "Reaction"]).size()
    assert len(cells) == 4 and cells.max() - cells.min() <= 1
    sim = simulate_latent(6, params=p, seed=1)
    assert sim.shape == (24, 6) and (sim.groupby(["tone", "reaction"], observed=True).size() == 6).all()


def test_generic_sections_recall_on_x_rating_on_w_screening_and_demographics():
    p = _renamed_params()
    p["manipulation_checks"] = {
        "tone": {"kind": "recall", "column": "Q_tone", "p_correct": 0.9, "answers": {"low": "Low", "high": "High"}},
        "reaction": {"kind": "rating", "column": "Q_reaction", "mean": {"r0": 2, "r1": 4, "r2": 6}, "sd": 0.5}}
    p["demographics"] = {"grade": {"kind": "categorical", "column": "Grade", "answers": {"A": 0.5, "B": 0.5}},
                         "years": {"kind": "normal", "column": "Years", "mean": 40, "sd": 5, "min": 30, "max": 50}}
    p["screening"] = {"a": {"column": "S1", "pass": "ok", "fail": "no", "p_pass": 1.0},
                      "b": {"column": "S2", "pass": "ok", "fail": "no", "p_pass": 0.0}}
    p["attention_check"]["after"] = "liking"
    raw = simulate_study(p, n=600, seed=7)
    assert list(raw.columns[-9:]) == ["L4", "L5", "Check", "Q_tone", "Q_reaction", "Grade", "Years", "S1", "S2"]
    assert set(raw["Q_tone"]) == {"Low", "High"} and set(raw["Grade"]) == {"A", "B"}
    match = raw["Q_tone"] == raw["Tone"].map({"Negative comments": "Low", "Positive comments": "High"})
    assert 0.8 < match.mean() < 0.97  # 90% of the attentive, half of the random answerers
    means = raw.groupby("Reaction")["Q_reaction"].mean()
    assert means["No reaction"] < 3 < means["Like"] < 5 < means["Reply"]
    assert raw["Years"].between(30, 50).all() and (raw["S1"] == "ok").all() and (raw["S2"] == "no").all()


@pytest.mark.parametrize("change, message", [
    (lambda p: p["manipulation_checks"].update(valence={"kind": "rating"}),
     r"field 'manipulation_checks.valence' must be keyed by the design factor it checks \['tone', 'reaction'\]"),
    (lambda p: p["manipulation_checks"]["tone"].update(kind="scale"),
     r"field 'manipulation_checks.tone.kind' must be one of \['rating', 'recall'\]; got 'scale'"),
    (lambda p: p["manipulation_checks"]["reaction"]["answers"].pop("r1"),
     r"field 'manipulation_checks.reaction.answers' must give one value per reaction level"),
    (lambda p: p["demographics"]["sex"].update(answers={"F": 0.5, "M": 0.4}),
     r"field 'demographics.sex.answers' probabilities must sum to 1; got 0.9"),
    (lambda p: p["demographics"]["years"].pop("outside"),
     r"field 'demographics.years.outside' must be \[lowest, highest\] whole numbers"),
    (lambda p: p["screening"]["member"].pop("p_pass"), r"field 'screening.member.p_pass' is missing"),
    (lambda p: p["attention_check"].update(after="psr"),
     r"field 'attention_check.after' must name a scale of latent \['bond', 'wary', 'liking'\]"),
    (lambda p: p["screening"]["member"].update(column="Years"),
     r"export columns named more than once across the sections: \['Years'\]"),
    (lambda p: p["design"]["tone"]["levels"].update(mid="Mixed"),
     r"field 'design.tone.levels' must have 2 levels \(tone is X"),
])
def test_errors_of_the_generic_sections_name_the_field(change, message):
    p = _renamed_params()
    change(p)
    with pytest.raises(SpecError, match=message):
        load_params(p)


_THESIS = re.compile(r"\b(psr|pk|attitude|valence|response|follower|gender|age|mc_valence|mc_response)\b")


def _code_strings_and_names(path):
    """Identifiers and string constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr


def test_simulator_code_knows_no_names_of_the_example_study():
    files = [ROOT / "studylib" / name for name in ("simulate.py", "_simparams.py", "cli/simulate.py")]
    found = [(f.name, line, text) for f in files for line, text in _code_strings_and_names(f)
             if _THESIS.search(text)]
    assert found == []
