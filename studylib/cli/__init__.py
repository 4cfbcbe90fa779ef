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

# Subcommand modules, in the order shown by --help.
_COMMANDS: tuple[str, ...] = ("reproduce", "score", "anova", "process", "simulate", "power", "cfa")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studylib",
        description=(
            "Research toolkit for micro-influencer interaction experiments: score scales, "
            "3 x 2 ANOVAs, PROCESS models (incl. model 83), simulation, power, and the "
            "one-command reproduction of the thesis analysis."
        ),
    )
    parser.add_argument("--version", action="version", version=f"studylib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
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
