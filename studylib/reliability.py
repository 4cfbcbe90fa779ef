"""Internal consistency of a scale: Cronbach's alpha (with Feldt CI), standardized alpha,
McDonald's omega total from a one-factor model, and item statistics.

The computations follow R ``psych::alpha`` (and ``psych::omega`` for omega total): by
default every covariance uses all pairs of answers available (``missing="pairwise"``),
and all statistics, including the corrected item-total correlations and alpha if an item
is dropped, are computed from that one covariance matrix. The one-factor model for omega
is fitted here by minimum residuals (minres, psych's default), see :func:`one_factor_minres`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._json import to_jsonable
from ._reliability_math import (
    _MAX_LOADING,
    _alpha_raw,
    _alpha_std,
    _drop_one,
    _feldt_ci,
    _Moments,
    one_factor_minres,
    pairwise_cov,
)
from ._validation import check_dataframe, check_fraction, check_option
from ._version import __version__
from .errors import InputTypeError, ModelError, OptionError, StudylibWarning
from .questionnaires import Scale
from .scoring import _one_scale, checked_matrix

__all__ = ["reliability", "ReliabilityResult", "one_factor_minres", "pairwise_cov"]

_ITEM_COLUMNS = [
    "item",
    "reversed",
    "n",
    "mean",
    "sd",
    "r_total",
    "r_drop",
    "alpha_if_dropped",
    "alpha_std_if_dropped",
    "loading",
]



# --------------------------------------------------------------------------------------
# result


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of one scale (returned by :func:`studylib.reliability`).

    Attributes
    ----------
    alpha : float
        Cronbach's alpha (raw, from covariances).
    alpha_ci : tuple of float
        Feldt confidence interval ``(low, high)`` at level ``conf``.
    alpha_std : float
        Standardized alpha (from correlations).
    omega : float
        McDonald's omega total from a one-factor minres model.
    n : int
        Respondents used: with ``missing="pairwise"`` those with at least one answered
        item; with ``"listwise"`` those with every item answered.
    n_complete : int
        Respondents with every item answered.
    items : DataFrame
        One row per item: ``item``, ``reversed``, ``n`` (answers), ``mean``, ``sd``
        (after reverse keying), ``r_total`` (item-total r, psych ``raw.r``), ``r_drop``
        (corrected item-total r, psych ``r.drop``), ``alpha_if_dropped``,
        ``alpha_std_if_dropped`` and ``loading`` (one-factor loading).
    missing : str
        ``'pairwise'`` or ``'listwise'``.
    conf : float
        Level of ``alpha_ci``.
    scale : str
        Scale id ("" when items were given directly).
    """

    alpha: float
    alpha_ci: tuple[float, float]
    alpha_std: float
    omega: float
    n: int
    n_complete: int
    items: pd.DataFrame = field(repr=False)
    missing: str = "pairwise"
    conf: float = 0.95
    scale: str = ""

    def table(self) -> pd.DataFrame:
        """Tidy summary: one row per coefficient.

        Columns ``term`` (``alpha``, ``alpha_std``, ``omega_total``), ``estimate``,
        ``ci_low``, ``ci_high`` (Feldt interval, alpha only; NaN otherwise), ``n``,
        ``k`` (number of items), ``missing``. The CI level is in ``attrs["conf"]``.
        """
        k = len(self.items)
        out = pd.DataFrame(
            {
                "term": ["alpha", "alpha_std", "omega_total"],
                "estimate": [self.alpha, self.alpha_std, self.omega],
                "ci_low": [self.alpha_ci[0], np.nan, np.nan],
                "ci_high": [self.alpha_ci[1], np.nan, np.nan],
                "n": [self.n] * 3,
                "k": [k] * 3,
                "missing": [self.missing] * 3,
            }
        )
        out.attrs["conf"] = self.conf
        out.attrs["scale"] = self.scale
        return out

    def summary(self) -> str:
        """Plain-text report (rounded for reading only)."""
        name = f"scale '{self.scale}'" if self.scale else "items"
        lines = [
            f"Reliability of {name}: k = {len(self.items)} items, n = {self.n} "
            f"({self.missing}; {self.n_complete} complete)",
            f"  Cronbach's alpha = {self.alpha:.3f}, {self.conf:.0%} CI (Feldt) "
            f"[{self.alpha_ci[0]:.3f}, {self.alpha_ci[1]:.3f}]",
            f"  standardized alpha = {self.alpha_std:.3f}",
            f"  McDonald's omega total (one factor, minres) = {self.omega:.3f}",
            "",
            self.items.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON content (what ``studylib score --json`` writes for reliability)."""
        return to_jsonable(
            {
                "scale": self.scale,
                "alpha": self.alpha,
                "alpha_ci": list(self.alpha_ci),
                "alpha_std": self.alpha_std,
                "omega": self.omega,
                "n": self.n,
                "n_complete": self.n_complete,
                "k": len(self.items),
                "missing": self.missing,
                "conf": self.conf,
                "omega_method": "one-factor minres on the correlation matrix; omega_t = 1 - sum(u2) / sum(R)",
                "items": self.items,
                "studylib_version": __version__,
            }
        )


# --------------------------------------------------------------------------------------
# main function


def _resolve(
    data: pd.DataFrame,
    items: Sequence[str] | None,
    scale: Any,
    reverse: Sequence[str],
    lo: float | None,
    hi: float | None,
) -> tuple[str, list[str], list[str], float | None, float | None]:
    if scale is not None:
        if items is not None or tuple(reverse) or lo is not None or hi is not None:
            raise OptionError(
                "give either scale= or items/reverse/min/max, not both: the scale "
                "definition already declares its items, reverse keys and range"
            )
        scale = _one_scale(scale)
        return scale.id, list(scale.items), list(scale.reverse), scale.min, scale.max
    if items is None:
        items = [str(c) for c in data.columns]
    if isinstance(items, str):
        raise InputTypeError(f"items must be a list of column names; got the string {items!r}")
    items = list(items)
    rev = list(reverse) if not isinstance(reverse, str) else [reverse]
    plain = []
    for it in items:  # psych's "-A1" shorthand
        if isinstance(it, str) and it.startswith("-") and it not in data.columns:
            plain.append(it[1:])
            rev.append(it[1:])
        else:
            plain.append(it)
    if (lo is None) != (hi is None):
        raise OptionError("give both min= and max= (the declared response range), or neither")
    if lo is not None:
        for name, v in (("min", lo), ("max", hi)):
            if not isinstance(v, int | float | np.number) or isinstance(v, bool) or not np.isfinite(v):
                raise OptionError(f"{name} must be a finite number; got {v!r}")
        if not lo < hi:
            raise OptionError(f"max must be greater than min; got min={lo!r}, max={hi!r}")
    if rev and lo is None:
        raise OptionError(
            f"reverse keying of {rev} needs the declared response range: pass min= and max= "
            "(e.g. min=1, max=7); it is never inferred from the data"
        )
    unknown = [r for r in rev if r not in plain]
    if unknown:
        raise OptionError(f"reverse items {unknown} are not among the items {plain}")
    rev = [i for i in plain if i in set(rev)]
    return "", plain, rev, lo, hi


def reliability(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    scale: Scale | str | None = None,
    reverse: Sequence[str] = (),
    min: float | None = None,
    max: float | None = None,
    missing: str = "pairwise",
    conf: float = 0.95,
) -> ReliabilityResult:
    """Cronbach's alpha with Feldt CI, standardized alpha, omega total and item statistics.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : list of str, optional
        Item columns; psych's ``"-A1"`` marks a reverse-keyed item. Default: every
        column of ``data`` (unless ``scale`` is given).
    scale : Scale, str, path or dict, optional
        A scale (or its id, a YAML path or a definition dict) whose items, reverse keys
        and declared range are used.
        Do not combine with ``items``/``reverse``/``min``/``max``.
    reverse : list of str
        Reverse-keyed items, recoded ``max + min - x``; needs ``min`` and ``max``.
    min, max : float, optional
        Declared response range; when given, answers outside it are an error.
    missing : {'pairwise', 'listwise'}
        ``'pairwise'`` (psych's default): each covariance uses all respondents who
        answered both items. ``'listwise'``: only respondents who answered every item.
        Missing answers are never imputed.
    conf : float
        Level of the Feldt interval for alpha.

    Returns
    -------
    ReliabilityResult
        ``alpha``, ``alpha_ci``, ``alpha_std``, ``omega``, ``n``, ``n_complete``, the item
        table ``items`` (columns ``item, reversed, n, mean, sd, r_total, r_drop,
        alpha_if_dropped, alpha_std_if_dropped, loading``), ``.table()``, ``.summary()``,
        ``.to_dict()``.

    Raises
    ------
    OptionError
        Reverse keys without ``min``/``max``, unknown ``missing``, conflicting options.
    InputTypeError
        ``items`` is a single string instead of a list of column names.
    ColumnError, DataError
        Unknown or duplicated item columns; non-numeric or out-of-range answers.
    SpecError
        ``scale`` is an unknown id, an invalid definition or a set of single items.
    ModelError
        Fewer than 2 items, an item without variance, a pair of items never answered
        together, or fewer than 2 respondents. (With 2 items, omega, the loadings and
        alpha if dropped are NaN: a one-factor model needs 3 items.)

    See Also
    --------
    studylib.score : scale scores with the same reverse keys.

    Notes
    -----
    With :math:`C` the (pairwise) covariance matrix of the :math:`k` reverse-keyed items
    and :math:`R` the matching correlation matrix (``cov2cor(C)``):

    .. math::

        \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1'C\\mathbf 1}\\Big),
        \\qquad
        \\alpha_{std} = \\frac{k}{k-1}\\Big(1 - \\frac{k}{\\mathbf 1'R\\mathbf 1}\\Big)

    ``r_drop`` of item *i* is :math:`(\\mathbf 1'C_{\\cdot i} - C_{ii}) /
    \\sqrt{C_{ii}\\,\\mathbf 1'C_{-i,-i}\\mathbf 1}` and ``alpha_if_dropped`` is alpha of
    :math:`C_{-i,-i}`, both from the same matrix, as in psych. ``r_total`` correlates each
    item with the mean of the answered items (pairwise complete). The Feldt interval is
    :math:`1 - (1-\\alpha) F_{1-p/2 \\text{ or } p/2}(n-1, (n-1)(k-1))` with
    :math:`p = 1 -` ``conf``. Omega total is :math:`1 - \\sum_i u_i^2 /
    \\mathbf 1'R\\mathbf 1` with uniquenesses :math:`u_i^2 = 1 - \\lambda_i^2` of a
    one-factor minres model fitted to :math:`R` (as ``psych::omega`` computes omega_t).

    Validated against R psych 2.2.9 ``alpha()`` on ``psychTools::bfi`` (tests/reference/
    reliability/): alpha, standardized alpha, listwise alpha and n, r.drop and
    alpha-if-dropped to 1e-6 relative; omega total (``missing="listwise"``) within 0.002 of
    the reference one-factor value (measured difference < 1e-4). The reference omega values
    match a model of the complete cases; with ``"pairwise"`` omega uses the pairwise
    correlation matrix and differs from them by up to 0.003 on bfi.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334. doi:10.1007/BF02310555

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.
    doi:10.1177/014662168701100107

    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.

    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and
    personality research (R package version 2.2.9).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [4, 3, 3, 1, 5, 5, 3, 3, 3, 2],
    ...                    "b": [3, 2, 2, 1, 3, 4, 3, 3, 2, 4],
    ...                    "c": [3, 3, 3, 5, 3, 1, 3, 2, 3, 5],
    ...                    "d": [2, 2, 3, 2, 3, 5, 3, 5, 4, None]})
    >>> res = reliability(df, ["a", "b", "c", "d"], reverse=["c"], min=1, max=5)
    >>> round(res.alpha, 4), round(res.alpha_std, 4), round(res.omega, 4), res.n
    (0.825, 0.8248, 0.8308, 10)
    >>> [round(v, 4) for v in res.alpha_ci]
    [0.5396, 0.9512]
    >>> res.items[["item", "reversed", "n", "r_drop", "alpha_if_dropped"]].round(4)
      item  reversed   n  r_drop  alpha_if_dropped
    0    a     False  10  0.6706            0.7704
    1    b     False  10  0.5570            0.8201
    2    c      True  10  0.7725            0.7191
    3    d     False   9  0.6183            0.7948
    >>> # R: psych::alpha(df, keys = "c")  (psych infers min/max from the data; here declared)
    """
    check_dataframe(data)
    check_option(missing, "missing", ("pairwise", "listwise"))
    conf = check_fraction(conf, "conf")
    sid, cols, rev, lo, hi = _resolve(data, items, scale, reverse, min, max)
    context = f"scale {sid!r}" if sid else "reliability"
    k = len(cols)
    if k < 2:
        raise ModelError(f"reliability needs at least 2 items; got {cols}")
    x = checked_matrix(data, cols, lo, hi, context=context)
    if rev:
        idx = [cols.index(i) for i in rev]
        x[:, idx] = (lo + hi) - x[:, idx]
    answered = ~np.isnan(x)
    complete = answered.all(axis=1)
    n_complete = int(complete.sum())
    if missing == "listwise":
        x = x[complete]
        answered = answered[complete]
        n = n_complete
    else:
        keep = answered.any(axis=1)
        n = int(keep.sum())
        if n < len(keep):
            x = x[keep]
            answered = answered[keep]
    if n < 2:
        raise ModelError(f"reliability needs at least 2 respondents with answers ({missing}); got {n}")

    mom = _Moments(x, answered)
    c, pairs = mom.cov, mom.pairs
    var = np.diag(c)
    bad = [cols[i] for i in range(k) if not np.isfinite(var[i]) or var[i] <= 0]
    if bad:
        raise ModelError(f"items without variance (all answers equal or fewer than 2 answers): {bad} ({context}); drop them")
    if not np.isfinite(c).all():
        i, j = np.argwhere(~np.isfinite(c))[0]
        raise ModelError(
            f"items {cols[i]!r} and {cols[j]!r} are answered together by {pairs[i, j]} respondents; "
            f"a covariance needs at least 2 ({context}); use fewer items or more data"
        )
    sd = np.sqrt(var)
    r = c / np.outer(sd, sd)
    alpha = _alpha_raw(c)
    alpha_std = _alpha_std(r)
    alpha_drop, r_drop = _drop_one(c)
    alpha_std_drop, _ = _drop_one(r)

    # item-total correlation with the mean of answered items (psych raw.r), pairwise
    r_total = mom.item_total_r()
    n_i = mom.n_i
    item_mean = mom.mean
    item_sd = np.sqrt(mom.ss / (n_i - 1))

    omega = np.nan
    loadings = np.full(k, np.nan)
    if k >= 3:
        loadings = one_factor_minres(r)
        h2 = loadings**2
        heywood = np.abs(loadings) >= _MAX_LOADING - 1e-8
        if heywood.any():
            warnings.warn(
                f"one-factor model has a Heywood case (communality bounded at 0.995) for "
                f"{[cols[i] for i in np.nonzero(heywood)[0]]} ({context}); omega total is not trustworthy",
                StudylibWarning,
                stacklevel=2,
            )
        omega = float(1 - (1 - h2).sum() / r.sum())

    table = pd.DataFrame(
        {
            "item": cols,
            "reversed": [c_ in set(rev) for c_ in cols],
            "n": n_i.astype(np.int64),
            "mean": item_mean,
            "sd": item_sd,
            "r_total": r_total,
            "r_drop": r_drop,
            "alpha_if_dropped": alpha_drop,
            "alpha_std_if_dropped": alpha_std_drop,
            "loading": loadings,
        },
        columns=_ITEM_COLUMNS,
    )
    return ReliabilityResult(
        alpha=alpha,
        alpha_ci=_feldt_ci(alpha, n, k, conf),
        alpha_std=alpha_std,
        omega=omega,
        n=n,
        n_complete=n_complete,
        items=table,
        missing=missing,
        conf=conf,
        scale=sid,
    )
