"""Normal-theory (Sobel) tests of indirect effects (``normal=True``) against PROCESS for R 4.0.1.

Source: runs A01 (pmi, model 4, ``normal = 1``) and A02 (estress, model 4, ``normal = 1``)
of ../shared/reference/expected/process_r401, copied to tests/reference/process (see
PROVENANCE.md). The test is deterministic: every printed digit (6 decimals) must agree
(absolute tolerance half the 6th decimal; rtol 1e-4 as for every deterministic quantity).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import studylib
from studylib.cli import main
from studylib.errors import OptionError

REF = Path(__file__).parent / "reference" / "process"
R_ATOL = 5.1e-7


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


@pytest.mark.parametrize(("name", "kwargs", "expected"), [
    ("hayes_pmi", dict(x="cond", m="pmi", y="reaction"), [0.241335, 0.130038, 1.855877, 0.063471]),
    ("hayes_estress", dict(x="estress", m="affect", y="withdraw"), [0.132964, 0.029100, 4.569268, 0.000005]),
])
def test_sobel_matches_process(name, kwargs, expected):
    res = studylib.process(data(name), model=4, boot=0, normal=True, **kwargs)
    (row,) = res.extras.normal.itertuples()
    assert row.path == f"{kwargs['x']} -> {kwargs['m']} -> {kwargs['y']}"
    assert_allclose([row.effect, row.se, row.z, row.p], expected, rtol=1e-4, atol=R_ATOL)
    assert "Normal theory test for indirect effect(s):" in res.summary()


def test_sobel_with_hc3_and_multicategorical_x_uses_the_equations_standard_errors():
    """Relative indirect effects: one row per code of X, from the (HC3) SEs in ``coefficients``."""
    res = studylib.process(data("hayes_protest"), model=4, x="protest", m="respappr", y="liking",
                           x_coding="indicator", boot=0, normal=True, hc="HC3")
    coef = res.coefficients.set_index(["equation", "term"])
    b, se_b = coef.loc[("liking", "respappr"), ["estimate", "se"]]
    for row in res.extras.normal.itertuples():
        a, se_a = coef.loc[("respappr", row.x_term), ["estimate", "se"]]
        se = np.sqrt(a**2 * se_b**2 + b**2 * se_a**2 + se_a**2 * se_b**2)
        assert_allclose([row.effect, row.se, row.p], [a * b, se, 2 * stats.norm.sf(abs(a * b / se))], rtol=1e-12)
    assert res.extras.normal.x_term.tolist() == ["protest[1]", "protest[2]"]
    assert res.extras.normal.attrs["hc"] == "HC3"


def test_parallel_mediators_each_get_a_test_and_the_draws_are_unchanged():
    d = data("hayes_pmi")
    kw = dict(model=4, x="cond", m=["import", "pmi"], y="reaction", boot=1000, seed=4)
    res = studylib.process(d, normal=True, **kw)
    assert res.extras.normal.path.tolist() == ["cond -> import -> reaction", "cond -> pmi -> reaction"]
    assert_allclose(res.extras.normal.effect, res.indirect.effect.iloc[1:], rtol=1e-12)  # row 0 is the total
    assert res.indirect.equals(studylib.process(d, **kw).indirect)
    assert len(res.to_dict()["extras"]["normal"]) == 2 and (res.table().kind == "normal").sum() == 2
    plain = studylib.process(d, **kw)
    assert plain.extras.normal.empty and list(plain.extras.normal.columns) == ["path", "x_term", "effect", "se", "z", "p"]


@pytest.mark.parametrize(("kwargs", "reason"), [
    (dict(model=6, m=["import", "pmi"]), "serial paths"),
    (dict(model=7, m="pmi", w="age"), "moderators"),
    (dict(model=1, w="age"), "moderators"),
])
def test_sobel_only_for_single_mediator_paths(kwargs, reason):
    with pytest.raises(OptionError, match=reason):
        studylib.process(data("hayes_pmi"), x="cond", y="reaction", boot=0, normal=True, **kwargs)
    with pytest.raises(OptionError, match="normal must be True or False"):
        studylib.process(data("hayes_pmi"), model=4, x="cond", m="pmi", y="reaction", boot=0, normal=1)


def test_cli_normal(capsys):
    rc = main(["process", "--data", str(REF / "hayes_estress.csv"), "--model", "4", "--x", "estress", "--m", "affect",
               "--y", "withdraw", "--boot", "0", "--normal"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Normal theory test for indirect effect(s):" in out and "4.5693" in out
