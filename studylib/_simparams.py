"""Loading and checking the parameters of :mod:`studylib.simulate` (YAML or dict).

The names of the simulated design (two factors, X and W, and the three scales of the serial
model, M1, M2 and Y) are those of the parameter file: the shipped
``data/synthetic/params.yaml`` gives ``VALENCES``, ``RESPONSES`` and ``SCALES`` (the levels of
X and W and the scales in causal order), read on first use; the library holds no study's names.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from ._reading import content_errors, read_yaml
from .errors import InputTypeError, SpecError
from .paths import SYNTHETIC

__all__ = ["DEFAULT_PARAMS", "load_params"]  # and RESPONSES, VALENCES, SCALES (__getattr__)

DEFAULT_PARAMS = SYNTHETIC / "params.yaml"

# The sections of a parameter file and the keys each needs. The factors are the keys of
# ``design``, the scales those of ``latent`` (see _names).
_REQUIRED = {
    "design": (),
    "latent": (),
    "measurement": (),
    "careless": ("straight_liner_rate", "random_rate", "speeder_rate", "skipper_rate", "skip_prob"),
    "attention_check": ("column", "correct", "p_correct_attentive", "p_correct_speeder"),
    "manipulation_checks": (),
    "demographics": ("age", "gender"),
    "follower": ("column", "labels", "p_follower"),  # section name fixed by studylib.simulate, which reads it
    "duration": ("column", "median", "sdlog", "straight_liner_factor", "speeder_fraction"),
    "export": ("id_column", "start", "mean_gap_s", "languages"),
}


def __getattr__(name: str) -> Any:
    """``VALENCES``, ``RESPONSES`` (levels of the two factors) and ``SCALES``, read from the
    shipped parameter file (``data/synthetic/params.yaml``) on first use."""
    if name in ("VALENCES", "RESPONSES", "SCALES"):
        x, w, scales = _default_names()
        value = {"VALENCES": x[1], "RESPONSES": w[1], "SCALES": scales}[name]
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=1)
def _default_names() -> tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]], tuple[str, ...]]:
    if not DEFAULT_PARAMS.is_file():
        raise ImportError(f"the simulator's parameter file {DEFAULT_PARAMS} is not there (studylib installed "
                          "without its example study); studylib.simulate reads its design and scales from it")
    data = read_yaml(DEFAULT_PARAMS, what="parameter file", error=SpecError)
    return _names(data, str(DEFAULT_PARAMS))


def _names(data: Mapping[str, Any], source: str):
    """``(x, levels), (w, levels), scales`` as the file's ``design`` and ``latent`` name them.

    Found from the structure, not the order of keys (a YAML writer may sort them): the
    scales are M1 (no path from another scale), M2 (a path from M1) and Y (paths from M1
    and M2); X is the factor with a path into M2, W the other one.
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


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``update`` merged in (nested mappings merged, others replaced)."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def check_latent(latent: Any, source: str, names=None) -> dict[str, Any]:
    """Check the ``latent`` section (path values of the structural model).

    ``names`` are ``(x, levels), (w, levels), scales`` (default: the shipped file's): M1 has
    an intercept and an X effect per level of W, M2 an intercept, M1 and X paths, Y an
    intercept, M1, M2 and X paths; each a residual SD.
    """
    if not isinstance(latent, Mapping):
        raise _fail(source, "latent", f"must be a mapping; got {type(latent).__name__}")
    (x, _), (w, w_levels), scales = names if names is not None else _default_names()
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
        if (not isinstance(tau, list) or len(tau) != 6
                or any(not isinstance(t, Real) for t in tau) or sorted(tau) != tau):
            raise _fail(source, f"{field}.thresholds",
                        f"must be 6 increasing numbers (7-point items); got {tau!r}")
        _number(m["shift"], source, f"{field}.shift")


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
    for section, keys in _REQUIRED.items():
        if section not in data or not isinstance(data[section], Mapping):
            raise _fail(source, section, "is missing (a mapping is needed)")
        for key in keys:
            if key not in data[section]:
                raise _fail(source, f"{section}.{key}", "is missing")
    names = _names(data, source)
    (x, xl), (w, wl), scales = names
    dx, dw, ds = _default_names()
    if (x, w, set(xl), set(wl), scales) != (dx[0], dw[0], set(dx[1]), set(dw[1]), ds):
        raise _fail(source, "design", f"and latent must be those of {DEFAULT_PARAMS.name} (factors {dx[0]} "
                    f"{list(dx[1])} and {dw[0]} {list(dw[1])}, scales {list(ds)}), which studylib.simulate "
                    f"simulates; got {x} {list(xl)}, {w} {list(wl)}, scales {list(scales)}. Another design: "
                    "give the study file a simulation: block (studylib.simulate_from_study)")
    for factor in (x, w):
        if factor not in data["manipulation_checks"]:
            raise _fail(source, f"manipulation_checks.{factor}", "is missing (one check per design factor)")
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
    probs = data["demographics"]["gender"].get("probs")
    labels = data["demographics"]["gender"].get("labels")
    if not isinstance(probs, list) or not isinstance(labels, Mapping) or len(probs) != len(labels):
        raise _fail(source, "demographics.gender.probs", "must give one probability per label")
    data["_source"] = source
    return data
