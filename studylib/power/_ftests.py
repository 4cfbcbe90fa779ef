"""F tests of any balanced between-subjects factorial ANOVA, for many replications at once.

The omnibus tests (every main effect and interaction) come from
:class:`studylib.anova.FactorialDesign`, the array-level path of :func:`studylib.anova`,
which fits all replications in one product. The simple effects are those the pipeline
reports (:func:`studylib.emmeans.simple_effects` with ``effect`` the first factor and
``by`` the others): with equal cell sizes the joint F test that the marginal means of
``effect`` are equal at one level combination of ``by`` has the closed form

.. math:: F = \\frac{n_m \\sum_i (\\bar y_i - \\bar y_\\cdot)^2}{(a - 1)\\, MS_{res}},

where :math:`\\bar y_i` are the ``a`` marginal means at that combination (each the mean of
:math:`n_m` observations) and :math:`MS_{res}` is the full model's residual mean square.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np

__all__ = ["anova_labels", "anova_pvalues", "contrast_label", "contrast_counts"]


def anova_labels(between: Sequence[str], levels: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """``(test, effect)`` of each F test in output order: omnibus terms, then simple effects.

    Terms are named by their factors joined with `` x `` (``"frame x source"``); a
    simple effect by ``"<effect> | <level of by>[, <level>...]"`` (``"frame | peer"``).
    """
    from ..anova import FactorialDesign

    k = len(between)
    codes = np.array(list(product(*[range(len(lv)) for lv in levels])) * 2)
    fd = FactorialDesign(codes, [len(lv) for lv in levels], factors=list(between))
    out = [("anova", t.replace(":", " x ")) for t in fd.terms]
    if k > 1:
        for combo in product(*levels[1:]):
            out.append(("simple", f"{between[0]} | {', '.join(combo)}"))
    return out


def anova_pvalues(y: np.ndarray, codes: np.ndarray, n_levels: Sequence[int],
                  between: Sequence[str], ss_type: int) -> np.ndarray:
    """p-values (reps, tests) of the F tests of :func:`anova_labels` for data ``y`` (reps, N).

    ``codes`` (N, k) are the level indices of the ``between`` factors for each row (any
    order of rows, equal counts in every cell).
    """
    from scipy import special

    from ..anova import FactorialDesign

    reps = y.shape[0]
    fd = FactorialDesign(codes, n_levels, ss_type=ss_type, factors=list(between))
    fit = fd.fit(y.T)
    out = [fit.p[j] for j in range(len(fit.terms))]
    if len(n_levels) > 1:
        mse = fit.ss_resid / fit.df_resid
        cell = np.ravel_multi_index(codes.T, n_levels)
        n_cells = int(np.prod(n_levels))
        counts = np.bincount(cell, minlength=n_cells)
        sums = np.zeros((reps, n_cells))
        for c in range(n_cells):
            sums[:, c] = y[:, cell == c].sum(axis=1)
        means = (sums / counts).reshape(reps, *n_levels)  # (reps, a, by...)
        a = n_levels[0]
        m = means.reshape(reps, a, -1)
        ss = counts[0] * ((m - m.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)  # (reps, combos)
        f = ss / (a - 1) / mse[:, None]
        p = special.fdtrc(a - 1, fit.df_resid, f)
        out += [p[:, j] for j in range(p.shape[1])]
    return np.stack(out, axis=1)


def contrast_label(focal: str, first: str, second: str, at: dict[str, str]) -> str:
    """Label of a difference of marginal means: ``"source: expert - peer | hidden"``."""
    where = f" | {', '.join(str(v) for v in at.values())}" if at else ""
    return f"{focal}: {first} - {second}{where}"


def contrast_counts(y: np.ndarray, codes: np.ndarray, n_levels, between, contrasts,
                    alpha: float) -> np.ndarray:
    """(significant, above 0, below 0) counts of each difference of marginal means.

    Each contrast ``(focal, first, second, at)`` is the difference of the marginal means of
    two levels of ``focal`` at the levels ``at`` of other factors (averaged over the rest
    with equal weights), tested by t with the full model's residual mean square, as
    :func:`studylib.emmeans.pairwise` (``adjust="none"``) does; a CI at level 1 - alpha
    excludes 0 exactly when p < alpha.
    """
    from scipy import special

    from ..anova import FactorialDesign

    reps = y.shape[0]
    fit = FactorialDesign(codes, n_levels, factors=list(between)).fit(y.T)
    mse = fit.ss_resid / fit.df_resid
    cell = np.ravel_multi_index(codes.T, n_levels)
    n_cells = int(np.prod(n_levels))
    n = np.bincount(cell, minlength=n_cells)[0]
    sums = np.zeros((reps, n_cells))
    for c in range(n_cells):
        sums[:, c] = y[:, cell == c].sum(axis=1)
    means = (sums / n).reshape(reps, *n_levels)
    out = []
    for focal, first, second, at, levels in contrasts:
        idx_first: list = [slice(None)] * len(between)
        idx_second: list = [slice(None)] * len(between)
        k = list(between).index(focal)
        idx_first[k], idx_second[k] = levels[focal].index(first), levels[focal].index(second)
        for f, lv in at.items():
            j = list(between).index(f)
            idx_first[j] = idx_second[j] = levels[f].index(lv)
        a = means[(slice(None), *idx_first)].reshape(reps, -1)
        b = means[(slice(None), *idx_second)].reshape(reps, -1)
        diff = a.mean(axis=1) - b.mean(axis=1)
        m = a.shape[1]  # cells averaged into each marginal mean
        t = diff / np.sqrt(mse * 2 / (n * m))
        p = 2 * special.stdtr(fit.df_resid, -np.abs(t))
        sig = p < alpha
        out.append((sig.sum(), (sig & (diff > 0)).sum(), (sig & (diff < 0)).sum()))
    return np.asarray(out, dtype=np.int64).reshape(-1, 3)
