"""The command line never overwrites an input, never writes into data/raw, never deletes a
user's file, publishes a command's outputs together or not at all, and never shows a
traceback (issue #12: each probe of the issue is a test here)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from studylib import apply_exclusions, load_study, load_synthetic, paths, reliability, score_scales
from studylib.cli import main
from studylib.errors import DataError
from studylib.output import MANIFEST, STAGE_PREFIX

SYNTHETIC = paths.SYNTHETIC / "influencer_study.csv"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Item-level and scored data files of the shipped synthetic study (written by pandas)."""
    folder = tmp_path_factory.mktemp("inputs")
    items = load_synthetic("prepared")
    kept, _ = apply_exclusions(items, load_study())
    scores = kept.join(score_scales(kept, ["psr", "pk", "attitude"]))
    items.to_csv(folder / "items.csv", index=False)
    scores.to_csv(folder / "scores.csv", index=False)
    (folder / "export.csv").write_bytes(SYNTHETIC.read_bytes())
    return folder


def _sums(*paths_):
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths_}


def _run(capsys, *args):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _one_line(err, command, match):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback
    assert lines[0].startswith(f"studylib {command}: ")
    assert match in lines[0], lines[0]
    return lines[0]


def _no_staging(folder):
    assert [p for p in Path(folder).rglob(f"{STAGE_PREFIX}*")] == []


# -- 1. --json naming an input -------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["anova", "--data", "{scores}", "--dv", "psr", "--between", "valence", "response", "--json", "{scores}"],
    ["process", "--data", "{scores}", "--model", "4", "--x", "mc_valence", "--m", "psr", "--y", "attitude",
     "--boot", "0", "--json", "{scores}"],
    ["score", "--data", "{items}", "--scale", "psr", "--json", "{items}"],
    ["score", "--data", "{items}", "--scale", "psr", "--out", "{items}"],
    ["reproduce", "--data", "{export}", "--out", "{tmp}/res", "--json", "{export}", "--no-progress"],
])
def test_an_output_naming_an_input_is_refused_and_the_input_kept(files, tmp_path, capsys, command):
    names = {"scores": files / "scores.csv", "items": files / "items.csv", "export": files / "export.csv",
             "tmp": tmp_path}
    args = [a.format(**names) for a in command]
    before = _sums(*[names[k] for k in ("scores", "items", "export")])
    code, _, err = _run(capsys, *args)
    assert code == 2
    _one_line(err, command[0], "it is an input of this run (the --data file); studylib never overwrites")
    assert _sums(*before) == before
    assert list(tmp_path.iterdir()) == []


def test_a_hard_link_to_the_input_is_the_input(files, tmp_path, capsys):
    link = tmp_path / "same_file.csv"
    os.link(files / "scores.csv", link)
    before = _sums(link)
    code, _, err = _run(capsys, "anova", "--data", files / "scores.csv", "--dv", "psr", "--between", "valence",
                        "--json", link)
    assert code == 2
    _one_line(err, "anova", "it is an input of this run (the --data file")
    assert _sums(link) == before


# -- 2, 3. data/raw -------------------------------------------------------------------------

def test_nothing_is_ever_written_into_data_raw(tmp_path, capsys):
    before = sorted(p.name for p in paths.RAW.rglob("*"))
    code, _, err = _run(capsys, "reproduce", "--example", "--out", paths.RAW / "results", "--no-progress")
    assert code == 2
    _one_line(err, "reproduce", "data/raw holds user exports and is read-only")
    code, _, err = _run(capsys, "simulate", "--n", "60", "--seed", "1", "--out", tmp_path / "sim.csv",
                        "--json", paths.RAW / "sim.json")
    assert code == 2
    _one_line(err, "simulate", "(--json): it lies inside")
    assert sorted(p.name for p in paths.RAW.rglob("*")) == before
    assert list(tmp_path.iterdir()) == []  # and not the other output of the command either


# -- 4. a user's files in the results folder ---------------------------------------------------

def test_reproduce_keeps_the_users_files_in_its_results_folder(tmp_path, capsys):
    from studylib.output import Outputs

    out = tmp_path / "thesis"
    with Outputs() as earlier:  # a table an earlier run wrote, which this one does not write again
        stage = earlier.folder(out)
        (stage / "tables").mkdir()
        (stage / "tables" / "old_table.csv").write_text("from an earlier run")
        earlier.publish()
    (out / "tables" / "my_handmade_table.xlsx").write_bytes(b"mine")
    (out / "figures").mkdir()
    (out / "figures" / "sketch.png").write_bytes(b"mine too")
    code, _, _ = _run(capsys, "reproduce", "--example", "--out", out, "--no-progress", "--json", out / "r.json")
    assert code == 0
    assert (out / "tables" / "my_handmade_table.xlsx").read_bytes() == b"mine"
    assert (out / "figures" / "sketch.png").read_bytes() == b"mine too"
    assert not (out / "tables" / "old_table.csv").exists()
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert "r.json" in listed and "tables/exclusion_flow.csv" in listed and "report.html" in listed
    assert not any("my_handmade" in k or "sketch" in k or "old_table" in k for k in listed)
    _no_staging(tmp_path)
    (out / "report.html").write_text("edited by hand")  # no longer studylib's: the next run stops
    code, _, err = _run(capsys, "reproduce", "--data", tmp_path / "missing.csv", "--out", out)
    assert code == 2 and "data file not found" in err  # (a quick failure: nothing touched)
    assert (out / "report.html").read_text() == "edited by hand"


# -- 5. read-only and full file systems ----------------------------------------------------------

@pytest.mark.parametrize("errno_, advice", [(30, "the file system is read-only"), (28, "no space left")])
def test_a_read_only_or_full_file_system_is_one_line(files, tmp_path, capsys, monkeypatch, errno_, advice):
    import studylib.output as output

    def fail(path, data):
        raise OSError(errno_, os.strerror(errno_), str(path))

    monkeypatch.setattr(output, "_write_file", fail)
    code, _, err = _run(capsys, "score", "--data", files / "items.csv", "--scale", "psr",
                        "--out", tmp_path / "s.csv", "--json", tmp_path / "s.json")
    assert code == 2
    line = _one_line(err, "score", advice)
    assert "s.csv" in line and "nothing was written" in line
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_read_is_one_line(tmp_path, capsys, monkeypatch):
    data = tmp_path / "items.csv"
    data.write_text("a,b\n1,2\n")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, _, err = _run(capsys, "anova", "--data", data, "--dv", "a", "--between", "b")
    assert code == 2
    _one_line(err, "anova", "items.csv': permission denied; check the permissions")


# -- 6. files that are not UTF-8 -----------------------------------------------------------------

def _cp1252(path, text):
    path.write_bytes(text.encode("cp1252"))
    return path


def test_yaml_files_that_are_not_utf8_are_one_line_naming_the_flag(files, tmp_path, capsys):
    scale = yaml.safe_load((paths.QUESTIONNAIRES / "psr.yaml").read_text())
    scale.update(id="psr_nl", name="Parasociale relatie (café)")
    scale_file = _cp1252(tmp_path / "psr_nl.yaml", yaml.safe_dump(scale, allow_unicode=True))
    params = _cp1252(tmp_path / "params.yaml",
                     (paths.SYNTHETIC / "params.yaml").read_text() + "# café\n")
    effects = _cp1252(tmp_path / "effects.yaml", "x_m1: 0.4  # café\n")
    study = _cp1252(tmp_path / "study.yaml", paths.STUDY_CONFIG.read_text() + "# café\n")
    cases = [
        ("score", ["--data", files / "items.csv", "--scale", scale_file], scale_file),
        ("simulate", ["--params", params, "--n", "60", "--out", tmp_path / "x.csv"], params),
        ("power", ["--grid", "20", "--reps", "10", "--effects", effects], effects),
        ("power", ["--grid", "20", "--reps", "10", "--from-params", params], params),
        ("reproduce", ["--config", study, "--out", tmp_path / "res", "--no-progress"], study),
    ]
    for command, args, bad in cases:
        code, _, err = _run(capsys, command, *args)
        assert code == 2
        _one_line(err, command, f"{bad.name}: cannot decode the file as UTF-8 (byte 0xe9 at position")
        assert "pass --encoding cp1252" in err and "encoding=" not in err
    code, out, err = _run(capsys, "score", "--encoding", "cp1252", "--data", files / "items.csv",
                          "--scale", scale_file)
    assert code == 0 and "psr_nl" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["effects.yaml", "params.yaml", "psr_nl.yaml",
                                                          "study.yaml"]


def test_a_cp1252_export_is_read_with_encoding_or_the_study_key(tmp_path, capsys):
    text = SYNTHETIC.read_text(encoding="utf-8").replace(",NL,", ",NLé,", 1)
    export = _cp1252(tmp_path / "export.csv", text)
    code, _, err = _run(capsys, "anova", "--data", export, "--dv", "Age", "--between", "Valence")
    assert code == 2
    _one_line(err, "anova", "save it as UTF-8, or pass --encoding cp1252 (or the file's encoding)")
    code, out, _ = _run(capsys, "anova", "--data", export, "--dv", "Age", "--between", "Valence",
                        "--encoding", "cp1252")
    assert code == 0 and "Factorial ANOVA of Age by Valence" in out
    # library: the argument's name; a study file: its encoding: key
    from studylib import read_data
    from studylib.pipeline import load_analysis_data

    with pytest.raises(DataError, match="pass encoding='cp1252'.*or set 'encoding: cp1252' in the study file"):
        read_data(export, study=load_study())
    config = yaml.safe_load(paths.STUDY_CONFIG.read_text())
    config.update(data=str(export), questionnaires=str(paths.QUESTIONNAIRES), encoding="cp1252")
    study_file = tmp_path / "study.yaml"
    study_file.write_text(yaml.safe_dump(config, sort_keys=False))
    sd = load_analysis_data(config=study_file)
    assert len(sd.prepared) == 310 and load_study(study_file).encoding == "cp1252"
    config["encoding"] = "klingon"
    study_file.write_text(yaml.safe_dump(config, sort_keys=False))
    with pytest.raises(Exception, match="field 'encoding' must be a text encoding such as 'utf-8'"):
        load_study(study_file)


# -- 7, 11. plots --------------------------------------------------------------------------------

@pytest.mark.parametrize("plot", ["curve.xyz", "bad"])
def test_an_unsupported_plot_format_is_refused_before_anything_is_written(tmp_path, capsys, plot):
    code, _, err = _run(capsys, "power", "--grid", "20", "--reps", "10", "--no-progress",
                        "--json", tmp_path / "p.json", "--plot", tmp_path / plot)
    assert code == 2
    _one_line(err, "power", f"--plot must end in .png, .pdf, .svg; got '{plot}'")
    assert list(tmp_path.iterdir()) == []


def test_power_json_and_plot_are_written_together(tmp_path, capsys):
    code, out, _ = _run(capsys, "power", "--grid", "20", "--reps", "10", "--no-progress", "--seed", "1",
                        "--json", tmp_path / "p.json", "--plot", tmp_path / "p.svg")
    assert code == 0 and f"wrote {tmp_path / 'p.svg'}" in out
    assert (tmp_path / "p.svg").read_text().startswith("<?xml")
    assert sorted(json.loads((tmp_path / MANIFEST).read_text())["files"]) == ["p.json", "p.svg"]


# -- 8. two columns of one name ----------------------------------------------------------------

def test_duplicate_column_names_are_a_clear_error(files, tmp_path, capsys):
    from studylib import anova
    from studylib.errors import ColumnError

    scores = pd.read_csv(files / "scores.csv")
    twice = pd.concat([scores, scores[["psr"]]], axis=1)
    with pytest.raises(ColumnError, match=r"data has more than one column named \['psr'\] \(anova\)"):
        anova(twice, "psr", ["valence", "response"])
    header = (files / "scores.csv").read_text().split("\n", 1)
    dup = tmp_path / "dup.csv"
    dup.write_text(header[0].replace("pk_01", "psr_01") + "\n" + header[1])
    code, _, err = _run(capsys, "anova", "--data", dup, "--dv", "psr", "--between", "valence")
    assert code == 2
    _one_line(err, "anova", "the header names columns more than once: ['psr_01']")


# -- 9, 10. partial outputs after an error ----------------------------------------------------------

def test_no_partial_outputs_when_one_output_is_refused(files, tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    code, _, err = _run(capsys, "score", "--data", files / "items.csv", "--scale", "psr",
                        "--out", tmp_path / "s.csv", "--json", tmp_path / "adir")
    assert code == 2
    _one_line(err, "score", "(--json): it is an existing folder; give a file name")
    code, _, err = _run(capsys, "reproduce", "--example", "--out", tmp_path / "res", "--json", tmp_path / "adir")
    assert code == 2
    _one_line(err, "reproduce", "(--json): it is an existing folder")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["adir"]


def test_a_late_failure_publishes_nothing(files, tmp_path, capsys, monkeypatch):
    import studylib.cli.score as score_cli

    real = score_cli.write_json

    def json_then_fail(obj, path):
        real(obj, path)
        raise OSError(28, "No space left on device", str(path))  # e.g. a full disk at the very end

    monkeypatch.setattr(score_cli, "write_json", json_then_fail)
    code, _, err = _run(capsys, "score", "--data", files / "items.csv", "--scale", "psr",
                        "--out", tmp_path / "s.csv", "--json", tmp_path / "s.json")
    assert code == 2
    _one_line(err, "score", "no space left on the device")
    assert list(tmp_path.iterdir()) == []


# -- 12. SIGTERM ---------------------------------------------------------------------------------

def test_sigterm_mid_run_leaves_no_staging_folder(tmp_path):
    out = tmp_path / "res"
    proc = subprocess.Popen([sys.executable, "-m", "studylib", "reproduce", "--example", "--out", str(out),
                             "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(STAGE_PREFIX) for p in tmp_path.iterdir()):  # tables being written
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before staging"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err.strip() == "studylib reproduce: stopped by SIGTERM; nothing was written"
    assert list(tmp_path.iterdir()) == []


# -- 13. two runs into one folder -------------------------------------------------------------------

def test_two_runs_publishing_into_one_folder_at_once(tmp_path):
    out = tmp_path / "sim"
    cmd = [sys.executable, "-m", "studylib", "simulate", "--n", "60", "--out", str(out / "sim.csv"),
           "--json", str(out / "sim.json")]
    procs = [subprocess.Popen([*cmd, "--seed", str(seed)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for seed in (1, 2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    summary = json.loads((out / "sim.json").read_text())
    data = pd.read_csv(out / "sim.csv")
    assert summary["n"] == len(data) == 60  # one run's pair of files, not a mix of half-written ones
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert listed["sim.csv"]["sha256"] == hashlib.sha256((out / "sim.csv").read_bytes()).hexdigest()
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "sim.csv", "sim.json"]


# -- 14. the same rule for non-integer Likert answers everywhere ---------------------------------

def test_a_non_integer_likert_answer_is_refused_by_every_entry_point(files, tmp_path, capsys):
    items = pd.read_csv(files / "items.csv")
    items.loc[0, "psr_01"] = 3.5
    bad_items = tmp_path / "items35.csv"
    items.to_csv(bad_items, index=False)
    export = pd.read_csv(SYNTHETIC)
    export["PSR_1"] = export["PSR_1"].astype(float)
    export.loc[0, "PSR_1"] = 3.5
    bad_export = tmp_path / "export35.csv"
    export.to_csv(bad_export, index=False)
    found = "column 'psr_01' has non-integer values in rows 0 (value 3.5)"
    allowed = "answers in the declared range 1..7 are whole numbers"
    code, _, err = _run(capsys, "score", "--data", bad_items, "--scale", "psr")
    assert code == 2 and found in _one_line(err, "score", allowed)
    code, _, err = _run(capsys, "reproduce", "--data", bad_export, "--out", tmp_path / "r", "--no-progress")
    line = found.replace("rows 0", "rows 2")  # an export's rows are named by line number (header = line 1)
    assert code == 2 and line in _one_line(err, "reproduce", allowed)
    with pytest.raises(DataError, match=rf"{found.replace('(', '.').replace(')', '.')}.*{allowed}"):
        reliability(items, scale="psr")


# -- 15. advice in the user's terms ------------------------------------------------------------

def test_advice_names_cli_flags_on_the_cli_and_arguments_in_the_library(files, capsys):
    from studylib import process

    scores = pd.read_csv(files / "scores.csv")
    with pytest.raises(Exception, match=r"pass x_coding='indicator' \(or 'sequential'"):
        process(scores, model=4, x="valence", m="psr", y="attitude", boot=0)
    code, _, err = _run(capsys, "process", "--data", files / "scores.csv", "--model", "4", "--x", "valence",
                        "--m", "psr", "--y", "attitude", "--boot", "0")
    assert code == 2
    line = _one_line(err, "process", "pass --x-coding indicator (or 'sequential'")
    assert "x_coding" not in line and "pandas" not in line and "--levels" in line
    code, _, err = _run(capsys, "process", "--data", files / "scores.csv", "--model", "1", "--x", "psr",
                        "--w", "age", "--y", "attitude", "--boot", "0", "--w-coding", "helmert")
    assert code == 2
    _one_line(err, "process", "--w-coding helmert applies to a categorical w")
    assert "or leave out --w-coding" in err
    code, _, err = _run(capsys, "anova", "--data", files / "scores.csv", "--dv", "valence", "--between",
                        "valence", "response")
    assert code == 2
    _one_line(err, "anova", "is also listed in --between valence response")


# -- 16 and impossible values ----------------------------------------------------------------------

def _config(tmp_path, change):
    config = yaml.safe_load(paths.STUDY_CONFIG.read_text())
    config.update(data=str(SYNTHETIC), questionnaires=str(paths.QUESTIONNAIRES))
    change(config)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_exclusions_that_remove_everyone_name_the_rule(tmp_path, capsys):
    def old_only(config):
        rule = next(r for r in config["exclusions"] if r["rule"] == "range")
        rule.update(min=100, max=120)

    code, _, err = _run(capsys, "reproduce", "--config", _config(tmp_path, old_only), "--out", tmp_path / "r",
                        "--no-progress")
    assert code == 2
    _one_line(err, "reproduce", "exclusion step 4 ('range': age missing or outside 100..120) removed the "
                                "last 276 of 310 respondents: nobody is left to analyse")
    assert "exclusions[3] in the study file" in err


def test_impossible_values_are_refused_not_counted_by_a_rule(tmp_path, capsys):
    export = pd.read_csv(SYNTHETIC)
    export.loc[3, "Duration (in seconds)"] = -99
    negative = tmp_path / "negative.csv"
    export.to_csv(negative, index=False)
    code, _, err = _run(capsys, "reproduce", "--data", negative, "--out", tmp_path / "r", "--no-progress")
    assert code == 2
    line = _one_line(err, "reproduce", "column 'duration_s' (exclusion rule 'speeder') has negative completion "
                                       "times in rows 5 (value -99.0)")  # line numbers, header = 1
    assert "ranges: duration_s" in line and "missing code" in line
    export = pd.read_csv(SYNTHETIC)
    export.loc[[4, 7], "Age"] = 999
    coded = tmp_path / "age999.csv"
    export.to_csv(coded, index=False)
    code, _, err = _run(capsys, "reproduce", "--data", coded, "--out", tmp_path / "r", "--no-progress")
    assert code == 2
    line = _one_line(err, "reproduce", "column 'age' has values outside the declared range 0..120 in rows 6 "
                                       "(value 999.0), 9 (value 999.0)")
    assert "'ranges: age' in the study file" in line and "If 999 marks a missing answer" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["age999.csv", "negative.csv"]


# -- unexpected errors and the general options -------------------------------------------------------

def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(files, capsys, monkeypatch):
    import studylib.cli.anova as anova_cli

    def bug(*args, **kwargs):
        raise TypeError("an internal mistake")

    monkeypatch.setattr(anova_cli, "analyse", bug)
    args = ["anova", "--data", files / "scores.csv", "--dv", "psr", "--between", "valence"]
    code, _, err = _run(capsys, *args)
    assert code == 2
    _one_line(err, "anova", "internal error: TypeError: an internal mistake (this is a bug in studylib; run "
                            "with --debug for the traceback")
    for debug in (["--debug", *args], [*args, "--debug"]):  # before or after the subcommand
        code, _, err = _run(capsys, *debug)
        assert code == 2
        assert err.startswith("Traceback (most recent call last)") and "in bug" in err
        assert err.strip().splitlines()[-1].startswith("studylib anova: internal error: TypeError")


def test_the_readme_promises_about_data_raw_and_partial_results():
    readme = (paths.ROOT / "README.md").read_text()
    assert "studylib never writes there" in readme
    assert "no partial results" in readme
    assert "## What studylib writes" in readme and MANIFEST in readme
    # both promises are tested above: test_nothing_is_ever_written_into_data_raw and the tests of
    # partial outputs (refused output, late failure, SIGTERM, failing file system)
