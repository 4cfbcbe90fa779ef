"""Tests of studylib.output, the one writer: guards, manifest, staging, rollback, lock, faults."""

from __future__ import annotations

import errno
import json
import os
import threading
import time

import pytest

import studylib.output as output
from studylib import paths
from studylib.errors import OptionError, OutputError
from studylib.output import LOCK, MANIFEST, STAGE_PREFIX, Outputs, write_text


def _tree(folder):
    """Every file under ``folder`` with its bytes (hidden ones included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _staging_left(folder):
    return [p for p in folder.rglob(f"{STAGE_PREFIX}*")]


# -- what is refused ---------------------------------------------------------------------


def test_a_file_studylib_did_not_write_is_never_replaced(tmp_path):
    mine = tmp_path / "notes.csv"
    mine.write_text("my own notes")
    with pytest.raises(OutputError, match=r"refusing to replace '.*notes.csv': it exists and studylib did not write"):
        write_text(mine, "new")
    assert mine.read_text() == "my own notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.csv"]  # no manifest, no staging


def test_a_file_studylib_wrote_is_replaced_until_someone_edits_it(tmp_path):
    target = tmp_path / "out" / "fit.json"  # the folder is created
    write_text(target, "one")
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert list(manifest["files"]) == ["fit.json"] and manifest["files"]["fit.json"]["size"] == 3
    write_text(target, "two")  # ours and unchanged: replaced
    assert target.read_text() == "two"
    target.write_text("edited by hand")
    with pytest.raises(OutputError, match="did not write it"):
        write_text(target, "three")
    assert target.read_text() == "edited by hand"


def test_inputs_are_refused_by_path_and_by_hard_link(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    link = tmp_path / "same.csv"
    os.link(data, link)
    for target in (data, link, tmp_path / "sub" / ".." / "data.csv"):
        with Outputs(inputs=[data]) as out, pytest.raises(OutputError, match="it is an input of this run"):
            out.file(target)
    assert data.read_text() == "a,b\n1,2\n"


def test_inputs_noted_by_a_reader_are_refused_at_publish(tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("id,x\n1,2\n")
    from studylib import read_data

    with Outputs() as out:
        write_text(tmp_path / "other.json", "{}")
        read_data(data)  # recorded as an input of the open transaction
        # a manifest that claims the export (as if studylib had written it) does not help
        (tmp_path / MANIFEST).write_text(json.dumps({"files": {"export.csv": output._entry(data)}}))
        with pytest.raises(OutputError, match="export.csv' is an input|it is an input of this run"):
            write_text(data, "x")
        out.publish()
    assert data.read_text() == "id,x\n1,2\n"


def test_data_raw_is_never_written(tmp_path):
    before = sorted(p.name for p in paths.RAW.iterdir())
    for target in (paths.RAW / "x.json", paths.RAW / "deeper" / "x.csv"):
        with pytest.raises(OutputError, match="data/raw holds user exports and is read-only"):
            write_text(target, "no")
    with Outputs() as out, pytest.raises(OutputError, match="data/raw"):
        out.folder(paths.RAW / "results")
    assert sorted(p.name for p in paths.RAW.iterdir()) == before
    assert issubclass(OutputError, OptionError)  # existing `except OptionError` keeps working


def test_folders_and_files_are_not_confused(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="is an existing folder; give a file name"):
        write_text(tmp_path / "adir", "x")
    with Outputs() as out:
        with pytest.raises(OutputError, match="is an existing file, not a folder"):
            out.folder(tmp_path / "afile")
        with pytest.raises(OutputError, match="'.*afile' is a file, not a folder"):
            out.file(tmp_path / "afile" / "x.json")
        out.claim(tmp_path / "r.json", flag="--out")
        with pytest.raises(OutputError, match="--out and --json name the same file"):
            out.claim(tmp_path / "r.json", flag="--json")
        out.file(tmp_path / "twice.json")
        with pytest.raises(OutputError, match="named twice as an output of this run"):
            out.file(tmp_path / "twice.json")


# -- staging and publishing --------------------------------------------------------------


def test_outputs_are_published_together_or_not_at_all(tmp_path):
    with Outputs() as out:
        write_text(tmp_path / "a.txt", "a")
        write_text(tmp_path / "sub" / "b.txt", "b")
        assert not (tmp_path / "a.txt").exists() and len(_staging_left(tmp_path)) == 2  # staged only
        out.publish()
        assert (tmp_path / "a.txt").read_text() == "a" and (tmp_path / "sub" / "b.txt").read_text() == "b"
    assert _staging_left(tmp_path) == []
    with pytest.raises(RuntimeError, match="boom"), Outputs():
        write_text(tmp_path / "c.txt", "c")
        raise RuntimeError("boom")  # before publish: nothing written, staging gone
    assert not (tmp_path / "c.txt").exists() and _staging_left(tmp_path) == []


def test_nested_transactions_publish_with_the_outer_one(tmp_path):
    with Outputs() as outer:
        with Outputs() as inner:
            write_text(tmp_path / "inner.txt", "i")
            inner.publish()  # left to the outer transaction
        assert not (tmp_path / "inner.txt").exists()
        write_text(tmp_path / "outer.txt", "o")
        outer.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "inner.txt", "outer.txt"]


def test_a_results_folder_replaces_only_its_own_stale_files(tmp_path):
    out = tmp_path / "thesis"

    def run(names):
        with Outputs() as tx:
            stage = tx.folder(out, clean=("tables",))
            (stage / "tables").mkdir()
            for name in names:
                (stage / "tables" / name).write_text(name)
            (stage / "report.html").write_text("report")
            tx.publish()

    (out / "tables").mkdir(parents=True)
    (out / "tables" / "my_handmade_table.xlsx").write_text("mine")
    (out / "extra.json").write_text("mine too")
    run(["a.csv", "b.csv"])
    (out / "tables" / "b.csv").write_text("edited")  # studylib's, but changed by hand: now the user's
    run(["a.csv", "c.csv"])
    run(["c.csv"])  # a.csv was studylib's and unchanged: removed as stale
    assert _tree(out / "tables") == {"b.csv": b"edited", "c.csv": b"c.csv", "my_handmade_table.xlsx": b"mine"}
    assert (out / "extra.json").read_text() == "mine too"
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == ["report.html", "tables/c.csv"]
    assert _staging_left(tmp_path) == []


# -- faults: full and read-only file systems ------------------------------------------------


@pytest.mark.parametrize("code, message", [
    (errno.ENOSPC, "no space left on the device; free some space"),
    (errno.EROFS, "the file system is read-only; choose a writable location"),
    (errno.EACCES, "permission denied; check the permissions"),
])
def test_a_failing_write_names_the_file_and_writes_nothing(tmp_path, monkeypatch, code, message):
    def fail(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(output, "_write_file", fail)
    with pytest.raises(OutputError, match=rf"cannot write '.*report.json': {message}.*nothing was written"):
        write_text(tmp_path / "report.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_moving_into_place_rolls_every_file_back(tmp_path, monkeypatch):
    with Outputs() as out:
        for name in ("a.txt", "b.txt", "c.txt"):
            write_text(tmp_path / name, "old " + name)
        out.publish()
    before = _tree(tmp_path)
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:  # a.txt aside, a.txt in, b.txt aside, b.txt in, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="no space left on the device.*nothing was written"), Outputs() as out:
        for name in ("a.txt", "b.txt", "c.txt"):
            write_text(tmp_path / name, "new " + name)
        out.publish()
    monkeypatch.setattr(os, "replace", real_replace)
    assert _tree(tmp_path) == before  # the old files, the old manifest, no staging, no lock


def test_a_folder_that_cannot_be_created_is_one_clear_error(tmp_path, monkeypatch):
    def no(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output.tempfile, "mkdtemp", no)
    with pytest.raises(OutputError, match="cannot write into '.*': the file system is read-only"):
        write_text(tmp_path / "x.json", "{}")


# -- locks and signals ---------------------------------------------------------------------


def test_a_second_run_waits_for_the_lock_then_publishes(tmp_path):
    holder = output._Lock(tmp_path)
    holder.acquire(1)
    assert (tmp_path / LOCK).read_text().strip() == str(os.getpid())
    done = threading.Event()

    def second():
        write_text(tmp_path / "x.json", "{}")
        done.set()

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.4)
    assert not done.is_set() and not (tmp_path / "x.json").exists()  # waiting
    holder.release()
    t.join(10)
    assert done.is_set() and (tmp_path / "x.json").read_text() == "{}"
    assert not (tmp_path / LOCK).exists()


def test_a_lock_held_too_long_stops_with_a_message(tmp_path):
    holder = output._Lock(tmp_path)
    holder.acquire(1)
    try:
        with pytest.raises(OutputError, match=rf"another studylib run \(process {os.getpid()}\) is writing "
                                              r"into .*waited 0.2 s"), Outputs(lock_timeout=0.2) as out:
            write_text(tmp_path / "x.json", "{}")
            out.publish()
    finally:
        holder.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_sigterm_becomes_an_exception_while_writing():
    import signal

    with pytest.raises(output.Terminated), output.sigterm_as_exception():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises here
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_describe_os_error_has_advice_for_common_failures():
    assert output.describe_os_error(OSError(errno.EDQUOT, "x")).startswith("disk quota exceeded")
    assert output.describe_os_error(OSError(errno.EIO, "Input/output error")) == "input/output error"


def test_staging_left_by_a_killed_run_is_removed_by_the_next_one(tmp_path):
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    host = socket.gethostname()
    owners = {"killed": f"{host} {dead}", "running": f"{host} {os.getpid()}", "elsewhere": f"other-host {dead}",
              "unknown": None}
    for name, owner in owners.items():
        stage = tmp_path / f"{STAGE_PREFIX}{name}"
        stage.mkdir()
        (stage / "partial.csv").write_text("half a table")
        if owner:
            (stage / output.OWNER).write_text(owner)
    write_text(tmp_path / "x.json", "{}")
    left = sorted(p.name[len(STAGE_PREFIX):] for p in tmp_path.iterdir() if p.name.startswith(STAGE_PREFIX))
    assert left == ["elsewhere", "running", "unknown"]  # only a dead process's staging on this machine goes


def test_a_results_folder_of_an_older_studylib_is_taken_over(tmp_path):
    from studylib.pipeline import _publish, _staging

    out = tmp_path / "results"
    (out / "tables").mkdir(parents=True)
    (out / "figures").mkdir()
    old = {"studylib": "0.9.0", "tables": {"anova_psr": []}, "figures": ["path_diagram"]}
    (out / "results.json").write_text(json.dumps(old))
    for name in ("report.html", "tables/anova_psr.csv", "tables/anova_psr.md", "figures/path_diagram.svg"):
        (out / name).write_text("old output")
    (out / "tables" / "my_notes.csv").write_text("mine")
    with _staging(out) as stage:
        (stage / "tables").mkdir()
        for name in ("report.html", "results.json", "tables/anova_psr.csv"):
            (stage / name).write_text("new")
        _publish(stage, out)
    assert (out / "report.html").read_text() == "new" and (out / "tables" / "anova_psr.csv").read_text() == "new"
    assert (out / "tables" / "my_notes.csv").read_text() == "mine"
    # without a studylib results.json nothing is taken over
    other = tmp_path / "other"
    other.mkdir()
    (other / "report.html").write_text("someone's report")
    with pytest.raises(OutputError, match="report.html' .*studylib did not write it"), _staging(other) as stage:
        (stage / "report.html").write_text("new")
        _publish(stage, other)
    assert (other / "report.html").read_text() == "someone's report"
