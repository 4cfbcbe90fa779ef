"""Read a PROCESS for R 4.0.1 output file (out/*.txt) into plain Python structures.

Used by tests/test_process_r401_*.py. Each file starts with ``#### CALL: process(...)``;
then PROCESS's printout: per outcome its model summary, coefficients, product terms key,
interaction tests and conditional effects; then the direct and indirect effects with their
indexes. Only what PROCESS printed is returned (it probes an interaction only when its test
has p < .10, its ``intprobe`` default).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["parse", "parse_call"]

_NUM = re.compile(r"^-?\d+(\.\d+)?(e[-+]?\d+)?$")


def _floats(parts: list[str]) -> list[float]:
    return [float(v) for v in parts]


def _is_num(s: str) -> bool:
    return bool(_NUM.match(s))


def parse_call(line: str) -> dict:
    """The arguments of the ``process()`` call on the file's second line."""
    call = line.split("CALL:", 1)[1]
    out: dict = {}
    for key in ("y", "x", "w", "z"):
        m = re.search(rf"\b{key} = \"(\w+)\"", call)
        if m:
            out[key] = m.group(1)
    m = re.search(r"\bm = (c\([^)]*\)|\"\w+\")", call)
    out["m"] = re.findall(r"\"(\w+)\"", m.group(1)) if m else []
    out["model"] = int(re.search(r"model = (\d+)", call).group(1))
    m = re.search(r"mcw = (\d)", call)
    out["mcw"] = int(m.group(1)) if m else None
    return out


_COLUMNS = {"effect", "se", "t", "Z", "p", "LLCI", "ULCI", "Effect", "BootSE", "BootLLCI", "BootULCI", "Index",
            "coeff", "F", "df1", "df2", "R2-chng", "Chi-sq", "df"}


def _table(lines: list[str], i: int) -> tuple[list[str], list[list[str]], int]:
    """A header line at ``i`` and the rows below it up to a blank line: (header, rows, next).

    R wraps a table wider than the console: its last columns follow as a second header and
    as many rows; they are joined back on.
    """
    header = lines[i].split()
    rows = []
    j = i + 1
    while j < len(lines) and lines[j].strip() and not lines[j].startswith(("---", "***")):
        parts = lines[j].split()
        if rows and all(p in _COLUMNS for p in parts):  # the wrapped columns
            header += parts
            for k in range(len(rows)):
                rows[k] += lines[j + 1 + k].split()
            j += 1 + len(rows)
            continue
        rows.append(parts)
        j += 1
    return header, rows, j


def parse(path: Path) -> dict:
    lines = path.read_text().splitlines()
    res: dict = {"call": parse_call(lines[1]), "equations": {}, "direct": None, "indirect": [],
                 "indirect_table": None, "indirect_key": {}}
    i = 0
    eq = None
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        m = re.match(r"Outcome Variable: (\S+)", s)
        if m:
            eq = {"family": "ols", "summary": None, "coef": {}, "key": {}, "tests": {}, "conditional": []}
            res["equations"][m.group(1)] = eq
            i += 1
            continue
        if "DIRECT AND INDIRECT EFFECTS" in s:
            eq = None
        if eq is not None:
            if s.startswith("Model Summary"):
                header, rows, _ = _table(lines, i + 1)
                eq["family"] = "logit" if header[0] == "-2LL" else "ols"
                eq["summary"] = _floats(rows[0])
            elif s == "Model:":
                _, rows, i = _table(lines, i + 1)
                eq["coef"] = {r[0]: _floats(r[1:7]) for r in rows}
                continue
            elif s.startswith("Product terms key"):
                j = i + 1
                while lines[j].strip():
                    parts = lines[j].split()
                    eq["key"][parts[0]] = tuple(parts[2::2])  # "Int_1 : x x w" -> (x, w)
                    j += 1
            elif s.startswith("Test(s) of highest order") or s.startswith("unconditional interaction"):
                _, rows, i = _table(lines, i + 1)
                eq["tests"] = {r[0]: _floats(r[1:]) for r in rows}
                continue
            elif s.startswith("Focal predictor:"):
                focal = s.split()[2]
                mods = []
                j = i + 1
                while lines[j].strip().startswith("Moderator:"):
                    mods.append(lines[j].split()[1])
                    j += 1
                while not lines[j].strip().startswith("Conditional effects of the focal"):
                    j += 1
                _, rows, i = _table(lines, j + 1)
                eq["conditional"].append({"focal": focal, "mods": mods, "rows": [_floats(r) for r in rows]})
                continue
        else:
            if s.startswith(("Direct effect of X on Y", "Conditional direct effect")):
                header, rows, i = _table(lines, i + 1)
                res["direct"] = {"header": header, "rows": [_floats(r) for r in rows]}
                continue
            if s.startswith("Indirect effect(s) of X on Y"):
                header, rows, i = _table(lines, i + 1)
                res["indirect_table"] = {r[0]: _floats(r[1:]) for r in rows}
                continue
            if s.startswith("Indirect effect key"):
                j = i + 1
                while j < len(lines) and lines[j].strip():
                    parts = lines[j].split()
                    res["indirect_key"][parts[0]] = [p for p in parts[1:] if p != "->"]
                    j += 1
                i = j
                continue
            if s == "INDIRECT EFFECT:":
                chain = [p for p in lines[i + 2].split() if p != "->"]
                j = i + 3
                while not lines[j].strip():
                    j += 1
                header, rows, j = _table(lines, j)
                block = {"path": chain, "mods": header[:-4], "rows": [_floats(r) for r in rows], "index": []}
                while j < len(lines) and not lines[j].startswith(("---", "***")) \
                        and lines[j].strip() != "INDIRECT EFFECT:":
                    t = lines[j].strip()
                    kind = None
                    if t.startswith("Index of moderated moderated mediation"):
                        kind = "moderated moderated mediation"
                    elif t.startswith("Indices of conditional moderated mediation"):
                        kind = "conditional moderated mediation"
                    elif t.startswith("Indices of partial moderated mediation"):
                        kind = "partial moderated mediation"
                    elif t.startswith("Index of moderated mediation"):
                        kind = "moderated mediation"
                    if kind:
                        k = j + 1
                        while "BootSE" not in lines[k]:
                            k += 1
                        hdr, rows, j = _table(lines, k)
                        for r in rows:
                            label = None if _is_num(r[0]) and len(r) == 4 else r[0]
                            vals = _floats(r[1:] if label is not None else r)
                            block["index"].append({"kind": kind, "label": label, "values": vals})
                        continue
                    j += 1
                res["indirect"].append(block)
                i = j
                continue
        i += 1
    return res
