"""PROCESS's optional output: standardized effects, Sobel tests, data for plotting.

- :func:`standardized_table` (``effsize=True``, PROCESS ``effsize = 1``),
- :func:`normal_theory_table` (``normal=True``, PROCESS ``normal = 1``),
- :func:`plot_table` (always; PROCESS prints it with ``plot = 1``).
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
from scipy import stats

from .coding import categories
from .design import Design
from .effects import path_label, probe_values
from .results import NORMAL_COLS, PLOT_COLS, STANDARDIZED_COLS, empty_plot, empty_standardized
from .tables import boot_table


def _at(tab: pd.DataFrame, wcol: str, zcol: str) -> pd.Series:
    """" at w=like" (the moderator values of a contrast's side), or "" when unmoderated."""
    from .results import _at as at

    return at(tab, wcol, zcol)

__all__ = ["standardize_scales", "standardized_table", "normal_theory_table", "plot_table"]


def standardize_scales(xcol: pd.Series, x_terms: list[str], moderated: bool = False) -> tuple[str, ...]:
    """Scales of the standardized effects: partial always, complete for an X with > 2 values.

    PROCESS prints the partially standardized effects for a dichotomous or multicategorical
    X and the completely standardized ones otherwise; studylib gives the partial ones for
    every X (they are defined for any X) and adds the complete ones where PROCESS has them.
    A moderated model gets the partial ones only (PROCESS has none for moderated models).
    """
    continuous = len(x_terms) == 1 and pd.api.types.is_numeric_dtype(xcol) and xcol.nunique() > 2
    return ("partial", "complete") if continuous and not moderated else ("partial",)


def standardized_table(scales, xcol, ycol, probes, indirect, index, contrasts, boot_obj, conf: float) -> pd.DataFrame:
    """Standardized total, direct, indirect effects, contrasts and indexes (see ``effsize``).

    Effects are divided by the SD of Y (partially standardized) and also multiplied by the
    SD of X (completely standardized). Point values use the sample SDs (n - 1 denominator);
    bootstrap draws are divided by their own resample's SDs (``boot_obj.sd_xy``) before the
    SEs and intervals are taken, so each resample is standardized with its own SD (as
    PROCESS does for unmoderated models; studylib does the same for the conditional
    indirect effects and indexes of moderated ones).
    """
    if not scales:
        return empty_standardized()
    sd_y = float(np.std(np.asarray(ycol, dtype=float), ddof=1))
    sd_x = float(np.std(np.asarray(xcol, dtype=float), ddof=1)) if "complete" in scales else np.nan
    ci = boot_obj.ci if boot_obj is not None else None
    boot_sds = boot_obj.sd_xy if boot_obj is not None else None
    qs = probes.quantities
    frames = []
    for scale in scales:
        factor = 1 / sd_y if scale == "partial" else sd_x / sd_y
        for kind, tab in (("total", probes.total), ("direct", probes.direct)):
            if len(tab):
                frames.append(pd.DataFrame({"scale": scale, "kind": kind, "path": None, "x_term": tab.x_term,
                                            "w": tab.w, "z": tab.z, "w_term": None, "effect": tab.effect * factor,
                                            "boot_se": np.nan, "ci_low": np.nan, "ci_high": np.nan}))
        if boot_sds is not None:
            draw_factor = 1 / boot_sds[:, 1] if scale == "partial" else boot_sds[:, 0] / boot_sds[:, 1]
        for kind, tab, key, value in (("indirect", indirect, "indirect", "effect"),
                                      ("contrast", contrasts, "contrasts", "effect"),
                                      ("index", index, "index", "index")):
            if not len(tab):
                continue
            draws = getattr(boot_obj, key) if boot_obj is not None else None
            scaled = boot_table(qs[key], tab[value].to_numpy() * factor,
                                draws * draw_factor[:, None] if draws is not None and boot_sds is not None else None,
                                "effect", ["x_term", "effect", "boot_se", "ci_low", "ci_high"], ci, conf)
            if kind == "contrast":
                path = tab.path1 + _at(tab, "w1", "z1") + " minus " + tab.path2 + _at(tab, "w2", "z2")
                w, z, term = None, None, None
            else:
                path, w, z = tab.path, tab.w if kind == "indirect" else None, tab.z
                term = tab.w_term if kind == "index" else None
            scaled.insert(1, "w_term", term if term is None else term.to_numpy())
            scaled.insert(1, "z", z if z is None else z.to_numpy())
            scaled.insert(1, "w", w if w is None else w.to_numpy())
            scaled.insert(0, "path", path.to_numpy())
            scaled.insert(0, "kind", kind)
            scaled.insert(0, "scale", scale)
            frames.append(scaled)
    return pd.concat(frames, ignore_index=True)[STANDARDIZED_COLS]


def normal_theory_table(design: Design, fits: dict, role_terms: dict) -> pd.DataFrame:
    """Sobel tests of the indirect effects X -> M -> Y, as PROCESS ``normal = 1``.

    ``se = sqrt(a² var(b) + b² var(a) + var(a) var(b))`` (the second-order standard error
    of the PROCESS macro), ``z = ab / se`` and a two-sided normal p, for each code of X.
    """
    rows = []
    for chain in design.spec.chains():
        med = chain[1]
        fm, fy = fits[med], fits["y"]
        jb = fy.index(role_terms[med][0])
        b, vb = fy.coef[jb], fy.cov[jb, jb]
        for x_term in role_terms["x"]:
            ja = fm.index(x_term)
            a, va = fm.coef[ja], fm.cov[ja, ja]
            se = float(np.sqrt(a * a * vb + b * b * va + va * vb))
            z = a * b / se if se > 0 else np.nan
            rows.append((path_label(design, chain), x_term, a * b, se, z, 2 * stats.norm.sf(abs(z))))
    return pd.DataFrame(rows, columns=NORMAL_COLS)


def plot_table(design: Design, fits: dict, columns: dict, codings: dict, frame: pd.DataFrame, eq_name: dict,
               probe: str) -> pd.DataFrame:
    """Predicted outcomes for visualizing each moderated equation (PROCESS ``plot = 1``).

    For every equation with a moderated path: its focal predictor (X if X's path into it is
    moderated, else the first such mediator) at each of its values (every group of a
    categorical X; both values of a dichotomous one; else the 16th/50th/84th percentiles or
    mean and +-1 SD, as ``probe``) crossed with the probed moderator values (moderators in
    the outer loop, as PROCESS prints them). Every other term is held at its mean and
    products are formed from the values of their parts.
    """
    sp = design.spec
    frames = []
    for dst in sp.outcomes():
        moderated = [p for p in sp.into(dst) if p.moderators]
        if not moderated:
            continue
        srcs = [p.src for p in moderated]
        focal = "x" if "x" in srcs else srcs[0]
        mods = [md for md in ("w", "z") if any(md in p.moderators for p in moderated)]
        f_terms = design.role_terms[focal]
        if focal in codings:
            levels = categories(frame[design.names[focal]])
            f_values = [(lv.item() if isinstance(lv, np.generic) else lv, tuple(codings[focal].matrix[i]))
                        for i, lv in enumerate(levels)]
        else:
            f_values = [(v, (v,)) for v in probe_values(columns[f_terms[0]], probe=probe, values=None)]
        terms = design.eq_terms[dst]
        fit = fits[dst]
        rows = []
        for combo in product(*(design.values[md] for md in mods)):
            for f_label, f_code in f_values:
                value = {t: columns[t].mean() for t in terms if ":" not in t}
                value["constant"] = 1.0
                value.update(zip(f_terms, f_code, strict=True))
                for md, mv in zip(mods, combo, strict=True):
                    value.update(zip(design.role_terms[md], mv.code, strict=True))
                row = np.array([value[t] if t in value else np.prod([value[part] for part in t.split(":")])
                                for t in terms])
                mv = dict(zip(mods, combo, strict=True))
                rows.append((eq_name[dst], design.names[focal], f_label, mv["w"].label if "w" in mv else None,
                             mv["z"].label if "z" in mv else None, float(row @ fit.coef)))
        frames.append(pd.DataFrame(rows, columns=PLOT_COLS))
    return pd.concat(frames, ignore_index=True) if frames else empty_plot()
