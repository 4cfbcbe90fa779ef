"""Tests of the ``studylib anova`` command."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from studylib import anova, pairwise
from studylib.cli import build_parser, main
from studylib.errors import StudylibWarning

REF = Path(__file__).parent / "reference" / "anova"


def test_command_is_registered():
    help_text = build_parser().format_help()
    assert "anova" in help_text


def test_prints_tables_and_writes_json(tmp_path, capsys):
    out_json = tmp_path / "out" / "anova.json"
    code = main(["anova", "--data", str(REF / "R_ToothGrowth.csv"), "--dv", "len",
                 "--between", "supp", "dose", "--json", str(out_json)])
    assert code == 0
    text = capsys.readouterr().out
    assert text.startswith("Factorial ANOVA of len by supp x dose (Type III sums of squares")
    assert "| supp:dose |  108.32 |   2 |   54.16 |  4.11 |   .022 |" in text
    assert "Simple effects of supp" in text and "Pairwise contrasts of dose (tukey adjustment)" in text
    saved = json.loads(out_json.read_text())
    ref = anova(pd.read_csv(REF / "R_ToothGrowth.csv"), "len", ["supp", "dose"])
    assert_allclose([row["ss"] for row in saved["anova"]], ref["ss"], rtol=1e-12)
    assert saved["anova"][-1]["F"] is None  # NaN -> null
    assert saved["n"] == 60 and saved["conf"] == 0.9 and saved["ss_type"] == 3
    assert [r["center"] for r in saved["levene"]] == ["mean", "median"]
    assert len(saved["emmeans"]) == 6 and set(saved["simple_effects"]) == {"supp", "dose"}
    assert len(saved["pairwise"]["dose"]) == 6


def test_options_and_missing_rows(tmp_path, capsys):
    df = pd.read_csv(REF / "statsmodels_kidney.csv")
    df.loc[[0, 1, 2], "Days"] = np.nan
    path = tmp_path / "kidney.csv"
    df.to_csv(path, index=False)
    out_json = tmp_path / "k.json"
    code = main(["anova", "--data", str(path), "--dv", "Days", "--between", "Duration", "Weight",
                 "--ss-type", "2", "--adjust", "holm", "--json", str(out_json)])
    assert code == 0
    text = capsys.readouterr().out
    assert "(Type II sums of squares" in text and "n = 57; 3 row(s) with missing values dropped listwise" in text
    saved = json.loads(out_json.read_text())
    assert saved["dropped_rows"] == [0, 1, 2] and saved["adjust"] == "holm"
    with pytest.warns(StudylibWarning, match="dropped listwise"):
        ref = pairwise(df, "Days", ["Duration", "Weight"], effect="Weight", by="Duration", adjust="holm")
    assert_allclose([r["p_adj"] for r in saved["pairwise"]["Weight"]], ref["p_adj"], rtol=1e-12)


def test_one_factor(capsys):
    code = main(["anova", "--data", str(REF / "R_ToothGrowth.csv"), "--dv", "len", "--between", "dose"])
    assert code == 0
    text = capsys.readouterr().out
    assert "Simple effects" not in text and "Pairwise contrasts of dose" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dv", "length", "--between", "supp"], r"columns not in data: \['length'\]"),
        (["--dv", "supp", "--between", "dose"], "column 'supp' has non-numeric values"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    code = main(["anova", "--data", str(REF / "R_ToothGrowth.csv"), *args])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("studylib anova: error:") and "\n" not in err
    assert re.search(message, err)


def test_missing_and_unreadable_files(tmp_path, capsys):
    assert main(["anova", "--data", str(tmp_path / "nope.csv"), "--dv", "y", "--between", "g"]) == 2
    assert "nope.csv" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["anova", "--data", str(empty), "--dv", "y", "--between", "g"]) == 2
    assert "empty.csv: the file is empty" in capsys.readouterr().err
    shutil.copy(REF / "R_ToothGrowth.csv", tmp_path / "tg.csv")
    with pytest.raises(SystemExit):
        main(["anova", "--data", str(tmp_path / "tg.csv"), "--dv", "len", "--between", "supp", "--ss-type", "4"])


def test_reads_spss_and_qualtrics_exports(tmp_path, capsys):
    # --data goes through studylib.read_data: a .sav with a value-labelled factor and a
    # Qualtrics CSV (two extra header rows) give the same table as the plain CSV
    import pyreadstat

    from studylib.io import write_data

    df = pd.read_csv(REF / "R_ToothGrowth.csv")
    expected = anova(df, "len", ["supp", "dose"])
    write_data(df, tmp_path / "tg.csv", format="qualtrics_csv")
    sav = tmp_path / "tg.sav"
    coded = df.assign(supp=df["supp"].map({"OJ": 1.0, "VC": 2.0}))
    pyreadstat.write_sav(coded, str(sav), variable_value_labels={"supp": {1: "Orange juice", 2: "Ascorbic acid"}})
    for path in (tmp_path / "tg.csv", sav):
        out_json = tmp_path / f"{path.suffix[1:]}.json"
        assert main(["anova", "--data", str(path), "--dv", "len", "--between", "supp", "dose",
                     "--json", str(out_json)]) == 0
        saved = json.loads(out_json.read_text())
        assert_allclose([r["ss"] for r in saved["anova"]], expected["ss"], rtol=1e-10)
    assert "Orange juice" in capsys.readouterr().out  # .sav value labels name the levels


def test_file_system_errors_exit_2_with_one_line(tmp_path, capsys):
    code = main(["anova", "--data", str(REF / "R_ToothGrowth.csv"), "--dv", "len", "--between", "supp",
                 "--json", str(tmp_path)])  # a folder, not a file
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("studylib anova: error:") and "\n" not in err
