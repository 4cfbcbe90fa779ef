"""Tests of studylib.report.tables: APA number formatting and the table renderers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from studylib import anova, emmeans, pairwise
from studylib.errors import ColumnError, OptionError
from studylib.report.tables import (
    apa_table,
    format_anova,
    format_ci,
    format_number,
    format_p,
    to_html,
    to_latex,
    to_markdown,
)


@pytest.mark.parametrize(
    "p, text",
    [(0.0231, ".023"), (0.0009999, "< .001"), (0.001, ".001"), (0.0005, "< .001"), (0.04951, ".050"),
     (0.5, ".500"), (0.9994, ".999"), (0.99951, "> .999"), (1.0, "> .999"), (np.nan, ""), (None, "")],
)
def test_format_p(p, text):
    assert format_p(p) == text


def test_format_p_digits():
    assert format_p(0.00023, digits=4) == ".0002"
    assert format_p(0.00002, digits=4) == "< .0001"


@pytest.mark.parametrize(
    "x, kwargs, text",
    [(3.14159, {}, "3.14"), (-0.004, {}, "0.00"), (2.5e-9, {"digits": 3}, "0.000"), (-1.005, {"digits": 1}, "-1.0"),
     (0.456, {"digits": 3, "leading_zero": False}, ".456"), (-0.25, {"leading_zero": False}, "-.25"),
     (12, {}, "12.00"), (np.inf, {}, "∞"), (np.nan, {}, ""), ("text", {}, "text")],
)
def test_format_number(x, kwargs, text):
    assert format_number(x, **kwargs) == text


def test_format_ci():
    assert format_ci(0.0776, 0.3662, leading_zero=False) == "[.08, .37]"
    assert format_ci(-1.234, 5.678, 1) == "[-1.2, 5.7]"
    assert format_ci(np.nan, np.nan) == ""


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_format_p_is_never_zero_or_one(p):
    text = format_p(p)
    assert text not in (".000", "1.000") and not text.startswith("0")
    if p >= 0.001 and p < 0.9995:
        assert abs(float(text) - p) <= 0.0005 + 1e-12


def test_format_anova_on_reference_data(toothgrowth):
    out = format_anova(anova(toothgrowth, "len", ["supp", "dose"]))
    assert list(out.columns) == ["Term", "SS", "df", "MS", "F", "p", "η²p", "η²p 90% CI", "ω²p"]
    assert out.iloc[0].tolist() == ["supp", "205.35", "1", "205.35", "15.57", "< .001", ".22", "[.08, .37]", ".20"]
    assert out.iloc[2, 5] == ".022"
    assert out.iloc[3].tolist() == ["Residual", "712.11", "54", "13.19", "", "", "", "", ""]


def test_apa_table_for_emmeans_and_pairwise(toothgrowth):
    emm = apa_table(emmeans(toothgrowth, "len", ["supp", "dose"], specs="dose"))
    assert list(emm.columns) == ["dose", "n", "Estimate", "SE", "df", "95% CI"]
    assert emm["dose"].tolist() == ["0.5", "1.0", "2.0"]
    assert emm["95% CI"][0] == "[8.98, 12.23]"  # 10.605 -+ t(.975, 54) * sqrt(MSE / 20)
    pw = apa_table(pairwise(toothgrowth, "len", ["supp", "dose"], effect="dose"),
                   columns=["contrast", "estimate", "t", "p_adj", "ci_low"], labels={"contrast": "Doses"})
    assert list(pw.columns) == ["Doses", "Estimate", "t", "p (adj.)", "95% CI"]
    assert (pw["p (adj.)"] == "< .001").all()


def test_apa_table_generic_rules_and_overrides():
    tab = pd.DataFrame({"scale": ["psr"], "alpha": [0.8123], "alpha_ci_low": [0.75], "alpha_ci_high": [0.86],
                        "r": [-0.312], "n": [120], "df": [12.3456], "mean": [4.567]})
    out = apa_table(tab, digits=2, formats={"mean": lambda v: f"{v:.1f}"}, conf=0.9)
    assert out.iloc[0].tolist() == ["psr", ".81", "[.75, .86]", "-.31", "120", "12.35", "4.6"]
    assert list(out.columns) == ["scale", "α", "α 90% CI", "r", "n", "df", "M"]
    with pytest.raises(ColumnError, match=r"columns not in table: \['beta'\]"):
        apa_table(tab, columns=["beta"])
    with pytest.raises(OptionError, match="format must be one of"):
        apa_table(tab, formats={"r": "percent"})


def test_renderers(toothgrowth):
    out = format_anova(anova(toothgrowth, "len", ["supp", "dose"]))
    md = to_markdown(out, caption="Table 1", note="Type III sums of squares.")
    lines = md.splitlines()
    assert lines[0] == "**Table 1**"
    assert lines[2].startswith("| Term ") and lines[3].startswith("|:-")
    assert len({len(line) for line in lines[2:8]}) == 1  # aligned columns
    assert lines[-1] == "*Note.* Type III sums of squares."
    tex = to_latex(out, caption="ANOVA of len", label="tab:anova", note="50% & more")
    assert r"\begin{tabular}{lrrrrrrrr}" in tex
    assert r"$\eta^2_p$ & $\eta^2_p$ 90\% CI" in tex
    assert r"supp:dose & 108.32 & 2 & 54.16 & 4.11 & .022" in tex
    assert r"$<$ .001" in tex and r"50\% \& more" in tex and r"\label{tab:anova}" in tex
    page = to_html(out, caption="ANOVA <len>")
    assert "<caption>ANOVA &lt;len&gt;</caption>" in page
    assert '<td class="num">&lt; .001</td>' in page
    assert page.count("<tr>") == 5


def test_renderers_accept_raw_tables():
    raw = pd.DataFrame({"a": [1.5, np.nan], "b": ["x|y", None]})
    md = to_markdown(raw)
    assert "x\\|y" in md and "nan" not in md and "None" not in md
