"""Tests of the ``studylib cfa`` subcommand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from studylib import cfa, load_scale
from studylib.cli import main

REF = Path(__file__).parent / "reference" / "cfa"


@pytest.fixture
def items_csv(tmp_path):
    """Answers to the example scales psr and pk (1..7, reverse-keyed items written reversed)."""
    rng = np.random.default_rng(5)
    n = 150
    d = {"resp_id": np.arange(1, n + 1)}
    f = rng.multivariate_normal([0, 0], [[1, -0.5], [-0.5, 1]], size=n)
    for j, sid in enumerate(("psr", "pk")):
        s = load_scale(sid)
        for it in s.items:
            v = np.clip(np.round(4 + 1.3 * f[:, j] + rng.normal(size=n)), 1, 7)
            d[it] = 8 - v if it in s.reverse else v
    df = pd.DataFrame(d)
    df.loc[3, "pk_02"] = np.nan
    path = tmp_path / "items.csv"
    df.to_csv(path, index=False)
    return path, df


def test_cfa_command_prints_and_writes_json(items_csv, tmp_path, capsys):
    path, df = items_csv
    before = path.read_bytes()
    js = tmp_path / "out" / "cfa.json"
    rc = main(["cfa", "--data", str(path), "--scale", "psr", "--scale", "pk", "--json", str(js)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Confirmatory factor analysis (ML): 2 factors, 13 items, n = 149" in text
    assert "CFI = " in text and "HTMT" in text and f"JSON written to {js}" in text
    assert path.read_bytes() == before  # the data file is only read
    payload = json.loads(js.read_text())
    expected = cfa(df, [load_scale("psr"), load_scale("pk")])
    assert payload["fit"]["chisq"] == pytest.approx(expected.fit.chisq, rel=1e-12)
    assert payload["n"] == 149 and payload["n_dropped"] == 1
    assert payload["factors"]["psr"]["reversed"] == list(load_scale("psr").reverse)
    assert set(payload) == set(expected.to_dict())  # the same content as .to_dict()
    # reverse-keyed items entered recoded: every loading is positive
    assert all(row["estimate"] > 0 for row in payload["loadings"])


def test_cfa_command_with_column_factors_and_bootstrap(tmp_path, capsys):
    src = REF / "lavaan_HolzingerSwineford1939.csv"
    path = tmp_path / "hs.csv"
    shutil.copy(src, path)
    js = tmp_path / "hs.json"
    rc = main(["cfa", "--data", str(path), "--factor", "visual=x1,x2,x3", "--factor", "textual=x4,x5,x6",
               "--factor", "speed=x7,x8,x9", "--boot", "1000", "--seed", "3", "--json", str(js)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Bootstrap: B = 1000 resamples (seed 3)" in out
    payload = json.loads(js.read_text())
    # lavaan 0.6-14 on HolzingerSwineford1939 (tests/reference/cfa/hs_cfa.json): chisq 85.305522
    assert_allclose(payload["fit"]["chisq"], 85.305521769973, rtol=1e-4)
    assert payload["options"]["boot"] == 1000 and payload["options"]["seed"] == 3
    ci = payload["htmt_ci"][0]
    assert ci["ci_low"] < ci["estimate"] < ci["ci_high"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scale", "nosuch"], "nosuch"),
        (["--factor", "visual"], "--factor must look like NAME=COL1,COL2,COL3"),
        (["--scale", "psr", "--boot", "50"], "boot must be at least 1000"),
        (["--factor", "f=psr_01"], "factor 'f' has 1 item"),
        (["--scale", "psr", "--factor", "psr=pk_01,pk_02,pk_03"], "factor 'psr' is given more than once"),
        (["--factor", "f=psr_01,nosuch_col,psr_02"], "columns not in data: ['nosuch_col']"),
    ],
)
def test_cfa_command_bad_input_is_one_line_exit_2(items_csv, capsys, extra, message):
    path, _ = items_csv
    rc = main(["cfa", "--data", str(path), *extra])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("studylib cfa: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cfa_command_refuses_to_overwrite_data_and_missing_file(items_csv, tmp_path, capsys):
    path, _ = items_csv
    before = path.read_bytes()
    assert main(["cfa", "--data", str(path), "--scale", "psr", "--json", str(path)]) == 2
    assert "it is an input of this run (the --data file)" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["cfa", "--data", str(tmp_path / "none.csv"), "--scale", "psr"]) == 2
    assert "data file not found" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# --config STUDY: the study file's measurement model


def _spec(name, **options):
    """A ModelSpec of kind measurement (with a label when the ModelSpec has that field)."""
    import dataclasses

    from studylib.study import ModelSpec

    kw = {"name": name, "kind": "measurement", "options": options}
    if "label" in {f.name for f in dataclasses.fields(ModelSpec)}:
        kw["label"] = ""
    return ModelSpec(**kw)


@pytest.fixture
def study_with(monkeypatch):
    """Make load_study give the example study these measurement models instead of its own."""
    import dataclasses

    import studylib.study

    real = studylib.study.load_study

    def install(*specs):
        def fake(path=None, **kw):
            study = real(path, **kw)
            kept = tuple(m for m in study.models if m.kind != "measurement")
            return dataclasses.replace(study, models=kept + tuple(specs))

        monkeypatch.setattr(studylib.study, "load_study", fake)

    return install


def test_cfa_config_fits_the_example_study_s_own_measurement_model(tmp_path, capsys):
    from studylib.paths import STUDY_CONFIG
    from studylib.pipeline import load_analysis_data

    js = tmp_path / "own.json"
    assert main(["cfa", "--config", str(STUDY_CONFIG), "--boot", "0", "--json", str(js)]) == 0
    assert "model 'cfa'" in capsys.readouterr().out
    sd = load_analysis_data(config=STUDY_CONFIG)
    spec = sd.study.model("cfa")
    assert spec.kind == "measurement" and spec.options["boot"] == 1000
    assert list(json.loads(js.read_text())["factors"]) == list(spec.options["scales"])


def test_cfa_config_without_a_measurement_model_uses_every_scale(study_with, tmp_path, capsys):
    from studylib.paths import STUDY_CONFIG
    from studylib.pipeline import load_analysis_data

    study_with()  # the example study without its measurement model
    sd = load_analysis_data(config=STUDY_CONFIG)
    before = sd.data_path.read_bytes()
    js = tmp_path / "cfa.json"
    assert main(["cfa", "--config", str(STUDY_CONFIG), "--json", str(js)]) == 0
    out = capsys.readouterr().out
    assert "no measurement model declared: every scale of the study" in out
    assert f"{sd.log.n_before} rows read, {sd.log.n_after} kept after exclusions, SYNTHETIC" in out
    payload = json.loads(js.read_text())
    expected = cfa(sd.kept, list(sd.scales.values()))
    assert list(payload["factors"]) == [s.id for s in sd.study.scales]
    assert payload["fit"]["chisq"] == pytest.approx(expected.fit.chisq, rel=1e-12)
    assert payload["n"] == expected.n and payload["options"]["boot"] == 0
    assert sd.data_path.read_bytes() == before


def test_cfa_config_fits_the_studys_measurement_model(study_with, tmp_path, capsys):
    from studylib.paths import STUDY_CONFIG
    from studylib.pipeline import load_analysis_data

    study_with(_spec("mm", scales=["psr", "pk"], boot=1000))
    js = tmp_path / "mm.json"
    assert main(["cfa", "--config", str(STUDY_CONFIG), "--json", str(js)]) == 0
    assert "model 'mm'" in capsys.readouterr().out
    payload = json.loads(js.read_text())
    sd = load_analysis_data(config=STUDY_CONFIG)
    assert list(payload["factors"]) == ["psr", "pk"]
    assert payload["options"]["boot"] == 1000 and payload["options"]["seed"] == sd.study.seed
    expected = cfa(sd.kept, [sd.scales["psr"], sd.scales["pk"]], boot=1000, seed=sd.study.seed)
    assert payload["htmt_ci"][0]["ci_low"] == pytest.approx(expected.htmt_ci["ci_low"].iloc[0], rel=1e-12)
    # flags replace the model's options
    assert main(["cfa", "--config", str(STUDY_CONFIG), "--boot", "0", "--std-lv", "--json", str(js)]) == 0
    payload = json.loads(js.read_text())
    assert payload["options"]["boot"] == 0 and payload["options"]["std_lv"] is True


def test_cfa_config_chooses_among_several_models(study_with, tmp_path, capsys):
    from studylib.paths import STUDY_CONFIG

    study_with(_spec("mm_a", scales=["psr", "pk"]), _spec("mm_b", scales=["pk", "attitude"]))
    assert main(["cfa", "--config", str(STUDY_CONFIG)]) == 2
    err = capsys.readouterr().err
    assert "has 2 measurement models ['mm_a', 'mm_b']; choose one with --model NAME" in err
    assert err.count("\n") == 1
    js = tmp_path / "b.json"
    assert main(["cfa", "--config", str(STUDY_CONFIG), "--model", "mm_b", "--json", str(js)]) == 0
    assert list(json.loads(js.read_text())["factors"]) == ["pk", "attitude"]


def test_cfa_config_bad_model_options_name_the_study_file(study_with, capsys):
    from studylib.paths import STUDY_CONFIG

    study_with(_spec("mm", scales=["psr", "nosuch"]))
    assert main(["cfa", "--config", str(STUDY_CONFIG)]) == 2
    err = capsys.readouterr().err
    assert f"{STUDY_CONFIG}: models.mm.scales: names scales that are not in the study's 'scales' block" in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "{study}", "--scale", "psr"], "--config takes the factors from the study file's measurement"),
        (["--data", "{data}", "--scale", "psr", "--model", "mm"], "--model needs --config STUDY"),
        (["--config", "{study}", "--model", "nosuch"], "--model 'nosuch': no model of that name in"),
        (["--config", "{study}", "--model", "model83"], "is a process model, not kind: measurement"),
        (["--config", "{study}", "--boot", "10"], "--boot must be at least 1000"),
        (["--config", "{tmp}/none.yaml"], "study configuration not found"),
        ([], "give --data FILE (with --scale or --factor), or --config STUDY"),
    ],
)
def test_cfa_config_bad_input_is_one_line_exit_2(items_csv, tmp_path, capsys, args, message):
    from studylib.paths import STUDY_CONFIG

    path, _ = items_csv
    filled = [a.format(study=STUDY_CONFIG, data=path, tmp=tmp_path) for a in args]
    assert main(["cfa", *filled]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studylib cfa: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
