"""Reporting: APA 7 tables, results sentences, figures, and the report as HTML, Word and PDF.

Import explicitly from the submodules (``studylib.report.apa``, ``.apa_models``,
``.apa_sample``, ``.apa_render``, ``.sentences``, ``.document``, ``.docx``, ``.pdf``,
``.figures``, ``.process_figures``); the names below are re-exported for convenience.
"""

from __future__ import annotations

from .apa import ApaTable, apa
from .apa_render import render_html, render_latex, render_markdown
from .document import Report
from .figures import interaction_plot, mark_synthetic, score_histograms
from .labels import Labels
from .tables import (
    apa_table,
    format_anova,
    format_ci,
    format_number,
    format_p,
    to_html,
    to_latex,
    to_markdown,
)

__all__ = [
    "ApaTable",
    "Labels",
    "Report",
    "apa",
    "mark_synthetic",
    "render_html",
    "render_latex",
    "render_markdown",
    "apa_table",
    "format_anova",
    "format_ci",
    "format_number",
    "format_p",
    "interaction_plot",
    "score_histograms",
    "to_html",
    "to_latex",
    "to_markdown",
]
