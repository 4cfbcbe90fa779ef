"""Covariates by equation (PROCESS covmy / cmatrix): a list for every equation, or a mapping.

No PROCESS output with cmatrix is at hand: each equation is checked against statsmodels
with exactly the covariates named for it, and the bootstrap against the product of its
coefficient draws.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import yaml
from numpy.testing import assert_allclose

import studylib
from studylib.cli import main
from studylib.paths import QUESTIONNAIRES, STUDY_CONFIG, SYNTHETIC


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    n = 200
    d = pd.DataFrame({"x": np.tile([0.0, 1.0], n // 2), "age": rng.normal(40, 10, n), "sex": rng.integers(0, 2, n)})
    d["m1"] = 0.5 * d.x + 0.02 * d.age + rng.normal(size=n)
    d["m2"] = 0.4 * d.m1 + 0.3 * d.sex + rng.normal(size=n)
    d["y"] = 0.3 * d.m1 + 0.3 * d.m2 + 0.01 * d.age + 0.2 * d.sex + rng.normal(size=n)
    return d


COVS = {"m1": ["age"], "y": ["age", "sex"]}


@pytest.fixture(scope="module")
def fit(data):
    return studylib.process(data, model=6, x="x", m=["m1", "m2"], y="y", covariates=COVS, boot=1000, seed=3)


def test_each_equation_has_only_its_covariates(data, fit):
    formulas = {"m1": "m1 ~ x + age", "m2": "m2 ~ x + m1", "y": "y ~ x + m1 + m2 + age + sex"}
    for eq, formula in formulas.items():
        ref = smf.ols(formula, data).fit()
        got = fit.coefficients[fit.coefficients.equation == eq].set_index("term").estimate
        assert sorted(got.index) == sorted(["constant" if t == "Intercept" else t for t in ref.params.index])
        assert_allclose(got.rename({"constant": "Intercept"})[ref.params.index], ref.params, rtol=1e-10)
    spec = fit.model
    assert spec[spec.role == "covariate"][["lhs", "rhs"]].values.tolist() == [["m1", "age"], ["y", "age"],
                                                                             ["y", "sex"]]
    assert fit.model.attrs["covariates"] == ["age", "sex"]
    assert fit.model.attrs["covariates_by_equation"] == {"m1": ["age"], "m2": [], "y": ["age", "sex"]}


def test_bootstrap_uses_the_same_equations(fit):
    b = fit.boot.coefficients
    terms = {eq: fit.coefficients[fit.coefficients.equation == eq].term.tolist() for eq in ("m1", "m2", "y")}
    a1 = b["m1"][:, terms["m1"].index("x")]
    d21 = b["m2"][:, terms["m2"].index("m1")]
    b2 = b["y"][:, terms["y"].index("m2")]
    serial = fit.indirect.path.tolist().index("x -> m1 -> m2 -> y")
    assert_allclose(fit.boot.indirect[:, serial], a1 * d21 * b2, rtol=1e-12)
    assert b["m1"].shape[1] == 3 and b["m2"].shape[1] == 3 and b["y"].shape[1] == 6


def test_total_effect_only_when_every_equation_has_the_same_covariates(data, fit):
    assert fit.total.empty  # the total effect would not be the direct plus the indirect effects
    same = studylib.process(data, model=6, x="x", m=["m1", "m2"], y="y", boot=0,
                            covariates={"m1": ["age"], "m2": ["age"], "y": "age"})
    listed = studylib.process(data, model=6, x="x", m=["m1", "m2"], y="y", boot=0, covariates=["age"])
    pd.testing.assert_frame_equal(same.total, listed.total)
    assert_allclose(same.total.effect, same.direct.effect + same.indirect.effect[0], rtol=1e-10)


def test_cli_takes_a_list_or_covariates_by_equation(data, fit, tmp_path, capsys):
    csv = tmp_path / "d.csv"
    data.to_csv(csv, index=False)
    base = ["process", "--data", str(csv), "--model", "6", "--x", "x", "--m", "m1", "m2", "--y", "y", "--boot",
            "1000", "--seed", "3"]
    out = tmp_path / "r.json"
    assert main([*base, "--covariates", "m1=age", "y=age,sex", "--json", str(out)]) == 0
    got = pd.DataFrame(json.loads(out.read_text())["coefficients"])
    assert_allclose(got.estimate, fit.coefficients.estimate, rtol=1e-12)
    assert main([*base, "--covariates", "age", "sex", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["settings"]["covariates_by_equation"]["m2"] == ["age", "sex"]
    capsys.readouterr()
    assert main([*base, "--covariates", "age", "y=sex"]) == 2
    assert "either columns (every equation) or EQ=COL,COL items" in capsys.readouterr().err
    assert main([*base, "--covariates", "pk=age"]) == 2
    assert "covariates by equation: ['pk'] are not outcomes of the model" in capsys.readouterr().err


def test_study_file_covariates_by_equation(tmp_path):
    """A study file's process model may give covariates per equation; the pipeline passes them on."""
    from studylib._pipeline_models import step_process
    from studylib._pipeline_steps import _Collector
    from studylib.pipeline import load_analysis_data
    from studylib.report.html import HtmlReport

    cfg = copy.deepcopy(yaml.safe_load(STUDY_CONFIG.read_text()))
    cfg["questionnaires"] = str(QUESTIONNAIRES)
    cfg["data"] = str(SYNTHETIC / "influencer_study.csv")
    cfg["models"]["model83"]["covariates"] = {"pk": ["age"], "attitude": ["age"]}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    sd = load_analysis_data(config=path)
    col = _Collector(tmp_path / "stage", HtmlReport("test"))
    fits, numbers = step_process(sd, col, {"boot": 1000, "seed": 1}, None)
    res = fits["model83"]
    assert res.model.attrs["covariates_by_equation"] == {"psr": [], "pk": ["age"], "attitude": ["age"]}
    assert numbers["model83"]["n"] == res.n and "process_coefficients" in col.tables
