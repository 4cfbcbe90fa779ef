"""Tests of studylib.pipeline.reproduce on the shipped synthetic data (the thesis analysis).

One full run (B = 5000, the study's seed) is shared by the tests of this module; a second run
with the same input and seed checks that every output file is byte-identical.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from browser_check import check_figures, require_chromium

from studylib import paths
from studylib.output import MANIFEST, STAGE_PREFIX
from studylib.pipeline import (
    OUTPUTS,
    _publish,
    _staging,
    demographics,
    load_analysis_data,
    reproduce,
)
from studylib.session import file_sha256

SERIAL = "valence -> psr -> pk -> attitude"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "results"
    return reproduce(out=out)


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
    assert "indirect_none > 0" in text and "reply < like" in text
    assert f"of {len(run.findings)} hypotheses supported (CI excludes 0 in the predicted direction" in text
    assert "in the predicted direction, CI includes 0" in text and "not supported" in text


def test_same_input_and_seed_give_identical_files(run, tmp_path):
    again = reproduce(out=tmp_path / "again")
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
    sd = load_analysis_data()
    assert sd.synthetic and len(sd.kept) == sd.log.n_after < len(sd.prepared)
    assert {"psr", "pk", "attitude"} <= set(sd.kept.columns)
    assert sd.summary().splitlines() == [
        "configuration: analyses/study.yaml",
        "data file:     influencer_study.csv (synthetic)",
        f"respondents:   310 read, {sd.log.n_after} kept after exclusions",
    ]
    demo = demographics(sd.kept)
    assert demo["n"].iloc[:-1].sum() == demo["n"].iloc[-1] == len(sd.kept)
    assert ((demo["women"] + demo["men"] + demo["non_binary"] + demo["not_said"]).round(12) == 1).all()
