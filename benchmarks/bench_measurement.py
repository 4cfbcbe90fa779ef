"""Benchmark: CFA + fit indices + CR + AVE + HTMT, five factors x 25 items, 222 respondents.

Inputs : tests/reference/reliability/psychTools_bfi.csv (R psychTools::bfi, already in the
         repository; provenance in that folder): the first 222 respondents who answered all
         25 Big-Five items, reverse-keyed items (A1, C4, C5, E1, E2, O2, O5) recoded 7 - x.
Outputs: benchmarks/results/measurement.json and benchmarks/results/measurement.md

Times, with ``time.perf_counter`` (median of repeats after one warm-up; CPU time of the
process alongside):

* ``studylib.cfa`` on the five scales: ML CFA, standard errors, every fit index, CR, AVE,
  HTMT, Fornell-Larcker and the tables (the goal: faster than lavaan's 0.10-0.14 s for the
  same work, measured in R by the issue's author; R is not available on this machine);
* ``studylib.htmt`` with B = 2000 bootstrap resamples (goal: under 2 s);
* ``studylib.cfa(boot=2000)``: the same bootstrap with the CFA refitted to every resample
  for CR and AVE intervals (no goal; reported);
* semopy (a peer, installed by the ``bench`` extra): ``Model(desc).fit(data)`` +
  ``calc_stats`` on the same data, with CR/AVE/HTMT left out (semopy has none), timed in
  the same run.

The machine is shared: the 1-minute load average before and after is recorded, and the
figures are rough until re-run on a quiet machine (``make bench``).

Run: ``python benchmarks/bench_measurement.py [--repeats 7] [--boot 2000] [--example]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import studylib  # noqa: E402
from studylib import Scale, cfa, htmt  # noqa: E402
from studylib._json import write_json  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "tests" / "reference" / "reliability" / "psychTools_bfi.csv"
N = 222
LAVAAN_S = (0.10, 0.14)  # lavaan 0.6 cfa + fitMeasures + compRelSEM + AVE + htmt (issue #15)
HTMT_BOOT_TARGET_S = 2.0
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]

_CPU: dict[str, float] = {}


def make_data() -> tuple[pd.DataFrame, list[Scale], pd.DataFrame]:
    """The 222 complete cases, the five scales, and the recoded items (for semopy)."""
    bfi = pd.read_csv(DATA)
    items = [f"{f}{i}" for f in "ACENO" for i in range(1, 6)]
    data = bfi.dropna(subset=items).iloc[:N].reset_index(drop=True)
    scales = [
        Scale.from_dict({"id": f, "items": [f"{f}{i}" for i in range(1, 6)],
                         "reverse": [r for r in REVERSED if r[0] == f], "min": 1, "max": 6})
        for f in "ACENO"
    ]
    recoded = data[items].astype(float).copy()
    recoded[REVERSED] = 7 - recoded[REVERSED]
    return data, scales, recoded


def timed(fn, repeats: int, name: str) -> tuple[float, list[float]]:
    fn()  # warm-up (imports, caches)
    times, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    _CPU[name] = statistics.median(cpu)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats (median reported)")
    ap.add_argument("--boot", type=int, default=2000, help="bootstrap resamples (default 2000)")
    ap.add_argument("--example", action="store_true", help="quick run: 2 repeats, B = 1000")
    args = ap.parse_args(argv)
    if args.example:
        args.repeats, args.boot = 2, 1000

    load_before = os.getloadavg()[0]
    data, scales, recoded = make_data()
    res = cfa(data, scales)

    t_cfa, all_cfa = timed(lambda: cfa(data, scales), args.repeats, "cfa")
    t_htmt, all_htmt = timed(lambda: htmt(data, scales, boot=args.boot, seed=1), max(3, args.repeats // 2), "htmt_boot")
    t_full, all_full = timed(lambda: cfa(data, scales, boot=args.boot, seed=1), max(1, args.repeats // 3), "cfa_boot")
    full = cfa(data, scales, boot=args.boot, seed=1)

    peer: dict = {"available": False}
    try:
        import semopy

        desc = "\n".join(f"{s.id} =~ " + " + ".join(s.items) for s in scales)

        def semopy_fit():
            m = semopy.Model(desc)
            m.fit(recoded)
            return m, semopy.calc_stats(m)

        t_sem, all_sem = timed(semopy_fit, args.repeats, "semopy")
        _, stats_sem = semopy_fit()
        peer = {
            "available": True,
            "name": "semopy.Model.fit + semopy.calc_stats",
            "version": semopy.__version__,
            "what": "CFA (objective MLW, SLSQP) + fit indices; no CR, AVE or HTMT",
            "median_s": t_sem,
            "all_s": all_sem,
            "chisq": float(stats_sem.loc["Value", "chi2"]),
            "ratio_peer_over_studylib": t_sem / t_cfa,
        }
    except ImportError:
        pass

    out = {
        "benchmark": "CFA + fit + CR + AVE + HTMT (5 factors x 5 items, psychTools bfi)",
        "n_respondents": N,
        "n_items": 25,
        "n_factors": 5,
        "boot": args.boot,
        "repeats": args.repeats,
        "timer": "time.perf_counter, median of repeats after one warm-up",
        "studylib_version": studylib.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_1min_before": load_before,
        "load_average_1min_at_end": os.getloadavg()[0],
        "studylib_cfa_median_s": t_cfa,
        "studylib_cfa_all_s": all_cfa,
        "lavaan_reference_s": list(LAVAAN_S),
        "cfa_faster_than_lavaan": t_cfa < LAVAAN_S[0],
        "cfa_cpu_faster_than_lavaan": _CPU["cfa"] < LAVAAN_S[0],
        "studylib_htmt_boot_median_s": t_htmt,
        "studylib_htmt_boot_all_s": all_htmt,
        "htmt_boot_target_s": HTMT_BOOT_TARGET_S,
        "htmt_boot_meets_target": t_htmt < HTMT_BOOT_TARGET_S,
        "studylib_cfa_boot_median_s": t_full,
        "studylib_cfa_boot_all_s": all_full,
        "cfa_boot_failed_refits": full.options["boot_failed"],
        "cpu_time_median_s": dict(_CPU),
        "chisq": res.fit.chisq,
        "cfi": res.fit.cfi,
        "rmsea": res.fit.rmsea,
        "peer": peer,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(out, RESULTS / "measurement.json")
    lines = [
        "# Benchmark: measurement model (CFA + fit + CR + AVE + HTMT)",
        "",
        f"psychTools bfi, first {N} complete cases, 25 items in 5 factors (7 reverse-keyed), median "
        f"of {args.repeats} repeats ({out['machine']}, Python {out['python']}, numpy {out['numpy']}, "
        f"pandas {out['pandas']}). The machine was shared: 1-min load average "
        f"{load_before:.1f} before and {out['load_average_1min_at_end']:.1f} at the end, so these "
        "figures are rough; on a loaded machine the CPU time is the better guide to the wall time on a quiet one.",
        "",
        "| what | median wall (s) | median CPU (s) |",
        "|---|---|---|",
        f"| `studylib.cfa` (ML CFA, SEs, fit indices, CR, AVE, HTMT, tables) | {t_cfa:.4f} "
        f"(lavaan {LAVAAN_S[0]:g}-{LAVAAN_S[1]:g} s: {'faster' if t_cfa < LAVAAN_S[0] else 'NOT faster'}) | "
        f"{_CPU['cfa']:.4f} ({'faster' if _CPU['cfa'] < LAVAAN_S[0] else 'NOT faster'} than lavaan) |",
        f"| `studylib.htmt`, B = {args.boot} bootstrap CIs | {t_htmt:.4f} (target < {HTMT_BOOT_TARGET_S:g} s: "
        f"{'met' if t_htmt < HTMT_BOOT_TARGET_S else 'NOT met'}) | {_CPU['htmt_boot']:.4f} |",
        f"| `studylib.cfa(boot={args.boot})` (HTMT + CR + AVE CIs, CFA refitted per resample) | {t_full:.4f} | {_CPU['cfa_boot']:.4f} |",
    ]
    if peer["available"]:
        lines.append(f"| semopy {peer['version']} `Model.fit` + `calc_stats` (no CR/AVE/HTMT) | {peer['median_s']:.4f} | {_CPU['semopy']:.4f} |")
        lines += [
            "",
            f"semopy / studylib time ratio: {peer['ratio_peer_over_studylib']:.1f}x wall, "
            f"{_CPU['semopy'] / _CPU['cfa']:.1f}x CPU (chi-square: studylib "
            f"{res.fit.chisq:.4f}, semopy {peer['chisq']:.4f}).",
        ]
    lines += [
        "",
        f"lavaan's figure ({LAVAAN_S[0]:g}-{LAVAAN_S[1]:g} s for cfa + fitMeasures + compRelSEM + AVE + htmt "
        "on the same data) was measured in R by the issue's author; R is not installed here.",
        f"Refits of the {args.boot} resamples whose CFA did not converge (left out of the CR/AVE "
        f"intervals): {full.options['boot_failed']}.",
    ]
    (RESULTS / "measurement.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
