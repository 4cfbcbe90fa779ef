"""Progress of long work: a tqdm bar on a terminal, one summary line elsewhere.

A bar redraws itself with carriage returns, which fills a redirected log
(``make reproduce > log``) with frames. :func:`progress` therefore shows a bar only when
it is asked for *and* the stream (stderr by default) is a terminal; otherwise it prints
nothing while working and, if asked for, one line when done (``"power: 30 chunks in
4.2 s"``). tqdm is imported only when a bar is actually drawn.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

__all__ = ["progress", "wants_bar"]


def wants_bar(enabled: bool, file: IO[str] | None = None) -> bool:
    """True when a bar should be drawn: ``enabled`` and ``file`` (stderr) is a terminal."""
    stream = sys.stderr if file is None else file
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(enabled) and callable(isatty) and bool(isatty())
    except ValueError:  # a closed stream
        return False


class _Summary:
    """Counts updates; writes one line at the end (no bar)."""

    def __init__(self, total: int, desc: str, unit: str, file: IO[str] | None, summary: bool):
        self.total, self.desc, self.unit = total, desc, unit
        self.file, self.summary = file, summary
        self.n = 0
        self._t0 = time.perf_counter()

    def update(self, k: int = 1) -> None:
        self.n += k

    def set_postfix_str(self, text: str) -> None:  # tqdm's method; nothing to show
        pass

    def close(self) -> None:
        if self.summary:
            elapsed = time.perf_counter() - self._t0
            stream = sys.stderr if self.file is None else self.file
            print(f"{self.desc}: {self.n} of {self.total} {self.unit}s done in {elapsed:.1f} s",
                  file=stream)
            self.summary = False

    def __enter__(self) -> _Summary:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(total: int, *, desc: str, unit: str = "step", enabled: bool = True,
             file: IO[str] | None = None, summary: bool | None = None) -> Any:
    """A progress reporter with tqdm's ``update``/``close`` (and use as a context manager).

    Parameters
    ----------
    total : int
        Number of updates expected.
    desc, unit : str
        Label and unit of the bar (``"power"``, ``"chunk"``).
    enabled : bool, default True
        False shows no bar (``--no-progress``).
    file : stream, optional
        Where to write; default ``sys.stderr``.
    summary : bool, optional
        Write one summary line at the end when no bar is drawn. Default: when ``enabled``
        (a run on a non-terminal still logs what it did, once).

    Returns
    -------
    tqdm.tqdm or a summary counter
        A tqdm bar when ``enabled`` and ``file`` is a terminal, otherwise an object with the
        same ``update``, ``close`` and context-manager methods.

    Examples
    --------
    >>> import io
    >>> from studylib._progress import progress
    >>> log = io.StringIO()                     # not a terminal: no bar, one line
    >>> with progress(3, desc="demo", unit="chunk", file=log) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> log.getvalue().startswith("demo: 3 of 3 chunks done in")
    True
    """
    if wants_bar(enabled, file):
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr if file is None else file,
                    leave=False)
    return _Summary(total, desc, unit, file, enabled if summary is None else summary)
