"""Write tables (CSV, Markdown, LaTeX) and figures (PNG, SVG) to a results folder.

CSV files keep the numbers unrounded (for re-analysis); Markdown and LaTeX show them with
a fixed number of decimals (for reading and pasting into a thesis). Output is byte-for-byte
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
| term | p |
| :--- | ---: |
| a_b | 0.012 |
<BLANKLINE>
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._validation import check_dataframe
from ..errors import OptionError
from .html import figure_to_png, figure_to_svg, format_table

__all__ = ["to_markdown", "to_latex", "write_table", "write_figure"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise OptionError(
            f"file name must be letters, digits, '_', '-', '.' (no spaces or folders); got {name!r}"
        )
    return name


def _is_text(s: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def to_markdown(table: pd.DataFrame, *, digits: int = 3, caption: str | None = None) -> str:
    """Return ``table`` as a GitHub-flavoured Markdown pipe table (numbers right-aligned).

    Examples
    --------
    >>> print(to_markdown(pd.DataFrame({"x": ["a|b"], "n": [3]})))
    | x | n |
    | :--- | ---: |
    | a\\|b | 3 |
    """
    check_dataframe(table, "table")
    cells = format_table(table, digits=digits)
    align = [":---" if _is_text(table[c]) else "---:" for c in table.columns]

    def esc(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = []
    if caption:
        lines += [f"**{esc(caption)}**", ""]
    lines.append("| " + " | ".join(esc(c) for c in cells.columns) + " |")
    lines.append("| " + " | ".join(align) + " |")
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


_TEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def _tex(text: Any) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def to_latex(
    table: pd.DataFrame, *, digits: int = 3, caption: str | None = None, label: str | None = None
) -> str:
    """Return ``table`` as a LaTeX ``table`` with a ``booktabs`` tabular.

    Needs ``\\usepackage{booktabs}`` in the preamble. Text is escaped.

    Examples
    --------
    >>> print(to_latex(pd.DataFrame({"term": ["a_b"], "F": [1.5]}), digits=2))
    \\begin{table}[ht]
    \\centering
    \\begin{tabular}{lr}
    \\toprule
    term & F \\\\
    \\midrule
    a\\_b & 1.50 \\\\
    \\bottomrule
    \\end{tabular}
    \\end{table}
    """
    check_dataframe(table, "table")
    cells = format_table(table, digits=digits)
    spec = "".join("l" if _is_text(table[c]) else "r" for c in table.columns)
    lines = [r"\begin{table}[ht]", r"\centering"]
    if caption:
        lines.append(rf"\caption{{{_tex(caption)}}}")
    if label:
        lines.append(rf"\label{{{_tex(label)}}}")
    lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
              " & ".join(_tex(c) for c in cells.columns) + r" \\", r"\midrule"]
    lines += [" & ".join(_tex(v) for v in row) + r" \\" for row in cells.itertuples(index=False)]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def write_table(
    table: pd.DataFrame,
    directory: str | Path,
    name: str,
    *,
    caption: str | None = None,
    digits: int = 3,
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
    caption : str, optional
        Caption for the Markdown and LaTeX versions.
    digits : int, default 3
        Decimals in the Markdown and LaTeX versions.

    Returns
    -------
    list of pathlib.Path
        The three files written.
    """
    check_dataframe(table, "table")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = _check_name(name)
    csv = directory / f"{stem}.csv"
    table.to_csv(csv, index=False, lineterminator="\n")
    md = directory / f"{stem}.md"
    md.write_text(to_markdown(table, digits=digits, caption=caption), encoding="utf-8")
    tex = directory / f"{stem}.tex"
    tex.write_text(to_latex(table, digits=digits, caption=caption, label=f"tab:{stem}"), encoding="utf-8")
    return [csv, md, tex]


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
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = _check_name(name)
    png = directory / f"{stem}.png"
    png.write_bytes(figure_to_png(fig, dpi=dpi))
    svg = directory / f"{stem}.svg"
    svg.write_text(figure_to_svg(fig, salt=stem), encoding="utf-8")
    return [png, svg]
