"""A tiny inline markup for APA text: italics, subscripts and superscripts.

Headers, notes and results sentences of the APA layer are written in one neutral markup
and rendered to HTML, Markdown, LaTeX, plain text or Word runs:

- ``*F*``: italic (APA sets statistical symbols in Latin letters in italics);
- ``~p~``: subscript (``η²~p~`` for partial eta squared);
- ``^a^``: superscript (table note markers);
- ``\\`` escapes the next character (:func:`escape` protects text taken from data).

Greek letters and ``²`` are plain Unicode characters (APA does not italicize Greek
letters). The markup is deliberately small: no nesting of one kind inside itself, no links.

Examples
--------
>>> from studylib.report.rich import parse, to_html, to_plain, to_latex
>>> parse("*F*(2, 246)")
(Run(text='F', italic=True, script=''), Run(text='(2, 246)', italic=False, script=''))
>>> to_html("η²~p~ = .10, *p* < .001")
'η²<sub>p</sub> = .10, <i>p</i> &lt; .001'
>>> to_plain("η²~p~ = .10"), to_latex("*M* (*SD*)")
('η²p = .10', '\\\\textit{M} (\\\\textit{SD})')
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass

from ..errors import InputTypeError

__all__ = ["Run", "parse", "escape", "to_html", "to_markdown", "to_latex", "to_plain"]

_MARKS = {"*": "italic", "~": "sub", "^": "sup"}


@dataclass(frozen=True)
class Run:
    """A stretch of text with one style: ``italic`` and ``script`` ("", "sub" or "sup")."""

    text: str
    italic: bool = False
    script: str = ""


def escape(text: object) -> str:
    """Protect plain text (labels, data values) from being read as markup.

    >>> escape("a*b~c"), parse(escape("a*b~c"))[0].text
    ('a\\\\*b\\\\~c', 'a*b~c')
    """
    out = []
    for ch in str(text):
        if ch in _MARKS or ch == "\\":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def parse(markup: str) -> tuple[Run, ...]:
    """Split markup into :class:`Run` objects (unclosed marks are kept as literal text)."""
    if not isinstance(markup, str):
        raise InputTypeError(f"markup must be a str; got {type(markup).__name__}")
    runs: list[Run] = []
    state = {"italic": False, "sub": False, "sup": False}
    buf: list[str] = []

    def flush() -> None:
        if buf:
            script = "sub" if state["sub"] else "sup" if state["sup"] else ""
            runs.append(Run("".join(buf), state["italic"], script))
            buf.clear()

    # a mark only toggles when a matching closing mark follows (else it is literal text)
    i, n = 0, len(markup)
    while i < n:
        ch = markup[i]
        if ch == "\\" and i + 1 < n:
            buf.append(markup[i + 1])
            i += 2
            continue
        kind = _MARKS.get(ch)
        if kind is not None and (state[kind] or _closes(markup, i + 1, ch)):
            flush()
            state[kind] = not state[kind]
        else:
            buf.append(ch)
        i += 1
    flush()
    return tuple(_merge(runs))


def _closes(markup: str, start: int, mark: str) -> bool:
    i = start
    while i < len(markup):
        if markup[i] == "\\":
            i += 2
            continue
        if markup[i] == mark:
            return i > start
        i += 1
    return False


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if out and (out[-1].italic, out[-1].script) == (r.italic, r.script):
            out[-1] = Run(out[-1].text + r.text, r.italic, r.script)
        elif r.text:
            out.append(r)
    return out


def to_plain(markup: str) -> str:
    """Text without styling (sub- and superscripts inline: ``η²p``)."""
    return "".join(r.text for r in parse(markup))


def to_html(markup: str) -> str:
    """HTML with ``<i>``, ``<sub>``, ``<sup>`` (text escaped)."""
    parts = []
    for r in parse(markup):
        text = _html.escape(r.text, quote=False)
        if r.italic:
            text = f"<i>{text}</i>"
        if r.script:
            text = f"<{r.script}>{text}</{r.script}>"
        parts.append(text)
    return "".join(parts)


_MD_SPECIAL = set("\\`*_|")


def to_markdown(markup: str) -> str:
    """Markdown: ``*italic*``; sub- and superscripts as ``<sub>``/``<sup>`` (GitHub, Pandoc, Jupyter)."""
    parts = []
    for r in parse(markup):
        text = "".join("\\" + ch if ch in _MD_SPECIAL or (ch == "<" and r.text[i + 1:i + 2].isalpha())
                       else ch for i, ch in enumerate(r.text))
        if r.italic:
            lead = len(text) - len(text.lstrip())
            trail = len(text) - len(text.rstrip())
            core = text.strip()
            text = text[:lead] + (f"*{core}*" if core else "") + (text[len(text) - trail:] if trail else "")
        if r.script:
            text = f"<{r.script}>{text}</{r.script}>"
        parts.append(text)
    return "".join(parts)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}
_LATEX_UNICODE = {
    "α": r"$\alpha$", "β": r"$\beta$", "χ": r"$\chi$", "η": r"$\eta$", "ω": r"$\omega$",
    "ρ": r"$\rho$", "τ": r"$\tau$", "Δ": r"$\Delta$", "κ": r"$\kappa$", "λ": r"$\lambda$",
    "²": r"\textsuperscript{2}", "×": r"$\times$", "→": r"$\rightarrow$", "≤": r"$\leq$",
    "≥": r"$\geq$", "−": r"$-$", "∞": r"$\infty$", "–": "--", "—": "---", "±": r"$\pm$",
    "√": r"$\surd$",
}


def _latex_text(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch) or _LATEX_UNICODE.get(ch) or ch for ch in text)


def to_latex(markup: str) -> str:
    r"""LaTeX: ``\textit``, ``\textsubscript``, ``\textsuperscript``; Greek letters as math."""
    parts = []
    for r in parse(markup):
        text = _latex_text(r.text)
        if r.italic:
            text = rf"\textit{{{text}}}"
        if r.script:
            text = {"sub": r"\textsubscript", "sup": r"\textsuperscript"}[r.script] + f"{{{text}}}"
        parts.append(text)
    return "".join(parts)
