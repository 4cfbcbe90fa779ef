"""Tests of the ``studylib score`` subcommand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from studylib import load_scale, reliability, score
from studylib.cli import main


@pytest.fixture
def items_csv(tmp_path):
    rng = np.random.default_rng(11)
    n = 40
    d = {"resp_id": np.arange(101, 101 + n)}
    for sid in ("psr", "pk"):
        s = load_scale(sid)
        f = rng.normal(size=n)
        for it in s.items:
            v = np.clip(np.round(4 + 1.2 * f + rng.normal(size=n)), 1, 7)
            d[it] = 8 - v if it in s.reverse else v
    df = pd.DataFrame(d)
    df.loc[0, ["psr_01", "psr_02", "psr_03"]] = np.nan
    path = tmp_path / "items.csv"
    df.to_csv(path, index=False)
    return path, df


def test_score_command_outputs(items_csv, tmp_path, capsys):
    path, df = items_csv
    before = path.read_bytes()
    out, js = tmp_path / "res" / "scores.csv", tmp_path / "res" / "score.json"
    rc = main(["score", "--data", str(path), "--scale", "psr", "--scale", "pk", "--out", str(out), "--json", str(js)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Scale scores" in text and "Reliability (pairwise)" in text
    assert path.read_bytes() == before  # data file untouched
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["resp_id", "psr", "psr_n_answered", "pk", "pk_n_answered"]
    assert_allclose(scores["psr"], score(df, load_scale("psr"))["score"])
    assert np.isnan(scores.loc[0, "psr"]) and scores.loc[0, "psr_n_answered"] == 5
    payload = json.loads(js.read_text())
    expected = reliability(df, scale="psr").to_dict()
    assert payload["reliability"]["psr"]["alpha"] == pytest.approx(expected["alpha"], rel=1e-12)
    assert payload["summary"][0]["n_missing_score"] == 1


def test_score_command_default_scales_and_errors(items_csv, tmp_path, capsys):
    path, _ = items_csv
    # default = every scale in the folder: 'attitude' items are not in this file
    assert main(["score", "--data", str(path)]) == 2
    assert "columns not in data: ['att_01'" in capsys.readouterr().err
    assert main(["score", "--data", str(path), "--scale", "demographics"]) == 2
    assert "is a set of single items" in capsys.readouterr().err
    assert main(["score", "--data", str(path), "--scale", "psr", "--out", str(path)]) == 2
    assert "(--out): it is an input of this run (the --data file)" in capsys.readouterr().err
    assert main(["score", "--data", str(tmp_path / "none.csv")]) == 2
    assert "data file not found" in capsys.readouterr().err


def test_score_command_reads_sav_with_labelled_items(items_csv, tmp_path, capsys):
    # a .sav whose Likert items carry a label on every point: read_data makes them
    # Categoricals of the labels; the command scores their numeric codes
    import pyreadstat

    path, df = items_csv
    sav = tmp_path / "items.sav"
    labels = {it: {float(v): f"point {v}" for v in range(1, 8)} for it in load_scale("psr").items}
    pyreadstat.write_sav(df, str(sav), variable_value_labels=labels)
    out = tmp_path / "scores.csv"
    assert main(["score", "--data", str(sav), "--scale", "psr", "--out", str(out)]) == 0
    assert_allclose(pd.read_csv(out)["psr"], score(df, load_scale("psr"))["score"], rtol=1e-12)
