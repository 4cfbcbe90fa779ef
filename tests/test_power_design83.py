"""power_model83, Model83Effects and power_anova for designs other than the example study's.

The library knows no study's names (DESIGN.md): the example study's design and default
paths are in analyses/power_model83.yaml; any other 2 x k design is a Model83Design.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.testing import assert_allclose

import studylib
from studylib import paths
from studylib.errors import OptionError, SpecError
from studylib.power import (
    THESIS_EFFECTS,
    Model83Design,
    Model83Effects,
    power_anova,
    power_anova_analytic,
    power_model83,
)
from studylib.power._design83 import example_design
from studylib.power._labels83 import _effect_labels, _effect_values

OTHER = {"x": {"name": "frame", "levels": ["gain", "loss"]},
         "w": {"name": "source", "levels": ["peer", "brand", "ad", "none"]},
         "m": ["trust", "risk"], "y": "intent"}
EXAMPLE = paths.ANALYSES / "power_model83.yaml"


def test_the_example_design_and_paths_come_from_the_example_file():
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert example_design() == Model83Design.from_dict(raw["design"])
    assert THESIS_EFFECTS == Model83Effects.from_dict(raw["effects"])
    assert THESIS_EFFECTS == Model83Effects.from_file(EXAMPLE)
    # the values of the earlier hard-coded THESIS_EFFECTS
    assert (THESIS_EFFECTS.x_m1, THESIS_EFFECTS.w_m1, THESIS_EFFECTS.xw_m1) == (0.4, (0.2, 0.3), (-0.7, -1.0))
    assert (THESIS_EFFECTS.m1_m2, THESIS_EFFECTS.m1_y, THESIS_EFFECTS.m2_y) == (-0.4, 0.2, -0.4)


def test_four_level_moderator_paths_labels_and_population_values():
    eff = Model83Effects(x_m1=0.3, w_m1={"brand": 0.1}, xw_m1={"brand": -0.4, "ad": -0.6, "none": 0.2},
                         m1_m2=0.4, x_m2=0.1, m1_y=0.2, m2_y=0.3, design=OTHER)
    assert eff.w_m1 == (0.1, 0.0, 0.0) and eff.xw_m1 == (-0.4, -0.6, 0.2)
    assert list(eff.r_squared()) == ["trust", "risk", "intent"]
    total = eff.cell_sds() ** 2 + eff.cell_means().var(axis=1)
    assert_allclose(total, 1.0, rtol=1e-12)  # standardized: unit variance in the balanced 2 x 4 design
    cells = eff.cell_table()
    assert list(cells.columns) == ["dv", "frame", "source", "mean", "sd"] and len(cells) == 3 * 8
    values = eff.indirect_effects().set_index("effect")["value"]
    assert len(values) == 4 * 4 - 1
    assert_allclose(values["frame -> trust -> risk -> intent | ad"], (0.3 - 0.6) * 0.4 * 0.3)
    assert_allclose(values["index frame -> trust -> intent: none vs peer"], 0.2 * 0.2)
    assert_allclose(values["frame -> risk -> intent"], 0.1 * 0.3)
    p = eff.as_vector()
    assert p.shape == (8,) and _effect_values(p).shape == (15,)
    back = Model83Effects.from_latent(eff.to_latent(), design=OTHER)
    assert_allclose(back.as_vector(), eff.as_vector(), rtol=1e-12)
    assert back.design == eff.design and not back.standardized


def test_cell_table_differences_are_the_paths():
    eff = Model83Effects(x_m1=0.3, xw_m1={"brand": -0.4, "ad": -0.6, "none": 0.2}, design=OTHER)
    t = eff.cell_table().query("dv == 'trust'").pivot(index="frame", columns="source", values="mean")
    diff = (t.loc["loss"] - t.loc["gain"])[["peer", "brand", "ad", "none"]]
    assert_allclose(diff, [0.3, -0.1, -0.3, 0.5], atol=1e-12)


def test_power_model83_for_another_design_gives_the_engines_labels():
    eff = Model83Effects(x_m1=0.5, xw_m1=(-0.8,), m1_m2=0.5, m2_y=0.5,
                         design={**OTHER, "w": {"name": "source", "levels": ["peer", "brand"]}})
    res = power_model83(eff, n_grid=[15, 40], reps=40, draws=200, seed=4, n_jobs=1, progress=False)
    tab = res.power
    anova = tab[tab["analysis"] == "anova"]
    assert list(dict.fromkeys(anova["effect"]))[:3] == ["trust: frame x source", "trust: frame | peer",
                                                        "trust: frame | brand"]
    assert set(anova["effect"].str.split(":").str[0]) == {"trust", "risk", "intent"}  # all three by default
    med = tab[tab["analysis"] == "model83"]
    assert list(dict.fromkeys(med["effect"])) == _effect_labels(eff.design)
    assert list(dict.fromkeys(med["effect"]))[-3:] == [
        "index frame -> trust -> intent: brand vs peer", "index frame -> trust -> risk -> intent: brand vs peer",
        "frame -> risk -> intent"]
    serial_peer = med[med["effect"] == "frame -> trust -> risk -> intent | peer"]["power"].to_numpy()
    assert serial_peer[1] > serial_peer[0]  # 0.5 x 0.5 x 0.5 gains power with n
    assert res.settings["n_cells"] == 4 and res.settings["effects"]["design"]["w"]["levels"] == ["peer", "brand"]
    with pytest.raises(OptionError, match=r"each of anova_dvs must be one of 'trust', 'risk', 'intent'"):
        power_model83(eff, n_grid=[10], anova_dvs=["psr"], progress=False)


def test_power_anova_for_other_factors_agrees_with_noncentral_f():
    factors = {"dose": ["0", "1", "2"], "sex": ["f", "m"]}
    mu = [[0.0, 0.2], [0.3, 0.1], [0.6, -0.2]]
    grid = [10, 25]
    tests = ["interaction", "simple", "dose", "sex"]
    sim = power_anova(mu, factors=factors, n_grid=grid, reps=2000, tests=tests, seed=5, n_jobs=1,
                      progress=False)
    exact = power_anova_analytic(mu, factors=factors, n_grid=grid, tests=tests)
    assert list(dict.fromkeys(exact["effect"])) == ["dose x sex", "dose | f", "dose | m", "dose", "sex"]
    assert list(exact["df1"][:5]) == [2, 2, 2, 2, 1] and (exact["df2"][:5] == 6 * 10 - 6).all()
    m = sim.power.merge(exact, on=["effect", "n_per_cell"], suffixes=("", "_exact"))
    assert len(m) == 10
    se = np.maximum(np.sqrt(m["power_exact"] * (1 - m["power_exact"]) / 2000), 0.003)
    assert (np.abs(m["power"] - m["power_exact"]) <= 3 * se).all(), m  # fixed seed: deterministic
    df = pd.DataFrame(mu, index=factors["dose"], columns=factors["sex"]).iloc[::-1, ::-1]
    assert_allclose(power_anova_analytic(df, factors=factors, n_grid=grid, tests=tests)["power"], exact["power"])
    with pytest.raises(SpecError, match=r"cell_means must be 3 x 2 \(rows dose 0, 1, 2; columns sex f, m\)"):
        power_anova_analytic(np.zeros((2, 3)), factors=factors, n_grid=grid)
    with pytest.raises(OptionError, match=r"each ANOVA test must be one of 'interaction', 'simple', 'dose', 'sex'"):
        power_anova_analytic(mu, factors=factors, n_grid=grid, tests=["valence"])


def test_effects_from_a_fit_carry_the_fits_design():
    rng = np.random.default_rng(1)
    n = 30
    d = pd.DataFrame({"frame": np.repeat(["gain", "loss"], 3 * n), "source": np.tile(np.repeat(["ad", "brand",
                      "peer"], n), 2)})
    x = (d["frame"] == "loss").to_numpy(float)
    d["trust"] = 0.5 * x + rng.normal(size=len(d))
    d["risk"] = 0.4 * d["trust"] + rng.normal(size=len(d))
    d["intent"] = 0.3 * d["risk"] + rng.normal(size=len(d))
    fit = studylib.process(d, model=83, x="frame", w="source", m=["trust", "risk"], y="intent", boot=1000, seed=1)
    eff = Model83Effects.from_result(fit)
    assert eff.design == Model83Design("frame", ("gain", "loss"), "source", ("ad", "brand", "peer"), "trust",
                                       "risk", "intent")
    ind = fit.indirect.set_index(["path", fit.indirect["w"].astype(str)])["effect"]
    values = eff.indirect_effects().set_index("effect")["value"]
    assert_allclose(values["frame -> trust -> risk -> intent | peer"],
                    ind["frame -> trust -> risk -> intent", "peer"], rtol=1e-10)
    idx = fit.index.set_index("w_term")["index"]
    assert_allclose(values["index frame -> trust -> intent: brand vs ad"], idx.iloc[0], rtol=1e-10)


@pytest.mark.parametrize(("design", "match"), [
    ({**OTHER, "x": {"name": "frame", "levels": ["gain", "loss", "mixed"]}}, "x_levels must list exactly 2"),
    ({**OTHER, "w": {"name": "source", "levels": ["peer"]}}, "w_levels must list at least 2"),
    ({**OTHER, "y": "trust"}, "five different names"),
    ({**OTHER, "z": "age"}, r"unknown keys \['z'\]"),
    ({k: v for k, v in OTHER.items() if k != "y"}, r"missing \['y'\]"),
    ({**OTHER, "m": ["trust"]}, "must list the two serial mediators"),
])
def test_design_errors_name_the_key(design, match):
    with pytest.raises(SpecError, match=match):
        Model83Effects(design=design)


def test_per_level_paths_name_the_levels_of_w():
    with pytest.raises(SpecError, match=r"effect xw_m1 has keys \['like'\]; allowed are 'brand', 'ad', 'none' "
                                        r"\(the source levels compared with 'peer'\)"):
        Model83Effects(xw_m1={"like": 0.2}, design=OTHER)
    with pytest.raises(SpecError, match=r"effect w_m1 must give 3 numbers"):
        Model83Effects(w_m1=(0.1, 0.2), design=OTHER)


def test_cli_effects_file_with_a_design_block(tmp_path, capsys):
    from studylib.cli import main

    eff = tmp_path / "m83.yaml"
    eff.write_text(yaml.safe_dump({"design": OTHER, "effects": {"x_m1": 0.4, "m1_m2": 0.4, "m2_y": 0.4}}),
                   encoding="utf-8")
    out = tmp_path / "p.json"
    assert main(["power", "--effects", str(eff), "--grid", "10", "--reps", "10", "--draws", "100", "--seed", "1",
                 "--quiet", "--n-jobs", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    effects = {r["effect"] for r in data["power"]}
    assert "frame -> trust -> risk -> intent | ad" in effects and "intent: frame x source" in effects
    assert data["settings"]["anova_dvs"] == ["trust", "risk", "intent"]
    capsys.readouterr()
    assert main(["power", "--effects", str(EXAMPLE), "--grid", "10", "--reps", "10", "--draws", "100",
                 "--anova-dvs", "--quiet", "--n-jobs", "1", "--seed", "1"]) == 0
    assert "index valence -> psr -> pk -> attitude: reply vs none" in capsys.readouterr().out


_THESIS = re.compile(r"\b(psr|pk|attitude|valence|response|follower|mc_valence|mc_response)\b")


def _code_strings_and_names(path: Path) -> list[tuple[int, str]]:
    """Identifiers and string constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            out.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            out.append((node.lineno, node.attr))
    return out


def test_power_code_knows_no_names_of_the_example_study():
    files = [*sorted((paths.ROOT / "studylib" / "power").glob("*.py")), paths.ROOT / "studylib" / "cli" / "power.py",
             paths.ROOT / "studylib" / "_simblock.py", paths.ROOT / "studylib" / "_simstudy.py"]
    found = [(f.name, line, text) for f in files for line, text in _code_strings_and_names(f)
             if _THESIS.search(text)]
    assert found == []
