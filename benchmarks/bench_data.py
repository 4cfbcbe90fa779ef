"""Benchmark: simulation, reading and cleaning of questionnaire exports.

Inputs : none (simulated data from data/synthetic/params.yaml, fixed seeds).
Outputs: benchmarks/results/data.json and benchmarks/results/data.md

Times with ``time.perf_counter`` (median over repeats, after one warm-up):
- ``simulate_study`` for n respondents (full raw export, careless respondents, missing);
- ``simulate_latent`` for reps x 6 cells x n_per_cell (the fast path for power studies), with
  latent scores and with item-level scores;
- ``read_data`` + ``prepare`` + ``apply_exclusions`` of an n-row export as CSV and as .sav.
Targets (project's 2-core machine): the whole pipeline for 100,000 respondents under 5 s;
1,000 replications of the 3 x 2 design at 50 per cell under 1 s with latent scores.

Run: ``python benchmarks/bench_data.py [--n 100000] [--reps 1000] [--repeats 5] [--example]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import studylib  # noqa: E402
from studylib import apply_exclusions, load_study, prepare, read_data, write_data  # noqa: E402
from studylib._json import write_json  # noqa: E402
from studylib.simulate import simulate_latent, simulate_study  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def timed(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="respondents in the export")
    parser.add_argument("--reps", type=int, default=1000, help="replications for simulate_latent")
    parser.add_argument("--n-per-cell", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--example", action="store_true", help="small sizes, quick check")
    args = parser.parse_args(argv)
    if args.example:
        args.n, args.reps, args.repeats = 2000, 50, 2
    study = load_study()
    rows = []

    def add(task, size, seconds):
        rows.append({"task": task, "size": size, "seconds": seconds})
        print(f"{task:<55} {size:>28}  {seconds:8.3f} s")

    add("simulate_study", f"n = {args.n}", timed(lambda: simulate_study(n=args.n, seed=1), args.repeats))
    for scores in ("latent", "items"):
        add(f"simulate_latent (scores='{scores}')", f"{args.reps} reps x 6 x {args.n_per_cell}",
            timed(lambda s=scores: simulate_latent(args.n_per_cell, reps=args.reps, scores=s, seed=1),
                  args.repeats))
    raw = simulate_study(n=args.n, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "sav"):
            path = write_data(raw, Path(tmp) / f"export.{fmt}", study=study)
            add(f"read_data ({fmt})", f"n = {args.n}", timed(lambda p=path: read_data(p, study=study), args.repeats))
            data = read_data(path, study=study)
            add(f"prepare ({fmt})", f"n = {args.n}", timed(lambda d=data: prepare(d, study), args.repeats))

            def pipeline(p=path):
                apply_exclusions(prepare(read_data(p, study=study), study), study)

            add(f"read_data + prepare + apply_exclusions ({fmt})", f"n = {args.n}", timed(pipeline, args.repeats))
    result = {
        "benchmark": "data", "studylib": studylib.__version__, "python": platform.python_version(),
        "machine": platform.machine(), "cpus": os.cpu_count(), "repeats": args.repeats,
        "example": args.example, "results": rows,
    }
    if not args.example:
        RESULTS.mkdir(parents=True, exist_ok=True)
        write_json(result, RESULTS / "data.json")
        lines = ["# Benchmark: simulation, reading and cleaning", "",
                 f"studylib {studylib.__version__}, Python {platform.python_version()}, "
                 f"{os.cpu_count()} CPUs; median of {args.repeats} runs after a warm-up.", "",
                 "| task | size | seconds |", "|---|---|---|"]
        lines += [f"| {r['task']} | {r['size']} | {r['seconds']:.3f} |" for r in rows]
        (RESULTS / "data.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
