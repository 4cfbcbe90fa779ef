"""Checks that usually precede or accompany a factor analysis: the Kaiser-Meyer-Olkin
measure of sampling adequacy, Bartlett's test of sphericity, and Harman's single-factor
test for common-method variance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._json import to_jsonable
from .._validation import check_option
from . import _efa_math as em
from ._spec import parse_items

__all__ = ["sampling_adequacy", "SamplingAdequacy", "harman_test"]


@dataclass(frozen=True)
class SamplingAdequacy:
    """KMO and Bartlett's test (returned by :func:`studylib.sampling_adequacy`).

    Attributes
    ----------
    kmo : float
        Overall Kaiser-Meyer-Olkin measure of sampling adequacy.
    items : DataFrame
        ``item, msa``: the measure of sampling adequacy of each item.
    bartlett : dict
        ``chisq, df, p`` of Bartlett's test that the correlation matrix is an identity.
    n, n_dropped : int
        Respondents used (listwise) and rows dropped.
    """

    kmo: float
    items: pd.DataFrame = field(repr=False)
    bartlett: dict[str, float] = field(repr=False)
    n: int = 0
    n_dropped: int = 0

    def summary(self) -> str:
        b = self.bartlett
        return "\n".join(
            [
                f"Sampling adequacy: n = {self.n} (listwise; {self.n_dropped} rows dropped)",
                f"  KMO = {self.kmo:.3f}; Bartlett's test chi2({b['df']}) = {b['chisq']:.3f}, p = {b['p']:.3g}",
                "",
                self.items.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable({"kmo": self.kmo, "items": self.items, "bartlett": self.bartlett,
                            "n": self.n, "n_dropped": self.n_dropped})


def sampling_adequacy(data: pd.DataFrame, items: Any) -> SamplingAdequacy:
    """Kaiser-Meyer-Olkin measure of sampling adequacy and Bartlett's test of sphericity.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. Only read.
    items : list of str, Scale or list of Scale
        At least 3 item columns, or scales (reverse-keyed items recoded; it does not change
        KMO or Bartlett's test, which use absolute or squared correlations).

    Returns
    -------
    SamplingAdequacy
        ``kmo``, ``items`` (``item, msa``), ``bartlett`` (``chisq, df, p``), ``n``,
        ``n_dropped``, ``summary()``, ``to_dict()``.

    Raises
    ------
    ColumnError, DataError, ModelError
        Unknown or non-numeric items; an item without variance; linearly dependent items
        (the KMO needs the inverse of the correlation matrix).

    See Also
    --------
    efa : the factor analysis itself.

    Notes
    -----
    With :math:`R` the correlation matrix of the complete cases and :math:`q_{ij} =
    -(R^{-1})_{ij} / \\sqrt{(R^{-1})_{ii}(R^{-1})_{jj}}` the partial correlations,

    .. math::

        KMO = \\frac{\\sum_{i \\ne j} r_{ij}^2}{\\sum_{i \\ne j} r_{ij}^2 + \\sum_{i \\ne j}
        q_{ij}^2}, \\qquad
        \\chi^2_{Bartlett} = -\\Big(n - 1 - \\frac{2p + 5}{6}\\Big)\\log|R|, \\quad
        df = \\frac{p(p-1)}{2}

    and each item's MSA is the same ratio over its own row. Kaiser (1974) calls KMO values
    in the .60s mediocre and from .80 meritorious. Validated against R psych 2.2.9
    ``KMO()`` and ``cortest.bartlett()`` on HolzingerSwineford1939 to 1e-6
    (tests/reference/cfa/hs_cfa.json). psych uses pairwise correlations by default; here
    the complete cases are used (identical on complete data).

    References
    ----------
    Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1), 31-36.
    doi:10.1007/BF02291575

    Bartlett, M. S. (1950). Tests of significance in factor analysis. British Journal of
    Statistical Psychology, 3(2), 77-85. doi:10.1111/j.2044-8317.1950.tb00285.x

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> sa = studylib.sampling_adequacy(d, [qs["psr"], qs["pk"], qs["attitude"]])
    >>> round(sa.kmo, 3), sa.bartlett["df"], sa.n
    (0.94, 153, 203)
    >>> # R: psych::KMO(d[, items]); psych::cortest.bartlett(cor(d[, items]), n = nrow(d))
    """
    names, x, n_dropped = parse_items(data, items, what="sampling_adequacy")
    n, p = x.shape
    r = np.corrcoef(x, rowvar=False)
    inv = np.linalg.inv(r)
    d = np.sqrt(np.diag(inv))
    q = -inv / np.outer(d, d)
    np.fill_diagonal(q, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2, q2 = r0**2, q**2
    kmo = float(r2.sum() / (r2.sum() + q2.sum()))
    msa = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    df = p * (p - 1) // 2
    chisq = float(-(n - 1 - (2 * p + 5) / 6) * np.linalg.slogdet(r)[1])
    return SamplingAdequacy(
        kmo=kmo,
        items=pd.DataFrame({"item": names, "msa": msa}),
        bartlett={"chisq": chisq, "df": int(df), "p": float(stats.chi2.sf(chisq, df))},
        n=n,
        n_dropped=n_dropped,
    )


def harman_test(data: pd.DataFrame, items: Any, *, extraction: str = "pc") -> pd.DataFrame:
    """Harman's single-factor test: the share of variance of one unrotated factor.

    Parameters
    ----------
    data : DataFrame
        One row per respondent. Only read.
    items : list of str, Scale or list of Scale
        Every item of the study's self-reported measures (reverse keys applied from
        scales).
    extraction : {'pc', 'ml', 'minres'}
        One unrotated principal component (the usual SPSS route) or one common factor.

    Returns
    -------
    DataFrame
        One row: ``extraction, n, k`` (items), ``ss_loadings`` (the first eigenvalue for
        ``"pc"``; the factor's sum of squared loadings otherwise), ``proportion``
        (``ss_loadings / k``, the share of the items' total variance).

    Raises
    ------
    OptionError, ColumnError, DataError, ModelError
        As :func:`efa`.

    See Also
    --------
    efa, cfa

    Notes
    -----
    Podsakoff et al. (2003) describe the test: common-method variance is suspected when
    one factor accounts for the majority (over 50%) of the variance. They also explain
    why it is an insensitive check: the share is information, not a verdict.

    References
    ----------
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common
    method biases in behavioral research. Journal of Applied Psychology, 88(5), 879-903.
    doi:10.1037/0021-9010.88.5.879

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> studylib.harman_test(d, [qs["psr"], qs["pk"], qs["attitude"]]).round(3)
      extraction    n   k  ss_loadings  proportion
    0         pc  203  18        8.677       0.482
    >>> # R: psych::principal(d[, items], nfactors = 1, rotate = "none")$Vaccounted
    """
    check_option(extraction, "extraction", ("pc", "ml", "minres"))
    names, x, _ = parse_items(data, items, what="harman_test")
    n, p = x.shape
    r = np.corrcoef(x, rowvar=False)
    load, _ = em.extract(r, 1, extraction)
    ss = float((load**2).sum())
    out = pd.DataFrame([{"extraction": extraction, "n": n, "k": p, "ss_loadings": ss, "proportion": ss / p}])
    return out
