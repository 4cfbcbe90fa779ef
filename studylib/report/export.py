"""Write tables (CSV, Markdown, LaTeX) and figures (PNG, SVG) to a results folder.

Files are written through :mod:`studylib.output` (never over an input, into ``data/raw/``
or over a file studylib did not write; the files of one table or figure together).

CSV files keep the numbers unrounded (for re-analysis); Markdown and LaTeX show them
APA-formatted (:func:`studylib.report.html.format_table`, rendered by
:mod:`studylib.report.tables`) for reading and pasting into a thesis. Output is byte-for-byte
deterministic: no dates, fixed line endings, fixed SVG id salt per figure.

Examples
--------
>>> import tempfile, pandas as pd
>>> from studylib.report.export import write_table
>>> out = tempfile.mkdtemp()
>>> paths = write_table(pd.DataFrame({"term": ["a_b"], "p": [0.01234]}), out, "demo",
...                     caption="A table")
>>> [p.name for p in paths]
['demo.csv', 'demo.md', 'demo.tex']
>>> print(paths[1].read_text())
**A table**
<BLANKLINE>
| Term |    p |
|:-----|-----:|
| a_b  | .012 |
<BLANKLINE>
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._validation import check_dataframe
from ..errors import OptionError
from ..output import Outputs, write_bytes, write_text
from .apa import ApaTable
from .apa_render import render_latex, render_markdown
from .html import figure_to_png, figure_to_svg, format_table
from .tables import to_latex, to_markdown

__all__ = ["write_table", "write_figure", "write_rendered_figure"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise OptionError(
            f"file name must be letters, digits, '_', '-', '.' (no spaces or folders); got {name!r}"
        )
    return name


def write_table(
    table: pd.DataFrame,
    directory: str | Path,
    name: str,
    *,
    caption: str | None = None,
    note: str | None = None,
    display: pd.DataFrame | ApaTable | None = None,
    digits: int = 2,
    number: int | None = None,
) -> list[Path]:
    """Write ``table`` as ``<name>.csv`` (unrounded), ``<name>.md`` and ``<name>.tex``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table (its index is not written; reset it first if it holds data).
    directory : str or pathlib.Path
        Target folder (created if missing).
    name : str
        File stem: letters, digits, ``_``, ``-``, ``.``.
    caption, note : str, optional
        Caption (above) and note (below) of the Markdown and LaTeX versions.
    display : pandas.DataFrame or ApaTable, optional
        What the Markdown and LaTeX versions show: an
        :class:`~studylib.report.apa.ApaTable` (its title and note are used, with
        ``number`` in Markdown and LaTeX's own numbering; ``caption`` and ``note`` are then
        ignored), or already formatted display text; default :func:`format_table`.
    digits : int, default 2
        Decimals in the default display.
    number : int, optional
        The table's number in the report (Markdown "Table N"; LaTeX numbers its own).

    Returns
    -------
    list of pathlib.Path
        The three files written.
    """
    check_dataframe(table, "table")
    directory = Path(directory)
    stem = _check_name(name)
    shown = display if display is not None else format_table(table, digits=digits)
    if isinstance(shown, ApaTable):
        md_text = render_markdown(shown, number=number) + "\n"
        tex_text = render_latex(shown, label=f"tab:{stem}") + "\n"
    else:
        md_text = to_markdown(shown, caption=caption, note=note)
        tex_text = to_latex(shown, caption=caption, label=f"tab:{stem}", note=note)
    files = {
        directory / f"{stem}.csv": table.to_csv(index=False, lineterminator="\n"),
        directory / f"{stem}.md": md_text,
        directory / f"{stem}.tex": tex_text,
    }
    return _write_together(files)


def _write_together(files: dict[Path, str | bytes]) -> list[Path]:
    """Write the files through studylib.output, published together (or none of them)."""
    with Outputs() as out:
        for path, content in files.items():
            if isinstance(content, str):
                write_text(path, content)
            else:
                write_bytes(path, content)
        out.publish()
    return list(files)


def write_figure(fig: Any, directory: str | Path, name: str, *, dpi: int = 150) -> list[Path]:
    """Write a matplotlib figure as ``<name>.png`` and ``<name>.svg`` (no dates inside).

    Returns
    -------
    list of pathlib.Path
        The two files written.

    Examples
    --------
    >>> import tempfile, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> [p.suffix for p in write_figure(fig, tempfile.mkdtemp(), "fig")]
    ['.png', '.svg']
    >>> plt.close(fig)
    """
    stem = _check_name(name)
    return write_rendered_figure(
        directory, stem, png=figure_to_png(fig, dpi=dpi), svg=figure_to_svg(fig, salt=stem)
    )


def write_rendered_figure(directory: str | Path, name: str, *, png: bytes, svg: str) -> list[Path]:
    """Write a figure already rendered by :func:`figure_to_png` / :func:`figure_to_svg`.

    For callers that also embed the same rendering elsewhere (the HTML report), so that a
    figure is rendered once. Returns the two files written, ``<name>.png`` and ``<name>.svg``.
    """
    directory = Path(directory)
    stem = _check_name(name)
    return _write_together({directory / f"{stem}.png": png, directory / f"{stem}.svg": svg})
