"""Figures for factorial designs and scale scores (matplotlib; pyplot is imported only when
needed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_columns, check_dataframe, check_fraction, check_int
from ..descriptives import cell_summary
from ..errors import InputTypeError
from ..questionnaires import as_scales
from .labels import Labels

__all__ = ["interaction_plot", "score_histograms", "mark_synthetic", "SYNTHETIC_FOOTER"]

#: The footer line :func:`mark_synthetic` writes under a figure made from synthetic data.
SYNTHETIC_FOOTER = "Synthetic data (studylib simulator): no conclusion about real people may be drawn."


def mark_synthetic(fig: Any, text: str = SYNTHETIC_FOOTER) -> Any:
    """Write the synthetic-data footer line under a figure (in the saved PNG and SVG).

    Returns the text artist. Saved with ``bbox_inches="tight"`` (as studylib saves every
    figure) the line sits under the axes, clear of the data.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_synthetic(fig).get_text().startswith("Synthetic data")
    True
    >>> plt.close(fig)
    """
    return fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=7, color="0.35", style="italic")


def _labels(labels: Labels | Mapping[str, str] | None) -> Labels | None:
    if labels is None or isinstance(labels, Labels):
        return labels
    return Labels(labels)


def interaction_plot(
    data: pd.DataFrame,
    dv: str,
    x: str,
    trace: str,
    *,
    ci: float | None = 0.95,
    ax: Any = None,
    dodge: float = 0.06,
    missing: str = "listwise",
    labels: Labels | Mapping[str, str] | None = None,
    ylabel: str | None = None,
) -> Any:
    """Interaction plot: cell means of ``dv`` with confidence intervals, one line per level.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant.
    dv : str
        Numeric outcome.
    x : str
        Factor on the horizontal axis (levels in category order).
    trace : str
        Factor drawn as separate lines (one per level, with a legend).
    ci : float or None, default 0.95
        Confidence level of the error bars (t interval of each cell mean from the cell's
        own SD, see :func:`studylib.cell_summary`); ``None`` draws no bars.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is created when omitted.
    dodge : float, default 0.06
        Horizontal offset between the lines, in axis units, so bars do not overlap.
    missing : {"listwise", "raise"}, default "listwise"
    labels : Labels or mapping, optional
        Display labels of ``dv``, ``x``, ``trace`` and their levels (axis label, tick
        labels, legend title and entries); without them the column names are shown.
    ylabel : str, optional
        The y-axis label (default: the label of ``dv`` with "M and 95% CI").

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (the figure is ``ax.figure``). The plotted numbers are those
        of :func:`studylib.cell_summary` with ``conf=ci``. The legend is placed to the
        right of the axes, clear of the data.

    Raises
    ------
    ColumnError, DataError
        As :func:`studylib.anova` (unknown columns, non-numeric dv, empty cells).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> df = pd.DataFrame({
    ...     "tone": ["negative", "positive"] * 6,
    ...     "reaction": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "score": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> ax = interaction_plot(df, "score", x="reaction", trace="tone")
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_legend().get_title().get_text()
    (['like', 'none', 'reply'], 'tone')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    >>> # R: emmeans::emmip(lm(score ~ tone * reaction, df), tone ~ reaction, CIs = TRUE)
    """
    if not isinstance(x, str) or not isinstance(trace, str):
        raise InputTypeError(f"x and trace must be column names (str); got {x!r}, {trace!r}")
    conf = 0.95 if ci is None else check_fraction(ci, "ci")
    cells = cell_summary(data, dv, [x, trace], conf=conf, missing=missing)
    lab = _labels(labels)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.2, 4.0), layout="constrained")
    x_levels = list(cells[x].cat.categories)
    t_levels = list(cells[trace].cat.categories)
    offsets = (np.arange(len(t_levels)) - (len(t_levels) - 1) / 2) * dodge
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    for i, level in enumerate(t_levels):
        sub = cells[cells[trace] == level].set_index(x).loc[x_levels]
        pos = np.arange(len(x_levels)) + offsets[i]
        yerr = None
        if ci is not None:
            yerr = np.vstack([sub["mean"] - sub["ci_low"], sub["ci_high"] - sub["mean"]])
        ax.errorbar(
            pos,
            sub["mean"].to_numpy(),
            yerr=yerr,
            marker=markers[i % len(markers)],
            capsize=3,
            label=str(level) if lab is None else lab.level(trace, level),
        )
    ax.set_xticks(np.arange(len(x_levels)))
    ax.set_xticklabels([str(v) if lab is None else lab.level(x, v) for v in x_levels])
    ax.set_xlabel(x if lab is None else lab.var(x))
    name = dv if lab is None else lab.var(dv)
    if ylabel is None:
        ylabel = name if ci is None else (f"{name} (mean, {100 * conf:g}% CI)" if lab is None
                                          else f"{name}: M and {100 * conf:g}% CI")
    ax.set_ylabel(ylabel)
    ax.legend(title=trace if lab is None else lab.var(trace), frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def score_histograms(
    data: pd.DataFrame,
    scales: Any,
    *,
    bins: int = 24,
    titles: Mapping[str, str] | None = None,
) -> Any:
    """Histograms of scale scores, one panel per scale, over each scale's possible range.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with a score column named by each scale's id (as
        :func:`studylib.score_scales` makes them). Missing scores are left out.
    scales : Scale, str, mapping or list of these
        The scales (as in :func:`studylib.score_scales`): their ids name the columns and
        their ``min``/``max`` (times the number of items for a ``sum`` score) the x range.
    bins : int, default 24
        Bins per histogram.
    titles : mapping, optional
        Panel titles by scale id (default: the scale's ``name``, or its id).

    Returns
    -------
    matplotlib.figure.Figure
        One row of panels, in the order of ``scales``.

    Raises
    ------
    ColumnError
        A score column is not in ``data``.
    SpecError
        ``scales`` names an unknown scale or a set of single items.

    See Also
    --------
    studylib.score_scales, studylib.cell_summary

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from studylib import Scale
    >>> s = Scale.from_dict({"id": "score", "name": "Trust", "items": ["a", "b"], "min": 1, "max": 7})
    >>> fig = score_histograms(pd.DataFrame({"score": [1.5, 4.0, 4.5, 6.0, None]}), [s])
    >>> fig.axes[0].get_title(), int(sum(bar.get_height() for bar in fig.axes[0].patches))
    ('Trust', 4)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    >>> # R: hist(df$score, breaks = seq(1, 7, length.out = 25))
    """
    import matplotlib.pyplot as plt

    check_dataframe(data)
    scales = as_scales(scales)
    bins = check_int(bins, "bins", minimum=1)
    check_columns(data, [s.id for s in scales], context="scale scores")
    titles = dict(titles or {})
    fig, axes = plt.subplots(1, len(scales), figsize=(3.3 * len(scales), 2.8), layout="constrained",
                             squeeze=False)
    for ax, scale in zip(axes[0], scales, strict=True):
        k = len(scale.items) if scale.score == "sum" else 1
        values = pd.to_numeric(data[scale.id], errors="raise").dropna()
        ax.hist(values, bins=bins, range=(scale.min * k, scale.max * k), color="#4c78a8", edgecolor="white")
        ax.set_title(titles.get(scale.id, scale.name or scale.id), fontsize=10)
        ax.set_xlabel("Score")
    axes[0][0].set_ylabel("Respondents")
    return fig
