"""``studylib simulate``: write a simulated (SYNTHETIC) questionnaire export."""

from __future__ import annotations

import argparse
from pathlib import Path

from .._json import write_json
from ..errors import OptionError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a synthetic questionnaire export of the 3 x 2 experiment",
        description=(
            "Simulate a SYNTHETIC raw export (Qualtrics-like columns, careless respondents, "
            "missing answers) from a parameter file and write it as CSV, Qualtrics CSV or "
            "SPSS .sav. With the defaults it reproduces data/synthetic/influencer_study."
        ),
    )
    parser.add_argument("--params", type=Path, default=None, metavar="FILE",
                        help="parameter YAML (default: data/synthetic/params.yaml)")
    parser.add_argument("--n", type=int, default=None,
                        help="respondents before exclusions (default: n in the parameter file)")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="random seed (default: seed in the parameter file)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="output file: .csv or .sav (SPSS, with value labels)")
    parser.add_argument("--qualtrics", action="store_true",
                        help="write a .csv with Qualtrics' two extra header rows")
    parser.add_argument("--study", type=Path, default=None, metavar="FILE",
                        help="study configuration for .sav value labels (default: analyses/study.yaml)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE",
                        help="also write a JSON summary (file, seed, n, n per cell)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from ..io import write_data
    from ..simulate import load_params, simulate_study
    from ..study import load_study
    from ._common import publish

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".sav"):
        raise OptionError(f"--out must end in .csv or .sav; got {args.out.name!r}")
    if args.qualtrics and suffix != ".csv":
        raise OptionError("--qualtrics needs an --out file ending in .csv")
    params = load_params(args.params)
    raw = simulate_study(params, n=args.n, seed=args.seed)
    fmt = "sav" if suffix == ".sav" else ("qualtrics_csv" if args.qualtrics else "csv")
    study = load_study(args.study) if fmt == "sav" else None
    write_data(raw, args.out, format=fmt, study=study, question_text=params.get("question_text"))
    cond = [params["design"]["valence"]["column"], params["design"]["response"]["column"]]
    cells = raw.groupby(cond).size().reset_index(name="n")
    summary = {"file": str(args.out), "format": fmt, "params": params["_source"],
               "seed": raw.attrs["seed"], "n": len(raw), "cells": cells}
    if args.json is not None:
        write_json(summary, args.json)
    publish()  # --out and --json together
    print(f"wrote {len(raw)} simulated respondents (seed {raw.attrs['seed']}) to {args.out}")
    return 0
