"""Tests of studylib.report.figures and studylib.cell_summary."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from studylib import cell_summary
from studylib.errors import ColumnError, OptionError
from studylib.report.figures import SYNTHETIC_FOOTER, interaction_plot, mark_synthetic
from studylib.report.labels import Labels

matplotlib.use("Agg")  # non-interactive backend for tests


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({
        "valence": np.tile(["negative", "positive"], 30),
        "response": np.repeat(["none", "like", "reply"], 20),
    })
    df["psr"] = rng.normal(4, 1, 60) + (df["valence"] == "positive") * (df["response"] == "none")
    df["response"] = pd.Categorical(df["response"], categories=["none", "like", "reply"])
    return df


def test_cell_summary_matches_scipy(study):
    out = cell_summary(study, "psr", ["valence", "response"], conf=0.9)
    assert list(out.columns) == ["valence", "response", "n", "mean", "sd", "se", "ci_low", "ci_high"]
    assert list(out["response"][:3]) == ["none", "like", "reply"]  # category order, first factor slowest
    for row in out.itertuples():
        y = study.loc[(study["valence"] == row.valence) & (study["response"] == row.response), "psr"]
        lo, hi = stats.t.interval(0.9, len(y) - 1, loc=y.mean(), scale=stats.sem(y))
        assert_allclose([row.mean, row.sd, row.ci_low, row.ci_high], [y.mean(), y.std(), lo, hi], rtol=1e-10)
        assert row.n == len(y)


def test_interaction_plot_draws_cell_means_and_cis(study):
    ax = interaction_plot(study, "psr", x="response", trace="valence")
    try:
        cells = cell_summary(study, "psr", ["valence", "response"])
        assert [c.get_label() for c in ax.containers] == ["negative", "positive"]
        lines = [c.lines[0] for c in ax.containers]
        for ln, level in zip(lines, ["negative", "positive"], strict=True):
            expected = cells[cells["valence"] == level]["mean"].to_numpy()
            assert_allclose(ln.get_ydata(), expected, rtol=1e-12)
        # error bars: one vertical segment per cell, from ci_low to ci_high
        segs = np.concatenate([c.get_segments() for c in ax.collections])
        spans = sorted((s[0][1], s[1][1]) for s in segs)
        assert_allclose(spans, sorted(zip(cells["ci_low"], cells["ci_high"], strict=True)), rtol=1e-12)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "like", "reply"]
        assert ax.get_xlabel() == "response" and "95% CI" in ax.get_ylabel()
    finally:
        plt.close(ax.figure)


def test_interaction_plot_on_given_axes_without_ci(study):
    fig, axes = plt.subplots(1, 2)
    try:
        out = interaction_plot(study, "psr", x="valence", trace="response", ci=None, ax=axes[1])
        assert out is axes[1] and not out.collections
        assert len(out.get_legend().get_texts()) == 3
    finally:
        plt.close(fig)


def test_interaction_plot_bad_input(study):
    with pytest.raises(ColumnError, match=r"columns not in data: \['mood'\]"):
        interaction_plot(study, "psr", x="mood", trace="valence")
    with pytest.raises(OptionError, match="ci must be a number strictly between 0 and 1"):
        interaction_plot(study, "psr", x="response", trace="valence", ci=95)


def test_score_histograms_one_panel_per_scale_over_the_declared_range():
    from studylib import Scale, score_scales
    from studylib.report.figures import score_histograms

    mean = Scale.from_dict({"id": "m", "name": "Mean scale", "items": ["a", "b"], "min": 1, "max": 7})
    total = Scale.from_dict({"id": "s", "items": ["c", "d"], "min": 0, "max": 4, "score": "sum"})
    items = pd.DataFrame({"a": [1, 7, 4, np.nan], "b": [2, 7, 4, 3], "c": [0, 4, 2, 1], "d": [0, 4, 1, 1]})
    scores = score_scales(items, [mean, total])
    fig = score_histograms(scores, [mean, total], bins=8, titles={"s": "Sum"})
    left, right = fig.axes
    assert [left.get_title(), right.get_title()] == ["Mean scale", "Sum"]
    assert sum(p.get_height() for p in left.patches) == 3  # the respondent without a score is left out
    assert (left.patches[0].get_x(), right.patches[-1].get_x() + right.patches[-1].get_width()) == (1, 8)
    plt.close(fig)
    with pytest.raises(ColumnError, match=r"columns not in data: \['s'\] \(scale scores\)"):
        score_histograms(scores.drop(columns="s"), [mean, total])


LABELS = Labels({"valence": "Comment valence", "response": "Influencer response", "psr": "Parasocial relationship",
                 "pk": "Persuasion knowledge", "attitude": "Product attitude"},
                levels={"valence": {"negative": "Negative", "positive": "Positive"},
                        "response": {"none": "No reaction", "like": "Like", "reply": "Reply"}})


def _bbox(artist, fig):
    fig.canvas.draw()
    return artist.get_window_extent(fig.canvas.get_renderer())


def test_interaction_plot_words_from_labels_and_legend_clear_of_the_data(study):
    ax = interaction_plot(study, "psr", x="response", trace="valence", labels=LABELS)
    try:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["No reaction", "Like", "Reply"]
        assert ax.get_xlabel() == "Influencer response"
        assert ax.get_ylabel() == "Parasocial relationship: M and 95% CI"
        legend = ax.get_legend()
        assert legend.get_title().get_text() == "Comment valence"
        assert [t.get_text() for t in legend.get_texts()] == ["Negative", "Positive"]
        assert _bbox(legend, ax.figure).x0 >= _bbox(ax, ax.figure).x1  # right of the axes: covers no bar
    finally:
        plt.close(ax.figure)


def test_process_figures_in_words_and_synthetic_footer():
    from studylib import load_analysis_data, process
    from studylib.report.html import figure_to_png
    from studylib.report.process_figures import conditional_indirect_plot, path_diagram

    sd = load_analysis_data()
    res = process(sd.kept, model=83, x="valence", m=["psr", "pk"], y="attitude", w="response", boot=1000, seed=1)
    ax = conditional_indirect_plot(res, labels=LABELS)
    fig = ax.figure
    assert [t.get_text() for t in ax.get_xticklabels()] == ["No reaction", "Like", "Reply"]
    assert ax.get_xlabel() == "Influencer response"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Comment valence → Parasocial relationship → Persuasion knowledge → Product attitude" in legend
    assert _bbox(ax.get_legend(), fig).y1 <= _bbox(ax, fig).y0  # under the axes
    height = int.from_bytes(figure_to_png(fig)[20:24], "big")
    mark_synthetic(fig)
    assert [t.get_text() for t in fig.texts] == [SYNTHETIC_FOOTER]
    assert int.from_bytes(figure_to_png(fig)[20:24], "big") > height  # the saved image grows by the footer line
    plt.close(fig)
    ax = path_diagram(res, x="valence", m=["psr", "pk"], y="attitude", w="response", labels=LABELS)
    texts = [t.get_text() for t in ax.texts]
    assert "Parasocial relationship" in texts and "Influencer response" in texts
    assert any(t.endswith("(W = No reaction)") for t in texts)
    moderation = "\n".join(texts)
    assert "Positive vs. negative × Reply vs. no reaction: -1.66***" in moderation
    assert "valence[positive]" not in moderation
    plt.close(ax.figure)
