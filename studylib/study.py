"""The study configuration (``analyses/study.yaml``): design, column map, exclusions, models.

A replication with other item names or another survey tool edits only that file; every
other part of the pipeline reads it through :func:`load_study`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

from ._reading import content_errors, is_encoding, read_yaml
from .errors import InputTypeError, SpecError
from .paths import QUESTIONNAIRES, STUDY_CONFIG
from .questionnaires import Scale, load_scale

__all__ = ["Study", "Factor", "ExclusionRule", "ModelSpec", "load_study", "RULES"]

#: Exclusion rules and their parameters (required, optional with defaults).
RULES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "attention_check": (("column", "correct"), {}),
    "speeder": (("column", "fraction_of_median"), {}),
    "straight_lining": (("scales",), {}),
    "age_range": (("column", "min", "max"), {}),
    "not_follower": (("column",), {"value": 1}),
    "incomplete": (("scales",), {}),
}
_TOP = ("name", "seed", "data", "encoding", "questionnaires", "id_column", "design", "columns", "codes",
        "ranges", "scales", "exclusions", "models")


@dataclass(frozen=True)
class Factor:
    """A between-subjects factor: its levels (in order) and how an export marks them.

    ``labels`` maps each level to the text labels and numeric codes that mean it.
    """

    name: str
    column: str
    levels: tuple[str, ...]
    labels: dict[str, tuple[Any, ...]]

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
class ExclusionRule:
    """One exclusion rule: its kind (see :data:`RULES`) and parameters."""

    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One-line human description of the rule."""
        p = self.params
        return {
            "attention_check": lambda: f"{p['column']} != {p['correct']} or missing",
            "speeder": lambda: f"{p['column']} < {p['fraction_of_median']:g} x median",
            "straight_lining": lambda: f"zero variance over the items of {', '.join(p['scales'])}",
            "age_range": lambda: f"{p['column']} missing or outside {p['min']:g}..{p['max']:g}",
            "not_follower": lambda: f"{p['column']} != {p['value']}",
            "incomplete": lambda: f"fewer than min_valid_items answered in {', '.join(p['scales'])}",
        }[self.rule]()


@dataclass(frozen=True)
class ModelSpec:
    """A model to fit: ``kind`` ("anova" or "process") and its keyword arguments."""

    name: str
    kind: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Study:
    """A parsed, checked study configuration (see ``analyses/study.yaml``).

    Attributes
    ----------
    path : Path or None
        The file read (None when built from a dict).
    name : str
    seed : int or None
        Seed for the analysis' random steps (bootstrap).
    data : Path or None
        Default data file (resolved relative to the configuration file).
    id_column : str
        Export column of the respondent id (becomes ``resp_id``).
    factors : tuple of Factor
        ``valence`` and ``response`` (or the factors of another design).
    columns : dict
        Export column -> item id (several export names may map to one id).
    codes : dict
        Item id -> {text answer: numeric code}.
    ranges : dict
        Item id -> (min, max) for single items.
    questionnaires : Path
        Folder of the questionnaire YAML files that scale ids refer to.
    scales : tuple of studylib.questionnaires.Scale
        The multi-item scales to score (``studylib.score_scales(data, study.scales)``).
    exclusions : tuple of ExclusionRule
        In the order they are applied.
    models : tuple of ModelSpec
    encoding : str or None
        Text encoding of the data file (``encoding:``, e.g. ``cp1252``); None: UTF-8.
    """

    path: Path | None
    name: str
    seed: int | None
    data: Path | None
    id_column: str
    factors: tuple[Factor, ...]
    columns: dict[str, str]
    codes: dict[str, dict[str, float]]
    ranges: dict[str, tuple[float, float]]
    questionnaires: Path
    scales: tuple[Scale, ...]
    exclusions: tuple[ExclusionRule, ...]
    models: tuple[ModelSpec, ...]
    encoding: str | None = None

    def factor(self, name: str) -> Factor:
        """Return the factor called ``name``."""
        for f in self.factors:
            if f.name == name:
                return f
        raise SpecError(f"{self._where}: no factor {name!r} in 'design'; have {[f.name for f in self.factors]}")

    def scale(self, id: str) -> Scale:
        """Return the scale called ``id``."""
        for s in self.scales:
            if s.id == id:
                return s
        raise SpecError(f"{self._where}: no scale {id!r} in 'scales'; have {[s.id for s in self.scales]}")

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Analysis column names from ``columns`` (without duplicates, in file order)."""
        return tuple(dict.fromkeys(self.columns.values()))

    @property
    def scale_items(self) -> tuple[str, ...]:
        """Items of all scales, in order."""
        return tuple(i for s in self.scales for i in s.items)

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "<study dict>"

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain data (JSON-serialisable with studylib._json)."""
        return {
            "path": str(self.path) if self.path else None, "name": self.name, "seed": self.seed,
            "data": str(self.data) if self.data else None, "encoding": self.encoding,
            "id_column": self.id_column,
            "design": {f.name: {"column": f.column, "levels": {k: list(v) for k, v in f.labels.items()}}
                       for f in self.factors},
            "columns": dict(self.columns), "codes": dict(self.codes),
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "questionnaires": str(self.questionnaires),
            "scales": {s.id: s.to_dict() for s in self.scales},
            "exclusions": [{"rule": r.rule, **r.params} for r in self.exclusions],
            "models": {m.name: {"kind": m.kind, **m.options} for m in self.models},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, path: str | Path | None = None) -> Study:
        """Build and check a Study from a mapping laid out as ``analyses/study.yaml``."""
        return _parse(d, Path(path) if path is not None else None)


def _err(where: str, fieldname: str, what: str) -> SpecError:
    return SpecError(f"{where}: field {fieldname!r} {what}")


def _mapping(value: Any, where: str, fieldname: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _err(where, fieldname, f"must be a mapping; got {type(value).__name__}: {value!r}")
    return value


def _str_list(value: Any, where: str, fieldname: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(where, fieldname, f"must be a list of names; got {value!r}")
    return tuple(value)


def _num(value: Any, where: str, fieldname: str) -> float:
    if not isinstance(value, Real) or isinstance(value, bool):
        raise _err(where, fieldname, f"must be a number; got {value!r}")
    return float(value)


def _parse(d: Any, path: Path | None) -> Study:
    where = str(path) if path else "<study dict>"
    d = _mapping(d, where, "<top level>")
    unknown = [k for k in d if k not in _TOP]
    if unknown:
        raise SpecError(f"{where}: unknown fields {unknown}; allowed: {list(_TOP)}")
    for key in ("id_column", "design", "columns", "scales"):
        if key not in d:
            raise _err(where, key, "is missing")
    name = str(d.get("name", path.stem if path else "study"))
    seed = d.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise _err(where, "seed", f"must be a non-negative whole number or null; got {seed!r}")
    data = d.get("data")
    if data is not None:
        if not isinstance(data, str):
            raise _err(where, "data", f"must be a file path; got {data!r}")
        data = Path(data)
        if not data.is_absolute() and path is not None:
            data = (path.parent / data).resolve()
    encoding = d.get("encoding")  # of the data file
    if encoding is not None and not is_encoding(encoding):
        raise _err(where, "encoding", f"must be a text encoding such as 'utf-8' or 'cp1252'; got {encoding!r}")
    id_column = d["id_column"]
    if not isinstance(id_column, str) or not id_column:
        raise _err(where, "id_column", f"must be a column name; got {id_column!r}")

    factors = []
    for fname, spec in _mapping(d["design"], where, "design").items():
        spec = _mapping(spec, where, f"design.{fname}")
        for key in ("column", "levels"):
            if key not in spec:
                raise _err(where, f"design.{fname}.{key}", "is missing")
        levels = _mapping(spec["levels"], where, f"design.{fname}.levels")
        if len(levels) < 2:
            raise _err(where, f"design.{fname}.levels", f"needs at least 2 levels; got {list(levels)}")
        labels: dict[str, tuple[Any, ...]] = {}
        seen: dict[Any, str] = {}
        for level, values in levels.items():
            values = values if isinstance(values, list) else [values]
            for v in values:
                ok = isinstance(v, str) or (isinstance(v, Real) and not isinstance(v, bool))
                if not ok:
                    raise _err(where, f"design.{fname}.levels.{level}",
                               f"must be text labels and/or numeric codes; got {v!r}")
                key = v if isinstance(v, str) else float(v)
                if key in seen:
                    raise _err(where, f"design.{fname}.levels.{level}",
                               f"label/code {v!r} also marks level {seen[key]!r}")
                seen[key] = str(level)
            labels[str(level)] = tuple(values) if values else (str(level),)
        factors.append(Factor(str(fname), str(spec["column"]), tuple(labels), labels))

    columns = {}
    for col, item in _mapping(d["columns"], where, "columns").items():
        if not isinstance(item, str) or not item:
            raise _err(where, f"columns.{col}", f"must name an item id; got {item!r}")
        columns[str(col)] = item
    reserved = {"resp_id"} | {f.name for f in factors}
    clash = sorted(reserved & set(columns.values()))
    if clash:
        raise _err(where, "columns", f"maps export columns to reserved names {clash}")

    codes = {}
    for item, mapping in _mapping(d.get("codes") or {}, where, "codes").items():
        mapping = _mapping(mapping, where, f"codes.{item}")
        codes[str(item)] = {str(k): _num(v, where, f"codes.{item}.{k}") for k, v in mapping.items()}
    ranges = {}
    for item, rng in _mapping(d.get("ranges") or {}, where, "ranges").items():
        if not isinstance(rng, list) or len(rng) != 2:
            raise _err(where, f"ranges.{item}", f"must be [min, max]; got {rng!r}")
        lo, hi = (_num(v, where, f"ranges.{item}") for v in rng)
        if lo > hi:
            raise _err(where, f"ranges.{item}", f"min must not exceed max; got {rng!r}")
        ranges[str(item)] = (lo, hi)

    qdir = d.get("questionnaires")
    if qdir is None:
        qdir = QUESTIONNAIRES
    elif not isinstance(qdir, str):
        raise _err(where, "questionnaires", f"must be a folder path; got {qdir!r}")
    else:
        qdir = Path(qdir)
        if not qdir.is_absolute() and path is not None:
            qdir = (path.parent / qdir).resolve()
    raw_scales = d["scales"]
    if isinstance(raw_scales, list):
        raw_scales = dict.fromkeys(_str_list(raw_scales, where, "scales"))
    scales = []
    for sid, spec in _mapping(raw_scales, where, "scales").items():
        f = f"scales.{sid}"
        if not isinstance(sid, str):
            raise _err(where, "scales", f"must list scale ids; got {sid!r}")
        if spec is None:  # defined in <questionnaires>/<id>.yaml
            try:
                scale = load_scale(sid, directory=qdir)
            except SpecError as exc:
                raise _err(where, f, f"cannot be loaded: {exc}") from exc
            if not isinstance(scale, Scale):
                raise _err(where, f, f"names {sid!r}, which is a set of single items, not a scale")
        else:
            spec = _mapping(spec, where, f)
            for key in ("items", "min", "max"):
                if key not in spec:
                    raise _err(where, f"{f}.{key}", "is missing (always declare min and max)")
            scale = Scale.from_dict({"id": sid, **spec}, source=f"{where}, field {f!r}")
        missing = [i for i in scale.items if i not in set(columns.values())]
        if missing:
            raise _err(where, f"{f}.items", f"names items that no export column maps to: {missing}")
        scales.append(scale)
    scale_ids = {s.id for s in scales}

    exclusions = []
    rules = d.get("exclusions") or []
    if not isinstance(rules, list):
        raise _err(where, "exclusions", f"must be a list of rules (applied in order); got {rules!r}")
    for i, rule in enumerate(rules):
        f = f"exclusions[{i}]"
        rule = _mapping(rule, where, f)
        kind = rule.get("rule")
        if kind not in RULES:
            raise _err(where, f"{f}.rule", f"must be one of {list(RULES)}; got {kind!r}")
        required, defaults = RULES[kind]
        params = {**defaults, **{k: v for k, v in rule.items() if k != "rule"}}
        for key in required:
            if key not in params:
                raise _err(where, f"{f}.{key}", f"is missing (rule {kind!r})")
        extra = [k for k in params if k not in required and k not in defaults]
        if extra:
            raise _err(where, f, f"has unknown parameters {extra} for rule {kind!r}")
        if "scales" in params:
            sc = _str_list(params["scales"], where, f"{f}.scales")
            bad = [s for s in sc if s not in scale_ids]
            if bad:
                raise _err(where, f"{f}.scales", f"names scales not in 'scales': {bad}")
            params["scales"] = list(sc)
        if kind == "speeder":
            frac = _num(params["fraction_of_median"], where, f"{f}.fraction_of_median")
            if not 0 < frac < 1:
                raise _err(where, f"{f}.fraction_of_median", f"must lie strictly between 0 and 1; got {frac:g}")
        if kind == "age_range" and _num(params["min"], where, f"{f}.min") > _num(params["max"], where, f"{f}.max"):
            raise _err(where, f"{f}.min", "must not exceed max")
        exclusions.append(ExclusionRule(kind, params))

    models = []
    for mname, spec in _mapping(d.get("models") or {}, where, "models").items():
        spec = _mapping(spec, where, f"models.{mname}")
        kind = spec.get("kind")
        if kind not in ("anova", "process"):
            raise _err(where, f"models.{mname}.kind", f"must be 'anova' or 'process'; got {kind!r}")
        need = ("dv", "between") if kind == "anova" else ("model", "x", "y")
        for key in need:
            if key not in spec:
                raise _err(where, f"models.{mname}.{key}", f"is missing ({kind} model)")
        models.append(ModelSpec(str(mname), kind, {k: v for k, v in spec.items() if k != "kind"}))

    return Study(path, name, seed, data, id_column, tuple(factors), columns, codes, ranges,
                 Path(qdir), tuple(scales), tuple(exclusions), tuple(models), encoding)


def load_study(path: str | Path | None = None, *, encoding: str | None = None) -> Study:
    """Read and check a study configuration file.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; default ``analyses/study.yaml`` of the project.
    encoding : str, optional
        Text encoding of the study file (default UTF-8). Its own ``encoding:`` key gives the
        encoding of the data file.

    Returns
    -------
    Study
        Frozen dataclass with the design (``factors``), the export column map
        (``columns``), text codes, ranges, ``scales``, ``exclusions`` (in order) and
        ``models``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    SpecError
        The file is not valid YAML, or a field is missing or not allowed (the message names
        the file and the field, e.g. ``field 'scales.psr.max' is missing``).

    Examples
    --------
    >>> from studylib import load_study
    >>> study = load_study()
    >>> # R: yaml::read_yaml("analyses/study.yaml")
    >>> [f.name for f in study.factors], study.factor("response").levels
    (['valence', 'response'], ('none', 'like', 'reply'))
    >>> study.scale("psr").reverse, study.scale("psr").min_valid_items
    (('psr_03', 'psr_06'), 6)
    >>> [r.rule for r in study.exclusions]
    ['attention_check', 'speeder', 'straight_lining', 'age_range', 'not_follower', 'incomplete']
    """
    path = Path(STUDY_CONFIG if path is None else path)
    if not isinstance(path, Path):
        raise InputTypeError(f"path must be a str or Path; got {type(path).__name__}")
    if not path.is_file():
        raise FileNotFoundError(f"study configuration not found: {path}")
    data = read_yaml(path, encoding=encoding, what="study file", error=SpecError, invalid="not a valid YAML file")
    with content_errors(path, "study file", "analyses/study.yaml"):
        return _parse(data, path)
