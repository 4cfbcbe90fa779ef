"""What one power replication computes: the simulated study and the tests of its models.

A :class:`Plan` is built once from the study (its design, the ``simulation:`` block and
the declared models) and sent, pickled, to the workers; :func:`run_chunk` simulates a
chunk of replications at one n per cell from its own random stream and counts, per test,
the replications in which the test is significant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._simblock import SimBlock, cell_codes, draw_scores, within_sd
from ..errors import SpecError
from ._ftests import anova_labels, anova_pvalues, contrast_counts, contrast_label
from ._process import ProcessTarget, process_hits, process_labels, process_target

__all__ = ["AnovaTarget", "Plan", "ItemModel", "build_plan", "run_chunk"]


@dataclasses.dataclass(frozen=True)
class AnovaTarget:
    """A study's ``kind: anova`` model."""

    name: str
    dv: str
    between: tuple[str, ...]
    factor_index: tuple[int, ...]  # positions of ``between`` among the design's factors
    n_levels: tuple[int, ...]
    ss_type: int = 3
    # differences of marginal means a hypothesis asks for: (focal, first, second, at, levels)
    contrasts: tuple = ()


@dataclasses.dataclass(frozen=True)
class ItemModel:
    """Items of one scale for ``scores="items"``: how many, and the range of the answers."""

    n_items: int
    low: float
    high: float


@dataclasses.dataclass(frozen=True)
class Plan:
    """Everything a replication needs; picklable (sent to joblib / Dask workers)."""

    block: SimBlock
    targets: tuple[AnovaTarget | ProcessTarget, ...]
    labels: tuple[tuple[str, str, str], ...]  # (analysis, test, effect) per counted test
    method: str = "montecarlo"
    draws: int = 2000
    boot: int = 1000
    alpha: float = 0.05
    scores: str = "latent"
    items: Mapping[str, ItemModel] | None = None

    @property
    def chunk(self) -> int:
        """Replications per task: fixed by the settings, never by the number of workers."""
        if not any(isinstance(t, ProcessTarget) for t in self.targets):
            return 500
        if self.method == "montecarlo":  # keep reps x draws x effects near 10-20 MB
            return max(5, min(100, 100_000 // self.draws))
        return 5


def _frame(block: SimBlock, scores: dict[str, np.ndarray], n: int, reps: int) -> pd.DataFrame:
    """The stacked replications as process takes them: factors as Categoricals, scores."""
    codes = cell_codes(block, n)
    cols: dict[str, Any] = {}
    for j, (name, levels) in enumerate(block.factors):
        cols[name] = pd.Categorical.from_codes(np.tile(codes[:, j], reps), categories=list(levels))
    for scale, values in scores.items():
        cols[scale] = values.ravel()
    return pd.DataFrame(cols)


def item_scores(block: SimBlock, items: Mapping[str, ItemModel], latent: dict[str, np.ndarray],
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scale means of simulated item answers (the item model of ``simulation.items``).

    Each answer is the score plus independent normal error, rounded and clipped to the
    scale's answer range; the error SD makes ``loading`` the within-cell correlation of an
    item's answer tendency with the score. Reverse keying is undone by scoring, so the
    mean of the answers as scored is used directly.
    """
    sds = within_sd(block)
    out = {}
    for scale, s in latent.items():
        im = items[scale]
        err_sd = sds[scale] * np.sqrt(1 - block.loading**2) / block.loading
        noise = err_sd * rng.standard_normal((*s.shape, im.n_items))
        out[scale] = np.clip(np.rint(s[..., None] + noise), im.low, im.high).mean(axis=-1)
    return out


def run_chunk(plan: Plan, n: int, reps: int, seed: np.random.SeedSequence) -> np.ndarray:
    """Significant results per test in ``reps`` replications of n per cell: (tests, 3).

    Columns: significant; CI above 0; CI below 0 (the last two 0 for F tests).
    """
    rng = np.random.default_rng(seed)
    scores = draw_scores(plan.block, n, reps, rng)
    if plan.scores == "items":
        scores = item_scores(plan.block, plan.items, scores, rng)
    codes = cell_codes(plan.block, n)
    hits = []
    frame = None
    for t in plan.targets:
        if isinstance(t, AnovaTarget):
            p = anova_pvalues(scores[t.dv], codes[:, list(t.factor_index)], t.n_levels, t.between,
                              t.ss_type)
            sig = (p < plan.alpha).sum(axis=0)
            hits.append(np.column_stack([sig, np.zeros_like(sig), np.zeros_like(sig)]))
            if t.contrasts:
                hits.append(contrast_counts(scores[t.dv], codes[:, list(t.factor_index)],
                                            t.n_levels, t.between, t.contrasts, plan.alpha))
        else:
            if frame is None:
                frame = _frame(plan.block, scores, n, reps)
            hits.append(process_hits(t, frame, reps, plan.method, plan.draws, plan.boot, rng))
    return np.concatenate(hits, axis=0).astype(np.int64)


def _anova_contrasts(name: str, between: tuple[str, ...], levels: dict, hypotheses) -> tuple:
    """The differences of marginal means that hypotheses about ANOVA ``name`` ask for."""
    out = []
    for h in hypotheses:
        est = dict(getattr(h, "estimate", {}) or {})
        if getattr(h, "model", None) != name or "contrast" not in est:
            continue
        focal, lv, at = est["contrast"], est.get("levels") or (), dict(est.get("at") or {})
        ok = (focal in between and len(lv) == 2 and all(v in levels[focal] for v in lv)
              and all(f in between and f != focal and at[f] in levels[f] for f in at))
        if ok:
            item = (focal, str(lv[0]), str(lv[1]), tuple(at.items()),
                    {b: tuple(levels[b]) for b in between})
            if item not in out:
                out.append(item)
    return tuple((f, a, b, dict(at), lv) for f, a, b, at, lv in out)


def build_plan(block: SimBlock, models: Sequence[tuple[str, str, Mapping[str, Any]]], *,
               where: str, method: str, draws: int, boot: int, alpha: float, conf: float | None,
               scores: str, items: Mapping[str, ItemModel] | None, hypotheses: Sequence = ()) -> Plan:
    """Targets and labels of every declared model (SpecError for what cannot be simulated).

    An ANOVA also gets the differences of marginal means that ``hypotheses`` ask for.
    """
    factor_names = [f for f, _ in block.factors]
    levels = dict(block.factors)
    known = [*factor_names, *block.scales]
    targets: list[AnovaTarget | ProcessTarget] = []
    labels: list[tuple[str, str, str]] = []
    template = None
    for name, kind, options in models:
        if kind == "anova":
            dv = options.get("dv")
            between = options.get("between")
            between = (between,) if isinstance(between, str) else tuple(between or ())
            if dv not in block.scales:
                raise SpecError(f"{where}: models.{name}.dv {dv!r} is not simulated; "
                                f"simulation.scores has {list(block.scales)}")
            bad = [b for b in between if b not in levels]
            if bad or not between:
                raise SpecError(f"{where}: models.{name}.between must name design factors "
                                f"{factor_names}; got {list(between)}")
            contrasts = _anova_contrasts(name, between, levels, hypotheses)
            t = AnovaTarget(name, dv, between, tuple(factor_names.index(b) for b in between),
                            tuple(len(levels[b]) for b in between), int(options.get("ss_type", 3)),
                            contrasts)
            targets.append(t)
            labels += [(name, test, eff) for test, eff in anova_labels(between, [levels[b] for b in between])]
            labels += [(name, "contrast", contrast_label(f, a, b, at)) for f, a, b, at, _ in contrasts]
        elif kind == "process":
            t = process_target(name, options, known, where, conf)
            if template is None:
                rng = np.random.default_rng(0)
                template = _frame(block, draw_scores(block, 2, 1, rng), 2, 1)
            targets.append(t)
            labels += [(name, test, eff) for test, eff in process_labels(t, template)]
        # other kinds (measurement models, ...) have no power simulation: skipped
    if not targets:
        raise SpecError(f"{where}: declares no ANOVA or process model whose power could be "
                        "simulated (models: kind anova or process)")
    return Plan(block, tuple(targets), tuple(labels), method, draws, boot, alpha, scores,
                dict(items) if items else None)
