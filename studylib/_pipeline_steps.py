"""The analysis steps of :func:`studylib.pipeline.reproduce` (internal).

Each step computes with the library's public functions (most through
:mod:`studylib.report.sections`, which the notebooks use too), then hands every table to a
:class:`_Collector` twice: the tidy result (machine names, unrounded: ``tables/*.csv`` and
``results.json``) and its APA table (the report, Word, ``tables/*.md|tex``). Figures go to
``figures/*.png|svg`` and into the report. The report is one
:class:`studylib.report.document.Report`, written as ``report.html``, ``report.docx`` and
(when asked) ``report.pdf``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ._json import to_jsonable
from .report.apa import ApaTable, apa
from .report.document import Report
from .report.export import write_rendered_figure, write_table
from .report.html import figure_to_png, figure_to_svg
from .report.labels import Labels
from .report.rich import escape

#: Steps reported to the progress bar by :func:`run_steps`.
N_STEPS = 7


class _Collector:
    """Writes tables and figures to the staging folder and adds them to the report.

    A table is given twice: the tidy result (machine names, unrounded: the CSV file and
    results.json) and its APA table (the report, Word, Markdown and LaTeX).
    """

    def __init__(self, stage: Path, report: Report, labels: Labels) -> None:
        self.stage = stage
        self.report = report
        self.labels = labels
        self.tables: dict[str, Any] = {}
        self.figures: list[str] = []

    def table(self, name: str, tidy: pd.DataFrame, table: ApaTable) -> int:
        tidy = tidy.reset_index(drop=True)
        number = self.report.table(table)
        shown = self.report.tables[-1]  # with the synthetic-data note when it applies
        write_table(tidy, self.stage / "tables", name, display=shown, number=number)
        self.tables[name] = to_jsonable(tidy)
        return number

    def figure(self, name: str, fig: Any, title: str, *, alt: str, note: str | None = None,
               fmt: str = "png") -> None:
        import matplotlib.pyplot as plt

        from .report.figures import mark_synthetic

        if self.report.synthetic:
            mark_synthetic(fig)
        png, svg = figure_to_png(fig), figure_to_svg(fig, salt=name)
        write_rendered_figure(self.stage / "figures", name, png=png, svg=svg)
        self.report.figure(png=png, svg=svg, title=title, note=note, alt=alt, key=name, embed=fmt)
        self.figures.append(name)
        plt.close(fig)


def _add(col: _Collector, part: Any, *, sentences: bool = True) -> None:
    """Put a part's results sentences and tables into the report (and the results folder)."""
    if sentences and part.sentences:
        col.report.text("\n\n".join(part.sentences), css_class="sentence")
    for shown in part.tables:
        col.table(shown.name, shown.tidy, shown.table)


def _label(study: Any, name: str, lab: Labels) -> str:
    return study.label(name) if hasattr(study, "label") else lab.var(name)


def _step_data(sd: Any, col: _Collector) -> dict[str, Any]:
    from .report.sections import data_part

    study, rep = sd.study, col.report
    rules = "the exclusion rules of the study file were applied in order" if study.exclusions else \
        "the study file states no exclusion rules"
    rep.section("Data and exclusions", intro=escape(
        f"Data file: {sd.data_path.name}. {sd.log.n_before} respondents were read; {rules}, leaving "
        f"{sd.log.n_after}."))
    _add(col, data_part(sd, col.labels))
    if not hasattr(study, "demographics") and {"age", "gender"} <= set(sd.kept.columns):
        _legacy_demographics(sd, col)
    return {"n_read": sd.log.n_before, "n_kept": sd.log.n_after}


def _legacy_demographics(sd: Any, col: _Collector) -> None:
    """Table 1 for a study file without a demographics block (age and gender columns)."""
    from .report.apa_sample import characteristics_table, randomization_table
    from .sample import randomization_checks, sample_characteristics

    factors = [f.name for f in sd.study.factors]
    gender = {1: "Woman", 2: "Man", 3: "Non-binary", 4: "Prefer not to say"}
    chars = sample_characteristics(sd.kept, by=factors, categorical={"gender": gender}, numeric=["age"])
    col.table("demographics", chars, characteristics_table(
        chars, by=factors, labels=col.labels, title="Sample Characteristics per Design Cell After Exclusions",
        name="demographics"))
    checks = randomization_checks(sd.kept, factors, categorical=["gender"], numeric=["age"])
    col.table("randomization_checks", checks, randomization_table(checks, labels=col.labels))


def _step_scales(sd: Any, col: _Collector) -> dict[str, Any]:
    from .report.figures import score_histograms
    from .report.sections import scales_part

    study, lab = sd.study, col.labels
    col.report.section("Scales and reliability", intro=(
        "Each scale is scored by its rule (mean or sum of its items after reverse-keying), for "
        "respondents who answered at least the scale's minimum number of items. Reliability: "
        "Cronbach's α with its confidence interval, standardized α and McDonald's ω total."))
    _add(col, scales_part(sd, lab))
    dvs = list(sd.scales)
    fig = score_histograms(sd.kept, list(sd.scales.values()), titles={s: _label(study, s, lab) for s in dvs})
    col.figure("score_distributions", fig, "Distributions of the Scale Scores After Exclusions",
               alt="Histograms of the scale scores, one panel per scale: "
                   + ", ".join(_label(study, s, lab) for s in dvs) + ".")
    return {"scales": dvs}


def _step_checks(sd: Any, col: _Collector) -> dict[str, Any]:
    from .report.sections import checks_part

    study = sd.study
    if hasattr(study, "manipulation_checks"):
        if not study.manipulation_checks:
            return {}
        part = checks_part(sd, col.labels)
        col.report.section("Manipulation checks")
        _add(col, part)
        return {"checks": list(part.results["checks"])}
    return _legacy_checks(sd, col)


def _legacy_checks(sd: Any, col: _Collector) -> dict[str, Any]:
    """The two manipulation checks of a study file without a manipulation_checks block."""
    from .cleaning import manipulation_checks
    from .report.sentences import chi2_sentence, t_sentence

    if not {"mc_valence", "mc_response"} <= set(sd.kept.columns):
        return {}
    mc = manipulation_checks(sd.kept)
    r, v = mc.response.iloc[0], mc.valence.iloc[0]
    col.report.section("Manipulation checks")
    col.report.text("\n\n".join([
        "Recalled response: " + chi2_sentence(r["chi2"], r["df"], r["p"], n=r["n"], cramers_v=r["cramers_v"]) + ".",
        "Perceived valence: " + t_sentence(v["t"], v["df"], v["p"], estimate=v["estimate"],
                                           ci=(v["ci_low"], v["ci_high"]), effect_size=v["hedges_g"],
                                           effect_name="*g*", effect_ci=(v["g_ci_low"], v["g_ci_high"])) + "."]),
        css_class="sentence")
    cols = [c for c in ["n", "chi2", "df", "p", "cramers_v", "prop_correct"] if c in mc.response]
    col.table("mc_response", mc.response, apa(
        mc.response, title="Recalled Response by Condition", columns=cols, headers={"n": "*N*"}, name="mc_response",
        note="Pearson's χ² test of independence, no continuity correction"))
    ct = mc.crosstab.reset_index()
    ct.columns = [str(c) for c in ct.columns]
    col.table("mc_crosstab", ct, apa(ct, title="Recalled Response (Columns) by Response Condition (Rows)",
                                     factors=[ct.columns[0]], labels=col.labels, name="mc_crosstab",
                                     formats={c: "count" for c in ct.columns[1:]}, note="Counts of respondents"))
    cols = [c for c in ["estimate", "se", "t", "df", "p", "ci_low", "hedges_g", "g_ci_low"] if c in mc.valence]
    col.table("mc_valence", mc.valence, apa(
        mc.valence, title="Perceived Valence of the Comments by Valence Condition", columns=cols,
        headers={"estimate": "*M*~diff~"}, name="mc_valence",
        note="Welch's *t* test (unequal variances); *g* = Hedges' *g*"))
    return {}


def _step_anovas(sd: Any, col: _Collector) -> dict[str, pd.DataFrame]:
    from .anova import anova
    from .report.figures import interaction_plot
    from .report.sections import anova_key, anova_part

    study, lab = sd.study, col.labels
    models = [m for m in study.models if m.kind == "anova"]
    if not models:
        return {}
    col.report.section("Analyses of variance", intro=(
        "For each ANOVA model of the study file: the ANOVA (Type III sums of squares with sum-to-zero "
        "coding unless the model says otherwise), estimated marginal means, the simple effects of the first "
        "factor within each level of the others, pairwise comparisons of its levels (Holm-adjusted), and "
        "assumption checks."))
    tables = {}
    for spec in models:
        dv, between = spec.options["dv"], list(spec.options["between"])
        ss_type = int(spec.options.get("ss_type", 3))
        name, key = _label(study, dv, lab), anova_key(study, spec)
        col.report.section(getattr(spec, "label", "") or f"ANOVA: {name}", level=3)
        tab = anova(sd.kept, dv, between, ss_type=ss_type)
        tables[spec.name] = tab
        _add(col, anova_part(sd, spec, lab, fit=tab))
        if len(between) >= 2:
            ax = interaction_plot(sd.kept, dv, between[1], between[0], labels=lab)
            col.figure(f"interaction_{key}", ax.figure, f"Cell Means of {name} With 95% CIs",
                       alt=f"Line plot of the mean {name} in each {lab.var(between[1]).lower()} condition, "
                           f"one line per {lab.var(between[0]).lower()} level, with 95% confidence intervals.",
                       note="Error bars: 95% CIs of the cell means (each cell's own SD).")
    return tables


def run_steps(sd: Any, stage: Path, *, settings: dict[str, Any], session: dict[str, Any],
              bar: Any, pdf: bool = False) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run every step; return the content of results.json (without the version) and findings."""
    from ._pipeline_models import step_findings, step_process, summary_lines
    from .report.html import SYNTHETIC_NOTE

    study = sd.study
    title = getattr(study, "title", None) or study.name
    report = Report(title, subtitle=escape(f"Data: {sd.data_path.name}. Bootstrap: B = {settings['boot']:,}, "
                                           f"seed {settings['seed']}."),
                    synthetic=sd.synthetic, synthetic_note=getattr(study, "data_note", None) or SYNTHETIC_NOTE)
    col = _Collector(stage, report, Labels.from_study(study))
    numbers: dict[str, Any] = {"settings": settings, "synthetic": sd.synthetic}

    def tick(label: str) -> None:
        bar.set_postfix_str(label)
        bar.update(1)

    numbers["data"] = _step_data(sd, col)
    tick("data and exclusions")
    numbers["scales"] = _step_scales(sd, col)
    tick("scales and reliability")
    _step_checks(sd, col)
    tick("manipulation checks")
    anova_tables = _step_anovas(sd, col)
    tick("ANOVAs")
    fits, numbers["process"] = step_process(sd, col, settings)
    tick("process model")
    findings = step_findings(sd, col, fits, anova_tables)
    tick("findings")
    numbers["summary"] = summary_lines(sd, findings, anova_tables, settings)
    report.colophon({
        "studylib": session["studylib"], "git commit": session["git_sha"] or "not a git checkout",
        "uncommitted changes": session["git_dirty"], "python": session["python"],
        "platform": session["platform"], "packages": session["packages"],
        "data file": session["data"]["file"], "data sha256": session["data"]["sha256"],
        "configuration": Path(study.path).name if study.path else "",
    })
    write_report(report, stage, pdf=pdf)
    tick("report")
    numbers["session"] = session
    numbers["tables"] = col.tables
    numbers["figures"] = col.figures
    return numbers, findings


def write_report(report: Report, stage: Path, *, pdf: bool) -> None:
    """report.html, report.docx and (``pdf``) report.pdf, printed by headless Chromium."""
    from .output import write_bytes, write_text

    html = report.html()
    write_text(stage / "report.html", html)
    write_bytes(stage / "report.docx", report.docx())
    if pdf:
        from .report.pdf import html_to_pdf

        write_bytes(stage / "report.pdf", html_to_pdf(html))
