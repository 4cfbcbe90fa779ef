"""The result of :func:`studylib.process`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._json import to_jsonable
from .bootstrap import BootstrapDraws

__all__ = ["ProcessResult", "ProcessExtras"]

_LINE = "*" * 75

#: Columns of the bootstrap tables of :class:`ProcessResult`.
INDIRECT_COLS = ["path", "x_term", "w", "z", "effect", "boot_se", "ci_low", "ci_high"]
INDEX_COLS = ["path", "x_term", "kind", "moderator", "w_term", "z", "index", "boot_se", "ci_low", "ci_high"]
CONTRAST_COLS = ["path1", "w1", "z1", "path2", "w2", "z2", "x_term", "effect", "boot_se", "ci_low", "ci_high"]
#: Columns of the :class:`ProcessExtras` tables.
STANDARDIZED_COLS = ["scale", "kind", "path", "x_term", "w", "z", "w_term", "effect", "boot_se", "ci_low",
                     "ci_high"]
NORMAL_COLS = ["path", "x_term", "effect", "se", "z", "p"]
OMNIBUS_COLS = ["equation", "focal", "w", "z", "F", "df1", "df2", "p"]
PLOT_COLS = ["equation", "focal", "focal_value", "w", "z", "predicted"]


def _empty(columns: list[str], numeric: list[str]) -> pd.DataFrame:
    """A table with no rows: ``numeric`` columns float, the others object."""
    return pd.DataFrame({c: pd.Series(dtype=float if c in numeric else object) for c in columns})


def empty_standardized() -> pd.DataFrame:
    return _empty(STANDARDIZED_COLS, ["effect", "boot_se", "ci_low", "ci_high"])


def empty_normal() -> pd.DataFrame:
    return _empty(NORMAL_COLS, ["effect", "se", "z", "p"])


def empty_omnibus() -> pd.DataFrame:
    return _empty(OMNIBUS_COLS, ["F", "df1", "df2", "p"])


def empty_plot() -> pd.DataFrame:
    return _empty(PLOT_COLS, ["predicted"])


@dataclass(frozen=True)
class ProcessExtras:
    """Further output of a process fit, each table empty where it does not apply.

    Attributes
    ----------
    standardized : DataFrame
        With ``effsize=True``: scale ("partial", "complete"), kind ("total", "direct",
        "indirect", "contrast", "index"), path, x_term, w, z (moderator values of
        conditional effects), w_term (an index's moderator term), effect, boot_se, ci_low,
        ci_high. Unmoderated models as PROCESS ``effsize = 1``; moderated ones partially
        standardized (beyond PROCESS).
    normal : DataFrame
        With ``normal=True``: path, x_term, effect, se, z, p, the normal-theory (Sobel)
        tests of the indirect effects (PROCESS ``normal = 1``).
    conditional_omnibus : DataFrame
        equation, focal, w, z, F, df1, df2, p: for a multicategorical focal predictor of a
        moderated path, the test at each moderator value that its relative conditional
        effects are all zero (PROCESS's "test of equality of conditional means").
    plot_data : DataFrame
        equation, focal, focal_value, w, z, predicted: each moderated equation's outcome
        predicted at its focal predictor's values by the moderator values, other terms at
        their means (PROCESS ``plot = 1``); for a logistic equation the predicted log-odds.
    """

    standardized: pd.DataFrame = field(default_factory=empty_standardized, repr=False)
    normal: pd.DataFrame = field(default_factory=empty_normal, repr=False)
    conditional_omnibus: pd.DataFrame = field(default_factory=empty_omnibus, repr=False)
    plot_data: pd.DataFrame = field(default_factory=empty_plot, repr=False)

    def to_dict(self) -> dict:
        """The four tables as records (plain JSON content)."""
        return to_jsonable({"standardized": self.standardized, "normal": self.normal,
                            "conditional_omnibus": self.conditional_omnibus, "plot_data": self.plot_data})


@dataclass(frozen=True)
class ProcessResult:
    """A fitted conditional process model (see :func:`studylib.process` for the columns).

    Attributes
    ----------
    model : DataFrame
        The model as a parameter table (lhs, op, rhs, role, moderated_by); its ``attrs``
        hold the variables, codings, centring, probed moderator values and options.
    coefficients, equations, conditional, jn, indirect, index, contrasts, direct, total : DataFrame
        The estimates; empty (with the same columns) where a model has none.
    extras : ProcessExtras
        PROCESS's further output: standardized effects, Sobel tests, tests of equality of
        conditional means and data for plotting (see :class:`ProcessExtras`).
    boot : BootstrapDraws or None
        Bootstrap replicates behind every bootstrap SE and CI (None without bootstrap).
    n, n_dropped : int
        Cases used and cases dropped for missing values (listwise).
    seed : int or None
        Seed of the bootstrap (None when a Generator was passed).
    version : str
        studylib version that produced the result.

    Examples
    --------
    >>> import numpy as np, pandas as pd, studylib
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"x": np.tile([0.0, 1.0], 50), "w": rng.normal(size=100)})
    >>> d["m"] = d.x * (0.3 + 0.4 * d.w) + rng.normal(size=100)
    >>> d["y"] = 0.5 * d.m + rng.normal(size=100)
    >>> res = studylib.process(d, model=7, x="x", m="m", w="w", y="y", boot=1000, seed=2)
    >>> # R: process(d, y = "y", x = "x", m = "m", w = "w", model = 7, boot = 1000, seed = 2)
    >>> res
    ProcessResult(model='7', y='y', x='x', n=100, n_dropped=0, boot=1000, seed=2)
    >>> res.indirect.columns.tolist()
    ['path', 'x_term', 'w', 'z', 'effect', 'boot_se', 'ci_low', 'ci_high']
    >>> res.index[["w_term", "index"]]
      w_term    index
    0      w  0.33724
    >>> print(res.summary().splitlines()[3])
    Model : 7
    """

    model: pd.DataFrame = field(repr=False)
    coefficients: pd.DataFrame = field(repr=False)
    equations: pd.DataFrame = field(repr=False)
    conditional: pd.DataFrame = field(repr=False)
    jn: pd.DataFrame = field(repr=False)
    indirect: pd.DataFrame = field(repr=False)
    index: pd.DataFrame = field(repr=False)
    contrasts: pd.DataFrame = field(repr=False)
    direct: pd.DataFrame = field(repr=False)
    total: pd.DataFrame = field(repr=False)
    boot: BootstrapDraws | None = field(repr=False)
    n: int = 0
    n_dropped: int = 0
    seed: int | None = None
    version: str = ""
    extras: ProcessExtras = field(default_factory=ProcessExtras, repr=False)

    def __repr__(self) -> str:
        v = self.model.attrs.get("variables", {})
        b = self.boot.B if self.boot is not None else 0
        return (
            f"ProcessResult(model={self.model.attrs.get('model')!r}, y={v.get('y')!r}, "
            f"x={v.get('x')!r}, n={self.n}, n_dropped={self.n_dropped}, boot={b}, seed={self.seed})"
        )

    def table(self) -> pd.DataFrame:
        """Every effect in one tidy frame: kind, label, estimate, se, p, ci_low, ci_high.

        ``kind`` is one of coefficient, conditional, direct, total, indirect, index,
        contrast, standardized, normal; ``se`` is the bootstrap SE for bootstrap
        quantities (``p`` is then NaN).
        """
        parts = []
        c = self.coefficients
        parts.append(pd.DataFrame({"kind": "coefficient", "label": c.equation + ": " + c.term,
                                   "estimate": c.estimate, "se": c.se, "p": c.p,
                                   "ci_low": c.ci_low, "ci_high": c.ci_high}))
        for kind, tab in (("conditional", self.conditional), ("direct", self.direct), ("total", self.total)):
            if len(tab):
                head = tab.equation + ": " + tab.focal if "focal" in tab else tab.x_term
                parts.append(pd.DataFrame({"kind": kind, "label": head + _at(tab), "estimate": tab.effect,
                                           "se": tab.se, "p": tab.p, "ci_low": tab.ci_low, "ci_high": tab.ci_high}))
        for kind, tab, col in (("indirect", self.indirect, "effect"), ("index", self.index, "index"),
                               ("contrast", self.contrasts, "effect")):
            if not len(tab):
                continue
            if kind == "indirect":
                label = tab.path + " [" + tab.x_term + "]" + _at(tab)
            elif kind == "index":
                label = tab.path + " [" + tab.x_term + "] " + tab.kind + " by " + tab.w_term + _at(
                    tab.assign(w=None), "w", "z")
            else:
                label = (tab.path1 + _at(tab, "w1", "z1") + " minus " + tab.path2 + _at(tab, "w2", "z2"))
            parts.append(pd.DataFrame({"kind": kind, "label": label, "estimate": tab[col], "se": tab.boot_se,
                                       "p": np.nan, "ci_low": tab.ci_low, "ci_high": tab.ci_high}))
        st = self.extras.standardized
        if len(st):
            label = (st.scale + "ly standardized " + st.kind + ": " + st.path.fillna("X on Y") + " ["
                     + st.x_term.astype(str) + "]" + (" by " + st.w_term).where(st.w_term.notna(), "")
                     + _at(st))
            parts.append(pd.DataFrame({"kind": "standardized", "label": label, "estimate": st.effect,
                                       "se": st.boot_se, "p": np.nan, "ci_low": st.ci_low, "ci_high": st.ci_high}))
        nt = self.extras.normal
        if len(nt):
            parts.append(pd.DataFrame({"kind": "normal", "label": "Sobel test: " + nt.path + " [" + nt.x_term + "]",
                                       "estimate": nt.effect, "se": nt.se, "p": nt.p, "ci_low": np.nan,
                                       "ci_high": np.nan}))
        out = pd.concat(parts, ignore_index=True)
        out.attrs["conf"] = self.model.attrs.get("conf")
        return out

    def to_dict(self) -> dict:
        """Plain JSON-ready content: settings, n, every table (as records), bootstrap info."""
        attrs = dict(self.model.attrs)
        return to_jsonable({
            "studylib_version": self.version,
            "model": attrs.pop("model", None),
            "settings": attrs,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "seed": self.seed,
            "bootstrap": None if self.boot is None else {
                "B": self.boot.B, "ci": self.boot.ci, "conf": self.boot.conf, "n_replaced": self.boot.n_replaced},
            "spec": self.model,
            "coefficients": self.coefficients,
            "equations": self.equations,
            "conditional": self.conditional,
            "jn": self.jn,
            "direct": self.direct,
            "total": self.total,
            "indirect": self.indirect,
            "index": self.index,
            "contrasts": self.contrasts,
            "extras": self.extras.to_dict(),
        })

    def summary(self, digits: int = 4) -> str:
        """Text laid out like PROCESS output: equations, then direct and indirect effects."""
        from .summary import format_summary

        return format_summary(self, digits)


def _at(tab: pd.DataFrame, wcol: str = "w", zcol: str = "z") -> pd.Series:
    def one(w, z) -> str:
        parts = [f"{k}={_fmt(v)}" for k, v in (("w", w), ("z", z)) if not _missing(v)]
        return f" at {', '.join(parts)}" if parts else ""

    return pd.Series([one(w, z) for w, z in zip(tab[wcol], tab[zcol], strict=True)], index=tab.index, dtype=object)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)
