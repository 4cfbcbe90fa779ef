"""The model steps of :func:`studylib.pipeline.reproduce` (internal): PROCESS models, the
hypotheses (findings) and the summary lines.

Split from :mod:`studylib._pipeline_steps`, whose :class:`_Collector` they use.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def _mediators(opts: dict[str, Any]) -> list[str]:
    m = opts.get("m")
    return [m] if isinstance(m, str) else list(m or [])


def _moderated_paths(opts: dict[str, Any]) -> str:
    w = opts.get("w")
    return f"W = {w} moderates the model's paths as PROCESS model {opts.get('model')} defines them" if w else \
        "no moderator"


def step_process(sd: Any, col: Any, settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
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
    b, seed = settings["boot"], settings["seed"]
    for spec in models:
        prefix = "process" if len(models) == 1 else f"process_{spec.name}"
        opts = {k: v for k, v in spec.options.items() if k not in ("kind", "label")}
        opts.update(boot=b, seed=seed)
        ms = _mediators(opts)
        res = process(sd.kept, **opts)
        fits[spec.name] = res
        x, y, w = opts["x"], opts["y"], opts.get("w")
        roles = [f"X = {lab.var(x)}", *(f"M{i} = {lab.var(m)}" if len(ms) > 1 else f"M = {lab.var(m)}"
                                        for i, m in enumerate(ms, 1)),
                 f"Y = {lab.var(y)}", *(f"{r.upper()} = {lab.var(opts[r])}" for r in ("w", "z") if opts.get(r))]
        ci = "bias-corrected" if opts.get("ci") == "bc" else "percentile"
        title = getattr(spec, "label", "") or f"PROCESS model {opts.get('model', '(custom)')}"
        col.report.section(title, intro=escape(
            f"{', '.join(roles)}; {_moderated_paths(opts)}. {ci.capitalize()} bootstrap with B = {b:,} "
            f"resamples, seed {seed}; n = {res.n} ({res.n_dropped} dropped for missing values)."))
        part = process_part(res, spec, study, lab, boot=b, seed=seed, prefix=prefix)
        if part.sentences:
            col.report.text("\n\n".join(part.sentences), css_class="sentence")
        for shown in part.tables:
            col.table(shown.name, shown.tidy, shown.table)
        moderated = res.indirect[res.indirect["w"].notna()] if "w" in res.indirect and len(res.indirect) else []
        conf = round(100 * float(opts.get("conf", 0.95)))
        if w and len(moderated):
            wl = lab.var(w)
            levels = list(lab.levels.get(x, {}))
            versus = f" ({lab.level(x, levels[-1])} vs. {lab.level(x, levels[0]).lower()})" if len(levels) == 2 else ""
            ax = conditional_indirect_plot(res, labels=lab, xlabel=f"{wl} (W)", title=None)
            col.figure(prefix.replace("process", "conditional_indirect_effects"), ax.figure,
                       f"Conditional Indirect Effects of {lab.var(x)}{versus} by {wl}, With {conf}% Bootstrap CIs",
                       alt=f"Point estimates with {conf}% bootstrap confidence intervals of the conditional "
                           f"indirect effects, one point per {wl.lower()} level and path; a dashed line marks zero.",
                       note=f"Error bars: {conf}% {ci} bootstrap CIs (*B* = {b:,}, seed {seed}).", fmt="svg")
        if ms:
            nodes = {v: f"{lab.var(v)} ({role})" for v, role in
                     [(x, "X"), *((m, f"M{i}" if len(ms) > 1 else "M") for i, m in enumerate(ms, 1)), (y, "Y")]}
            if w:
                nodes[w] = f"{lab.var(w)} (W)"
            ax = path_diagram(res, x=x, m=ms, y=y, w=w, footnote=False,
                              labels=Labels({**lab.variables, **nodes}, levels=lab.levels))
            col.figure(prefix.replace("process", "path_diagram"), ax.figure,
                       f"Path Diagram of {title} With Unstandardized Coefficients",
                       alt="Path diagram: boxes for " + ", ".join(lab.var(v) for v in [x, *ms, y])
                           + " joined by arrows, each labelled with its unstandardized coefficient.",
                       note="Unstandardized coefficients; \\* *p* < .05, \\*\\* *p* < .01, \\*\\*\\* *p* < .001.",
                       fmt="svg")
        numbers[spec.name] = {"n": res.n, "n_dropped": res.n_dropped, "seed": res.seed, "boot": b}
    return fits, numbers


def step_findings(sd: Any, col: Any, fits: dict[str, Any], anova_tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The hypotheses of the study with the headline (supported / direction only / not supported)."""
    from .report.sections import hypotheses_part

    study = sd.study
    if hasattr(study, "hypotheses"):
        if not study.hypotheses:
            return pd.DataFrame()
        from .findings import check_hypotheses

        findings = check_hypotheses(study, fits, data=sd.kept)
    else:
        findings = _legacy_findings(sd, fits, anova_tables)
        if not len(findings):
            return findings
    alpha = findings.attrs.get("alpha", 0.05)
    part = hypotheses_part(findings, col.labels)
    col.report.section("Hypotheses", intro=(
        "Each hypothesis of the study file, with the estimate it is about. Supported: the confidence "
        f"interval excludes 0 on the predicted side (an *F* test: *p* < {alpha:g}); in the predicted "
        "direction: the estimate has the predicted sign but its CI includes 0; not supported: it is not in "
        "the predicted direction (or the test is not significant)."))
    col.report.text(part.sentences[0], css_class="headline")
    for shown in part.tables:
        col.table(shown.name, shown.tidy, shown.table)
    return findings


def _legacy_findings(sd: Any, fits: dict[str, Any], anova_tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The thesis's findings (a study file without a hypotheses block), with check_hypotheses' statuses."""
    from .findings import check_findings

    spec = next((m for m in sd.study.models if m.kind == "process"), None)
    if spec is None or spec.name not in fits:
        return pd.DataFrame()
    res, o = fits[spec.name], spec.options
    serial = " -> ".join([o["x"], *_mediators(o), o["y"]])
    w = o.get("w")
    groups = tuple(sd.study.factor(w).levels) if w else ()
    by_dv = {m.options["dv"]: anova_tables[m.name] for m in sd.study.models if m.name in anova_tables}
    found = check_findings(res.indirect, by_dv, serial_path=serial, contrasts=res.contrasts, groups=groups)
    status = ["supported" if h and c else "direction only" if h else "not supported"
              for h, c in zip(found["holds"], found["conclusive"], strict=True)]
    out = found.rename(columns={"finding": "hypothesis"}).drop(columns=["holds", "conclusive"])
    out["status"] = status
    out.attrs.update(found.attrs)
    return out


def summary_lines(sd: Any, findings: pd.DataFrame, anova_tables: dict[str, pd.DataFrame],
                  settings: dict[str, Any]) -> list[str]:
    """The lines ``studylib reproduce`` prints: n, each ANOVA interaction, the hypotheses."""
    from .report.rich import to_plain
    from .report.sections import headline
    from .report.sentences import anova_sentences

    lines = [f"{sd.log.n_before} respondents read, {sd.log.n_after} kept after exclusions"
             + (" (SYNTHETIC data)" if sd.synthetic else "") + "."]
    from .report.sections import anova_key

    specs = {m.name: m for m in sd.study.models}
    for name, tab in anova_tables.items():
        inter = [t for t in tab["term"] if ":" in str(t)]
        if inter:
            lines.append(f"ANOVA {anova_key(sd.study, specs[name])}: {inter[-1].replace(':', ' x ')} "
                         f"{to_plain(anova_sentences(tab)[inter[-1]])}")
    if len(findings):
        for r in findings.itertuples():
            ci = "" if pd.isna(r.ci_low) else f" [{r.ci_low:.3f}, {r.ci_high:.3f}]"
            p = "" if pd.isna(r.p) else f", p = {r.p:.3g}"
            lines.append(f"{r.status:<15} {r.hypothesis}: {r.estimate:.3f}{ci}{p}")
        lines.append(to_plain(headline(findings))[:-1]
                     + f" (bootstrap B = {settings['boot']}, seed {settings['seed']}).")
    return lines
