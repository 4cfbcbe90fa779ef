"""Benchmark of studylib.power: model 83 on 1 and 2 workers and on a 2-worker Dask cluster.

Inputs:  the thesis study's model 83 and ANOVAs, simulated from the paths the shipped
         synthetic data were generated with (data/synthetic/params.yaml, through
         studylib.power_model83, the thin wrapper of studylib.power).
Outputs: benchmarks/results/power.json and benchmarks/results/power.md.

Runs (issue 16), each timed once, wall clock:
- Monte Carlo CIs (draws = 2000), 1,000 replications x 5 sample sizes (20..100 per cell);
- bootstrap CIs (B = 1,000), 200 replications x 3 sample sizes (40, 60, 80 per cell);
each with n_jobs = 1, n_jobs = 2 (loky processes) and through a dask.distributed
LocalCluster of 2 worker processes (joblib's dask backend), with the speed-up over one
worker. Each backend is warmed up first (its workers started and studylib imported in
them); that start-up time is reported separately. From the 1-worker time: the cost per replication, and from it an ESTIMATE (not a
measurement) of the wall time of a 20,000-replication plan on 1, 8 and 64 workers,
assuming the replications scale linearly (the chunks are independent; the 2-worker
efficiency measured here is given beside it).

Run: ``python benchmarks/bench_power.py`` (``--quick`` for a short smoke run; its numbers
are not the benchmark). The machine is shared: the load average (1, 5, 15 min) before and
after each run is recorded with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import studylib  # noqa: E402
from studylib._json import to_jsonable  # noqa: E402
from studylib.power import Model83Effects, power_model83  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
WORKER_ENV = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 268_435_456,
              "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 33_554_432}
KEY = "index valence -> psr -> pk -> attitude: reply vs none"


def _time(label: str, where: str, workers: int, **kw) -> dict:
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    res = power_model83(**kw)
    elapsed = time.perf_counter() - t0
    serial = res.power[res.power["effect"] == KEY]
    reps = kw["reps"] * len(kw["n_grid"])
    print(f"{label} [{where}]: {elapsed:.1f} s", flush=True)
    return {
        "run": label, "where": where, "workers": workers, "method": kw["method"],
        "reps": kw["reps"], "n_grid": list(kw["n_grid"]), "replications": reps,
        "seconds": elapsed, "seconds_per_replication": elapsed / reps,
        "load_average_before": list(load_before), "load_average_after": list(os.getloadavg()),
        "power_index_serial_reply": dict(zip(serial["n_per_cell"].tolist(), serial["power"].tolist(),
                                             strict=True)),
        "table": res.power,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short smoke run (not the benchmark)")
    args = parser.parse_args(argv)
    import joblib
    from dask.distributed import Client, LocalCluster

    effects = Model83Effects.from_params(ROOT / "data" / "synthetic" / "params.yaml")
    scale = 10 if args.quick else 1
    plans = {
        "Monte Carlo CIs (draws = 2000)": dict(method="montecarlo", reps=1000 // scale,
                                               n_grid=[20, 40, 60, 80, 100], draws=2000),
        "bootstrap CIs (B = 1000)": dict(method="bootstrap", reps=max(10, 200 // scale),
                                         n_grid=[40, 60, 80], boot=1000),
    }
    common = {"effects": effects, "seed": 2026, "progress": False,
              "anova_dvs": ["psr", "pk", "attitude"]}
    # each backend is warmed first (worker processes started, studylib imported there): the
    # runs time the replications; the start-up is reported on its own
    warm = {"montecarlo": dict(n_grid=[20, 40], reps=100, method="montecarlo"),
            "bootstrap": dict(n_grid=[20, 40], reps=10, method="bootstrap", boot=1000)}
    startup = {}

    def warm_up(where: str, **kw) -> None:
        t0 = time.perf_counter()
        for w in warm.values():
            power_model83(**{**common, **w, **kw})
        startup[where] = time.perf_counter() - t0

    runs = []
    warm_up("1 worker", n_jobs=1)
    for label, plan in plans.items():
        runs.append(_time(label, "1 worker", 1, n_jobs=1, **common, **plan))
    warm_up("2 loky workers", n_jobs=2)
    for label, plan in plans.items():
        runs.append(_time(label, "2 loky workers", 2, n_jobs=2, **common, **plan))
    t0 = time.perf_counter()
    import dask

    # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's
    # mmap threshold at 128 kB: every large temporary array is then mapped and unmapped
    # afresh (measured 2.5-5x slower chunks). The README recommends these two values.
    with dask.config.set(WORKER_ENV), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None, silence_logs=40) as cluster, Client(cluster), \
            joblib.parallel_config(backend="dask"):
        startup["Dask LocalCluster start"] = time.perf_counter() - t0
        warm_up("Dask LocalCluster, 2 workers")
        for label, plan in plans.items():
            runs.append(_time(label, "Dask LocalCluster, 2 workers", 2, **common, **plan))
    for r in runs:  # every run of a plan gives the same table (seeded chunks)
        first = next(x for x in runs if x["run"] == r["run"])
        r["table_equals_1_worker"] = bool(r["table"].equals(first["table"]))
    for r in runs:
        del r["table"]
    estimates = []
    for label in plans:
        one = next(r for r in runs if r["run"] == label and r["workers"] == 1)
        for r in runs:
            if r["run"] == label:
                r["speedup"] = one["seconds"] / r["seconds"]
        two = next(r for r in runs if r["run"] == label and r["where"] == "2 loky workers")
        cost = one["seconds_per_replication"]
        estimates.append({"run": label, "seconds_per_replication_1_worker": cost,
                          "efficiency_2_workers": two["speedup"] / 2,
                          "estimated_seconds_20000": {w: 20000 * cost / w for w in (1, 8, 64)}})
    out = {
        "benchmark": "studylib.power (issue 16)", "quick": args.quick,
        "effects_source": "data/synthetic/params.yaml", "studylib": studylib.__version__,
        "python": platform.python_version(), "numpy": np.__version__,
        "cpu_count": os.cpu_count(), "runs": runs, "estimates": estimates,
        "warm_up_seconds": startup,
        "note": ("Wall-clock seconds of one call each. The machine is shared by several "
                 "engineers: see the load averages (1, 5, 15 min); the 20,000-replication "
                 "times are estimates from the 1-worker cost, assuming linear scaling."),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    # a plain write: the benchmark's own results file, replaced on every run
    (RESULTS / "power.json").write_text(json.dumps(to_jsonable(out), indent=2) + "\n", encoding="utf-8")
    lines = [
        "# studylib.power benchmark", "",
        f"studylib {out['studylib']}, Python {out['python']}, numpy {out['numpy']}, "
        f"{out['cpu_count']} CPUs; model 83 and the three 3 x 2 ANOVAs, effects from "
        "data/synthetic/params.yaml." + (" **Quick smoke run, not the benchmark.**" if args.quick else ""),
        "", "| run | where | reps x sizes | seconds | s / replication | speed-up | same table | "
        "load 1 min before / after |", "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['run']} | {r['where']} | {r['reps']} x {len(r['n_grid'])} | {r['seconds']:.1f} | "
            f"{r['seconds_per_replication'] * 1e3:.2f} ms | {r['speedup']:.2f}x | "
            f"{'yes' if r['table_equals_1_worker'] else 'NO'} | "
            f"{r['load_average_before'][0]:.2f} / {r['load_average_after'][0]:.2f} |")
    lines += ["", "Before the timed runs each backend was warmed up (a small Monte Carlo and "
              "bootstrap plan: worker processes started, studylib imported in them): "
              + "; ".join(f"{k} {v:.1f} s" for k, v in startup.items()) + "."]
    lines += ["", "Estimated wall time of a 20,000-replication plan (the 1-worker cost per "
              "replication x 20,000 / workers; an estimate, not a measurement):", "",
              "| run | cost / replication | 2-worker efficiency | 1 worker | 8 workers | 64 workers |",
              "|---|---|---|---|---|---|"]
    for e in estimates:
        t = e["estimated_seconds_20000"]
        lines.append(f"| {e['run']} | {e['seconds_per_replication_1_worker'] * 1e3:.2f} ms | "
                     f"{e['efficiency_2_workers']:.0%} | {t[1]:.0f} s | {t[8]:.0f} s | {t[64]:.1f} s |")
    lines += ["", out["note"], ""]
    (RESULTS / "power.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(r["table_equals_1_worker"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
