"""Figures for factorial designs (matplotlib; pyplot is imported only when needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_fraction
from ..descriptives import cell_summary
from ..errors import InputTypeError

__all__ = ["interaction_plot"]


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

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (the figure is ``ax.figure``). The plotted numbers are those
        of :func:`studylib.cell_summary` with ``conf=ci``.

    Raises
    ------
    ColumnError, DataError
        As :func:`studylib.anova` (unknown columns, non-numeric dv, empty cells).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> df = pd.DataFrame({
    ...     "valence": ["negative", "positive"] * 6,
    ...     "response": ["none"] * 4 + ["like"] * 4 + ["reply"] * 4,
    ...     "psr": [3.1, 4.2, 2.9, 4.6, 4.4, 3.2, 4.8, 3.5, 5.0, 3.0, 5.3, 2.6],
    ... })
    >>> ax = interaction_plot(df, "psr", x="response", trace="valence")
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_legend().get_title().get_text()
    (['like', 'none', 'reply'], 'valence')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    >>> # R: emmeans::emmip(lm(psr ~ valence * response, df), valence ~ response, CIs = TRUE)
    """
    if not isinstance(x, str) or not isinstance(trace, str):
        raise InputTypeError(f"x and trace must be column names (str); got {x!r}, {trace!r}")
    conf = 0.95 if ci is None else check_fraction(ci, "ci")
    cells = cell_summary(data, dv, [x, trace], conf=conf, missing=missing)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.5, 4.0))
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
            label=str(level),
        )
    ax.set_xticks(np.arange(len(x_levels)))
    ax.set_xticklabels([str(v) for v in x_levels])
    ax.set_xlabel(x)
    ylabel = dv if ci is None else f"{dv} (mean, {100 * conf:g}% CI)"
    ax.set_ylabel(ylabel)
    ax.legend(title=trace, frameon=False)
    return ax
