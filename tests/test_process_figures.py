"""Tests of studylib.report.process_figures (figures of conditional process results)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from studylib.errors import ColumnError, DataError, InputTypeError
from studylib.report.process_figures import (
    conditional_indirect_plot,
    path_diagram,
    significance_stars,
)

SERIAL = "valence -> psr -> pk -> attitude"


@pytest.fixture
def indirect():
    # Hand-made table in the layout of studylib.process(...).indirect for model 83.
    return pd.DataFrame(
        {
            "path": [SERIAL] * 3 + ["valence -> psr -> attitude"] * 3 + ["valence -> pk -> attitude"],
            "w": ["none", "like", "reply", "none", "like", "reply", None],
            "effect": [0.13, -0.09, -0.2, 0.1, -0.05, -0.1, 0.01],
            "boot_se": [0.04] * 7,
            "ci_low": [0.05, -0.15, -0.3, 0.02, -0.1, -0.2, -0.05],
            "ci_high": [0.2, -0.02, -0.1, 0.2, 0.0, -0.02, 0.06],
        }
    )


@pytest.fixture
def coefficients():
    return pd.DataFrame(
        {
            "equation": ["psr"] * 6 + ["pk"] * 3 + ["attitude"] * 4,
            "term": ["Intercept", "valence", "W1", "W2", "valence:W1", "valence:W2",
                     "Intercept", "valence", "psr", "Intercept", "valence", "psr", "pk"],
            "estimate": [4.0, 0.6, 0.3, 0.4, -1.0, -1.5, 5.0, 0.05, -0.5, 3.0, 0.1, 0.2, -0.45],
            "p": [0, 0.001, 0.1, 0.05, 1e-4, 1e-5, 0, 0.6, 1e-4, 0, 0.4, 0.01, 1e-5],
        }
    )


def teardown_function():
    plt.close("all")


def test_conditional_indirect_plot_draws_each_group_with_its_ci(indirect):
    ax = conditional_indirect_plot(indirect, paths=[SERIAL])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "like", "reply"]
    line = ax.lines[0]  # the points of the only path
    np.testing.assert_array_equal(line.get_ydata(), [0.13, -0.09, -0.2])
    # error bars span exactly the CI limits
    segments = ax.collections[0].get_segments()
    lows = sorted(seg[:, 1].min() for seg in segments)
    assert lows == sorted([0.05, -0.15, -0.3])


def test_conditional_indirect_plot_default_shows_only_moderated_paths(indirect):
    ax = conditional_indirect_plot(indirect, labels={"none": "No reaction"})
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [SERIAL, "valence -> psr -> attitude"]
    assert ax.get_xticklabels()[0].get_text() == "No reaction"


def test_conditional_indirect_plot_accepts_result_like_object(indirect):
    class Result:
        pass

    res = Result()
    res.indirect = indirect
    ax = conditional_indirect_plot(res, paths=[SERIAL])
    assert len(ax.lines[0].get_ydata()) == 3


def test_conditional_indirect_plot_errors(indirect):
    with pytest.raises(InputTypeError, match="process result"):
        conditional_indirect_plot([1, 2])
    with pytest.raises(DataError, match="no moderator column"):
        conditional_indirect_plot(indirect.drop(columns="w"))
    with pytest.raises(ColumnError, match="ci_high"):
        conditional_indirect_plot(indirect.drop(columns="ci_high"))
    with pytest.raises(DataError, match="paths not in"):
        conditional_indirect_plot(indirect, paths=["x -> y"])
    with pytest.raises(DataError, match="no conditional"):
        conditional_indirect_plot(indirect, paths=["valence -> pk -> attitude"])


def test_path_diagram_labels_every_path_and_the_moderation(coefficients):
    ax = path_diagram(coefficients, x="valence", m=["psr", "pk"], y="attitude", w="response")
    texts = [t.get_text() for t in ax.texts]
    # boxes for X, Y, M1, M2, W
    for name in ("valence", "psr", "pk", "attitude", "response"):
        assert name in texts
    # a1 (reference group), d21, b1, b2, a2, c'
    assert "0.60**\n(W = ref.)" in texts
    assert {"-0.50***", "0.20*", "-0.45***", "0.05", "c' = 0.10"} <= set(texts)
    moderation = "\n".join(t for t in texts if "valence:W1" in t)
    assert "valence:W1: -1.00***" in moderation and "W2: 0.40" in moderation
    assert "Intercept" not in moderation


def test_path_diagram_names_the_reference_group_of_a_fitted_model():
    from studylib import load_analysis_data, process

    sd = load_analysis_data()
    res = process(sd.kept, model=83, x="valence", m=["psr", "pk"], y="attitude", w="response",
                  boot=1000, seed=1)
    ax = path_diagram(res, x="valence", m=["psr", "pk"], y="attitude", w="response")
    texts = [t.get_text() for t in ax.texts]
    a1 = res.coefficients.set_index(["equation", "term"]).loc[("psr", "valence[positive]")]
    assert any(t.startswith(f"{a1['estimate']:.2f}") and t.endswith("(W = none)") for t in texts)
    assert any("valence[positive]:response[reply]" in t for t in texts)


def test_path_diagram_missing_equation(coefficients):
    with pytest.raises(DataError, match=r"equations not in the coefficients: \['pk2'\]"):
        path_diagram(coefficients, x="valence", m=["psr", "pk2"], y="attitude")


@pytest.mark.parametrize(("p", "stars"), [(0.0009, "***"), (0.001, "**"), (0.049, "*"), (0.05, ""), (np.nan, "")])
def test_significance_stars_boundaries(p, stars):
    assert significance_stars(p) == stars
