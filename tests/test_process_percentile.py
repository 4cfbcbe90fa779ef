"""The sort-based percentile interval equals numpy's np.quantile bit for bit."""

import numpy as np
import pytest

from studylib.process.intervals import percentile_ci


@pytest.mark.parametrize("B", [1, 2, 3, 1000, 1001, 5000])
@pytest.mark.parametrize("conf", [1e-9, 0.5, 0.9, 0.95, 0.99, 0.123456, 1 - 1e-12])
def test_percentile_ci_equals_numpy_quantile(B, conf):
    rng = np.random.default_rng(B)
    draws = rng.standard_normal((B, 5)) * 1e3
    draws[:, 1] = np.round(draws[:, 1], -2)  # ties
    draws[:, 3] = 1.5  # constant
    draws[rng.integers(0, B), 4] = np.nan  # a NaN gives NaN, as in numpy
    a = (1 - conf) / 2
    expected = np.quantile(draws, [a, 1 - a], axis=0)
    lo, hi = percentile_ci(draws, conf)
    # exact equality (no tolerance): the bootstrap tables must not change
    np.testing.assert_array_equal(lo, expected[0])
    np.testing.assert_array_equal(hi, expected[1])
    assert np.isnan(lo[4]) and not np.isnan(lo[:4]).any()
