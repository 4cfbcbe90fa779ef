"""Conditional process models as data: equations plus the paths each moderator acts on.

A model is a list of directed paths between *roles* (``x``, ``m1``..``mk``, ``y``); each
path may be moderated by ``w``, ``z`` or both (optionally with the three-way product).
PROCESS model numbers are names for such path lists (Hayes, 2022, Appendix A). The public
form is a lavaan-like parameter table (:func:`spec_table`) stored on every result.

Models 83-92 are drawn by Hayes with two serial mediators; their path lists here agree for
two mediators with the independent encoding in jaspProcess (``R/HardCodedModels.R``). With
three or more mediators studylib extends them by the rule in :data:`MODELS` (e.g. model 83
moderates only X -> M1, model 87 only the last mediator -> Y); PROCESS output for that
extension has not been compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import SpecError

__all__ = ["Path", "Spec", "MODELS", "build_spec", "parse_spec", "spec_table"]

#: PROCESS model numbers understood by :func:`build_spec`, with a one-line description.
MODELS: dict[int, str] = {
    1: "simple moderation: W moderates X -> Y",
    2: "additive moderation: W and Z moderate X -> Y",
    3: "moderated moderation: W, Z and W x Z moderate X -> Y",
    4: "parallel mediation (any number of mediators)",
    6: "serial mediation (2 to 6 mediators)",
    7: "parallel mediation; W moderates every X -> M path",
    8: "parallel mediation; W moderates X -> M and X -> Y",
    14: "parallel mediation; W moderates every M -> Y path",
    15: "parallel mediation; W moderates M -> Y and X -> Y",
    58: "parallel mediation; W moderates X -> M and M -> Y",
    59: "parallel mediation; W moderates X -> M, M -> Y and X -> Y",
    83: "serial mediation; W moderates X -> M1",
    84: "serial mediation; W moderates every X -> M path",
    85: "serial mediation; W moderates every X -> M path and X -> Y",
    86: "serial mediation; W moderates X -> M1 and X -> Y",
    87: "serial mediation; W moderates the last mediator -> Y",
    88: "serial mediation; W moderates every M -> Y path",
    89: "serial mediation; W moderates every M -> Y path and X -> Y",
    90: "serial mediation; W moderates the last mediator -> Y and X -> Y",
    91: "serial mediation; W moderates M1 -> M2",
    92: "serial mediation; W moderates every path",
}

_SERIAL = {6, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92}
_NO_MEDIATOR = {1, 2, 3}
_NEEDS_W = set(MODELS) - {4, 6}
_NEEDS_Z = {2, 3}


@dataclass(frozen=True)
class Path:
    """A directed path ``src -> dst`` between roles, with the moderators acting on it."""

    src: str
    dst: str
    moderators: tuple[str, ...] = ()
    three_way: bool = False


@dataclass(frozen=True)
class Spec:
    """A model: its mediator roles (in causal order) and its paths."""

    mediators: tuple[str, ...]
    paths: tuple[Path, ...]
    name: str = "custom"
    serial: bool = False
    text: tuple[str, ...] = field(default_factory=tuple)

    def outcomes(self) -> list[str]:
        """Roles with an equation, in order (mediators first, then ``y``)."""
        return [*self.mediators, "y"]

    def into(self, dst: str) -> list[Path]:
        return [p for p in self.paths if p.dst == dst]

    def moderators(self) -> set[str]:
        return {mod for p in self.paths for mod in p.moderators}

    def chains(self) -> list[tuple[str, ...]]:
        """Every route from ``x`` to ``y`` through at least one mediator."""
        out: list[tuple[str, ...]] = []

        def walk(route: tuple[str, ...]) -> None:
            for p in self.paths:
                if p.src != route[-1]:
                    continue
                if p.dst == "y":
                    if len(route) > 1:
                        out.append((*route, "y"))
                else:
                    walk((*route, p.dst))

        walk(("x",))
        rank = {r: i for i, r in enumerate(("x", *self.mediators, "y"))}
        return sorted(out, key=lambda c: (len(c), [rank[r] for r in c]))

    def path(self, src: str, dst: str) -> Path | None:
        for p in self.paths:
            if p.src == src and p.dst == dst:
                return p
        return None


def build_spec(model: object, n_mediators: int) -> Spec:
    """Return the :class:`Spec` of PROCESS model number ``model`` with ``n_mediators``.

    Raises :class:`SpecError` for an unknown number or a wrong number of mediators.

    >>> spec = build_spec(83, 2)
    >>> [(p.src, p.dst, p.moderators) for p in spec.paths][:3]
    [('x', 'm1', ('w',)), ('x', 'm2', ()), ('m1', 'm2', ())]
    >>> build_spec(5, 1)
    Traceback (most recent call last):
    ...
    studylib.errors.SpecError: model must be one of the PROCESS model numbers 1, 2, 3, 4, 6, 7, 8, 14, 15, 58, 59, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92 (or pass spec= for a custom model); got 5
    """
    if isinstance(model, bool) or not isinstance(model, int) or model not in MODELS:
        allowed = ", ".join(str(k) for k in MODELS)
        raise SpecError(
            f"model must be one of the PROCESS model numbers {allowed} "
            f"(or pass spec= for a custom model); got {model!r}"
        )
    k = n_mediators
    if model in _NO_MEDIATOR:
        if k:
            raise SpecError(f"model {model} has no mediator; got m with {k} variable(s)")
        mods = {1: ("w",), 2: ("w", "z"), 3: ("w", "z")}[model]
        return Spec((), (Path("x", "y", mods, three_way=model == 3),), name=str(model))
    if model in _SERIAL and not 2 <= k <= 6:
        raise SpecError(
            f"model {model} is a serial mediation model and needs 2 to 6 mediators in m; got {k}"
        )
    if k < 1:
        raise SpecError(f"model {model} needs at least one mediator in m; got none")
    ms = [f"m{i}" for i in range(1, k + 1)]
    w = ("w",)
    a_mod = b_mod = c_mod = d_mod = False
    a_first = b_last = False
    if model in (7, 8, 58, 59, 84, 85, 92):
        a_mod = True
    if model in (83, 86):
        a_first = True
    if model in (14, 15, 58, 59, 88, 89, 92):
        b_mod = True
    if model in (87, 90):
        b_last = True
    if model in (8, 15, 59, 85, 86, 89, 90, 92):
        c_mod = True
    if model == 92:
        d_mod = True
    paths: list[Path] = []
    for i, mi in enumerate(ms):
        mod = w if a_mod or (a_first and i == 0) else ()
        paths.append(Path("x", mi, mod))
        if model in _SERIAL:
            for mj in ms[:i]:
                dmod = w if d_mod or (model == 91 and mj == "m1" and mi == "m2") else ()
                paths.append(Path(mj, mi, dmod))
    for i, mi in enumerate(ms):
        mod = w if b_mod or (b_last and i == k - 1) else ()
        paths.append(Path(mi, "y", mod))
    paths.append(Path("x", "y", w if c_mod else ()))
    return Spec(tuple(ms), tuple(paths), name=str(model), serial=model in _SERIAL)


_TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def parse_spec(spec: object, roles: dict[str, str]) -> Spec:
    """Parse a custom model from equations such as ``"pk ~ psr + valence"``.

    Each element is ``outcome ~ term + term ...``; a term is a variable name, or
    ``var*mod`` (path moderated by ``mod``), or ``var*w*z`` (three-way moderation). Names
    are the data's column names given as ``x``, ``m``, ``w``, ``z``, ``y``; covariates are
    added to every equation by :func:`studylib.process`. ``roles`` maps column -> role.

    >>> roles = {"val": "x", "psr": "m1", "pk": "m2", "resp": "w", "att": "y"}
    >>> s = parse_spec(["psr ~ val*resp", "pk ~ psr", "att ~ pk + val"], roles)
    >>> [(p.src, p.dst, p.moderators) for p in s.paths]
    [('x', 'm1', ('w',)), ('m1', 'm2', ()), ('m2', 'y', ()), ('x', 'y', ())]
    >>> parse_spec(["psr ~ val + foo"], roles)
    Traceback (most recent call last):
    ...
    studylib.errors.SpecError: unknown variable 'foo' in model element 'psr ~ val + foo'; known: ['val', 'psr', 'pk', 'resp', 'att']
    """
    if isinstance(spec, str):
        spec = [s for s in re.split(r"[;\n]", spec) if s.strip()]
    if not isinstance(spec, (list, tuple)) or not spec:
        raise SpecError(
            f"spec must be a list of equations like 'y ~ x + m'; got {spec!r}"
        )
    known = list(roles)
    paths: list[Path] = []
    seen: set[tuple[str, str]] = set()
    for element in spec:
        if not isinstance(element, str) or element.count("~") != 1:
            raise SpecError(f"each model element must be 'outcome ~ terms'; got {element!r}")
        lhs, rhs = (s.strip() for s in element.split("~"))
        if lhs not in roles:
            raise SpecError(f"unknown variable {lhs!r} in model element {element!r}; known: {known}")
        dst = roles[lhs]
        if not (dst == "y" or dst.startswith("m")):
            raise SpecError(
                f"the outcome of model element {element!r} must be a mediator or y; "
                f"{lhs!r} is {_role_name(dst)}"
            )
        for term in (t.strip() for t in rhs.split("+")):
            parts = [p.strip() for p in term.split("*")]
            for part in parts:
                if not _TERM.match(part) or part not in roles:
                    raise SpecError(
                        f"unknown variable {part!r} in model element {element!r}; known: {known}"
                    )
            src = roles[parts[0]]
            if not (src == "x" or src.startswith("m")):
                raise SpecError(
                    f"term {term!r} in model element {element!r} must start with x or a "
                    f"mediator; {parts[0]!r} is {_role_name(src)} (moderators enter as var*w)"
                )
            mods = tuple(roles[p] for p in parts[1:])
            if any(m not in ("w", "z") for m in mods) or len(set(mods)) != len(mods):
                raise SpecError(
                    f"in model element {element!r} only w and z may moderate a path, each once; got {term!r}"
                )
            if (src, dst) in seen:
                raise SpecError(f"duplicate model element in: {element!r} (path {parts[0]} -> {lhs})")
            seen.add((src, dst))
            paths.append(Path(src, dst, tuple(sorted(mods)), three_way=len(mods) == 2))
    mediators = tuple(sorted({r for r in roles.values() if r.startswith("m")}, key=lambda r: int(r[1:])))
    for mi in mediators:
        if not any(p.dst == mi for p in paths):
            raise SpecError(f"mediator {_name(roles, mi)!r} has no equation; add '{_name(roles, mi)} ~ ...'")
        if not any(p.src == mi for p in paths):
            raise SpecError(f"mediator {_name(roles, mi)!r} predicts nothing; add it to an equation")
    order = {r: i for i, r in enumerate(("x", *mediators, "y"))}
    for p in paths:
        if order[p.src] >= order[p.dst]:
            raise SpecError(
                f"path {_name(roles, p.src)} -> {_name(roles, p.dst)} goes against the order of m "
                "(list mediators in causal order)"
            )
    if not any(p.dst == "y" for p in paths):
        raise SpecError(f"spec has no equation for y ({_name(roles, 'y')!r})")
    serial = any(p.src.startswith("m") and p.dst.startswith("m") for p in paths)
    return Spec(mediators, tuple(paths), name="custom", serial=serial, text=tuple(spec))


def _role_name(role: str) -> str:
    return {"w": "the moderator w", "z": "the moderator z", "y": "y", "x": "x"}.get(role, role)


def _name(roles: dict[str, str], role: str) -> str:
    for k, v in roles.items():
        if v == role:
            return k
    return role


def spec_table(spec: Spec, names: dict[str, str], covariates: list[str], moderators_in: dict[str, list[str]]) -> pd.DataFrame:
    """The lavaan-like parameter table: one row per predictor of each equation.

    Columns ``lhs, op, rhs, role, moderated_by``: ``lhs ~ rhs``; ``role`` is the role of
    ``rhs`` (x, m1.., w, z, covariate); ``moderated_by`` names the moderator(s) of that
    path joined by ``*`` (empty when unmoderated).
    """
    rows = []
    for dst in spec.outcomes():
        for p in spec.into(dst):
            mods = "*".join(names[m] for m in p.moderators)
            rows.append((names[dst], "~", names[p.src], p.src, mods))
        for mod in moderators_in.get(dst, []):
            rows.append((names[dst], "~", names[mod], mod, ""))
        for cov in covariates:
            rows.append((names[dst], "~", cov, "covariate", ""))
    table = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "role", "moderated_by"])
    table.attrs["model"] = spec.name
    return table
