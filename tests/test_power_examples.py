"""Power and simulate run for the example studies from their own study files.

Each example study file that declares a ``simulation:`` block (the thesis's
analyses/study.yaml and the second example under analyses/studies/) must give a power
table for every declared ANOVA and process model, and a power or a reason for every
hypothesis; its synthetic export must pass its own exclusions.
"""

from __future__ import annotations

import pytest

import studylib
from studylib import paths
from studylib._simblock import study_block
from studylib.simulate import simulate_from_study

STUDIES = [paths.STUDY_CONFIG, *sorted((paths.ANALYSES / "studies").glob("*/study.yaml"))]


def _declared(path):
    study, block = study_block(path)
    if block is None:
        pytest.skip(f"{path.relative_to(paths.ROOT)} declares no simulation: block")
    return study


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: str(p.relative_to(paths.ROOT)))
def test_power_runs_from_the_study_file(path):
    study = _declared(path)
    res = studylib.power(path, n_grid=[20, 40], reps=20, draws=200, n_jobs=1, progress=False)
    simulated = {m.name for m in study.models if m.kind in ("anova", "process")}
    assert set(res.power["analysis"]) == simulated
    assert res.power["power"].between(0, 1).all()
    hyp = res.hypotheses
    for h in getattr(study, "hypotheses", ()):
        rows = hyp[hyp["hypothesis"] == h.id]
        assert len(rows), h.id
        assert rows["power"].notna().all() or rows["note"].iloc[0], h.id


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: str(p.relative_to(paths.ROOT)))
def test_simulated_export_passes_the_study_pipeline_front(path):
    study = _declared(path)
    raw = simulate_from_study(path, n_per_cell=8, seed=1)
    data = studylib.prepare(raw, study)
    kept, log = studylib.apply_exclusions(data, study)
    assert len(kept) >= 0.9 * len(raw)  # attentive synthetic respondents: few if any excluded
    scores = studylib.score_scales(kept, list(study.scales))
    assert set(scores.columns) >= {s.id for s in study.scales}
