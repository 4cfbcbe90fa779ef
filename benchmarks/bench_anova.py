"""Benchmark of studylib.anova and its array fast path (not run in CI).

Inputs: none (simulated 3 x 2 data, fixed seed). Outputs: benchmarks/results/anova.json
and benchmarks/results/anova.md. Run from the repository root:

    python benchmarks/bench_anova.py [--example]

Measures the wall time of (a) the full ``anova()`` table (validation, Type III, effect
sizes, noncentral-F CIs), (b) ``FactorialDesign`` construction + one fit, (c) refitting
many outcome vectors with one design (the power-simulation path), against statsmodels'
``anova_lm(typ=3)`` with sum-to-zero coding as the peer. Also checks that all agree.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmark the studylib of this checkout, as the other benchmarks do

import studylib  # noqa: E402
from studylib._json import write_json  # noqa: E402
from studylib.anova import FactorialDesign, anova  # noqa: E402

OUT = Path(__file__).resolve().parent / "results"


def _data(n_per_cell: tuple[int, ...], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cells = [(v, r) for r in ("none", "like", "reply") for v in ("negative", "positive")]
    rows = []
    for (v, r), n in zip(cells, n_per_cell, strict=True):
        mu = {"none": 0.3, "like": -0.2, "reply": -0.4}[r] * (1 if v == "positive" else -1)
        rows.append(pd.DataFrame({"valence": v, "response": r, "psr": 4 + mu + rng.normal(size=n)}))
    return pd.concat(rows, ignore_index=True)


def _time(fn, repeat: int) -> float:
    """Median seconds per call over ``repeat`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", action="store_true", help="few repetitions (a quick check)")
    args = parser.parse_args(argv)
    repeat = 5 if args.example else 50
    n_sims = 200 if args.example else 5000

    df = _data((48, 52, 45, 55, 50, 50))  # n = 300, unbalanced
    codes = np.column_stack([
        (df["valence"] == "positive").to_numpy(int),
        df["response"].map({"none": 0, "like": 1, "reply": 2}).to_numpy(),
    ])
    y = df["psr"].to_numpy()

    def sm() -> pd.DataFrame:
        fit = smf.ols("psr ~ C(valence, Sum) * C(response, Sum)", df).fit()
        return anova_lm(fit, typ=3)

    ours, peer = anova(df, "psr", ["valence", "response"]), sm()
    max_rel_diff = float(np.max(np.abs(ours["ss"].to_numpy() - peer["sum_sq"].to_numpy()[1:]) / peer["sum_sq"].to_numpy()[1:]))

    rng = np.random.default_rng(2)
    Y = y[:, None] + rng.normal(size=(y.size, n_sims))
    design = FactorialDesign(codes, [2, 3])
    t0 = time.perf_counter()
    many = design.fit(Y)
    t_many = time.perf_counter() - t0
    one_by_one = np.array([design.fit(Y[:, j]).p for j in range(min(n_sims, 200))]).T
    agree = bool(np.allclose(one_by_one, many.p[:, : one_by_one.shape[1]], rtol=1e-10))

    results = {
        "studylib": studylib.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "statsmodels": statsmodels.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average_1min_at_start": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "n": int(y.size),
        "repeat": repeat,
        "seconds": {
            "anova_table_full": _time(lambda: anova(df, "psr", ["valence", "response"]), repeat),
            "statsmodels_ols_anova_lm_typ3": _time(sm, repeat),
            "factorial_design_build_and_fit": _time(lambda: FactorialDesign(codes, [2, 3]).fit(y), repeat),
            "factorial_design_fit_only": _time(lambda: design.fit(y), repeat),
            f"factorial_design_fit_{n_sims}_outcomes_at_once": t_many,
        },
        "max_relative_ss_difference_vs_statsmodels": max_rel_diff,
        "batch_equals_one_by_one": agree,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    write_json(results, OUT / "anova.json")
    lines = [
        "# studylib.anova benchmark",
        "",
        f"3 x 2 design, n = {results['n']} (unbalanced), median of {repeat} calls; "
        f"numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, "
        f"Python {results['python']} ({results['machine']}, {results['cpu_count']} CPUs, "
        f"1-min load average {results['load_average_1min_at_start']:.1f} at start: shared machine, "
        "so treat the times as rough).",
        "",
        "| what | ms per call |",
        "|:--|--:|",
        *[f"| {k} | {1000 * v:.3f} |" for k, v in results["seconds"].items()],
        "",
        f"Max relative SS difference vs statsmodels: {max_rel_diff:.2e}; batch fit equals "
        f"one-by-one fits: {agree}.",
    ]
    (OUT / "anova.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
