"""``studylib power``: Monte Carlo power and sample size for the 3 x 2 design (model 83)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib power --grid 20 40 60 --reps 1000 --target 0.8
  studylib power --grid 40 60 80 --reps 200 --method bootstrap --boot 1000
  studylib power --grid 30 60 --effects my_paths.yaml --json power.json --plot power.png
  studylib power --grid 40 60 --from-params data/synthetic/params.yaml

Without --effects or --from-params, illustrative standardized paths in the direction of the
thesis findings are used (studylib.power.THESIS_EFFECTS). An effects file is YAML or JSON
with the fields of studylib.Model83Effects, e.g.
  x_m1: 0.4                       # valence -> psr when the influencer does not respond (d)
  xw_m1: {like: -0.7, reply: -1.0}  # change of that effect for like / reply
  m1_m2: -0.4                     # psr -> pk (standardized)
  m2_y: -0.4                      # pk -> attitude (standardized)
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "power",
        help="Monte Carlo power and n per cell for the ANOVAs and model 83",
        description=(  # RawDescriptionHelpFormatter (for the epilog) does not wrap: lines here
            "Simulate the 3 x 2 design at each n per cell of --grid, fit the 3 x 2 ANOVAs\n"
            "(psr, pk, attitude) and PROCESS model 83 in every replication, and report the\n"
            "power of each test (share of replications with p < alpha, or with a CI of the\n"
            "indirect effect excluding 0), its Monte Carlo SE and the smallest n per cell\n"
            "reaching --target."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--grid", type=int, nargs="+", required=True, metavar="N",
                   help="sample sizes per cell (6 cells), e.g. --grid 20 40 60")
    p.add_argument("--reps", type=int, default=1000, help="replications per grid point (default 1000)")
    p.add_argument("--target", type=float, default=0.8, help="target power in (0, 1) (default 0.8)")
    p.add_argument("--method", default="montecarlo", choices=("montecarlo", "bootstrap"),
                   help="CI of the indirect effects: Monte Carlo draws of the paths "
                   "(Preacher & Selig 2012; fast, default) or percentile bootstrap")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--effects", type=Path, metavar="FILE",
                     help="YAML/JSON file with the paths of studylib.Model83Effects")
    src.add_argument("--from-params", type=Path, metavar="FILE",
                     help="the simulator's parameter file (data/synthetic/params.yaml): "
                     "take the effects the synthetic data were generated with")
    p.add_argument("--anova-dvs", nargs="*", default=["psr", "pk", "attitude"], metavar="DV",
                   help="DVs whose 3 x 2 ANOVA is tested (default: psr pk attitude; none: give "
                   "the flag without values)")
    p.add_argument("--scores", default="latent", choices=("latent", "items"),
                   help="analyse latent normal scores (default) or means of simulated 7-point "
                   "items (measurement model of the simulator's parameter file)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="random seed (default: drawn and reported)")
    p.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the result's to_dict() as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE", help="save the power curves (PNG, PDF, SVG)")
    p.add_argument("--no-progress", "--quiet", dest="quiet", action="store_true",
                   help="do not show the progress bar (as in studylib reproduce; --quiet is the same)")
    p.set_defaults(func=run)
    return p


def _load_effects(args: argparse.Namespace):
    from ..power import Model83Effects

    if args.from_params is not None:
        return Model83Effects.from_params(args.from_params)
    if args.effects is not None:
        return Model83Effects.from_file(args.effects)
    return None


_PLOT_FORMATS = (".png", ".pdf", ".svg")


def run(args: argparse.Namespace) -> int:
    from .._json import write_json
    from ..errors import OptionError
    from ..power import power_model83
    from ._common import publish

    if args.plot is not None and args.plot.suffix.lower() not in _PLOT_FORMATS:
        raise OptionError(f"--plot must end in {', '.join(_PLOT_FORMATS)}; got {args.plot.name!r}")
    effects = _load_effects(args)
    res = power_model83(
        effects,
        n_grid=args.grid,
        reps=args.reps,
        method=args.method,
        draws=args.draws,
        boot=args.boot,
        anova_dvs=args.anova_dvs,
        scores=args.scores,
        params=args.from_params,
        alpha=args.alpha,
        target=args.target,
        seed=args.seed,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
    )
    wide = res.power.pivot_table(index=["analysis", "effect"], columns="n_per_cell",
                                 values="power", sort=False)
    wide.columns = [f"n={c}" for c in wide.columns]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60,
                           "display.max_rows", 200):
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
