"""Tests of the shared input checks in studylib._validation."""

import numpy as np
import pandas as pd
import pytest

from studylib._validation import (
    as_generator,
    check_columns,
    check_fraction,
    check_int,
    check_numeric,
    check_option,
    check_range,
    check_unique,
)
from studylib.errors import ColumnError, DataError, OptionError


def test_check_option_is_exact():
    assert check_option("HC3", "hc", ("HC0", "HC3")) == "HC3"
    with pytest.raises(OptionError, match=r"hc must be one of 'HC0', 'HC3'; got 'hc3'"):
        check_option("hc3", "hc", ("HC0", "HC3"))
    with pytest.raises(OptionError, match="got 'perc'"):
        check_option("perc", "ci", ("percentile", "bc"))
    # numpy scalars are their Python values (e.g. ss_type from np.arange); bools never ints
    value = check_option(np.int64(3), "ss_type", (1, 2, 3))
    assert value == 3 and type(value) is int
    assert check_option(np.str_("bc"), "ci", ("percentile", "bc")) == "bc"
    for bad in (True, np.True_, "3", 3.0):
        with pytest.raises(OptionError, match="ss_type must be one of 1, 2, 3"):
            check_option(bad, "ss_type", (1, 2, 3))


def test_check_columns_names_missing_and_context():
    df = pd.DataFrame({"a": [1], "b": [2]})
    assert check_columns(df, "a") == ["a"]
    with pytest.raises(ColumnError, match=r"columns not in data: \['x'\] \(scale 'psr'\)"):
        check_columns(df, ["a", "x"], context="scale 'psr'")
    with pytest.raises(ColumnError, match="more than once"):
        check_columns(df, ["a", "a"])


def test_check_numeric_names_row_and_value():
    df = pd.DataFrame({"q1": ["1", "2", "seven"]}, index=[10, 11, 12])
    with pytest.raises(DataError, match=r"column 'q1' has non-numeric values in rows 12 \(value 'seven'\)"):
        check_numeric(df, ["q1"])
    check_numeric(pd.DataFrame({"q1": [1.0, np.nan]}), ["q1"])


def test_check_range_and_integer():
    df = pd.DataFrame({"q1": [1, 7, 8]})
    with pytest.raises(DataError, match=r"outside the declared range 1..7 in rows 2 \(value 8"):
        check_range(df, ["q1"], 1, 7)
    with pytest.raises(DataError, match="non-integer"):
        check_range(pd.DataFrame({"q1": [1, 2.5]}), ["q1"], 1, 7, integer=True)
    check_range(pd.DataFrame({"q1": [1, np.nan, 7]}), ["q1"], 1, 7, integer=True)


def test_check_unique():
    with pytest.raises(DataError, match=r"duplicated values \['r2'\]"):
        check_unique(pd.DataFrame({"id": ["r1", "r2", "r2"]}), "id")


def test_fraction_and_int():
    assert check_fraction(0.95, "conf") == 0.95
    for bad in (0, 1, -0.1, float("nan"), "0.9", True):
        with pytest.raises(OptionError, match="conf must be a number strictly between 0 and 1"):
            check_fraction(bad, "conf")
    assert check_int(5000, "boot", minimum=1000) == 5000
    with pytest.raises(OptionError, match="boot must be at least 1000; got 10"):
        check_int(10, "boot", minimum=1000)


def test_as_generator_records_seed_and_is_reproducible():
    g1, s1 = as_generator(42)
    g2, s2 = as_generator(42)
    assert s1 == s2 == 42
    assert g1.random() == g2.random()
    _, drawn = as_generator(None)
    assert isinstance(drawn, int)
    with pytest.raises(OptionError, match="seed must be"):
        as_generator(-1)
