"""``studylib anova``: factorial ANOVA of a data file from the command line.

The data are read with :func:`studylib.read_data` (plain CSV, Qualtrics CSV or SPSS .sav).

Prints the APA-style ANOVA table, the assumption checks, the estimated marginal means and,
for each factor, its simple effects within the levels of the others with the pairwise
contrasts. ``--json FILE`` writes the same content as plain JSON.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from .._json import write_json
from ..anova import anova
from ..assumptions import levene, shapiro_residuals
from ..emmeans import ADJUSTMENTS, emmeans, pairwise, simple_effects
from ..errors import StudylibWarning
from ..report.tables import apa_table, format_anova, format_number, to_markdown
from ._common import publish, read_table

__all__ = ["add_parser", "run", "analyse"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "anova",
        help="factorial between-subjects ANOVA (Type III), simple effects and marginal means",
        description=(
            "Factorial between-subjects ANOVA of one outcome (Type III sums of squares with "
            "sum-to-zero coding by default), with partial eta squared (90% CI), omega "
            "squared, Levene and Shapiro-Wilk checks, estimated marginal means, simple "
            "effects of each factor within the levels of the others and pairwise contrasts. "
            "Rows with a missing value are dropped listwise and counted."
        ),
        epilog="example: studylib anova --data scores.csv --dv trust --between frame source --json anova.json",
    )
    parser.add_argument("--data", required=True, type=Path, metavar="FILE", help="data file, one row per participant: CSV, Qualtrics CSV or SPSS .sav")
    parser.add_argument("--dv", required=True, help="numeric outcome column")
    parser.add_argument("--between", required=True, nargs="+", metavar="FACTOR", help="factor column(s)")
    parser.add_argument("--ss-type", type=int, default=3, choices=(1, 2, 3), help="type of sums of squares (default 3)")
    parser.add_argument("--conf", type=float, default=0.90, help="CI level of partial eta squared (default 0.90)")
    parser.add_argument(
        "--adjust", default="tukey", choices=ADJUSTMENTS, help="p adjustment of pairwise contrasts (default tukey)"
    )
    parser.add_argument("--digits", type=int, default=2, help="decimals shown (default 2; p-values 3)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all results to this JSON file")
    parser.set_defaults(func=run)
    return parser


def analyse(
    data: pd.DataFrame,
    dv: str,
    between: list[str],
    *,
    ss_type: int = 3,
    conf: float = 0.90,
    adjust: str = "tukey",
) -> dict[str, Any]:
    """Every table the command prints, as DataFrames in a dict (the JSON content)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StudylibWarning)  # drops are reported in the header
        table = anova(data, dv, between, ss_type=ss_type, conf=conf)
        result: dict[str, Any] = {
            "dv": dv,
            "between": list(between),
            "ss_type": ss_type,
            "n": table.attrs["n"],
            "n_dropped": table.attrs["n_dropped"],
            "dropped_rows": table.attrs["dropped_rows"],
            "cell_n": table.attrs["cell_n"],
            "conf": conf,
            "anova": table,
            "levene": pd.concat(
                [levene(data, dv, between, center=c) for c in ("mean", "median")], ignore_index=True
            ),
            "shapiro_residuals": shapiro_residuals(data, dv, between),
            "emmeans": emmeans(data, dv, between),
            "simple_effects": {},
            "pairwise": {},
            "adjust": adjust,
        }
        for factor in between:
            others = [f for f in between if f != factor]
            if others:
                result["simple_effects"][factor] = simple_effects(data, dv, between, effect=factor)
            result["pairwise"][factor] = pairwise(
                data, dv, between, effect=factor, by=others or None, adjust=adjust
            )
    return result


_ROMAN = {1: "I", 2: "II", 3: "III"}


def _three_decimals(value: float) -> str:
    return format_number(value, 3, leading_zero=False)


def run(args: argparse.Namespace) -> int:
    data = read_table(args.data, numeric=[args.dv])
    res = analyse(data, args.dv, list(args.between), ss_type=args.ss_type, conf=args.conf, adjust=args.adjust)
    d = args.digits
    design = " x ".join(args.between)
    dropped = f"; {res['n_dropped']} row(s) with missing values dropped listwise" if res["n_dropped"] else ""
    out = [
        f"Factorial ANOVA of {args.dv} by {design} (Type {_ROMAN[args.ss_type]} "
        f"sums of squares, sum-to-zero coding); n = {res['n']}{dropped}",
        "",
        to_markdown(format_anova(res["anova"], digits=d)),
        "",
        "Assumption checks",
        "",
        to_markdown(apa_table(res["levene"], digits=d, labels={"center": "Levene (center)"})),
        "",
        to_markdown(apa_table(res["shapiro_residuals"], digits=d, formats={"W": _three_decimals})),
        "",
        "Estimated marginal means (cells)",
        "",
        to_markdown(apa_table(res["emmeans"], digits=d)),
    ]
    for factor in args.between:
        if factor in res["simple_effects"]:
            out += ["", f"Simple effects of {factor}", ""]
            out.append(to_markdown(apa_table(res["simple_effects"][factor], digits=d)))
        pw = res["pairwise"][factor]
        out += ["", f"Pairwise contrasts of {factor} ({args.adjust} adjustment)", ""]
        cols = [*pw.attrs["by"], "contrast", "estimate", "se", "t", "df", "p", "p_adj", "ci_low"]
        out.append(to_markdown(apa_table(pw, columns=cols, digits=d)))
    print("\n".join(out))
    if args.json is not None:
        write_json(res, args.json)
        publish()
        print(f"\nwrote {args.json}")
    return 0
