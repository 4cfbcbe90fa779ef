"""The ``simulation:`` block of a study file: parse, check, and draw scale scores from it.

The block (agreed format, /work/notes/SIMULATION_BLOCK.md; documented in the README) gives
the data-generating model of a study at the level of scale scores::

    simulation:
      n_per_cell: 60
      seed: 11
      scores:
        <scale id>:
          mean: 4.0          # mean in the reference cell (first level of every factor)
          sd: 1.0            # residual SD (> 0)
          effects:
            <factor>.<level>: 0.5
            <factor>.<level>*<factor>.<level>: -0.8
            <earlier scale id>: 0.4
      items: {loading: 0.8}
      missing: 0.0

Score :math:`s` of a respondent in cell :math:`c` is

.. math:: s = \\mu_s + \\sum_k \\beta_k \\prod_{t \\in k} u_t + \\sigma_s \\varepsilon,

where each effect key :math:`k` is a product of terms :math:`u_t`: the indicator of a
level (1 in that level, 0 otherwise; a factor's first level is the reference) or an
earlier score centred at its ``mean`` (so ``mean`` stays the reference-cell mean). A
product may hold at most one score (a moderated slope such as ``trust*source.brand``).
Scores are drawn in the order of ``scores``; :math:`\\varepsilon` are independent standard
normal. Written by hand (no library draws from such a block); vectorized over
replications for power.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from .errors import SpecError

__all__ = ["SimBlock", "ScoreModel", "parse_block", "cell_codes", "draw_scores", "within_sd"]

_KEYS = ("n_per_cell", "seed", "scores", "items", "missing")


@dataclasses.dataclass(frozen=True)
class ScoreModel:
    """One scale's equation: reference-cell mean, residual SD and effect terms.

    ``terms`` holds ``(key, parts, value)``; ``parts`` are ``(factor, level index)`` for a
    level indicator or ``(scale id, None)`` for a centred earlier score.
    """

    scale: str
    mean: float
    sd: float
    terms: tuple[tuple[str, tuple[tuple[str, int | None], ...], float], ...]


@dataclasses.dataclass(frozen=True)
class SimBlock:
    """A checked ``simulation:`` block and the design it refers to."""

    factors: tuple[tuple[str, tuple[str, ...]], ...]  # (factor, levels) in design order
    scores: tuple[ScoreModel, ...]
    n_per_cell: int | None
    seed: int | None
    loading: float | None
    missing: float
    where: str

    @property
    def scales(self) -> tuple[str, ...]:
        return tuple(s.scale for s in self.scores)

    @property
    def n_cells(self) -> int:
        return math.prod(len(levels) for _, levels in self.factors)

    def score(self, scale: str) -> ScoreModel:
        for s in self.scores:
            if s.scale == scale:
                return s
        raise SpecError(
            f"{self.where}: simulation.scores has no entry for scale {scale!r}; "
            f"it simulates {list(self.scales)}"
        )


def _err(where: str, key: str, what: str) -> SpecError:
    return SpecError(f"{where}: {key} {what}")


def _number(value: Any, where: str, key: str, *, positive: bool = False) -> float:
    if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
        raise _err(where, key, f"must be a finite number; got {value!r}")
    if positive and value <= 0:
        raise _err(where, key, f"must be > 0; got {value!r}")
    return float(value)


def _parse_term(key: Any, factors: dict[str, tuple[str, ...]], earlier: list[str],
                scales: Sequence[str], where: str, field: str) -> tuple[tuple[str, int | None], ...]:
    if not isinstance(key, str) or not key.strip():
        raise _err(where, field, "must be a text key such as 'frame.loss' (factor.level), a score or a product of them")
    parts: list[tuple[str, int | None]] = []
    n_scores = 0
    for raw in key.split("*"):
        part = raw.strip()
        if "." in part:
            factor, _, level = part.partition(".")
            if factor not in factors:
                raise _err(where, field, f"names an unknown factor {factor!r}; the design's factors "
                           f"are {list(factors)}")
            levels = factors[factor]
            if level not in levels:
                raise _err(where, field, f"names an unknown level {level!r} of factor {factor!r}; "
                           f"its levels are {list(levels)}")
            if levels.index(level) == 0:
                raise _err(where, field, f"names the reference level {level!r} of {factor!r} "
                           f"(its first level, coded 0): give effects of the other levels "
                           f"{list(levels[1:])}")
            if any(f == factor for f, _ in parts):
                raise _err(where, field, f"names factor {factor!r} twice")
            parts.append((factor, levels.index(level)))
        else:
            if part not in scales:
                raise _err(where, field, f"names {part!r}, which is neither a factor level "
                           f"('<factor>.<level>') nor a scale of the study {list(scales)}")
            if part not in earlier:
                raise _err(where, field, f"names scale {part!r}, which is not drawn before this "
                           f"one: list it earlier in simulation.scores (drawn so far: {earlier})")
            n_scores += 1
            parts.append((part, None))
    if n_scores > 1:
        raise _err(where, field, "multiplies two scores; a product may hold at most one score")
    return tuple(parts)


def parse_block(block: Any, factors: Sequence[tuple[str, Sequence[str]]], scales: Sequence[str],
                where: str) -> SimBlock:
    """Check a raw ``simulation:`` mapping against the study's design and scales.

    Parameters
    ----------
    block : mapping
        The block as read from YAML.
    factors : sequence of (name, levels)
        The study's design factors, levels in order (first = reference).
    scales : sequence of str
        The study's scale ids.
    where : str
        The file (for messages).

    Raises
    ------
    SpecError
        Naming the key, e.g. ``simulation.scores.trust.effects.frame.good``.
    """
    facs = {str(f): tuple(str(v) for v in levels) for f, levels in factors}
    scales = [str(s) for s in scales]
    if not isinstance(block, Mapping):
        raise _err(where, "simulation", f"must be a mapping; got {type(block).__name__}")
    unknown = [k for k in block if k not in _KEYS]
    if unknown:
        raise _err(where, "simulation", f"has unknown keys {unknown}; allowed: {list(_KEYS)}")
    n = block.get("n_per_cell")
    if n is not None and (not isinstance(n, Integral) or isinstance(n, bool) or n < 2):
        raise _err(where, "simulation.n_per_cell", f"must be a whole number >= 2; got {n!r}")
    seed = block.get("seed")
    if seed is not None and (not isinstance(seed, Integral) or isinstance(seed, bool) or seed < 0):
        raise _err(where, "simulation.seed", f"must be a whole number >= 0; got {seed!r}")
    raw_scores = block.get("scores")
    if not isinstance(raw_scores, Mapping) or not raw_scores:
        raise _err(where, "simulation.scores", "must map at least one scale id to its "
                   "{mean, sd, effects}")
    models: list[ScoreModel] = []
    earlier: list[str] = []
    for scale, spec in raw_scores.items():
        f = f"simulation.scores.{scale}"
        if scale not in scales:
            raise _err(where, f, f"is not a scale of the study; its scales are {scales}")
        if not isinstance(spec, Mapping):
            raise _err(where, f, f"must be a mapping with mean, sd and effects; got {spec!r}")
        extra = [k for k in spec if k not in ("mean", "sd", "effects")]
        if extra:
            raise _err(where, f, f"has unknown keys {extra}; allowed: ['mean', 'sd', 'effects']")
        for key in ("mean", "sd"):
            if key not in spec:
                raise _err(where, f"{f}.{key}", "is missing")
        mean = _number(spec["mean"], where, f"{f}.mean")
        sd = _number(spec["sd"], where, f"{f}.sd", positive=True)
        effects = spec.get("effects") or {}
        if not isinstance(effects, Mapping):
            raise _err(where, f"{f}.effects", f"must map effect keys to numbers; got {effects!r}")
        terms = []
        for key, value in effects.items():
            field = f"{f}.effects.{key}"
            parts = _parse_term(key, facs, earlier, scales, where, field)
            terms.append((str(key), parts, _number(value, where, field)))
        models.append(ScoreModel(str(scale), mean, sd, tuple(terms)))
        earlier.append(str(scale))
    loading = None
    items = block.get("items")
    if items is not None:
        if not isinstance(items, Mapping) or set(items) != {"loading"}:
            raise _err(where, "simulation.items", f"must be {{loading: <number>}}; got {items!r}")
        loading = _number(items["loading"], where, "simulation.items.loading")
        if not 0 < loading < 1:
            raise _err(where, "simulation.items.loading", f"must lie strictly between 0 and 1; got {loading!r}")
    missing = _number(block.get("missing", 0.0), where, "simulation.missing")
    if not 0 <= missing < 1:
        raise _err(where, "simulation.missing", f"must lie in [0, 1); got {missing!r}")
    return SimBlock(tuple(facs.items()), tuple(models), None if n is None else int(n),
                    None if seed is None else int(seed), loading, missing, where)


def cell_codes(block: SimBlock, n_per_cell: int) -> np.ndarray:
    """Level index of every factor for each row, (n_cells * n, k); rows grouped by cell.

    Cells are in C order over the factors (the first factor varies slowest); each cell
    holds ``n_per_cell`` consecutive rows.
    """
    shape = [len(levels) for _, levels in block.factors]
    cells = np.indices(shape).reshape(len(shape), -1).T
    return np.repeat(cells, n_per_cell, axis=0)


def _design_value(block: SimBlock, codes: np.ndarray, parts, drawn: dict[str, np.ndarray]):
    names = [f for f, _ in block.factors]
    value: Any = 1.0
    for name, level in parts:
        if level is None:
            value = value * (drawn[name] - block.score(name).mean)
        else:
            value = value * (codes[:, names.index(name)] == level)
    return value


def draw_scores(block: SimBlock, n_per_cell: int, reps: int,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scores of every simulated scale: arrays (reps, n_cells * n_per_cell), rows by cell.

    One ``standard_normal((reps, N))`` draw per scale, in the order of the block.
    """
    codes = cell_codes(block, n_per_cell)
    drawn: dict[str, np.ndarray] = {}
    for model in block.scores:
        mu = np.full(codes.shape[0], model.mean)
        slope_terms = []
        for _, parts, beta in model.terms:
            if any(level is None for _, level in parts):
                slope_terms.append((parts, beta))
            else:
                mu = mu + beta * _design_value(block, codes, parts, drawn)
        s = mu[None, :] + model.sd * rng.standard_normal((reps, codes.shape[0]))
        for parts, beta in slope_terms:
            s = s + beta * _design_value(block, codes, parts, drawn)
        drawn[model.scale] = s
    return drawn


def within_sd(block: SimBlock) -> dict[str, float]:
    """Population within-cell SD of each score, pooled over cells (root mean variance).

    Each score's deviation from its cell mean is a linear combination of the residuals of
    the scores drawn so far; its coefficients depend on the cell when a slope is moderated.
    """
    codes = cell_codes(block, 1)  # one row per cell
    k = len(block.scores)
    coef: dict[str, np.ndarray] = {}  # scale -> (cells, k) weights on the residuals
    out = {}
    for j, model in enumerate(block.scores):
        a = np.zeros((codes.shape[0], k))
        a[:, j] = 1.0
        for _, parts, beta in model.terms:
            scale = next((name for name, level in parts if level is None), None)
            if scale is None:
                continue
            ind = _design_value(block, codes, [p for p in parts if p[1] is not None], {})
            a = a + beta * np.asarray(ind, dtype=float).reshape(-1, 1) * coef[scale]
        coef[model.scale] = a
        sds = np.array([m.sd for m in block.scores])
        out[model.scale] = float(np.sqrt(np.mean((a**2 * sds**2).sum(axis=1))))
    return out


def study_block(study: Any) -> tuple[Any, Any]:
    """A study (file path or :class:`studylib.study.Study`) and its raw ``simulation:`` block.

    Returns ``(study, block)``; ``block`` is None when the study declares none. A Study
    object carries the block as ``study.simulation``. A Study class that does not know the
    block yet (before the study file gained it) gets the file without it, and the block is
    read beside it.
    """
    from pathlib import Path

    from .study import Study, load_study

    if isinstance(study, Study):
        return study, getattr(study, "simulation", None)
    path = Path(study)
    loaded = load_study(path) if "simulation" in Study.__dataclass_fields__ else None
    if loaded is not None:
        return loaded, getattr(loaded, "simulation", None)
    import yaml

    if not path.is_file():
        raise FileNotFoundError(f"study configuration not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not a valid YAML file: {exc}") from None
    block = data.pop("simulation", None) if isinstance(data, dict) else None
    return Study.from_dict(data, path=path), block


def block_of_study(study: Any, block: Any) -> SimBlock:
    """:func:`parse_block` for a Study's design and scales (SpecError if there is no block)."""
    where = str(study.path) if getattr(study, "path", None) else "<study>"
    if block is None:
        raise SpecError(
            f"{where}: has no 'simulation:' block; add one with the scores' means, SDs and "
            "effects (see the README, 'Power for any study') to simulate or plan power"
        )
    factors = [(f.name, f.levels) for f in study.factors]
    return parse_block(block, factors, [s.id for s in study.scales], where)
