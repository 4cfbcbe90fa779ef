"""Power of the thesis design from cell means or model-83 paths: thin wrappers of
:func:`studylib.power` (the generic engine) that keep their earlier tables and labels."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._simblock import parse_block
from .._validation import check_fraction, check_int, check_option
from ..errors import InputTypeError
from ._anova import anova_test_labels, check_cell_means, check_tests
from ._effects import DVS, RESPONSE, VALENCE, Model83Effects
from ._grid import check_grid, check_target
from ._labels83 import _effect_labels
from ._plan import ItemModel, build_plan
from ._result import PowerResult
from ._run import resolve_n_jobs
from ._study import _seed, run_plan

__all__ = ["power_anova", "power_model83"]

_FACTORS = (("valence", VALENCE), ("response", RESPONSE))


def _common(n_grid, reps, alpha, target, n_jobs):
    grid = check_grid(n_grid)
    reps = check_int(reps, "reps", minimum=10)
    alpha = check_fraction(alpha, "alpha")
    target = check_target(target)
    return grid, reps, alpha, target, resolve_n_jobs(n_jobs)


def _cell_block(mu: np.ndarray, sd: float):
    """A one-score simulation block with the given 2 x 3 cell means."""
    effects = {"valence.positive": mu[1, 0] - mu[0, 0]}
    for j, level in enumerate(RESPONSE[1:], 1):
        effects[f"response.{level}"] = mu[0, j] - mu[0, 0]
        effects[f"valence.positive*response.{level}"] = mu[1, j] - mu[1, 0] - mu[0, j] + mu[0, 0]
    block = {"scores": {"y": {"mean": float(mu[0, 0]), "sd": sd,
                              "effects": {k: float(v) for k, v in effects.items()}}}}
    return parse_block(block, _FACTORS, ["y"], "<cell means>")


def _select(table, keep: list[tuple[str, str]], rename: dict[tuple[str, str], tuple[str, str]]):
    """Rows of the wanted (analysis, effect) pairs, in that order, relabelled."""
    pos = {key: i for i, key in enumerate(keep)}
    key = list(zip(table["analysis"], table["effect"], strict=True))
    mask = [k in pos for k in key]
    out = table[mask].copy()
    out["_order"] = [pos[k] for k, m in zip(key, mask, strict=True) if m]
    out = out.sort_values(["_order", "n_per_cell"], kind="stable").drop(columns="_order")
    new = [rename.get(k, k) for k in zip(out["analysis"], out["effect"], strict=True)]
    out["analysis"] = [a for a, _ in new]
    out["effect"] = [e for _, e in new]
    out = out.reset_index(drop=True)
    out.attrs["conf"] = 0.95
    return out


def power_anova(
    cell_means: Any,
    *,
    sd: float = 1.0,
    n_grid: Sequence[int],
    reps: int = 1000,
    alpha: float = 0.05,
    tests: Sequence[str] = ("interaction", "simple"),
    target: float | None = 0.8,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> PowerResult:
    """Monte Carlo power of the 3 x 2 ANOVA tests from cell means and a within-cell SD.

    Scale scores are simulated directly as normal with the given cell means and SD (no
    items); every replication is analysed with the F tests of the balanced 2 x 3 ANOVA
    (Type III sums of squares, which equal Type I and II with equal cell sizes).

    Parameters
    ----------
    cell_means : array-like (2, 3) or DataFrame
        Population means; rows valence ``negative``, ``positive``; columns response
        ``none``, ``like``, ``reply`` (a DataFrame is matched by its labels).
    sd : float, default 1
        Within-cell standard deviation.
    n_grid : sequence of int
        Sample sizes per cell to simulate (each >= 2).
    reps : int, default 1000
        Replications per grid point (>= 10). The Monte Carlo SE of a power near 0.8 is
        about 0.013 with 1000.
    alpha : float, default 0.05
        Significance level of the F tests.
    tests : sequence of str, default ("interaction", "simple")
        ``"interaction"``, ``"simple"`` (valence within each response level, pooled
        error), ``"valence"``, ``"response"``.
    target : float or None, default 0.8
        Target power for :meth:`PowerResult.min_n` and the plot.
    seed : int, numpy.random.Generator or None
        Seed; the one used is stored on the result. Same seed, same table, whatever
        ``n_jobs``.
    n_jobs : int or None
        Worker processes; None uses every core available.
    progress : bool, default True
        A tqdm progress bar on a terminal (one summary line on stderr otherwise).

    Returns
    -------
    PowerResult
        ``.power`` has ``analysis, effect, n_per_cell, n_total, reps, power, mc_se,
        ci_low, ci_high``.

    Raises
    ------
    SpecError
        Cell means not 2 x 3 or not finite, ``sd <= 0``, an empty grid or tests list.
    OptionError
        ``target`` or ``alpha`` outside (0, 1), an unknown test, reps < 10, bad n_jobs.

    See Also
    --------
    power_anova_analytic : the analytic (noncentral F) power of the same tests.
    power_model83 : ANOVA and model-83 power from a path model.

    Examples
    --------
    >>> from studylib.power import power_anova_analytic, power_anova
    >>> mu = [[0.0, 0.3, 0.5], [0.4, 0.0, -0.1]]
    >>> res = power_anova(mu, n_grid=[20, 50], reps=400, tests=["interaction"],
    ...                   seed=1, n_jobs=1, progress=False)
    >>> res.power[["effect", "n_per_cell", "power", "mc_se"]].round(3)
                   effect  n_per_cell  power  mc_se
    0  valence x response          20  0.478  0.025
    1  valence x response          50  0.900  0.015
    >>> power_anova_analytic(mu, n_grid=[20, 50], tests=["interaction"])["power"].round(3).tolist()
    [0.515, 0.909]
    >>> # R: simr / Superpower::ANOVA_power() simulate the same design
    """
    mu, sd = check_cell_means(cell_means, sd)
    grid, reps, alpha, target, n_jobs = _common(n_grid, reps, alpha, target, n_jobs)
    tests = check_tests(tests)
    seed = _seed(seed, None)
    block = _cell_block(mu, sd)
    plan = build_plan(block, [("anova", "anova", {"dv": "y", "between": ["valence", "response"]})],
                      where="<cell means>", method="montecarlo", draws=2000, boot=1000,
                      alpha=alpha, conf=None, scores="latent", items=None)
    table = run_plan(plan, grid, reps, seed, n_jobs, progress)
    keep = [("anova", label) for label, _ in anova_test_labels(tests)]
    settings = {
        "kind": "anova",
        "cell_means": mu.tolist(),
        "sd": sd,
        "n_grid": list(grid),
        "n_cells": 6,
        "reps": reps,
        "alpha": alpha,
        "tests": list(tests),
    }
    return PowerResult(_select(table, keep, {}), target, "anova", settings, seed)


def power_model83(
    effects: Model83Effects | dict | None = None,
    *,
    n_grid: Sequence[int],
    reps: int = 1000,
    method: str = "montecarlo",
    draws: int = 2000,
    boot: int = 1000,
    conf: float = 0.95,
    anova_dvs: Sequence[str] = DVS,
    anova_tests: Sequence[str] = ("interaction", "simple"),
    scores: str = "latent",
    params: str | Path | dict | None = None,
    alpha: float = 0.05,
    target: float | None = 0.8,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> PowerResult:
    """Monte Carlo power of PROCESS model 83 (and the ANOVAs) in the 3 x 2 design.

    Each replication draws n participants per cell from the path model ``effects``
    (normal scale scores psr, pk, attitude, or means of simulated 7-point items), fits
    model 83 by OLS and computes a CI
    for every conditional indirect effect and every index of moderated mediation: by the
    Monte Carlo method (default) or the percentile bootstrap. An effect counts as detected
    when its CI excludes 0. The ANOVAs of ``anova_dvs`` are run on the same data.

    Parameters
    ----------
    effects : Model83Effects or dict, optional
        Population paths; a dict is passed to :meth:`Model83Effects.from_dict`. Default:
        :data:`THESIS_EFFECTS`, illustrative standardized paths in the direction of the
        thesis findings.
    n_grid : sequence of int
        Sample sizes per cell (each >= 2).
    reps : int, default 1000
        Replications per grid point (>= 10).
    method : {"montecarlo", "bootstrap"}, default "montecarlo"
        CI of the indirect effects: Monte Carlo draws of the paths from their estimated
        sampling distribution (Preacher & Selig, 2012), or the percentile bootstrap.
    draws : int, default 2000
        Monte Carlo draws per replication (``method="montecarlo"``; >= 100).
    boot : int, default 1000
        Bootstrap resamples per replication (``method="bootstrap"``; >= 100).
    conf : float, default 0.95
        Confidence level of the CIs of the indirect effects.
    anova_dvs : sequence of str, default ("psr", "pk", "attitude")
        DVs whose 3 x 2 ANOVA is also tested (empty for none).
    anova_tests : sequence of str, default ("interaction", "simple")
        ANOVA tests, as in :func:`power_anova`.
    scores : {"latent", "items"}, default "latent"
        Analyse the normal scores, or the scale means of 1-7 items measuring them (see
        Notes): more realistic, slower, and then the paths describe the scores, not the
        scale means.
    params : path, dict or None
        Simulator parameters (``None``: ``data/synthetic/params.yaml``); with
        ``scores="items"`` their item counts and loadings are used, the paths come from
        ``effects``.
    alpha, target, seed, n_jobs, progress
        As in :func:`power_anova`.

    Returns
    -------
    PowerResult
        ``.power`` with the ANOVA rows (``analysis == "anova"``, effects like
        ``"psr: valence x response"``) then the model-83 rows (``analysis == "model83"``):
        conditional indirect effects ``"valence -> psr -> pk -> attitude | like"``, indexes
        of moderated mediation ``"index valence -> psr -> pk -> attitude: like vs none"``
        (difference from ``none``), the same for ``valence -> psr -> attitude``, and the
        unmoderated ``valence -> pk -> attitude``.

    Raises
    ------
    SpecError
        Impossible effects (implied R² >= 1), an empty grid, invalid ``params``.
    OptionError
        Unknown method, scores, DV or test; ``target``, ``conf`` or ``alpha`` outside (0, 1).

    See Also
    --------
    Model83Effects, power_anova, power_anova_analytic

    Notes
    -----
    The Monte Carlo CI of an indirect effect :math:`a b` draws :math:`(a^*, b^*)` from
    :math:`N((\\hat a, \\hat b), \\widehat{\\mathrm{diag}}(\\mathrm{Var}\\,\\hat a,
    \\mathrm{Var}\\,\\hat b))` (paths of different equations are independent) and takes
    percentiles of :math:`a^* b^*`; likewise for :math:`\\theta_w d_{21} b_2` with
    :math:`\\theta_w = a_1 + h_w`. This function is a thin wrapper of
    :func:`studylib.power`: the paths become a ``simulation:`` block
    (:meth:`Model83Effects.to_simulation`), the ANOVAs and model 83 its models, and the
    rows keep their labels (contrasts are left out). With ``scores="items"`` the scores
    (mean 4) are measured by items of the block's item model: as many 1-7 items per scale
    as ``params`` lists, with the mean of its loadings.

    References
    ----------
    Preacher, K. J., & Selig, J. P. (2012). Advantages of Monte Carlo confidence intervals
    for indirect effects. *Communication Methods and Measures, 6*(2), 77-98.
    https://doi.org/10.1080/19312458.2012.679848

    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
    analysis* (3rd ed.). Guilford Press.

    Examples
    --------
    >>> from studylib.power import Model83Effects, power_model83
    >>> eff = Model83Effects(x_m1=0.5, xw_m1=(-0.9, -1.2), m1_m2=-0.5, m2_y=-0.5)
    >>> res = power_model83(eff, n_grid=[30, 60], reps=100, anova_dvs=["psr"],
    ...                     seed=3, n_jobs=1, progress=False)
    >>> tab = res.power.set_index(["effect", "n_per_cell"])["power"]
    >>> tab.loc["index valence -> psr -> pk -> attitude: reply vs none"].round(2)
    n_per_cell
    30    0.91
    60    0.99
    Name: power, dtype: float64
    >>> res.min_n(0.8).loc[[0, 7, 9], ["effect", "n_per_cell"]]
                                         effect  n_per_cell
    0                   psr: valence x response          30
    7   valence -> psr -> pk -> attitude | none          60
    9  valence -> psr -> pk -> attitude | reply          60
    """
    if effects is None:
        effects = THESIS_EFFECTS
    elif isinstance(effects, dict):
        effects = Model83Effects.from_dict(effects)
    elif not isinstance(effects, Model83Effects):
        raise InputTypeError(
            f"effects must be a Model83Effects, a dict of paths or None; got {type(effects).__name__}"
        )
    grid, reps, alpha, target, n_jobs = _common(n_grid, reps, alpha, target, n_jobs)
    method = check_option(method, "method", ("montecarlo", "bootstrap"))
    draws = check_int(draws, "draws", minimum=100)
    boot = check_int(boot, "boot", minimum=100)
    conf = check_fraction(conf, "conf")
    scores = check_option(scores, "scores", ("latent", "items"))
    if isinstance(anova_dvs, str):
        anova_dvs = (anova_dvs,)
    dvs = tuple(check_option(dv, "each of anova_dvs", DVS) for dv in anova_dvs)
    tests = check_tests(anova_tests) if dvs else ()
    seed = _seed(seed, None)
    block = effects.to_simulation(mean=4.0 if scores == "items" else 0.0)
    items = None
    source = None
    if scores == "items":
        from ..simulate import load_params

        p = load_params(params)
        source = p.get("_source")
        meas = p["measurement"]
        block["items"] = {"loading": float(np.mean([lam for s in DVS for lam in meas[s]["loadings"]]))}
        items = {s: ItemModel(len(meas[s]["items"]), 1.0, 7.0) for s in DVS}
    block = parse_block(block, _FACTORS, list(DVS), "<model-83 effects>")
    models = [(f"anova_{dv}", "anova", {"dv": dv, "between": ["valence", "response"]}) for dv in dvs]
    models.append(("model83", "process", {"model": 83, "x": "valence", "w": "response",
                                          "m": ["psr", "pk"], "y": "attitude"}))
    plan = build_plan(block, models, where="<model-83 effects>", method=method, draws=draws,
                      boot=boot, alpha=alpha, conf=conf, scores=scores, items=items)
    table = run_plan(plan, grid, reps, seed, n_jobs, progress)
    keep, rename = [], {}
    for dv in dvs:
        for label, _ in anova_test_labels(tests):
            keep.append((f"anova_{dv}", label))
            rename[f"anova_{dv}", label] = ("anova", f"{dv}: {label}")
    keep += [("model83", label) for label in _effect_labels()]
    settings = {
        "kind": "model83",
        "effects": effects.to_dict(),
        "n_grid": list(grid),
        "n_cells": 6,
        "reps": reps,
        "alpha": alpha,
        "conf": conf,
        "draws": draws if method == "montecarlo" else None,
        "boot": boot if method == "bootstrap" else None,
        "anova_dvs": list(dvs),
        "anova_tests": list(tests),
        "scores": scores,
        "params": source,
    }
    return PowerResult(_select(table, keep, rename), target, method, settings, seed)


#: Illustrative standardized paths in the direction of the thesis findings (DESIGN.md):
#: positive comments raise PSR without a response (d = 0.4), the valence effect reverses
#: for likes (0.4 - 0.7 = -0.3) and more for replies (0.4 - 1.0 = -0.6); PSR lowers
#: persuasion knowledge and persuasion knowledge lowers attitude. Not estimates from data.
THESIS_EFFECTS = Model83Effects(
    x_m1=0.4,
    w_m1=(0.2, 0.3),
    xw_m1=(-0.7, -1.0),
    m1_m2=-0.4,
    m1_y=0.2,
    m2_y=-0.4,
)
