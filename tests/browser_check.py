"""Render an HTML file in headless Chromium and report whether its figures loaded.

Used by the report's browser tests (not a test module itself). Chromium is Debian's
``chromium`` package; :func:`find_chromium` returns None when no binary is installed, and
the tests then skip, unless ``STUDYLIB_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes a
missing browser a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_CHECK = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var svgs = Array.prototype.slice.call(document.querySelectorAll('figure > svg'));
  var out = {
    figures: document.querySelectorAll('figure').length,
    images: imgs.length,
    images_loaded: imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
    svgs: svgs.length,
    svgs_drawn: svgs.filter(function (s) {
      var b = s.getBoundingClientRect(); return b.width > 0 && b.height > 0 && s.querySelector('path');
    }).length,
    tables: document.querySelectorAll('table').length
  };
  var pre = document.createElement('pre');
  pre.id = 'studylib-figure-check';
  pre.textContent = 'FIGCHECK' + JSON.stringify(out) + 'FIGCHECK';
  document.body.appendChild(pre);
});
</script>
"""


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Return the Chromium binary; skip the test (or fail in CI) if there is none."""
    path = find_chromium()
    if path is None:
        if os.environ.get("STUDYLIB_REQUIRE_BROWSER") == "1":
            pytest.fail("STUDYLIB_REQUIRE_BROWSER=1 but no chromium binary on PATH (apt-get install chromium)")
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium); browser test not run")
    return path


def _base_args(chromium: str, profile: str) -> list[str]:
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--virtual-time-budget=10000"]


def check_figures(html_file: str | Path, chromium: str) -> dict:
    """Open a copy of ``html_file`` (with a small checking script added) and return counts.

    Returns a dict: figures, images, images_loaded, svgs, svgs_drawn, tables.
    """
    html = Path(html_file).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html.replace("</body>", _CHECK + "</body>", 1), encoding="utf-8")
        proc = subprocess.run(
            [*_base_args(chromium, str(Path(tmp) / "profile")), "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    found = re.search(r"FIGCHECK(\{.*?\})FIGCHECK", proc.stdout)
    if not found:
        raise AssertionError(f"chromium did not run the check (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(found.group(1))


def screenshot(html_file: str | Path, png: str | Path, chromium: str, *, size: str = "1100,2400") -> Path:
    """Save a screenshot of the top of the page (``size`` = width,height in pixels)."""
    png = Path(png)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [*_base_args(chromium, str(Path(tmp) / "profile")), f"--window-size={size}",
             f"--screenshot={png}", Path(html_file).resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    return png
