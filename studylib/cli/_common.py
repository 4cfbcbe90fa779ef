"""Helpers shared by the CLI subcommands (private).

Besides reading ``--data`` (:func:`read_table`), this module holds what :func:`studylib.cli.main`
does around every command: the general options (``--encoding``, ``--debug``) of every
subcommand, the early check of the output paths a command is given and the inputs that no
output may replace (:func:`prepare_outputs`), and the one-line error message, in which the
library's argument names (``x_coding='indicator'``) become the command's flags
(``--x-coding indicator``: :func:`cli_message`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_table", "publish", "add_general_options", "with_general_options", "prepare_outputs",
           "cli_message", "subparser", "OUTPUT_FLAGS", "INPUT_FLAGS"]

#: Output options of a command and what they name, unless its module sets OUTPUT_FLAGS.
OUTPUT_FLAGS: dict[str, str] = {"out": "file", "json": "file", "plot": "file"}
#: Options naming files a command reads (inputs, never written), unless its module sets INPUT_FLAGS.
INPUT_FLAGS: tuple[str, ...] = ("data", "config", "params", "effects", "from_params", "study", "scale",
                                "questionnaires")


def read_table(path: str | Path, *, numeric: Iterable[str] = ()) -> pd.DataFrame:
    """Read ``--data`` with :func:`studylib.read_data` (CSV, Qualtrics CSV or SPSS .sav).

    :func:`~studylib.read_data` turns a ``.sav`` variable whose every value carries a value
    label into a Categorical of the labels. The columns named in ``numeric`` (answers that
    are analysed as numbers, such as Likert items or an outcome) get their numeric codes
    back instead. The file itself is only read (its text encoding: ``--encoding``).

    Raises
    ------
    FileNotFoundError
        No such file.
    DataError
        The file cannot be read as CSV or .sav (the message names it).
    """
    import pandas as pd

    from ..io import read_data

    data = read_data(Path(path))
    labels = data.attrs.get("value_labels") or {}
    for col in numeric:
        if col in labels and isinstance(data[col].dtype, pd.CategoricalDtype):
            code_of = {str(label): float(code) for code, label in labels[col].items()}
            data[col] = data[col].astype(object).map(code_of).astype(float)
    return data


def publish() -> None:
    """Publish the command's outputs now (all together), before it reports them as written."""
    from ..output import current

    tx = current()
    if tx is not None:
        tx.publish()


# -- general options ---------------------------------------------------------------------


def _encoding(value: str) -> str:
    from .._reading import is_encoding

    if not is_encoding(value):
        raise argparse.ArgumentTypeError(f"unknown text encoding {value!r}; use e.g. utf-8, cp1252 "
                                         "(Windows, Excel) or latin-1")
    return value


def add_general_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--encoding`` and ``--debug``, on the main parser (``top``) and on every subcommand."""
    group = parser.add_argument_group("general options")
    # on a subcommand, an option not given must not hide the same option given before it
    hidden: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    group.add_argument("--encoding", metavar="ENC", type=_encoding, **({"default": None} if top else hidden),
                       help="text encoding of every file the command reads (data, study, YAML files); "
                            "default UTF-8, e.g. cp1252 for a CSV saved by Excel on Windows")
    group.add_argument("--debug", action="store_true", **hidden,
                       help="on an error, also print the full traceback")


def with_general_options(subparsers: Any) -> Any:
    """Wrap argparse's subparsers object so that every subcommand gets the general options."""
    return _GeneralOptions(subparsers)


class _GeneralOptions:
    """argparse's subparsers object whose ``add_parser`` adds :func:`add_general_options`."""

    def __init__(self, subparsers: Any) -> None:
        self._sub = subparsers

    def add_parser(self, *args: Any, **kwargs: Any) -> argparse.ArgumentParser:
        parser = self._sub.add_parser(*args, **kwargs)
        add_general_options(parser)
        return parser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sub, name)


def subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    """The parser of ``command`` (None if not found)."""
    for action in parser._actions:  # argparse keeps subparsers in a private list
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None


def _flags(parser: argparse.ArgumentParser | None) -> dict[str, str]:
    """dest -> the option's long flag (``x_coding`` -> ``--x-coding``)."""
    out: dict[str, str] = {}
    if parser is None:
        return out
    for action in parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in (argparse.SUPPRESS, "help"):
            out.setdefault(action.dest, longs[0])
    return out


# -- outputs and inputs ------------------------------------------------------------------


def prepare_outputs(args: argparse.Namespace, parser: argparse.ArgumentParser, outputs: Any) -> None:
    """Record the command's input files, then check its output paths before any work.

    The module of a command may set ``OUTPUT_FLAGS`` (dest -> ``"file"`` or ``"folder"``)
    and ``INPUT_FLAGS`` (dests naming files it reads); the defaults are this module's.
    """
    module = sys.modules.get(getattr(args.func, "__module__", ""), None)
    out_flags = getattr(module, "OUTPUT_FLAGS", OUTPUT_FLAGS)
    in_flags = getattr(module, "INPUT_FLAGS", INPUT_FLAGS)
    flags = _flags(subparser(parser, args.command))

    def values(dest: str) -> list[Any]:
        v = getattr(args, dest, None)
        return [] if v is None else list(v) if isinstance(v, (list, tuple)) else [v]

    for dest in in_flags:
        for v in values(dest):
            if isinstance(v, (str, Path)) and Path(v).exists():
                outputs.add_input(v, f"the {flags.get(dest, dest)} file")
    for dest, kind in out_flags.items():
        for v in values(dest):
            outputs.claim(v, kind=kind, flag=flags.get(dest, f"--{dest}"))


# -- messages ----------------------------------------------------------------------------

_VALUE = r"(None|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|[\w.+-]+)"

# library phrases with a command-line equivalent (process: --levels makes a column categorical)
_PHRASES = {
    "convert it with pandas.Categorical to treat it as categorical":
        "name its levels with --levels COL=A,B,... to treat it as categorical",
    "or a 2-level pandas Categorical": "or name its two levels with --levels COL=A,B",
}


def _shown(value: str) -> str:
    if value.startswith("[") and value.endswith("]"):
        return " ".join(v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip())
    return value.strip("'\"")


def cli_message(message: str, parser: argparse.ArgumentParser | None) -> str:
    """One line; the library's ``name=value`` advice in the command's flags.

    >>> p = argparse.ArgumentParser(prog="demo")
    >>> _ = p.add_argument("--x-coding")
    >>> _ = p.add_argument("--between", nargs="+")
    >>> cli_message("x is text; pass x_coding='indicator' (or 'helmert')", p)
    "x is text; pass --x-coding indicator (or 'helmert')"
    >>> cli_message("dv is also listed in between=['a', 'b']", p)
    'dv is also listed in --between a b'
    >>> _ = p.add_argument("--example", action="store_true")
    >>> cli_message("example=True runs on the shipped data", p)
    '--example runs on the shipped data'
    >>> _ = p.add_argument("--w")
    >>> cli_message("model 1 needs the moderator w= (its moderators: w)", p)
    'model 1 needs the moderator --w (its moderators: w)'
    """
    text = " ".join(str(message).split())  # one line, whatever the message's layout
    for lib, cli in _PHRASES.items():
        text = text.replace(lib, cli)
    flags = _flags(parser)  # one-letter names (x, w, m, y, z) only where "=" follows them
    if not flags:
        return text
    names = "|".join(sorted((re.escape(d) for d in flags), key=len, reverse=True))
    long_names = "|".join(sorted((re.escape(d) for d in flags if len(d) > 1), key=len, reverse=True))

    def with_value(m: re.Match[str]) -> str:
        flag, value = flags[m.group("name")], m.group("value")
        if value in ("True", "False"):  # an on/off option
            return flag if value == "True" else f"no {flag}"
        return f"{flag} {_shown(value)}"

    text = re.sub(rf"(?:pass )?(?<![\w.-])(?P<name>{names})=None\b",
                  lambda m: f"leave out {flags[m.group('name')]}", text)
    text = re.sub(rf"(?<![\w.-])(?P<name>{names})=(?P<value>{_VALUE})", with_value, text)
    text = re.sub(rf"(?<![\w.-])(?P<name>{names})=(?=[\s),;]|$)", lambda m: flags[m.group("name")], text)
    if long_names:
        text = re.sub(rf"^(?P<name>{long_names}) (?=must |cannot )", lambda m: f"{flags[m.group('name')]} ", text)
    return text
