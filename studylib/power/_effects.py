"""Population effects of the 3 x 2 design as a generative model (PROCESS model 83).

The model behind every power computation of :mod:`studylib.power`::

    psr      = i1 + a1 X + g1 W1 + g2 W2 + h1 X W1 + h2 X W2 + e1      (M1)
    pk       = i2 + a2 X + d21 psr + e2                                (M2)
    attitude = i3 + c' X + b1 psr + b2 pk + e3                         (Y)

X is comment valence (negative = 0, positive = 1), W1 and W2 are the indicators of the
influencer response ``like`` and ``reply`` (``none`` is the reference). The residuals are
independent normal. This is PROCESS model 83 with a multicategorical W that moderates the
X -> M1 path only.
"""

from __future__ import annotations

import dataclasses
import math
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._reading import content_errors, read_yaml
from ..errors import InputTypeError, SpecError

__all__ = ["Model83Effects", "VALENCE", "RESPONSE", "DVS"]

VALENCE = ("negative", "positive")
RESPONSE = ("none", "like", "reply")
DVS = ("psr", "pk", "attitude")

# Design of one balanced replicate: the six cells in the order (valence, response),
# valence outer. X and the W indicators of each cell.
_CELL_X = np.repeat([0.0, 1.0], 3)
_CELL_W1 = np.tile([0.0, 1.0, 0.0], 2)
_CELL_W2 = np.tile([0.0, 0.0, 1.0], 2)

_PATHS = ("x_m1", "x_m2", "m1_m2", "x_y", "m1_y", "m2_y")


def _real(value: Any, name: str) -> float:
    if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
        raise SpecError(f"effect {name} must be a finite number; got {value!r}")
    return float(value)


def _pair(value: Any, name: str) -> tuple[float, float]:
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"like", "reply"})
        if unknown:
            raise SpecError(
                f"effect {name} has keys {unknown}; allowed are 'like' and 'reply' "
                "(the response levels compared with 'none')"
            )
        value = (value.get("like", 0.0), value.get("reply", 0.0))
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise SpecError(
            f"effect {name} must give two numbers, for 'like' and 'reply' (each compared "
            f"with 'none'), as a pair or a dict; got {value!r}"
        )
    return (_real(value[0], f"{name}[like]"), _real(value[1], f"{name}[reply]"))


@dataclasses.dataclass(frozen=True)
class Model83Effects:
    """Population paths of the thesis design, the input of every power simulation.

    By default the paths are *standardized*: psr, pk and attitude have total variance 1 in
    the balanced design, so ``x_m1`` is the difference positive minus negative comments in
    SD units of psr when the influencer does not respond (a Cohen's d), and ``m1_m2`` etc.
    are fully standardized regression weights. The residual SDs then follow from the paths;
    paths that explain all the variance (implied R² >= 1) are rejected. Give ``sd_m1``,
    ``sd_m2`` and ``sd_y`` (all three) to use unstandardized paths with these residual SDs.

    Parameters
    ----------
    x_m1 : float
        a1, effect of valence (positive = 1) on psr when the response is ``none``.
    w_m1 : pair of float or dict
        Effects of ``like`` and ``reply`` (vs ``none``) on psr at negative valence.
    xw_m1 : pair of float or dict
        Valence x response interaction on psr: how much the valence effect changes for
        ``like`` and for ``reply`` compared with ``none``.
    m1_m2, x_m2 : float
        d21 (psr -> pk) and a2 (valence -> pk).
    m1_y, m2_y, x_y : float
        b1 (psr -> attitude), b2 (pk -> attitude) and the direct effect c'.
    sd_m1, sd_m2, sd_y : float, optional
        Residual SDs of the three equations; computed when all are None (standardized).

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
    """

    x_m1: float = 0.0
    w_m1: tuple[float, float] = (0.0, 0.0)
    xw_m1: tuple[float, float] = (0.0, 0.0)
    m1_m2: float = 0.0
    x_m2: float = 0.0
    m1_y: float = 0.0
    m2_y: float = 0.0
    x_y: float = 0.0
    sd_m1: float | None = None
    sd_m2: float | None = None
    sd_y: float | None = None

    def __post_init__(self) -> None:
        for name in _PATHS:
            object.__setattr__(self, name, _real(getattr(self, name), name))
        for name in ("w_m1", "xw_m1"):
            object.__setattr__(self, name, _pair(getattr(self, name), name))
        sds = (self.sd_m1, self.sd_m2, self.sd_y)
        given = [s is not None for s in sds]
        if any(given) and not all(given):
            raise SpecError(
                "give all three residual SDs sd_m1, sd_m2, sd_y (unstandardized paths) or "
                f"none of them (standardized paths); got {sds}"
            )
        if all(given):
            for name, s in zip(("sd_m1", "sd_m2", "sd_y"), sds, strict=True):
                if _real(s, name) <= 0:
                    raise SpecError(f"residual SD {name} must be > 0; got {s!r}")
                object.__setattr__(self, name, float(s))
            object.__setattr__(self, "_standardized", False)
            return
        object.__setattr__(self, "_standardized", True)
        # M1 first: its residual variance is needed for the explained variance of M2, Y.
        names = dict(zip(DVS, ("sd_m1", "sd_m2", "sd_y"), strict=True))
        var = {}
        for dv in DVS:
            explained = self._explained_variance(var.get("psr", 0.0), var.get("pk", 0.0))
            resid = 1.0 - explained[dv]
            if not resid > 1e-12:
                raise SpecError(
                    f"standardized effects imply R² = {explained[dv]:.4g} >= 1 for {dv} "
                    f"(residual variance {resid:.4g} <= 0): the paths into {dv} are too "
                    "large for variables with variance 1; make them smaller"
                )
            var[dv] = resid
            object.__setattr__(self, names[dv], math.sqrt(resid))

    # -- population moments ---------------------------------------------------------
    def cell_means(self) -> np.ndarray:
        """Cell means of psr, pk, attitude: array (3 dvs, 6 cells), cells valence-outer.

        Intercepts are chosen so that each grand mean is 0 (location does not matter for
        any test).
        """
        x, w1, w2 = _CELL_X, _CELL_W1, _CELL_W2
        mu1 = (
            self.x_m1 * x
            + self.w_m1[0] * w1
            + self.w_m1[1] * w2
            + self.xw_m1[0] * x * w1
            + self.xw_m1[1] * x * w2
        )
        mu2 = self.x_m2 * x + self.m1_m2 * mu1
        mu3 = self.x_y * x + self.m1_y * mu1 + self.m2_y * mu2
        mu = np.vstack([mu1, mu2, mu3])
        return mu - mu.mean(axis=1, keepdims=True)

    def cell_sds(self) -> np.ndarray:
        """Within-cell SDs of psr, pk, attitude (the same in every cell)."""
        v1 = self.sd_m1**2
        v2 = self.m1_m2**2 * v1 + self.sd_m2**2
        v3 = (self.m1_y + self.m2_y * self.m1_m2) ** 2 * v1 + self.m2_y**2 * self.sd_m2**2
        v3 += self.sd_y**2
        return np.sqrt([v1, v2, v3])

    def _explained_variance(self, v1: float, v2r: float) -> dict[str, float]:
        # v1 = residual variance of psr, v2r = residual variance of pk (given so far).
        mu = self.cell_means()
        between = mu.var(axis=1)  # balanced cells: population variance over the 6 cells
        return {
            "psr": float(between[0]),
            "pk": float(between[1] + self.m1_m2**2 * v1),
            "attitude": float(
                between[2] + (self.m1_y + self.m2_y * self.m1_m2) ** 2 * v1 + self.m2_y**2 * v2r
            ),
        }

    def r_squared(self) -> dict[str, float]:
        """Population R² of the psr, pk and attitude equations (balanced design)."""
        v1, v2 = self.sd_m1**2, self.sd_m2**2
        explained = self._explained_variance(v1, v2)
        resid = {"psr": v1, "pk": v2, "attitude": self.sd_y**2}
        return {dv: explained[dv] / (explained[dv] + resid[dv]) for dv in DVS}

    def cell_table(self) -> pd.DataFrame:
        """Population cell means and within-cell SD of each DV, a tidy DataFrame.

        Columns: ``dv, valence, response, mean, sd``; valence and response are
        Categoricals in the study's level order.
        """
        mu, sd = self.cell_means(), self.cell_sds()
        rows = []
        for k, dv in enumerate(DVS):
            for c in range(6):
                rows.append((dv, VALENCE[c // 3], RESPONSE[c % 3], mu[k, c], sd[k]))
        out = pd.DataFrame(rows, columns=["dv", "valence", "response", "mean", "sd"])
        out["valence"] = pd.Categorical(out["valence"], categories=list(VALENCE))
        out["response"] = pd.Categorical(out["response"], categories=list(RESPONSE))
        return out

    def indirect_effects(self) -> pd.DataFrame:
        """Population conditional indirect effects and indexes of moderated mediation.

        Columns: ``effect`` (the label used in power tables) and ``value``.
        """
        from ._labels83 import _effect_labels, _effect_values

        labels, values = _effect_labels(), _effect_values(self.as_vector()[None, :])[0]
        return pd.DataFrame({"effect": labels, "value": values})

    def as_vector(self) -> np.ndarray:
        """The paths in the order used internally (a1, h1, h2, a2, d21, b1, b2)."""
        return np.array(
            [self.x_m1, *self.xw_m1, self.x_m2, self.m1_m2, self.m1_y, self.m2_y], dtype=float
        )

    @property
    def standardized(self) -> bool:
        """True when the residual SDs were derived from standardized paths."""
        return bool(self._standardized)

    def to_dict(self) -> dict[str, Any]:
        """The paths and residual SDs as plain Python values."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["w_m1"] = dict(zip(("like", "reply"), self.w_m1, strict=True))
        d["xw_m1"] = dict(zip(("like", "reply"), self.xw_m1, strict=True))
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

        The mapping may sit at the top level or under a key ``effects``; ``encoding`` is the
        file's text encoding (default UTF-8).
        """
        data = _read_mapping(path, encoding)
        if isinstance(data, dict) and isinstance(data.get("effects"), dict):
            data = data["effects"]
        if not isinstance(data, dict):
            raise SpecError(f"{path}: must hold a mapping of effect names to values")
        try:
            with content_errors(path, "effects file", "the fields of studylib.Model83Effects"):
                return cls.from_dict(data)
        except SpecError as exc:
            raise SpecError(exc.args[0] if str(exc).startswith(str(path)) else f"{path}: {exc}") from None

    @classmethod
    def from_latent(cls, latent: dict[str, Any], *, source: str = "latent") -> Model83Effects:
        """Build from the ``latent`` section of the simulator's parameters.

        That section (``data/synthetic/params.yaml``, read by :mod:`studylib.simulate`)
        gives, per response level, the psr intercept and valence effect, the paths into
        pk and attitude and the residual SDs, i.e. unstandardized paths with residual SDs.
        """
        try:
            psr, pk, att = latent["psr"], latent["pk"], latent["attitude"]
            icpt, val = psr["intercept"], psr["valence"]
            values = dict(
                x_m1=val["none"],
                w_m1=(icpt["like"] - icpt["none"], icpt["reply"] - icpt["none"]),
                xw_m1=(val["like"] - val["none"], val["reply"] - val["none"]),
                m1_m2=pk["psr"],
                x_m2=pk["valence"],
                m1_y=att["psr"],
                m2_y=att["pk"],
                x_y=att["valence"],
                sd_m1=psr["residual_sd"],
                sd_m2=pk["residual_sd"],
                sd_y=att["residual_sd"],
            )
        except (KeyError, TypeError) as exc:
            raise SpecError(
                f"{source}: the latent section needs psr.intercept and psr.valence per "
                "response level (none, like, reply), pk.psr, pk.valence, attitude.psr, "
                f"attitude.pk, attitude.valence and each residual_sd; missing {exc}"
            ) from None
        return cls(**values)

    @classmethod
    def from_params(cls, path: str | Path | None = None, *, encoding: str | None = None) -> Model83Effects:
        """The paths the shipped synthetic data were generated with (or another params file).

        Parameters
        ----------
        path : path, optional
            A simulator parameter file (checked by :func:`studylib.simulate.load_params`);
            default ``data/synthetic/params.yaml``.
        encoding : str, optional
            Text encoding of the file (default UTF-8).

        Examples
        --------
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
        return cls.from_latent(params["latent"], source=params.get("_source", "params"))

    @classmethod
    def from_result(cls, result: Any) -> Model83Effects:
        """Paths and residual SDs estimated by a model-83 fit of :func:`studylib.process`.

        Use a fit on pilot data (or the shipped synthetic data) as the population for a
        power simulation. X must have 2 categories and W 3 (indicator coding; the first
        category of each is the reference, playing the role of ``negative`` and ``none``),
        without covariates. Estimates from a small pilot are noisy and, when selected for
        being significant, too large: treat the resulting power as optimistic.

        Examples
        --------
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
            raise InputTypeError(
                f"result must be a studylib.process result; got {type(result).__name__}"
            )
        attrs = model.attrs
        if str(attrs.get("model")) != "83":
            raise SpecError(f"result must be a fit of PROCESS model 83; got model {attrs.get('model')!r}")
        if attrs.get("covariates"):
            raise SpecError(
                f"result has covariates {attrs['covariates']}: the power simulation's model "
                "has none; refit model 83 without covariates"
            )
        codings = attrs.get("codings", {})
        xc, wc = codings.get("x", {}), codings.get("w", {})
        if len(xc.get("levels", ())) != 2 or len(wc.get("levels", ())) != 3 or any(
            c.get("coding") != "indicator" for c in (xc, wc)
        ):
            raise SpecError(
                "result must have a categorical x with 2 levels and a categorical w with 3 "
                "levels, both with indicator coding (the 3 x 2 design)"
            )
        v = attrs["variables"]
        (xt,), (w1, w2) = xc["terms"], wc["terms"]
        est = coefs.set_index(["equation", "term"])["estimate"]
        mse = eqs[eqs["test"] == "model"].set_index("equation")["mse"]

        def get(eq: str, term: str) -> float:
            return float(est.loc[(v[eq], term)])

        return cls(
            x_m1=get("m1", xt),
            w_m1=(get("m1", w1), get("m1", w2)),
            xw_m1=(get("m1", f"{xt}:{w1}"), get("m1", f"{xt}:{w2}")),
            m1_m2=get("m2", v["m1"]),
            x_m2=get("m2", xt),
            m1_y=get("y", v["m1"]),
            m2_y=get("y", v["m2"]),
            x_y=get("y", xt),
            sd_m1=math.sqrt(mse[v["m1"]]),
            sd_m2=math.sqrt(mse[v["m2"]]),
            sd_y=math.sqrt(mse[v["y"]]),
        )

    def to_simulation(self, mean: float = 0.0) -> dict[str, Any]:
        """The paths as a study file's ``simulation:`` block (design valence x response).

        Every score has reference-cell mean ``mean`` (0 on the latent scale); a slope on an
        earlier score acts on its deviation from that mean, as in the block's definition.

        Examples
        --------
        >>> from studylib.power import Model83Effects
        >>> block = Model83Effects(x_m1=0.4, m1_m2=-0.4).to_simulation()
        >>> block["scores"]["pk"]["effects"]
        {'valence.positive': 0.0, 'psr': -0.4}
        """
        psr = {"valence.positive": self.x_m1}
        for level, g, h in zip(RESPONSE[1:], self.w_m1, self.xw_m1, strict=True):
            psr[f"response.{level}"] = g
            psr[f"valence.positive*response.{level}"] = h
        return {"scores": {
            "psr": {"mean": mean, "sd": self.sd_m1, "effects": psr},
            "pk": {"mean": mean, "sd": self.sd_m2,
                   "effects": {"valence.positive": self.x_m2, "psr": self.m1_m2}},
            "attitude": {"mean": mean, "sd": self.sd_y,
                         "effects": {"valence.positive": self.x_y, "psr": self.m1_y, "pk": self.m2_y}},
        }}

    def to_latent(self) -> dict[str, Any]:
        """The paths as the ``latent`` section of the simulator's parameters."""
        val = [self.x_m1, self.x_m1 + self.xw_m1[0], self.x_m1 + self.xw_m1[1]]
        icpt = [0.0, self.w_m1[0], self.w_m1[1]]
        return {
            "psr": {
                "intercept": dict(zip(RESPONSE, icpt, strict=True)),
                "valence": dict(zip(RESPONSE, val, strict=True)),
                "residual_sd": self.sd_m1,
            },
            "pk": {"intercept": 0.0, "psr": self.m1_m2, "valence": self.x_m2, "residual_sd": self.sd_m2},
            "attitude": {
                "intercept": 0.0,
                "psr": self.m1_y,
                "pk": self.m2_y,
                "valence": self.x_y,
                "residual_sd": self.sd_y,
            },
        }


def _read_mapping(path: str | Path, encoding: str | None = None) -> Any:

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"effects file not found: {path}")
    return read_yaml(path, encoding=encoding, what="effects file", error=SpecError, json=True)  # JSON is YAML too
