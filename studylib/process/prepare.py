"""Stage 2 of :func:`studylib.process` (design): complete cases, codings, each equation's columns.

:func:`prepare` reads the model's columns from the data (never modifying them), drops cases
with a missing value (listwise, as PROCESS), refuses non-finite and non-numeric values,
codes categorical X, W and Z (:mod:`studylib.process.coding`), codes a two-valued Y 0/1 for
a logistic equation, centres what forms products when asked and lists every equation's
terms, products and covariates. The result is a :class:`~studylib.process.design.Design`.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from .._validation import check_numeric, format_rows
from ..errors import DataError, ModelError
from .coding import categories, code_categorical, coding_for, few_values_warning, is_numeric
from .design import BinaryCoding, Design, product_term
from .request import Request
from .spec import Spec

__all__ = ["prepare", "equation_terms"]


def prepare(data: pd.DataFrame, req: Request) -> Design:
    """Build the coded :class:`Design` of the request's model from ``data``.

    Raises
    ------
    DataError
        Fewer than 3 complete cases; non-numeric or non-finite values in a model variable
        (the message names the column and rows); a Y with more than two values that is not
        numeric.
    ModelError
        A constant variable; a categorical variable with fewer than 2 groups or a group
        with fewer than 2 cases.
    """
    names, sp = req.names, req.spec
    used = req.columns
    frame = data[used]
    complete = frame.notna().all(axis=1)
    n_dropped = int((~complete).sum())
    if n_dropped:
        frame = frame.loc[complete]
    n = len(frame)
    if n < 3:
        raise DataError(f"only {n} complete cases in columns {used} (after dropping {n_dropped} with missing values)")
    numeric = [*req.mediators, *req.covariate_list]
    check_numeric(frame, numeric, context="process: mediators and covariates must be numeric")
    _check_finite(frame, used)

    columns: dict[str, np.ndarray] = {"constant": np.ones(n)}
    role_terms: dict[str, list[str]] = {}
    codings, notes = {}, []
    for role in ("x", "w", "z"):
        if role not in names:
            continue
        s = frame[names[role]]
        coding = coding_for(s, req.codings[role])
        note = few_values_warning(s, role, coding)
        if note is not None:
            notes.append(note)
        if coding is not None:
            mat, cod = code_categorical(s, coding, role=role)
            codings[role] = cod
            role_terms[role] = list(cod.terms)
            for j, t in enumerate(cod.terms):
                columns[t] = mat[:, j].astype(float)
        else:
            role_terms[role] = [names[role]]
            columns[names[role]] = s.to_numpy(dtype=float)
    y_coding, family = _code_y(frame[names["y"]])
    columns[names["y"]] = _y_values(frame[names["y"]], y_coding)
    role_terms["y"] = [names["y"]]
    for i, med in enumerate(req.mediators, 1):
        role_terms[f"m{i}"] = [med]
        columns[med] = frame[med].to_numpy(dtype=float)
    for cov in req.covariate_list:
        columns[cov] = frame[cov].to_numpy(dtype=float)
    for col in [names[r] for r in names if r not in codings and r != "y"] + req.covariate_list:
        v = columns[col]
        if np.ptp(v) == 0:
            raise ModelError(
                f"column {col!r} is constant (value {v[0]:g} in all {n} cases used); a constant "
                "variable cannot be a model variable: drop it"
            )
    if y_coding is None and np.ptp(columns[names["y"]]) == 0:
        raise ModelError(f"column {names['y']!r} is constant (value {columns[names['y']][0]:g} in all {n} "
                         "cases used); a constant variable cannot be a model variable: drop it")
    centered = _center(columns, sp, role_terms, set(codings), req.center)
    eq_terms = equation_terms(sp, role_terms, req.covariates, columns)
    covs = {dst: list(req.covariates[dst]) for dst in sp.outcomes()}
    outcome = {dst: names[dst] for dst in sp.outcomes()}
    fam = {dst: "ols" for dst in sp.outcomes()}
    fam["y"] = family
    if _has_total(sp, family, covs):
        eq_terms["total"] = ["constant", *role_terms["x"], *covs["y"]]
        outcome["total"], fam["total"], covs["total"] = names["y"], "ols", covs["y"]
    return Design(sp, dict(names), role_terms, eq_terms, columns, outcome, fam, covs, codings, y_coding, centered,
                  frame, n, n_dropped, tuple(notes))


def _check_finite(frame: pd.DataFrame, used: list[str]) -> None:
    """Refuse +-inf in any numeric model column (missing values are NaN, dropped before)."""
    for col in used:
        s = frame[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            if s.dtype != object:
                continue
            s = pd.to_numeric(s, errors="coerce")
        bad = np.isinf(s.to_numpy(dtype=float))
        if bad.any():
            raise DataError(
                f"column {col!r} has non-finite values in rows {format_rows(s.index[bad], s[bad])}; "
                "model variables must be finite numbers (use NaN for a missing value: such cases are dropped)"
            )


def _code_y(s: pd.Series) -> tuple[BinaryCoding | None, str]:
    """A Y with exactly two distinct values is binary (logistic equation); else numeric OLS."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = [lv for lv in s.cat.categories if (s == lv).any()]
    elif is_numeric(s):
        levels = np.unique(s.to_numpy(dtype=float)).tolist()
        if len(levels) != 2:
            return None, "ols"
        levels = [_plain(v) for v in sorted(s.unique())]
    else:
        levels = categories(s)
    if len(levels) != 2:
        shown = [_plain(v) for v in levels[:6]]
        raise DataError(
            f"y {s.name!r} is not numeric ({s.dtype}) and has {len(levels)} distinct values {shown}; y must be "
            "numeric (an OLS equation) or have exactly two values (a logistic equation)"
        )
    return BinaryCoding(str(s.name), tuple(_plain(v) for v in levels)), "logit"


def _y_values(s: pd.Series, coding: BinaryCoding | None) -> np.ndarray:
    if coding is None:
        return s.to_numpy(dtype=float)
    one = coding.levels[1]
    values = s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
    return np.asarray([_plain(v) == one for v in values], dtype=float)


def _plain(value):
    """A numpy scalar as the matching Python scalar; integral floats of a numeric column as int."""
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _center(columns: dict, sp: Spec, role_terms: dict, cat_roles: set, center: str) -> dict[str, float]:
    """Mean-centre (in place) the variables that form products (PROCESS ``center``)."""
    centered: dict[str, float] = {}
    if center == "none":
        return centered
    prod_roles = set()
    for p in sp.paths:
        if p.moderators:
            prod_roles.add(p.src)
            prod_roles.update(p.moderators)
    for role in sorted(prod_roles):
        dichotomous = role in cat_roles or np.unique(columns[role_terms[role][0]]).size <= 2
        if dichotomous and center != "all":
            continue  # "continuous": only variables with more than two values (PROCESS center=2)
        for t in role_terms[role]:
            mu = columns[t].mean()
            columns[t] = columns[t] - mu
            centered[t] = float(mu)
    return centered


def equation_terms(sp: Spec, role_terms: dict, covariates: dict, columns: dict) -> dict[str, list[str]]:
    """Every outcome's predictor terms (adding product columns to ``columns``).

    The constant, the sources of its paths (X first, then the mediators), the moderators of
    those paths, the W x Z product of a three-way path, the products of each source with its
    moderators (and with W x Z), then the equation's covariates.
    """
    eq_terms: dict[str, list[str]] = {}
    for dst in sp.outcomes():
        into = sp.into(dst)
        terms = ["constant"]
        for src in ["x", *sp.mediators]:
            if any(p.src == src for p in into):
                terms += role_terms[src]
        for mod in ("w", "z"):
            if any(mod in p.moderators for p in into):
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
        terms += covariates.get(dst, [])
        eq_terms[dst] = terms
    return eq_terms


def _has_total(sp: Spec, family: str, covs: dict) -> bool:
    """A total effect model: mediation without moderators, an OLS Y, the same covariates everywhere.

    Only then is the total effect the sum of the direct and indirect effects.
    """
    same = all(set(c) == set(covs["y"]) for c in covs.values())
    return bool(sp.mediators) and not sp.moderators() and sp.path("x", "y") is not None and family == "ols" \
        and same
