"""Bad input to studylib.process gets a studylib error that says what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import studylib
from studylib.errors import ColumnError, InputTypeError, ModelError, OptionError, SpecError


@pytest.fixture
def d():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame({
        "x": np.tile([0.0, 1.0], n // 2),
        "xs": np.tile(["neg", "pos"], n // 2),
        "w": rng.normal(size=n),
        "ws": np.repeat(["a", "b", "c"], n // 3),
        "m1": rng.normal(size=n),
        "m2": rng.normal(size=n),
        "y": rng.normal(size=n),
    })


def test_moderator_group_with_fewer_than_two_cases(d):
    d.loc[0, "ws"] = "lonely"
    with pytest.raises(ModelError, match=r"w 'ws' has group\(s\) with fewer than 2 cases: 'lonely' \(1 case\)"):
        studylib.process(d, model=7, x="x", m="m1", w="ws", y="y", boot=0)


def test_empty_category_of_a_categorical(d):
    d["ws"] = pd.Categorical(d.ws, categories=["a", "b", "c", "d"])
    with pytest.raises(ModelError, match=r"'d' \(0 cases\)"):
        studylib.process(d, model=7, x="x", m="m1", w="ws", y="y", boot=0)


def test_constant_variable(d):
    d["m1"] = 3.0
    with pytest.raises(ModelError, match=r"column 'm1' is constant \(value 3 in all 60 cases used\)"):
        studylib.process(d, model=4, x="x", m="m1", y="y", boot=0)


def test_singular_design(d):
    d["c"] = 2 * d.m1 + 1
    with pytest.raises(ModelError, match=r"singular design in the equation for 'y': term 'c' is a linear combination"):
        studylib.process(d, model=4, x="x", m="m1", y="y", covariates=["c"], boot=0)


def test_unknown_model_number(d):
    with pytest.raises(SpecError, match=r"model must be one of the PROCESS model numbers 1-22, 28, 29, 58-73, 75, "
                       r"76, 80-92 \(or pass spec= for a custom model\); got 74"):
        studylib.process(d, model=74, x="x", m="m1", w="w", y="y")
    with pytest.raises(SpecError, match=r"got '4'"):
        studylib.process(d, model="4", x="x", m="m1", y="y")


def test_mediators_missing_for_a_serial_model(d):
    with pytest.raises(SpecError, match=r"model 6 \(serial mediation\) needs 2 to 6 serial mediators in m, as "
                       r"PROCESS; got 1"):
        studylib.process(d, model=6, x="x", m="m1", y="y")
    with pytest.raises(SpecError, match=r"model 83 \(serial mediation; W moderates X -> M1\) needs 2 to 6 serial .*got 0"):
        studylib.process(d, model=83, x="x", w="w", y="y")
    with pytest.raises(SpecError, match=r"model 4 \(parallel mediation\) needs 1 to 10 mediators in m, as PROCESS; got 0"):
        studylib.process(d, model=4, x="x", y="y")


def test_moderator_missing_or_superfluous(d):
    with pytest.raises(SpecError, match=r"model 7 \(W moderates X -> M\) needs the moderator w= \(its moderators: "
                                        r"w\); got none"):
        studylib.process(d, model=7, x="x", m="m1", y="y")
    with pytest.raises(SpecError, match=r"model 21 \(.*\) needs the moderator z= \(its moderators: w and z\)"):
        studylib.process(d, model=21, x="x", m="m1", w="w", y="y")
    with pytest.raises(SpecError, match=r"model 4 \(parallel mediation\) has no moderator w \(its moderators: none\); "
                                        r"got w='w'"):
        studylib.process(d, model=4, x="x", m="m1", w="w", y="y")
    with pytest.raises(SpecError, match=r"model 1 \(simple moderation: W moderates X -> Y\) has no mediator"):
        studylib.process(d, model=1, x="x", m="m1", w="w", y="y")


@pytest.mark.parametrize("boot", [1, 999])
def test_boot_below_1000(d, boot):
    with pytest.raises(OptionError, match=rf"boot must be at least 1000 resamples .*got {boot}"):
        studylib.process(d, model=4, x="x", m="m1", y="y", boot=boot)


def test_boot_upper_bound_states_the_memory(d):
    with pytest.raises(OptionError, match=r"boot = 1,000,000,000 resamples would keep about [\d.,]+ GB of bootstrap "
                                        r"draws for this model \(\d+ numbers per resample\); boot must be at most "
                                        r"1,000,000"):
        studylib.process(d, model=4, x="x", m="m1", y="y", boot=1_000_000_000)


@pytest.mark.parametrize(("column", "value"), [("y", np.inf), ("m1", -np.inf), ("x", np.inf), ("c", -np.inf)])
def test_non_finite_values_name_column_and_rows(d, column, value):
    d["c"] = np.arange(len(d), dtype=float)
    d.loc[[3, 8], column] = value
    with pytest.raises(studylib.DataError, match=rf"column '{column}' has non-finite values in rows 3 \(value "
                                                 rf"{value}\), 8 \(value {value}\); model variables must be finite"):
        studylib.process(d, model=4, x="x", m="m1", y="y", covariates=["c"], boot=0)


def test_cli_bad_input_is_one_line_and_exit_2(d, tmp_path, capsys):
    from studylib.cli import main

    d.loc[5, "y"] = np.inf
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    base = ["process", "--data", str(path), "--model", "4", "--x", "x", "--m", "m1", "--y", "y"]
    assert main(base) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "column 'y' has non-finite values in rows 5 (value inf)" in err
    d.loc[5, "y"] = 0.0
    d.to_csv(path, index=False)
    assert main([*base, "--boot", "1000000000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "boot must be at most 1,000,000" in err


@pytest.mark.parametrize("conf", [0, 1, 95, -0.5])
def test_conf_outside_unit_interval(d, conf):
    with pytest.raises(OptionError, match=r"conf must be a number strictly between 0 and 1"):
        studylib.process(d, model=4, x="x", m="m1", y="y", conf=conf)


def test_options_match_exactly(d):
    with pytest.raises(OptionError, match=r"ci must be one of 'percentile', 'bc'; got 'perc'"):
        studylib.process(d, model=4, x="x", m="m1", y="y", ci="perc")
    with pytest.raises(OptionError, match=r"hc must be one of None, 'HC0'.*got 'hc3'"):
        studylib.process(d, model=4, x="x", m="m1", y="y", hc="hc3")
    with pytest.raises(OptionError, match=r"x_coding must be one of"):
        studylib.process(d, model=4, x="x", m="m1", y="y", x_coding="dummy")
    with pytest.raises(OptionError, match=r"seed must be None, a non-negative whole number"):
        studylib.process(d, model=4, x="x", m="m1", y="y", seed="abc")


def test_unknown_column_and_non_numeric_mediator(d):
    with pytest.raises(ColumnError, match=r"columns not in data: \['psr'\]"):
        studylib.process(d, model=4, x="x", m="psr", y="y")
    d["m1"] = d.m1.astype(str)
    d.loc[3, "m1"] = "n/a"
    with pytest.raises(studylib.DataError, match=r"column 'm1' has non-numeric values in rows 3"):
        studylib.process(d, model=4, x="x", m="m1", y="y")


def test_not_a_dataframe():
    with pytest.raises(InputTypeError, match=r"data must be a pandas DataFrame; got dict"):
        studylib.process({"x": [1]}, model=4, x="x", m="m", y="y")


def test_custom_spec_errors_quote_the_input(d):
    with pytest.raises(SpecError, match=r"unknown variable 'foo' in model element 'm1 ~ x \+ foo'"):
        studylib.process(d, spec=["m1 ~ x + foo", "y ~ m1"], x="x", m="m1", y="y")
    with pytest.raises(SpecError, match=r"duplicate model element in: 'y ~ m1 \+ m1'"):
        studylib.process(d, spec=["m1 ~ x", "y ~ m1 + m1"], x="x", m="m1", y="y")
    with pytest.raises(SpecError, match=r"mediator 'm2' has no equation"):
        studylib.process(d, spec=["m1 ~ x", "y ~ m1 + m2"], x="x", m=["m1", "m2"], y="y")
    with pytest.raises(SpecError, match=r"give either model= or spec=, not both"):
        studylib.process(d, model=4, spec=["m1 ~ x", "y ~ m1"], x="x", m="m1", y="y")
    with pytest.raises(SpecError, match=r"path m2 -> m1 goes against the order of m"):
        studylib.process(d, spec=["m1 ~ x + m2", "m2 ~ x", "y ~ m1"], x="x", m=["m1", "m2"], y="y")
