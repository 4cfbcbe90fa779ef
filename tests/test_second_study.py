"""The second example study (analyses/studies/disclosure) from its study file alone.

A 2 x 2 disclosure x source study with its own scales, no attention check, no manipulation
checks, no demographics, its own exclusions, a PROCESS model 7 and its own hypotheses. The
tests check that its shipped SYNTHETIC data are exactly what ``studylib simulate`` makes from
the study file, that the catalogue lists them, and that ``studylib reproduce`` runs on it and
writes a report with the study's own names and nothing of the thesis study.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from studylib import load_study, paths
from studylib.cli import main as cli_main
from studylib.datasets import CATALOGUE, list_datasets, load_synthetic

SECOND = paths.ANALYSES / "studies" / "disclosure" / "study.yaml"
DATA = paths.SYNTHETIC / "disclosure" / "disclosure_study.csv"
CODEBOOK = paths.SYNTHETIC / "disclosure" / "codebook.md"
#: The command that made the shipped file (run from the project root; also in the codebook).
COMMAND = ["studylib", "simulate", "--config", "analyses/studies/disclosure/study.yaml",
           "--out", "data/synthetic/disclosure/disclosure_study.csv"]


def thesis_names() -> dict[str, list[str]]:
    """Names of the thesis study that must not appear in anything of the second study.

    ``ids`` are matched as whole words, case-sensitively (factor, scale, item, check and model
    ids); ``labels`` as phrases, ignoring case (display labels and hypothesis sentences). Level
    ids are left out, and level labels that only capitalise them (``Like``): the thesis's
    ``none`` is also a level of the second study, and ``like`` and ``reply`` are ordinary
    English words.
    """
    thesis = load_study(paths.STUDY_CONFIG)
    ids = [f.name for f in thesis.factors] + [s.id for s in thesis.scales]
    ids += [i for s in thesis.scales for i in s.items] + [m.name for m in thesis.models]
    ids += [c.id for c in thesis.manipulation_checks] + [c.item for c in thesis.manipulation_checks]
    if thesis.attention_check is not None:
        ids.append(thesis.attention_check.item)
    ids += [d.item for d in thesis.demographics]
    labels = [thesis.title, thesis.name] + [f.display for f in thesis.factors]
    labels += [f.level_label(lv) for f in thesis.factors for lv in f.levels if f.level_label(lv).lower() != lv]
    labels += [thesis.label(s.id) for s in thesis.scales] + [c.display for c in thesis.manipulation_checks]
    labels += [h.text for h in thesis.hypotheses]
    return {"ids": sorted(set(ids)), "labels": sorted({x for x in labels if x and len(x) > 3})}


def thesis_names_in(text: str) -> list[str]:
    """The thesis names (see :func:`thesis_names`) that occur in ``text``."""
    names = thesis_names()
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", text)  # embedded images are not text
    found = [n for n in names["ids"] if re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", text)]
    flat = " ".join(text.split())
    found += [n for n in names["labels"]
              if re.search(rf"(?<!\w){re.escape(' '.join(n.split()))}(?!\w)", flat, flags=re.IGNORECASE)]
    return found


def test_the_study_file_declares_its_own_design_and_no_thesis_blocks():
    study = load_study(SECOND)
    assert [(f.name, f.levels) for f in study.factors] == [("disclosure", ("none", "explicit")),
                                                          ("source", ("influencer", "brand"))]
    assert [s.id for s in study.scales] == ["credibility", "trust", "intention"]
    assert study.scale("trust").reverse == ("trust_03",)
    assert study.attention_check is None and not study.manipulation_checks and not study.demographics
    assert set(study.absent) == {"attention_check", "manipulation_checks", "demographics"}
    assert [r.rule for r in study.exclusions] == ["incomplete", "straight_lining"]
    assert {m.name: m.kind for m in study.models} == {
        "anova_credibility": "anova", "anova_trust": "anova", "anova_intention": "anova", "model7": "process"}
    assert study.model("model7").options["model"] == 7
    assert [h.id for h in study.hypotheses] == ["H1", "H2", "H3", "H4"]
    assert study.synthetic and study.data == DATA
    assert study.questionnaires == SECOND.parent / "questionnaires"
    assert thesis_names_in(SECOND.read_text(encoding="utf-8")) == []


def test_shipped_data_are_what_studylib_simulate_makes_from_the_study_file(tmp_path):
    out = tmp_path / "disclosure_study.csv"
    command = [sys.executable, "-m", "studylib", *COMMAND[1:-1], str(out)]
    done = subprocess.run(command, cwd=paths.ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == DATA.read_bytes()  # bit for bit: the block's seed fixes the draw
    assert " ".join(COMMAND) in CODEBOOK.read_text(encoding="utf-8")


def test_codebook_says_synthetic_and_lists_every_column():
    text = CODEBOOK.read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    for column in pd.read_csv(DATA, nrows=0).columns:
        assert f"`{column}`" in text, column


def test_catalogue_lists_the_second_study_and_loads_it_with_its_own_study_file():
    entry = CATALOGUE["disclosure_study"]
    assert entry["study"] == SECOND
    rows = list_datasets().set_index("name").loc["disclosure_study"]
    assert rows["file"] == "data/synthetic/disclosure/disclosure_study.csv"
    raw = load_synthetic(name="disclosure_study")
    assert len(raw) == rows["n_rows"] == entry["n_rows"] == 300
    clean = load_synthetic("clean", name="disclosure_study")
    assert list(clean["disclosure"].cat.categories) == ["none", "explicit"]
    assert 0 < len(raw) - len(clean) < 15  # the incomplete rule removes a few respondents


def test_thesis_data_set_keeps_the_thesis_study_when_another_is_chosen(monkeypatch):
    monkeypatch.setenv("STUDYLIB_STUDY", str(SECOND))
    assert len(load_synthetic("clean")) == 252  # the thesis file, not $STUDYLIB_STUDY


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    out = tmp_path_factory.mktemp("disclosure") / "results"
    # --example: B = 1000 resamples instead of the study file's 5000, to keep the test short;
    # the statuses below hold at both.
    code = cli_main(["reproduce", "--config", str(SECOND), "--out", str(out), "--example", "--no-progress"])
    assert code == 0
    return out


def test_reproduce_writes_the_report_of_the_second_study(reproduced):
    html = (reproduced / "report.html").read_text(encoding="utf-8")
    study = load_study(SECOND)
    for label in [study.title, *(f.display for f in study.factors), *(study.label(s.id) for s in study.scales),
                  "Explicit disclosure", "Brand account", "H4"]:
        assert label in html, label
    assert "SYNTHETIC" in html
    assert re.search(r"Not part of this study[^:]*: attention check, manipulation checks, demographics", html)
    assert thesis_names_in(html) == []
    files = [p for p in reproduced.rglob("*") if p.suffix in (".csv", ".md", ".tex", ".svg")]
    assert {p.parent.name for p in files} == {"tables", "figures"}
    assert {p.name: thesis_names_in(p.read_text(encoding="utf-8")) for p in files} == {p.name: [] for p in files}


def test_reproduce_scores_the_study_s_own_hypotheses(reproduced):
    results = json.loads((reproduced / "results.json").read_text(encoding="utf-8"))
    text = json.dumps(results)
    assert thesis_names_in(text) == []
    assert results["blocks_absent"] == ["attention_check", "manipulation_checks", "demographics"]
    assert results["checks"] == {}
    hyps = pd.DataFrame(results["tables"]["findings"])
    assert hyps["hypothesis"].tolist() == ["H1", "H2", "H3", "H4"]
    # On the shipped synthetic data every hypothesis is supported (the simulation: block was
    # chosen for that; see the study file).
    assert hyps["status"].tolist() == ["supported"] * 4


def test_run_all_takes_the_study_file_by_study_or_config(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_all", paths.ANALYSES / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    seen = []
    monkeypatch.setattr(run_all, "cli_main", lambda argv: seen.append(argv) or 0)
    for flag in ("--study", "--config"):
        assert run_all.main([flag, str(SECOND), "--example"]) == 0
    assert seen == [["reproduce", "--config", str(SECOND), "--example"]] * 2
