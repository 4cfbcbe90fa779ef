"""Coding of the model variables and construction of each equation's columns."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from ..errors import ModelError
from .coding import code_categorical, coding_for, few_values_warning
from .effects import product_term
from .spec import Spec

__all__ = ["build_design"]


def build_design(frame: pd.DataFrame, sp: Spec, names: dict[str, str], mediators: list[str],
                 covariates: list[str], x_coding, w_coding, z_coding, center: str):
    """Code X, W, Z; check for constant variables; centre; list every equation's terms.

    Returns ``columns`` (term -> array), ``role_terms``, ``codings``, ``cat_roles``,
    ``centered`` (term -> mean subtracted), ``eq_terms`` (outcome role -> terms) and the
    :class:`~studylib.process.coding.CodingWarning` notes for the caller to issue.
    """
    n = len(frame)
    columns: dict[str, np.ndarray] = {"constant": np.ones(n)}
    role_terms: dict[str, list[str]] = {}
    codings = {}
    cat_roles = set()
    notes = []
    for role, coding in (("x", x_coding), ("w", w_coding), ("z", z_coding)):
        if role not in names:
            continue
        s = frame[names[role]]
        coding = coding_for(s, coding)
        as_cat = coding is not None
        note = few_values_warning(s, role, coding)
        if note is not None:
            notes.append(note)
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
    return columns, role_terms, codings, cat_roles, centered, eq_terms, notes
