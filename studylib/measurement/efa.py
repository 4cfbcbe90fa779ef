"""Exploratory factor analysis: ML, minres or principal-component extraction, varimax,
oblimin or promax rotation, and Horn's parallel analysis for the number of factors."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._json import to_jsonable
from .._validation import as_generator, check_int, check_option
from .._version import __version__
from ..errors import OptionError, StudylibWarning
from . import _efa_math as em
from ._spec import parse_items

__all__ = ["efa", "EFAResult"]

_EXTRACTIONS = ("ml", "minres", "pc")
_ROTATIONS = ("oblimin", "varimax", "promax", None)


@dataclass(frozen=True)
class EFAResult:
    """An exploratory factor analysis (returned by :func:`studylib.efa`).

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings, indexed by item, one column per factor (``F1`` ... ordered by
        variance accounted for, each signed so that its loadings sum to a positive value).
    structure : DataFrame
        Structure loadings (item-factor correlations, ``loadings @ factor_correlations``).
    communalities : DataFrame
        ``item, communality, uniqueness``.
    variance : DataFrame
        One row per factor: ``factor, ss_loadings, proportion, cumulative,
        proportion_explained`` (for an oblique rotation ``ss_loadings`` is
        ``diag(Phi L'L)``, as psych reports).
    factor_correlations : DataFrame
        Square, indexed by factor (identity for orthogonal or no rotation).
    eigenvalues : DataFrame
        ``component, eigenvalue`` (of the correlation matrix) and ``reduced`` (with
        squared multiple correlations on the diagonal).
    parallel : DataFrame or None
        When ``n_factors`` was chosen by parallel analysis: ``component, observed,
        simulated`` (the 95th percentile of the random-data eigenvalues compared).
    fit : dict
        ``chisq, df, p`` of the factor model (psych's likelihood chi-square with Bartlett's
        correction; NaN for ``extraction="pc"``).
    n, n_dropped, n_factors : int
        Respondents used (listwise), rows dropped, factors extracted.
    options : dict
        ``extraction, rotation, seed`` (the seed of parallel analysis, None if not run).
    """

    loadings: pd.DataFrame = field(repr=False)
    structure: pd.DataFrame = field(repr=False)
    communalities: pd.DataFrame = field(repr=False)
    variance: pd.DataFrame = field(repr=False)
    factor_correlations: pd.DataFrame = field(repr=False)
    eigenvalues: pd.DataFrame = field(repr=False)
    parallel: pd.DataFrame | None = field(repr=False)
    fit: dict[str, float] = field(repr=False)
    n: int = 0
    n_dropped: int = 0
    n_factors: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Plain-text report (rounded for reading only)."""
        o = self.options
        how = "parallel analysis" if self.parallel is not None else "given"
        lines = [
            f"Exploratory factor analysis: extraction {o['extraction']}, rotation {o['rotation']}, "
            f"{self.n_factors} factor(s) ({how}), n = {self.n} (listwise; {self.n_dropped} rows dropped)",
        ]
        if np.isfinite(self.fit.get("chisq", np.nan)):
            lines.append(f"  chi2({self.fit['df']}) = {self.fit['chisq']:.3f}, p = {self.fit['p']:.4g}")
        table = self.loadings.join(self.communalities.set_index("item"))
        lines += ["", table.to_string(float_format=lambda v: f"{v:.3f}"), "",
                  self.variance.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
        if o["rotation"] in ("oblimin", "promax") and self.n_factors > 1:
            lines += ["", "Factor correlations", self.factor_correlations.to_string(float_format=lambda v: f"{v:.3f}")]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON content."""
        return to_jsonable(
            {
                "loadings": self.loadings.reset_index(),
                "structure": self.structure.reset_index(),
                "communalities": self.communalities,
                "variance": self.variance,
                "factor_correlations": self.factor_correlations.reset_index(),
                "eigenvalues": self.eigenvalues,
                "parallel": self.parallel,
                "fit": self.fit,
                "n": self.n,
                "n_dropped": self.n_dropped,
                "n_factors": self.n_factors,
                "options": self.options,
                "studylib_version": __version__,
            }
        )


def efa(
    data: pd.DataFrame,
    items: Any,
    *,
    n_factors: int | None = None,
    extraction: str = "ml",
    rotation: str | None = "oblimin",
    seed: Any = None,
) -> EFAResult:
    """Exploratory factor analysis of a set of items.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. Only read.
    items : list of str, Scale or list of Scale
        Item columns (at least 3), or scales whose reverse-keyed items enter recoded
        (``max + min - x``) as in :func:`studylib.score`.
    n_factors : int, optional
        Factors to extract; None chooses them by Horn's parallel analysis (leading
        eigenvalues above the 95th percentile of those of 100 random normal data sets of
        the same size; eigenvalues of the correlation matrix for ``"pc"``, of the reduced
        matrix with squared multiple correlations for ``"ml"``/``"minres"``).
    extraction : {'ml', 'minres', 'pc'}
        Maximum likelihood (psych ``fm = "ml"``), minimum residuals (psych's default) or
        principal components (psych ``principal``).
    rotation : {'oblimin', 'varimax', 'promax', None}
        Oblique oblimin (quartimin, GPArotation's default), varimax with Kaiser
        normalization, promax (R ``stats::promax``, power 4), or none.
    seed : int or numpy.random.Generator, optional
        Random numbers of parallel analysis (only used when ``n_factors`` is None).

    Returns
    -------
    EFAResult
        ``loadings``, ``structure``, ``communalities``, ``variance``,
        ``factor_correlations``, ``eigenvalues``, ``parallel``, ``fit``, ``summary()``,
        ``to_dict()``.

    Raises
    ------
    OptionError
        Unknown extraction or rotation; ``n_factors`` below 1 or leaving no degrees of
        freedom for a factor model.
    ColumnError, DataError
        Unknown or non-numeric item columns.
    ModelError
        Too few complete respondents, an item without variance, linearly dependent items,
        or an extraction that does not converge.

    Warns
    -----
    StudylibWarning
        A Heywood case (a uniqueness at psych's bound 0.005 or below), naming the items.

    See Also
    --------
    sampling_adequacy : KMO and Bartlett's test, usually reported before an EFA.
    cfa : confirmatory factor analysis.

    Notes
    -----
    The ML chi-square is :math:`(n - 1 - (2p + 5)/6 - 2k/3)\\,F` with
    :math:`F = \\operatorname{tr}(\\Sigma^{-1}R) - \\log|\\Sigma^{-1}R| - p` and
    :math:`df = ((p - k)^2 - (p + k))/2`, as psych reports it. Validated against psych 2.2.9
    on HolzingerSwineford1939 (tests/reference/cfa/hs_efa.json): ``fa(fm = "ml", rotate =
    "oblimin")`` loadings, uniquenesses and factor correlations to 1e-5, ``principal(rotate =
    "varimax")`` loadings to 1e-3 (R's varimax stops early, see
    :mod:`studylib.measurement._efa_math`), eigenvalues to 1e-10. minres and promax have no
    R reference here: they are checked by their defining properties.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor
    analysis. Psychometrika, 30(2), 179-185. doi:10.1007/BF02289447

    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and
    personality research (R package version 2.2.9).

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> res = studylib.efa(d, [qs["pk"], qs["attitude"]], n_factors=2)
    >>> res.loadings.round(2).head(3)
             F1    F2
    item
    pk_01 -0.06  0.72
    pk_02  0.10  0.86
    pk_03 -0.05  0.67
    >>> res.factor_correlations.round(3)
               F1     F2
    factor
    F1      1.000 -0.602
    F2     -0.602  1.000
    >>> # R: psych::fa(d[, items], nfactors = 2, fm = "ml", rotate = "oblimin")
    """
    check_option(extraction, "extraction", _EXTRACTIONS)
    check_option(rotation, "rotation", _ROTATIONS)
    names, x, n_dropped = parse_items(data, items, what="efa")
    n, p = x.shape
    r = np.corrcoef(x, rowvar=False)
    eig = np.linalg.eigvalsh(r)[::-1]
    reduced = em.reduced_eigenvalues(r)
    parallel = None
    used_seed = None
    if n_factors is None:
        rng, used_seed = as_generator(seed)
        sim = em.parallel_eigenvalues(n, p, extraction, rng)
        q95 = np.quantile(sim, 0.95, axis=0)
        observed = eig if extraction == "pc" else reduced
        above = observed > q95
        k = int(np.argmin(above)) if not above.all() else p
        k = max(k, 1)
        parallel = pd.DataFrame({"component": np.arange(1, p + 1), "observed": observed, "simulated": q95})
    else:
        k = check_int(n_factors, "n_factors", minimum=1)
    if extraction != "pc" and ((p - k) ** 2 - (p + k)) < 0:
        raise OptionError(
            f"n_factors={k} is too many for {p} items: a factor model needs (p - k)^2 >= p + k; "
            "use fewer factors or extraction='pc'"
        )
    if k > p:
        raise OptionError(f"n_factors must be at most the number of items ({p}); got {k}")
    load, psi = em.extract(r, k, extraction)
    heywood = [names[i] for i in np.flatnonzero(psi <= 0.005 + 1e-9)] if extraction != "pc" else []
    if heywood:
        warnings.warn(
            f"Heywood case in the {extraction} EFA with {k} factors: items {heywood} have a "
            "uniqueness at or below 0.005 (communality near or above 1); try fewer factors",
            StudylibWarning,
            stacklevel=2,
        )
    rot, phi = em.rotate(load, rotation)
    oblique = rotation in ("oblimin", "promax") and k > 1
    rot, phi = em.orient(rot, phi, oblique=oblique)
    return _result(names, r, rot, phi, psi, eig, reduced, parallel, n, n_dropped, k, extraction, rotation, used_seed, oblique)


def _result(
    names: list[str], r: np.ndarray, load: np.ndarray, phi: np.ndarray, psi: np.ndarray,
    eig: np.ndarray, reduced: np.ndarray, parallel: pd.DataFrame | None, n: int, n_dropped: int,
    k: int, extraction: str, rotation: str | None, seed: int | None, oblique: bool,
) -> EFAResult:
    p = len(names)
    cols = [f"F{j + 1}" for j in range(k)]
    idx = pd.Index(names, name="item")
    ss = np.diag(phi @ load.T @ load) if oblique else (load**2).sum(axis=0)
    variance = pd.DataFrame(
        {
            "factor": cols,
            "ss_loadings": ss,
            "proportion": ss / p,
            "cumulative": np.cumsum(ss / p),
            "proportion_explained": ss / ss.sum(),
        }
    )
    fit = {"chisq": np.nan, "df": int(((p - k) ** 2 - (p + k)) // 2), "p": np.nan}
    if extraction != "pc":
        model = load @ phi @ load.T + np.diag(psi)
        m_inv_r = np.linalg.solve(model, r)
        obj = float(np.trace(m_inv_r) - np.linalg.slogdet(m_inv_r)[1] - p)
        chisq = (n - 1 - (2 * p + 5) / 6 - 2 * k / 3) * obj
        fit["chisq"] = chisq
        fit["p"] = float(stats.chi2.sf(chisq, fit["df"])) if fit["df"] > 0 else np.nan
    return EFAResult(
        loadings=pd.DataFrame(load, index=idx, columns=cols),
        structure=pd.DataFrame(load @ phi, index=idx, columns=cols),
        communalities=pd.DataFrame({"item": names, "communality": 1.0 - psi, "uniqueness": psi}),
        variance=variance,
        factor_correlations=pd.DataFrame(phi, index=pd.Index(cols, name="factor"), columns=cols),
        eigenvalues=pd.DataFrame({"component": np.arange(1, p + 1), "eigenvalue": eig, "reduced": reduced}),
        parallel=parallel,
        fit=fit,
        n=n,
        n_dropped=n_dropped,
        n_factors=k,
        options={"extraction": extraction, "rotation": rotation, "seed": seed},
    )
