"""Tests of studylib.emmeans: marginal means, simple effects and pairwise comparisons.

Peer for every quantity: statsmodels OLS on the cell-means parametrisation
(``y ~ 0 + C(cell)``, whose coefficients are the cell means), queried with ``t_test`` and
``f_test`` for exactly the linear functions emmeans would estimate; scipy's ``tukey_hsd``
and statsmodels' ``pairwise_tukeyhsd`` for Tukey HSD.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.stats.multicomp import pairwise_tukeyhsd
from statsmodels.stats.multitest import multipletests

from studylib import emmeans, pairwise, simple_effects
from studylib.errors import ColumnError, InputTypeError, OptionError

REF = Path(__file__).parent / "reference" / "anova"
A_LEVELS = ["negative", "positive"]
B_LEVELS = ["none", "like", "reply"]


@pytest.fixture(scope="module")
def study():
    """An unbalanced 2 x 3 data set shaped like the thesis design."""
    rng = np.random.default_rng(2024)
    counts = [9, 12, 7, 11, 14, 8]  # cells (a fastest): unbalanced on purpose
    cells = [(a, b) for b in B_LEVELS for a in A_LEVELS]
    rows = []
    effect = {("negative", "none"): 3.0, ("positive", "none"): 4.0, ("negative", "like"): 4.2,
              ("positive", "like"): 3.4, ("negative", "reply"): 4.8, ("positive", "reply"): 3.1}
    for (a, b), n in zip(cells, counts, strict=True):
        for y in effect[(a, b)] + rng.normal(scale=0.9, size=n):
            rows.append({"valence": a, "response": b, "psr": y})
    df = pd.DataFrame(rows)
    df["valence"] = pd.Categorical(df["valence"], categories=A_LEVELS)
    df["response"] = pd.Categorical(df["response"], categories=B_LEVELS)
    return df


@pytest.fixture(scope="module")
def peer(study):
    """statsmodels cell-means OLS; returns (fit, ordered list of cell labels)."""
    df = study.assign(cell=study["valence"].astype(str) + "|" + study["response"].astype(str))
    fit = smf.ols("psr ~ 0 + C(cell)", df).fit()
    labels = [name.split("[")[1].rstrip("]").split("|") for name in fit.params.index]
    return fit, [tuple(lab) for lab in labels]


def _vector(labels, weights):
    """Contrast vector over statsmodels' cells from {(a, b): weight}."""
    return np.array([weights.get(lab, 0.0) for lab in labels])


def test_cell_means_and_marginal_means_match_statsmodels(study, peer):
    fit, labels = peer
    emm = emmeans(study, "psr", ["valence", "response"], specs="response")
    assert list(emm.columns) == ["response", "n", "estimate", "se", "df", "ci_low", "ci_high"]
    assert list(emm["response"]) == B_LEVELS
    for row in emm.itertuples():
        vec = _vector(labels, {(a, row.response): 0.5 for a in A_LEVELS})
        ref = fit.t_test(vec)
        # the same least-squares quantities in double precision
        assert_allclose(row.estimate, ref.effect[0], rtol=1e-10)
        assert_allclose(row.se, ref.sd[0, 0], rtol=1e-10)
        assert_allclose([row.ci_low, row.ci_high], ref.conf_int(alpha=0.05)[0], rtol=1e-10)
        assert row.df == fit.df_resid
    assert list(emm["n"]) == [9 + 12, 7 + 11, 14 + 8]
    # equal cell weights differ from the raw (n-weighted) marginal means when unbalanced
    raw = study.groupby("response", observed=True)["psr"].mean()
    assert not np.allclose(emm["estimate"], raw[B_LEVELS])

    cells = emmeans(study, "psr", ["valence", "response"], conf=0.9)
    assert len(cells) == 6 and cells.attrs["conf"] == 0.9
    for row in cells.itertuples():
        ref = fit.t_test(_vector(labels, {(row.valence, row.response): 1.0}))
        assert_allclose(row.estimate, ref.effect[0], rtol=1e-10)
        assert_allclose([row.ci_low, row.ci_high], ref.conf_int(alpha=0.10)[0], rtol=1e-10)


def test_balanced_marginal_means_equal_raw_means():
    tg = pd.read_csv(REF / "R_ToothGrowth.csv")
    emm = emmeans(tg, "len", ["supp", "dose"], specs="dose")
    assert_allclose(emm["estimate"], tg.groupby("dose")["len"].mean().to_numpy(), rtol=1e-12)
    # se = sqrt(MSE / 20) with the jamovi residual MS 712.106 / 54
    assert_allclose(emm["se"], np.sqrt(712.106 / 54 / 20), rtol=1e-5)


def test_simple_effects_match_statsmodels_f_test(study, peer):
    fit, labels = peer
    out = simple_effects(study, "psr", ["valence", "response"], effect="response")
    assert list(out.columns) == ["valence", "term", "ss", "df", "df_resid", "F", "p", "eta2_partial"]
    for row in out.itertuples():
        H = np.array([
            _vector(labels, {(row.valence, "none"): 1.0, (row.valence, "like"): -1.0}),
            _vector(labels, {(row.valence, "like"): 1.0, (row.valence, "reply"): -1.0}),
        ])
        ref = fit.f_test(H)
        assert_allclose(row.F, float(np.squeeze(ref.fvalue)), rtol=1e-10)
        assert_allclose(row.p, float(ref.pvalue), rtol=1e-8)
        assert (row.df, row.df_resid) == (2, fit.df_resid)
        ss_resid = fit.ssr
        assert_allclose(row.eta2_partial, row.ss / (row.ss + ss_resid), rtol=1e-12)


def test_simple_effect_of_two_level_factor_is_the_squared_contrast_t(study):
    se_tab = simple_effects(study, "psr", ["valence", "response"], effect="valence")
    pw = pairwise(study, "psr", ["valence", "response"], effect="valence", by="response")
    assert list(se_tab["response"]) == B_LEVELS == list(pw["response"])
    assert_allclose(se_tab["F"], pw["t"] ** 2, rtol=1e-10)
    assert_allclose(se_tab["p"], pw["p"], rtol=1e-8)
    # with two levels every adjustment is the identity
    assert_allclose(pw["p_adj"], pw["p"], rtol=1e-6)


def test_pairwise_unadjusted_bonferroni_holm_match_statsmodels(study, peer):
    fit, labels = peer
    none = pairwise(study, "psr", ["valence", "response"], effect="response", by="valence", adjust="none")
    assert list(none.columns) == ["valence", "contrast", "level1", "level2", "estimate", "se", "t",
                                  "df", "p", "p_adj", "ci_low", "ci_high"]
    assert list(none["contrast"][:3]) == ["none - like", "none - reply", "like - reply"]
    for row in none.itertuples():
        vec = _vector(labels, {(row.valence, row.level1): 1.0, (row.valence, row.level2): -1.0})
        ref = fit.t_test(vec)
        assert_allclose([row.estimate, row.se, row.t], [ref.effect[0], ref.sd[0, 0], ref.tvalue[0, 0]], rtol=1e-10)
        assert_allclose(row.p, ref.pvalue, rtol=1e-8)
        assert_allclose([row.ci_low, row.ci_high], ref.conf_int(alpha=0.05)[0], rtol=1e-10)
    bonf = pairwise(study, "psr", ["valence", "response"], effect="response", by="valence", adjust="bonferroni")
    holm = pairwise(study, "psr", ["valence", "response"], effect="response", by="valence", adjust="holm")
    for level in A_LEVELS:
        fam = (none["valence"] == level).to_numpy()
        assert_allclose(bonf["p_adj"][fam], multipletests(none["p"][fam], method="bonferroni")[1], rtol=1e-12)
        assert_allclose(holm["p_adj"][fam], multipletests(none["p"][fam], method="holm")[1], rtol=1e-12)
    # Bonferroni CI: t quantile at alpha / (2 m), m = 3 pairs per family; Holm CIs are the same
    crit = stats.t.ppf(1 - 0.05 / 6, fit.df_resid)
    assert_allclose(bonf["ci_high"] - bonf["estimate"], crit * bonf["se"], rtol=1e-10)
    assert_allclose(holm["ci_low"], bonf["ci_low"], rtol=1e-12)
    assert holm.attrs["ci_adjust"] == "bonferroni" and holm.attrs["family_size"] == 3


def test_tukey_one_way_matches_scipy_and_statsmodels():
    # one factor, unequal n (Tukey-Kramer): the EMMs are the group means
    tg = pd.read_csv(REF / "R_ToothGrowth.csv").iloc[2:]
    out = pairwise(tg, "len", "dose", effect="dose", adjust="tukey")
    groups = [g["len"].to_numpy() for _, g in tg.groupby("dose")]
    ref = stats.tukey_hsd(*groups)
    ci = ref.confidence_interval(0.95)
    pairs = [(0, 1), (0, 2), (1, 2)]
    # scipy integrates the studentized range numerically: agreement to ~1e-6 relative
    assert_allclose(out["p_adj"], [ref.pvalue[i, j] for i, j in pairs], rtol=1e-5)
    assert_allclose(out["ci_low"], [ci.low[i, j] for i, j in pairs], rtol=1e-6)
    assert_allclose(out["ci_high"], [ci.high[i, j] for i, j in pairs], rtol=1e-6)
    sm = pairwise_tukeyhsd(tg["len"], tg["dose"])
    # statsmodels reports group2 - group1; its p-values use an interpolated table (3 decimals)
    assert_allclose(-out["estimate"], sm.meandiffs, rtol=1e-10)
    assert_allclose(out["p_adj"], sm.pvalues, atol=2e-3)


def test_marginal_pairwise_without_by_averages_over_other_factors(study, peer):
    fit, labels = peer
    out = pairwise(study, "psr", ["valence", "response"], effect="valence", adjust="none")
    assert len(out) == 1 and out.attrs["by"] == []
    vec = _vector(labels, {**{("negative", b): 1 / 3 for b in B_LEVELS}, **{("positive", b): -1 / 3 for b in B_LEVELS}})
    ref = fit.t_test(vec)
    assert_allclose(out["t"][0], ref.tvalue[0, 0], rtol=1e-10)


def test_bad_arguments(study):
    with pytest.raises(ColumnError, match=r"specs names \['mood'\], which are not among the factors"):
        emmeans(study, "psr", ["valence", "response"], specs="mood")
    with pytest.raises(ColumnError, match="effect 'valence' cannot also be in by"):
        simple_effects(study, "psr", ["valence", "response"], effect="valence", by="valence")
    with pytest.raises(InputTypeError, match="effect must be one factor name"):
        pairwise(study, "psr", ["valence", "response"], effect=["valence", "response"])
    with pytest.raises(OptionError, match="adjust must be one of 'tukey', 'holm', 'bonferroni', 'none'; got 'sidak'"):
        pairwise(study, "psr", ["valence", "response"], effect="valence", adjust="sidak")
    with pytest.raises(OptionError, match="conf must be a number strictly between 0 and 1"):
        emmeans(study, "psr", "valence", conf=95)


def test_one_factor_simple_effect_is_the_omnibus_test(study):
    from studylib import anova

    one = simple_effects(study, "psr", ["response"], effect="response")
    omni = anova(study, "psr", "response")
    assert len(one) == 1 and list(one.columns[:2]) == ["term", "ss"]
    assert_allclose([one["F"][0], one["p"][0], one["ss"][0]], [omni["F"][0], omni["p"][0], omni["ss"][0]], rtol=1e-10)


def test_level_order_only_reorders_rows(study):
    flipped = study.assign(response=study["response"].cat.reorder_categories(B_LEVELS[::-1]))
    a = emmeans(study, "psr", ["valence", "response"], specs="response").set_index("response")
    b = emmeans(flipped, "psr", ["valence", "response"], specs="response").set_index("response")
    assert list(b.index) == B_LEVELS[::-1]
    assert_allclose(a.loc[B_LEVELS, ["estimate", "se"]], b.loc[B_LEVELS, ["estimate", "se"]], rtol=1e-12)
    pa = pairwise(study, "psr", ["valence", "response"], effect="response", adjust="tukey")
    pb = pairwise(flipped, "psr", ["valence", "response"], effect="response", adjust="tukey")
    # reversed level order reverses each contrast's sign; adjusted p-values are unchanged
    key_a = {frozenset((r.level1, r.level2)): r for r in pa.itertuples()}
    for r in pb.itertuples():
        ref = key_a[frozenset((r.level1, r.level2))]
        assert_allclose([r.estimate, r.p_adj], [-ref.estimate, ref.p_adj], rtol=1e-9)


@st.composite
def _cells(draw):
    counts = draw(st.lists(st.integers(1, 5), min_size=6, max_size=6))
    counts[draw(st.integers(0, 5))] += 1
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = np.repeat(np.tile(A_LEVELS, 3), counts)
    b = np.repeat(np.repeat(B_LEVELS, 2), counts)
    return pd.DataFrame({"valence": a, "response": b, "psr": rng.normal(size=a.size)})


@settings(max_examples=30, deadline=None)
@given(_cells())
def test_contrasts_are_differences_of_marginal_means(df):
    emm = emmeans(df, "psr", ["valence", "response"]).set_index(["valence", "response"])["estimate"]
    pw = pairwise(df, "psr", ["valence", "response"], effect="response", by="valence", adjust="none")
    for r in pw.itertuples():
        diff = emm[(r.valence, r.level1)] - emm[(r.valence, r.level2)]
        assert_allclose(r.estimate, diff, rtol=1e-9, atol=1e-12)
    se = simple_effects(df, "psr", ["valence", "response"], effect="valence")
    two = pairwise(df, "psr", ["valence", "response"], effect="valence", by="response", adjust="none")
    assert_allclose(se["F"], two["t"] ** 2, rtol=1e-8, atol=1e-12)
