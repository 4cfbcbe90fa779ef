"""The six stages of studylib.process, each on its own (spec, design, fit, probe, bootstrap, tables).

The reference tests check what the chain computes; these check what each stage hands on:
that ``process()`` is exactly their composition, and each stage's own contract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose

import studylib
from studylib.errors import DataError, SpecError
from studylib.process.assemble import tabulate
from studylib.process.fit import fit_equations
from studylib.process.prepare import prepare
from studylib.process.probe import probe
from studylib.process.request import Request, specify
from studylib.process.resample import bootstrap

DEFAULTS = dict(model=None, m=None, w=None, z=None, covariates=None, x_coding=None, w_coding=None, z_coding=None,
                boot=1000, seed=5, conf=0.95, ci="percentile", hc=None, center="none", probe="percentile",
                wvalues=None, zvalues=None, spec=None, effsize=False, normal=False)


def request(data, **kw) -> Request:
    return specify(data, **{**DEFAULTS, **kw})


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 150
    d = pd.DataFrame({"x": rng.normal(size=n), "w": np.repeat(["a", "b", "c"], n // 3), "age": rng.normal(40, 9, n)})
    d["m1"] = 0.5 * d.x * (d.w == "b") + 0.3 * d.x + rng.normal(size=n)
    d["m2"] = 0.4 * d.m1 + rng.normal(size=n)
    d["y"] = 0.3 * d.m1 + 0.4 * d.m2 + 0.01 * d.age + rng.normal(size=n)
    d["yb"] = (d.y + rng.logistic(size=n) > 0.5).astype(int)
    return d


@pytest.fixture(scope="module")
def stages(data):
    req = request(data, model=83, x="x", m=["m1", "m2"], w="w", y="y", covariates={"y": ["age"]})
    design = prepare(data, req)
    fits = fit_equations(design, hc=None, conf=0.95)
    probes = probe(design, fits, probe="percentile", user_values={})
    draws = bootstrap(probes.design, fits, probes, boot=1000, rng=np.random.default_rng(5), ci="percentile",
                      conf=0.95)
    return req, design, fits, probes, draws


def test_process_is_the_chain_of_its_stages(data, stages):
    req, design, fits, probes, draws = stages
    chained = tabulate(req, design, fits, probes, draws, 5)
    res = studylib.process(data, model=83, x="x", m=["m1", "m2"], w="w", y="y", covariates={"y": ["age"]},
                           boot=1000, seed=5)
    for name in ("coefficients", "equations", "conditional", "indirect", "index", "contrasts", "direct"):
        pd.testing.assert_frame_equal(getattr(chained, name), getattr(res, name))


def test_spec_stage_names_roles_and_covariates_by_equation(data, stages):
    req = stages[0]
    assert req.names == {"x": "x", "y": "y", "m1": "m1", "m2": "m2", "w": "w"}
    assert req.covariates == {"m1": [], "m2": [], "y": ["age"]} and req.by_equation
    assert req.columns == ["x", "y", "m1", "m2", "w", "age"]
    every = request(data, model=4, x="x", m="m1", y="y", covariates="age")
    assert every.covariates == {"m1": ["age"], "y": ["age"]} and not every.by_equation
    with pytest.raises(SpecError, match=r"covariates by equation: \['pk'\] are not outcomes of the model; the "
                                        r"equations are \['m1', 'y'\]"):
        request(data, model=4, x="x", m="m1", y="y", covariates={"pk": "age"})
    with pytest.raises(SpecError, match=r"covariates: 'm1' is already a model variable"):
        request(data, model=4, x="x", m="m1", y="y", covariates=["m1"])
    with pytest.raises(SpecError, match=r"a column can play one role only; \['x'\]"):
        request(data, model=4, x="x", m="x", y="y")


def test_design_stage_codes_and_lists_terms(data, stages):
    design = stages[1]
    assert design.codings["w"].terms == ("w[b]", "w[c]")
    assert design.eq_terms["m1"] == ["constant", "x", "w[b]", "w[c]", "x:w[b]", "x:w[c]"]
    assert design.eq_terms["y"] == ["constant", "x", "m1", "m2", "age"]
    assert design.family == {"m1": "ols", "m2": "ols", "y": "ols"} and design.y_coding is None
    assert "total" not in design.eq_terms  # moderated: no total effect model
    assert_allclose(design.columns["x:w[b]"], data.x * (data.w == "b"))
    binary = prepare(data, request(data, model=4, x="x", m="m1", y="yb"))
    assert binary.family["y"] == "logit" and binary.y_coding.levels == (0, 1)
    assert "total" not in binary.eq_terms  # no total effect model for a logistic Y


def test_design_stage_refuses_non_finite_values(data):
    d = data.copy()
    d.loc[[4, 9], "m2"] = [np.inf, -np.inf]
    with pytest.raises(DataError, match=r"column 'm2' has non-finite values in rows 4 \(value inf\), 9 \(value -inf\)"):
        prepare(d, request(d, model=6, x="x", m=["m1", "m2"], y="y"))


def test_fit_stage_equals_statsmodels(data, stages):
    fits = stages[2]
    sm = smf.ols("y ~ x + m1 + m2 + age", data).fit()
    got = fits.coefficients[fits.coefficients.equation == "y"].set_index("term").estimate
    assert_allclose(got[["x", "m1", "m2", "age"]], sm.params[["x", "m1", "m2", "age"]], rtol=1e-10)
    tests = fits.equations[fits.equations.equation == "m1"].test.tolist()
    assert tests == ["model", "x*w"]


def test_probe_stage_values_and_quantities(stages):
    probes = stages[3]
    assert [v.label for v in probes.design.values["w"]] == ["a", "b", "c"]
    assert [v.code for v in probes.design.values["w"]] == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]
    assert len(probes.quantities["indirect"]) == 3 + 1 + 3  # x->m1->y at 3 groups, x->m2->y, serial at 3
    assert len(probes.quantities["index"]) == 4
    assert probes.estimates["indirect"].shape == (7,)
    assert probes.conditional.w.tolist() == ["a", "b", "c"]


def test_bootstrap_stage_draws_every_quantity(stages, data):
    req, design, fits, probes, draws = stages
    assert draws.B == 1000 and draws.indirect.shape == (1000, 7) and draws.index.shape == (1000, 4)
    assert set(draws.coefficients) == {"m1", "m2", "y"}
    assert draws.coefficients["y"].shape == (1000, 5)
    none = bootstrap(probes.design, fits, probes, boot=0, rng=np.random.default_rng(1), ci="percentile", conf=0.95)
    assert none is None


def test_tables_stage_records_settings(stages):
    res = tabulate(*stages, 5)
    attrs = res.model.attrs
    assert attrs["covariates"] == ["age"]
    assert attrs["covariates_by_equation"] == {"m1": [], "m2": [], "y": ["age"]}
    assert attrs["family"] == {"m1": "ols", "m2": "ols", "y": "ols"}
    rows = res.model[res.model.role == "covariate"]
    assert rows[["lhs", "rhs"]].values.tolist() == [["y", "age"]]
