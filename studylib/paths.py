"""Paths of the project's folders, resolved from this file, never from the working directory.

Notebooks and scripts import these instead of writing ``"data/..."`` so that they run from
any folder. When studylib is installed outside a checkout (no ``questionnaires/`` next to
the package), :data:`ROOT` is still the parent of the package folder; functions that need
the shipped files raise a clear error if they are absent.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ROOT",
    "QUESTIONNAIRES",
    "DATA",
    "SYNTHETIC",
    "RAW",
    "ANALYSES",
    "RESULTS",
    "STUDY_CONFIG",
]

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
DATA = ROOT / "data"
SYNTHETIC = DATA / "synthetic"
RAW = DATA / "raw"
ANALYSES = ROOT / "analyses"
RESULTS = ROOT / "results"
STUDY_CONFIG = ANALYSES / "study.yaml"
