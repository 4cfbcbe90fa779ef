"""Largest deviations of studylib.process from PROCESS for R 4.0.1 per family of runs.

Run from the repository root: ``python tests/reference/process_r401_public/agreement.py``.
Runs every comparison of tests/test_process_r401.py and prints, for the continuous-Y
(``P_OLS_*``) and binary-Y (``P_Logit_*``) runs, the largest absolute deviation of a
deterministic value (coefficients, tests, conditional, direct and indirect effects, indexes)
and the largest deviation of a bootstrap CI limit in units of PROCESS's BootSE.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_process_r401 import LOGIT_FILES, OLS_FILES, check  # noqa: E402


def main() -> None:
    for family, files in (("continuous Y (P_OLS)", OLS_FILES), ("binary Y (P_Logit)", LOGIT_FILES)):
        worst_det, worst_boot = (0.0, ""), (0.0, "")
        for name in files:
            cmp = check(name)
            worst_det = max(worst_det, (cmp.det, name))
            worst_boot = max(worst_boot, (cmp.boot, name))
        print(f"{family}: {len(files)} runs; largest deterministic deviation {worst_det[0]:.2e} ({worst_det[1]}); "
              f"largest CI-limit deviation {worst_boot[0]:.3f} x BootSE ({worst_boot[1]})")


if __name__ == "__main__":
    main()
