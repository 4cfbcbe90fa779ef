"""The light import (issue 16): what ``import studylib`` and ``studylib --help`` load.

Not timed (timings are in benchmarks/bench_import.py): these tests check, in fresh
interpreters, which heavy modules are loaded, and that the lazy exports behave as the
eager ones did.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["scipy", "statsmodels", "pingouin", "matplotlib", "seaborn", "numba", "tqdm", "yaml",
         "joblib", "dask", "pyreadstat", "threadpoolctl"]


def _fresh(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter (the project on its path); return its stdout."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _loaded_after(statement: str) -> list[str]:
    code = (f"import sys\n{statement}\nimport json\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    return json.loads(_fresh(code).strip().splitlines()[-1])


def test_import_studylib_loads_no_heavy_module():
    assert _loaded_after("import studylib") == []


def test_help_of_the_command_loads_no_heavy_module():
    statement = ("from studylib.cli import main\ntry:\n    main(['--help'])\n"
                 "except SystemExit:\n    pass")
    assert _loaded_after(statement) == []


def test_import_of_the_power_package_is_light_too():
    assert _loaded_after("import studylib.power") == []


def test_every_export_resolves_and_dir_lists_them():
    import studylib

    for name in studylib.__all__:
        assert getattr(studylib, name) is not None, name
    assert set(studylib.__all__) <= set(dir(studylib))
    with pytest.raises(AttributeError, match="module 'studylib' has no attribute 'nonsense'"):
        studylib.nonsense  # noqa: B018


def test_functions_keep_their_names_after_submodule_imports():
    """``import studylib.anova`` must not replace the function ``studylib.anova`` (as before)."""
    code = (
        "import studylib.anova, studylib.process.bootstrap, studylib.power._study, "
        "studylib.reliability\nimport studylib\n"
        "print(all(callable(getattr(studylib, n)) and not isinstance(getattr(studylib, n), "
        "type(studylib)) for n in ('anova', 'process', 'power', 'reliability')))\n"
        "from studylib import paths\nprint(paths.ROOT.name != '')"
    )
    assert _fresh(code).split() == ["True", "True"]


def test_cli_one_line_helps_agree_with_the_subcommand_modules():
    import argparse

    from studylib import cli

    parser = cli.build_parser()  # every module imported
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert helps == cli._HELP


def test_small_bootstrap_does_not_import_numba_and_gives_the_compiled_results():
    pytest.importorskip("numba")
    code = (
        "import sys, numpy as np, pandas as pd, studylib\n"
        "rng = np.random.default_rng(3); n = 300\n"
        "d = pd.DataFrame({'x': rng.integers(0, 2, n).astype(float)})\n"
        "d['m'] = 0.4 * d.x + rng.normal(size=n); d['y'] = 0.3 * d.m + rng.normal(size=n)\n"
        "r = studylib.process(d, model=4, x='x', m='m', y='y', boot=2000, seed=5)\n"
        "print('numba' in sys.modules)\n"
        "print(repr(r.indirect[['ci_low', 'ci_high']].to_numpy().tolist()))"
    )
    small = _fresh(code).splitlines()
    forced = _fresh(code, STUDYLIB_NUMBA_MIN_CASES="0").splitlines()
    assert small[0] == "False" and forced[0] == "True"
    assert small[1] == forced[1]  # same draws, same CIs: bit for bit


def test_progress_is_one_line_off_a_terminal_and_a_bar_on_one():
    from studylib._progress import progress, wants_bar

    log = io.StringIO()
    with progress(4, desc="power", unit="chunk", file=log) as bar:
        for _ in range(4):
            bar.update()
    text = log.getvalue()
    assert "\r" not in text and text.count("\n") == 1
    assert text.startswith("power: 4 of 4 chunks done in")
    quiet = io.StringIO()
    with progress(2, desc="power", file=quiet, enabled=False) as bar:
        bar.update(2)
    assert quiet.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    assert wants_bar(True, term) and not wants_bar(False, term)
    with progress(3, desc="power", unit="chunk", file=term) as bar:
        bar.update(3)
    assert "\r" in term.getvalue() and "power" in term.getvalue()  # tqdm's frames
