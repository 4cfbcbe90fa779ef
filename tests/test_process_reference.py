"""studylib.process against PROCESS for R 4.0.1 (A01-A13) and PROCESS 2.16.3 for SPSS.

Deterministic quantities (coefficients, SE, t, p, CIs, R², F, conditional and indirect
effect point estimates) must agree to 1e-4 relative, with an absolute tolerance of half the
last printed digit (R files: 6 decimals; SPSS files: 4 decimals). Bootstrap SEs and CI
limits come from another random stream than PROCESS's, so they are compared within +-0.03
(several Monte Carlo SEs of a B = 5000 percentile limit on these scales).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from numpy.testing import assert_allclose

import studylib

REF = Path(__file__).parent / "reference" / "process"
R_ATOL = 5.1e-7  # half of the 6th printed decimal
SPSS_ATOL = 5.1e-5  # half of the 4th printed decimal
BOOT_ATOL = 0.03  # another random stream: Monte Carlo error, not a numerical difference


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


def parse_equations(path: Path) -> dict[str, dict]:
    """Model summary and coefficient table of each 'Outcome Variable' block."""
    lines = path.read_text().splitlines()
    out: dict[str, dict] = {}
    total = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if "TOTAL EFFECT MODEL" in line:
            total = True
        m = re.match(r"\s*Outcome(?: Variable)?:\s*(\S+)", line)
        if m:
            name = m.group(1) + (" (total)" if total else "")
            block = {"summary": None, "coef": {}, "interaction": {}}
            j = i + 1
            while j < len(lines) and not lines[j].startswith("****"):
                s = lines[j].strip()
                if s.startswith("Model Summary"):
                    block["summary"] = [float(v) for v in lines[j + 2].split()]
                if s in ("Model:", "Model"):
                    k = j + 2
                    while k < len(lines) and lines[k].strip():
                        parts = lines[k].split()
                        block["coef"][parts[0]] = [float(v) for v in parts[1:7]]
                        k += 1
                if s.startswith("Test(s) of highest order"):
                    k = j + 2
                    while k < len(lines) and lines[k].strip() and not lines[k].startswith("-"):
                        parts = lines[k].split()
                        block["interaction"][parts[0]] = [float(v) for v in parts[1:6]]
                        k += 1
                j += 1
            out[name] = block
            i = j
            continue
        i += 1
    return out


def check_equations(res, path: Path, terms: dict[str, str], atol: float, equations=None) -> int:
    """Compare every equation of ``path`` with ``res``; return the number of values compared."""
    expected = parse_equations(path)
    count = 0
    for eq, block in expected.items():
        if equations is not None and eq not in equations:
            continue
        coef = res.coefficients[res.coefficients.equation == eq].set_index("term")
        for term, vals in block["coef"].items():
            row = coef.loc[terms.get(term, term)]
            got = row[["estimate", "se", "t", "p"]].to_numpy(float)
            assert_allclose(got, vals[:4], rtol=1e-4, atol=atol, err_msg=f"{path.name} {eq} {term}")
            check_ci(row.estimate, row.ci_low, row.ci_high, vals[0], vals[4], vals[5], atol)
            count += 6
        e = res.equations[(res.equations.equation == eq) & (res.equations.test == "model")].iloc[0]
        got = e[["r", "r2", "mse", "F", "df1", "df2", "p"]].to_numpy(float)
        assert_allclose(got, block["summary"], rtol=1e-4, atol=atol, err_msg=f"{path.name} {eq} summary")
        count += 7
        inter = res.equations[(res.equations.equation == eq) & (res.equations.test != "model")
                              & ~res.equations.test.str.endswith("(omnibus)")]
        if block["interaction"]:
            assert len(inter) == len(block["interaction"])
            for (_, row), vals in zip(inter.iterrows(), block["interaction"].values(), strict=True):
                got = row[["r2", "F", "df1", "df2", "p"]].to_numpy(float)
                assert_allclose(got, vals, rtol=1e-4, atol=atol, err_msg=f"{path.name} {eq} R2-change")
                count += 5
    assert count > 0
    return count


def check_ci(est, lo, hi, exp_est, exp_lo, exp_hi, atol):
    """t-based CI limits compared through their half-widths.

    PROCESS approximates the t critical value (it differs from the exact quantile that
    studylib uses by about 1e-5 relative), which moves limits near zero by more than 1e-4
    relative; the half-widths still agree to 1e-4 relative.
    """
    assert_allclose([hi - est, est - lo], [exp_hi - exp_est, exp_est - exp_lo], rtol=1e-4, atol=2 * atol)


def boot_close(row, se, lo, hi):
    assert_allclose([row.boot_se, row.ci_low, row.ci_high], [se, lo, hi], atol=BOOT_ATOL)


# ---------------------------------------------------------------- PROCESS for R 4.0.1


def test_a01_model4_simple():
    res = studylib.process(data("hayes_pmi"), model=4, x="cond", m="pmi", y="reaction", seed=31216)
    check_equations(res, REF / "A01_pmi_m4_simple.txt", {}, R_ATOL)
    ind = res.indirect.iloc[0]
    assert_allclose(ind.effect, 0.241335, rtol=1e-4, atol=R_ATOL)
    boot_close(ind, 0.132180, 0.014338, 0.525416)
    assert_allclose(res.total.effect[0], 0.495690, rtol=1e-4)
    assert_allclose(res.direct[["effect", "se", "p"]].iloc[0], [0.254354, 0.255823, 0.322097], rtol=1e-4, atol=R_ATOL)


def test_a02_model4_estress():
    res = studylib.process(data("hayes_estress"), model=4, x="estress", m="affect", y="withdraw", seed=100770)
    check_equations(res, REF / "A02_estress_m4_simple.txt", {}, R_ATOL)
    ind = res.indirect.iloc[0]
    assert_allclose(ind.effect, 0.132964, rtol=1e-4)
    boot_close(ind, 0.033304, 0.071341, 0.203336)


def test_a03_model4_covariates():
    res = studylib.process(
        data("hayes_estress"), model=4, x="estress", m="affect", y="withdraw",
        covariates=["ese", "sex", "tenure"], seed=100770,
    )
    check_equations(res, REF / "A03_estress_m4_cov.txt", {}, R_ATOL)
    ind = res.indirect.iloc[0]
    assert_allclose(ind.effect, 0.112678, rtol=1e-4)
    boot_close(ind, 0.029180, 0.059395, 0.173397)


def test_a04_model4_parallel_with_contrast():
    res = studylib.process(data("hayes_pmi"), model=4, x="cond", m=["import", "pmi"], y="reaction", seed=10)
    check_equations(res, REF / "A04_pmi_m4_parallel.txt", {}, R_ATOL)
    ind = res.indirect.set_index("path")
    assert_allclose(ind.loc["total", "effect"], 0.392299, rtol=1e-4)
    assert_allclose(ind.loc["cond -> import -> reaction", "effect"], 0.203344, rtol=1e-4)
    assert_allclose(ind.loc["cond -> pmi -> reaction", "effect"], 0.188955, rtol=1e-4)
    boot_close(ind.loc["total"], 0.163574, 0.089622, 0.732925)
    boot_close(ind.loc["cond -> import -> reaction"], 0.116278, 0.002449, 0.468429)
    boot_close(ind.loc["cond -> pmi -> reaction"], 0.104201, 0.006572, 0.417471)
    (c1,) = res.contrasts.itertuples()
    assert (c1.path1, c1.path2) == ("cond -> import -> reaction", "cond -> pmi -> reaction")
    assert_allclose(c1.effect, 0.014390, rtol=1e-3, atol=R_ATOL)
    boot_close(c1, 0.148326, -0.268102, 0.314107)


def test_a05_model6_serial():
    res = studylib.process(
        data("hayes_pmi"), model=6, x="cond", m=["import", "pmi"], y="reaction", boot=10000, seed=31216
    )
    check_equations(res, REF / "A05_pmi_m6_serial.txt", {}, R_ATOL)
    expected = [  # path, effect, boot se, ci
        ("total", 0.392299, 0.166035, 0.087612, 0.738926),
        ("cond -> import -> reaction", 0.203344, 0.114601, 0.004908, 0.451911),
        ("cond -> pmi -> reaction", 0.140204, 0.100511, -0.045648, 0.354932),
        ("cond -> import -> pmi -> reaction", 0.048750, 0.035297, -0.000248, 0.135449),
    ]
    assert res.indirect.path.tolist() == [e[0] for e in expected]
    for row, (_, eff, se, lo, hi) in zip(res.indirect.itertuples(), expected, strict=True):
        assert_allclose(row.effect, eff, rtol=1e-4, atol=R_ATOL)
        boot_close(row, se, lo, hi)
    contrasts = [(0.063140, 0.156290, -0.237507, 0.378750), (0.154594, 0.098669, -0.001202, 0.378692),
                 (0.091454, 0.108237, -0.123121, 0.316377)]
    for row, (eff, se, lo, hi) in zip(res.contrasts.itertuples(), contrasts, strict=True):
        assert_allclose(row.effect, eff, rtol=1e-4, atol=R_ATOL)
        boot_close(row, se, lo, hi)
    assert res.boot.B == 10000


def test_a06_model4_multicategorical_x():
    res = studylib.process(
        data("hayes_protest"), model=4, x="protest", m="respappr", y="liking", x_coding="indicator", seed=30217
    )
    terms = {"X1": "protest[1]", "X2": "protest[2]"}
    check_equations(res, REF / "A06_protest_m4_mcx.txt", terms, R_ATOL)
    ind = res.indirect.set_index("x_term")
    assert_allclose(ind.effect, [0.519502, 0.663298], rtol=1e-4)
    boot_close(ind.loc["protest[1]"], 0.151756, 0.247097, 0.844218)
    boot_close(ind.loc["protest[2]"], 0.167713, 0.368032, 1.014145)
    assert_allclose(res.total.effect, [0.515803, 0.443089], rtol=1e-4)
    assert_allclose(res.direct.effect, [-0.003699, -0.220208], rtol=1e-4, atol=R_ATOL)
    # omnibus tests of the relative total and direct effects
    omni = res.equations[res.equations.test == "protest (omnibus)"].set_index("equation")
    assert_allclose(omni.loc["liking (total)", ["r2", "F", "df1", "df2", "p"]].to_numpy(float),
                    [0.046252, 3.055179, 2, 126, 0.050620], rtol=1e-4, atol=R_ATOL)
    assert_allclose(omni.loc["liking", ["r2", "F", "df1", "df2", "p"]].to_numpy(float),
                    [0.008706, 0.728580, 2, 125, 0.484632], rtol=1e-4, atol=R_ATOL)


A07_PROBES = [  # skeptic, effect, se, t, p, llci, ulci
    (1.592, -0.242188, 0.149467, -1.620340, 0.106682, -0.536862, 0.052486),
    (2.800, 0.000842, 0.116576, 0.007226, 0.994241, -0.228987, 0.230672),
    (5.200, 0.483684, 0.150519, 3.213447, 0.001521, 0.186938, 0.780431),
]


def test_a07_model1_johnson_neyman():
    res = studylib.process(data("hayes_disaster"), model=1, x="frame", w="skeptic", y="justify")
    terms = {"Int_1": "frame:skeptic"}
    check_equations(res, REF / "A07_disaster_m1.txt", terms, R_ATOL)
    cond = res.conditional[["w", "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
    assert_allclose(cond, A07_PROBES, rtol=1e-4, atol=R_ATOL)
    assert_allclose(res.jn[["value", "pct_below", "pct_above"]].to_numpy(float),
                    [[1.171337, 6.635071, 93.364929], [3.933896, 67.772512, 32.227488]], rtol=1e-4, atol=R_ATOL)
    assert res.boot is None and res.indirect.empty


def test_a08_model8_index():
    res = studylib.process(data("hayes_disaster"), model=8, x="frame", w="skeptic", m="justify", y="donate",
                           seed=280417)
    terms = {"Int_1": "frame:skeptic"}
    check_equations(res, REF / "A08_disaster_m8.txt", terms, R_ATOL)
    direct = res.direct[["w", "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
    assert_allclose(direct, [
        (1.592, 0.184075, 0.181839, 1.012296, 0.312584, -0.174430, 0.542580),
        (2.800, 0.202102, 0.140934, 1.434022, 0.153082, -0.075756, 0.479960),
        (5.200, 0.237918, 0.186452, 1.276028, 0.203383, -0.129681, 0.605516)], rtol=1e-4, atol=R_ATOL)
    expected = [(0.223464, 0.143059, -0.049383, 0.511412), (-0.000777, 0.106657, -0.205942, 0.214184),
                (-0.446289, 0.160523, -0.752682, -0.119372)]
    for row, (eff, se, lo, hi) in zip(res.indirect.itertuples(), expected, strict=True):
        assert_allclose(row.effect, eff, rtol=1e-4, atol=R_ATOL)
        boot_close(row, se, lo, hi)
    (idx,) = res.index.itertuples()
    assert_allclose(idx.index, -0.185630, rtol=1e-4)
    boot_close(idx, 0.061218, -0.304965, -0.064755)
    assert_allclose(res.jn[res.jn.equation == "justify"].value, [1.171337, 3.933896], rtol=1e-4)


def test_a09_model8_multicategorical_x():
    res = studylib.process(data("hayes_protest"), model=8, x="protest", w="sexism", m="respappr", y="liking",
                           x_coding="indicator", seed=962884)
    terms = {"X1": "protest[1]", "X2": "protest[2]", "Int_1": "protest[1]:sexism", "Int_2": "protest[2]:sexism"}
    check_equations(res, REF / "A09_protest_m8_mcx.txt", terms, R_ATOL)
    ind = res.indirect
    x1 = ind[ind.x_term == "protest[1]"]
    x2 = ind[ind.x_term == "protest[2]"]
    assert_allclose(x1.w.astype(float), [4.25, 5.12, 5.896], rtol=1e-6)
    for rows, expected in ((x1, [(0.139560, 0.160252, -0.185426, 0.471065), (0.451570, 0.129367, 0.214529, 0.727036),
                                 (0.729869, 0.206310, 0.338650, 1.155823)]),
                           (x2, [(0.372185, 0.147857, 0.106206, 0.688623), (0.606374, 0.148746, 0.330245, 0.910521),
                                 (0.815260, 0.225583, 0.400095, 1.282581)])):
        for row, (eff, se, lo, hi) in zip(rows.itertuples(), expected, strict=True):
            assert_allclose(row.effect, eff, rtol=1e-4, atol=R_ATOL)
            boot_close(row, se, lo, hi)
    idx = res.index.set_index("x_term")
    assert_allclose(idx.loc[["protest[1]", "protest[2]"], "index"], [0.358632, 0.269183], rtol=1e-4)
    boot_close(idx.loc["protest[1]"], 0.162687, 0.060063, 0.699385)
    boot_close(idx.loc["protest[2]"], 0.149446, -0.005457, 0.579428)
    # relative conditional direct effects
    d = res.direct[res.direct.x_term == "protest[2]"][["effect", "se", "p"]].to_numpy(float)
    assert_allclose(d, [(-0.557257, 0.290960, 0.057803), (-0.114745, 0.229919, 0.618630),
                        (0.279954, 0.329337, 0.396960)], rtol=1e-4, atol=R_ATOL)


def test_a10_model14():
    res = studylib.process(data("hayes_teams"), model=14, x="dysfunc", m="negtone", w="negexp", y="perform",
                           seed=42517)
    check_equations(res, REF / "A10_teams_m14.txt", {"Int_1": "negtone:negexp"}, R_ATOL)
    cond = res.conditional[["w", "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
    assert_allclose(cond, [(-0.5308, -0.161343, 0.208751, -0.772899, 0.442891, -0.579691, 0.257005),
                           (-0.06, -0.404731, 0.135659, -2.983441, 0.004244, -0.676600, -0.132862),
                           (0.6, -0.745929, 0.162586, -4.587917, 0.000026, -1.071761, -0.420098)],
                    rtol=1e-4, atol=R_ATOL)
    expected = [(-0.099993, 0.149612, -0.370282, 0.239444), (-0.250833, 0.118615, -0.492797, -0.035428),
                (-0.462292, 0.170568, -0.806766, -0.148806)]
    for row, (eff, se, lo, hi) in zip(res.indirect.itertuples(), expected, strict=True):
        assert_allclose(row.effect, eff, rtol=1e-4, atol=R_ATOL)
        boot_close(row, se, lo, hi)
    (idx,) = res.index.itertuples()
    assert_allclose(idx.index, -0.320392, rtol=1e-4)
    boot_close(idx, 0.189070, -0.761179, -0.042089)


def test_a11_model1_multicategorical_x():
    res = studylib.process(data("hayes_protest"), model=1, x="protest", w="sexism", y="liking", x_coding="indicator")
    terms = {"X1": "protest[1]", "X2": "protest[2]", "Int_1": "protest[1]:sexism", "Int_2": "protest[2]:sexism"}
    check_equations(res, REF / "A11_protest_m1_mcx.txt", terms, R_ATOL)
    cond = res.conditional
    assert_allclose(cond[cond.focal == "protest[1]"][["effect", "se", "p"]].to_numpy(float),
                    [(-0.298544, 0.340224, 0.381930), (0.485524, 0.219072, 0.028512), (1.184876, 0.305180, 0.000168)],
                    rtol=1e-4, atol=R_ATOL)
    assert_allclose(cond[cond.focal == "protest[2]"][["effect", "se", "p"]].to_numpy(float),
                    [(-0.185071, 0.308924, 0.550219), (0.491629, 0.215800, 0.024442), (1.095214, 0.315765, 0.000722)],
                    rtol=1e-4, atol=R_ATOL)
    assert res.jn.empty  # no J-N for a multicategorical focal predictor


def test_a12_model1_multicategorical_w():
    d = data("hayes_protest")
    d["protest"] = pd.Categorical(d["protest"])  # a categorical moderator is a Categorical
    res = studylib.process(d, model=1, x="sexism", w="protest", y="liking")
    terms = {"W1": "protest[1]", "W2": "protest[2]", "Int_1": "sexism:protest[1]", "Int_2": "sexism:protest[2]"}
    check_equations(res, REF / "A12_protest_m1_mcw.txt", terms, R_ATOL)
    cond = res.conditional[["effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
    assert res.conditional.w.tolist() == [0, 1, 2]
    assert_allclose(cond, [(-0.472491, 0.205275, -2.301747, 0.023031, -0.878820, -0.066161),
                           (0.428736, 0.201301, 2.129823, 0.035179, 0.030272, 0.827200),
                           (0.305325, 0.183268, 1.666004, 0.098257, -0.057443, 0.668094)], rtol=1e-4, atol=R_ATOL)


def test_a13_model1_covariates_user_values():
    res = studylib.process(data("hayes_glbwarm"), model=1, x="negemot", w="age", y="govact",
                           covariates=["posemot", "ideology", "sex"], wvalues=[30, 50, 70])
    check_equations(res, REF / "A13_glbwarm_m1_cov.txt", {"Int_1": "negemot:age"}, R_ATOL)
    cond = res.conditional[["w", "effect", "se", "t", "p", "ci_low", "ci_high"]].to_numpy(float)
    assert_allclose(cond, [(30, 0.309505, 0.041336, 7.487520, 0.000000, 0.228366, 0.390644),
                           (50, 0.436120, 0.026202, 16.644413, 0.000000, 0.384688, 0.487552),
                           (70, 0.562735, 0.039604, 14.208955, 0.000000, 0.484995, 0.640474)], rtol=1e-4, atol=R_ATOL)
    assert res.jn.empty  # "no statistical significance transition points within the observed range"


# ---------------------------------------------------------------- PROCESS 2.16.3 for SPSS

SPSS_TERMS = {"int_1": "x:w"}


def spss(model: int, **kw):
    d = data(f"pyprocessmacro_sim_model{model}")
    return studylib.process(d, model=model, x="x", y="y", m=["m1", "m2"], hc="HC3", ci="bc", probe="meansd",
                            seed=2024, **kw)


def test_spss_model4_hc3_bc():
    res = spss(4)
    check_equations(res, REF / "Results_OLS_Model4.txt", SPSS_TERMS, SPSS_ATOL)
    ind = res.indirect.set_index("path")
    for path, (eff, se, lo, hi) in {"total": (-0.0024, 0.0616, -0.1253, 0.1183),
                                    "x -> m1 -> y": (0.9511, 0.0434, 0.8667, 1.0361),
                                    "x -> m2 -> y": (-0.9535, 0.0428, -1.0380, -0.8697)}.items():
        assert_allclose(ind.loc[path, "effect"], eff, rtol=1e-4, atol=SPSS_ATOL)
        boot_close(ind.loc[path], se, lo, hi)
    assert res.indirect.attrs["ci"] == "bc"


def test_spss_model6_hc3_bc():
    res = spss(6)
    check_equations(res, REF / "Results_OLS_Model6.txt", SPSS_TERMS, SPSS_ATOL)
    ind = res.indirect.set_index("path")
    for path, (eff, se, lo, hi) in {"total": (0.9613, 0.0795, 0.8125, 1.1252),
                                    "x -> m1 -> y": (0.9694, 0.0515, 0.8746, 1.0771),
                                    "x -> m1 -> m2 -> y": (0.9215, 0.0533, 0.8214, 1.0326),
                                    "x -> m2 -> y": (-0.9296, 0.0519, -1.0296, -0.8277)}.items():
        assert_allclose(ind.loc[path, "effect"], eff, rtol=1e-4, atol=SPSS_ATOL)
        boot_close(ind.loc[path], se, lo, hi)


def test_spss_model7_hc3_bc_meansd():
    res = spss(7, w="w")
    check_equations(res, REF / "Results_OLS_Model7.txt", SPSS_TERMS, SPSS_ATOL)
    ind = res.indirect
    assert_allclose(ind.w.astype(float)[:3], [0.0124, 1.0131, 2.0137], atol=SPSS_ATOL)
    expected = {"x -> m1 -> y": [(0.9597, 0.0468, 0.8678, 1.0514), (1.9529, 0.0569, 1.8379, 2.0623),
                                 (2.9461, 0.0870, 2.7757, 3.1167)],
                "x -> m2 -> y": [(-0.9770, 0.0475, -1.0775, -0.8872), (-1.9464, 0.0559, -2.0548, -1.8372),
                                 (-2.9159, 0.0815, -3.0754, -2.7594)]}
    for path, rows in expected.items():
        sub = ind[ind.path == path]
        for row, (eff, se, lo, hi) in zip(sub.itertuples(), rows, strict=True):
            assert_allclose(row.effect, eff, rtol=1e-4, atol=SPSS_ATOL)
            boot_close(row, se, lo, hi)
    idx = res.index.set_index("path")
    assert_allclose(idx["index"], [0.9926, -0.9689], rtol=1e-4, atol=SPSS_ATOL)
    boot_close(idx.loc["x -> m1 -> y"], 0.0405, 0.9142, 1.0726)
    boot_close(idx.loc["x -> m2 -> y"], 0.0363, -1.0397, -0.8981)
