"""``studylib reproduce``: run a study's whole analysis and write the results folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parser", "run"]

#: --out names a results folder (studylib.cli._common.prepare_outputs checks it before the run).
OUTPUT_FLAGS = {"out": "folder", "json": "file"}

_DESCRIPTION = """\
Run a study's whole analysis as its study file describes it (data preparation and
exclusions, scale scoring and reliability, manipulation checks, each ANOVA and PROCESS
model with a bootstrap, the check of its hypotheses) and write results/: report.html
(self-contained), tables/ (CSV, Markdown, LaTeX), figures/ (PNG, SVG) and results.json with
every number of the report. Blocks the study file does not declare are skipped (the report
lists them). The study file: --config, else $STUDYLIB_STUDY, else analyses/study.yaml (the
example study, on the shipped SYNTHETIC data). Nothing is written unless every step
succeeds; the same data, study file, --boot and --seed give identical files.
"""

_EPILOG = """\
examples:
  studylib reproduce                       # shipped synthetic data -> results/
  studylib reproduce --example             # fast check (B = 1000 resamples)
  studylib reproduce --data data/raw/my_export.csv --out results/mine
To analyse your own study, describe it in a study file (README, "The study file"; e.g. a
copy of analyses/study.yaml) and pass it with --config or set STUDYLIB_STUDY.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``reproduce`` subcommand."""
    parser = subparsers.add_parser(
        "reproduce", help="run a study's whole analysis and write results/report.html",
        description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, metavar="FILE",
                        help="questionnaire export: CSV, Qualtrics CSV or SPSS .sav "
                             "(default: the configuration's data, the shipped synthetic set)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="study file (default: $STUDYLIB_STUDY, else analyses/study.yaml)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="results folder (default: results/ in the project); only files studylib "
                             "wrote there (listed in its .studylib-manifest.json) are replaced")
    parser.add_argument("--boot", type=int, metavar="B",
                        help="bootstrap resamples of every PROCESS model (default: each model's boot, "
                             "else 5000; at least 1000)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="bootstrap seed (default: the configuration's seed)")
    parser.add_argument("--example", action="store_true",
                        help="fast mode on the study's own data (B = 1000); cannot be combined with --data")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the content of results.json to FILE")
    parser.add_argument("--no-progress", action="store_true", help="do not show progress bars")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the pipeline for parsed arguments; print the key findings; return 0."""
    from .._json import write_json
    from ..pipeline import reproduce
    from ._common import publish

    result = reproduce(args.data, config=args.config, out=args.out, boot=args.boot, seed=args.seed,
                       example=args.example, progress=not args.no_progress)
    if args.json is not None:
        write_json(result.to_dict(), args.json)
    publish()  # the results folder and --json together
    print(result.summary())
    print(f"Report: {result.out / 'report.html'}", file=sys.stdout)
    return 0
