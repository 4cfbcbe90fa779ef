"""``studylib cfa``: confirmatory factor analysis of questionnaire scales from a data file.

Each scale (``--scale``, from its YAML definition) forms one factor measured by its items,
reverse-keyed items recoded from the declared range; ``--factor`` adds a factor from
plain columns. With ``--config STUDY`` the factors are the scales of the study file's
``kind: measurement`` model (``--model`` chooses one of several; a study without one uses
every scale it declares), fitted on the respondents the study's exclusion rules keep, with
the model's options and the study's seed. Prints the fit indices, loadings, CR/AVE and
HTMT; ``--json`` writes the same content as :meth:`studylib.CFAResult.to_dict`. The data
file is never modified.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .._json import write_json
from ..errors import OptionError, SpecError
from ..questionnaires import Scale, load_questionnaires, load_scale
from ._common import publish, read_table

__all__ = ["add_parser", "run"]

_EPILOG = """\
examples:
  studylib cfa --data items.csv --scale psr --scale pk --scale attitude --json cfa.json
  studylib cfa --config analyses/study.yaml --model measurement --boot 2000
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
    p.add_argument("--data", metavar="FILE",
                   help="item-level data: CSV, Qualtrics CSV or SPSS .sav (with --config: default the study's data)")
    p.add_argument("--config", type=Path, metavar="STUDY",
                   help="study file: fit its measurement model (its scales and options; exclusions applied)")
    p.add_argument("--model", metavar="NAME", help="with --config: which kind: measurement model of the study file")
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
    p.add_argument("--std-lv", action="store_true", default=None,
                   help="fix factor variances to 1 instead of the first loadings")
    p.add_argument("--boot", type=int, help="bootstrap resamples for CIs of HTMT, CR and AVE: 0 (default; with "
                   "--config: the model's boot) or >= 1000")
    p.add_argument("--seed", type=int, help="seed for bit-identical bootstrap results (with --config: default the study's seed)")
    p.add_argument("--conf", type=float, help="level of the loading and bootstrap intervals (default: 0.95; "
                   "with --config: the model's conf)")
    p.add_argument("--htmt-mean", choices=["geometric", "arithmetic"],
                   help="HTMT2 with geometric means (default, as semTools) or the original arithmetic HTMT")
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


def _measurement_spec(study: Any, name: str | None, config: Path) -> Any:
    """The study's measurement model called ``name``, its only one, or (none declared) every scale."""
    models = [m for m in study.models if m.kind == "measurement"]
    names = [m.name for m in models]
    if name is not None:
        hit = [m for m in study.models if m.name == name]
        if not hit:
            raise OptionError(f"--model {name!r}: no model of that name in {config}; its measurement models: "
                              f"{names or 'none'}")
        if hit[0].kind != "measurement":
            raise OptionError(f"--model {name!r} in {config} is a {hit[0].kind} model, not kind: measurement; "
                              f"its measurement models: {names or 'none'}")
        return hit[0]
    if len(models) > 1:
        raise OptionError(f"{config} has {len(models)} measurement models {names}; choose one with --model NAME")
    if models:
        return models[0]
    return SimpleNamespace(name="scales", kind="measurement", options={}, label="every scale of the study")


def _run_config(args: argparse.Namespace) -> Any:
    from .._pipeline_measurement import measurement_model
    from ..pipeline import load_analysis_data

    if args.scale or args.factor or args.questionnaires:
        raise OptionError("--config takes the factors from the study file's measurement model; leave out "
                          "--scale, --factor and --questionnaires")
    sd = load_analysis_data(args.data, config=args.config)
    spec = _measurement_spec(sd.study, args.model, args.config)
    res = measurement_model(sd.kept, sd.study, spec, boot=args.boot, seed=args.seed, std_lv=args.std_lv,
                            conf=args.conf, htmt_mean=args.htmt_mean)
    which = ("no measurement model declared: every scale of the study" if isinstance(spec, SimpleNamespace)
             else f"model {spec.name!r}")
    print(f"studylib cfa: study {args.config}, {which}; data {sd.data_path} "
          f"({sd.log.n_before} rows read, {sd.log.n_after} kept after exclusions"
          f"{', SYNTHETIC' if sd.synthetic else ''})\n")
    return res


def run(args: argparse.Namespace) -> int:
    from ..measurement import cfa

    if args.model is not None and args.config is None:
        raise OptionError("--model needs --config STUDY (it names a model of the study file)")
    if args.config is not None:
        res = _run_config(args)
    else:
        if args.data is None:
            raise OptionError("give --data FILE (with --scale or --factor), or --config STUDY")
        data_path = Path(args.data)
        if not data_path.is_file():
            raise FileNotFoundError(f"data file not found: {data_path}")
        factors = _factors(args)
        numeric = [i for f in factors.values() for i in (f.items if isinstance(f, Scale) else f)]
        data = read_table(data_path, numeric=numeric)
        res = cfa(data, factors, std_lv=bool(args.std_lv), boot=args.boot or 0, seed=args.seed,
                  conf=0.95 if args.conf is None else args.conf, htmt_mean=args.htmt_mean or "geometric")
        print(f"studylib cfa: {data_path} ({len(data)} rows)\n")
    print(res.summary())
    if args.json:
        write_json(res.to_dict(), args.json)
        publish()
        print(f"\nJSON written to {args.json}")
    return 0
