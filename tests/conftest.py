"""Fixtures shared by several test modules: the ANOVA reference data sets (tests/reference/anova)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# Property tests explore new random examples on every local run; in CI (CI=true) they are
# derandomized, so that a CI run is reproducible and a red CI is never a coin toss.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ANOVA_REF = Path(__file__).parent / "reference" / "anova"


@pytest.fixture(scope="module")
def toothgrowth():
    """R's ToothGrowth (balanced 2 x 3): len by supp and dose."""
    return pd.read_csv(ANOVA_REF / "R_ToothGrowth.csv")


@pytest.fixture(scope="module")
def kidney():
    """statsmodels' kidney data without its first 3 rows (unbalanced 2 x 3), with log_days."""
    df = pd.read_csv(ANOVA_REF / "statsmodels_kidney.csv").iloc[3:].reset_index(drop=True)
    df["log_days"] = np.log(df["Days"] + 1)
    return df

# No doctests here; two conftest.py files collected as doctest modules would clash (both "conftest").
collect_ignore = ["conftest.py"]
