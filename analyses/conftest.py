"""pytest settings for the notebooks of this folder (run by ``pytest --nbmake``).

Each notebook runs in a new Jupyter kernel, a separate process that imports ``studylib``
from wherever the Python environment has it installed, which need not be this checkout
(e.g. an editable install of another worktree). As ``run_all.py`` does for itself, the
kernels get this checkout first on ``PYTHONPATH``, so the notebooks test the library they
are stored with.
"""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
_rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _ROOT]
os.environ["PYTHONPATH"] = os.pathsep.join([_ROOT, *_rest])

# No doctests here; two conftest.py files collected as doctest modules would clash (both "conftest").
collect_ignore = ["conftest.py"]
