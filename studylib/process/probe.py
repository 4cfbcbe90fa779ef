"""Stage 4 of :func:`studylib.process` (probe): moderator values and the effects evaluated at them.

:func:`probe` chooses the values of each moderator (every group of a categorical one; the
16th, 50th and 84th percentiles, mean and +-1 SD, or the user's values of a continuous one),
then tabulates the conditional effects of each moderated path (t or, in a logistic equation,
z tests), Johnson-Neyman points, the tests of equality of conditional means of a
multicategorical focal predictor, the direct and total effects, and defines every
bootstrap quantity (indirect effects, indexes, contrasts) with its point estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import OptionError
from .coding import categories
from .design import Design, ModValue
from .effects import CoefStacks, Quantity, indirect_rows, probe_values
from .fit import Fits
from .ols import wald_f_linear
from .results import OMNIBUS_COLS
from .tables import EFFECT_COLS, effect_table, jn_for_path, jn_table, linear_table, path_effects

__all__ = ["Probes", "moderator_values", "probe"]


@dataclass(frozen=True)
class Probes:
    """The design with its moderator values, the conditional tables and the bootstrap quantities."""

    design: Design
    conditional: pd.DataFrame
    jn: pd.DataFrame
    omnibus: pd.DataFrame
    direct: pd.DataFrame
    total: pd.DataFrame
    quantities: dict[str, list[Quantity]]  # "indirect", "index", "contrasts" -> rows
    estimates: dict[str, np.ndarray]  # the same keys -> point estimates


def _plain(value):
    """A numpy scalar as the matching Python scalar (labels of groups)."""
    return value.item() if isinstance(value, np.generic) else value


def moderator_values(design: Design, probe: str, user: dict) -> dict[str, list[ModValue]]:
    """The probed values of W and Z: every group of a categorical one, else by ``probe``."""
    values: dict[str, list[ModValue]] = {}
    for mod in ("w", "z"):
        if mod not in design.names:
            continue
        given = user.get(mod)
        if mod in design.codings:
            if given is not None:
                raise OptionError(f"{mod}values cannot be used with a categorical {mod}; every group is probed")
            cod = design.codings[mod]
            levels = categories(design.frame[design.names[mod]])
            values[mod] = [ModValue(_plain(lv), tuple(cod.matrix[i])) for i, lv in enumerate(levels)]
        else:
            col = design.columns[design.role_terms[mod][0]]
            values[mod] = [ModValue(v, (v,)) for v in probe_values(col, probe=probe, values=given)]
    return values


def probe(design: Design, fits: Fits, *, probe: str, user_values: dict) -> Probes:
    """Moderator values, conditional/direct/total effects and the bootstrap quantities."""
    design = design.with_values(moderator_values(design, probe, user_values))
    sp = design.spec
    cond_frames, jn_frames, omnibus_rows = [], [], []
    for path in sp.paths:
        if not path.moderators:
            continue
        f = fits[path.dst]
        name = fits.eq_name[path.dst]
        meta, weights = path_effects(design, f, path, design.role_terms[path.src], {"equation": name})
        cond_frames.append(linear_table(f, meta, weights, ["equation", "focal", "w", "z"]))
        k = len(design.role_terms[path.src])
        if k > 1:  # a multicategorical focal predictor: its k codes jointly at each moderator value
            per = len(meta) // k  # rows are code-major: code j at value c is row j * per + c
            for c in range(per):
                F, df1, df2, pf = wald_f_linear(f, np.vstack(weights[c::per]))
                omnibus_rows.append((name, design.names[path.src], meta[c]["w"], meta[c]["z"], F, df1, df2, pf))
        if list(path.moderators) == ["w"] and "w" not in design.codings and k == 1 and not path.three_way:
            jn_frames.append(jn_for_path(design, f, path, name, design.columns[design.role_terms["w"][0]]))
    cond_cols = ["equation", "focal", *EFFECT_COLS[1:]]
    conditional = (pd.concat(cond_frames, ignore_index=True) if cond_frames
                   else linear_table(fits["y"], [], [], cond_cols[:4]))
    omnibus = pd.DataFrame(omnibus_rows, columns=OMNIBUS_COLS).astype(
        {"F": float, "df1": float, "df2": float, "p": float})
    x_terms = design.role_terms["x"]
    xy = sp.path("x", "y")
    if sp.mediators and xy is not None:
        direct = effect_table(design, fits["y"], xy, x_terms)
    else:
        direct = linear_table(fits["y"], [], [], EFFECT_COLS[:3])
    if "total" in fits.fits:
        f = fits["total"]
        meta = [{"x_term": t, "w": None, "z": None} for t in x_terms]
        total = linear_table(f, meta, [np.eye(len(f.terms))[f.index(t)] for t in x_terms], EFFECT_COLS[:3])
    else:
        total = linear_table(fits["y"], [], [], EFFECT_COLS[:3])
    q_ind, q_idx, q_con = indirect_rows(design)
    point = CoefStacks({dst: f.coef[None, :] for dst, f in fits.fits.items()})
    quantities = {"indirect": q_ind, "index": q_idx, "contrasts": q_con}
    estimates = {k: np.array([q.fun(point)[0] for q in qs]) for k, qs in quantities.items()}
    return Probes(design, conditional, jn_table(jn_frames), omnibus, direct, total, quantities, estimates)
