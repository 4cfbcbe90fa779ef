"""Reporting: APA-style tables and figures.

Import explicitly from the submodules (``studylib.report.tables``,
``studylib.report.figures``); the names below are re-exported for convenience.
"""

from __future__ import annotations

from .figures import interaction_plot, score_histograms
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
