"""Benchmark of studylib.power: Monte Carlo power of PROCESS model 83.

Inputs:  none (simulated data from the paths of data/synthetic/params.yaml when present,
         else studylib.power.THESIS_EFFECTS).
Outputs: benchmarks/results/power.json and benchmarks/results/power.md.

Targets (issue 7), on this machine with all cores:
- 1,000 replications x 5 sample sizes, Monte Carlo CIs: under 60 s;
- 200 replications x 3 sample sizes, bootstrap CIs with B = 1000: under 3 minutes.

Run: ``python benchmarks/bench_power.py`` (``--quick`` for a short smoke run; its numbers
are not the benchmark). Other work running on the machine slows the timings: the load
average before and after each run is recorded with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import studylib  # noqa: E402
from studylib._json import write_json  # noqa: E402
from studylib.power import THESIS_EFFECTS, Model83Effects, power_model83  # noqa: E402
from studylib.power._run import resolve_n_jobs  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def _effects() -> tuple[Model83Effects, str]:
    params = ROOT / "data" / "synthetic" / "params.yaml"
    if params.is_file():
        return Model83Effects.from_params(params), "data/synthetic/params.yaml"
    return THESIS_EFFECTS, "studylib.power.THESIS_EFFECTS"


def _run(name: str, limit: float, **kw) -> dict:
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    res = power_model83(**kw)
    elapsed = time.perf_counter() - t0
    load_after = os.getloadavg()
    serial = res.power[res.power["effect"] == "index valence -> psr -> pk -> attitude: reply vs none"]
    return {
        "name": name,
        "method": kw["method"],
        "reps": kw["reps"],
        "n_grid": list(kw["n_grid"]),
        "draws": kw.get("draws"),
        "boot": kw.get("boot"),
        "anova_dvs": list(kw.get("anova_dvs", [])),
        "n_jobs": resolve_n_jobs(kw.get("n_jobs")),
        "seconds": elapsed,
        "limit_seconds": limit,
        "within_limit": elapsed < limit,
        "replications_per_second": kw["reps"] * len(kw["n_grid"]) / elapsed,
        "load_average_before": list(load_before),
        "load_average_after": list(load_after),
        "power_index_serial_reply": dict(zip(serial["n_per_cell"].tolist(), serial["power"].tolist(), strict=True)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short smoke run (not the benchmark)")
    parser.add_argument("--n-jobs", type=int, default=None, help="workers (default: all cores)")
    args = parser.parse_args(argv)
    effects, source = _effects()
    scale = 10 if args.quick else 1
    common = {"effects": effects, "seed": 2026, "n_jobs": args.n_jobs, "progress": False}
    runs = [
        _run("model 83, Monte Carlo CIs (draws = 2000), ANOVAs on psr, pk, attitude too", 60.0,
             method="montecarlo", reps=1000 // scale, n_grid=[20, 40, 60, 80, 100], draws=2000,
             anova_dvs=["psr", "pk", "attitude"], **common),
        _run("model 83, Monte Carlo CIs (draws = 2000), model only", 60.0,
             method="montecarlo", reps=1000 // scale, n_grid=[20, 40, 60, 80, 100], draws=2000,
             anova_dvs=[], **common),
        _run("model 83, percentile bootstrap CIs (B = 1000), ANOVAs too", 180.0,
             method="bootstrap", reps=200 // scale, n_grid=[40, 60, 80], boot=1000,
             anova_dvs=["psr", "pk", "attitude"], **common),
    ]
    out = {
        "benchmark": "studylib.power (issue 7)",
        "quick": args.quick,
        "effects_source": source,
        "studylib": studylib.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "note": (
            "Wall-clock seconds of one call each, all cores. Other engineers' jobs may run "
            "on this machine at the same time: see the load averages (1, 5, 15 min)."
        ),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(out, RESULTS / "power.json")
    lines = [
        "# studylib.power benchmark",
        "",
        f"studylib {out['studylib']}, Python {out['python']}, numpy {out['numpy']}, "
        f"{out['cpu_count']} CPUs; effects from {source}."
        + (" **Quick smoke run, not the benchmark.**" if args.quick else ""),
        "",
        "| run | reps x sizes | seconds | limit | within | load before / after (1 min) |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['name']} | {r['reps']} x {len(r['n_grid'])} | {r['seconds']:.1f} | "
            f"{r['limit_seconds']:.0f} | {'yes' if r['within_limit'] else 'NO'} | "
            f"{r['load_average_before'][0]:.2f} / {r['load_average_after'][0]:.2f} |"
        )
    lines += ["", out["note"], ""]
    (RESULTS / "power.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(r["within_limit"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
