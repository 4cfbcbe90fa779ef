"""The ``studylib process`` command."""

from __future__ import annotations

import json

import pytest
from test_process_model83 import ARGS, simulate

import studylib
from studylib import paths
from studylib._json import to_jsonable
from studylib.cli import main


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "study.csv"
    simulate(120, seed=8).to_csv(path, index=False)
    return path


def test_process_command_writes_to_dict_content(csv, tmp_path, capsys):
    out = tmp_path / "res.json"
    rc = main(["process", "--data", str(csv), "--model", "83", "--x", "valence", "--w", "response",
               "--m", "psr", "pk", "--y", "attitude", "--levels", "valence=negative,positive",
               "--levels", "response=none,like,reply", "--boot", "1000", "--seed", "1", "--json", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Outcome Variable: psr" in text and "Index of moderated mediation" in text
    got = json.loads(out.read_text())
    expected = to_jsonable(studylib.process(simulate(120, seed=8), **ARGS, boot=1000, seed=1).to_dict())
    assert got == json.loads(json.dumps(expected))


def test_process_command_bad_input_exits_2(csv, capsys):
    rc = main(["process", "--data", str(csv), "--model", "83", "--x", "valence", "--w", "response",
               "--m", "psr", "pk", "--y", "attitude", "--levels", "response=none,like"])
    assert rc == 2
    assert "has values not listed in --levels" in capsys.readouterr().err
    rc = main(["process", "--data", str(csv), "--model", "74", "--x", "psr", "--m", "pk", "--y", "attitude"])
    assert rc == 2
    assert "model must be one of the PROCESS model numbers" in capsys.readouterr().err


def test_process_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["process", "--help"])
    assert exc.value.code == 0
    assert "--levels" in capsys.readouterr().out


def test_cli_reads_spss_sav_with_value_labels(capsys):
    # the shipped synthetic export as .sav: the condition's value labels become the levels
    sav = paths.SYNTHETIC / "influencer_study.sav"
    rc = main(["process", "--data", str(sav), "--model", "4", "--x", "Valence", "--m", "PSR_1",
               "--y", "ATT_1", "--boot", "1000", "--seed", "1"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Valence[Positive comments]" in out
    assert "dropped for missing values: 17" in out


def test_binary_y_on_the_command_line(tmp_path, capsys):
    d = simulate(120, seed=8)
    d["bought"] = (d.attitude > d.attitude.median()).map({True: "yes", False: "no"})
    path = tmp_path / "b.csv"
    d.to_csv(path, index=False)
    out = tmp_path / "b.json"
    rc = main(["process", "--data", str(path), "--model", "4", "--x", "psr", "--m", "pk", "--y", "bought",
               "--boot", "1000", "--seed", "2", "--json", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Coding of binary Y for logistic regression (bought): 'no' = 0" in text and "-2LL" in text
    got = json.loads(out.read_text())
    assert got["settings"]["family"] == {"pk": "ols", "bought": "logit"}
    assert got["coefficients"][-1]["df"] is None  # JSON has no infinity: the z test's df is null


def test_missing_required_options_exit_2(capsys):
    assert main(["process", "--model", "4", "--x", "a", "--y", "b"]) == 2
    assert "studylib process needs --data (or --list-models)" in capsys.readouterr().err
