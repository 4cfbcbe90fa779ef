"""The ``studylib`` command.

Each subcommand lives in its own module of this package and defines
``add_parser(subparsers)``, which registers an ``argparse`` parser whose ``func`` default
takes the parsed arguments and returns an exit code. Errors of studylib's own classes
(bad input) and file-system errors (a file that does not exist or cannot be read or
written) are printed as one line and give exit code 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import StudylibError

__all__ = ["main", "build_parser"]

# Errors about a path the user gave (--data, --out, --json, ...): reported like bad input.
_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)

# Subcommand modules, in the order shown by --help, with the one-line help each module's
# add_parser gives (tests/test_import.py checks that the two agree). Only the module of the
# command being run is imported, so that ``studylib --help`` imports none of them.
_HELP: dict[str, str] = {
    "reproduce": "run the whole thesis analysis and write results/report.html",
    "score": "score questionnaire scales and report their reliability",
    "anova": "factorial between-subjects ANOVA (Type III), simple effects and marginal means",
    "process": "conditional process model (PROCESS models 1-92, incl. 83) with bootstrap CIs",
    "simulate": "simulate a synthetic questionnaire export (the thesis's, or any study's)",
    "power": "Monte Carlo power and n per cell of a study's ANOVAs and PROCESS models",
    "cfa": "confirmatory factor analysis of scales: fit indices, loadings, CR, AVE, HTMT",
}
_COMMANDS: tuple[str, ...] = tuple(_HELP)


def _command_of(argv: Sequence[str] | None) -> str | None:
    """The subcommand named in ``argv`` (the first argument not starting with '-')."""
    args = sys.argv[1:] if argv is None else list(argv)
    return next((a for a in args if not a.startswith("-")), None)


def build_parser(command: str | None = "*") -> argparse.ArgumentParser:
    """The ``studylib`` parser.

    ``command`` names the subcommand whose module is imported and whose options are added
    (``"*"``: all of them; None: none, as for ``studylib --help``); the others get a parser
    with their one-line help only.
    """
    parser = argparse.ArgumentParser(
        prog="studylib",
        description=(
            "Research toolkit for micro-influencer interaction experiments: score scales, "
            "factorial ANOVAs, PROCESS models (incl. model 83), simulation, power, and the "
            "one-command reproduction of the thesis analysis."
        ),
    )
    parser.add_argument("--version", action="version", version=f"studylib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in _HELP.items():
        if command in ("*", name):
            importlib.import_module(f"{__name__}.{name}").add_parser(sub)
        else:
            sub.add_parser(name, help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input)."""
    command = _command_of(argv)
    parser = build_parser(command if command in _HELP else None)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (StudylibError, *_FILE_ERRORS) as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message's layout
        print(f"studylib {args.command}: error: {message}", file=sys.stderr)
        return 2
