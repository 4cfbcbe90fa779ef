"""Synthetic item-level data: any study from its study file, or the 3 x 2 thesis experiment.

:func:`simulate_from_study` writes the export of any study from the ``simulation:`` block of
its study file (scale scores from means, SDs and effects; items; missing answers).

:func:`simulate_study` returns a raw, Qualtrics-like export (one row per respondent, export
column names, condition labels as text, careless respondents, missing answers) that goes
through the same pipeline as a real export (:func:`studylib.io.prepare`,
:func:`studylib.cleaning.apply_exclusions`). :func:`simulate_latent` is the fast path for
Monte Carlo work (power, false-positive rates): it simulates only conditions and the three
constructs, vectorized over replications. Every name (factors, levels, scales, export
columns) comes from the parameter file; the example study's is ``data/synthetic/params.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._simparams import POINTS, Names, check_latent, deep_merge, load_params, names
from ._simstudy import simulate_from_study
from ._validation import as_generator, check_int, check_option

__all__ = ["simulate_study", "simulate_latent", "simulate_from_study", "population_effects",
           "load_params"]

_TYPES = ("attentive", "straight_liner", "random", "speeder", "skipper")
_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def _cells(n_per_cell: int | None, n: int | None, n_w: int,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Balanced random assignment to the 2 x n_w cells: level codes x (0, 1) and w (0..n_w-1)."""
    if n is None:
        cell = np.repeat(np.arange(2 * n_w), n_per_cell)
    else:
        cell = rng.permutation(np.arange(n) % (2 * n_w))
    return cell // n_w, cell % n_w


def _structural(x: np.ndarray, w: np.ndarray, latent: Mapping[str, Any], names: Names,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw M1, M2 and Y given x and w (see simulate_study, Notes)."""
    (xn, _), (_, w_levels), (m1, m2, y) = names
    size = x.shape
    p, k, a = latent[m1], latent[m2], latent[y]
    intercept = np.array([p["intercept"][r] for r in w_levels], dtype=float)
    slope = np.array([p[xn][r] for r in w_levels], dtype=float)
    v1 = intercept[w] + slope[w] * x + p["residual_sd"] * rng.standard_normal(size)
    v2 = k["intercept"] + k[m1] * v1 + k[xn] * x + k["residual_sd"] * rng.standard_normal(size)
    v3 = (a["intercept"] + a[m1] * v1 + a[m2] * v2 + a[xn] * x
          + a["residual_sd"] * rng.standard_normal(size))
    return {m1: v1, m2: v2, y: v3}


def _items(eta: np.ndarray, spec: Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Categories 1..POINTS (not yet reverse-keyed) of one scale's items, shape (n, k)."""
    lam = np.asarray(spec["loadings"], dtype=float)
    tau = np.asarray(spec["thresholds"], dtype=float)
    eps = rng.standard_normal((eta.shape[0], lam.shape[0]))
    ystar = spec["shift"] + eta[:, None] * lam + np.sqrt(1.0 - lam**2) * eps
    return 1 + (ystar[..., None] > tau).sum(axis=-1)


def simulate_latent(
    n_per_cell: int,
    *,
    params: str | Path | Mapping[str, Any] | None = None,
    latent: Mapping[str, Any] | None = None,
    reps: int = 1,
    scores: str = "latent",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Fast simulation of conditions and construct scores for Monte Carlo studies.

    Parameters
    ----------
    n_per_cell : int
        Respondents in each cell of the design (balanced; 2 x 3 = 6 cells in the example).
    params : path, mapping or None
        Simulation parameters; ``None`` reads ``data/synthetic/params.yaml``.
    latent : mapping, optional
        Overrides of the ``latent`` section (standardized path values), merged into it;
        for the example study e.g. ``{"psr": {"valence": {"none": 0, "like": 0, "reply": 0}}}``.
    reps : int, default 1
        Number of replications, all drawn in one vectorized step.
    scores : {"latent", "items"}, default "latent"
        ``"latent"`` returns the continuous latent values; ``"items"`` simulates the items
        of each scale (loadings, 7-point thresholds) and returns their mean (1..7), as a
        scored questionnaire would give (no missing answers, no careless respondents).
    seed : int, numpy.random.Generator or None
        Random seed (``None`` draws a fresh one, recorded in ``.attrs["seed"]``).

    Returns
    -------
    pandas.DataFrame
        One row per simulated respondent with columns ``rep`` (0..reps-1), X and W (named
        as in ``design``; Categorical with its levels in the file's order) and the scales
        M1, M2, Y (named as in ``latent``). Rows are ordered by rep, then cell. The
        example study's columns are ``rep``, ``valence`` (negative, positive), ``response``
        (none, like, reply), ``psr``, ``pk``, ``attitude``.

    Raises
    ------
    OptionError
        ``n_per_cell`` or ``reps`` is not a positive whole number, ``scores`` unknown.
    SpecError
        The parameters are invalid (the message names the field).

    See Also
    --------
    simulate_study : the full raw export with careless respondents and missing answers.
    population_effects : the true conditional indirect effects of a parameter set.

    Notes
    -----
    The structural model is the one of :func:`simulate_study`. With ``scores="items"`` the
    score of scale :math:`s` is :math:`\\bar c_{is} = k_s^{-1}\\sum_j c_{ijs}` with the
    categories :math:`c_{ijs}` defined there.

    Examples
    --------
    >>> from studylib.simulate import simulate_latent
    >>> sim = simulate_latent(50, reps=2, seed=1)
    >>> # R: replicate(2, lavaan::simulateData(model, sample.nobs = 300), simplify = FALSE)
    >>> sim.shape
    (600, 6)
    >>> sim.groupby(["valence", "response"], observed=True).size().unique().tolist()
    [100]
    >>> null = {"psr": {"valence": {"none": 0, "like": 0, "reply": 0}}}
    >>> simulate_latent(10, latent=null, scores="items", seed=1)["psr"].between(1, 7).all()
    np.True_
    """
    n_per_cell = check_int(n_per_cell, "n_per_cell", minimum=1)
    reps = check_int(reps, "reps", minimum=1)
    check_option(scores, "scores", ("latent", "items"))
    p = load_params(params)
    nm = names(p)
    (xn, x_levels), (wn, w_levels), scales = nm
    lat = check_latent(deep_merge(p["latent"], latent or {}), p["_source"] + " (latent overrides)", nm)
    rng, used = as_generator(seed)
    x, w = _cells(n_per_cell, None, len(w_levels), rng)
    x = np.tile(x, reps)
    w = np.tile(w, reps)
    values = _structural(x, w, lat, nm, rng)
    if scores == "items":
        values = {s: _items(values[s], p["measurement"][s], rng).mean(axis=1) for s in scales}
    out = pd.DataFrame({
        "rep": np.repeat(np.arange(reps), 2 * len(w_levels) * n_per_cell),
        xn: pd.Categorical.from_codes(x, categories=list(x_levels)),
        wn: pd.Categorical.from_codes(w, categories=list(w_levels)),
        **values,
    })
    out.attrs["seed"] = used
    return out


def population_effects(params: str | Path | Mapping[str, Any] | None = None, *,
                       latent: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """True effects of X per level of W under a parameter set (the serial model's paths).

    Parameters
    ----------
    params : path, mapping or None
        Simulation parameters; ``None`` reads ``data/synthetic/params.yaml``.
    latent : mapping, optional
        Overrides of the ``latent`` section, as in :func:`simulate_latent`.

    Returns
    -------
    pandas.DataFrame
        One row per level of W with columns W (its name in ``design``), ``a1`` (X -> M1),
        ``d21`` (M1 -> M2), ``b2`` (M2 -> Y), ``serial_indirect`` (a1 d21 b2) and
        ``indirect_<M1>`` (a1 b1, via M1 only) on the latent scale. For the example study:
        ``response``, ... ``indirect_psr`` (valence -> PSR -> PK -> attitude).

    Examples
    --------
    >>> from studylib.simulate import population_effects
    >>> population_effects()[["response", "serial_indirect"]]
      response  serial_indirect
    0     none             0.18
    1     like            -0.15
    2    reply            -0.30
    """
    p = load_params(params)
    nm = names(p)
    (xn, _), (wn, w_levels), (m1, m2, y) = nm
    lat = check_latent(deep_merge(p["latent"], latent or {}), p["_source"], nm)
    a1 = np.array([lat[m1][xn][r] for r in w_levels], dtype=float)
    d21, b1, b2 = lat[m2][m1], lat[y][m1], lat[y][m2]
    return pd.DataFrame({wn: list(w_levels), "a1": a1, "d21": d21, "b2": b2,
                         "serial_indirect": a1 * d21 * b2, f"indirect_{m1}": a1 * b1})


def _response_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    ids = ["R_" + "".join(row) for row in _ALPHABET[rng.integers(0, 62, size=(n, 15))]]
    if len(set(ids)) != n:  # astronomically unlikely; deterministic given the seed
        ids = [f"{rid}{i}" for i, rid in enumerate(ids)]
    return np.array(ids)


def simulate_study(
    params: str | Path | Mapping[str, Any] | None = None,
    *,
    n: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulate a raw questionnaire export of a 2 x k experiment with a serial mediation model.

    Parameters
    ----------
    params : path, mapping or None
        Generating parameters (see ``data/synthetic/params.yaml``, the example study's,
        which ``None`` reads).
    n : int, optional
        Number of respondents (before exclusions); default ``params["n"]``.
    seed : int, numpy.random.Generator or None
        Random seed. ``None`` uses ``params["seed"]`` (so ``simulate_study()`` reproduces
        the shipped data set), or a fresh seed if the parameters have none. The seed used
        is stored in ``.attrs["seed"]``. The same seed gives the same frame, bit for bit.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, columns as a Qualtrics export names them: ``StartDate``,
        ``EndDate``, ``Progress``, the ``duration`` column, ``Finished``, the
        ``export.id_column``, ``UserLanguage``, the condition columns of X and W (text
        labels from ``design``), the items of M1, M2 and Y in that order (the
        ``attention_check`` column after the items of its ``after`` scale), the
        manipulation checks (X's, then W's), the ``demographics`` and the ``screening``
        items in the file's order. Answers are nullable integers (``Int64``; missing =
        ``<NA>``), choice answers text. Every name comes from the parameters; for the
        example study the columns are ``Valence``, ``Response``, ``PSR_1``..``PSR_8``,
        ``PK_1``..``PK_5``, ``ATTN``, ``ATT_1``..``ATT_5``, ``MC_val``, ``MC_resp``,
        ``Age``, ``Gender`` and ``Follow`` after the fixed ones.

    Raises
    ------
    SpecError
        The parameters are invalid (the message names the file and field).
    OptionError
        ``n`` is not a whole number >= 6, or the seed is invalid.

    See Also
    --------
    simulate_latent : fast path (conditions and construct scores only).
    studylib.io.write_data : write the export as CSV, Qualtrics CSV or SPSS .sav.

    Notes
    -----
    Respondents are assigned to the cells in balanced random order. With :math:`x_i = 1`
    for the second level of X and 0 for the first and :math:`w_i` the level of W,
    attentive respondents' latent variables are

    .. math::

        M_{1i} &= \\alpha_{w_i} + \\beta_{w_i} x_i + \\sigma_1 \\varepsilon_{1i} \\\\
        M_{2i} &= \\gamma_0 + d_{21} M_{1i} + \\gamma_x x_i + \\sigma_2 \\varepsilon_{2i} \\\\
        Y_i &= \\delta_0 + b_1 M_{1i} + b_2 M_{2i} + c' x_i + \\sigma_3 \\varepsilon_{3i}

    with independent standard normal :math:`\\varepsilon`. Only the effect of X on M1,
    :math:`\\beta_w`, depends on W (PROCESS model 83), so the true serial indirect effect
    given :math:`w` is :math:`\\beta_w d_{21} b_2` (:func:`population_effects`). In the
    example study X is comment valence, W the influencer's response, M1 parasocial
    relationship (PSR), M2 persuasion knowledge (PK) and Y product attitude. Item
    :math:`j` of scale :math:`s` with latent :math:`\\eta_{is}` has the response tendency

    .. math::

        y^*_{ij} = \\mu_s + \\lambda_j \\eta_{is} + \\sqrt{1-\\lambda_j^2}\\, e_{ij},
        \\qquad c_{ij} = 1 + \\sum_{k=1}^{6} [\\, y^*_{ij} > \\tau_{sk} \\,]

    and the answer written is :math:`c_{ij}`, or :math:`8 - c_{ij}` for a reverse-keyed
    item. Attentive respondents skip each item with probability ``missing_item_rate``.
    Careless types (mutually exclusive, with the rates in ``careless``): straight-liners
    give one answer to every scale item (reverse-keyed included) and take a fraction of
    the median time; random responders answer uniformly and fail the attention check;
    speeders answer uniformly in ``speeder_fraction`` of the median time; skippers leave
    each scale item empty with probability ``skip_prob``. The optional sections: the
    attention check (instructed answer ``correct``) is passed by attentive respondents
    with probability ``p_correct_attentive``; a ``rating`` manipulation check is a
    rounded normal (1..7) around the mean of the respondent's level, a ``recall`` check
    gives the answer of the level seen with probability ``p_correct``; a ``normal``
    demographic is a rounded normal within ``[min, max]``, except a share
    ``outside_rate`` drawn from ``outside``; a ``categorical`` one has the given answer
    probabilities; a screening item is answered ``pass`` with probability ``p_pass``.
    Durations are log-normal around ``median``.

    Examples
    --------
    The example study:

    >>> from studylib.simulate import simulate_study
    >>> raw = simulate_study(n=60, seed=3)
    >>> # R: no direct equivalent (cf. simstudy / lavaan::simulateData plus cut())
    >>> raw.shape
    (60, 33)
    >>> raw[["ResponseId", "Valence", "Response", "PSR_1", "Gender"]].head(2)
      ResponseId            Valence     Response  PSR_1 Gender
    0  R_...  ...
    >>> raw.equals(simulate_study(n=60, seed=3))
    True
    """
    p = load_params(params)
    n = int(p.get("n", 300)) if n is None else check_int(n, "n", minimum=6)
    if seed is None:
        seed = p.get("seed")
    rng, used = as_generator(seed)
    nm = names(p)
    (xn, x_levels), (wn, w_levels), scales = nm

    # 1. conditions and respondent types
    x, w = _cells(None, n, len(w_levels), rng)
    c = p["careless"]
    rates = [c["straight_liner_rate"], c["random_rate"], c["speeder_rate"], c["skipper_rate"]]
    kind = rng.choice(len(_TYPES), size=n, p=[1.0 - sum(rates), *rates])
    attentive_like = (kind == 0) | (kind == 4)  # answer from the model
    uniform = (kind == 2) | (kind == 3)
    straight = kind == 1

    # 2. latent variables and items
    eta = _structural(x, w, p["latent"], nm, rng)
    straight_value = rng.integers(1, POINTS + 1, size=n)
    columns: dict[str, Any] = {}
    for scale in scales:
        spec = p["measurement"][scale]
        cat = _items(eta[scale], spec, rng)
        rev = np.array([item in spec["reverse"] for item in spec["items"]])
        answer = np.where(rev, POINTS + 1 - cat, cat).astype(float)
        answer[uniform] = rng.integers(1, POINTS + 1, size=(int(uniform.sum()), len(spec["items"])))
        answer[straight] = straight_value[straight, None]
        skip_p = np.where(kind == 4, c["skip_prob"], np.where(kind == 0, p.get("missing_item_rate", 0.0), 0.0))
        answer[rng.random(answer.shape) < skip_p[:, None]] = np.nan
        for j, item in enumerate(spec["items"]):
            columns[item] = answer[:, j]

    # 3. attention check
    ac = p.get("attention_check")
    if ac is not None:
        correct = int(ac["correct"])
        wrong = rng.integers(1, POINTS, size=n)
        wrong = wrong + (wrong >= correct)  # uniform over the wrong answers
        p_ok = np.select([attentive_like, kind == 3], [ac["p_correct_attentive"], ac["p_correct_speeder"]], 0.0)
        attn = np.where(rng.random(n) < p_ok, correct, wrong).astype(float)
        attn[straight] = straight_value[straight]

    # 4. manipulation checks, X's then W's; 5. demographics and screening items, in file order
    checks = p.get("manipulation_checks", {})
    answers: dict[str, pd.Series] = {}
    for factor, levels, code in ((xn, x_levels, x), (wn, w_levels, w)):
        if factor in checks:
            spec = checks[factor]
            answers[spec["column"]] = _manipulation_check(spec, levels, code, uniform, straight, straight_value, rng)
    for spec in p.get("demographics", {}).values():
        answers[spec["column"]] = _demographic(spec, n, rng)
    for spec in p.get("screening", {}).values():
        answers[spec["column"]] = _text(np.where(rng.random(n) < spec["p_pass"], spec["pass"], spec["fail"]))

    # 6. completion time, timestamps, ids
    d = p["duration"]
    dur = d["median"] * np.exp(d["sdlog"] * rng.standard_normal(n))
    dur[straight] *= d["straight_liner_factor"]
    lo, hi = d["speeder_fraction"]
    speed = kind == 3
    dur[speed] = d["median"] * rng.uniform(lo, hi, size=int(speed.sum()))
    dur = np.maximum(np.rint(dur), 30).astype(np.int64)
    e = p["export"]
    gaps = np.rint(rng.exponential(e["mean_gap_s"], size=n)).astype(np.int64)
    start = pd.Timestamp(e["start"]) + pd.to_timedelta(np.cumsum(gaps), unit="s")
    end = start + pd.to_timedelta(dur, unit="s")
    langs = list(e["languages"])
    lang = np.array(langs, dtype=object)[rng.choice(len(langs), size=n, p=list(e["languages"].values()))]
    ids = _response_ids(n, rng)

    design = p["design"]
    x_labels = np.array([str(design[xn]["levels"][v]) for v in x_levels], dtype=object)
    w_labels = np.array([str(design[wn]["levels"][v]) for v in w_levels], dtype=object)
    frame: dict[str, pd.Series] = {
        "StartDate": _text(start.strftime("%Y-%m-%d %H:%M:%S")),
        "EndDate": _text(end.strftime("%Y-%m-%d %H:%M:%S")),
        "Progress": _ints(np.full(n, 100.0)),
        d["column"]: _ints(dur.astype(float)),
        "Finished": _ints(np.ones(n)),
        e["id_column"]: _text(ids),
        "UserLanguage": _text(lang),
        design[xn]["column"]: _text(x_labels[x]),
        design[wn]["column"]: _text(w_labels[w]),
    }
    after = ac.get("after", scales[-1]) if ac is not None else None
    for scale in scales:
        for item in p["measurement"][scale]["items"]:
            frame[item] = _ints(columns[item])
        if scale == after:
            frame[ac["column"]] = _ints(attn)
    frame.update(answers)
    out = pd.DataFrame(frame)
    out.attrs["seed"] = used
    return out


def _ints(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="Float64").astype("Int64")


def _text(values: Any) -> pd.Series:
    return pd.Series(values, dtype="str")


def _manipulation_check(spec: Mapping[str, Any], levels: tuple[str, ...], code: np.ndarray, uniform: np.ndarray,
                        straight: np.ndarray, straight_value: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Answers to one manipulation check of a factor with level codes ``code`` (see simulate_study)."""
    n = code.shape[0]
    if spec["kind"] == "rating":
        means = np.array([spec["mean"][v] for v in levels], dtype=float)
        rating = np.clip(np.rint(means[code] + spec["sd"] * rng.standard_normal(n)), 1, POINTS)
        rating[uniform] = rng.integers(1, POINTS + 1, size=int(uniform.sum()))
        rating[straight] = straight_value[straight]
        return _ints(rating)
    k = len(levels)
    p_dont = spec.get("p_dont_remember", 0.0)
    u = rng.random(n)
    other = (code + rng.integers(1, k, size=n)) % k  # one of the other levels
    recalled = np.where(u < spec["p_correct"], code, np.where(u < spec["p_correct"] + p_dont, k, other))
    choices = [str(spec["answers"][v]) for v in levels]
    if "dont_remember" in spec:
        choices.append(str(spec["dont_remember"]))
    recalled[uniform] = rng.integers(0, len(choices), size=int(uniform.sum()))
    return _text(np.array(choices, dtype=object)[recalled])


def _demographic(spec: Mapping[str, Any], n: int, rng: np.random.Generator) -> pd.Series:
    """Answers to one demographic column (see simulate_study)."""
    if spec["kind"] == "categorical":
        labels = [str(a) for a in spec["answers"]]
        return _text(np.array(labels, dtype=object)[rng.choice(len(labels), size=n, p=list(spec["answers"].values()))])
    value = np.clip(np.rint(spec["mean"] + spec["sd"] * rng.standard_normal(n)), spec["min"], spec["max"])
    rate = spec.get("outside_rate", 0.0)
    if rate > 0:
        lo, hi = spec["outside"]
        pool = np.r_[np.arange(lo, spec["min"]), np.arange(spec["max"] + 1, hi + 1)]
        out = rng.random(n) < rate
        value[out] = rng.choice(pool, size=int(out.sum()))
    return _ints(value.astype(float))
