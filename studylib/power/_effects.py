"""Population paths of PROCESS model 83 (two-level X, multicategorical W) as a generative model.

The model behind :func:`~studylib.power.power_model83`::

    M1 = i1 + a1 X + g_1 W_1 + ... + h_1 X W_1 + ... + e1     (W moderates X -> M1)
    M2 = i2 + a2 X + d21 M1 + e2
    Y  = i3 + c' X + b1 M1 + b2 M2 + e3

X is 0 at its reference level and 1 at the other; W_1, W_2, ... are the indicators of W's
levels after the first (its reference). The residuals are independent normal. The names
of X, W (with their levels), M1, M2 and Y are a :class:`~studylib.power.Model83Design`:
by default the example study's (``analyses/power_model83.yaml``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._reading import content_errors, read_yaml
from ..errors import InputTypeError, SpecError
from ._design83 import Model83Design, example_design

__all__ = ["Model83Effects"]

_PATHS = ("x_m1", "x_m2", "m1_m2", "x_y", "m1_y", "m2_y")
_SDS = ("sd_m1", "sd_m2", "sd_y")


def _real(value: Any, name: str) -> float:
    if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
        raise SpecError(f"effect {name} must be a finite number; got {value!r}")
    return float(value)


def _per_level(value: Any, name: str, design: Model83Design) -> tuple[float, ...]:
    """One number per level of W after its reference: a sequence, or a dict (missing keys 0)."""
    levels = design.contrasted
    compared = f"(the {design.w} levels compared with {design.w_levels[0]!r})"
    if value is None:
        value = {}
    if isinstance(value, Mapping):
        unknown = sorted(map(str, set(value) - set(levels)))
        if unknown:
            raise SpecError(f"effect {name} has keys {unknown}; allowed are "
                            f"{', '.join(map(repr, levels))} {compared}")
        value = tuple(value.get(lv, 0.0) for lv in levels)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != len(levels):
        raise SpecError(f"effect {name} must give {len(levels)} numbers, for {', '.join(map(repr, levels))} "
                        f"{compared}, as a sequence or a dict; got {value!r}")
    return tuple(_real(v, f"{name}[{lv}]") for v, lv in zip(value, levels, strict=True))


@dataclasses.dataclass(frozen=True)
class Model83Effects:
    """Population paths of model 83 in a 2 x k design, the input of :func:`power_model83`.

    By default the paths are *standardized*: M1, M2 and Y have total variance 1 in the
    balanced design, so ``x_m1`` is the difference between X's two levels in SD units of
    M1 at W's reference level (a Cohen's d), and ``m1_m2`` etc. are fully standardized
    regression weights. The residual SDs then follow from the paths; paths that explain
    all the variance (implied R² >= 1) are rejected. Give ``sd_m1``, ``sd_m2`` and ``sd_y``
    (all three) to use unstandardized paths with these residual SDs.

    Parameters
    ----------
    x_m1 : float
        a1, effect of X (its second level vs its reference) on M1 at W's reference level.
    w_m1 : sequence of float or dict, optional
        Effects on M1 of each level of W after the first (vs the first), at X's reference
        level; a dict is keyed by those levels (missing ones are 0). Default all 0.
    xw_m1 : sequence of float or dict, optional
        X x W interaction on M1: how much the effect of X changes at each level of W after
        the first, compared with the first. Default all 0.
    m1_m2, x_m2 : float
        d21 (M1 -> M2) and a2 (X -> M2).
    m1_y, m2_y, x_y : float
        b1 (M1 -> Y), b2 (M2 -> Y) and the direct effect c'.
    sd_m1, sd_m2, sd_y : float, optional
        Residual SDs of the three equations; computed when all are None (standardized).
    design : Model83Design or dict, optional
        Names of X and W (with their levels), M1, M2 and Y; a dict as a model-83 file's
        ``design:`` block. Default: the example study's (``analyses/power_model83.yaml``).

    Raises
    ------
    SpecError
        A path that is not a finite number, a residual SD <= 0, only some SDs given, or
        standardized paths implying R² >= 1 (residual variance <= 0) for an equation.

    See Also
    --------
    power_model83, Model83Effects.from_result, Model83Effects.from_params

    Examples
    --------
    The example study's design (valence x response; psr, pk, attitude):

    >>> from studylib.power import Model83Effects
    >>> eff = Model83Effects(x_m1=0.4, xw_m1=(-0.7, -1.0), m1_m2=-0.4, m1_y=0.2, m2_y=-0.4)
    >>> eff.r_squared()
    {'psr': 0.0947, 'pk': 0.16, 'attitude': 0.264}
    >>> print(eff.indirect_effects().set_index("effect")["value"].round(3).to_string())
    effect
    valence -> psr -> attitude | none                        0.080
    valence -> psr -> attitude | like                       -0.060
    valence -> psr -> attitude | reply                      -0.120
    valence -> psr -> pk -> attitude | none                  0.064
    valence -> psr -> pk -> attitude | like                 -0.048
    valence -> psr -> pk -> attitude | reply                -0.096
    index valence -> psr -> attitude: like vs none          -0.140
    index valence -> psr -> attitude: reply vs none         -0.200
    index valence -> psr -> pk -> attitude: like vs none    -0.112
    index valence -> psr -> pk -> attitude: reply vs none   -0.160
    valence -> pk -> attitude                                0.000
    >>> Model83Effects(x_m1=2.5)
    Traceback (most recent call last):
    ...
    studylib.errors.SpecError: standardized effects imply R² = 1.562 >= 1 for psr ...

    Another study's names and a W of two levels:

    >>> d = {"x": {"name": "frame", "levels": ["gain", "loss"]}, "w": {"name": "source",
    ...      "levels": ["peer", "brand"]}, "m": ["trust", "risk"], "y": "intent"}
    >>> eff = Model83Effects(x_m1=0.5, xw_m1={"brand": -0.5}, m1_m2=0.3, m2_y=0.3, design=d)
    >>> print(eff.indirect_effects().iloc[2:6].round(3).to_string())
                                                  effect  value
    2                frame -> trust -> risk -> intent | peer  0.045
    3               frame -> trust -> risk -> intent | brand  0.000
    4          index frame -> trust -> intent: brand vs peer  0.000
    5  index frame -> trust -> risk -> intent: brand vs peer -0.045
    """

    x_m1: float = 0.0
    w_m1: tuple[float, ...] | None = None
    xw_m1: tuple[float, ...] | None = None
    m1_m2: float = 0.0
    x_m2: float = 0.0
    m1_y: float = 0.0
    m2_y: float = 0.0
    x_y: float = 0.0
    sd_m1: float | None = None
    sd_m2: float | None = None
    sd_y: float | None = None
    design: Model83Design | None = None

    def __post_init__(self) -> None:
        design = self.design
        if design is None:
            design = example_design()
        elif isinstance(design, Mapping):
            design = Model83Design.from_dict(design)
        elif not isinstance(design, Model83Design):
            raise InputTypeError(f"design must be a Model83Design, a dict or None; got {type(design).__name__}")
        object.__setattr__(self, "design", design)
        for name in _PATHS:
            object.__setattr__(self, name, _real(getattr(self, name), name))
        for name in ("w_m1", "xw_m1"):
            object.__setattr__(self, name, _per_level(getattr(self, name), name, design))
        sds = tuple(getattr(self, s) for s in _SDS)
        given = [s is not None for s in sds]
        if any(given) and not all(given):
            raise SpecError(
                "give all three residual SDs sd_m1, sd_m2, sd_y (unstandardized paths) or "
                f"none of them (standardized paths); got {sds}"
            )
        if all(given):
            for name, s in zip(_SDS, sds, strict=True):
                if _real(s, name) <= 0:
                    raise SpecError(f"residual SD {name} must be > 0; got {s!r}")
                object.__setattr__(self, name, float(s))
            object.__setattr__(self, "_standardized", False)
            return
        object.__setattr__(self, "_standardized", True)
        # M1 first: its residual variance is needed for the explained variance of M2, Y.
        var: dict[str, float] = {}
        for role, name, sd in zip(("m1", "m2", "y"), design.scores, _SDS, strict=True):
            explained = self._explained_variance(var.get("m1", 0.0), var.get("m2", 0.0))
            resid = 1.0 - explained[role]
            if not resid > 1e-12:
                raise SpecError(
                    f"standardized effects imply R² = {explained[role]:.4g} >= 1 for {name} "
                    f"(residual variance {resid:.4g} <= 0): the paths into {name} are too "
                    "large for variables with variance 1; make them smaller"
                )
            var[role] = resid
            object.__setattr__(self, sd, math.sqrt(resid))

    # -- population moments ---------------------------------------------------------
    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        """X (2k,) and the W indicators (2k, k - 1) of the cells, X outer."""
        k = len(self.design.w_levels)
        return np.repeat([0.0, 1.0], k), np.tile(np.eye(k)[:, 1:], (2, 1))

    def cell_means(self) -> np.ndarray:
        """Cell means of M1, M2, Y: array (3, 2 k), cells in the order (X, W), X outer.

        Intercepts are chosen so that each grand mean is 0 (location does not matter for
        any test).
        """
        x, w = self._cells()
        mu1 = self.x_m1 * x + w @ np.asarray(self.w_m1) + x * (w @ np.asarray(self.xw_m1))
        mu2 = self.x_m2 * x + self.m1_m2 * mu1
        mu3 = self.x_y * x + self.m1_y * mu1 + self.m2_y * mu2
        mu = np.vstack([mu1, mu2, mu3])
        return mu - mu.mean(axis=1, keepdims=True)

    def cell_sds(self) -> np.ndarray:
        """Within-cell SDs of M1, M2, Y (the same in every cell)."""
        v1 = self.sd_m1**2
        v2 = self.m1_m2**2 * v1 + self.sd_m2**2
        v3 = (self.m1_y + self.m2_y * self.m1_m2) ** 2 * v1 + self.m2_y**2 * self.sd_m2**2
        v3 += self.sd_y**2
        return np.sqrt([v1, v2, v3])

    def _explained_variance(self, v1: float, v2r: float) -> dict[str, float]:
        # v1 = residual variance of M1, v2r = residual variance of M2 (given so far).
        between = self.cell_means().var(axis=1)  # balanced cells: population variance over the cells
        return {
            "m1": float(between[0]),
            "m2": float(between[1] + self.m1_m2**2 * v1),
            "y": float(between[2] + (self.m1_y + self.m2_y * self.m1_m2) ** 2 * v1 + self.m2_y**2 * v2r),
        }

    def r_squared(self) -> dict[str, float]:
        """Population R² of the M1, M2 and Y equations (balanced design), keyed by name."""
        v1, v2 = self.sd_m1**2, self.sd_m2**2
        explained = self._explained_variance(v1, v2)
        resid = {"m1": v1, "m2": v2, "y": self.sd_y**2}
        return {name: explained[r] / (explained[r] + resid[r])
                for r, name in zip(("m1", "m2", "y"), self.design.scores, strict=True)}

    def cell_table(self) -> pd.DataFrame:
        """Population cell means and within-cell SD of each score, a tidy DataFrame.

        Columns: ``dv``, X's name, W's name, ``mean``, ``sd``; the two factors are
        Categoricals in the design's level order.
        """
        d = self.design
        mu, sd = self.cell_means(), self.cell_sds()
        k = len(d.w_levels)
        rows = [(dv, d.x_levels[c // k], d.w_levels[c % k], mu[j, c], sd[j])
                for j, dv in enumerate(d.scores) for c in range(2 * k)]
        out = pd.DataFrame(rows, columns=["dv", d.x, d.w, "mean", "sd"])
        out[d.x] = pd.Categorical(out[d.x], categories=list(d.x_levels))
        out[d.w] = pd.Categorical(out[d.w], categories=list(d.w_levels))
        return out

    def indirect_effects(self) -> pd.DataFrame:
        """Population conditional indirect effects and indexes of moderated mediation.

        Columns: ``effect`` (the label used in power tables) and ``value``.
        """
        from ._labels83 import _effect_labels, _effect_values

        labels, values = _effect_labels(self.design), _effect_values(self.as_vector()[None, :])[0]
        return pd.DataFrame({"effect": labels, "value": values})

    def as_vector(self) -> np.ndarray:
        """The paths in the order used internally (a1, h_1 .. h_{k-1}, a2, d21, b1, b2)."""
        return np.array([self.x_m1, *self.xw_m1, self.x_m2, self.m1_m2, self.m1_y, self.m2_y], dtype=float)

    @property
    def standardized(self) -> bool:
        """True when the residual SDs were derived from standardized paths."""
        return bool(self._standardized)

    def to_dict(self) -> dict[str, Any]:
        """The paths, residual SDs and design as plain Python values."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("w_m1", "xw_m1"):
            d[name] = dict(zip(self.design.contrasted, getattr(self, name), strict=True))
        d["design"] = self.design.to_dict()
        d["standardized"] = self.standardized
        return d

    # -- constructors --------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Model83Effects:
        """Build from a dict with the field names (e.g. read from YAML or JSON)."""
        if not isinstance(d, dict):
            raise InputTypeError(f"effects must be a dict of paths; got {type(d).__name__}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(map(str, set(d) - names - {"standardized"}))
        if unknown:
            raise SpecError(f"unknown effect names {unknown}; allowed: {sorted(names)}")
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_file(cls, path: str | Path, *, encoding: str | None = None) -> Model83Effects:
        """Read the paths from a YAML or JSON file (a mapping of the field names).

        The mapping may sit at the top level or under a key ``effects``, beside an optional
        ``design:`` block (as in ``analyses/power_model83.yaml``); ``encoding`` is the file's
        text encoding (default UTF-8).
        """
        data = _read_mapping(path, encoding)
        if isinstance(data, dict) and isinstance(data.get("effects"), dict):
            data = {**data["effects"], **({"design": data["design"]} if "design" in data else {})}
        if not isinstance(data, dict):
            raise SpecError(f"{path}: must hold a mapping of effect names to values")
        try:
            with content_errors(path, "effects file", "the fields of studylib.Model83Effects"):
                return cls.from_dict(data)
        except SpecError as exc:
            raise SpecError(exc.args[0] if str(exc).startswith(str(path)) else f"{path}: {exc}") from None

    @classmethod
    def from_latent(cls, latent: dict[str, Any], *, source: str = "latent",
                    design: Model83Design | dict | None = None) -> Model83Effects:
        """Build from the ``latent`` section of the simulator's parameters.

        That section (``data/synthetic/params.yaml``, read by :mod:`studylib.simulate`)
        gives, per level of W, M1's intercept and X effect, the paths into M2 and Y and the
        residual SDs, i.e. unstandardized paths with residual SDs. Its keys are the names
        of ``design`` (default: the example study's).
        """
        des = cls(design=design).design
        m1, m2, y, x, wl = des.m1, des.m2, des.y, des.x, des.w_levels
        try:
            icpt, val = latent[m1]["intercept"], latent[m1][x]
            values = dict(
                x_m1=val[wl[0]],
                w_m1=tuple(icpt[lv] - icpt[wl[0]] for lv in wl[1:]),
                xw_m1=tuple(val[lv] - val[wl[0]] for lv in wl[1:]),
                m1_m2=latent[m2][m1], x_m2=latent[m2][x],
                m1_y=latent[y][m1], m2_y=latent[y][m2], x_y=latent[y][x],
                sd_m1=latent[m1]["residual_sd"], sd_m2=latent[m2]["residual_sd"],
                sd_y=latent[y]["residual_sd"],
            )
        except (KeyError, TypeError) as exc:
            raise SpecError(
                f"{source}: the latent section needs {m1}.intercept and {m1}.{x} per {des.w} level "
                f"({', '.join(wl)}), {m2}.{m1}, {m2}.{x}, {y}.{m1}, {y}.{m2}, {y}.{x} and each "
                f"residual_sd; missing {exc}"
            ) from None
        return cls(**values, design=des)

    @classmethod
    def from_params(cls, path: str | Path | None = None, *, encoding: str | None = None,
                    design: Model83Design | dict | None = None) -> Model83Effects:
        """The paths the shipped synthetic data were generated with (or another params file).

        Parameters
        ----------
        path : path, optional
            A simulator parameter file (checked by :func:`studylib.simulate.load_params`);
            default ``data/synthetic/params.yaml``.
        encoding : str, optional
            Text encoding of the file (default UTF-8).
        design : Model83Design or dict, optional
            The names its ``latent`` section uses (default: the example study's).

        Examples
        --------
        The example study's parameters:

        >>> from studylib.power import Model83Effects
        >>> eff = Model83Effects.from_params()
        >>> eff.indirect_effects().iloc[3:6].round(2)
                                             effect  value
        3   valence -> psr -> pk -> attitude | none   0.18
        4   valence -> psr -> pk -> attitude | like  -0.15
        5  valence -> psr -> pk -> attitude | reply  -0.30
        """
        from ..simulate import load_params

        params = load_params(path, encoding=encoding)
        return cls.from_latent(params["latent"], source=params.get("_source", "params"), design=design)

    @classmethod
    def from_result(cls, result: Any) -> Model83Effects:
        """Paths and residual SDs estimated by a model-83 fit of :func:`studylib.process`.

        Use a fit on pilot data (or the shipped synthetic data) as the population for a
        power simulation. X must have 2 categories and W at least 2 (indicator coding; the
        first category of each is the reference), with two mediators and without
        covariates; the design (names and levels) is the fit's. Estimates from a small
        pilot are noisy and, when selected for being significant, too large: treat the
        resulting power as optimistic.

        Examples
        --------
        A fit to data simulated for the example study:

        >>> import studylib
        >>> from studylib.power import Model83Effects
        >>> from studylib.simulate import simulate_latent
        >>> pilot = simulate_latent(40, seed=1)
        >>> fit = studylib.process(pilot, model=83, x="valence", w="response",
        ...                        m=["psr", "pk"], y="attitude", boot=1000, seed=1)
        >>> eff = Model83Effects.from_result(fit)
        >>> est = fit.coefficients.set_index(["equation", "term"])["estimate"]
        >>> bool(eff.m1_m2 == est["pk", "psr"]), eff.standardized
        (True, False)
        """
        model = getattr(result, "model", None)
        coefs = getattr(result, "coefficients", None)
        eqs = getattr(result, "equations", None)
        if not all(isinstance(t, pd.DataFrame) for t in (model, coefs, eqs)):
            raise InputTypeError(f"result must be a studylib.process result; got {type(result).__name__}")
        attrs = model.attrs
        if str(attrs.get("model")) != "83":
            raise SpecError(f"result must be a fit of PROCESS model 83; got model {attrs.get('model')!r}")
        if attrs.get("covariates"):
            raise SpecError(
                f"result has covariates {attrs['covariates']}: the power simulation's model "
                "has none; refit model 83 without covariates"
            )
        v = attrs["variables"]
        if "m3" in v:
            raise SpecError("result has more than two mediators; the power simulation's model 83 has two")
        codings = attrs.get("codings", {})
        xc, wc = codings.get("x", {}), codings.get("w", {})
        if len(xc.get("levels", ())) != 2 or len(wc.get("levels", ())) < 2 or any(
            c.get("coding") != "indicator" for c in (xc, wc)
        ):
            raise SpecError(
                "result must have a categorical x with 2 levels and a categorical w, both with "
                "indicator coding (a 2 x k design)"
            )
        design = Model83Design(v["x"], tuple(map(str, xc["levels"])), v["w"], tuple(map(str, wc["levels"])),
                               v["m1"], v["m2"], v["y"])
        (xt,), wts = xc["terms"], wc["terms"]
        est = coefs.set_index(["equation", "term"])["estimate"]
        mse = eqs[eqs["test"] == "model"].set_index("equation")["mse"]

        def get(eq: str, term: str) -> float:
            return float(est.loc[(v[eq], term)])

        return cls(
            x_m1=get("m1", xt),
            w_m1=tuple(get("m1", t) for t in wts),
            xw_m1=tuple(get("m1", f"{xt}:{t}") for t in wts),
            m1_m2=get("m2", v["m1"]),
            x_m2=get("m2", xt),
            m1_y=get("y", v["m1"]),
            m2_y=get("y", v["m2"]),
            x_y=get("y", xt),
            sd_m1=math.sqrt(mse[v["m1"]]),
            sd_m2=math.sqrt(mse[v["m2"]]),
            sd_y=math.sqrt(mse[v["y"]]),
            design=design,
        )

    def to_simulation(self, mean: float = 0.0) -> dict[str, Any]:
        """The paths as a study file's ``simulation:`` block (the design's X x W).

        Every score has reference-cell mean ``mean`` (0 on the latent scale); a slope on an
        earlier score acts on its deviation from that mean, as in the block's definition.

        Examples
        --------
        The example study's design:

        >>> from studylib.power import Model83Effects
        >>> block = Model83Effects(x_m1=0.4, m1_m2=-0.4).to_simulation()
        >>> block["scores"]["pk"]["effects"]
        {'valence.positive': 0.0, 'psr': -0.4}
        """
        d = self.design
        x = f"{d.x}.{d.x_levels[1]}"
        m1 = {x: self.x_m1}
        for level, g, h in zip(d.contrasted, self.w_m1, self.xw_m1, strict=True):
            m1[f"{d.w}.{level}"] = g
            m1[f"{x}*{d.w}.{level}"] = h
        return {"scores": {
            d.m1: {"mean": mean, "sd": self.sd_m1, "effects": m1},
            d.m2: {"mean": mean, "sd": self.sd_m2, "effects": {x: self.x_m2, d.m1: self.m1_m2}},
            d.y: {"mean": mean, "sd": self.sd_y, "effects": {x: self.x_y, d.m1: self.m1_y, d.m2: self.m2_y}},
        }}

    def to_latent(self) -> dict[str, Any]:
        """The paths as the ``latent`` section of the simulator's parameters (the design's names)."""
        d = self.design
        val = [self.x_m1, *(self.x_m1 + h for h in self.xw_m1)]
        icpt = [0.0, *self.w_m1]
        return {
            d.m1: {
                "intercept": dict(zip(d.w_levels, icpt, strict=True)),
                d.x: dict(zip(d.w_levels, val, strict=True)),
                "residual_sd": self.sd_m1,
            },
            d.m2: {"intercept": 0.0, d.m1: self.m1_m2, d.x: self.x_m2, "residual_sd": self.sd_m2},
            d.y: {"intercept": 0.0, d.m1: self.m1_y, d.m2: self.m2_y, d.x: self.x_y, "residual_sd": self.sd_y},
        }


def _read_mapping(path: str | Path, encoding: str | None = None) -> Any:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"effects file not found: {path}")
    return read_yaml(path, encoding=encoding, what="effects file", error=SpecError, json=True)  # JSON is YAML too
