"""Conditional process analysis (Hayes' PROCESS models) with one fast bootstrap engine.

>>> from studylib.process import MODELS
>>> MODELS[83]
'serial mediation; W moderates X -> M1'
"""

from __future__ import annotations

from .bootstrap import BootstrapDraws
from .core import process
from .results import ProcessExtras, ProcessResult
from .spec import MODELS

__all__ = ["process", "ProcessResult", "ProcessExtras", "BootstrapDraws", "MODELS"]
