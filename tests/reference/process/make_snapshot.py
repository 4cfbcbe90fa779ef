"""Regenerate the studylib snapshot of a model 83 bootstrap (our own earlier run, not PROCESS).

Run from the repository root: ``python tests/reference/process/make_snapshot.py``. The
data are simulated by ``tests/test_process_model83.py::simulate`` (seed 3, n = 240).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_process_model83 import ARGS, simulate  # noqa: E402

import studylib  # noqa: E402


def main() -> None:
    res = studylib.process(simulate(), **ARGS, boot=1000, seed=20261122)
    out = {c: res.indirect[c].tolist() for c in ("effect", "boot_se", "ci_low", "ci_high")}
    out["note"] = "studylib snapshot (not PROCESS): model 83, boot=1000, seed=20261122, studylib " + res.version
    path = Path(__file__).with_name("studylib_snapshot_model83.json")
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
