"""Measurement models: confirmatory factor analysis (ML) with fit indices, composite
reliability, AVE and discriminant validity (HTMT, Fornell-Larcker); exploratory factor
analysis with parallel analysis; KMO and Bartlett's test; Harman's single-factor test."""

from __future__ import annotations

from ._cfa_result import CFAResult
from ._fit import CFAFit
from .adequacy import SamplingAdequacy, harman_test, sampling_adequacy
from .cfa import cfa
from .discriminant import htmt
from .efa import EFAResult, efa

__all__ = [
    "cfa",
    "CFAResult",
    "CFAFit",
    "efa",
    "EFAResult",
    "htmt",
    "sampling_adequacy",
    "SamplingAdequacy",
    "harman_test",
]
