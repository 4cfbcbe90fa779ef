"""Outputs of moderated equations against PROCESS: ``plot_data`` and ``conditional_omnibus``.

``plot_data`` is PROCESS's "Data for visualizing the conditional effect of the focal
predictor"; ``conditional_omnibus`` its "Test of equality of conditional means" printed at
each moderator value for a multicategorical X (runs A09 and A11).

Source: PROCESS for R 4.0.1 runs with ``plot = 1`` (A07 model 1, A08 model 8, A09 model 8
with a multicategorical X, A11 model 1 with a multicategorical X, A12 model 1 with a
multicategorical W) from ../shared/reference/expected/process_r401, copied to
tests/reference/process (PROVENANCE.md). The blocks "Data for visualizing the conditional
effect of the focal predictor" are read from the files; every value is deterministic and
printed with 6 decimals, so they must agree to half the 6th decimal (rtol 1e-4 besides).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import studylib

REF = Path(__file__).parent / "reference" / "process"
R_ATOL = 5.1e-7


def plot_blocks(name: str) -> list[np.ndarray]:
    """Each 'Data for visualizing' block of a PROCESS output file as a numeric array."""
    lines = (REF / name).read_text().splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.startswith("Data for visualizing"):
            rows = []
            for row in lines[i + 2:]:
                if not row.strip():
                    break
                rows.append([float(v) for v in row.split()])
            blocks.append(np.array(rows))
    return blocks


def equality_tests(name: str) -> np.ndarray:
    """Every 'Test of equality of conditional means' row (F, df1, df2, p) of a file, in order."""
    lines = (REF / name).read_text().splitlines()
    return np.array([[float(v) for v in lines[i + 2].split()] for i, line in enumerate(lines)
                     if line.startswith("Test of equality of conditional means")])


def protest_categorical_w() -> pd.DataFrame:
    d = pd.read_csv(REF / "hayes_protest.csv")
    d["protest"] = pd.Categorical(d["protest"])
    return d


CASES = {
    "A07_disaster_m1.txt": lambda: studylib.process(
        pd.read_csv(REF / "hayes_disaster.csv"), model=1, x="frame", w="skeptic", y="justify"),
    "A08_disaster_m8.txt": lambda: studylib.process(
        pd.read_csv(REF / "hayes_disaster.csv"), model=8, x="frame", w="skeptic", m="justify", y="donate", boot=0),
    "A09_protest_m8_mcx.txt": lambda: studylib.process(
        pd.read_csv(REF / "hayes_protest.csv"), model=8, x="protest", w="sexism", m="respappr", y="liking",
        x_coding="indicator", boot=0),
    "A11_protest_m1_mcx.txt": lambda: studylib.process(
        pd.read_csv(REF / "hayes_protest.csv"), model=1, x="protest", w="sexism", y="liking", x_coding="indicator"),
    "A12_protest_m1_mcw.txt": lambda: studylib.process(protest_categorical_w(), model=1, x="sexism", w="protest",
                                                       y="liking"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_data_matches_process(name):
    res = CASES[name]()
    blocks = plot_blocks(name)
    equations = list(res.extras.plot_data.equation.unique())
    assert len(equations) == len(blocks) >= 1
    for eq, block in zip(equations, blocks, strict=True):
        got = res.extras.plot_data[res.extras.plot_data.equation == eq]
        # PROCESS prints focal value, moderator value, prediction (groups by their codes)
        values = np.column_stack([got.focal_value.astype(float), got.w.astype(float), got.predicted])
        assert_allclose(values, block, rtol=1e-4, atol=R_ATOL)


def test_model83_plot_data_are_the_fitted_cell_means_of_the_first_equation():
    """With X and W both categorical and nothing else in the equation, the saturated
    M1 equation predicts each cell's mean."""
    rng = np.random.default_rng(8)
    n = 180
    d = pd.DataFrame({"valence": pd.Categorical.from_codes(np.tile([0, 1], n // 2), ["neg", "pos"]),
                      "response": pd.Categorical.from_codes(np.repeat([0, 1, 2], n // 3), ["none", "like", "reply"]),
                      "psr": rng.normal(size=n), "pk": rng.normal(size=n), "attitude": rng.normal(size=n)})
    res = studylib.process(d, model=83, x="valence", w="response", m=["psr", "pk"], y="attitude", boot=0)
    pdata = res.extras.plot_data.set_index(["focal_value", "w"])
    assert list(res.extras.plot_data.equation.unique()) == ["psr"]
    means = d.groupby(["valence", "response"], observed=True).psr.mean()
    for (v, r), mean in means.items():
        assert pdata.loc[(v, r), "predicted"] == pytest.approx(mean, rel=1e-12)


def test_no_plot_data_without_a_moderated_path():
    res = studylib.process(pd.read_csv(REF / "hayes_pmi.csv"), model=4, x="cond", m="pmi", y="reaction", boot=0)
    assert res.extras.plot_data.empty
    assert list(res.extras.plot_data.columns) == ["equation", "focal", "focal_value", "w", "z", "predicted"]
    assert res.to_dict()["extras"]["plot_data"] == []


@pytest.mark.parametrize(("name", "n_tests"), [("A09_protest_m8_mcx.txt", 6), ("A11_protest_m1_mcx.txt", 3)])
def test_equality_of_conditional_means_matches_process(name, n_tests):
    res = CASES[name]()
    expected = equality_tests(name)
    assert expected.shape == (n_tests, 4)
    got = res.extras.conditional_omnibus
    assert got.focal.unique().tolist() == ["protest"] and len(got) == n_tests
    assert_allclose(got[["F", "df1", "df2", "p"]].to_numpy(float), expected, rtol=1e-4, atol=R_ATOL)
    assert "Test of equality of conditional means" in res.summary()


def test_equality_test_uses_hc_covariance_and_is_absent_for_a_single_focal_term():
    d = pd.read_csv(REF / "hayes_protest.csv")
    res = studylib.process(d, model=1, x="protest", w="sexism", y="liking", x_coding="indicator", hc="HC3")
    cond = res.conditional
    # at each W value: the Wald F of the two relative conditional effects with their HC3 covariance
    # equals F of the same hypothesis from the coefficient table's HC3 fit (checked via statsmodels)
    sm = pytest.importorskip("statsmodels.api")
    X = pd.DataFrame({"p1": (d.protest == 1) * 1.0, "p2": (d.protest == 2) * 1.0, "sexism": d.sexism})
    X["p1s"], X["p2s"] = X.p1 * X.sexism, X.p2 * X.sexism
    fit = sm.OLS(d.liking, sm.add_constant(X)).fit(cov_type="HC3")
    for row in res.extras.conditional_omnibus.itertuples():
        L = np.zeros((2, 6))
        L[0, [1, 4]] = [1, row.w]
        L[1, [2, 5]] = [1, row.w]
        test = fit.f_test(L)
        assert_allclose([row.F, row.p], [float(test.fvalue), float(test.pvalue)], rtol=1e-9)
    assert len(cond) == 6
    single = studylib.process(d, model=1, x="sexism", w="liking", y="respappr")
    assert single.extras.conditional_omnibus.empty
