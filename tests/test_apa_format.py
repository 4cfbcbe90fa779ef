"""Tests of the APA layer's formatting: markup, leading zeros, p, headers, renderers.

Hand-worked examples come from the APA's Sample Tables (APA, 2020; see
tests/reference/apa/PROVENANCE.md): the numbers below are as printed there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studylib.errors import ColumnError, InputTypeError
from studylib.report.apa import ApaTable, apa, ci_header, format_count, format_value, title_case
from studylib.report.apa_render import layout, render_html, render_latex, render_markdown
from studylib.report.labels import Labels, humanize
from studylib.report.rich import Run, escape, parse, to_html, to_latex, to_markdown, to_plain


def test_apa_sample_table_2_numbers():
    # APA Sample Tables, Table 2 (t tests): proportions and p without a leading zero (they
    # cannot exceed 1), t and Cohen's d with one (they can), three decimals as printed.
    row1 = [format_value(0.843, "bounded", 3), format_value(0.135, "bounded", 3), format_value(0.877, "bounded", 3),
            format_value(0.082, "bounded", 3), format_value(0.951, "number", 3), format_value(0.347, "p"),
            format_value(0.302, "number", 3)]
    assert row1 == [".843", ".135", ".877", ".082", "0.951", ".347", "0.302"]
    row2 = [format_value(v, "number", 0) for v in (759, 87, 694, 42)]
    row2 += [format_value(2.877, "number", 3), format_value(0.006, "p"), format_value(0.840, "number", 3)]
    assert row2 == ["759", "87", "694", "42", "2.877", ".006", "0.840"]


def test_apa_sample_table_1_counts_and_percentages():
    # APA Sample Tables, Table 1, full-sample column (N = 150): 68 women = 45.3%, 82 men = 54.7%,
    # 6 = 4.0%, 2 = 1.3% (one decimal, the trailing zero kept).
    assert [format_value(100 * k / 150, "percent") for k in (68, 82, 6, 2)] == ["45.3", "54.7", "4.0", "1.3"]
    assert format_count(3697) == "3,697" and format_count(150) == "150"  # APA 6.38: commas from 1,000


@pytest.mark.parametrize("value, kind, text", [
    (0.00049, "p", "< .001"), (0.0231, "p", ".023"), (0.9999, "p", "> .999"), (0.049, "p", ".049"),
    (-0.4567, "bounded", "-.46"), (0.004, "bounded", ".00"), (1.5, "number", "1.50"), (-0.004, "number", "0.00"),
    (12.0, "count", "12"), (17.7765, "df", "17.78"), (246.0, "df", "246"), (np.nan, "number", ""),
    (None, "p", ""), (True, "text", "Yes"), (np.bool_(False), "number", "No"), ("a*b", "text", "a\\*b"),
])
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


def test_markup_parses_and_renders_in_every_format():
    assert parse("*F*(2, 246) = 13.86") == (Run("F", True), Run("(2, 246) = 13.86"))
    assert parse("η²~p~") == (Run("η²"), Run("p", script="sub"))
    assert parse("a * b") == (Run("a * b"),)  # an unmatched mark is literal text
    assert parse(escape("x*y*z")) == (Run("x*y*z"),)
    assert to_html("*M* < 3 & η²~p~") == "<i>M</i> &lt; 3 &amp; η²<sub>p</sub>"
    assert to_markdown("*SD* a_b|c") == "*SD* a\\_b\\|c"
    assert to_latex("*p* < .001, η²~p~, 50%") == r"\textit{p} \textless{} .001, $\eta$\textsuperscript{2}\textsubscript{p}, 50\%"
    assert to_plain("95% CI [*LL*, *UL*]") == "95% CI [LL, UL]"
    # the validity table of a CFA shows √AVE on its diagonal: pdflatex needs it as math
    assert to_latex("√AVE") == r"$\surd$AVE"
    with pytest.raises(InputTypeError, match="markup must be a str"):
        parse(3)


def test_labels_turn_machine_names_into_words():
    lab = Labels({"valence": "Comment valence", "response": "Influencer response"},
                 levels={"valence": {"negative": "Negative", "positive": "Positive"},
                         "response": {"none": "No reaction", "like": "Like", "reply": "Reply"}})
    assert lab.term("valence:response") == "Comment valence × Influencer response"
    assert lab.term("valence*response") == "Comment valence × Influencer response"
    assert lab.term("response[reply]") == "Influencer response (reply vs. no reaction)"
    assert lab.term("valence[positive]:response[like]") == (
        "Comment valence (positive vs. negative) × Influencer response (like vs. no reaction)")
    assert lab.term("constant") == "Intercept" and lab.term("Residual") == "Residual"
    assert lab.path("valence -> psr -> attitude") == "Comment valence → PSR → Attitude"
    assert lab.term("response[reply]", reference={"response": "like"}) == "Influencer response (reply vs. like)"
    assert humanize("n_kept") == "N kept" and humanize("pk") == "PK" and humanize("age") == "Age"


def test_apa_headers_italics_and_no_empty_or_boolean_cells():
    tab = pd.DataFrame({"term": ["g", "Residual"], "ss": [3.76634, 10.49209], "df": [2, 27],
                        "F": [4.846088, np.nan], "p": [0.01591, np.nan], "eta2_partial": [0.26416, np.nan],
                        "z": [np.nan, np.nan], "flag": [True, False]})
    t = apa(tab, title="x", labels={"g": "Treatment"})
    assert t.header == ("Effect", "*SS*", "*df*", "*F*", "*p*", "η²~p~", "Flag")  # z (all empty) dropped
    assert t.rows[0] == ("Treatment", "3.77", "2", "4.85", ".016", ".26", "Yes")
    assert t.rows[1] == ("Residual", "10.49", "27", "", "", "", "No")
    assert all("True" not in c and "False" not in c and "nan" not in c for r in t.rows for c in r)
    html = render_html(t, number=4)
    assert "<th><i>SS</i></th>" in html and "<th>η²<sub>p</sub></th>" in html
    assert '<p class="table-number">Table 4</p>' in html
    with pytest.raises(ColumnError, match="columns not in table: \\['nope'\\]"):
        apa(tab, title="x", columns=["nope"])
    with pytest.raises(ColumnError, match="format of column 'F' must be one of"):
        apa(tab, title="x", formats={"F": "fancy"})


def test_ci_pairs_are_one_column_with_the_apa_header_and_note():
    tab = pd.DataFrame({"estimate": [0.4765], "ci_low": [0.2722], "ci_high": [0.6809],
                        "eta2_partial_ci_low": [0.0776], "eta2_partial_ci_high": [0.3662]})
    tab.attrs["conf"] = 0.95
    t = apa(tab, title="x", synthetic=True)
    assert t.header == ("*b*", "95% CI [*LL*, *UL*]", "η²~p~ 95% CI [*LL*, *UL*]")
    assert t.rows[0] == ("0.48", "[0.27, 0.68]", "[.08, .37]")
    assert "*LL* = lower limit" in t.note and "synthetic" in t.note
    assert ci_header(0.9) == "90% CI [*LL*, *UL*]"


def test_latex_has_one_table_number_italics_and_a_threeparttable_note():
    t = ApaTable("analysis of variance of attitude", ("Effect", "*F*", "*p*"), (("A × B", "13.86", "< .001"),),
                 ("l", "c", "c"), note="η²~p~ = partial eta squared.")
    tex = render_latex(t, label="tab:anova")
    assert r"\caption{Analysis of Variance of Attitude}" in tex  # LaTeX numbers it: no "Table 12." inside
    assert "Table" not in tex.split(r"\caption")[1].split("}")[0]
    assert r"Effect & \textit{F} & \textit{p} \\" in tex
    assert r"A $\times$ B & 13.86 & \textless{} .001 \\" in tex
    assert r"\begin{tablenotes}[flushleft]" in tex and r"\item \textit{Note.} $\eta$" in tex
    assert "threeparttable" in tex.splitlines()[1]  # the preamble comment names the packages


def test_markdown_and_html_show_number_title_spanners_groups_and_note():
    t = ApaTable("Means by condition", ("Measure", "*M*", "*SD*", "*M*", "*SD*"),
                 (("Self-esteem", "2.91", "0.49", "3.35", "0.35"),), ("l", "c", "c", "c", "c"),
                 note="A note.", spanners=(("Urban", 1, 2), ("Rural", 3, 4)), groups=((0, "Resources"),))
    md = render_markdown(t, number=4)
    assert md.startswith("**Table 4**\n\n*Means by Condition*\n\n| Measure")
    assert "Urban: *M*" in md and "Rural: *SD*" in md and "\u2003Self-esteem" in md
    assert md.endswith("*Note.* A note.")
    html = render_html(t, number=4)
    assert '<th class="spanner" colspan="2">Urban</th>' in html
    assert '<tr class="group"><td class="l" colspan="5">Resources</td></tr>' in html
    assert '<td class="l indent">Self-esteem</td>' in html
    assert t.to_frame().columns.tolist() == ["Measure", "Urban: M", "Urban: SD", "Rural: M", "Rural: SD"]


def test_layout_by_width_and_table_shape_errors():
    narrow = ApaTable("t", ("a",), (("1",),), ("c",))
    wide = ApaTable("t", tuple(f"Column {i}" for i in range(16)), (tuple("1.00" for _ in range(16)),), ("c",) * 16)
    assert layout(narrow) == "normal" and layout(wide) == "landscape"
    assert "landscape" in render_latex(wide) and 'class="apa-table landscape"' in render_html(wide)
    with pytest.raises(InputTypeError, match="every row and the alignment must have 2 cells"):
        ApaTable("t", ("a", "b"), (("1",),), ("c", "c"))


def test_title_case():
    assert title_case("results of curve-fitting analysis examining the time course of fixations to the target") == (
        "Results of Curve-Fitting Analysis Examining the Time Course of Fixations to the Target")  # APA Table 2
    assert title_case("sociodemographic characteristics of participants at baseline") == (
        "Sociodemographic Characteristics of Participants at Baseline")  # APA Table 1


def test_write_table_with_an_apa_table(tmp_path):
    from studylib.report.export import write_table

    tidy = pd.DataFrame({"term": ["a"], "F": [13.861234], "p": [0.00002]})
    shown = apa(tidy, title="analysis of variance", note="A note", synthetic=True)
    csv, md, tex = write_table(tidy, tmp_path, "anova", display=shown, number=12)
    assert pd.read_csv(csv)["F"][0] == 13.861234  # the CSV stays unrounded, with machine names
    assert md.read_text().startswith("**Table 12**\n\n*Analysis of Variance*")
    assert "synthetic" in md.read_text() and "synthetic" in tex.read_text()
    assert r"\caption{Analysis of Variance}" in tex.read_text() and "Table 12" not in tex.read_text()


def test_notebook_display_of_tables_sentences_and_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from studylib.report.notebook import figure, sentence

    t = ApaTable("Means", ("Group", "*M*"), (("a", "1.00"),), ("l", "c"), note="A note.", name="means")
    html = t._repr_html_()
    assert html.startswith("<style>.apa-table") and "<th><i>M</i></th>" in html and "<em>Note.</em>" in html
    assert repr(t) == "ApaTable('means': 1 rows x 2 columns)"
    assert sentence("*t*(17.78) = -1.86").data == "<p><i>t</i>(17.78) = -1.86</p>"
    fig, _ = plt.subplots(figsize=(2, 1))
    out = figure(fig, alt="Nothing yet", caption="*Figure 1.* Empty")
    assert 'alt="Nothing yet"' in out._repr_html_() and "<i>Figure 1.</i>" in out.data
    with pytest.raises(InputTypeError, match="needs alt= text"):
        figure(plt.figure(), alt=" ")
    plt.close("all")
