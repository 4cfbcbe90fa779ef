"""The report as a Word document (python-docx): APA tables as real Word tables.

:class:`DocxReport` writes what :class:`studylib.report.document.Report` holds into a
``.docx``: headings, paragraphs (italics, sub- and superscripts from the markup of
:mod:`.rich`), every table as a Word table with APA rules (horizontal lines only, a repeated
header row), numbered captions as Word caption fields ("Table 3", "Figure 2": a List of
Tables works), the title in italics under the number, the note under the table, figures
with their number, title, alternative text and note, and the synthetic-data note. Table
number, title and rows are kept with the next paragraph so a table stays with its title;
a wide table gets smaller type and the widest a landscape page.

The file is deterministic: the same content gives the same bytes (fixed document
properties and zip timestamps).

Examples
--------
>>> import io
>>> from studylib.report.apa import ApaTable
>>> from studylib.report.docx import DocxReport
>>> doc = DocxReport("Demo", synthetic=True)
>>> doc.heading("Results", level=1)
>>> doc.paragraph("The interaction was significant, *F*(2, 246) = 13.86, *p* < .001.")
>>> doc.table(ApaTable("Means", ("Group", "*M*"), (("a", "1.00"),), ("l", "c"), note="A note."), number=1)
>>> data = doc.to_bytes()
>>> import docx
>>> back = docx.Document(io.BytesIO(data))
>>> len(back.tables), [p.text for p in back.paragraphs][4:6]
(1, ['Table 1', 'Means'])
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import InputTypeError
from .apa import ApaTable, title_case
from .apa_render import layout
from .rich import parse

__all__ = ["DocxReport", "add_markup"]

_FONT = "Times New Roman"
_SIZES = {"normal": 10, "wide": 9, "landscape": 8}
_FIXED_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _docx() -> Any:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise ImportError("the Word report needs python-docx: pip install python-docx") from exc
    return docx


def add_markup(paragraph: Any, markup: str, *, size: float | None = None, italic: bool | None = None,
               bold: bool | None = None) -> None:
    """Append markup (see :mod:`.rich`) to a python-docx paragraph as styled runs."""
    from docx.shared import Pt

    for r in parse(markup):
        run = paragraph.add_run(r.text)
        run.italic = r.italic if italic is None else (italic != r.italic)
        if bold is not None:
            run.bold = bold
        if r.script == "sub":
            run.font.subscript = True
        elif r.script == "sup":
            run.font.superscript = True
        if size is not None:
            run.font.size = Pt(size)


def _caption_field(paragraph: Any, label: str, number: int) -> None:
    """``Table 3`` / ``Figure 2`` as Word's caption field (SEQ), its result cached."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.add_run(f"{label} ").bold = True

    def fld(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    run = paragraph.add_run()
    run._r.append(fld("begin"))
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" SEQ {label} \\* ARABIC "
    run._r.append(instr)
    paragraph.add_run()._r.append(fld("separate"))
    paragraph.add_run(str(number)).bold = True
    paragraph.add_run()._r.append(fld("end"))


def _borders(cell: Any, **sides: str) -> None:
    """Set the given borders of a cell (``top="single"``, ``bottom="nil"`` ...)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for side, kind in sides.items():
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), kind)
        el.set(qn("w:sz"), "8" if kind == "single" else "0")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _no_table_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


class DocxReport:
    """Build a Word report: headings, paragraphs, APA tables, figures, synthetic note, colophon.

    Parameters
    ----------
    title : str
        Document title (first line).
    subtitle : str, optional
        A line under the title.
    synthetic : bool, default False
        Start with the synthetic-data note (``synthetic_note``).
    synthetic_note : str, optional
        Its text.
    """

    def __init__(self, title: str, *, subtitle: str | None = None, synthetic: bool = False,
                 synthetic_note: str | None = None) -> None:
        from docx.shared import Pt

        docx = _docx()
        self.doc = docx.Document()
        normal = self.doc.styles["Normal"]
        normal.font.name = _FONT
        normal.font.size = Pt(11)
        from docx.shared import RGBColor

        for name in ("Caption", "Heading 1", "Heading 2", "Heading 3", "Title", "Subtitle"):
            style = self.doc.styles[name]
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.name = _FONT
        caption = self.doc.styles["Caption"]
        caption.font.size, caption.font.bold, caption.font.italic = Pt(11), True, False
        props = self.doc.core_properties
        props.author, props.title, props.created, props.modified = "studylib", str(title), _FIXED_TIME, _FIXED_TIME
        props.last_modified_by, props.revision = "studylib", 1
        self._landscape = False
        from docx.shared import Mm

        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)  # A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(25))
        head = self.doc.add_paragraph(style="Title")
        add_markup(head, str(title))
        if subtitle:
            add_markup(self.doc.add_paragraph(style="Subtitle"), subtitle)
        if synthetic:
            p = self.doc.add_paragraph()
            p.add_run("Synthetic data. ").bold = True
            add_markup(p, synthetic_note or "")
            self._shade(p)

    def _shade(self, paragraph: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), "FFF4E0")
        paragraph._p.get_or_add_pPr().append(shd)

    # -- content -------------------------------------------------------------------------
    def heading(self, text: str, *, level: int = 1) -> None:
        """A heading (level 1 = a section of the report, 2 = a subsection)."""
        self._orientation(False)
        p = self.doc.add_heading(level=level)
        add_markup(p, str(text))
        p.paragraph_format.keep_with_next = True

    def paragraph(self, markup: str, *, bold: bool = False) -> None:
        """A paragraph of body text (markup; blank lines start new paragraphs); ``bold`` for a
        headline."""
        self._orientation(False)
        for part in [t.strip() for t in str(markup).split("\n\n") if t.strip()]:
            p = self.doc.add_paragraph()
            add_markup(p, part)
            for run in p.runs if bold else ():
                run.bold = True

    def _orientation(self, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        if landscape == self._landscape:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = section.page_width, section.page_height
        if (width > height) != landscape:
            section.page_width, section.page_height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        self._landscape = landscape

    def table(self, table: ApaTable, *, number: int) -> None:
        """An APA table: "Table N" (bold, a caption field), the title (italic), the Word
        table, the note. Wide tables get smaller type; the widest a landscape page."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        if not isinstance(table, ApaTable):
            raise InputTypeError(f"table must be an ApaTable; got {type(table).__name__}")
        kind = layout(table)
        self._orientation(kind == "landscape")
        size = _SIZES[kind]
        cap = self.doc.add_paragraph(style="Caption")
        _caption_field(cap, "Table", number)
        cap.paragraph_format.keep_with_next = True
        title = self.doc.add_paragraph()
        add_markup(title, title_case(table.title), italic=True)
        title.paragraph_format.keep_with_next = True
        groups = dict(table.groups)
        n_head = 2 if table.spanners else 1
        n_rows = n_head + len(table.rows) + len(groups)
        t = self.doc.add_table(rows=n_rows, cols=table.n_columns)
        t.alignment = WD_TABLE_ALIGNMENT.LEFT  # flush left under its title (APA 7 sample tables)
        _no_table_borders(t)
        align = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER}

        def fill(cell: Any, markup: str, a: str, *, indent: bool = False) -> None:
            p = cell.paragraphs[0]
            add_markup(p, markup, size=size)
            p.alignment = align[a]
            p.paragraph_format.space_after = Pt(0)
            if indent:
                p.paragraph_format.left_indent = Pt(10)

        if table.spanners:
            for text, first, last in table.spanners:
                merged = t.cell(0, first).merge(t.cell(0, last)) if last > first else t.cell(0, first)
                fill(merged, text, "c")
                _borders(merged, bottom="single")
        for j, (h, a) in enumerate(zip(table.header, table.align, strict=True)):
            fill(t.cell(n_head - 1, j), h, a)
        for i in range(n_head):
            _repeat_header(t.rows[i])
        for j in range(table.n_columns):
            _borders(t.cell(0, j), top="single")
            _borders(t.cell(n_head - 1, j), bottom="single")
        r = n_head
        indent = set(range(min(groups), len(table.rows))) if groups else set()
        for i, row in enumerate(table.rows):
            if i in groups:
                merged = t.cell(r, 0).merge(t.cell(r, table.n_columns - 1))
                fill(merged, groups[i], "l")
                r += 1
            for j, (cell, a) in enumerate(zip(row, table.align, strict=True)):
                fill(t.cell(r, j), cell, a, indent=j == 0 and i in indent)
            r += 1
        for j in range(table.n_columns):
            _borders(t.cell(n_rows - 1, j), bottom="single")
        self._widths(t, table, landscape=kind == "landscape", size=size)
        keep_all = n_rows <= 30  # a table that fits a page stays in one piece, with its title and note
        for i, row in enumerate(t.rows):
            if keep_all or i <= n_head:
                if i < n_rows - 1 or table.note:
                    for cell in row.cells:
                        for p in cell.paragraphs:
                            p.paragraph_format.keep_with_next = True
        if table.note:
            note = self.doc.add_paragraph()
            note.add_run("Note. ").italic = True
            add_markup(note, table.note, size=size)
            note.runs[0].font.size = Pt(size)
            note.paragraph_format.space_after = Pt(14)
        else:
            self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def _widths(self, t: Any, table: ApaTable, *, landscape: bool, size: float) -> None:
        """Column widths from the longest cell of each column (Word would spread them evenly)."""
        from docx.shared import Inches

        from .rich import to_plain

        text_width = 9.4 if landscape else 6.2  # A4 less 25 mm margins, in inches
        chars = []
        for j in range(table.n_columns):
            body = max([len(to_plain(r[j])) for r in table.rows] + [0])
            longest = max(body, min(len(to_plain(table.header[j])), 10))  # long headers wrap
            chars.append(min(max(longest, 4), 48 if j == 0 else 24))
        natural = [c * size / 72 * 0.6 + 0.2 for c in chars]  # inches at this type size, with cell margins
        text_cols = [j for j, a in enumerate(table.align) if a == "l"]
        fixed = sum(w for j, w in enumerate(natural) if j not in text_cols)
        room = text_width - fixed
        flexible = sum(natural[j] for j in text_cols)
        if text_cols and flexible > room > 0:  # text columns wrap (at spaces); numbers keep their width
            for j in text_cols:
                words = [w for r in table.rows for w in to_plain(r[j]).split()] + to_plain(table.header[j]).split()
                longest_word = min(max([len(w) for w in words] + [4]), 24) * size / 72 * 0.6 + 0.2
                natural[j] = max(0.6, longest_word, natural[j] * room / flexible)
        scale = min(1.0, text_width / sum(natural))
        natural = [w * scale for w in natural]
        t.autofit = False
        for j, w in enumerate(natural):
            t.columns[j].width = Inches(w)  # the grid (LibreOffice reads it)
            for cell in t.columns[j].cells:
                cell.width = Inches(w)  # the cells (Word reads them)

    def figure(self, png: bytes, *, number: int, title: str, note: str | None = None, alt: str | None = None,
               width_in: float = 6.0, dpi: int = 150) -> None:
        """An APA figure: "Figure N" (bold, a caption field), the title (italic), the image
        (with alternative text), the note."""
        from docx.shared import Inches

        if not isinstance(png, bytes) or not png.startswith(b"\x89PNG"):
            raise InputTypeError("png must be the bytes of a PNG file (see figure_to_png)")
        self._orientation(False)
        cap = self.doc.add_paragraph(style="Caption")
        _caption_field(cap, "Figure", number)
        cap.paragraph_format.keep_with_next = True
        t = self.doc.add_paragraph()
        add_markup(t, title_case(title), italic=True)
        t.paragraph_format.keep_with_next = True
        px = int.from_bytes(png[16:20], "big")
        width = min(width_in, px / dpi)
        self.doc.add_picture(io.BytesIO(png), width=Inches(width))
        pic = self.doc.paragraphs[-1]
        pic.paragraph_format.keep_with_next = bool(note)
        doc_pr = pic._p.xpath(".//wp:docPr")
        if doc_pr:
            doc_pr[0].set("descr", alt or title)
            doc_pr[0].set("title", title)
        if note:
            p = self.doc.add_paragraph()
            p.add_run("Note. ").italic = True
            add_markup(p, note)

    def colophon(self, info: Mapping[str, Any]) -> None:
        """The colophon: key-value pairs (nested mappings flattened with dots)."""
        from docx.shared import Pt

        self.heading("Colophon", level=1)
        flat: dict[str, str] = {}

        def walk(prefix: str, value: Any) -> None:
            if isinstance(value, Mapping):
                for k, v in value.items():
                    walk(f"{prefix}.{k}" if prefix else str(k), v)
            else:
                flat[prefix] = "" if value is None else str(value)

        walk("", info)
        for k, v in flat.items():
            p = self.doc.add_paragraph()
            p.add_run(f"{k}: ").bold = True
            p.add_run(v)
            p.paragraph_format.space_after = Pt(0)
            for run in p.runs:
                run.font.size = Pt(9)

    # -- output --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The .docx file's bytes (deterministic: fixed zip timestamps)."""
        buf = io.BytesIO()
        self.doc.save(buf)
        src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in sorted(src.infolist(), key=lambda i: (i.filename != "[Content_Types].xml", i.filename)):
                fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(fixed, src.read(info.filename))
        return out.getvalue()
