"""Notebooks 01-07 take their study from STUDYLIB_STUDY and run on the second example study.

``pytest --nbmake`` (pyproject.toml) already executes every notebook of analyses/ on the
default study, the thesis (analyses/study.yaml). Here notebooks 01-07 run once more, in a
fresh kernel each, with ``STUDYLIB_STUDY`` naming the second example study
(analyses/studies/disclosure/study.yaml), and their outputs must carry that study's names and
nothing of the thesis's. The notebooks with sections for optional blocks also run on
tests/studies/study_nochecks.yaml (no exclusions, no hypotheses, a PROCESS model 4 without a
moderator), where those sections must say the block is not part of the study. Notebook 07
(power) plans the second study from its own simulation: block; its model-83 part says it
does not apply.
"""

from __future__ import annotations

import ast
import json
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient
from test_second_study import SECOND, thesis_names, thesis_names_in

from studylib import load_study, paths

NOTEBOOKS = sorted(paths.ANALYSES.glob("0[1-7]_*.ipynb"))
#: Sections of a notebook about a block the second study does not declare say so.
ABSENT = {"01_data_and_exclusions.ipynb": 2, "03_manipulation_checks.ipynb": 2, "07_power_replication.ipynb": 1}


def _code(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _outputs(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            for kind in ("text/plain", "text/html", "text/markdown"):
                if kind in out.get("data", {}):
                    parts.append(out["data"][kind])
    return "\n".join(parts)


def test_notebooks_01_to_07_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_names_no_study(path):
    code = _code(path)
    ast.parse(code.replace("display(", "print("))  # plain Python (no magics)
    assert "studylib.load_study()" in code  # the one documented place: $STUDYLIB_STUDY
    names = thesis_names()
    words = {n for n in names["ids"] if n in thesis_names_in(code)}
    assert words == set(), f"thesis names in the code of {path.name}: {sorted(words)}"
    second = load_study(SECOND)
    own = [f.name for f in second.factors] + [s.id for s in second.scales] + [m.name for m in second.models]
    assert [n for n in own if n in code] == []  # nor the second study's


def _run(path, study, monkeypatch) -> str:
    """Execute a notebook in a fresh kernel on ``study``; return the text of its outputs."""
    # An absolute path: the kernel runs in analyses/, not in the project root.
    monkeypatch.setenv("STUDYLIB_STUDY", str(study))
    # B = 1000 (the least studylib.process accepts) instead of the study file's 5000: the
    # test is about the study reaching every cell, not about the bootstrap's precision.
    monkeypatch.setenv("STUDYLIB_BOOT", "1000")
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(paths.ROOT)]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(paths.ROOT), *rest]))  # this checkout's studylib
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(paths.ANALYSES)}}).execute()
    return _outputs(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_the_second_study(path, monkeypatch):
    text = _run(path, SECOND, monkeypatch)
    second = load_study(SECOND)
    assert second.title in text
    assert second.data_note in text
    assert thesis_names_in(text) == [], path.name
    assert text.count("not part of this study") >= ABSENT.get(path.name, 0)
    if path.name.startswith(("02", "04")):
        for s in second.scales:
            assert second.label(s.id) in text
    if path.name.startswith("05"):
        assert "disclosure -> trust -> intention" in text
    if path.name.startswith(("06", "07")):
        assert all(h.id in text for h in second.hypotheses)
    if path.name.startswith("07"):
        assert "anova_intention" in text and "disclosure x source" in text  # its own power table


#: Notebooks with a section for a block that tests/studies/study_nochecks.yaml leaves out
#: (exclusions, hypotheses besides the checks and demographics), and what each must say.
BARE = {"01_data_and_exclusions.ipynb": ["Exclusions: not part of this study", "Attention check: not part",
                                         "Demographics: not part"],
        "03_manipulation_checks.ipynb": ["Manipulation checks: not part of this study"],
        "05_process_models.ipynb": ["message -> recall -> liking"],  # model 4: no moderator, no plot of W
        "06_findings.ipynb": ["Hypotheses: not part of this study"]}


@pytest.mark.parametrize("name", sorted(BARE))
def test_notebook_runs_on_a_study_without_optional_blocks(name, tmp_path, monkeypatch):
    import yaml

    from studylib.simulate import simulate_from_study

    source = paths.ROOT / "tests" / "studies" / "study_nochecks.yaml"
    simulate_from_study(source).to_csv(tmp_path / "export.csv", index=False)
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    (tmp_path / "study.yaml").write_text(yaml.safe_dump({**spec, "data": "export.csv"}, sort_keys=False),
                                         encoding="utf-8")
    assert set(load_study(tmp_path / "study.yaml").absent) >= {"exclusions", "hypotheses", "manipulation_checks"}
    text = _run(paths.ANALYSES / name, tmp_path / "study.yaml", monkeypatch)
    for expected in BARE[name]:
        assert expected in text, expected


def test_readme_names_the_second_study_the_way_the_notebooks_find_it():
    text = (paths.ANALYSES / "README.md").read_text(encoding="utf-8")
    value = re.search(r"STUDYLIB_STUDY=(\S+) jupyter lab", text).group(1)
    assert value.startswith("$PWD/")  # absolute: the kernels run in analyses/
    assert (paths.ROOT / value.removeprefix("$PWD/")).resolve() == SECOND.resolve()
