"""studylib.efa, sampling_adequacy and harman_test: properties and bad input (reference
values from psych are in tests/test_measurement_reference.py)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from studylib import Scale, efa, harman_test, sampling_adequacy
from studylib.errors import (
    ColumnError,
    InputTypeError,
    ModelError,
    OptionError,
    SpecError,
    StudylibWarning,
)
from studylib.measurement import _efa_math
from studylib.reliability import one_factor_minres

REF = Path(__file__).parent / "reference" / "cfa"
ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(REF / "lavaan_HolzingerSwineford1939.csv")


def test_one_factor_minres_equals_reliability_minres(hs):
    # studylib.reliability's one-factor minres is checked against psych (omega total);
    # efa(extraction="minres") with one factor must find the same loadings
    r = hs[ITEMS].corr().to_numpy()
    res = efa(hs, ITEMS, n_factors=1, extraction="minres", rotation=None)
    assert_allclose(res.loadings["F1"], one_factor_minres(r), atol=1e-6)


def test_minres_is_the_fixed_point_of_iterated_principal_axes(hs):
    # statsmodels' iterated principal axes reach the minres solution when no uniqueness
    # is at its bound: communalities must agree
    from statsmodels.multivariate.factor import Factor

    r = hs[ITEMS].corr().to_numpy()
    pa = Factor(corr=r, n_factor=3, method="pa", nobs=301).fit(maxiter=20000, tol=1e-13)
    res = efa(hs, ITEMS, n_factors=3, extraction="minres", rotation=None)
    assert_allclose(res.communalities["communality"], pa.communality, atol=1e-5)
    # minres leaves no diagonal residual: the model reproduces the unit variances
    load = res.loadings.to_numpy()
    assert_allclose((load**2).sum(axis=1) + res.communalities["uniqueness"], 1.0, atol=1e-6)


@pytest.mark.parametrize("rotation", ["oblimin", "varimax", "promax", None])
def test_rotations_keep_communalities_and_reproduce_the_common_part(hs, rotation):
    base = efa(hs, ITEMS, n_factors=3, extraction="ml", rotation=None)
    res = efa(hs, ITEMS, n_factors=3, extraction="ml", rotation=rotation)
    load, phi = res.loadings.to_numpy(), res.factor_correlations.to_numpy()
    b = base.loadings.to_numpy()
    assert_allclose(load @ phi @ load.T, b @ b.T, atol=1e-8)
    assert_allclose(np.diag(phi), 1.0, atol=1e-10)
    assert_allclose(res.communalities["communality"], base.communalities["communality"])
    assert_allclose(res.structure.to_numpy(), load @ phi)
    assert (res.loadings.sum(axis=0) > 0).all()  # psych's sign convention
    ss = res.variance["ss_loadings"].to_numpy()
    assert (np.diff(ss) <= 1e-12).all()  # ordered by variance accounted for
    assert_allclose(res.variance["proportion_explained"].sum(), 1.0)


def test_promax_follows_r_stats_promax(hs):
    # R stats::promax(x, m = 4): varimax (Kaiser-normalized), power-4 target, unit-variance
    # factors; the loadings are varimax loadings times the scaled least-squares U
    unrot = efa(hs, ITEMS, n_factors=3, extraction="ml", rotation=None).loadings.to_numpy()
    vm = _efa_math._kaiser_varimax(unrot)
    rot, phi = _efa_math._promax(unrot, 4)
    u = np.linalg.lstsq(vm, rot, rcond=None)[0]
    assert_allclose(vm @ u, rot, atol=1e-12)
    target = vm * np.abs(vm) ** 3
    u0 = np.linalg.lstsq(vm, target, rcond=None)[0]
    assert_allclose(u / np.linalg.norm(u, axis=0), u0 / np.linalg.norm(u0, axis=0), atol=1e-10)
    assert_allclose(np.diag(np.linalg.inv(u.T @ u)), 1.0, atol=1e-10)
    assert ((phi > 0.1) & ~np.eye(3, dtype=bool)).sum() == 6  # HS abilities correlate positively


def test_parallel_analysis_chooses_three_factors_and_is_seeded(hs):
    res = efa(hs, ITEMS, seed=5)
    assert res.n_factors == 3
    assert res.options["seed"] == 5
    par = res.parallel
    assert par.columns.tolist() == ["component", "observed", "simulated"]
    assert (par["observed"][:3] > par["simulated"][:3]).all() and par["observed"][3] <= par["simulated"][3]
    again = efa(hs, ITEMS, seed=5)
    pd.testing.assert_frame_equal(again.parallel, par)
    pc = efa(hs, ITEMS, extraction="pc", rotation="varimax", seed=5)
    assert_allclose(pc.parallel["observed"], pc.eigenvalues["eigenvalue"])
    assert efa(hs, ITEMS, n_factors=2).parallel is None


def test_reverse_keyed_scale_items_enter_recoded(hs):
    d = hs.copy()
    d["x2r"] = 10 - d["x2"]
    scale = Scale.from_dict({"id": "vis", "items": ["x1", "-x2r", "x3"], "min": 0, "max": 10})
    res = efa(d, [scale], n_factors=1, extraction="pc", rotation=None)
    plain = efa(d, ["x1", "x2", "x3"], n_factors=1, extraction="pc", rotation=None)
    assert_allclose(res.loadings["F1"].to_numpy(), plain.loadings["F1"].to_numpy(), atol=1e-12)
    assert (res.loadings["F1"] > 0).all()


def test_efa_summary_and_json(hs):
    res = efa(hs, ITEMS, n_factors=3)
    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["n_factors"] == 3
    s = res.summary()
    assert "extraction ml, rotation oblimin, 3 factor(s) (given), n = 301" in s
    assert "chi2(12) = 22.377" in s and "Factor correlations" in s


def test_efa_heywood_warns_naming_items(hs):
    # four factors from the 3-factor HS items: x5's uniqueness reaches psych's bound 0.005
    with pytest.warns(StudylibWarning, match=r"Heywood case in the ml EFA with 4 factors: items \['x5'\]"):
        res = efa(hs, ITEMS, n_factors=4, extraction="ml")
    assert res.communalities.set_index("item").loc["x5", "uniqueness"] == pytest.approx(0.005)
    with pytest.warns(StudylibWarning, match="Heywood case in the minres EFA with 4 factors"):
        efa(hs, ITEMS, n_factors=4, extraction="minres")


def test_ml_extraction_agrees_with_statsmodels_and_improves_with_factors(hs):
    # statsmodels' Factor(method="ml") reaches the same 3-factor optimum (it is not used:
    # with 4 factors it stops at the 3-factor saddle, see studylib/measurement/_efa_math.py)
    from statsmodels.multivariate.factor import Factor

    r = hs[ITEMS].corr().to_numpy()
    sm = Factor(corr=r, n_factor=3, method="ml", nobs=301).fit(rng=1)
    res = efa(hs, ITEMS, n_factors=3, extraction="ml", rotation=None)
    assert_allclose(res.communalities["uniqueness"], sm.uniqueness, atol=1e-5)
    with pytest.warns(StudylibWarning):
        four = efa(hs, ITEMS, n_factors=4, extraction="ml")
    assert four.fit["chisq"] < res.fit["chisq"] and four.fit["df"] == 6


def test_efa_bad_input(hs):
    with pytest.raises(OptionError, match="extraction must be one of 'ml', 'minres', 'pc'; got 'paf'"):
        efa(hs, ITEMS, extraction="paf")
    with pytest.raises(OptionError, match="rotation must be one of"):
        efa(hs, ITEMS, rotation="Varimax")
    with pytest.raises(OptionError, match="n_factors=6 is too many for 9 items"):
        efa(hs, ITEMS, n_factors=6)
    with pytest.raises(OptionError, match="n_factors must be at least 1"):
        efa(hs, ITEMS, n_factors=0)
    with pytest.raises(SpecError, match="efa needs at least 3 items"):
        efa(hs, ["x1", "x2"])
    with pytest.raises(InputTypeError, match="got the string 'x1'"):
        efa(hs, "x1")
    with pytest.raises(ColumnError, match=r"columns not in data: \['x0'\]"):
        efa(hs, ["x0", "x1", "x2"])
    few = hs[ITEMS].iloc[:2]
    with pytest.raises(ModelError, match="2 respondents answered every item"):
        efa(few, ITEMS, n_factors=1)


# --------------------------------------------------------------------------------------
# KMO, Bartlett, Harman


def test_kmo_is_one_half_for_uncorrelated_items_and_high_for_one_factor():
    rng = np.random.default_rng(2)
    noise = pd.DataFrame(rng.standard_normal((5000, 5)), columns=list("abcde"))
    sa = sampling_adequacy(noise, list("abcde"))
    assert abs(sa.kmo - 0.5) < 0.1  # r and partial r are both near 0 and alike
    assert sa.bartlett["p"] > 0.001
    f = rng.standard_normal(5000)
    one = pd.DataFrame({c: 0.8 * f + 0.6 * rng.standard_normal(5000) for c in "abcde"})
    sa1 = sampling_adequacy(one, list("abcde"))
    assert sa1.kmo > 0.85 and sa1.bartlett["p"] < 1e-100
    assert sa1.items.columns.tolist() == ["item", "msa"]
    assert "KMO = " in sa1.summary()
    assert json.loads(json.dumps(sa1.to_dict(), allow_nan=False))["n"] == 5000


def test_harman_test_share_of_first_component(hs):
    out = harman_test(hs, ITEMS)
    assert out.columns.tolist() == ["extraction", "n", "k", "ss_loadings", "proportion"]
    ev = np.linalg.eigvalsh(hs[ITEMS].corr().to_numpy())[-1]
    assert_allclose(out["ss_loadings"].iloc[0], ev, rtol=1e-10)
    assert_allclose(out["proportion"].iloc[0], ev / 9, rtol=1e-10)
    ml = harman_test(hs, ITEMS, extraction="ml")
    assert 0 < ml["proportion"].iloc[0] < out["proportion"].iloc[0]
    with pytest.raises(OptionError, match="extraction must be one of 'pc', 'ml', 'minres'"):
        harman_test(hs, ITEMS, extraction="paf")


def test_adequacy_listwise_and_singular(hs):
    d = hs.copy()
    d.loc[[1, 2], "x3"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sa = sampling_adequacy(d, ITEMS)
    assert (sa.n, sa.n_dropped) == (299, 2)
    d["x10"] = d["x1"] - d["x2"]
    with pytest.raises(ModelError, match="singular"):
        sampling_adequacy(d, [*ITEMS, "x10"])
