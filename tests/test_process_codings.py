"""Codings of X, W and Z as PROCESS mcx/mcw/mcz: who is categorical, who is continuous.

The issue this guards (#11): a W coded 0/1/2 with ``w_coding="indicator"`` was fitted as one
continuous term, silently. An explicit coding now makes X, W or Z categorical whatever its
dtype; without one a Categorical or text column is indicator-coded and a numeric column is
continuous, with a warning when it has only a few distinct values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from test_process_model83 import ARGS, simulate

import studylib
from studylib.cli import main
from studylib.process.coding import CodingWarning


@pytest.fixture(scope="module")
def data():
    return simulate(240, seed=3)


@pytest.fixture(scope="module")
def categorical(data):
    return studylib.process(data, **ARGS, boot=1000, seed=4)


def numeric_w(data, offset=0):
    d = data.copy()
    d["response"] = d.response.cat.codes.astype(int) + offset  # PROCESS users' data: 0/1/2 or SPSS 1/2/3
    return d


@pytest.mark.parametrize("offset", [0, 1])
def test_numeric_group_codes_with_a_coding_equal_the_categorical(data, categorical, offset):
    res = studylib.process(numeric_w(data, offset), **ARGS, boot=1000, seed=4, w_coding="indicator")
    assert res.indirect.w.tolist()[:3] == [offset, offset + 1, offset + 2]
    assert_allclose(res.indirect.effect, categorical.indirect.effect, rtol=1e-12)
    assert_allclose(res.indirect[["boot_se", "ci_low", "ci_high"]], categorical.indirect[["boot_se", "ci_low",
                                                                                           "ci_high"]], rtol=1e-12)
    assert len(res.index) == len(categorical.index) == 4  # two indexes per moderated path
    assert_allclose(res.index["index"], categorical.index["index"], rtol=1e-12)
    assert res.model.attrs["codings"]["w"]["levels"] == [str(offset + k) for k in range(3)]


def test_numeric_moderator_without_coding_is_continuous_and_warns_once(data):
    with pytest.warns(CodingWarning, match=r"w 'response' is numeric with 3 distinct values \[0, 1, 2\] and no "
                      r"coding, so it is fitted as one continuous moderator; .*pass w_coding='indicator' "
                      r"\(PROCESS mcw = 1\)") as rec:
        res = studylib.process(numeric_w(data), **ARGS, boot=0)
    assert len([r for r in rec if issubclass(r.category, CodingWarning)]) == 1
    assert rec[0].filename == __file__  # stacklevel points at the caller
    assert "w" not in res.model.attrs["codings"]
    assert res.index.w_term.tolist() == ["response", "response"]  # one slope per path


def test_many_values_or_categorical_do_not_warn(data):
    d = data.copy()
    d["resp_num"] = np.random.default_rng(1).normal(size=len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodingWarning)
        studylib.process(d, **{**ARGS, "w": "resp_num"}, boot=0)
        studylib.process(data, **ARGS, boot=0)  # Categorical X and W
        studylib.process(d.assign(valence=d.valence.cat.codes), **ARGS, boot=0)  # a 0/1 X: no warning


def test_text_moderator_and_text_x_are_indicator_coded_without_a_coding(data):
    d = data.astype({"valence": str, "response": str})
    res = studylib.process(d, **ARGS, boot=0)
    # sorted text: 'like' < 'none' < 'reply', so 'like' is the reference, as PROCESS sorts values
    assert res.model.attrs["codings"]["w"]["levels"] == ["like", "none", "reply"]
    assert res.model.attrs["codings"]["x"]["levels"] == ["negative", "positive"]
    assert res.index.w_term.tolist()[:2] == ["response[none]", "response[reply]"]


def test_explicit_x_coding_makes_a_numeric_x_categorical(data):
    d = data.copy()
    d["grp"] = d.response.cat.codes.astype(float) * 10  # 0, 10, 20: three groups
    with pytest.warns(CodingWarning, match=r"x 'grp' is numeric with 3 distinct values \[0, 10, 20\].*x_coding="):
        cont = studylib.process(d, model=4, x="grp", m="psr", y="attitude", boot=0)
    assert cont.indirect.x_term.tolist() == ["grp"]
    res = studylib.process(d, model=4, x="grp", m="psr", y="attitude", boot=0, x_coding="sequential")
    assert res.indirect.x_term.tolist() == ["grp[10.0-0.0]", "grp[20.0-10.0]"]


def test_z_coding_makes_a_numeric_z_categorical(data):
    d = numeric_w(data)
    d["z"] = np.tile([0, 1], len(d) // 2)
    with pytest.warns(CodingWarning, match="z 'z' is numeric with 2 distinct values"):
        studylib.process(d, model=2, x="psr", w="age", z="z", y="attitude")
    res = studylib.process(d, model=2, x="psr", w="age", z="response", y="attitude", z_coding="indicator")
    assert res.model.attrs["codings"]["z"]["terms"] == ["response[1]", "response[2]"]
    assert res.conditional.z.drop_duplicates().tolist() == [0, 1, 2]


def test_cli_coding_option_and_warning(data, tmp_path, capsys, categorical):
    path = tmp_path / "codes.csv"
    numeric_w(data).to_csv(path, index=False)
    base = ["process", "--data", str(path), "--model", "83", "--x", "valence", "--w", "response", "--m", "psr",
            "pk", "--y", "attitude", "--levels", "valence=negative,positive", "--boot", "1000", "--seed", "4"]
    json_path = tmp_path / "res.json"
    assert main([*base, "--w-coding", "indicator", "--json", str(json_path)]) == 0
    assert "warning" not in capsys.readouterr().err
    import json

    got = pd.DataFrame(json.loads(json_path.read_text())["indirect"])
    assert_allclose(got.effect, categorical.indirect.effect, rtol=1e-12)
    assert main(base) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("studylib process: warning: w 'response' is numeric")
    assert "pass --w-coding indicator (PROCESS mcw = 1)" in err


def test_study_file_codings_pass_through():
    """The example study's process options reach process(); a 0/1/2 copy of W with the same
    w_coding gives the same numbers as the study's categorical W."""
    from studylib.pipeline import load_analysis_data

    sd = load_analysis_data()
    opts = next(mo for mo in sd.study.models if mo.kind == "process").options
    assert opts["w_coding"] == "indicator"
    run = {**opts, "boot": 0}
    res = studylib.process(sd.kept, **run)
    codes = sd.kept.assign(**{opts["w"]: sd.kept[opts["w"]].cat.codes})
    res_codes = studylib.process(codes, **run)
    assert_allclose(res_codes.indirect.effect, res.indirect.effect, rtol=1e-12)
    assert len(res.index) == 4
