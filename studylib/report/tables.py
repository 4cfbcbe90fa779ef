"""APA-style formatting of result tables: the only place where studylib rounds.

:func:`apa_table` turns any tidy studylib table (ANOVA, marginal means, pairwise
comparisons, reliability, PROCESS coefficients, ...) into a DataFrame of formatted strings,
choosing the format of each column from its name (``p`` values as ``< .001`` or ``.023``,
no leading zero for quantities that cannot exceed 1, whole-number degrees of freedom,
``ci_low``/``ci_high`` pairs merged into ``[low, high]``). :func:`to_markdown`,
:func:`to_latex` and :func:`to_html` render such a table as text.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._validation import check_dataframe, check_int, check_option
from ..errors import ColumnError, InputTypeError

__all__ = [
    "format_p",
    "format_number",
    "format_ci",
    "apa_table",
    "format_anova",
    "to_markdown",
    "to_latex",
    "to_html",
    "DEFAULT_LABELS",
]

#: Display names of the shared column vocabulary (others are shown as they are).
DEFAULT_LABELS: dict[str, str] = {
    "term": "Term",
    "ss": "SS",
    "df": "df",
    "df_resid": "df (resid.)",
    "ms": "MS",
    "estimate": "Estimate",
    "se": "SE",
    "p_adj": "p (adj.)",
    "eta2_partial": "η²p",
    "eta2": "η²",
    "omega2": "ω²",
    "omega2_partial": "ω²p",
    "contrast": "Contrast",
    "mean": "M",
    "sd": "SD",
    "alpha": "α",
    "omega": "ω",
}

_P_COLUMNS = ("p", "p_adj", "p_unc", "pvalue", "p_value")
_INT_COLUMNS = ("df", "df_resid", "df1", "df2", "n", "n_used", "k", "n_items", "family_size")
# statistics that cannot exceed 1 in absolute value: APA drops the leading zero
_BOUNDED_PREFIXES = ("eta2", "omega2", "alpha", "omega", "r2", "R2", "rho")
_BOUNDED_NAMES = ("r", "W", "corr", "alpha_std", "rsq", "r_squared")


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, numbers.Real) and math.isnan(x))


def format_number(x: Any, digits: int = 2, *, leading_zero: bool = True) -> str:
    """Round ``x`` to ``digits`` decimals for display; missing values become ``""``.

    Examples
    --------
    >>> format_number(3.14159), format_number(-0.004), format_number(0.456, 3, leading_zero=False)
    ('3.14', '0.00', '.456')
    >>> format_number(-0.25, leading_zero=False), format_number(float("nan"))
    ('-.25', '')
    """
    if _missing(x):
        return ""
    if not isinstance(x, numbers.Real):
        return str(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    text = f"{x:.{digits}f}"
    if float(text) == 0:  # no "-0.00"
        text = text.lstrip("-")
    if not leading_zero:
        if text.startswith("0."):
            text = text[1:]
        elif text.startswith("-0."):
            text = "-" + text[2:]
    return text


def format_p(p: Any, *, digits: int = 3, prefix: bool = False) -> str:
    """APA p-value: exact to ``digits`` decimals without leading zero, ``< .001`` below.

    With ``prefix=True`` the text reads as in running text: ``p = .023``, ``p < .001``.

    Examples
    --------
    >>> [format_p(v) for v in (0.0231, 0.00004, 0.05, 0.99996, float("nan"))]
    ['.023', '< .001', '.050', '> .999', '']
    >>> format_p(0.0231, prefix=True), format_p(0.00004, prefix=True)
    ('p = .023', 'p < .001')
    >>> # R: papaja::apa_p(c(0.0231, 0.00004, 0.05), add_equals = TRUE)
    """
    if _missing(p):
        return ""
    floor = 10.0**-digits
    if p < floor:
        text = "< " + format_number(floor, digits, leading_zero=False)
    else:
        text = format_number(p, digits, leading_zero=False)
        if float(text) >= 1:
            text = "> ." + "9" * digits
    if prefix:
        return "p " + text if text[0] in "<>" else "p = " + text
    return text


def format_ci(low: Any, high: Any, digits: int = 2, *, leading_zero: bool = True) -> str:
    """A confidence interval as ``[low, high]``.

    Examples
    --------
    >>> format_ci(0.0776, 0.3662, leading_zero=False)
    '[.08, .37]'
    """
    if _missing(low) and _missing(high):
        return ""
    lo = format_number(low, digits, leading_zero=leading_zero)
    hi = format_number(high, digits, leading_zero=leading_zero)
    return f"[{lo}, {hi}]"


def _is_bounded(name: str) -> bool:
    return name in _BOUNDED_NAMES or any(name.startswith(p) for p in _BOUNDED_PREFIXES)


def _format_int(x: Any, digits: int) -> str:
    if _missing(x):
        return ""
    if isinstance(x, numbers.Real) and float(x).is_integer():
        return str(int(x))
    return format_number(x, digits)  # e.g. Welch-Satterthwaite df


def _column_kind(name: str, series: pd.Series) -> str:
    if name in _P_COLUMNS or name.startswith("p_"):
        return "p"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return "text"
    if name in _INT_COLUMNS:
        return "int"
    if _is_bounded(name):
        return "bounded"
    return "number"


def _formatter(kind: str | Callable[[Any], str], digits: int) -> Callable[[Any], str]:
    if callable(kind):
        return kind
    check_option(kind, "format", ("p", "int", "bounded", "number", "text"))
    return {
        "p": lambda v: format_p(v, digits=max(digits, 3)),
        "int": lambda v: _format_int(v, digits),
        "bounded": lambda v: format_number(v, digits, leading_zero=False),
        "number": lambda v: format_number(v, digits),
        "text": lambda v: "" if _missing(v) else str(v),
    }[kind]


def _conf_label(conf: Any) -> str:
    if isinstance(conf, numbers.Real) and 0 < conf < 1:
        pct = 100 * float(conf)
        return f"{pct:.0f}% CI" if pct.is_integer() else f"{pct:g}% CI"
    return "CI"


def apa_table(
    table: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    digits: int = 2,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    conf: float | None = None,
) -> pd.DataFrame:
    """Format a tidy result table for an APA-style report (strings, rounded here only).

    Parameters
    ----------
    table : pandas.DataFrame
        Any tidy studylib table.
    columns : sequence of str, optional
        Columns to keep, in this order (default: all). A ``<prefix>ci_low`` /
        ``<prefix>ci_high`` pair is kept when either is named.
    digits : int, default 2
        Decimals of ordinary numbers (p-values get ``max(digits, 3)``).
    labels : mapping, optional
        Display names, added to :data:`DEFAULT_LABELS` (``{"term": "Effect"}``).
    formats : mapping, optional
        Per-column format overriding the name-based rule: ``"p"``, ``"int"``,
        ``"bounded"`` (no leading zero), ``"number"``, ``"text"`` or a callable.
    conf : float, optional
        Confidence level for the CI column label; default ``table.attrs["conf"]``.

    Returns
    -------
    pandas.DataFrame
        The same rows; every cell a string. Each ``ci_low``/``ci_high`` pair becomes one
        column ``"[low, high]"`` named like ``95% CI`` (or ``η²p 90% CI``).

    Raises
    ------
    ColumnError
        If ``columns`` names a column not in ``table``.

    Notes
    -----
    Rules by column name: ``p``, ``p_adj`` and ``p_*`` as :func:`format_p`; ``df``,
    ``df_resid``, ``n`` as whole numbers; ``eta2*``, ``omega2*``, ``alpha*``, ``r``, ``W``
    without a leading zero (APA 7, section 6.36); other numbers with ``digits`` decimals;
    text as is. Missing values become empty strings.

    Examples
    --------
    >>> nan = float("nan")
    >>> tab = pd.DataFrame({"term": ["valence", "Residual"], "F": [15.5719, nan],
    ...                     "df": [1.0, 54.0], "p": [0.00023, nan],
    ...                     "eta2_partial": [0.2238, nan],
    ...                     "eta2_partial_ci_low": [0.0776, nan],
    ...                     "eta2_partial_ci_high": [0.3662, nan]})
    >>> tab.attrs["conf"] = 0.90
    >>> apa_table(tab)
           Term      F  df       p  η²p η²p 90% CI
    0   valence  15.57   1  < .001  .22  [.08, .37]
    1  Residual         54
    """
    table = check_dataframe(table, "table")
    digits = check_int(digits, "digits", minimum=0)
    if columns is not None:
        wanted = list(columns)
        missing = [c for c in wanted if c not in table.columns]
        if missing:
            raise ColumnError(f"columns not in table: {missing}; available: {list(table.columns)}")
        keep: list[str] = []
        for col in wanted:
            if col not in keep:
                keep.append(col)
            if col.endswith(("ci_low", "ci_high")):
                partner = _ci_partner(col)
                if partner in table.columns and partner not in keep:
                    keep.append(partner)
        table = table[keep]
    names = {**DEFAULT_LABELS, **(labels or {})}
    formats = dict(formats or {})
    conf = conf if conf is not None else table.attrs.get("conf")
    out: dict[str, list[str]] = {}
    done: set[str] = set()
    for col in table.columns:
        if col in done:
            continue
        if not isinstance(col, str):
            raise InputTypeError(f"column names must be strings; got {col!r}")
        if col.endswith("ci_low") and col[:-6] + "ci_high" in table.columns:
            prefix = col[:-6]
            high = prefix + "ci_high"
            kind = formats.get(col, "bounded" if _is_bounded(prefix.rstrip("_")) else "number")
            fmt = _formatter(kind, digits)
            label = _conf_label(conf)
            if prefix:
                label = f"{names.get(prefix.rstrip('_'), prefix.rstrip('_'))} {label}"
            out[label] = [
                "" if _missing(lo) and _missing(hi) else f"[{fmt(lo)}, {fmt(hi)}]"
                for lo, hi in zip(table[col], table[high], strict=True)
            ]
            done.update({col, high})
            continue
        if col.endswith("ci_high") and col[:-7] + "ci_low" in table.columns:
            continue  # handled with its ci_low partner
        fmt = _formatter(formats.get(col, _column_kind(col, table[col])), digits)
        out[names.get(col, col)] = [fmt(v) for v in table[col].tolist()]
        done.add(col)
    result = pd.DataFrame(out, index=table.index)
    result.attrs = {k: v for k, v in table.attrs.items() if isinstance(v, (str, int, float))}
    return result


def _ci_partner(col: str) -> str:
    return col[:-7] + "ci_low" if col.endswith("ci_high") else col[:-6] + "ci_high"


def format_anova(table: pd.DataFrame, *, digits: int = 2, effect_sizes: Sequence[str] = ("eta2_partial", "omega2_partial")) -> pd.DataFrame:
    """APA table of :func:`studylib.anova` output: SS, df, MS, F, p, effect sizes with CI.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`studylib.anova`.
    digits : int, default 2
    effect_sizes : sequence of str, default ("eta2_partial", "omega2_partial")
        Effect-size columns to show; the CI of partial eta squared follows it.

    Returns
    -------
    pandas.DataFrame of str

    Examples
    --------
    >>> from studylib import anova
    >>> df = pd.DataFrame({"g": ["a", "b", "c"] * 4, "y": [1, 3, 5, 2, 3, 6, 1, 4, 5, 2, 2, 6.0]})
    >>> format_anova(anova(df, "y", "g"))
           Term     SS df     MS      F       p  η²p  η²p 90% CI  ω²p
    0         g  32.67  2  16.33  36.75  < .001  .89  [.65, .92]  .86
    1  Residual   4.00  9   0.44
    """
    cols = ["term", "ss", "df", "ms", "F", "p"]
    for es in effect_sizes:
        cols.append(es)
        if es == "eta2_partial":
            cols.append("eta2_partial_ci_low")
    return apa_table(table, columns=cols, digits=digits)


def _check_str_table(table: pd.DataFrame) -> pd.DataFrame:
    """Cells as strings (missing values empty); format numbers with apa_table first."""
    table = check_dataframe(table, "table")
    cells = {c: ["" if _missing(v) else str(v) for v in table[c].tolist()] for c in table.columns}
    return pd.DataFrame(cells, index=table.index, columns=list(table.columns))


def _is_number(text: str) -> bool:
    try:
        float(text.replace("∞", "inf"))
    except ValueError:
        return False
    return True


def _numeric_like(values: Sequence[str]) -> bool:
    """True if every non-empty cell is a number, ``< .001``-style p or ``[a, b]`` CI."""
    vals = [v.strip() for v in values if v.strip()]
    if not vals:
        return False
    for v in vals:
        if v.startswith("[") and v.endswith("]"):
            parts = v[1:-1].split(", ")
            ok = len(parts) == 2 and all(_is_number(p) for p in parts)
        elif v[:2] in ("< ", "> "):
            ok = _is_number(v[2:])
        else:
            ok = _is_number(v)
        if not ok:
            return False
    return True


def to_markdown(table: pd.DataFrame, *, caption: str | None = None, note: str | None = None) -> str:
    """Render a (formatted) table as a GitHub/Pandoc pipe table.

    Numeric-looking columns are right-aligned. ``caption`` is written above in bold,
    ``note`` below in italics (APA: *Note.* ...).

    Examples
    --------
    >>> print(to_markdown(pd.DataFrame({"Term": ["a", "b"], "p": ["< .001", ".230"]}), caption="Table 1"))
    **Table 1**
    <BLANKLINE>
    | Term |      p |
    |:-----|-------:|
    | a    | < .001 |
    | b    |   .230 |
    >>> # R: knitr::kable(x, format = "pipe")
    """
    table = _check_str_table(table)
    headers = [_md_escape(str(c)) for c in table.columns]
    rows = [[_md_escape(v) for v in row] for row in table.itertuples(index=False, name=None)]
    right = [_numeric_like(list(table[c])) for c in table.columns]
    widths = [max([len(h), 3] + [len(r[j]) for r in rows]) for j, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ) + " |"

    rule = "|" + "|".join((("-" * (w + 1)) + ":") if r else (":" + "-" * (w + 1)) for w, r in zip(widths, right, strict=True)) + "|"
    parts = []
    if caption:
        parts += [f"**{caption}**", ""]
    parts += [line(headers), rule, *[line(r) for r in rows]]
    if note:
        parts += ["", f"*Note.* {note}"]
    return "\n".join(parts)


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_SYMBOLS = (
    ("η²p", r"$\eta^2_p$"), ("ω²p", r"$\omega^2_p$"), ("η²", r"$\eta^2$"), ("ω²", r"$\omega^2$"),
    ("α", r"$\alpha$"), ("ω", r"$\omega$"), ("∞", r"$\infty$"), ("< ", r"$<$ "), ("> ", r"$>$ "),
)


def _latex_escape(text: str) -> str:
    out = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))
    for symbol, tex in _LATEX_SYMBOLS:
        out = out.replace(symbol, tex)
    return out


def to_latex(
    table: pd.DataFrame,
    *,
    caption: str | None = None,
    label: str | None = None,
    note: str | None = None,
) -> str:
    r"""Render a (formatted) table as a LaTeX ``table`` with a booktabs ``tabular``.

    Special characters are escaped; η², ω², α and ``<`` become math. Needs
    ``\usepackage{booktabs}`` in the preamble.

    Examples
    --------
    >>> print(to_latex(pd.DataFrame({"Term": ["a_b"], "η²p": [".22"]}), caption="ANOVA"))
    \begin{table}[htbp]
    \centering
    \caption{ANOVA}
    \begin{tabular}{lr}
    \toprule
    Term & $\eta^2_p$ \\
    \midrule
    a\_b & .22 \\
    \bottomrule
    \end{tabular}
    \end{table}
    >>> # R: knitr::kable(x, format = "latex", booktabs = TRUE)
    """
    table = _check_str_table(table)
    align = "".join("r" if _numeric_like(list(table[c])) else "l" for c in table.columns)
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption:
        lines.append(rf"\caption{{{_latex_escape(caption)}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{{align}}}", r"\toprule"]
    lines.append(" & ".join(_latex_escape(c) for c in table.columns) + r" \\")
    lines.append(r"\midrule")
    for row in table.itertuples(index=False, name=None):
        lines.append(" & ".join(_latex_escape(v) for v in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if note:
        lines.append(rf"\par\smallskip {{\small\textit{{Note.}} {_latex_escape(note)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines)


def to_html(
    table: pd.DataFrame,
    *,
    caption: str | None = None,
    note: str | None = None,
    css_class: str = "apa-table",
) -> str:
    """Render a (formatted) table as an HTML ``<table>`` (escaped; no inline styles).

    Examples
    --------
    >>> print(to_html(pd.DataFrame({"Term": ["a<b"], "p": ["< .001"]})))
    <table class="apa-table">
    <thead><tr><th>Term</th><th>p</th></tr></thead>
    <tbody>
    <tr><td>a&lt;b</td><td class="num">&lt; .001</td></tr>
    </tbody>
    </table>
    >>> # R: knitr::kable(x, format = "html")
    """
    table = _check_str_table(table)
    right = [_numeric_like(list(table[c])) for c in table.columns]
    lines = [f'<table class="{html.escape(css_class)}">']
    if caption:
        lines.append(f"<caption>{html.escape(caption)}</caption>")
    lines.append("<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns) + "</tr></thead>")
    lines.append("<tbody>")
    for row in table.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="num">{html.escape(v)}</td>' if r else f"<td>{html.escape(v)}</td>"
            for v, r in zip(row, right, strict=True)
        )
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody>")
    if note:
        lines.append(f'<tfoot><tr><td colspan="{table.shape[1]}"><em>Note.</em> {html.escape(note)}</td></tr></tfoot>')
    lines.append("</table>")
    return "\n".join(lines)
