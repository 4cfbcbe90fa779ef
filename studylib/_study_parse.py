"""Parse a study file's mapping into a :class:`studylib.study.Study` (internal).

This module reads the top level, ``design``, ``columns``, ``codes``, ``ranges`` and
``scales``; :mod:`studylib._study_blocks` reads the optional blocks, ``models`` and
``hypotheses``. Relative paths are resolved from the study file's folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from . import _study_check as C
from ._reading import is_encoding
from .errors import SpecError
from .paths import QUESTIONNAIRES
from .questionnaires import Scale, load_scale
from .study import Factor, Study

TOP = ("name", "title", "description", "seed", "data", "synthetic", "encoding", "id_column", "design",
       "columns", "codes", "ranges", "questionnaires", "scales", "attention_check", "manipulation_checks",
       "demographics", "exclusions", "models", "hypotheses", "simulation")
_FACTOR_KEYS = ("label", "column", "levels")
_LEVEL_KEYS = ("label", "codes")
_SCALE_KEYS = ("items", "reverse", "min", "max", "score", "min_valid_items", "name", "construct",
               "citation", "doi", "label")


def _path(value: Any, base: Path | None, where: str, fieldname: str, what: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise C.err(where, fieldname, f"must be a {what} path; got {value!r}")
    p = Path(value).expanduser()
    if not p.is_absolute() and base is not None:
        p = (base.parent / p).resolve()
    return p


def _factor(fname: Any, spec: Any, where: str) -> Factor:
    f = f"design.{fname}"
    if not isinstance(fname, str) or not fname.isidentifier():
        raise C.err(where, "design", f"factor ids must be names (letters, digits, _); got {fname!r}")
    spec = C.mapping(spec, where, f)
    C.keys(spec, _FACTOR_KEYS, where, f, required=("column", "levels"))
    label = C.text(spec.get("label", fname), where, f"{f}.label")
    column = C.text(spec["column"], where, f"{f}.column")
    levels = C.mapping(spec["levels"], where, f"{f}.levels")
    if len(levels) < 2:
        raise C.err(where, f"{f}.levels", f"needs at least 2 levels; got {list(levels)}")
    labels: dict[str, tuple[Any, ...]] = {}
    level_labels: dict[str, str] = {}
    seen: dict[Any, str] = {}
    for level, values in levels.items():
        lf = f"{f}.levels.{level}"
        if not isinstance(level, str) or not level:
            raise C.err(where, f"{f}.levels", f"level ids must be names; got {level!r}")
        if isinstance(values, Mapping):  # {label: ..., codes: [...]}
            C.keys(values, _LEVEL_KEYS, where, lf)
            level_labels[level] = C.text(values.get("label", level), where, f"{lf}.label")
            values = values.get("codes", [level])
            lf = f"{lf}.codes"
        values = values if isinstance(values, list) else [values]
        for v in values:
            if not (isinstance(v, str) or (isinstance(v, Real) and not isinstance(v, bool))):
                raise C.err(where, lf, f"must be text labels and/or numeric codes; got {v!r}")
            key = v if isinstance(v, str) else float(v)
            if key in seen:
                raise C.err(where, lf, f"label/code {v!r} also marks level {seen[key]!r}")
            seen[key] = level
        labels[level] = tuple(values) if values else (level,)
        level_labels.setdefault(level, level)
    return Factor(fname, column, tuple(labels), labels, label, level_labels)


def _scales(raw: Any, qdir: Path, where: str) -> tuple[list[Scale], dict[str, str]]:
    if isinstance(raw, list):
        raw = dict.fromkeys(C.str_list(raw, where, "scales"))
    raw = C.mapping(raw, where, "scales")
    if not raw:
        raise C.err(where, "scales", "must name at least one scale")
    scales, labels = [], {}
    for sid, spec in raw.items():
        f = f"scales.{sid}"
        if not isinstance(sid, str) or not sid.isidentifier():
            raise C.err(where, "scales", f"scale ids must be names (letters, digits, _); got {sid!r}")
        if spec is not None:
            spec = C.mapping(spec, where, f)
            C.keys(spec, _SCALE_KEYS, where, f)
        spec = dict(spec or {})
        label = spec.pop("label", None)
        if spec:  # an inline definition
            for key in ("items", "min", "max"):
                if key not in spec:
                    raise C.err(where, f"{f}.{key}", "is missing (always declare min and max)")
            scale = Scale.from_dict({"id": sid, **spec}, source=f"{where}, field {f!r}")
        else:  # defined in <questionnaires>/<id>.yaml
            try:
                scale = load_scale(sid, directory=qdir)
            except SpecError as exc:
                raise C.err(where, f, f"cannot be loaded: {exc}") from exc
            if not isinstance(scale, Scale):
                raise C.err(where, f, f"names {sid!r}, which is a set of single items, not a scale")
        labels[sid] = C.text(label, where, f"{f}.label") if label is not None else (scale.name or sid)
        scales.append(scale)
    return scales, labels


def _columns(raw: Any, where: str) -> dict[str, str]:
    columns = {}
    for col, item in C.mapping(raw if raw is not None else {}, where, "columns").items():
        if not isinstance(item, str) or not item:
            raise C.err(where, f"columns.{col}", f"must name an item id; got {item!r}")
        columns[str(col)] = item
    return columns


def _codes_ranges(d: Mapping[str, Any], where: str) -> tuple[dict[str, dict[str, float]], dict[str, tuple[float, float]]]:
    codes = {}
    for item, mapping in C.mapping(d.get("codes") or {}, where, "codes").items():
        mapping = C.mapping(mapping, where, f"codes.{item}")
        codes[str(item)] = {str(k): C.num(v, where, f"codes.{item}.{k}") for k, v in mapping.items()}
    ranges = {}
    for item, rng in C.mapping(d.get("ranges") or {}, where, "ranges").items():
        if not isinstance(rng, list) or len(rng) != 2:
            raise C.err(where, f"ranges.{item}", f"must be [min, max]; got {rng!r}")
        lo, hi = (C.num(v, where, f"ranges.{item}") for v in rng)
        if lo > hi:
            raise C.err(where, f"ranges.{item}", f"min must not exceed max; got {rng!r}")
        ranges[str(item)] = (lo, hi)
    return codes, ranges


def parse_study(d: Any, path: Path | None) -> Study:
    """Check a study file's mapping and build the :class:`Study`."""
    from . import _study_blocks as B

    where = str(path) if path else "<study dict>"
    d = C.mapping(d, where, "<top level>")
    unknown = [k for k in d if k not in TOP]
    if unknown:
        raise SpecError(f"{where}: unknown fields {unknown}; allowed: {list(TOP)}")
    for key in ("id_column", "design", "scales"):
        if key not in d:
            raise C.err(where, key, "is missing")
    name = C.text(d.get("name", path.stem if path else "study"), where, "name")
    title = C.text(d.get("title", name), where, "title")
    description = C.text(d.get("description", ""), where, "description", empty=True)
    seed = d.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise C.err(where, "seed", f"must be a non-negative whole number or null; got {seed!r}")
    data = _path(d["data"], path, where, "data", "file") if d.get("data") is not None else None
    synthetic = C.flag(d.get("synthetic", False), where, "synthetic")
    encoding = d.get("encoding")  # of the data file
    if encoding is not None and not is_encoding(encoding):
        raise C.err(where, "encoding", f"must be a text encoding such as 'utf-8' or 'cp1252'; got {encoding!r}")
    id_column = C.text(d["id_column"], where, "id_column")
    design = C.mapping(d["design"], where, "design")
    if not design:
        raise C.err(where, "design", "must declare at least one factor")
    factors = [_factor(fname, spec, where) for fname, spec in design.items()]
    columns = _columns(d.get("columns"), where)
    reserved = {"resp_id"} | {f.name for f in factors}
    clash = sorted(reserved & set(columns.values()))
    if clash:
        raise C.err(where, "columns", f"maps export columns to reserved names {clash}")
    codes, ranges = _codes_ranges(d, where)
    qdir = QUESTIONNAIRES if d.get("questionnaires") is None else \
        _path(d["questionnaires"], path, where, "questionnaires", "folder")
    scales, scale_labels = _scales(d["scales"], qdir, where)
    clash = sorted({s.id for s in scales} & reserved)
    if clash:
        raise C.err(where, "scales", f"scale ids {clash} are reserved (the respondent id or a factor)")
    study = Study(path, name, title, description, seed, data, synthetic, encoding, id_column, tuple(factors),
                  columns, codes, ranges, Path(qdir), tuple(scales), scale_labels,
                  declared=tuple(b for b in TOP if b in d))
    study = B.parse_blocks(study, d, where)
    return _complete_columns(study, where)


def needed_items(study: Study) -> dict[str, str]:
    """Item id -> the first block of the study file that needs it."""
    out: dict[str, str] = {}
    for s in study.scales:
        for item in s.items:
            out.setdefault(item, f"scales.{s.id}")
    if study.attention_check is not None:
        out.setdefault(study.attention_check.item, "attention_check")
    for i, c in enumerate(study.manipulation_checks):
        out.setdefault(c.item, f"manipulation_checks[{i}] ({c.id})")
    for i, dm in enumerate(study.demographics):
        out.setdefault(dm.item, f"demographics[{i}] ({dm.item})")
    for i, r in enumerate(study.exclusions):
        if "column" in r.params:
            out.setdefault(r.params["column"], f"exclusions[{i}] ({r.rule})")
    factors, scales = {f.name for f in study.factors}, {s.id for s in study.scales}
    for m in study.models:
        for var in model_variables(m):
            if var not in factors and var not in scales:
                out.setdefault(var, f"models.{m.name}")
    return out


def model_variables(m: Any) -> list[str]:
    """Every variable a model names (dv, between, x, m, y, w, z, covariates, scales)."""
    o = m.options
    if m.kind == "anova":
        return [o["dv"], *o["between"]]
    if m.kind == "measurement":
        return []
    out = [o[r] for r in ("x", "y", "w", "z") if o.get(r) is not None]
    out += [o["m"]] if isinstance(o.get("m"), str) else list(o.get("m") or [])
    cov = o.get("covariates") or []
    out += [c for v in cov.values() for c in v] if isinstance(cov, Mapping) else list(cov)
    return out


def _complete_columns(study: Study, where: str) -> Study:
    """Give every item a block needs an export column: ``columns:`` or one of its own name."""
    import dataclasses

    columns = dict(study.columns)
    mapped = set(columns.values())
    for item, block in needed_items(study).items():
        if item in mapped:
            continue
        if item in columns:  # the export column of that name is already another item's
            raise C.err(where, "columns", f"maps the export column {item!r} to {columns[item]!r}, but "
                        f"{block} needs an item {item!r}: map another export column to {item!r}")
        columns[item] = item
        mapped.add(item)
    return dataclasses.replace(study, columns=columns)
