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

A logistic equation (binary Y) cannot be solved from moments: each chunk of counts is
handed to :func:`studylib.process.logistic.newton_resamples`, which runs Newton steps on all
the chunk's resamples at once, started at the full-data estimates (3-5 steps). Every
chunk's OLS moments, SD sums and logistic fits are computed in the worker thread that drew
it (:class:`studylib.process._refit.Refits`). A resample whose logistic fit does not converge
(it separates Y) is replaced like a singular one and counted.

Memory therefore stays bounded whatever n and B (the scratch arrays, the B x products
moments and the B x coefficients results); ``boot`` is at most :data:`MAX_BOOT` and its
draws must fit in 8 GiB (:func:`check_boot_memory`).

Reference: Lemire, D. (2019). Fast random integer generation in an interval. *ACM
Transactions on Modeling and Computer Simulation, 29*(1), 3. https://doi.org/10.1145/3230636
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError, OptionError
from ._fastcount import counting_kernel, sfc64_state, wants_compiled
from ._refit import Refits

__all__ = ["BootstrapDraws", "MAX_BOOT", "Resampled", "check_boot_memory", "resample_coefficients",
           "resample_fits"]

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
        Resamples that were discarded and replaced by new draws: a singular design in some
        equation (e.g. a group of a categorical variable not drawn) or a logistic fit that
        does not converge (the resample separates the binary Y perfectly).
    coefficients : dict of str to ndarray
        Per equation (same names as ``.coefficients['equation']``), a (B, p) array of the
        coefficients in the order of that equation's terms.
    indirect, index, contrasts : ndarray
        (B, rows) arrays aligned with the rows of the result's tables of the same names.
    sd_xy : ndarray or None
        With ``effsize=True``: (B, 2) standard deviations of X (its first code column) and
        Y in each resample, by which the standardized effects' draws were divided
        (partially: ``indirect / sd_xy[:, [1]]``; completely: ``* sd_xy[:, [0]]`` too).
    n_separated : int
        Of the replaced resamples, those whose logistic fit separated (0 for OLS models).
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
    n_separated: int = 0


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


def _count_chunks(idx: np.ndarray, n: int, ones: np.ndarray, consume, start: int) -> None:
    """Count the resamples ``idx`` (b x n case indices, int64) and hand each chunk to ``consume``.

    Resamples are counted ``_count_rows(n)`` at a time by one ``np.bincount`` call, each
    shifted into its own range of bins (``idx`` is scratch) and weighted by ``ones`` so that
    the counts come out as floats; ``consume(counts, row)`` gets each chunk (k x n) and the
    number of its first resample.
    """
    b = idx.shape[0]
    rows = _count_rows(n)
    offsets = (np.arange(min(rows, b), dtype=np.int64) * n)[:, None]
    for first in range(0, b, rows):
        stop = min(b, first + rows)
        k = stop - first
        block = idx[first:stop]
        block += offsets[:k]
        counts = np.bincount(block.ravel(), weights=ones[: k * n], minlength=k * n).reshape(k, n)
        consume(counts, start + first)


def _count_chunks_compiled(kernel, state: np.ndarray, n: int, b: int, counts: np.ndarray, consume,
                           start: int) -> None:
    """Draw and count the next ``b`` resamples of a stream (compiled), chunk by chunk.

    ``kernel`` (:func:`studylib.process._fastcount.counting_kernel`) draws and counts
    ``len(counts)`` resamples at a time from ``state``, which it advances; ``counts`` is
    scratch (rows x n).
    """
    rows = counts.shape[0]
    for first in range(0, b, rows):
        k = min(rows, b - first)
        kernel(state, n, counts[:k])
        consume(counts[:k], start + first)


def _resample_blocks(key: list[int], first_block: int, n: int, count: int, consume) -> int:
    """Draw ``count`` fresh resamples of n cases; hand their counts to ``consume``; next block number.

    The resamples are cut into blocks of ``_block_rows(n)`` (the last one shorter), numbered
    from ``first_block``; each block is drawn from its own stream and counted chunk by chunk,
    ``consume(counts, row)`` getting each chunk and the number of its first resample (it
    writes its own rows of its results). Worker threads take the next block as they finish
    one, each with its own scratch arrays; random filling, counting and the matrix products
    release the GIL, so the threads run on separate cores. The result does not depend on the
    number of threads.
    """
    rows = _block_rows(n)
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
                _count_chunks_compiled(kernel, state, n, b, counts, consume, start)
            else:
                _block_indices(key, block, b, n, out=idx[:b])
                _count_chunks(idx[:b], n, ones, consume, start)

    with single_threaded_blas():
        _run_in_threads(work, _workers(n_blocks))
    return first_block + n_blocks


def _resample_moments(key: list[int], first_block: int, P: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Moments ``C @ P`` of ``count`` fresh resamples and the number of the next block."""
    PT = np.ascontiguousarray(P.T)
    T = np.empty((count, P.shape[1]))

    def consume(counts: np.ndarray, row: int) -> None:
        T[row : row + len(counts)] = np.dot(PT, counts.T).T

    return T, _resample_blocks(key, first_block, P.shape[0], count, consume)


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
    """Refit every (OLS) equation on B case resamples.

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
    fit = resample_fits(G, const, equations, B, rng)
    return fit.coefficients, fit.replaced


@dataclass(frozen=True)
class Resampled:
    """What :func:`resample_fits` returns."""

    coefficients: list[np.ndarray]  # per equation (OLS ones, then logistic ones), (B, p)
    replaced: int  # resamples replaced (singular design or a logistic fit that separates)
    separated: int  # of which: a logistic fit that did not converge (separation)
    sds: np.ndarray  # (B, len(sd_columns))


#: The most resamples studylib draws, and the most memory their draws may take.
MAX_BOOT = 1_000_000
MAX_BOOT_BYTES = 8 * 2**30


def check_boot_memory(B: int, per_resample: int) -> None:
    """Refuse a ``boot`` above :data:`MAX_BOOT`, or whose draws would need more than 8 GiB.

    ``per_resample`` is the number of floats kept for each resample (coefficients, moments,
    the quantities' draws).
    """
    need = 8.0 * B * per_resample
    if B > MAX_BOOT or need > MAX_BOOT_BYTES:
        raise OptionError(
            f"boot = {B:,} resamples would keep about {_bytes(need)} of bootstrap draws for this model "
            f"({per_resample} numbers per resample); boot must be at most {MAX_BOOT:,} and its draws under "
            f"{_bytes(MAX_BOOT_BYTES)} (5,000 to 10,000 resamples give stable 95% limits)"
        )


def _bytes(v: float) -> str:
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20)):
        if v >= size:
            return f"{v / size:,.1f} {unit}"
    return f"{v / 2**10:,.1f} KB"


def resample_fits(
    G: np.ndarray,
    const: int,
    equations: list[tuple[list[int], int]],
    B: int,
    rng: np.random.Generator,
    sd_columns: tuple[int, ...] = (),
    logistic: list[tuple[list[int], int, np.ndarray]] = (),
) -> Resampled:
    """Refit OLS and logistic equations on the same B resamples; each resample's SDs too.

    ``logistic`` lists (predictor columns, outcome column, full-data coefficients) of the
    equations fitted by logistic regression (their outcome column holds 0/1). Resamples with
    a singular design in any equation, or whose logistic fit does not converge (perfect or
    quasi-perfect separation), are replaced by further draws, as PROCESS replaces unusable
    resamples, and counted. ``sds`` holds the standard deviations (n - 1 denominator) of
    ``G[:, sd_columns]`` in the same resamples (used to standardize effects within every
    resample, as PROCESS does).
    """
    refit = Refits(G, const, equations, tuple(sd_columns), list(logistic))
    key = [int(v) for v in rng.integers(0, 2**63, size=4)]
    widths = [len(pred) for pred, _ in equations] + [len(pred) for pred, *_ in logistic]
    out = [np.empty((B, w)) for w in widths]
    sds = np.empty((B, len(sd_columns)))
    filled = replaced = separated = block = 0
    while filled < B:
        b = B - filled
        refit.allocate(b)
        block = _resample_blocks(key, block, G.shape[0], b, refit)
        ols, logit, singular, failed = refit.solve()
        good = ~(singular | failed)
        k = int(good.sum())
        replaced += b - k
        separated += int(failed.sum())
        if replaced > max(B, 100) and filled + k < B // 2:
            raise ModelError(
                f"more than {replaced} bootstrap resamples had a singular design (e.g. a group of a categorical "
                "variable was not drawn)" + (f" or a logistic fit that separates ({separated})" if separated else "")
                + "; the model cannot be bootstrapped with these data: enlarge the small groups"
            )
        for e, beta in enumerate([*ols, *logit]):
            out[e][filled : filled + k] = beta[good]
        if sd_columns:
            sds[filled : filled + k] = refit.sds(good)
        filled += k
    return Resampled(out, replaced, separated, sds)
