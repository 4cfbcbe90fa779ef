"""The study file: the whole description of a study (design, columns, scales, optional
blocks, models, hypotheses, simulation), parsed and checked by :func:`load_study`.

A replication with other item names, another design or other hypotheses edits only its
study file (documented block by block in the README, "The study file"); every other part
of studylib reads the study through the :class:`Study` returned here. The parser lives in
:mod:`studylib._study_parse` (design, columns, scales) and :mod:`studylib._study_blocks`
(optional blocks, models, hypotheses).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._reading import content_errors, read_yaml
from .errors import InputTypeError, SpecError
from .questionnaires import Scale

__all__ = ["Study", "Factor", "AttentionCheck", "ManipulationCheck", "Demographic", "ExclusionRule",
           "ModelSpec", "Hypothesis", "load_study", "RULES", "RULE_ALIASES", "OPTIONAL_BLOCKS",
           "STUDY_ENV", "default_study_path"]

#: Environment variable naming the study file that notebooks and ``load_study()`` use.
STUDY_ENV = "STUDYLIB_STUDY"
#: Optional blocks of a study file (``Study.absent`` lists those not declared).
OPTIONAL_BLOCKS = ("attention_check", "manipulation_checks", "demographics", "exclusions", "hypotheses")

#: Exclusion rules and their parameters (required, optional with defaults).
RULES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "attention_check": ((), {}),                       # column/correct default to the attention_check block
    "speeder": (("column", "fraction_of_median"), {}),
    "straight_lining": (("scales",), {}),
    "range": (("column", "min", "max"), {}),
    "required_value": (("column",), {"value": 1}),
    "manipulation_check": (("check",), {}),
    "incomplete": (("scales",), {}),
}
#: Older rule names, still accepted: old name -> rule.
RULE_ALIASES = {"age_range": "range", "not_follower": "required_value"}


@dataclass(frozen=True)
class Factor:
    """A between-subjects factor: its levels (in order), display labels and export codes.

    ``labels`` maps each level to the text labels and numeric codes by which the export
    marks it; ``label`` is the factor's display label and ``level_labels`` those of its
    levels (each defaults to the id).
    """

    name: str
    column: str
    levels: tuple[str, ...]
    labels: dict[str, tuple[Any, ...]]
    label: str = ""
    level_labels: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The display label (the id when none is declared)."""
        return self.label or self.name

    def level_label(self, level: str) -> str:
        """The display label of ``level`` (the level id when none is declared)."""
        return self.level_labels.get(str(level), str(level))

    def lookup(self) -> tuple[dict[str, str], dict[float, str]]:
        """Return (text label -> level, numeric code -> level)."""
        text, codes = {}, {}
        for level, values in self.labels.items():
            for v in values:
                if isinstance(v, str):
                    text[v] = level
                else:
                    codes[float(v)] = level
        return text, codes


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed item (attention check): its item id, the correct answer and a display label."""

    item: str
    correct: float
    label: str = ""

    @property
    def display(self) -> str:
        return self.label or self.item


@dataclass(frozen=True)
class ManipulationCheck:
    """A manipulation check: the item, the factor it checks and the correct answer per level.

    ``correct`` maps a level to a value or an inclusive range ``(lo, hi)``; ``test`` is
    ``"anova"`` (a rating compared across the factor's levels) or ``"chi2"`` (recall of
    the level, the answer's code naming the level recalled).
    """

    id: str
    item: str
    factor: str
    correct: dict[str, Any]
    test: str = "anova"
    label: str = ""

    @property
    def display(self) -> str:
        return self.label or self.id

    def level_of(self, value: float) -> str | None:
        """The level whose correct answer ``value`` is (None: no level's)."""
        for level, ok in self.correct.items():
            if (isinstance(ok, tuple) and ok[0] <= value <= ok[1]) or (not isinstance(ok, tuple) and value == ok):
                return level
        return None


@dataclass(frozen=True)
class Demographic:
    """A demographic column: coded (``codes``: code -> label; n (%)) or numeric (M (SD))."""

    item: str
    label: str = ""
    codes: dict[Any, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None

    @property
    def display(self) -> str:
        return self.label or self.item


@dataclass(frozen=True)
class ExclusionRule:
    """One exclusion rule: its kind (see :data:`RULES`) and parameters."""

    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One-line human description of the rule."""
        p = self.params
        return {
            "attention_check": lambda: f"{p['column']} != {p['correct']:g} or missing",
            "speeder": lambda: f"{p['column']} < {p['fraction_of_median']:g} x median",
            "straight_lining": lambda: f"zero variance over the items of {', '.join(p['scales'])}",
            "range": lambda: f"{p['column']} missing or outside {p['min']:g}..{p['max']:g}",
            "required_value": lambda: f"{p['column']} != {p['value']:g} or missing",
            "manipulation_check": lambda: f"wrong or missing answer to manipulation check {p['check']}",
            "incomplete": lambda: f"fewer than min_valid_items answered in {', '.join(p['scales'])}",
        }[self.rule]()


@dataclass(frozen=True)
class ModelSpec:
    """A model to fit: ``kind`` ("anova", "process" or "measurement") and its options."""

    name: str
    kind: str
    options: dict[str, Any]
    label: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis: its id, sentence, model, the estimate it is about and the direction.

    ``kind`` is one of ``term``, ``simple_effect``, ``contrast``, ``indirect``, ``index``,
    ``coefficient``, ``direct``; ``estimate`` is the mapping as written in the study file.
    """

    id: str
    text: str
    model: str
    kind: str
    estimate: dict[str, Any]
    direction: str = "nonzero"


@dataclass(frozen=True)
class Study:
    """A parsed, checked study file (see the README, "The study file").

    Attributes
    ----------
    path : Path or None
        The file read (None when built from a dict).
    name, title, description : str
        Short name; report title (default: the name); a paragraph under the title.
    seed : int or None
        Seed for the analysis' random steps (bootstrap).
    data : Path or None
        Default data file (resolved relative to the study file's folder).
    synthetic : bool
        The data file holds synthetic data (``data_note`` then marks every table).
    encoding : str or None
        Text encoding of the data file; None: UTF-8.
    id_column : str
        Export column of the respondent id (becomes ``resp_id``).
    factors : tuple of Factor
    columns : dict
        Export column -> item id, complete: items a block needs that ``columns:`` does not
        list map from a column of the same name.
    codes, ranges : dict
        Item id -> {text answer: code}; item id -> (min, max).
    questionnaires : Path
        Folder of the questionnaire YAML files that scale ids refer to.
    scales : tuple of Scale
    scale_labels : dict
        Scale id -> display label.
    attention_check : AttentionCheck or None
    manipulation_checks, demographics, exclusions, models, hypotheses : tuple
    simulation : mapping or None
        The raw ``simulation:`` block (parsed by :mod:`studylib._simblock`).
    """

    path: Path | None
    name: str
    title: str
    description: str
    seed: int | None
    data: Path | None
    synthetic: bool
    encoding: str | None
    id_column: str
    factors: tuple[Factor, ...]
    columns: dict[str, str]
    codes: dict[str, dict[str, float]]
    ranges: dict[str, tuple[float, float]]
    questionnaires: Path
    scales: tuple[Scale, ...]
    scale_labels: dict[str, str] = field(default_factory=dict)
    attention_check: AttentionCheck | None = None
    manipulation_checks: tuple[ManipulationCheck, ...] = ()
    demographics: tuple[Demographic, ...] = ()
    exclusions: tuple[ExclusionRule, ...] = ()
    models: tuple[ModelSpec, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    simulation: Mapping[str, Any] | None = field(default=None, compare=False)
    declared: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def _find(self, items: tuple[Any, ...], key: str, wanted: str, what: str, block: str) -> Any:
        """The element of ``items`` whose ``key`` is ``wanted`` (SpecError naming the block)."""
        for x in items:
            if getattr(x, key) == wanted:
                return x
        raise SpecError(f"{self._where}: no {what} {wanted!r} in {block!r}; have {[getattr(x, key) for x in items]}")

    def factor(self, name: str) -> Factor:
        """Return the factor called ``name``."""
        return self._find(self.factors, "name", name, "factor", "design")

    def scale(self, id: str) -> Scale:
        """Return the scale called ``id``."""
        return self._find(self.scales, "id", id, "scale", "scales")

    def model(self, name: str) -> ModelSpec:
        """Return the model called ``name``."""
        return self._find(self.models, "name", name, "model", "models")

    def check(self, id: str) -> ManipulationCheck:
        """Return the manipulation check called ``id``."""
        return self._find(self.manipulation_checks, "id", id, "manipulation check", "manipulation_checks")

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Analysis column names (items) from ``columns`` (without duplicates, in file order)."""
        return tuple(dict.fromkeys(self.columns.values()))

    @property
    def scale_items(self) -> tuple[str, ...]:
        """Items of all scales, in order."""
        return tuple(i for s in self.scales for i in s.items)

    @property
    def absent(self) -> tuple[str, ...]:
        """The optional blocks (:data:`OPTIONAL_BLOCKS`) the study file does not declare."""
        return tuple(b for b in OPTIONAL_BLOCKS if b not in self.declared)

    @property
    def data_note(self) -> str | None:
        """The sentence that marks results of synthetic data (None for real data)."""
        if not self.synthetic:
            return None
        return ("Data are SYNTHETIC: generated by studylib's simulator from documented parameters, "
                "not collected from people; no conclusion about real people may be drawn from them.")

    def label(self, id: str) -> str:
        """The display label of a factor, scale, demographic, check or model (default: the id)."""
        return self.display_labels()["variables"].get(str(id), str(id))

    def level_label(self, factor: str, level: str) -> str:
        """The display label of ``level`` of ``factor``."""
        return self.factor(factor).level_label(level)

    def display_labels(self) -> dict[str, Any]:
        """``{"variables": {id: label}, "levels": {factor: {level: label}}}`` (ids as fallback)."""
        variables: dict[str, str] = {}
        for m in self.models:
            variables[m.name] = m.label or m.name
        if self.attention_check is not None:
            variables[self.attention_check.item] = self.attention_check.display
        for c in self.manipulation_checks:
            variables[c.id] = c.display
            variables.setdefault(c.item, c.display)
        for d in self.demographics:
            variables[d.item] = d.display
        for s in self.scales:
            variables[s.id] = self.scale_labels.get(s.id) or s.id
        for f in self.factors:
            variables[f.name] = f.display
        levels = {f.name: {lv: f.level_label(lv) for lv in f.levels} for f in self.factors}
        return {"variables": variables, "levels": levels}

    def needed_items(self) -> dict[str, str]:
        """Item id -> the block of the study file that needs it (in the order of the file)."""
        from ._study_parse import needed_items

        return needed_items(self)

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "<study dict>"

    def to_dict(self) -> dict[str, Any]:
        """The study as plain data, laid out as a study file (``from_dict`` reads it back)."""
        from ._study_blocks import study_to_dict

        return study_to_dict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, path: str | Path | None = None) -> Study:
        """Build and check a Study from a mapping laid out as a study file.

        Relative paths in it are resolved from the folder of ``path`` (else the working
        directory).
        """
        from ._study_parse import parse_study

        return parse_study(d, Path(path) if path is not None else None)


def default_study_path() -> Path:
    """The study file used when none is given: ``$STUDYLIB_STUDY`` if set, else ``analyses/study.yaml``.

    A relative ``$STUDYLIB_STUDY`` is read from the current folder and, when no such file is
    there, from the project's root: ``STUDYLIB_STUDY=analyses/studies/disclosure/study.yaml
    jupyter lab`` works although the notebooks' kernels run in ``analyses/``.
    """
    from .paths import ROOT, STUDY_CONFIG

    env = os.environ.get(STUDY_ENV, "").strip()
    if not env:
        return STUDY_CONFIG
    path = Path(env).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        return ROOT / path
    return path


def load_study(path: str | Path | None = None, *, encoding: str | None = None) -> Study:
    """Read and check a study file.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file. Default: the file named by the environment variable
        ``STUDYLIB_STUDY`` when it is set, else the project's ``analyses/study.yaml``.
    encoding : str, optional
        Text encoding of the study file (default UTF-8). Its own ``encoding:`` key gives the
        encoding of the data file.

    Returns
    -------
    Study
        Frozen dataclass with the design (``factors``), the export column map, scales,
        the optional blocks, ``models``, ``hypotheses`` and the raw ``simulation`` block.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    SpecError
        The file is not valid YAML, or a block or key is missing, unknown or has a value
        not allowed (the message names the file, the block and key and what is allowed,
        e.g. ``field 'scales.trust.max' is missing``).

    Examples
    --------
    >>> from studylib import load_study
    >>> study = load_study("analyses/study.yaml")
    >>> # R: yaml::read_yaml("analyses/study.yaml")
    >>> [f.name for f in study.factors], study.factor("response").levels
    (['valence', 'response'], ('none', 'like', 'reply'))
    >>> study.label("valence"), study.level_label("response", "none")
    ('Comment valence', 'No reaction')
    >>> [r.rule for r in study.exclusions]
    ['attention_check', 'speeder', 'straight_lining', 'range', 'required_value', 'incomplete']
    >>> [h.id for h in study.hypotheses][:3], study.absent
    (['H1', 'H2', 'H3'], ())
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a str or Path; got {type(path).__name__}")
    path = default_study_path() if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study configuration not found: {path}"
                                + (f" (from ${STUDY_ENV})" if os.environ.get(STUDY_ENV, "").strip() else ""))
    data = read_yaml(path, encoding=encoding, what="study file", error=SpecError, invalid="not a valid YAML file")
    from ._study_parse import parse_study

    with content_errors(path, "study file", "analyses/study.yaml"):
        return parse_study(data, path)
