"""Tests of simulate_from_study and ``studylib simulate --config``: any study's export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studylib.errors import OptionError, SpecError
from studylib.simulate import simulate_from_study

STUDY = Path(__file__).parent / "studies" / "study_2x2.yaml"


def test_export_has_the_study_columns_balanced_cells_and_is_deterministic():
    raw = simulate_from_study(STUDY, n_per_cell=30)
    assert list(raw.columns) == ["pid", "Frame", "Source", "TR1", "TR2", "TR3", "IN1", "IN2",
                                 "IN3", "AC", "Age"]
    assert raw.attrs["seed"] == 11 and len(raw) == 120 and raw["pid"].is_unique
    assert raw.groupby(["Frame", "Source"]).size().tolist() == [30] * 4
    assert set(raw["Frame"]) == {"Gain frame", "Loss frame"}
    items = raw[["TR1", "TR2", "TR3", "IN1", "IN2", "IN3"]]
    assert items.stack().between(1, 7).all() and str(items.dtypes.iloc[0]) == "Int64"
    assert (raw["AC"] == 3).all() and raw["Age"].between(18, 65).all()  # passes the exclusions
    pd.testing.assert_frame_equal(raw, simulate_from_study(STUDY, n_per_cell=30))
    assert not raw.equals(simulate_from_study(STUDY, n_per_cell=30, seed=12))


def test_items_follow_the_scores_reverse_keys_and_missing_rate():
    raw = simulate_from_study(STUDY, n_per_cell=500, seed=3)
    tr = raw[["TR1", "TR2", "TR3"]].astype(float)
    r = tr.corr()
    assert r.loc["TR1", "TR2"] > 0.4 and r.loc["TR1", "TR3"] < -0.4  # TR3 is reverse-keyed
    # loss frame raises trust with a peer source (+0.5): items TR1 differ by about that
    peer = raw["Source"] == "Peer"
    diff = tr.loc[peer & (raw["Frame"] == "Loss frame"), "TR1"].mean() - tr.loc[
        peer & (raw["Frame"] == "Gain frame"), "TR1"].mean()
    assert 0.3 < diff < 0.7  # SE about 0.1 (500 per cell)
    share = raw[["TR1", "TR2", "TR3", "IN1", "IN2", "IN3"]].isna().to_numpy().mean()
    assert abs(share - 0.02) < 0.006  # 12,000 answers: SE 0.0013


def test_the_export_goes_through_prepare_and_scoring():
    import studylib
    from studylib._simblock import study_block

    study, _ = study_block(STUDY)
    data = studylib.prepare(simulate_from_study(STUDY), study)
    kept, log = studylib.apply_exclusions(data, study)
    assert len(kept) == 160  # every synthetic respondent passes the rules
    scores = studylib.score_scales(kept, list(study.scales))
    assert scores["trust"].between(1, 7).all()


def test_errors(tmp_path):
    no_block = tmp_path / "s.yaml"
    no_block.write_text(STUDY.read_text().split("simulation:")[0], encoding="utf-8")
    with pytest.raises(SpecError, match="has no 'simulation:' block"):
        simulate_from_study(no_block)
    partial = tmp_path / "p.yaml"
    partial.write_text(STUDY.read_text().replace("    intent:\n      mean: 3.5", "    nfc:\n      mean: 3.5"),
                       encoding="utf-8")
    with pytest.raises(SpecError, match=r"simulation.scores.nfc is not a scale of the study"):
        simulate_from_study(partial)
    with pytest.raises(OptionError, match="n_per_cell must be at least 2"):
        simulate_from_study(STUDY, n_per_cell=1)


def test_cli_simulate_config_writes_csv_sav_and_json(tmp_path, capsys):
    from studylib.cli import main
    from studylib.io import read_data

    out, js = tmp_path / "sim.csv", tmp_path / "sim.json"
    assert main(["simulate", "--config", str(STUDY), "--n-per-cell", "6", "--out", str(out),
                 "--json", str(js)]) == 0
    assert "wrote 24 simulated respondents (seed 11)" in capsys.readouterr().out
    back = read_data(out)
    assert len(back) == 24 and json.loads(js.read_text())["n"] == 24
    sav = tmp_path / "sim.sav"
    assert main(["simulate", "--config", str(STUDY), "--out", str(sav)]) == 0
    assert len(read_data(sav)) == 160
    assert main(["simulate", "--config", str(STUDY), "--n", "40", "--out", str(out)]) == 2
    assert "--n and --params are for the thesis simulator" in capsys.readouterr().err
    assert main(["simulate", "--n-per-cell", "4", "--out", str(out)]) == 2
    assert "--n-per-cell needs --config STUDY" in capsys.readouterr().err
    assert np.isfinite(back["TR1"].astype(float)).sum() > 0
