"""The result of a power simulation: a tidy table, the smallest n, a power curve."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._json import to_jsonable
from .._version import __version__
from ._grid import check_target

__all__ = ["PowerResult"]

COLUMNS = [
    "analysis",
    "test",
    "effect",
    "n_per_cell",
    "n_total",
    "reps",
    "power",
    "mc_se",
    "ci_low",
    "ci_high",
    "power_positive",
    "power_negative",
]


def _no_hypotheses() -> pd.DataFrame:
    from ._hypotheses import HYPOTHESIS_COLUMNS

    return pd.DataFrame(columns=HYPOTHESIS_COLUMNS)


@dataclasses.dataclass(frozen=True)
class PowerResult:
    """Monte Carlo power of the design's tests over a grid of n per cell.

    Attributes
    ----------
    power : pandas.DataFrame
        One row per effect and n per cell: ``analysis`` (the model's name in the study
        file; ``"anova"`` or ``"model83"`` from :func:`power_model83`), ``test``
        (``anova``, ``simple``, ``indirect``, ``index``, ``contrast``), ``effect`` (label),
        ``n_per_cell``, ``n_total`` (n per cell times the number of cells), ``reps``, ``power``
        (share of replications with a significant result: ANOVA p < alpha, or for an
        indirect effect or index a CI excluding 0), ``mc_se`` = sqrt(power (1 - power) /
        reps), ``ci_low``, ``ci_high`` (Wilson score interval of the power at level
        ``attrs["conf"]``, 0.95), ``power_positive`` and ``power_negative`` (shares of
        replications whose CI lies entirely above / below 0: the power of a directional
        hypothesis; NaN for F tests).
    target : float or None
        Target power used by :meth:`min_n` when none is given.
    method : str
        ``"montecarlo"`` or ``"bootstrap"`` (CIs of indirect effects), ``"anova"`` when
        only ANOVA tests were simulated.
    settings : dict
        Everything needed to rerun: effects, grid, reps, alpha, conf, draws/boot, tests.
    seed : int
        The seed actually used (the same seed gives an identical table).
    version : str
        studylib version.
    hypotheses : pandas.DataFrame
        From :func:`studylib.power` on a study file with ``hypotheses:``: one row per
        hypothesis and n per cell, ``hypothesis, model, effect, direction, n_per_cell,
        power`` (share of replications that would support it: the CI on the predicted
        side of 0, or p < alpha for an F test), ``mc_se``, ``note`` (why a hypothesis is
        not simulated; empty otherwise). Empty without hypotheses.

    See Also
    --------
    studylib.power, power_model83, power_anova

    Examples
    --------
    The example study's 2 x 3 design (the default factors of ``power_anova``):

    >>> from studylib.power import power_anova
    >>> res = power_anova([[0, 0.3, 0.5], [0.4, 0, -0.1]], n_grid=[10, 30, 50], reps=300,
    ...                   tests=["interaction"], seed=1, n_jobs=1, progress=False)
    >>> res.min_n(0.8)[["effect", "n_per_cell", "power"]]
                   effect  n_per_cell     power
    0  valence x response          50  0.89...
    >>> ax = res.plot()  # power curve with 95% Wilson intervals (matplotlib Axes)
    """

    power: pd.DataFrame
    target: float | None
    method: str
    settings: dict[str, Any]
    seed: int
    version: str = __version__
    hypotheses: pd.DataFrame = dataclasses.field(default_factory=lambda: _no_hypotheses())

    def table(self) -> pd.DataFrame:
        """The tidy power table (a copy of :attr:`power`)."""
        return self.power.copy()

    def min_n(self, target: float | None = None) -> pd.DataFrame:
        """Smallest n per cell on the grid whose estimated power reaches ``target``.

        Parameters
        ----------
        target : float, optional
            Power to reach, in (0, 1); defaults to the result's ``target`` (else 0.8).

        Returns
        -------
        pandas.DataFrame
            ``analysis, test, effect, target, n_per_cell`` (pandas ``Int64``, missing when no grid
            point reaches the target), ``power`` (at that n), ``mc_se``.
        """
        target = check_target(target)
        if target is None:
            target = self.target if self.target is not None else 0.8
        rows = []
        keys = ["analysis", "test", "effect"]
        for key, g in self.power.groupby(keys, sort=False):
            ok = g[g["power"] >= target].sort_values("n_per_cell")
            if len(ok):
                first = ok.iloc[0]
                rows.append((*key, target, first["n_per_cell"], first["power"], first["mc_se"]))
            else:
                rows.append((*key, target, pd.NA, np.nan, np.nan))
        out = pd.DataFrame(rows, columns=[*keys, "target", "n_per_cell", "power", "mc_se"])
        out["n_per_cell"] = out["n_per_cell"].astype("Int64")
        return out

    def plot(self, *, effects: list[str] | None = None, ax: Any = None, target: float | None = None):
        """Power curves: power against n per cell, one line per effect, with Wilson CIs.

        Parameters
        ----------
        effects : list of str, optional
            Effect labels to draw (default: all).
        ax : matplotlib Axes, optional
            Where to draw; a new figure otherwise.
        target : float, optional
            Horizontal reference line (default: the result's ``target``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        target = check_target(target) if target is not None else self.target
        tab = self.power
        if effects is not None:
            unknown = sorted(set(effects) - set(tab["effect"]))
            if unknown:
                from ..errors import OptionError

                raise OptionError(f"effects not in the result: {unknown}")
            tab = tab[tab["effect"].isin(effects)]
        if ax is None:
            _, ax = plt.subplots(figsize=(7.5, 4.5))
        several = tab["analysis"].nunique() > 1
        for (analysis, effect), g in tab.groupby(["analysis", "effect"], sort=False):
            g = g.sort_values("n_per_cell")
            err = np.vstack([g["power"] - g["ci_low"], g["ci_high"] - g["power"]])
            label = f"{analysis}: {effect}" if several else effect
            ax.errorbar(g["n_per_cell"], g["power"], yerr=err, marker="o", ms=3, capsize=2, label=label)
        if target is not None:
            ax.axhline(target, color="grey", ls="--", lw=1)
        ax.set_xlabel(f"n per cell ({self.settings.get('n_cells', 6)} cells)")
        ax.set_ylabel("power")
        ax.set_ylim(0, 1.02)
        how = {"montecarlo": "Monte Carlo CIs", "bootstrap": "bootstrap CIs", "anova": "F tests"}
        ax.set_title(
            f"Simulated power ({how[self.method]}, {self.settings['reps']} replications per n)"
        )
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax

    def summary(self) -> str:
        """Text summary: settings, then the smallest n per cell for each effect."""
        s = self.settings
        lines = [
            f"Monte Carlo power ({self.method}), {s['reps']} replications per grid point, "
            f"alpha = {s['alpha']:g}, seed = {self.seed}",
            f"grid of n per cell: {', '.join(str(n) for n in s['n_grid'])}",
        ]
        target = self.target if self.target is not None else 0.8
        mn = self.min_n(target)
        lines.append(f"smallest n per cell reaching power {target:g}:")
        width = max(len(e) for e in mn["effect"])
        aw = max(len(a) for a in mn["analysis"])
        for _, r in mn.iterrows():
            n = "not reached on the grid" if pd.isna(r["n_per_cell"]) else (
                f"{int(r['n_per_cell'])} (power {r['power']:.3f}, MC SE {r['mc_se']:.3f})"
            )
            lines.append(f"  {r['analysis']:<{aw}} {r['effect']:<{width}}  {n}")
        hyp = self.hypotheses
        if len(hyp):
            lines.append(f"hypotheses (power = share of replications supporting it), smallest n "
                         f"per cell reaching {target:g}:")
            for hid, g in hyp.groupby("hypothesis", sort=False):
                ok = g[g["power"] >= target].sort_values("n_per_cell")
                note = g["note"].iloc[0]
                text = (f"not simulated: {note}" if note else
                        f"{int(ok['n_per_cell'].iloc[0])} (power {ok['power'].iloc[0]:.3f})" if len(ok)
                        else "not reached on the grid")
                lines.append(f"  {hid}: {text}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready content (what ``studylib power --json`` writes); tables as records."""
        return to_jsonable({
            "method": self.method,
            "target": self.target,
            "seed": self.seed,
            "version": self.version,
            "settings": self.settings,
            "power": self.power,
            "min_n": self.min_n(),
            "hypotheses": self.hypotheses,
        })
