"""``studylib cfa``: confirmatory factor analysis of questionnaire scales from a data file.

Each scale (``--scale``, from its YAML definition) forms one factor measured by its items,
reverse-keyed items recoded from the declared range; ``--factor`` adds a factor from
plain columns. Prints the fit indices, loadings, CR/AVE and HTMT; ``--json`` writes the
same content as :meth:`studylib.CFAResult.to_dict`. The data file is never modified.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._json import write_json
from ..errors import OptionError, SpecError
from ..questionnaires import Scale, load_questionnaires, load_scale
from ._common import publish, read_table

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib cfa --data items.csv --scale psr --scale pk --scale attitude --json cfa.json
  studylib cfa --data hs.csv --factor visual=x1,x2,x3 --factor textual=x4,x5,x6 --boot 2000 --seed 1

Missing answers: respondents with any missing item are left out (listwise) and the number
used is reported; nothing is imputed. CR is semTools' compRelSEM omega, AVE semTools' AVE,
HTMT semTools' htmt (HTMT2, geometric means; --htmt-mean arithmetic for the original).
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "cfa",
        help="confirmatory factor analysis of scales: fit indices, loadings, CR, AVE, HTMT",
        description=(
            "Fit a maximum-likelihood CFA (as lavaan's defaults) in which each scale is one "
            "factor, and report chi-square, CFI, TLI, RMSEA with its 90% CI, SRMR, standardized "
            "loadings, composite reliability, AVE, Fornell-Larcker and HTMT (optionally with "
            "bootstrap CIs). The data file (CSV, Qualtrics CSV or SPSS .sav) is only read."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", required=True, metavar="FILE", help="item-level data: CSV, Qualtrics CSV or SPSS .sav")
    p.add_argument(
        "--scale",
        action="append",
        metavar="ID",
        help="scale id (file stem in the questionnaires folder) or a YAML path: one factor; "
        "repeat for several (default without --factor: every multi-item scale in the folder)",
    )
    p.add_argument(
        "--factor",
        action="append",
        default=[],
        metavar="NAME=COL,COL,...",
        help="a factor measured by these columns as they are (no reverse keying); repeatable",
    )
    p.add_argument("--questionnaires", metavar="DIR", help="folder with the scale YAML files (default: the project's questionnaires/)")
    p.add_argument("--std-lv", action="store_true", help="fix factor variances to 1 instead of the first loadings")
    p.add_argument("--boot", type=int, default=0, help="bootstrap resamples for CIs of HTMT, CR and AVE: 0 (default) or >= 1000")
    p.add_argument("--seed", type=int, help="seed for bit-identical bootstrap results")
    p.add_argument("--conf", type=float, default=0.95, help="level of the loading and bootstrap intervals (default: 0.95)")
    p.add_argument("--htmt-mean", choices=["geometric", "arithmetic"], default="geometric",
                   help="HTMT2 with geometric means (semTools default) or the original arithmetic HTMT")
    p.add_argument("--json", metavar="FILE", help="also write the results (same content as .to_dict()) as JSON")
    p.set_defaults(func=run)
    return p


def _parse_factor(spec: str) -> tuple[str, list[str]]:
    name, sep, cols = spec.partition("=")
    items = [c.strip() for c in cols.split(",") if c.strip()]
    if not sep or not name.strip() or not items:
        raise OptionError(f"--factor must look like NAME=COL1,COL2,COL3; got {spec!r}")
    return name.strip(), items


def _factors(args: argparse.Namespace) -> dict[str, Any]:
    factors: dict[str, Any] = {}
    scales = args.scale
    if not scales and not args.factor:
        found = [q for q in load_questionnaires(args.questionnaires).values() if isinstance(q, Scale)]
        if not found:
            raise SpecError(f"no multi-item scales in {args.questionnaires}; give --scale or --factor")
        factors.update({s.id: s for s in found})
    for sid in scales or []:
        q = load_scale(sid, directory=args.questionnaires)
        if not isinstance(q, Scale):
            raise SpecError(f"{sid!r} is a set of single items, not a scale; it cannot form a factor")
        if q.id in factors:
            raise SpecError(f"scale {q.id!r} is given more than once")
        factors[q.id] = q
    for spec in args.factor:
        name, items = _parse_factor(spec)
        if name in factors:
            raise SpecError(f"factor {name!r} is given more than once (as --scale or --factor)")
        factors[name] = items
    return factors


def run(args: argparse.Namespace) -> int:
    from ..measurement import cfa

    data_path = Path(args.data)
    if not data_path.is_file():
        raise FileNotFoundError(f"data file not found: {data_path}")
    factors = _factors(args)
    numeric = [i for f in factors.values() for i in (f.items if isinstance(f, Scale) else f)]
    data = read_table(data_path, numeric=numeric)
    res = cfa(data, factors, std_lv=args.std_lv, boot=args.boot, seed=args.seed, conf=args.conf, htmt_mean=args.htmt_mean)
    print(f"studylib cfa: {data_path} ({len(data)} rows)\n")
    print(res.summary())
    if args.json:
        write_json(res.to_dict(), args.json)
        publish()
        print(f"\nJSON written to {args.json}")
    return 0
