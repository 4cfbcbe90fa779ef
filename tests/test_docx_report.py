"""Tests of the Word report (studylib.report.docx) and of the one-content report (document.py),
read back with python-docx."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import docx
import matplotlib.pyplot as plt
import pytest
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn

from studylib import anova, emmeans
from studylib.errors import InputTypeError, OptionError
from studylib.report.apa import SYNTHETIC_TABLE_NOTE, ApaTable
from studylib.report.apa_models import anova_table, emmeans_table
from studylib.report.document import Report
from studylib.report.html import figure_to_png


def _report(toothgrowth, synthetic=True):
    rep = Report("Tooth growth", subtitle="ToothGrowth, R datasets", synthetic=synthetic)
    rep.section("Results")
    rep.text("Supplement and dose interact, *F*(2, 54) = 4.11, *p* = .022.")
    rep.table(anova_table(anova(toothgrowth, "len", ["supp", "dose"]), dv_label="tooth length",
                          labels={"supp": "Supplement", "dose": "Dose"}))
    rep.table(emmeans_table(emmeans(toothgrowth, "len", ["supp", "dose"]), factors=["supp", "dose"],
                            dv_label="tooth length"))
    wide = ApaTable("A very wide table", tuple(f"Column {i}" for i in range(15)) + ("Last column",),
                    (tuple(f"{i}.00" for i in range(16)),), ("c",) * 16)
    rep.table(wide)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    rep.figure(png=figure_to_png(fig), title="A line", alt="A rising line from 0 to 1", note="Made up.")
    plt.close(fig)
    rep.colophon({"studylib": "0.0", "data": {"sha256": "ab"}, "uncommitted changes": False})
    return rep


def test_docx_has_real_tables_captions_italics_and_the_synthetic_note(toothgrowth):
    rep = _report(toothgrowth)
    doc = docx.Document(io.BytesIO(rep.docx()))
    assert len(doc.tables) == 3
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == ["Table 1", "Table 2", "Table 3", "Figure 1"]
    # the number is a Word caption field (SEQ), so Word's List of Tables finds it
    cap = next(p for p in doc.paragraphs if p.text == "Table 1")
    assert "SEQ Table" in "".join(t.text for t in cap._p.iter(qn("w:instrText")))
    assert cap.paragraph_format.keep_with_next
    title = doc.paragraphs[[p.text for p in doc.paragraphs].index("Table 1") + 1]
    assert title.text == "Analysis of Variance of Tooth Length" and all(r.italic for r in title.runs)
    assert title.paragraph_format.keep_with_next
    head = doc.tables[0].rows[0].cells
    assert [c.text for c in head][:3] == ["Effect", "SS", "df"]
    assert head[1].paragraphs[0].runs[0].italic and not head[0].paragraphs[0].runs[0].italic
    assert doc.tables[0].rows[1].cells[0].text == "Supplement"
    assert all(t.alignment == WD_TABLE_ALIGNMENT.LEFT for t in doc.tables)  # flush left, as its title
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "uncommitted changes" in text and "False" not in text and "no" in text.split("uncommitted changes")[1][:8]
    assert doc.tables[0].rows[3].cells[0].text == "Supplement × Dose"
    # every table is kept with its title: all rows but the last keep with the next paragraph
    first_cells = [row.cells[0].paragraphs[0] for row in doc.tables[0].rows]
    assert all(p.paragraph_format.keep_with_next for p in first_cells[:-1])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("Tooth growth\nToothGrowth, R datasets\nSynthetic data. ")
    assert text.count(SYNTHETIC_TABLE_NOTE) == 4  # under each of the 3 tables and the figure
    assert "Note. Type III sums of squares" in text


def test_docx_wide_table_on_a_landscape_page_and_figure_alt_text(toothgrowth):
    doc = docx.Document(io.BytesIO(_report(toothgrowth).docx()))
    orient = [s.orientation for s in doc.sections]
    assert [int(o) for o in orient] == [0, 1, 0]  # portrait, landscape for the wide table, portrait
    land = doc.sections[1]
    assert land.page_width > land.page_height
    assert doc.tables[2].rows[0].cells[-1].text == "Last column"
    descr = [el.get("descr") for el in doc.element.body.iter(qn("wp:docPr"))]
    assert descr == ["A rising line from 0 to 1"]
    assert doc.inline_shapes[0].width <= 6 * 914400


def test_docx_is_deterministic_and_without_synthetic_note_when_real(toothgrowth):
    a, b = _report(toothgrowth).docx(), _report(toothgrowth).docx()
    assert a == b
    doc = docx.Document(io.BytesIO(_report(toothgrowth, synthetic=False).docx()))
    assert not any("synthetic" in p.text.lower() for p in doc.paragraphs)


def test_report_html_has_the_same_tables_and_figure(toothgrowth):
    html = _report(toothgrowth).html()
    assert html.count('<div class="apa-table') == 3 and html.count('<p class="table-number">') == 3
    assert '<div class="apa-table landscape"' in html
    assert '<span class="figure-number">Figure 1</span>' in html and 'alt="A rising line from 0 to 1"' in html
    assert "<i>F</i>(2, 54) = 4.11" in html and "@page landscape" in html


def test_report_input_errors():
    rep = Report("x")
    with pytest.raises(InputTypeError, match="table must be an ApaTable"):
        rep.table("a table")
    with pytest.raises(OptionError, match="level must be one of 2, 3; got 4"):
        rep.section("s", level=4)
    with pytest.raises(InputTypeError, match="embed='svg' needs svg="):
        rep.figure(png=b"\x89PNG", title="t", embed="svg")


def test_report_marks_tables_and_figures_with_the_study_data_note(toothgrowth):
    note = "Data are SYNTHETIC: made by a simulator for this test."
    rep = Report("Own note", synthetic=True, data_note=note)
    rep.table(anova_table(anova(toothgrowth, "len", ["supp", "dose"]), dv_label="tooth length").with_note(note))
    fig, ax = plt.subplots(figsize=(2, 1))
    rep.figure(png=figure_to_png(fig), title="Empty", alt="An empty plot")
    plt.close(fig)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rep.docx())).paragraphs)
    assert text.count(note) == 2 and SYNTHETIC_TABLE_NOTE not in text  # once per table and figure
    assert rep.html().count(note) == 2


def test_docx_text_columns_keep_their_longest_word_and_the_headline_is_bold():
    from docx.shared import Inches

    rows = tuple(("Influencer response", "Negative comments − positive comments", *[f"{i}.123" for i in range(6)],
                  "[-0.67, 0.21]") for _ in range(3))
    table = ApaTable("Pairwise", ("Influencer response", "Contrast", *[f"*s*{i}" for i in range(6)], "95% CI"),
                     rows, ("l", "l", *"c" * 6, "c"))
    rep = Report("Widths")
    rep.text("3 of 4 hypotheses supported.", css_class="headline")
    rep.table(table)
    doc = docx.Document(io.BytesIO(rep.docx()))
    col0 = doc.tables[0].columns[0].width
    assert col0 >= Inches(len("Influencer") * 8 / 72 * 0.6 + 0.2)  # at the smallest type "Influencer" fits
    head = next(p for p in doc.paragraphs if p.text.startswith("3 of 4"))
    assert head.runs and all(r.bold for r in head.runs)
