"""One report, three outputs: the HTML page, the Word document and (through Chromium) the PDF.

:class:`Report` records the content once (sections, paragraphs in the markup of
:mod:`.rich`, APA tables, figures, the colophon), numbers tables and figures in order, adds
the synthetic-data note to every table and figure when the data are synthetic, and renders
it as HTML (:meth:`Report.html`, self-contained, with the print stylesheet) and as a
``.docx`` (:meth:`Report.docx`). Nothing here writes a file: the caller writes the text and
bytes through studylib's output writer; :func:`studylib.report.pdf.html_to_pdf` turns the
HTML into a PDF.

Examples
--------
>>> from studylib.report.apa import ApaTable
>>> from studylib.report.document import Report
>>> rep = Report("Demo", synthetic=True)
>>> rep.section("Results")
>>> rep.text("The effect was large, *F*(1, 54) = 15.57, *p* < .001.")
>>> rep.table(ApaTable("Means", ("Group", "*M*"), (("a", "1.00"),), ("l", "c")))
1
>>> html = rep.html()
>>> "<i>F</i>(1, 54)" in html and "Table 1" in html and "synthetic" in html
True
>>> rep.docx()[:2]
b'PK'
"""

from __future__ import annotations

import html as _html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._validation import check_option
from ..errors import InputTypeError
from .apa import SYNTHETIC_TABLE_NOTE, ApaTable, join_note, title_case
from .apa_render import render_html
from .html import SYNTHETIC_NOTE, HtmlReport
from .rich import to_html

__all__ = ["Report", "FigureEntry"]


@dataclass(frozen=True)
class FigureEntry:
    """A figure of the report: its number, rendered PNG (and SVG), title, note, alt text."""

    number: int
    key: str
    png: bytes = field(repr=False)
    svg: str | None = field(repr=False, default=None)
    title: str = ""
    note: str = ""
    alt: str = ""
    embed: str = "png"


class Report:
    """The content of a report, rendered to HTML and Word.

    Parameters
    ----------
    title : str
        Title of the report.
    subtitle : str, optional
        A line under it.
    synthetic : bool, default False
        The data are synthetic: a banner at the top, and the synthetic-data sentence in the
        note of every table and figure.
    synthetic_note : str, optional
        Text of the banner (default :data:`studylib.report.html.SYNTHETIC_NOTE`).
    data_note : str, optional
        The sentence added to the note of every table and figure when ``synthetic``
        (default :data:`studylib.report.apa.SYNTHETIC_TABLE_NOTE`; a study file's
        ``Study.data_note``, so that tables made elsewhere with it are not marked twice).
    """

    def __init__(self, title: str, *, subtitle: str | None = None, synthetic: bool = False,
                 synthetic_note: str | None = None, data_note: str | None = None) -> None:
        self.title = str(title)
        self.subtitle = subtitle
        self.synthetic = bool(synthetic)
        self.synthetic_note = synthetic_note or SYNTHETIC_NOTE
        self.data_note = data_note or SYNTHETIC_TABLE_NOTE
        self._blocks: list[tuple[str, Any]] = []
        self.tables: list[ApaTable] = []
        self.figures: list[FigureEntry] = []
        self._colophon: dict[str, Any] = {}

    # -- content -------------------------------------------------------------------------
    def section(self, title: str, *, level: int = 2, intro: str | None = None) -> None:
        """Open a section (``level`` 2) or subsection (3); ``intro`` is markup."""
        check_option(level, "level", (2, 3))
        self._blocks.append(("section", (str(title), level)))
        if intro:
            self.text(intro)

    def text(self, markup: str, *, css_class: str | None = None) -> None:
        """A paragraph (markup; blank lines separate paragraphs)."""
        self._blocks.append(("text", (str(markup), css_class)))

    def table(self, table: ApaTable) -> int:
        """Add an APA table; returns its number. The synthetic sentence is added to its note."""
        if not isinstance(table, ApaTable):
            raise InputTypeError(f"table must be an ApaTable (see studylib.report.apa); got {type(table).__name__}")
        if self.synthetic:
            table = table.with_note(self.data_note)
        self.tables.append(table)
        self._blocks.append(("table", (table, len(self.tables))))
        return len(self.tables)

    def figure(self, *, png: bytes, title: str, svg: str | None = None, note: str | None = None,
               alt: str | None = None, key: str | None = None, embed: str = "png") -> int:
        """Add a figure (rendered once: PNG for Word, PNG or inline SVG for HTML); returns its number."""
        check_option(embed, "embed", ("png", "svg"))
        if embed == "svg" and svg is None:
            raise InputTypeError("embed='svg' needs svg= (the text of an SVG document)")
        number = len(self.figures) + 1
        full_note = join_note(note, self.data_note if self.synthetic else None)
        entry = FigureEntry(number, key or f"figure-{number}", png, svg, str(title), full_note,
                            alt or str(title), embed)
        self.figures.append(entry)
        self._blocks.append(("figure", entry))
        return number

    def colophon(self, info: Mapping[str, Any]) -> None:
        """The footer: studylib version, git commit, packages, data checksum ... (a yes/no value
        is written as "yes" or "no")."""
        self._colophon = {k: ("yes" if v else "no") if isinstance(v, bool) else v for k, v in info.items()}

    # -- output --------------------------------------------------------------------------
    def html(self) -> str:
        """The report as one self-contained HTML page (screen and print stylesheets)."""
        rep = HtmlReport(self.title, subtitle=self.subtitle, synthetic=self.synthetic,
                         synthetic_note=self.synthetic_note)
        for kind, value in self._blocks:
            if kind == "section":
                rep.section(value[0], level=value[1])
            elif kind == "text":
                markup, css = value
                cls = f' class="{_html.escape(css, quote=True)}"' if css else ""
                for part in [p.strip() for p in markup.split("\n\n") if p.strip()]:
                    rep.add_html(f"<p{cls}>{to_html(part)}</p>")
            elif kind == "table":
                table, number = value
                rep.add_html(render_html(table, number=number, anchor=table.name or None))
            else:
                rep.add_html(_figure_html(value, rep))
        if self._colophon:
            rep.set_colophon(self._colophon)
        return rep.render()

    def docx(self) -> bytes:
        """The report as a Word document (bytes of the .docx file)."""
        from .docx import DocxReport

        doc = DocxReport(self.title, subtitle=self.subtitle, synthetic=self.synthetic,
                         synthetic_note=self.synthetic_note)
        for kind, value in self._blocks:
            if kind == "section":
                doc.heading(value[0], level=value[1] - 1)
            elif kind == "text":
                doc.paragraph(value[0], bold=value[1] == "headline")
            elif kind == "table":
                doc.table(value[0], number=value[1])
            else:
                doc.figure(value.png, number=value.number, title=value.title, note=value.note or None,
                           alt=value.alt)
        if self._colophon:
            doc.colophon(self._colophon)
        return doc.to_bytes()


def _figure_html(fig: FigureEntry, rep: HtmlReport) -> str:
    import base64

    alt = _html.escape(fig.alt, quote=True)
    if fig.embed == "svg" and fig.svg is not None:
        svg = fig.svg[fig.svg.index("<svg"):]
        body = svg.replace("<svg ", f'<svg role="img" aria-label="{alt}" ', 1)
    else:
        data = base64.b64encode(fig.png).decode("ascii")
        width = round(int.from_bytes(fig.png[16:20], "big") * 96 / 150)
        body = f'<img alt="{alt}" style="width:{width}px" src="data:image/png;base64,{data}">'
    note = f'<p class="figure-note"><em>Note.</em> {to_html(fig.note)}</p>' if fig.note else ""
    rep._n_figures += 1  # keep HtmlReport's figure count in step
    return (f'<figure class="apa-figure" id="{_html.escape(fig.key, quote=True)}">'
            f'<figcaption><span class="figure-number">Figure {fig.number}</span> '
            f'<span class="figure-title">{to_html(title_case(fig.title))}</span></figcaption>'
            f"{body}{note}</figure>")
