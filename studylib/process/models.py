"""PROCESS model numbers as data: each number is one row of :data:`MODEL_TABLE`.

A row names the model's structure (which mediator paths exist) and which moderators act on
each kind of path: ``a`` (X -> M), ``b`` (M -> Y), ``c`` (X -> Y, the direct effect) and
``d`` (M -> M, serial models). A moderation is ``""`` (none), ``"w"``, ``"z"``, ``"w+z"``
(both, additively) or ``"w*z"`` (W, Z and W x Z: moderated moderation). In the serial models
83-92 ``only`` restricts the moderation of a kind of path to the first or the last such
path. :func:`build_spec` turns a row and the number of mediators into a
:class:`~studylib.process.spec.Spec` (its list of paths).

The rows were read off PROCESS 4's model templates (Hayes, 2022, Appendix A) and are
checked against PROCESS for R 4.0.1 output for every model, with 2 mediators (3 for 80 and
81, 4 for 82): each equation's terms and every estimate (tests/reference/process_r401_public/).
Models 83-92 with more than 2 mediators follow the rule in the row (e.g. model 83 moderates
only X -> M1, model 87 only the last mediator -> Y); PROCESS output for that extension is
compared for model 83 with 3 mediators only.

Mediators: models 4, 5 and 7-76 take 1 to 10 parallel mediators; 6 and 83-92 take 2 to 6
serial ones; 80 and 81 take 3 to 6; 82 exactly 4 (as PROCESS).

References: Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional
process analysis* (3rd ed.), Appendix A. Guilford Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import SpecError
from .spec import Path, Spec

__all__ = ["MODELS", "MODEL_TABLE", "ModelRow", "build_spec", "models_table"]


@dataclass(frozen=True)
class ModelRow:
    """One PROCESS model: structure, moderation of each kind of path, description."""

    number: int
    structure: str  # "moderation", "parallel", "serial", "80", "81" or "82"
    a: str = ""  # moderators of X -> M
    b: str = ""  # of M -> Y
    c: str = ""  # of X -> Y
    d: str = ""  # of M -> M
    only: str = ""  # serial models: "a:first", "b:last" or "d:first"
    text: str = ""

    @property
    def mediators(self) -> tuple[int, int]:
        """The allowed numbers of mediators (lowest, highest)."""
        return _MEDIATORS[self.structure]

    def needs(self) -> set[str]:
        """The moderators the model needs ("w", "z")."""
        return {r for mod in (self.a, self.b, self.c, self.d) for r in ("w", "z") if r in mod}


_MEDIATORS = {"moderation": (0, 0), "parallel": (1, 10), "serial": (2, 6), "80": (3, 6), "81": (3, 6),
              "82": (4, 4)}

R = ModelRow
#: Every model number PROCESS 4 accepts, one row each.
MODEL_TABLE: tuple[ModelRow, ...] = (
    R(1, "moderation", c="w", text="simple moderation: W moderates X -> Y"),
    R(2, "moderation", c="w+z", text="additive moderation: W and Z moderate X -> Y"),
    R(3, "moderation", c="w*z", text="moderated moderation: W, Z and W x Z moderate X -> Y"),
    R(4, "parallel", text="parallel mediation"),
    R(5, "parallel", c="w", text="parallel mediation; W moderates X -> Y"),
    R(6, "serial", text="serial mediation"),
    R(7, "parallel", a="w", text="W moderates X -> M"),
    R(8, "parallel", a="w", c="w", text="W moderates X -> M and X -> Y"),
    R(9, "parallel", a="w+z", text="W and Z moderate X -> M"),
    R(10, "parallel", a="w+z", c="w+z", text="W and Z moderate X -> M and X -> Y"),
    R(11, "parallel", a="w*z", text="W, Z and W x Z moderate X -> M"),
    R(12, "parallel", a="w*z", c="w*z", text="W, Z and W x Z moderate X -> M and X -> Y"),
    R(13, "parallel", a="w*z", c="w", text="W, Z and W x Z moderate X -> M; W moderates X -> Y"),
    R(14, "parallel", b="w", text="W moderates M -> Y"),
    R(15, "parallel", b="w", c="w", text="W moderates M -> Y and X -> Y"),
    R(16, "parallel", b="w+z", text="W and Z moderate M -> Y"),
    R(17, "parallel", b="w+z", c="w+z", text="W and Z moderate M -> Y and X -> Y"),
    R(18, "parallel", b="w*z", text="W, Z and W x Z moderate M -> Y"),
    R(19, "parallel", b="w*z", c="w*z", text="W, Z and W x Z moderate M -> Y and X -> Y"),
    R(20, "parallel", b="w*z", c="w", text="W, Z and W x Z moderate M -> Y; W moderates X -> Y"),
    R(21, "parallel", a="w", b="z", text="W moderates X -> M; Z moderates M -> Y"),
    R(22, "parallel", a="w", b="z", c="w", text="W moderates X -> M and X -> Y; Z moderates M -> Y"),
    R(28, "parallel", a="w", b="z", c="z", text="W moderates X -> M; Z moderates M -> Y and X -> Y"),
    R(29, "parallel", a="w", b="z", c="w+z", text="W moderates X -> M; Z moderates M -> Y; both X -> Y"),
    R(58, "parallel", a="w", b="w", text="W moderates X -> M and M -> Y"),
    R(59, "parallel", a="w", b="w", c="w", text="W moderates X -> M, M -> Y and X -> Y"),
    R(60, "parallel", a="w+z", b="w", text="W and Z moderate X -> M; W moderates M -> Y"),
    R(61, "parallel", a="w+z", b="w", c="w", text="W and Z moderate X -> M; W moderates M -> Y and X -> Y"),
    R(62, "parallel", a="w+z", b="w", c="z", text="W and Z moderate X -> M; W moderates M -> Y; Z X -> Y"),
    R(63, "parallel", a="w+z", b="w", c="w+z", text="W and Z moderate X -> M and X -> Y; W moderates M -> Y"),
    R(64, "parallel", a="w", b="w+z", text="W moderates X -> M; W and Z moderate M -> Y"),
    R(65, "parallel", a="w", b="w+z", c="w", text="W moderates X -> M and X -> Y; W and Z moderate M -> Y"),
    R(66, "parallel", a="w", b="w+z", c="z", text="W moderates X -> M; W and Z moderate M -> Y; Z X -> Y"),
    R(67, "parallel", a="w", b="w+z", c="w+z", text="W moderates X -> M; W and Z moderate M -> Y and X -> Y"),
    R(68, "parallel", a="w*z", b="w", text="W, Z and W x Z moderate X -> M; W moderates M -> Y"),
    R(69, "parallel", a="w*z", b="w", c="w*z",
      text="W, Z and W x Z moderate X -> M and X -> Y; W moderates M -> Y"),
    R(70, "parallel", a="w", b="w*z", text="W moderates X -> M; W, Z and W x Z moderate M -> Y"),
    R(71, "parallel", a="w", b="w*z", c="w*z",
      text="W moderates X -> M; W, Z and W x Z moderate M -> Y and X -> Y"),
    R(72, "parallel", a="w*z", b="w*z", text="W, Z and W x Z moderate X -> M and M -> Y"),
    R(73, "parallel", a="w*z", b="w*z", c="w*z", text="W, Z and W x Z moderate X -> M, M -> Y and X -> Y"),
    R(75, "parallel", a="w+z", b="w+z", text="W and Z moderate X -> M and M -> Y"),
    R(76, "parallel", a="w+z", b="w+z", c="w+z", text="W and Z moderate X -> M, M -> Y and X -> Y"),
    R(80, "80", text="X -> M1 .. Mk-1 in parallel, each -> Mk (3 to 6 mediators)"),
    R(81, "81", text="X -> M1 -> M2 .. Mk, M2 .. Mk in parallel (3 to 6 mediators)"),
    R(82, "82", text="two serial pairs: X -> M1 -> M2 and X -> M3 -> M4 (4 mediators)"),
    R(83, "serial", a="w", only="a:first", text="serial mediation; W moderates X -> M1"),
    R(84, "serial", a="w", text="serial mediation; W moderates every X -> M path"),
    R(85, "serial", a="w", c="w", text="serial mediation; W moderates every X -> M path and X -> Y"),
    R(86, "serial", a="w", c="w", only="a:first", text="serial mediation; W moderates X -> M1 and X -> Y"),
    R(87, "serial", b="w", only="b:last", text="serial mediation; W moderates the last mediator -> Y"),
    R(88, "serial", b="w", text="serial mediation; W moderates every M -> Y path"),
    R(89, "serial", b="w", c="w", text="serial mediation; W moderates every M -> Y path and X -> Y"),
    R(90, "serial", b="w", c="w", only="b:last",
      text="serial mediation; W moderates the last mediator -> Y and X -> Y"),
    R(91, "serial", d="w", only="d:first", text="serial mediation; W moderates M1 -> M2"),
    R(92, "serial", a="w", b="w", c="w", d="w", text="serial mediation; W moderates every path"),
)
del R

_ROWS = {row.number: row for row in MODEL_TABLE}

#: PROCESS model numbers understood by :func:`build_spec`, with a one-line description.
MODELS: dict[int, str] = {row.number: row.text for row in MODEL_TABLE}


def models_table() -> pd.DataFrame:
    """The model table as a DataFrame: model, mediators, a, b, c, d, description.

    >>> models_table().set_index("model").loc[83].tolist()
    ['2-6 serial', 'w (X -> M1 only)', '', '', '', 'serial mediation; W moderates X -> M1']
    """
    rows = []
    for r in MODEL_TABLE:
        lo, hi = r.mediators
        kind = {"parallel": "parallel", "serial": "serial"}.get(r.structure, "")
        meds = "none" if hi == 0 else (f"{lo}" if lo == hi else f"{lo}-{hi}") + (f" {kind}" if kind else "")
        cells = {kind_: getattr(r, kind_) for kind_ in ("a", "b", "c", "d")}
        if r.only:
            cells[r.only[0]] += _ONLY[r.only]
        rows.append((r.number, meds, cells["a"], cells["b"], cells["c"], cells["d"], r.text))
    return pd.DataFrame(rows, columns=["model", "mediators", "a", "b", "c", "d", "description"])


_ONLY = {"a:first": " (X -> M1 only)", "b:last": " (last M -> Y only)", "d:first": " (M1 -> M2 only)"}


def _moderation(text: str) -> tuple[tuple[str, ...], bool]:
    """``"w+z"`` -> (("w", "z"), False); ``"w*z"`` -> (("w", "z"), True)."""
    if not text:
        return (), False
    return tuple(sorted(text.replace("*", "+").split("+"))), "*" in text


def build_spec(model: object, n_mediators: int) -> Spec:
    """Return the :class:`Spec` of PROCESS model number ``model`` with ``n_mediators``.

    Raises :class:`SpecError` for an unknown number or a number of mediators the model does
    not take (the message states the model's rule).

    >>> spec = build_spec(83, 2)
    >>> [(p.src, p.dst, p.moderators) for p in spec.paths][:3]
    [('x', 'm1', ('w',)), ('x', 'm2', ()), ('m1', 'm2', ())]
    >>> build_spec(82, 3)
    Traceback (most recent call last):
    ...
    studylib.errors.SpecError: model 82 (two serial pairs: X -> M1 -> M2 and X -> M3 -> M4 (4 mediators)) needs exactly 4 mediators in m, as PROCESS; got 3
    """
    if isinstance(model, bool) or not isinstance(model, int) or model not in _ROWS:
        allowed = "1-22, 28, 29, 58-73, 75, 76, 80-92"
        raise SpecError(
            f"model must be one of the PROCESS model numbers {allowed} (or pass spec= for a custom model); "
            f"got {model!r}"
        )
    row = _ROWS[model]
    k = n_mediators
    lo, hi = row.mediators
    if not lo <= k <= hi:
        if hi == 0:
            rule = "has no mediator"
            raise SpecError(f"model {model} ({row.text}) {rule}; got m with {k} variable(s)")
        kind = {"serial": " serial", "parallel": ""}.get(row.structure, "")
        need = f"exactly {lo}" if lo == hi else f"{lo} to {hi}{kind}"
        raise SpecError(f"model {model} ({row.text}) needs {need} mediators in m, as PROCESS; got {k}")
    if row.structure == "moderation":
        mods, three = _moderation(row.c)
        return Spec((), (Path("x", "y", mods, three_way=three),), name=str(model))
    ms = [f"m{i}" for i in range(1, k + 1)]
    mod = {kind: _moderation(getattr(row, kind)) for kind in ("a", "b", "c", "d")}
    only_kind, _, only_which = row.only.partition(":")

    def moderation(kind: str, position: str) -> tuple[tuple[str, ...], bool]:
        """Moderation of a path of this kind at this position ("first", "last", "")."""
        if only_kind == kind and only_which != position:
            return (), False
        return mod[kind]

    links = _mediator_links(row.structure, ms)
    paths: list[Path] = []
    for i, mi in enumerate(ms):
        mods, three = moderation("a", "first" if i == 0 else "")
        paths.append(Path("x", mi, mods, three))
        for mj in links.get(mi, []):
            first = (mj, mi) == ("m1", "m2")
            mods, three = moderation("d", "first" if first else "")
            paths.append(Path(mj, mi, mods, three))
    for i, mi in enumerate(ms):
        mods, three = moderation("b", "last" if i == k - 1 else "")
        paths.append(Path(mi, "y", mods, three))
    mods, three = mod["c"]
    paths.append(Path("x", "y", mods, three))
    serial = row.structure != "parallel"
    return Spec(tuple(ms), tuple(paths), name=str(model), serial=serial)


def _mediator_links(structure: str, ms: list[str]) -> dict[str, list[str]]:
    """mediator -> the earlier mediators with a path into it."""
    if structure == "serial":
        return {mi: ms[:i] for i, mi in enumerate(ms)}
    if structure == "80":  # the first k - 1 in parallel, each into the last
        return {ms[-1]: ms[:-1]}
    if structure == "81":  # the first into each of the others
        return {mi: [ms[0]] for mi in ms[1:]}
    if structure == "82":  # X -> M1 -> M2 and X -> M3 -> M4
        return {"m2": ["m1"], "m4": ["m3"]}
    return {}
