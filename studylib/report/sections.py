"""The APA tables and results sentences of each part of a study's analysis, from its study file.

One function per part of the report (data and sample, scales, manipulation checks, an
ANOVA model, a PROCESS model, the hypotheses). Each computes with the library's functions
and returns a :class:`Part`: the tables, each as its tidy result (machine names,
unrounded: the CSV and JSON output) with its APA table, and the APA results sentences.
``studylib reproduce`` puts them in the report (HTML, Word, PDF) and in ``tables/``; the
notebooks display the same tables, so both always show the same thing. Every name and
label comes from the study file (:class:`studylib.study.Study`).

The functions take a :class:`studylib.pipeline.StudyData` (``sd``): its ``study``, the
respondents kept (``kept``, with one column per scale score), the exclusion log (``log``)
and the scales used (``scales``).

Examples
--------
>>> from studylib.pipeline import load_analysis_data
>>> from studylib.report.sections import anova_part
>>> sd = load_analysis_data()  # the example study on its SYNTHETIC data
>>> part = anova_part(sd, next(m for m in sd.study.models if m.kind == "anova"))
>>> [t.name for t in part.tables][:2]
['anova_psr', 'emmeans_psr']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .apa import ApaTable, apa, join_note
from .labels import Labels
from .rich import escape

__all__ = ["Part", "Shown", "labels_of", "data_part", "scales_part", "checks_part", "anova_part",
           "measurement_part", "process_part", "hypotheses_part", "headline", "quantity_words", "anova_key", "STATUSES"]

#: The statuses of :func:`studylib.findings.check_hypotheses`, in the order of the headline.
STATUSES = ("supported", "direction only", "not supported", "not estimable")


@dataclass(frozen=True)
class Shown:
    """A table of the report: its file name, its tidy result and its APA table."""

    name: str
    tidy: pd.DataFrame = field(repr=False)
    table: ApaTable = field(repr=False)

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


@dataclass(frozen=True)
class Part:
    """The tables and results sentences (markup) of one part of the analysis.

    ``results`` holds the fitted objects the tables were made from (for the caller's
    numbers), ``part["anova_psr"]`` the APA table of that name.
    """

    tables: list[Shown] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> ApaTable:
        for t in self.tables:
            if t.name == name:
                return t.table
        raise KeyError(f"no table {name!r} in this part; have {[t.name for t in self.tables]}")

    @property
    def names(self) -> list[str]:
        """The file names of the part's tables, in order."""
        return [t.name for t in self.tables]


def labels_of(sd: Any) -> Labels:
    """The display labels of the study of ``sd`` (a :class:`studylib.pipeline.StudyData`)."""
    return Labels.from_study(sd.study)


def _label(study: Any, name: str) -> str:
    return study.label(name) if hasattr(study, "label") else name


# -- data and sample -------------------------------------------------------------------------
def data_part(sd: Any, labels: Labels | None = None) -> Part:
    """Exclusion flow, cell sizes, sample characteristics ("Table 1") and randomization checks.

    The exclusion flow only when the study states exclusion rules; the sample tables only
    when it declares demographics (numeric ones as *M* (*SD*), coded ones as *n* (%)).
    """
    from ..sample import randomization_checks, sample_characteristics
    from .apa_sample import (
        cells_table,
        characteristics_table,
        exclusions_table,
        randomization_table,
    )

    study, lab = sd.study, labels or labels_of(sd)
    factors = [f.name for f in study.factors]
    part = Part()
    if study.exclusions:
        part.tables.append(Shown("exclusion_flow", sd.log.steps, exclusions_table(sd.log.steps)))
    part.tables.append(Shown("cell_sizes", sd.log.cells, cells_table(sd.log.cells, factors=factors, labels=lab)))
    demographics = tuple(getattr(study, "demographics", ()) or ())
    if demographics:
        categorical = {d.item: dict(d.codes) for d in demographics if d.codes}
        numeric = [d.item for d in demographics if not d.codes]
        chars = sample_characteristics(sd.kept, by=factors, categorical=categorical, numeric=numeric)
        part.tables.append(Shown("demographics", chars, characteristics_table(
            chars, by=factors, labels=lab, title="Sample Characteristics per Design Cell After Exclusions",
            name="demographics")))
        checks = randomization_checks(sd.kept, factors, categorical=categorical, numeric=numeric)
        part.tables.append(Shown("randomization_checks", checks, randomization_table(checks, labels=lab)))
        part.results.update(demographics=chars, randomization=checks)
    return part


# -- scales -----------------------------------------------------------------------------------
def scales_part(sd: Any, labels: Labels | None = None) -> Part:
    """Reliability, scale means/SDs/intercorrelations, item statistics, cell means of the scores."""
    from ..descriptives import cell_summary, correlations, item_descriptives, variable_summary
    from ..reliability import reliability
    from .apa_sample import correlation_table, items_table, reliability_table

    study, lab = sd.study, labels or labels_of(sd)
    part = Part()
    rows, rels = [], {}
    for sid, scale in sd.scales.items():
        rel = reliability(sd.kept, scale=scale)
        rows.append({"scale": sid, "items": len(scale.items), "n": int(rel.n), "alpha": float(rel.alpha),
                     "alpha_ci_low": float(rel.alpha_ci[0]), "alpha_ci_high": float(rel.alpha_ci[1]),
                     "alpha_std": float(rel.alpha_std), "omega": float(rel.omega)})
        rels[sid] = rel
    if not rels:
        return part
    rel_tab = pd.DataFrame(rows)
    part.tables.append(Shown("reliability", rel_tab, reliability_table(rel_tab, labels=lab)))
    dvs = list(sd.scales)
    if len(dvs) >= 2:
        summ, corr = variable_summary(sd.kept, dvs), correlations(sd.kept, dvs)
        part.tables.append(Shown("scale_correlations", corr, correlation_table(
            summ, corr, alphas={sid: rel.alpha for sid, rel in rels.items()}, labels=lab)))
    for sid, rel in rels.items():
        scale = sd.scales[sid]
        part.tables.append(Shown(f"items_{sid}", rel.items, items_table(
            item_descriptives(sd.kept, scale), rel.items, scale_label=_label(study, sid), scale_min=scale.min,
            scale_max=scale.max, wording=dict(scale.wording("en")), name=f"items_{sid}")))
    between = [f.name for f in study.factors]
    desc = pd.concat([cell_summary(sd.kept, dv, between).assign(scale=dv) for dv in dvs], ignore_index=True)
    desc = desc[["scale", *[c for c in desc.columns if c != "scale"]]]
    part.tables.append(Shown("scale_descriptives", desc, apa(
        desc, title="Scale Scores per Design Cell", columns=[*between, "n", "mean", "sd", "ci_low"],
        group_by="scale", factors=between, labels=lab, name="scale_descriptives",
        note="The CI of each cell mean is a *t* interval from the cell's own *SD*")))
    part.results.update(reliability=rels)
    return part


# -- manipulation checks ---------------------------------------------------------------------
def _check_results(sd: Any, checks: Any) -> Mapping[str, Any]:
    if checks is None:
        from ..checks import manipulation_checks  # the study file's manipulation checks

        checks = manipulation_checks(sd.kept, sd.study)
    return getattr(checks, "results", checks)


def checks_part(sd: Any, labels: Labels | None = None, *, checks: Any = None) -> Part:
    """Each manipulation check: its test as an APA sentence and table, and its crosstab or means.

    Parameters
    ----------
    sd : StudyData
        The study and its kept respondents.
    labels : Labels, optional
        Display labels (default: the study's).
    checks : object, optional
        The checks already computed (an object with ``.results``, or a mapping check id ->
        result with ``.check``, ``.test`` and ``.table``); default
        :func:`studylib.checks.manipulation_checks` of ``sd``. A result whose test table has
        a ``chi2`` column is a recall check (χ² test and crosstab), one with ``t`` a Welch
        *t* test, one with ``F`` a one-way ANOVA (with the mean rating per level).
    """
    from .sentences import chi2_sentence, f_sentence, t_sentence

    study, lab = sd.study, labels or labels_of(sd)
    part = Part()
    if not getattr(study, "manipulation_checks", ()):
        return part
    results = _check_results(sd, checks)
    for cid, res in results.items():
        c, test = res.check, res.test
        r = test.iloc[0]
        factor = study.factor(c.factor)
        title = escape(getattr(c, "display", None) or _label(study, cid))
        fname = escape(getattr(factor, "display", None) or lab.var(c.factor))
        if "chi2" in test:
            recalled = "" if pd.isna(r.get("prop_correct")) else \
                f"; {100 * r['prop_correct']:.1f}% recalled their own condition"
            chi2 = chi2_sentence(r["chi2"], r["df"], r["p"], n=r.get("n"), cramers_v=r.get("cramers_v"))
            part.sentences.append(f"{title}: {chi2}{recalled}.")
            part.tables.append(Shown(f"check_{cid}", test, apa(
                test, title=f"{title} by {fname} Condition: χ² Test", name=f"check_{cid}",
                columns=[x for x in ["n", "chi2", "df", "p", "cramers_v", "prop_correct", "n_other"] if x in test],
                headers={"n": "*N*", "n_other": "Other answers (*n*)"}, formats={"n_other": "count"},
                note="Pearson's χ² test of independence of the condition seen and the level recalled, no "
                     "continuity correction; other answers (such as \"don't remember\") left out of the test")))
            ct = res.table.reset_index()
            ct.columns = [str(x) for x in ct.columns]
            first = ct.columns[0]
            if first not in (c.factor, "level"):
                ct = ct.rename(columns={first: c.factor})
            recalled_cols = [x for x in ct.columns[1:]]
            part.tables.append(Shown(f"check_{cid}_crosstab", ct, apa(
                ct, title=f"{title}: Answers (Columns) by {fname} Condition (Rows)",
                name=f"check_{cid}_crosstab", factors=[ct.columns[0]] if ct.columns[0] == c.factor else [],
                labels=lab, headers={x: escape(lab.level(c.factor, x)) for x in recalled_cols},
                formats={x: "count" for x in recalled_cols}, note="Counts of respondents")))
            continue
        if "t" in test:
            contrast = f", {escape(r['contrast'])}" if "contrast" in test and pd.notna(r["contrast"]) else ""
            g = r.get("hedges_g")
            part.sentences.append(f"{title}{contrast}: " + t_sentence(
                r["t"], r["df"], r["p"], estimate=r.get("estimate"),
                ci=(r.get("ci_low"), r.get("ci_high")) if "ci_low" in test else None,
                effect_size=g, effect_name="*g*",
                effect_ci=(r["g_ci_low"], r["g_ci_high"]) if "g_ci_low" in test else None) + ".")
            cols = ["contrast", "estimate", "se", "t", "df", "p", "ci_low", "hedges_g", "g_ci_low", "n",
                    "prop_correct"]
            note = "Welch's *t* test (unequal variances); *g* = Hedges' *g* with its normal-approximation CI"
        else:
            part.sentences.append(f"{title}: " + f_sentence(r["F"], r["df1"], r["df2"], r["p"],
                                                            eta2_partial=r.get("eta2")).replace("η²~p~", "η²")
                                  + ".")
            cols = ["F", "df1", "df2", "p", "eta2", "omega2", "n", "prop_correct"]
            note = "One-way analysis of variance of the rating across the levels"
        part.tables.append(Shown(f"check_{cid}", test, apa(
            test, title=f"{title} by {fname}", name=f"check_{cid}",
            columns=[x for x in cols if x in test], headers={"estimate": "*M*~diff~", "n": "*N*"}, note=note)))
        means = res.table.reset_index() if "level" not in res.table else res.table
        part.tables.append(Shown(f"check_{cid}_means", means, apa(
            means, title=f"{title}: Mean Rating per {fname} Level", name=f"check_{cid}_means",
            headers={"level": fname}, formats={"level": lambda v, f=c.factor: escape(lab.level(f, v))})))
    part.results.update(checks=results)
    return part


# -- ANOVA -------------------------------------------------------------------------------------
def anova_key(study: Any, spec: Any) -> str:
    """The suffix of an ANOVA model's tables: its dv when the dvs are distinct, else its id."""
    dvs = [m.options["dv"] for m in study.models if m.kind == "anova"]
    return spec.options["dv"] if len(set(dvs)) == len(dvs) else spec.name


def anova_part(sd: Any, spec: Any, labels: Labels | None = None, *, fit: pd.DataFrame | None = None) -> Part:
    """One ANOVA model: the ANOVA, marginal means, simple effects, pairwise comparisons (Holm),
    one clean table of assumption checks, and an APA sentence per effect.

    The simple effects are of the model's ``simple_effects`` factor (default: its first
    between factor) within each level of the others; ``fit`` is the ANOVA table when the
    caller already has it.
    """
    from ..anova import anova
    from ..assumptions import levene, shapiro_residuals
    from ..emmeans import emmeans, pairwise, simple_effects
    from . import apa_models as M
    from .sentences import anova_sentences

    study, lab = sd.study, labels or labels_of(sd)
    dv, between = spec.options["dv"], list(spec.options["between"])
    ss_type = int(spec.options.get("ss_type", 3))
    name, key = _label(study, dv), anova_key(study, spec)
    tab = fit if fit is not None else anova(sd.kept, dv, between, ss_type=ss_type)
    part = Part(results={"anova": tab})
    for term, text in anova_sentences(tab, eta_ci=True).items():
        part.sentences.append(f"{escape(lab.term(term))}: {text}.")
    part.tables.append(Shown(f"anova_{key}", tab, M.anova_table(tab, dv_label=name, labels=lab, ss_type=ss_type,
                                                                name=f"anova_{key}")))
    emm = emmeans(sd.kept, dv, between)
    part.tables.append(Shown(f"emmeans_{key}", emm, M.emmeans_table(emm, factors=between, dv_label=name, labels=lab,
                                                                    name=f"emmeans_{key}")))
    focal = spec.options.get("simple_effects", between[0])
    by = [b for b in between if b != focal]
    if by:
        se = simple_effects(sd.kept, dv, between, effect=focal, by=by)
        part.tables.append(Shown(f"simple_effects_{key}", se, M.simple_effects_table(
            se, effect=focal, by=by, dv_label=name, labels=lab, name=f"simple_effects_{key}")))
        pw = pairwise(sd.kept, dv, between, effect=focal, by=by, adjust="holm")
    else:
        pw = pairwise(sd.kept, dv, between, effect=focal, adjust="holm")
    part.tables.append(Shown(f"pairwise_{key}", pw, M.pairwise_table(
        pw, effect=focal, by=by, dv_label=name, labels=lab, name=f"pairwise_{key}")))
    lev_mean, lev_median = levene(sd.kept, dv, between, center="mean"), levene(sd.kept, dv, between, center="median")
    shapiro = shapiro_residuals(sd.kept, dv, between)
    tidy = pd.concat([lev_mean.assign(test="Levene (mean-centred)"), lev_median.assign(test="Levene (median-centred)"),
                      shapiro.assign(test="Shapiro-Wilk (residuals)")], ignore_index=True)
    tidy = tidy[["test", *[c for c in tidy.columns if c != "test"]]]
    part.tables.append(Shown(f"assumptions_{key}", tidy, M.assumptions_table(
        levene=[lev_mean, lev_median], shapiro=shapiro, dv_label=name, name=f"assumptions_{key}")))
    return part


# -- PROCESS -----------------------------------------------------------------------------------
def measurement_part(sd: Any, spec: Any, labels: Labels | None = None, *, boot: int | None = None,
                     seed: int | None = None) -> Part:
    """A ``kind: measurement`` model of the study: its CFA's fit, loadings and validity tables.

    Fitted by :func:`studylib._pipeline_measurement.measurement_model` (the study's scale
    definitions, reverse keys recoded; bootstrapped from the study's seed unless ``seed``
    is given; ``boot`` replaces the model's). ``part.results["cfa"]`` is the CFAResult.

    Examples
    --------
    >>> from studylib.pipeline import load_analysis_data
    >>> sd = load_analysis_data()
    >>> part = measurement_part(sd, sd.study.model("cfa"), boot=0)
    >>> part.names
    ['cfa_fit', 'cfa_loadings', 'cfa_validity']
    """
    from .._pipeline_measurement import measurement_model
    from .apa_measurement import measurement_sentence, measurement_tables

    study, lab = sd.study, labels or labels_of(sd)
    res = measurement_model(sd.kept, study, spec, boot=boot, seed=seed)
    data_note = getattr(study, "data_note", None)
    synthetic = bool(getattr(sd, "synthetic", False)) and data_note is None
    tables = measurement_tables(res, lab, data_note=data_note, synthetic=synthetic, prefix=spec.name)
    return Part(tables=[Shown(t.name, t.meta["tidy"], t) for t in tables],
                sentences=[measurement_sentence(res, lab)], results={"cfa": res})


def process_part(res: Any, spec: Any, study: Any, labels: Labels, *, boot: int, seed: Any,
                 prefix: str = "process") -> Part:
    """One PROCESS model: coefficients, model summaries, (conditional) indirect effects with an
    APA sentence each, indexes of moderated mediation, contrasts and the direct effect.

    ``res`` is the :func:`studylib.process` result of ``spec`` (a ``kind: process`` model of
    ``study``); ``boot`` and ``seed`` are named in the notes; ``prefix`` starts the tables'
    names. With more than one PROCESS model in the study each title names the model.
    """
    from . import apa_models as M
    from .sentences import indirect_sentence

    lab, w = labels, spec.options.get("w")
    codings = res.model.attrs.get("codings", {}) if hasattr(res.model, "attrs") else {}
    n_process = sum(1 for m in study.models if m.kind == "process")
    tag = f" ({escape(spec.label)})" if n_process > 1 and getattr(spec, "label", "") else \
        (f" ({escape(spec.name)})" if n_process > 1 else "")
    boot_args = {"boot": boot, "seed": seed}
    part = Part(results={"fit": res})
    part.tables.append(Shown(f"{prefix}_coefficients", res.coefficients, M.coefficients_table(
        res.coefficients, labels=lab, title=f"Regression Coefficients of the Model's Equations{tag}",
        note=M.coding_note(codings, lab), name=f"{prefix}_coefficients")))
    part.tables.append(Shown(f"{prefix}_equations", res.equations, M.model_summary_table(
        res.equations, labels=lab, title=f"Model Summaries of Each Equation{tag}", name=f"{prefix}_equations")))
    if len(res.indirect):
        part.tables.append(Shown(f"{prefix}_indirect", res.indirect, M.indirect_table(
            res.indirect, labels=lab, moderator=w, title=f"Conditional Indirect Effects of X on Y{tag}",
            name=f"{prefix}_indirect", **boot_args)))
        conf = res.indirect.attrs.get("conf", 0.95)
        has_w = "w" in res.indirect
        for row in res.indirect.itertuples(index=False):
            wv = getattr(row, "w", None) if has_w else None
            at = "" if wv is None or pd.isna(wv) else f" ({lab.level(w, wv)})"
            part.sentences.append(escape(f"{lab.path(row.path)}{at}: ") + indirect_sentence(
                row.effect, row.ci_low, row.ci_high, boot_se=row.boot_se, digits=3, conf=conf) + ".")
    if len(res.index):
        part.tables.append(Shown(f"{prefix}_index", res.index, M.index_table(
            res.index, labels=lab, title=f"Indexes of Moderated Mediation{tag}", name=f"{prefix}_index", **boot_args)))
    if len(res.contrasts):
        part.tables.append(Shown(f"{prefix}_contrasts", res.contrasts, M.contrasts_table(
            res.contrasts, labels=lab, moderator=w, name=f"{prefix}_contrasts",
            title=f"Pairwise Contrasts Between Conditional Indirect Effects{tag}", **boot_args)))
    if len(res.direct):
        part.tables.append(Shown(f"{prefix}_direct", res.direct, M.direct_table(
            res.direct, labels=lab, title=f"Direct Effect of X on Y{tag}", name=f"{prefix}_direct")))
    return part


# -- hypotheses --------------------------------------------------------------------------------
def _counts(findings: pd.DataFrame) -> dict[str, int]:
    status = findings["status"].astype(str)
    unknown = sorted(set(status) - set(STATUSES))
    if unknown:
        from ..errors import ColumnError

        raise ColumnError(f"findings column 'status' has values {unknown}; allowed: {list(STATUSES)} "
                          "(see studylib.findings.check_hypotheses)")
    return {s: int((status == s).sum()) for s in STATUSES}


def headline(findings: pd.DataFrame) -> str:
    """The hypotheses in one sentence: how many are supported, in the predicted direction with
    a CI that includes 0, not supported (and not estimable), out of how many.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"status": ["supported", "supported", "direction only", "not supported"]})
    >>> headline(f)
    '2 of 4 hypotheses supported (CI excludes 0 in the predicted direction); 1 in the predicted direction, CI includes 0; 1 not supported.'
    """
    counts = _counts(findings)
    alpha = findings.attrs.get("alpha", 0.05)
    tests = findings["ci_low"].isna() & findings["p"].notna() if {"ci_low", "p"} <= set(findings.columns) \
        else pd.Series(False, index=findings.index)
    a = f"{alpha:g}".lstrip("0") if alpha < 1 else f"{alpha:g}"
    sup = " (CI excludes 0 in the predicted direction" + (f"; an *F* test: *p* < {a})" if tests.any() else ")")
    parts = [f"{counts['supported']} of {len(findings)} hypotheses supported{sup}",
             f"{counts['direction only']} in the predicted direction, CI includes 0"
             + (f" (an *F* test: *p* ≥ {a})" if (tests & (findings["status"] == "direction only")).any() else ""),
             f"{counts['not supported']} not supported"]
    if counts["not estimable"]:
        parts.append(f"{counts['not estimable']} not estimable from these data")
    return "; ".join(parts) + "."


_QUANTITIES = (("conditional indirect effect", "Indirect effect"), ("indirect effect", "Indirect effect"),
               ("difference of conditional indirect effects", "Difference of indirect effects"),
               ("index of moderated mediation", "Index of moderated mediation"))


def quantity_words(quantity: str, labels: Labels | None = None, *, path: bool = True) -> str:
    """What a hypothesis' estimate is, in words (markup), from check_hypotheses' ``quantity``.

    ``path=False`` leaves out the path of an indirect effect (when every hypothesis is
    about the same one). Text that is not one of check_hypotheses' forms is shown as it is.

    Examples
    --------
    >>> lab = Labels({"x": "Valence", "m": "Trust", "y": "Intention", "w": "Source"},
    ...              levels={"w": {"inf": "Influencer", "brand": "Brand"}})
    >>> quantity_words("conditional indirect effect x -> m -> y, w = brand", lab)
    'Indirect effect, Valence → Trust → Intention (Brand)'
    >>> quantity_words("difference of conditional indirect effects x -> m -> y: brand - inf", lab, path=False)
    'Difference of indirect effects (Brand − influencer)'
    >>> quantity_words("F(2, 246) of x:w on y", lab)
    '*F* of Valence × Source on Intention'
    """
    import re

    lab = labels or Labels()
    text = str(quantity).strip()
    hit = re.match(r"^F\(.*?\) of (\S+) on (\S+)$", text)
    if hit:
        return f"*F* of {escape(lab.term(hit.group(1)))} on {escape(lab.var(hit.group(2)))}"
    for prefix, words in _QUANTITIES:
        if not text.startswith(prefix + " "):
            continue
        rest = text[len(prefix) + 1:]
        at = ""
        cond = re.search(r",\s*(\S+)\s*=\s*(\S+)$", rest)
        diff = re.search(r":\s*(\S+)\s*-\s*(\S+)$", rest)
        if cond:
            at, rest = f" ({lab.level(cond.group(1), cond.group(2))})", rest[:cond.start()]
        elif diff:
            a, b = diff.group(1), diff.group(2)
            factor = next((f for f, lv in lab.levels.items() if a in lv and b in lv), "")
            second = lab.level(factor, b)
            second = second[0].lower() + second[1:] if len(second) > 1 and second[1].islower() else second
            at, rest = f" ({lab.level(factor, a)} − {second})", rest[:diff.start()]
        where = f", {lab.path(rest.strip())}" if path and "->" in rest else ""
        return escape(f"{words}{where}{at}")
    return escape(text)


def hypotheses_part(findings: pd.DataFrame, labels: Labels | None = None) -> Part:
    """The hypotheses table and the headline: supported (CI excludes 0 in the predicted
    direction), in the predicted direction with a CI that includes 0, not supported.

    ``findings`` is :func:`studylib.findings.check_hypotheses`'s table (columns hypothesis,
    statement, estimate, ci_low, ci_high, p, direction, status, note); the headline is
    ``part.sentences[0]``.
    """
    from .apa_models import hypotheses_table

    part = Part()
    if not len(findings):
        return part
    part.sentences.append(headline(findings))
    alpha = findings.attrs.get("alpha", 0.05)
    statements = [f"{escape(r.hypothesis)}: {escape(r.statement)}" for r in findings.itertuples()]
    notes = [f"{escape(r.hypothesis)}: {escape(r.note)}" for r in findings.itertuples()
             if "note" in findings and isinstance(r.note, str) and r.note.strip()]
    shown = findings
    if "quantity" in findings:
        import re

        paths = {m.group(0) for q in findings["quantity"].astype(str)
                 if (m := re.search(r"[^\s,:]+(?:\s*->\s*[^\s,:]+)+", q)) is not None}
        shown = findings.assign(estimate_of=[quantity_words(q, labels, path=len(paths) > 1)
                                             for q in findings["quantity"].astype(str)])
    one_path = [] if "quantity" not in findings or len(paths) != 1 else \
        [f"Indirect effects, their differences and indexes are of the path {escape((labels or Labels()).path(*paths))}"]
    table = hypotheses_table(shown, id_column="hypothesis", labels=labels, alpha=alpha,
                             note=join_note(*one_path, *statements, *notes), name="findings",
                             quantity_column="estimate_of" if "quantity" in findings else None)
    words = {j for j, h in enumerate(table.header) if h in ("Estimate of", "Verdict")}
    align = tuple("l" if j in words else a for j, a in enumerate(table.align))  # words flush left
    part.tables.append(Shown("findings", findings, replace(table, align=align)))
    return part
