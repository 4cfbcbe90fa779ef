"""Loading and checking the parameters of :mod:`studylib.simulate` (YAML or dict)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

from ._reading import content_errors, read_yaml
from .errors import InputTypeError, SpecError
from .paths import SYNTHETIC

__all__ = ["DEFAULT_PARAMS", "load_params", "RESPONSES", "VALENCES", "SCALES"]

DEFAULT_PARAMS = SYNTHETIC / "params.yaml"
VALENCES = ("negative", "positive")
RESPONSES = ("none", "like", "reply")
SCALES = ("psr", "pk", "attitude")

_REQUIRED = {
    "design": ("valence", "response"),
    "latent": SCALES,
    "measurement": SCALES,
    "careless": ("straight_liner_rate", "random_rate", "speeder_rate", "skipper_rate", "skip_prob"),
    "attention_check": ("column", "correct", "p_correct_attentive", "p_correct_speeder"),
    "manipulation_checks": ("valence", "response"),
    "demographics": ("age", "gender"),
    "follower": ("column", "labels", "p_follower"),
    "duration": ("column", "median", "sdlog", "straight_liner_factor", "speeder_fraction"),
    "export": ("id_column", "start", "mean_gap_s", "languages"),
}


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


def check_latent(latent: Any, source: str) -> dict[str, Any]:
    """Check the ``latent`` section (path values of the structural model)."""
    if not isinstance(latent, Mapping):
        raise _fail(source, "latent", f"must be a mapping; got {type(latent).__name__}")
    for scale in SCALES:
        if scale not in latent or not isinstance(latent[scale], Mapping):
            raise _fail(source, f"latent.{scale}", "is missing (a mapping is needed)")
    psr = latent["psr"]
    for key in ("intercept", "valence"):
        value = psr.get(key)
        if not isinstance(value, Mapping) or set(value) != set(RESPONSES):
            raise _fail(source, f"latent.psr.{key}",
                        f"must map each response level {list(RESPONSES)} to a number; got {value!r}")
        for level in RESPONSES:
            _number(value[level], source, f"latent.psr.{key}.{level}")
    needed = {"psr": ("residual_sd",), "pk": ("intercept", "psr", "valence", "residual_sd"),
              "attitude": ("intercept", "psr", "pk", "valence", "residual_sd")}
    for scale, keys in needed.items():
        for key in keys:
            if key not in latent[scale]:
                raise _fail(source, f"latent.{scale}.{key}", "is missing")
            low = 0.0 if key == "residual_sd" else None
            _number(latent[scale][key], source, f"latent.{scale}.{key}", low=low)
    return dict(latent)


def check_measurement(measurement: Mapping[str, Any], source: str) -> None:
    for scale in SCALES:
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
    design = data["design"]
    for factor, levels in (("valence", VALENCES), ("response", RESPONSES)):
        spec = design[factor]
        if not isinstance(spec, Mapping) or "column" not in spec or "levels" not in spec:
            raise _fail(source, f"design.{factor}", "needs 'column' and 'levels'")
        if not isinstance(spec["levels"], Mapping) or set(spec["levels"]) != set(levels):
            raise _fail(source, f"design.{factor}.levels",
                        f"must map each of the levels {list(levels)} to an export label; "
                        f"got {spec['levels']!r}")
    check_latent(data["latent"], source)
    check_measurement(data["measurement"], source)
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
