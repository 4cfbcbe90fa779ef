"""The ``studylib`` command.

Each subcommand lives in its own module of this package and defines
``add_parser(subparsers)``, which registers an ``argparse`` parser whose ``func`` default
takes the parsed arguments and returns an exit code.

:func:`main` runs a command as one output transaction (:mod:`studylib.output`): its output
paths are checked before any work, every file it writes is staged and published together
at the end, and nothing is written when it fails. Every failure is one line on standard
error and exit code 2: studylib's own errors (bad input), file-system errors (a file that
cannot be read or written, a full or read-only disk), undecodable files. An unexpected
error is one line too, which suggests ``--debug`` for the traceback. A run stopped by
SIGTERM or Ctrl-C removes its staging folders and exits with 143 or 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from .._version import __version__
from ..errors import StudylibError

__all__ = ["main", "build_parser"]

# Subcommand modules, in the order shown by --help, with the one-line help each module's
# add_parser gives (tests/test_import.py checks that the two agree). Only the module of the
# command being run is imported, so that ``studylib --help`` imports none of them.
_HELP: dict[str, str] = {
    "reproduce": "run a study's whole analysis and write results/report.html",
    "score": "score questionnaire scales and report their reliability",
    "anova": "factorial between-subjects ANOVA (Type III), simple effects and marginal means",
    "process": "conditional process model (every PROCESS 4 model, incl. 83) with bootstrap CIs",
    "simulate": "simulate a synthetic questionnaire export (the thesis's, or any study's)",
    "power": "Monte Carlo power and n per cell of a study's ANOVAs and PROCESS models",
    "cfa": "confirmatory factor analysis of scales: fit indices, loadings, CR, AVE, HTMT",
}
_COMMANDS: tuple[str, ...] = tuple(_HELP)
# Options of the main parser that take a value (the value is not the command's name).
_VALUED = ("--encoding",)


def _command_of(argv: Sequence[str] | None) -> str | None:
    """The subcommand named in ``argv`` (the first argument that is not an option or its value)."""
    args = sys.argv[1:] if argv is None else list(argv)
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(command: str | None = "*") -> argparse.ArgumentParser:
    """The ``studylib`` parser.

    ``command`` names the subcommand whose module is imported and whose options are added
    (``"*"``: all of them; None: none, as for ``studylib --help``); the others get a parser
    with their one-line help only.
    """
    from ._common import add_general_options, with_general_options

    parser = argparse.ArgumentParser(
        prog="studylib",
        description=(
            "Research toolkit for micro-influencer interaction experiments: score scales, "
            "factorial ANOVAs, PROCESS models (incl. model 83), simulation, power, and the "
            "one-command reproduction of the thesis analysis."
        ),
    )
    parser.add_argument("--version", action="version", version=f"studylib {__version__}")
    add_general_options(parser, top=True)
    sub = with_general_options(parser.add_subparsers(dest="command", metavar="COMMAND"))
    for name, text in _HELP.items():
        if command in ("*", name):
            importlib.import_module(f"{__name__}.{name}").add_parser(sub)
        else:
            sub.add_parser(name, help=text)
    return parser


def _say(command: str, text: str) -> None:
    print(f"studylib {command}: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 error; 143 SIGTERM, 130 Ctrl-C)."""
    from .._reading import default_encoding
    from ..output import Outputs, Terminated, describe_os_error
    from ._common import cli_message, prepare_outputs, subparser

    command = _command_of(argv)
    parser = build_parser(command if command in _HELP else None)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    command, debug = args.command, bool(getattr(args, "debug", False))
    outputs = None
    try:
        with default_encoding(getattr(args, "encoding", None)), Outputs() as outputs:
            prepare_outputs(args, parser, outputs)
            code = int(args.func(args) or 0)
            if code == 0:
                outputs.publish()
            return code
    except (Terminated, KeyboardInterrupt) as exc:
        done = outputs is not None and outputs.published
        what = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
        _say(command, f"stopped by {what}; " + ("its outputs had been written" if done else "nothing was written"))
        return 143 if isinstance(exc, Terminated) else 130
    except (StudylibError, OSError, UnicodeError, MemoryError) as exc:
        if debug:
            traceback.print_exc()
        if isinstance(exc, StudylibError):
            text = str(exc)
        elif isinstance(exc, MemoryError):
            text = "not enough memory for this run; use fewer resamples, replications or rows"
        elif isinstance(exc, OSError) and exc.errno is not None:
            where = f"'{exc.filename}': " if exc.filename else ""
            text = where + describe_os_error(exc)
        else:
            text = str(exc) or type(exc).__name__
        _say(command, "error: " + cli_message(text, subparser(parser, command)))
        return 2
    except Exception as exc:  # a bug: one line here, the traceback with --debug
        if debug:
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:300]
        _say(command, f"internal error: {type(exc).__name__}: {detail} (this is a bug in studylib; run with "
                      "--debug for the traceback and report it)")
        return 2
