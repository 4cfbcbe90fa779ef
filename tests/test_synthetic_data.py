"""The shipped synthetic data set, as shipped: files agree, documentation is complete, and
after exclusions and scoring it shows the directions of the thesis findings (DESIGN.md).

The ANOVA and the model-83 indirect effects are computed here with statsmodels OLS (Type III
with sum-to-zero coding; serial indirect effect as the product of OLS paths), independently
of studylib.anova and studylib.process; one test then checks that those agree.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm

import studylib
from studylib import apply_exclusions, load_study, load_synthetic, manipulation_checks, score_scales
from studylib.datasets import list_datasets
from studylib.paths import SYNTHETIC

STUDY = load_study()


def _score(data: pd.DataFrame) -> pd.DataFrame:
    """Mean scores with reverse keying (min + max - x) and the min_valid_items rule."""
    out = data.copy()
    for s in STUDY.scales:
        items = data[list(s.items)].copy()
        for r in s.reverse:
            items[r] = s.min + s.max - items[r]
        n_ok = items.notna().sum(axis=1)
        out[s.id] = items.mean(axis=1).where(n_ok >= s.min_valid_items)
    return out


@pytest.fixture(scope="module")
def clean():
    kept, log = apply_exclusions(load_synthetic("prepared"), STUDY)
    return kept.join(score_scales(kept, STUDY.scales)), log


def test_scores_equal_the_textbook_formula(clean):
    data, _ = clean
    mine = _score(data)
    for s in STUDY.scales:
        np.testing.assert_allclose(data[s.id], mine[s.id], rtol=1e-12)


def test_csv_and_sav_hold_the_same_data():
    pd.testing.assert_frame_equal(load_synthetic("prepared"), load_synthetic("prepared", format="sav"))


def test_sizes_before_and_after_exclusions(clean):
    data, log = clean
    assert log.n_before == 310  # "about 300 respondents before exclusions"
    assert log.n_after == len(data) == 252
    assert log.cells["n_after"].between(38, 50).all()  # "roughly 40-50 per cell after"
    assert (log.steps["n_removed"] > 0).all()  # every rule has something to do
    assert data[["psr", "pk", "attitude"]].notna().all().all()


def test_valence_by_response_interaction_on_psr_is_significant(clean):
    data, _ = clean
    fit = smf.ols("psr ~ C(valence, Sum) * C(response, Sum)", data=data).fit()
    table = anova_lm(fit, typ=3)
    p = table.loc["C(valence, Sum):C(response, Sum)", "PR(>F)"]
    assert p < 0.05
    assert table.loc["Residual", "df"] == len(data) - 6


def test_model83_serial_indirect_effect_directions(clean):
    data, _ = clean
    d = data.assign(x=(data["valence"] == "positive").astype(float),
                    w1=(data["response"] == "like").astype(float),
                    w2=(data["response"] == "reply").astype(float))
    a = smf.ols("psr ~ x + w1 + w2 + x:w1 + x:w2", d).fit().params
    # PROCESS model 83: W enters only the equation of M1 (PSR)
    d21 = smf.ols("pk ~ x + psr", d).fit().params["psr"]
    b2 = smf.ols("attitude ~ x + psr + pk", d).fit().params["pk"]
    a1 = {"none": a["x"], "like": a["x"] + a["x:w1"], "reply": a["x"] + a["x:w2"]}
    indirect = {w: a1[w] * d21 * b2 for w in a1}
    assert d21 < 0 and b2 < 0  # PSR lowers PK, PK lowers attitude
    assert indirect["none"] > 0  # positive comments help when the influencer does not react
    assert indirect["like"] < 0  # reversed with likes
    assert indirect["reply"] < indirect["like"]  # and more so with replies
    # index of moderated mediation for reply vs none (a3 * d21 * b2) is negative
    assert a["x:w2"] * d21 * b2 < 0


def _paths(data):
    d = data.assign(x=(data["valence"] == "positive").astype(float),
                    w1=(data["response"] == "like").astype(float),
                    w2=(data["response"] == "reply").astype(float))
    a = smf.ols("psr ~ x + w1 + w2 + x:w1 + x:w2", d).fit().params
    d21 = smf.ols("pk ~ x + psr", d).fit().params["psr"]
    b2 = smf.ols("attitude ~ x + psr + pk", d).fit().params["pk"]
    return {"none": a["x"] * d21 * b2, "like": (a["x"] + a["x:w1"]) * d21 * b2,
            "reply": (a["x"] + a["x:w2"]) * d21 * b2}


def test_studylib_anova_and_process_agree_with_statsmodels(clean):
    data, _ = clean
    fit = smf.ols("psr ~ C(valence, Sum) * C(response, Sum)", data=data).fit()
    f_sm = anova_lm(fit, typ=3).loc["C(valence, Sum):C(response, Sum)", "F"]
    table = studylib.anova(data, "psr", ["valence", "response"])
    assert table.set_index("term").loc["valence:response", "F"] == pytest.approx(f_sm, rel=1e-8)
    res = studylib.process(data, model=83, x="valence", y="attitude", m=["psr", "pk"], w="response",
                           boot=0)  # point estimates only
    serial = res.indirect[res.indirect["path"] == "valence -> psr -> pk -> attitude"].set_index("w")
    expected = _paths(data)
    for level in ("none", "like", "reply"):
        assert serial.loc[level, "effect"] == pytest.approx(expected[level], rel=1e-8)


def test_cell_means_follow_the_pattern(clean):
    data, _ = clean
    means = data.groupby(["response", "valence"], observed=True)["psr"].mean().unstack()
    diff = means["positive"] - means["negative"]
    assert diff["none"] > 0 > diff["like"] > diff["reply"]


def test_manipulation_checks_worked(clean):
    data, _ = clean
    mc = manipulation_checks(data, load_study("analyses/study.yaml")).results
    recall, rating = mc["mc_response"].test.iloc[0], mc["mc_valence"]
    assert recall["p"] < 0.001 and recall["cramers_v"] > 0.5
    means = rating.table.set_index("level")["mean"]
    assert means["positive"] - means["negative"] > 1.5 and rating.test["p"].iloc[0] < 0.001


def test_codebook_and_readme_document_every_column():
    raw = load_synthetic()
    book = pd.read_csv(SYNTHETIC / "codebook.csv", keep_default_na=False)
    assert book["column"].tolist() == list(raw.columns)
    assert (book["description"] != "").all()
    assert np.array_equal(book["n_missing"].to_numpy(), raw.isna().sum().to_numpy())
    md = (SYNTHETIC / "codebook.md").read_text()
    assert all(f"`{c}`" in md for c in raw.columns)
    readme = (SYNTHETIC / "README.md").read_text()
    assert "synthetic" in readme.lower() and "mirror the direction of the thesis findings" in readme
    assert "--seed 20240315" in readme and "make_synthetic.py" in readme
    cat = list_datasets()
    assert set(cat.loc[cat["name"] == "influencer_study", "file"]) == {"data/synthetic/influencer_study.csv",
                                                                      "data/synthetic/influencer_study.sav"}


def test_make_synthetic_reproduces_the_shipped_files(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic", SYNTHETIC / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    for name in ("influencer_study.csv", "codebook.csv", "codebook.md"):
        assert (tmp_path / name).read_bytes() == (SYNTHETIC / name).read_bytes(), name
    # the .sav stores its creation time: compare its content instead of its bytes
    from studylib import read_data

    fresh, shipped = read_data(tmp_path / "influencer_study.sav"), read_data(SYNTHETIC / "influencer_study.sav")
    pd.testing.assert_frame_equal(fresh, shipped)
    assert fresh.attrs["value_labels"] == shipped.attrs["value_labels"]
    assert fresh.attrs["question_text"] == shipped.attrs["question_text"]
