"""``studylib power``: Monte Carlo power and n per cell of any study's declared tests."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib power --grid 20 40 60 80 --reps 1000 --target 0.8
  studylib power --config my_study.yaml --grid 30 60 90 --reps 2000 --json power.json
  studylib power --grid 40 60 80 --reps 200 --method bootstrap --boot 1000
  studylib power --grid 40 80 --reps 20000 --scheduler tcp://10.0.0.5:8786
  studylib power --effects analyses/power_model83.yaml --grid 30 60   # model 83 from paths

The study file's `simulation:` block gives each scale's mean in the reference cell, its
residual SD and its effects (see the README, "Power for any study"); every `kind: anova`
and `kind: process` model of the file is tested. --effects / --from-params instead
simulate PROCESS model 83 from its paths (studylib.power_model83): a YAML/JSON file with
the fields of studylib.Model83Effects and, optionally, a `design:` block naming X and W
(with their levels), the mediators M1, M2 and Y, e.g.
  design:
    x: {name: frame, levels: [gain, loss]}         # the first level is the reference
    w: {name: source, levels: [peer, brand, ad]}
    m: [trust, risk]
    y: intent
  effects:
    x_m1: 0.4                       # X -> M1 at W's reference level (a Cohen's d)
    xw_m1: {brand: -0.7, ad: -1.0}  # change of that effect at the other levels of W
    m1_m2: -0.4                     # M1 -> M2 (standardized)
    m2_y: -0.4                      # M2 -> Y (standardized)
Without a design: block, the example study's (analyses/power_model83.yaml).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "power",
        help="Monte Carlo power and n per cell of a study's ANOVAs and PROCESS models",
        description=(  # RawDescriptionHelpFormatter (for the epilog) does not wrap: lines here
            "Simulate the study of --config (its `simulation:` block) at each n per cell of\n"
            "--grid, analyse every replication as the study file says (ANOVAs with simple\n"
            "effects, PROCESS models), and report the power of each test (share of\n"
            "replications with p < alpha, or with a CI of the effect excluding 0), its Monte\n"
            "Carlo SE and the smallest n per cell reaching --target."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", type=Path, default=None, metavar="STUDY",
                   help="study file with a simulation: block (default: analyses/study.yaml)")
    p.add_argument("--models", nargs="+", default=None, metavar="NAME",
                   help="only these models of the study file (default: all ANOVA and process models)")
    p.add_argument("--grid", type=int, nargs="+", required=True, metavar="N",
                   help="sample sizes per cell, e.g. --grid 20 40 60")
    p.add_argument("--reps", type=int, default=1000, help="replications per grid point (default 1000)")
    p.add_argument("--target", type=float, default=0.8, help="target power in (0, 1) (default 0.8)")
    p.add_argument("--method", default="montecarlo", choices=("montecarlo", "bootstrap"),
                   help="CI of the process effects: Monte Carlo draws of the coefficients "
                   "(Preacher & Selig 2012; fast, default) or the bootstrap")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--scores", default="latent", choices=("latent", "items"),
                   help="analyse the simulated scores (default) or the means of simulated items")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--effects", type=Path, metavar="FILE",
                     help="model 83 instead: YAML/JSON file with the paths of studylib.Model83Effects "
                     "(and optionally its design: block; see below)")
    src.add_argument("--from-params", type=Path, metavar="FILE",
                     help="model 83 of the example study instead, with the effects of the simulator's "
                     "parameter file (data/synthetic/params.yaml)")
    p.add_argument("--anova-dvs", nargs="*", default=None, metavar="DV",
                   help="with --effects/--from-params: scores (M1, M2, Y) whose X x W ANOVA is tested "
                   "(default: all three; none when the flag is given alone)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="random seed (default: simulation.seed of the study file, else drawn)")
    p.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the replications on the Dask cluster of this scheduler, e.g. "
                   "tcp://10.0.0.5:8786 (needs the 'cluster' extra: pip install studylib[cluster])")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the result's to_dict() as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE", help="save the power curves (PNG, PDF, SVG)")
    p.add_argument("--no-progress", "--quiet", dest="quiet", action="store_true",
                   help="no progress bar (as in studylib reproduce; --quiet is the same)")
    p.set_defaults(func=run)
    return p


def _compute(args: argparse.Namespace):
    from ..power import Model83Effects, power, power_model83

    if args.effects is not None or args.from_params is not None:
        effects = (Model83Effects.from_params(args.from_params) if args.from_params is not None
                   else Model83Effects.from_file(args.effects))
        return power_model83(
            effects, n_grid=args.grid, reps=args.reps, method=args.method, draws=args.draws,
            boot=args.boot, anova_dvs=args.anova_dvs, scores=args.scores,
            params=args.from_params, alpha=args.alpha, target=args.target, seed=args.seed,
            n_jobs=args.n_jobs, progress=not args.quiet)
    return power(args.config, n_grid=args.grid, reps=args.reps, models=args.models,
                 method=args.method, draws=args.draws, boot=args.boot, alpha=args.alpha,
                 scores=args.scores, target=args.target, seed=args.seed, n_jobs=args.n_jobs,
                 progress=not args.quiet)


def _on_scheduler(address: str, work):
    """Run ``work()`` with joblib's Dask backend on the cluster of ``address``."""
    from ..errors import OptionError

    try:
        from dask.distributed import Client
    except ImportError:
        raise OptionError("--scheduler needs Dask: pip install 'studylib[cluster]' "
                          "(dask[distributed])") from None
    import joblib

    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise OptionError(f"--scheduler: cannot connect to the Dask scheduler at {address!r}: "
                          f"{exc}") from None
    with client, joblib.parallel_config(backend="dask"):
        return work()


_PLOT_FORMATS = (".png", ".pdf", ".svg")


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .._json import write_json
    from ..errors import OptionError
    from ._common import publish

    if args.plot is not None and args.plot.suffix.lower() not in _PLOT_FORMATS:
        raise OptionError(f"--plot must end in {', '.join(_PLOT_FORMATS)}; got {args.plot.name!r}")
    if args.scheduler is not None:
        res = _on_scheduler(args.scheduler, lambda: _compute(args))
    else:
        res = _compute(args)
    wide = res.power.pivot_table(index=["analysis", "effect"], columns="n_per_cell",
                                 values="power", sort=False)
    wide.columns = [f"n={c}" for c in wide.columns]
    with pd.option_context("display.width", 200, "display.max_colwidth", 70,
                           "display.max_rows", 500):
        print(f"Power by n per cell (MC SE <= {res.power['mc_se'].max():.3f}):")
        print(wide.round(3).to_string())
    print()
    print(res.summary())
    if args.json is not None:
        write_json(res.to_dict(), args.json)
    if args.plot is not None:
        import io

        import matplotlib

        from ..output import write_bytes

        matplotlib.use("Agg")
        ax = res.plot()
        buf = io.BytesIO()
        ax.figure.savefig(buf, format=args.plot.suffix.lower()[1:], bbox_inches="tight", dpi=150)
        write_bytes(args.plot, buf.getvalue())
    publish()  # --json and --plot together
    for written in (args.json, args.plot):
        if written is not None:
            print(f"wrote {written}")
    return 0
