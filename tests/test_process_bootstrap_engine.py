"""The bootstrap's two counting engines give the same draws.

With numba installed (the ``fast`` extra) the case counts of each block come from one
compiled loop (studylib.process._fastcount) that continues the block's SFC64 stream; without
it numpy draws the indices and ``np.bincount`` counts them. Results must be bit-identical,
so that a seed means the same resamples whichever engine a user has. The tests of the
compiled engine skip when numba is missing, unless ``STUDYLIB_REQUIRE_NUMBA=1`` (set by
``.ci/run``, whose ``make test`` installs it) makes that a failure.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import studylib
from studylib.process import _fastcount, bootstrap


def compiled_kernel():
    kernel = _fastcount.counting_kernel()
    if kernel is None:
        if os.environ.get("STUDYLIB_REQUIRE_NUMBA") == "1":
            pytest.fail("STUDYLIB_REQUIRE_NUMBA=1 but numba is not installed (pip install -e '.[fast]')")
        pytest.skip("numba is not installed: the compiled counting engine is not used here")
    return kernel


def numpy_counts(key, block, b, n):
    """Case counts of a block as the numpy path makes them: indices, then bincount."""
    idx = bootstrap._block_indices(key, block, b, n)
    return np.array([np.bincount(row, minlength=n) for row in idx], dtype=float)


@pytest.mark.parametrize("n", [1, 2, 7, 300, 301, 4097])
@pytest.mark.parametrize("rows_per_call", [1, 2, 5, 40])
def test_compiled_counts_equal_numpy_counts(n, rows_per_call):
    """Same stream, same halves, same order: identical counts, also across successive calls.

    Odd n and odd rows-per-call leave half of a 64-bit draw for the next call: the
    kernel's state keeps it.
    """
    kernel = compiled_kernel()
    key, block, b = [9, 8, 7, 6], 5, 40
    state = _fastcount.sfc64_state(bootstrap._block_bitgen(key, block))
    got = np.empty((b, n))
    for start in range(0, b, rows_per_call):
        kernel(state, n, got[start : start + rows_per_call])
    assert np.array_equal(got, numpy_counts(key, block, b, n))
    assert np.array_equal(got.sum(axis=1), np.full(b, float(n)))


@pytest.mark.parametrize("n", [7, 300, 30_001])
def test_engines_give_identical_moments_and_fits(monkeypatch, n):
    compiled_kernel()
    P = np.random.default_rng(1).normal(size=(n, 4))
    count = 2 * bootstrap._block_rows(n) + 5
    compiled, next_compiled = bootstrap._resample_moments([1, 2, 3, 4], 10, P, count)
    monkeypatch.setattr(bootstrap, "counting_kernel", lambda: None)
    plain, next_plain = bootstrap._resample_moments([1, 2, 3, 4], 10, P, count)
    assert next_compiled == next_plain
    assert np.array_equal(compiled, plain)


def test_engines_give_identical_model83(monkeypatch):
    compiled_kernel()
    rng = np.random.default_rng(3)
    n = 240
    val, resp = np.tile([0, 1], n // 2), np.repeat([0, 1, 2], n // 3)
    psr = 4 + np.array([0.5, -0.3, -0.6])[resp] * val + rng.normal(0, 1, n)
    pk = 5 - 0.5 * psr + rng.normal(0, 1, n)
    d = pd.DataFrame({"valence": pd.Categorical.from_codes(val, ["negative", "positive"]),
                      "response": pd.Categorical.from_codes(resp, ["none", "like", "reply"]), "psr": psr, "pk": pk,
                      "attitude": 3 + 0.2 * psr - 0.4 * pk + rng.normal(0, 1, n)})
    kw = dict(model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=1000, seed=7)
    fast = studylib.process(d, **kw)
    monkeypatch.setattr(bootstrap, "counting_kernel", lambda: None)
    plain = studylib.process(d, **kw)
    assert fast.indirect.equals(plain.indirect) and fast.contrasts.equals(plain.contrasts)
    assert all(np.array_equal(fast.boot.coefficients[k], plain.boot.coefficients[k]) for k in fast.boot.coefficients)


def test_environment_variable_turns_the_compiled_engine_off(monkeypatch):
    monkeypatch.setenv("STUDYLIB_DISABLE_NUMBA", "1")
    assert _fastcount.counting_kernel.__wrapped__() is None
    monkeypatch.setenv("STUDYLIB_DISABLE_NUMBA", "0")
    if os.environ.get("STUDYLIB_REQUIRE_NUMBA") == "1":
        assert _fastcount.counting_kernel.__wrapped__() is not None


def test_kernel_compiles_without_a_cache_location(monkeypatch):
    """numba refuses ``cache=True`` where no cache folder is writable: compile per process then."""
    compiled_kernel()
    import numba

    real = numba.njit

    def njit(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function '_count_resamples': no locator available")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)
    kernel = _fastcount.counting_kernel.__wrapped__()
    state = _fastcount.sfc64_state(bootstrap._block_bitgen([1, 2, 3, 4], 0))
    counts = np.empty((3, 11))
    kernel(state, 11, counts)
    assert np.array_equal(counts, numpy_counts([1, 2, 3, 4], 0, 3, 11))


def test_a_failing_kernel_is_not_used(monkeypatch):
    """If numba compiles something that counts differently, warn and count with numpy."""
    compiled_kernel()
    import numba

    def njit(*args, **kwargs):
        def wrong(state, n, counts):
            counts[...] = 1.0

        return lambda f: wrong

    monkeypatch.setattr(numba, "njit", njit)
    with pytest.warns(RuntimeWarning, match="numpy counts instead"):
        assert _fastcount.counting_kernel.__wrapped__() is None
