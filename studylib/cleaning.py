"""Exclusion rules applied in a stated order, with a log.

:func:`apply_exclusions` takes the analysis-ready frame (:func:`studylib.io.prepare`) and the
rules of a study file (``exclusions:``) and returns the kept rows and an :class:`ExclusionLog`.
The manipulation checks themselves are tested by :mod:`studylib.checks`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._json import to_jsonable
from ._validation import (
    check_columns,
    check_dataframe,
    check_numeric,
    format_rows,
)
from .errors import DataError, InputTypeError, SpecError, StudylibWarning
from .study import RULE_ALIASES, RULES, ExclusionRule, Study

__all__ = ["apply_exclusions", "ExclusionLog"]


@dataclass(frozen=True)
class ExclusionLog:
    """What :func:`apply_exclusions` removed, step by step and per design cell.

    Attributes
    ----------
    steps : DataFrame
        One row per rule in the order applied: ``step``, ``rule``, ``description``,
        ``n_before``, ``n_removed``, ``n_after``.
    cells : DataFrame
        One row per design cell: the factor columns, ``n_before``, ``n_removed``, ``n_after``.
    flags : DataFrame
        Index of the input data: ``resp_id`` (if present), one boolean column per rule
        (flagged by that rule, whatever the order) and ``excluded_by`` (the first rule that
        removed the row, or missing if kept).
    """

    steps: pd.DataFrame
    cells: pd.DataFrame
    flags: pd.DataFrame

    @property
    def n_before(self) -> int:
        return int(len(self.flags))

    @property
    def n_after(self) -> int:
        return int(self.flags["excluded_by"].isna().sum())

    def summary(self) -> str:
        """The exclusion steps and cell sizes as text."""
        lines = [f"Exclusions: {self.n_before} respondents read, {self.n_after} kept"]
        for r in self.steps.itertuples(index=False):
            lines.append(f"  {r.step}. {r.rule:<16} {r.description:<55} removed {r.n_removed:>3}, "
                         f"{r.n_after} left")
        lines.append("Respondents per cell (before -> after):")
        factors = [c for c in self.cells.columns if c not in ("n_before", "n_removed", "n_after")]
        for r in self.cells.itertuples(index=False):
            cell = " x ".join(str(getattr(r, f)) for f in factors)
            lines.append(f"  {cell:<22} {r.n_before:>3} -> {r.n_after}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready content: the counts, ``steps`` and ``cells`` as records."""
        return to_jsonable({"n_before": self.n_before, "n_after": self.n_after,
                            "steps": self.steps, "cells": self.cells})


def _rules_and_scales(study_or_rules: Any, scales: Any) -> tuple[list[ExclusionRule], dict[str, Any]]:
    if isinstance(study_or_rules, Study):
        rules = list(study_or_rules.exclusions)
        scale_map: dict[str, Any] = {s.id: s for s in study_or_rules.scales}
    elif isinstance(study_or_rules, Sequence) and not isinstance(study_or_rules, str):
        rules = []
        for i, r in enumerate(study_or_rules):
            kind = RULE_ALIASES.get(r.get("rule"), r.get("rule")) if isinstance(r, Mapping) else None
            if isinstance(r, ExclusionRule):
                rules.append(r)
            elif kind in RULES and kind != "manipulation_check":
                required, defaults = RULES[kind]
                required += ("column", "correct") if kind == "attention_check" else ()
                params = {**defaults, **{k: v for k, v in r.items() if k != "rule"}}
                lacking = [k for k in required if k not in params]
                if lacking:
                    raise SpecError(f"exclusion rule {i} ({kind!r}) lacks {lacking}")
                rules.append(ExclusionRule(kind, params))
            elif kind == "manipulation_check":
                raise SpecError(f"exclusion rule {i} ('manipulation_check') needs the study whose check it "
                                "names: pass the Study instead of a list of rules")
            else:
                raise SpecError(f"exclusion rule {i} must be an ExclusionRule or a mapping with "
                                f"'rule' one of {list(RULES)}; got {r!r}")
        scale_map = {}
    else:
        raise InputTypeError("study_or_rules must be a Study or a list of exclusion rules; "
                             f"got {type(study_or_rules).__name__}")
    if scales is not None:
        items = scales.items() if isinstance(scales, Mapping) else ((s.id, s) for s in scales)
        scale_map.update(dict(items))
    return rules, scale_map


def _scale_list(rule: ExclusionRule, scale_map: Mapping[str, Any]) -> list[Any]:
    missing = [s for s in rule.params["scales"] if s not in scale_map]
    if missing:
        raise SpecError(f"exclusion rule {rule.rule!r} names scales {missing} that are not defined; "
                        "pass scales= (studylib.questionnaires.Scale objects, by id)")
    return [scale_map[s] for s in rule.params["scales"]]


def _lines(data: pd.DataFrame, index: Any) -> Any:
    """Export line numbers of the rows at ``index`` (header = line 1; see studylib.prepare)."""
    first = data.attrs.get("first_line")
    if first is None:
        return index
    pos = data.index.get_indexer(index)
    return [int(first + p) for p in pos]


def _flag(data: pd.DataFrame, rule: ExclusionRule, scale_map: Mapping[str, Any], study: Any) -> pd.Series:
    p, ctx = rule.params, f"exclusion rule {rule.rule!r}"
    if rule.rule == "manipulation_check":
        from .checks import correct_answers

        check = study.check(p["check"])
        check_columns(data, [check.item, check.factor], context=ctx)
        check_numeric(data, [check.item], context=ctx)
        return ~correct_answers(data, check)
    if rule.rule in ("straight_lining", "incomplete"):
        scales = _scale_list(rule, scale_map)
        items = [i for s in scales for i in s.items]
        check_numeric(data, items, context=ctx)
        values = data[items].to_numpy(dtype=float, na_value=np.nan)
        if rule.rule == "straight_lining":
            answered = (~np.isnan(values)).sum(axis=1)
            lo = np.nanmin(np.where(answered[:, None] > 0, values, 0), axis=1)
            hi = np.nanmax(np.where(answered[:, None] > 0, values, 0), axis=1)
            return pd.Series((answered >= 2) & (lo == hi), index=data.index)
        short = np.zeros(len(data), dtype=bool)
        for s in scales:
            n_ok = data[list(s.items)].notna().sum(axis=1).to_numpy()
            short |= n_ok < s.min_valid_items
        return pd.Series(short, index=data.index)
    col = p["column"]
    check_numeric(data, [col], context=ctx)
    x = pd.to_numeric(data[col]).astype(float)
    if rule.rule == "attention_check":
        return x.isna() | (x != float(p["correct"]))
    if rule.rule == "speeder":
        negative = x < 0  # an impossible time (often a missing code left as a number): never a speeder
        if negative.any():
            raise DataError(
                f"column {col!r} ({ctx}) has negative completion times in rows "
                f"{format_rows(_lines(data, x.index[negative]), x[negative])}; a duration cannot be negative. Fix the "
                f"data (a missing code such as -99 left as a number: empty those cells or declare it "
                f"missing in the export), and declare the allowed times under 'ranges: {col}' in the "
                "study file"
            )
        return x < float(p["fraction_of_median"]) * float(x.median())
    if rule.rule == "range":
        return x.isna() | (x < float(p["min"])) | (x > float(p["max"]))
    return x.isna() | (x != float(p["value"]))  # required_value


def apply_exclusions(
    data: pd.DataFrame,
    study_or_rules: Study | Sequence[ExclusionRule | Mapping[str, Any]],
    *,
    scales: Mapping[str, Any] | Sequence[Any] | None = None,
    factors: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, ExclusionLog]:
    """Apply exclusion rules in order; return the kept rows and a log.

    Parameters
    ----------
    data : DataFrame
        Analysis-ready frame (:func:`studylib.prepare`). Not modified.
    study_or_rules : Study or list
        A :class:`~studylib.study.Study` (its ``exclusions`` and ``scales``) or a list of
        rules: :class:`~studylib.study.ExclusionRule` or mappings such as
        ``{"rule": "range", "column": "score", "min": 18, "max": 30}``.
    scales : mapping or list, optional
        Scales for ``straight_lining``/``incomplete`` (objects with ``items`` and
        ``min_valid_items``, e.g. studylib.questionnaires.Scale), by id.
    factors : sequence of str, optional
        Columns that define the design cells counted in the log; default the study's
        factors, or the Categorical columns of ``data`` when rules are given without a study.

    Returns
    -------
    kept : DataFrame
        The rows not excluded (original index and columns).
    log : ExclusionLog
        ``steps`` (count removed by each rule, in order), ``cells`` (n per cell before
        and after) and ``flags`` (per respondent).

    Raises
    ------
    ColumnError
        A column a rule needs is not in ``data``.
    DataError
        Such a column is not numeric; a ``speeder`` column holds negative times; or the rules
        remove every respondent (the message names the rule that removed the last ones).
    SpecError
        A rule is malformed or names an unknown scale.

    Warns
    -----
    StudylibWarning
        A design cell is empty after the exclusions.

    Notes
    -----
    Rules: ``attention_check`` removes a wrong or missing answer; ``speeder`` removes a
    completion time below ``fraction_of_median`` times the median of all rows passed in
    (missing times are not removed); ``straight_lining`` removes respondents with at least
    two answered items and zero variance over all items of the named scales in their
    raw, unreversed form (an answer pattern that is inconsistent with reverse-keyed
    items); ``range`` removes a missing value or one outside ``[min, max]`` (``age_range``
    is its older name); ``required_value`` removes rows whose column is not ``value`` (or
    missing; older name ``not_follower``); ``manipulation_check`` removes a missing answer
    or one that is not the correct answer of the respondent's level (:mod:`studylib.checks`);
    ``incomplete`` removes respondents with fewer answered items than a scale's
    ``min_valid_items`` in any named scale. Each rule only removes rows that earlier rules
    kept, so the counts depend on the order; ``flags`` shows every rule's verdict.

    Examples
    --------
    >>> from studylib import load_study, load_synthetic, apply_exclusions
    >>> data = load_synthetic("prepared")
    >>> kept, log = apply_exclusions(data, load_study())
    >>> # R: dplyr::filter(data, attn_01 == 2, duration_s >= 0.4 * median(duration_s), ...)
    >>> log.steps[["rule", "n_removed", "n_after"]]
                  rule  n_removed  n_after
    0  attention_check         31      279
    1          speeder          2      277
    2  straight_lining          1      276
    3            range          7      269
    4   required_value          8      261
    5       incomplete          9      252
    >>> log.n_before, log.n_after == len(kept)
    (310, True)
    """
    check_dataframe(data)
    rules, scale_map = _rules_and_scales(study_or_rules, scales)
    study = study_or_rules if isinstance(study_or_rules, Study) else None
    flags = pd.DataFrame(index=data.index)
    if "resp_id" in data.columns:
        flags["resp_id"] = data["resp_id"]
    names = []
    for rule in rules:
        name = rule.rule if rule.rule not in names else f"{rule.rule}_{names.count(rule.rule) + 1}"
        names.append(name)
        flags[name] = _flag(data, rule, scale_map, study).to_numpy(dtype=bool)
    if factors is None:
        factors = ([f.name for f in study.factors] if study is not None else
                   [c for c in data.columns if isinstance(data[c].dtype, pd.CategoricalDtype)])
        if not factors:
            raise SpecError("apply_exclusions needs the design factors of the exclusion log: pass factors= "
                            "(or a Study), e.g. factors=['condition']")
    factors = check_columns(data, list(factors), context="design factors of the exclusion log")
    kept = np.ones(len(data), dtype=bool)
    excluded_by = pd.Series(pd.NA, index=data.index, dtype="str")
    steps = []
    for i, (rule, name) in enumerate(zip(rules, names, strict=True), start=1):
        hit = kept & flags[name].to_numpy()
        excluded_by[hit] = name
        steps.append({"step": i, "rule": name, "description": rule.describe(),
                      "n_before": int(kept.sum()), "n_removed": int(hit.sum()),
                      "n_after": int(kept.sum() - hit.sum())})
        kept &= ~hit
        if not kept.any() and len(data):
            raise DataError(
                f"exclusion step {i} ({name!r}: {rule.describe()}) removed the last {int(hit.sum())} of "
                f"{len(data)} respondents: nobody is left to analyse. Check that rule's settings "
                f"(exclusions[{i - 1}] in the study file) and the values of the column(s) it reads"
            )
    flags["excluded_by"] = excluded_by
    before = data.groupby(factors, observed=False).size().rename("n_before")
    after = data[kept].groupby(factors, observed=False).size().rename("n_after")
    cells = pd.concat([before, after], axis=1).fillna(0).astype(int).reset_index()
    cells.insert(len(factors) + 1, "n_removed", cells["n_before"] - cells["n_after"])
    steps_df = pd.DataFrame(steps, columns=["step", "rule", "description", "n_before",
                                            "n_removed", "n_after"])
    empty = cells[(cells["n_after"] == 0) & (cells["n_before"] > 0)]
    if len(empty):
        warnings.warn(f"design cells empty after exclusions: {empty[factors].to_dict('records')}",
                      StudylibWarning, stacklevel=2)
    return data[kept], ExclusionLog(steps_df, cells, flags)
