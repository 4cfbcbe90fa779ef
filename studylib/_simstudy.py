"""An item-level synthetic export of any study, from its study file's ``simulation:`` block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._simblock import block_of_study, cell_codes, draw_scores, study_block, within_sd
from ._validation import as_generator, check_int

__all__ = ["simulate_from_study", "DEFAULT_LOADING"]

#: Loading of every item when the block has no ``items:`` entry.
DEFAULT_LOADING = 0.8


def _export_names(study: Any) -> dict[str, str]:
    """Item id -> the export column written for it.

    The first export column of ``columns`` that maps to the item; items the study needs
    but does not list there (scale items, checks, demographics) under their own id.
    """
    out: dict[str, str] = {}
    for col, item in study.columns.items():
        out.setdefault(item, col)
    needed = [i for s in study.scales for i in s.items]
    check = getattr(study, "attention_check", None)
    if check is not None:
        needed.append(check.item)
    needed += [m.item for m in getattr(study, "manipulation_checks", ())]
    needed += [d.item for d in getattr(study, "demographics", ())]
    for item in needed:
        out.setdefault(item, item)
    return out


def _check_answers(check: Any, levels: list[np.ndarray], study: Any,
                   rng: np.random.Generator) -> np.ndarray | None:
    """Answers to a manipulation check that match each respondent's condition."""
    names = [f.name for f in study.factors]
    if check.factor not in names or not check.correct:
        return None
    factor = study.factors[names.index(check.factor)]
    level = np.array(factor.levels, dtype=object)[levels[names.index(check.factor)]]
    out = np.empty(len(level))
    for lv in factor.levels:
        rows = level == lv
        answer = check.correct.get(lv)
        if isinstance(answer, (list, tuple)) and len(answer) == 2:  # a range of correct ratings
            out[rows] = rng.integers(int(answer[0]), int(answer[1]) + 1, size=int(rows.sum()))
        elif answer is not None:
            out[rows] = float(answer)
        else:
            return None
    return out


def _single_item(item: str, study: Any, n: int, rng: np.random.Generator,
                 levels: list[np.ndarray]) -> np.ndarray:
    """Answers to a single item that let every respondent pass the study's exclusions."""
    check = getattr(study, "attention_check", None)
    if check is not None and check.item == item:
        return np.full(n, float(check.correct))
    for mc in getattr(study, "manipulation_checks", ()):
        if mc.item == item:
            answers = _check_answers(mc, levels, study, rng)
            if answers is not None:
                return answers
    for rule in study.exclusions:
        p = rule.params
        if p.get("column") != item:
            continue
        if rule.rule == "attention_check":
            return np.full(n, float(p["correct"]))
        if rule.rule in ("not_follower", "required_value"):
            return np.full(n, float(p["value"]))
        if rule.rule in ("age_range", "range"):
            return rng.integers(int(np.ceil(p["min"])), int(np.floor(p["max"])) + 1, size=n).astype(float)
        if rule.rule == "speeder":  # log-normal around 300 s, never below half the median
            return np.maximum(np.rint(300.0 * np.exp(0.3 * rng.standard_normal(n))), 150.0)
    for demo in getattr(study, "demographics", ()):
        if demo.item == item and demo.codes:
            codes = sorted(float(c) for c in demo.codes)
            return np.asarray(codes)[rng.integers(0, len(codes), size=n)]
        if demo.item == item and demo.min is not None and demo.max is not None:
            return rng.integers(int(demo.min), int(demo.max) + 1, size=n).astype(float)
    if item in study.ranges:
        lo, hi = study.ranges[item]
        return rng.integers(int(lo), int(hi) + 1, size=n).astype(float)
    if item in study.codes and study.codes[item]:
        codes = sorted(set(study.codes[item].values()))
        return np.asarray(codes, dtype=float)[rng.integers(0, len(codes), size=n)]
    return rng.integers(1, 6, size=n).astype(float)


def simulate_from_study(
    study: str | Path | Any = None,
    *,
    n_per_cell: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """A synthetic item-level export of a study, as its survey tool would write it.

    Parameters
    ----------
    study : path or Study, optional
        A study file with a ``simulation:`` block (default ``analyses/study.yaml``) or a
        loaded :class:`~studylib.study.Study`.
    n_per_cell : int, optional
        Respondents per cell of the design; default ``simulation.n_per_cell`` (else 50).
    seed : int, numpy.random.Generator or None
        Default ``simulation.seed`` (else a fresh seed); the seed used is stored in
        ``.attrs["seed"]``. The same seed gives the same frame, bit for bit.

    Returns
    -------
    pandas.DataFrame
        One row per respondent (cells in random order, balanced), with the study's id
        column (``S0001``...), each factor's condition column (the level's first label),
        and one column per item id under its export name (the first column of
        ``columns`` that maps to it). Answers are nullable integers (``Int64``).

    Raises
    ------
    SpecError
        The study has no ``simulation:`` block, or the block is invalid (the message names
        the key, e.g. ``simulation.scores.trust.effects.frame.good``), or a scale of the
        study has no entry in ``simulation.scores``.

    Notes
    -----
    Scores are drawn by the block's model (:mod:`studylib._simblock`). Each item answer is
    the score plus normal error with SD :math:`\\sigma_w \\sqrt{1-\\lambda^2}/\\lambda`
    (:math:`\\sigma_w` the score's within-cell SD, :math:`\\lambda` the loading of
    ``simulation.items``, default 0.8), rounded and clipped to the scale's range, and
    mirrored (``min + max - answer``) for a reverse-keyed item; each scale answer is then
    missing with probability ``simulation.missing``. Other items get answers that pass the
    study's exclusion rules (the correct attention-check answer, a value inside a range
    rule, the required value, a completion time of about 300 s), manipulation checks the
    correct answer of the respondent's condition where the study declares one, and the
    rest values drawn uniformly from their demographic codes or range, ``ranges`` or
    ``codes`` (1-5 when none is declared): the synthetic respondents are all attentive.

    Examples
    --------
    >>> from studylib.paths import ROOT
    >>> from studylib.simulate import simulate_from_study
    >>> raw = simulate_from_study(ROOT / "tests" / "studies" / "study_2x2.yaml", n_per_cell=5)
    >>> raw.shape, raw.attrs["seed"]
    ((20, 11), 11)
    >>> raw.groupby(["Frame", "Source"]).size().tolist()
    [5, 5, 5, 5]
    >>> # R: no direct equivalent (cf. lavaan::simulateData plus cut())
    """
    if study is None:
        from .paths import STUDY_CONFIG

        study = STUDY_CONFIG
    study, raw = study_block(study)
    block = block_of_study(study, raw)
    missing_scales = [s.id for s in study.scales if s.id not in block.scales]
    if missing_scales:
        from .errors import SpecError

        raise SpecError(f"{block.where}: simulation.scores has no entry for the scales "
                        f"{missing_scales}; an export needs the answers to every scale")
    n = check_int(n_per_cell if n_per_cell is not None else (block.n_per_cell or 50),
                  "n_per_cell", minimum=2)
    rng, used = as_generator(block.seed if seed is None else seed)
    scores = {k: v[0] for k, v in draw_scores(block, n, 1, rng).items()}
    loading = block.loading if block.loading is not None else DEFAULT_LOADING
    sds = within_sd(block)
    answers: dict[str, np.ndarray] = {}
    for scale in study.scales:
        s = scores[scale.id]
        err = sds[scale.id] * np.sqrt(1 - loading**2) / loading
        raw_items = np.clip(np.rint(s[:, None] + err * rng.standard_normal((len(s), len(scale.items)))),
                            scale.min, scale.max)
        rev = np.array([i in scale.reverse for i in scale.items])
        written = np.where(rev, scale.min + scale.max - raw_items, raw_items)
        written[rng.random(written.shape) < block.missing] = np.nan
        for j, item in enumerate(scale.items):
            answers[item] = written[:, j]
    order = rng.permutation(len(next(iter(scores.values()))))
    codes = cell_codes(block, n)[order]
    names = _export_names(study)
    total = len(order)
    frame: dict[str, pd.Series] = {
        study.id_column: pd.Series([f"S{i + 1:04d}" for i in range(total)], dtype="str"),
    }
    for j, factor in enumerate(study.factors):
        labels = [next((v for v in factor.labels[lv] if isinstance(v, str)), factor.labels[lv][0])
                  for lv in factor.levels]
        values = np.array(labels, dtype=object)[codes[:, j]]
        frame[factor.column] = pd.Series(values, dtype="str" if all(isinstance(v, str) for v in labels)
                                         else "object")
    for item, col in names.items():
        if item in answers:
            values = answers[item][order]
        else:
            values = _single_item(item, study, total, rng, list(codes.T))
        frame[col] = pd.Series(values, dtype="Float64").astype("Int64")
    out = pd.DataFrame(frame)
    out.attrs["seed"] = used
    return out
