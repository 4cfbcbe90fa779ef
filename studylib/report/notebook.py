"""Show APA tables, results sentences and figures (with alternative text) in a notebook.

The notebooks show the same APA tables as the report: :class:`~studylib.report.apa.ApaTable`
has an HTML representation (Jupyter displays it as it is), and these helpers return objects
Jupyter displays as rich output: :func:`sentence` (a results sentence with its italics),
:func:`figure` (a matplotlib figure as an ``<img>`` with ``alt`` text, which a screen reader
reads; Jupyter's default PNG output has none).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from studylib.report.notebook import figure, sentence
>>> sentence("*F*(2, 246) = 13.86, *p* < .001").data
'<p><i>F</i>(2, 246) = 13.86, <i>p</i> &lt; .001</p>'
>>> fig, ax = plt.subplots(figsize=(2, 1))
>>> 'alt="An empty plot"' in figure(fig, alt="An empty plot").data
True
"""

from __future__ import annotations

import base64
import html as _html
from typing import Any

from ..errors import InputTypeError
from .rich import to_html

__all__ = ["sentence", "figure", "NOTEBOOK_CSS", "RichHTML"]

#: The APA table style for notebooks (scoped to ``.apa-table``; the report has its own).
NOTEBOOK_CSS = (
    "<style>.apa-table table{border-collapse:collapse;margin:.25rem 0;font-variant-numeric:tabular-nums}"
    ".apa-table p.table-number{font-weight:700;margin:.5rem 0 0}.apa-table p.table-title{font-style:italic;"
    "margin:0 0 .35rem}.apa-table thead tr:first-child th{border-top:1.5px solid currentColor}"
    ".apa-table thead tr:last-child th{border-bottom:1px solid currentColor}.apa-table th,.apa-table td{"
    "text-align:center;padding:.15rem .55rem;background:none!important;white-space:nowrap}"
    ".apa-table th.spanner{border-bottom:1px solid currentColor}"
    ".apa-table tbody tr:last-child td{border-bottom:1.5px solid currentColor}.apa-table .l{text-align:left}"
    ".apa-table td.indent{padding-left:1.5rem}.apa-table p.table-note{font-size:.9em;max-width:50rem;"
    "margin:.3rem 0 .8rem}</style>"
)


class RichHTML:
    """An object Jupyter displays as HTML (``.data`` holds the HTML text)."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_html_(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return self.data


def sentence(markup: str) -> RichHTML:
    """A results sentence (markup, see :mod:`.rich`) for display, with its italics."""
    if not isinstance(markup, str):
        raise InputTypeError(f"sentence needs markup text (str); got {type(markup).__name__}")
    return RichHTML(f"<p>{to_html(markup)}</p>")


def figure(fig: Any, *, alt: str, caption: str | None = None, dpi: int = 110) -> RichHTML:
    """A matplotlib figure as an image with alternative text (and an optional caption).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (it is rendered now and closed).
    alt : str
        What the figure shows, in words, for readers who cannot see it.
    caption : str, optional
        A caption under the figure (markup).
    dpi : int, default 110
        Resolution.
    """
    from .html import figure_to_png

    if not isinstance(alt, str) or not alt.strip():
        raise InputTypeError("figure needs alt= text describing what it shows")
    png = figure_to_png(fig, dpi=dpi)
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{to_html(caption)}</figcaption>" if caption else ""
    return RichHTML(f'<figure style="margin:.5rem 0"><img alt="{_html.escape(alt, quote=True)}" '
                    f'src="data:image/png;base64,{data}">{cap}</figure>')
