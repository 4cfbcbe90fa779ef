"""``studylib.power``: Monte Carlo power of every declared test of any study."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._simblock import SimBlock, block_of_study, parse_block, study_block
from .._validation import as_generator, check_fraction, check_int, check_option
from ..errors import InputTypeError, SpecError
from ._grid import check_grid, check_target, wilson_ci
from ._plan import ItemModel, Plan, build_plan
from ._result import COLUMNS, PowerResult
from ._run import resolve_n_jobs, run_grid

__all__ = ["power", "run_plan", "power_table"]


def _seed(seed: Any, default: int | None) -> int:
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    return as_generator(default if seed is None else seed)[1]


def _from_mapping(spec: Mapping[str, Any]) -> tuple[SimBlock, list, str, dict | None]:
    """A design-and-model specification given as a dict (no study file)."""
    where = "<power specification>"
    unknown = [k for k in spec if k not in ("design", "models", "simulation", "scales", "name")]
    if unknown:
        raise SpecError(f"{where}: unknown keys {unknown}; allowed: design, models, simulation, "
                        "scales, name")
    design = spec.get("design")
    if not isinstance(design, Mapping) or not design:
        raise SpecError(f"{where}: 'design' must map each factor to its list of levels "
                        "(first = reference), e.g. {'frame': ['gain', 'loss']}")
    factors = []
    for f, levels in design.items():
        if not isinstance(levels, (list, tuple)) or len(levels) < 2:
            raise SpecError(f"{where}: design.{f} must list at least 2 levels; got {levels!r}")
        factors.append((str(f), tuple(str(v) for v in levels)))
    sim = spec.get("simulation")
    if not isinstance(sim, Mapping):
        raise SpecError(f"{where}: 'simulation' must be the block of scores (see the README)")
    scales_spec = spec.get("scales") or {}
    scale_ids = list(scales_spec) or list(sim.get("scores") or {})
    block = parse_block(sim, factors, scale_ids, where)
    models = spec.get("models")
    if not isinstance(models, Mapping) or not models:
        raise SpecError(f"{where}: 'models' must map model names to their specification, e.g. "
                        "{'anova_y': {'kind': 'anova', 'dv': 'y', 'between': ['a', 'b']}}")
    out = []
    for name, m in models.items():
        if not isinstance(m, Mapping) or m.get("kind") not in ("anova", "process"):
            raise SpecError(f"{where}: models.{name} needs kind 'anova' or 'process'; got {m!r}")
        out.append((str(name), m["kind"], {k: v for k, v in m.items() if k != "kind"}))
    items = None
    if scales_spec:
        items = {}
        for sid, s in scales_spec.items():
            try:
                k = s["items"] if isinstance(s["items"], int) else len(s["items"])
                items[str(sid)] = ItemModel(int(k), float(s["min"]), float(s["max"]))
            except (KeyError, TypeError):
                raise SpecError(f"{where}: scales.{sid} needs items (a number or a list), min and "
                                f"max; got {s!r}") from None
    return block, out, where, items


def _from_study(study: Any) -> tuple[SimBlock, list, str, dict, tuple]:
    study, raw = study_block(study)
    block = block_of_study(study, raw)
    models = [(m.name, m.kind, dict(m.options)) for m in study.models]
    items = {s.id: ItemModel(len(s.items), float(s.min), float(s.max)) for s in study.scales}
    where = str(study.path) if study.path else "<study>"
    return block, models, where, items, tuple(getattr(study, "hypotheses", ()) or ())


def power_table(plan: Plan, hits: np.ndarray, grid: tuple[int, ...], reps: int) -> pd.DataFrame:
    """The tidy power table from hits (grid points x tests x 3 counts)."""
    rows = []
    cells = plan.block.n_cells
    for k, (analysis, test, effect) in enumerate(plan.labels):
        for gi, n in enumerate(grid):
            rows.append((analysis, test, effect, n, cells * n, reps, *(int(v) for v in hits[gi, k])))
    tab = pd.DataFrame(rows, columns=["analysis", "test", "effect", "n_per_cell", "n_total",
                                      "reps", "hits", "above", "below"])
    p = tab["hits"] / tab["reps"]
    tab["power"] = p
    tab["mc_se"] = np.sqrt(p * (1 - p) / tab["reps"])
    tab["ci_low"], tab["ci_high"] = wilson_ci(tab["hits"].to_numpy(), tab["reps"].to_numpy())
    signed = ~tab["test"].isin(["anova", "simple"])  # ANOVA contrasts are signed (t tests)
    tab["power_positive"] = (tab["above"] / tab["reps"]).where(signed)
    tab["power_negative"] = (tab["below"] / tab["reps"]).where(signed)
    tab = tab[COLUMNS]
    tab.attrs["conf"] = 0.95
    return tab


def run_plan(plan: Plan, grid, reps, seed, n_jobs, progress) -> pd.DataFrame:
    """Simulate ``plan`` over the grid and return the power table."""
    hits = run_grid(plan, grid, reps, seed, n_jobs, progress)
    return power_table(plan, hits, grid, reps)


def power(
    study: str | Path | Mapping[str, Any] | Any = None,
    *,
    n_grid: Sequence[int],
    reps: int = 1000,
    models: Sequence[str] | None = None,
    method: str = "montecarlo",
    draws: int = 2000,
    boot: int = 1000,
    conf: float | None = None,
    alpha: float = 0.05,
    scores: str = "latent",
    target: float | None = 0.8,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> PowerResult:
    """Monte Carlo power of every ANOVA and PROCESS model a study declares.

    Each replication draws ``n`` respondents per cell of the study's design from the
    ``simulation:`` block of its study file (scale scores from reference-cell means,
    residual SDs and effects), analyses them as the study file says, and records which
    tests are significant: every term of each ``kind: anova`` model (F test, p < alpha)
    and its simple effects (the first factor within each level of the others, as the
    report shows them), and every conditional indirect effect, index of moderated
    mediation and contrast of each ``kind: process`` model (CI excluding 0). Power is the
    share of replications with a significant result.

    Parameters
    ----------
    study : path, Study, mapping or None
        A study file (default ``analyses/study.yaml``), a loaded
        :class:`~studylib.study.Study`, or a design and model specification as a dict with
        keys ``design`` (factor -> list of levels), ``models`` (as in a study file),
        ``simulation`` (the block) and optionally ``scales`` (id -> ``{items, min, max}``,
        needed for ``scores="items"``).
    n_grid : sequence of int
        Sample sizes per cell (each >= 2).
    reps : int, default 1000
        Replications per grid point (>= 10). The Monte Carlo SE of a power near 0.8 is
        about 0.013 with 1000.
    models : sequence of str, optional
        Names of the study's models to include (default: every anova and process model).
    method : {"montecarlo", "bootstrap"}, default "montecarlo"
        CIs of the process effects: Monte Carlo draws of the coefficients from their
        estimated sampling distribution (Preacher & Selig, 2012), or the bootstrap of
        :func:`studylib.process` (percentile or bias-corrected, as the model's ``ci``).
    draws : int, default 2000
        Monte Carlo draws per replication (>= 100).
    boot : int, default 1000
        Bootstrap resamples per replication (>= 100; the study's own ``boot`` is for the
        analysis and usually larger than a power simulation needs).
    conf : float, optional
        Confidence level of the process CIs; default each model's ``conf`` (else 0.95).
    alpha : float, default 0.05
        Significance level of the F tests.
    scores : {"latent", "items"}, default "latent"
        Analyse the simulated scores, or the means of item answers simulated from them
        (``simulation.items.loading``, each scale's item count and answer range).
    target : float or None, default 0.8
        Target power for :meth:`PowerResult.min_n`.
    seed : int, numpy.random.Generator or None
        Seed; default ``simulation.seed``, else a fresh one. The seed used is stored on
        the result; the same seed gives the same table whatever ``n_jobs`` or backend.
    n_jobs : int or None
        Worker processes (joblib, loky); None uses every core, or every worker of an
        active ``joblib.parallel_config`` backend such as Dask.
    progress : bool, default True
        A progress bar on a terminal (one summary line on stderr otherwise).

    Returns
    -------
    PowerResult
        ``.power`` has ``analysis`` (the model's name in the study file), ``test``
        (``anova``, ``simple``, ``indirect``, ``index``, ``contrast``), ``effect``,
        ``n_per_cell``, ``n_total``, ``reps``, ``power``, ``mc_se``, ``ci_low``,
        ``ci_high``, ``power_positive``, ``power_negative`` (shares of replications whose
        CI lies above / below 0: the power of a directional hypothesis; NaN for F tests);
        :meth:`~PowerResult.min_n` gives the smallest n per cell per effect.

    Raises
    ------
    SpecError
        No ``simulation:`` block, an effect key naming an unknown factor, level or scale
        (the message names ``simulation.scores.<scale>.effects.<key>``), a model using a
        variable that is not simulated, no model to simulate.
    OptionError
        Unknown method or scores, ``target``, ``conf`` or ``alpha`` outside (0, 1),
        reps < 10, bad n_jobs.

    See Also
    --------
    power_anova_analytic : the analytic power of 2 x 3 F tests.
    studylib.simulate.simulate_from_study : one simulated export from the same block.

    Notes
    -----
    Scores are drawn as described in :mod:`studylib._simblock`. The process models are
    coded and their effects defined by studylib.process's own stages; the equations of
    all replications of a chunk are fitted at once. With ``method="bootstrap"`` each
    replication's CIs equal those of ``studylib.process`` on that replication's data
    with the same generator. Replications run as joblib tasks with their own random
    streams (``numpy.random.SeedSequence`` spawned per grid point), see
    :mod:`studylib.power._run`.

    References
    ----------
    Preacher, K. J., & Selig, J. P. (2012). Advantages of Monte Carlo confidence intervals
    for indirect effects. *Communication Methods and Measures, 6*(2), 77-98.
    https://doi.org/10.1080/19312458.2012.679848

    Examples
    --------
    >>> import studylib
    >>> spec = {
    ...     "design": {"a": ["a1", "a2"], "b": ["b1", "b2"]},
    ...     "simulation": {"scores": {"y": {"mean": 4.0, "sd": 1.0,
    ...                    "effects": {"a.a2": 0.3, "a.a2*b.b2": -0.6}}}},
    ...     "models": {"anova_y": {"kind": "anova", "dv": "y", "between": ["a", "b"]}},
    ... }
    >>> res = studylib.power(spec, n_grid=[30, 60, 90], reps=400, seed=1, n_jobs=1,
    ...                      progress=False)
    >>> res.power.pivot_table(index="effect", columns="n_per_cell", values="power", sort=False)
    n_per_cell      30      60      90
    effect
    a           0.0425  0.0350  0.0450
    b           0.3550  0.6700  0.8000
    a x b       0.3775  0.6250  0.8175
    a | b1      0.2200  0.3900  0.5175
    a | b2      0.2250  0.3625  0.5250
    >>> res.min_n(0.8)[["test", "effect", "n_per_cell", "power"]]
         test  effect  n_per_cell   power
    0   anova       a        <NA>     NaN
    1   anova       b          90  0.8000
    2   anova   a x b          90  0.8175
    3  simple  a | b1        <NA>     NaN
    4  simple  a | b2        <NA>     NaN
    >>> # R: no single equivalent (simr::powerSim for one lm; Superpower for ANOVAs)
    """
    grid = check_grid(n_grid)
    reps = check_int(reps, "reps", minimum=10)
    method = check_option(method, "method", ("montecarlo", "bootstrap"))
    draws = check_int(draws, "draws", minimum=100)
    boot = check_int(boot, "boot", minimum=100)
    if conf is not None:
        conf = check_fraction(conf, "conf")
    alpha = check_fraction(alpha, "alpha")
    scores = check_option(scores, "scores", ("latent", "items"))
    target = check_target(target)
    n_jobs = resolve_n_jobs(n_jobs)
    if study is None:
        from ..paths import STUDY_CONFIG

        study = STUDY_CONFIG
    hypotheses: tuple = ()
    if isinstance(study, Mapping):
        block, declared, where, items = _from_mapping(study)
    elif isinstance(study, (str, Path)) or hasattr(study, "factors"):
        block, declared, where, items, hypotheses = _from_study(study)
    else:
        raise InputTypeError(f"study must be a study file path, a Study or a specification dict; "
                             f"got {type(study).__name__}")
    if models is not None:
        names = [m[0] for m in declared]
        models = [models] if isinstance(models, str) else list(models)
        unknown = [m for m in models if m not in names]
        if unknown:
            raise SpecError(f"{where}: models {unknown} are not declared; the study has {names}")
        declared = [m for m in declared if m[0] in models]
    if scores == "items":
        if block.loading is None:
            raise SpecError(f"{where}: scores='items' needs simulation.items.loading")
        if items is None or any(s not in items for s in block.scales):
            raise SpecError(f"{where}: scores='items' needs the items and answer range of "
                            f"every simulated scale {list(block.scales)} (scales: ...)")
    plan = build_plan(block, declared, where=where, method=method, draws=draws, boot=boot,
                      alpha=alpha, conf=conf, scores=scores, items=items, hypotheses=hypotheses)
    seed = _seed(seed, block.seed)
    table = run_plan(plan, grid, reps, seed, n_jobs, progress)
    settings = {
        "kind": "study",
        "study": where,
        "models": [m[0] for m in declared],
        "n_grid": list(grid),
        "n_cells": block.n_cells,
        "reps": reps,
        "alpha": alpha,
        "conf": conf,
        "method": method,
        "draws": draws if method == "montecarlo" else None,
        "boot": boot if method == "bootstrap" else None,
        "scores": scores,
    }
    from ._hypotheses import hypothesis_power

    simulated = {m[0]: (m[1], m[2]) for m in declared}
    hyp = hypothesis_power(hypotheses, simulated, table)
    kind = method if any(k == "process" for _, k, _ in declared) else "anova"
    return PowerResult(table, target, kind, settings, seed, hypotheses=hyp)
