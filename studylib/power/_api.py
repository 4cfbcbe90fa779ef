"""Power of a two-factor design from cell means, or of model 83 from its paths: thin wrappers of
:func:`studylib.power` (the generic engine) that keep their earlier tables and labels.

Neither knows a study's names: the factors, mediators and outcome come from the arguments
(``factors=``, the effects' :class:`~studylib.power.Model83Design`), by default from the
example study's model-83 file ``analyses/power_model83.yaml``, whose ``effects:`` block is
also the default of :func:`power_model83` (:data:`THESIS_EFFECTS`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._simblock import parse_block
from .._validation import check_fraction, check_int, check_option
from ..errors import InputTypeError, SpecError
from ._anova import anova_test_labels, check_cell_means, check_factors, check_tests
from ._design83 import example_effects
from ._effects import Model83Effects
from ._grid import check_grid, check_target
from ._labels83 import _effect_labels
from ._plan import ItemModel, build_plan
from ._result import PowerResult
from ._run import resolve_n_jobs
from ._study import _seed, run_plan

__all__ = ["power_anova", "power_model83"]  # and THESIS_EFFECTS, read on first use (__getattr__)


def __getattr__(name: str) -> Any:
    if name == "THESIS_EFFECTS":  # read from the example study's file on first use
        return _example_effects()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _example_effects() -> Model83Effects:
    """The example study's default paths (``effects:`` of ``analyses/power_model83.yaml``)."""
    return Model83Effects.from_dict(example_effects())


def _common(n_grid, reps, alpha, target, n_jobs):
    grid = check_grid(n_grid)
    reps = check_int(reps, "reps", minimum=10)
    alpha = check_fraction(alpha, "alpha")
    target = check_target(target)
    return grid, reps, alpha, target, resolve_n_jobs(n_jobs)


def _cell_block(mu: np.ndarray, sd: float, factors) -> tuple[Any, str]:
    """A one-score simulation block with the given r x c cell means, and the score's name."""
    (a, la), (b, lb) = factors
    score = next(s for s in ("y", "score", "dv", "_y") if s not in (a, b))
    effects = {}
    for i, row in enumerate(la[1:], 1):
        effects[f"{a}.{row}"] = mu[i, 0] - mu[0, 0]
    for j, col in enumerate(lb[1:], 1):
        effects[f"{b}.{col}"] = mu[0, j] - mu[0, 0]
        for i, row in enumerate(la[1:], 1):
            effects[f"{a}.{row}*{b}.{col}"] = mu[i, j] - mu[i, 0] - mu[0, j] + mu[0, 0]
    block = {"scores": {score: {"mean": float(mu[0, 0]), "sd": sd,
                                "effects": {k: float(v) for k, v in effects.items()}}}}
    return parse_block(block, factors, [score], "<cell means>"), score


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
    factors: Mapping[str, Sequence[str]] | None = None,
    target: float | None = 0.8,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> PowerResult:
    """Monte Carlo power of the tests of a two-factor ANOVA from cell means and a within-cell SD.

    Scores are simulated directly as normal with the given cell means and SD (no items);
    every replication is analysed with the F tests of the balanced r x c ANOVA (Type III
    sums of squares, which equal Type I and II with equal cell sizes).

    Parameters
    ----------
    cell_means : array-like (r, c) or DataFrame
        Population means; rows the levels of the first factor of ``factors``, columns
        those of the second (a DataFrame is matched by its labels).
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
        ``"interaction"``, ``"simple"`` (the first factor within each level of the second,
        pooled error) and the name of either factor (its main effect).
    factors : dict, optional
        The two factors, rows first, each mapped to its levels. Default: the example
        study's X and W (``analyses/power_model83.yaml``).
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
        Cell means not r x c or not finite, ``sd <= 0``, an empty grid or tests list.
    OptionError
        ``target`` or ``alpha`` outside (0, 1), an unknown test, reps < 10, bad n_jobs.

    See Also
    --------
    power_anova_analytic : the analytic (noncentral F) power of the same tests.
    power_model83 : ANOVA and model-83 power from a path model.

    Examples
    --------
    The example study's 2 x 3 design (rows negative/positive valence; columns none, like,
    reply):

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
    factors = check_factors(factors)
    mu, sd = check_cell_means(cell_means, sd, factors)
    grid, reps, alpha, target, n_jobs = _common(n_grid, reps, alpha, target, n_jobs)
    tests = check_tests(tests, factors)
    seed = _seed(seed, None)
    block, score = _cell_block(mu, sd, factors)
    between = [name for name, _ in factors]
    plan = build_plan(block, [("anova", "anova", {"dv": score, "between": between})],
                      where="<cell means>", method="montecarlo", draws=2000, boot=1000,
                      alpha=alpha, conf=None, scores="latent", items=None)
    table = run_plan(plan, grid, reps, seed, n_jobs, progress)
    keep = [("anova", label) for label, _ in anova_test_labels(tests, factors)]
    settings = {
        "kind": "anova",
        "factors": {name: list(levels) for name, levels in factors},
        "cell_means": mu.tolist(),
        "sd": sd,
        "n_grid": list(grid),
        "n_cells": int(mu.size),
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
    anova_dvs: Sequence[str] | None = None,
    anova_tests: Sequence[str] = ("interaction", "simple"),
    scores: str = "latent",
    params: str | Path | dict | None = None,
    alpha: float = 0.05,
    target: float | None = 0.8,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> PowerResult:
    """Monte Carlo power of PROCESS model 83 (and the ANOVAs) in a 2 x k design.

    Each replication draws n participants per cell from the path model ``effects``
    (normal scores M1, M2, Y, or means of simulated 7-point items), fits model 83 by OLS
    and computes a CI for every conditional indirect effect and every index of moderated
    mediation: by the Monte Carlo method (default) or the percentile bootstrap. An effect
    counts as detected when its CI excludes 0. The ANOVAs (X x W) of ``anova_dvs`` are run
    on the same data. The variables' names are those of the effects' design
    (:class:`Model83Design`).

    Parameters
    ----------
    effects : Model83Effects or dict, optional
        Population paths (and design); a dict is passed to
        :meth:`Model83Effects.from_dict`. Default: :data:`THESIS_EFFECTS`, the example
        study's illustrative standardized paths (``analyses/power_model83.yaml``).
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
    anova_dvs : sequence of str, optional
        Scores (of M1, M2, Y) whose X x W ANOVA is also tested; empty for none. Default:
        all three.
    anova_tests : sequence of str, default ("interaction", "simple")
        ANOVA tests, as in :func:`power_anova`.
    scores : {"latent", "items"}, default "latent"
        Analyse the normal scores, or the scale means of 1-7 items measuring them (see
        Notes): more realistic, slower, and then the paths describe the scores, not the
        scale means.
    params : path, dict or None
        Simulator parameters (``None``: ``data/synthetic/params.yaml``); with
        ``scores="items"`` the item counts and loadings of its ``measurement`` section
        (keyed by the names of M1, M2 and Y) are used, the paths come from ``effects``.
    alpha, target, seed, n_jobs, progress
        As in :func:`power_anova`.

    Returns
    -------
    PowerResult
        ``.power`` with the ANOVA rows (``analysis == "anova"``, effects like
        ``"<dv>: <X> x <W>"``) then the model-83 rows (``analysis == "model83"``):
        conditional indirect effects ``"<X> -> <M1> -> <M2> -> <Y> | <level of W>"``,
        indexes of moderated mediation ``"index <X> -> <M1> -> <M2> -> <Y>: <level> vs
        <reference>"`` (difference from W's reference level), the same for
        ``<X> -> <M1> -> <Y>``, and the unmoderated ``<X> -> <M2> -> <Y>``.

    Raises
    ------
    SpecError
        Impossible effects (implied R² >= 1), an empty grid, invalid ``params``.
    OptionError
        Unknown method, scores, DV or test; ``target``, ``conf`` or ``alpha`` outside (0, 1).

    See Also
    --------
    Model83Effects, power_anova, power_anova_analytic
    studylib.power : any study's models from its study file's ``simulation:`` block.

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
    The example study's design (valence x response; psr, pk, attitude):

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
        effects = _example_effects()
    elif isinstance(effects, dict):
        effects = Model83Effects.from_dict(effects)
    elif not isinstance(effects, Model83Effects):
        raise InputTypeError(
            f"effects must be a Model83Effects, a dict of paths or None; got {type(effects).__name__}"
        )
    design = effects.design
    grid, reps, alpha, target, n_jobs = _common(n_grid, reps, alpha, target, n_jobs)
    method = check_option(method, "method", ("montecarlo", "bootstrap"))
    draws = check_int(draws, "draws", minimum=100)
    boot = check_int(boot, "boot", minimum=100)
    conf = check_fraction(conf, "conf")
    scores = check_option(scores, "scores", ("latent", "items"))
    if anova_dvs is None:
        anova_dvs = design.scores
    elif isinstance(anova_dvs, str):
        anova_dvs = (anova_dvs,)
    dvs = tuple(check_option(dv, "each of anova_dvs", design.scores) for dv in anova_dvs)
    tests = check_tests(anova_tests, design.factors) if dvs else ()
    seed = _seed(seed, None)
    block = effects.to_simulation(mean=4.0 if scores == "items" else 0.0)
    items = None
    source = None
    if scores == "items":
        from ..simulate import load_params

        p = load_params(params)
        source = p.get("_source")
        meas = p["measurement"]
        missing = [s for s in design.scores if s not in meas]
        if missing:
            raise SpecError(f"{source}: measurement has no scales {missing} (the design's M1, M2, Y) for "
                            "scores='items'")
        block["items"] = {"loading": float(np.mean([lam for s in design.scores for lam in meas[s]["loadings"]]))}
        items = {s: ItemModel(len(meas[s]["items"]), 1.0, 7.0) for s in design.scores}
    block = parse_block(block, design.factors, list(design.scores), "<model-83 effects>")
    between = [design.x, design.w]
    models = [(f"anova_{dv}", "anova", {"dv": dv, "between": between}) for dv in dvs]
    models.append(("model83", "process", {"model": 83, "x": design.x, "w": design.w,
                                          "m": [design.m1, design.m2], "y": design.y}))
    plan = build_plan(block, models, where="<model-83 effects>", method=method, draws=draws,
                      boot=boot, alpha=alpha, conf=conf, scores=scores, items=items)
    table = run_plan(plan, grid, reps, seed, n_jobs, progress)
    keep, rename = [], {}
    for dv in dvs:
        for label, _ in anova_test_labels(tests, design.factors):
            keep.append((f"anova_{dv}", label))
            rename[f"anova_{dv}", label] = ("anova", f"{dv}: {label}")
    keep += [("model83", label) for label in _effect_labels(design)]
    settings = {
        "kind": "model83",
        "effects": effects.to_dict(),
        "n_grid": list(grid),
        "n_cells": 2 * len(design.w_levels),
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
