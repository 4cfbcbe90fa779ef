"""``studylib process``: fit a PROCESS model to a CSV file and print it like PROCESS does."""

from __future__ import annotations

import argparse
import sys
import warnings

import pandas as pd

from .._json import write_json
from ..errors import ColumnError, DataError, OptionError
from ..process.coding import CODINGS, CodingWarning
from ._common import publish, read_table

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib process --data study.csv --model 83 --x valence --w response \\
      --m psr pk --y attitude --levels valence=negative,positive \\
      --levels response=none,like,reply --seed 1 --json results/model83.json
  studylib process --data pmi.csv --model 4 --x cond --m pmi --y reaction
  studylib process --data pmi.csv --model 4 --x cond --m pmi --y reaction \
      --covariates pmi=age reaction=age,gender
  studylib process --list-models

X, W and Z are categorical when given a coding (--x-coding, --w-coding, --z-coding, as
PROCESS mcx/mcw/mcz: a numeric column coded 0/1/2 then has three groups) and when they are
text or named in --levels (indicator coding by default); other numeric columns are
continuous. The reference group is the first level given in --levels, else the lowest
value. A numeric W or Z with 2-9 distinct values and no coding is fitted as continuous
with a warning.
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "process",
        help="conditional process model (every PROCESS 4 model, incl. 83) with bootstrap CIs",
        description="Fit a regression-based conditional process model (Hayes' PROCESS) to a CSV "
        "file: OLS equations (logistic for a binary Y), conditional, direct and indirect effects, "
        "bootstrap CIs. --list-models prints the model numbers.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--list-models", action="store_true",
                   help="print the PROCESS model numbers with their paths and mediator rules, then exit")
    p.add_argument("--data", metavar="FILE",
                   help="CSV, Qualtrics CSV or SPSS .sav file, one row per case (only read); required")
    p.add_argument("--model", type=int, metavar="N",
                   help="PROCESS model number: 1-22, 28, 29, 58-73, 75, 76, 80-92 (see --list-models)")
    p.add_argument("--spec", metavar="EQS", help="custom model instead of --model, e.g. 'm ~ x*w; y ~ m + x'")
    p.add_argument("--x", help="focal predictor column; required")
    p.add_argument("--y", help="outcome column (two distinct values: a logistic equation); required")
    p.add_argument("--m", nargs="+", metavar="COL", help="mediator column(s), in causal order")
    p.add_argument("--w", help="moderator W column")
    p.add_argument("--z", help="moderator Z column")
    p.add_argument("--covariates", nargs="+", metavar="COL",
                   help="covariates of every equation (COL COL ...), or per equation as EQ=COL,COL (EQ an outcome: "
                   "a mediator or Y; equations not named get none), as PROCESS covmy/cmatrix")
    p.add_argument("--levels", action="append", default=[], metavar="COL=A,B,...",
                   help="make COL categorical with these levels in this order (first = reference); repeatable")
    for role in ("x", "w", "z"):
        p.add_argument(f"--{role}-coding", choices=list(CODINGS), metavar="CODING",
                       help=f"make {role.upper()} categorical with this coding ({', '.join(CODINGS)}), whatever "
                       f"its values, as PROCESS mc{role} (default: text columns and --levels columns indicator-"
                       "coded, numeric columns continuous)")
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
    p.add_argument("--zvalues", nargs="+", type=float, metavar="V", help="probe Z at these values")
    p.add_argument("--effsize", action="store_true",
                   help="standardized effects of a mediation model with a continuous Y (moderated ones: partially "
                   "standardized conditional indirect effects and indexes)")
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


def _covariates(tokens: list[str] | None) -> list[str] | dict[str, list[str]] | None:
    """``--covariates a b`` (every equation) or ``--covariates m=a,b y=a`` (by equation)."""
    if not tokens:
        return None
    by_eq = ["=" in t for t in tokens]
    if not any(by_eq):
        return list(tokens)
    if not all(by_eq):
        raise OptionError(f"--covariates takes either columns (every equation) or EQ=COL,COL items (by "
                          f"equation), not both; got {tokens}")
    out: dict[str, list[str]] = {}
    for t in tokens:
        eq, _, cols = t.partition("=")
        names = [c.strip() for c in cols.split(",") if c.strip()]
        if not eq or not names:
            raise OptionError(f"--covariates by equation must look like EQ=COL,COL; got {t!r}")
        out.setdefault(eq, []).extend(names)
    return out


def _print_models() -> int:
    from ..process import models_table

    tab = models_table()
    print("model  mediators      paths and moderators (each model is a row of studylib.process.models.MODEL_TABLE)")
    for row in tab.itertuples():
        print(f"{row.model:>5}  {row.mediators:<13}  {row.description}")
    print("\nmediators: how many m= takes (parallel or serial); a moderator 'W x Z' means W, Z and their product.")
    return 0


def run(args: argparse.Namespace) -> int:
    from ..process import process

    if args.list_models:
        return _print_models()
    missing = [f"--{k}" for k in ("data", "x", "y") if getattr(args, k) is None]
    if missing:
        raise OptionError(f"studylib process needs {', '.join(missing)} (or --list-models)")
    covariates = _covariates(args.covariates)
    cov_cols = covariates if isinstance(covariates, list) else [c for v in (covariates or {}).values() for c in v]
    numeric = [args.y, *(args.m or []), *cov_cols]
    data = _apply_levels(read_table(args.data, numeric=numeric), args.levels)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CodingWarning)
        res = process(
            data, model=args.model, spec=args.spec, x=args.x, y=args.y, m=args.m, w=args.w, z=args.z,
            covariates=covariates, x_coding=args.x_coding, w_coding=args.w_coding,
            z_coding=args.z_coding, boot=args.boot, seed=args.seed, conf=args.conf, ci=args.ci, hc=args.hc,
            center=args.center, probe=args.probe, wvalues=args.wvalues, zvalues=args.zvalues,
            effsize=args.effsize, normal=args.normal,
        )
    for w in caught:
        if isinstance(w.message, CodingWarning):  # advice in the command's own terms
            print(f"studylib process: warning: {w.message.advice(f'--{w.message.role}-coding indicator')}",
                  file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    print(res.summary())
    if args.json:
        write_json(res.to_dict(), args.json)
        publish()
        print(f"\nwrote {args.json}")
    return 0
