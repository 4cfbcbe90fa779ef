"""Measurement models: confirmatory factor analysis (ML) with fit indices, composite
reliability, AVE and discriminant validity (HTMT, Fornell-Larcker); exploratory factor
analysis with parallel analysis, KMO and Bartlett's test; Harman's single-factor test."""

from __future__ import annotations

from ._cfa_result import CFAResult
from ._fit import CFAFit
from .cfa import cfa

__all__ = ["cfa", "CFAResult", "CFAFit"]
