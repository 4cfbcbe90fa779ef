"""The tests of the 3 x 2 thesis ANOVA by name, and their analytic (noncentral F) power.

With equal n per cell, Type I, II and III sums of squares coincide, and every test of the
2 (valence) x 3 (response) ANOVA has a closed form in the cell means and the pooled
within-cell variance. Simple effects of valence within each response level use the pooled
error term of the full model (as SPSS ``/EMMEANS ... COMPARE`` and R ``emmeans`` do). The
simulated tests of any design are in :mod:`studylib.power._ftests`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_fraction, check_option
from ..errors import InputTypeError, SpecError
from ._effects import RESPONSE, VALENCE
from ._grid import check_grid

__all__ = ["power_anova_analytic", "ANOVA_TESTS", "anova_test_labels"]

ANOVA_TESTS = ("interaction", "simple", "valence", "response")


def check_tests(tests: Any) -> tuple[str, ...]:
    if isinstance(tests, str):
        tests = (tests,)
    if not isinstance(tests, Iterable):
        raise InputTypeError(f"tests must be a sequence of test names; got {tests!r}")
    tests = tuple(tests)
    if not tests:
        raise SpecError(f"tests must name at least one of {', '.join(map(repr, ANOVA_TESTS))}")
    for t in tests:
        check_option(t, "each ANOVA test", ANOVA_TESTS)
    return tuple(t for t in ANOVA_TESTS if t in tests)


def anova_test_labels(tests: Sequence[str]) -> list[tuple[str, int]]:
    """(label, numerator df) of each F test, in output order."""
    out = []
    for t in tests:
        if t == "interaction":
            out.append(("valence x response", 2))
        elif t == "valence":
            out.append(("valence", 1))
        elif t == "response":
            out.append(("response", 2))
        else:
            out += [(f"valence | {w}", 1) for w in RESPONSE]
    return out


def check_cell_means(cell_means: Any, sd: Any) -> tuple[np.ndarray, float]:
    """Cell means as a (2, 3) array (valence rows, response columns) and the SD."""
    if isinstance(cell_means, pd.DataFrame):
        idx = [str(i) for i in cell_means.index]
        cols = [str(c) for c in cell_means.columns]
        if sorted(idx) != sorted(VALENCE) or sorted(cols) != sorted(RESPONSE):
            raise SpecError(
                "cell_means as a DataFrame needs index (valence) 'negative', 'positive' and "
                f"columns (response) 'none', 'like', 'reply'; got index {idx}, columns {cols}"
            )
        cell_means = cell_means.copy()
        cell_means.index, cell_means.columns = idx, cols
        cell_means = cell_means.loc[list(VALENCE), list(RESPONSE)]
    try:
        mu = np.asarray(cell_means, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(
            "cell_means must be numbers in a 2 x 3 array (rows valence negative, positive; "
            f"columns response none, like, reply) or such a DataFrame; got {cell_means!r}"
        ) from None
    if mu.shape != (2, 3):
        raise SpecError(
            "cell_means must be 2 x 3 (rows valence negative, positive; columns response "
            f"none, like, reply); got shape {mu.shape}"
        )
    if not np.isfinite(mu).all():
        raise SpecError(f"cell_means must be finite numbers; got {mu.tolist()}")
    try:
        sd = float(sd)
    except (TypeError, ValueError):
        raise InputTypeError(f"sd must be a number; got {sd!r}") from None
    if not (np.isfinite(sd) and sd > 0):
        raise SpecError(f"sd (within-cell standard deviation) must be > 0; got {sd!r}")
    return mu, sd


def _noncentrality(mu: np.ndarray, sd: float, n: int, tests: Sequence[str]) -> list[float]:
    """Noncentrality parameters λ of the F tests for population means ``mu`` (2, 3)."""
    grand = mu.mean()
    rows, cols = mu.mean(axis=1), mu.mean(axis=0)
    var = sd**2
    out = []
    for t in tests:
        if t == "interaction":
            resid = mu - rows[:, None] - cols[None, :] + grand
            out.append(n * float((resid**2).sum()) / var)
        elif t == "valence":
            out.append(3 * n * float(((rows - grand) ** 2).sum()) / var)
        elif t == "response":
            out.append(2 * n * float(((cols - grand) ** 2).sum()) / var)
        else:
            out += [n / 2 * float((mu[1, j] - mu[0, j]) ** 2) / var for j in range(3)]
    return out


def power_anova_analytic(
    cell_means: Any,
    *,
    sd: float = 1.0,
    n_grid: Sequence[int],
    alpha: float = 0.05,
    tests: Sequence[str] = ("interaction", "simple"),
) -> pd.DataFrame:
    """Analytic power of the 3 x 2 ANOVA F tests from the noncentral F distribution.

    Parameters
    ----------
    cell_means : array-like (2, 3) or DataFrame
        Population means; rows valence ``negative``, ``positive``; columns response
        ``none``, ``like``, ``reply`` (a DataFrame is matched by labels).
    sd : float, default 1
        Within-cell standard deviation (equal in every cell).
    n_grid : sequence of int
        Sample sizes per cell (each >= 2).
    alpha : float, default 0.05
        Significance level.
    tests : sequence of str, default ("interaction", "simple")
        Any of ``"interaction"`` (valence x response, df 2), ``"simple"`` (the effect of
        valence within each response level, df 1 each, pooled error), ``"valence"``,
        ``"response"`` (main effects).

    Returns
    -------
    pandas.DataFrame
        One row per test and n: ``effect, n_per_cell, n_total, df1, df2, noncentrality,
        cohens_f, power``. ``cohens_f`` is sqrt(λ / N).

    Raises
    ------
    SpecError
        Cell means not 2 x 3 or not finite, ``sd <= 0``, an empty grid.
    OptionError
        An unknown test, ``alpha`` outside (0, 1), a grid value below 2.

    See Also
    --------
    power_anova : the same tests by Monte Carlo simulation.

    Notes
    -----
    With n per cell, N = 6n and error df :math:`N - 6`, the power of a test with numerator
    df :math:`d_1` and noncentrality :math:`\\lambda` is

    .. math:: 1 - F_{d_1, N-6, \\lambda}(F^{-1}_{d_1, N-6}(1 - \\alpha)),

    with :math:`\\lambda = n \\sum_{ij} (\\mu_{ij} - \\mu_{i.} - \\mu_{.j} + \\mu_{..})^2 /
    \\sigma^2` for the interaction and :math:`\\lambda = (n/2)(\\mu_{+j} - \\mu_{-j})^2 /
    \\sigma^2` for the simple effect of valence at response level j. Cross-checked in the
    tests against ``statsmodels.stats.power.FTestPower`` (which writes
    :math:`\\lambda = f^2 (d_1 + d_2 + \\text{ncc})`) and, for the one-df tests, against
    ``pingouin.power_anova`` of the equivalent one-way layout.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.),
    ch. 8. Erlbaum. https://doi.org/10.4324/9780203771587

    Examples
    --------
    >>> from studylib.power import power_anova_analytic
    >>> mu = [[0.0, 0.3, 0.5], [0.4, 0.0, -0.1]]  # rows negative/positive valence
    >>> tab = power_anova_analytic(mu, sd=1.0, n_grid=[20, 50], tests=["interaction"])
    >>> tab[["effect", "n_per_cell", "df2", "power"]].round(3)
                   effect  n_per_cell  df2  power
    0  valence x response          20  114  0.515
    1  valence x response          50  294  0.909
    >>> # R: 1 - pf(qf(0.95, 2, 114), 2, 114, ncp = lambda)  (lambda = n sum(resid^2) / sd^2)
    """
    mu, sd = check_cell_means(cell_means, sd)
    grid = check_grid(n_grid)
    alpha = check_fraction(alpha, "alpha")
    tests = check_tests(tests)
    labels = anova_test_labels(tests)
    rows = []
    for n in grid:
        df2 = 6 * n - 6
        lam = _noncentrality(mu, sd, n, tests)
        for (label, df1), nc in zip(labels, lam, strict=True):
            crit = stats.f.isf(alpha, df1, df2)
            power = stats.f.sf(crit, df1, df2) if nc == 0 else stats.ncf.sf(crit, df1, df2, nc)
            rows.append((label, n, 6 * n, df1, df2, nc, np.sqrt(nc / (6 * n)), float(power)))
    return pd.DataFrame(
        rows,
        columns=["effect", "n_per_cell", "n_total", "df1", "df2", "noncentrality", "cohens_f", "power"],
    )
