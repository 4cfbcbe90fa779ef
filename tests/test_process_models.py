"""The PROCESS model table (studylib.process.models): one row per model number, its rules.

Each row's paths are checked against PROCESS for R 4.0.1 output in test_process_r401.py
(every equation's terms); here: the numbers, the mediator rules and the structures.
"""

from __future__ import annotations

import pytest

from studylib.cli import main
from studylib.errors import SpecError
from studylib.process import MODELS, models_table
from studylib.process.models import MODEL_TABLE, build_spec

PROCESS4 = [*range(1, 23), 28, 29, *range(58, 74), 75, 76, *range(80, 93)]


def test_every_process4_model_number_is_a_row():
    assert [r.number for r in MODEL_TABLE] == PROCESS4 and len(PROCESS4) == 55
    assert 74 not in MODELS and set(MODELS) == set(PROCESS4)
    assert all(r.text for r in MODEL_TABLE)
    tab = models_table()
    assert tab.model.tolist() == PROCESS4 and list(tab.columns) == ["model", "mediators", "a", "b", "c", "d",
                                                                      "description"]


@pytest.mark.parametrize("row", MODEL_TABLE, ids=lambda r: str(r.number))
def test_mediator_rule_of_each_model(row):
    lo, hi = row.mediators
    for k in range(lo, hi + 1):
        spec = build_spec(row.number, k)
        assert len(spec.mediators) == k
        assert spec.moderators() == row.needs()
        assert spec.chains() or k == 0
    for k in {lo - 1, hi + 1} - {-1}:
        with pytest.raises(SpecError, match=rf"model {row.number} \("):
            build_spec(row.number, k)


def test_mediator_rules_as_process():
    assert {r.number: r.mediators for r in MODEL_TABLE if r.number in (4, 6, 7, 80, 81, 82, 83, 92)} == {
        4: (1, 10), 6: (2, 6), 7: (1, 10), 80: (3, 6), 81: (3, 6), 82: (4, 4), 83: (2, 6), 92: (2, 6)}
    with pytest.raises(SpecError, match=r"model 82 .* needs exactly 4 mediators in m, as PROCESS; got 3"):
        build_spec(82, 3)
    with pytest.raises(SpecError, match=r"model 80 .* needs 3 to 6 mediators in m, as PROCESS; got 2"):
        build_spec(80, 2)


def edges(number: int, k: int) -> set[tuple[str, str, tuple]]:
    return {(p.src, p.dst, p.moderators + (("3way",) if p.three_way else ())) for p in build_spec(number, k).paths}


def test_structures_80_81_82():
    m80 = edges(80, 4)
    assert {(s, d) for s, d, _ in m80 if d.startswith("m")} == {("x", "m1"), ("x", "m2"), ("x", "m3"), ("x", "m4"),
                                                               ("m1", "m4"), ("m2", "m4"), ("m3", "m4")}
    m81 = edges(81, 3)
    assert {(s, d) for s, d, _ in m81 if d.startswith("m")} == {("x", "m1"), ("x", "m2"), ("x", "m3"), ("m1", "m2"),
                                                               ("m1", "m3")}
    m82 = edges(82, 4)
    assert {(s, d) for s, d, _ in m82 if d.startswith("m")} == {("x", "m1"), ("x", "m2"), ("x", "m3"), ("x", "m4"),
                                                               ("m1", "m2"), ("m3", "m4")}
    assert all(not mods for _, _, mods in m80 | m81 | m82)


def test_moderation_kinds():
    assert ("x", "y", ("w", "z", "3way")) in edges(3, 0)  # W, Z and W x Z
    assert ("x", "y", ("w", "z")) in edges(2, 0)  # additive
    m21 = edges(21, 1)
    assert ("x", "m1", ("w",)) in m21 and ("m1", "y", ("z",)) in m21 and ("x", "y", ()) in m21
    m29 = edges(29, 1)
    assert ("x", "y", ("w", "z")) in m29


def test_serial_models_with_three_mediators_follow_their_rule():
    m83 = edges(83, 3)
    assert [e for e in m83 if e[2]] == [("x", "m1", ("w",))]
    assert {e for e in edges(87, 3) if e[2]} == {("m3", "y", ("w",))}
    assert {e for e in edges(91, 3) if e[2]} == {("m1", "m2", ("w",))}
    assert all(e[2] == ("w",) for e in edges(92, 3))


def test_cli_lists_the_models(capsys):
    assert main(["process", "--list-models"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line[:5].strip().isdigit()]
    assert [int(line[:5]) for line in rows] == PROCESS4
    assert "   83  2-6 serial     serial mediation; W moderates X -> M1" in out
