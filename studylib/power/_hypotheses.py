"""The power of a study's hypotheses: each one mapped onto a row of the power table.

A hypothesis of a study file (``hypotheses:``) names a model, the estimate it is about and
the predicted direction; :func:`studylib.findings.check_hypotheses` calls it *supported*
when the CI excludes 0 on the predicted side (an F test: p < alpha). Its power is
therefore the share of replications that would support it: ``power_positive`` or
``power_negative`` of the matching effect (``power`` for ``nonzero`` and for F tests).
A difference of ANOVA marginal means a hypothesis names is added to the simulated tests
(a t test with the full model's residual mean square, as :func:`studylib.emmeans.pairwise`).
Estimates that the simulation does not test (coefficients, direct effects, simple effects
of another factor than the first) are listed with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["HYPOTHESIS_COLUMNS", "hypothesis_power"]

HYPOTHESIS_COLUMNS = ["hypothesis", "model", "effect", "direction", "n_per_cell", "power",
                      "mc_se", "note"]


def _path(text: str) -> str:
    return " -> ".join(p.strip() for p in str(text).replace("→", "->").split("->"))


def _effect_of(h: Any, options: Mapping[str, Any], kind: str, between: Sequence[str]) -> tuple[str | None, int, str]:
    """(effect label in the power table, sign: 1 or -1 for a reversed contrast, note)."""
    est = dict(h.estimate)
    if kind == "contrast" and isinstance(est.get("contrast"), Mapping):  # {indirect: path, levels: [a, b]}
        est = {**est, "contrast": est["contrast"]["indirect"], "levels": est["contrast"]["levels"]}
    at = dict(est.get("at") or {})
    if kind == "term":
        parts = [p.strip() for p in str(est["term"]).split(":")]
        return " x ".join(b for b in between if b in parts), 1, ""
    if kind == "simple_effect":
        focal = est["simple_effect"]
        others = [b for b in between if b != focal]
        if not between or focal != between[0] or set(at) != set(others):
            return None, 1, ("simulated simple effects are those of the first factor within each "
                             "level of the others")
        return f"{focal} | {', '.join(str(at[o]) for o in others)}", 1, ""
    if kind == "contrast" and "dv" in options:  # a difference of ANOVA marginal means
        from ._ftests import contrast_label

        first, second = (str(v) for v in est["levels"])
        return contrast_label(est["contrast"], first, second, at), 1, ""
    if kind in ("coefficient", "direct"):
        return None, 1, f"a {kind} is not among the simulated tests"
    mods = [str(at[options[r]]) for r in ("w", "z") if options.get(r) is not None and options[r] in at]
    xt = f" [{options['x']}[{est['x_level']}]]" if est.get("x_level") is not None else ""
    path = _path(est[kind])
    if kind == "indirect":
        return f"{path}{xt}" + (f" | {', '.join(mods)}" if mods else ""), 1, ""
    if kind == "index":
        if len(mods) != 1:
            return None, 1, "name the moderator level of the index with 'at'"
        return f"index {path}{xt}: {mods[0]}", 1, "prefix"
    first, second = (str(v) for v in est["levels"])
    return f"{path}{xt} | {first} minus {path}{xt} | {second}", 1, "contrast"


def hypothesis_power(hypotheses: Sequence[Any], models: Mapping[str, tuple[str, Mapping[str, Any]]],
                     table: pd.DataFrame) -> pd.DataFrame:
    """One row per hypothesis and n per cell: its power, or a note why it is not simulated.

    ``models`` maps model name -> (kind, options); ``table`` is the power table.
    """
    rows = []
    grid = sorted(table["n_per_cell"].unique())
    for h in hypotheses:
        kind = h.kind
        name = h.model
        direction = str(h.direction)
        if name not in models:
            rows.append((h.id, name, None, direction, pd.NA, np.nan, np.nan,
                         "its model is not simulated"))
            continue
        mkind, options = models[name]
        between = list(options.get("between") or []) if mkind == "anova" else []
        label, sign, note = _effect_of(h, options, kind, between)
        sub = table[table["analysis"] == name]
        if label is not None and note == "prefix":  # an index: 'index <path>: <level> vs <ref>'
            hit = sub[sub["effect"].str.startswith(label + " vs ") | (sub["effect"] == label)]
            label = hit["effect"].iloc[0] if len(hit) else label
            note = ""
        if label is not None and note == "contrast":
            note = ""
            if not (sub["effect"] == label).any():  # stored the other way round: later minus earlier
                first, second = label.split(" minus ")
                label, sign = f"{second} minus {first}", -1
        if label is None or not (sub["effect"] == label).any():
            rows.append((h.id, name, label, direction, pd.NA, np.nan, np.nan,
                         note or "no such effect in the simulated model"))
            continue
        sub = sub[sub["effect"] == label].set_index("n_per_cell")
        signed = sub["test"].iloc[0] not in ("anova", "simple")
        for n in grid:
            r = sub.loc[n]
            if not signed or direction == "nonzero":
                p = r["power"]
            else:
                up = (direction == "positive") == (sign == 1)
                p = r["power_positive"] if up else r["power_negative"]
            rows.append((h.id, name, label, direction, int(n), float(p),
                         float(np.sqrt(p * (1 - p) / r["reps"])), ""))
    out = pd.DataFrame(rows, columns=HYPOTHESIS_COLUMNS)
    out["n_per_cell"] = out["n_per_cell"].astype("Int64")
    return out
