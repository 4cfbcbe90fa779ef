"""Conditional process analysis (Hayes' PROCESS models) with one fast bootstrap engine.

>>> from studylib.process import MODELS
>>> MODELS[83]
'serial mediation; W moderates X -> M1'
"""

from __future__ import annotations

from .bootstrap import BootstrapDraws
from .coding import CodingWarning
from .core import process
from .models import MODELS, models_table
from .results import ProcessExtras, ProcessResult

__all__ = ["process", "ProcessResult", "ProcessExtras", "BootstrapDraws", "CodingWarning", "MODELS", "models_table"]
