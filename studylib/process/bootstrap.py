"""One bootstrap engine for every quantity of a fitted model.

All equations are refitted on the same B resamples of cases. A resample is represented by
its vector of case counts c (how often each case was drawn), so that every equation's
normal equations are sums over cases weighted by c: with the n x q matrix P of the products
of model columns that the equations need, one matrix product ``C @ P`` (resamples x
products) gives every resample's X'X and X'y at once, and the small systems are then
solved as one batch.

How the resamples are drawn (the costly part: about B x n drawn cases)
------------------------------------------------------------------------
- The B resamples are cut into blocks of about 262,144 drawn cases (at least 16
  resamples). Block k draws from its own SFC64 stream, seeded by
  ``SeedSequence(key, spawn_key=(k,))`` where ``key`` is four integers drawn from the
  caller's generator. A block's resamples therefore do not depend on which thread draws
  it: the same seed gives bit-identical results whatever the number of threads.
- Case indices use both 32-bit halves of each 64-bit raw draw r, mapped to a case by
  multiply-shift, ``(r * n) >> 32`` (Lemire, 2019, without the rejection step). Each case
  then has probability ``floor(2**32 / n) / 2**32`` or ``ceil(2**32 / n) / 2**32``
  instead of exactly ``1 / n``: a relative deviation below ``n / 2**32`` (7e-6 at
  n = 30,000, 2.3e-5 at n = 100,000), as with R's ``sample()`` before R 3.6.0, and far
  below the Monte Carlo error of any bootstrap. Above n = 2**22 (deviation up to 1e-3)
  exact bounded integers (numpy's ``Generator.integers``) are drawn instead.
- With numba installed (the ``fast`` extra), one compiled loop draws and counts
  (:mod:`studylib.process._fastcount`: it continues the block's SFC64 stream itself, so
  the counts are identical to numpy's). Without it, a block's indices are counted with
  ``np.bincount`` (at least 16 resamples per call, each shifted into its own range of
  bins; unit weights make the counts floats without a conversion pass). Either way
  ``np.dot(P.T, C.T)`` gives the block's rows of the moments, about 65,536 drawn cases
  at a time. Per drawn case on one core of this 2-core machine: numpy 1 ns draw + 1.3 ns
  index + 2.3 ns count, compiled 1.2 ns for all three; the product 1.4 ns.
- Blocks are processed by one thread per CPU, at most ``_MAX_WORKERS`` (the calling
  thread and helpers), each taking the next block when it finishes one and using its own
  scratch arrays (under 30 bytes per drawn case of a block: 7 MB, more when n > 16,384).
  Random filling, the index arithmetic, ``bincount``'s counting loop, the compiled
  counting loop and ``np.dot`` release the GIL; ``np.matmul`` did not (numpy 2.4,
  measured: it did not run in parallel in two threads) and is avoided. BLAS is kept to
  one thread meanwhile.

Memory therefore stays bounded whatever n and B (the scratch arrays, the B x products
moments and the B x coefficients results).

Reference: Lemire, D. (2019). Fast random integer generation in an interval. *ACM
Transactions on Modeling and Computer Simulation, 29*(1), 3. https://doi.org/10.1145/3230636
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError
from ._fastcount import counting_kernel, sfc64_state, wants_compiled

__all__ = ["BootstrapDraws", "resample_coefficients", "resample_fits"]

@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController  # inspecting the loaded libraries is slow: once

    return ThreadpoolController()


def single_threaded_blas():
    """Keep BLAS to one thread in the resampling loop.

    Its matrix products are small and interleaved with random draws and counting; idle
    OpenBLAS worker threads spin and took the CPU from that work (measured on 2 cores:
    31 ms with 2 BLAS threads, 11 ms with 1, for n = 300 and B = 5000).
    """
    return _blas_controller().limit(limits=1, user_api="blas")


_BLOCK_ELEMENTS = 262_144  # drawn cases per block of resamples
_MIN_BLOCK_ROWS = 16  # but at least 16 resamples per block: thinner matrix products are slow
_BINCOUNT_ELEMENTS = 65_536  # cases counted per bincount call (measured best on 2 cores)
_MAX_WORKERS = 8  # threads drawing blocks (at most one per CPU)
_MAX_MULSHIFT_N = 2**22  # above this n, exact bounded integers (multiply-shift bias > n / 2**32)


@dataclass(frozen=True)
class BootstrapDraws:
    """Bootstrap replicates kept on a result.

    Attributes
    ----------
    B : int
        Number of resamples used (singular resamples were replaced).
    ci : str
        ``"percentile"`` or ``"bc"`` (bias-corrected).
    conf : float
        Confidence level of the intervals.
    n_replaced : int
        Resamples with a singular design that were discarded and replaced by new draws.
    coefficients : dict of str to ndarray
        Per equation (same names as ``.coefficients['equation']``), a (B, p) array of the
        coefficients in the order of that equation's terms.
    indirect, index, contrasts : ndarray
        (B, rows) arrays aligned with the rows of the result's tables of the same names.
    sd_xy : ndarray or None
        With ``effsize=True``: (B, 2) standard deviations of X (its first code column) and
        Y in each resample, by which the standardized effects' draws were divided
        (partially: ``indirect / sd_xy[:, [1]]``; completely: ``* sd_xy[:, [0]]`` too).
    """

    B: int
    ci: str
    conf: float
    n_replaced: int
    coefficients: dict = field(repr=False)
    indirect: np.ndarray = field(repr=False)
    index: np.ndarray = field(repr=False)
    contrasts: np.ndarray = field(repr=False)
    sd_xy: np.ndarray | None = field(default=None, repr=False)


class _Moments:
    """The product columns the equations need and how to assemble X'X, X'y from them."""

    def __init__(self, G: np.ndarray, const: int, equations: list[tuple[list[int], int]],
                 sd_columns: tuple[int, ...] = ()):
        n, q = G.shape
        # shift continuous columns by their mean (better conditioned sums); keep
        # coded/dichotomous columns as they are so that products of them stay identical
        shift = np.zeros(q)
        for j in range(q):
            if j != const and np.unique(G[: min(n, 2000), j]).size > 3:
                shift[j] = G[:, j].mean()
        self.shift = shift
        Gs = G - shift
        cols: dict[bytes, int] = {}
        prods: list[np.ndarray] = []
        self.layout = []  # per equation: (index array p x p, index array p) into moments
        pair_col: dict[tuple[int, int], int] = {}

        def col_of(i: int, j: int) -> int:
            key = (min(i, j), max(i, j))
            if key in pair_col:
                return pair_col[key]
            if key == (const, const):
                pair_col[key] = -1  # the count n, known
                return -1
            if i == const or j == const:
                v = Gs[:, j if i == const else i]
            else:
                v = Gs[:, i] * Gs[:, j]
            h = v.tobytes()
            if h not in cols:
                cols[h] = len(prods)
                prods.append(v)
            pair_col[key] = cols[h]
            return cols[h]

        for pred, out in equations:
            xx = np.array([[col_of(i, j) for j in pred] for i in pred])
            xy = np.array([col_of(i, out) for i in pred])
            self.layout.append((xx, xy, pred, out))
        # sums of (g - shift) and (g - shift)² of the columns whose SD each resample needs
        self.sd_layout = [(col_of(const, j), col_of(j, j)) for j in sd_columns]
        self.P = np.column_stack(prods) if prods else np.zeros((n, 0))
        self.n = n

    def sds(self, T: np.ndarray) -> np.ndarray:
        """Standard deviations (n - 1 denominator) of the ``sd_columns`` in each resample (b x k).

        From the count-weighted sums S1 and S2 of the mean-shifted column:
        ``(S2 - S1**2 / n) / (n - 1)``, which does not depend on the shift.
        """
        n = self.n
        out = np.empty((T.shape[0], len(self.sd_layout)))
        for k, (c1, c2) in enumerate(self.sd_layout):
            s1, s2 = T[:, c1], T[:, c2]
            out[:, k] = np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1))
        return out

    def solve(self, T: np.ndarray) -> tuple[list[tuple], np.ndarray]:
        """Coefficients per equation from moments ``T`` (b x products); singular mask."""
        b = T.shape[0]
        Tt = np.concatenate([T, np.full((b, 1), float(self.n))], axis=1).T.copy()  # column -1 = n
        singular = np.zeros(b, dtype=bool)
        coefs = []
        for xx, xy, pred, out in self.layout:
            beta, bad = _solve_spd(Tt[xx], Tt[xy])
            coefs.append((beta.T, self.shift[pred], self.shift[out]))
            singular |= bad
        return coefs, singular


_PIVOT_TOL = 1e-10  # a column whose R² on the columns before it exceeds 1 - 1e-10 is collinear


def _solve_spd(A: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve a batch of normal equations ``A x = r`` by a vectorised Cholesky factorisation.

    The batch is the last axis: ``A`` is (p, p, b) and ``r`` (p, b), so that every
    element of the factor is one contiguous vector over the resamples. ``A`` is scaled to
    unit diagonal first, so each pivot is 1 - R² of that column regressed on the earlier
    ones (in that resample): a pivot below ``_PIVOT_TOL`` (or an all-zero column) flags
    the resample as singular. Returns the (p, b) solutions (zeros where singular) and the
    singular mask.
    """
    p, _, b = A.shape
    d = np.einsum("iib->ib", A)
    bad = ~(d > 0).all(axis=0)
    ds = np.sqrt(np.where(d > 0, d, 1.0))
    S = A / ds[:, None, :] / ds[None, :, :]
    rhs = r / ds
    L = np.zeros((p, p, b))
    for j in range(p):
        piv = S[j, j] - (L[j, :j] ** 2).sum(axis=0) if j else S[j, j].copy()
        ok = piv > _PIVOT_TOL
        bad |= ~ok
        ljj = np.sqrt(np.where(ok, piv, 1.0))
        L[j, j] = ljj
        for i in range(j + 1, p):
            L[i, j] = ((S[i, j] - (L[i, :j] * L[j, :j]).sum(axis=0)) if j else S[i, j]) / ljj
    z = np.empty((p, b))
    for j in range(p):
        z[j] = ((rhs[j] - (L[j, :j] * z[:j]).sum(axis=0)) if j else rhs[j]) / L[j, j]
    x = np.empty((p, b))
    for j in range(p - 1, -1, -1):
        x[j] = ((z[j] - (L[j + 1 :, j] * x[j + 1 :]).sum(axis=0)) if j < p - 1 else z[j]) / L[j, j]
    x /= ds
    x[:, bad] = 0.0
    return x, bad


def _workers(n_blocks: int) -> int:
    """Threads for the resampling: one per available CPU, at most one per block."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS, n_blocks))


def _block_rows(n: int) -> int:
    """Resamples per block: about ``_BLOCK_ELEMENTS`` drawn cases, at least ``_MIN_BLOCK_ROWS``."""
    return max(_MIN_BLOCK_ROWS, _BLOCK_ELEMENTS // n)


def _count_rows(n: int) -> int:
    """Resamples counted per ``bincount`` call: about ``_BINCOUNT_ELEMENTS`` cases, at least 16."""
    return max(_MIN_BLOCK_ROWS, _BINCOUNT_ELEMENTS // n)


def _block_bitgen(key: list[int], block: int) -> np.random.SFC64:
    """The SFC64 stream of block number ``block``: ``SeedSequence(key, spawn_key=(block,))``."""
    return np.random.SFC64(np.random.SeedSequence(key, spawn_key=(block,)))


def _block_indices(key: list[int], block: int, b: int, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """Case indices (b x n, int64) of the resamples of block number ``block``.

    Each block has its own SFC64 stream, seeded by ``SeedSequence(key, spawn_key=(block,))``,
    so the indices of a block do not depend on which thread draws it or when. A 64-bit raw
    draw gives two 32-bit uniforms r, each mapped to a case by ``(r * n) >> 32``
    (multiply-shift); see the module docstring for its (tiny) deviation from uniformity.
    For ``n > _MAX_MULSHIFT_N`` exact bounded integers are drawn instead.
    """
    bitgen = _block_bitgen(key, block)
    if out is None:
        out = np.empty((b, n), dtype=np.int64)
    if n > _MAX_MULSHIFT_N:
        out[...] = np.random.Generator(bitgen).integers(0, n, size=(b, n))
        return out
    raw = bitgen.random_raw((b * n + 1) // 2)
    r32 = raw.view(np.uint32)[: b * n].reshape(b, n)  # both halves (their order is the machine's)
    wide = out.view(np.uint64)
    np.multiply(r32, np.uint64(n), out=wide)
    np.right_shift(wide, np.uint64(32), out=wide)
    return out


def _count_and_multiply(idx: np.ndarray, n: int, PT: np.ndarray, ones: np.ndarray, out: np.ndarray) -> None:
    """Moments of the resamples ``idx`` (b x n case indices, int64) into ``out`` (b x products).

    Resamples are counted ``_count_rows(n)`` at a time by one ``np.bincount`` call, each
    shifted into its own range of bins (``idx`` is scratch) and weighted by ``ones`` so
    that the counts come out as floats, ready for ``P' C'`` without a conversion pass.
    ``PT`` is P transposed (products x n, C-contiguous): ``PT @ C.T`` was faster than
    ``C @ P`` with OpenBLAS.
    """
    b = idx.shape[0]
    rows = _count_rows(n)
    offsets = (np.arange(min(rows, b), dtype=np.int64) * n)[:, None]
    for start in range(0, b, rows):
        stop = min(b, start + rows)
        k = stop - start
        block = idx[start:stop]
        block += offsets[:k]
        counts = np.bincount(block.ravel(), weights=ones[: k * n], minlength=k * n).reshape(k, n)
        out[start:stop] = np.dot(PT, counts.T).T  # np.matmul would hold the GIL


def _count_and_multiply_compiled(kernel, state: np.ndarray, n: int, PT: np.ndarray, counts: np.ndarray,
                                 out: np.ndarray) -> None:
    """Moments of the next ``len(out)`` resamples of a stream into ``out`` (compiled counting).

    ``kernel`` (:func:`studylib.process._fastcount.counting_kernel`) draws and counts
    ``len(counts)`` resamples at a time from ``state``, which it advances; ``counts`` is
    scratch (rows x n).
    """
    b = out.shape[0]
    rows = counts.shape[0]
    for start in range(0, b, rows):
        k = min(rows, b - start)
        kernel(state, n, counts[:k])
        out[start : start + k] = np.dot(PT, counts[:k].T).T  # np.matmul would hold the GIL


def _resample_moments(key: list[int], first_block: int, P: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Moments ``C @ P`` of ``count`` fresh resamples and the number of the next block.

    The resamples are cut into blocks of ``_block_rows(n)`` (the last one shorter), numbered
    from ``first_block``; each block is drawn from its own stream, counted and multiplied by
    ``P`` into its own rows of the result. Worker threads take the next block as they
    finish one, each with its own scratch arrays; random filling, counting and the matrix
    product release the GIL, so the threads run on separate cores. The result does not
    depend on the number of threads.
    """
    n = P.shape[0]
    rows = _block_rows(n)
    PT = np.ascontiguousarray(P.T)
    T = np.empty((count, P.shape[1]))
    blocks = iter([(first_block + i, start, min(rows, count - start))
                   for i, start in enumerate(range(0, count, rows))])
    n_blocks = -(-count // rows)
    lock = threading.Lock()

    kernel = counting_kernel() if n <= _MAX_MULSHIFT_N and wants_compiled(n * count) else None

    def work() -> None:
        if kernel is not None:
            counts = np.empty((min(_count_rows(n), rows, count), n))
        else:
            idx = np.empty((min(rows, count), n), dtype=np.int64)
            ones = np.ones(min(_count_rows(n), rows, count) * n)
        while True:
            with lock:
                job = next(blocks, None)
            if job is None:
                return
            block, start, b = job
            if kernel is not None:
                state = sfc64_state(_block_bitgen(key, block))
                _count_and_multiply_compiled(kernel, state, n, PT, counts, T[start : start + b])
            else:
                _block_indices(key, block, b, n, out=idx[:b])
                _count_and_multiply(idx[:b], n, PT, ones, T[start : start + b])

    with single_threaded_blas():
        _run_in_threads(work, _workers(n_blocks))
    return T, first_block + n_blocks


def _run_in_threads(work, workers: int) -> None:
    """Run ``work()`` in ``workers`` threads at once: the calling one and ``workers - 1`` new.

    The helpers are started before the calling thread begins working (a thread started
    while another one is busy waits for the GIL). An exception in any thread is re-raised.
    """
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as exc:  # pragma: no cover - re-raised below
            errors.append(exc)

    helpers = [threading.Thread(target=guarded, daemon=True) for _ in range(workers - 1)]
    for t in helpers:
        t.start()
    try:
        work()
    finally:
        for t in helpers:
            t.join()
    if errors:
        raise errors[0]


def resample_coefficients(
    G: np.ndarray,
    const: int,
    equations: list[tuple[list[int], int]],
    B: int,
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], int]:
    """Refit every equation on B case resamples.

    Parameters
    ----------
    G : (n, q) array
        All model columns (constant, coded predictors, products, mediators, outcome).
    const : int
        Column of G that is the constant 1.
    equations : list of (predictor columns, outcome column)
        The predictor columns include ``const``.
    B : int
        Number of resamples.
    rng : numpy Generator
        Source of randomness: four integers drawn from it seed the per-block SFC64
        streams of the resampling indices, so the same seed gives bit-identical draws
        (whatever the number of threads).

    Returns
    -------
    list of (B, p) arrays (one per equation, coefficients in predictor order) and the
    number of singular resamples that were replaced by further draws.
    """
    coefs, replaced, _ = resample_fits(G, const, equations, B, rng)
    return coefs, replaced


def resample_fits(
    G: np.ndarray,
    const: int,
    equations: list[tuple[list[int], int]],
    B: int,
    rng: np.random.Generator,
    sd_columns: tuple[int, ...] = (),
) -> tuple[list[np.ndarray], int, np.ndarray]:
    """:func:`resample_coefficients`, plus each resample's SD of the columns ``sd_columns``.

    Returns the coefficient draws, the number of replaced resamples and a (B, k) array of
    standard deviations (n - 1 denominator) of ``G[:, sd_columns]`` in the same resamples
    (used to standardize effects within every resample, as PROCESS does).
    """
    mom = _Moments(G, const, equations, tuple(sd_columns))
    key = [int(v) for v in rng.integers(0, 2**63, size=4)]
    out = [np.empty((B, len(pred))) for pred, _ in equations]
    sds = np.empty((B, len(sd_columns)))
    filled = 0
    replaced = 0
    block = 0
    while filled < B:
        b = B - filled
        moments, block = _resample_moments(key, block, mom.P, b)
        coefs, singular = mom.solve(moments)
        good = ~singular
        k = int(good.sum())
        replaced += b - k
        if replaced > max(B, 100) and filled + k < B // 2:
            raise ModelError(
                f"more than {replaced} bootstrap resamples had a singular design (e.g. a "
                "group of a categorical variable was not drawn); the model cannot be "
                "bootstrapped with these data: enlarge the small groups"
            )
        for e, (beta, shift_pred, shift_out) in enumerate(coefs):
            beta = beta[good]
            ci = equations[e][0].index(const)
            slopes = np.delete(np.arange(beta.shape[1]), ci)
            beta[:, ci] += shift_out - beta[:, slopes] @ shift_pred[slopes]
            out[e][filled : filled + k] = beta
        if sd_columns:
            sds[filled : filled + k] = mom.sds(moments[good])
        filled += k
    return out, replaced, sds
