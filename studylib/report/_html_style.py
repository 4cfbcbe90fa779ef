"""The inline style sheet of :class:`studylib.report.html.HtmlReport` (internal)."""

CSS = """
:root { --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --accent:#0b5cad; --warn:#8a4b00;
        --warnbg:#fff4e0; --zebra:#f6f8fa; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); line-height: 1.5; margin: 0; background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
header h1 { font-size: 1.9rem; margin: .5rem 0 .25rem; }
header p.subtitle { color: var(--muted); margin: 0 0 1rem; }
.banner { border-left: 6px solid var(--warn); background: var(--warnbg); color: #3d2600;
          padding: .75rem 1rem; margin: 1rem 0; border-radius: 4px; }
nav.toc { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem;
          margin: 1rem 0 2rem; background: var(--zebra); }
nav.toc ol { margin: .25rem 0; padding-left: 1.4rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: .25rem; margin-top: 2.5rem; }
h3 { margin-top: 1.75rem; }
p { margin: .5rem 0 .75rem; }
figure { margin: 1.25rem 0; }
figure img, figure svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption, caption { color: var(--muted); font-size: .92rem; text-align: left;
                      padding: .35rem 0; }
caption { caption-side: top; font-weight: 600; color: var(--ink); }
.table-wrap { overflow-x: auto; margin: 1rem 0 1.5rem; }
table { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
thead th { border-top: 2px solid var(--ink); border-bottom: 1px solid var(--ink);
           padding: .3rem .7rem; text-align: right; white-space: nowrap; }
tbody td { padding: .25rem .7rem; text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody tr:last-child td { border-bottom: 2px solid var(--ink); }
th.text, td.text { text-align: left; }
p.note { font-size: .85rem; color: var(--muted); margin-top: .25rem; }
/* APA tables: "Table N" bold on its own line, the title in italics, horizontal rules only */
.apa-table { margin: 1.25rem 0 1.75rem; overflow-x: auto; }
.apa-table table { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
.apa-table p.table-number { font-weight: 700; margin: 0; }
.apa-table p.table-title { font-style: italic; margin: 0 0 .4rem; }
.apa-table thead tr:first-child th { border-top: 1.5px solid var(--ink); }
.apa-table thead tr:last-child th { border-bottom: 1px solid var(--ink); }
.apa-table thead th { text-align: center; font-weight: 400; padding: .3rem .6rem; white-space: nowrap; }
.apa-table thead th.spanner { border-bottom: 1px solid var(--ink); }
.apa-table tbody td { text-align: center; padding: .2rem .6rem; white-space: nowrap; }
.apa-table tbody tr:nth-child(even) { background: none; }
.apa-table tbody tr:last-child td { border-bottom: 1.5px solid var(--ink); }
.apa-table th.l, .apa-table td.l { text-align: left; }
.apa-table td.indent { padding-left: 1.6rem; }
.apa-table tr.group td { font-style: normal; padding-top: .45rem; }
.apa-table p.table-note { font-size: .85rem; margin: .35rem 0 0; max-width: 60rem; }
figure.apa-figure figcaption { font-size: 1rem; color: var(--ink); padding: 0 0 .4rem; }
figure.apa-figure .figure-number { display: block; font-weight: 700; }
figure.apa-figure .figure-title { display: block; font-style: italic; }
figure.apa-figure p.figure-note { font-size: .85rem; margin: .35rem 0 0; }
p.sentence { margin-left: 1rem; }
p.headline { font-weight: 600; border-left: 3px solid var(--line); padding-left: .6rem; }
.verdict-supported { color: #116329; font-weight: 600; }
.verdict-direction { color: #8a4b00; font-weight: 600; }
.verdict-not { color: #a40e26; font-weight: 600; }
/* Print (Chromium's print to PDF): every column of every table on the page, never clipped.
   Wide tables get smaller type; the widest go on a landscape page; cells may wrap. */
@page { size: A4; margin: 16mm 14mm; }
@page landscape { size: A4 landscape; margin: 14mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { break-after: page; }
  h2, h3, .apa-table p.table-number, .apa-table p.table-title { break-after: avoid; }
  .table-wrap, .apa-table { overflow: visible; }
  .apa-table { break-inside: avoid; }
  .apa-table table { width: auto; max-width: 100%; font-size: 8.5pt; }
  .apa-table thead { display: table-header-group; }
  .apa-table thead th, .apa-table tbody td { white-space: normal; padding: .15rem .35rem; }
  .apa-table.wide table { font-size: 7.5pt; }
  .apa-table.landscape { page: landscape; }
  .apa-table.landscape table { font-size: 7.5pt; }
  figure { break-inside: avoid; }
  figure img, figure svg { max-width: 100%; height: auto; }
  .banner { break-inside: avoid; }
  footer.colophon dl { font-size: 8pt; }
}
.holds { color: #116329; font-weight: 600; }
.fails { color: #a40e26; font-weight: 600; }
footer.colophon { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 1rem;
                  font-size: .85rem; color: var(--muted); }
footer.colophon dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
footer.colophon dt { font-weight: 600; }
footer.colophon dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace;
                     overflow-wrap: anywhere; }
"""
