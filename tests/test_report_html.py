"""Tests of studylib.report.html and studylib.report.export (the self-contained report)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import base64
import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from browser_check import check_figures, require_chromium

from studylib.errors import InputTypeError, OptionError
from studylib.report.export import write_figure, write_table
from studylib.report.html import SYNTHETIC_NOTE, HtmlReport, figure_to_png, figure_to_svg


def make_report(synthetic=True):
    report = HtmlReport("Study <report>", subtitle="demo & test", synthetic=synthetic)
    report.section("Tables", intro="First paragraph.\n\nSecond <b>paragraph</b>.")
    report.add_table(pd.DataFrame({"term": ["valence", "response"], "F": [1.23456, np.nan],
                                   "df": [1, 2], "p": [0.0004, 0.25]}), caption="Table 1", note="A note.")
    report.section("Figures")
    for fmt in ("png", "svg"):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [1, 3, 2])
        report.add_figure(fig, caption=f"Figure as {fmt}", fmt=fmt, key=f"fig-{fmt}")
        plt.close(fig)
    report.set_colophon({"studylib": "0.1.0", "data": {"sha256": "ab" * 32}})
    return report


class _Checker(HTMLParser):
    """Collects tags and checks that the document is well nested."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "path", "use", "rect", "stop", "line",
            "circle", "polyline", "polygon", "ellipse", "image"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_report_is_self_contained_escaped_and_well_formed():
    html = make_report().render()
    checker = _Checker()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []
    tags = [t for t, _ in checker.tags]
    assert tags.count("figure") == 2 and tags.count("table") == 1
    # no external resources and no script
    assert "<script" not in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    # escaping of user text
    assert "<title>Study &lt;report&gt;</title>" in html
    assert "Second &lt;b&gt;paragraph&lt;/b&gt;." in html
    # APA display: 2 decimals, missing as empty, integers unchanged, p without leading zero
    assert "<td>1.23</td>" in html and "<td></td>" in html and "<td>2</td>" in html
    assert "<td>&lt; .001</td>" in html and "<td>.250</td>" in html
    assert '<td class="text">valence</td>' in html  # text left-aligned, numbers right-aligned
    assert "Synthetic data." in html and SYNTHETIC_NOTE[:40] in html
    assert 'href="#tables"' in html and 'href="#figures"' in html
    assert "<dt>data.sha256</dt>" in html


def test_embedded_png_decodes_to_the_figure_png():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    report = HtmlReport("x")
    report.add_figure(fig, caption="c", fmt="png")
    src = re.search(r'src="data:image/png;base64,([^"]+)"', report.render()).group(1)
    assert base64.b64decode(src) == figure_to_png(fig)
    plt.close(fig)


def test_no_banner_without_synthetic_and_render_is_deterministic():
    html = make_report(synthetic=False).render()
    assert "Synthetic data." not in html
    assert make_report().render() == make_report().render()


def test_svg_has_no_date_and_ids_depend_on_the_salt():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    a, b = figure_to_svg(fig, salt="a"), figure_to_svg(fig, salt="b")
    plt.close(fig)
    assert "<dc:date>" not in a
    # clip-path ids are hashed with the salt: two figures inlined in one page never clash
    clip_a = set(re.findall(r'<clipPath id="([^"]+)"', a))
    clip_b = set(re.findall(r'<clipPath id="([^"]+)"', b))
    assert clip_a and clip_b and not clip_a & clip_b


def test_report_input_errors():
    report = HtmlReport("x")
    with pytest.raises(InputTypeError, match="must be a pandas DataFrame"):
        report.add_table([[1, 2]], caption="c")
    with pytest.raises(InputTypeError, match="matplotlib Figure"):
        report.add_figure("fig.png", caption="c")
    fig, _ = plt.subplots()
    with pytest.raises(OptionError, match="fmt must be one of 'png', 'svg'; got 'jpg'"):
        report.add_figure(fig, caption="c", fmt="jpg")
    with pytest.raises(OptionError, match="exactly one of png= or svg="):
        report.add_rendered_figure(caption="c")
    with pytest.raises(InputTypeError, match="bytes of a PNG"):
        report.add_rendered_figure(png=b"GIF89a", caption="c")
    with pytest.raises(InputTypeError, match="text of an SVG"):
        report.add_rendered_figure(svg="<html>", caption="c")
    plt.close(fig)


def test_rendered_figure_equals_figure_rendered_by_the_report():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    a, b = HtmlReport("x"), HtmlReport("x")
    a.add_figure(fig, caption="c", fmt="svg", key="k")
    b.add_rendered_figure(svg=figure_to_svg(fig, salt="k"), caption="c", key="k")
    plt.close(fig)
    assert a.render() == b.render() and a.n_figures == b.n_figures == 1


def test_write_table_and_figure(tmp_path):
    table = pd.DataFrame({"term": ["a_b", "c|d"], "estimate": [0.123456789, -1.5], "n": [10, 12]})
    csv, md, tex = write_table(table, tmp_path / "tables", "coef", caption="Coefficients", digits=2)
    back = pd.read_csv(csv)
    np.testing.assert_array_equal(back["estimate"], table["estimate"])  # CSV keeps full precision
    assert "-1.50" in md.read_text() and "c\\|d" in md.read_text() and "**Coefficients**" in md.read_text()
    assert "a\\_b & 0.12 & 10 \\\\" in tex.read_text() and "\\caption{Coefficients}" in tex.read_text()
    display = pd.DataFrame({"Term": ["x"], "F": ["9.99"]})
    _, md2, _ = write_table(table, tmp_path, "shown", display=display)
    assert "9.99" in md2.read_text() and "0.12" not in md2.read_text()
    with pytest.raises(OptionError, match="file name"):
        write_table(table, tmp_path, "../evil")
    fig, ax = plt.subplots()
    png, svg = write_figure(fig, tmp_path / "figures", "fig")
    plt.close(fig)
    assert png.read_bytes()[:4] == b"\x89PNG" and svg.read_text().startswith("<?xml")


def test_report_renders_in_headless_chromium_with_every_figure(tmp_path):
    chromium = require_chromium()
    path = make_report().write(tmp_path / "report.html")
    result = check_figures(path, chromium)
    assert result == {"figures": 2, "images": 1, "images_loaded": 1, "svgs": 1, "svgs_drawn": 1,
                      "tables": 1}
