"""Run the whole thesis analysis, or that of any other study file (the same as ``studylib reproduce``).

Inputs
------
- the study file (design, column map, scales, optional blocks, exclusion rules, models,
  hypotheses, seed, default data file): ``--study FILE``, else the file named by the
  environment variable ``STUDYLIB_STUDY``, else ``analyses/study.yaml`` (the thesis study);
  ``analyses/studies/disclosure/study.yaml`` is the second example study.
- the data file named there (the thesis: the shipped SYNTHETIC
  ``data/synthetic/influencer_study.csv``) or ``--data FILE`` (CSV, Qualtrics CSV or SPSS
  .sav). It is read, never modified.
- the questionnaire files the study file names (the thesis: ``questionnaires/*.yaml``).

Outputs (in ``results/`` or ``--out DIR``; written only when every step succeeded)
-------
- ``report.html``: self-contained report (tables and figures embedded, colophon).
- ``report.docx``: the same report as a Word document (APA tables as Word tables).
- ``report.pdf`` (with ``--pdf``, when Chromium is installed): report.html printed.
- ``tables/*.csv`` (unrounded), ``tables/*.md``, ``tables/*.tex``.
- ``figures/*.png``, ``figures/*.svg``.
- ``results.json``: every number in the report, the settings and the software versions.

Usage
-----
    python analyses/run_all.py              # full run, B = 5000
    python analyses/run_all.py --example    # fast mode, B = 1000
    python analyses/run_all.py --study analyses/studies/disclosure/study.yaml --out results/disclosure
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Use the studylib of the checkout this script belongs to (also when another one is installed).
_ROOT = Path(__file__).resolve().parent.parent
if (_ROOT / "studylib" / "__init__.py").is_file() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from studylib.cli import main as cli_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run ``studylib reproduce`` with them; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Options are those of `studylib reproduce --help`.")
    parser.add_argument("--data", metavar="FILE", help="questionnaire export (default: the data file of the study)")
    parser.add_argument("--study", "--config", dest="config", metavar="FILE",
                        help="study file (default: $STUDYLIB_STUDY, else analyses/study.yaml)")
    parser.add_argument("--out", metavar="DIR", help="results folder (default: results/)")
    parser.add_argument("--boot", type=int, metavar="B", help="bootstrap resamples (default 5000)")
    parser.add_argument("--seed", type=int, metavar="N", help="bootstrap seed (default: the study's)")
    parser.add_argument("--example", action="store_true", help="fast mode on the study's own data (B = 1000)")
    parser.add_argument("--json", metavar="FILE", help="also write the content of results.json to FILE")
    parser.add_argument("--pdf", action="store_true", help="also print report.pdf (needs Chromium)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--encoding", metavar="ENC", help="text encoding of the files read (default UTF-8)")
    parser.add_argument("--debug", action="store_true", help="on an error, also print the traceback")
    args = parser.parse_args(argv)
    forwarded = ["reproduce"]
    for name in ("data", "config", "out", "boot", "seed", "json", "encoding"):
        value = getattr(args, name)
        if value is not None:
            forwarded += [f"--{name}", str(value)]
    forwarded += (["--example"] * args.example + ["--pdf"] * args.pdf + ["--no-progress"] * args.no_progress
                  + ["--debug"] * args.debug)
    return cli_main(forwarded)


if __name__ == "__main__":
    raise SystemExit(main())
