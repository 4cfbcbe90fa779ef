"""Compiled counting of bootstrap resamples (used when numba is installed).

The bootstrap's costly step is drawing about B x n case indices and counting how often each
case was drawn. With numpy that takes four passes over memory (raw 64-bit draws, the
multiply-shift to indices, ``bincount``'s counting, a copy); this kernel does it in one
loop: it continues numpy's own SFC64 generator from its state, maps each 32-bit half of a
64-bit draw to a case by ``(r * n) >> 32`` and adds one to that case's count. The counts are
*identical* to those of the numpy path in :mod:`studylib.process.bootstrap` (same stream,
same halves in the same order: low half first, as numpy's ``view(np.uint32)`` on a
little-endian machine); a test checks that.

numba is optional (the ``fast`` extra): without it, or with the environment variable
``STUDYLIB_DISABLE_NUMBA=1``, :func:`counting_kernel` returns None and the bootstrap uses
numpy, with the same results, about 2x slower for large n. numba caches the compiled kernel
on disk after its first compilation (0.6 s for the first fit on an empty cache, 0.35 s,
mostly ``import numba``, for the first fit of a later process; see the process benchmark).

That fixed cost is only worth paying for a large bootstrap: :func:`counting_kernel_for`
(:func:`wants_compiled`) hands the kernel to a bootstrap of ``n x B`` drawn cases only when
it is loaded already or
when ``n x B`` reaches :data:`COMPILED_MIN_CASES`, the size above which the kernel saves more
than loading it costs (measured by ``benchmarks/bench_import.py``: loading cost divided by
the saving per drawn case). Smaller fits count with numpy and never import numba: the same
draws and results either way.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings

import numpy as np

__all__ = ["counting_kernel", "wants_compiled", "sfc64_state", "COMPILED_MIN_CASES"]

#: Drawn cases (n x B) from which the first bootstrap of a process loads the compiled kernel:
#: loading it (import numba, read the cached kernel) costs about as much as it saves on this
#: many cases (benchmarks/results/import.md). ``STUDYLIB_NUMBA_MIN_CASES`` overrides it.
COMPILED_MIN_CASES = 150_000_000  # n = 30,000 at B = 5000


def sfc64_state(bitgen: np.random.SFC64) -> np.ndarray:
    """The kernel's state vector for a numpy SFC64 generator.

    Six uint64 values: SFC64's ``a, b, c`` and counter ``w`` as numpy holds them, then a
    flag and the kept upper half of the last 64-bit draw when an odd number of halves has
    been used (so that successive kernel calls continue one stream).
    """
    state = np.zeros(6, dtype=np.uint64)
    state[:4] = bitgen.state["state"]["state"]
    return state


def wants_compiled(cases: int) -> bool:
    """Whether a bootstrap of ``cases`` drawn cases should ask for :func:`counting_kernel`.

    Yes once the kernel has been looked up in this process (loaded, it is faster at any
    size; found unusable, the lookup is free); before that only for a bootstrap of at least
    :data:`COMPILED_MIN_CASES` drawn cases, so that small fits never import numba.
    """
    if counting_kernel.cache_info().currsize:
        return True
    limit = os.environ.get("STUDYLIB_NUMBA_MIN_CASES", "").strip()
    return cases >= (int(limit) if limit.isdigit() else COMPILED_MIN_CASES)


@functools.cache
def counting_kernel():
    """The compiled counting function, or None when numba is missing or disabled.

    The compiled function is checked once against numpy's counts of a small stream; if numba
    is installed but cannot be imported, cannot compile the kernel or the check fails, a
    ``RuntimeWarning`` says so and None is returned (numpy then counts: same results).
    """
    if os.environ.get("STUDYLIB_DISABLE_NUMBA", "") not in ("", "0") or sys.byteorder != "little":
        return None
    try:
        import numba
    except ImportError as exc:
        if exc.name != "numba":  # numba is there but broken (e.g. a numpy it does not support)
            _not_used(exc)
        return None
    try:
        try:
            kernel = numba.njit(nogil=True, cache=True, boundscheck=False)(_count_resamples)
        except RuntimeError:  # no writable cache location (read-only installation)
            kernel = numba.njit(nogil=True, boundscheck=False)(_count_resamples)
        if not _agrees_with_numpy(kernel):
            raise RuntimeError("its case counts differ from numpy's for the same stream")
    except Exception as exc:  # any failure of the optional accelerator falls back to numpy
        _not_used(exc)
        return None
    return kernel


def _not_used(exc: BaseException) -> None:
    warnings.warn(f"studylib: the compiled bootstrap counting (numba) is not used ({exc}); numpy counts "
                  "instead: same results, slower", RuntimeWarning, stacklevel=3)


def _agrees_with_numpy(kernel) -> bool:
    """Counts of 3 resamples of n = 7 (two calls: the second starts on a kept half) vs numpy."""
    n, rows = 7, 3
    raw = np.random.SFC64(2024).random_raw((rows * n + 1) // 2)
    idx = (raw.view(np.uint32)[: rows * n].astype(np.uint64) * np.uint64(n)) >> np.uint64(32)
    expected = np.array([np.bincount(r, minlength=n) for r in idx.reshape(rows, n).astype(np.int64)], dtype=float)
    state = sfc64_state(np.random.SFC64(2024))
    got = np.empty((rows, n))
    kernel(state, n, got[:1])
    kernel(state, n, got[1:])
    return bool(np.array_equal(got, expected))


def _count_resamples(state, n, counts):  # pragma: no cover - compiled by numba
    """Fill ``counts`` (rows x n, float64) with the case counts of ``rows`` resamples.

    ``state`` (uint64[6], see :func:`sfc64_state`) is advanced in place. SFC64 as in
    numpy (O'Neill's ``sfc64_next``): ``tmp = a + b + w++``, ``a = b ^ (b >> 11)``,
    ``b = c + (c << 3)``, ``c = rotl(c, 24) + tmp``; each draw gives two cases, low half
    first.
    """
    a = state[0]
    b = state[1]
    c = state[2]
    w = state[3]
    have = state[4] != np.uint64(0)
    upper = state[5]
    nn = np.uint64(n)
    low = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    for i in range(counts.shape[0]):
        row = counts[i]
        for j in range(n):
            row[j] = 0.0
        for _ in range(n):
            if have:
                r = upper
                have = False
            else:
                tmp = a + b + w
                w += np.uint64(1)
                a = b ^ (b >> np.uint64(11))
                b = c + (c << np.uint64(3))
                c = ((c << np.uint64(24)) | (c >> np.uint64(40))) + tmp
                r = tmp & low
                upper = tmp >> s32
                have = True
            row[(r * nn) >> s32] += 1.0
    state[0] = a
    state[1] = b
    state[2] = c
    state[3] = w
    state[4] = np.uint64(1) if have else np.uint64(0)
    state[5] = upper
