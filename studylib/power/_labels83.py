"""The effects of model 83 that power_model83 reports: their labels and values from path vectors."""

from __future__ import annotations

import numpy as np

from ._design83 import Model83Design

__all__ = ["_effect_labels", "_effect_values"]


def _effect_labels(design: Model83Design) -> list[str]:
    """Labels, in order, of the model-83 effects computed by :func:`_effect_values`.

    As the power tables of :func:`studylib.power` name them: the conditional indirect effects
    through M1 and through M1 and M2 at each level of W, the indexes of moderated mediation of
    both (each level of W after the first against the first), the unmoderated effect through M2.
    """
    d = design
    via_m1 = f"{d.x} -> {d.m1} -> {d.y}"
    via_m2 = f"{d.x} -> {d.m2} -> {d.y}"
    serial = f"{d.x} -> {d.m1} -> {d.m2} -> {d.y}"
    ref = d.w_levels[0]
    labels = [f"{via_m1} | {w}" for w in d.w_levels]
    labels += [f"{serial} | {w}" for w in d.w_levels]
    labels += [f"index {via_m1}: {w} vs {ref}" for w in d.contrasted]
    labels += [f"index {serial}: {w} vs {ref}" for w in d.contrasted]
    labels += [via_m2]
    return labels


def _effect_values(p: np.ndarray) -> np.ndarray:
    """Model-83 effects from path vectors ``p[..., k + 4]`` = (a1, h_1 .. h_{k-1}, a2, d21, b1, b2).

    ``k`` is the number of levels of W. Returns an array ``[..., 4 k - 1]`` in the order of
    :func:`_effect_labels`.
    """
    p = np.asarray(p, dtype=float)
    a1, h = p[..., 0], [p[..., j] for j in range(1, p.shape[-1] - 4)]
    a2, d21, b1, b2 = (p[..., -4 + j] for j in range(4))
    theta = (a1, *(a1 + hj for hj in h))
    serial = d21 * b2
    out = [t * b1 for t in theta]
    out += [t * serial for t in theta]
    out += [hj * b1 for hj in h] + [hj * serial for hj in h] + [a2 * b2]
    return np.stack(out, axis=-1) + 0.0  # + 0.0 turns -0.0 into 0.0
