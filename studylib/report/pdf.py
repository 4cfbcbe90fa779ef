"""Print the HTML report to PDF with headless Chromium (when it is installed).

The report's print stylesheet (A4, smaller type for wide tables, landscape pages for the
widest, cells that may wrap) makes every column of every table fit the page; this module
only drives the browser. No Python PDF library lays out HTML as a browser does, so studylib
uses the browser the reader would print from. Chromium is Debian's ``chromium`` package;
:func:`find_chromium` returns None when none is installed and :func:`html_to_pdf` then
raises :class:`~studylib.errors.OptionError` saying how to install it.

Examples
--------
>>> from studylib.report.pdf import find_chromium, html_to_pdf
>>> pdf = html_to_pdf("<p>Hello</p>") if find_chromium() else b"%PDF-"
>>> pdf[:5]
b'%PDF-'
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DataError, OptionError

__all__ = ["find_chromium", "html_to_pdf", "CHROMIUM_NAMES"]

#: Browser binaries tried, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The path of a Chromium binary on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = 180) -> bytes:
    """Render an HTML document to PDF bytes with headless Chromium.

    Parameters
    ----------
    html : str
        A self-contained HTML document (the report).
    chromium : str, optional
        The browser binary (default: :func:`find_chromium`).
    timeout : float, default 180
        Seconds before the browser is stopped.

    Returns
    -------
    bytes
        The PDF file's content.

    Raises
    ------
    OptionError
        No Chromium is installed.
    DataError
        Chromium ran but wrote no PDF (its last error lines are in the message).

    Notes
    -----
    Runs ``chromium --headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run --no-pdf-header-footer`` with a
    fresh profile folder (removed afterwards), so nothing is read from or written to the
    user's browser profile, and the page makes no network requests (it has no external
    resources).
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise OptionError("printing the report to PDF needs Chromium, and none is installed "
                          "(Debian/Ubuntu: apt-get install chromium); or leave out --pdf")
    with tempfile.TemporaryDirectory(prefix="studylib-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}", page.as_uri()]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DataError(f"Chromium did not finish printing the report to PDF within {timeout:g} s") from exc
        if not out.is_file() or out.stat().st_size == 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise DataError(f"Chromium wrote no PDF (exit {proc.returncode}): {tail}")
        return out.read_bytes()
