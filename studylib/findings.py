"""Check, finding by finding, whether the thesis's reported directions hold on a data set.

The thesis reports (see DESIGN.md): with no influencer response the serial indirect effect
of positive (vs negative) comments on product attitude through PSR and then persuasion
knowledge is positive; when the influencer likes the comments it is negative; when the
influencer replies it is more negative still; and the 3 x 2 ANOVAs show a valence x response
interaction on PSR, PK and attitude. :func:`check_findings` turns fitted results into one
row per finding with the estimate, its CI or p-value, and whether the direction holds.

Examples
--------
>>> import pandas as pd
>>> from studylib.findings import check_findings
>>> ind = pd.DataFrame({"path": ["x -> m1 -> m2 -> y"] * 3, "w": ["none", "like", "reply"],
...                     "effect": [0.12, -0.08, -0.15], "boot_se": [0.04, 0.03, 0.04],
...                     "ci_low": [0.05, -0.14, -0.24], "ci_high": [0.20, -0.03, -0.08]})
>>> aov = {"psr": pd.DataFrame({"term": ["valence:response"], "F": [9.1], "p": [0.0002]})}
>>> tab = check_findings(ind, aov, serial_path="x -> m1 -> m2 -> y")
>>> tab[["finding", "estimate", "holds", "conclusive"]]
              finding  estimate  holds  conclusive
0   indirect_none > 0      0.12   True        True
1   indirect_like < 0     -0.08   True        True
2  indirect_reply < 0     -0.15   True        True
3        reply < like     -0.07   True       False
4     interaction_psr      9.10   True        True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_columns, check_dataframe, check_fraction
from .errors import DataError

__all__ = ["check_findings", "finding_lines", "FINDINGS_COLUMNS"]

#: Columns of the table returned by :func:`check_findings`.
FINDINGS_COLUMNS = ("finding", "statement", "quantity", "estimate", "ci_low", "ci_high", "p",
                    "holds", "conclusive")


def _row(finding: str, statement: str, quantity: str, estimate: float, *, ci: tuple[float, float] | None = None,
         p: float | None = None, holds: bool, conclusive: bool) -> dict[str, Any]:
    return {
        "finding": finding,
        "statement": statement,
        "quantity": quantity,
        "estimate": float(estimate),
        "ci_low": float(ci[0]) if ci is not None else np.nan,
        "ci_high": float(ci[1]) if ci is not None else np.nan,
        "p": float(p) if p is not None else np.nan,
        "holds": bool(holds),
        "conclusive": bool(conclusive),
    }


def check_findings(
    indirect: pd.DataFrame,
    anova_tables: Mapping[str, pd.DataFrame],
    *,
    serial_path: str,
    contrasts: pd.DataFrame | None = None,
    moderator: str = "w",
    groups: Sequence[str] = ("none", "like", "reply"),
    interaction: str = "valence:response",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Evaluate the thesis's reported directions on fitted results.

    Parameters
    ----------
    indirect : pandas.DataFrame
        Conditional indirect effects (``studylib.process(...).indirect``) with columns
        ``path``, ``moderator``, ``effect``, ``ci_low``, ``ci_high``.
    anova_tables : mapping of str to pandas.DataFrame
        ANOVA table (``studylib.anova``: ``term``, ``F``, ``p``) per dependent variable.
    serial_path : str
        The ``path`` label of the serial indirect effect X -> M1 -> M2 -> Y.
    contrasts : pandas.DataFrame, optional
        Pairwise contrasts of conditional indirect effects
        (``studylib.process(...).contrasts``: ``path1``, ``w1``, ``path2``, ``w2``,
        ``effect`` = first minus second, ``ci_low``, ``ci_high``). When the reply-vs-like
        contrast of ``serial_path`` is there, its bootstrap CI decides whether "more
        negative for replies" holds; without it only the direction is used.
    moderator : str, default "w"
        Column of ``indirect`` holding the moderator group.
    groups : sequence of str, default ("none", "like", "reply")
        The reference group, the "like" group and the "reply" group of W, in that order.
    interaction : str, default "valence:response"
        The interaction term in the ANOVA tables.
    alpha : float, default 0.05
        Significance level (the CIs are those of the results).

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``finding`` (short id), ``statement`` (the thesis's claim),
        ``quantity`` (what was estimated), ``estimate``, ``ci_low``, ``ci_high``, ``p``
        (NaN where not applicable), ``holds`` and ``conclusive`` (bools).
        ``holds``: the point estimate has the reported direction (an indirect effect its
        sign; "more negative for replies" reply - like < 0); an interaction holds when
        p < ``alpha``. ``conclusive``: it holds and the bootstrap CI excludes zero (for the
        reply - like difference only with ``contrasts``); for interactions the same as
        ``holds``. ``attrs`` holds ``conf`` (the CI level recorded in ``indirect.attrs``,
        None if absent) and ``alpha``.

    Raises
    ------
    ColumnError
        A needed column is absent.
    DataError
        ``serial_path`` or a group of W is not in ``indirect``, or ``interaction`` is not a
        term of an ANOVA table.
    OptionError
        ``alpha`` is not strictly between 0 and 1.

    See Also
    --------
    studylib.process : the conditional indirect effects and their contrasts.
    studylib.anova : the ANOVA tables.

    Notes
    -----
    The verdicts only summarise the estimates and intervals of the fitted results; they
    test nothing new and apply no correction for checking several findings. Report the
    estimates and intervals, not only the verdicts.

    Examples
    --------
    See the module docstring (:mod:`studylib.findings`) for a run on a small table.
    """
    check_dataframe(indirect, "indirect")
    check_columns(indirect, ["path", moderator, "effect", "ci_low", "ci_high"], context="indirect effects")
    alpha = check_fraction(alpha, "alpha")
    rows = indirect[indirect["path"] == serial_path]
    if rows.empty:
        raise DataError(
            f"serial_path {serial_path!r} not in the indirect effects; paths: {sorted(set(indirect['path']))}"
        )
    by_group = {str(g): r for g, r in rows.set_index(moderator).iterrows()}
    missing = [g for g in groups if g not in by_group]
    if missing:
        raise DataError(f"groups {missing} of {moderator!r} not in the indirect effects of {serial_path!r}; "
                        f"have {sorted(by_group)}")
    ref, like, reply = (by_group[g] for g in groups[:3])
    out = []
    for key, row, sign, text in (
        (groups[0], ref, +1, "positive when the influencer does not react"),
        (groups[1], like, -1, "negative when the influencer likes the comments"),
        (groups[2], reply, -1, "negative when the influencer replies"),
    ):
        ci = (row["ci_low"], row["ci_high"])
        holds = sign * row["effect"] > 0
        conclusive = holds and (ci[0] > 0 if sign > 0 else ci[1] < 0)
        out.append(_row(
            f"indirect_{key} {'>' if sign > 0 else '<'} 0",
            f"The serial indirect effect of positive comments on attitude via PSR and PK is {text}.",
            f"conditional indirect effect ({moderator} = {key})", row["effect"], ci=ci,
            holds=holds, conclusive=conclusive,
        ))
    diff = float(reply["effect"] - like["effect"])
    ci = None
    if contrasts is not None:
        check_columns(contrasts, ["path1", "w1", "path2", "w2", "effect", "ci_low", "ci_high"],
                      context="contrasts")
        same = (contrasts["path1"] == serial_path) & (contrasts["path2"] == serial_path)
        for first, second, sign in ((groups[2], groups[1], 1.0), (groups[1], groups[2], -1.0)):
            hit = contrasts[same & (contrasts["w1"] == first) & (contrasts["w2"] == second)]
            if not hit.empty:
                bounds = sorted(sign * float(hit[c].iloc[0]) for c in ("ci_low", "ci_high"))
                ci = (bounds[0], bounds[1])
                break
    holds = diff < 0
    out.append(_row(
        f"{groups[2]} < {groups[1]}",
        "The reversal is stronger when the influencer replies than when they like the comments.",
        f"difference of conditional indirect effects ({groups[2]} - {groups[1]})", diff, ci=ci,
        holds=holds, conclusive=holds and ci is not None and ci[1] < 0,
    ))
    for dv, table in anova_tables.items():
        check_columns(table, ["term", "F", "p"], context=f"ANOVA table of {dv!r}")
        hit = table[table["term"] == interaction]
        if hit.empty:
            raise DataError(f"term {interaction!r} not in the ANOVA table of {dv!r}; terms: {list(table['term'])}")
        F, p = float(hit["F"].iloc[0]), float(hit["p"].iloc[0])
        out.append(_row(
            f"interaction_{dv}",
            f"Comment valence and influencer response interact on {dv} (3 x 2 ANOVA).",
            f"F of {interaction} on {dv}", F, p=p, holds=p < alpha, conclusive=p < alpha,
        ))
    table = pd.DataFrame(out, columns=list(FINDINGS_COLUMNS))
    table.attrs["conf"] = indirect.attrs.get("conf")  # level of the CIs taken from the results
    table.attrs["alpha"] = alpha
    return table


def finding_lines(findings: pd.DataFrame, *, digits: int = 3) -> list[str]:
    """One line of text per finding: the verdict, the finding, the estimate with its CI or p.

    The text form of :func:`check_findings`'s table, used by ``studylib reproduce``'s
    summary and notebook 06 (rounded for reading only).

    Parameters
    ----------
    findings : pandas.DataFrame
        The table returned by :func:`check_findings`.
    digits : int, default 3
        Decimals of the estimate and the CI.

    Returns
    -------
    list of str
        ``holds, conclusive``, ``holds, inconclusive`` or ``does NOT hold`` (padded to
        the same width), two spaces, then ``finding: estimate [ci_low, ci_high]`` and, where
        there is one, ``p = ...``.

    Raises
    ------
    ColumnError
        A column of :data:`FINDINGS_COLUMNS` is missing.

    Examples
    --------
    >>> tab = pd.DataFrame([
    ...     {"finding": "indirect_none > 0", "estimate": 0.062, "ci_low": -0.044, "ci_high": 0.179,
    ...      "p": np.nan, "holds": True, "conclusive": False},
    ...     {"finding": "interaction_psr", "estimate": 9.1, "ci_low": np.nan, "ci_high": np.nan,
    ...      "p": 0.0002, "holds": True, "conclusive": True}])
    >>> print("\\n".join(finding_lines(tab)))
    holds, inconclusive  indirect_none > 0: 0.062 [-0.044, 0.179]
    holds, conclusive    interaction_psr: 9.100, p < .001
    """
    from .report.tables import format_ci, format_p

    check_dataframe(findings, "findings")
    check_columns(findings, ["finding", "estimate", "ci_low", "ci_high", "p", "holds", "conclusive"],
                  context="findings table")
    lines = []
    for r in findings.itertuples():
        verdict = ("holds, conclusive" if r.conclusive else "holds, inconclusive") if r.holds else "does NOT hold"
        ci = "" if pd.isna(r.ci_low) else " " + format_ci(r.ci_low, r.ci_high, digits)
        p = "" if pd.isna(r.p) else ", " + format_p(r.p, prefix=True)
        lines.append(f"{verdict:<19}  {r.finding}: {r.estimate:.{digits}f}{ci}{p}")
    return lines
