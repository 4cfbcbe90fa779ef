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
.holds { color: #116329; font-weight: 600; }
.fails { color: #a40e26; font-weight: 600; }
footer.colophon { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 1rem;
                  font-size: .85rem; color: var(--muted); }
footer.colophon dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
footer.colophon dt { font-weight: 600; }
footer.colophon dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace;
                     overflow-wrap: anywhere; }
"""
