"""Loading and checking the parameters of :mod:`studylib.simulate` (YAML or dict).

Every name of the simulated study comes from the parameter file: the two factors X and W
and their levels from ``design``, the scales of the serial model (M1, M2, Y) from
``latent`` (:func:`names`), and the export columns of the attention check, the
manipulation checks (keyed by the factor each checks), the demographics and the screening
items from their sections. The library holds no study's names; the example study's are in
``data/synthetic/params.yaml``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from ._reading import content_errors, read_yaml
from .errors import InputTypeError, SpecError
from .paths import SYNTHETIC

__all__ = ["DEFAULT_PARAMS", "load_params", "names"]

DEFAULT_PARAMS = SYNTHETIC / "params.yaml"

# The sections of a parameter file and the keys each needs; the optional sections may be
# absent. The factors are the keys of ``design``, the scales those of ``latent`` (see _names).
_REQUIRED = {
    "design": (),
    "latent": (),
    "measurement": (),
    "careless": ("straight_liner_rate", "random_rate", "speeder_rate", "skipper_rate", "skip_prob"),
    "duration": ("column", "median", "sdlog", "straight_liner_factor", "speeder_fraction"),
    "export": ("id_column", "start", "mean_gap_s", "languages"),
}
_OPTIONAL = {
    "attention_check": ("column", "correct", "p_correct_attentive", "p_correct_speeder"),
    "manipulation_checks": (),
    "demographics": (),
    "screening": (),
}
# Keys of one manipulation check (by kind), one demographic column (by kind), one screening item.
_CHECK_KEYS = {"rating": ("column", "mean", "sd"),
               "recall": ("column", "answers", "p_correct")}
_DEMOGRAPHIC_KEYS = {"normal": ("column", "mean", "sd", "min", "max"),
                     "categorical": ("column", "answers")}
_SCREENING_KEYS = ("column", "pass", "fail", "p_pass")
POINTS = 7  # answer options of the simulated rating items (1..7)

Names = tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]], tuple[str, str, str]]


def names(params: Mapping[str, Any]) -> Names:
    """``(x, x_levels), (w, w_levels), (m1, m2, y)`` of checked parameters (see :func:`load_params`)."""
    return _names(params, str(params.get("_source", "<params dict>")))


def _names(data: Mapping[str, Any], source: str) -> Names:
    """``(x, levels), (w, levels), scales`` as the file's ``design`` and ``latent`` name them.

    Found from the structure, not the order of keys (a YAML writer may sort them): the
    scales are M1 (no path from another scale), M2 (a path from M1) and Y (paths from M1
    and M2); X is the factor with a path into M2, W the other one. Levels keep the file's
    order (the first is the reference).
    """
    design, latent = data.get("design"), data.get("latent")
    if not isinstance(design, Mapping) or len(design) != 2:
        raise _fail(source, "design", "must name two factors (X and W), each with 'column' and 'levels'; "
                    f"got {design!r}")
    factors = {}
    for factor, spec in design.items():
        if not isinstance(spec, Mapping) or "column" not in spec or "levels" not in spec:
            raise _fail(source, f"design.{factor}", "needs 'column' and 'levels'")
        if not isinstance(spec["levels"], Mapping) or len(spec["levels"]) < 2:
            raise _fail(source, f"design.{factor}.levels",
                        f"must map each level (at least 2) to an export label; got {spec['levels']!r}")
        factors[str(factor)] = tuple(str(v) for v in spec["levels"])
    serial = "the three scales of a serial model: M1, M2 with a path from M1, Y with paths from M1 and M2"
    if not isinstance(latent, Mapping) or len(latent) != 3 or not all(isinstance(v, Mapping) for v in latent.values()):
        raise _fail(source, "latent", f"must give {serial}; got {latent!r}")
    paths = {str(k): [o for o in latent if o != k and o in v] for k, v in latent.items()}
    order = sorted(paths, key=lambda k: len(paths[k]))
    if [len(paths[k]) for k in order] != [0, 1, 2] or paths[order[1]] != [order[0]]:
        raise _fail(source, "latent", f"must give {serial}; got paths {paths}")
    into_m2 = [f for f in factors if f in latent[order[1]]]
    x = into_m2[0] if len(into_m2) == 1 else next(iter(factors))
    w = next(f for f in factors if f != x)
    return (x, factors[x]), (w, factors[w]), tuple(order)


def _fail(source: str, field: str, what: str) -> SpecError:
    return SpecError(f"{source}: field {field!r} {what}")


def _number(value: Any, source: str, field: str, *, low: float | None = None,
            high: float | None = None) -> float:
    if not isinstance(value, Real) or isinstance(value, bool):
        raise _fail(source, field, f"must be a number; got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(source, field, f"must lie in [{low}, {high}]; got {value!r}")
    return float(value)


def _mapping(data: Mapping[str, Any], key: str, source: str, field: str, needs: tuple[str, ...]) -> Mapping:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise _fail(source, field, f"must be a mapping; got {value!r}")
    for k in needs:
        if k not in value:
            raise _fail(source, f"{field}.{k}", "is missing")
    return value


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``update`` merged in (nested mappings merged, others replaced)."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def check_latent(latent: Any, source: str, names: Names) -> dict[str, Any]:
    """Check the ``latent`` section (path values of the structural model).

    ``names`` are ``(x, levels), (w, levels), scales`` (:func:`names`): M1 has an intercept
    and an X effect per level of W, M2 an intercept, M1 and X paths, Y an intercept, M1, M2
    and X paths; each a residual SD.
    """
    if not isinstance(latent, Mapping):
        raise _fail(source, "latent", f"must be a mapping; got {type(latent).__name__}")
    (x, _), (w, w_levels), scales = names
    for scale in scales:
        if scale not in latent or not isinstance(latent[scale], Mapping):
            raise _fail(source, f"latent.{scale}", "is missing (a mapping is needed)")
    m1, m2, y = scales
    for key in ("intercept", x):
        value = latent[m1].get(key)
        if not isinstance(value, Mapping) or set(value) != set(w_levels):
            raise _fail(source, f"latent.{m1}.{key}",
                        f"must map each {w} level {list(w_levels)} to a number; got {value!r}")
        for level in w_levels:
            _number(value[level], source, f"latent.{m1}.{key}.{level}")
    needed = {m1: ("residual_sd",), m2: ("intercept", m1, x, "residual_sd"),
              y: ("intercept", m1, m2, x, "residual_sd")}
    for scale, keys in needed.items():
        for key in keys:
            if key not in latent[scale]:
                raise _fail(source, f"latent.{scale}.{key}", "is missing")
            low = 0.0 if key == "residual_sd" else None
            _number(latent[scale][key], source, f"latent.{scale}.{key}", low=low)
    return dict(latent)


def check_measurement(measurement: Mapping[str, Any], source: str, scales: tuple[str, ...]) -> None:
    for scale in scales:
        if scale not in measurement or not isinstance(measurement[scale], Mapping):
            raise _fail(source, f"measurement.{scale}", "is missing (a mapping is needed)")
        m = measurement[scale]
        field = f"measurement.{scale}"
        for key in ("items", "loadings", "reverse", "thresholds", "shift"):
            if key not in m:
                raise _fail(source, f"{field}.{key}", "is missing")
        items, loadings = m["items"], m["loadings"]
        if (not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items)
                or len(set(items)) != len(items)):
            raise _fail(source, f"{field}.items", f"must be a non-empty list of unique names; got {items!r}")
        if not isinstance(loadings, list) or len(loadings) != len(items):
            raise _fail(source, f"{field}.loadings", f"must list one loading per item ({len(items)}); got {loadings!r}")
        for j, lam in enumerate(loadings):
            _number(lam, source, f"{field}.loadings[{j}]", low=0.0, high=1.0)
        unknown = [r for r in m["reverse"] if r not in items]
        if unknown:
            raise _fail(source, f"{field}.reverse", f"names items not in {field}.items: {unknown}")
        tau = m["thresholds"]
        if (not isinstance(tau, list) or len(tau) != POINTS - 1
                or any(not isinstance(t, Real) for t in tau) or sorted(tau) != tau):
            raise _fail(source, f"{field}.thresholds",
                        f"must be {POINTS - 1} increasing numbers ({POINTS}-point items); got {tau!r}")
        _number(m["shift"], source, f"{field}.shift")


def _check_attention(data: Mapping[str, Any], source: str, scales: tuple[str, ...]) -> None:
    ac = data["attention_check"]
    correct = ac["correct"]
    if not isinstance(correct, int) or isinstance(correct, bool) or not 1 <= correct <= POINTS:
        raise _fail(source, "attention_check.correct", f"must be a whole number 1..{POINTS}; got {correct!r}")
    for key in ("p_correct_attentive", "p_correct_speeder"):
        _number(ac[key], source, f"attention_check.{key}", low=0.0, high=1.0)
    if "after" in ac and ac["after"] not in scales:
        raise _fail(source, "attention_check.after", f"must name a scale of latent {list(scales)} (the column "
                    f"follows its items); got {ac['after']!r}")


def _check_manipulation(data: Mapping[str, Any], source: str, factors: dict[str, tuple[str, ...]]) -> None:
    for factor, spec in data["manipulation_checks"].items():
        field = f"manipulation_checks.{factor}"
        if factor not in factors:
            raise _fail(source, field, f"must be keyed by the design factor it checks {list(factors)}")
        kind = spec.get("kind") if isinstance(spec, Mapping) else None
        if kind not in _CHECK_KEYS:
            raise _fail(source, f"{field}.kind", f"must be one of {list(_CHECK_KEYS)}; got {kind!r}")
        spec = _mapping(data["manipulation_checks"], factor, source, field, _CHECK_KEYS[kind])
        levels = factors[factor]
        per_level = spec["mean"] if kind == "rating" else spec["answers"]
        key = "mean" if kind == "rating" else "answers"
        if not isinstance(per_level, Mapping) or set(per_level) != set(levels):
            raise _fail(source, f"{field}.{key}", f"must give one value per {factor} level {list(levels)}; "
                        f"got {per_level!r}")
        if kind == "rating":
            for level in levels:
                _number(per_level[level], source, f"{field}.mean.{level}", low=1.0, high=float(POINTS))
            _number(spec["sd"], source, f"{field}.sd", low=0.0)
            continue
        p_dont = _number(spec.get("p_dont_remember", 0.0), source, f"{field}.p_dont_remember", low=0.0, high=1.0)
        if _number(spec["p_correct"], source, f"{field}.p_correct", low=0.0, high=1.0) + p_dont > 1:
            raise _fail(source, field, "p_correct and p_dont_remember must sum to at most 1")
        if "p_dont_remember" in spec and "dont_remember" not in spec:
            raise _fail(source, f"{field}.dont_remember", "is missing (the answer text of p_dont_remember)")


def _check_demographics(data: Mapping[str, Any], source: str) -> None:
    for name, spec in data["demographics"].items():
        field = f"demographics.{name}"
        kind = spec.get("kind") if isinstance(spec, Mapping) else None
        if kind not in _DEMOGRAPHIC_KEYS:
            raise _fail(source, f"{field}.kind", f"must be one of {list(_DEMOGRAPHIC_KEYS)}; got {kind!r}")
        spec = _mapping(data["demographics"], name, source, field, _DEMOGRAPHIC_KEYS[kind])
        if kind == "categorical":
            answers = spec["answers"]
            if not isinstance(answers, Mapping) or not answers:
                raise _fail(source, f"{field}.answers", f"must map each answer to its probability; got {answers!r}")
            for answer, prob in answers.items():
                _number(prob, source, f"{field}.answers.{answer}", low=0.0, high=1.0)
            if abs(sum(answers.values()) - 1.0) > 1e-8:
                raise _fail(source, f"{field}.answers", f"probabilities must sum to 1; got {sum(answers.values()):g}")
            continue
        for key in ("mean", "sd", "min", "max"):
            _number(spec[key], source, f"{field}.{key}", low=0.0 if key == "sd" else None)
        if spec["min"] > spec["max"]:
            raise _fail(source, f"{field}.min", f"must not exceed max ({spec['max']!r}); got {spec['min']!r}")
        if _number(spec.get("outside_rate", 0.0), source, f"{field}.outside_rate", low=0.0, high=1.0) > 0:
            out = spec.get("outside")
            if (not isinstance(out, list) or len(out) != 2 or not all(isinstance(v, int) for v in out)
                    or out[0] >= spec["min"] and out[1] <= spec["max"]):
                raise _fail(source, f"{field}.outside", "must be [lowest, highest] whole numbers around [min, max] "
                            f"(the range outside_rate draws from); got {out!r}")


def _check_screening(data: Mapping[str, Any], source: str) -> None:
    for name in data["screening"]:
        spec = _mapping(data["screening"], name, source, f"screening.{name}", _SCREENING_KEYS)
        _number(spec["p_pass"], source, f"screening.{name}.p_pass", low=0.0, high=1.0)


def _columns(data: Mapping[str, Any], scales: tuple[str, ...]) -> list[str]:
    """Every export column the parameters name (besides the fixed Qualtrics ones)."""
    cols = [data["duration"]["column"], data["export"]["id_column"]]
    cols += [spec["column"] for spec in data["design"].values()]
    cols += [item for s in scales for item in data["measurement"][s]["items"]]
    if "attention_check" in data:
        cols.append(data["attention_check"]["column"])
    for section in ("manipulation_checks", "demographics", "screening"):
        cols += [spec["column"] for spec in data.get(section, {}).values()]
    return cols


def load_params(params: str | Path | Mapping[str, Any] | None = None, *,
                encoding: str | None = None) -> dict[str, Any]:
    """Read simulation parameters from a YAML file or a mapping and check them.

    Parameters
    ----------
    params : str, Path, mapping or None
        ``None`` reads ``data/synthetic/params.yaml``; a mapping is checked as given.
    encoding : str, optional
        Text encoding of the file (default UTF-8).

    Returns
    -------
    dict
        The parameters (a deep copy) with an added key ``"_source"`` naming the file.

    Raises
    ------
    SpecError
        A section or field is missing or has a value that is not allowed (the message names
        the file and the field).
    """
    if params is None:
        params = DEFAULT_PARAMS
    if isinstance(params, (str, Path)):
        path = Path(params)
        if not path.is_file():
            raise FileNotFoundError(f"simulation parameter file not found: {path}")
        data = read_yaml(path, encoding=encoding, what="parameter file", error=SpecError)
        source = str(path)
    elif isinstance(params, Mapping):
        data = copy.deepcopy(dict(params))
        source = str(data.get("_source", "<params dict>"))
    else:
        raise InputTypeError(f"params must be None, a path or a mapping; got {type(params).__name__}")
    with content_errors(source, "parameter file", "data/synthetic/params.yaml"):
        return _check_params(data, source)


def _check_params(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise SpecError(f"{source}: the file must hold a mapping of sections")
    for section, keys in {**_REQUIRED, **_OPTIONAL}.items():
        if section in _OPTIONAL and section not in data:
            continue
        if section not in data or not isinstance(data[section], Mapping):
            raise _fail(source, section, "is missing (a mapping is needed)")
        for key in keys:
            if key not in data[section]:
                raise _fail(source, f"{section}.{key}", "is missing")
    names = _names(data, source)
    (x, xl), (w, wl), scales = names
    if len(xl) != 2:
        raise _fail(source, f"design.{x}.levels", f"must have 2 levels ({x} is X of the serial model, coded 0/1; "
                    f"the first is 0); got {list(xl)}")
    check_latent(data["latent"], source, names)
    check_measurement(data["measurement"], source, scales)
    for key in ("straight_liner_rate", "random_rate", "speeder_rate", "skipper_rate", "skip_prob"):
        _number(data["careless"][key], source, f"careless.{key}", low=0.0, high=1.0)
    total = sum(data["careless"][k] for k in ("straight_liner_rate", "random_rate",
                                               "speeder_rate", "skipper_rate"))
    if total > 1:
        raise _fail(source, "careless", f"rates must sum to at most 1; got {total:g}")
    _number(data.get("missing_item_rate", 0.0), source, "missing_item_rate", low=0.0, high=1.0)
    if "n" in data and (not isinstance(data["n"], int) or data["n"] < 6):
        raise _fail(source, "n", f"must be a whole number >= 6; got {data['n']!r}")
    if "seed" in data and data["seed"] is not None and (not isinstance(data["seed"], int) or data["seed"] < 0):
        raise _fail(source, "seed", f"must be a non-negative whole number or null; got {data['seed']!r}")
    if "attention_check" in data:
        _check_attention(data, source, scales)
    if "manipulation_checks" in data:
        _check_manipulation(data, source, {x: xl, w: wl})
    if "demographics" in data:
        _check_demographics(data, source)
    if "screening" in data:
        _check_screening(data, source)
    cols = _columns(data, scales)
    twice = sorted({str(c) for c in cols if cols.count(c) > 1})
    if twice:
        raise SpecError(f"{source}: export columns named more than once across the sections: {twice}")
    data["_source"] = source
    return data
