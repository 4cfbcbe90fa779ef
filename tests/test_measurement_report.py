"""Tests of the APA tables and sentences of a CFA (studylib.report.apa_measurement) and of the
study's measurement model step (studylib._pipeline_measurement), on the shipped synthetic data
scored with the example study's scales. The CFA numbers themselves are checked against lavaan
in test_measurement_reference.py; here the tables must show exactly those numbers."""

from __future__ import annotations

import dataclasses
import io
import re

import docx
import numpy as np
import pandas as pd
import pytest

import studylib as sl
from studylib._pipeline_measurement import MEASUREMENT_OPTIONS, measurement_model, step_measurement
from studylib.errors import ColumnError, InputTypeError, OptionError, SpecError
from studylib.report.apa import SYNTHETIC_TABLE_NOTE, ApaTable
from studylib.report.apa_measurement import (
    fit_table,
    fit_text,
    htmt_table,
    loadings_table,
    measurement_sentence,
    measurement_tables,
    model_name,
    validity_table,
)
from studylib.report.apa_render import render_html, render_latex, render_markdown
from studylib.report.document import Report
from studylib.report.labels import Labels
from studylib.report.rich import to_plain
from studylib.study import ModelSpec

FIT_HEADER = ("Model", "χ²", "*df*", "*p*", "χ²/*df*", "CFI", "TLI", "RMSEA", "RMSEA 90% CI [*LL*, *UL*]",
              "SRMR", "*n*")


def spec(name="measurement", **options):
    """A ModelSpec of kind measurement (with a label when the ModelSpec has that field)."""
    kw = {"name": name, "kind": "measurement", "options": options}
    if "label" in {f.name for f in dataclasses.fields(ModelSpec)}:
        kw["label"] = ""
    return ModelSpec(**kw)


@pytest.fixture(scope="module")
def sd():
    return sl.load_analysis_data()  # analyses/study.yaml on data/synthetic/influencer_study.csv


@pytest.fixture(scope="module")
def labels(sd):
    return Labels.from_study(sd.study)


@pytest.fixture(scope="module")
def three(sd):
    return sl.cfa(sd.kept, list(sd.scales.values()))


@pytest.fixture(scope="module")
def two(sd):
    s = list(sd.scales.values())[:2]
    return sl.cfa(sd.kept, s)


@pytest.fixture(scope="module")
def booted(sd):
    return sl.cfa(sd.kept, list(sd.scales.values()), boot=1000, seed=11)


def num(cell: str) -> float:
    """The number in a table cell: '.985', '-.71', '(.75)', '1.00^a^', '1,234'."""
    text = to_plain(cell).strip("()").replace(",", "")
    text = re.sub(r"a$", "", text)
    return float(text)


def close(cell: str, value: float, decimals: int) -> bool:
    """The cell shows ``value`` rounded to ``decimals`` (and nothing else)."""
    return abs(num(cell) - value) <= 0.5 * 10.0**-decimals + 1e-12 and len(to_plain(cell).split(".")[-1]
                                                                           .rstrip(")a")) == decimals


def ci_cell(cell: str) -> tuple[float, float]:
    lo, hi = to_plain(cell).strip("[]").split(", ")
    return float(lo), float(hi)


# --------------------------------------------------------------------------------------
# fit table


@pytest.mark.parametrize("which", ["two", "three"])
def test_fit_table_shows_the_results_numbers(which, request):
    res = request.getfixturevalue(which)
    f = res.fit
    t = fit_table(res)
    assert t.header == FIT_HEADER and t.name == "cfa_fit" and len(t.rows) == 1
    row = dict(zip(t.header, t.rows[0], strict=True))
    assert row["Model"] == {"two": "Two-factor model", "three": "Three-factor model"}[which]
    assert close(row["χ²"], f.chisq, 2) and row["*df*"] == str(f.df)
    assert row["*p*"] == f"{f.p:.3f}"[1:]  # .028: no leading zero, three decimals
    assert close(row["χ²/*df*"], f.chisq / f.df, 2)
    for head, value in [("CFI", f.cfi), ("TLI", f.tli), ("RMSEA", f.rmsea), ("SRMR", f.srmr)]:
        assert close(row[head], value, 3), head
        if value < 1:
            assert not row[head].startswith("0")
    lo, hi = ci_cell(row["RMSEA 90% CI [*LL*, *UL*]"])
    assert abs(lo - f.rmsea_ci_low) <= 5e-4 and abs(hi - f.rmsea_ci_high) <= 5e-4
    assert row["*n*"] == str(f.n) == str(res.n)
    tidy = t.meta["tidy"]
    assert tidy.loc[0, "chisq"] == f.chisq and tidy.loc[0, "rmsea_ci_high"] == f.rmsea_ci_high


def test_three_factor_fit_on_the_synthetic_data(three):
    # the example study's CFA (the numbers of studylib.cfa's docstring, lavaan-checked engine)
    assert three.fit.df == 132 and three.n == 203 and three.n_dropped == 49
    assert fit_table(three).rows[0] == ("Three-factor model", "164.88", "132", ".028", "1.25", ".985", ".983",
                                        ".035", "[.013, .051]", ".039", "203")


def test_fit_table_note_names_cutoffs_estimator_and_identification(three, sd):
    note = fit_table(three).note
    for cut in ("CFI ≥ .95", "TLI ≥ .95", "RMSEA ≤ .06", "SRMR ≤ .08"):
        assert cut in note
    assert "not as verdicts" in note and "Hu & Bentler, 1999" in note
    assert "maximum likelihood (ML" in note and "marker variable" in note
    assert "90% CI" in note and "listwise deletion; 49 left out" in note
    std = sl.cfa(sd.kept, list(sd.scales.values()), std_lv=True)
    note_std = fit_table(std).note
    assert "factor variances fixed to 1" in note_std and "marker variable" not in note_std
    assert SYNTHETIC_TABLE_NOTE not in note
    assert SYNTHETIC_TABLE_NOTE in fit_table(three, synthetic=True).note
    assert fit_table(three, data_note="Collected in 2024.").note.endswith("Collected in 2024.")


def test_fit_table_compares_models_in_order(sd, three):
    items = [i for s in sd.scales.values() for i in s.items]
    one = sl.cfa(sd.kept, {"general": items})  # Harman-style single factor (reverse keys not applied)
    t = fit_table({"Three factors": three, "One factor": one})
    assert [r[0] for r in t.rows] == ["Three factors", "One factor"]
    assert close(t.rows[1][1], one.fit.chisq, 2) and t.rows[1][2] == str(one.fit.df)
    with pytest.raises(InputTypeError, match="CFAResult"):
        fit_table({"x": "not a result"})
    with pytest.raises(InputTypeError, match="at least one"):
        fit_table({})


# --------------------------------------------------------------------------------------
# loadings


@pytest.mark.parametrize("which", ["two", "three"])
def test_loadings_table_matches_the_result_and_marks_reverse_keys(which, request, sd, labels):
    res = request.getfixturevalue(which)
    t = loadings_table(res, labels)
    assert t.header == ("Item", "*b*", "*SE*", "λ")
    assert len(t.rows) == len(res.loadings)
    # one group heading per factor, in words from the study's labels
    assert [g[1] for g in t.groups] == [labels.var(f) for f in res.spec.factors]
    assert [g[0] for g in t.groups] == [int(np.flatnonzero(res.loadings["factor"] == f)[0])
                                        for f in res.spec.factors]
    reverse = {i for sid in res.spec.factors for i in sd.scales[sid].reverse}
    assert reverse  # the example scales have reverse-keyed items
    for row, r in zip(t.rows, res.loadings.itertuples(index=False), strict=True):
        assert row[0] == r.item + (" (R)" if r.item in reverse else "")
        assert close(row[1], r.estimate, 2) and close(row[3], r.std_estimate, 2)
        if np.isnan(r.se):  # the marker
            assert row[1] == "1.00^a^" and row[2] == "—"
        else:
            assert close(row[2], r.se, 2)
        assert num(row[3]) > 0  # reverse-keyed items entered recoded
    assert "(R) = reverse-keyed item" in t.note and "^a^ Fixed to 1" in t.note
    assert sum(r[2] == "—" for r in t.rows) == len(res.spec.factors)


def test_loadings_table_with_std_lv_has_no_marker_and_shows_wording(sd):
    s = sd.scales["pk"]
    res = sl.cfa(sd.kept, [s], std_lv=True)
    t = loadings_table(res, wording={s.items[0]: "An item *text*"})
    assert all(r[2] != "—" for r in t.rows) and "^a^" not in t.note and "^a^" not in "".join(r[1] for r in t.rows)
    assert t.rows[0][0] == s.items[0] + ". An item \\*text\\*"


# --------------------------------------------------------------------------------------
# validity


@pytest.mark.parametrize("which", ["two", "three"])
def test_validity_table_is_fornell_larcker_below_and_htmt_above(which, request, labels):
    res = request.getfixturevalue(which)
    names = list(res.spec.factors)
    m = len(names)
    t = validity_table(res, labels)
    assert t.header == ("Factor", "*k*", "CR", "AVE", "MSV", *[str(j + 1) for j in range(m)])
    for i, (row, v) in enumerate(zip(t.rows, res.validity.itertuples(index=False), strict=True)):
        assert row[0] == f"{i + 1}. {labels.var(v.factor)}"
        assert row[1] == str(v.k) and close(row[2], v.cr, 2) and close(row[3], v.ave, 2) and close(row[4], v.msv, 2)
        for j in range(m):
            cell = row[5 + j]
            if j < i:
                assert close(cell, res.factor_correlations.iloc[i, j], 2)
            elif j == i:
                assert cell.startswith("(") and close(cell, v.sqrt_ave, 2)
                assert close(cell, res.fornell_larcker.iloc[i, i], 2)
            else:
                assert close(cell, res.htmt.iloc[i, j], 2)
    for cut in ("CR ≥ .70", "AVE ≥ .50", "HTMT < .85", "< .90", "Fornell-Larcker", "not as verdicts"):
        assert cut in t.note
    assert "HTMT2, geometric means" in t.note and "bootstrap" not in t.note


def test_negative_latent_correlation_shows_its_sign(three):
    # PSR and PK correlate negatively in the example study: the sign is kept, no leading zero
    t = validity_table(three)
    assert three.factor_correlations.iloc[1, 0] < 0
    assert t.rows[1][5].startswith("-.")


def test_bootstrap_gives_cis_in_the_validity_table_and_an_htmt_table(booted, labels):
    tabs = measurement_tables(booted, labels)
    assert [t.name for t in tabs] == ["cfa_fit", "cfa_loadings", "cfa_validity", "cfa_htmt"]
    v = tabs[2]
    assert v.header[:6] == ("Factor", "*k*", "CR", "CR 95% CI [*LL*, *UL*]", "AVE", "AVE 95% CI [*LL*, *UL*]")
    for row, r in zip(v.rows, booted.validity.itertuples(index=False), strict=True):
        lo, hi = ci_cell(row[3])
        assert abs(lo - r.cr_ci_low) <= 5e-3 and abs(hi - r.cr_ci_high) <= 5e-3 and lo < num(row[2]) < hi
        lo, hi = ci_cell(row[5])
        assert abs(lo - r.ave_ci_low) <= 5e-3 and abs(hi - r.ave_ci_high) <= 5e-3
    assert "*B* = 1,000 resamples, seed 11" in v.note and "percentile bootstrap" in v.note
    h = tabs[3]
    assert h.header == ("Factors", "HTMT", "95% CI [*LL*, *UL*]") and len(h.rows) == 3
    for row, r in zip(h.rows, booted.htmt_ci.itertuples(index=False), strict=True):
        assert row[0] == f"{labels.var(r.factor_1)} – {labels.var(r.factor_2)}"
        assert close(row[1], r.estimate, 2)
        lo, hi = ci_cell(row[2])
        assert abs(lo - r.ci_low) <= 5e-3 and abs(hi - r.ci_high) <= 5e-3 and lo < hi
    assert "HTMT < .85" in h.note and "*B* = 1,000" in h.note


def test_no_bootstrap_no_ci_columns_and_no_htmt_table(three):
    tabs = measurement_tables(three)
    assert [t.name for t in tabs] == ["cfa_fit", "cfa_loadings", "cfa_validity"]
    assert not any("CI" in h for h in tabs[2].header)
    with pytest.raises(InputTypeError, match="needs a bootstrapped CFA"):
        htmt_table(three)


def test_one_factor_validity_has_no_matrix(sd):
    res = sl.cfa(sd.kept, [sd.scales["pk"]])
    t = validity_table(res)
    assert t.header == ("Factor", "*k*", "CR", "AVE") and t.rows[0][0] == "PK"
    assert "HTMT" not in t.note and "CR ≥ .70" in t.note
    assert model_name(res) == "One-factor model"


def test_just_identified_model_says_its_fit_cannot_be_tested(sd):
    items = sd.scales["pk"].items[:3]
    res = sl.cfa(sd.kept, {"three_items": list(items)})
    assert res.fit.df == 0
    t = fit_table(res)
    assert "*p*" not in t.header and "χ²/*df*" not in t.header  # no all-empty columns
    assert "the model is just identified" in t.note
    text = measurement_sentence(res)
    assert f"*N* = {res.n}; with *df* = 0 it is just identified, so its fit cannot be tested." in text
    assert "CFI" not in text and "(just identified)" in fit_text(res)


def test_builders_refuse_other_objects():
    with pytest.raises(InputTypeError, match="must be a CFAResult"):
        measurement_tables(pd.DataFrame())
    with pytest.raises(InputTypeError, match="must be a CFAResult"):
        measurement_sentence({"fit": 1})


# --------------------------------------------------------------------------------------
# sentences


@pytest.mark.parametrize("which", ["two", "three"])
def test_sentence_reports_the_fit_numbers(which, request):
    res = request.getfixturevalue(which)
    f = res.fit
    text = measurement_sentence(res)
    words = {"two": "two-factor", "three": "three-factor"}[which]
    assert text.startswith(f"The {words} model (") and f"; {len(res.spec.items)} items) was fitted by maximum" in text
    assert f"χ²({f.df}, *N* = {f.n}) = {f.chisq:.2f}, *p* = {f'{f.p:.3f}'[1:]}" in text
    assert f"CFI = {f'{f.cfi:.3f}'.lstrip('0')}" in text and f"TLI = {f'{f.tli:.3f}'.lstrip('0')}" in text
    assert (f"RMSEA = {f'{f.rmsea:.3f}'.lstrip('0')}, 90% CI [{f'{f.rmsea_ci_low:.3f}'.lstrip('0')}, "
            f"{f'{f.rmsea_ci_high:.3f}'.lstrip('0')}]") in text
    assert f"SRMR = {f'{f.srmr:.3f}'.lstrip('0')}" in text
    assert fit_text(res) in text
    v = res.validity
    assert f"ranged from {f'{v.cr.min():.2f}'[1:]} to {f'{v.cr.max():.2f}'[1:]}" in text
    assert f"ranged from {f'{v.ave.min():.2f}'[1:]} to {f'{v.ave.max():.2f}'[1:]}" in text
    assert f"{res.htmt_ci.estimate.max():.2f}"[1:] in text
    for verdict in ("good", "acceptable", "poor", "well"):
        assert verdict not in text  # numbers, not verdicts


def test_sentence_with_labels_and_bootstrap_ci(booted, labels):
    text = measurement_sentence(booted, labels)
    top = booted.htmt_ci.loc[booted.htmt_ci["estimate"].idxmax()]
    assert (f"the largest HTMT, between {labels.var(top.factor_1)[0].lower()}"
            in text)  # labels inside a sentence start lowercase (acronyms stay)
    assert f"95% bootstrap CI [{f'{top.ci_low:.2f}'[1:]}, {f'{top.ci_high:.2f}'[1:]}]" in text


# --------------------------------------------------------------------------------------
# rendering


def test_tables_render_to_html_markdown_latex_and_word(booted, labels):
    tabs = measurement_tables(booted, labels, synthetic=True)
    for i, t in enumerate(tabs, 1):
        html = render_html(t, number=i)
        assert f'<p class="table-number">Table {i}</p>' in html and '<p class="table-note"><em>Note.</em>' in html
        md = render_markdown(t, number=i)
        assert md.startswith(f"**Table {i}**") and "*Note.*" in md
        tex = render_latex(t, preamble=False)
        assert r"\begin{tabular}" in tex and r"\textit{Note.}" in tex
    assert "RMSEA 90% CI [<i>LL</i>, <i>UL</i>]" in render_html(tabs[0]) and "<th><i>n</i></th>" in render_html(tabs[0])
    assert "1.00<sup>a</sup>" in render_html(tabs[1])
    rep = Report("Measurement model", synthetic=True)
    rep.section("Measurement model", intro=measurement_sentence(booted, labels))
    for t in tabs:
        rep.table(t)
    html = rep.html()
    assert html.count('class="apa-table') == 4 and "χ²(132, <i>N</i> = 203)" in html
    doc = docx.Document(io.BytesIO(rep.docx()))
    assert len(doc.tables) == 4
    head = [c.text for c in doc.tables[0].rows[0].cells]
    assert head == ["Model", "χ²", "df", "p", "χ²/df", "CFI", "TLI", "RMSEA", "RMSEA 90% CI [LL, UL]", "SRMR", "n"]
    assert doc.tables[0].rows[0].cells[3].paragraphs[0].runs[0].italic  # *p* in italics
    assert [c.text for c in doc.tables[0].rows[1].cells][0] == "Three-factor model"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "CFI ≥ .95" in body and "AVE ≥ .50" in body


# --------------------------------------------------------------------------------------
# the study's measurement model


def test_measurement_model_fits_the_studys_scales(sd, three):
    res = measurement_model(sd.kept, sd.study, spec(scales=[s.id for s in sd.study.scales]))
    assert res.spec.factors == three.spec.factors
    assert res.fit.chisq == three.fit.chisq and res.options["boot"] == 0 and res.options["seed"] is None
    # default: every scale of the study
    assert measurement_model(sd.kept, sd.study, spec()).fit.chisq == three.fit.chisq
    sub = measurement_model(sd.kept, sd.study, spec(scales=[s.id for s in sd.study.scales][:2], std_lv=True))
    assert len(sub.spec.factors) == 2 and sub.options["std_lv"] is True
    # reverse-keyed items recoded as scoring does: the reversed flags follow the scale definitions
    rev = dict(zip(res.loadings["item"], res.loadings["reversed"], strict=True))
    assert {i for i, r in rev.items() if r} == {i for s in sd.study.scales for i in s.reverse}


def test_measurement_model_bootstrap_is_seeded_from_the_study(sd):
    ids = [s.id for s in sd.study.scales][:2]
    a = measurement_model(sd.kept, sd.study, spec(scales=ids, boot=1000))
    assert a.options["seed"] == sd.study.seed and a.options["boot"] == 1000
    b = sl.cfa(sd.kept, [sd.study.scales[0], sd.study.scales[1]], boot=1000, seed=sd.study.seed)
    pd.testing.assert_frame_equal(a.htmt_ci, b.htmt_ci)
    c = measurement_model(sd.kept, sd.study, spec(scales=ids), boot=1000, seed=5)
    assert c.options["seed"] == 5 and c.options["boot"] == 1000


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (spec(scales=["nosuch"]), r"models\.measurement\.scales: names scales that are not in the study's "
                                  r"'scales' block: \['nosuch'\]"),
        (spec(scales="psr"), r"models\.measurement\.scales: must be a list"),
        (spec(scales=[]), r"models\.measurement\.scales: must be a list"),
        (spec(scales=["pk", "pk"]), r"lists scales more than once: \['pk'\]"),
        (spec(rotation="oblimin"), r"models\.measurement: unknown key\(s\) \['rotation'\]"),
        (spec(boot=50), r"models\.measurement\.boot: boot must be at least 1000"),
        (spec(missing="pairwise"), r"models\.measurement\.missing: missing must be one of"),
        (spec(std_lv="yes"), r"models\.measurement\.std_lv: std_lv must be True or False"),
        (ModelSpec("anova_x", "anova", {"dv": "pk", "between": ["valence"]}), r"models\.anova_x\.kind"),
    ],
)
def test_measurement_model_bad_spec_names_file_and_key(sd, model, message):
    with pytest.raises(SpecError, match=message) as info:
        measurement_model(sd.kept, sd.study, model)
    assert str(sd.study.path) in str(info.value)


def test_measurement_model_bad_replacing_option_is_an_option_error(sd):
    with pytest.raises(OptionError, match="^boot must be at least 1000") as info:
        measurement_model(sd.kept, sd.study, spec(), boot=50)
    assert "models." not in str(info.value)  # the value is not the study file's
    with pytest.raises(OptionError, match="^conf must"):
        measurement_model(sd.kept, sd.study, spec(), conf=1.5)
    res = measurement_model(sd.kept, sd.study, spec(std_lv=False), std_lv=True, conf=0.9)
    assert res.options["std_lv"] is True and res.options["conf"] == 0.9


def test_measurement_model_scales_that_cannot_form_a_cfa_name_the_model(sd):
    duo = sl.Scale.from_dict({"id": "duo", "items": list(sd.scales["pk"].items[:2]), "min": 1, "max": 7})
    study = dataclasses.replace(sd.study, scales=(duo,))
    with pytest.raises(SpecError, match=r"models\.measurement\.scales: the model is under-identified .* "
                                        r"factor 'duo' has only 2 items"):
        measurement_model(sd.kept, study, spec(scales=["duo"]))


def test_measurement_model_missing_items_is_a_column_error(sd):
    first = sd.study.scales[0]
    with pytest.raises(ColumnError, match=first.items[0]):
        measurement_model(sd.kept.drop(columns=[first.items[0]]), sd.study, spec())


def test_options_documented():
    assert set(MEASUREMENT_OPTIONS) == {"scales", "std_lv", "boot", "missing", "conf", "htmt_mean"}


class RecordingSink:
    """A collector with the TableSink protocol that records what it is given."""

    def __init__(self):
        self.sections, self.tables = [], []

    def section(self, title, *, intro=None):
        self.sections.append((title, intro))

    def table(self, name, tidy, table):
        self.tables.append((name, tidy, table))


def test_step_measurement_hands_tables_to_the_collector(sd, labels):
    sink = RecordingSink()
    out = step_measurement(sd, sink, spec("mm", boot=1000))
    names = [n for n, _, _ in sink.tables]
    assert names == ["mm_fit", "mm_loadings", "mm_validity", "mm_htmt"] == out["tables"]
    assert all(isinstance(t, ApaTable) and t.name == n for n, _, t in sink.tables)
    assert all(isinstance(tidy, pd.DataFrame) for _, tidy, _ in sink.tables)
    res = measurement_model(sd.kept, sd.study, spec("mm", boot=1000))
    fit_tidy = sink.tables[0][1]
    assert fit_tidy.loc[0, "chisq"] == res.fit.chisq and fit_tidy.loc[0, "n"] == res.n
    pd.testing.assert_frame_equal(sink.tables[1][1], res.loadings)
    assert sink.tables[2][1]["cr"].tolist() == res.validity["cr"].tolist()
    pd.testing.assert_frame_equal(sink.tables[3][1], res.htmt_ci)
    assert len(sink.sections) == 1
    title, intro = sink.sections[0]
    assert title == "Measurement model (confirmatory factor analysis)"
    assert intro == measurement_sentence(res, labels)
    assert out["sentence"] == to_plain(intro) and out["n"] == res.n and out["fit"]["chisq"] == res.fit.chisq
    assert out["options"]["seed"] == sd.study.seed
    # the shipped data are synthetic: every table says so
    note = getattr(sd.study, "data_note", None) or SYNTHETIC_TABLE_NOTE  # the study file's own sentence
    assert sd.synthetic and all(note in t.note for _, _, t in sink.tables)
