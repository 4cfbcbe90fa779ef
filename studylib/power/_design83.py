"""The variables of a PROCESS model 83 with a two-level X and a multicategorical W.

:class:`Model83Design` names the model's roles (X and W with their levels, the serial
mediators M1 and M2, the outcome Y). The library holds no study's names: without a design,
:class:`~studylib.power.Model83Effects` and :func:`~studylib.power.power_model83` read the
one of the example study, ``analyses/power_model83.yaml`` (:func:`example_file`), whose
``effects:`` block gives their default paths too.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import paths
from .._reading import read_yaml
from ..errors import SpecError

__all__ = ["Model83Design", "example_file", "example_design", "example_effects"]

#: The example study's model-83 file: its ``design:`` and ``effects:`` blocks.
EXAMPLE_FILE = "power_model83.yaml"


def example_file() -> Path:
    """Path of the example study's model-83 file (``analyses/power_model83.yaml``)."""
    return paths.ANALYSES / EXAMPLE_FILE


@dataclasses.dataclass(frozen=True)
class Model83Design:
    """Names of model 83's variables: X and W (factors with levels), M1, M2 and Y.

    Parameters
    ----------
    x, w : str
        Names of the focal predictor and the moderator (design factors).
    x_levels : tuple of 2 str
        Levels of X; the first is the reference (coded 0).
    w_levels : tuple of str
        Levels of W (at least 2); the first is the reference (indicator coding).
    m1, m2, y : str
        Names of the serial mediators and the outcome (simulated scores).

    Raises
    ------
    SpecError
        Not two levels of X, fewer than two of W, repeated levels or names.
    """

    x: str
    x_levels: tuple[str, ...]
    w: str
    w_levels: tuple[str, ...]
    m1: str
    m2: str
    y: str

    def __post_init__(self) -> None:
        for name in ("x", "w", "m1", "m2", "y"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise SpecError(f"design: {name} must be a name (text); got {value!r}")
        for name, need in (("x_levels", 2), ("w_levels", 2)):
            levels = getattr(self, name)
            if isinstance(levels, (str, bytes)) or not hasattr(levels, "__len__"):
                raise SpecError(f"design: {name} must be a list of level names; got {levels!r}")
            levels = tuple(str(v) for v in levels)
            if len(levels) < need or (name == "x_levels" and len(levels) != 2) or len(set(levels)) != len(levels):
                what = "exactly 2" if name == "x_levels" else "at least 2"
                raise SpecError(f"design: {name} must list {what} distinct levels (the first the reference); "
                                f"got {list(levels)}")
            object.__setattr__(self, name, levels)
        names = [self.x, self.w, self.m1, self.m2, self.y]
        if len(set(names)) != len(names):
            raise SpecError(f"design: x, w, m1, m2 and y must be five different names; got {names}")

    @property
    def scores(self) -> tuple[str, str, str]:
        """The simulated scores, in causal order: M1, M2, Y."""
        return (self.m1, self.m2, self.y)

    @property
    def factors(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``((x, x_levels), (w, w_levels))``: the design's factors, X the rows."""
        return ((self.x, self.x_levels), (self.w, self.w_levels))

    @property
    def contrasted(self) -> tuple[str, ...]:
        """The levels of W compared with its reference level."""
        return self.w_levels[1:]

    def to_dict(self) -> dict[str, Any]:
        """The design as written in a model-83 file's ``design:`` block."""
        return {"x": {"name": self.x, "levels": list(self.x_levels)},
                "w": {"name": self.w, "levels": list(self.w_levels)},
                "m": [self.m1, self.m2], "y": self.y}

    @classmethod
    def from_dict(cls, d: Any, where: str = "design") -> Model83Design:
        """Build from a ``design:`` block: ``{x: {name, levels}, w: {name, levels}, m: [m1, m2], y}``."""
        if not isinstance(d, Mapping):
            raise SpecError(f"{where} must be a mapping with x, w, m and y; got {d!r}")
        unknown = sorted(map(str, set(d) - {"x", "w", "m", "y"}))
        missing = [k for k in ("x", "w", "m", "y") if k not in d]
        if unknown or missing:
            raise SpecError(f"{where}: " + (f"unknown keys {unknown}" if unknown else f"missing {missing}")
                            + "; a model-83 design has x: {name, levels}, w: {name, levels}, m: [m1, m2], y")
        factor = {}
        for role in ("x", "w"):
            f = d[role]
            if not isinstance(f, Mapping) or set(f) != {"name", "levels"}:
                raise SpecError(f"{where}.{role} must be a mapping with name and levels; got {f!r}")
            factor[role] = f
        m = d["m"]
        if isinstance(m, (str, bytes)) or not hasattr(m, "__len__") or len(m) != 2:
            raise SpecError(f"{where}.m must list the two serial mediators M1, M2; got {m!r}")
        return cls(factor["x"]["name"], tuple(factor["x"]["levels"]), factor["w"]["name"],
                   tuple(factor["w"]["levels"]), m[0], m[1], d["y"])


@functools.lru_cache(maxsize=1)
def _example() -> tuple[Model83Design, dict]:
    path = example_file()
    if not path.is_file():
        raise FileNotFoundError(
            f"the example study's model-83 file {path} is not there (studylib installed without its "
            "example study): pass a Model83Design (design=) and the effects explicitly"
        )
    data = read_yaml(path, what="model-83 file", error=SpecError)
    if not isinstance(data, Mapping) or not isinstance(data.get("effects"), Mapping):
        raise SpecError(f"{path}: needs a design: and an effects: block")
    return Model83Design.from_dict(data.get("design"), f"{path}: design"), dict(data["effects"])


def example_design() -> Model83Design:
    """The example study's model-83 design (the ``design:`` block of :func:`example_file`)."""
    return _example()[0]


def example_effects() -> dict:
    """The example study's default paths (the ``effects:`` block of :func:`example_file`)."""
    return dict(_example()[1])
