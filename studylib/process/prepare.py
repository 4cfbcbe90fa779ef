"""Coding of the model variables and construction of each equation's columns."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from ..errors import InputTypeError, ModelError, OptionError
from .coding import code_categorical
from .effects import product_term
from .spec import Spec

__all__ = ["build_design"]


def build_design(frame: pd.DataFrame, sp: Spec, names: dict[str, str], mediators: list[str],
                 covariates: list[str], x_coding, w_coding, z_coding, center: str):
    """Code X, W, Z; check for constant variables; centre; list every equation's terms.

    Returns ``columns`` (term -> array), ``role_terms``, ``codings``, ``cat_roles``,
    ``centered`` (term -> mean subtracted) and ``eq_terms`` (outcome role -> terms).
    """
    n = len(frame)
    columns: dict[str, np.ndarray] = {"constant": np.ones(n)}
    role_terms: dict[str, list[str]] = {}
    codings = {}
    cat_roles = set()
    for role, coding in (("x", x_coding), ("w", w_coding), ("z", z_coding)):
        if role not in names:
            continue
        s = frame[names[role]]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype)
        as_cat = False
        if role == "x":
            if x_coding is not None:
                as_cat = True
            elif not numeric:
                if isinstance(s.dtype, pd.CategoricalDtype) and len(s.cat.categories) == 2:
                    as_cat, coding = True, "indicator"
                else:
                    raise InputTypeError(
                        f"x {names[role]!r} is not numeric ({s.dtype}); pass x_coding='indicator' "
                        "(or 'sequential', 'helmert', 'effect') to code it, or a 2-level pandas Categorical"
                    )
        elif not numeric:
            if coding is None:
                raise InputTypeError(
                    f"{role} {names[role]!r} is not numeric ({s.dtype}); pass {role}_coding='indicator' "
                    "(or 'sequential', 'helmert', 'effect') to code it as categorical"
                )
            as_cat = True
        elif coding not in (None, "indicator"):
            raise OptionError(
                f"{role}_coding={coding!r} applies to a categorical {role}, but {names[role]!r} is numeric; "
                f"convert it with pandas.Categorical to treat it as categorical, or pass {role}_coding=None"
            )
        if as_cat:
            mat, cod = code_categorical(s, coding, role=role)
            codings[role] = cod
            cat_roles.add(role)
            role_terms[role] = list(cod.terms)
            for j, t in enumerate(cod.terms):
                columns[t] = mat[:, j].astype(float)
        else:
            role_terms[role] = [names[role]]
            columns[names[role]] = s.to_numpy(dtype=float)
    for role in ["y", *[f"m{i}" for i in range(1, len(mediators) + 1)]]:
        role_terms[role] = [names[role]]
        columns[names[role]] = frame[names[role]].to_numpy(dtype=float)
    for cov in covariates:
        columns[cov] = frame[cov].to_numpy(dtype=float)
    for col in [names[r] for r in names if r not in cat_roles] + covariates:
        v = columns[col]
        if np.ptp(v) == 0:
            raise ModelError(
                f"column {col!r} is constant (value {v[0]:g} in all {n} cases used); a constant "
                "variable cannot be a model variable: drop it"
            )

    # centring of the variables that form products
    centered = {}
    if center != "none":
        prod_roles = set()
        for p in sp.paths:
            if p.moderators:
                prod_roles.add(p.src)
                prod_roles.update(p.moderators)
        for role in prod_roles:
            dichotomous = role in cat_roles or np.unique(columns[role_terms[role][0]]).size <= 2
            if dichotomous and center != "all":
                continue  # "continuous": only variables with more than two values (PROCESS center=2)
            for t in role_terms[role]:
                mu = columns[t].mean()
                columns[t] = columns[t] - mu
                centered[t] = float(mu)

    # equations
    eq_terms: dict[str, list[str]] = {}
    for dst in sp.outcomes():
        into = sp.into(dst)
        terms = ["constant"]
        for src in ["x", *sp.mediators]:
            if any(p.src == src for p in into):
                terms += role_terms[src]
        mods = [mod for mod in ("w", "z") if any(mod in p.moderators for p in into)]
        for mod in mods:
            terms += role_terms[mod]
        if any(p.three_way for p in into):
            for tw, tz in product(role_terms["w"], role_terms["z"]):
                t = product_term(tw, tz)
                columns[t] = columns[tw] * columns[tz]
                terms.append(t)
        for p in into:
            for s_term in role_terms[p.src]:
                for mod in p.moderators:
                    for m_term in role_terms[mod]:
                        t = product_term(s_term, m_term)
                        columns[t] = columns[s_term] * columns[m_term]
                        terms.append(t)
                if p.three_way:
                    for tw, tz in product(role_terms["w"], role_terms["z"]):
                        t = product_term(s_term, tw, tz)
                        columns[t] = columns[s_term] * columns[tw] * columns[tz]
                        terms.append(t)
        terms += covariates
        eq_terms[dst] = terms
    return columns, role_terms, codings, cat_roles, centered, eq_terms
