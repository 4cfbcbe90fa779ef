"""``studylib simulate``: write a simulated (SYNTHETIC) questionnaire export."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import OptionError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a synthetic questionnaire export (the thesis's, or any study's)",
        description=(
            "Simulate a SYNTHETIC raw export and write it as CSV, Qualtrics CSV or SPSS .sav. "
            "With --config, any study's export from the `simulation:` block of its study file "
            "(its id, condition and item columns; attentive respondents). Without it, the "
            "export of a 2 x k experiment with a serial mediation (PROCESS model 83) from a "
            "parameter file, every name (factors, levels, scales, columns) taken from the file "
            "(Qualtrics-like columns, careless respondents, missing answers, optional "
            "attention check, manipulation checks, demographics and screening items): with "
            "the defaults, the example study's parameters, it reproduces "
            "data/synthetic/influencer_study."
        ),
    )
    parser.add_argument("--config", type=Path, default=None, metavar="STUDY",
                        help="study file with a simulation: block (any study)")
    parser.add_argument("--n-per-cell", type=int, default=None, metavar="N",
                        help="with --config: respondents per cell (default: simulation.n_per_cell)")
    parser.add_argument("--params", type=Path, default=None, metavar="FILE",
                        help="without --config: parameter YAML (default: data/synthetic/params.yaml, "
                        "the example study's)")
    parser.add_argument("--n", type=int, default=None,
                        help="without --config: respondents before exclusions (default: n in the "
                        "parameter file)")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="random seed (default: simulation.seed or the parameter file's seed)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="output file: .csv or .sav (SPSS, with value labels)")
    parser.add_argument("--qualtrics", action="store_true",
                        help="write a .csv with Qualtrics' two extra header rows")
    parser.add_argument("--study", type=Path, default=None, metavar="FILE",
                        help="without --config: study configuration for .sav value labels (default: "
                        "analyses/study.yaml; with --config, that study)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE",
                        help="also write a JSON summary (file, seed, n, n per cell)")
    parser.set_defaults(func=run)
    return parser


def _run_study(args: argparse.Namespace, fmt: str) -> int:
    from .._json import write_json
    from .._simblock import study_block
    from ..io import write_data
    from ..simulate import simulate_from_study

    if args.n is not None or args.params is not None:
        raise OptionError("--n and --params are for the thesis simulator; with --config give "
                          "--n-per-cell (or simulation.n_per_cell in the study file)")
    study, _ = study_block(args.config)
    raw = simulate_from_study(args.config, n_per_cell=args.n_per_cell, seed=args.seed)
    write_data(raw, args.out, format=fmt, study=study)
    cond = [f.column for f in study.factors]
    cells = raw.groupby(cond).size().reset_index(name="n")
    print(f"wrote {len(raw)} simulated respondents (seed {raw.attrs['seed']}) of "
          f"{args.config} to {args.out}")
    if args.json is not None:
        write_json({"file": str(args.out), "format": fmt, "study": str(args.config),
                    "seed": raw.attrs["seed"], "n": len(raw), "cells": cells}, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    from .._json import write_json
    from ..io import write_data
    from ..simulate import load_params, simulate_study
    from ..study import load_study
    from ._common import publish

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".sav"):
        raise OptionError(f"--out must end in .csv or .sav; got {args.out.name!r}")
    if args.qualtrics and suffix != ".csv":
        raise OptionError("--qualtrics needs an --out file ending in .csv")
    fmt = "sav" if suffix == ".sav" else ("qualtrics_csv" if args.qualtrics else "csv")
    if args.config is not None:
        return _run_study(args, fmt)
    if args.n_per_cell is not None:
        raise OptionError("--n-per-cell needs --config STUDY (the thesis simulator takes --n)")
    params = load_params(args.params)
    raw = simulate_study(params, n=args.n, seed=args.seed)
    study = load_study(args.study) if fmt == "sav" else None
    write_data(raw, args.out, format=fmt, study=study, question_text=params.get("question_text"))
    cond = [spec["column"] for spec in params["design"].values()]
    cells = raw.groupby(cond).size().reset_index(name="n")
    summary = {"file": str(args.out), "format": fmt, "params": params["_source"],
               "seed": raw.attrs["seed"], "n": len(raw), "cells": cells}
    if args.json is not None:
        write_json(summary, args.json)
    publish()  # --out and --json together
    print(f"wrote {len(raw)} simulated respondents (seed {raw.attrs['seed']}) to {args.out}")
    return 0
