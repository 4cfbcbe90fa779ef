"""The model-83 effects of the thesis design, their labels and values from path vectors."""

from __future__ import annotations

import numpy as np

from ._effects import RESPONSE

__all__ = ["_effect_labels", "_effect_values"]

# -- the effects tested in model 83 -----------------------------------------------
_PATH_LABELS = (
    "valence -> psr -> attitude",
    "valence -> pk -> attitude",
    "valence -> psr -> pk -> attitude",
)


def _effect_labels() -> list[str]:
    """Labels, in order, of the model-83 effects computed by :func:`_effect_values`."""
    labels = [f"{_PATH_LABELS[0]} | {w}" for w in RESPONSE]
    labels += [f"{_PATH_LABELS[2]} | {w}" for w in RESPONSE]
    labels += [f"index {_PATH_LABELS[0]}: {w} vs none" for w in RESPONSE[1:]]
    labels += [f"index {_PATH_LABELS[2]}: {w} vs none" for w in RESPONSE[1:]]
    labels += [_PATH_LABELS[1]]
    return labels


def _effect_values(p: np.ndarray) -> np.ndarray:
    """Model-83 effects from path vectors ``p[..., 7]`` = (a1, h1, h2, a2, d21, b1, b2).

    Returns an array ``[..., 11]`` in the order of :func:`_effect_labels`.
    """
    a1, h1, h2, a2, d21, b1, b2 = (p[..., k] for k in range(7))
    theta = (a1, a1 + h1, a1 + h2)
    serial = d21 * b2
    out = [t * b1 for t in theta]
    out += [t * serial for t in theta]
    out += [h1 * b1, h2 * b1, h1 * serial, h2 * serial, a2 * b2]
    return np.stack(out, axis=-1) + 0.0  # + 0.0 turns -0.0 into 0.0
