"""Figures of conditional process results: conditional indirect effects and a path diagram.

Both functions take a :func:`studylib.process` result (or its DataFrames) and draw on a
matplotlib Axes; they never change the result. Designed for PROCESS model 83 (X -> M1 -> M2
-> Y, with the X -> M1 path moderated by a multicategorical W) and usable for any serial or
parallel model whose ``.coefficients`` and ``.indirect`` follow the studylib vocabulary.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from studylib.report.process_figures import conditional_indirect_plot
>>> indirect = pd.DataFrame({
...     "path": ["valence -> psr -> pk -> attitude"] * 3,
...     "w": ["none", "like", "reply"],
...     "effect": [0.12, -0.08, -0.15], "boot_se": [0.04, 0.03, 0.04],
...     "ci_low": [0.05, -0.14, -0.24], "ci_high": [0.20, -0.03, -0.08]})
>>> ax = conditional_indirect_plot(indirect)
>>> [t.get_text() for t in ax.get_xticklabels()]
['none', 'like', 'reply']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_columns, check_dataframe
from ..errors import DataError, InputTypeError
from .labels import Labels

__all__ = ["conditional_indirect_plot", "path_diagram", "significance_stars"]

#: Column of ``.indirect`` that holds the moderator value, first one present is used.
MODERATOR_COLUMNS: tuple[str, ...] = ("w", "moderator", "w_value", "moderator_value", "value")
_INTERCEPTS = {"intercept", "(intercept)", "const", "constant"}
_INTERACTION_MARKS = (":", "*", "\u00d7", " x ")


def _frame(obj: Any, attr: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    frame = getattr(obj, attr, None)
    if isinstance(frame, pd.DataFrame):
        return frame
    raise InputTypeError(
        f"expected a studylib.process result or its .{attr} DataFrame; got {type(obj).__name__}"
    )


def significance_stars(p: float) -> str:
    """Return ``'***'``, ``'**'``, ``'*'`` or ``''`` for p < .001, .01, .05 (display only).

    >>> [significance_stars(p) for p in (0.0004, 0.004, 0.04, 0.4, float("nan"))]
    ['***', '**', '*', '', '']
    """
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _new_axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def conditional_indirect_plot(
    result: Any,
    *,
    paths: Sequence[str] | None = None,
    moderator: str | None = None,
    labels: Labels | Mapping[str, str] | None = None,
    path_labels: Mapping[str, str] | None = None,
    xlabel: str | None = None,
    ylabel: str = "Conditional indirect effect",
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Plot conditional indirect effects with their bootstrap CIs, one point per group of W.

    Parameters
    ----------
    result : studylib process result or pandas.DataFrame
        The result (its ``.indirect`` is used) or that DataFrame, with columns ``path``,
        the moderator value (see ``moderator``), ``effect``, ``ci_low``, ``ci_high``.
    paths : sequence of str, optional
        Paths to show (default: every path whose effect depends on the moderator, i.e.
        has a moderator value). Several paths are drawn side by side within each group.
    moderator : str, optional
        Column holding the moderator value (default: the first of ``w``, ``moderator``,
        ``w_value``, ``moderator_value``, ``value`` present).
    labels : Labels or mapping, optional
        Display labels of the moderator's values (``{"none": "No reaction"}``) and, with a
        :class:`~studylib.report.labels.Labels`, of the variables (the paths in the legend
        and the moderator on the x axis are then written in words).
    path_labels : mapping, optional
        Display names of paths (legend), overriding ``labels``.
    xlabel : str, optional
        The x-axis label (default: the moderator's label, from a process result its
        variable name, else "Moderator (W)").
    ylabel, title : str
        Axis label and title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.figure`` is the figure.

    Raises
    ------
    ColumnError
        A needed column is absent.
    DataError
        No path with moderator values is left to plot.

    Notes
    -----
    Groups appear in the order of the rows of ``.indirect`` (the order of W's categories).
    The dashed line marks zero: a CI that excludes it indicates an indirect effect in that
    group at the result's confidence level.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ind = pd.DataFrame({"path": ["x -> m -> y"] * 2, "w": ["a", "b"],
    ...                     "effect": [0.2, -0.1], "boot_se": [0.05, 0.05],
    ...                     "ci_low": [0.1, -0.2], "ci_high": [0.3, 0.0]})
    >>> ax = conditional_indirect_plot(ind, labels={"a": "A", "b": "B"})
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_ylabel()
    (['A', 'B'], 'Conditional indirect effect')
    """
    data = check_dataframe(_frame(result, "indirect"), "indirect")
    if moderator is None:
        moderator = next((c for c in MODERATOR_COLUMNS if c in data.columns), None)
        if moderator is None:
            raise DataError(
                f"no moderator column in the indirect effects; expected one of "
                f"{list(MODERATOR_COLUMNS)}, got columns {list(data.columns)}. "
                "Name it with moderator=."
            )
    check_columns(data, ["path", moderator, "effect", "ci_low", "ci_high"], context="indirect effects")
    moderated = data[data[moderator].notna()]
    if paths is None:
        paths = list(dict.fromkeys(moderated["path"].tolist()))
    else:
        unknown = [p for p in paths if p not in set(data["path"])]
        if unknown:
            raise DataError(f"paths not in the indirect effects: {unknown}; available: {sorted(set(data['path']))}")
    rows = moderated[moderated["path"].isin(list(paths))]
    if rows.empty:
        raise DataError("no conditional (moderated) indirect effect to plot: every moderator value is missing")
    groups = list(dict.fromkeys(rows[moderator].tolist()))
    lab = labels if isinstance(labels, Labels) else None
    level_labels = {} if lab is not None else dict(labels or {})
    w_name = _w_name(result)
    path_labels = {**({p: lab.path(p) for p in paths} if lab is not None else {}), **dict(path_labels or {})}

    def level_label(g: Any) -> str:
        if lab is not None:
            return lab.level(w_name or moderator, g)
        return level_labels.get(str(g), str(g))

    ax = _new_axes(ax, (6.4, 4.0))
    k = len(paths)
    width = 0.5 if k > 1 else 0.0
    offsets = np.linspace(-width / 2, width / 2, k) if k > 1 else np.zeros(1)
    markers = ["o", "s", "D", "^", "v"]
    for j, path in enumerate(paths):
        sub = rows[rows["path"] == path].set_index(moderator)
        pos = np.array([groups.index(g) for g in sub.index], dtype=float) + offsets[j]
        est = sub["effect"].to_numpy(dtype=float)
        err = np.vstack([est - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - est])
        ax.errorbar(
            pos, est, yerr=err, fmt=markers[j % len(markers)], capsize=5, markersize=7,
            linewidth=1.6, label=path_labels.get(path, path),
        )
    ax.axhline(0.0, color="0.35", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(groups)), [level_label(g) for g in groups])
    ax.set_xlim(-0.6, len(groups) - 0.4)
    if xlabel is None:
        xlabel = (lab.var(w_name) if lab is not None and w_name else w_name or "Moderator (W)")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if k > 1:  # under the axes, clear of the points and their intervals
        ax.legend(frameon=False, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1)
    ax.grid(axis="y", color="0.9")
    ax.set_axisbelow(True)
    return ax


def _w_name(result: Any) -> str | None:
    """The moderator's variable name as recorded on a process result, else None."""
    model = getattr(result, "model", None)
    try:
        return str(model.attrs["variables"]["w"])
    except (AttributeError, KeyError, TypeError):
        return None


def _w_reference(result: Any) -> str:
    """The reference group of a categorical W as recorded on a process result, else "ref."."""
    model = getattr(result, "model", None)
    try:
        return str(model.attrs["codings"]["w"]["levels"][0])
    except (AttributeError, KeyError, IndexError, TypeError):
        return "ref."


def _match_term(terms: Sequence[str], name: str) -> str | None:
    """The term of a main effect of ``name`` (exact, or ``name`` plus a level suffix)."""
    if name in terms:
        return name
    for term in terms:
        if any(mark in term for mark in _INTERACTION_MARKS):
            continue
        if term.startswith(name) and term[len(name) : len(name) + 1] in ("[", "_", "(", "."):
            return term
    return None


def _term_words(term: str, lab: Labels | None) -> str:
    """A term of the moderated equation in words: levels only (the boxes name the variables)."""
    if lab is None:
        return term
    import re

    parts = []
    for part in re.split(r"\s*[:*×]\s*", term):
        hit = re.match(r"^([^\[\]]+)\[(?:T\.)?([^\[\]]+)\]$", part)
        parts.append(lab.contrast(hit.group(1), hit.group(2)) if hit else lab.var(part))
    return " × ".join(parts)


def path_diagram(
    result: Any,
    *,
    x: str,
    m: Sequence[str],
    y: str,
    w: str | None = None,
    labels: Labels | Mapping[str, str] | None = None,
    digits: int = 2,
    title: str | None = None,
    ax: Any = None,
    footnote: bool = True,
) -> Any:
    """Draw the path diagram of a serial mediation model with its coefficients.

    Nodes X, the mediators in order, and Y are boxes; each regression coefficient linking
    them is an arrow labelled with the unstandardized estimate and stars for its p-value.
    With ``w``, the moderator is drawn above the X -> M1 arrow, pointing at it, and the
    other terms of the moderated equation (the indicators of W and the X x W products)
    are listed beside it. This is the conceptual diagram of PROCESS model 83 (Hayes, 2022).

    Parameters
    ----------
    result : studylib process result or pandas.DataFrame
        The result (its ``.coefficients`` is used) or that DataFrame, with columns
        ``equation`` (the outcome of each regression), ``term``, ``estimate``, ``p``.
    x, y : str
        Names of X and Y as they appear in ``equation`` and ``term``.
    m : sequence of str
        Mediators in causal order (M1, M2, ...).
    w : str, optional
        The moderator of the X -> M1 path.
    labels : Labels or mapping, optional
        Display names of the variables (e.g. ``{"psr": "Parasocial\\nrelationship"}``);
        with a :class:`~studylib.report.labels.Labels` the terms of the moderated equation
        and the reference group are written in words too ("Positive vs. negative × Reply
        vs. no reaction: -1.66***").
    digits : int, default 2
        Decimals shown.
    title : str, optional
        Title of the axes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).
    footnote : bool, default True
        Write the line on unstandardized coefficients and stars under the diagram (leave it
        out when the figure's note says it, as in the report).

    Returns
    -------
    matplotlib.axes.Axes
        The axes (axis lines hidden); ``ax.figure`` is the figure.

    Raises
    ------
    ColumnError
        A needed column is absent.
    DataError
        An equation for a mediator or for ``y`` is not among the coefficients.

    Notes
    -----
    The X -> M1 coefficient of model 83 is the effect of X in the reference group of W
    (named on the arrow when ``result`` is a process result with a categorical W); the
    X x W terms are the differences of that effect between each group and the reference.

    References
    ----------
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
    analysis* (3rd ed.). Guilford Press. Appendix A, model 83.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> coefs = pd.DataFrame({
    ...     "equation": ["m", "m", "y", "y"], "term": ["Intercept", "x", "x", "m"],
    ...     "estimate": [0.1, 0.5, 0.2, 0.7], "p": [0.5, 0.001, 0.2, 0.0001]})
    >>> ax = path_diagram(coefs, x="x", m=["m"], y="y")
    >>> [t.get_text() for t in ax.texts if t.get_text()][3:6]  # after the three boxes
    ['0.50**', "c' = 0.20", '0.70***']
    """
    coefs = check_dataframe(_frame(result, "coefficients"), "coefficients")
    check_columns(coefs, ["equation", "term", "estimate", "p"], context="coefficients")
    m = [m] if isinstance(m, str) else list(m)
    lab = labels if isinstance(labels, Labels) else None
    labels = dict(lab.variables if lab is not None else (labels or {}))
    equations = set(coefs["equation"].astype(str))
    missing = [o for o in [*m, y] if o not in equations]
    if missing:
        raise DataError(
            f"equations not in the coefficients: {missing}; available: {sorted(equations)}"
        )
    ax = _new_axes(ax, (8.0, 4.8))
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.22, 1.22)
    ax.axis("off")

    k = len(m)
    pos: dict[str, tuple[float, float]] = {x: (0.0, 0.0), y: (1.0, 0.0)}
    for i, med in enumerate(m):
        pos[med] = (0.22 + 0.56 * i / max(k - 1, 1), 0.62) if k > 1 else (0.5, 0.62)
    box = {"boxstyle": "round,pad=0.55", "facecolor": "#eef3fb", "edgecolor": "#0b5cad", "linewidth": 1.4}
    artists = {}
    for name, (px, py) in pos.items():
        artists[name] = ax.text(px, py, labels.get(name, name), ha="center", va="center",
                                fontsize=10, bbox=box, zorder=1)

    def fmt(row: pd.Series) -> str:
        return f"{float(row['estimate']):.{digits}f}{significance_stars(float(row['p']))}"

    def arrow(src: Any, dst: Any, text: str, *, where: float = 0.5, dx: float = 0.0, dy: float = 0.0) -> None:
        ax.annotate(
            "", xy=dst.get_position(), xytext=src.get_position(), zorder=2, annotation_clip=False,
            arrowprops={"arrowstyle": "-|>", "color": "0.2", "linewidth": 1.4, "mutation_scale": 16,
                        "patchA": src.get_bbox_patch(), "patchB": dst.get_bbox_patch(),
                        "shrinkA": 4, "shrinkB": 4},
        )
        (sx, sy), (tx, ty) = src.get_position(), dst.get_position()
        ax.text(sx + (tx - sx) * where + dx, sy + (ty - sy) * where + dy, text, ha="center", va="center",
                fontsize=9, zorder=4, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})

    chain = [x, *m]
    extra_lines: list[str] = []
    for outcome in [*m, y]:
        eq = coefs[coefs["equation"].astype(str) == outcome]
        terms = eq["term"].astype(str).tolist()
        preds = chain[: chain.index(outcome)] if outcome in chain else chain
        used = set()
        for pred in preds:
            term = _match_term(terms, pred)
            if term is None:
                continue
            used.add(term)
            row = eq[eq["term"].astype(str) == term].iloc[0]
            text = fmt(row)
            moderated = w is not None and pred == x and outcome == m[0]
            if moderated:
                ref = _w_reference(result)
                text += f"\n(W = {lab.level(w, ref) if lab is not None and ref != 'ref.' else ref})"
            if pred == x and outcome == y:
                arrow(artists[x], artists[y], f"c' = {text}", dy=-0.07)
            elif moderated:
                arrow(artists[x], artists[outcome], text, dx=-0.1)
            else:
                arrow(artists[pred], artists[outcome], text)
        if w is not None and outcome == m[0]:
            for term in terms:
                if term in used or term.lower() in _INTERCEPTS:
                    continue
                row = eq[eq["term"].astype(str) == term].iloc[0]
                extra_lines.append(f"{_term_words(term, lab)}: {fmt(row)}")
    if w is not None:
        (x0, y0), (x1, y1) = pos[x], pos[m[0]]
        mid = ((x0 + x1) / 2, (y0 + y1) / 2)
        wpos = (max(mid[0] - 0.06, 0.02), 1.08)
        wbox = ax.text(*wpos, labels.get(w, w), ha="center", va="center", fontsize=10, zorder=1,
                       bbox={**box, "facecolor": "#fdf1e3", "edgecolor": "#8a4b00"})
        ax.annotate("", xy=mid, xytext=wpos, zorder=2,
                    arrowprops={"arrowstyle": "-|>", "color": "#8a4b00", "linewidth": 1.4,
                                "mutation_scale": 16, "patchA": wbox.get_bbox_patch(), "shrinkB": 0})
        if extra_lines:
            ax.annotate("\n".join(extra_lines), xy=(1.0, 0.5), xycoords=wbox, xytext=(14, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=8,
                        color="#5a3200", zorder=4)
    if footnote:
        ax.text(0.5, -0.2, "Unstandardized coefficients. * p < .05, ** p < .01, *** p < .001.",
                ha="center", va="center", fontsize=8, color="0.35")
    if title:
        ax.set_title(title)
    return ax
