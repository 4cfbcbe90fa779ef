"""Benchmark of studylib.process against pyprocessmacro and pingouin.

Inputs: none (simulated 3 x 2 data). Outputs: benchmarks/results/process.json and .md.

Measured in one run on this machine:
- studylib model 83 (X -> PSR moderated by the 3-level response, serial PSR -> PK,
  attitude on all) at n = 300 and n = 30,000, B = 5000 (targets: 0.03 s and 1.5 s);
- studylib vs pyprocessmacro on models 6 and 7 at the same n and B = 5000 (target: >= 5x);
- a binary Y (``bought``, from attitude by a logistic draw): studylib's logistic model 83 (two
  mediators, three-level W; target at n = 300: well under 1 s) and models 6 and 7 beside
  pyprocessmacro's logistic models 6 and 7 (``logit=True``) on the same data (target: >= 5x);
- studylib model 4 vs pingouin.mediation_analysis (parallel mediators psr and pk, the
  closest model pingouin fits) at the same n and B = 5000 (target: >= 50x);
- peak memory (max RSS of a fresh subprocess) of model 83 at n = 100,000 with 10,000
  resamples (target: < 2 GB);
- studylib's two counting engines: the compiled one (numba, the ``fast`` extra) that the
  rows "studylib model..." use when numba is installed, and numpy's (rows "... numpy"),
  which gives identical draws; and the first fit in a new process, which compiles the
  kernel (empty numba cache) or loads it from the cache.

Each timing is the minimum over repetitions (fewer repetitions for the slow peers), with
the machine's load average recorded, since other jobs share the 2 cores.

Run: ``python benchmarks/bench_process.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import studylib  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
B = 5000


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """3 x 2 between-subjects data with the study's variables (balanced cells)."""
    rng = np.random.default_rng(seed)
    val = np.tile([0, 1], n // 2 + 1)[:n]
    resp = np.repeat([0, 1, 2], n // 3 + 1)[:n][rng.permutation(n)]
    psr = 4 + np.array([0.5, -0.3, -0.6])[resp] * val + rng.normal(0, 1, n)
    pk = 5 - 0.5 * psr + rng.normal(0, 1, n)
    att = 3 + 0.2 * psr - 0.4 * pk + 0.1 * val + rng.normal(0, 1, n)
    bought = (att - att.mean() + rng.logistic(size=n) > 0).astype(float)  # a binary outcome (about half 1)
    return pd.DataFrame({
        "valence": pd.Categorical.from_codes(val, ["negative", "positive"]),
        "response": pd.Categorical.from_codes(resp, ["none", "like", "reply"]),
        "x": val.astype(float), "w": resp.astype(float),
        "psr": psr, "pk": pk, "attitude": att, "bought": bought,
    })


def timed(fun, reps: int) -> dict:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fun()
        times.append(time.perf_counter() - t0)
    return {"min_s": min(times), "median_s": float(np.median(times)), "reps": reps}


def engine() -> str:
    """The counting engine studylib uses here."""
    from studylib.process._fastcount import counting_kernel

    if counting_kernel() is None:
        return "numpy"
    import numba

    return f"compiled (numba {numba.__version__})"


def numpy_counting_runs(d: pd.DataFrame, reps: int) -> dict:
    """Models 83 and 4 with numpy's counting (the path taken without numba): same draws."""
    from studylib.process import bootstrap

    compiled = bootstrap.counting_kernel
    bootstrap.counting_kernel = lambda: None
    try:
        return {"model83 numpy": timed(lambda: studylib.process(
                    d, model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=B, seed=1), reps),
                "model4 numpy": timed(lambda: studylib.process(
                    d, model=4, x="x", m=["psr", "pk"], y="attitude", boot=B, seed=1), reps)}
    finally:
        bootstrap.counting_kernel = compiled


_FIRST_FIT_CHILD = """
import sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_process import simulate
import studylib
d = simulate(300)
t0 = time.perf_counter()
studylib.process(d, model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=5000, seed=1)
print(time.perf_counter() - t0)
"""


def first_fit_runs() -> dict:
    """Model 83 (n = 300) as the first fit of a new process: empty numba cache, then filled."""
    import tempfile

    code = _FIRST_FIT_CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("empty cache", "cached kernel"):
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            out[label] = float(run.stdout.split()[-1])
    return out


def studylib_runs(d: pd.DataFrame, reps: int) -> dict:
    out = {}
    out["model83"] = timed(lambda: studylib.process(d, model=83, x="valence", w="response", m=["psr", "pk"],
                                                    y="attitude", boot=B, seed=1), reps)
    out["model6"] = timed(lambda: studylib.process(d, model=6, x="x", m=["psr", "pk"], y="attitude", boot=B,
                                                   seed=1), reps)
    out["model7"] = timed(lambda: studylib.process(d, model=7, x="x", w="response", m=["psr", "pk"],
                                                   y="attitude", boot=B, seed=1), reps)
    out["model4"] = timed(lambda: studylib.process(d, model=4, x="x", m=["psr", "pk"], y="attitude", boot=B,
                                                   seed=1), reps)
    return out


def studylib_binary_runs(d: pd.DataFrame, reps: int) -> dict:
    """Logistic Y equation (binary ``bought``): the bootstrap refits it by stacked Newton steps."""
    out = {}
    out["model83 binary"] = timed(lambda: studylib.process(d, model=83, x="valence", w="response", m=["psr", "pk"],
                                                           y="bought", boot=B, seed=1), reps)
    out["model6 binary"] = timed(lambda: studylib.process(d, model=6, x="x", m=["psr", "pk"], y="bought", boot=B,
                                                          seed=1), reps)
    out["model7 binary"] = timed(lambda: studylib.process(d, model=7, x="x", w="response", m=["psr", "pk"],
                                                          y="bought", boot=B, seed=1), reps)
    return out


def peer_binary_runs(d: pd.DataFrame, reps: int) -> dict:
    out = {}
    try:
        from pyprocessmacro import Process
    except ImportError as exc:  # pragma: no cover - reported, not hidden
        return {"pyprocessmacro_error": str(exc)}
    num = d[["x", "w", "psr", "pk", "bought"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["pyprocessmacro_model6 binary"] = timed(
            lambda: Process(data=num, model=6, x="x", y="bought", m=["psr", "pk"], boot=B, seed=1, logit=True,
                            suppr_init=True), reps)
        out["pyprocessmacro_model7 binary"] = timed(
            lambda: Process(data=num, model=7, x="x", y="bought", m=["psr", "pk"], w="w", mcw=1, boot=B, seed=1,
                            logit=True, suppr_init=True), reps)
    return out


def peer_runs(d: pd.DataFrame, reps: int) -> dict:
    out = {}
    try:
        from pyprocessmacro import Process

        num = d[["x", "w", "psr", "pk", "attitude"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["pyprocessmacro_model6"] = timed(
                lambda: Process(data=num, model=6, x="x", y="attitude", m=["psr", "pk"], boot=B, seed=1,
                                suppr_init=True), reps)
            out["pyprocessmacro_model7"] = timed(
                lambda: Process(data=num, model=7, x="x", y="attitude", m=["psr", "pk"], w="w", mcw=1, boot=B,
                                seed=1, suppr_init=True), reps)
    except ImportError as exc:  # pragma: no cover - reported, not hidden
        out["pyprocessmacro_error"] = str(exc)
    import pingouin as pg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["pingouin_mediation"] = timed(
            lambda: pg.mediation_analysis(data=d, x="x", m=["psr", "pk"], y="attitude", n_boot=B, seed=1), reps)
    return out


_MEMORY_CHILD = """
import sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from bench_process import simulate
import studylib
d = simulate(100_000, seed=3)
t0 = time.perf_counter()
res = studylib.process(d, model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=10_000, seed=1)
elapsed = time.perf_counter() - t0
# VmHWM: peak resident memory of this process image (ru_maxrss would include the parent's
# pages inherited through fork before exec)
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(hwm, elapsed, res.boot.B)
"""


def memory_run() -> dict:
    code = _MEMORY_CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kb, elapsed, b = out.stdout.split()
    return {"n": 100_000, "boot": int(b), "peak_rss_mb": int(kb) / 1024, "seconds": float(elapsed)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 300 only, no memory run (a smoke run)")
    args = parser.parse_args(argv)
    result = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "numpy": np.__version__, "load_average_start": os.getloadavg()},
        "studylib_version": studylib.__version__, "boot": B, "engine": engine(), "runs": {},
    }
    if result["engine"] != "numpy":
        result["first_fit"] = first_fit_runs()
        print(f"first fit in a new process: {result['first_fit']}", flush=True)
    if not args.quick:  # first, while this process is still small
        result["memory"] = memory_run()
        print(f"memory: {result['memory']}", flush=True)
    sizes = [(300, 7, 3)] if args.quick else [(300, 7, 3), (30_000, 3, 1)]
    for n, reps, peer_reps in sizes:
        d = simulate(n)
        ours = studylib_runs(d, reps)
        if result["engine"] != "numpy":
            ours.update(numpy_counting_runs(d, reps))
        ours.update(studylib_binary_runs(d, reps))
        peers = peer_runs(d, peer_reps)
        peers.update(peer_binary_runs(d, peer_reps))
        ratios = {}
        for m in ("6", "7", "6 binary", "7 binary"):
            key = f"pyprocessmacro_model{m}"
            if key in peers:
                ratios[f"model{m}_vs_pyprocessmacro"] = peers[key]["min_s"] / ours[f"model{m}"]["min_s"]
        ratios["model4_vs_pingouin"] = peers["pingouin_mediation"]["min_s"] / ours["model4"]["min_s"]
        if "model4 numpy" in ours:
            ratios["model4 numpy_vs_pingouin"] = peers["pingouin_mediation"]["min_s"] / ours["model4 numpy"]["min_s"]
        result["runs"][str(n)] = {"studylib": ours, "peers": peers, "speedup": ratios}
        print(f"n={n}: model 83 {ours['model83']['min_s']:.3f} s, binary {ours['model83 binary']['min_s']:.3f} s; "
              f"speed-ups {ratios}", flush=True)
    result["machine"]["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "process.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "process.md").write_text(markdown(result))
    print(f"wrote {RESULTS / 'process.json'} and .md")
    return 0


def markdown(r: dict) -> str:
    lines = [f"# studylib.process benchmark ({r['date_utc']})", "",
             f"Machine: {r['machine']['cpus']} CPUs, {r['machine']['platform']}, Python {r['machine']['python']}, "
             f"numpy {r['machine']['numpy']}; load average at start {r['machine']['load_average_start']}, "
             f"at end {r['machine']['load_average_end']} (other jobs shared the cores).",
             f"B = {r['boot']} resamples everywhere; times are the minimum over the repetitions shown.",
             f"Counting engine: {r['engine']}; rows marked 'numpy' use numpy's counting (same draws).", "",
             "| n | quantity | seconds (min) | median | reps | target |", "|---|---|---|---|---|---|"]
    targets = {("300", "model83"): "<= 0.03 s", ("30000", "model83"): "<= 1.5 s", ("300", "model83 binary"): "< 1 s"}
    for n, run in r["runs"].items():
        for k, v in run["studylib"].items():
            tgt = targets.get((n, k), "")
            lines.append(f"| {n} | studylib {k} | {v['min_s']:.4f} | {v['median_s']:.4f} | {v['reps']} | {tgt} |")
        for k, v in run["peers"].items():
            if isinstance(v, dict):
                lines.append(f"| {n} | {k} | {v['min_s']:.4f} | {v['median_s']:.4f} | {v['reps']} | |")
        for k, v in run["speedup"].items():
            tgt = ">= 50x" if "pingouin" in k else ">= 5x"
            lines.append(f"| {n} | speed-up {k} | {v:.1f}x | | | {tgt} |")
    for label, seconds in r.get("first_fit", {}).items():
        lines.append(f"| 300 | model 83 as the first fit of a new process, {label} | {seconds:.4f} | | 1 | |")
    if "memory" in r:
        m = r["memory"]
        lines.append(f"| {m['n']} | model 83, {m['boot']} resamples: peak RSS {m['peak_rss_mb']:.0f} MB, "
                     f"{m['seconds']:.1f} s | | | 1 | < 2048 MB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
