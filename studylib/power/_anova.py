"""The tests of a two-factor ANOVA from cell means by name, and their analytic (noncentral F) power.

With equal n per cell, Type I, II and III sums of squares coincide, and every test of an
r x c ANOVA (rows factor A, columns factor B) has a closed form in the cell means and the
pooled within-cell variance. Simple effects of A within each level of B use the pooled
error term of the full model (as SPSS ``/EMMEANS ... COMPARE`` and R ``emmeans`` do). The
factors are named by ``factors`` (default: the example study's X and W,
``analyses/power_model83.yaml``). The simulated tests of any design are in
:mod:`studylib.power._ftests`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_fraction, check_option
from ..errors import InputTypeError, SpecError
from ._grid import check_grid

__all__ = ["power_anova_analytic", "anova_tests", "anova_test_labels"]

Factors = tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]]


def check_factors(factors: Any) -> Factors:
    """Two factors ``{rows: levels, columns: levels}``; None: the example study's X and W."""
    if factors is None:
        from ._design83 import example_design

        return example_design().factors
    if not isinstance(factors, Mapping) or len(factors) != 2:
        raise SpecError(f"factors must map the two factors (rows, columns) to their levels; got {factors!r}")
    out = []
    for name, levels in factors.items():
        if isinstance(levels, (str, bytes)) or not isinstance(levels, Iterable):
            raise SpecError(f"factors[{name!r}] must list the factor's levels; got {levels!r}")
        levels = tuple(str(v) for v in levels)
        if len(levels) < 2 or len(set(levels)) != len(levels):
            raise SpecError(f"factors[{name!r}] must list at least 2 distinct levels; got {list(levels)}")
        out.append((str(name), levels))
    return tuple(out)  # type: ignore[return-value]


def anova_tests(factors: Factors) -> tuple[str, ...]:
    """The test names: ``"interaction"``, ``"simple"`` and each factor's main effect by its name."""
    return ("interaction", "simple", factors[0][0], factors[1][0])


def check_tests(tests: Any, factors: Factors) -> tuple[str, ...]:
    allowed = anova_tests(factors)
    if isinstance(tests, str):
        tests = (tests,)
    if not isinstance(tests, Iterable):
        raise InputTypeError(f"tests must be a sequence of test names; got {tests!r}")
    tests = tuple(tests)
    if not tests:
        raise SpecError(f"tests must name at least one of {', '.join(map(repr, allowed))}")
    for t in tests:
        check_option(t, "each ANOVA test", allowed)
    return tuple(t for t in allowed if t in tests)


def anova_test_labels(tests: Sequence[str], factors: Factors) -> list[tuple[str, int]]:
    """(label, numerator df) of each F test, in output order (the labels of :func:`studylib.power`)."""
    (a, la), (b, lb) = factors
    out = []
    for t in tests:
        if t == "interaction":
            out.append((f"{a} x {b}", (len(la) - 1) * (len(lb) - 1)))
        elif t == a:
            out.append((a, len(la) - 1))
        elif t == b:
            out.append((b, len(lb) - 1))
        else:
            out += [(f"{a} | {w}", len(la) - 1) for w in lb]
    return out


def check_cell_means(cell_means: Any, sd: Any, factors: Factors) -> tuple[np.ndarray, float]:
    """Cell means as an (r, c) array (rows: the first factor's levels) and the SD."""
    (a, la), (b, lb) = factors
    layout = f"rows {a} {', '.join(la)}; columns {b} {', '.join(lb)}"
    if isinstance(cell_means, pd.DataFrame):
        idx = [str(i) for i in cell_means.index]
        cols = [str(c) for c in cell_means.columns]
        if sorted(idx) != sorted(la) or sorted(cols) != sorted(lb):
            raise SpecError(
                f"cell_means as a DataFrame needs index ({a}) {', '.join(map(repr, la))} and columns ({b}) "
                f"{', '.join(map(repr, lb))}; got index {idx}, columns {cols}"
            )
        cell_means = cell_means.copy()
        cell_means.index, cell_means.columns = idx, cols
        cell_means = cell_means.loc[list(la), list(lb)]
    try:
        mu = np.asarray(cell_means, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"cell_means must be numbers in a {len(la)} x {len(lb)} array ({layout}) or such a DataFrame; "
            f"got {cell_means!r}"
        ) from None
    if mu.shape != (len(la), len(lb)):
        raise SpecError(f"cell_means must be {len(la)} x {len(lb)} ({layout}); got shape {mu.shape}")
    if not np.isfinite(mu).all():
        raise SpecError(f"cell_means must be finite numbers; got {mu.tolist()}")
    try:
        sd = float(sd)
    except (TypeError, ValueError):
        raise InputTypeError(f"sd must be a number; got {sd!r}") from None
    if not (np.isfinite(sd) and sd > 0):
        raise SpecError(f"sd (within-cell standard deviation) must be > 0; got {sd!r}")
    return mu, sd


def _noncentrality(mu: np.ndarray, sd: float, n: int, tests: Sequence[str], factors: Factors) -> list[float]:
    """Noncentrality parameters λ of the F tests for population means ``mu`` (r, c)."""
    (a, _), (b, _) = factors
    r, c = mu.shape
    grand = mu.mean()
    rows, cols = mu.mean(axis=1), mu.mean(axis=0)
    var = sd**2
    out = []
    for t in tests:
        if t == "interaction":
            resid = mu - rows[:, None] - cols[None, :] + grand
            out.append(n * float((resid**2).sum()) / var)
        elif t == a:
            out.append(c * n * float(((rows - grand) ** 2).sum()) / var)
        elif t == b:
            out.append(r * n * float(((cols - grand) ** 2).sum()) / var)
        else:
            out += [n * float(((mu[:, j] - cols[j]) ** 2).sum()) / var for j in range(c)]
    return out


def power_anova_analytic(
    cell_means: Any,
    *,
    sd: float = 1.0,
    n_grid: Sequence[int],
    alpha: float = 0.05,
    tests: Sequence[str] = ("interaction", "simple"),
    factors: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Analytic power of the F tests of a two-factor ANOVA from the noncentral F distribution.

    Parameters
    ----------
    cell_means : array-like (r, c) or DataFrame
        Population means; rows the levels of the first factor of ``factors``, columns those
        of the second (a DataFrame is matched by its labels).
    sd : float, default 1
        Within-cell standard deviation (equal in every cell).
    n_grid : sequence of int
        Sample sizes per cell (each >= 2).
    alpha : float, default 0.05
        Significance level.
    tests : sequence of str, default ("interaction", "simple")
        Any of ``"interaction"`` (A x B, df (r - 1)(c - 1)), ``"simple"`` (the effect of A
        within each level of B, df r - 1 each, pooled error) and the name of either factor
        (its main effect).
    factors : dict, optional
        The two factors, rows first, each mapped to its levels, e.g.
        ``{"frame": ["gain", "loss"], "source": ["peer", "brand", "ad"]}``. Default: the
        example study's X and W (``analyses/power_model83.yaml``).

    Returns
    -------
    pandas.DataFrame
        One row per test and n: ``effect, n_per_cell, n_total, df1, df2, noncentrality,
        cohens_f, power``. ``cohens_f`` is sqrt(λ / N).

    Raises
    ------
    SpecError
        Cell means not r x c or not finite, ``sd <= 0``, an empty grid, bad ``factors``.
    OptionError
        An unknown test, ``alpha`` outside (0, 1), a grid value below 2.

    See Also
    --------
    power_anova : the same tests by Monte Carlo simulation.

    Notes
    -----
    With n per cell, N = rcn and error df :math:`N - rc`, the power of a test with numerator
    df :math:`d_1` and noncentrality :math:`\\lambda` is

    .. math:: 1 - F_{d_1, N-rc, \\lambda}(F^{-1}_{d_1, N-rc}(1 - \\alpha)),

    with :math:`\\lambda = n \\sum_{ij} (\\mu_{ij} - \\mu_{i.} - \\mu_{.j} + \\mu_{..})^2 /
    \\sigma^2` for the interaction and :math:`\\lambda = n \\sum_i (\\mu_{ij} - \\mu_{.j})^2 /
    \\sigma^2` for the simple effect of A at level j of B (with two rows,
    :math:`(n/2)(\\mu_{2j} - \\mu_{1j})^2 / \\sigma^2`). Cross-checked in the tests against
    ``statsmodels.stats.power.FTestPower`` (which writes
    :math:`\\lambda = f^2 (d_1 + d_2 + \\text{ncc})`) and, for the one-df tests, against
    ``pingouin.power_anova`` of the equivalent one-way layout.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.),
    ch. 8. Erlbaum. https://doi.org/10.4324/9780203771587

    Examples
    --------
    The example study's 2 x 3 design (rows negative/positive valence; columns none, like,
    reply):

    >>> from studylib.power import power_anova_analytic
    >>> mu = [[0.0, 0.3, 0.5], [0.4, 0.0, -0.1]]
    >>> tab = power_anova_analytic(mu, sd=1.0, n_grid=[20, 50], tests=["interaction"])
    >>> tab[["effect", "n_per_cell", "df2", "power"]].round(3)
                   effect  n_per_cell  df2  power
    0  valence x response          20  114  0.515
    1  valence x response          50  294  0.909
    >>> # R: 1 - pf(qf(0.95, 2, 114), 2, 114, ncp = lambda)  (lambda = n sum(resid^2) / sd^2)
    """
    factors = check_factors(factors)
    mu, sd = check_cell_means(cell_means, sd, factors)
    grid = check_grid(n_grid)
    alpha = check_fraction(alpha, "alpha")
    tests = check_tests(tests, factors)
    labels = anova_test_labels(tests, factors)
    cells = mu.size
    rows = []
    for n in grid:
        df2 = cells * n - cells
        lam = _noncentrality(mu, sd, n, tests, factors)
        for (label, df1), nc in zip(labels, lam, strict=True):
            crit = stats.f.isf(alpha, df1, df2)
            power = stats.f.sf(crit, df1, df2) if nc == 0 else stats.ncf.sf(crit, df1, df2, nc)
            rows.append((label, n, cells * n, df1, df2, nc, np.sqrt(nc / (cells * n)), float(power)))
    return pd.DataFrame(
        rows,
        columns=["effect", "n_per_cell", "n_total", "df1", "df2", "noncentrality", "cohens_f", "power"],
    )
