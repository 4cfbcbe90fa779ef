"""Display labels: variable, level and model-term names in words for APA tables and figures.

Library code knows no study's names; the study file (or the caller) gives the labels,
and :class:`Labels` turns the machine names of tidy results into words:

- a variable id (``"intent"``) into its label (``"Purchase intention"``);
- a level of a factor (``"reply"``) into its label (``"Reply"``);
- an ANOVA term (``"a:b"``) into ``"A × B"``;
- an indicator term of a regression (``"w[reply]"``) into ``"W (reply vs. none)"``, the
  reference being the first level of the factor;
- a PROCESS path (``"x -> m -> y"``) into ``"X → M → Y"``.

Names without a label are shown readably: underscores become spaces, a first lowercase
letter is capitalized, and an id of at most three letters without a vowel is taken for an
acronym (``"tv"`` -> ``"TV"``).

Examples
--------
>>> from studylib.report.labels import Labels
>>> lab = Labels({"a": "Message frame", "b": "Source"},
...              levels={"b": {"peer": "Peer", "brand": "Brand"}})
>>> lab.term("a:b"), lab.term("b[brand]"), lab.path("a -> tv -> y")
('Message frame × Source', 'Source (brand vs. peer)', 'Message frame → TV → Y')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InputTypeError

__all__ = ["Labels", "as_labels", "humanize"]

_INTERCEPTS = {"intercept": "Intercept", "(intercept)": "Intercept", "const": "Intercept",
               "constant": "Intercept"}
_RESIDUALS = {"residual": "Residual", "residuals": "Residual", "error": "Error", "within": "Residual"}
_INDICATOR = re.compile(r"^(?P<var>[^\[\]]+)\[(?:T\.)?(?P<level>[^\[\]]+)\]$")


def humanize(name: object) -> str:
    """A readable form of a machine name with no label.

    >>> humanize("tv"), humanize("mood"), humanize("time_spent"), humanize("Region")
    ('TV', 'Mood', 'Time spent', 'Region')
    """
    text = str(name)
    if text.isalpha() and text.islower() and len(text) <= 3 and not set(text) & set("aeiouy"):
        return text.upper()
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _lower_first(label: str) -> str:
    """Lowercase the first letter for use inside a phrase, unless the label is an acronym."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


class Labels:
    """Display labels of variables and factor levels.

    Parameters
    ----------
    variables : mapping, optional
        Variable (factor, scale, column) id -> label. A level id may be given here too
        when it is unique across factors.
    levels : mapping, optional
        Factor id -> {level id -> label}, in the factor's level order (the first level is
        the reference of indicator terms).

    Examples
    --------
    >>> lab = Labels({"g": "Group"}, levels={"g": {"c": "Control", "t": "Treatment"}})
    >>> lab.var("g"), lab.level("g", "t"), lab.level("g", "x"), lab.reference("g")
    ('Group', 'Treatment', 'X', 'c')
    """

    def __init__(self, variables: Mapping[str, str] | None = None, *,
                 levels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        if variables is not None and not isinstance(variables, Mapping):
            raise InputTypeError(f"labels must be a mapping id -> label; got {type(variables).__name__}")
        self.variables = {str(k): str(v) for k, v in (variables or {}).items()}
        self.levels = {str(f): {str(k): str(v) for k, v in lv.items()} for f, lv in (levels or {}).items()}

    def __repr__(self) -> str:
        return f"Labels({len(self.variables)} variables, {len(self.levels)} factors with level labels)"

    @classmethod
    def from_study(cls, study: Any, extra: Mapping[str, str] | None = None) -> Labels:
        """The display labels a study file declares: factors and their levels, scales,
        demographics, checks and models (each falls back to its id).

        ``extra`` adds or overrides labels. Level order is the factor's (the first level
        is the reference).

        Examples
        --------
        >>> from studylib import load_study
        >>> lab = Labels.from_study(load_study())
        >>> first = next(iter(lab.levels))
        >>> lab.reference(first) is not None and lab.var(first) != ""
        True
        """
        variables: dict[str, str] = {}
        levels: dict[str, dict[str, str]] = {}
        if hasattr(study, "display_labels"):  # the study file's own form of its labels
            declared = study.display_labels()
            variables = {k: v for k, v in declared.get("variables", {}).items() if v != k}
            # a level without a declared label (label = its id) is shown readably, in level order
            levels = {f: {k: (v if v != k else humanize(k)) for k, v in lv.items()}
                      for f, lv in declared.get("levels", {}).items()}
            variables.update(dict(extra or {}))
            return cls(variables, levels=levels)
        for f in getattr(study, "factors", ()):
            variables[f.name] = getattr(f, "label", "") or f.name
            level_labels = getattr(f, "level_labels", {}) or {}
            levels[f.name] = {lv: level_labels.get(lv, lv) for lv in f.levels}
        for sid, label in (getattr(study, "scale_labels", {}) or {}).items():
            variables[str(sid)] = str(label)
        for scale in getattr(study, "scales", ()):
            if scale.id not in variables and getattr(scale, "name", ""):
                variables[scale.id] = scale.name
        for block in ("demographics", "manipulation_checks"):
            for item in getattr(study, block, ()) or ():
                label = getattr(item, "label", "")
                if label:
                    variables[str(getattr(item, "item", getattr(item, "id", "")))] = str(label)
        for model in getattr(study, "models", ()):
            if getattr(model, "label", ""):
                variables.setdefault(model.name, model.label)
        variables.update(dict(extra or {}))
        return cls(variables, levels=levels)

    def var(self, name: object) -> str:
        """The label of a variable (or of a level given in ``variables``)."""
        key = str(name)
        if key in self.variables:
            return self.variables[key]
        lower = key.lower()
        if lower in _INTERCEPTS:
            return _INTERCEPTS[lower]
        if lower in _RESIDUALS:
            return _RESIDUALS[lower]
        return humanize(key)

    def level(self, factor: object, level: object) -> str:
        """The label of ``level`` of ``factor``."""
        f, lv = str(factor), str(level)
        if lv in self.levels.get(f, {}):
            return self.levels[f][lv]
        return self.variables.get(lv, humanize(lv))

    def reference(self, factor: object) -> str | None:
        """The first (reference) level of ``factor`` when its levels are known."""
        lv = self.levels.get(str(factor))
        return next(iter(lv)) if lv else None

    def contrast(self, factor: object, level: object, reference: object | None = None) -> str:
        """``"level vs. reference"`` in words (without the factor's name)."""
        ref = reference if reference is not None else self.reference(factor)
        text = self.level(factor, level)
        if ref is None or str(ref) == str(level):
            return text
        return f"{text} vs. {_lower_first(self.level(factor, ref))}"

    def term(self, term: object, *, reference: Mapping[str, str] | None = None) -> str:
        """A model term in words.

        ``"a:b"`` (or ``a*b``) -> ``"A × B"``; ``"w[reply]"`` -> ``"W (reply vs. none)"``
        with the reference from ``reference`` (factor -> level) or the factor's first
        level; intercept and residual rows -> ``"Intercept"``, ``"Residual"``.
        """
        text = str(term)
        parts = [p.strip() for p in re.split(r"\s*[:*×]\s*", text) if p.strip()]
        if not parts:
            return text
        return " × ".join(self._one(p, reference) for p in parts)

    def _one(self, part: str, reference: Mapping[str, str] | None) -> str:
        hit = _INDICATOR.match(part)
        if hit is None:
            return self.var(part)
        var, level = hit.group("var"), hit.group("level")
        ref = (reference or {}).get(var)
        phrase = self.contrast(var, level, ref)
        return f"{self.var(var)} ({_lower_first(phrase)})"

    def path(self, path: object) -> str:
        """A PROCESS path ``"x -> m1 -> y"`` as ``"X → M1 → Y"`` in labels."""
        return " → ".join(self.var(p.strip()) for p in str(path).split("->"))

    def values(self, factor: str, values: Sequence[Any]) -> list[str]:
        """Labels of a column of levels of ``factor`` (missing values -> empty)."""
        return ["" if v is None or v != v else self.level(factor, v) for v in values]


def as_labels(labels: Labels | Mapping[str, str] | None) -> Labels:
    """A :class:`Labels` from a Labels, a flat mapping id -> label, or None."""
    if isinstance(labels, Labels):
        return labels
    return Labels(labels)
