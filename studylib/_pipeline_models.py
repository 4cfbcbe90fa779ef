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
    from .report.labels import Labels
    from .report.process_figures import conditional_indirect_plot, path_diagram
    from .report.rich import escape
    from .report.sections import process_part

    study, lab = sd.study, col.labels
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
        roles = [f"X = {study.label(x)}", *(f"M{i} = {study.label(m)}" if len(ms) > 1 else f"M = {study.label(m)}"
                                            for i, m in enumerate(ms, 1)),
                 f"Y = {study.label(y)}",
                 *(f"{r.upper()} = {study.label(opts[r])}" for r in ("w", "z") if opts.get(r) is not None)]
        ci = "bias-corrected" if opts.get("ci") == "bc" else "percentile"
        col.report.section(spec.label or f"PROCESS model {opts.get('model', '(custom)')}", intro=escape(
            f"{', '.join(roles)}; {_moderated_paths(opts)}. {ci.capitalize()} bootstrap with B = {b:,} "
            f"resamples, seed {settings['seed']}; n = {res.n} ({res.n_dropped} dropped for missing values)."))
        part = process_part(res, spec, study, lab, boot=b, seed=settings["seed"], prefix=prefix)
        if part.sentences:
            col.report.text("\n\n".join(part.sentences), css_class="sentence")
        for shown in part.tables:
            col.table(shown.name, shown.tidy, shown.table)
        wf = next((f for f in study.factors if f.name == w), None)
        moderated = res.indirect[res.indirect["w"].notna()] if "w" in res.indirect and len(res.indirect) else []
        conf = round(100 * float(opts.get("conf", 0.95)))
        if wf is not None and len(moderated):
            xf = next((f for f in study.factors if f.name == x), None)
            versus = f" ({xf.level_label(xf.levels[-1])} vs. {_lower(xf.level_label(xf.levels[0]))})" \
                if xf is not None and len(xf.levels) == 2 else ""
            ax = conditional_indirect_plot(res, labels=lab, xlabel=f"{wf.display} (W)", title=None)
            col.figure(f"{prefix.replace('process', 'conditional_indirect_effects')}", ax.figure,
                       f"Conditional Indirect Effects of {study.label(x)}{versus} by {wf.display}, With "
                       f"{conf}% Bootstrap CIs",
                       alt=f"Point estimates with {conf}% bootstrap confidence intervals of the conditional "
                           f"indirect effects, one point per {wf.display.lower()} level and path; a dashed "
                           "line marks zero.",
                       note=f"Error bars: {conf}% {ci} bootstrap CIs (*B* = {b:,}, seed {settings['seed']}).",
                       fmt="svg")
        if ms:
            ax = path_diagram(res, x=x, m=ms, y=y, w=w, footnote=False, labels=Labels(
                {**lab.variables, **_node_labels(study, opts)}, levels=lab.levels))
            col.figure(f"{prefix.replace('process', 'path_diagram')}", ax.figure,
                       f"Path Diagram of {spec.label or 'PROCESS Model ' + str(opts.get('model'))} With "
                       "Unstandardized Coefficients",
                       alt="Path diagram: boxes for " + ", ".join(study.label(v) for v in [x, *ms, y])
                           + " joined by arrows, each labelled with its unstandardized coefficient.",
                       note="Unstandardized coefficients; \\* *p* < .05, \\*\\* *p* < .01, \\*\\*\\* *p* < .001.",
                       fmt="svg")
        numbers[spec.name] = {"n": res.n, "n_dropped": res.n_dropped, "seed": res.seed, "boot": b}
    return fits, numbers


def _lower(label: str) -> str:
    return label[0].lower() + label[1:] if len(label) > 1 and label[0].isupper() and label[1].islower() else label


def step_measurement(sd: Any, col: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Every ``kind: measurement`` model of the study file: its CFA, results sentence and tables
    (:func:`studylib._pipeline_measurement.step_measurement`), bootstrapped from the run's seed."""
    from ._pipeline_measurement import step_measurement as one_model

    study = sd.study
    out: dict[str, Any] = {}
    for spec in (m for m in study.models if m.kind == "measurement"):
        out[spec.name] = _fit(study, spec, lambda s=spec: one_model(sd, col, s, seed=settings["seed"]))
    return out


def step_hypotheses(sd: Any, col: Any, fits: dict[str, Any]) -> pd.DataFrame:
    """The hypotheses: the headline (supported / in the predicted direction, CI includes 0 / not
    supported / not estimable) and one row per hypothesis with its estimate and verdict."""
    from .findings import check_hypotheses
    from .report.sections import hypotheses_part

    study = sd.study
    if not study.hypotheses:
        return pd.DataFrame()
    findings = check_hypotheses(study, fits, data=sd.kept)
    alpha = findings.attrs["alpha"]
    part = hypotheses_part(findings, col.labels)
    col.report.section("Hypotheses", intro=(
        "Each hypothesis of the study file, with the estimate it is about. Supported: the confidence "
        f"interval excludes 0 on the predicted side (an *F* test: *p* < {alpha:g}); in the predicted "
        "direction, CI includes 0: the estimate has the predicted sign but its CI includes 0; not supported: "
        "it is not in the predicted direction (or the test is not significant); not estimable: the model has "
        "no such estimate."))
    col.report.text(part.sentences[0], css_class="headline")
    for shown in part.tables:
        col.table(shown.name, shown.tidy, shown.table)
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
    kept = "kept after exclusions" if study.exclusions else "analysed (the study file states no exclusion rules)"
    lines = [f"{sd.log.n_before} respondents read, {sd.log.n_after} {kept}"
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

