"""Running a power simulation: chunks of replications per grid point, seeds, workers.

Every grid point ``n`` is split into chunks of a fixed number of replications (the size
depends on the method, never on the number of workers). Chunk ``i`` of grid point ``n``
draws its random numbers from ``SeedSequence(seed, spawn_key=(n,)).spawn(...)[i]``, so a
chunk's result does not depend on which process runs it, on the number of workers, or on
the other grid points: ``n_jobs=1`` and ``n_jobs=4`` give identical tables, and adding a
grid point leaves the others unchanged.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np

from ..errors import OptionError
from ._anova import anova_pvalues
from ._effects import Model83Effects
from ._model83 import bootstrap_ci, draw_data, fit_paths, montecarlo_ci

__all__ = ["Job", "run_grid", "resolve_n_jobs"]

CHUNK = {"anova": 500, "montecarlo": 100, "bootstrap": 5}


@dataclasses.dataclass(frozen=True)
class Job:
    """What one replication computes; picklable, sent to the workers."""

    effects: Model83Effects | None = None  # model-83 data (None: ANOVA from cell means)
    mu: tuple | None = None  # (2, 3) cell means when effects is None
    sd: float = 1.0
    anova_dvs: tuple[int, ...] = ()  # indices into (psr, pk, attitude); (0,) for cell means
    anova_tests: tuple[str, ...] = ()
    model83: bool = False
    method: str = "montecarlo"
    draws: int = 2000
    boot: int = 1000
    conf: float = 0.95
    alpha: float = 0.05
    params: dict | None = None  # simulator parameters (studylib.simulate.load_params)
    scores: str = "latent"

    @property
    def chunk(self) -> int:
        """Replications per task: fixed by the settings, never by the number of workers."""
        if not self.model83:
            return CHUNK["anova"]
        if self.method == "montecarlo":  # keep reps x draws x 11 effects near 20 MB
            return max(5, min(CHUNK["montecarlo"], 200_000 // self.draws))
        return CHUNK["bootstrap"]


def _threadpool_limit():
    """Limit BLAS/OpenMP threads to one inside a computation (no oversubscription)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _init_worker() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    global _WORKER_LIMIT
    _WORKER_LIMIT = _threadpool_limit()
    _WORKER_LIMIT.__enter__()


def run_chunk(job: Job, n: int, reps: int, seed: np.random.SeedSequence) -> np.ndarray:
    """Number of significant results of each test in ``reps`` replications of n per cell."""
    rng = np.random.default_rng(seed)
    hits = []
    if job.effects is None:
        mu = np.asarray(job.mu, dtype=float)
        y = mu[None, :, :, None] + job.sd * rng.standard_normal((reps, 2, 3, n))
        p = anova_pvalues(y, job.anova_tests)
        return (p < job.alpha).sum(axis=0)
    m1, m2, y = draw_data(job.effects, n, reps, rng, params=job.params, scores=job.scores)
    for k in job.anova_dvs:
        data = (m1, m2, y)[k].reshape(reps, 2, 3, n)
        hits.append((anova_pvalues(data, job.anova_tests) < job.alpha).sum(axis=0))
    if job.model83:
        if job.method == "montecarlo":
            est, cov = fit_paths(m1, m2, y, n)
            low, high = montecarlo_ci(est, cov, job.draws, job.conf, rng)
        else:
            low, high = bootstrap_ci(m1, m2, y, n, job.boot, job.conf, rng)
        hits.append(((low > 0) | (high < 0)).sum(axis=0))
    return np.concatenate(hits)


def _run_one(args: tuple) -> tuple[int, int, np.ndarray]:
    job, gi, ci, n, reps, seed = args
    with _threadpool_limit():
        return gi, ci, run_chunk(job, n, reps, seed)


def _run_in_worker(args: tuple) -> tuple[int, int, np.ndarray]:
    job, gi, ci, n, reps, seed = args
    return gi, ci, run_chunk(job, n, reps, seed)


def resolve_n_jobs(n_jobs: Any) -> int:
    if n_jobs is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not on Linux
            return max(1, os.cpu_count() or 1)
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise OptionError(f"n_jobs must be None (all cores) or a whole number >= 1; got {n_jobs!r}")
    return int(n_jobs)


def run_grid(
    job: Job, grid: tuple[int, ...], reps: int, seed: int, n_jobs: int, progress: bool
) -> np.ndarray:
    """Hits per grid point and test: array (len(grid), n_tests)."""
    from tqdm import tqdm

    tasks = []
    for gi, n in enumerate(grid):
        n_chunks = -(-reps // job.chunk)
        seeds = np.random.SeedSequence(seed, spawn_key=(n,)).spawn(n_chunks)
        for ci in range(n_chunks):
            size = min(job.chunk, reps - ci * job.chunk)
            tasks.append((job, gi, ci, n, size, seeds[ci]))
    results: dict[tuple[int, int], np.ndarray] = {}
    bar = tqdm(total=len(tasks), desc="power", unit="chunk", disable=not progress, leave=False)
    try:
        if n_jobs == 1 or len(tasks) == 1:
            for task in tasks:
                gi, ci, hits = _run_one(task)
                results[gi, ci] = hits
                bar.update()
        else:
            workers = min(n_jobs, len(tasks))
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
                futures = [pool.submit(_run_in_worker, task) for task in tasks]
                for fut in as_completed(futures):
                    gi, ci, hits = fut.result()
                    results[gi, ci] = hits
                    bar.update()
    finally:
        bar.close()
    out = []
    for gi in range(len(grid)):
        chunks = sorted(k for k in results if k[0] == gi)
        out.append(np.sum([results[k] for k in chunks], axis=0))
    return np.asarray(out, dtype=np.int64)
