"""The model steps of :func:`studylib.pipeline.reproduce` (internal): PROCESS models, the
hypotheses of the study file and the summary lines.

Every model comes from the study file's ``models:`` block and every label from its display
labels: nothing here knows a study's names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from .errors import StudylibError


def _fit(study: Any, spec: Any, fit: Callable[[], Any]) -> Any:
    """Run ``fit``; a studylib error names the study file's model that failed."""
    try:
        return fit()
    except StudylibError as exc:
        where = f"{study.path}: " if study.path else ""
        raise type(exc)(f"{where}models.{spec.name} ({spec.kind}): {exc}") from None


def process_options(spec: Any, *, boot: int | None, seed: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`studylib.process` for a ``kind: process`` model."""
    opts = dict(spec.options)
    opts["boot"] = int(boot if boot is not None else opts.get("boot", 5000))
    opts["seed"] = seed
    return opts


def _mediators(opts: dict[str, Any]) -> list[str]:
    m = opts.get("m")
    return [m] if isinstance(m, str) else list(m or [])


def _moderated_paths(opts: dict[str, Any]) -> str:
    """The model's structure in words (PROCESS' own description of the model number)."""
    from .process import models_table

    if opts.get("model") is None:
        return "a custom specification"
    table = models_table().set_index("model")
    return str(table.loc[int(opts["model"]), "description"]) if int(opts["model"]) in table.index else \
        f"PROCESS model {opts['model']}"


def _node_labels(study: Any, opts: dict[str, Any]) -> dict[str, str]:
    """Path-diagram node labels: the display label and the role (X, M1.., Y, W, Z)."""
    ms = _mediators(opts)
    roles = {opts["x"]: "X", opts["y"]: "Y", **{m: (f"M{i}" if len(ms) > 1 else "M") for i, m in enumerate(ms, 1)}}
    for r in ("w", "z"):
        if opts.get(r) is not None:
            roles[opts[r]] = r.upper()
    out = {}
    for var, role in roles.items():
        words = f"{study.label(var)} ({role})".split()
        lines, line = [], ""
        for w in words:  # wrap at about 16 characters
            if line and len(line) + 1 + len(w) > 16:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        out[var] = "\n".join([*lines, line])
    return out


def step_process(sd: Any, col: Any, settings: dict[str, Any], boot: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit every process model; return (model id -> result, numbers for results.json)."""
    from .process import process
    from .report.process_figures import conditional_indirect_plot, path_diagram

    study = sd.study
    models = [m for m in study.models if m.kind == "process"]
    fits: dict[str, Any] = {}
    numbers: dict[str, Any] = {}
    for spec in models:
        opts = process_options(spec, boot=boot, seed=settings["seed"])
        b = opts["boot"]
        res = _fit(study, spec, lambda o=opts: process(sd.kept, **o))
        fits[spec.name] = res
        prefix = "process" if len(models) == 1 else f"process_{spec.name}"
        x, y, w, ms = opts["x"], opts["y"], opts.get("w"), _mediators(opts)
        roles = [f"X = {x}", *(f"M{i} = {m}" if len(ms) > 1 else f"M = {m}" for i, m in enumerate(ms, 1)),
                 f"Y = {y}", *(f"{r.upper()} = {opts[r]}" for r in ("w", "z") if opts.get(r) is not None)]
        ci = "bias-corrected" if opts.get("ci") == "bc" else "percentile"
        col.report.section(spec.label or f"PROCESS model {opts.get('model', '(custom)')}", intro=(
            f"{', '.join(roles)}; {_moderated_paths(opts)}. {ci.capitalize()} bootstrap with B = {b} "
            f"resamples, seed {settings['seed']}; n = {res.n} ({res.n_dropped} dropped for missing values)."))
        col.table(f"{prefix}_coefficients", res.coefficients, "Regression coefficients of the model's equations",
                  digits=3)
        col.table(f"{prefix}_equations", res.equations, "Model summaries (R², F) of each equation", digits=3)
        if len(res.indirect):
            col.table(f"{prefix}_indirect", res.indirect, "Conditional indirect effects of X on Y, with bootstrap CIs",
                      digits=3)
        if len(res.index):
            col.table(f"{prefix}_index", res.index, "Indexes of moderated mediation (each W group vs the "
                      "reference)", digits=3)
        if len(res.contrasts):
            col.table(f"{prefix}_contrasts", res.contrasts, "Pairwise contrasts between conditional indirect "
                      "effects (first minus second)", digits=3)
        col.table(f"{prefix}_direct", res.direct, "Direct effect of X on Y", digits=3)
        wf = next((f for f in study.factors if f.name == w), None)
        moderated = res.indirect[res.indirect["w"].notna()] if "w" in res.indirect and len(res.indirect) else []
        if wf is not None and len(moderated):
            xf = next((f for f in study.factors if f.name == x), None)
            versus = f" ({xf.level_label(xf.levels[-1])} vs {xf.level_label(xf.levels[0])})" \
                if xf is not None and len(xf.levels) == 2 else ""
            ax = conditional_indirect_plot(res, labels=wf.level_labels, xlabel=f"{wf.display} (W)", title=None)
            conf = round(100 * float(opts.get("conf", 0.95)))
            col.figure(f"{prefix.replace('process', 'conditional_indirect_effects')}", ax.figure,
                       f"Conditional indirect effects of {study.label(x).lower()}{versus} by "
                       f"{wf.display.lower()}, with {conf}% bootstrap CIs", fmt="svg")
        if ms:
            ax = path_diagram(res, x=x, m=ms, y=y, w=w, labels=_node_labels(study, opts))
            col.figure(f"{prefix.replace('process', 'path_diagram')}", ax.figure,
                       f"Path diagram of {spec.label or 'PROCESS model ' + str(opts.get('model'))} with "
                       "unstandardized coefficients", fmt="svg")
        numbers[spec.name] = {"n": res.n, "n_dropped": res.n_dropped, "seed": res.seed, "boot": b}
    return fits, numbers


def step_measurement(sd: Any, col: Any) -> dict[str, Any]:
    """Measurement models of the study file: not fitted by ``reproduce`` yet; the report says so."""
    models = [m for m in sd.study.models if m.kind == "measurement"]
    if models:
        col.report.section("Measurement models", intro=(
            f"The study file declares {len(models)} measurement model(s) ({', '.join(m.name for m in models)}); "
            "this version of studylib reproduce does not fit them: run studylib cfa for them."))
    return {}


def step_hypotheses(sd: Any, col: Any, fits: dict[str, Any]) -> pd.DataFrame:
    """The findings table: each hypothesis of the study file, its estimate and status."""
    from .findings import check_hypotheses, status_counts

    study = sd.study
    if not study.hypotheses:
        return pd.DataFrame()
    findings = check_hypotheses(study, fits, data=sd.kept)
    alpha = findings.attrs["alpha"]
    counts = status_counts(findings)
    col.report.section("Hypotheses", intro=(
        "Each hypothesis of the study file, with the estimate it is about. 'supported': the "
        f"confidence interval excludes 0 on the predicted side (an F test: p < {alpha:g}); 'direction "
        "only': the estimate is in the predicted direction but its CI includes 0; 'not supported': it is "
        "not in the predicted direction (or the test is not significant); 'not estimable': the model has "
        "no such estimate."))
    col.report.add_text(headline(findings, counts))
    col.table("findings", findings.drop(columns=["statement"]), "Hypotheses: estimates and status",
              digits=3, note=" ".join(f"{r.hypothesis}: {r.statement}" for r in findings.itertuples()))
    return findings


def headline(findings: pd.DataFrame, counts: dict[str, int]) -> str:
    """One sentence: how many hypotheses the data support."""
    alpha = findings.attrs.get("alpha", 0.05)
    text = (f"{counts['supported']} of {len(findings)} hypotheses supported (the CI excludes 0 in the "
            f"predicted direction, or p < {alpha:g}); {counts['direction only']} in the predicted direction "
            f"with a CI that includes 0; {counts['not supported']} not supported")
    if counts["not estimable"]:
        text += f"; {counts['not estimable']} not estimable"
    return text + "."


def summary_lines(sd: Any, findings: pd.DataFrame, fits: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """The few lines ``studylib reproduce`` prints."""
    from .findings import hypothesis_lines, status_counts
    from .report.tables import format_p

    study = sd.study
    lines = [f"{sd.log.n_before} respondents read, {sd.log.n_after} kept after exclusions"
             + (" (SYNTHETIC data)" if sd.synthetic else "") + "."]
    for spec in (m for m in study.models if m.kind == "anova"):
        tab = fits.get(spec.name)
        if tab is None:
            continue
        resid = tab[tab["term"] == "Residual"]
        df2 = int(resid["df"].iloc[0]) if not resid.empty else ""
        for r in tab[tab["term"].astype(str).str.contains(":")].itertuples():
            term = " x ".join(str(r.term).split(":"))
            lines.append(f"ANOVA {spec.options['dv']}: {term} F({int(r.df)}, {df2}) = {r.F:.2f}, "
                         f"{format_p(r.p, prefix=True)}")
    if len(findings):
        lines += hypothesis_lines(findings)
        counts = status_counts(findings)
        lines.append(f"{counts['supported']} of {len(findings)} hypotheses supported, {counts['direction only']} "
                     f"in the predicted direction only (CI includes 0), {counts['not supported']} not supported"
                     + (f", {counts['not estimable']} not estimable" if counts["not estimable"] else "")
                     + (f" (bootstrap B = {settings['boot']}, seed {settings['seed']})." if settings["boot"]
                        else f" (seed {settings['seed']})."))
    return lines

