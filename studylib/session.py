"""The colophon: what software and which data produced a result.

Every notebook ends with :func:`colophon` and every report carries :func:`session_info`:
the studylib version, the git commit when run from a checkout, Python and the versions of
the key packages, and the SHA-256 checksum of the data file. Nothing here depends on the
time of day, so two runs on the same machine and data give the same record.

Examples
--------
>>> from studylib.session import session_info
>>> info = session_info()
>>> sorted(info)
['git_dirty', 'git_sha', 'packages', 'platform', 'python', 'studylib']
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import InputTypeError
from .paths import ROOT

__all__ = ["KEY_PACKAGES", "file_sha256", "git_sha", "session_info", "colophon"]

#: Packages whose versions the colophon records (the ones whose results could differ).
KEY_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pingouin",
    "matplotlib",
    "seaborn",
    "pyyaml",
    "pyreadstat",
)


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 checksum (hex) of a file, read in chunks.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    str
        64 hexadecimal characters; the same as ``sha256sum FILE`` prints.

    Raises
    ------
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> file_sha256(p)
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    if not isinstance(path, (str, Path)):
        raise InputTypeError(f"path must be a str or pathlib.Path; got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {str(path)!r}")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _git(args: list[str], root: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_sha(root: str | Path | None = None) -> tuple[str | None, bool | None]:
    """Return the commit SHA of the checkout holding studylib and whether it has changes.

    Parameters
    ----------
    root : str or pathlib.Path, optional
        The folder to ask (default: the project root, :data:`studylib.paths.ROOT`).

    Returns
    -------
    (str or None, bool or None)
        The full SHA of ``HEAD`` and True when tracked files differ from it; ``(None,
        None)`` outside a git checkout or without git.

    Examples
    --------
    >>> sha, dirty = git_sha("/")
    >>> sha is None or len(sha) == 40
    True
    """
    root = Path(root) if root is not None else ROOT
    if not (root / ".git").exists() and _git(["rev-parse", "--show-toplevel"], root) is None:
        return None, None
    sha = _git(["rev-parse", "HEAD"], root)
    if sha is None:
        return None, None
    status = _git(["status", "--porcelain", "--untracked-files=no"], root)
    return sha, (bool(status) if status is not None else None)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def session_info(
    data: str | Path | None = None, *, packages: Iterable[str] = KEY_PACKAGES
) -> dict[str, Any]:
    """Describe the software (and data file) behind a result.

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The data file analysed; adds ``data`` with its file name, size and SHA-256.
    packages : iterable of str, default :data:`KEY_PACKAGES`
        Distributions whose installed versions are recorded (``None`` if absent).

    Returns
    -------
    dict
        ``studylib`` (version), ``git_sha`` and ``git_dirty`` (see :func:`git_sha`),
        ``python``, ``platform``, ``packages`` (name -> version) and, with ``data``,
        ``data`` = {``file``, ``bytes``, ``sha256``}. The file name is recorded without
        its folder so the record does not depend on where the project is checked out.

    Examples
    --------
    >>> info = session_info(packages=["numpy"])
    >>> info["studylib"] == __import__("studylib").__version__, list(info["packages"])
    (True, ['numpy'])
    """
    sha, dirty = git_sha()
    info: dict[str, Any] = {
        "studylib": __version__,
        "git_sha": sha,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": {name: _version(name) for name in packages},
    }
    if data is not None:
        path = Path(data)
        info["data"] = {"file": path.name, "bytes": path.stat().st_size if path.is_file() else None,
                        "sha256": file_sha256(path)}
    return info


def colophon(data: str | Path | None = None, *, packages: Iterable[str] = KEY_PACKAGES) -> str:
    """Return the colophon as aligned text lines (the last cell of every notebook).

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The data file analysed (its SHA-256 is shown).
    packages : iterable of str, default :data:`KEY_PACKAGES`
        Distributions whose versions are shown.

    Returns
    -------
    str
        One ``name: value`` line per entry.

    Examples
    --------
    >>> print(colophon(packages=["numpy"]))  # doctest: +ELLIPSIS
    studylib:   ...
    git commit: ...
    python:     3...
    platform:   ...
    numpy:      ...
    """
    info = session_info(data, packages=packages)
    commit = info["git_sha"] or "not a git checkout"
    if info["git_dirty"]:
        commit += " (with uncommitted changes)"
    rows = [
        ("studylib", info["studylib"]),
        ("git commit", commit),
        ("python", f"{info['python']} ({sys.implementation.name})"),
        ("platform", info["platform"]),
    ]
    rows += [(name, version or "not installed") for name, version in info["packages"].items()]
    if "data" in info:
        rows += [("data file", info["data"]["file"]), ("data sha256", info["data"]["sha256"])]
    width = max(len(k) for k, _ in rows) + 2
    return "\n".join(f"{(k + ':').ljust(width)}{v}" for k, v in rows)
