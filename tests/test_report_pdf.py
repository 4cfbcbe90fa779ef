"""Browser test: Chromium prints an APA report to PDF, and every column of every table is
on the page (the last header of each table is found in the PDF's text by pdftotext).

Needs Chromium and poppler's pdftotext (Debian: apt-get install chromium poppler-utils);
without them the test skips, unless STUDYLIB_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")

import pytest
from browser_check import require_chromium

import studylib as sl
from studylib.descriptives import correlations, variable_summary
from studylib.errors import OptionError
from studylib.report import apa_models as M
from studylib.report import apa_sample as S
from studylib.report.apa import ApaTable
from studylib.report.document import Report
from studylib.report.labels import Labels
from studylib.report.pdf import html_to_pdf
from studylib.report.rich import to_plain
from studylib.sample import sample_characteristics


def _pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        if os.environ.get("STUDYLIB_REQUIRE_BROWSER") == "1":
            pytest.fail("STUDYLIB_REQUIRE_BROWSER=1 but no pdftotext on PATH (apt-get install poppler-utils)")
        pytest.skip("no pdftotext on PATH (Debian: apt-get install poppler-utils); PDF test not run")
    return path


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def wide_report():
    from studylib.pipeline import load_analysis_data

    sd = load_analysis_data()
    k, b = sd.kept, [f.name for f in sd.study.factors]
    lab = Labels({"valence": "Comment valence", "response": "Influencer response"},
                 levels={"response": {"none": "No reaction", "like": "Like", "reply": "Reply"}})
    res = sl.process(k, model=83, x=b[0], w=b[1], m=["psr", "pk"], y="attitude", boot=1000, seed=1)
    rep = Report("PDF test", synthetic=True)
    rep.section("Tables")
    rep.table(M.anova_table(sl.anova(k, "psr", b), dv_label="PSR", labels=lab))
    rep.table(M.pairwise_table(sl.pairwise(k, "psr", b, effect=b[0], by=[b[1]], adjust="holm"), effect=b[0],
                               by=[b[1]], dv_label="PSR", labels=lab))
    rep.table(M.coefficients_table(res.coefficients, labels=lab))
    rep.table(M.model_summary_table(res.equations, labels=lab))
    rep.table(M.indirect_table(res.indirect, labels=lab, moderator=b[1], boot=1000, seed=1))
    rep.table(S.exclusions_table(sd.log.steps))
    chars = sample_characteristics(k, by=b, categorical={"gender": {1: "Woman", 2: "Man"}}, numeric=["age"])
    rep.table(S.characteristics_table(chars, by=b, labels=lab))
    scores = ["psr", "pk", "attitude"]
    rep.table(S.correlation_table(variable_summary(k, scores), correlations(k, scores)))
    rep.table(ApaTable("Eighteen columns", tuple(f"Statistic {i}" for i in range(17)) + ("Final header",),
                       (tuple(f"[-{i}.123, {i}.456]" for i in range(18)),), ("c",) * 18))
    return rep


def test_every_last_column_header_is_in_the_printed_pdf(wide_report, tmp_path):
    chromium = require_chromium()
    pdftotext = _pdftotext()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(html_to_pdf(wide_report.html(), chromium=chromium))
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = _squash(text)
    missing = [(t.title, to_plain(t.header[-1])) for t in wide_report.tables
               if _squash(to_plain(t.header[-1])) not in flat]
    assert missing == []
    # the widest table is printed whole: its last cell too
    assert _squash("[-17.123, 17.456]") in flat
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert any(float(w) > float(h) for w, h in sizes)  # landscape pages for the widest tables
    assert any(float(w) < float(h) for w, h in sizes)


def test_html_to_pdf_without_chromium_says_how_to_install(monkeypatch):
    import studylib.report.pdf as pdfmod

    monkeypatch.setattr(pdfmod, "find_chromium", lambda: None)
    with pytest.raises(OptionError, match="apt-get install chromium"):
        pdfmod.html_to_pdf("<p>x</p>")


