"""Tests of studylib.pipeline.reproduce on the shipped synthetic data (the example study),
and on a study file without any optional block.

One full run (B = 5000, the study's seed) is shared by the tests of this module; a second run
with the same input and seed checks that every output file is byte-identical.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from browser_check import check_figures, require_chromium

from studylib import paths
from studylib.descriptives import demographics
from studylib.output import MANIFEST, STAGE_PREFIX
from studylib.pipeline import (
    OUTPUTS,
    _publish,
    _staging,
    load_analysis_data,
    reproduce,
)
from studylib.session import file_sha256

SERIAL = "valence -> psr -> pk -> attitude"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "results"
    return reproduce(out=out, config=paths.STUDY_CONFIG)


def _indirect(result):
    rows = pd.DataFrame(result.results["tables"]["process_indirect"])
    return rows[rows["path"] == SERIAL].set_index("w")["effect"]


def test_reported_directions_hold_on_the_shipped_data(run):
    effect = _indirect(run)
    # the thesis's directions (DESIGN.md): > 0 with no reaction, < 0 for likes, more negative for replies
    assert effect["none"] > 0
    assert effect["like"] < 0
    assert effect["reply"] < effect["like"]
    anova_psr = pd.DataFrame(run.results["tables"]["anova_psr"]).set_index("term")
    assert anova_psr.loc["valence:response", "p"] < 0.05
    assert (run.findings["status"] != "not supported").all()
    assert run.findings["hypothesis"].tolist() == [f"H{i}" for i in range(1, 10)]


def test_outputs_are_complete_and_consistent(run):
    out = run.out
    assert sorted(p.name for p in out.iterdir()) == sorted((*OUTPUTS, MANIFEST))
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == written  # all of them, no other
    tables = run.results["tables"]
    for name in tables:
        for ext in ("csv", "md", "tex"):
            assert (out / "tables" / f"{name}.{ext}").is_file(), (name, ext)
    assert {p.stem for p in (out / "tables").iterdir()} == set(tables)
    for name in run.results["figures"]:
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
        assert (out / "figures" / f"{name}.svg").read_text().startswith("<?xml")
    assert {"interaction_psr", "conditional_indirect_effects", "path_diagram"} <= set(run.results["figures"])
    # results.json holds every table of the report, unrounded, equal to the CSV files
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk == run.to_dict()
    csv = pd.read_csv(out / "tables" / "process_indirect.csv")
    pd.testing.assert_series_equal(csv["effect"], pd.DataFrame(tables["process_indirect"])["effect"],
                                   check_exact=True)
    assert run.results["settings"] == {"boot": 5000, "seed": 20240315, "example": False}
    data_file = paths.SYNTHETIC / "influencer_study.csv"
    assert run.results["session"]["data"]["sha256"] == file_sha256(data_file)
    html = (out / "report.html").read_text()
    assert "Synthetic data." in html and file_sha256(data_file) in html
    assert html.count("<figure") == len(run.results["figures"])
    # self-contained: no external resources, no script
    assert 'src="http' not in html and 'href="http' not in html and "<script" not in html


def test_summary_names_the_key_findings(run):
    text = run.summary()
    assert "kept after exclusions (SYNTHETIC data)" in text
    assert "ANOVA psr: valence x response F(2, " in text
    assert "H1: " in text and "H4: " in text
    assert f"of {len(run.findings)} hypotheses supported" in text


def test_same_input_and_seed_give_identical_files(run, tmp_path):
    again = reproduce(out=tmp_path / "again", config=paths.STUDY_CONFIG)
    assert (again.out / "results.json").read_bytes() == (run.out / "results.json").read_bytes()
    first = sorted(p.relative_to(run.out) for p in run.out.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again.out) for p in again.out.rglob("*") if p.is_file())
    assert first == second
    differ = [str(p) for p in first if (run.out / p).read_bytes() != (again.out / p).read_bytes()]
    assert differ == []


def test_report_opens_in_headless_chromium_with_every_figure(run):
    chromium = require_chromium()
    counts = check_figures(run.out / "report.html", chromium)
    n = len(run.results["figures"])
    assert counts["figures"] == n
    assert counts["images_loaded"] == counts["images"] and counts["svgs_drawn"] == counts["svgs"]
    assert counts["images"] + counts["svgs"] == n
    assert counts["tables"] == len(run.results["tables"])


def test_publishing_replaces_only_the_pipeline_outputs(tmp_path):
    out = tmp_path / "results"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "handmade.csv").write_text("mine")  # not written by studylib: stays
    (out / "notes.txt").write_text("mine")

    def run(tables):
        with _staging(out) as stage:
            assert stage.parent == out and stage.name.startswith(STAGE_PREFIX)
            for name in OUTPUTS:
                (stage / name).mkdir() if "." not in name else (stage / name).write_text("new")
            for name in tables:
                (stage / "tables" / name).write_text("new")
            _publish(stage, out)

    run(["fresh.csv", "stale.csv"])
    run(["fresh.csv"])  # stale.csv was studylib's and is not written again: it goes
    assert (out / "notes.txt").read_text() == "mine"  # files that are not ours stay
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["fresh.csv", "handmade.csv"]
    assert (out / "tables" / "handmade.csv").read_text() == "mine"
    assert (out / "report.html").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no staging folder left
    assert not [p for p in out.iterdir() if p.name.startswith(STAGE_PREFIX)]


def test_staging_is_removed_on_error_and_out_is_untouched(tmp_path):
    out = tmp_path / "deeper" / "results"  # parents do not exist yet
    with pytest.raises(RuntimeError, match="boom"), _staging(out) as stage:
        (stage / "report.html").write_text("partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_load_analysis_data_and_demographics():
    sd = load_analysis_data(config=paths.STUDY_CONFIG)
    assert sd.synthetic and len(sd.kept) == sd.log.n_after < len(sd.prepared)
    assert {"psr", "pk", "attitude"} <= set(sd.kept.columns)
    assert sd.summary().splitlines() == [
        "configuration: analyses/study.yaml",
        "data file:     influencer_study.csv (synthetic)",
        f"respondents:   310 read, {sd.log.n_after} kept after exclusions",
    ]
    demo = demographics(sd.kept, sd.study)
    assert demo["n"].iloc[:-1].sum() == demo["n"].iloc[-1] == len(sd.kept)
    assert ((demo[[f"gender_{c}_pct" for c in (1, 2, 3, 4)]].sum(axis=1)).round(9) == 100).all()
    assert demo["age_mean"].between(18, 30).all() and (demo["follower_1_pct"] == 100).all()  # after exclusions


NOCHECKS = paths.ROOT / "tests" / "studies" / "study_nochecks.yaml"


@pytest.fixture(scope="module")
def nochecks_run(tmp_path_factory):
    from studylib.simulate import simulate_from_study

    folder = tmp_path_factory.mktemp("nochecks")
    export = folder / "export.csv"
    simulate_from_study(NOCHECKS, seed=1).to_csv(export, index=False)
    return reproduce(export, config=NOCHECKS, out=folder / "results")


def test_a_study_without_optional_blocks_runs_with_its_own_names(nochecks_run):
    run = nochecks_run
    assert run.results["blocks_absent"] == ["attention_check", "manipulation_checks", "demographics",
                                            "exclusions", "hypotheses"]
    assert run.results["data"] == {"n_read": 120, "n_kept": 120} and len(run.findings) == 0
    tables = set(run.results["tables"])
    assert {"anova_liking", "process_indirect", "cell_sizes"} <= tables
    assert not tables & {"exclusion_flow", "demographics", "findings"}
    assert not any(t.startswith("check_") for t in tables)
    html = (run.out / "report.html").read_text()
    assert "Not part of this study (not declared in its study file, so skipped): attention check, " \
           "manipulation checks, demographics, exclusion rules, hypotheses." in html
    assert "<title>Message x channel (test study, no optional blocks)</title>" in html
    assert "Synthetic data." not in html  # its export is not marked synthetic
    for word in ("thesis", "valence", "psr", "attitude", "follower"):
        assert word not in html.lower(), word
    assert run.results["labels"]["levels"]["channel"] == {"mail": "E-mail", "feed": "Social feed", "app": "App notice"}


def test_missing_declared_column_names_the_block(tmp_path):
    from studylib.errors import ColumnError
    from studylib.simulate import simulate_from_study

    export = tmp_path / "export.csv"
    simulate_from_study(NOCHECKS, seed=1).drop(columns=["lk_2"]).to_csv(export, index=False)
    with pytest.raises(ColumnError, match=r"columns not in data: 'lk_2' \(needed by scales.liking\)"):
        reproduce(export, config=NOCHECKS, out=tmp_path / "results")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_the_study_file_comes_from_studylib_study(monkeypatch, tmp_path):
    from studylib.simulate import simulate_from_study
    from studylib.study import load_study

    monkeypatch.setenv("STUDYLIB_STUDY", str(NOCHECKS))
    assert load_study().path == NOCHECKS
    export = tmp_path / "export.csv"
    simulate_from_study(NOCHECKS, seed=2).to_csv(export, index=False)
    sd = load_analysis_data(export)
    assert sd.study.name.startswith("Message x channel") and not sd.synthetic
    assert f"{len(sd.kept)} analysed (no exclusion rules)" in sd.summary()  # the study states none
    monkeypatch.setenv("STUDYLIB_STUDY", str(tmp_path / "none.yaml"))
    with pytest.raises(FileNotFoundError, match=r"none.yaml \(from \$STUDYLIB_STUDY\)"):
        load_study()


def test_a_relative_studylib_study_is_found_from_the_project_root(monkeypatch, tmp_path):
    """A notebook kernel runs in analyses/: a path relative to the project root still works."""
    from studylib import paths
    from studylib.study import load_study

    second = paths.ANALYSES / "studies" / "disclosure" / "study.yaml"
    monkeypatch.chdir(paths.ANALYSES)
    monkeypatch.setenv("STUDYLIB_STUDY", str(second.relative_to(paths.ROOT)))
    assert load_study().path.resolve() == second.resolve()
    copy = tmp_path / "analyses" / "studies" / "disclosure"  # the current folder comes first
    shutil.copytree(second.parent, copy)
    monkeypatch.chdir(tmp_path)
    assert load_study().path.resolve() == (copy / "study.yaml").resolve()
