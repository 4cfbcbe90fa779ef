"""Benchmark of startup costs: ``import studylib``, ``studylib --help``, the compiled kernel.

Inputs:  none.
Outputs: benchmarks/results/import.json and benchmarks/results/import.md.

Targets (issue 16), each the median of several fresh interpreters in one run, against
``import pandas`` timed in the same run (interleaved, so that a change of load hits all):
- ``import studylib`` at most 1.5x ``import pandas``;
- ``studylib --help`` at most 2x ``import pandas``.

Also measured: where the compiled bootstrap counting (numba) starts to pay. Its fixed cost
is the first lookup of the kernel in a fresh interpreter (``import numba`` and loading the
kernel from numba's cache); its gain is the time saved per drawn case (n x B) against numpy
counting, timed in this process on the moments of a model-83-sized product matrix. The
break-even is cost / gain drawn cases; ``studylib.process._fastcount.COMPILED_MIN_CASES``
is set from it.

Run: ``python benchmarks/bench_import.py`` (``--quick`` for fewer repetitions; not the
benchmark). The load average (1, 5, 15 min) before and after is recorded with the figures:
the machine is shared, so absolute times are rough.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"

_TIMED = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
CASES = {
    "python (no import)": ["-c", _TIMED.format(stmt="pass")],
    "import pandas": ["-c", _TIMED.format(stmt="import pandas")],
    "import studylib": ["-c", _TIMED.format(stmt="import studylib")],
    "import studylib, first use of studylib.anova": [
        "-c", _TIMED.format(stmt="import studylib; studylib.anova")],
}
HELP = ["-c", "import sys, time; t = time.perf_counter(); from studylib.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(time.perf_counter() - t, file=sys.stderr)"]
KERNEL = ["-c", "import time, numpy; from studylib.process import _fastcount\n"
          "t = time.perf_counter(); k = _fastcount.counting_kernel()\n"
          "print(time.perf_counter() - t if k is not None else 'none')"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(args: list[str], stderr: bool = False) -> float:
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=_env(),
                         cwd=ROOT, check=True)
    text = (out.stderr if stderr else out.stdout).strip().splitlines()[-1]
    return float(text)


def startup(repeats: int) -> dict:
    """Median wall time (s) of each statement in fresh interpreters, interleaved."""
    times: dict[str, list[float]] = {k: [] for k in [*CASES, "studylib --help"]}
    for _ in range(repeats):
        for name, args in CASES.items():
            times[name].append(_run(args))
        times["studylib --help"].append(_run(HELP, stderr=True))
    return {k: {"median": statistics.median(v), "all": v} for k, v in times.items()}


def kernel_cost(repeats: int) -> dict | None:
    values = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, *KERNEL], capture_output=True, text=True,
                             env=_env(), cwd=ROOT, check=True).stdout.strip().splitlines()[-1]
        if out == "none":
            return None
        values.append(float(out))
    return {"median": statistics.median(values), "all": values}


def per_case(ns: list[int], B: int, repeats: int) -> list[dict]:
    """Seconds per drawn case of the resampling moments, numpy vs compiled counting."""
    import numpy as np

    from studylib.process import _fastcount, bootstrap

    if _fastcount.counting_kernel() is None:
        return []
    rows = []
    for n in ns:
        P = np.random.default_rng(1).normal(size=(n, 20))  # model 83 needs about 20 products
        res = {}
        for engine in ("numpy", "compiled"):
            real = bootstrap.counting_kernel
            if engine == "numpy":
                bootstrap.counting_kernel = lambda: None
            try:
                bootstrap._resample_moments([1, 2, 3, 4], 0, P, B)  # warm
                best = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    bootstrap._resample_moments([1, 2, 3, 4], 0, P, B)
                    best.append(time.perf_counter() - t0)
            finally:
                bootstrap.counting_kernel = real
            res[engine] = statistics.median(best) / (n * B)
        rows.append({"n": n, "B": B, "numpy_s_per_case": res["numpy"],
                     "compiled_s_per_case": res["compiled"],
                     "saving_s_per_case": res["numpy"] - res["compiled"]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (not the benchmark)")
    args = parser.parse_args(argv)
    reps = 3 if args.quick else 9
    load_before = os.getloadavg()
    st = startup(reps)
    kern = kernel_cost(3 if args.quick else 5)
    cases = per_case([300, 3000, 30000], 5000, 3 if args.quick else 5)
    load_after = os.getloadavg()
    pandas = st["import pandas"]["median"]
    ratios = {"import studylib / import pandas": st["import studylib"]["median"] / pandas,
              "studylib --help / import pandas": st["studylib --help"]["median"] / pandas}
    limits = {"import studylib / import pandas": 1.5, "studylib --help / import pandas": 2.0}
    # the saving per case at the largest n (large n is where the break-even lies)
    saving = cases[-1]["saving_s_per_case"] if cases else None
    break_even = kern["median"] / saving if kern and saving and saving > 0 else None
    from studylib.process._fastcount import COMPILED_MIN_CASES

    out = {
        "benchmark": "startup costs (issue 16)", "quick": args.quick,
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "repeats": reps, "startup_seconds": st, "ratios": ratios, "limits": limits,
        "within_limits": all(ratios[k] <= limits[k] for k in ratios),
        "kernel_first_lookup_seconds": kern, "per_case": cases,
        "break_even_cases": break_even, "COMPILED_MIN_CASES": COMPILED_MIN_CASES,
        "load_average_before": list(load_before), "load_average_after": list(load_after),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Startup benchmark (import, --help, compiled counting)", "",
        f"Python {out['python']}, {out['cpu_count']} CPUs; median of {reps} fresh interpreters "
        "each, interleaved; load average (1, 5, 15 min) before "
        f"{', '.join(f'{v:.2f}' for v in load_before)}, after "
        f"{', '.join(f'{v:.2f}' for v in load_after)} (shared machine: rough figures)."
        + (" **Quick run, not the benchmark.**" if args.quick else ""), "",
        "| statement | median s |", "|---|---|",
    ]
    lines += [f"| {k} | {v['median']:.3f} |" for k, v in st.items()]
    lines += ["", "| ratio | measured | limit | within |", "|---|---|---|---|"]
    lines += [f"| {k} | {v:.2f} | {limits[k]:.1f} | {'yes' if v <= limits[k] else 'NO'} |"
              for k, v in ratios.items()]
    if kern and cases:
        lines += ["", f"First lookup of the compiled kernel in a fresh interpreter (import numba, "
                  f"load the cached kernel): {kern['median']:.3f} s (median of {len(kern['all'])}).",
                  "", "| n | B | numpy ns/case | compiled ns/case | saved ns/case |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r['n']} | {r['B']} | {1e9 * r['numpy_s_per_case']:.2f} | "
                  f"{1e9 * r['compiled_s_per_case']:.2f} | {1e9 * r['saving_s_per_case']:.2f} |"
                  for r in cases]
        if break_even:
            lines += ["", f"Break-even: {break_even:,.0f} drawn cases (n x B), i.e. n = "
                      f"{break_even / 5000:,.0f} at B = 5000. COMPILED_MIN_CASES = "
                      f"{COMPILED_MIN_CASES:,}: smaller bootstraps count with numpy and do not "
                      "import numba (same draws, same results)."]
    else:
        lines += ["", "numba is not installed: the compiled counting was not timed."]
    (RESULTS / "import.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if out["within_limits"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
