"""File-system pieces of :mod:`studylib.output` (private): paths, manifests, signals, locks.

Kept apart so that :mod:`studylib.output` holds only the transaction and its API.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: exclusive creation of the lock file instead
    fcntl = None  # type: ignore[assignment]

#: The manifest of the files studylib wrote into a folder.
MANIFEST = ".studylib-manifest.json"
#: The lock file held while a run publishes into a folder.
LOCK = ".studylib.lock"
#: Inside a staging folder: the files a publication replaced (restored by a rollback).
BACKUP = ".replaced"
#: Inside a staging folder: which process made it (so that a later run may remove it when
#: that process was killed before it could).
OWNER = ".owner"


class Terminated(BaseException):
    """SIGTERM arrived while studylib was writing (see :func:`sigterm_as_exception`).

    A ``BaseException``, like ``KeyboardInterrupt``, so that ``except Exception`` does not
    swallow it; clean-up code (``finally``, context managers) runs as it unwinds.
    """


# --------------------------------------------------------------------------------------
# small helpers


def _abs(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(os.fspath(path)))


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _shown(path: Path) -> str:
    """``path`` as the user likely typed it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _label(target: Path, flag: str | None) -> str:
    return f"'{_shown(target)}'" + (f" ({flag})" if flag else "")


_ADVICE = {
    errno.ENOSPC: "no space left on the device; free some space or choose another location",
    errno.EDQUOT: "disk quota exceeded; free some space or choose another location",
    errno.EROFS: "the file system is read-only; choose a writable location",
    errno.EACCES: "permission denied; check the permissions or choose another location",
    errno.EPERM: "operation not permitted; check the permissions or choose another location",
    errno.ENOENT: "no such file or folder; check the path",
    errno.EISDIR: "it is a folder, not a file; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
    errno.ENAMETOOLONG: "the file name is too long; choose a shorter one",
    errno.EXDEV: "the staging folder and the destination are on different file systems; choose "
                 "another location",
}


def describe_os_error(exc: OSError) -> str:
    """What went wrong with a file operation and what to do, in words (no errno numbers).

    >>> import errno
    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device"))
    'no space left on the device; free some space or choose another location'
    """
    advice = _ADVICE.get(exc.errno) if exc.errno is not None else None
    if advice:
        return advice
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[0].lower() + reason[1:] if reason else reason


def _write_file(path: Path, data: bytes) -> None:
    """The one primitive that puts bytes into a (staged) file."""
    with open(path, "wb") as fh:
        fh.write(data)


# --------------------------------------------------------------------------------------
# manifests


def _load_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        with open(folder / MANIFEST, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)}


def _manifest_bytes(files: dict[str, dict[str, Any]]) -> bytes:
    content = {
        "about": "Files written by studylib into this folder (path, size, SHA-256). A later run "
                 "replaces only these, and only while they are unchanged; other files are never "
                 "touched.",
        "files": {k: files[k] for k in sorted(files)},
    }
    return (json.dumps(content, indent=1, sort_keys=False) + "\n").encode("utf-8")


def _entry(path: Path) -> dict[str, Any]:
    return {"size": os.path.getsize(path), "sha256": _sha256(path)}


def _written_by_studylib(target: Path) -> bool:
    """True if a manifest in the target's folder or above lists it, unchanged."""
    try:
        size = os.path.getsize(target)
    except OSError:
        return False
    digest: str | None = None
    folder = target.parent
    while True:
        if (folder / MANIFEST).is_file():
            entry = _load_manifest(folder).get(target.relative_to(folder).as_posix())
            if entry is not None and entry.get("size") == size:
                digest = digest or _sha256(target)
                if entry.get("sha256") == digest:
                    return True
        if folder.parent == folder:
            return False
        folder = folder.parent


# --------------------------------------------------------------------------------------
# signals


@contextlib.contextmanager
def sigterm_as_exception() -> Iterator[None]:
    """While open (in the main thread), SIGTERM raises :class:`Terminated`.

    So that ``finally`` blocks and context managers (the staging clean-up) run when a run is
    stopped with ``kill`` or by a job scheduler. Elsewhere, or when SIGTERM already has a
    handler of its own, nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except (AttributeError, ValueError):  # pragma: no cover - no SIGTERM on this platform
        yield
        return
    if previous not in (signal.SIG_DFL, None):
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise Terminated("stopped by SIGTERM")

    signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back while files are moved into place (a short section)."""
    usable = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if not usable:  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --------------------------------------------------------------------------------------
# locks


class _Lock:
    """``<folder>/.studylib.lock``, held with flock (released by the OS if the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK
        self.fd: int | None = None

    def _holder(self) -> str:
        try:
            pid = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            pid = ""
        return f" (process {pid})" if pid.isdigit() else ""

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if fcntl is None:  # pragma: no cover - Windows
                try:
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    fd = -1
            else:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    fd = -1
                else:  # the holder before us may have removed the file: lock the file on disk
                    if _file_id(self.path) != (os.fstat(fd).st_dev, os.fstat(fd).st_ino):
                        os.close(fd)
                        continue
            if fd >= 0:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                self.fd = fd
                return
            if time.monotonic() >= deadline:
                raise OutputError(
                    f"another studylib run{self._holder()} is writing into '{self.path.parent}' "
                    f"(lock file {self.path.name}); waited {timeout:g} s. Let it finish and try again, "
                    "or write elsewhere. If no studylib run is active, delete the lock file"
                )
            time.sleep(0.05)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


def _makedirs(folder: Path, created: list[Path]) -> None:
    missing = []
    p = folder
    while not os.path.lexists(p) and p.parent != p:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        os.mkdir(d)
        created.append(d)


def _backup(stage: Path, target: Path) -> Path:
    """Move ``target`` aside into ``stage`` (for a rollback); return where it went."""
    folder = stage / BACKUP
    folder.mkdir(exist_ok=True)
    backup = folder / str(len(os.listdir(folder)))
    os.replace(target, backup)
    return backup


def _rollback(journal: list[list[Any]]) -> None:
    """Undo a publication: ``journal`` rows are [target, backup or None, moved in]."""
    for target, backup, moved_in in reversed(journal):
        with contextlib.suppress(OSError):
            if moved_in:
                os.unlink(target)
            if backup is not None:
                os.replace(backup, target)


def _owner() -> bytes:
    import socket

    return f"{socket.gethostname()} {os.getpid()}\n".encode()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def _sweep(folder: Path, prefix: str) -> None:
    """Remove staging folders in ``folder`` whose process (on this machine) no longer runs."""
    import shutil
    import socket

    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) means something else on Windows
        return
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(prefix) and p.is_dir()]
    except OSError:
        return
    host = socket.gethostname()
    for stage in candidates:
        try:
            owner_host, pid = (stage / OWNER).read_text(encoding="utf-8").split()
            dead = owner_host == host and not _alive(int(pid))
        except (OSError, ValueError):
            continue  # no owner recorded (yet): leave it
        if dead:
            shutil.rmtree(stage, ignore_errors=True)
