"""Tests of studylib.findings.check_findings (the thesis's directions, finding by finding)."""

from __future__ import annotations

import pandas as pd
import pytest

from studylib.errors import ColumnError, DataError, OptionError
from studylib.findings import FINDINGS_COLUMNS, check_findings, finding_lines

PATH = "valence -> psr -> pk -> attitude"


def indirect(effects, lows, highs):
    return pd.DataFrame({"path": [PATH] * 3, "w": ["none", "like", "reply"], "effect": effects,
                         "boot_se": [0.04] * 3, "ci_low": lows, "ci_high": highs})


def anova_tab(p):
    return pd.DataFrame({"term": ["valence", "response", "valence:response", "Residual"],
                         "F": [1.0, 2.0, 8.0, None], "p": [0.3, 0.1, p, None]})


def test_all_findings_hold_on_the_reported_pattern():
    res = check_findings(indirect([0.12, -0.08, -0.15], [0.05, -0.14, -0.24], [0.2, -0.03, -0.08]),
                         {"psr": anova_tab(0.001), "pk": anova_tab(0.01)}, serial_path=PATH)
    assert tuple(res.columns) == FINDINGS_COLUMNS
    assert res["holds"].tolist() == [True] * 6
    # without contrasts the reply - like difference has no CI: not conclusive
    assert res["conclusive"].tolist() == [True, True, True, False, True, True]
    assert res.loc[3, "estimate"] == pytest.approx(-0.07)
    assert res["finding"].tolist()[-2:] == ["interaction_psr", "interaction_pk"]


def test_findings_fail_when_direction_reverses_and_are_inconclusive_when_ci_includes_zero():
    res = check_findings(indirect([0.12, 0.02, -0.01], [-0.01, -0.03, -0.05], [0.2, 0.06, 0.03]),
                         {"psr": anova_tab(0.2)}, serial_path=PATH)
    # none: right sign, CI includes 0; like: wrong sign; reply: right sign, CI includes 0
    assert res["holds"].tolist() == [True, False, True, True, False]
    assert res["conclusive"].tolist() == [False, False, False, False, False]


def test_contrast_ci_decides_the_reply_like_finding():
    # layout of studylib.process(...).contrasts: effect = first minus second
    contrasts = pd.DataFrame({"path1": [PATH], "w1": ["like"], "path2": [PATH], "w2": ["reply"],
                              "effect": [0.07], "ci_low": [-0.01], "ci_high": [0.15]})
    res = check_findings(indirect([0.12, -0.08, -0.15], [0.05, -0.14, -0.24], [0.2, -0.03, -0.08]),
                         {}, serial_path=PATH, contrasts=contrasts)
    row = res.iloc[3]
    assert (row["ci_low"], row["ci_high"]) == (-0.15, 0.01)
    assert row["holds"] and not row["conclusive"]


def test_check_findings_bad_input():
    good = indirect([0.1, -0.1, -0.2], [0.0, -0.2, -0.3], [0.2, 0.0, -0.1])
    with pytest.raises(DataError, match="serial_path 'x' not in"):
        check_findings(good, {}, serial_path="x")
    with pytest.raises(DataError, match=r"groups \['reply'\]"):
        check_findings(good.iloc[:2], {}, serial_path=PATH)
    with pytest.raises(ColumnError, match="ci_low"):
        check_findings(good.drop(columns="ci_low"), {}, serial_path=PATH)
    with pytest.raises(DataError, match="term 'valence:response' not in the ANOVA table of 'psr'"):
        check_findings(good, {"psr": anova_tab(0.1).iloc[:2]}, serial_path=PATH)
    with pytest.raises(OptionError, match="alpha"):
        check_findings(good, {}, serial_path=PATH, alpha=5)


def test_finding_lines_give_one_aligned_line_per_finding():
    res = check_findings(indirect([0.12, 0.03, -0.15], [0.05, -0.04, -0.24], [0.2, 0.1, -0.08]),
                         {"psr": anova_tab(0.2)}, serial_path=PATH)
    lines = finding_lines(res)
    assert len(lines) == len(res)
    assert lines[0] == "holds, conclusive    indirect_none > 0: 0.120 [0.050, 0.200]"
    assert lines[1] == "does NOT hold        indirect_like < 0: 0.030 [-0.040, 0.100]"
    assert lines[-1] == "does NOT hold        interaction_psr: 8.000, p = .200"
    with pytest.raises(ColumnError, match=r"columns not in data: \['holds'\] \(findings table\)"):
        finding_lines(res.drop(columns="holds"))


def test_findings_record_the_ci_level_and_alpha():
    ind = indirect([0.12, -0.08, -0.15], [0.05, -0.14, -0.24], [0.2, -0.03, -0.08])
    ind.attrs["conf"] = 0.9
    res = check_findings(ind, {"psr": anova_tab(0.01)}, serial_path=PATH, alpha=0.01)
    assert res.attrs == {"conf": 0.9, "alpha": 0.01}
