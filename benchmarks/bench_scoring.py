"""Benchmark: scoring and reliability of a 30-item scale for 100,000 respondents.

Inputs : none (simulated Likert data, fixed seed).
Outputs: benchmarks/results/scoring.json and benchmarks/results/scoring.md

Times ``studylib.score`` + ``studylib.reliability`` (pairwise alpha with CI, standardized
alpha, omega total, item table) with ``time.perf_counter`` over repeats and reports the
median, and times ``pingouin.cronbach_alpha`` (a peer: alpha and its CI only) on the same
data in the same run. Target: under 1 s for scoring + alpha on the project's 2-core machine.

Run: ``python benchmarks/bench_scoring.py [--n 100000] [--k 30] [--repeats 7] [--example]``
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
from studylib import Scale, reliability, score  # noqa: E402
from studylib._json import write_json  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TARGET_S = 1.0


def make_data(n: int, k: int, *, missing: float = 0.02, seed: int = 20261122) -> tuple[pd.DataFrame, Scale]:
    """n x k answers on 1..7 from a one-factor model; every 5th item reverse-keyed; a
    fraction ``missing`` of answers removed at random."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.round(4 + 1.1 * f + 1.2 * rng.normal(size=(n, k))), 1, 7)
    cols = [f"q{j + 1:02d}" for j in range(k)]
    rev = cols[4::5]
    idx = [cols.index(c) for c in rev]
    x[:, idx] = 8 - x[:, idx]
    x[rng.random(x.shape) < missing] = np.nan
    data = pd.DataFrame(x, columns=cols)
    scale = Scale.from_dict(
        {"id": "bench", "items": cols, "reverse": rev, "min": 1, "max": 7, "min_valid_items": k - 3}
    )
    return data, scale


_CPU: dict[str, float] = {}


def timed(fn, repeats: int, name: str = "") -> tuple[float, list[float]]:
    """Median wall time (perf_counter) over ``repeats`` after a warm-up; the median CPU
    time of the process (all threads) is kept in ``_CPU[name]`` for context."""
    fn()  # warm-up (imports, caches)
    times, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if name:
        _CPU[name] = statistics.median(cpu)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="respondents (default 100000)")
    ap.add_argument("--k", type=int, default=30, help="items (default 30)")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats (median reported)")
    ap.add_argument("--example", action="store_true", help="quick run: n=5000, 3 repeats")
    args = ap.parse_args(argv)
    if args.example:
        args.n, args.repeats = 5000, 3

    data, scale = make_data(args.n, args.k)

    def ours_score():
        return score(data, scale)

    def ours_alpha():
        return reliability(data, scale=scale)

    def ours_both():
        score(data, scale)
        reliability(data, scale=scale)

    t_score, _ = timed(ours_score, args.repeats, "score")
    t_alpha, _ = timed(ours_alpha, args.repeats, "reliability")
    t_both, all_both = timed(ours_both, args.repeats, "both")

    peer = {"available": False}
    try:
        import pingouin as pg

        keyed = data.copy()
        keyed[list(scale.reverse)] = 8 - keyed[list(scale.reverse)]
        t_pg, _ = timed(lambda: pg.cronbach_alpha(keyed), args.repeats, "pingouin")
        a_pg, ci_pg = pg.cronbach_alpha(keyed)
        peer = {
            "available": True,
            "name": "pingouin.cronbach_alpha",
            "version": pg.__version__,
            "what": "alpha + Feldt CI only (pairwise), on pre-reversed data",
            "median_s": t_pg,
            "alpha": float(a_pg),
            "ratio_peer_over_studylib_alpha": t_pg / t_alpha,
        }
    except ImportError:
        pass

    res = reliability(data, scale=scale)
    out = {
        "benchmark": "scoring + reliability",
        "n_respondents": args.n,
        "n_items": args.k,
        "missing_fraction": 0.02,
        "repeats": args.repeats,
        "timer": "time.perf_counter, median of repeats after one warm-up",
        "studylib_version": studylib.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_1min_at_end": os.getloadavg()[0],
        "studylib_score_median_s": t_score,
        "studylib_reliability_median_s": t_alpha,
        "studylib_score_plus_reliability_median_s": t_both,
        "studylib_score_plus_reliability_all_s": all_both,
        "target_s": TARGET_S,
        "meets_target": t_both < TARGET_S,
        "cpu_time_median_s": dict(_CPU),
        "alpha": res.alpha,
        "peer": peer,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(out, RESULTS / "scoring.json")
    lines = [
        "# Benchmark: scoring and reliability",
        "",
        f"{args.n:,} respondents x {args.k} items (1..7, 2% missing, 6 reverse-keyed), "
        f"median of {args.repeats} repeats ({out['machine']}, Python {out['python']}, "
        f"numpy {out['numpy']}, pandas {out['pandas']}; 1-min load average at the end "
        f"{out['load_average_1min_at_end']:.1f}).",
        "",
        "| what | median wall (s) | median CPU (s) |",
        "|---|---|---|",
        f"| `studylib.score` | {t_score:.4f} | {_CPU['score']:.4f} |",
        f"| `studylib.reliability` (alpha + CI, std alpha, omega, item table; pairwise) | {t_alpha:.4f} | {_CPU['reliability']:.4f} |",
        f"| score + reliability | {t_both:.4f} (target < {TARGET_S:g} s: {'met' if t_both < TARGET_S else 'NOT met'}) | {_CPU['both']:.4f} |",
    ]
    if peer["available"]:
        lines.append(
            f"| `pingouin.cronbach_alpha` {peer['version']} (alpha + CI only) | {peer['median_s']:.4f} | {_CPU['pingouin']:.4f} |"
        )
        lines += [
            "",
            f"pingouin / studylib reliability time ratio: {peer['ratio_peer_over_studylib_alpha']:.1f}x "
            f"(alpha: studylib {res.alpha:.6f}, pingouin {peer['alpha']:.6f}).",
        ]
    (RESULTS / "scoring.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
