"""The one place where studylib writes files: guarded, staged, and published together.

Every file studylib writes (tables, figures, the report, JSON, CSV and SPSS exports, plots)
goes through this module. Before anything is written it refuses, with an
:class:`~studylib.errors.OutputError` that names the file and says what to do:

- a target that is an **input of the run** (the same path, or the same file reached through
  another path or a link: ``os.path.samefile``);
- a target inside **data/raw/** (:data:`studylib.paths.RAW`): the user's exports, never
  written;
- a target that exists and was **not written by studylib**. Each folder studylib publishes
  into keeps a manifest, ``.studylib-manifest.json``, with the relative path, size and
  SHA-256 of every file it wrote there; a file not listed, or changed since (edited by
  hand), is never replaced or removed.

The outputs of one run form a transaction (:class:`Outputs`). Each file is first written to
a hidden staging folder (``.studylib-stage-*``) next to its destination, on the same file
system, and :meth:`Outputs.publish` moves all of them into place together, or none: when a
move fails, the files already moved are taken back and the replaced ones restored. Staging
is removed on any exit: an error, ``SystemExit``, Ctrl-C, and SIGTERM (while a transaction is
open in the main thread, SIGTERM raises :class:`Terminated`, so clean-up runs). While one run
publishes into a folder it holds a lock file there (``.studylib.lock``, with ``flock``); a
second run publishing into the same folder waits for it (at most :data:`LOCK_TIMEOUT`
seconds, then stops with a message naming the folder).

Transactions nest: a write made while a transaction is open (e.g. by
:func:`studylib.reproduce` inside ``studylib reproduce``) is staged into it and published
with the rest. The readers (:func:`studylib.read_data`, :func:`studylib.load_study`, the
questionnaire, parameter and effects loaders) record every file they read with
:func:`note_input`, so that no output of the run can replace an input of it.

Written here rather than taken from a library: the maintained atomic-write packages
(``atomicwrites`` is archived; ``safer``, ``atomicwrites-homeassistant``) write one file at
a time, and none keeps a manifest of its own files or refuses inputs; this module needs only
``os``, ``shutil`` and ``fcntl``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from studylib.output import MANIFEST, Outputs, write_text
>>> folder = Path(tempfile.mkdtemp())
>>> write_text(folder / "notes.md", "written by studylib\\n").name
'notes.md'
>>> sorted(p.name for p in folder.iterdir())
['.studylib-manifest.json', 'notes.md']
>>> (folder / "mine.txt").write_text("a file of yours")
15
>>> write_text(folder / "mine.txt", "new")
Traceback (most recent call last):
...
studylib.errors.OutputError: refusing to replace '.../mine.txt': it exists and studylib did not write it ...
>>> with Outputs() as out:  # two files, published together or not at all
...     _ = write_text(folder / "a.txt", "a")
...     _ = write_text(folder / "b.txt", "b")
...     out.publish()
>>> sorted(p.name for p in folder.iterdir())
['.studylib-manifest.json', 'a.txt', 'b.txt', 'mine.txt', 'notes.md']
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths
from ._output_fs import (
    BACKUP,
    LOCK,
    MANIFEST,
    OWNER,
    Terminated,
    _abs,
    _backup,
    _entry,
    _file_id,
    _label,
    _load_manifest,
    _Lock,
    _makedirs,
    _manifest_bytes,
    _owner,
    _real,
    _rollback,
    _signals_deferred,
    _sweep,
    _write_file,
    _written_by_studylib,
    describe_os_error,
    sigterm_as_exception,
)
from .errors import OutputError

__all__ = [
    "Outputs",
    "Terminated",
    "write_bytes",
    "write_text",
    "write_with",
    "note_input",
    "current",
    "sigterm_as_exception",
    "describe_os_error",
    "MANIFEST",
    "LOCK",
    "STAGE_PREFIX",
    "LOCK_TIMEOUT",
]

#: Prefix of the staging folders (removed on any exit).
STAGE_PREFIX = ".studylib-stage-"
#: Seconds a run waits for another run publishing into the same folder.
LOCK_TIMEOUT = 120.0

_current: contextvars.ContextVar[Outputs | None] = contextvars.ContextVar("studylib_outputs", default=None)
_stages: dict[Path, tuple[Outputs, Path]] = {}  # open staging folder -> (transaction, folder it stands for)
_stages_lock = threading.Lock()


# --------------------------------------------------------------------------------------
# transactions


@dataclass
class _Input:
    shown: str
    real: Path
    id: tuple[int, int] | None
    what: str


@dataclass
class _Root:
    """One destination folder of a transaction and its staging folder."""

    target: Path
    stage: Path
    files: dict[str, str | None] = field(default_factory=dict)  # name -> flag (for messages)
    tree: bool = False  # every file staged under `stage` is published (a results folder)
    clean: tuple[str, ...] = ()  # subfolders whose earlier studylib files not written again go
    flag: str | None = None


class Outputs:
    """The outputs of one run: checked, staged, then published together (or not at all).

    Use it as a context manager. Inside it, every studylib write (:func:`write_text`,
    :func:`write_bytes`, :func:`write_with` and the writers built on them) is staged;
    :meth:`publish` moves all staged files into place. Leaving the block without
    :meth:`publish` (an error, SIGTERM, ...) writes nothing and removes the staging.
    Opened while another transaction is open, it joins that one: its files are published
    with the outer transaction's, and its :meth:`publish` leaves that to the outer one.

    Parameters
    ----------
    inputs : iterable of path, optional
        Files of the run that must never be written (more are added by :meth:`add_input`
        and by the readers, through :func:`note_input`).
    lock_timeout : float, optional
        Seconds to wait for another run publishing into the same folder (default
        :data:`LOCK_TIMEOUT`).

    Raises
    ------
    OutputError
        From :meth:`file`, :meth:`folder`, :meth:`claim` and :meth:`publish`: a target is an
        input, lies inside ``data/raw/``, is a file studylib did not write, is a folder where a
        file is needed (or the reverse), cannot be written, or another run holds the lock.
    """

    def __init__(self, *, inputs: Iterable[str | os.PathLike[str]] = (), lock_timeout: float | None = None) -> None:
        self._outer: Outputs | None = None
        self._token: contextvars.Token[Outputs | None] | None = None
        self._inputs: list[_Input] = []
        self._roots: dict[Path, _Root] = {}
        self._flags: dict[Path, str] = {}
        self._adopted: set[Path] = set()
        self._published = False
        self._open = False
        self._sigterm: contextlib.ExitStack | None = None
        self.lock_timeout = lock_timeout
        self._pending = list(inputs)

    # -- context -----------------------------------------------------------------------
    def __enter__(self) -> Outputs:
        outer = _current.get()
        self._open = True
        if outer is not None:
            self._outer = outer
        else:
            self._token = _current.set(self)
            self._sigterm = contextlib.ExitStack()
            self._sigterm.enter_context(sigterm_as_exception())
        for p in self._pending:
            self.add_input(p)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._open = False
        if self._outer is not None:
            return
        try:
            with _signals_deferred():  # a second SIGTERM does not cut the clean-up short
                self._cleanup()
        finally:
            if self._token is not None:
                _current.reset(self._token)
            if self._sigterm is not None:
                self._sigterm.close()

    def _cleanup(self) -> None:
        for root in self._roots.values():
            with _stages_lock:
                _stages.pop(root.stage, None)
            shutil.rmtree(root.stage, ignore_errors=True)
        self._roots.clear()

    @property
    def published(self) -> bool:
        """True once :meth:`publish` moved the files into place."""
        return (self._outer or self)._published

    # -- inputs ------------------------------------------------------------------------
    def add_input(self, path: str | os.PathLike[str], what: str = "an input file") -> None:
        """Record a file of the run that no output may replace."""
        if self._outer is not None:
            self._outer.add_input(path, what)
            return
        p = _abs(path)
        real = _real(p)
        if any(i.real == real for i in self._inputs):
            return
        self._inputs.append(_Input(str(path), real, _file_id(p), what))

    # -- targets -----------------------------------------------------------------------
    def _check(self, target: Path, *, flag: str | None, kind: str) -> None:
        name = _label(target, flag)
        real = _real(target)
        raw = _real(paths.RAW)
        if real == raw or real.is_relative_to(raw):
            raise OutputError(
                f"refusing to write {name}: it lies inside {paths.RAW}; data/raw holds user exports and "
                "is read-only. Choose a path outside it (e.g. results/)"
            )
        fid = _file_id(target)
        for inp in self._inputs:
            if real == inp.real or (fid is not None and fid == inp.id):
                what = inp.what if real == inp.real else f"{inp.what} '{inp.shown}', the same file"
                raise OutputError(
                    f"refusing to write {name}: it is an input of this run ({what}); studylib never "
                    "overwrites its inputs. Choose another file name"
                )
        anchor = target.parent
        while not os.path.lexists(anchor) and anchor.parent != anchor:
            anchor = anchor.parent
        if not anchor.is_dir():
            raise OutputError(f"cannot write {name}: '{anchor}' is a file, not a folder; check the path")
        if kind == "folder":
            if os.path.lexists(target) and not target.is_dir():
                raise OutputError(f"cannot write into {name}: it is an existing file, not a folder; "
                                  "give a folder")
            return
        if target.is_dir():
            raise OutputError(f"cannot write {name}: it is an existing folder; give a file name")
        if os.path.lexists(target) and target not in self._adopted and not _written_by_studylib(target):
            raise OutputError(
                f"refusing to replace {name}: it exists and studylib did not write it (it is not "
                f"listed, unchanged, in a {MANIFEST}); choose another file name, or move the file away"
            )

    def claim(self, target: str | os.PathLike[str], *, kind: str = "file", flag: str | None = None) -> None:
        """Check a target early, before the work that produces it (``kind``: file or folder).

        The checks are repeated at :meth:`publish`; ``flag`` (e.g. ``"--json"``) is used in
        the messages about this target from then on.
        """
        if self._outer is not None:
            self._outer.claim(target, kind=kind, flag=flag)
            return
        t = _abs(target)
        if flag and self._flags.get(t, flag) != flag:
            raise OutputError(f"{self._flags[t]} and {flag} name the same file '{t}'; give each output "
                              "a file of its own")
        if flag:
            self._flags[t] = flag
        self._check(t, flag=flag or self._flags.get(t), kind=kind)

    def _root(self, folder: Path, flag: str | None) -> _Root:
        root = self._roots.get(folder)
        if root is not None:
            return root
        anchor = folder
        while not anchor.exists() and anchor.parent != anchor:
            anchor = anchor.parent
        _sweep(anchor, STAGE_PREFIX)  # staging left by a run that was killed (SIGKILL, power loss)
        try:
            stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=anchor))
            (stage / OWNER).write_bytes(_owner())
        except OSError as exc:
            raise OutputError(f"cannot write into {_label(folder, flag)}: {describe_os_error(exc)}") from exc
        root = _Root(folder, stage, flag=flag)
        self._roots[folder] = root
        with _stages_lock:
            _stages[stage] = (self, folder)
        return root

    def file(self, target: str | os.PathLike[str], *, flag: str | None = None) -> Path:
        """Register ``target`` as an output; return the staged path to write it to."""
        if not self._open:
            raise RuntimeError("Outputs.file() needs an open transaction: use 'with Outputs() as out:'")
        if self.published:
            raise RuntimeError("Outputs.file() after publish(): the transaction's files are already in place")
        if self._outer is not None:
            return self._outer.file(target, flag=flag)
        t = _abs(target)
        flag = self._flags.get(t) or flag
        self._check(t, flag=flag, kind="file")
        root = self._root(t.parent, flag)
        if t.name in root.files:
            raise OutputError(f"{_label(t, flag)} is named twice as an output of this run; give each "
                              "output a file of its own")
        root.files[t.name] = flag
        return root.stage / t.name

    def folder(self, target: str | os.PathLike[str], *, clean: Iterable[str] = (), flag: str | None = None,
               adopt: Iterable[str] = ()) -> Path:
        """Register ``target`` as a results folder; return the staging folder standing for it.

        Every file written under the returned folder is published to the same place under
        ``target``. Files studylib wrote earlier into the subfolders named in ``clean`` (or
        that a ``clean`` entry names; and that are unchanged) are removed when they are not
        written again, so that a results
        folder holds no stale tables; any other file is left alone. ``adopt`` names files
        (relative to ``target``) known to be studylib's although no manifest lists them (the
        outputs of a studylib version that kept no manifest): they may be replaced.
        """
        if not self._open:
            raise RuntimeError("Outputs.folder() needs an open transaction: use 'with Outputs() as out:'")
        if self.published:
            raise RuntimeError("Outputs.folder() after publish(): the transaction's files are already in place")
        if self._outer is not None:
            return self._outer.folder(target, clean=clean, flag=flag, adopt=adopt)
        t = _abs(target)
        flag = self._flags.get(t) or flag
        self._check(t, flag=flag, kind="folder")
        root = self._root(t, flag)
        root.tree = True
        root.clean = tuple(dict.fromkeys((*root.clean, *clean)))
        self._adopted.update(t / rel for rel in adopt)
        return root.stage

    # -- publishing ----------------------------------------------------------------------
    def _planned(self, root: _Root) -> list[tuple[str, Path]]:
        if not root.tree:
            return [(name, root.stage / name) for name in root.files]
        out = []
        for dirpath, dirnames, filenames in os.walk(root.stage):
            top = Path(dirpath) == root.stage
            dirnames[:] = sorted(d for d in dirnames if not (top and d == BACKUP))
            for fn in sorted(f for f in filenames if not (top and f in (OWNER, f"{MANIFEST}.new"))):
                p = Path(dirpath) / fn
                out.append((p.relative_to(root.stage).as_posix(), p))
        return out

    def publish(self) -> None:
        """Move every staged file into place, together; nothing when any check or move fails.

        Inside an outer transaction this does nothing: the outer one publishes. Calling it
        twice publishes once.
        """
        if self._outer is not None or self._published:
            return
        roots = [self._roots[k] for k in sorted(self._roots)]
        created: list[Path] = []
        locks: list[_Lock] = []
        done = False
        try:
            for root in roots:
                try:
                    _makedirs(root.target, created)
                except OSError as exc:
                    raise OutputError(f"cannot write into {_label(root.target, root.flag)}: "
                                      f"{describe_os_error(exc)}") from exc
                lock = _Lock(root.target)
                try:
                    lock.acquire(LOCK_TIMEOUT if self.lock_timeout is None else self.lock_timeout)
                except OSError as exc:
                    raise OutputError(f"cannot write into {_label(root.target, root.flag)}: "
                                      f"{describe_os_error(exc)}") from exc
                locks.append(lock)
            with _signals_deferred():
                self._publish_locked(roots, created)
            done = True
        finally:
            for lock in reversed(locks):
                lock.release()
            if not done:  # folders made for this publication go again
                for folder in reversed(created):
                    with contextlib.suppress(OSError):
                        os.rmdir(folder)
        self._published = True

    def _publish_locked(self, roots: list[_Root], created: list[Path]) -> None:
        plan: list[tuple[_Root, str, Path, Path]] = []
        stale: list[tuple[_Root, str]] = []
        manifests: dict[Path, dict[str, dict[str, Any]]] = {}
        for root in roots:
            manifest = _load_manifest(root.target)
            planned = self._planned(root)
            names = {rel for rel, _ in planned}
            for rel, staged in planned:
                target = root.target / rel
                flag = root.files.get(rel) or self._flags.get(target) or root.flag
                self._check(target, flag=flag, kind="file")
                manifest[rel] = _entry(staged)
                plan.append((root, rel, staged, target))
            for rel in list(manifest):
                if rel in names or not any(rel == c or rel.startswith(f"{c}/") for c in root.clean):
                    continue
                old = root.target / rel
                if os.path.lexists(old) and _written_by_studylib(old):
                    stale.append((root, rel))
                del manifest[rel]  # gone, stale, or changed by hand (then it is the user's now)
            manifests[root.target] = manifest
        journal: list[list[Any]] = []  # [target, backup or None, moved in]
        current = None
        try:
            for root, _rel, staged, target in plan:
                current = target
                _makedirs(target.parent, created)
                entry = [target, None, False]
                journal.append(entry)
                if os.path.lexists(target):
                    entry[1] = _backup(root.stage, target)
                os.replace(staged, target)
                entry[2] = True
            for root, rel in stale:
                current = root.target / rel
                journal.append([current, _backup(root.stage, current), False])
            for root in roots:
                current = root.target / MANIFEST
                tmp = root.stage / f"{MANIFEST}.new"
                _write_file(tmp, _manifest_bytes(manifests[root.target]))
                entry = [current, None, False]
                journal.append(entry)
                if os.path.lexists(current):
                    entry[1] = _backup(root.stage, current)
                os.replace(tmp, current)
                entry[2] = True
        except BaseException as exc:
            _rollback(journal)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write '{current}': {describe_os_error(exc)}; nothing was "
                                  "written") from exc
            raise


# --------------------------------------------------------------------------------------
# module-level API


def current() -> Outputs | None:
    """The open (outermost) transaction, or None."""
    return _current.get()


def note_input(path: str | os.PathLike[str], what: str = "an input file") -> None:
    """Record that the open transaction's run reads ``path`` (no output may replace it)."""
    tx = _current.get()
    if tx is not None:
        tx.add_input(path, what)


def _stage_of(path: Path) -> tuple[Outputs, Path, Path] | None:
    """(transaction, staging folder, folder it stands for) if ``path`` lies in a staging folder."""
    with _stages_lock:
        items = list(_stages.items())
    for stage, (tx, folder) in items:
        if path.is_relative_to(stage):
            return tx, stage, folder
    return None


def write_with(path: str | os.PathLike[str], writer: Callable[[Path], Any], *, flag: str | None = None) -> Path:
    """Write a file through ``writer(staged_path)`` with every check of this module.

    For writers that need a path (pyreadstat, ``DataFrame.to_csv``). Outside a
    transaction the file is staged and published at once; inside one it is published
    with the others; a path inside an open staging folder is written directly.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        See :class:`Outputs`; also when the file system refuses the write (the message
        names ``path``, not the staging folder).
    """
    target = _abs(path)
    staged = _stage_of(target)
    if staged is not None:  # a file of a results folder being staged
        tx, stage, folder = staged
        shown = folder / target.relative_to(stage)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            writer(target)
        except OSError as exc:
            raise OutputError(f"cannot write {_label(shown, flag)}: {describe_os_error(exc)}; "
                              "nothing was written") from exc
        return Path(path)
    with Outputs() as out:
        where = out.file(target, flag=flag)
        try:
            writer(where)
        except OSError as exc:
            raise OutputError(f"cannot write {_label(target, flag)}: {describe_os_error(exc)}; "
                              "nothing was written") from exc
        out.publish()
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, flag: str | None = None) -> Path:
    """Write ``data`` to ``path`` with every check of this module (see :func:`write_with`)."""
    return write_with(path, lambda p: _write_file(p, data), flag=flag)


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", flag: str | None = None) -> Path:
    """Write ``text`` (line endings as given, on every platform) with every check of this module."""
    return write_bytes(path, text.encode(encoding), flag=flag)
