"""``studylib process``: fit a PROCESS model to a CSV file and print it like PROCESS does."""

from __future__ import annotations

import argparse

import pandas as pd

from .._json import write_json
from ..errors import ColumnError, DataError, OptionError
from ._common import publish, read_table

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib process --data study.csv --model 83 --x valence --w response \\
      --m psr pk --y attitude --levels valence=negative,positive \\
      --levels response=none,like,reply --seed 1 --json results/model83.json
  studylib process --data pmi.csv --model 4 --x cond --m pmi --y reaction

Text columns (and columns named in --levels) are categorical; their reference group is
the first level given in --levels, else the first in sorted order.
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "process",
        help="conditional process model (PROCESS models 1-92, incl. 83) with bootstrap CIs",
        description="Fit a regression-based conditional process model (Hayes' PROCESS) to a CSV "
        "file: OLS equations, conditional, direct and indirect effects, bootstrap CIs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", required=True, metavar="FILE",
                   help="CSV, Qualtrics CSV or SPSS .sav file, one row per case (only read)")
    p.add_argument("--model", type=int, metavar="N", help="PROCESS model number (1-3, 4, 6-8, 14, 15, 58, 59, 83-92)")
    p.add_argument("--spec", metavar="EQS", help="custom model instead of --model, e.g. 'm ~ x*w; y ~ m + x'")
    p.add_argument("--x", required=True, help="focal predictor column")
    p.add_argument("--y", required=True, help="outcome column")
    p.add_argument("--m", nargs="+", metavar="COL", help="mediator column(s), in causal order")
    p.add_argument("--w", help="moderator W column")
    p.add_argument("--z", help="moderator Z column")
    p.add_argument("--covariates", nargs="+", metavar="COL", help="covariates (every equation)")
    p.add_argument("--levels", action="append", default=[], metavar="COL=A,B,...",
                   help="make COL categorical with these levels in this order (first = reference); repeatable")
    p.add_argument("--x-coding", choices=["indicator", "sequential", "helmert", "effect"],
                   help="coding of a multicategorical X")
    p.add_argument("--w-coding", default="indicator", choices=["indicator", "sequential", "helmert", "effect"],
                   help="coding of a categorical W (default: indicator)")
    p.add_argument("--boot", type=int, default=5000, help="bootstrap resamples, >= 1000, or 0 (default: 5000)")
    p.add_argument("--seed", type=int, help="seed for bit-identical bootstrap results")
    p.add_argument("--conf", type=float, default=0.95, help="confidence level (default: 0.95)")
    p.add_argument("--ci", default="percentile", choices=["percentile", "bc"], help="bootstrap interval")
    p.add_argument("--hc", choices=["HC0", "HC1", "HC2", "HC3", "HC4"], help="robust standard errors")
    p.add_argument("--center", default="none", choices=["none", "continuous", "all"],
                   help="mean-centre variables that form products")
    p.add_argument("--probe", default="percentile", choices=["percentile", "meansd"],
                   help="values of a continuous moderator (default: 16th/50th/84th percentiles)")
    p.add_argument("--wvalues", nargs="+", type=float, metavar="V", help="probe W at these values")
    p.add_argument("--effsize", action="store_true",
                   help="standardized effects (mediation models without moderators, e.g. 4 and 6)")
    p.add_argument("--normal", action="store_true",
                   help="normal-theory (Sobel) tests of the indirect effects (model 4 and similar)")
    p.add_argument("--json", metavar="FILE", help="also write the results (same content as .to_dict()) as JSON")
    p.set_defaults(func=run)
    return p


def _apply_levels(data: pd.DataFrame, specs: list[str]) -> pd.DataFrame:
    data = data.copy()
    for spec in specs:
        if "=" not in spec:
            raise OptionError(f"--levels must look like COL=A,B,C; got {spec!r}")
        col, _, text = spec.partition("=")
        if col not in data.columns:
            raise ColumnError(f"--levels names a column not in the data: {col!r}")
        levels = [v.strip() for v in text.split(",") if v.strip()]
        if pd.api.types.is_numeric_dtype(data[col]):
            try:
                levels = [float(v) for v in levels]
            except ValueError as exc:
                raise OptionError(f"--levels for numeric column {col!r} must be numbers; got {text!r}") from exc
        unknown = sorted({str(v) for v in data[col].dropna().unique()} - {str(v) for v in levels})
        if pd.api.types.is_numeric_dtype(data[col]):
            unknown = sorted(set(data[col].dropna().unique()) - set(levels))
        if unknown:
            raise DataError(f"column {col!r} has values not listed in --levels {levels}: {unknown}")
        data[col] = pd.Categorical(data[col], categories=levels)
    return data


def run(args: argparse.Namespace) -> int:
    from ..process import process

    numeric = [args.y, *(args.m or []), *(args.covariates or [])]
    data = _apply_levels(read_table(args.data, numeric=numeric), args.levels)
    res = process(
        data, model=args.model, spec=args.spec, x=args.x, y=args.y, m=args.m, w=args.w, z=args.z,
        covariates=args.covariates, x_coding=args.x_coding, w_coding=args.w_coding, boot=args.boot,
        seed=args.seed, conf=args.conf, ci=args.ci, hc=args.hc, center=args.center, probe=args.probe,
        wvalues=args.wvalues, effsize=args.effsize, normal=args.normal,
    )
    print(res.summary())
    if args.json:
        write_json(res.to_dict(), args.json)
        publish()
        print(f"\nwrote {args.json}")
    return 0
