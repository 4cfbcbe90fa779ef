"""Tests of the ``studylib reproduce`` command and ``analyses/run_all.py``: success, bad input."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from studylib import paths
from studylib.cli import main
from studylib.output import STAGE_PREFIX

DATA = paths.SYNTHETIC / "influencer_study.csv"


def _run(capsys, *args):
    code = main(["reproduce", *map(str, args)])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _assert_clean_failure(code, err, parent: Path, out: Path, match: str):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback
    assert lines[0].startswith("studylib reproduce: error: ")
    assert match in lines[0]
    assert not out.exists()
    assert not [p for p in parent.iterdir() if p.name.startswith(STAGE_PREFIX)]


def test_example_run_prints_summary_and_writes_json(capsys, tmp_path):
    # a configuration without a seed: the seed drawn for the bootstrap is recorded
    config = yaml.safe_load(paths.STUDY_CONFIG.read_text())
    config.update(seed=None, data=str(DATA), questionnaires=str(paths.QUESTIONNAIRES))
    unseeded = tmp_path / "study.yaml"
    unseeded.write_text(yaml.safe_dump(config, sort_keys=False))
    code, out, _ = _run(capsys, "--example", "--config", unseeded, "--out", tmp_path / "res",
                        "--no-progress", "--json", tmp_path / "r.json")
    assert code == 0
    assert "hypotheses supported" in out and "report.html" in out
    payload = json.loads((tmp_path / "r.json").read_text())
    assert payload == json.loads((tmp_path / "res" / "results.json").read_text())
    assert payload["settings"]["boot"] == 1000
    seed = payload["settings"]["seed"]
    assert isinstance(seed, int) and payload["process"]["model83"]["seed"] == seed
    assert f"seed {seed}" in (tmp_path / "res" / "report.html").read_text()


def test_missing_data_file(capsys, tmp_path):
    out = tmp_path / "res"
    code, _, err = _run(capsys, "--data", tmp_path / "nope.csv", "--out", out)
    _assert_clean_failure(code, err, tmp_path, out, "data file not found")


def test_data_missing_required_columns(capsys, tmp_path):
    broken = tmp_path / "export.csv"
    pd.read_csv(DATA).drop(columns=["PSR_3"]).to_csv(broken, index=False)
    before = broken.read_bytes()
    out = tmp_path / "res"
    code, _, err = _run(capsys, "--data", broken, "--out", out, "--no-progress")
    _assert_clean_failure(code, err, tmp_path, out, "PSR_3")
    assert broken.read_bytes() == before  # the raw file is never modified


def test_config_naming_an_unknown_scale(capsys, tmp_path):
    config = yaml.safe_load(paths.STUDY_CONFIG.read_text())
    config["data"] = str(DATA)
    config["questionnaires"] = str(paths.QUESTIONNAIRES)
    config["scales"] = [*config["scales"], "nfc"]  # there is no questionnaires/nfc.yaml
    bad = tmp_path / "study.yaml"
    bad.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "res"
    code, _, err = _run(capsys, "--config", bad, "--out", out, "--no-progress")
    _assert_clean_failure(code, err, tmp_path, out, "field 'scales.nfc' cannot be loaded: no questionnaire 'nfc'")


def test_bad_options(capsys, tmp_path):
    out = tmp_path / "res"
    code, _, err = _run(capsys, "--boot", 10, "--out", out)
    _assert_clean_failure(code, err, tmp_path, out, "boot must be at least 1000")
    code, _, err = _run(capsys, "--example", "--data", DATA, "--out", out)
    _assert_clean_failure(code, err, tmp_path, out, "example")


def test_failure_midway_leaves_no_partial_results(capsys, tmp_path, monkeypatch):
    import studylib._pipeline_steps as steps
    from studylib.errors import ModelError

    def boom(*args, **kwargs):
        raise ModelError("simulated failure in a step")

    # the scales step comes after the staging folder exists and the first tables are written
    monkeypatch.setattr(steps, "_step_scales", boom)
    out = tmp_path / "res"
    code, _, err = _run(capsys, "--example", "--out", out, "--no-progress")
    _assert_clean_failure(code, err, tmp_path, out, "simulated failure")


def test_run_all_script_forwards_to_reproduce(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("run_all", paths.ANALYSES / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    code = run_all.main(["--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "res")])
    assert code == 2
    assert "data file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_all.main(["--help"])
    help_text = capsys.readouterr().out
    assert "Run the whole thesis analysis" in help_text
    # every option of `studylib reproduce` is offered by the script as well
    from studylib.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["reproduce"]
    for action in sub._actions:
        for flag in action.option_strings:
            assert flag in help_text, flag
