"""Running a power simulation: chunks of replications as joblib tasks, one seed each.

Every grid point ``n`` is split into chunks of a fixed number of replications
(:attr:`Plan.chunk`: it depends on the method, never on the number of workers). Chunk ``i``
of grid point ``n`` draws its random numbers from
``SeedSequence(seed, spawn_key=(n,)).spawn(n_chunks)[i]``, so a chunk's result does not
depend on which process or machine runs it, on the number of workers or on the other grid
points: ``n_jobs=1``, ``n_jobs=8`` and a Dask cluster give identical tables, and adding a
grid point leaves the others unchanged. BLAS is held to one thread inside a chunk.

The chunks run through :class:`joblib.Parallel`: in loky worker processes by default
(``n_jobs``), or on whatever backend is active, so that::

    from dask.distributed import Client
    import joblib
    with Client("tcp://scheduler:8786"), joblib.parallel_config(backend="dask"):
        res = studylib.power("analyses/study.yaml", n_grid=[40, 80], reps=20_000)

runs them on a Dask cluster with no other change (joblib itself is not rewritten here:
it is the engine scikit-learn uses for the same job).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._progress import progress as progress_bar
from ..errors import OptionError
from ._plan import Plan, run_chunk

__all__ = ["run_grid", "resolve_n_jobs", "tasks_of"]


def resolve_n_jobs(n_jobs: Any) -> int | None:
    """``None`` (all cores, or every worker of an active joblib backend) or a whole number >= 1."""
    if n_jobs is None:
        return None
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise OptionError(f"n_jobs must be None (all cores) or a whole number >= 1; got {n_jobs!r}")
    return int(n_jobs)


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _task(plan: Plan, gi: int, ci: int, n: int, reps: int,
          seed: np.random.SeedSequence) -> tuple[int, int, np.ndarray]:
    """One chunk, with BLAS held to one thread (its products are small)."""
    from ..process.bootstrap import single_threaded_blas

    with single_threaded_blas():
        return gi, ci, run_chunk(plan, n, reps, seed)


def tasks_of(plan: Plan, grid: tuple[int, ...], reps: int, seed: int) -> list[tuple]:
    """``(gi, ci, n, size, seed sequence)`` of every chunk, in a fixed order."""
    tasks = []
    for gi, n in enumerate(grid):
        n_chunks = -(-reps // plan.chunk)
        seeds = np.random.SeedSequence(seed, spawn_key=(n,)).spawn(n_chunks)
        for ci in range(n_chunks):
            size = min(plan.chunk, reps - ci * plan.chunk)
            tasks.append((gi, ci, n, size, seeds[ci]))
    return tasks


def _backend_active() -> bool:
    """True inside ``joblib.parallel_config(backend=...)`` (e.g. Dask): let joblib place tasks."""
    try:
        from joblib.parallel import _get_active_backend
    except ImportError:  # pragma: no cover - joblib internals moved
        return False
    backend, _ = _get_active_backend()
    return type(backend).__name__ not in ("LokyBackend", "SequentialBackend")


def run_grid(plan: Plan, grid: tuple[int, ...], reps: int, seed: int, n_jobs: int | None,
             progress: bool) -> np.ndarray:
    """Counts per grid point and test: array (len(grid), n_tests, 3), see run_chunk."""
    tasks = tasks_of(plan, grid, reps, seed)
    results: dict[tuple[int, int], np.ndarray] = {}
    remote = _backend_active()
    workers = cpu_count() if n_jobs is None else n_jobs
    with progress_bar(len(tasks), desc="power", unit="chunk", enabled=progress) as bar:
        if not remote and (workers == 1 or len(tasks) == 1):
            for task in tasks:
                gi, ci, hits = _task(plan, *task)
                results[gi, ci] = hits
                bar.update()
        else:
            from joblib import Parallel, delayed

            jobs = (-1 if n_jobs is None else n_jobs) if remote else min(workers, len(tasks))
            run = Parallel(n_jobs=jobs, return_as="generator_unordered")
            for gi, ci, hits in run(delayed(_task)(plan, *task) for task in tasks):
                results[gi, ci] = hits
                bar.update()
    out = []
    for gi in range(len(grid)):
        chunks = sorted(k for k in results if k[0] == gi)
        out.append(np.sum([results[k] for k in chunks], axis=0))
    return np.asarray(out, dtype=np.int64)
