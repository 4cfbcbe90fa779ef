"""``studylib score``: scale scores and their reliability from an item-level data file.

Reads the data with :func:`studylib.read_data` (plain CSV, Qualtrics CSV or SPSS .sav; one
row per respondent, item columns named as in the scale definitions). Exports whose columns
have other names are mapped to item ids with a study configuration (``studylib.io.prepare``
or ``studylib reproduce``). The data file is never modified.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._json import write_json
from .._version import __version__
from ..errors import SpecError
from ..output import write_text
from ..questionnaires import Scale, load_questionnaires, load_scale
from ..reliability import reliability
from ..scoring import score_scales
from ._common import publish, read_table

__all__ = ["add_parser", "run", "summarise"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "score",
        help="score questionnaire scales and report their reliability",
        description=(
            "Score multi-item scales (reverse keys from each scale's declared min/max, mean or "
            "sum, minimum answered items) and report Cronbach's alpha with Feldt CI, "
            "standardized alpha and McDonald's omega total. The data file (CSV, Qualtrics CSV or "
            "SPSS .sav) has one row per respondent and is never modified."
        ),
        epilog="example: studylib score --data items.csv --scale trust --scale intent --out scores.csv",
    )
    p.add_argument("--data", required=True, metavar="FILE", help="item-level data: CSV, Qualtrics CSV or SPSS .sav")
    p.add_argument(
        "--scale",
        action="append",
        metavar="ID",
        help="scale id (file stem in the questionnaires folder) or a YAML path; repeat for "
        "several scales (default: every multi-item scale in the folder)",
    )
    p.add_argument(
        "--questionnaires",
        metavar="DIR",
        help="folder with the scale YAML files (default: the project's questionnaires/)",
    )
    p.add_argument(
        "--missing",
        choices=("pairwise", "listwise"),
        default="pairwise",
        help="missing answers in reliability (default pairwise, as R psych)",
    )
    p.add_argument("--out", metavar="FILE.csv", help="write the scores (and n answered) to this CSV")
    p.add_argument("--json", metavar="FILE", help="write the summary and reliability as JSON")
    p.set_defaults(func=run)
    return p


def summarise(scores: pd.DataFrame, scales: list[Scale]) -> pd.DataFrame:
    """One row per scale: ``scale, k, n, n_scored, n_missing_score, mean, sd, min, max``."""
    rows = []
    for s in scales:
        v = scores[s.id]
        rows.append(
            {
                "scale": s.id,
                "k": len(s.items),
                "n": int(len(v)),
                "n_scored": int(v.notna().sum()),
                "n_missing_score": int(v.isna().sum()),
                "mean": float(v.mean()) if v.notna().any() else np.nan,
                "sd": float(v.std()) if v.notna().sum() > 1 else np.nan,
                "min": float(v.min()) if v.notna().any() else np.nan,
                "max": float(v.max()) if v.notna().any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _scales(args: argparse.Namespace) -> list[Scale]:
    directory = args.questionnaires
    if not args.scale:
        found = [q for q in load_questionnaires(directory).values() if isinstance(q, Scale)]
        if not found:
            raise SpecError(f"no multi-item scales in {directory}; give --scale")
        return found
    out = []
    for sid in args.scale:
        q = load_scale(sid, directory=directory)
        if not isinstance(q, Scale):
            raise SpecError(f"{sid!r} is a set of single items, not a scale; it has no score")
        out.append(q)
    return out


def run(args: argparse.Namespace) -> int:
    data_path = Path(args.data)
    if not data_path.is_file():
        raise FileNotFoundError(f"data file not found: {data_path}")
    scales = _scales(args)
    data = read_table(data_path, numeric=[item for s in scales for item in s.items])
    scores = score_scales(data, scales)
    summary = summarise(scores, scales)
    rel = {s.id: reliability(data, scale=s, missing=args.missing) for s in scales}

    print(f"studylib {__version__} score: {data_path} ({len(data)} rows)")
    print("\nScale scores (missing score: fewer answered items than min_valid_items)")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nReliability ({args.missing})")
    rel_tab = pd.DataFrame(
        [
            {
                "scale": sid,
                "n": r.n,
                "alpha": r.alpha,
                "ci_low": r.alpha_ci[0],
                "ci_high": r.alpha_ci[1],
                "alpha_std": r.alpha_std,
                "omega": r.omega,
                "lowest_r_drop": r.items["r_drop"].min(),
            }
            for sid, r in rel.items()
        ]
    )
    print(rel_tab.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    if args.out:
        out = scores
        if "resp_id" in data.columns:
            out = pd.concat([data[["resp_id"]], scores], axis=1)
        write_text(args.out, out.to_csv(index="resp_id" not in data.columns, index_label="row"))
    if args.json:
        write_json(
            {
                "data": str(data_path),
                "n_rows": len(data),
                "missing": args.missing,
                "summary": summary,
                "reliability": {sid: r.to_dict() for sid, r in rel.items()},
                "studylib_version": __version__,
            },
            args.json,
        )
    publish()  # --out and --json together
    if args.out:
        print(f"\nscores written to {args.out}")
    if args.json:
        print(f"JSON written to {args.json}")
    return 0
