"""Standardized effects (``effsize=True``) against PROCESS for R 4.0.1.

Source: ../shared/reference/expected/process_r401, copied to tests/reference/process (see
PROVENANCE.md): run A03 (estress, model 4 with covariates, ``effsize = 1``, continuous X:
completely standardized effects) and run A04 (pmi, model 4 with two parallel mediators,
``contrast = 1, effsize = 1``, dichotomous X: partially standardized effects).

Tolerances: point estimates are deterministic and printed with 6 decimals (R_ATOL, half of
the 6th decimal, plus rtol 1e-4 as the issue asks); bootstrap SEs and CI limits come from
another random stream, so they agree within Monte Carlo error only (BOOT_ATOL = 0.03, as in
test_process_reference.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import studylib
from studylib.cli import main
from studylib.errors import OptionError

REF = Path(__file__).parent / "reference" / "process"
R_ATOL = 5.1e-7
BOOT_ATOL = 0.03


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


def rows(res, scale: str) -> pd.DataFrame:
    st = res.extras.standardized
    return st[st.scale == scale].reset_index(drop=True)


def check(row, effect, boot=None):
    assert_allclose(row.effect, effect, rtol=1e-4, atol=R_ATOL)
    if boot is not None:
        assert_allclose([row.boot_se, row.ci_low, row.ci_high], boot, atol=BOOT_ATOL)


def test_a03_completely_standardized_effects():
    res = studylib.process(data("hayes_estress"), model=4, x="estress", m="affect", y="withdraw",
                           covariates=["ese", "sex", "tenure"], seed=100770, effsize=True)
    comp = rows(res, "complete")
    assert comp.kind.tolist() == ["total", "direct", "indirect"]
    check(comp.iloc[0], 0.021848)  # c_cs
    check(comp.iloc[1], -0.106802)  # c'_cs
    check(comp.iloc[2], 0.128650, [0.032975, 0.066808, 0.196766])
    assert comp.iloc[:2][["boot_se", "ci_low", "ci_high"]].isna().all().all()  # PROCESS has no CI for them
    # the partially standardized effects (PROCESS computes but does not print them for a
    # continuous X) are the complete ones divided by the SD of X
    part = rows(res, "partial")
    sd_x = data("hayes_estress").estress.std(ddof=1)
    assert_allclose(part.effect * sd_x, comp.effect, rtol=1e-12)


def test_a04_partially_standardized_effects_and_contrast():
    res = studylib.process(data("hayes_pmi"), model=4, x="cond", m=["import", "pmi"], y="reaction", seed=10,
                           effsize=True)
    assert set(res.extras.standardized.scale) == {"partial"}  # dichotomous X: no completely standardized effects
    part = rows(res, "partial")
    assert part.kind.tolist() == ["total", "direct", "indirect", "indirect", "indirect", "contrast"]
    assert part.path.tolist()[2:] == ["total", "cond -> import -> reaction", "cond -> pmi -> reaction",
                                      "cond -> import -> reaction minus cond -> pmi -> reaction"]
    check(part.iloc[0], 0.319738)  # c_ps
    check(part.iloc[1], 0.066691)  # c'_ps
    check(part.iloc[2], 0.253048, [0.103177, 0.058111, 0.465214])
    check(part.iloc[3], 0.131165, [0.073978, 0.001614, 0.297460])
    check(part.iloc[4], 0.121883, [0.066732, 0.004458, 0.264566])
    check(part.iloc[5], 0.009282, [0.095950, -0.175754, 0.200104])


def test_draws_are_standardized_with_their_own_resample():
    """sd_xy holds each resample's SDs (checked by redrawing the resamples), and the CIs
    are percentiles of the indirect draws divided by them."""
    from studylib.process.bootstrap import _block_indices, _block_rows

    d = data("hayes_estress")
    res = studylib.process(d, model=4, x="estress", m="affect", y="withdraw", boot=1000, seed=5, effsize=True)
    assert res.boot.n_replaced == 0 and _block_rows(len(d)) >= 1000  # one block: indices reproducible
    key = [int(v) for v in np.random.default_rng(5).integers(0, 2**63, size=4)]
    idx = _block_indices(key, 0, 1000, len(d))
    for b in (0, 1, 999):
        sample = d.iloc[idx[b]]
        assert_allclose(res.boot.sd_xy[b], [sample.estress.std(ddof=1), sample.withdraw.std(ddof=1)], rtol=1e-9)
    draws = res.boot.indirect[:, 0] * res.boot.sd_xy[:, 0] / res.boot.sd_xy[:, 1]
    comp = rows(res, "complete").iloc[2]
    assert_allclose([comp.boot_se, comp.ci_low, comp.ci_high],
                    [draws.std(ddof=1), *np.quantile(draws, [0.025, 0.975])], rtol=1e-12)


def test_multicategorical_x_gets_relative_partially_standardized_effects():
    d = data("hayes_protest")
    res = studylib.process(d, model=4, x="protest", m="respappr", y="liking", x_coding="indicator", seed=3,
                           boot=1000, effsize=True)
    part = rows(res, "partial")
    assert set(res.extras.standardized.scale) == {"partial"}
    ind = part[part.kind == "indirect"]
    assert ind.x_term.tolist() == ["protest[1]", "protest[2]"]
    assert_allclose(ind.effect, res.indirect.effect / d.liking.std(ddof=1), rtol=1e-12)
    assert_allclose(part[part.kind == "total"].effect, res.total.effect / d.liking.std(ddof=1), rtol=1e-12)


def test_without_bootstrap_point_values_only():
    res = studylib.process(data("hayes_pmi"), model=6, x="cond", m=["import", "pmi"], y="reaction", boot=0,
                           effsize=True)
    st = res.extras.standardized
    assert len(st) == 9 and st.boot_se.isna().all()
    sd_y = data("hayes_pmi").reaction.std(ddof=1)
    assert_allclose(st[st.kind == "indirect"].effect, res.indirect.effect / sd_y, rtol=1e-12)


def test_no_rows_without_effsize_and_in_every_output():
    d = data("hayes_pmi")
    plain = studylib.process(d, model=4, x="cond", m="pmi", y="reaction", boot=1000, seed=1)
    assert plain.extras.standardized.empty and list(plain.extras.standardized.columns) == [
        "scale", "kind", "path", "x_term", "w", "z", "w_term", "effect", "boot_se", "ci_low", "ci_high"]
    assert plain.boot.sd_xy is None
    assert "standardized" not in plain.summary()
    res = studylib.process(d, model=4, x="cond", m="pmi", y="reaction", boot=1000, seed=1, effsize=True)
    assert "Partially standardized indirect effect(s) of X on Y" in res.summary()
    assert len(res.to_dict()["extras"]["standardized"]) == 3
    assert (res.table().kind == "standardized").sum() == 3
    # the unstandardized results are the same draws with or without effsize
    assert res.indirect.equals(plain.indirect)


@pytest.mark.parametrize(("kwargs", "why"), [
    (dict(model=1, x="cond", w="age", y="reaction"), "no mediator"),
    (dict(model=4, x="pmi", m="import", y="cond"), "a binary Y"),
])
def test_effsize_only_for_mediation_with_a_continuous_y(kwargs, why):
    d = data("hayes_pmi")
    with pytest.raises(OptionError, match=rf"mediation models with a continuous Y .*has {why}"):
        studylib.process(d, boot=0, effsize=True, **kwargs)


def test_cli_effsize(tmp_path, capsys):
    csv = REF / "hayes_pmi.csv"
    rc = main(["process", "--data", str(csv), "--model", "4", "--x", "cond", "--m", "import", "pmi",
               "--y", "reaction", "--boot", "1000", "--seed", "2", "--effsize", "--json", str(tmp_path / "r.json")])
    assert rc == 0
    assert "Partially standardized indirect effect(s)" in capsys.readouterr().out
    assert '"standardized"' in (tmp_path / "r.json").read_text()


def test_confidence_level_and_bias_corrected_intervals_are_honoured():
    d = data("hayes_estress")
    kw = dict(model=4, x="estress", m="affect", y="withdraw", boot=1000, seed=9, effsize=True)
    res = studylib.process(d, conf=0.90, **kw)
    draws = res.boot.indirect[:, 0] / res.boot.sd_xy[:, 1]
    part = rows(res, "partial").iloc[2]
    assert_allclose([part.ci_low, part.ci_high], np.quantile(draws, [0.05, 0.95]), rtol=1e-12)
    from studylib.process.intervals import bc_ci

    bc = studylib.process(d, ci="bc", **kw)
    comp = rows(bc, "complete").iloc[2]
    draws = bc.boot.indirect[:, :1] * bc.boot.sd_xy[:, :1] / bc.boot.sd_xy[:, 1:]
    lo, hi = bc_ci(draws, np.array([comp.effect]), 0.95)
    assert_allclose([comp.ci_low, comp.ci_high], [lo[0], hi[0]], rtol=1e-12)
    with pytest.raises(OptionError, match="effsize must be True or False"):
        studylib.process(d, model=4, x="estress", m="affect", y="withdraw", boot=0, effsize="yes")


def test_moderated_models_get_partially_standardized_conditional_effects_and_indexes():
    """Beyond PROCESS: conditional indirect effects and indexes divided by SD(Y), each
    resample by its own SD(Y); the same resamples as without effsize."""
    d = data("hayes_protest")
    kw = dict(model=7, x="sexism", m="respappr", w="protest", y="liking", w_coding="indicator", seed=4, boot=1000)
    plain = studylib.process(d, **kw)
    res = studylib.process(d, **kw, effsize=True)
    assert res.indirect.equals(plain.indirect) and res.index.equals(plain.index)
    st = res.extras.standardized
    assert set(st.scale) == {"partial"} and set(st.kind) == {"direct", "indirect", "contrast", "index"}
    sd_y = d.liking.std(ddof=1)
    ind = st[st.kind == "indirect"]
    assert ind.w.tolist() == [0, 1, 2]
    assert_allclose(ind.effect, res.indirect.effect / sd_y, rtol=1e-12)
    draws = res.boot.indirect / res.boot.sd_xy[:, [1]]
    assert_allclose(ind.boot_se, draws.std(axis=0, ddof=1), rtol=1e-12)
    lo, hi = np.quantile(draws, [0.025, 0.975], axis=0)
    assert_allclose(ind[["ci_low", "ci_high"]].to_numpy(), np.column_stack([lo, hi]), rtol=1e-12)
    idx = st[st.kind == "index"]
    assert idx.w_term.tolist() == ["protest[1]", "protest[2]"]
    assert_allclose(idx.effect, res.index["index"] / sd_y, rtol=1e-12)
    assert_allclose(idx.boot_se, (res.boot.index / res.boot.sd_xy[:, [1]]).std(axis=0, ddof=1), rtol=1e-12)
    con = st[st.kind == "contrast"]
    assert con.path.iloc[0] == "sexism -> respappr -> liking at w=1 minus sexism -> respappr -> liking at w=0"
    assert "Partially standardized indirect effect(s) of X on Y (contrasts and indexes last)" in res.summary()
