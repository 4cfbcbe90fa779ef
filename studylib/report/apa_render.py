r"""Render an :class:`~studylib.report.apa.ApaTable` as HTML, Markdown or LaTeX.

Every renderer writes the APA layout: the table number in bold on its own line
("Table 3"), the title in italic title case under it, the column heads (with spanners),
the body (group headings as full-width rows, the rows under them indented), and the note
under the table starting with an italic *Note.*

LaTeX uses LaTeX's own table number (``\caption`` without "Table N."), booktabs rules and a
``threeparttable`` note; the preamble it needs is :data:`LATEX_PREAMBLE`.

Examples
--------
>>> from studylib.report.apa import ApaTable
>>> from studylib.report.apa_render import render_markdown
>>> t = ApaTable("Cell Means", ("Group", "*M*", "*p*"), (("a", "1.00", "< .001"),), ("l", "c", "c"),
...              note="A note.")
>>> print(render_markdown(t, number=2))
**Table 2**
<BLANKLINE>
*Cell Means*
<BLANKLINE>
| Group | *M*  |  *p*   |
|:------|:----:|:------:|
| a     | 1.00 | < .001 |
<BLANKLINE>
*Note.* A note.
"""

from __future__ import annotations

import html as _html

from .._validation import check_option
from .apa import ApaTable, title_case
from .rich import to_html, to_latex, to_markdown

__all__ = ["render_html", "render_markdown", "render_latex", "LATEX_PREAMBLE", "WIDE_CHARS",
           "LANDSCAPE_CHARS", "layout"]

#: Tables wider than this many characters get smaller type (HTML print, LaTeX, Word).
WIDE_CHARS = 95
#: Tables wider than this many characters are set on a landscape page.
LANDSCAPE_CHARS = 130

#: The LaTeX packages the tables need (APA captions: bold number line, italic title).
LATEX_PREAMBLE = (
    "% studylib APA tables need, in the preamble:\n"
    "%   \\usepackage{booktabs,threeparttable,pdflscape}\n"
    "%   \\usepackage[labelsep=newline,labelfont=bf,textfont=it,justification=raggedright,"
    "singlelinecheck=false]{caption}\n"
    "% (the apa7 document class sets captions this way already).\n"
)


def layout(table: ApaTable) -> str:
    """``"normal"``, ``"wide"`` (smaller type) or ``"landscape"`` from the table's width."""
    width = table.width_chars()
    return "landscape" if width > LANDSCAPE_CHARS else "wide" if width > WIDE_CHARS else "normal"


def _indented(table: ApaTable) -> set[int]:
    if not table.groups:
        return set()
    first = min(i for i, _ in table.groups)
    return set(range(first, len(table.rows)))


def render_html(table: ApaTable, *, number: int | None = None, anchor: str | None = None) -> str:
    """The table as an HTML fragment (``<div class="apa-table">``), styled by the report's CSS.

    Examples
    --------
    >>> from studylib.report.apa import ApaTable
    >>> t = ApaTable("Means", ("Group", "*M*"), (("a<b", "1.00"),), ("l", "c"))
    >>> print(render_html(t, number=1))
    <div class="apa-table" id="table-1">
    <p class="table-number">Table 1</p>
    <p class="table-title">Means</p>
    <table>
    <thead>
    <tr><th class="l">Group</th><th><i>M</i></th></tr>
    </thead>
    <tbody>
    <tr><td class="l">a&lt;b</td><td>1.00</td></tr>
    </tbody>
    </table>
    </div>
    """
    kind = layout(table)
    classes = "apa-table" + ("" if kind == "normal" else f" {kind}")
    anchor = anchor or (f"table-{number}" if number is not None else table.name or None)
    ident = f' id="{_html.escape(anchor, quote=True)}"' if anchor else ""
    out = [f'<div class="{classes}"{ident}>']
    if number is not None:
        out.append(f'<p class="table-number">Table {number}</p>')
    out += [f'<p class="table-title">{to_html(title_case(table.title))}</p>', "<table>", "<thead>"]
    if table.spanners:
        cells, j = [], 0
        for text, first, last in sorted(table.spanners, key=lambda s: s[1]):
            cells.extend(["<th></th>"] * (first - j))
            cells.append(f'<th class="spanner" colspan="{last - first + 1}">{to_html(text)}</th>')
            j = last + 1
        cells.extend(["<th></th>"] * (table.n_columns - j))
        out.append('<tr class="spanners">' + "".join(cells) + "</tr>")
    heads = "".join(("<th class=\"l\">" if a == "l" else "<th>") + f"{to_html(h)}</th>"
                    for h, a in zip(table.header, table.align, strict=True))
    out += [f"<tr>{heads}</tr>", "</thead>", "<tbody>"]
    groups = dict(table.groups)
    indent = _indented(table)
    for i, row in enumerate(table.rows):
        if i in groups:
            out.append(f'<tr class="group"><td class="l" colspan="{table.n_columns}">{to_html(groups[i])}</td></tr>')
        cells = []
        for j, (cell, a) in enumerate(zip(row, table.align, strict=True)):
            cls = [c for c in ("l" if a == "l" else "", "indent" if j == 0 and i in indent else "") if c]
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{to_html(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    if table.note:
        out.append(f'<p class="table-note"><em>Note.</em> {to_html(table.note)}</p>')
    out.append("</div>")
    return "\n".join(out)


def render_markdown(table: ApaTable, *, number: int | None = None) -> str:
    """The table as a pipe table with its number, title and note (GitHub, Pandoc, Jupyter).

    Spanners are folded into the column heads (``Negative: *M*``) and group headings
    become rows with the heading in the first cell, as pipe tables have no merged cells.
    """
    header = list(table.header)
    for text, first, last in table.spanners:
        for j in range(first, last + 1):
            header[j] = f"{text}: {header[j]}"
    head = [to_markdown(h) for h in header]
    body: list[list[str]] = []
    groups = dict(table.groups)
    indent = _indented(table)
    for i, row in enumerate(table.rows):
        if i in groups:
            body.append([to_markdown(groups[i])] + [""] * (table.n_columns - 1))
        cells = [to_markdown(c) for c in row]
        if i in indent and cells:
            cells[0] = "\u2003" + cells[0]  # an em space: the APA indent under a group heading
        body.append(cells)
    widths = [max([len(head[j]), 3] + [len(r[j]) for r in body]) for j in range(table.n_columns)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if a == "l" else c.center(w)
                                 for c, w, a in zip(cells, widths, table.align, strict=True)) + " |"

    rule = "|" + "|".join(":" + "-" * (w + 1) if a == "l" else ":" + "-" * w + ":"
                          for w, a in zip(widths, table.align, strict=True)) + "|"
    lines = []
    if number is not None:
        lines += [f"**Table {number}**", ""]
    lines += [f"*{to_markdown(title_case(table.title))}*", "", line(head), rule, *[line(r) for r in body]]
    if table.note:
        lines += ["", f"*Note.* {to_markdown(table.note)}"]
    return "\n".join(lines)


def render_latex(table: ApaTable, *, label: str | None = None, preamble: bool = True) -> str:
    r"""The table as a LaTeX ``table`` float: one number (LaTeX's), booktabs, threeparttable note.

    Examples
    --------
    >>> from studylib.report.apa import ApaTable
    >>> t = ApaTable("Means", ("Group", "*M*"), (("a_1", "1.00"),), ("l", "c"), note="*N* = 12.")
    >>> print(render_latex(t, label="tab:means", preamble=False))
    \begin{table}[htbp]
    \centering
    \begin{threeparttable}
    \caption{Means}
    \label{tab:means}
    \begin{tabular}{lc}
    \toprule
    Group & \textit{M} \\
    \midrule
    a\_1 & 1.00 \\
    \bottomrule
    \end{tabular}
    \begin{tablenotes}[flushleft]
    \small
    \item \textit{Note.} \textit{N} = 12.
    \end{tablenotes}
    \end{threeparttable}
    \end{table}
    """
    kind = layout(table)
    check_option(kind, "layout", ("normal", "wide", "landscape"))
    lines = [LATEX_PREAMBLE.rstrip("\n")] if preamble else []
    if kind == "landscape":
        lines.append(r"\begin{landscape}")
    lines += [r"\begin{table}[htbp]", r"\centering"]
    if kind != "normal":
        lines += [r"\footnotesize" if kind == "landscape" else r"\small", r"\setlength{\tabcolsep}{4pt}"]
    lines += [r"\begin{threeparttable}", rf"\caption{{{to_latex(title_case(table.title))}}}"]
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{{''.join(table.align)}}}", r"\toprule"]
    if table.spanners:
        cells, rules, j = [], [], 0
        for text, first, last in sorted(table.spanners, key=lambda s: s[1]):
            cells.extend([""] * (first - j))
            cells.append(rf"\multicolumn{{{last - first + 1}}}{{c}}{{{to_latex(text)}}}")
            rules.append(rf"\cmidrule(lr){{{first + 1}-{last + 1}}}")
            j = last + 1
        cells.extend([""] * (table.n_columns - j))
        lines.append(" & ".join(cells) + r" \\ " + " ".join(rules))
    lines.append(" & ".join(to_latex(h) for h in table.header) + r" \\")
    lines.append(r"\midrule")
    groups = dict(table.groups)
    indent = _indented(table)
    for i, row in enumerate(table.rows):
        if i in groups:
            lines.append(rf"\multicolumn{{{table.n_columns}}}{{l}}{{{to_latex(groups[i])}}} \\")
        cells = [to_latex(c) for c in row]
        if i in indent and cells:
            cells[0] = r"\quad " + cells[0]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if table.note:
        lines += [r"\begin{tablenotes}[flushleft]", r"\small", rf"\item \textit{{Note.}} {to_latex(table.note)}",
                  r"\end{tablenotes}"]
    lines += [r"\end{threeparttable}", r"\end{table}"]
    if kind == "landscape":
        lines.append(r"\end{landscape}")
    return "\n".join(lines)
