"""studylib.process against PROCESS for R 4.0.1 on public data: every PROCESS 4 model.

Reference: tests/reference/process_r401_public/ (see its PROVENANCE.md): 118 runs of PROCESS
for R 4.0.1, models 1-22, 28, 29, 58-73, 75, 76 on pyprocessmacro's test data (continuous
``y``: ``P_OLS_*``; binary ``y2``, logistic: ``P_Logit_*``) and models 80-92 on a simulated
data set (continuous W, three-level W with indicator and sequential coding). Each run is
repeated with the same call and every number PROCESS printed is compared:

- coefficients, model summaries (R², F or -2LL, likelihood-ratio chi-square, pseudo-R²),
  interaction tests, conditional effects, direct effects and the point estimates of indirect
  effects and indexes: within 1e-5 absolute (PROCESS prints 6 decimals; R's wrapped tables
  and its approximate t quantile move the last printed digit at most), and 1e-7 relative
  for large statistics (F, -2LL);
- bootstrap CI limits: within max(0.04, 0.25 x BootSE), and bootstrap SEs within
  max(0.01, 0.1 x BootSE). PROCESS draws from R's generator, studylib from its own, both
  B = 5000: a percentile limit's Monte Carlo SD is about 0.038 x BootSE per run, so the
  limits of two runs differ by about 0.054 x BootSE (SD); 0.25 x BootSE is 4.6 SDs; an SE's
  relative Monte Carlo SD is 1 / sqrt(2B) = 1 %, 0.1 x BootSE is 7 SDs of the difference.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import studylib

REF = Path(__file__).parent / "reference" / "process_r401_public"
sys.path.insert(0, str(REF))
from parse_process import parse  # noqa: E402

ATOL, RTOL = 1e-5, 1e-7
FILES = sorted(p.stem for p in (REF / "out").glob("P_*.txt"))
OLS_FILES = [f for f in FILES if f.startswith("P_OLS")]
LOGIT_FILES = [f for f in FILES if f.startswith("P_Logit")]


def data_for(model: int) -> pd.DataFrame:
    name = "80_92" if model >= 80 else str(model)
    return pd.read_csv(REF / "data" / f"Data_Model{name}.csv.gz")


def run(call: dict, boot: int = 5000):
    kw = {"model": call["model"], "x": call["x"], "y": call["y"], "boot": boot, "seed": 2026}
    if call["m"]:
        kw["m"] = call["m"]
    for r in ("w", "z"):
        if r in call:
            kw[r] = call[r]
    if call["mcw"]:
        kw["w_coding"] = {1: "indicator", 2: "sequential"}[call["mcw"]]
    return studylib.process(data_for(call["model"]), **kw)


class Compare:
    """Collects the largest deviation while asserting each comparison."""

    def __init__(self, name: str):
        self.name, self.det, self.boot = name, 0.0, 0.0

    def det_close(self, got, expected, what: str):
        got, expected = np.asarray(got, float), np.asarray(expected, float)
        assert got.shape == expected.shape, f"{self.name} {what}: {got.shape} vs {expected.shape}"
        assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=f"{self.name} {what}")
        self.det = max(self.det, float(np.max(np.abs(got - expected), initial=0.0)))

    def boot_close(self, got_se, got_lo, got_hi, exp: list[float], what: str):
        se = exp[1]
        assert abs(got_se - se) <= max(0.01, 0.1 * se), f"{self.name} {what}: BootSE {got_se} vs {se}"
        tol = max(0.04, 0.25 * se)
        for g, e, side in ((got_lo, exp[2], "LLCI"), (got_hi, exp[3], "ULCI")):
            assert abs(g - e) <= tol, f"{self.name} {what}: Boot{side} {g} vs {e} (tolerance {tol:.3f})"
            self.boot = max(self.boot, abs(g - e) / max(se, 1e-12))


def role_names(res) -> dict[str, str]:
    """PROCESS's letters (X, W, Z, M1..) -> the column names."""
    v = res.model.attrs["variables"]
    out = {"X": v["x"], "Y": v["y"]}
    out.update({r.upper(): c for r, c in v.items() if r.startswith("m") or r in ("w", "z")})
    return out


def role_of(res, column: str) -> str:
    """"w" or "z": the role of a moderator column."""
    v = res.model.attrs["variables"]
    return next(r for r in ("w", "z") if v.get(r) == column)


def term_map(res, key: dict) -> dict[str, str]:
    """PROCESS coefficient names (constant, x, W1, Int_1, ...) -> studylib term names."""
    codings = res.model.attrs["codings"]
    wterms = codings.get("w", {}).get("terms", [])

    def one(name: str) -> str:
        m = re.fullmatch(r"W(\d)", name)
        if m and int(m.group(1)) <= len(wterms):
            return wterms[int(m.group(1)) - 1]
        return name

    out = {name: one(name) for name in ("W1", "W2", "W3")}
    out.update({k: ":".join(one(p) for p in parts) for k, parts in key.items()})
    return out


def process_test_label(label: str, letters: dict[str, str]) -> str:
    """PROCESS test labels (X*W, BOTH(M1), BOTH) -> studylib's (x*w, BOTH(m1))."""
    if label == "BOTH":
        return f"BOTH({letters['X']})"
    m = re.fullmatch(r"BOTH\((\w+)\)", label)
    if m:
        return f"BOTH({letters[m.group(1)]})"
    return "*".join(letters[p] for p in label.split("*"))


def check(name: str, boot: int = 5000) -> Compare:
    ref = parse(REF / "out" / f"{name}.txt")
    res = run(ref["call"], boot)
    cmp = Compare(name)
    letters = role_names(res)
    eqs, coefs = res.equations, res.coefficients
    for eq, block in ref["equations"].items():
        terms = term_map(res, block["key"])
        c = coefs[coefs.equation == eq].set_index("term")
        assert sorted(terms.get(t, t) for t in block["coef"]) == sorted(c.index), f"{name} {eq} terms"
        for t, vals in block["coef"].items():
            cmp.det_close(c.loc[terms.get(t, t), ["estimate", "se", "t", "p", "ci_low", "ci_high"]], vals,
                          f"{eq} {t}")
        e = eqs[eqs.equation == eq].set_index("test")
        if block["family"] == "ols":
            cmp.det_close(e.loc["model", ["r", "r2", "mse", "F", "df1", "df2", "p"]], block["summary"], f"{eq} summary")
            cols = ["r2", "F", "df1", "df2", "p"]
        else:
            cmp.det_close(e.loc["model", ["neg2ll", "chisq", "df1", "p", "r2_mcfadden", "r2_coxsnell",
                                          "r2_nagelkerke"]], block["summary"], f"{eq} summary")
            cols = ["chisq", "df1", "p"]
        tests = e.drop(index="model")
        tests = tests[~tests.index.str.endswith("(omnibus)")]
        assert sorted(tests.index) == sorted(process_test_label(t, letters) for t in block["tests"]), f"{name} {eq} tests"
        for label, vals in block["tests"].items():
            cmp.det_close(tests.loc[process_test_label(label, letters), cols], vals, f"{eq} test {label}")
        cond = res.conditional[res.conditional.equation == eq]
        for table in block["conditional"]:
            rows = cond[cond.focal == terms.get(table["focal"], table["focal"])]
            mods = [role_of(res, mod) for mod in table["mods"]]
            got = rows[[*mods, "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
            cmp.det_close(got, table["rows"], f"{eq} conditional effects of {table['focal']}")
    d = ref["direct"]
    if d is not None:
        mods = [role_of(res, mod) for mod in d["header"][:-6]]
        cmp.det_close(res.direct[[*mods, "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float), d["rows"],
                      "direct effect")
    ind = res.indirect
    if ref["indirect_table"]:
        for label, vals in ref["indirect_table"].items():
            if label == "TOTAL":
                path = "total"
            else:
                chain = ref["indirect_key"].get(label, [letters["X"], label, letters["Y"]])
                path = " -> ".join(chain)
            (row,) = ind[ind.path == path].itertuples()
            cmp.det_close(row.effect, vals[0], f"indirect {path}")
            cmp.boot_close(row.boot_se, row.ci_low, row.ci_high, vals, f"indirect {path}")
        assert len(ind) == len(ref["indirect_table"])
    for block in ref["indirect"]:
        path = " -> ".join(block["path"])
        rows = ind[ind.path == path]
        k = len(block["mods"])
        assert len(rows) == len(block["rows"]), f"{name} {path} rows"
        for row, vals in zip(rows.itertuples(), block["rows"], strict=True):
            if k:
                cmp.det_close([getattr(row, c) for c in ["w", "z"][:k]], vals[:k], f"{path} moderator values")
            cmp.det_close(row.effect, vals[k], f"indirect {path}")
            cmp.boot_close(row.boot_se, row.ci_low, row.ci_high, vals[k:], f"indirect {path}")
        idx = res.index[res.index.path == path]
        assert len(idx) == len(block["index"]), f"{name} {path}: {len(idx)} index rows, PROCESS {len(block['index'])}"
        for row, ref_row in zip(idx.itertuples(), block["index"], strict=True):
            assert row.kind == ref_row["kind"], f"{name} {path}: {row.kind} vs {ref_row['kind']}"
            if ref_row["kind"] == "conditional moderated mediation":
                cmp.det_close(row.z, float(ref_row["label"]), f"{path} index at z")
            elif ref_row["label"] is not None:
                label = ref_row["label"]
                expect = term_map(res, {}).get(label, label)
                assert row.w_term == expect, f"{name} {path}: index term {row.w_term} vs {expect}"
            vals = ref_row["values"]
            cmp.det_close(row.index, vals[0], f"index {path} {ref_row['label']}")
            cmp.boot_close(row.boot_se, row.ci_low, row.ci_high, vals, f"index {path} {ref_row['label']}")
    if not ref["indirect"] and not ref["indirect_table"]:
        assert ind.empty and res.index.empty
    else:  # PROCESS notes replaced bootstrap samples; it noted none in these runs
        assert res.boot.n_replaced == 0, f"{name}: {res.boot.n_replaced} resamples replaced"
    return cmp


@pytest.mark.parametrize("name", OLS_FILES)
def test_continuous_y(name):
    check(name)


@pytest.mark.parametrize("name", LOGIT_FILES)
def test_binary_y(name):
    check(name)
