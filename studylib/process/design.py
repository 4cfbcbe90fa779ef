"""The coded model that every later stage reads: columns, terms of each equation, codings.

:func:`studylib.process.prepare.prepare` builds a :class:`Design` from the data and the
request; the probe stage adds the moderator values (:class:`ModValue`) at which effects are
evaluated (:meth:`Design.with_values`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .spec import Spec

__all__ = ["BinaryCoding", "Design", "ModValue", "product_term"]


def product_term(*terms: str) -> str:
    """Name of the product of model terms: ``"x:w"``."""
    return ":".join(terms)


@dataclass(frozen=True)
class ModValue:
    """One probed value of a moderator: a label and its code vector."""

    label: object  # float (continuous) or the group's value (categorical moderator)
    code: tuple[float, ...]


@dataclass(frozen=True)
class BinaryCoding:
    """How a two-valued Y entered a logistic equation: ``levels[1]`` is coded 1."""

    variable: str
    levels: tuple

    def describe(self) -> str:
        return f"{self.variable!r} = {self.levels[1]!r} is coded 1, {self.levels[0]!r} 0"


@dataclass(frozen=True)
class Design:
    """Everything the fits and the effect functions need to know about the coded model.

    Attributes
    ----------
    spec : Spec
        The model's paths.
    names : dict
        role (x, m1.., w, z, y) -> column name.
    role_terms : dict
        role -> its model terms (code columns of a categorical variable, else its name).
    eq_terms : dict
        outcome role (m1.., y, and "total" when a total effect model is fitted) -> its
        predictor terms, "constant" first.
    columns : dict
        term -> values (float arrays of the n complete cases), products included.
    outcome : dict
        outcome role -> the term holding its values (a binary Y's 0/1 codes).
    family : dict
        outcome role -> "ols" or "logit" (Y with two distinct values).
    covariates : dict
        outcome role -> the covariates in its equation.
    codings : dict
        role -> :class:`~studylib.process.coding.Coding` of each categorical X, W, Z.
    y_coding : BinaryCoding or None
        Which value of a binary Y is 1.
    centered : dict
        term -> mean subtracted before forming products.
    frame : DataFrame
        The complete cases of the model's columns (as given: not modified).
    n, n_dropped : int
        Cases used; cases dropped for a missing value.
    notes : tuple
        :class:`~studylib.process.coding.CodingWarning` objects for the caller to issue.
    values : dict
        w/z -> the probed :class:`ModValue` list (filled by the probe stage).
    """

    spec: Spec
    names: dict[str, str]
    role_terms: dict[str, list[str]]
    eq_terms: dict[str, list[str]]
    columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    outcome: dict[str, str] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)
    covariates: dict[str, list[str]] = field(default_factory=dict)
    codings: dict = field(default_factory=dict)
    y_coding: BinaryCoding | None = None
    centered: dict[str, float] = field(default_factory=dict)
    frame: pd.DataFrame | None = field(default=None, repr=False)
    n: int = 0
    n_dropped: int = 0
    notes: tuple = ()
    values: dict[str, list[ModValue]] = field(default_factory=dict)

    def label(self, role: str) -> str:
        return self.names[role]

    @property
    def cat_roles(self) -> set[str]:
        """Roles coded as categorical."""
        return set(self.codings)

    @property
    def logistic(self) -> bool:
        """Whether the Y equation is a logistic regression."""
        return self.family.get("y") == "logit"

    def with_values(self, values: dict[str, list[ModValue]]) -> Design:
        return dataclasses.replace(self, values=values)

    def matrix(self, dst: str) -> np.ndarray:
        """The n x p predictor matrix of the equation of ``dst``."""
        return np.column_stack([self.columns[t] for t in self.eq_terms[dst]])
