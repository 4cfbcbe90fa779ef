"""Conditional process models as data: equations plus the paths each moderator acts on.

A model is a list of directed paths between *roles* (``x``, ``m1``..``mk``, ``y``); each
path may be moderated by ``w``, ``z`` or both (additively, or with the three-way product).
PROCESS model numbers are names for such path lists (:mod:`studylib.process.models`); a
custom model is parsed from equations (:func:`parse_spec`). The public form is a
lavaan-like parameter table (:func:`spec_table`) stored on every result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import SpecError

__all__ = ["Path", "Spec", "parse_spec", "spec_table"]

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


def spec_table(spec: Spec, names: dict[str, str], covariates: dict[str, list[str]],
               moderators_in: dict[str, list[str]]) -> pd.DataFrame:
    """The lavaan-like parameter table: one row per predictor of each equation.

    Columns ``lhs, op, rhs, role, moderated_by``: ``lhs ~ rhs``; ``role`` is the role of
    ``rhs`` (x, m1.., w, z, covariate); ``moderated_by`` names the moderator(s) of that
    path: ``w``, ``w+z`` (both, additively) or ``w*z`` (with their product), empty when
    unmoderated. ``covariates`` maps each outcome role to the covariates in its equation.
    """
    rows = []
    for dst in spec.outcomes():
        for p in spec.into(dst):
            mods = ("*" if p.three_way else "+").join(names[m] for m in p.moderators)
            rows.append((names[dst], "~", names[p.src], p.src, mods))
        for mod in moderators_in.get(dst, []):
            rows.append((names[dst], "~", names[mod], mod, ""))
        for cov in covariates.get(dst, []):
            rows.append((names[dst], "~", cov, "covariate", ""))
    table = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "role", "moderated_by"])
    table.attrs["model"] = spec.name
    return table
