"""The analysis steps of :func:`studylib.pipeline.reproduce` (internal).

Each step computes with the library's public functions, then hands tables and figures to a
:class:`_Collector`, which writes them (``tables/*.csv|md|tex``, ``figures/*.png|svg``),
adds them to the HTML report and records every table in ``results.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ._json import to_jsonable
from .findings import check_findings, finding_lines
from .report.export import write_rendered_figure, write_table
from .report.html import HtmlReport, figure_to_png, figure_to_svg, format_table
from .report.tables import format_p

_LABELS = {
    "valence": "Comment valence (X)", "response": "Influencer response (W)",
    "psr": "Parasocial\nrelationship (M1)", "pk": "Persuasion\nknowledge (M2)",
    "attitude": "Product\nattitude (Y)",
}
#: Steps reported to the progress bar by :func:`run_steps`.
N_STEPS = 7
_SCALE_NAMES = {"psr": "parasocial relationship (PSR)", "pk": "persuasion knowledge (PK)",
                "attitude": "product attitude"}


class _Collector:
    """Writes tables and figures to the staging folder and into the report."""

    def __init__(self, stage: Path, report: HtmlReport) -> None:
        self.stage = stage
        self.report = report
        self.tables: dict[str, Any] = {}
        self.figures: list[str] = []
        self.n_table = 0
        self.n_figure = 0

    def table(self, name: str, table: pd.DataFrame, caption: str, *, note: str | None = None,
              digits: int = 2, display: pd.DataFrame | None = None) -> None:
        table = table.reset_index(drop=True)
        self.n_table += 1
        full = f"Table {self.n_table}. {caption}"
        shown = display if display is not None else format_table(table, digits=digits)
        write_table(table, self.stage / "tables", name, caption=full, note=note, display=shown)
        self.tables[name] = to_jsonable(table)
        self.report.add_table(shown, caption=full, note=note, formatted=True)

    def figure(self, name: str, fig: Any, caption: str, *, fmt: str = "png") -> None:
        import matplotlib.pyplot as plt

        self.n_figure += 1
        png, svg = figure_to_png(fig), figure_to_svg(fig, salt=name)
        write_rendered_figure(self.stage / "figures", name, png=png, svg=svg)
        caption = f"Figure {self.n_figure}. {caption}"
        if fmt == "png":
            self.report.add_rendered_figure(png=png, caption=caption, key=name)
        else:
            self.report.add_rendered_figure(svg=svg, caption=caption, key=name)
        self.figures.append(name)
        plt.close(fig)


def _step_data(sd: Any, col: _Collector) -> dict[str, Any]:
    from .pipeline import demographics

    rep = col.report
    rep.section("Data and exclusions", intro=(
        f"Data file: {sd.data_path.name}. {sd.log.n_before} respondents were read; the exclusion "
        f"rules of the study configuration were applied in order, leaving {sd.log.n_after}."))
    steps = sd.log.steps.copy()
    col.table("exclusion_flow", steps, "Exclusion flow: respondents removed by each rule, in order")
    col.table("cell_sizes", sd.log.cells.copy(), "Respondents per design cell before and after exclusions")
    demo = demographics(sd.kept)
    col.table("demographics", demo, "Demographics per design cell after exclusions",
              note="Gender and follower columns are proportions of the cell; age in years.", digits=2)
    return {"n_read": sd.log.n_before, "n_kept": sd.log.n_after}


def _step_scales(sd: Any, col: _Collector) -> dict[str, Any]:
    from .descriptives import cell_summary
    from .reliability import reliability
    from .report.figures import score_histograms

    rep = col.report
    rep.section("Scales and reliability", intro=(
        "Each scale is scored as the mean of its items after reverse-keying, for respondents who "
        "answered at least the scale's minimum number of items. Reliability: Cronbach's alpha "
        "with its confidence interval, standardized alpha and McDonald's omega total."))
    rows, out = [], {}
    for sid, scale in sd.scales.items():
        rel = reliability(sd.kept, scale=scale)
        rows.append({"scale": sid, "items": len(scale.items), "n": int(rel.n), "alpha": float(rel.alpha),
                     "alpha_ci_low": float(rel.alpha_ci[0]), "alpha_ci_high": float(rel.alpha_ci[1]),
                     "alpha_std": float(rel.alpha_std), "omega": float(rel.omega)})
        out[sid] = rel
    col.table("reliability", pd.DataFrame(rows), "Reliability of the multi-item scales")
    for sid, rel in out.items():
        col.table(f"items_{sid}", rel.items, f"Item statistics: {_SCALE_NAMES.get(sid, sid)}")
    dvs = list(sd.scales)
    between = [f.name for f in sd.study.factors]
    desc = pd.concat([cell_summary(sd.kept, dv, between).assign(scale=dv) for dv in dvs], ignore_index=True)
    desc = desc[["scale", *[c for c in desc.columns if c != "scale"]]]
    col.table("scale_descriptives", desc, "Scale scores per design cell (M, SD, 95% CI of the mean)")
    fig = score_histograms(sd.kept, list(sd.scales.values()), titles=_SCALE_NAMES)
    col.figure("score_distributions", fig, "Distributions of the scale scores after exclusions")
    return {"scales": dvs}


def _step_checks(sd: Any, col: _Collector) -> dict[str, Any]:
    from .cleaning import manipulation_checks

    mc = manipulation_checks(sd.kept)
    col.report.section("Manipulation checks", intro=mc.summary().replace("\n", "\n\n"))
    col.table("mc_response", mc.response, "Recalled influencer response by condition (chi-square test)")
    col.table("mc_crosstab", mc.crosstab.reset_index(), "Recalled response (columns) by response condition (rows)")
    col.table("mc_valence", mc.valence, "Perceived valence of the comments by valence condition (Welch t test)")
    return {}


def _step_anovas(sd: Any, col: _Collector) -> dict[str, pd.DataFrame]:
    from .anova import anova
    from .assumptions import levene, shapiro_residuals
    from .emmeans import emmeans, pairwise, simple_effects
    from .report.figures import interaction_plot
    from .report.tables import format_anova

    col.report.section("3 x 2 ANOVAs", intro=(
        "For each outcome: a Type III ANOVA with sum-to-zero coding, estimated marginal means, the "
        "simple effect of comment valence within each influencer response, pairwise comparisons of "
        "the valence conditions within each response (Holm-adjusted), and assumption checks."))
    tables = {}
    for spec in (m for m in sd.study.models if m.kind == "anova"):
        dv, between = spec.options["dv"], list(spec.options["between"])
        ss_type = int(spec.options.get("ss_type", 3))
        name = _SCALE_NAMES.get(dv, dv)
        col.report.section(f"ANOVA: {name}", level=3)
        tab = anova(sd.kept, dv, between, ss_type=ss_type)
        tables[dv] = tab
        col.table(f"anova_{dv}", tab, f"Type {ss_type} ANOVA of {name}", display=format_anova(tab))
        col.table(f"emmeans_{dv}", emmeans(sd.kept, dv, between), f"Estimated marginal means of {name}")
        focal, by = between[0], between[1:]
        col.table(f"simple_effects_{dv}", simple_effects(sd.kept, dv, between, effect=focal, by=by),
                  f"Simple effects of {focal} within each level of {', '.join(by)}: {name}")
        col.table(f"pairwise_{dv}", pairwise(sd.kept, dv, between, effect=focal, by=by, adjust="holm"),
                  f"Pairwise comparisons of {focal} within {', '.join(by)} (Holm): {name}")
        assumptions = pd.concat([
            levene(sd.kept, dv, between, center="mean").assign(test="Levene (mean-centred)"),
            levene(sd.kept, dv, between, center="median").assign(test="Levene (median-centred)"),
            shapiro_residuals(sd.kept, dv, between).assign(test="Shapiro-Wilk (residuals)"),
        ], ignore_index=True)
        assumptions = assumptions[["test", *[c for c in assumptions.columns if c != "test"]]]
        col.table(f"assumptions_{dv}", assumptions, f"Assumption checks: {name}")
        ax = interaction_plot(sd.kept, dv, between[1], between[0])
        col.figure(f"interaction_{dv}", ax.figure, f"Cell means of {name} with 95% CIs")
    return tables


def _step_process(sd: Any, col: _Collector, settings: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from .process import process
    from .report.process_figures import conditional_indirect_plot, path_diagram

    spec = next((m for m in sd.study.models if m.kind == "process"), None)
    if spec is None:
        return None, {}
    opts = {k: v for k, v in spec.options.items() if k not in ("kind",)}
    opts.update(boot=settings["boot"], seed=settings["seed"])
    m = opts["m"] if isinstance(opts["m"], list) else [opts["m"]]
    res = process(sd.kept, **opts)
    x, y, w = opts["x"], opts["y"], opts.get("w")
    col.report.section(f"Moderated serial mediation (PROCESS model {opts.get('model')})", intro=(
        f"X = {x}, M1 .. M{len(m)} = {', '.join(m)}, Y = {y}, W = {w} moderating the X -> M1 path. "
        f"Percentile bootstrap with B = {settings['boot']} resamples, seed {settings['seed']}; "
        f"n = {res.n} ({res.n_dropped} dropped for missing values)."))
    col.table("process_coefficients", res.coefficients, "Regression coefficients of the model's equations",
              digits=3)
    col.table("process_equations", res.equations, "Model summaries (R², F) of each equation", digits=3)
    col.table("process_indirect", res.indirect, "Conditional indirect effects of X on Y, with bootstrap CIs",
              digits=3)
    col.table("process_index", res.index, "Indexes of moderated mediation (each W group vs the reference)",
              digits=3)
    col.table("process_contrasts", res.contrasts, "Pairwise contrasts between conditional indirect effects "
              "(first minus second)", digits=3)
    col.table("process_direct", res.direct, "Direct effect of X on Y", digits=3)
    ax = conditional_indirect_plot(res, labels={"none": "No reaction", "like": "Likes", "reply": "Replies"},
                                   title=None)
    col.figure("conditional_indirect_effects", ax.figure,
               "Conditional indirect effects of positive (vs negative) comments by influencer response, "
               "with 95% bootstrap CIs", fmt="svg")
    ax = path_diagram(res, x=x, m=m, y=y, w=w, labels=_LABELS)
    col.figure("path_diagram", ax.figure, f"Path diagram of PROCESS model {opts.get('model')} with "
               "unstandardized coefficients", fmt="svg")
    return res, {"n": res.n, "n_dropped": res.n_dropped, "seed": res.seed, "boot": settings["boot"]}


def run_steps(sd: Any, stage: Path, *, settings: dict[str, Any], session: dict[str, Any],
              bar: Any) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run every step; return the content of results.json (without the version) and findings."""
    report = HtmlReport("Comment valence x influencer response: the thesis analysis",
                        subtitle=f"Study: {sd.study.name}. Data: {sd.data_path.name}. "
                                 f"Bootstrap: B = {settings['boot']}, seed {settings['seed']}.",
                        synthetic=sd.synthetic)
    col = _Collector(stage, report)
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
    res, numbers["process"] = _step_process(sd, col, settings)
    tick("process model")

    w_levels = sd.study.factor("response").levels
    findings = pd.DataFrame()
    if res is not None:
        spec = next(m for m in sd.study.models if m.kind == "process")
        o = spec.options
        m = o["m"] if isinstance(o["m"], list) else [o["m"]]
        serial = " -> ".join([o["x"], *m, o["y"]])
        findings = check_findings(res.indirect, anova_tables, serial_path=serial, contrasts=res.contrasts,
                                  groups=tuple(w_levels))
        report.section("Findings", intro=(
            "Finding by finding: does the direction reported in the thesis hold on these data? "
            "'holds': the point estimate has the reported direction (an interaction: p < .05). "
            "'conclusive': it holds and the 95% bootstrap CI excludes zero."))
        col.table("findings", findings.drop(columns=["statement"]), "The thesis's findings on these data",
                  digits=3,
                  note=" ".join(f"{r.finding}: {r.statement}" for r in findings.itertuples()))
    tick("findings")
    numbers["summary"] = _summary(sd, findings, anova_tables, settings)
    report.set_colophon({
        "studylib": session["studylib"], "git commit": session["git_sha"] or "not a git checkout",
        "uncommitted changes": session["git_dirty"], "python": session["python"],
        "platform": session["platform"], "packages": session["packages"],
        "data file": session["data"]["file"], "data sha256": session["data"]["sha256"],
        "configuration": Path(sd.study.path).name if sd.study.path else "",
    })
    report.write(stage / "report.html")
    tick("report")
    numbers["session"] = session
    numbers["tables"] = col.tables
    numbers["figures"] = col.figures
    return numbers, findings


def _summary(sd: Any, findings: pd.DataFrame, anova_tables: dict[str, pd.DataFrame],
             settings: dict[str, Any]) -> list[str]:
    lines = [f"{sd.log.n_before} respondents read, {sd.log.n_after} kept after exclusions"
             + (" (SYNTHETIC data)" if sd.synthetic else "") + "."]
    for dv, tab in anova_tables.items():
        hit = tab[tab["term"] == "valence:response"]
        if not hit.empty:
            r = hit.iloc[0]
            resid = tab[tab["term"] == "Residual"]
            df2 = int(resid["df"].iloc[0]) if not resid.empty else ""
            lines.append(f"ANOVA {dv}: valence x response F({int(r['df'])}, {df2}) = {r['F']:.2f}, {format_p(r['p'], prefix=True)}")
    if len(findings):
        lines += finding_lines(findings)
    if len(findings):
        lines.append(f"{int(findings['holds'].sum())} of {len(findings)} reported directions hold, "
                     f"{int(findings['conclusive'].sum())} conclusively (95% CI excludes 0 or p < .05; "
                     f"bootstrap B = {settings['boot']}, seed {settings['seed']}).")
    return lines
