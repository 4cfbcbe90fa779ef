"""Conditional effects, indirect effects, indexes of moderated mediation and contrasts.

Every quantity is a function of the equations' coefficient vectors, written once for a
stack of coefficient vectors: row 0 of the point estimates or the B bootstrap rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations, product

import numpy as np
import pandas as pd

from .design import Design, ModValue, product_term
from .spec import Path

__all__ = ["CoefStacks", "Design", "ModValue", "Quantity", "edge_weights", "indirect_rows", "jn_points",
           "probe_values", "product_term", "INDEX_KINDS"]


def edge_weights(design: Design, path: Path, src_term: str, mods: dict[str, ModValue]) -> np.ndarray:
    """Weights over ``path.dst``'s coefficients giving the effect of ``src_term`` at ``mods``."""
    terms = design.eq_terms[path.dst]
    w = np.zeros(len(terms))
    w[terms.index(src_term)] = 1.0
    for mod in path.moderators:
        for t, c in zip(design.role_terms[mod], mods[mod].code, strict=True):
            w[terms.index(product_term(src_term, t))] += c
    if path.three_way:
        for (tw, cw), (tz, cz) in product(
            zip(design.role_terms["w"], mods["w"].code, strict=True),
            zip(design.role_terms["z"], mods["z"].code, strict=True),
        ):
            w[terms.index(product_term(src_term, tw, tz))] += cw * cz
    return w


def path_label(design: Design, chain: tuple[str, ...]) -> str:
    return " -> ".join(design.names[r] for r in chain)


def _chain_mods(design: Design, chain: tuple[str, ...]) -> list[str]:
    mods: set[str] = set()
    for src, dst in zip(chain[:-1], chain[1:], strict=True):
        mods.update(design.spec.path(src, dst).moderators)
    return [m for m in ("w", "z") if m in mods]


class CoefStacks(dict):
    """Coefficient stacks per outcome role, with a memo of the path effects computed on them.

    Many rows share a path effect or a whole chain (contrasts, indexes, the total); each
    is computed once per stack and reused, which gives the same numbers as recomputing it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.memo: dict = {}


def _codes(path_mods, mods: dict[str, ModValue]) -> tuple:
    return tuple(mods[m].code for m in path_mods)


def _chain_value(design, coefs, chain, x_term, mods) -> np.ndarray:
    """Indirect effect along ``chain`` for every row of the coefficient stacks."""
    memo = coefs.memo if isinstance(coefs, CoefStacks) else {}
    key = (chain, x_term, _codes(sorted(mods), mods))
    if key in memo:
        return memo[key]
    value = None
    for k, (src, dst) in enumerate(zip(chain[:-1], chain[1:], strict=True)):
        path = design.spec.path(src, dst)
        term = x_term if k == 0 else design.role_terms[src][0]
        edge = (src, dst, term, _codes(path.moderators, mods))
        part = memo.get(edge)
        if part is None:
            part = memo[edge] = coefs[dst] @ edge_weights(design, path, term, mods)
        value = part if value is None else value * part
    memo[key] = value
    return value


@dataclass
class Quantity:
    """A table row and the function computing it from coefficient stacks."""

    row: dict
    fun: object


def indirect_rows(design: Design) -> tuple[list[Quantity], list[Quantity], list[Quantity]]:
    """The rows of the indirect, index and contrast tables, each with its function."""
    indirect: list[Quantity] = []
    index: list[Quantity] = []
    contrasts: list[Quantity] = []
    chains = design.spec.chains()
    x_terms = design.role_terms["x"]
    any_mod = any(_chain_mods(design, c) for c in chains)
    for x_term in x_terms:
        per_x: list[Quantity] = []
        for chain in chains:
            mods = _chain_mods(design, chain)
            grids = list(product(*(design.values[m] for m in mods))) if mods else [()]
            label = path_label(design, chain)
            chain_rows = []
            for combo in grids:
                mv = dict(zip(mods, combo, strict=True))
                row = {
                    "path": label,
                    "x_term": x_term,
                    "w": mv["w"].label if "w" in mv else None,
                    "z": mv["z"].label if "z" in mv else None,
                }
                q = Quantity(row, lambda c, ch=chain, xt=x_term, mv=mv: _chain_value(design, c, ch, xt, mv))
                chain_rows.append(q)
            indirect.extend(chain_rows)
            per_x.extend(chain_rows)
            # pairwise contrasts across moderator values of the same path: later minus earlier
            for q1, q2 in combinations(chain_rows, 2):
                contrasts.append(_contrast(q2, q1))
            index.extend(_index_rows(design, chain, x_term, label, mods))
        if not any_mod and len(chains) > 1:
            for q1, q2 in combinations(per_x, 2):
                contrasts.append(_contrast(q1, q2))
            funs = [q.fun for q in per_x]
            total = Quantity(
                {"path": "total", "x_term": x_term, "w": None, "z": None},
                lambda c, fs=funs: sum(f(c) for f in fs),
            )
            indirect.insert(len(indirect) - len(per_x), total)
    return indirect, index, contrasts


#: Kinds of index rows, as PROCESS names them.
INDEX_KINDS = ("moderated mediation", "partial moderated mediation", "moderated moderated mediation",
               "conditional moderated mediation")


def _unit_contrasts(design: Design, mod: str) -> list[tuple[str, list[tuple[float, ModValue]]]]:
    """Per code term of ``mod``: weights over moderator values that give its index.

    A continuous moderator: the value at 1 minus the value at 0 (the slope of a linear
    function). A categorical one: the contrasts of its groups that its coding defines (rows
    of ``inv([1 C])``, C the k x (k - 1) coding matrix): with indicator coding each group minus
    the reference, with sequential coding each group minus the previous one. For a function
    linear in the codes this is the value at the unit code vector minus that at 0; for any
    function of the groups it is still the difference of conditional effects the coding
    names, which is how PROCESS defines the index for a multicategorical W.
    """
    terms = design.role_terms[mod]
    if mod not in design.codings:
        return [(terms[0], [(1.0, ModValue(1.0, (1.0,))), (-1.0, ModValue(0.0, (0.0,)))])]
    groups = design.values[mod]
    C = np.array([g.code for g in groups])
    K = np.linalg.inv(np.column_stack([np.ones(len(groups)), C]))[1:]
    return [(t, [(float(wt), g) for wt, g in zip(K[j], groups, strict=True) if wt != 0.0])
            for j, t in enumerate(terms)]


def _index_rows(design: Design, chain, x_term: str, label: str, mods: list[str]) -> list[Quantity]:
    """Indexes of one chain by PROCESS's rules (Hayes, 2022, ch. 12 and 14; Hayes, 2018).

    An indirect effect linear in one moderator (it acts on one path, or is categorical) has
    an index of moderated mediation. With two moderators, each linear: if they act on the same
    path additively, indexes of partial moderated mediation (one per moderator); otherwise
    (different paths, or with their product) the index of moderated moderated mediation and
    the indexes of conditional moderated mediation by W at each probed Z. An indirect effect
    that is not linear in a continuous moderator (it acts on two paths) has none.
    """
    edges = [design.spec.path(s, d) for s, d in zip(chain[:-1], chain[1:], strict=True)]
    on = {m: [e for e in edges if m in e.moderators] for m in mods}
    linear = all(m in design.codings or len(on[m]) == 1 for m in mods)
    if not mods or not linear:
        return []
    fun = functools.partial(_chain_value, design, chain=chain, x_term=x_term)
    base = {"path": label, "x_term": x_term, "z": None}
    if len(mods) == 1:
        (m,) = mods
        return [Quantity({**base, "kind": INDEX_KINDS[0], "moderator": design.names[m], "w_term": t},
                         _weighted(fun, [(wt, {m: v}) for wt, v in weights]))
                for t, weights in _unit_contrasts(design, m)]
    zero = {m: ModValue(0.0, (0.0,) * len(design.role_terms[m])) for m in mods}
    same = len(on["w"]) == len(on["z"]) == 1 and on["w"][0] is on["z"][0]
    if same and not on["w"][0].three_way:
        rows = []
        for m in mods:
            other = "z" if m == "w" else "w"
            for t, weights in _unit_contrasts(design, m):
                rows.append(Quantity({**base, "kind": INDEX_KINDS[1], "moderator": design.names[m], "w_term": t},
                                     _weighted(fun, [(wt, {m: v, other: zero[other]}) for wt, v in weights])))
        return rows
    rows = []
    for tw, ww in _unit_contrasts(design, "w"):
        for tz, wz in _unit_contrasts(design, "z"):
            pairs = [(a * b, {"w": v, "z": u}) for a, v in ww for b, u in wz]
            rows.append(Quantity({**base, "kind": INDEX_KINDS[2], "moderator": f"{design.names['w']}*"
                                  f"{design.names['z']}", "w_term": product_term(tw, tz)}, _weighted(fun, pairs)))
    for u in design.values["z"]:
        for tw, ww in _unit_contrasts(design, "w"):
            rows.append(Quantity({**base, "z": u.label, "kind": INDEX_KINDS[3], "moderator": design.names["w"],
                                  "w_term": tw}, _weighted(fun, [(a, {"w": v, "z": u}) for a, v in ww])))
    return rows


def _weighted(fun, terms: list[tuple[float, dict]]):
    """``sum(weight * fun(c, mods))`` over ``terms`` (a weight of exactly +-1 multiplies nothing)."""

    def value(c):
        out = None
        for wt, mv in terms:
            v = fun(c, mods=mv)
            v = v if wt == 1.0 else -v if wt == -1.0 else wt * v
            out = v if out is None else out + v
        return out

    return value


def _contrast(q1: Quantity, q2: Quantity) -> Quantity:
    row = {
        "path1": q1.row["path"],
        "w1": q1.row["w"],
        "z1": q1.row["z"],
        "path2": q2.row["path"],
        "w2": q2.row["w"],
        "z2": q2.row["z"],
        "x_term": q1.row["x_term"],
    }
    return Quantity(row, lambda c, f1=q1.fun, f2=q2.fun: f1(c) - f2(c))


def probe_values(series: np.ndarray, *, probe: str, values) -> list[float]:
    """Continuous moderator values: user values, 16/50/84th percentiles or mean +- SD.

    A moderator with only two distinct values is probed at those two values.
    Percentiles are R's type 6 (``numpy.percentile(method="weibull")``) as in PROCESS.
    """
    if values is not None:
        return [float(v) for v in values]
    uniq = np.unique(series)
    if uniq.size == 2:
        return [float(v) for v in uniq]
    if probe == "meansd":
        m, s = float(series.mean()), float(series.std(ddof=1))
        return [m - s, m, m + s]
    return [float(v) for v in np.percentile(series, [16, 50, 84], method="weibull")]


def jn_points(b1: float, b3: float, v11: float, v13: float, v33: float, crit: float, wcol: np.ndarray) -> pd.DataFrame:
    """Johnson-Neyman transition points of ``b1 + b3 w`` inside the observed range of w."""
    c2 = crit**2
    a = b3**2 - c2 * v33
    b = 2 * (b1 * b3 - c2 * v13)
    c = b1**2 - c2 * v11
    roots: list[float] = []
    if abs(a) > 1e-300:
        disc = b * b - 4 * a * c
        if disc >= 0:
            sq = np.sqrt(disc)
            roots = sorted({(-b - sq) / (2 * a), (-b + sq) / (2 * a)})
    elif abs(b) > 1e-300:
        roots = [-c / b]
    lo, hi = float(wcol.min()), float(wcol.max())
    rows = [
        (r, 100 * float(np.mean(wcol < r)), 100 * float(np.mean(wcol > r)))
        for r in roots
        if lo <= r <= hi
    ]
    return pd.DataFrame(rows, columns=["value", "pct_below", "pct_above"], dtype=float)
