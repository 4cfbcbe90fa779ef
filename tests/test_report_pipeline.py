"""The report of ``studylib reproduce`` as a reader gets it: report.html printed to PDF by
headless Chromium shows every column of every table; report.docx read back with python-docx
has every table as a Word table, numbered captions and the synthetic-data note; the
Markdown and LaTeX exports are the APA tables while the CSVs keep machine names.

One fast run (``example=True``: B = 1000) of the example study serves every test here
(with ``pdf=True`` when Chromium is installed). The PDF test needs Chromium and pdftotext
(skipped without, a failure in CI where STUDYLIB_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import io
import re
import subprocess

import docx
import pandas as pd
import pytest
from browser_check import find_chromium, require_chromium
from test_report_pdf import _pdftotext, _squash

from studylib import load_study
from studylib.errors import OptionError
from studylib.pipeline import reproduce
from studylib.report.apa import SYNTHETIC_TABLE_NOTE

#: The sentence under every table and figure of the example study's report (its data are synthetic).
NOTE = getattr(load_study(), "data_note", None) or SYNTHETIC_TABLE_NOTE


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "results"
    return reproduce(out=out, example=True, pdf=find_chromium() is not None)


def _header_cells(html: str) -> list[tuple[str, str]]:
    """(table id, text of its last column header) of every APA table of the HTML report."""
    tables = re.findall(r'<div class="apa-table[^"]*" id="([^"]+)">.*?<thead>(.*?)</thead>', html, flags=re.S)
    out = []
    for name, head in tables:
        last = re.findall(r"<th[^>]*>(.*?)</th>", head.split("<tr>")[-1], flags=re.S)[-1]
        plain = re.sub(r"<[^>]+>", "", last).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        out.append((name, plain.replace("&#x27;", "'").replace("&#39;", "'")))
    return out


def test_every_table_of_the_report_is_whole_in_the_pdf(run):
    require_chromium()
    pdftotext = _pdftotext()
    text = subprocess.run([pdftotext, "-raw", str(run.out / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = _squash(text)
    heads = _header_cells((run.out / "report.html").read_text(encoding="utf-8"))
    assert [name for name, _ in heads] == list(run.results["tables"])
    missing = [(name, last) for name, last in heads if _squash(last) not in flat]
    assert missing == []
    assert f"Table {len(heads)}" in text and "Synthetic data." in text
    assert _squash(NOTE) in flat


def test_report_docx_has_the_tables_captions_figures_and_synthetic_note(run):
    doc = docx.Document(io.BytesIO((run.out / "report.docx").read_bytes()))
    n_tables, n_figures = len(run.results["tables"]), len(run.results["figures"])
    assert n_tables > 20 and n_figures >= 4
    assert len(doc.tables) == n_tables
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Table")] == [f"Table {i}" for i in range(1, n_tables + 1)]
    assert [c for c in captions if c.startswith("Figure")] == [f"Figure {i}" for i in range(1, n_figures + 1)]
    assert len(doc.inline_shapes) == n_figures
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Synthetic data." in text[:2000]  # the banner under the title
    notes = [p.text for p in doc.paragraphs if p.text.startswith("Note.")]
    assert len(notes) == n_tables + n_figures and all(NOTE in n for n in notes)  # under every table and figure
    first = doc.tables[0]
    assert first.rows[0].cells[-1].text == "n after" and first.rows[0].cells[-1].paragraphs[0].runs[0].italic
    assert not any(cell.text in ("True", "False", "nan", "None", "NaN") for t in doc.tables for row in t.rows[1:]
                   for cell in row.cells)  # no Python values in the body (a level may be named "none")


def test_report_and_exports_show_apa_tables_while_csvs_stay_tidy(run):
    tables = run.out / "tables"
    html = (run.out / "report.html").read_text(encoding="utf-8")
    assert html.count('<div class="apa-table') == len(run.results["tables"])
    for number, name in enumerate(run.results["tables"], start=1):
        md = (tables / f"{name}.md").read_text(encoding="utf-8")
        assert md.startswith(f"**Table {number}**"), name
        assert NOTE in md, name
        tex = (tables / f"{name}.tex").read_text(encoding="utf-8")
        assert "\\begin{threeparttable}" in tex and "Table" not in tex.split("\\caption{")[1].split("}")[0], name
    csv = pd.read_csv(tables / "anova_psr.csv")
    assert {"term", "ss", "df", "F", "p", "eta2_partial"} <= set(csv.columns)
    pd.testing.assert_series_equal(csv["F"], pd.DataFrame(run.results["tables"]["anova_psr"])["F"], check_exact=True)
    md = (tables / "anova_psr.md").read_text(encoding="utf-8")
    assert "*F*" in md and "eta2_partial" not in md and "η²<sub>p</sub>" in md
    headline = re.search(r'<p class="headline">(.*?)</p>', html, flags=re.S)
    assert headline is not None and "hypotheses supported (CI excludes 0 in the predicted direction" in \
        headline.group(1)
    assert "in the predicted direction, CI includes 0" in headline.group(1)


def test_pdf_without_chromium_is_one_clear_error_before_anything_runs(monkeypatch, tmp_path):
    import studylib.report.pdf as pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    with pytest.raises(OptionError, match=r"--pdf needs Chromium .* apt-get install chromium\); or leave out --pdf"):
        reproduce(out=tmp_path / "res", example=True, pdf=True)
    assert not (tmp_path / "res").exists()


def test_a_run_without_pdf_removes_the_pdf_of_an_earlier_run(monkeypatch, tmp_path):
    import studylib.report.pdf as pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, **kw: b"%PDF-1.4 stand-in for Chromium's print\n")
    out = tmp_path / "res"
    reproduce(out=out, example=True, pdf=True)
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-1.4 stand-in")
    reproduce(out=out, example=True)
    assert not (out / "report.pdf").exists() and (out / "report.docx").is_file()
